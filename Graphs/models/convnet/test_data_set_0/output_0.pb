
BlogitsJ(¥T¿d¾‚@žàÀš6íÀõb$?fYz?mYž¿-”Ar@ÒA
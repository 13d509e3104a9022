#!/usr/bin/env python3
"""Fits the polynomials of Sources/InferKernels/Elementwise/FastErf.swift and reports their float32 error."""
import numpy as np, math
from numpy.polynomial import chebyshev as C
# region 1: erf(x)/x as poly in s=x^2 on [0,1]
xs=np.cos(np.linspace(0,np.pi,2000))*0.5+0.5  # s in [0,1]
s=xs; x=np.sqrt(s); x[x==0]=1e-12
y=np.array([math.erf(v)/v for v in x])
c1=np.polyfit(s,y,7)
# region 2: g(x)=erfc(x)*exp(x^2)*x as poly in z=1/x over x in [1,4] -> z in [0.25,1]
z=np.cos(np.linspace(0,np.pi,4000))*0.375+0.625
xx=1/z
g=np.array([math.erfc(v)*math.exp(v*v)*v for v in xx])
c2=np.polyfit(z,g,10)
def f32(v): return np.float32(v)
def erf32(x):
    x=np.float32(x); a=abs(x)
    if a<1:
        s=x*x; r=np.float32(0)
        for c in c1: r=r*s+f32(c)
        return x*r
    if a>=4: return np.float32(math.copysign(1,x))
    zz=np.float32(1)/a; r=np.float32(0)
    for c in c2: r=r*zz+f32(c)
    e=np.float32(math.exp(-float(a)*float(a)))
    v=np.float32(1)-e*zz*r
    return v if x>0 else -v
mx=0; mr=0
for v in np.linspace(-6,6,120001):
    e=math.erf(v); g=float(erf32(v)); mx=max(mx,abs(e-g))
    if abs(e)>1e-20: mr=max(mr,abs(e-g)/abs(e))
print("abs",mx,"rel",mr)
print("c1",[float(c) for c in c1]); print("c2",[float(c) for c in c2])

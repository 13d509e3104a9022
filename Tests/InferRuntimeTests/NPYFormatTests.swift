import Foundation
import Testing
import InferIR
@testable import InferRuntime

@Suite struct NPYFormatTests {
    @Test(arguments: [DType.float32, .float64, .int64, .int32, .int8, .uint8, .bool])
    func roundTripEveryDType(dtype: DType) throws {
        let t = try Tensor(dtype: dtype, shape: [2, 3], bytes: (0..<(6 * dtype.byteSize)).map { UInt8($0 % (dtype == .bool ? 2 : 251)) })
        let back = try NPYFormat.decode(NPYFormat.encode(t))
        #expect(back == t)
    }

    @Test func scalarAndEmptyShapes() throws {
        for shape in [[], [0], [3, 0, 2], [5]] as [[Int]] {
            let t = Tensor(zeros: .float32, shape: shape)
            #expect(try NPYFormat.decode(NPYFormat.encode(t)).shape == shape)
        }
    }

    @Test func headerIsPaddedTo64Bytes() {
        let data = NPYFormat.encode(Tensor(shape: [3], exactly: [Float](arrayLiteral: 1, 2, 3)))
        #expect((data.count - 12) % 64 == 0)
    }

    @Test func readsNumpyWrittenHeader() throws {
        // Header text exactly as numpy 2.4 writes it for np.arange(6, dtype='<i8').reshape(2, 3).
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }"
        header += String(repeating: " ", count: 128 - 10 - header.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        data.append(Data(header.utf8))
        data.append([Int64](0..<6).withUnsafeBytes { Data($0) })
        let t = try NPYFormat.decode(data)
        #expect(t.shape == [2, 3])
        #expect(try t.scalars(as: Int64.self) == [0, 1, 2, 3, 4, 5])
    }

    @Test func malformedFilesThrow() {
        let good = NPYFormat.encode(Tensor(shape: [4], exactly: [Float](arrayLiteral: 1, 2, 3, 4)))
        for cut in [0, 5, 9, 11, 40, good.count - 1] {
            #expect(throws: InferError.self) { try NPYFormat.decode(good.prefix(cut)) }
        }
        var bigEndian = good
        if let r = bigEndian.range(of: Data("<f4".utf8)) { bigEndian.replaceSubrange(r, with: Data(">f4".utf8)) }
        #expect(throws: InferError.self) { try NPYFormat.decode(bigEndian) }
        var fortran = good
        if let r = fortran.range(of: Data("False".utf8)) { fortran.replaceSubrange(r, with: Data("True ".utf8)) }
        #expect(throws: InferError.self) { try NPYFormat.decode(fortran) }
    }
}

import Foundation
import Testing
@testable import InferRuntime
@testable import InferServe
@testable import InferServeProtocol

/// Request bodies to tensors: JSON (flat and nested), the binary extension, and every way a
/// body can be wrong refused by name before anything is queued.
@Suite struct RequestDecodingTests {
    static func body(_ object: Any) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: object)) }

    static func refusal(_ body: [UInt8], headerLength: Int? = nil) -> String? {
        do {
            _ = try InferenceRequest.decode(body, headerLength: headerLength)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func nestedAndFlatDataGiveTheSameTensor() throws {
        let flat = try InferenceRequest.decode(try Self.body(["inputs": [["name": "x", "datatype": "FP32", "shape": [2, 2], "data": [1.5, -2, 3, 4e-3]]]]), headerLength: nil)
        let nested = try InferenceRequest.decode(try Self.body(["inputs": [["name": "x", "datatype": "FP32", "shape": [2, 2], "data": [[1.5, -2], [3, 4e-3]]]]]), headerLength: nil)
        #expect(try flat.tensors["x"]!.scalars(as: Float.self) == [1.5, -2, 3, 0.004])
        #expect(try nested.tensors["x"]!.scalars(as: Float.self) == [1.5, -2, 3, 0.004])
        #expect(flat.tensors["x"]!.shape == [2, 2])
    }

    @Test func everyDatatypeDecodes() throws {
        let inputs: [[String: Any]] = [
            ["name": "f64", "datatype": "FP64", "shape": [2], "data": [0.1, -1e300]],
            ["name": "i64", "datatype": "INT64", "shape": [2], "data": [9_007_199_254_740_993, -5]],
            ["name": "i32", "datatype": "INT32", "shape": [1], "data": [-2_147_483_648]],
            ["name": "i8", "datatype": "INT8", "shape": [2], "data": [-128, 127]],
            ["name": "u8", "datatype": "UINT8", "shape": [2], "data": [0, 255]],
            ["name": "b", "datatype": "BOOL", "shape": [3], "data": [true, false, true]],
        ]
        let request = try InferenceRequest.decode(try Self.body(["id": "q", "inputs": inputs, "parameters": ["timeout": 1500]]), headerLength: nil)
        #expect(try request.tensors["f64"]!.scalars(as: Double.self) == [0.1, -1e300])
        #expect(try request.tensors["i64"]!.scalars(as: Int64.self) == [9_007_199_254_740_993, -5])
        #expect(try request.tensors["i32"]!.scalars(as: Int32.self) == [Int32.min])
        #expect(try request.tensors["i8"]!.scalars(as: Int8.self) == [-128, 127])
        #expect(try request.tensors["u8"]!.scalars(as: UInt8.self) == [0, 255])
        #expect(try request.tensors["b"]!.scalars(as: Bool.self) == [true, false, true])
        #expect(request.id == "q" && request.timeoutMicroseconds == 1500)
        let noTimeout = try InferenceRequest.decode(try Self.body(["inputs": inputs, "parameters": ["timeout": 0]]), headerLength: nil)
        #expect(noTimeout.timeoutMicroseconds == nil, "timeout 0 means no timeout, as in Triton")
    }

    @Test func binaryInputsFollowTheJSONHeader() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let header = try Self.body(["inputs": [
            ["name": "a", "datatype": "FP32", "shape": [2, 3], "parameters": ["binary_data_size": 24]],
            ["name": "b", "datatype": "INT32", "shape": [1], "data": [7]],
        ], "outputs": [["name": "y", "parameters": ["binary_data": true]], ["name": "z"]]])
        let raw = values.withUnsafeBytes { Array($0) }
        let request = try InferenceRequest.decode(header + raw, headerLength: header.count)
        #expect(try request.tensors["a"]!.scalars(as: Float.self) == values)
        #expect(try request.tensors["b"]!.scalars(as: Int32.self) == [7])
        #expect(request.outputs?.map(\.name) == ["y", "z"])
        #expect(request.outputs?.map(\.binary) == [true, false])
    }

    @Test func malformedBodiesAreRefusedByName() throws {
        let x: (Any, [Int], String) -> [UInt8] = { data, shape, datatype in
            try! Self.body(["inputs": [["name": "x", "datatype": datatype, "shape": shape, "data": data]]])
        }
        #expect(Self.refusal(Array("{\"inputs\": [".utf8))?.hasPrefix("request is not valid JSON") == true)
        #expect(Self.refusal(Array("[1]".utf8)) == "request must be a JSON object")
        #expect(Self.refusal(try Self.body(["inputs": []])) == "request needs a non-empty 'inputs' array")
        #expect(Self.refusal(x([1, 2, 3], [2, 2], "FP32")) == "input 'x': 'data' has 3 elements but shape [2, 2] needs 4")
        #expect(Self.refusal(x([300], [1], "INT8")) == "input 'x': data[0] = 300 is not a INT8 value")
        #expect(Self.refusal(x([1.5], [1], "INT32")) == "input 'x': data[0] = 1.5 is not a INT32 value")
        #expect(Self.refusal(x([1e39], [1], "FP32")) == "input 'x': data[0] = 1e+39 is out of FP32 range")
        #expect(Self.refusal(x(["a"], [1], "FP32"))?.hasPrefix("input 'x': data[0] is") == true)
        #expect(Self.refusal(x([1], [1], "FP16"))?.hasPrefix("input 'x': datatype 'FP16' is not supported (supported: FP32,") == true)
        #expect(Self.refusal(x([1], [-1], "FP32")) == "input 'x': shape [-1] must hold non-negative integers")
        #expect(Self.refusal(x([1], [1 << 40, 1 << 40], "FP32")) == "input 'x': shape [1099511627776, 1099511627776] is too large")
        #expect(Self.refusal(x(1, [1], "FP32")) == "input 'x': 'data' must be an array")
        var deep: Any = [1.0]
        for _ in 0..<40 { deep = [deep] }
        #expect(Self.refusal(x(deep, [1], "FP32")) == "input 'x': 'data' is nested more than 32 deep")
        let twice = try Self.body(["inputs": [["name": "x", "datatype": "FP32", "shape": [1], "data": [1]],
                                              ["name": "x", "datatype": "FP32", "shape": [1], "data": [1]]]])
        #expect(Self.refusal(twice) == "input 'x' appears twice")
    }

    /// Found while writing the `request` fuzz target (its crash reproducer): a 70-byte body declaring 2^31 - 1 elements made the
    /// decoder reserve room for all of them up front (64 GB) and the server trap.
    @Test func aHugeDeclaredShapeWithLittleDataIsRefusedWithoutAllocatingIt() throws {
        let body = Array(#"{"inputs":[{"name":"x","datatype":"FP32","shape":[2147483647],"data":[1]}]}"#.utf8)
        #expect(Self.refusal(body) == "input 'x': 'data' has 1 elements but shape [2147483647] needs 2147483647")
    }

    @Test func binarySizesMustMatchShapeAndBody() throws {
        func header(_ size: Int) throws -> [UInt8] {
            try Self.body(["inputs": [["name": "x", "datatype": "FP32", "shape": [2], "parameters": ["binary_data_size": size]]]])
        }
        let eight = [UInt8](repeating: 0, count: 8)
        #expect(Self.refusal(try header(8)) == "input 'x' has binary_data_size but the request has no Inference-Header-Content-Length header")
        #expect(Self.refusal(try header(4) + eight, headerLength: try header(4).count) == "input 'x': binary_data_size is 4 bytes but FP32 [2] needs 8")
        #expect(Self.refusal(try header(8) + eight + [0], headerLength: try header(8).count) == "the body has 1 bytes after the inputs' binary data")
        #expect(Self.refusal(try header(8) + [0, 0], headerLength: try header(8).count) == "input 'x': binary_data_size 8 runs past the end of the body (2 bytes left)")
        #expect(Self.refusal(try header(8), headerLength: 10_000) == "Inference-Header-Content-Length is 10000 but the body has \(try header(8).count) bytes")
    }

    @Test func outputsPrintAsShortestJSONAndRefuseNaN() throws {
        let t = try Tensor(shape: [3], scalars: [0.1, -2, 1e-7] as [Float])
        #expect(try JSONTensorData.text(of: t, output: "y") == "[0.1,-2.0,1e-07]")
        let bad = try Tensor(shape: [1], scalars: [Float.nan])
        #expect(throws: ServeError.self) { try JSONTensorData.text(of: bad, output: "y") }
        #expect(JSONText.string("a\"b\\c\n\u{01}") == "\"a\\\"b\\\\c\\n\\u0001\"")
    }
}

import Foundation
import Testing
@testable import InferRuntime
@testable import InferServeProtocol

/// gRPC `ModelInfer` messages to tensors: raw contents and every typed contents list, and
/// each way a message can be wrong refused by name before anything is queued.
@Suite struct ModelInferDecodingTests {
    static func input(_ name: String, _ datatype: String, _ shape: [Int64], _ fill: (inout Inference_InferTensorContents) -> Void = { _ in })
        -> Inference_ModelInferRequest.InferInputTensor {
        .with {
            $0.name = name
            $0.datatype = datatype
            $0.shape = shape
            fill(&$0.contents)
        }
    }

    static func refusal(_ message: Inference_ModelInferRequest) -> String? {
        do {
            _ = try InferenceRequest(message)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func everyTypedContentsListDecodes() throws {
        var message = Inference_ModelInferRequest()
        message.id = "g1"
        message.parameters["timeout"] = .with { $0.int64Param = 2500 }
        message.inputs = [
            Self.input("f32", "FP32", [2]) { $0.fp32Contents = [1.5, -2] },
            Self.input("f64", "FP64", [1]) { $0.fp64Contents = [-1e300] },
            Self.input("i64", "INT64", [2]) { $0.int64Contents = [9_007_199_254_740_993, -5] },
            Self.input("i32", "INT32", [1]) { $0.intContents = [Int32.min] },
            Self.input("i8", "INT8", [2]) { $0.intContents = [-128, 127] },
            Self.input("u8", "UINT8", [2]) { $0.uintContents = [0, 255] },
            Self.input("b", "BOOL", [3]) { $0.boolContents = [true, false, true] },
        ]
        message.outputs = [.with { $0.name = "y" }]
        let request = try InferenceRequest(message)
        #expect(try request.tensors["f32"]!.scalars(as: Float.self) == [1.5, -2])
        #expect(try request.tensors["f64"]!.scalars(as: Double.self) == [-1e300])
        #expect(try request.tensors["i64"]!.scalars(as: Int64.self) == [9_007_199_254_740_993, -5])
        #expect(try request.tensors["i32"]!.scalars(as: Int32.self) == [Int32.min])
        #expect(try request.tensors["i8"]!.scalars(as: Int8.self) == [-128, 127])
        #expect(try request.tensors["u8"]!.scalars(as: UInt8.self) == [0, 255])
        #expect(try request.tensors["b"]!.scalars(as: Bool.self) == [true, false, true])
        #expect(request.id == "g1" && request.timeoutMicroseconds == 2500)
        #expect(request.outputs?.map(\.name) == ["y"] && request.outputs?.map(\.binary) == [true])
    }

    @Test func rawContentsFollowInputOrder() throws {
        var message = Inference_ModelInferRequest()
        message.inputs = [Self.input("a", "INT32", [2]), Self.input("b", "UINT8", [3])]
        message.rawInputContents = [[Int32(7), Int32(-1)].withUnsafeBytes { Data($0) }, Data([1, 2, 250])]
        let request = try InferenceRequest(message)
        #expect(try request.tensors["a"]!.scalars(as: Int32.self) == [7, -1])
        #expect(try request.tensors["b"]!.scalars(as: UInt8.self) == [1, 2, 250])
        #expect(request.outputs == nil, "no requested outputs means every output")
        #expect(request.timeoutMicroseconds == nil)
    }

    @Test func malformedMessagesAreRefusedByName() {
        func message(_ inputs: [Inference_ModelInferRequest.InferInputTensor], raw: [Data] = [],
                     _ change: (inout Inference_ModelInferRequest) -> Void = { _ in }) -> Inference_ModelInferRequest {
            var message = Inference_ModelInferRequest()
            message.inputs = inputs
            message.rawInputContents = raw
            change(&message)
            return message
        }
        let cases: [(Inference_ModelInferRequest, String)] = [
            (message([]), "request has no inputs"),
            (message([Self.input("x", "INT8", [2]) { $0.intContents = [1, 300] }]), "input 'x': int_contents[1] = 300 is not a INT8 value"),
            (message([Self.input("x", "UINT8", [1]) { $0.uintContents = [256] }]), "input 'x': uint_contents[0] = 256 is not a UINT8 value"),
            (message([Self.input("x", "FP32", [3]) { $0.fp32Contents = [1, 2] }]), "input 'x': fp32_contents has 2 elements but shape [3] needs 3"),
            (message([Self.input("x", "FP32", [1]) { $0.fp32Contents = [1]; $0.fp64Contents = [1] }]), "input 'x': FP32 elements go in fp32_contents, not fp64_contents"),
            (message([Self.input("x", "BYTES", [1]) { $0.bytesContents = [Data()] }]),
             "input 'x': datatype 'BYTES' is not supported (supported: FP32, UINT8, INT8, INT32, INT64, BOOL, FP64)"),
            (message([Self.input("x", "FP32", [-1, 4])]), "input 'x': shape [-1, 4] must hold non-negative integers"),
            (message([Self.input("x", "FP32", [1 << 20, 1 << 20])], raw: [Data()]), "input 'x': shape [1048576, 1048576] is too large"),
            (message([Self.input("x", "FP32", [2])], raw: [Data(count: 7)]), "input 'x': raw_input_contents has 7 bytes but FP32 [2] needs 8"),
            (message([Self.input("x", "FP32", [2]), Self.input("x", "FP32", [2])], raw: [Data(count: 8), Data(count: 8)]), "input 'x' appears twice"),
            (message([Self.input("x", "FP32", [2]), Self.input("y", "FP32", [2])], raw: [Data(count: 8)]),
             "raw_input_contents has 1 entries for 2 inputs (one per input, in order)"),
            (message([Self.input("x", "FP32", [2])], raw: [Data(count: 8)]) { $0.parameters["timeout"] = .with { $0.int64Param = -3 } },
             "parameters.timeout must be a non-negative int64_param (microseconds)"),
        ]
        for (message, expected) in cases {
            #expect(Self.refusal(message) == expected)
        }
    }
}

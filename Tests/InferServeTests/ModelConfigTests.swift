import Foundation
import Testing
@testable import InferServe
@testable import InferServeProtocol

/// Triton's config.pbtxt: the three fields the server applies, the others named as ignored,
/// and malformed files refused with the file and line.
@Suite struct ModelConfigTests {
    @Test func readsBatchingWindowAndInstancesAndNamesTheRest() throws {
        let text = """
        name: "resnet"   # the folder's name wins anyway
        platform: "onnxruntime_onnx"
        max_batch_size: 16
        input [ { name: "x", data_type: TYPE_FP32, dims: [ 3, 224, 224 ] } ]
        dynamic_batching {
          preferred_batch_size: [ 4, 8 ]
          max_queue_delay_microseconds: 250
        }
        instance_group [ { count: 2, kind: KIND_CPU }, { count: 1 kind: KIND_CPU } ]
        """
        let config = try TritonModelConfig.parse(text, file: "config.pbtxt")
        #expect(config.maxBatchSize == 16)
        #expect(config.dynamicBatching)
        #expect(config.batchWindowMicroseconds == 250)
        #expect(config.instanceCount == 3)
        #expect(config.ignoredFields == ["input", "dynamic_batching.preferred_batch_size"])
        let settings = BatchSettings().applying(config)
        #expect(settings == BatchSettings(maxBatch: 16, batchWindowMicroseconds: 250, maxQueue: 64, instances: 3))
    }

    @Test func maxBatchSizeWithoutDynamicBatchingRunsRequestsAlone() throws {
        let config = try TritonModelConfig.parse("max_batch_size: 8", file: "c")
        #expect(BatchSettings().applying(config).maxBatch == 1)
        #expect(BatchSettings().applying(TritonModelConfig()).maxBatch == 8)
    }

    @Test(arguments: [
        ("max_batch_size: -3", "c.pbtxt: max_batch_size is '-3'"),
        ("max_batch_size: lots", "c.pbtxt: max_batch_size is 'lots'"),
        ("dynamic_batching {\n max_queue_delay_microseconds: 5\n", "c.pbtxt:3: missing '}'"),
        ("instance_group [ { count: 0 } ]", "c.pbtxt: instance_group.count is '0'"),
        ("name: \"open", "c.pbtxt:1: unterminated string"),
        ("{ }", "c.pbtxt:1: expected a field name"),
    ])
    func malformedConfigsAreRefusedWithFileAndLine(text: String, message: String) {
        #expect {
            _ = try TritonModelConfig.parse(text, file: "c.pbtxt")
        } throws: { error in
            (error as? ServeError)?.message.hasPrefix(message) == true
        }
    }
}

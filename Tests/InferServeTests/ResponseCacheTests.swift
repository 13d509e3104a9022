import Foundation
import Testing
@testable import InferRuntime
@testable import InferServe

/// The response cache: least recently used entries go first, keys tell apart requests that
/// differ in any byte, name, dtype or shape, and over HTTP a repeated request is answered
/// without a run and with the same outputs.
@Suite(.serialized) struct ResponseCacheTests {
    static func key(_ values: [Float], name: String = "x", shape: [Int]? = nil) throws -> ResponseCache.Key {
        ResponseCache.Key(model: "m", version: "1", tensors: [name: try Tensor(shape: shape ?? [values.count], scalars: values)])
    }

    @Test func leastRecentlyUsedIsEvicted() throws {
        let cache = ResponseCache(capacity: 2)
        let y = try Tensor(shape: [1], scalars: [Float(1)])
        cache.store(["y": y], for: try Self.key([1]))
        cache.store(["y": y], for: try Self.key([2]))
        #expect(cache.outputs(for: try Self.key([1])) != nil)  // [1] is now the most recent
        cache.store(["y": y], for: try Self.key([3]))
        #expect(cache.count == 2)
        #expect(cache.outputs(for: try Self.key([2])) == nil, "the least recently used entry was kept")
        let (one, three) = (try Self.key([1]), try Self.key([3]))
        #expect(cache.outputs(for: one) != nil && cache.outputs(for: three) != nil)
    }

    @Test func keysDifferInEveryPart() throws {
        let base = try Self.key([1, 2])
        #expect(base == (try Self.key([1, 2])))
        #expect(base != (try Self.key([1, 2.0000002])))
        #expect(base != (try Self.key([1, 2], name: "z")))
        #expect(base != (try Self.key([1, 2], shape: [1, 2])))
        let ints = ResponseCache.Key(model: "m", version: "1", tensors: ["x": try Tensor(shape: [2], scalars: [Int32(1_065_353_216), 1_073_741_824])])
        #expect(base != ints, "float and int32 tensors with the same bytes share a key")
        #expect(base != ResponseCache.Key(model: "m", version: "2", tensors: ["x": try Tensor(shape: [2], scalars: [Float(1), 2])]))
    }

    @Test func aRepeatedRequestIsAnsweredFromTheCache() async throws {
        var options = ServeOptions()
        options.cacheEntries = 4
        let harness = try await ServerHarness(options: options)
        let (x, _) = try HTTPProtocolTests.reference()
        var values = try x.scalars(as: Float.self).map(Double.init)
        func body(_ id: String) -> [String: Any] {
            ["id": id, "inputs": [["name": "x", "datatype": "FP32", "shape": x.shape, "data": values]]]
        }
        let first = try await harness.post("/v2/models/mlp/infer", json: body("a"))
        let second = try await harness.post("/v2/models/mlp/infer", json: body("b"))
        values[0] += 1
        let third = try await harness.post("/v2/models/mlp/infer", json: body("c"))
        let metrics = try await harness.request("GET", "/metrics").text
        let labels = "{model=\"mlp\",version=\"1\"}"
        #expect(MetricsText.value(metrics, "nv_cache_num_hits_per_model" + labels) == 1)
        #expect(MetricsText.value(metrics, "nv_cache_num_misses_per_model" + labels) == 2)
        #expect(MetricsText.value(metrics, "nv_inference_exec_count" + labels) == 2)
        let outputs = { (reply: ServerHarness.Reply) in ((reply.json["outputs"] as? [[String: Any]])?.first?["data"] as? [Double]) ?? [] }
        #expect(!outputs(first).isEmpty && outputs(first) == outputs(second))
        #expect(outputs(third) != outputs(first), "a changed input was answered from the cache")
        #expect(second.json["id"] as? String == "b")
        // A hit is the same bytes a run answered: the third request again, id included.
        let again = try await harness.post("/v2/models/mlp/infer", json: body("c"))
        #expect(again.body == third.body && again.status == 200)
        await harness.stop()
    }
}

import Foundation
import Testing
import InferIR
@testable import InferRuntime

/// Every stage recurses once per subgraph level, so the nesting limits bound the stack a model
/// can take. Measured in a debug build (frames are much smaller in release): a nesting of 64
/// (the default limit) needs between 1 and 2 MiB, 256 between 4 and 8 MiB. Hence the ceiling of
/// 128 and these two checks: the default limit on a 2 MiB stack, the ceiling on 4 MiB (Linux
/// gives threads 8 MiB), each parsed, validated, optimized and run at every level.
@Suite struct DeepNestingTests {
    /// `depth` If levels inside the main graph; the innermost then-branch negates x.
    static func nestedIf(depth: Int) -> String {
        var body = "t = Neg (x)"
        for level in (1...depth).reversed() {
            body = "t = If (c) <then_branch: graph = b\(level) () => (float[1] t) { \(body) }, "
                + "else_branch: graph = e\(level) () => (float[1] t) { t = Identity (x) }>"
        }
        return "<ir_version: 8, opset_import: [\"\" : 17]>\ng (bool c, float[1] x) => (float[1] t) {\n\(body)\n}"
    }

    /// Runs `body` on a new thread with a `stackSize`-byte stack and waits for it.
    static func onSmallStack<T: Sendable>(_ stackSize: Int, _ body: @escaping @Sendable () throws -> T) throws -> T {
        nonisolated(unsafe) var result: Result<T, Error>?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result = Result { try body() }
            done.signal()
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        return try result!.get()
    }

    @Test(arguments: [(ResourceLimits.defaults.maxNesting, 2 << 20), (ResourceLimits.nestingCeiling, 4 << 20)])
    func deepNestingRunsWithinAKnownStack(depth: Int, stackBytes: Int) throws {
        let limits = ResourceLimits(maxNesting: depth)
        let text = Self.nestedIf(depth: depth)
        for level in OptimizationLevel.allCases {
            let y = try Self.onSmallStack(stackBytes) { () throws -> [Float] in
                try limits.bound {
                    let engine = try Engine(model: ONNXTextParser.parseModel(text), options: .init(threads: 1, optimization: level))
                    let out = try engine.run(["c": Tensor(scalar: true), "x": Tensor(shape: [1], scalars: [Float(2)])])
                    return try out["t"]!.scalars(as: Float.self)
                }
            }
            #expect(y == [-2], "depth \(depth) at -O\(level.rawValue)")
        }
    }

    @Test func oneLevelMoreIsRefusedBeforeAnyRecursion() throws {
        let limits = ResourceLimits(maxNesting: ResourceLimits.nestingCeiling)
        let text = Self.nestedIf(depth: ResourceLimits.nestingCeiling + 1)
        let error = #expect(throws: InferError.self) {
            try limits.bound { _ = try ONNXTextParser.parseModel(text) }
        }
        #expect(error?.kind == .resourceLimit)
        #expect(error?.message.contains("nests subgraphs \(ResourceLimits.nestingCeiling + 1) levels deep, over the limit of "
                                        + "\(ResourceLimits.nestingCeiling) (the most this build supports)") == true, "\(String(describing: error))")
    }
}

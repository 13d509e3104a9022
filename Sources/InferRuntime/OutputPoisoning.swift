import Foundation
import InferIR

/// A check that kernels really write every element of their outputs, as a binding promises
/// unless it says `accumulatingIntoOutputs()`. With `SWIFTC_INFER_POISON_OUTPUTS=1` in the
/// environment, every such output is filled with 0xFF bytes (NaN for floats, -1 for integers)
/// before its kernel runs, on both executors; a kernel that skips an element then shows it in
/// its result. `swift test` runs the conformance manifest this way (ConformanceManifestTests).
/// Off, it costs one branch per step.
package enum OutputPoisoning {
    package static let enabled = ProcessInfo.processInfo.environment["SWIFTC_INFER_POISON_OUTPUTS"] == "1"

    @inline(__always)
    static func poison(_ tensors: [Tensor]) {
        for t in tensors where t.byteCount > 0 {
            t.mutableRawPointer.initializeMemory(as: UInt8.self, repeating: 0xFF, count: t.byteCount)
        }
    }
}

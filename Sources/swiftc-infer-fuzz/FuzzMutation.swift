import Foundation
import InferIR
import InferONNX
import InferRuntime

/// libFuzzer's custom mutator, per target: ONNX models are mutated as models most of the time
/// (`ONNXModelMutator`), plans get their size and checksum fixed after a byte mutation (else
/// nearly every mutant stops at the checksum), the rest is libFuzzer's own byte mutation.
enum FuzzMutation {
    /// Mutates `data[0..<size]` in place (capacity `maxSize`), returns the new size.
    /// `mutateBytes` is libFuzzer's `LLVMFuzzerMutate`.
    static func mutate(_ target: FuzzTarget, _ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32,
                       mutateBytes: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int) -> Int {
        switch target {
        case .onnx:
            // Byte mutations now and then, for the decoder and importer; models otherwise.
            if seed % 16 != 0, let mutant = ONNXModelMutator.mutate(Data(bytes: data, count: size), seed: UInt64(seed) &* 0x9E37_79B9),
               mutant.count <= maxSize {
                mutant.copyBytes(to: data, count: mutant.count)
                return mutant.count
            }
            return mutateBytes(data, size, maxSize)
        case .plan:
            let n = mutateBytes(data, size, maxSize)
            fixPlanHeader(UnsafeMutableRawBufferPointer(start: data, count: n))
            return n
        case .text, .tensor, .request:
            return mutateBytes(data, size, maxSize)
        }
    }

    /// Rewrites the file-size and checksum fields of a plan-shaped buffer (see `PlanFormat`).
    static func fixPlanHeader(_ bytes: UnsafeMutableRawBufferPointer) {
        guard bytes.count >= PlanFormat.checksummedFrom else { return }
        bytes.storeBytes(of: UInt64(bytes.count).littleEndian, toByteOffset: 16, as: UInt64.self)
        let checksum = PlanChecksum.checksum(UnsafeRawBufferPointer(rebasing: bytes[PlanFormat.checksummedFrom...]))
        bytes.storeBytes(of: checksum.littleEndian, toByteOffset: 24, as: UInt64.self)
    }
}

// The libFuzzer entry points, compiled only into the fuzzing build (Tools/fuzz.sh builds with
// `-sanitize=fuzzer,address -DFUZZING`). The target comes from SWIFTC_INFER_FUZZ_TARGET
// (onnx, text, plan, tensor, request).
#if FUZZING
import Foundation

@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> Int32

/// SwiftPM points an executable's `main` at `<target>_main`: hand the process to libFuzzer's driver.
@_cdecl("swiftc_infer_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc, vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, fuzzerTestOneInput)
}

nonisolated(unsafe) private var selectedTarget = FuzzTarget.onnx

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutableRawPointer) -> Int32 {
    let name = ProcessInfo.processInfo.environment["SWIFTC_INFER_FUZZ_TARGET"] ?? "onnx"
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("SWIFTC_INFER_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
        exit(2)
    }
    selectedTarget = target
    FuzzStats.shared.target = name
    atexit {
        FuzzStats.shared.report()
        FuzzStats.shared.appendTotals()
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selectedTarget.run(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzerCustomMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    FuzzMutation.mutate(selectedTarget, data, size: size, maxSize: maxSize, seed: seed, mutateBytes: LLVMFuzzerMutate)
}
#endif

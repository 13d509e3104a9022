import Foundation
import Testing
import InferKernels
import InferIR
@testable import InferRuntime

@Suite struct BLASRuntimeTests {
    @Test func weakCoreIsUpgradedOnlyWhenTheUserDidNotChoose() {
        #expect(BLASRuntime.coreToSelect(current: "Prescott", userSetting: nil, recommended: "SkylakeX") == "SkylakeX")
        #expect(BLASRuntime.coreToSelect(current: "Prescott", userSetting: "Prescott", recommended: "SkylakeX") == nil)
        #expect(BLASRuntime.coreToSelect(current: "Haswell", userSetting: nil, recommended: "SkylakeX") == "SkylakeX")
        #expect(BLASRuntime.coreToSelect(current: "Cooperlake", userSetting: nil, recommended: "SkylakeX") == nil)
        #expect(BLASRuntime.coreToSelect(current: "SkylakeX", userSetting: nil, recommended: "Haswell") == nil)
        #expect(BLASRuntime.coreToSelect(current: "Prescott", userSetting: nil, recommended: nil) == nil)
    }

    /// OpenBLAS' own threads would compete with the engine's for the cores: making an engine
    /// leaves OpenBLAS single-threaded, and the default thread count is still OpenBLAS' default
    /// (all cores here), not that 1.
    @Test func enginesRunOpenBLASSingleThreaded() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"))
        #expect(BLASCore.threadCount == 1)
        #expect(engine.threads == BLASRuntime.threadCount)
        // OpenBLAS reads these, in this order, before falling back to the core count.
        let env = ProcessInfo.processInfo.environment
        let cores = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"].lazy.compactMap { env[$0].flatMap(Int.init) }
            .first ?? ProcessInfo.processInfo.activeProcessorCount
        #expect(BLASRuntime.threadCount == cores)
    }

    @Test func reportLineNamesTheCPUAndThreads() {
        let line = BLASRuntime.summary(threads: 3)
        #expect(line.hasPrefix("CPU: \(BLASRuntime.cpuModel) ("))
        #expect(line.contains("BLAS: OpenBLAS \(BLASRuntime.coreName) core") && line.hasSuffix("engine threads: 3"))
        #expect(BLASRuntime.cpuModel != "unknown CPU", "no model name read from /proc/cpuinfo")
    }

    @Test func coreNameIsReported() {
        #expect(!BLASRuntime.coreName.isEmpty && BLASRuntime.coreName != "unknown")
    }
}

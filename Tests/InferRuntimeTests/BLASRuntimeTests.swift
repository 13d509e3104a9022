import Testing
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

    @Test func coreNameIsReported() {
        #expect(!BLASRuntime.coreName.isEmpty && BLASRuntime.coreName != "unknown")
    }
}

import Foundation
import Testing
@testable import InferKernels

@Suite struct FastErfTests {
    @Test func matchesLibmErfAcrossTheRange() {
        var worstRelative: Double = 0
        var x: Float = -6
        while x <= 6 {
            let exact = Foundation.erf(Double(x))
            let fast = Double(FastErf.erf(x))
            if exact != 0 { worstRelative = max(worstRelative, abs(fast - exact) / abs(exact)) }
            x += 0.000731
        }
        #expect(worstRelative < 5e-7, "worst relative error \(worstRelative)")
    }

    @Test func specialValues() {
        #expect(FastErf.erf(0) == 0)
        #expect(FastErf.erf(.infinity) == 1)
        #expect(FastErf.erf(-.infinity) == -1)
        #expect(FastErf.erf(.nan).isNaN)
        #expect(FastErf.erf(1e-30) > 0)
        #expect(abs(FastErf.erf(1e-6) - 1.1283791e-6) / 1.1283791e-6 < 1e-6)
    }
}

/// Fusions around GEMM and convolution, in the order they run.
package enum LinearFusions {
    package static let passes: [any Pass] = []
}

/// Fusions of transformer patterns (normalization, GELU, attention, elementwise chains), in order.
package enum TransformerFusions {
    package static let passes: [any Pass] = []
}

/// Fusions of transformer patterns, in the order they run: normalization, GELU, attention, then
/// whatever elementwise chains are left (last, so it never breaks up a larger pattern).
package enum TransformerFusions {
    package static let passes: [any Pass] = [
        FuseLayerNorm(),
        FuseGelu(),
        FuseAttention(),
        FuseElementwise(),
    ]
}

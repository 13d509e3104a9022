import InferIR

/// A graph-to-graph rewrite with a short kebab-case name (`fold-constants`).
package protocol Pass {
    var name: String { get }
    func run(on model: inout Model) throws
}

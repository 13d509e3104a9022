import Foundation
import InferIR

/// The compiled forms of a model for callers that feed some of its defaulted inputs (graph
/// inputs with an initializer of the same name). The engine's primary `CompiledModel` folds
/// every default into constants; feeding one of them must not be ignored, so a run that feeds
/// defaults gets a program compiled from the source model with exactly those inputs live,
/// built on first use and kept in a small LRU keyed by the set of fed names.
package final class FedDefaultsCache: @unchecked Sendable {
    /// The model as imported (defaulted inputs still listed as inputs with their initializers).
    package let source: Model
    /// The defaulted input names the primary program folded, sorted.
    package let defaulted: [String]
    private let options: Engine.Options
    private let threads: Int
    private let capacity: Int
    /// Most recently used last.
    private var entries: [(fed: [String], compiled: CompiledModel)] = []
    private let lock = NSLock()

    init(source: Model, options: Engine.Options, threads: Int) {
        self.source = source
        defaulted = source.graph.defaultedInputNames
        self.options = options
        self.threads = threads
        capacity = max(1, options.planCacheCapacity)
    }

    /// The fed defaulted inputs among `feeds`, sorted (empty on the common path: no allocation).
    func fedNames(_ feeds: [String: Tensor]) -> [String] {
        var fed: [String] = []
        for name in defaulted where feeds[name] != nil { fed.append(name) }
        return fed
    }

    /// The program with the inputs `fed` live, compiling it on first use.
    func compiled(feeding fed: [String]) throws -> CompiledModel {
        lock.lock()
        if let i = entries.lastIndex(where: { $0.fed == fed }) {
            let entry = entries.remove(at: i)
            entries.append(entry)
            lock.unlock()
            return entry.compiled
        }
        lock.unlock()
        let (model, report) = try Compiler.optimize(source, level: options.optimization, precision: options.precision, liveInputs: Set(fed))
        let compiled = try CompiledModel(model: model, report: report, options: options, threads: threads)
        lock.lock()
        defer { lock.unlock() }
        if let raced = entries.last(where: { $0.fed == fed }) { return raced.compiled }
        entries.append((fed, compiled))
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return compiled
    }

    /// Every program compiled so far (for plan counts).
    var all: [CompiledModel] { lock.lock(); defer { lock.unlock() }; return entries.map(\.compiled) }
}

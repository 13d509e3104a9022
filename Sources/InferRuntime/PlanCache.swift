import Foundation
import InferIR

/// Planned programs by concrete input shapes, least-recently-used first out, each with a pool of
/// idle sessions (arenas). Bounded both ways, so a stream of varying shapes (sequence lengths,
/// batch sizes) cannot grow memory without limit: at most `capacity` plans, each holding at
/// most `maxIdleSessions` idle arenas. Busy sessions are owned by their callers; a plan
/// evicted while in use lives until its last caller checks its session back in.
///
/// Finding the entry for a run's inputs allocates nothing: entries are kept in recency order
/// and compared shape by shape with the feeds (capacity is small, the scan is cheap).
package final class PlanCache: @unchecked Sendable {
    package final class Entry: @unchecked Sendable {
        /// The graph-input shapes this entry was built for, in graph-input order.
        let key: [[Int]]
        /// The `.planned` program for this binding.
        package let plan: Program
        private var idle: [ProgramSession] = []
        private let lock = NSLock()
        private let maxIdle: Int

        init(key: [[Int]], plan: Program, maxIdle: Int) {
            self.key = key
            self.plan = plan
            self.maxIdle = max(0, maxIdle)
            idle.reserveCapacity(self.maxIdle)
        }

        /// An idle session, or a new one when all are busy (so concurrent callers never wait).
        package func checkout() throws -> ProgramSession {
            lock.lock()
            let session = idle.popLast()
            lock.unlock()
            return try session ?? ProgramSession(program: plan)
        }

        /// Returns a session to the pool; beyond `maxIdle` idle sessions it is dropped (freed).
        package func checkin(_ session: ProgramSession) {
            lock.lock()
            if idle.count < maxIdle { idle.append(session) }
            lock.unlock()
        }

        package var idleCount: Int { lock.lock(); defer { lock.unlock() }; return idle.count }
    }

    /// Most recently used last.
    private var entries: [Entry] = []
    private let lock = NSLock()
    package let capacity: Int
    private let maxIdleSessions: Int

    package init(capacity: Int = 8, maxIdleSessions: Int = 4) {
        self.capacity = max(capacity, 1)
        self.maxIdleSessions = maxIdleSessions
        entries.reserveCapacity(self.capacity + 1)
    }

    package var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }
    package var idleSessionCount: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.reduce(0) { $0 + $1.idleCount }
    }

    /// The entry for the shapes of `feeds` (graph inputs in order; absent inputs keyed `[-1]`),
    /// building it (outside the lock) on first use.
    package func entry(for feeds: [String: Tensor], of graph: Graph, build: () throws -> Program) throws -> Entry {
        lock.lock()
        if let i = entries.lastIndex(where: { Self.matches($0.key, feeds, graph) }) {
            let e = entries[i]
            if i != entries.count - 1 {
                entries.remove(at: i)
                entries.append(e)
            }
            lock.unlock()
            return e
        }
        lock.unlock()
        let key = graph.inputs.map { feeds[$0.name]?.shape ?? [-1] }
        let entry = Entry(key: key, plan: try build(), maxIdle: maxIdleSessions)
        lock.lock()
        defer { lock.unlock() }
        if let raced = entries.last(where: { $0.key == key }) { return raced }
        entries.append(entry)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return entry
    }

    private static func matches(_ key: [[Int]], _ feeds: [String: Tensor], _ graph: Graph) -> Bool {
        let inputs = graph.inputs
        guard key.count == inputs.count else { return false }
        for i in 0..<inputs.count {
            if let t = feeds[inputs[i].name] {
                if t.shape != key[i] { return false }
            } else if !(key[i].count == 1 && key[i][0] == -1) {   // no array literal: it would allocate
                return false
            }
        }
        return true
    }
}

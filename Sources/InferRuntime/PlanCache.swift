import Foundation
import InferIR

/// Static plans by concrete input shapes, least-recently-used first out, each with a pool of
/// idle sessions (arenas). Bounded both ways, so a stream of varying shapes (sequence lengths,
/// batch sizes) cannot grow memory without limit.
package final class PlanCache: @unchecked Sendable {
    package final class Entry: @unchecked Sendable {
        /// nil when this binding has data-dependent shapes: run it on the dynamic executor.
        package let plan: StaticPlan?
        private var idle: [PlanSession] = []
        private let lock = NSLock()
        private let maxIdle: Int
        private let threads: Int

        init(plan: StaticPlan?, maxIdle: Int, threads: Int) {
            self.plan = plan
            self.maxIdle = maxIdle
            self.threads = threads
        }

        /// An idle session, or a new one when all are busy.
        package func checkout() throws -> PlanSession? {
            guard let plan else { return nil }
            lock.lock()
            let session = idle.popLast()
            lock.unlock()
            return try session ?? PlanSession(plan: plan, threads: threads)
        }

        package func checkin(_ session: PlanSession) {
            lock.lock()
            if idle.count < maxIdle { idle.append(session) }
            lock.unlock()
        }
    }

    private var entries: [[[Int]]: Entry] = [:]
    private var recency: [[[Int]]] = []
    private let lock = NSLock()
    package let capacity: Int
    private let maxIdleSessions: Int
    private let threads: Int

    package init(capacity: Int = 8, maxIdleSessions: Int = 4, threads: Int) {
        self.capacity = max(capacity, 1)
        self.maxIdleSessions = maxIdleSessions
        self.threads = threads
    }

    package var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }

    /// The entry for `key`, building it (outside the lock) on first use.
    package func entry(for key: [[Int]], build: () throws -> StaticPlan?) throws -> Entry {
        lock.lock()
        if let e = entries[key] {
            if let i = recency.firstIndex(of: key) { recency.remove(at: i) }
            recency.append(key)
            lock.unlock()
            return e
        }
        lock.unlock()
        let entry = Entry(plan: try build(), maxIdle: maxIdleSessions, threads: threads)
        lock.lock()
        defer { lock.unlock() }
        if let raced = entries[key] { return raced }
        entries[key] = entry
        recency.append(key)
        while recency.count > capacity { entries[recency.removeFirst()] = nil }
        return entry
    }
}

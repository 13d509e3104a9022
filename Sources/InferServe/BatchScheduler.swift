import Foundation
import InferRuntime
import InferServeProtocol

/// One model's request queue and the threads that run it (`instances` of them).
///
/// A request waits in a bounded queue (full: refused at once, never a growing backlog). An
/// instance thread takes the oldest request and, when the model batches, waits until
/// requests whose non-batch dims agree with it fill `maxBatch` rows or the batch window since
/// it was queued has passed; it then runs them as one concatenated tensor per input and hands
/// each request its rows of every output. Requests past their deadline are answered
/// `deadlineExceeded` and never run.
///
/// The window is only waited while another request is on its way (announced with
/// `requestArriving` by the HTTP layer as it starts reading a body, until `submit` queues it
/// or `requestWithdrawn` drops it): with nothing arriving, waiting could not grow the batch and
/// would only add latency (one client sending requests one after another).
final class BatchScheduler: @unchecked Sendable {
    private struct Pending {
        let tensors: [String: Tensor]
        let rows: Int
        /// Inputs' dtypes and non-batch dims: only requests with equal keys share a run.
        let key: [String]
        let queuedAt: UInt64
        let deadline: UInt64?
        let continuation: CheckedContinuation<[String: Tensor], any Error>
    }

    private let engine: Engine
    let settings: BatchSettings
    private let condition = NSCondition()
    private var queue: [Pending] = []
    /// Requests announced but not yet queued (see the type's comment).
    private var arriving = 0
    private let metrics: ModelMetrics

    init(engine: Engine, settings: BatchSettings, metrics: ModelMetrics, label: String) {
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        // The threads keep the scheduler alive: a served model lives as long as the process.
        for index in 0..<settings.instances {
            let thread = Thread { self.instanceLoop() }
            thread.name = "swiftc-infer.serve.\(label).\(index)"
            thread.start()
        }
    }

    /// A request for this model is being received: batches wait for it (within the window).
    func requestArriving() {
        condition.lock()
        arriving += 1
        condition.unlock()
    }

    /// An announced request will not be queued (it failed validation).
    func requestWithdrawn() {
        condition.lock()
        arriving -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Queues a validated request and returns its outputs once its batch has run. `announced`:
    /// the request was announced with `requestArriving` and is no longer arriving once queued.
    func submit(_ tensors: [String: Tensor], rows: Int, timeoutMicroseconds: Int?, announced: Bool = false) async throws -> [String: Tensor] {
        let now = Self.now()
        let deadline = timeoutMicroseconds.map { now &+ UInt64(max($0, 0)) &* 1000 }
        let key = tensors.keys.sorted().map { name in
            let t = tensors[name]!
            return "\(name):\(t.dtype):\(t.shape.dropFirst())"
        }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if announced { arriving -= 1 }
            guard queue.count < settings.maxQueue else {
                condition.unlock()
                metrics.refusedQueueFull.increment()
                continuation.resume(throwing: ServeError(.queueFull, "model queue is full (\(settings.maxQueue) requests waiting); retry later"))
                return
            }
            queue.append(Pending(tensors: tensors, rows: rows, key: key, queuedAt: now, deadline: deadline, continuation: continuation))
            metrics.queueDepth.record(queue.count)
            condition.broadcast()
            condition.unlock()
        }
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func instanceLoop() -> Never {
        condition.lock()
        while true {
            while queue.isEmpty { condition.wait() }
            let now = Self.now()
            // Answer requests whose deadline passed while they waited; they are not run.
            var expired: [Pending] = []
            queue.removeAll { pending in
                guard let deadline = pending.deadline, deadline <= now else { return false }
                expired.append(pending)
                return true
            }
            if !expired.isEmpty {
                metrics.queueDepth.record(queue.count)
                condition.unlock()
                metrics.expiredInQueue.increment(by: expired.count)
                for pending in expired {
                    let waited = Double(now - pending.queuedAt) / 1000
                    pending.continuation.resume(throwing: ServeError(.deadlineExceeded, "request timed out after waiting \(Int(waited)) us in the queue; it was not run"))
                }
                condition.lock()
                continue
            }
            let first = queue[0]
            let chosen = batch(startingWith: first)
            let rows = chosen.reduce(0) { $0 + queue[$1].rows }
            let windowEnd = first.queuedAt &+ UInt64(settings.batchWindowMicroseconds) &* 1000
            if settings.maxBatch > 1, rows < settings.maxBatch, now < windowEnd, arriving > 0 {
                let waitFor = min(windowEnd, queue.compactMap(\.deadline).min() ?? windowEnd) - now
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(waitFor) / 1e9))
                continue
            }
            let taken = chosen.map { queue[$0] }
            for index in chosen.reversed() { queue.remove(at: index) }
            metrics.queueDepth.record(queue.count)
            condition.unlock()
            for pending in taken {
                metrics.queueTime.recordNanoseconds(now - pending.queuedAt)
                metrics.queueMicroseconds.increment(by: Int((now - pending.queuedAt) / 1000))
            }
            let results = run(taken)
            let compute = Self.now() - now
            metrics.executionCount.increment()
            metrics.inferenceCount.increment(by: rows)
            metrics.batchRows.record(rows)
            // As Triton counts it: each request of a run is charged the run's compute time.
            metrics.computeMicroseconds.increment(by: Int(compute / 1000) * taken.count)
            for (pending, result) in zip(taken, results) { pending.continuation.resume(with: result) }
            condition.lock()
        }
    }

    /// Queue indices of the requests that run with `first`: same key, up to `maxBatch` rows.
    private func batch(startingWith first: Pending) -> [Int] {
        var chosen = [0]
        var rows = first.rows
        guard settings.maxBatch > 1 else { return chosen }
        for index in queue.indices.dropFirst() where queue[index].key == first.key {
            guard rows + queue[index].rows <= settings.maxBatch else { continue }
            chosen.append(index)
            rows += queue[index].rows
            if rows == settings.maxBatch { break }
        }
        return chosen
    }

    /// Runs the requests as one batch. When a batch of several fails, each runs alone, so
    /// only the request that caused the failure gets the error.
    private func run(_ requests: [Pending]) -> [Result<[String: Tensor], any Error>] {
        if requests.count == 1 { return [runAlone(requests[0].tensors)] }
        do {
            var joined: [String: Tensor] = [:]
            for name in requests[0].tensors.keys {
                joined[name] = try BatchTensors.concatenate(requests.map { $0.tensors[name]! })
            }
            let outputs = try engine.run(joined)
            let rows = requests.map(\.rows)
            var split = [[String: Tensor]](repeating: [:], count: requests.count)
            for (name, tensor) in outputs {
                for (index, part) in try BatchTensors.split(tensor, rows: rows, output: name).enumerated() {
                    split[index][name] = part
                }
            }
            return split.map { .success($0) }
        } catch {
            return requests.map { runAlone($0.tensors) }
        }
    }

    private func runAlone(_ tensors: [String: Tensor]) -> Result<[String: Tensor], any Error> {
        do {
            return .success(try engine.run(tensors))
        } catch {
            return .failure(ServeError(error.kind == .internalError ? .internalError : .badRequest, "inference failed: \(error.message)"))
        }
    }
}

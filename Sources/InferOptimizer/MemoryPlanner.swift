/// Static memory planning as a pure function: buffers with lifetimes in, arena offsets out.
///
/// Each buffer is live from the step that writes it (`firstUse`) to the last step that reads it
/// (`lastUse`), inclusive. Two buffers may share bytes only if their lifetimes do not overlap.
/// Placement is greedy by decreasing size, each buffer at the lowest aligned offset that does
/// not collide with an already placed, simultaneously live buffer (the TFLite / XNNPACK
/// heuristic; near the lower bound on real graphs).
package enum MemoryPlanner {
    package struct Buffer: Sendable, Equatable {
        package var firstUse: Int
        package var lastUse: Int
        package var size: Int

        package init(firstUse: Int, lastUse: Int, size: Int) {
            self.firstUse = firstUse
            self.lastUse = lastUse
            self.size = size
        }
    }

    package struct Plan: Sendable, Equatable {
        /// Byte offset of each buffer in the arena, in input order.
        package let offsets: [Int]
        /// Arena size: the end of the highest placed buffer (aligned).
        package let arenaBytes: Int
        /// Sum of all buffer sizes: the memory needed with no planning.
        package let unplannedBytes: Int
        /// The largest total size of buffers live at one step: no plan can do better.
        package let lowerBoundBytes: Int
    }

    package static func plan(_ buffers: [Buffer], alignment: Int = 64) -> Plan {
        func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
        let order = buffers.indices.sorted {
            buffers[$0].size != buffers[$1].size ? buffers[$0].size > buffers[$1].size : $0 < $1
        }
        var offsets = [Int](repeating: 0, count: buffers.count)
        var placed: [Int] = []  // indices of placed buffers, kept sorted by offset
        var arena = 0
        for i in order {
            let b = buffers[i]
            guard b.size > 0 else { continue }
            var candidate = 0
            for j in placed {
                let other = buffers[j]
                guard other.firstUse <= b.lastUse, b.firstUse <= other.lastUse else { continue }
                let otherStart = offsets[j], otherEnd = offsets[j] + aligned(other.size)
                if candidate + aligned(b.size) <= otherStart { break }  // fits in the gap before `other`
                candidate = max(candidate, otherEnd)
            }
            offsets[i] = candidate
            arena = max(arena, candidate + aligned(b.size))
            let insertAt = placed.firstIndex { offsets[$0] > candidate } ?? placed.count
            placed.insert(i, at: insertAt)
        }
        return Plan(offsets: offsets, arenaBytes: arena, unplannedBytes: buffers.reduce(0) { $0 + aligned($1.size) },
                    lowerBoundBytes: lowerBound(buffers, alignment: alignment))
    }

    /// Peak of simultaneously live bytes over all steps.
    package static func lowerBound(_ buffers: [Buffer], alignment: Int = 64) -> Int {
        func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
        var events: [(step: Int, delta: Int)] = []
        for b in buffers where b.size > 0 {
            events.append((b.firstUse, aligned(b.size)))
            events.append((b.lastUse + 1, -aligned(b.size)))
        }
        events.sort { $0.step != $1.step ? $0.step < $1.step : $0.delta < $1.delta }
        var live = 0, peak = 0
        for e in events { live += e.delta; peak = max(peak, live) }
        return peak
    }
}

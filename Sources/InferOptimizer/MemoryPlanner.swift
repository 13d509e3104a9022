import InferIR

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

    /// Throws when the arena's size overflows (only absurd buffer sizes can do that).
    package static func plan(_ buffers: [Buffer], alignment: Int = 64) throws -> Plan {
        let checked = CheckedDims(label: "memory plan")
        func aligned(_ n: Int) throws -> Int { try checked.add(n, alignment - 1, "a buffer's aligned size") / alignment * alignment }
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
                let otherStart = offsets[j], otherEnd = try checked.add(offsets[j], try aligned(other.size), "a buffer's end")
                if try checked.add(candidate, try aligned(b.size), "a buffer's end") <= otherStart { break }  // fits in the gap before `other`
                candidate = max(candidate, otherEnd)
            }
            offsets[i] = candidate
            arena = max(arena, try checked.add(candidate, try aligned(b.size), "the arena size"))
            let insertAt = placed.firstIndex { offsets[$0] > candidate } ?? placed.count
            placed.insert(i, at: insertAt)
        }
        return Plan(offsets: offsets, arenaBytes: arena,
                    unplannedBytes: try checked.sum(buffers.map { try aligned($0.size) }, "the unplanned bytes"),
                    lowerBoundBytes: try lowerBound(buffers, alignment: alignment))
    }

    /// Peak of simultaneously live bytes over all steps.
    package static func lowerBound(_ buffers: [Buffer], alignment: Int = 64) throws -> Int {
        let checked = CheckedDims(label: "memory plan")
        func aligned(_ n: Int) throws -> Int { try checked.add(n, alignment - 1, "a buffer's aligned size") / alignment * alignment }
        var events: [(step: Int, delta: Int)] = []
        for b in buffers where b.size > 0 {
            events.append((b.firstUse, try aligned(b.size)))
            events.append((b.lastUse + 1, -(try aligned(b.size))))
        }
        events.sort { $0.step != $1.step ? $0.step < $1.step : $0.delta < $1.delta }
        var live = 0, peak = 0
        for e in events { live = try checked.add(live, e.delta, "the live bytes"); peak = max(peak, live) }
        return peak
    }
}

/// TfIdfVectorizer's n-gram matching: a trie of the pool's n-grams, walked from every start
/// position with every skip distance (the ONNX reference's algorithm, so counts agree exactly).
package final class NgramCounter: @unchecked Sendable {
    private var children: [[Int64: Int]] = [[:]]
    /// Per trie node: the output index its n-gram counts into, or -1 (a prefix only, or a length
    /// outside [minLength, maxLength]).
    private var outputIndex: [Int] = [-1]
    private let minLength: Int, maxLength: Int, maxSkip: Int

    /// `ngrams[i]` (a slice of the pool) counts into `outputIndexes[i]`; later duplicates win.
    package init(pool: [Int64], ngrams: [(start: Int, length: Int)], outputIndexes: [Int],
                 minLength: Int, maxLength: Int, maxSkip: Int) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.maxSkip = maxSkip
        for (i, gram) in ngrams.enumerated() where gram.length >= minLength && gram.length <= maxLength {
            var node = 0
            for t in gram.start..<(gram.start + gram.length) {
                if let next = children[node][pool[t]] {
                    node = next
                } else {
                    children.append([:])
                    outputIndex.append(-1)
                    children[node][pool[t]] = children.count - 1
                    node = children.count - 1
                }
            }
            outputIndex[node] = outputIndexes[i]
        }
    }

    /// Adds one row's n-gram counts into `counts` (one slot per output index).
    package func count<T: FixedWidthInteger>(_ row: UnsafePointer<T>, length: Int, into counts: UnsafeMutablePointer<Float>) {
        var startLength = minLength
        // A skip of `length` or more spans past the row from any start, so no n-gram of two or
        // more items fits: stop there (max_skip_count comes from the model and may be Int64.max).
        let lastSkip = maxSkip >= length - 1 ? max(1, length - 1) : maxSkip + 1
        for skip in 1...lastSkip {
            for start in 0..<length {
                if start + skip * (startLength - 1) >= length { break }
                var node = 0, size = 1, item = start
                while size <= maxLength, item < length, let next = children[node][Int64(row[item])] {
                    if size >= startLength, outputIndex[next] >= 0 { counts[outputIndex[next]] += 1 }
                    node = next
                    size += 1
                    item += skip
                }
            }
            // Unigrams count once (skips do not apply to them).
            if startLength == 1 {
                startLength = 2
                if startLength > maxLength { break }
            }
        }
    }
}

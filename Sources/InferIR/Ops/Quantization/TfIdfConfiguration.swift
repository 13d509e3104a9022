/// TfIdfVectorizer's attributes, checked: the n-gram pool (int64 only: string pools are out of
/// scope), its per-length section starts, where each n-gram counts in the output, and the weighting.
package struct TfIdfConfiguration: Sendable {
    package enum Mode: String, Sendable { case tf = "TF", idf = "IDF", tfidf = "TFIDF" }

    package let mode: Mode
    package let minGramLength: Int, maxGramLength: Int, maxSkipCount: Int
    /// The pool's n-grams in pool order (pool-wide id = position + 1), each with its length.
    package let ngrams: [(start: Int, length: Int)]
    package let pool: [Int64]
    package let ngramIndexes: [Int]
    package let weights: [Float]
    package let outputSize: Int

    package init(_ node: Node, _ ctx: ShapeContext) throws {
        guard let m = Mode(rawValue: try node.string("mode")) else {
            throw ctx.error(.invalidModel, "mode must be TF, IDF or TFIDF, got \(try node.string("mode"))")
        }
        mode = m
        minGramLength = try node.int("min_gram_length")
        maxGramLength = try node.int("max_gram_length")
        maxSkipCount = try node.int("max_skip_count")
        guard minGramLength >= 1, maxGramLength >= minGramLength, maxSkipCount >= 0 else {
            throw ctx.error(.invalidModel, "need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0, got \(minGramLength), \(maxGramLength), \(maxSkipCount)")
        }
        if node.hasAttribute("pool_strings"), !(try node.strings("pool_strings")).isEmpty {
            throw ctx.error(.unsupportedFeature, "TfIdfVectorizer with pool_strings is not supported (int pools only)")
        }
        pool = try node.ints("pool_int64s", default: []).map(Int64.init)
        let counts = try node.ints("ngram_counts")
        ngramIndexes = try node.ints("ngram_indexes")
        weights = try node.floats("weights", default: [])
        var grams: [(start: Int, length: Int)] = []
        for (i, start) in counts.enumerated() {
            let end = i + 1 < counts.count ? counts[i + 1] : pool.count
            guard start >= 0, start <= end, end <= pool.count, (end - start) % (i + 1) == 0 else {
                throw ctx.error(.invalidModel, "ngram_counts \(counts) do not split the pool of \(pool.count) into whole \(i + 1)-grams")
            }
            for s in stride(from: start, to: end, by: i + 1) { grams.append((s, i + 1)) }
        }
        ngrams = grams
        guard ngramIndexes.count >= grams.count, ngramIndexes.allSatisfy({ $0 >= 0 }) else {
            throw ctx.error(.invalidModel, "ngram_indexes needs one non-negative index per pool n-gram (\(grams.count)), got \(ngramIndexes.count)")
        }
        outputSize = try ctx.checked.add(ngramIndexes.max() ?? -1, 1, "the output size (largest ngram_indexes + 1)")
        guard weights.isEmpty || weights.count >= outputSize else {
            throw ctx.error(.invalidModel, "weights has \(weights.count) values for \(outputSize) outputs")
        }
    }
}

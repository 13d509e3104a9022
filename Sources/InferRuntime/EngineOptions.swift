extension Engine {
    /// How an `Engine` compiles and runs its model.
    ///
    /// ```swift
    /// var options = Engine.Options(threads: 2, optimization: .full)
    /// options.planCacheCapacity = 32   // many distinct sequence lengths
    /// let engine = try Engine(contentsOf: url, options: options)
    /// ```
    public struct Options: Sendable, Equatable {
        /// Threads each run may use (kernels and OpenBLAS); nil keeps OpenBLAS' current count.
        /// OpenBLAS' thread count is process-wide: the last engine created sets it.
        public var threads: Int?
        /// `.none` (-O0) runs the graph as imported, `.canonicalize` (-O1), `.full` (-O2) also fuses.
        public var optimization: OptimizationLevel
        /// `.fp32` (default) runs the model's own precision; `.bf16` compiles GEMMs with constant
        /// weights to bfloat16 products with fp32 sums, `.int8` to int8 weights times activations
        /// quantized per row on each run (ignored for plans: theirs is compiled in).
        public var precision: Precision
        /// Static plans kept for distinct concrete input shapes (least recently used evicted first).
        /// Each plan holds its idle sessions' arenas, so this bounds memory when shapes vary.
        public var planCacheCapacity: Int
        /// Idle sessions (arenas) kept per plan for reuse. Concurrent callers beyond this get a
        /// fresh session that is dropped when they finish, so peak memory follows peak
        /// concurrency while idle memory stays bounded.
        public var maxIdleSessions: Int
        /// Caps on tensor and arena bytes, node count, nesting, loop iterations and run time,
        /// checked before anything is allocated or iterated (see `ResourceLimits`). Defaults to
        /// the limits in force where the options are made: `ResourceLimits.defaults` unless the
        /// caller bound others (as the CLI does with its `--max-*` flags).
        public var limits: ResourceLimits

        /// `Engine.Options(threads: 4, planCacheCapacity: 16)`: every argument has the default
        /// described on its property.
        public init(threads: Int? = nil, optimization: OptimizationLevel = .full, precision: Precision = .fp32,
                    planCacheCapacity: Int = 8, maxIdleSessions: Int = 4, limits: ResourceLimits = .current) {
            self.threads = threads
            self.optimization = optimization
            self.precision = precision
            self.planCacheCapacity = planCacheCapacity
            self.maxIdleSessions = maxIdleSessions
            self.limits = limits
        }
    }
}

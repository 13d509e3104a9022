import Foundation

/// How much one engine may take: the caps every size, count and loop is checked against before
/// anything is allocated or iterated, so no model, plan, tensor file or request can exhaust the
/// machine. The defaults fit a 24 GiB machine.
///
/// The limits in force are `ResourceLimits.current`, a task-local value: `Engine` binds its
/// `Options.limits` around loading and every run (and the CLI binds its `--max-*` flags around a
/// command), so shape functions, importers and kernels read them without having them passed
/// down. Outside any binding the defaults apply.
///
/// ```swift
/// var options = Engine.Options()
/// options.limits.maxTensorBytes = 16 << 30     // allow 16 GiB tensors
/// options.limits.timeout = 2                   // seconds per run
/// ```
public struct ResourceLimits: Sendable, Equatable {
    /// Largest single tensor (initializer, input, intermediate or output), in bytes.
    public var maxTensorBytes: Int
    /// Largest arena of a static plan (all intermediates of one run), in bytes.
    public var maxArenaBytes: Int
    /// Most nodes in a model, counting the nodes of every subgraph.
    public var maxNodes: Int
    /// Deepest nesting of subgraphs (If/Loop/Scan bodies inside bodies).
    public var maxNesting: Int
    /// Most iterations of one Loop or Scan node in one run.
    public var maxLoopIterations: Int
    /// Seconds one run may take (nil: no deadline); checked between kernels and loop iterations.
    public var timeout: Double?

    /// Limits fitting a 24 GiB machine: 4 GiB per tensor, an 8 GiB arena, 10^6 nodes, nesting 64,
    /// 2^24 loop iterations, no deadline. `ResourceLimits(timeout: 0.5)` changes only the deadline.
    public init(maxTensorBytes: Int = 4 << 30, maxArenaBytes: Int = 8 << 30, maxNodes: Int = 1_000_000,
                maxNesting: Int = 64, maxLoopIterations: Int = 1 << 24, timeout: Double? = nil) {
        self.maxTensorBytes = maxTensorBytes
        self.maxArenaBytes = maxArenaBytes
        self.maxNodes = maxNodes
        self.maxNesting = maxNesting
        self.maxLoopIterations = maxLoopIterations
        self.timeout = timeout
    }

    /// `ResourceLimits()`: the limits in force unless a caller binds others.
    public static let defaults = ResourceLimits()

    /// Nesting deeper than this is refused whatever `maxNesting` says: the parser, importer,
    /// verifier, shape inference and executors each recurse once per level. Measured in a debug
    /// build (DeepNestingTests): 64 levels fit a 2 MiB stack, 128 a 4 MiB one (Linux threads get 8 MiB).
    public static let nestingCeiling = 128

    /// The limits in force for the current engine call (see the type's documentation).
    @TaskLocal public static var current = ResourceLimits.defaults

    /// When the current run must end (uptime nanoseconds), set by `withDeadline`; nil: none.
    @TaskLocal package static var deadline: UInt64? = nil

    /// Runs `body` with these limits in force; binds nothing when they are already current
    /// (binding a task-local allocates, and a steady-state run must not).
    package func bound<R>(_ body: () throws -> R) rethrows -> R {
        self == ResourceLimits.current ? try body() : try ResourceLimits.$current.withValue(self, operation: body)
    }

    /// Runs `body` with a deadline `timeout` seconds from now, when a timeout is set.
    package func withDeadline<R>(_ body: () throws -> R) rethrows -> R {
        guard let timeout, ResourceLimits.deadline == nil else { return try body() }
        let nanoseconds = timeout >= 1e9 ? UInt64.max / 2 : UInt64(max(0, timeout) * 1e9)
        return try ResourceLimits.$deadline.withValue(DispatchTime.now().uptimeNanoseconds &+ nanoseconds, operation: body)
    }

    // MARK: - Checks (each error says what was asked for, the limit, and how to raise it)

    // `at` locates the error (a node, a file); `what` says which tensor, loop or graph.

    /// Throws when a tensor of `bytes` is over `maxTensorBytes`.
    package func checkTensor(bytes: Int, _ what: @autoclosure () -> String, at place: CheckedDims = .unlocated) throws(InferError) {
        guard bytes > maxTensorBytes else { return }
        throw place.error(.resourceLimit, "\(what()) needs \(Self.describeBytes(bytes)), over the \(Self.describeBytes(maxTensorBytes)) tensor limit"
                         + Self.howToRaise("--max-tensor-bytes", "maxTensorBytes"))
    }

    /// Throws when a tensor of `dtype` and `dims` is over the tensor limit or its size overflows.
    package func checkTensor(_ dtype: DType, _ dims: [Int], _ what: @autoclosure () -> String,
                             at place: CheckedDims = .unlocated) throws(InferError) {
        let label = "\(what()) \(dtype)\(dims)"
        try checkTensor(bytes: try place.byteCount(dtype, dims, label), label, at: place)
        // An empty tensor can still have a huge dim, and a kernel looping over it would hang.
        if let huge = dims.first(where: { $0 > maxTensorBytes }) {
            throw place.error(.resourceLimit, "\(label) has a dim of \(huge), more than the \(Self.describeBytes(maxTensorBytes)) tensor limit allows"
                              + Self.howToRaise("--max-tensor-bytes", "maxTensorBytes"))
        }
    }

    package func checkArena(bytes: Int, _ what: @autoclosure () -> String, at place: CheckedDims = .unlocated) throws(InferError) {
        guard bytes > maxArenaBytes else { return }
        throw place.error(.resourceLimit, "\(what()) needs an arena of \(Self.describeBytes(bytes)), over the \(Self.describeBytes(maxArenaBytes)) arena limit"
                         + Self.howToRaise("--max-arena-bytes", "maxArenaBytes"))
    }

    package func checkNodeCount(_ count: Int, _ what: @autoclosure () -> String, at place: CheckedDims = .unlocated) throws(InferError) {
        guard count > maxNodes else { return }
        throw place.error(.resourceLimit, "\(what()) has \(count) nodes or more, over the limit of \(maxNodes)"
                         + Self.howToRaise("--max-nodes", "maxNodes"))
    }

    package func checkNesting(_ depth: Int, _ what: @autoclosure () -> String, at place: CheckedDims = .unlocated) throws(InferError) {
        let limit = min(maxNesting, Self.nestingCeiling)
        guard depth > limit else { return }
        throw place.error(.resourceLimit, "\(what()) nests subgraphs \(depth) levels deep, over the limit of \(limit)"
                         + (maxNesting >= Self.nestingCeiling ? " (the most this build supports)" : Self.howToRaise("--max-nesting", "maxNesting")))
    }

    /// `count`: the iterations asked for (a sequence length), or the number of the one about to start.
    package func checkLoopIterations(_ count: Int, _ what: @autoclosure () -> String, at place: CheckedDims = .unlocated) throws(InferError) {
        guard count > maxLoopIterations else { return }
        throw place.error(.resourceLimit, "\(what()) \(count) iterations, over the limit of \(maxLoopIterations)"
                         + Self.howToRaise("--max-loop-iterations", "maxLoopIterations"))
    }

    /// Throws once the current run's deadline has passed. `at` says where the run was.
    package static func checkDeadline(at place: @autoclosure () -> CheckedDims = .unlocated) throws(InferError) {
        guard let deadline, DispatchTime.now().uptimeNanoseconds > deadline else { return }
        let place = place()
        let limit = current.timeout.map { "\($0) s" } ?? "its"
        throw place.error(.resourceLimit, "the run took longer than the \(limit) time limit"
                         + howToRaise("--timeout", "timeout"))
    }

    private static func howToRaise(_ flag: String, _ field: String) -> String {
        "; raise it with \(flag) or Engine.Options.limits.\(field)"
    }

    /// `5000000000 bytes (4.66 GiB)`.
    package static func describeBytes(_ n: Int) -> String {
        if n >= 1 << 30, n % (1 << 30) == 0 { return "\(n >> 30) GiB" }
        let units: [(Int, String)] = [(1 << 60, "EiB"), (1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        guard let (size, unit) = units.first(where: { n >= $0.0 }) else { return "\(n) bytes" }
        return "\(n) bytes (\(String(format: "%.2f", Double(n) / Double(size))) \(unit))"
    }
}

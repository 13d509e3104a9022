/// A float buffer owned by a prepared kernel (im2col scratch, copies), freed with it. Each
/// session prepares its own kernels, so concurrent runs never share one.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>?
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = count > 0 ? .allocate(capacity: count) : nil
        pointer?.initialize(repeating: 0, count: count)
    }

    deinit { pointer?.deallocate() }
}

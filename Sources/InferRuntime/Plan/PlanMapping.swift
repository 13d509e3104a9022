import Foundation
import InferIR

/// A plan file mapped read-only (`mmap`, `MAP_PRIVATE`). Weight tensors borrow its bytes and
/// keep it alive; the last one released unmaps the file.
package final class PlanMapping: @unchecked Sendable {
    package let base: UnsafeRawPointer
    package let byteCount: Int

    package init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InferError(.io, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InferError(.io, "\(path): cannot stat: \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw InferError(.io, "\(path): not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw InferError(.invalidPlan, "\(path): not a swiftc-infer plan (the file is empty)") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw InferError(.io, "\(path): cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
        byteCount = size
    }

    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: byteCount) }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), byteCount) }
}

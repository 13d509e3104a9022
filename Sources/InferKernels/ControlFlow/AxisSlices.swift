import Foundation

/// Byte copies between a tensor viewed as [outer, axisLength, inner] and one slice of it along
/// the middle axis ([outer, inner]): what Scan needs to feed one step of a scan input to its body
/// and to place one step's output into the stacked scan output. `innerBytes` is the byte size of
/// the contiguous block after the axis.
package enum AxisSlices {
    /// dst[o, :] = src[o, index, :]
    package static func extract(from src: UnsafeRawPointer, into dst: UnsafeMutableRawPointer,
                                outer: Int, axisLength: Int, innerBytes: Int, index: Int) {
        guard innerBytes > 0 else { return }
        for o in 0..<outer {
            memcpy(dst + o * innerBytes, src + (o * axisLength + index) * innerBytes, innerBytes)
        }
    }

    /// dst[o, index, :] = src[o, :]
    package static func insert(from src: UnsafeRawPointer, into dst: UnsafeMutableRawPointer,
                               outer: Int, axisLength: Int, innerBytes: Int, index: Int) {
        guard innerBytes > 0 else { return }
        for o in 0..<outer {
            memcpy(dst + (o * axisLength + index) * innerBytes, src + o * innerBytes, innerBytes)
        }
    }
}

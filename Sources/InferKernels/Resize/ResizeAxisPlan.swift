import Foundation

/// How Resize interpolates: which neighbours and weights make one output element.
package enum ResizeInterpolation: Sendable, Equatable {
    case nearest(NearestRounding)
    case linear
    /// Keys' cubic convolution with coefficient `a` (-0.75 in ONNX, -0.5 in TensorFlow).
    case cubic(a: Double)
}

/// How `nearest` picks a neighbour when the source coordinate falls between two.
package enum NearestRounding: Sendable, Equatable {
    case roundPreferFloor, roundPreferCeil, floor, ceil
}

/// How an output coordinate maps back onto the input axis (ONNX `coordinate_transformation_mode`).
package enum CoordinateTransform: Sendable, Equatable {
    case halfPixel, halfPixelSymmetric, pytorchHalfPixel, alignCorners, asymmetric, tfHalfPixelForNN
    /// Samples the region `roi` (fractions of the axis); outside the input gives the extrapolation value.
    case tfCropAndResize(start: Double, end: Double)
}

/// The neighbours and weights of every output position along one axis, computed once per shape,
/// following the ONNX reference implementation (onnx/reference/ops/op_resize.py) exactly.
package struct ResizeAxisPlan: Sendable {
    package let inputSize: Int
    package let outputSize: Int
    /// Neighbours per output position.
    package let taps: Int
    /// `outputSize * taps` input indices, clamped into the axis.
    package let indices: [Int]
    /// `outputSize * taps` weights.
    package let weights: [Double]
    /// Output positions that take the extrapolation value (tf_crop_and_resize outside the input).
    package let extrapolated: [Bool]

    package init(inputSize: Int, outputSize: Int, scale: Double, interpolation: ResizeInterpolation,
                 transform: CoordinateTransform, antialias: Bool, excludeOutside: Bool) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let outputWidth = scale * Double(inputSize)
        var indices: [Int] = [], weights: [Double] = [], extrapolated: [Bool] = []
        var taps = 1
        for y in 0..<outputSize {
            let (x, outside) = Self.sourceCoordinate(Double(y), transform: transform, scale: scale, inputSize: inputSize,
                                                     outputWidth: outputWidth, outputSize: outputSize)
            extrapolated.append(outside)
            let floorX = x.rounded(.down)
            let ratio = x == floorX ? 1.0 : x - floorX
            var coefficients = Self.coefficients(ratio, scale: scale, interpolation: interpolation, antialias: antialias)
            let n = coefficients.count
            let frac = x - floorX
            let offset = n % 2 == 0 ? (frac == 0 ? -(n / 2) : -(n / 2) + 1) : (frac <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1)
            let start = Int(floorX) + offset
            if excludeOutside {
                for k in 0..<n where start + k < 0 || start + k >= inputSize { coefficients[k] = 0 }
                let sum = coefficients.reduce(0, +)
                if sum != 0 { coefficients = coefficients.map { $0 / sum } }
            }
            var positions = (0..<n).map { min(max(start + $0, 0), inputSize - 1) }
            if case .nearest = interpolation, let chosen = coefficients.firstIndex(of: 1) {
                // One tap: the 0-weighted neighbour must not turn an infinity into NaN.
                positions = [positions[chosen]]
                coefficients = [1]
            }
            taps = coefficients.count
            indices += positions
            weights += coefficients
        }
        self.taps = taps
        self.indices = indices
        self.weights = weights
        self.extrapolated = extrapolated
    }

    /// The input coordinate of output position `y`, and whether it lies outside a cropped region.
    static func sourceCoordinate(_ y: Double, transform: CoordinateTransform, scale: Double, inputSize: Int,
                                 outputWidth: Double, outputSize: Int) -> (Double, Bool) {
        let n = Double(inputSize)
        switch transform {
        case .alignCorners: return (outputWidth == 1 ? 0 : y * (n - 1) / (outputWidth - 1), false)
        case .asymmetric: return (y / scale, false)
        case .tfHalfPixelForNN: return ((y + 0.5) / scale, false)
        case .pytorchHalfPixel: return (outputWidth == 1 ? -0.5 : (y + 0.5) / scale - 0.5, false)
        case .halfPixel: return ((y + 0.5) / scale - 0.5, false)
        case .halfPixelSymmetric:
            let adjustment = Double(outputSize) / outputWidth
            return (n / 2 * (1 - adjustment) + (y + 0.5) / scale - 0.5, false)
        case .tfCropAndResize(let start, let end):
            var x = outputWidth == 1 ? (end - start) * (n - 1) / 2 : y * (end - start) * (n - 1) / (outputWidth - 1)
            x += start * (n - 1)
            return (x, x < 0 || x > n - 1)
        }
    }

    static func coefficients(_ ratio: Double, scale: Double, interpolation: ResizeInterpolation, antialias: Bool) -> [Double] {
        switch interpolation {
        case .nearest(let rounding):
            if ratio == ratio.rounded() { return [0, 1] }
            let upper: Bool = switch rounding {
            case .roundPreferFloor: ratio > 0.5
            case .roundPreferCeil: ratio >= 0.5
            case .floor: false
            case .ceil: true
            }
            return upper ? [0, 1] : [1, 0]
        case .linear:
            guard antialias else { return [1 - ratio, ratio] }
            let s = min(scale, 1)
            let start = Int((-1 / s).rounded(.down)) + 1
            let raw = (start..<(2 - start)).map { Swift.max(0, Swift.min(1, 1 - abs((Double($0) - ratio) * s))) }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        case .cubic(let a):
            func kernel(_ t: Double) -> Double {
                let x = abs(t)
                if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
                if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
                return 0
            }
            guard antialias else {
                return [kernel(ratio + 1), kernel(ratio), kernel(1 - ratio), kernel(2 - ratio)]
            }
            let s = min(scale, 1)
            let start = Int((-2 / s).rounded(.down)) + 1
            let raw = (start..<(2 - start)).map { kernel(s * (Double($0) - ratio)) }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
    }
}

/// Separable Resize: one axis at a time over `[outer, inputSize, inner]` Double buffers.
package enum ResizeKernel {
    package static func resizeAxis(_ src: UnsafePointer<Double>, outer: Int, inner: Int, plan: ResizeAxisPlan,
                                   extrapolationValue: Double, into dst: UnsafeMutablePointer<Double>) {
        let n = plan.inputSize, m = plan.outputSize, taps = plan.taps
        plan.indices.withUnsafeBufferPointer { indices in
            plan.weights.withUnsafeBufferPointer { weights in
                for o in 0..<outer {
                    for j in 0..<m {
                        let row = dst + (o * m + j) * inner
                        if plan.extrapolated[j] {
                            row.update(repeating: extrapolationValue, count: inner)
                            continue
                        }
                        let first = src + (o * n + indices[j * taps]) * inner, w0 = weights[j * taps]
                        for i in 0..<inner { row[i] = w0 * first[i] }
                        for t in 1..<max(taps, 1) {
                            let from = src + (o * n + indices[j * taps + t]) * inner, w = weights[j * taps + t]
                            for i in 0..<inner { row[i] += w * from[i] }
                        }
                    }
                }
            }
        }
    }
}

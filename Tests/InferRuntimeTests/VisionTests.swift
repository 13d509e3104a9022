import Foundation
import Testing
@testable import InferIR
import InferIR
@testable import InferRuntime

// GridSample, AffineGrid, RoiAlign, DeformConv end to end. Expected arrays marked "onnx.reference"
// were computed offline with onnx 1.23's ReferenceEvaluator on the inputs built here.

fileprivate func runNode(_ op: String, opset: Int, _ inputs: [Tensor?], _ attributes: [String: Attribute] = [:]) throws -> Tensor {
    let node = Node(name: "n", opType: op, inputs: inputs.indices.map { "in\($0)" }, outputs: ["out"], attributes: attributes)
    let schema = try #require(OperatorRegistry.schema(for: node))
    let context = ShapeContext(node: node, opset: opset, inputTypes: inputs.map { $0?.type }, inputValues: inputs)
    let outs = try schema.inferTypes(context).map { try Tensor.zeros($0.dtype, shape: #require($0.staticDims)) }
    try #require(LoweringTable.binding(for: node)).run(KernelContext(node: node, opset: opset, inputs: inputs, outputs: outs))
    return outs[0]
}

fileprivate func close(_ a: [Double], _ b: [Double], rtol: Double = 1e-4, atol: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in abs(x - y) <= atol + rtol * abs(y) }
}

@Suite struct VisionTests {
    static let gridX = Tensor(shape: [1, 1, 3, 4], exactly: (0..<12).map { Float($0) })
    static let grid = Tensor(shape: [1, 2, 3, 2], exactly: [-1.2, -0.9, 0.3, 0.55, 1.1, 0.2, 0.0, 0.0, -0.6, 1.3, 0.9, -1.0] as [Float])

    /// (mode, padding, align_corners, expected) — expected from onnx.reference (GridSample opset 20).
    static let gridCases: [(String, String, Bool, [Double])] = [
        ("linear", "zeros", false, [0.0, 9.4, 2.4600014686584473, 5.5, 0.41500160098075867, 1.05]),
        ("linear", "zeros", true, [0.28, 8.15, 6.630001068115234, 5.5, 6.020000457763672, 2.85]),
        ("linear", "border", false, [0.0, 9.4, 8.2, 5.5, 8.3, 3.0]),
        ("linear", "reflection", true, [0.7, 8.15, 7.65, 5.5, 7.4, 2.85]),
        ("cubic", "zeros", false, [-0.04087977856397629, 10.595766067504883, 2.581900119781494, 5.5, 0.36619558930397034, 0.8662501573562622]),
        ("cubic", "border", true, [0.30100131034851074, 8.487496376037598, 8.088004112243652, 5.5, 8.503996849060059, 2.886655807495117]),
        ("cubic", "reflection", false, [-0.7499988675117493, 9.612388610839844, 8.714495658874512, 5.5, 8.374252319335938, 2.4075000286102295]),
        ("nearest", "zeros", false, [0.0, 10.0, 0.0, 6.0, 0.0, 3.0]),
        ("nearest", "reflection", true, [0.0, 10.0, 7.0, 6.0, 9.0, 3.0]),
    ]

    @Test func gridSampleMatchesReference() throws {
        for (mode, padding, align, expected) in Self.gridCases {
            let y = try runNode("GridSample", opset: 20, [Self.gridX, Self.grid],
                                ["mode": .string(mode), "padding_mode": .string(padding), "align_corners": .int(align ? 1 : 0)])
            #expect(y.shape == [1, 1, 2, 3] && close(y.doubleValues(), expected), "\(mode) \(padding) \(align)")
            // Opset 16 spells the modes bilinear/bicubic; same numbers.
            let old = mode == "linear" ? "bilinear" : (mode == "cubic" ? "bicubic" : mode)
            let y16 = try runNode("GridSample", opset: 16, [Self.gridX, Self.grid],
                                  ["mode": .string(old), "padding_mode": .string(padding), "align_corners": .int(align ? 1 : 0)])
            #expect(close(y16.doubleValues(), expected), "opset 16 \(old)")
        }
    }

    @Test func gridSampleIdentityGridReproducesInput() throws {
        // AffineGrid with the identity theta and align_corners samples exactly the pixels (3-D here).
        let theta = try Tensor(shape: [1, 3, 4], scalars: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] as [Double])
        let size = try Tensor(shape: [5], scalars: [1, 2, 2, 3, 4] as [Int64])
        let grid = try runNode("AffineGrid", opset: 20, [theta, size], ["align_corners": .int(1)])
        #expect(grid.shape == [1, 2, 3, 4, 3])
        let x = try Tensor(shape: [1, 2, 2, 3, 4], scalars: (0..<48).map { Double($0) * 0.5 - 3 })
        for mode in ["linear", "cubic", "nearest"] {
            let y = try runNode("GridSample", opset: 22, [x, grid], ["mode": .string(mode), "align_corners": .int(1)])
            #expect(y.shape == x.shape && close(y.doubleValues(), x.doubleValues()), "\(mode)")
        }
        // Integer X goes through Double and rounds back.
        let xi = try Tensor(shape: [1, 2, 2, 3, 4], scalars: (0..<48).map { Int32($0) })
        let yi = try runNode("GridSample", opset: 22, [xi, Tensor(shape: grid.shape, scalars: try grid.scalars(as: Double.self).map { Float($0) })],
                             ["mode": .string("nearest"), "align_corners": .int(1)])
        #expect(yi.intValues() == xi.intValues())
    }

    @Test func gridSampleRejectsBadInput() throws {
        #expect(throws: InferError.self) { try runNode("GridSample", opset: 20, [Self.gridX, Self.grid], ["mode": .string("bilinear")]) }
        #expect(throws: InferError.self) { try runNode("GridSample", opset: 16, [Self.gridX, Self.grid], ["mode": .string("linear")]) }
        #expect(throws: InferError.self) { try runNode("GridSample", opset: 20, [Self.gridX, Self.grid], ["padding_mode": .string("wrap")]) }
        let badGrid = try Tensor(shape: [1, 2, 3, 3], scalars: [Float](repeating: 0, count: 18))
        #expect(throws: InferError.self) { try runNode("GridSample", opset: 20, [Self.gridX, badGrid]) }
    }

    @Test func affineGridMatchesReference() throws {
        let theta = try Tensor(shape: [1, 2, 3], scalars: [0.9, -0.2, 0.1, 0.3, 1.1, -0.4] as [Float])
        let y = try runNode("AffineGrid", opset: 20, [theta, Tensor(shape: [4], scalars: [1, 1, 2, 3] as [Int64])])
        // onnx.reference
        let expected = [-0.4, -1.15, 0.2, -0.95, 0.8, -0.75, -0.6, -0.05, 0.0, 0.15, 0.6, 0.35]
        #expect(y.shape == [1, 2, 3, 2] && close(y.doubleValues(), expected))
        #expect(throws: InferError.self) {
            try runNode("AffineGrid", opset: 20, [theta, Tensor(shape: [5], scalars: [1, 1, 2, 3, 4] as [Int64])])
        }
    }

    /// (mode, half_pixel, sampling_ratio, expected) — onnx.reference, RoiAlign opset 16,
    /// X = arange(25)/3 as [1,1,5,5], rois [[0.5,0.2,3.7,4.1],[1,1,2,3]], output 2x3.
    static let roiCases: [(String, Bool, Int, [Double])] = [
        ("avg", true, 0, [1.302777647972107, 1.6583331823349, 2.0138888359069824, 4.552777290344238, 4.908332824707031, 5.263888359069824, 1.8888888359069824, 2.0, 2.1111111640930176, 3.555555820465088, 3.6666667461395264, 3.777777910232544]),
        ("avg", false, 2, [2.3027777671813965, 2.6583333015441895, 3.0138888359069824, 5.552777290344238, 5.908332824707031, 6.263888359069824, 2.8888890743255615, 3.000000238418579, 3.1111111640930176, 4.555555820465088, 4.666666507720947, 4.777777671813965]),
        ("max", true, 2, [1.3400002717971802, 1.6936115026474, 2.084444999694824, 3.786668300628662, 4.358613014221191, 4.970002174377441, 1.125, 1.375, 1.124999761581421, 2.0625, 2.5208334922790527, 2.062499523162842]),
        ("max", false, 0, [1.862361192703247, 2.2083334922790527, 2.5837502479553223, 3.287081718444824, 3.743054151535034, 4.226248264312744, 1.527777910232544, 1.0, 1.6666667461395264, 2.222222328186035, 1.4166666269302368, 2.3611111640930176]),
    ]

    @Test func roiAlignMatchesReference() throws {
        let x = try Tensor(shape: [1, 1, 5, 5], scalars: (0..<25).map { Float($0) / 3 })
        let rois = try Tensor(shape: [2, 4], scalars: [0.5, 0.2, 3.7, 4.1, 1, 1, 2, 3] as [Float])
        let indices = try Tensor(shape: [2], scalars: [0, 0] as [Int64])
        for (mode, half, ratio, expected) in Self.roiCases {
            let y = try runNode("RoiAlign", opset: 16, [x, rois, indices], [
                "mode": .string(mode), "coordinate_transformation_mode": .string(half ? "half_pixel" : "output_half_pixel"),
                "output_height": .int(2), "output_width": .int(3), "sampling_ratio": .int(ratio)])
            #expect(y.shape == [2, 1, 2, 3] && close(y.doubleValues(), expected), "\(mode) \(half) \(ratio)")
        }
        // Opset 10 has no coordinate_transformation_mode: output_half_pixel.
        let y10 = try runNode("RoiAlign", opset: 10, [x, rois, indices],
                              ["output_height": .int(2), "output_width": .int(3), "sampling_ratio": .int(2)])
        #expect(close(y10.doubleValues(), Self.roiCases[1].3))
        let badIndices = try Tensor(shape: [2], scalars: [0, 3] as [Int64])
        #expect(throws: InferError.self) { try runNode("RoiAlign", opset: 16, [x, rois, badIndices]) }
    }

    @Test func deformConvMatchesReference() throws {
        let x = try Tensor(shape: [1, 2, 3, 3], scalars: (0..<18).map { Float($0 % 7) * 0.5 - 1 })
        let w = try Tensor(shape: [2, 1, 2, 2], scalars: [1, -0.5, 0.25, 2, -1, 0.5, 1.5, 0.75] as [Float])
        let offset = try Tensor(shape: [1, 16, 2, 2], scalars: (0..<64).map { Float(($0 * 37) % 23) / 10 - 1.1 })
        let mask = try Tensor(shape: [1, 8, 2, 2], scalars: (0..<32).map { Float(($0 * 13) % 11) / 10 })
        let bias = try Tensor(shape: [2], scalars: [0.5, -0.25] as [Float])
        let y = try runNode("DeformConv", opset: 19, [x, w, offset, bias, mask],
                            ["group": .int(2), "offset_group": .int(2), "kernel_shape": .ints([2, 2])])
        // onnx.reference
        let expected = [0.6725000143051147, 0.8355000019073486, 0.5550000071525574, 0.7670000791549683,
                        -0.011874988675117493, -0.0957498550415039, -0.0024999529123306274, 2.558000087738037]
        #expect(y.shape == [1, 2, 2, 2] && close(y.doubleValues(), expected))
        // Zero offsets and no mask: plain Conv.
        let zero = try Tensor(shape: [1, 8, 2, 2], scalars: [Float](repeating: 0, count: 32))
        let w1 = try Tensor(shape: [1, 2, 2, 2], scalars: [1, -0.5, 0.25, 2, -1, 0.5, 1.5, 0.75] as [Float])
        let d = try runNode("DeformConv", opset: 22, [x, w1, zero])
        let c = try runNode("Conv", opset: 11, [x, w1])
        #expect(close(d.doubleValues(), c.doubleValues()))
        #expect(throws: InferError.self) { try runNode("DeformConv", opset: 19, [x, w1, offset]) }
    }
}

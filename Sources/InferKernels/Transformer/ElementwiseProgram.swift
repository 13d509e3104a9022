import Foundation

/// A chain of elementwise float ops as a small postfix program, evaluated in one pass over the
/// output: 16 elements at a time on a stack of SIMD16 registers, so intermediates never touch memory.
///
/// Tokens: `in:K` pushes input K (broadcast to the output), `c:K` pushes constant K, an op name
/// pops its operands and pushes the result (unary: `Neg Abs Relu Sigmoid Tanh Exp Log Square
/// Sqrt Reciprocal Erf Gelu GeluTanh`; binary `a op b`: `Add Sub Mul Div Pow`).
package struct ElementwiseProgram: Sendable, Equatable {
    package typealias Vector = SIMD16<Float>

    package enum Unary: String, Sendable, CaseIterable {
        case neg = "Neg", abs = "Abs", relu = "Relu", sigmoid = "Sigmoid", tanh = "Tanh", exp = "Exp", log = "Log"
        case square = "Square", sqrt = "Sqrt", reciprocal = "Reciprocal", erf = "Erf", gelu = "Gelu", geluTanh = "GeluTanh"
    }

    package enum Binary: String, Sendable, CaseIterable {
        case add = "Add", sub = "Sub", mul = "Mul", div = "Div", pow = "Pow"
    }

    package enum Instruction: Sendable, Equatable {
        case input(Int)
        case constant(Float)
        case unary(Unary)
        case binary(Binary)
    }

    package struct ParseError: Error, Sendable {
        package let message: String
    }

    package let instructions: [Instruction]
    /// Registers the evaluation needs (the deepest stack).
    package let depth: Int
    package let inputCount: Int

    package static let maximumDepth = 16

    /// Parses and validates `tokens`: every input index below `inputCount`, no stack underflow,
    /// exactly one value left, depth at most `maximumDepth`.
    package init(tokens: [String], constants: [Float], inputCount: Int) throws(ParseError) {
        var code: [Instruction] = []
        var height = 0, deepest = 0
        for token in tokens {
            let instruction: Instruction
            if token.hasPrefix("in:"), let k = Int(token.dropFirst(3)), k >= 0, k < inputCount {
                instruction = .input(k)
            } else if token.hasPrefix("c:"), let k = Int(token.dropFirst(2)), k >= 0, k < constants.count {
                instruction = .constant(constants[k])
            } else if let op = Unary(rawValue: token) {
                instruction = .unary(op)
            } else if let op = Binary(rawValue: token) {
                instruction = .binary(op)
            } else {
                throw ParseError(message: "program token \"\(token)\" is not an input, constant or known op")
            }
            switch instruction {
            case .input, .constant: height += 1
            case .unary: guard height >= 1 else { throw ParseError(message: "\(token) has no operand") }
            case .binary:
                guard height >= 2 else { throw ParseError(message: "\(token) needs two operands") }
                height -= 1
            }
            deepest = max(deepest, height)
            code.append(instruction)
        }
        guard height == 1 else { throw ParseError(message: "program leaves \(height) values, expected 1") }
        guard deepest <= Self.maximumDepth else { throw ParseError(message: "program needs \(deepest) registers (max \(Self.maximumDepth))") }
        instructions = code
        depth = deepest
        self.inputCount = inputCount
    }

    /// `output[i] = program(inputs broadcast at i)` over the loop's output; `inputs[k]` is operand k of `loop`.
    package func run(inputs: UnsafePointer<UnsafePointer<Float>>, output: UnsafeMutablePointer<Float>,
                     loop: BroadcastLoop, threads: Int) {
        let operands = loop.operandCount
        instructions.withUnsafeBufferPointer { code in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(operands, 1)) { strides in
                for k in 0..<operands { strides[k] = loop.innerStride(k) }
                let innerStrides = UnsafePointer(strides.baseAddress!)
                loop.forEachRun(threads: threads) { offsets, outputOffset, length in
                    withUnsafeTemporaryAllocation(of: Vector.self, capacity: max(depth, 1)) { registers in
                        let stack = registers.baseAddress!
                        var i = 0
                        while i < length {
                            let n = min(16, length - i)
                            Self.evaluate(code, stack, inputs, offsets, innerStrides, i, n)
                            let result = stack[0], out = output + outputOffset + i
                            if n == 16 {
                                UnsafeMutableRawPointer(out).storeBytes(of: result, as: Vector.self)
                            } else {
                                for l in 0..<n { out[l] = result[l] }
                            }
                            i += 16
                        }
                    }
                }
            }
        }
    }

    /// Runs the program on `n` (<= 16) elements starting at element `i` of the current run; the
    /// result is left in `stack[0]`.
    @inline(__always)
    private static func evaluate(_ code: UnsafeBufferPointer<Instruction>, _ stack: UnsafeMutablePointer<Vector>,
                                 _ inputs: UnsafePointer<UnsafePointer<Float>>, _ offsets: UnsafePointer<Int>,
                                 _ strides: UnsafePointer<Int>, _ i: Int, _ n: Int) {
        var top = -1
        for instruction in code {
            switch instruction {
            case .input(let k):
                let s = strides[k], p = inputs[k] + offsets[k] + i * s
                top += 1
                if s == 0 {
                    stack[top] = Vector(repeating: p[0])
                } else if s == 1 && n == 16 {
                    stack[top] = UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
                } else {
                    var v = Vector()
                    for l in 0..<n { v[l] = p[l * s] }
                    stack[top] = v
                }
            case .constant(let c):
                top += 1
                stack[top] = Vector(repeating: c)
            case .unary(let op):
                stack[top] = apply(op, stack[top])
            case .binary(let op):
                stack[top - 1] = apply(op, stack[top - 1], stack[top])
                top -= 1
            }
        }
    }

    @inline(__always)
    static func apply(_ op: Unary, _ x: Vector) -> Vector {
        switch op {
        case .neg: return -x
        case .abs: return x.replacing(with: -x, where: x .< 0)
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .sigmoid: return VectorMath.sigmoid(x)
        case .exp: return VectorMath.exp(x)
        case .square: return x * x
        case .sqrt: return x.squareRoot()
        case .reciprocal: return 1 / x
        case .tanh: return VectorMath.tanh(x)
        case .log: return VectorMath.log(x)
        case .erf: return VectorMath.erf(x)
        case .gelu: return GeluKernel.gelu(x)
        case .geluTanh: return GeluKernel.geluTanh(x)
        }
    }

    @inline(__always)
    static func apply(_ op: Binary, _ a: Vector, _ b: Vector) -> Vector {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow:
            var r = Vector()
            for l in 0..<16 { r[l] = Foundation.powf(a[l], b[l]) }
            return r
        }
    }
}

import InferRuntime

/// Tensor elements to and from the JSON `data` arrays of the protocol: numbers for numeric
/// datatypes, `true`/`false` for BOOL, each checked to fit its datatype (an INT8 input of
/// 300 or an FP32 of 1e39 is refused, not wrapped or turned into infinity).
package enum JSONTensorData {
    package static func encode(_ scalars: [JSONValue], as dtype: DType, input: String) throws(ServeError) -> [UInt8] {
        func number(_ value: JSONValue, _ index: Int) throws(ServeError) -> Double {
            guard let number = value.double else {
                throw ServeError(.badRequest, "input '\(input)': data[\(index)] is \(value.kind), not a number")
            }
            return number
        }
        func integer<T: FixedWidthInteger>(_ value: JSONValue, _ index: Int, _: T.Type) throws(ServeError) -> T {
            guard let whole = value.exactInteger, let exact = T(exactly: whole) else {
                if value.double == nil { throw ServeError(.badRequest, "input '\(input)': data[\(index)] is \(value.kind), not a number") }
                throw ServeError(.badRequest, "input '\(input)': data[\(index)] = \(value) is not a \(TensorDatatype.name(of: dtype)) value")
            }
            return exact
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * dtype.byteSize)
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        for (index, value) in scalars.enumerated() {
            switch dtype {
            case .float32:
                let d = try number(value, index)
                guard abs(d) <= Double(Float.greatestFiniteMagnitude) else {
                    throw ServeError(.badRequest, "input '\(input)': data[\(index)] = \(d) is out of FP32 range")
                }
                append(Float(d))
            case .float64: append(try number(value, index))
            case .int64: append(try integer(value, index, Int64.self))
            case .int32: append(try integer(value, index, Int32.self))
            case .int8: append(try integer(value, index, Int8.self))
            case .uint8: append(try integer(value, index, UInt8.self))
            case .bool:
                guard case .bool(let flag) = value else {
                    throw ServeError(.badRequest, "input '\(input)': data[\(index)] must be true or false for BOOL")
                }
                bytes.append(flag ? 1 : 0)
            }
        }
        return bytes
    }

    /// The JSON array text of a tensor's elements, flat in row-major order. Floats print as
    /// the shortest text that reads back to the same value. NaN and infinity have no JSON
    /// form: such an output must be asked for as binary data.
    package static func text(of tensor: Tensor, output: String) throws(ServeError) -> String {
        var text = "["
        text.reserveCapacity(tensor.count * 8 + 2)
        func appendAll<T: TensorScalar>(_: T.Type, _ format: (T) throws(ServeError) -> String) throws(ServeError) {
            let values: [T]
            do { values = try tensor.scalars(as: T.self) } catch { throw ServeError(.internalError, error.message) }
            for (index, value) in values.enumerated() {
                if index > 0 { text.append(",") }
                text.append(try format(value))
            }
        }
        func finite<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) throws(ServeError) -> String {
            guard value.isFinite else {
                throw ServeError(.badRequest, "output '\(output)' holds \(value), which JSON cannot carry; request it with \"binary_data\": true")
            }
            return String(value)
        }
        switch tensor.dtype {
        case .float32: try appendAll(Float.self, finite)
        case .float64: try appendAll(Double.self, finite)
        case .int64: try appendAll(Int64.self) { String($0) }
        case .int32: try appendAll(Int32.self) { String($0) }
        case .int8: try appendAll(Int8.self) { String($0) }
        case .uint8: try appendAll(UInt8.self) { String($0) }
        case .bool: try appendAll(Bool.self) { $0 ? "true" : "false" }
        }
        text.append("]")
        return text
    }
}

import InferRuntime
import InferServeProtocol

/// A KServe v2 inference response: the JSON header, and after it the raw bytes of the
/// outputs asked for as binary data (`binary_data_size` in each one's parameters), whose
/// total header length the `Inference-Header-Content-Length` response header gives.
struct InferenceResponse {
    var json: String
    var binary: [UInt8]

    /// How many outputs are sent as binary data after the JSON (the body is then not JSON).
    private(set) var binaryOutputCount = 0

    init(model: ServedModel, request: InferenceRequest, outputs: [String: Tensor]) throws(ServeError) {
        let wanted = request.outputs ?? model.outputs.map { InferenceRequest.RequestedOutput(name: $0.name, binary: request.binaryOutputs) }
        var entries: [String] = []
        binary = []
        for output in wanted {
            guard let tensor = outputs[output.name] else {
                throw ServeError(.internalError, "the engine returned no output '\(output.name)'")
            }
            var entry = "{\"name\":\(JSONText.string(output.name)),\"datatype\":\"\(TensorDatatype.name(of: tensor.dtype))\","
            entry += "\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))]"
            if output.binary {
                entry += ",\"parameters\":{\"binary_data_size\":\(tensor.byteCount)}}"
                binary.append(contentsOf: tensor.bytes)
                binaryOutputCount += 1
            } else {
                entry += ",\"data\":\(try JSONTensorData.text(of: tensor, output: output.name))}"
            }
            entries.append(entry)
        }
        var json = "{\"model_name\":\(JSONText.string(model.name)),\"model_version\":\(JSONText.string(model.version))"
        if let id = request.id { json += ",\"id\":\(JSONText.string(id))" }
        json += ",\"outputs\":[\(entries.joined(separator: ","))]}"
        self.json = json
    }
}

/// JSON text for the few values the server writes by hand.
enum JSONText {
    /// A quoted JSON string with `"`, `\` and control characters escaped.
    static func string(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    static func error(_ message: String) -> String { "{\"error\":\(string(message))}" }
}

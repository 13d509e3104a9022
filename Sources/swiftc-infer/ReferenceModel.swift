import Foundation
import InferRuntime

/// The fp32 model `bench` and `check` compare a run with: `--reference MODEL` when given; else,
/// for a model file compiled here at reduced precision, the file itself; else, for a
/// reduced-precision plan, the file it records it was compiled from, when that is still there
/// unchanged. `note` says why a comparison is not what it seems (or was skipped).
enum ReferenceModel {
    static func resolve(explicit: String?, model: URL, engine: Engine, precision: Precision) -> (url: URL?, note: String?) {
        let provenance = engine.planHeader?.provenance
        if let explicit {
            let url = URL(fileURLWithPath: explicit)
            if let provenance, !provenance.matches(url) {
                return (url, "note: \(explicit) is not the file this plan was compiled from (\(provenance.sourcePath))")
            }
            return (url, nil)
        }
        if precision != .fp32, engine.planHeader == nil { return (model, nil) }
        guard let provenance, provenance.precision != Precision.fp32.rawValue else { return (nil, nil) }
        let recorded = URL(fileURLWithPath: provenance.sourcePath)
        guard provenance.matches(recorded) else {
            return (nil, "note: not compared with fp32: the plan's source \(provenance.sourcePath) is missing or changed; give --reference MODEL")
        }
        return (recorded, nil)
    }
}

/// The boxes NonMaxSuppression keeps, as flat (batch, class, box) triples. It lives with shape
/// inference because the output's row count is the number of kept boxes: a step sized at run time
/// infers the shape from it, and the runtime kernel writes the same triples.
///
/// Per batch and class: boxes scoring above `score_threshold` (all of them when it is omitted),
/// by descending score (ties: lower index first), are kept greedily unless their IoU with an
/// already kept box exceeds `iou_threshold`, up to `max_output_boxes_per_class` (0 when omitted).
package struct NonMaxSuppressionSelection {
    package private(set) var selected: [Int64] = []

    package init(boxes: Tensor, scores: Tensor, maxOutputBoxesPerClass: Tensor?, iouThreshold: Tensor?,
                 scoreThreshold: Tensor?, centerPointBox: Bool, _ ctx: ShapeContext) throws {
        guard boxes.dtype == .float32, scores.dtype == .float32 else {
            throw ctx.error(.unsupportedDType, "boxes and scores must be float, got \(boxes.dtype) and \(scores.dtype)")
        }
        guard boxes.rank == 3, boxes.shape[2] == 4, scores.rank == 3,
              scores.shape[0] == boxes.shape[0], scores.shape[2] == boxes.shape[1] else {
            throw ctx.error(.invalidShape, "boxes must be [batches, boxes, 4] and scores [batches, classes, boxes], got \(boxes.shape) and \(scores.shape)")
        }
        func scalar(_ t: Tensor?, _ name: String, dtypes: Set<DType>) throws -> Tensor? {
            guard let t, t.count > 0 else { return nil }
            guard dtypes.contains(t.dtype), t.count == 1 else {
                throw ctx.error(.invalidShape, "\(name) must hold one \(dtypes.map(\.onnxName).sorted().joined(separator: "/")) value, got \(t.dtype)\(t.shape)")
            }
            return t
        }
        let maxPerClass = try scalar(maxOutputBoxesPerClass, "max_output_boxes_per_class", dtypes: [.int64]).map { max(0, $0.intValues()[0]) } ?? 0
        let iou = try scalar(iouThreshold, "iou_threshold", dtypes: [.float32]).map { Float($0.doubleValues()[0]) } ?? 0
        let minScore = try scalar(scoreThreshold, "score_threshold", dtypes: [.float32]).map { Float($0.doubleValues()[0]) }
        let (batches, classes, count) = (scores.shape[0], scores.shape[1], scores.shape[2])
        guard maxPerClass > 0, count > 0 else { return }
        let boxData = boxes.rawPointer.assumingMemoryBound(to: Float.self)
        let scoreData = scores.rawPointer.assumingMemoryBound(to: Float.self)
        var candidates: [Int] = []
        var kept: [Int] = []
        candidates.reserveCapacity(count)
        for b in 0..<batches {
            let batchBoxes = boxData + b * count * 4
            for c in 0..<classes {
                let classScores = scoreData + (b * classes + c) * count
                candidates.removeAll(keepingCapacity: true)
                for i in 0..<count where minScore.map({ classScores[i] > $0 }) ?? true { candidates.append(i) }
                candidates.sort { classScores[$0] > classScores[$1] || (classScores[$0] == classScores[$1] && $0 < $1) }
                kept.removeAll(keepingCapacity: true)
                for i in candidates {
                    if kept.count >= maxPerClass { break }
                    if kept.contains(where: { Self.suppresses(batchBoxes + 4 * i, batchBoxes + 4 * $0, centerPointBox, iou) }) { continue }
                    kept.append(i)
                    selected += [Int64(b), Int64(c), Int64(i)]
                }
            }
        }
    }

    /// Whether two boxes overlap by more than `threshold` IoU (corners in either order, or
    /// centre + size when `centerPointBox`).
    private static func suppresses(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ centerPointBox: Bool,
                                   _ threshold: Float) -> Bool {
        func extent(_ p: UnsafePointer<Float>) -> (x0: Float, x1: Float, y0: Float, y1: Float) {
            if centerPointBox {
                let hw = p[2] / 2, hh = p[3] / 2
                return (p[0] - hw, p[0] + hw, p[1] - hh, p[1] + hh)
            }
            return (min(p[1], p[3]), max(p[1], p[3]), min(p[0], p[2]), max(p[0], p[2]))
        }
        let e1 = extent(a), e2 = extent(b)
        let ix0 = max(e1.x0, e2.x0), ix1 = min(e1.x1, e2.x1)
        guard ix1 > ix0 else { return false }
        let iy0 = max(e1.y0, e2.y0), iy1 = min(e1.y1, e2.y1)
        guard iy1 > iy0 else { return false }
        let intersection = (ix1 - ix0) * (iy1 - iy0)
        let area1 = (e1.x1 - e1.x0) * (e1.y1 - e1.y0), area2 = (e2.x1 - e2.x0) * (e2.y1 - e2.y0)
        let union = area1 + area2 - intersection
        guard intersection > 0, area1 > 0, area2 > 0, union > 0 else { return false }
        return intersection / union > threshold
    }
}

import Foundation
import Synchronization
import InferIR
import InferKernels
@testable import InferRuntime

import Testing

/// `bench --blas-bound`'s recording: one entry per GEMM the kernels ask for (a GEMV-per-row
/// batch, a convolution's per-thread parts and attention's per-head products each recorded as
/// the one product they are), and a replay that times exactly those.
@Suite(.serialized) struct BLASBoundTests {
    static func mlpInputs(rows: Int) -> [String: Tensor] {
        ["x": Tensor(shape: [rows, 64], exactly: (0..<(rows * 64)).map { Float($0 % 9) / 9 - 0.5 })]
    }

    /// The MLP's three Gemms (64 -> 128 -> 128 -> 10), whether the rows run as one sgemm (8 rows)
    /// or one GEMV per row (2 rows).
    @Test(arguments: [8, 2])
    func mlpRecordsItsThreeGemms(rows: Int) throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("mlp"), threads: 1)
        let feeds = Self.mlpInputs(rows: rows)
        _ = try engine.run(feeds)
        let bound = try BLASBound.measure(warmup: 1, iterations: 3) { _ = try engine.run(feeds) }
        #expect(!GemmRecorder.isRecording)
        let shapes = bound.entries.flatMap(\.shapes)
        #expect(shapes.map { [$0.m, $0.n, $0.k] } == [[rows, 128, 64], [rows, 128, 128], [rows, 10, 128]], "\(shapes)")
        #expect(bound.callCount == 3)
        #expect(bound.flops == 2 * rows * (64 * 128 + 128 * 128 + 128 * 10))
        #expect(bound.statistics.count == 3 && bound.statistics.p50 > 0)
        #expect((bound.ratio(runP50: 1) ?? 0) > 0)
    }

    /// A recording on one thread is invisible on the others: their kernels see
    /// `isRecording` false, so they build no entry (a steady-state run on another thread must
    /// not allocate because some other thread is recording; AllocationTests saw that).
    @Test func recordingIsOnlyOnTheRecordingThread() throws {
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let sawRecording = Atomic<Bool>(false)
        let recorder = Thread {
            _ = GemmRecorder.recording {
                sawRecording.store(GemmRecorder.isRecording, ordering: .relaxed)
                inside.signal()
                release.wait()
            }
        }
        recorder.start()
        inside.wait()
        let seenHere = GemmRecorder.isRecording
        release.signal()
        let seenThere = sawRecording.load(ordering: .relaxed)
        #expect(seenThere, "the recording thread must see its recording")
        #expect(!seenHere, "another thread must not see the recording")
    }

    /// Convolutions split over two threads record one GEMM per conv (not one per part), with
    /// the engine's threads; the plan's FusedConv steps and Gemm are all there.
    @Test func convnetRecordsWholeConvolutionsWithTheirThreads() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("convnet"), threads: 2)
        let feeds = try ModelFixtures.testInputs("convnet")
        _ = try engine.run(feeds)
        let (_, entries) = try ParallelFor.forcingEverySplit { try GemmRecorder.recording { try engine.run(feeds) } }
        let convs = try engine.plan(for: feeds).steps.filter { $0.node.opType == "FusedConv" || $0.node.opType == "Conv" }
        #expect(convs.count >= 5)
        #expect(entries.allSatisfy { $0.threads == 2 && $0.repeats == 1 && $0.shapes.count == 1 })
        // The stem: 16 output channels, 32x32 outputs, 3 channels x 3x3 (im2col or Winograd's 36).
        let stem = entries.first?.shapes.first
        #expect(stem.map { [$0.m, $0.n, $0.k] } == [16, 1024, 27] || entries.count >= 36 + convs.count - 1,
                "first GEMM \(String(describing: stem))")
        #expect(entries.count >= convs.count + 1, "\(entries.count) entries for \(convs.count) convs and a Gemm")
    }

    /// Attention's per-head products are one group entry: QKᵀ and PV, repeated batch x heads times.
    @Test func encoderAttentionIsOneGroupPerLayer() throws {
        let engine = try Engine(contentsOf: ModelFixtures.url("encoder"), threads: 2)
        let feeds = ModelFixtures.encoderInputs(batch: 2, seed: 7)
        _ = try engine.run(feeds)
        let bound = try BLASBound.measure(warmup: 0, iterations: 2) { _ = try engine.run(feeds) }
        let groups = bound.entries.filter { $0.shapes.count == 2 }
        #expect(!groups.isEmpty, "no attention group among \(bound.entries.count) entries")
        for g in groups {
            #expect(g.repeats % 2 == 0 && g.repeats >= 2, "batch 2 x heads: \(g.repeats)")
            #expect(g.shapes[0].m == 16 && g.shapes[0].n == 16, "QKᵀ is seq x seq: \(g.shapes[0])")
            #expect(g.shapes[1].m == 16 && g.shapes[1].k == 16, "PV reads seq x seq: \(g.shapes[1])")
        }
        #expect(bound.callCount > bound.entries.count)
    }
}

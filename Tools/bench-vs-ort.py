#!/usr/bin/env python3
"""Side by side with ONNX Runtime (and OpenVINO): same models, same inputs, same thread counts.

For each model under Graphs/bench (or those named) and each thread count:
  1. seeded random inputs of the data set's shapes are saved as .npy;
  2. `swiftc-infer run` and ONNX Runtime must agree on every output (rtol 1e-3) before any timing,
     and so must OpenVINO and ONNX Runtime (same rtol/atol) before OpenVINO is timed;
  3. rounds alternate the engines: an ORT timing loop (InferenceSession with
     intra_op_num_threads=N, inter_op_num_threads=1, sequential execution, all graph optimizations),
     an OpenVINO loop (CPU plugin, f32 inference precision, N inference threads, 1 stream,
     LATENCY hint, one infer request), then `swiftc-infer bench --json --compare-unfused --input ...`
     (-O2 and -O0 alternating inside);
  4. latencies of all rounds are pooled: a markdown table (p50/p99, ratio to ORT, fused vs unfused,
     OpenVINO p50/p99 and ratio to ORT) and a PNG chart of the distributions (matplotlib, Agg backend).

OpenVINO is optional (`pip install -r Tools/requirements-bench.txt`): when `import openvino`
fails, one line says the column is skipped and why, and the rest runs as before.

With --baseline-binary OLD (another build of swiftc-infer, e.g. of an earlier commit in a git
worktree), each round also times OLD at -O2 right after the new build, and the table gains
OLD's p50 and new / OLD: a before/after comparison in the same run, builds alternated.

Example:
  swift build -c release
  Tools/bench-vs-ort.py --threads 1,2 --png docs/bench/bench-vs-ort.png --markdown docs/bench/bench-vs-ort.md
  Tools/bench-vs-ort.py --baseline-binary ../old/.build/release/swiftc-infer --png ''

With --precision bf16, swiftc-infer runs its bf16 GEMMs (`--precision bf16`) and OpenVINO its bf16
inference precision; ORT stays fp32 (the reference and the speed to beat). Outputs must then agree
with ORT to 1e-2 of each output's largest magnitude (the table gives the error), and each round also
times swiftc-infer at fp32, so the table shows bf16 / fp32 as well.
  Tools/bench-vs-ort.py .cache/fullsize/bert_base --precision bf16 --threads 1,2 --png ''

With --precision int8, swiftc-infer runs `--quantize int8` (dynamic int8 GEMMs) and ONNX Runtime
runs both the fp32 model (the reference) and the model its own quantize_dynamic writes (int8
weights, the ORT int8 column: what an ORT user would quantize to). Outputs must agree with ORT fp32
to 1e-1 of each output's largest magnitude (both engines' errors are in the table); the baseline
column is swiftc-infer at fp32. swiftc-infer also runs ORT's quantized file itself (fusing its
DynamicQuantizeLinear / MatMulInteger chains), checked against ORT on that file: the same model
on both engines. OpenVINO runs no dynamically quantized ONNX and is left out.
  Tools/bench-vs-ort.py .cache/fullsize/bert_base bert_encoder --precision int8 --threads 1,2 --png ''

With --precision int8-static, ORT's int8 model is the one its quantize_static writes instead (QDQ
format, int8 weights per channel, uint8 activations, MinMax calibration on 8 seeded inputs of the
benchmark's own distribution): the conv-net case. The "ours on ORT's int8 model" columns are then
the static int8 comparison (the QDQ convolutions run as swiftc-infer's Int8Conv).
  Tools/bench-vs-ort.py .cache/fullsize/resnet18 resnet --precision int8-static --threads 1,2 --png ''

In every reduced precision, a classifier (first output [1, classes]) also gets its top-1 agreement
with ORT fp32 counted on --agreement-inputs seeded inputs (default 100; one `swiftc-infer run` each):
ours, ORT's int8 model, and ours on ORT's int8 model.

Full-size models (torchvision CNNs at 224x224, BERT-base, GPT-2 small; not committed): export them
once into .cache/fullsize with Tools/make_fullsize_models.py, then name model directories, or the
corpus folder itself for all of them:
  python3 Tools/make_fullsize_models.py
  Tools/bench-vs-ort.py .cache/fullsize/resnet18 --threads 1 --rounds 1 --iterations 5 --png ''
  Tools/bench-vs-ort.py .cache/fullsize --threads 1,2 --rounds 2 --iterations 20 --png docs/bench/fullsize.png
"""
import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parent.parent


def log(message):
    print(message, file=sys.stderr, flush=True)


def data_set_inputs(model_dir, model):
    """(name, dtype, shape) per graph input, shapes from test_data_set_0 (it binds symbolic dims)."""
    initializers = {i.name for i in model.graph.initializer}
    declared = [i for i in model.graph.input if i.name not in initializers]
    files = sorted((model_dir / "test_data_set_0").glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1]))
    result = []
    for k, info in enumerate(declared):
        if k < len(files):
            t = onnx.TensorProto()
            t.ParseFromString(files[k].read_bytes())
            array = numpy_helper.to_array(t)
            result.append((info.name, array.dtype, array.shape))
        else:
            dims = [d.dim_value if d.HasField("dim_value") else 1 for d in info.type.tensor_type.shape.dim]
            result.append((info.name, onnx.helper.tensor_dtype_to_np_dtype(info.type.tensor_type.elem_type), tuple(dims)))
    return result


def index_bound(model, name):
    """Rows of the initializer a Gather indexes with this input (like the engine's own random inputs)."""
    inits = {i.name: i for i in model.graph.initializer}
    bound = None
    for node in model.graph.node:
        if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == name and node.input[0] in inits:
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            dims = list(inits[node.input[0]].dims)
            bound = min(bound or dims[axis], dims[axis])
    return bound


def make_inputs(model_dir, model, seed):
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, dtype, shape in data_set_inputs(model_dir, model):
        if np.issubdtype(dtype, np.floating):
            feeds[name] = rng.uniform(-1, 1, size=shape).astype(dtype)
        elif np.issubdtype(dtype, np.integer):
            bound = index_bound(model, name)
            feeds[name] = rng.integers(0, bound, size=shape).astype(dtype) if bound else np.ones(shape, dtype=dtype)
        else:
            feeds[name] = np.ones(shape, dtype=dtype)
    return feeds


def ort_session(path, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def ort_times(session, feeds, iterations, warmup):
    for _ in range(warmup):
        session.run(None, feeds)
    times = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        session.run(None, feeds)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def openvino_core():
    """(openvino.Core, version) or (None, reason): the OpenVINO column is optional."""
    try:
        import openvino
        return openvino.Core(), openvino.__version__.split("-")[0]
    except Exception as error:  # ImportError, or a broken install failing on load
        return None, f"{type(error).__name__}: {error}"


def ov_compile(core, path, threads, precision="f32"):
    """The OpenVINO CPU plugin at f32 (no bf16/f16 downcast; bf16 when asked), N threads, one stream, latency mode."""
    compiled = core.compile_model(str(path), "CPU", {
        "INFERENCE_PRECISION_HINT": precision, "INFERENCE_NUM_THREADS": str(threads),
        "NUM_STREAMS": "1", "PERFORMANCE_HINT": "LATENCY"})
    return compiled, compiled.create_infer_request()


def ov_run(request, feeds):
    results = request.infer(feeds)
    return [results[output] for output in request.model_outputs]


def ov_times(request, feeds, iterations, warmup):
    for _ in range(warmup):
        request.infer(feeds)
    times = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        request.infer(feeds)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


# Reduced precision: each output's max abs error over its largest magnitude must stay under this.
RELATIVE_ERROR = {"bf16": 1e-2, "int8": 1e-1, "int8-static": 1e-1}
relative_limit = RELATIVE_ERROR["bf16"]   # set for the run's --precision in main
scaled_errors = {}   # label -> worst (max abs error / max |ORT output|) seen, for the reduced-precision table


def disagreement(session, feeds, outputs, rtol, atol, scaled=None):
    """None when `outputs` (one array per ORT output, in order) match ORT's, else a one-line reason.
    With `scaled` (a label), the reduced-precision rule applies instead and the worst scaled error is recorded."""
    expected = session.run(None, feeds)
    for info, got, want in zip(session.get_outputs(), outputs, expected):
        got = np.asarray(got)
        if got.shape != want.shape:
            return f"output {info.name}: shape {got.shape} vs ORT {want.shape}"
        if scaled is not None:
            err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if want.size else 0.0
            relative = err / max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-30)
            scaled_errors[scaled] = max(scaled_errors.get(scaled, 0.0), relative)
            if not relative <= relative_limit:
                return f"output {info.name}: max abs error {err:.3g} is {relative:.3g} of its largest magnitude (limit {relative_limit})"
            continue
        if not np.allclose(got, want, rtol=rtol, atol=atol):
            err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
            return f"output {info.name}: max abs error {err:.3g} beyond rtol {rtol}"
    return None


def check_openvino(request, session, feeds, rtol, atol, scaled=None):
    """None when every OpenVINO output matches ORT, else a one-line reason."""
    return disagreement(session, feeds, ov_run(request, feeds), rtol, atol, scaled)


def check_outputs(binary, model_path, session, feeds, input_args, threads, workdir, rtol, atol, extra=(), scaled=None):
    """None when every output of `swiftc-infer run` matches ORT, else a one-line reason."""
    out_dir = workdir / f"out_t{threads}"
    cmd = [str(binary), "run", str(model_path), *input_args, "--output-dir", str(out_dir), "--threads", str(threads), *extra]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return f"swiftc-infer run failed: {r.stderr.strip()}"
    safe = lambda name: "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    outputs = [np.load(out_dir / f"{safe(info.name)}.npy") for info in session.get_outputs()]
    return disagreement(session, feeds, outputs, rtol, atol, scaled)


def ort_quantized(model_path, workdir, calibration=None):
    """The model as ONNX Runtime's quantize_dynamic writes it (int8 weights, uint8 activations), in
    workdir; with `calibration` (a list of feeds), as its quantize_static writes it after
    quant_pre_process (QDQ, per-channel int8 weights, uint8 activations, MinMax on those feeds)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
    import logging
    logging.getLogger().setLevel(logging.ERROR)   # its "consider pre-processing" warning
    out = workdir / "model.ort-int8.onnx"
    if calibration is None:
        quantize_dynamic(str(model_path), str(out), weight_type=QuantType.QInt8)
        return out
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Feeds(CalibrationDataReader):
        def __init__(self):
            self.remaining = iter(calibration)

        def get_next(self):
            return next(self.remaining, None)

    prepared = workdir / "model.preprocessed.onnx"
    quant_pre_process(str(model_path), str(prepared))
    quantize_static(str(prepared), str(out), Feeds(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    return out


def top1(outputs):
    """The arg-max class of a classifier's first output ([1, classes]), else None."""
    logits = np.asarray(outputs[0])
    return int(np.argmax(logits)) if logits.ndim == 2 and logits.shape[0] == 1 and logits.shape[1] > 1 else None


def top1_agreement(binary, model_path, reference, inputs, workdir, threads, extra=(), session=None):
    """Of `inputs` (a list of feeds), how many give the arg-max ORT fp32 (`reference`) gives on the
    first output: swiftc-infer running model_path with `extra`, or ORT `session` when given. None
    when that output is not a classifier's [1, classes]."""
    safe = lambda name: "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    agree = 0
    for k, feeds in enumerate(inputs):
        want = top1(reference.run(None, feeds))
        if want is None:
            return None
        if session is not None:
            got = top1(session.run(None, feeds))
        else:
            args, out_dir = [], workdir / f"top1_{k}"
            for name, array in feeds.items():
                path = workdir / f"top1_{safe(name)}.npy"
                np.save(path, array)
                args += ["--input", f"{name}={path}"]
            cmd = [str(binary), "run", str(model_path), *args, "--output-dir", str(out_dir), "--threads", str(threads), *extra]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
            got = top1([np.load(out_dir / f"{safe(reference.get_outputs()[0].name)}.npy")])
            shutil.rmtree(out_dir, ignore_errors=True)
        agree += int(got == want)
    return agree


def ours_round(binary, model_path, input_args, threads, iterations, warmup, workdir, compare_unfused=True, extra=()):
    samples = workdir / "samples.json"
    cmd = [str(binary), "bench", str(model_path), *input_args, "--threads", str(threads), "--iterations", str(iterations),
           "--warmup", str(warmup), "-O2", "--json", "--save-samples", str(samples), *extra] + (["--compare-unfused"] if compare_unfused else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    summary = json.loads(r.stdout)
    return summary, json.loads(samples.read_text())


def pct(values, q):
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", help="model directories, names under Graphs/bench, or a folder of model "
                        "directories such as .cache/fullsize (default: all of Graphs/bench)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per engine (default 4)")
    parser.add_argument("--iterations", type=int, default=50, help="timed runs per engine per round (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per round (default 5)")
    parser.add_argument("--binary", default=str(ROOT / ".build/release/swiftc-infer"), help="swiftc-infer (release build)")
    parser.add_argument("--baseline-binary", help="an older swiftc-infer build to time alternately with --binary (before/after)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--rtol", type=float, default=1e-3)
    parser.add_argument("--atol", type=float, default=1e-4)
    parser.add_argument("--png", default=str(ROOT / "docs/bench/bench-vs-ort.png"), help="chart output")
    parser.add_argument("--markdown", help="also write the table (with date, machine, command) to this file")
    parser.add_argument("--precision", choices=["fp32", "bf16", "int8", "int8-static"], default="fp32",
                        help="bf16: swiftc-infer --precision bf16 and OpenVINO bf16 against ORT fp32; int8: swiftc-infer "
                        "--quantize int8 against ORT fp32 and ORT's quantize_dynamic model; int8-static: ORT's quantize_static model on both "
                        "engines; all also time swiftc-infer fp32")
    parser.add_argument("--agreement-inputs", type=int, default=100,
                        help="with a reduced --precision: inputs on which to count top-1 agreement with ORT fp32 for "
                        "classifier outputs (default 100; 0 skips)")
    parser.add_argument("--no-unfused", action="store_true",
                        help="skip the -O0 column (full-size models at -O0 take minutes and say nothing about ORT)")
    args = parser.parse_args()

    binary = Path(args.binary)
    if not binary.exists():
        sys.exit(f"error: {binary} not found; build it with `swift build -c release`")
    bench_root = ROOT / "Graphs/bench"
    if args.models:
        dirs = []
        for m in args.models:
            path = Path(m) if Path(m).is_dir() else bench_root / m
            if path.is_dir() and not (path / "model.onnx").exists():  # a corpus folder: all models in it
                dirs += sorted(p for p in path.iterdir() if (p / "model.onnx").exists()) or [path]
            else:
                dirs.append(path)
    else:
        dirs = sorted(p for p in bench_root.iterdir() if (p / "model.onnx").exists())
    threads_list = [int(t) for t in args.threads.split(",")]
    global relative_limit
    reduced = args.precision != "fp32"
    bf16, int8, static = args.precision == "bf16", args.precision.startswith("int8"), args.precision == "int8-static"
    ours_extra = {"fp32": [], "bf16": ["--precision", "bf16"], "int8": ["--quantize", "int8"],
                  "int8-static": ["--quantize", "int8"]}[args.precision]
    if reduced and args.baseline_binary:
        sys.exit(f"error: --precision {args.precision} times swiftc-infer fp32 as the baseline; drop --baseline-binary")
    if reduced:
        relative_limit = RELATIVE_ERROR[args.precision]
        args.baseline_binary = str(binary)   # the baseline column is this build at fp32
        args.no_unfused = True
    if int8:
        core, ov_version = None, "int8 mode"
        log(f"OpenVINO column skipped in --precision {args.precision} (its int8 path is NNCF's, not these ONNX files)")
    else:
        core, ov_version = openvino_core()
    if core is None and not int8:
        log(f"OpenVINO column skipped: openvino not importable ({ov_version}); pip install -r Tools/requirements-bench.txt")

    rows, charts = [], []
    agreements = {}   # model -> ({who: inputs agreeing}, inputs)
    workroot = Path(tempfile.mkdtemp(prefix="bench-vs-ort-"))
    try:
        for model_dir in dirs:
            model_path = model_dir / "model.onnx"
            if not model_path.exists():
                sys.exit(f"error: {model_path} not found")
            model = onnx.load(str(model_path))
            feeds = make_inputs(model_dir, model, args.seed)
            workdir = workroot / model_dir.name
            workdir.mkdir()
            input_args = []
            for name, array in feeds.items():
                path = workdir / f"{''.join(c if c.isalnum() else '_' for c in name)}.npy"
                np.save(path, array)
                input_args += ["--input", f"{name}={path}"]
            calibration = [make_inputs(model_dir, model, args.seed + 1 + k) for k in range(8)] if static else None
            quantized_path = ort_quantized(model_path, workdir, calibration) if int8 else None
            agreement = {}
            if reduced and args.agreement_inputs > 0:
                # Top-1 agreement with ORT fp32 on seeded inputs other than the timed one and the calibration set.
                inputs = [make_inputs(model_dir, model, args.seed + 1000 + k) for k in range(args.agreement_inputs)]
                reference = ort_session(model_path, max(threads_list))
                agreement["ours"] = top1_agreement(binary, model_path, reference, inputs, workdir, max(threads_list), ours_extra)
                if agreement["ours"] is not None and quantized_path is not None:
                    agreement["ORT int8"] = top1_agreement(binary, quantized_path, reference, inputs, workdir, max(threads_list),
                                                           session=ort_session(quantized_path, max(threads_list)))
                    agreement["ours on ORT's int8 model"] = top1_agreement(binary, quantized_path, reference, inputs, workdir,
                                                                           max(threads_list))
                if agreement["ours"] is not None:
                    log(f"{model_dir.name}: top-1 agreement with ORT fp32 on {len(inputs)} inputs: "
                        + ", ".join(f"{who} {n}/{len(inputs)}" for who, n in agreement.items()))
                    agreements[model_dir.name] = (agreement, len(inputs))
            for threads in threads_list:
                label = f"{model_dir.name} t{threads}"
                session = ort_session(model_path, threads)
                problem = check_outputs(binary, model_path, session, feeds, input_args, threads, workdir, args.rtol, args.atol,
                                        ours_extra, label if reduced else None)
                ort_int8 = ort_session(quantized_path, threads) if int8 else None
                same_model_problem = None
                if ort_int8 is not None:
                    # Recorded for the table, never a reason not to time: it is ORT's own quantization.
                    disagreement(session, feeds, ort_int8.run(None, feeds), args.rtol, args.atol, label + " ORT int8")
                    # ORT's quantized file on our engine, against ORT on the same file.
                    same_model_problem = check_outputs(binary, quantized_path, ort_int8, feeds, input_args, threads, workdir,
                                                       args.rtol, args.atol, (), label + " ours on ORT int8")
                    if same_model_problem:
                        log(f"{label}: ORT's int8 model on swiftc-infer not timed: {same_model_problem}")
                if problem:
                    log(f"{label}: outputs disagree, not timed: {problem}")
                    rows.append(dict(model=model_dir.name, threads=threads, error=problem))
                    continue
                ov_request, ov_problem = None, None
                if core is not None:
                    try:
                        _, ov_request = ov_compile(core, model_path, threads, "bf16" if bf16 else "f32")
                        ov_problem = check_openvino(ov_request, session, feeds, args.rtol, args.atol,
                                                    label + " OpenVINO" if bf16 else None)
                    except Exception as error:  # a model OpenVINO cannot read or compile
                        ov_problem = f"OpenVINO failed: {type(error).__name__}: {str(error).strip().splitlines()[0]}"
                    if ov_problem:
                        log(f"{label}: OpenVINO not timed: {ov_problem}")
                        ov_request = None
                ort_all, ov_all, fused_all, unfused_all, baseline_all, blas = [], [], [], [], [], "?"
                ort_int8_all, same_model_all = [], []
                for k in range(args.rounds):
                    ort_all += ort_times(session, feeds, args.iterations, args.warmup)
                    if ort_int8 is not None:
                        ort_int8_all += ort_times(ort_int8, feeds, args.iterations, args.warmup)
                    if ov_request is not None:
                        ov_all += ov_times(ov_request, feeds, args.iterations, args.warmup)
                    summary, samples = ours_round(binary, model_path, input_args, threads, args.iterations, args.warmup,
                                                  workdir, compare_unfused=not args.no_unfused, extra=ours_extra)
                    fused_all += samples["fused"]
                    unfused_all += samples.get("unfused", [])
                    blas = summary["blas_core"]
                    if args.baseline_binary:
                        _, old = ours_round(args.baseline_binary, model_path, input_args, threads, args.iterations,
                                            args.warmup, workdir, compare_unfused=False)
                        baseline_all += old["fused"]
                    if ort_int8 is not None and not same_model_problem:
                        _, same = ours_round(binary, quantized_path, input_args, threads, args.iterations, args.warmup,
                                             workdir, compare_unfused=False)
                        same_model_all += same["fused"]
                    ov_text = f", OpenVINO {pct(ov_all, 50):.3f} ms" if ov_all else ""
                    ov_text += f", ORT int8 {pct(ort_int8_all, 50):.3f} ms" if ort_int8_all else ""
                    log(f"{label} round {k + 1}/{args.rounds}: ORT p50 {pct(ort_all, 50):.3f} ms{ov_text}, "
                        f"ours {pct(fused_all, 50):.3f} ms")
                row = dict(model=model_dir.name, threads=threads, blas_core=blas,
                           error_ours=scaled_errors.get(label), error_ov=scaled_errors.get(label + " OpenVINO"),
                           error_ort_int8=scaled_errors.get(label + " ORT int8"), ort_int8_p50=pct(ort_int8_all, 50),
                           same_model_p50=pct(same_model_all, 50), same_model_error=scaled_errors.get(label + " ours on ORT int8"),
                           ort_p50=pct(ort_all, 50), ort_p99=pct(ort_all, 99),
                           ov_p50=pct(ov_all, 50), ov_p99=pct(ov_all, 99), ov_error=ov_problem,
                           ours_p50=pct(fused_all, 50), ours_p99=pct(fused_all, 99),
                           unfused_p50=pct(unfused_all, 50), baseline_p50=pct(baseline_all, 50), n=len(ort_all))
                rows.append(row)
                charts.append((label, ort_all, ov_all, fused_all, unfused_all))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)

    with_ov = core is not None
    table = ["| model | threads | ORT p50 ms | ORT p99 ms | ours -O2 p50 ms | ours -O2 p99 ms | ours / ORT (p50) | ours -O0 p50 ms | fused speedup (-O0/-O2) |"
             + (" OpenVINO p50 ms | OpenVINO p99 ms | OpenVINO / ORT (p50) |" if with_ov else "")
             + (" baseline -O2 p50 ms | ours / baseline |" if args.baseline_binary else "")
             + (" ORT int8 p50 ms | ours / ORT int8 (p50) | ours on ORT's int8 model p50 ms | that / ORT int8 |" if int8 else ""),
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if with_ov else "")
             + ("---:|---:|" if args.baseline_binary else "") + ("---:|---:|---:|---:|" if int8 else "")]
    for r in rows:
        if "error" in r:
            table.append(f"| {r['model']} | {r['threads']} | – | – | – | – | outputs disagree: {r['error']} | – | – |"
                         + (" – | – | – |" if with_ov else "") + (" – | – |" if args.baseline_binary else "")
                         + (" – | – | – | – |" if int8 else ""))
            continue
        unfused = (f"{r['unfused_p50']:.3f} | {r['unfused_p50'] / r['ours_p50']:.2f}x" if r["unfused_p50"] == r["unfused_p50"]
                   else "– | –")   # NaN: --no-unfused
        line = (f"| {r['model']} | {r['threads']} | {r['ort_p50']:.3f} | {r['ort_p99']:.3f} | {r['ours_p50']:.3f} | "
                f"{r['ours_p99']:.3f} | {r['ours_p50'] / r['ort_p50']:.2f}x | {unfused} |")
        if with_ov and r["ov_error"]:
            line += f" – | – | OpenVINO not timed: {r['ov_error']} |"
        elif with_ov:
            line += f" {r['ov_p50']:.3f} | {r['ov_p99']:.3f} | {r['ov_p50'] / r['ort_p50']:.2f}x |"
        if args.baseline_binary:
            line += f" {r['baseline_p50']:.3f} | {r['ours_p50'] / r['baseline_p50']:.2f}x |"
        if int8:
            line += f" {r['ort_int8_p50']:.3f} | {r['ours_p50'] / r['ort_int8_p50']:.2f}x |"
            same = r["same_model_p50"]
            line += (f" {same:.3f} | {same / r['ort_int8_p50']:.2f}x |" if same == same else " not timed | – |")
        table.append(line)
    timed = [r for r in rows if "error" not in r]
    for threads in sorted({r["threads"] for r in timed}):
        ratios = [r["ours_p50"] / r["ort_p50"] for r in timed if r["threads"] == threads]
        ov = [r["ov_p50"] / r["ort_p50"] for r in timed if r["threads"] == threads and with_ov and not r["ov_error"]]
        geo = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs))
        old = [r["ours_p50"] / r["baseline_p50"] for r in timed if r["threads"] == threads and args.baseline_binary]
        table.append(f"| geomean ({len(ratios)} models) | {threads} | | | | | {geo(ratios):.2f}x | | |"
                     + (f" | | {geo(ov):.2f}x |" if ov else (" | | |" if with_ov else ""))
                     + (f" | {geo(old):.2f}x |" if old else (" | |" if args.baseline_binary else ""))
                     + (f" | {geo([r['ours_p50'] / r['ort_int8_p50'] for r in timed if r['threads'] == threads]):.2f}x | |" if int8 else "")
                     + (f" {geo(same):.2f}x |" if int8 and (same := [r['same_model_p50'] / r['ort_int8_p50'] for r in timed
                                                                   if r['threads'] == threads and r['same_model_p50'] == r['same_model_p50']]) else (" |" if int8 else "")))
    cores = sorted({r.get("blas_core", "?") for r in rows if "error" not in r})
    machine = machine_description()
    ov_note = f"OpenVINO {ov_version} (CPU, {'bf16' if bf16 else 'f32'}); " if with_ov else ""
    if int8:
        ort_int8_kind = ("quantize_static (QDQ, per-channel QInt8 weights, QUInt8 activations, MinMax on 8 seeded inputs)"
                         if static else "quantize_dynamic (QInt8 weights)")
        ov_note += ("swiftc-infer --quantize int8 (\"ours\"; \"baseline\" is the same build at fp32), ORT fp32 and ORT "
                    f"{ort_int8_kind}; int8 error = max abs error / max |ORT fp32 output|, worst output: "
                    + ", ".join(f"{r['model']} t{r['threads']} ours {r['error_ours']:.2g}"
                                + (f" ORT int8 {r['error_ort_int8']:.2g}" if r.get("error_ort_int8") is not None else "")
                                + (f" (ours on ORT's int8 model vs ORT on it {r['same_model_error']:.2g})" if r.get("same_model_error") is not None else "")
                                for r in rows if r.get("error_ours") is not None) + "; ")
    if agreements:
        ov_note += ("top-1 agreement with ORT fp32 on seeded uniform [-1, 1] inputs (not images): "
                    + "; ".join(f"{m} " + ", ".join(f"{who} {n}/{total}" for who, n in a.items())
                                for m, (a, total) in agreements.items()) + "; ")
    if bf16:
        ov_note += ("swiftc-infer --precision bf16 (\"ours\"; \"baseline\" is the same build at fp32), ORT fp32; "
                    "bf16 error = max abs error / max |ORT output|, worst output: "
                    + ", ".join(f"{r['model']} t{r['threads']} ours {r['error_ours']:.2g}"
                                + (f" OpenVINO {r['error_ov']:.2g}" if r.get("error_ov") is not None else "")
                                for r in rows if r.get("error_ours") is not None) + "; ")
    header = [f"Date: {datetime.date.today().isoformat()}; machine: {machine}; OpenBLAS core: {', '.join(cores)}; "
              f"ONNX Runtime {ort_version()}; {ov_note}{args.rounds} alternating rounds x {args.iterations} runs per engine.",
              f"Command: `{env_prefix()}{' '.join(['Tools/bench-vs-ort.py'] + sys.argv[1:])}`", ""]
    text = "\n".join(header + table)
    print(text)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text + "\n")
    if charts and args.png:
        draw(charts, Path(args.png), machine)
        log(f"chart: {args.png}")


def draw(charts, png, machine):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    columns = 2
    rows = (len(charts) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 2.8 * rows), squeeze=False)
    for ax, (label, ort, ov, fused, unfused) in zip(axes.flat, charts):
        series = [("ORT", ort), ("OpenVINO", ov), ("ours -O2", fused), ("ours -O0", unfused)]
        series = [(name, values) for name, values in series if values]  # OpenVINO may be absent
        data = [values for _, values in series]
        try:
            ax.boxplot(data, orientation="horizontal", whis=(1, 99), showfliers=False, widths=0.6)
        except TypeError:  # matplotlib < 3.10
            ax.boxplot(data, vert=False, whis=(1, 99), showfliers=False, widths=0.6)
        ax.set_yticks(list(range(1, len(series) + 1)), [name for name, _ in series])
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("latency ms (box: p25-p75, line: p50, whiskers: p1-p99)", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(charts):]:
        ax.axis("off")
    engines = "ONNX Runtime and OpenVINO" if any(c[2] for c in charts) else "ONNX Runtime"
    fig.suptitle(f"swiftc-infer vs {engines}: {machine}", fontsize=11)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


def machine_description():
    model, cores = platform.processor() or "?", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {cores} cores"


def env_prefix():
    """The environment setting that changes our BLAS kernels, shown with the command."""
    core = os.environ.get("OPENBLAS_CORETYPE")
    return f"OPENBLAS_CORETYPE={core} " if core else ""


def ort_version():
    import onnxruntime
    return onnxruntime.__version__


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""ONNX backend node conformance for swiftc-infer.

Generates the ONNX backend node test cases from the installed `onnx` package (its wheel ships
no node test data, so they come from onnx.backend.test.case.node.collect_testcases()) into a
cache folder, together with the real models the wheel does ship in its backend test data
(`pytorch-converted`, `pytorch-operator`: PyTorch exports at opset 6 with data sets, named
`<suite>/<case>` here), skips cases outside the project's scope (with the reason), runs
`swiftc-infer check CASE_DIR` on every other case (2 workers, 30 s each) and prints a table per
operator (one row per model suite): passed / failed / unsupported / crashed / skipped, then
totals and the pass rate.

    python3 Tools/conformance.py                         # report, using .build/{release,debug}/swiftc-infer
    python3 Tools/conformance.py --ops Add,Conv -v       # a few operators, one line per non-passing case
    python3 Tools/conformance.py --manifest Tests/Conformance/passing.txt   # record passing cases
    python3 Tools/conformance.py --check-manifest Tests/Conformance/passing.txt  # exit 1 on regressions
    python3 Tools/conformance.py --reference-ort         # the same cases on ONNX Runtime (the bar)

Outcome of one case (the `check` contract: exit 0 only if every data set passes):
  passed       exit 0
  unsupported  exit 1 and the output says "not supported" / "unsupported"
  failed       exit 1 otherwise
  crashed      killed by a signal, timed out, or any other exit status
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CACHE = os.path.join(REPO_ROOT, ".cache", "onnx-node-tests")
CACHE_FORMAT = 3  # 2: per-case tolerances in the index; 3: the pytorch model suites
# Model suites of the onnx wheel's backend test data copied into the cache (each case a folder
# with model.onnx and test_data_set_*); the node cases are generated instead.
MODEL_SUITES = ("pytorch-converted", "pytorch-operator")

STATUSES = ("passed", "failed", "unsupported", "crashed", "skipped")
UNSUPPORTED_PATTERN = re.compile(r"not supported|unsupported|not implemented", re.IGNORECASE)

# TensorProto element types the engine covers.
IN_SCOPE_DTYPES = {
    1: "float32", 11: "float64", 7: "int64", 6: "int32", 3: "int8", 2: "uint8", 9: "bool",
}
# Ops whose outputs are random draws: no fixed expected output to compare against.
RANDOM_OPS = {"Bernoulli", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial"}
DTYPE_ATTRIBUTES = {"to", "dtype", "output_dtype"}


# --------------------------------------------------------------------------- generating the cases


def dtype_name(elem_type: int) -> str:
    import onnx
    try:
        return onnx.TensorProto.DataType.Name(elem_type).lower()
    except ValueError:
        return f"dtype#{elem_type}"


def scope_problem(name: str, model) -> str | None:
    """The reason a case is out of scope, or None if the engine should run it."""
    if "training" in name:
        return "training mode"
    for value in list(model.graph.input) + list(model.graph.output):
        kind = value.type.WhichOneof("value")
        if kind != "tensor_type":
            return f"{kind.replace('_type', '')} type ({value.name})"
        if value.type.tensor_type.elem_type not in IN_SCOPE_DTYPES:
            return f"dtype {dtype_name(value.type.tensor_type.elem_type)} ({value.name})"
    for tensor in model.graph.initializer:
        if tensor.data_type not in IN_SCOPE_DTYPES:
            return f"dtype {dtype_name(tensor.data_type)} (initializer {tensor.name})"
    return nodes_problem(model.graph.node)


def nodes_problem(nodes) -> str | None:
    import onnx
    for node in nodes:
        if node.domain not in ("", "ai.onnx"):
            return f"domain {node.domain} ({node.op_type})"
        if node.op_type in RANDOM_OPS:
            return f"random output ({node.op_type})"
        for attribute in node.attribute:
            if attribute.name == "training_mode" and attribute.i != 0:
                return "training mode"
            if attribute.name in DTYPE_ATTRIBUTES and attribute.type == onnx.AttributeProto.INT \
                    and attribute.i not in IN_SCOPE_DTYPES:
                return f"dtype {dtype_name(attribute.i)} ({node.op_type}.{attribute.name})"
            if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type not in IN_SCOPE_DTYPES:
                return f"dtype {dtype_name(attribute.t.data_type)} ({node.op_type}.{attribute.name})"
            if attribute.type == onnx.AttributeProto.GRAPH:
                problem = nodes_problem(attribute.g.node)
                if problem:
                    return problem
            if attribute.type == onnx.AttributeProto.GRAPHS:
                for graph in attribute.graphs:
                    problem = nodes_problem(graph.node)
                    if problem:
                        return problem
    return None


def write_case(case, directory: str) -> None:
    """The standard ONNX test-directory layout (as onnx.backend.test.cmd_tools writes it)."""
    from onnx import TensorProto, numpy_helper
    os.makedirs(directory)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for index, (inputs, outputs) in enumerate(case.data_sets):
        data_dir = os.path.join(directory, f"test_data_set_{index}")
        os.makedirs(data_dir)
        for prefix, values, infos in (("input", inputs, case.model.graph.input),
                                      ("output", outputs, case.model.graph.output)):
            for k, (value, info) in enumerate(zip(values, infos)):
                tensor = value if isinstance(value, TensorProto) else numpy_helper.from_array(value, info.name)
                if not tensor.name:
                    tensor.name = info.name
                with open(os.path.join(data_dir, f"{prefix}_{k}.pb"), "wb") as f:
                    f.write(tensor.SerializeToString())


def generate_cases(cache_dir: str, regenerate: bool) -> dict:
    """Returns the cache index {onnx_version, cases: {name: {op, skip}}}, generating it if needed."""
    import numpy as np
    import onnx
    index_path = os.path.join(cache_dir, "index.json")
    if not regenerate and os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
        if index.get("onnx_version") == onnx.__version__ and index.get("format") == CACHE_FORMAT:
            return index

    print(f"generating ONNX {onnx.__version__} node test cases (and copying its model suites) into {cache_dir} ...",
          file=sys.stderr)
    started = time.time()
    # Build beside the cache and swap it in, so an interrupted or concurrent run never sees half a cache.
    final_dir, cache_dir = cache_dir, f"{cache_dir}.tmp-{os.getpid()}"
    if os.path.exists(cache_dir):
        shutil.rmtree(cache_dir)
    os.makedirs(cache_dir)
    np.random.seed(0)  # the case generators draw from numpy's global generator
    import onnx.backend.test.case.node as node_cases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node_cases.collect_testcases()
    tested_nodes = node_cases._existing_names  # name -> the NodeProto the case tests

    entries = {}
    for case in cases:
        base_name = re.sub(r"_expanded(_ver\d+)?$", "", case.name)
        node = tested_nodes.get(base_name)
        op = node.op_type if node is not None else case.model.graph.node[0].op_type
        skip = scope_problem(case.name, case.model)
        if skip is None:
            write_case(case, os.path.join(cache_dir, case.name))
        # The tolerances the ONNX backend runner compares this case with (rtol 1e-3, atol 1e-7 today).
        entries[case.name] = {"op": op, "skip": skip, "rtol": case.rtol, "atol": case.atol}
    entries.update(copy_model_suites(cache_dir))
    index = {"format": CACHE_FORMAT, "onnx_version": onnx.__version__, "cases": entries}
    with open(os.path.join(cache_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    if os.path.exists(final_dir):
        shutil.rmtree(final_dir)
    os.rename(cache_dir, final_dir)
    in_scope = sum(1 for e in entries.values() if e["skip"] is None)
    print(f"  {len(entries)} cases ({in_scope} in scope) in {time.time() - started:.0f} s", file=sys.stderr)
    return index


def copy_model_suites(cache_dir: str) -> dict:
    """Copies the MODEL_SUITES cases into cache_dir/<suite>/<case>; their index entries by that name."""
    import onnx
    from onnx.backend.test.loader import load_model_tests
    entries = {}
    for suite in MODEL_SUITES:
        for case in load_model_tests(kind=suite):
            name = f"{suite}/{case.name}"
            model = onnx.load(os.path.join(case.model_dir, "model.onnx"), load_external_data=False)
            skip = scope_problem(name, model)
            if skip is None:
                shutil.copytree(case.model_dir, os.path.join(cache_dir, name))
            entries[name] = {"op": suite, "suite": suite, "skip": skip, "rtol": case.rtol, "atol": case.atol}
    return entries


# --------------------------------------------------------------------------- running one case


@dataclass
class Outcome:
    name: str
    status: str
    reason: str = ""
    seconds: float = 0.0


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def tolerance_arguments(entry: dict) -> list[str]:
    """`check`'s --rtol/--atol set to what the ONNX backend test runner uses for this case."""
    return ["--rtol", repr(entry.get("rtol", 1e-3)), "--atol", repr(entry.get("atol", 1e-7))]


def run_case(command: list[str], name: str, timeout: float) -> Outcome:
    started = time.time()
    # Own process group, so a timeout also ends anything the checker started.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, start_new_session=True, text=True, errors="replace")
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return Outcome(name, "crashed", f"timeout after {timeout:.0f} s", time.time() - started)
    elapsed = time.time() - started
    code = process.returncode
    if code == 0:
        return Outcome(name, "passed", "", elapsed)
    if code < 0:
        try:
            signal_name = signal.Signals(-code).name
        except ValueError:
            signal_name = f"signal {-code}"
        return Outcome(name, "crashed", f"{signal_name}: {first_line(stderr)}", elapsed)
    if code == 1:
        if UNSUPPORTED_PATTERN.search(stderr):
            return Outcome(name, "unsupported", first_line(stderr), elapsed)
        fail_lines = [line for line in stdout.splitlines() if "FAIL" in line]
        return Outcome(name, "failed", first_line(stderr) or first_line("\n".join(fail_lines)) or first_line(stdout),
                       elapsed)
    return Outcome(name, "crashed", f"exit {code}: {first_line(stderr)}", elapsed)


# --------------------------------------------------------------------------- ONNX Runtime as the checker


def ort_check(test_dir: str, rtol: float, atol: float) -> int:
    """`swiftc-infer check`'s contract, implemented with ONNX Runtime (for --reference-ort)."""
    import glob

    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    ort.set_default_logger_severity(4)  # our one-line error, not ORT's coloured log, goes to stderr
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 4
    try:
        session = ort.InferenceSession(os.path.join(test_dir, "model.onnx"), options,
                                       providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - report any load error as ORT's own words
        message = first_line(str(error))
        if re.search(r"NOT_IMPLEMENTED|Could not find an implementation|is not a registered function/op|"
                     r"opset .* is under development|Unsupported model IR version|not supported|unsupported",
                     str(error), re.IGNORECASE):
            print(f"error: not supported by onnxruntime: {message}", file=sys.stderr)
        else:
            print(f"error: {message}", file=sys.stderr)
        return 1

    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    all_passed = True
    for data_dir in sorted(glob.glob(os.path.join(test_dir, "test_data_set_*"))):
        def load(prefix, infos):
            values = []
            for k in range(len(infos)):
                path = os.path.join(data_dir, f"{prefix}_{k}.pb")
                if not os.path.exists(path):  # graph inputs that are initializers need no file
                    break
                values.append(numpy_helper.to_array(onnx.load_tensor(path)))
            return values
        initializers = {t.name for t in model.graph.initializer}
        feedable = [info for info in model.graph.input if info.name not in initializers]
        inputs = load("input", feedable)
        expected = load("output", model.graph.output)
        label = os.path.basename(data_dir)
        try:
            got = session.run(None, {info.name: value for info, value in zip(feedable, inputs)})
        except Exception as error:  # noqa: BLE001
            print(f"FAIL {label}: run error: {first_line(str(error))}")
            print(f"error: {first_line(str(error))}", file=sys.stderr)
            all_passed = False
            continue
        worst, problem = 0.0, None
        for info, want, have in zip(model.graph.output, expected, got):
            have = np.asarray(have)
            if have.shape != want.shape:
                problem = f"{info.name}: shape {list(have.shape)} != expected {list(want.shape)}"
                break
            if want.dtype.kind in "fc":
                if not np.allclose(have, want, rtol=rtol, atol=atol, equal_nan=True):
                    problem = f"{info.name}: values differ"
                with np.errstate(invalid="ignore"):
                    diff = np.abs(have.astype(np.float64) - want.astype(np.float64))
                finite = diff[np.isfinite(diff)]
                worst = max(worst, float(finite.max()) if finite.size else 0.0)
            elif not np.array_equal(have, want):
                problem = f"{info.name}: values differ"
            if problem:
                break
        if problem:
            print(f"FAIL {label}: {problem} (max abs error {worst:.3g})")
            all_passed = False
        else:
            print(f"PASS {label} (max abs error {worst:.3g})")
    return 0 if all_passed else 1


# --------------------------------------------------------------------------- reporting


def print_table(index: dict, outcomes: dict[str, Outcome], names: list[str], verbose: bool, checker: str) -> dict:
    per_op: dict[str, dict[str, int]] = {}
    for name in names:
        op = index["cases"][name]["op"]
        row = per_op.setdefault(op, dict.fromkeys(STATUSES, 0))
        row[outcomes[name].status] += 1
    totals = dict.fromkeys(STATUSES, 0)
    for row in per_op.values():
        for status in STATUSES:
            totals[status] += row[status]
    in_scope = len(names) - totals["skipped"]
    rate = 100.0 * totals["passed"] / in_scope if in_scope else 0.0

    width = max([len("operator")] + [len(op) for op in per_op])
    header = f"{'operator':<{width}}  " + "  ".join(f"{s:>11}" for s in STATUSES)
    print(f"checker: {checker}")
    print(header)
    print("-" * len(header))
    for op in sorted(per_op, key=lambda op: (op in MODEL_SUITES, op)):  # the model suites last
        print(f"{op:<{width}}  " + "  ".join(f"{per_op[op][s]:>11}" for s in STATUSES))
    print("-" * len(header))
    print(f"{'total':<{width}}  " + "  ".join(f"{totals[s]:>11}" for s in STATUSES))
    print(f"{len(names)} cases, {in_scope} in scope: {totals['passed']} passed ({rate:.1f}% of in-scope), "
          f"{totals['failed']} failed, {totals['unsupported']} unsupported, {totals['crashed']} crashed, "
          f"{totals['skipped']} skipped")
    if verbose:
        for status in ("crashed", "failed", "unsupported", "skipped"):
            for name in names:
                if outcomes[name].status == status:
                    print(f"  {status:11s} {name}: {outcomes[name].reason}")
    return {"totals": totals, "in_scope": in_scope, "pass_rate": rate, "operators": per_op}


def read_manifest(path: str) -> list[str]:
    with open(path) as f:
        return sorted({line.strip() for line in f if line.strip() and not line.startswith("#")})


def default_binary() -> str | None:
    for configuration in ("release", "debug"):
        candidate = os.path.join(REPO_ROOT, ".build", configuration, "swiftc-infer")
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--ort-check":  # internal: one case on ONNX Runtime
        internal = argparse.ArgumentParser()
        internal.add_argument("dir")
        internal.add_argument("--rtol", type=float, default=1e-3)
        internal.add_argument("--atol", type=float, default=1e-7)
        options = internal.parse_args(sys.argv[2:])
        return ort_check(options.dir, options.rtol, options.atol)

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="swiftc-infer to test (default: .build/release, then .build/debug)")
    parser.add_argument("--reference-ort", action="store_true",
                        help="check the cases with ONNX Runtime instead of swiftc-infer (the bar to meet)")
    parser.add_argument("--cache", default=DEFAULT_CACHE, help="where the generated cases live (default: %(default)s)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the cases even if cached")
    parser.add_argument("--generate-only", action="store_true",
                        help="only make sure the case cache is current (fast when it is), run nothing")
    parser.add_argument("--ops", help="comma-separated operators to run (e.g. Add,Conv)")
    parser.add_argument("-k", dest="pattern", help="only cases whose name matches this regular expression")
    parser.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case (default: %(default)s)")
    parser.add_argument("--opt-level", choices=["O0", "O1", "O2"], default=None,
                        help="pass -O0/-O1/-O2 to `swiftc-infer check` (default: its own, -O2)")
    parser.add_argument("--manifest", metavar="FILE", help="write the sorted names of passing cases to FILE")
    parser.add_argument("--check-manifest", metavar="FILE",
                        help="run only the cases listed in FILE; exit 1 listing any that no longer pass")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of the table")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case that did not pass, with why")
    args = parser.parse_args()

    if args.generate_only:
        index = generate_cases(os.path.abspath(args.cache), args.regenerate)
        in_scope = sum(1 for entry in index["cases"].values() if entry["skip"] is None)
        models = sum(1 for name in index["cases"] if "/" in name)
        print(f"{len(index['cases'])} ONNX {index['onnx_version']} test cases ({len(index['cases']) - models} node, "
              f"{models} model; {in_scope} in scope) in {os.path.abspath(args.cache)}", file=sys.stderr)
        return 0

    if args.reference_ort:
        command = [sys.executable, os.path.abspath(__file__), "--ort-check"]
        checker = "onnxruntime (--reference-ort)"
    else:
        binary = args.binary or default_binary()
        if not binary or not os.access(binary, os.X_OK):
            print("error: no swiftc-infer binary: run `swift build` (or -c release), pass --binary PATH, "
                  "or use --reference-ort", file=sys.stderr)
            return 2
        command = [os.path.abspath(binary), "check"] + (["-" + args.opt_level] if args.opt_level else [])
        checker = os.path.abspath(binary)
        if checker.startswith(REPO_ROOT + os.sep):
            checker = os.path.relpath(checker, REPO_ROOT)

    index = generate_cases(os.path.abspath(args.cache), args.regenerate)
    cases = index["cases"]
    names = sorted(cases)
    missing: list[str] = []
    if args.check_manifest:
        listed = read_manifest(args.check_manifest)
        missing = [name for name in listed if name not in cases]
        names = [name for name in listed if name in cases]
    if args.ops:
        wanted = {op.strip().lower() for op in args.ops.split(",") if op.strip()}
        names = [name for name in names if cases[name]["op"].lower() in wanted]
    if args.pattern:
        names = [name for name in names if re.search(args.pattern, name)]

    outcomes: dict[str, Outcome] = {}
    to_run = []
    for name in names:
        if cases[name]["skip"]:
            outcomes[name] = Outcome(name, "skipped", cases[name]["skip"])
        else:
            to_run.append(name)

    started = time.time()
    show_progress = sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, command + [os.path.join(os.path.abspath(args.cache), name)]
                               + tolerance_arguments(cases[name]), name, args.timeout)
                   for name in to_run]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            outcome = future.result()
            outcomes[outcome.name] = outcome
            if show_progress:
                print(f"\r{done}/{len(to_run)} cases", end="", file=sys.stderr, flush=True)
    if show_progress:
        print(f"\r{len(to_run)} cases run in {time.time() - started:.0f} s", file=sys.stderr)

    passing = sorted(name for name in names if outcomes[name].status == "passed")
    if args.json:
        import io
        from contextlib import redirect_stdout
        with redirect_stdout(io.StringIO()):
            summary = print_table(index, outcomes, names, False, checker)
        summary.update({
            "checker": checker,
            "onnx_version": index["onnx_version"],
            "cases": {name: {"op": cases[name]["op"], "status": outcomes[name].status,
                             "reason": outcomes[name].reason} for name in names},
        })
        print(json.dumps(summary, indent=1, sort_keys=True))
    else:
        print_table(index, outcomes, names, args.verbose, checker)

    if args.manifest:
        header = []  # an existing manifest's leading comment lines are kept
        if os.path.exists(args.manifest):
            with open(args.manifest) as f:
                for line in f:
                    if not line.startswith("#"):
                        break
                    header.append(line)
        with open(args.manifest, "w") as f:
            f.writelines(header + [name + "\n" for name in passing])
        print(f"wrote {len(passing)} passing case names to {args.manifest}", file=sys.stderr)

    if args.check_manifest:
        regressions = [f"{name}: not generated by onnx {index['onnx_version']}" for name in missing]
        regressions += [f"{name}: {outcomes[name].status} {outcomes[name].reason}".rstrip()
                        for name in names if outcomes[name].status != "passed"]
        if regressions:
            print(f"{len(regressions)} case(s) in {args.check_manifest} no longer pass:", file=sys.stderr)
            for line in regressions:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"all {len(names)} case(s) in {args.check_manifest} pass", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

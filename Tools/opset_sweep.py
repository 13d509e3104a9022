#!/usr/bin/env python3
"""Which versions of each ai.onnx operator swiftc-infer refuses, found by asking the binary.

For every ai.onnx operator in `onnx.defs` and every version of it (its since_versions), this
writes a one-node model importing exactly that opset and runs `swiftc-infer inspect` on it. The
node has no inputs, so import or shape inference always fails; what matters is how:

  refused       the opset gate: "<op> ... is supported from opset N" (import) or
                "opsets before N are not supported" (execution)
  unregistered  "operator is not supported": the engine does not know the operator at all
  accepted      anything else (the gate let the node through to shape inference)

Only `accepted` versions can run; whether their semantics are right is what the fixtures in
Graphs/old-opsets (Tools/make_old_opset_fixtures.py) and the conformance cases test.

    python3 Tools/opset_sweep.py                       # refused versions of every registered operator
    python3 Tools/opset_sweep.py --max-opset 6         # only versions 1-6
    python3 Tools/opset_sweep.py --markdown docs/old-opsets.md   # write the opsets 1-6 table
"""

from __future__ import annotations

import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

import onnx
import onnx.defs
from onnx import TensorProto, helper

from conformance import default_binary  # Tools/ is on sys.path when a script here runs

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO_ROOT, "Graphs", "old-opsets")
PYTORCH_SUITES = ("pytorch-converted", "pytorch-operator")
OLD_OPSET = 6  # the table covers opsets 1..OLD_OPSET

REFUSED = re.compile(r"is supported from opset \d+|opsets before \d+ are not supported")
UNREGISTERED = re.compile(r"operator is not supported")

# What each old version means, for the table (the semantics the engine implements).
NOTES = {
    "Add": "`broadcast`/`axis` attributes: B broadcasts onto A only with broadcast=1 (suffix or axis alignment)",
    "BatchNormalization": "`is_test`=1 required (0 is training mode, refused); `spatial`=0: scale/B/mean/var per element of C×D1×…; `consumed_inputs` ignored",
    "Cast": "Cast-1: `to` is the type's name as a string (\"FLOAT\", \"INT64\", …)",
    "Concat": "Concat-1: `axis` defaults to 1",
    "Dropout": "`is_test`=1 required (0 is training mode, refused); the mask output is all true",
    "Gemm": "C required; `broadcast`=0: C must be exactly [M, N]; `broadcast`=1: C broadcasts to [M, N]",
    "GRU": "GRU-1/3: `output_sequence` ignored (Y is produced when asked for); GRU-1 has no `linear_before_reset`",
    "LSTM": "LSTM-1: `output_sequence` ignored (Y is produced when asked for)",
    "LpPool": "LpPool-1: `p` is a float",
    "Pad": "Pad-1: `paddings` (begins then ends) and `value` attributes; modes constant, reflect, edge",
    "PRelu": "slope of one element, X's shape, or 1-D of X's channel count (applied along axis 1)",
    "Reshape": "Reshape-1: target shape in the `shape` attribute",
    "RNN": "RNN-1: `output_sequence` ignored (Y is produced when asked for)",
    "Slice": "Slice-1: `starts`/`ends`/`axes` attributes",
    "Split": "Split-1: lengths from the `split` attribute or a second input (typed like the data)",
    "Softmax": "before 13: the input is flattened to 2-D at `axis` (default 1)",
    "Squeeze": "`axes` attribute",
    "Tile": "Tile-1: `tiles` (count) and `axis` one-value inputs (typed like the data): copies along one axis",
    "TopK": "TopK-1: `k` attribute",
    "Upsample": "Upsample-1: 4-D input, `height_scale`/`width_scale` attributes, `mode` nearest or bilinear (asymmetric coordinates)",
    "Unsqueeze": "`axes` attribute",
}
for _op in ("Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less"):
    NOTES[_op] = NOTES["Add"]
for _op in ("LogSoftmax", "Hardmax"):
    NOTES[_op] = NOTES["Softmax"]


def onnx_versions() -> dict[str, list[int]]:
    """Every ai.onnx operator (deprecated ones included) and its since_versions."""
    versions: dict[str, set[int]] = defaultdict(set)
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain in ("", "ai.onnx"):
            versions[schema.name].add(schema.since_version)
    return {op: sorted(v) for op, v in versions.items()}


def probe_model(op: str, opset: int) -> bytes:
    node = helper.make_node(op, [], ["y"], name="probe")
    output = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph([node], "probe", [], [output]),
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 3 if opset < 7 else 8
    return model.SerializeToString()


def probe(binary: str, directory: str, op: str, opset: int) -> str:
    path = os.path.join(directory, f"{op}-{opset}.onnx")
    with open(path, "wb") as f:
        f.write(probe_model(op, opset))
    result = subprocess.run([binary, "inspect", path], capture_output=True, text=True, errors="replace",
                            stdin=subprocess.DEVNULL, timeout=60)
    if result.returncode not in (0, 1):
        return f"crashed (exit {result.returncode}): {result.stderr.strip()[:200]}"
    # Import errors go to stderr (exit 1); inspect prints shape-inference failures in its report.
    said = result.stderr + result.stdout
    if REFUSED.search(said):
        return "refused"
    if UNREGISTERED.search(said):
        return "unregistered"
    return "accepted"


def sweep(binary: str, max_opset: int | None, jobs: int) -> dict[str, dict[int, str]]:
    """{op: {since_version: status}} for every ai.onnx operator."""
    versions = onnx_versions()
    work = [(op, v) for op, vs in versions.items() for v in vs if max_opset is None or v <= max_opset]
    status: dict[str, dict[int, str]] = defaultdict(dict)
    with tempfile.TemporaryDirectory() as directory, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(probe, binary, directory, op, v): (op, v) for op, v in work}
        for future in concurrent.futures.as_completed(futures):
            op, v = futures[future]
            status[op][v] = future.result()
    return {op: dict(sorted(status[op].items())) for op in sorted(status)}


def schema_version(op: str, opset: int) -> int | None:
    try:
        return onnx.defs.get_schema(op, opset).since_version
    except onnx.defs.SchemaError:
        return None


def fixture_coverage() -> dict[tuple[str, int], list[str]]:
    """(op, since_version <= OLD_OPSET) -> the committed fixtures and ONNX pytorch cases using it."""
    cases = [(os.path.basename(d), d) for d in sorted(glob.glob(os.path.join(FIXTURES, "*")))]
    data = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    for suite in PYTORCH_SUITES:
        cases += [(f"{suite}/{os.path.basename(d)}", d) for d in sorted(glob.glob(os.path.join(data, suite, "*")))]
    coverage: dict[tuple[str, int], list[str]] = defaultdict(list)
    for name, directory in cases:
        path = os.path.join(directory, "model.onnx")
        if not os.path.exists(path):
            continue
        model = onnx.load(path, load_external_data=False)
        opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
        if opset is None:
            continue
        for op in sorted({n.op_type for n in model.graph.node if n.domain in ("", "ai.onnx")}):
            version = schema_version(op, opset)
            if version is not None and version <= OLD_OPSET and name not in coverage[(op, version)]:
                coverage[(op, version)].append(name)
    return coverage


def markdown(status: dict[str, dict[int, str]]) -> str:
    coverage = fixture_coverage()
    registered = {op: s for op, s in status.items() if any(v != "unregistered" for v in s.values())}
    old = {op: {v: st for v, st in s.items() if v <= OLD_OPSET} for op, s in registered.items()}
    old = {op: s for op, s in old.items() if s}
    versions = sum(len(s) for s in old.values())
    supported = sum(1 for s in old.values() for st in s.values() if st == "accepted")
    unregistered = sorted(op for op, s in status.items()
                          if all(v == "unregistered" for v in s.values()) and min(s) <= OLD_OPSET)
    lines = [
        "# Old opsets (1–6)",
        "",
        "Which versions 1–6 of each `ai.onnx` operator swiftc-infer imports and runs with their old",
        "semantics. Generated by asking the binary (a one-node model per operator version, run through",
        "`swiftc-infer inspect`; see the script's docstring) — regenerate after changing an operator:",
        "",
        "```sh",
        "swift build && python3 Tools/opset_sweep.py --markdown docs/old-opsets.md",
        "```",
        "",
        f"{len(old)} registered operators have versions 1–6: {supported} of their {versions} versions are",
        f"supported; {versions - supported} are refused, with an error naming the node, operator and opset.",
        "A version is the ONNX since_version: a model importing opset 5 runs Cast-1, one importing 6 runs Cast-6.",
        "",
        "Tested by: the committed fixtures in `Graphs/old-opsets/` (made by",
        "`Tools/make_old_opset_fixtures.py`, expected outputs from `onnx.reference`, ONNX Runtime or",
        "numpy as each case's `source.txt` says; run by `OldOpsetTests`) and the ONNX package's",
        "`pytorch-converted`/`pytorch-operator` model cases (opset 6, run by `Tools/conformance.py` and",
        "`ConformanceManifestTests`, at -O0 for now). Where an old version's semantics differ and no",
        "test is listed, the operator's unit tests in `Tests/InferRuntimeTests` cover it (e.g. legacy",
        "broadcasting of Add/Mul/Sub/Greater in `ElementwiseBinaryTests`, Reshape-1, Slice-1, Squeeze-1);",
        "the remaining versions differ from the next one only in `consumed_inputs` or type lists.",
        "",
        "`onnx.reference` gets some old versions wrong, so those fixtures take their expected values",
        "elsewhere: Softmax/Hardmax before 13 (it normalizes the last axis instead of flattening from",
        "`axis`), BatchNormalization `spatial`=0 and at opset 7 (training mode), and it has no",
        "implementation of Gemm-1, BatchNormalization-1, Dropout-6, Split-1, Tile-1, Cast-1 with a",
        "name, RNN-1, GRU-3 with `output_sequence` or Upsample-1.",
        "",
        "| operator | versions ≤ 6 | supported | refused | old semantics | tested by |",
        "|---|---|---|---|---|---|",
    ]
    for op in sorted(old):
        s = old[op]
        ok = [str(v) for v, st in s.items() if st == "accepted"]
        bad = [f"{v} ({st})" if st not in ("refused", "accepted") else str(v) for v, st in s.items() if st != "accepted"]
        tests = []
        for v in s:
            names = coverage.get((op, v), [])
            own = [n for n in names if "/" not in n]
            pytorch = len(names) - len(own)
            parts = [f"`{n}`" for n in own] + ([f"{pytorch} pytorch case{'s' if pytorch != 1 else ''}"] if pytorch else [])
            if parts:
                tests.append(f"{v}: " + ", ".join(parts))
        lines.append(f"| {op} | {', '.join(map(str, s))} | {', '.join(ok) or '–'} | {', '.join(bad) or '–'} | "
                     f"{NOTES.get(op, '')} | {'; '.join(tests)} |")
    lines += [
        "",
        "Operators with versions 1–6 that swiftc-infer does not implement at any opset: "
        + (", ".join(unregistered) if unregistered else "none") + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="swiftc-infer to ask (default: .build/release, then .build/debug)")
    parser.add_argument("--max-opset", type=int, help="only operator versions up to this one")
    parser.add_argument("--markdown", metavar="FILE", help=f"write the table of versions 1-{OLD_OPSET} to FILE")
    parser.add_argument("--jobs", type=int, default=2, help="probes run in parallel (default: %(default)s)")
    args = parser.parse_args()
    binary = args.binary or default_binary()
    if not binary or not os.access(binary, os.X_OK):
        print("error: no swiftc-infer binary: run `swift build` or pass --binary PATH", file=sys.stderr)
        return 2
    max_opset = OLD_OPSET if args.markdown else args.max_opset
    status = sweep(os.path.abspath(binary), max_opset, args.jobs)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(status))
        print(f"wrote {args.markdown}", file=sys.stderr)
        return 0
    problems = 0
    for op, s in status.items():
        if all(st == "unregistered" for st in s.values()):
            continue
        refused = [v for v, st in s.items() if st != "accepted"]
        if refused:
            problems += 1
            details = ", ".join(str(v) if s[v] == "refused" else f"{v} {s[v]}" for v in refused)
            print(f"{op}: refuses {details} (ONNX versions {', '.join(map(str, s))})")
    registered = sum(1 for s in status.values() if any(st != "unregistered" for st in s.values()))
    print(f"{registered} registered ai.onnx operators, {problems} refuse some version", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

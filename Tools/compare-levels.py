#!/usr/bin/env python3
"""How far the optimized engine (-O2) is from the graph as imported (-O0), per model.

    python3 Tools/compare-levels.py [--binary .build/release/swiftc-infer] [DIR ...]

Runs `swiftc-infer run` at -O0 and -O2 on data set 0 of every ONNX test directory given
(default: Graphs/models/* and Graphs/bench/*) and prints, per model, the largest absolute
difference, that difference relative to the output's largest magnitude (max |a - b| / max |b|,
the figure an allclose with rtol and a scale-sized atol sees), and the largest elementwise
relative difference |a - b| / |b| over elements with |b| at least 1e-3 of that magnitude
(values near 0 excluded: there the rounding of a reassociated sum dominates).
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def run(binary, model, inputs, level, out):
    args = [binary, "run", model, "--output-dir", out, level]
    for name, path in inputs:
        args += ["--input", f"{name}={path}"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{model} {level}: {r.stderr.strip()}")
    return {os.path.basename(p)[:-4]: np.load(p) for p in glob.glob(os.path.join(out, "*.npy"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/swiftc-infer")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    dirs = args.dirs or sorted(glob.glob("Graphs/models/*")) + sorted(glob.glob("Graphs/bench/*"))
    print("| model | max abs diff | max abs diff / max abs value | max elementwise rel diff |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for d in dirs:
        model = os.path.join(d, "model.onnx")
        sets = sorted(glob.glob(os.path.join(d, "test_data_set_*")))
        if not os.path.exists(model) or not sets:
            continue
        names = [i.name for i in onnx.load(model, load_external_data=False).graph.input]
        inputs = []
        for k, p in enumerate(sorted(glob.glob(os.path.join(sets[0], "input_*.pb")))):
            t = onnx.load_tensor(p)
            inputs.append((t.name or names[k], p))
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            o0, o2 = run(args.binary, model, inputs, "-O0", a), run(args.binary, model, inputs, "-O2", b)
        abs_diff = rel_diff = scaled = 0.0
        for name, ref in o0.items():
            got = o2[name].astype(np.float64)
            ref = ref.astype(np.float64)
            diff = np.abs(got - ref)
            abs_diff = max(abs_diff, float(diff.max(initial=0)))
            scale = float(np.abs(ref).max(initial=0))
            if scale > 0:
                scaled = max(scaled, float(diff.max(initial=0)) / scale)
            mask = np.abs(ref) >= 1e-3 * scale
            if mask.any():
                rel_diff = max(rel_diff, float((diff[mask] / np.abs(ref[mask])).max()))
        worst = max(worst, rel_diff)
        print(f"| {os.path.relpath(d, 'Graphs')} | {abs_diff:.3g} | {scaled:.3g} | {rel_diff:.3g} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks an ONNX file written by `swiftc-infer compile --emit-onnx`.

    python3 Tools/check_onnx_file.py FILE                  # onnx.checker accepts it
    python3 Tools/check_onnx_file.py FILE --ort TEST_DIR   # and ONNX Runtime reproduces TEST_DIR's outputs

TEST_DIR is an ONNX test directory (test_data_set_*/input_K.pb, output_K.pb), e.g. the source
model's folder under Graphs/models. Used by Tests/CLITests/EmitONNXTests.swift; prints one line
and exits 1 on any failure.
"""
import argparse
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def load_tensors(paths):
    out = []
    for p in paths:
        t = onnx.TensorProto()
        with open(p, "rb") as f:
            t.ParseFromString(f.read())
        out.append((t.name, numpy_helper.to_array(t)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--ort", metavar="TEST_DIR", help="run the file in ONNX Runtime on TEST_DIR's data sets")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    args = ap.parse_args()

    model = onnx.load(args.file)
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        print(f"FAIL onnx.checker: {str(e).splitlines()[0]}")
        return 1
    if not args.ort:
        print("PASS onnx.checker")
        return 0

    import onnxruntime as ort
    session = ort.InferenceSession(args.file, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    sets = sorted(glob.glob(os.path.join(args.ort, "test_data_set_*")))
    if not sets:
        print(f"FAIL no test_data_set_* in {args.ort}")
        return 1
    outputs = [o.name for o in session.get_outputs()]
    for ds in sets:
        key = lambda p: int(os.path.basename(p)[len("input_"):-3]) if "input_" in p else int(os.path.basename(p)[len("output_"):-3])
        inputs = load_tensors(sorted(glob.glob(os.path.join(ds, "input_*.pb")), key=key))
        feeds = {(n if n in names else names[k]): a for k, (n, a) in enumerate(inputs)}
        expected = load_tensors(sorted(glob.glob(os.path.join(ds, "output_*.pb")), key=key))
        got = dict(zip(outputs, session.run(None, feeds)))
        for k, (name, want) in enumerate(expected):
            have = got.get(name if name in got else outputs[k])
            if have is None or have.shape != want.shape or not np.allclose(have, want, rtol=args.rtol, atol=args.atol):
                err = "missing" if have is None else f"shape {have.shape} vs {want.shape}" if have.shape != want.shape \
                    else f"max abs err {float(np.abs(have - want).max()):.3g}"
                print(f"FAIL {os.path.basename(ds)} output {name}: {err}")
                return 1
    print(f"PASS onnx.checker and ONNX Runtime on {len(sets)} data set(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

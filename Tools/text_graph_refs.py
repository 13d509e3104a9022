#!/usr/bin/env python3
"""Reference outputs for the example graphs in Graphs/*.onnxtxt, computed with ONNX Runtime.

For each Graphs/<name>.onnxtxt this parses the text with onnx.parser.parse_model, runs
onnx.checker.check_model (full check), draws seeded random inputs (symbolic dims bound to small
values, see SYMBOL_VALUES) and runs ONNX Runtime on 1 thread. It writes an ONNX test directory:

    Graphs/expected/<name>/model.onnx                         the model in binary protobuf form
    Graphs/expected/<name>/test_data_set_0/input_<K>.pb       TensorProto, name = graph input K
    Graphs/expected/<name>/test_data_set_0/output_<K>.pb      TensorProto, name = graph output K

K follows the order of graph inputs that are not initializers, and of graph outputs.

With --check-printed DIR it instead checks text printed by this project's ONNXTextPrinter (the
Swift test `TextPrinterONNXCompatibilityTests` writes DIR/<name>.onnxtxt when the environment
variable TEXT_IR_PRINT_DIR=DIR is set): onnx.parser.parse_model must accept every file, and where
Graphs/<name>.onnxtxt exists, ONNX Runtime must give bit-identical outputs for both texts.

Usage: python3 Tools/text_graph_refs.py [--check-printed DIR]
"""
import argparse
import pathlib
import sys
import zlib

import numpy as np
import onnx
from onnx import numpy_helper
import onnxruntime as ort

ROOT = pathlib.Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "Graphs"
EXPECTED = GRAPHS / "expected"
# Values bound to symbolic dimensions; any other symbol (or '?') becomes DEFAULT_DIM.
SYMBOL_VALUES = {"N": 2, "S": 3}
DEFAULT_DIM = 2


def concrete_shape(value_info):
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(d.dim_value)
        else:
            dims.append(SYMBOL_VALUES.get(d.dim_param, DEFAULT_DIM))
    return dims


def make_inputs(model, seed):
    rng = np.random.default_rng(seed)
    initializers = {t.name for t in model.graph.initializer}
    feeds = {}
    for vi in model.graph.input:
        if vi.name in initializers:
            continue
        np_type = onnx.helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
        shape = concrete_shape(vi)
        if np.issubdtype(np_type, np.floating):
            value = rng.standard_normal(shape).astype(np_type)
        elif np_type == np.bool_:
            value = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            value = rng.integers(0, 5, shape).astype(np_type)
        feeds[vi.name] = value
    return feeds


def run(model, feeds):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in model.graph.output]
    return names, session.run(names, feeds)


def load(path):
    model = onnx.parser.parse_model(path.read_text())
    onnx.checker.check_model(model, full_check=True)
    return model


def write_references():
    for path in sorted(GRAPHS.glob("*.onnxtxt")):
        name = path.stem
        model = load(path)
        feeds = make_inputs(model, seed=zlib.crc32(name.encode()))
        output_names, outputs = run(model, feeds)
        out_dir = EXPECTED / name
        data_dir = out_dir / "test_data_set_0"
        data_dir.mkdir(parents=True, exist_ok=True)
        for old in data_dir.glob("*.pb"):
            old.unlink()
        (out_dir / "model.onnx").write_bytes(model.SerializeToString())
        for k, (input_name, value) in enumerate(feeds.items()):
            (data_dir / f"input_{k}.pb").write_bytes(numpy_helper.from_array(value, input_name).SerializeToString())
        for k, (output_name, value) in enumerate(zip(output_names, outputs)):
            (data_dir / f"output_{k}.pb").write_bytes(numpy_helper.from_array(value, output_name).SerializeToString())
        shapes = ", ".join(f"{n}{list(v.shape)}" for n, v in zip(output_names, outputs))
        print(f"{name}: {len(model.graph.node)} nodes, inputs {list(feeds)}, outputs {shapes} -> {out_dir.relative_to(ROOT)}")


def check_printed(directory):
    failures = 0
    files = sorted(pathlib.Path(directory).glob("*.onnxtxt"))
    if not files:
        sys.exit(f"no .onnxtxt files in {directory}")
    for path in files:
        try:
            printed = onnx.parser.parse_model(path.read_text())
        except Exception as error:  # the whole point is to report what ONNX rejects
            print(f"FAIL {path.name}: onnx.parser.parse_model rejected it: {error}")
            failures += 1
            continue
        original_path = GRAPHS / path.name
        if not original_path.exists():
            print(f"PASS {path.name}: parsed ({len(printed.graph.node)} nodes)")
            continue
        onnx.checker.check_model(printed, full_check=True)
        original = load(original_path)
        feeds = make_inputs(original, seed=zlib.crc32(path.stem.encode()))
        _, expected = run(original, feeds)
        _, actual = run(printed, feeds)
        same = all(a.tobytes() == e.tobytes() for a, e in zip(actual, expected))
        print(f"{'PASS' if same else 'FAIL'} {path.name}: parsed, checker ok, outputs {'bit-identical' if same else 'DIFFER'}")
        failures += 0 if same else 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-printed", metavar="DIR")
    args = parser.parse_args()
    if args.check_printed:
        check_printed(args.check_printed)
    else:
        write_references()

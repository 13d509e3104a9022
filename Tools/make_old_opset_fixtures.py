#!/usr/bin/env python3
"""Writes Graphs/old-opsets/: one-node models at opsets 1-6, with their old semantics' outputs.

Each case is an ONNX test directory (model.onnx, test_data_set_0/input_K.pb, output_K.pb) run by
`swiftc-infer check` and by Tests/InferRuntimeTests/OldOpsetTests.swift, plus source.txt saying
where the expected outputs came from. ONNX Runtime implements none of these versions and
onnx.reference only some, so each case names its reference:

  reference        onnx.reference.ReferenceEvaluator on the model itself
  converted N      onnx.version_converter (ONNX's own version adapters) to opset N, then
                   ReferenceEvaluator, or ONNX Runtime where ReferenceEvaluator gets that
                   version wrong (BatchNormalization spatial=0 and opset 7; bilinear Upsample)
  same at N        the same node at opset N in ReferenceEvaluator, for versions ONNX changed
                   without changing the computation (the reason is in source.txt); no adapter exists
  numpy            a short numpy formula of the operator's definition (in this file)

Inputs are seeded, so every run writes the same bytes:

    python3 Tools/make_old_opset_fixtures.py
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper, version_converter
from onnx.reference import ReferenceEvaluator

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO_ROOT, "Graphs", "old-opsets")


@dataclass
class Case:
    name: str
    opset: int
    node: onnx.NodeProto
    inputs: dict[str, np.ndarray]            # fed at run time, in this order
    outputs: list[str]
    initializers: dict[str, np.ndarray] = field(default_factory=dict)
    reference: str = "reference"            # see the module docstring
    target: int | None = None               # N of "converted N" / "same at N"
    why: str = ""                           # for "same at N": why the computation is the same
    numpy: Callable[..., list[np.ndarray]] | None = None
    on_ort: bool = False                    # "converted N": run ONNX Runtime, not ReferenceEvaluator
    rewrite: Callable[[onnx.AttributeProto], onnx.AttributeProto] | None = None  # "same at N": per attribute


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def normal(seed: int, *shape: int) -> np.ndarray:
    return rng(seed).standard_normal(shape).astype(np.float32)


def value_info(name: str, array: np.ndarray | None) -> onnx.ValueInfoProto:
    if array is None:
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, None)
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(array.dtype), array.shape)


def build(case: Case, opset: int | None = None, outputs: list[np.ndarray] | None = None) -> onnx.ModelProto:
    """The case's model; output types come from `outputs` once the expected values are known."""
    opset = opset or case.opset
    outputs = outputs or [None] * len(case.outputs)
    graph = helper.make_graph(
        [case.node], case.name,
        [value_info(n, a) for n, a in case.inputs.items()],
        [value_info(n, a) for n, a in zip(case.outputs, outputs)],
        [numpy_helper.from_array(a, n) for n, a in case.initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="make_old_opset_fixtures")
    # IR 4, the first that lets initializers stay out of the graph inputs (IR 3 models list them
    # as inputs too; the ONNX pytorch-converted cases cover that layout).
    model.ir_version = 4
    return model


def expected(case: Case, model: onnx.ModelProto) -> tuple[list[np.ndarray], str]:
    feeds = dict(case.inputs)
    if case.reference == "reference":
        return ReferenceEvaluator(model).run(None, feeds), "onnx.reference.ReferenceEvaluator on this model"
    if case.reference == "converted":
        converted = version_converter.convert_version(model, case.target)
        if case.on_ort:
            # Upsample-7+ names bilinear "linear"; ONNX Runtime accepts only that spelling.
            renamed = ""
            for node in converted.graph.node:
                for attribute in node.attribute:
                    if attribute.name == "mode" and attribute.s == b"bilinear":
                        attribute.s, renamed = b"linear", " (mode bilinear spelled linear)"
            session = ort.InferenceSession(converted.SerializeToString(), providers=["CPUExecutionProvider"])
            return session.run(None, feeds), (f"onnx.version_converter to opset {case.target}, then ONNX Runtime "
                                              f"{ort.__version__}{renamed}")
        return (ReferenceEvaluator(converted).run(None, feeds),
                f"onnx.version_converter to opset {case.target}, then onnx.reference.ReferenceEvaluator")
    if case.reference == "same at":
        newer = build(case, case.target)
        newer_node = newer.graph.node[0]
        known = onnx.defs.get_schema(newer_node.op_type, case.target).attributes
        kept = [a for a in newer_node.attribute if a.name in known]  # e.g. output_sequence, consumed_inputs go
        if case.rewrite:
            kept = [case.rewrite(a) for a in kept]
        del newer_node.attribute[:]
        newer_node.attribute.extend(kept)
        return (ReferenceEvaluator(newer).run(None, feeds),
                f"onnx.reference.ReferenceEvaluator on the same node at opset {case.target}: {case.why}")
    if case.reference == "numpy":
        return case.numpy(**case.inputs, **case.initializers), f"numpy: {case.why}"
    raise ValueError(case.reference)


def write(case: Case) -> None:
    outputs, source = expected(case, build(case))
    outputs = [np.asarray(a) for a in outputs]
    model = build(case, outputs=outputs)
    onnx.checker.check_model(model, full_check=True)
    directory = os.path.join(OUT, case.name)
    data = os.path.join(directory, "test_data_set_0")
    os.makedirs(data)
    onnx.save_model(model, os.path.join(directory, "model.onnx"))
    for k, (name, array) in enumerate(case.inputs.items()):
        onnx.save_tensor(numpy_helper.from_array(array, name), os.path.join(data, f"input_{k}.pb"))
    for k, (name, array) in enumerate(zip(case.outputs, outputs)):
        onnx.save_tensor(numpy_helper.from_array(array, name), os.path.join(data, f"output_{k}.pb"))
    with open(os.path.join(directory, "source.txt"), "w") as f:
        f.write(f"{case.node.op_type} at opset {case.opset}; expected outputs: {source}\n")


def node(op: str, inputs: list[str], outputs: list[str], **attributes) -> onnx.NodeProto:
    return helper.make_node(op, inputs, outputs, name=f"old_{op.lower()}", **attributes)


def type_code(attribute: onnx.AttributeProto) -> onnx.AttributeProto:
    """Cast-1's `to` (a type name) as Cast-6's (its TensorProto.DataType code)."""
    if attribute.name != "to":
        return attribute
    return helper.make_attribute("to", TensorProto.DataType.Value(attribute.s.decode().upper()))


def flattened_softmax(x):
    """Softmax-1 with axis 1: over each row of x as [N, everything else]."""
    rows = x.reshape(x.shape[0], -1).astype(np.float64)
    e = np.exp(rows - rows.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).reshape(x.shape).astype(x.dtype)


def flattened_hardmax(x):
    """Hardmax-1 with axis 1: one-hot of each row's first maximum, x as [N, everything else]."""
    rows = x.reshape(x.shape[0], -1)
    out = np.zeros_like(rows)
    out[np.arange(rows.shape[0]), rows.argmax(axis=1)] = 1
    return out.reshape(x.shape)


def tile_along_axis(input, tiles, axis):  # noqa: A002 - the ONNX input name
    """Tile-1: `tiles` copies of `input` laid end to end along `axis`."""
    return [np.concatenate([input] * int(tiles.reshape(-1)[0]), axis=int(axis.reshape(-1)[0]))]


def recurrent_weights(seed: int, gates: int, directions: int, hidden: int, inputs: int) -> dict[str, np.ndarray]:
    r = rng(seed)
    return {
        "W": (r.standard_normal((directions, gates * hidden, inputs)) * 0.5).astype(np.float32),
        "R": (r.standard_normal((directions, gates * hidden, hidden)) * 0.5).astype(np.float32),
        "B": (r.standard_normal((directions, 2 * gates * hidden)) * 0.1).astype(np.float32),
    }


RECURRENT_WHY = ("opset 7 only dropped the output_sequence attribute (ONNX PR 1006, "
                 "'Simplify and clarify RNN spec by omitting output_sequence attribute')")


def cases() -> list[Case]:
    x4 = normal(1, 2, 3, 4, 5)
    bn_params = {"scale": normal(2, 3), "B": normal(3, 3), "mean": normal(4, 3),
                 "var": (rng(5).random(3) + 0.5).astype(np.float32)}
    bn_elementwise = {"scale": normal(6, 3, 2, 2), "B": normal(7, 3, 2, 2), "mean": normal(8, 3, 2, 2),
                      "var": (rng(9).random((3, 2, 2)) + 0.5).astype(np.float32)}
    cast_x = np.array([[1.7, -2.3, 0.0], [3.5, -0.5, 100.25]], dtype=np.float32)
    return [
        # Gemm-6: C broadcasts only with broadcast=1; Gemm-1 differs from Gemm-6 only in types.
        Case("gemm6_broadcast_bias", 6,
             node("Gemm", ["A", "B", "C"], ["Y"], broadcast=1, transB=1, alpha=0.5, beta=2.0),
             {"A": normal(10, 3, 4)}, ["Y"], {"B": normal(11, 5, 4), "C": normal(12, 5)}),
        Case("gemm6_full_bias", 6,
             node("Gemm", ["A", "B", "C"], ["Y"], transA=1),
             {"A": normal(13, 4, 3), "B": normal(14, 4, 5), "C": normal(15, 3, 5)}, ["Y"]),
        Case("gemm1_scalar_bias", 1,
             node("Gemm", ["A", "B", "C"], ["Y"], broadcast=1, beta=0.5),
             {"A": normal(16, 2, 3), "B": normal(17, 3, 4)}, ["Y"], {"C": normal(18, 1)},
             reference="same at", target=6,
             why="Gemm-6 only dropped Gemm-1's 'C can be inplace' note and its type list"),
        # BatchNormalization-1/6: is_test=1 is inference; spatial=0 normalizes per element.
        Case("batchnorm6_test_mode", 6,
             node("BatchNormalization", ["X", "scale", "B", "mean", "var"], ["Y"], is_test=1, epsilon=1e-3),
             {"X": x4}, ["Y"], bn_params),
        Case("batchnorm6_per_element", 6,
             node("BatchNormalization", ["X", "scale", "B", "mean", "var"], ["Y"], is_test=1, spatial=0),
             {"X": normal(19, 2, 3, 2, 2)}, ["Y"], bn_elementwise,
             reference="converted", target=7, on_ort=True),  # onnx.reference ignores spatial
        Case("batchnorm1_consumed_inputs", 1,
             node("BatchNormalization", ["X", "scale", "B", "mean", "var"], ["Y"], is_test=1,
                  consumed_inputs=[0, 0, 0, 1, 1]),
             {"X": x4}, ["Y"], bn_params, reference="converted", target=7,
             on_ort=True),  # onnx.reference runs BatchNormalization-7 as training mode
        # PRelu-1/6: one slope, one per channel (axis 1) or one per element.
        Case("prelu6_per_channel", 6, node("PRelu", ["X", "slope"], ["Y"]),
             {"X": x4}, ["Y"], {"slope": np.array([0.1, -0.5, 2.0], dtype=np.float32)}),
        Case("prelu1_shared_slope", 1, node("PRelu", ["X", "slope"], ["Y"], consumed_inputs=[0]),
             {"X": x4, "slope": np.array([0.25], dtype=np.float32)}, ["Y"], reference="same at", target=6,
             why="PRelu-6 only dropped the legacy consumed_inputs attribute"),
        Case("prelu6_per_element", 6, node("PRelu", ["X", "slope"], ["Y"]),
             {"X": normal(20, 2, 3), "slope": normal(21, 2, 3)}, ["Y"]),
        # Cast-1: `to` is the type's name.
        Case("cast1_float_to_int32", 1, node("Cast", ["x"], ["y"], to="INT32"),
             {"x": cast_x}, ["y"], reference="same at", target=6, rewrite=type_code,
             why="Cast-6 takes the TensorProto.DataType code of the same name (INT32 = 6)"),
        Case("cast5_int64_to_float", 5, node("Cast", ["x"], ["y"], to="FLOAT"),
             {"x": np.array([[-3, 0, 7], [1 << 40, 5, -(1 << 33)]], dtype=np.int64)}, ["y"],
             reference="same at", target=6, rewrite=type_code,
             why="Cast-6 takes the TensorProto.DataType code of the same name (FLOAT = 1)"),
        Case("cast1_float_to_bool", 1, node("Cast", ["x"], ["y"], to="bool"),
             {"x": cast_x}, ["y"], reference="same at", target=6, rewrite=type_code,
             why="Cast-6 takes the TensorProto.DataType code of the same name (BOOL = 9)"),
        # Tile-1: `tiles` copies along `axis`, both scalar inputs (typed like the data by the spec).
        Case("tile1_float_scalars", 1, node("Tile", ["input", "tiles", "axis"], ["output"]),
             {"input": normal(22, 2, 3)}, ["output"],
             {"tiles": np.array(3, dtype=np.float32), "axis": np.array(1, dtype=np.float32)},
             reference="numpy", numpy=tile_along_axis, why="np.concatenate([input] * tiles, axis)"),
        Case("tile5_runtime_inputs", 5, node("Tile", ["input", "tiles", "axis"], ["output"]),
             {"input": normal(23, 2, 1, 3), "tiles": np.array([2], dtype=np.float32),
              "axis": np.array([0], dtype=np.float32)}, ["output"],
             reference="numpy", numpy=tile_along_axis, why="np.concatenate([input] * tiles, axis)"),
        # Pad-1: `paddings` (all begins, then all ends) and `value`.
        Case("pad1_constant", 1, node("Pad", ["x"], ["y"], paddings=[0, 1, 2, 0, 2, 1], value=1.5),
             {"x": normal(24, 2, 3, 2)}, ["y"]),
        Case("pad1_reflect", 1, node("Pad", ["x"], ["y"], paddings=[1, 2, 2, 1], mode="reflect"),
             {"x": normal(25, 3, 4)}, ["y"]),
        Case("pad1_edge", 1, node("Pad", ["x"], ["y"], paddings=[0, 0, 1, 3, 0, 0, 2, 0], mode="edge"),
             {"x": normal(26, 1, 2, 3, 2)}, ["y"]),
        # Upsample-1 (= opsets 1-6): height_scale/width_scale of a 4-D input.
        Case("upsample1_nearest", 1, node("Upsample", ["X"], ["Y"], height_scale=2.0, width_scale=3.0),
             {"X": normal(27, 1, 2, 2, 3)}, ["Y"], reference="converted", target=9),
        Case("upsample6_bilinear", 6,
             node("Upsample", ["X"], ["Y"], height_scale=2.0, width_scale=2.5, mode="bilinear"),
             {"X": normal(28, 1, 2, 3, 4)}, ["Y"], reference="converted", target=9, on_ort=True),
        # Dropout-6: is_test=1 passes X through (and is_test=0, the default, is training mode).
        Case("dropout6_is_test", 6, node("Dropout", ["x"], ["y"], is_test=1, ratio=0.3),
             {"x": normal(29, 2, 3)}, ["y"], reference="converted", target=7),
        # Versions whose old attribute forms the engine already read before the gates came down.
        Case("concat1_default_axis", 1, node("Concat", ["a", "b"], ["y"]),
             {"a": normal(38, 2, 2, 3), "b": normal(39, 2, 1, 3)}, ["y"], reference="numpy",
             numpy=lambda a, b: [np.concatenate([a, b], axis=1)],
             why="np.concatenate([a, b], axis=1), Concat-1's default axis"),
        Case("split1_second_input", 1, node("Split", ["x", "split"], ["y0", "y1"], axis=1),
             {"x": normal(40, 2, 5)}, ["y0", "y1"], {"split": np.array([2, 3], dtype=np.float32)}, reference="numpy",
             numpy=lambda x, split: np.split(x, np.cumsum(split.astype(np.int64))[:-1], axis=1),
             why="np.split(x, np.cumsum(split)[:-1], axis=1), the lengths from the second input"),
        Case("lppool1_float_p", 1, node("LpPool", ["X"], ["Y"], kernel_shape=[2, 2], p=3.0),
             {"X": normal(41, 1, 2, 4, 4)}, ["Y"]),
        # onnx.reference runs these over the last axis only (Softmax-13's default), not Softmax-1's
        # input flattened to 2-D from axis 1.
        Case("softmax1_flattens_from_axis", 1, node("Softmax", ["x"], ["y"]),
             {"x": normal(42, 2, 3, 4)}, ["y"], reference="numpy", numpy=lambda x: [flattened_softmax(x)],
             why="softmax over the input reshaped to [2, 12] (flattened from axis 1), reshaped back"),
        Case("hardmax1_flattens_from_axis", 1, node("Hardmax", ["x"], ["y"]),
             {"x": normal(43, 2, 3, 4)}, ["y"], reference="numpy", numpy=lambda x: [flattened_hardmax(x)],
             why="1 at the first maximum of the input reshaped to [2, 12] (flattened from axis 1), else 0"),
        Case("and1_broadcast_axis", 1, node("And", ["a", "b"], ["y"], broadcast=1, axis=1),
             {"a": rng(44).random((2, 3, 4)) > 0.5, "b": rng(45).random(3) > 0.5}, ["y"], reference="numpy",
             numpy=lambda a, b: [np.logical_and(a, b[None, :, None])],
             why="np.logical_and(a, b[None, :, None]): B's dims matched to A's from axis 1"),
        Case("less1_broadcast_suffix", 1, node("Less", ["a", "b"], ["y"], broadcast=1),
             {"a": normal(46, 2, 3, 4), "b": normal(47, 3, 4)}, ["y"], reference="numpy",
             numpy=lambda a, b: [a < b[None, :, :]],
             why="a < b[None, :, :]: B's dims matched to A's trailing dims"),
        Case("topk1_k_attribute", 1, node("TopK", ["x"], ["values", "indices"], k=2),
             {"x": normal(48, 3, 5)}, ["values", "indices"]),
        # RNN-1, GRU-1, GRU-3, LSTM-1: as at opset 7 (which dropped output_sequence); onnx.reference
        # runs GRU-1 and LSTM-1, but not RNN-1 or an output_sequence attribute.
        Case("rnn1_output_sequence", 1,
             node("RNN", ["X", "W", "R", "B"], ["Y", "Y_h"], hidden_size=4, output_sequence=1),
             {"X": normal(30, 3, 2, 3)}, ["Y", "Y_h"], recurrent_weights(31, 1, 1, 4, 3),
             reference="same at", target=7, why=RECURRENT_WHY),
        Case("gru1_reverse", 1,
             node("GRU", ["X", "W", "R", "B"], ["Y", "Y_h"], hidden_size=4, direction="reverse"),
             {"X": normal(32, 3, 2, 3)}, ["Y", "Y_h"], recurrent_weights(33, 3, 1, 4, 3)),
        Case("gru3_linear_before_reset", 3,
             node("GRU", ["X", "W", "R", "B"], ["Y", "Y_h"], hidden_size=4, linear_before_reset=1,
                  output_sequence=1),
             {"X": normal(34, 3, 2, 3)}, ["Y", "Y_h"], recurrent_weights(35, 3, 1, 4, 3),
             reference="same at", target=7, why=RECURRENT_WHY),
        Case("lstm1_bidirectional", 1,
             node("LSTM", ["X", "W", "R", "B"], ["Y", "Y_h", "Y_c"], hidden_size=3, direction="bidirectional"),
             {"X": normal(36, 2, 2, 3)}, ["Y", "Y_h", "Y_c"], recurrent_weights(37, 4, 2, 3, 3)),
    ]


def main() -> int:
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for case in cases():
        write(case)
        print(f"wrote {os.path.relpath(os.path.join(OUT, case.name), REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

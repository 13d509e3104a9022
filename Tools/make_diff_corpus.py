#!/usr/bin/env python3
"""Builds the differential corpus: tiny seeded ONNX models, one per fusion and kernel specialization
of the engine, with ONNX Runtime's outputs as the expected values.

`swift test` (DifferentialCorpusTests) runs every case at -O0, -O1 and -O2 and fails when an optimized
output disagrees with ONNX Runtime or -O0, naming the case, level and output. Each case is one pattern
the optimizer rewrites (fold-batchnorm, fuse-layernorm/rmsnorm, fuse-gelu, fuse-attention,
fold-transpose-into-gemm, fuse-gemm-epilogue, fuse-elementwise, constant folding, CSE) or one path a
kernel dispatches to (pointwise / depthwise 3x3 / im2col convolution, GEMV and few-row GEMM, batched
MatMul, pooling fast paths). The `*_init_as_input` family lists its initializers as graph inputs
(`torch.onnx.export(keep_initializers_as_inputs=True)`, IR-3 style): data set 0 feeds only the real
inputs (the initializers are defaults), later data sets also feed a different value for an
initializer-input, which must win over the default.

    python3 Tools/make_diff_corpus.py [--out DIR]

Writes DIR/<case>/model.onnx + test_data_set_N/input_K.pb, output_K.pb (TensorProto with `name` set
to the graph input / output name; K counts the inputs a data set feeds, in graph-input order).
DIR defaults to Graphs/diff/. Every run writes the same bytes.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import zlib
from typing import Callable

import numpy as np
import onnx
from onnx import helper, numpy_helper

from make_models import directory_bytes, write_tensor

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE_BUDGET_BYTES = 3 * 1024 * 1024
# ORT with all graph optimizations vs none, and onnx.reference vs ORT, before outputs become expected values.
AGREE_RTOL, AGREE_ATOL = 1e-4, 1e-5


# --------------------------------------------------------------------------- model builder


class Net:
    """One corpus model: graph inputs with their data-set values, weights, nodes, outputs."""

    def __init__(self, name: str, opset: int = 17, ir_version: int = 8):
        self.name = name
        self.opset, self.ir_version = opset, ir_version
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))
        self.nodes: list[onnx.NodeProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.outputs: list[str] = []
        self.output_shapes: dict[str, list[int]] = {}  # declared where ONNX shape inference gives none (Loop)
        self.feeds: dict[str, np.ndarray] = {}      # data set 0: the real inputs only
        self.fed_sets: list[dict[str, np.ndarray]] = []  # later data sets: initializer-inputs overridden

    def input(self, name: str, shape, dtype=np.float32, values: np.ndarray | None = None) -> str:
        if values is None:
            values = self.rng.standard_normal(shape).astype(dtype)
        self.inputs.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), list(shape)))
        self.feeds[name] = values
        return name

    def weight(self, name: str, shape=None, std: float = 0.5, array: np.ndarray | None = None,
               as_input: bool = False) -> str:
        """An initializer (seeded normal unless `array`); `as_input` also lists it as a graph input."""
        if array is None:
            array = (self.rng.standard_normal(shape) * std).astype(np.float32)
        array = np.ascontiguousarray(array)
        self.initializers.append(numpy_helper.from_array(array, name))
        if as_input:
            self.inputs.append(helper.make_tensor_value_info(
                name, helper.np_dtype_to_tensor_dtype(array.dtype), list(array.shape)))
        return name

    def positive(self, name: str, shape, low: float = 0.5, high: float = 1.5, as_input: bool = False) -> str:
        return self.weight(name, array=self.rng.uniform(low, high, shape).astype(np.float32), as_input=as_input)

    def scalar(self, value, dtype=np.float32) -> str:
        """A Constant node, the way exporters write literals."""
        out = f"c{len(self.nodes)}"
        self.nodes.append(helper.make_node("Constant", [], [out], name=f"Constant_{len(self.nodes)}",
                                           value=numpy_helper.from_array(np.array(value, dtype=dtype))))
        return out

    def op(self, op_type: str, inputs: list[str], out: str | None = None, n_outputs: int = 1, **attributes):
        index = len(self.nodes)
        outputs = [out] if out else [f"t{index}_{k}" for k in range(n_outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=f"{op_type}_{index}", **attributes))
        return outputs[0] if n_outputs == 1 else outputs

    def output(self, value: str, shape: list[int] | None = None) -> None:
        self.outputs.append(value)
        if shape is not None:
            self.output_shapes[value] = shape

    def fed(self, **overrides: np.ndarray) -> None:
        """Another data set: the same real inputs, plus these values for initializer-inputs."""
        declared = {i.name for i in self.inputs}
        initial = {t.name for t in self.initializers}
        for name in overrides:
            assert name in declared and name in initial, f"{self.name}: {name} is not an initializer-input"
        self.fed_sets.append({**self.feeds, **overrides})

    def model(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs,
                                  [helper.make_empty_tensor_value_info(o) for o in self.outputs], self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  producer_name="swiftc-infer-make_diff_corpus", producer_version="1")
        model.ir_version = self.ir_version
        # Output types from ONNX shape inference, so the model declares them like an exporter would.
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        for declared, typed in zip(model.graph.output, inferred.graph.output):
            if declared.name in self.output_shapes:
                declared.CopyFrom(helper.make_tensor_value_info(declared.name, typed.type.tensor_type.elem_type,
                                                                self.output_shapes[declared.name]))
            else:
                declared.CopyFrom(typed)
        onnx.checker.check_model(model, full_check=True)
        return model

    def like(self, name: str, scale: float = 1.0) -> np.ndarray:
        """A fresh seeded value shaped like initializer `name` (to feed in its place)."""
        shape = next(numpy_helper.to_array(t).shape for t in self.initializers if t.name == name)
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)


def bn(n: Net, x: str, channels: int, prefix: str = "bn", as_input: bool = False) -> str:
    scale = n.positive(f"{prefix}.weight", [channels], 0.6, 1.4, as_input)
    bias = n.weight(f"{prefix}.bias", [channels], 0.2, as_input=as_input)
    mean = n.weight(f"{prefix}.running_mean", [channels], 0.2, as_input=as_input)
    var = n.positive(f"{prefix}.running_var", [channels], 0.5, 1.5, as_input)
    return n.op("BatchNormalization", [x, scale, bias, mean, var], epsilon=1e-5)


def erf_gelu(n: Net, x: str, out: str | None = None) -> str:
    """x * 0.5 * (1 + erf(x / sqrt(2))), as PyTorch exports F.gelu."""
    e = n.op("Erf", [n.op("Div", [x, n.scalar(1.4142135381698608)])])
    return n.op("Mul", [n.op("Mul", [x, n.op("Add", [e, n.scalar(1.0)])]), n.scalar(0.5)], out=out)


def tanh_gelu(n: Net, x: str, out: str | None = None) -> str:
    """0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), GPT-2's gelu_new."""
    inner = n.op("Add", [x, n.op("Mul", [n.scalar(0.044715), n.op("Pow", [x, n.scalar(3.0)])])])
    t = n.op("Tanh", [n.op("Mul", [n.scalar(math.sqrt(2 / math.pi)), inner])])
    return n.op("Mul", [n.op("Mul", [n.scalar(0.5), x]), n.op("Add", [n.scalar(1.0), t])], out=out)


ACTIVATIONS: dict[str, Callable[[Net, str, str | None], str]] = {
    "relu": lambda n, x, out: n.op("Relu", [x], out=out),
    "clip": lambda n, x, out: n.op("Clip", [x, n.scalar(-0.5), n.scalar(0.8)], out=out),
    "sigmoid": lambda n, x, out: n.op("Sigmoid", [x], out=out),
    "tanh": lambda n, x, out: n.op("Tanh", [x], out=out),
    "leakyrelu": lambda n, x, out: n.op("LeakyRelu", [x], out=out, alpha=0.1),
    "hardswish": lambda n, x, out: n.op("HardSwish", [x], out=out),
    # SiLU as torch exports it: x read by both the Sigmoid and the Mul.
    "silu": lambda n, x, out: n.op("Mul", [x, n.op("Sigmoid", [x])], out=out),
    "hardsigmoid": lambda n, x, out: n.op("HardSigmoid", [x], out=out, alpha=0.3, beta=0.4),
    "gelu_erf": erf_gelu,
    "gelu_tanh": tanh_gelu,
}


# --------------------------------------------------------------------------- convolutions


def conv(shape, kernel, channels_out, bias=True, opset=17, **attributes):
    """A single Conv: x [N, C, spatial...], W [M, C/group, kernel...]."""
    def build(name):
        n = Net(name, opset)
        group = attributes.get("group", 1)
        x = n.input("x", shape)
        w = n.weight("W", [channels_out, shape[1] // group] + kernel)
        inputs = [x, w] + ([n.weight("B", [channels_out], 0.3)] if bias else [])
        n.output(n.op("Conv", inputs, out="y", **attributes))
        return n
    return build


def conv_then(follow: Callable[[Net, str], str], shape=(1, 4, 8, 8), channels_out=4, **attributes):
    """Conv 3x3 (pads 1 unless given) followed by `follow(net, conv_output)` -> output "y"."""
    attributes.setdefault("pads", [1, 1, 1, 1])
    def build(name):
        n = Net(name)
        group = attributes.get("group", 1)
        x = n.input("x", list(shape))
        w = n.weight("W", [channels_out, shape[1] // group, 3, 3], 0.4)
        y = n.op("Conv", [x, w, n.weight("B", [channels_out], 0.3)], **attributes)
        n.output(follow(n, y))
        return n
    return build


def conv_cases() -> dict:
    channel = lambda n, name: n.weight(name, [1, 4, 1, 1], 0.5)
    cases = {
        # Convolution.path: pointwise (1x1, stride 1, no pads) is GEMM on the input itself.
        "conv_pointwise": conv([2, 6, 5, 5], [1, 1], 8),
        "conv_pointwise_3d": conv([1, 4, 3, 4, 5], [1, 1, 1], 6),
        "conv_1x1_strided": conv([1, 6, 7, 7], [1, 1], 4, strides=[2, 2]),
        "conv_1x1_padded": conv([1, 3, 5, 5], [1, 1], 4, pads=[1, 0, 0, 1]),
        # im2col + GEMM
        "conv_3x3_padded": conv([2, 3, 8, 8], [3, 3], 5, pads=[1, 1, 1, 1]),
        "conv_3x3_no_bias": conv([1, 3, 7, 6], [3, 3], 4, bias=False),
        "conv_asymmetric_pads": conv([1, 3, 7, 9], [3, 2], 4, pads=[0, 1, 2, 0]),
        "conv_same_upper": conv([1, 3, 9, 8], [4, 4], 4, auto_pad="SAME_UPPER", strides=[2, 2]),
        "conv_same_lower": conv([1, 2, 7, 7], [2, 2], 3, auto_pad="SAME_LOWER"),
        "conv_strided": conv([1, 3, 11, 11], [3, 3], 4, strides=[2, 3], pads=[1, 1, 1, 1]),
        "conv_dilated": conv([1, 3, 10, 10], [3, 3], 4, dilations=[2, 2], pads=[2, 2, 2, 2]),
        "conv_grouped": conv([1, 6, 8, 8], [3, 3], 6, group=3, pads=[1, 1, 1, 1]),
        "conv_grouped_strided": conv([1, 4, 9, 9], [3, 3], 8, group=2, strides=[2, 2]),
        "conv_1d": conv([1, 3, 20], [5], 4, pads=[2, 2], strides=[2]),
        "conv_1d_dilated": conv([2, 2, 16], [3], 3, dilations=[3]),
        "conv_3d": conv([1, 2, 5, 6, 6], [3, 3, 3], 3, pads=[1, 1, 1, 1, 1, 1]),
        "conv_3d_strided": conv([1, 2, 6, 7, 5], [2, 3, 3], 2, strides=[2, 2, 1], pads=[0, 1, 1, 1, 0, 1]),
        # Depthwise (group == channels): the planar 3x3 stride 1 / 2 kernel (wide rows reach its
        # 8-at-a-time interior), and the general direct kernel.
        "depthwise_3x3_s1": conv([1, 4, 12, 20], [3, 3], 4, group=4, pads=[1, 1, 1, 1]),
        "depthwise_3x3_s2": conv([2, 3, 13, 24], [3, 3], 3, group=3, pads=[1, 1, 1, 1], strides=[2, 2]),
        "depthwise_3x3_no_pad": conv([1, 3, 9, 17], [3, 3], 3, group=3),
        "depthwise_3x3_asymmetric_pads": conv([1, 2, 10, 19], [3, 3], 2, group=2, pads=[0, 1, 1, 0], strides=[2, 2]),
        "depthwise_3x3_multiplier": conv([1, 3, 8, 18], [3, 3], 6, group=3, pads=[1, 1, 1, 1]),
        "depthwise_3x3_s3": conv([1, 3, 12, 12], [3, 3], 3, group=3, pads=[1, 1, 1, 1], strides=[3, 3]),
        "depthwise_3x3_dilated": conv([1, 3, 10, 10], [3, 3], 3, group=3, pads=[2, 2, 2, 2], dilations=[2, 2]),
        # Convolution.algorithm: Winograd F(4x4, 3x3) from 32 tiles and 16 channels in and out;
        # output edges that are not multiples of 4, asymmetric pads, batch 2, a fused epilogue.
        "conv_winograd": conv([2, 16, 26, 23], [3, 3], 24, pads=[1, 1, 1, 1]),
        "conv_winograd_asymmetric_pads": conv([1, 16, 25, 29], [3, 3], 16, pads=[0, 1, 2, 0], bias=False),
        "conv_winograd_residual_relu": conv_then(lambda n, y: n.op("Relu", [n.op("Add", [y, "x"])], out="y"),
                                                 shape=(1, 16, 24, 24), channels_out=16),
        "depthwise_5x5": conv([1, 4, 10, 10], [5, 5], 4, group=4, pads=[2, 2, 2, 2]),
        "depthwise_1d": conv([1, 4, 16], [3], 4, group=4, pads=[1, 1]),
        # fold-batchnorm on Conv, then the epilogue
        "conv_bn": conv_then(lambda n, y: bn(n, y, 4)),
        "conv_bn_relu": conv_then(lambda n, y: n.op("Relu", [bn(n, y, 4)], out="y")),
        "conv_mul_add_per_channel": conv_then(
            lambda n, y: n.op("Add", [n.op("Mul", [y, channel(n, "scale")]), channel(n, "shift")], out="y")),
        "depthwise_bn_relu6": conv_then(
            lambda n, y: n.op("Clip", [bn(n, y, 4), n.scalar(0.0), n.scalar(6.0)], out="y"), group=4,
            shape=(1, 4, 10, 18)),
        # fuse-gemm-epilogue on Conv: bias Add, every activation, residual before / after, both orders
        "conv_bias_add_relu": conv_then(
            lambda n, y: n.op("Relu", [n.op("Add", [y, n.weight("bias", [4, 1, 1], 0.3)])], out="y")),
        "conv_residual_relu": conv_then(lambda n, y: n.op("Relu", [n.op("Add", [y, "x"])], out="y")),
        "conv_residual_first_relu": conv_then(lambda n, y: n.op("Relu", [n.op("Add", ["x", y])], out="y")),
        "conv_relu_residual": conv_then(lambda n, y: n.op("Add", [n.op("Relu", [y]), "x"], out="y")),
        "conv_relu_residual_first": conv_then(lambda n, y: n.op("Add", ["x", n.op("Relu", [y])], out="y")),
        "conv_clip_residual": conv_then(
            lambda n, y: n.op("Add", [n.op("Clip", [y, n.scalar(0.0), n.scalar(6.0)]), "x"], out="y")),
    }
    for act in ["sigmoid", "silu", "tanh", "leakyrelu", "hardswish", "hardsigmoid", "gelu_erf"]:
        cases[f"conv_{act}"] = conv_then(lambda n, y, act=act: ACTIVATIONS[act](n, y, "y"))
    return cases


# --------------------------------------------------------------------------- QDQ convolutions


def reference_output(n: Net, value: str) -> np.ndarray:
    """`value` as onnx.reference computes it on data set 0 from the nodes so far (to calibrate it)."""
    from onnx.reference import ReferenceEvaluator
    graph = helper.make_graph(n.nodes, n.name, n.inputs, [helper.make_empty_tensor_value_info(value)], n.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", n.opset)])
    model.ir_version = n.ir_version
    return ReferenceEvaluator(model).run(None, n.feeds)[0]


def quantize_activation(n: Net, x: str, values: np.ndarray, prefix: str) -> str:
    """QuantizeLinear -> DequantizeLinear of a float value with uint8 parameters calibrated on
    `values` as ONNX Runtime's MinMax calibration does (range widened to include 0)."""
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    scale = np.float32((high - low) / 255.0)
    zero = np.uint8(np.clip(np.round(-low / scale), 0, 255))
    s = n.weight(f"{prefix}_scale", array=np.array(scale, dtype=np.float32))
    z = n.weight(f"{prefix}_zero_point", array=np.array(zero, dtype=np.uint8))
    return n.op("DequantizeLinear", [n.op("QuantizeLinear", [x, s, z]), s, z])


def requantize(n: Net, y: str) -> str:
    """y quantized again and dequantized, calibrated on its own data-set-0 values, as
    quantize_static ends a layer (the fusions take that QuantizeLinear in)."""
    return quantize_activation(n, y, reference_output(n, y), "y")


def quantized_weight(n: Net, name: str, shape, per_channel: bool, zero_point: int = 0):
    """A float weight quantized as quantize_static does (int8, symmetric): DequantizeLinear(Wq,
    scale[, axis 0]), and the scale(s) for the bias."""
    w = (n.rng.standard_normal(shape) * 0.4).astype(np.float32)
    axes = tuple(range(1, len(shape)))
    bound = np.abs(w).max(axis=axes) if per_channel else np.array(np.abs(w).max())
    scale = (bound / 127.0).astype(np.float32)
    view = scale.reshape([-1] + [1] * (len(shape) - 1)) if per_channel else scale
    q = np.clip(np.round(w / view) + zero_point, -128, 127).astype(np.int8)
    inputs = [n.weight(f"{name}_quantized", array=q), n.weight(f"{name}_scale", array=scale)]
    if zero_point:
        inputs.append(n.weight(f"{name}_zero_point", array=np.full(scale.shape, zero_point, dtype=np.int8)))
    attributes = {"axis": 0} if per_channel else {}
    return n.op("DequantizeLinear", inputs, **attributes), scale


def qdq_conv(shape, kernel, channels_out, per_channel=True, bias=True, weight_zero_point=0, shared_input=False,
             requantized=False, **attributes):
    """Conv(DequantizeLinear(QuantizeLinear(x)), DequantizeLinear(Wq), DequantizeLinear(B int32)) as
    quantize_static writes it (fuse-quantized-conv). With `shared_input` an Add also reads the
    dequantized x. (No case chains two: ORT's optimized graph requantizes between them with its
    own rounding, so its two modes already disagree by a quantization step.) With `requantized`
    y is quantized again and dequantized as the output, as quantize_static ends every layer
    (fuse-quantized-conv takes the QuantizeLinear in: Int8Conv writes uint8)."""
    def build(name):
        n = Net(name, opset=19)  # onnx.reference has DequantizeLinear from opset 19
        x = n.input("x", shape)
        dx = quantize_activation(n, x, n.feeds["x"], "x")
        x_scale = next(numpy_helper.to_array(t) for t in n.initializers if t.name == "x_scale")
        w, w_scale = quantized_weight(n, "W", [channels_out, shape[1] // attributes.get("group", 1)] + kernel,
                                      per_channel, weight_zero_point)
        inputs = [dx, w]
        if bias:  # int32, scaled by x_scale * w_scale, as quantize_static stores it
            b_scale = (x_scale * np.broadcast_to(w_scale, [channels_out])).astype(np.float32)
            bq = np.round((n.rng.standard_normal(channels_out) * 0.3) / b_scale).astype(np.int32)
            inputs.append(n.op("DequantizeLinear", [n.weight("B_quantized", array=bq), n.weight("B_scale", array=b_scale)],
                               axis=0))
        y = n.op("Conv", inputs, **attributes)
        if requantized:
            y = requantize(n, y)
        if shared_input:
            y = n.op("Add", [y, dx])
        n.output(n.op("Identity", [y], out="y"))
        return n
    return build


def qdq_add(shape, shared_input=False):
    """Add(DequantizeLinear(a), DequantizeLinear(b)) -> QuantizeLinear -> DequantizeLinear, a QDQ
    model's residual add (fuse-quantized-add), each side with its own calibrated scale; with
    `shared_input` a Mul also reads the dequantized a, so that DequantizeLinear must stay."""
    def build(name):
        n = Net(name, opset=19)
        a = quantize_activation(n, n.input("a", shape), n.feeds["a"], "a")
        b_values = n.rng.standard_normal(shape).astype(np.float32) * 3 + 1
        b = quantize_activation(n, n.input("b", shape, values=b_values), b_values, "b")
        y = n.op("Add", [a, b])
        y = requantize(n, y)
        if shared_input:
            y = n.op("Mul", [y, a])
        n.output(n.op("Identity", [y], out="y"))
        return n
    return build


def qdq_conv_cases() -> dict:
    return {
        # fuse-quantized-conv -> Int8Conv: per-channel and per-tensor weight scales, int32 bias or
        # none, strides, pads, 1x1, 1-D, a dequantized input another node also reads.
        "qdq_conv_3x3_per_channel": qdq_conv([1, 8, 10, 10], [3, 3], 12, pads=[1, 1, 1, 1]),
        "qdq_conv_7x7_strided_per_tensor": qdq_conv([2, 3, 16, 15], [7, 7], 8, per_channel=False, bias=False,
                                                    strides=[2, 2], pads=[3, 3, 3, 3]),
        "qdq_conv_1x1_shared_input": qdq_conv([1, 8, 6, 7], [1, 1], 8, shared_input=True),
        "qdq_conv_1d": qdq_conv([1, 4, 30], [5], 6, pads=[2, 1], strides=[2]),
        # ... and the QuantizeLinear after it: Int8Conv writes uint8.
        "qdq_conv_requantized": qdq_conv([1, 8, 9, 9], [3, 3], 16, pads=[1, 1, 1, 1], requantized=True),
        # fuse-quantized-add: a residual add between quantized tensors, alone and with a shared side.
        "qdq_add": qdq_add([2, 5, 7, 9]),
        "qdq_add_shared_input": qdq_add([1, 3, 40, 41], shared_input=True),
        # Depthwise 3x3 between quantized tensors (MobileNet's): QuantizedDepthwiseConv, stride 1 and 2.
        "qdq_conv_depthwise": qdq_conv([1, 8, 10, 11], [3, 3], 8, group=8, pads=[1, 1, 1, 1], requantized=True),
        "qdq_conv_depthwise_strided": qdq_conv([2, 6, 13, 12], [3, 3], 6, group=6, pads=[1, 1, 1, 1], strides=[2, 2],
                                               requantized=True),
        # Left to DequantizeLinear + float Conv (--explain says why): grouped, asymmetric weights.
        "qdq_conv_grouped": qdq_conv([1, 6, 8, 8], [3, 3], 6, group=3, pads=[1, 1, 1, 1]),
        "qdq_conv_asymmetric_weights": qdq_conv([1, 4, 8, 8], [3, 3], 4, weight_zero_point=3, pads=[1, 1, 1, 1]),
    }


# --------------------------------------------------------------------------- GEMM and MatMul


def gemm(m, k, n_out, trans_a=0, trans_b=0, c_shape=(None,), alpha=1.0, beta=1.0, dynamic_b=False):
    """One Gemm; c_shape None = no C, else C's shape ((n,), (m, 1), (m, n), (1,), ())."""
    def build(name):
        n = Net(name)
        a = n.input("a", [k, m] if trans_a else [m, k])
        b_shape = [n_out, k] if trans_b else [k, n_out]
        b = n.input("b", b_shape) if dynamic_b else n.weight("W", b_shape)
        inputs = [a, b]
        if c_shape != (None,):
            inputs.append(n.weight("C", list(c_shape), 0.5))
        n.output(n.op("Gemm", inputs, out="y", transA=trans_a, transB=trans_b, alpha=alpha, beta=beta))
        return n
    return build


def linear_then(follow: Callable[[Net, str], str], rows=6, features=8, outputs=8, kind="gemm", batch=None):
    """nn.Linear as Gemm(transB=1, bias) or MatMul + Add(bias, y) (3-D input when `batch`), then `follow`."""
    def build(name):
        n = Net(name)
        x = n.input("x", ([batch] if batch else []) + [rows, features])
        if kind == "gemm":
            y = n.op("Gemm", [x, n.weight("W", [outputs, features], 0.4), n.weight("B", [outputs], 0.3)], transB=1)
        elif kind == "gemm_no_bias":
            y = n.op("Gemm", [x, n.weight("W", [outputs, features], 0.4)], transB=1)
        else:
            y = n.op("MatMul", [x, n.weight("W", [features, outputs], 0.4)])
            if kind == "matmul_bias":
                y = n.op("Add", [n.weight("B", [outputs], 0.3), y])
        n.output(follow(n, y))
        return n
    return build


def matmul(a_shape, b_shape, constant_b=False):
    def build(name):
        n = Net(name)
        a = n.input("a", a_shape)
        b = n.weight("W", b_shape) if constant_b else n.input("b", b_shape)
        n.output(n.op("MatMul", [a, b], out="y"))
        return n
    return build


def transposed_matmul(kind: str):
    def build(name):
        n = Net(name)
        if kind == "lhs_2d":      # MatMul(Xᵀ, W) -> Gemm(transA)
            x = n.op("Transpose", [n.input("x", [8, 5])], perm=[1, 0])
            n.output(n.op("MatMul", [x, n.weight("W", [8, 6])], out="y"))
        elif kind == "rhs_3d":    # MatMul(A, Bᵀ) over batches -> FusedMatMul(transB)
            b = n.op("Transpose", [n.input("b", [2, 6, 4])], perm=[0, 2, 1])
            n.output(n.op("MatMul", [n.input("a", [2, 3, 4]), b], out="y"))
        elif kind == "both_3d":
            a = n.op("Transpose", [n.input("a", [2, 4, 3])], perm=[0, 2, 1])
            b = n.op("Transpose", [n.input("b", [2, 5, 4])], perm=[0, 2, 1])
            n.output(n.op("MatMul", [a, b], out="y"))
        elif kind == "gemm_flip":  # Gemm(transA=1) of a Transpose: the flags cancel
            a = n.op("Transpose", [n.input("a", [5, 7])], perm=[1, 0])
            n.output(n.op("Gemm", [a, n.weight("W", [6, 7]), n.weight("C", [6], 0.3)], out="y", transA=1, transB=1))
        elif kind == "constant_weight":  # Transpose of a constant folds to pre-transposed weights
            w = n.op("Transpose", [n.weight("W", [6, 8])], perm=[1, 0])
            n.output(n.op("MatMul", [n.input("x", [2, 3, 8]), w], out="y"))
        elif kind == "rhs_3d_bias_gelu":  # FusedMatMul(transB) then bias + GELU into its epilogue
            b = n.op("Transpose", [n.input("b", [2, 6, 4])], perm=[0, 2, 1])
            y = n.op("Add", [n.op("MatMul", [n.input("a", [2, 3, 4]), b]), n.weight("B", [6], 0.3)])
            erf_gelu(n, y, out="y")
            n.output("y")
        return n
    return build


def linear_cases() -> dict:
    add_x = lambda n, y: n.op("Add", [y, "x"], out="y")
    cases = {
        # Gemm flags, alpha / beta and every C broadcast
        "gemm_transB_bias": gemm(6, 8, 5, trans_b=1, c_shape=(5,)),
        "gemm_transA_alpha_beta": gemm(5, 7, 6, trans_a=1, c_shape=(6,), alpha=0.5, beta=2.0),
        "gemm_transA_transB_column_c": gemm(5, 6, 4, trans_a=1, trans_b=1, c_shape=(5, 1), beta=0.7),
        "gemm_full_c": gemm(4, 6, 5, c_shape=(4, 5), alpha=1.5),
        "gemm_scalar_c": gemm(4, 6, 5, c_shape=(1,), beta=-1.0),
        "gemm_no_c": gemm(5, 6, 7, alpha=0.8),
        "gemm_beta_zero": gemm(5, 6, 7, trans_b=1, c_shape=(7,), beta=0.0),
        "gemm_dynamic_b": gemm(5, 6, 4, trans_b=1, c_shape=(4,), dynamic_b=True),
        # BLAS.gemm: M == 1 is a GEMV, 2-4 rows one GEMV per row, N == 1 a GEMV the other way
        "gemm_m1": gemm(1, 16, 12, trans_b=1, c_shape=(12,)),
        "gemm_m1_no_trans": gemm(1, 16, 12, c_shape=(12,)),
        "gemm_m1_transA": gemm(1, 9, 7, trans_a=1, c_shape=(7,), alpha=2.0),
        "gemm_m3": gemm(3, 16, 12, trans_b=1, c_shape=(12,)),
        "gemm_m4_transA": gemm(4, 10, 9, trans_a=1, c_shape=(4, 9)),
        "gemm_m2_beta": gemm(2, 10, 9, c_shape=(9,), alpha=0.5, beta=3.0),
        "gemm_n1": gemm(6, 10, 1, trans_b=1, c_shape=(1,)),
        "gemm_n1_transA": gemm(5, 8, 1, trans_a=1),
        "matmul_m1_gemv": matmul([1, 16], [16, 12], constant_b=True),
        "matmul_m3": matmul([3, 16], [16, 12], constant_b=True),
        "matmul_n1": matmul([5, 8], [8, 1], constant_b=True),
        "matmul_vector_rhs": matmul([2, 5, 8], [8]),
        "matmul_vector_lhs": matmul([8], [8, 5], constant_b=True),
        "matmul_batched": matmul([2, 3, 4, 5], [2, 3, 5, 6]),
        "matmul_batch_broadcast": matmul([2, 1, 4, 5], [3, 5, 6]),
        "matmul_batch1_broadcast": matmul([1, 4, 5], [3, 5, 2]),
        "matmul_weight_folds_batches": matmul([2, 3, 4, 5], [5, 6], constant_b=True),
        "matmul_batched_m1": matmul([3, 1, 8], [3, 8, 5]),
        # fold-batchnorm on Gemm / MatMul
        "gemm_bn": linear_then(lambda n, y: bn(n, y, 8)),
        "gemm_no_bias_bn": linear_then(lambda n, y: n.op("Relu", [bn(n, y, 8)], out="y"), kind="gemm_no_bias"),
        "matmul_bn": linear_then(lambda n, y: bn(n, y, 8), kind="matmul"),
        "matmul_mul_per_column": linear_then(
            lambda n, y: n.op("Mul", [y, n.weight("scale", [8], 0.5)], out="y"), kind="matmul", batch=2),
        # fuse-gemm-epilogue on Gemm / MatMul: bias, activations, residual in both positions and orders
        "matmul_bias": linear_then(lambda n, y: n.op("Identity", [y], out="y"), kind="matmul_bias"),
        "matmul_bias_3d": linear_then(lambda n, y: n.op("Identity", [y], out="y"), kind="matmul_bias", batch=2),
        "matmul_bias_relu_3d": linear_then(lambda n, y: n.op("Relu", [y], out="y"), kind="matmul_bias", batch=2),
        "matmul_bias_residual_3d": linear_then(add_x, kind="matmul_bias", batch=2),
        "matmul_bias_gelu_tanh_3d": linear_then(lambda n, y: tanh_gelu(n, y, "y"), kind="matmul_bias", batch=2),
        "matmul_m1_bias_relu": linear_then(lambda n, y: n.op("Relu", [y], out="y"), rows=1, kind="matmul_bias"),
        "gemm_bias_add_relu": linear_then(
            lambda n, y: n.op("Relu", [n.op("Add", [y, n.weight("bias", [1, 8], 0.3)])], out="y"), kind="gemm_no_bias"),
        "gemm_residual_relu": linear_then(lambda n, y: n.op("Relu", [n.op("Add", [y, "x"])], out="y")),
        "gemm_residual_first_relu": linear_then(lambda n, y: n.op("Relu", [n.op("Add", ["x", y])], out="y")),
        "gemm_relu_residual": linear_then(lambda n, y: n.op("Add", [n.op("Relu", [y]), "x"], out="y")),
        "gemm_tanh_residual_first": linear_then(lambda n, y: n.op("Add", ["x", n.op("Tanh", [y])], out="y")),
        "gemm_m2_relu_residual": linear_then(lambda n, y: n.op("Add", [n.op("Relu", [y]), "x"], out="y"), rows=2),
        # fold-transpose-into-gemm
        "transpose_matmul_lhs_2d": transposed_matmul("lhs_2d"),
        "transpose_matmul_rhs_3d": transposed_matmul("rhs_3d"),
        "transpose_matmul_both_3d": transposed_matmul("both_3d"),
        "transpose_gemm_flags_cancel": transposed_matmul("gemm_flip"),
        "transpose_constant_weight": transposed_matmul("constant_weight"),
        "transpose_matmul_bias_gelu": transposed_matmul("rhs_3d_bias_gelu"),
    }
    for act, make in ACTIVATIONS.items():
        cases[f"gemm_{act}"] = linear_then(lambda n, y, make=make: make(n, y, "y"))
    return cases


# --------------------------------------------------------------------------- transformer patterns


def layer_norm(variant: str):
    """Decomposed LayerNorm / RMSNorm over the last axis of x [2, 3, 8]."""
    def build(name):
        n = Net(name)
        x = n.input("x", [2, 3, 8])
        def normalize(v):  # v / sqrt(mean(v²) + eps), as Div or as Reciprocal + Mul
            square = n.op("Mul", [v, v]) if "mul_square" in variant else n.op("Pow", [v, n.scalar(2.0)])
            std = n.op("Sqrt", [n.op("Add", [n.op("ReduceMean", [square], axes=[-1]), n.scalar(1e-5)])])
            if "reciprocal" in variant:
                return n.op("Mul", [v, n.op("Reciprocal", [std])])
            return n.op("Div", [v, std])
        if variant.startswith("rms"):
            y = normalize(x)
            if "gamma" in variant:
                y = n.op("Mul", [y, n.positive("gamma", [8], 0.5, 1.5)])
        else:
            centered = n.op("Sub", [x, n.op("ReduceMean", [x], axes=[2])])
            y = normalize(centered)
            if "affine" in variant:
                gamma = n.positive("gamma", [1, 1, 8] if "rank3" in variant else [8], 0.5, 1.5)
                y = n.op("Add", [n.op("Mul", [y, gamma]), n.weight("beta", [8], 0.3)])
        n.output(n.op("Identity", [y], out="y"))
        return n
    return build


def gelu(variant: str):
    def build(name):
        n = Net(name, opset=20 if variant == "op" else 17)
        x = n.input("x", [3, 10])
        if variant == "erf":
            erf_gelu(n, x, "y")
        elif variant == "erf_mul_half_first":   # (x · ½) · (1 + erf(x · 1/√2))
            e = n.op("Erf", [n.op("Mul", [x, n.scalar(0.70710677)])])
            n.op("Mul", [n.op("Mul", [x, n.scalar(0.5)]), n.op("Add", [n.scalar(1.0), e])], out="y")
        elif variant == "erf_half_on_sum":       # (½ · (1 + erf)) · x
            e = n.op("Erf", [n.op("Div", [x, n.scalar(1.4142135)])])
            n.op("Mul", [n.op("Mul", [n.op("Add", [e, n.scalar(1.0)]), n.scalar(0.5)]), x], out="y")
        elif variant == "tanh":
            tanh_gelu(n, x, "y")
        elif variant == "tanh_mul_cube":         # x³ as Mul(x, Mul(x, x))
            cube = n.op("Mul", [x, n.op("Mul", [x, x])])
            inner = n.op("Add", [x, n.op("Mul", [cube, n.scalar(0.044715)])])
            t = n.op("Tanh", [n.op("Mul", [inner, n.scalar(math.sqrt(2 / math.pi))])])
            n.op("Div", [n.op("Mul", [x, n.op("Add", [t, n.scalar(1.0)])]), n.scalar(2.0)], out="y")
        elif variant == "op":                    # ONNX Gelu (opset 20) after a Gemm: into its epilogue
            y = n.op("Gemm", [x, n.weight("W", [6, 10], 0.4), n.weight("B", [6], 0.3)], transB=1)
            n.op("Gelu", [y], out="y", approximate="tanh")
        n.output("y")
        return n
    return build


def attention(variant: str):
    """softmax(Q Kᵀ · s [+ mask]) V over [batch 1, heads 2, seq 5, head dim 4]."""
    def build(name):
        n = Net(name)
        shape = [1, 2, 5, 4]
        q, v = n.input("q", shape), n.input("v", shape)
        if variant == "k_pretransposed_scale_q":
            k_t = n.input("k_t", [1, 2, 4, 5])
            scores = n.op("MatMul", [n.op("Mul", [q, n.scalar(0.5)]), k_t])
        else:
            k = n.input("k", shape)
            scores = n.op("Div", [n.op("MatMul", [q, n.op("Transpose", [k], perm=[0, 1, 3, 2])]), n.scalar(2.0)])
        if variant == "additive_mask":
            mask = np.zeros([1, 1, 1, 5], np.float32)
            mask[..., 3:] = -10000.0
            scores = n.op("Add", [scores, n.input("mask", [1, 1, 1, 5], values=mask)])
        elif variant == "causal_where":
            allowed = n.weight("causal", array=np.tril(np.ones([5, 5], bool)))
            scores = n.op("Where", [allowed, scores, n.scalar(float(np.finfo(np.float32).min))])
        probs = n.op("Softmax", [scores], axis=-1)
        n.output(n.op("MatMul", [probs, v], out="y"))
        return n
    return build


def attention_block(name):
    """Self-attention from x [2, 5, 8] with the exporter's head split: MatMul+Add projections,
    Shape->Gather->Unsqueeze->Concat->Reshape chains (folded once shapes are known), output projection."""
    n = Net(name)
    x = n.input("x", [2, 5, 8])
    def project(tag):
        return n.op("Add", [n.op("MatMul", [x, n.weight(f"{tag}.W", [8, 8], 0.4)]), n.weight(f"{tag}.B", [8], 0.2)])
    def dim(value, axis):
        d = n.op("Gather", [n.op("Shape", [value]), n.scalar(axis, np.int64)], axis=0)
        return n.op("Unsqueeze", [d, n.scalar([0], np.int64)])
    def heads(value):
        shape = n.op("Concat", [dim(value, 0), dim(value, 1), n.scalar([2], np.int64), n.scalar([4], np.int64)], axis=0)
        return n.op("Transpose", [n.op("Reshape", [value, shape])], perm=[0, 2, 1, 3])
    q, k, v = heads(project("q")), heads(project("k")), heads(project("v"))
    scores = n.op("Div", [n.op("MatMul", [q, n.op("Transpose", [k], perm=[0, 1, 3, 2])]), n.scalar(2.0)])
    context = n.op("Transpose", [n.op("MatMul", [n.op("Softmax", [scores], axis=-1), v])], perm=[0, 2, 1, 3])
    merged = n.op("Reshape", [context, n.op("Concat", [dim(context, 0), dim(context, 1), n.scalar([8], np.int64)], axis=0)])
    out = n.op("Add", [n.op("MatMul", [merged, n.weight("o.W", [8, 8], 0.4)]), n.weight("o.B", [8], 0.2)])
    n.output(n.op("Add", [out, x], out="y"))
    return n


def transformer_cases() -> dict:
    return {
        "layernorm_pow": layer_norm("ln"),
        "layernorm_pow_affine": layer_norm("ln_affine"),
        "layernorm_mul_square_reciprocal_affine": layer_norm("ln_mul_square_reciprocal_affine_rank3"),
        "rmsnorm_gamma": layer_norm("rms_gamma"),
        "rmsnorm_reciprocal": layer_norm("rms_reciprocal"),
        "rmsnorm_mul_square_gamma": layer_norm("rms_mul_square_gamma"),
        "gelu_erf": gelu("erf"),
        "gelu_erf_mul_half_first": gelu("erf_mul_half_first"),
        "gelu_erf_half_on_sum": gelu("erf_half_on_sum"),
        "gelu_tanh": gelu("tanh"),
        "gelu_tanh_mul_cube": gelu("tanh_mul_cube"),
        "gemm_gelu_op_opset20": gelu("op"),
        "attention_div_scale": attention("plain"),
        "attention_additive_mask": attention("additive_mask"),
        "attention_causal_where": attention("causal_where"),
        "attention_k_pretransposed_scale_q": attention("k_pretransposed_scale_q"),
        "attention_block": attention_block,
    }


# --------------------------------------------------------------------------- elementwise and canonicalization


def elementwise(variant: str):
    def build(name):
        n = Net(name)
        if variant == "chain_broadcast":         # [2, 3, 8] with [8] and [3, 1] operands
            x = n.input("x", [2, 3, 8])
            a = n.op("Mul", [n.op("Sub", [x, n.weight("shift", [8], 0.5)]), n.weight("scale", [3, 1], 0.8)])
            b = n.op("Sigmoid", [n.op("Add", [a, n.scalar(0.25)])])
            n.op("Div", [n.op("Exp", [n.op("Neg", [b])]), n.positive("norm", [8])], out="y")
        elif variant == "both_broadcast":        # [2, 1, 5] op [1, 4, 1] -> [2, 4, 5]
            a, b = n.input("a", [2, 1, 5]), n.input("b", [4, 1])
            s = n.op("Add", [a, b])
            n.op("Sub", [n.op("Mul", [s, s]), n.op("Div", [a, n.scalar(3.0)])], out="y")
        elif variant == "unary":
            x = n.input("x", [3, 7])
            p = n.op("Sqrt", [n.op("Add", [n.op("Abs", [x]), n.scalar(0.1)])])
            q = n.op("Log", [n.op("Add", [n.op("Reciprocal", [p]), n.scalar(1.0)])])
            n.op("Add", [n.op("Tanh", [q]), n.op("Relu", [n.op("Erf", [x])])], out="y")
        elif variant == "pow_square":
            x = n.input("x", [4, 6])
            n.op("Sub", [n.op("Pow", [x, n.scalar(2.0)]), n.op("Mul", [x, n.scalar(0.5)])], out="y")
        elif variant == "small_intermediate":    # a [1, 5] subtree under a [4, 5] root stays a leaf
            x, row = n.input("x", [4, 5]), n.input("row", [1, 5])
            n.op("Mul", [n.op("Add", [x, n.op("Exp", [n.op("Neg", [row])])]), x], out="y")
        elif variant == "shared_intermediate":   # an intermediate with two readers ends a chain
            x = n.input("x", [3, 6])
            t = n.op("Tanh", [n.op("Mul", [x, n.scalar(1.5)])])
            n.op("Add", [n.op("Sigmoid", [t]), t], out="y")
            n.output(n.op("Mul", [t, n.scalar(2.0)], out="z"))
        n.output("y")
        return n
    return build


def canonical(variant: str):
    def build(name):
        n = Net(name)
        if variant == "shape_subgraph":          # Reshape / Expand driven by Shape chains fold away
            x = n.input("x", [2, 3, 4])
            d0 = n.op("Unsqueeze", [n.op("Gather", [n.op("Shape", [x]), n.scalar(0, np.int64)], axis=0), n.scalar([0], np.int64)])
            flat = n.op("Reshape", [x, n.op("Concat", [d0, n.scalar([-1], np.int64)], axis=0)])
            ones = n.op("ConstantOfShape", [n.op("Shape", [flat])], value=numpy_helper.from_array(np.array([2.0], np.float32)))
            n.op("Flatten", [n.op("Mul", [flat, ones])], out="y", axis=1)
        elif variant == "cse":                   # two identical branches become one
            x = n.input("x", [3, 6])
            w = n.weight("W", [6, 5])
            a = n.op("Relu", [n.op("MatMul", [x, w])])
            b = n.op("Relu", [n.op("MatMul", [x, w])])
            n.op("Add", [a, n.op("Mul", [b, n.scalar(0.5)])], out="y")
        elif variant == "constant_subgraph":     # weights computed from constants fold to one tensor
            x = n.input("x", [2, 6])
            w = n.op("Mul", [n.op("Add", [n.weight("W1", [6, 4]), n.weight("W2", [6, 4])]), n.scalar(0.5)])
            n.op("MatMul", [x, n.op("Transpose", [n.op("Transpose", [w], perm=[1, 0])], perm=[1, 0])], out="y")
        elif variant == "identity_dropout":
            x = n.input("x", [3, 5])
            y = n.op("Dropout", [n.op("Identity", [n.op("Relu", [x])]), n.scalar(0.1)])
            n.op("Add", [n.op("Identity", [y]), n.weight("b", [5], 0.3)], out="y")
        n.output("y")
        return n
    return build


def pool(op_type, shape, **attributes):
    def build(name):
        n = Net(name)
        n.output(n.op(op_type, [n.input("x", shape)], out="y", **attributes))
        return n
    return build


def other_cases() -> dict:
    return {
        "elementwise_chain_broadcast": elementwise("chain_broadcast"),
        "elementwise_both_broadcast": elementwise("both_broadcast"),
        "elementwise_unary_chain": elementwise("unary"),
        "elementwise_pow_square": elementwise("pow_square"),
        "elementwise_small_intermediate": elementwise("small_intermediate"),
        "elementwise_shared_intermediate": elementwise("shared_intermediate"),
        "fold_shape_subgraph": canonical("shape_subgraph"),
        "cse_duplicate_branches": canonical("cse"),
        "fold_constant_subgraph": canonical("constant_subgraph"),
        "remove_identity_dropout": canonical("identity_dropout"),
        # Pooling: the planar 3x3 stride 1 / 2 max kernel, the row kernel (stride 2, other), average pads
        "maxpool_3x3_s2_pad": pool("MaxPool", [1, 3, 13, 22], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        "maxpool_3x3_s1_pad": pool("MaxPool", [1, 2, 9, 20], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        "maxpool_3x3_s1_no_pad": pool("MaxPool", [2, 2, 8, 11], kernel_shape=[3, 3]),
        "maxpool_2x2_s2": pool("MaxPool", [1, 3, 8, 10], kernel_shape=[2, 2], strides=[2, 2]),
        "maxpool_3x3_s3": pool("MaxPool", [1, 2, 10, 10], kernel_shape=[3, 3], strides=[3, 3], pads=[1, 1, 1, 1]),
        "maxpool_dilated": pool("MaxPool", [1, 2, 9, 9], kernel_shape=[2, 2], dilations=[2, 2]),
        "maxpool_ceil_asymmetric": pool("MaxPool", [1, 2, 8, 9], kernel_shape=[3, 2], strides=[2, 2], pads=[0, 1, 1, 0],
                                        ceil_mode=1),
        "maxpool_1d": pool("MaxPool", [1, 3, 17], kernel_shape=[3], strides=[2], pads=[1, 1]),
        "maxpool_3d": pool("MaxPool", [1, 2, 5, 6, 6], kernel_shape=[2, 3, 3], strides=[1, 2, 2]),
        "avgpool_3x3_exclude_pad": pool("AveragePool", [1, 2, 9, 9], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        "avgpool_include_pad": pool("AveragePool", [1, 2, 7, 8], kernel_shape=[3, 3], pads=[1, 0, 1, 2],
                                    count_include_pad=1),
        "avgpool_ceil": pool("AveragePool", [1, 2, 8, 8], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        "global_avgpool": pool("GlobalAveragePool", [2, 3, 5, 7]),
        "global_maxpool": pool("GlobalMaxPool", [2, 3, 5, 7]),
    }


# --------------------------------------------------------------------------- initializers listed as inputs


def init_as_input(kind: str):
    """The initializers are graph inputs too; data set 1.. feed other values for some of them."""
    def build(name):
        ir3 = kind == "conv_bn_relu_ir3"
        n = Net(name, opset=9 if ir3 else 17, ir_version=3 if ir3 else 8)
        if kind == "conv":
            x = n.input("x", [1, 3, 6, 6])
            w, b = n.weight("W", [4, 3, 3, 3], as_input=True), n.weight("B", [4], 0.3, as_input=True)
            n.output(n.op("Conv", [x, w, b], out="y", pads=[1, 1, 1, 1]))
            n.fed(W=n.like("W", 0.5))
            n.fed(W=n.like("W", 0.5), B=n.like("B"))
        elif kind in ("conv_bn_relu", "conv_bn_relu_ir3"):
            x = n.input("x", [1, 3, 6, 6])
            w = n.weight("W", [4, 3, 3, 3], as_input=True)
            y = bn(n, n.op("Conv", [x, w], pads=[1, 1, 1, 1]), 4, as_input=True)
            n.output(n.op("Relu", [y], out="y"))
            if ir3:
                return n  # ONNX Runtime takes IR-3 initializers as constants and refuses feeds for them
            n.fed(W=n.like("W", 0.5))
            n.fed(**{"bn.weight": n.rng.uniform(0.2, 2.0, [4]).astype(np.float32), "bn.bias": n.like("bn.bias")})
        elif kind == "gemm":
            x = n.input("x", [3, 6])
            w, c = n.weight("W", [5, 6], as_input=True), n.weight("C", [5], 0.3, as_input=True)
            n.output(n.op("Gemm", [x, w, c], out="y", transB=1))
            n.fed(W=n.like("W"))
            n.fed(C=n.like("C"))
        elif kind == "matmul_add":
            x = n.input("x", [2, 3, 6])
            w, b = n.weight("W", [6, 5], as_input=True), n.weight("B", [5], 0.3, as_input=True)
            n.output(n.op("Add", [n.op("MatMul", [x, w]), b], out="y"))
            n.fed(W=n.like("W"))
            n.fed(B=n.like("B"))
        elif kind == "gather":
            ids = n.input("ids", [2, 4], np.int64, values=np.array([[0, 3, 5, 1], [2, 2, 6, 4]], np.int64))
            table = n.weight("table", [7, 5], as_input=True)
            y = n.op("Gather", [table, ids], axis=0)
            n.output(n.op("Add", [y, n.weight("pos", [4, 5], 0.3, as_input=True)], out="y"))
            n.fed(table=n.like("table"))
        elif kind == "prelu":
            x = n.input("x", [1, 3, 4, 4])
            n.output(n.op("PRelu", [x, n.weight("slope", [3, 1, 1], 0.3, as_input=True)], out="y"))
            n.fed(slope=n.like("slope", 2.0))
        return n
    return build


def init_as_input_cases() -> dict:
    kinds = ["conv", "conv_bn_relu", "conv_bn_relu_ir3", "gemm", "matmul_add", "gather", "prelu"]
    return {f"{kind}_init_as_input": init_as_input(kind) for kind in kinds}


# --------------------------------------------------------------------------- control flow inside a static plan


def control_flow(kind: str):
    """An If or a Loop between ordinary layers, every shape static: the plan keeps its arena for the
    layers around it and runs the node's subgraphs as one nested step (data set 1 takes the other branch)."""
    def build(name):
        n = Net(name)
        F = onnx.TensorProto.FLOAT
        if kind == "if":
            x = n.input("x", [1, 3, 6, 6])
            cond = n.input("cond", [], np.bool_, values=np.array(True))
            t = n.op("Conv", [x, n.weight("W1", [4, 3, 3, 3]), n.weight("B1", [4], 0.3)], pads=[1, 1, 1, 1])
            # The branches read `t` and a weight of the enclosing graph (outer references).
            then_branch = helper.make_graph(
                [helper.make_node("Relu", [t], ["then_y"], name="then_relu")], "then", [],
                [helper.make_tensor_value_info("then_y", F, [1, 4, 6, 6])])
            scale = n.weight("scale", [4, 1, 1], 0.5)
            else_branch = helper.make_graph(
                [helper.make_node("Sigmoid", [t], ["s"], name="else_sigmoid"),
                 helper.make_node("Mul", ["s", scale], ["else_y"], name="else_mul")], "else", [],
                [helper.make_tensor_value_info("else_y", F, [1, 4, 6, 6])])
            picked = n.op("If", [cond], then_branch=then_branch, else_branch=else_branch)
            y = n.op("Conv", [picked, n.weight("W2", [2, 4, 1, 1])], out="y")
            n.output(y)
            n.fed_sets.append({**n.feeds, "cond": np.array(False)})
        elif kind == "loop":
            x = n.input("x", [2, 8])
            xp = n.op("MatMul", [x, n.weight("W", [8, 8], 0.4)])
            trips = n.weight("trips", array=np.array(3, np.int64))
            u = n.weight("U", [8, 8], 0.3)
            body = helper.make_graph(
                [helper.make_node("MatMul", ["h_in", u], ["hu"], name="body_matmul"),
                 helper.make_node("Add", ["hu", xp], ["pre"], name="body_add"),
                 helper.make_node("Tanh", ["pre"], ["h_out"], name="body_tanh"),
                 helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
                "body",
                [helper.make_tensor_value_info("i", onnx.TensorProto.INT64, []),
                 helper.make_tensor_value_info("cond_in", onnx.TensorProto.BOOL, []),
                 helper.make_tensor_value_info("h_in", F, [2, 8])],
                [helper.make_tensor_value_info("cond_out", onnx.TensorProto.BOOL, []),
                 helper.make_tensor_value_info("h_out", F, [2, 8])])
            h = n.op("Loop", [trips, "", xp], body=body)
            n.output(n.op("Relu", [n.op("Add", [h, x])], out="y"), shape=[2, 8])
        return n
    return build


def control_flow_cases() -> dict:
    return {"if_between_convs": control_flow("if"), "loop_static_trip_count": control_flow("loop")}


def all_cases() -> dict[str, Callable[[str], Net]]:
    cases: dict = {}
    for group in (conv_cases(), qdq_conv_cases(), linear_cases(), transformer_cases(), other_cases(), init_as_input_cases(),
                  control_flow_cases()):
        assert not (cases.keys() & group.keys()), f"duplicate case names: {cases.keys() & group.keys()}"
        cases.update(group)
    return cases


# --------------------------------------------------------------------------- writing


def run_onnx_runtime(model_bytes: bytes, feeds: dict[str, np.ndarray], optimized: bool) -> list[np.ndarray]:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # not the warning that an initializer is also a graph input: that is the point
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimized
                                        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def expected_outputs(name: str, model: onnx.ModelProto, model_bytes: bytes, feeds: dict) -> list[np.ndarray]:
    """ONNX Runtime's outputs (no graph optimization), checked against ORT's optimized graph and
    onnx.reference, and required to be finite and not constant (so a zero or constant result is news)."""
    from onnx.reference import ReferenceEvaluator
    plain = run_onnx_runtime(model_bytes, feeds, optimized=False)
    others = {"ORT with all graph optimizations": run_onnx_runtime(model_bytes, feeds, optimized=True)}
    # onnx.reference's BatchNormalization-9 disagrees with ORT and with numpy (conv_bn_relu_ir3): skip old opsets.
    # Its Loop also gets loop_static_trip_count wrong (max diff 0.95 against ORT and numpy): skip Loop.
    if model.opset_import[0].version >= 14 and not any(node.op_type == "Loop" for node in model.graph.node):
        others["onnx.reference"] = ReferenceEvaluator(model).run(None, feeds)
    for info, value in zip(model.graph.output, plain):
        if not np.all(np.isfinite(value)):
            raise SystemExit(f"{name}: output {info.name} is not finite")
        if value.size < 2 or np.all(value == value.flat[0]):
            raise SystemExit(f"{name}: output {info.name} is constant; the guard against constant outputs needs variation")
    for who, outputs in others.items():
        for info, got, want in zip(model.graph.output, outputs, plain):
            if not np.allclose(got, want, rtol=AGREE_RTOL, atol=AGREE_ATOL):
                raise SystemExit(f"{name}: {who} disagrees with ORT (no optimization) on {info.name} "
                                 f"(max diff {np.max(np.abs(got - want)):.3g})")
    return plain


def write_case(name: str, build: Callable[[str], Net], directory: str) -> str:
    net = build(name)
    model = net.model()
    model_bytes = model.SerializeToString(deterministic=True)
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(model_bytes)
    data_sets = [net.feeds] + net.fed_sets
    results = []
    for index, feeds in enumerate(data_sets):
        outputs = expected_outputs(f"{name} data set {index}", model, model_bytes, feeds)
        if index > 0 and all(np.allclose(o, r, rtol=1e-2, atol=1e-3) for o, r in zip(outputs, results[0])):
            raise SystemExit(f"{name}: data set {index} feeds other initializer values but the outputs do not change")
        results.append(outputs)
        data_dir = os.path.join(directory, f"test_data_set_{index}")
        os.makedirs(data_dir)
        fed = [info.name for info in model.graph.input if info.name in feeds]
        for k, input_name in enumerate(fed):
            write_tensor(os.path.join(data_dir, f"input_{k}.pb"), feeds[input_name], input_name)
        for k, (info, value) in enumerate(zip(model.graph.output, outputs)):
            write_tensor(os.path.join(data_dir, f"output_{k}.pb"), value, info.name)
    ops = sorted({node.op_type for node in model.graph.node} - {"Constant"})
    return f"{len(data_sets)} data set{'s' if len(data_sets) > 1 else ''}, {' '.join(ops)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "Graphs", "diff"), help="corpus folder (default: Graphs/diff)")
    args = parser.parse_args()
    cases = all_cases()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)  # a case dropped from the list must not linger
    for name, build in cases.items():
        print(f"  {name:40s} {write_case(name, build, os.path.join(args.out, name))}")
    total = directory_bytes(args.out)
    print(f"{len(cases)} cases, {total / 1e6:.2f} MB in {args.out}")
    if total > SIZE_BUDGET_BYTES:
        print(f"error: {args.out} exceeds the {SIZE_BUDGET_BYTES // (1024 * 1024)} MB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

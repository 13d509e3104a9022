#!/usr/bin/env python3
"""Builds the project's small real ONNX models (test set) and benchmark models (bench set).

The graphs are written node by node the way PyTorch's ONNX exporter (opset 17) writes them:
Shape->Gather->Unsqueeze->Concat->Reshape chains for head splitting, Constant nodes for scalars,
erf-GELU as Div/Erf/Add/Mul/Mul, Gemm for Linear on 2-D inputs, MatMul+Add inside transformers,
Dropout (eval) and Identity nodes left in. Weights come from seeded numpy generators, expected
outputs from ONNX Runtime (CPUExecutionProvider, 1 thread), so every run writes the same bytes.

    python3 Tools/make_models.py --set test|bench|all [--out DIR]

Test models go to DIR/models/<name>/, bench models to DIR/bench/<name>/ (DIR defaults to Graphs/),
each as model.onnx + test_data_set_0/input_K.pb, output_K.pb (the ONNX test-directory layout).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what PyTorch writes for opset 17
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE_BUDGET_BYTES = 30 * 1024 * 1024  # all of Graphs/
FLOAT_MIN = float(np.finfo(np.float32).min)


# --------------------------------------------------------------------------- graph builder


class GraphBuilder:
    """Collects nodes and initializers with PyTorch-exporter-style names (/scope/Op_N)."""

    def __init__(self, name: str, seed: int):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._scope: list[str] = []
        self._used_names: dict[str, int] = {}
        self._anonymous_weights = 0

    # naming -----------------------------------------------------------------
    def scope(self, name: str) -> "_Scope":
        return _Scope(self, name)

    def _node_name(self, op_type: str) -> str:
        base = "/" + "/".join(self._scope + [op_type]) if self._scope else "/" + op_type
        count = self._used_names.get(base, 0)
        self._used_names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def weight_prefix(self) -> str:
        return ".".join(self._scope)

    # graph pieces -----------------------------------------------------------
    def input(self, name: str, dtype: int, shape: list) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def output(self, value: str, name: str, dtype: int, shape: list) -> str:
        # An Identity gives the output a readable name (the exporter also leaves Identity nodes).
        self.op("Identity", [value], outputs=[name])
        self.outputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def initializer(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def anonymous_weight(self, array: np.ndarray) -> str:
        """PyTorch names transposed MatMul weights onnx::MatMul_<N>."""
        self._anonymous_weights += 1
        return self.initializer(f"onnx::MatMul_{1000 + self._anonymous_weights}", array)

    def op(self, op_type: str, inputs: list[str], n_outputs: int = 1, outputs: list[str] | None = None,
           **attributes) -> str | list[str]:
        node_name = self._node_name(op_type)
        if outputs is None:
            outputs = [f"{node_name}_output_{i}" for i in range(n_outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=node_name, **attributes))
        return outputs[0] if len(outputs) == 1 else outputs

    def constant(self, value, dtype=np.float32) -> str:
        """A Constant node, as the exporter writes for every literal (scalars are 0-d)."""
        array = np.array(value, dtype=dtype)
        node_name = self._node_name("Constant")
        output = f"{node_name}_output_0"
        self.nodes.append(helper.make_node("Constant", [], [output], name=node_name,
                                           value=numpy_helper.from_array(array)))
        return output

    # random weights ---------------------------------------------------------
    def normal(self, shape, std: float) -> np.ndarray:
        return (self.rng.standard_normal(shape) * std).astype(np.float32)

    def uniform(self, shape, low: float, high: float) -> np.ndarray:
        return self.rng.uniform(low, high, shape).astype(np.float32)

    def model(self) -> onnx.ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="swiftc-infer-make_models", producer_version="1")
        model.ir_version = IR_VERSION
        return model


class _Scope:
    def __init__(self, builder: GraphBuilder, name: str):
        self.builder, self.name = builder, name

    def __enter__(self):
        self.builder._scope.append(self.name)

    def __exit__(self, *exc):
        self.builder._scope.pop()


# --------------------------------------------------------------------------- layers


def gemm_linear(b: GraphBuilder, x: str, in_features: int, out_features: int) -> str:
    """nn.Linear on a 2-D input: the exporter writes Gemm(transB=1) with weight [out, in]."""
    prefix = b.weight_prefix()
    weight = b.initializer(f"{prefix}.weight", b.normal((out_features, in_features), 1 / math.sqrt(in_features)))
    bias = b.initializer(f"{prefix}.bias", b.normal((out_features,), 0.1))
    return b.op("Gemm", [x, weight, bias], alpha=1.0, beta=1.0, transB=1)


def matmul_linear(b: GraphBuilder, x: str, in_features: int, out_features: int) -> str:
    """nn.Linear on a 3-D input: MatMul with the transposed weight [in, out], then Add(bias, y)."""
    prefix = b.weight_prefix()
    weight = b.anonymous_weight(b.normal((in_features, out_features), 1 / math.sqrt(in_features)))
    bias = b.initializer(f"{prefix}.bias", b.normal((out_features,), 0.1))
    y = b.op("MatMul", [x, weight])
    return b.op("Add", [bias, y])


def dropout(b: GraphBuilder, x: str, ratio: float = 0.1) -> str:
    """Dropout kept in the graph (exported with training=PRESERVE in eval): identity at inference."""
    return b.op("Dropout", [x, b.constant(ratio)])


def layer_norm(b: GraphBuilder, x: str, dim: int, epsilon: float) -> str:
    prefix = b.weight_prefix()
    scale = b.initializer(f"{prefix}.weight", b.uniform((dim,), 0.8, 1.2))
    bias = b.initializer(f"{prefix}.bias", b.normal((dim,), 0.05))
    return b.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=epsilon)


def decomposed_layer_norm(b: GraphBuilder, x: str, dim: int, epsilon: float) -> str:
    """LayerNorm as older exporters (opset < 17) write it: ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add."""
    prefix = b.weight_prefix()
    scale = b.initializer(f"{prefix}.weight", b.uniform((dim,), 0.8, 1.2))
    bias = b.initializer(f"{prefix}.bias", b.normal((dim,), 0.05))
    mean = b.op("ReduceMean", [x], axes=[-1], keepdims=1)
    centered = b.op("Sub", [x, mean])
    squared = b.op("Pow", [centered, b.constant(2.0)])
    variance = b.op("ReduceMean", [squared], axes=[-1], keepdims=1)
    shifted = b.op("Add", [variance, b.constant(epsilon)])
    std = b.op("Sqrt", [shifted])
    normalized = b.op("Div", [centered, std])
    scaled = b.op("Mul", [normalized, scale])
    return b.op("Add", [scaled, bias])


def erf_gelu(b: GraphBuilder, x: str) -> str:
    """F.gelu (exact): x * 0.5 * (1 + erf(x / sqrt(2))) as the exporter writes it."""
    scaled = b.op("Div", [x, b.constant(1.4142135381698608)])
    erf = b.op("Erf", [scaled])
    shifted = b.op("Add", [erf, b.constant(1.0)])
    product = b.op("Mul", [x, shifted])
    return b.op("Mul", [product, b.constant(0.5)])


def tanh_gelu(b: GraphBuilder, x: str) -> str:
    """GPT-2's gelu_new: 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3))) written out."""
    half_x = b.op("Mul", [b.constant(0.5), x])
    cubed = b.op("Pow", [x, b.constant(3.0)])
    cubed_scaled = b.op("Mul", [b.constant(0.044715), cubed])
    inner = b.op("Add", [x, cubed_scaled])
    inner_scaled = b.op("Mul", [b.constant(math.sqrt(2.0 / math.pi)), inner])
    tanh = b.op("Tanh", [inner_scaled])
    shifted = b.op("Add", [b.constant(1.0), tanh])
    return b.op("Mul", [half_x, shifted])


def dim_of(b: GraphBuilder, x: str, index: int) -> str:
    """x.size(index) as a 1-element int64 tensor: Shape -> Gather(scalar) -> Unsqueeze."""
    shape = b.op("Shape", [x])
    scalar = b.op("Gather", [shape, b.constant(index, np.int64)], axis=0)
    return b.op("Unsqueeze", [scalar, b.constant([0], np.int64)])


def split_heads(b: GraphBuilder, x: str, heads: int, head_dim: int) -> str:
    """x.view(B, S, H, Dh).permute(0, 2, 1, 3) with the exporter's dynamic shape chain."""
    batch = dim_of(b, x, 0)
    seq = dim_of(b, x, 1)
    shape = b.op("Concat", [batch, seq, b.constant([heads], np.int64), b.constant([head_dim], np.int64)], axis=0)
    reshaped = b.op("Reshape", [x, shape])
    return b.op("Transpose", [reshaped], perm=[0, 2, 1, 3])


def merge_heads(b: GraphBuilder, x: str, dim: int) -> str:
    """x.permute(0, 2, 1, 3).reshape(B, S, D)."""
    transposed = b.op("Transpose", [x], perm=[0, 2, 1, 3])
    batch = dim_of(b, transposed, 0)
    seq = dim_of(b, transposed, 1)
    shape = b.op("Concat", [batch, seq, b.constant([dim], np.int64)], axis=0)
    return b.op("Reshape", [transposed, shape])


def attention_core(b: GraphBuilder, q: str, k: str, v: str, heads: int, dim: int,
                   additive_mask: str | None = None, causal: bool = False) -> str:
    head_dim = dim // heads
    q, k, v = (split_heads(b, t, heads, head_dim) for t in (q, k, v))
    k_t = b.op("Transpose", [k], perm=[0, 1, 3, 2])
    scores = b.op("MatMul", [q, k_t])
    scores = b.op("Div", [scores, b.constant(math.sqrt(head_dim))])
    if additive_mask is not None:
        scores = b.op("Add", [scores, additive_mask])
    if causal:
        # torch.tril(torch.ones(S, S)).bool(), then torch.where(mask, scores, finfo.min)
        seq = dim_of(b, scores, 2)
        square = b.op("Concat", [seq, seq], axis=0)
        ones = b.op("ConstantOfShape", [square], value=numpy_helper.from_array(np.array([1.0], np.float32)))
        lower = b.op("Trilu", [ones], upper=0)
        allowed = b.op("Cast", [lower], to=TensorProto.BOOL)
        scores = b.op("Where", [allowed, scores, b.constant(FLOAT_MIN)])
    probs = b.op("Softmax", [scores], axis=-1)
    probs = dropout(b, probs)
    context = b.op("MatMul", [probs, v])
    return merge_heads(b, context, dim)


def embeddings(b: GraphBuilder, input_ids: str, vocab: int, max_positions: int, dim: int) -> str:
    """Token embedding Gather + learned position embeddings for positions Range(0, S)."""
    word_table = b.initializer(f"{b.weight_prefix()}.word_embeddings.weight", b.normal((vocab, dim), 1.0))
    position_table = b.initializer(f"{b.weight_prefix()}.position_embeddings.weight",
                                   b.normal((max_positions, dim), 0.5))
    words = b.op("Gather", [word_table, input_ids])
    shape = b.op("Shape", [input_ids])
    seq = b.op("Gather", [shape, b.constant(1, np.int64)], axis=0)
    positions = b.op("Range", [b.constant(0, np.int64), seq, b.constant(1, np.int64)])
    position_vectors = b.op("Gather", [position_table, positions])
    return b.op("Add", [words, position_vectors])


# --------------------------------------------------------------------------- models


@dataclass
class MLPConfig:
    sizes: list[int]  # input, hidden..., classes


def build_mlp(name: str, cfg: MLPConfig, seed: int) -> GraphBuilder:
    b = GraphBuilder(name, seed)
    x = b.input("x", TensorProto.FLOAT, ["N", cfg.sizes[0]])
    h = x
    layers = list(zip(cfg.sizes[:-1], cfg.sizes[1:]))
    for i, (fan_in, fan_out) in enumerate(layers):
        with b.scope(f"layers.{i}"):
            h = gemm_linear(b, h, fan_in, fan_out)
            if i < len(layers) - 1:
                h = b.op("Relu", [h])
                h = dropout(b, h)
    b.output(h, "logits", TensorProto.FLOAT, ["N", cfg.sizes[-1]])
    return b


@dataclass
class ResNetConfig:
    stem_channels: int
    stem_kernel: int
    stem_stride: int
    stages: list[tuple[int, int, int]]  # (channels, blocks, first stride)
    classes: int
    image: int


def conv_bn(b: GraphBuilder, x: str, cin: int, cout: int, kernel: int, stride: int, groups: int = 1,
            gamma_range=(0.8, 1.2)) -> str:
    prefix = b.weight_prefix()
    fan_in = cin // groups * kernel * kernel
    weight = b.initializer(f"{prefix}.conv.weight",
                           b.normal((cout, cin // groups, kernel, kernel), math.sqrt(2.0 / fan_in)))
    pad = kernel // 2
    y = b.op("Conv", [x, weight], dilations=[1, 1], group=groups, kernel_shape=[kernel, kernel],
             pads=[pad, pad, pad, pad], strides=[stride, stride])
    scale = b.initializer(f"{prefix}.bn.weight", b.uniform((cout,), *gamma_range))
    bias = b.initializer(f"{prefix}.bn.bias", b.normal((cout,), 0.1))
    mean = b.initializer(f"{prefix}.bn.running_mean", b.normal((cout,), 0.1))
    var = b.initializer(f"{prefix}.bn.running_var", b.uniform((cout,), 0.5, 1.5))
    return b.op("BatchNormalization", [y, scale, bias, mean, var], epsilon=1e-5, momentum=0.9)


def basic_block(b: GraphBuilder, x: str, cin: int, cout: int, stride: int) -> str:
    with b.scope("conv1"):
        h = b.op("Relu", [conv_bn(b, x, cin, cout, 3, stride)])
    with b.scope("conv2"):
        # small last-BN gamma keeps the residual sum bounded without calibration
        h = conv_bn(b, h, cout, cout, 3, 1, gamma_range=(0.2, 0.5))
    shortcut = x
    if stride != 1 or cin != cout:
        with b.scope("downsample"):
            shortcut = conv_bn(b, x, cin, cout, 1, stride)
    return b.op("Relu", [b.op("Add", [h, shortcut])])


def build_resnet(name: str, cfg: ResNetConfig, seed: int) -> GraphBuilder:
    b = GraphBuilder(name, seed)
    x = b.input("input", TensorProto.FLOAT, [1, 3, cfg.image, cfg.image])
    with b.scope("stem"):
        h = b.op("Relu", [conv_bn(b, x, 3, cfg.stem_channels, cfg.stem_kernel, cfg.stem_stride)])
    h = b.op("MaxPool", [h], ceil_mode=0, dilations=[1, 1], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    cin = cfg.stem_channels
    for s, (cout, blocks, first_stride) in enumerate(cfg.stages):
        for i in range(blocks):
            with b.scope(f"layer{s + 1}.{i}"):
                h = basic_block(b, h, cin, cout, first_stride if i == 0 else 1)
            cin = cout
    h = b.op("GlobalAveragePool", [h])
    h = b.op("Flatten", [h], axis=1)
    with b.scope("fc"):
        h = gemm_linear(b, h, cin, cfg.classes)
    b.output(h, "logits", TensorProto.FLOAT, [1, cfg.classes])
    return b


@dataclass
class MobileNetV2Config:
    width: float
    classes: int
    image: int
    last_channels: int = 1280
    # (expansion t, channels c, repeats n, first stride s), from the MobileNetV2 paper
    blocks: list[tuple[int, int, int, int]] = field(default_factory=lambda: [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)])


def make_divisible(value: float, divisor: int = 8) -> int:
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def relu6(b: GraphBuilder, x: str) -> str:
    return b.op("Clip", [x, b.constant(0.0), b.constant(6.0)])


def build_mobilenetv2(name: str, cfg: MobileNetV2Config, seed: int) -> GraphBuilder:
    b = GraphBuilder(name, seed)
    x = b.input("input", TensorProto.FLOAT, [1, 3, cfg.image, cfg.image])
    cin = make_divisible(32 * cfg.width)
    with b.scope("features.0"):
        h = relu6(b, conv_bn(b, x, 3, cin, 3, 2))
    index = 1
    for t, c, n, s in cfg.blocks:
        cout = make_divisible(c * cfg.width)
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            with b.scope(f"features.{index}"):
                y = h
                if t != 1:
                    with b.scope("expand"):
                        y = relu6(b, conv_bn(b, y, cin, hidden, 1, 1))
                with b.scope("depthwise"):
                    y = relu6(b, conv_bn(b, y, hidden, hidden, 3, stride, groups=hidden))
                with b.scope("project"):
                    y = conv_bn(b, y, hidden, cout, 1, 1, gamma_range=(0.3, 0.6))
                h = b.op("Add", [h, y]) if stride == 1 and cin == cout else y
            cin = cout
            index += 1
    last = make_divisible(cfg.last_channels * max(1.0, cfg.width))
    with b.scope(f"features.{index}"):
        h = relu6(b, conv_bn(b, h, cin, last, 1, 1))
    h = b.op("GlobalAveragePool", [h])
    h = b.op("Flatten", [h], axis=1)
    with b.scope("classifier"):
        h = dropout(b, h, 0.2)
        with b.scope("1"):
            h = gemm_linear(b, h, last, cfg.classes)
    b.output(h, "logits", TensorProto.FLOAT, [1, cfg.classes])
    return b


@dataclass
class TransformerConfig:
    layers: int
    dim: int
    heads: int
    ffn: int
    vocab: int
    seq: int  # fixed sequence length of the data set (and max positions)


def build_bert_encoder(name: str, cfg: TransformerConfig, seed: int) -> GraphBuilder:
    """BERT-style post-LN encoder with erf-GELU, additive attention mask and a Gemm+Tanh pooler."""
    b = GraphBuilder(name, seed)
    input_ids = b.input("input_ids", TensorProto.INT64, ["batch", cfg.seq])
    attention_mask = b.input("attention_mask", TensorProto.INT64, ["batch", cfg.seq])
    with b.scope("embeddings"):
        h = embeddings(b, input_ids, cfg.vocab, cfg.seq, cfg.dim)
        with b.scope("LayerNorm"):
            h = layer_norm(b, h, cfg.dim, 1e-12)
        h = dropout(b, h)
    # extended mask: (1 - mask[:, None, None, :].float()) * finfo.min
    mask = b.op("Unsqueeze", [attention_mask, b.constant([1], np.int64)])
    mask = b.op("Unsqueeze", [mask, b.constant([2], np.int64)])
    mask = b.op("Cast", [mask], to=TensorProto.FLOAT)
    mask = b.op("Sub", [b.constant(1.0), mask])
    additive_mask = b.op("Mul", [mask, b.constant(FLOAT_MIN)])
    for i in range(cfg.layers):
        with b.scope(f"encoder/layer.{i}"):
            with b.scope("attention"):
                with b.scope("self"):
                    with b.scope("query"):
                        q = matmul_linear(b, h, cfg.dim, cfg.dim)
                    with b.scope("key"):
                        k = matmul_linear(b, h, cfg.dim, cfg.dim)
                    with b.scope("value"):
                        v = matmul_linear(b, h, cfg.dim, cfg.dim)
                    context = attention_core(b, q, k, v, cfg.heads, cfg.dim, additive_mask=additive_mask)
                with b.scope("output"):
                    with b.scope("dense"):
                        y = matmul_linear(b, context, cfg.dim, cfg.dim)
                    y = dropout(b, y)
                    y = b.op("Add", [y, h])
                    with b.scope("LayerNorm"):
                        h = layer_norm(b, y, cfg.dim, 1e-12)
            with b.scope("intermediate"):
                with b.scope("dense"):
                    y = matmul_linear(b, h, cfg.dim, cfg.ffn)
                y = erf_gelu(b, y)
            with b.scope("output"):
                with b.scope("dense"):
                    y = matmul_linear(b, y, cfg.ffn, cfg.dim)
                y = dropout(b, y)
                y = b.op("Add", [y, h])
                with b.scope("LayerNorm"):
                    h = layer_norm(b, y, cfg.dim, 1e-12)
    last_hidden = b.output(h, "last_hidden_state", TensorProto.FLOAT, ["batch", cfg.seq, cfg.dim])
    with b.scope("pooler"):
        first = b.op("Gather", [last_hidden, b.constant(0, np.int64)], axis=1)
        with b.scope("dense"):
            pooled = gemm_linear(b, first, cfg.dim, cfg.dim)
        pooled = b.op("Tanh", [pooled])
    b.output(pooled, "pooler_output", TensorProto.FLOAT, ["batch", cfg.dim])
    return b


def build_gpt_decoder(name: str, cfg: TransformerConfig, seed: int) -> GraphBuilder:
    """GPT-2-style pre-LN decoder: fused QKV + Split, causal mask (Trilu/Where), tanh-GELU,
    decomposed LayerNorm inside blocks (older exporters), LayerNormalization for ln_f, tied lm_head."""
    b = GraphBuilder(name, seed)
    input_ids = b.input("input_ids", TensorProto.INT64, ["batch", cfg.seq])
    with b.scope("transformer"):
        h = embeddings(b, input_ids, cfg.vocab, cfg.seq, cfg.dim)
        h = dropout(b, h)
        word_table = f"{b.weight_prefix()}.word_embeddings.weight"
        for i in range(cfg.layers):
            with b.scope(f"h.{i}"):
                with b.scope("ln_1"):
                    y = decomposed_layer_norm(b, h, cfg.dim, 1e-5)
                with b.scope("attn"):
                    with b.scope("c_attn"):
                        qkv = matmul_linear(b, y, cfg.dim, 3 * cfg.dim)
                    q, k, v = b.op("Split", [qkv, b.constant([cfg.dim] * 3, np.int64)], n_outputs=3, axis=2)
                    context = attention_core(b, q, k, v, cfg.heads, cfg.dim, causal=True)
                    with b.scope("c_proj"):
                        y = matmul_linear(b, context, cfg.dim, cfg.dim)
                    y = dropout(b, y)
                h = b.op("Add", [h, y])
                with b.scope("ln_2"):
                    y = decomposed_layer_norm(b, h, cfg.dim, 1e-5)
                with b.scope("mlp"):
                    with b.scope("c_fc"):
                        y = matmul_linear(b, y, cfg.dim, cfg.ffn)
                    y = tanh_gelu(b, y)
                    with b.scope("c_proj"):
                        y = matmul_linear(b, y, cfg.ffn, cfg.dim)
                    y = dropout(b, y)
                h = b.op("Add", [h, y])
        with b.scope("ln_f"):
            h = layer_norm(b, h, cfg.dim, 1e-5)
    with b.scope("lm_head"):
        # tied weights: the exporter reuses the embedding table through an Identity
        tied = b.op("Identity", [word_table])
        tied_t = b.op("Transpose", [tied], perm=[1, 0])
        logits = b.op("MatMul", [h, tied_t])
    b.output(logits, "logits", TensorProto.FLOAT, ["batch", cfg.seq, cfg.vocab])
    return b


# --------------------------------------------------------------------------- model sets


@dataclass
class ModelSpec:
    name: str
    build: callable  # () -> GraphBuilder
    inputs: callable  # (rng) -> dict[name, array]
    alias_of: str | None = None  # same model.onnx as another entry (written as a symlink)


def token_inputs(batch: int, seq: int, vocab: int, with_mask: bool):
    def make(rng):
        feeds = {"input_ids": rng.integers(0, vocab, (batch, seq)).astype(np.int64)}
        if with_mask:
            mask = np.ones((batch, seq), np.int64)
            for row in range(1, batch):  # later rows are padded at the end
                mask[row, seq - seq // 4 * row % seq:] = 0
            feeds["attention_mask"] = mask
        return feeds
    return make


def float_input(name: str, shape):
    return lambda rng: {name: rng.standard_normal(shape).astype(np.float32)}


def test_models() -> list[ModelSpec]:
    encoder = TransformerConfig(layers=1, dim=64, heads=4, ffn=256, vocab=100, seq=16)
    decoder = TransformerConfig(layers=1, dim=64, heads=4, ffn=256, vocab=100, seq=16)
    convnet = ResNetConfig(stem_channels=16, stem_kernel=3, stem_stride=1,
                           stages=[(16, 2, 1), (32, 1, 2)], classes=10, image=32)
    return [
        ModelSpec("mlp", lambda: build_mlp("mlp", MLPConfig([64, 128, 128, 10]), 1), float_input("x", (4, 64))),
        ModelSpec("convnet", lambda: build_resnet("convnet", convnet, 2), float_input("input", (1, 3, 32, 32))),
        ModelSpec("encoder", lambda: build_bert_encoder("encoder", encoder, 3),
                  token_inputs(2, encoder.seq, encoder.vocab, with_mask=True)),
        ModelSpec("decoder", lambda: build_gpt_decoder("decoder", decoder, 4),
                  token_inputs(1, decoder.seq, decoder.vocab, with_mask=False)),
    ]


def bench_models() -> list[ModelSpec]:
    # Sizes are scaled to keep all of Graphs/ under 30 MB (see Tools/README.md):
    # transformers have 2 layers (not 4); the ResNet-18 layout runs at quarter width;
    # MobileNetV2 at width 0.5 with 100 classes; mlp_b64 shares mlp_b1's model (batch is symbolic).
    mlp = MLPConfig([784, 1024, 1024, 10])
    bert = TransformerConfig(layers=2, dim=256, heads=4, ffn=1024, vocab=256, seq=128)
    gpt = TransformerConfig(layers=2, dim=256, heads=4, ffn=1024, vocab=256, seq=128)
    resnet = ResNetConfig(stem_channels=16, stem_kernel=7, stem_stride=2,
                          stages=[(16, 2, 1), (32, 2, 2), (64, 2, 2), (128, 2, 2)], classes=100, image=112)
    mobilenet = MobileNetV2Config(width=0.5, classes=100, image=112)
    return [
        ModelSpec("mlp_b1", lambda: build_mlp("mlp", mlp, 11), float_input("x", (1, 784))),
        ModelSpec("mlp_b64", lambda: build_mlp("mlp", mlp, 11), float_input("x", (64, 784)), alias_of="mlp_b1"),
        ModelSpec("bert_encoder", lambda: build_bert_encoder("bert_encoder", bert, 12),
                  token_inputs(1, bert.seq, bert.vocab, with_mask=True)),
        ModelSpec("gpt_decoder", lambda: build_gpt_decoder("gpt_decoder", gpt, 13),
                  token_inputs(1, gpt.seq, gpt.vocab, with_mask=False)),
        ModelSpec("resnet", lambda: build_resnet("resnet", resnet, 14), float_input("input", (1, 3, 112, 112))),
        ModelSpec("mobilenetv2", lambda: build_mobilenetv2("mobilenetv2", mobilenet, 15),
                  float_input("input", (1, 3, 112, 112))),
    ]


ALLOWED_OPS = set("""Add Sub Mul Div Pow Sqrt Exp Log Neg Reciprocal Abs Tanh Sigmoid Relu LeakyRelu Erf Clip
Where Equal Less Greater Not Cast MatMul Gemm Conv MaxPool AveragePool GlobalAveragePool BatchNormalization
LayerNormalization LRN Softmax LogSoftmax Dropout Flatten Reshape Transpose Squeeze Unsqueeze Concat Split
Slice Gather Expand Shape ConstantOfShape Constant Identity Range ReduceMean ReduceSum Sum Trilu""".split())


# --------------------------------------------------------------------------- writing


def run_onnx_runtime(model_bytes, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Outputs of ONNX Runtime (1 thread, no graph optimization) for a model's bytes or path."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # No graph fusions: the expected outputs should be the plain op-by-op semantics.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def write_tensor(path: str, array: np.ndarray, name: str) -> None:
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString(deterministic=True))


def write_test_data_set(directory: str, model: onnx.ModelProto, feeds: dict, outputs: list, label: str) -> str:
    """test_data_set_0/input_K.pb and output_K.pb in `directory` (refusing a non-finite output);
    returns the summary line's tail: parameter count and each output's shape and magnitude."""
    data_dir = os.path.join(directory, "test_data_set_0")
    os.makedirs(data_dir)
    for k, info in enumerate(model.graph.input):
        write_tensor(os.path.join(data_dir, f"input_{k}.pb"), feeds[info.name], info.name)
    for k, (info, value) in enumerate(zip(model.graph.output, outputs)):
        if not np.all(np.isfinite(value)):
            raise SystemExit(f"{label}: output {info.name} is not finite")
        write_tensor(os.path.join(data_dir, f"output_{k}.pb"), value, info.name)
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    shapes = ", ".join(f"{info.name}{list(v.shape)} |max|={np.max(np.abs(v)):.3g}"
                       for info, v in zip(model.graph.output, outputs))
    return f"{params / 1e6:6.2f}M params", shapes


def write_model(spec: ModelSpec, directory: str) -> None:
    builder = spec.build()
    model = builder.model()
    used = {node.op_type for node in model.graph.node}
    assert used <= ALLOWED_OPS, f"{spec.name} uses ops outside the allowed set: {sorted(used - ALLOWED_OPS)}"
    onnx.checker.check_model(model, full_check=True)
    model_bytes = model.SerializeToString(deterministic=True)

    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    model_path = os.path.join(directory, "model.onnx")
    if spec.alias_of:
        os.symlink(os.path.join("..", spec.alias_of, "model.onnx"), model_path)
    else:
        with open(model_path, "wb") as f:
            f.write(model_bytes)

    # Inputs from their own generator so adding a weight never changes the test inputs.
    feeds = spec.inputs(np.random.default_rng(1000 + sum(map(ord, spec.name))))
    outputs = run_onnx_runtime(model_bytes, feeds)
    # ONNX Runtime and onnx.reference must agree before the outputs become the expected values.
    from onnx.reference import ReferenceEvaluator
    expected = ReferenceEvaluator(model).run(None, feeds)
    for info, got, want in zip(model.graph.output, outputs, expected):
        if not np.allclose(got, want, rtol=1e-3, atol=1e-4):
            raise SystemExit(f"{spec.name}: ONNX Runtime and onnx.reference disagree on {info.name} "
                             f"(max diff {np.max(np.abs(got - want))})")
    params, shapes = write_test_data_set(directory, model, feeds, outputs, spec.name)
    kind = f"-> {spec.alias_of}/model.onnx" if spec.alias_of else f"{len(model_bytes) / 1e6:.2f} MB"
    print(f"  {spec.name:14s} {len(model.graph.node):4d} nodes {params} {kind:>22s}  {shapes}")


def directory_bytes(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["test", "bench", "all"], default="all")
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "Graphs"),
                        help="root folder; models go to OUT/models and OUT/bench (default: Graphs/)")
    args = parser.parse_args()

    sets = []
    if args.set in ("test", "all"):
        sets.append(("models", test_models()))
    if args.set in ("bench", "all"):
        sets.append(("bench", bench_models()))
    for folder, specs in sets:
        print(f"{os.path.join(args.out, folder)}:")
        for spec in specs:
            write_model(spec, os.path.join(args.out, folder, spec.name))

    total = directory_bytes(args.out)
    print(f"total size of {args.out}: {total / 1e6:.1f} MB")
    if total > SIZE_BUDGET_BYTES:
        print(f"error: {args.out} exceeds the 30 MB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

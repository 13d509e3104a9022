#!/usr/bin/env python3
"""Writes Graphs/hostile/: small malicious models, each with the exact error line expected.

Every case is a folder:

  model.onnx | model.onnxtxt   the hostile model (or a valid one, when the fault is in an input file)
  inputs/NAME.npy | NAME.pb    tensors fed to `run` (zeros for every small static input, unless given)
  outputs/NAME.npy             for a case that must run (`ok`): the outputs it must write
  expected.txt                 `inspect: LINE` and `run: LINE`, LINE being the one stderr line
                               (`$DIR` stands for the case folder) or `ok` (exit status 0),
                               and `args: FLAGS` when the case runs with extra flags (lower limits)
  about.txt                    the category and what the model does

Tests/CLITests/HostileInputTests.swift runs each through `swiftc-infer inspect` and through
`run` at -O0, -O1 and -O2 under a timeout, and wants exit status 1 (or 0 for `ok`) and exactly
that line. The models are built by hand from protobuf messages (no onnx.checker: they are
invalid on purpose). Deterministic:

    python3 Tools/make_hostile.py            # rewrites Graphs/hostile/
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO_ROOT, "Graphs", "hostile")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
HUGE = 2**62

F = TensorProto.FLOAT
I64 = TensorProto.INT64
U8 = TensorProto.UINT8


@dataclass
class Case:
    name: str
    category: str
    about: str
    inspect: str                      # expected line, or "ok"
    run: str                          # expected line at -O0, -O1 and -O2, or "ok"
    model: onnx.ModelProto | bytes | None = None    # bytes: an already serialized model
    text: str | None = None           # ONNX text instead of a protobuf model
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    raw_inputs: dict[str, bytes] = field(default_factory=dict)  # NAME.ext -> file bytes
    files: dict[str, bytes] = field(default_factory=dict)       # extra files beside the model
    args: list[str] = field(default_factory=list)              # extra flags for inspect and run
    outputs: dict[str, np.ndarray] = field(default_factory=dict)  # for `ok` cases: what run must write


def vi(name: str, dtype: int, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, initializers=(), opset: int = 17, name: str = "hostile") -> onnx.ModelProto:
    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs), list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_hostile")
    m.ir_version = 8
    return m


def const(name: str, values, dtype=np.int64) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def zeros(name: str, *shape: int) -> onnx.TensorProto:
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def node(op: str, inputs, outputs, name: str | None = None, **attrs) -> onnx.NodeProto:
    return helper.make_node(op, list(inputs), list(outputs), name=name or op.lower(), **attrs)


def one_node(op: str, inputs, outputs, initializers=(), opset: int = 17, name: str | None = None, **attrs):
    """A one-node model: `inputs`/`outputs` are value infos, initializers are fed by name."""
    wiring = [i.name for i in inputs] + [t.name for t in initializers]
    return model([node(op, wiring, [o.name for o in outputs], name=name, **attrs)], inputs, outputs, initializers, opset)


def nested_if(depth: int) -> bytes:
    """`depth` If nodes, each in the previous one's then-branch. Python's protobuf refuses to
    build messages nested this deep, so the branches are spliced as bytes (wire format)."""
    def varint(n: int) -> bytes:
        out = b""
        while True:
            out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
            n >>= 7
            if not n:
                return out

    def field(number: int, payload: bytes) -> bytes:   # a length-delimited field
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    def graph_attribute(name: str, graph: bytes) -> bytes:  # AttributeProto: name, g, type = GRAPH
        return field(1, name.encode()) + field(6, graph) + varint(20 << 3) + varint(5)

    def leaf(level: int) -> bytes:
        value = numpy_helper.from_array(np.full(1, level, np.float32))
        g = helper.make_graph([node("Constant", [], [f"z{level}"], name=f"c{level}", value=value)],
                              f"leaf{level}", [], [vi(f"z{level}", F, [1])])
        return g.SerializeToString()

    branch = leaf(depth)
    for level in range(depth - 1, -1, -1):
        if_node = (field(1, b"cond") + field(2, f"y{level}".encode()) + field(3, f"if{level}".encode())
                   + field(4, b"If") + field(5, graph_attribute("then_branch", branch))
                   + field(5, graph_attribute("else_branch", leaf(-level - 1))))
        if level == 0:
            break
        branch = (field(1, if_node) + field(2, f"branch{level}".encode())
                  + field(12, vi(f"y{level}", F, [1]).SerializeToString()))
    top = model([], [vi("cond", TensorProto.BOOL, [])], [vi("y0", F, [1])])
    # A second ModelProto.graph (field 7) merges into the first: it adds the outer If node.
    return top.SerializeToString() + field(7, field(1, if_node))


def npy_bytes(header: str, payload: bytes) -> bytes:
    h = header
    while (10 + len(h) + 1) % 16:
        h += " "
    h += "\n"
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode() + payload


def cases() -> list[Case]:
    c: list[Case] = []
    add = c.append

    # --- overflowing attributes and dims -------------------------------------------------
    add(Case("conv_group_overflow", "overflow", "Conv with group = 2^62 (W's channels x group overflows)",
             "error: node \"conv\" (Conv, opset 17): W's channels per group x group overflows (2 * 4611686018427387904)",
             "error: node \"conv\" (Conv, opset 17): W's channels per group x group overflows (2 * 4611686018427387904)",
             model=one_node("Conv", [vi("x", F, [1, 4, 8, 8])], [vi("y", F, None)], [zeros("w", 4, 2, 3, 3)],
                            name="conv", group=HUGE)))
    add(Case("convtranspose_output_shape_int64_min", "overflow", "ConvTranspose output_shape holds Int64.min",
             "error: node \"deconv\" (ConvTranspose, opset 17): output_shape [-9223372036854775808, 4] holds the negative size -9223372036854775808",
             "error: node \"deconv\" (ConvTranspose, opset 17): output_shape [-9223372036854775808, 4] holds the negative size -9223372036854775808",
             model=one_node("ConvTranspose", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], [zeros("w", 1, 1, 3, 3)],
                            name="deconv", output_shape=[INT64_MIN, 4])))
    add(Case("size_of_huge_input", "overflow", "Size of an input declared float[2^62, 2^62]",
             "error: graph input \"x\" float[4611686018427387904, 4611686018427387904] overflows (product of [4611686018427387904, 4611686018427387904])",
             "error: graph input \"x\" float[4611686018427387904, 4611686018427387904] overflows (product of [4611686018427387904, 4611686018427387904])",
             model=one_node("Size", [vi("x", F, [HUGE, HUGE])], [vi("n", I64, [])], name="size")))
    add(Case("convtranspose_stride_times_dim", "overflow", "ConvTranspose: stride x (input dim - 1) overflows",
             "error: graph input \"x\" float[1, 1, 576460752303423488] needs 2147483648 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: graph input \"x\" float[1, 1, 576460752303423488] needs 2147483648 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=one_node("ConvTranspose", [vi("x", F, [1, 1, HUGE // 8])], [vi("y", F, None)],
                            [zeros("w", 1, 1, 3)], name="deconv", strides=[64])))
    add(Case("convtranspose_group_overflow", "overflow", "ConvTranspose: W's M/group x group = 2^62 overflows",
             "error: node \"deconv\" (ConvTranspose, opset 17): W's output channels per group x group overflows (2 * 4611686018427387904)",
             "error: node \"deconv\" (ConvTranspose, opset 17): W's output channels per group x group overflows (2 * 4611686018427387904)",
             model=one_node("ConvTranspose", [vi("x", F, [1, "C", 4, 4])], [vi("y", F, None)], [zeros("w", 1, 2, 3, 3)],
                            name="deconv", group=HUGE)))
    add(Case("conv_spatial_overflow", "overflow", "Conv over declared spatial dims whose output count overflows",
             "error: graph input \"x\" float[1, 1, 1099511627776, 1099511627776] overflows (product of [1, 1, 1099511627776, 1099511627776])",
             "error: graph input \"x\" float[1, 1, 1099511627776, 1099511627776] overflows (product of [1, 1, 1099511627776, 1099511627776])",
             model=one_node("Conv", [vi("x", F, [1, 1, 2**40, 2**40])], [vi("y", F, None)],
                            [zeros("w", 1, 1, 1, 1)], name="conv")))
    add(Case("convinteger_group_overflow", "overflow", "ConvInteger with group = 2^62",
             "error: node \"convint\" (ConvInteger, opset 17): w's channels per group x group overflows (2 * 4611686018427387904)",
             "error: node \"convint\" (ConvInteger, opset 17): w's channels per group x group overflows (2 * 4611686018427387904)",
             model=one_node("ConvInteger", [vi("x", U8, [1, 4, 8, 8])], [vi("y", TensorProto.INT32, None)],
                            [const("w", np.zeros((4, 2, 3, 3)), np.uint8)], name="convint", group=HUGE)))
    add(Case("qlinearconv_group_overflow", "overflow", "QLinearConv with group = 2^62",
             "error: node \"qconv\" (QLinearConv, opset 17): w's channels per group x group overflows (2 * 4611686018427387904)",
             "error: node \"qconv\" (QLinearConv, opset 17): w's channels per group x group overflows (2 * 4611686018427387904)",
             model=model([node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"], name="qconv", group=HUGE)],
                         [vi("x", U8, [1, 4, 8, 8])], [vi("y", U8, None)],
                         [const("xs", 1.0, np.float32), const("xz", 0, np.uint8), const("w", np.zeros((4, 2, 3, 3)), np.uint8),
                          const("ws", 1.0, np.float32), const("wz", 0, np.uint8), const("ys", 1.0, np.float32),
                          const("yz", 0, np.uint8)])))
    add(Case("reshape_product_overflow", "overflow", "Reshape to [2^62, 4, -1]: the known product overflows",
             "error: node \"reshape\" (Reshape, opset 17): shape [4611686018427387904, 4, -1] for input float[4] overflows",
             "error: node \"reshape\" (Reshape, opset 17): shape [4611686018427387904, 4, -1] for input float[4] overflows",
             model=one_node("Reshape", [vi("x", F, [4])], [vi("y", F, None)], [const("s", [HUGE, 4, -1])], name="reshape")))
    add(Case("tile_repeats_overflow", "overflow", "Tile with repeats [2^62, 2^62]",
             "error: node \"tile\" (Tile, opset 17): tiling float[2,2] by [4611686018427387904, 4611686018427387904] overflows",
             "error: node \"tile\" (Tile, opset 17): tiling float[2,2] by [4611686018427387904, 4611686018427387904] overflows",
             model=one_node("Tile", [vi("x", F, [2, 2])], [vi("y", F, None)], [const("r", [HUGE, HUGE])], name="tile")))
    add(Case("pad_overflow", "overflow", "Pad adding Int64.max to a dim",
             "error: node \"pad\" (Pad, opset 17): pads 9223372036854775807, 1 on a dim of 2 give a size below 0 or overflow",
             "error: node \"pad\" (Pad, opset 17): pads 9223372036854775807, 1 on a dim of 2 give a size below 0 or overflow",
             model=one_node("Pad", [vi("x", F, [2])], [vi("y", F, None)], [const("p", [INT64_MAX, 1])], name="pad")))
    add(Case("pad_negative_size", "degenerate", "Pad removing more than the dim holds",
             "error: node \"pad\" (Pad, opset 17): pads -5, 0 on a dim of 2 give a size below 0 or overflow",
             "error: node \"pad\" (Pad, opset 17): pads -5, 0 on a dim of 2 give a size below 0 or overflow",
             model=one_node("Pad", [vi("x", F, [2])], [vi("y", F, None)], [const("p", [-5, 0])], name="pad")))
    add(Case("slice_step_int64_min", "overflow", "Slice with starts/ends at Int64 extremes and step Int64.min: "
             "valid, one element (x[7]); negating the step must not trap",
             "ok", "ok",
             model=one_node("Slice", [vi("x", F, [8])], [vi("y", F, None)],
                            [const("starts", [INT64_MAX]), const("ends", [INT64_MIN]), const("axes", [0]),
                             const("steps", [INT64_MIN])], name="slice"),
             inputs={"x": np.arange(8, dtype=np.float32)}, outputs={"y": np.array([7], np.float32)}))
    add(Case("concat_dim_overflow", "overflow", "Concat of uint8[2^62] three times: the axis sum overflows",
             "error: graph input \"a\" uint8[4611686018427387904] needs 4294967296 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: graph input \"a\" uint8[4611686018427387904] needs 4294967296 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Concat", ["a", "a", "a"], ["y"], name="concat", axis=0)],
                         [vi("a", U8, [HUGE])], [vi("y", U8, None)])))
    add(Case("depthtospace_blocksize_overflow", "overflow", "DepthToSpace with blocksize 2^32 (blocksize^2 overflows)",
             "error: node \"d2s\" (DepthToSpace, opset 17): blocksize 4294967296 must be between 1 and 2^20",
             "error: node \"d2s\" (DepthToSpace, opset 17): blocksize 4294967296 must be between 1 and 2^20",
             model=one_node("DepthToSpace", [vi("x", F, [1, 4, 2, 2])], [vi("y", F, None)], name="d2s", blocksize=2**32)))
    add(Case("spacetodepth_blocksize_zero", "degenerate", "SpaceToDepth with blocksize 0",
             "error: node \"s2d\" (SpaceToDepth, opset 17): blocksize 0 must be between 1 and 2^20",
             "error: node \"s2d\" (SpaceToDepth, opset 17): blocksize 0 must be between 1 and 2^20",
             model=one_node("SpaceToDepth", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], name="s2d", blocksize=0)))
    add(Case("resize_scales_huge", "overflow", "Resize with scales 1e30 (dim x scale does not fit an Int)",
             "error: node \"resize\" (Resize, opset 13): scale 1.0000000150474662e+30 makes axis 2 too large",
             "error: node \"resize\" (Resize, opset 13): scale 1.0000000150474662e+30 makes axis 2 too large",
             model=model([node("Resize", ["x", "", "scales"], ["y"], name="resize")],
                         [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)],
                         [const("scales", [1, 1, 1e30, 1e30], np.float32)], opset=13)))
    add(Case("resize_scales_nan", "degenerate", "Resize with NaN scales",
             "error: node \"resize\" (Resize, opset 13): scale nan must be positive",
             "error: node \"resize\" (Resize, opset 13): scale nan must be positive",
             model=model([node("Resize", ["x", "", "scales"], ["y"], name="resize")],
                         [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)],
                         [const("scales", [1, 1, float("nan"), 2], np.float32)], opset=13)))
    add(Case("resize_sizes_huge", "huge allocation", "Resize to sizes [1, 1, 100000, 100000] (40 GB)",
             "error: node \"resize\" (Resize, opset 13): output \"y\" float[1, 1, 100000, 100000] needs 40000000000 bytes (37.25 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: node \"resize\" (Resize, opset 13): output \"y\" float[1, 1, 100000, 100000] needs 40000000000 bytes (37.25 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Resize", ["x", "", "", "sizes"], ["y"], name="resize")],
                         [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)],
                         [const("sizes", [1, 1, 100000, 100000])], opset=13)))
    add(Case("split_sum_overflow", "overflow", "Split with sizes [Int64.max, Int64.max]",
             "error: node \"split\" (Split, opset 17): split [9223372036854775807, 9223372036854775807] does not sum to the axis size 4",
             "error: node \"split\" (Split, opset 17): split [9223372036854775807, 9223372036854775807] does not sum to the axis size 4",
             model=model([node("Split", ["x", "s"], ["a", "b"], name="split", axis=0)],
                         [vi("x", F, [4])], [vi("a", F, None), vi("b", F, None)], [const("s", [INT64_MAX, INT64_MAX])])))
    add(Case("topk_k_huge", "overflow", "TopK with k = Int64.max over 4 elements",
             "error: node \"topk\" (TopK, opset 17): k = 9223372036854775807 is larger than the axis size 4",
             "error: node \"topk\" (TopK, opset 17): k = 9223372036854775807 is larger than the axis size 4",
             model=model([node("TopK", ["x", "k"], ["v", "i"], name="topk")],
                         [vi("x", F, [4])], [vi("v", F, None), vi("i", I64, None)], [const("k", [INT64_MAX])])))
    add(Case("onehot_depth_huge", "huge allocation", "OneHot with depth 2^40",
             "error: node \"onehot\" (OneHot, opset 17): output float[4, 1099511627776] needs 16384 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: node \"onehot\" (OneHot, opset 17): output float[4, 1099511627776] needs 16384 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("OneHot", ["i", "d", "v"], ["y"], name="onehot")],
                         [vi("i", I64, [4])], [vi("y", F, None)], [const("d", [2**40]), const("v", [0, 1], np.float32)])))
    add(Case("attention_heads_zero", "degenerate", "Attention (opset 23) with q_num_heads = 0",
             "error: node \"attn\" (Attention, opset 23): hidden sizes 8, 8, 8 do not split into 0 / 0 heads",
             "error: node \"attn\" (Attention, opset 23): hidden sizes 8, 8, 8 do not split into 0 / 0 heads",
             model=model([node("Attention", ["q", "k", "v"], ["y"], name="attn", q_num_heads=0, kv_num_heads=0)],
                         [vi("q", F, [1, 4, 8]), vi("k", F, [1, 4, 8]), vi("v", F, [1, 4, 8])], [vi("y", F, None)],
                         opset=23)))
    add(Case("attention_heads_huge", "overflow", "Attention (opset 23) with q_num_heads = 2^62",
             "error: node \"attn\" (Attention, opset 23): hidden sizes 8, 8, 8 do not split into 4611686018427387904 / 4611686018427387904 heads",
             "error: node \"attn\" (Attention, opset 23): hidden sizes 8, 8, 8 do not split into 4611686018427387904 / 4611686018427387904 heads",
             model=model([node("Attention", ["q", "k", "v"], ["y"], name="attn", q_num_heads=HUGE, kv_num_heads=HUGE)],
                         [vi("q", F, [1, 4, 8]), vi("k", F, [1, 4, 8]), vi("v", F, [1, 4, 8])], [vi("y", F, None)],
                         opset=23)))
    add(Case("gemm_output_overflow", "overflow", "Gemm of float[2^31, 1] x float[1, 2^31]: 2^62 floats",
             "error: graph input \"a\" float[2147483648, 1] needs 8 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: graph input \"a\" float[2147483648, 1] needs 8 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=one_node("Gemm", [vi("a", F, [2**31, 1]), vi("b", F, [1, 2**31])], [vi("y", F, None)], name="gemm")))
    add(Case("expand_shape_overflow", "overflow", "Expand to [2^62, 2^62]",
             "error: node \"expand\" (Expand, opset 17): output float[4611686018427387904, 4611686018427387904] overflows (product of [4611686018427387904, 4611686018427387904])",
             "error: node \"expand\" (Expand, opset 17): output float[4611686018427387904, 4611686018427387904] overflows (product of [4611686018427387904, 4611686018427387904])",
             model=one_node("Expand", [vi("x", F, [1])], [vi("y", F, None)], [const("s", [HUGE, HUGE])], name="expand")))

    # Found by the fuzzer or by reading the shape functions after it (each one trapped before).
    scan_body1 = helper.make_graph([node("Add", ["s_in", "x_t"], ["s_out"], name="acc")], "scan_body",
                                   [vi("s_in", F, [1]), vi("x_t", F, [1])], [vi("s_out", F, [1])])
    add(Case("scan_num_scan_inputs_int64_min", "overflow", "Scan with num_scan_inputs = Int64.min (found by the fuzzer)",
             "error: node \"scan\" (Scan, opset 17): num_scan_inputs -9223372036854775808 does not fit 2 inputs and a body of 2 inputs, 1 outputs",
             "error: node \"scan\" (Scan, opset 17): num_scan_inputs -9223372036854775808 does not fit 2 inputs and a body of 2 inputs, 1 outputs",
             model=model([node("Scan", ["s", "xs"], ["total"], name="scan", body=scan_body1, num_scan_inputs=INT64_MIN)],
                         [vi("s", F, [1]), vi("xs", F, [3, 1])], [vi("total", F, [1])])))
    add(Case("resize_keep_aspect_sizes_int64_max", "overflow",
             "Resize-18 keep_aspect_ratio_policy = not_smaller with sizes Int64.max (a Double past 2^63 to Int)",
             "error: node \"resize\" (Resize, opset 18): the output size of axis 2 9.223372036854776e+18 is not a finite value that fits a 64-bit integer",
             "error: node \"resize\" (Resize, opset 18): the output size of axis 2 9.223372036854776e+18 is not a finite value that fits a 64-bit integer",
             model=model([node("Resize", ["x", "", "", "sizes"], ["y"], name="resize", axes=[2, 3],
                               keep_aspect_ratio_policy="not_smaller")],
                         [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)], [const("sizes", [INT64_MAX, INT64_MAX])], opset=18)))
    add(Case("deformconv_group_overflow", "overflow", "DeformConv with group = 2^62",
             "error: node \"deform\" (DeformConv, opset 19): W's channels x group overflows (2 * 4611686018427387904)",
             "error: node \"deform\" (DeformConv, opset 19): W's channels x group overflows (2 * 4611686018427387904)",
             model=model([node("DeformConv", ["x", "w", "offset"], ["y"], name="deform", group=HUGE)],
                         [vi("x", F, [1, 2, 4, 4]), vi("offset", F, [1, 18, 2, 2])], [vi("y", F, None)],
                         [zeros("w", 2, 2, 3, 3)], opset=19)))
    add(Case("tfidf_ngram_index_int64_max", "overflow", "TfIdfVectorizer with ngram_indexes [Int64.max] (output size + 1 overflows)",
             "error: node \"tfidf\" (TfIdfVectorizer, opset 9): the output size (largest ngram_indexes + 1) overflows (9223372036854775807 + 1)",
             "error: node \"tfidf\" (TfIdfVectorizer, opset 9): the output size (largest ngram_indexes + 1) overflows (9223372036854775807 + 1)",
             model=model([node("TfIdfVectorizer", ["x"], ["y"], name="tfidf", mode="TF", min_gram_length=1, max_gram_length=1,
                               max_skip_count=0, ngram_counts=[0], ngram_indexes=[INT64_MAX], pool_int64s=[5])],
                         [vi("x", I64, [4])], [vi("y", F, None)], opset=9)))
    add(Case("maxunpool_stride_overflow", "overflow", "MaxUnpool with strides [2^62]",
             "error: node \"unpool\" (MaxUnpool, opset 11): (input size - 1) x stride of spatial dim 0 overflows (3 * 4611686018427387904)",
             "error: node \"unpool\" (MaxUnpool, opset 11): (input size - 1) x stride of spatial dim 0 overflows (3 * 4611686018427387904)",
             model=model([node("MaxUnpool", ["x", "i"], ["y"], name="unpool", kernel_shape=[2], strides=[HUGE])],
                         [vi("x", F, [1, 1, 4]), vi("i", I64, [1, 1, 4])], [vi("y", F, None)], opset=11)))
    add(Case("col2im_block_product_overflow", "overflow", "Col2Im with block_shape [2^32, 2^32]",
             "error: node \"col2im\" (Col2Im, opset 18): prod(block_shape) overflows (product of [4294967296, 4294967296])",
             "error: node \"col2im\" (Col2Im, opset 18): prod(block_shape) overflows (product of [4294967296, 4294967296])",
             model=model([node("Col2Im", ["x", "image", "block"], ["y"], name="col2im")],
                         [vi("x", F, [1, 4, 1])], [vi("y", F, None)], [const("image", [4, 4]), const("block", [2**32, 2**32])],
                         opset=18)))
    add(Case("legacy_broadcast_axis_int64_max", "overflow", "Add-6 with broadcast = 1 and axis = Int64.max",
             "error: node \"add\" (Add, opset 6): B [3] does not broadcast onto A [2, 3] (opset 6 rules)",
             "error: node \"add\" (Add, opset 6): B [3] does not broadcast onto A [2, 3] (opset 6 rules)",
             model=model([node("Add", ["a", "b"], ["y"], name="add", broadcast=1, axis=INT64_MAX)],
                         [vi("a", F, [2, 3]), vi("b", F, [3])], [vi("y", F, None)], opset=6)))
    add(Case("linear_attention_heads_overflow", "overflow",
             "LinearAttention with q_num_heads = 2^62 over a symbolic query width (d_v x heads overflows)",
             "error: node \"lin\" (LinearAttention, opset 27): d_v x q_num_heads overflows (2 * 4611686018427387904)",
             "error: node \"lin\" (LinearAttention, opset 27): d_v x q_num_heads overflows (2 * 4611686018427387904)",
             model=model([node("LinearAttention", ["q", "k", "v"], ["y", "state"], name="lin", q_num_heads=HUGE, kv_num_heads=1,
                               update_rule="linear")],
                         [vi("q", F, [1, 4, "D"]), vi("k", F, [1, 4, "D"]), vi("v", F, [1, 4, 2])],
                         [vi("y", F, None), vi("state", F, None)], opset=27)))

    add(Case("topk_one_output", "index", "TopK declaring only its Values output (the kernel wrote Indices; found by the fuzzer)",
             "error: node \"topk\" (TopK, opset 17): TopK has two outputs (Values, Indices), got 1",
             "error: node \"topk\" (TopK, opset 17): TopK has two outputs (Values, Indices), got 1",
             model=model([node("TopK", ["x", "k"], ["v"], name="topk")], [vi("x", F, [4])], [vi("v", F, None)], [const("k", [2])])))
    add(Case("node_without_outputs", "degenerate", "a Relu with no outputs at all",
             "error: node \"relu\" (Relu, opset 17): node has no outputs",
             "error: node \"relu\" (Relu, opset 17): node has no outputs",
             model=model([node("Relu", ["x"], [], name="relu"), node("Identity", ["x"], ["y"], name="id")],
                         [vi("x", F, [2])], [vi("y", F, [2])])))
    add(Case("upsample_empty_tensor_huge_dim", "huge allocation",
             "Upsample-7 scaling a dim by 1e10 and another to 0: an empty tensor a kernel would loop over for hours (found by the fuzzer)",
             "error: node \"up\" (Upsample, opset 7): output \"y\" float[1, 1, 20000000000, 0] has a dim of 20000000000, more than the 4 GiB tensor limit allows; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: node \"up\" (Upsample, opset 7): output \"y\" float[1, 1, 20000000000, 0] has a dim of 20000000000, more than the 4 GiB tensor limit allows; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Upsample", ["x"], ["y"], name="up", scales=[1.0, 1.0, 1e10, 0.4])],
                         [vi("x", F, [1, 1, 2, 1])], [vi("y", F, None)], opset=7)))

    add(Case("dequantize_block_size_int64_max", "overflow",
             "DequantizeLinear-21 with block_size = Int64.max: valid (one block per row), the kernel's ceil-division overflowed (found by the fuzzer)",
             "ok", "ok",
             model=model([node("DequantizeLinear", ["x", "scale"], ["y"], name="dq", axis=1, block_size=INT64_MAX)],
                         [vi("x", TensorProto.INT8, [2, 4])], [vi("y", F, [2, 4])], [const("scale", [[1.0], [2.0]], np.float32)],
                         opset=21),
             inputs={"x": np.array([[1, 2, 3, 4], [-1, -2, -3, -4]], np.int8)},
             outputs={"y": np.array([[1, 2, 3, 4], [-2, -4, -6, -8]], np.float32)}))

    add(Case("tfidf_max_skip_int64_max", "overflow",
             "TfIdfVectorizer with max_skip_count = Int64.max: valid (skips past the row match nothing), the kernel's skip loop overflowed, and 2^40 hung (found by the fuzzer)",
             "ok", "ok",
             model=one_node("TfIdfVectorizer", [vi("x", TensorProto.INT32, [2, 6])], [vi("y", F, [2, 7])], opset=9, name="tfidf",
                            mode="TF", min_gram_length=2, max_gram_length=2, max_skip_count=INT64_MAX,
                            ngram_counts=[0, 4], ngram_indexes=[0, 1, 2, 3, 4, 5, 6], pool_int64s=[2, 3, 5, 4, 5, 6, 7, 8, 6, 7]),
             inputs={"x": np.array([[5, 2, 6, 3, 7, 8], [8, 6, 7, 5, 6, 8]], np.int32)},
             # onnx.reference with max_skip_count = 5 (the row length less one: every larger skip is the same)
             outputs={"y": np.array([[0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1]], np.float32)}))

    # --- huge allocations ----------------------------------------------------------------
    add(Case("constantofshape_50gb", "huge allocation", "ConstantOfShape [12500000000] floats (50 GB)",
             "error: node \"fill\" (ConstantOfShape, opset 17): output float[12500000000] needs 50000000000 bytes (46.57 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: node \"fill\" (ConstantOfShape, opset 17): output float[12500000000] needs 50000000000 bytes (46.57 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=one_node("ConstantOfShape", [], [vi("y", F, None)], [const("s", [12_500_000_000])], name="fill")))
    add(Case("range_huge", "huge allocation", "Range 0 ..< 2^40 step 1",
             "error: node \"range\" (Range, opset 17): output int64[1099511627776] needs 8192 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             "error: node \"range\" (Range, opset 17): output int64[1099511627776] needs 8192 GiB, over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Range", ["a", "b", "d"], ["y"], name="range")], [], [vi("y", I64, None)],
                         [const("a", 0), const("b", 2**40), const("d", 1)])))
    add(Case("expand_runtime_huge", "huge allocation", "Expand to a shape fed at run time: [100000, 100000] floats",
             "ok",
             "error: node \"expand\" (Expand, opset 17): output float[100000, 100000] needs 40000000000 bytes (37.25 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Expand", ["x", "s"], ["y"], name="expand")],
                         [vi("x", F, [1]), vi("s", I64, [2])], [vi("y", F, None)]),
             inputs={"x": np.ones(1, np.float32), "s": np.array([100000, 100000], np.int64)}))
    add(Case("tile_runtime_huge", "huge allocation", "Tile by repeats fed at run time: 40 GB",
             "ok",
             "error: node \"tile\" (Tile, opset 17): output float[200000, 100000] needs 80000000000 bytes (74.51 GiB), over the 4 GiB tensor limit; raise it with --max-tensor-bytes or Engine.Options.limits.maxTensorBytes",
             model=model([node("Tile", ["x", "r"], ["y"], name="tile")],
                         [vi("x", F, [2, 2]), vi("r", I64, [2])], [vi("y", F, None)]),
             inputs={"x": np.ones((2, 2), np.float32), "r": np.array([100000, 50000], np.int64)}))

    # --- degenerate strides and kernels --------------------------------------------------
    add(Case("conv_stride_zero", "degenerate", "Conv with strides [0, 0]",
             "error: node \"conv\" (Conv, opset 17): strides [0, 0] must hold 2 positive values",
             "error: node \"conv\" (Conv, opset 17): strides [0, 0] must hold 2 positive values",
             model=one_node("Conv", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], [zeros("w", 1, 1, 3, 3)],
                            name="conv", strides=[0, 0])))
    add(Case("maxpool_kernel_zero", "degenerate", "MaxPool with kernel_shape [0, 0]",
             "error: node \"pool\" (MaxPool, opset 17): kernel_shape [0, 0] must hold 2 positive sizes",
             "error: node \"pool\" (MaxPool, opset 17): kernel_shape [0, 0] must hold 2 positive sizes",
             model=one_node("MaxPool", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], name="pool", kernel_shape=[0, 0])))
    add(Case("averagepool_stride_negative", "degenerate", "AveragePool with strides [-1, 1]",
             "error: node \"pool\" (AveragePool, opset 17): strides [-1, 1] must hold 2 positive values",
             "error: node \"pool\" (AveragePool, opset 17): strides [-1, 1] must hold 2 positive values",
             model=one_node("AveragePool", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], name="pool",
                            kernel_shape=[2, 2], strides=[-1, 1])))
    add(Case("conv_dilations_huge", "overflow", "Conv with dilations 2^40 (the effective kernel overflows)",
             "error: node \"conv\" (Conv, opset 17): dilations [1099511627776, 1099511627776] must be below 2^31",
             "error: node \"conv\" (Conv, opset 17): dilations [1099511627776, 1099511627776] must be below 2^31",
             model=one_node("Conv", [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], [zeros("w", 1, 1, 3, 3)],
                            name="conv", dilations=[2**40, 2**40])))
    add(Case("slice_step_zero", "degenerate", "Slice with step 0",
             "error: node \"slice\" (Slice, opset 17): steps must not be 0",
             "error: node \"slice\" (Slice, opset 17): steps must not be 0",
             model=one_node("Slice", [vi("x", F, [8])], [vi("y", F, None)],
                            [const("starts", [0]), const("ends", [8]), const("axes", [0]), const("steps", [0])], name="slice")))
    add(Case("range_delta_zero", "degenerate", "Range with delta 0",
             "error: node \"range\" (Range, opset 17): Range needs a non-zero delta",
             "error: node \"range\" (Range, opset 17): Range needs a non-zero delta",
             model=model([node("Range", ["a", "b", "d"], ["y"], name="range")], [], [vi("y", I64, None)],
                         [const("a", 0), const("b", 10), const("d", 0)])))
    add(Case("transpose_perm_repeats", "degenerate", "Transpose with perm [0, 0] (not a permutation)",
             "error: node \"transpose\" (Transpose, opset 17): perm [0, 0] repeat axis 0",
             "error: node \"transpose\" (Transpose, opset 17): perm [0, 0] repeat axis 0",
             model=one_node("Transpose", [vi("x", F, [2, 3])], [vi("y", F, None)], name="transpose", perm=[0, 0])))
    add(Case("transpose_perm_out_of_range", "degenerate", "Transpose with perm [0, 5] on rank 2",
             "error: node \"transpose\" (Transpose, opset 17): perm 5 is out of range for rank 2",
             "error: node \"transpose\" (Transpose, opset 17): perm 5 is out of range for rank 2",
             model=one_node("Transpose", [vi("x", F, [2, 3])], [vi("y", F, None)], name="transpose", perm=[0, 5])))
    add(Case("reduce_axis_out_of_range", "degenerate", "ReduceSum over axis 7 of a rank-2 tensor",
             "error: node \"reduce\" (ReduceSum, opset 17): axis 7 is out of range for rank 2",
             "error: node \"reduce\" (ReduceSum, opset 17): axis 7 is out of range for rank 2",
             model=one_node("ReduceSum", [vi("x", F, [2, 3])], [vi("y", F, None)], [const("axes", [7])], name="reduce")))
    add(Case("gather_axis_int64_min", "degenerate", "Gather with axis = Int64.min",
             "error: node \"gather\" (Gather, opset 17): axis -9223372036854775808 is out of range for rank 2",
             "error: node \"gather\" (Gather, opset 17): axis -9223372036854775808 is out of range for rank 2",
             model=one_node("Gather", [vi("x", F, [2, 3]), vi("i", I64, [1])], [vi("y", F, None)], name="gather",
                            axis=INT64_MIN)))
    add(Case("unsqueeze_axis_huge", "degenerate", "Unsqueeze at axis Int64.max",
             "error: node \"unsqueeze\" (Unsqueeze, opset 17): axes 9223372036854775807 is out of range for rank 2",
             "error: node \"unsqueeze\" (Unsqueeze, opset 17): axes 9223372036854775807 is out of range for rank 2",
             model=one_node("Unsqueeze", [vi("x", F, [2])], [vi("y", F, None)], [const("axes", [INT64_MAX])],
                            name="unsqueeze")))

    # --- out-of-range indices at run time ------------------------------------------------
    add(Case("gather_index_out_of_range", "index", "Gather index 100 into a dim of 3 (fed at run time)",
             "ok",
             "error: node \"gather\" (Gather, opset 17): index 100 is out of range for a dim of size 3",
             model=one_node("Gather", [vi("x", F, [3]), vi("i", I64, [1])], [vi("y", F, [1])], name="gather"),
             inputs={"x": np.ones(3, np.float32), "i": np.array([100], np.int64)}))
    add(Case("gather_index_int64_min", "index", "Gather index Int64.min (normalizing it overflows)",
             "ok",
             "error: node \"gather\" (Gather, opset 17): index -9223372036854775808 is out of range for a dim of size 3",
             model=one_node("Gather", [vi("x", F, [3]), vi("i", I64, [1])], [vi("y", F, [1])], name="gather"),
             inputs={"x": np.ones(3, np.float32), "i": np.array([INT64_MIN], np.int64)}))
    add(Case("gatherelements_index_out_of_range", "index", "GatherElements index 9 into a dim of 2",
             "ok",
             "error: node \"ge\" (GatherElements, opset 17): index 9 is out of range for a dim of size 2",
             model=one_node("GatherElements", [vi("x", F, [2, 2]), vi("i", I64, [2, 2])], [vi("y", F, [2, 2])], name="ge"),
             inputs={"x": np.ones((2, 2), np.float32), "i": np.array([[0, 9], [1, 0]], np.int64)}))
    add(Case("gathernd_index_out_of_range", "index", "GatherND index [5, 0] into [2, 2]",
             "ok",
             "error: node \"gnd\" (GatherND, opset 17): index 5 is out of range for a dim of size 2",
             model=one_node("GatherND", [vi("x", F, [2, 2]), vi("i", I64, [1, 2])], [vi("y", F, [1])], name="gnd"),
             inputs={"x": np.ones((2, 2), np.float32), "i": np.array([[5, 0]], np.int64)}))
    add(Case("scatternd_index_out_of_range", "index", "ScatterND writing at index [-9] of a dim of 4",
             "ok",
             "error: node \"snd\" (ScatterND, opset 17): index -9 is out of range for a dim of size 4",
             model=one_node("ScatterND", [vi("x", F, [4]), vi("i", I64, [1, 1]), vi("u", F, [1])], [vi("y", F, [4])],
                            name="snd"),
             inputs={"x": np.ones(4, np.float32), "i": np.array([[-9]], np.int64), "u": np.ones(1, np.float32)}))
    add(Case("scatterelements_index_out_of_range", "index", "ScatterElements index 4 into a dim of 4",
             "ok",
             "error: node \"se\" (ScatterElements, opset 17): index 4 is out of range for a dim of size 4",
             model=one_node("ScatterElements", [vi("x", F, [4]), vi("i", I64, [1]), vi("u", F, [1])], [vi("y", F, [4])],
                            name="se"),
             inputs={"x": np.ones(4, np.float32), "i": np.array([4], np.int64), "u": np.ones(1, np.float32)}))
    add(Case("gather_constant_index_out_of_range", "index", "Gather of constants with index 7: found while folding",
             "ok",
             "error: node \"gather\" (Gather, opset 17): index 7 is out of range for a dim of size 3",
             model=model([node("Gather", ["x", "i"], ["g"], name="gather"), node("Add", ["g", "a"], ["y"], name="add")],
                         [vi("a", F, [1])], [vi("y", F, [1])], [const("x", [1, 2, 3], np.float32), const("i", [7])]),
             inputs={"a": np.ones(1, np.float32)}))

    # --- deep nesting and huge trip counts -----------------------------------------------
    add(Case("if_nested_65", "nesting", "65 If nodes, each inside the previous one's branch (limit 64)",
             "error: $DIR/model.onnx: the model nests subgraphs 65 levels deep, over the limit of 64; raise it with --max-nesting or Engine.Options.limits.maxNesting",
             "error: $DIR/model.onnx: the model nests subgraphs 65 levels deep, over the limit of 64; raise it with --max-nesting or Engine.Options.limits.maxNesting", model=nested_if(65)))
    add(Case("if_nested_100", "nesting", "100 nested If nodes: deeper than the protobuf decoder is allowed to recurse",
             "error: $DIR/model.onnx: not a valid ONNX model: messages are nested deeper than a subgraph nesting of 64 allows (subgraphs within subgraphs, or nested types); raise it with --max-nesting or Engine.Options.limits.maxNesting",
             "error: $DIR/model.onnx: not a valid ONNX model: messages are nested deeper than a subgraph nesting of 64 allows (subgraphs within subgraphs, or nested types); raise it with --max-nesting or Engine.Options.limits.maxNesting", model=nested_if(100)))
    add(Case("if_nested_10_limit_4", "nesting", "10 nested If nodes under --max-nesting 4",
             "error: $DIR/model.onnx: not a valid ONNX model: messages are nested deeper than a subgraph nesting of 4 allows (subgraphs within subgraphs, or nested types); raise it with --max-nesting or Engine.Options.limits.maxNesting",
             "error: $DIR/model.onnx: not a valid ONNX model: messages are nested deeper than a subgraph nesting of 4 allows (subgraphs within subgraphs, or nested types); raise it with --max-nesting or Engine.Options.limits.maxNesting", model=nested_if(10), args=["--max-nesting", "4"]))
    add(Case("text_nested_braces", "nesting", "ONNX text with 1000 nested graph attributes (parser recursion)",
             "error: $DIR/model.onnxtxt: line 3, column 2909: the model nests subgraphs 65 levels deep, over the limit of 64; raise it with --max-nesting or Engine.Options.limits.maxNesting",
             "error: $DIR/model.onnxtxt: line 3, column 2909: the model nests subgraphs 65 levels deep, over the limit of 64; raise it with --max-nesting or Engine.Options.limits.maxNesting",
             text='<ir_version: 8, opset_import: ["" : 17]>\ng (bool c) => (float y) {\n'
                  + "y = If (c) <then_branch = g () => (float y) {" * 1000 + "\n}\n"))
    loop_body = helper.make_graph(
        [node("Identity", ["cond_in"], ["cond_out"], name="keep"), node("Add", ["v_in", "one"], ["v_out"], name="inc")],
        "body", [vi("i", I64, []), vi("cond_in", TensorProto.BOOL, []), vi("v_in", F, [1])],
        [vi("cond_out", TensorProto.BOOL, []), vi("v_out", F, [1])], [const("one", [1.0], np.float32)])
    add(Case("loop_trip_count_huge", "trip count", "Loop with trip count 2^62 and a condition that stays true",
             "ok",
             "error: node \"loop\" (Loop, opset 17): the loop (trip count 4611686018427387904) reaches 1001 iterations, over the limit of 1000; raise it with --max-loop-iterations or Engine.Options.limits.maxLoopIterations",
             model=model([node("Loop", ["m", "c", "v"], ["out"], name="loop", body=loop_body)], [vi("v", F, [1])],
                         [vi("out", F, [1])], [const("m", HUGE), const("c", True, np.bool_)]),
             args=["--max-loop-iterations", "1000"]))
    add(Case("loop_unbounded", "trip count", "Loop with no trip count whose condition never turns false",
             "ok",
             "error: node \"loop\" (Loop, opset 17): the loop (trip count none) reaches 1001 iterations, over the limit of 1000; raise it with --max-loop-iterations or Engine.Options.limits.maxLoopIterations",
             model=model([node("Loop", ["", "c", "v"], ["out"], name="loop", body=loop_body)], [vi("v", F, [1])],
                         [vi("out", F, [1])], [const("c", True, np.bool_)]),
             args=["--max-loop-iterations", "1000"]))
    add(Case("loop_timeout", "trip count", "Loop whose condition never turns false, under --timeout 0.5",
             "ok",
             "error: node \"loop\" (Loop, opset 17): the run took longer than the 0.5 s time limit; raise it with --timeout or Engine.Options.limits.timeout",
             model=model([node("Loop", ["", "c", "v"], ["out"], name="loop", body=loop_body)], [vi("v", F, [1])],
                         [vi("out", F, [1])], [const("c", True, np.bool_)]),
             args=["--timeout", "0.5", "--max-loop-iterations", "1000000000"]))
    scan_body = helper.make_graph([node("Add", ["s_in", "x_t"], ["s_out"], name="acc")], "scan_body",
                                  [vi("s_in", F, [1]), vi("x_t", F, [1])], [vi("s_out", F, [1])])
    add(Case("scan_too_long", "trip count", "Scan over 2000 steps under --max-loop-iterations 1000",
             "ok",
             "error: node \"scan\" (Scan, opset 17): the scan would run 2000 iterations, over the limit of 1000; raise it with --max-loop-iterations or Engine.Options.limits.maxLoopIterations",
             model=model([node("ConstantOfShape", ["len"], ["xs"], name="fill",
                               value=numpy_helper.from_array(np.ones(1, np.float32))),
                          node("Scan", ["s", "xs"], ["total"], name="scan", body=scan_body, num_scan_inputs=1)],
                         [vi("s", F, [1])], [vi("total", F, [1])], [const("len", [2000, 1])]),
             args=["--max-loop-iterations", "1000"]))

    # --- inconsistent initializers and bad external data ---------------------------------
    short = zeros("w", 4)
    short.raw_data = b"\0" * 8
    add(Case("initializer_raw_data_short", "initializer", "initializer w: dims [4] of float with 8 bytes of raw_data",
             "error: $DIR/model.onnx: initializer \"w\" has 8 bytes of data, but float[4] needs 16",
             "error: $DIR/model.onnx: initializer \"w\" has 8 bytes of data, but float[4] needs 16",
             model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])], [short], name="add")))
    fewer = onnx.TensorProto(name="w", data_type=F, dims=[4], float_data=[1.0, 2.0, 3.0])
    add(Case("initializer_float_data_short", "initializer", "initializer w: dims [4] with 3 float_data values",
             "error: $DIR/model.onnx: initializer \"w\" has 3 values in float_data, but float[4] needs 4",
             "error: $DIR/model.onnx: initializer \"w\" has 3 values in float_data, but float[4] needs 4",
             model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])], [fewer], name="add")))
    negative = onnx.TensorProto(name="w", data_type=F, dims=[-1])
    add(Case("initializer_negative_dim", "initializer", "initializer w with dims [-1]",
             "error: $DIR/model.onnx: initializer \"w\" has dims [-1], which are negative or overflow",
             "error: $DIR/model.onnx: initializer \"w\" has dims [-1], which are negative or overflow",
             model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])], [negative], name="add")))
    overflow = onnx.TensorProto(name="w", data_type=F, dims=[2**32, 2**32])
    add(Case("initializer_dims_overflow", "initializer", "initializer w with dims [2^32, 2^32] (no data)",
             "error: $DIR/model.onnx: initializer \"w\" has dims [4294967296, 4294967296], which are negative or overflow",
             "error: $DIR/model.onnx: initializer \"w\" has dims [4294967296, 4294967296], which are negative or overflow",
             model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])], [overflow], name="add")))
    add(Case("initializer_shape_vs_input", "initializer", "input w declared float[3] with a default of 4 values",
             "error: $DIR/model.onnx: initializer \"w\" is float[4], but graph input \"w\", whose default it is, is declared float[3]",
             "error: $DIR/model.onnx: initializer \"w\" is float[4], but graph input \"w\", whose default it is, is declared float[3]",
             model=model([node("Add", ["x", "w"], ["y"], name="add")], [vi("x", F, [4]), vi("w", F, [3])],
                         [vi("y", F, [4])], [const("w", [1, 2, 3, 4], np.float32)])))
    add(Case("initializer_duplicate", "initializer", "two initializers named w",
             "error: $DIR/model.onnx: initializer \"w\" is defined twice",
             "error: $DIR/model.onnx: initializer \"w\" is defined twice",
             model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])],
                            [const("w", [1, 2, 3, 4], np.float32), const("w", [5, 6, 7, 8], np.float32)], name="add")))

    def external(location: str, offset: int | None = None, length: int | None = None) -> onnx.TensorProto:
        t = onnx.TensorProto(name="w", data_type=F, dims=[4], data_location=TensorProto.EXTERNAL)
        for k, v in [("location", location), ("offset", offset), ("length", length)]:
            if v is not None:
                e = t.external_data.add()
                e.key, e.value = k, str(v)
        return t

    def ext_case(name: str, about: str, expected: str, tensor: onnx.TensorProto, files: dict[str, bytes] | None = None):
        add(Case(name, "external data", about, expected, expected,
                 model=one_node("Add", [vi("x", F, [4])], [vi("y", F, [4])], [tensor], name="add"), files=files or {}))

    ext_case("external_path_traversal", "external data at ../../../../etc/passwd",
             "error: $DIR/model.onnx: initializer \"w\": external data \"../../../../etc/passwd\" leaves the model's folder (\"..\")", external("../../../../etc/passwd"))
    ext_case("external_absolute_path", "external data at /etc/passwd",
             "error: $DIR/model.onnx: initializer \"w\": external data \"/etc/passwd\" is an absolute path; it must be relative to the model's folder", external("/etc/passwd"))
    ext_case("external_missing_file", "external data in a file that does not exist",
             "error: $DIR/model.onnx: initializer \"w\": external data \"weights.bin\" does not exist", external("weights.bin"))
    ext_case("external_offset_huge", "external data at offset 2^62",
             "error: $DIR/model.onnx: initializer \"w\": external data \"weights.bin\" range 4611686018427387904..<4611686018427387920 is beyond the end of the file (16 bytes)", external("weights.bin", offset=HUGE),
             {"weights.bin": b"\0" * 16})
    ext_case("external_offset_overflow", "external data at offset Int64.max (offset + length overflows)",
             "error: $DIR/model.onnx: initializer \"w\": external data \"weights.bin\" range 9223372036854775807..<-9223372036854775793 is beyond the end of the file (16 bytes)",
             external("weights.bin", offset=INT64_MAX), {"weights.bin": b"\0" * 16})
    ext_case("external_short_file", "external data: 16 bytes wanted, the file holds 8",
             "error: $DIR/model.onnx: initializer \"w\": external data \"weights.bin\" range 0..<16 is beyond the end of the file (8 bytes)", external("weights.bin"),
             {"weights.bin": b"\0" * 8})
    ext_case("external_bad_offset", "external data with offset \"-5\"",
             "error: $DIR/model.onnx: initializer \"w\": external data \"weights.bin\" has an invalid offset \"-5\"", external("weights.bin", offset=-5),
             {"weights.bin": b"\0" * 16})

    # --- hostile input files (a valid model) ---------------------------------------------
    relu = one_node("Relu", [vi("x", F, ["N"])], [vi("y", F, ["N"])], name="relu")
    add(Case("npy_shape_overflow", "tensor file", "a .npy input whose header claims shape (2^62, 2^62)",
             "ok",
             "error: $DIR/inputs/x.npy: the .npy shape overflows (product of [4611686018427387904, 4611686018427387904])", model=relu,
             raw_inputs={"x.npy": npy_bytes(f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({HUGE}, {HUGE}), }}", b"")}))
    add(Case("npy_truncated", "tensor file", "a .npy input whose header claims 1000 floats and holds 2",
             "ok",
             "error: $DIR/inputs/x.npy: .npy data is 8 bytes, but shape [1000] of float needs 4000", model=relu,
             raw_inputs={"x.npy": npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }", b"\0" * 8)}))
    pb = onnx.TensorProto(name="x", data_type=F, dims=[HUGE, 4])
    add(Case("pb_dims_overflow", "tensor file", "a TensorProto .pb input with dims [2^62, 4] and no data",
             "ok",
             "error: $DIR/inputs/x.pb: tensor \"x\" has dims [4611686018427387904, 4], which are negative or overflow", model=relu, raw_inputs={"x.pb": pb.SerializeToString()}))
    return c


NUMPY_TYPES = {TensorProto.FLOAT: np.float32, TensorProto.INT64: np.int64, TensorProto.UINT8: np.uint8,
               TensorProto.BOOL: np.bool_, TensorProto.INT32: np.int32, TensorProto.DOUBLE: np.float64,
               TensorProto.INT8: np.int8}


def zero_feeds(case: Case) -> dict[str, np.ndarray]:
    """Zeros for every small, static graph input the case does not feed itself, so `run` gets
    past input validation to whatever the model does wrong."""
    if not isinstance(case.model, onnx.ModelProto) or case.raw_inputs:
        return {}
    initializers = {t.name for t in case.model.graph.initializer}
    feeds = {}
    for i in case.model.graph.input:
        if i.name in case.inputs or i.name in initializers:
            continue
        t = i.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        if None in dims or t.elem_type not in NUMPY_TYPES or int(np.prod(dims, dtype=object)) > 4096:
            continue
        feeds[i.name] = np.zeros(dims, NUMPY_TYPES[t.elem_type])
    return feeds


def write_case(case: Case) -> None:
    case.inputs = {**zero_feeds(case), **case.inputs}
    d = os.path.join(OUT, case.name)
    os.makedirs(d)
    if case.text is not None:
        with open(os.path.join(d, "model.onnxtxt"), "w") as f:
            f.write(case.text)
    else:
        assert case.model is not None
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(case.model if isinstance(case.model, bytes) else case.model.SerializeToString())
    for name, data in case.files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    if case.inputs or case.raw_inputs:
        os.makedirs(os.path.join(d, "inputs"))
    for name, array in case.inputs.items():
        np.save(os.path.join(d, "inputs", name + ".npy"), array, allow_pickle=False)
    if case.outputs:
        os.makedirs(os.path.join(d, "outputs"))
    for name, array in case.outputs.items():
        np.save(os.path.join(d, "outputs", name + ".npy"), array, allow_pickle=False)
    for name, data in case.raw_inputs.items():
        with open(os.path.join(d, "inputs", name), "wb") as f:
            f.write(data)
    with open(os.path.join(d, "expected.txt"), "w") as f:
        f.write(f"inspect: {case.inspect}\nrun: {case.run}\n")
        if case.args:
            f.write(f"args: {' '.join(case.args)}\n")
    with open(os.path.join(d, "about.txt"), "w") as f:
        f.write(f"{case.category}: {case.about}\n")


def main() -> None:
    all_cases = cases()
    names = [c.name for c in all_cases]
    assert len(names) == len(set(names)), "duplicate case names"
    shutil.rmtree(OUT, ignore_errors=True)
    for case in all_cases:
        write_case(case)
    print(f"wrote {len(all_cases)} cases to {os.path.relpath(OUT, REPO_ROOT)}")


if __name__ == "__main__":
    main()

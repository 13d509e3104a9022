#!/usr/bin/env python3
"""Exports small transformer models with PyTorch's own ONNX exporters, for the attention fusion.

Unlike make_models.py (graphs written node by node in the exporters' style), these go through
torch.onnx.export itself, so the attention patterns are exactly what PyTorch and Hugging Face
transformers write:

  gpt_masked_fill  4-layer GPT-2-style decoder (d=64, 4 heads, seq 16), causal attention as
                   scores.masked_fill(~tril, -inf); torch.onnx dynamo exporter (opset 18)
  bert_padding     2-layer Hugging Face BertModel (eager attention), the padding mask as an
                   additive bias; TorchScript exporter (opset 17)
  t5_relative      2-layer Hugging Face T5EncoderModel (eager attention), relative-position bias
                   plus padding mask added to unscaled scores; dynamo exporter (opset 18)

Weights come from torch.manual_seed, inputs from a seeded numpy generator (one padded row),
expected outputs from ONNX Runtime (CPU, 1 thread, graph optimizations off), checked against
onnx.reference first. Each goes to OUT/<name>/ as model.onnx + test_data_set_0/ (the ONNX test
layout), with layers.txt holding its attention layer count.

    python3 Tools/export_attention_models.py [--out Graphs/attention]

Needs torch (2.13, CPU), onnxscript and transformers (5.x) besides Tools/requirements.txt (see
Tools/requirements-bench.txt); the committed models are what it wrote, so the tests need none of them.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import warnings

import numpy as np
import onnx
from onnx import numpy_helper

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZE_LIMIT_BYTES = 2 * 1024 * 1024  # per model
BATCH, SEQ, VOCAB = 2, 16, 128


def gpt_masked_fill():
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Block(nn.Module):
        def __init__(self, d: int, heads: int, seq: int):
            super().__init__()
            self.heads = heads
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.c_fc, self.c_out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.register_buffer("causal", torch.tril(torch.ones(seq, seq, dtype=torch.bool)).view(1, 1, seq, seq))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
            q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            scores = scores.masked_fill(~self.causal[:, :, :t, :t], float("-inf"))
            y = F.softmax(scores, dim=-1) @ v
            x = x + self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))
            return x + self.c_out(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))

    class Decoder(nn.Module):
        def __init__(self, layers=4, d=64, heads=4):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, d), nn.Embedding(SEQ, d)
            self.blocks = nn.ModuleList(Block(d, heads, SEQ) for _ in range(layers))
            self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, VOCAB, bias=False)

        def forward(self, input_ids):
            x = self.wte(input_ids) + self.wpe(torch.arange(input_ids.shape[1]))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_f(x))

    torch.manual_seed(1)
    return Decoder().eval(), ["input_ids"], True, 18, 4


def bert_padding():
    import torch
    without_torchvision_ops()
    from transformers import BertConfig, BertModel

    torch.manual_seed(2)
    config = BertConfig(num_hidden_layers=2, hidden_size=64, num_attention_heads=4, intermediate_size=256,
                        vocab_size=VOCAB, max_position_embeddings=SEQ, attn_implementation="eager")
    return HiddenStates(BertModel(config)).eval(), ["input_ids", "attention_mask"], False, 17, 2


def t5_relative():
    import torch
    without_torchvision_ops()
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(3)
    config = T5Config(num_layers=2, d_model=64, d_kv=16, num_heads=4, d_ff=128, vocab_size=VOCAB,
                      attn_implementation="eager")
    return HiddenStates(T5EncoderModel(config)).eval(), ["input_ids", "attention_mask"], True, 18, 2


def without_torchvision_ops():
    """transformers imports torchvision when it is installed; the PyPI wheel's C ops do not load
    against CPU torch and break that import (see make_fullsize_models.import_torchvision)."""
    from make_fullsize_models import import_torchvision
    import_torchvision()


def HiddenStates(model):
    """The model's last hidden state from (input_ids, attention_mask), as a plain module to export."""
    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]

    return Wrapped()


MODELS = {"gpt_masked_fill": gpt_masked_fill, "bert_padding": bert_padding, "t5_relative": t5_relative}


def inputs(names: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    feeds = {"input_ids": rng.integers(0, VOCAB, (BATCH, SEQ)).astype(np.int64)}
    if "attention_mask" in names:
        mask = np.ones((BATCH, SEQ), np.int64)
        mask[1, SEQ - 5:] = 0  # the second sequence is padded
        feeds["attention_mask"] = mask
    return feeds


def export(name: str, out_dir: str) -> None:
    import torch

    module, names, dynamo, opset, layers = MODELS[name]()
    rng = np.random.default_rng(1000 + sum(map(ord, name)))
    feeds = inputs(names, rng)
    directory = os.path.join(out_dir, name)
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    path = os.path.join(directory, "model.onnx")
    args = tuple(torch.from_numpy(feeds[n]) for n in names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, path, input_names=names, output_names=["output"], opset_version=opset,
                          dynamo=dynamo, **({"external_data": False} if dynamo else {"do_constant_folding": True}))
    model = onnx.load(path)
    onnx.save(model, path)  # one file, no external data
    size = os.path.getsize(path)
    if size > SIZE_LIMIT_BYTES:
        raise SystemExit(f"{name}: {size} bytes is over the {SIZE_LIMIT_BYTES} limit")

    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    from onnx.reference import ReferenceEvaluator
    reference = ReferenceEvaluator(model).run(None, feeds)
    for got, want in zip(outputs, reference):
        if not np.allclose(got, want, rtol=1e-3, atol=1e-4):
            raise SystemExit(f"{name}: ONNX Runtime and onnx.reference disagree (max diff {np.max(np.abs(got - want))})")
    with torch.no_grad():
        eager = module(*args).numpy()
    if not np.allclose(outputs[0], eager, rtol=1e-3, atol=1e-4):
        raise SystemExit(f"{name}: ONNX Runtime and PyTorch disagree (max diff {np.max(np.abs(outputs[0] - eager))})")

    data = os.path.join(directory, "test_data_set_0")
    os.makedirs(data)
    for k, info in enumerate(model.graph.input):
        with open(os.path.join(data, f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(feeds[info.name], info.name).SerializeToString(deterministic=True))
    for k, (info, value) in enumerate(zip(model.graph.output, outputs)):
        if not np.all(np.isfinite(value)):
            raise SystemExit(f"{name}: output {info.name} is not finite")
        with open(os.path.join(data, f"output_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, info.name).SerializeToString(deterministic=True))
    with open(os.path.join(directory, "layers.txt"), "w") as f:
        f.write(f"{layers}\n")
    softmaxes = sum(n.op_type == "Softmax" for n in model.graph.node)
    print(f"  {name:16s} {len(model.graph.node):4d} nodes, {softmaxes} Softmax, {size / 1e6:.2f} MB, "
          f"opset {opset} ({'dynamo' if dynamo else 'TorchScript'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "Graphs", "attention"))
    parser.add_argument("names", nargs="*", default=list(MODELS), help="models to export (default: all)")
    args = parser.parse_args()
    for name in args.names:
        export(name, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Exports the full-size benchmark corpus: real torchvision CNNs and BERT/GPT-2-sized transformers.

Unlike make_models.py (scaled-down graphs written node by node, committed under Graphs/bench),
these are the standard architectures at full size, exported by torch.onnx.export itself
(TorchScript exporter, opset 17, constant folding on), so they are exactly what PyTorch writes:

  resnet18 resnet50 mobilenet_v2 mobilenet_v3_large efficientnet_b0 convnext_tiny densenet121
  shufflenet_v2_x1_0   torchvision.models classes, batch 1, input 1x3x224x224 float32, 1000 classes
  bert_base            Hugging Face BertModel, 12 layers, d=768, 12 heads, FFN 3072, vocab 30522,
                       batch 1, seq 128 (input_ids, attention_mask) -> last hidden state
  gpt2_small           Hugging Face GPT2LMHeadModel, 12 layers, d=768, 12 heads, vocab 50257,
                       batch 1, seq 128 (input_ids) -> logits

Weights are random: torch.manual_seed per model, eval mode, torchvision's / transformers' own
initialization, except that BatchNorm statistics and affine parameters and ConvNeXt's layer scales
are redrawn (seeded) so none of them is an identity. Inputs come from a seeded numpy generator,
expected outputs from ONNX Runtime (CPUExecutionProvider, 1 thread, graph optimizations off),
checked against PyTorch eager first. Each model goes to OUT/<name>/ as model.onnx +
test_data_set_0/input_K.pb, output_K.pb (the ONNX test-directory layout, as make_models.py
writes Graphs/bench/). Nothing of it is committed: OUT defaults to the ignored .cache/fullsize.

    python3 Tools/make_fullsize_models.py [--out .cache/fullsize] [--models resnet18,bert_base] [--force]

Models already present (model.onnx and its data set) are skipped unless --force. Needs
Tools/requirements-bench.txt (torch 2.13 CPU, torchvision 0.28, transformers 5, onnxscript) on top
of Tools/requirements.txt; the tests need none of it. The torchvision wheel on PyPI is a CUDA
build whose C extension does not load against torch's CPU build; the model classes are plain
Python, so this script imports torchvision without its C-op registrations (see import_torchvision).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import types
import warnings

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_models import run_onnx_runtime, write_test_data_set  # noqa: E402  (the same files as the bench set)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPSET = 17
IMAGE_SHAPE = (1, 3, 224, 224)
SEQ = 128

VISION = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny",
          "densenet121", "shufflenet_v2_x1_0"]
TRANSFORMERS = ["bert_base", "gpt2_small"]
ALL_MODELS = VISION + TRANSFORMERS


def import_torchvision():
    """torchvision.models without torchvision's C extension.

    torchvision/__init__.py imports _meta_registrations, which registers fake kernels for
    torchvision::nms etc. and fails when _C.so did not load (the PyPI wheel links libcudart).
    The classification models never call those ops, so an empty stand-in module is enough.
    Called before transformers is imported too: it imports torchvision when it is installed.
    """
    import torch  # noqa: F401
    name = "torchvision._meta_registrations"
    if "torchvision" not in sys.modules and name not in sys.modules:
        try:
            import torchvision  # noqa: F401
        except RuntimeError:
            for key in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
                del sys.modules[key]
            sys.modules[name] = types.ModuleType(name)
    import torchvision.models
    return torchvision.models


def randomize_norms(module, generator) -> None:
    """Seeded BatchNorm statistics/affine and ConvNeXt layer scales, so no folded op is an identity."""
    import torch
    from torch import nn

    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
            if hasattr(m, "layer_scale") and isinstance(m.layer_scale, nn.Parameter):
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=generator) * 0.2 + 0.1)


def vision_model(name: str, seed: int):
    import torch
    models = import_torchvision()
    torch.manual_seed(seed)
    net = getattr(models, name)(weights=None)
    randomize_norms(net, torch.Generator().manual_seed(seed))
    rng = np.random.default_rng(1000 + sum(map(ord, name)))
    feeds = {"input": rng.standard_normal(IMAGE_SHAPE).astype(np.float32)}
    return net.eval(), feeds, ["output"]


def first_output(model, names: list[str], ones_mask: bool = False, **extra):
    """A Hugging Face model as a plain module: positional inputs (in `names` order) -> its first output.

    ones_mask passes attention_mask=ones_like(input_ids) (not a graph input): without a mask,
    transformers 5 checks position_ids for packed sequences with torch.diff, which the TorchScript
    exporter cannot export; an all-ones mask is what no mask means and folds into constants.
    """
    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *args):
            kwargs = dict(zip(names, args))
            if ones_mask:
                kwargs["attention_mask"] = torch.ones_like(kwargs["input_ids"])
            return self.model(**kwargs, **extra, return_dict=False)[0]

    return Wrapped()


def bert_base(seed: int):
    import torch
    from transformers import BertConfig, BertModel
    torch.manual_seed(seed)
    config = BertConfig(num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072,
                        vocab_size=30522, max_position_embeddings=512, attn_implementation="eager")
    model = BertModel(config, add_pooling_layer=False)
    rng = np.random.default_rng(1000 + sum(map(ord, "bert_base")))
    feeds = {"input_ids": rng.integers(0, config.vocab_size, (1, SEQ)).astype(np.int64),
             "attention_mask": np.ones((1, SEQ), np.int64)}
    return first_output(model, list(feeds)).eval(), feeds, ["last_hidden_state"]


def gpt2_small(seed: int):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(seed)
    config = GPT2Config(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024,
                        attn_implementation="eager")
    model = GPT2LMHeadModel(config)
    rng = np.random.default_rng(1000 + sum(map(ord, "gpt2_small")))
    feeds = {"input_ids": rng.integers(0, config.vocab_size, (1, SEQ)).astype(np.int64)}
    return first_output(model, list(feeds), ones_mask=True, use_cache=False).eval(), feeds, ["logits"]


def build(name: str):
    seed = ALL_MODELS.index(name) + 1
    import_torchvision()
    if name in VISION:
        return vision_model(name, seed)
    return {"bert_base": bert_base, "gpt2_small": gpt2_small}[name](seed)


def present(directory: str) -> bool:
    data = os.path.join(directory, "test_data_set_0")
    return (os.path.isfile(os.path.join(directory, "model.onnx")) and os.path.isfile(os.path.join(data, "input_0.pb"))
            and os.path.isfile(os.path.join(data, "output_0.pb")))


def export(name: str, out_dir: str) -> None:
    import torch

    start = time.perf_counter()
    module, feeds, output_names = build(name)
    directory = os.path.join(out_dir, name)
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    path = os.path.join(directory, "model.onnx")
    args = tuple(torch.from_numpy(v) for v in feeds.values())
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, path, input_names=list(feeds), output_names=output_names,
                          opset_version=OPSET, dynamo=False, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)

    outputs = run_onnx_runtime(path, feeds)
    with torch.no_grad():
        eager = module(*args)
    eager = [eager] if isinstance(eager, torch.Tensor) else list(eager)
    for info, got, want in zip(model.graph.output, outputs, eager):
        want = want.numpy()
        scale = float(np.max(np.abs(want))) or 1.0
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-3, atol=1e-4 * scale):
            raise SystemExit(f"{name}: ONNX Runtime and PyTorch disagree on {info.name} "
                             f"(max diff {np.max(np.abs(got - want)):.3g}, |max| {scale:.3g})")

    params, shapes = write_test_data_set(directory, model, feeds, outputs, name)
    size = os.path.getsize(path)
    print(f"  {name:20s} {len(model.graph.node):5d} nodes {params} {size / 1e6:8.1f} MB "
          f"{time.perf_counter() - start:6.1f} s  {shapes}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, ".cache", "fullsize"),
                        help="root folder; each model goes to OUT/<name>/ (default: .cache/fullsize)")
    parser.add_argument("--models", default=",".join(ALL_MODELS),
                        help=f"comma-separated names (default: all of {','.join(ALL_MODELS)})")
    parser.add_argument("--force", action="store_true", help="re-export models that are already present")
    args = parser.parse_args()

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(ALL_MODELS)}")
    print(f"{args.out}:", flush=True)
    for name in names:
        directory = os.path.join(args.out, name)
        if present(directory) and not args.force:
            size = os.path.getsize(os.path.join(directory, "model.onnx"))
            print(f"  {name:20s} present ({size / 1e6:.1f} MB), skipped (--force re-exports)", flush=True)
            continue
        export(name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

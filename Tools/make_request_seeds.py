#!/usr/bin/env python3
"""Seed requests for the `request` fuzz target (Tools/fuzz.sh seed runs this): KServe v2 JSON
bodies, binary-extension bodies (JSON header, then raw bytes) and serialized gRPC
ModelInferRequest messages, for the fuzz target's stand-in model (x: float[N,4],
ids: int64[N,2]) and for every datatype, valid and a little wrong.

    python3 Tools/make_request_seeds.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
from tritonclient.grpc import service_pb2

DATATYPES = {"FP32": np.float32, "FP64": np.float64, "INT64": np.int64, "INT32": np.int32,
             "INT8": np.int8, "UINT8": np.uint8, "BOOL": np.bool_}
CONTENTS = {"FP32": "fp32_contents", "FP64": "fp64_contents", "INT64": "int64_contents", "INT32": "int_contents",
            "INT8": "int_contents", "UINT8": "uint_contents", "BOOL": "bool_contents"}


def tensors(rows):
    rng = np.random.default_rng(rows)
    return [("x", "FP32", rng.standard_normal((rows, 4)).astype(np.float32)),
            ("ids", "INT64", rng.integers(-9, 9, (rows, 2)).astype(np.int64))]


def json_body(inputs, nested=False, outputs=None, extra=None):
    body = {"id": "seed", "inputs": [{"name": n, "datatype": d, "shape": list(v.shape),
                                      "data": v.tolist() if nested else v.ravel().tolist()} for n, d, v in inputs]}
    if outputs is not None:
        body["outputs"] = [{"name": o, "parameters": {"binary_data": True}} for o in outputs]
    body.update(extra or {})
    return json.dumps(body).encode()


def binary_body(inputs, outputs=("y",)):
    header = json.dumps({"inputs": [{"name": n, "datatype": d, "shape": list(v.shape),
                                     "parameters": {"binary_data_size": v.nbytes}} for n, d, v in inputs],
                         "outputs": [{"name": o, "parameters": {"binary_data": True}} for o in outputs]}).encode()
    return header + b"".join(v.tobytes() for _, _, v in inputs)


def grpc_message(inputs, raw=True, outputs=(), timeout=None):
    request = service_pb2.ModelInferRequest(model_name="m", id="seed")
    for name, datatype, value in inputs:
        entry = request.inputs.add(name=name, datatype=datatype, shape=list(value.shape))
        if raw:
            request.raw_input_contents.append(value.tobytes())
        else:
            getattr(entry.contents, CONTENTS[datatype]).extend(value.ravel().tolist())
    for name in outputs:
        request.outputs.add(name=name)
    if timeout is not None:
        request.parameters["timeout"].int64_param = timeout
    return request.SerializeToString()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for rows in (1, 3):
        model = tensors(rows)
        seeds[f"json-{rows}"] = json_body(model)
        seeds[f"json-nested-{rows}"] = json_body(model, nested=True, outputs=["y", "z"], extra={"parameters": {"timeout": 100}})
        seeds[f"binary-{rows}"] = binary_body(model)
        seeds[f"grpc-raw-{rows}"] = grpc_message(model, outputs=("y",), timeout=5)
        seeds[f"grpc-typed-{rows}"] = grpc_message(model, raw=False)
    rng = np.random.default_rng(7)
    for datatype, dtype in DATATYPES.items():
        value = (rng.integers(0, 2, (2, 3)) if dtype == np.bool_ else rng.integers(-100, 100, (2, 3))).astype(dtype)
        one = [("x", datatype, value)]
        seeds[f"json-{datatype}"] = json_body(one)
        seeds[f"binary-{datatype}"] = binary_body(one, outputs=())
        seeds[f"grpc-raw-{datatype}"] = grpc_message(one)
        seeds[f"grpc-typed-{datatype}"] = grpc_message(one, raw=False)
    # A little wrong: the decoders' refusals are part of what is fuzzed.
    model = tensors(2)
    seeds["json-short-data"] = json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 4], "data": [1, 2]}]}).encode()
    seeds["binary-truncated"] = binary_body(model)[:-5]
    seeds["grpc-raw-count"] = grpc_message(model)[:-3]
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(seeds)} request seeds to {out}")


if __name__ == "__main__":
    main()

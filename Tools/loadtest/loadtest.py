#!/usr/bin/env python3
"""Load test of `swiftc-infer serve` on loopback: wrk for HTTP (KServe v2 JSON and binary
bodies), tritonclient's gRPC client from many threads for gRPC.

For each body form (json, binary, grpc), each batching setting (off: --max-batch 1; on: --max-batch B)
and each concurrency in the sweep, a fresh server is started on a free port and wrk posts the
same inference request for --duration seconds over that many connections (for grpc: that many
threads, each with its own tritonclient.grpc client and channel, one request in flight each).
Recorded per run: requests/s, p50 and p99 latency, and non-200 answers by status (for grpc:
failed calls by gRPC status). The server's
/metrics afterwards gives the runs it made, so rows per run (the batching actually achieved)
is printed too. Every run is bounded in time (wrk -d, plus a timeout on everything).

Before timing, one request's output is compared with ONNX Runtime on the same input.

    python3 Tools/loadtest/loadtest.py                                     # mlp_b1, 1/4/16/64 connections
    python3 Tools/loadtest/loadtest.py --model Graphs/bench/mlp_b1/model.onnx --concurrency 1,8,32 \\
        --duration 10 --max-batch 16 --markdown docs/bench/serve-loadtest.md
    python3 Tools/loadtest/loadtest.py --forms grpc --concurrency 1,8,64,256 --duration 20

The Python gRPC client is bound by the interpreter (one GIL for every thread): on a small
machine it, not the server, may set the ceiling; the table says how many cores were shared.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post.lua")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from serve_harness import start_server  # noqa: E402


def start(binary, model, threads, max_batch, window, max_queue):
    return start_server(binary, [f"m={model}", "--http-port", "0", "--grpc-port", "0", "--threads", str(threads), "--max-batch", str(max_batch),
                                 "--batch-window-us", str(window), "--max-queue", str(max_queue)],
                        env={k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"})


def bodies(model, rng):
    """The request bodies (json, binary) for one row of every input, and the feeds."""
    session = ort.InferenceSession(model)
    feeds, inputs, raw = {}, [], b""
    for info in session.get_inputs():
        shape = [1] + [d if isinstance(d, int) else 1 for d in info.shape[1:]]
        if info.type == "tensor(float)":
            value, datatype = rng.standard_normal(shape).astype(np.float32), "FP32"
        elif "mask" in info.name:
            value, datatype = np.ones(shape, np.int64), "INT64"
        else:
            value, datatype = rng.integers(0, 100, shape).astype(np.int64), "INT64"
        feeds[info.name] = value
        inputs.append({"name": info.name, "datatype": datatype, "shape": shape})
    json_body = json.dumps({"inputs": [dict(i, data=feeds[i["name"]].ravel().tolist()) for i in inputs]}).encode()
    for i in inputs:
        i["parameters"] = {"binary_data_size": feeds[i["name"]].nbytes}
        raw += feeds[i["name"]].tobytes()
    header = json.dumps({"inputs": inputs, "parameters": {"binary_data_output": True}}).encode()
    return {"json": (json_body, None), "binary": (header + raw, len(header))}, feeds, session


def check_output(port, json_body, feeds, session):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/m/infer", data=json_body,
                                     headers={"Content-Type": "application/json"})
    reply = json.loads(urllib.request.urlopen(request, timeout=60).read())
    want = session.run(None, feeds)
    for output, expected in zip(reply["outputs"], want):
        got = np.array(output["data"], dtype=expected.dtype).reshape(expected.shape)
        if not np.allclose(got, expected, rtol=1e-3, atol=1e-4):
            sys.exit(f"loadtest: output {output['name']} differs from ONNX Runtime; not timing a wrong answer")


def metric(port, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    match = re.search(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M)
    return float(match.group(1)) if match else float("nan")


def wrk(port, body_file, header_bytes, connections, duration, threads):
    env = dict(os.environ, LOADTEST_BODY=body_file, LOADTEST_HEADER_BYTES=str(header_bytes or ""))
    command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s",
               "--latency", "--timeout", "10s", "-s", LUA, f"http://127.0.0.1:{port}/v2/models/m/infer"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60).stdout

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        return float(match.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(2)]
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    statuses = dict(re.findall(r"^status (\d+): (\d+)$", out, re.M))
    # wrk prints this line only when a connection failed (connect, read, write or timeout).
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return (float(rate.group(1)) if rate else float("nan"), latency(50), latency(99), statuses,
            socket_errors.group(1) if socket_errors else "none")


def grpc_load(port, feeds, connections, duration):
    """`connections` threads, each with its own tritonclient.grpc client, posting the same
    request back to back for `duration` seconds. Returns what wrk() does."""
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException

    def inputs():
        entries = []
        for name, value in feeds.items():
            entry = grpcclient.InferInput(name, list(value.shape), "FP32" if value.dtype == np.float32 else "INT64")
            entry.set_data_from_numpy(value)
            entries.append(entry)
        return entries
    latencies, failures, lock = [], {}, threading.Lock()
    start = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def caller():
        client = grpcclient.InferenceServerClient(f"127.0.0.1:{port}")
        request, own, own_failures = inputs(), [], {}
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                client.infer("m", request, client_timeout=10)
                own.append(time.perf_counter() - began)
            except InferenceServerException as error:
                status = str(error.status())
                own_failures[status] = own_failures.get(status, 0) + 1
        client.close()
        with lock:
            latencies.extend(own)
            for status, count in own_failures.items():
                failures[status] = failures.get(status, 0) + count
    threads = [threading.Thread(target=caller) for _ in range(connections)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + duration
    start.wait()
    for thread in threads:
        thread.join(timeout=duration + 60)
    if not latencies:
        return float("nan"), float("nan"), float("nan"), failures, "none"
    ms = np.array(latencies) * 1e3
    return len(latencies) / duration, float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), failures, "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/swiftc-infer"))
    parser.add_argument("--model", default=os.path.join(ROOT, "Graphs/bench/mlp_b1/model.onnx"))
    parser.add_argument("--concurrency", default="1,4,16,64")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=1, help="server --threads")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--batch-window-us", type=int, default=500)
    parser.add_argument("--forms", default="json,binary")
    parser.add_argument("--markdown", help="also write the table here")
    args = parser.parse_args()
    if shutil.which("wrk") is None and args.forms != "grpc":
        sys.exit("loadtest: wrk is not installed (apt-get install wrk)")
    rng = np.random.default_rng(1)
    forms, feeds, session = bodies(args.model, rng)
    connections = [int(c) for c in args.concurrency.split(",")]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for form in args.forms.split(","):
            body, header_bytes = forms.get(form, (b"", None))
            body_file = os.path.join(tmp, f"{form}.body")
            with open(body_file, "wb") as f:
                f.write(body)
            for batching, max_batch in (("off", 1), ("on", args.max_batch)):
                for c in connections:
                    # The queue holds every connection's request: this measures batching, not refusals.
                    process, port = start(args.binary, args.model, args.threads, max_batch,
                                          args.batch_window_us, max(64, 2 * c))
                    try:
                        check_output(port, forms["json"][0], feeds, session)
                        if form == "grpc":
                            rate, p50, p99, statuses, socket_errors = grpc_load(process.grpc_port, feeds, c, args.duration)
                        else:
                            rate, p50, p99, statuses, socket_errors = wrk(port, body_file, header_bytes, c, args.duration, args.wrk_threads)
                        runs, inferences = metric(port, "nv_inference_exec_count"), metric(port, "nv_inference_count")
                    finally:
                        process.terminate()
                        process.wait(timeout=60)
                    row = (form, batching, c, rate, p50, p99, inferences / runs if runs else float("nan"),
                           ", ".join(f"{k}: {v}" for k, v in statuses.items()) or "none", socket_errors)
                    print("{} batching {} c={}: {:.0f} req/s, p50 {:.2f} ms, p99 {:.2f} ms, {:.2f} rows/run, non-200 {}, socket errors {}".format(*row), flush=True)
                    rows.append(row)
    lines = [
        f"Date: {time.strftime('%Y-%m-%d')}; CPU: {cpu}, {os.cpu_count()} cores; model {os.path.relpath(args.model, ROOT)}; "
        f"server --threads {args.threads}, --batch-window-us {args.batch_window_us}; load: "
        + ("; ".join(([f"wrk -t{args.wrk_threads}"] if set(args.forms.split(",")) - {"grpc"} else [])
                     + (["tritonclient.grpc, one thread and channel per connection"] if "grpc" in args.forms.split(",") else [])))
        + f", {args.duration} s per run, same machine (loopback).",
        f"Command: `{' '.join(['Tools/loadtest/loadtest.py'] + sys.argv[1:])}`",
        "",
        "| body | batching | connections | requests/s | p50 ms | p99 ms | rows per run | non-200 | socket errors |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ] + ["| {} | {} | {} | {:.0f} | {:.2f} | {:.2f} | {:.2f} | {} | {} |".format(*row) for row in rows]
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

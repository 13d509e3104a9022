#!/usr/bin/env python3
"""End-to-end check of `swiftc-infer serve` with Triton's own Python client.

Starts the server (a real process on free loopback ports) on the shipped graphs
Graphs/models/mlp (x: float[N,64]) and Graphs/models/encoder (input_ids, attention_mask:
int64[batch,16]), then with `tritonclient.http` and `tritonclient.grpc`, unchanged:
  1. health, server metadata, model metadata and readiness;
  2. inference in JSON and in binary form over HTTP, and over gRPC, at batch sizes 1 and 4,
     every output compared with ONNX Runtime on the same inputs (rtol 1e-4, atol 1e-5), and a
     constant output refused;
  3. 32 requests from 8 threads at once over HTTP, and 1024 calls from 256 gRPC clients at once
     (the dynamic batcher joins them), each checked against ONNX Runtime on its own input;
  4. errors each client surfaces with the server's message (unknown model, wrong shape);
  5. SIGTERM while a request waits in a 60 s batch window (held open by another request whose
     body is still arriving): the request is still answered and the server exits 0;
  6. SIGTERM under load, over HTTP and over gRPC: every request the server accepted is
     answered, correctly, and its received/answered counts equal the answers the clients got.
Exit status 0 when everything holds; otherwise every failed check is printed and it is 1.

    python3 Tools/serve_check.py --binary .build/debug/swiftc-infer
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnxruntime as ort

try:
    import tritonclient.grpc as grpcclient
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException
except ImportError as error:  # the check needs the real client; Tools/setup.sh installs it
    sys.exit(f"serve_check: tritonclient is not installed ({error}); run Tools/setup.sh")

from serve_harness import Checks, start_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLP = os.path.join(ROOT, "Graphs/models/mlp/model.onnx")
ENCODER = os.path.join(ROOT, "Graphs/models/encoder/model.onnx")
check = Checks("serve_check")


def start(binary, *arguments):
    return start_server(binary, [*arguments, "--http-port", "0", "--threads", "1"])


def close(got, want):
    return got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)


def inputs_for(name, rows, rng):
    if name == "mlp":
        return {"x": rng.standard_normal((rows, 64)).astype(np.float32)}
    ids = rng.integers(0, 100, (rows, 16)).astype(np.int64)
    mask = np.ones((rows, 16), np.int64)
    mask[:, 12:] = 0
    return {"input_ids": ids, "attention_mask": mask}


def infer(client, model, feeds, binary):
    inputs = []
    for name, value in feeds.items():
        entry = httpclient.InferInput(name, list(value.shape), "FP32" if value.dtype == np.float32 else "INT64")
        entry.set_data_from_numpy(value, binary_data=binary)
        inputs.append(entry)
    return client.infer(model, inputs, request_id=f"{model}-{binary}")


def infer_grpc(client, model, feeds, request_id="grpc"):
    inputs = []
    for name, value in feeds.items():
        entry = grpcclient.InferInput(name, list(value.shape), "FP32" if value.dtype == np.float32 else "INT64")
        entry.set_data_from_numpy(value)
        inputs.append(entry)
    return client.infer(model, inputs, request_id=request_id)


def check_grpc(port, references, rng):
    """The same checks over gRPC, with tritonclient.grpc (raw_input_contents / raw_output_contents)."""
    client = grpcclient.InferenceServerClient(f"127.0.0.1:{port}")
    try:
        check(client.is_server_live() and client.is_server_ready(), "gRPC: server live and ready")
        check(client.get_server_metadata(as_json=True)["name"] == "swiftc-infer", "gRPC: server metadata names swiftc-infer")
        for model, session in references.items():
            metadata = client.get_model_metadata(model, as_json=True)
            check(client.is_model_ready(model), f"gRPC: {model} ready")
            check([i["name"] for i in metadata["inputs"]] == [i.name for i in session.get_inputs()],
                  f"gRPC: {model} metadata lists the model's inputs")
            check(all(i["shape"][0] == "-1" for i in metadata["inputs"]), f"gRPC: {model} metadata gives the batch dim as -1")
            for rows in (1, 4):
                feeds = inputs_for(model, rows, rng)
                want = session.run(None, feeds)
                result = infer_grpc(client, model, feeds, request_id=f"{model}-{rows}")
                got = [result.as_numpy(o.name) for o in session.get_outputs()]
                what = f"gRPC: {model} batch {rows}"
                check(all(g is not None and close(g, w) for g, w in zip(got, want)), f"{what}: outputs match ONNX Runtime")
                check(all(g is not None and np.unique(g).size > 1 for g in got), f"{what}: outputs are not constant")
                check(result.get_response(as_json=True)["id"] == f"{model}-{rows}", f"{what}: request id echoed")

        # 256 threads, each with its own client, making 4 calls each: grpc-core puts the clients'
        # channels on one HTTP/2 connection, and with NIO's default limit of 100 streams the
        # server reset that connection (GOAWAY PROTOCOL_ERROR) again and again.
        start_together = threading.Barrier(256)

        def one(seed):
            local = np.random.default_rng(seed)
            feeds = inputs_for("mlp", int(local.integers(1, 4)), local)
            want = references["mlp"].run(None, feeds)[0]
            own = grpcclient.InferenceServerClient(f"127.0.0.1:{port}")
            start_together.wait()
            try:
                return all(close(infer_grpc(own, "mlp", feeds).as_numpy("logits"), want) for _ in range(4))
            except InferenceServerException as error:
                print(f"      {error}", flush=True)
                return False
            finally:
                own.close()
        with ThreadPoolExecutor(256) as pool:
            results = list(pool.map(one, range(100, 356)))
        check(all(results), f"gRPC: 256 clients x 4 calls at once: {sum(results)} clients' answers all match ONNX Runtime")

        for model, feeds, expected in [
            ("resnet", inputs_for("mlp", 1, rng), "unknown model 'resnet'"),
            ("mlp", {"x": np.zeros((1, 63), np.float32)}, "dim 1 is 63, expected 64"),
        ]:
            try:
                infer_grpc(client, model, feeds)
                check(False, f"gRPC: {model}: error '{expected}' raised")
            except InferenceServerException as error:
                check(expected in str(error), f"gRPC: client reports '{expected}' (got: {error})")
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/swiftc-infer"))
    args = parser.parse_args()
    references = {"mlp": ort.InferenceSession(MLP), "encoder": ort.InferenceSession(ENCODER)}
    process, port = start(args.binary, MLP, ENCODER, "--batch-window-us", "2000", "--max-queue", "512")
    grpc_port = process.grpc_port
    client = httpclient.InferenceServerClient(f"127.0.0.1:{port}")
    rng = np.random.default_rng(20261203)
    try:
        check(client.is_server_live() and client.is_server_ready(), "server live and ready")
        check(client.get_server_metadata()["name"] == "swiftc-infer", "server metadata names swiftc-infer")
        for model, session in references.items():
            metadata = client.get_model_metadata(model)
            check(client.is_model_ready(model), f"{model} ready")
            check([i["name"] for i in metadata["inputs"]] == [i.name for i in session.get_inputs()],
                  f"{model} metadata lists the model's inputs")
            check(all(i["shape"][0] == -1 for i in metadata["inputs"]), f"{model} metadata gives the batch dim as -1")
            for rows in (1, 4):
                feeds = inputs_for(model, rows, rng)
                want = session.run(None, feeds)
                for binary in (False, True):
                    result = infer(client, model, feeds, binary)
                    got = [result.as_numpy(o.name) for o in session.get_outputs()]
                    what = f"{model} batch {rows} {'binary' if binary else 'JSON'}"
                    check(all(close(g, w) for g, w in zip(got, want)), f"{what}: outputs match ONNX Runtime")
                    check(all(np.unique(g).size > 1 for g in got), f"{what}: outputs are not constant")
                    check(result.get_response()["id"] == f"{model}-{binary}", f"{what}: request id echoed")

        def one(seed):  # tritonclient's HTTP client is per thread (gevent)
            local = np.random.default_rng(seed)
            feeds = inputs_for("mlp", int(local.integers(1, 4)), local)
            own = httpclient.InferenceServerClient(f"127.0.0.1:{port}")
            try:
                result = infer(own, "mlp", feeds, True)
            finally:
                own.close()
            return close(result.as_numpy("logits"), references["mlp"].run(None, feeds)[0])
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(32)))
        check(all(results), f"32 concurrent requests from 8 threads: {sum(results)} match ONNX Runtime")

        for model, feeds, expected in [
            ("resnet", inputs_for("mlp", 1, rng), "unknown model 'resnet'"),
            ("mlp", {"x": np.zeros((1, 63), np.float32)}, "dim 1 is 63, expected 64"),
        ]:
            try:
                infer(client, model, feeds, False)
                check(False, f"{model}: error '{expected}' raised")
            except InferenceServerException as error:
                check(expected in str(error), f"client reports '{expected}' (got: {error})")
        check_grpc(grpc_port, references, rng)
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=60)

    # Graceful shutdown. A request whose body is still arriving (a raw socket that sent its
    # head and half its body) holds the batch window of 60 s open, so request B waits queued;
    # SIGTERM comes; then the half-sent request is dropped, B runs, is answered, and the server
    # exits 0.
    process, port = start(args.binary, MLP, "--batch-window-us", "60000000")
    feeds = inputs_for("mlp", 1, rng)
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"inputs\": [")
    time.sleep(0.3)
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(
        result=infer(httpclient.InferenceServerClient(f"127.0.0.1:{port}", network_timeout=120.0), "mlp", feeds, False)))
    worker.start()
    time.sleep(0.5)
    check(worker.is_alive(), "SIGTERM: request B is still waiting in the batch window")
    process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    slow.close()
    worker.join(timeout=120)
    out, err = process.communicate(timeout=120)
    check("result" in answer and close(answer["result"].as_numpy("logits"), references["mlp"].run(None, feeds)[0]),
          "SIGTERM: the request in flight is answered correctly")
    check(process.returncode == 0 and "server stopped" in out, f"SIGTERM: exit {process.returncode}, 'server stopped' printed")
    # SIGTERM under load, over each protocol.
    want = references["mlp"].run(None, feeds)[0]
    check_shutdown_under_load(args.binary, "HTTP", http_caller(feeds, want), resets_allowed=True)
    check_shutdown_under_load(args.binary, "gRPC", grpc_caller(feeds, want), resets_allowed=False)
    return check.finish()


def http_caller(feeds, want):
    """One HTTP request on a fresh connection: 'answered', 'wrong', 'refused' (connection
    refused: the server stopped listening) or 'reset'."""
    body = json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 64], "data": feeds["x"].ravel().tolist()}]}).encode()

    def open_caller(process, port):
        def call():
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/mlp/infer", data=body,
                                             headers={"Content-Type": "application/json"})
            try:
                reply = json.loads(urllib.request.urlopen(request, timeout=60).read())
                got = np.array(reply["outputs"][0]["data"], np.float32).reshape(want.shape)
                return "answered" if close(got, want) else "wrong"
            except urllib.error.URLError as error:
                if isinstance(error.reason, ConnectionRefusedError):
                    return "refused"
                print(f"      reset: {error!r}", flush=True)
                return "reset"
            except (ConnectionError, http.client.HTTPException) as error:
                print(f"      reset: {error!r}", flush=True)
                return "reset"
        return call, lambda: None
    return open_caller


def grpc_caller(feeds, want):
    """One ModelInfer call on the thread's own channel; a refusal must be UNAVAILABLE (the
    server stopped accepting calls), anything else counts as 'reset'."""
    def open_caller(process, _):
        client = grpcclient.InferenceServerClient(f"127.0.0.1:{process.grpc_port}")

        def call():
            try:
                got = infer_grpc(client, "mlp", feeds).as_numpy("logits")
                return "answered" if close(got, want) else "wrong"
            except InferenceServerException as error:
                if str(error.status()) == "StatusCode.UNAVAILABLE":
                    return "refused"
                print(f"      reset: {error}", flush=True)
                return "reset"
        return call, client.close
    return open_caller


def check_shutdown_under_load(binary, protocol, open_caller, resets_allowed):
    """8 threads call the server back to back; mid-load it gets SIGTERM. Every request the
    server accepted must be answered, and answered correctly: its `N received, N answered`
    line must equal the answers the clients got. The only failures allowed come after it
    stopped accepting (a refused connection or call; over HTTP also a reset connection the
    server never received a request on, still in the kernel's backlog when the listener closed,
    which the counts prove harmless)."""
    process, port = start(binary, MLP)
    tally = {"answered": 0, "wrong": 0, "refused": 0, "reset": 0}
    lock = threading.Lock()
    stop_at = time.time() + 30

    def load():
        call, close_caller = open_caller(process, port)
        try:
            while time.time() < stop_at:
                outcome = call()
                with lock:
                    tally[outcome] += 1
                if outcome in ("refused", "reset"):
                    return
        finally:
            close_caller()
    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    answered_before = tally["answered"]
    process.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=90)
    out, _ = process.communicate(timeout=60)
    counts = re.search(r"server stopped: (\d+) inference requests received, (\d+) answered", out)
    received, answered = (int(counts.group(1)), int(counts.group(2))) if counts else (-1, -2)
    what = f"{protocol} SIGTERM under load"
    check(received == answered == tally["answered"] + tally["wrong"],
          f"{what}: the server received {received} requests and answered {answered}; the clients got {tally['answered'] + tally['wrong']} answers")
    check(answered_before > 0, f"{what}: {answered_before} requests answered before the signal")
    check(tally["wrong"] == 0, f"{what}: every answer correct ({tally})")
    if not resets_allowed:
        check(tally["reset"] == 0, f"{what}: every refusal after the signal is UNAVAILABLE")
    check(process.returncode == 0, f"{what}: exit {process.returncode}")


if __name__ == "__main__":
    sys.exit(main())

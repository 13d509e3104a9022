#!/usr/bin/env python3
"""Checks deploy/ (there is no Docker engine or Kubernetes here, so: what can be checked).

1. Both KServe manifests parse as YAML and carry the fields KServe requires: ServingRuntime
   (serving.kserve.io/v1alpha1) with supportedModelFormats, protocolVersions v2 and a
   `kserve-container` with image and args; InferenceService (serving.kserve.io/v1beta1) whose
   predictor.model names that runtime, one of its formats, protocol v2 and a storageUri.
2. The runtime's args are the server's own flags: every --flag is in `swiftc-infer serve --help`,
   the container port and both probes use the --http-port the args give, and the server started
   with exactly those args (the model repository and port swapped for a local one and 0) answers
   the readiness probe's path, /v2/health/live and the metrics path the annotations name.
3. The Dockerfile's build command, entrypoint and default arguments are the README's: the README
   shows `docker build -f deploy/Dockerfile` and `docker run` lines, the Dockerfile builds with
   `swift build -c release --product swiftc-infer`, runs `swiftc-infer serve`, and EXPOSEs the port
   its CMD serves on.
Exit 0 when all hold; otherwise each failure is printed and the exit status is 1.

    python3 Tools/check_deploy.py --binary .build/debug/swiftc-infer
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import yaml

from serve_harness import Checks, start_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
check = Checks("check_deploy")


def flag_value(args, flag):
    return args[args.index(flag) + 1] if flag in args and args.index(flag) + 1 < len(args) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/swiftc-infer"))
    binary = parser.parse_args().binary
    with open(os.path.join(ROOT, "deploy/kserve-servingruntime.yaml")) as f:
        runtime = yaml.safe_load(f)
    with open(os.path.join(ROOT, "deploy/kserve-inferenceservice.yaml")) as f:
        service = yaml.safe_load(f)

    check(runtime.get("apiVersion") == "serving.kserve.io/v1alpha1" and runtime.get("kind") == "ServingRuntime",
          "ServingRuntime apiVersion and kind")
    spec = runtime.get("spec", {})
    formats = [f.get("name") for f in spec.get("supportedModelFormats", [])]
    check(bool(formats) and "v2" in spec.get("protocolVersions", []), "ServingRuntime lists model formats and protocol v2")
    container = (spec.get("containers") or [{}])[0]
    check(container.get("name") == "kserve-container" and container.get("image"), "container named kserve-container with an image")
    args = [str(a) for a in container.get("args", [])]
    port = flag_value(args, "--http-port")
    check(port is not None, "the runtime's args give --http-port")
    ports = [p.get("containerPort") for p in container.get("ports", [])]
    check(ports == [int(port or -1)], f"containerPort {ports} is --http-port {port}")
    probes = {name: container.get(name, {}).get("httpGet", {}) for name in ("readinessProbe", "livenessProbe")}
    check(probes["readinessProbe"].get("path") == "/v2/health/ready" and probes["livenessProbe"].get("path") == "/v2/health/live",
          "probes use the v2 health routes")
    check(all(p.get("port") == int(port or -1) for p in probes.values()), "probes use --http-port")
    annotations = runtime.get("metadata", {}).get("annotations", {})
    check(annotations.get("prometheus.kserve.io/port") == port, "the metrics annotation names --http-port")

    check(service.get("apiVersion") == "serving.kserve.io/v1beta1" and service.get("kind") == "InferenceService",
          "InferenceService apiVersion and kind")
    model = service.get("spec", {}).get("predictor", {}).get("model", {})
    check(model.get("runtime") == runtime.get("metadata", {}).get("name"), "the InferenceService names the runtime")
    check(model.get("modelFormat", {}).get("name") in formats, "its model format is one the runtime supports")
    check(model.get("protocolVersion") == "v2" and bool(model.get("storageUri")), "protocol v2 and a storageUri")

    help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=60).stdout
    for flag in (a for a in args if a.startswith("--")):
        check(re.search(rf"(^|\s){re.escape(flag)}\b", help_text) is not None, f"{flag} is a serve flag")

    with tempfile.TemporaryDirectory() as repository:
        os.makedirs(os.path.join(repository, "mlp", "1"))
        shutil.copy(os.path.join(ROOT, "Graphs/models/mlp/model.onnx"), os.path.join(repository, "mlp", "1", "model.onnx"))
        local = [repository if a == "/mnt/models" else a for a in args]
        local[local.index("--http-port") + 1] = "0"
        local[local.index("--host") + 1] = "127.0.0.1"
        process, bound = start_server(binary, local)
        try:
            check(True, "the server starts with the runtime's args")
            for path in (probes["readinessProbe"].get("path"), probes["livenessProbe"].get("path"),
                         annotations.get("prometheus.kserve.io/path"), "/v2/models/mlp"):
                status = urllib.request.urlopen(f"http://127.0.0.1:{bound}{path}", timeout=30).status
                check(status == 200, f"GET {path} answers 200")
        finally:
            process.terminate()
            process.wait(timeout=60)

    dockerfile = open(os.path.join(ROOT, "deploy/Dockerfile")).read()
    readme = open(os.path.join(ROOT, "README.md")).read()
    build = re.search(r"^RUN (swift build .*)$", dockerfile, re.M)
    check(build is not None and build.group(1).startswith("swift build -c release --product swiftc-infer"),
          "the Dockerfile builds the release swiftc-infer")
    check(build is not None and build.group(1) in readme, "the README names the Dockerfile's build command")
    entry = re.search(r"^ENTRYPOINT (.*)$", dockerfile, re.M)
    cmd = re.search(r"^CMD (.*)$", dockerfile, re.M)
    check(entry is not None and json.loads(entry.group(1)) == ["swiftc-infer", "serve"], "ENTRYPOINT is swiftc-infer serve")
    cmd_args = json.loads(cmd.group(1)) if cmd else []
    expose = re.search(r"^EXPOSE ([\d ]+)$", dockerfile, re.M)
    exposed = expose.group(1).split() if expose else []
    check(exposed == [flag_value(cmd_args, "--http-port"), flag_value(cmd_args, "--grpc-port")],
          f"EXPOSE {exposed} is the CMD's --http-port and --grpc-port")
    for line in re.findall(r"^#   (docker .*)$", dockerfile, re.M):
        check(line in readme, f"the README shows `{line}`")
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())

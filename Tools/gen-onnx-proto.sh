#!/usr/bin/env bash
# Regenerates Sources/InferONNX/Generated/onnx.pb.swift from the onnx Python package's onnx.proto
# (proto2). Run from anywhere; the output is committed, so builds never need protoc.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Sources/InferONNX/Generated"

if ! command -v protoc >/dev/null 2>&1; then
    echo "error: protoc not found. Install it with: sudo apt-get install protobuf-compiler" >&2
    exit 1
fi
if ! command -v protoc-gen-swift >/dev/null 2>&1; then
    cat >&2 <<'MSG'
error: protoc-gen-swift not found. Build it from swift-protobuf (same version as Package.resolved):
  git clone https://github.com/apple/swift-protobuf && cd swift-protobuf
  git checkout <version from Package.resolved> && swift build -c release --product protoc-gen-swift
  cp .build/release/protoc-gen-swift /usr/local/bin/
MSG
    exit 1
fi
onnx_dir="$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))' 2>/dev/null)" || {
    echo "error: the onnx Python package is needed for onnx.proto: pip install onnx" >&2
    exit 1
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$onnx_dir/onnx.proto" "$tmp/onnx.proto"
mkdir -p "$out"
protoc --proto_path="$tmp" --swift_out="$tmp" --swift_opt=Visibility=Internal "$tmp/onnx.proto"
mv "$tmp/onnx.pb.swift" "$out/onnx.pb.swift"
echo "wrote $out/onnx.pb.swift (from onnx $(python3 -c 'import onnx; print(onnx.__version__)'), $(protoc-gen-swift --version))"

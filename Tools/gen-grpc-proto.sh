#!/usr/bin/env bash
# Regenerates the KServe v2 gRPC code from Tools/proto/grpc_predict_v2.proto (the output is
# committed, so builds never need protoc or the plugins):
#   Sources/InferServeProtocol/Generated/grpc_predict_v2.pb.swift   the messages (protoc-gen-swift)
#   Sources/InferServe/Generated/grpc_predict_v2.grpc.swift         service and client (protoc-gen-grpc-swift-2)
# The messages live in InferServeProtocol, which has no network stack, so the request decoders
# and their fuzz target build without gRPC; the service code imports them from there.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
proto_dir="$root/Tools/proto"

need() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "error: $1 not found. $2" >&2
    exit 1
}
need protoc "Install it with: apt-get install protobuf-compiler"
need protoc-gen-swift "Build it from swift-protobuf at the version Package.resolved names:
  git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout VERSION
  swift build -c release --product protoc-gen-swift && cp .build/release/protoc-gen-swift /usr/local/bin/"
need protoc-gen-grpc-swift-2 "Build it from grpc-swift-protobuf at the version Package.resolved names:
  git clone https://github.com/grpc/grpc-swift-protobuf && cd grpc-swift-protobuf && git checkout VERSION
  swift build -c release --product protoc-gen-grpc-swift-2 && cp .build/release/protoc-gen-grpc-swift-2 /usr/local/bin/"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
protoc --proto_path="$proto_dir" \
    --swift_out="$tmp" --swift_opt=Visibility=Package \
    --grpc-swift-2_out="$tmp" --grpc-swift-2_opt=Visibility=Package,Server=true,Client=true,ExtraModuleImports=InferServeProtocol \
    "$proto_dir/grpc_predict_v2.proto"
mkdir -p "$root/Sources/InferServeProtocol/Generated" "$root/Sources/InferServe/Generated"
mv "$tmp/grpc_predict_v2.pb.swift" "$root/Sources/InferServeProtocol/Generated/"
mv "$tmp/grpc_predict_v2.grpc.swift" "$root/Sources/InferServe/Generated/"
echo "wrote grpc_predict_v2.pb.swift and grpc_predict_v2.grpc.swift ($(protoc --version), $(protoc-gen-swift --version))"

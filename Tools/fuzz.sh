#!/usr/bin/env bash
# libFuzzer targets for swiftc-infer (Sources/swiftc-infer-fuzz): every input goes as far as it
# can — ONNX protobuf or text through import, validation, the optimizer, lowering and one run;
# plan files through load and run; .npy / TensorProto .pb through their readers; server requests
# (KServe v2 JSON, the binary extension, gRPC ModelInfer) through the decoders and a served model's
# input checks — and anything but a clean InferError or ServeError (a trap, an ASan report, a hang,
# a leak of memory) is a finding.
#
#   Tools/fuzz.sh build [--release]      build the fuzzing binary (ASan + libFuzzer) into .build-fuzz[-release]
#   Tools/fuzz.sh ci [SECONDS]           CI: build, then every target SECONDS (default 40) from the committed
#                                        corpus; fails on any finding
#   Tools/fuzz.sh run TARGET [SECONDS]   a long run (default 1800 s, release build), continuing past findings;
#                                        they land in .build-fuzz-release/findings/TARGET
#   Tools/fuzz.sh seed [TARGET...]       rebuild the minimized seed corpora Tests/Fuzz/corpus/TARGET (default all)
#                                        from Graphs/, the ONNX conformance cases (run conformance.py --generate-only
#                                        first) and Tools/make_request_seeds.py
#   Tools/fuzz.sh replay                 the committed corpora and crash reproducers through a plain debug build
#
# TARGET is onnx, text, plan, tensor or request. Every run prints `fuzz stats (TARGET): N executions, M reached
# the run step (P%) ...` lines: the share of inputs that got past parsing and validation to a run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS=(onnx text plan tensor request)
CORPUS=Tests/Fuzz/corpus
CRASHES=Tests/Fuzz/crashes
# Let libFuzzer (not Swift's backtracer, which trips ASan) report traps.
export SWIFT_BACKTRACE=enable=no
FUZZ_FLAGS=(-rss_limit_mb=3072 -timeout=20 -max_len=262144)
# libFuzzer stacks up to -mutate_depth mutations per input; two structural changes at a time keep
# most ONNX mutants valid enough to reach the run step.
target_flags() { [[ $1 == onnx ]] && echo "-mutate_depth=2" || true; }

binary() { echo "$ROOT/$1/$(uname -m)-unknown-linux-gnu/$2/swiftc-infer-fuzz"; }

build() {
    local config=debug scratch=.build-fuzz
    if [[ "${1:-}" == "--release" ]]; then config=release; scratch=.build-fuzz-release; fi
    swift build -c "$config" --product swiftc-infer-fuzz --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >&2
    binary "$scratch" "$config"
}

# One line from a run's totals file (one `target executions reached clean` line per process,
# fork-mode jobs included) and its libFuzzer log.
summarize() {
    local target=$1 stats=$2 log=$3 seconds=$4
    local findings
    # libFuzzer also writes slow-unit-* files (over 10 s, e.g. a big but legal MaxPool in a debug build): not findings.
    findings=$(grep -cE "^==[0-9]+== ERROR|Test unit written to .*/(crash|timeout|oom|leak)-|ALARM: working on the last Unit" "$log" || true)
    awk -v t="$target" -v s="$seconds" -v f="$findings" '$1 == t { e += $2; r += $3; c += $4 }
        END { printf "%s: %d s, %d executions, %d reached the run step (%.1f%%), %d ran clean (%.1f%%), %d findings\n",
              t, s, e, r, e ? 100 * r / e : 0, c, e ? 100 * c / e : 0, f }' "$stats"
}

ci() {
    local seconds=${1:-40} bin failed=0
    bin=$(build)
    mkdir -p .build-fuzz/ci
    for target in "${TARGETS[@]}"; do
        local work=.build-fuzz/ci/$target log=.build-fuzz/ci/$target.log stats=.build-fuzz/ci/$target.stats
        rm -rf "$work" "$stats"; mkdir -p "$work"; touch "$stats"
        if SWIFTC_INFER_FUZZ_TARGET=$target SWIFTC_INFER_FUZZ_STATS=$ROOT/$stats "$bin" "${FUZZ_FLAGS[@]}" $(target_flags "$target") \
            -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" \
            "$work" "$CORPUS/$target" "$CRASHES/$target" > "$log" 2>&1; then
            summarize "$target" "$stats" "$log" "$seconds"
        else
            failed=1
            echo "$target: FINDING (see $log):"
            grep -E "ERROR|runtime failure|Fatal error|Test unit written" "$log" | head -5
        fi
    done
    return $failed
}

run() {
    local target=$1 seconds=${2:-1800} bin
    bin=$(build --release)
    local findings=.build-fuzz-release/findings/$target work=.build-fuzz-release/corpus/$target
    local log=.build-fuzz-release/$target.log stats=.build-fuzz-release/$target.stats
    mkdir -p "$findings" "$work"; rm -f "$stats"; touch "$stats"
    # -fork keeps going past a finding (each is written to $findings); nice leaves the machine usable.
    SWIFTC_INFER_FUZZ_TARGET=$target SWIFTC_INFER_FUZZ_STATS=$ROOT/$stats nice -n 10 "$bin" "${FUZZ_FLAGS[@]}" $(target_flags "$target") -fork=1 \
        -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$findings/" "$work" "$CORPUS/$target" "$CRASHES/$target" > "$log" 2>&1 || true
    summarize "$target" "$stats" "$log" "$seconds"
    echo "findings: $(find "$findings" -type f | wc -l) in $findings (replay one: SWIFTC_INFER_FUZZ_TARGET=$target $bin FILE)"
}

seed() {
    local cache=.cache/onnx-node-tests bin raw=.build-fuzz/seeds
    local targets=("$@")
    [[ ${#targets[@]} -gt 0 ]] || targets=("${TARGETS[@]}")
    [[ -d $cache ]] || { echo "no $cache: run python3 Tools/conformance.py --generate-only first" >&2; exit 1; }
    bin=$(build)
    rm -rf "$raw"; mkdir -p "$raw"/{onnx,text,plan,tensor,request}
    # ONNX: every small model of the conformance cases and of Graphs/.
    find "$cache" Graphs -name '*.onnx' -size -64k | sort | while read -r f; do
        cp "$f" "$raw/onnx/$(echo "$f" | md5sum | cut -c1-16).onnx"
    done
    # Text: the same models printed as ONNX text, plus the hand-written graphs.
    python3 - "$raw/onnx" "$raw/text" <<'EOF'
import os, sys, onnx, onnx.printer
src, dst = sys.argv[1:]
for name in sorted(os.listdir(src)):
    try:
        text = onnx.printer.to_text(onnx.load(os.path.join(src, name), load_external_data=False))
    except Exception:
        continue
    with open(os.path.join(dst, name[:-5] + ".onnxtxt"), "w") as f:
        f.write(text)
EOF
    cp Graphs/*.onnxtxt "$raw/text/"
    # Plans: a sample of the models compiled at each level.
    swift build --product swiftc-infer >&2
    local i=0
    for f in "$raw"/onnx/*.onnx; do
        i=$((i + 1)); (( i % 8 == 0 )) || continue
        .build/debug/swiftc-infer compile "$f" -o "$raw/plan/$(basename "$f" .onnx).plan" "-O$((i % 3))" >/dev/null 2>&1 || true
    done
    # Tensors: data-set .pb files and .npy arrays.
    find "$cache" -name '*.pb' -size -64k | sort | sed -n '1,2000p' | while read -r f; do
        cp "$f" "$raw/tensor/$(echo "$f" | md5sum | cut -c1-16).pb"
    done
    find Graphs -name '*.npy' -size -64k | sort | while read -r f; do
        cp "$f" "$raw/tensor/$(echo "$f" | md5sum | cut -c1-16).npy"
    done
    # Requests: JSON, binary-extension and gRPC bodies for the request target's stand-in model.
    python3 Tools/make_request_seeds.py "$raw/request" >&2
    # Minimize: keep the inputs that add coverage.
    for target in "${targets[@]}"; do
        rm -rf "${CORPUS:?}/$target"; mkdir -p "$CORPUS/$target"
        SWIFTC_INFER_FUZZ_TARGET=$target "$bin" "${FUZZ_FLAGS[@]}" -merge=1 "$CORPUS/$target" "$raw/$target" > ".build-fuzz/seed-$target.log" 2>&1
        echo "$target: $(ls "$raw/$target" | wc -l) seeds -> $(ls "$CORPUS/$target" | wc -l) files, $(du -sh "$CORPUS/$target" | cut -f1)"
    done
}

replay() {
    swift build --product swiftc-infer-fuzz >&2
    for target in "${TARGETS[@]}"; do
        .build/debug/swiftc-infer-fuzz "$target" "$CORPUS/$target" "$CRASHES/$target"
    done
}

case "${1:-}" in
    build) shift; build "$@" ;;
    ci) shift; ci "$@" ;;
    run) shift; [[ $# -ge 1 ]] || { echo "usage: Tools/fuzz.sh run TARGET [SECONDS]" >&2; exit 2; }; run "$@" ;;
    seed) shift; seed "$@" ;;
    replay) replay ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

#!/usr/bin/env bash
# The test suite under a sanitizer, in its own build folder (debug build, so it takes a while):
#
#   Tools/sanitize.sh asan [FILTER]   every test under AddressSanitizer (.build-asan)
#   Tools/sanitize.sh tsan [FILTER]   the concurrency tests under ThreadSanitizer (.build-tsan);
#                                     FILTER defaults to the suites that run engines from many threads
#
# Exit status 0 only if the tests pass and the sanitizer reported nothing. Reports go to the log
# named at the end (ASan/TSan abort the test process on the first report: halt_on_error=1).
# Run `python3 Tools/conformance.py --generate-only` first (the conformance tests need its cache).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
    asan)
        scratch=.build-asan; sanitizer=address; filter=${2:-}
        # Timing assertions (a profile's share of time inside steps) do not hold under ASan's slowdown.
        skip=BenchmarkProfilerTests
        # The Swift runtime's own backtracer and ASan both want the crash signals.
        export SWIFT_BACKTRACE=enable=no
        export ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:abort_on_error=1
        ;;
    tsan)
        scratch=.build-tsan; sanitizer=thread; skip=
        filter=${2:-"WorkerPoolTests|ConcurrencyTests|BLASConcurrencyTests|EngineAPITests|AllocationTests|PlanCache"}
        export SWIFT_BACKTRACE=enable=no
        export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
        ;;
    *)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

log=$scratch/sanitize.log
mkdir -p "$scratch"
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | tail -3
set +e
swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" ${filter:+--filter "$filter"} ${skip:+--skip "$skip"} > "$log" 2>&1
status=$?
set -e
reports=$(grep -cE "^(==|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread)Sanitizer)" "$log" || true)
tail -3 "$log"
echo "$1: test status $status, $reports sanitizer report lines (log: $log)"
[[ $status -eq 0 && $reports -eq 0 ]]

#!/usr/bin/env bash
# Fuzzing (tests/fuzz/). Builds the libFuzzer targets with clang-14,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, then runs
# each target for SECONDS (default 60), one after the other:
#
#   deploy/fuzz.sh [SECONDS] [TARGET...]      e.g. deploy/fuzz.sh 300
#
# TARGET is fuzz_identifiers, fuzz_request_validation or fuzz_services (all
# three when none is named). Each run starts from a scratch copy of the
# target's corpus in build-fuzz/fuzz-runs/TARGET/corpus/, so the repository's
# corpus (tests/fuzz/corpus/TARGET/) only gets the inputs someone adds on
# purpose. A crashing input is saved as build-fuzz/fuzz-runs/TARGET/crash-*
# (or leak-*, timeout-*); to keep it as a regression input once fixed, copy
# it to tests/fuzz/corpus/TARGET/regression-<what-it-found>. The normal test
# suite replays those directories (ctest -R _corpus).
#
# Environment: JOBS (build parallelism, default: all cores), FUZZ_ARGS (more
# libFuzzer flags, e.g. "-jobs=2" or "-only_ascii=1").
# Exits 1 if any target crashed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build-fuzz"
CLANG=/usr/bin/clang++-14
ALL_TARGETS=(fuzz_identifiers fuzz_request_validation fuzz_services)

say() { printf 'fuzz: %s\n' "$*" >&2; }

SECONDS_PER_TARGET=${1:-60}
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -eq 0 ]; then
  echo "usage: deploy/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { say "unknown target $t (${ALL_TARGETS[*]})"; exit 2; }
done

# clang-14 with its sanitizer and libFuzzer runtimes (a Recommends of clang-14,
# so named), and llvm-symbolizer for readable stack traces.
PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CLANG" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDSR_FUZZ=ON >/dev/null
fi
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target "${TARGETS[@]}"

# The harnesses keep their databases here; removed whatever happens.
SCRATCH=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )/dsr-fuzz.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${TARGETS[@]}"; do
  run="$BUILD/fuzz-runs/$t"
  rm -rf "$run/corpus"
  mkdir -p "$run/corpus"
  cp "$ROOT/tests/fuzz/corpus/$t/"* "$run/corpus/"
  dict=()
  [ -f "$ROOT/tests/fuzz/$t.dict" ] && dict=("-dict=$ROOT/tests/fuzz/$t.dict")
  say "$t: ${SECONDS_PER_TARGET}s, log in $run/log"
  status=0
  # -timeout: one input taking this long is a hang. -rss_limit_mb: the
  # harnesses keep a database, which grows with the run.
  TEST_TMPDIR="$SCRATCH" "$BUILD/tests/fuzz/$t" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=60 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$run/" "${dict[@]}" ${FUZZ_ARGS:-} \
    "$run/corpus" >"$run/log" 2>&1 || status=$?
  final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$run/log" | tail -1 || true)
  execs=$(grep -E '^stat::average_exec_per_sec' "$run/log" | awk '{print $2}' || true)
  summary+=("$t: ${final:-no stats} (average ${execs:-?} exec/s)")
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    say "$t FAILED (exit $status); inputs: $(ls "$run" | grep -E '^(crash|leak|timeout|oom)-' | tr '\n' ' ')"
    grep -E 'FUZZ FAILURE|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$run/log" \
      | head -5 >&2 || true
  fi
done

for line in "${summary[@]}"; do say "$line"; done
if [ ${#failed[@]} -gt 0 ]; then
  say "crashed: ${failed[*]} (see build-fuzz/fuzz-runs/TARGET/log)"
  exit 1
fi
say "no crash"

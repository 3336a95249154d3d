#!/usr/bin/env bash
# The whole test suite (`make test`, CI), in order, stopping at the first failing step:
#   1. main build: gcc, Release, warnings are errors (scripts/build.sh main)
#   2. its tests except the QEMU ones: C unit tests, Python oracle tests, the install test
#   3. the QEMU tests: unit tests run as a CPU without AVX-512 (Haswell) and without AVX (Nehalem)
#   4. the AVX-512 tests: the QEMU subset on an emulated AVX-512 CPU (a Linux guest in Bochs,
#      scripts/avx512-emu.sh; it prints SKIP when its packages are missing)
#   5. sanitizer build: clang, ASan+UBSan, warnings are errors (scripts/build.sh asan)
#   6. the C unit tests and the gk tool's tests under the sanitizers
# Ends with a table of the steps and a line "suite: N passed, M failed" (tests counted by ctest).
# Build trees: $GK_BUILD (build/), $GK_BUILD_ASAN (build-asan/); jobs: $GK_JOBS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
main=${GK_BUILD:-build}
asan=${GK_BUILD_ASAN:-build-asan}
jobs=${GK_JOBS:-2}
# For the sanitizer build's tests (others ignore them): report leaks, stop at the first error.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
summary=() passed=0 failed=0 start=$SECONDS

finish() {
  echo
  echo "==> summary ($((SECONDS - start)) s)"
  printf '  %s\n' "${summary[@]}"
  echo "suite: $passed passed, $failed failed"
}

# step NAME COMMAND...: run one step, echoing its output; count the tests ctest reports.
step() {
  local name=$1 t0=$SECONDS rc=0
  shift
  echo "==> $name"
  "$@" 2>&1 | tee "$log" || rc=$?
  # ctest's closing line: "100% tests passed, 0 tests failed out of 42"
  local counts
  counts=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log")
  if [ -n "$counts" ]; then
    read -r f total <<<"$counts"
    passed=$((passed + total - f))
    failed=$((failed + f))
  elif [ $rc -ne 0 ]; then
    failed=$((failed + 1))  # a failed build: no tests ran
  fi
  if [ $rc -ne 0 ]; then
    summary+=("$(printf '%-44s FAILED %5d s' "$name" $((SECONDS - t0)))")
    finish
    exit 1
  fi
  summary+=("$(printf '%-44s ok     %5d s' "$name" $((SECONDS - t0)))")
}

ctest_in() { # ctest_in DIR [ctest args]: fails when no test matches, so nothing passes silently
  local dir=$1
  shift
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure --no-tests=error "$@"
}

step "build (gcc, Release, -Werror)" scripts/build.sh main
step "tests (gcc build)" ctest_in "$main" -LE qemu
step "tests under QEMU (Haswell, Nehalem)" ctest_in "$main" -L qemu
step "AVX-512 tests under Bochs (Cannon Lake)" scripts/avx512-emu.sh "$main"
step "build (clang, ASan+UBSan, -Werror)" scripts/build.sh asan
step "unit and tool tests (ASan+UBSan)" ctest_in "$asan" -L 'unit|tool'
finish

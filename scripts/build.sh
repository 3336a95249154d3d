#!/usr/bin/env bash
# Configure (only when missing or its settings changed) and build one of the project's trees:
#   main  $GK_BUILD (default build/): gcc, Release, warnings are errors, the venv's Python
#         for the oracle tests; `make build`, `make demo` and the main test run use it.
#   asan  $GK_BUILD_ASAN (default build-asan/): clang with ASan+UBSan, warnings are errors,
#         so it also proves clang builds warning-free; the C unit tests run from it.
# Parallel jobs: $GK_JOBS (default 2, the CI machine's cores).
set -euo pipefail
cd "$(dirname "$0")/.."

case ${1:-} in
  main) dir=${GK_BUILD:-build} cc=gcc type=Release san=OFF ;;
  asan) dir=${GK_BUILD_ASAN:-build-asan} cc=clang type=RelWithDebInfo san=ON ;;
  *) echo "usage: $0 main|asan" >&2; exit 2 ;;
esac
# CMake's default generator (Makefiles): the one every engineer's own builds use.
args=(-DCMAKE_BUILD_TYPE=$type -DCMAKE_C_COMPILER=$cc -DCMAKE_ASM_COMPILER=$cc
      -DGK_SANITIZE=$san -DGK_WERROR=ON -DGK_PYTHON="$PWD/.venv/bin/python")

stamp=$dir/.gk-configure-args
if [ ! -f "$dir/CMakeCache.txt" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${args[*]}" ]; then
  # A fresh cache: a compiler change is refused on an existing one.
  rm -f "$dir/CMakeCache.txt" "$stamp"
  cmake -S . -B "$dir" --log-level=WARNING "${args[@]}"
  echo "${args[*]}" >"$stamp"
fi
cmake --build "$dir" -j "${GK_JOBS:-2}" -- --no-print-directory

#!/usr/bin/env bash
# Install test (ctest "install"): `cmake --install` a build into a scratch prefix, check the
# shared library's SONAME and that the installed gk tool runs, then build the C example of
# README.md against the installed files the two ways users do, and run each build:
#   find_package(gllm_kernels) with CMAKE_PREFIX_PATH: the shared and the static target;
#   pkg-config with PKG_CONFIG_PATH: shared, and static with the .pc file's Libs.private.
# Usage: run.sh SOURCE_DIR BUILD_DIR WORK_DIR LIBDIR CC
set -euo pipefail
src=$1 build=$2 work=$3 libdir=$4 cc=$5
prefix=$work/prefix
rm -rf "$work"
mkdir -p "$work"

quiet() { # run a command, showing its output only when it fails
  "$@" >"$work/log" 2>&1 || { cat "$work/log"; echo "FAILED: $*"; exit 1; }
}
check() { # run a built example; its first result line is known
  local out
  out=$("$1" 2>&1) || { echo "$out"; echo "FAILED: $1 exited non-zero"; exit 1; }
  grep -qx 'C = \[1 5; 4 11\]' <<<"$out" || { echo "$out"; echo "FAILED: $1 printed a wrong C"; exit 1; }
  echo "ok: $1"
}

quiet cmake --install "$build" --prefix "$prefix"
lib=$prefix/$libdir
soname=$(objdump -p "$lib/libgllm_kernels.so" | awk '$1 == "SONAME" { print $2 }')
[ -n "$soname" ] && [ -e "$lib/$soname" ] || { echo "FAILED: no SONAME or no $lib/$soname"; exit 1; }
echo "ok: shared library SONAME $soname"
quiet "$prefix/bin/gk" version
echo "ok: installed gk runs"

# The example is taken from README.md, so the README always shows a program that works.
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/README.md" >"$work/example.c"
[ -s "$work/example.c" ] || { echo "FAILED: README.md has no \`\`\`c block"; exit 1; }

quiet cmake -S "$src/tests/install/consumer" -B "$work/cmake" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" -DEXAMPLE="$work/example.c"
quiet cmake --build "$work/cmake"
check "$work/cmake/example_shared"
check "$work/cmake/example_static"

export PKG_CONFIG_PATH=$lib/pkgconfig
read -ra cflags <<<"$(pkg-config --cflags gllm-kernels)"
read -ra libs <<<"$(pkg-config --libs gllm-kernels)"
private=() # Libs.private: what the static library needs besides itself
for l in $(pkg-config --static --libs-only-l gllm-kernels); do
  [ "$l" = -lgllm_kernels ] || private+=("$l")
done
quiet "$cc" "$work/example.c" "${cflags[@]}" "${libs[@]}" -Wl,-rpath,"$lib" -o "$work/pc_shared"
check "$work/pc_shared"
quiet "$cc" "$work/example.c" "${cflags[@]}" "$lib/libgllm_kernels.a" "${private[@]}" -o "$work/pc_static"
check "$work/pc_static"

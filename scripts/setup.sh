#!/usr/bin/env bash
# Set-up of a Debian 12 machine for building, testing and benchmarking gllm-kernels: the Debian
# packages below and the project venv (.venv) with the pinned Python packages of
# scripts/requirements.txt. Idempotent: when everything is there it only checks (dpkg-query and
# a stamp of the requirements) and prints nothing. Installing packages needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config clang
  libclang-rt-14-dev  # ASan/UBSan/libFuzzer runtimes for clang
  libzydis-dev        # JIT decoder/encoder (pulls libzycore-dev)
  python3-venv qemu-user
  valgrind            # memcheck of the assembly micro-kernels, which the sanitizers cannot see
  libopenblas-dev libblis-dev libdnnl-dev  # benchmark peers, loaded at run time only
  # scripts/avx512-emu.sh: an AVX-512 CPU emulated by Bochs booting a Linux guest from an ISO
  bochs bochsbios vgabios xorriso isolinux syslinux-common busybox-static cpio linux-headers-cloud-amd64
)

# dpkg-query fails when a package is unknown to dpkg: that is the answer we want, not an error.
installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${packages[@]}" 2>/dev/null || true)
installed=$(awk '$1 == "installed" { print $2 }' <<<"$installed")
missing=()
for p in "${packages[@]}"; do
  grep -qx -- "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root (e.g. sudo scripts/setup.sh) or apt-get install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv=.venv
stamp=$venv/.requirements.txt
if ! cmp -s scripts/requirements.txt "$stamp" || ! "$venv/bin/python" -c '' 2>/dev/null; then
  echo "setup: installing the Python packages into $venv"
  # Debian's interpreter: it is the one python3-venv supports.
  "$venv/bin/python" -c '' 2>/dev/null || /usr/bin/python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r scripts/requirements.txt
  cp scripts/requirements.txt "$stamp"
fi

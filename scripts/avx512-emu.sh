#!/usr/bin/env bash
# The AVX-512 code paths, run on an emulated AVX-512 CPU: a Linux guest booted headless in Bochs
# as a Cannon Lake (AVX-512 F/BW/DQ/VL), running the quick test programs with GK_ISA=avx512 and
# GK_TEST_ISA=avx512 (the other levels run natively in the other steps), then `gk info`.
#   scripts/avx512-emu.sh [BUILD_DIR]       (default $GK_BUILD or build/; needs the tests built)
# Prints one "ok"/"FAILED" line per test program and a ctest-style total; exits 1 on a failure.
# Prints "SKIP avx512-emu: ..." and exits 0 only when a package it needs is missing (installed by
# scripts/setup.sh) or the guest kernel cannot be downloaded. How and why: docs/DECISIONS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${GK_BUILD:-build}}
work=$build/avx512-emu
timeout_s=${GK_EMU_TIMEOUT:-600} # seconds
# The QEMU subset and the bf16 GEMM (its fallback where AVX512_BF16 is missing, as on this
# Cannon Lake); GK_EMU_TESTS="name ..." runs others (single-threaded ones: see init.sh).
read -r -a tests <<<"${GK_EMU_TESTS:-runtime_isa ops_errors ops_blas ops_activations ops_rows ops_gemm blas_gemm_ukernel blas_gemm_rows blas_bf16_gemm}"

skip() {
  echo "SKIP avx512-emu: $*"
  exit 0
}

for f in /usr/bin/bochs /usr/bin/xorriso /usr/bin/cpio /bin/busybox /usr/lib/ISOLINUX/isolinux.bin \
  /usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/share/bochs/BIOS-bochs-latest; do
  [ -e "$f" ] || skip "$f is missing (scripts/setup.sh installs it)"
done
# The guest kernel: the cloud flavour whose headers are installed (to build gk_xcr0.ko for it).
kver=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-cloud-amd64' -printf '%f\n' | sed 's/^linux-headers-//' |
  sort -V | tail -n 1)
[ -n "$kver" ] || skip "no linux-headers-*-cloud-amd64 (scripts/setup.sh installs it)"
for t in "${tests[@]}"; do
  [ -x "$(find "$build/tests" -name "test_$t" -type f | head -n 1)" ] || {
    echo "avx512-emu: test_$t is not built in $build" >&2
    exit 1
  }
done

mkdir -p "$work"
if [ ! -f "$work/vmlinuz-$kver" ]; then
  rm -rf "$work/deb" && mkdir -p "$work/deb"
  (cd "$work/deb" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1) ||
    skip "cannot download linux-image-$kver"
  dpkg -x "$work"/deb/*.deb "$work/deb/x"
  cp "$work/deb/x/boot/vmlinuz-$kver" "$work/vmlinuz-$kver"
  rm -rf "$work/deb"
fi
mkdir -p "$work/mod"
cp scripts/avx512-emu/gk_xcr0.c "$work/mod/"
echo 'obj-m := gk_xcr0.o' >"$work/mod/Kbuild"
make -s -C "/usr/src/linux-headers-$kver" M="$(realpath "$work/mod")" modules >"$work/mod/build.log" 2>&1 || {
  cat "$work/mod/build.log" >&2
  exit 1
}

# initramfs: busybox, the module, the test programs and gk, and the libraries they load.
root=$work/root
rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,tmp,t,lib/gk}
cp /bin/busybox "$root/bin/"
cp scripts/avx512-emu/init.sh "$root/init"
cp "$work/mod/gk_xcr0.ko" "$root/"
for t in "${tests[@]}"; do cp "$(find "$build/tests" -name "test_$t" -type f | head -n 1)" "$root/t/"; done
cp "$build/tools/gk" "$root/t/"
for lib in $(ldd "$root"/t/* | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib64/ { print $1 }' | sort -u); do
  case $lib in
    "$(realpath "$build")"/* | "$build"/*) cp -L "$lib" "$root/lib/gk/" ;; # our own library
    *) mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" ;;
  esac
done

# A bootable ISO (isolinux) holding the kernel and the initramfs.
iso=$work/iso
rm -rf "$iso" && mkdir -p "$iso/isolinux"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$iso/isolinux/initrd.gz"
cp "$work/vmlinuz-$kver" "$iso/isolinux/vmlinuz"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
cat >"$iso/isolinux/isolinux.cfg" <<'EOF'
default linux
prompt 0
label linux
  kernel vmlinuz
  append initrd=initrd.gz console=ttyS0 quiet nosmp mitigations=off nokaslr panic=-1
EOF
xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>/dev/null

# Bochs: no display (the Debian build has no "nogui"; rfb with timeout=0 waits for no viewer),
# no sound (on a host without a sound card its ALSA mixer thread aborts Bochs with a buffer
# overflow before the guest starts), time by instruction count (sync=none), the serial console
# into a file.
cat >"$work/bochsrc" <<EOF
megs: 1024
cpu: model=corei3_cnl, ips=200000000
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
sound: driver=dummy
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$(realpath "$work/boot.iso"), status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$(realpath "$work")/serial.log
log: $(realpath "$work")/bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
EOF
printf 'c\nquit\n' >"$work/debugger.rc" # the Debian build starts in its debugger: continue
rm -f "$work/serial.log"
t0=$SECONDS
# Bochs exits with status 1 when the guest powers off (a "panic" of its ACPI model): ignored.
(cd "$work" && timeout "$timeout_s" bochs -q -f bochsrc -rc debugger.rc >bochs.out 2>&1 </dev/null) || true
echo "avx512-emu: the guest ran $((SECONDS - t0)) s; its serial console: $work/serial.log"

# The guest's output without kernel messages, then one line per test program.
grep -v '^\[ *[0-9.]*\]' "$work/serial.log" 2>/dev/null | grep -v '^RESULT ' || true
failed=0
for t in "${tests[@]}"; do
  read -r _ _ trc secs < <(grep "^RESULT $t " "$work/serial.log" 2>/dev/null || echo "RESULT $t missing -")
  if [ "$trc" = 0 ]; then
    printf '  ok      %-20s (%s emulated s)\n' "$t" "$secs"
  else
    printf '  FAILED  %-20s (exit status %s)\n' "$t" "$trc"
    failed=$((failed + 1))
  fi
done
grep -q '^GUEST DONE' "$work/serial.log" 2>/dev/null || {
  echo "avx512-emu: the guest did not finish (timeout ${timeout_s} s or crash): see $work/bochs.out"
  [ $failed -gt 0 ] || failed=1
}
# The closing line scripts/test.sh counts, in ctest's words.
echo "$(((${#tests[@]} - failed) * 100 / ${#tests[@]}))% tests passed, $failed tests failed out of ${#tests[@]}"
[ $failed -eq 0 ]

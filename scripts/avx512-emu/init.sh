#!/bin/busybox sh
# shellcheck shell=dash
# /init of the Bochs guest of scripts/avx512-emu.sh: enables the AVX-512 state (gk_xcr0.ko),
# runs each test program in /t with the AVX-512 level forced, writes "RESULT <name> <rc> <s>"
# lines and `gk info` to the serial console, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys # the cache topology the library reads, as on a real machine
mount -t devtmpfs dev /dev
insmod /gk_xcr0.ko || echo "RESULT gk_xcr0.ko 1 0"
# One thread: the guest kernel does not save AVX-512 registers on a context switch.
export GK_ISA=avx512 GK_TEST_ISA=avx512 GK_EXPECT_ISA_MAX=cannonlake GK_NUM_THREADS=1 GK_TEST_MAX_THREADS=1
export XDG_CACHE_HOME=/tmp/cache LD_LIBRARY_PATH=/lib/gk
uptime_s() { cut -d' ' -f1 /proc/uptime; }
for t in /t/test_*; do
  t0=$(uptime_s)
  "$t" >/tmp/out 2>&1
  rc=$?
  # the failures and summary only: the serial line is slow
  grep -v '^SKIP ' /tmp/out | tail -n 30
  echo "RESULT ${t#/t/test_} $rc $(awk "BEGIN { print $(uptime_s) - $t0 }")"
done
echo "==> gk info"
/t/gk info 2>&1
echo "GUEST DONE"
sleep 1 # let the console drain
poweroff -f

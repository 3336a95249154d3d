// SPDX-License-Identifier: GPL-2.0
/* Guest-side helper of scripts/avx512-emu.sh: turns the AVX and AVX-512 register state on
 * (CR4.OSXSAVE, XCR0 = x87 | SSE | AVX | opmask | ZMM_Hi256 | Hi16_ZMM) on the guest's only CPU.
 * Bochs 2.7 advertises PKRU in CPUID.(0DH,0) but reports CPUID.(0DH,9) as zeros, so Linux finds
 * the XSAVE layout inconsistent and boots with XSAVE (hence AVX) off. The kernel then saves only
 * the SSE state on a context switch, so the tests run one single-threaded process at a time. */
#include <linux/module.h>
#include <asm/tlbflush.h>

static int __init gk_xcr0_init(void)
{
	const u32 xcr0 = 0xe7;

	cr4_set_bits(X86_CR4_OSXSAVE);
	asm volatile("xsetbv" : : "a"(xcr0), "d"(0), "c"(0));
	return 0;
}
module_init(gk_xcr0_init);
MODULE_LICENSE("GPL");

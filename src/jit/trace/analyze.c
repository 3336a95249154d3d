/* Entry points of the analyser: the function's extent (its ELF symbol size when the symbol is
 * in .dynsym, else a forward sweep that follows the furthest forward branch target), then the
 * symbolic executor. */
#include <Zydis/Zydis.h>

#include "jit/trace/sym.h"

enum { SWEEP_MAX = 1 << 16 };

static int check_sig(const gk_fn_sig *sig)
{
    if (!sig || sig->nargs < 0 || sig->nargs > 8 || (sig->ret != GK_ARG_VOID && sig->ret != GK_ARG_F32))
        return 0;
    for (int j = 0; j < sig->nargs; j++)
        if (sig->args[j] < GK_ARG_F32 || sig->args[j] > GK_ARG_PTR_OUT)
            return 0;
    return 1;
}

/* the end of a function without a symbol size: decode forward; the function ends at an
 * unconditional exit (ret, jmp, trap) that no earlier branch jumps beyond */
static const uint8_t *sweep(const uint8_t *fn)
{
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    const uint8_t *p = fn, *furthest = fn;
    while (p < fn + SWEEP_MAX && (gk_mem_flags(p, 16) & GK_MEM_X)) {
        ZydisDecodedInstruction ins; /* operands are not needed: the raw immediate is the target */
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, p, 16, &ins)))
            break;
        const uint8_t *next = p + ins.length;
        int uncond = ins.mnemonic == ZYDIS_MNEMONIC_RET || ins.mnemonic == ZYDIS_MNEMONIC_JMP ||
                     ins.mnemonic == ZYDIS_MNEMONIC_UD2 || ins.mnemonic == ZYDIS_MNEMONIC_INT3;
        if (ins.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE && ins.raw.imm[0].is_relative &&
            ins.mnemonic != ZYDIS_MNEMONIC_CALL) {
            const uint8_t *t = next + ins.raw.imm[0].value.s;
            if (t > furthest && t < fn + SWEEP_MAX)
                furthest = t;
        }
        p = next;
        if (uncond && p > furthest)
            break;
    }
    return p;
}

gk_status gk_trace_analyze_code(const void *code, size_t size, const gk_fn_sig *sig, struct gk_op_trace **out)
{
    if (!code || !out || !check_sig(sig))
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_analyze_code: NULL code or output, or a bad signature");
    const uint8_t *lo = code;
    return gk_symexec(lo, lo, lo + size, sig, out);
}

/* the bytes a function occupies: its symbol's extent, else the sweep's */
static gk_status extent(const uint8_t *entry, const uint8_t **lo, const uint8_t **hi)
{
    if (!(gk_mem_flags(entry, 1) & GK_MEM_X))
        return gk_fail(GK_ERR_INVALID_ARG, "trace: %p is not in a loaded executable segment", (const void *)entry);
    if (!gk_symbol_extent(entry, lo, hi)) {
        *lo = entry;
        *hi = sweep(entry);
    }
    return GK_OK;
}

gk_status gk_trace_code_hash(void (*fn)(void), uint64_t *hash)
{
    const uint8_t *lo, *hi;
    GK_TRY(extent((const uint8_t *)(uintptr_t)fn, &lo, &hi));
    uint64_t h = 1469598103934665603ull;
    for (const uint8_t *p = lo; p < hi; p++)
        h = (h ^ *p) * 1099511628211ull;
    *hash = h;
    return GK_OK;
}

gk_status gk_trace_analyze(void (*fn)(void), const gk_fn_sig *sig, struct gk_op_trace **out)
{
    if (!fn || !out || !check_sig(sig))
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_analyze: NULL function or output, or a bad signature");
    const uint8_t *entry = (const uint8_t *)(uintptr_t)fn, *lo, *hi;
    GK_TRY(extent(entry, &lo, &hi));
    return gk_symexec(entry, lo, hi, sig, out);
}

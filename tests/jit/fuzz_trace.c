/* libFuzzer target: arbitrary bytes as a function body for the Phase 0 analyser (and as a
 * serialized trace for the reader). Either must terminate quickly with a status, never crash,
 * hang or leak. The first byte picks the signature. */
#include <stddef.h>
#include <stdint.h>

#include "gk/jit.h"

static const gk_fn_sig sigs[] = {
    {GK_ARG_F32, 1, {GK_ARG_F32}},
    {GK_ARG_F32, 2, {GK_ARG_F32, GK_ARG_F32}},
    {GK_ARG_F32, 2, {GK_ARG_PTR_IN, GK_ARG_I64}},
    {GK_ARG_VOID, 4, {GK_ARG_PTR_IN, GK_ARG_PTR_IN, GK_ARG_PTR_OUT, GK_ARG_I64}},
    {GK_ARG_VOID, 5, {GK_ARG_PTR_IN, GK_ARG_PTR_IN, GK_ARG_PTR_OUT, GK_ARG_I64, GK_ARG_F32}},
    {GK_ARG_VOID, 6, {GK_ARG_I64, GK_ARG_I64, GK_ARG_I64, GK_ARG_PTR_IN, GK_ARG_PTR_IN, GK_ARG_PTR_OUT}},
    {GK_ARG_VOID, 8, {GK_ARG_I64, GK_ARG_I64, GK_ARG_I64, GK_ARG_PTR_IN, GK_ARG_PTR_IN, GK_ARG_PTR_IN, GK_ARG_PTR_OUT,
                      GK_ARG_F32}},
    {GK_ARG_F32, 3, {GK_ARG_F32, GK_ARG_F32, GK_ARG_F32}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const gk_fn_sig *sig = &sigs[data[0] % (sizeof sigs / sizeof sigs[0])];
    struct gk_op_trace *t = NULL;
    if (gk_trace_analyze_code(data + 1, size - 1, sig, &t) == GK_OK)
        gk_trace_free(t);
    t = NULL;
    if (gk_trace_deserialize(data, size, &t) == GK_OK)
        gk_trace_free(t);
    return 0;
}

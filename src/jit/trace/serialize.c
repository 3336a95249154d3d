/* The trace's byte form: "GKTR", a version, the signature, then the operations, all
 * little-endian with fixed widths. Deserialization checks every length and then runs the
 * same well-formedness check as the analyser's output, so malformed bytes are rejected. */
#include <stdlib.h>
#include <string.h>

#include "jit/trace/trace.h"
#include "runtime/error.h"

enum { VERSION = 1, HEADER = 4 + 4 + 2 + 8 + 4, OPSIZE = 2 + 1 + 1 + 12 + 8 };

static void put(unsigned char **p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        *(*p)++ = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char **p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)*(*p)++ << (8 * i);
    return v;
}

gk_status gk_trace_serialize(const struct gk_op_trace *t, unsigned char **bytes, size_t *len)
{
    if (!t || !bytes || !len)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_serialize: NULL argument");
    size_t n = HEADER + (size_t)t->nops * OPSIZE;
    unsigned char *b = malloc(n), *p = b;
    if (!b)
        return gk_fail(GK_ERR_NO_MEMORY, "gk_trace_serialize: out of memory");
    memcpy(p, "GKTR", 4);
    p += 4;
    put(&p, VERSION, 4);
    put(&p, (uint64_t)t->sig.ret, 1);
    put(&p, (uint64_t)t->sig.nargs, 1);
    for (int j = 0; j < 8; j++)
        put(&p, (uint64_t)t->sig.args[j], 1);
    put(&p, (uint64_t)t->nops, 4);
    for (int i = 0; i < t->nops; i++) {
        const gk_trace_op *o = &t->ops[i];
        put(&p, o->op, 2);
        put(&p, o->type, 1);
        put(&p, 0, 1);
        put(&p, (uint32_t)o->a, 4);
        put(&p, (uint32_t)o->b, 4);
        put(&p, (uint32_t)o->c, 4);
        put(&p, o->imm, 8);
    }
    *bytes = b;
    *len = n;
    return GK_OK;
}

gk_status gk_trace_deserialize(const unsigned char *bytes, size_t len, struct gk_op_trace **out)
{
    if (!bytes || !out)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_deserialize: NULL argument");
    const unsigned char *p = bytes;
    if (len < HEADER || memcmp(p, "GKTR", 4))
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_deserialize: not a serialized trace");
    p += 4;
    if (get(&p, 4) != VERSION)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_deserialize: unknown version");
    gk_fn_sig sig;
    sig.ret = (gk_arg_kind)get(&p, 1);
    sig.nargs = (int)get(&p, 1);
    for (int j = 0; j < 8; j++)
        sig.args[j] = (gk_arg_kind)get(&p, 1);
    uint64_t nops = get(&p, 4);
    if (sig.ret > GK_ARG_PTR_OUT || sig.nargs > 8 || nops > (1u << 24) || len != HEADER + nops * OPSIZE)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_deserialize: bad header or length");
    for (int j = 0; j < 8; j++)
        if (sig.args[j] > GK_ARG_PTR_OUT)
            return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_deserialize: bad argument kind");
    struct gk_op_trace *t = gk_trace_alloc((int)nops);
    if (!t)
        return gk_fail(GK_ERR_NO_MEMORY, "gk_trace_deserialize: out of memory");
    t->sig = sig;
    for (uint64_t i = 0; i < nops; i++) {
        gk_trace_op *o = &t->ops[i];
        o->op = (uint16_t)get(&p, 2);
        o->type = (uint8_t)get(&p, 1);
        p++;
        o->a = (int32_t)(uint32_t)get(&p, 4);
        o->b = (int32_t)(uint32_t)get(&p, 4);
        o->c = (int32_t)(uint32_t)get(&p, 4);
        o->imm = get(&p, 8);
    }
    gk_status st = gk_trace_validate(t);
    if (st != GK_OK) {
        gk_trace_free(t);
        return st;
    }
    gk_trace_classify(t);
    *out = t;
    return GK_OK;
}

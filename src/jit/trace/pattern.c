/* The pattern of a trace, derived from its structure only (never from a name):
 *   elementwise    no loop and only float arguments, or loops that carry nothing and whose
 *                  every stored element reads only elements at its own index (unrolled copies
 *                  and remainder loops included);
 *   reduction      loops that carry accumulators and store nothing;
 *   map-reduce-map reductions followed by a loop that stores (norms, softmax); a loop that
 *                  stores a value computed from its own carried values is a scan (suffix
 *                  sums), which is none of these: opaque;
 *   gemm           nested loops whose innermost loop accumulates a product of two loads;
 *   injective      storing loops without accumulators where an element reads others
 *                  (pairs, halves: rope). */
#include <stdlib.h>

#include "jit/trace/trace.h"

static int is_load(const struct gk_op_trace *t, int v) { return v >= 0 && t->ops[v].op == GK_OP_LOAD; }

static int is_product(const struct gk_op_trace *t, int v)
{
    const gk_trace_op *m = &t->ops[v];
    return m->op == GK_OP_MUL && is_load(t, m->a) && is_load(t, m->b);
}

/* next = acc + load*load (+ load*load ...: unrolled), or fma(load, load, acc) chains */
static int is_mac(const struct gk_op_trace *t, int acc, int next)
{
    for (int guard = 0; guard < 16; guard++) {
        if (next == acc)
            return guard > 0;
        const gk_trace_op *o = &t->ops[next];
        if (o->op == GK_OP_FMA && is_load(t, o->a) && is_load(t, o->b))
            next = o->c;
        else if (o->op == GK_OP_ADD && is_product(t, o->a))
            next = o->b;
        else if (o->op == GK_OP_ADD && is_product(t, o->b))
            next = o->a;
        else
            return 0;
    }
    return 0;
}

/* structural equality of two values (index expressions of unrolled copies are separate ops) */
static int same_expr(const struct gk_op_trace *t, int a, int b, int depth)
{
    if (a == b)
        return 1;
    if (a < 0 || b < 0 || depth > 32)
        return 0;
    const gk_trace_op *x = &t->ops[a], *y = &t->ops[b];
    if (x->op != y->op || x->type != y->type || x->imm != y->imm)
        return 0;
    switch (x->op) {
    case GK_OP_LOOP: case GK_OP_ACC: case GK_OP_ACCOUT: case GK_OP_LOAD:
        return 0; /* distinct unless the same op */
    }
    int k = gk_trace_op_arity[x->op];
    const int32_t xa[3] = {x->a, x->b, x->c}, ya[3] = {y->a, y->b, y->c};
    for (int j = 0; j < k; j++)
        if (!same_expr(t, xa[j], ya[j], depth + 1))
            return 0;
    return 1;
}

/* a stored value reads only elements at the store's own index (out[e] = f(in[e], ...)) */
static int reads_own_index(const struct gk_op_trace *t, int v, int idx, int depth)
{
    if (depth > 64)
        return 0;
    const gk_trace_op *o = &t->ops[v];
    if (o->op == GK_OP_LOAD)
        return same_expr(t, o->a, idx, 0);
    if (o->op == GK_OP_ACC || o->op == GK_OP_ACCOUT || o->op == GK_OP_LOOP)
        return 0;
    if (o->type == GK_T_I64)
        return 1; /* index arithmetic feeding a conversion is not an element read */
    int k = gk_trace_op_arity[o->op];
    const int32_t src[3] = {o->a, o->b, o->c};
    for (int j = 0; j < k; j++)
        if (!reads_own_index(t, src[j], idx, depth + 1))
            return 0;
    return 1;
}

/* some store writes a value that depends on a carried value of its loop (the trace is
 * validated: operands are earlier operations, so one forward pass; an ACCOUT is the value
 * after the loop) */
static int stores_carried(const struct gk_op_trace *t)
{
    uint8_t *dep = calloc((size_t)t->nops + 1, 1);
    if (!dep)
        return 1; /* out of memory: the conservative answer (opaque) */
    int found = 0;
    for (int i = 0; i < t->nops && !found; i++) {
        const gk_trace_op *o = &t->ops[i];
        if (o->op == GK_OP_STORE) {
            found = o->b >= 0 && dep[o->b];
            continue;
        }
        if (o->op == GK_OP_ACC) {
            dep[i] = 1;
            continue;
        }
        if (o->op == GK_OP_ACCOUT)
            continue;
        const int32_t src[3] = {o->a, o->b, o->c};
        for (int j = 0; j < gk_trace_op_arity[o->op]; j++)
            if (src[j] >= 0 && dep[src[j]])
                dep[i] = 1;
    }
    free(dep);
    return found;
}

void gk_trace_classify(struct gk_op_trace *t)
{
    int depth = 0, maxdepth = 0;
    int reduce_seen = 0, map_after_reduce = 0, all_reduce = 1, stores = 0, mac = 0, identity = 1, carried = 0;
    int loads_seen[8] = {0};
    int nf = 0;
    for (int j = 0; j < t->sig.nargs; j++)
        nf += t->sig.args[j] == GK_ARG_F32;
    int top_has_store = 0, top_has_acc = 0;
    for (int i = 0; i < t->nops; i++) {
        const gk_trace_op *o = &t->ops[i];
        switch (o->op) {
        case GK_OP_LOOP:
            if (depth == 0)
                top_has_store = top_has_acc = 0;
            depth++;
            if (depth > maxdepth)
                maxdepth = depth;
            break;
        case GK_OP_END:
            depth--;
            if (depth == 0) {
                if (top_has_store && reduce_seen)
                    map_after_reduce = 1;
                if (top_has_acc)
                    reduce_seen = 1;
                if (top_has_store)
                    all_reduce = 0;
            }
            break;
        case GK_OP_ACC:
            top_has_acc = 1;
            carried = 1;
            break;
        case GK_OP_NEXT:
            if (is_mac(t, o->a, o->b))
                mac = 1;
            break;
        case GK_OP_STORE:
            top_has_store = 1;
            stores = 1;
            if (!reads_own_index(t, o->b, o->a, 0))
                identity = 0;
            break;
        case GK_OP_LOAD:
            if (o->imm < 8)
                loads_seen[o->imm] = 1;
            break;
        }
    }
    t->arity = 0;
    t->pattern = GK_PAT_OPAQUE;
    if (maxdepth == 0) {
        if (nf == t->sig.nargs && t->sig.ret == GK_ARG_F32 && nf >= 1 && nf <= 3) {
            t->pattern = GK_PAT_ELEMENTWISE;
            t->arity = nf;
        }
        return;
    }
    if (maxdepth >= 2) {
        if (mac)
            t->pattern = GK_PAT_GEMM;
        return;
    }
    if (stores && !carried) {
        if (identity) {
            t->pattern = GK_PAT_ELEMENTWISE;
            for (int j = 0; j < 8; j++)
                t->arity += loads_seen[j];
        } else
            t->pattern = GK_PAT_INJECTIVE;
        return;
    }
    if (carried && all_reduce && !stores)
        t->pattern = GK_PAT_REDUCTION;
    else if (map_after_reduce && !stores_carried(t))
        t->pattern = GK_PAT_MAP_REDUCE_MAP;
}

const char *gk_trace_pattern(const struct gk_op_trace *t)
{
    static const char *const names[] = {"opaque", "elementwise", "reduction", "map-reduce-map", "gemm", "injective"};
    if (!t || t->pattern < 0 || t->pattern > GK_PAT_INJECTIVE)
        return "opaque";
    return names[t->pattern];
}

int gk_trace_arity(const struct gk_op_trace *t) { return t && t->pattern == GK_PAT_ELEMENTWISE ? t->arity : 0; }

/* The pattern of a trace, derived from its structure only (never from a name):
 *   elementwise    no loop and only float arguments, or one loop whose loads and stores all
 *                  use the loop index itself and that carries nothing;
 *   reduction      loops that carry accumulators and store nothing;
 *   map-reduce-map reductions followed by a loop that stores (norms, softmax);
 *   gemm           nested loops whose innermost loop accumulates a product of two loads;
 *   injective      one storing loop without accumulators whose indices are not all the index
 *                  (pairs, halves: rope). */
#include "jit/trace/trace.h"

static int is_load(const struct gk_op_trace *t, int v) { return v >= 0 && t->ops[v].op == GK_OP_LOAD; }

/* next = acc + load*load, or fma(load, load, acc) */
static int is_mac(const struct gk_op_trace *t, int acc, int next)
{
    const gk_trace_op *o = &t->ops[next];
    if (o->op == GK_OP_FMA)
        return o->c == acc && is_load(t, o->a) && is_load(t, o->b);
    if (o->op != GK_OP_ADD || (o->a != acc && o->b != acc))
        return 0;
    int p = o->a == acc ? o->b : o->a;
    const gk_trace_op *m = &t->ops[p];
    return m->op == GK_OP_MUL && is_load(t, m->a) && is_load(t, m->b);
}

void gk_trace_classify(struct gk_op_trace *t)
{
    int depth = 0, maxdepth = 0, top_loops = 0, cur_top = -1;
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
            if (depth == 0) {
                top_loops++;
                cur_top = i;
                top_has_store = top_has_acc = 0;
            }
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
            if (depth != 1 || o->a != cur_top)
                identity = 0;
            break;
        case GK_OP_LOAD:
            if (depth != 1 || o->a != cur_top)
                identity = 0;
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
    if (top_loops == 1 && stores && !carried) {
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
    else if (map_after_reduce)
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

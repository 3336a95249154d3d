/* The trace operation table, allocation, and the well-formedness check every trace passes
 * before it is handed out or interpreted (so the interpreter needs no checks of its own). */
#include <stdlib.h>

#include "jit/trace/trace.h"
#include "runtime/error.h"

const char *const gk_trace_op_names[GK_OP_COUNT] = {
#define GK_TRACE_OP_NAME(n, s, k) s,
    GK_TRACE_OPS(GK_TRACE_OP_NAME)
#undef GK_TRACE_OP_NAME
};

const uint8_t gk_trace_op_arity[GK_OP_COUNT] = {
#define GK_TRACE_OP_ARITY(n, s, k) k,
    GK_TRACE_OPS(GK_TRACE_OP_ARITY)
#undef GK_TRACE_OP_ARITY
};

struct gk_op_trace *gk_trace_alloc(int nops)
{
    struct gk_op_trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ops = calloc(nops > 0 ? (size_t)nops : 1, sizeof *t->ops);
    if (!t->ops) {
        free(t);
        return NULL;
    }
    t->nops = nops;
    return t;
}

void gk_trace_free(struct gk_op_trace *t)
{
    if (!t)
        return;
    free(t->ops);
    free(t);
}

static int is_float(int ty) { return ty == GK_T_F32 || ty == GK_T_F64; }

#define BAD(...) gk_fail(GK_ERR_INVALID_ARG, "trace: " __VA_ARGS__)

gk_status gk_trace_validate(const struct gk_op_trace *t)
{
    enum { MAXD = 16 };
    if (!t || !t->ops || t->nops < 0 || t->nops > (1 << 24))
        return BAD("missing or oversized");
    if (t->sig.nargs < 0 || t->sig.nargs > 8)
        return BAD("bad signature");
    /* defining region (LOOP, IF or ELSE op id) or -1; the ENDIF position of each IF */
    int *scope = malloc(sizeof(int) * (size_t)(t->nops ? t->nops : 1) * 2);
    if (!scope)
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    int *endif_of = scope + t->nops;
    for (int i = 0; i < t->nops; i++)
        endif_of[i] = -1;
    int stack[MAXD], depth = 0, seen_ret = 0;
    gk_status st = GK_OK;
    for (int i = 0; i < t->nops && st == GK_OK; i++) {
        const gk_trace_op *o = &t->ops[i];
        int cur = depth ? stack[depth - 1] : -1;
        scope[i] = cur;
        if (o->op >= GK_OP_COUNT) {
            st = BAD("op %d: unknown operation %u", i, o->op);
            break;
        }
        if (seen_ret) {
            st = BAD("op %d after ret", i);
            break;
        }
        int k = gk_trace_op_arity[o->op];
        const int32_t opnd[3] = {o->a, o->b, o->c};
        int ty[3] = {0, 0, 0};
        for (int j = 0; j < k; j++) {
            int v = opnd[j];
            if (v < 0 || v >= i) {
                st = BAD("op %d: operand %d undefined", i, v);
                break;
            }
            /* a value is visible where its defining loop is open */
            int s = scope[v], ok = s < 0;
            for (int d = 0; d < depth && !ok; d++)
                ok = stack[d] == s;
            /* a PHI reads the values its IF's arms defined */
            if (!ok && o->op == GK_OP_PHI && j < 2 && o->c >= 0 && o->c < i && t->ops[o->c].op == GK_OP_IF &&
                endif_of[o->c] > v && v > o->c)
                ok = 1;
            if (!ok && !(o->op == GK_OP_ACCOUT && j == 0)) {
                st = BAD("op %d: operand %d defined in a closed loop", i, v);
                break;
            }
            ty[j] = t->ops[v].type;
        }
        if (st != GK_OK)
            break;
        int rt = o->type;
        switch (o->op) {
        case GK_OP_ARG: {
            if (o->imm >= (uint64_t)t->sig.nargs) {
                st = BAD("op %d: argument %llu out of range", i, (unsigned long long)o->imm);
                break;
            }
            gk_arg_kind ak = t->sig.args[o->imm];
            if (!((ak == GK_ARG_F32 && rt == GK_T_F32) || (ak == GK_ARG_I64 && rt == GK_T_I64)))
                st = BAD("op %d: argument %llu has another kind", i, (unsigned long long)o->imm);
            break;
        }
        case GK_OP_CONST:
            if (rt != GK_T_F32 && rt != GK_T_F64 && rt != GK_T_I64)
                st = BAD("op %d: bad constant type", i);
            break;
        case GK_OP_LOAD:
        case GK_OP_STORE: {
            int store = o->op == GK_OP_STORE;
            if (o->imm >= (uint64_t)t->sig.nargs) {
                st = BAD("op %d: array %llu out of range", i, (unsigned long long)o->imm);
                break;
            }
            gk_arg_kind ak = t->sig.args[o->imm];
            if (!(ak == GK_ARG_PTR_OUT || (!store && ak == GK_ARG_PTR_IN)))
                st = BAD("op %d: argument %llu is not a %s array", i, (unsigned long long)o->imm,
                         store ? "output" : "");
            else if (ty[0] != GK_T_I64 || (store && ty[1] != GK_T_F32) || (!store && rt != GK_T_F32))
                st = BAD("op %d: bad types", i);
            break;
        }
        case GK_OP_LOOP:
            if (ty[0] != GK_T_I64 || rt != GK_T_I64 || depth == MAXD)
                st = BAD("op %d: bad loop", i);
            else
                stack[depth++] = i;
            break;
        case GK_OP_END:
            if (!depth || o->imm != (uint64_t)stack[depth - 1] || t->ops[stack[depth - 1]].op != GK_OP_LOOP)
                st = BAD("op %d: end without its loop", i);
            else
                depth--;
            break;
        case GK_OP_IF:
            if ((ty[0] != GK_T_F32 && ty[0] != GK_T_F64 && ty[0] != GK_T_I64) || rt != GK_T_I64 || depth == MAXD ||
                o->imm > 1)
                st = BAD("op %d: bad if", i);
            else
                stack[depth++] = i;
            break;
        case GK_OP_ELSE:
            if (!depth || o->imm != (uint64_t)stack[depth - 1] || t->ops[stack[depth - 1]].op != GK_OP_IF)
                st = BAD("op %d: else without its if", i);
            else
                stack[depth - 1] = i;
            break;
        case GK_OP_ENDIF:
            if (!depth || t->ops[stack[depth - 1]].op != GK_OP_ELSE || t->ops[stack[depth - 1]].imm != o->imm)
                st = BAD("op %d: endif without its else", i);
            else {
                endif_of[o->imm] = i;
                depth--;
            }
            break;
        case GK_OP_PHI:
            if (t->ops[o->c].op != GK_OP_IF || endif_of[o->c] < 0 || ty[0] != ty[1] || rt != ty[0])
                st = BAD("op %d: bad phi", i);
            break;
        case GK_OP_ACC:
            if (!depth || o->imm != (uint64_t)cur || ty[0] != rt || rt == GK_T_VOID)
                st = BAD("op %d: bad accumulator", i);
            break;
        case GK_OP_NEXT:
            if (t->ops[o->a].op != GK_OP_ACC || ty[1] != ty[0] || (int)t->ops[o->a].imm != cur)
                st = BAD("op %d: bad next", i);
            break;
        case GK_OP_ACCOUT:
            if (t->ops[o->a].op != GK_OP_ACC || rt != ty[0])
                st = BAD("op %d: bad accout", i);
            else {
                int loop = (int)t->ops[o->a].imm; /* the loop must be closed and a child of here */
                if (scope[loop] != cur || t->ops[loop].op != GK_OP_LOOP)
                    st = BAD("op %d: accout outside its loop's parent", i);
                for (int d = 0; d < depth && st == GK_OK; d++)
                    if (stack[d] == loop)
                        st = BAD("op %d: accout inside its loop", i);
            }
            break;
        case GK_OP_RET:
            if (depth || ty[0] != GK_T_F32 || t->sig.ret != GK_ARG_F32)
                st = BAD("op %d: bad ret", i);
            seen_ret = 1;
            break;
        case GK_OP_CMP:
            if (!is_float(ty[0]) || ty[1] != ty[0] || rt != ty[0])
                st = BAD("op %d: bad compare", i);
            break;
        case GK_OP_CVT:
            if (!is_float(rt) || ty[0] == rt || ty[0] == GK_T_VOID)
                st = BAD("op %d: bad conversion", i);
            break;
        case GK_OP_CVTI:
            if (!is_float(ty[0]) || rt != GK_T_I64)
                st = BAD("op %d: bad conversion", i);
            break;
        case GK_OP_BITCAST:
            if (!((is_float(ty[0]) && rt == GK_T_I64) || (ty[0] == GK_T_I64 && is_float(rt))))
                st = BAD("op %d: bad bitcast", i);
            break;
        default:
            if (o->op >= GK_OP_IADD) {
                for (int j = 0; j < k; j++)
                    if (ty[j] != GK_T_I64)
                        st = BAD("op %d: integer operation on a non-integer", i);
                if (rt != GK_T_I64)
                    st = BAD("op %d: integer operation with a non-integer result", i);
            } else {
                if (!is_float(rt))
                    st = BAD("op %d: float operation with a non-float result", i);
                for (int j = 0; j < k; j++)
                    if (ty[j] != rt)
                        st = BAD("op %d: operand type mismatch", i);
            }
        }
    }
    if (st == GK_OK && depth)
        st = BAD("unterminated loop");
    if (st == GK_OK && (t->sig.ret == GK_ARG_F32) != seen_ret)
        st = BAD("return value does not match the signature");
    free(scope);
    return st;
}

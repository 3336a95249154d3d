/* The readable form of a trace (`gk trace <op>`, docs/JIT.md): the pattern and signature,
 * then one SSA operation per line, indented by loop depth; each loop is annotated with its
 * stage kind (map, reduction with its combine operation and identity, or both). */
#include <inttypes.h>
#include <string.h>

#include "jit/trace/trace.h"
#include "runtime/error.h"

static const char *type_name(int ty)
{
    switch (ty) {
    case GK_T_F32: return "f32";
    case GK_T_F64: return "f64";
    case GK_T_I64: return "i64";
    default: return "";
    }
}

static const char *kind_name(gk_arg_kind k)
{
    static const char *const n[] = {"void", "f32", "i64", "in", "out"};
    return (unsigned)k <= GK_ARG_PTR_OUT ? n[k] : "?";
}

/* combine operation of an accumulator: the op of its NEXT value when one operand is the ACC */
static const char *combine(const struct gk_op_trace *t, int acc, int end, const char **identity)
{
    for (int i = acc + 1; i < end; i++) {
        const gk_trace_op *o = &t->ops[i];
        if (o->op != GK_OP_NEXT || o->a != acc)
            continue;
        const gk_trace_op *v = &t->ops[o->b];
        if (v->op == GK_OP_FMA && v->c == acc) {
            *identity = "0";
            return "add";
        }
        if (gk_trace_op_arity[v->op] == 2 && (v->a == acc || v->b == acc)) {
            switch (v->op) {
            case GK_OP_ADD: *identity = "0"; return "add";
            case GK_OP_MUL: *identity = "1"; return "mul";
            case GK_OP_MAX: case GK_OP_FMAX: *identity = "-inf"; return "max";
            case GK_OP_MIN: case GK_OP_FMIN: *identity = "+inf"; return "min";
            }
        }
        if (v->op == GK_OP_SELECT && t->ops[v->a].op == GK_OP_CMP && (v->b == acc || v->c == acc)) {
            *identity = "-inf/+inf";
            return "select (max/min-like)";
        }
    }
    *identity = "-";
    return "recurrence";
}

gk_status gk_trace_print(const struct gk_op_trace *t, FILE *f)
{
    if (!t || !f)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_print: NULL argument");
    fprintf(f, "pattern: %s", gk_trace_pattern(t));
    if (t->pattern == GK_PAT_ELEMENTWISE)
        fprintf(f, " (%d input%s)", t->arity, t->arity == 1 ? "" : "s");
    fprintf(f, "\nsignature: %s (", kind_name(t->sig.ret));
    for (int j = 0; j < t->sig.nargs; j++)
        fprintf(f, "%s%s", j ? ", " : "", kind_name(t->sig.args[j]));
    fprintf(f, ")\n");
    int depth = 0, stage = 0, end_of[16] = {0};
    for (int i = 0; i < t->nops; i++) {
        const gk_trace_op *o = &t->ops[i];
        if (o->op == GK_OP_END || o->op == GK_OP_ENDIF || o->op == GK_OP_ELSE)
            depth--;
        fprintf(f, "%*s", 2 + 2 * depth, "");
        switch (o->op) {
        case GK_OP_STORE:
            fprintf(f, "store arg%" PRIu64 "[%%%d] = %%%d\n", o->imm, o->a, o->b);
            break;
        case GK_OP_NEXT:
            fprintf(f, "next %%%d = %%%d\n", o->a, o->b);
            break;
        case GK_OP_END:
            fprintf(f, "end %%%" PRIu64 "\n", o->imm);
            break;
        case GK_OP_IF:
            fprintf(f, "%%%d = if %s%%%d\n", i, o->imm ? "not " : "", o->a);
            depth++;
            break;
        case GK_OP_ELSE:
            fprintf(f, "else    ; of %%%" PRIu64 "\n", o->imm);
            depth++;
            break;
        case GK_OP_ENDIF:
            fprintf(f, "endif   ; of %%%" PRIu64 "\n", o->imm);
            break;
        case GK_OP_RET:
            fprintf(f, "ret %%%d\n", o->a);
            break;
        case GK_OP_LOOP: {
            int end = i, d = 0, accs = 0, sts = 0;
            for (int j = i; j < t->nops; j++) {
                d += t->ops[j].op == GK_OP_LOOP;
                d -= t->ops[j].op == GK_OP_END;
                accs += d == 1 && t->ops[j].op == GK_OP_ACC;
                sts += t->ops[j].op == GK_OP_STORE;
                if (d == 0) {
                    end = j;
                    break;
                }
            }
            if (depth < 16)
                end_of[depth] = end;
            fprintf(f, "%%%d = loop %%%d", i, o->a);
            if (depth == 0)
                fprintf(f, "    ; stage %d: %s", ++stage, accs && sts ? "map + reduction" : accs ? "reduction" : "map");
            fprintf(f, "\n");
            depth++;
            break;
        }
        case GK_OP_ACC: {
            const char *id;
            const char *c = combine(t, i, depth > 0 && depth <= 16 ? end_of[depth - 1] : t->nops, &id);
            fprintf(f, "%%%d = acc.%s %%%d    ; combine %s, identity %s\n", i, type_name(o->type), o->a, c, id);
            break;
        }
        default: {
            fprintf(f, "%%%d = %s.%s", i, gk_trace_op_names[o->op], type_name(o->type));
            int k = gk_trace_op_arity[o->op];
            if (o->op == GK_OP_LOAD)
                fprintf(f, " arg%" PRIu64 "[%%%d]", o->imm, o->a);
            else {
                const int32_t src[3] = {o->a, o->b, o->c};
                for (int j = 0; j < k; j++)
                    fprintf(f, " %%%d", src[j]);
            }
            if (o->op == GK_OP_CONST) {
                if (o->type == GK_T_F32) {
                    float x;
                    uint32_t b = (uint32_t)o->imm;
                    memcpy(&x, &b, 4);
                    fprintf(f, " %.9g (0x%08" PRIx32 ")", (double)x, b);
                } else if (o->type == GK_T_F64) {
                    double x;
                    memcpy(&x, &o->imm, 8);
                    fprintf(f, " %.17g", x);
                } else
                    fprintf(f, " %" PRId64, (int64_t)o->imm);
            } else if (o->op == GK_OP_ARG)
                fprintf(f, " #%" PRIu64, o->imm);
            else if (o->op == GK_OP_CMP) {
                static const char *const rel[] = {"lt", "eq", "gt", "uno"};
                fprintf(f, " {");
                for (int b = 0, first = 1; b < 4; b++)
                    if (o->imm & (1u << b)) {
                        fprintf(f, "%s%s", first ? "" : ",", rel[b]);
                        first = 0;
                    }
                fprintf(f, "}");
            } else if (o->op == GK_OP_ROUND || o->op == GK_OP_CVTI || o->op == GK_OP_SEXT || o->op == GK_OP_ZEXT ||
                       (o->op == GK_OP_CVT && o->imm) || (o->op >= GK_OP_IDIV && o->imm == 32))
                fprintf(f, " imm=%" PRIu64, o->imm);
            fprintf(f, "\n");
        }
        }
    }
    return GK_OK;
}

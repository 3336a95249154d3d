/* The trace interpreter: evaluates any (validated) OpTrace on real arguments with the same
 * IEEE operations in the same order as the traced machine code, so the result is bitwise that
 * of the function wherever the trace keeps its operations (libm calls are evaluated by this
 * process's libm, the one the function calls). x86-specific semantics (minss/maxss operand
 * order, rsqrtss/rcpss approximations, cvt* out-of-range results, shift-count masking) are
 * reproduced with the same instructions. Compiled with -ffp-contract=off. */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jit/trace/trace.h"
#include "runtime/error.h"

typedef union {
    float f;
    double d;
    int64_t i;
    uint64_t u;
} val;

typedef struct {
    const struct gk_op_trace *t;
    val *v;
    val *next;      /* NEXT values, applied at the end of an iteration */
    int32_t *match; /* LOOP -> its END */
    float *ptr[8];
    int64_t len[8];
} interp;

static uint64_t bits_of(const val *x, int ty) { return ty == GK_T_F32 ? (uint64_t)(uint32_t)x->u : x->u; }

static val from_bits(uint64_t b, int ty)
{
    val r;
    r.u = 0;
    if (ty == GK_T_F32)
        r.u = (uint32_t)b;
    else
        r.u = b;
    return r;
}

/* relation of a and b as one of the CMP predicate bits */
static unsigned rel_bit(double a, double b)
{
    if (a < b)
        return 1;
    if (a == b)
        return 2;
    if (a > b)
        return 4;
    return 8;
}

static float unary_f(int op, float x, uint64_t imm)
{
    switch (op) {
    case GK_OP_NEG: return -x;
    case GK_OP_ABS: return fabsf(x);
    case GK_OP_SQRT: return sqrtf(x);
    case GK_OP_RSQRT: return _mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(x)));
    case GK_OP_RECIP: return _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(x)));
    case GK_OP_EXP: return expf(x);
    case GK_OP_EXP2: return exp2f(x);
    case GK_OP_EXPM1: return expm1f(x);
    case GK_OP_LOG: return logf(x);
    case GK_OP_LOG1P: return log1pf(x);
    case GK_OP_TANH: return tanhf(x);
    case GK_OP_ERF: return erff(x);
    case GK_OP_SIN: return sinf(x);
    case GK_OP_COS: return cosf(x);
    case GK_OP_ROUND:
        switch (imm & 3) {
        case 0: return nearbyintf(x);
        case 1: return floorf(x);
        case 2: return ceilf(x);
        default: return truncf(x);
        }
    }
    return x;
}

static double unary_d(int op, double x, uint64_t imm)
{
    switch (op) {
    case GK_OP_NEG: return -x;
    case GK_OP_ABS: return fabs(x);
    case GK_OP_SQRT: return sqrt(x);
    case GK_OP_RSQRT: return 1.0 / sqrt(x);
    case GK_OP_RECIP: return 1.0 / x;
    case GK_OP_EXP: return exp(x);
    case GK_OP_EXP2: return exp2(x);
    case GK_OP_EXPM1: return expm1(x);
    case GK_OP_LOG: return log(x);
    case GK_OP_LOG1P: return log1p(x);
    case GK_OP_TANH: return tanh(x);
    case GK_OP_ERF: return erf(x);
    case GK_OP_SIN: return sin(x);
    case GK_OP_COS: return cos(x);
    case GK_OP_ROUND:
        switch (imm & 3) {
        case 0: return nearbyint(x);
        case 1: return floor(x);
        case 2: return ceil(x);
        default: return trunc(x);
        }
    }
    return x;
}

static float binary_f(int op, float a, float b)
{
    switch (op) {
    case GK_OP_ADD: return a + b;
    case GK_OP_SUB: return a - b;
    case GK_OP_MUL: return a * b;
    case GK_OP_DIV: return a / b;
    case GK_OP_MIN: return a < b ? a : b;
    case GK_OP_MAX: return a > b ? a : b;
    case GK_OP_FMIN: return fminf(a, b);
    case GK_OP_FMAX: return fmaxf(a, b);
    case GK_OP_POW: return powf(a, b);
    }
    return a;
}

static double binary_d(int op, double a, double b)
{
    switch (op) {
    case GK_OP_ADD: return a + b;
    case GK_OP_SUB: return a - b;
    case GK_OP_MUL: return a * b;
    case GK_OP_DIV: return a / b;
    case GK_OP_MIN: return a < b ? a : b;
    case GK_OP_MAX: return a > b ? a : b;
    case GK_OP_FMIN: return fmin(a, b);
    case GK_OP_FMAX: return fmax(a, b);
    case GK_OP_POW: return pow(a, b);
    }
    return a;
}

static uint64_t width_mask(uint64_t w) { return w == 32 ? 0xffffffffull : ~0ull; }

static gk_status int_op(int op, uint64_t a, uint64_t b, uint64_t w, uint64_t *r)
{
    uint64_t m = width_mask(w);
    unsigned sh = (unsigned)(b & (w == 32 ? 31 : 63));
    switch (op) {
    case GK_OP_IADD: *r = a + b; return GK_OK;
    case GK_OP_ISUB: *r = a - b; return GK_OK;
    case GK_OP_IMUL: *r = a * b; return GK_OK;
    case GK_OP_IAND: *r = (a & b) & m; return GK_OK;
    case GK_OP_IOR: *r = (a | b) & m; return GK_OK;
    case GK_OP_IXOR: *r = (a ^ b) & m; return GK_OK;
    case GK_OP_ISHL: *r = (a << sh) & m; return GK_OK;
    case GK_OP_ISHR: *r = (a & m) >> sh; return GK_OK;
    case GK_OP_ISAR:
        if (w == 32)
            *r = (uint32_t)((int32_t)(uint32_t)a >> sh);
        else
            *r = (uint64_t)((int64_t)a >> sh);
        return GK_OK;
    case GK_OP_IDIV:
    case GK_OP_IREM: {
        int64_t x = w == 32 ? (int32_t)(uint32_t)a : (int64_t)a;
        int64_t y = w == 32 ? (int32_t)(uint32_t)b : (int64_t)b;
        int64_t lo = w == 32 ? INT32_MIN : INT64_MIN;
        if (y == 0 || (x == lo && y == -1))
            return gk_fail(GK_ERR_INVALID_ARG, "trace eval: integer division by zero or overflow");
        *r = (uint64_t)(op == GK_OP_IDIV ? x / y : x % y) & m;
        return GK_OK;
    }
    }
    return gk_fail(GK_ERR_INTERNAL, "trace eval: unknown integer operation %d", op);
}

static gk_status cvt_to_int(const gk_trace_op *o, val x, int srcty, uint64_t *r)
{
    int nearest = o->imm & 1, w32 = (o->imm & 2) != 0;
    __m128 s = _mm_set_ss(x.f);
    __m128d d = _mm_set_sd(x.d);
    if (srcty == GK_T_F32) {
        if (w32)
            *r = (uint32_t)(nearest ? _mm_cvtss_si32(s) : _mm_cvttss_si32(s));
        else
            *r = (uint64_t)(nearest ? _mm_cvtss_si64(s) : _mm_cvttss_si64(s));
    } else {
        if (w32)
            *r = (uint32_t)(nearest ? _mm_cvtsd_si32(d) : _mm_cvttsd_si32(d));
        else
            *r = (uint64_t)(nearest ? _mm_cvtsd_si64(d) : _mm_cvttsd_si64(d));
    }
    return GK_OK;
}

static gk_status run(interp *in, int from, int to);

static gk_status run_loop(interp *in, int pc)
{
    const gk_trace_op *ops = in->t->ops;
    int end = in->match[pc];
    int64_t trip = in->v[ops[pc].a].i;
    for (int64_t it = 0; it < trip; it++) {
        in->v[pc].i = it;
        GK_TRY(run(in, pc + 1, end));
        /* NEXT ops of this loop take effect together at the end of the iteration */
        for (int j = pc + 1; j < end; j++) {
            if (ops[j].op == GK_OP_LOOP) {
                j = in->match[j];
                continue;
            }
            if (ops[j].op == GK_OP_NEXT)
                in->v[ops[j].a] = in->next[j];
        }
    }
    /* a loop that never runs leaves its accumulators at their initial values */
    if (trip <= 0)
        for (int j = pc + 1; j < end; j++) {
            if (ops[j].op == GK_OP_LOOP) {
                j = in->match[j];
                continue;
            }
            if (ops[j].op == GK_OP_ACC)
                in->v[j] = in->v[ops[j].a];
        }
    return GK_OK;
}

static gk_status run(interp *in, int from, int to)
{
    const gk_trace_op *ops = in->t->ops;
    val *v = in->v;
    for (int pc = from; pc < to; pc++) {
        const gk_trace_op *o = &ops[pc];
        int ty = o->type;
        val r;
        r.u = 0;
        switch (o->op) {
        case GK_OP_ARG: /* set by the caller */
            continue;
        case GK_OP_CONST:
            r = from_bits(o->imm, ty);
            break;
        case GK_OP_LOAD:
        case GK_OP_STORE: {
            int64_t idx = v[o->a].i;
            int arr = (int)o->imm;
            if (idx < 0 || idx >= in->len[arr])
                return gk_fail(GK_ERR_INVALID_ARG, "trace eval: op %d accesses element %lld of argument %d (%lld elements)",
                               pc, (long long)idx, arr, (long long)in->len[arr]);
            if (o->op == GK_OP_STORE) {
                in->ptr[arr][idx] = v[o->b].f;
                continue;
            }
            r.f = in->ptr[arr][idx];
            break;
        }
        case GK_OP_LOOP:
            GK_TRY(run_loop(in, pc));
            pc = in->match[pc];
            continue;
        case GK_OP_END:
        case GK_OP_RET:
        case GK_OP_ENDIF:
            continue;
        case GK_OP_IF: {
            int ct = ops[o->a].type;
            uint64_t b = bits_of(&v[o->a], ct);
            int holds = ct == GK_T_I64 ? b != 0 : ct == GK_T_F32 ? (int)((b >> 31) & 1) : (int)(b >> 63);
            int taken = holds ^ (int)(o->imm & 1);
            int els = in->match[pc], end = in->match[els];
            v[pc].i = taken;
            GK_TRY(taken ? run(in, pc + 1, els) : run(in, els + 1, end));
            pc = end;
            continue;
        }
        case GK_OP_ELSE: /* reached only through IF */
            continue;
        case GK_OP_PHI:
            r = v[o->c].i ? v[o->a] : v[o->b];
            break;
        case GK_OP_ACC:
            if (v[o->imm].i == 0)
                v[pc] = v[o->a];
            continue;
        case GK_OP_NEXT:
            in->next[pc] = v[o->b];
            continue;
        case GK_OP_ACCOUT:
            r = v[o->a];
            break;
        case GK_OP_FMA:
            if (ty == GK_T_F32)
                r.f = fmaf(v[o->a].f, v[o->b].f, v[o->c].f);
            else
                r.d = fma(v[o->a].d, v[o->b].d, v[o->c].d);
            break;
        case GK_OP_CMP: {
            unsigned bit = ty == GK_T_F32 ? rel_bit(v[o->a].f, v[o->b].f) : rel_bit(v[o->a].d, v[o->b].d);
            r = from_bits((o->imm & bit) ? ~0ull : 0, ty);
            break;
        }
        case GK_OP_SELECT: {
            uint64_t m = bits_of(&v[o->a], ty);
            int sign = (int)(ty == GK_T_F32 ? (m >> 31) & 1 : m >> 63);
            r = sign ? v[o->b] : v[o->c];
            break;
        }
        case GK_OP_AND:
        case GK_OP_ANDN:
        case GK_OP_OR:
        case GK_OP_XOR: {
            uint64_t a = bits_of(&v[o->a], ty), b = bits_of(&v[o->b], ty);
            uint64_t x = o->op == GK_OP_AND ? a & b : o->op == GK_OP_ANDN ? ~a & b : o->op == GK_OP_OR ? a | b : a ^ b;
            r = from_bits(x, ty);
            break;
        }
        case GK_OP_CVT: {
            int st = ops[o->a].type;
            val x = v[o->a];
            if (st == GK_T_I64) {
                int64_t iv = o->imm == 32 ? (int32_t)(uint32_t)x.u : x.i;
                if (ty == GK_T_F32)
                    r.f = (float)iv;
                else
                    r.d = (double)iv;
            } else if (ty == GK_T_F32)
                r.f = (float)x.d;
            else
                r.d = (double)x.f;
            break;
        }
        case GK_OP_CVTI:
            GK_TRY(cvt_to_int(o, v[o->a], ops[o->a].type, &r.u));
            break;
        case GK_OP_BITCAST:
            if (ty == GK_T_I64)
                r.u = bits_of(&v[o->a], ops[o->a].type);
            else
                r = from_bits(v[o->a].u, ty);
            break;
        case GK_OP_SEXT: {
            unsigned w = (unsigned)o->imm;
            r.u = w >= 64 ? v[o->a].u : (uint64_t)((int64_t)(v[o->a].u << (64 - w)) >> (64 - w));
            break;
        }
        case GK_OP_ZEXT: {
            unsigned w = (unsigned)o->imm;
            r.u = w >= 64 ? v[o->a].u : v[o->a].u & ((1ull << w) - 1);
            break;
        }
        default:
            if (o->op >= GK_OP_IADD) {
                GK_TRY(int_op(o->op, v[o->a].u, v[o->b].u, o->imm, &r.u));
            } else if (gk_trace_op_arity[o->op] == 1) {
                if (ty == GK_T_F32)
                    r.f = unary_f(o->op, v[o->a].f, o->imm);
                else
                    r.d = unary_d(o->op, v[o->a].d, o->imm);
            } else if (ty == GK_T_F32)
                r.f = binary_f(o->op, v[o->a].f, v[o->b].f);
            else
                r.d = binary_d(o->op, v[o->a].d, v[o->b].d);
        }
        v[pc] = r;
    }
    return GK_OK;
}

static gk_status interp_init(interp *in, const struct gk_op_trace *t)
{
    memset(in, 0, sizeof *in);
    in->t = t;
    size_t n = (size_t)(t->nops ? t->nops : 1);
    in->v = calloc(n, sizeof *in->v);
    in->next = calloc(n, sizeof *in->next);
    in->match = malloc(n * sizeof *in->match);
    if (!in->v || !in->next || !in->match) {
        free(in->v);
        free(in->next);
        free(in->match);
        return gk_fail(GK_ERR_NO_MEMORY, "trace eval: out of memory");
    }
    /* LOOP -> END, IF -> ELSE, ELSE -> ENDIF */
    int stack[16], depth = 0;
    for (int i = 0; i < t->nops; i++) {
        int op = t->ops[i].op;
        if ((op == GK_OP_LOOP || op == GK_OP_IF) && depth < 16)
            stack[depth++] = i;
        else if ((op == GK_OP_END || op == GK_OP_ENDIF) && depth > 0)
            in->match[stack[--depth]] = i;
        else if (op == GK_OP_ELSE && depth > 0) {
            in->match[stack[depth - 1]] = i;
            stack[depth - 1] = i;
        }
    }
    return GK_OK;
}

static void interp_fini(interp *in)
{
    free(in->v);
    free(in->next);
    free(in->match);
}

/* bind the arguments, run, fetch the return value */
static gk_status interp_call(interp *in, const gk_trace_arg *args, float *ret)
{
    const struct gk_op_trace *t = in->t;
    for (int j = 0; j < t->sig.nargs; j++) {
        gk_arg_kind k = t->sig.args[j];
        if (k == GK_ARG_PTR_IN || k == GK_ARG_PTR_OUT) {
            if (!args[j].p && args[j].len > 0)
                return gk_fail(GK_ERR_INVALID_ARG, "trace eval: argument %d is NULL", j);
            in->ptr[j] = (float *)(uintptr_t)args[j].p;
            in->len[j] = args[j].len < 0 ? 0 : args[j].len;
        }
    }
    for (int i = 0; i < t->nops; i++)
        if (t->ops[i].op == GK_OP_ARG) {
            int j = (int)t->ops[i].imm;
            if (t->sig.args[j] == GK_ARG_F32)
                in->v[i].f = args[j].f;
            else
                in->v[i].i = args[j].i;
        }
    GK_TRY(run(in, 0, t->nops));
    if (t->sig.ret == GK_ARG_F32 && ret)
        *ret = in->v[t->ops[t->nops - 1].a].f;
    return GK_OK;
}

gk_status gk_trace_eval_call(const struct gk_op_trace *t, const gk_trace_arg *args, float *ret)
{
    if (!t || (!args && t->sig.nargs > 0))
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval_call: NULL trace or arguments");
    interp in;
    GK_TRY(interp_init(&in, t));
    gk_status s = interp_call(&in, args, ret);
    interp_fini(&in);
    return s;
}

gk_status gk_trace_eval(const struct gk_op_trace *t, int64_t n, const float *const *in, float *const *out,
                        const float *params)
{
    if (!t || n < 0)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: NULL trace or negative n");
    const gk_fn_sig *s = &t->sig;
    int nf = 0, ni = 0, nout = 0;
    for (int j = 0; j < s->nargs; j++) {
        nf += s->args[j] == GK_ARG_F32;
        ni += s->args[j] == GK_ARG_I64;
        nout += s->args[j] == GK_ARG_PTR_OUT;
    }
    gk_trace_arg args[8];
    memset(args, 0, sizeof args);
    interp ip;
    if (nf == s->nargs && s->ret == GK_ARG_F32) {
        if (n == 0)
            return GK_OK;
        if ((!in && nf) || !out || !out[0])
            return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: NULL arrays");
        for (int j = 0; j < nf; j++)
            if (!in[j])
                return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: input %d is NULL", j);
        GK_TRY(interp_init(&ip, t));
        gk_status st = GK_OK;
        for (int64_t e = 0; e < n && st == GK_OK; e++) {
            for (int j = 0; j < nf; j++)
                args[j].f = in[j][e];
            st = interp_call(&ip, args, &out[0][e]);
        }
        interp_fini(&ip);
        return st;
    }
    if (ni != 1)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: the function takes %d integer arguments; use gk_trace_eval_call", ni);
    int kin = 0, kout = 0, kp = 0;
    for (int j = 0; j < s->nargs; j++) {
        switch (s->args[j]) {
        case GK_ARG_PTR_IN:
            if (!in || !in[kin])
                return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: input array %d is NULL", kin);
            args[j].p = in[kin++];
            args[j].len = n;
            break;
        case GK_ARG_PTR_OUT:
            if (!out || !out[kout])
                return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: output array %d is NULL", kout);
            args[j].p = out[kout++];
            args[j].len = n;
            break;
        case GK_ARG_F32:
            if (!params)
                return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: params is NULL");
            args[j].f = params[kp++];
            break;
        case GK_ARG_I64: args[j].i = n; break;
        default: return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: bad argument kind");
        }
    }
    float r = 0;
    GK_TRY(gk_trace_eval_call(t, args, &r));
    if (s->ret == GK_ARG_F32) {
        if (!out || !out[nout])
            return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_eval: no array for the return value");
        out[nout][0] = r;
    }
    return GK_OK;
}

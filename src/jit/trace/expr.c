/* The symbolic expression graph of one analysis: hash-consed nodes (equal expressions are one
 * node, so "did this register change in the loop" is an id comparison) with the local rewrites
 * that turn x86 idioms into trace operations (xor sign mask -> neg, and mask -> abs, compare +
 * and/andn/or -> select, select of a compare's operands -> min/max). Integers are polynomials
 * over atoms (arguments, array bases, the stack pointer, loop indices, opaque integer ops), so
 * that induction variables, affine addresses and trip counts are exact symbolic arithmetic. */
#include <stdlib.h>
#include <string.h>

#include "jit/trace/sym.h"

#define HBITS 11
#define HSIZE (1u << HBITS)
/* initial capacities (both double): the built-ins need 10-300 nodes */
#define NODE0 256
#define POLY0 128

gk_status gk_expr_init(gk_sym *s)
{
    /* buffers a previous analysis on this thread left (gk_symexec) are reused */
    if (!s->node) {
        s->node = malloc(sizeof *s->node * NODE0);
        s->nodecap = NODE0;
    }
    if (!s->htab)
        s->htab = malloc(sizeof *s->htab * HSIZE);
    if (!s->poly) {
        s->poly = malloc(sizeof *s->poly * POLY0);
        s->polycap = POLY0;
    }
    if (!s->node || !s->htab || !s->poly)
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    memset(s->htab, 0xff, sizeof *s->htab * HSIZE);
    memset(s->small_int, 0xff, sizeof s->small_int);
    s->nnode = 1; /* id 0 means "no atom" in polynomial terms */
    memset(&s->node[0], 0, sizeof s->node[0]);
    s->npoly = 0;
    return GK_OK;
}

void *gk_sym_grow(void *buf, int *cap, size_t size, int need, int max)
{
    int c = *cap;
    while (need > c) {
        if (c >= max)
            return NULL;
        c *= 2;
    }
    if (c == *cap)
        return buf;
    void *n = realloc(buf, size * (size_t)c);
    if (n)
        *cap = c;
    return n;
}

void gk_expr_fini(gk_sym *s)
{
    free(s->node);
    free(s->htab);
    free(s->poly);
}

int gk_x_scope_depth(const gk_sym *s, int scope) { return scope < 0 ? 0 : s->loop[scope].depth; }

static int deeper(const gk_sym *s, int a, int b) { return gk_x_scope_depth(s, a) >= gk_x_scope_depth(s, b) ? a : b; }

static uint32_t hash_node(const gk_node *n, const gk_poly *p)
{
    /* independent multiplies (one dependent multiply per polynomial term), then a final mix:
     * interning is the executor's most frequent operation */
    uint64_t h = ((uint64_t)n->op | (uint64_t)n->type << 16 | (uint64_t)n->w32 << 24 | (uint64_t)(uint32_t)n->scope << 32) *
                     0x9e3779b97f4a7c15ull ^
                 ((uint64_t)(uint32_t)n->a | (uint64_t)(uint32_t)n->b << 32) * 0xc2b2ae3d27d4eb4full ^
                 (uint64_t)(uint32_t)n->c * 0x165667b19e3779f9ull ^ n->imm * 0x27d4eb2f165667c5ull;
    if (p)
        for (int i = 0; i < p->n; i++)
            h = (h ^ (uint64_t)p->t[i].c * 0x85ebca77c2b2ae63ull ^
                 ((uint64_t)(uint32_t)p->t[i].at[0] | (uint64_t)(uint32_t)p->t[i].at[1] << 32) * 0xff51afd7ed558ccdull ^
                 (uint64_t)(uint32_t)p->t[i].at[2] * 0xc4ceb9fe1a85ec53ull) * 0x9e3779b97f4a7c15ull;
    /* murmur3 fmix64: the high bits reach the low ones the table uses */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)h & (HSIZE - 1);
}

/* only the terms in use (a whole gk_poly is 200 bytes, most use one or two terms) */
static void poly_copy(gk_poly *d, const gk_poly *p)
{
    d->n = p->n;
    memcpy(d->t, p->t, sizeof p->t[0] * (size_t)p->n);
}

/* field by field: gk_pterm has padding that memcmp would compare */
static int same_poly(const gk_poly *a, const gk_poly *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->t[i].c != b->t[i].c || a->t[i].at[0] != b->t[i].at[0] || a->t[i].at[1] != b->t[i].at[1] ||
            a->t[i].at[2] != b->t[i].at[2])
            return 0;
    return 1;
}

/* Find or add a node; p is the polynomial of a GK_X_POLY node. -1 when the graph is full. */
static int32_t intern(gk_sym *s, gk_node *n, const gk_poly *p)
{
    uint32_t h = hash_node(n, p);
    for (int32_t i = s->htab[h]; i >= 0; i = s->node[i].hnext) {
        gk_node *o = &s->node[i];
        if (o->op == n->op && o->type == n->type && o->w32 == n->w32 && o->a == n->a && o->b == n->b && o->c == n->c &&
            o->imm == n->imm && o->scope == n->scope && (!p || same_poly(&s->poly[o->poly], p)))
            return i;
    }
    gk_poly pl; /* p may point into s->poly, which may move below */
    if (p) {
        poly_copy(&pl, p);
        p = &pl;
    }
    if (s->nnode >= GK_SYM_MAX_NODES)
        return -1;
    if (s->nnode == s->nodecap) {
        gk_node *nn = gk_sym_grow(s->node, &s->nodecap, sizeof *nn, s->nnode + 1, GK_SYM_MAX_NODES);
        if (!nn)
            return -1;
        s->node = nn;
    }
    if (p) {
        if (s->npoly >= GK_SYM_MAX_POLYS)
            return -1;
        if (s->npoly == s->polycap) {
            gk_poly *np = gk_sym_grow(s->poly, &s->polycap, sizeof *np, s->npoly + 1, GK_SYM_MAX_POLYS);
            if (!np)
                return -1;
            s->poly = np;
        }
        poly_copy(&s->poly[s->npoly], p);
        n->poly = s->npoly++;
    }
    int32_t id = s->nnode++;
    n->hnext = s->htab[h];
    n->emitted = -1;
    n->live = 0;
    n->inner_use = 0;
    s->node[id] = *n;
    s->htab[h] = id;
    return id;
}

static gk_node blank(int op, int type)
{
    gk_node n;
    memset(&n, 0, sizeof n);
    n.op = (uint16_t)op;
    n.type = (uint8_t)type;
    n.a = n.b = n.c = -1;
    n.scope = -1;
    n.poly = -1;
    return n;
}

int32_t gk_x_special(gk_sym *s, int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm, int scope, int64_t wit)
{
    gk_node n = blank(op, type);
    n.a = a;
    n.b = b;
    n.c = c;
    n.imm = imm;
    n.scope = scope;
    n.wit = wit;
    return intern(s, &n, NULL);
}

int32_t gk_x_const(gk_sym *s, int type, uint64_t bits)
{
    gk_node n = blank(GK_OP_CONST, type);
    n.imm = type == GK_T_F32 ? (uint32_t)bits : bits;
    if (type == GK_T_I64) {
        uint64_t k = bits - (uint64_t)(int64_t)GK_SYM_SMALL_MIN;
        if (k < GK_SYM_SMALL_INTS && s->small_int[k] >= 0)
            return s->small_int[k];
        gk_poly p; /* only the terms in use are initialised (see poly_copy) */
        gk_poly_const(&p, (int64_t)bits);
        n = blank(GK_X_POLY, GK_T_I64);
        n.wit = (int64_t)bits;
        int32_t id = intern(s, &n, &p);
        if (k < GK_SYM_SMALL_INTS)
            s->small_int[k] = id;
        return id;
    }
    return intern(s, &n, NULL);
}

int32_t gk_x_int(gk_sym *s, int64_t v) { return gk_x_const(s, GK_T_I64, (uint64_t)v); }

int32_t gk_x_retype(gk_sym *s, int32_t n, int type)
{
    if (n < 0)
        return -1;
    if (s->node[n].type == type)
        return n;
    if (s->node[n].op != GK_OP_CONST || type == GK_T_I64)
        return -1;
    return gk_x_const(s, type, s->node[n].imm);
}

int32_t gk_x_undef(gk_sym *s, uint64_t where)
{
    gk_node n = blank(GK_X_UNDEF, GK_T_VOID);
    n.imm = where;
    return intern(s, &n, NULL);
}

const gk_poly *gk_x_poly(const gk_sym *s, int32_t n)
{
    if (n < 0 || s->node[n].op != GK_X_POLY)
        return NULL;
    return &s->poly[s->node[n].poly];
}

int gk_x_is_const_int(const gk_sym *s, int32_t n, int64_t *v)
{
    const gk_poly *p = gk_x_poly(s, n);
    if (!p)
        return 0;
    if (p->n == 0) {
        *v = 0;
        return 1;
    }
    if (p->n == 1 && p->t[0].at[0] == 0) {
        *v = p->t[0].c;
        return 1;
    }
    return 0;
}

/* ---- polynomials ---- */

static int mono_cmp(const gk_pterm *a, const gk_pterm *b)
{
    for (int k = 0; k < 3; k++)
        if (a->at[k] != b->at[k])
            return a->at[k] < b->at[k] ? -1 : 1;
    return 0;
}

/* add c*mono into p; 0 on overflow */
int gk_x_poly_addterm(gk_poly *p, const gk_pterm *t)
{
    if (t->c == 0)
        return 1;
    int i = 0;
    while (i < p->n && mono_cmp(&p->t[i], t) < 0)
        i++;
    if (i < p->n && mono_cmp(&p->t[i], t) == 0) {
        p->t[i].c = gk_wrap_add(p->t[i].c, t->c);
        if (p->t[i].c == 0) {
            memmove(&p->t[i], &p->t[i + 1], sizeof p->t[0] * (size_t)(p->n - i - 1));
            p->n--;
        }
        return 1;
    }
    if (p->n == 8)
        return 0;
    memmove(&p->t[i + 1], &p->t[i], sizeof p->t[0] * (size_t)(p->n - i));
    p->t[i] = *t;
    p->n++;
    return 1;
}

int gk_x_poly_sub(const gk_poly *a, const gk_poly *b, gk_poly *r)
{
    poly_copy(r, a);
    for (int i = 0; i < b->n; i++) {
        gk_pterm t = b->t[i];
        t.c = gk_wrap_mul(t.c, -1);
        if (!gk_x_poly_addterm(r, &t))
            return 0;
    }
    return 1;
}

static int mono_mul(const gk_pterm *a, const gk_pterm *b, gk_pterm *r)
{
    int32_t at[6];
    int n = 0;
    for (int k = 0; k < 3; k++) {
        if (a->at[k])
            at[n++] = a->at[k];
        if (b->at[k])
            at[n++] = b->at[k];
    }
    if (n > 3)
        return 0;
    for (int i = 1; i < n; i++) /* descending */
        for (int j = i; j > 0 && at[j] > at[j - 1]; j--) {
            int32_t x = at[j];
            at[j] = at[j - 1];
            at[j - 1] = x;
        }
    memset(r->at, 0, sizeof r->at);
    for (int k = 0; k < n; k++)
        r->at[k] = at[k];
    r->c = gk_wrap_mul(a->c, b->c);
    return 1;
}

/* divide a by a one-term divisor d exactly; 0 if not exact */
int gk_x_poly_div_exact(const gk_poly *a, const gk_poly *d, gk_poly *q)
{
    if (d->n != 1 || d->t[0].c == 0)
        return 0;
    const gk_pterm *dt = &d->t[0];
    q->n = 0;
    for (int i = 0; i < a->n; i++) {
        const gk_pterm *t = &a->t[i];
        if ((dt->c == -1 && t->c == INT64_MIN) || t->c % dt->c) /* the quotient would not fit */
            return 0;
        /* remove the divisor's atoms from the term's */
        int32_t at[3] = {t->at[0], t->at[1], t->at[2]};
        for (int k = 0; k < 3 && dt->at[k]; k++) {
            int found = 0;
            for (int j = 0; j < 3 && !found; j++)
                if (at[j] == dt->at[k]) {
                    at[j] = 0;
                    found = 1;
                }
            if (!found)
                return 0;
        }
        gk_pterm r = {t->c / dt->c, {0, 0, 0}};
        int n = 0;
        for (int j = 0; j < 3; j++)
            if (at[j])
                r.at[n++] = at[j];
        if (!gk_x_poly_addterm(q, &r))
            return 0;
    }
    return 1;
}

static int64_t poly_wit(const gk_sym *s, const gk_poly *p)
{
    uint64_t w = 0;
    for (int i = 0; i < p->n; i++) {
        uint64_t m = (uint64_t)p->t[i].c;
        for (int k = 0; k < 3 && p->t[i].at[k]; k++)
            m *= (uint64_t)s->node[p->t[i].at[k]].wit;
        w += m;
    }
    return (int64_t)w;
}

int32_t gk_x_from_poly(gk_sym *s, const gk_poly *p)
{
    gk_node n = blank(GK_X_POLY, GK_T_I64);
    int scope = -1;
    for (int i = 0; i < p->n; i++)
        for (int k = 0; k < 3 && p->t[i].at[k]; k++)
            scope = deeper(s, scope, s->node[p->t[i].at[k]].scope);
    /* a single 32-bit atom stays a 32-bit quantity */
    int w32 = p->n == 1 && p->t[0].c == 1 && p->t[0].at[1] == 0 && p->t[0].at[0] && s->node[p->t[0].at[0]].w32;
    n.scope = scope;
    n.w32 = (uint8_t)w32;
    n.wit = poly_wit(s, p);
    return intern(s, &n, p);
}

int32_t gk_x_atom(gk_sym *s, int32_t atom)
{
    if (atom < 0)
        return -1;
    gk_poly p;
    p.n = 1;
    p.t[0] = (gk_pterm){1, {atom, 0, 0}};
    return gk_x_from_poly(s, &p);
}

int gk_x_poly_uses(const gk_sym *s, const gk_poly *p, int min_depth)
{
    for (int i = 0; i < p->n; i++)
        for (int k = 0; k < 3 && p->t[i].at[k]; k++)
            if (gk_x_scope_depth(s, s->node[p->t[i].at[k]].scope) >= min_depth)
                return 1;
    return 0;
}

int32_t gk_x_add(gk_sym *s, int32_t a, int32_t b, int64_t scale_b)
{
    const gk_poly *pa = gk_x_poly(s, a), *pb = gk_x_poly(s, b);
    if (!pa || !pb)
        return -1;
    gk_poly r;
    poly_copy(&r, pa);
    int ok = 1;
    for (int i = 0; i < pb->n && ok; i++) {
        gk_pterm t = pb->t[i];
        t.c = gk_wrap_mul(t.c, scale_b);
        ok = gk_x_poly_addterm(&r, &t);
    }
    if (ok)
        return gk_x_from_poly(s, &r);
    if (scale_b != 1)
        b = gk_x_mul(s, b, gk_x_int(s, scale_b));
    return gk_x_intop(s, GK_OP_IADD, a, b, 0);
}

int32_t gk_x_mul(gk_sym *s, int32_t a, int32_t b)
{
    const gk_poly *pa = gk_x_poly(s, a), *pb = gk_x_poly(s, b);
    if (!pa || !pb)
        return -1;
    gk_poly r;
    r.n = 0;
    int ok = 1;
    for (int i = 0; i < pa->n && ok; i++)
        for (int j = 0; j < pb->n && ok; j++) {
            gk_pterm t;
            ok = mono_mul(&pa->t[i], &pb->t[j], &t) && gk_x_poly_addterm(&r, &t);
        }
    if (ok)
        return gk_x_from_poly(s, &r);
    return gk_x_intop(s, GK_OP_IMUL, a, b, 0);
}

static int64_t eval_intop(int op, uint64_t a, uint64_t b, int w32)
{
    uint64_t m = w32 ? 0xffffffffull : ~0ull;
    unsigned sh = (unsigned)(b & (w32 ? 31 : 63));
    switch (op) {
    case GK_OP_IADD: return (int64_t)(a + b);
    case GK_OP_ISUB: return (int64_t)(a - b);
    case GK_OP_IMUL: return (int64_t)(a * b);
    case GK_OP_IAND: return (int64_t)((a & b) & m);
    case GK_OP_IOR: return (int64_t)((a | b) & m);
    case GK_OP_IXOR: return (int64_t)((a ^ b) & m);
    case GK_OP_ISHL: return (int64_t)((a << sh) & m);
    case GK_OP_ISHR: return (int64_t)((a & m) >> sh);
    case GK_OP_ISAR: return w32 ? (int64_t)(uint32_t)((int32_t)(uint32_t)a >> sh) : (int64_t)a >> sh;
    case GK_OP_IDIV:
    case GK_OP_IREM: {
        int64_t x = w32 ? (int32_t)(uint32_t)a : (int64_t)a, y = w32 ? (int32_t)(uint32_t)b : (int64_t)b;
        if (y == 0 || y == -1)
            return 0;
        return (int64_t)((uint64_t)(op == GK_OP_IDIV ? x / y : x % y) & m);
    }
    case GK_OP_SEXT: return b >= 64 ? (int64_t)a : (int64_t)(a << (64 - b)) >> (64 - b);
    case GK_OP_ZEXT: return b >= 64 ? (int64_t)a : (int64_t)(a & ((1ull << b) - 1));
    }
    return 0;
}

int32_t gk_x_intop(gk_sym *s, int op, int32_t a, int32_t b, int w32)
{
    if (a < 0 || b < 0)
        return -1;
    int64_t ca, cb;
    int unary = op == GK_OP_SEXT || op == GK_OP_ZEXT;
    if (gk_x_is_const_int(s, a, &ca) && (unary || gk_x_is_const_int(s, b, &cb))) {
        if (unary)
            cb = (int64_t)s->node[b].imm;
        if ((op == GK_OP_IDIV || op == GK_OP_IREM) && (cb == 0 || cb == -1))
            goto opaque;
        return gk_x_int(s, eval_intop(op, (uint64_t)ca, (uint64_t)cb, w32));
    }
opaque:;
    gk_node n = blank(op, GK_T_I64);
    n.a = a;
    if (unary)
        n.imm = s->node[b].imm;
    else {
        n.b = b;
        n.imm = w32 ? 32 : 64;
    }
    n.w32 = (uint8_t)(w32 || (op == GK_OP_ZEXT && n.imm <= 32));
    n.scope = unary ? s->node[a].scope : deeper(s, s->node[a].scope, s->node[b].scope);
    n.wit = eval_intop(op, (uint64_t)s->node[a].wit, unary ? n.imm : (uint64_t)s->node[b].wit, w32);
    return gk_x_atom(s, intern(s, &n, NULL));
}

/* ---- float nodes with the idiom rewrites ---- */

static int is_const_bits(const gk_sym *s, int32_t n, uint64_t bits)
{
    const gk_node *x = &s->node[n];
    uint64_t m = x->type == GK_T_F32 ? 0xffffffffull : ~0ull;
    return x->op == GK_OP_CONST && (x->imm & m) == (bits & m);
}

static uint64_t sign_bit(int type) { return type == GK_T_F32 ? 0x80000000ull : 0x8000000000000000ull; }

static int32_t mk(gk_sym *s, int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm)
{
    gk_node n = blank(op, type);
    n.a = a;
    n.b = b;
    n.c = c;
    n.imm = imm;
    int k = gk_trace_op_arity[op];
    const int32_t o[3] = {a, b, c};
    for (int j = 0; j < k; j++)
        n.scope = deeper(s, n.scope, s->node[o[j]].scope);
    return intern(s, &n, NULL);
}

static unsigned swap_pred(unsigned p) { return (p & 10u) | ((p & 1u) << 2) | ((p & 4u) >> 2); }

int32_t gk_x_node(gk_sym *s, int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm)
{
    if (a < 0 || (gk_trace_op_arity[op] > 1 && b < 0) || (gk_trace_op_arity[op] > 2 && c < 0))
        return -1;
    const gk_node na_ = s->node[a], *na = &na_; /* copies: s->node may move below */
    switch (op) {
    case GK_OP_BITCAST: /* float -> bits -> float is the float */
        if (na->op == GK_X_POLY) {
            const gk_poly *p = &s->poly[na->poly];
            if (p->n == 1 && p->t[0].c == 1 && !p->t[0].at[1] && s->node[p->t[0].at[0]].op == GK_OP_BITCAST &&
                s->node[s->node[p->t[0].at[0]].a].type == type)
                return s->node[p->t[0].at[0]].a;
        }
        break;
    case GK_OP_NEG:
        if (na->op == GK_OP_NEG)
            return na->a;
        break;
    case GK_OP_XOR:
        if (a == b)
            return gk_x_const(s, type, 0);
        if (is_const_bits(s, b, sign_bit(type)))
            return gk_x_node(s, GK_OP_NEG, type, a, -1, -1, 0);
        if (is_const_bits(s, a, sign_bit(type)))
            return gk_x_node(s, GK_OP_NEG, type, b, -1, -1, 0);
        break;
    case GK_OP_AND:
        if (is_const_bits(s, b, ~sign_bit(type)))
            return mk(s, GK_OP_ABS, type, a, -1, -1, 0);
        if (is_const_bits(s, a, ~sign_bit(type)))
            return mk(s, GK_OP_ABS, type, b, -1, -1, 0);
        if (na->op == GK_OP_CMP)
            return gk_x_node(s, GK_OP_SELECT, type, a, b, gk_x_const(s, type, 0), 0);
        if (s->node[b].op == GK_OP_CMP)
            return gk_x_node(s, GK_OP_SELECT, type, b, a, gk_x_const(s, type, 0), 0);
        if (a == b)
            return a;
        break;
    case GK_OP_ANDN:
        if (is_const_bits(s, a, sign_bit(type)))
            return mk(s, GK_OP_ABS, type, b, -1, -1, 0);
        if (na->op == GK_OP_CMP)
            return gk_x_node(s, GK_OP_SELECT, type, a, gk_x_const(s, type, 0), b, 0);
        if (a == b)
            return gk_x_const(s, type, 0);
        break;
    case GK_OP_OR: {
        const gk_node nb_ = s->node[b], *nb = &nb_;
        if (a == b)
            return a;
        if (is_const_bits(s, a, 0))
            return b;
        if (is_const_bits(s, b, 0))
            return a;
        /* (m & p) | (~m & q) -> select(m, p, q) */
        if (na->op == GK_OP_SELECT && nb->op == GK_OP_SELECT && na->a == nb->a) {
            int32_t t = gk_x_node(s, GK_OP_OR, type, na->b, nb->b, -1, 0);
            int32_t f = gk_x_node(s, GK_OP_OR, type, na->c, nb->c, -1, 0);
            return gk_x_node(s, GK_OP_SELECT, type, na->a, t, f, 0);
        }
        break;
    }
    case GK_OP_SELECT:
        if (b == c)
            return b;
        if (na->op == GK_OP_CMP) {
            unsigned p = (unsigned)na->imm;
            int32_t x = na->a, y = na->b;
            if (b == y && c == x) { /* select(cmp(p, x, y), y, x) == select(cmp(p', y, x), y, x) */
                p = swap_pred(p);
                x = na->b;
                y = na->a;
            }
            if (b == x && c == y && p == 4u)
                return mk(s, GK_OP_MAX, type, x, y, -1, 0);
            if (b == x && c == y && p == 1u)
                return mk(s, GK_OP_MIN, type, x, y, -1, 0);
        }
        break;
    }
    return mk(s, op, type, a, b, c, imm);
}

/* From the executor's graph and effect list to the flat SSA trace. Only what reaches an
 * observable result is kept: stores, the return value, and (through them) accumulators,
 * loads and loops. Each value is placed in the outermost loop where all its operands are
 * defined (loop-invariant code ends up before the loop), loads and stores stay at their
 * recorded positions, and integer polynomials are expanded into iadd/imul chains. */
#include <stdlib.h>
#include <string.h>

#include "jit/trace/sym.h"

typedef struct {
    gk_trace_op *op;
    int32_t *id; /* value id of each op */
    int n, cap;
} opvec;

typedef struct {
    gk_sym *s;
    opvec lv[GK_SYM_MAX_DEPTH + 2];
    int scope[GK_SYM_MAX_DEPTH + 2]; /* loop record per level, -1 for the top */
    int depth;
    int32_t nextid;
    int32_t *loop_id; /* loop record -> LOOP value id */
    uint8_t *loop_live;
    int rec_depth;    /* recursion guard */
    int32_t *phi;     /* the PHI nodes in id order (each IF's arms look up theirs) */
    int nphi;
} lin;

static gk_status push_op(lin *L, int level, gk_trace_op o, int32_t id)
{
    opvec *v = &L->lv[level];
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        gk_trace_op *no = realloc(v->op, sizeof *no * (size_t)cap);
        int32_t *ni = realloc(v->id, sizeof *ni * (size_t)cap);
        if (no)
            v->op = no;
        if (ni)
            v->id = ni;
        if (!no || !ni)
            return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
        v->cap = cap;
    }
    v->op[v->n] = o;
    v->id[v->n++] = id;
    return GK_OK;
}

static gk_trace_op mkop(int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm)
{
    gk_trace_op o;
    memset(&o, 0, sizeof o);
    o.op = (uint16_t)op;
    o.type = (uint8_t)type;
    o.a = a;
    o.b = b;
    o.c = c;
    o.imm = imm;
    return o;
}

static int level_of(const lin *L, int scope)
{
    for (int i = L->depth; i >= 0; i--)
        if (L->scope[i] == scope)
            return i;
    return -1;
}

static gk_status emit(lin *L, int32_t n, int32_t *out);

static gk_status append(lin *L, int level, gk_trace_op o, int32_t *out)
{
    int32_t id = L->nextid++;
    GK_TRY(push_op(L, level, o, id));
    *out = id;
    return GK_OK;
}

/* the value of a polynomial */
static gk_status emit_poly(lin *L, const gk_poly *p, int level, int32_t *out)
{
    int32_t acc = -1;
    for (int i = 0; i < p->n; i++) {
        const gk_pterm *t = &p->t[i];
        int32_t term = -1;
        for (int k = 0; k < 3 && t->at[k]; k++) {
            int32_t a;
            GK_TRY(emit(L, t->at[k], &a));
            if (term < 0)
                term = a;
            else
                GK_TRY(append(L, level, mkop(GK_OP_IMUL, GK_T_I64, term, a, -1, 64), &term));
        }
        if (term < 0 || t->c != 1) {
            int32_t c; /* constants go to the top level, before any loop */
            GK_TRY(append(L, 0, mkop(GK_OP_CONST, GK_T_I64, -1, -1, -1, (uint64_t)t->c), &c));
            if (term < 0)
                term = c;
            else
                GK_TRY(append(L, level, mkop(GK_OP_IMUL, GK_T_I64, term, c, -1, 64), &term));
        }
        if (acc < 0)
            acc = term;
        else
            GK_TRY(append(L, level, mkop(GK_OP_IADD, GK_T_I64, acc, term, -1, 64), &acc));
    }
    if (acc < 0)
        GK_TRY(append(L, 0, mkop(GK_OP_CONST, GK_T_I64, -1, -1, -1, 0), &acc));
    *out = acc;
    return GK_OK;
}

static gk_status emit(lin *L, int32_t n, int32_t *out)
{
    gk_sym *s = L->s;
    gk_node *x = &s->node[n];
    if (x->emitted >= 0) {
        *out = x->emitted;
        return GK_OK;
    }
    if (++L->rec_depth > 4000)
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: expression nested too deeply");
    int level = level_of(L, x->scope);
    if (level < 0)
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: a value computed in a loop is used outside it");
    int32_t v = -1;
    switch (x->op) {
    case GK_X_UNDEF:
    case GK_X_BYTE:
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: the result depends on an undefined value (register or stack slot "
                                           "not set before use, at %p)", (void *)(uintptr_t)x->imm);
    case GK_X_PTR:
    case GK_X_STACK:
    case GK_X_FUNC:
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: an address is used as a number");
    case GK_X_IDX:
        v = L->loop_id[x->imm];
        break;
    case GK_X_POLY: {
        gk_poly p = s->poly[x->poly];
        if (p.n == 1 && p.t[0].c == 1 && p.t[0].at[0] && !p.t[0].at[1])
            GK_TRY(emit(L, p.t[0].at[0], &v));
        else
            GK_TRY(emit_poly(L, &p, level, &v));
        break;
    }
    case GK_OP_ACC:
        return gk_fail(GK_ERR_INTERNAL, "trace: accumulator of a loop that was not emitted");
    case GK_OP_PHI: {
        int32_t a = s->node[x->a].emitted, b = s->node[x->b].emitted;
        if (a < 0 || b < 0 || L->loop_id[x->imm] < 0)
            return gk_fail(GK_ERR_INTERNAL, "trace: phi of a region that was not emitted");
        GK_TRY(append(L, level, mkop(GK_OP_PHI, x->type, a, b, L->loop_id[x->imm], 0), &v));
        break;
    }
    case GK_OP_LOAD: {
        int32_t idx;
        GK_TRY(emit(L, x->a, &idx));
        GK_TRY(append(L, level, mkop(GK_OP_LOAD, GK_T_F32, idx, -1, -1, x->imm), &v));
        break;
    }
    case GK_OP_ACCOUT: {
        int32_t a;
        GK_TRY(emit(L, x->a, &a));
        GK_TRY(append(L, level, mkop(GK_OP_ACCOUT, x->type, a, -1, -1, 0), &v));
        break;
    }
    case GK_OP_SEXT:
    case GK_OP_ZEXT: {
        int32_t a;
        GK_TRY(emit(L, x->a, &a));
        GK_TRY(append(L, level, mkop(x->op, GK_T_I64, a, -1, -1, x->imm), &v));
        break;
    }
    default: {
        if (x->op >= GK_OP_COUNT)
            return gk_fail(GK_ERR_INTERNAL, "trace: unexpected node kind %d", x->op);
        int k = gk_trace_op_arity[x->op];
        int32_t o[3] = {-1, -1, -1}, src[3] = {x->a, x->b, x->c};
        for (int j = 0; j < k; j++)
            GK_TRY(emit(L, src[j], &o[j]));
        GK_TRY(append(L, level, mkop(x->op, x->type, o[0], o[1], o[2], x->imm), &v));
    }
    }
    L->rec_depth--;
    s->node[n].emitted = v;
    *out = v;
    return GK_OK;
}

/* ---- liveness ---- */

static gk_carried *find_acc(gk_sym *s, int32_t acc)
{
    gk_loop_rec *R = &s->loop[s->node[acc].imm];
    for (int j = 0; j < R->nacc; j++)
        if (R->acc[j].acc == acc)
            return &R->acc[j];
    return NULL;
}

static gk_status mark(gk_sym *s, int32_t root, int32_t *stack)
{
    int sp = 0;
    if (root < 0 || s->node[root].live)
        return GK_OK;
    s->node[root].live = 1;
    stack[sp++] = root;
    while (sp) {
        int32_t n = stack[--sp];
        gk_node *x = &s->node[n];
        int32_t kids[24];
        int nk = 0;
        if (x->op == GK_X_POLY) {
            const gk_poly *p = &s->poly[x->poly];
            for (int i = 0; i < p->n; i++)
                for (int k = 0; k < 3 && p->t[i].at[k]; k++)
                    kids[nk++] = p->t[i].at[k];
        } else if (x->op == GK_X_STORE) {
            kids[nk++] = x->a;
            kids[nk++] = x->b;
        } else if (x->op == GK_OP_ACC) {
            gk_carried *c = find_acc(s, n);
            kids[nk++] = x->a;
            if (c)
                kids[nk++] = c->next;
            kids[nk++] = s->loop[x->imm].trip;
            s->loop[x->imm].live = 1;
        } else if (x->op == GK_OP_PHI) {
            kids[nk++] = x->a;
            kids[nk++] = x->b;
            kids[nk++] = s->loop[x->imm].cond;
            s->loop[x->imm].live = 1;
        } else if (x->op == GK_X_IDX) {
            kids[nk++] = s->loop[x->imm].trip;
            s->loop[x->imm].live = 1;
        } else if (x->op < GK_OP_COUNT) {
            const int32_t src[3] = {x->a, x->b, x->c};
            for (int j = 0; j < gk_trace_op_arity[x->op]; j++)
                kids[nk++] = src[j];
        }
        for (int i = 0; i < nk; i++) {
            int32_t c = kids[i];
            /* reads of an accumulator other than its final value and another loop's start value */
            if (c >= 0 && s->node[c].op == GK_OP_ACC && x->op != GK_OP_ACCOUT && !(x->op == GK_OP_ACC && c == x->a))
                s->node[c].inner_use = 1;
            if (c < 0 || s->node[c].live)
                continue;
            if (sp >= s->nnode)
                return gk_fail(GK_ERR_INTERNAL, "trace: liveness stack overflow");
            s->node[c].live = 1;
            stack[sp++] = c;
        }
    }
    return GK_OK;
}

/* ---- emission of scopes ---- */

static gk_status emit_scope(lin *L, int owner);

/* IF cond; first arm; ELSE; second arm; ENDIF: each arm ends with the values its PHIs read */
static gk_status emit_if(lin *L, int arm)
{
    gk_sym *s = L->s;
    if (!s->loop[arm].live && !s->loop[arm + 1].live)
        return GK_OK;
    if (L->depth + 1 > GK_SYM_MAX_DEPTH)
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: regions nested too deeply");
    int32_t cond, v;
    GK_TRY(emit(L, s->loop[arm].cond, &cond));
    int32_t if_id = L->nextid++;
    L->loop_id[arm] = L->loop_id[arm + 1] = if_id;
    opvec first = {0};
    gk_status st = GK_OK;
    for (int k = 0; k < 2 && st == GK_OK; k++) {
        L->depth++;
        L->scope[L->depth] = arm + k;
        L->lv[L->depth].n = 0;
        st = emit_scope(L, arm + k);
        for (int i = 0; i < L->nphi && st == GK_OK; i++) {
            const gk_node *x = &s->node[L->phi[i]];
            if (x->imm == (uint64_t)arm && x->live)
                st = emit(L, k ? x->b : x->a, &v);
        }
        opvec body = L->lv[L->depth];
        L->depth--;
        if (k == 0 && st == GK_OK) { /* keep the first arm while the second reuses the level */
            for (int j = 0; j < body.n && st == GK_OK; j++) {
                if (first.n == first.cap) {
                    int cap = first.cap ? first.cap * 2 : 64;
                    gk_trace_op *no = realloc(first.op, sizeof *no * (size_t)cap);
                    int32_t *ni = realloc(first.id, sizeof *ni * (size_t)cap);
                    if (no)
                        first.op = no;
                    if (ni)
                        first.id = ni;
                    if (!no || !ni)
                        st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
                    first.cap = cap;
                }
                if (st == GK_OK) {
                    first.op[first.n] = body.op[j];
                    first.id[first.n++] = body.id[j];
                }
            }
        } else if (st == GK_OK) {
            st = push_op(L, L->depth, mkop(GK_OP_IF, GK_T_I64, cond, -1, -1, (uint64_t)s->loop[arm].negate), if_id);
            for (int j = 0; j < first.n && st == GK_OK; j++)
                st = push_op(L, L->depth, first.op[j], first.id[j]);
            if (st == GK_OK)
                st = append(L, L->depth, mkop(GK_OP_ELSE, GK_T_VOID, -1, -1, -1, (uint64_t)if_id), &v);
            for (int j = 0; j < body.n && st == GK_OK; j++)
                st = push_op(L, L->depth, body.op[j], body.id[j]);
            if (st == GK_OK)
                st = append(L, L->depth, mkop(GK_OP_ENDIF, GK_T_VOID, -1, -1, -1, (uint64_t)if_id), &v);
        }
    }
    free(first.op);
    free(first.id);
    return st;
}

static gk_status emit_scope(lin *L, int owner)
{
    gk_sym *s = L->s;
    for (int i = 0; i < s->neff; i++) {
        gk_effect *f = &s->eff[i];
        if (f->owner != owner)
            continue;
        int32_t v;
        if (f->kind == GK_EFF_LOAD) {
            if (s->node[f->x].live)
                GK_TRY(emit(L, f->x, &v));
            continue;
        }
        if (f->kind == GK_EFF_STORE) {
            gk_node *x = &s->node[f->x];
            int32_t idx, val;
            GK_TRY(emit(L, x->a, &idx));
            GK_TRY(emit(L, x->b, &val));
            GK_TRY(append(L, L->depth, mkop(GK_OP_STORE, GK_T_VOID, idx, val, -1, x->imm), &v));
            continue;
        }
        if (f->kind == GK_EFF_IF) {
            GK_TRY(emit_if(L, f->x));
            continue;
        }
        /* a loop */
        int rec = f->x;
        gk_loop_rec *R = &s->loop[rec];
        if (!R->live)
            continue;
        if (L->depth + 1 > GK_SYM_MAX_DEPTH)
            return gk_fail(GK_ERR_UNSUPPORTED, "trace: loops nested too deeply");
        int32_t trip;
        GK_TRY(emit(L, R->trip, &trip));
        int32_t init[GK_SYM_MAX_ACCS];
        for (int j = 0; j < R->nacc; j++) {
            const gk_node *a = &s->node[R->acc[j].acc];
            if (!a->live)
                continue;
            int32_t in0 = a->a;
            /* a value the loop leaves behind (its last iteration's) that nothing reads when the
             * loop does not run: the C function would read an uninitialised register there */
            if ((s->node[in0].op == GK_X_UNDEF || s->node[in0].op == GK_X_BYTE) && !a->inner_use)
                in0 = a->type == GK_T_I64 ? gk_x_int(s, 0) : gk_x_const(s, a->type, 0);
            if (in0 < 0)
                return gk_fail(GK_ERR_UNSUPPORTED, "trace: expression graph is full");
            GK_TRY(emit(L, in0, &init[j]));
        }
        int32_t loop_id = L->nextid++;
        L->loop_id[rec] = loop_id;
        L->depth++;
        L->scope[L->depth] = rec;
        L->lv[L->depth].n = 0;
        for (int j = 0; j < R->nacc; j++) {
            gk_node *a = &s->node[R->acc[j].acc];
            if (!a->live)
                continue;
            GK_TRY(append(L, L->depth, mkop(GK_OP_ACC, a->type, init[j], -1, -1, (uint64_t)loop_id), &v));
            a->emitted = v;
        }
        GK_TRY(emit_scope(L, rec));
        for (int j = 0; j < R->nacc; j++) {
            gk_node *a = &s->node[R->acc[j].acc];
            if (!a->live)
                continue;
            int32_t nx;
            GK_TRY(emit(L, R->acc[j].next, &nx));
            GK_TRY(append(L, L->depth, mkop(GK_OP_NEXT, GK_T_VOID, a->emitted, nx, -1, 0), &v));
        }
        opvec body = L->lv[L->depth];
        L->depth--;
        GK_TRY(push_op(L, L->depth, mkop(GK_OP_LOOP, GK_T_I64, trip, -1, -1, 0), loop_id));
        for (int j = 0; j < body.n; j++)
            GK_TRY(push_op(L, L->depth, body.op[j], body.id[j]));
        GK_TRY(append(L, L->depth, mkop(GK_OP_END, GK_T_VOID, -1, -1, -1, (uint64_t)loop_id), &v));
    }
    return GK_OK;
}

gk_status gk_linearize(gk_sym *s, int32_t retval, struct gk_op_trace **out)
{
    lin L;
    memset(&L, 0, sizeof L);
    L.s = s;
    L.scope[0] = -1;
    L.loop_id = malloc(sizeof *L.loop_id * (size_t)(s->nloop ? s->nloop : 1));
    for (int i = 0; L.loop_id && i < s->nloop; i++)
        L.loop_id[i] = -1;
    int32_t *stack = malloc(sizeof *stack * (size_t)s->nnode); /* each node is pushed at most once */
    gk_status st = (L.loop_id && stack) ? GK_OK : gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    /* liveness to a fixed point: a live loop makes its trip count live */
    for (int i = 0; i < s->neff && st == GK_OK; i++)
        if (s->eff[i].kind == GK_EFF_STORE)
            st = mark(s, s->eff[i].x, stack);
    if (st == GK_OK)
        st = mark(s, retval, stack);
    /* loops enclosing live content are live */
    for (int changed = 1; changed && st == GK_OK;) {
        changed = 0;
        for (int i = 0; i < s->neff; i++) {
            int owner = s->eff[i].owner;
            int x = s->eff[i].x;
            int has = s->eff[i].kind == GK_EFF_STORE || (s->eff[i].kind == GK_EFF_LOOP && s->loop[x].live) ||
                      (s->eff[i].kind == GK_EFF_IF && (s->loop[x].live || s->loop[x + 1].live));
            if (has && owner >= 0 && !s->loop[owner].live) {
                s->loop[owner].live = 1;
                st = mark(s, s->loop[owner].trip, stack);
                changed = 1;
            }
        }
        for (int r = 0; r < s->nloop && st == GK_OK; r++) {
            int32_t need = s->loop[r].arm ? s->loop[r].cond : s->loop[r].trip;
            if (s->loop[r].live && s->loop[r].final && need >= 0 && !s->node[need].live) {
                st = mark(s, need, stack);
                changed = 1;
            }
        }
    }
    free(stack);
    /* an accumulator starting another that is read inside its loop is read as well */
    for (int changed = 1; changed && st == GK_OK;) {
        changed = 0;
        for (int32_t n = 1; n < s->nnode; n++) {
            const gk_node *x = &s->node[n];
            if (x->op == GK_OP_ACC && x->live && x->inner_use && s->node[x->a].op == GK_OP_ACC &&
                !s->node[x->a].inner_use) {
                s->node[x->a].inner_use = 1;
                changed = 1;
            }
        }
    }
    for (int32_t n = 1; n < s->nnode && st == GK_OK; n++)
        L.nphi += s->node[n].op == GK_OP_PHI;
    if (st == GK_OK && L.nphi) {
        L.phi = malloc(sizeof *L.phi * (size_t)L.nphi);
        if (!L.phi)
            st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
        for (int32_t n = 1, k = 0; n < s->nnode && L.phi; n++)
            if (s->node[n].op == GK_OP_PHI)
                L.phi[k++] = n;
    }
    if (st == GK_OK)
        st = emit_scope(&L, -1);
    int32_t rv = -1, dummy;
    if (st == GK_OK && retval >= 0)
        st = emit(&L, retval, &rv);
    if (st == GK_OK && retval >= 0)
        st = append(&L, 0, mkop(GK_OP_RET, GK_T_VOID, rv, -1, -1, 0), &dummy);
    struct gk_op_trace *t = NULL;
    int32_t *pos = NULL;
    if (st == GK_OK) {
        t = gk_trace_alloc(L.lv[0].n);
        pos = malloc(sizeof *pos * (size_t)(L.nextid ? L.nextid : 1));
        if (!t || !pos)
            st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    }
    if (st == GK_OK) {
        for (int i = 0; i < L.nextid; i++)
            pos[i] = -1;
        for (int i = 0; i < L.lv[0].n; i++)
            pos[L.lv[0].id[i]] = i;
        t->sig = *s->sig;
        for (int i = 0; i < L.lv[0].n; i++) {
            gk_trace_op o = L.lv[0].op[i];
            int k = gk_trace_op_arity[o.op];
            if (k > 0)
                o.a = pos[o.a];
            if (k > 1)
                o.b = pos[o.b];
            if (k > 2)
                o.c = pos[o.c];
            if (o.op == GK_OP_ACC || o.op == GK_OP_END || o.op == GK_OP_ELSE || o.op == GK_OP_ENDIF)
                o.imm = (uint64_t)pos[o.imm];
            t->ops[i] = o;
        }
        st = gk_trace_validate(t);
        if (st != GK_OK)
            st = gk_fail(GK_ERR_INTERNAL, "trace: the analyser produced an invalid trace (%s)", gk_last_error());
    }
    if (st == GK_OK) {
        gk_trace_classify(t);
        *out = t;
    } else
        gk_trace_free(t);
    free(pos);
    for (int i = 0; i < GK_SYM_MAX_DEPTH + 2; i++) {
        free(L.lv[i].op);
        free(L.lv[i].id);
    }
    free(L.loop_id);
    free(L.phi);
    return st;
}

/* The symbolic executor (DESIGN §8, Phase 0): runs a function's machine code on symbolic
 * values. Registers, stack slots and flags hold expression nodes; loads from the array
 * arguments become LOAD nodes at polynomial element indices; stores and loops are recorded as
 * effects in program order.
 *
 * Control flow is followed structurally over the CFG of cfg.c:
 * - a conditional branch on a float compare is a diamond: both arms run to the immediate
 *   post-dominator and the states merge into selects;
 * - a conditional branch on integers is a size guard: it is decided with "witness" sizes
 *   (large, odd, distinct), and rejected if it depends on a value computed in a loop;
 * - a natural loop runs in rounds: every register or stack slot the body changes becomes
 *   either an induction variable (a change by a loop-invariant amount: closed form
 *   init + step*i) or a carried value (ACC with its NEXT), until a round finds nothing new;
 *   the exit branch's compare, solved for i, gives the trip count. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/trace/sym.h"

#define REG_RSP 4
#define KEY_XMM 16
#define KEY_SLOT (1 << 20)

gk_status gk_sym_fail(gk_sym *s, const gk_insn *at, const char *fmt, ...)
{
    if (s->wants_region || s->guessing) /* the probing branch or the guessing loop discards it */
        return GK_ERR_UNSUPPORTED;
    char why[256], text[96] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!at)
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: %s", why);
    /* decoded again: the code model keeps only what the executor reads */
    ZydisFormatter zf;
    ZydisDecodedInstruction ins;
    ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisFormatterInit(&zf, ZYDIS_FORMATTER_STYLE_INTEL)) ||
        !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&s->dec, at->addr, at->length, &ins, op)) ||
        !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&zf, &ins, op, ins.operand_count_visible, text, sizeof text,
                                                      (ZyanU64)(uintptr_t)at->addr, ZYAN_NULL)))
        snprintf(text, sizeof text, "(unformattable)");
    return gk_fail(GK_ERR_UNSUPPORTED, "trace: at %p (+0x%zx) `%s`: %s", (const void *)at->addr,
                   (size_t)(at->addr - s->code.lo), text, why);
}

/* room for one more effect / n more scope records (both arrays grow; indices stay valid,
 * pointers into them do not) */
static int eff_room(gk_sym *s)
{
    if (s->neff < s->effcap)
        return 1;
    gk_effect *n = gk_sym_grow(s->eff, &s->effcap, sizeof *n, s->neff + 1, GK_SYM_MAX_EFFECTS);
    if (n)
        s->eff = n;
    return n != NULL;
}

static int loop_room(gk_sym *s, int n)
{
    if (s->nloop + n <= s->loopcap)
        return 1;
    gk_loop_rec *r = gk_sym_grow(s->loop, &s->loopcap, sizeof *r, s->nloop + n, GK_SYM_MAX_LOOPS);
    if (r)
        s->loop = r;
    return r != NULL;
}

#define FAIL(...) return gk_sym_fail(s, in, __VA_ARGS__)
#define NODE(x)                                                    \
    do {                                                           \
        if ((x) < 0)                                               \
            return gk_sym_fail(s, in, "expression graph is full"); \
    } while (0)

/* ---- loop contexts ---- */
typedef struct {
    int nl;         /* natural loop */
    int rec;        /* loop record of this round */
    int exit_blk;   /* block with the exit branch, -1 none yet */
    int exit_taken; /* the exit is the taken side */
    int exit_to;    /* block the loop exits to */
    int exit_rel;   /* when the loop exits, as a relation of x - y to 0 (REL_*) */
    int fl_kind, fl_zs;
    int32_t fl_x, fl_y;
    const gk_insn *exit_in;
} loopctx;

typedef struct {
    int key;      /* gpr, 16+xmm, KEY_SLOT+offset */
    int size;     /* slot size */
    int iv;       /* 1: induction variable */
    int32_t step; /* iv step (poly) */
    int type;     /* carried value's type */
} carried_key;

/* what a natural loop carried the last time it was analysed: the next analysis of the same
 * loop (in the next round of an enclosing loop) starts from it, and usually needs one round */
typedef struct {
    int n;
    carried_key k[GK_SYM_MAX_ACCS];
} seedset;

typedef struct {
    gk_sym *s;
    loopctx ctx[GK_SYM_MAX_DEPTH + 1];
    int nctx;
    seedset *seeds; /* per natural loop */
    uint8_t *region_blk; /* per block: a float branch whose arms were found to need a conditional
                          * region (stores, loops): later visits skip the select probe */
} exec;

enum { END_STOP, END_RET, END_BACK };

static gk_status region(exec *e, gk_state *st, int block, int stop, int *end);

/* ---- register and memory access ---- */

/* Zydis lists each width's registers in encoding order (8-bit: al..bl, ah..bh, spl..dil,
 * r8b..r15b), so ids are offsets; the class and id queries cost a call each per operand */
static int gpr_id(ZydisRegister r, int *width)
{
    if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15) {
        *width = 64;
        return (int)(r - ZYDIS_REGISTER_RAX);
    }
    if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D) {
        *width = 32;
        return (int)(r - ZYDIS_REGISTER_EAX);
    }
    if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W) {
        *width = 16;
        return (int)(r - ZYDIS_REGISTER_AX);
    }
    *width = 8;
    if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_R15B) {
        int i = (int)(r - ZYDIS_REGISTER_AL);
        return i < 4 ? i : i - 4; /* ah..bh are the high bytes of rax..rbx */
    }
    return -1;
}

static int xmm_id(ZydisRegister r)
{
    if (r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM15)
        return (int)(r - ZYDIS_REGISTER_XMM0);
    if (r >= ZYDIS_REGISTER_YMM0 && r <= ZYDIS_REGISTER_YMM15)
        return (int)(r - ZYDIS_REGISTER_YMM0);
    return -1;
}

static int is_undef(const gk_sym *s, int32_t v)
{
    return v < 0 || s->node[v].op == GK_X_UNDEF || s->node[v].op == GK_X_BYTE;
}

static int mem_is_rip(const ZydisDecodedOperand *o) { return o->mem.base == ZYDIS_REGISTER_RIP; }

/* the address a RIP-relative memory operand names */
static uintptr_t rip_address(const gk_insn *in, const ZydisDecodedOperand *o)
{
    return (uintptr_t)in->addr + in->length + (uintptr_t)o->mem.disp.value;
}

/* the value of an address's base or index register (`role`), -1 when there is none */
static gk_status address_reg(gk_sym *s, const gk_state *st, const gk_insn *in, ZydisRegister reg, const char *role,
                             int32_t *v)
{
    int w, r = gpr_id(reg, &w);
    *v = -1;
    if (reg == ZYDIS_REGISTER_NONE)
        return GK_OK;
    if (r < 0 || w < 32)
        FAIL("unsupported %s register", role);
    if (is_undef(s, st->gpr[r]))
        FAIL("address from an undefined register");
    *v = st->gpr[r];
    return GK_OK;
}

/* the address of a memory operand as a polynomial node */
static gk_status address(gk_sym *s, gk_state *st, const gk_insn *in, const ZydisDecodedOperand *o, int32_t *out)
{
    if (o->mem.segment == ZYDIS_REGISTER_FS || o->mem.segment == ZYDIS_REGISTER_GS)
        FAIL("segment-relative memory");
    int32_t base, index;
    GK_TRY(address_reg(s, st, in, o->mem.base, "base", &base));
    GK_TRY(address_reg(s, st, in, o->mem.index, "index", &index));
    int64_t scale = o->mem.scale ? o->mem.scale : 1;
    /* disp + base + scale*index as one polynomial, one node (the usual case) */
    const gk_poly *pb = base >= 0 ? gk_x_poly(s, base) : NULL, *pi = index >= 0 ? gk_x_poly(s, index) : NULL;
    gk_poly p;
    p.n = 0;
    gk_pterm d = {o->mem.disp.value, {0, 0, 0}};
    int ok = gk_x_poly_addterm(&p, &d) && (base < 0 || pb) && (index < 0 || pi);
    for (int i = 0; ok && pb && i < pb->n; i++)
        ok = gk_x_poly_addterm(&p, &pb->t[i]);
    for (int i = 0; ok && pi && i < pi->n; i++) {
        gk_pterm t = pi->t[i];
        t.c = gk_wrap_mul(t.c, scale);
        ok = gk_x_poly_addterm(&p, &t);
    }
    int32_t a;
    if (ok)
        a = gk_x_from_poly(s, &p);
    else { /* non-polynomial parts or too many terms: step by step */
        a = gk_x_int(s, o->mem.disp.value);
        if (base >= 0)
            a = gk_x_add(s, a, base, 1);
        if (index >= 0)
            a = gk_x_add(s, a, index, scale);
    }
    NODE(a);
    *out = a;
    return GK_OK;
}

enum { LOC_STACK, LOC_ARRAY };
typedef struct {
    int kind;
    int arr;     /* argument position */
    int64_t off; /* stack offset */
    int32_t idx; /* element index node */
} loc;

/* split an address into one base (array or stack) plus an offset */
static gk_status classify(gk_sym *s, const gk_insn *in, int32_t addr, int elem, loc *l)
{
    const gk_poly *p = gk_x_poly(s, addr);
    if (!p)
        FAIL("address is not an integer value");
    gk_poly rest;
    rest.n = 0;
    int base = -1;
    for (int i = 0; i < p->n; i++) {
        const gk_pterm *t = &p->t[i];
        int has = 0;
        for (int k = 0; k < 3 && t->at[k]; k++) {
            int op = s->node[t->at[k]].op;
            has |= op == GK_X_PTR || op == GK_X_STACK;
        }
        if (!has) {
            rest.t[rest.n++] = *t;
            continue;
        }
        if (base >= 0 || t->c != 1 || t->at[1])
            FAIL("address is not base + offset");
        base = t->at[0];
    }
    if (base < 0)
        FAIL("address of unknown memory");
    if (s->node[base].op == GK_X_STACK) {
        int64_t off;
        int32_t r = gk_x_from_poly(s, &rest);
        NODE(r);
        if (!gk_x_is_const_int(s, r, &off))
            FAIL("stack address with a variable offset");
        l->kind = LOC_STACK;
        l->off = off;
        return GK_OK;
    }
    gk_poly d, q;
    gk_poly_const(&d, elem);
    if (!gk_x_poly_div_exact(&rest, &d, &q))
        FAIL("array access not aligned to its elements");
    l->kind = LOC_ARRAY;
    l->arr = (int)s->node[base].imm;
    l->idx = gk_x_from_poly(s, &q);
    NODE(l->idx);
    return GK_OK;
}

/* where a memory operand of float-sized elements points: a stack slot or an array element */
static gk_status locate(gk_sym *s, gk_state *st, const gk_insn *in, const ZydisDecodedOperand *o, loc *l)
{
    int32_t a = -1;
    GK_TRY(address(s, st, in, o, &a));
    return classify(s, in, a, 4, l);
}

static int slot_find(const gk_state *st, int64_t off)
{
    for (int i = 0; i < st->nslot; i++)
        if (st->slot[i].off == off)
            return i;
    return -1;
}

/* Stack offsets a slot may have: also what keeps KEY_SLOT + offset a slot key. */
static int slot_in_range(int64_t off) { return off >= -(1 << 16) && off <= (1 << 16); }

static gk_status slot_write(gk_sym *s, const gk_insn *in, gk_state *st, int64_t off, int size, int32_t v)
{
    if (!slot_in_range(off))
        FAIL("stack offset out of range");
    for (int i = 0; i < st->nslot;) /* drop overlapping slots */
        if (st->slot[i].off < off + size && off < st->slot[i].off + st->slot[i].size)
            st->slot[i] = st->slot[--st->nslot];
        else
            i++;
    if (st->nslot == GK_SYM_MAX_SLOTS)
        FAIL("too many stack slots");
    st->slot[st->nslot++] = (gk_slot){(int32_t)off, (uint8_t)size, v};
    return GK_OK;
}

static int32_t slot_read(gk_sym *s, const gk_state *st, int64_t off, uint64_t where)
{
    int i = slot_find(st, off);
    return i < 0 ? gk_x_undef(s, where) : st->slot[i].node;
}

/* The name of the function reached through code address `target` or GOT slot `slot`, cached
 * per instruction: loop rounds run an instruction many times and the lookup walks the loaded
 * objects' relocations. */
static const char *callee_name(gk_sym *s, const gk_insn *in, const uint8_t *target, const void *slot)
{
    for (int i = 0; i < s->ncallee; i++)
        if (s->callee[i].at == in->addr)
            return s->callee[i].name;
    const char *name = gk_import_name(target, slot);
    if (name && s->ncallee < GK_SYM_CALLEES)
        s->callee[s->ncallee++] = (gk_callee){in->addr, name};
    return name;
}

/* a function address held in a register (clang -fno-plt hoists `mov r, [GOT]` out of a loop
 * and calls through r; a sanitizer's interceptor is reached by `lea r, [fn]`) */
static gk_status func_addr(gk_sym *s, const gk_insn *in, const uint8_t *target, const void *slot, int32_t *out)
{
    const char *name = callee_name(s, in, target, slot);
    if (!name)
        FAIL("takes the address of an unknown function");
    *out = gk_x_special(s, GK_X_FUNC, GK_T_I64, -1, -1, -1, (uint64_t)(uintptr_t)name, -1, 0);
    NODE(*out);
    return GK_OK;
}

/* read a constant of `size` bytes from read-only memory */
static gk_status rodata(gk_sym *s, const gk_insn *in, const ZydisDecodedOperand *o, int size, uint64_t *bits)
{
    uintptr_t a = rip_address(in, o);
    int f = gk_mem_flags((const void *)(uintptr_t)a, (size_t)(size > 8 ? 8 : size));
    if (!(f & GK_MEM_R) || (f & GK_MEM_W))
        FAIL("reads memory that is not read-only data");
    *bits = 0;
    memcpy(bits, (const void *)(uintptr_t)a, (size_t)(size > 8 ? 8 : size));
    return GK_OK;
}

/* A vector constant whose float lanes are all equal (`size` bytes: 16 or 32) becomes a CONST
 * marked with its lane count (c), so that a vector store of it can be split into scalar stores
 * (clang merges constant stores into movups of a splat). Other vector constants keep their low
 * 8 bytes: only lane 0 is tracked. */
static gk_status vector_const(gk_sym *s, const gk_insn *in, const ZydisDecodedOperand *o, int size, int32_t *out)
{
    uintptr_t a = rip_address(in, o);
    if (size > 32)
        size = 32;
    int f = gk_mem_flags((const void *)(uintptr_t)a, (size_t)size);
    if (!(f & GK_MEM_R) || (f & GK_MEM_W))
        FAIL("reads memory that is not read-only data");
    uint32_t lane[8];
    memcpy(lane, (const void *)(uintptr_t)a, (size_t)size);
    int splat = size >= 16;
    for (int k = 1; k < size / 4; k++)
        splat &= lane[k] == lane[0];
    uint64_t low = lane[0] | (size >= 8 ? (uint64_t)lane[1] << 32 : 0);
    *out = splat ? gk_x_special(s, GK_OP_CONST, GK_T_F32, -1, -1, size / 4, lane[0], -1, 0)
                 : gk_x_const(s, GK_T_F64, low);
    NODE(*out);
    return GK_OK;
}

/* record a load from an array */
static int32_t array_load(gk_sym *s, int arr, int32_t idx)
{
    int32_t n = gk_x_special(s, GK_OP_LOAD, GK_T_F32, idx, -1, (int32_t)s->epoch, (uint64_t)arr, s->cur_loop, 0);
    if (n < 0 || !eff_room(s))
        return -1;
    s->eff[s->neff++] = (gk_effect){GK_EFF_LOAD, s->cur_loop, n};
    return n;
}

/* a float value of `type` from a register or memory operand */
static gk_status rd_float(gk_sym *s, gk_state *st, const gk_insn *in, int k, int type, int32_t *out)
{
    if (k < 0 || k >= in->nop)
        FAIL("missing operand");
    const ZydisDecodedOperand *o = &in->op[k];
    if (o->type == ZYDIS_OPERAND_TYPE_REGISTER) {
        int x = xmm_id(o->reg.value);
        if (x < 0)
            FAIL("expected an xmm register");
        int32_t v = st->xmm[x];
        if (is_undef(s, v)) {
            *out = v;
            return GK_OK;
        }
        int32_t r = gk_x_retype(s, v, type);
        if (r < 0)
            FAIL("xmm%d holds a %s value used as %s", x, s->node[v].type == GK_T_F64 ? "double" : "float",
                 type == GK_T_F64 ? "double" : "float");
        *out = r;
        return GK_OK;
    }
    if (o->type != ZYDIS_OPERAND_TYPE_MEMORY)
        FAIL("unsupported operand");
    int esize = type == GK_T_F64 ? 8 : 4;
    if (mem_is_rip(o)) {
        uint64_t bits = 0;
        GK_TRY(rodata(s, in, o, esize, &bits));
        *out = gk_x_const(s, type, bits);
        NODE(*out);
        return GK_OK;
    }
    loc l;
    GK_TRY(locate(s, st, in, o, &l));
    if (l.kind == LOC_STACK) {
        int32_t v = slot_read(s, st, l.off, (uint64_t)(uintptr_t)in->addr);
        if (is_undef(s, v)) {
            *out = v;
            return GK_OK;
        }
        int64_t bits;
        if (s->node[v].type == GK_T_I64) /* an integer stored to the slot (mov dword [rsp+c], 0) */
            v = gk_x_is_const_int(s, v, &bits) ? gk_x_const(s, type, (uint64_t)bits)
                                              : gk_x_node(s, GK_OP_BITCAST, type, v, -1, -1, 0);
        NODE(v);
        int32_t r = gk_x_retype(s, v, type);
        if (r < 0)
            FAIL("stack slot holds another type");
        *out = r;
        return GK_OK;
    }
    if (type != GK_T_F32)
        FAIL("double loaded from a float array");
    *out = array_load(s, l.arr, l.idx);
    NODE(*out);
    return GK_OK;
}

static gk_status need(gk_sym *s, const gk_insn *in, int32_t v)
{
    if (is_undef(s, v))
        FAIL("uses an undefined value");
    return GK_OK;
}

/* an integer value from a register, immediate or memory */
static gk_status rd_int(gk_sym *s, gk_state *st, const gk_insn *in, int k, int32_t *out)
{
    if (k < 0 || k >= in->nop)
        FAIL("missing operand");
    const ZydisDecodedOperand *o = &in->op[k];
    int w;
    switch (o->type) {
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        *out = gk_x_int(s, o->imm.value.s);
        NODE(*out);
        return GK_OK;
    case ZYDIS_OPERAND_TYPE_REGISTER: {
        int r = gpr_id(o->reg.value, &w);
        if (r < 0 || w < 32)
            FAIL("unsupported register width");
        *out = st->gpr[r];
        return GK_OK;
    }
    case ZYDIS_OPERAND_TYPE_MEMORY: {
        if (mem_is_rip(o)) {
            const void *slot = (const void *)rip_address(in, o);
            /* GOT slots lie in a writable segment (RELRO protects them only later) */
            if (o->size == 64 && (gk_mem_flags(slot, 8) & GK_MEM_W) && callee_name(s, in, NULL, slot))
                return func_addr(s, in, NULL, slot, out);
            uint64_t bits = 0;
            GK_TRY(rodata(s, in, o, o->size / 8, &bits));
            if (o->size == 32)
                bits = (uint64_t)(int64_t)(int32_t)bits;
            *out = gk_x_int(s, (int64_t)bits);
            NODE(*out);
            return GK_OK;
        }
        loc l;
        GK_TRY(locate(s, st, in, o, &l));
        if (l.kind == LOC_STACK) {
            int32_t v = slot_read(s, st, l.off, (uint64_t)(uintptr_t)in->addr);
            if (!is_undef(s, v) && s->node[v].type != GK_T_I64) { /* a spilled float read as bits */
                int32_t bc = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, v, -1, -1, 0);
                NODE(bc);
                s->node[bc].w32 = s->node[v].type == GK_T_F32;
                v = gk_x_atom(s, bc);
            }
            *out = v;
            return GK_OK;
        }
        if (o->size != 32)
            FAIL("integer load from a float array");
        int32_t f = array_load(s, l.arr, l.idx);
        NODE(f);
        int32_t bc = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, f, -1, -1, 0);
        NODE(bc);
        s->node[bc].w32 = 1;
        *out = gk_x_atom(s, bc);
        NODE(*out);
        return GK_OK;
    }
    default:
        FAIL("unsupported operand");
    }
}

static gk_status wr_gpr(gk_sym *s, gk_state *st, const gk_insn *in, ZydisRegister reg, int32_t v)
{
    int w, r = gpr_id(reg, &w);
    if (r < 0 || w < 32)
        FAIL("writes a partial register");
    st->gpr[r] = v;
    return GK_OK;
}

/* store a value (float node, or integer poly) to memory */
static gk_status wr_mem(gk_sym *s, gk_state *st, const gk_insn *in, const ZydisDecodedOperand *o, int size, int32_t v)
{
    if (mem_is_rip(o))
        FAIL("writes global memory");
    loc l;
    GK_TRY(locate(s, st, in, o, &l));
    if (l.kind == LOC_STACK)
        return slot_write(s, in, st, l.off, size, v);
    if (s->select_probe) {
        s->wants_region = 1;
        return gk_fail(GK_ERR_UNSUPPORTED, "trace: a store under a float condition");
    }
    if (s->sig->args[l.arr] != GK_ARG_PTR_OUT)
        FAIL("stores to argument %d, which the signature says is not an output array", l.arr);
    GK_TRY(need(s, in, v));
    int lanes = 1;
    if (size != 4) { /* a vector store of a splat constant: one store per lane */
        if (s->node[v].op != GK_OP_CONST || s->node[v].c * 4 < size || (size != 16 && size != 32))
            FAIL("stores %d bytes to a float array", size);
        lanes = size / 4;
    }
    int64_t bits;
    if (s->node[v].type == GK_T_I64)
        v = gk_x_is_const_int(s, v, &bits) ? gk_x_const(s, GK_T_F32, (uint64_t)bits)
                                          : gk_x_node(s, GK_OP_BITCAST, GK_T_F32, v, -1, -1, 0);
    else
        v = gk_x_retype(s, v, GK_T_F32);
    if (v < 0)
        FAIL("stores a double to a float array");
    for (int k = 0; k < lanes; k++) {
        if (!eff_room(s))
            FAIL("too many effects");
        int32_t idx = k ? gk_x_add(s, l.idx, gk_x_int(s, k), 1) : l.idx;
        NODE(idx);
        int32_t n = gk_x_special(s, GK_X_STORE, GK_T_VOID, idx, v, (int32_t)s->epoch, (uint64_t)l.arr, s->cur_loop, 0);
        NODE(n);
        s->eff[s->neff++] = (gk_effect){GK_EFF_STORE, s->cur_loop, n};
        s->epoch++;
    }
    return GK_OK;
}

/* ---- calls ---- */

typedef struct {
    const char *name;
    int op, type, nargs;
    uint64_t imm;
} libm_fn;

static const libm_fn libm[] = {
    {"expf", GK_OP_EXP, GK_T_F32, 1, 0},      {"exp", GK_OP_EXP, GK_T_F64, 1, 0},
    {"exp2f", GK_OP_EXP2, GK_T_F32, 1, 0},    {"exp2", GK_OP_EXP2, GK_T_F64, 1, 0},
    {"expm1f", GK_OP_EXPM1, GK_T_F32, 1, 0},  {"expm1", GK_OP_EXPM1, GK_T_F64, 1, 0},
    {"logf", GK_OP_LOG, GK_T_F32, 1, 0},      {"log", GK_OP_LOG, GK_T_F64, 1, 0},
    {"log1pf", GK_OP_LOG1P, GK_T_F32, 1, 0},  {"log1p", GK_OP_LOG1P, GK_T_F64, 1, 0},
    {"tanhf", GK_OP_TANH, GK_T_F32, 1, 0},    {"tanh", GK_OP_TANH, GK_T_F64, 1, 0},
    {"erff", GK_OP_ERF, GK_T_F32, 1, 0},      {"erf", GK_OP_ERF, GK_T_F64, 1, 0},
    {"sqrtf", GK_OP_SQRT, GK_T_F32, 1, 0},    {"sqrt", GK_OP_SQRT, GK_T_F64, 1, 0},
    {"sinf", GK_OP_SIN, GK_T_F32, 1, 0},      {"sin", GK_OP_SIN, GK_T_F64, 1, 0},
    {"cosf", GK_OP_COS, GK_T_F32, 1, 0},      {"cos", GK_OP_COS, GK_T_F64, 1, 0},
    {"powf", GK_OP_POW, GK_T_F32, 2, 0},      {"pow", GK_OP_POW, GK_T_F64, 2, 0},
    {"fmaxf", GK_OP_FMAX, GK_T_F32, 2, 0},    {"fmax", GK_OP_FMAX, GK_T_F64, 2, 0},
    {"fminf", GK_OP_FMIN, GK_T_F32, 2, 0},    {"fmin", GK_OP_FMIN, GK_T_F64, 2, 0},
    {"fabsf", GK_OP_ABS, GK_T_F32, 1, 0},     {"fabs", GK_OP_ABS, GK_T_F64, 1, 0},
    {"rintf", GK_OP_ROUND, GK_T_F32, 1, 0},   {"nearbyintf", GK_OP_ROUND, GK_T_F32, 1, 0},
    {"floorf", GK_OP_ROUND, GK_T_F32, 1, 1},  {"floor", GK_OP_ROUND, GK_T_F64, 1, 1},
    {"ceilf", GK_OP_ROUND, GK_T_F32, 1, 2},   {"ceil", GK_OP_ROUND, GK_T_F64, 1, 2},
    {"truncf", GK_OP_ROUND, GK_T_F32, 1, 3},  {"trunc", GK_OP_ROUND, GK_T_F64, 1, 3},
    {"sincosf", GK_OP_SIN, GK_T_F32, 1, 0},   {"sincos", GK_OP_SIN, GK_T_F64, 1, 0},
    {"fmaf", GK_OP_FMA, GK_T_F32, 3, 0},      {"fma", GK_OP_FMA, GK_T_F64, 3, 0},
};

/* Sanitizer runtimes wrap libm functions in interceptors that forward to libm: the call
 * computes what the wrapped function does. */
static const char *interceptor_target(const char *name)
{
    static const char *const prefix[] = {"__interceptor_trampoline_", "___interceptor_", "__interceptor_"};
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
        if (!strncmp(name, prefix[i], strlen(prefix[i])))
            return name + strlen(prefix[i]);
    return name;
}

/* the function a call (or tail jump) reaches, its interceptor unwrapped; NULL if unknown */
static const char *callee_of(gk_sym *s, const gk_state *st, const gk_insn *in)
{
    const ZydisDecodedOperand *o = &in->op[0];
    const uint8_t *target = NULL;
    const void *slot = NULL;
    const char *name = NULL;
    int w, reg = o->type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(o->reg.value, &w) : -1;
    if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        target = in->addr + in->length + o->imm.value.s;
    else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY && mem_is_rip(o))
        slot = (const void *)rip_address(in, o);
    else if (reg >= 0 && w == 64 && st->gpr[reg] >= 0 && s->node[st->gpr[reg]].op == GK_X_FUNC)
        name = (const char *)(uintptr_t)s->node[st->gpr[reg]].imm;
    else
        return NULL;
    if (target && target >= s->code.lo && target < s->code.hi)
        return NULL;
    if (!name)
        name = callee_name(s, in, target, slot);
    return name ? interceptor_target(name) : NULL;
}

static gk_status do_call(gk_sym *s, gk_state *st, const gk_insn *in)
{
    const ZydisDecodedOperand *o = &in->op[0];
    const uint8_t *target = o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? in->addr + in->length + o->imm.value.s : NULL;
    int w, reg = o->type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(o->reg.value, &w) : -1;
    if (o->type != ZYDIS_OPERAND_TYPE_IMMEDIATE && !(o->type == ZYDIS_OPERAND_TYPE_MEMORY && mem_is_rip(o)) &&
        !(reg >= 0 && w == 64 && st->gpr[reg] >= 0 && s->node[st->gpr[reg]].op == GK_X_FUNC))
        FAIL("indirect call");
    if (target && target >= s->code.lo && target < s->code.hi)
        FAIL("call into the function itself");
    const char *name = callee_of(s, st, in);
    if (!name)
        FAIL("call to an unknown function");
    const libm_fn *f = NULL;
    for (size_t i = 0; i < sizeof libm / sizeof libm[0] && !f; i++)
        if (!strcmp(libm[i].name, name))
            f = &libm[i];
    if (!f)
        FAIL("call to %s, which is not a known math function", name);
    int32_t av[3] = {-1, -1, -1};
    for (int k = 0; k < f->nargs; k++) {
        av[k] = gk_x_retype(s, st->xmm[k], f->type);
        if (is_undef(s, st->xmm[k]) || av[k] < 0)
            FAIL("%s called with an undefined or mistyped argument", name);
    }
    int32_t a0 = av[0];
    int sincos = !strncmp(name, "sincos", 6);
    int32_t r = gk_x_node(s, f->op, f->type, av[0], av[1], av[2], f->imm);
    NODE(r);
    if (sincos) {
        int32_t c = gk_x_node(s, GK_OP_COS, f->type, a0, -1, -1, 0);
        NODE(c);
        const int32_t ptr[2] = {st->gpr[7], st->gpr[6]}; /* rdi: sin, rsi: cos */
        for (int k = 0; k < 2; k++) {
            loc l;
            if (is_undef(s, ptr[k]))
                FAIL("%s with an undefined pointer", name);
            GK_TRY(classify(s, in, ptr[k], 4, &l));
            if (l.kind != LOC_STACK)
                FAIL("%s writing to an array", name);
            GK_TRY(slot_write(s, in, st, l.off, f->type == GK_T_F32 ? 4 : 8, k ? c : r));
        }
    }
    /* the System V ABI: caller-saved registers are clobbered */
    static const int clobbered[] = {0, 1, 2, 6, 7, 8, 9, 10, 11};
    int32_t u = gk_x_undef(s, (uint64_t)(uintptr_t)in->addr);
    NODE(u);
    for (size_t i = 0; i < sizeof clobbered / sizeof clobbered[0]; i++)
        st->gpr[clobbered[i]] = u;
    for (int i = 0; i < 16; i++)
        st->xmm[i] = u;
    if (!sincos)
        st->xmm[0] = r;
    st->fl_kind = GK_FL_NONE;
    return GK_OK;
}

/* ---- instruction semantics ---- */

static int elem_type(ZydisMnemonic m, const char *name)
{
    size_t n = strlen(name);
    (void)m;
    if (n >= 2 && (name[n - 1] == 'd' || name[n - 1] == 'D') && (name[n - 2] == 's' || name[n - 2] == 'p' ||
                                                                name[n - 2] == 'S' || name[n - 2] == 'P'))
        return GK_T_F64;
    return GK_T_F32;
}

/* the trailing immediate of an instruction, which must be there */
static gk_status last_imm(gk_sym *s, const gk_insn *in, int min_ops, uint64_t *imm)
{
    int n = in->nop;
    if (n < min_ops || in->op[n - 1].type != ZYDIS_OPERAND_TYPE_IMMEDIATE)
        FAIL("unexpected operand form");
    *imm = in->op[n - 1].imm.value.u;
    return GK_OK;
}

/* {lt, eq, gt, unordered} sets of the cmpps predicates 0..15 */
static const uint8_t cmp_pred[16] = {2, 1, 3, 8, 13, 14, 12, 7, 10, 9, 11, 0, 5, 6, 4, 15};

/* a float operation's two inputs: SSE "op dst, src" or VEX "op dst, a, b" */
static int vex3(const gk_insn *in) { return in->nop >= 3 && in->op[2].type != ZYDIS_OPERAND_TYPE_IMMEDIATE; }

static gk_status wr_xmm(gk_sym *s, gk_state *st, const gk_insn *in, int32_t v)
{
    int x = xmm_id(in->op[0].reg.value);
    if (in->nop < 1 || in->op[0].type != ZYDIS_OPERAND_TYPE_REGISTER || x < 0)
        FAIL("expected an xmm destination");
    NODE(v);
    st->xmm[x] = v;
    return GK_OK;
}

static gk_status float_binop(gk_sym *s, gk_state *st, const gk_insn *in, int op, int type)
{
    int32_t a, b;
    GK_TRY(rd_float(s, st, in, vex3(in) ? 1 : 0, type, &a));
    GK_TRY(rd_float(s, st, in, vex3(in) ? 2 : 1, type, &b));
    GK_TRY(need(s, in, a));
    GK_TRY(need(s, in, b));
    return wr_xmm(s, st, in, gk_x_node(s, op, type, a, b, -1, 0));
}

/* bit operations take the type of the operand that is not a constant */
static gk_status float_bitop(gk_sym *s, gk_state *st, const gk_insn *in, int op)
{
    if (in->nop < 2)
        FAIL("unexpected operand form");
    int ka = vex3(in) ? 1 : 0, kb = ka + 1;
    if (in->op[ka].type == ZYDIS_OPERAND_TYPE_REGISTER && in->op[kb].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        in->op[ka].reg.value == in->op[kb].reg.value && (op == GK_OP_XOR || op == GK_OP_ANDN))
        return wr_xmm(s, st, in, gk_x_const(s, GK_T_F64, 0)); /* zero idiom: reads nothing */
    int type = GK_T_F32;
    for (int k = ka; k <= kb; k++)
        if (in->op[k].type == ZYDIS_OPERAND_TYPE_REGISTER) {
            int x = xmm_id(in->op[k].reg.value);
            if (x >= 0 && !is_undef(s, st->xmm[x]) && s->node[st->xmm[x]].op != GK_OP_CONST)
                type = s->node[st->xmm[x]].type;
        }
    if (type == GK_T_F32 && strstr(ZydisMnemonicGetString(in->mnemonic), "PD"))
        type = GK_T_F64;
    for (int k = ka; k <= kb; k++)
        if (in->op[k].type == ZYDIS_OPERAND_TYPE_REGISTER) {
            int x = xmm_id(in->op[k].reg.value);
            if (x >= 0 && !is_undef(s, st->xmm[x]) && s->node[st->xmm[x]].op != GK_OP_CONST &&
                s->node[st->xmm[x]].type != type)
                FAIL("bit operation on mixed float and double values");
        }
    int32_t a, b;
    if (in->op[kb].type == ZYDIS_OPERAND_TYPE_MEMORY && mem_is_rip(&in->op[kb])) {
        uint64_t bits = 0;
        GK_TRY(rodata(s, in, &in->op[kb], 8, &bits));
        b = gk_x_const(s, type, bits);
    } else
        GK_TRY(rd_float(s, st, in, kb, type, &b));
    GK_TRY(rd_float(s, st, in, ka, type, &a));
    GK_TRY(need(s, in, a));
    GK_TRY(need(s, in, b));
    return wr_xmm(s, st, in, gk_x_node(s, op, type, a, b, -1, 0));
}

static gk_status fma_op(gk_sym *s, gk_state *st, const gk_insn *in, const char *name)
{
    /* vfXXXNNNss: NNN says which operands multiply and which is added */
    int type = elem_type(in->mnemonic, name);
    int32_t v[3];
    for (int k = 0; k < 3; k++) {
        GK_TRY(rd_float(s, st, in, k, type, &v[k]));
        GK_TRY(need(s, in, v[k]));
    }
    const char *digits = strpbrk(name, "123");
    if (!digits)
        FAIL("unknown FMA form");
    int32_t m1 = v[digits[0] - '1'], m2 = v[digits[1] - '1'], ad = v[digits[2] - '1'];
    int negmul = strstr(name, "fnm") || strstr(name, "FNM");
    int subadd = strstr(name, "sub") || strstr(name, "SUB");
    if (negmul)
        m1 = gk_x_node(s, GK_OP_NEG, type, m1, -1, -1, 0);
    if (subadd)
        ad = gk_x_node(s, GK_OP_NEG, type, ad, -1, -1, 0);
    NODE(m1);
    NODE(ad);
    return wr_xmm(s, st, in, gk_x_node(s, GK_OP_FMA, type, m1, m2, ad, 0));
}

static gk_status set_iflags(gk_state *st, int32_t x, int32_t y, int zs)
{
    st->fl_bittest = 0;
    st->fl_kind = GK_FL_ICMP;
    st->fl_x = x;
    st->fl_y = y;
    st->fl_zs_only = zs;
    return GK_OK;
}

/* sign-extension of a 32-bit value: a no-op on polynomials (sizes and indices do not wrap),
 * real on 32-bit bit patterns */
static int32_t sext32(gk_sym *s, int32_t v)
{
    if (is_undef(s, v) || !s->node[v].w32)
        return v;
    return gk_x_intop(s, GK_OP_SEXT, v, gk_x_special(s, GK_OP_CONST, GK_T_I64, -1, -1, -1, 32, -1, 32), 0);
}

static gk_status int_alu(gk_sym *s, gk_state *st, const gk_insn *in)
{
    ZydisMnemonic m = in->mnemonic;
    int w = in->op[0].size;
    int32_t a, b, r = -1;
    if ((m == ZYDIS_MNEMONIC_XOR || m == ZYDIS_MNEMONIC_SUB) && in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        in->op[1].type == ZYDIS_OPERAND_TYPE_REGISTER && in->op[0].reg.value == in->op[1].reg.value) {
        r = gk_x_int(s, 0);
        NODE(r);
        set_iflags(st, r, r, 0);
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    }
    int nops = in->nop;
    if (m == ZYDIS_MNEMONIC_IMUL && nops != 2 && nops != 3)
        FAIL("unsupported multiply form");
    GK_TRY(rd_int(s, st, in, m == ZYDIS_MNEMONIC_IMUL && nops == 3 ? 1 : 0, &a));
    if (m == ZYDIS_MNEMONIC_INC || m == ZYDIS_MNEMONIC_DEC || m == ZYDIS_MNEMONIC_NEG || m == ZYDIS_MNEMONIC_NOT)
        b = gk_x_int(s, 0);
    else
        GK_TRY(rd_int(s, st, in, m == ZYDIS_MNEMONIC_IMUL && nops == 3 ? 2 : 1, &b));
    GK_TRY(need(s, in, a));
    GK_TRY(need(s, in, b));
    int w32 = w == 32;
    switch (m) {
    case ZYDIS_MNEMONIC_ADD: r = gk_x_add(s, a, b, 1); break;
    case ZYDIS_MNEMONIC_SUB: r = gk_x_add(s, a, b, -1); break;
    case ZYDIS_MNEMONIC_INC: r = gk_x_add(s, a, gk_x_int(s, 1), 1); break;
    case ZYDIS_MNEMONIC_DEC: r = gk_x_add(s, a, gk_x_int(s, 1), -1); break;
    case ZYDIS_MNEMONIC_NEG: r = gk_x_add(s, b, a, -1); break;
    case ZYDIS_MNEMONIC_NOT: r = gk_x_intop(s, GK_OP_IXOR, a, gk_x_int(s, -1), w32); break;
    case ZYDIS_MNEMONIC_AND: r = gk_x_intop(s, GK_OP_IAND, a, b, w32); break;
    case ZYDIS_MNEMONIC_OR: r = gk_x_intop(s, GK_OP_IOR, a, b, w32); break;
    case ZYDIS_MNEMONIC_XOR: r = gk_x_intop(s, GK_OP_IXOR, a, b, w32); break;
    case ZYDIS_MNEMONIC_SHL: {
        int64_t k;
        if (gk_x_is_const_int(s, b, &k) && k >= 0 && k < 32)
            r = gk_x_mul(s, a, gk_x_int(s, (int64_t)1 << k));
        else
            r = gk_x_intop(s, GK_OP_ISHL, a, b, w32);
        break;
    }
    case ZYDIS_MNEMONIC_SHR: r = gk_x_intop(s, GK_OP_ISHR, a, b, w32); break;
    case ZYDIS_MNEMONIC_SAR: r = gk_x_intop(s, GK_OP_ISAR, a, b, w32); break;
    case ZYDIS_MNEMONIC_IMUL:
        r = gk_x_mul(s, a, b);
        break;
    default: FAIL("unsupported integer instruction");
    }
    NODE(r);
    if (m == ZYDIS_MNEMONIC_SUB)
        set_iflags(st, a, b, 0);
    else
        set_iflags(st, r, gk_x_int(s, 0), 1);
    if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY)
        return wr_mem(s, st, in, &in->op[0], w / 8, r);
    return wr_gpr(s, st, in, in->op[0].reg.value, r);
}

static gk_status push(gk_sym *s, gk_state *st, const gk_insn *in, int32_t v)
{
    int32_t sp = gk_x_add(s, st->gpr[REG_RSP], gk_x_int(s, 8), -1);
    NODE(sp);
    st->gpr[REG_RSP] = sp;
    loc l;
    GK_TRY(classify(s, in, sp, 1, &l));
    return slot_write(s, in, st, l.off, 8, v);
}

static gk_status pop(gk_sym *s, gk_state *st, const gk_insn *in, int32_t *v)
{
    loc l;
    GK_TRY(classify(s, in, st->gpr[REG_RSP], 1, &l));
    if (l.kind != LOC_STACK)
        FAIL("stack pointer is not on the stack");
    *v = slot_read(s, st, l.off, (uint64_t)(uintptr_t)in->addr);
    int32_t sp = gk_x_add(s, st->gpr[REG_RSP], gk_x_int(s, 8), 1);
    NODE(sp);
    st->gpr[REG_RSP] = sp;
    return GK_OK;
}

static gk_status mov_float(gk_sym *s, gk_state *st, const gk_insn *in, int type, int size)
{
    if (in->nop < 2)
        FAIL("unexpected operand form");
    const ZydisDecodedOperand *d = &in->op[0];
    int ks = vex3(in) ? 2 : 1;
    const ZydisDecodedOperand *src = &in->op[ks];
    if (d->type == ZYDIS_OPERAND_TYPE_MEMORY) {
        int x = xmm_id(src->reg.value);
        if (src->type != ZYDIS_OPERAND_TYPE_REGISTER || x < 0)
            FAIL("unsupported store");
        if (size == 16)
            size = d->size / 8; /* xmm or ymm */
        int32_t v = st->xmm[x];
        if (size <= 8 && !is_undef(s, v)) {
            v = gk_x_retype(s, v, type);
            if (v < 0)
                FAIL("stores a value of another type");
        }
        return wr_mem(s, st, in, d, size, v);
    }
    if (src->type == ZYDIS_OPERAND_TYPE_MEMORY && size == 16) {
        /* a 16-byte load: only the low lane is tracked */
        if (mem_is_rip(src)) {
            int32_t c = -1;
            GK_TRY(vector_const(s, in, src, src->size / 8, &c));
            return wr_xmm(s, st, in, c);
        }
        loc l;
        GK_TRY(locate(s, st, in, src, &l));
        if (l.kind != LOC_STACK)
            FAIL("vector load from an array");
        return wr_xmm(s, st, in, slot_read(s, st, l.off, (uint64_t)(uintptr_t)in->addr));
    }
    if (src->type == ZYDIS_OPERAND_TYPE_REGISTER && size == 16) {
        int x = xmm_id(src->reg.value);
        if (x < 0)
            FAIL("unsupported move");
        return wr_xmm(s, st, in, st->xmm[x]);
    }
    int32_t v;
    GK_TRY(rd_float(s, st, in, ks, type, &v));
    return wr_xmm(s, st, in, v);
}

static int cc_pred_float(ZydisMnemonic cc);

/* the float bits behind an integer register value (movd of a float), or -1 */
static int32_t float_bits_of(gk_sym *s, int32_t v)
{
    const gk_poly *p = gk_x_poly(s, v);
    if (!p || p->n != 1 || p->t[0].c != 1 || p->t[0].at[1])
        return -1;
    const gk_node *a = &s->node[p->t[0].at[0]];
    return a->op == GK_OP_BITCAST && s->node[a->a].type == GK_T_F32 ? a->a : -1;
}

/* the float-compare predicate a cmovcc / setcc tests, -1 if not one after ucomiss */
static int cc_pred_of(ZydisMnemonic m)
{
    static const ZydisMnemonic map[][2] = {
        {ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_JB}, {ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_JBE},
        {ZYDIS_MNEMONIC_CMOVNB, ZYDIS_MNEMONIC_JNB}, {ZYDIS_MNEMONIC_CMOVNBE, ZYDIS_MNEMONIC_JNBE},
        {ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_JZ}, {ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_JNZ},
        {ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_JP}, {ZYDIS_MNEMONIC_CMOVNP, ZYDIS_MNEMONIC_JNP},
        {ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_JB}, {ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_JBE},
        {ZYDIS_MNEMONIC_SETNB, ZYDIS_MNEMONIC_JNB}, {ZYDIS_MNEMONIC_SETNBE, ZYDIS_MNEMONIC_JNBE},
        {ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_JZ}, {ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_JNZ},
        {ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_JP}, {ZYDIS_MNEMONIC_SETNP, ZYDIS_MNEMONIC_JNP}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i][0] == m)
            return cc_pred_float(map[i][1]);
    return -1;
}

/* 1 or 0: whether the float compare in the flags satisfies pred */
static int32_t fcmp_bit(gk_sym *s, const gk_state *st, int pred)
{
    int type = s->node[st->fl_x].type;
    int32_t cond = gk_x_node(s, GK_OP_CMP, type, st->fl_x, st->fl_y, -1, (uint64_t)pred);
    int32_t bc = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, cond, -1, -1, 0);
    return gk_x_intop(s, GK_OP_IAND, gk_x_atom(s, bc), gk_x_int(s, 1), 0);
}

/* cmovcc after ucomiss: a select between float bit patterns (gcc's branchless float select),
 * or between integers as d + (s - d) * bit */
static gk_status cmov_float(gk_sym *s, gk_state *st, const gk_insn *in)
{
    int pred = cc_pred_of(in->mnemonic);
    if (st->fl_kind != GK_FL_FCMP || pred < 0 || in->op[0].size < 32)
        FAIL("conditional move on integer flags");
    int32_t d, src;
    GK_TRY(rd_int(s, st, in, 0, &d));
    GK_TRY(rd_int(s, st, in, 1, &src));
    GK_TRY(need(s, in, d));
    GK_TRY(need(s, in, src));
    int32_t fd = float_bits_of(s, d), fs = float_bits_of(s, src);
    if (fd >= 0 && fs >= 0 && s->node[st->fl_x].type == GK_T_F32 && in->op[0].size == 32) {
        int32_t cond = gk_x_node(s, GK_OP_CMP, GK_T_F32, st->fl_x, st->fl_y, -1, (uint64_t)pred);
        NODE(cond);
        int32_t sel = gk_x_node(s, GK_OP_SELECT, GK_T_F32, cond, fs, fd, 0);
        NODE(sel);
        int32_t bc = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, sel, -1, -1, 0);
        NODE(bc);
        s->node[bc].w32 = 1;
        return wr_gpr(s, st, in, in->op[0].reg.value, gk_x_atom(s, bc));
    }
    int32_t bit = fcmp_bit(s, st, pred);
    NODE(bit);
    int32_t r = gk_x_add(s, d, gk_x_mul(s, gk_x_add(s, src, d, -1), bit), 1);
    NODE(r);
    return wr_gpr(s, st, in, in->op[0].reg.value, r);
}

/* setcc r8 after ucomiss, into a register whose low byte is known to be 0 (xor eax, eax) */
static gk_status setcc_float(gk_sym *s, gk_state *st, const gk_insn *in)
{
    int pred = cc_pred_of(in->mnemonic), w;
    int reg = in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(in->op[0].reg.value, &w) : -1;
    int64_t old;
    if (st->fl_kind != GK_FL_FCMP || pred < 0 || reg < 0 || w != 8 ||
        (in->op[0].reg.value >= ZYDIS_REGISTER_AH && in->op[0].reg.value <= ZYDIS_REGISTER_BH))
        FAIL("unsupported setcc");
    int32_t bit = fcmp_bit(s, st, pred), r;
    NODE(bit);
    if (gk_x_is_const_int(s, st->gpr[reg], &old) && !(old & 0xff))
        r = gk_x_add(s, st->gpr[reg], bit, 1);
    else /* only the low byte is known: movzx reads it */
        r = gk_x_special(s, GK_X_BYTE, GK_T_I64, bit, -1, -1, 0, s->node[bit].scope, 0);
    NODE(r);
    st->gpr[reg] = r;
    return GK_OK;
}

/* The binary float operation of an SSE or VEX arithmetic mnemonic: [v] + stem + {s,p}{s,d}
 * (addss, vmaxpd, ...; packed forms track lane 0), -1 if it is not one. */
static int float_binop_of(const char *name)
{
    static const struct {
        char stem[4];
        int op;
    } stems[] = {{"add", GK_OP_ADD}, {"sub", GK_OP_SUB}, {"mul", GK_OP_MUL},
                 {"div", GK_OP_DIV}, {"min", GK_OP_MIN}, {"max", GK_OP_MAX}};
    const char *p = name + (name[0] == 'v');
    if (strlen(p) != 5 || (p[3] != 's' && p[3] != 'p') || (p[4] != 's' && p[4] != 'd'))
        return -1;
    for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++)
        if (!memcmp(p, stems[i].stem, 3))
            return stems[i].op;
    return -1;
}

static gk_status exec_insn(exec *e, gk_state *st, const gk_insn *in)
{
    gk_sym *s = e->s;
    ZydisMnemonic m = in->mnemonic;
    const char *name = ZydisMnemonicGetString(m);
    int32_t a, b, r;
    switch (m) {
    case ZYDIS_MNEMONIC_NOP:
    case ZYDIS_MNEMONIC_ENDBR64:
    case ZYDIS_MNEMONIC_VZEROUPPER:
    case ZYDIS_MNEMONIC_PREFETCHT0:
    case ZYDIS_MNEMONIC_PREFETCHT1:
    case ZYDIS_MNEMONIC_PREFETCHT2:
    case ZYDIS_MNEMONIC_PREFETCHNTA:
        return GK_OK;
    case ZYDIS_MNEMONIC_XCHG:
        if (in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER && in->op[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            in->op[0].reg.value == in->op[1].reg.value)
            return GK_OK;
        FAIL("unsupported instruction");
    case ZYDIS_MNEMONIC_MOV:
        GK_TRY(rd_int(s, st, in, 1, &r));
        if (in->op[0].type == ZYDIS_OPERAND_TYPE_MEMORY)
            return wr_mem(s, st, in, &in->op[0], in->op[0].size / 8, r);
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    case ZYDIS_MNEMONIC_MOVZX: {
        /* movzx r32, r8 of a setcc result */
        int w, src = in->op[1].type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(in->op[1].reg.value, &w) : -1;
        if (src < 0 || w != 8 || (in->op[1].reg.value >= ZYDIS_REGISTER_AH && in->op[1].reg.value <= ZYDIS_REGISTER_BH))
            FAIL("unsupported zero extension");
        int32_t v = st->gpr[src];
        if (v >= 0 && s->node[v].op == GK_X_BYTE)
            r = s->node[v].a;
        else {
            GK_TRY(need(s, in, v));
            r = gk_x_intop(s, GK_OP_IAND, v, gk_x_int(s, 0xff), 0);
        }
        NODE(r);
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    }
    case ZYDIS_MNEMONIC_MOVSXD:
    case ZYDIS_MNEMONIC_CDQE:
        if (m == ZYDIS_MNEMONIC_CDQE)
            return wr_gpr(s, st, in, ZYDIS_REGISTER_RAX, sext32(s, st->gpr[0]));
        if (in->op[1].size != 32)
            FAIL("unsupported sign extension");
        GK_TRY(rd_int(s, st, in, 1, &r));
        return wr_gpr(s, st, in, in->op[0].reg.value, sext32(s, r));
    case ZYDIS_MNEMONIC_CQO:
    case ZYDIS_MNEMONIC_CDQ:
        GK_TRY(need(s, in, st->gpr[0]));
        r = gk_x_intop(s, GK_OP_ISAR, st->gpr[0], gk_x_int(s, m == ZYDIS_MNEMONIC_CQO ? 63 : 31), m == ZYDIS_MNEMONIC_CDQ);
        NODE(r);
        st->gpr[2] = r;
        return GK_OK;
    case ZYDIS_MNEMONIC_IDIV: {
        int w32 = in->op[0].size == 32;
        GK_TRY(rd_int(s, st, in, 0, &b));
        GK_TRY(need(s, in, b));
        GK_TRY(need(s, in, st->gpr[0]));
        a = st->gpr[0];
        int32_t q = gk_x_intop(s, GK_OP_IDIV, a, b, w32), rem = gk_x_intop(s, GK_OP_IREM, a, b, w32);
        NODE(q);
        NODE(rem);
        st->gpr[0] = q;
        st->gpr[2] = rem;
        st->fl_kind = GK_FL_NONE;
        return GK_OK;
    }
    case ZYDIS_MNEMONIC_LEA: {
        if (in->op[0].size < 32)
            FAIL("unsupported lea");
        if (mem_is_rip(&in->op[1])) {
            const uint8_t *target = (const uint8_t *)rip_address(in, &in->op[1]);
            if (in->op[0].size != 64 || !(gk_mem_flags(target, 1) & GK_MEM_X))
                FAIL("unsupported base register");
            GK_TRY(func_addr(s, in, target, NULL, &r));
        } else
            GK_TRY(address(s, st, in, &in->op[1], &r));
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    }
    case ZYDIS_MNEMONIC_ADD:
    case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_INC:
    case ZYDIS_MNEMONIC_DEC:
    case ZYDIS_MNEMONIC_NEG:
    case ZYDIS_MNEMONIC_NOT:
    case ZYDIS_MNEMONIC_AND:
    case ZYDIS_MNEMONIC_OR:
    case ZYDIS_MNEMONIC_XOR:
    case ZYDIS_MNEMONIC_SHL:
    case ZYDIS_MNEMONIC_SHR:
    case ZYDIS_MNEMONIC_SAR:
    case ZYDIS_MNEMONIC_IMUL:
        if (in->op[0].size < 32)
            FAIL("partial register arithmetic");
        return int_alu(s, st, in);
    case ZYDIS_MNEMONIC_CMP:
    case ZYDIS_MNEMONIC_TEST:
        if (m == ZYDIS_MNEMONIC_TEST && in->op[0].type == ZYDIS_OPERAND_TYPE_REGISTER && in->op[0].size == 8 &&
            in->op[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE && in->op[1].imm.value.s >= 0 &&
            in->op[1].imm.value.s < 0x80) {
            int w, reg = gpr_id(in->op[0].reg.value, &w);
            ZydisRegisterClass rc = ZydisRegisterGetClass(in->op[0].reg.value);
            /* low byte only (not ah..bh): test r8, imm < 0x80 sets ZF/SF as on the full register */
            if (reg < 0 || (rc == ZYDIS_REGCLASS_GPR8 && in->op[0].reg.value >= ZYDIS_REGISTER_AH &&
                            in->op[0].reg.value <= ZYDIS_REGISTER_BH))
                FAIL("unsupported register");
            GK_TRY(need(s, in, st->gpr[reg]));
            r = gk_x_intop(s, GK_OP_IAND, st->gpr[reg], gk_x_int(s, in->op[1].imm.value.s), 0);
            NODE(r);
            set_iflags(st, r, gk_x_int(s, 0), 1);
            st->fl_bittest = 1;
            return GK_OK;
        }
        GK_TRY(rd_int(s, st, in, 0, &a));
        GK_TRY(rd_int(s, st, in, 1, &b));
        GK_TRY(need(s, in, a));
        GK_TRY(need(s, in, b));
        if (m == ZYDIS_MNEMONIC_CMP)
            return set_iflags(st, a, b, 0);
        r = a == b ? a : gk_x_intop(s, GK_OP_IAND, a, b, in->op[0].size == 32);
        NODE(r);
        set_iflags(st, r, gk_x_int(s, 0), 1);
        st->fl_bittest = a != b;
        return GK_OK;
    case ZYDIS_MNEMONIC_PUSH:
        GK_TRY(rd_int(s, st, in, 0, &r));
        return push(s, st, in, r);
    case ZYDIS_MNEMONIC_POP:
        GK_TRY(pop(s, st, in, &r));
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    case ZYDIS_MNEMONIC_LEAVE:
        st->gpr[REG_RSP] = st->gpr[5];
        GK_TRY(pop(s, st, in, &r));
        st->gpr[5] = r;
        return GK_OK;
    case ZYDIS_MNEMONIC_CALL:
        return do_call(s, st, in);
    case ZYDIS_MNEMONIC_CMOVB: case ZYDIS_MNEMONIC_CMOVBE: case ZYDIS_MNEMONIC_CMOVNB: case ZYDIS_MNEMONIC_CMOVNBE:
    case ZYDIS_MNEMONIC_CMOVZ: case ZYDIS_MNEMONIC_CMOVNZ: case ZYDIS_MNEMONIC_CMOVP: case ZYDIS_MNEMONIC_CMOVNP:
        return cmov_float(s, st, in);
    case ZYDIS_MNEMONIC_SBB:
    case ZYDIS_MNEMONIC_ADC: {
        /* the carry of ucomiss (less or unordered) as a 0/1 integer: clang's count of x == inf */
        if (st->fl_kind != GK_FL_FCMP || in->op[0].type != ZYDIS_OPERAND_TYPE_REGISTER || in->op[0].size < 32)
            FAIL("add/subtract with carry that is not a float compare's");
        GK_TRY(rd_int(s, st, in, 0, &a));
        GK_TRY(rd_int(s, st, in, 1, &b));
        GK_TRY(need(s, in, a));
        GK_TRY(need(s, in, b));
        int32_t cf = fcmp_bit(s, st, 1 | 8);
        NODE(cf);
        int sign = m == ZYDIS_MNEMONIC_SBB ? -1 : 1;
        r = gk_x_add(s, gk_x_add(s, a, b, sign), cf, sign);
        NODE(r);
        st->fl_kind = GK_FL_NONE;
        return wr_gpr(s, st, in, in->op[0].reg.value, r);
    }
    case ZYDIS_MNEMONIC_SETB: case ZYDIS_MNEMONIC_SETBE: case ZYDIS_MNEMONIC_SETNB: case ZYDIS_MNEMONIC_SETNBE:
    case ZYDIS_MNEMONIC_SETZ: case ZYDIS_MNEMONIC_SETNZ: case ZYDIS_MNEMONIC_SETP: case ZYDIS_MNEMONIC_SETNP:
        return setcc_float(s, st, in);

    /* float arithmetic (add, sub, mul, div, min, max: in the default case, by name) */
    case ZYDIS_MNEMONIC_SQRTSS: case ZYDIS_MNEMONIC_SQRTSD: case ZYDIS_MNEMONIC_SQRTPS: case ZYDIS_MNEMONIC_SQRTPD:
    case ZYDIS_MNEMONIC_VSQRTSS: case ZYDIS_MNEMONIC_VSQRTSD: case ZYDIS_MNEMONIC_VSQRTPS: case ZYDIS_MNEMONIC_VSQRTPD:
    case ZYDIS_MNEMONIC_RSQRTSS: case ZYDIS_MNEMONIC_RSQRTPS: case ZYDIS_MNEMONIC_VRSQRTSS: case ZYDIS_MNEMONIC_VRSQRTPS:
    case ZYDIS_MNEMONIC_RCPSS: case ZYDIS_MNEMONIC_RCPPS: case ZYDIS_MNEMONIC_VRCPSS: case ZYDIS_MNEMONIC_VRCPPS: {
        int type = elem_type(m, name);
        int op = strstr(name, "rsqrt") ? GK_OP_RSQRT : strstr(name, "rcp") ? GK_OP_RECIP : GK_OP_SQRT;
        GK_TRY(rd_float(s, st, in, vex3(in) ? 2 : 1, type, &a));
        GK_TRY(need(s, in, a));
        return wr_xmm(s, st, in, gk_x_node(s, op, type, a, -1, -1, 0));
    }
    case ZYDIS_MNEMONIC_ROUNDSS: case ZYDIS_MNEMONIC_ROUNDSD: case ZYDIS_MNEMONIC_ROUNDPS: case ZYDIS_MNEMONIC_ROUNDPD:
    case ZYDIS_MNEMONIC_VROUNDSS: case ZYDIS_MNEMONIC_VROUNDSD: case ZYDIS_MNEMONIC_VROUNDPS: case ZYDIS_MNEMONIC_VROUNDPD: {
        int type = elem_type(m, name), n = in->nop;
        uint64_t imm = 0;
        GK_TRY(last_imm(s, in, 3, &imm));
        GK_TRY(rd_float(s, st, in, n - 2, type, &a));
        GK_TRY(need(s, in, a));
        return wr_xmm(s, st, in, gk_x_node(s, GK_OP_ROUND, type, a, -1, -1, (imm & 4) ? 0 : (imm & 3)));
    }
    case ZYDIS_MNEMONIC_ANDPS: case ZYDIS_MNEMONIC_ANDPD: case ZYDIS_MNEMONIC_PAND:
    case ZYDIS_MNEMONIC_VANDPS: case ZYDIS_MNEMONIC_VANDPD: case ZYDIS_MNEMONIC_VPAND:
        return float_bitop(s, st, in, GK_OP_AND);
    case ZYDIS_MNEMONIC_ANDNPS: case ZYDIS_MNEMONIC_ANDNPD: case ZYDIS_MNEMONIC_PANDN:
    case ZYDIS_MNEMONIC_VANDNPS: case ZYDIS_MNEMONIC_VANDNPD: case ZYDIS_MNEMONIC_VPANDN:
        return float_bitop(s, st, in, GK_OP_ANDN);
    case ZYDIS_MNEMONIC_ORPS: case ZYDIS_MNEMONIC_ORPD: case ZYDIS_MNEMONIC_POR:
    case ZYDIS_MNEMONIC_VORPS: case ZYDIS_MNEMONIC_VORPD: case ZYDIS_MNEMONIC_VPOR:
        return float_bitop(s, st, in, GK_OP_OR);
    case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_XORPD: case ZYDIS_MNEMONIC_PXOR:
    case ZYDIS_MNEMONIC_VXORPS: case ZYDIS_MNEMONIC_VXORPD: case ZYDIS_MNEMONIC_VPXOR:
        return float_bitop(s, st, in, GK_OP_XOR);
    case ZYDIS_MNEMONIC_CMPSS: case ZYDIS_MNEMONIC_CMPSD: case ZYDIS_MNEMONIC_CMPPS: case ZYDIS_MNEMONIC_CMPPD:
    case ZYDIS_MNEMONIC_VCMPSS: case ZYDIS_MNEMONIC_VCMPSD: case ZYDIS_MNEMONIC_VCMPPS: case ZYDIS_MNEMONIC_VCMPPD: {
        int type = elem_type(m, name), n = in->nop;
        uint64_t imm = 0;
        GK_TRY(last_imm(s, in, 3, &imm));
        GK_TRY(rd_float(s, st, in, n - 3, type, &a));
        GK_TRY(rd_float(s, st, in, n - 2, type, &b));
        GK_TRY(need(s, in, a));
        GK_TRY(need(s, in, b));
        return wr_xmm(s, st, in, gk_x_node(s, GK_OP_CMP, type, a, b, -1, cmp_pred[imm & 15]));
    }
    case ZYDIS_MNEMONIC_BLENDVPS: case ZYDIS_MNEMONIC_BLENDVPD:
    case ZYDIS_MNEMONIC_VBLENDVPS: case ZYDIS_MNEMONIC_VBLENDVPD: {
        int type = elem_type(m, name), v = !in->legacy;
        int32_t mask;
        GK_TRY(rd_float(s, st, in, v ? 1 : 0, type, &a));
        GK_TRY(rd_float(s, st, in, v ? 2 : 1, type, &b));
        if (v)
            GK_TRY(rd_float(s, st, in, 3, type, &mask));
        else
            mask = gk_x_retype(s, st->xmm[0], type);
        GK_TRY(need(s, in, a));
        GK_TRY(need(s, in, b));
        GK_TRY(need(s, in, mask));
        return wr_xmm(s, st, in, gk_x_node(s, GK_OP_SELECT, type, mask, b, a, 0));
    }
    case ZYDIS_MNEMONIC_BLENDPS: case ZYDIS_MNEMONIC_BLENDPD:
    case ZYDIS_MNEMONIC_VBLENDPS: case ZYDIS_MNEMONIC_VBLENDPD: {
        int type = elem_type(m, name), n = in->nop;
        uint64_t imm = 0;
        GK_TRY(last_imm(s, in, 3, &imm));
        GK_TRY(rd_float(s, st, in, (imm & 1) ? n - 2 : n - 3, type, &a));
        return wr_xmm(s, st, in, a);
    }
    case ZYDIS_MNEMONIC_UCOMISS: case ZYDIS_MNEMONIC_UCOMISD: case ZYDIS_MNEMONIC_COMISS: case ZYDIS_MNEMONIC_COMISD:
    case ZYDIS_MNEMONIC_VUCOMISS: case ZYDIS_MNEMONIC_VUCOMISD: case ZYDIS_MNEMONIC_VCOMISS: case ZYDIS_MNEMONIC_VCOMISD: {
        int type = (m == ZYDIS_MNEMONIC_UCOMISD || m == ZYDIS_MNEMONIC_COMISD || m == ZYDIS_MNEMONIC_VUCOMISD ||
                    m == ZYDIS_MNEMONIC_VCOMISD) ? GK_T_F64 : GK_T_F32;
        GK_TRY(rd_float(s, st, in, 0, type, &a));
        GK_TRY(rd_float(s, st, in, 1, type, &b));
        GK_TRY(need(s, in, a));
        GK_TRY(need(s, in, b));
        st->fl_kind = GK_FL_FCMP;
        st->fl_x = a;
        st->fl_y = b;
        return GK_OK;
    }
    case ZYDIS_MNEMONIC_MOVSS: case ZYDIS_MNEMONIC_VMOVSS:
        return mov_float(s, st, in, GK_T_F32, 4);
    case ZYDIS_MNEMONIC_MOVSD: case ZYDIS_MNEMONIC_VMOVSD:
        return mov_float(s, st, in, GK_T_F64, 8);
    case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVAPD: case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVUPD:
    case ZYDIS_MNEMONIC_MOVDQA: case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_VMOVAPS: case ZYDIS_MNEMONIC_VMOVAPD:
    case ZYDIS_MNEMONIC_VMOVUPS: case ZYDIS_MNEMONIC_VMOVUPD: case ZYDIS_MNEMONIC_VMOVDQA: case ZYDIS_MNEMONIC_VMOVDQU:
        return mov_float(s, st, in, GK_T_F32, 16);
    case ZYDIS_MNEMONIC_MOVD: case ZYDIS_MNEMONIC_MOVQ: case ZYDIS_MNEMONIC_VMOVD: case ZYDIS_MNEMONIC_VMOVQ: {
        int q = m == ZYDIS_MNEMONIC_MOVQ || m == ZYDIS_MNEMONIC_VMOVQ, type = q ? GK_T_F64 : GK_T_F32;
        const ZydisDecodedOperand *d = &in->op[0], *src = &in->op[1];
        int dx = d->type == ZYDIS_OPERAND_TYPE_REGISTER ? xmm_id(d->reg.value) : -1;
        int sx = src->type == ZYDIS_OPERAND_TYPE_REGISTER ? xmm_id(src->reg.value) : -1;
        int w;
        if (dx >= 0 && src->type == ZYDIS_OPERAND_TYPE_REGISTER && gpr_id(src->reg.value, &w) >= 0) {
            GK_TRY(need(s, in, st->gpr[gpr_id(src->reg.value, &w)]));
            return wr_xmm(s, st, in, gk_x_node(s, GK_OP_BITCAST, type, st->gpr[gpr_id(src->reg.value, &w)], -1, -1, 0));
        }
        if (sx >= 0 && d->type == ZYDIS_OPERAND_TYPE_REGISTER && gpr_id(d->reg.value, &w) >= 0) {
            GK_TRY(rd_float(s, st, in, 1, type, &a));
            GK_TRY(need(s, in, a));
            r = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, a, -1, -1, 0);
            NODE(r);
            s->node[r].w32 = !q;
            return wr_gpr(s, st, in, d->reg.value, gk_x_atom(s, r));
        }
        return mov_float(s, st, in, type, q ? 8 : 4);
    }
    case ZYDIS_MNEMONIC_CVTSS2SD: case ZYDIS_MNEMONIC_VCVTSS2SD: case ZYDIS_MNEMONIC_CVTPS2PD: case ZYDIS_MNEMONIC_VCVTPS2PD:
    case ZYDIS_MNEMONIC_CVTSD2SS: case ZYDIS_MNEMONIC_VCVTSD2SS: case ZYDIS_MNEMONIC_CVTPD2PS: case ZYDIS_MNEMONIC_VCVTPD2PS: {
        int to_d = strstr(name, "2sd") || strstr(name, "2pd");
        GK_TRY(rd_float(s, st, in, vex3(in) ? 2 : 1, to_d ? GK_T_F32 : GK_T_F64, &a));
        GK_TRY(need(s, in, a));
        return wr_xmm(s, st, in, gk_x_node(s, GK_OP_CVT, to_d ? GK_T_F64 : GK_T_F32, a, -1, -1, 0));
    }
    case ZYDIS_MNEMONIC_CVTSI2SS: case ZYDIS_MNEMONIC_CVTSI2SD: case ZYDIS_MNEMONIC_VCVTSI2SS: case ZYDIS_MNEMONIC_VCVTSI2SD: {
        int k = vex3(in) ? 2 : 1;
        GK_TRY(rd_int(s, st, in, k, &a));
        GK_TRY(need(s, in, a));
        int type = strstr(name, "2sd") ? GK_T_F64 : GK_T_F32;
        return wr_xmm(s, st, in, gk_x_node(s, GK_OP_CVT, type, a, -1, -1, (uint64_t)in->op[k].size));
    }
    case ZYDIS_MNEMONIC_CVTTSS2SI: case ZYDIS_MNEMONIC_CVTTSD2SI: case ZYDIS_MNEMONIC_CVTSS2SI: case ZYDIS_MNEMONIC_CVTSD2SI:
    case ZYDIS_MNEMONIC_VCVTTSS2SI: case ZYDIS_MNEMONIC_VCVTTSD2SI: case ZYDIS_MNEMONIC_VCVTSS2SI: case ZYDIS_MNEMONIC_VCVTSD2SI: {
        int type = strstr(name, "sd2") ? GK_T_F64 : GK_T_F32, w32 = in->op[0].size == 32;
        int nearest = !strstr(name, "cvtt");
        GK_TRY(rd_float(s, st, in, 1, type, &a));
        GK_TRY(need(s, in, a));
        r = gk_x_node(s, GK_OP_CVTI, GK_T_I64, a, -1, -1, (uint64_t)(nearest | (w32 << 1)));
        NODE(r);
        s->node[r].w32 = (uint8_t)w32;
        return wr_gpr(s, st, in, in->op[0].reg.value, gk_x_atom(s, r));
    }
    case ZYDIS_MNEMONIC_UNPCKLPS: case ZYDIS_MNEMONIC_UNPCKLPD: case ZYDIS_MNEMONIC_MOVLHPS:
    case ZYDIS_MNEMONIC_VUNPCKLPS: case ZYDIS_MNEMONIC_VUNPCKLPD: case ZYDIS_MNEMONIC_VMOVLHPS: {
        /* the low lane is the first source's */
        int k = vex3(in) ? 1 : 0, x = xmm_id(in->op[k].reg.value);
        if (in->op[k].type != ZYDIS_OPERAND_TYPE_REGISTER || x < 0)
            FAIL("unsupported operand");
        return wr_xmm(s, st, in, st->xmm[x]);
    }
    case ZYDIS_MNEMONIC_SHUFPS: case ZYDIS_MNEMONIC_VSHUFPS: case ZYDIS_MNEMONIC_PSHUFD: case ZYDIS_MNEMONIC_VPSHUFD:
    case ZYDIS_MNEMONIC_VBROADCASTSS: {
        uint64_t imm = 0;
        if (m != ZYDIS_MNEMONIC_VBROADCASTSS)
            GK_TRY(last_imm(s, in, 3 - (m == ZYDIS_MNEMONIC_PSHUFD || m == ZYDIS_MNEMONIC_SHUFPS), &imm));
        int k = (m == ZYDIS_MNEMONIC_SHUFPS) ? 0 : 1;
        if ((imm & 3) != 0)
            FAIL("shuffle moves another lane into lane 0");
        if (in->op[k].type == ZYDIS_OPERAND_TYPE_REGISTER) {
            int x = xmm_id(in->op[k].reg.value);
            if (x < 0)
                FAIL("unsupported operand");
            return wr_xmm(s, st, in, st->xmm[x]);
        }
        GK_TRY(rd_float(s, st, in, k, GK_T_F32, &a));
        if (m == ZYDIS_MNEMONIC_VBROADCASTSS && s->node[a].op == GK_OP_CONST) /* a splat constant */
            a = gk_x_special(s, GK_OP_CONST, GK_T_F32, -1, -1, in->op[0].size / 32, s->node[a].imm, -1, 0);
        return wr_xmm(s, st, in, a);
    }
    default:
        break;
    }
    int op = float_binop_of(name);
    if (op >= 0)
        return float_binop(s, st, in, op, elem_type(m, name));
    if (!strncmp(name, "vfmadd", 6) || !strncmp(name, "vfmsub", 6) || !strncmp(name, "vfnmadd", 7) ||
        !strncmp(name, "vfnmsub", 7)) {
        size_t n = strlen(name);
        if (name[n - 2] == 's' || (name[n - 2] == 'p' && !strstr(name, "subadd") && !strstr(name, "addsub")))
            return fma_op(s, st, in, name);
    }
    FAIL("unsupported instruction");
}

/* ---- control flow ---- */

static int cc_holds_int(ZydisMnemonic cc, int64_t x, int64_t y, int zs)
{
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    switch (cc) {
    case ZYDIS_MNEMONIC_JZ: return x == y;
    case ZYDIS_MNEMONIC_JNZ: return x != y;
    case ZYDIS_MNEMONIC_JL: return x < y;
    case ZYDIS_MNEMONIC_JNL: return x >= y;
    case ZYDIS_MNEMONIC_JLE: return x <= y;
    case ZYDIS_MNEMONIC_JNLE: return x > y;
    case ZYDIS_MNEMONIC_JB: return zs ? 0 : ux < uy;
    case ZYDIS_MNEMONIC_JNB: return zs ? 1 : ux >= uy;
    case ZYDIS_MNEMONIC_JBE: return zs ? x == y : ux <= uy;
    case ZYDIS_MNEMONIC_JNBE: return zs ? x != y : ux > uy;
    case ZYDIS_MNEMONIC_JS: return x - y < 0;
    case ZYDIS_MNEMONIC_JNS: return x - y >= 0;
    default: return -1;
    }
}

/* the {lt, eq, gt, unordered} set for which a jcc after ucomiss is taken */
static int cc_pred_float(ZydisMnemonic cc)
{
    switch (cc) {
    case ZYDIS_MNEMONIC_JNBE: return 4;         /* CF=0, ZF=0 */
    case ZYDIS_MNEMONIC_JNB: return 4 | 2;      /* CF=0 */
    case ZYDIS_MNEMONIC_JB: return 1 | 8;       /* CF=1 */
    case ZYDIS_MNEMONIC_JBE: return 1 | 2 | 8;  /* CF=1 or ZF=1 */
    case ZYDIS_MNEMONIC_JZ: return 2 | 8;       /* ZF=1 */
    case ZYDIS_MNEMONIC_JNZ: return 1 | 4;
    case ZYDIS_MNEMONIC_JP: return 8;
    case ZYDIS_MNEMONIC_JNP: return 1 | 2 | 4;
    default: return -1;
    }
}

enum { REL_EQ, REL_GE, REL_GT, REL_LE, REL_LT, REL_NE };

/* the relation of x - y to 0 under which a jcc on integer flags is taken (exit_taken) or not */
static int exit_relation(ZydisMnemonic cc, int taken, int zs)
{
    int rel;
    switch (cc) {
    case ZYDIS_MNEMONIC_JZ: rel = REL_EQ; break;
    case ZYDIS_MNEMONIC_JNZ: rel = REL_NE; break;
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JS: rel = REL_LT; break;
    case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNS: rel = REL_GE; break;
    case ZYDIS_MNEMONIC_JLE: rel = REL_LE; break;
    case ZYDIS_MNEMONIC_JNLE: rel = REL_GT; break;
    case ZYDIS_MNEMONIC_JB: rel = zs ? -1 : REL_LT; break;
    case ZYDIS_MNEMONIC_JNB: rel = zs ? -1 : REL_GE; break;
    case ZYDIS_MNEMONIC_JBE: rel = zs ? -1 : REL_LE; break;
    case ZYDIS_MNEMONIC_JNBE: rel = zs ? -1 : REL_GT; break;
    default: rel = -1;
    }
    if (rel >= 0 && !taken) {
        static const int neg[] = {REL_NE, REL_LT, REL_LE, REL_GT, REL_GE, REL_EQ};
        rel = neg[rel];
    }
    return rel;
}

static gk_status merge_states(gk_sym *s, const gk_insn *in, gk_state *t, const gk_state *f, int32_t cond, gk_state *out)
{
    gk_state m = *t;
    for (int i = 0; i < 32; i++) {
        int32_t a = i < 16 ? t->gpr[i] : t->xmm[i - 16], b = i < 16 ? f->gpr[i] : f->xmm[i - 16], r = a;
        if (a != b) {
            if (is_undef(s, a) || is_undef(s, b) || (s->node[a].type == GK_T_I64) != (s->node[b].type == GK_T_I64))
                r = gk_x_undef(s, (uint64_t)(uintptr_t)in->addr);
            else if (s->node[a].type == GK_T_I64) {
                int32_t fa = float_bits_of(s, a), fb = float_bits_of(s, b), cf = gk_x_retype(s, cond, GK_T_F32);
                if (fa >= 0 && fb >= 0 && cf >= 0) { /* float bit patterns: select the floats */
                    int32_t sel = gk_x_node(s, GK_OP_SELECT, GK_T_F32, cf, fa, fb, 0);
                    int32_t bc = gk_x_node(s, GK_OP_BITCAST, GK_T_I64, sel, -1, -1, 0);
                    NODE(bc);
                    s->node[bc].w32 = 1;
                    r = gk_x_atom(s, bc);
                } else { /* integers: b + (a - b) * [cond] */
                    int32_t m = gk_x_atom(s, gk_x_node(s, GK_OP_BITCAST, GK_T_I64, cond, -1, -1, 0));
                    int32_t bit = gk_x_intop(s, GK_OP_IAND, m, gk_x_int(s, 1), 0);
                    r = gk_x_add(s, b, gk_x_mul(s, gk_x_add(s, a, b, -1), bit), 1);
                }
            } else {
                /* a constant (the zero idiom is untyped) takes the other side's type */
                int type = s->node[a].op == GK_OP_CONST ? s->node[b].type : s->node[a].type;
                int32_t ca = gk_x_retype(s, a, type), cb = gk_x_retype(s, b, type), cc = gk_x_retype(s, cond, type);
                r = (ca < 0 || cb < 0 || cc < 0) ? gk_x_undef(s, (uint64_t)(uintptr_t)in->addr)
                                                  : gk_x_node(s, GK_OP_SELECT, type, cc, ca, cb, 0);
            }
            NODE(r);
        }
        if (i < 16)
            m.gpr[i] = r;
        else
            m.xmm[i - 16] = r;
    }
    m.nslot = 0;
    for (int i = 0; i < t->nslot; i++) {
        int j = slot_find(f, t->slot[i].off);
        if (j < 0 || f->slot[j].size != t->slot[i].size)
            continue;
        int32_t a = t->slot[i].node, b = f->slot[j].node, r = a;
        if (a != b) {
            if (is_undef(s, a) || is_undef(s, b) || s->node[a].type != s->node[b].type || s->node[a].type == GK_T_I64)
                continue;
            int32_t cc = gk_x_retype(s, cond, s->node[a].type);
            if (cc < 0)
                continue;
            r = gk_x_node(s, GK_OP_SELECT, s->node[a].type, cc, a, b, 0);
            NODE(r);
        }
        m.slot[m.nslot++] = (gk_slot){t->slot[i].off, t->slot[i].size, r};
    }
    m.fl_kind = GK_FL_NONE;
    *out = m;
    return GK_OK;
}

/* the value whose truth (int: != 0; mask: sign bit) is the jcc's condition on integer flags */
static gk_status int_condition(gk_sym *s, const gk_insn *in, const gk_state *st, ZydisMnemonic cc, int32_t *cond,
                               int *negate)
{
    int32_t d = gk_x_add(s, st->fl_x, st->fl_y, -1);
    NODE(d);
    int32_t sixty3 = gk_x_int(s, 63), one = gk_x_int(s, 1);
    switch (cc) {
    case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
        *cond = d;
        *negate = cc == ZYDIS_MNEMONIC_JZ;
        break;
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNS:
        *cond = gk_x_intop(s, GK_OP_ISAR, d, sixty3, 0);
        *negate = cc == ZYDIS_MNEMONIC_JNL || cc == ZYDIS_MNEMONIC_JNS;
        break;
    case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_JNLE:
        *cond = gk_x_intop(s, GK_OP_ISAR, gk_x_add(s, d, one, -1), sixty3, 0);
        *negate = cc == ZYDIS_MNEMONIC_JNLE;
        break;
    default:
        FAIL("unsupported condition on a value computed at run time");
    }
    NODE(*cond);
    return GK_OK;
}

/* merge the arms of a conditional region: values that differ become PHIs */
static gk_status merge_phi(gk_sym *s, const gk_insn *in, const gk_state *t, const gk_state *f, int arm, gk_state *out)
{
    gk_state m = *t;
    int parent = s->loop[arm].parent;
    for (int i = 0; i < 32 + t->nslot; i++) {
        int32_t a, b;
        int j = -1;
        if (i < 32) {
            a = i < 16 ? t->gpr[i] : t->xmm[i - 16];
            b = i < 16 ? f->gpr[i] : f->xmm[i - 16];
        } else {
            j = slot_find(f, t->slot[i - 32].off);
            a = t->slot[i - 32].node;
            b = j >= 0 ? f->slot[j].node : -1;
        }
        int32_t r = a;
        if (a != b) {
            r = gk_x_undef(s, (uint64_t)(uintptr_t)in->addr);
            if (!is_undef(s, a) && !is_undef(s, b)) {
                int ta = s->node[a].type, tb = s->node[b].type;
                int type = ta == tb ? ta : (s->node[a].op == GK_OP_CONST ? tb : ta);
                int32_t ca = type == GK_T_I64 ? a : gk_x_retype(s, a, type);
                int32_t cb = type == GK_T_I64 ? b : gk_x_retype(s, b, type);
                if (ca >= 0 && cb >= 0 && (type == GK_T_I64) == (ta == GK_T_I64) && (ta == GK_T_I64) == (tb == GK_T_I64)) {
                    r = gk_x_special(s, GK_OP_PHI, type, ca, cb, -1, (uint64_t)arm, parent, s->node[ca].wit);
                    if (type == GK_T_I64)
                        r = gk_x_atom(s, r);
                }
            }
            NODE(r);
        }
        if (i < 16)
            m.gpr[i] = r;
        else if (i < 32)
            m.xmm[i - 16] = r;
        else
            m.slot[i - 32].node = j >= 0 ? r : gk_x_undef(s, (uint64_t)(uintptr_t)in->addr);
    }
    m.fl_kind = GK_FL_NONE;
    *out = m;
    return GK_OK;
}

/* A conditional region: both arms run with their effects recorded in their own scopes; the
 * trace gets IF / ELSE / ENDIF and PHIs. */
static gk_status cond_region(exec *e, gk_state *st, const gk_insn *in, int32_t cond, int negate, int taken, int fall,
                             int stop, int hdr, int *end)
{
    gk_sym *s = e->s;
    if (s->select_probe) {
        s->wants_region = 1;
        FAIL("a conditional region under a float condition");
    }
    if (!loop_room(s, 2))
        FAIL("too many loops and conditional regions");
    int arm = s->nloop;
    s->nloop += 2;
    for (int k = 0; k < 2; k++) {
        gk_loop_rec *R = &s->loop[arm + k];
        memset(R, 0, sizeof *R);
        R->parent = s->cur_loop;
        R->depth = gk_x_scope_depth(s, s->cur_loop) + 1;
        R->arm = k + 1;
        R->cond = cond;
        R->negate = negate;
        R->trip = R->idx = -1;
        R->final = 1;
    }
    int saved = s->cur_loop;
    gk_state ts = *st, fs = *st;
    int te = END_BACK, fe = END_BACK;
    gk_status r = GK_OK;
    s->cur_loop = arm;
    if (taken != hdr)
        r = region(e, &ts, taken, stop, &te);
    s->cur_loop = arm + 1;
    if (r == GK_OK && fall != hdr)
        r = region(e, &fs, fall, stop, &fe);
    s->cur_loop = saved;
    GK_TRY(r);
    if (te != fe)
        FAIL("branch arms end differently");
    if (!eff_room(s))
        FAIL("too many effects");
    s->eff[s->neff++] = (gk_effect){GK_EFF_IF, saved, arm};
    s->epoch++;
    GK_TRY(merge_phi(s, in, &ts, &fs, arm, st));
    *end = te;
    return GK_OK;
}

static int in_active_loop(const exec *e, int blk)
{
    return e->nctx && e->s->code.loops[e->ctx[e->nctx - 1].nl].body[blk];
}

static gk_status branch(exec *e, gk_state *st, int blk, int *next, int *end)
{
    gk_sym *s = e->s;
    const gk_block *b = &s->code.blk[blk];
    const gk_insn *in = &s->code.insn[b->first + b->count - 1];
    ZydisMnemonic cc = in->mnemonic;
    int taken = b->succ[0], fall = b->succ[1];
    /* the active loop's exit */
    if (e->nctx && (!in_active_loop(e, taken) || !in_active_loop(e, fall))) {
        loopctx *c = &e->ctx[e->nctx - 1];
        if (st->fl_kind != GK_FL_ICMP)
            FAIL("loop exit on a condition that is not an integer compare");
        int ex_taken = !in_active_loop(e, taken), to = ex_taken ? taken : fall;
        /* duplicated exits often end in their own `jmp` to one place: compare where they lead */
        for (int guard = 0; guard < 8; guard++) {
            const gk_block *tb = &s->code.blk[to];
            if (tb->count != 1 || tb->nsucc != 1 || s->code.insn[tb->first].mnemonic != ZYDIS_MNEMONIC_JMP)
                break;
            to = tb->succ[0];
        }
        int rel = exit_relation(cc, ex_taken, st->fl_zs_only);
        if (rel < 0)
            FAIL("unsupported loop exit condition");
        /* several exit tests (tail-duplicated loops) must be the same test */
        if (c->exit_blk >= 0 && c->exit_blk != blk &&
            (c->exit_to != to || c->exit_rel != rel || c->fl_x != st->fl_x || c->fl_y != st->fl_y))
            FAIL("loop with several different exits");
        c->exit_blk = blk;
        c->exit_taken = ex_taken;
        c->exit_to = to;
        c->exit_rel = rel;
        c->fl_kind = st->fl_kind;
        c->fl_x = st->fl_x;
        c->fl_y = st->fl_y;
        c->fl_zs = st->fl_zs_only;
        c->exit_in = in;
        *next = c->exit_taken ? fall : taken;
        return GK_OK;
    }
    int join = b->ipdom;
    int stop = join == s->code.nblocks ? -1 : join, hdr = -1;
    if (e->nctx) {
        hdr = s->code.loops[e->ctx[e->nctx - 1].nl].header;
        if (stop < 0 || !in_active_loop(e, stop)) /* arms each end an iteration: join at the back edge */
            stop = hdr;
    }
    if (st->fl_kind == GK_FL_ICMP) {
        int depth = gk_x_scope_depth(s, s->cur_loop);
        const gk_poly *px = gk_x_poly(s, st->fl_x), *py = gk_x_poly(s, st->fl_y);
        if (!px || !py)
            FAIL("branch on a non-integer value");
        int varying = depth > 0 && (gk_x_poly_uses(s, px, depth) || gk_x_poly_uses(s, py, depth));
        if (!varying && !st->fl_bittest) {
            /* a size guard: decided for the witness sizes */
            int h = cc_holds_int(cc, s->node[st->fl_x].wit, s->node[st->fl_y].wit, st->fl_zs_only);
            if (h < 0)
                FAIL("unsupported integer condition");
            *next = h ? taken : fall;
            return GK_OK;
        }
        /* a bit test (remainder of an unrolled loop) or a value computed in a loop: both arms */
        if (join < 0)
            FAIL("branch without a join point");
        int32_t cond = -1;
        int negate = 0;
        GK_TRY(int_condition(s, in, st, cc, &cond, &negate));
        if (++s->depth > GK_SYM_MAX_DEPTH)
            FAIL("branches nested too deeply");
        GK_TRY(cond_region(e, st, in, cond, negate, taken, fall, stop, hdr, end));
        s->depth--;
        *next = stop;
        return GK_OK;
    }
    if (st->fl_kind != GK_FL_FCMP)
        FAIL("branch on flags that are not set by a compare");
    int pred = cc_pred_float(cc);
    if (pred < 0)
        FAIL("unsupported float condition");
    /* a jcc whose fall-through block is only another jcc on the same flags (jp + je: "ordered
     * and equal") is one branch with the combined relation set: running the shared target from
     * both arms would duplicate it */
    const gk_block *b2 = &s->code.blk[fall];
    int p2 = b2->count == 1 && b2->nsucc == 2 ? cc_pred_float(s->code.insn[b2->first].mnemonic) : -1;
    if (p2 >= 0 && fall != hdr && (!e->nctx || (in_active_loop(e, b2->succ[0]) && in_active_loop(e, b2->succ[1])))) {
        if (taken == b2->succ[1]) {
            pred = p2 & ~pred;
            fall = taken;
            taken = b2->succ[0];
        } else if (taken == b2->succ[0]) {
            pred |= p2;
            fall = b2->succ[1];
        }
    }
    if (join < 0)
        FAIL("branch without a join point");
    if (++s->depth > GK_SYM_MAX_DEPTH)
        FAIL("branches nested too deeply");
    int type = s->node[st->fl_x].type;
    int32_t cond = gk_x_node(s, GK_OP_CMP, type, st->fl_x, st->fl_y, -1, (uint64_t)pred);
    NODE(cond);
    if (e->region_blk[blk]) {
        GK_TRY(cond_region(e, st, in, cond, 0, taken, fall, stop, hdr, end));
        s->depth--;
        *next = stop;
        return GK_OK;
    }
    int before = s->neff, nloop0 = s->nloop;
    uint64_t epoch0 = s->epoch;
    gk_state ts = *st, fs = *st;
    int te = END_BACK, fe = END_BACK;
    /* first as a select diamond; arms with stores or loops make it a conditional region,
     * decided by the outermost such branch */
    s->select_probe++;
    gk_status r = GK_OK;
    if (taken != hdr)
        r = region(e, &ts, taken, stop, &te);
    if (r == GK_OK && fall != hdr)
        r = region(e, &fs, fall, stop, &fe);
    s->select_probe--;
    if (r != GK_OK) {
        if (!s->wants_region || s->select_probe)
            return r;
        s->wants_region = 0;
        e->region_blk[blk] = 1;
        s->neff = before;
        s->epoch = epoch0;
        s->nloop = nloop0;
        GK_TRY(cond_region(e, st, in, cond, 0, taken, fall, stop, hdr, end));
        s->depth--;
        *next = stop;
        return GK_OK;
    }
    if (stop == hdr && hdr >= 0 && (te != END_BACK || fe != END_BACK))
        FAIL("branch arms end differently");
    s->depth--;
    if (te != fe || (te == END_BACK && stop != hdr))
        FAIL("branch arms end differently");
    GK_TRY(merge_states(s, in, &ts, &fs, cond, st));
    *end = te;
    *next = stop;
    return GK_OK;
}

static gk_status run_loop(exec *e, gk_state *st, int nl, int *exit_block);

/* Execute from `block` until `stop` (-1: none), a return, or the active loop's back edge. */
static gk_status region(exec *e, gk_state *st, int block, int stop, int *end)
{
    gk_sym *s = e->s;
    for (int first = 1;; first = 0) {
        if (e->nctx && !first) {
            const gk_nloop *al = &s->code.loops[e->ctx[e->nctx - 1].nl];
            if (block == al->header) {
                *end = END_BACK;
                return GK_OK;
            }
            if (!al->body[block])
                return gk_sym_fail(s, NULL, "control leaves a loop other than by its exit test");
        }
        if (block == stop) {
            *end = END_STOP;
            return GK_OK;
        }
        gk_code *c = &s->code;
        int nl = -1;
        for (int i = 0; i < c->nloops; i++)
            if (c->loops[i].header == block)
                nl = i;
        int active = 0;
        for (int i = 0; i < e->nctx; i++)
            active |= e->ctx[i].nl == nl;
        if (nl >= 0 && !active) {
            GK_TRY(run_loop(e, st, nl, &block));
            continue;
        }
        const gk_block *b = &c->blk[block];
        for (int i = 0; i < b->count; i++) {
            const gk_insn *in = &c->insn[b->first + i];
            if (++s->steps > GK_SYM_MAX_STEPS)
                FAIL("analysis step limit reached");
            ZydisMnemonic m = in->mnemonic;
            if (m == ZYDIS_MNEMONIC_RET) {
                *end = END_RET;
                return GK_OK;
            }
            if (m == ZYDIS_MNEMONIC_JMP && i == b->count - 1 && b->nsucc == 0) {
                /* a tail call: the callee's result is ours */
                GK_TRY(do_call(s, st, in));
                *end = END_RET;
                return GK_OK;
            }
            if (i == b->count - 1 && (m == ZYDIS_MNEMONIC_JMP || b->nsucc == 2))
                break;
            if (i == b->count - 1 && b->nsucc == 0)
                FAIL("path ends in a trap or an unsupported jump");
            GK_TRY(exec_insn(e, st, in));
        }
        int next;
        if (b->nsucc == 2) {
            int bend = -1;
            GK_TRY(branch(e, st, block, &next, &bend));
            if (bend == END_RET || bend == END_BACK) {
                *end = bend;
                return GK_OK;
            }
        } else
            next = b->succ[0];
        if (next < 0) {
            *end = END_STOP;
            return GK_OK;
        }
        block = next;
    }
}

/* ---- loops ---- */



static int32_t key_get(gk_sym *s, const gk_state *st, int key)
{
    if (key < 16)
        return st->gpr[key];
    if (key < 32)
        return st->xmm[key - 16];
    return slot_read(s, st, key - KEY_SLOT, 0);
}

static gk_status key_set(gk_sym *s, const gk_insn *in, gk_state *st, int key, int size, int32_t v)
{
    if (key < 16)
        st->gpr[key] = v;
    else if (key < 32)
        st->xmm[key - 16] = v;
    else
        return slot_write(s, in, st, key - KEY_SLOT, size, v);
    return GK_OK;
}

/* the trip count from the exit compare: D(i) = x - y = P + Q*i, first i where the exit holds */
static gk_status trip_count(gk_sym *s, const loopctx *c, int bottom, int32_t *trip)
{
    const gk_insn *in = c->exit_in;
    int32_t idx = gk_x_poly(s, s->loop[c->rec].idx)->t[0].at[0]; /* the IDX atom */
    const gk_poly *px = gk_x_poly(s, c->fl_x), *py = gk_x_poly(s, c->fl_y);
    gk_poly d, p, q;
    p.n = q.n = 0;
    if (!px || !py || !gk_x_poly_sub(px, py, &d))
        FAIL("loop exit compare is not polynomial");
    int depth = s->loop[c->rec].depth;
    for (int i = 0; i < d.n; i++) {
        gk_pterm t = d.t[i];
        int hits = 0;
        for (int k = 0; k < 3 && t.at[k]; k++)
            if (t.at[k] == idx) {
                hits++;
                for (int j = k; j < 2; j++)
                    t.at[j] = t.at[j + 1];
                t.at[2] = 0;
                k--;
            }
        if (hits > 1)
            FAIL("loop exit compare is not linear in the iteration index");
        if (!gk_x_poly_addterm(hits ? &q : &p, &t))
            FAIL("loop exit compare too complex");
    }
    if (gk_x_poly_uses(s, &p, depth) || gk_x_poly_uses(s, &q, depth) || q.n == 0)
        FAIL("loop trip count depends on values computed in the loop");
    enum { EQ = REL_EQ, GE = REL_GE, GT = REL_GT, LE = REL_LE, LT = REL_LT, NE = REL_NE };
    int rel = c->exit_rel;
    gk_poly negp, zero, one;
    negp.n = zero.n = 0;
    gk_poly_const(&one, 1);
    int64_t qc;
    int32_t qn = gk_x_from_poly(s, &q);
    NODE(qn);
    int qconst = gk_x_is_const_int(s, qn, &qc);
    int32_t t;
    if (rel == EQ) {
        gk_poly quo;
        if (!gk_x_poly_sub(&zero, &p, &negp))
            FAIL("trip count too complex");
        if (gk_x_poly_div_exact(&negp, &q, &quo))
            t = gk_x_from_poly(s, &quo);
        else if (qconst)
            t = gk_x_intop(s, GK_OP_IDIV, gk_x_from_poly(s, &negp), qn, 0); /* exact by construction */
        else
            FAIL("trip count is not an exact quotient");
    } else {
        if (rel == NE || !qconst || qc == 0 || qc == INT64_MIN) /* the step below must fit */
            FAIL("unsupported loop exit condition");
        /* normalise to D' >= 0 with D' increasing: D' = s*D - k */
        int sign = (rel == GE || rel == GT) ? 1 : -1;
        if (sign * qc <= 0)
            FAIL("loop does not move towards its exit");
        gk_poly pp = p;
        if (sign < 0 && !gk_x_poly_sub(&zero, &p, &pp))
            FAIL("trip count too complex");
        if ((rel == GT || rel == LT) && !gk_x_poly_sub(&pp, &one, &pp))
            FAIL("trip count too complex");
        int64_t step = sign * qc;
        /* ceil(-pp / step), plus the first iteration of a bottom-tested loop counted inside
         * the quotient: (num + step - 1) / step truncates towards zero, which is the ceiling
         * only when the result is not negative; one added outside would turn a quotient that
         * truncates up to 0 into a trip of 1 where the loop must not run (clang's unrolled
         * main loop after its remainder loop, for sizes below the unroll factor) */
        gk_poly num;
        gk_pterm first = {bottom ? step : 0, {0, 0, 0}};
        if (!gk_x_poly_sub(&zero, &pp, &num) || !gk_x_poly_addterm(&num, &first))
            FAIL("trip count too complex");
        bottom = 0;
        gk_poly sd, quo;
        gk_poly_const(&sd, step);
        if (gk_x_poly_div_exact(&num, &sd, &quo))
            t = gk_x_from_poly(s, &quo);
        else
            t = gk_x_intop(s, GK_OP_IDIV, gk_x_add(s, gk_x_from_poly(s, &num), gk_x_int(s, step - 1), 1),
                           gk_x_int(s, step), 0);
    }
    NODE(t);
    if (bottom)
        t = gk_x_add(s, t, gk_x_int(s, 1), 1);
    NODE(t);
    *trip = t;
    return GK_OK;
}

/* ---- guessed keys ---- */

/* the type a float instruction writes, from its name: double forms end in sd/pd or convert to them */
static int written_float_type(const gk_insn *in)
{
    const char *name = ZydisMnemonicGetString(in->mnemonic);
    if (strstr(name, "2ss") || strstr(name, "2ps") || strstr(name, "2si"))
        return GK_T_F32;
    return strstr(name, "2sd") || strstr(name, "2pd") ? GK_T_F64 : elem_type(in->mnemonic, name);
}

/* the step of `add/sub r, imm|r2`, `inc/dec r`, `lea r, [r+d]`: a constant node, or -2 - r2 for
 * "the entry value of r2" (resolved once the loop is known not to write r2), or -1 */
static int32_t iv_form(gk_sym *s, const gk_insn *in, int r)
{
    ZydisMnemonic m = in->mnemonic;
    const ZydisDecodedOperand *o = in->op;
    int w;
    if (m == ZYDIS_MNEMONIC_INC || m == ZYDIS_MNEMONIC_DEC)
        return gk_x_int(s, m == ZYDIS_MNEMONIC_INC ? 1 : -1);
    if ((m == ZYDIS_MNEMONIC_ADD || m == ZYDIS_MNEMONIC_SUB) && in->nop >= 2 && o[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
        int sign = m == ZYDIS_MNEMONIC_ADD ? 1 : -1;
        if (o[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
            return gk_x_int(s, gk_wrap_mul(o[1].imm.value.s, sign));
        int r2 = o[1].type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(o[1].reg.value, &w) : -1;
        return sign > 0 && r2 >= 0 && r2 != r && w == 64 ? -2 - r2 : -1;
    }
    if (m == ZYDIS_MNEMONIC_LEA && in->nop >= 2 && o[1].mem.index == ZYDIS_REGISTER_NONE &&
        o[1].mem.base != ZYDIS_REGISTER_NONE && gpr_id(o[1].mem.base, &w) == r && w == 64)
        return gk_x_int(s, o[1].mem.disp.value);
    return -1;
}

/* the stack slot a memory operand based on rsp or rbp names at loop entry; 0 if it is not one */
static int entry_slot(gk_sym *s, gk_state *s0, const gk_insn *in, const ZydisDecodedOperand *o, int64_t *off)
{
    loc l;
    if (o->type != ZYDIS_OPERAND_TYPE_MEMORY || o->mem.index != ZYDIS_REGISTER_NONE ||
        (o->mem.base != ZYDIS_REGISTER_RSP && o->mem.base != ZYDIS_REGISTER_RBP))
        return 0;
    if (locate(s, s0, in, o, &l) != GK_OK || l.kind != LOC_STACK)
        return 0;
    *off = l.off;
    return 1;
}

/* The keys a loop's discovery round would find, guessed from what its body writes: a register
 * whose writes are one induction form (also duplicated on several paths) is an induction
 * variable; anything else written is a carried value (registers, xmm registers, stack slots,
 * in the order a round lists them), except a register only reloaded from the slot it was
 * spilled to (around a call). A round on the guess is kept only if it confirms it exactly
 * (guess_confirmed); the guess saves the discovery round, in every round of every enclosing
 * loop. Not guessed: a loop with two levels of loops inside (what they leave in registers
 * is a closed form of their trips that the instructions do not show; gemm's outer loop), or
 * one whose body pushes, pops or calls sincos. 0: no guess. */
static int guess_keys(exec *e, gk_state *s0, int nl, carried_key *g)
{
    gk_sym *s = e->s;
    const gk_code *c = &s->code;
    const gk_nloop *L = &c->loops[nl];
    int writes[32] = {0}, restores[32] = {0}, type[32], clobbered[32] = {0}, n = 0, ns = 0;
    int32_t step[16];
    int64_t soff[GK_SYM_MAX_ACCS], off;
    int ssize[GK_SYM_MAX_ACCS], stype[GK_SYM_MAX_ACCS], sfrom[GK_SYM_MAX_ACCS];
    for (int i = 0; i < c->nloops; i++) /* two levels of loops inside: what they leave is not guessed */
        for (int j = 0; i != nl && L->body[c->loops[i].header] && j < c->nloops; j++)
            if (j != i && j != nl && c->loops[i].body[c->loops[j].header])
                return 0;
    for (int b = 0; b < c->nblocks; b++) /* before the costlier scan: what rules a guess out */
        for (int i = 0; L->body[b] && i < c->blk[b].count; i++) {
            const gk_insn *in = &c->insn[c->blk[b].first + i];
            const char *name = NULL;
            switch (in->mnemonic) {
            case ZYDIS_MNEMONIC_CALL: /* sincos stores through pointers */
                name = callee_of(s, s0, in);
                if (!name || !strncmp(name, "sincos", 6))
                    return 0;
                break;
            case ZYDIS_MNEMONIC_PUSH: case ZYDIS_MNEMONIC_POP: case ZYDIS_MNEMONIC_LEAVE:
                return 0;
            default:
                break;
            }
        }
    for (int k = 0; k < 32; k++)
        type[k] = k < 16 ? GK_T_I64 : GK_T_F32;
    for (int k = 0; k < 16; k++)
        step[k] = -1;
    for (int b = 0; b < c->nblocks; b++) {
        if (!L->body[b])
            continue;
        for (int i = 0; i < c->blk[b].count; i++) {
            const gk_insn *in = &c->insn[c->blk[b].first + i];
            const ZydisDecodedOperand *d = &in->op[0];
            int w, r, key = -1, slot_val = -1;
            switch (in->mnemonic) {
            case ZYDIS_MNEMONIC_CALL: { /* the ABI's clobbers; xmm0 the float result */
                static const int abi[] = {0, 1, 2, 6, 7, 8, 9, 10, 11};
                for (size_t k = 0; k < sizeof abi / sizeof abi[0]; k++)
                    clobbered[abi[k]] = 1;
                for (int k = 17; k < 32; k++)
                    clobbered[k] = 1;
                writes[16]++;
                type[16] = GK_T_F32;
                continue;
            }
            case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_CQO:
                writes[2] += 2;
                continue;
            case ZYDIS_MNEMONIC_IDIV: case ZYDIS_MNEMONIC_CDQE:
                writes[0] += 2;
                writes[2] += in->mnemonic == ZYDIS_MNEMONIC_IDIV ? 2 : 0;
                break;
            default:
                break;
            }
            if (in->nop < 1 || !(d->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
                continue;
            if (d->type == ZYDIS_OPERAND_TYPE_REGISTER && (r = gpr_id(d->reg.value, &w)) >= 0) {
                if (r == REG_RSP)
                    return 0;
                int32_t f = iv_form(s, in, r);
                step[r] = writes[r]++ == 0 || step[r] == f ? f : -1;
                key = r;
            } else if (d->type == ZYDIS_OPERAND_TYPE_REGISTER && (r = xmm_id(d->reg.value)) >= 0) {
                writes[16 + r]++;
                type[16 + r] = written_float_type(in);
                key = 16 + r;
            } else if (entry_slot(s, s0, in, d, &off)) {
                if (!slot_in_range(off)) /* discovery rejects the store */
                    return 0;
                int k = 0;
                while (k < ns && soff[k] != off)
                    k++;
                if (k == GK_SYM_MAX_ACCS)
                    return 0;
                const ZydisDecodedOperand *src = &in->op[in->nop - 1];
                int x = src->type == ZYDIS_OPERAND_TYPE_REGISTER ? xmm_id(src->reg.value) : -1;
                int gr = src->type == ZYDIS_OPERAND_TYPE_REGISTER ? gpr_id(src->reg.value, &w) : -1;
                sfrom[k] = k == ns ? (x >= 0 ? 16 + x : gr) : -1; /* the register spilled here */
                soff[k] = off;
                ssize[k] = d->size / 8;
                stype[k] = x >= 0 ? written_float_type(in) : GK_T_I64;
                ns += k == ns;
            }
            /* a reload from the slot the same register was spilled to */
            if (key >= 0 && in->nop >= 2 && entry_slot(s, s0, in, &in->op[in->nop - 1], &off))
                for (int k = 0; k < ns; k++)
                    if (soff[k] == off && sfrom[k] == key)
                        slot_val = k;
            if (key >= 0)
                restores[key] += slot_val >= 0;
        }
    }
    for (int k = 0; k < 32; k++) {
        int32_t v0 = key_get(s, s0, k);
        if (writes[k] && writes[k] == restores[k])
            continue; /* spilled and reloaded: unchanged */
        if (!writes[k] && (!clobbered[k] || is_undef(s, v0)))
            continue;
        if (n == GK_SYM_MAX_ACCS)
            return 0;
        carried_key ck = {k, 8, 0, -1, type[k]};
        if (k < 16 && writes[k] && !clobbered[k] && step[k] != -1 && !is_undef(s, v0)) {
            int r2 = -2 - step[k];
            int32_t st = step[k] >= 0 ? step[k] : writes[r2] || clobbered[r2] ? -1 : s0->gpr[r2];
            if (st >= 0 && gk_x_poly(s, st)) {
                ck.iv = 1;
                ck.step = st;
            }
        }
        g[n++] = ck;
    }
    /* slots present at entry first, in their order, then the new ones */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < (pass ? ns : s0->nslot); i++) {
            int k = 0;
            if (!pass)
                while (k < ns && soff[k] != s0->slot[i].off)
                    k++;
            else
                k = slot_find(s0, soff[i]) < 0 ? i : ns;
            if (k == ns)
                continue;
            if (n == GK_SYM_MAX_ACCS)
                return 0;
            g[n++] = (carried_key){KEY_SLOT + (int)soff[k], pass ? ssize[k] : s0->slot[i].size, 0, -1, stype[k]};
        }
    return n;
}

/* A round on guessed keys confirmed nothing new (no key added, dropped or re-stepped); it is
 * the discovery round's outcome only if, besides, no carried register moves by an invariant
 * step (which discovery makes an induction variable), each carried value has the type
 * discovery gives it (the body's value, else the entry value), and the keys are in discovery's
 * order. */
static int guess_confirmed(gk_sym *s, const gk_state *s0, const gk_state *in_st, const gk_state *s1,
                           const carried_key *keys, int nkeys, const int *cand, const int *csize, int nc, int depth)
{
    int k = 0;
    for (int i = 0; i < nc && k < nkeys; i++)
        if (cand[i] == keys[k].key) {
            const carried_key *ck = &keys[k++];
            int32_t v0 = key_get(s, in_st, ck->key), v1 = key_get(s, s1, ck->key), e0 = key_get(s, s0, ck->key);
            if (ck->size != csize[i] && ck->key >= KEY_SLOT)
                return 0;
            if (ck->iv)
                continue;
            if (v1 == e0 || (is_undef(s, v1) && is_undef(s, e0)))
                return 0; /* rewritten with its entry value: discovery sees no change */
            if (ck->key < 16) {
                const gk_poly *p0 = gk_x_poly(s, v0), *p1 = gk_x_poly(s, v1);
                gk_poly d;
                if (p0 && p1 && gk_x_poly_sub(p1, p0, &d) && !gk_x_poly_uses(s, &d, depth))
                    return 0;
                continue;
            }
            int t = !is_undef(s, v1) ? s->node[v1].type : !is_undef(s, e0) ? s->node[e0].type : -1;
            if (t != ck->type)
                return 0;
        }
    return k == nkeys;
}

static gk_status run_loop(exec *e, gk_state *st, int nl, int *exit_block)
{
    gk_sym *s = e->s;
    const gk_nloop *L = &s->code.loops[nl]; /* code.loops never moves during execution */
    const gk_insn *hin = &s->code.insn[s->code.blk[L->header].first];
    const gk_insn *in = hin;
    if (s->select_probe) {
        s->wants_region = 1;
        FAIL("a loop under a float condition");
    }
    if (e->nctx >= GK_SYM_MAX_DEPTH)
        FAIL("loops nested too deeply");
    carried_key keys[GK_SYM_MAX_ACCS];
    int nkeys = e->seeds[nl].n;
    memcpy(keys, e->seeds[nl].k, sizeof keys[0] * (size_t)nkeys);
    gk_state s0 = *st;
    int mark = s->neff, depth0 = s->depth;
    uint64_t epoch0 = s->epoch;
    s->guessing++;
    int guessed = nkeys ? 0 : guess_keys(e, &s0, nl, keys); /* a first analysis: guess, else discover */
    s->guessing--;
    nkeys = guessed ? guessed : nkeys;
    for (int round = 0;; round++) {
        if (0) {
        drop_guess: /* the round on guessed keys did not confirm them: discover from the start */
            guessed = 0;
            nkeys = 0;
            round = 0;
            s->depth = depth0;
            s->wants_region = 0;
        }
        if (round > 6)
            FAIL("loop-carried values do not settle");
        s->neff = mark;
        s->epoch = epoch0;
        if (!loop_room(s, 1))
            FAIL("too many loops");
        int rec = s->nloop++;
        gk_loop_rec *R = &s->loop[rec];
        memset(R, 0, sizeof *R);
        R->parent = s->cur_loop;
        R->depth = gk_x_scope_depth(s, s->cur_loop) + 1;
        R->idx = gk_x_atom(s, gk_x_special(s, GK_X_IDX, GK_T_I64, -1, -1, -1, (uint64_t)rec, rec, 0));
        NODE(R->idx);
        gk_state in_st = s0;
        in_st.fl_kind = GK_FL_NONE;
        for (int k = 0; k < nkeys; k++) {
            int32_t v0 = key_get(s, &s0, keys[k].key), v;
            if (keys[k].iv)
                v = gk_x_add(s, v0, gk_x_mul(s, keys[k].step, R->idx), 1);
            else {
                int type = keys[k].type;
                /* an entry value of another type cannot be what the body reads: undefined */
                int32_t init = is_undef(s, v0) ? v0 : gk_x_retype(s, v0, type);
                int64_t bits;
                if (init < 0 && type == GK_T_I64 && s->node[v0].type == GK_T_I64)
                    init = v0;
                else if (init < 0 && s->node[v0].type == GK_T_I64) /* mov dword [rsp+c], 0 then floats */
                    init = gk_x_is_const_int(s, v0, &bits) ? gk_x_const(s, type, (uint64_t)bits)
                                                           : gk_x_node(s, GK_OP_BITCAST, type, v0, -1, -1, 0);
                if (init < 0)
                    init = gk_x_undef(s, (uint64_t)(uintptr_t)in->addr);
                int32_t acc = gk_x_special(s, GK_OP_ACC, type, init, -1, keys[k].key, (uint64_t)rec, rec,
                                           is_undef(s, init) ? 0 : s->node[init].wit);
                NODE(acc);
                v = type == GK_T_I64 ? gk_x_atom(s, acc) : acc;
                if (R->nacc >= GK_SYM_MAX_ACCS)
                    FAIL("too many loop-carried values");
                R->acc[R->nacc++] = (gk_carried){acc, -1, keys[k].key};
            }
            NODE(v);
            gk_status ks = key_set(s, in, &in_st, keys[k].key, keys[k].size, v);
            if (ks != GK_OK && guessed)
                goto drop_guess;
            GK_TRY(ks);
        }
        gk_state s1 = in_st;
        loopctx *c = &e->ctx[e->nctx++];
        memset(c, 0, sizeof *c);
        c->nl = nl;
        c->rec = rec;
        c->exit_blk = -1;
        int saved_loop = s->cur_loop, end;
        s->cur_loop = rec;
        s->guessing += guessed > 0;
        gk_status rs = region(e, &s1, L->header, -1, &end);
        s->guessing -= guessed > 0;
        s->cur_loop = saved_loop;
        e->nctx--;
        if (rs != GK_OK && guessed)
            goto drop_guess;
        GK_TRY(rs);
        R = &s->loop[rec]; /* nested regions may have grown the array */
        if (guessed && (end != END_BACK || c->exit_blk < 0 || s1.gpr[REG_RSP] != in_st.gpr[REG_RSP]))
            goto drop_guess;
        if (end != END_BACK)
            FAIL("return from inside a loop");
        if (c->exit_blk < 0)
            FAIL("loop without an exit test");
        if (s1.gpr[REG_RSP] != in_st.gpr[REG_RSP])
            FAIL("stack pointer changes in the loop");
        /* what changed: registers, and slots present before or after */
        int cand[32 + 2 * GK_SYM_MAX_SLOTS], csize[32 + 2 * GK_SYM_MAX_SLOTS], nc = 0;
        for (int k = 0; k < 32; k++) {
            cand[nc] = k;
            csize[nc++] = 8;
        }
        for (int i = 0; i < in_st.nslot; i++) {
            cand[nc] = KEY_SLOT + in_st.slot[i].off;
            csize[nc++] = in_st.slot[i].size;
        }
        for (int i = 0; i < s1.nslot; i++)
            if (slot_find(&in_st, s1.slot[i].off) < 0) {
                cand[nc] = KEY_SLOT + s1.slot[i].off;
                csize[nc++] = s1.slot[i].size;
            }
        uint32_t keyregs = 0; /* registers among the keys: most candidates are not */
        for (int k = 0; k < nkeys; k++)
            if (keys[k].key >= 0 && keys[k].key < 32)
                keyregs |= 1u << keys[k].key;
        int changed = 0;
        for (int i = 0; i < nc; i++) {
            int key = cand[i];
            int32_t v0 = key_get(s, &in_st, key), v1 = key_get(s, &s1, key);
            int k = key < 32 && !(keyregs >> key & 1) ? nkeys : 0;
            while (k < nkeys && keys[k].key != key)
                k++;
            if (k < nkeys) {
                if (v0 == v1) { /* carried no more (a seed from another context): drop it */
                    keys[k].key = -1;
                    changed = 1;
                } else if (keys[k].iv) {
                    const gk_poly *p0 = gk_x_poly(s, v0), *p1 = gk_x_poly(s, v1);
                    gk_poly d;
                    int32_t step = -1;
                    if (p0 && p1 && gk_x_poly_sub(p1, p0, &d) && !gk_x_poly_uses(s, &d, R->depth))
                        step = gk_x_from_poly(s, &d);
                    if (step < 0) { /* not an induction variable after all */
                        keys[k].iv = 0;
                        changed = 1;
                    } else if (step != keys[k].step) {
                        keys[k].step = step;
                        changed = 1;
                    }
                } else {
                    for (int j = 0; j < R->nacc; j++)
                        if (R->acc[j].key == key) {
                            int32_t nx = is_undef(s, v1) ? v1 : gk_x_retype(s, v1, keys[k].type);
                            if (nx < 0 && keys[k].type == GK_T_I64 && s->node[v1].type == GK_T_I64)
                                nx = v1;
                            if (nx < 0 && guessed)
                                goto drop_guess;
                            if (nx < 0)
                                FAIL("loop-carried value changes type");
                            R->acc[j].next = nx;
                        }
                }
                continue;
            }
            if (v0 == v1 || (is_undef(s, v0) && is_undef(s, v1)))
                continue;
            if (guessed)
                goto drop_guess; /* discovery would have found this key */
            if (nkeys >= GK_SYM_MAX_ACCS)
                FAIL("too many loop-carried values");
            carried_key ck = {key, csize[i], 0, -1, GK_T_F32};
            if (key < 16)
                ck.type = GK_T_I64;
            else if (!is_undef(s, v1)) /* the type the body writes */
                ck.type = s->node[v1].type;
            else if (!is_undef(s, v0))
                ck.type = s->node[v0].type;
            const gk_poly *p0 = gk_x_poly(s, v0), *p1 = gk_x_poly(s, v1);
            gk_poly d;
            if (key < 16 && p0 && p1 && gk_x_poly_sub(p1, p0, &d) && !gk_x_poly_uses(s, &d, R->depth)) {
                ck.iv = 1;
                ck.step = gk_x_from_poly(s, &d);
                NODE(ck.step);
            }
            keys[nkeys++] = ck;
            changed = 1;
        }
        int kept = 0;
        for (int k = 0; k < nkeys; k++)
            if (keys[k].key >= 0)
                keys[kept++] = keys[k];
        nkeys = kept;
        if (guessed && (changed || !guess_confirmed(s, &s0, &in_st, &s1, keys, nkeys, cand, csize, nc, R->depth)))
            goto drop_guess;
        if (changed)
            continue;
        e->seeds[nl].n = nkeys;
        memcpy(e->seeds[nl].k, keys, sizeof keys[0] * (size_t)nkeys);
        /* final round: trip count, then the state after the loop */
        const gk_nloop *Ln = &s->code.loops[nl];
        const gk_block *xb = &s->code.blk[c->exit_blk];
        int bottom = xb->succ[0] == Ln->header || xb->succ[1] == Ln->header; /* the test ends an iteration */
        if (!bottom && c->exit_blk != Ln->header)
            return gk_sym_fail(s, c->exit_in, "loop exit test in the middle of the body");
        GK_TRY(trip_count(s, c, bottom, &R->trip));
        R->final = 1;
        if (!eff_room(s))
            FAIL("too many effects");
        s->eff[s->neff++] = (gk_effect){GK_EFF_LOOP, s->cur_loop, rec};
        s->epoch++;
        gk_state out = s0;
        out.fl_kind = GK_FL_NONE;
        for (int k = 0; k < nkeys; k++) {
            int32_t v0 = key_get(s, &s0, keys[k].key), v;
            if (keys[k].iv)
                v = gk_x_add(s, v0, gk_x_mul(s, keys[k].step, R->trip), 1);
            else {
                int j = 0;
                while (R->acc[j].key != keys[k].key)
                    j++;
                int32_t acc = R->acc[j].acc;
                v = gk_x_special(s, GK_OP_ACCOUT, s->node[acc].type, acc, -1, -1, 0, R->parent, s->node[acc].wit);
                if (s->node[acc].type == GK_T_I64)
                    v = gk_x_atom(s, v);
            }
            NODE(v);
            GK_TRY(key_set(s, in, &out, keys[k].key, keys[k].size, v));
        }
        if (!bottom) {
            /* exit at the top: the header runs once more, up to the exit test (rotated loops
             * put part of the body there) */
            const gk_block *hb = &s->code.blk[Ln->header];
            for (int i = 0; i < hb->count - 1; i++) {
                if (++s->steps > GK_SYM_MAX_STEPS)
                    FAIL("analysis step limit reached");
                GK_TRY(exec_insn(e, &out, &s->code.insn[hb->first + i]));
            }
        }
        *st = out;
        *exit_block = c->exit_to;
        return GK_OK;
    }
}

/* ---- entry ---- */

/* The buffers of the last analysis on this thread, reused by the next one: an analysis needs
 * 100-300 KB, and freeing that much at the top of the heap returns it to the system, so every
 * analysis would fault it in again. Capacities up to the caps below are kept; a thread's
 * buffers are freed when it exits. */
enum { KEEP_NODES = 4096, KEEP_POLYS = 1024, KEEP_LOOPS = 64, KEEP_EFFECTS = 1024, KEEP_CHUNKS = 8 };

typedef struct {
    gk_node *node;
    int nodecap;
    int32_t *htab;
    gk_poly *poly;
    int polycap;
    gk_loop_rec *loop;
    int loopcap;
    gk_effect *eff;
    int effcap;
    ZydisDecodedOperand *opchunk[GK_SYM_MAX_INSNS / GK_OPCHUNK];
} scratch;

static _Thread_local scratch tls_scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    scratch *k = p;
    free(k->node);
    free(k->htab);
    free(k->poly);
    free(k->loop);
    free(k->eff);
    for (int i = 0; i < GK_SYM_MAX_INSNS / GK_OPCHUNK; i++)
        free(k->opchunk[i]);
    memset(k, 0, sizeof *k);
}

static void scratch_init(void) { (void)pthread_key_create(&scratch_key, scratch_free); }

static void scratch_take(gk_sym *s)
{
    scratch *k = &tls_scratch;
    s->node = k->node;
    s->nodecap = k->nodecap;
    s->htab = k->htab;
    s->poly = k->poly;
    s->polycap = k->polycap;
    s->loop = k->loop;
    s->loopcap = k->loopcap;
    s->eff = k->eff;
    s->effcap = k->effcap;
    memcpy(s->code.opchunk, k->opchunk, sizeof k->opchunk);
    memset(k, 0, sizeof *k);
}

/* keep what is not too large; s's pointers are cleared either way */
static void scratch_keep(gk_sym *s)
{
    scratch *k = &tls_scratch;
    pthread_once(&scratch_once, scratch_init);
    if (pthread_setspecific(scratch_key, k) != 0) /* no exit hook: keep nothing */
        return;
    if (s->nodecap <= KEEP_NODES && s->polycap <= KEEP_POLYS) {
        k->node = s->node;
        k->nodecap = s->nodecap;
        k->poly = s->poly;
        k->polycap = s->polycap;
        k->htab = s->htab;
        s->node = NULL;
        s->poly = NULL;
        s->htab = NULL;
    }
    if (s->loopcap <= KEEP_LOOPS && s->effcap <= KEEP_EFFECTS) {
        k->loop = s->loop;
        k->loopcap = s->loopcap;
        k->eff = s->eff;
        k->effcap = s->effcap;
        s->loop = NULL;
        s->eff = NULL;
    }
    for (int i = 0; i < KEEP_CHUNKS; i++) { /* the rest are freed with the code model */
        k->opchunk[i] = s->code.opchunk[i];
        s->code.opchunk[i] = NULL;
    }
}

gk_status gk_symexec(const uint8_t *entry, const uint8_t *lo, const uint8_t *hi, const gk_fn_sig *sig,
                     struct gk_op_trace **out)
{
    gk_sym *s = calloc(1, sizeof *s);
    if (!s)
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    s->sig = sig;
    s->cur_loop = -1;
    ZydisDecoderInit(&s->dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    scratch_take(s);
    if (!s->loop) {
        s->loopcap = 16;
        s->loop = malloc(sizeof *s->loop * (size_t)s->loopcap);
    }
    if (!s->eff) {
        s->effcap = 64;
        s->eff = malloc(sizeof *s->eff * (size_t)s->effcap);
    }
    gk_status st = (s->loop && s->eff) ? gk_expr_init(s) : gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    if (st == GK_OK)
        st = gk_code_build(s, &s->code, entry, lo, hi);
    if (st == GK_OK) {
        gk_state init;
        memset(&init, 0, sizeof init);
        int32_t u = gk_x_undef(s, 0);
        for (int i = 0; i < 16; i++)
            init.gpr[i] = init.xmm[i] = u;
        init.gpr[REG_RSP] = gk_x_atom(s, gk_x_special(s, GK_X_STACK, GK_T_I64, -1, -1, -1, 0, -1, (int64_t)1 << 46));
        static const int int_regs[6] = {7, 6, 2, 1, 8, 9}; /* rdi rsi rdx rcx r8 r9 */
        int ni = 0, nf = 0, nstack = 0;
        for (int j = 0; j < sig->nargs && st == GK_OK; j++) {
            int32_t v;
            switch (sig->args[j]) {
            case GK_ARG_F32: v = gk_x_special(s, GK_OP_ARG, GK_T_F32, -1, -1, -1, (uint64_t)j, -1, 0); break;
            case GK_ARG_I64:
                v = gk_x_atom(s, gk_x_special(s, GK_OP_ARG, GK_T_I64, -1, -1, -1, (uint64_t)j, -1, 1027 + 64 * j));
                break;
            case GK_ARG_PTR_IN:
            case GK_ARG_PTR_OUT:
                v = gk_x_atom(s, gk_x_special(s, GK_X_PTR, GK_T_I64, -1, -1, -1, (uint64_t)j, -1, ((int64_t)1 << 40) * (j + 1)));
                break;
            default: v = -1;
            }
            if (v < 0) {
                st = gk_fail(GK_ERR_INVALID_ARG, "trace: bad signature");
                break;
            }
            if (sig->args[j] == GK_ARG_F32 && nf < 8)
                init.xmm[nf++] = v;
            else if (sig->args[j] != GK_ARG_F32 && ni < 6)
                init.gpr[int_regs[ni++]] = v;
            else
                init.slot[init.nslot++] = (gk_slot){8 + 8 * nstack++, 8, v};
        }
        if (st == GK_OK) {
            exec e;
            memset(&e, 0, sizeof e);
            e.s = s;
            /* a seed set is 1 KB and only its count starts at zero */
            e.seeds = malloc(sizeof *e.seeds * (size_t)(s->code.nloops ? s->code.nloops : 1));
            for (int i = 0; e.seeds && i < s->code.nloops; i++)
                e.seeds[i].n = 0;
            e.region_blk = calloc((size_t)s->code.nblocks, 1);
            int end;
            st = e.seeds && e.region_blk ? region(&e, &init, s->code.insn_block[gk_code_find(&s->code, entry)], -1, &end)
                                         : gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
            free(e.seeds);
            free(e.region_blk);
            if (st == GK_OK && end != END_RET)
                st = gk_sym_fail(s, NULL, "function does not return");
            int32_t ret = -1;
            if (st == GK_OK && sig->ret == GK_ARG_F32) {
                ret = gk_x_retype(s, init.xmm[0], GK_T_F32);
                if (ret < 0 || is_undef(s, ret))
                    st = gk_sym_fail(s, NULL, "no float return value in xmm0");
            }
            if (st == GK_OK)
                st = gk_linearize(s, ret, out);
        }
    }
    scratch_keep(s);
    gk_code_free(&s->code);
    gk_expr_fini(s);
    free(s->loop);
    free(s->eff);
    free(s);
    return st;
}

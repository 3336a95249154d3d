/* Internals of the Phase 0 analyser shared by its parts: the code model (decoded
 * instructions, basic blocks, dominators, natural loops; cfg.c), import resolution and
 * memory-map queries (imports.c), the symbolic expression graph with integer polynomials
 * (expr.c), the executor (symexec.c) and the linearizer that turns the graph and the recorded
 * effects into a trace (linearize.c). One analysis owns one gk_sym context; nothing is shared
 * between analyses, so analyses run concurrently without locks (imports.c locks its cache). */
#ifndef GK_JIT_SYM_H
#define GK_JIT_SYM_H

#include <Zydis/Zydis.h>
#include <stdint.h>

#include "jit/trace/trace.h"
#include "runtime/error.h"

/* ---- limits: bounded work on any input ---- */
enum {
    GK_SYM_MAX_INSNS = 4096,
    GK_SYM_MAX_BLOCKS = 1024,
    GK_SYM_MAX_NODES = 1 << 16,
    GK_SYM_MAX_POLYS = 1 << 15,
    GK_SYM_MAX_STEPS = 1 << 18,  /* instructions executed symbolically, all paths and rounds */
    GK_SYM_MAX_SLOTS = 40,       /* live stack slots */
    GK_SYM_MAX_LOOPS = 256,      /* loop records, all rounds */
    GK_SYM_MAX_EFFECTS = 1 << 14,
    GK_SYM_MAX_ACCS = 48,        /* carried values per loop */
    GK_SYM_MAX_DEPTH = 6         /* nesting of loops and branch diamonds */
};
/* the integer constants looked up without hashing (steps, sizes, offsets, shift counts) */
enum { GK_SYM_SMALL_MIN = -16, GK_SYM_SMALL_INTS = 80 };

/* ---- code model ---- */
/* what the executor reads of a decoded instruction; the operands live in gk_code's chunks
 * (records stay small: sorting them into address order copies them) */
typedef struct {
    const uint8_t *addr;
    const ZydisDecodedOperand *op; /* ZYDIS_MAX_OPERAND_COUNT_VISIBLE; those past nop are unused */
    ZydisMnemonic mnemonic;
    uint8_t length, nop, legacy; /* legacy: not VEX/EVEX encoded */
} gk_insn;

enum { GK_OPCHUNK = 64 }; /* instructions per operand chunk */

typedef struct {
    int first, count;  /* instructions */
    int succ[2], nsucc; /* successor blocks; the taken target of a jcc is succ[0] */
    int ipdom;         /* immediate post-dominator, -1 none, nblocks: the virtual exit */
} gk_block;

typedef struct {
    int header;
    uint8_t *body;     /* nblocks flags */
} gk_nloop;

typedef struct {
    const uint8_t *lo, *hi;
    gk_insn *insn;
    int ninsn;
    ZydisDecodedOperand *opchunk[GK_SYM_MAX_INSNS / GK_OPCHUNK]; /* never move once decoded */
    gk_block *blk;
    int nblocks;
    gk_nloop *loops;
    int nloops;
    int *insn_block; /* instruction -> block */
} gk_code;

struct gk_sym;

gk_status gk_code_build(struct gk_sym *s, gk_code *c, const uint8_t *entry, const uint8_t *lo, const uint8_t *hi);
void gk_code_free(gk_code *c);
int gk_code_find(const gk_code *c, const uint8_t *addr); /* instruction index or -1 */

/* ---- imports and the memory map (imports.c) ---- */
enum { GK_MEM_R = 4, GK_MEM_W = 2, GK_MEM_X = 1 };
/* Protection flags of [p, p+len) if it lies inside one loaded segment, else 0. */
int gk_mem_flags(const void *p, size_t len);
/* The name of the function a call at `target` (direct) or through GOT slot `slot` reaches;
 * NULL if unknown. */
const char *gk_import_name(const uint8_t *target, const void *slot);
/* The extent of the ELF symbol containing fn (from .dynsym): 1 and [lo, hi) if found. */
int gk_symbol_extent(const void *fn, const uint8_t **lo, const uint8_t **hi);

/* ---- expressions ---- */
enum {
    GK_X_POLY = GK_OP_COUNT, /* an integer as a polynomial over atoms */
    GK_X_PTR,                /* atom: array argument imm (its base address) */
    GK_X_STACK,              /* atom: the stack pointer at entry */
    GK_X_IDX,                /* atom: iteration index of loop record a */
    GK_X_UNDEF,              /* an undefined value (imm: where it came from) */
    GK_X_STORE,              /* a recorded store (not hash-consed) */
    GK_X_BYTE,               /* a register whose low byte is node a, the rest undefined (setcc) */
    GK_X_FUNC                /* atom: the address of a function (imm: its name, a const char *) */
};

typedef struct {
    int64_t c;
    int32_t at[3]; /* atom node ids, descending, 0 = none */
} gk_pterm;

typedef struct {
    int n;
    gk_pterm t[8];
} gk_poly;

/* p = c, initialising only the term in use (a whole gk_poly is 200 bytes; `= {...}` clears it) */
static inline void gk_poly_const(gk_poly *p, int64_t c)
{
    p->n = c != 0;
    p->t[0] = (gk_pterm){c, {0, 0, 0}};
}

/* coefficients are 64-bit machine integers: their arithmetic wraps, as the registers' does */
static inline int64_t gk_wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t gk_wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

typedef struct {
    uint16_t op;
    uint8_t type;
    uint8_t w32;   /* integer known to be a zero-extended 32-bit quantity */
    int32_t a, b, c;
    uint64_t imm;
    int32_t scope; /* loop record it belongs in, -1 top */
    int32_t poly;  /* GK_X_POLY: index into polys */
    int64_t wit;   /* integers: value at the witness sizes */
    int32_t hnext;
    int32_t emitted; /* linearizer: value id, -1 */
    uint8_t live;
    uint8_t inner_use; /* an ACC read by something other than its ACCOUT */
} gk_node;

/* ---- executor state ---- */
typedef struct {
    int32_t off;
    uint8_t size;
    int32_t node;
} gk_slot;

enum { GK_FL_NONE, GK_FL_ICMP, GK_FL_FCMP };

typedef struct {
    int32_t gpr[16];
    int32_t xmm[16];
    gk_slot slot[GK_SYM_MAX_SLOTS];
    int nslot;
    int fl_kind;       /* GK_FL_* */
    int32_t fl_x, fl_y; /* compared values (ICMP: x - y; the zero/sign test of a result is x vs 0) */
    int fl_zs_only;    /* flags from add/and/...: only ZF/SF/PF meaningful */
    int fl_bittest;    /* flags from `test a, b` with a != b: a bit test, not a size guard */
} gk_state;

typedef struct {
    int32_t acc;   /* the ACC node */
    int32_t next;  /* its value at the end of an iteration */
    int key;       /* register or slot it lives in */
} gk_carried;

typedef struct {
    int parent, depth;
    int32_t trip;  /* integer node */
    int32_t idx;   /* GK_X_IDX node */
    gk_carried acc[GK_SYM_MAX_ACCS];
    int nacc;
    int final;     /* the round whose effects are kept */
    int arm;       /* 0: a loop; 1, 2: the first / second arm of a conditional region */
    int32_t cond;  /* arms: the condition (first arm runs when it holds) */
    int negate;    /* arms: the condition holds when cond is zero / sign-clear */
    int live;      /* holds something observable (linearizer) */
} gk_loop_rec;

enum { GK_EFF_LOAD, GK_EFF_STORE, GK_EFF_LOOP, GK_EFF_IF /* x: the first arm; the second is x + 1 */ };
typedef struct {
    int kind;
    int32_t owner; /* loop record, -1 top */
    int32_t x;     /* node (LOAD, STORE) or loop record (LOOP) */
} gk_effect;

enum { GK_SYM_CALLEES = 8 };
typedef struct {
    const uint8_t *at; /* call instruction */
    const char *name;  /* the import it reaches */
} gk_callee;

typedef struct gk_sym {
    const gk_fn_sig *sig;
    gk_code code;
    ZydisDecoder dec;
    gk_node *node;
    int nnode, nodecap;
    int32_t *htab; /* hash heads (chains through gk_node.hnext) */
    int32_t small_int[GK_SYM_SMALL_INTS]; /* the node of each integer constant from GK_SYM_SMALL_MIN, -1 */
    gk_poly *poly;
    int npoly, polycap;
    gk_loop_rec *loop;
    int nloop, loopcap;
    gk_effect *eff;
    int neff, effcap;
    int cur_loop;  /* loop record being recorded, -1 top */
    uint64_t epoch; /* memory version: bumped by every store and loop */
    long steps;
    int depth;
    gk_callee callee[GK_SYM_CALLEES]; /* calls resolved so far */
    int ncallee;
    int select_probe; /* arms being tried as a select diamond: stores and loops need a region */
    int wants_region;
    int guessing;     /* a loop round run on guessed keys: a failure only discards the guess */
} gk_sym;

/* failure with the instruction at `at` (may be NULL) */
gk_status gk_sym_fail(gk_sym *s, const gk_insn *at, const char *fmt, ...) GK_PRINTF(3, 4);

/* expr.c */
/* buf (capacity *cap elements of `size` bytes) with room for `need`, the capacity doubled as
 * needed but not beyond max: NULL when it would be, or out of memory (buf is then unchanged).
 * Indices into the buffer stay valid, pointers do not. */
void *gk_sym_grow(void *buf, int *cap, size_t size, int need, int max);
gk_status gk_expr_init(gk_sym *s);
void gk_expr_fini(gk_sym *s);
int32_t gk_x_node(gk_sym *s, int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm); /* hash-consed, simplified; <0 on overflow */
int32_t gk_x_const(gk_sym *s, int type, uint64_t bits);
/* a node with an explicit scope and no rewriting (atoms, loads, accumulators) */
int32_t gk_x_special(gk_sym *s, int op, int type, int32_t a, int32_t b, int32_t c, uint64_t imm, int scope, int64_t wit);
int32_t gk_x_retype(gk_sym *s, int32_t n, int type); /* a constant at another width; <0 if not a constant */
int32_t gk_x_int(gk_sym *s, int64_t v);
int32_t gk_x_atom(gk_sym *s, int32_t atom);           /* poly of one atom */
int32_t gk_x_add(gk_sym *s, int32_t a, int32_t b, int64_t scale_b); /* a + scale_b*b */
int32_t gk_x_mul(gk_sym *s, int32_t a, int32_t b);
int32_t gk_x_intop(gk_sym *s, int op, int32_t a, int32_t b, int w32); /* non-polynomial integer op */
int gk_x_is_const_int(const gk_sym *s, int32_t n, int64_t *v);
const gk_poly *gk_x_poly(const gk_sym *s, int32_t n);
int32_t gk_x_from_poly(gk_sym *s, const gk_poly *p);
int gk_x_poly_sub(const gk_poly *a, const gk_poly *b, gk_poly *r); /* 0 on overflow */
int gk_x_poly_addterm(gk_poly *p, const gk_pterm *t);            /* 0 on overflow */
int gk_x_poly_div_exact(const gk_poly *a, const gk_poly *d, gk_poly *q);
int gk_x_poly_uses(const gk_sym *s, const gk_poly *p, int scope_min_depth); /* any atom scoped at depth >= */
int gk_x_scope_depth(const gk_sym *s, int scope);
int32_t gk_x_undef(gk_sym *s, uint64_t where);

/* linearize.c: the recorded program, as a trace */
gk_status gk_linearize(gk_sym *s, int32_t retval, struct gk_op_trace **out);

#endif

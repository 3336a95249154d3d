/* The OpTrace: what a scalar function computes, as a flat SSA list of operations with loop
 * markers (DESIGN §8, Phase 0). Operation i defines value i. A loop is LOOP (value: the
 * iteration index 0 .. trip-1), its accumulators (ACC, initialised on entry, replaced by NEXT
 * at the end of every iteration), the body, and END; ACCOUT reads an accumulator's final
 * value after the loop. Loads and stores address the function's array arguments by element
 * index. The operation set is one table (GK_TRACE_OPS) used by the printer, the serializer,
 * the interpreter's checks and the analyser. */
#ifndef GK_JIT_TRACE_H
#define GK_JIT_TRACE_H

#include <stdint.h>

#include "gk/jit.h"

/* value types */
enum { GK_T_VOID = 0, GK_T_F32, GK_T_F64, GK_T_I64 };

/* X(name, printed name, number of value operands) */
#define GK_TRACE_OPS(X)                                                          \
    X(ARG, "arg", 0)        /* imm: argument position (F32 or I64 argument) */  \
    X(CONST, "const", 0)    /* imm: the bits (low 32 for F32) */                \
    X(LOAD, "load", 1)      /* imm: array argument position; a: element index */ \
    X(STORE, "store", 2)    /* imm: array argument; a: index; b: value */       \
    X(LOOP, "loop", 1)      /* a: trip count; value: the iteration index */     \
    X(END, "end", 0)        /* imm: the LOOP it closes */                       \
    X(ACC, "acc", 1)        /* a: initial value; imm: its LOOP */               \
    X(NEXT, "next", 2)      /* a: ACC; b: value for the next iteration */       \
    X(ACCOUT, "accout", 1)  /* a: ACC; its value after the loop */              \
    X(IF, "if", 1)          /* a: condition (float: sign bit; int: != 0), imm: 1 negates; value: taken */ \
    X(ELSE, "else", 0)      /* imm: its IF */                                   \
    X(ENDIF, "endif", 0)    /* imm: its IF */                                   \
    X(PHI, "phi", 3)        /* c: an IF; a if it took the first arm, else b */  \
    X(RET, "ret", 1)        /* a: the returned value */                         \
    X(ADD, "add", 2)                                                            \
    X(SUB, "sub", 2)                                                            \
    X(MUL, "mul", 2)                                                            \
    X(DIV, "div", 2)                                                            \
    X(FMA, "fma", 3)        /* a*b+c rounded once */                           \
    X(NEG, "neg", 1)                                                            \
    X(ABS, "abs", 1)                                                            \
    X(MIN, "min", 2)        /* a < b ? a : b (x86 minss) */                    \
    X(MAX, "max", 2)        /* a > b ? a : b (x86 maxss) */                    \
    X(FMIN, "fmin", 2)      /* C fminf: NaN-ignoring */                         \
    X(FMAX, "fmax", 2)                                                          \
    X(SQRT, "sqrt", 1)                                                          \
    X(RSQRT, "rsqrt", 1)    /* the x86 rsqrtss approximation */                 \
    X(RECIP, "recip", 1)    /* the x86 rcpss approximation */                   \
    X(EXP, "exp", 1)                                                            \
    X(EXP2, "exp2", 1)                                                          \
    X(EXPM1, "expm1", 1)                                                        \
    X(LOG, "log", 1)                                                            \
    X(LOG1P, "log1p", 1)                                                        \
    X(TANH, "tanh", 1)                                                          \
    X(ERF, "erf", 1)                                                            \
    X(SIN, "sin", 1)                                                            \
    X(COS, "cos", 1)                                                            \
    X(POW, "pow", 2)                                                            \
    X(ROUND, "round", 1)    /* imm: 0 nearest-even, 1 floor, 2 ceil, 3 trunc */ \
    X(CMP, "cmp", 2)        /* imm: set of {1 lt, 2 eq, 4 gt, 8 unordered}; all-ones or 0 */ \
    X(SELECT, "select", 3)  /* a != 0 ? b : c (a: a CMP mask) */                \
    X(AND, "and", 2)        /* bit operations on the value's bits */           \
    X(ANDN, "andn", 2)      /* ~a & b */                                        \
    X(OR, "or", 2)                                                              \
    X(XOR, "xor", 2)                                                            \
    X(CVT, "cvt", 1)        /* float <-> double, int -> float (imm: source int width) */ \
    X(CVTI, "cvti", 1)      /* float -> int: imm 0 truncate, 1 round to nearest-even */ \
    X(BITCAST, "bitcast", 1) /* reinterpret bits between int and float */       \
    X(IADD, "iadd", 2)                                                          \
    X(ISUB, "isub", 2)                                                          \
    X(IMUL, "imul", 2)                                                          \
    X(IDIV, "idiv", 2)      /* C division, truncating; imm: width 32 or 64 */  \
    X(IREM, "irem", 2)                                                          \
    X(IAND, "iand", 2)      /* imm on bit ops and shifts: width 32 or 64 */    \
    X(IOR, "ior", 2)                                                            \
    X(IXOR, "ixor", 2)                                                          \
    X(ISHL, "ishl", 2)                                                          \
    X(ISHR, "ishr", 2)                                                          \
    X(ISAR, "isar", 2)                                                          \
    X(SEXT, "sext", 1)      /* sign-extend the low imm bits */                  \
    X(ZEXT, "zext", 1)      /* keep the low imm bits */

enum {
#define GK_TRACE_OP_ENUM(n, s, k) GK_OP_##n,
    GK_TRACE_OPS(GK_TRACE_OP_ENUM)
#undef GK_TRACE_OP_ENUM
    GK_OP_COUNT
};

typedef struct {
    uint16_t op;
    uint8_t type;   /* GK_T_* of the value this operation defines */
    uint8_t pad;
    int32_t a, b, c; /* operand value ids (earlier operations) */
    uint64_t imm;
} gk_trace_op;

enum {
    GK_PAT_OPAQUE = 0,
    GK_PAT_ELEMENTWISE,
    GK_PAT_REDUCTION,
    GK_PAT_MAP_REDUCE_MAP,
    GK_PAT_GEMM,
    GK_PAT_INJECTIVE
};

struct gk_op_trace {
    gk_fn_sig sig;
    int pattern;   /* GK_PAT_*, derived by gk_trace_classify */
    int arity;     /* inputs of an elementwise trace */
    int nops;
    gk_trace_op *ops;
};

extern const char *const gk_trace_op_names[GK_OP_COUNT];
extern const uint8_t gk_trace_op_arity[GK_OP_COUNT];

/* Allocate a trace with room for nops operations (zeroed); NULL when out of memory. */
struct gk_op_trace *gk_trace_alloc(int nops);

/* Check that a trace is well formed (operands defined before use with the right types, loops
 * properly nested, array positions and argument kinds consistent with the signature):
 * GK_ERR_INVALID_ARG with a message otherwise. The interpreter relies on it. */
gk_status gk_trace_validate(const struct gk_op_trace *t);

/* Derive t->pattern and t->arity from the structure. */
void gk_trace_classify(struct gk_op_trace *t);

/* A hash of the function's bytes (its symbol's extent, or the sweep's): with the address, the
 * registry's cache key. */
gk_status gk_trace_code_hash(void (*fn)(void), uint64_t *hash);

/* The symbolic executor: analyse code at `entry`, decoding only within [lo, hi). */
gk_status gk_symexec(const uint8_t *entry, const uint8_t *lo, const uint8_t *hi, const gk_fn_sig *sig,
                     struct gk_op_trace **out);

#endif

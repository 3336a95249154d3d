/* gllm-kernels JIT, Phase 0: what an operator computes, learnt from its scalar C function's
 * machine code (DESIGN §8). A function is registered with its C signature (argument kinds
 * only, nothing about semantics); on first use its machine code is decoded and executed
 * symbolically into an OpTrace: an SSA list of operations organised in loops, from which a
 * pattern (elementwise, reduction, map-reduce-map, gemm, injective) is derived. The trace
 * interpreter evaluates any trace on arrays, so interpret(trace(f)) can be checked against f.
 *
 * Errors: every function returns gk_status; a function the analyser does not understand gives
 * GK_ERR_UNSUPPORTED and gk_last_error() names the address and the instruction.
 * Thread-safety: all functions may be called concurrently; traces returned by gk_trace_get are
 * owned by the registry, immutable, and live until the process ends. */
#ifndef GK_JIT_H
#define GK_JIT_H

#include <stdint.h>
#include <stdio.h>

#include "gk/gk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The C signature of a scalar function, in argument order. GK_ARG_F32: a float passed by
 * value; GK_ARG_I64: an int64_t (a length or dimension); GK_ARG_PTR_IN / GK_ARG_PTR_OUT: a
 * float array read / written. ret is GK_ARG_VOID or GK_ARG_F32. At most 8 arguments. */
typedef enum { GK_ARG_VOID, GK_ARG_F32, GK_ARG_I64, GK_ARG_PTR_IN, GK_ARG_PTR_OUT } gk_arg_kind;
typedef struct {
    gk_arg_kind ret;
    int nargs;
    gk_arg_kind args[8];
} gk_fn_sig; /* the C signature, nothing about semantics */

struct gk_op_trace;

/* Register a scalar function under a name (at most 63 characters). The built-in operators'
 * scalar definitions (gk_scalar_*, registered as "silu", "rms_norm", ...) are registered on
 * first use of the registry. Registering a name again with the same function and signature is
 * a no-op; with a different function or signature it is GK_ERR_INVALID_ARG. Analysis happens
 * lazily in gk_trace_get, so a function Phase 0 cannot analyse is reported there. */
GK_API gk_status gk_register_scalar_fn(const char *name, void (*fn)(void), const gk_fn_sig *sig);

/* The trace of a registered function: analysed on first use, then cached (keyed by the
 * function's address and a hash of its bytes; a failed analysis is cached as well and its
 * message repeated). *out is owned by the registry. GK_ERR_INVALID_ARG for an unknown name. */
GK_API gk_status gk_trace_get(const char *name, const struct gk_op_trace **out);

/* Evaluate a trace on arrays.
 * - All arguments GK_ARG_F32 (float f(float, ...)): in[j] holds n values for argument j,
 *   out[0] receives the n results.
 * - Arrays plus one GK_ARG_I64 length: in lists the GK_ARG_PTR_IN arrays in argument order,
 *   out the GK_ARG_PTR_OUT arrays, each of n elements; n is the length; params lists the
 *   GK_ARG_F32 arguments in order; a float return value is written to out[0][0] after the
 *   output arrays (it is out[nout][0] when the function also has nout output arrays).
 * Functions with several GK_ARG_I64 arguments (gemm, gemv) are evaluated with
 * gk_trace_eval_call. Every array access is bounds-checked against n: an access outside
 * is GK_ERR_INVALID_ARG (the function would have read out of bounds as well). */
GK_API gk_status gk_trace_eval(const struct gk_op_trace *t, int64_t n, const float *const *in, float *const *out,
                               const float *params);

/* One argument of gk_trace_eval_call, by the argument's kind: f for GK_ARG_F32, i for
 * GK_ARG_I64, p and len (elements) for arrays (p is written through for GK_ARG_PTR_OUT). */
typedef struct {
    float f;
    int64_t i;
    const float *p;
    int64_t len;
} gk_trace_arg;

/* Evaluate a trace as a call of the function with these arguments (nargs of them, in the
 * signature's order); a float return value is stored in *ret (ret may be NULL otherwise).
 * This is the general form: for the gemm pattern the dimensions are the I64 arguments. */
GK_API gk_status gk_trace_eval_call(const struct gk_op_trace *t, const gk_trace_arg *args, float *ret);

/* Print a trace in readable form (the pattern, the stages, one SSA operation per line). */
GK_API gk_status gk_trace_print(const struct gk_op_trace *t, FILE *f);

/* The pattern derived from the trace's structure: "elementwise", "reduction",
 * "map-reduce-map", "gemm", "injective"; "opaque" for any other structure. */
GK_API const char *gk_trace_pattern(const struct gk_op_trace *t);

/* Number of inputs of an elementwise trace (1, 2 or 3 float arguments or input arrays);
 * 0 for other patterns. */
GK_API int gk_trace_arity(const struct gk_op_trace *t);

/* Analyse a function without the registry (nothing cached): *out must be freed with
 * gk_trace_free. gk_trace_analyze_code analyses size bytes of code at code, taken as the
 * whole function (used for code that is not a loaded symbol, such as the fuzzer's input). */
GK_API gk_status gk_trace_analyze(void (*fn)(void), const gk_fn_sig *sig, struct gk_op_trace **out);
GK_API gk_status gk_trace_analyze_code(const void *code, size_t size, const gk_fn_sig *sig,
                                       struct gk_op_trace **out);
GK_API void gk_trace_free(struct gk_op_trace *t);

/* Serialize a trace into a self-contained byte string (little-endian, versioned); *bytes is
 * allocated with malloc and owned by the caller. gk_trace_deserialize validates the bytes and
 * gives GK_ERR_INVALID_ARG for malformed input; free the result with gk_trace_free. */
GK_API gk_status gk_trace_serialize(const struct gk_op_trace *t, unsigned char **bytes, size_t *len);
GK_API gk_status gk_trace_deserialize(const unsigned char *bytes, size_t len, struct gk_op_trace **out);

/* The registered names, for listings: gk_trace_fn_count() names, index 0 .. count-1. The
 * pointer stays valid until the process ends; NULL for an index out of range. */
GK_API int gk_trace_fn_count(void);
GK_API const char *gk_trace_fn_name(int index);

/* The function and signature registered under name (either out-pointer may be NULL);
 * GK_ERR_INVALID_ARG for an unknown name. */
GK_API gk_status gk_trace_fn_info(const char *name, void (**fn)(void), gk_fn_sig *sig);

#ifdef __cplusplus
}
#endif

#endif

/* Shared checks of the Phase 0 tests: a trace's interpretation against the function itself,
 * bitwise, on random and edge inputs; and the table of built-in operators (signature, pattern,
 * how to call them natively) so the same checks run on every build of the scalar definitions. */
#ifndef GK_TEST_JIT_CHECK_H
#define GK_TEST_JIT_CHECK_H

#include <stdint.h>

#include "gk/jit.h"

typedef void (*jt_caller)(void (*fn)(void), const gk_trace_arg *a, float *ret);

void jt_seed(uint64_t seed);

/* The registered trace of `name`; checks its pattern. NULL (a failed check) if it has none. */
const struct gk_op_trace *jt_get(const char *name, const char *pattern);

/* float f(float[, float[, float]]) against its trace on random and all edge-value pairs */
void jt_check_scalar(const char *label, const struct gk_op_trace *t, int arity, void (*fn)(void));

/* a function over arrays of n elements (one length argument) against its trace */
void jt_check_rows(const char *label, const struct gk_op_trace *t, void (*fn)(void), jt_caller call, gk_fn_sig sig,
                   int64_t n);

/* Register `fn` as `label` with the signature of built-in operator `op` (a gk_scalar_ name
 * without the prefix) and check it the way that operator is checked: pattern, then values over
 * several sizes or shapes. */
void jt_check_builtin(const char *op, const char *label, void (*fn)(void));

/* the built-in operators, in registry order */
int jt_builtin_count(void);
const char *jt_builtin_name(int i);

#endif

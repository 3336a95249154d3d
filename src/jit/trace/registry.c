/* The scalar function registry: name -> (function, C signature), with the built-in operators'
 * scalar definitions registered on first use. Traces are analysed on first gk_trace_get and
 * cached by (address, hash of the function's bytes, signature), so two names for one function
 * share one trace while code replaced at the same address is analysed again; a failed analysis
 * is cached with its message. One mutex guards everything:
 * analysis is short (tens of microseconds) and happens once per function. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jit/trace/sym.h"
#include "scalar/scalar.h"

typedef struct {
    char name[64];
    void (*fn)(void);
    gk_fn_sig sig;
    struct gk_op_trace *trace; /* owned by the first entry that analysed it */
    uint64_t hash;             /* of the function's bytes when analysed */
    gk_status st;
    char err[320];
    int done;
} entry;

static entry **tab; /* entries never move: names handed out stay valid */
static int ntab, cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int builtins_done;

#define F GK_ARG_F32
#define I GK_ARG_I64
#define IN GK_ARG_PTR_IN
#define OUT GK_ARG_PTR_OUT
#define V GK_ARG_VOID
#define FN(f) ((void (*)(void))(f))

static const struct {
    const char *name;
    void (*fn)(void);
    gk_fn_sig sig;
} builtins[] = {
    {"silu", FN(gk_scalar_silu), {F, 1, {F}}},
    {"gelu_tanh", FN(gk_scalar_gelu_tanh), {F, 1, {F}}},
    {"gelu_erf", FN(gk_scalar_gelu_erf), {F, 1, {F}}},
    {"relu", FN(gk_scalar_relu), {F, 1, {F}}},
    {"tanh", FN(gk_scalar_tanh), {F, 1, {F}}},
    {"exp", FN(gk_scalar_exp), {F, 1, {F}}},
    {"swiglu", FN(gk_scalar_swiglu), {F, 2, {F, F}}},
    {"vec_dot", FN(gk_scalar_vec_dot), {F, 3, {IN, IN, I}}},
    {"vec_add", FN(gk_scalar_vec_add), {V, 4, {IN, IN, OUT, I}}},
    {"vec_mul", FN(gk_scalar_vec_mul), {V, 4, {IN, IN, OUT, I}}},
    {"vec_scale", FN(gk_scalar_vec_scale), {V, 4, {IN, OUT, I, F}}},
    {"vec_axpy", FN(gk_scalar_vec_axpy), {V, 5, {IN, IN, OUT, I, F}}},
    {"vec_sum", FN(gk_scalar_vec_sum), {F, 2, {IN, I}}},
    {"vec_max", FN(gk_scalar_vec_max), {F, 2, {IN, I}}},
    {"softmax", FN(gk_scalar_softmax), {V, 3, {IN, OUT, I}}},
    {"rms_norm", FN(gk_scalar_rms_norm), {V, 5, {IN, IN, OUT, I, F}}},
    {"layer_norm", FN(gk_scalar_layer_norm), {V, 6, {IN, IN, IN, OUT, I, F}}},
    {"rope_interleaved", FN(gk_scalar_rope_interleaved), {V, 5, {IN, OUT, I, F, F}}},
    {"rope_neox", FN(gk_scalar_rope_neox), {V, 5, {IN, OUT, I, F, F}}},
    {"gemv", FN(gk_scalar_gemv), {V, 5, {I, I, IN, IN, OUT}}},
    {"gemm", FN(gk_scalar_gemm), {V, 6, {I, I, I, IN, IN, OUT}}},
    {"gemm_bt", FN(gk_scalar_gemm_bt), {V, 6, {I, I, I, IN, IN, OUT}}},
    {"gemm_bias", FN(gk_scalar_gemm_bias), {V, 7, {I, I, I, IN, IN, IN, OUT}}},
};

static int same_sig(const gk_fn_sig *a, const gk_fn_sig *b)
{
    if (a->ret != b->ret || a->nargs != b->nargs)
        return 0;
    for (int j = 0; j < a->nargs; j++)
        if (a->args[j] != b->args[j])
            return 0;
    return 1;
}

static int find(const char *name)
{
    for (int i = 0; i < ntab; i++)
        if (!strcmp(tab[i]->name, name))
            return i;
    return -1;
}

static gk_status add_locked(const char *name, void (*fn)(void), const gk_fn_sig *sig)
{
    int i = find(name);
    if (i >= 0) {
        if (tab[i]->fn == fn && same_sig(&tab[i]->sig, sig))
            return GK_OK;
        return gk_fail(GK_ERR_INVALID_ARG, "gk_register_scalar_fn: \"%s\" is already registered differently", name);
    }
    if (ntab == cap) {
        int nc = cap ? cap * 2 : 64;
        entry **nt = realloc(tab, sizeof *nt * (size_t)nc);
        if (!nt)
            return gk_fail(GK_ERR_NO_MEMORY, "gk_register_scalar_fn: out of memory");
        tab = nt;
        cap = nc;
    }
    entry *e = calloc(1, sizeof *e);
    if (!e)
        return gk_fail(GK_ERR_NO_MEMORY, "gk_register_scalar_fn: out of memory");
    tab[ntab++] = e;
    strcpy(e->name, name);
    e->fn = fn;
    e->sig = *sig;
    return GK_OK;
}

static void builtins_locked(void)
{
    if (builtins_done)
        return;
    builtins_done = 1;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        add_locked(builtins[i].name, builtins[i].fn, &builtins[i].sig);
}

gk_status gk_register_scalar_fn(const char *name, void (*fn)(void), const gk_fn_sig *sig)
{
    if (!name || !*name || strlen(name) > 63 || !fn || !sig || sig->nargs < 0 || sig->nargs > 8)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_register_scalar_fn: bad name, function or signature");
    pthread_mutex_lock(&lock);
    builtins_locked();
    gk_status st = add_locked(name, fn, sig);
    pthread_mutex_unlock(&lock);
    return st;
}

/* an earlier entry analysing the same function with the same signature shares its result */
static const entry *shared(const entry *e)
{
    for (int i = 0; i < ntab; i++) {
        const entry *o = tab[i];
        if (o != e && o->done && o->fn == e->fn && o->hash == e->hash && same_sig(&o->sig, &e->sig))
            return o;
    }
    return NULL;
}

gk_status gk_trace_get(const char *name, const struct gk_op_trace **out)
{
    if (!name || !out)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_get: NULL argument");
    pthread_mutex_lock(&lock);
    builtins_locked();
    int i = find(name);
    if (i < 0) {
        pthread_mutex_unlock(&lock);
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_get: no scalar function \"%s\" is registered", name);
    }
    entry *e = tab[i];
    if (!e->done) {
        const entry *o = gk_trace_code_hash(e->fn, &e->hash) == GK_OK ? shared(e) : NULL;
        if (o) {
            e->trace = o->trace;
            e->st = o->st;
            memcpy(e->err, o->err, sizeof e->err);
        } else {
            struct gk_op_trace *t = NULL;
            e->st = gk_trace_analyze(e->fn, &e->sig, &t);
            e->trace = t;
            if (e->st != GK_OK)
                snprintf(e->err, sizeof e->err, "%s: %s", name, gk_last_error());
        }
        e->done = 1;
    }
    gk_status st = e->st;
    if (st == GK_OK)
        *out = e->trace;
    else
        gk_fail(st, "%s", e->err);
    pthread_mutex_unlock(&lock);
    return st;
}

int gk_trace_fn_count(void)
{
    pthread_mutex_lock(&lock);
    builtins_locked();
    int n = ntab;
    pthread_mutex_unlock(&lock);
    return n;
}

const char *gk_trace_fn_name(int index)
{
    pthread_mutex_lock(&lock);
    builtins_locked();
    const char *n = index >= 0 && index < ntab ? tab[index]->name : NULL;
    pthread_mutex_unlock(&lock);
    return n;
}

gk_status gk_trace_fn_info(const char *name, void (**fn)(void), gk_fn_sig *sig)
{
    if (!name)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_trace_fn_info: NULL name");
    pthread_mutex_lock(&lock);
    builtins_locked();
    int i = find(name);
    if (i >= 0) {
        if (fn)
            *fn = tab[i]->fn;
        if (sig)
            *sig = tab[i]->sig;
    }
    pthread_mutex_unlock(&lock);
    return i >= 0 ? GK_OK : gk_fail(GK_ERR_INVALID_ARG, "gk_trace_fn_info: no scalar function \"%s\"", name);
}

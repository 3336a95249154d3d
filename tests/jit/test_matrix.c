/* Phase 0 over a build matrix of the scalar definitions (tests/jit/CMakeLists.txt): gcc and
 * clang, -O1/-O2/-O3 with vectorization off, with and without -mavx2 -mfma, with and without
 * -ffp-contract=fast, with and without -fno-math-errno. Each variant is a shared library
 * (dlopen'ed, symbols from .dynsym) and is also linked into this executable without -rdynamic
 * under renamed symbols (the analyser then sweeps for the function's extent). Every built-in
 * operator of every variant must analyse to the expected pattern and match its function bitwise.
 *
 * usage: test_jit_matrix LIB.so...   (the linked-in variants come from matrix_table.h) */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gk_test.h"
#include "matrix_table.h"

int main(int argc, char **argv)
{
    jt_seed(7);
    char label[160], sym[96];
    for (int a = 1; a < argc; a++) {
        void *h = dlopen(argv[a], RTLD_NOW | RTLD_LOCAL);
        CHECK(h != NULL, "dlopen %s: %s", argv[a], dlerror());
        if (!h)
            continue;
        const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        for (int i = 0; i < jt_builtin_count(); i++) {
            const char *op = jt_builtin_name(i);
            snprintf(sym, sizeof sym, "gk_scalar_%s", op);
            snprintf(label, sizeof label, "%s/%s", base, op);
            jt_check_builtin(op, label, (void (*)(void))dlsym(h, sym));
        }
    }
    CHECK(GK_MATRIX_NOPS == jt_builtin_count(), "matrix table has %d ops, check.c %d", GK_MATRIX_NOPS,
          jt_builtin_count());
    for (size_t v = 0; v < sizeof matrix_linked / sizeof matrix_linked[0]; v++)
        for (int i = 0; i < jt_builtin_count(); i++) {
            const char *op = jt_builtin_name(i);
            snprintf(label, sizeof label, "%s(linked)/%s", matrix_linked[v].variant, op);
            jt_check_builtin(op, label, matrix_linked[v].fn[i]);
        }
    printf("%d variants\n", argc - 1 + (int)(sizeof matrix_linked / sizeof matrix_linked[0]));
    return gk_test_finish("jit_matrix");
}

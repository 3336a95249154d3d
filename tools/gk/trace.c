/* `gk trace [op]`: JIT Phase 0 from the command line. Without an argument, every registered
 * scalar function with its pattern (or why it cannot be analysed); with one, its trace. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "gk/jit.h"

int gk_cmd_trace(int argc, char **argv)
{
    const struct gk_op_trace *t = NULL;
    if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(stderr, "usage: gk trace [op]\n");
        return 2;
    }
    if (argc == 2) {
        if (gk_trace_get(argv[1], &t) != GK_OK) {
            fprintf(stderr, "gk trace: %s\n", gk_last_error());
            return 1;
        }
        printf("trace %s\n", argv[1]);
        return gk_trace_print(t, stdout) == GK_OK ? 0 : 1;
    }
    int bad = 0;
    for (int i = 0; i < gk_trace_fn_count(); i++) {
        const char *name = gk_trace_fn_name(i);
        if (gk_trace_get(name, &t) == GK_OK)
            printf("%-18s %s\n", name, gk_trace_pattern(t));
        else {
            printf("%-18s unsupported: %s\n", name, gk_last_error());
            bad = 1;
        }
    }
    return bad;
}

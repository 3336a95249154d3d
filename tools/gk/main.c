/* The `gk` command-line tool: dispatches `gk <command> ...` to the command table below. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "gk/gk.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
} commands[] = {
    {"info", gk_cmd_info, "info [--remeasure]          the DeviceProfile: CPU, caches, measured limits"},
    {"bench", gk_cmd_bench, "bench <suite|all|list> ...  benchmarks vs peers (--threads N --json --plot f.svg"
                            " --quick --full --filter s --rounds N)"},
    {"demo", gk_cmd_demo, "demo [--quick]              LLaMA-7B feed-forward block, checked and timed"},
    {"trace", gk_cmd_trace, "trace [op]                  JIT Phase 0: registered functions, or one op's trace"},
    {"version", cmd_version, "version                     library version"},
    {"help", cmd_help, "help                        this text"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *f)
{
    fprintf(f, "usage: gk <command> [args]\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  gk %s\n", commands[i].usage);
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "gk version: takes no arguments\n");
        return 2;
    }
    printf("gllm-kernels %s\n", gk_version());
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return cmd_help(argc - 1, argv + 1);
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "gk: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

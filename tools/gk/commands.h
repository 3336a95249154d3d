/* The `gk` tool's subcommands: each is `int gk_cmd_<name>(int argc, char **argv)` with argv[0]
 * the subcommand's name, returning the process exit code. main.c dispatches to them through
 * its command table: a new command is one declaration here and one line there. */
#ifndef GK_TOOLS_COMMANDS_H
#define GK_TOOLS_COMMANDS_H

int gk_cmd_info(int argc, char **argv);  /* tools/gk/info.c */
int gk_cmd_bench(int argc, char **argv); /* bench/harness.c (declared in bench/bench.h too) */
int gk_cmd_demo(int argc, char **argv);  /* tools/gk/demo.c */
int gk_cmd_trace(int argc, char **argv); /* tools/gk/trace.c */

#endif

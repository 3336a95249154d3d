/* The -ffast-math build of the compiler baselines (bench/baseline_act.c, same loops). */
#include "baseline_act.c"

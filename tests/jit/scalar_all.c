/* The scalar definitions as one translation unit, compiled by every compiler and flag set of
 * the Phase 0 build matrix (CMakeLists.txt here). */
#include "scalar/activations.c"
#include "scalar/blas.c"
#include "scalar/norms.c"
#include "scalar/rope.c"

/* Internal runtime interface: CPU detection (no measurement) and the active ISA level. */
#ifndef GK_RUNTIME_CPU_H
#define GK_RUNTIME_CPU_H

#include "gk/gk.h"

/* Detection only (CPUID, XGETBV, caches, cores, blocking, thresholds); fast, done once.
 * The measured fields of the struct are filled later by gk_device_profile(). Never NULL.
 * Kernels read their blocking and thresholds from here. */
const struct gk_device_profile *gk_cpu(void);

/* The active ISA level: gk_set_isa() if called, else GK_ISA from the environment, else the
 * best detected. Fails with GK_ERR_UNSUPPORTED (message set) when GK_ISA is unknown or names
 * a level this CPU lacks. */
gk_status gk_isa_active(gk_isa *out);

#endif

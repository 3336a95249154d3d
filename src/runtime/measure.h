/* The DeviceProfile's measurement loops: one template (measure.c) compiled per ISA so that only
 * its copies get the ISA's flags (cmake/GkIsa.cmake); profile.c times them and calls a width
 * only when gk_cpu() reports it. */
#ifndef GK_RUNTIME_MEASURE_H
#define GK_RUNTIME_MEASURE_H

#include <stdint.h>

/* iters rounds of independent f32 FMA chains (enough chains to cover latency × pipes on every
 * known core); returns the FLOPs done. *sink receives a value depending on every chain so the
 * compiler cannot drop them. */
int64_t gk_measure_fma_avx2(int64_t iters, float *sink);
int64_t gk_measure_fma_avx512(int64_t iters, float *sink);

/* Sum of n floats (n a multiple of 128, p 64-byte aligned) with full-width loads and enough
 * accumulators to keep the load ports busy: a read-bandwidth probe (scalar: the SSE2 baseline). */
float gk_measure_read_scalar(const float *p, int64_t n);
float gk_measure_read_avx2(const float *p, int64_t n);
float gk_measure_read_avx512(const float *p, int64_t n);

#endif

/* Builds one kernel table per ISA level at start-up (each level inherits the entries it does
 * not implement from the level below) and hands out the active one. */
#include "ops/dispatch.h"

#include "runtime/cpu.h"
#include "runtime/error.h"
#include "runtime/once.h"

static gk_kernel_table tables[GK_ISA_AVX512 + 1];
static gk_once tables_once = GK_ONCE_INIT;

static void build_tables(void)
{
    const struct gk_device_profile *cpu = gk_cpu();
    tables[GK_ISA_SCALAR] = gk_kernels_ref;
    tables[GK_ISA_AVX2] = tables[GK_ISA_SCALAR];
    if (cpu->isa_max >= GK_ISA_AVX2 && cpu->isa_max <= GK_ISA_AVX512)
        gk_register_kernels_avx2(&tables[GK_ISA_AVX2], cpu->features);
    tables[GK_ISA_AVX512] = tables[GK_ISA_AVX2];
    if (cpu->isa_max == GK_ISA_AVX512)
        gk_register_kernels_avx512(&tables[GK_ISA_AVX512], cpu->features);
}

gk_status gk_dispatch_isa(gk_isa isa, const gk_kernel_table **t)
{
    if (isa < GK_ISA_SCALAR || isa > GK_ISA_AVX512)
        return gk_fail(GK_ERR_UNSUPPORTED, "ISA level %d has no kernel table on this architecture", (int)isa);
    if (isa > gk_cpu()->isa_max)
        return gk_fail(GK_ERR_UNSUPPORTED, "ISA level %s is not supported by this CPU (best: %s)",
                       gk_isa_name(isa), gk_isa_name(gk_cpu()->isa_max));
    gk_once_run(&tables_once, build_tables);
    *t = &tables[isa];
    return GK_OK;
}

gk_status gk_dispatch(const gk_kernel_table **t)
{
    gk_isa isa;
    GK_TRY(gk_isa_active(&isa));
    gk_once_run(&tables_once, build_tables);
    *t = &tables[isa];
    return GK_OK;
}

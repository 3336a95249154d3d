/* What the analyser needs to know about the process image (DESIGN §16): which addresses are
 * mapped and how (so that constants, PLT stubs and GOT slots are read only from loaded
 * segments, never from arbitrary addresses), the ELF symbol extent of a function, and the name
 * of the function a call reaches. A libm call is `call rel32` to a PLT stub (`jmp [rip+GOT]`)
 * or `call [rip+GOT]` with -fno-plt; dladdr cannot name PLT stubs and an IFUNC's target has
 * no name, so the GOT slot is mapped to its JUMP_SLOT/GLOB_DAT relocation and the import's
 * name read from the dynamic symbol table. The segment list is cached (refreshed on a miss, as
 * objects may be loaded later) under a mutex. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <string.h>

#include "jit/trace/sym.h"

typedef struct {
    uintptr_t lo, hi;
    int flags;
} seg;

enum { MAX_SEGS = 512 };
static seg segs[MAX_SEGS];
static int nsegs;
static pthread_mutex_t seg_lock = PTHREAD_MUTEX_INITIALIZER;

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    for (int i = 0; i < info->dlpi_phnum && nsegs < MAX_SEGS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        seg *s = &segs[nsegs++];
        s->lo = info->dlpi_addr + ph->p_vaddr;
        s->hi = s->lo + ph->p_memsz;
        s->flags = ((ph->p_flags & PF_R) ? GK_MEM_R : 0) | ((ph->p_flags & PF_W) ? GK_MEM_W : 0) |
                   ((ph->p_flags & PF_X) ? GK_MEM_X : 0);
    }
    return 0;
}

static int lookup(uintptr_t a, size_t len)
{
    for (int i = 0; i < nsegs; i++)
        if (a >= segs[i].lo && a + len <= segs[i].hi && a + len >= a)
            return segs[i].flags;
    return -1;
}

int gk_mem_flags(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    pthread_mutex_lock(&seg_lock);
    int f = lookup(a, len);
    if (f < 0) {
        nsegs = 0;
        dl_iterate_phdr(collect, NULL);
        f = lookup(a, len);
    }
    pthread_mutex_unlock(&seg_lock);
    return f < 0 ? 0 : f;
}

int gk_symbol_extent(const void *fn, const uint8_t **lo, const uint8_t **hi)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1(fn, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !info.dli_saddr || sym->st_size == 0)
        return 0;
    if ((const uint8_t *)info.dli_saddr != (const uint8_t *)fn)
        return 0;
    *lo = (const uint8_t *)fn;
    *hi = (const uint8_t *)fn + sym->st_size;
    return gk_mem_flags(*lo, sym->st_size) & GK_MEM_X ? 1 : 0;
}

/* ---- relocation lookup ---- */

typedef struct {
    uintptr_t slot;
    const char *name;
} find_ctx;

static uintptr_t dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) p)
{
    /* glibc relocates most d_ptr entries in place; the vDSO's are left relative */
    return p < info->dlpi_addr ? info->dlpi_addr + p : p;
}

static void scan_rela(const struct dl_phdr_info *info, const ElfW(Rela) *r, size_t bytes, const ElfW(Sym) *symtab,
                      const char *strtab, find_ctx *fc)
{
    size_t n = bytes / sizeof *r;
    for (size_t i = 0; i < n && !fc->name; i++) {
        unsigned type = ELF64_R_TYPE(r[i].r_info);
        if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
            continue;
        if (info->dlpi_addr + r[i].r_offset != fc->slot)
            continue;
        const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(r[i].r_info)];
        fc->name = strtab + sym->st_name;
    }
}

static int find_reloc(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    find_ctx *fc = data;
    const ElfW(Dyn) *dyn = NULL;
    int inside = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
        if (ph->p_type == PT_LOAD && fc->slot >= info->dlpi_addr + ph->p_vaddr &&
            fc->slot < info->dlpi_addr + ph->p_vaddr + ph->p_memsz)
            inside = 1;
    }
    if (!inside || !dyn)
        return 0;
    uintptr_t jmprel = 0, rela = 0, symtab = 0, strtab = 0;
    size_t pltsz = 0, relasz = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        switch (dyn->d_tag) {
        case DT_JMPREL: jmprel = dyn_ptr(info, dyn->d_un.d_ptr); break;
        case DT_PLTRELSZ: pltsz = dyn->d_un.d_val; break;
        case DT_RELA: rela = dyn_ptr(info, dyn->d_un.d_ptr); break;
        case DT_RELASZ: relasz = dyn->d_un.d_val; break;
        case DT_SYMTAB: symtab = dyn_ptr(info, dyn->d_un.d_ptr); break;
        case DT_STRTAB: strtab = dyn_ptr(info, dyn->d_un.d_ptr); break;
        }
    }
    if (!symtab || !strtab)
        return 1;
    if (jmprel)
        scan_rela(info, (const ElfW(Rela) *)jmprel, pltsz, (const ElfW(Sym) *)symtab, (const char *)strtab, fc);
    if (rela && !fc->name)
        scan_rela(info, (const ElfW(Rela) *)rela, relasz, (const ElfW(Sym) *)symtab, (const char *)strtab, fc);
    return 1;
}

/* the slot a PLT stub jumps through: [endbr64] [bnd] jmp [rip+disp32] */
static const void *plt_slot(const uint8_t *p)
{
    if (!(gk_mem_flags(p, 16) & GK_MEM_X))
        return NULL;
    if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
        p += 4;
    if (p[0] == 0xf2)
        p++;
    if (p[0] != 0xff || p[1] != 0x25)
        return NULL;
    int32_t disp;
    memcpy(&disp, p + 2, 4);
    return p + 6 + disp;
}

const char *gk_import_name(const uint8_t *target, const void *slot)
{
    if (!slot && target) {
        Dl_info info;
        if (dladdr(target, &info) && info.dli_sname && info.dli_saddr == (const void *)target)
            return info.dli_sname;
        slot = plt_slot(target);
    }
    if (!slot || !(gk_mem_flags(slot, 8) & GK_MEM_R))
        return NULL;
    find_ctx fc = {(uintptr_t)slot, NULL};
    dl_iterate_phdr(find_reloc, &fc);
    return fc.name;
}

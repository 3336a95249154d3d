/* The code model of one function: instructions decoded by recursive traversal from the entry
 * (never "until ret": functions have several rets, cold paths after them and tail calls),
 * basic blocks, dominators and post-dominators (Cooper-Harvey-Kennedy), and natural loops from
 * back edges. Everything stays inside [lo, hi), and every limit is a rejection, so any byte
 * sequence terminates in bounded time. */
#include <stdlib.h>
#include <string.h>

#include "jit/trace/sym.h"

static int is_jcc(ZydisMnemonic m)
{
    switch (m) {
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JLE:
    case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNLE:
    case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JNP: case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JNZ:
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JZ:
        return 1;
    default:
        return 0;
    }
}

/* terminator kinds */
enum { T_NONE, T_JCC, T_JMP, T_EXIT };

static int term_kind(const gk_insn *in, const uint8_t *lo, const uint8_t *hi, const uint8_t **target)
{
    ZydisMnemonic m = in->mnemonic;
    *target = NULL;
    if (m == ZYDIS_MNEMONIC_RET || m == ZYDIS_MNEMONIC_UD2 || m == ZYDIS_MNEMONIC_INT3 || m == ZYDIS_MNEMONIC_HLT ||
        m == ZYDIS_MNEMONIC_IRET || m == ZYDIS_MNEMONIC_SYSCALL)
        return T_EXIT;
    if (m == ZYDIS_MNEMONIC_JMP || is_jcc(m)) {
        if (in->op[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            *target = in->addr + in->length + in->op[0].imm.value.s;
            if (m == ZYDIS_MNEMONIC_JMP && (*target < lo || *target >= hi))
                return T_EXIT; /* tail call */
            return m == ZYDIS_MNEMONIC_JMP ? T_JMP : T_JCC;
        }
        return m == ZYDIS_MNEMONIC_JMP ? T_EXIT : T_NONE; /* indirect jmp: tail call through memory */
    }
    return T_NONE;
}

/* Decode memo: an instruction is a function of its bytes (branch targets and RIP-relative
 * operands are relative), so repeated byte sequences (epilogues, the same access in several
 * loops) are decoded once per analysis; decoding costs about as much as the rest together. */
enum { MEMO_SIZE = 128 };

/* over the first three bytes (prefix, escape, opcode: few instructions share them) */
static uint32_t memo_hash(const uint8_t *p, size_t avail)
{
    uint32_t h = p[0];
    for (size_t k = 1; k < 3 && k < avail; k++)
        h = h * 31u + p[k];
    return h & (MEMO_SIZE - 1);
}

/* whether the bytes at p begin with the decoded instruction's bytes */
static int same_bytes(const gk_insn *in, const uint8_t *p, size_t avail)
{
    if (in->length > avail)
        return 0;
    for (int k = 0; k < in->length; k++) /* a few bytes: cheaper than a memcmp call */
        if (in->addr[k] != p[k])
            return 0;
    return 1;
}

int gk_code_find(const gk_code *c, const uint8_t *addr)
{
    int lo = 0, hi = c->ninsn - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (c->insn[mid].addr == addr)
            return mid;
        if (c->insn[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void gk_code_free(gk_code *c)
{
    free(c->insn);
    for (int i = 0; i < GK_SYM_MAX_INSNS / GK_OPCHUNK; i++)
        free(c->opchunk[i]);
    free(c->blk);
    free(c->insn_block);
    for (int i = 0; i < c->nloops; i++)
        free(c->loops[i].body);
    free(c->loops);
    memset(c, 0, sizeof *c);
}


/* Cooper-Harvey-Kennedy on an explicit graph: successors and predecessors in compressed rows
 * (a block has at most two successors, so the edges are few; a dense matrix costs nb^2) */
typedef struct {
    int n;
    const int *soff, *succ; /* node v's successors: succ[soff[v] .. soff[v+1]) */
    const int *poff, *pred;
} graph;

static int intersect(const int *idom, const int *rpo, int a, int b)
{
    while (a != b) {
        while (rpo[a] > rpo[b])
            a = idom[a];
        while (rpo[b] > rpo[a])
            b = idom[b];
    }
    return a;
}

/* idom[] for graph g from entry; unreachable nodes get -1. order: scratch of n; stack: of 2n. */
static void dominators(const graph *g, int entry, int *idom, int *rpo, int *order, int *stack)
{
    int n = g->n, cnt = 0, sp = 0;
    for (int i = 0; i < n; i++) {
        idom[i] = -1;
        rpo[i] = -1;
    }
    /* iterative post-order DFS; a node is seen once its rpo is no longer -1 */
    stack[sp++] = entry;
    stack[sp++] = 0;
    rpo[entry] = -2;
    while (sp) {
        int k = stack[sp - 1], v = stack[sp - 2];
        if (k < g->soff[v + 1] - g->soff[v]) {
            stack[sp - 1] = k + 1;
            int w = g->succ[g->soff[v] + k];
            if (rpo[w] == -1) {
                rpo[w] = -2;
                stack[sp++] = w;
                stack[sp++] = 0;
            }
        } else {
            order[cnt++] = v;
            sp -= 2;
        }
    }
    /* reverse post-order */
    for (int i = 0; i < cnt / 2; i++) {
        int t = order[i];
        order[i] = order[cnt - 1 - i];
        order[cnt - 1 - i] = t;
    }
    for (int i = 0; i < cnt; i++)
        rpo[order[i]] = i;
    idom[entry] = entry;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 1; i < cnt; i++) {
            int b = order[i], nd = -1;
            for (int k = g->poff[b]; k < g->poff[b + 1]; k++) {
                int p = g->pred[k];
                if (idom[p] < 0)
                    continue;
                nd = nd < 0 ? p : intersect(idom, rpo, p, nd);
            }
            if (nd != idom[b]) {
                idom[b] = nd;
                changed = 1;
            }
        }
    }
}

static int dominates(const int *idom, int a, int b)
{
    for (int guard = 0; b >= 0 && guard < GK_SYM_MAX_BLOCKS + 2; guard++) {
        if (a == b)
            return 1;
        if (idom[b] == b)
            return 0;
        b = idom[b];
    }
    return 0;
}

gk_status gk_code_build(gk_sym *s, gk_code *c, const uint8_t *entry, const uint8_t *lo, const uint8_t *hi)
{
    ZydisDecodedOperand *chunks[GK_SYM_MAX_INSNS / GK_OPCHUNK]; /* reused from an earlier analysis */
    memcpy(chunks, c->opchunk, sizeof chunks);
    memset(c, 0, sizeof *c);
    memcpy(c->opchunk, chunks, sizeof chunks);
    c->lo = lo;
    c->hi = hi;
    size_t span = (size_t)(hi - lo);
    if (entry < lo || entry >= hi || span > (1u << 20))
        return gk_sym_fail(s, NULL, "function extent of %zu bytes is empty or too large", span);
    int32_t *at = malloc(sizeof *at * span);
    int wcap = (span < GK_SYM_MAX_INSNS ? (int)span : GK_SYM_MAX_INSNS) + 1; /* a push per decoded branch */
    /* the work list, then the decode memo's chains (one per instruction) */
    int32_t *work = malloc(sizeof *work * (size_t)wcap * 2), *memo_next = work + wcap;
    int32_t memo[MEMO_SIZE];
    memset(memo, 0xff, sizeof memo);
    int cap = 64; /* grows: most functions are a few dozen instructions */
    c->insn = malloc(sizeof *c->insn * (size_t)cap);
    if (!at || !work || !c->insn) {
        free(at);
        free(work);
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    }
    memset(at, 0xff, sizeof *at * span); /* -1: not decoded; -2: inside an instruction */
    gk_status st = GK_OK;
    int nwork = 0;
    work[nwork++] = (int32_t)(entry - lo);
    while (nwork && st == GK_OK) {
        size_t off = (size_t)work[--nwork];
        while (st == GK_OK) {
            if (off >= span) {
                st = gk_sym_fail(s, NULL, "control flow leaves the function at %p", (const void *)(lo + off));
                break;
            }
            if (at[off] >= 0)
                break;
            if (at[off] == -2) {
                st = gk_sym_fail(s, NULL, "a branch lands inside an instruction at %p", (const void *)(lo + off));
                break;
            }
            if (c->ninsn >= GK_SYM_MAX_INSNS) {
                st = gk_sym_fail(s, NULL, "more than %d instructions", GK_SYM_MAX_INSNS);
                break;
            }
            if (c->ninsn == cap) {
                gk_insn *ni = realloc(c->insn, sizeof *ni * (size_t)cap * 2);
                if (!ni) {
                    st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
                    break;
                }
                c->insn = ni;
                cap *= 2;
            }
            ZydisDecodedOperand **chunk = &c->opchunk[c->ninsn / GK_OPCHUNK];
            if (!*chunk && !(*chunk = malloc(sizeof **chunk * GK_OPCHUNK * ZYDIS_MAX_OPERAND_COUNT_VISIBLE))) {
                st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
                break;
            }
            gk_insn *in = &c->insn[c->ninsn];
            uint32_t h = memo_hash(lo + off, span - off);
            int32_t same = memo[h];
            while (same >= 0 && !same_bytes(&c->insn[same], lo + off, span - off))
                same = memo_next[same];
            if (same >= 0) { /* decoded before: the record and its operands are shared */
                *in = c->insn[same];
                in->addr = lo + off;
            } else {
                ZydisDecodedOperand *op = *chunk + c->ninsn % GK_OPCHUNK * ZYDIS_MAX_OPERAND_COUNT_VISIBLE;
                ZydisDecoderContext ctx;
                ZydisDecodedInstruction ins;
                /* only the visible operands: the executor never reads implicit ones */
                if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&s->dec, &ctx, lo + off, span - off, &ins)) ||
                    !ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&s->dec, &ctx, &ins, op, ins.operand_count_visible))) {
                    st = gk_sym_fail(s, NULL, "undecodable bytes at %p", (const void *)(lo + off));
                    break;
                }
                memset(op + ins.operand_count_visible, 0, /* unused: ZYDIS_OPERAND_TYPE_UNUSED */
                       sizeof *op * (ZYDIS_MAX_OPERAND_COUNT_VISIBLE - ins.operand_count_visible));
                *in = (gk_insn){lo + off, op, ins.mnemonic, ins.length, ins.operand_count_visible,
                                ins.encoding == ZYDIS_INSTRUCTION_ENCODING_LEGACY};
                memo_next[c->ninsn] = memo[h];
                memo[h] = c->ninsn;
            }
            for (size_t k = off + 1; k < off + in->length && st == GK_OK; k++) {
                if (at[k] != -1)
                    st = gk_sym_fail(s, in, "overlapping instructions");
                at[k] = -2;
            }
            if (st != GK_OK)
                break;
            at[off] = c->ninsn++;
            const uint8_t *target;
            int tk = term_kind(in, lo, hi, &target);
            if (tk == T_JCC || tk == T_JMP) {
                if (target < lo || target >= hi) {
                    st = gk_sym_fail(s, in, "branch target outside the function");
                    break;
                }
                if (nwork >= wcap) {
                    st = gk_sym_fail(s, in, "too many branches");
                    break;
                }
                work[nwork++] = (int32_t)(target - lo);
            }
            if (tk == T_JMP || tk == T_EXIT)
                break;
            off += in->length;
        }
    }
    free(work);
    /* address order, through the offset map (cheaper than sorting the large records) */
    gk_insn *sorted = st == GK_OK ? malloc(sizeof *sorted * (size_t)(c->ninsn ? c->ninsn : 1)) : NULL;
    if (st == GK_OK && !sorted)
        st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    if (st == GK_OK) {
        int k = 0;
        for (size_t off = 0; off < span; off++)
            if (at[off] >= 0)
                sorted[k++] = c->insn[at[off]];
        free(c->insn);
        c->insn = sorted;
    }
    free(at);
    if (st != GK_OK)
        return st;

    /* leaders */
    uint8_t *leader = calloc((size_t)c->ninsn, 1);
    c->insn_block = malloc(sizeof(int) * (size_t)c->ninsn);
    c->blk = calloc((size_t)c->ninsn + 2, sizeof *c->blk); /* a block has at least one instruction */
    if (!leader || !c->insn_block || !c->blk) {
        free(leader);
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    }
    for (int i = 0; i < c->ninsn; i++) {
        const uint8_t *target;
        int tk = term_kind(&c->insn[i], lo, hi, &target);
        if (i == 0 || c->insn[i - 1].addr + c->insn[i - 1].length != c->insn[i].addr)
            leader[i] = 1;
        if (c->insn[i].addr == entry)
            leader[i] = 1;
        if (tk != T_NONE && i + 1 < c->ninsn)
            leader[i + 1] = 1;
        if (target && (tk == T_JCC || tk == T_JMP))
            leader[gk_code_find(c, target)] = 1;
    }
    for (int i = 0; i < c->ninsn; i++) {
        if (leader[i]) {
            if (c->nblocks >= GK_SYM_MAX_BLOCKS) {
                free(leader);
                return gk_sym_fail(s, &c->insn[i], "more than %d basic blocks", GK_SYM_MAX_BLOCKS);
            }
            c->blk[c->nblocks].first = i;
            c->nblocks++;
        }
        c->blk[c->nblocks - 1].count++;
        c->insn_block[i] = c->nblocks - 1;
    }
    free(leader);
    int nb = c->nblocks;
    for (int b = 0; b < nb; b++) {
        gk_block *bl = &c->blk[b];
        int last = bl->first + bl->count - 1;
        const uint8_t *target;
        int tk = term_kind(&c->insn[last], lo, hi, &target);
        bl->nsucc = 0;
        if (tk == T_JCC || tk == T_JMP)
            bl->succ[bl->nsucc++] = c->insn_block[gk_code_find(c, target)];
        if (tk == T_JCC || tk == T_NONE) {
            if (last + 1 >= c->ninsn || c->insn[last].addr + c->insn[last].length != c->insn[last + 1].addr)
                return gk_sym_fail(s, &c->insn[last], "falls through out of the decoded code");
            bl->succ[bl->nsucc++] = c->insn_block[last + 1];
        }
    }

    /* dominators and post-dominators (virtual exit nb, after every block without successors) */
    int n = nb + 1, ne = 0;
    for (int b = 0; b < nb; b++)
        ne += c->blk[b].nsucc ? c->blk[b].nsucc : 1;
    int *mem = malloc(sizeof(int) * ((size_t)(n + 1) * 2 + (size_t)ne * 2 + (size_t)n * 7));
    if (!mem)
        return gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    int *soff = mem, *poff = soff + n + 1, *succ = poff + n + 1, *pred = succ + ne;
    int *idom = pred + ne, *rpo = idom + n, *order = rpo + n, *pidom = order + n, *prpo = pidom + n,
        *dfs = prpo + n;
    /* successors in block order; predecessors counted, then placed in the same edge order */
    memset(poff, 0, sizeof *poff * (size_t)(n + 1));
    for (int b = 0, e = 0; b < n; b++) {
        soff[b] = e;
        if (b == nb)
            continue;
        for (int k = 0; k < c->blk[b].nsucc; k++)
            succ[e++] = c->blk[b].succ[k];
        if (!c->blk[b].nsucc)
            succ[e++] = nb;
    }
    soff[n] = ne;
    for (int e = 0; e < ne; e++)
        poff[succ[e] + 1]++;
    for (int v = 0; v < n; v++)
        poff[v + 1] += poff[v];
    int *fill = order; /* scratch until the dominators need it */
    memcpy(fill, poff, sizeof *fill * (size_t)n);
    for (int b = 0; b < nb; b++)
        for (int e = soff[b]; e < soff[b + 1]; e++)
            pred[fill[succ[e]]++] = b;
    graph g = {n, soff, succ, poff, pred};
    int eb = c->insn_block[gk_code_find(c, entry)];
    dominators(&g, eb, idom, rpo, order, dfs);
    /* reversed graph for post-dominators */
    graph r = {n, poff, pred, soff, succ};
    dominators(&r, nb, pidom, prpo, order, dfs);
    for (int b = 0; b < nb; b++)
        c->blk[b].ipdom = pidom[b];
    /* natural loops; any other retreating edge makes the graph irreducible */
    c->loops = calloc((size_t)nb, sizeof *c->loops);
    st = c->loops ? GK_OK : gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
    for (int b = 0; b < nb && st == GK_OK; b++) {
        if (rpo[b] < 0)
            continue;
        for (int k = 0; k < c->blk[b].nsucc && st == GK_OK; k++) {
            int h = c->blk[b].succ[k];
            if (rpo[h] > rpo[b])
                continue;
            if (!dominates(idom, h, b)) {
                st = gk_sym_fail(s, &c->insn[c->blk[b].first + c->blk[b].count - 1], "irreducible control flow");
                break;
            }
            int li = 0;
            while (li < c->nloops && c->loops[li].header != h)
                li++;
            gk_nloop *L = &c->loops[li];
            if (li == c->nloops) {
                c->nloops++;
                L->header = h;
                L->body = calloc((size_t)nb, 1);
                if (!L->body) {
                    st = gk_fail(GK_ERR_NO_MEMORY, "trace: out of memory");
                    break;
                }
                L->body[h] = 1;
            }
            /* blocks reaching the latch without passing the header */
            int *stack = order, sp = 0;
            if (!L->body[b]) {
                L->body[b] = 1;
                stack[sp++] = b;
            }
            while (sp) {
                int v = stack[--sp];
                for (int q = poff[v]; q < poff[v + 1]; q++) {
                    int p = pred[q];
                    if (p < nb && !L->body[p] && rpo[p] >= 0) {
                        L->body[p] = 1;
                        stack[sp++] = p;
                    }
                }
            }
        }
    }
    free(mem);
    return st;
}

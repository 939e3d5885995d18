/* Simulator port of the meter HAL (see mm_port_sim.h). */
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define XOR_AVX512 1
#else
#define XOR_AVX512 0
#endif

#include "mm/bytes.h"
#include "mm/meter.h"
#include "mm/persist.h"
#include "mm_port_sim.h"

/* ---- clock ---- */

void mm_port_sim_clock_init(mm_hal_clock *clk, uint32_t utc_s)
{
    memset(clk, 0, sizeof *clk);
    clk->utc_s = utc_s;
    clk->utc_valid = true;
}

void mm_port_sim_clock_set_ms(mm_hal_clock *clk, uint64_t sim_ms)
{
    if (sim_ms > clk->sim_ms) clk->sim_ms = sim_ms;
}

void mm_port_sim_clock_lose_rtc(mm_hal_clock *clk)
{
    clk->utc_valid = false;
}

uint32_t mm_hal_clock_ms(const mm_hal_clock *clk)
{
    return (uint32_t)clk->sim_ms; /* wraps modulo 2^32 like a free-running timer */
}

/* RTC seconds elapsed since the last set (host code: 64-bit division is fine here). */
static uint64_t rtc_elapsed_s(const mm_hal_clock *clk)
{
    uint64_t dt = clk->sim_ms - clk->utc_ms_base;
    uint64_t rate = (uint64_t)(1000000 + (int64_t)clk->drift_ppm); /* > 0 */
    /* in 64 bits for any dt below 584 years, where the compiler divides by the constant with
     * a multiplication; the 128-bit division is a library call (the RTC is read at every
     * advance of every meter) */
    if (rate <= 2000000u && dt <= UINT64_MAX / 2000000u) return dt * rate / 1000000000u;
    __extension__ unsigned __int128 e = (unsigned __int128)dt * rate;
    return (uint64_t)(e / 1000000000u);
}

int mm_hal_clock_utc_get(const mm_hal_clock *clk, uint32_t *utc_s)
{
    if (!clk->utc_valid) return MM_EIO;
    *utc_s = clk->utc_s + (uint32_t)rtc_elapsed_s(clk);
    return MM_OK;
}

int mm_hal_clock_utc_set(mm_hal_clock *clk, uint32_t utc_s)
{
    clk->utc_s = utc_s;
    clk->utc_ms_base = clk->sim_ms;
    clk->utc_valid = true;
    return MM_OK;
}

void mm_port_sim_clock_set_drift(mm_hal_clock *clk, int32_t ppm)
{
    if (clk->utc_valid) {
        clk->utc_s += (uint32_t)rtc_elapsed_s(clk);
        clk->utc_ms_base = clk->sim_ms; /* loses the sub-second part, like a set */
    }
    clk->drift_ppm = ppm;
}

uint64_t mm_port_sim_clock_sim_ms_at(const mm_hal_clock *clk, uint32_t utc_s)
{
    if (!clk->utc_valid || utc_s <= clk->utc_s) return clk->sim_ms;
    /* smallest dt with floor(dt rate / 1e9) >= n, i.e. dt = ceil(n 1e9 / rate) */
    uint64_t n = (uint64_t)(utc_s - clk->utc_s);
    uint64_t rate = (uint64_t)(1000000 + (int64_t)clk->drift_ppm);
    __extension__ unsigned __int128 need = (unsigned __int128)n * 1000000000u;
    uint64_t dt = (uint64_t)((need + rate - 1u) / rate);
    uint64_t at = clk->utc_ms_base + dt;
    return at > clk->sim_ms ? at : clk->sim_ms;
}

/* ---- NVM ---- */

void mm_port_sim_nvm_init(mm_hal_nvm *nvm, void *mem, uint32_t size)
{
    memset(nvm, 0, sizeof *nvm);
    nvm->mem = mem;
    nvm->size = size;
    nvm->budget = UINT64_MAX;
    memset(mem, 0xFF, size);
}

uint32_t mm_port_sim_nvm_banked_bytes(uint32_t bank_addr, uint32_t bank_size)
{
    return bank_addr + bank_size;
}

uint32_t mm_port_sim_nvm_banked_size(uint32_t bank_addr, uint32_t bank_size)
{
    return bank_addr + 2u * bank_size;
}

/* ---- a banked store's kept bank, coded ----
 * A coded bank: its length and its block's capacity (32 bits each, little-endian), then its
 * code against the reference (mm_port_sim_xor_code: which words differ, in two levels, then
 * those words XOR the reference's).  The last word of a bank whose size is not a multiple of
 * 4 is its remaining bytes (the XOR's other bytes are zero). */

#define CODE_HDR 8u

static uint32_t code_words(uint32_t size)
{
    return (size + 3u) / 4u;
}

static uint32_t code_max(uint32_t size)
{
    return CODE_HDR + mm_port_sim_xor_max(size);
}

/* Bytes of word W of a bank of SIZE bytes. */
static uint32_t word_len(uint32_t size, uint32_t w)
{
    return size - 4u * w < 4u ? size - 4u * w : 4u;
}

/* Bytes of the bitmap of NW words, and of its summary. */
static uint32_t bitmap_bytes(uint32_t nw)
{
    return (nw + 7u) / 8u;
}

static uint32_t summary_bytes(uint32_t nw)
{
    return (bitmap_bytes(nw) + 7u) / 8u;
}

uint32_t mm_port_sim_xor_max(uint32_t size)
{
    uint32_t w = code_words(size);
    return summary_bytes(w) + bitmap_bytes(w) + 4u * w;
}

/* The smallest size class at or above N bytes (N <= 2^31): multiples of 16 up to 128, then
 * four classes to each doubling (160, 192, 224, 256, 320, ...), as jemalloc hands them out. */
static uint32_t size_class(uint32_t n)
{
    if (n <= 128u) return (n + 15u) / 16u * 16u;
    uint32_t step = 1u << (31u - (uint32_t)__builtin_clz(n - 1u) - 2u); /* 2^k < n <= 2^(k+1) */
    return (n + step - 1u) / step * step;
}

uint32_t mm_port_sim_xor_room(uint32_t len, uint32_t cap)
{
    /* a whole size class, given back when the code shrank by more than 48 bytes below it */
    return len > cap || len + 48u < cap ? size_class(len) : cap;
}

/* A code being written: the summary's bytes, the bitmap's bytes not zero, the differing
 * words (in room after the longest bitmap, moved down after it at the end), and the current
 * group of 64 words' bits, which differ, so far.  Built as the words are compared, without
 * writing the whole bitmap and reading it back. */
typedef struct xor_out {
    uint8_t *sum, *bm, *o;
    uint32_t k, n; /* the bitmap's bytes and the words written */
    uint64_t acc;
} xor_out;

/* Group G's bits are all in ACC: its summary byte, its bitmap's bytes not zero. */
static inline void group_done(xor_out *x, uint32_t g)
{
    uint64_t a = x->acc;
    /* 0x80 in each byte not zero, then those bits gathered into the top byte, byte j's to
     * bit j */
    uint64_t t = (((a & 0x7F7F7F7F7F7F7F7Fu) + 0x7F7F7F7F7F7F7F7Fu) | a) & 0x8080808080808080u;
    unsigned m = (unsigned)(((t >> 7) * 0x0102040810204080u) >> 56);
    x->sum[g] = (uint8_t)m;
    for (; m != 0; m &= m - 1u) x->bm[x->k++] = (uint8_t)(a >> (8u * (unsigned)__builtin_ctz(m)));
    x->acc = 0;
}

/* Words [W, W + C) compared, MASK their bits (C <= 16, W a multiple of C). */
static inline void words_done(xor_out *x, uint32_t w, uint32_t c, uint64_t mask)
{
    x->acc |= mask << (w % 64u);
    if ((w + c) % 64u == 0) group_done(x, w / 64u);
}

/* ---- the coder with AVX-512, where the processor has it ----
 * Coding, sixteen words at a time: which differ (a mask, two bytes of the bitmap), those
 * words packed together in a register and stored as a run.  Register forms and masked stores
 * only: some processors run the memory form of compress slowly.  (Decoding needs no vectors:
 * it copies the reference and mends the few words the bitmap names.) */

#if XOR_AVX512
static int xor_avx512 = -1; /* -1 not asked yet, 0 no, 1 yes */

bool mm_port_sim_xor_use_avx512(bool on)
{
    __builtin_cpu_init();
    xor_avx512 = on && __builtin_cpu_supports("avx512f");
    return xor_avx512 == 1;
}

static bool avx512(void)
{
    if (xor_avx512 < 0) (void)mm_port_sim_xor_use_avx512(true);
    return xor_avx512 == 1;
}

/* Words [0, 16 * (size / 64)) of PLAIN coded into X. */
__attribute__((target("avx512f,popcnt"))) static void code16(const uint8_t *ref,
                                                             const uint8_t *plain, uint32_t size,
                                                             xor_out *x)
{
    for (uint32_t w = 0; 4u * w + 64u <= size; w += 16u) {
        __m512i d = _mm512_xor_si512(_mm512_loadu_si512((const void *)(plain + 4u * w)),
                                     _mm512_loadu_si512((const void *)(ref + 4u * w)));
        unsigned m = _mm512_test_epi32_mask(d, d);
        unsigned c = (unsigned)__builtin_popcount(m);
        _mm512_mask_storeu_epi32(x->o + 4u * x->n, (__mmask16)((1u << c) - 1u),
                                 _mm512_maskz_compress_epi32((__mmask16)m, d));
        x->n += c;
        words_done(x, w, 16u, m);
    }
}

#else
bool mm_port_sim_xor_use_avx512(bool on)
{
    (void)on;
    return false;
}
#endif

uint32_t mm_port_sim_xor_code(const uint8_t *ref, const uint8_t *plain, uint32_t size,
                              uint8_t *out)
{
    uint32_t nw = code_words(size), nb = bitmap_bytes(nw), ns = summary_bytes(nw), w = 0;
    xor_out x = {.sum = out, .bm = out + ns, .o = out + ns + nb};
#if XOR_AVX512
    if (avx512()) {
        code16(ref, plain, size, &x);
        w = 16u * (size / 64u);
    }
#endif
#if defined(__SSE2__)
    /* four words at a time: which differ, and each stored after the differing ones before it
     * (a word that does not differ is overwritten by the next one, or left past the end) */
    for (; 4u * w + 16u <= size; w += 4u) {
        __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(plain + 4u * w)),
                                  _mm_loadu_si128((const __m128i *)(const void *)(ref + 4u * w)));
        __m128i eq = _mm_cmpeq_epi32(d, _mm_setzero_si128());
        unsigned nz = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(eq)) ^ 15u;
        if (nz != 0) {
            uint8_t v[16];
            _mm_storeu_si128((__m128i *)(void *)v, d);
            uint32_t c1 = nz & 1u, c2 = c1 + (nz >> 1 & 1u), c3 = c2 + (nz >> 2 & 1u);
            memcpy(x.o + 4u * x.n, v, 4);
            memcpy(x.o + 4u * (x.n + c1), v + 4, 4);
            memcpy(x.o + 4u * (x.n + c2), v + 8, 4);
            memcpy(x.o + 4u * (x.n + c3), v + 12, 4);
            x.n += c3 + (nz >> 3);
        }
        words_done(&x, w, 4u, nz);
    }
#endif
    for (; w < nw; w++) {
        uint32_t k = word_len(size, w), a = 0, b = 0;
        memcpy(&a, plain + 4u * w, k);
        memcpy(&b, ref + 4u * w, k);
        if ((a ^= b) != 0) {
            memcpy(x.o + 4u * x.n, &a, 4);
            x.n++;
        }
        words_done(&x, w, 1u, a != 0);
    }
    if (nw % 64u != 0) group_done(&x, nw / 64u); /* the last group, short */
    memmove(x.bm + x.k, x.o, 4u * x.n);
    return ns + x.k + 4u * x.n;
}

/* The bitmap's bytes for a group of 64 words as one word, from the group's summary byte S
 * and the bitmap's bytes that are not zero from *BM on (moved past those taken). */
static uint64_t group_bits(uint8_t s, const uint8_t **bm)
{
    uint64_t bits = 0;
    for (unsigned m = s; m != 0; m &= m - 1u)
        bits |= (uint64_t)*(*bm)++ << (8u * (unsigned)__builtin_ctz(m));
    return bits;
}

/* Set bits of V (without the POPCNT instruction, which x86-64's baseline lacks). */
static uint32_t bits_set(uint64_t v)
{
    v -= v >> 1 & 0x5555555555555555u;
    v = (v & 0x3333333333333333u) + (v >> 2 & 0x3333333333333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
    return (uint32_t)((v * 0x0101010101010101u) >> 56);
}

void mm_port_sim_xor_decode(const uint8_t *ref, const uint8_t *code, uint32_t size, uint8_t *out)
{
    uint32_t nw = code_words(size), ns = summary_bytes(nw), k = 0;
    for (uint32_t g = 0; g < ns; g += 8u) { /* the summary's set bits: the bitmap's bytes */
        uint64_t v = 0;
        memcpy(&v, code + g, ns - g < 8u ? ns - g : 8u);
        k += bits_set(v);
    }
    const uint8_t *bm = code + ns, *o = bm + k;
    memcpy(out, ref, size);
    /* 64 words at a time, a group its summary says is as the reference's skipped whole; each
     * differing word found by its set bit */
    for (uint32_t g = 0; g < ns; g++) {
        if (code[g] == 0) continue;
        uint64_t bits = group_bits(code[g], &bm);
        while (bits != 0) {
            uint32_t w = 64u * g + (uint32_t)__builtin_ctzll(bits), a, b;
            bits &= bits - 1u;
            memcpy(&a, o, 4);
            o += 4;
            if (4u * w + 4u <= size) { /* a whole word: one load and store, no byte loop */
                memcpy(&b, out + 4u * w, 4);
                b ^= a;
                memcpy(out + 4u * w, &b, 4);
                continue;
            }
            uint32_t n = word_len(size, w);
            b = 0;
            memcpy(&b, out + 4u * w, n);
            b ^= a;
            memcpy(out + 4u * w, &b, n);
        }
    }
}

uint32_t mm_port_sim_xor_span(const uint8_t *code, uint32_t size, uint32_t w0, uint32_t w1)
{
    uint32_t nw = code_words(size), nb = bitmap_bytes(nw), ns = summary_bytes(nw), n = 0;
    const uint8_t *bm = code + ns;
    for (uint32_t j = 0; j < nb; j++) {
        if (((unsigned)code[j / 8u] >> (j % 8u) & 1u) == 0) continue;
        uint8_t b = *bm++;
        if (8u * j >= w0 && 8u * j < w1) n += 1u + 4u * bits_set(b);
    }
    return n;
}

/* Code the SIZE bytes at PLAIN into the pool's output; its length.  The pool's first bank
 * coded becomes its reference (0xFF beyond it). */
static uint32_t code_bank(mm_port_sim_nvm_pool *pool, const uint8_t *plain, uint32_t size)
{
    if (!pool->has_ref) {
        memcpy(pool->ref, plain, size);
        memset(pool->ref + size, 0xFF, pool->bank_max - size);
        pool->has_ref = true;
    }
    return CODE_HDR + mm_port_sim_xor_code(pool->ref, plain, size, pool->out + CODE_HDR);
}

/* The SIZE bytes CODE codes, into OUT. */
static void decode_bank(const mm_port_sim_nvm_pool *pool, const uint8_t *code, uint32_t size,
                        uint8_t *out)
{
    mm_port_sim_xor_decode(pool->ref, code + CODE_HDR, size, out);
}

/* A block of CAP bytes for *P (NULL: none), the pool's count kept; false if none could be had
 * (*P as it was). */
static bool block_resize(mm_port_sim_nvm_pool *pool, uint8_t **p, uint32_t old, uint32_t cap)
{
    if (cap == 0) {
        free(*p);
        *p = NULL;
    } else {
        uint8_t *q = realloc(*p, cap);
        if (q == NULL) {
            pool->nomem = true;
            return false;
        }
        *p = q;
    }
    pool->held = pool->held - old + cap;
    return true;
}

/* The coded bank in the pool's output (LEN bytes) becomes NVM's kept bank. */
static void keep_code(mm_hal_nvm *nvm, uint32_t len)
{
    mm_port_sim_nvm_pool *pool = nvm->pool;
    uint32_t cap = nvm->code ? (uint32_t)mm_get_le(nvm->code + 4, 4) : 0u;
    uint32_t want = mm_port_sim_xor_room(len, cap);
    if (want != cap) {
        if (!block_resize(pool, &nvm->code, cap, want)) return; /* the older record stays */
        cap = want;
    }
    mm_put_le(pool->out, len, 4);
    mm_put_le(pool->out + 4, cap, 4);
    memcpy(nvm->code, pool->out, len);
}

/* Code the view back into its meter's block if it was written. */
static void view_flush(mm_port_sim_nvm_pool *pool)
{
    if (pool->viewer != NULL && pool->dirty)
        keep_code(pool->viewer, code_bank(pool, pool->view, pool->viewer->bank_size));
    pool->dirty = false;
}

/* NVM's kept bank, plain, in the pool's view. */
static uint8_t *view_of(mm_hal_nvm *nvm)
{
    mm_port_sim_nvm_pool *pool = nvm->pool;
    if (pool->viewer != nvm) {
        view_flush(pool);
        if (nvm->code)
            decode_bank(pool, nvm->code, nvm->bank_size, pool->view);
        else
            memset(pool->view, 0xFF, nvm->bank_size);
        pool->viewer = nvm;
    }
    return pool->view;
}

/* The pool's view no longer NVM's kept bank (what it held, written or not, goes). */
static void drop_view(mm_hal_nvm *nvm)
{
    if (nvm->pool->viewer != nvm) return;
    nvm->pool->viewer = NULL;
    nvm->pool->dirty = false;
}

/* NVM's bytes below its banks into OUT. */
static void low_plain(const mm_hal_nvm *nvm, uint8_t *out)
{
    if (nvm->mem)
        memcpy(out, nvm->mem, nvm->bank_addr);
    else
        memset(out, 0xFF, nvm->bank_addr);
}

/* NVM's kept bank into OUT (no view taken). */
static void kept_plain(const mm_hal_nvm *nvm, uint8_t *out)
{
    const mm_port_sim_nvm_pool *pool = nvm->pool;
    if (pool->viewer == nvm)
        memcpy(out, pool->view, nvm->bank_size);
    else if (nvm->code)
        decode_bank(pool, nvm->code, nvm->bank_size, out);
    else
        memset(out, 0xFF, nvm->bank_size);
}

void mm_port_sim_nvm_init_banked(mm_hal_nvm *nvm, uint32_t bank_addr, uint32_t bank_size,
                                 mm_port_sim_nvm_pool *pool)
{
    memset(nvm, 0, sizeof *nvm);
    nvm->size = mm_port_sim_nvm_banked_size(bank_addr, bank_size);
    nvm->budget = UINT64_MAX;
    nvm->pool = pool;
    nvm->bank_addr = bank_addr;
    nvm->bank_size = bank_size;
}

void mm_port_sim_nvm_release(mm_hal_nvm *nvm)
{
    mm_port_sim_nvm_pool *pool = nvm->pool;
    if (pool == NULL) return;
    if (pool->owner == nvm) pool->owner = NULL; /* a meter taken out with its save */
    drop_view(nvm);
    block_resize(pool, &nvm->code, nvm->code ? (uint32_t)mm_get_le(nvm->code + 4, 4) : 0u, 0);
    block_resize(pool, &nvm->mem, nvm->mem ? nvm->bank_addr : 0u, 0);
    mm_port_sim_nvm_disown(nvm); /* its blocks given back, the record lets go of them */
}

void mm_port_sim_nvm_disown(mm_hal_nvm *nvm)
{
    nvm->mem = NULL;
    nvm->code = NULL;
    nvm->kept = 0;
    nvm->kept_ok = 0;
}

size_t mm_port_sim_nvm_pool_bytes(uint32_t bank_max)
{
    return 3u * (size_t)bank_max + code_max(bank_max);
}

void mm_port_sim_nvm_pool_init(mm_port_sim_nvm_pool *pool, void *block, uint32_t bank_max)
{
    memset(pool, 0, sizeof *pool);
    pool->bank_max = bank_max;
    pool->buf = block;
    pool->view = pool->buf + bank_max;
    pool->ref = pool->view + bank_max;
    pool->out = pool->ref + bank_max;
}

/* Whether bank B of SIZE bytes holds an intact record, and its sequence in *SEQ. */
static bool bank_intact(const uint8_t *b, uint32_t size, uint32_t *seq)
{
    return mm_persist_bank_intact(b, (uint16_t)(size - MM_PERSIST_OVERHEAD), seq);
}

static bool kept_intact(mm_hal_nvm *nvm)
{
    if (!nvm->kept_ok)
        nvm->kept_ok = bank_intact(view_of(nvm), nvm->bank_size, &nvm->kept_seq);
    return nvm->kept_ok;
}

void mm_port_sim_nvm_pool_settle(mm_port_sim_nvm_pool *pool)
{
    view_flush(pool);
    mm_hal_nvm *o = pool->owner;
    if (o == NULL) return;
    pool->owner = NULL;
    uint32_t seq;
    if (!bank_intact(pool->buf, o->bank_size, &seq)) return; /* cut short: dropped */
    /* the newer of two intact records, as mm_persist_load picks it */
    if (kept_intact(o) && !mm_persist_newer(seq, o->kept_seq)) return;
    drop_view(o); /* the view is the superseded bank */
    keep_code(o, code_bank(pool, pool->buf, o->bank_size));
    o->kept = (uint8_t)(1u - o->kept);
    o->kept_ok = 1;
    o->kept_seq = seq;
}

bool mm_port_sim_nvm_pool_leave(mm_port_sim_nvm_pool *pool)
{
    if (pool->owner == NULL && pool->viewer == NULL) return false;
    mm_port_sim_nvm_pool_settle(pool);
    pool->viewer = NULL; /* coded back by the settle if it was written */
    pool->dirty = false;
    return true;
}

/* Where the bytes from ADDR lie, up to the end of their piece of the store (the bytes below
 * the banks, the kept bank, the other bank): *P, NULL for bytes that read erased (below the
 * banks before any were written, the other bank out of the pool); returns how many of LEN lie
 * there.  ADDR + LEN is within the store.  The kept bank is reached through the pool's view. */
static size_t nvm_piece(mm_hal_nvm *nvm, uint32_t addr, size_t len, uint8_t **p)
{
    if (nvm->pool == NULL || addr < nvm->bank_addr) {
        *p = nvm->mem ? nvm->mem + addr : NULL;
        if (nvm->pool == NULL) return len;
        size_t k = nvm->bank_addr - addr;
        return k < len ? k : len;
    }
    uint32_t off = addr - nvm->bank_addr, bank = off / nvm->bank_size;
    off %= nvm->bank_size;
    size_t k = nvm->bank_size - off;
    if (bank == nvm->kept)
        *p = view_of(nvm) + off;
    else
        *p = nvm->pool->owner == nvm ? nvm->pool->buf + off : NULL;
    return k < len ? k : len;
}

void mm_port_sim_nvm_image(const mm_hal_nvm *nvm, uint8_t *out)
{
    if (nvm->pool == NULL) {
        memcpy(out, nvm->mem, nvm->size);
        return;
    }
    uint32_t n = nvm->bank_size;
    uint8_t *other = out + nvm->bank_addr + (1u - nvm->kept) * n;
    low_plain(nvm, out);
    kept_plain(nvm, out + nvm->bank_addr + nvm->kept * n);
    if (nvm->pool->owner == nvm)
        memcpy(other, nvm->pool->buf, n);
    else
        memset(other, 0xFF, n);
}

/* IN, BANK_ADDR bytes, as the store's bytes below its banks (no block while they read
 * erased). */
static void take_low(mm_hal_nvm *nvm, const uint8_t *in)
{
    uint32_t a = nvm->bank_addr, k = 0;
    while (k < a && in[k] == 0xFF) k++;
    if (k == a) {
        block_resize(nvm->pool, &nvm->mem, nvm->mem ? a : 0u, 0);
        return;
    }
    if (nvm->mem == NULL && !block_resize(nvm->pool, &nvm->mem, 0, a)) return;
    memcpy(nvm->mem, in, a);
}

/* BANK, a bank's bytes, as the store's kept bank. */
static void take_kept(mm_hal_nvm *nvm, const uint8_t *bank)
{
    drop_view(nvm);
    keep_code(nvm, code_bank(nvm->pool, bank, nvm->bank_size));
    nvm->kept_ok = 0;
}

void mm_port_sim_nvm_adopt(mm_hal_nvm *nvm, const uint8_t *image)
{
    const uint8_t *b0 = image + nvm->bank_addr, *b1 = b0 + nvm->bank_size;
    uint32_t s0 = 0, s1 = 0;
    bool ok0 = bank_intact(b0, nvm->bank_size, &s0), ok1 = bank_intact(b1, nvm->bank_size, &s1);
    /* neither intact: bank 0, where the meter saves when it has no record */
    unsigned k = ok0 && ok1 ? (mm_persist_newer(s1, s0) ? 1u : 0u) : ok1 ? 1u : 0u;
    if (nvm->pool->owner == nvm) nvm->pool->owner = NULL;
    take_low(nvm, image);
    take_kept(nvm, k ? b1 : b0);
    nvm->kept = (uint8_t)k;
}

void mm_port_sim_nvm_copy_kept(const mm_hal_nvm *nvm, uint8_t *out)
{
    low_plain(nvm, out);
    kept_plain(nvm, out + nvm->bank_addr);
}

void mm_port_sim_nvm_load_kept(mm_hal_nvm *nvm, const uint8_t *in)
{
    uint8_t kept_ok = nvm->kept_ok;
    take_low(nvm, in);
    take_kept(nvm, in + nvm->bank_addr);
    nvm->kept_ok = kept_ok;
}

void mm_port_sim_nvm_cut_after(mm_hal_nvm *nvm, uint64_t bytes)
{
    nvm->budget = bytes;
}

void mm_port_sim_nvm_restore(mm_hal_nvm *nvm)
{
    nvm->cut = false;
    nvm->budget = UINT64_MAX;
}

static bool nvm_range_ok(const mm_hal_nvm *nvm, uint32_t addr, size_t len)
{
    return addr <= nvm->size && len <= nvm->size - addr;
}

uint32_t mm_hal_nvm_size(const mm_hal_nvm *nvm)
{
    return nvm->size;
}

int mm_hal_nvm_read(const mm_hal_nvm *nvm, uint32_t addr, void *buf, size_t len)
{
    if (!nvm_range_ok(nvm, addr, len)) return MM_EINVAL;
    /* a read of the kept bank takes the pool's view, the store's bytes as they are */
    mm_hal_nvm *m = (mm_hal_nvm *)(uintptr_t)nvm;
    uint8_t *out = buf;
    while (len > 0) {
        uint8_t *p;
        size_t k = nvm_piece(m, addr, len, &p);
        if (p)
            memcpy(out, p, k);
        else
            memset(out, 0xFF, k);
        out += k;
        addr += (uint32_t)k;
        len -= k;
    }
    return MM_OK;
}

/* Bytes going to the other bank of a banked store: the pool's buffer becomes this store's
 * (the save it held before settled first), erased. */
static void take_pool(mm_hal_nvm *nvm)
{
    mm_port_sim_nvm_pool *pool = nvm->pool;
    if (pool->owner == nvm) return;
    mm_port_sim_nvm_pool_settle(pool);
    pool->owner = nvm;
    memset(pool->buf, 0xFF, nvm->bank_size);
#if defined(__GNUC__)
    /* the block this save settles into, asked for now: another meter's save settles it */
    if (nvm->code)
        for (uint32_t b = 0; b < 320u; b += 64u) __builtin_prefetch(nvm->code + b, 1);
#endif
}

int mm_hal_nvm_write(mm_hal_nvm *nvm, uint32_t addr, const void *buf, size_t len)
{
    if (!nvm_range_ok(nvm, addr, len)) return MM_EINVAL;
    if (nvm->cut) return MM_EIO;
    size_t n = len;
    if (nvm->budget < n) {
        n = (size_t)nvm->budget; /* the prefix that made it before the power went */
        nvm->cut = true;
    }
    const uint8_t *in = buf;
    for (size_t left = n; left > 0;) {
        uint8_t *p;
        size_t k = nvm_piece(nvm, addr, left, &p);
        if (p == NULL && addr < nvm->bank_addr) { /* the first bytes below the banks */
            if (nvm->mem == NULL && !block_resize(nvm->pool, &nvm->mem, 0, nvm->bank_addr))
                return MM_EIO;
            memset(nvm->mem, 0xFF, nvm->bank_addr);
            k = nvm_piece(nvm, addr, left, &p);
        } else if (p == NULL) {
            take_pool(nvm);
            k = nvm_piece(nvm, addr, left, &p);
        } else if (nvm->pool && addr >= nvm->bank_addr &&
                   (addr - nvm->bank_addr) / nvm->bank_size == nvm->kept) {
            nvm->kept_ok = 0; /* the kept bank written */
            nvm->pool->dirty = true;
        }
        memcpy(p, in, k);
        in += k;
        addr += (uint32_t)k;
        left -= k;
    }
    if (nvm->budget != UINT64_MAX) nvm->budget -= n;
    if (nvm->cut) return MM_EIO;
    nvm->writes++;
    return MM_OK;
}

int mm_hal_nvm_sync(mm_hal_nvm *nvm)
{
    return nvm->cut ? MM_EIO : MM_OK;
}

/* ---- random source ---- */

void mm_port_sim_rng_init_seed(mm_hal_rng *rng, uint64_t seed)
{
    rng->fn = NULL;
    rng->ctx = NULL;
    rng->state = seed;
}

void mm_port_sim_rng_init_fn(mm_hal_rng *rng, mm_port_sim_rng_fn fn, void *ctx)
{
    rng->fn = fn;
    rng->ctx = ctx;
    rng->state = 0;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

int mm_hal_rng_fill(mm_hal_rng *rng, void *buf, size_t len)
{
    if (rng->fn != NULL) return rng->fn(rng->ctx, buf, len) == 0 ? MM_OK : MM_EIO;
    uint8_t *p = buf;
    while (len > 0) {
        uint64_t r = splitmix64(&rng->state);
        size_t n = len < 8 ? len : 8;
        mm_put_le(p, r, (unsigned)n);
        p += n;
        len -= n;
    }
    return MM_OK;
}

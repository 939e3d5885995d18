/* Simulator port of the meter HAL (see mm_port_sim.h). */
#include <string.h>

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

void mm_port_sim_nvm_init_banked(mm_hal_nvm *nvm, void *mem, uint32_t bank_addr,
                                 uint32_t bank_size, mm_port_sim_nvm_pool *pool)
{
    if (pool->owner == nvm) pool->owner = NULL; /* a meter taken out with its save */
    mm_port_sim_nvm_init(nvm, mem, mm_port_sim_nvm_banked_bytes(bank_addr, bank_size));
    nvm->size = mm_port_sim_nvm_banked_size(bank_addr, bank_size);
    nvm->pool = pool;
    nvm->bank_addr = bank_addr;
    nvm->bank_size = bank_size;
}

void mm_port_sim_nvm_pool_init(mm_port_sim_nvm_pool *pool, void *buf)
{
    pool->owner = NULL;
    pool->buf = buf;
}

/* Whether bank B of SIZE bytes holds an intact record, and its sequence in *SEQ. */
static bool bank_intact(const uint8_t *b, uint32_t size, uint32_t *seq)
{
    return mm_persist_bank_intact(b, (uint16_t)(size - MM_PERSIST_OVERHEAD), seq);
}

static bool kept_intact(mm_hal_nvm *nvm)
{
    if (!nvm->kept_ok)
        nvm->kept_ok = bank_intact(nvm->mem + nvm->bank_addr, nvm->bank_size, &nvm->kept_seq);
    return nvm->kept_ok;
}

void mm_port_sim_nvm_pool_settle(mm_port_sim_nvm_pool *pool)
{
    mm_hal_nvm *o = pool->owner;
    if (o == NULL) return;
    pool->owner = NULL;
    uint32_t seq;
    if (!bank_intact(pool->buf, o->bank_size, &seq)) return; /* cut short: dropped */
    /* the newer of two intact records, as mm_persist_load picks it */
    if (kept_intact(o) && !mm_persist_newer(seq, o->kept_seq)) return;
    memcpy(o->mem + o->bank_addr, pool->buf, o->bank_size);
    o->kept = (uint8_t)(1u - o->kept);
    o->kept_ok = 1;
    o->kept_seq = seq;
}

/* Where the bytes from ADDR lie, up to the end of their piece of the store (the bytes below
 * the banks, the kept bank, the other bank): *P, NULL for an erased other bank; returns how
 * many of LEN lie there.  ADDR + LEN is within the store. */
static size_t nvm_piece(const mm_hal_nvm *nvm, uint32_t addr, size_t len, uint8_t **p)
{
    if (nvm->pool == NULL || addr < nvm->bank_addr) {
        *p = nvm->mem + addr;
        if (nvm->pool == NULL) return len;
        size_t k = nvm->bank_addr - addr;
        return k < len ? k : len;
    }
    uint32_t off = addr - nvm->bank_addr, bank = off / nvm->bank_size;
    off %= nvm->bank_size;
    size_t k = nvm->bank_size - off;
    if (bank == nvm->kept)
        *p = nvm->mem + nvm->bank_addr + off;
    else
        *p = nvm->pool->owner == nvm ? nvm->pool->buf + off : NULL;
    return k < len ? k : len;
}

void mm_port_sim_nvm_image(const mm_hal_nvm *nvm, uint8_t *out)
{
    for (uint32_t a = 0; a < nvm->size;) {
        uint8_t *p;
        size_t k = nvm_piece(nvm, a, nvm->size - a, &p);
        if (p)
            memcpy(out + a, p, k);
        else
            memset(out + a, 0xFF, k);
        a += (uint32_t)k;
    }
}

void mm_port_sim_nvm_adopt(mm_hal_nvm *nvm, const uint8_t *image)
{
    const uint8_t *b0 = image + nvm->bank_addr, *b1 = b0 + nvm->bank_size;
    uint32_t s0 = 0, s1 = 0;
    bool ok0 = bank_intact(b0, nvm->bank_size, &s0), ok1 = bank_intact(b1, nvm->bank_size, &s1);
    /* neither intact: bank 0, where the meter saves when it has no record */
    unsigned k = ok0 && ok1 ? (mm_persist_newer(s1, s0) ? 1u : 0u) : ok1 ? 1u : 0u;
    memcpy(nvm->mem, image, nvm->bank_addr);
    memcpy(nvm->mem + nvm->bank_addr, k ? b1 : b0, nvm->bank_size);
    nvm->kept = (uint8_t)k;
    nvm->kept_ok = 0;
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
    uint8_t *out = buf;
    while (len > 0) {
        uint8_t *p;
        size_t k = nvm_piece(nvm, addr, len, &p);
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
        if (p == NULL) {
            take_pool(nvm);
            k = nvm_piece(nvm, addr, left, &p);
        } else if (nvm->pool && addr >= nvm->bank_addr &&
                   (addr - nvm->bank_addr) / nvm->bank_size == nvm->kept) {
            nvm->kept_ok = 0; /* the kept bank written */
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

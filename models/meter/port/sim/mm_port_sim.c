/* Simulator port of the meter HAL (see mm_port_sim.h). */
#include <string.h>

#include "mm/bytes.h"
#include "mm/meter.h"
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
    memcpy(buf, nvm->mem + addr, len);
    return MM_OK;
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
    memcpy(nvm->mem + addr, buf, n);
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

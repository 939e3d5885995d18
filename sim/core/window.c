#include "sim/window.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

sim_window sim_window_init(size_t size, void (*make)(void *ctx, uint32_t k, void *out), void *ctx,
                           const char *name)
{
    if (size == 0 || size > SIM_WINDOW_RECORD_MAX) {
        fprintf(stderr, "%s: window records of %zu bytes (1..%d)\n", name, size,
                SIM_WINDOW_RECORD_MAX);
        abort();
    }
    return (sim_window){.v = {NULL, 0, 0, size}, .make = make, .ctx = ctx, .name = name};
}

int sim_window_reserve(sim_window *w, uint32_t n)
{
    return sim_vec_reserve(&w->v, n);
}

const void *sim_window_reach(sim_window *w, uint32_t k)
{
    if (k < w->base || k < w->floor) {
        fprintf(stderr, "%s: record %u read after the records before %u were released\n",
                w->name, k, w->floor);
        abort();
    }
    unsigned char scratch[SIM_WINDOW_RECORD_MAX];
    while (w->next <= k) {
        if (w->next < w->floor) { /* released before anyone read it: made only to move on */
            w->make(w->ctx, w->next, scratch);
            w->base = ++w->next;
            continue;
        }
        void *slot = sim_vec_push_zero(&w->v);
        if (!slot) {
            fprintf(stderr, "%s: out of memory\n", w->name);
            abort();
        }
        w->make(w->ctx, w->next++, slot);
    }
    return (const char *)w->v.v + (size_t)(k - w->base) * w->v.size;
}

void sim_window_release(sim_window *w, uint32_t before)
{
    if (before <= w->floor) return;
    w->floor = before;
    uint32_t drop = before - w->base < w->v.n ? before - w->base : (uint32_t)w->v.n;
    sim_vec_drop_front(&w->v, drop);
    w->base += drop;
}

void sim_window_free(sim_window *w)
{
    sim_vec_free(&w->v);
}

/* CRC-32 of the records W holds, base .. next-1. */
static uint32_t held_crc(const sim_window *w)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *b = w->v.v;
    size_t n = w->v.n * w->v.size;
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, b, k);
        b += k;
        n -= k;
    }
    return (uint32_t)crc;
}

void sim_window_ckpt(sim_window *w, sim_ckpt *c)
{
    sim_ckpt_tag(c, "window");
    sim_ckpt_same(c, w->v.size, "window record size");
    uint32_t floor = w->floor, next = w->next, crc = held_crc(w);
    SIM_CKPT(c, floor);
    SIM_CKPT(c, next);
    SIM_CKPT(c, crc);
    if (!sim_ckpt_loading(c) || sim_ckpt_err(c)) return;
    if (w->next || w->floor) {
        sim_ckpt_fail(c, "%s: loading into a window that has been read", w->name);
        return;
    }
    /* Reach record next-1 without keeping what the run had released: release up to it
     * first (reach makes records before the floor only to move on), but not past it, or
     * reaching it would be reading a released record. */
    if (next) {
        sim_window_release(w, floor < next - 1 ? floor : next - 1);
        (void)sim_window_reach(w, next - 1);
    }
    sim_window_release(w, floor);
    if (held_crc(w) != crc)
        sim_ckpt_fail(c,
                      "%s: records %u..%u made again differ from the checkpoint's (another "
                      "seed or set-up?)",
                      w->name, w->base, next ? next - 1 : 0);
}

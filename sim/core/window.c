#include "sim/window.h"

#include <stdio.h>
#include <stdlib.h>

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

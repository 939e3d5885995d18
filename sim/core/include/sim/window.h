/* A window on a sequence that is made record by record, in order, as it is first read, and
 * dropped from the front when the reader says it is done with the records before some index:
 * what a model keeps of a series over a long run when each record depends on the ones before
 * it (a stream of random draws) and its readers only move forward in time.
 *
 * The window holds records [base, base + n); reading one beyond makes every record up to it
 * (memory follows how far ahead the readers look, not the span); reading one that was
 * released is a bug in the reader and aborts, as does running out of memory while making.
 */
#ifndef SIM_WINDOW_H
#define SIM_WINDOW_H

#include "sim/ckpt.h"
#include "sim/vec.h"

#include <stdint.h>

#define SIM_WINDOW_RECORD_MAX 64 /* bytes */

typedef struct sim_window {
    sim_vec v;      /* records base .. base + v.n - 1 */
    uint32_t base;  /* index of v's first record */
    uint32_t floor; /* records before it have been released */
    uint32_t next;  /* the next record to make */
    /* Record K into OUT (SIZE bytes), called for K = 0, 1, 2, ... in order. */
    void (*make)(void *ctx, uint32_t k, void *out);
    void *ctx;
    const char *name; /* for the abort message */
} sim_window;

/* An empty window of records of SIZE bytes (at most SIM_WINDOW_RECORD_MAX). */
sim_window sim_window_init(size_t size, void (*make)(void *ctx, uint32_t k, void *out), void *ctx,
                           const char *name);
/* Room for N records without growing: 0, or -1 out of memory.  A model reserves what its
 * readers look ahead at creation, where it can still report running out of memory. */
int sim_window_reserve(sim_window *w, uint32_t n);
const void *sim_window_reach(sim_window *w, uint32_t k); /* the slow path of sim_window_at */
/* No record before BEFORE will be read again. */
void sim_window_release(sim_window *w, uint32_t before);
void sim_window_free(sim_window *w);

/* W's part of a checkpoint (sim/ckpt.h): how far it was released and made, and a CRC of the
 * records it holds.  The records themselves do not travel: loading into a window that has
 * made nothing yet calls make for records 0 .. next-1 again, in order, exactly as the run
 * did, then releases what the run had released.  That is right only when make is the one
 * thing that moves the generator in ctx (and ctx starts where it started in the saved run);
 * the CRC catches a replay that comes out different (another seed or set-up).  Replaying
 * costs what making the records cost the first time.  Failures: sim_ckpt_err. */
void sim_window_ckpt(sim_window *w, sim_ckpt *c);

/* Record K, made if need be. */
static inline const void *sim_window_at(sim_window *w, uint32_t k)
{
    uint32_t i = k - w->base;
    if (i < w->v.n) return (const char *)w->v.v + (size_t)i * w->v.size;
    return sim_window_reach(w, k);
}

#endif

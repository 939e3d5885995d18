/* A timing wheel: the queue of next events of a fixed set of entities, at most one record per
 * entity, popped in (time, entity) order.  Times are whole seconds and never go back: a record
 * is pushed at or after the second of the last one popped.
 *
 * It replaces a binary heap where that shape holds (an area's next load change per
 * household): a heap pays a comparison and a mispredicted branch or two per level on every
 * pop, while here a record is put in the list of its second (one of H buckets, the H seconds
 * from the current one) and a second's records are sorted by entity once, when the wheel
 * reaches it.  Records H seconds or more ahead wait in a small heap and join the wheel as it
 * comes within H of them.
 *
 * The order records leave in depends only on their keys, never on how they were pushed: a
 * checkpoint stores the records and a resume pushes them again.
 */
#ifndef SIM_WHEEL_H
#define SIM_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/ckpt.h"
#include "sim/heap.h"

#define SIM_WHEEL_NONE UINT32_MAX

typedef struct sim_wheel_far {
    uint64_t key; /* t << 32 | entity */
} sim_wheel_far;

#define SIM_WHEEL_FAR_LESS(a, b) ((a).key < (b).key)
SIM_HEAP_DEFINE(sim_wheel_farq, sim_wheel_far, SIM_WHEEL_FAR_LESS)

typedef struct sim_wheel {
    uint32_t n;        /* entities: 0 .. n-1 */
    uint32_t h;        /* buckets (a power of two) */
    uint32_t count;    /* records held */
    uint32_t now;      /* the current second: the records being popped are of it */
    uint32_t *head;    /* [h] first entity of each second's list, or SIM_WHEEL_NONE */
    uint64_t *bits;    /* [h / 64] which buckets hold a list */
    uint32_t *next;    /* [n] the next entity in the same list */
    uint32_t *cur;     /* [n] the current second's entities, sorted; cur[k..m) not popped yet */
    uint32_t k, m;
    uint64_t *sortbits; /* [n / 64 + 1] all clear between sorts of a second's entities */
    sim_wheel_farq far; /* records at least h seconds after now when pushed */
} sim_wheel;

/* An empty wheel for N entities, at second 0; 0 or -1 (out of memory, nothing held). */
int sim_wheel_init(sim_wheel *w, uint32_t n);
void sim_wheel_free(sim_wheel *w);
/* Add entity E's record at T >= the current second.  E must hold no record.  0, or -1 when
 * the far heap could not grow (record not added). */
int sim_wheel_push(sim_wheel *w, uint32_t t, uint32_t e);
/* The smallest record: its time in *T and entity in *E; false when empty. */
bool sim_wheel_top(sim_wheel *w, uint32_t *t, uint32_t *e);
/* Remove the smallest record (sim_wheel_top must have found one). */
static inline void sim_wheel_pop(sim_wheel *w)
{
    w->k++;
    w->count--;
}
/* The entity of the record D places after the smallest (1: the second-smallest) when the
 * current second holds it, else SIM_WHEEL_NONE (a hint: it costs nothing to ask). */
static inline uint32_t sim_wheel_ahead(const sim_wheel *w, uint32_t d)
{
    return w->m - w->k > d ? w->cur[w->k + d] : SIM_WHEEL_NONE;
}
/* True when the smallest record is the first of its second that sim_wheel_top shows (no
 * record of that second popped yet), and sometimes after it: a push into the current second
 * when every entity is in it starts the count again.  A hint, like sim_wheel_ahead. */
static inline bool sim_wheel_first_of_second(const sim_wheel *w)
{
    return w->k == 0;
}
/* Save or load the records (sim/ckpt.h): a loaded wheel pops what the saved one would. */
void sim_wheel_ckpt(sim_wheel *w, sim_ckpt *c);

#endif

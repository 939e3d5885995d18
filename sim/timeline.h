/* `metersim timeline TRACE.h5 HOUSEHOLD...`: the life of one or more households in time order.
 *
 * From /households (each household's static attributes, every member the trace has, as a
 * header) and /events (supply lost and restored, alerts raised and delivered, commands and
 * their outcome, reads, top-ups, head-end rejections): one line per event with its UTC time,
 * seconds since the start, name (GBCS or simulator), code and decoded value.  Several
 * households are interleaved in one time-ordered stream (the trace's own order: time,
 * household, code, value), each line naming its household.  Reads the trace through the
 * reader library only (no SimGrid).
 */
#ifndef SIM_TIMELINE_H
#define SIM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sim_timeline_opts {
    int json; /* one JSON object instead of text */
} sim_timeline_opts;

/* 0, or -1 with a one-line reason in ERR: the file cannot be opened or is not a metersim
 * trace, a household is out of range, the trace has no /events (trace.events = false). */
int sim_timeline(const char *path, const uint32_t *ids, size_t nids, const sim_timeline_opts *o,
                 FILE *out, char *err, size_t errlen);

#endif

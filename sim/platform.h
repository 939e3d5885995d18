/* SimGrid platform and message glue: the only C++ in the runner.
 *
 * SimGrid 3.32 builds platforms only from XML or from the C++ NetZone API, so this
 * file generates the platform from the scenario in C++ and hands plain host handles
 * back to C.  The platform is one
 * flat star zone (nested zones build in O(zones x hosts) in 3.32): each area host has
 * its own uplink (the LV substation's WAN cell or gateway backhaul) and its own way through
 * the backbone to the head-end host: an area-to-head-end route is uplink + backbone, where
 * the backbone link is the area's own with the backbone's bandwidth and latency.  So an
 * area's transfers never share a link with another area's, and what an area sees does not
 * depend on which other areas run in the same process (MPI ranks: DESIGN, par.h).  The
 * national backbone's own capacity is then not a constraint; the head-end measures how close
 * the areas' traffic comes to it (sink.c: the busiest second's bytes, in the summary, with a
 * warning when it passes half the capacity).
 *
 * Not here: what is sent or when (area.c, uplink.c, downlink.c), how it is recorded (trace.c).
 */
#ifndef SIM_PLATFORM_H
#define SIM_PLATFORM_H

#include <simgrid/forward.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim_platform_spec {
    uint32_t first;   /* global id of the first area built here (this rank's) */
    uint32_t n_areas; /* areas built here */
    const double *uplink_bps;       /* per area [bit/s] */
    const double *uplink_latency_s; /* per area [s] */
    double backbone_bps;       /* head-end access [bit/s] */
    double backbone_latency_s; /* [s] */
} sim_platform_spec;

/* Build the platform into the (already initialised) SimGrid engine.  AREA_HOSTS must
 * have room for n_areas handles (AREA_HOSTS[k]: area first + k).  Returns 0, or -1 with a message in ERR. */
int sim_platform_build(const sim_platform_spec *spec, sg_host_t *area_hosts, sg_host_t *headend,
                       char *err, size_t errlen);

/* A cell's outbound queue: messages from an area's meters wait here and at most
 * MAX_FLOWS of them cross the uplink at once, as SimGrid transfers that take the time they
 * would take on the area's route to the head-end host (its uplink and its backbone link).  A
 * storm's burst then becomes a queue at the cell, not tens of thousands of concurrent flows
 * (max-min sharing is recomputed on every change: keep concurrency bounded).  A message has
 * reached the head-end host when its own transfer completes: ON_SENT runs in the owning actor
 * at that time.  (No head-end receiver: a single receiver takes a mailbox's messages in the order
 * they were sent, which would make one area's arrival wait for another's.)  All calls are
 * made from the owning area actor. */
typedef struct sim_cell sim_cell;

typedef void (*sim_cell_fn)(void *ctx, void *payload);
/* OWN: the area's host, in a platform from sim_platform_build.  ON_SENT(CTX, PAYLOAD): an
 * uplink message reached the head-end host.  ON_RECV(CTX, PAYLOAD): a downlink transfer
 * reached the area. */
sim_cell *sim_cell_create(unsigned max_flows, sg_host_t own, sim_cell_fn on_sent,
                          sim_cell_fn on_recv, void *ctx);
/* Downlink: a transfer of BYTES from the head-end host to the area's host, started by the
 * area actor itself, so it crosses the same links as the uplink.  When it completes during
 * sim_cell_sleep_until, ON_RECV runs at the completion time and the sleep returns early, so
 * the caller can act on what arrived. */
void sim_cell_downlink(sim_cell *c, void *payload, uint64_t bytes);
size_t sim_cell_recv_pending(const sim_cell *c); /* downlink transfers under way */
/* Queue PAYLOAD of BYTES; it starts at once when a flow is free. */
void sim_cell_send(sim_cell *c, void *payload, uint64_t bytes);
/* Advance the calling actor to simulated time T, completing transfers (ON_SENT for each
 * uplink message, at its time) and starting queued ones as flows free up.  Returns 0 at T,
 * or 1 earlier, just after a downlink receive completed (its callback has run). */
int sim_cell_sleep_until(sim_cell *c, double t);
size_t sim_cell_backlog(const sim_cell *c);  /* messages waiting, not yet started */
size_t sim_cell_peak_backlog(const sim_cell *c);
/* Nothing queued, in flight or finished but not yet handed over (a checkpoint needs this:
 * SimGrid's transfers cannot be saved). */
int sim_cell_idle(const sim_cell *c);
/* The peak backlog a checkpointed run had reached (it is the run's, not this process's). */
void sim_cell_set_peak_backlog(sim_cell *c, size_t peak);
/* Cancel whatever is still queued or in flight (end of run). Accepts NULL. */
void sim_cell_destroy(sim_cell *c);

#ifdef __cplusplus
}
#endif

#endif

/* SimGrid platform and message glue: the only C++ in the runner.
 *
 * SimGrid 3.32 builds platforms only from XML or from the C++ NetZone API, so this
 * file generates the platform from the scenario in C++ and hands plain host handles
 * back to C.  The platform is one
 * flat star zone (nested zones build in O(zones x hosts) in 3.32): each area host has
 * its own uplink (the LV substation's WAN cell or gateway backhaul), the head-end host
 * sits behind the backbone link; an area-to-head-end route is uplink + backbone.
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
    uint32_t n_areas;
    const double *uplink_bps;       /* per area [bit/s] */
    const double *uplink_latency_s; /* per area [s] */
    double backbone_bps;       /* head-end access [bit/s] */
    double backbone_latency_s; /* [s] */
} sim_platform_spec;

/* Build the platform into the (already initialised) SimGrid engine.  AREA_HOSTS must
 * have room for n_areas handles.  Returns 0, or -1 with a message in ERR. */
int sim_platform_build(const sim_platform_spec *spec, sg_host_t *area_hosts, sg_host_t *headend,
                       char *err, size_t errlen);

/* A cell's outbound queue: messages from an area's meters wait here and at most
 * MAX_FLOWS of them cross the uplink at once, as SimGrid communications to the head-end
 * mailbox.  A storm's burst then becomes a queue at the cell, not tens of thousands of
 * concurrent flows (max-min sharing is recomputed on every change: keep concurrency bounded).  All calls are made from
 * the owning area actor. */
typedef struct sim_cell sim_cell;

sim_cell *sim_cell_create(sg_mailbox_t headend, unsigned max_flows);
/* Downlink: a transfer of BYTES from the head-end host HE to the area's host OWN, started by
 * the area actor itself (SimGrid sendto), so it crosses the same links as the uplink.  When
 * it completes during sim_cell_sleep_until, ON_RECV(CTX, PAYLOAD) runs in the owning actor at
 * the completion time and the sleep returns early, so the caller can act on what arrived. */
typedef void (*sim_cell_recv_fn)(void *ctx, void *payload);
void sim_cell_set_downlink(sim_cell *c, sg_host_t he, sg_host_t own, sim_cell_recv_fn on_recv,
                           void *ctx);
void sim_cell_downlink(sim_cell *c, void *payload, uint64_t bytes);
size_t sim_cell_recv_pending(const sim_cell *c); /* downlink transfers under way */
/* Queue PAYLOAD of BYTES; it starts at once when a flow is free. */
void sim_cell_send(sim_cell *c, void *payload, uint64_t bytes);
/* Advance the calling actor to simulated time T, completing transfers and starting queued
 * ones as flows free up.  Returns 0 at T, or 1 earlier, just after a downlink receive
 * completed (its callback has run). */
int sim_cell_sleep_until(sim_cell *c, double t);
size_t sim_cell_backlog(const sim_cell *c);  /* messages waiting, not yet started */
size_t sim_cell_peak_backlog(const sim_cell *c);
/* The head-end's receive: the next payload on MB, or NULL when the transfer was cancelled
 * (an area ends its run with messages still in flight). */
void *sim_headend_get(sg_mailbox_t mb);
/* Cancel whatever is still queued or in flight (end of run). Accepts NULL. */
void sim_cell_destroy(sim_cell *c);

#ifdef __cplusplus
}
#endif

#endif

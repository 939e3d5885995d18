/* SimGrid platform and message glue: the only C++ in the runner.
 *
 * SimGrid 3.32 builds platforms only from XML or from the C++ NetZone API, so this
 * file generates the platform from the scenario in C++ and hands plain host handles
 * back to C (DESIGN.md "How time and entities map onto SimGrid").  The platform is one
 * flat star zone (nested zones build in O(zones x hosts) in 3.32): each area host has
 * its own uplink (the LV substation's WAN cell or gateway backhaul), the head-end host
 * sits behind the backbone link; an area-to-head-end route is uplink + backbone.
 *
 * Not here: what is sent or when (engine.c), how it is recorded (trace.c).
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
    double uplink_bps;         /* per area [bit/s] */
    double uplink_latency_s;   /* [s] */
    double backbone_bps;       /* head-end access [bit/s] */
    double backbone_latency_s; /* [s] */
} sim_platform_spec;

/* Build the platform into the (already initialised) SimGrid engine.  AREA_HOSTS must
 * have room for n_areas handles.  Returns 0, or -1 with a message in ERR. */
int sim_platform_build(const sim_platform_spec *spec, sg_host_t *area_hosts, sg_host_t *headend,
                       char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif

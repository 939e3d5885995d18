#include "platform.h"

#include <simgrid/s4u.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace sg4 = simgrid::s4u;

extern "C" int sim_platform_build(const sim_platform_spec *spec, sg_host_t *area_hosts,
                                  sg_host_t *headend, char *err, size_t errlen)
{
    try {
        auto *zone = sg4::create_star_zone("metersim");
        /* Host speeds are irrelevant (no computation is simulated); 1 Gflop/s. */
        sg4::Host *he = zone->create_host("headend", 1e9);
        sg4::Link *bb = zone->create_link("backbone", spec->backbone_bps / 8.0)
                            ->set_latency(spec->backbone_latency_s)
                            ->seal();
        zone->add_route(he->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(bb)},
                        true);
        std::string name;
        for (uint32_t i = 0; i < spec->n_areas; i++) {
            name = "area" + std::to_string(i);
            sg4::Host *h = zone->create_host(name, 1e9);
            sg4::Link *up = zone->create_link("up" + std::to_string(i), spec->uplink_bps / 8.0)
                                ->set_latency(spec->uplink_latency_s)
                                ->seal();
            zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)},
                            true);
            area_hosts[i] = h;
        }
        zone->seal();
        *headend = he;
        return 0;
    } catch (const std::exception &e) {
        std::snprintf(err, errlen, "building the SimGrid platform: %s", e.what());
        return -1;
    }
}

#include "platform.h"

#include <simgrid/s4u.hpp>

#include <cstdio>
#include <deque>
#include <vector>
#include <exception>
#include <memory>
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
            sg4::Link *up = zone->create_link("up" + std::to_string(i), spec->uplink_bps[i] / 8.0)
                                ->set_latency(spec->uplink_latency_s[i])
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

struct sim_cell {
    sg4::Mailbox *headend;
    unsigned max_flows;
    std::vector<sg4::CommPtr> inflight;
    /* per inflight comm: where a receive puts its payload (nullptr for a send) */
    std::vector<std::unique_ptr<void *>> dst;
    std::deque<std::pair<void *, uint64_t>> fifo;
    size_t peak = 0;
    size_t recvs = 0;
    sg4::Host *he = nullptr, *own = nullptr;
    sim_cell_recv_fn on_recv = nullptr;
    void *ctx = nullptr;
};

static void cell_start(sim_cell *c, void *payload, uint64_t bytes)
{
    c->inflight.push_back(c->headend->put_async(payload, bytes));
    c->dst.emplace_back(nullptr);
}

extern "C" sim_cell *sim_cell_create(sg_mailbox_t headend, unsigned max_flows)
{
    auto *c = new sim_cell;
    c->headend = headend;
    c->max_flows = max_flows ? max_flows : 1;
    return c;
}

extern "C" void sim_cell_set_downlink(sim_cell *c, sg_host_t he, sg_host_t own,
                                      sim_cell_recv_fn on_recv, void *ctx)
{
    c->he = he;
    c->own = own;
    c->on_recv = on_recv;
    c->ctx = ctx;
}

extern "C" void sim_cell_downlink(sim_cell *c, void *payload, uint64_t bytes)
{
    c->inflight.push_back(sg4::Comm::sendto_async(c->he, c->own, bytes));
    c->dst.push_back(std::make_unique<void *>(payload));
    c->recvs++;
}

extern "C" size_t sim_cell_recv_pending(const sim_cell *c)
{
    return c->recvs;
}

extern "C" void sim_cell_send(sim_cell *c, void *payload, uint64_t bytes)
{
    /* Receives do not take an uplink flow. */
    if (c->inflight.size() - c->recvs < c->max_flows) {
        cell_start(c, payload, bytes);
    } else {
        c->fifo.emplace_back(payload, bytes);
        if (c->fifo.size() > c->peak) c->peak = c->fifo.size();
    }
}

extern "C" int sim_cell_sleep_until(sim_cell *c, double t)
{
    while (!c->inflight.empty()) {
        double left = t - sg4::Engine::get_clock();
        if (left <= 0) return 0;
        ssize_t k = sg4::Comm::wait_any_for(c->inflight, left);
        if (k < 0) return 0; /* reached T with transfers still running */
        std::unique_ptr<void *> got = std::move(c->dst[k]);
        c->inflight.erase(c->inflight.begin() + k);
        c->dst.erase(c->dst.begin() + k);
        if (got) {
            c->recvs--;
            c->on_recv(c->ctx, *got);
            return 1;
        }
        while (c->inflight.size() - c->recvs < c->max_flows && !c->fifo.empty()) {
            cell_start(c, c->fifo.front().first, c->fifo.front().second);
            c->fifo.pop_front();
        }
    }
    sg4::this_actor::sleep_until(t);
    return 0;
}

extern "C" size_t sim_cell_backlog(const sim_cell *c)
{
    return c->fifo.size();
}

extern "C" size_t sim_cell_peak_backlog(const sim_cell *c)
{
    return c->peak;
}

extern "C" void *sim_headend_get(sg_mailbox_t mb)
{
    try {
        return mb->get<void>();
    } catch (const simgrid::NetworkFailureException &) {
        return nullptr;
    }
}

extern "C" void sim_cell_destroy(sim_cell *c)
{
    if (!c) return;
    for (auto &comm : c->inflight) comm->cancel();
    delete c;
}

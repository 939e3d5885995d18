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
        zone->add_route(he->get_netpoint(), nullptr, nullptr, nullptr, {}, true);
        for (uint32_t k = 0; k < spec->n_areas; k++) {
            std::string id = std::to_string(spec->first + k);
            sg4::Host *h = zone->create_host("area" + id, 1e9);
            sg4::Link *up = zone->create_link("up" + id, spec->uplink_bps[k] / 8.0)
                                ->set_latency(spec->uplink_latency_s[k])
                                ->seal();
            sg4::Link *bb = zone->create_link("backbone" + id, spec->backbone_bps / 8.0)
                                ->set_latency(spec->backbone_latency_s)
                                ->seal();
            zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr,
                            {sg4::LinkInRoute(up), sg4::LinkInRoute(bb)}, true);
            area_hosts[k] = h;
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
    unsigned max_flows;
    /* as Activity, not Comm: Comm::wait_any_for copies and casts the whole set at every call */
    std::vector<sg4::ActivityPtr> inflight;
    std::vector<void *> payload; /* per inflight transfer */
    std::vector<bool> is_recv;   /* ... a downlink one */
    std::deque<std::pair<void *, uint64_t>> fifo;
    /* Transfers found finished but not yet handed over, in the order they had in inflight. */
    std::deque<std::pair<void *, bool>> ready;
    size_t peak = 0;
    size_t recvs = 0; /* downlink transfers not yet handed over (inflight or ready) */
    size_t sends = 0; /* ... uplink ones */
    sg4::Host *he = nullptr, *own = nullptr;
    sim_cell_fn on_sent = nullptr, on_recv = nullptr;
    void *ctx = nullptr;
};

static void cell_start(sim_cell *c, void *payload, uint64_t bytes)
{
    c->inflight.push_back(sg4::Comm::sendto_async(c->own, c->he, bytes));
    c->payload.push_back(payload);
    c->is_recv.push_back(false);
    c->sends++;
}

extern "C" sim_cell *sim_cell_create(unsigned max_flows, sg_host_t he, sg_host_t own,
                                     sim_cell_fn on_sent, sim_cell_fn on_recv, void *ctx)
{
    auto *c = new sim_cell;
    c->max_flows = max_flows ? max_flows : 1;
    c->he = he;
    c->own = own;
    c->on_sent = on_sent;
    c->on_recv = on_recv;
    c->ctx = ctx;
    return c;
}

extern "C" void sim_cell_downlink(sim_cell *c, void *payload, uint64_t bytes)
{
    c->inflight.push_back(sg4::Comm::sendto_async(c->he, c->own, bytes));
    c->payload.push_back(payload);
    c->is_recv.push_back(true);
    c->recvs++;
}

extern "C" size_t sim_cell_recv_pending(const sim_cell *c)
{
    return c->recvs;
}

extern "C" void sim_cell_send(sim_cell *c, void *payload, uint64_t bytes)
{
    /* Receives do not take an uplink flow. */
    if (c->sends < c->max_flows) {
        cell_start(c, payload, bytes);
    } else {
        c->fifo.emplace_back(payload, bytes);
        if (c->fifo.size() > c->peak) c->peak = c->fifo.size();
    }
}

/* Move every finished transfer of C from inflight to ready, keeping their order.  A transfer is
 * over once SimGrid has given it a finish time: the engine sets it when it handles the
 * transfer's end, before any actor runs at that instant.  Reading it is not a simcall; asking
 * test() was one (a switch to maestro and back), and its finish() walked SimGrid 3.32's list of
 * every detached transfer of the run a second time.  SimGrid's wait_any answers with one
 * finished transfer, and each call looks at every finished one still in the set again: when a
 * burst of K transfers ends in the same instant, taking them one wait_any at a time costs K^2
 * such looks, each of them a walk over that list. */
static void cell_harvest(sim_cell *c)
{
    size_t kept = 0;
    for (size_t k = 0; k < c->inflight.size(); k++) {
        if (c->inflight[k]->get_finish_time() >= 0) {
            c->ready.emplace_back(c->payload[k], c->is_recv[k]);
            continue;
        }
        if (kept != k) {
            c->inflight[kept] = std::move(c->inflight[k]);
            c->payload[kept] = c->payload[k];
            c->is_recv[kept] = c->is_recv[k];
        }
        kept++;
    }
    c->inflight.resize(kept);
    c->payload.resize(kept);
    c->is_recv.resize(kept);
}

extern "C" int sim_cell_sleep_until(sim_cell *c, double t)
{
    while (!c->ready.empty() || !c->inflight.empty()) {
        double left = t - sg4::Engine::get_clock();
        if (left <= 0) return 0;
        if (c->ready.empty()) {
            ssize_t k = sg4::Activity::wait_any_for(c->inflight, left);
            if (k < 0) return 0; /* reached T with transfers still running */
            /* K is the first finished one in the set's order; the others finished with it */
            c->ready.emplace_back(c->payload[k], c->is_recv[k]);
            c->inflight.erase(c->inflight.begin() + k);
            c->payload.erase(c->payload.begin() + k);
            c->is_recv.erase(c->is_recv.begin() + k);
            cell_harvest(c);
        }
        void *payload = c->ready.front().first;
        bool recv = c->ready.front().second;
        c->ready.pop_front();
        if (recv) {
            c->recvs--;
            c->on_recv(c->ctx, payload);
            return 1;
        }
        c->sends--;
        c->on_sent(c->ctx, payload);
        while (c->sends < c->max_flows && !c->fifo.empty()) {
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

extern "C" int sim_cell_idle(const sim_cell *c)
{
    return c->inflight.empty() && c->ready.empty() && c->fifo.empty();
}

extern "C" void sim_cell_set_peak_backlog(sim_cell *c, size_t peak)
{
    c->peak = peak;
}

extern "C" void sim_cell_destroy(sim_cell *c)
{
    if (!c) return;
    for (auto &comm : c->inflight) comm->cancel();
    delete c;
}

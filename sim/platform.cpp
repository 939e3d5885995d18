#include "platform.h"

#include <simgrid/s4u.hpp>
#include <simgrid/simix.hpp>

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
            /* The area's transfers go from its host to itself (sim_cell), by a bypass route:
             * a map look-up, where the star would route them up and down its links into a
             * hash set, twice a transfer (the route and, for the cross-traffic, the way back).
             * The route is one link that stands for the uplink and the backbone link together.
             * Every transfer of the area crosses both, so both carry the same flows: the
             * max-min share is the narrower link's alone, and the latency is the two summed,
             * as SimGrid sums a route's.  The times are the same to the last bit
             * (test_platform checks them against sendto over the two links, each way round);
             * SimGrid's work per transfer is less (one link's elements in its variable, one
             * constraint changed by its start and by its end). */
            double up_Bps = up->get_bandwidth(), bb_Bps = bb->get_bandwidth();
            sg4::Link *cell = zone->create_link("cell" + id, up_Bps < bb_Bps ? up_Bps : bb_Bps)
                                  ->set_latency(up->get_latency() + bb->get_latency())
                                  ->seal();
            zone->add_bypass_route(h->get_netpoint(), h->get_netpoint(), nullptr, nullptr,
                                   {sg4::LinkInRoute(cell)});
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
    /* Each transfer is a send and a receive of the area actor on its own mailbox, matched at
     * once.  The receive's handle is waited on; the send's is kept until the transfer is over
     * (SimGrid reports a handle dropped while its transfer runs).  Why not Comm::sendto:
     * SimGrid 3.32 puts every sendto transfer, all areas' alike, on one list, and at the end
     * of each transfer walks the whole list to take it off: a cost per message that grows
     * with the number of transfers in flight in the process (8 per busy area: 0.6 us a message
     * at 100,000 households, 6 us at 1,000,000).  An actor's own transfers are on its own,
     * short list.  The route from an area's host to itself has the bandwidth and latency of
     * its route to the head-end and of the route back (sim_platform_build), so a transfer
     * takes the time it takes either way (test_platform checks it against sendto). */
    sg4::Mailbox *mb = nullptr;
    /* as Activity, not Comm: Comm::wait_any_for copies and casts the whole set at every call */
    std::vector<sg4::ActivityPtr> inflight; /* receive handles */
    std::vector<sg4::CommPtr> put;          /* the send handle of each */
    std::vector<void *> payload;            /* per inflight transfer */
    std::vector<bool> is_recv;              /* ... a downlink one */
    std::deque<std::pair<void *, uint64_t>> fifo;
    /* Transfers found finished but not yet handed over, in the order they had in inflight. */
    std::deque<std::pair<void *, bool>> ready;
    size_t peak = 0;
    size_t recvs = 0; /* downlink transfers not yet handed over (inflight or ready) */
    size_t sends = 0; /* ... uplink ones */
    sim_cell_fn on_sent = nullptr, on_recv = nullptr;
    void *ctx = nullptr;
    size_t fresh = 0;        /* transfers made, not yet started (cell_launch) */
    int token = 0;           /* what a send carries (nothing is read from it) */
    void *arrived = nullptr; /* where a receive puts it */
};

/* A transfer of BYTES across C's links, started by the next cell_launch. */
static void cell_transfer(sim_cell *c, void *payload, uint64_t bytes, bool recv)
{
    c->put.push_back(c->mb->put_init(&c->token, bytes));
    c->inflight.push_back(c->mb->get_init()->set_dst_data(&c->arrived, sizeof(void *)));
    c->payload.push_back(payload);
    c->is_recv.push_back(recv);
    c->fresh++;
}

/* Start C's fresh transfers (the last ones in inflight), in order, in one call into SimGrid's
 * kernel: started one by one, each send and each receive is a simcall of its own (a switch to
 * the kernel and back, and a scheduling round).  The handles were made by the actor, so the
 * transfers are its own.  They start at the time they were made: SimGrid's clock moves for
 * an actor only while it waits, and the area actor waits only in sim_cell_sleep_until, which
 * launches before it waits and before it returns at T, and at the window's barrier, which it
 * reaches through sim_cell_sleep_until with nothing made in between (area.c). */
static void cell_launch(sim_cell *c)
{
    if (c->fresh == 0) return;
    simgrid::kernel::actor::simcall_answered([c] {
        for (size_t k = c->inflight.size() - c->fresh; k < c->inflight.size(); k++) {
            c->put[k]->start();
            c->inflight[k]->start();
        }
    });
    c->fresh = 0;
}

static void cell_start(sim_cell *c, void *payload, uint64_t bytes)
{
    cell_transfer(c, payload, bytes, false);
    c->sends++;
}

extern "C" sim_cell *sim_cell_create(unsigned max_flows, sg_host_t own, sim_cell_fn on_sent,
                                     sim_cell_fn on_recv, void *ctx)
{
    auto *c = new sim_cell;
    c->max_flows = max_flows ? max_flows : 1;
    c->on_sent = on_sent;
    c->on_recv = on_recv;
    c->ctx = ctx;
    /* the area's host name is unique in the platform, and so is this mailbox */
    c->mb = sg4::Mailbox::by_name("cell:" + own->get_name());
    return c;
}

extern "C" void sim_cell_downlink(sim_cell *c, void *payload, uint64_t bytes)
{
    cell_transfer(c, payload, bytes, true);
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
 * transfer's end, before any actor runs at that instant.  Each is then waited on, which
 * returns at once: that takes it off the actor's list of transfers (only the one that ended
 * a wait leaves it by itself).  SimGrid's wait_any answers with one finished transfer, and
 * each call looks at the set again from its start: when a burst of K transfers ends in the
 * same instant, taking them one wait_any at a time costs K^2 such looks. */
static void cell_harvest(sim_cell *c)
{
    size_t kept = 0;
    for (size_t k = 0; k < c->inflight.size(); k++) {
        if (c->inflight[k]->get_finish_time() >= 0) {
            c->inflight[k]->wait();
            c->ready.emplace_back(c->payload[k], c->is_recv[k]);
            continue;
        }
        if (kept != k) {
            c->inflight[kept] = std::move(c->inflight[k]);
            c->put[kept] = std::move(c->put[k]);
            c->payload[kept] = c->payload[k];
            c->is_recv[kept] = c->is_recv[k];
        }
        kept++;
    }
    c->inflight.resize(kept);
    c->put.resize(kept);
    c->payload.resize(kept);
    c->is_recv.resize(kept);
}

extern "C" int sim_cell_sleep_until(sim_cell *c, double t)
{
    /* Launched only before a wait or a return at T: the transfers made meanwhile, at this
     * instant, start together (when K transfers end at once, the K that take their places in
     * one call into the kernel, not K calls). */
    while (!c->ready.empty() || !c->inflight.empty()) {
        double left = t - sg4::Engine::get_clock();
        if (left <= 0) {
            cell_launch(c);
            return 0;
        }
        if (c->ready.empty()) {
            cell_launch(c);
            ssize_t k = sg4::Activity::wait_any_for(c->inflight, left);
            if (k < 0) return 0; /* reached T with transfers still running */
            /* K is the first finished one in the set's order; the others finished with it */
            c->ready.emplace_back(c->payload[k], c->is_recv[k]);
            c->inflight.erase(c->inflight.begin() + k);
            c->put.erase(c->put.begin() + k);
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
    /* the fresh ones never started: nothing to cancel */
    for (size_t k = 0; k + c->fresh < c->inflight.size(); k++) c->inflight[k]->cancel();
    delete c;
}

/* An area's cell (sim/platform.cpp): its transfers take the time SimGrid gives a transfer from
 * the area's host to the head-end host and back.  The cell moves them as an actor's transfers
 * to itself, over one link that stands for the area's uplink and backbone link (not SimGrid's
 * host-to-host sendto: platform.cpp says why); here one area runs a cell and another, with
 * the same links, the same queue by sendto, in one engine, and each message must end at the
 * same instant in both, whichever of the two links is the narrower.  A lone message takes the
 * latency, then its size at the bandwidth left by the cross-traffic (CM02, nothing else on
 * its links). */
/* SimGrid (boost) before criterion: criterion's macros break boost's headers */
#include <simgrid/engine.h>
#include <simgrid/s4u.hpp>

#include <criterion/criterion.h>

#include "platform.h"

#include <cmath>
#include <deque>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

constexpr unsigned FLOWS = 3;
constexpr double UP_LAT = 0.35, BB_LAT = 0.01;

struct msg {
    double at; /* queued at [s] */
    uint64_t bytes;
    bool down; /* head-end to area */
};

/* Bursts larger than FLOWS, sizes unlike each other, downlinks among uplinks; at 3 s two
 * equal messages start together on idle links (they end in the same instant), and the two
 * queued behind them take their places in that instant. */
const std::vector<msg> plan = {
    {0.0, 900, false},  {0.0, 2400, false}, {0.0, 300, false},  {0.0, 1200, false},
    {0.0, 1200, false}, {0.2, 5000, true},  {0.5, 700, false},  {0.5, 250, false},
    {1.0, 800, true},   {3.0, 4000, false}, {3.0, 100, false},  {3.0, 100, false},
    {3.0, 300, false},  {3.0, 500, false},  {3.1, 2000, true},  {9.0, 600, false},
};

std::vector<double> by_cell(plan.size(), -1), by_sendto(plan.size(), -1);
double lone_end = -1;
sg_host_t hosts[3], he;

void cell_done(void *ctx, void *payload)
{
    (void)ctx;
    by_cell[(size_t)(uintptr_t)payload - 1] = sg4::Engine::get_clock();
}

void run_cell()
{
    sim_cell *c = sim_cell_create(FLOWS, hosts[0], cell_done, cell_done, nullptr);
    for (size_t k = 0; k < plan.size(); k++) {
        while (sim_cell_sleep_until(c, plan[k].at)) {
        }
        if (plan[k].down)
            sim_cell_downlink(c, (void *)(uintptr_t)(k + 1), plan[k].bytes);
        else
            sim_cell_send(c, (void *)(uintptr_t)(k + 1), plan[k].bytes);
    }
    while (!sim_cell_idle(c)) sim_cell_sleep_until(c, 1e6);
    sim_cell_destroy(c);
}

/* The same queue: at most FLOWS uplink transfers at once, downlinks besides, a freed flow
 * taken by the next queued message at once. */
void run_sendto()
{
    sg4::Host *own = hosts[1];
    sg4::Host *head = he;
    std::vector<sg4::ActivityPtr> inflight;
    std::vector<size_t> which;
    std::deque<size_t> fifo;
    unsigned up = 0;
    size_t next = 0, done = 0;
    auto start = [&](size_t k) {
        if (plan[k].down) {
            inflight.push_back(sg4::Comm::sendto_async(head, own, plan[k].bytes));
        } else {
            inflight.push_back(sg4::Comm::sendto_async(own, head, plan[k].bytes));
            up++;
        }
        which.push_back(k);
    };
    while (done < plan.size()) {
        while (next < plan.size() && plan[next].at <= sg4::Engine::get_clock()) {
            if (plan[next].down || up < FLOWS)
                start(next);
            else
                fifo.push_back(next);
            next++;
        }
        double until = next < plan.size() ? plan[next].at : 1e6;
        if (inflight.empty()) {
            sg4::this_actor::sleep_until(until);
            continue;
        }
        ssize_t i = sg4::Activity::wait_any_for(inflight, until - sg4::Engine::get_clock());
        if (i < 0) continue;
        size_t k = which[(size_t)i];
        by_sendto[k] = sg4::Engine::get_clock();
        inflight.erase(inflight.begin() + i);
        which.erase(which.begin() + i);
        done++;
        if (!plan[k].down) up--;
        while (up < FLOWS && !fifo.empty()) {
            start(fifo.front());
            fifo.pop_front();
        }
    }
}

void lone_done(void *ctx, void *payload)
{
    (void)ctx;
    (void)payload;
    lone_end = sg4::Engine::get_clock();
}

void run_lone()
{
    sim_cell *c = sim_cell_create(FLOWS, hosts[2], lone_done, lone_done, nullptr);
    sim_cell_send(c, (void *)1, 10000);
    while (!sim_cell_idle(c)) sim_cell_sleep_until(c, 1e6);
    sim_cell_destroy(c);
}

/* The plan on a platform of uplinks of UP_BPS bit/s and a backbone of BB_BPS: each message by
 * the cell ends when it ends by sendto, exactly, and a lone message when the arithmetic says. */
void same_ends(double up_bps, double bb_bps)
{
    int argc = 3;
    char a0[] = "test", a1[] = "--log=root.thres:critical", a2[] = "--cfg=network/model:CM02";
    char *argv[] = {a0, a1, a2, nullptr};
    simgrid_init(&argc, argv);
    double bps[3] = {up_bps, up_bps, up_bps}, lat[3] = {UP_LAT, UP_LAT, UP_LAT};
    sim_platform_spec spec = {0, 3, bps, lat, bb_bps, BB_LAT};
    char err[256];
    cr_assert_eq(sim_platform_build(&spec, hosts, &he, err, sizeof err), 0, "%s", err);
    sg4::Actor::create("cell", hosts[0], run_cell);
    sg4::Actor::create("sendto", hosts[1], run_sendto);
    sg4::Actor::create("lone", hosts[2], run_lone);
    sg4::Engine::get_instance()->run();

    for (size_t k = 0; k < plan.size(); k++) {
        cr_assert_geq(by_cell[k], plan[k].at + UP_LAT + BB_LAT, "message %zu ended at %g", k,
                      by_cell[k]);
        /* exactly: the same arithmetic on the same bandwidth and latency */
        cr_expect_eq(by_cell[k], by_sendto[k], "message %zu: cell %.17g, sendto %.17g", k,
                     by_cell[k], by_sendto[k]);
    }
    /* the two equal messages started together ended together */
    cr_expect_eq(by_cell[10], by_cell[11]);
    /* alone on its links: both latencies, then the narrower link's bandwidth, less the 5 %
     * that SimGrid's cross-traffic keeps on each link of the route for the way back (the
     * route back is the same links) (1e-9 s) */
    double expect = UP_LAT + BB_LAT + 10000 * 8 * 1.05 / std::fmin(up_bps, bb_bps);
    cr_expect(std::fabs(lone_end - expect) < 1e-9, "lone message ended at %.12g, not %.12g",
              lone_end, expect);
}

} // namespace

/* The uplink the narrower, as every shipped scenario has it (a cell against the backbone). */
Test(platform, a_cell_transfer_ends_when_a_sendto_transfer_on_the_same_links_ends)
{
    same_ends(64e3, 2e6);
}

/* The backbone the narrower: its share binds, not the uplink's. */
Test(platform, the_same_when_the_backbone_is_the_narrower_link)
{
    same_ends(2e6, 48e3);
}

/* Both alike: either binds. */
Test(platform, the_same_when_both_links_are_alike)
{
    same_ends(64e3, 64e3);
}

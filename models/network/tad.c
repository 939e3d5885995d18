/* The DCC's Threshold Anomaly Detection (see net/tad.h). */
#include "net/tad.h"

#include <math.h>
#include <string.h>

static void user_reset(net_tad_user *u)
{
    memset(u, 0, sizeof *u);
    u->held_crit = u->held_all = -INFINITY;
}

int net_tad_init(net_tad *d, const net_tad_config *cfg, uint32_t users)
{
    if (!d || !cfg || !(cfg->window_s > 0) || !(cfg->quarantine_s >= 0) || users == 0 ||
        users > NET_TAD_USERS_MAX)
        return -1;
    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    d->users = users;
    d->clock = -INFINITY;
    for (uint32_t k = 0; k < users; k++) user_reset(&d->u[k]);
    user_reset(&d->sys);
    return 0;
}

/* U's counts are of window W from now on. */
static void roll(net_tad_user *u, uint64_t w)
{
    if (u->win != w) {
        u->win = w;
        u->critical = u->all = 0;
    }
}

/* Would one more command take COUNT past LIMIT (0: none)? */
static bool over(uint32_t count, uint32_t limit)
{
    return limit > 0 && count >= limit;
}

int net_tad_offer(net_tad *d, uint32_t user, bool critical, double t, net_tad_limit *why)
{
    if (why) *why = NET_TAD_NONE;
    if (!d || user >= d->users || !(t >= d->clock)) return -1;
    d->clock = t;
    const net_tad_config *c = &d->cfg;
    net_tad_user *u = &d->u[user], *s = &d->sys;
    uint64_t w = (uint64_t)floor(t / c->window_s);
    roll(u, w);
    roll(s, w);
    /* held by an earlier trip: the system's first, then the user's */
    net_tad_limit held = NET_TAD_NONE;
    if (critical && t < s->held_crit)
        held = NET_TAD_CRITICAL_SYSTEM;
    else if (t < s->held_all)
        held = NET_TAD_ALL_SYSTEM;
    else if (critical && t < u->held_crit)
        held = NET_TAD_CRITICAL_USER;
    else if (t < u->held_all)
        held = NET_TAD_ALL_USER;
    /* or tripping now */
    if (held == NET_TAD_NONE) {
        double until = t + c->quarantine_s;
        if (critical && over(s->critical, c->critical_system)) {
            held = NET_TAD_CRITICAL_SYSTEM;
            s->held_crit = until;
            s->trips++;
        } else if (over(s->all, c->all_system)) {
            held = NET_TAD_ALL_SYSTEM;
            s->held_all = until;
            s->trips++;
        } else if (critical && over(u->critical, c->critical_user)) {
            held = NET_TAD_CRITICAL_USER;
            u->held_crit = until;
            u->trips++;
        } else if (over(u->all, c->all_user)) {
            held = NET_TAD_ALL_USER;
            u->held_all = until;
            u->trips++;
        }
    }
    if (held != NET_TAD_NONE) {
        u->quarantined++;
        s->quarantined++;
        if (why) *why = held;
        return NET_TAD_QUARANTINED;
    }
    u->all++;
    s->all++;
    if (critical) {
        u->critical++;
        s->critical++;
    }
    u->passed++;
    s->passed++;
    return NET_TAD_PASS;
}

int net_tad_ckpt(net_tad *d, sim_ckpt *c)
{
    sim_ckpt_tag(c, "net_tad");
    sim_ckpt_same(c, d->users, "TAD users");
    SIM_CKPT(c, d->clock);
    /* users past d->users are never touched: init zeroed them on both sides */
    sim_ckpt_bytes(c, d->u, d->users * sizeof *d->u);
    SIM_CKPT(c, d->sys);
    return sim_ckpt_err(c) ? -1 : 0;
}

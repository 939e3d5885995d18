/* Command runs: supplier campaigns and attacks with commands (see command.h). */
#include "command.h"

#include "fleet.h"
#include "par.h"
#include "runner.h"

#include "mm/bytes.h"
#include "mm/status_supply.h"
#include "mm_port_sim.h"
#include "net/tad.h"
#include "sim/events.h"
#include "sim/regions.h"
#include "sim/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MSG_CMDRUN's U: run | phase << 4. */
enum { PH_SEND = 0, PH_HELD = 1, PH_BUTTON = 2 };
#define CRU(run, ph) ((uint32_t)(run) | (uint32_t)(ph) << 4)

/* What each rank counts for a run (summed over ranks at the end). */
enum {
    N_SENT,
    N_LOST,
    N_ACCEPTED,
    N_ACCEPTED_S1,
    N_REFUSED_AUTH,
    N_REFUSED_REPLAY,
    N_REFUSED_OTHER,
    N_WITHIN,
    N_DISCONNECTED,
    N_RECONNECTED,
    N_STILL_OFF,
    N_OFF_SUM_S,
    N_RESTORED,
    N_RESTORED_MW,
    N_LAG_SUM_MS,
    N_STEP_MW,                           /* then one per licence area */
    N_SUMS = N_STEP_MW + 1 + SIM_REGIONS,
    /* maxima */
    M_LAG_MS = 0,
    M_OFF_S,
    M_DONE_S, /* last executed, + 1 (0: none) */
    N_MAXES
};

typedef struct cmdrun {
    const sim_cmd_run *r;
    uint16_t cmd;       /* mm_cmd_id */
    uint8_t cls;        /* head-end class of the answer */
    double target_s;    /* its response target [s] */
    int supplier, pop;  /* -1: any */
    uint32_t region_mask;
    int ref;            /* targets_of or replay_of: a run's index; -1 none */
    bool started, replayed;
    double rate;        /* commands a second in the sample; 0 all at once */
    uint32_t *targets;  /* national, in sending order */
    uint32_t n_targets, next;
    uint64_t *ctr;      /* replayed runs: the counter each local meter's frame had; 0 none */
    /* national (alike on every rank) */
    uint32_t quarantined;
    double first_s, last_s, tripped_s;
    /* this rank's, then summed */
    int64_t sum[N_SUMS];
    int64_t max[N_MAXES];
} cmdrun;

struct sim_cmds {
    const sim_ctx *cx;
    sim_area *areas;
    uint32_t n_areas, n;
    cmdrun run[2 * SIM_CMD_RUNS_MAX];
    bool tad_on;
    net_tad tad;
    /* per household of this rank (id - hh_lo) */
    uint8_t *cut_run; /* the run whose command cut its supply, + 1; 0 none */
    uint32_t *cut_s;  /* ... when [s] */
    uint8_t *watch;   /* the run whose load limit it holds, + 1; 0 none */
    void *gather;     /* allgather buffer */
    size_t gather_cap;
};

static const char *const sender_names[] = {"supplier", "forged", "replay", "compromised"};
static const char *const command_names[] = {"disable", "enable",     "arm",           "prepayment",
                                            "credit",  "load_limit", "load_limit_off"};

static uint16_t cmd_of(sim_cmd_id c)
{
    switch (c) {
    case SIM_CMD_DISABLE:
        return MM_CMD_SUPPLY_DISABLE;
    case SIM_CMD_ENABLE:
        return MM_CMD_SUPPLY_ENABLE;
    case SIM_CMD_ARM:
        return MM_CMD_SUPPLY_ARM;
    case SIM_CMD_PREPAYMENT:
    case SIM_CMD_CREDIT:
        return MM_CMD_MODE_CHANGE;
    case SIM_CMD_LOAD_LIMIT:
    case SIM_CMD_LOAD_LIMIT_OFF:
        return MM_CMD_SET_LOAD_LIMIT;
    }
    return 0;
}

/* A national limit scaled to the sample (at least 1 when there is one). */
static uint32_t scaled(uint32_t limit, double scale)
{
    if (limit == 0) return 0;
    double v = llround((double)limit * scale);
    return v < 1 ? 1u : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int sim_cmds_open(sim_cmds **out, const sim_ctx *cx, sim_area *areas, uint32_t n_areas, char *err,
                  size_t errlen)
{
    const sim_scenario *sc = cx->sc;
    *out = NULL;
    uint32_t n = sc->n_commands + sc->n_attacks;
    if (n == 0) return 0;
    sim_cmds *s = calloc(1, sizeof *s);
    uint32_t local = cx->hh_hi - cx->hh_lo;
    if (!s || !(s->cut_run = calloc(local ? local : 1, 1)) ||
        !(s->cut_s = calloc(local ? local : 1, sizeof *s->cut_s)) ||
        !(s->watch = calloc(local ? local : 1, 1))) {
        sim_cmds_close(s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cx = cx;
    s->areas = areas;
    s->n_areas = n_areas;
    s->n = n;
    double scale = (double)sc->households / sc->fleet.national_households;
    net_he_config he;
    net_he_config_default(&he);
    for (uint32_t k = 0; k < n; k++) {
        cmdrun *c = &s->run[k];
        c->r = sim_scenario_cmd_run(sc, k);
        c->cmd = cmd_of(c->r->command);
        c->cls = c->cmd == MM_CMD_SUPPLY_DISABLE || c->cmd == MM_CMD_SUPPLY_ENABLE ||
                         c->cmd == MM_CMD_SUPPLY_ARM
                     ? NET_HE_SUPPLY_SWITCH
                     : NET_HE_MODE_CHANGE;
        c->target_s = he.cls[c->cls].target_s;
        c->supplier = cx->fleet->run_supplier[k];
        c->pop = cx->fleet->run_pop[k];
        c->ref = cx->fleet->run_ref[k];
        char why[160];
        if (sim_region_list(c->r->regions, &c->region_mask, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: regions: %s", c->r->name, why); /* checked by the loader */
            sim_cmds_close(s);
            return -1;
        }
        c->rate = c->r->rate * scale;
        c->first_s = c->last_s = c->tripped_s = NAN;
    }
    for (uint32_t k = 0; k < n; k++) {
        cmdrun *c = &s->run[k];
        if (c->r->sender == SIM_SENDER_REPLAY && c->ref >= 0 && !s->run[c->ref].replayed) {
            cmdrun *src = &s->run[c->ref];
            src->replayed = true;
            if (!(src->ctr = calloc(local ? local : 1, sizeof *src->ctr))) {
                sim_cmds_close(s);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
    }
    if (sc->headend.tad) {
        net_tad_config tc = {.window_s = sc->headend.tad_window_s,
                             .critical_user = scaled(sc->headend.tad_crit_user, scale),
                             .critical_system = scaled(sc->headend.tad_crit_sys, scale),
                             .all_user = scaled(sc->headend.tad_all_user, scale),
                             .all_system = scaled(sc->headend.tad_all_sys, scale),
                             .quarantine_s = sc->headend.tad_quarantine_s};
        if (net_tad_init(&s->tad, &tc, cx->fleet->n_suppliers) != 0) {
            snprintf(err, errlen, "headend.anomaly: cannot set up the anomaly detection");
            sim_cmds_close(s);
            return -1;
        }
        s->tad_on = true;
    }
    *out = s;
    return 0;
}

void sim_cmds_close(sim_cmds *s)
{
    if (!s) return;
    for (uint32_t k = 0; k < 2 * SIM_CMD_RUNS_MAX; k++) {
        free(s->run[k].targets);
        free(s->run[k].ctr);
    }
    free(s->cut_run);
    free(s->cut_s);
    free(s->watch);
    free(s->gather);
    free(s);
}

/* Household I of area A is a candidate of run C at its start. */
static bool candidate(const sim_cmds *s, const cmdrun *c, const sim_area *a, uint32_t i)
{
    uint32_t id = a->hh0 + i;
    const sim_fleet_hh *h = sim_hh_fl(a, i);
    if (h->route == SIM_ROUTE_NONE) return false; /* no communications: nothing reaches it */
    if (!(c->region_mask >> (a->region - 1u) & 1u)) return false;
    if (c->supplier >= 0 && h->supplier != (unsigned)c->supplier) return false;
    if (c->pop >= 0 && h->pop != (unsigned)c->pop) return false;
    if (c->r->payment == SIM_PAY_PREPAYMENT && !a->prepay[i]) return false;
    if (c->r->payment == SIM_PAY_CREDIT && a->prepay[i]) return false;
    uint32_t j = id - s->cx->hh_lo;
    if (c->r->targets_of[0] && s->cut_run[j] != (uint8_t)(c->ref + 1)) return false;
    if (c->r->sender == SIM_SENDER_REPLAY && !s->run[c->ref].ctr[j]) return false; /* no frame */
    return true;
}

/* Run K starts: every rank's candidates gathered, put in the run's hash order, its share
 * taken.  0, or SIM_ENOMEM (on every rank). */
static int choose(sim_cmds *s, uint32_t k)
{
    const sim_ctx *cx = s->cx;
    cmdrun *c = &s->run[k];
    c->started = true;
    uint32_t local = cx->hh_hi - cx->hh_lo, m = 0;
    uint32_t *mine = malloc((local ? local : 1) * sizeof *mine);
    if (!sim_par_any(!mine))
        for (uint32_t a = cx->a_lo; a < cx->a_hi; a++) {
            const sim_area *ar = &s->areas[a];
            for (uint32_t i = 0; i < ar->n; i++)
                if (candidate(s, c, ar, i)) mine[m++] = ar->hh0 + i;
        }
    size_t bytes = 0;
    int rc = mine ? sim_par_allgather(mine, (size_t)m * sizeof *mine, &s->gather, &s->gather_cap,
                                      &bytes)
                  : -1;
    free(mine);
    if (rc) return SIM_ENOMEM;
    uint32_t n = (uint32_t)(bytes / sizeof(uint32_t));
    c->targets = malloc((n ? n : 1) * sizeof *c->targets);
    if (sim_par_any(!c->targets)) return SIM_ENOMEM;
    memcpy(c->targets, s->gather, (size_t)n * sizeof *c->targets);
    uint64_t salt = sim_hash64(cx->sc->seed ^ sim_hash_str(c->r->name) ^ sim_hash_str("command"));
    if (sim_par_any(sim_fleet_hash_order(c->targets, n, salt) != 0)) return SIM_ENOMEM;
    c->n_targets = (uint32_t)llround(c->r->share * n);
    return 0;
}

/* When run C sends its K-th command [s]. */
static uint32_t send_time(const cmdrun *c, uint32_t k)
{
    double at = (double)c->r->start_s + (c->rate > 0 ? floor(k / c->rate) : 0.0);
    return at < (double)UINT32_MAX ? (uint32_t)at : UINT32_MAX;
}

/* The DCC checks run C's command to household ID: its sender is a DCC user and the meter's
 * route is the DCC's.  The verdict at T. */
static int checked(sim_cmds *s, const cmdrun *c, uint32_t id, uint32_t t)
{
    const sim_fleet_hh *h = &s->cx->fleet->hh[id];
    bool dcc_user = c->r->sender == SIM_SENDER_SUPPLIER || c->r->sender == SIM_SENDER_COMPROMISED;
    if (!s->tad_on || !dcc_user) return NET_TAD_PASS;
    if (h->route != SIM_ROUTE_DCC && h->route != SIM_ROUTE_DCC_S1) return NET_TAD_PASS;
    uint32_t user = c->supplier >= 0 ? (uint32_t)c->supplier : h->supplier;
    int v = net_tad_offer(&s->tad, user, mm_cmd_is_critical(c->cmd), t, NULL);
    return v < 0 ? NET_TAD_PASS : v; /* offers are in time order: never refused */
}

int sim_cmds_window(sim_cmds *s, uint32_t t)
{
    if (!s) return 0;
    const sim_ctx *cx = s->cx;
    uint32_t t1 = t + SIM_PERIOD_S;
    for (uint32_t k = 0; k < s->n; k++) {
        cmdrun *c = &s->run[k];
        if (!c->started && c->r->start_s < (int64_t)t1 && c->r->start_s < (int64_t)cx->end_s) {
            int rc = choose(s, k);
            if (rc) return rc;
        }
    }
    for (;;) { /* the window's commands of every run, in time order (ties by run) */
        uint32_t best = UINT32_MAX, k = 0;
        for (uint32_t j = 0; j < s->n; j++) {
            const cmdrun *c = &s->run[j];
            if (!c->started || c->next >= c->n_targets) continue;
            uint32_t ts = send_time(c, c->next);
            if (ts < best) {
                best = ts;
                k = j;
            }
        }
        if (best >= t1 || best >= cx->end_s) break;
        cmdrun *c = &s->run[k];
        uint32_t id = c->targets[c->next++];
        bool held = checked(s, c, id, best) == NET_TAD_QUARANTINED;
        if (held) {
            c->quarantined++;
            if (isnan(c->tripped_s)) c->tripped_s = best;
        } else {
            if (isnan(c->first_s)) c->first_s = best;
            c->last_s = best;
        }
        if (!sim_hh_local(cx, id)) continue;
        sim_area *a = sim_area_of(s->areas, s->n_areas, id);
        sim_area_schedule(a, &a->msgq, best, HEV(id - a->hh0, MSG_CMDRUN),
                          CRU(k, held ? PH_HELD : PH_SEND));
        if (a->err) return a->err;
    }
    return 0;
}

/* Run K's frame for household I's meter into OUT (*LEN bytes).  0 or SIM_EFRAME. */
static int build(sim_area *a, uint32_t i, uint32_t t, uint32_t k, uint8_t *out, size_t cap,
                 size_t *len)
{
    const sim_ctx *cx = a->cx;
    sim_cmds *s = cx->cmds;
    cmdrun *c = &s->run[k];
    uint32_t id = a->hh0 + i;
    uint8_t pl[12];
    uint16_t n = 0;
    switch (c->r->command) {
    case SIM_CMD_PREPAYMENT:
    case SIM_CMD_CREDIT:
        pl[0] = c->r->command == SIM_CMD_PREPAYMENT ? MM_MODE_PREPAYMENT : MM_MODE_CREDIT;
        n = 1;
        break;
    case SIM_CMD_LOAD_LIMIT:
    case SIM_CMD_LOAD_LIMIT_OFF: {
        bool on = c->r->command == SIM_CMD_LOAD_LIMIT;
        mm_put_be(pl, on ? (uint32_t)llround(c->r->load_limit_w) : 0u, 4);
        mm_put_be(pl + 4, (uint32_t)c->r->load_limit_period_s, 4);
        mm_put_be(pl + 8, (uint32_t)c->r->load_limit_restore_s, 4);
        n = 12;
        break;
    }
    default:
        break;
    }
    bool sign = mm_cmd_is_critical(c->cmd);
    uint8_t dev[8];
    sim_fw_device_id(id, sim_hh_fl(a, i)->serial, dev);
    int rc;
    switch (c->r->sender) {
    case SIM_SENDER_FORGED: /* no keys: the attacker's own tag and signature, a fresh counter */
        rc = mm_port_sim_cmd_frame(cx->crypto, dev, MM_ROLE_SUPPLIER,
                                   (uint64_t)(cx->sc->start_unix + t) << SIM_FW_COUNTER_SHIFT,
                                   c->cmd, pl, n, sign, false, out, cap, len);
        return rc == MM_OK ? 0 : SIM_EFRAME;
    case SIM_SENDER_REPLAY: /* the captured frame, byte for byte */
        rc = mm_port_sim_cmd_frame(cx->crypto, dev, MM_ROLE_SUPPLIER,
                                   s->run[c->ref].ctr[id - cx->hh_lo], s->run[c->ref].cmd, pl, n,
                                   sign, true, out, cap, len);
        return rc == MM_OK ? 0 : SIM_EFRAME;
    default: /* the supplier's head-end, or one holding its keys */
        return sim_dl_frame(cx, id, t, c->cmd, pl, n, out, cap, len);
    }
}

/* Household I's supply as its meter's contactor now has it, at T; RUN the run that moved it
 * (an arm's run when the customer pressed the button after it; -1 none: the meter came back
 * from a power cut, or the firmware moved it by itself).  The meter's state in *SNAP. */
static void follow(sim_area *a, uint32_t i, uint32_t t, int run, mm_esme_snapshot *snap)
{
    sim_hh_abi(a, i)->snapshot(sim_hh_fw(a, i), snap);
    a->prepay[i] = snap->mode == MM_MODE_PREPAYMENT;
    sim_cmds_supply(a, i, t, snap->supply != MM_SUPPLY_CONNECTED, run);
}

/* The off spell of local household J that a run began ends at T: its time counts to that run,
 * which is returned. */
static cmdrun *spell_end(sim_cmds *s, uint32_t j, uint32_t t)
{
    cmdrun *c = &s->run[s->cut_run[j] - 1];
    int64_t d = (int64_t)t - s->cut_s[j];
    c->sum[N_OFF_SUM_S] += d;
    if (d > c->max[M_OFF_S]) c->max[M_OFF_S] = d;
    s->cut_run[j] = 0;
    return c;
}

void sim_cmds_supply(sim_area *a, uint32_t i, uint32_t t, bool off, int run)
{
    sim_cmds *s = a->cx->cmds;
    if (off == (a->disabled[i] != 0)) return;
    int32_t before = a->pe_mw[i];
    a->disabled[i] = off;
    sim_hh_set_effective(a, i, t);
    if (!s) return;
    uint32_t id = a->hh0 + i, j = id - a->cx->hh_lo;
    if (off) {
        if (run < 0) return; /* the firmware's own (credit): not a run's */
        cmdrun *c = &s->run[run];
        s->cut_run[j] = (uint8_t)(run + 1);
        s->cut_s[j] = t;
        c->sum[N_DISCONNECTED]++;
        c->sum[N_STEP_MW] += before;
        c->sum[N_STEP_MW + a->region] += before;
        sim_area_record(a, t, id, SIM_EV_SUPPLY_DISABLED, run);
        return;
    }
    if (run >= 0) {
        s->run[run].sum[N_RESTORED]++;
        s->run[run].sum[N_RESTORED_MW] += a->pe_mw[i];
    }
    if (!s->cut_run[j]) return;
    spell_end(s, j, t)->sum[N_RECONNECTED]++;
    sim_area_record(a, t, id, SIM_EV_SUPPLY_ENABLED, run);
}

void sim_cmds_message(sim_area *a, uint32_t i, uint32_t t, uint32_t u)
{
    const sim_ctx *cx = a->cx;
    sim_cmds *s = cx->cmds;
    uint32_t k = u & 0x0Fu, id = a->hh0 + i;
    cmdrun *c = &s->run[k];
    switch (u >> 4) {
    case PH_HELD:
        sim_area_record(a, t, id, SIM_EV_CMD_QUARANTINED, k);
        return;
    case PH_BUTTON: {
        sim_hh_advance(a, i, t);
        mm_esme_snapshot snap;
        if (sim_hh_abi(a, i)->button(sim_hh_fw(a, i)) == MM_OK) follow(a, i, t, (int)k, &snap);
        return;
    }
    default:
        break;
    }
    if (sim_hh_route(a, i) == SIM_ROUTE_NONE) { /* gone dumb since: nothing reaches it */
        c->sum[N_LOST]++;
        return;
    }
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    int rc = build(a, i, t, k, frame, sizeof frame, &len);
    if (rc) {
        sim_area_fail(a, rc);
        return;
    }
    c->sum[N_SENT]++;
    sim_dl_send_frame(a, i, t, c->cmd, c->cls, k, frame, len);
}

bool sim_cmds_executed(sim_area *a, uint32_t i, uint32_t t, unsigned run, double sent_s,
                       uint64_t counter, int rc)
{
    sim_cmds *s = a->cx->cmds;
    cmdrun *c = &s->run[run];
    if (c->ctr) c->ctr[a->hh0 + i - a->cx->hh_lo] = counter; /* captured at the meter */
    if (rc == MM_OK) {
        int64_t lag_ms = llround(((double)t - sent_s) * 1000.0);
        c->sum[N_ACCEPTED]++;
        if (sim_hh_gen(a, i) == SIM_GEN_SMETS1) c->sum[N_ACCEPTED_S1]++;
        c->sum[N_LAG_SUM_MS] += lag_ms;
        if (lag_ms > c->max[M_LAG_MS]) c->max[M_LAG_MS] = lag_ms;
        if ((double)t - sent_s <= c->target_s) c->sum[N_WITHIN]++;
        if ((int64_t)t + 1 > c->max[M_DONE_S]) c->max[M_DONE_S] = (int64_t)t + 1;
        uint32_t j = a->hh0 + i - a->cx->hh_lo;
        if (c->cmd == MM_CMD_SET_LOAD_LIMIT)
            s->watch[j] = c->r->command == SIM_CMD_LOAD_LIMIT ? (uint8_t)(run + 1) : 0;
        mm_esme_snapshot snap;
        follow(a, i, t, (int)run, &snap);
        if (c->cmd == MM_CMD_SUPPLY_ARM && snap.supply == MM_SUPPLY_ARMED) {
            sim_rng g;
            sim_rng_seed(&g, a->cx->sc->seed, (uint64_t)(a->hh0 + i) << 8 | run, "command.button");
            uint32_t at = t + (uint32_t)(sim_rng_uniform(&g) * c->r->button_s);
            sim_area_schedule(a, &a->msgq, at, HEV(i, MSG_CMDRUN), CRU(run, PH_BUTTON));
        }
    } else if (rc == MM_EAUTH) {
        c->sum[N_REFUSED_AUTH]++;
    } else if (rc == MM_EREPLAY) {
        c->sum[N_REFUSED_REPLAY]++;
    } else {
        c->sum[N_REFUSED_OTHER]++;
    }
    sim_hh_send_alerts(a, i, t); /* 0x8F3D, 0x8F60, 0x8F32 ... go at once */
    return c->r->sender == SIM_SENDER_SUPPLIER || c->r->sender == SIM_SENDER_COMPROMISED;
}

void sim_cmds_lost(sim_cmds *s, unsigned run)
{
    s->run[run].sum[N_LOST]++;
}

bool sim_cmds_watched(const sim_cmds *s, uint32_t id)
{
    return s && s->watch[id - s->cx->hh_lo];
}

void sim_cmds_follow_any(sim_area *a, uint32_t i, uint32_t t)
{
    mm_esme_snapshot snap;
    follow(a, i, t, -1, &snap);
}

void sim_cmds_follow(sim_area *a, uint32_t i, uint32_t t)
{
    const sim_cmds *s = a->cx->cmds;
    mm_esme_snapshot snap;
    follow(a, i, t, s->watch[a->hh0 + i - a->cx->hh_lo] - 1, &snap);
}

int sim_cmds_finish(sim_cmds *s, uint32_t end_s)
{
    if (!s) return 0;
    const sim_ctx *cx = s->cx;
    for (uint32_t j = 0; j < cx->hh_hi - cx->hh_lo; j++)
        if (s->cut_run[j]) spell_end(s, j, end_s)->sum[N_STILL_OFF]++;
    if (sim_par_ranks() == 1) return 0;
    for (uint32_t k = 0; k < s->n; k++) {
        sim_par_sum_i64(s->run[k].sum, N_SUMS);
        sim_par_max_i64(s->run[k].max, N_MAXES);
    }
    return 0;
}

uint32_t sim_cmds_count(const sim_cmds *s)
{
    return s ? s->n : 0;
}

void sim_cmds_row(const sim_cmds *s, uint32_t k, sim_cmdrun_row *o)
{
    const cmdrun *c = &s->run[k];
    const int64_t *v = c->sum;
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", c->r->name);
    snprintf(o->sender, sizeof o->sender, "%s", sender_names[c->r->sender]);
    snprintf(o->command, sizeof o->command, "%s", command_names[c->r->command]);
    o->start_s = (double)c->r->start_s;
    o->targeted = c->n_targets;
    o->quarantined = c->quarantined;
    o->sent = (uint32_t)v[N_SENT];
    o->lost = (uint32_t)v[N_LOST];
    o->accepted = (uint32_t)v[N_ACCEPTED];
    o->accepted_smets1 = (uint32_t)v[N_ACCEPTED_S1];
    o->refused_auth = (uint32_t)v[N_REFUSED_AUTH];
    o->refused_replay = (uint32_t)v[N_REFUSED_REPLAY];
    o->refused_other = (uint32_t)v[N_REFUSED_OTHER];
    o->within_target = (uint32_t)v[N_WITHIN];
    o->lag_mean_s = v[N_ACCEPTED] ? (double)v[N_LAG_SUM_MS] / 1000.0 / (double)v[N_ACCEPTED] : NAN;
    o->lag_max_s = v[N_ACCEPTED] ? (double)c->max[M_LAG_MS] / 1000.0 : NAN;
    o->first_sent_s = c->first_s;
    o->last_sent_s = c->last_s;
    o->last_done_s = c->max[M_DONE_S] ? (double)(c->max[M_DONE_S] - 1) : NAN;
    o->tripped_s = c->tripped_s;
    o->disconnected = (uint32_t)v[N_DISCONNECTED];
    o->reconnected = (uint32_t)v[N_RECONNECTED];
    o->still_off = (uint32_t)v[N_STILL_OFF];
    o->off_sum_s = (double)v[N_OFF_SUM_S];
    o->off_max_s = v[N_DISCONNECTED] ? (double)c->max[M_OFF_S] : NAN;
    o->demand_step_w = (double)v[N_STEP_MW] / 1000.0;
    o->restored = (uint32_t)v[N_RESTORED];
    o->restored_w = (double)v[N_RESTORED_MW] / 1000.0;
}

void sim_cmds_region_step(const sim_cmds *s, uint32_t k, double *out)
{
    uint32_t mask = s->cx->sc->topology.region_mask, col = 0;
    for (unsigned r = 0; r < SIM_REGIONS; r++)
        if (mask >> r & 1u) out[col++] = (double)s->run[k].sum[N_STEP_MW + 1 + r] / 1000.0;
}

int sim_cmds_ckpt(sim_cmds *s, sim_ckpt *c)
{
    sim_ckpt_tag(c, "commands");
    sim_ckpt_same(c, s ? s->n : 0, "command runs");
    if (!s) return sim_ckpt_err(c) ? -1 : 0;
    const sim_ctx *cx = s->cx;
    uint32_t local = cx->hh_hi - cx->hh_lo;
    for (uint32_t k = 0; k < s->n; k++) {
        cmdrun *r = &s->run[k];
        SIM_CKPT(c, r->started);
        /* its targets once chosen: the first n_targets are the ones it sends to */
        size_t nt = r->started ? r->n_targets : 0;
        sim_ckpt_array(c, (void **)&r->targets, &nt, NULL, sizeof *r->targets,
                       cx->sc->households);
        if (r->started) r->n_targets = (uint32_t)nt;
        SIM_CKPT(c, r->next);
        if (r->ctr) sim_ckpt_bytes(c, r->ctr, (size_t)local * sizeof *r->ctr);
        SIM_CKPT(c, r->quarantined);
        SIM_CKPT(c, r->first_s);
        SIM_CKPT(c, r->last_s);
        SIM_CKPT(c, r->tripped_s);
        SIM_CKPT(c, r->sum);
        SIM_CKPT(c, r->max);
    }
    sim_ckpt_same(c, s->tad_on, "anomaly detection");
    if (s->tad_on && net_tad_ckpt(&s->tad, c) != 0) return -1;
    sim_ckpt_bytes(c, s->cut_run, local);
    sim_ckpt_bytes(c, s->cut_s, (size_t)local * sizeof *s->cut_s);
    sim_ckpt_bytes(c, s->watch, local);
    return sim_ckpt_err(c) ? -1 : 0;
}

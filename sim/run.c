/* The run object: builds everything a scenario needs in a fixed order of steps, runs it one
 * settlement window at a time, and closes the trace.  runner.h draws the data flow of a
 * window; this file only sequences it.
 */
#include "runner.h"
#include "checkpoint.h"

#include "par.h"
#include "params.h"
#include "partition.h"
#include "progress.h"
#include "warnings.h"

#include <simgrid/actor.h>
#include <simgrid/barrier.h>
#include <simgrid/engine.h>
#include <simgrid/mailbox.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* SIGINT and SIGTERM from sim_run_catch_signals to the exit.  Until the trace file is
 * created nothing is on disk and the handler exits at once, saying so; from then on it only
 * records the signal (got_signal), the coordinator ends the run at the next window boundary
 * (cx.halt_asked) and the trace is closed valid with complete = 0, whatever further signals
 * arrive meanwhile. */
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t signals_defer; /* the trace exists: record, do not exit */
static bool signals_caught;                  /* sim_run_catch_signals was called */

static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

static void on_signal(int sig)
{
    if (!got_signal) got_signal = sig; /* the first one is reported */
    if (signals_defer) return;
    static const char msg_int[] = "metersim: interrupted by SIGINT during set-up; no trace written\n";
    static const char msg_term[] = "metersim: interrupted by SIGTERM during set-up; no trace written\n";
    const char *m = sig == SIGINT ? msg_int : msg_term;
    size_t n = sig == SIGINT ? sizeof msg_int - 1 : sizeof msg_term - 1;
    ssize_t w = write(STDERR_FILENO, m, n);
    (void)w;
    _exit(1);
}

int sim_run_catch_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) return -1;
    signals_caught = true;
    /* one that arrived before (a sweep's child, between fork and here) */
    if (got_signal && !signals_defer) on_signal((int)got_signal);
    return 0;
}

static uint64_t peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_maxrss * 1024u;
}

/* Step 1: the load model, prices, the firmware image, the per-household model settings. */
static int build_models(sim_run *r, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    sim_ctx *cx = &r->cx;
    cx->ops = grid_load_find(sim_load_model_name(sc->load.model));
    if (!cx->ops) {
        snprintf(err, errlen, "load model \"%s\" is not built in", sim_load_model_name(sc->load.model));
        return -1;
    }
    grid_load_params lp;
    sim_params_load(sc, &lp);
    lp.price = sim_price_hook;
    if (cx->ops->create(&lp, &r->model, err, errlen)) return -1;
    cx->model = r->model;
    /* Prices: the national model behind every tariff; prices.tariff's series goes to /grid. */
    grid_price_config pc;
    sim_params_prices(sc, cx->windows, &pc);
    cx->tariff = sim_grid_tariff(sc->prices.tariff);
    if (grid_price_create(&pc, &r->prices, err, errlen) != 0) return -1;
    cx->prices = r->prices;
    grid_price_publish_until(r->prices, 0);
    sim_params_read(sc, &cx->readp);
    /* The log must hold a day for the trace flush and the span between two reads. */
    cx->depth = net_read_log_depth(&cx->readp);
    cx->wt_on = sc->wan.technology == SIM_WAN_MODEL;
    sim_params_retry(sc, &cx->retry);
    sim_params_wantech(sc, &cx->wt_cfg);
    if (cx->wt_on && net_wt_config_check(&cx->wt_cfg) != 0) {
        snprintf(err, errlen, "wan: invalid technology configuration");
        return -1;
    }
    sim_params_topup(sc, &cx->topup);
    if (grid_topup_config_check(&cx->topup) != 0) {
        snprintf(err, errlen, "meter.prepayment: invalid top-up settings");
        return -1;
    }
    sim_params_han(sc, &cx->han_cfg);
    if (net_han_config_check(&cx->han_cfg) != 0) {
        snprintf(err, errlen, "han: invalid configuration");
        return -1;
    }
    return 0;
}

/* Step 2a: every household's population, supplier and tariff; the populations' images. */
static int build_fleet(sim_run *r, char *err, size_t errlen)
{
    sim_ctx *cx = &r->cx;
    uint32_t ids[SIM_FIRMWARE_LOG_MAX];
    char why[128];
    int n = sim_scenario_household_list(r->sc->trace.firmware_log, ids, SIM_FIRMWARE_LOG_MAX, why,
                                        sizeof why);
    for (int k = 0; k < n; k++)
        if (ids[k] >= r->sc->households) {
            snprintf(err, errlen,
                     "trace.firmware_log: household %u is out of range (the run has %u)", ids[k],
                     r->sc->households);
            r->bad_input = true;
            return -1;
        }
    if (sim_fleet_build(&r->fleet, r->sc, r->topo, err, errlen) ||
        sim_fw_open(&r->fw, r->sc, &r->fleet, r->prices, cx->windows, err, errlen)) {
        r->bad_input = strstr(err, "out of memory") == NULL;
        return -1;
    }
    cx->fleet = &r->fleet;
    cx->fw = &r->fw;
    cx->crypto = &r->fw.crypto;
    for (unsigned t = 0; t < SIM_TARIFFS; t++)
        if (sim_tariff_dynamic(t) && r->fleet.tariff_households[t]) cx->dyn_prices = true;
    return 0;
}

/* Step 2: topology, the fleet, areas (partition.c) and each area's supply events in time order. */
static int build_areas(sim_run *r, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    grid_topology_params tp;
    sim_params_topology(sc, &tp);
    if (grid_topology_create(&tp, &r->topo, err, errlen)) return -1;
    r->cx.topo = r->topo;
    if (build_fleet(r, err, errlen)) return -1;
    uint32_t *lv_area = malloc((size_t)r->topo->n_lv * sizeof *lv_area);
    if (!lv_area) goto oom;
    if (sim_partition_areas(r->topo, sc->topology.area_households, r->cx.wt_on ? &r->cx.wt_cfg : NULL,
                            lv_area, &r->n_areas, err, errlen)) {
        free(lv_area);
        return -1;
    }
    sim_area_span *spans = calloc(r->n_areas, sizeof *spans);
    size_t *first = malloc(((size_t)r->n_areas + 1) * sizeof *first);
    r->areas = calloc(r->n_areas, sizeof *r->areas);
    grid_outage_params op;
    grid_outage_event *all = NULL;
    size_t n_all = 0;
    int rc = spans && first && r->areas ? 0 : SIM_ENOMEM;
    if (!rc && (sim_params_outages(sc, &op, err, errlen) ||
                grid_outage_generate(&op, r->topo, &all, &n_all, err, errlen)))
        rc = SIM_EINPUT;
    if (!rc) {
        sim_partition_spans(r->topo, lv_area, spans);
        if (sim_partition_outages(all, n_all, lv_area, r->n_areas, &r->outages, first)) rc = SIM_ENOMEM;
    }
    /* This rank's areas: consecutive, balanced by work (partition.c). */
    uint32_t *rank_first = rc ? NULL : malloc(((size_t)r->cx.ranks + 1) * sizeof *rank_first);
    if (!rc && !rank_first) rc = SIM_ENOMEM;
    if (!rc && sim_partition_ranks(spans, r->n_areas, (uint32_t)r->cx.ranks, rank_first, err, errlen)) {
        rc = SIM_EINPUT;
        r->bad_input = true;
    }
    if (!rc) {
        r->cx.a_lo = rank_first[r->cx.rank];
        r->cx.a_hi = rank_first[r->cx.rank + 1];
        r->cx.hh_lo = spans[r->cx.a_lo].hh0;
        r->cx.hh_hi = spans[r->cx.a_hi - 1].hh0 + spans[r->cx.a_hi - 1].n;
    }
    free(rank_first);
    for (uint32_t k = 0; !rc && k < r->n_areas; k++) {
        sim_area *a = &r->areas[k];
        *a = (sim_area){.id = k, .region = spans[k].region, .hh0 = spans[k].hh0, .n = spans[k].n,
                        .lv0 = spans[k].lv0, .lv1 = spans[k].lv1,
                        .outage = r->outages + first[k], .n_outage = first[k + 1] - first[k]};
    }
    free(all);
    free(spans);
    free(first);
    free(lv_area);
    if (rc == SIM_ENOMEM) goto oom;
    return rc ? -1 : 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Step 3: SimGrid's platform (this rank's areas, each with its uplink and its way through the
 * backbone to the head-end host: platform.h), the national services, and every area's
 * households. */
static int build_platform(sim_run *r, sg_host_t *hosts, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    sim_ctx *cx = &r->cx;
    uint32_t n = cx->a_hi - cx->a_lo;
    double *up_bps = malloc(n * sizeof *up_bps), *up_lat = malloc(n * sizeof *up_lat);
    if (!up_bps || !up_lat) {
        free(up_bps);
        free(up_lat);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint32_t k = 0; k < r->n_areas; k++) {
        double bps = sc->wan.uplink_bps, lat = sc->wan.uplink_latency_s;
        if (cx->wt_on) net_wt_area_link(&cx->wt_cfg, r->areas[k].region - 1u, &bps, &lat);
        r->areas[k].uplink_bps = bps;
        r->areas[k].uplink_latency_s = lat;
        if (k >= cx->a_lo && k < cx->a_hi) {
            up_bps[k - cx->a_lo] = bps;
            up_lat[k - cx->a_lo] = lat;
        }
    }
    sim_platform_spec ps = {.first = cx->a_lo,
                            .n_areas = n,
                            .uplink_bps = up_bps,
                            .uplink_latency_s = up_lat,
                            .backbone_bps = sc->wan.backbone_bps,
                            .backbone_latency_s = sc->wan.backbone_latency_s};
    int rc = sim_platform_build(&ps, hosts, &cx->he_host, err, errlen);
    free(up_bps);
    free(up_lat);
    if (rc) return -1;
    return 0;
}

static int build_households(sim_run *r, sg_host_t *hosts, char *err, size_t errlen)
{
    sim_ctx *cx = &r->cx;
    uint32_t sent[SIM_TARIFFS];
    for (unsigned t = 0; t < SIM_TARIFFS; t++)
        sent[t] = sim_tariff_dynamic(t) && r->fleet.tariff_households[t] ? r->fw.periods_known[t]
                                                                         : UINT32_MAX;
    if (sim_msgpool_create(&r->pool) || sim_dl_create(&r->fw.crypto, sent, &r->dl)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cx->pool = r->pool;
    cx->dl = r->dl;
    cx->stop = &r->stop;
    /* without it (out of memory) every premises solves its own */
    cx->han_memo = net_han_memo_create(&cx->han_cfg);
    int rc = 0;
    for (uint32_t k = cx->a_lo; k < cx->a_hi && !rc; k++) {
        rc = sim_area_alloc(&r->areas[k], cx, hosts[k - cx->a_lo], err, errlen) ||
             sim_area_init_households(&r->areas[k], err, errlen);
        if (!rc && k == cx->a_lo) cx->period0 = sim_hh_period(&r->areas[k], 0);
    }
    net_han_memo_destroy(cx->han_memo);
    cx->han_memo = NULL;
    if (rc) return -1;
    /* the fleet's changes and campaigns reach this rank's areas */
    sim_area *mine = r->areas + cx->a_lo;
    uint32_t n_mine = cx->a_hi - cx->a_lo;
    if (sim_lifecycle_init(&r->life, cx, &r->fleet, mine, n_mine)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sim_campaigns_open(&r->camp, cx, &r->fleet, &r->fw, mine, n_mine, err, errlen)) {
        r->bad_input = strstr(err, "out of memory") == NULL;
        return -1;
    }
    cx->camp = r->camp;
    if (sim_cmds_open(&r->cmds, cx, r->areas, r->n_areas, err, errlen)) return -1;
    cx->cmds = r->cmds;
    r->life.sink = &r->sink;
    return 0;
}

void sim_region_columns(uint32_t mask, char *out, size_t len)
{
    out[0] = '\0';
    for (unsigned k = 0; k < GRID_REGIONS_MAX; k++) {
        size_t l = strlen(out);
        if (mask >> k & 1u) snprintf(out + l, len - l, "%s%s", l ? "," : "", grid_region_name(k));
    }
}

/* Step 4: the trace file and its static tables. */
static int open_trace(sim_run *r, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    char regions[GRID_REGIONS_MAX * 40];
    sim_region_columns(sc->topology.region_mask, regions, sizeof regions);
    char images[SIM_FW_IMAGES_MAX * 800] = "";
    for (uint32_t k = 0; k < r->fw.n_images; k++) {
        const sim_fw_image *im = &r->fw.img[k];
        size_t l = strlen(images);
        snprintf(images + l, sizeof images - l, "%s %s sha256=%s build_id=%s source=%s\n", im->name,
                 im->abi->version(), im->sha256[0] ? im->sha256 : "-",
                 im->build_id[0] ? im->build_id : "-", im->source[0] ? im->source : "-");
    }
    sim_warnings warns;
    sim_warnings_collect(sc, &warns);
    char warn_text[SIM_WARNINGS_MAX * (SIM_WARNING_LEN + 1) + 40];
    sim_warnings_text(&warns, warn_text, sizeof warn_text);
    sim_trace_info ti = {.version = METERSIM_VERSION,
                         .firmware_build = r->fw.img[0].abi->version(),
                         .firmware_images = images,
                         .scenario_name = sc->name,
                         .scenario_yaml = sc->resolved_yaml ? sc->resolved_yaml : "",
                         .seed = sc->seed,
                         .start_unix = sc->start_unix,
                         .households = sc->households,
                         .chunk_households = sc->trace.chunk_households,
                         .compression = sc->trace.compression,
                         .areas = r->n_areas,
                         .regions = sc->topology.regions,
                         .region_names = regions,
                         .warnings = warn_text,
                         .replace = r->opts.force};
    /* From here on a signal is only recorded: the trace is closed valid, complete = 0 (on
     * every rank: the ranks stop together, at a window boundary they agree on). */
    signals_defer = 1;
    if (r->cx.rank != 0) return 0; /* rank 0 writes the trace */
    if (r->opts.resume) {
        char snap[SIM_TRACE_PATH_MAX + 64];
        snprintf(snap, sizeof snap, "%s/trace.h5", r->opts.resume);
        r->tr = sim_trace_resume(r->opts.out_path, snap, &ti, err, errlen);
    } else {
        r->tr = sim_trace_create(r->opts.out_path, &ti, err, errlen);
    }
    return r->tr ? 0 : -1;
}

/* RC, this rank's outcome of a step every rank takes, agreed: when one rank failed, every
 * rank fails (SIM_EPEER where it did not), so that no rank waits in a collective another
 * one never reaches. */
static int agree(int rc)
{
    bool any = sim_par_any(rc != 0);
    return rc ? rc : any ? SIM_EPEER : 0;
}

static void at_boundary(void *arg, uint32_t w, bool halt);

/* Step 5: the actors: the coordinator on the head-end host, one per area of this rank. */
static void start_actors(sim_run *r, sg_host_t *hosts)
{
    sim_ctx *cx = &r->cx;
    r->coord.first = cx->first_window;
    cx->window_bar = sg_barrier_init(cx->a_hi - cx->a_lo + 1);
    sg_actor_t coord = sg_actor_init("coordinator", cx->he_host);
    sg_actor_set_data(coord, &r->coord);
    sg_actor_start(coord, sim_coord_actor, 0, NULL);
    for (uint32_t k = cx->a_lo; k < cx->a_hi; k++) {
        sg_actor_t a = sg_actor_init("area", hosts[k - cx->a_lo]);
        sg_actor_set_data(a, &r->areas[k]);
        sg_actor_start(a, sim_area_actor, 0, NULL);
    }
}

/* Steps 1 to 4 on this rank.  0, or -1 with a message in ERR. */
static int create_steps(sim_run *r, sg_host_t **hosts, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    if (r->cx.ranks > 1 && sc->n_campaigns > 0) {
        snprintf(err, errlen,
                 "firmware campaigns do not run across MPI ranks yet (their per-meter progress is "
                 "not yet exchanged between ranks); run this scenario in one process");
        r->bad_input = true;
        return -1;
    }
    if (build_models(r, err, errlen)) return -1;

    /* SimGrid: quiet unless asked, and no output of its own on stdout.  CM02: max-min sharing
     * with the latencies and bandwidths as given; the default LV08 model multiplies latency by
     * 13 to mimic TCP on wired LANs, which WAN figures taken from cellular/radio sources
     * already include. */
    int sg_argc = 3;
    char arg0[] = "metersim", arg1[] = "--log=root.thres:critical", arg2[] = "--cfg=network/model:CM02";
    char *sg_argv[] = {arg0, arg1, arg2, NULL};
    /* SimGrid installs a SIGINT handler of its own (it exits without a word, and later would
     * exit without closing the trace): ours goes back in place, and a signal that comes
     * meanwhile waits for it (blocked until then, not taken by SimGrid's) */
    sigset_t stop_sigs, before;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, &before);
    simgrid_init(&sg_argc, sg_argv);
    if (signals_caught) sim_run_catch_signals();
    pthread_sigmask(SIG_SETMASK, &before, NULL);

    if (build_areas(r, err, errlen)) return -1;
    *hosts = calloc(r->n_areas, sizeof **hosts);
    if (!*hosts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = build_platform(r, *hosts, err, errlen);
    if (!rc) rc = sim_sink_init(&r->sink, &r->cx, r->areas, r->n_areas, err, errlen);
    r->cx.sink = &r->sink;
    if (!rc) rc = build_households(r, *hosts, err, errlen);
    if (!rc) rc = open_trace(r, err, errlen);
    return rc;
}

int sim_run_create(const sim_scenario *sc, const sim_run_opts *opts, sim_run **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (sc->start_unix % SIM_PERIOD_S != 0) {
        snprintf(err, errlen, "start must fall on a settlement period boundary (:00 or :30)");
        return -1;
    }
    sim_run *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = r;
    r->wall0 = sim_wall_now();
    r->sc = sc;
    r->opts = *opts;
    r->pending = SIM_VEC_INIT(sim_event);
    r->scratch = SIM_VEC_INIT(sim_event);
    r->cx.sc = sc;
    r->cx.halt_asked = &got_signal;
    r->cx.halted = &r->halted;
    r->cx.end_s = (uint32_t)sc->duration_s;
    r->cx.windows = (uint32_t)(sc->duration_s / SIM_PERIOD_S);
    r->cx.rank = sim_par_rank();
    r->cx.ranks = sim_par_ranks();
    sg_host_t *hosts = NULL;
    int rc = agree(create_steps(r, &hosts, err, errlen));
    if (rc == SIM_EPEER) snprintf(err, errlen, "another MPI rank failed during set-up");
    r->peer_failed = rc == SIM_EPEER;
    /* every rank's household range (collect.c's chunks that straddle two ranks) */
    size_t got = 0;
    if (!rc && sim_par_allgather(&r->cx.hh_lo, sizeof r->cx.hh_lo, (void **)&r->rank_hh,
                                 &r->rank_hh_cap, &got) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (!rc) {
        uint32_t *grown = realloc(r->rank_hh, ((size_t)r->cx.ranks + 1) * sizeof *grown);
        rc = agree(grown ? 0 : SIM_ENOMEM);
        if (grown) r->rank_hh = grown;
        if (rc) snprintf(err, errlen, "out of memory");
        else r->rank_hh[r->cx.ranks] = sc->households;
    }
    r->ckpt_every_s = opts->checkpoint_every_s;
    r->ckpt_due_s = opts->checkpoint_every_s;
    r->ckpt_at = -1;
    /* the coordinator (before a checkpoint's state is loaded into it) */
    if (!rc) {
        sim_coord_init(&r->coord, &r->cx, r->areas + r->cx.a_lo, r->cx.a_hi - r->cx.a_lo);
        r->coord.life = &r->life;
        r->coord.sink = &r->sink;
        r->coord.boundary = at_boundary;
        r->coord.boundary_arg = r;
        r->coord.boundary_full = r->ckpt_every_s > 0;
    }
    if (!rc && opts->resume) {
        /* everything the run changed, over what set-up made; the trace already holds
         * /households and the fleet's first day */
        rc = agree(sim_checkpoint_load(r, err, errlen) != 0 ? -1 : 0);
        if (rc) {
            if (rc == SIM_EPEER) snprintf(err, errlen, "another MPI rank could not load its checkpoint");
            r->peer_failed = rc == SIM_EPEER;
            r->bad_input = true;
            rc = -1;
        } else {
            if (opts->checkpoint_every_s) { /* the resumed run's own choice */
                r->ckpt_every_s = opts->checkpoint_every_s;
                r->ckpt_due_s = r->w * SIM_PERIOD_S + opts->checkpoint_every_s;
            }
            r->w0 = r->w;
            r->cx.first_window = r->w;
            start_actors(r, hosts);
        }
        free(hosts);
        return rc;
    }
    /* /households: the fleet at the start, from every rank's areas */
    if (!rc) {
        rc = sim_collect_households(r);
        if (!rc && r->tr && sim_trace_flush(r->tr, sc->start_unix)) rc = SIM_ETRACE;
        if (rc) snprintf(err, errlen, "%s.partial: writing /households failed: %s", r->opts.out_path,
                         rc == SIM_ETRACE ? sim_trace_why() : sim_strerror(rc));
        if ((rc = agree(rc)) == SIM_EPEER) {
            snprintf(err, errlen, "another MPI rank failed during set-up");
            r->peer_failed = true;
        }
    }
    /* The fleet's first day begins with the run, once /households holds the start. */
    if (!rc) sim_lifecycle_day(&r->life, 0);
    /* the first window's commands, on every rank */
    if (!rc && (rc = sim_cmds_window(r->cmds, 0)) != 0)
        snprintf(err, errlen, "the command runs' first window: %s", sim_strerror(rc));
    if (!rc && r->life.err) {
        snprintf(err, errlen, "the fleet's first day: %s", sim_strerror(r->life.err));
        rc = -1;
    }
    if (!rc) start_actors(r, hosts);
    free(hosts);
    return rc ? -1 : 0;
}

/* The first failure of an area, the coordinator or the head-end, named. */
static int component_failure(sim_run *r)
{
    for (uint32_t k = 0; k < r->n_areas; k++) {
        if (r->areas[k].err) {
            snprintf(r->fail_where, sizeof r->fail_where, "area %u", k);
            return r->areas[k].err;
        }
        if (sim_fw_states_failed(&r->areas[k])) {
            snprintf(r->fail_where, sizeof r->fail_where, "area %u (meters' states)", k);
            return SIM_ENOMEM;
        }
    }
    if (r->coord.err) {
        snprintf(r->fail_where, sizeof r->fail_where, "coordinator (prices)");
        return r->coord.err;
    }
    if (r->sink.err) {
        snprintf(r->fail_where, sizeof r->fail_where, "head-end");
        return r->sink.err;
    }
    return 0;
}

/* RC agreed by every rank (agree()), with where: this rank's WHERE, or the other rank's. */
static int agree_where(sim_run *r, int rc, const char *where)
{
    int all = agree(rc);
    if (all && !r->fail_where[0]) snprintf(r->fail_where, sizeof r->fail_where, "%s", where);
    return all;
}

/* The last collecting's outcome, agreed: the trace holds what it flushed, or every rank fails
 * with where.  0, or the failure (r->fail). */
static int agree_collect(sim_run *r)
{
    int rc = r->collect_rc;
    if (rc && !r->fail_where[0]) snprintf(r->fail_where, sizeof r->fail_where, "%s", r->collect_where);
    r->collect_rc = 0;
    if ((rc = agree_where(r, rc, r->collect_where)) != 0) return r->fail = rc;
    r->flushed = r->flushed_next;
    return 0;
}

/* Reading the meters may have coded a state back, or settled the save a store's pool held
 * (the view went to another meter): each needs a block, which may not have been had. */
static bool states_failed(const sim_run *r)
{
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++)
        if (sim_fw_states_failed(&r->areas[k])) return true;
    return false;
}

/* Window r->w, simulated: the head-ends to its end, failures agreed, and what it finished
 * streamed to the trace.  1 while windows remain, 0 after the last, or the failure. */
static int close_window(sim_run *r)
{
    uint32_t w = r->w;
    double w_end = (double)(w + 1) * SIM_PERIOD_S;
    char where[64];
    snprintf(where, sizeof where, "window %u", w);
    int rc = sim_sink_advance(&r->sink, w_end) != 0 ? SIM_ENOMEM : 0;
    if (rc) snprintf(r->fail_where, sizeof r->fail_where, "head-end (window %u)", w);
    if (!rc) rc = component_failure(r);
    /* The window before's collecting is agreed only now, with this window simulated: under MPI
     * rank 0 writes a window while the others go on with the next (partition.c gives it less
     * to simulate), instead of every rank waiting for its writes. */
    int crc = agree_collect(r);
    if (crc) return crc;
    if ((rc = agree_where(r, rc, where)) != 0) return r->fail = rc;
    /* every rank takes each step (they gather to rank 0), whatever the one before gave */
    double c0 = sim_wall_now();
    rc = sim_collect_window(r, w);
    int rc2 = sim_collect_events(r, w_end);
    int rc3 = sim_collect_grid(r, w + 1, false);
    rc = rc ? rc : rc2 ? rc2 : rc3;
    if (!rc && states_failed(r)) rc = SIM_ENOMEM;
    r->w = w + 1;
    if (r->w - r->flushed == SIM_DAY_S / SIM_PERIOD_S || r->w == r->cx.windows) {
        /* every rank, whatever its steps above gave: it gathers to rank 0 */
        int hrc = sim_collect_halfhourly(r, r->flushed, r->w - r->flushed);
        if (!rc) rc = hrc;
        if (!rc && states_failed(r)) rc = SIM_ENOMEM;
        /* Every dataset now ends at window W's end: on disk, so a run that fails later (a full
         * disk) leaves a readable trace up to here.  Daily, with the half-hourly data: the
         * flushes' cost was within the noise of farm-bench (2,000 households x 10 days, CPU
         * ratio daily/none 1.055 and 0.965, medians of 6; weekly/none 0.957). */
        if (!rc && r->tr &&
            sim_trace_flush(r->tr, r->sc->start_unix + (int64_t)r->w * SIM_PERIOD_S) != 0)
            rc = SIM_ETRACE;
        if (!rc) r->flushed_next = r->w;
        if (rc) snprintf(where, sizeof where, "half-hourly data up to window %u", w);
    }
    r->collect_s += sim_wall_now() - c0;
    r->collect_rc = rc;
    snprintf(r->collect_where, sizeof r->collect_where, "%s", where);
    if (r->w == r->cx.windows && (rc = agree_collect(r)) != 0) return rc;
    return r->w < r->cx.windows ? 1 : 0;
}

/* The coordinator's hook at window W's end, with every area waiting at the barrier: the
 * window is streamed to the trace here, where no area has begun the next.  (Areas run their
 * load events without waiting for SimGrid's clock, so by the time SimGrid returns from a
 * window an area that sends nothing early in the next one has closed that one too: a day's
 * gas, or a period a meter logs only when its supply returns, was then read as of a later
 * moment than the day's end.)  Then a checkpoint, when one is due. */
static void at_boundary(void *arg, uint32_t w, bool halt)
{
    sim_run *r = arg;
    if (r->w != w) SIM_PANIC((double)(w + 1) * SIM_PERIOD_S, "window %u closed, %u streamed", w, r->w);
    r->window_rc = close_window(r);
    r->closed = w + 1;
    sim_checkpoint_boundary(r, w, halt);
}

int sim_run_window(sim_run *r)
{
    uint32_t w = r->w;
    simgrid_run_until((double)(w + 1) * SIM_PERIOD_S);
    if (r->closed != w + 1) SIM_PANIC((double)(w + 1) * SIM_PERIOD_S, "window %u was not closed", w);
    return r->window_rc;
}

int64_t sim_run_reached_s(const sim_run *r)
{
    return (int64_t)r->w * SIM_PERIOD_S;
}

/* SUM from every rank's areas (rank 0's is the one printed) and the national head-ends. */
static void summarise(const sim_run *r, uint32_t reached, sim_run_summary *sum)
{
    const sim_scenario *sc = r->sc;
    int64_t x[8] = {0}, peak = 0;
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++) {
        const sim_area *a = &r->areas[k];
        /* the NVM stores' blocks as they stand, and their pool's; the firmware states' */
        x[4] += (int64_t)(a->nvm_pool.held + mm_port_sim_nvm_pool_bytes(a->nvm_pool.bank_max));
        uint64_t st, ring, hal;
        sim_fw_states_bytes(a, &st, &ring, &hal);
        x[5] += (int64_t)st;
        x[6] += (int64_t)ring;
        x[7] += (int64_t)(hal + sim_fw_states_ptab_bytes(a));
        x[0] += (int64_t)a->events;
        x[1] += (int64_t)a->sent;
        x[2] += (int64_t)a->interruptions;
        x[3] += (int64_t)a->alerts;
        if ((int64_t)a->peak_backlog > peak) peak = (int64_t)a->peak_backlog;
    }
    uint64_t mine_events = (uint64_t)x[0];
    sim_par_sum_i64(x, 8);
    sim_par_max_i64(&peak, 1);
    sum->events = (uint64_t)x[0];
    sum->wan_sent = (uint64_t)x[1];
    sum->interruptions = (uint64_t)x[2];
    sum->alerts_sent = (uint64_t)x[3];
    sum->peak_cell_backlog = (uint64_t)peak;
    sum->alerts_delivered = r->sink.alerts_delivered;
    sum->wan_delivered = r->sink.delivered;
    sum->backbone_peak_bytes = r->sink.bb_peak;
    sum->backbone_bps = sc->wan.backbone_bps;
    sum->households = sc->households;
    sum->span_s = (int64_t)reached * SIM_PERIOD_S;
    _Static_assert(SIM_PARTS == sizeof sum->part_bytes / sizeof sum->part_bytes[0],
                   "one figure per part");
    sim_area_bytes_by_part(&r->cx, sum->part_bytes);
    sum->part_bytes[SIM_PART_NVM] = sc->households ? (double)x[4] / sc->households : 0;
    sum->part_bytes[SIM_PART_FW_STATE] += sc->households ? (double)x[5] / sc->households : 0;
    sum->part_bytes[SIM_PART_EVLOG] += sc->households ? (double)x[6] / sc->households : 0;
    /* the meters' HAL records, coded with their states, and their shared price tables */
    sum->part_bytes[SIM_PART_ENGINE] += sc->households ? (double)x[7] / sc->households : 0;
    double parts = 0;
    for (int k = 0; k < SIM_PARTS; k++) parts += sum->part_bytes[k];
    sum->area_bytes_per_household = (uint64_t)(parts + 0.5);
    for (uint32_t k = 0; k < r->fleet.n_pops; k++)
        sum->generation[r->fleet.pops[k].p->generation] += r->fleet.pops[k].households;
    sum->populations = r->fleet.n_pops;
    sum->suppliers = r->fleet.n_suppliers;
    sum->images = r->fw.n_images;
    /* each rank's share: households, events, time simulating and waiting, memory */
    int ranks = r->cx.ranks;
    double wait = sim_par_wait_s(), busy = sim_wall_now() - r->wall0 - wait;
    double bar = sim_par_barrier_s();
    uint64_t mine[6] = {r->cx.hh_hi - r->cx.hh_lo, mine_events, 0, 0, peak_rss(), 0};
    memcpy(&mine[2], &busy, sizeof busy);
    memcpy(&mine[3], &wait, sizeof wait);
    memcpy(&mine[5], &bar, sizeof bar);
    uint64_t *all = r->cx.rank == 0 ? calloc((size_t)ranks * 6, sizeof *all) : NULL;
    if (r->cx.rank == 0 && !all) sim_par_abort(1); /* the others wait in the gather */
    sim_par_gather_rows(mine, 1, sizeof mine, all);
    sum->n_cmdruns = sim_cmds_count(r->cmds);
    for (uint32_t k = 0; k < sum->n_cmdruns; k++) sim_cmds_row(r->cmds, k, &sum->cmdrun[k]);
    sum->ranks = ranks;
    sum->windows = reached;
    sum->checkpoints = r->ckpt_written;
    sum->checkpoints_passed = r->ckpt_passed;
    sum->checkpoints_failed = r->ckpt_failed;
    sum->checkpoint_s = r->ckpt_s;
    sum->checkpoint_at_s = r->ckpt_at;
    sum->resumed_from_s = r->opts.resume ? (int64_t)r->w0 * SIM_PERIOD_S : -1;
    sum->busy_min_s = sum->exchange_min_s = INFINITY;
    for (int k = 0; all && k < ranks; k++) {
        const uint64_t *v = &all[k * 6];
        double b, w, bw;
        memcpy(&b, &v[2], sizeof b);
        memcpy(&w, &v[3], sizeof w);
        memcpy(&bw, &v[5], sizeof bw);
        if (k < SIM_SUMMARY_RANKS)
            sum->rank[k] = (sim_rank_share){.households = v[0],
                                            .events = v[1],
                                            .busy_s = b,
                                            .wait_s = w,
                                            .barrier_s = bw,
                                            .rss_bytes = v[4]};
        if (w - bw < sum->exchange_min_s) sum->exchange_min_s = w - bw;
        if (v[4] > sum->rss_max_bytes) sum->rss_max_bytes = v[4];
        if (b > sum->busy_max_s) sum->busy_max_s = b;
        if (b < sum->busy_min_s) sum->busy_min_s = b;
        if (w > sum->wait_max_s) sum->wait_max_s = w;
    }
    free(all);
}

int sim_run_finish(sim_run *r, int interrupted_by, sim_run_summary *sum, char *err, size_t errlen)
{
    const sim_scenario *sc = r->sc;
    memset(sum, 0, sizeof *sum);
    /* the last window's collecting, if the run ended before it was agreed (a signal) */
    if (!r->fail) agree_collect(r);
    uint32_t reached = r->fail ? r->flushed : r->w;
    r->stop = 1;
    simgrid_run();
    bool complete = !r->fail && !interrupted_by && reached == r->cx.windows;
    /* every rank takes every step (they gather to rank 0), each outcome agreed */
    double c0 = sim_wall_now();
    if (!r->fail && r->flushed < reached)
        r->fail = agree_where(r, sim_collect_halfhourly(r, r->flushed, reached - r->flushed),
                              "half-hourly data");
    if (!r->fail) r->fail = agree_where(r, sim_collect_grid(r, reached, true), "grid series");
    if (!r->fail)
        r->fail = agree_where(r, sim_collect_final(r, reached), "end-of-run datasets");
    r->collect_s += sim_wall_now() - c0;
    sum->collect_s = r->collect_s;
    summarise(r, reached, sum);
    char ferr[512] = "";
    int frc = r->tr ? sim_trace_finish(r->tr, complete && !r->fail, sc->start_unix + sum->span_s,
                                       ferr, sizeof ferr)
                    : 0;
    r->tr = NULL;
    int64_t ff[2] = {frc != 0, sim_trace_failed()};
    sim_par_sum_i64(ff, 2); /* rank 0's outcome, for every rank's exit status */
    bool rank0_trace = ff[0] && !frc;
    if (rank0_trace) {
        frc = 1;
        snprintf(ferr, sizeof ferr, "rank 0 could not close the trace");
    }
    sum->trace_path = r->cx.rank == 0 ? sim_trace_final_path() : r->opts.out_path;
    sum->complete = complete && !r->fail && frc == 0;
    sum->shared_failure = interrupted_by || r->fail == SIM_EPEER || rank0_trace;
    sum->wall_s = sim_wall_now() - r->wall0;
    /* what this process simulated: a resumed run's from its checkpoint */
    int64_t span = sum->span_s - (sum->resumed_from_s > 0 ? sum->resumed_from_s : 0);
    sum->household_days_per_s =
        sum->wall_s > 0 && span > 0 ? (double)sc->households * ((double)span / SIM_DAY_S) / sum->wall_s
                                    : 0;
    sum->peak_rss_bytes = peak_rss();
    /* After a failed write the file holds what the last flush saved. */
    if (ff[1]) sum->span_s = (int64_t)r->flushed * SIM_PERIOD_S;
    char kept[32];
    sim_time_iso(sc->start_unix + sum->span_s, kept, sizeof kept);
    if (r->fail == SIM_ETRACE)
        snprintf(err, errlen, "writing the trace %s failed: %s (%s); it holds the run up to %s, "
                 "complete = 0", sum->trace_path, sim_trace_why(), r->fail_where, kept);
    else if (r->fail)
        snprintf(err, errlen, "%s: %s; the trace %s stops at the last complete day", r->fail_where,
                 sim_strerror(r->fail), sum->trace_path);
    else if (frc)
        snprintf(err, errlen, "%s; %s holds the run up to %s, complete = 0", ferr, sum->trace_path,
                 kept);
    else if (interrupted_by)
        snprintf(err, errlen, "interrupted by %s; simulated up to %s; %s is valid with complete = 0",
                 signal_name(interrupted_by), kept, sum->trace_path);
    if (sum->complete) {
        if (r->cx.rank == 0 && (r->ckpt_every_s || r->opts.resume)) sim_checkpoint_remove(r);
    } else if (r->ckpt_at >= 0 || r->opts.resume) {
        char at[32];
        int64_t from = r->ckpt_at >= 0 ? r->ckpt_at : sum->resumed_from_s;
        sim_time_iso(sc->start_unix + from, at, sizeof at);
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, "%s%s.ckpt holds the run at %s: go on with `metersim run "
                 "--resume %s.partial`", l ? "; " : "", r->opts.out_path, at, r->opts.out_path);
    }
    return sum->complete ? 0 : 1;
}

void sim_run_destroy(sim_run *r)
{
    if (!r) return;
    if (r->tr) sim_trace_finish(r->tr, 0, r->sc->start_unix, NULL, 0);
    for (uint32_t k = 0; r->areas && k < r->n_areas; k++) sim_area_free(&r->areas[k]);
    free(r->areas);
    sim_fw_close(&r->fw);
    sim_lifecycle_free(&r->life);
    sim_campaigns_close(r->camp);
    sim_cmds_close(r->cmds);
    sim_fleet_free(&r->fleet);
    if (r->cx.ops && r->model) r->cx.ops->destroy(r->model);
    grid_topology_destroy(r->topo);
    free(r->outages);
    sim_sink_free(&r->sink);
    grid_price_destroy(r->prices);
    if (r->cx.window_bar) sg_barrier_destroy(r->cx.window_bar);
    sim_dl_destroy(r->dl);
    sim_msgpool_destroy(r->pool);
    sim_vec_free(&r->pending);
    sim_vec_free(&r->scratch);
    free(r->rank_hh);
    free(r);
}

/* Premises whose HAN carries more than the analytic CSMA/CA model's stated range
 * (net_han_csma_valid_load; their records have NET_HAN_BEYOND_*): one line on stderr for the
 * whole run, written by rank 0, with their count and the first of them per band. */
static void warn_han_load(const sim_run *r)
{
    const sim_ctx *cx = &r->cx;
    const unsigned bit[NET_HAN_NBAND] = {NET_HAN_BEYOND_2G4, NET_HAN_BEYOND_868};
    /* per band, and [NET_HAN_NBAND]: premises with either */
    int64_t count[NET_HAN_NBAND + 1] = {0}, first[NET_HAN_NBAND] = {INT64_MIN, INT64_MIN}; /* -id */
    for (uint32_t k = cx->a_lo; k < cx->a_hi; k++) {
        const sim_area *a = &r->areas[k];
        for (uint32_t i = 0; i < a->n; i++) {
            for (int b = 0; b < NET_HAN_NBAND; b++)
                if ((a->han[i].flags & bit[b]) && count[b]++ == 0)
                    first[b] = -(int64_t)(a->hh0 + i);
            count[NET_HAN_NBAND] += (a->han[i].flags & (bit[0] | bit[1])) != 0;
        }
    }
    sim_par_sum_i64(count, NET_HAN_NBAND + 1);
    sim_par_max_i64(first, NET_HAN_NBAND); /* the lowest id of any rank */
    if (cx->rank != 0 || count[NET_HAN_NBAND] == 0) return;
    char where[160] = "";
    const char *name[NET_HAN_NBAND] = {"2.4 GHz", "868 MHz"};
    for (int b = 0; b < NET_HAN_NBAND; b++) {
        size_t l = strlen(where);
        if (count[b])
            snprintf(where + l, sizeof where - l, "%s%s: %lld, first premises %lld", l ? "; " : "",
                     name[b], (long long)count[b], (long long)-first[b]);
    }
    fprintf(stderr,
            "metersim: warning: %lld premises' HAN load is beyond the analytic CSMA/CA model's "
            "range (offered load over %.2f on 2.4 GHz, %.2f on 868 MHz; %s): their access "
            "failures and retries are too low (models/network/han_csma.c, \"Validity\"); the "
            "frame-level mode (net_han_detail_run) is the reference there\n",
            (long long)count[NET_HAN_NBAND], net_han_csma_valid_load(NET_HAN_2G4),
            net_han_csma_valid_load(NET_HAN_868), where);
}

int sim_engine_run(const sim_scenario *sc, const sim_run_opts *opts, sim_run_summary *sum,
                   char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    sim_run *r;
    if (sim_run_create(sc, opts, &r, err, errlen)) {
        int rc = r && r->bad_input ? 2 : 1;
        sum->shared_failure = r && r->peer_failed;
        sim_run_destroy(r);
        return rc;
    }
    warn_han_load(r);
    sim_progress prog;
    sim_progress_start(&prog, opts->quiet || r->cx.rank != 0 ? SIM_PROGRESS_OFF : opts->progress,
                       sc->households, sc->duration_s);
    /* A signal during set-up, once the trace existed, ends the run before its first window
     * (on every rank, when any rank had one). */
    int64_t sig = got_signal;
    sim_par_max_i64(&sig, 1);
    int more = sig ? 0 : 1;
    while (more == 1 && !r->halted) {
        more = sim_run_window(r);
        if (more >= 0) sim_progress_update(&prog, sim_run_reached_s(r));
    }
    sim_progress_end(&prog);
    /* A signal after the last window changes nothing: the run is complete.  The coordinators
     * agreed on the one that stopped the run at a boundary. */
    int by = r->w < r->cx.windows ? (r->halted ? r->coord.halt_sig : (int)sig) : 0;
    int rc = sim_run_finish(r, by, sum, err, errlen);
    sim_run_destroy(r);
    return rc;
}

void sim_summary_print(const sim_run_summary *s, FILE *out)
{
    char span[64];
    sim_span_format(s->span_s, span, sizeof span);
    fprintf(out, "metersim summary\n");
    fprintf(out, "  households        %llu\n", (unsigned long long)s->households);
    fprintf(out, "  fleet             %llu SMETS2, %llu SMETS1, %llu traditional (%u populations, %u "
                 "suppliers, %u firmware images)\n",
            (unsigned long long)s->generation[0], (unsigned long long)s->generation[1],
            (unsigned long long)s->generation[2], s->populations, s->suppliers, s->images);
    fprintf(out, "  simulated span    %s%s\n", span, s->complete ? "" : " (incomplete)");
    fprintf(out, "  load events       %llu\n", (unsigned long long)s->events);
    fprintf(out, "  WAN messages      %llu sent, %llu delivered\n", (unsigned long long)s->wan_sent,
            (unsigned long long)s->wan_delivered);
    fprintf(out, "  interruptions     %llu premises-outages\n", (unsigned long long)s->interruptions);
    fprintf(out, "  alerts            %llu sent, %llu delivered (AD1 and restore)\n",
            (unsigned long long)s->alerts_sent, (unsigned long long)s->alerts_delivered);
    fprintf(out, "  cell queue peak   %llu messages\n", (unsigned long long)s->peak_cell_backlog);
    for (uint32_t k = 0; k < s->n_cmdruns; k++) {
        const sim_cmdrun_row *c = &s->cmdrun[k];
        fprintf(out, "  %-17s %s (%s %s) to %u meters: %u quarantined, %u accepted, %u refused, "
                     "%u lost; %u disconnections (step %.2f MW), %u premises still off\n",
                k ? "" : "command runs", c->name, c->sender, c->command, c->targeted, c->quarantined,
                c->accepted, c->refused_auth + c->refused_replay + c->refused_other, c->lost,
                c->disconnected, c->demand_step_w / 1e6, c->still_off);
    }
    fprintf(out, "  wall time         %.2f s (%.2f s of it collecting and writing the trace)\n",
            s->wall_s, s->collect_s);
    fprintf(out, "  household-days/s  %.0f\n", s->household_days_per_s);
    fprintf(out, "  peak RSS          %.1f MiB (%.0f B per household)\n",
            (double)s->peak_rss_bytes / 1048576.0,
            s->households ? (double)s->peak_rss_bytes / (double)s->households : 0.0);
    fprintf(out, "  household state   %llu B per household (area columns)\n",
            (unsigned long long)s->area_bytes_per_household);
    const double *pb = s->part_bytes;
    fprintf(out, "  state by part     firmware %.0f, NVM %.0f, event log %.0f, profile log %.0f, "
                 "load model %.0f, network %.0f, engine %.0f [B]\n",
            pb[SIM_PART_FW_STATE], pb[SIM_PART_NVM], pb[SIM_PART_EVLOG], pb[SIM_PART_PROFILE],
            pb[SIM_PART_LOAD], pb[SIM_PART_NET], pb[SIM_PART_ENGINE]);
    if (s->backbone_bps > 0)
        fprintf(out, "  backbone peak     %.2f %% of its capacity (busiest second)\n",
                100.0 * (double)s->backbone_peak_bytes * 8.0 / s->backbone_bps);
    if (s->ranks > 1) {
        fprintf(out, "  MPI ranks         %d: simulating %.2f-%.2f s, in collectives up to %.2f s; "
                     "exchange %.2f ms a window; peak RSS up to %.1f MiB\n",
                s->ranks, s->busy_min_s, s->busy_max_s, s->wait_max_s,
                s->windows ? 1000.0 * s->exchange_min_s / s->windows : 0.0,
                (double)s->rss_max_bytes / 1048576.0);
        for (int k = 0; k < s->ranks && k < SIM_SUMMARY_RANKS; k++)
            fprintf(out, "    rank %-3d        %llu households, %llu events, simulating %.2f s, "
                         "at window barriers %.2f s, exchanging %.2f s, %.1f MiB\n",
                    k, (unsigned long long)s->rank[k].households,
                    (unsigned long long)s->rank[k].events, s->rank[k].busy_s,
                    s->rank[k].barrier_s, s->rank[k].wait_s - s->rank[k].barrier_s,
                    (double)s->rank[k].rss_bytes / 1048576.0);
    }
    if (s->resumed_from_s >= 0) {
        char from[64];
        sim_span_format(s->resumed_from_s, from, sizeof from);
        fprintf(out, "  resumed           from the checkpoint at %s (rate above: this process's part)\n",
                from);
    }
    if (s->checkpoints || s->checkpoints_passed || s->checkpoints_failed)
        fprintf(out, "  checkpoints       %u written (%.2f s), %u boundaries passed over with transfers "
                     "under way, %u failed\n",
                s->checkpoints, s->checkpoint_s, s->checkpoints_passed, s->checkpoints_failed);
    fprintf(out, "  trace             %s\n", s->trace_path ? s->trace_path : "-");
}

/* Head-end processing: the DCC / supplier head-end as an exact event-driven queue, its
 * storm throttling, and what the network operator (DNO) learns from restore alerts.
 *
 * The engine's head-end actor hands every request it receives to net_he_submit with its
 * simulated arrival time (non-decreasing); the model decides at once whether it is
 * accepted, quarantined by a rate threshold, discarded by the exclusion list or dropped
 * because the waiting room is full, and works out start and completion times itself
 * (Lindley's recursion generalised to c servers with a min-heap of server free times in
 * FIFO mode; a small event loop over a completion heap in priority mode).  So the engine
 * needs no SimGrid activity per request: SimGrid carries the WAN transfer, this module the
 * processing behind it.  Completions are handed back through a callback, in time order,
 * once the engine has advanced the model past them.
 *
 * Request classes and their response-time targets: the DCC measures round trips against
 * three target classes, 25 s, 2 h and 22 h (DCC Code Performance Measures, March 2018: Round Trip Time 2 tests at 22 h, Round Trip
 * Time 3 at 2 h).  The mapping of classes onto them is ours: everything a person or the
 * network operator waits for (alerts, top-ups, supply switching, on-demand reads, mode
 * changes) is 25 s; tariff and price updates, fixed the day before (Agile prices are fixed
 * about 16:00), 2 h; scheduled profile reads, needed by the next day's settlement, 22 h.
 *
 * Priority (when switched on; FIFO is the default so the queue matches the textbook
 * results): 0 supply switching and top-ups, 1 alerts, 2 on-demand reads and mode changes,
 * 3 tariff updates, 4 scheduled reads; non-preemptive.  Alerts are not first on purpose:
 * in a storm they are the flood, and a prepayment customer whose top-up or re-enable
 * waits behind 100k restore alerts is off supply; the handful of such commands costs an
 * alert at most the service time of the commands ahead of it.
 *
 * Throttling (DCC Threshold Anomaly Detection quarantines traffic above per-user and
 * system thresholds, SEC): token buckets per class and one for the whole head-end;
 * traffic over the threshold is quarantined, i.e. dropped from processing and counted,
 * never deferred, because quarantined traffic is held for a user to release, not
 * delivered late.  The exclusion list discards alerts (AD1 and restore) from listed areas
 * or premises; other requests from them are still served.
 *
 * Not here: the WAN transfer and its latency (SimGrid, wan.c), per-user (per supplier)
 * thresholds, quarantine release, preemption, server failures, retries (the meter's side:
 * net/retry.h).  Floating point is fine here: this is the simulator, not firmware.
 */
#ifndef NET_HEADEND_H
#define NET_HEADEND_H

#include "sim/ckpt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status codes; -55x so they do not collide with other tables of the net_ layer. */
#define NET_HE_ERRNO_MAP(X)                                                                        \
    X(NET_EHE_CONFIG, -551, "invalid head-end configuration")                                      \
    X(NET_EHE_ORDER, -552, "arrival earlier than the model's clock")                               \
    X(NET_EHE_CLASS, -553, "unknown request class")                                                \
    X(NET_EHE_NOMEM, -554, "out of memory")                                                        \
    X(NET_EHE_ARG, -555, "invalid argument")                                                       \
    X(NET_ERETRY_EXHAUSTED, -556, "no attempts left")

enum {
#define NET_HE_ENUM_(name, code, msg) name = code,
    NET_HE_ERRNO_MAP(NET_HE_ENUM_)
#undef NET_HE_ENUM_
};

const char *net_he_strerror(int code);

/* X(NAME, scenario key, target [s], default priority, description) */
#define NET_HE_CLASS_MAP(X)                                                                        \
    X(ALERT_OUTAGE, "alert_outage", 25.0, 1, "AD1 power outage alert from a comms hub")            \
    X(ALERT_RESTORE, "alert_restore", 25.0, 1,                                                     \
      "supply restored alert 0x8F35/0x8F36, forwarded to the DNO")                                 \
    X(SUPPLY_SWITCH, "supply_switch", 25.0, 0, "supply disable or enable command")                 \
    X(TOPUP, "topup", 25.0, 0, "prepayment top-up")                                                \
    X(ONDEMAND_READ, "ondemand_read", 25.0, 2, "on-demand read")                                   \
    X(MODE_CHANGE, "mode_change", 25.0, 2, "credit / prepayment mode change")                      \
    X(TARIFF_UPDATE, "tariff_update", 7200.0, 3, "tariff or price update")                         \
    X(PROFILE_READ, "profile_read", 79200.0, 4, "scheduled daily profile read")                    \
    X(COMMISSIONING, "commissioning", 7200.0, 3,                                                   \
      "commissioning service requests of a meter just installed (target unconfirmed)")             \
    X(MIGRATION, "migration", 7200.0, 3,                                                           \
      "enrolment and adoption of a SMETS1 meter into the DCC (target unconfirmed)")                \
    X(FIRMWARE, "firmware", 86400.0, 4,                                                            \
      "firmware image distribution and activation (target unconfirmed)")                           \
    X(ALERT_OTHER, "alert_other", 25.0, 1,                                                         \
      "any other alert a meter sends at once: security (0x8F3D, 0x8F60), credit, load limit")

typedef enum net_he_class {
#define NET_HE_CLASS_ENUM_(name, key, target, prio, desc) NET_HE_##name,
    NET_HE_CLASS_MAP(NET_HE_CLASS_ENUM_)
#undef NET_HE_CLASS_ENUM_
        NET_HE_NCLASS
} net_he_class;

const char *net_he_class_key(unsigned cls); /* "alert_restore"; "?" if out of range */
/* Class whose key is KEY, or -1. */
int net_he_class_by_key(const char *key);

typedef enum net_he_dist {
    NET_HE_DETERMINISTIC, /* every request takes service_s */
    NET_HE_EXPONENTIAL,   /* mean service_s */
    NET_HE_LOGNORMAL      /* mean service_s, coefficient of variation service_cv */
} net_he_dist;

typedef struct net_he_class_cfg {
    net_he_dist dist;
    double service_s;  /* mean processing time [s] */
    double service_cv; /* coefficient of variation, lognormal only [-] */
    double per_kib_s;  /* added processing per KiB of payload [s/KiB] */
    double target_s;   /* response-time target, from origin to completion [s] */
    unsigned priority; /* 0 is served first; priority mode only; < NET_HE_NPRIO */
    double rate_per_s; /* throttle: sustained rate [requests/s]; 0 = no threshold */
    double burst;      /* throttle: bucket depth [requests]; at least 1 when rate > 0 */
} net_he_class_cfg;

#define NET_HE_NPRIO 8

typedef struct net_he_config {
    uint64_t seed;              /* scenario seed */
    uint64_t entity;            /* head-end id: stream (seed, entity, "headend.service") */
    uint32_t servers;           /* parallel processors c [-] */
    uint32_t queue_cap;         /* waiting room, excluding those in service [requests] */
    bool priority;              /* false: one FIFO queue; true: non-preemptive by class */
    bool throttle;              /* rate thresholds on */
    double sys_rate_per_s;      /* throttle, whole head-end [requests/s]; 0 = none */
    double sys_burst;           /* [requests] */
    bool exclusion;             /* exclusion list on */
    const uint32_t *excl_areas; /* areas whose alerts are discarded; copied by create */
    size_t n_excl_areas;
    const uint32_t *excl_premises; /* premises (household ids) likewise */
    size_t n_excl_premises;
    double dno_delay_s;   /* head-end to DNO forwarding of restore alerts [s] */
    double series_step_s; /* time-series bin width [s] */
    uint32_t series_bins; /* bins from time 0; events later are counted as late.  Only the
                             bins not yet released (net_he_series_release) are held. */
    net_he_class_cfg cls[NET_HE_NCLASS];
} net_he_config;

/* Defaults listed in the module's scenario keys: 16 servers, 20,000 waiting, FIFO,
 * throttling and exclusion off, alerts 50 ms deterministic, commands 100 ms, reads
 * 200 ms exponential (all *unconfirmed*: no published DCC processing figures), 1 s bins. */
void net_he_config_default(net_he_config *c);

typedef struct net_he_req {
    uint64_t id;       /* caller's tag, handed back on completion */
    double arrival_s;  /* at the head-end [s since start] */
    double origin_s;   /* when the meter or user sent it [s]; targets count from here */
    uint32_t premises; /* household id */
    uint32_t area;
    uint32_t bytes; /* payload [B] */
    unsigned cls;   /* net_he_class */
} net_he_req;

typedef enum net_he_outcome {
    NET_HE_ACCEPTED,    /* queued or in service; will complete */
    NET_HE_DROPPED,     /* waiting room full */
    NET_HE_QUARANTINED, /* over a rate threshold */
    NET_HE_EXCLUDED     /* alert from an excluded area or premises */
} net_he_outcome;

typedef struct net_he_done {
    uint64_t id;
    uint32_t premises, area;
    unsigned cls;
    double origin_s, arrival_s, start_s, done_s; /* [s since start] */
    double dno_s; /* when the DNO learns of it (restore alerts), else NAN [s] */
} net_he_done;

typedef void (*net_he_done_fn)(void *ctx, const net_he_done *d);

typedef struct net_headend net_headend;

/* DONE (may be NULL) is called for every completion, in order of completion time (ties
 * in order of acceptance), from inside net_he_submit / net_he_advance / net_he_finish. */
int net_he_create(const net_he_config *cfg, net_he_done_fn done, void *ctx, net_headend **out);
void net_he_destroy(net_headend *he); /* NULL is fine */

/* Offer R.  Processes everything up to R->arrival_s first (so completions up to then are
 * reported).  *OUTCOME says what happened; *DONE_S (may be NULL) gets the completion
 * time when it is already known (FIFO mode, accepted), else NAN.  Errors:
 * NET_EHE_ORDER if R->arrival_s is before the clock, NET_EHE_CLASS, NET_EHE_ARG,
 * NET_EHE_NOMEM when the series could not hold a new bin (R was not offered; what was due
 * before its arrival may have been processed). */
int net_he_submit(net_headend *he, const net_he_req *r, net_he_outcome *outcome, double *done_s);

/* Process every start and completion up to and including T and move the clock to T.
 * Afterwards series bins ending at or before T are final and held (until released).
 * NET_EHE_NOMEM: a series bin could not be held; the clock stopped before the event that
 * needed it. */
int net_he_advance(net_headend *he, double t);
/* Drain: process everything still queued (clock moves to the last completion).  0 or
 * NET_EHE_NOMEM as net_he_advance. */
int net_he_finish(net_headend *he);

double net_he_clock(const net_headend *he); /* [s] */
uint32_t net_he_waiting(const net_headend *he);
uint32_t net_he_busy(const net_headend *he);

typedef struct net_he_stats {
    uint64_t offered, accepted, dropped, quarantined, excluded; /* [requests] */
    uint64_t started, completed, met_target;                    /* [requests] */
    double wait_sum_s; /* sum of start - arrival over started [s] */
    double resp_sum_s; /* sum of done - origin over completed [s] */
    double wait_max_s, resp_max_s;
} net_he_stats;

/* CLS < NET_HE_NCLASS for one class, NET_HE_NCLASS for the total. */
void net_he_stats_get(const net_headend *he, unsigned cls, net_he_stats *out);

/* Quantile Q in [0, 1] of waiting times (start - arrival) or responses (done - origin)
 * of class CLS (NET_HE_NCLASS: all), from the log-binned histograms below; NAN if none. */
double net_he_wait_quantile(const net_headend *he, unsigned cls, double q);
double net_he_resp_quantile(const net_headend *he, unsigned cls, double q);
/* Quantiles of responses completed since the previous call (all classes), then reset;
 * OUT[i] = NAN if none.  For per-window latency percentiles in the trace. */
void net_he_window_quantiles(net_headend *he, const double *q, size_t nq, double *out);

/* ---- time series ----------------------------------------------------------------------
 * X(field, C type, units, description): one series per field, bin k covering
 * [k step, (k+1) step) for k < series_bins.  The trace holds each as /network/headend/<name>:
 * arrivals under the trace's own declaration (WAN arrivals, sim/output/schema.c), the
 * processing results (NET_HE_SERIES_PROC_MAP) under theirs.
 *
 * Memory: the model holds a sliding window of bins, from the first not released to the
 * last one written.  Every write lands at or after the bin of the clock, except the DNO
 * forwarding of a restore alert, dno_delay_s later; so once the consumer releases the
 * bins it has taken (net_he_series_release), about (its lag + dno_delay_s) / step bins
 * are held however long the run. */
#define NET_HE_SERIES_MAP(X)                                                                       \
    X(arrivals, uint32_t, "1", "requests arriving at the head-end in the bin")                     \
    NET_HE_SERIES_PROC_MAP(X)

#define NET_HE_SERIES_PROC_MAP(X)                                                                  \
    X(accepted, uint32_t, "1", "requests accepted into the queue or service")                      \
    X(dropped, uint32_t, "1", "requests lost because the waiting room was full")                   \
    X(quarantined, uint32_t, "1", "requests over a rate threshold (storm throttling)")             \
    X(excluded, uint32_t, "1", "alerts discarded by the exclusion list")                           \
    X(started, uint32_t, "1", "requests entering service")                                         \
    X(completed, uint32_t, "1", "requests completed")                                              \
    X(restore_to_dno, uint32_t, "1", "restore alerts reaching the DNO")                            \
    X(queue_max, uint32_t, "1", "largest number waiting at any moment of the bin")                 \
    X(queue_mean, double, "1", "time-averaged number waiting")                                     \
    X(busy_mean, double, "1", "time-averaged number of busy servers")                              \
    X(wait_sum, double, "s", "sum of waiting times of requests started in the bin")

typedef struct net_he_series {
    double step_s;
    uint64_t first;     /* bin of element 0 of the arrays; bins before it were released */
    uint32_t bins;      /* bins held from `first` */
    uint32_t allocated; /* bins allocated per series (the memory the series take) */
    uint64_t late;      /* events after the last bin, not binned */
#define NET_HE_SERIES_FIELD_(name, type, units, desc) const type *name;
    NET_HE_SERIES_MAP(NET_HE_SERIES_FIELD_)
#undef NET_HE_SERIES_FIELD_
} net_he_series;

/* Pointers into the model's arrays, element i holding bin first + i; valid until the next
 * call of any other net_he_ function on HE (a submit or advance may move them). */
void net_he_series_view(const net_headend *he, net_he_series *out);
/* The consumer has taken every bin before K_END: the model forgets them.  Only final bins
 * can go: NET_EHE_ARG when K_END * step is after the clock.  Releasing bins already
 * released does nothing. */
int net_he_series_release(net_headend *he, uint64_t k_end);

/* Saves HE's run-time state to C, or loads it (sim/ckpt.h): the clock, the jobs queued and
 * in service, token buckets, statistics, histograms, the series bins held and the service
 * stream.  Loading needs HE made by net_he_create from the same configuration, which gives
 * everything else (exclusion lists, callback); servers, waiting room, mode, series bins and
 * exclusion list lengths are checked.  0, or -1 with sim_ckpt_err(C) set; after a failed
 * load HE is only fit for net_he_destroy. */
int net_he_ckpt(net_headend *he, sim_ckpt *c);

/* ---- bounded-memory latency histogram -------------------------------------------------
 * Log-binned (HdrHistogram's idea): bins of ratio 1.01 from 1 ms to 10^6 s, one bin below
 * (values under 1 ms, reported as 0) and one above (reported as 10^6 s).  A quantile is the
 * geometric centre of the bin holding the nearest-rank sample, so inside the range its
 * relative error is at most sqrt(1.01) - 1 < 0.5 %; below it the absolute error is < 1 ms.
 * 2,085 counters, 16.7 KiB. */
#define NET_LATHIST_LO 1e-3
#define NET_LATHIST_HI 1e6
#define NET_LATHIST_RATIO 1.01
#define NET_LATHIST_NBINS 2085 /* ceil(ln(1e9)/ln(1.01)) = 2083, plus under and over */

typedef struct net_lathist {
    uint64_t n;
    uint64_t count[NET_LATHIST_NBINS];
} net_lathist;

void net_lathist_reset(net_lathist *h);
void net_lathist_add(net_lathist *h, double v_s);
/* Nearest-rank quantile, Q in [0, 1]; NAN if empty. */
double net_lathist_quantile(const net_lathist *h, double q);

/* ---- the DNO's view of a restoration --------------------------------------------------- */
typedef struct net_dno_view {
    size_t restored;             /* premises with a restore time */
    size_t known;                /* of those, with a delivered restore alert */
    double last_restore_s;       /* latest restoration [s] */
    double last_known_s;         /* latest delivery to the DNO [s] */
    double all_known_after_s;    /* last_known - last_restore; INFINITY unless known == restored */
    double within_s;             /* the T asked for [s] */
    double frac_within;          /* fraction of restored known within T of their own restore */
    double lag_p50_s, lag_p99_s; /* delivery - restore over known premises [s] */
} net_dno_view;

/* RESTORE_S[i]: when premises i got supply back (NAN: not restored, skipped);
 * KNOWN_S[i]: when its restore alert reached the DNO (NAN: never). */
int net_dno_view_compute(const double *restore_s, const double *known_s, size_t n, double within_s,
                         net_dno_view *out);

#endif

/* The runner's modules and what they share: a read-only context, areas, and the national
 * services (downlink store, message pool) whose state changes while their handles do not.
 *
 * Data flow of one 30-minute settlement window (run.c drives it):
 *   1. coordinator.c begins the window: real-time prices from the last window's demand,
 *      day-ahead publication, new price updates in the downlink store (downlink.c).
 *   2. SimGrid runs every area actor (area.c) to the window's end: each takes the earliest
 *      of its queues (supply changes, load changes, cold-load steps, messages due) and hands
 *      it to its handler in household.c; messages leave through uplink.c (technology leg,
 *      retries, the cell queue) and reach the head-end host, where sink.c keeps them for the
 *      window's end (below); commands arrive through downlink.c.
 *   3. Each area closes the window on every meter (half-hour close), then all meet the
 *      coordinator, which sums the window (exact integer sums of demand per area and region,
 *      then over MPI ranks), submits every rank's arrivals of the window to the head-ends'
 *      queue models in one order, publishes prices and keeps the window's grid row.
 *   4. collect.c streams what the window finished to the trace: events in canonical order,
 *      the head-end's per-second series (then released from its model), cell series,
 *      per-minute demand, the grid row; half-hourly profiles once a day.  The coordinator
 *      then releases what is behind the window: the price model keeps SIM_PRICE_KEEP
 *      periods, the load model a day or two of weather and calendar.  What still grows with
 *      the simulated span: the daily tables the load model makes at the start (148 bytes a
 *      day with all 15 weather regions), the trace's chunk index in HDF5's metadata cache
 *      (bounded at 4 MB), and one record per dynamic-price update (about 300 bytes; 48 a
 *      day under real-time prices) until the run writes /network/price_updates at its end.
 *
 * Nothing here is a singleton: every handler reaches the run through the area it works on
 * (area->cx), and per-household state lives only in its area's columns.
 *
 * Under MPI (par.h) every rank runs this for its own areas (cx->a_lo..a_hi): the national
 * parts (prices, the head-ends, the fleet table) are computed alike on every rank from what
 * the coordinators exchange, and rank 0 gathers the rest for the trace (collect.c).
 */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

#include "run.h"
#include "firmware.h"
#include "lifecycle.h"
#include "campaign.h"
#include "command.h"

#include "grid/load.h"
#include "grid/outage.h"
#include "grid/price.h"
#include "grid/topup.h"
#include "grid/topology.h"
#include "mm/abi.h"
#include "mm/meter.h"
#include "mm_port_sim.h"
#include "net/han.h"
#include "net/headend.h"
#include "net/retry.h"
#include "net/wan.h"
#include "net/wantech.h"
#include "platform.h"
#include "trace.h"
#include "sim/ckpt.h"
#include "sim/error.h"
#include "sim/heap.h"

#include <assert.h>
#include <signal.h>
#include "sim/rng.h"
#include "sim/timeutil.h"
#include "sim/vec.h"
#include "sim/wheel.h"

#include <simgrid/forward.h>

#include <stdbool.h>
#include <stdint.h>

/* ---- event queues ------------------------------------------------------------------------ */

/* A pending change: household I (low 24 bits; the top 8 say which kind of message, for the
 * message queue) is due at T [s since start]. */
typedef struct sim_hev {
    uint32_t t;
    uint32_t i;
    uint32_t u; /* MSG_CMD: the command (dl_ref) */
} sim_hev;

static inline int sim_hev_less(sim_hev a, sim_hev b)
{
    /* by T, then I, then U: (T, I) as one 64-bit key, fewer branches to mispredict */
    uint64_t ka = (uint64_t)a.t << 32 | a.i, kb = (uint64_t)b.t << 32 | b.i;
    return ka < kb || (ka == kb && a.u < b.u);
}
SIM_HEAP_DEFINE(sim_hevq, sim_hev, sim_hev_less)

/* A send held back by its technology (mesh hops, SMS wake-up) until it enters the cell. */
typedef struct sim_deferred {
    double t; /* [s] */
    net_msg *m;
    uint32_t bytes;
} sim_deferred;

#define SIM_DEFERRED_LESS(a, b) ((a).t < (b).t)
SIM_HEAP_DEFINE(sim_deferq, sim_deferred, SIM_DEFERRED_LESS)

#define HEV_IDX(x) ((x) & 0xFFFFFFu)
#define HEV_KIND(x) ((x) >> 24)
#define HEV(i, kind) ((uint32_t)(i) | ((uint32_t)(kind) << 24))

enum msg_kind {
    MSG_READ = 0,     /* daily profile read */
    MSG_AD1 = 1,      /* the hub's outage alert is due */
    MSG_RESTORE = 2,  /* the firmware's restore dither has passed */
    MSG_TOPUP = 3,    /* a prepayment household buys credit */
    MSG_RETRY = 4,    /* a lost alert is sent again */
    MSG_CMD = 5,      /* a command (dl_ref u) reaches the meter */
    MSG_ONDEMAND = 6, /* the supplier asks for an on-demand read */
    MSG_VISIT = 7,    /* an installer's visit: u bit 0 clear the supply goes off, set the new
                       * meter is in; bit 1 (SIM_VISIT_REPAIR) a faulty meter's replacement */
    MSG_MIGRATE = 8,  /* a migration attempt reaches the meter: the DCC's requests */
    MSG_FW = 9,       /* a firmware campaign's step (campaign.c) */
    MSG_CMDRUN = 10   /* a command run's step (command.c) */
};

#define RING 2 /* windows of per-second and per-minute accumulators kept before the flush */
#define CLP_STEP_S 300 /* cold-load pickup re-evaluated every 5 min while it lasts */
#define TOPUP_IN_FLIGHT UINT32_MAX /* topup_due: bought online, on its way to the meter */
/* SUPPLY_LOST cause of an installer's visit, after the outage model's (0 HV .. 3 storm). */
#define SIM_CAUSE_VISIT 4
/* Loss cause of a command to a hub without supply, after net_wt_cause's. */
#define WAN_LOST_NO_SUPPLY 5

/* ---- national services ------------------------------------------------------------------- */

typedef struct sim_dl sim_dl;           /* downlink.c: commands the head-end sent */
typedef struct sim_msgpool sim_msgpool; /* uplink.c: message records in flight */
typedef struct sim_sink sim_sink;       /* sink.c: the head-ends */

/* ---- the read-only context --------------------------------------------------------------- */

typedef struct sim_ctx {
    const sim_scenario *sc;
    const grid_load_ops *ops;
    void *model;                /* the load model, shared by every household */
    const grid_topology *topo;
    sim_fleet *fleet;           /* populations, suppliers; each household's place (which the
                                 * fleet's changes move: lifecycle.c, sim_hh_exchange_meter) */
    const sim_fw *fw;           /* the firmware images and commissioning configurations */
    mm_hal_crypto *crypto;      /* the meters' crypto HAL (modelled), shared */
    net_read_params readp;
    net_han_config han_cfg;
    net_han_memo *han_memo;     /* set-up: the HAN solves premises share; NULL after it */
    net_wt_config wt_cfg;
    net_retry_params retry;
    grid_topup_config topup;    /* prepayment customers' top-ups */
    bool wt_on;                 /* wan.technology: model */
    bool dyn_prices;            /* some household's tariff is published as the run goes */
    grid_tariff tariff;         /* prices.tariff (the /grid price column) */
    grid_price_model *prices;   /* published by the coordinator between windows */
    uint32_t end_s;             /* duration [s] */
    uint32_t windows;           /* settlement periods in the run */
    uint32_t period0;           /* the meters' index of the run's first half-hour */
    uint32_t depth;             /* profile log slots per meter */
    /* National services: their state changes during the run, these handles do not. */
    sim_dl *dl;
    sim_campaigns *camp;        /* firmware campaigns; NULL without */
    sim_cmds *cmds;             /* command runs and attacks; NULL without */
    sim_msgpool *pool;
    sim_sink *sink;
    sg_host_t he_host;
    sg_bar_t window_bar;        /* areas and the coordinator meet at every window end */
    const volatile int *stop;   /* the run must end early */
    /* Set by a signal: the coordinator ends the run at the next window boundary, where every
     * area has closed the window and none has begun the next (halted: the areas stop there). */
    const volatile sig_atomic_t *halt_asked;
    volatile int *halted;
    /* MPI (par.h): this rank runs areas [a_lo, a_hi), households [hh_lo, hh_hi); alone, all.
     * Everything national (the fleet table, prices, the head-ends) is on every rank. */
    uint32_t a_lo, a_hi, hh_lo, hh_hi;
    int rank, ranks;
    uint32_t first_window; /* the first the areas run: 0, or a resumed run's after its checkpoint */
} sim_ctx;

/* Household ID's area runs on this rank. */
static inline bool sim_hh_local(const sim_ctx *cx, uint32_t id)
{
    return id >= cx->hh_lo && id < cx->hh_hi;
}

/* ---- areas ------------------------------------------------------------------------------- */

#define FW_EVENT_DEPTH 16u /* firmware event ring per meter */
/* Gas per period is kept for a day (slot: period % SIM_GAS_SLOTS): collect.c streams a day at
 * its last window's end, before any area closes the next window (run.c's at_boundary).  A
 * slot holds the period's Wh in 16 bits; a period of SIM_GAS_BIG Wh or more (a boiler of over
 * 131 kW: none of the household models comes near) holds SIM_GAS_BIG, and its Wh are in the
 * area's list of such periods (sim_area_gas_put). */
#define SIM_GAS_SLOTS 48u
#define SIM_GAS_BIG UINT16_MAX
typedef struct sim_gas_big {
    uint32_t i, period, wh; /* household (in its area), period of the run, its gas [Wh] */
} sim_gas_big;

#define SIM_NOT_RESTORED UINT32_MAX /* restore_s of a premises not restored in the run */

/* What a household's bytes are for, as the run's summary lists them (area.c counts them). */
typedef enum sim_part {
    SIM_PART_FW_STATE, /* the firmware's state: its block coded, the view's share */
    SIM_PART_NVM,      /* its NVM store: its kept bank coded, the pool's share */
    SIM_PART_EVLOG,    /* the firmware's event ring: its share of the state's block */
    SIM_PART_PROFILE,  /* the firmware's half-hourly profile log */
    SIM_PART_LOAD,     /* the load model's state, gas */
    SIM_PART_NET,      /* HAN, WAN route and link, reads, retries */
    SIM_PART_ENGINE,   /* the rest: meter HAL (its share of the state's block), storage
                        * (price table, image transfer), power, supply, schedules, the
                        * fleet table */
    SIM_PARTS
} sim_part;

/* The stretches of time a household's meter has still to be advanced through: a load change
 * does not call the firmware, it notes the power the meter saw since the last change (how long,
 * active, reactive) and the firmware is advanced through the notes, one advance call each, in
 * order, the next time anything touches the meter (sim_hh_fw) or the notes are full.  The calls,
 * their arguments and the clock at each are the same as advancing at every change: only when
 * they happen moves, and nothing but the meter's own state depends on that.  A load change
 * then touches this line instead of the meter's whole state, which at scale is a cache miss per
 * line of it (household.c).
 *
 * A price update that reached the meter waits the same way, one at a time (its reference and
 * time in the household's upd column), and the firmware takes it where the notes' time reaches
 * the update's (sim_hh_settle).  What the meter answers does not depend on what it did with the
 * update, so the answer goes at once; what else the update leads to (the events, the update's
 * counts, the prices the household knows) is read only after the notes are made: at the
 * half-hour's close, which reaches every meter anyway, or by the price hook of a household
 * that follows prices (sim_price_hook).  Taken at arrival, an update reached the meter's state
 * a second time in its half-hour, and its advance to the update's time took a note (README,
 * "Performance"). */
#define SIM_PEND_MAX 6u
typedef struct sim_hh_pend {
    uint16_t dt[SIM_PEND_MAX]; /* [s], each > 0 */
    int32_t p_mw[SIM_PEND_MAX];
    int32_t q_mvar[SIM_PEND_MAX];
    uint8_t n;
    uint8_t update; /* 1: a price update waits too (the upd column) */
} __attribute__((aligned(64))) sim_hh_pend;
_Static_assert(sizeof(sim_hh_pend) == 64, "a household's pending advances fill one cache line");
/* The price update that waits (when sim_hh_pend's update says one does). */
typedef struct sim_hh_update {
    uint32_t ref; /* its dl_ref */
    uint32_t t;   /* when it reached the meter [s] */
} sim_hh_update;
/* Anything to make before the meter is touched. */
static inline bool sim_hh_pending(const sim_hh_pend *d)
{
    return (d->n | d->update) != 0;
}

/* A meter's price table (dynamic tariffs), kept once for the meters of an area that hold the
 * same prices, counted (sim/fwstate.c). */
typedef struct sim_ptab {
    mm_price_table t;
    uint32_t refs; /* households whose column points here */
} sim_ptab;

/* Per-household columns of an area, declared once: X(type, name, values per household,
 * allocated when, part (SIM_PART_<part>), what).  area.c allocates, frees and counts them
 * from this table; CX is the context and HAS_GAS whether the load model burns gas. */
#define SIM_AREA_COLUMNS(X)                                                                        \
    X(unsigned char, load, cx->ops->hh_size, true, LOAD, "load model state")                       \
    X(unsigned char *, fwc, 1, true, FW_STATE, "its firmware state's block (sim_fw_states)")       \
    X(mm_profile_slot, log, cx->depth, true, PROFILE, "firmware half-hourly profile log")          \
    X(uint8_t, prepay, 1, true, ENGINE, "1: prepayment mode")                                      \
    X(uint8_t, disabled, 1, true, ENGINE, "the contactor is open: no supply to the premises")      \
    X(uint32_t, topup_due, 1, true, ENGINE, "a top-up is planned at this time [s]; 0 none")        \
    X(uint16_t, utrn_counter, 1, true, ENGINE, "next UTRN originator counter")                     \
    X(net_read_hh, read, 1, true, NET, "daily profile read schedule")                              \
    X(uint32_t, last_t, 1, true, ENGINE, "the meter's time, with its pending advances [s]")        \
    X(sim_hh_pend, pend, 1, true, ENGINE, "advances noted, not yet made (sim_hh_fw makes them)")   \
    X(int32_t, p_mw, 1, true, ENGINE, "active power the appliances draw [mW]")                     \
    X(int32_t, q_mvar, 1, true, ENGINE, "reactive power the appliances draw [mvar]")               \
    X(int32_t, pe_mw, 1, true, ENGINE, "active power the meter sees [mW]")                         \
    X(int32_t, qe_mvar, 1, true, ENGINE, "reactive power the meter sees [mvar]")                   \
    X(uint8_t, off, 1, true, ENGINE, "open faults covering the premises; supplied when 0")         \
    X(uint32_t, off_since, 1, true, ENGINE, "when supply was last lost [s]")                       \
    X(uint32_t, clp_t0, 1, true, ENGINE, "restoration the cold-load pickup runs from [s]")         \
    X(float, clp_gain, 1, true, ENGINE, "extra demand at clp_t0 [fraction]; 0 none")               \
    X(sim_rng_packed, behave, 1, true, ENGINE, "behaviour: prepayment, top-ups, on-demand reads")  \
    X(net_wt_hh, wt, 1, cx->wt_on, NET, "WAN technology and mesh route")                           \
    X(sim_rng_packed, wtr, 1, cx->wt_on, NET, "the WAN link's stream (sim_hh_wt_message)")         \
    X(uint32_t, retry_code, 1, true, NET, "alert waiting to be sent again; 0 none")                \
    X(uint8_t, retry_n, 1, true, NET, "failed attempts of that alert")                             \
    X(sim_rng_packed, retry_rng, 1, true, NET, "the hub's backoff stream")                         \
    X(int32_t, gas_w, 1, has_gas, LOAD, "gas burnt now [W]")                                       \
    X(int64_t, gas_ws, 1, has_gas, LOAD, "gas energy in the open period [W s]")                    \
    X(uint16_t, gas_day, SIM_GAS_SLOTS, has_gas, LOAD, "gas per period, a day's slots [Wh]")       \
    X(uint32_t, pk_from, 1, cx->dyn_prices, ENGINE, "first period whose price the meter holds")    \
    X(uint32_t, pk_until, 1, cx->dyn_prices, ENGINE, "end of the periods whose prices it holds")   \
    X(sim_ptab *, ptab, 1, cx->dyn_prices, ENGINE, "its price table (dynamic tariffs), shared")    \
    X(sim_hh_update, upd, 1, cx->dyn_prices, ENGINE, "the price update that waits (sim_hh_pend)")  \
    X(net_han, han, 1, true, NET, "home-area network of the premises")                             \
    X(mm_fw_transfer, fwx, 1, cx->sc->n_campaigns > 0, ENGINE, "firmware image being received")    \
    X(uint32_t, restore_s, 1, true, ENGINE, "last restoration [s]; SIM_NOT_RESTORED none")         \
    X(double, known_s, 1, true, ENGINE, "its restore alert reached the DNO [s], NAN if not")

/* A meter's HAL records: its RTC driven by simulated time, its NVM store (its banks in blocks
 * of their own), its RNG seeded from (seed, household, meter.rng).  Its state points to them,
 * so they are kept with the state, after its event ring. */
typedef struct sim_fw_hal {
    mm_hal_clock clk;
    mm_hal_nvm nvm;
    mm_hal_rng rng;
} sim_fw_hal;
#define SIM_FW_RING_BYTES (FW_EVENT_DEPTH * (uint32_t)sizeof(mm_event))
_Static_assert(SIM_FW_RING_BYTES % 32u == 0, "the ring's words fill whole bytes of a bitmap");
_Static_assert(SIM_FW_RING_BYTES % _Alignof(sim_fw_hal) == 0, "the HAL records are aligned");

/* An area's meters' firmware states.  The firmware runs its meter's state in place, and the
 * state holds pointers into itself, so an area has one place where states run: its view, the
 * state, then the meter's event ring (FW_EVENT_DEPTH records) and its HAL records
 * (sim_fw_hal).  They are copied there (decoded) when the meter is reached, and coded back
 * into a block of its own (fwc) when the view goes to another meter, if it was reached for
 * writing meanwhile: the XOR code of the NVM stores (mm_port_sim_xor_code) against the first
 * view of its image the area coded.  Every state runs at the same place, so the pointers into
 * itself, to its ring and to its HAL records are the same words in every meter's state and
 * cost nothing coded (sim/fwstate.c).  On a dynamic tariff the meter's price table runs there
 * too, after the HAL records, copied from the area's shared one (sim_ptab) and not coded. */
#define SIM_FW_NOBODY UINT32_MAX
#define SIM_PTAB_RECENT 8 /* shared price tables an area looks through for a match */
typedef struct sim_fw_states {
    unsigned char *view;  /* the state, ring and HAL of WHO, plain (view_bytes, 64-byte aligned) */
    uint32_t state_bytes; /* the state's part: the largest image's slot, rounded up to a line */
    uint32_t view_bytes;  /* ... and the ring and the HAL records after it */
    /* the area's NVM pool: it holds only the view's store, so it lets go of it before the
     * view goes to another meter (mm_port_sim_nvm_pool_leave) */
    mm_port_sim_nvm_pool *pool;
    uint32_t who;         /* the household whose state the view holds, SIM_FW_NOBODY */
    bool dirty;           /* the view was reached for writing since it was decoded */
    bool nomem;           /* a block could not be had: a state was lost (the run fails) */
    unsigned char *out;   /* the coder's output */
    unsigned char *ref[SIM_FW_IMAGES_MAX]; /* each image's reference, once it has one */
    uint64_t held;        /* bytes of the blocks and references */
    /* dynamic tariffs: where the view's price table is (0: none), the tables the area kept
     * last (most recent first; NULL when fewer) and the bytes of every table it keeps */
    uint32_t ptab_at;
    sim_ptab *recent[SIM_PTAB_RECENT];
    uint64_t ptab_held;
    /* the shared table the view's copy is the same as (NULL: no prices, as the zeroed view
     * starts; fwstate.c's copy_unknown: none known) */
    const sim_ptab *view_from;
} sim_fw_states;

typedef struct sim_area {
    const sim_ctx *cx;
    uint32_t id;
    uint16_t region; /* 1-based */
    uint32_t hh0;    /* global id of its first household */
    uint32_t n;
    uint32_t lv0, lv1; /* its LV substations [lv0, lv1) */
    int err;           /* first failure (SIM_E*) in a handler; the run stops with it */
    sim_fw_states *fws;    /* its meters' firmware states (opaque to it), coded */
    /* its meters' NVM stores' pool (mm_port_sim.h): the one save in progress to a bank a
     * store does not keep, the one kept bank decoded, the reference banks are coded against;
     * its block is sized by the largest image's bank (area.c allocates it) */
    mm_port_sim_nvm_pool nvm_pool;
    sim_cell *cell;
#define SIM_AREA_FIELD(type, name, count, when, part, doc) type *name;
    SIM_AREA_COLUMNS(SIM_AREA_FIELD)
#undef SIM_AREA_FIELD
    net_wt_site site;    /* the area's cell site / base station: backup power */
    uint32_t n_off;      /* households without supply now */
    double uplink_bps, uplink_latency_s;
    sim_deferq defq;     /* sends waiting for their technology's delay */
    uint64_t lost[8];    /* messages lost by net_wt_cause (or WAN_LOST_NO_SUPPLY) */
    sim_wheel loadq;     /* next load change per household */
    sim_hevq msgq;       /* WAN messages due: reads, AD1, restore alerts, commands */
    sim_hevq clpq;       /* cold-load pickup steps */
    sim_vec ev;          /* sim_event records of this area not yet flushed */
    sim_vec gas_big;     /* sim_gas_big: periods of gas_day holding SIM_GAS_BIG, by period */
    uint32_t *cell_arr;  /* [RING][SIM_PERIOD_S] messages entering the cell queue per second */
    uint32_t *cell_q;    /* ... and the longest queue one of them found */
    int64_t mws[RING][SIM_PERIOD_S / 60]; /* energy of its households per minute [mW s] */
    int64_t win_mws[RING]; /* ... and in the window, for its region's sum [mW s] */
    int64_t power_mw;    /* sum of its households' effective active power [mW] */
    uint32_t power_t;    /* time the sum was last integrated to [s] */
    uint32_t dl_next;    /* first price update not yet sent to this area */
    bool broadcast;      /* price updates reach its meters by one broadcast */
    const grid_outage_event *outage; /* this area's supply events, time order */
    size_t n_outage, next_outage;
    uint64_t events, sent, interruptions, alerts, peak_backlog;
    uint32_t exchanged; /* meters installed since the fleet's day began (lifecycle.c reads it) */
    uint32_t replaced;  /* ... and faulty meters replaced */
    uint32_t fw_distributed, fw_activated, fw_failed; /* ... and firmware campaigns' steps */
    uint64_t fw_bytes;  /* firmware distribution bytes sent to its cell [B] */
} sim_area;

/* area.c */
/* The areas' bytes per household by part (sim_part; mean over the fleet as set up), but for
 * the NVM stores' blocks, which grow and shrink with their records: 0 here, counted from the
 * pools (mm_port_sim_nvm_pool.held) at the end of a run. */
void sim_area_bytes_by_part(const sim_ctx *cx, double out[SIM_PARTS]);
int sim_area_alloc(sim_area *a, const sim_ctx *cx, sg_host_t host, char *err, size_t errlen);
int sim_area_init_households(sim_area *a, char *err, size_t errlen);
void sim_area_free(sim_area *a);
/* Save or load (sim/ckpt.h) what the run changes in area A: its columns, meters, queues,
 * rings and counts.  The fleet table and the message pool first.  0, or -1 (sim_ckpt_err). */
int sim_area_ckpt(sim_area *a, sim_ckpt *c);
void sim_area_actor(int argc, char **argv);
void sim_area_integrate(sim_area *a, uint32_t t);
/* Household I's gas in PERIOD of the run is WH, kept for the trace (SIM_GAS_SLOTS); its gas
 * in a period of the last SIM_GAS_SLOTS; and the periods of the list a close of PERIOD
 * replaces dropped (before the close puts any). */
void sim_area_gas_put(sim_area *a, uint32_t i, uint32_t period, uint32_t wh);
uint32_t sim_area_gas_of(const sim_area *a, uint32_t i, uint32_t period);
void sim_area_gas_forget(sim_area *a, uint32_t period);
/* Queue Q gets household I's record KIND/U at T (dropped at or after the run's end); a
 * failed allocation stops the run with SIM_ENOMEM. */
void sim_area_schedule(sim_area *a, sim_hevq *q, uint32_t t, uint32_t i, uint32_t u);
/* An /events record; a failed allocation stops the run with SIM_ENOMEM. */
void sim_area_record(sim_area *a, double t, uint32_t hh, uint32_t code, int64_t value);
void sim_area_fail(sim_area *a, int code);
/* The area of AREAS[N] holding household ID (areas hold consecutive id ranges, in id order). */
sim_area *sim_area_of(sim_area *areas, uint32_t n, uint32_t id);
/* fwstate.c.  The area's view holding household I's state, reached for writing (WRITE) or
 * only read: it stays there until another household's is reached, so a pointer to it holds
 * until then. */
void *sim_fw_states_reach(const sim_area *a, uint32_t i, bool write);
int sim_fw_states_init(sim_area *a);   /* 0 or SIM_ENOMEM */
void sim_fw_states_free(sim_area *a);  /* the blocks and the view (no state is coded back) */
void sim_fw_states_settle(const sim_area *a); /* the view coded back if written */
/* The view's state needs no coding back: its meter is being taken out (its block goes). */
void sim_fw_states_forget(const sim_area *a);
/* The store's bytes (blocks, references, view, coder), in *STATE, but for the event rings'
 * share of the blocks (their words and bitmap), in *RING, and the HAL records', in *HAL. */
void sim_fw_states_bytes(const sim_area *a, uint64_t *state, uint64_t *ring, uint64_t *hal);
/* The bytes of the area's shared price tables. */
uint64_t sim_fw_states_ptab_bytes(const sim_area *a);
/* Checkpoint the area's meters' price tables, each as its bytes (the ptab column's). */
void sim_fw_states_ptab_ckpt(sim_area *a, sim_ckpt *c);
/* The price table of the meter whose state is in the view, or NULL (no dynamic tariff). */
static inline mm_price_table *sim_fw_states_prices(const sim_area *a)
{
    return a->fws->ptab_at ? (mm_price_table *)(void *)(a->fws->view + a->fws->ptab_at) : NULL;
}
/* The event ring of the meter whose state is in the view (FW_EVENT_DEPTH records). */
static inline mm_event *sim_fw_states_ring(const sim_area *a)
{
    return (mm_event *)(void *)(a->fws->view + a->fws->state_bytes);
}
/* The HAL records of the meter whose state is in the view. */
static inline sim_fw_hal *sim_fw_states_hal(const sim_area *a)
{
    return (sim_fw_hal *)(void *)(a->fws->view + a->fws->state_bytes + SIM_FW_RING_BYTES);
}
/* A state could not be coded back for want of memory (an older one of it stayed), or a store's
 * save could not be kept (the NVM pool's nomem): the run fails. */
static inline bool sim_fw_states_failed(const sim_area *a)
{
    return a->fws && (a->fws->nomem || a->fws->pool->nomem);
}
/* Household I's firmware slot as memory: its state, in the area's view.  For what handles the
 * bytes (a new meter, checkpoints); calls to the firmware go through sim_hh_fw. */
static inline void *sim_hh_slot(const sim_area *a, uint32_t i)
{
    sim_fw_states *s = a->fws;
    if (s->who != i) return sim_fw_states_reach(a, i, true);
    s->dirty = true;
    return s->view;
}
/* Household I's HAL records, in the view with its state (reached for writing). */
static inline sim_fw_hal *sim_hh_hal(const sim_area *a, uint32_t i)
{
    sim_hh_slot(a, i);
    return sim_fw_states_hal(a);
}
/* Household I's meter state for a call through its image's ABI, advanced first through what
 * is pending (sim_hh_pend), so the call finds the meter as if it had been advanced at every
 * load change. */
void sim_hh_settle(sim_area *a, uint32_t i);
static inline void *sim_hh_fw(sim_area *a, uint32_t i)
{
    if (sim_hh_pending(&a->pend[i])) sim_hh_settle(a, i);
    return sim_hh_slot(a, i);
}
/* ... for a reader that changes nothing of the run, where nothing is pending: at a window's
 * boundary, after every area's close (which advances every meter to it).  (Reaching it may
 * code the view's state back into its block: the run does not see that.) */
static inline const void *sim_hh_fw_settled(const sim_area *a, uint32_t i)
{
    assert(!sim_hh_pending(&a->pend[i]));
    return a->fws->who == i ? a->fws->view : sim_fw_states_reach(a, i, false);
}
/* Household I's population, supplier and tariff (the fleet's table: one copy per run). */
static inline const sim_fleet_hh *sim_hh_fl(const sim_area *a, uint32_t i)
{
    return &a->cx->fleet->hh[a->hh0 + i];
}
/* The table of household I's image. */
static inline const mm_abi *sim_hh_abi(const sim_area *a, uint32_t i)
{
    return a->cx->fw->img[sim_hh_fl(a, i)->image].abi;
}
static inline sim_generation sim_hh_gen(const sim_area *a, uint32_t i)
{
    return a->cx->fleet->pops[sim_hh_fl(a, i)->pop].p->generation;
}
/* How household I's messages travel now (sim_route); SIM_ROUTE_NONE: it sends and receives
 * nothing. */
static inline sim_route sim_hh_route(const sim_area *a, uint32_t i)
{
    return (sim_route)sim_hh_fl(a, i)->route;
}
static inline bool sim_tariff_dynamic(unsigned t)
{
    return t == SIM_TARIFF_AGILE || t == SIM_TARIFF_RTP;
}
/* A tariff as the price model knows it (block: flat, hybrid: static TOU), and household I's. */
grid_tariff sim_grid_tariff(sim_tariff t);
grid_tariff sim_hh_grid_tariff(const sim_area *a, uint32_t i);

/* household.c: the handlers an area calls, each for household I at T. */
void sim_hh_advance(sim_area *a, uint32_t i, uint32_t t);
/* Price update REF reached household I's meter at T: it waits with the meter's notes, taken
 * when they are made (sim_hh_pend). */
void sim_hh_note_update(sim_area *a, uint32_t i, uint32_t t, uint32_t ref);
void sim_hh_set_effective(sim_area *a, uint32_t i, uint32_t t);
uint32_t sim_hh_period(sim_area *a, uint32_t i);
void sim_hh_load_event(sim_area *a, uint32_t t);
void sim_hh_clp_step(sim_area *a, uint32_t t);
void sim_hh_message(sim_area *a, uint32_t t);
void sim_hh_after_close(sim_area *a, uint32_t i, uint32_t t);
/* Every alert household I's firmware lets go at T, over the WAN. */
void sim_hh_send_alerts(sim_area *a, uint32_t i, uint32_t t);
/* A top-up bought online reached the meter at T; OK: the firmware accepted its UTRN. */
void sim_hh_topup_landed(sim_area *a, uint32_t i, uint32_t t, bool ok);
void sim_hh_ondemand_plan(sim_area *a, uint32_t i, uint32_t t);
void sim_hh_supply(sim_area *a, uint32_t i, uint32_t t, int delta, uint8_t cause);
/* An installer's visit to household I at T (MSG_VISIT, U as there). */
#define SIM_VISIT_IN 1u
#define SIM_VISIT_REPAIR 2u
void sim_hh_visit(sim_area *a, uint32_t i, uint32_t t, uint32_t u);
/* area.c: commission household I's meter at T from its population's image and its supplier,
 * tariff and payment mode (a new meter: state, NVM and logs start empty).  MM_OK or the
 * firmware's code. */
int sim_hh_commission(sim_area *a, uint32_t i, uint32_t t);
/* Household I's meter's HAL (its clock, NVM, RNG; the shared crypto) and storage (its profile
 * and event logs, price table and device id), as its image is started with. */
void sim_hh_meter_io(sim_area *a, uint32_t i, mm_esme_hal *hal, mm_esme_storage *st);
/* area.c: rebuild the WAN links of LV substation LV (a premises joined or left the DCC). */
int sim_area_wan_rebuild_lv(sim_area *a, uint32_t lv);
void sim_area_outage(sim_area *a, uint32_t t);
void sim_area_close_window(sim_area *a, uint32_t w_end);
/* The retail price the household being stepped knows for PERIOD (grid_load_params.price;
 * CTX is the household that sim_hh_load_event passes to hh_step, private to household.c). */
double sim_price_hook(const void *ctx, uint32_t period);

/* uplink.c: household I's messages to the head-end. */
int sim_msgpool_create(sim_msgpool **out);
void sim_msgpool_destroy(sim_msgpool *p);
net_msg *sim_msg_get(sim_msgpool *p); /* NULL: out of memory */
void sim_msg_put(sim_msgpool *p, net_msg *m);
bool sim_uplink_send(sim_area *a, uint32_t i, uint32_t t, net_wt_kind kind, const net_msg *m,
                     uint32_t bytes);
void sim_uplink_alert(sim_area *a, uint32_t i, uint32_t t, uint32_t code);
void sim_uplink_wan_lost(sim_area *a, uint32_t i, double t, unsigned cause);
/* A message of household I over its WAN technology's link (net_wt_message on its own
 * stream), either way: 0, or what net_wt_message returns. */
int sim_hh_wt_message(sim_area *a, uint32_t i, net_wt_kind kind, uint32_t bytes, bool site_up,
                      net_wt_send *o);
void sim_uplink_cell_enqueue(sim_area *a, double t, net_msg *m, uint32_t bytes);
/* The cell's callback (platform.h): message PAYLOAD of area CTX reached the head-end host now. */
void sim_uplink_arrived(void *ctx, void *payload);

/* downlink.c: commands from the head-end to meters. */
/* SENT_UNTIL[t]: periods of dynamic tariff t its meters hold at the start; UINT32_MAX for a
 * tariff that is not dynamic or that no household has. */
int sim_dl_create(const mm_hal_crypto *crypto, const uint32_t sent_until[SIM_TARIFFS],
                  sim_dl **out);
void sim_dl_destroy(sim_dl *d);
/* Save or load (sim/ckpt.h) the commands and price updates sent so far.  0, or -1. */
int sim_dl_ckpt(sim_dl *d, sim_ckpt *c);
bool sim_area_broadcasts(const sim_area *a);
void sim_dl_area_recv(void *ctx, void *payload);
void sim_dl_command(sim_area *a, uint32_t i, uint32_t t, uint32_t ref);
/* A dl_ref names a price update (downlink.c: 2 x index + 2), not a request (2 x index + 1). */
static inline bool sim_dl_is_update(uint32_t ref)
{
    return (ref & 1u) == 0;
}
/* Household I's meter takes price update REF that reached it at T (the meter advanced to T:
 * sim_hh_settle, for the update sim_dl_command left waiting). */
void sim_dl_price_taken(sim_area *a, uint32_t i, uint32_t t, uint32_t ref);
/* A service request: command CMD (signed if critical) with payload PL of N bytes to household
 * I at T, whose answer counts in head-end class CLS. */
void sim_dl_request(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                    const void *pl, uint16_t n);
/* Command CMD with payload PL of N bytes framed at T for household ID's meter under the next
 * supplier's counter (anchored to T, signed if critical) into OUT (CAP bytes), its length in
 * *LEN.  0, or SIM_EFRAME. */
int sim_dl_frame(const sim_ctx *cx, uint32_t id, uint32_t t, uint16_t cmd, const void *pl,
                 uint16_t n, uint8_t *out, size_t cap, size_t *len);
/* A service request like sim_dl_request, with frame FRAME of LEN bytes already made by command
 * run RUN (command.c). */
void sim_dl_send_frame(sim_area *a, uint32_t i, uint32_t t, uint16_t cmd, uint8_t cls,
                       unsigned run, const uint8_t *frame, size_t len);
/* Downlink payloads: bit 31 a broadcast; bit 30 a firmware campaign's transfer (campaign.c:
 * campaign in bits 24-27, the household's index in its area in bits 0-23, all ones for the
 * area's broadcast). */
#define DL_BROADCAST 0x80000000u
#define DL_CAMPAIGN 0x40000000u
int sim_dl_prices_publish(const sim_ctx *cx, uint32_t now);
void sim_dl_area_send_updates(sim_area *a);
/* Price updates so far: count, and one as a row of /network/price_updates. */
uint32_t sim_dl_updates(const sim_dl *d);
/* Every rank's counts of each update summed (par.h; every rank calls it, once, at the end). */
int sim_dl_updates_reduce(sim_dl *d);
void sim_dl_update_row(const sim_dl *d, uint32_t k, double row[SIM_UPD_NCOLS]);

/* ---- national: coordinator and head-end ------------------------------------------------ */

/* What couples the areas at a window's end, as exact integer sums over areas (MPI ranks will
 * all-reduce these): energy in the window per DNO region and nationally.  The per-minute
 * series for the trace is summed by collect.c. */
typedef struct sim_window_sum {
    int64_t region_mws[GRID_REGIONS_MAX];  /* [mW s] */
    int64_t national_mws;                  /* [mW s] */
} sim_window_sum;

/* What the coordinator found for one window, for the trace (/grid). */
typedef struct sim_grid_row {
    double region_w[GRID_REGIONS_MAX]; /* mean demand per DNO region [W] */
    double price_p_kwh;                /* unit price of the households' tariff [p/kWh] */
    double wholesale;                  /* day-ahead wholesale price [GBP/MWh] */
} sim_grid_row;

/* Windows of grid rows kept until collect.c streams them: the coordinator is at most one
 * window ahead of the collector (it waits for the areas, which wait for SimGrid). */
#define SIM_GRID_RING 4
/* Settlement periods the price model keeps behind the window just closed (coordinator.c):
 * four days; households look back one (the demand-response reference price). */
#define SIM_PRICE_KEEP (4 * 48)

typedef struct sim_coord {
    const sim_ctx *cx;
    sim_area *areas;
    uint32_t n_areas;
    sim_lifecycle *life; /* the fleet's daily changes, run at each UTC midnight */
    sim_sink *sink;      /* the head-ends, fed each window's arrivals from every rank */
    int halt_sig;        /* the signal (any rank's) that ended the run at a boundary; 0 none */
    sim_grid_row ring[SIM_GRID_RING]; /* window w in ring[w % SIM_GRID_RING] */
    uint32_t done;       /* windows whose row is in the ring or streamed */
    uint32_t streamed;   /* windows whose row is in the trace */
    int err;             /* first failure (SIM_E*) */
    uint32_t first;      /* the first window it runs (a resumed run: the one after its checkpoint) */
    /* Called at the end of its work on window W, every area waiting at the barrier (HALT: the
     * run ends there): run.c's at_boundary, with the run; NULL none. */
    void (*boundary)(void *arg, uint32_t w, bool halt);
    void *boundary_arg;
    bool boundary_full; /* a halting run prepares the next window too (it is checkpointed) */
} sim_coord;

/* coordinator.c */
void sim_coord_init(sim_coord *c, const sim_ctx *cx, sim_area *areas, uint32_t n_areas);
/* Window W's grid row: the coordinator's when it has run W, else what a window it never
 * reached holds (no demand, no prices: NAN). */
void sim_coord_row(const sim_coord *c, uint32_t w, sim_grid_row *out);
void sim_coord_actor(int argc, char **argv); /* actor data: the sim_coord */
/* Save or load (sim/ckpt.h) the coordinator's rows not yet streamed.  0, or -1. */
int sim_coord_ckpt(sim_coord *c, sim_ckpt *ck);

/* A message as it reached the head-end host: when, and what (sink.c). */
typedef struct sim_arrival {
    double t; /* [s] */
    net_msg m;
} sim_arrival;

struct sim_sink {
    const sim_ctx *cx;
    sim_area *areas;     /* every area (those of other ranks hold no households here) */
    uint32_t n_areas;
    net_headend *he; /* the DCC's: SMETS2 meters' traffic, the DNO's restore alerts */
    net_headend *s1[SIM_SUPPLIERS_MAX]; /* each supplier's SMETS1 head-end */
    sim_vec arr;         /* sim_arrival: this rank's arrivals not yet submitted, time order */
    void *all;           /* every rank's arrivals of the window (sim_arrival), gathered */
    size_t all_cap;
    sim_vec scratch;     /* sim_arrival: room to sort arr or all */
    sim_vec ev;          /* sim_event records of the head-end not yet flushed (rank 0) */
    uint64_t delivered, alerts_delivered;
    uint64_t bb_bytes, bb_peak; /* bytes reaching the head-end in second bb_sec; the most in one */
    uint32_t bb_sec;
    int err;
};

/* sink.c: the head-ends and the model's completions. */
int sim_sink_init(sim_sink *s, const sim_ctx *cx, sim_area *areas, uint32_t n_areas, char *err,
                  size_t errlen);
void sim_sink_free(sim_sink *s);
/* Save or load (sim/ckpt.h) the head-ends' models and what they have not yet taken.  0, or -1. */
int sim_sink_ckpt(sim_sink *s, sim_ckpt *c);
/* Message M reached the head-end host at T: kept for the window's end (this rank's). */
void sim_sink_arrive(sim_sink *s, double t, const net_msg *m);
/* Coordinator, at window end W_END on every rank: every rank's arrivals before W_END, in one
 * order whatever the rank count (time, then every field of the message), submitted to the
 * head-ends, which are then advanced to W_END.  Every rank computes the same head-ends.
 * 0, or SIM_ENOMEM (on every rank). */
int sim_sink_window(sim_sink *s, double w_end);
/* Every head-end's model to T [s]: completions before T recorded.  -1: out of memory. */
int sim_sink_advance(sim_sink *s, double t);

/* ---- the run (run.c; its parts are read by collect.c) ------------------------------------- */

struct sim_run {
    const sim_scenario *sc;
    sim_run_opts opts;
    sim_ctx cx;              /* the context every handler reads (filled during set-up) */
    sim_fw fw;
    sim_fleet fleet;
    sim_lifecycle life;
    grid_topology *topo;
    void *model;             /* the load model */
    grid_price_model *prices;
    sim_area *areas;
    uint32_t n_areas;
    grid_outage_event *outages; /* grouped by area */
    sim_dl *dl;
    sim_campaigns *camp;
    sim_cmds *cmds;
    sim_msgpool *pool;
    sim_coord coord;
    sim_sink sink;
    sim_trace *tr;
    sim_vec pending;         /* sim_event records gathered, not yet written (t >= window end) */
    sim_vec scratch;         /* sim_event records: room to sort them (collect.c) */
    volatile int stop;       /* set when the run must end early */
    volatile int halted;     /* the coordinator ended the run at a window boundary (signal) */
    uint32_t w;              /* windows run */
    uint32_t flushed;        /* periods whose half-hourly data is in the trace (agreed) */
    uint32_t flushed_next;   /* ... once the last collecting is agreed to have succeeded */
    int window_rc;           /* the last window's closing (run.c's at_boundary): 1 more to run,
                              * 0 the last, or the failure */
    uint32_t closed;         /* ... and windows closed so far */
    int collect_rc;          /* the last collecting's outcome on this rank, agreed with the next
                              * window's (so rank 0 writes while the others simulate) */
    char collect_where[64];
    int fail;                /* first failure (SIM_E*), 0 none */
    bool bad_input;          /* set-up refused the scenario's fleet or an image (exit 2) */
    bool peer_failed;        /* MPI: set-up failed on another rank, not this one */
    char fail_where[128];    /* ... and where it happened */
    double wall0;
    double collect_s;        /* wall time in collect.c (gathering, and on rank 0 writing) */
    uint32_t *rank_hh;       /* MPI: rank k holds households [rank_hh[k], rank_hh[k + 1]) */
    size_t rank_hh_cap;
    /* checkpoints (checkpoint.c) */
    uint32_t ckpt_every_s;   /* simulated time between them [s]; 0 none */
    uint32_t ckpt_due_s;     /* the next is due at the first boundary at or after this [s] */
    uint32_t ckpt_written, ckpt_passed, ckpt_failed;
    double ckpt_s;           /* wall time writing them [s] */
    int64_t ckpt_at;         /* the last one's boundary [s]; -1 none */
    uint32_t w0;             /* the window this process began with (resumed: the checkpoint's) */
};

/* run.c: the names of the licence areas of MASK, in area order, comma-separated: the region
 * columns of the trace's tables. */
void sim_region_columns(uint32_t mask, char *out, size_t len);

/* collect.c: what the run hands to the trace. */
int sim_collect_households(sim_run *r);
int sim_collect_window(sim_run *r, uint32_t w);
int sim_collect_events(sim_run *r, double t);
int sim_collect_halfhourly(sim_run *r, uint32_t p0, uint32_t np);
int sim_collect_final(sim_run *r, uint32_t reached);
/* The coordinator's rows of windows before UPTO that it has finished (all of them when
 * FINAL: rows it never reached as sim_coord_row gives them). */
int sim_collect_grid(sim_run *r, uint32_t upto, bool final);

#endif

/* WAN technology of each premises and of each area: which network a meter's messages
 * cross before they reach the area's cell queue, what that adds in latency and loss, how
 * mesh routes repair when relays lose power, and when a cell site's backup power runs out.
 *
 * Technologies (seeds 003 and 004, and the sources named below):
 *  - SMETS2 through the DCC, North region: long-range radio (LRR) base stations in the
 *    400 MHz band run by Arqiva ("connecting 10 million homes using long-range radio
 *    technology ... sites across northern England and Scotland", Arqiva submission to the
 *    CMA BT/EE inquiry, 2015; "more than 700 new masts in the North", DCC news "Connected!
 *    Quarter of a million smart meters", 2019);
 *  - SMETS2 through the DCC, Central and South regions: Telefonica cellular, and where a
 *    premises has no usable signal a mesh of comms hubs relaying through neighbours to a
 *    hub with a cellular link (seed 003: "talk through the meters around you to reach a
 *    particular meter which has direct communications with DCC");
 *  - SMETS1: each supplier's own head-end over 2G/3G (seed 003); some head-end initiated
 *    reads first wake the hub by SMS.
 * The DCC region of each of the 14 DNO licence areas is configurable; the default table is
 * in wantech.c with its reasoning.
 *
 * Mesh model (mean field, stated so a test can check it): a premises of a Central/South
 * LV substation is in a coverage hole with probability q (urban / rural); holes are discs
 * of radius K mesh hops, and a premises in a hole lies uniformly in the disc, so its
 * distance to the edge in hops is X = K (1 - sqrt(U)) and its nominal hop count is
 * h = min(ceil(X), max_hops), i.e. P(h <= k) = 1 - (1 - k/K)^2 for k < K
 * (net_wt_mesh_level_pmf).  Inside one LV substation, levels that no premises occupies
 * are skipped, so the realised level of every mesh premises is the rank of its nominal
 * level; each mesh premises keeps up to NET_WT_CAND candidate relays: first up to
 * `parents` premises one level lower (the hub with a cellular link is level 0), then
 * siblings on its own level, each choice ranked by a per-pair random key (a stand-in for
 * link quality).  Routes are shortest powered paths over these links, limited to max_hops
 * (RPL-style hop rank); when a relay loses power its children take another candidate,
 * possibly through a sibling (one hop longer), or become unreachable.  The mesh stays
 * inside the LV substation: the whole mesh of a substation is one small array the engine
 * already has, and repair costs O(n * NET_WT_CAND * max_hops) for its n premises.  An LV
 * substation of the DCC's Central/South regions in which no premises has a usable signal
 * gets one hub with an external aerial (seed 003: installers "fit a number of different
 * aerials ... an external aerial or an alternative mesh").
 *
 * Per message the engine calls net_wt_message(): extra latency before the message enters
 * the area's cell queue (radio access, SMS wake-up, mesh hops), whether it is lost on the
 * way (per-hop loss compounds, 1 - (1-p)^h), and how many transmissions it took; every draw
 * comes from the premises' own stream (seed, premises, "wan.link").  The area's uplink
 * (SimGrid link, net_wt_area_link) carries the shared air-interface capacity of the site
 * and its backhaul latency; the per-message delay carries the fixed access latency.
 *
 * Cell sites and base stations ride through a mains loss on batteries for backup_s, then go
 * dark until mains returns plus a restart time (net_wt_site_*); batteries recharge linearly.
 *
 * Not here: contention inside the mesh (hops add latency and loss, not load), coverage
 * holes in the LRR network, overlapping cells taking over a dark site's meters, SMETS1
 * meters using another operator's cells (they share the area's site), the 2G/3G switch-off,
 * the SimGrid platform itself (sim/platform.h) and writing traces.  Floating point is fine
 * here: this is the simulator, not firmware.
 */
#ifndef NET_WANTECH_H
#define NET_WANTECH_H

#include "sim/rng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status codes; -53x so they do not collide with other tables of the net_ layer. */
#define NET_WT_ERRNO_MAP(X)                                                                        \
    X(NET_EWT_CONFIG, -531, "invalid WAN technology configuration")                                \
    X(NET_EWT_ARG, -532, "invalid argument")                                                       \
    X(NET_EWT_TOOBIG, -533, "LV substation too large for 16-bit relay indices")                    \
    X(NET_EWT_TIME, -534, "time runs backwards")

enum {
#define NET_WT_ENUM_(name, code, msg) name = code,
    NET_WT_ERRNO_MAP(NET_WT_ENUM_)
#undef NET_WT_ENUM_
};

const char *net_wt_strerror(int code);

/* X(NAME, trace name, description) */
#define NET_WT_TECH_MAP(X)                                                                         \
    X(LRR, "lrr", "SMETS2, DCC North: 400 MHz long-range radio base station (Arqiva)")             \
    X(CELL, "cellular", "SMETS2, DCC Central/South: cellular link of its own hub (Telefonica)")    \
    X(S1, "smets1", "SMETS1: supplier head-end over 2G/3G, reads may need an SMS wake-up")         \
    X(MESH, "mesh", "SMETS2, DCC Central/South, in a coverage hole: relays through neighbours")

typedef enum net_wt_tech {
#define NET_WT_TECH_ENUM_(name, key, desc) NET_WT_##name,
    NET_WT_TECH_MAP(NET_WT_TECH_ENUM_)
#undef NET_WT_TECH_ENUM_
        NET_WT_NTECH
} net_wt_tech;

/* Links with their own figures: LRR, CELL, S1 (a mesh ends on a CELL hub). */
#define NET_WT_NLINK 3

typedef enum net_wt_dcc { NET_WT_NORTH, NET_WT_CENTRAL, NET_WT_SOUTH, NET_WT_NDCC } net_wt_dcc;

/* DNO licence areas, in the order of sim/regions.h (SIM_REGIONS). */
#define NET_WT_REGIONS 14

#define NET_WT_CAND 4        /* candidate relays kept per mesh premises */
#define NET_WT_NONE 0xFFFFu  /* empty candidate slot */
#define NET_WT_UNREACH 0xFFu /* hops: no powered path to a hub with a cellular link */
#define NET_WT_MAX_HOPS 32   /* largest max_hops a configuration may set */

/* flags */
#define NET_WT_F_RURAL 0x01u  /* its LV substation is rural */
#define NET_WT_F_AERIAL 0x02u /* CELL hub with an external aerial: no signal in its substation */

typedef enum net_wt_kind {
    NET_WT_UPLINK, /* meter-initiated: alerts, AD1, pushed data */
    NET_WT_POLLED  /* head-end initiated: scheduled or on-demand reads (SMETS1 may need SMS) */
} net_wt_kind;

typedef enum net_wt_cause {
    NET_WT_DELIVERED,   /* reached the cell queue */
    NET_WT_LOST_ACCESS, /* lost on the radio access link to the site */
    NET_WT_LOST_MESH,   /* lost on a mesh hop after the link-layer retries */
    NET_WT_NO_ROUTE,    /* mesh premises without a powered path */
    NET_WT_SITE_DOWN    /* the area's site is dark */
} net_wt_cause;

/* ---- configuration (one per scenario, const while running) ---------------------------- */

typedef struct net_wt_link {
    double uplink_bps;          /* shared air-interface capacity of one site [bit/s] */
    double backhaul_s;          /* site to head-end network, one way [s] */
    double access_s;            /* fixed radio access latency per message [s] */
    double jitter_s;            /* plus uniform in [0, jitter_s) [s] */
    double loss;                /* residual loss of a message on the access link [1] */
    uint32_t premises_per_site; /* meters one site serves; sizes the engine's areas [-] */
    double backup_s;            /* battery backup of the site [s] */
    double restart_s;           /* dark after mains returns, when the battery ran out [s] */
} net_wt_link;

typedef struct net_wt_config {
    uint64_t seed;
    uint8_t dcc_region[NET_WT_REGIONS]; /* net_wt_dcc of each DNO licence area */
    net_wt_link link[NET_WT_NLINK];     /* indexed by LRR, CELL, S1 */
    double s1_share;                    /* premises with a SMETS1 meter [1] */
    double rural_share;                 /* LV substations that are rural [1] */
    double hole_share[2];       /* Central/South SMETS2 premises in a hole: urban, rural [1] */
    double hole_radius_hops[2]; /* K of the disc model: urban, rural [hops] */
    uint8_t max_hops;           /* longest mesh route [hops], 1..NET_WT_MAX_HOPS */
    uint8_t parents;            /* candidates one level down, 1..NET_WT_CAND [-] */
    uint8_t mesh_retries;       /* link-layer retransmissions per hop [-] */
    double mesh_bps;            /* mesh PHY bit rate [bit/s] */
    double mesh_hop_s;          /* per transmission: channel access, ACK, relay [s] */
    double mesh_frame_loss;     /* one transmission fails [1] */
    double mesh_retry_s;        /* wait before a retransmission [s] */
    double sms_share;           /* SMETS1 polled messages needing an SMS wake-up [1] */
    double sms_median_s;        /* SMS delivery, log-normal median [s] */
    double sms_sigma;           /* SMS delivery, log-normal sigma of ln [1] */
    double sms_attach_s;        /* hub attaches and opens its data session after it [s] */
    double site_supply_share;   /* site mains lost when this share of the area is off [1] */
    double site_recharge_s;     /* empty to full battery with mains on [s] */
} net_wt_config;

void net_wt_config_default(net_wt_config *c);
int net_wt_config_check(const net_wt_config *c);

/* ---- per premises --------------------------------------------------------------------- */

/* 16 bytes.  cand[] are indices within the premises' LV substation (premises id minus the
 * substation's first id), ordered by preference. */
typedef struct net_wt_hh {
    uint16_t cand[NET_WT_CAND]; /* candidate relays, NET_WT_NONE when unused */
    uint8_t tech;               /* net_wt_tech */
    uint8_t dcc;                /* net_wt_dcc */
    uint8_t flags;              /* NET_WT_F_* */
    uint8_t level;              /* hops to a cellular hub with every premises powered [hops] */
    uint8_t hops;               /* hops now; 0 direct; NET_WT_UNREACH [hops] */
    uint8_t via;                /* cand[] slot of the current relay; 0xFF none */
    uint8_t n_cand;             /* candidate slots in use */
    uint8_t pad;
} net_wt_hh;

_Static_assert(sizeof(net_wt_hh) == 16, "net_wt_hh is part of the per-household budget");

/* Technology and links of every premises of one LV substation: premises ids
 * [first, first + n), DNO region REGION (0-based, grid order), substation index LV (its
 * global index in the topology; seeds the rural draw).  OUT has room for N records.  Routes
 * start with every premises powered.  Depends only on (seed, lv, ids), not on areas. */
int net_wt_lv_build(const net_wt_config *c, uint32_t lv, unsigned region, uint64_t first,
                    uint32_t n, net_wt_hh *out);
/* The same, with whether each premises is off the DCC's network given by the fleet instead of
 * drawn at s1_share: NOT_DCC[i] != 0 for a SMETS1 premises (S1 technology) or one without a
 * smart meter (also S1, so it never joins or relays in the DCC mesh; it sends nothing). */
int net_wt_lv_build_fleet(const net_wt_config *c, uint32_t lv, unsigned region, uint64_t first,
                          uint32_t n, const uint8_t *not_dcc, net_wt_hh *out);

/* Recompute the routes of one LV substation's N premises (OFF NULL: all supplied):
 * OFF[i] != 0 means premises i has no supply, so its hub relays nothing.  Sets hops and
 * via of every record.  For a premises without supply they describe the route its hub's
 * last-gasp AD1 would take (0 for a cellular hub, through powered relays for a mesh hub);
 * the engine decides whether such a hub sends at all. */
int net_wt_mesh_repair(const net_wt_config *c, net_wt_hh *hh, uint32_t n, const uint8_t *off);

/* Analytic nominal hop distribution of the disc model: P(h = k) for K = radius in hops,
 * capped at MAX_HOPS (the tail is folded onto MAX_HOPS). */
double net_wt_mesh_level_pmf(double radius_hops, unsigned max_hops, unsigned k);

/* Loss of one mesh hop after the link-layer retries: frame_loss^(retries+1). */
double net_wt_mesh_hop_loss(const net_wt_config *c);

/* ---- per message ---------------------------------------------------------------------- */

typedef struct net_wt_send {
    double delay_s;   /* add before the message enters the cell queue [s] */
    uint8_t cause;    /* net_wt_cause; NET_WT_DELIVERED unless lost */
    uint8_t hops;     /* mesh hops crossed [hops] */
    uint8_t attempts; /* transmissions, mesh retries and the access link included [-] */
    uint8_t sms;      /* 1: an SMS wake-up came first */
} net_wt_send;

void net_wt_rng_seed(sim_rng *r, uint64_t seed, uint64_t premises);

/* One message of BYTES from premises H (whose hub is powered) while the area's site is up
 * or not; draws from R, the premises' "wan.link" stream. */
int net_wt_message(const net_wt_config *c, const net_wt_hh *h, sim_rng *r, net_wt_kind kind,
                   uint32_t bytes, bool site_up, net_wt_send *out);

/* ---- per area ------------------------------------------------------------------------- */

/* Technology of the sites of an area in DNO region REGION: NET_WT_LRR or NET_WT_CELL. */
net_wt_tech net_wt_area_tech(const net_wt_config *c, unsigned region);
/* Uplink of such an area for the SimGrid platform [bit/s], [s]. */
int net_wt_area_link(const net_wt_config *c, unsigned region, double *bps, double *latency_s);
/* Meters one site serves in REGION: the engine's area size there. */
uint32_t net_wt_area_households(const net_wt_config *c, unsigned region);

/* Site of one area: battery backup, dark spells. */
typedef struct net_wt_site {
    double t_ch;       /* time of the last mains change [s] */
    double reserve_s;  /* battery reserve at t_ch [s of backup] */
    double dark_since; /* start of the dark spell under way at t_ch [s] */
    double downtime_s; /* dark time of spells that ended by t_ch [s] */
    uint32_t spells;   /* dark spells begun by t_ch [-] */
    uint8_t tech;      /* net_wt_tech of its link (LRR, CELL or S1) */
    uint8_t mains;     /* 1: mains since t_ch */
    uint8_t dark;      /* 1: dark at t_ch */
} net_wt_site;

/* Full battery, mains on, up, at time T0_S. */
int net_wt_site_init(const net_wt_config *c, net_wt_site *s, net_wt_tech tech, double t0_s);
/* The site's mains goes ON or off at T_S (>= the last change; same state is a no-op). */
int net_wt_site_mains(const net_wt_config *c, net_wt_site *s, double t_s, bool on);
/* Whether the site carries traffic at T_S (>= the last mains change). */
bool net_wt_site_up(const net_wt_config *c, const net_wt_site *s, double t_s);
/* When the site next changes between up and dark if mains stays as it is: dark strictly
 * after the returned time, or up from it; INFINITY when nothing is due. */
double net_wt_site_next(const net_wt_config *c, const net_wt_site *s);
/* Dark time and spells up to T_S [s], [-]. */
void net_wt_site_downtime(const net_wt_config *c, const net_wt_site *s, double t_s, double *down_s,
                          uint32_t *spells);
/* One outage of a fresh site of TECH: mains lost at LOST_S, back at RESTORED_S.  Returns 1
 * and the dark interval (DOWN_S, UP_S) when the outage exceeds the backup, else 0. */
int net_wt_site_outage(const net_wt_config *c, net_wt_tech tech, double lost_s, double restored_s,
                       double *down_s, double *up_s);
/* Mains of an area's site, from its premises: lost when N_OFF >= site_supply_share * N. */
bool net_wt_site_mains_on(const net_wt_config *c, uint32_t n_off, uint32_t n);

const char *net_wt_tech_name(net_wt_tech t);
const char *net_wt_dcc_name(net_wt_dcc d);

#endif

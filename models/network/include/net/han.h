/* Home area network (HAN) of one premises: which devices reach the comms hub on which
 * band, how well IEEE 802.15.4 unslotted CSMA/CA delivers their traffic when neighbouring
 * HANs and WiFi share the channel, and how much of the gas meter's battery that costs.
 *
 * A premises has an electricity meter (ESME, the comms hub sits on it), usually a gas
 * meter (GSME, battery powered, wakes every 30 min), an in-home display (IHD) and
 * sometimes a prepayment meter interface device (PPMID).  Single-band hubs speak ZigBee
 * at 2.4 GHz only; dual-band hubs add GB 868 MHz (seed 003).
 *
 * Two modes (households are records advanced by their area, not SimGrid actors):
 *  - analytic, for scale: net_han_eval() solves a fixed-point model of unslotted CSMA/CA
 *    for the premises' own flows plus its co-channel neighbours (assumed to carry the same
 *    traffic, a mean-field assumption) and writes delivery probability, latency, retries
 *    and access failures into the premises record;
 *  - detailed, for small scenarios: net_han_des_* simulates the same frames one by one
 *    (backoffs, CCA, collisions, ACKs, retries, WiFi bursts); net_han_detail_run() runs it
 *    for a group of premises that share a channel and writes the same statistics.
 * tests/network/test_han_csma.c checks one against the other.
 *
 * Randomness: reachability and the gas meter's wake phase come from the stream (seed,
 * premises id, "han.reach"); the detailed mode from (seed, group id, "han.des").  No
 * result depends on the order premises are visited.
 *
 * Not here: joining, key establishment and channel agility (a HAN is formed when the run
 * starts); hidden terminals between neighbouring HANs (every co-channel node hears every
 * other); capture effect; APS-layer retries; the GBCS content of messages; writing traces
 * (the engine writes what these structs hold).
 */
#ifndef NET_HAN_H
#define NET_HAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status codes; -52x so they do not collide with other tables of the net_ layer. */
#define NET_HAN_ERRNO_MAP(X)                                                                       \
    X(NET_EHAN_CONFIG, -521, "invalid HAN configuration")                                          \
    X(NET_EHAN_ARG, -522, "invalid argument")                                                      \
    X(NET_EHAN_NOGAS, -523, "premises has no gas meter")                                           \
    X(NET_EHAN_NOMEM, -524, "out of memory")                                                       \
    X(NET_EHAN_CAPACITY, -525, "detailed simulation event queue full")                             \
    X(NET_EHAN_TIME, -526, "time runs backwards")

enum {
#define NET_HAN_ENUM_(name, code, msg) name = code,
    NET_HAN_ERRNO_MAP(NET_HAN_ENUM_)
#undef NET_HAN_ENUM_
};

const char *net_han_strerror(int code);

typedef enum net_han_dev {
    NET_HAN_ESME,
    NET_HAN_GSME,
    NET_HAN_IHD,
    NET_HAN_PPMID,
    NET_HAN_NDEV
} net_han_dev;
typedef enum net_han_band { NET_HAN_2G4, NET_HAN_868, NET_HAN_NBAND } net_han_band;
typedef enum net_han_dwelling { NET_HAN_HOUSE, NET_HAN_FLAT, NET_HAN_NDWELLING } net_han_dwelling;
typedef enum net_han_hub { NET_HAN_HUB_SINGLE, NET_HAN_HUB_DUAL } net_han_hub;
typedef enum net_han_wifi_mode {
    NET_HAN_WIFI_NONE,
    NET_HAN_WIFI_BUSY_P, /* each CCA busy with probability busy_p, each frame lost with fer */
    NET_HAN_WIFI_DUTY    /* on/off bursts: on-time fraction duty, mean burst burst_s */
} net_han_wifi_mode;
/* GB sub-GHz duty-cycle states; entering each raises 0x8F20/0x8F22/0x8F24, leaving it
 * 0x8F21/0x8F23/0x8F25; messages over the Regulated limit are discarded with 0x8F2C
 * (GBCS alert codes, wireshark packet-gbcs.c). */
typedef enum net_han_dc_state {
    NET_HAN_DC_NORMAL,
    NET_HAN_DC_LIMITED,
    NET_HAN_DC_CRITICAL,
    NET_HAN_DC_REGULATED
} net_han_dc_state;

/* ---- configuration (one per scenario, const while running) ---------------------------- */

typedef struct net_han_phy {
    double bit_rate;         /* PSDU bit rate [bit/s] */
    double unit_backoff_s;   /* aUnitBackoffPeriod [s] */
    double cca_s;            /* CCA detection time [s] */
    double turnaround_s;     /* aTurnaroundTime, RX<->TX [s] */
    double ack_wait_s;       /* macAckWaitDuration, from end of frame [s] */
    double sifs_s, lifs_s;   /* interframe spacing after short (<= 18 B MPDU) / long frames [s] */
    uint16_t overhead_bytes; /* preamble + SFD + PHR ahead of the PSDU [B] */
    uint16_t ack_psdu_bytes; /* PSDU of an immediate ACK [B] */
    /* link budget and propagation */
    double freq_hz;        /* centre frequency [Hz] */
    double tx_dbm;         /* transmit power [dBm] */
    double sens_dbm;       /* receiver sensitivity [dBm] */
    double fade_margin_db; /* margin a link needs above sensitivity to count as reached [dB] */
    double pl_exponent;    /* log-distance path-loss exponent beyond 1 m [1] */
    double wall_light_db;  /* partition (plasterboard, timber stud) [dB] */
    double wall_heavy_db;  /* brick, block or external wall, metal meter cupboard [dB] */
    double floor_db[NET_HAN_NDWELLING]; /* per floor: timber in houses, concrete in flats [dB] */
    double shadow_sigma_db;             /* log-normal shadowing standard deviation [dB] */
    /* radio currents of the gas meter on this band */
    double tx_ma, rx_ma; /* [mA] */
} net_han_phy;

typedef struct net_han_mac {
    uint8_t min_be;       /* macMinBE */
    uint8_t max_be;       /* macMaxBE */
    uint8_t max_backoffs; /* macMaxCSMABackoffs */
    uint8_t max_retries;  /* macMaxFrameRetries */
} net_han_mac;

/* Where a device sits relative to the hub: uniform ranges drawn per premises. */
typedef struct net_han_site {
    float d_min_m, d_max_m;       /* distance [m] */
    uint8_t heavy_min, heavy_max; /* heavy walls crossed */
    uint8_t light_min, light_max; /* light walls crossed */
    uint8_t floor_min, floor_max; /* floors crossed */
} net_han_site;

/* One class of HAN traffic; every premises whose devices exist carries it. */
typedef struct net_han_flow_cfg {
    uint8_t dev;         /* net_han_dev at the far end from the hub */
    uint8_t to_hub;      /* 1: device -> hub, 0: hub -> device */
    uint16_t psdu_bytes; /* MAC frame incl. headers and MIC [B] */
    double period_s;     /* one message every period [s] */
} net_han_flow_cfg;

#define NET_HAN_MAX_FLOWS 8

typedef struct net_han_wifi {
    uint8_t mode;   /* net_han_wifi_mode */
    double busy_p;  /* BUSY_P: probability a CCA finds WiFi energy [1] */
    double fer;     /* BUSY_P: probability WiFi corrupts a frame [1] */
    double duty;    /* DUTY: fraction of time a WiFi burst is on air [1] */
    double burst_s; /* DUTY: mean burst length (exponential) [s] */
} net_han_wifi;

typedef struct net_han_battery {
    double capacity_mah;          /* usable charge [mAh] */
    double sleep_ua;              /* average current between wakes, metrology included [uA] */
    double wake_period_s;         /* the GSME wakes this often [s] */
    double mcu_ma;                /* MCU active current [mA] */
    double mcu_wake_s;            /* MCU active time per wake, excl. radio [s] */
    double radio_idle_ma;         /* radio on but not RX/TX (backoff waits) [mA] */
    double poll_rx_s;             /* receiver on waiting for the hub's reply to a poll [s] */
    uint16_t ota_block_bytes;     /* image bytes per OTA block [B] */
    double ota_awake_per_block_s; /* receiver on per block (hub fetch, min block period) [s] */
    double ota_verify_s;          /* MCU time to hash and verify an image [s] */
} net_han_battery;

typedef struct net_han_duty_cycle {
    double limited, critical, regulated; /* fraction of airtime per window [1] */
    double window_s;                     /* measurement window [s] */
} net_han_duty_cycle;

typedef struct net_han_config {
    net_han_phy phy[NET_HAN_NBAND];
    net_han_mac mac;
    net_han_site site[NET_HAN_NDWELLING][NET_HAN_NDEV]; /* meters inside the home */
    net_han_site site_remote[NET_HAN_NDEV];             /* meters in a communal room or riser */
    double remote_share[NET_HAN_NDWELLING];             /* premises whose meters are remote [1] */
    net_han_flow_cfg flow[NET_HAN_MAX_FLOWS];
    uint8_t n_flows;
    net_han_wifi wifi; /* on 2.4 GHz only */
    double per;        /* residual frame error rate on a reached link [1] */
    net_han_battery battery;
    net_han_duty_cycle dc; /* 868 MHz only */
    /* population mix used by net_han_draw_params() */
    double flat_share;                      /* [1] */
    double gas_share[NET_HAN_NDWELLING];    /* [1] */
    double ppmid_share;                     /* [1] */
    double dual_band_share;                 /* [1] */
    uint16_t neighbours[NET_HAN_NDWELLING]; /* co-channel HANs around a premises */
} net_han_config;

void net_han_config_default(net_han_config *c);
int net_han_config_check(const net_han_config *c);

/* ---- per-premises record ----------------------------------------------------------------- */

typedef struct net_han_params {
    uint8_t dwelling; /* net_han_dwelling */
    uint8_t hub;      /* net_han_hub */
    bool has_gas, has_ppmid;
    uint16_t neighbours; /* co-channel HANs contending with this one */
} net_han_params;

/* dev[] bits */
#define NET_HAN_PRESENT 0x01u
#define NET_HAN_REACH_2G4 0x02u
#define NET_HAN_REACH_868 0x04u
#define NET_HAN_BAND_SHIFT 3 /* 2 bits: 0 = 2.4 GHz, 1 = 868 MHz, 3 = none */
#define NET_HAN_BAND_NONE 3u
/* flags bits */
#define NET_HAN_REMOTE_METERS 0x01u /* meters (and hub) in a communal room, not in the home */
#define NET_HAN_BEYOND_2G4 0x02u    /* analytic mode beyond net_han_csma_valid_load on 2.4 GHz */
#define NET_HAN_BEYOND_868 0x04u    /* ... on 868 MHz */

typedef struct net_han {
    float p_deliver;           /* messages of reached devices that are ACKed [1] */
    float latency_s;           /* mean arrival-to-ACK time of delivered messages [s] */
    float retries;             /* retransmissions per message [1] */
    float p_access_fail;       /* messages dropped on channel access failure [1] */
    double gas_charge_mas;     /* gas battery charge drawn since install [mA s] */
    uint32_t gas_span_s;       /* time accounted on the gas battery [s] */
    uint32_t gas_wakes;        /* wakes accounted */
    uint32_t ota_bytes;        /* OTA image bytes received by the gas meter [B] */
    float gas_wake_mas;        /* charge per wake under the current HAN conditions [mA s] */
    float dc_868;              /* highest 868 MHz airtime share of any device [1] */
    uint16_t gas_phase_s;      /* wake times are gas_phase_s + k * wake_period [s] */
    uint16_t neighbours;       /* co-channel HANs */
    uint8_t dev[NET_HAN_NDEV]; /* NET_HAN_PRESENT | NET_HAN_REACH_* | band << SHIFT */
    int8_t margin_db[NET_HAN_NDEV][NET_HAN_NBAND]; /* link margin over sens + fade [dB] */
    uint8_t dwelling, hub;
    uint8_t dc_state; /* net_han_dc_state of the worst 868 MHz device */
    uint8_t flags;    /* NET_HAN_REMOTE_METERS, NET_HAN_BEYOND_* (set by net_han_eval) */
} net_han;

/* Solutions of the analytic mode kept by their inputs.  A fleet's premises share a handful
 * of (band, flows on it, neighbours) combinations, and each solve is an iterative fixed point:
 * with a memo each combination is solved once.  Results are bit-identical with and without
 * one.  A memo belongs to the configuration it was created for (its address); not
 * thread-safe. */
typedef struct net_han_memo net_han_memo;
/* NULL: out of memory. */
net_han_memo *net_han_memo_create(const net_han_config *c);
void net_han_memo_destroy(net_han_memo *m);
/* Solves it answered, and solves it ran (and kept). */
void net_han_memo_stats(const net_han_memo *m, uint64_t *hits, uint64_t *misses);

/* Draw dwelling, gas, PPMID and hub type from the config's mix (stream "han.mix"). */
void net_han_draw_params(const net_han_config *c, uint64_t seed, uint64_t premises_id,
                         net_han_params *out);

/* Place the devices, decide reachability and bands, set nominal (uncontended) statistics
 * (net_han_eval with MEMO, which may be NULL). */
int net_han_init(net_han *h, const net_han_config *c, uint64_t seed, uint64_t premises_id,
                 const net_han_params *p, net_han_memo *memo);

static inline bool net_han_present(const net_han *h, net_han_dev d)
{
    return h->dev[d] & NET_HAN_PRESENT;
}
static inline bool net_han_reaches(const net_han *h, net_han_dev d, net_han_band b)
{
    return h->dev[d] & (b == NET_HAN_2G4 ? NET_HAN_REACH_2G4 : NET_HAN_REACH_868);
}
/* Band the device uses, or -1 if it is absent or reaches the hub on no band it has. */
static inline int net_han_band_used(const net_han *h, net_han_dev d)
{
    unsigned b = (h->dev[d] >> NET_HAN_BAND_SHIFT) & 3u;
    return b == NET_HAN_BAND_NONE ? -1 : (int)b;
}
/* Every present device reaches the hub: the premises gets IHD data and smart reads. */
bool net_han_works(const net_han *h);

/* Analytic mode: solve CSMA/CA for this premises and its neighbours, update the record's
 * delivery statistics, per-wake gas charge and 868 MHz duty-cycle state, and set
 * NET_HAN_BEYOND_<band> where the band's offered load exceeds net_han_csma_valid_load(). */
int net_han_eval(const net_han_config *c, net_han *h, net_han_memo *memo);
/* Offered load on BAND of premises H and its neighbours as net_han_eval() sees it
 * (net_han_csma_load of the flows of the devices on BAND, each 1 + neighbours times) [1]. */
double net_han_load(const net_han_config *c, const net_han *h, net_han_band band);

/* ---- gas meter battery --------------------------------------------------------------------- */

/* Account the gas meter over (t0_s, t1_s] [s since start]: sleep current and every wake
 * in the span.  Splitting a span into pieces gives the same wake count. */
int net_han_gas_account(const net_han_config *c, net_han *h, uint32_t t0_s, uint32_t t1_s,
                        uint32_t *wakes);
/* First wake strictly after T_S. */
uint32_t net_han_gas_next_wake(const net_han_config *c, const net_han *h, uint32_t t_s);
/* The gas meter receives an OTA firmware image of BYTES. */
int net_han_gas_ota(const net_han_config *c, net_han *h, uint32_t bytes);

typedef struct net_han_battery_out {
    double used_mah;   /* drawn so far [mAh] */
    double steady_ua;  /* average current of routine operation [uA] */
    double life_years; /* projected life: accounted span + remaining / steady [yr] */
} net_han_battery_out;
int net_han_gas_battery(const net_han_config *c, const net_han *h, net_han_battery_out *out);

/* ---- analytic CSMA/CA ---------------------------------------------------------------------- */

/* COUNT identical flows, each one node sending RATE_HZ Poisson messages of PSDU bytes. */
typedef struct net_han_class {
    double count;
    double rate_hz;
    uint16_t psdu_bytes;
} net_han_class;

typedef struct net_han_csma {
    double p_deliver;     /* [1] */
    double p_access_fail; /* dropped after macMaxCSMABackoffs busy CCAs [1] */
    double p_retry_fail;  /* dropped after macMaxFrameRetries [1] */
    double retries;       /* attempts - 1 per message [1] */
    double service_s;     /* head-of-line to ACK, delivered messages [s] */
    double latency_s;     /* arrival to ACK (service + queueing), delivered messages [s] */
    double alpha;         /* probability a CCA finds the channel busy [1] */
    double p_collision;   /* probability a transmitted frame or its ACK collides [1] */
    double cca_per_msg, tx_per_msg; /* [1] */
    double backoff_per_msg_s;       /* time spent in random backoff per message [s] */
} net_han_csma;

#define NET_HAN_CSMA_MAX_CLASSES 16

/* Fixed point for N (<= NET_HAN_CSMA_MAX_CLASSES) classes on BAND, each COUNT >= 1;
 * OUT[i] describes one flow of class i. */
int net_han_csma_solve(const net_han_config *c, net_han_band band, const net_han_class *cls,
                       size_t n, net_han_csma *out);

/* Airtime of a frame of PSDU bytes on BAND [s]. */
double net_han_frame_s(const net_han_config *c, net_han_band band, unsigned psdu_bytes);

/* Offered load of N classes on BAND: the share of time their messages would hold the channel
 * if each took one attempt, from the clear CCA to the end of the ACK (turnaround, frame,
 * turnaround, ACK) [1].  Retransmissions are left out: they are the model's output. */
double net_han_csma_load(const net_han_config *c, net_han_band band, const net_han_class *cls,
                         size_t n);

/* Offered load (net_han_csma_load) up to which net_han_csma_solve() agrees with the
 * frame-level mode within its stated tolerance on BAND, for the default PHY and MAC figures
 * (han_csma.c, "Validity"; tests/network/test_han_csma.c checks both sides).  Beyond it the
 * model's access failures and retries are too low: use the detailed mode. */
double net_han_csma_valid_load(net_han_band band);

/* ---- detailed frame-level mode -------------------------------------------------------------- */

typedef struct net_han_des_flow {
    uint32_t src, dst;   /* node indices */
    double rate_hz;      /* messages per second */
    uint16_t psdu_bytes; /* [B] */
    uint8_t arrivals;    /* 0 Poisson, 1 periodic with a random phase, 2 saturated */
} net_han_des_flow;

typedef struct net_han_des_stats {
    uint64_t generated, delivered; /* messages arriving after the warm-up */
    uint64_t access_fail, retry_fail, queue_drop;
    uint64_t attempts;                   /* CSMA attempts of finished messages */
    double latency_sum_s, service_sum_s; /* over delivered messages [s] */
    /* channel-wide counters, the same in every flow's record */
    uint64_t cca, cca_busy;             /* all CCAs, busy ones */
    uint64_t cca_first, cca_first_busy; /* first CCA of each attempt (NB = 0) */
    uint64_t tx, tx_collided;           /* data frames sent, lost to collisions */
} net_han_des_stats;

typedef struct net_han_des net_han_des;

/* One collision domain on BAND: every node hears every other. Copies FLOWS. */
int net_han_des_create(net_han_des **out, const net_han_config *c, net_han_band band,
                       uint32_t n_nodes, const net_han_des_flow *flows, size_t n_flows,
                       uint64_t seed, uint64_t group_id, double warmup_s);
void net_han_des_destroy(net_han_des *s);
/* Advance to T_S [s]; may be called repeatedly with increasing times. */
int net_han_des_run(net_han_des *s, double t_s);
/* Per-flow statistics; channel-wide counters are in every flow's record. */
int net_han_des_stats_get(const net_han_des *s, size_t flow, net_han_des_stats *out);

/* A star on BAND: N nodes each sending messages of PSDU bytes at LAMBDA [1/s] (ARRIVALS as
 * in net_han_des_flow) to node 0, for SPAN_S after a 5 s warm-up (seed 11, stream GROUP);
 * the flows' statistics summed into OUT (channel-wide counters as one flow's).  The
 * reference the analytic model is measured against (test_han_csma, bench/han_csma). */
int net_han_des_star(const net_han_config *c, net_han_band band, int n, double lambda,
                     unsigned psdu, uint8_t arrivals, double span_s, uint64_t group,
                     net_han_des_stats *out);

/* Flows of premises H on BAND as DES flows; the hub is node BASE, device d node BASE+1+d.
 * Returns the number written (at most MAX). */
size_t net_han_des_flows(const net_han_config *c, const net_han *h, net_han_band band,
                         uint32_t base, net_han_des_flow *out, size_t max);

/* Detailed mode for N premises sharing a channel (a block of flats, a street): simulates
 * SPAN_S seconds per band after a warm-up and writes the delivery statistics of each
 * record as net_han_eval() would (p_deliver, latency_s, retries, p_access_fail only; the
 * gas charge per wake and the 868 MHz duty cycle stay those of the analytic mode).  Each
 * band runs on the stream (seed, group_id * NET_HAN_NBAND + band, "han.des").  Records'
 * neighbour counts are not used: the group is the neighbourhood. */
int net_han_detail_run(const net_han_config *c, net_han *hs, size_t n, double span_s, uint64_t seed,
                       uint64_t group_id);

#endif

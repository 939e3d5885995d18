/* Scenario: a YAML file (plus `extends:` bases and `--set` overrides) turned into
 * one validated, fully resolved struct that the engine reads.
 *
 * The schema lives in scenario/keys.c: one table row per leaf key of this struct (dotted
 * path, type, unit kind, range, default, one-line doc).  The same table drives
 * validation, the README's scenario reference (`metersim validate --reference`) and the
 * resolved text stored in every trace; the machinery in scenario/ takes any such table
 * (scenario/load.h), sequences of records included.  Values are held in SI units (seconds, watts,
 * bytes, bit/s, fractions) whatever unit the file wrote them in.
 *
 * It does not know about SimGrid, HDF5 or the models: it only fills numbers.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_NAME_MAX 64
#define SIM_REGIONS_TEXT 192 /* a list of licence areas by name */

/* The enum keys, in the order the reference lists their values (keys.c names them). */
typedef enum sim_load_model { SIM_LOAD_CREST, SIM_LOAD_BASIC } sim_load_model;
typedef enum sim_tariff {
    SIM_TARIFF_FLAT,
    SIM_TARIFF_E7,
    SIM_TARIFF_TOU,
    SIM_TARIFF_AGILE,
    SIM_TARIFF_RTP,
    SIM_TARIFF_BLOCK,  /* the household's supplier's block tariff */
    SIM_TARIFF_HYBRID  /* static TOU rates plus the supplier's block prices */
} sim_tariff;
#define SIM_TARIFFS 7
/* A population's tariff: prices.tariff, drawn from its supplier's menu, or one named
 * (population tariff value k >= SIM_POP_TARIFF_FIXED is sim_tariff k - SIM_POP_TARIFF_FIXED). */
enum { SIM_POP_TARIFF_DEFAULT = 0, SIM_POP_TARIFF_MENU = 1, SIM_POP_TARIFF_FIXED = 2 };
typedef enum sim_generation {
    SIM_GEN_SMETS2,     /* DCC WAN (regional technology), the SMETS2 image */
    SIM_GEN_SMETS1,     /* its SMETS1 operator's 2G/3G WAN to its supplier's head-end */
    SIM_GEN_TRADITIONAL /* meters and bills, sends and receives nothing */
} sim_generation;
#define SIM_GENERATIONS 3
/* SMETS1 operators (SMSO) that run SMETS1 meters' WAN (Utility Week: IOC, MOC, FOC cohorts). */
typedef enum sim_smso { SIM_SMSO_IOC, SIM_SMSO_MOC, SIM_SMSO_FOC } sim_smso;
typedef enum sim_block_period_key { SIM_BLOCK_PERIOD_DAY, SIM_BLOCK_PERIOD_WEEK, SIM_BLOCK_PERIOD_MONTH } sim_block_period_key;
typedef enum sim_wan_technology { SIM_WAN_MODEL, SIM_WAN_UNIFORM } sim_wan_technology;
typedef enum sim_price_delivery {
    SIM_PRICE_AUTO,
    SIM_PRICE_BROADCAST,
    SIM_PRICE_UNICAST
} sim_price_delivery;
typedef enum sim_discipline { SIM_DISCIPLINE_FIFO, SIM_DISCIPLINE_PRIORITY } sim_discipline;
#define SIM_TEXT_MAX 256
#define SIM_SUPPLIERS_MAX 16
#define SIM_POPULATIONS_MAX 32
#define SIM_POP_NAME_MAX 32

/* suppliers[k]: one energy supplier. */
typedef struct sim_supplier {
    char name[SIM_POP_NAME_MAX];   /* name: required */
    double share;                  /* share: market share (normalised over suppliers) [fraction] */
    sim_smso smets1_operator;      /* smets1_operator: ioc | moc | foc */
    uint32_t hes_servers;          /* smets1_headend.servers [-] */
    uint32_t hes_queue;            /* smets1_headend.queue_capacity [requests] */
    double menu[SIM_TARIFFS];      /* tariffs.<name>: share of its customers on each [fraction] */
    char block_thresholds[64];     /* block.thresholds: "4 kWh" */
    char block_prices[96];         /* block.prices: "20 p/kWh, 30 p/kWh" */
    sim_block_period_key block_period; /* block.period: day | week | month */
} sim_supplier;

/* One step of a dated national rate, in force from its date to the next step's:
 * migration.capacity[k] (per_day: SMETS1 meters the DCC migrates a day), installs.schedule[k]
 * and switching.schedule[k] (per_year: installs, supplier switches a year). */
typedef struct sim_dated_rate {
    int64_t from_unix; /* from: date [s since 1970] */
    uint32_t value;    /* per_day or per_year, national */
} sim_dated_rate;
#define SIM_DATED_RATES 32

/* firmware_campaigns[k]: a new image sent over the air to a population's meters. */
typedef struct sim_fw_campaign {
    char name[SIM_POP_NAME_MAX];       /* name: required */
    char population[SIM_POP_NAME_MAX]; /* population: the target population's name */
    char firmware[512];                /* firmware: the new image (as fleet.populations' key) */
    uint32_t version;                  /* version: its version number (GBCS: 32 bits) */
    int64_t start_unix;                /* start: first day of distribution [s] */
    uint32_t per_day;                  /* per_day: meters a day, national */
    double corrupt;                    /* corrupt: distributions arriving damaged [fraction] */
    double retry_s;                    /* retry_after: a failed distribution sent again [s] */
    double activate_s;                 /* activate_after: distributed to activation command [s] */
    uint32_t block_bytes;              /* block_size: image bytes per distribution frame [B] */
    uint32_t gas_image_bytes;          /* gas_image_size: the gas meter's image over the HAN [B] */
    double false_ad1;                  /* false_ad1: activations whose hub reboot sends an AD1 */
} sim_fw_campaign;
#define SIM_CAMPAIGNS_MAX 8

/* commands[k] and attack[k]: a run of supplier commands (or an attacker's) sent to a share of
 * the households (sim/command.h). */
typedef enum sim_cmd_id {
    SIM_CMD_DISABLE,       /* supply disable (critical, signed) */
    SIM_CMD_ENABLE,        /* supply enable */
    SIM_CMD_ARM,           /* supply arm: the customer's button closes the contactor */
    SIM_CMD_PREPAYMENT,    /* mode change to prepayment (critical, signed) */
    SIM_CMD_CREDIT,        /* mode change to credit (critical, signed) */
    SIM_CMD_LOAD_LIMIT,    /* load limit threshold, period and restoration */
    SIM_CMD_LOAD_LIMIT_OFF /* load limiting off (threshold 0) */
} sim_cmd_id;
typedef enum sim_cmd_sender {
    SIM_SENDER_SUPPLIER,   /* the household's supplier, through its route (commands[k]) */
    SIM_SENDER_FORGED,     /* an attacker on the WAN without keys */
    SIM_SENDER_REPLAY,     /* an attacker replaying frames captured from an earlier run */
    SIM_SENDER_COMPROMISED /* an attacker holding a supplier's keys, through the DCC as that user */
} sim_cmd_sender;
typedef enum sim_cmd_payment { SIM_PAY_ANY, SIM_PAY_PREPAYMENT, SIM_PAY_CREDIT } sim_cmd_payment;

typedef struct sim_cmd_run {
    char name[SIM_POP_NAME_MAX];       /* name: required, unique over commands and attack */
    sim_cmd_sender sender;             /* attack[k].kind; SIM_SENDER_SUPPLIER for commands[k] */
    sim_cmd_id command;                /* command */
    char supplier[SIM_POP_NAME_MAX];   /* supplier: whose customers ("" every supplier's) */
    char population[SIM_POP_NAME_MAX]; /* population: "" every population */
    char regions[SIM_REGIONS_TEXT];    /* regions: "all" or a list (sim_region_list) */
    sim_cmd_payment payment;           /* payment: any | prepayment | credit, at the run's start */
    double share;                      /* share: of the households that match [fraction] */
    char targets_of[SIM_POP_NAME_MAX]; /* targets_of: "" or an earlier run whose disconnected
                                          meters (still off) are the candidates */
    char replay_of[SIM_POP_NAME_MAX];  /* replay_of: the run whose frames a replay resends */
    int64_t start_s;                   /* start [s after the run start] */
    double rate;                       /* rate: commands a second, national; 0 all at once */
    double load_limit_w;               /* load_limit.threshold [W] */
    double load_limit_period_s;        /* load_limit.period [s] */
    double load_limit_restore_s;       /* load_limit.restore_after [s] */
    double button_s;                   /* button_within: arm, customers press within [s] */
} sim_cmd_run;
/* The head-end's request classes (net/headend.h's NET_HE_NCLASS; sink.c checks it). */
#define SIM_HE_CLASSES 12
#define SIM_CMD_RUNS_MAX 8 /* in commands, and again in attack */

/* fleet.populations[k]: households with one kind of meter, image, supplier and tariff. */
typedef struct sim_population {
    char name[SIM_POP_NAME_MAX];   /* name: required */
    double share;                  /* share: of the households of its regions (normalised) */
    uint32_t count;                /* count: exactly this many households; 0: by share */
    sim_generation generation;     /* generation: smets2 | smets1 | traditional */
    char firmware[512];            /* firmware: "" the generation's, builtin:smets2|smets1, or a path */
    char supplier[SIM_POP_NAME_MAX]; /* supplier: a supplier's name; "" drawn by market share */
    char regions[SIM_REGIONS_TEXT]; /* regions: "all" or a list (sim_region_list) */
    int tariff;                    /* tariff: SIM_POP_TARIFF_* */
    double prepayment_share;       /* prepayment_share: < 0 meter.prepayment_share [fraction] */
    double dr_engaged_share;       /* dr_engaged_share: < 0 load.dr.engaged_share [fraction] */
    double adopted_share;          /* adopted_share: SMETS1 adopted by the DCC at the start */
    double dumb_share;             /* dumb_share: smart meters in traditional mode at the start */
} sim_population;

/* `sweep:` in one of its three forms: {key: a.b, values: [...]} (one key), {grid: [{key,
 * values}, ...]} (every combination, the first key outermost, the last fastest) or {zip: [...]}
 * (the i-th values of every key together, the lists of one length).  A point is one run. */
#define SIM_SWEEP_KEYS 8       /* keys in one sweep */
#define SIM_SWEEP_MAX 256      /* values of one key */
#define SIM_SWEEP_POINTS 10000 /* runs in one sweep: a grid grows fast, a typo should not fork
                                  a million processes */
typedef enum sim_sweep_form {
    SIM_SWEEP_NONE,
    SIM_SWEEP_ONE, /* {key, values} */
    SIM_SWEEP_GRID,
    SIM_SWEEP_ZIP
} sim_sweep_form;

typedef struct sim_sweep_axis {
    char key[128];
    size_t n;
    char values[SIM_SWEEP_MAX][64]; /* as written in the file */
} sim_sweep_axis;

typedef struct sim_sweep {
    sim_sweep_form form;
    size_t n_keys;
    size_t n_points; /* 0: no sweep */
    sim_sweep_axis axis[SIM_SWEEP_KEYS];
} sim_sweep;

typedef struct sim_scenario {
    char name[SIM_NAME_MAX];        /* name: required, [A-Za-z0-9_.-]+ */
    char description[SIM_TEXT_MAX]; /* description: free text, default "" */
    uint64_t seed;                  /* seed: default 1; --seed overrides */
    int64_t start_unix;             /* start: ISO-8601 UTC date or date-time [s since epoch] */
    int64_t duration_s;             /* duration: required, multiple of 30 min, 30 min..400 d [s] */
    uint32_t households;            /* households: required, 1..50,000,000 */
    sim_supplier suppliers[SIM_SUPPLIERS_MAX]; /* suppliers: 1..16 */
    uint32_t n_suppliers;

    struct {
        sim_population populations[SIM_POPULATIONS_MAX]; /* fleet.populations: 1..32 */
        uint32_t n_populations;
        uint32_t national_households; /* fleet.national_households: the sample stands for */
    } fleet;

    struct {
        bool enabled;                /* migration.enabled */
        int64_t start_unix[3];       /* migration.start.ioc|moc|foc: cohort starts [s] */
        sim_dated_rate capacity[SIM_DATED_RATES]; /* migration.capacity */
        uint32_t n_capacity;
        double p_no_wan_before;      /* migration.failure.no_wan_before [fraction per attempt] */
        double p_no_wan_during;      /* migration.failure.no_wan_during */
        double p_missing_keys;       /* migration.failure.missing_keys (excluded at once) */
        uint32_t max_attempts;       /* migration.max_attempts */
        double translation_s;        /* migration.translation_latency [s] */
        uint32_t request_bytes;      /* migration.request_size [B] */
    } migration;

    struct {
        bool enabled;                /* installs.enabled */
        sim_dated_rate schedule[SIM_DATED_RATES]; /* installs.schedule: per_year, national */
        uint32_t n_schedule;
        char population[SIM_POP_NAME_MAX]; /* installs.population: the new meters' */
        double smets1_share;         /* installs.smets1_share: of installs replacing SMETS1 */
        double visit_off_s;          /* installs.supply_off [s] */
        uint32_t commissioning_bytes; /* installs.commissioning_size [B] */
    } installs;

    struct {
        bool enabled;                /* switching.enabled */
        sim_dated_rate schedule[SIM_DATED_RATES]; /* switching.schedule: per_year, national */
        uint32_t n_schedule;
        double smets1_kept_smart;    /* switching.smets1_kept_smart [fraction] */
    } switching;

    sim_fw_campaign firmware_campaigns[SIM_CAMPAIGNS_MAX]; /* firmware_campaigns: 0..8 */
    uint32_t n_campaigns;

    sim_cmd_run commands[SIM_CMD_RUNS_MAX]; /* commands: 0..8 supplier command runs */
    uint32_t n_commands;
    sim_cmd_run attacks[SIM_CMD_RUNS_MAX];  /* attack: 0..8 */
    uint32_t n_attacks;

    struct {
        bool enabled;                /* faults.enabled */
        double rate;                 /* faults.rate: smart meters failing a year [fraction] */
        double repair_mean_s;        /* faults.repair_mean: fault to replacement visit [s] */
    } faults;

    struct {
        char regions_spec[SIM_REGIONS_TEXT]; /* topology.regions: N (the first N) or a list */
        uint32_t region_mask;     /* from regions_spec: bit r, licence area r (sim/regions.h) */
        uint32_t regions;         /* the number of bits of region_mask */
        uint32_t area_households; /* topology.area_households: 1..100,000, default 500 */
        double lv_customers_mean;         /* topology.lv_customers [-] */
        double lv_customers_cv;           /* topology.lv_customers_cv [fraction] */
        uint32_t primary_customers;       /* topology.primary_customers [-] */
        uint32_t hv_feeders_per_primary;  /* topology.hv_feeders_per_primary [-] */
        uint32_t lv_feeders;              /* topology.lv_feeders [-] */
        double flat_share;                /* topology.flat_share [fraction] */
    } topology;

    struct {
        sim_load_model model;        /* load.model: crest | basic, default crest */
        double annual_kwh;           /* load.annual: energy per year, default 2700 kWh/yr [kWh] */
        double spread;               /* load.spread: lognormal sigma of household scale, default 40 % [fraction] */
        double seasonal_amplitude;   /* load.seasonal_amplitude: default 15 % [fraction] */
        double power_factor;         /* load.power_factor: 0.5..1, default 0.95 [-] */
        double gas_annual_kwh;       /* load.gas.annual [kWh/yr] */
        double gas_share;            /* load.gas.share [fraction] */
        double hp_share;             /* load.heat_pump.share [fraction] */
        double pv_share;             /* load.pv.share [fraction of houses] */
        double pv_kwp_median;        /* load.pv.kwp_median [kWp] */
        double ev_share;             /* load.ev.share [fraction] */
        double ev_charger_w;         /* load.ev.charger_power [W] */
        double ev_kwh_per_day;       /* load.ev.kwh_per_day [kWh/d] */
        double ev_smart_share;       /* load.ev.smart_share [fraction] */
        double festive_share;        /* load.festive_share [fraction] */
        bool clock_bst;              /* load.clock_bst */
        double dr_engaged_share;     /* load.dr.engaged_share [fraction] */
        double dr_response;          /* load.dr.response [-] */
        double dr_horizon_s;         /* load.dr.horizon [s] */
        bool feedback;               /* load.feedback.enabled */
        double feedback_cut;         /* load.feedback.cut [fraction] */
        double feedback_tau_s;       /* load.feedback.tau [s] */
        double feedback_age_s;       /* load.feedback.installed_before [s] */
    } load;

    struct {
        double latitude_deg;         /* weather.latitude [deg N] */
        char csv[512];               /* weather.csv: "" for synthetic weather */
    } weather;

    struct {
        sim_tariff tariff;           /* prices.tariff: flat | e7 | tou | agile | rtp */
        uint32_t national_households;/* prices.national_households: scale to national demand */
    } prices;

    struct {
        uint32_t register_digits; /* meter.register_digits: 6..12, default 9 [decimal digits of Wh] */
        int64_t restore_dither_s; /* meter.restore_dither [s] */
        double save_interrupted;  /* meter.save_interrupted: power-fail saves cut short [fraction] */
        double prepayment_share;  /* meter.prepayment_share [fraction] */
        double remote_topup_share; /* meter.remote_topup_share [fraction] */
        char firmware[512];        /* meter.firmware: SMETS2 image path, "" for the built-in build */
        /* meter.prepayment.*: the supplier's prepayment settings and how customers top up */
        int64_t prepay_initial_p;  /* initial_credit: credit at commissioning [p] */
        int64_t prepay_low_p;      /* low_credit: low-credit alert below [p] */
        int64_t prepay_ec_p;       /* emergency_credit: emergency credit offered [p] */
        int64_t prepay_ec_below_p; /* emergency_below: ... once credit falls below [p] */
        int64_t topup_below_p;     /* topup_below: a customer tops up below this [p] */
        int64_t topup_amount_p;    /* topup_amount: each top-up, whole pounds [p] */
        int64_t topup_within_s;    /* topup_within: latest delay after noticing [s] */
    } meter;

    struct {
        bool background;              /* outages.background */
        double interruptions_per_year;/* outages.interruptions_per_year [1/yr] */
        double mean_duration_s;       /* outages.mean_duration [s] */
        double duration_sigma;        /* outages.duration_sigma [-] */
        double share_hv, share_lv_substation, share_lv_feeder; /* [fraction] */
        double cold_load_gain;        /* outages.cold_load.gain [fraction] */
        double cold_load_full_s;      /* outages.cold_load.full_after [s] */
        double cold_load_decay_s;     /* outages.cold_load.decay [s] */
    } outages;

    struct {
        bool enabled;        /* storm.enabled */
        int64_t start_s;     /* storm.start [s after the run start] */
        int64_t onset_s;     /* storm.onset [s] */
        char regions[SIM_REGIONS_TEXT]; /* storm.regions: "all" or a list (sim_region_list) */
        double share;        /* storm.share [fraction] */
        double fast_share;   /* storm.fast_share [fraction] */
        double fast_median_s;/* storm.fast_median [s] */
        double tail_median_s;/* storm.tail_median [s] */
        double sigma;        /* storm.sigma [-] */
    } storm;

    struct {
        int64_t read_start_s;        /* wan.read_start: time of day "HH:MM", default "00:30" [s after midnight] */
        int64_t read_window_s;       /* wan.read_window: duration 0..24 h, default 4 h [s] */
        uint32_t profile_read_bytes; /* wan.profile_read_size: data size, default 1 KiB [B] */
        double uplink_bps;           /* wan.uplink.bandwidth: bit rate, default 2 Mbit/s [bit/s] */
        double uplink_latency_s;     /* wan.uplink.latency: duration, default 100 ms [s] */
        double backbone_bps;         /* wan.backbone.bandwidth: default 1 Gbit/s [bit/s] */
        double backbone_latency_s;   /* wan.backbone.latency: default 10 ms [s] */
        uint32_t max_flows;          /* wan.max_flows [-] */
        sim_wan_technology technology; /* wan.technology: model | uniform */
        int64_t ad1_delay_s;         /* wan.ad1_delay [s] */
        uint32_t alert_bytes;        /* wan.outage_alert_size [B] */
        double retry_timeout_s;      /* wan.retry.timeout [s] */
        uint32_t retry_attempts;     /* wan.retry.max_attempts [-] */
        sim_price_delivery price_delivery; /* wan.price_delivery: auto | broadcast | unicast */
        uint32_t command_overhead_bytes; /* wan.command_overhead [B] */
        uint32_t response_bytes;     /* wan.response_size [B] */
    } wan;

    struct {
        double dual_band_share;   /* han.dual_band_share [fraction] */
    } han;

    struct {
        uint32_t servers;         /* headend.servers [-] */
        uint32_t queue_capacity;  /* headend.queue_capacity [requests] */
        sim_discipline discipline; /* headend.discipline: fifo | priority */
        double alert_service_s;   /* headend.alert_service [s] */
        double read_service_s;    /* headend.read_service [s] (exponential) */
        double ondemand_per_day;  /* headend.ondemand_reads [per meter per day] */
        double dno_delay_s;       /* headend.dno_delay [s] */
        /* headend.anomaly.*: the DCC's Threshold Anomaly Detection on command runs (net/tad.h);
         * the limits are national, scaled to the sample by fleet.national_households */
        bool tad;                 /* anomaly.enabled */
        double tad_window_s;      /* anomaly.window [s] */
        uint32_t tad_crit_user;   /* anomaly.critical_per_user [commands per window] */
        uint32_t tad_crit_sys;    /* anomaly.critical_system */
        uint32_t tad_all_user;    /* anomaly.commands_per_user */
        uint32_t tad_all_sys;     /* anomaly.commands_system */
        double tad_quarantine_s;  /* anomaly.quarantine [s] */
        /* headend.throttle.*: the DCC head-end's rate thresholds on the requests reaching it
         * (token buckets, net/headend.h): over one, a request is quarantined */
        bool throttle;            /* throttle.enabled */
        double throttle_sys_rate; /* throttle.system_rate [requests/s]; 0 none */
        double throttle_sys_burst; /* throttle.system_burst [requests] */
        double throttle_rate[SIM_HE_CLASSES]; /* throttle.<class> [requests/s]; 0 none */
        double throttle_burst;    /* throttle.burst: each class's bucket [requests] */
    } headend;

    struct {
        bool events;                /* trace.events: bool, default true */
        uint32_t compression;       /* trace.compression: deflate level 0..9, default 4 */
        uint32_t chunk_households;  /* trace.chunk_households: 1..1,000,000, default 1024 */
        char firmware_log[256];     /* trace.firmware_log: household ids "0,17", "" none */
    } trace;

    /* sweep: one run per point (the CLI runs them in turn, or one of them: --sweep-index). */
    sim_sweep sweep;

    /* Not keys: where the scenario came from, and its resolved text. */
    char source_path[1024]; /* path given on the command line */
    char *resolved_yaml;    /* malloc'd; the whole resolved scenario, every key, with units */
    char *files_read;       /* malloc'd; the scenario file and its extends chain, each name
                               followed by a NUL, the list ended by an empty name */
    char *keys_given;       /* malloc'd; "key.path<TAB>FILE:LINE:COL" lines: keys some file or
                               --set gave (sim_scenario_given), the others took their default */
} sim_scenario;

/* Command run K of SC: commands[] first, then attack[] (0 <= K < n_commands + n_attacks). */
static inline const sim_cmd_run *sim_scenario_cmd_run(const sim_scenario *sc, uint32_t k)
{
    return k < sc->n_commands ? &sc->commands[k] : &sc->attacks[k - sc->n_commands];
}

/* Load PATH, apply its `extends:` chain (relative to the including file) and then
 * the NSETS overrides "key.path=value" in order.  On success returns 0 and *OUT
 * (free with sim_scenario_destroy).  On failure returns -1 and writes into ERR one
 * line per problem found (at most 20), each "FILE:LINE:COL: key.path: what is wrong";
 * a --set problem uses "--set:1:COL" as its position (COL within the argument). */
int sim_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_scenario **out,
                      char *err, size_t errlen);

void sim_scenario_destroy(sim_scenario *sc); /* accepts NULL */

/* Whether KEY ("storm.regions"; not a sequence element's) was given by a file or --set rather
 * than left to its default; when given and WHERE is not NULL, its "FILE:LINE:COL" there. */
bool sim_scenario_given(const sim_scenario *sc, const char *key, char *where, size_t len);

/* Parse a trace.firmware_log value ("" or household ids "0, 17, 250") into IDS (up to MAX);
 * the count, or -1 with the reason in WHY. */
#define SIM_FIRMWARE_LOG_MAX 64
int sim_scenario_household_list(const char *text, uint32_t *ids, int max, char *why, size_t whylen);

/* Parse a region list (storm.regions, a population's regions: "all", "1,3,14", "London,
 * DCC North") into a bit mask of 0-based licence areas (sim/regions.h). */
int sim_scenario_region_mask(const char *text, uint32_t *mask, char *why, size_t whylen);
/* Parse topology.regions: a number N alone is the first N areas, anything else a list. */
int sim_scenario_topology_regions(const char *text, uint32_t *mask, char *why, size_t whylen);

/* The name a scenario file gives the value ("crest", "agile"), which is also the name
 * models/grid knows it by; "?" for a value outside the enum. */
const char *sim_load_model_name(sim_load_model m);
const char *sim_tariff_name(sim_tariff t);
const char *sim_generation_name(sim_generation g);
const char *sim_smso_name(sim_smso o);
/* The tariff of population P's households when it is fixed (not drawn from a menu): P's own,
 * or prices.tariff for "default"; -1 for "menu". */
int sim_population_tariff(const sim_scenario *sc, const sim_population *p);

/* Markdown table of every key: path, type/unit, default, range, description. */
int sim_scenario_reference(char **out_markdown);
/* JSON Schema (draft 2020-12) of a scenario file, for editors: 0 and *OUT_JSON malloc'd,
 * or -1 (out of memory). */
int sim_scenario_json_schema(char **out_json);

#endif

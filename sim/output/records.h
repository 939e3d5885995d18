/* The C structs of the trace's compound records, filled by the engine and written as
 * /households and /network/han/premises (their members are declared in schema.c). */
#ifndef SIM_OUTPUT_RECORDS_H
#define SIM_OUTPUT_RECORDS_H

#include <stdint.h>

typedef struct sim_household_row {
    uint32_t id;
    uint32_t area;          /* SimGrid area (WAN cell) index */
    uint32_t lv_substation; /* national LV substation index */
    uint32_t primary;       /* national primary substation index */
    uint16_t region;        /* 1-based DNO region */
    uint8_t feeder;         /* LV feeder of its substation */
    uint8_t dwelling;       /* 0 house, 1 flat */
    uint8_t occupants;      /* 1..5; 0 when the load model does not say */
    uint8_t heating;        /* 0 unmodelled, 1 gas, 2 heat pump, 3 other */
    uint8_t ev;             /* 0 none, 1 charges on arrival, 2 smart-charges */
    float pv_kwp;           /* rooftop PV size, 0 without [kWp] */
    uint8_t wan_tech;       /* 0 long-range radio, 1 cellular, 2 SMETS1 2G/3G, 3 mesh; 255 uniform */
    uint8_t mesh_hops;      /* hops to a cellular hub with every premises powered */
    uint8_t population;     /* row of /fleet/populations */
    uint8_t generation;     /* 0 SMETS2, 1 SMETS1, 2 traditional */
    uint8_t supplier;       /* row of /fleet/suppliers */
    uint8_t image;          /* row of /fleet/images: the firmware its meter runs */
    uint8_t tariff;         /* 0 flat, 1 e7, 2 tou, 3 agile, 4 rtp, 5 block, 6 hybrid */
    uint8_t prepay;         /* 1: prepayment mode at commissioning */
    uint8_t dr_engaged;     /* 1: follows prices (load model) */
    uint8_t route;          /* at the start: 0 none, 1 DCC, 2 SMETS1 operator, 3 DCC-adopted SMETS1 */
} sim_household_row;

/* /meter/firmware_log: a chosen meter's own event log at the end (trace.firmware_log). */
typedef struct sim_fwlog_row {
    uint32_t household;
    uint32_t code; /* GBCS / firmware event code */
    double t_s;    /* when the meter logged it [s since start, meter clock] */
    int64_t value; /* the event's detail */
    uint8_t flags; /* MM_EVF_* (mm/event_log.h) */
} sim_fwlog_row;

/* /fleet/daily: one row per simulated UTC day (the first and last may be partial): meters by
 * generation and communications route at the day's end, the day's lifecycle events, and
 * each count's national equivalent (x fleet.national_households / households). */
#define SIM_FLEET_DAY_COUNTS(X)                                                                    \
    X(smets2_dcc)        /* SMETS2 on the DCC */                                                   \
    X(smets2_dumb)       /* SMETS2 in traditional mode */                                          \
    X(smets1_operator)   /* SMETS1 through its operator to its supplier */                         \
    X(smets1_dcc)        /* SMETS1 adopted by the DCC */                                           \
    X(smets1_dumb)       /* SMETS1 in traditional mode */                                          \
    X(traditional)       /* non-smart meters */                                                    \
    X(installs)          /* meters replaced by a new SMETS2 meter */                               \
    X(switches)          /* households that changed supplier */                                    \
    X(gone_dumb)         /* SMETS1 meters whose gaining supplier cannot operate them */            \
    X(faults)            /* smart meters that failed (traditional mode until replaced) */         \
    X(replacements)      /* faulty meters replaced by a new SMETS2 meter */                       \
    X(fw_distributed)    /* firmware images distributed and verified */                          \
    X(fw_activated)      /* meters that started a new image */                                    \
    X(fw_failed)         /* distributions damaged or lost, activations refused */                 \
    X(migration_attempts)                                                                          \
    X(migrations)                                                                                  \
    X(migration_failures)                                                                          \
    X(migration_exclusions)                                                                        \
    X(dcc_reads)         /* requests offered to the DCC head-end: profile and on-demand reads */  \
    X(dcc_alerts)        /* ... AD1 and restore alerts */                                          \
    X(dcc_commands)      /* ... answers to commands: prices, top-ups, switches, mode changes */    \
    X(dcc_commissioning) /* ... commissioning of installed meters */                               \
    X(dcc_migration)     /* ... exchanges of migration attempts under way with the meter */        \
    X(dcc_firmware)      /* ... firmware distribution and activation answers */                    \
    X(supplier_hes)      /* requests offered to the suppliers' SMETS1 head-ends */

typedef struct sim_fleet_day_row {
    char date[64];          /* the UTC day, YYYY-MM-DD */
    double t_s;             /* where the row's span starts [s since the run start] */
#define SIM_FLEET_DAY_U32_(name) uint32_t name;
    SIM_FLEET_DAY_COUNTS(SIM_FLEET_DAY_U32_)
#undef SIM_FLEET_DAY_U32_
#define SIM_FLEET_DAY_F64_(name) double name##_national;
    SIM_FLEET_DAY_COUNTS(SIM_FLEET_DAY_F64_)
#undef SIM_FLEET_DAY_F64_
} sim_fleet_day_row;

/* /fleet/populations: one row per population, as resolved. */
typedef struct sim_population_row {
    char name[64];
    uint8_t generation;  /* as /households */
    uint8_t image;       /* row of /fleet/images */
    uint8_t supplier;    /* row of /fleet/suppliers; 255 drawn by market share */
    uint8_t tariff;      /* as /households; 255 drawn from the supplier's menu */
    uint32_t households; /* assigned to it */
    double share;        /* as the scenario gives it (normalised per region) */
    double prepay_share; /* resolved */
    double dr_share;     /* resolved */
} sim_population_row;

/* /fleet/suppliers: one row per supplier, with its SMETS1 head-end's totals at the end. */
typedef struct sim_supplier_row {
    char name[64];
    char smets1_operator[64];
    double share;           /* market share, normalised */
    uint32_t households;    /* its customers */
    uint32_t smets1_meters; /* of which on SMETS1 */
    uint32_t hes_servers, hes_queue;
    uint64_t hes_offered, hes_accepted, hes_dropped, hes_completed; /* [requests] */
    double hes_resp_p99_s; /* 99th percentile response of its SMETS1 head-end, NaN if none */
} sim_supplier_row;

/* /fleet/campaigns: one row per firmware campaign, its totals at the end. */
typedef struct sim_campaign_row {
    char name[64];
    char population[64];   /* its target population */
    uint8_t image;         /* row of /fleet/images of the new image */
    uint32_t version;      /* the new image's version number */
    uint32_t image_bytes;  /* the image file's size [B] */
    uint32_t targeted;     /* meters it took */
    uint32_t broadcasts;   /* transfers to a cell for all its meters of a day */
    uint32_t unicasts;     /* transfers to one meter (first sends and retries) */
    double bytes_sent;     /* distribution bytes into the cells [B] */
    uint32_t damaged;      /* distributions whose hash did not match */
    uint32_t lost;         /* distributions lost on the way, or to a meter without supply */
    uint32_t distributed;  /* distributions complete and verified */
    uint32_t activated;    /* meters now running the new image */
    uint32_t refused;      /* activation commands the meter refused */
    uint32_t given_up;     /* meters left on the old image after 5 attempts */
    uint32_t gas_updated;  /* gas meters that took their own image over the HAN */
    uint32_t false_ad1;    /* activations that sent a false AD1 alert */
} sim_campaign_row;

/* /commands/runs: one row per command run (commands[], then attack[]), its totals at the end.
 * Counts are of the simulated households; times in s since the start. */
typedef struct sim_cmdrun_row {
    char name[64];
    char sender[64];         /* supplier, forged, replay or compromised */
    char command[64];        /* disable, enable, arm, prepayment, credit, load_limit, ... */
    double start_s;
    uint32_t targeted;       /* meters chosen at its start */
    uint32_t quarantined;    /* held by the DCC's anomaly detection: never sent */
    uint32_t sent;           /* frames that left for a meter */
    uint32_t lost;           /* lost on the way, or met a hub without supply or WAN */
    uint32_t accepted;       /* executed by the firmware */
    uint32_t accepted_smets1; /* ... of them by SMETS1 meters (which check the MAC only) */
    uint32_t refused_auth;   /* MAC or signature did not verify (alert 0x8F3D) */
    uint32_t refused_replay; /* counter not above the last accepted */
    uint32_t refused_other;  /* malformed, wrong state, not supported */
    uint32_t within_target;  /* executed within its head-end class's response target */
    double lag_mean_s;       /* sent to executed, NaN if none */
    double lag_max_s;
    double first_sent_s, last_sent_s, last_done_s; /* NaN if none */
    double tripped_s;        /* its first command the anomaly detection held, NaN if none */
    uint32_t disconnected;   /* disconnections it made (a load limit may cut a premises again) */
    uint32_t reconnected;    /* ... of them ended by the end */
    uint32_t still_off;      /* premises it left off, still off at the end */
    double off_sum_s;        /* premises-seconds without supply it caused, to the end */
    double off_max_s;        /* the longest */
    double demand_step_w;    /* demand the grid lost at its disconnections, all regions [W] */
    uint32_t restored;       /* contactors it closed (enable; its arm and the button) */
    double restored_w;       /* demand the grid regained at those [W] */
} sim_cmdrun_row;

/* /fleet/images: the firmware images of the run, with their provenance. */
typedef struct sim_image_row {
    char name[64];        /* builtin:smets2, builtin:smets1, or the path (its last 64 bytes) */
    char version[64];     /* the image's own version string */
    char profile[64];     /* smets2 | smets1 (the build's profile) */
    char sha256[64];      /* of the image file, hex; "" for the build linked in */
    char build_id[64];    /* GNU build id, hex; "" if none */
    char source[64];      /* git describe of this tree for builds from it, else "" */
    uint32_t state_bytes; /* firmware state per meter [B] */
    uint32_t nvm_bytes;   /* NVM per meter [B] */
    uint32_t households;  /* meters running it */
} sim_image_row;

/* Per premises home-area network results (net/han.h). */
typedef struct sim_han_row {
    uint8_t works;        /* every present device reaches the hub */
    int8_t band_gas;      /* gas meter: 0 2.4 GHz, 1 868 MHz, -1 none or unreachable */
    int8_t band_ihd;      /* in-home display: likewise */
    uint8_t dual_band;    /* the hub is dual band */
    float p_deliver;      /* HAN messages acknowledged [1] */
    float latency_ms;     /* mean delivery latency [ms] */
    float retries;        /* retransmissions per message [1] */
    float p_access_fail;  /* channel access failures per message [1] */
    float gas_battery_years; /* projected gas meter battery life, NaN without gas meter [yr] */
} sim_han_row;

#endif

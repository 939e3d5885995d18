#include "schema.h"

#include "records.h"
#include "textfmt.h"
#include "sim/events.h"

#include <string.h>

/* ---- columns and record members ------------------------------------------------------- */

#define SIM_COL_DECL_(table, id, name, units) {name, units},
static const sim_column reg_cols[] = {SIM_REG_COLS(SIM_COL_DECL_)};
static const sim_column bill_cols[] = {SIM_BILL_COLS(SIM_COL_DECL_)};
static const sim_column area_cols[] = {SIM_AREA_COLS(SIM_COL_DECL_)};
static const sim_column upd_cols[] = {SIM_UPD_COLS(SIM_COL_DECL_)};
static const sim_column heclass_cols[] = {SIM_HECLASS_COLS(SIM_COL_DECL_)};
static const sim_column dno_cols[] = {SIM_DNO_COLS(SIM_COL_DECL_)};
static const sim_column fleet_final_cols[] = {SIM_FLEET_FINAL_COLS(SIM_COL_DECL_)};
#undef SIM_COL_DECL_

#define N_OF(a) (sizeof(a) / sizeof(a)[0])
#define COLS(a) .cols = a, .ncols = N_OF(a)
#define MEMBER(st, field, elem, units) {#field, elem, offsetof(st, field), units}
#define RECORD(st, m) .members = m, .nmembers = N_OF(m), .record_size = sizeof(st)

/* In the order HDF5 lists them (insertion order), which is the order of the struct. */
static const sim_member household_members[] = {
    MEMBER(sim_household_row, id, SIM_ELEM_U32, "-"),
    MEMBER(sim_household_row, area, SIM_ELEM_U32, "-"),
    MEMBER(sim_household_row, lv_substation, SIM_ELEM_U32, "-"),
    MEMBER(sim_household_row, primary, SIM_ELEM_U32, "-"),
    MEMBER(sim_household_row, region, SIM_ELEM_U16, "-"),
    MEMBER(sim_household_row, feeder, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, dwelling, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, occupants, SIM_ELEM_U8, "persons"),
    MEMBER(sim_household_row, heating, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, ev, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, pv_kwp, SIM_ELEM_F32, "kWp"),
    MEMBER(sim_household_row, wan_tech, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, mesh_hops, SIM_ELEM_U8, "hops"),
    MEMBER(sim_household_row, population, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, generation, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, supplier, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, image, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, tariff, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, prepay, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, dr_engaged, SIM_ELEM_U8, "-"),
    MEMBER(sim_household_row, route, SIM_ELEM_U8, "-"),
};

static const sim_member fleet_day_members[] = {
    MEMBER(sim_fleet_day_row, date, SIM_ELEM_STR64, "-"),
    MEMBER(sim_fleet_day_row, t_s, SIM_ELEM_F64, "s"),
#define FLEET_DAY_U32_(name) MEMBER(sim_fleet_day_row, name, SIM_ELEM_U32, "meters"),
    SIM_FLEET_DAY_COUNTS(FLEET_DAY_U32_)
#undef FLEET_DAY_U32_
#define FLEET_DAY_F64_(name) MEMBER(sim_fleet_day_row, name##_national, SIM_ELEM_F64, "meters"),
    SIM_FLEET_DAY_COUNTS(FLEET_DAY_F64_)
#undef FLEET_DAY_F64_
};

static const sim_member fwlog_members[] = {
    MEMBER(sim_fwlog_row, household, SIM_ELEM_U32, "-"),
    MEMBER(sim_fwlog_row, code, SIM_ELEM_U32, "-"),
    MEMBER(sim_fwlog_row, t_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_fwlog_row, value, SIM_ELEM_I64, "per code"),
    MEMBER(sim_fwlog_row, flags, SIM_ELEM_U8, "-"),
};

static const sim_member population_members[] = {
    MEMBER(sim_population_row, name, SIM_ELEM_STR64, "-"),
    MEMBER(sim_population_row, generation, SIM_ELEM_U8, "-"),
    MEMBER(sim_population_row, image, SIM_ELEM_U8, "-"),
    MEMBER(sim_population_row, supplier, SIM_ELEM_U8, "-"),
    MEMBER(sim_population_row, tariff, SIM_ELEM_U8, "-"),
    MEMBER(sim_population_row, households, SIM_ELEM_U32, "-"),
    MEMBER(sim_population_row, share, SIM_ELEM_F64, "fraction"),
    MEMBER(sim_population_row, prepay_share, SIM_ELEM_F64, "fraction"),
    MEMBER(sim_population_row, dr_share, SIM_ELEM_F64, "fraction"),
};

static const sim_member supplier_members[] = {
    MEMBER(sim_supplier_row, name, SIM_ELEM_STR64, "-"),
    MEMBER(sim_supplier_row, smets1_operator, SIM_ELEM_STR64, "-"),
    MEMBER(sim_supplier_row, share, SIM_ELEM_F64, "fraction"),
    MEMBER(sim_supplier_row, households, SIM_ELEM_U32, "-"),
    MEMBER(sim_supplier_row, smets1_meters, SIM_ELEM_U32, "-"),
    MEMBER(sim_supplier_row, hes_servers, SIM_ELEM_U32, "-"),
    MEMBER(sim_supplier_row, hes_queue, SIM_ELEM_U32, "requests"),
    MEMBER(sim_supplier_row, hes_offered, SIM_ELEM_U64, "requests"),
    MEMBER(sim_supplier_row, hes_accepted, SIM_ELEM_U64, "requests"),
    MEMBER(sim_supplier_row, hes_dropped, SIM_ELEM_U64, "requests"),
    MEMBER(sim_supplier_row, hes_completed, SIM_ELEM_U64, "requests"),
    MEMBER(sim_supplier_row, hes_resp_p99_s, SIM_ELEM_F64, "s"),
};

static const sim_member campaign_members[] = {
    MEMBER(sim_campaign_row, name, SIM_ELEM_STR64, "-"),
    MEMBER(sim_campaign_row, population, SIM_ELEM_STR64, "-"),
    MEMBER(sim_campaign_row, image, SIM_ELEM_U8, "-"),
    MEMBER(sim_campaign_row, version, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, image_bytes, SIM_ELEM_U32, "B"),
    MEMBER(sim_campaign_row, targeted, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, broadcasts, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, unicasts, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, bytes_sent, SIM_ELEM_F64, "B"),
    MEMBER(sim_campaign_row, damaged, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, lost, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, distributed, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, activated, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, refused, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, given_up, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, gas_updated, SIM_ELEM_U32, "-"),
    MEMBER(sim_campaign_row, false_ad1, SIM_ELEM_U32, "-"),
};

static const sim_member cmdrun_members[] = {
    MEMBER(sim_cmdrun_row, name, SIM_ELEM_STR64, "-"),
    MEMBER(sim_cmdrun_row, sender, SIM_ELEM_STR64, "-"),
    MEMBER(sim_cmdrun_row, command, SIM_ELEM_STR64, "-"),
    MEMBER(sim_cmdrun_row, start_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, targeted, SIM_ELEM_U32, "meters"),
    MEMBER(sim_cmdrun_row, quarantined, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, sent, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, lost, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, accepted, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, accepted_smets1, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, refused_auth, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, refused_replay, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, refused_other, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, within_target, SIM_ELEM_U32, "commands"),
    MEMBER(sim_cmdrun_row, lag_mean_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, lag_max_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, first_sent_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, last_sent_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, last_done_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, tripped_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, disconnected, SIM_ELEM_U32, "disconnections"),
    MEMBER(sim_cmdrun_row, reconnected, SIM_ELEM_U32, "reconnections"),
    MEMBER(sim_cmdrun_row, still_off, SIM_ELEM_U32, "premises"),
    MEMBER(sim_cmdrun_row, off_sum_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, off_max_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_cmdrun_row, demand_step_w, SIM_ELEM_F64, "W"),
    MEMBER(sim_cmdrun_row, restored, SIM_ELEM_U32, "premises"),
    MEMBER(sim_cmdrun_row, restored_w, SIM_ELEM_F64, "W"),
};

static const sim_member image_members[] = {
    MEMBER(sim_image_row, name, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, version, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, profile, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, sha256, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, build_id, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, source, SIM_ELEM_STR64, "-"),
    MEMBER(sim_image_row, state_bytes, SIM_ELEM_U32, "B"),
    MEMBER(sim_image_row, nvm_bytes, SIM_ELEM_U32, "B"),
    MEMBER(sim_image_row, households, SIM_ELEM_U32, "-"),
};

static const sim_member event_members[] = {
    MEMBER(sim_event, t_s, SIM_ELEM_F64, "s"),
    MEMBER(sim_event, household, SIM_ELEM_U32, "-"),
    MEMBER(sim_event, code, SIM_ELEM_U32, "-"),
    MEMBER(sim_event, value, SIM_ELEM_I64, "per code"),
};

static const sim_member han_members[] = {
    MEMBER(sim_han_row, works, SIM_ELEM_U8, "-"),
    MEMBER(sim_han_row, band_gas, SIM_ELEM_I8, "-"),
    MEMBER(sim_han_row, band_ihd, SIM_ELEM_I8, "-"),
    MEMBER(sim_han_row, dual_band, SIM_ELEM_U8, "-"),
    MEMBER(sim_han_row, p_deliver, SIM_ELEM_F32, "1"),
    MEMBER(sim_han_row, latency_ms, SIM_ELEM_F32, "ms"),
    MEMBER(sim_han_row, retries, SIM_ELEM_F32, "1"),
    MEMBER(sim_han_row, p_access_fail, SIM_ELEM_F32, "1"),
    MEMBER(sim_han_row, gas_battery_years, SIM_ELEM_F32, "yr"),
};

/* Rows of /network/headend/class_stats: the request classes, then the total. */
#define SIM_HECLASS_ROW_(name, key, target, prio, desc) key ","
static const char heclass_rows[] = NET_HE_CLASS_MAP(SIM_HECLASS_ROW_) "total";
#undef SIM_HECLASS_ROW_

/* The element type of a head-end series from its C type in NET_HE_SERIES_MAP. */
#define HE_ELEM(type) _Generic((type *)0, uint32_t *: SIM_ELEM_U32, double *: SIM_ELEM_F64)

/* ---- datasets --------------------------------------------------------------------------- */

static const sim_dataset_decl decls[SIM_DS_COUNT] = {
    [SIM_DS_HOUSEHOLDS] =
        {"households", "/households", SIM_ELEM_RECORD, SIM_SHAPE_HH, "-",
         "one row per household: id, area (SimGrid area = WAN cell), lv_substation, primary, "
         "region (1-based DNO licence area), feeder (LV feeder of its substation), dwelling (0 "
         "house, 1 flat), occupants (0 = not modelled), heating (0 unmodelled, 1 gas, 2 heat "
         "pump, 3 other), ev (0 none, 1 on arrival, 2 smart), pv_kwp, wan_tech (0 long-range "
         "radio, 1 cellular, 2 SMETS1, 3 mesh, 254 none (traditional meter), 255 uniform WAN), "
         "mesh_hops, population (row of /fleet/populations), generation (0 SMETS2, 1 SMETS1, 2 "
         "traditional), supplier (row of /fleet/suppliers), image (row of /fleet/images), "
         "tariff (0 flat, 1 e7, 2 tou, 3 agile, 4 rtp, 5 block, 6 hybrid), prepay (1: "
         "prepayment mode), dr_engaged (1: follows prices), route at the start (0 none, 1 DCC, 2 "
         "SMETS1 operator, 3 DCC-adopted SMETS1; /fleet/final has the end)",
         RECORD(sim_household_row, household_members)},
    [SIM_DS_IMPORT] = {"import_wh", "/meter/halfhourly/import_wh", SIM_ELEM_U32,
                       SIM_SHAPE_HH_PERIOD, "Wh",
                       "active import energy per household per settlement period, from the "
                       "meter's profile log"},
    [SIM_DS_EXPORT] = {"export_wh", "/meter/halfhourly/export_wh", SIM_ELEM_U32,
                       SIM_SHAPE_HH_PERIOD, "Wh",
                       "active export energy per household per settlement period"},
    [SIM_DS_RIMPORT] = {"reactive_import_varh", "/meter/halfhourly/reactive_import_varh",
                        SIM_ELEM_U32, SIM_SHAPE_HH_PERIOD, "varh",
                        "reactive import (lagging) energy per household per settlement period"},
    [SIM_DS_REXPORT] = {"reactive_export_varh", "/meter/halfhourly/reactive_export_varh",
                        SIM_ELEM_U32, SIM_SHAPE_HH_PERIOD, "varh",
                        "reactive export (leading) energy per household per settlement period"},
    [SIM_DS_GAS] = {"gas_wh", "/meter/gas/halfhourly_wh", SIM_ELEM_U32, SIM_SHAPE_HH_PERIOD, "Wh",
                    "gas energy per household per settlement period (space heating and hot "
                    "water; 0 periods when the load model has no gas)"},
    [SIM_DS_REGISTERS] = {"registers", "/meter/registers/final", SIM_ELEM_U64, SIM_SHAPE_HH_COLS,
                          "Wh|varh",
                          "cumulative registers at the end of the run; columns: active import "
                          "[Wh], active export [Wh], reactive import [varh], reactive export "
                          "[varh]; cyclic at 10^register_digits",
                          COLS(reg_cols)},
    [SIM_DS_BILLING] = {"billing", "/meter/billing/final", SIM_ELEM_I64, SIM_SHAPE_HH_COLS,
                        "1e-8 p|1e-5 GBP|1e-5 GBP",
                        "the firmware's bill at the end of the run; columns: tariff cost since "
                        "commissioning [1e-8 p], credit balance [1e-5 GBP], credit available "
                        "[1e-5 GBP] (prepayment; 0 on credit meters)",
                        COLS(bill_cols)},
    [SIM_DS_EVENTS] = {"events", "/events", SIM_ELEM_RECORD, SIM_SHAPE_SERIES,
                       "t_s: s since start; value: per code",
                       "appended event records (t_s, household, code, value); codes: GBCS "
                       "alerts 0x8000-0xFFFF, simulator records from 0x10000 (see README)",
                       RECORD(sim_event, event_members)},
    [SIM_DS_DEMAND] = {"demand_w", "/grid/demand_w", SIM_ELEM_F64, SIM_SHAPE_SERIES, "W",
                       "mean total demand of all households in each simulated minute from the "
                       "start"},
    [SIM_DS_CELL_ARRIVALS] = {"cell_arrivals", "/network/cells/arrivals", SIM_ELEM_U32,
                              SIM_SHAPE_TIME_AREA, "messages/s",
                              "messages entering each area's cell queue (columns: areas, as "
                              "/network/areas) in each simulated second (rows) from the start"},
    [SIM_DS_CELL_QUEUE] = {"cell_queue", "/network/cells/queue", SIM_ELEM_U32, SIM_SHAPE_TIME_AREA,
                           "messages",
                           "longest cell queue a message found on entering, per area and "
                           "simulated second (0 when nothing entered)"},
    [SIM_DS_REGION_DEMAND] = {"region_demand_w", "/grid/region_demand_w", SIM_ELEM_F64,
                              SIM_SHAPE_PERIOD_COLS, "W",
                              "mean demand of the simulated households per settlement period "
                              "(rows) and DNO region (columns)",
                              .columns_attr = true, .rows = "periods"},
    [SIM_DS_PRICE] = {"price_p_kwh", "/grid/price_p_kwh", SIM_ELEM_F64, SIM_SHAPE_SERIES, "p/kWh",
                      "unit price of the households' tariff (prices.tariff) in each settlement "
                      "period"},
    [SIM_DS_WHOLESALE] = {"wholesale_gbp_mwh", "/grid/wholesale_gbp_mwh", SIM_ELEM_F64,
                          SIM_SHAPE_SERIES, "GBP/MWh",
                          "day-ahead wholesale price of each settlement period (the model "
                          "behind Agile-style prices)"},
    [SIM_DS_AREAS] = {"areas", "/network/areas", SIM_ELEM_F64, SIM_SHAPE_ROWS_COLS,
                      "- | bit/s | s | messages | B",
                      "per area (WAN cell / base station): DNO region (1-based), technology (0 "
                      "long-range radio, 1 cellular; -1 uniform WAN), households, uplink, dark "
                      "time of its site on backup power, messages lost by cause, largest cell "
                      "queue, firmware campaigns' distribution bytes sent to its cell",
                      COLS(area_cols), .columns_attr = true, .rows = "areas"},
    [SIM_DS_PRICE_UPDATES] = {"price_updates", "/network/price_updates", SIM_ELEM_F64,
                              SIM_SHAPE_ROWS_COLS, "- | s | meters | s",
                              "per price update sent over the WAN (MM_CMD_SET_PRICES): periods "
                              "carried, when the head-end sent it, areas it was broadcast to and "
                              "meters it was sent to one by one, meters that accepted, refused "
                              "or never got it, meters that got it only after its first period "
                              "had begun, and the lag from sending to acceptance",
                              COLS(upd_cols), .columns_attr = true, .rows = "updates"},
    [SIM_DS_HAN] = {"han_premises", "/network/han/premises", SIM_ELEM_RECORD, SIM_SHAPE_ROWS, "-",
                    "per household HAN: works (every device reaches the hub), band_gas and "
                    "band_ihd (0 2.4 GHz, 1 868 MHz, -1 unreachable or absent), dual_band hub, "
                    "p_deliver, latency_ms, retries, p_access_fail (802.15.4 CSMA/CA, analytic), "
                    "gas_battery_years (projected life; NaN without gas meter)",
                    RECORD(sim_han_row, han_members)},
    [SIM_DS_FIRMWARE_LOG] = {"firmware_log", "/meter/firmware_log", SIM_ELEM_RECORD, SIM_SHAPE_ROWS,
                             "t_s: s since start; value: per code",
                             "the own event log of the meters trace.firmware_log names, as each "
                             "keeps it at the end of the run (its newest events), per household "
                             "in time order: household, code, t_s, value, flags",
                             RECORD(sim_fwlog_row, fwlog_members)},
    [SIM_DS_FLEET_DAILY] = {"fleet_daily", "/fleet/daily", SIM_ELEM_RECORD, SIM_SHAPE_SERIES,
                            "meters",
                            "one row per simulated UTC day (first and last may be partial): "
                            "date, t_s (start of the row's span), meters by generation and route "
                            "at the day's end (smets2_dcc, smets2_dumb, smets1_operator, "
                            "smets1_dcc, smets1_dumb, traditional), the day's installs, switches, gone_dumb, "
                            "migration_attempts, "
                            "migrations, migration_failures, migration_exclusions, and the "
                            "requests offered to the DCC head-end by service (dcc_reads, "
                            "dcc_alerts, dcc_commands, dcc_commissioning) and to the suppliers' "
                            "SMETS1 head-ends (supplier_hes); each again as "
                            "*_national: x fleet.national_households / households",
                            RECORD(sim_fleet_day_row, fleet_day_members)},
    [SIM_DS_FLEET_FINAL] = {"fleet_final", "/fleet/final", SIM_ELEM_U8, SIM_SHAPE_HH_COLS, "-",
                            "each meter at the end of the run: generation, population, image, "
                            "route (as /households)",
                            COLS(fleet_final_cols)},
    [SIM_DS_FLEET_POPULATIONS] = {"fleet_populations", "/fleet/populations", SIM_ELEM_RECORD,
                                  SIM_SHAPE_ROWS, "-",
                                  "one row per population (fleet.populations): name, generation, "
                                  "image, supplier (255 drawn by market share), tariff (255 drawn "
                                  "from the supplier's menu), households, share, prepay_share, "
                                  "dr_share",
                                  RECORD(sim_population_row, population_members)},
    [SIM_DS_FLEET_SUPPLIERS] = {"fleet_suppliers", "/fleet/suppliers", SIM_ELEM_RECORD,
                                SIM_SHAPE_ROWS, "-",
                                "one row per supplier: name, smets1_operator, market share, "
                                "households, smets1_meters, and its SMETS1 head-end: servers, "
                                "queue, requests offered, accepted, dropped, completed, 99th "
                                "percentile response",
                                RECORD(sim_supplier_row, supplier_members)},
    [SIM_DS_FLEET_CAMPAIGNS] = {"fleet_campaigns", "/fleet/campaigns", SIM_ELEM_RECORD,
                                SIM_SHAPE_ROWS, "-",
                                "one row per firmware campaign (firmware_campaigns): name, target "
                                "population, new image (row of /fleet/images), version, image "
                                "bytes, meters targeted, broadcast and unicast transfers, bytes "
                                "sent, distributions damaged, lost and verified, meters "
                                "activated, activations refused, meters given up, gas meters "
                                "updated, false AD1 alerts",
                                RECORD(sim_campaign_row, campaign_members)},
    [SIM_DS_COMMAND_RUNS] = {"command_runs", "/commands/runs", SIM_ELEM_RECORD, SIM_SHAPE_ROWS,
                             "-",
                             "one row per command run (commands, then attack): name, sender, "
                             "command, start, meters targeted, commands quarantined by the DCC's "
                             "anomaly detection, sent, lost, accepted (of them by SMETS1 meters), "
                             "refused for authentication, as replays or otherwise, executed "
                             "within the class target, lag from sending to execution, first and "
                             "last sent, last executed, first quarantined, disconnections (a "
                             "load limit may cut a premises again), reconnections, premises "
                             "still off, premises-seconds off and the longest spell, demand step "
                             "at the disconnections, contactors the run closed and the demand "
                             "they brought back",
                             RECORD(sim_cmdrun_row, cmdrun_members)},
    [SIM_DS_COMMAND_REGION_STEP] = {"command_region_step", "/commands/region_step_w",
                                    SIM_ELEM_F64, SIM_SHAPE_ROWS_COLS, "W",
                                    "per command run (rows) and DNO region of the run (columns): "
                                    "the demand the grid lost at the run's disconnections",
                                    .columns_attr = true, .rows = "runs"},
    [SIM_DS_FLEET_IMAGES] = {"fleet_images", "/fleet/images", SIM_ELEM_RECORD, SIM_SHAPE_ROWS, "-",
                             "one row per firmware image: name, version, profile, sha256 of the "
                             "file, GNU build id, source (git describe of builds from this "
                             "tree), state and NVM bytes per meter, households running it",
                             RECORD(sim_image_row, image_members)},
    [SIM_DS_HE_CLASS_STATS] = {"headend_class_stats", "/network/headend/class_stats", SIM_ELEM_F64,
                               SIM_SHAPE_ROWS_COLS, "requests | s",
                               "per request class (rows) and in total: counts, and response "
                               "(origin to processed) and waiting times; met_target counts "
                               "responses within the DCC target of the class",
                               COLS(heclass_cols), .columns_attr = true, .rows = heclass_rows},
    [SIM_DS_DNO_RESTORATION] = {"dno_restoration", "/network/dno/restoration", SIM_ELEM_F64,
                                SIM_SHAPE_ROWS_COLS, "premises | s | fraction",
                                "the DNO's view of restorations: premises restored, of them with "
                                "a restore alert delivered, time from the last restoration until "
                                "the DNO knew every restored premises (inf if some never), share "
                                "known within 5 min of their restoration, alert lag quantiles",
                                COLS(dno_cols), .columns_attr = true, .rows = "all"},
    /* The WAN arrivals at the head-end keep the trace's own wording (the model's reads "in
     * the bin"; the trace's bins are seconds). */
    [SIM_DS_HE_arrivals] = {"headend_arrivals", "/network/headend/arrivals", SIM_ELEM_U32,
                            SIM_SHAPE_SERIES, "messages/s",
                            "messages arriving at the head-end in each simulated second from the "
                            "start"},
#define SIM_HE_DECL_(name, type, units, desc)                                                      \
    [SIM_DS_HE_##name] = {"headend_" #name, "/network/headend/" #name, HE_ELEM(type),              \
                          SIM_SHAPE_SERIES, units, desc},
    NET_HE_SERIES_PROC_MAP(SIM_HE_DECL_)
#undef SIM_HE_DECL_
};

const sim_dataset_decl *sim_schema_dataset(sim_ds id)
{
    return (unsigned)id < SIM_DS_COUNT ? &decls[id] : NULL;
}

int sim_schema_by_key(const char *key)
{
    for (int i = 0; i < SIM_DS_COUNT; i++)
        if (strcmp(decls[i].key, key) == 0) return i;
    return -1;
}

int sim_schema_column(const sim_dataset_decl *d, const char *name)
{
    for (size_t i = 0; i < d->ncols; i++)
        if (strcmp(d->cols[i].name, name) == 0) return (int)i;
    return -1;
}

int sim_schema_columns_text(const sim_dataset_decl *d, char *buf, size_t n)
{
    size_t off = 0;
    if (n) buf[0] = '\0';
    for (size_t i = 0; i < d->ncols; i++) {
        int k = snprintf(buf + off, n - off, "%s%s", i ? "," : "", d->cols[i].name);
        if (k < 0 || (size_t)k >= n - off) return -1;
        off += (size_t)k;
    }
    return 0;
}

static const char *const meta_names[SIM_META_COUNT] = {
#define SIM_META_NAME_(id, name, kind, desc) name,
    SIM_META_MAP(SIM_META_NAME_)
#undef SIM_META_NAME_
};

const char *sim_schema_meta_name(sim_meta_attr a)
{
    return (unsigned)a < SIM_META_COUNT ? meta_names[a] : "?";
}

/* ---- HDF5 ----------------------------------------------------------------------------- */

hid_t sim_schema_h5_native(sim_elem e)
{
    switch (e) {
    case SIM_ELEM_U8:
        return H5T_NATIVE_UINT8;
    case SIM_ELEM_I8:
        return H5T_NATIVE_INT8;
    case SIM_ELEM_U16:
        return H5T_NATIVE_UINT16;
    case SIM_ELEM_U32:
        return H5T_NATIVE_UINT32;
    case SIM_ELEM_U64:
        return H5T_NATIVE_UINT64;
    case SIM_ELEM_I64:
        return H5T_NATIVE_INT64;
    case SIM_ELEM_F32:
        return H5T_NATIVE_FLOAT;
    case SIM_ELEM_F64:
        return H5T_NATIVE_DOUBLE;
    case SIM_ELEM_STR64: {
        /* made once per process; HDF5 releases it when the library closes */
        static hid_t str64 = -1;
        if (str64 < 0) {
            hid_t t = H5Tcopy(H5T_C_S1);
            if (t >= 0 && (H5Tset_size(t, SIM_STR64) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0)) {
                H5Tclose(t);
                t = -1;
            }
            str64 = t;
        }
        return str64;
    }
    case SIM_ELEM_RECORD:
        break;
    }
    return -1;
}

hid_t sim_schema_h5_type(const sim_dataset_decl *d)
{
    if (d->type != SIM_ELEM_RECORD) return sim_schema_h5_native(d->type);
    hid_t ty = H5Tcreate(H5T_COMPOUND, d->record_size);
    for (size_t i = 0; ty >= 0 && i < d->nmembers; i++) {
        const sim_member *m = &d->members[i];
        if (H5Tinsert(ty, m->name, m->offset, sim_schema_h5_native(m->type)) < 0) {
            H5Tclose(ty);
            ty = -1;
        }
    }
    return ty;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static const char *elem_name(sim_elem e)
{
    static const char *const names[] = {"uint8", "int8",  "uint16",  "uint32", "uint64",
                                        "int64", "float32", "float64", "record", "str64"};
    return names[e];
}

/* The dimensions of each shape, outermost first, as readers index them. */
static const char *shape_dims(sim_shape s)
{
    static const char *const dims[] = {"household",   "household,period", "household,column",
                                       "time",        "second,area",      "row",
                                       "row,column",  "period,column"};
    return dims[s];
}

static void json_field(FILE *out, const char *indent, const char *name, const char *value,
                       const char *after)
{
    fprintf(out, "%s\"%s\": ", indent, name);
    sim_json_str(out, value);
    fputs(after, out);
}

static void json_dataset(FILE *out, const sim_dataset_decl *d, int last)
{
    const char *in = "      ";
    fputs("    {\n", out);
    json_field(out, in, "key", d->key, ",\n");
    json_field(out, in, "path", d->path, ",\n");
    json_field(out, in, "type", elem_name(d->type), ",\n");
    json_field(out, in, "dims", shape_dims(d->shape), ",\n");
    json_field(out, in, "units", d->units, ",\n");
    json_field(out, in, "description", d->description, ",\n");
    fprintf(out, "%s\"columns\": ", in);
    if (d->ncols) {
        fputs("[\n", out);
        for (size_t i = 0; i < d->ncols; i++) {
            fputs("        {\"name\": ", out);
            sim_json_str(out, d->cols[i].name);
            fputs(", \"units\": ", out);
            sim_json_str(out, d->cols[i].units);
            fprintf(out, "}%s\n", i + 1 < d->ncols ? "," : "");
        }
        fprintf(out, "%s],\n", in);
    } else {
        fputs("null,\n", out);
    }
    fprintf(out, "%s\"columns_attribute\": %s,\n", in, d->columns_attr ? "true" : "false");
    json_field(out, in, "rows", d->rows, ",\n");
    fprintf(out, "%s\"itemsize\": %zu,\n", in,
            d->type == SIM_ELEM_RECORD ? d->record_size
                                       : H5Tget_size(sim_schema_h5_native(d->type)));
    fprintf(out, "%s\"members\": ", in);
    if (d->nmembers) {
        fputs("[\n", out);
        for (size_t i = 0; i < d->nmembers; i++) {
            const sim_member *m = &d->members[i];
            fputs("        {\"name\": ", out);
            sim_json_str(out, m->name);
            fprintf(out, ", \"type\": \"%s\", \"offset\": %zu, \"units\": ", elem_name(m->type),
                    m->offset);
            sim_json_str(out, m->units);
            fprintf(out, "}%s\n", i + 1 < d->nmembers ? "," : "");
        }
        fprintf(out, "%s]\n", in);
    } else {
        fputs("null\n", out);
    }
    fprintf(out, "    }%s\n", last ? "" : ",");
}

int sim_schema_json(FILE *out)
{
    static const char *const kinds[SIM_META_COUNT] = {
#define SIM_META_KIND_(id, name, kind, desc) kind,
        SIM_META_MAP(SIM_META_KIND_)
#undef SIM_META_KIND_
    };
    static const char *const descs[SIM_META_COUNT] = {
#define SIM_META_DESC_(id, name, kind, desc) desc,
        SIM_META_MAP(SIM_META_DESC_)
#undef SIM_META_DESC_
    };
    fputs("{\n  \"comment\": \"metersim trace declaration (sim/output/schema.c); generated by "
          "metersim_schema_json, do not edit\",\n",
          out);
    fputs("  \"meta\": {\n", out);
    json_field(out, "    ", "group", SIM_META_GROUP, ",\n");
    fputs("    \"attributes\": [\n", out);
    for (int i = 0; i < SIM_META_COUNT; i++) {
        fputs("      {\"name\": ", out);
        sim_json_str(out, meta_names[i]);
        fputs(", \"kind\": ", out);
        sim_json_str(out, kinds[i]);
        fputs(", \"description\": ", out);
        sim_json_str(out, descs[i]);
        fprintf(out, "}%s\n", i + 1 < SIM_META_COUNT ? "," : "");
    }
    fputs("    ]\n  },\n  \"datasets\": [\n", out);
    for (int i = 0; i < SIM_DS_COUNT; i++) json_dataset(out, &decls[i], i + 1 == SIM_DS_COUNT);
    fputs("  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

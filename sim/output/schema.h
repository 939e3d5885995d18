/* The trace's declaration: every dataset of a metersim trace, every column of its tables
 * and every member of its compound records, declared once.
 *
 * The writer (trace.c) creates and fills datasets from this table, the engine fills tables
 * by the column ids generated here, info and diff read paths, column names and record
 * layouts from it, and `metersim_schema_json` exports it for Python (analysis/, bench/).
 * Its texts are a contract: a dataset's `units`, `description`, `columns` and `rows`
 * attributes are written from here verbatim, and users' scripts name paths and columns.
 *
 * Not here: HDF5 files (trace.c writes, info.c and diff.c read), what the numbers mean for
 * models.  Header only on the model side: the head-end's series come from NET_HE_SERIES_MAP
 * (net/headend.h), with no link to the network library.
 */
#ifndef SIM_OUTPUT_SCHEMA_H
#define SIM_OUTPUT_SCHEMA_H

#include "net/headend.h"

#include <hdf5.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Element types of datasets and record members: the native C type of the writer's memory
 * and the HDF5 type the file stores. */
typedef enum sim_elem {
    SIM_ELEM_U8,
    SIM_ELEM_I8,
    SIM_ELEM_U16,
    SIM_ELEM_U32,
    SIM_ELEM_U64,
    SIM_ELEM_I64,
    SIM_ELEM_F32,
    SIM_ELEM_F64,
    SIM_ELEM_RECORD, /* compound: see sim_dataset_decl.members */
    SIM_ELEM_STR64   /* record members only: text of up to 64 bytes, NUL-padded */
} sim_elem;
#define SIM_STR64 64

/* How a dataset is laid out and when it is written. */
typedef enum sim_shape {
    SIM_SHAPE_HH,        /* [household], at creation, rows by household */
    SIM_SHAPE_HH_PERIOD, /* [household, period (grows)], a day of periods at a time */
    SIM_SHAPE_HH_COLS,   /* [household, column], rows by household at the end */
    SIM_SHAPE_SERIES,    /* [time (grows)], appended as the run goes */
    SIM_SHAPE_TIME_AREA, /* [second (grows), area], appended as the run goes */
    SIM_SHAPE_ROWS,      /* [row], written whole at the end */
    SIM_SHAPE_ROWS_COLS, /* [row, column], float64, written whole at the end */
    SIM_SHAPE_PERIOD_COLS /* [period (grows), column], float64, a window at a time; one column
                           * per DNO region of the run */
} sim_shape;

/* ---- columns of the [*, column] tables --------------------------------------------------
 * X(table, ID, name, units): the engine fills row r column SIM_<table>_<ID> of a table of
 * SIM_<table>_NCOLS columns; the names form the `columns` attribute where the table has one. */

/* /meter/registers/final, in the order of the meter's channels (mm_channel) */
#define SIM_REG_COLS(X)                                                                            \
    X(REG, IMPORT, "import_wh", "Wh")                                                              \
    X(REG, EXPORT, "export_wh", "Wh")                                                              \
    X(REG, RIMPORT, "reactive_import_varh", "varh")                                                \
    X(REG, REXPORT, "reactive_export_varh", "varh")

/* /meter/billing/final */
#define SIM_BILL_COLS(X)                                                                           \
    X(BILL, COST, "cost", "1e-8 p")                                                                \
    X(BILL, BALANCE, "balance", "1e-5 GBP")                                                        \
    X(BILL, AVAILABLE, "available", "1e-5 GBP")

/* /network/areas */
#define SIM_AREA_COLS(X)                                                                           \
    X(AREA, REGION, "region", "-")                                                                 \
    X(AREA, TECH, "tech", "-")                                                                     \
    X(AREA, HOUSEHOLDS, "households", "households")                                                \
    X(AREA, UPLINK_BPS, "uplink_bps", "bit/s")                                                     \
    X(AREA, UPLINK_LATENCY_S, "uplink_latency_s", "s")                                             \
    X(AREA, SITE_DOWNTIME_S, "site_downtime_s", "s")                                               \
    X(AREA, DARK_SPELLS, "dark_spells", "1")                                                       \
    X(AREA, LOST_ACCESS, "lost_access", "messages")                                                \
    X(AREA, LOST_MESH, "lost_mesh", "messages")                                                    \
    X(AREA, LOST_NO_ROUTE, "lost_no_route", "messages")                                            \
    X(AREA, LOST_SITE_DARK, "lost_site_dark", "messages")                                          \
    X(AREA, PEAK_CELL_QUEUE, "peak_cell_queue", "messages")                                        \
    X(AREA, FIRMWARE_BYTES, "firmware_bytes", "B")

/* /network/price_updates */
#define SIM_UPD_COLS(X)                                                                            \
    X(UPD, FIRST_PERIOD, "first_period", "-")                                                      \
    X(UPD, PERIODS, "periods", "periods")                                                          \
    X(UPD, SENT_S, "sent_s", "s")                                                                  \
    X(UPD, BROADCAST_AREAS, "broadcast_areas", "areas")                                            \
    X(UPD, UNICAST_METERS, "unicast_meters", "meters")                                             \
    X(UPD, RECEIVED, "received", "meters")                                                         \
    X(UPD, REJECTED, "rejected", "meters")                                                         \
    X(UPD, LOST, "lost", "meters")                                                                 \
    X(UPD, LATE, "late", "meters")                                                                 \
    X(UPD, LAG_MEAN_S, "lag_mean_s", "s")                                                          \
    X(UPD, LAG_MAX_S, "lag_max_s", "s")

/* /network/headend/class_stats */
#define SIM_HECLASS_COLS(X)                                                                        \
    X(HECLASS, OFFERED, "offered", "requests")                                                     \
    X(HECLASS, ACCEPTED, "accepted", "requests")                                                   \
    X(HECLASS, DROPPED, "dropped", "requests")                                                     \
    X(HECLASS, QUARANTINED, "quarantined", "requests")                                             \
    X(HECLASS, EXCLUDED, "excluded", "requests")                                                   \
    X(HECLASS, COMPLETED, "completed", "requests")                                                 \
    X(HECLASS, MET_TARGET, "met_target", "requests")                                               \
    X(HECLASS, RESP_MEAN_S, "resp_mean_s", "s")                                                    \
    X(HECLASS, RESP_P50_S, "resp_p50_s", "s")                                                      \
    X(HECLASS, RESP_P99_S, "resp_p99_s", "s")                                                      \
    X(HECLASS, WAIT_MEAN_S, "wait_mean_s", "s")                                                    \
    X(HECLASS, WAIT_MAX_S, "wait_max_s", "s")

/* /network/dno/restoration */
#define SIM_DNO_COLS(X)                                                                            \
    X(DNO, RESTORED, "restored", "premises")                                                       \
    X(DNO, KNOWN, "known", "premises")                                                             \
    X(DNO, LAST_RESTORE_S, "last_restore_s", "s")                                                  \
    X(DNO, LAST_KNOWN_S, "last_known_s", "s")                                                      \
    X(DNO, ALL_KNOWN_AFTER_S, "all_known_after_s", "s")                                            \
    X(DNO, FRAC_KNOWN_WITHIN_5MIN, "frac_known_within_5min", "fraction")                           \
    X(DNO, LAG_P50_S, "lag_p50_s", "s")                                                            \
    X(DNO, LAG_P99_S, "lag_p99_s", "s")

/* /fleet/final: each meter at the end of the run. */
#define SIM_FLEET_FINAL_COLS(X)                                                                    \
    X(FLEET_FINAL, GENERATION, "generation", "-")                                                  \
    X(FLEET_FINAL, POPULATION, "population", "-")                                                  \
    X(FLEET_FINAL, IMAGE, "image", "-")                                                            \
    X(FLEET_FINAL, ROUTE, "route", "-")

#define SIM_COL_ENUM_(table, id, name, units) SIM_##table##_##id,
enum { SIM_REG_COLS(SIM_COL_ENUM_) SIM_REG_NCOLS };
enum { SIM_BILL_COLS(SIM_COL_ENUM_) SIM_BILL_NCOLS };
enum { SIM_AREA_COLS(SIM_COL_ENUM_) SIM_AREA_NCOLS };
enum { SIM_UPD_COLS(SIM_COL_ENUM_) SIM_UPD_NCOLS };
enum { SIM_HECLASS_COLS(SIM_COL_ENUM_) SIM_HECLASS_NCOLS };
enum { SIM_DNO_COLS(SIM_COL_ENUM_) SIM_DNO_NCOLS };
enum { SIM_FLEET_FINAL_COLS(SIM_COL_ENUM_) SIM_FLEET_FINAL_NCOLS };
#undef SIM_COL_ENUM_

/* ---- datasets ---------------------------------------------------------------------------
 * X(ID): dataset SIM_DS_<ID>, declared in schema.c (its key, path, type, ...).  The
 * head-end's series follow as SIM_DS_HE_<field>, one per field of NET_HE_SERIES_MAP. */
#define SIM_DATASET_MAP(X)                                                                         \
    X(HOUSEHOLDS)                                                                                  \
    X(IMPORT)                                                                                      \
    X(EXPORT)                                                                                      \
    X(RIMPORT)                                                                                     \
    X(REXPORT)                                                                                     \
    X(GAS)                                                                                         \
    X(REGISTERS)                                                                                   \
    X(BILLING)                                                                                     \
    X(EVENTS)                                                                                      \
    X(DEMAND)                                                                                      \
    X(CELL_ARRIVALS)                                                                               \
    X(CELL_QUEUE)                                                                                  \
    X(REGION_DEMAND)                                                                               \
    X(PRICE)                                                                                       \
    X(WHOLESALE)                                                                                   \
    X(AREAS)                                                                                       \
    X(PRICE_UPDATES)                                                                               \
    X(HAN)                                                                                         \
    X(FIRMWARE_LOG)                                                                                \
    X(FLEET_DAILY)                                                                                 \
    X(FLEET_FINAL)                                                                                 \
    X(FLEET_POPULATIONS)                                                                           \
    X(FLEET_SUPPLIERS)                                                                             \
    X(FLEET_CAMPAIGNS)                                                                             \
    X(FLEET_IMAGES)                                                                                \
    X(COMMAND_RUNS)                                                                                \
    X(COMMAND_REGION_STEP)                                                                         \
    X(HE_CLASS_STATS)                                                                              \
    X(DNO_RESTORATION)

typedef enum sim_ds {
#define SIM_DS_ENUM_(id) SIM_DS_##id,
    SIM_DATASET_MAP(SIM_DS_ENUM_)
#undef SIM_DS_ENUM_
#define SIM_DS_HE_ENUM_(name, type, units, desc) SIM_DS_HE_##name,
    NET_HE_SERIES_MAP(SIM_DS_HE_ENUM_)
#undef SIM_DS_HE_ENUM_
    SIM_DS_COUNT
} sim_ds;

/* The half-hourly channels: SIM_DS_IMPORT + channel, in the order of mm_channel, gas last. */
#define SIM_HALFHOURLY_CHANNELS 4
#define SIM_HALFHOURLY_GAS SIM_HALFHOURLY_CHANNELS

typedef struct sim_column {
    const char *name;
    const char *units;
} sim_column;

typedef struct sim_member {
    const char *name;
    sim_elem type;
    size_t offset; /* in the writer's C struct [B] */
    const char *units;
} sim_member;

typedef struct sim_dataset_decl {
    const char *key;  /* short name for tools and Python: "import_wh" */
    const char *path; /* "/meter/halfhourly/import_wh" */
    sim_elem type;
    sim_shape shape;
    const char *units;       /* the `units` attribute */
    const char *description; /* the `description` attribute */
    /* [*, column] tables: the columns; NULL with ncols 0 when they are only known at run
     * time (one per DNO region, one per area) */
    const sim_column *cols;
    size_t ncols;
    bool columns_attr; /* the table carries its column names as the `columns` attribute */
    const char *rows;  /* the `rows` attribute, NULL for none */
    /* SIM_ELEM_RECORD: the members and the size of the C struct [B] */
    const sim_member *members;
    size_t nmembers;
    size_t record_size;
} sim_dataset_decl;

/* The declaration of dataset ID (< SIM_DS_COUNT). */
const sim_dataset_decl *sim_schema_dataset(sim_ds id);
/* The dataset whose key is KEY, or -1. */
int sim_schema_by_key(const char *key);
/* Index of column NAME in D, or -1. */
int sim_schema_column(const sim_dataset_decl *d, const char *name);
/* The column names of D joined by commas into BUF: the `columns` attribute.  0, or -1 when
 * BUF is too small. */
int sim_schema_columns_text(const sim_dataset_decl *d, char *buf, size_t n);

/* ---- /meta ------------------------------------------------------------------------------
 * X(ID, name, kind, description): the scalar attributes of the /meta group; kind "str" is a
 * UTF-8 string, "u64" an unsigned 64-bit integer. */
#define SIM_META_GROUP "/meta"
#define SIM_META_MAP(X)                                                                            \
    X(VERSION, "metersim_version", "str", "metersim release that wrote the trace")                 \
    X(FIRMWARE, "firmware_build", "str", "build string of the first population's firmware image")  \
    X(IMAGES, "firmware_images", "str",                                                            \
      "one line per image (/fleet/images): name, version, sha256, build id, source")               \
    X(SEED, "seed", "u64", "scenario seed")                                                        \
    X(SCENARIO_NAME, "scenario_name", "str", "name of the scenario")                               \
    X(SCENARIO_YAML, "scenario_yaml", "str", "the resolved scenario text")                         \
    X(COMPLETE, "complete", "u64", "1 when the run reached its end, else 0")                       \
    X(SIM_START, "sim_start", "str", "simulated start, ISO 8601 UTC")                              \
    X(SIM_END, "sim_end", "str", "simulated time reached, ISO 8601 UTC")                           \
    X(HOUSEHOLDS, "households", "u64", "households simulated")                                     \
    X(WALL_START, "wall_start", "str", "wall-clock time the run started, ISO 8601 UTC")            \
    X(WALL_END, "wall_end", "str", "wall-clock time the trace was closed, ISO 8601 UTC")          \
    X(WARNINGS, "warnings", "str",                                                                 \
      "the scenario's warnings as validate prints them, one line each; empty for none")

typedef enum sim_meta_attr {
#define SIM_META_ENUM_(id, name, kind, desc) SIM_META_##id,
    SIM_META_MAP(SIM_META_ENUM_)
#undef SIM_META_ENUM_
    SIM_META_COUNT
} sim_meta_attr;

const char *sim_schema_meta_name(sim_meta_attr a);

/* Attribute names every dataset or table uses. */
#define SIM_ATTR_UNITS "units"
#define SIM_ATTR_DESCRIPTION "description"
#define SIM_ATTR_COLUMNS "columns"
#define SIM_ATTR_ROWS "rows"

/* ---- HDF5 --------------------------------------------------------------------------------
 * The native (memory) type of E, for reading and writing; a predefined type, not to be
 * closed; -1 for SIM_ELEM_RECORD. */
hid_t sim_schema_h5_native(sim_elem e);
/* The memory type of D's elements: a new compound type for records (the caller closes it
 * with H5Tclose), the predefined native type otherwise (closing it is harmless).  -1 on
 * failure. */
hid_t sim_schema_h5_type(const sim_dataset_decl *d);

/* ---- export -------------------------------------------------------------------------------
 * The whole declaration as JSON (analysis/trace_schema.json).  0, or -1 on a write error. */
int sim_schema_json(FILE *out);

#endif

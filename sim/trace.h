/* Trace writer: one self-describing HDF5 file per run.
 *
 * Every dataset the simulator writes is declared once in trace.c's table (path, element
 * type, shape kind, units, description); the writer creates them all from that table
 * and gives each its `units` and `description` attributes, so a reader never meets an
 * unlabelled number.  The paths are a contract with users' analysis scripts:
 *
 *   /meta                              attributes: metersim_version, firmware_build, seed,
 *                                      scenario_name, scenario_yaml, complete, sim_start,
 *                                      sim_end, households, wall_start, wall_end
 *   /households                        table: id, area, lv_substation, primary, region,
 *                                      feeder, dwelling
 *   /meter/halfhourly/<channel>        [household, period] uint32, chunked + deflate
 *   /meter/registers/final             [household, channel] uint64 end-of-run registers
 *   /events                            appended records (t_s, household, code, value)
 *   /network/headend/arrivals          [second] messages arriving at the head-end
 *   /grid/demand_w                     [minute] mean total demand
 *
 * The file is written as OUT.partial and renamed to OUT only when the run completed;
 * an interrupted run closes a valid file with complete = 0 and keeps the .partial name.
 * Not here: what the numbers mean for models; the engine hands over finished blocks.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include "output/records.h"
#include "sim/events.h"

#include <hdf5.h>

#include <stddef.h>
#include <stdint.h>

typedef struct sim_trace sim_trace;

/* Half-hourly channels, in the order of mm_channel. */
#define SIM_TRACE_CHANNELS 4
#define SIM_TRACE_GAS SIM_TRACE_CHANNELS /* channel index of the gas half-hourly matrix */
#define SIM_TRACE_BILL_COLS 3 /* /meter/billing/final: cost, balance, available */

typedef struct sim_trace_info {
    const char *version;
    const char *firmware_build;
    const char *scenario_name;
    const char *scenario_yaml;
    uint64_t seed;
    int64_t start_unix;
    uint64_t households;
    uint32_t chunk_households;
    uint32_t compression; /* deflate level 0..9 */
    uint32_t areas;       /* WAN cells (columns of the per-cell series) */
} sim_trace_info;

/* Creates OUT.partial. Returns NULL with a message in ERR. */
sim_trace *sim_trace_create(const char *out_path, const sim_trace_info *info, char *err,
                            size_t errlen);
int sim_trace_households(sim_trace *t, const sim_household_row *rows, size_t n);
/* A block of the half-hourly matrix: households [hh0, hh0+nh), periods [p0, p0+np),
 * row-major data[nh][np].  Blocks for a period range must arrive for all households
 * before the next range; the period extent grows to p0+np. */
int sim_trace_halfhourly(sim_trace *t, int channel, uint64_t hh0, uint64_t nh, uint64_t p0,
                         uint64_t np, const uint32_t *data);
int sim_trace_registers(sim_trace *t, uint64_t hh0, uint64_t nh, const uint64_t *data);
/* Rows HH0.. of /meter/billing/final, SIM_TRACE_BILL_COLS values per household. */
int sim_trace_billing(sim_trace *t, uint64_t hh0, uint64_t nh, const int64_t *data);
int sim_trace_events(sim_trace *t, const sim_event *ev, size_t n);
/* The memory type of one /events record (a sim_event), for writer and readers alike; the
 * caller closes it with H5Tclose. */
hid_t sim_trace_event_type(void);
/* Per-cell series: SECONDS rows of info.areas columns each (row-major), appended. */
int sim_trace_cells(sim_trace *t, const uint32_t *arrivals, const uint32_t *queue, size_t seconds);
int sim_trace_arrivals(sim_trace *t, const uint32_t *per_second, size_t n);
int sim_trace_demand(sim_trace *t, const double *w_per_minute, size_t n);
/* A whole 1-D series declared by a model's own table (name, units, description), e.g. the
 * head-end's NET_HE_SERIES_MAP: created at PATH with its units and description. */
int sim_trace_series_u32(sim_trace *t, const char *path, const uint32_t *v, size_t n,
                         const char *units, const char *description);
int sim_trace_series_f64(sim_trace *t, const char *path, const double *v, size_t n,
                         const char *units, const char *description);
/* A [rows, cols] float64 table whose column names are COLUMNS ("a,b,c") and row names ROWS. */
int sim_trace_table_f64(sim_trace *t, const char *path, const double *v, size_t rows, size_t cols,
                        const char *row_names, const char *columns, const char *units,
                        const char *description);

int sim_trace_han(sim_trace *t, const sim_han_row *rows, size_t n);

/* Write the closing attributes, close, and rename when COMPLETE. Frees T. */
int sim_trace_finish(sim_trace *t, int complete, int64_t sim_end_unix, char *err, size_t errlen);

/* Path of the file actually written (OUT or OUT.partial) after finish; static storage. */
const char *sim_trace_final_path(void);

#endif

/* Trace writer: one self-describing HDF5 file per run.
 *
 * Every dataset the simulator writes is declared once in sim/output/schema.c (path, element
 * type, shape, units, description, columns, record members); the writer creates and fills
 * them from that declaration and gives each its `units` and `description` attributes (and
 * tables their `columns` and `rows`), so a reader never meets an unlabelled number.  The
 * paths are a contract with users' analysis scripts; among them:
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
#include "output/schema.h"
#include "sim/events.h"

#include <hdf5.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_trace sim_trace;

#define SIM_TRACE_PATH_MAX 1024 /* bytes of OUT, with its NUL (outpath.h checks it first) */

typedef struct sim_trace_info {
    const char *version;
    const char *firmware_build;
    const char *firmware_images; /* one line per image: name, version, sha256, build id, source */
    const char *scenario_name;
    const char *scenario_yaml;
    uint64_t seed;
    int64_t start_unix;
    uint64_t households;
    uint32_t chunk_households;
    uint32_t compression; /* deflate level 0..9 */
    uint32_t areas;       /* WAN cells (columns of the per-cell series) */
    uint32_t regions;     /* DNO regions (columns of the per-region series) */
    const char *region_names; /* their names, comma-separated (the `columns` attribute) */
    const char *warnings;     /* the scenario's warnings, one line each (sim/warnings.h) */
    bool replace;             /* an existing OUT may be replaced when the run completes */
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
/* Rows HH0.. of a [household, column] table (SIM_SHAPE_HH_COLS: registers, billing),
 * row-major, of the declared element type and columns. */
/* The half-hourly datasets are stored in chunks of (chunk_households households x 48 periods)
 * that a run writes once each.  A chunk can be encoded where its values are (an MPI rank's
 * own households: collect.c) and written here as it is stored: VALS[ch][48] (ch households,
 * zeros past the run's households or periods) shuffled and deflated as the dataset's filters
 * would, by a coder made for the dataset's compression level (0: stored as they are), into
 * OUT (room for sim_trace_chunk_bound(coder, ch * 48) bytes; SCRATCH the same), its size in
 * *SIZE.  0, or -1. */
typedef struct sim_chunk_coder sim_chunk_coder;
sim_chunk_coder *sim_chunk_coder_new(int level); /* NULL: out of memory */
void sim_chunk_coder_free(sim_chunk_coder *c);   /* accepts NULL */
size_t sim_trace_chunk_bound(const sim_chunk_coder *c, size_t values);
int sim_trace_chunk_encode(sim_chunk_coder *c, const uint32_t *vals, size_t values,
                           unsigned char *out, unsigned char *scratch, size_t *size);
/* Encoded chunk BYTES (SIZE) of CHANNEL at households HH0, periods P0 (both multiples of the
 * chunk's), the period extent growing to P0 + NP. */
int sim_trace_halfhourly_chunk(sim_trace *t, int channel, uint64_t hh0, uint64_t p0, uint64_t np,
                               const void *bytes, size_t size);
int sim_trace_rows(sim_trace *t, sim_ds id, uint64_t hh0, uint64_t nh, const void *data);
/* N elements appended to a growing series (SIM_SHAPE_SERIES), of its declared element type. */
int sim_trace_append(sim_trace *t, sim_ds id, const void *data, size_t n);
/* N rows of a [period, column] table (SIM_SHAPE_PERIOD_COLS, info.regions columns each),
 * appended. */
int sim_trace_append_rows(sim_trace *t, sim_ds id, const double *rows, size_t n);
/* Per-cell series: SECONDS rows of info.areas columns each (row-major), appended. */
int sim_trace_cells(sim_trace *t, const uint32_t *arrivals, const uint32_t *queue, size_t seconds);
/* A dataset written whole at the end (SIM_SHAPE_ROWS, or SIM_SHAPE_ROWS_COLS with declared
 * columns): ROWS elements or rows, row-major, with its units, description, columns, rows. */
int sim_trace_whole(sim_trace *t, sim_ds id, const void *v, size_t rows);
/* ... a SIM_SHAPE_ROWS_COLS one whose columns are the run's (COLS of them, named COLUMNS). */
int sim_trace_whole_cols(sim_trace *t, sim_ds id, const double *v, size_t rows, size_t cols,
                         const char *columns);

/* Everything written so far on disk, /meta saying it reaches SIM_END_UNIX (complete = 0): a
 * valid file should the run stop there.  -1 after a failure (sim_trace_why). */
int sim_trace_flush(sim_trace *t, int64_t sim_end_unix);

/* A checkpoint's copy of the trace: everything on disk (sim_trace_flush, claiming SIM_END),
 * then the file copied to PATH, a new file.  0, or -1 with a message in ERR. */
int sim_trace_snapshot(sim_trace *t, int64_t sim_end_unix, const char *path, char *err,
                       size_t errlen);
/* A run resumed from a checkpoint: SNAPSHOT (sim_trace_snapshot's copy) becomes OUT.partial,
 * replacing what the interrupted run left there, and is opened to go on (INFO as the run
 * created it).  NULL with a message in ERR. */
sim_trace *sim_trace_resume(const char *out_path, const char *snapshot, const sim_trace_info *info,
                            char *err, size_t errlen);

/* Write the closing attributes, close, and rename when COMPLETE (into an existing OUT only
 * with info.replace). Frees T.  After a failed write nothing more is written: the file keeps
 * what the last sim_trace_flush put on disk. */
int sim_trace_finish(sim_trace *t, int complete, int64_t sim_end_unix, char *err, size_t errlen);

/* Why the first failed HDF5 call of this trace failed: the errno text ("No space left on
 * device") when the file driver gives one; static storage. */
const char *sim_trace_why(void);
bool sim_trace_failed(void); /* an HDF5 call of this trace has failed */

/* Path of the file actually written (OUT or OUT.partial) after finish; static storage. */
const char *sim_trace_final_path(void);

#endif

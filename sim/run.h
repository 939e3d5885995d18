/* A run: one scenario simulated on SimGrid, its trace written window by window.
 *
 * Households live in compact arrays owned by areas (groups of premises behind one LV
 * substation or WAN cell); one SimGrid actor per area advances its households from event to
 * event, closes every settlement period on each meter and sends their WAN messages as real
 * SimGrid communications towards the head-end host (sink.c takes each as its transfer ends).
 * The caller drives the run one 30-minute settlement window at a time (sim_run_window), so
 * it can report progress, notice signals and synchronise MPI ranks between windows;
 * sim_engine_run does all of it for the command line.
 *
 * One run per process, or one part of a run per MPI rank (SimGrid has one engine per
 * process; partition.c decides which areas a rank holds).
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "output/records.h"
#include "progress.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sim_run_opts {
    const char *out_path; /* trace path (written as OUT.partial first) */
    bool quiet;           /* no progress line, no summary */
    sim_progress_mode progress; /* progress on stderr: a redrawn line or plain log lines */
    bool force;           /* an existing OUT may be replaced when the run completes */
    uint32_t checkpoint_every_s; /* a checkpoint (OUT.ckpt) this often [s of simulated time];
                                  * 0: none */
    const char *resume;   /* go on from the checkpoint in this directory; NULL: a new run */
} sim_run_opts;

#define SIM_SUMMARY_RANKS 32

/* One MPI rank's part of a run. */
typedef struct sim_rank_share {
    uint64_t households, events;
    double busy_s, wait_s; /* wall time simulating, and in collectives [s] */
    double barrier_s;      /* ... of which waiting for the slowest rank at window ends [s] */
    uint64_t rss_bytes;    /* its peak RSS */
} sim_rank_share;

typedef struct sim_run_summary {
    uint64_t households;
    int64_t span_s;          /* simulated time reached [s] */
    uint64_t events;         /* household load events processed */
    uint64_t wan_sent;       /* WAN messages sent */
    uint64_t wan_delivered;  /* ... and delivered to the head-end within the run */
    uint64_t interruptions;  /* premises that lost supply (each loss counted) */
    uint64_t alerts_sent;    /* AD1 and restore alerts sent */
    uint64_t alerts_delivered;
    uint64_t peak_cell_backlog; /* most messages waiting in one cell queue */
    double wall_s;
    double collect_s;        /* ... of which collecting and writing the trace (rank 0's) */
    double household_days_per_s;
    uint64_t peak_rss_bytes;
    uint64_t area_bytes_per_household; /* the areas' per-household columns [B] */
    double part_bytes[7];    /* ... by part (runner.h's sim_part order) [B] */
    uint64_t generation[3];  /* meters per generation: SMETS2, SMETS1, traditional */
    uint32_t populations, suppliers, images;
    bool complete;
    bool shared_failure;     /* MPI: the run ended for a reason every rank reports alike (a
                              * signal, another rank's failure, rank 0's trace): rank 0 says it */
    const char *trace_path;  /* file written */
    uint64_t backbone_peak_bytes; /* most bytes reaching the head-end host in one second */
    double backbone_bps;          /* the backbone's capacity [bit/s] */
    /* MPI: each rank's share (rank 0's summary; the first SIM_SUMMARY_RANKS ranks listed) */
    int ranks;
    sim_rank_share rank[SIM_SUMMARY_RANKS];
    double wait_max_s, busy_max_s, busy_min_s;
    double exchange_min_s;  /* the least time a rank spent in collectives outside the window
                             * barriers: moving data (the slowest rank's is nearly all that) */
    uint32_t windows;       /* windows simulated */
    uint32_t checkpoints;   /* checkpoints written */
    uint32_t checkpoints_passed; /* boundaries due for one but a transfer was under way */
    uint32_t checkpoints_failed; /* ... whose writing failed (reported; the run went on) */
    double checkpoint_s;    /* wall time writing them [s] */
    int64_t checkpoint_at_s; /* the last one's boundary [s since start]; -1 none */
    int64_t resumed_from_s; /* the checkpoint this process went on from [s]; -1: from the start */
    uint64_t rss_max_bytes;
    /* each command run's outcome (commands, then attack), as /commands/runs has it */
    uint32_t n_cmdruns;
    sim_cmdrun_row cmdrun[2 * SIM_CMD_RUNS_MAX];
} sim_run_summary;

typedef struct sim_run sim_run;

/* Build the run of SC: models, areas, platform, actors, and the trace file (OUT.partial).
 * Returns 0, or -1 with a message in ERR (nothing is left running; destroy still accepts
 * *OUT, which may be NULL). */
int sim_run_create(const sim_scenario *sc, const sim_run_opts *opts, sim_run **out, char *err,
                   size_t errlen);
/* Simulate the next settlement window and stream what it finished to the trace.  Returns 1
 * while windows remain, 0 after the last one, or a negative SIM_E* code on failure. */
int sim_run_window(sim_run *r);
/* Simulated time reached so far [s since start]. */
int64_t sim_run_reached_s(const sim_run *r);
/* End the run (early when INTERRUPTED or after a failure): let SimGrid wind down, write the
 * end-of-run datasets, close the trace (renamed to OUT only when complete) and fill SUM.
 * Returns 0 when complete, else 1 with a message in ERR. */
int sim_run_finish(sim_run *r, int interrupted_by, sim_run_summary *sum, char *err, size_t errlen);
void sim_run_destroy(sim_run *r); /* accepts NULL */

/* The whole run for the command line: create, windows until done or SIGINT/SIGTERM, progress
 * on a terminal, finish, destroy.  0: completed.  1: runtime failure or interrupted (message
 * in ERR; when interrupted, the trace is a valid file with complete = 0).  2: the fleet or a
 * firmware image was refused before the run started (bad input). */
int sim_engine_run(const sim_scenario *sc, const sim_run_opts *opts, sim_run_summary *sum,
                   char *err, size_t errlen);

/* Catch SIGINT and SIGTERM for the rest of the process: before the trace exists the process
 * exits at once (status 1, a message on stderr, nothing on disk); afterwards the run ends at the
 * next window boundary with a valid trace marked complete = 0 (sim_engine_run).  -1 when the
 * handlers cannot be installed. */
int sim_run_catch_signals(void);

void sim_summary_print(const sim_run_summary *s, FILE *out);

#endif

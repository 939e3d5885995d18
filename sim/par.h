/* The run across MPI ranks: whether this process is one of several, and the few collectives
 * the runner needs, each a no-op (or a copy) in a process of its own.
 *
 * MPI is started only when a launcher started the process (mpirun, mpiexec or srun: their
 * environment says so), so a plain `metersim run` never touches MPI, and a sweep may still
 * fork.  Every collective here is called by every rank in the same order: the runner makes
 * them at window boundaries (coordinator.c), once a day for the half-hourly data and at the
 * end (collect.c), never from a handler that only some ranks run.
 *
 * Ranks hold consecutive ranges of areas and households in rank order (partition.c), so
 * what rank 0 gathers row by row arrives in id order.  Sums are of integers, so they do not
 * depend on how many ranks added their parts.
 */
#ifndef SIM_PAR_H
#define SIM_PAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start MPI if a launcher started this process.  0, or -1 with a message on stderr. */
int sim_par_init(int *argc, char ***argv);
/* Leave MPI (accepts a process that never started it). */
void sim_par_finalize(void);
/* End every rank at once (a rank that cannot go on, when the others wait in a collective). */
_Noreturn void sim_par_abort(int status);

bool sim_par_active(void); /* MPI was started: there may be other ranks */
int sim_par_rank(void);    /* 0 without MPI */
int sim_par_ranks(void);   /* 1 without MPI */

/* X holds on some rank (on every rank the same answer): one rank's failure, known to all. */
bool sim_par_any(bool x);
/* V[N] summed (max) over ranks, in place on every rank. */
void sim_par_sum_i64(int64_t *v, size_t n);
void sim_par_max_i64(int64_t *v, size_t n);
/* V[N] of rank 0 copied to every rank. */
void sim_par_bcast(void *v, size_t bytes);

/* Every rank's BYTES at MINE, concatenated in rank order, into *ALL (grown with realloc; its
 * capacity in *CAP), the total in *N_ALL.  0, or -1 out of memory (on any rank: every rank
 * then returns -1). */
int sim_par_allgather(const void *mine, size_t bytes, void **all, size_t *cap, size_t *n_all);
/* Rank 0 receives every rank's N rows of ROW bytes at MINE, in rank order, at ALL (room for
 * all of them; other ranks pass NULL).  Returns the rows rank 0 received (0 on other ranks). */
size_t sim_par_gather_rows(const void *mine, size_t n, size_t row, void *all);
/* Rank 0 receives every rank's row count (in rank order) at COUNTS[ranks]. */
void sim_par_gather_counts(uint64_t n, uint64_t *counts);

/* Wait until every rank is here (the window boundary: coordinator.c). */
void sim_par_barrier(void);

/* Wall time this rank has spent in collectives since MPI started [s]: all of them, and of
 * that at barriers (waiting for the slowest rank to finish simulating its window); the rest
 * is moving data and waiting for rank 0's writing. */
double sim_par_wait_s(void);
double sim_par_barrier_s(void);

#endif

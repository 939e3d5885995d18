#include "par.h"

#include <mpi.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool active;
static int rank, ranks = 1;
static double waited, at_barrier;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A launcher's environment: Open MPI's mpirun, PMIx (srun --mpi=pmix), PMI-1/2 (srun, MPICH). */
static bool launched(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t k = 0; k < sizeof vars / sizeof *vars; k++)
        if (getenv(vars[k])) return true;
    return false;
}

int sim_par_init(int *argc, char ***argv)
{
    if (!launched()) return 0;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "metersim: MPI_Init failed\n");
        return -1;
    }
    active = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    return 0;
}

void sim_par_finalize(void)
{
    if (active) MPI_Finalize();
    active = false;
}

_Noreturn void sim_par_abort(int status)
{
    if (active) MPI_Abort(MPI_COMM_WORLD, status);
    exit(status);
}

bool sim_par_active(void)
{
    return active;
}

int sim_par_rank(void)
{
    return rank;
}

int sim_par_ranks(void)
{
    return ranks;
}

static void all_reduce(int64_t *v, size_t n, MPI_Op op)
{
    if (ranks == 1 || n == 0) return;
    double t0 = now_s();
    MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_INT64_T, op, MPI_COMM_WORLD);
    waited += now_s() - t0;
}

void sim_par_sum_i64(int64_t *v, size_t n)
{
    all_reduce(v, n, MPI_SUM);
}

void sim_par_max_i64(int64_t *v, size_t n)
{
    all_reduce(v, n, MPI_MAX);
}

bool sim_par_any(bool x)
{
    int64_t v = x;
    all_reduce(&v, 1, MPI_MAX);
    return v != 0;
}

void sim_par_bcast(void *v, size_t bytes)
{
    if (ranks == 1 || bytes == 0) return;
    double t0 = now_s();
    MPI_Bcast(v, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
    waited += now_s() - t0;
}

int sim_par_allgather(const void *mine, size_t bytes, void **all, size_t *cap, size_t *n_all)
{
    if (ranks == 1) {
        if (bytes > *cap) {
            void *p = realloc(*all, bytes);
            if (!p) return -1;
            *all = p;
            *cap = bytes;
        }
        if (bytes) memcpy(*all, mine, bytes);
        *n_all = bytes;
        return 0;
    }
    double t0 = now_s();
    int64_t my = (int64_t)bytes;
    int64_t *len = malloc((size_t)ranks * sizeof *len);
    int *cnt = malloc((size_t)ranks * sizeof *cnt), *dsp = malloc((size_t)ranks * sizeof *dsp);
    /* every rank must agree before any of them goes on: first on its own buffers */
    int64_t ok = len && cnt && dsp && bytes <= INT_MAX ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
    int64_t total = 0;
    if (ok) {
        MPI_Allgather(&my, 1, MPI_INT64_T, len, 1, MPI_INT64_T, MPI_COMM_WORLD);
        for (int k = 0; k < ranks; k++) {
            dsp[k] = (int)total;
            cnt[k] = (int)len[k];
            total += len[k];
        }
        /* then on room for everyone's */
        int64_t room = total <= INT_MAX;
        if (room && (size_t)total > *cap) {
            void *p = realloc(*all, (size_t)total);
            if (p) {
                *all = p;
                *cap = (size_t)total;
            } else {
                room = 0;
            }
        }
        MPI_Allreduce(MPI_IN_PLACE, &room, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
        ok = room;
    }
    if (ok) MPI_Allgatherv(mine, (int)bytes, MPI_BYTE, *all, cnt, dsp, MPI_BYTE, MPI_COMM_WORLD);
    *n_all = ok ? (size_t)total : 0;
    free(len);
    free(cnt);
    free(dsp);
    waited += now_s() - t0;
    return ok ? 0 : -1;
}

void sim_par_gather_counts(uint64_t n, uint64_t *counts)
{
    if (ranks == 1) {
        counts[0] = n;
        return;
    }
    double t0 = now_s();
    MPI_Gather(&n, 1, MPI_UINT64_T, counts, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    waited += now_s() - t0;
}

size_t sim_par_gather_rows(const void *mine, size_t n, size_t row, void *all)
{
    if (ranks == 1) {
        if (n && all != mine) memmove(all, mine, n * row);
        return n;
    }
    double t0 = now_s();
    /* one row as an MPI type, so counts are rows and a large table stays within int */
    MPI_Datatype t;
    MPI_Type_contiguous((int)row, MPI_BYTE, &t);
    MPI_Type_commit(&t);
    int my = (int)n, *cnt = NULL, *dsp = NULL;
    size_t total = 0;
    if (rank == 0) {
        cnt = malloc((size_t)ranks * sizeof *cnt);
        dsp = malloc((size_t)ranks * sizeof *dsp);
        if (!cnt || !dsp) sim_par_abort(1); /* the others wait for rank 0 in the gather */
    }
    MPI_Gather(&my, 1, MPI_INT, cnt, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0)
        for (int k = 0; k < ranks; k++) {
            dsp[k] = (int)total;
            total += (size_t)cnt[k];
        }
    /* rank 0's own rows may already sit where they belong (MINE inside ALL) */
    const void *send = rank == 0 && n && (const char *)mine == (const char *)all ? MPI_IN_PLACE : mine;
    MPI_Gatherv(send, my, t, all, cnt, dsp, t, 0, MPI_COMM_WORLD);
    MPI_Type_free(&t);
    free(cnt);
    free(dsp);
    waited += now_s() - t0;
    return total;
}

void sim_par_barrier(void)
{
    if (ranks == 1) return;
    double t0 = now_s();
    MPI_Barrier(MPI_COMM_WORLD);
    double dt = now_s() - t0;
    waited += dt;
    at_barrier += dt;
}

double sim_par_wait_s(void)
{
    return waited;
}

double sim_par_barrier_s(void)
{
    return at_barrier;
}

/* Checkpoints: a run's whole state at a window boundary, so that a long run stopped by a
 * signal, a kill or a cluster's time limit goes on from there (`metersim run --resume`) and
 * ends with the trace an uninterrupted run writes.
 *
 * Where: at the end of the coordinator's work on a window (coordinator.c), with every area
 * parked at the window barrier: the window is closed on every meter and streamed to the trace
 * (run.c's at_boundary), and nothing of the next has begun.  The resumed run starts its actors
 * there: the areas leave the barrier, the coordinator waits for the next window's end.
 *
 * What: a directory OUT.ckpt beside the trace, replaced whole at each checkpoint (a new one
 * is written as OUT.ckpt.new, then exchanged with the old by one rename):
 *   scenario.yaml  the resolved scenario, which the resumed run loads;
 *   trace.h5       a copy of the trace as flushed at the checkpoint;
 *   state          (state.RANK under MPI) a header naming the build, scenario, seed, rank
 *                  count and images, then every module's state (sim/ckpt.h: one function
 *                  per module saves and loads it), then the CRC-32 of all of it.
 * Set-up rebuilds what a run never changes (topology, fleet at the start, outages, links)
 * from the scenario, so the state holds only what changes.
 *
 * A checkpoint needs every WAN transfer finished (SimGrid's transfers cannot be saved): a
 * boundary where some cell still has one in flight or queued is passed over, and the next one
 * tried.  Under MPI every rank saves its own areas and its copy of the national parts in
 * state.RANK, and resuming needs the same rank count (the partition follows it).
 */
#define _GNU_SOURCE /* renameat2 */
#include "checkpoint.h"

#include "par.h"
#include "provenance.h"
#include "runner.h"
#include "sim/ckpt.h"
#include "sim/timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_MAGIC "metersim checkpoint\n"
#define CKPT_FORMAT 1u

void sim_checkpoint_dir(const char *out, char *dir, size_t n)
{
    snprintf(dir, n, "%s.ckpt", out);
}

/* The resolved scenario's text without its first line (which names the file it came from). */
static const char *yaml_body(const sim_scenario *sc)
{
    const char *y = sc->resolved_yaml ? sc->resolved_yaml : "";
    const char *nl = strchr(y, '\n');
    return nl ? nl + 1 : y;
}

/* The header: what must be the same for the state to mean anything in this process. */
static void header_ckpt(sim_run *r, sim_ckpt *c)
{
    char magic[sizeof CKPT_MAGIC] = CKPT_MAGIC;
    sim_ckpt_bytes(c, magic, sizeof magic);
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c) && memcmp(magic, CKPT_MAGIC, sizeof magic) != 0) {
        sim_ckpt_fail(c, "not a metersim checkpoint");
        return;
    }
    sim_ckpt_same(c, CKPT_FORMAT, "checkpoint format");
    /* the simulator build: records travel as their bytes */
    char build[160] = "", mine[160] = "";
    char id[96] = "";
    if (sim_self_build_id(id, sizeof id) != 0) snprintf(id, sizeof id, "unknown");
    snprintf(mine, sizeof mine, "%s %s %s", METERSIM_VERSION, sim_build_git_describe(), id);
    memcpy(build, mine, sizeof build);
    sim_ckpt_bytes(c, build, sizeof build);
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c) && memcmp(build, mine, sizeof build) != 0) {
        build[sizeof build - 1] = 0;
        sim_ckpt_fail(c, "written by another build of metersim (%s); this one is %s", build, mine);
        return;
    }
    sim_ckpt_same(c, sim_hash_str(yaml_body(r->sc)), "the resolved scenario's hash");
    sim_ckpt_same(c, r->sc->seed, "seed");
    /* each rank saves its own areas: the same partition is needed to load them */
    int32_t ranks = r->cx.ranks;
    SIM_CKPT(c, ranks);
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c) && ranks != r->cx.ranks)
        sim_ckpt_fail(c, "written by %d MPI ranks, this run has %d: resume it with as many", ranks,
                      r->cx.ranks);
    sim_ckpt_same(c, (uint64_t)r->cx.rank, "MPI rank");
    sim_ckpt_same(c, r->sc->households, "households");
    sim_ckpt_same(c, r->n_areas, "areas");
    sim_ckpt_same(c, r->fw.n_images, "firmware images");
    for (uint32_t k = 0; k < r->fw.n_images && !sim_ckpt_err(c); k++) {
        const sim_fw_image *im = &r->fw.img[k];
        char sha[sizeof im->sha256], bid[sizeof im->build_id];
        memcpy(sha, im->sha256, sizeof sha);
        memcpy(bid, im->build_id, sizeof bid);
        sim_ckpt_bytes(c, sha, sizeof sha);
        sim_ckpt_bytes(c, bid, sizeof bid);
        if (sim_ckpt_loading(c) && !sim_ckpt_err(c) &&
            (memcmp(sha, im->sha256, sizeof sha) != 0 || memcmp(bid, im->build_id, sizeof bid) != 0))
            sim_ckpt_fail(c, "firmware image %s is not the one the checkpoint ran", im->name);
        if (!sim_fw_can_checkpoint(im->abi))
            sim_ckpt_fail(c, "firmware image %s cannot save its meters' state (ABI 9 save_ram)",
                          im->name);
    }
}

/* Everything the run changes, in one order for saving and loading. */
static void state_ckpt(sim_run *r, sim_ckpt *c)
{
    sim_ckpt_tag(c, "run");
    SIM_CKPT(c, r->w);
    SIM_CKPT(c, r->flushed);
    SIM_CKPT(c, r->flushed_next);
    SIM_CKPT(c, r->ckpt_every_s);
    SIM_CKPT(c, r->ckpt_due_s);
    sim_ckpt_vec(c, &r->pending);
    SIM_CKPT(c, r->fw.crypto.macs);
    SIM_CKPT(c, r->fw.crypto.sigs);
    if (sim_ckpt_err(c) || sim_fleet_ckpt(&r->fleet, c) || sim_lifecycle_ckpt(&r->life, c))
        return;
    sim_ckpt_tag(c, "models");
    if (grid_price_ckpt(r->prices, c)) return;
    sim_ckpt_same(c, r->cx.ops->ckpt != NULL, "load model state");
    if (r->cx.ops->ckpt && r->cx.ops->ckpt(r->model, c)) return;
    if (sim_dl_ckpt(r->dl, c) || sim_campaigns_ckpt(r->camp, c) || sim_cmds_ckpt(r->cmds, c) ||
        sim_sink_ckpt(&r->sink, c) || sim_coord_ckpt(&r->coord, c))
        return;
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++)
        if (sim_area_ckpt(&r->areas[k], c)) return;
    /* the CRC of everything before it */
    uint32_t crc = sim_ckpt_crc(c), got = crc;
    SIM_CKPT(c, got);
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c) && got != crc)
        sim_ckpt_fail(c, "the state file is damaged (CRC-32 %08x, computed %08x)", got, crc);
}

/* A file's bytes on disk (fsync), by path. */
static int sync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* DIR and what is in it, removed (a checkpoint directory: plain files only). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[SIM_TRACE_PATH_MAX + 64];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The parent directory of PATH, fsync'd (a rename in it on disk). */
static void sync_parent(const char *path)
{
    char p[SIM_TRACE_PATH_MAX + 64];
    snprintf(p, sizeof p, "%s", path);
    char *slash = strrchr(p, '/');
    if (slash == p) slash[1] = 0;
    else if (slash) *slash = 0;
    else snprintf(p, sizeof p, ".");
    sync_path(p);
}

/* The state file of this rank in checkpoint directory DIR: DIR/state, or DIR/state.RANK
 * under MPI (each rank saves its own areas and its copy of the national parts). */
static void state_path(const sim_run *r, const char *dir, char *p, size_t n)
{
    if (r->cx.ranks > 1)
        snprintf(p, n, "%s/state.%d", dir, r->cx.rank);
    else
        snprintf(p, n, "%s/state", dir);
}

/* The state file PATH: written (a new file, on disk when this returns) or read.  0, or -1
 * with the file and why in ERR. */
static int state_file(sim_run *r, const char *path, bool loading, char *err, size_t errlen)
{
    FILE *f = fopen(path, loading ? "rb" : "wx");
    sim_ckpt *c = f ? sim_ckpt_open(f, loading) : NULL;
    if (!c) {
        snprintf(err, errlen, "%s: %s", path, f ? "out of memory" : strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    header_ckpt(r, c);
    state_ckpt(r, c);
    const char *why = sim_ckpt_err(c);
    if (loading && !why && fgetc(f) != EOF) why = "it goes on past its end";
    if (why) snprintf(err, errlen, "%s: %s", path, why);
    int rc = sim_ckpt_close(c) != 0 || why ? -1 : 0;
    if (!rc && !loading && (fflush(f) != 0 || fsync(fileno(f)) != 0)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (fclose(f) != 0 && !rc && !loading) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

#define CKPT_PEER (-2) /* another MPI rank's step failed, not this one's */

/* RC of this rank's step, agreed by every rank: -1 where it failed, CKPT_PEER (ERR says so)
 * on the ranks where it did not but another's did. */
static int agreed(int rc, char *err, size_t errlen)
{
    if (sim_par_any(rc != 0) && rc == 0) {
        snprintf(err, errlen, "another MPI rank failed");
        rc = CKPT_PEER;
    }
    return rc;
}

/* The scenario, as the resumed run will load it, in PATH. */
static int write_scenario(const sim_run *r, const char *p, char *err, size_t errlen)
{
    FILE *f = fopen(p, "wx");
    const char *y = r->sc->resolved_yaml ? r->sc->resolved_yaml : "";
    if (!f || fputs(y, f) == EOF || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    return 0;
}

/* The checkpoint written into TMP, then put in place of DIR.  Every rank takes every step;
 * rank 0 makes the directory, the scenario, the trace's copy and the exchange, each rank
 * writes its state.  0, -1 (this rank failed) or CKPT_PEER, with why in ERR. */
static int write_into(sim_run *r, const char *dir, const char *tmp, char *err, size_t errlen)
{
    char p[SIM_TRACE_PATH_MAX + 64];
    bool lead = r->cx.rank == 0;
    int rc = 0;
    if (lead) {
        remove_dir(tmp); /* a checkpoint an earlier process did not finish */
        if (mkdir(tmp, 0755) != 0) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            rc = -1;
        }
    }
    if ((rc = agreed(rc, err, errlen)) != 0) return rc;
    if (lead) {
        snprintf(p, sizeof p, "%s/scenario.yaml", tmp);
        rc = write_scenario(r, p, err, errlen);
        /* the trace as flushed now: every window up to this one */
        snprintf(p, sizeof p, "%s/trace.h5", tmp);
        int64_t end = r->sc->start_unix + (int64_t)r->flushed_next * SIM_PERIOD_S;
        if (!rc && r->tr) rc = sim_trace_snapshot(r->tr, end, p, err, errlen);
    }
    state_path(r, tmp, p, sizeof p);
    if (!rc) rc = state_file(r, p, false, err, errlen);
    if ((rc = agreed(rc, err, errlen)) != 0) return rc;
    if (lead) {
        sync_path(tmp);
        /* in place of the last one in one step: exchanged, then the old one removed */
        struct stat st;
        if (stat(dir, &st) == 0) {
            if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0) {
                snprintf(err, errlen, "replacing %s: %s", dir, strerror(errno));
                rc = -1;
            } else {
                remove_dir(tmp);
            }
        } else if (rename(tmp, dir) != 0) {
            snprintf(err, errlen, "renaming %s to %s: %s", tmp, dir, strerror(errno));
            rc = -1;
        }
        if (!rc) sync_parent(dir);
    }
    return agreed(rc, err, errlen);
}

/* A checkpoint of R in OUT.ckpt; what was written of a failed one goes, the last one stays.
 * As write_into. */
static int write_checkpoint(sim_run *r, char *err, size_t errlen)
{
    char dir[SIM_TRACE_PATH_MAX + 16], tmp[SIM_TRACE_PATH_MAX + 32];
    sim_checkpoint_dir(r->opts.out_path, dir, sizeof dir);
    snprintf(tmp, sizeof tmp, "%s.new", dir);
    int rc = write_into(r, dir, tmp, err, errlen);
    if (rc && r->cx.rank == 0) remove_dir(tmp);
    return rc;
}

/* Every area's cell is idle: no transfer of the window still under way. */
static bool quiescent(const sim_run *r)
{
    for (uint32_t k = r->cx.a_lo; k < r->cx.a_hi; k++)
        if (!sim_cell_idle(r->areas[k].cell)) return false;
    return true;
}

void sim_checkpoint_boundary(void *arg, uint32_t w, bool halt)
{
    sim_run *r = arg;
    uint32_t end = (w + 1) * SIM_PERIOD_S;
    /* the same on every rank (window_rc and fail are agreed; collect_rc is rank 0's) */
    if (!r->ckpt_every_s || w + 1 >= r->cx.windows || r->window_rc != 1 || r->fail ||
        sim_par_any(r->collect_rc != 0))
        return;
    if (!halt && end < r->ckpt_due_s) return;
    if (sim_par_any(!quiescent(r))) {
        r->ckpt_passed++;
        return;
    }
    double t0 = sim_wall_now();
    /* r->w is W + 1: window W is streamed (run.c's at_boundary), the resumed run goes on
     * with the next */
    uint32_t due = r->ckpt_due_s;
    while (r->ckpt_due_s <= end) r->ckpt_due_s += r->ckpt_every_s;
    char err[SIM_TRACE_PATH_MAX * 2 + 256];
    int rc = write_checkpoint(r, err, sizeof err);
    if (rc) {
        r->ckpt_due_s = due;
        r->ckpt_failed++;
        /* a rank says its own failure; rank 0 also another's */
        if (r->cx.rank == 0 || rc != CKPT_PEER)
            fprintf(stderr, "metersim%s: checkpoint failed: %s; the run goes on\n",
                    r->cx.rank ? " (MPI rank)" : "", err);
        return;
    }
    r->ckpt_written++;
    r->ckpt_s += sim_wall_now() - t0;
    r->ckpt_at = end;
}

int sim_checkpoint_load(sim_run *r, char *err, size_t errlen)
{
    char p[SIM_TRACE_PATH_MAX + 64], other[SIM_TRACE_PATH_MAX + 64];
    state_path(r, r->opts.resume, p, sizeof p);
    /* written by another number of ranks: state vs state.0, or state.RANK beyond them */
    snprintf(other, sizeof other, r->cx.ranks > 1 ? "%s/state" : "%s/state.0", r->opts.resume);
    if (access(p, F_OK) != 0 && access(other, F_OK) == 0) {
        snprintf(err, errlen, "%s: written by %s; resume it with as many", r->opts.resume,
                 r->cx.ranks > 1 ? "one process" : "several MPI ranks");
        return -1;
    }
    snprintf(other, sizeof other, "%s/state.0", r->opts.resume);
    if (r->cx.ranks > 1 && access(p, F_OK) != 0 && access(other, F_OK) == 0) {
        snprintf(err, errlen, "%s: written by fewer than %d MPI ranks; resume it with as many",
                 r->opts.resume, r->cx.ranks);
        return -1;
    }
    return state_file(r, p, true, err, errlen);
}

void sim_checkpoint_remove(const sim_run *r)
{
    char dir[SIM_TRACE_PATH_MAX + 16], tmp[SIM_TRACE_PATH_MAX + 32];
    sim_checkpoint_dir(r->opts.out_path, dir, sizeof dir);
    snprintf(tmp, sizeof tmp, "%s.new", dir);
    remove_dir(tmp);
    remove_dir(dir);
}

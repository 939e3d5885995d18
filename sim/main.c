/* metersim command line: run, validate, info, diff, timeline, report (the last execs the
 * Python package analysis/metersim).
 * Exit codes: 0 ok, 1 runtime failure (or interrupted run), 2 usage or scenario error. */
#include "diff.h"
#include "fleet.h"
#include "run.h"
#include "info.h"
#include "outpath.h"
#include "par.h"
#include "scenario.h"
#include "scenario/sweep.h"
#include "timeline.h"
#include "warnings.h"
#include "checkpoint.h"
#include "sim/timeutil.h"
#include "sim/units.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define MAX_SETS 256 /* plus --seed and a sweep point's keys */

static const char *usage_main =
    "usage: metersim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml       simulate the scenario and write its HDF5 trace\n"
    "  validate SCENARIO.yaml  check a scenario and print it fully resolved\n"
    "  info TRACE.h5           describe what a trace holds\n"
    "  diff A.h5 B.h5          report where two runs of the same households diverge\n"
    "  timeline TRACE.h5 HH... one household's events in time order (several interleaved)\n"
    "  report A.h5 [B.h5...] -o DIR  an HTML report with plots (Python: analysis/metersim)\n"
    "\n"
    "options:\n"
    "  -h, --help              this help (or `metersim COMMAND --help`)\n"
    "  --version               print the version and exit\n";

static const char *usage_run =
    "usage: metersim run SCENARIO.yaml [-o OUT.h5] [--force] [--seed N] [--set key.path=value]...\n"
    "                    [--quiet] [--list-sweep | --sweep-index K] [--checkpoint-every DURATION]\n"
    "       metersim run --resume OUT.h5.partial [--force] [--quiet] [--checkpoint-every DURATION]\n"
    "\n"
    "  -o, --output OUT.h5     trace to write (default results/<scenario name>.h5); written as\n"
    "                          OUT.h5.partial and renamed when the run completes.  Refused\n"
    "                          (status 2) when it exists, is not a regular file in a writable\n"
    "                          directory, or is a file the run reads\n"
    "  --force                 replace an existing OUT.h5 (when the run completes)\n"
    "  --seed N                override the scenario's seed (0 .. 2^63-1)\n"
    "  --set key.path=value    override one scenario key, e.g. --set wan.read_window=\"2 h\"\n"
    "  -q, --quiet             no progress line and no summary\n"
    "  --checkpoint-every D    save the run's state to OUT.h5.ckpt/ at the first window boundary\n"
    "                          at or after every D of simulated time (e.g. \"1 d\") where no WAN\n"
    "                          transfer is under way, and when a signal stops the run; removed\n"
    "                          when the run completes (under MPI: resumed on as many ranks)\n"
    "  --resume OUT.h5.partial go on from OUT.h5.ckpt/ (the scenario, seed and firmware images\n"
    "                          it names; the same metersim build): the trace is completed as an\n"
    "                          uninterrupted run writes it\n"
    "  --list-sweep            print the scenario's sweep points, one a line: index, --set\n"
    "                          overrides, output; run nothing\n"
    "  --sweep-index K         run only point K (0-based, as --list-sweep numbers them) in this\n"
    "                          process, writing the output --list-sweep shows; also under MPI\n"
    "\n"
    "A scenario's `sweep:` runs one child process per point, in turn:\n"
    "  sweep: {key: a.b, values: [v1, v2]}           OUT-v1.h5, OUT-v2.h5\n"
    "  sweep: {grid: [{key: a.b, values: [...]},     every combination, the first key\n"
    "                 {key: c.d, values: [...]}]}    outermost: OUT-b=v1,d=w1.h5, ...\n"
    "  sweep: {zip: [{key: ..., values: [...]}, ...]} the i-th values together (same lengths)\n"
    "(NAME=VALUE: the key's last component, or all of it when two keys share it; VALUE keeps\n"
    "letters, digits, '.', '_' and '-').  Every point is checked before any runs.\n"
    "\n"
    "exit status: 0 done, 1 runtime failure or interrupted (trace kept as OUT.h5.partial with\n"
    "complete = 0), 2 usage, scenario or output path error\n";

static const char *usage_validate =
    "usage: metersim validate SCENARIO.yaml [--set key.path=value]... [--reference | --schema]\n"
    "\n"
    "Checks the scenario (after extends and --set) and prints it fully resolved, every key\n"
    "with its value and unit.  Errors are FILE:LINE:COL: key.path: message, exit status 2.\n"
    "  --reference             print the Markdown reference of every scenario key instead\n"
    "  --schema                print the JSON Schema (draft 2020-12) of a scenario file instead,\n"
    "                          for editors; scenarios/scenario.schema.json is this output.  A\n"
    "                          scenario whose first line is\n"
    "                            # yaml-language-server: $schema=scenario.schema.json\n"
    "                          (the path relative to the scenario) is checked as it is typed by\n"
    "                          editors using yaml-language-server (VS Code's YAML extension)\n";

static const char *usage_info = "usage: metersim info TRACE.h5\n"
                                "\n"
                                "Prints the scenario, households, simulated span, completeness\n"
                                "and every dataset with its shape and units.\n";

static const char *usage_diff =
    "usage: metersim diff A.h5 B.h5 [--max N] [--quiet] [--all] [--json] [--window S]\n"
    "\n"
    "Compares two traces of the same households (e.g. one scenario and seed run with two\n"
    "firmware builds): the scenario keys that differ (firmware image paths are expected to),\n"
    "totals per group (all, payment mode, fleet population: households, diverging, bill and\n"
    "import deltas B - A), events by code (paired when moved in time: shifted, changed, or\n"
    "only in one run), then one line per diverging household by id: first divergent\n"
    "settlement period and channel, register and bill deltas, first differing event.\n"
    "  --max N                 list at most N households (default 20, 0 = all)\n"
    "  -q, --quiet             the summary only\n"
    "  --all                   every group, also those where nothing differs\n"
    "  --json                  the whole report as one JSON object on stdout\n"
    "  --window S              pair a household's events of one code at most S seconds\n"
    "                          apart (default 3600)\n"
    "\n"
    "exit status: 0 identical, 1 the runs differ, 2 usage or input error\n";

static const char *usage_timeline =
    "usage: metersim timeline TRACE.h5 HOUSEHOLD [HOUSEHOLD...] [--json]\n"
    "\n"
    "Each household's attributes (/households), then its events (/events) in time order,\n"
    "several households interleaved: UTC time, seconds since the start, household, event\n"
    "name (GBCS alert or simulator record), code, value and what it means.\n"
    "  --json                  one JSON object: trace, households, events\n"
    "\n"
    "exit status: 0 done, 2 usage or input error (not a trace, household out of range,\n"
    "no /events because the run had trace.events=false)\n";

static int is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fprintf(stderr, "metersim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return EXIT_USAGE;
}

/* Shared by run and validate: SCENARIO [--set k=v]... plus command-specific flags. */
typedef struct args {
    const char *scenario;
    const char *out;
    const char *sets[MAX_SETS + 1 + SIM_SWEEP_KEYS];
    size_t nsets;
    char seed_set[64];
    int quiet;
    int reference;
    int schema;
    int force;
    int list_sweep;
    long sweep_index; /* -1: the whole sweep */
    uint32_t checkpoint_s; /* --checkpoint-every [s]; 0 none */
    const char *resume;    /* --resume: the interrupted run's OUT.h5.partial (or OUT.h5) */
    const char *resume_dir; /* ... its checkpoint directory, OUT.h5.ckpt */
} args;

static int parse_args(int argc, char **argv, const char *usage, int is_run, args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        const char *val = NULL;
        if (is_help(s)) {
            fputs(usage, stdout);
            exit(0);
        }
        if (strncmp(s, "--set=", 6) == 0) {
            val = s + 6;
        } else if (strcmp(s, "--set") == 0) {
            if (++i >= argc) return usage_error(usage, "--set needs key.path=value", "");
            val = argv[i];
        }
        if (val) {
            if (a->nsets >= MAX_SETS) return usage_error(usage, "too many --set options", "");
            a->sets[a->nsets++] = val;
            continue;
        }
        if (is_run && (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0)) {
            if (++i >= argc) return usage_error(usage, "%s needs a file name", s);
            a->out = argv[i];
        } else if (is_run && strcmp(s, "--seed") == 0) {
            if (++i >= argc) return usage_error(usage, "--seed needs a number", "");
            const char *p = argv[i];
            if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 19)
                return usage_error(usage, "--seed: \"%s\" is not an integer in 0 .. 2^63-1", p);
            snprintf(a->seed_set, sizeof a->seed_set, "seed=%s", p);
        } else if (is_run && (strcmp(s, "-q") == 0 || strcmp(s, "--quiet") == 0)) {
            a->quiet = 1;
        } else if (is_run && strcmp(s, "--force") == 0) {
            a->force = 1;
        } else if (is_run && strcmp(s, "--list-sweep") == 0) {
            a->list_sweep = 1;
        } else if (is_run && strcmp(s, "--sweep-index") == 0) {
            if (++i >= argc) return usage_error(usage, "--sweep-index needs a number", "");
            const char *p = argv[i];
            if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 9)
                return usage_error(usage, "--sweep-index: \"%s\" is not a point number (0, 1, ...)",
                                   p);
            a->sweep_index = strtol(p, NULL, 10);
        } else if (is_run && strcmp(s, "--checkpoint-every") == 0) {
            if (++i >= argc) return usage_error(usage, "--checkpoint-every needs a duration such as \"1 d\"", "");
            double v = 0;
            char why[160];
            if (sim_unit_parse(SIM_UNIT_DURATION, argv[i], &v, why, sizeof why) != 0)
                return usage_error(usage, "--checkpoint-every: %s", why);
            if (!(v >= SIM_PERIOD_S && v <= 3650.0 * SIM_DAY_S))
                return usage_error(usage, "--checkpoint-every: \"%s\" is not between 30 min and 3650 d",
                                   argv[i]);
            a->checkpoint_s = (uint32_t)v;
        } else if (is_run && strcmp(s, "--resume") == 0) {
            if (++i >= argc) return usage_error(usage, "--resume needs OUT.h5.partial", "");
            a->resume = argv[i];
        } else if (!is_run && strcmp(s, "--reference") == 0) {
            a->reference = 1;
        } else if (!is_run && strcmp(s, "--schema") == 0) {
            a->schema = 1;
        } else if (s[0] == '-' && s[1] != '\0') {
            return usage_error(usage, "unknown option \"%s\"", s);
        } else if (!a->scenario) {
            a->scenario = s;
        } else {
            return usage_error(usage, "unexpected argument \"%s\"", s);
        }
    }
    /* --seed is applied last, over the file and any --set seed=. */
    if (a->seed_set[0]) a->sets[a->nsets++] = a->seed_set;
    if (a->reference && a->schema)
        return usage_error(usage, "%s", "--reference and --schema are alternatives");
    if (a->resume && (a->scenario || a->nsets || a->out || a->list_sweep || a->sweep_index >= 0))
        return usage_error(usage, "%s", "--resume takes the scenario, seed and output from the "
                                        "checkpoint: no SCENARIO.yaml, --set, --seed, -o or sweep options");
    if (!a->scenario && !a->reference && !a->schema && !a->resume)
        return usage_error(usage, "missing SCENARIO.yaml%s", "");
    if (a->list_sweep && a->sweep_index >= 0)
        return usage_error(usage, "--list-sweep and --sweep-index do not go together%s", "");
    return 0;
}

static int load_scenario(const args *a, sim_scenario **sc)
{
    static char err[16384];
    if (sim_scenario_load(a->scenario, a->sets, a->nsets, sc, err, sizeof err) != 0) {
        fputs(err, stderr);
        if (err[0] && err[strlen(err) - 1] != '\n') fputc('\n', stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* The scenario's warnings on stderr (sim/warnings.h). */
static void print_warnings(const sim_scenario *sc)
{
    sim_warnings w;
    sim_warnings_collect(sc, &w);
    char text[SIM_WARNINGS_MAX * (SIM_WARNING_LEN + 1) + 40];
    sim_warnings_text(&w, text, sizeof text);
    fputs(text, stderr);
}

static int validate_sweep(const sim_scenario *sc, const args *a);

static int cmd_validate(int argc, char **argv)
{
    args a = {.sweep_index = -1};
    int rc = parse_args(argc, argv, usage_validate, 0, &a);
    if (rc) return rc;
    /* The two documents of the scenario format, generated from its key table. */
    int (*print)(char **) = a.reference ? sim_scenario_reference
                            : a.schema  ? sim_scenario_json_schema
                                        : NULL;
    if (print) {
        char *text = NULL;
        if (print(&text) != 0) return EXIT_RUNTIME;
        fputs(text, stdout);
        free(text);
        return 0;
    }
    sim_scenario *sc = NULL;
    if ((rc = load_scenario(&a, &sc))) return rc;
    char err[512];
    if (sim_fleet_check(sc, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", a.scenario, err);
        sim_scenario_destroy(sc);
        return EXIT_USAGE;
    }
    fputs(sc->resolved_yaml, stdout);
    rc = sc->sweep.n_points ? validate_sweep(sc, &a) : 0;
    if (!sc->sweep.n_points) print_warnings(sc);
    sim_scenario_destroy(sc);
    return rc;
}

/* One run of SC into OUT; exit status as for the command. */
static int run_one(const sim_scenario *sc, const char *out, const args *a)
{
    /* Under MPI rank 0 speaks for the run; another rank only for a failure of its own. */
    int rank = sim_par_rank();
    sim_run_opts opts = {.out_path = out,
                         .quiet = a->quiet || rank != 0,
                         .progress = rank != 0       ? SIM_PROGRESS_OFF
                                     : isatty(2) != 0 ? SIM_PROGRESS_TERMINAL
                                                      : SIM_PROGRESS_LOG,
                         .force = a->force,
                         .checkpoint_every_s = a->checkpoint_s,
                         .resume = a->resume_dir};
    if (rank == 0 && !a->resume) print_warnings(sc);
    sim_run_summary sum;
    char err[2048] = "";
    int rc = sim_engine_run(sc, &opts, &sum, err, sizeof err);
    if (!opts.quiet && sum.households) sim_summary_print(&sum, stdout);
    if (rc && rank == 0)
        fprintf(stderr, "metersim: %s\n", err[0] ? err : "run failed");
    else if (rc && rc != 2 && !sum.shared_failure)
        fprintf(stderr, "metersim (MPI rank %d): %s\n", rank, err[0] ? err : "run failed");
    return rc == 2 ? EXIT_USAGE : rc ? EXIT_RUNTIME : 0;
}

/* OUT may be written for SC (outpath.h); else the reason on stderr.  Under MPI rank 0, which
 * writes the trace, checks and tells the others. */
static int check_out(const char *out, const sim_scenario *sc, const args *a)
{
    char err[1200];
    int64_t rc = 0;
    if (sim_par_rank() == 0 && sim_out_check(out, sc, a->force, err, sizeof err) != 0) {
        fprintf(stderr, "metersim: %s\n", err);
        rc = EXIT_USAGE;
    }
    /* a new run would replace an interrupted run's checkpoint at its first one */
    char dir[SIM_OUT_PATH_MAX + 16];
    sim_checkpoint_dir(out, dir, sizeof dir);
    if (!rc && sim_par_rank() == 0 && a->checkpoint_s && !a->resume && !a->force &&
        access(dir, F_OK) == 0) {
        fprintf(stderr, "metersim: %s: an interrupted run's checkpoint is there: go on with "
                        "`metersim run --resume %s.partial`, or replace it with --force\n", dir, out);
        rc = EXIT_USAGE;
    }
    sim_par_max_i64(&rc, 1);
    return (int)rc;
}

/* Under MPI every rank reads the same flags and scenario and finds the same faults in them:
 * rank 0 reports them, the others' stderr goes to /dev/null until quiet_end. */
static int quiet_begin(void)
{
    if (sim_par_rank() == 0) return -1;
    int null = open("/dev/null", O_WRONLY);
    int saved = dup(STDERR_FILENO);
    if (null >= 0 && saved >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
    return saved;
}

static void quiet_end(int saved)
{
    if (saved < 0) return;
    dup2(saved, STDERR_FILENO);
    close(saved);
}

/* The scenario of sweep point P: A's flags with the point's values as the last --set. */
static int load_point(args *a, const sim_sweep *sw, size_t p, sim_scenario **one)
{
    char sets[SIM_SWEEP_KEYS][sizeof sw->axis[0].key + sizeof sw->axis[0].values[0] + 1];
    for (size_t k = 0; k < sw->n_keys; k++) {
        sim_sweep_set(sw, p, k, sets[k], sizeof sets[k]); /* sized to fit */
        a->sets[a->nsets++] = sets[k];
    }
    int saved = quiet_begin();
    int rc = load_scenario(a, one);
    quiet_end(saved);
    a->nsets -= sw->n_keys;
    return rc;
}

/* S as one shell word: as it is when nothing in it needs quoting, else in single quotes. */
static void shell_word(const char *s, char *buf, size_t len)
{
    static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                "._-=/:,+@%";
    if (*s && strspn(s, plain) == strlen(s)) {
        snprintf(buf, len, "%s", s);
        return;
    }
    size_t n = 0;
    buf[n++] = '\'';
    for (; *s && n + 6 < len; s++)
        if (*s == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else
            buf[n++] = *s;
    buf[n++] = '\'';
    buf[n] = '\0';
}

/* Point P's values into BUF: "a.b=v1, c.d=v2" (SHELL 0) or "--set a.b=v1 --set 'c.d=1 d'". */
static void point_text(const sim_sweep *sw, size_t p, int shell, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sw->n_keys && n < len; k++) {
        char set[sizeof sw->axis[0].key + sizeof sw->axis[0].values[0] + 1], word[4 * sizeof set];
        sim_sweep_set(sw, p, k, set, sizeof set);
        if (shell) shell_word(set, word, sizeof word);
        const char *sep = shell ? (k ? " --set " : "--set ") : k ? ", " : "";
        int w = snprintf(buf + n, len - n, "%s%s", sep, shell ? word : set);
        n += w > 0 ? (size_t)w : 0;
    }
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

typedef struct named {
    const char *path;
    size_t point;
} named;

static int by_path(const void *x, const void *y)
{
    const named *a = x, *b = y;
    int c = strcmp(a->path, b->path);
    return c ? c : (a->point > b->point) - (a->point < b->point);
}

/* Two points of SW whose outputs in PATHS have one name: the pair whose later point comes
 * first, reported on stderr (rank 0 under MPI); 0 when there is none. */
static int sweep_collision(const sim_sweep *sw, char **paths)
{
    named *by = malloc(sw->n_points * sizeof *by);
    if (!by) return EXIT_RUNTIME;
    for (size_t p = 0; p < sw->n_points; p++)
        by[p] = (named){paths[p], p};
    qsort(by, sw->n_points, sizeof *by, by_path);
    size_t first = 0, second = SIZE_MAX;
    for (size_t i = 1; i < sw->n_points; i++)
        if (strcmp(by[i].path, by[i - 1].path) == 0 && by[i].point < second) {
            first = by[i - 1].point;
            second = by[i].point;
        }
    free(by);
    if (second == SIZE_MAX) return 0;
    static const char why[] = "give values that differ in letters, digits, '.', '_' or '-'";
    if (sim_par_rank() != 0) return EXIT_USAGE;
    if (sw->form == SIM_SWEEP_ONE) {
        fprintf(stderr, "metersim: sweep.values: \"%s\" and \"%s\" would both write %s; %s\n",
                sw->axis[0].values[first], sw->axis[0].values[second], paths[second], why);
        return EXIT_USAGE;
    }
    char a[4096], b[4096];
    point_text(sw, first, 0, a, sizeof a);
    point_text(sw, second, 0, b, sizeof b);
    fprintf(stderr, "metersim: sweep: points %zu (%s) and %zu (%s) would both write %s; %s\n",
            first, a, second, b, paths[second], why);
    return EXIT_USAGE;
}

/* Every point's output for OUT into *PATHS (malloc'd, free_paths); refused (stderr) when two
 * points would write one file. */
static int sweep_paths(const sim_sweep *sw, const char *out, char ***paths)
{
    *paths = calloc(sw->n_points, sizeof **paths);
    if (!*paths) return EXIT_RUNTIME;
    char buf[2 * (SIM_OUT_PATH_MAX + 2) +
             SIM_SWEEP_KEYS * (sizeof sw->axis[0].key + sizeof sw->axis[0].values[0] + 2)];
    for (size_t p = 0; p < sw->n_points; p++) {
        sim_sweep_path(sw, p, out, buf, sizeof buf); /* sized to fit */
        if (!((*paths)[p] = strdup(buf))) return EXIT_RUNTIME;
    }
    return sweep_collision(sw, *paths);
}

/* One line per point: index, --set overrides, output (tab-separated), each after PREFIX. */
static void print_points(FILE *f, const sim_sweep *sw, char **paths, const char *prefix)
{
    char text[SIM_SWEEP_KEYS * 1200];
    for (size_t p = 0; p < sw->n_points; p++) {
        point_text(sw, p, 1, text, sizeof text);
        fprintf(f, "%s%zu\t%s\t%s\n", prefix, p, text, paths[p]);
    }
}

/* The child running a sweep point now (0: none), for the signal handler: a signal to the
 * sweep is passed on to it, and the sweep stops once it has ended. */
static volatile pid_t sweep_child;
static volatile sig_atomic_t sweep_signal;

static void sweep_on_signal(int sig)
{
    sweep_signal = sig;
    pid_t c = sweep_child;
    if (c > 0) kill(c, sig);
}

static int sweep_catch_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = sweep_on_signal;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGINT, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0 ? 0 : -1;
}

/* Every point checked before any runs: its scenario (the values together) and its output
 * (one that exists, or is an input of its run). */
static int sweep_check(const sim_scenario *sc, args *a, char **paths)
{
    for (size_t p = 0; p < sc->sweep.n_points; p++) {
        sim_scenario *one = NULL;
        int rc = load_point(a, &sc->sweep, p, &one);
        if (rc == 0) rc = check_out(paths[p], one, a);
        sim_scenario_destroy(one);
        if (rc) return rc;
    }
    return 0;
}

/* Point P in a child process: the run's own signal handling, and a parent gone (even by
 * SIGKILL, which it cannot pass on) stops the child as SIGTERM would. */
static void sweep_child_run(const sim_scenario *sc, args *a, size_t p, const char *path,
                            pid_t parent)
{
    if (sim_run_catch_signals() != 0) _exit(EXIT_RUNTIME);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* the parent died before prctl: this process has been adopted already */
    if (getppid() != parent) raise(SIGTERM);
    /* one that came between the fork and here */
    if (sweep_signal) raise(sweep_signal);
    sim_scenario *one = NULL;
    int rc = load_point(a, &sc->sweep, p, &one);
    if (rc == 0) rc = run_one(one, path, a);
    sim_scenario_destroy(one);
    fflush(stdout);
    _exit(rc);
}

/* The whole sweep: one child process per point (one SimGrid engine per process), in turn;
 * the worst exit status. */
static int sweep_all(const sim_scenario *sc, args *a, char **paths)
{
    int rc = sweep_check(sc, a, paths);
    if (rc) return rc;
    if (sweep_catch_signals() != 0) return EXIT_RUNTIME;
    const sim_sweep *sw = &sc->sweep;
    int worst = 0;
    pid_t self = getpid();
    for (size_t p = 0; p < sw->n_points && !sweep_signal; p++) {
        if (!a->quiet) {
            char text[SIM_SWEEP_KEYS * 200];
            point_text(sw, p, 0, text, sizeof text);
            printf("sweep %zu/%zu: %s -> %s\n", p + 1, sw->n_points, text, paths[p]);
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "metersim: fork: %s\n", strerror(errno));
            worst = EXIT_RUNTIME;
            break;
        }
        if (pid == 0) sweep_child_run(sc, a, p, paths[p], self);
        sweep_child = pid;
        /* one that came while forking: the child may not have seen it */
        if (sweep_signal) kill(pid, sweep_signal);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        sweep_child = 0;
        int crc = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_RUNTIME;
        if (crc > worst) worst = crc;
    }
    if (sweep_signal) {
        fprintf(stderr, "metersim: sweep interrupted by %s; later points not run\n",
                sweep_signal == SIGINT ? "SIGINT" : "SIGTERM");
        if (worst < EXIT_RUNTIME) worst = EXIT_RUNTIME;
    }
    return worst;
}

/* --sweep-index K: point K alone in this process (under MPI, on every rank). */
static int sweep_one(const sim_scenario *sc, args *a, char **paths)
{
    size_t n = sc->sweep.n_points, k = (size_t)a->sweep_index;
    if (k >= n) {
        if (sim_par_rank() == 0)
            fprintf(stderr, "metersim: --sweep-index %zu: %s has %zu sweep points, 0 .. %zu\n", k,
                    a->scenario, n, n - 1);
        return EXIT_USAGE;
    }
    sim_scenario *one = NULL;
    int rc = load_point(a, &sc->sweep, k, &one);
    if (rc == 0) rc = check_out(paths[k], one, a);
    if (rc == 0) rc = run_one(one, paths[k], a);
    sim_scenario_destroy(one);
    return rc;
}

/* A scenario with a sweep: listed, one point, or all of them. */
static int run_sweep(const sim_scenario *sc, args *a, const char *out)
{
    if (sim_par_active() && !a->list_sweep && a->sweep_index < 0) {
        if (sim_par_rank() == 0)
            fprintf(stderr,
                    "metersim: %s: a sweep runs its points in child processes, which MPI "
                    "ranks cannot fork; run each point as a job of its own "
                    "(--sweep-index K; a Slurm array: README, \"Running on a cluster\")\n",
                    a->scenario);
        return EXIT_USAGE;
    }
    char **paths = NULL;
    int rc = sweep_paths(&sc->sweep, out, &paths);
    if (rc == 0 && a->list_sweep && sim_par_rank() == 0)
        print_points(stdout, &sc->sweep, paths, "");
    if (rc == 0 && !a->list_sweep)
        rc = a->sweep_index >= 0 ? sweep_one(sc, a, paths) : sweep_all(sc, a, paths);
    free_paths(paths, sc->sweep.n_points);
    return rc;
}

/* validate: the sweep's points after the resolved scenario, as YAML comments so that the
 * output stays the scenario it was; outputs as `run` without -o would write them. */
/* Whether W holds the warning TEXT. */
static int has_warning(const sim_warnings *w, const char *text)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->text[i], text) == 0) return 1;
    return 0;
}

/* Each point's warnings on stderr (the first SWEEP_WARN_POINTS points): those of every point
 * once, the others with their point, since a sweep key may cause or cure one. */
#define SWEEP_WARN_POINTS 256
static int sweep_warnings(const sim_scenario *sc, const args *a)
{
    args b = *a;
    size_t n = sc->sweep.n_points < SWEEP_WARN_POINTS ? sc->sweep.n_points : SWEEP_WARN_POINTS;
    sim_warnings *w = calloc(n, sizeof *w);
    if (!w) return EXIT_RUNTIME;
    for (size_t p = 0; p < n; p++) {
        sim_scenario *s = NULL;
        if (load_point(&b, &sc->sweep, p, &s) != 0) {
            free(w);
            return EXIT_USAGE;
        }
        sim_warnings_collect(s, &w[p]);
        sim_scenario_destroy(s);
    }
    /* common: point 0's that every other point has too */
    static sim_warnings common;
    common.n = 0;
    for (size_t i = 0; i < w[0].n; i++) {
        size_t p = 1;
        while (p < n && has_warning(&w[p], w[0].text[i]))
            p++;
        if (p == n) memcpy(common.text[common.n++], w[0].text[i], SIM_WARNING_LEN);
    }
    for (size_t i = 0; i < common.n; i++)
        fprintf(stderr, "%s\n", common.text[i]);
    for (size_t p = 0; p < n; p++) {
        char vals[1024];
        point_text(&sc->sweep, p, 0, vals, sizeof vals);
        for (size_t i = 0; i < w[p].n; i++)
            if (!has_warning(&common, w[p].text[i]))
                fprintf(stderr, "sweep point %zu (%s): %s\n", p, vals, w[p].text[i]);
    }
    free(w);
    if (n < sc->sweep.n_points)
        fprintf(stderr, "metersim: warnings of the first %zu of %zu sweep points only\n", n,
                sc->sweep.n_points);
    return 0;
}

static int validate_sweep(const sim_scenario *sc, const args *a)
{
    static const char *const form[] = {"", "one key", "grid", "zip"};
    char out[SIM_OUT_PATH_MAX + 2], **paths = NULL;
    snprintf(out, sizeof out, "results/%s.h5", sc->name);
    int rc = sweep_paths(&sc->sweep, out, &paths);
    if (rc == 0) {
        printf("\n# sweep (%s): %zu points; `metersim run %s --sweep-index K` runs point K alone\n"
               "# point\toverrides\toutput (without -o)\n",
               form[sc->sweep.form], sc->sweep.n_points, a->scenario);
        print_points(stdout, &sc->sweep, paths, "# ");
    }
    free_paths(paths, sc->sweep.n_points);
    if (rc == 0) rc = sweep_warnings(sc, a);
    return rc;
}

/* metersim run --resume: OUT and its checkpoint from A->resume (OUT.partial, OUT.ckpt or OUT),
 * then the run from the checkpoint's scenario. */
static int run_resume(args *a)
{
    char out[SIM_OUT_PATH_MAX + 2], dir[SIM_OUT_PATH_MAX + 16], path[SIM_OUT_PATH_MAX + 64];
    size_t n = strlen(a->resume);
    if (n >= sizeof out) {
        fprintf(stderr, "metersim: --resume: the path is %zu bytes long, more than %d\n", n,
                SIM_OUT_PATH_MAX);
        return EXIT_USAGE;
    }
    snprintf(out, sizeof out, "%s", a->resume);
    static const char *const suffix[] = {".partial", ".ckpt", ".ckpt/"};
    for (size_t k = 0; k < sizeof suffix / sizeof *suffix; k++) {
        size_t l = strlen(suffix[k]);
        if (n > l && strcmp(out + n - l, suffix[k]) == 0) {
            out[n - l] = 0;
            break;
        }
    }
    sim_checkpoint_dir(out, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/scenario.yaml", dir);
    bool lead = sim_par_rank() == 0; /* every rank finds the same; rank 0 says it */
    if (access(path, R_OK) != 0) {
        if (lead)
            fprintf(stderr, "metersim: --resume %s: no checkpoint to go on from (%s: %s); "
                            "checkpoints are written by runs with --checkpoint-every\n",
                    a->resume, path, strerror(errno));
        return EXIT_USAGE;
    }
    static char err[16384];
    sim_scenario *sc = NULL;
    if (sim_scenario_load(path, NULL, 0, &sc, err, sizeof err) != 0) {
        if (lead) fprintf(stderr, "metersim: --resume: the checkpoint's scenario: %s\n", err);
        return EXIT_USAGE;
    }
    a->resume_dir = dir;
    int rc = check_out(out, sc, a);
    if (rc == 0) rc = run_one(sc, out, a);
    sim_scenario_destroy(sc);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    args a = {.sweep_index = -1};
    int saved = quiet_begin();
    int rc = parse_args(argc, argv, usage_run, 1, &a);
    if (!rc && a.resume) {
        quiet_end(saved);
        return run_resume(&a);
    }
    sim_scenario *sc = NULL;
    if (!rc) rc = load_scenario(&a, &sc);
    quiet_end(saved);
    if (rc) return rc;
    char out[SIM_OUT_PATH_MAX + 2];
    if (a.out && strlen(a.out) >= sizeof out) {
        fprintf(stderr, "metersim: output \"%.60s...\": the path is %zu bytes long, more than %d\n",
                a.out, strlen(a.out), SIM_OUT_PATH_MAX);
        sim_scenario_destroy(sc);
        return EXIT_USAGE;
    }
    if (a.out)
        snprintf(out, sizeof out, "%s", a.out);
    else
        snprintf(out, sizeof out, "results/%s.h5", sc->name);
    if (sc->sweep.n_points > 0) {
        rc = run_sweep(sc, &a, out);
    } else if (a.list_sweep || a.sweep_index >= 0) {
        if (sim_par_rank() == 0)
            fprintf(stderr, "metersim: %s: %s needs a scenario with a sweep: block\n", a.scenario,
                    a.list_sweep ? "--list-sweep" : "--sweep-index");
        rc = EXIT_USAGE;
    } else {
        rc = check_out(out, sc, &a);
        if (rc == 0) rc = run_one(sc, out, &a);
    }
    sim_scenario_destroy(sc);
    return rc;
}

static int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_info, stdout);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) return usage_error(usage_info, "unknown option \"%s\"", argv[i]);
        if (path) return usage_error(usage_info, "unexpected argument \"%s\"", argv[i]);
        path = argv[i];
    }
    if (!path) return usage_error(usage_info, "missing TRACE.h5%s", "");
    char err[1024];
    if (sim_info(path, stdout, err, sizeof err) != 0) {
        fprintf(stderr, "metersim: %s\n", err);
        return EXIT_USAGE;
    }
    return 0;
}

static int cmd_diff(int argc, char **argv)
{
    const char *path[2] = {NULL, NULL};
    sim_diff_opts o = {.max_lines = 20, .window_s = SIM_DIFF_WINDOW_S};
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (is_help(s)) {
            fputs(usage_diff, stdout);
            return 0;
        }
        if (strcmp(s, "--max") == 0) {
            if (++i >= argc) return usage_error(usage_diff, "--max needs a number%s", "");
            const char *p = argv[i];
            if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 9)
                return usage_error(usage_diff, "--max: \"%s\" is not an integer in 0 .. 999999999",
                                   p);
            o.max_lines = (size_t)strtoul(p, NULL, 10);
        } else if (strcmp(s, "-q") == 0 || strcmp(s, "--quiet") == 0) {
            o.quiet = 1;
        } else if (strcmp(s, "--all") == 0) {
            o.all = 1;
        } else if (strcmp(s, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(s, "--window") == 0) {
            if (++i >= argc) return usage_error(usage_diff, "--window needs seconds%s", "");
            char *end = NULL;
            o.window_s = strtod(argv[i], &end);
            if (end == argv[i] || *end || !(o.window_s >= 0 && o.window_s <= 1e9))
                return usage_error(usage_diff, "--window: \"%s\" is not seconds in 0 .. 1e9",
                                   argv[i]);
        } else if (s[0] == '-' && s[1]) {
            return usage_error(usage_diff, "unknown option \"%s\"", s);
        } else if (path[1]) {
            return usage_error(usage_diff, "unexpected argument \"%s\"", s);
        } else {
            path[path[0] ? 1 : 0] = s;
        }
    }
    if (!path[1]) return usage_error(usage_diff, "missing %s", path[0] ? "B.h5" : "A.h5 B.h5");
    char err[1024];
    int rc = sim_diff(path[0], path[1], &o, stdout, err, sizeof err);
    if (rc < 0) {
        fflush(stdout);
        fprintf(stderr, "metersim: %s\n", err);
        return EXIT_USAGE;
    }
    return rc;
}

static int cmd_timeline(int argc, char **argv)
{
    const char *path = NULL;
    uint32_t *ids = malloc((size_t)(argc ? argc : 1) * sizeof *ids);
    size_t nids = 0;
    sim_timeline_opts o = {0};
    int rc = ids ? 0 : EXIT_RUNTIME;
    for (int i = 0; rc == 0 && i < argc; i++) {
        const char *s = argv[i];
        if (is_help(s)) {
            fputs(usage_timeline, stdout);
            free(ids);
            return 0;
        }
        if (strcmp(s, "--json") == 0) {
            o.json = 1;
        } else if (s[0] == '-' && s[1]) {
            rc = usage_error(usage_timeline, "unknown option \"%s\"", s);
        } else if (!path) {
            path = s;
        } else if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10 ||
                   strtoull(s, NULL, 10) >= UINT32_MAX) {
            rc = usage_error(usage_timeline, "\"%s\" is not a household id", s);
        } else {
            ids[nids++] = (uint32_t)strtoull(s, NULL, 10);
        }
    }
    if (rc == 0 && !nids)
        rc = usage_error(usage_timeline, "missing %s", path ? "HOUSEHOLD" : "TRACE.h5 HOUSEHOLD");
    char err[1024];
    if (rc == 0 && sim_timeline(path, ids, nids, &o, stdout, err, sizeof err) != 0) {
        fflush(stdout);
        fprintf(stderr, "metersim: %s\n", err);
        rc = EXIT_USAGE;
    }
    free(ids);
    return rc;
}

/* The report is the Python package's (analysis/metersim/report.py), run by Debian's
 * python3; the package is looked for in $METERSIM_ANALYSIS_DIR, beside the binary's tree
 * (build/sim/metersim -> analysis/; bin/metersim -> share/metersim/analysis/), then in the
 * source tree it was built from. */
#define REPORT_PYTHON "/usr/bin/python3"
static const char report_launcher[] =
    "import sys\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "try:\n"
    "    from metersim.report import main\n"
    "except ImportError as e:\n"
    "    sys.exit('metersim report: the Python module %s is missing: install Debian\\'s '\n"
    "             'python3-%s (scripts/install-deps.sh)' % (e.name, e.name))\n"
    "sys.exit(main(sys.argv[1:]))\n";

static int analysis_dir_ok(const char *dir)
{
    char p[PATH_MAX];
    int n = snprintf(p, sizeof p, "%s/metersim/report.py", dir);
    return n > 0 && (size_t)n < sizeof p && access(p, R_OK) == 0;
}

static int find_analysis_dir(char *out, size_t n)
{
    const char *env = getenv("METERSIM_ANALYSIS_DIR");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return analysis_dir_ok(out) ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        static const char *const rel[] = {"/../../analysis", "/../share/metersim/analysis"};
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            snprintf(out, n, "%s%s", exe, rel[i]);
            if (analysis_dir_ok(out)) return 0;
        }
    }
    snprintf(out, n, "%s", METERSIM_ANALYSIS_DIR);
    return analysis_dir_ok(out) ? 0 : -1;
}

static int cmd_report(int argc, char **argv)
{
    char dir[PATH_MAX];
    if (find_analysis_dir(dir, sizeof dir) != 0) {
        fprintf(stderr, "metersim report: cannot find the Python package analysis/metersim "
                        "(set METERSIM_ANALYSIS_DIR to the repository's analysis directory)\n");
        return EXIT_RUNTIME;
    }
    if (access(REPORT_PYTHON, X_OK) != 0) {
        fprintf(stderr, "metersim report: %s: %s; install Debian's python3 (scripts/install-deps.sh)\n",
                REPORT_PYTHON, strerror(errno));
        return EXIT_RUNTIME;
    }
    char **av = calloc((size_t)argc + 5, sizeof *av);
    if (!av) {
        fprintf(stderr, "metersim report: out of memory\n");
        return EXIT_RUNTIME;
    }
    av[0] = (char *)REPORT_PYTHON;
    av[1] = (char *)"-c";
    av[2] = (char *)report_launcher;
    av[3] = dir;
    for (int i = 0; i < argc; i++) av[4 + i] = argv[i];
    fflush(NULL);
    execv(REPORT_PYTHON, av);
    fprintf(stderr, "metersim report: cannot run %s: %s\n", REPORT_PYTHON, strerror(errno));
    free(av);
    return EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
    /* first of all: a run stopped from here on says so (sim_run_catch_signals) */
    if (argc >= 2 && strcmp(argv[1], "run") == 0 && sim_run_catch_signals() != 0) {
        fprintf(stderr, "metersim: cannot catch signals: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("metersim %s\n", METERSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) {
        /* under mpirun or srun: one rank of a run (par.h) */
        if (sim_par_init(&argc, &argv) != 0) return EXIT_RUNTIME;
        int rc = cmd_run(argc - 2, argv + 2);
        sim_par_finalize();
        return rc;
    }
    if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0) return cmd_info(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0) return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "timeline") == 0) return cmd_timeline(argc - 2, argv + 2);
    if (strcmp(cmd, "report") == 0) return cmd_report(argc - 2, argv + 2);
    return usage_error(usage_main, "unknown command \"%s\"", cmd);
}

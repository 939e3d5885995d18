#include "progress.h"

#include "sim/timeutil.h"

#include <stdio.h>
#include <time.h>

double sim_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sim_progress_start(sim_progress *p, sim_progress_mode mode, uint64_t households,
                        int64_t duration_s)
{
    p->mode = mode;
    p->wall0 = p->last = sim_wall_now();
    p->step = 0;
    p->households = households;
    p->duration_s = duration_s;
}

/* Whether a plain line is due at wall time T with FRAC of the run done. */
static int log_due(sim_progress *p, double t, double frac)
{
    if (t - p->last < SIM_PROGRESS_LOG_FIRST_S) return 0;
    int step = (int)(frac * 10.0);
    if (step <= p->step && t - p->last < SIM_PROGRESS_LOG_EVERY_S) return 0;
    p->step = step;
    return 1;
}

void sim_progress_update(sim_progress *p, int64_t sim_s)
{
    if (p->mode == SIM_PROGRESS_OFF) return;
    double t = sim_wall_now();
    double el = t - p->wall0, frac = (double)sim_s / (double)p->duration_s;
    if (p->mode == SIM_PROGRESS_TERMINAL ? t - p->last < 0.25 && sim_s < p->duration_s
                                         : sim_s >= p->duration_s || !log_due(p, t, frac))
        return;
    p->last = t;
    double rate = el > 0 ? (double)p->households * ((double)sim_s / SIM_DAY_S) / el : 0;
    char simt[48], eta[48];
    sim_span_format(sim_s, simt, sizeof simt);
    sim_span_format(frac > 0 ? (int64_t)(el / frac - el) : 0, eta, sizeof eta);
    fprintf(stderr, "%ssim %s  %5.1f %%  %.0f household-days/s  ETA %s%s",
            p->mode == SIM_PROGRESS_TERMINAL ? "\r\033[K" : "metersim: progress: ", simt,
            100 * frac, rate, eta, p->mode == SIM_PROGRESS_TERMINAL ? "" : "\n");
    fflush(stderr);
}

void sim_progress_end(sim_progress *p)
{
    if (p->mode == SIM_PROGRESS_TERMINAL) fprintf(stderr, "\r\033[K");
}

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

void sim_progress_start(sim_progress *p, bool on, uint64_t households, int64_t duration_s)
{
    p->on = on;
    p->wall0 = p->last = sim_wall_now();
    p->households = households;
    p->duration_s = duration_s;
}

void sim_progress_update(sim_progress *p, int64_t sim_s)
{
    if (!p->on) return;
    double t = sim_wall_now();
    if (t - p->last < 0.25 && sim_s < p->duration_s) return;
    p->last = t;
    double el = t - p->wall0, frac = (double)sim_s / (double)p->duration_s;
    double rate = el > 0 ? (double)p->households * ((double)sim_s / SIM_DAY_S) / el : 0;
    char simt[48], eta[48];
    sim_span_format(sim_s, simt, sizeof simt);
    sim_span_format(frac > 0 ? (int64_t)(el / frac - el) : 0, eta, sizeof eta);
    fprintf(stderr, "\r\033[Ksim %s  %5.1f %%  %.0f household-days/s  ETA %s", simt, 100 * frac,
            rate, eta);
    fflush(stderr);
}

void sim_progress_end(sim_progress *p)
{
    if (p->on) fprintf(stderr, "\r\033[K");
}

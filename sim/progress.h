/* Progress line for long runs: simulated time, % done, household-days/s and ETA,
 * redrawn on stderr at most a few times a second, only when stderr is a terminal. */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_progress {
    bool on;
    double wall0, last;
    uint64_t households;
    int64_t duration_s;
} sim_progress;

/* Wall-clock seconds from an arbitrary origin (monotonic). */
double sim_wall_now(void);

void sim_progress_start(sim_progress *p, bool on, uint64_t households, int64_t duration_s);
void sim_progress_update(sim_progress *p, int64_t sim_s);
void sim_progress_end(sim_progress *p);

#endif

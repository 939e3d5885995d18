/* Progress of a long run on stderr: simulated time, % done, household-days/s and ETA.
 * On a terminal one line redrawn at most four times a second; elsewhere (batch and cluster
 * logs) plain lines, so a log shows the run is alive without filling up. */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H

#include <stdint.h>

typedef enum sim_progress_mode {
    SIM_PROGRESS_OFF,
    SIM_PROGRESS_TERMINAL, /* one line, redrawn in place */
    SIM_PROGRESS_LOG,      /* a line per minute or per 10 % done, none in a run's first 10 s */
} sim_progress_mode;

/* Plain lines: the first after this much wall time, then at a new 10 % step or after the
 * minute, whichever comes first, but never closer together than the first delay. */
#define SIM_PROGRESS_LOG_FIRST_S 10.0
#define SIM_PROGRESS_LOG_EVERY_S 60.0

typedef struct sim_progress {
    sim_progress_mode mode;
    double wall0, last;
    int step; /* plain lines: the last 10 % step reported */
    uint64_t households;
    int64_t duration_s;
} sim_progress;

/* Wall-clock seconds from an arbitrary origin (monotonic). */
double sim_wall_now(void);

void sim_progress_start(sim_progress *p, sim_progress_mode mode, uint64_t households,
                        int64_t duration_s);
void sim_progress_update(sim_progress *p, int64_t sim_s);
void sim_progress_end(sim_progress *p);

#endif

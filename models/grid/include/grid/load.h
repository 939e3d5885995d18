/* Household load models: what each household draws from the grid, as a piecewise
 * constant (P, Q) that changes only at events.
 *
 * A model is a table of operations the engine calls (the ROSS tw_lptype idea): it keeps
 * shared, read-only data in its model object and per-household state in a record of
 * `hh_size` bytes that the engine allocates in its area arrays.  Stepping a household
 * applies every change due at `now` and says when the next one is due, so the engine
 * advances meters from event to event and never ticks.
 *
 * Every draw comes from the household's own stream (sim/rng.h), derived from
 * (seed, household id, model name): results do not depend on which area or rank
 * runs a household, nor in what order.
 *
 * Not here: meters, networks, trace writing.  The richer occupancy/appliance model of
 * a later issue plugs in as another table of operations behind the same interface.
 */
#ifndef GRID_LOAD_H
#define GRID_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define GRID_NEVER UINT32_MAX /* "no further change within the run" */

typedef struct grid_load_params {
    uint64_t seed;
    int64_t start_unix;        /* simulated start, UTC [s] */
    int64_t duration_s;        /* span of the run [s] */
    double annual_kwh;         /* population mean consumption [kWh/yr] */
    double spread;             /* lognormal sigma of the household scale factor [-] */
    double seasonal_amplitude; /* winter/summer swing of activity, fraction of mean [-] */
    double power_factor;       /* of motor and electronic loads [-] */
} grid_load_params;

typedef struct grid_load_ops {
    const char *name;
    size_t hh_size; /* bytes of per-household state */
    int (*create)(const grid_load_params *p, void **model, char *err, size_t errlen);
    void (*destroy)(void *model);
    /* Initialise household HH_ID at time 0; its power then, and its first change [s]. */
    uint32_t (*hh_init)(const void *model, void *hh, uint64_t hh_id, int32_t *p_mw,
                        int32_t *q_mvar);
    /* Apply every change due at or before NOW [s since start]; power after them and
     * the time of the next change (> now, or GRID_NEVER). */
    uint32_t (*hh_step)(const void *model, void *hh, uint32_t now, int32_t *p_mw,
                        int32_t *q_mvar);
} grid_load_ops;

/* The model named NAME ("basic"), or NULL. */
const grid_load_ops *grid_load_find(const char *name);

/* Expected mean power of the population the model is calibrated to [W]. */
double grid_load_target_mean_w(const grid_load_params *p);

extern const grid_load_ops grid_load_basic;

#endif

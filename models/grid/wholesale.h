/* Private to models/grid: the weather and demand-error series behind the wholesale market
 * (wholesale.c), shared with the price model (price.c).  The public interface is
 * grid/price.h. */
#ifndef GRID_WHOLESALE_H
#define GRID_WHOLESALE_H

#include "grid/price.h"

#include "sim/rng.h"

#include <stddef.h>
#include <stdint.h>

/* One period's draws. */
typedef struct grid_wholesale_draw {
    double wind_fc;    /* day-ahead forecast wind capacity factor [-] */
    double wind_re;    /* realised wind capacity factor [-] */
    double solar_fc;   /* day-ahead forecast solar capacity factor [-] */
    double solar_re;   /* realised solar capacity factor [-] */
    double demand_err; /* realised demand / forecast - 1 [-] */
} grid_wholesale_draw;

/* Stationary AR(1) in period steps (wholesale.c). */
typedef struct grid_ar1 {
    sim_rng rng;
    double phi, innov, x;
} grid_ar1;

/* The series' generator: period after period, each series from its own stream, so the
 * model can draw them as the run goes and hold only the periods still asked for. */
typedef struct grid_wholesale_gen {
    const grid_wholesale_config *c; /* must outlive the generator */
    int64_t start_unix;
    uint32_t next; /* the period drawn next */
    double mu_c, solar_scale;
    grid_ar1 wind, wind_e, cloud, cloud_e, dem_e;
} grid_wholesale_gen;

void grid_wholesale_config_default(grid_wholesale_config *c);
int grid_wholesale_config_check(const grid_wholesale_config *c, char *err, size_t errlen);

/* Ready to draw period 0 of a run from START_UNIX. */
void grid_wholesale_gen_init(grid_wholesale_gen *g, const grid_wholesale_config *c, uint64_t seed,
                             uint64_t entity, int64_t start_unix);
/* Period g->next's draws into OUT; then the next period. */
void grid_wholesale_gen_next(grid_wholesale_gen *g, grid_wholesale_draw *out);

/* Clear-sky solar shape at UNIX_T (0 at night, at most 1) [-]. */
double grid_solar_clear_sky(const grid_wholesale_config *c, int64_t unix_t);

#endif

/* Private to models/grid: the weather and demand-error series behind the wholesale market
 * (wholesale.c), shared with the price model (price.c).  The public interface is
 * grid/price.h. */
#ifndef GRID_WHOLESALE_H
#define GRID_WHOLESALE_H

#include "grid/price.h"

#include <stddef.h>
#include <stdint.h>

typedef struct grid_wholesale_series {
    uint32_t n;         /* periods */
    double *wind_fc;    /* day-ahead forecast wind capacity factor [-] */
    double *wind_re;    /* realised wind capacity factor [-] */
    double *solar_fc;   /* day-ahead forecast solar capacity factor [-] */
    double *solar_re;   /* realised solar capacity factor [-] */
    double *demand_err; /* realised demand / forecast - 1 [-] */
} grid_wholesale_series;

void grid_wholesale_config_default(grid_wholesale_config *c);
int grid_wholesale_config_check(const grid_wholesale_config *c, char *err, size_t errlen);

/* Draw the series of N periods from START_UNIX; 0 or GRID_EPRICE_NOMEM. */
int grid_wholesale_series_init(grid_wholesale_series *s, const grid_wholesale_config *c,
                               uint64_t seed, uint64_t entity, int64_t start_unix, uint32_t n);
void grid_wholesale_series_deinit(grid_wholesale_series *s);

/* Clear-sky solar shape at UNIX_T (0 at night, at most 1) [-]. */
double grid_solar_clear_sky(const grid_wholesale_config *c, int64_t unix_t);

#endif

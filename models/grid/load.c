#include "grid/load.h"

#include <string.h>

static const grid_load_ops *const models[] = {&grid_load_basic};

const grid_load_ops *grid_load_find(const char *name)
{
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (strcmp(models[i]->name, name) == 0) return models[i];
    return NULL;
}

double grid_load_target_mean_w(const grid_load_params *p)
{
    /* Annualisation over a 365-day year (8,760 h), as Ofgem's TDCV figures are. */
    return p->annual_kwh * 1000.0 / 8760.0;
}

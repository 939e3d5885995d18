/* The public side of the scenario loader (sim/scenario.h): the generic loader run with
 * the scenario's own table (keys.c). */
#include "scenario.h"

#include "jschema.h"
#include "load.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_scenario **out,
                      char *err, size_t errlen)
{
    if (err && errlen > 0) err[0] = '\0';
    if (out) *out = NULL;
    if (!path || !out || (nsets > 0 && !sets)) {
        if (err && errlen > 0) snprintf(err, errlen, "sim_scenario_load: no scenario file given");
        return -1;
    }
    sim_scenario *sc = calloc(1, sizeof *sc);
    sim_sweep *sweep = calloc(1, sizeof *sweep);
    if (!sc || !sweep) {
        free(sc);
        free(sweep);
        if (err && errlen > 0) snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    char *resolved = NULL, *files = NULL;
    int rc = sim_schema_load(&sim_scenario_schema, path, sets, nsets, sc, sweep, &resolved, &files,
                             err, errlen);
    if (rc != 0) {
        free(sweep);
        free(sc);
        return -1;
    }
    _Static_assert(sizeof sc->sweep_key == sizeof sweep->key, "sweep key size");
    _Static_assert(sizeof sc->sweep_values == sizeof sweep->values, "sweep values size");
    memcpy(sc->sweep_key, sweep->key, sizeof sc->sweep_key);
    memcpy(sc->sweep_values, sweep->values, sizeof sc->sweep_values);
    sc->n_sweep = sweep->n;
    free(sweep);
    snprintf(sc->source_path, sizeof sc->source_path, "%s", path);
    sc->resolved_yaml = resolved;
    sc->files_read = files;
    *out = sc;
    return 0;
}

void sim_scenario_destroy(sim_scenario *sc)
{
    if (!sc) return;
    free(sc->resolved_yaml);
    free(sc->files_read);
    free(sc);
}

int sim_scenario_reference(char **out_markdown)
{
    return sim_schema_reference(&sim_scenario_schema, out_markdown);
}

int sim_scenario_json_schema(char **out_json)
{
    return sim_schema_jsonschema(&sim_scenario_schema, "metersim scenario", true, out_json);
}

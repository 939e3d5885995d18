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
    sim_load_out lo;
    int rc = sim_schema_load(&sim_scenario_schema, path, sets, nsets, sc, sweep, &lo, err, errlen);
    if (rc != 0) {
        free(sweep);
        free(sc);
        return -1;
    }
    sc->sweep = *sweep;
    free(sweep);
    /* Checked by the key's own check, so it cannot fail here. */
    char why[160];
    sim_scenario_topology_regions(sc->topology.regions_spec, &sc->topology.region_mask, why, sizeof why);
    sc->topology.regions = (uint32_t)__builtin_popcount(sc->topology.region_mask);
    snprintf(sc->source_path, sizeof sc->source_path, "%s", path);
    sc->resolved_yaml = lo.resolved;
    sc->files_read = lo.files;
    sc->keys_given = lo.given;
    *out = sc;
    return 0;
}

void sim_scenario_destroy(sim_scenario *sc)
{
    if (!sc) return;
    free(sc->resolved_yaml);
    free(sc->files_read);
    free(sc->keys_given);
    free(sc);
}

bool sim_scenario_given(const sim_scenario *sc, const char *key, char *where, size_t len)
{
    size_t n = strlen(key);
    for (const char *p = sc->keys_given; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol) break;
        if (strncmp(p, key, n) == 0 && p[n] == '\t') {
            if (where && len > 0) snprintf(where, len, "%.*s", (int)(eol - p - n - 1), p + n + 1);
            return true;
        }
        p = eol + 1;
    }
    return false;
}

int sim_scenario_reference(char **out_markdown)
{
    return sim_schema_reference(&sim_scenario_schema, out_markdown);
}

int sim_scenario_json_schema(char **out_json)
{
    return sim_schema_jsonschema(&sim_scenario_schema, "metersim scenario", true, out_json);
}

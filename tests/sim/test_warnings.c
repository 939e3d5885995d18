/* Scenario warnings (sim/warnings.h): each fires for the setting it is about, names the key
 * and where it was given, and stays silent for the same scenario without the trap. */
#include "warnings.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sim_warnings w;

/* The warnings of scenario PATH with the --set overrides SETS (NULL-terminated). */
static void warnings_of_file(const char *path, const char *const *sets)
{
    size_t n = 0;
    while (sets && sets[n])
        n++;
    cr_assert_eq(chdir(getenv("METERSIM_SOURCE_DIR")), 0);
    sim_scenario *sc = NULL;
    char err[4096];
    int rc = sim_scenario_load(path, sets, n, &sc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s", err);
    sim_warnings_collect(sc, &w);
    sim_scenario_destroy(sc);
}

static void warnings_of(const char *const *sets)
{
    warnings_of_file("scenarios/default.yaml", sets);
}

/* A scenario extending default.yaml with TEXT after the extends line; its path. */
static const char *extending(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/metersim-warn-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "extends: %s/scenarios/default.yaml\n%s", getenv("METERSIM_SOURCE_DIR"), text);
    fclose(f);
    return path;
}

/* Whether one warning holds every NULL-terminated part, in order. */
static bool has(const char *first, ...)
{
    for (size_t i = 0; i < w.n; i++) {
        const char *at = w.text[i], *part = first;
        va_list ap;
        va_start(ap, first);
        while (part && (at = strstr(at, part)) != NULL) {
            at += strlen(part);
            part = va_arg(ap, const char *);
        }
        va_end(ap);
        if (!part) return true;
    }
    return false;
}

static void dump(void)
{
    for (size_t i = 0; i < w.n; i++)
        cr_log_info("%s", w.text[i]);
}

#define S(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(warnings, the_default_scenario_has_none)
{
    warnings_of(NULL);
    dump();
    cr_expect_eq(w.n, 0);
}

Test(warnings, a_dynamic_tariff_nobody_answers)
{
    warnings_of(S("prices.tariff=agile"));
    cr_expect(has("--set:1:", "prices.tariff: agile prices are published", "no household responds", NULL));
    warnings_of(S("prices.tariff=rtp"));
    cr_expect(has("prices.tariff: real-time prices", NULL));
    /* someone answers, or the scenario says nobody should */
    warnings_of(S("prices.tariff=agile", "load.dr.engaged_share=10 %"));
    cr_expect(!has("prices.tariff", NULL));
    warnings_of(S("prices.tariff=agile", "load.ev.smart_share=50 %"));
    cr_expect(!has("prices.tariff", NULL));
    warnings_of(S("prices.tariff=agile", "load.dr.engaged_share=0 %"));
    cr_expect(!has("prices.tariff", NULL));
    /* engaged households on a flat tariff everywhere */
    warnings_of(S("load.dr.engaged_share=10 %"));
    cr_expect(has("--set:1:", "load.dr.engaged_share: engaged households", "flat tariff", NULL));
    warnings_of(S("load.dr.engaged_share=10 %", "prices.tariff=e7"));
    cr_expect_eq(w.n, 0);
    warnings_of(S("load.dr.engaged_share=10 %", "prices.tariff=flat")); /* a control arm */
    cr_expect_eq(w.n, 0);
    /* the nation's size only scales real-time prices */
    warnings_of(S("prices.national_households=1000000"));
    cr_expect(has("prices.national_households: only real-time", NULL));
    warnings_of(S("prices.national_households=1000000", "prices.tariff=rtp", "load.dr.engaged_share=5 %"));
    cr_expect_eq(w.n, 0);
}

Test(warnings, a_storm_on_areas_the_run_does_not_hold)
{
    warnings_of(S("topology.regions=London, South Wales", "storm.enabled=true",
                  "storm.regions=London, Eastern"));
    cr_expect(has("storm.regions: Eastern is not in the run", "hits only the others", NULL));
    warnings_of(S("topology.regions=London", "storm.enabled=true", "storm.regions=DCC North"));
    cr_expect(has("storm.regions: none of North Scotland", "Yorkshire is in the run",
                  "hits no household", NULL));
    /* "all" is whatever the run holds */
    warnings_of(S("topology.regions=London", "storm.enabled=true", "storm.regions=all"));
    cr_expect_eq(w.n, 0);
    warnings_of(S("topology.regions=London, South Wales", "storm.enabled=true",
                  "storm.regions=dcc south"));
    cr_expect(has("storm.regions: South West, South East, Southern are not in the run", NULL));
}

Test(warnings, a_population_in_no_area_of_the_run)
{
    warnings_of(S("topology.regions=2",
                  "fleet.populations=[{name: a, generation: smets2}, "
                  "{name: b, generation: smets1, regions: London}]"));
    cr_expect(has("fleet.populations: population b (regions London) has no household", NULL));
    warnings_of(S("topology.regions=London, 1",
                  "fleet.populations=[{name: a, generation: smets2}, "
                  "{name: b, generation: smets1, regions: London}]"));
    cr_expect_eq(w.n, 0);
}

Test(warnings, keys_of_a_feature_switched_off)
{
    warnings_of(S("storm.share=50 %", "storm.start=2 h"));
    cr_expect(has("storm.enabled: is false, so storm.start, storm.share have no effect", NULL));
    warnings_of(S("faults.rate=3 %"));
    cr_expect(has("faults.enabled: is false, so faults.rate has no effect", NULL));
    warnings_of(S("storm.enabled=true", "storm.share=50 %"));
    cr_expect(!has("storm.enabled", NULL));
    warnings_of(S("meter.restore_dither=1 min", "outages.background=false"));
    cr_expect(has("--set:1:", "meter.restore_dither: no supply comes back", NULL));
    warnings_of(S("meter.restore_dither=1 min"));
    cr_expect_eq(w.n, 0);
}

Test(warnings, keys_a_model_ignores)
{
    warnings_of(S("load.model=basic", "load.ev.share=10 %", "load.dr.engaged_share=5 %",
                  "prices.tariff=e7"));
    cr_expect(has("load.model: basic ignores load.ev.share, load.dr.engaged_share", NULL));
    warnings_of(S("load.model=basic", "load.annual=3000 kWh/yr"));
    cr_expect_eq(w.n, 0);
    warnings_of(S("topology.area_households=1000", "wan.uplink.latency=50 ms"));
    cr_expect(has("wan.technology: model sizes each area", "topology.area_households, "
                  "wan.uplink.latency have no effect", NULL));
    warnings_of(S("topology.area_households=1000", "wan.technology=uniform"));
    cr_expect_eq(w.n, 0);
}

Test(warnings, a_description_of_another_size)
{
    /* default.yaml's description names 1,000 households; a file extending it sets 5,000 */
    const char *x = extending("households: 5000\n");
    warnings_of_file(x, NULL);
    cr_expect(has("scenarios/default.yaml:", ": warning: description: says 1000 households, but ",
                  "metersim-warn-", ".yaml sets 5000", NULL));
    warnings_of_file(extending("households: 5000\ndescription: 5k households in a test\n"), NULL);
    cr_expect_eq(w.n, 0);
    warnings_of_file(extending("households: 2000000\ndescription: a 2M households national run\n"), NULL);
    cr_expect_eq(w.n, 0);
    warnings_of_file(extending("households: 1000\n"), NULL);
    cr_expect_eq(w.n, 0);
    remove(x);
    /* --set is a deliberate change; a description without a size says nothing */
    warnings_of(S("households=5000"));
    cr_expect_eq(w.n, 0);
    warnings_of(S("households=5000", "description=10 winter days"));
    cr_expect_eq(w.n, 0);
}

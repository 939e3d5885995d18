#include "warnings.h"

#include "sim/regions.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Warning about KEY: prefixed by where a file or --set gave it, when one did. */
static void warn(sim_warnings *w, const sim_scenario *sc, const char *key, const char *fmt, ...)
{
    if (w->n == SIM_WARNINGS_MAX) {
        w->dropped++;
        return;
    }
    char where[sizeof sc->source_path + 40], *t = w->text[w->n++];
    size_t len = SIM_WARNING_LEN;
    if (!sim_scenario_given(sc, key, where, sizeof where))
        snprintf(where, sizeof where, "%s", sc->source_path);
    int k = snprintf(t, len, "%s: warning: %s: ", where, key);
    if (k < 0 || (size_t)k >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t + k, len - (size_t)k, fmt, ap);
    va_end(ap);
}

/* The keys given under PREFIX ("storm.") other than EXCEPT, comma separated, into BUF; how
 * many. */
static int given_under(const sim_scenario *sc, const char *prefix, const char *except, char *buf,
                       size_t len)
{
    int n = 0;
    size_t pl = strlen(prefix), used = 0;
    buf[0] = '\0';
    for (const char *p = sc->keys_given; p && *p;) {
        const char *tab = strchr(p, '\t'), *eol = strchr(p, '\n');
        if (!tab || !eol) break;
        size_t kl = (size_t)(tab - p);
        bool match = kl >= pl && strncmp(p, prefix, pl) == 0 &&
                     !(except && strlen(except) == kl && strncmp(p, except, kl) == 0);
        if (match && used + kl + 3 < len) {
            used += (size_t)snprintf(buf + used, len - used, "%s%.*s", n ? ", " : "", (int)kl, p);
            n++;
        }
        p = eol + 1;
    }
    return n;
}

/* ---- the tariffs and who answers them ---------------------------------------------------- */

/* Whether some household may be on tariff T: prices.tariff through a population that takes
 * the default, a population's own, or a supplier's menu for a population that draws one. */
static bool tariff_in_use(const sim_scenario *sc, int t)
{
    for (uint32_t k = 0; k < sc->fleet.n_populations; k++) {
        const sim_population *p = &sc->fleet.populations[k];
        if (p->generation == SIM_GEN_TRADITIONAL || (p->share <= 0 && p->count == 0)) continue;
        int pt = sim_population_tariff(sc, p);
        if (pt == t) return true;
        if (pt < 0)
            for (uint32_t s = 0; s < sc->n_suppliers; s++)
                if (sc->suppliers[s].menu[t] > 0) return true;
    }
    return false;
}

static bool dr_engaged(const sim_scenario *sc)
{
    for (uint32_t k = 0; k < sc->fleet.n_populations; k++) {
        const sim_population *p = &sc->fleet.populations[k];
        double d = p->dr_engaged_share >= 0 ? p->dr_engaged_share : sc->load.dr_engaged_share;
        if (d > 0 && (p->share > 0 || p->count > 0)) return true;
    }
    return false;
}

/* Whether the scenario says how many households respond (so that 0 % is meant). */
static bool dr_chosen(const sim_scenario *sc)
{
    for (uint32_t k = 0; k < sc->fleet.n_populations; k++)
        if (sc->fleet.populations[k].dr_engaged_share >= 0) return true;
    return sim_scenario_given(sc, "load.dr.engaged_share", NULL, 0);
}

static void check_prices(const sim_scenario *sc, sim_warnings *w)
{
    bool agile = tariff_in_use(sc, SIM_TARIFF_AGILE), rtp = tariff_in_use(sc, SIM_TARIFF_RTP);
    bool smart_ev = sc->load.ev_share > 0 && sc->load.ev_smart_share > 0;
    if ((agile || rtp) && !dr_engaged(sc) && !dr_chosen(sc) && !smart_ev &&
        sc->load.model == SIM_LOAD_CREST)
        warn(w, sc, "prices.tariff",
             "%s prices are published and billed, but no household responds to them "
             "(load.dr.engaged_share is 0 %% and there is no smart EV charging): demand will "
             "not move; set load.dr.engaged_share (0 %% if that is meant)",
             agile ? "agile" : "real-time");
    bool dynamic = agile || rtp || tariff_in_use(sc, SIM_TARIFF_TOU) ||
                   tariff_in_use(sc, SIM_TARIFF_E7) || tariff_in_use(sc, SIM_TARIFF_HYBRID) ||
                   tariff_in_use(sc, SIM_TARIFF_BLOCK);
    /* a flat tariff given on purpose (a sweep's control arm) is meant */
    if (dr_engaged(sc) && !dynamic && !sim_scenario_given(sc, "prices.tariff", NULL, 0))
        warn(w, sc, "load.dr.engaged_share",
             "engaged households respond to cheaper periods, but every household is on a flat "
             "tariff: nothing will move");
    if (!rtp && sim_scenario_given(sc, "prices.national_households", NULL, 0))
        warn(w, sc, "prices.national_households",
             "only real-time prices (rtp) scale the run's demand to the nation, and no "
             "household is on them: no effect");
}

/* ---- licence areas ----------------------------------------------------------------------- */

/* The names of the areas in MASK, comma separated. */
static void area_names(uint32_t mask, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned r = 0; r < SIM_REGIONS && used < len; r++)
        if (mask >> r & 1u)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", sim_region_name(r));
}

/* Whether a region list names "all" among its items. */
static bool named_all(const char *list)
{
    for (const char *p = list; *p; p++)
        if ((p == list || p[-1] == ',' || p[-1] == ' ') && strncasecmp(p, "all", 3) == 0) {
            const char *q = p + 3;
            while (*q == ' ')
                q++;
            if (*q == ',' || !*q) return true;
        }
    return false;
}

static void check_regions(const sim_scenario *sc, sim_warnings *w)
{
    uint32_t run = sc->topology.region_mask, m = 0;
    char why[200], names[300];
    /* "all" is whatever the run holds; only areas named one by one can be a mistake */
    if (sc->storm.enabled && sim_scenario_region_mask(sc->storm.regions, &m, why, sizeof why) == 0 &&
        !named_all(sc->storm.regions) && (m & ~run)) {
        area_names(m & ~run, names, sizeof names);
        if (m & run)
            warn(w, sc, "storm.regions", "%s %s not in the run (topology.regions): the storm "
                 "hits only the others", names, __builtin_popcount(m & ~run) > 1 ? "are" : "is");
        else
            warn(w, sc, "storm.regions", "none of %s is in the run (topology.regions): the storm "
                 "hits no household", names);
    }
    for (uint32_t k = 0; k < sc->fleet.n_populations; k++) {
        const sim_population *p = &sc->fleet.populations[k];
        if (p->count || p->share <= 0 || sim_scenario_region_mask(p->regions, &m, why, sizeof why))
            continue;
        if (!(m & run)) {
            area_names(m, names, sizeof names);
            warn(w, sc, "fleet.populations", "population %s (regions %s) has no household: none "
                 "of its areas is in the run (topology.regions)", p->name, names);
        }
    }
}

/* ---- keys that the rest of the scenario makes ineffective -------------------------------- */

/* Keys under a feature's prefix given while its switch is off. */
static void check_switched_off(const sim_scenario *sc, sim_warnings *w)
{
    const struct {
        const char *prefix, *on_key;
        bool on;
    } f[] = {
        {"storm.", "storm.enabled", sc->storm.enabled},
        {"migration.", "migration.enabled", sc->migration.enabled},
        {"installs.", "installs.enabled", sc->installs.enabled},
        {"switching.", "switching.enabled", sc->switching.enabled},
        {"faults.", "faults.enabled", sc->faults.enabled},
        {"load.feedback.", "load.feedback.enabled", sc->load.feedback},
    };
    char keys[400];
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!f[i].on && given_under(sc, f[i].prefix, f[i].on_key, keys, sizeof keys) > 0)
            warn(w, sc, f[i].on_key, "is false, so %s %s no effect", keys,
                 strchr(keys, ',') ? "have" : "has");
}

static void check_models(const sim_scenario *sc, sim_warnings *w)
{
    char keys[400], more[400];
    if (sc->load.model == SIM_LOAD_BASIC) {
        /* load_basic.c reads annual, spread, seasonal_amplitude and power_factor only */
        static const char *const crest_only[] = {"load.gas.", "load.heat_pump.", "load.pv.",
                                                 "load.ev.", "load.dr.", "load.feedback.",
                                                 "load.festive_share", "load.clock_bst", "weather."};
        size_t used = 0;
        keys[0] = '\0';
        for (size_t i = 0; i < sizeof crest_only / sizeof crest_only[0]; i++)
            if (given_under(sc, crest_only[i], NULL, more, sizeof more) > 0 && used < sizeof keys)
                used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s", used ? ", " : "", more);
        if (used) warn(w, sc, "load.model", "basic ignores %s (the crest model reads them)", keys);
    }
    if (sc->wan.technology == SIM_WAN_MODEL) {
        int n = given_under(sc, "topology.area_households", NULL, keys, sizeof keys);
        size_t used = strlen(keys);
        if (given_under(sc, "wan.uplink.", NULL, more, sizeof more) > 0)
            snprintf(keys + used, sizeof keys - used, "%s%s", n ? ", " : "", more);
        if (keys[0])
            warn(w, sc, "wan.technology",
                 "model sizes each area as a site of its technology (long-range radio, cellular) "
                 "with that technology's link, so %s %s no effect (they apply to uniform)", keys,
                 strchr(keys, ',') ? "have" : "has");
    }
    bool restores = sc->storm.enabled || sc->outages.background || sc->installs.enabled;
    if (!restores && sim_scenario_given(sc, "meter.restore_dither", NULL, 0))
        warn(w, sc, "meter.restore_dither", "no supply comes back in this run (no storm, "
             "background outages or installs): no effect");
}

/* ---- the description ---------------------------------------------------------------------- */

/* The first household count the text names ("5,000 households", "10k households", "1M
 * households"); 0: none. */
static uint64_t described_households(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || (p > s && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == ',' ||
                                               p[-1] == '.')))
            continue;
        uint64_t v = 0;
        const char *q = p;
        while ((*q >= '0' && *q <= '9') || (*q == ',' && q[1] >= '0' && q[1] <= '9'))
            if (*q++ != ',') v = v * 10 + (uint64_t)(q[-1] - '0');
        if (*q == 'k' || *q == 'K') v *= 1000, q++;
        else if (*q == 'M') v *= 1000000, q++;
        while (*q == ' ')
            q++;
        if (v > 0 && strncmp(q, "household", 9) == 0) return v;
    }
    return 0;
}

/* The file part of a FILE:LINE:COL position. */
static size_t file_len(const char *where)
{
    const char *c = strrchr(where, ':');
    while (c && c > where && c[-1] >= '0' && c[-1] <= '9')
        c--;
    return c && c > where && c[-1] == ':' ? (size_t)(c - 1 - where) : strlen(where);
}

/* A description that names a size, inherited through extends from a file other than the one
 * that set households (--set is a deliberate change, not a trap). */
static void check_description(const sim_scenario *sc, sim_warnings *w)
{
    char dw[sizeof sc->source_path + 40], hw[sizeof sc->source_path + 40];
    if (!sim_scenario_given(sc, "description", dw, sizeof dw) ||
        !sim_scenario_given(sc, "households", hw, sizeof hw))
        return;
    size_t dl = file_len(dw), hl = file_len(hw);
    if (strncmp(hw, "--set", hl) == 0 || (dl == hl && strncmp(dw, hw, dl) == 0)) return;
    uint64_t said = described_households(sc->description);
    if (said && said != sc->households)
        warn(w, sc, "description", "says %llu households, but %.*s sets %u: give the run a "
             "description of its own", (unsigned long long)said, (int)hl, hw, sc->households);
}

void sim_warnings_collect(const sim_scenario *sc, sim_warnings *w)
{
    memset(w, 0, sizeof *w);
    check_prices(sc, w);
    check_regions(sc, w);
    check_switched_off(sc, w);
    check_models(sc, w);
    check_description(sc, w);
}

void sim_warnings_text(const sim_warnings *w, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < w->n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s\n", w->text[i]);
    if (w->dropped && used < len) snprintf(buf + used, len - used, "and %zu more warnings\n", w->dropped);
}

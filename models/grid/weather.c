/* Weather per region: synthetic (seasonal + diurnal + stochastic) or from a CSV.
 *
 * Synthetic temperature of region r at time t (UTC):
 *   T = T0 + dT_r - A cos(2 pi (doy - 20) / 365.25) + a(t) + D(c_d) cos(2 pi (h_sol - 15) / 24)
 *   T0 = 10.0 C, A = 6.3 K: chosen so that region 0's January mean is about 3.7 C and its
 *        July mean about 16.3 C, between the Met Office 1991-2020 UK (9.4 C annual) and
 *        Central England (10.5 C) averages; coldest around 20 January.
 *   a(t): daily anomaly, AR(1) from day to day with lag-1 correlation 0.7 and standard
 *        deviation 2.4 K (synoptic spells lasting a few days; the order of the day-to-day
 *        variability of GB daily means), interpolated linearly between day centres.
 *   D(c) = 1 + 3.5 c: half the diurnal range, larger on clear days (c = daily clearness),
 *        warmest at 15:00 solar time.
 * With these, region 0 sums to about 2,100 heating degree-days a year at the 15.5 C base,
 * the order of UK averages (CIBSE TM41 regions range from ~1,800 in the south-west to
 * ~2,500 in north Scotland); tests/grid/test_weather.c checks 1,800-2,400.
 *
 * Synthetic irradiance: Haurwitz clear-sky GHI times a clearness c = c_d + 0.18 y(t),
 * clamped to [0.03, 1.05], where c_d = clamp(0.60 + dc_r + 0.24 z_d, 0.08, 1) with z_d an
 * AR(1) daily series (lag-1 0.45, unit variance) and y(t) an AR(1) per 10-minute slot
 * (lag-1 0.9, unit variance).  0.60 is chosen so region 0 receives about 1,000 kWh/m2 a
 * year on the horizontal, the order PVGIS gives for the English Midlands (950-1,050);
 * tests/grid/test_weather.c checks 900-1,150.
 *
 * Regional offsets (temperature, clearness) are rounded from Met Office 1991-2020 regional
 * climate summaries: Scotland cooler and cloudier, the south and London warmer and sunnier.
 */
#include "grid/weather.h"

#include "sim/rng.h"
#include "sim/timeutil.h"
#include "sim/window.h"

#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define DEG (PI / 180.0)

#define T0_C 10.0
#define SEASON_K 6.3
#define COLDEST_DOY 20.0
#define ANOM_PHI 0.7
#define ANOM_SD 2.4
#define CLEAR_MEAN 0.60
#define CLEAR_DAY_SD 0.24
#define CLEAR_DAY_PHI 0.45
#define CLEAR_FAST_SD 0.18
#define CLEAR_FAST_PHI 0.9

/* In the order of grid_region_name (topology.c) shifted by one; [0] is GB unspecified.
 * Latitudes/longitudes are rough population centres of each licence area. */
static const grid_climate climates[GRID_WEATHER_REGIONS] = {
    {"GB", 52.5, -1.5, 0.0, 0.0},
    {"North Scotland", 57.2, -3.5, -1.9, -0.07},
    {"South Scotland", 55.9, -3.9, -1.4, -0.05},
    {"North West", 53.6, -2.5, -0.3, -0.03},
    {"North East", 54.8, -1.6, -0.7, -0.02},
    {"Yorkshire", 53.8, -1.3, -0.4, -0.01},
    {"Merseyside and North Wales", 53.2, -3.0, 0.0, -0.02},
    {"East Midlands", 52.9, -1.1, -0.1, 0.00},
    {"West Midlands", 52.5, -2.1, -0.1, -0.01},
    {"South Wales", 51.6, -3.5, 0.3, 0.00},
    {"South West", 50.6, -3.9, 0.8, 0.03},
    {"Eastern", 52.2, 0.6, 0.3, 0.03},
    {"London", 51.5, -0.1, 1.1, 0.03},
    {"South East", 51.2, 0.6, 0.6, 0.04},
    {"Southern", 51.1, -1.3, 0.6, 0.04},
};

/* A region's 10-minute series, made as the run reaches them and dropped behind it (a
 * window of wslot records).  Synthetic series draw from two copies of the region's stream,
 * one where its day series starts and one where its 10-minute clearness starts, so they come
 * out as if the whole span were drawn day series first, then slot by slot (which is how they
 * were first defined: the same numbers). */
typedef struct wslot {
    float temp, irr;
} wslot;

typedef struct series {
    const grid_weather *w;
    unsigned r;
    sim_rng day_rng, slot_rng;
    double a, z, y;           /* AR(1) states: anomaly, day clearness, fast clearness */
    uint32_t day_c;           /* padded day at the middle of anom/clear */
    double anom[3], clear[3]; /* padded days day_c - 1, day_c, day_c + 1 */
    size_t csv_j;             /* observation at or before the next slot (CSV) */
    sim_window win;
} series;

typedef struct obs {
    int64_t t;
    double temp, irr;
} obs;

struct grid_weather {
    grid_weather_params p;
    double lat0; /* region 0's latitude [deg N] */
    uint32_t n_slots, n_days;
    int64_t day0;                           /* UTC day number of the start's date */
    series *s[GRID_WEATHER_REGIONS];        /* aliases of [0] with a CSV, and for the regions
                                             * left out of p.regions */
    double *day_mean[GRID_WEATHER_REGIONS]; /* n_days each: 8 bytes a day for the whole span */
    obs *obs;                               /* the CSV's rows */
    size_t n_obs;
    uint32_t own; /* bit r: region r has series of its own */
};

const grid_climate *grid_climate_of(unsigned region)
{
    return &climates[region < GRID_WEATHER_REGIONS ? region : 0];
}

/* ---- sun ----------------------------------------------------------------------------- */

double grid_solar_declination(int yday)
{
    double g = 2.0 * PI * yday / 365.0;
    return 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) +
           0.000907 * sin(2 * g) - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g);
}

double grid_equation_of_time_min(int yday)
{
    double g = 2.0 * PI * yday / 365.0;
    return 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) - 0.014615 * cos(2 * g) -
                     0.040849 * sin(2 * g));
}

void grid_sun_times(double lat_deg, double lon_deg, int yday, double *rise_h, double *set_h)
{
    double d = grid_solar_declination(yday), phi = lat_deg * DEG;
    double c = (sin(-0.833 * DEG) - sin(phi) * sin(d)) / (cos(phi) * cos(d));
    double w0 = c <= -1.0 ? PI : c >= 1.0 ? 0.0 : acos(c); /* half-day arc [rad] */
    double noon = 12.0 - lon_deg / 15.0 - grid_equation_of_time_min(yday) / 60.0;
    double half = w0 / DEG / 15.0;
    *rise_h = noon - half;
    *set_h = noon + half;
}

double grid_solar_elevation(double lat_deg, double lon_deg, int64_t unix_t)
{
    sim_civil cv;
    sim_civil_from_unix(unix_t, &cv);
    double utc_h = cv.hour + cv.minute / 60.0 + cv.second / 3600.0;
    double solar_h = utc_h + lon_deg / 15.0 + grid_equation_of_time_min(cv.yday) / 60.0;
    double w = (solar_h - 12.0) * 15.0 * DEG, d = grid_solar_declination(cv.yday);
    double phi = lat_deg * DEG;
    double s = sin(phi) * sin(d) + cos(phi) * cos(d) * cos(w);
    return asin(s < -1 ? -1 : s > 1 ? 1 : s);
}

double grid_clear_sky_ghi(double h)
{
    double s = sin(h);
    return s <= 0.0 ? 0.0 : 1098.0 * s * exp(-0.057 / s);
}

/* ---- synthetic ----------------------------------------------------------------------- */

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static double gauss(sim_rng *r)
{
    gsl_rng g;
    return gsl_ran_ugaussian(sim_rng_gsl(r, &g));
}

/* The next padded day of the day series: its anomaly [K] and clearness [-]. */
static void next_day(series *s, const grid_climate *cl, double *anom, double *clear)
{
    s->a = ANOM_PHI * s->a + ANOM_SD * sqrt(1 - ANOM_PHI * ANOM_PHI) * gauss(&s->day_rng);
    s->z = CLEAR_DAY_PHI * s->z +
           sqrt(1 - CLEAR_DAY_PHI * CLEAR_DAY_PHI) * gauss(&s->day_rng);
    *anom = s->a;
    *clear = clampd(CLEAR_MEAN + cl->d_clearness + CLEAR_DAY_SD * s->z, 0.08, 1.0);
}

/* S's day series from its start: padded day 0 is the day before the start's date. */
static void start_days(series *s, const grid_climate *cl)
{
    s->a = ANOM_SD * gauss(&s->day_rng);
    s->z = gauss(&s->day_rng);
    for (int i = 0; i < 3; i++)
        next_day(s, cl, &s->anom[i], &s->clear[i]);
    s->day_c = 1;
}

/* Move S's three days on until padded day D is in the middle. */
static void reach_day(series *s, const grid_climate *cl, uint32_t d)
{
    while (s->day_c < d) {
        s->anom[0] = s->anom[1];
        s->anom[1] = s->anom[2];
        s->clear[0] = s->clear[1];
        s->clear[1] = s->clear[2];
        next_day(s, cl, &s->anom[2], &s->clear[2]);
        s->day_c++;
    }
}

/* Mid-point [unix s] of slot K, and its padded day. */
static int64_t slot_mid(const grid_weather *w, uint32_t k, uint32_t *d)
{
    int64_t t = w->p.start_unix + (int64_t)k * GRID_WEATHER_STEP_S + GRID_WEATHER_STEP_S / 2;
    *d = (uint32_t)((int64_t)floor((double)t / SIM_DAY_S) - w->day0) + 1;
    return t;
}

/* Synthetic temperature of region R at T, the middle of a slot in S's middle day. */
static float synthetic_temp(const series *s, unsigned r, int64_t t)
{
    const grid_climate *cl = &climates[r];
    int64_t dayn = (int64_t)floor((double)t / SIM_DAY_S);
    double frac = (double)(t - dayn * SIM_DAY_S) / SIM_DAY_S - 0.5;
    double an = frac >= 0 ? s->anom[1] + frac * (s->anom[2] - s->anom[1])
                          : s->anom[1] + frac * (s->anom[1] - s->anom[0]);
    sim_civil cv;
    sim_civil_from_unix(t, &cv);
    double utc_h = cv.hour + cv.minute / 60.0 + cv.second / 3600.0;
    double solar_h = utc_h + cl->lon_deg / 15.0 + grid_equation_of_time_min(cv.yday) / 60.0;
    double season = -SEASON_K * cos(2 * PI * (cv.yday - COLDEST_DOY) / 365.25);
    double diurnal = (1.0 + 3.5 * s->clear[1]) * cos(2 * PI * (solar_h - 15.0) / 24.0);
    return (float)(T0_C + cl->dt_mean_c + season + an + diurnal);
}

/* Where region R's series start: the day series at the stream's beginning, the 10-minute
 * clearness after all N_PADDED days of it. */
static void synthetic_start(const grid_weather *w, unsigned r, series *s, uint32_t n_padded)
{
    sim_rng_seed(&s->day_rng, w->p.seed, r, "weather");
    s->slot_rng = s->day_rng;
    for (uint32_t i = 0; i < 2 + 2 * n_padded; i++)
        gauss(&s->slot_rng);
    s->y = gauss(&s->slot_rng);
    start_days(s, &climates[r]);
}

/* Slot K (the next one) of region R's synthetic series. */
static void synthetic_slot(const grid_weather *w, unsigned r, series *s, uint32_t k, float *temp,
                           float *irr)
{
    const grid_climate *cl = &climates[r];
    double lat = r == 0 ? w->lat0 : cl->lat_deg;
    uint32_t d;
    int64_t t = slot_mid(w, k, &d);
    reach_day(s, cl, d);
    *temp = synthetic_temp(s, r, t);
    s->y = CLEAR_FAST_PHI * s->y +
           sqrt(1 - CLEAR_FAST_PHI * CLEAR_FAST_PHI) * gauss(&s->slot_rng);
    double c = clampd(s->clear[1] + CLEAR_FAST_SD * s->y, 0.03, 1.05);
    *irr = (float)(grid_clear_sky_ghi(grid_solar_elevation(lat, cl->lon_deg, t)) * c);
}

/* ---- CSV ----------------------------------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* "1767225600", "2026-01-01T00:00:00Z", "2026-01-01 00:00", with optional seconds/Z. */
static int parse_time(const char *s, int64_t *out)
{
    char *end;
    if (*s && strspn(s, "0123456789-") == strlen(s) && strchr(s + 1, '-') == NULL) {
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end) return -1;
        *out = v;
        return 0;
    }
    int y, mo, d, h, mi, n = 0;
    double sec = 0;
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5) return -1;
    const char *r = s + n;
    if (*r == ':') {
        sec = strtod(r + 1, &end);
        if (end == r + 1) return -1;
        r = end;
    }
    if (*r == 'Z') r++;
    if (*r || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61)
        return -1;
    *out = sim_days_from_civil(y, mo, d) * SIM_DAY_S + h * 3600 + mi * 60 + (int64_t)sec;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return (end == s || *end || errno || !isfinite(*out)) ? -1 : 0;
}

static int load_csv(grid_weather *w, char *err, size_t errlen)
{
    const char *path = w->p.csv;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open weather file: %s", path, strerror(errno));
        return -1;
    }
    obs *v = NULL;
    size_t n = 0, cap = 0;
    int col_t = -1, col_temp = -1, col_irr = -1, ncol = 0, rc = -1;
    char line[1024];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line longer than %zu characters", path, lineno,
                     sizeof line - 1);
            goto out;
        }
        char *s = trim(line);
        if (!*s || *s == '#') continue;
        char *field[8];
        int nf = 0;
        for (char *tok = s;; nf++) {
            if (nf == 8) {
                snprintf(err, errlen, "%s:%u: more than 8 columns", path, lineno);
                goto out;
            }
            char *comma = strchr(tok, ',');
            if (comma) *comma = 0;
            field[nf] = trim(tok);
            if (!comma) {
                nf++;
                break;
            }
            tok = comma + 1;
        }
        if (col_t < 0) { /* the header */
            for (int i = 0; i < nf; i++) {
                if (!strcmp(field[i], "time"))
                    col_t = i;
                else if (!strcmp(field[i], "temperature_c"))
                    col_temp = i;
                else if (!strcmp(field[i], "irradiance_w_m2"))
                    col_irr = i;
            }
            if (col_t < 0 || col_temp < 0 || col_irr < 0) {
                snprintf(err, errlen,
                         "%s:%u: header must name the columns time,temperature_c,irradiance_w_m2",
                         path, lineno);
                col_t = -1;
                goto out;
            }
            ncol = nf;
            continue;
        }
        if (nf != ncol) {
            snprintf(err, errlen, "%s:%u: %d columns, the header has %d", path, lineno, nf, ncol);
            goto out;
        }
        obs o;
        if (parse_time(field[col_t], &o.t)) {
            snprintf(err, errlen,
                     "%s:%u: time \"%s\": expected ISO-8601 UTC (2026-01-01T00:00:00Z) or Unix "
                     "seconds",
                     path, lineno, field[col_t]);
            goto out;
        }
        if (parse_double(field[col_temp], &o.temp) || o.temp < -60 || o.temp > 60) {
            snprintf(err, errlen, "%s:%u: temperature_c \"%s\": expected a number in -60..60", path,
                     lineno, field[col_temp]);
            goto out;
        }
        if (parse_double(field[col_irr], &o.irr) || o.irr < 0 || o.irr > 1500) {
            snprintf(err, errlen, "%s:%u: irradiance_w_m2 \"%s\": expected a number in 0..1500",
                     path, lineno, field[col_irr]);
            goto out;
        }
        if (n && o.t <= v[n - 1].t) {
            snprintf(err, errlen, "%s:%u: times must increase (previous row is not earlier)", path,
                     lineno);
            goto out;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 1024;
            obs *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto out;
            }
            v = nv;
            cap = nc;
        }
        v[n++] = o;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    if (col_t < 0 || n < 2) {
        snprintf(err, errlen, "%s:%u: need a header and at least two rows", path, lineno);
        goto out;
    }
    /* The run itself must be covered; the day of margin beyond it holds the last row. */
    int64_t need_from = w->p.start_unix, need_to = w->p.start_unix + w->p.duration_s;
    if (v[0].t > need_from || v[n - 1].t < need_to - GRID_WEATHER_STEP_S) {
        char a[32], b[32], c[32], d[32];
        sim_time_iso(v[0].t, a, sizeof a);
        sim_time_iso(v[n - 1].t, b, sizeof b);
        sim_time_iso(need_from, c, sizeof c);
        sim_time_iso(need_to, d, sizeof d);
        snprintf(err, errlen, "%s: observations span %s..%s but the run needs %s..%s", path, a, b,
                 c, d);
        goto out;
    }
    w->obs = v;
    w->n_obs = n;
    v = NULL;
    rc = 0;
out:
    free(v);
    fclose(f);
    return rc;
}

/* Slot K of the observations, interpolated at its middle; *J: the row at or before the
 * previous slot's middle (slots only move on). */
static void csv_slot(const grid_weather *w, size_t *j, uint32_t k, float *temp, float *irr)
{
    const obs *v = w->obs;
    int64_t t = w->p.start_unix + (int64_t)k * GRID_WEATHER_STEP_S + GRID_WEATHER_STEP_S / 2;
    while (*j + 2 < w->n_obs && v[*j + 1].t <= t)
        (*j)++;
    double fr = (double)(t - v[*j].t) / (double)(v[*j + 1].t - v[*j].t);
    fr = clampd(fr, 0.0, 1.0);
    *temp = (float)(v[*j].temp + fr * (v[*j + 1].temp - v[*j].temp));
    *irr = (float)(v[*j].irr + fr * (v[*j + 1].irr - v[*j].irr));
}

/* ---- object -------------------------------------------------------------------------- */

static void make_slot(void *ctx, uint32_t k, void *out)
{
    series *s = ctx;
    wslot *o = out;
    if (s->w->obs)
        csv_slot(s->w, &s->csv_j, k, &o->temp, &o->irr);
    else
        synthetic_slot(s->w, s->r, s, k, &o->temp, &o->irr);
}

/* Slots a series' window has room for from creation: what a run reads ahead of its window
 * (the next sunrise, an occupancy spell), with room to spare: in a run the window does not
 * grow (a standalone caller that never releases makes it grow to the span). */
#define SERIES_RESERVE (3 * SIM_DAY_S / GRID_WEATHER_STEP_S)

/* Region R's series from its first slot, into S. */
static void series_start(const grid_weather *w, unsigned r, series *s)
{
    *s = (series){.w = w, .r = r};
    s->win = sim_window_init(sizeof(wslot), make_slot, s, "weather");
    if (w->obs == NULL) synthetic_start(w, r, s, w->n_days + 2);
}

/* Mean temperature of every UTC day (partial first and last days: the slots there are),
 * from a pass over the whole span that keeps nothing of it but the means. */
static void day_means(const grid_weather *w, unsigned r, double *mean)
{
    series s;
    series_start(w, r, &s);
    uint32_t d_prev = 0, cnt = 0;
    for (uint32_t k = 0; k <= w->n_slots; k++) {
        int64_t t0 = w->p.start_unix + (int64_t)k * GRID_WEATHER_STEP_S;
        uint32_t d = (uint32_t)((int64_t)floor((double)t0 / SIM_DAY_S) - w->day0);
        if (k == w->n_slots || (k > 0 && d != d_prev)) {
            mean[d_prev] = cnt ? mean[d_prev] / cnt : 10.0;
            cnt = 0;
            if (k == w->n_slots) break;
        }
        float temp, irr;
        if (w->obs) {
            csv_slot(w, &s.csv_j, k, &temp, &irr);
        } else {
            uint32_t pd;
            int64_t t = slot_mid(w, k, &pd);
            reach_day(&s, &climates[r], pd);
            temp = synthetic_temp(&s, r, t);
        }
        mean[d] += temp;
        cnt++;
        d_prev = d;
    }
}

int grid_weather_create(const grid_weather_params *p, grid_weather **out, char *err, size_t errlen)
{
    *out = NULL;
    if (p->duration_s <= 0 || p->duration_s > 20LL * 366 * SIM_DAY_S) {
        snprintf(err, errlen, "weather: duration out of range");
        return -1;
    }
    if (p->latitude_deg < 0 || p->latitude_deg > 75) {
        snprintf(err, errlen, "weather: latitude %.2f outside 0..75 deg N", p->latitude_deg);
        return -1;
    }
    grid_weather *w = calloc(1, sizeof *w);
    if (!w) goto oom;
    w->p = *p;
    w->lat0 = p->latitude_deg > 0 ? p->latitude_deg : 52.5;
    w->n_slots =
        (uint32_t)((p->duration_s + SIM_DAY_S + GRID_WEATHER_STEP_S - 1) / GRID_WEATHER_STEP_S);
    w->day0 = (int64_t)floor((double)p->start_unix / SIM_DAY_S);
    int64_t last = (int64_t)floor(
        (double)(p->start_unix + (int64_t)w->n_slots * GRID_WEATHER_STEP_S - 1) / SIM_DAY_S);
    w->n_days = (uint32_t)(last - w->day0 + 1);
    /* a CSV is region 0's, and every region reads it */
    w->own = p->csv != NULL ? 1u
             : p->regions   ? (p->regions | 1u)
                            : (1u << GRID_WEATHER_REGIONS) - 1u;
    w->own &= (1u << GRID_WEATHER_REGIONS) - 1u;
    if (p->csv != NULL && load_csv(w, err, errlen)) {
        grid_weather_destroy(w);
        return -1;
    }
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++) {
        if (!(w->own >> r & 1u)) continue;
        w->s[r] = calloc(1, sizeof *w->s[r]);
        w->day_mean[r] = calloc(w->n_days, sizeof(double));
        if (!w->s[r] || !w->day_mean[r]) goto oom;
        day_means(w, r, w->day_mean[r]);
        series_start(w, r, w->s[r]);
        if (sim_window_reserve(&w->s[r]->win, SERIES_RESERVE)) goto oom;
    }
    for (unsigned r = 1; r < GRID_WEATHER_REGIONS; r++)
        if (!(w->own >> r & 1u)) {
            w->s[r] = w->s[0];
            w->day_mean[r] = w->day_mean[0];
        }
    *out = w;
    return 0;
oom:
    grid_weather_destroy(w);
    snprintf(err, errlen, "weather: out of memory");
    return -1;
}

void grid_weather_destroy(grid_weather *w)
{
    if (!w) return;
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++) {
        if (!(w->own >> r & 1u)) continue;
        if (w->s[r]) sim_window_free(&w->s[r]->win);
        free(w->s[r]);
        free(w->day_mean[r]);
    }
    free(w->obs);
    free(w);
}

void grid_weather_release(grid_weather *w, uint32_t before)
{
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++)
        if (w->own >> r & 1u) sim_window_release(&w->s[r]->win, before);
}

/* A series' generator state (AR(1) states, streams, padded days, CSV row) is moved only by
 * make_slot, one slot after the other (day_means draws from a series of its own), so
 * replaying the makes restores it: nothing of it travels. */
int grid_weather_ckpt(grid_weather *w, sim_ckpt *c)
{
    sim_ckpt_tag(c, "weather");
    sim_ckpt_same(c, w->p.seed, "weather seed");
    sim_ckpt_same(c, w->own, "weather regions drawn (bit per region)");
    sim_ckpt_same(c, w->n_slots, "weather slots");
    sim_ckpt_same(c, w->n_obs, "weather observations (CSV rows)");
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS && !sim_ckpt_err(c); r++) {
        if (!(w->own >> r & 1u)) continue;
        /* Households initialised since create have read the series: start them again, so
         * the replay makes every slot from the first with the generator as create left it. */
        if (sim_ckpt_loading(c)) {
            sim_window_free(&w->s[r]->win);
            series_start(w, r, w->s[r]);
            if (sim_window_reserve(&w->s[r]->win, SERIES_RESERVE)) {
                sim_ckpt_fail(c, "weather: out of memory");
                break;
            }
        }
        sim_window_ckpt(&w->s[r]->win, c);
    }
    return sim_ckpt_err(c) ? -1 : 0;
}

size_t grid_weather_bytes(const grid_weather *w)
{
    size_t b = sizeof *w + w->n_obs * sizeof *w->obs;
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++)
        if (w->own >> r & 1u)
            b += sizeof *w->s[r] + w->s[r]->win.v.cap * w->s[r]->win.v.size +
                 w->n_days * sizeof(double);
    return b;
}

/* Slot K of region R (regions without series of their own alias region 0's). */
static const wslot *slot_at(const grid_weather *w, unsigned r, uint32_t k)
{
    if (r >= GRID_WEATHER_REGIONS) r = 0;
    return sim_window_at(&w->s[r]->win, k < w->n_slots ? k : w->n_slots - 1);
}

uint32_t grid_weather_slots(const grid_weather *w)
{
    return w->n_slots;
}

uint32_t grid_weather_days(const grid_weather *w)
{
    return w->n_days;
}

double grid_weather_latitude(const grid_weather *w, unsigned region)
{
    return region == 0 || region >= GRID_WEATHER_REGIONS ? w->lat0 : climates[region].lat_deg;
}

double grid_weather_longitude(const grid_weather *w, unsigned region)
{
    (void)w;
    return grid_climate_of(region)->lon_deg;
}

float grid_weather_temp_c(const grid_weather *w, unsigned region, uint32_t k)
{
    return slot_at(w, region, k)->temp;
}

float grid_weather_irradiance(const grid_weather *w, unsigned region, uint32_t k)
{
    return slot_at(w, region, k)->irr;
}

double grid_weather_day_mean_c(const grid_weather *w, unsigned region, uint32_t d)
{
    if (region >= GRID_WEATHER_REGIONS) region = 0;
    return w->day_mean[region][d < w->n_days ? d : w->n_days - 1];
}

double grid_weather_hdd(const grid_weather *w, unsigned region, uint32_t d)
{
    double m = grid_weather_day_mean_c(w, region, d);
    return m < GRID_HDD_BASE_C ? GRID_HDD_BASE_C - m : 0.0;
}

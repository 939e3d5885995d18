/* Weather per region: outdoor air temperature and global horizontal irradiance at
 * 10-minute resolution over the run, plus the solar geometry the models need (sunrise,
 * sunset, solar elevation by date, latitude and longitude).
 *
 * The 10-minute series are made as they are first read and dropped when the caller says it
 * is done with them (grid_weather_release), so a multi-year run holds a day or two of them;
 * what stays for the whole span is each region's daily mean temperature (8 bytes a day).
 *
 * Synthetic weather is a seasonal cycle plus a diurnal cycle plus stochastic weather:
 * an AR(1) daily temperature anomaly and an AR(1) daily cloudiness with a faster
 * 10-minute cloud component, applied to a clear-sky irradiance (Haurwitz 1945) from the
 * sun's position (Spencer 1971).  Each region draws from its own stream (seed, region,
 * "weather"), so a region's weather does not depend on which other regions are simulated.
 * Instead a user may give a CSV of observations (columns time,temperature_c,
 * irradiance_w_m2), used for every region and interpolated to the 10-minute grid.
 *
 * Regions are numbered as the engine numbers them: 1..14 are the DNO licence areas in the
 * order of grid_region_name (topology.h) plus one; 0 is "GB, unspecified" at a
 * configurable latitude (default 52.5 N, a population-weighted middle of Great Britain).
 *
 * Not here: wind, humidity, snow; per-region CSV files; indoor temperatures (the load
 * model turns weather into heat demand).
 */
#ifndef GRID_WEATHER_H
#define GRID_WEATHER_H

#include "sim/ckpt.h"

#include <stddef.h>
#include <stdint.h>

#define GRID_WEATHER_STEP_S 600 /* one weather slot: 10 min */
#define GRID_WEATHER_REGIONS 15 /* 0 (GB) and the 14 DNO licence areas */
#define GRID_HDD_BASE_C 15.5    /* UK degree-day base temperature [C] */

typedef struct grid_weather grid_weather;

typedef struct grid_weather_params {
    uint64_t seed;
    int64_t start_unix;  /* run start, UTC [s]; slot 0 begins here */
    int64_t duration_s;  /* span to cover [s]; a day of margin is added */
    double latitude_deg; /* latitude of region 0 [deg N]; 0: 52.5 */
    const char *csv;     /* observations file, or NULL for synthetic weather */
    uint32_t regions;    /* bit r: region r's weather is read (region 0's always is); 0: all.
                          * The others read region 0's.  Each region is drawn from its own
                          * stream, so leaving some out changes none of the rest */
} grid_weather_params;

/* Static climate of a region: where its sun is and how it differs from region 0. */
typedef struct grid_climate {
    const char *name;
    double lat_deg;     /* [deg N] */
    double lon_deg;     /* [deg E] */
    double dt_mean_c;   /* annual mean temperature minus region 0's [K] */
    double d_clearness; /* mean cloud clearness minus region 0's [-] */
} grid_climate;

/* Climate of REGION (0..14); region 0 with the default latitude. */
const grid_climate *grid_climate_of(unsigned region);

int grid_weather_create(const grid_weather_params *p, grid_weather **out, char *err, size_t errlen);
void grid_weather_destroy(grid_weather *w); /* accepts NULL */

uint32_t grid_weather_slots(const grid_weather *w); /* slots covered (>= duration + 1 d) */
uint32_t grid_weather_days(const grid_weather *w);  /* UTC days covered, day 0 = start's date */
double grid_weather_latitude(const grid_weather *w, unsigned region);  /* [deg N] */
double grid_weather_longitude(const grid_weather *w, unsigned region); /* [deg E] */

/* Mean over slot K (0 .. slots-1) of region REGION (0..14).  Out of range: the last slot.
 * Reading a slot before one released aborts (a caller's bug: the series cannot go back). */
float grid_weather_temp_c(const grid_weather *w, unsigned region, uint32_t k);     /* [C] */
float grid_weather_irradiance(const grid_weather *w, unsigned region, uint32_t k); /* [W/m2] */
/* The caller reads no slot before BEFORE again: the series before it may be dropped. */
void grid_weather_release(grid_weather *w, uint32_t before);

/* W's part of a checkpoint (sim/ckpt.h): how far each region's series has been made and
 * released.  Loading, into weather created from the same parameters (and perhaps read since),
 * starts each series again and makes it up to there (sim_window_ckpt).  0, or -1 with
 * sim_ckpt_err set (then W can only be destroyed). */
int grid_weather_ckpt(grid_weather *w, sim_ckpt *c);

/* Heap bytes W holds: the 10-minute series it keeps now and the daily means. */
size_t grid_weather_bytes(const grid_weather *w);

/* Mean temperature of UTC day D (0 = the start's date) [C], and its heating degree-days
 * max(0, 15.5 - mean) [K d] (the UK base temperature; CIBSE TM41). */
double grid_weather_day_mean_c(const grid_weather *w, unsigned region, uint32_t d);
double grid_weather_hdd(const grid_weather *w, unsigned region, uint32_t d);

/* Sun. YDAY 0..365; times in hours UTC of that date; elevation in radians.  Sunrise and
 * sunset use the almanac convention (upper limb at the horizon with refraction: -0.833
 * deg); polar day/night give 0/24 or equal times. */
double grid_solar_declination(int yday);    /* [rad] (Spencer 1971) */
double grid_equation_of_time_min(int yday); /* [min] (Spencer 1971) */
void grid_sun_times(double lat_deg, double lon_deg, int yday, double *rise_h, double *set_h);
double grid_solar_elevation(double lat_deg, double lon_deg, int64_t unix_t); /* [rad] */
/* Clear-sky global horizontal irradiance at elevation H [W/m2] (Haurwitz 1945). */
double grid_clear_sky_ghi(double h_rad);

#endif

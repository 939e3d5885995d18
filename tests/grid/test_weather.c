/* Weather and sun (models/grid/weather.c) against almanac times and GB climate figures; weather
 * loaded from a checkpoint goes on as the saved one. */
#include "grid/weather.h"
#include "sim/ckpt.h"
#include "sim/timeutil.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static grid_weather *year_2026(uint64_t seed)
{
    grid_weather_params p = {.seed = seed,
                             .start_unix = sim_days_from_civil(2026, 1, 1) * SIM_DAY_S,
                             .duration_s = 365 * SIM_DAY_S};
    grid_weather *w;
    char err[256];
    cr_assert_eq(grid_weather_create(&p, &w, err, sizeof err), 0, "%s", err);
    return w;
}

Test(weather, london_sunrise_and_sunset_match_the_almanac_within_5_minutes)
{
    /* HM Nautical Almanac Office / timeanddate for London (51.51 N, 0.13 W), 2026:
     * 21 June sunrise 03:43 UTC, sunset 20:21 UTC; 21 December 08:04 and 15:54 UTC. */
    struct {
        int yday;
        double rise, set;
    } c[] = {
        {171, 3 + 43 / 60.0, 20 + 21 / 60.0},
        {354, 8 + 4 / 60.0, 15 + 54 / 60.0},
    };
    for (size_t i = 0; i < 2; i++) {
        double r, s;
        grid_sun_times(51.51, -0.13, c[i].yday, &r, &s);
        cr_expect(fabs(r - c[i].rise) * 60 < 5, "day %d sunrise %.3f h", c[i].yday, r);
        cr_expect(fabs(s - c[i].set) * 60 < 5, "day %d sunset %.3f h", c[i].yday, s);
    }
}

Test(weather, synthetic_year_has_gb_degree_days_and_irradiation)
{
    /* Heating degree-days at 15.5 C: UK regional averages span ~1,800 (south-west) to
     * ~2,500 (north Scotland) K d a year (CIBSE TM41 order); region 0 ("GB", 52.5 N) must
     * fall in 1,800-2,400 and north Scotland must be colder than London.  Global
     * horizontal irradiation about 1,000 kWh/m2/yr in the Midlands (PVGIS): 900-1,150. */
    grid_weather *w = year_2026(42);
    double hdd[15] = {0}, ghi = 0;
    for (unsigned r = 0; r < 15; r++)
        for (uint32_t d = 0; d < 365; d++)
            hdd[r] += grid_weather_hdd(w, r, d);
    for (uint32_t k = 0; k < 365 * 144; k++)
        ghi += grid_weather_irradiance(w, 0, k) / 6.0 / 1000;
    double jan = 0, jul = 0;
    for (uint32_t d = 0; d < 31; d++) {
        jan += grid_weather_day_mean_c(w, 0, d) / 31;
        jul += grid_weather_day_mean_c(w, 0, 181 + d) / 31;
    }
    cr_log_info("region 0: %.0f HDD, %.0f kWh/m2, January %.1f C, July %.1f C; north Scotland "
                "%.0f HDD, London %.0f HDD",
                hdd[0], ghi, jan, jul, hdd[1], hdd[12]);
    cr_expect(hdd[0] > 1800 && hdd[0] < 2400, "HDD %.0f", hdd[0]);
    cr_expect(hdd[1] > hdd[12], "north Scotland colder than London");
    cr_expect(ghi > 900 && ghi < 1150, "GHI %.0f kWh/m2", ghi);
    cr_expect(jan > 1 && jan < 7 && jul > 13 && jul < 20, "Jan %.1f, Jul %.1f", jan, jul);
    grid_weather_destroy(w);
}

Test(weather, no_sun_at_night_and_same_seed_gives_same_weather)
{
    grid_weather *a = year_2026(7), *b = year_2026(7), *c = year_2026(8);
    int differ = 0;
    for (uint32_t k = 0; k < 365 * 144; k++) {
        cr_assert_eq(grid_weather_temp_c(a, 5, k), grid_weather_temp_c(b, 5, k));
        cr_assert_eq(grid_weather_irradiance(a, 5, k), grid_weather_irradiance(b, 5, k));
        differ += grid_weather_temp_c(a, 5, k) != grid_weather_temp_c(c, 5, k);
    }
    cr_expect(differ > 1000, "another seed gives other weather");
    /* 00:00-00:10 UTC on 1 January: the sun is far below the horizon. */
    cr_expect_eq(grid_weather_irradiance(a, 0, 0), 0.0f);
    grid_weather_destroy(a);
    grid_weather_destroy(b);
    grid_weather_destroy(c);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/metersim_weather_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

Test(weather, csv_observations_are_interpolated_to_10_minute_slots)
{
    char *path = write_tmp("time,temperature_c,irradiance_w_m2\n"
                           "2026-01-01T00:00:00Z,0,0\n"
                           "2026-01-01T01:00:00Z,6,60\n"
                           "1767232800,12,120\n"); /* 2026-01-01T02:00:00Z */
    grid_weather_params p = {.start_unix = sim_days_from_civil(2026, 1, 1) * SIM_DAY_S,
                             .duration_s = 2 * 3600,
                             .csv = path};
    grid_weather *w;
    char err[256];
    cr_assert_eq(grid_weather_create(&p, &w, err, sizeof err), 0, "%s", err);
    /* slot 0 is centred on 00:05: 0.5 C, 5 W/m2; slot 7 on 01:15: 7.5 C; every region alike */
    cr_expect_float_eq(grid_weather_temp_c(w, 0, 0), 0.5f, 1e-4);
    cr_expect_float_eq(grid_weather_irradiance(w, 0, 0), 5.0f, 1e-4);
    cr_expect_float_eq(grid_weather_temp_c(w, 9, 7), 7.5f, 1e-4);
    grid_weather_destroy(w);
    unlink(path);
}

Test(weather, bad_csv_is_reported_with_file_and_line)
{
    char *path = write_tmp("time,temperature_c,irradiance_w_m2\n"
                           "2026-01-01T00:00:00Z,0,0\n"
                           "2026-01-01T01:00:00Z,warm,60\n");
    grid_weather_params p = {
        .start_unix = sim_days_from_civil(2026, 1, 1) * SIM_DAY_S, .duration_s = 3600, .csv = path};
    grid_weather *w = NULL;
    char err[512], want[128];
    cr_expect_neq(grid_weather_create(&p, &w, err, sizeof err), 0);
    snprintf(want, sizeof want, "%s:3: temperature_c \"warm\"", path);
    cr_expect(strstr(err, want) != NULL, "%s", err);
    unlink(path);

    path = write_tmp("time,temperature_c,irradiance_w_m2\n"
                     "2026-01-01T00:00:00Z,0,0\n"
                     "2026-01-01T00:30:00Z,1,0\n");
    p.csv = path;
    cr_expect_neq(grid_weather_create(&p, &w, err, sizeof err), 0);
    cr_expect(strstr(err, "but the run needs") != NULL, "%s", err);
    unlink(path);

    path = write_tmp("when,temp\n1,2\n");
    p.csv = path;
    cr_expect_neq(grid_weather_create(&p, &w, err, sizeof err), 0);
    cr_expect(strstr(err, ":1: header must name") != NULL, "%s", err);
    unlink(path);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

static grid_weather *week_with(uint32_t regions)
{
    grid_weather_params p = {.seed = 5,
                             .start_unix = sim_days_from_civil(2026, 3, 20) * SIM_DAY_S,
                             .duration_s = 7 * SIM_DAY_S,
                             .regions = regions};
    grid_weather *w;
    char err[256];
    cr_assert_eq(grid_weather_create(&p, &w, err, sizeof err), 0, "%s", err);
    return w;
}

/* Read as households do, a few hours ahead of a release that follows the run, saved after 2.5
 * days and loaded into weather that set-up had read: every region's slots after the save, its
 * own or region 0's, come out bit for bit. */
Test(weather, loaded_weather_goes_on_with_the_saved_series_bit_for_bit)
{
    const uint32_t regions = 1u << 2 | 1u << 9, save = 360, day = 144;
    grid_weather *a = week_with(regions), *b = week_with(regions);
    for (uint32_t k = 0; k < save; k++) {
        for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++)
            (void)grid_weather_temp_c(a, r, k + (r % 4) * 9);
        grid_weather_release(a, k > 30 ? k - 30 : 0);
    }
    for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++)
        (void)grid_weather_irradiance(b, r, 12);

    FILE *f = tmpfile();
    cr_assert_not_null(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    cr_assert_eq(grid_weather_ckpt(a, c), 0, "%s", sim_ckpt_err(c));
    cr_assert_eq(sim_ckpt_close(c), 0);
    rewind(f);
    c = sim_ckpt_open(f, true);
    cr_assert_eq(grid_weather_ckpt(b, c), 0, "%s", sim_ckpt_err(c));
    sim_ckpt_close(c);
    fclose(f);
    cr_assert_eq(grid_weather_bytes(b), grid_weather_bytes(a));

    for (uint32_t k = save - 30; k < save + 3 * day; k++)
        for (unsigned r = 0; r < GRID_WEATHER_REGIONS; r++) {
            float ta = grid_weather_temp_c(a, r, k), tb = grid_weather_temp_c(b, r, k);
            float ia = grid_weather_irradiance(a, r, k), ib = grid_weather_irradiance(b, r, k);
            cr_assert_eq(memcmp(&ta, &tb, sizeof ta), 0, "region %u slot %u", r, k);
            cr_assert_eq(memcmp(&ia, &ib, sizeof ia), 0, "region %u slot %u", r, k);
        }
    cr_assert_eq(grid_weather_bytes(b), grid_weather_bytes(a));
    grid_weather_destroy(a);
    grid_weather_destroy(b);
}

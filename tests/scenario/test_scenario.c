#include "scenario.h"
#include "scenario/sweep.h"
#include "sim/units.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SCENARIO_DATA_DIR
#error "build with -DSCENARIO_DATA_DIR=<tests/scenario/data>"
#endif

/* Every test runs inside the data directory so messages show short relative paths. */
static void enter_data_dir(void)
{
    cr_assert_eq(chdir(SCENARIO_DATA_DIR), 0, "cannot enter %s", SCENARIO_DATA_DIR);
}

TestSuite(scenario, .init = enter_data_dir);

static char err[8192];

static sim_scenario *load_ok(const char *path, const char *const *sets, size_t nsets)
{
    sim_scenario *sc = NULL;
    err[0] = '\0';
    int rc = sim_scenario_load(path, sets, nsets, &sc, err, sizeof err);
    cr_assert_eq(rc, 0, "%s did not load:\n%s", path, err);
    cr_assert_not_null(sc);
    return sc;
}

/* Loads PATH expecting failure; the messages must be exactly EXPECTED. */
static void expect_errors(const char *path, const char *const *sets, size_t nsets,
                          const char *expected)
{
    sim_scenario *sc = (sim_scenario *)&sc;
    err[0] = '\0';
    int rc = sim_scenario_load(path, sets, nsets, &sc, err, sizeof err);
    if (rc == 0) sim_scenario_destroy(sc);
    cr_assert_eq(rc, -1, "%s loaded although it should not", path);
    cr_expect_null(sc);
    cr_expect_str_eq(err, expected);
}

Test(scenario, fills_every_absent_key_with_its_default)
{
    sim_scenario *sc = load_ok("minimal.yaml", NULL, 0);
    cr_expect_str_eq(sc->name, "minimal");
    cr_expect_str_eq(sc->description, "");
    cr_expect_eq(sc->seed, 1);
    cr_expect_eq(sc->start_unix, 1768176000); /* 2026-01-12T00:00:00Z, a Monday */
    cr_expect_eq(sc->duration_s, 7 * 86400);
    cr_expect_eq(sc->households, 1000);
    cr_expect_eq(sc->topology.regions, 1);
    cr_expect_eq(sc->topology.area_households, 500);
    cr_expect_eq(sc->load.model, SIM_LOAD_CREST);
    cr_expect_eq(sc->load.annual_kwh, 2700);
    cr_expect_eq(sc->load.spread, 0.4);
    cr_expect_eq(sc->load.seasonal_amplitude, 0.15);
    cr_expect_eq(sc->load.power_factor, 0.95);
    cr_expect_eq(sc->meter.register_digits, 9);
    cr_expect_eq(sc->wan.read_start_s, 1800);
    cr_expect_eq(sc->wan.read_window_s, 4 * 3600);
    cr_expect_eq(sc->wan.profile_read_bytes, 1024);
    cr_expect_eq(sc->wan.uplink_bps, 2e6);
    cr_expect_eq(sc->wan.uplink_latency_s, 0.1);
    cr_expect_eq(sc->wan.backbone_bps, 1e9);
    cr_expect_eq(sc->wan.backbone_latency_s, 0.01);
    cr_expect(sc->trace.events);
    cr_expect_eq(sc->trace.compression, 4);
    cr_expect_eq(sc->trace.chunk_households, 1024);
    cr_expect_str_eq(sc->source_path, "minimal.yaml");
    sim_scenario_destroy(sc);
}

Test(scenario, resolves_to_every_key_in_natural_units)
{
    sim_scenario *sc = load_ok("minimal.yaml", NULL, 0);
    cr_expect_str_eq(sc->resolved_yaml,
                     "# resolved by metersim from minimal.yaml\n"
                     "name: \"minimal\"\n"
                     "description: \"\"\n"
                     "seed: 1\n"
                     "start: 2026-01-12\n"
                     "duration: 7 d\n"
                     "households: 1000\n"
                     "suppliers:\n"
                     "  - name: \"supplier\"\n"
                     "    share: 100 %\n"
                     "    smets1_operator: foc\n"
                     "    smets1_headend:\n"
                     "      servers: 4\n"
                     "      queue_capacity: 5000\n"
                     "    tariffs:\n"
                     "      flat: 100 %\n"
                     "      e7: 0 %\n"
                     "      tou: 0 %\n"
                     "      agile: 0 %\n"
                     "      rtp: 0 %\n"
                     "      block: 0 %\n"
                     "      hybrid: 0 %\n"
                     "    block:\n"
                     "      thresholds: \"\"\n"
                     "      prices: \"\"\n"
                     "      period: day\n"
                     "topology:\n"
                     "  regions: \"1\"\n"
                     "  area_households: 500\n"
                     "  lv_customers: 70\n"
                     "  lv_customers_cv: 80 %\n"
                     "  primary_customers: 6000\n"
                     "  hv_feeders_per_primary: 8\n"
                     "  lv_feeders: 4\n"
                     "  flat_share: 20 %\n"
                     "load:\n"
                     "  model: crest\n"
                     "  annual: 2700 kWh/yr\n"
                     "  spread: 40 %\n"
                     "  seasonal_amplitude: 15 %\n"
                     "  power_factor: 0.95\n"
                     "  gas:\n"
                     "    annual: 11500 kWh/yr\n"
                     "    share: 85 %\n"
                     "  heat_pump:\n"
                     "    share: 1.5 %\n"
                     "  pv:\n"
                     "    share: 6.5 %\n"
                     "    kwp_median: 3.5\n"
                     "  ev:\n"
                     "    share: 4.7 %\n"
                     "    charger_power: 7 kW\n"
                     "    kwh_per_day: 7\n"
                     "    smart_share: 0 %\n"
                     "  dr:\n"
                     "    engaged_share: 0 %\n"
                     "    response: 2\n"
                     "    horizon: 12 h\n"
                     "  feedback:\n"
                     "    enabled: false\n"
                     "    cut: 19 %\n"
                     "    tau: 14 d\n"
                     "    installed_before: 0 s\n"
                     "  festive_share: 75 %\n"
                     "  clock_bst: true\n"
                     "weather:\n"
                     "  latitude: 52.5\n"
                     "  csv: \"\"\n"
                     "prices:\n"
                     "  tariff: flat\n"
                     "  national_households: 28000000\n"
                     "fleet:\n"
                     "  populations:\n"
                     "    - name: \"smets2\"\n"
                     "      share: 24.4 %\n"
                     "      count: 0\n"
                     "      generation: smets2\n"
                     "      firmware: \"\"\n"
                     "      supplier: \"\"\n"
                     "      regions: \"all\"\n"
                     "      tariff: default\n"
                     "      prepayment_share: -100 %\n"
                     "      dr_engaged_share: -100 %\n"
                     "      adopted_share: 0 %\n"
                     "      dumb_share: 0 %\n"
                     "    - name: \"smets1\"\n"
                     "      share: 24.9 %\n"
                     "      count: 0\n"
                     "      generation: smets1\n"
                     "      firmware: \"\"\n"
                     "      supplier: \"\"\n"
                     "      regions: \"all\"\n"
                     "      tariff: default\n"
                     "      prepayment_share: -100 %\n"
                     "      dr_engaged_share: -100 %\n"
                     "      adopted_share: 0 %\n"
                     "      dumb_share: 0 %\n"
                     "    - name: \"traditional\"\n"
                     "      share: 50.7 %\n"
                     "      count: 0\n"
                     "      generation: traditional\n"
                     "      firmware: \"\"\n"
                     "      supplier: \"\"\n"
                     "      regions: \"all\"\n"
                     "      tariff: flat\n"
                     "      prepayment_share: -100 %\n"
                     "      dr_engaged_share: -100 %\n"
                     "      adopted_share: 0 %\n"
                     "      dumb_share: 0 %\n"
                     "  national_households: 28000000\n"
                     "migration:\n"
                     "  enabled: false\n"
                     "  start:\n"
                     "    ioc: 2019-05-26\n"
                     "    moc: 2019-09-30\n"
                     "    foc: 2019-12-12\n"
                     "  capacity:\n"
                     "    - from: 2019-05-26\n"
                     "      per_day: 270\n"
                     "    - from: 2020-02-01\n"
                     "      per_day: 1000\n"
                     "    - from: 2020-04-01\n"
                     "      per_day: 11200\n"
                     "    - from: 2021-03-01\n"
                     "      per_day: 11300\n"
                     "    - from: 2021-08-01\n"
                     "      per_day: 8700\n"
                     "    - from: 2021-11-01\n"
                     "      per_day: 12000\n"
                     "    - from: 2022-01-01\n"
                     "      per_day: 21600\n"
                     "    - from: 2022-02-01\n"
                     "      per_day: 7000\n"
                     "    - from: 2022-05-01\n"
                     "      per_day: 10000\n"
                     "    - from: 2022-06-01\n"
                     "      per_day: 5200\n"
                     "    - from: 2022-07-01\n"
                     "      per_day: 8500\n"
                     "    - from: 2022-11-07\n"
                     "      per_day: 5500\n"
                     "  failure:\n"
                     "    no_wan_before: 4 %\n"
                     "    no_wan_during: 2 %\n"
                     "    missing_keys: 3.3 %\n"
                     "  max_attempts: 5\n"
                     "  translation_latency: 2 s\n"
                     "  request_size: 4 KiB\n"
                     "installs:\n"
                     "  enabled: false\n"
                     "  schedule:\n"
                     "    - from: 2018-01-01\n"
                     "      per_year: 110000\n"
                     "    - from: 2019-01-01\n"
                     "      per_year: 1470000\n"
                     "    - from: 2020-01-01\n"
                     "      per_year: 2000000\n"
                     "    - from: 2021-01-01\n"
                     "      per_year: 2400000\n"
                     "    - from: 2022-01-01\n"
                     "      per_year: 2370000\n"
                     "    - from: 2023-01-01\n"
                     "      per_year: 2400000\n"
                     "    - from: 2024-01-01\n"
                     "      per_year: 2060000\n"
                     "  population: \"smets2\"\n"
                     "  smets1_share: 0 %\n"
                     "  supply_off: 20 min\n"
                     "  commissioning_size: 4 KiB\n"
                     "switching:\n"
                     "  enabled: false\n"
                     "  schedule:\n"
                     "    - from: 2017-01-01\n"
                     "      per_year: 5500000\n"
                     "    - from: 2018-01-01\n"
                     "      per_year: 5800000\n"
                     "    - from: 2019-01-01\n"
                     "      per_year: 6300000\n"
                     "    - from: 2020-01-01\n"
                     "      per_year: 6200000\n"
                     "    - from: 2021-01-01\n"
                     "      per_year: 5000000\n"
                     "    - from: 2022-01-01\n"
                     "      per_year: 1300000\n"
                     "    - from: 2023-01-01\n"
                     "      per_year: 2300000\n"
                     "    - from: 2024-01-01\n"
                     "      per_year: 2700000\n"
                     "  smets1_kept_smart: 45 %\n"
                     "firmware_campaigns: []\n"
                     "commands: []\n"
                     "attack: []\n"
                     "faults:\n"
                     "  enabled: false\n"
                     "  rate: 2 %\n"
                     "  repair_mean: 365 d\n"
                     "meter:\n"
                     "  firmware: \"\"\n"
                     "  register_digits: 9\n"
                     "  restore_dither: 2 min\n"
                     "  save_interrupted: 0 %\n"
                     "  prepayment_share: 13 %\n"
                     "  remote_topup_share: 50 %\n"
                     "  prepayment:\n"
                     "    initial_credit: 30 GBP\n"
                     "    low_credit: 2 GBP\n"
                     "    emergency_credit: 10 GBP\n"
                     "    emergency_below: 1 GBP\n"
                     "    topup_below: 5 GBP\n"
                     "    topup_amount: 20 GBP\n"
                     "    topup_within: 16 h\n"
                     "outages:\n"
                     "  background: true\n"
                     "  interruptions_per_year: 0.333\n"
                     "  mean_duration: 1 h\n"
                     "  duration_sigma: 1\n"
                     "  share_hv: 55 %\n"
                     "  share_lv_substation: 15 %\n"
                     "  share_lv_feeder: 30 %\n"
                     "  cold_load:\n"
                     "    gain: 100 %\n"
                     "    full_after: 4 h\n"
                     "    decay: 1 h\n"
                     "storm:\n"
                     "  enabled: false\n"
                     "  start: 1 h\n"
                     "  onset: 6 h\n"
                     "  regions: \"all\"\n"
                     "  share: 30 %\n"
                     "  fast_share: 87 %\n"
                     "  fast_median: 5 h\n"
                     "  tail_median: 3 d\n"
                     "  sigma: 0.8\n"
                     "wan:\n"
                     "  read_start: \"00:30\"\n"
                     "  read_window: 4 h\n"
                     "  profile_read_size: 1 KiB\n"
                     "  uplink:\n"
                     "    bandwidth: 2 Mbit/s\n"
                     "    latency: 100 ms\n"
                     "  backbone:\n"
                     "    bandwidth: 1 Gbit/s\n"
                     "    latency: 10 ms\n"
                     "  technology: model\n"
                     "  max_flows: 8\n"
                     "  ad1_delay: 3 min\n"
                     "  retry:\n"
                     "    timeout: 25 s\n"
                     "    max_attempts: 5\n"
                     "  outage_alert_size: 200 B\n"
                     "  price_delivery: auto\n"
                     "  command_overhead: 64 B\n"
                     "  response_size: 128 B\n"
                     "han:\n"
                     "  dual_band_share: 50 %\n"
                     "headend:\n"
                     "  servers: 16\n"
                     "  queue_capacity: 20000\n"
                     "  discipline: fifo\n"
                     "  alert_service: 50 ms\n"
                     "  ondemand_reads: 0\n"
                     "  read_service: 200 ms\n"
                     "  dno_delay: 0 s\n"
                     "  anomaly:\n"
                     "    enabled: false\n"
                     "    window: 1 h\n"
                     "    critical_per_user: 1000\n"
                     "    critical_system: 0\n"
                     "    commands_per_user: 0\n"
                     "    commands_system: 0\n"
                     "    quarantine: 1 d\n"
                     "  throttle:\n"
                     "    enabled: false\n"
                     "    system_rate: 0\n"
                     "    system_burst: 100\n"
                     "    burst: 100\n"
                     "    alert_outage: 0\n"
                     "    alert_restore: 0\n"
                     "    supply_switch: 0\n"
                     "    topup: 0\n"
                     "    ondemand_read: 0\n"
                     "    mode_change: 0\n"
                     "    tariff_update: 0\n"
                     "    profile_read: 0\n"
                     "    commissioning: 0\n"
                     "    migration: 0\n"
                     "    firmware: 0\n"
                     "    alert_other: 0\n"
                     "trace:\n"
                     "  events: true\n"
                     "  compression: 4\n"
                     "  chunk_households: 1024\n"
                     "  firmware_log: \"\"\n");
    sim_scenario_destroy(sc);
}

/* Writes TEXT to a fresh temporary file and returns its malloc'd path. */
static char *temp_file(const char *text, size_t len)
{
    char *path = strdup("/tmp/metersim-scenario-XXXXXX");
    cr_assert_not_null(path);
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void assert_same_scenario(const sim_scenario *a, const sim_scenario *b)
{
    cr_expect_str_eq(a->name, b->name);
    cr_expect_str_eq(a->description, b->description);
    cr_expect_eq(a->seed, b->seed);
    cr_expect_eq(a->start_unix, b->start_unix);
    cr_expect_eq(a->duration_s, b->duration_s);
    cr_expect_eq(a->households, b->households);
    cr_expect_eq(a->topology.regions, b->topology.regions);
    cr_expect_eq(a->topology.area_households, b->topology.area_households);
    cr_expect_eq(a->load.model, b->load.model);
    cr_expect_eq(a->load.annual_kwh, b->load.annual_kwh);
    cr_expect_eq(a->load.spread, b->load.spread);
    cr_expect_eq(a->load.seasonal_amplitude, b->load.seasonal_amplitude);
    cr_expect_eq(a->load.power_factor, b->load.power_factor);
    cr_expect_eq(a->meter.register_digits, b->meter.register_digits);
    cr_expect_eq(a->wan.read_start_s, b->wan.read_start_s);
    cr_expect_eq(a->wan.read_window_s, b->wan.read_window_s);
    cr_expect_eq(a->wan.profile_read_bytes, b->wan.profile_read_bytes);
    cr_expect_eq(a->wan.uplink_bps, b->wan.uplink_bps);
    cr_expect_eq(a->wan.uplink_latency_s, b->wan.uplink_latency_s);
    cr_expect_eq(a->wan.backbone_bps, b->wan.backbone_bps);
    cr_expect_eq(a->wan.backbone_latency_s, b->wan.backbone_latency_s);
    cr_expect_eq(a->trace.events, b->trace.events);
    cr_expect_eq(a->trace.compression, b->trace.compression);
    cr_expect_eq(a->trace.chunk_households, b->trace.chunk_households);
    /* Both were calloc'd and written field by field, so padding is zero in both. */
    cr_expect_eq(memcmp(a, b, offsetof(sim_scenario, source_path)), 0);
}

/* The resolved text of PATH, loaded again, gives the same struct and the same text. */
static void check_round_trip(const char *path, const char *const *sets, size_t nsets)
{
    sim_scenario *first = load_ok(path, sets, nsets);
    char *copy = temp_file(first->resolved_yaml, strlen(first->resolved_yaml));
    sim_scenario *second = load_ok(copy, NULL, 0);
    assert_same_scenario(first, second);
    const char *body1 = strchr(first->resolved_yaml, '\n');
    const char *body2 = strchr(second->resolved_yaml, '\n');
    cr_assert(body1 && body2);
    cr_expect_str_eq(body2, body1);
    unlink(copy);
    free(copy);
    sim_scenario_destroy(first);
    sim_scenario_destroy(second);
}

Test(scenario, resolved_text_of_the_defaults_loads_back_to_the_same_struct)
{
    check_round_trip("minimal.yaml", NULL, 0);
}

Test(scenario, resolved_text_of_unusual_values_loads_back_to_the_same_struct)
{
    sim_scenario *sc = load_ok("full.yaml", NULL, 0);
    cr_expect_str_eq(sc->description, "quotes \" and a tab\tinside, ünïcode");
    cr_expect_eq(sc->seed, UINT64_C(9223372036854775807));
    cr_expect_eq(sc->start_unix, 1782887400); /* 2026-07-01T06:30:00Z */
    cr_expect_eq(sc->duration_s, 5400);
    cr_expect_eq(sc->load.annual_kwh, 4100);
    cr_expect_eq(sc->load.spread, 0.123);
    cr_expect_eq(sc->wan.read_start_s, 6 * 3600 + 30 * 60 + 15);
    cr_expect_eq(sc->wan.uplink_bps, 250e3);
    cr_expect_eq(sc->wan.uplink_latency_s, 0.0125);
    cr_expect_eq(sc->wan.backbone_bps, 2.5e9);
    cr_expect_not(sc->trace.events);
    cr_expect(strstr(sc->resolved_yaml, "\nstart: 2026-07-01T06:30:00Z\n"));
    cr_expect(strstr(sc->resolved_yaml, "\n  spread: 12.3 %\n"));
    cr_expect(strstr(sc->resolved_yaml, "\n  read_window: 90 min\n"));
    cr_expect(strstr(sc->resolved_yaml, "\n    bandwidth: 250 kbit/s\n"));
    cr_expect(strstr(sc->resolved_yaml, "\n    bandwidth: 2500 Mbit/s\n"));
    cr_expect(strstr(sc->resolved_yaml, "\n    latency: 12.5 ms\n"));
    sim_scenario_destroy(sc);
    check_round_trip("full.yaml", NULL, 0);
    const char *sets[] = {"load.spread=1.0e-3 %", "wan.uplink.latency=0.333 s",
                          "load.power_factor=0.7000000000000001"};
    check_round_trip("full.yaml", sets, 3);
}

Test(scenario, reports_a_yaml_syntax_error_at_libyamls_problem_mark)
{
    expect_errors("syntax.yaml", NULL, 0,
                  "syntax.yaml:3:9: syntax error: did not find expected ',' or ']' (while "
                  "parsing a flow sequence that started at 2:13)");
}

Test(scenario, suggests_the_nearest_valid_key_for_an_unknown_one)
{
    expect_errors("unknown_keys.yaml", NULL, 0,
                  "unknown_keys.yaml:5:3: load.anual: unknown key; did you mean \"load.annual\"?\n"
                  "unknown_keys.yaml:6:1: wna: unknown key; did you mean \"wan\"?\n"
                  "unknown_keys.yaml:8:1: spread: unknown key; did you mean \"load.spread\"?\n"
                  "unknown_keys.yaml:9:1: zzzz: unknown key; expected one of: extends, name, "
                  "description, seed, start, duration, households, suppliers, topology, load, "
                  "weather, prices, fleet, migration, installs, switching, firmware_campaigns, "
                  "commands, attack, faults, meter, outages, storm, wan, han, headend, trace");
}

Test(scenario, reports_values_of_the_wrong_type_where_they_are_written)
{
    expect_errors(
        "types.yaml", NULL, 0,
        "types.yaml:3:3: households: expected an integer, got a mapping\n"
        "types.yaml:4:11: duration: expected a duration such as \"30 min\", got a sequence\n"
        "types.yaml:5:7: seed: expected an integer, got \"12.5\"\n"
        "types.yaml:7:11: trace.events: expected true or false, got \"yes\"\n"
        "types.yaml:8:16: trace.compression: expected an integer, got the quoted string \"4\"\n"
        "types.yaml:9:7: load: expected a mapping with keys model, annual, spread, "
        "seasonal_amplitude, power_factor, gas, heat_pump, pv, ev, dr, feedback, festive_share, "
        "clock_bst, got a scalar");
}

Test(scenario, reports_missing_required_keys_at_the_enclosing_mapping)
{
    expect_errors("missing.yaml", NULL, 0,
                  "missing.yaml:2:1: name: missing required key (a name, 1..63 characters of A-Z "
                  "a-z 0-9 _ . -)\n"
                  "missing.yaml:2:1: duration: missing required key (a duration such as \"30 "
                  "min\", 30 min..3660 d, a multiple of 30 min)\n"
                  "missing.yaml:2:1: households: missing required key (an integer, 1..50000000)");
}

Test(scenario, reports_out_of_range_values_with_the_range_in_units)
{
    expect_errors("range.yaml", NULL, 0,
                  "range.yaml:2:13: households: 50000001 is out of range (1..50000000)\n"
                  "range.yaml:3:11: duration: \"3661 d\" is out of range (30 min..3660 d, a "
                  "multiple of 30 min)\n"
                  "range.yaml:5:12: topology.regions: \"15\": 15 is out of range: the first 1..14 "
                  "licence areas, or a list\n"
                  "range.yaml:7:17: load.power_factor: 0.4 is out of range (0.5..1)\n"
                  "range.yaml:8:11: load.spread: \"250 %\" is out of range (0 %..200 %)\n"
                  "range.yaml:10:16: wan.read_window: \"25 h\" is out of range (0 s..1 d)");
}

Test(scenario, reports_malformed_units_with_the_kind_expected_and_an_example)
{
    expect_errors(
        "units_bad.yaml", NULL, 0,
        "units_bad.yaml:3:11: duration: expected a duration such as \"30 min\"; unknown unit "
        "\"mins\"\n"
        "units_bad.yaml:5:11: load.annual: expected an energy per year such as \"2700 kWh/yr\"; "
        "unknown unit \"kWh\"\n"
        "units_bad.yaml:7:22: wan.profile_read_size: expected a data size such as \"1 KiB\"; "
        "unknown unit \"KB\"\n"
        "units_bad.yaml:8:15: wan.read_start: expected a time of day such as \"00:30\" or "
        "\"06:30:15\"; \"25:00\" is not a time between 00:00 and 23:59:59\n"
        "units_bad.yaml:10:16: wan.uplink.bandwidth: expected a bit rate such as \"2 Mbit/s\"; "
        "\"fast\" does not start with a number\n"
        "units_bad.yaml:11:8: start: expected a UTC date such as \"2026-01-12\" or "
        "\"2026-01-12T06:30:00Z\"; \"12/01/2026\" is not YYYY-MM-DD");
}

Test(scenario, stops_after_twenty_errors)
{
    sim_scenario *sc = NULL;
    cr_assert_eq(sim_scenario_load("many_errors.yaml", NULL, 0, &sc, err, sizeof err), -1);
    int lines = 1;
    for (const char *p = err; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 20);
    cr_expect(strncmp(err, "many_errors.yaml:1:1: bogus00: unknown key", 42) == 0, "%s", err);
}

Test(scenario, overrides_an_extended_base_key_by_key)
{
    sim_scenario *sc = load_ok("child.yaml", NULL, 0);
    cr_expect_str_eq(sc->name, "child");           /* child */
    cr_expect_eq(sc->households, 100);             /* base, over root's 5 */
    cr_expect_eq(sc->seed, 7);                     /* root, two levels down */
    cr_expect_eq(sc->trace.compression, 9);        /* root */
    cr_expect_eq(sc->duration_s, 86400);           /* base */
    cr_expect_eq(sc->load.annual_kwh, 3000);       /* base, sibling of an override */
    cr_expect_eq(sc->load.spread, 0.1);            /* child over base */
    cr_expect_eq(sc->wan.uplink_bps, 10e6);        /* base, deep sibling */
    cr_expect_eq(sc->wan.uplink_latency_s, 0.02);  /* child over base, deep */
    cr_expect_eq(sc->wan.read_window_s, 4 * 3600); /* default */
    cr_expect_str_eq(sc->source_path, "child.yaml");
    cr_expect(strstr(sc->resolved_yaml, "# resolved by metersim from child.yaml\n") ==
              sc->resolved_yaml);
    cr_expect_null(strstr(sc->resolved_yaml, "extends"));
    sim_scenario_destroy(sc);
}

Test(scenario, points_errors_inside_a_base_file_into_that_file)
{
    expect_errors("child_of_bad.yaml", NULL, 0,
                  "bases/bad_base.yaml:2:13: households: expected an integer, got \"lots\"\n"
                  "bases/bad_base.yaml:5:3: wan.uplnk: unknown key; did you mean \"wan.uplink\"?");
}

Test(scenario, detects_an_extends_cycle)
{
    expect_errors("cycle_a.yaml", NULL, 0,
                  "cycle_b.yaml:1:10: extends: cycle: cycle_a.yaml -> cycle_b.yaml -> "
                  "cycle_a.yaml");
}

Test(scenario, reports_a_missing_or_malformed_extends_at_the_extends_value)
{
    expect_errors("extends_missing.yaml", NULL, 0,
                  "extends_missing.yaml:2:10: extends: cannot open nowhere.yaml: No such file or "
                  "directory");
    expect_errors("extends_type.yaml", NULL, 0,
                  "extends_type.yaml:2:3: extends: expected a file name, got a mapping");
}

Test(scenario, keeps_only_the_last_of_several_values_for_one_key)
{
    /* Overrides replace values before validation: only the value in force is checked. */
    const char *sets[] = {"seed=abc", "seed=5"};
    sim_scenario *sc = load_ok("minimal.yaml", sets, 2);
    cr_expect_eq(sc->seed, 5);
    sim_scenario_destroy(sc);
}

Test(scenario, applies_set_overrides_after_extends)
{
    const char *sets[] = {"households=5",
                          "load.spread=5%",
                          "wan.uplink.bandwidth=\"1 Gbps\"",
                          "description=hello world",
                          "trace.events=false",
                          "load.spread=7 %"};
    sim_scenario *sc = load_ok("child.yaml", sets, 6);
    cr_expect_eq(sc->households, 5);
    cr_expect_eq(sc->load.spread, 0.07); /* the later --set wins */
    cr_expect_eq(sc->wan.uplink_bps, 1e9);
    cr_expect_eq(sc->wan.uplink_latency_s, 0.02);
    cr_expect_str_eq(sc->description, "hello world");
    cr_expect_not(sc->trace.events);
    sim_scenario_destroy(sc);
}

Test(scenario, reports_set_errors_at_their_column_in_the_argument)
{
    const char *sets[] = {
        "load.anual=3000 kWh/yr", "households=many", "duration=45 min",     "nothing",
        "wan.uplink=5",           "seed=[1",         "extends=minimal.yaml"};
    expect_errors("minimal.yaml", sets, 7,
                  "--set:1:1: load.anual: unknown key; did you mean \"load.annual\"?\n"
                  "--set:1:12: households: expected an integer, got \"many\"\n"
                  "--set:1:10: duration: \"45 min\" is not a whole number of 30 min settlement "
                  "periods\n"
                  "--set:1:1: nothing: expected key.path=value\n"
                  "--set:1:1: wan.uplink: is a mapping; set one of its keys: bandwidth, latency\n"
                  "--set:1:8: seed: did not find expected ',' or ']' (while parsing a flow "
                  "sequence that started at 1:6)\n"
                  "--set:1:1: extends: cannot be given with --set; write it in the file");
}

Test(scenario, reports_a_missing_file_with_strerror)
{
    expect_errors("no_such_file.yaml", NULL, 0,
                  "no_such_file.yaml: cannot open: No such file or directory");
}

Test(scenario, rejects_documents_that_are_not_a_mapping)
{
    expect_errors("scalar.yaml", NULL, 0,
                  "scalar.yaml:1:1: scenario: expected a mapping of keys such as \"name: demo\", "
                  "got a scalar");
    expect_errors("sequence.yaml", NULL, 0,
                  "sequence.yaml:1:1: scenario: expected a mapping of keys such as \"name: "
                  "demo\", got a sequence");
    expect_errors("two_docs.yaml", NULL, 0,
                  "two_docs.yaml:2:1: syntax error: a second YAML document; a scenario is one "
                  "document (use extends: to share keys)");
}

Test(scenario, treats_an_empty_file_as_a_scenario_without_keys)
{
    expect_errors("empty.yaml", NULL, 0,
                  "empty.yaml:1:1: name: missing required key (a name, 1..63 characters of A-Z "
                  "a-z 0-9 _ . -)\n"
                  "empty.yaml:1:1: duration: missing required key (a duration such as \"30 "
                  "min\", 30 min..3660 d, a multiple of 30 min)\n"
                  "empty.yaml:1:1: households: missing required key (an integer, 1..50000000)");
}

Test(scenario, reports_a_key_given_twice)
{
    expect_errors("duplicate.yaml", NULL, 0,
                  "duplicate.yaml:2:1: name: duplicate key (first given at 1:1)");
}

Test(scenario, follows_aliases_to_earlier_anchors)
{
    sim_scenario *sc = load_ok("aliases.yaml", NULL, 0);
    cr_expect_eq(sc->topology.area_households, 64);
    cr_expect_eq(sc->wan.backbone_bps, 5e6);
    cr_expect_eq(sc->wan.backbone_latency_s, 0.005);
    sim_scenario_destroy(sc);
    expect_errors("bad_alias.yaml", NULL, 0,
                  "bad_alias.yaml:2:13: syntax error: alias *nope refers to no anchor defined "
                  "before it (or to a collection that contains it)");
}

Test(scenario, rejects_a_file_that_is_not_utf8)
{
    static const char text[] = "name: caf\xff\nhouseholds: 1\nduration: 1 d\n";
    char *path = temp_file(text, sizeof text - 1);
    char expected[256];
    snprintf(expected, sizeof expected,
             "%s:1:10: syntax error: invalid leading UTF-8 octet (byte 0xFF); a scenario must "
             "be UTF-8",
             path);
    expect_errors(path, NULL, 0, expected);
    unlink(path);
    free(path);
}

Test(scenario, checks_names_seeds_and_settlement_periods)
{
    const char *bad[] = {"name=has space", "seed=9223372036854775808", "duration=0 s"};
    expect_errors("minimal.yaml", bad, 3,
                  "--set:1:6: name: \"has space\" may only contain A-Z a-z 0-9 _ . - (it names "
                  "output files)\n"
                  "--set:1:6: seed: 9223372036854775808 is out of range "
                  "(0..9223372036854775807)\n"
                  "--set:1:10: duration: \"0 s\" is out of range (30 min..3660 d, a multiple of 30 "
                  "min)");
    const char *negative[] = {"seed=-1"};
    expect_errors("minimal.yaml", negative, 1,
                  "--set:1:6: seed: -1 is out of range (0..9223372036854775807)");
    const char *good[] = {"seed=0", "duration=400 d", "name=a.b-c_D9"};
    sim_scenario *sc = load_ok("minimal.yaml", good, 3);
    cr_expect_eq(sc->seed, 0);
    cr_expect_eq(sc->duration_s, 400 * 86400);
    cr_expect_str_eq(sc->name, "a.b-c_D9");
    sim_scenario_destroy(sc);
    char name64[5 + 64 + 1] = "name=";
    memset(name64 + 5, 'x', 64);
    name64[5 + 64] = '\0';
    const char *long_name[] = {name64};
    expect_errors("minimal.yaml", long_name, 1,
                  "--set:1:6: name: must be 1..63 characters of A-Z a-z 0-9 _ . -");
}

Test(scenario, requires_the_start_on_a_settlement_period_boundary)
{
    const char *off[] = {"start=2026-01-12T00:10:00Z"};
    expect_errors("minimal.yaml", off, 1,
                  "--set:1:7: start: \"2026-01-12T00:10:00Z\" is not on a settlement period "
                  "boundary (:00 or :30 UTC)");
    const char *on[] = {"start=2026-01-12T17:30:00Z"};
    sim_scenario *sc = load_ok("minimal.yaml", on, 1);
    cr_expect_eq(sc->start_unix % 1800, 0);
    sim_scenario_destroy(sc);
}

Test(scenario, survives_junk_without_crashing)
{
    static const char *const junk[] = {
        "a: *b\n",
        "? [a, {b: c}]\n: d\n",
        "name: [\n",
        "\"\\0\": 1\nname: \"a\\0b\"\n",
        "load: {annual: 1e309 kWh/yr, spread: -0 %, model: 5}\nhouseholds: 99999999999999999999\n",
        "&a [*a]\n",
        "%YAML 1.1\n--- !!map\nname: !!str x\n...\n",
        "name: x\nhouseholds: 1\nduration: 1 d\nwan: {uplink: {bandwidth: {a: [1, {b: 2}]}}}\n",
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        char *path = temp_file(junk[i], strlen(junk[i]));
        sim_scenario *sc = NULL;
        int rc = sim_scenario_load(path, NULL, 0, &sc, err, sizeof err);
        cr_expect_eq(rc, -1, "junk %zu loaded", i);
        cr_expect_neq(err[0], '\0', "junk %zu gave no message", i);
        sim_scenario_destroy(sc);
        unlink(path);
        free(path);
    }
    /* Deep nesting, and a message buffer too small for even one line. */
    size_t n = 100000;
    char *deep = malloc(n + 4);
    cr_assert_not_null(deep);
    memcpy(deep, "a: ", 3);
    memset(deep + 3, '[', n);
    deep[n + 3] = '\0';
    char *path = temp_file(deep, strlen(deep));
    char tiny[8];
    sim_scenario *sc = NULL;
    cr_expect_eq(sim_scenario_load(path, NULL, 0, &sc, tiny, sizeof tiny), -1);
    cr_expect_eq(strlen(tiny), 7);
    cr_expect_eq(sim_scenario_load(path, NULL, 0, &sc, NULL, 0), -1);
    unlink(path);
    free(path);
    free(deep);
    cr_expect_eq(sim_scenario_load(NULL, NULL, 0, &sc, err, sizeof err), -1);
}

Test(scenario, documents_every_key_in_the_reference_table)
{
    char *md = NULL;
    cr_assert_eq(sim_scenario_reference(&md), 0);
    cr_assert_not_null(md);
    cr_expect(strncmp(md, "| Key | Type | Default | Range | Description |\n", 46) == 0);
    cr_expect(strstr(md, "| `wan.uplink.bandwidth` | bit rate | `2 Mbit/s` | 1 bit/s..100 Gbit/s "
                         "| Bandwidth of each area's uplink (wan.technology: uniform) |\n"));
    cr_expect(strstr(md, "| `duration` | duration | required | 30 min..3660 d, a multiple of 30 "
                         "min |"));
    cr_expect(strstr(md, "| `extends` | string | none |"));
    int rows = 0;
    for (const char *p = md; (p = strstr(p, "\n| `")); p++)
        rows++;
    cr_expect_eq(rows, 229);
    free(md);
}

/* PATH's sweep, of FORM with POINTS points. */
static sim_scenario *load_sweep(const char *path, sim_sweep_form form, size_t points)
{
    sim_scenario *sc = load_ok(path, NULL, 0);
    cr_expect_eq(sc->sweep.form, form);
    cr_assert_eq(sc->sweep.n_points, points);
    return sc;
}

static void expect_sweep_path(const sim_sweep *sw, size_t p, const char *out, const char *want)
{
    char buf[256];
    cr_assert_eq(sim_sweep_path(sw, p, out, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, want);
}

Test(scenario, expands_a_sweep_into_one_value_per_run)
{
    sim_scenario *sc = load_sweep("sweep.yaml", SIM_SWEEP_ONE, 3);
    cr_expect_str_eq(sc->sweep.axis[0].key, "meter.restore_dither");
    cr_expect_str_eq(sc->sweep.axis[0].values[0], "0 s");
    cr_expect_str_eq(sc->sweep.axis[0].values[2], "5 min");
    expect_sweep_path(&sc->sweep, 1, "res/a.b/out.h5", "res/a.b/out-2min.h5");
    expect_sweep_path(&sc->sweep, 2, "res/a.b/out", "res/a.b/out-5min");
    char path[8];
    cr_expect_eq(sim_sweep_path(&sc->sweep, 2, "out.h5", path, sizeof path), -1);
    sim_scenario_destroy(sc);
    sc = load_ok("minimal.yaml", NULL, 0);
    cr_expect_eq(sc->sweep.n_points, 0);
    sim_scenario_destroy(sc);
}

Test(scenario, runs_a_grid_with_the_last_key_fastest)
{
    sim_scenario *sc = load_sweep("sweep_grid.yaml", SIM_SWEEP_GRID, 6);
    static const char *const want[6][2] = {{"10", "0 s"}, {"10", "2 min"}, {"10", "5 min"},
                                           {"20", "0 s"}, {"20", "2 min"}, {"20", "5 min"}};
    for (size_t p = 0; p < 6; p++)
        for (size_t k = 0; k < 2; k++)
            cr_expect_str_eq(sim_sweep_value(&sc->sweep, p, k), want[p][k], "point %zu key %zu", p, k);
    char buf[256];
    cr_assert_eq(sim_sweep_set(&sc->sweep, 4, 1, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, "meter.restore_dither=2 min");
    expect_sweep_path(&sc->sweep, 4, "r/x.h5", "r/x-households=20,restore_dither=2min.h5");
    sim_scenario_destroy(sc);
}

Test(scenario, runs_a_zip_with_the_values_together)
{
    sim_scenario *sc = load_sweep("sweep_zip.yaml", SIM_SWEEP_ZIP, 3);
    cr_expect_str_eq(sim_sweep_value(&sc->sweep, 2, 0), "3");
    cr_expect_str_eq(sim_sweep_value(&sc->sweep, 2, 1), "30");
    expect_sweep_path(&sc->sweep, 1, "x.h5", "x-seed=2,households=20.h5");
    sim_scenario_destroy(sc);
}

Test(scenario, names_a_key_in_full_when_two_share_their_last_part)
{
    sim_sweep sw = {.form = SIM_SWEEP_ZIP, .n_keys = 2, .n_points = 1};
    sw.axis[0] = (sim_sweep_axis){.key = "wan.read_window", .n = 1, .values = {"2 h"}};
    sw.axis[1] = (sim_sweep_axis){.key = "storm.read_window", .n = 1, .values = {"1 h"}};
    expect_sweep_path(&sw, 0, "x.h5", "x-wan.read_window=2h,storm.read_window=1h.h5");
}

Test(scenario, reports_grid_and_zip_errors_at_the_list_or_key)
{
    static const char *const cases[][2] = {
        {"sweep_zip_lengths.yaml",
         "sweep_zip_lengths.yaml:8:33: sweep.zip[1].values: 2 values, but sweep.zip[0] has 3; zip "
         "runs the i-th values together, so every list needs the same length"},
        {"sweep_grid_twice.yaml",
         "sweep_grid_twice.yaml:9:13: sweep.grid[2].key: \"seed\" is swept twice (first given at 7:13)"},
        {"sweep_grid_bad.yaml",
         "sweep_grid_bad.yaml:8:13: sweep.grid[1].key: \"extends\" is not a scenario key that can "
         "be swept\nsweep_grid_bad.yaml:9:13: sweep.grid[2].key: \"sweep\" is not a scenario key "
         "that can be swept\nsweep_grid_bad.yaml:10:38: households: -3 is out of range "
         "(1..50000000)"},
        {"sweep_grid_big.yaml", "sweep_grid_big.yaml:9:13: sweep.grid[2].key: the grid has 20000 "
                                "points up to this key, more than 10000"},
        {"sweep_forms.yaml",
         "sweep_forms.yaml:6:3: sweep: give only one of key and values, grid, or zip"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_errors(cases[i][0], NULL, 0, cases[i][1]);
}

Test(scenario, reports_sweep_errors_at_the_key_or_value)
{
    expect_errors("sweep_bad.yaml", NULL, 0,
                  "sweep_bad.yaml:6:8: sweep.key: \"meter.no_such\" is not a scenario key that can be "
                  "swept");
    expect_errors("sweep_bad_value.yaml", NULL, 0,
                  "sweep_bad_value.yaml:7:19: meter.restore_dither: expected a duration such as "
                  "\"30 min\"; unknown unit \"parsecs\"");
}

Test(scenario, refuses_duplicate_sweep_keys_like_any_other_duplicate)
{
    expect_errors("sweep_dup_key.yaml", NULL, 0,
                  "sweep_dup_key.yaml:8:3: sweep.key: duplicate key (first given at 6:3)");
    expect_errors("sweep_twice.yaml", NULL, 0,
                  "sweep_twice.yaml:6:1: sweep: duplicate key (first given at 5:1)");
}

Test(scenario, lists_the_files_it_read_scenario_and_extends_chain)
{
    sim_scenario *sc = load_ok("child.yaml", NULL, 0);
    cr_assert_not_null(sc->files_read);
    int n = 0, has_child = 0;
    for (const char *f = sc->files_read; *f; f += strlen(f) + 1, n++)
        has_child |= strcmp(f, "child.yaml") == 0;
    cr_expect(has_child);
    cr_expect_geq(n, 2, "the extends base is listed too");
    sim_scenario_destroy(sc);
}

Test(scenario, reads_prepayment_settings_as_money_in_pence)
{
    const char *sets[] = {"meter.prepayment.initial_credit=12.34 GBP",
                          "meter.prepayment.topup_below=250 p", "meter.prepayment.topup_amount=15 GBP"};
    sim_scenario *sc = load_ok("minimal.yaml", sets, 3);
    cr_expect_eq(sc->meter.prepay_initial_p, 1234);
    cr_expect_eq(sc->meter.topup_below_p, 250);
    cr_expect_eq(sc->meter.topup_amount_p, 1500);
    cr_expect_eq(sc->meter.prepay_ec_p, 1000); /* default 10 GBP */
    sim_scenario_destroy(sc);
    const char *bad[] = {"meter.prepayment.topup_amount=20.5 GBP", "meter.prepayment.low_credit=2 EUR"};
    expect_errors("minimal.yaml", bad, 2,
                  "--set:1:31: meter.prepayment.topup_amount: \"20.5 GBP\" is not a whole multiple "
                  "of 1 GBP\n"
                  "--set:1:29: meter.prepayment.low_credit: expected an amount of money such as "
                  "\"20 GBP\" or \"500 p\"; unknown unit \"EUR\"");
    const char *big[] = {"meter.prepayment.topup_amount=9000 GBP"};
    expect_errors("minimal.yaml", big, 1,
                  "--set:1:31: meter.prepayment.topup_amount: \"9000 GBP\" is out of range (1 GBP..8191 "
                  "GBP, a multiple of 1 GBP)");
}

/* The JSON Schema's text (python_scenario_schema checks it as JSON Schema): one object,
 * brackets balanced outside strings, and the pieces each kind of row makes. */
Test(scenario, writes_the_json_schema_of_every_key)
{
    char *js = NULL;
    cr_assert_eq(sim_scenario_json_schema(&js), 0);
    cr_assert_not_null(js);
    cr_expect(strncmp(js, "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n",
                      63) == 0);
    int depth = 0;
    const char *end = NULL; /* where the top object closes */
    bool in_string = false;
    for (const char *p = js; *p; p++) {
        if (in_string && *p == '\\')
            p++;
        else if (*p == '"')
            in_string = !in_string;
        else if (!in_string && (*p == '{' || *p == '['))
            depth++;
        else if (!in_string && (*p == '}' || *p == ']') && --depth == 0 && !end)
            end = p;
    }
    cr_expect_eq(depth, 0);
    cr_expect(end && strcmp(end, "}\n") == 0, "the top object closes at the end");
    cr_expect(strstr(js, "\"enum\": [\"flat\", \"e7\", \"tou\", \"agile\", \"rtp\", \"block\", "
                         "\"hybrid\"]"));
    cr_expect(strstr(js, "\"type\": \"integer\",\n          \"minimum\": 0,\n          "
                         "\"maximum\": 9,"));
    cr_expect(strstr(js, "\"required\": [\"name\", \"duration\", \"households\"]"));
    cr_expect(strstr(js, "\"required\": [\"name\", \"population\", \"firmware\", \"start\", "
                         "\"per_day\"]"));
    cr_expect(
        strstr(js, "\"default\": [\n        {\n          \"name\": \"supplier\"\n        }\n"));
    cr_expect(strstr(js, "\"from\": \"2019-05-26\",\n              \"per_day\": 270\n"));
    /* the duration pattern, its tabs escaped */
    char pat[1024], want[1200] = "\"pattern\": \"";
    cr_assert_eq(sim_unit_pattern(SIM_UNIT_DURATION, false, pat, sizeof pat), 0);
    size_t o = strlen(want);
    for (const char *c = pat; *c && o + 3 < sizeof want; c++)
        o += (size_t)snprintf(want + o, sizeof want - o, *c == '\t' ? "\\t" : "%c", *c);
    snprintf(want + o, sizeof want - o, "\"");
    cr_expect(strstr(js, want), "%s", want);
    free(js);
}

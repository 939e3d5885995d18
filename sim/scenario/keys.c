/* The scenario keys: one row per key of sim_scenario (sim/scenario.h), with its type,
 * unit, range, default and one-line doc.  Sources of the defaults are in the comments. */
#include "schema.h"
#include "blocks.h"

#include "net/headend.h" /* its request classes and their keys (header only) */
#include "sim/regions.h"

#include <stdio.h>
#include <string.h>

#define FIELD(f, c) SIM_FIELD(sim_scenario, f, c)
#define ENUM(f, table) .kind = V_ENUM, FIELD(f, C_ENUM), .names = (table)
#define DAYS(n) ((double)(n)*86400.0)
#define REGION_LIST                                                                                \
    "\"all\" or a list of numbers 1..14, names (\"London, South Wales\") and DCC regions "        \
    "(\"DCC North\")"

int sim_scenario_region_mask(const char *text, uint32_t *mask, char *why, size_t whylen)
{
    return sim_region_list(text, mask, why, whylen);
}

int sim_scenario_topology_regions(const char *text, uint32_t *mask, char *why, size_t whylen)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    unsigned long n = 0;
    while (*p >= '0' && *p <= '9' && n < 100)
        n = n * 10 + (unsigned long)(*p++ - '0');
    while (*p == ' ')
        p++;
    if (*p || p == text) return sim_region_list(text, mask, why, whylen);
    if (n < 1 || n > SIM_REGIONS) {
        snprintf(why, whylen, "%lu is out of range: the first 1..14 licence areas, or a list", n);
        return -1;
    }
    *mask = (1u << n) - 1u;
    return 0;
}

int sim_scenario_household_list(const char *text, uint32_t *ids, int max, char *why, size_t whylen)
{
    int n = 0;
    const char *p = text;
    while (*p == ' ') p++;
    while (*p) {
        if (*p < '0' || *p > '9') {
            snprintf(why, whylen, "expected household ids separated by commas, e.g. \"0, 17\"");
            return -1;
        }
        uint64_t v = 0;
        while (*p >= '0' && *p <= '9' && v <= UINT32_MAX) v = v * 10 + (uint64_t)(*p++ - '0');
        if (v > 50000000) {
            snprintf(why, whylen, "household %llu is out of range (0..49,999,999)", (unsigned long long)v);
            return -1;
        }
        if (n == max) {
            snprintf(why, whylen, "at most %d households", max);
            return -1;
        }
        ids[n++] = (uint32_t)v;
        while (*p == ' ') p++;
        if (*p == ',') {
            p++;
            while (*p == ' ') p++;
            if (!*p) {
                snprintf(why, whylen, "expected a household id after the last comma");
                return -1;
            }
        } else if (*p) {
            snprintf(why, whylen, "expected household ids separated by commas, e.g. \"0, 17\"");
            return -1;
        }
    }
    return n;
}

static int check_households(const char *text, char *why, size_t whylen)
{
    uint32_t ids[SIM_FIRMWARE_LOG_MAX];
    return sim_scenario_household_list(text, ids, SIM_FIRMWARE_LOG_MAX, why, whylen) < 0 ? -1 : 0;
}

static int check_regions(const char *text, char *why, size_t whylen)
{
    uint32_t mask;
    return sim_scenario_region_mask(text, &mask, why, whylen);
}

static int check_topology_regions(const char *text, char *why, size_t whylen)
{
    uint32_t mask;
    return sim_scenario_topology_regions(text, &mask, why, whylen);
}

/* What the region checks above accept (sim_region_list), for the JSON Schema (test_schema
 * compares them): items between commas, blanks around each, a comma after the last allowed;
 * an item is "all", a number 1..14
 * (leading zeros too), a licence area's name (sim/regions.h, any case, a run of blanks for
 * each blank) or "DCC" and a DCC region. */
#define REGION_NUMBER "0*([1-9]|1[0-4])"
#define REGION_NAMES                                                                               \
    /* North Scotland */ \
    "[Nn][Oo][Rr][Tt][Hh] +[Ss][Cc][Oo][Tt][Ll][Aa][Nn][Dd]|" \
    /* South Scotland */ \
    "[Ss][Oo][Uu][Tt][Hh] +[Ss][Cc][Oo][Tt][Ll][Aa][Nn][Dd]|" \
    /* North West */ \
    "[Nn][Oo][Rr][Tt][Hh] +[Ww][Ee][Ss][Tt]|" \
    /* North East */ \
    "[Nn][Oo][Rr][Tt][Hh] +[Ee][Aa][Ss][Tt]|" \
    /* Yorkshire */ \
    "[Yy][Oo][Rr][Kk][Ss][Hh][Ii][Rr][Ee]|" \
    /* Merseyside and North Wales */ \
    "[Mm][Ee][Rr][Ss][Ee][Yy][Ss][Ii][Dd][Ee] +[Aa][Nn][Dd]" \
    " +[Nn][Oo][Rr][Tt][Hh] +[Ww][Aa][Ll][Ee][Ss]|" \
    /* East Midlands */ \
    "[Ee][Aa][Ss][Tt] +[Mm][Ii][Dd][Ll][Aa][Nn][Dd][Ss]|" \
    /* West Midlands */ \
    "[Ww][Ee][Ss][Tt] +[Mm][Ii][Dd][Ll][Aa][Nn][Dd][Ss]|" \
    /* South Wales */ \
    "[Ss][Oo][Uu][Tt][Hh] +[Ww][Aa][Ll][Ee][Ss]|" \
    /* South West */ \
    "[Ss][Oo][Uu][Tt][Hh] +[Ww][Ee][Ss][Tt]|" \
    /* Eastern */ \
    "[Ee][Aa][Ss][Tt][Ee][Rr][Nn]|" \
    /* London */ \
    "[Ll][Oo][Nn][Dd][Oo][Nn]|" \
    /* South East */ \
    "[Ss][Oo][Uu][Tt][Hh] +[Ee][Aa][Ss][Tt]|" \
    /* Southern */ \
    "[Ss][Oo][Uu][Tt][Hh][Ee][Rr][Nn]|" \
    /* DCC North, Central, South */ \
    "[Dd][Cc][Cc] +([Nn][Oo][Rr][Tt][Hh]|[Cc][Ee][Nn][Tt][Rr][Aa][Ll]|[Ss][Oo][Uu][Tt][Hh])"
#define REGION_ITEM " *([Aa][Ll][Ll]|" REGION_NUMBER "|" REGION_NAMES ") *"
#define REGIONS_PATTERN "^" REGION_ITEM "(," REGION_ITEM ")*(, *)?$"
/* ... and what the firmware_log check accepts: up to 64 household ids up to 50,000,000, no
 * comma after the last. */
#define HOUSEHOLD_ID "0*([0-9]{1,7}|[1-4][0-9]{7}|50000000)"
#define HOUSEHOLDS_PATTERN "^ *(" HOUSEHOLD_ID " *(, *" HOUSEHOLD_ID " *){0,63})?$"
_Static_assert(SIM_FIRMWARE_LOG_MAX == 64, "HOUSEHOLDS_PATTERN takes 1 + 63 ids");

/* The values of the enum keys, indexed by the C enums of sim/scenario.h. */
static const char *const load_models[] = {
    [SIM_LOAD_CREST] = "crest", [SIM_LOAD_BASIC] = "basic", NULL};
static const char *const tariffs[] = {
    [SIM_TARIFF_FLAT] = "flat",   [SIM_TARIFF_E7] = "e7",   [SIM_TARIFF_TOU] = "tou",
    [SIM_TARIFF_AGILE] = "agile", [SIM_TARIFF_RTP] = "rtp", [SIM_TARIFF_BLOCK] = "block",
    [SIM_TARIFF_HYBRID] = "hybrid", NULL};
/* A population's tariff: the two choices, then the tariffs in sim_tariff order. */
static const char *const pop_tariffs[] = {
    [SIM_POP_TARIFF_DEFAULT] = "default", [SIM_POP_TARIFF_MENU] = "menu",
    [SIM_POP_TARIFF_FIXED + SIM_TARIFF_FLAT] = "flat", [SIM_POP_TARIFF_FIXED + SIM_TARIFF_E7] = "e7",
    [SIM_POP_TARIFF_FIXED + SIM_TARIFF_TOU] = "tou", [SIM_POP_TARIFF_FIXED + SIM_TARIFF_AGILE] = "agile",
    [SIM_POP_TARIFF_FIXED + SIM_TARIFF_RTP] = "rtp", [SIM_POP_TARIFF_FIXED + SIM_TARIFF_BLOCK] = "block",
    [SIM_POP_TARIFF_FIXED + SIM_TARIFF_HYBRID] = "hybrid", NULL};
static const char *const generations[] = {[SIM_GEN_SMETS2] = "smets2", [SIM_GEN_SMETS1] = "smets1",
                                          [SIM_GEN_TRADITIONAL] = "traditional", NULL};
static const char *const smsos[] = {[SIM_SMSO_IOC] = "ioc", [SIM_SMSO_MOC] = "moc",
                                    [SIM_SMSO_FOC] = "foc", NULL};
static const char *const block_periods[] = {[SIM_BLOCK_PERIOD_DAY] = "day",
                                            [SIM_BLOCK_PERIOD_WEEK] = "week",
                                            [SIM_BLOCK_PERIOD_MONTH] = "month", NULL};
static const char *const wan_technologies[] = {
    [SIM_WAN_MODEL] = "model", [SIM_WAN_UNIFORM] = "uniform", NULL};
static const char *const price_deliveries[] = {[SIM_PRICE_AUTO] = "auto",
                                               [SIM_PRICE_BROADCAST] = "broadcast",
                                               [SIM_PRICE_UNICAST] = "unicast",
                                               NULL};
static const char *const disciplines[] = {
    [SIM_DISCIPLINE_FIFO] = "fifo", [SIM_DISCIPLINE_PRIORITY] = "priority", NULL};

/* Kept one row per key so it reads as a table. */
/* clang-format off */
#define SFIELD(f, c) SIM_FIELD(sim_supplier, f, c)
#define MENU(t, def_) {.path = "tariffs." #t, .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,            \
     SFIELD(menu[SIM_TARIFF_##def_], C_F64), .lo = 0, .hi = 1,                                     \
     .def = SIM_TARIFF_##def_ == SIM_TARIFF_FLAT ? "100 %" : "0 %",                                \
     .doc = "Share of the supplier's customers on its " #t " tariff (normalised)"}
static const sim_key supplier_keys[] = {
    {.path = "name", .kind = V_NAME, SFIELD(name, C_STR), .def = NULL,
     .doc = "Supplier name (its populations name it)"},
    /* No market shares in our sources: equal shares unless a scenario says. */
    {.path = "share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, SFIELD(share, C_F64), .lo = 0,
     .hi = 1, .def = "100 %", .doc = "Market share (normalised over the suppliers)"},
    /* FOC ran about 42 % of SMETS1, MOC 32 %, IOC 22 % (Utility Week, 2019). */
    {.path = "smets1_operator", .kind = V_ENUM, SFIELD(smets1_operator, C_ENUM), .names = smsos,
     .def = "foc", .doc = "SMETS1 operator (SMSO) running the WAN of its SMETS1 meters"},
    /* No published SMETS1 head-end figures: tunable defaults, a quarter of the DCC's. */
    {.path = "smets1_headend.servers", .kind = V_INT, SFIELD(hes_servers, C_U32), .ilo = 1,
     .ihi = 1000000, .def = "4", .doc = "Requests its SMETS1 head-end processes in parallel"},
    {.path = "smets1_headend.queue_capacity", .kind = V_INT, SFIELD(hes_queue, C_U32), .ilo = 0,
     .ihi = 100000000, .def = "5000", .doc = "Requests that may wait at its SMETS1 head-end"},
    MENU(flat, FLAT), MENU(e7, E7), MENU(tou, TOU), MENU(agile, AGILE), MENU(rtp, RTP),
    MENU(block, BLOCK), MENU(hybrid, HYBRID),
    /* "The first x units at y, the rest at z" (seed 000); the firmware holds up to 3
     * thresholds and 4 prices per price set (DCC tariff model). */
    {.path = "block.thresholds", .kind = V_STR, SFIELD(block_thresholds, C_STR), .def = "",
     .choices = "energies in ascending order, e.g. \"4 kWh, 10 kWh\"",
     .check = sim_block_check_thresholds, .doc = "Block thresholds (0..3) of its block tariff"},
    {.path = "block.prices", .kind = V_STR, SFIELD(block_prices, C_STR), .def = "",
     .choices = "prices, one more than thresholds, e.g. \"20 p/kWh, 30 p/kWh\"",
     .check = sim_block_check_prices,
     .doc = "Unit prices of its block tariff (on hybrid, added to the TOU rates)"},
    {.path = "block.period", .kind = V_ENUM, SFIELD(block_period, C_ENUM), .names = block_periods,
     .def = "day", .doc = "Block period over which consumption climbs the blocks (UTC)"},
};
#undef MENU
#undef SFIELD
static const sim_schema supplier_schema = {supplier_keys, sizeof supplier_keys / sizeof supplier_keys[0],
                                           sizeof(sim_supplier)};

#define PFIELD(f, c) SIM_FIELD(sim_population, f, c)
static const sim_key population_keys[] = {
    {.path = "name", .kind = V_NAME, PFIELD(name, C_STR), .def = NULL,
     .doc = "Population name (in /fleet/populations and metersim diff)"},
    {.path = "share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, PFIELD(share, C_F64), .lo = 0,
     .hi = 1, .def = "100 %",
     .doc = "Share of the households of its regions (normalised over the populations there)"},
    {.path = "count", .kind = V_INT, PFIELD(count, C_U32), .ilo = 0, .ihi = 50000000, .def = "0",
     .doc = "Exactly this many households instead of a share; 0: by share"},
    {.path = "generation", .kind = V_ENUM, PFIELD(generation, C_ENUM), .names = generations,
     .def = "smets2",
     .doc = "smets2 (DCC WAN), smets1 (its supplier's head-end over its SMETS1 operator's 2G/3G) "
            "or traditional (meters and bills, no communications)"},
    {.path = "firmware", .kind = V_STR, PFIELD(firmware, C_STR), .def = "",
     .doc = "Image its meters run: builtin:smets2, builtin:smets1 or a path; empty: "
            "meter.firmware for smets2, builtin:smets1 for smets1, builtin:smets2 for traditional"},
    {.path = "supplier", .kind = V_STR, PFIELD(supplier, C_STR), .def = "",
     .doc = "Name of its supplier; empty: each household's drawn by market share"},
    {.path = "regions", .kind = V_STR, PFIELD(regions, C_STR), .def = "all",
     .choices = REGION_LIST, .check = check_regions, .pattern = REGIONS_PATTERN,
     .doc = "DNO regions it is found in"},
    {.path = "tariff", .kind = V_ENUM, PFIELD(tariff, C_ENUM), .names = pop_tariffs,
     .def = "default",
     .doc = "Its tariff: default (prices.tariff), menu (drawn from its supplier's tariffs.*), or "
            "one of flat, e7, tou, agile, rtp, block, hybrid"},
    {.path = "prepayment_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     PFIELD(prepayment_share, C_F64), .lo = -1, .hi = 1, .def = "-100 %",
     .doc = "Its meters in prepayment mode; negative: meter.prepayment_share"},
    {.path = "dr_engaged_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     PFIELD(dr_engaged_share, C_F64), .lo = -1, .hi = 1, .def = "-100 %",
     .doc = "Its households that follow prices; negative: load.dr.engaged_share"},
    {.path = "adopted_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     PFIELD(adopted_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "SMETS1 only: its meters already adopted by the DCC at the start (route DCC SMETS1 "
            "service)"},
    {.path = "dumb_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, PFIELD(dumb_share, C_F64),
     .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Smart meters in traditional mode at the start: SMETS1 ones left by a supplier "
            "switch (adopted or replaced later), SMETS2 ones faulty (faults.repair_mean)"},
};
#undef PFIELD
static const sim_schema population_schema = {
    population_keys, sizeof population_keys / sizeof population_keys[0], sizeof(sim_population)};

/* A dated national rate: one table per sequence, for its key name, range and docs. */
#define DATED_RATE_KEYS(NAME_, WHAT_, KEY_, HI_, DOC_)                                            \
    static const sim_key NAME_[] = {                                                              \
        {.path = "from", .kind = V_UNIT, .unit = SIM_UNIT_DATE,                                   \
         SIM_FIELD(sim_dated_rate, from_unix, C_I64), .lo = 0, .hi = DAYS(47482), .step = 1,      \
         .def = NULL, .doc = "First day of this " WHAT_ " (UTC)"},                                \
        {.path = KEY_, .kind = V_INT, SIM_FIELD(sim_dated_rate, value, C_U32), .ilo = 0,          \
         .ihi = (HI_), .def = NULL, .doc = DOC_},                                                 \
    }
DATED_RATE_KEYS(capacity_keys, "capacity", "per_day", 10000000,
                "SMETS1 meters the DCC migrates a day, national");
DATED_RATE_KEYS(install_keys, "rate", "per_year", 100000000,
                "SMETS2 meters installed a year, national");
DATED_RATE_KEYS(switch_keys, "rate", "per_year", 100000000,
                "Electricity supplier switches a year, national");
#undef DATED_RATE_KEYS
#define DATED_RATE_SCHEMA(K_) {K_, sizeof K_ / sizeof K_[0], sizeof(sim_dated_rate)}
static const sim_schema capacity_schema = DATED_RATE_SCHEMA(capacity_keys);
static const sim_schema install_schema = DATED_RATE_SCHEMA(install_keys);
static const sim_schema switch_schema = DATED_RATE_SCHEMA(switch_keys);
#undef DATED_RATE_SCHEMA

/* Firmware over the air (GBCS): distribution is non-critical, broadcast where the network
 * can, else unicast; activation is a critical, signed command, the image's hash checked
 * first (service requests 11.1 Update Firmware, 11.3 Activate Firmware).  No published image
 * sizes, delivery times or battery costs: the defaults below are unconfirmed. */
#define CFIELD(f, c) SIM_FIELD(sim_fw_campaign, f, c)
static const sim_key campaign_keys[] = {
    {.path = "name", .kind = V_NAME, CFIELD(name, C_STR), .def = NULL,
     .doc = "Campaign name (in /fleet/campaigns)"},
    {.path = "population", .kind = V_STR, CFIELD(population, C_STR), .def = NULL,
     .doc = "The population whose smart meters take the new image"},
    {.path = "firmware", .kind = V_STR, CFIELD(firmware, C_STR), .def = NULL,
     .doc = "The new image: builtin:smets2, builtin:smets1 or a path (its file's bytes are "
            "what is sent)"},
    {.path = "version", .kind = V_INT, CFIELD(version, C_U32), .ilo = 1, .ihi = 4294967295LL,
     .def = "65537", .doc = "Version number of the new image (0x00010001: 1.1)"},
    {.path = "start", .kind = V_UNIT, .unit = SIM_UNIT_DATE, CFIELD(start_unix, C_I64), .lo = 0,
     .hi = DAYS(47482), .step = 1, .def = NULL, .doc = "First day of distribution (UTC)"},
    {.path = "per_day", .kind = V_INT, CFIELD(per_day, C_U32), .ilo = 1, .ihi = 100000000,
     .def = NULL,
     .doc = "Meters a day (national, scaled to the sample by fleet.national_households)"},
    {.path = "corrupt", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, CFIELD(corrupt, C_F64),
     .lo = 0, .hi = 1, .def = "1 %",
     .doc = "Distributions whose image arrives damaged (the meter's hash check finds it)"},
    {.path = "retry_after", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, CFIELD(retry_s, C_F64),
     .lo = 60, .hi = 86400.0 * 30, .def = "1 d",
     .doc = "A lost or damaged distribution is sent again after this"},
    {.path = "activate_after", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     CFIELD(activate_s, C_F64), .lo = 0, .hi = 86400.0 * 30, .def = "1 h",
     .doc = "From a complete distribution to the activation command"},
    {.path = "block_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE, CFIELD(block_bytes, C_U32),
     .lo = 1, .hi = 196, .def = "196 B",
     .doc = "Image bytes per distribution frame (a frame adds 38 B: header, offsets, MAC)"},
    {.path = "gas_image_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     CFIELD(gas_image_bytes, C_U32), .lo = 0, .hi = 16777216, .def = "0 B",
     .doc = "The gas meter's own image sent with it over the HAN (battery charge); 0: none"},
    /* SEC modification MP102: comms hubs whose firmware activation cut their power raised
     * false power outage alerts.  No published rate: 0 by default. */
    {.path = "false_ad1", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, CFIELD(false_ad1, C_F64),
     .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Activations whose hub reboot sends a false AD1 power outage alert (SEC MP102)"},
};
#undef CFIELD
static const sim_schema campaign_schema = {campaign_keys, sizeof campaign_keys / sizeof campaign_keys[0],
                                           sizeof(sim_fw_campaign)};

/* commands[k] and attack[k]: runs of commands to a share of the households.  GBCS commands and
 * their signing: supply disable and the mode change are critical (ECDSA signed, SMETS2); enable,
 * arm and the load limit carry the MAC only.  The rates are national: what the supplier's (or
 * the attacker's) systems send a second, scaled to the sample by fleet.national_households. */
static const char *const cmd_ids[] = {
    [SIM_CMD_DISABLE] = "disable",       [SIM_CMD_ENABLE] = "enable",
    [SIM_CMD_ARM] = "arm",               [SIM_CMD_PREPAYMENT] = "prepayment",
    [SIM_CMD_CREDIT] = "credit",         [SIM_CMD_LOAD_LIMIT] = "load_limit",
    [SIM_CMD_LOAD_LIMIT_OFF] = "load_limit_off", NULL};
static const char *const attack_kinds[] = {[SIM_SENDER_SUPPLIER] = "supplier",
                                           [SIM_SENDER_FORGED] = "forged",
                                           [SIM_SENDER_REPLAY] = "replay",
                                           [SIM_SENDER_COMPROMISED] = "compromised", NULL};
static const char *const payments[] = {[SIM_PAY_ANY] = "any", [SIM_PAY_PREPAYMENT] = "prepayment",
                                       [SIM_PAY_CREDIT] = "credit", NULL};

#define RFIELD(f, c) SIM_FIELD(sim_cmd_run, f, c)
/* The keys commands[k] and attack[k] share (attack adds kind and replay_of). */
#define CMD_RUN_KEYS(WHO_)                                                                         \
    {.path = "name", .kind = V_NAME, RFIELD(name, C_STR), .def = NULL,                            \
     .doc = "Run name (in /commands/runs), unique over commands and attack"},                     \
        {.path = "command", .kind = V_ENUM, RFIELD(command, C_ENUM), .names = cmd_ids,            \
         .def = "disable",                                                                         \
         .doc = "disable, enable, arm (the customer's button closes), prepayment or credit "      \
                "(mode change), load_limit, load_limit_off"},                                     \
        {.path = "supplier", .kind = V_STR, RFIELD(supplier, C_STR), .def = "",                    \
         .doc = "Only this supplier's customers" WHO_ "; empty: every supplier's"},                \
        {.path = "population", .kind = V_STR, RFIELD(population, C_STR), .def = "",                \
         .doc = "Only this population's households; empty: every population"},                     \
        {.path = "regions", .kind = V_STR, RFIELD(regions, C_STR), .def = "all",                   \
         .choices = REGION_LIST, .check = check_regions, .pattern = REGIONS_PATTERN,               \
         .doc = "Only households of these DNO regions"},                                          \
        {.path = "payment", .kind = V_ENUM, RFIELD(payment, C_ENUM), .names = payments,            \
         .def = "any", .doc = "Only meters in this payment mode at the run's start"},              \
        {.path = "share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, RFIELD(share, C_F64),          \
         .lo = 0, .hi = 1, .def = "100 %",                                                         \
         .doc = "Share of the households that match, taken in a fixed hash order"},               \
        {.path = "targets_of", .kind = V_STR, RFIELD(targets_of, C_STR), .def = "",                \
         .doc = "Only meters an earlier run disconnected and that are still off at this run's "   \
                "start (its name); empty: any"},                                                   \
        {.path = "start", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, RFIELD(start_s, C_I64),       \
         .lo = 0, .hi = DAYS(400), .step = 1, .def = NULL,                                         \
         .doc = "When the first command is sent, after the run start"},                            \
        {.path = "rate", .kind = V_REAL, RFIELD(rate, C_F64), .lo = 0, .hi = 1e7, .def = "0",      \
         .doc = "Commands sent a second, national (scaled to the sample by "                       \
                "fleet.national_households); 0: all in the first second"},                        \
        {.path = "load_limit.threshold", .kind = V_UNIT, .unit = SIM_UNIT_POWER,                   \
         RFIELD(load_limit_w, C_F64), .lo = 1, .hi = 100000, .def = "3 kW",                        \
         .doc = "load_limit: import above which the contactor opens"},                            \
        {.path = "load_limit.period", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,                   \
         RFIELD(load_limit_period_s, C_F64), .lo = 1, .hi = 3600, .step = 1, .def = "30 s",        \
         .doc = "load_limit: how long import must stay above the threshold"},                     \
        {.path = "load_limit.restore_after", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,            \
         RFIELD(load_limit_restore_s, C_F64), .lo = 1, .hi = 86400, .step = 1, .def = "5 min",     \
         .doc = "load_limit: the contactor closes again this long after a trip"},                 \
        {.path = "button_within", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,                       \
         RFIELD(button_s, C_F64), .lo = 0, .hi = 7 * 86400, .step = 1, .def = "1 h",               \
         .doc = "arm: customers press the button a uniform time within this after their meter "   \
                "armed"}

static const sim_key command_keys[] = {CMD_RUN_KEYS("")};
static const sim_schema command_schema = {command_keys, sizeof command_keys / sizeof command_keys[0],
                                          sizeof(sim_cmd_run)};
static const sim_key attack_keys[] = {
    {.path = "kind", .kind = V_ENUM, RFIELD(sender, C_ENUM), .names = attack_kinds, .def = NULL,
     .doc = "forged (no keys, on the WAN), replay (frames captured from replay_of, resent on "
            "the WAN), compromised (a supplier's keys, through the DCC as that user)"},
    {.path = "replay_of", .kind = V_STR, RFIELD(replay_of, C_STR), .def = "",
     .doc = "replay: the earlier run whose frames are resent, each to the meter it was for"},
    CMD_RUN_KEYS(" (compromised: the supplier whose keys the attacker holds)"),
};
static const sim_schema attack_schema = {attack_keys, sizeof attack_keys / sizeof attack_keys[0],
                                         sizeof(sim_cmd_run)};
#undef CMD_RUN_KEYS
#undef RFIELD

static const sim_key keys[] = {
    {.path = "extends", .kind = V_STR, .ct = C_NONE, .def = "",
     .doc = "Base scenario loaded first (path relative to this file); keys here override it one by one"},
    {.path = "name", .kind = V_NAME, FIELD(name, C_STR), .def = NULL,
     .doc = "Scenario name, stored in every trace"},
    {.path = "description", .kind = V_STR, FIELD(description, C_STR), .def = "",
     .doc = "Free text"},
    {.path = "seed", .kind = V_INT, FIELD(seed, C_U64), .ilo = 0, .ihi = INT64_MAX, .def = "1",
     .doc = "Root of every random stream; --seed overrides it"},
    /* 2026-01-12 is a Monday in winter, when demand peaks. */
    {.path = "start", .kind = V_UNIT, .unit = SIM_UNIT_DATE, FIELD(start_unix, C_I64),
     .lo = 0, .hi = DAYS(47482) /* 2100-01-01 */, .step = 1800, .def = "2026-01-12",
     .doc = "Simulated start, UTC date or date-time on a settlement period boundary (:00 or :30)"},
    {.path = "duration", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(duration_s, C_I64),
     .lo = 1800, .hi = DAYS(3660), .step = 1800, .step_name = "settlement periods", .def = NULL,
     .doc = "Simulated span, in whole 30 min settlement periods"},
    {.path = "households", .kind = V_INT, FIELD(households, C_U32), .ilo = 1, .ihi = 50000000,
     .def = NULL, .doc = "Number of households simulated"},
    {.path = "suppliers", SIM_SEQ(sim_scenario, suppliers, n_suppliers, supplier_schema),
     .ilo = 1, .ihi = SIM_SUPPLIERS_MAX, .def = "[{name: supplier}]",
     .doc = "Energy suppliers: market share, tariff menu, block tariff, SMETS1 operator and "
            "head-end"},

    /* 14 DNO licence areas in GB (Ofgem). */
    {.path = "topology.regions", .kind = V_STR, FIELD(topology.regions_spec, C_STR), .def = "1",
     .choices = "N (the first N licence areas), \"all\", or a list of numbers 1..14, names "
                "(\"London, South Wales\") and DCC regions (\"DCC North\")",
     .check = check_topology_regions, .pattern = REGIONS_PATTERN,
     .doc = "DNO licence areas the households are spread over, by their shares of GB customers"},
    {.path = "topology.area_households", .kind = V_INT, FIELD(topology.area_households, C_U32),
     .ilo = 1, .ihi = 100000, .def = "500", .doc = "Households per area (one WAN cell)"},
    /* ENWL: 2.4M customers over 34,000 LV transformers, about 70 each. */
    {.path = "topology.lv_customers", .kind = V_REAL, FIELD(topology.lv_customers_mean, C_F64),
     .lo = 1, .hi = 5000, .def = "70", .doc = "Mean customers per LV substation"},
    {.path = "topology.lv_customers_cv", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(topology.lv_customers_cv, C_F64), .lo = 0, .hi = 3, .def = "80 %",
     .doc = "Coefficient of variation of customers per LV substation (gamma distributed)"},
    {.path = "topology.primary_customers", .kind = V_INT, FIELD(topology.primary_customers, C_U32),
     .ilo = 1, .ihi = 1000000, .def = "6000", .doc = "Customers per primary substation"},
    {.path = "topology.hv_feeders_per_primary", .kind = V_INT,
     FIELD(topology.hv_feeders_per_primary, C_U32), .ilo = 1, .ihi = 64, .def = "8",
     .doc = "HV feeders per primary substation"},
    {.path = "topology.lv_feeders", .kind = V_INT, FIELD(topology.lv_feeders, C_U32),
     .ilo = 1, .ihi = 16, .def = "4", .doc = "LV feeders per LV substation"},
    {.path = "topology.flat_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(topology.flat_share, C_F64), .lo = 0, .hi = 1, .def = "20 %",
     .doc = "Share of premises that are flats (the rest are houses)"},

    {.path = "load.model", ENUM(load.model, load_models), .def = "crest",
     .doc = "Household demand model: crest (occupancy and appliances) or basic (foundation)"},
    /* Ofgem typical domestic consumption values (TDCV), medium: 2,700 kWh/yr. */
    {.path = "load.annual", .kind = V_UNIT, .unit = SIM_UNIT_ENERGY_YEAR,
     FIELD(load.annual_kwh, C_F64), .lo = 1, .hi = 1e5, .def = "2700 kWh/yr",
     .doc = "Mean consumption per household"},
    {.path = "load.spread", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.spread, C_F64),
     .lo = 0, .hi = 2, .def = "40 %", .doc = "Lognormal sigma of the household scale factor"},
    {.path = "load.seasonal_amplitude", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.seasonal_amplitude, C_F64), .lo = 0, .hi = 1, .def = "15 %",
     .doc = "Winter-to-summer swing of demand around its mean"},
    {.path = "load.power_factor", .kind = V_REAL, FIELD(load.power_factor, C_F64),
     .lo = 0.5, .hi = 1, .def = "0.95", .doc = "Power factor of household load"},
    /* crest only; sources in models/grid/load_crest.c and load.c. */
    {.path = "load.gas.annual", .kind = V_UNIT, .unit = SIM_UNIT_ENERGY_YEAR,
     FIELD(load.gas_annual_kwh, C_F64), .lo = 2400, .hi = 1e5, .def = "11500 kWh/yr",
     .doc = "Median gas use of a gas-heated home (Ofgem medium TDCV); crest"},
    {.path = "load.gas.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.gas_share, C_F64),
     .lo = 0, .hi = 1, .def = "85 %", .doc = "Homes heated by mains gas (heat pumps included); crest"},
    {.path = "load.heat_pump.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.hp_share, C_F64), .lo = 0, .hi = 1, .def = "1.5 %",
     .doc = "Homes with a heat pump instead of a gas boiler; crest"},
    {.path = "load.pv.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.pv_share, C_F64),
     .lo = 0, .hi = 1, .def = "6.5 %", .doc = "Houses with rooftop PV; crest"},
    {.path = "load.pv.kwp_median", .kind = V_REAL, FIELD(load.pv_kwp_median, C_F64), .lo = 0.5,
     .hi = 10, .def = "3.5", .doc = "Median PV array size [kWp]; crest"},
    {.path = "load.ev.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(load.ev_share, C_F64),
     .lo = 0, .hi = 1, .def = "4.7 %", .doc = "Homes charging an EV at home; crest"},
    {.path = "load.ev.charger_power", .kind = V_UNIT, .unit = SIM_UNIT_POWER,
     FIELD(load.ev_charger_w, C_F64), .lo = 1000, .hi = 22000, .def = "7 kW",
     .doc = "Home charger power; crest"},
    {.path = "load.ev.kwh_per_day", .kind = V_REAL, FIELD(load.ev_kwh_per_day, C_F64), .lo = 0,
     .hi = 50, .def = "7", .doc = "Mean energy an EV home charges per day [kWh/d]; crest"},
    {.path = "load.ev.smart_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.ev_smart_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "EV homes that charge in the cheapest published periods; crest"},
    /* Demand response (crest): ComEd pilot (seed 004), Octopus Agile 2018, ACEEE 2012
     * (grid/crest_dr.c). */
    {.path = "load.dr.engaged_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.dr_engaged_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Households that move washing, dishwashing, drying and EV charging to cheaper "
            "published periods (Agile: 28 % of engaged customers shifted markedly)"},
    {.path = "load.dr.response", .kind = V_REAL, FIELD(load.dr_response, C_F64), .lo = 0,
     .hi = 1000, .def = "2", .doc = "Shift probability per unit relative saving (2 gives "
                                    "elasticity -0.26)"},
    {.path = "load.dr.horizon", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.dr_horizon_s, C_F64), .lo = 0, .hi = DAYS(1), .def = "12 h",
     .doc = "Latest acceptable finish of a shifted run after it was wanted"},
    {.path = "load.feedback.enabled", .kind = V_BOOL, FIELD(load.feedback, C_BOOL),
     .def = "false", .doc = "Households whose in-home display works (HAN) save energy"},
    {.path = "load.feedback.cut", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.feedback_cut, C_F64), .lo = 0, .hi = 1, .def = "19 %",
     .doc = "Cut of discretionary power (lighting, screens, standby) when the IHD is new "
            "(about 4 % of all use: 3-5 %, seed 004)"},
    {.path = "load.feedback.tau", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.feedback_tau_s, C_F64), .lo = 3600, .hi = DAYS(400), .def = "14 d",
     .doc = "Time constant of the fading of the saving (back to normal within weeks, seed 000)"},
    {.path = "load.feedback.installed_before", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(load.feedback_age_s, C_F64), .lo = 0, .hi = DAYS(10000), .def = "0 s",
     .doc = "Age of the IHDs at the run start"},
    {.path = "load.festive_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(load.festive_share, C_F64), .lo = 0, .hi = 1, .def = "75 %",
     .doc = "Homes with an electric oven that roast a Christmas dinner on 25 December; crest"},
    {.path = "load.clock_bst", .kind = V_BOOL, FIELD(load.clock_bst, C_BOOL), .def = "true",
     .doc = "People live by GMT/BST clock time (else UTC); crest"},

    {.path = "weather.latitude", .kind = V_REAL, FIELD(weather.latitude_deg, C_F64), .lo = 45,
     .hi = 62, .def = "52.5", .doc = "Latitude for households without a region [deg N]; crest"},
    {.path = "weather.csv", .kind = V_STR, FIELD(weather.csv, C_STR), .def = "",
     .doc = "CSV of time,temperature_c,irradiance_w_m2 (path as given); empty: synthetic weather"},

    {.path = "prices.tariff", ENUM(prices.tariff, tariffs), .def = "flat",
     .doc = "Tariff of the populations whose tariff is default (the default fleet's smart "
            "meters; its traditional ones are on flat): flat, Economy 7, static TOU, Agile-style "
            "day-ahead, real-time pricing, or their supplier's block or hybrid"},
    /* GB has about 28-30M households (NAO 2023). */
    {.path = "prices.national_households", .kind = V_INT, FIELD(prices.national_households, C_U32),
     .ilo = 1, .ihi = 100000000, .def = "28000000",
     .doc = "Households the simulated ones stand for when their demand sets real-time prices"},

    /* GB at the end of 2022 (DESNZ smart meter statistics; NAO 2023): of about 57M meter
     * points 28.1M smart meters ran in smart mode, SMETS1 being 15.1M of the 29.9M SMETS1 +
     * SMETS2 stock; the rest are traditional meters or smart meters in traditional mode. */
    {.path = "fleet.populations", SIM_SEQ(sim_scenario, fleet.populations, fleet.n_populations,
                                          population_schema),
     .ilo = 1, .ihi = SIM_POPULATIONS_MAX,
     .def = "[{name: smets2, share: 24.4 %, generation: smets2}, "
            "{name: smets1, share: 24.9 %, generation: smets1}, "
            "{name: traditional, share: 50.7 %, generation: traditional, tariff: flat}]",
     .doc = "Meter populations: generation, firmware image, supplier, tariff, payment mode and "
            "engagement of a share of the households"},
    /* GB has about 28-30M households (NAO 2023). */
    {.path = "fleet.national_households", .kind = V_INT, FIELD(fleet.national_households, C_U32),
     .ilo = 1, .ihi = 100000000, .def = "28000000",
     .doc = "Households the simulated ones stand for: /fleet/daily's national-equivalent counts"},

    /* SMETS1 enrolment and adoption into the DCC, in cohorts by SMETS1 operator: IOC from 26
     * May 2019, MOC from 30 Sept 2019, FOC from 12 Dec 2019 (Utility Week).  The default
     * capacity replays the published progress: 68k migrated by Feb 2020, 126k by Apr 2020,
     * 3.87M by Mar 2021 (DCC annual report), 5.6M by Aug 2021, 6.4M by Nov 2021, 670k in Jan
     * 2022, 314k in May, 155k in June, almost 10M by early Nov 2022 and about 4M of 15M still
     * to go in May 2023 (NAO 2023); achieved rates stand in for capacity (the schedule gives
     * 68k, 128k, 3.87M, 5.60M, 6.40M, 9.99M at those dates).  Failure rates are unconfirmed defaults: more than 500k of
     * about 15M may never migrate (DCC, Sept 2022); the DCC gives up after 5 attempts. */
    {.path = "migration.enabled", .kind = V_BOOL, FIELD(migration.enabled, C_BOOL), .def = "false",
     .doc = "SMETS1 meters are migrated into the DCC as the run goes"},
    {.path = "migration.start.ioc", .kind = V_UNIT, .unit = SIM_UNIT_DATE,
     FIELD(migration.start_unix[SIM_SMSO_IOC], C_I64), .lo = 0, .hi = DAYS(47482), .step = 1,
     .def = "2019-05-26", .doc = "First migrations of the IOC cohort (SMETS1 operator ioc)"},
    {.path = "migration.start.moc", .kind = V_UNIT, .unit = SIM_UNIT_DATE,
     FIELD(migration.start_unix[SIM_SMSO_MOC], C_I64), .lo = 0, .hi = DAYS(47482), .step = 1,
     .def = "2019-09-30", .doc = "First migrations of the MOC cohort"},
    {.path = "migration.start.foc", .kind = V_UNIT, .unit = SIM_UNIT_DATE,
     FIELD(migration.start_unix[SIM_SMSO_FOC], C_I64), .lo = 0, .hi = DAYS(47482), .step = 1,
     .def = "2019-12-12", .doc = "First migrations of the FOC cohort"},
    {.path = "migration.capacity", SIM_SEQ(sim_scenario, migration.capacity, migration.n_capacity,
                                           capacity_schema),
     .ilo = 1, .ihi = SIM_DATED_RATES,
     .def = "[{from: 2019-05-26, per_day: 270}, {from: 2020-02-01, per_day: 1000}, "
            "{from: 2020-04-01, per_day: 11200}, {from: 2021-03-01, per_day: 11300}, "
            "{from: 2021-08-01, per_day: 8700}, {from: 2021-11-01, per_day: 12000}, "
            "{from: 2022-01-01, per_day: 21600}, {from: 2022-02-01, per_day: 7000}, "
            "{from: 2022-05-01, per_day: 10000}, {from: 2022-06-01, per_day: 5200}, "
            "{from: 2022-07-01, per_day: 8500}, {from: 2022-11-07, per_day: 5500}]",
     .doc = "Dated daily migration capacity of the DCC (national), each step from its date on "
            "(dates ascending)"},
    {.path = "migration.failure.no_wan_before", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(migration.p_no_wan_before, C_F64), .lo = 0, .hi = 1, .def = "4 %",
     .doc = "Attempts failing for no WAN before migration (also every attempt on a meter "
            "without supply); retried"},
    {.path = "migration.failure.no_wan_during", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(migration.p_no_wan_during, C_F64), .lo = 0, .hi = 1, .def = "2 %",
     .doc = "Attempts failing for a WAN lost during migration; retried"},
    {.path = "migration.failure.missing_keys", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(migration.p_missing_keys, C_F64), .lo = 0, .hi = 1, .def = "3.3 %",
     .doc = "Attempts finding the meter's keys missing: excluded at once"},
    {.path = "migration.max_attempts", .kind = V_INT, FIELD(migration.max_attempts, C_U32),
     .ilo = 1, .ihi = 100, .def = "5", .doc = "Attempts before a meter is excluded"},
    {.path = "migration.translation_latency", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(migration.translation_s, C_F64), .lo = 0, .hi = 3600, .def = "2 s",
     .doc = "Added by the DCC's SMETS1 service to an adopted meter's messages (unconfirmed "
            "default)"},
    /* SMETS2 electricity meters installed a year: 2020-2023 ElectraLink (2.0M, 2.4M, 2.37M,
     * about 2.4M); 2018-2019 the DESNZ domestic totals (gas and electricity: 4.9M with 4.5 %
     * SMETS2, 4.4M with 67 % SMETS2) halved; 2024 about 3.0M in all, at 2023's electricity
     * share.  An install visit cuts the supply about 20 minutes (seed 003). */
    /* Unconfirmed default, like installs.commissioning_size. */
    {.path = "migration.request_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(migration.request_bytes, C_U32), .lo = 1, .hi = 16777216, .def = "4 KiB",
     .doc = "Bytes of the DCC's exchanges with a SMETS1 meter in an attempt that gets under "
            "way (succeeds or loses the WAN; to the DCC head-end, class migration)"},
    {.path = "installs.enabled", .kind = V_BOOL, FIELD(installs.enabled, C_BOOL), .def = "false",
     .doc = "SMETS2 meters are installed as the run goes, replacing traditional meters (and "
            "SMETS1 ones: installs.smets1_share)"},
    {.path = "installs.schedule", SIM_SEQ(sim_scenario, installs.schedule, installs.n_schedule,
                                          install_schema),
     .ilo = 1, .ihi = SIM_DATED_RATES,
     .def = "[{from: 2018-01-01, per_year: 110000}, {from: 2019-01-01, per_year: 1470000}, "
            "{from: 2020-01-01, per_year: 2000000}, {from: 2021-01-01, per_year: 2400000}, "
            "{from: 2022-01-01, per_year: 2370000}, {from: 2023-01-01, per_year: 2400000}, "
            "{from: 2024-01-01, per_year: 2060000}]",
     .doc = "Dated national install rate (dates ascending), scaled to the sample by "
            "fleet.national_households"},
    {.path = "installs.population", .kind = V_STR, FIELD(installs.population, C_STR),
     .def = "smets2", .doc = "The population (generation smets2) the new meters join: its image"},
    {.path = "installs.smets1_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(installs.smets1_share, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Installs that replace a SMETS1 meter not adopted by the DCC (the rest replace "
            "traditional meters)"},
    {.path = "installs.supply_off", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(installs.visit_off_s, C_F64), .lo = 0, .hi = 86400, .def = "20 min",
     .doc = "Supply off during an install visit (between 08:00 and 18:00 UTC)"},
    /* Unconfirmed default: no published size of the commissioning service requests. */
    {.path = "installs.commissioning_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(installs.commissioning_bytes, C_U32), .lo = 1, .hi = 16777216, .def = "4 KiB",
     .doc = "Bytes of a new meter's commissioning traffic to the DCC head-end"},
    /* Electricity supplier switches a year: 5.5M (2017), 5.8M (2018), 6.3M (2019), 6.2M (2020),
     * 5.0M (2021), 1.3M (2022, the price crisis), 2.3M (2023), about 225k a month in H1 2024
     * (ElectraLink; BEIS).  In 2018 "less than half" of SMETS1 customers who switched kept
     * smart services (BEIS). */
    {.path = "switching.enabled", .kind = V_BOOL, FIELD(switching.enabled, C_BOOL),
     .def = "false", .doc = "Households change supplier as the run goes"},
    {.path = "switching.schedule", SIM_SEQ(sim_scenario, switching.schedule, switching.n_schedule,
                                           switch_schema),
     .ilo = 1, .ihi = SIM_DATED_RATES,
     .def = "[{from: 2017-01-01, per_year: 5500000}, {from: 2018-01-01, per_year: 5800000}, "
            "{from: 2019-01-01, per_year: 6300000}, {from: 2020-01-01, per_year: 6200000}, "
            "{from: 2021-01-01, per_year: 5000000}, {from: 2022-01-01, per_year: 1300000}, "
            "{from: 2023-01-01, per_year: 2300000}, {from: 2024-01-01, per_year: 2700000}]",
     .doc = "Dated national switching rate (dates ascending), scaled to the sample by "
            "fleet.national_households"},
    {.path = "switching.smets1_kept_smart", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(switching.smets1_kept_smart, C_F64), .lo = 0, .hi = 1, .def = "45 %",
     .doc = "SMETS1 meters not yet adopted by the DCC whose gaining supplier can operate them "
            "(the rest go to traditional mode until adopted or replaced)"},
    /* About 3M smart meters (9 %) were "not working as intended" in March 2023, all causes
     * together (NAO 2023); 94 % of meters removed from service were not faulty (ElectraLink,
     * 2024).  No published failure rate or time to repair: unconfirmed defaults. */
    {.path = "firmware_campaigns",
     SIM_SEQ(sim_scenario, firmware_campaigns, n_campaigns, campaign_schema), .ilo = 0,
     .ihi = SIM_CAMPAIGNS_MAX, .def = "[]",
     .doc = "Over-the-air firmware campaigns: a population's smart meters take a new image, "
            "distributed over the WAN and activated by a signed command"},
    {.path = "commands", SIM_SEQ(sim_scenario, commands, n_commands, command_schema), .ilo = 0,
     .ihi = SIM_CMD_RUNS_MAX, .def = "[]",
     .doc = "Supplier command runs: disable, enable, arm, mode change or load limit sent to a "
            "share of the households over their route, checked and executed by the firmware"},
    {.path = "attack", SIM_SEQ(sim_scenario, attacks, n_attacks, attack_schema), .ilo = 0,
     .ihi = SIM_CMD_RUNS_MAX, .def = "[]",
     .doc = "Attacks with commands: forged frames, replays of captured ones, or a compromised "
            "supplier identity (checked by headend.anomaly when enabled)"},
    {.path = "faults.enabled", .kind = V_BOOL, FIELD(faults.enabled, C_BOOL), .def = "false",
     .doc = "Smart meters fail as the run goes (traditional mode) and are replaced by a visit "
            "(a new meter of installs.population)"},
    {.path = "faults.rate", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(faults.rate, C_F64),
     .lo = 0, .hi = 1, .def = "2 %",
     .doc = "Smart meters (on a WAN) that fail a year, drawn each day from the day's stream"},
    {.path = "faults.repair_mean", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(faults.repair_mean_s, C_F64), .lo = 0, .hi = 86400.0 * 3660, .def = "365 d",
     .doc = "Mean time from a fault (or a SMETS2 meter's dumb start) to its replacement visit "
            "(exponential)"},

    {.path = "meter.firmware", .kind = V_STR, FIELD(meter.firmware, C_STR), .def = "",
     .doc = "Image of the SMETS2 populations that name none: a shared object exporting "
            "mm_abi_get (path as given; the build makes firmware/mm_smets2.so and mm_smets1.so); "
            "empty: the build linked into metersim"},
    {.path = "meter.register_digits", .kind = V_INT, FIELD(meter.register_digits, C_U32),
     .ilo = 6, .ihi = 12, .def = "9", .doc = "Decimal digits of the Wh import register"},
    /* Dithering after restore: up to 2 min at first, 5 min later (seed 003). */
    {.path = "meter.restore_dither", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(meter.restore_dither_s, C_I64), .lo = 0, .hi = 3600, .def = "2 min",
     .doc = "Window W of the uniform delay [0, W] before a meter's first message after a restore"},

    /* A power-fail save runs on the hold-up capacitor's charge; one cut short leaves the
     * previous record (mm/persist.h).  No published rate: 0 unless a scenario asks. */
    {.path = "meter.save_interrupted", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(meter.save_interrupted, C_F64), .lo = 0, .hi = 1, .def = "0 %",
     .doc = "Power-fail saves cut short at a random byte (the meter restarts from its previous "
            "record)"},

    /* 13 % of smart meters were in prepayment mode at the end of 2022 (NAO 2023). */
    {.path = "meter.prepayment_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(meter.prepayment_share, C_F64), .lo = 0, .hi = 1, .def = "13 %",
     .doc = "Meters in prepayment mode (the rest in credit mode)"},
    /* Unconfirmed default: no published split of smart prepayment top-ups between online
     * (sent over the WAN) and shop/keypad; most GB smart PAYG customers use an app. */
    {.path = "meter.remote_topup_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(meter.remote_topup_share, C_F64), .lo = 0, .hi = 1, .def = "50 %",
     .doc = "Prepayment top-ups bought online and sent to the meter over the WAN (the rest are "
            "UTRNs typed at the meter)"},
    /* Typical GB prepayment settings, not a published standard: emergency credit of 10 pounds
     * offered below 1 pound (suppliers quote 5-15), the debt structure of the Aclara SGM1400
     * manual; a low-credit alert below 2 pounds; 30 pounds on a new meter. */
    {.path = "meter.prepayment.initial_credit", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.prepay_initial_p, C_I64), .lo = 0, .hi = 100000, .step = 1, .def = "30 GBP",
     .doc = "Credit on a prepayment meter when it is commissioned"},
    {.path = "meter.prepayment.low_credit", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.prepay_low_p, C_I64), .lo = 0, .hi = 100000, .step = 1, .def = "2 GBP",
     .doc = "The meter raises its low-credit alert (0x810D) when credit falls below this"},
    {.path = "meter.prepayment.emergency_credit", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.prepay_ec_p, C_I64), .lo = 0, .hi = 100000, .step = 1, .def = "10 GBP",
     .doc = "Emergency credit the meter offers (repaid from the next top-up)"},
    {.path = "meter.prepayment.emergency_below", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.prepay_ec_below_p, C_I64), .lo = 0, .hi = 100000, .step = 1, .def = "1 GBP",
     .doc = "Emergency credit is offered once credit falls below this"},
    /* Customers: Uswitch (2022) found a 10-pound top-up lasted prepayment households 4.5 days
     * on average; 20 pounds once credit is below 5 pounds within the day (grid/topup.h). */
    {.path = "meter.prepayment.topup_below", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.topup_below_p, C_I64), .lo = 0, .hi = 100000, .step = 1, .def = "5 GBP",
     .doc = "A prepayment customer tops up once the credit available falls below this"},
    {.path = "meter.prepayment.topup_amount", .kind = V_UNIT, .unit = SIM_UNIT_MONEY,
     FIELD(meter.topup_amount_p, C_I64), .lo = 100, .hi = 819100, .step = 100, .def = "20 GBP",
     .doc = "Each top-up, in whole pounds (a UTRN carries up to 8191 pounds)"},
    {.path = "meter.prepayment.topup_within", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(meter.topup_within_s, C_I64), .lo = 1, .hi = DAYS(7), .step = 1, .def = "16 h",
     .doc = "A customer who notices low credit tops up after a delay uniform in [1 min, 1 min + "
            "this] (1 min once the meter has cut the supply)"},

    /* A customer loses supply about once every 3 years for about an hour (GB DNO
     * reliability figures). */
    {.path = "outages.background", .kind = V_BOOL, FIELD(outages.background, C_BOOL),
     .def = "true", .doc = "Background faults at HV feeder, LV substation and LV feeder level"},
    {.path = "outages.interruptions_per_year", .kind = V_REAL,
     FIELD(outages.interruptions_per_year, C_F64), .lo = 0, .hi = 100, .def = "0.333",
     .doc = "Background interruptions per customer per year"},
    {.path = "outages.mean_duration", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.mean_duration_s, C_F64), .lo = 1, .hi = DAYS(30), .def = "1 h",
     .doc = "Mean repair time of a background fault (lognormal)"},
    {.path = "outages.duration_sigma", .kind = V_REAL, FIELD(outages.duration_sigma, C_F64),
     .lo = 0, .hi = 3, .def = "1", .doc = "Lognormal sigma of background repair times"},
    {.path = "outages.share_hv", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_hv, C_F64), .lo = 0, .hi = 1, .def = "55 %",
     .doc = "Share of interruptions from HV feeder faults (shares are normalised)"},
    {.path = "outages.share_lv_substation", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_lv_substation, C_F64), .lo = 0, .hi = 1, .def = "15 %",
     .doc = "Share of interruptions from LV substation faults"},
    {.path = "outages.share_lv_feeder", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.share_lv_feeder, C_F64), .lo = 0, .hi = 1, .def = "30 %",
     .doc = "Share of interruptions from LV feeder faults"},
    /* Cold-load pickup can double demand at restoration (ENWL Smart ReStart). */
    {.path = "outages.cold_load.gain", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(outages.cold_load_gain, C_F64), .lo = 0, .hi = 5, .def = "100 %",
     .doc = "Extra demand at restoration after a long outage, as a share of normal demand"},
    {.path = "outages.cold_load.full_after", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.cold_load_full_s, C_F64), .lo = 1, .hi = DAYS(7), .def = "4 h",
     .doc = "Outage length scale: gain x (1 - exp(-outage / full_after))"},
    {.path = "outages.cold_load.decay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(outages.cold_load_decay_s, C_F64), .lo = 60, .hi = DAYS(1), .def = "1 h",
     .doc = "Time constant of the decay of cold-load pickup"},

    /* Storm Eunice (Feb 2022): 1.4M off, 1.2M restored within about a day. */
    {.path = "storm.enabled", .kind = V_BOOL, FIELD(storm.enabled, C_BOOL), .def = "false",
     .doc = "Apply a storm"},
    {.path = "storm.start", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(storm.start_s, C_I64),
     .lo = 0, .hi = DAYS(3660), .def = "1 h", .doc = "When the storm begins, after the run's start"},
    {.path = "storm.onset", .kind = V_UNIT, .unit = SIM_UNIT_DURATION, FIELD(storm.onset_s, C_I64),
     .lo = 0, .hi = DAYS(7), .def = "6 h", .doc = "Window over which substations lose supply"},
    {.path = "storm.regions", .kind = V_STR, FIELD(storm.regions, C_STR), .def = "all",
     .choices = REGION_LIST, .check = check_regions, .pattern = REGIONS_PATTERN,
     .doc = "Regions the storm hits"},
    {.path = "storm.share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, FIELD(storm.share, C_F64),
     .lo = 0, .hi = 1, .def = "30 %", .doc = "Share of LV substations in those regions that lose supply"},
    {.path = "storm.fast_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(storm.fast_share, C_F64), .lo = 0, .hi = 1, .def = "87 %",
     .doc = "Share of hit substations in the fast restoration group"},
    {.path = "storm.fast_median", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(storm.fast_median_s, C_F64), .lo = 60, .hi = DAYS(30), .def = "5 h",
     .doc = "Median restoration time of the fast group (lognormal)"},
    {.path = "storm.tail_median", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(storm.tail_median_s, C_F64), .lo = 60, .hi = DAYS(60), .def = "3 d",
     .doc = "Median restoration time of the tail (lognormal)"},
    {.path = "storm.sigma", .kind = V_REAL, FIELD(storm.sigma, C_F64), .lo = 0, .hi = 3,
     .def = "0.8", .doc = "Lognormal sigma of restoration times"},

    {.path = "wan.read_start", .kind = V_UNIT, .unit = SIM_UNIT_TIME_OF_DAY,
     FIELD(wan.read_start_s, C_I64), .lo = 0, .hi = 86399, .def = "00:30",
     .doc = "Time of day (UTC) the daily profile reads begin"},
    {.path = "wan.read_window", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.read_window_s, C_I64), .lo = 0, .hi = DAYS(1), .def = "4 h",
     .doc = "Span over which the daily reads are spread"},
    {.path = "wan.profile_read_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.profile_read_bytes, C_U32), .lo = 1, .hi = 16777216, .def = "1 KiB",
     .doc = "Bytes returned by one daily profile read"},
    {.path = "wan.uplink.bandwidth", .kind = V_UNIT, .unit = SIM_UNIT_BIT_RATE,
     FIELD(wan.uplink_bps, C_F64), .lo = 1, .hi = 1e11, .def = "2 Mbit/s",
     .doc = "Bandwidth of each area's uplink (wan.technology: uniform)"},
    {.path = "wan.uplink.latency", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.uplink_latency_s, C_F64), .lo = 0, .hi = 60, .def = "100 ms",
     .doc = "One-way latency of each area's uplink"},
    {.path = "wan.backbone.bandwidth", .kind = V_UNIT, .unit = SIM_UNIT_BIT_RATE,
     FIELD(wan.backbone_bps, C_F64), .lo = 1, .hi = 1e12, .def = "1 Gbit/s",
     .doc = "Bandwidth of the backbone to the head-end"},
    {.path = "wan.backbone.latency", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.backbone_latency_s, C_F64), .lo = 0, .hi = 60, .def = "10 ms",
     .doc = "One-way latency of the backbone"},
    {.path = "wan.technology", ENUM(wan.technology, wan_technologies), .def = "model",
     .doc = "model: DCC North long-range radio, Central/South cellular with mesh in coverage "
            "holes, SMETS1 over 2G/3G (net/wantech.h); uniform: every area on wan.uplink"},
    {.path = "wan.max_flows", .kind = V_INT, FIELD(wan.max_flows, C_U32), .ilo = 1, .ihi = 1024,
     .def = "8", .doc = "Transfers an area's uplink carries at once; more wait in the cell queue"},
    /* The comms hub sends AD1 after 3 min without power (SEC modification MP102). */
    {.path = "wan.ad1_delay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.ad1_delay_s, C_I64), .lo = 0, .hi = 3600, .def = "3 min",
     .doc = "Time without power after which the comms hub sends its power outage alert (AD1)"},
    /* The DCC's shortest round-trip target is 25 s; it gives up after 5 attempts (DCC
     * performance measures, 2018). */
    {.path = "wan.retry.timeout", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(wan.retry_timeout_s, C_F64), .lo = 1, .hi = 3600, .def = "25 s",
     .doc = "Wait before a hub counts an alert lost on the WAN as failed and sends it again"},
    {.path = "wan.retry.max_attempts", .kind = V_INT, FIELD(wan.retry_attempts, C_U32), .ilo = 1,
     .ihi = 100, .def = "5", .doc = "Sends of one alert in all (backoff 5 s doubling to 5 min, "
                                    "full jitter)"},
    {.path = "wan.outage_alert_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.alert_bytes, C_U32), .lo = 1, .hi = 65536, .def = "200 B",
     .doc = "Bytes of one alert (AD1, restore) on the WAN"},
    /* Long-range radio can broadcast to every meter of a base station (FlexNet); the DCC's
     * cellular and SMETS1 networks address each hub (seed 003/004). */
    {.path = "wan.price_delivery", ENUM(wan.price_delivery, price_deliveries), .def = "auto",
     .doc = "How price updates reach meters: auto broadcasts on long-range radio areas and sends "
            "one message per meter elsewhere; broadcast or unicast force one way everywhere"},
    /* Unconfirmed defaults: a GBCS command carries its own headers and the DCC/CSP transport
     * adds framing; no published per-message figure found. */
    {.path = "wan.command_overhead", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.command_overhead_bytes, C_U32), .lo = 0, .hi = 65536, .def = "64 B",
     .doc = "Bytes added on the WAN to each command frame the head-end sends (headers, transport)"},
    {.path = "wan.response_size", .kind = V_UNIT, .unit = SIM_UNIT_DATA_SIZE,
     FIELD(wan.response_bytes, C_U32), .lo = 1, .hi = 65536, .def = "128 B",
     .doc = "Bytes of a meter's response to a unicast command on the WAN"},

    /* 2.4 GHz alone reaches ~70 % of premises, dual band ~96.5 % (seed 003); the
     * share of dual-band hubs installed is not published: a tunable default. */
    {.path = "han.dual_band_share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT,
     FIELD(han.dual_band_share, C_F64), .lo = 0, .hi = 1, .def = "50 %",
     .doc = "Comms hubs that are dual band (2.4 GHz + 868 MHz)"},

    /* No published DCC processing figures: capacities and service times are tunable
     * defaults (net/headend.h), the response targets are the DCC's 25 s / 2 h / 22 h. */
    {.path = "headend.servers", .kind = V_INT, FIELD(headend.servers, C_U32), .ilo = 1,
     .ihi = 1000000, .def = "16", .doc = "Requests the head-end processes in parallel"},
    {.path = "headend.queue_capacity", .kind = V_INT, FIELD(headend.queue_capacity, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "20000",
     .doc = "Requests that may wait for processing; more are dropped"},
    {.path = "headend.discipline", ENUM(headend.discipline, disciplines), .def = "fifo",
     .doc = "Queue order: first come first served, or by request class (commands first)"},
    {.path = "headend.alert_service", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.alert_service_s, C_F64), .lo = 0, .hi = 3600, .def = "50 ms",
     .doc = "Processing time of one alert (deterministic)"},
    /* No published per-meter rate of on-demand reads: off unless a scenario asks. */
    {.path = "headend.ondemand_reads", .kind = V_REAL, FIELD(headend.ondemand_per_day, C_F64),
     .lo = 0, .hi = 1000, .def = "0",
     .doc = "On-demand register reads the supplier requests per meter per day (Poisson); each "
            "is a WAN command, the meter's answer counts in head-end class ondemand_read"},
    {.path = "headend.read_service", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.read_service_s, C_F64), .lo = 0, .hi = 3600, .def = "200 ms",
     .doc = "Mean processing time of one profile read (exponential)"},
    {.path = "headend.dno_delay", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.dno_delay_s, C_F64), .lo = 0, .hi = DAYS(1), .def = "0 s",
     .doc = "Forwarding delay of restore alerts from the head-end to the DNO"},

    /* SEC Section G, Threshold Anomaly Detection: the DCC quarantines service requests over
     * per-user and system thresholds.  The thresholds are set per user and not published: the
     * defaults are ours (off; when on, 1,000 critical commands an hour per user). */
    {.path = "headend.anomaly.enabled", .kind = V_BOOL, FIELD(headend.tad, C_BOOL), .def = "false",
     .doc = "The DCC's threshold anomaly detection on command runs through the DCC"},
    {.path = "headend.anomaly.window", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.tad_window_s, C_F64), .lo = 1, .hi = DAYS(31), .step = 1, .def = "1 h",
     .doc = "Counting window of the thresholds (fixed, from the run start)"},
    {.path = "headend.anomaly.critical_per_user", .kind = V_INT, FIELD(headend.tad_crit_user, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "1000",
     .doc = "Critical commands (disable, mode change) one user may send in a window, national; "
            "0 no limit"},
    {.path = "headend.anomaly.critical_system", .kind = V_INT, FIELD(headend.tad_crit_sys, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "0",
     .doc = "Critical commands all users together may send in a window, national; 0 no limit"},
    {.path = "headend.anomaly.commands_per_user", .kind = V_INT, FIELD(headend.tad_all_user, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "0",
     .doc = "Commands of any kind one user may send in a window, national; 0 no limit"},
    {.path = "headend.anomaly.commands_system", .kind = V_INT, FIELD(headend.tad_all_sys, C_U32),
     .ilo = 0, .ihi = 100000000, .def = "0",
     .doc = "Commands of any kind all users may send in a window, national; 0 no limit"},
    {.path = "headend.anomaly.quarantine", .kind = V_UNIT, .unit = SIM_UNIT_DURATION,
     FIELD(headend.tad_quarantine_s, C_F64), .lo = 0, .hi = DAYS(400), .step = 1, .def = "1 d",
     .doc = "A tripped threshold holds the user's (or, for a system one, everyone's) commands of "
            "its kind this long: the time to confirm or delete them"},
    /* The DCC head-end's own rate thresholds (SEC Threshold Anomaly Detection also limits the
     * traffic reaching it); no published rates: off unless a scenario sets them. */
    {.path = "headend.throttle.enabled", .kind = V_BOOL, FIELD(headend.throttle, C_BOOL),
     .def = "false",
     .doc = "Rate thresholds on the requests reaching the DCC head-end (alerts, answers to "
            "commands, reads): over one, a request is quarantined, not processed"},
    {.path = "headend.throttle.system_rate", .kind = V_REAL, FIELD(headend.throttle_sys_rate, C_F64),
     .lo = 0, .hi = 1e9, .def = "0",
     .doc = "Requests a second the whole head-end takes (token bucket); 0 no limit"},
    {.path = "headend.throttle.system_burst", .kind = V_REAL,
     FIELD(headend.throttle_sys_burst, C_F64), .lo = 1, .hi = 1e9, .def = "100",
     .doc = "Requests the whole head-end takes at once above its rate (the bucket's depth)"},
    {.path = "headend.throttle.burst", .kind = V_REAL, FIELD(headend.throttle_burst, C_F64),
     .lo = 1, .hi = 1e9, .def = "100",
     .doc = "Requests of one class taken at once above the class's rate (each bucket's depth)"},
#define THROTTLE(name, key, target, prio, desc)                                                    \
    {.path = "headend.throttle." key, .kind = V_REAL,                                              \
     FIELD(headend.throttle_rate[NET_HE_##name], C_F64), .lo = 0, .hi = 1e9, .def = "0",           \
     .doc = "Requests a second of class " key " the head-end takes (" desc "); 0 no limit"},
    NET_HE_CLASS_MAP(THROTTLE)
#undef THROTTLE

    {.path = "trace.events", .kind = V_BOOL, FIELD(trace.events, C_BOOL), .def = "true",
     .doc = "Record alerts, commands and outages in /events"},
    {.path = "trace.compression", .kind = V_INT, FIELD(trace.compression, C_U32),
     .ilo = 0, .ihi = 9, .def = "4", .doc = "Deflate level of the trace datasets"},
    {.path = "trace.chunk_households", .kind = V_INT, FIELD(trace.chunk_households, C_U32),
     .ilo = 1, .ihi = 1000000, .def = "1024", .doc = "Households per HDF5 chunk"},
    {.path = "trace.firmware_log", .kind = V_STR, FIELD(trace.firmware_log, C_STR), .def = "",
     .choices = "household ids, e.g. \"0, 17\" (at most 64)", .check = check_households,
     .pattern = HOUSEHOLDS_PATTERN,
     .doc = "Households whose meter's own event log (the last 16 events it keeps) is written "
            "to /meter/firmware_log at the end; metersim timeline shows it"},
};

const sim_schema sim_scenario_schema = {keys, sizeof keys / sizeof keys[0], sizeof(sim_scenario)};

/* The enum rows store an int (convert.c); the C enums must be one. */
_Static_assert(sizeof(sim_load_model) == sizeof(int) && sizeof(sim_tariff) == sizeof(int) &&
                   sizeof(sim_wan_technology) == sizeof(int) &&
                   sizeof(sim_price_delivery) == sizeof(int) && sizeof(sim_discipline) == sizeof(int),
               "enum keys are stored as int");

const char *sim_load_model_name(sim_load_model m)
{
    return sim_enum_name(load_models, (int)m);
}

const char *sim_tariff_name(sim_tariff t)
{
    return sim_enum_name(tariffs, (int)t);
}

const char *sim_generation_name(sim_generation g)
{
    return sim_enum_name(generations, (int)g);
}

const char *sim_smso_name(sim_smso o)
{
    return sim_enum_name(smsos, (int)o);
}

int sim_population_tariff(const sim_scenario *sc, const sim_population *p)
{
    if (p->tariff == SIM_POP_TARIFF_DEFAULT) return (int)sc->prices.tariff;
    if (p->tariff == SIM_POP_TARIFF_MENU) return -1;
    return p->tariff - SIM_POP_TARIFF_FIXED;
}

/* The schema machinery with a table of its own: sequences of records (parsing, messages
 * with positions, defaults per element, --set of one element's key, the resolved text
 * and its round trip, the reference), and the scenario table's string patterns.  The shipped
 * scenario has no sequence yet. */
#include "load.h"
#include "schema.h"
#include "write.h"

#include <criterion/criterion.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SCENARIO_DATA_DIR
#error "build with -DSCENARIO_DATA_DIR=<tests/scenario/data>"
#endif

typedef struct population {
    char name[32];
    double share;   /* fraction */
    int generation; /* index in generations[] */
    char firmware[64];
} population;

#define MAX_POPULATIONS 8

typedef struct fleet_rec {
    char name[32];
    uint32_t households;
    struct {
        population populations[MAX_POPULATIONS];
        uint32_t n_populations;
    } fleet;
} fleet_rec;

enum { SMETS2, SMETS1 };
static const char *const generations[] = {[SMETS2] = "smets2", [SMETS1] = "smets1", NULL};

/* clang-format off */
static const sim_key population_keys[] = {
    {.path = "name", .kind = V_NAME, SIM_FIELD(population, name, C_STR), .def = NULL,
     .doc = "Name of the population"},
    {.path = "share", .kind = V_UNIT, .unit = SIM_UNIT_PERCENT, SIM_FIELD(population, share, C_F64),
     .lo = 0, .hi = 1, .def = "100 %", .doc = "Share of the households"},
    {.path = "generation", .kind = V_ENUM, SIM_FIELD(population, generation, C_ENUM),
     .names = generations, .def = "smets2", .doc = "Meter generation"},
    {.path = "firmware.image", .kind = V_STR, SIM_FIELD(population, firmware, C_STR), .def = "",
     .doc = "Firmware image"},
};
static const sim_schema population_schema = {population_keys, 4, sizeof(population)};

static const sim_key fleet_keys[] = {
    {.path = "name", .kind = V_NAME, SIM_FIELD(fleet_rec, name, C_STR), .def = NULL, .doc = "Name"},
    {.path = "households", .kind = V_INT, SIM_FIELD(fleet_rec, households, C_U32), .ilo = 1,
     .ihi = 1000, .def = "10", .doc = "Households"},
    {.path = "fleet.populations",
     SIM_SEQ(fleet_rec, fleet.populations, fleet.n_populations, population_schema),
     .ilo = 1, .ihi = MAX_POPULATIONS, .def = "[{name: all}]", .doc = "Meter populations"},
};
/* clang-format on */
static const sim_schema fleet_schema = {fleet_keys, 3, sizeof(fleet_rec)};

static void enter_data_dir(void)
{
    cr_assert_eq(chdir(SCENARIO_DATA_DIR), 0, "cannot enter %s", SCENARIO_DATA_DIR);
}

TestSuite(schema, .init = enter_data_dir);

static char err[8192];

static int load(const char *path, const char *const *sets, size_t nsets, fleet_rec *rec,
                char **text)
{
    memset(rec, 0, sizeof *rec);
    err[0] = '\0';
    sim_load_out out;
    int rc = sim_schema_load(&fleet_schema, path, sets, nsets, rec, NULL, &out, err, sizeof err);
    free(out.files);
    free(out.given);
    *text = out.resolved;
    return rc;
}

static char *load_ok(const char *path, const char *const *sets, size_t nsets, fleet_rec *rec)
{
    char *text = NULL;
    cr_assert_eq(load(path, sets, nsets, rec, &text), 0, "%s did not load:\n%s", path, err);
    cr_assert_not_null(text);
    return text;
}

static void expect_errors(const char *path, const char *const *sets, size_t nsets,
                          const char *expected)
{
    fleet_rec rec;
    char *text = NULL;
    cr_assert_eq(load(path, sets, nsets, &rec, &text), -1, "%s loaded", path);
    cr_expect_null(text);
    cr_expect_str_eq(err, expected);
}

Test(schema, the_tables_are_well_formed)
{
    char why[200] = "";
    cr_expect_eq(sim_schema_check(&fleet_schema, why, sizeof why), 0, "%s", why);
    cr_expect_eq(sim_schema_check(&sim_scenario_schema, why, sizeof why), 0, "%s", why);
    static const sim_key too_many[] = {
        {.path = "p",
         SIM_SEQ(fleet_rec, fleet.populations, fleet.n_populations, population_schema),
         .ilo = 0,
         .ihi = MAX_POPULATIONS + 1,
         .def = "[]",
         .doc = ""},
    };
    static const sim_schema bad = {too_many, 1, sizeof(fleet_rec)};
    cr_expect_eq(sim_schema_check(&bad, why, sizeof why), -1);
    cr_expect_str_eq(why, "p: its element count range does not fit its array");
    static const sim_key nested_required[] = {
        {.path = "g.name",
         .kind = V_NAME,
         SIM_FIELD(fleet_rec, name, C_STR),
         .def = NULL,
         .doc = ""},
    };
    static const sim_schema nested = {nested_required, 1, sizeof(fleet_rec)};
    cr_expect_eq(sim_schema_check(&nested, why, sizeof why), -1);
    cr_expect_str_eq(why, "g.name: a key inside a group cannot be required (the JSON Schema could "
                          "not say it)");
}

Test(schema, reads_a_sequence_of_records_with_defaults_per_element)
{
    fleet_rec rec;
    char *text = load_ok("fleet.yaml", NULL, 0, &rec);
    cr_expect_eq(rec.households, 10);
    cr_assert_eq(rec.fleet.n_populations, 3);
    const population *p = rec.fleet.populations;
    cr_expect_str_eq(p[0].name, "north");
    cr_expect_eq(p[0].share, 0.5);
    cr_expect_eq(p[0].generation, SMETS1);
    cr_expect_str_eq(p[0].firmware, "fw/n.so");
    cr_expect_str_eq(p[1].name, "south");
    cr_expect_eq(p[1].share, 0.3);
    cr_expect_eq(p[1].generation, SMETS2); /* default */
    cr_expect_str_eq(p[1].firmware, "");
    cr_expect_str_eq(p[2].name, "rest");
    cr_expect_eq(p[2].share, 0.2);
    cr_expect_str_eq(text, "# resolved by metersim from fleet.yaml\n"
                           "name: \"three\"\n"
                           "households: 10\n"
                           "fleet:\n"
                           "  populations:\n"
                           "    - name: \"north\"\n"
                           "      share: 50 %\n"
                           "      generation: smets1\n"
                           "      firmware:\n"
                           "        image: \"fw/n.so\"\n"
                           "    - name: \"south\"\n"
                           "      share: 30 %\n"
                           "      generation: smets2\n"
                           "      firmware:\n"
                           "        image: \"\"\n"
                           "    - name: \"rest\"\n"
                           "      share: 20 %\n"
                           "      generation: smets2\n"
                           "      firmware:\n"
                           "        image: \"\"\n");
    free(text);
}

Test(schema, gives_an_absent_sequence_its_default_and_each_element_its_defaults)
{
    fleet_rec rec;
    char *text = load_ok("fleet_default.yaml", NULL, 0, &rec);
    cr_assert_eq(rec.fleet.n_populations, 1);
    cr_expect_str_eq(rec.fleet.populations[0].name, "all");
    cr_expect_eq(rec.fleet.populations[0].share, 1.0);
    cr_expect_eq(rec.fleet.populations[0].generation, SMETS2);
    free(text);
    /* A base's sequence is inherited whole, like any key. */
    text = load_ok("fleet_child.yaml", NULL, 0, &rec);
    cr_expect_eq(rec.households, 7);
    cr_assert_eq(rec.fleet.n_populations, 2);
    cr_expect_str_eq(rec.fleet.populations[1].name, "b");
    cr_expect_eq(rec.fleet.populations[1].share, 0.4);
    free(text);
}

Test(schema, reports_element_errors_at_their_position_with_the_element_path)
{
    expect_errors(
        "fleet_bad.yaml", NULL, 0,
        "fleet_bad.yaml:5:7: fleet.populations[1].shre: unknown key; did you mean "
        "\"fleet.populations[1].share\"?\n"
        "fleet_bad.yaml:8:14: fleet.populations[2].share: \"120 %\" is out of range (0 %..100 %)\n"
        "fleet_bad.yaml:9:7: fleet.populations[2].name: duplicate key (first given at 7:7)\n"
        "fleet_bad.yaml:10:7: fleet.populations[3]: expected a mapping with keys name, share, "
        "generation, firmware, got a scalar\n"
        "fleet_bad.yaml:12:19: fleet.populations[4].generation: expected one of: smets2,smets1, "
        "got \"smets3\"");
    expect_errors("fleet_count.yaml", NULL, 0,
                  "fleet_count.yaml:4:16: fleet.populations: expected 1..8 elements, got 0");
    const char *sets[] = {"fleet.populations=[{share: 5 %}, 3]", "fleet.populations.name=x"};
    expect_errors("fleet_default.yaml", sets, 2,
                  "--set:1:20: fleet.populations[0].name: missing required key (a name, 1..31 "
                  "characters of A-Z a-z 0-9 _ . -)\n"
                  "--set:1:34: fleet.populations[1]: expected a mapping with keys name, share, "
                  "generation, firmware, got a scalar\n"
                  "--set:1:1: fleet.populations.name: unknown key; expected one of: name, "
                  "households, fleet");
}

Test(schema, sets_one_key_of_one_element)
{
    const char *sets[] = {"fleet.populations[1].share=10%",
                          "fleet.populations[0].firmware.image=a.so",
                          "fleet.populations[1].share=15 %"};
    fleet_rec rec;
    char *text = load_ok("fleet.yaml", sets, 3, &rec);
    cr_expect_eq(rec.fleet.populations[1].share, 0.15); /* the later --set wins */
    cr_expect_str_eq(rec.fleet.populations[0].firmware, "a.so");
    cr_expect_eq(rec.fleet.populations[0].share, 0.5);
    free(text);
    /* A --set of the whole sequence replaces what earlier ones gave its elements. */
    const char *whole[] = {"fleet.populations[1].share=10%",
                           "fleet.populations=[{name: a}, {name: b}]",
                           "fleet.populations[0].share=25 %"};
    text = load_ok("fleet.yaml", whole, 3, &rec);
    cr_assert_eq(rec.fleet.n_populations, 2);
    cr_expect_eq(rec.fleet.populations[0].share, 0.25);
    cr_expect_eq(rec.fleet.populations[1].share, 1.0);
    free(text);
}

Test(schema, reports_set_errors_for_elements)
{
    const char *sets[] = {"fleet.populations[5].share=10%",
                          "fleet.populations[1].shar=1 %",
                          "fleet.populations[x].share=1 %",
                          "fleet.populations[01].share=1 %",
                          "households[0].x=1",
                          "fleet.populations[0].share=lots",
                          "fleet.populations[0].firmware=x"};
    expect_errors("fleet.yaml", sets, 7,
                  "--set:1:1: fleet.populations: no element 5 to set; it has 3\n"
                  "--set:1:1: fleet.populations[1].shar: unknown key; did you mean "
                  "\"fleet.populations[1].share\"?\n"
                  "--set:1:1: fleet.populations: expected fleet.populations[N].key, N the "
                  "element's index counted from 0\n"
                  "--set:1:1: fleet.populations: expected fleet.populations[N].key, N the "
                  "element's index counted from 0\n"
                  "--set:1:1: households[0].x: unknown key; expected one of: name, households, "
                  "fleet\n"
                  "--set:1:28: fleet.populations[0].share: expected a percentage such as \"5 "
                  "%\"; \"lots\" does not start with a number\n"
                  "--set:1:1: fleet.populations[0].firmware: is a mapping; set one of its keys: "
                  "image");
}

/* Writes TEXT to a fresh temporary file and returns its malloc'd path. */
static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/metersim-schema-XXXXXX");
    cr_assert_not_null(path);
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    size_t len = strlen(text);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(schema, resolved_text_with_sequences_loads_back_to_the_same_record)
{
    const char *sets[] = {"fleet.populations[2].share=0.125 %", "fleet.populations[1].name=s-2"};
    fleet_rec first, second;
    char *text1 = load_ok("fleet.yaml", sets, 2, &first);
    char *copy = temp_file(text1);
    char *text2 = load_ok(copy, NULL, 0, &second);
    cr_expect_eq(memcmp(&first, &second, sizeof first), 0);
    cr_expect_str_eq(strchr(text2, '\n'), strchr(text1, '\n'));
    unlink(copy);
    free(copy);
    free(text1);
    free(text2);
}

Test(schema, documents_the_keys_of_a_sequences_elements)
{
    char *md = NULL;
    cr_assert_eq(sim_schema_reference(&fleet_schema, &md), 0);
    cr_expect_str_eq(
        md, "| Key | Type | Default | Range | Description |\n"
            "|-----|------|---------|-------|-------------|\n"
            "| `name` | name | required | 1..31 characters of A-Z a-z 0-9 _ . - | Name |\n"
            "| `households` | integer | `10` | 1..1000 | Households |\n"
            "| `fleet.populations` | sequence | `[{name: all}]` | 1..8 elements | Meter "
            "populations |\n"
            "| `fleet.populations[].name` | name | required | 1..31 characters of A-Z a-z 0-9 _ . "
            "- | Name of the population |\n"
            "| `fleet.populations[].share` | percentage | `100 %` | 0 %..100 % | Share of the "
            "households |\n"
            "| `fleet.populations[].generation` | enum | `smets2` | smets2,smets1 | Meter "
            "generation |\n"
            "| `fleet.populations[].firmware.image` | string | `\"\"` | up to 63 bytes | Firmware "
            "image |\n");
    free(md);
}

/* The JSON Schema's pattern of a checked string row (keys.c) against its check function:
 * over texts of numbers, separators and blanks, the pattern matches exactly the texts the
 * check takes.  No checked row takes true or false, so the schema refuses booleans there. */
static void pattern_agrees_with_check(const sim_key *r, const regex_t *re, const char *text,
                                      int *wrong)
{
    char why[160];
    bool takes = r->check(text, why, sizeof why) == 0;
    bool matches = regexec(re, text, 0, NULL, 0) == 0;
    if (takes != matches && (*wrong)++ < 5)
        cr_expect_fail("%s: \"%s\": the check %s it, the pattern %s", r->path, text,
                       takes ? "takes" : "refuses", matches ? "matches" : "does not match");
}

static void check_patterns(const sim_schema *s, int *rows)
{
    static const char *const numbers[] = {
        "0",   "1",    "01", "001", "9",        "10",       "14",        "014",      "15",
        "100", "1000", "17", "00",  "49999999", "50000000", "050000000", "50000001", "4294967296"};
    static const char *const seps[] = {",", " ,", ", ", " , ", ",,", " ", ""};
    static const char *const tails[] = {"", ",", " ", ", ", " ,"};
    static const char *const odd[] = {
        "all",        "all ",           " all",          "ALL",         "",
        " ",          ",",              "1-2",           "a",           "1,a",
        "true",       "false",          "TRUE",          "False",       "~",
        "London",     "london , SOUTH   wales",          "1, London,14", "Londn",
        "London,",    "North",          "dcc north",     "DCC  Central", "dcc",
        "DCC North West", "dccnorth",   "all, Yorkshire", "Merseyside and  North Wales",
        "Merseyside and", "South Wales 2", "South-Wales", "Eastern,, 3"};
    for (size_t i = 0; i < s->n; i++) {
        const sim_key *r = &s->keys[i];
        if (r->kind == V_SEQ) check_patterns(r->elem, rows);
        if (!r->check) continue;
        char why[160];
        cr_expect_neq(r->check("true", why, sizeof why), 0, "%s takes true", r->path);
        cr_expect_neq(r->check("false", why, sizeof why), 0, "%s takes false", r->path);
        if (!r->pattern) continue;
        int wrong = 0;
        ++*rows;
        regex_t re;
        cr_assert_eq(regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB), 0, "%s", r->pattern);
        for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
            pattern_agrees_with_check(r, &re, odd[k], &wrong);
        for (size_t a = 0; a < sizeof numbers / sizeof numbers[0]; a++)
            for (size_t b = 0; b < sizeof numbers / sizeof numbers[0]; b += 3)
                for (size_t sep = 0; sep < sizeof seps / sizeof seps[0]; sep++)
                    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
                        char text[80];
                        snprintf(text, sizeof text, "%s%s%s%s%s", t % 2 ? " " : "", numbers[a],
                                 seps[sep], numbers[b], tails[t]);
                        pattern_agrees_with_check(r, &re, text, &wrong);
                        snprintf(text, sizeof text, "%s%s", numbers[a], tails[t]);
                        pattern_agrees_with_check(r, &re, text, &wrong);
                    }
        /* lists of 63, 64 and 65 items */
        for (int n = 63; n <= 65; n++) {
            char list[400] = "";
            for (int k = 0; k < n; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", k ? ", " : "",
                         k % 14 + 1);
            pattern_agrees_with_check(r, &re, list, &wrong);
        }
        regfree(&re);
    }
}

Test(schema, string_patterns_match_exactly_what_the_checks_take)
{
    int rows = 0;
    check_patterns(&sim_scenario_schema, &rows);
    cr_expect_eq(rows, 6, "topology.regions, storm.regions, fleet.populations[].regions, "
                          "commands[].regions, attack[].regions, trace.firmware_log");
}

/* Fuzz target: the unit parser (sim/units.h), every kind, on the input as text.
 *
 * Invariants checked (a violation traps):
 *  - a parsed value is finite, formats, and the formatted text parses back to the same value;
 *  - text the parser accepts matches the kind's pattern (sim_unit_pattern, read here as a
 *    POSIX ERE), and text matching it is accepted, or refused only for its magnitude or a
 *    number too long to hold;
 *  - a negative value never matches the pattern without a sign (dates before 1970 have none);
 *  - the input's first 8 bytes as a double: when it formats, the text parses back to it.
 */
#include "sim/units.h"

#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static regex_t pattern[SIM_UNIT_COUNT][2]; /* [kind][negative] */
static int compiled;

static void compile_patterns(void)
{
    for (int k = 0; k < SIM_UNIT_COUNT; k++) {
        for (int neg = 0; neg < 2; neg++) {
            char re[1024];
            if (sim_unit_pattern((sim_unit)k, neg, re, sizeof re) != 0 ||
                regcomp(&pattern[k][neg], re, REG_EXTENDED | REG_NOSUB) != 0) {
                fprintf(stderr, "pattern of kind %d does not compile: %s\n", k, re);
                abort();
            }
        }
    }
    compiled = 1;
}

static void fail(const char *what, int kind, const char *text, double v)
{
    fprintf(stderr, "units: %s (kind %s, text \"%s\", value %.17g)\n", what,
            sim_unit_name((sim_unit)kind), text, v);
    __builtin_trap();
}

/* VALUE formats to a text that parses back to exactly VALUE (or does not format). */
static void round_trip(int kind, double value, const char *from, int must_format)
{
    char buf[64];
    int rc = sim_unit_format((sim_unit)kind, value, buf, sizeof buf);
    if (rc != 0) {
        if (must_format) fail("a parsed value does not format", kind, from, value);
        return;
    }
    double back = NAN;
    char why[256];
    if (sim_unit_parse((sim_unit)kind, buf, &back, why, sizeof why) != 0)
        fail("a formatted value does not parse", kind, buf, value);
    if (!(back == value)) fail("a formatted value parses to another value", kind, buf, value);
}

/* Length of the number the parser would read at the start of TEXT (after blanks). */
static size_t number_length(const char *text)
{
    const char *p = text + strspn(text, " \t");
    return strspn(p, "+-0123456789.eE");
}

static void check_kind(int kind, const char *text)
{
    double v = NAN;
    char why[256];
    int rc = sim_unit_parse((sim_unit)kind, text, &v, why, sizeof why);
    int match = regexec(&pattern[kind][1], text, 0, NULL, 0) == 0;
    int match_unsigned = regexec(&pattern[kind][0], text, 0, NULL, 0) == 0;
    if (rc == 0) {
        if (!isfinite(v)) fail("a parsed value is not finite", kind, text, v);
        if (!match) fail("accepted text does not match the pattern", kind, text, v);
        if (v < 0 && match_unsigned && sim_unit_symbol((sim_unit)kind, 0)) fail("a negative value matches the unsigned pattern", kind,
                                          text, v);
        if (!strchr(text, '-') && !match_unsigned)
            fail("unsigned text does not match the unsigned pattern", kind, text, v);
        round_trip(kind, v, text, 1);
    } else {
        if (why[0] == '\0') fail("a refusal without a reason", kind, text, v);
        if (match && rc != SIM_EUNIT_RANGE && !(rc == SIM_EUNIT_NUMBER && number_length(text) >= 63))
            fail("text matching the pattern is refused for its form", kind, text, v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!compiled) compile_patterns();
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* a NUL inside ends the text, as in a C string from YAML */
    for (int k = 0; k < SIM_UNIT_COUNT; k++)
        check_kind(k, text);
    free(text);

    if (size >= 8) {
        double x;
        memcpy(&x, data, sizeof x);
        for (int k = 0; k < SIM_UNIT_COUNT; k++)
            round_trip(k, x, "(bytes)", 0);
    }
    return 0;
}

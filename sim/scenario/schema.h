/* Schema: the table of scenario keys (keys.c) and the look-ups on it.  Private to the
 * scenario loader; sim/scenario.h is the public side.
 */
#ifndef SIM_SCENARIO_SCHEMA_H
#define SIM_SCENARIO_SCHEMA_H

#include "scenario.h"
#include "sim/units.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_KEY_MAX 160 /* longest dotted key path looked up; longer ones are unknown */

/* One row per leaf key.  Rows of one mapping are contiguous and nested mappings follow
 * their parent's leaves, so the resolved text can be written by walking the rows. */
enum vkind {
    V_STR,  /* any text */
    V_NAME, /* [A-Za-z0-9_.-]+: it ends up in file names */
    V_ENUM, /* one of CHOICES */
    V_BOOL,
    V_INT,  /* decimal integer in ILO..IHI */
    V_REAL, /* unit-less number in LO..HI */
    V_UNIT, /* number with a unit of kind UNIT, LO..HI in the unit's base */
};

enum ctype { C_NONE, C_STR, C_BOOL, C_U32, C_U64, C_I64, C_F64 };

typedef struct sim_key {
    const char *path;
    enum vkind kind;
    sim_unit unit;
    enum ctype ct; /* C_NONE: a key that fills no field (extends) */
    size_t off, size;
    double lo, hi;
    int64_t ilo, ihi;
    double step;         /* V_UNIT: the value must be a whole multiple of it; 0: any */
    const char *choices; /* V_ENUM: "a|b|c"; V_STR with CHECK: the accepted form, for docs */
    int (*check)(const char *text, char *why, size_t whylen); /* V_STR: extra validation */
    const char *def; /* default as written in a file; NULL: required */
    const char *doc;
} sim_key;

extern const sim_key sim_scenario_keys[];
extern const size_t sim_scenario_nkeys;

int sim_key_find(const char *path);      /* row index, -1: not a key */
bool sim_key_is_group(const char *path); /* PATH is a mapping of the schema ("wan.uplink") */
/* Names directly under PREFIX ("" for the top level), comma separated, in table order. */
void sim_key_children(const char *prefix, char *buf, size_t len);

#endif

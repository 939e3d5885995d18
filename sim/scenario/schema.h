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

/* One row per key.  Rows of one mapping are contiguous and nested mappings follow their
 * parent's leaves, so the resolved text can be written by walking the rows.  A row of kind
 * V_SEQ is a sequence of records, each described by its own table (ELEM). */

enum vkind {
    V_STR,  /* any text */
    V_NAME, /* [A-Za-z0-9_.-]+: it ends up in file names */
    V_ENUM, /* one of NAMES, stored as its index (a C enum) */
    V_BOOL,
    V_INT,  /* decimal integer in ILO..IHI */
    V_REAL, /* unit-less number in LO..HI */
    V_UNIT, /* number with a unit of kind UNIT, LO..HI in the unit's base */
    V_SEQ,  /* ILO..IHI mappings, each filled by the rows of ELEM */
};

enum ctype { C_NONE, C_STR, C_BOOL, C_U32, C_U64, C_I64, C_F64, C_ENUM, C_SEQ };

typedef struct sim_schema sim_schema;

typedef struct sim_key {
    const char *path; /* dotted, relative to the record the table fills */
    enum vkind kind;
    sim_unit unit;
    enum ctype ct;    /* C_NONE: a key that fills no field (extends) */
    size_t off, size; /* the field; C_SEQ: the whole element array */
    double lo, hi;
    int64_t ilo, ihi;         /* V_INT: the range; V_SEQ: how many elements */
    double step;              /* V_UNIT: the value must be a whole multiple of it; 0: any */
    const char *step_name;    /* what one step is called in messages ("settlement periods") */
    const char *choices;      /* V_STR with CHECK: the accepted form, for docs */
    const char *pattern;      /* V_STR with CHECK: what CHECK accepts as a regular expression
                                 (JSON Schema; ECMA-262, POSIX ERE and Python alike); NULL:
                                 more than one can say (block prices) */
    const char *const *names; /* V_ENUM: the name of each value of the C enum, NULL last */
    int (*check)(const char *text, char *why, size_t whylen); /* V_STR: extra validation */
    const sim_schema *elem; /* V_SEQ: the keys of one element, ELEM->size bytes each */
    size_t count_off;       /* V_SEQ: the uint32_t that receives the number of elements */
    const char *def; /* default as written in a file (V_SEQ: YAML flow text); NULL: required */
    const char *doc;
} sim_key;

/* Designated initialisers of a row's field F of record type T, and of a sequence row
 * (array F, element count COUNT, element table ELEM). */
#define SIM_FIELD(T, f, c) .ct = (c), .off = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define SIM_SEQ(T, f, count, elem_table)                                                           \
    .kind = V_SEQ, SIM_FIELD(T, f, C_SEQ), .count_off = offsetof(T, count), .elem = &(elem_table)

/* The keys of one record type: the scenario, or one element of a sequence. */
struct sim_schema {
    const sim_key *keys;
    size_t n;
    size_t size; /* bytes of the record */
};

/* The scenario's own table (keys.c). */
extern const sim_schema sim_scenario_schema;

int sim_key_find(const sim_schema *s, const char *path); /* row index, -1: not a key */
/* PATH is a mapping of the schema ("wan", "wan.uplink"). */
bool sim_key_is_group(const sim_schema *s, const char *path);
/* Names directly under PREFIX ("" for the top level), comma separated, in table order. */
void sim_key_children(const sim_schema *s, const char *prefix, char *buf, size_t len);

/* Entry V of the NULL-terminated NAMES of an enum row; "?" for a value outside it. */
const char *sim_enum_name(const char *const *names, int v);

/* "A.B" into BUF, or B alone when A is empty: the path a message shows for key B of the
 * record at A ("" for the scenario, "fleet.populations[2]" for an element). */
void sim_key_join(char *buf, size_t len, const char *a, const char *b);

/* 0 when every row of S (and of its element tables) is well formed: fields inside the
 * record, a V_SEQ's IHI elements fit its array, no required key inside a group.  Else -1 and
 * the first problem in WHY. */
int sim_schema_check(const sim_schema *s, char *why, size_t whylen);

#endif

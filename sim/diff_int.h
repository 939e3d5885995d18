/* What the parts of `metersim diff` share: diff.c reads the traces (households, half-hourly
 * matrices, final tables), diff_events.c pairs the events, diff_groups.c sums per payment
 * mode and population and compares the resolved scenarios, diff_report.c prints the text
 * and JSON reports.  Private to the reader library.
 */
#ifndef SIM_DIFF_INT_H
#define SIM_DIFF_INT_H

#include "diff.h"
#include "info.h"
#include "sim/events.h"
#include "output/schema.h"

#include <hdf5.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NO_HOUSEHOLD UINT32_MAX
#define DIFF_NO_GROUP UINT16_MAX

enum { D_HALFHOURLY = 1, D_REGISTERS = 2, D_BILL = 4, D_EVENTS = 8 };
enum { KIND_ALERT, KIND_RECORD }; /* GBCS alert 0x8000-0xFFFF; simulator record or other */

/* How two unequal events of one household and code were matched (diff_events.c). */
enum { EV_SHIFTED, EV_CHANGED, EV_ONLY_A, EV_ONLY_B, EV_NKINDS };

typedef struct trace {
    const char *path;
    hid_t f;
    sim_h5_meta meta;   /* /meta attributes */
    char *yaml;         /* resolved scenario text, NULL when absent */
    int64_t start;      /* sim_start [unix s] */
    uint64_t periods;   /* half-hourly columns of import_wh */
    int has_gas;        /* the gas matrix has periods */
    int has_billing;
} trace;

/* The first difference among a household's events: a pair (shifted or changed) or one
 * unmatched event (only A: in a; only B: in b). */
typedef struct ev_first {
    int kind; /* EV_*, -1 none */
    sim_event a, b;
} ev_first;

/* One diverging household (or the events of no household, row == n). */
typedef struct hh_diff {
    uint32_t row;
    uint32_t what;                     /* D_* */
    uint64_t period;                   /* first divergent settlement period */
    uint32_t channel;                  /* half-hourly channel */
    uint32_t hh_a, hh_b;               /* half-hourly values there [Wh or varh] */
    int64_t reg[SIM_REG_NCOLS];        /* registers B - A [Wh or varh], modulo 2^64 */
    int64_t bill[SIM_BILL_NCOLS];      /* B - A: cost [1e-8 p], balance, available [1e-5 GBP] */
    uint32_t ev[EV_NKINDS];            /* events by how they differ */
    uint32_t only_kind[2][2];          /* [A/B][KIND_*] unmatched events */
    ev_first first;
} hh_diff;

/* Per event code: how its events differ. */
typedef struct code_stats {
    uint32_t code;
    uint64_t n[EV_NKINDS];
    double shift_sum, shift_min, shift_max; /* B - A over shifted pairs [s] */
} code_stats;

enum { GROUP_ALL, GROUP_PAYMENT, GROUP_POPULATION };

typedef struct diff_group {
    char name[64];
    int kind; /* GROUP_* */
    uint64_t households, diverging;
    int64_t bill_cost;  /* sum of B - A [1e-8 p] */
    int64_t reg_import; /* sum of B - A [Wh] */
    int64_t hh_import;  /* sum of B - A over the compared periods [Wh] */
    uint64_t ev_shifted, ev_unmatched;
} diff_group;

/* A scenario key whose resolved value differs. */
typedef struct key_diff {
    char *key, *a, *b; /* a or b NULL when the key is absent there */
    int expected;      /* a firmware image path: expected to differ between images' runs */
} key_diff;

typedef struct diff {
    trace a, b;
    const sim_diff_opts *o;
    uint64_t n;        /* households */
    uint32_t *ids;     /* [n] household ids in row order, ids[r] == r (households()) */
    int32_t *rec;      /* [n + 1] index into recs, -1 none; stale once events() sorts recs */
    hh_diff *recs;     /* sorted by row once events() has run */
    size_t nrecs, caprecs;
    size_t listed;     /* recs listed in the report (--max) */
    uint64_t periods;  /* compared (common prefix) */
    double events_until; /* events compared with t_s below this [s] */
    int64_t *imp_delta;  /* [n] half-hourly import B - A summed over the periods [Wh] */
    /* groups: payment mode and population of each row (diff_groups.c) */
    uint8_t *prepay;     /* [n] 1 prepayment, 0 credit; NULL when unknown */
    const char *pay_source; /* "member" or "inferred", NULL when unknown */
    uint16_t *pop;       /* [n] population index, NULL without populations */
    char **pop_names;
    size_t npop;
    diff_group *groups;
    size_t ngroups;
    code_stats *codes;   /* sorted by code */
    size_t ncodes;
    key_diff *keys;
    size_t nkeys;
    int unexpected_keys; /* keys differ beyond the firmware image paths */
    const char *bills_note; /* why bills were not compared, NULL when they were */
    char *err;
    size_t errlen;
} diff;

/* The reason into d->err; -1. */
int diff_fail(diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The record of ROW, created on first use; NULL when out of memory. */
hh_diff *diff_record(diff *d, uint32_t row);
/* PATH of T opened; -1 with the reason in d->err when it is absent or cannot be opened. */
hid_t diff_open_ds(diff *d, const trace *t, const char *path);
/* Whether DS is a one-dimensional table with the first NM members of record dataset DECL. */
int diff_is_table(hid_t ds, const sim_dataset_decl *decl, size_t nm, hsize_t *n);
/* Read the hyperslab OFF + CNT of DS into BUF as MTYPE. */
int diff_read_block(hid_t ds, hid_t mtype, int rank, const hsize_t *off, const hsize_t *cnt,
                    void *buf);
int diff_kind(uint32_t code);

int diff_events(diff *d);                       /* diff_events.c */
int diff_groups_read(diff *d);                  /* diff_groups.c: members, /fleet */
void diff_prepay_infer(diff *d, uint64_t row, int64_t avail_a, int64_t avail_b);
int diff_groups_sum(diff *d);
int diff_keys(diff *d);                         /* diff_keys.c */
void diff_free_extras(diff *d);
int diff_report(const diff *d, FILE *out);      /* diff_report.c: exit status 0 or 1 */
int diff_exit_status(const diff *d);            /* 0 identical, 1 the runs differ */
int diff_group_differs(const diff_group *g);
void diff_fmt_gbp(char *buf, size_t n, int64_t v); /* 1e-8 p as GBP: "+0.015" */
int diff_report_json(const diff *d, FILE *out); /* diff_json.c */

#endif

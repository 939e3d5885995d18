/* `metersim diff`: the events of the two traces, household by household.
 *
 * A first pass sums each household's events on each side (count and an order-independent
 * hash); only households whose sums differ are read again in detail.  Their events are then
 * compared per household, code and key value (the value itself for codes whose value names
 * a thing, see value_is_key; 0 otherwise):
 *   1. events equal on both sides (time, code, value) cancel out, as a multiset;
 *   2. the rest of each side, in time order, are paired greedily: the earliest unpaired event
 *      of A and of B pair when they are at most the window apart and neither side's next
 *      event is nearer to the other's; otherwise the earlier of the two stays unpaired;
 *   3. a pair at different times is "shifted" (by t_B - t_A), a pair at the same time with
 *      another value "changed"; what stays unpaired is "only A" or "only B".
 * The order of the sort and of the scan make the outcome deterministic.
 */
#include "diff_int.h"

#include "sim/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_EVENTS 65536u /* event records per block read */

int diff_kind(uint32_t code)
{
    return code >= 0x8000 && code <= 0xFFFF ? KIND_ALERT : KIND_RECORD;
}

/* Whether the value of CODE identifies what happened (an alert code, a command id, a cause),
 * so that two events with other values are different events, not one moved. */
static int value_is_key(uint32_t code)
{
    switch (code) {
    case SIM_EV_WAN_ALERT_SENT:
    case SIM_EV_WAN_ALERT_DELIVERED:
    case SIM_EV_SUPPLY_LOST:
    case SIM_EV_HEADEND_REJECTED:
    case SIM_EV_WAN_LOST:
    case SIM_EV_WAN_RETRY:
    case SIM_EV_CMD_SENT:
    case SIM_EV_CMD_RECEIVED:
    case SIM_EV_CMD_REJECTED:
    case SIM_EV_CMD_RESPONSE_DELIVERED:
        return 1;
    default:
        return 0;
    }
}

/* The row of household ID (d->n for NO_HOUSEHOLD), or -1 when the trace has no such household. */
static int64_t row_of(const diff *d, uint32_t id)
{
    if (id == NO_HOUSEHOLD) return (int64_t)d->n;
    return id < d->n ? (int64_t)id : -1;
}

/* /events of one side, one block at a time, each record with its row. */
typedef int (*event_fn)(diff *d, int side, uint32_t row, const sim_event *e, void *ctx);

static int each_event(diff *d, int side, event_fn fn, void *ctx)
{
    const trace *t = side ? &d->b : &d->a;
    const sim_dataset_decl *ed = sim_schema_dataset(SIM_DS_EVENTS);
    hid_t ds = diff_open_ds(d, t, ed->path);
    if (ds < 0) return -1;
    hsize_t n;
    int rc = diff_is_table(ds, ed, ed->nmembers, &n)
                 ? 0
                 : diff_fail(d, "%s: /events is not a table of (t_s, household, code, value)",
                             t->path);
    hid_t mt = rc ? -1 : sim_schema_h5_type(ed);
    if (rc == 0 && mt < 0) rc = diff_fail(d, "%s: out of memory", t->path);
    sim_event *buf = rc ? NULL : malloc(BLOCK_EVENTS * sizeof *buf);
    if (rc == 0 && !buf) rc = diff_fail(d, "%s: out of memory", t->path);
    for (hsize_t off = 0; rc == 0 && off < n; off += BLOCK_EVENTS) {
        hsize_t cnt = n - off < BLOCK_EVENTS ? n - off : BLOCK_EVENTS;
        if (diff_read_block(ds, mt, 1, &off, &cnt, buf)) {
            rc = diff_fail(d, "%s: cannot read /events (damaged trace?)", t->path);
            break;
        }
        for (size_t i = 0; rc == 0 && i < cnt; i++) {
            if (!(buf[i].t_s < d->events_until)) continue;
            int64_t row = row_of(d, buf[i].household);
            if (row < 0)
                rc = diff_fail(d, "%s: /events row %llu names household %u, which /households lacks",
                               t->path, (unsigned long long)(off + i), (unsigned)buf[i].household);
            else
                rc = fn(d, side, (uint32_t)row, &buf[i], ctx);
        }
    }
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    H5Dclose(ds);
    return rc;
}

typedef struct event_sums {
    uint32_t *count[2];
    uint64_t *hash[2];
} event_sums;

static int sum_event(diff *d, int side, uint32_t row, const sim_event *e, void *ctx)
{
    (void)d;
    event_sums *s = ctx;
    uint64_t bits;
    memcpy(&bits, &e->t_s, sizeof bits);
    s->count[side][row]++;
    s->hash[side][row] += sim_hash64(sim_hash64(sim_hash64(bits) ^ e->code) ^ (uint64_t)e->value);
    return 0;
}

/* Mark with D_EVENTS every row whose events' count or hash differ between the sides. */
static int mark_rows(diff *d, size_t slots)
{
    event_sums s = {{NULL, NULL}, {NULL, NULL}};
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        s.count[k] = calloc(slots, sizeof *s.count[k]);
        s.hash[k] = calloc(slots, sizeof *s.hash[k]);
        if (!s.count[k] || !s.hash[k]) rc = diff_fail(d, "%s: out of memory", d->a.path);
    }
    for (int k = 0; k < 2 && rc == 0; k++) rc = each_event(d, k, sum_event, &s);
    for (size_t r = 0; r < slots && rc == 0; r++) {
        if (s.count[0][r] == s.count[1][r] && s.hash[0][r] == s.hash[1][r]) continue;
        hh_diff *h = diff_record(d, (uint32_t)r);
        if (!h) rc = diff_fail(d, "%s: out of memory", d->a.path);
        else h->what |= D_EVENTS;
    }
    for (int k = 0; k < 2; k++) {
        free(s.count[k]);
        free(s.hash[k]);
    }
    return rc;
}

typedef struct row_event {
    uint32_t row;
    int64_t key; /* the value when it names the event (value_is_key), else 0 */
    sim_event e;
} row_event;

typedef struct event_list {
    const uint8_t *wanted; /* [n + 1] rows compared in detail */
    row_event *v[2];
    size_t n[2], cap[2];
} event_list;

static int collect_event(diff *d, int side, uint32_t row, const sim_event *e, void *ctx)
{
    event_list *l = ctx;
    if (!l->wanted[row]) return 0;
    if (l->n[side] == l->cap[side]) {
        size_t cap = l->cap[side] ? 2 * l->cap[side] : 1024;
        row_event *v = realloc(l->v[side], cap * sizeof *v);
        if (!v) return diff_fail(d, "%s: out of memory", d->a.path);
        l->v[side] = v;
        l->cap[side] = cap;
    }
    int64_t key = value_is_key(e->code) ? e->value : 0;
    l->v[side][l->n[side]++] = (row_event){.row = row, .key = key, .e = *e};
    return 0;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* The group of an event: row, code, key value. */
static int cmp_group(const row_event *a, const row_event *b)
{
    if (a->row != b->row) return CMP(a->row, b->row);
    if (a->e.code != b->e.code) return CMP(a->e.code, b->e.code);
    return CMP(a->key, b->key);
}

/* By group, then time, then value. */
static int cmp_row_event(const void *x, const void *y)
{
    const row_event *a = x, *b = y;
    int c = cmp_group(a, b);
    if (c) return c;
    if (a->e.t_s != b->e.t_s) return CMP(a->e.t_s, b->e.t_s);
    return CMP(a->e.value, b->e.value);
}

static code_stats *stats_of(diff *d, uint32_t code)
{
    for (size_t i = 0; i < d->ncodes; i++)
        if (d->codes[i].code == code) return &d->codes[i];
    code_stats *c = realloc(d->codes, (d->ncodes + 1) * sizeof *c);
    if (!c) return NULL;
    d->codes = c;
    c = &d->codes[d->ncodes++];
    memset(c, 0, sizeof *c);
    c->code = code;
    return c;
}

static double first_time(const ev_first *f)
{
    if (f->kind == EV_ONLY_B) return f->b.t_s;
    if (f->kind == EV_ONLY_A) return f->a.t_s;
    return f->a.t_s < f->b.t_s ? f->a.t_s : f->b.t_s;
}

/* One difference of KIND in H (A or B NULL for an unpaired event). */
static int note(diff *d, hh_diff *h, int kind, const sim_event *a, const sim_event *b)
{
    ev_first f = {.kind = kind};
    if (a) f.a = *a;
    if (b) f.b = *b;
    code_stats *c = stats_of(d, a ? a->code : b->code);
    if (!c) return diff_fail(d, "%s: out of memory", d->a.path);
    c->n[kind]++;
    if (kind == EV_SHIFTED) {
        double dt = b->t_s - a->t_s;
        if (c->n[kind] == 1 || dt < c->shift_min) c->shift_min = dt;
        if (c->n[kind] == 1 || dt > c->shift_max) c->shift_max = dt;
        c->shift_sum += dt;
    }
    h->ev[kind]++;
    if (kind == EV_ONLY_A) h->only_kind[0][diff_kind(a->code)]++;
    if (kind == EV_ONLY_B) h->only_kind[1][diff_kind(b->code)]++;
    if (h->first.kind < 0 || first_time(&f) < first_time(&h->first)) h->first = f;
    return 0;
}

/* The events of one group of each side that the other side lacks (time order), paired. */
static int pair_group(diff *d, hh_diff *h, const sim_event **a, size_t na, const sim_event **b,
                      size_t nb)
{
    double w = d->o->window_s;
    size_t i = 0, j = 0;
    int rc = 0;
    while (rc == 0 && i < na && j < nb) {
        double dt = b[j]->t_s - a[i]->t_s;
        if (fabs(dt) > w) {
            rc = dt > 0 ? note(d, h, EV_ONLY_A, a[i++], NULL) : note(d, h, EV_ONLY_B, NULL, b[j++]);
        } else if (i + 1 < na && fabs(b[j]->t_s - a[i + 1]->t_s) < fabs(dt)) {
            rc = note(d, h, EV_ONLY_A, a[i++], NULL);
        } else if (j + 1 < nb && fabs(b[j + 1]->t_s - a[i]->t_s) < fabs(dt)) {
            rc = note(d, h, EV_ONLY_B, NULL, b[j++]);
        } else {
            rc = note(d, h, dt != 0 ? EV_SHIFTED : EV_CHANGED, a[i], b[j]);
            i++;
            j++;
        }
    }
    while (rc == 0 && i < na) rc = note(d, h, EV_ONLY_A, a[i++], NULL);
    while (rc == 0 && j < nb) rc = note(d, h, EV_ONLY_B, NULL, b[j++]);
    return rc;
}

/* One group (sorted) of each side: equal events cancel, the rest are paired.  TA and TB are
 * scratch of at least NA and NB pointers. */
static int compare_group(diff *d, hh_diff *h, const row_event *a, size_t na, const row_event *b,
                         size_t nb, const sim_event **ta, const sim_event **tb)
{
    size_t i = 0, j = 0, ka = 0, kb = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : cmp_row_event(&a[i], &b[j]);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            ta[ka++] = &a[i++].e;
        } else {
            tb[kb++] = &b[j++].e;
        }
    }
    return pair_group(d, h, ta, ka, tb, kb);
}

/* Both sides' collected events (sorted) group by group into the records of their rows. */
static int compare_all(diff *d, event_list *l)
{
    const sim_event **ta = malloc((l->n[0] + 1) * sizeof *ta);
    const sim_event **tb = malloc((l->n[1] + 1) * sizeof *tb);
    int rc = ta && tb ? 0 : diff_fail(d, "%s: out of memory", d->a.path);
    size_t i = 0, j = 0;
    while (rc == 0 && (i < l->n[0] || j < l->n[1])) {
        const row_event *g = i == l->n[0]   ? &l->v[1][j]
                             : j == l->n[1] ? &l->v[0][i]
                             : cmp_group(&l->v[0][i], &l->v[1][j]) <= 0 ? &l->v[0][i]
                                                                        : &l->v[1][j];
        size_t ea = i, eb = j;
        while (ea < l->n[0] && cmp_group(&l->v[0][ea], g) == 0) ea++;
        while (eb < l->n[1] && cmp_group(&l->v[1][eb], g) == 0) eb++;
        hh_diff *h = &d->recs[d->rec[g->row]];
        rc = compare_group(d, h, l->v[0] + i, ea - i, l->v[1] + j, eb - j, ta, tb);
        i = ea;
        j = eb;
    }
    free(ta);
    free(tb);
    return rc;
}

static int cmp_record_by_row(const void *x, const void *y)
{
    const hh_diff *a = x, *b = y;
    return CMP(a->row, b->row);
}

static int cmp_code(const void *x, const void *y)
{
    const code_stats *a = x, *b = y;
    return CMP(a->code, b->code);
}

int diff_events(diff *d)
{
    size_t slots = (size_t)d->n + 1;
    int rc = mark_rows(d, slots);
    uint8_t *wanted = rc ? NULL : calloc(slots, 1);
    event_list l = {.wanted = wanted};
    if (rc == 0 && !wanted) rc = diff_fail(d, "%s: out of memory", d->a.path);
    size_t nwanted = 0;
    for (size_t i = 0; rc == 0 && i < d->nrecs; i++)
        if (d->recs[i].what & D_EVENTS) {
            wanted[d->recs[i].row] = 1;
            nwanted++;
        }
    for (int k = 0; k < 2 && rc == 0 && nwanted; k++) rc = each_event(d, k, collect_event, &l);
    for (int k = 0; k < 2 && rc == 0; k++)
        if (l.n[k]) qsort(l.v[k], l.n[k], sizeof *l.v[k], cmp_row_event);
    if (rc == 0) rc = compare_all(d, &l);
    free(l.v[0]);
    free(l.v[1]);
    free(wanted);
    if (rc) return rc;
    /* The records by row (household id); the events of no household (row n) sort last. */
    if (d->nrecs) qsort(d->recs, d->nrecs, sizeof *d->recs, cmp_record_by_row);
    if (d->ncodes) qsort(d->codes, d->ncodes, sizeof *d->codes, cmp_code);
    size_t max = d->o->max_lines;
    d->listed = max && max < d->nrecs ? max : d->nrecs;
    return 0;
}

#include "convert.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "a,b,c": the names of enum row R, as messages and the reference list them. */
static void enum_names(const sim_key *r, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; r->names[i] && o < len; i++) {
        int w = snprintf(buf + o, len - o, "%s%s", i ? "," : "", r->names[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

void sim_key_expect(const sim_key *r, char *buf, size_t len)
{
    switch (r->kind) {
    case V_STR:
        snprintf(buf, len, "a string");
        break;
    case V_NAME:
        snprintf(buf, len, "a name");
        break;
    case V_ENUM:
        snprintf(buf, len, "one of: ");
        enum_names(r, buf + strlen(buf), len - strlen(buf));
        break;
    case V_BOOL:
        snprintf(buf, len, "true or false");
        break;
    case V_INT:
        snprintf(buf, len, "an integer");
        break;
    case V_REAL:
        snprintf(buf, len, "a number");
        break;
    case V_SEQ:
        snprintf(buf, len, "a sequence of mappings");
        break;
    case V_UNIT:
        snprintf(buf, len, "%s %s such as \"%s\"",
                 strchr("aeiouAEIOU", sim_unit_name(r->unit)[0]) ? "an" : "a",
                 sim_unit_name(r->unit), sim_unit_example(r->unit));
        break;
    }
}

/* Shortest text that reads back to V; whole numbers below 1e15 without an exponent. */
void sim_fmt_real(double v, char *buf, size_t len)
{
    if (v == (double)(long long)v && fabs(v) < 1e15) {
        snprintf(buf, len, "%lld", (long long)v);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

void sim_key_range(const sim_key *r, char *buf, size_t len)
{
    char lo[40], hi[40], step[40];
    switch (r->kind) {
    case V_STR:
        if (r->choices)
            snprintf(buf, len, "%s", r->choices);
        else if (r->ct == C_NONE)
            snprintf(buf, len, "a file name");
        else
            snprintf(buf, len, "up to %zu bytes", r->size - 1);
        break;
    case V_NAME:
        snprintf(buf, len, "1..%zu characters of A-Z a-z 0-9 _ . -", r->size - 1);
        break;
    case V_ENUM:
        enum_names(r, buf, len);
        break;
    case V_BOOL:
        snprintf(buf, len, "true, false");
        break;
    case V_INT:
        snprintf(buf, len, "%" PRId64 "..%" PRId64, r->ilo, r->ihi);
        break;
    case V_SEQ:
        snprintf(buf, len, "%" PRId64 "..%" PRId64 " elements", r->ilo, r->ihi);
        break;
    case V_REAL:
        sim_fmt_real(r->lo, lo, sizeof lo);
        sim_fmt_real(r->hi, hi, sizeof hi);
        snprintf(buf, len, "%s..%s", lo, hi);
        break;
    case V_UNIT:
        sim_unit_format(r->unit, r->lo, lo, sizeof lo);
        sim_unit_format(r->unit, r->hi, hi, sizeof hi);
        if (r->step > 0 && r->unit == SIM_UNIT_DATE) {
            snprintf(buf, len, "%s..%s, on a :00 or :30 boundary", lo, hi);
        } else if (r->step > 0) {
            sim_unit_format(r->unit, r->step, step, sizeof step);
            snprintf(buf, len, "%s..%s, a multiple of %s", lo, hi, step);
        } else {
            snprintf(buf, len, "%s..%s", lo, hi);
        }
        break;
    }
}

static void store(const sim_key *r, void *rec, const char *s, size_t slen, double v, int64_t i,
                  bool b)
{
    void *f = (char *)rec + r->off;
    switch (r->ct) {
    case C_NONE:
    case C_SEQ:
        break;
    case C_STR:
        memset(f, 0, r->size);
        if (s) memcpy(f, s, slen < r->size ? slen : r->size - 1);
        break;
    case C_BOOL:
        *(bool *)f = b;
        break;
    case C_ENUM:
        *(int *)f = (int)i;
        break;
    case C_U32:
        *(uint32_t *)f = (uint32_t)i;
        break;
    case C_U64:
        *(uint64_t *)f = (uint64_t)i;
        break;
    case C_I64:
        *(int64_t *)f = i;
        break;
    case C_F64:
        *(double *)f = v;
        break;
    }
}

/* Decimal integer, optional sign; *OVERFLOW set when it does not fit int64. */
static bool parse_int(const char *t, int64_t *out, bool *overflow)
{
    const char *p = t;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-') p++;
    if (!*p) return false;
    uint64_t v = 0;
    *overflow = false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned dgt = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            *overflow = true;
        else
            v = v * 10 + dgt;
    }
    if (!*overflow && !neg && v > (uint64_t)INT64_MAX) *overflow = true;
    if (!*overflow && neg && v > (uint64_t)INT64_MAX + 1) *overflow = true;
    if (!*overflow) *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool parse_real(const char *t, double *out)
{
    const char *p = t;
    if (*p == '+' || *p == '-') p++;
    size_t nd = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        nd++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            nd++;
    if (nd == 0) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p) return false;
    *out = strtod(t, NULL);
    return true;
}

static const char *base_unit_plural(sim_unit u)
{
    return u == SIM_UNIT_DATA_SIZE ? "bytes" : "seconds";
}

/* One value being converted: where it was written and how messages show it. */
typedef struct value {
    sim_diag *dg;
    const sim_ydoc *d;
    const sim_ynode *v;
    const char *path;
    const char *t; /* its text */
    bool null;
    void *rec;
    char shown[80], expect[80], range[120];
} value;

static void bad(const value *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(const value *x, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_diag_at(x->dg, x->d, x->v->line, x->v->col, x->path, "%s", msg);
}

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* V_STR, V_NAME, V_ENUM */
static void convert_text(const sim_key *r, const value *x)
{
    const char *t = x->t;
    switch (r->kind) {
    case V_STR:
        if (x->null) t = "";
        if (strlen(t) >= r->size) {
            bad(x, "longer than %zu bytes", r->size - 1);
            return;
        }
        if (r->check) {
            char why[160];
            if (r->check(t, why, sizeof why) != 0) {
                bad(x, "\"%s\": %s", x->shown, why);
                return;
            }
        }
        store(r, x->rec, t, strlen(t), 0, 0, false);
        return;
    case V_NAME: {
        size_t n = x->null ? 0 : x->v->len;
        if (n == 0 || n >= r->size) {
            bad(x, "must be %s", x->range);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            if (!name_char(t[i])) {
                bad(x, "\"%s\" may only contain A-Z a-z 0-9 _ . - (it names output files)",
                    x->shown);
                return;
            }
        }
        store(r, x->rec, t, n, 0, 0, false);
        return;
    }
    default:
        for (int i = 0; r->names[i]; i++) {
            if (strlen(r->names[i]) == x->v->len && memcmp(r->names[i], t, x->v->len) == 0) {
                store(r, x->rec, NULL, 0, 0, i, false);
                return;
            }
        }
        bad(x, "expected %s, got \"%s\"", x->expect, x->shown);
        return;
    }
}

/* V_BOOL, V_INT, V_REAL */
static void convert_plain(const sim_key *r, const value *x)
{
    const char *t = x->t;
    if (r->kind == V_BOOL) {
        if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
            store(r, x->rec, NULL, 0, 0, 0, true);
        else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
            store(r, x->rec, NULL, 0, 0, 0, false);
        else
            bad(x, "expected true or false, got \"%s\"", x->shown);
    } else if (r->kind == V_INT) {
        int64_t i = 0;
        bool overflow = false;
        if (!parse_int(t, &i, &overflow))
            bad(x, "expected an integer, got \"%s\"", x->shown);
        else if (overflow || i < r->ilo || i > r->ihi)
            bad(x, "%s is out of range (%s)", x->shown, x->range);
        else
            store(r, x->rec, NULL, 0, (double)i, i, false);
    } else {
        double v;
        if (!parse_real(t, &v))
            bad(x, "expected a number, got \"%s\"", x->shown);
        else if (!(v >= r->lo && v <= r->hi))
            bad(x, "%s is out of range (%s)", x->shown, x->range);
        else
            store(r, x->rec, NULL, 0, v, 0, false);
    }
}

/* V_UNIT: the number in the unit's base, in range, whole where the field is an integer
 * and a multiple of STEP where the row has one. */
static void convert_unit(const sim_key *r, const value *x)
{
    double v;
    char why[200];
    if (sim_unit_parse(r->unit, x->null ? "" : x->t, &v, why, sizeof why) != 0) {
        bad(x, "%s", why);
        return;
    }
    if (!(v >= r->lo && v <= r->hi)) {
        bad(x, "\"%s\" is out of range (%s)", x->shown, x->range);
        return;
    }
    bool integral = r->ct == C_I64 || r->ct == C_U32;
    if (integral && v != floor(v)) {
        bad(x, "\"%s\" is not a whole number of %s", x->shown, base_unit_plural(r->unit));
        return;
    }
    if (r->step > 0 && fmod(v, r->step) != 0 && r->unit == SIM_UNIT_DATE) {
        bad(x, "\"%s\" is not on a settlement period boundary (:00 or :30 UTC)", x->shown);
        return;
    }
    if (r->step > 0 && fmod(v, r->step) != 0) {
        char step[40];
        sim_unit_format(r->unit, r->step, step, sizeof step);
        if (r->step_name)
            bad(x, "\"%s\" is not a whole number of %s %s", x->shown, step, r->step_name);
        else
            bad(x, "\"%s\" is not a whole multiple of %s", x->shown, step);
        return;
    }
    store(r, x->rec, NULL, 0, v, (int64_t)v, false);
}

void sim_convert(sim_diag *dg, const sim_key *r, const char *path, const sim_ynode *v,
                 const sim_ydoc *d, void *rec)
{
    value x = {.dg = dg, .d = d, .v = v, .path = path, .t = v->text, .rec = rec};
    sim_key_expect(r, x.expect, sizeof x.expect);
    if (r->kind == V_SEQ) return; /* fill.c converts sequences element by element */
    if (v->kind != SIM_Y_SCALAR) {
        bad(&x, "expected %s, got %s", x.expect, sim_ynode_kind(v));
        return;
    }
    sim_show(x.t, v->len, x.shown, sizeof x.shown);
    if (strlen(x.t) != v->len) {
        bad(&x, "contains a NUL character");
        return;
    }
    x.null = sim_ynode_is_null(v);
    if (x.null && r->kind != V_STR && r->kind != V_NAME && r->kind != V_UNIT) {
        bad(&x, "expected %s, got no value", x.expect);
        return;
    }
    bool quoted = !v->plain;
    if (quoted && (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)) {
        bad(&x, "expected %s, got the quoted string \"%s\"", x.expect, x.shown);
        return;
    }
    sim_key_range(r, x.range, sizeof x.range);
    if (r->kind == V_UNIT)
        convert_unit(r, &x);
    else if (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)
        convert_plain(r, &x);
    else
        convert_text(r, &x);
}

#include "convert.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        snprintf(buf, len, "one of: %s", r->choices);
        for (char *p = buf; (p = strchr(p, '|'));)
            *p = ',';
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
        snprintf(buf, len, "%s", r->choices);
        for (char *p = buf; (p = strchr(p, '|'));)
            *p = ',';
        break;
    case V_BOOL:
        snprintf(buf, len, "true, false");
        break;
    case V_INT:
        snprintf(buf, len, "%" PRId64 "..%" PRId64, r->ilo, r->ihi);
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

static void store(const sim_key *r, sim_scenario *sc, const char *s, size_t slen, double v,
                  int64_t i, bool b)
{
    void *f = (char *)sc + r->off;
    switch (r->ct) {
    case C_NONE:
        break;
    case C_STR:
        memset(f, 0, r->size);
        if (s) memcpy(f, s, slen < r->size ? slen : r->size - 1);
        break;
    case C_BOOL:
        *(bool *)f = b;
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

void sim_convert(sim_diag *dg, const sim_key *r, const sim_ynode *v, const sim_ydoc *d,
                 sim_scenario *sc)
{
    const char *path = r->path;
    char expect[80], range[120], shown[80];
    sim_key_expect(r, expect, sizeof expect);
    if (v->kind != SIM_Y_SCALAR) {
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got %s", expect, sim_ynode_kind(v));
        return;
    }
    const char *t = v->text;
    sim_show(t, v->len, shown, sizeof shown);
    if (strlen(t) != v->len) {
        sim_diag_at(dg, d, v->line, v->col, path, "contains a NUL character");
        return;
    }
    bool null = sim_ynode_is_null(v);
    if (null && r->kind != V_STR && r->kind != V_NAME && r->kind != V_UNIT) {
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got no value", expect);
        return;
    }
    bool quoted = !v->plain;
    if (quoted && (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)) {
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got the quoted string \"%s\"",
                    expect, shown);
        return;
    }
    sim_key_range(r, range, sizeof range);

    switch (r->kind) {
    case V_STR:
        if (null) t = "";
        if (strlen(t) >= r->size) {
            sim_diag_at(dg, d, v->line, v->col, path, "longer than %zu bytes", r->size - 1);
            return;
        }
        if (r->check) {
            char why[160];
            if (r->check(t, why, sizeof why) != 0) {
                sim_diag_at(dg, d, v->line, v->col, path, "\"%s\": %s", shown, why);
                return;
            }
        }
        store(r, sc, t, strlen(t), 0, 0, false);
        return;
    case V_NAME: {
        size_t n = null ? 0 : v->len;
        if (n == 0 || n >= r->size) {
            sim_diag_at(dg, d, v->line, v->col, path, "must be %s", range);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            char c = t[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-')) {
                sim_diag_at(dg, d, v->line, v->col, path,
                            "\"%s\" may only contain A-Z a-z 0-9 _ . - (it names output files)",
                            shown);
                return;
            }
        }
        store(r, sc, t, n, 0, 0, false);
        return;
    }
    case V_ENUM: {
        const char *c = r->choices;
        while (*c) {
            size_t n = strcspn(c, "|");
            if (n == v->len && memcmp(c, t, n) == 0) {
                store(r, sc, t, n, 0, 0, false);
                return;
            }
            c += n + (c[n] == '|');
        }
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got \"%s\"", expect, shown);
        return;
    }
    case V_BOOL:
        if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) {
            store(r, sc, NULL, 0, 0, 0, true);
        } else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) {
            store(r, sc, NULL, 0, 0, 0, false);
        } else {
            sim_diag_at(dg, d, v->line, v->col, path, "expected true or false, got \"%s\"", shown);
        }
        return;
    case V_INT: {
        int64_t i = 0;
        bool overflow = false;
        if (!parse_int(t, &i, &overflow)) {
            sim_diag_at(dg, d, v->line, v->col, path, "expected an integer, got \"%s\"", shown);
            return;
        }
        if (overflow || i < r->ilo || i > r->ihi) {
            sim_diag_at(dg, d, v->line, v->col, path, "%s is out of range (%s)", shown, range);
            return;
        }
        store(r, sc, NULL, 0, (double)i, i, false);
        return;
    }
    case V_REAL: {
        double x;
        if (!parse_real(t, &x)) {
            sim_diag_at(dg, d, v->line, v->col, path, "expected a number, got \"%s\"", shown);
            return;
        }
        if (!(x >= r->lo && x <= r->hi)) {
            sim_diag_at(dg, d, v->line, v->col, path, "%s is out of range (%s)", shown, range);
            return;
        }
        store(r, sc, NULL, 0, x, 0, false);
        return;
    }
    case V_UNIT: {
        double x;
        char why[200];
        if (sim_unit_parse(r->unit, null ? "" : t, &x, why, sizeof why) != 0) {
            sim_diag_at(dg, d, v->line, v->col, path, "%s", why);
            return;
        }
        if (!(x >= r->lo && x <= r->hi)) {
            sim_diag_at(dg, d, v->line, v->col, path, "\"%s\" is out of range (%s)", shown, range);
            return;
        }
        bool integral = r->ct == C_I64 || r->ct == C_U32;
        if (integral && x != floor(x)) {
            sim_diag_at(dg, d, v->line, v->col, path, "\"%s\" is not a whole number of %s", shown,
                        base_unit_plural(r->unit));
            return;
        }
        if (r->step > 0 && fmod(x, r->step) != 0 && r->unit == SIM_UNIT_DATE) {
            sim_diag_at(dg, d, v->line, v->col, path,
                        "\"%s\" is not on a settlement period boundary (:00 or :30 UTC)", shown);
            return;
        }
        if (r->step > 0 && fmod(x, r->step) != 0) {
            char step[40];
            sim_unit_format(r->unit, r->step, step, sizeof step);
            sim_diag_at(dg, d, v->line, v->col, path,
                        "\"%s\" is not a whole number of %s settlement periods", shown, step);
            return;
        }
        store(r, sc, NULL, 0, x, (int64_t)x, false);
        return;
    }
    }
}

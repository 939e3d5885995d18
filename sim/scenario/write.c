#include "write.h"

#include "convert.h"
#include "diag.h"
#include "schema.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void sb_quoted(sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(b, "\\n");
        else if (*p == '\t')
            sb_printf(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(b, "\\x%02X", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

/* The value of row R in SC as a file would write it. */
static void value_text(const sim_key *r, const sim_scenario *sc, sbuf *b)
{
    const void *f = (const char *)sc + r->off;
    char num[48];
    double x = 0;
    switch (r->ct) {
    case C_NONE:
        return;
    case C_STR:
        if (r->kind == V_ENUM)
            sb_printf(b, "%s", (const char *)f);
        else
            sb_quoted(b, (const char *)f);
        return;
    case C_BOOL:
        sb_printf(b, "%s", *(const bool *)f ? "true" : "false");
        return;
    case C_U32:
        x = *(const uint32_t *)f;
        if (r->kind == V_INT) {
            sb_printf(b, "%" PRIu32, *(const uint32_t *)f);
            return;
        }
        break;
    case C_U64:
        sb_printf(b, "%" PRIu64, *(const uint64_t *)f);
        return;
    case C_I64:
        x = (double)*(const int64_t *)f;
        if (r->kind == V_INT) {
            sb_printf(b, "%" PRId64, *(const int64_t *)f);
            return;
        }
        break;
    case C_F64:
        x = *(const double *)f;
        if (r->kind == V_REAL) {
            sim_fmt_real(x, num, sizeof num);
            sb_printf(b, "%s", num);
            return;
        }
        break;
    }
    if (sim_unit_format(r->unit, x, num, sizeof num) != 0) snprintf(num, sizeof num, "?");
    /* Quoted so that YAML 1.1 readers do not take "00:30" for the base-60 integer 30. */
    if (r->unit == SIM_UNIT_TIME_OF_DAY)
        sb_printf(b, "\"%s\"", num);
    else
        sb_printf(b, "%s", num);
}

/* Number of leading path components A and B share ("wan.uplink.x", "wan.backbone.y": 1). */
static int shared_groups(const char *a, const char *b)
{
    int n = 0;
    for (;;) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        if (!a[la] || !b[lb] || la != lb || strncmp(a, b, la) != 0) return n;
        n++;
        a += la + 1;
        b += lb + 1;
    }
}

char *sim_resolved_text(const sim_scenario *sc, const char *path)
{
    sbuf b = {0};
    char shown[1100];
    sim_show(path, strlen(path), shown, sizeof shown);
    sb_printf(&b, "# resolved by metersim from %s\n", shown);
    const char *prev = "";
    for (size_t i = 0; i < sim_scenario_nkeys; i++) {
        const sim_key *r = &sim_scenario_keys[i];
        if (r->ct == C_NONE) continue;
        int keep = shared_groups(prev, r->path), level = 0;
        const char *p = r->path;
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1, level++)
            if (level >= keep) sb_printf(&b, "%*s%.*s:\n", 2 * level, "", (int)(dot - p), p);
        sb_printf(&b, "%*s%s: ", 2 * level, "", p);
        value_text(r, sc, &b);
        sb_printf(&b, "\n");
        prev = r->path;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

int sim_scenario_reference(char **out_markdown)
{
    if (!out_markdown) return -1;
    *out_markdown = NULL;
    sbuf b = {0};
    sb_printf(&b, "| Key | Type | Default | Range | Description |\n");
    sb_printf(&b, "|-----|------|---------|-------|-------------|\n");
    for (size_t i = 0; i < sim_scenario_nkeys; i++) {
        const sim_key *r = &sim_scenario_keys[i];
        static const char *const kind_names[] = {
            [V_STR] = "string",  [V_NAME] = "name",   [V_ENUM] = "enum", [V_BOOL] = "bool",
            [V_INT] = "integer", [V_REAL] = "number", [V_UNIT] = "",
        };
        const char *kind = r->kind == V_UNIT ? sim_unit_name(r->unit) : kind_names[r->kind];
        char range[160];
        sim_key_range(r, range, sizeof range);
        sb_printf(&b, "| `%s` | %s | ", r->path, kind);
        if (!r->def)
            sb_printf(&b, "required");
        else if (r->ct == C_NONE)
            sb_printf(&b, "none");
        else if (!*r->def)
            sb_printf(&b, "`\"\"`");
        else
            sb_printf(&b, "`%s`", r->def);
        sb_printf(&b, " | %s | %s |\n", range, r->doc);
    }
    if (b.oom) {
        free(b.s);
        return -1;
    }
    *out_markdown = b.s;
    return 0;
}

#include "write.h"

#include "convert.h"
#include "diag.h"
#include "sbuf.h"
#include "schema.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The value of leaf row R in the record REC as a file would write it. */
static void value_text(const sim_key *r, const void *rec, sbuf *b)
{
    const void *f = (const char *)rec + r->off;
    char num[48];
    double x = 0;
    switch (r->ct) {
    case C_NONE:
    case C_SEQ:
        return;
    case C_STR:
        sb_quoted(b, (const char *)f);
        return;
    case C_ENUM:
        sb_printf(b, "%s", sim_enum_name(r->names, *(const int *)f));
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

static void write_rows(sbuf *b, const sim_schema *s, const void *rec, int indent);

/* The elements of sequence row R of REC under its key, one "- " item each, keys aligned
 * two columns right of the dash; "[]" when there are none. */
static void write_seq(sbuf *b, const sim_key *r, const void *rec, int indent)
{
    uint32_t n = *(const uint32_t *)((const char *)rec + r->count_off);
    if (n == 0) {
        sb_printf(b, " []\n");
        return;
    }
    sb_printf(b, "\n");
    for (uint32_t i = 0; i < n; i++) {
        size_t start = b->len;
        write_rows(b, r->elem, (const char *)rec + r->off + i * r->elem->size, indent + 4);
        /* The element's first key opens the item: its indent ends in the dash. */
        if (!b->oom && b->len >= start + (size_t)indent + 4)
            memcpy(b->s + start + indent + 2, "- ", 2);
    }
}

/* Every row of S with its value in REC, nested mappings as indented blocks, each line
 * INDENT columns further right. */
static void write_rows(sbuf *b, const sim_schema *s, const void *rec, int indent)
{
    const char *prev = "";
    for (size_t i = 0; i < s->n; i++) {
        const sim_key *r = &s->keys[i];
        if (r->ct == C_NONE) continue;
        int keep = shared_groups(prev, r->path), level = 0;
        const char *p = r->path;
        for (const char *dot; (dot = strchr(p, '.')); p = dot + 1, level++)
            if (level >= keep)
                sb_printf(b, "%*s%.*s:\n", indent + 2 * level, "", (int)(dot - p), p);
        sb_printf(b, "%*s%s:", indent + 2 * level, "", p);
        if (r->kind == V_SEQ) {
            write_seq(b, r, rec, indent + 2 * level);
        } else {
            sb_printf(b, " ");
            value_text(r, rec, b);
            sb_printf(b, "\n");
        }
        prev = r->path;
    }
}

char *sim_resolved_text(const sim_schema *s, const void *rec, const char *path)
{
    sbuf b = {0};
    char shown[1100];
    sim_show(path, strlen(path), shown, sizeof shown);
    sb_printf(&b, "# resolved by metersim from %s\n", shown);
    write_rows(&b, s, rec, 0);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* One table line per row of S, key paths below AT ("fleet.populations[]" for the rows of
 * an element); a sequence's line is followed by those of its element's keys. */
static void reference_rows(sbuf *b, const sim_schema *s, const char *at)
{
    static const char *const kind_names[] = {
        [V_STR] = "string",  [V_NAME] = "name",   [V_ENUM] = "enum", [V_BOOL] = "bool",
        [V_INT] = "integer", [V_REAL] = "number", [V_UNIT] = "",     [V_SEQ] = "sequence",
    };
    for (size_t i = 0; i < s->n; i++) {
        const sim_key *r = &s->keys[i];
        const char *kind = r->kind == V_UNIT ? sim_unit_name(r->unit) : kind_names[r->kind];
        char range[160], path[2 * SIM_KEY_MAX];
        sim_key_range(r, range, sizeof range);
        sim_key_join(path, sizeof path, at, r->path);
        sb_printf(b, "| `%s` | %s | ", path, kind);
        if (!r->def)
            sb_printf(b, "required");
        else if (r->ct == C_NONE)
            sb_printf(b, "none");
        else if (!*r->def)
            sb_printf(b, "`\"\"`");
        else
            sb_printf(b, "`%s`", r->def);
        sb_printf(b, " | %s | %s |\n", range, r->doc);
        if (r->kind == V_SEQ) {
            char elem[2 * SIM_KEY_MAX + 2];
            snprintf(elem, sizeof elem, "%s[]", path);
            reference_rows(b, r->elem, elem);
        }
    }
}

int sim_schema_reference(const sim_schema *s, char **out_markdown)
{
    if (!out_markdown) return -1;
    *out_markdown = NULL;
    sbuf b = {0};
    sb_printf(&b, "| Key | Type | Default | Range | Description |\n");
    sb_printf(&b, "|-----|------|---------|-------|-------------|\n");
    reference_rows(&b, s, "");
    if (b.oom) {
        free(b.s);
        return -1;
    }
    *out_markdown = b.s;
    return 0;
}

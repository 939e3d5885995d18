/* The JSON Schema of a scenario file, for editors that check YAML as it is typed
 * (yaml-language-server reads it from a "# yaml-language-server: $schema=..." line).
 *
 * Everything is read off the key table, the way the loader reads a file: nested objects
 * along the dotted paths, no unknown keys anywhere (sim_walk_map refuses them), the types
 * the loader takes for each kind of row, and unit values as the pattern of what the unit
 * parser accepts.  The schema sees YAML as a YAML 1.2 reader resolves it (yes/no are
 * strings, 0x10 an integer); where the loader is stricter than JSON Schema can say, the
 * loader has the last word (README, "Editing scenarios with a schema").
 */
#include "jschema.h"

#include "convert.h"
#include "diag.h"
#include "sbuf.h"
#include "ytree.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Pretty-printed JSON, one member a line; FIRST: nothing written yet in the innermost
 * object or array, so the next member needs no comma. */
typedef struct jw {
    sbuf b;
    int depth;
    bool first;
} jw;

static void jw_string(jw *w, const char *s)
{
    sb_printf(&w->b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(&w->b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(&w->b, "\\n");
        else if (*p == '\t')
            sb_printf(&w->b, "\\t");
        else if (*p < 0x20)
            sb_printf(&w->b, "\\u%04x", *p);
        else
            sb_printf(&w->b, "%c", *p);
    }
    sb_printf(&w->b, "\"");
}

/* A new member KEY (NULL: an element of an array) on a line of its own. */
static void jw_key(jw *w, const char *key)
{
    sb_printf(&w->b, "%s%s%*s", w->first ? "" : ",", w->b.len ? "\n" : "", 2 * w->depth, "");
    if (key) {
        jw_string(w, key);
        sb_printf(&w->b, ": ");
    }
    w->first = false;
}

/* An object or array as the value of the member just started. */
static void jw_open_value(jw *w, char bracket)
{
    sb_printf(&w->b, "%c", bracket);
    w->depth++;
    w->first = true;
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_key(w, key);
    jw_open_value(w, bracket);
}

static void jw_close(jw *w, char bracket)
{
    w->depth--;
    if (!w->first) sb_printf(&w->b, "\n%*s", 2 * w->depth, "");
    sb_printf(&w->b, "%c", bracket);
    w->first = false;
}

static void jw_str(jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    jw_string(w, value);
}

/* VALUE written as it is: a number, true, false or a short inline array. */
static void jw_raw(jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    sb_printf(&w->b, "%s", value);
}

static void jw_int(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    sb_printf(&w->b, "%" PRId64, v);
}

static void jw_real(jw *w, const char *key, double v)
{
    char num[40];
    sim_fmt_real(v, num, sizeof num);
    jw_raw(w, key, num);
}

/* ["a", "b"] of the NULL-terminated NAMES, on one line. */
static void jw_names(jw *w, const char *key, const char *const *names)
{
    jw_key(w, key);
    sb_printf(&w->b, "[");
    for (int i = 0; names[i]; i++) {
        sb_printf(&w->b, "%s", i ? ", " : "");
        jw_string(w, names[i]);
    }
    sb_printf(&w->b, "]");
}

/* The types a plain YAML scalar can resolve to: the loader takes the scalar's text, so for
 * a string key `description: 5` or `name: 2026` is as good as a quoted string. */
#define ANY_SCALAR "[\"string\", \"number\", \"boolean\"]"
#define ANY_SCALAR_OR_NULL "[\"string\", \"number\", \"boolean\", \"null\"]"

static void object(jw *w, const sim_schema *s, const char *prefix, bool element, bool sweeps);

/* A string row: a null is empty (convert_text), extends needs a file name (load_base).  A
 * checked string is never true or false (test_schema), and null only where CHECK takes "". */
static void str_keywords(jw *w, const sim_key *r)
{
    char why[160];
    if (r->ct == C_NONE)
        jw_raw(w, "type", ANY_SCALAR);
    else if (!r->check)
        jw_raw(w, "type", ANY_SCALAR_OR_NULL);
    else if (r->check("", why, sizeof why) == 0)
        jw_raw(w, "type", "[\"string\", \"number\", \"null\"]");
    else
        jw_raw(w, "type", "[\"string\", \"number\"]");
    if (r->pattern) jw_str(w, "pattern", r->pattern);
    if (r->ct == C_NONE)
        jw_int(w, "minLength", 1);
    else
        jw_int(w, "maxLength", (int64_t)r->size - 1);
}

/* The keywords of leaf row R's type: what sim_convert (or fill_seq) accepts. */
static void type_keywords(jw *w, const sim_key *r)
{
    char pattern[1024];
    switch (r->kind) {
    case V_STR:
        str_keywords(w, r);
        break;
    case V_NAME:
        jw_raw(w, "type", ANY_SCALAR);
        jw_str(w, "pattern", "^[A-Za-z0-9_.-]+$");
        jw_int(w, "maxLength", (int64_t)r->size - 1);
        break;
    case V_ENUM:
        jw_names(w, "enum", r->names);
        break;
    case V_BOOL:
        jw_str(w, "type", "boolean");
        break;
    case V_INT:
        jw_str(w, "type", "integer");
        jw_int(w, "minimum", r->ilo);
        jw_int(w, "maximum", r->ihi);
        break;
    case V_REAL:
        jw_str(w, "type", "number");
        jw_real(w, "minimum", r->lo);
        jw_real(w, "maximum", r->hi);
        break;
    case V_UNIT:
        jw_str(w, "type", "string");
        if (sim_unit_pattern(r->unit, r->lo < 0, pattern, sizeof pattern) != 0) w->b.oom = true;
        jw_str(w, "pattern", pattern);
        break;
    case V_SEQ:
        jw_str(w, "type", "array");
        jw_int(w, "minItems", r->ilo);
        jw_int(w, "maxItems", r->ihi);
        jw_open(w, "items", '{');
        object(w, r->elem, "", true, false);
        jw_close(w, '}');
        break;
    }
}

/* The row's doc, then what the reference table says of it: kind (units), range, default. */
static void description(jw *w, const sim_key *r)
{
    char what[160], range[160], text[2048];
    if (r->kind == V_UNIT && sim_unit_symbol(r->unit, 0)) {
        size_t o = (size_t)snprintf(what, sizeof what, "%s (", sim_unit_name(r->unit));
        for (size_t i = 0; sim_unit_symbol(r->unit, i) && o < sizeof what; i++)
            o += (size_t)snprintf(what + o, sizeof what - o, "%s%s", i ? ", " : "",
                                  sim_unit_symbol(r->unit, i));
        if (o < sizeof what) snprintf(what + o, sizeof what - o, ")");
    } else if (r->kind == V_UNIT) {
        snprintf(what, sizeof what, "%s such as \"%s\"", sim_unit_name(r->unit),
                 sim_unit_example(r->unit));
    } else {
        sim_key_expect(r, what, sizeof what);
    }
    /* An enum's or a bool's range only repeats its values. */
    if (r->kind == V_ENUM || r->kind == V_BOOL)
        range[0] = '\0';
    else
        sim_key_range(r, range, sizeof range);
    if (what[0] >= 'a' && what[0] <= 'z') what[0] = (char)(what[0] - 'a' + 'A');
    char def[1000];
    if (!r->def || r->ct == C_NONE)
        snprintf(def, sizeof def, "%s", r->def ? "no default" : "required");
    else
        snprintf(def, sizeof def, "default %s", *r->def ? r->def : "\"\"");
    snprintf(text, sizeof text, "%s.  %s%s%s; %s.", r->doc, what, *range ? ": " : "", range, def);
    jw_str(w, "description", text);
}

static void seq_default(jw *w, const sim_key *r);

/* "default": the row's default as the type above has it (none for a required key). */
static void default_value(jw *w, const sim_key *r)
{
    if (!r->def || r->ct == C_NONE) return;
    if (r->kind == V_SEQ)
        seq_default(w, r);
    else if (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)
        jw_raw(w, "default", r->def);
    else
        jw_str(w, "default", r->def);
}

/* Scalar node N as the value of row R: numbers and booleans bare, the rest as strings. */
static void node_scalar(jw *w, const sim_key *r, const sim_ynode *n)
{
    if (r->kind == V_BOOL || r->kind == V_INT || r->kind == V_REAL)
        sb_printf(&w->b, "%s", n->text);
    else
        jw_string(w, n->text);
}

/* Mapping M, an element of a sequence of table S, keys under PREFIX ("" at the top), as
 * the value of the member just started. */
static void node_map(jw *w, const sim_schema *s, const char *prefix, const sim_ynode *m)
{
    jw_open_value(w, '{');
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const sim_ynode *k = m->kids[i], *v = m->kids[i + 1];
        char path[SIM_KEY_MAX];
        sim_key_join(path, sizeof path, prefix, k->text);
        int row = sim_key_find(s, path);
        jw_key(w, k->text);
        if (v->kind == SIM_Y_MAP)
            node_map(w, s, path, v);
        else if (row >= 0 && v->kind == SIM_Y_SCALAR)
            node_scalar(w, &s->keys[row], v);
        else
            w->b.oom = true; /* a default the loader itself would refuse */
    }
    jw_close(w, '}');
}

/* A sequence's default is YAML flow text ("[{name: supplier}]"): read as the loader reads
 * it, then written with each value typed by its element row. */
static void seq_default(jw *w, const sim_key *r)
{
    sim_diag dg = {0};
    sim_ydoc *d = calloc(1, sizeof *d);
    if (!d || !(d->file = strdup("<default>"))) {
        free(d);
        w->b.oom = true;
        return;
    }
    if (sim_yaml_parse(&dg, d, (const unsigned char *)r->def, strlen(r->def), 0, r->path) == 0 &&
        d->root && d->root->kind == SIM_Y_SEQ) {
        jw_open(w, "default", '[');
        for (size_t i = 0; i < d->root->n; i++) {
            jw_key(w, NULL);
            node_map(w, r->elem, "", d->root->kids[i]);
        }
        jw_close(w, ']');
    } else {
        w->b.oom = true;
    }
    sim_diag_flush(&dg, NULL, 0);
    sim_ydoc_free(d);
}

/* The schema of key NAME under PREFIX: a leaf row, or a mapping of further keys. */
static void member(jw *w, const sim_schema *s, const char *prefix, const char *name)
{
    char path[SIM_KEY_MAX];
    sim_key_join(path, sizeof path, prefix, name);
    int row = sim_key_find(s, path);
    jw_open(w, name, '{');
    if (row >= 0) {
        description(w, &s->keys[row]);
        type_keywords(w, &s->keys[row]);
        default_value(w, &s->keys[row]);
    } else {
        object(w, s, path, false, false); /* a group: `wan:` alone is allowed and gives nothing */
    }
    jw_close(w, '}');
}

/* ["a", "b"] of the required keys of S (no default), as "required" of a record.  Only keys
 * directly in the record can be: a key inside a group the file may leave out has nowhere to
 * be required, and sim_schema_check refuses a table with one. */
static void required(jw *w, const sim_schema *s)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < s->n && n + 1 < sizeof names / sizeof names[0]; i++)
        if (!s->keys[i].def && !strchr(s->keys[i].path, '.')) names[n++] = s->keys[i].path;
    names[n] = NULL;
    if (n) jw_names(w, "required", names);
}

static void sweep_member(jw *w);

/* The members of the mapping at PREFIX of S: an ELEMENT of a sequence (a whole record,
 * its required keys required) or a group of keys (also given as null).  SWEEPS: the
 * scenario itself, which also takes `sweep:`. */
static void object(jw *w, const sim_schema *s, const char *prefix, bool element, bool sweeps)
{
    char list[4096];
    sim_key_children(s, prefix, list, sizeof list);
    if (strlen(list) + SIM_KEY_MAX >= sizeof list) w->b.oom = true; /* it may be cut short */
    jw_raw(w, "type", element || !*prefix ? "\"object\"" : "[\"object\", \"null\"]");
    jw_raw(w, "additionalProperties", "false");
    jw_open(w, "properties", '{');
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char name[SIM_KEY_MAX];
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        member(w, s, prefix, name);
        p += n;
        p += strspn(p, ", ");
    }
    if (sweeps) sweep_member(w);
    jw_close(w, '}');
    if (element) required(w, s);
}

/* A key `sweep:` may name (check_sweep): a leaf that fills a field, not a name (it names
 * the run's files) nor a sequence (a value is one scalar). */
static bool sweepable(const sim_key *r)
{
    return r->ct != C_NONE && r->kind != V_NAME && r->kind != V_SEQ;
}

/* One swept key and its values, each checked as that key's value would be. */
static void sweep_axis(jw *w, const sim_schema *s)
{
    jw_open(w, "sweep_axis", '{');
    jw_raw(w, "type", "\"object\"");
    jw_raw(w, "additionalProperties", "false");
    jw_raw(w, "required", "[\"key\", \"values\"]");
    jw_open(w, "properties", '{');
    jw_open(w, "key", '{');
    jw_str(w, "description", "The scenario key swept (a dotted path)");
    jw_open(w, "enum", '[');
    for (size_t i = 0; i < s->n; i++)
        if (sweepable(&s->keys[i])) jw_str(w, NULL, s->keys[i].path);
    jw_close(w, ']');
    jw_close(w, '}');
    jw_open(w, "values", '{');
    jw_str(w, "description", "One run per value, each checked as a value of the key");
    jw_str(w, "type", "array");
    jw_int(w, "minItems", 1);
    jw_int(w, "maxItems", SIM_SWEEP_MAX);
    jw_close(w, '}');
    jw_close(w, '}');
    jw_open(w, "allOf", '[');
    for (size_t i = 0; i < s->n; i++) {
        if (!sweepable(&s->keys[i])) continue;
        jw_open(w, NULL, '{');
        jw_open(w, "if", '{');
        jw_open(w, "properties", '{');
        jw_open(w, "key", '{');
        jw_str(w, "const", s->keys[i].path);
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
        jw_open(w, "then", '{');
        jw_open(w, "properties", '{');
        jw_open(w, "values", '{');
        jw_open(w, "items", '{');
        type_keywords(w, &s->keys[i]);
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
}

/* {"type": "object", "additionalProperties": false, "required": [NAME], "properties":
 * {NAME: a list of sweep axes}}: a grid or zip of several keys. */
static void sweep_axes(jw *w, const char *name, const char *doc)
{
    jw_open(w, NULL, '{');
    jw_raw(w, "type", "\"object\"");
    jw_raw(w, "additionalProperties", "false");
    jw_key(w, "required");
    sb_printf(&w->b, "[");
    jw_string(w, name);
    sb_printf(&w->b, "]");
    jw_open(w, "properties", '{');
    jw_open(w, name, '{');
    jw_str(w, "description", doc);
    jw_str(w, "type", "array");
    jw_int(w, "minItems", 1);
    jw_open(w, "items", '{');
    jw_str(w, "$ref", "#/$defs/sweep_axis");
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, '}');
}

/* `sweep:` of the scenario; the keys it may name are listed once, in $defs. */
static void sweep_member(jw *w)
{
    jw_open(w, "sweep", '{');
    jw_str(w, "description",
           "Several runs of the scenario: {key, values} runs one per value of one key; "
           "{grid: [{key, values}, ...]} one per combination of the keys' values; "
           "{zip: [{key, values}, ...]} one per position, the keys' n-th values together");
    jw_open(w, "oneOf", '[');
    jw_open(w, NULL, '{');
    jw_str(w, "$ref", "#/$defs/sweep_axis");
    jw_close(w, '}');
    sweep_axes(w, "grid", "Every combination of the keys' values");
    sweep_axes(w, "zip", "The keys' values taken together by position (lists of one length)");
    jw_close(w, ']');
    jw_close(w, '}');
}

/* Without `extends:` the file must give every required key of the scenario itself; with
 * one, the base may give them (the loader checks the merged keys). */
static void top_required(jw *w, const sim_schema *s)
{
    const sim_key *ext = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->keys[i].ct == C_NONE) ext = &s->keys[i];
    if (!ext) {
        required(w, s);
        return;
    }
    jw_open(w, "if", '{');
    jw_key(w, "required");
    sb_printf(&w->b, "[");
    jw_string(w, ext->path);
    sb_printf(&w->b, "]");
    jw_close(w, '}');
    jw_open(w, "else", '{');
    required(w, s);
    jw_close(w, '}');
}

int sim_schema_jsonschema(const sim_schema *s, const char *title, bool sweeps, char **out_json)
{
    if (!out_json) return -1;
    *out_json = NULL;
    jw w = {.first = true};
    jw_open(&w, NULL, '{');
    jw_str(&w, "$schema", "https://json-schema.org/draft/2020-12/schema");
    jw_str(&w, "title", title);
    jw_str(&w, "description",
           "Generated by `metersim validate --schema` from the scenario key table; do not edit.  "
           "YAML is read as YAML 1.2 (true/false, not yes/no).  metersim validate also checks "
           "what a schema cannot: the ranges of unit values, cross-key rules, files named "
           "(README, \"Editing with a schema\").");
    object(&w, s, "", false, sweeps);
    top_required(&w, s);
    if (sweeps) {
        jw_open(&w, "$defs", '{');
        sweep_axis(&w, s);
        jw_close(&w, '}');
    }
    jw_close(&w, '}');
    sb_printf(&w.b, "\n");
    if (w.b.oom) {
        free(w.b.s);
        return -1;
    }
    *out_json = w.b.s;
    return 0;
}

#include "schema.h"

#include <stdio.h>
#include <string.h>

int sim_key_find(const sim_schema *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i].path, path) == 0) return (int)i;
    return -1;
}

bool sim_key_is_group(const sim_schema *s, const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < s->n; i++)
        if (strncmp(s->keys[i].path, path, n) == 0 && s->keys[i].path[n] == '.') return true;
    return false;
}

/* The part of P below PREFIX ("" for the top level); NULL when P is not under it. */
static const char *below(const char *p, const char *prefix, size_t pn)
{
    if (!pn) return p;
    return strncmp(p, prefix, pn) == 0 && p[pn] == '.' ? p + pn + 1 : NULL;
}

void sim_key_children(const sim_schema *s, const char *prefix, char *buf, size_t len)
{
    size_t pn = strlen(prefix), o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        const char *name = below(s->keys[i].path, prefix, pn);
        if (!name) continue;
        size_t nl = strcspn(name, ".");
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            const char *qn = below(s->keys[j].path, prefix, pn);
            seen = qn && strcspn(qn, ".") == nl && strncmp(qn, name, nl) == 0;
        }
        if (seen) continue;
        int w = snprintf(buf + o, len - o, "%s%.*s", o ? ", " : "", (int)nl, name);
        if (w < 0 || (size_t)w >= len - o) return;
        o += (size_t)w;
    }
}

const char *sim_enum_name(const char *const *names, int v)
{
    for (int i = 0; names && names[i]; i++)
        if (i == v) return names[i];
    return "?";
}

void sim_key_join(char *buf, size_t len, const char *a, const char *b)
{
    snprintf(buf, len, "%s%s%s", a, *a ? "." : "", b);
}

/* The C type a row's kind can fill; C_NONE rows fill nothing whatever their kind. */
static bool kind_fits(const sim_key *r)
{
    switch (r->kind) {
    case V_STR:
    case V_NAME:
        return r->ct == C_STR && r->size > 1;
    case V_ENUM:
        return r->ct == C_ENUM && r->size == sizeof(int) && r->names && r->names[0];
    case V_BOOL:
        return r->ct == C_BOOL;
    case V_INT:
    case V_REAL:
    case V_UNIT:
        return r->ct >= C_U32 && r->ct <= C_F64;
    case V_SEQ:
        return r->ct == C_SEQ;
    }
    return false;
}

int sim_schema_check(const sim_schema *s, char *why, size_t whylen)
{
    for (size_t i = 0; i < s->n; i++) {
        const sim_key *r = &s->keys[i];
        const char *bad = NULL;
        if (r->ct == C_NONE) continue;
        if (!kind_fits(r))
            bad = "its kind does not match its C type";
        else if (r->off > s->size || r->size > s->size - r->off)
            bad = "its field lies outside the record";
        else if (!r->def && strchr(r->path, '.'))
            bad = "a key inside a group cannot be required (the JSON Schema could not say it)";
        else if (r->kind == V_SEQ && (!r->elem || r->elem->size == 0))
            bad = "a sequence needs an element table";
        else if (r->kind == V_SEQ &&
                 (r->ilo < 0 || r->ihi < r->ilo || (uint64_t)r->ihi > r->size / r->elem->size))
            bad = "its element count range does not fit its array";
        else if (r->kind == V_SEQ && r->count_off + sizeof(uint32_t) > s->size)
            bad = "its element count lies outside the record";
        if (bad) {
            snprintf(why, whylen, "%s: %s", r->path, bad);
            return -1;
        }
        if (r->kind == V_SEQ && sim_schema_check(r->elem, why, whylen) != 0) return -1;
    }
    return 0;
}

#include "fill.h"

#include "convert.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_SHOWN (2 * SIM_KEY_MAX + 32) /* a key under an element path, with [N] */

static bool is_name(const sim_ynode *k, const char *name)
{
    return k->len == strlen(name) && strcmp(k->text, name) == 0;
}

/* Group key K of MAP (at index I) given earlier in the same mapping. */
static bool duplicate_group(sim_diag *dg, const sim_ydoc *d, const sim_ynode *map, size_t i,
                            const char *path)
{
    const sim_ynode *k = map->kids[i];
    for (size_t j = 0; j < i; j += 2) {
        const sim_ynode *o = map->kids[j];
        if (o->kind == SIM_Y_SCALAR && o->len == k->len && memcmp(o->text, k->text, k->len) == 0) {
            sim_diag_at(dg, d, k->line, k->col, path, "duplicate key (first given at %d:%d)",
                        o->line, o->col);
            return true;
        }
    }
    return false;
}

void sim_walk_map(sim_diag *dg, sim_scope *sc, const sim_ydoc *d, const sim_ynode *map,
                  const char *prefix)
{
    char shown_at[PATH_MAX_SHOWN];
    sim_key_join(shown_at, sizeof shown_at, sc->at, prefix);
    if (!*shown_at) snprintf(shown_at, sizeof shown_at, "scenario");
    for (size_t i = 0; i + 1 < map->n && !sim_diag_full(dg); i += 2) {
        const sim_ynode *k = map->kids[i], *v = map->kids[i + 1];
        if (k->kind != SIM_Y_SCALAR) {
            sim_diag_at(dg, d, k->line, k->col, shown_at, "a key must be a plain name, not %s",
                        sim_ynode_kind(k));
            continue;
        }
        if (sc->top && !*prefix && is_name(k, "extends"))
            continue; /* taken by the loader before the walk */
        if (sc->sweeps && !*prefix && is_name(k, "sweep")) {
            if (duplicate_group(dg, d, map, i, "sweep")) continue;
            sc->sweep = v; /* checked once all files are read; the last file's wins */
            sc->sweep_doc = d;
            continue;
        }
        char rel[SIM_KEY_MAX], path[PATH_MAX_SHOWN];
        int w = snprintf(rel, sizeof rel, "%s%s%s", prefix, *prefix ? "." : "", k->text);
        bool fits = w > 0 && (size_t)w < sizeof rel && strlen(k->text) == k->len;
        sim_key_join(path, sizeof path, sc->at, rel);
        int r = fits ? sim_key_find(sc->schema, rel) : -1;
        if (r >= 0) {
            sim_slot *s = &sc->slots[r];
            if (s->gen == sc->gen)
                sim_diag_at(dg, d, k->line, k->col, path, "duplicate key (first given at %d:%d)",
                            s->key->line, s->key->col);
            *s = (sim_slot){.key = k, .val = v, .doc = d, .gen = sc->gen};
        } else if (fits && k->len > 0 && sim_key_is_group(sc->schema, rel)) {
            if (duplicate_group(dg, d, map, i, path) || sim_ynode_is_null(v)) continue;
            if (v->kind == SIM_Y_MAP) {
                sim_walk_map(dg, sc, d, v, rel);
            } else {
                char list[400];
                sim_key_children(sc->schema, rel, list, sizeof list);
                sim_diag_at(dg, d, v->line, v->col, path, "expected a mapping with keys %s, got %s",
                            list, sim_ynode_kind(v));
            }
        } else {
            sim_unknown_key(dg, d, k->line, k->col, sc->schema, sc->at, prefix, k->text, k->len);
        }
    }
}

/* OV addresses an element of the sequence at row path P ("P[N].rest"): *INDEX and *REST. */
static bool element_of(const sim_override *ov, const char *p, size_t *index, const char **rest)
{
    size_t n = strlen(p);
    if (!ov->val || strncmp(ov->path, p, n) != 0 || ov->path[n] != '[') return false;
    char *end;
    unsigned long i = strtoul(ov->path + n + 1, &end, 10);
    if (end[0] != ']' || end[1] != '.') return false;
    *index = i;
    *rest = end + 2;
    return true;
}

/* Element I of sequence row R (at PATH) from mapping E of D into REC, with the overrides
 * of R that address element I. */
static void fill_element(sim_diag *dg, const sim_key *r, const char *path, size_t i,
                         const sim_ynode *e, const sim_ydoc *d, void *rec, const sim_override *ov,
                         size_t nov)
{
    const sim_schema *es = r->elem;
    char at[PATH_MAX_SHOWN + 24];
    snprintf(at, sizeof at, "%s[%zu]", path, i);
    if (e->kind != SIM_Y_MAP) {
        char list[400];
        sim_key_children(es, "", list, sizeof list);
        sim_diag_at(dg, d, e->line, e->col, at, "expected a mapping with keys %s, got %s", list,
                    sim_ynode_kind(e));
        return;
    }
    sim_slot *slots = calloc(es->n ? es->n : 1, sizeof *slots);
    sim_override *sub = calloc(nov ? nov : 1, sizeof *sub);
    if (!slots || !sub) {
        sim_diag_at(dg, d, e->line, e->col, at, "out of memory");
        free(slots);
        free(sub);
        return;
    }
    for (size_t j = 0; j < es->n; j++)
        slots[j].gen = -1;
    sim_scope sc = {.schema = es, .slots = slots, .at = at};
    sim_walk_map(dg, &sc, d, e, "");
    /* Overrides come after the file: a leaf of the element takes its slot, the rest go on
     * to the element's own sequences. */
    size_t nsub = 0;
    for (size_t j = 0; j < nov; j++) {
        size_t index;
        const char *rest;
        if (!element_of(&ov[j], r->path, &index, &rest) || index != i) continue;
        int k = strchr(rest, '[') ? -1 : sim_key_find(es, rest);
        if (k >= 0)
            slots[k] = (sim_slot){.key = ov[j].val, .val = ov[j].val, .doc = ov[j].doc, .gen = -2};
        else
            sub[nsub++] = (sim_override){.path = rest, .val = ov[j].val, .doc = ov[j].doc};
    }
    sim_fill(dg, &sc, (char *)rec + r->off + i * es->size, d, e->line, e->col, sub, nsub);
    free(slots);
    free(sub);
}

/* Sequence row R of the record at AT from node V of D into REC. */
static void fill_seq(sim_diag *dg, const sim_key *r, const char *at, const sim_ynode *v,
                     const sim_ydoc *d, void *rec, const sim_override *ov, size_t nov)
{
    char path[PATH_MAX_SHOWN], expect[80], range[120];
    sim_key_join(path, sizeof path, at, r->path);
    sim_key_expect(r, expect, sizeof expect);
    sim_key_range(r, range, sizeof range);
    if (v->kind != SIM_Y_SEQ) {
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got %s", expect,
                    sim_ynode_is_null(v) ? "no value" : sim_ynode_kind(v));
        return;
    }
    if (v->n < (uint64_t)r->ilo || v->n > (uint64_t)r->ihi) {
        sim_diag_at(dg, d, v->line, v->col, path, "expected %s, got %zu", range, v->n);
        return;
    }
    for (size_t j = 0; j < nov; j++) {
        size_t index;
        const char *rest;
        if (element_of(&ov[j], r->path, &index, &rest) && index >= v->n)
            sim_diag_at(dg, ov[j].doc, 1, 1, path, "no element %zu to set; it has %zu", index,
                        v->n);
    }
    for (size_t i = 0; i < v->n; i++)
        fill_element(dg, r, path, i, v->kids[i], d, rec, ov, nov);
    *(uint32_t *)((char *)rec + r->count_off) = (uint32_t)v->n;
}

/* The default of sequence row R: its YAML text parsed as a document of its own. */
static void fill_seq_default(sim_diag *dg, const sim_key *r, const char *at, void *rec,
                             const sim_override *ov, size_t nov)
{
    sim_ydoc *def = calloc(1, sizeof *def);
    if (!def || !(def->file = strdup("<default>"))) {
        free(def);
        sim_diag_add(dg, 1 << 30, 0, 0, "%s: out of memory", r->path);
        return;
    }
    def->order = 1 << 30;
    if (sim_yaml_parse(dg, def, (const unsigned char *)r->def, strlen(r->def), 0, r->path) == 0 &&
        def->root)
        fill_seq(dg, r, at, def->root, def, rec, ov, nov);
    sim_ydoc_free(def);
}

void sim_fill(sim_diag *dg, const sim_scope *sc, void *rec, const sim_ydoc *where, int line,
              int col, const sim_override *ov, size_t nov)
{
    for (size_t i = 0; i < sc->schema->n; i++) {
        const sim_key *r = &sc->schema->keys[i];
        const sim_slot *s = &sc->slots[i];
        char path[PATH_MAX_SHOWN];
        sim_key_join(path, sizeof path, sc->at, r->path);
        if (r->ct == C_NONE) continue;
        if (s->val && r->kind == V_SEQ) {
            fill_seq(dg, r, sc->at, s->val, s->doc, rec, ov, nov);
        } else if (s->val) {
            sim_convert(dg, r, path, s->val, s->doc, rec);
        } else if (!r->def) {
            char expect[80], range[120];
            sim_key_expect(r, expect, sizeof expect);
            sim_key_range(r, range, sizeof range);
            sim_diag_at(dg, where, line, col, path, "missing required key (%s, %s)", expect, range);
        } else if (r->kind == V_SEQ) {
            fill_seq_default(dg, r, sc->at, rec, ov, nov);
        } else {
            sim_ynode n = {.kind = SIM_Y_SCALAR,
                           .plain = r->kind != V_STR,
                           .text = (char *)r->def,
                           .len = strlen(r->def)};
            sim_ydoc def = {.file = "<default>", .order = 1 << 30};
            sim_convert(dg, r, path, &n, &def, rec);
        }
    }
}

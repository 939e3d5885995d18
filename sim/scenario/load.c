/* Loading: the main file and its `extends:` chain, then the --set overrides, merged key
 * by key (later wins), then every key converted or given its default, and `sweep:`. */
#include "scenario.h"

#include "convert.h"
#include "diag.h"
#include "schema.h"
#include "suggest.h"
#include "write.h"
#include "ytree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (16u << 20) /* a scenario is a page of YAML; this only stops /dev/zero */
#define MAX_EXTENDS 16             /* files in one extends chain */

typedef struct slot {
    const sim_ynode *key, *val;
    const sim_ydoc *doc;
    int gen; /* which file or --set wrote it, to catch a key given twice in one mapping */
} slot;

typedef struct loader {
    sim_ydoc *docs;
    int ndocs;
    sim_diag diag;
    bool fatal;  /* a file could not be read or parsed: the merged keys are incomplete */
    slot *slots; /* one per row of the schema */
    int gen;
    struct {
        dev_t dev;
        ino_t ino;
        const char *file;
    } chain[MAX_EXTENDS + 1];
    int depth;
    const sim_ynode *sweep; /* top-level `sweep:` of the main file (or a base), if any */
    const sim_ydoc *sweep_doc;
} loader;

static sim_ydoc *new_doc(loader *L, const char *file)
{
    sim_ydoc *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->file = strdup(file);
    if (!d->file) {
        free(d);
        return NULL;
    }
    d->order = L->ndocs++;
    d->next = L->docs;
    L->docs = d;
    return d;
}

/* ---------------------------------------------------------------------------------------
 * Walking the files: record which node gives each leaf; later files override.
 */

static void walk_map(loader *L, const sim_ydoc *d, const sim_ynode *map, const char *prefix)
{
    for (size_t i = 0; i + 1 < map->n && !sim_diag_full(&L->diag); i += 2) {
        const sim_ynode *k = map->kids[i], *v = map->kids[i + 1];
        if (k->kind != SIM_Y_SCALAR) {
            sim_diag_at(&L->diag, d, k->line, k->col, *prefix ? prefix : "scenario",
                        "a key must be a plain name, not %s", sim_ynode_kind(k));
            continue;
        }
        if (!*prefix && strcmp(k->text, "extends") == 0 && k->len == 7)
            continue; /* taken by load_file before the walk */
        if (!*prefix && strcmp(k->text, "sweep") == 0 && k->len == 5) {
            L->sweep = v; /* checked once all files are read; the last one given wins */
            L->sweep_doc = d;
            continue;
        }
        char path[SIM_KEY_MAX];
        int w = snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->text);
        bool fits = w > 0 && (size_t)w < sizeof path && strlen(k->text) == k->len;
        int r = fits ? sim_key_find(path) : -1;
        if (r >= 0) {
            slot *s = &L->slots[r];
            if (s->gen == L->gen)
                sim_diag_at(&L->diag, d, k->line, k->col, path,
                            "duplicate key (first given at %d:%d)", s->key->line, s->key->col);
            s->key = k;
            s->val = v;
            s->doc = d;
            s->gen = L->gen;
        } else if (fits && k->len > 0 && sim_key_is_group(path)) {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j += 2) {
                const sim_ynode *o = map->kids[j];
                if (o->kind == SIM_Y_SCALAR && o->len == k->len &&
                    memcmp(o->text, k->text, k->len) == 0) {
                    sim_diag_at(&L->diag, d, k->line, k->col, path,
                                "duplicate key (first given at %d:%d)", o->line, o->col);
                    dup = true;
                }
            }
            if (dup || sim_ynode_is_null(v)) continue;
            if (v->kind == SIM_Y_MAP) {
                walk_map(L, d, v, path);
            } else {
                char list[400];
                sim_key_children(path, list, sizeof list);
                sim_diag_at(&L->diag, d, v->line, v->col, path,
                            "expected a mapping with keys %s, got %s", list, sim_ynode_kind(v));
            }
        } else {
            sim_unknown_key(&L->diag, d, k->line, k->col, prefix, k->text, k->len);
        }
    }
}

static char *read_all(FILE *f, size_t *len, int *err)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        *err = ENOMEM;
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_FILE_BYTES) {
                free(buf);
                *err = EFBIG;
                return NULL;
            }
            cap *= 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                *err = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                *err = errno ? errno : EIO;
                free(buf);
                return NULL;
            }
            break;
        }
    }
    *len = n;
    return buf;
}

static char *join_relative(const char *including, const char *rel)
{
    const char *slash = strrchr(including, '/');
    size_t dn = (rel[0] == '/' || !slash) ? 0 : (size_t)(slash - including) + 1;
    char *p = malloc(dn + strlen(rel) + 1);
    if (p) {
        memcpy(p, including, dn);
        strcpy(p + dn, rel);
    }
    return p;
}

/* Load FILE and, first, its bases.  FROM/FROM_NODE: the extends value that named it. */
static void load_file(loader *L, const char *file, const sim_ydoc *from, const sim_ynode *from_node)
{
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        int e = errno;
        if (f) fclose(f);
        char shown[300];
        sim_show(file, strlen(file), shown, sizeof shown);
        if (from)
            sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends",
                        "cannot open %s: %s", shown, strerror(e));
        else
            sim_diag_add(&L->diag, -1, 0, 0, "%s: cannot open: %s", file, strerror(e));
        L->fatal = true;
        return;
    }
    for (int i = 0; i < L->depth; i++) {
        if (L->chain[i].dev != st.st_dev || L->chain[i].ino != st.st_ino) continue;
        char cycle[600] = "";
        size_t o = 0;
        for (int j = i; j < L->depth && o < sizeof cycle; j++) {
            int w = snprintf(cycle + o, sizeof cycle - o, "%s -> ", L->chain[j].file);
            o += w > 0 ? (size_t)w : 0;
        }
        if (o < sizeof cycle) snprintf(cycle + o, sizeof cycle - o, "%s", file);
        sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends", "cycle: %s", cycle);
        fclose(f);
        L->fatal = true;
        return;
    }
    if (L->depth > MAX_EXTENDS) {
        sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends",
                    "more than %d files in the extends chain", MAX_EXTENDS);
        fclose(f);
        L->fatal = true;
        return;
    }
    size_t len = 0;
    int e = 0;
    char *buf = read_all(f, &len, &e);
    fclose(f);
    sim_ydoc *d = buf ? new_doc(L, file) : NULL;
    if (!d) {
        if (from)
            sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends",
                        "cannot read %s: %s", file, strerror(e ? e : ENOMEM));
        else
            sim_diag_add(&L->diag, -1, 0, 0, "%s: cannot read: %s", file, strerror(e ? e : ENOMEM));
        free(buf);
        L->fatal = true;
        return;
    }
    int rc = sim_yaml_parse(&L->diag, d, (const unsigned char *)buf, len, 0, "syntax error");
    free(buf);
    if (rc != 0) {
        L->fatal = true;
        return;
    }
    const sim_ynode *root = d->root;
    if (!root || sim_ynode_is_null(root)) return;
    if (root->kind != SIM_Y_MAP) {
        sim_diag_at(&L->diag, d, root->line, root->col, "scenario",
                    "expected a mapping of keys such as \"name: demo\", got %s",
                    sim_ynode_kind(root));
        L->fatal = true;
        return;
    }

    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const sim_ynode *k = root->kids[i], *v = root->kids[i + 1];
        if (k->kind != SIM_Y_SCALAR || k->len != 7 || strcmp(k->text, "extends") != 0) continue;
        if (v->kind != SIM_Y_SCALAR || sim_ynode_is_null(v) || strlen(v->text) != v->len ||
            v->len == 0) {
            sim_diag_at(&L->diag, d, v->line, v->col, "extends", "expected a file name, got %s",
                        v->kind == SIM_Y_SCALAR ? "nothing" : sim_ynode_kind(v));
            L->fatal = true;
            return;
        }
        char *base = join_relative(file, v->text);
        if (!base) {
            sim_diag_at(&L->diag, d, v->line, v->col, "extends", "out of memory");
            L->fatal = true;
            return;
        }
        L->chain[L->depth].dev = st.st_dev;
        L->chain[L->depth].ino = st.st_ino;
        L->chain[L->depth].file = d->file;
        L->depth++;
        load_file(L, base, d, v);
        L->depth--;
        free(base);
        break; /* a second extends: is reported by the walk as a duplicate */
    }
    bool seen = false;
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const sim_ynode *k = root->kids[i];
        if (k->kind == SIM_Y_SCALAR && k->len == 7 && strcmp(k->text, "extends") == 0) {
            if (seen) sim_diag_at(&L->diag, d, k->line, k->col, "extends", "duplicate key");
            seen = true;
        }
    }
    L->gen++;
    walk_map(L, d, root, "");
}

/* --set number I: "key.path=value" */
static void apply_set(loader *L, const char *arg, size_t i)
{
    sim_ydoc tmp = {.file = "--set", .order = (1 << 20) + (int)(i % (1u << 20))};
    sim_ydoc *where = &tmp;
    const char *eq = strchr(arg, '=');
    char shown[80];
    if (!eq || eq == arg) {
        sim_show(arg, strlen(arg), shown, sizeof shown);
        sim_diag_at(&L->diag, where, 1, 1, *shown ? shown : "(empty)", "expected key.path=value");
        return;
    }
    char key[SIM_KEY_MAX];
    size_t kn = (size_t)(eq - arg);
    if (kn >= sizeof key) {
        sim_show(arg, kn, shown, sizeof shown);
        sim_diag_at(&L->diag, where, 1, 1, shown, "unknown key");
        return;
    }
    memcpy(key, arg, kn);
    key[kn] = '\0';
    int r = sim_key_find(key);
    if (r >= 0 && sim_scenario_keys[r].ct == C_NONE) {
        sim_diag_at(&L->diag, where, 1, 1, key, "cannot be given with --set; write it in the file");
        return;
    }
    if (r < 0) {
        sim_show(key, kn, shown, sizeof shown);
        if (sim_key_is_group(key)) {
            char list[400];
            sim_key_children(key, list, sizeof list);
            sim_diag_at(&L->diag, where, 1, 1, shown, "is a mapping; set one of its keys: %s",
                        list);
            return;
        }
        /* Suggest among the siblings when the mapping above the key is valid. */
        char prefix[SIM_KEY_MAX];
        snprintf(prefix, sizeof prefix, "%s", key);
        char *dot = strrchr(prefix, '.');
        const char *last = key;
        if (dot) {
            *dot = '\0';
            if (sim_key_is_group(prefix))
                last = key + (dot - prefix) + 1;
            else
                prefix[0] = '\0';
        } else {
            prefix[0] = '\0';
        }
        sim_unknown_key(&L->diag, where, 1, 1, prefix, last, strlen(last));
        return;
    }
    sim_ydoc *d = new_doc(L, "--set");
    if (!d) {
        sim_diag_at(&L->diag, where, 1, 1, key, "out of memory");
        return;
    }
    d->order = tmp.order;
    const char *val = eq + 1;
    int col_off = (int)(val - arg);
    if (sim_yaml_parse(&L->diag, d, (const unsigned char *)val, strlen(val), col_off, key) != 0)
        return;
    if (!d->root) {
        yaml_mark_t m = {0, 0, 0};
        sim_ynode *n = sim_ynode_new(d, SIM_Y_SCALAR, &m, col_off);
        if (!n || !(n->text = calloc(1, 1))) {
            sim_diag_at(&L->diag, where, 1, 1, key, "out of memory");
            return;
        }
        n->plain = true;
        d->root = n;
    }
    L->gen++;
    L->slots[r] = (slot){.key = d->root, .val = d->root, .doc = d, .gen = L->gen};
}

static void free_loader(loader *L)
{
    for (sim_ydoc *d = L->docs, *next; d; d = next) {
        next = d->next;
        sim_ydoc_free(d);
    }
    free(L->slots);
}

/* `sweep: {key: a.b, values: [v1, v2, ...]}`: one run per value of one key.  Each value
 * is checked as that key would be, so errors point at the value in the file. */
static void check_sweep(loader *L, sim_scenario *sc)
{
    const sim_ynode *m = L->sweep;
    const sim_ydoc *d = L->sweep_doc;
    const sim_ynode *key = NULL, *values = NULL;
    if (m->kind != SIM_Y_MAP) {
        sim_diag_at(&L->diag, d, m->line, m->col, "sweep",
                    "expected a mapping with keys key, values, got %s", sim_ynode_kind(m));
        return;
    }
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const sim_ynode *k = m->kids[i];
        if (k->kind == SIM_Y_SCALAR && strcmp(k->text, "key") == 0)
            key = m->kids[i + 1];
        else if (k->kind == SIM_Y_SCALAR && strcmp(k->text, "values") == 0)
            values = m->kids[i + 1];
        else
            sim_diag_at(&L->diag, d, k->line, k->col, "sweep",
                        "unknown key; expected key or values");
    }
    if (!key || !values) {
        sim_diag_at(&L->diag, d, m->line, m->col, "sweep", "needs both key and values");
        return;
    }
    int r = key->kind == SIM_Y_SCALAR ? sim_key_find(key->text) : -1;
    if (r < 0 || sim_scenario_keys[r].ct == C_NONE || strcmp(key->text, "name") == 0) {
        sim_diag_at(&L->diag, d, key->line, key->col, "sweep.key",
                    "\"%s\" is not a scenario key that can be swept",
                    key->kind == SIM_Y_SCALAR ? key->text : sim_ynode_kind(key));
        return;
    }
    if (values->kind != SIM_Y_SEQ || values->n == 0 || values->n > SIM_SWEEP_MAX) {
        sim_diag_at(&L->diag, d, values->line, values->col, "sweep.values",
                    "expected a list of 1..%d values", SIM_SWEEP_MAX);
        return;
    }
    snprintf(sc->sweep_key, sizeof sc->sweep_key, "%s", key->text);
    sim_scenario *scratch = calloc(1, sizeof *scratch);
    if (!scratch) return;
    for (size_t i = 0; i < values->n; i++) {
        const sim_ynode *v = values->kids[i];
        int before = L->diag.n;
        sim_convert(&L->diag, &sim_scenario_keys[r], v, d, scratch);
        if (L->diag.n != before) continue;
        if (v->len >= sizeof sc->sweep_values[0]) {
            sim_diag_at(&L->diag, d, v->line, v->col, "sweep.values", "value longer than %zu bytes",
                        sizeof sc->sweep_values[0] - 1);
            continue;
        }
        snprintf(sc->sweep_values[sc->n_sweep++], sizeof sc->sweep_values[0], "%s", v->text);
    }
    free(scratch);
}

int sim_scenario_load(const char *path, const char *const *sets, size_t nsets, sim_scenario **out,
                      char *err, size_t errlen)
{
    if (err && errlen > 0) err[0] = '\0';
    if (out) *out = NULL;
    if (!path || !out || (nsets > 0 && !sets)) {
        if (err && errlen > 0) snprintf(err, errlen, "sim_scenario_load: no scenario file given");
        return -1;
    }
    loader *L = calloc(1, sizeof *L);
    sim_scenario *sc = calloc(1, sizeof *sc);
    slot *slots = calloc(sim_scenario_nkeys, sizeof *slots);
    if (!L || !sc || !slots) {
        free(L);
        free(sc);
        free(slots);
        if (err && errlen > 0) snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    L->slots = slots;
    for (size_t i = 0; i < sim_scenario_nkeys; i++)
        L->slots[i].gen = -1;

    load_file(L, path, NULL, NULL);
    for (size_t i = 0; i < nsets; i++)
        apply_set(L, sets[i] ? sets[i] : "", i);

    if (!L->fatal) {
        const sim_ydoc *main_doc = NULL;
        for (const sim_ydoc *d = L->docs; d; d = d->next)
            if (d->order == 0) main_doc = d;
        for (size_t i = 0; i < sim_scenario_nkeys && main_doc; i++) {
            const sim_key *r = &sim_scenario_keys[i];
            const slot *s = &L->slots[i];
            if (r->ct == C_NONE) continue;
            if (s->val) {
                sim_convert(&L->diag, r, s->val, s->doc, sc);
            } else if (!r->def) {
                char expect[80], range[120];
                sim_key_expect(r, expect, sizeof expect);
                sim_key_range(r, range, sizeof range);
                const sim_ynode *root = main_doc->root;
                int line = root && root->kind == SIM_Y_MAP ? root->line : 1;
                int col = root && root->kind == SIM_Y_MAP ? root->col : 1;
                sim_diag_at(&L->diag, main_doc, line, col, r->path, "missing required key (%s, %s)",
                            expect, range);
            } else {
                sim_ynode n = {.kind = SIM_Y_SCALAR,
                               .plain = r->kind != V_STR,
                               .text = (char *)r->def,
                               .len = strlen(r->def)};
                sim_ydoc def = {.file = "<default>", .order = 1 << 30};
                sim_convert(&L->diag, r, &n, &def, sc);
            }
        }
    }

    if (!L->fatal && L->sweep) check_sweep(L, sc);
    int rc = L->diag.n > 0 ? -1 : 0;
    if (rc == 0) {
        snprintf(sc->source_path, sizeof sc->source_path, "%s", path);
        sc->resolved_yaml = sim_resolved_text(sc, path);
        if (!sc->resolved_yaml) {
            sim_diag_add(&L->diag, 0, 0, 0, "%s: out of memory", path);
            rc = -1;
        }
    }
    sim_diag_flush(&L->diag, err, errlen);
    free_loader(L);
    free(L);
    if (rc != 0) {
        sim_scenario_destroy(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

void sim_scenario_destroy(sim_scenario *sc)
{
    if (!sc) return;
    free(sc->resolved_yaml);
    free(sc);
}

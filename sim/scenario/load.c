/* Loading: the main file and its `extends:` chain, then the --set overrides, merged key
 * by key (later wins), then every key filled (fill.c) and `sweep:` checked. */
#include "load.h"

#include "convert.h"
#include "fill.h"
#include "suggest.h"
#include "write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (16u << 20) /* a scenario is a page of YAML; this only stops /dev/zero */
#define MAX_EXTENDS 16             /* files in one extends chain */

typedef struct loader {
    const sim_schema *schema;
    sim_ydoc *docs;
    int ndocs;
    sim_diag diag;
    bool fatal;       /* a file could not be read or parsed: the merged keys are incomplete */
    sim_scope top;    /* the record's keys, merged over the files and --set */
    sim_override *ov; /* element keys given with --set, in order */
    size_t nov, capov;
    struct {
        dev_t dev;
        ino_t ino;
        const char *file;
    } chain[MAX_EXTENDS + 1];
    int depth;
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

/* A problem with FILE, which the extends value FROM_NODE of FROM names (NULL: the main
 * file), shown as NAME there: the chain cannot be merged. */
static void file_error(loader *L, const char *file, const char *name, const sim_ydoc *from,
                       const sim_ynode *from_node, const char *what, int e)
{
    if (from)
        sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends", "%s %s: %s", what,
                    name, strerror(e));
    else
        sim_diag_add(&L->diag, -1, 0, 0, "%s: %s: %s", file, what, strerror(e));
    L->fatal = true;
}

/* FILE is already in the extends chain being loaded, or the chain is too long. */
static bool chain_error(loader *L, const char *file, const struct stat *st, const sim_ydoc *from,
                        const sim_ynode *from_node)
{
    for (int i = 0; i < L->depth; i++) {
        if (L->chain[i].dev != st->st_dev || L->chain[i].ino != st->st_ino) continue;
        char cycle[600] = "";
        size_t o = 0;
        for (int j = i; j < L->depth && o < sizeof cycle; j++) {
            int w = snprintf(cycle + o, sizeof cycle - o, "%s -> ", L->chain[j].file);
            o += w > 0 ? (size_t)w : 0;
        }
        if (o < sizeof cycle) snprintf(cycle + o, sizeof cycle - o, "%s", file);
        sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends", "cycle: %s", cycle);
        return true;
    }
    if (L->depth > MAX_EXTENDS) {
        sim_diag_at(&L->diag, from, from_node->line, from_node->col, "extends",
                    "more than %d files in the extends chain", MAX_EXTENDS);
        return true;
    }
    return false;
}

static void load_file(loader *L, const char *file, const sim_ydoc *from,
                      const sim_ynode *from_node);

/* The base D's `extends:` names, loaded before D itself is walked.  -1: the extends
 * value itself is wrong (D is not walked); a failure inside the base is only fatal. */
static int load_base(loader *L, const char *file, const struct stat *st, const sim_ydoc *d)
{
    const sim_ynode *root = d->root;
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const sim_ynode *k = root->kids[i], *v = root->kids[i + 1];
        if (k->kind != SIM_Y_SCALAR || k->len != 7 || strcmp(k->text, "extends") != 0) continue;
        if (v->kind != SIM_Y_SCALAR || sim_ynode_is_null(v) || strlen(v->text) != v->len ||
            v->len == 0) {
            sim_diag_at(&L->diag, d, v->line, v->col, "extends", "expected a file name, got %s",
                        v->kind == SIM_Y_SCALAR ? "nothing" : sim_ynode_kind(v));
            L->fatal = true;
            return -1;
        }
        char *base = join_relative(file, v->text);
        if (!base) {
            sim_diag_at(&L->diag, d, v->line, v->col, "extends", "out of memory");
            L->fatal = true;
            return -1;
        }
        L->chain[L->depth].dev = st->st_dev;
        L->chain[L->depth].ino = st->st_ino;
        L->chain[L->depth].file = d->file;
        L->depth++;
        load_file(L, base, d, v);
        L->depth--;
        free(base);
        return 0; /* a second extends: is reported as a duplicate */
    }
    return 0;
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
        file_error(L, file, shown, from, from_node, "cannot open", e);
        return;
    }
    if (chain_error(L, file, &st, from, from_node)) {
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
        free(buf);
        file_error(L, file, file, from, from_node, "cannot read", e ? e : ENOMEM);
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
    if (load_base(L, file, &st, d) != 0) return;
    bool seen = false;
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const sim_ynode *k = root->kids[i];
        if (k->kind == SIM_Y_SCALAR && k->len == 7 && strcmp(k->text, "extends") == 0) {
            if (seen) sim_diag_at(&L->diag, d, k->line, k->col, "extends", "duplicate key");
            seen = true;
        }
    }
    L->top.gen++;
    sim_walk_map(&L->diag, &L->top, d, root, "");
}

/* KEY (at AT, see sim_key_join) names nothing --set can give in S: the nearest key, or
 * the keys of the mapping it names. */
static void set_unknown(loader *L, const sim_ydoc *where, const sim_schema *s, const char *at,
                        const char *key)
{
    char shown[80], path[2 * SIM_KEY_MAX];
    sim_show(key, strlen(key), shown, sizeof shown);
    if (sim_key_is_group(s, key)) {
        char list[400];
        sim_key_children(s, key, list, sizeof list);
        sim_key_join(path, sizeof path, at, shown);
        sim_diag_at(&L->diag, where, 1, 1, path, "is a mapping; set one of its keys: %s", list);
        return;
    }
    /* Suggest among the siblings when the mapping above the key is valid. */
    char prefix[SIM_KEY_MAX];
    snprintf(prefix, sizeof prefix, "%s", key);
    char *dot = strrchr(prefix, '.');
    const char *last = key;
    if (dot) {
        *dot = '\0';
        if (sim_key_is_group(s, prefix))
            last = key + (dot - prefix) + 1;
        else
            prefix[0] = '\0';
    } else {
        prefix[0] = '\0';
    }
    sim_unknown_key(&L->diag, where, 1, 1, s, at, prefix, last, strlen(last));
}

/* The row of S that --set KEY gives (KEY relative to the record at AT), or -1 after a
 * message.  "seq[N].rest", SEQ a sequence, names a key of element N: the row is the
 * sequence's, *ELEMENT is set and REST is checked against the element's table. */
static int set_target(loader *L, const sim_ydoc *where, const sim_schema *s, const char *at,
                      const char *key, bool *element)
{
    char path[2 * SIM_KEY_MAX];
    const char *br = strchr(key, '[');
    if (!br) {
        int r = sim_key_find(s, key);
        sim_key_join(path, sizeof path, at, key);
        if (r >= 0 && s->keys[r].ct == C_NONE)
            sim_diag_at(&L->diag, where, 1, 1, path,
                        "cannot be given with --set; write it in the file");
        else if (r < 0)
            set_unknown(L, where, s, at, key);
        return r >= 0 && s->keys[r].ct != C_NONE ? r : -1;
    }
    char head[SIM_KEY_MAX];
    snprintf(head, sizeof head, "%.*s", (int)(br - key), key);
    int r = sim_key_find(s, head);
    if (r < 0 || s->keys[r].kind != V_SEQ) {
        /* Not an element: the whole text is the key, and it names none. */
        set_unknown(L, where, s, at, key);
        return -1;
    }
    sim_key_join(path, sizeof path, at, head);
    size_t nd = strspn(br + 1, "0123456789");
    if (nd == 0 || nd > 6 || (nd > 1 && br[1] == '0') || br[1 + nd] != ']' || br[2 + nd] != '.' ||
        !br[3 + nd]) {
        sim_diag_at(&L->diag, where, 1, 1, path,
                    "expected %s[N].key, N the element's index counted from 0", head);
        return -1;
    }
    char elem_at[2 * SIM_KEY_MAX + 16];
    snprintf(elem_at, sizeof elem_at, "%s[%.*s]", path, (int)nd, br + 1);
    *element = true;
    bool inner = false;
    return set_target(L, where, s->keys[r].elem, elem_at, br + 3 + nd, &inner) >= 0 ? r : -1;
}

/* A later --set of KEY replaces what earlier ones gave inside it ("KEY[N]..."). */
static void drop_overrides_under(loader *L, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < L->nov; i++)
        if (strncmp(L->ov[i].path, key, n) == 0 && L->ov[i].path[n] == '[') L->ov[i].val = NULL;
}

static int add_override(loader *L, const char *key, const sim_ynode *val, const sim_ydoc *d)
{
    if (L->nov == L->capov) {
        size_t cap = L->capov ? 2 * L->capov : 8;
        sim_override *ov = realloc(L->ov, cap * sizeof *ov);
        if (!ov) return -1;
        L->ov = ov;
        L->capov = cap;
    }
    char *path = strdup(key);
    if (!path) return -1;
    L->ov[L->nov++] = (sim_override){.path = path, .val = val, .doc = d};
    return 0;
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
    bool element = false;
    int r = set_target(L, where, L->schema, "", key, &element);
    if (r < 0) return;
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
    L->top.gen++;
    drop_overrides_under(L, key);
    if (!element)
        L->top.slots[r] = (sim_slot){.key = d->root, .val = d->root, .doc = d, .gen = L->top.gen};
    else if (add_override(L, key, d->root, d) != 0)
        sim_diag_at(&L->diag, where, 1, 1, key, "out of memory");
}

static void free_loader(loader *L)
{
    for (sim_ydoc *d = L->docs, *next; d; d = next) {
        next = d->next;
        sim_ydoc_free(d);
    }
    for (size_t i = 0; i < L->nov; i++)
        free((char *)L->ov[i].path);
    free(L->ov);
    free(L->top.slots);
    free(L);
}

/* The values of the keys NAMES[0..N-1] of mapping M at AT (NULL: not given), KEYS where each
 * was written; a key given twice, or not one of NAMES (EXPECTED says which are), is reported.
 * False when anything was. */
static bool sweep_fields(loader *L, const sim_ydoc *d, const sim_ynode *m, const char *at,
                         const char *const *names, size_t n, const char *expected,
                         const sim_ynode **vals, const sim_ynode **keys)
{
    bool ok = true;
    for (size_t f = 0; f < n; f++)
        vals[f] = keys[f] = NULL;
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const sim_ynode *k = m->kids[i];
        size_t f = 0;
        while (f < n && !(k->kind == SIM_Y_SCALAR && strcmp(k->text, names[f]) == 0))
            f++;
        char path[SIM_KEY_MAX];
        snprintf(path, sizeof path, "%s.%s", at, f < n ? names[f] : "");
        if (f == n) {
            sim_diag_at(&L->diag, d, k->line, k->col, at, "unknown key; expected %s", expected);
            ok = false;
        } else if (keys[f]) {
            sim_diag_at(&L->diag, d, k->line, k->col, path, "duplicate key (first given at %d:%d)",
                        keys[f]->line, keys[f]->col);
            return false;
        } else {
            vals[f] = m->kids[i + 1];
            keys[f] = k;
        }
    }
    return ok;
}

/* One `{key: a.b, values: [v1, v2, ...]}` at AT into AX; AT_NODES[0] its key's node and [1]
 * its list's, once found.  Each value is checked as that key would be, so errors point at the
 * value in the file.  False when anything is wrong (reported). */
static bool sweep_axis(loader *L, const sim_ydoc *d, const sim_ynode *m, const char *at,
                       sim_sweep_axis *ax, const sim_ynode **at_nodes)
{
    static const char *const names[] = {"key", "values"};
    const sim_ynode *v[2], *k[2];
    if (!sweep_fields(L, d, m, at, names, 2, "key or values", v, k)) return false;
    const sim_ynode *key = v[0], *values = v[1];
    char path[SIM_KEY_MAX];
    if (!key || !values) {
        sim_diag_at(&L->diag, d, m->line, m->col, at, "needs both key and values");
        return false;
    }
    at_nodes[0] = key;
    at_nodes[1] = values;
    /* Not the name: it names the run.  Not a sequence: a value is one scalar.  Not extends
     * (C_NONE) nor sweep, which are no rows. */
    int r = key->kind == SIM_Y_SCALAR ? sim_key_find(L->schema, key->text) : -1;
    const sim_key *row = r >= 0 ? &L->schema->keys[r] : NULL;
    if (!row || row->ct == C_NONE || row->kind == V_NAME || row->kind == V_SEQ ||
        key->len >= sizeof ax->key) {
        snprintf(path, sizeof path, "%s.key", at);
        sim_diag_at(&L->diag, d, key->line, key->col, path,
                    "\"%s\" is not a scenario key that can be swept",
                    key->kind == SIM_Y_SCALAR ? key->text : sim_ynode_kind(key));
        return false;
    }
    snprintf(path, sizeof path, "%s.values", at);
    if (values->kind != SIM_Y_SEQ || values->n == 0 || values->n > SIM_SWEEP_MAX) {
        sim_diag_at(&L->diag, d, values->line, values->col, path, "expected a list of 1..%d values",
                    SIM_SWEEP_MAX);
        return false;
    }
    snprintf(ax->key, sizeof ax->key, "%s", key->text);
    void *scratch = calloc(1, L->schema->size);
    if (!scratch) return false;
    int before = L->diag.n;
    for (size_t i = 0; i < values->n; i++) {
        const sim_ynode *e = values->kids[i];
        int was = L->diag.n;
        sim_convert(&L->diag, row, row->path, e, d, scratch);
        if (L->diag.n != was) continue;
        if (e->len >= sizeof ax->values[0]) {
            sim_diag_at(&L->diag, d, e->line, e->col, path, "value longer than %zu bytes",
                        sizeof ax->values[0] - 1);
            continue;
        }
        snprintf(ax->values[ax->n++], sizeof ax->values[0], "%s", e->text);
    }
    free(scratch);
    return L->diag.n == before;
}

/* `grid: [...]` or `zip: [...]` (AT names which): one axis per list item.  A key swept twice
 * is refused at its second place, a zip list of another length at that list, a grid past
 * SIM_SWEEP_POINTS at the key that takes it there. */
static void sweep_axes(loader *L, const sim_ydoc *d, const sim_ynode *list, const char *at,
                       sim_sweep *sw)
{
    bool zip = strcmp(at, "sweep.zip") == 0;
    if (list->kind != SIM_Y_SEQ || list->n == 0 || list->n > SIM_SWEEP_KEYS) {
        sim_diag_at(&L->diag, d, list->line, list->col, at,
                    "expected a list of 1..%d mappings {key, values}", SIM_SWEEP_KEYS);
        return;
    }
    const sim_ynode *nodes[SIM_SWEEP_KEYS][2] = {{NULL}};
    size_t points = 1;
    bool ok = true, first_ok = false;
    for (size_t i = 0; i < list->n; i++) {
        const sim_ynode *m = list->kids[i];
        char item[SIM_KEY_MAX], path[SIM_KEY_MAX + sizeof ".values"];
        snprintf(item, sizeof item, "%s[%zu]", at, i);
        if (m->kind != SIM_Y_MAP) {
            sim_diag_at(&L->diag, d, m->line, m->col, item,
                        "expected a mapping with keys key, values, got %s", sim_ynode_kind(m));
            ok = false;
            continue;
        }
        sim_sweep_axis *ax = &sw->axis[i];
        if (!sweep_axis(L, d, m, item, ax, nodes[i])) {
            ok = false;
            continue;
        }
        first_ok = first_ok || i == 0;
        const sim_ynode *key_at = nodes[i][0];
        snprintf(path, sizeof path, "%s.key", item);
        for (size_t j = 0; j < i; j++)
            if (nodes[j][0] && strcmp(sw->axis[j].key, ax->key) == 0) {
                sim_diag_at(&L->diag, d, key_at->line, key_at->col, path,
                            "\"%s\" is swept twice (first given at %d:%d)", ax->key, nodes[j][0]->line,
                            nodes[j][0]->col);
                ok = false;
            }
        const sim_ynode *vals = nodes[i][1];
        if (zip && i > 0 && first_ok && vals->n != nodes[0][1]->n) {
            snprintf(path, sizeof path, "%s.values", item);
            sim_diag_at(&L->diag, d, vals->line, vals->col, path,
                        "%zu values, but %s[0] has %zu; zip runs the i-th values together, so "
                        "every list needs the same length",
                        vals->n, at, nodes[0][1]->n);
            ok = false;
        }
        if (!zip && points <= SIM_SWEEP_POINTS) {
            points *= ax->n;
            if (points > SIM_SWEEP_POINTS) {
                sim_diag_at(&L->diag, d, key_at->line, key_at->col, path,
                            "the grid has %zu points up to this key, more than %d", points,
                            SIM_SWEEP_POINTS);
                ok = false;
            }
        }
    }
    if (!ok) return;
    sw->form = zip ? SIM_SWEEP_ZIP : SIM_SWEEP_GRID;
    sw->n_keys = list->n;
    sw->n_points = zip ? sw->axis[0].n : points;
}

/* `sweep:` in one of its forms (sim/scenario.h): {key, values}, {grid: [...]}, {zip: [...]}. */
static void check_sweep(loader *L, sim_sweep *sw)
{
    const sim_ynode *m = L->top.sweep;
    const sim_ydoc *d = L->top.sweep_doc;
    static const char *const names[] = {"key", "values", "grid", "zip"};
    const sim_ynode *v[4], *k[4];
    if (m->kind != SIM_Y_MAP) {
        sim_diag_at(&L->diag, d, m->line, m->col, "sweep",
                    "expected a mapping with keys key and values, grid, or zip; got %s",
                    sim_ynode_kind(m));
        return;
    }
    if (!sweep_fields(L, d, m, "sweep", names, 4, "key and values, grid, or zip", v, k)) return;
    int forms = (v[0] || v[1]) + !!v[2] + !!v[3];
    if (forms > 1) {
        sim_diag_at(&L->diag, d, m->line, m->col, "sweep",
                    "give only one of key and values, grid, or zip");
        return;
    }
    if (v[2] || v[3]) {
        sweep_axes(L, d, v[2] ? v[2] : v[3], v[2] ? "sweep.grid" : "sweep.zip", sw);
        return;
    }
    const sim_ynode *nodes[2];
    if (!sweep_axis(L, d, m, "sweep", &sw->axis[0], nodes)) return;
    sw->form = SIM_SWEEP_ONE;
    sw->n_keys = 1;
    sw->n_points = sw->axis[0].n;
}

/* Every key of the merged files and --set into REC; a required key missing is reported
 * at the main file's top mapping. */
static void fill_top(loader *L, void *rec)
{
    const sim_ydoc *main_doc = NULL;
    for (const sim_ydoc *d = L->docs; d; d = d->next)
        if (d->order == 0) main_doc = d;
    if (!main_doc) return;
    const sim_ynode *root = main_doc->root;
    bool map = root && root->kind == SIM_Y_MAP;
    sim_fill(&L->diag, &L->top, rec, main_doc, map ? root->line : 1, map ? root->col : 1, L->ov,
             L->nov);
}

/* The files the loader read (not the --set pseudo-document), each followed by its NUL, the
 * list ended by an empty name; malloc'd, NULL when out of memory. */
static char *files_read(const loader *L)
{
    size_t n = 1;
    for (const sim_ydoc *d = L->docs; d; d = d->next)
        if (strcmp(d->file, "--set") != 0) n += strlen(d->file) + 1;
    char *out = malloc(n), *p = out;
    if (!out) return NULL;
    for (const sim_ydoc *d = L->docs; d; d = d->next)
        if (strcmp(d->file, "--set") != 0) p = stpcpy(p, d->file) + 1;
    *p = '\0';
    return out;
}

/* The keys of the top record given by some file or --set (sim_load_out.given); malloc'd, NULL
 * when out of memory. */
static char *keys_given(const loader *L)
{
    size_t n = 1;
    char where[64];
    for (size_t i = 0; i < L->schema->n; i++) {
        const sim_slot *sl = &L->top.slots[i];
        if (sl->gen >= 0 && sl->key) n += strlen(L->schema->keys[i].path) + strlen(sl->doc->file) + sizeof where;
    }
    char *out = malloc(n), *p = out;
    if (!out) return NULL;
    *p = '\0';
    for (size_t i = 0; i < L->schema->n; i++) {
        const sim_slot *sl = &L->top.slots[i];
        if (sl->gen < 0 || !sl->key) continue;
        snprintf(where, sizeof where, ":%d:%d\n", sl->key->line, sl->key->col);
        p = stpcpy(stpcpy(stpcpy(stpcpy(p, L->schema->keys[i].path), "\t"), sl->doc->file), where);
    }
    return out;
}

int sim_schema_load(const sim_schema *s, const char *path, const char *const *sets, size_t nsets,
                    void *rec, sim_sweep *sweep, sim_load_out *out, char *err, size_t errlen)
{
    *out = (sim_load_out){0};
    loader *L = calloc(1, sizeof *L);
    sim_slot *slots = calloc(s->n ? s->n : 1, sizeof *slots);
    if (!L || !slots) {
        free(L);
        free(slots);
        if (err && errlen > 0) snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    L->schema = s;
    L->top =
        (sim_scope){.schema = s, .slots = slots, .at = "", .top = true, .sweeps = sweep != NULL};
    for (size_t i = 0; i < s->n; i++)
        slots[i].gen = -1;

    load_file(L, path, NULL, NULL);
    for (size_t i = 0; i < nsets; i++)
        apply_set(L, sets[i] ? sets[i] : "", i);
    if (!L->fatal) fill_top(L, rec);
    if (!L->fatal && L->top.sweep) check_sweep(L, sweep);
    int rc = L->diag.n > 0 ? -1 : 0;
    if (rc == 0) {
        out->resolved = sim_resolved_text(s, rec, path);
        out->files = files_read(L);
        out->given = keys_given(L);
        if (!out->resolved || !out->files || !out->given) {
            sim_diag_add(&L->diag, 0, 0, 0, "%s: out of memory", path);
            free(out->resolved);
            free(out->files);
            free(out->given);
            *out = (sim_load_out){0};
            rc = -1;
        }
    }
    sim_diag_flush(&L->diag, err, errlen);
    free_loader(L);
    return rc;
}

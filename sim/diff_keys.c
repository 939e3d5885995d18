/* `metersim diff`: the scenario keys whose resolved values differ between the two traces.
 *
 * /meta scenario_yaml is the text `metersim validate` prints (scenario/write.c): one key per
 * line, nested mappings as blocks indented by two, sequence items opened by "- ", comments
 * on lines of their own.  It is flattened here to key paths as the scenario reference names
 * them ("wan.uplink.bandwidth", "fleet.populations[0].firmware") and their value text.
 * Keys whose name ends in "firmware" (firmware image paths) are expected to differ between
 * two images' runs; any other difference means the runs are of different scenarios.
 */
#include "diff_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct kv {
    char *key, *value;
} kv;

typedef struct kvs {
    kv *v;
    size_t n, cap;
} kvs;

typedef struct frame {
    int indent;    /* column of the key, or of the dash for a sequence item */
    char name[96]; /* path component: "wan", "[2]" */
    int items;     /* sequence items seen under this key */
} frame;

static int kvs_add(kvs *s, const char *key, const char *value, size_t vlen)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 128;
        kv *v = realloc(s->v, cap * sizeof *v);
        if (!v) return -1;
        s->v = v;
        s->cap = cap;
    }
    char *k = strdup(key), *val = strndup(value, vlen);
    if (!k || !val) {
        free(k);
        free(val);
        return -1;
    }
    s->v[s->n++] = (kv){k, val};
    return 0;
}

static void kvs_free(kvs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].key);
        free(s->v[i].value);
    }
    free(s->v);
}

/* The path of the frames ST[0..DEPTH) and NAME into BUF. */
static void join(const frame *st, int depth, const char *name, size_t nlen, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i <= depth && off < n; i++) {
        const char *c = i < depth ? st[i].name : name;
        int len = i < depth ? (int)strlen(c) : (int)nlen;
        const char *sep = off && c[0] != '[' ? "." : "";
        int k = snprintf(buf + off, n - off, "%s%.*s", sep, len, c);
        if (k < 0) return;
        off += (size_t)k;
    }
}

/* TEXT flattened into S; 0, or -1 out of memory. */
static int flatten(const char *text, kvs *s)
{
    frame st[MAX_DEPTH];
    int depth = 0;
    char path[1024];
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *p = line, *stop = line + len;
        line = end ? end + 1 : NULL;
        while (p < stop && *p == ' ') p++;
        if (p == stop || *p == '#') continue;
        int col = (int)(p - (stop - len));
        if (p + 1 < stop && p[0] == '-' && p[1] == ' ') {
            while (depth > 0 && st[depth - 1].indent >= col) depth--;
            if (depth == 0 || depth >= MAX_DEPTH) continue; /* not under a key: not ours */
            frame *item = &st[depth];
            item->indent = col;
            snprintf(item->name, sizeof item->name, "[%d]", st[depth - 1].items++);
            item->items = 0;
            depth++;
            p += 2;
            col += 2;
        }
        while (depth > 0 && st[depth - 1].indent >= col) depth--;
        const char *colon = memchr(p, ':', (size_t)(stop - p));
        if (!colon) continue;
        const char *v = colon + 1;
        while (v < stop && *v == ' ') v++;
        if (v == stop) { /* a mapping or sequence follows */
            if (depth >= MAX_DEPTH) continue;
            st[depth].indent = col;
            snprintf(st[depth].name, sizeof st[depth].name, "%.*s", (int)(colon - p), p);
            st[depth].items = 0;
            depth++;
            continue;
        }
        join(st, depth, p, (size_t)(colon - p), path, sizeof path);
        if (kvs_add(s, path, v, (size_t)(stop - v))) return -1;
    }
    return 0;
}

static const kv *find(const kvs *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0) return &s->v[i];
    return NULL;
}

static int expected_key(const char *key)
{
    static const char suffix[] = "firmware";
    size_t n = strlen(key), m = sizeof suffix - 1;
    return n >= m && strcmp(key + n - m, suffix) == 0;
}

static int add_key(diff *d, const char *key, const char *a, const char *b)
{
    key_diff *k = realloc(d->keys, (d->nkeys + 1) * sizeof *k);
    if (!k) return -1;
    d->keys = k;
    k = &d->keys[d->nkeys++];
    k->key = strdup(key);
    k->a = a ? strdup(a) : NULL;
    k->b = b ? strdup(b) : NULL;
    k->expected = expected_key(key);
    if (!k->expected) d->unexpected_keys++;
    return !k->key || (a && !k->a) || (b && !k->b) ? -1 : 0;
}

int sim_resolved_value(const char *text, const char *key, char *buf, size_t n)
{
    kvs s = {0};
    int rc = -1;
    if (text && flatten(text, &s) == 0) {
        const kv *v = find(&s, key);
        if (v) {
            snprintf(buf, n, "%s", v->value);
            rc = 0;
        }
    }
    kvs_free(&s);
    return rc;
}

int diff_keys(diff *d)
{
    if (!d->a.yaml || !d->b.yaml) return 0; /* reported as unknown */
    kvs a = {0}, b = {0};
    int rc = flatten(d->a.yaml, &a) || flatten(d->b.yaml, &b) ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < a.n; i++) {
        const kv *o = find(&b, a.v[i].key);
        if (!o || strcmp(o->value, a.v[i].value) != 0)
            rc = add_key(d, a.v[i].key, a.v[i].value, o ? o->value : NULL);
    }
    for (size_t i = 0; rc == 0 && i < b.n; i++)
        if (!find(&a, b.v[i].key)) rc = add_key(d, b.v[i].key, NULL, b.v[i].value);
    kvs_free(&a);
    kvs_free(&b);
    return rc ? diff_fail(d, "%s: out of memory", d->a.path) : 0;
}

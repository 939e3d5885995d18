#include "ytree.h"

#include "diag.h"

#include <stdlib.h>
#include <string.h>

void sim_ydoc_free(sim_ydoc *d)
{
    for (size_t i = 0; i < d->nall; i++) {
        free(d->all[i]->text);
        free(d->all[i]->anchor);
        free(d->all[i]->kids);
        free(d->all[i]);
    }
    for (size_t i = 0; i < d->nanchors; i++)
        free(d->anchors[i].name);
    free(d->all);
    free(d->file);
    free(d);
}

/* Position of mark M.  A --set value (COL_OFF > 0) is one command-line argument: always
 * line 1, the column counted from the start of the argument. */
static void mark_pos(const yaml_mark_t *m, int col_off, int *line, int *col)
{
    if (col_off > 0) {
        *line = 1;
        *col = col_off + 1 + (int)m->index;
    } else {
        *line = (int)m->line + 1;
        *col = (int)m->column + 1;
    }
}

sim_ynode *sim_ynode_new(sim_ydoc *d, int kind, const yaml_mark_t *m, int col_off)
{
    if (d->nall == d->capall) {
        size_t cap = d->capall ? d->capall * 2 : 64;
        sim_ynode **all = realloc(d->all, cap * sizeof *all);
        if (!all) return NULL;
        d->all = all;
        d->capall = cap;
    }
    sim_ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    mark_pos(m, col_off, &n->line, &n->col);
    d->all[d->nall++] = n;
    return n;
}

static int add_kid(sim_ynode *parent, sim_ynode *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        sim_ynode **k = realloc(parent->kids, cap * sizeof *k);
        if (!k) return -1;
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

static int add_anchor(sim_ydoc *d, const char *name, sim_ynode *n)
{
    if (d->nanchors == SIM_YAML_MAX_ANCHORS) return -1;
    d->anchors[d->nanchors].name = strdup(name);
    if (!d->anchors[d->nanchors].name) return -1;
    d->anchors[d->nanchors++].node = n;
    return 0;
}

/* The latest definition of an anchor wins (YAML 1.2, 3.2.2.2). */
static sim_ynode *find_anchor(const sim_ydoc *d, const char *name)
{
    for (size_t i = d->nanchors; i-- > 0;)
        if (strcmp(d->anchors[i].name, name) == 0) return d->anchors[i].node;
    return NULL;
}

static void syntax_error(sim_diag *dg, const sim_ydoc *d, const yaml_parser_t *p,
                         const unsigned char *buf, size_t len, int col_off, const char *path)
{
    if (p->error == YAML_MEMORY_ERROR) {
        sim_diag_at(dg, d, 1, 1 + col_off, path, "out of memory");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* The reader reports a byte offset, not a mark. */
        int line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (buf[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (col_off > 0) {
            line = 1;
            col = col_off + 1 + (int)p->problem_offset;
        }
        if (p->problem_value >= 0)
            sim_diag_at(dg, d, line, col, path, "%s (byte 0x%02X); a scenario must be UTF-8",
                        p->problem ? p->problem : "unreadable input", (unsigned)p->problem_value);
        else
            sim_diag_at(dg, d, line, col, path, "%s", p->problem ? p->problem : "unreadable input");
        return;
    }
    int line, col, cline, ccol;
    mark_pos(&p->problem_mark, col_off, &line, &col);
    mark_pos(&p->context_mark, col_off, &cline, &ccol);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context)
        sim_diag_at(dg, d, line, col, path, "%s (%s that started at %d:%d)", problem, p->context,
                    cline, ccol);
    else
        sim_diag_at(dg, d, line, col, path, "%s", problem);
}

/* Parse BUF into D's tree.  COL_OFF > 0: BUF is a --set value starting at that column.
 * PATH names the error (a key path for --set, "syntax error" for files). */
/* Where an event was written, for its messages. */
typedef struct event_at {
    sim_diag *dg;
    sim_ydoc *d;
    const char *path;
    int col_off, line, col;
} event_at;

/* The anchored node an alias names; NULL after a message. */
static sim_ynode *alias_node(const event_at *at, const char *name)
{
    sim_ydoc *d = at->d;
    char shown[64];
    sim_show(name, strlen(name), shown, sizeof shown);
    sim_ynode *n = NULL;
    if (++d->naliases > SIM_YAML_MAX_ALIASES)
        sim_diag_at(at->dg, d, at->line, at->col, at->path, "more than %d aliases",
                    SIM_YAML_MAX_ALIASES);
    else if (!(n = find_anchor(d, name)))
        sim_diag_at(at->dg, d, at->line, at->col, at->path,
                    "alias *%s refers to no anchor defined before it (or to a collection "
                    "that contains it)",
                    shown);
    return n;
}

/* A scalar event's node, its anchor registered; NULL after a message. */
static sim_ynode *scalar_node(const event_at *at, const yaml_event_t *ev, const yaml_mark_t *m)
{
    sim_ynode *n = sim_ynode_new(at->d, SIM_Y_SCALAR, m, at->col_off);
    if (n) {
        n->len = ev->data.scalar.length;
        n->text = malloc(n->len + 1);
        if (n->text) {
            memcpy(n->text, ev->data.scalar.value, n->len);
            n->text[n->len] = '\0';
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (!n->text || (ev->data.scalar.anchor &&
                         add_anchor(at->d, (const char *)ev->data.scalar.anchor, n) != 0))
            n = NULL;
    }
    if (!n)
        sim_diag_at(at->dg, at->d, at->line, at->col, at->path,
                    "out of memory or more than %d anchors", SIM_YAML_MAX_ANCHORS);
    return n;
}

int sim_yaml_parse(sim_diag *dg, sim_ydoc *d, const unsigned char *buf, size_t len, int col_off,
                   const char *path)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        sim_diag_at(dg, d, 1, 1, path, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&p, buf, len);

    sim_ynode *stack[SIM_YAML_MAX_NESTING];
    size_t depth = 0;
    int ndocs = 0, rc = 0;
    bool done = false;
    while (!done && rc == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(dg, d, &p, buf, len, col_off, path);
            rc = -1;
            break;
        }
        const yaml_mark_t *m = &ev.start_mark;
        int line, col;
        mark_pos(m, col_off, &line, &col);
        event_at at = {
            .dg = dg, .d = d, .path = path, .col_off = col_off, .line = line, .col = col};
        sim_ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++ndocs > 1) {
                sim_diag_at(dg, d, line, col, path,
                            "a second YAML document; a scenario is one document (use extends: to "
                            "share keys)");
                rc = -1;
            }
            break;
        case YAML_ALIAS_EVENT:
            n = alias_node(&at, (const char *)ev.data.alias.anchor);
            rc = n ? 0 : -1;
            break;
        case YAML_SCALAR_EVENT:
            n = scalar_node(&at, &ev, m);
            rc = n ? 0 : -1;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *anchor =
                map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            if (depth == SIM_YAML_MAX_NESTING) {
                sim_diag_at(dg, d, line, col, path, "nested deeper than %d levels",
                            SIM_YAML_MAX_NESTING);
                rc = -1;
                break;
            }
            n = sim_ynode_new(d, map ? SIM_Y_MAP : SIM_Y_SEQ, m, col_off);
            if (n && anchor && !(n->anchor = strdup((const char *)anchor))) n = NULL;
            if (!n) {
                sim_diag_at(dg, d, line, col, path, "out of memory");
                rc = -1;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                sim_ynode *c = stack[--depth];
                if (c->anchor && add_anchor(d, c->anchor, c) != 0) {
                    sim_diag_at(dg, d, line, col, path, "more than %d anchors",
                                SIM_YAML_MAX_ANCHORS);
                    rc = -1;
                }
            }
            break;
        default:
            break;
        }
        if (n && rc == 0) {
            if (depth == 0)
                d->root = n;
            else if (add_kid(stack[depth - 1], n) != 0) {
                sim_diag_at(dg, d, line, col, path, "out of memory");
                rc = -1;
            }
            if (rc == 0 && n->kind != SIM_Y_SCALAR && ev.type != YAML_ALIAS_EVENT)
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

const char *sim_ynode_kind(const sim_ynode *n)
{
    return n->kind == SIM_Y_MAP ? "a mapping" : n->kind == SIM_Y_SEQ ? "a sequence" : "a scalar";
}

bool sim_ynode_is_null(const sim_ynode *n)
{
    if (n->kind != SIM_Y_SCALAR || !n->plain) return false;
    const char *t = n->text;
    return n->len == 0 || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

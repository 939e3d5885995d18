/* YAML tree: libyaml events turned into nodes that remember where they were written
 * (FILE:LINE:COL of every scalar, mapping and sequence), for messages that point at the
 * value at fault.  Aliases share the anchored node; they are never copied.
 */
#ifndef SIM_SCENARIO_YTREE_H
#define SIM_SCENARIO_YTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#define SIM_YAML_MAX_NESTING 256 /* the schema needs 3; deeper input is junk */
#define SIM_YAML_MAX_ANCHORS 1024
#define SIM_YAML_MAX_ALIASES 4096 /* aliases are never expanded, but each costs a lookup */

struct sim_diag;

enum { SIM_Y_SCALAR, SIM_Y_MAP, SIM_Y_SEQ };

typedef struct sim_ynode {
    int kind;
    bool plain;    /* scalar without quotes: it may be null, a bool or a number */
    int line, col; /* 1-based */
    char *text;    /* scalar; may hold NUL bytes, LEN counts them */
    size_t len;
    char *anchor;            /* collection anchor, registered when the collection ends */
    struct sim_ynode **kids; /* map: key, value, key, value, ... */
    size_t n, cap;
} sim_ynode;

typedef struct sim_ydoc {
    struct sim_ydoc *next;
    char *file;      /* as shown in messages */
    int order;       /* load order, to sort messages */
    sim_ynode *root; /* NULL: empty document */
    sim_ynode **all;
    size_t nall, capall;
    struct {
        char *name;
        sim_ynode *node;
    } anchors[SIM_YAML_MAX_ANCHORS];
    size_t nanchors, naliases;
} sim_ydoc;

void sim_ydoc_free(sim_ydoc *d);

/* A new node of D at mark M (see sim_yaml_parse for COL_OFF); owned by D. */
sim_ynode *sim_ynode_new(sim_ydoc *d, int kind, const yaml_mark_t *m, int col_off);

/* Parse BUF into D's tree.  COL_OFF > 0: BUF is a --set value starting at that column.
 * PATH names the error (a key path for --set, "syntax error" for files). */
int sim_yaml_parse(struct sim_diag *dg, sim_ydoc *d, const unsigned char *buf, size_t len,
                   int col_off, const char *path);

const char *sim_ynode_kind(const sim_ynode *n); /* "a mapping", "a sequence", "a scalar" */
bool sim_ynode_is_null(const sim_ynode *n);

#endif

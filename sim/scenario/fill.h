/* Filling a record: which node gives each key (walking mappings, possibly of several
 * files merged key by key), then every key converted into the record, or given its
 * default, or reported missing.  Sequences are filled here element by element, each
 * element a record of its own table with its own defaults.
 */
#ifndef SIM_SCENARIO_FILL_H
#define SIM_SCENARIO_FILL_H

#include "diag.h"
#include "schema.h"
#include "ytree.h"

typedef struct sim_slot {
    const sim_ynode *key, *val;
    const sim_ydoc *doc;
    int gen; /* which mapping or --set wrote it, to catch a key given twice in one mapping */
} sim_slot;

/* The keys of one record being gathered. */
typedef struct sim_scope {
    const sim_schema *schema;
    sim_slot *slots; /* one per row of SCHEMA, gen -1 when not given */
    const char *at;  /* the record's path in messages: "" (the scenario), "fleet.populations[2]" */
    int gen;         /* generation of the mapping being walked */
    bool top;        /* the scenario itself: `extends:` is taken by the loader */
    bool sweeps;     /* top: `sweep:` is a key; the last one walked is kept below */
    const sim_ynode *sweep;
    const sim_ydoc *sweep_doc;
} sim_scope;

/* An element key given with --set ("fleet.populations[1].share=10 %"), applied to the
 * sequence in force once every file is merged.  PATH is relative to the record filled;
 * VAL NULL: dropped (a later --set replaced the whole sequence). */
typedef struct sim_override {
    const char *path;
    const sim_ynode *val;
    const sim_ydoc *doc;
} sim_override;

/* Record in SC's slots which node of MAP (in D, under PREFIX, "" for the record itself)
 * gives each key; unknown keys, duplicates and values of the wrong shape go to DG. */
void sim_walk_map(sim_diag *dg, sim_scope *sc, const sim_ydoc *d, const sim_ynode *map,
                  const char *prefix);

/* Convert every row of SC into REC (SC->schema->size bytes): the slot's value, else the
 * row's default; a missing required key is reported at LINE:COL of WHERE.  OV (NOV of
 * them) are the element overrides of SC's sequences, in the order given. */
void sim_fill(sim_diag *dg, const sim_scope *sc, void *rec, const sim_ydoc *where, int line,
              int col, const sim_override *ov, size_t nov);

#endif

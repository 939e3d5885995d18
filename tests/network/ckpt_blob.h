/* Checkpoints as bytes, for the network models' tests: a test saves a model, then loads it
 * whole, cut short, or into another model (sim/ckpt.h).  IO is the model's ckpt function
 * behind a one-line adapter taking the model as void *. */
#ifndef TEST_CKPT_BLOB_H
#define TEST_CKPT_BLOB_H

#include "sim/ckpt.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct blob {
    unsigned char *b;
    size_t n;
} blob;

typedef int (*blob_io)(void *model, sim_ckpt *c);

static inline blob blob_save(blob_io io, void *model)
{
    FILE *f = tmpfile();
    cr_assert(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    cr_assert(c);
    cr_assert_eq(io(model, c), 0, "saving: %s", sim_ckpt_err(c));
    cr_assert_eq(sim_ckpt_close(c), 0);
    blob s = {NULL, (size_t)ftell(f)};
    s.b = malloc(s.n);
    cr_assert(s.b);
    rewind(f);
    cr_assert_eq(fread(s.b, 1, s.n, f), s.n);
    fclose(f);
    return s;
}

/* Loads the first N bytes of S into MODEL: IO's result; the error, if any, in ERR. */
static inline int blob_load(blob_io io, void *model, const blob *s, size_t n, char *err,
                            size_t errlen)
{
    FILE *f = tmpfile();
    cr_assert(f);
    cr_assert_eq(fwrite(s->b, 1, n, f), n);
    rewind(f);
    sim_ckpt *c = sim_ckpt_open(f, true);
    cr_assert(c);
    int rc = io(model, c);
    const char *e = sim_ckpt_err(c);
    snprintf(err, errlen, "%s", e ? e : "");
    cr_assert_eq(rc == 0, e == NULL, "result %d and error '%s' disagree", rc, err);
    sim_ckpt_close(c);
    fclose(f);
    return rc;
}

#endif

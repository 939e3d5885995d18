/* Shared by the load models' tests: a model saved at a window boundary and loaded into a
 * second one goes on exactly as the first (the engine's checkpoint and resume). */
#ifndef TESTS_GRID_LOAD_RESUME_H
#define TESTS_GRID_LOAD_RESUME_H

#include "grid/load.h"
#include "sim/ckpt.h"
#include "sim/timeutil.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* N households of a model; region of household I: REGIONS[I % N_REGIONS]. */
typedef struct fleet {
    const grid_load_ops *ops;
    void *model;
    unsigned char *hh; /* n x hh_size */
    uint32_t *next;
    int32_t *p, *q;
    int n;
} fleet;

static void fleet_init(fleet *f, const grid_load_ops *ops, void *model, int n,
                       const uint16_t *regions, int n_regions)
{
    *f = (fleet){.ops = ops, .model = model, .n = n};
    f->hh = malloc((size_t)n * ops->hh_size);
    f->next = malloc((size_t)n * sizeof *f->next);
    f->p = malloc((size_t)n * sizeof *f->p);
    f->q = malloc((size_t)n * sizeof *f->q);
    cr_assert(f->hh && f->next && f->p && f->q);
    for (int i = 0; i < n; i++) {
        grid_hh_ctx ctx = {.id = (uint64_t)i,
                           .region = regions[i % n_regions],
                           .dwelling = GRID_DWELLING_UNKNOWN};
        void *h = f->hh + (size_t)i * ops->hh_size;
        f->next[i] = ops->hh_init_ctx ? ops->hh_init_ctx(model, h, &ctx, &f->p[i], &f->q[i])
                                      : ops->hh_init(model, h, ctx.id, &f->p[i], &f->q[i]);
    }
}

static void fleet_free(fleet *f)
{
    free(f->hh);
    free(f->next);
    free(f->p);
    free(f->q);
}

/* Window [w - SIM_PERIOD_S, w): every change due before W, then the release the engine makes
 * at the window's end. */
static void fleet_window(fleet *f, uint32_t w)
{
    for (int i = 0; i < f->n; i++)
        while (f->next[i] < w)
            f->next[i] = f->ops->hh_step(f->model, f->hh + (size_t)i * f->ops->hh_size,
                                         f->next[i], NULL, &f->p[i], &f->q[i]);
    if (f->ops->release) f->ops->release(f->model, w);
}

static FILE *saved_model(const grid_load_ops *ops, void *model)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    cr_assert_eq(ops->ckpt(model, c), 0, "%s", sim_ckpt_err(c));
    cr_assert_eq(sim_ckpt_close(c), 0);
    rewind(f);
    return f;
}

/* Loads F into MODEL: 0, or -1 with the stream's message in WHY. */
static int load_model(const grid_load_ops *ops, FILE *f, void *model, char *why, size_t whylen)
{
    sim_ckpt *c = sim_ckpt_open(f, true);
    cr_assert_not_null(c);
    int rc = ops->ckpt(model, c);
    snprintf(why, whylen, "%s", sim_ckpt_err(c) ? sim_ckpt_err(c) : "");
    cr_assert_eq(rc == 0, sim_ckpt_err(c) == NULL, "return code and stream agree");
    sim_ckpt_close(c);
    return rc;
}

/* Runs N households of model NAME to SAVE_S (a window boundary), saves the model, loads it into
 * a second one (whose set-up initialised its households, as the engine's does) with copies of
 * the households' state, and steps both to P's end: every event, power, gas reading,
 * attribute and total the same. */
static void resumes_bit_for_bit(const char *name, const grid_load_params *p, int n,
                                const uint16_t *regions, int n_regions, uint32_t save_s)
{
    const grid_load_ops *ops = grid_load_find(name);
    cr_assert_not_null(ops);
    cr_assert_not_null(ops->ckpt);
    char err[256];
    void *ma, *mb;
    cr_assert_eq(ops->create(p, &ma, err, sizeof err), 0, "%s", err);
    fleet a, b;
    fleet_init(&a, ops, ma, n, regions, n_regions);
    for (uint32_t w = SIM_PERIOD_S; w <= save_s; w += SIM_PERIOD_S)
        fleet_window(&a, w);
    FILE *f = saved_model(ops, ma);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    cr_log_info("%s: model checkpoint of %ld bytes", name, ftell(f));
    rewind(f);

    cr_assert_eq(ops->create(p, &mb, err, sizeof err), 0, "%s", err);
    fleet_init(&b, ops, mb, n, regions, n_regions);
    cr_assert_eq(load_model(ops, f, mb, err, sizeof err), 0, "%s", err);
    memcpy(b.hh, a.hh, (size_t)n * ops->hh_size);
    memcpy(b.next, a.next, (size_t)n * sizeof *b.next);
    /* What the model holds shows where its series stand: a load that left them where set-up
     * had put them would make (and hold) the whole span up to the save on the first read. */
    if (ops->bytes) cr_assert_eq(ops->bytes(mb), ops->bytes(ma));

    uint32_t end = (uint32_t)p->duration_s;
    uint64_t events = 0;
    for (uint32_t w = save_s + SIM_PERIOD_S; w <= end; w += SIM_PERIOD_S) {
        for (int i = 0; i < n; i++) {
            void *ha = a.hh + (size_t)i * ops->hh_size, *hb = b.hh + (size_t)i * ops->hh_size;
            while (a.next[i] < w) {
                cr_assert_eq(a.next[i], b.next[i], "household %d", i);
                uint32_t t = a.next[i];
                a.next[i] = ops->hh_step(ma, ha, t, NULL, &a.p[i], &a.q[i]);
                b.next[i] = ops->hh_step(mb, hb, t, NULL, &b.p[i], &b.q[i]);
                cr_assert_eq(a.p[i], b.p[i], "household %d at %u s", i, t);
                cr_assert_eq(a.q[i], b.q[i], "household %d at %u s", i, t);
                if (ops->gas_w) cr_assert_eq(ops->gas_w(ma, ha), ops->gas_w(mb, hb));
                events++;
            }
            cr_assert_eq(b.next[i], a.next[i], "household %d", i);
        }
        if (ops->release) {
            ops->release(ma, w);
            ops->release(mb, w);
        }
        if (ops->bytes) cr_assert_eq(ops->bytes(mb), ops->bytes(ma), "after %u s", w);
    }
    cr_assert_gt(events, (uint64_t)n, "the households did step after the load");
    for (int i = 0; i < n; i++) {
        const void *ha = a.hh + (size_t)i * ops->hh_size, *hb = b.hh + (size_t)i * ops->hh_size;
        if (ops->hh_attrs) {
            grid_hh_attrs x, y;
            ops->hh_attrs(ma, ha, &x);
            ops->hh_attrs(mb, hb, &y);
            cr_assert(x.occupants == y.occupants && x.dwelling == y.dwelling &&
                          x.heating == y.heating && x.ev == y.ev && x.dr_engaged == y.dr_engaged &&
                          !memcmp(&x.pv_kwp, &y.pv_kwp, sizeof x.pv_kwp) &&
                          !memcmp(&x.ev_kwh_day, &y.ev_kwh_day, sizeof x.ev_kwh_day),
                      "attributes of household %d", i);
        }
        if (ops->hh_totals) {
            grid_hh_totals x, y;
            ops->hh_totals(ma, ha, &x);
            ops->hh_totals(mb, hb, &y);
            cr_assert_eq(memcmp(&x, &y, sizeof x), 0, "totals of household %d", i);
        }
    }
    fclose(f);
    fleet_free(&a);
    fleet_free(&b);
    ops->destroy(ma);
    ops->destroy(mb);
}

#endif

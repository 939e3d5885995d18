/* `metersim diff`: totals per payment mode and per fleet population.
 *
 * Payment mode: the /households member `prepay` (nonzero = prepayment) when a trace has it;
 * otherwise inferred from /meter/billing/final: a meter whose available credit is nonzero in
 * either trace runs in prepayment mode (credit meters report 0).  Without either the payment
 * groups are left out.  Population: the /households member `population` (an index) with the
 * compound dataset /fleet/populations, whose row k has the `name` of population k.  Members
 * are read from A when A has them, else from B.  Every report has the group "all".
 */
#include "diff_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_HH 4096u
#define FLEET_POPULATIONS "/fleet/populations"

/* Member NAME of /households of the first trace that has it, as uint16 into a new array
 * ([n]) in *V; 0, or -1 with the reason in d->err.  *V NULL when neither trace has it; *SIDE
 * the trace read. */
static int read_member(diff *d, const char *name, uint16_t **v, const trace **side)
{
    *v = NULL;
    const char *path = sim_schema_dataset(SIM_DS_HOUSEHOLDS)->path;
    for (int k = 0; k < 2 && !*v; k++) {
        const trace *t = k ? &d->b : &d->a;
        hid_t ds = diff_open_ds(d, t, path);
        if (ds < 0) return -1;
        hid_t ft = H5Dget_type(ds);
        int idx = H5Tget_member_index(ft, name);
        int rc = 0;
        if (idx >= 0) {
            hid_t mt_member = H5Tget_member_type(ft, (unsigned)idx);
            if (H5Tget_class(mt_member) != H5T_INTEGER)
                rc = diff_fail(d, "%s: /households member %s is not an integer", t->path, name);
            H5Tclose(mt_member);
        }
        if (idx >= 0 && rc == 0) {
            *side = t;
            *v = malloc((d->n ? d->n : 1) * sizeof **v);
            hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(uint16_t));
            H5Tinsert(mt, name, 0, H5T_NATIVE_UINT16);
            if (!*v) rc = diff_fail(d, "%s: out of memory", t->path);
            for (hsize_t off = 0; rc == 0 && off < d->n; off += BLOCK_HH) {
                hsize_t cnt = d->n - off < BLOCK_HH ? d->n - off : BLOCK_HH;
                if (diff_read_block(ds, mt, 1, &off, &cnt, *v + off))
                    rc = diff_fail(d, "%s: cannot read /households member %s", t->path, name);
            }
            H5Tclose(mt);
        }
        H5Tclose(ft);
        H5Dclose(ds);
        if (rc) return rc;
    }
    return 0;
}

/* The `name` of every row of /fleet/populations of T into d->pop_names; 0 when T has none. */
static int read_population_names(diff *d, const trace *t)
{
    if (H5Lexists(t->f, "/fleet", H5P_DEFAULT) <= 0 ||
        H5Lexists(t->f, FLEET_POPULATIONS, H5P_DEFAULT) <= 0)
        return 0;
    hid_t ds = H5Dopen2(t->f, FLEET_POPULATIONS, H5P_DEFAULT);
    if (ds < 0) return diff_fail(d, "%s: %s cannot be opened", t->path, FLEET_POPULATIONS);
    hid_t ft = H5Dget_type(ds), sp = H5Dget_space(ds);
    int idx = H5Tget_class(ft) == H5T_COMPOUND ? H5Tget_member_index(ft, "name") : -1;
    hid_t nt = idx >= 0 ? H5Tget_member_type(ft, (unsigned)idx) : -1;
    hsize_t n = 0;
    int rc = 0;
    if (nt < 0 || H5Tget_class(nt) != H5T_STRING || H5Sget_simple_extent_ndims(sp) != 1)
        rc = diff_fail(d, "%s: %s is not a table with a name string", t->path, FLEET_POPULATIONS);
    else
        H5Sget_simple_extent_dims(sp, &n, NULL);
    /* Read as variable-length strings when stored so, else as fixed ones of their size. */
    int vlen = rc == 0 && H5Tis_variable_str(nt) > 0;
    size_t width = vlen ? sizeof(char *) : rc == 0 ? H5Tget_size(nt) + 1 : 1;
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, vlen ? H5T_VARIABLE : width);
    hid_t mt = H5Tcreate(H5T_COMPOUND, width);
    H5Tinsert(mt, "name", 0, st);
    char *buf = rc ? NULL : calloc(n ? n : 1, width);
    d->pop_names = rc ? NULL : calloc(n ? n : 1, sizeof *d->pop_names);
    if (rc == 0 && (!buf || !d->pop_names)) rc = diff_fail(d, "%s: out of memory", t->path);
    if (rc == 0 && n && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = diff_fail(d, "%s: cannot read %s", t->path, FLEET_POPULATIONS);
    for (hsize_t i = 0; rc == 0 && i < n; i++) {
        const char *s = vlen ? *(char **)(buf + i * width) : buf + i * width;
        d->pop_names[i] = strdup(s ? s : "");
        d->npop = i + 1;
        if (!d->pop_names[i]) rc = diff_fail(d, "%s: out of memory", t->path);
    }
    if (vlen && rc == 0 && n) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, buf);
    free(buf);
    H5Tclose(mt);
    H5Tclose(st);
    if (nt >= 0) H5Tclose(nt);
    H5Tclose(ft);
    H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

int diff_groups_read(diff *d)
{
    uint16_t *pay = NULL;
    const trace *side = NULL;
    if (read_member(d, "prepay", &pay, &side)) return -1;
    if (pay) {
        d->prepay = malloc(d->n ? d->n : 1);
        if (!d->prepay) {
            free(pay);
            return diff_fail(d, "%s: out of memory", d->a.path);
        }
        for (uint64_t r = 0; r < d->n; r++) d->prepay[r] = pay[r] != 0;
        free(pay);
        d->pay_source = "member";
    } else {
        d->prepay = calloc(d->n ? d->n : 1, 1);
        if (!d->prepay) return diff_fail(d, "%s: out of memory", d->a.path);
        d->pay_source = "inferred";
    }
    if (read_member(d, "population", &d->pop, &side)) return -1;
    if (d->pop && read_population_names(d, side)) return -1;
    if (d->pop && !d->pop_names) { /* a member without its table: no populations */
        free(d->pop);
        d->pop = NULL;
    }
    return 0;
}

void diff_prepay_infer(diff *d, uint64_t row, int64_t avail_a, int64_t avail_b)
{
    if (d->prepay && d->pay_source && strcmp(d->pay_source, "inferred") == 0)
        d->prepay[row] = avail_a != 0 || avail_b != 0;
}

static int add_group(diff *d, int kind, const char *name)
{
    diff_group *g = realloc(d->groups, (d->ngroups + 1) * sizeof *g);
    if (!g) return diff_fail(d, "%s: out of memory", d->a.path);
    d->groups = g;
    g = &d->groups[d->ngroups++];
    memset(g, 0, sizeof *g);
    g->kind = kind;
    snprintf(g->name, sizeof g->name, "%s", name);
    return 0;
}

/* The groups of ROW into G (indices into d->groups); their number. */
static size_t groups_of(const diff *d, uint64_t row, size_t g[3], size_t pop0)
{
    size_t k = 0;
    g[k++] = 0;
    if (d->prepay) g[k++] = d->prepay[row] ? 1 : 2;
    if (d->pop) g[k++] = pop0 + d->pop[row];
    return k;
}

int diff_groups_sum(diff *d)
{
    if (d->bills_note && d->pay_source && strcmp(d->pay_source, "inferred") == 0) {
        free(d->prepay); /* no bills to infer from */
        d->prepay = NULL;
        d->pay_source = NULL;
    }
    int rc = add_group(d, GROUP_ALL, "all");
    if (rc == 0 && d->prepay) rc = add_group(d, GROUP_PAYMENT, "prepayment");
    if (rc == 0 && d->prepay) rc = add_group(d, GROUP_PAYMENT, "credit");
    size_t pop0 = d->ngroups, npop = d->npop;
    for (uint64_t r = 0; d->pop && r < d->n; r++)
        if ((size_t)d->pop[r] + 1 > npop) npop = (size_t)d->pop[r] + 1;
    for (size_t k = 0; rc == 0 && d->pop && k < npop; k++) {
        char name[64];
        if (k < d->npop) snprintf(name, sizeof name, "%s", d->pop_names[k]);
        else snprintf(name, sizeof name, "population %zu (unnamed)", k);
        rc = add_group(d, GROUP_POPULATION, name);
    }
    if (rc) return rc;
    size_t g[3];
    for (uint64_t r = 0; r < d->n; r++) {
        size_t k = groups_of(d, r, g, pop0);
        for (size_t i = 0; i < k; i++) {
            d->groups[g[i]].households++;
            d->groups[g[i]].hh_import += d->imp_delta[r];
        }
    }
    for (size_t j = 0; j < d->nrecs; j++) {
        const hh_diff *h = &d->recs[j];
        if (h->row >= d->n) continue; /* events of no household */
        size_t k = groups_of(d, h->row, g, pop0);
        for (size_t i = 0; i < k; i++) {
            diff_group *x = &d->groups[g[i]];
            x->diverging++;
            x->bill_cost += h->bill[SIM_BILL_COST];
            x->reg_import += h->reg[SIM_REG_IMPORT];
            x->ev_shifted += h->ev[EV_SHIFTED];
            x->ev_unmatched += h->ev[EV_ONLY_A] + h->ev[EV_ONLY_B];
        }
    }
    return 0;
}

void diff_free_extras(diff *d)
{
    free(d->imp_delta);
    free(d->prepay);
    free(d->pop);
    for (size_t i = 0; i < d->npop; i++) free(d->pop_names[i]);
    free(d->pop_names);
    free(d->groups);
    free(d->codes);
    for (size_t i = 0; i < d->nkeys; i++) {
        free(d->keys[i].key);
        free(d->keys[i].a);
        free(d->keys[i].b);
    }
    free(d->keys);
}

/* DCC tariff model: calendar, TOU/block pricing, standing charge, billing (see mm/tariff.h). */
#include <string.h>

#include "mm/arith.h"
#include "mm/clock.h"
#include "mm/energy.h"
#include "mm/tariff.h"

#include "mm/money.h"
#include "mm/status_supply.h"

_Static_assert(sizeof(mm_tariff) <= MM_TARIFF_RAM_BUDGET, "mm_tariff exceeds MM_TARIFF_RAM_BUDGET");

#define MAX_WH_COST ((uint64_t)1 << 39)      /* per price, per Wh [cost units] */
#define MAX_DAY_STANDING ((uint64_t)1 << 45) /* per day [cost units]: x 86400 < 2^62 */


/* Cost units per (price unit x Wh): 10^(scale - 3 + decimals); 0 if out of range. */
static uint64_t wh_factor(int scale)
{
    int k = scale - 3 + MM_COST_DECIMALS;
    return k < 0 || k > 12 ? 0u : mm_pow10((unsigned)k);
}

static uint64_t day_standing(const mm_tariff_def *d)
{
    int k = d->standing_scale + MM_COST_DECIMALS;
    return k < 0 || k > 18 ? 0u : (uint64_t)d->standing_charge * mm_pow10((unsigned)k);
}

static int price_ok(uint32_t price, uint64_t f)
{
    return price == 0 || (uint64_t)price <= mm_u64_divmod(MAX_WH_COST, f, NULL);
}

static int day_ok(const mm_tariff_def *d, unsigned p)
{
    if (p >= MM_TARIFF_DAY_PROFILES) return 0;
    const mm_tariff_day_profile *dp = &d->day[p];
    if (dp->n < 1 || dp->n > MM_TARIFF_SWITCHES || dp->sw[0].minute != 0) return 0;
    for (unsigned i = 0; i < dp->n; i++) {
        const mm_tariff_switch *s = &dp->sw[i];
        if (s->minute >= 1440u || (i > 0 && s->minute <= dp->sw[i - 1].minute)) return 0;
        if (s->rate != MM_TARIFF_NONE && s->rate >= MM_TARIFF_TOU_RATES) return 0;
        if (s->price_set != MM_TARIFF_NONE && s->price_set >= MM_TARIFF_PRICE_SETS) return 0;
    }
    return 1;
}

int mm_tariff_def_check(const mm_tariff_def *d)
{
    if (d == NULL) return MM_EINVAL;
    uint64_t f = wh_factor(d->price_scale);
    if (f == 0) return MM_EINVAL;
    int ks = d->standing_scale + MM_COST_DECIMALS;
    if (ks < 0 || ks > 18) return MM_EINVAL;
    if (d->standing_charge != 0 &&
        (uint64_t)d->standing_charge > mm_u64_divmod(MAX_DAY_STANDING, mm_pow10((unsigned)ks), NULL))
        return MM_EINVAL;
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        if (!price_ok(d->tou_price[r], f)) return MM_EINVAL;
    for (unsigned s = 0; s < MM_TARIFF_PRICE_SETS; s++) {
        const mm_tariff_price_set *ps = &d->price_set[s];
        if (ps->n_thresholds > MM_TARIFF_THRESHOLDS) return MM_EINVAL;
        for (unsigned k = 0; k <= MM_TARIFF_THRESHOLDS; k++)
            if (!price_ok(ps->price[k], f)) return MM_EINVAL;
        for (unsigned k = 1; k < ps->n_thresholds; k++)
            if (ps->threshold_wh[k] <= ps->threshold_wh[k - 1]) return MM_EINVAL;
    }
    if (d->n_seasons < 1 || d->n_seasons > MM_TARIFF_SEASONS) return MM_EINVAL;
    for (unsigned s = 0; s < d->n_seasons; s++) {
        const mm_tariff_season *se = &d->season[s];
        if (se->month < 1 || se->month > 12 || se->day < 1 || se->day > 31 ||
            se->week >= MM_TARIFF_WEEK_PROFILES)
            return MM_EINVAL;
        if (s > 0 && se->month * 32u + se->day <= d->season[s - 1].month * 32u + d->season[s - 1].day)
            return MM_EINVAL;
        for (unsigned w = 0; w < 7; w++)
            if (!day_ok(d, d->week[se->week][w])) return MM_EINVAL;
    }
    if (d->n_special > MM_TARIFF_SPECIAL_DAYS) return MM_EINVAL;
    for (unsigned i = 0; i < d->n_special; i++) {
        const mm_tariff_special_day *sd = &d->special[i];
        if (sd->month < 1 || sd->month > 12 || sd->day < 1 || sd->day > 31 ||
            !day_ok(d, sd->day_profile))
            return MM_EINVAL;
    }
    if (d->billing > MM_BILLING_MONTHLY) return MM_EINVAL;
    if (d->billing == MM_BILLING_MONTHLY && (d->billing_day < 1 || d->billing_day > 28))
        return MM_EINVAL;
    if (d->block_period_min > UINT32_MAX / 60u) return MM_EINVAL;
    return MM_OK;
}

/* ---- calendar ---- */

static uint32_t to_local(const mm_tariff_def *d, uint32_t utc)
{
    return d->gb_local_time ? mm_clock_gb_local(utc) : utc;
}

static uint32_t to_utc(const mm_tariff_def *d, uint32_t local)
{
    return d->gb_local_time ? mm_clock_gb_utc(local) : local;
}

static const mm_tariff_day_profile *day_profile(const mm_tariff_def *d, const mm_civil *c)
{
    for (unsigned i = 0; i < d->n_special; i++) {
        const mm_tariff_special_day *sd = &d->special[i];
        if ((sd->year == 0 || sd->year == c->year) && sd->month == c->month && sd->day == c->day)
            return &d->day[sd->day_profile];
    }
    /* The last season started on or before today; before the first one, last year's last. */
    unsigned today = c->month * 32u + c->day, s = d->n_seasons - 1u;
    for (unsigned i = 0; i < d->n_seasons; i++)
        if (d->season[i].month * 32u + d->season[i].day <= today) s = i;
    return &d->day[d->week[d->season[s].week][c->wday]];
}

static uint32_t next_billing(const mm_tariff_def *d, uint32_t now)
{
    uint32_t local = to_local(d, now), days = local / MM_CLOCK_DAY_S, next;
    mm_civil c;
    switch (d->billing) {
    case MM_BILLING_DAILY:
        next = days + 1u;
        break;
    case MM_BILLING_WEEKLY:
        next = days + 7u - (days + 3u) % 7u; /* next Monday */
        break;
    case MM_BILLING_MONTHLY:
        mm_clock_civil(local, &c);
        next = mm_clock_days_from_civil(c.year, c.month, d->billing_day);
        if (next <= days)
            next = c.month == 12u ? mm_clock_days_from_civil(c.year + 1u, 1u, d->billing_day)
                                  : mm_clock_days_from_civil(c.year, c.month + 1u, d->billing_day);
        break;
    default:
        return MM_TARIFF_NEVER;
    }
    if (next >= UINT32_MAX / MM_CLOCK_DAY_S) return MM_TARIFF_NEVER;
    return to_utc(d, next * MM_CLOCK_DAY_S);
}

static uint32_t next_block(const mm_tariff_def *d, uint32_t now)
{
    if (d->block_period_min == 0) return MM_TARIFF_NEVER;
    uint32_t len = d->block_period_min * 60u, start = d->block_period_start;
    if (now < start) return start;
    uint32_t k = (now - start) / len + 1u;
    uint64_t next = (uint64_t)start + (uint64_t)k * len;
    return next >= MM_TARIFF_NEVER ? MM_TARIFF_NEVER : (uint32_t)next;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* ---- dynamic prices ---- */

static uint32_t prices_next(const mm_price_table *p)
{
    uint32_t next = MM_TARIFF_NEVER;
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        next = min_u32(next, p->pending_at[r]);
    return next;
}

/* Pending prices due by t->now take over. */
static void prices_apply(mm_tariff *t)
{
    mm_price_table *p = t->prices;
    if (p == NULL) return;
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        if (p->pending_at[r] != MM_TARIFF_NEVER && p->pending_at[r] <= t->now) {
            p->active[r] = p->pending[r];
            p->pending_at[r] = MM_TARIFF_NEVER;
        }
}

/* The table restarts from the prices of the definition in force, nothing pending. */
static void prices_reset(mm_tariff *t)
{
    mm_price_table *p = t->prices;
    if (p == NULL) return;
    memcpy(p->active, t->def->tou_price, sizeof p->active);
    memset(p->pending, 0, sizeof p->pending);
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        p->pending_at[r] = MM_TARIFF_NEVER;
}

/* TOU price of the rate in force [10^price_scale p/kWh]. */
static uint64_t tou_price(const mm_tariff *t)
{
    if (t->rate == MM_TARIFF_NONE) return 0u;
    return t->prices != NULL ? t->prices->active[t->rate] : t->def->tou_price[t->rate];
}

/* Rate and price set in force at t->now, and the next instant anything may change. */
static void evaluate(mm_tariff *t)
{
    const mm_tariff_def *d = t->def;
    uint32_t local = to_local(d, t->now), sod = local % MM_CLOCK_DAY_S;
    mm_civil c;
    mm_clock_civil(local, &c);
    const mm_tariff_day_profile *dp = day_profile(d, &c);
    unsigned i = 0;
    while (i + 1u < dp->n && dp->sw[i + 1u].minute * 60u <= sod)
        i++;
    t->rate = dp->sw[i].rate;
    t->price_set = dp->sw[i].price_set;
    uint32_t until = i + 1u < dp->n ? dp->sw[i + 1u].minute * 60u : MM_CLOCK_DAY_S;
    uint32_t next = until - sod > UINT32_MAX - local ? MM_TARIFF_NEVER
                                                    : to_utc(d, local + (until - sod));
    if (next <= t->now) next = t->now + 1u; /* the repeated hour in October */
    next = min_u32(next, t->billing_next);
    next = min_u32(next, t->block_next);
    if (t->pending != NULL) next = min_u32(next, t->pending_at);
    if (t->prices != NULL) next = min_u32(next, prices_next(t->prices));
    t->next_change = next;
}

static void snapshot(mm_tariff *t)
{
    if (t->depth == 0) return;
    mm_tariff_snapshot *s = &t->snap[t->head];
    memset(s, 0, sizeof *s);
    s->time = t->now;
    s->tariff_id = t->def->id;
    memcpy(s->tou_wh, t->tou_wh, sizeof s->tou_wh);
    memcpy(s->block_wh, t->block_wh, sizeof s->block_wh);
    s->import_wh = t->import_wh;
    s->energy_cost = t->bill_energy;
    s->standing_cost = t->bill_standing;
    t->head = (uint16_t)(t->head + 1u == t->depth ? 0u : t->head + 1u);
    if (t->count < t->depth) t->count++;
}

void mm_tariff_billing_close(mm_tariff *t)
{
    if (t == NULL || t->def == NULL) return;
    snapshot(t);
    t->bill_energy = 0;
    t->bill_standing = 0;
    if (t->def->block_period_min == 0) t->block_period_wh = 0;
    t->events |= MM_TARIFF_EV_BILLING;
}

/* Everything due at t->now, in the order a meter applies it: the old period closes under
 * the old tariff, pending prices take over, then the new tariff (whose prices replace them),
 * then the new block period starts. */
static void on_change(mm_tariff *t)
{
    if (t->billing_next <= t->now) {
        mm_tariff_billing_close(t);
        t->billing_next = next_billing(t->def, t->now);
    }
    prices_apply(t);
    if (t->pending != NULL && t->pending_at <= t->now) {
        t->def = t->pending;
        t->pending = NULL;
        prices_reset(t);
        t->events |= MM_TARIFF_EV_ACTIVATED;
        t->billing_next = next_billing(t->def, t->now);
        t->block_next = next_block(t->def, t->now);
    }
    if (t->block_next <= t->now) {
        t->block_period_wh = 0;
        t->block_next = next_block(t->def, t->now);
        t->events |= MM_TARIFF_EV_BLOCK;
    }
    evaluate(t);
}

int mm_tariff_init(mm_tariff *t, const mm_tariff_def *def, uint32_t now, mm_tariff_snapshot *snaps,
                   uint16_t depth)
{
    if (t == NULL) return MM_EINVAL;
    memset(t, 0, sizeof *t);
    if ((snaps == NULL && depth > 0) || mm_tariff_def_check(def) != MM_OK) return MM_EINVAL;
    t->def = def;
    t->snap = snaps;
    t->depth = depth;
    t->now = now;
    t->billing_next = next_billing(def, now);
    t->block_next = next_block(def, now);
    evaluate(t);
    return MM_OK;
}

void mm_tariff_deinit(mm_tariff *t)
{
    if (t != NULL) memset(t, 0, sizeof *t);
}

int mm_tariff_set_pending(mm_tariff *t, const mm_tariff_def *def, uint32_t at)
{
    if (t == NULL || t->def == NULL || mm_tariff_def_check(def) != MM_OK) return MM_EINVAL;
    t->pending = def;
    t->pending_at = at;
    if (at <= t->now) {
        t->pending_at = t->now;
        on_change(t);
    } else {
        t->next_change = min_u32(t->next_change, at);
    }
    return MM_OK;
}

int mm_tariff_attach_prices(mm_tariff *t, mm_price_table *table)
{
    if (t == NULL || t->def == NULL) return MM_EINVAL;
    t->prices = table;
    prices_reset(t);
    evaluate(t);
    return MM_OK;
}

int mm_tariff_resume_prices(mm_tariff *t, mm_price_table *table)
{
    if (t == NULL || t->def == NULL || table == NULL) return MM_EINVAL;
    uint64_t f = wh_factor(t->def->price_scale);
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        if (!price_ok(table->active[r], f) ||
            (table->pending_at[r] != MM_TARIFF_NEVER && !price_ok(table->pending[r], f))) {
            (void)mm_tariff_attach_prices(t, table);
            return MM_ECORRUPT;
        }
    t->prices = table;
    prices_apply(t);
    evaluate(t);
    return MM_OK;
}

int mm_tariff_update_prices(mm_tariff *t, uint32_t at, unsigned first, unsigned n,
                            const uint32_t *price)
{
    if (t == NULL || t->def == NULL) return MM_EINVAL;
    mm_price_table *p = t->prices;
    if (p == NULL) return MM_ENOTSUP;
    if (n == 0 || price == NULL || first > MM_TARIFF_TOU_RATES || n > MM_TARIFF_TOU_RATES - first)
        return MM_EINVAL;
    uint64_t f = wh_factor(t->def->price_scale);
    for (unsigned k = 0; k < n; k++)
        if (!price_ok(price[k], f)) return MM_EINVAL;
    for (unsigned k = 0; k < n; k++) {
        if (at <= t->now) {
            p->active[first + k] = price[k];
        } else {
            p->pending[first + k] = price[k];
            p->pending_at[first + k] = at;
        }
    }
    if (at > t->now) t->next_change = min_u32(t->next_change, at);
    return MM_OK;
}

/* Standing charge accrued from day 0 to T: whole days plus floor(C sod / 86400). */
static uint64_t standing_to(uint64_t per_day, uint32_t t)
{
    uint64_t part = mm_u64_divmod(per_day * (t % MM_CLOCK_DAY_S), MM_CLOCK_DAY_S, NULL);
    return per_day * (t / MM_CLOCK_DAY_S) + part;
}

/* Block in force for the next Wh of price set PS, and how many Wh stay in it. */
static unsigned block_of(const mm_tariff_price_set *ps, uint32_t used, uint64_t *room)
{
    unsigned b = 0;
    while (b < ps->n_thresholds && used >= ps->threshold_wh[b])
        b++;
    *room = b < ps->n_thresholds ? ps->threshold_wh[b] - used : UINT64_MAX;
    return b;
}

static mm_cost_t price_wh(mm_tariff *t, uint64_t wh)
{
    const mm_tariff_def *d = t->def;
    uint64_t f = wh_factor(d->price_scale);
    uint64_t tou = tou_price(t);
    mm_cost_t cost = 0;
    while (wh > 0) {
        uint64_t n = wh, block = 0;
        unsigned b = 0;
        if (t->price_set != MM_TARIFF_NONE) {
            uint64_t room;
            const mm_tariff_price_set *ps = &d->price_set[t->price_set];
            b = block_of(ps, t->block_period_wh, &room);
            if (room < n) n = room;
            block = ps->price[b];
            t->block_wh[t->price_set][b] += (uint32_t)n;
        }
        if (t->rate != MM_TARIFF_NONE) t->tou_wh[t->rate] += (uint32_t)n;
        t->block_period_wh += (uint32_t)n;
        cost += (mm_cost_t)(n * (tou + block) * f);
        wh -= n;
    }
    return cost;
}

mm_cost_t mm_tariff_accumulate(mm_tariff *t, uint32_t now, uint64_t import_uj)
{
    if (t == NULL || t->def == NULL) return 0;
    mm_cost_t cost = 0;
    if (import_uj > 0) {
        uint32_t rem;
        uint64_t wh = mm_uj_divmod_wh(import_uj + t->rem_uj, &rem);
        t->rem_uj = rem;
        if (wh > 0) {
            mm_cost_t c = price_wh(t, wh);
            t->import_wh += wh;
            t->bill_energy += c;
            cost += c;
        }
    }
    while (t->now < now) {
        uint32_t end = min_u32(now, t->next_change);
        uint64_t per_day = day_standing(t->def);
        mm_cost_t s = (mm_cost_t)(standing_to(per_day, end) - standing_to(per_day, t->now));
        t->bill_standing += s;
        cost += s;
        t->now = end;
        if (end >= t->next_change) on_change(t);
    }
    t->total += cost;
    return cost;
}

mm_cost_t mm_tariff_unit_cost(const mm_tariff *t)
{
    if (t == NULL || t->def == NULL) return 0;
    const mm_tariff_def *d = t->def;
    uint64_t p = tou_price(t);
    if (t->price_set != MM_TARIFF_NONE) {
        uint64_t room;
        const mm_tariff_price_set *ps = &d->price_set[t->price_set];
        p += ps->price[block_of(ps, t->block_period_wh, &room)];
    }
    return (mm_cost_t)(p * wh_factor(d->price_scale));
}

mm_cost_t mm_tariff_cost_bound(const mm_tariff *t, uint32_t until, uint64_t import_uj)
{
    if (t == NULL || t->def == NULL || until > t->next_change) return -1;
    const mm_tariff_def *d = t->def;
    uint32_t rem;
    uint64_t wh = mm_uj_divmod_wh(import_uj + t->rem_uj, &rem);
    if (wh > ((uint64_t)1 << 22)) return -1; /* beyond what one accumulate call prices */
    /* the dearest block the energy can reach: it may cross thresholds on the way */
    uint64_t p = tou_price(t);
    if (t->price_set != MM_TARIFF_NONE) {
        const mm_tariff_price_set *ps = &d->price_set[t->price_set];
        uint32_t top = 0;
        for (unsigned k = 0; k <= ps->n_thresholds; k++)
            if (ps->price[k] > top) top = ps->price[k];
        p += top;
    }
    uint64_t per_day = day_standing(d);
    uint64_t s = until > t->now ? standing_to(per_day, until) - standing_to(per_day, t->now) : 0;
    /* wh <= 2^22 and p f <= 2^40 (price_ok): the product stays below 2^62 */
    return (mm_cost_t)(wh * p * wh_factor(d->price_scale) + s);
}

unsigned mm_tariff_take_events(mm_tariff *t)
{
    if (t == NULL) return 0;
    unsigned e = t->events;
    t->events = 0;
    return e;
}

int mm_tariff_snapshot_get(const mm_tariff *t, uint16_t age, mm_tariff_snapshot *out)
{
    if (t == NULL || out == NULL) return MM_EINVAL;
    if (age >= t->count) return MM_ENOENT;
    unsigned back = age + 1u;
    unsigned i = t->head >= back ? t->head - back : t->head + t->depth - back;
    *out = t->snap[i];
    return MM_OK;
}

int mm_tariff_snapshot_set_md(mm_tariff *t, const mm_max_demand *md)
{
    if (t == NULL || md == NULL) return MM_EINVAL;
    if (t->count == 0) return MM_ENOENT;
    unsigned i = t->head == 0 ? t->depth - 1u : t->head - 1u;
    t->snap[i].md = *md;
    return MM_OK;
}

int64_t mm_cost_take_pence(mm_cost_t *acc)
{
    uint64_t rem;
    int64_t p = mm_s64_floordiv(*acc, (uint64_t)MM_COST_PER_PENNY, &rem);
    *acc = (mm_cost_t)rem;
    return p;
}

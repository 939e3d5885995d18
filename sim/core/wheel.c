/* Timing wheel of next events (see sim/wheel.h). */
#include "sim/wheel.h"

#include <stdlib.h>
#include <string.h>

static void wheel_clear(sim_wheel *w)
{
    for (uint32_t b = 0; b < w->h; b++) w->head[b] = SIM_WHEEL_NONE;
    memset(w->bits, 0, w->h / 64 * sizeof *w->bits);
    w->far.n = 0;
    w->count = w->now = w->k = w->m = 0;
}

int sim_wheel_init(sim_wheel *w, uint32_t n)
{
    memset(w, 0, sizeof *w);
    /* about one bucket a household, from 256 s to 4096 s: a household's next change is
     * mostly minutes away, and an area of 10,000 households has about 20 a second */
    uint32_t h = 256;
    while (h < 4096 && h < n) h *= 2;
    w->n = n;
    w->h = h;
    w->head = malloc(h * sizeof *w->head);
    w->bits = malloc(h / 64 * sizeof *w->bits);
    w->next = malloc((n ? n : 1) * sizeof *w->next);
    w->cur = malloc((n ? n : 1) * sizeof *w->cur);
    w->sortbits = calloc(n / 64 + 1, sizeof *w->sortbits);
    if (!w->head || !w->bits || !w->next || !w->cur || !w->sortbits) {
        sim_wheel_free(w);
        return -1;
    }
    wheel_clear(w);
    return 0;
}

void sim_wheel_free(sim_wheel *w)
{
    free(w->head);
    free(w->bits);
    free(w->next);
    free(w->cur);
    free(w->sortbits);
    sim_wheel_farq_free(&w->far);
    memset(w, 0, sizeof *w);
}

static void bucket_add(sim_wheel *w, uint32_t t, uint32_t e)
{
    uint32_t b = t & (w->h - 1);
    w->next[e] = w->head[b];
    w->head[b] = e;
    w->bits[b / 64] |= (uint64_t)1 << (b % 64);
}

int sim_wheel_push(sim_wheel *w, uint32_t t, uint32_t e)
{
    if (t < w->now || e >= w->n) return -1;
    if (t == w->now) {
        /* the current second: into its sorted rest, after what was popped of it */
        if (w->m == w->n) {
            memmove(w->cur, w->cur + w->k, (w->m - w->k) * sizeof *w->cur);
            w->m -= w->k;
            w->k = 0;
        }
        uint32_t lo = w->k, hi = w->m;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (w->cur[mid] < e)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(w->cur + lo + 1, w->cur + lo, (w->m - lo) * sizeof *w->cur);
        w->cur[lo] = e;
        w->m++;
    } else if (t - w->now < w->h) {
        bucket_add(w, t, e);
    } else if (sim_wheel_farq_push(&w->far, (sim_wheel_far){(uint64_t)t << 32 | e}) != 0) {
        return -1;
    }
    w->count++;
    return 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static uint32_t busy_at(const sim_wheel *w, uint32_t word, uint64_t x)
{
    uint32_t b = word * 64 + (uint32_t)__builtin_ctzll(x);
    return w->now + ((b - w->now) & (w->h - 1));
}

/* The first second after now whose bucket holds a list, or SIM_WHEEL_NONE: the buckets in
 * circular order from now + 1's (now's own is empty: it was taken when now began). */
static uint32_t next_busy(const sim_wheel *w)
{
    uint32_t words = w->h / 64, s = (w->now + 1) & (w->h - 1), sw = s / 64;
    uint64_t x = w->bits[sw] & (~(uint64_t)0 << (s % 64));
    if (x) return busy_at(w, sw, x);
    for (uint32_t i = 1; i < words; i++) {
        uint32_t word = (sw + i) % words;
        if (w->bits[word]) return busy_at(w, word, w->bits[word]);
    }
    x = w->bits[sw] & ~(~(uint64_t)0 << (s % 64));
    return x ? busy_at(w, sw, x) : SIM_WHEEL_NONE;
}

/* Sorts the current second's entities, cur[0..m).  They are distinct (an entity holds one
 * record at most) and below n, so a second of many is sorted by marking them in a bitmap of
 * the n entities and reading it back in order: the half-hour boundaries and the set-up put
 * thousands of households in one second, and qsort's comparisons through a pointer were 1 %
 * of a run.  A few, or many among very many entities, are sorted by insertion or qsort. */
static void cur_sort(sim_wheel *w)
{
    uint32_t m = w->m, *v = w->cur;
    if (m <= 64) {
        for (uint32_t i = 1; i < m; i++) {
            uint32_t x = v[i], j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    if (w->n / 64 > 16 * (uint64_t)m) {
        qsort(v, m, sizeof *v, cmp_u32);
        return;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t word = v[i] / 64;
        w->sortbits[word] |= (uint64_t)1 << (v[i] % 64);
        lo = word < lo ? word : lo;
        hi = word > hi ? word : hi;
    }
    uint32_t k = 0;
    for (uint32_t word = lo; word <= hi; word++) {
        uint64_t x = w->sortbits[word];
        w->sortbits[word] = 0; /* left clear for the next second */
        for (; x; x &= x - 1) v[k++] = word * 64 + (uint32_t)__builtin_ctzll(x);
    }
}

bool sim_wheel_top(sim_wheel *w, uint32_t *t, uint32_t *e)
{
    if (w->count == 0) return false;
    if (w->k == w->m) {
        /* the current second is done: on to the next that holds records */
        uint32_t tw = next_busy(w);
        uint32_t tf = w->far.n ? (uint32_t)(w->far.v[0].key >> 32) : SIM_WHEEL_NONE;
        w->now = tw < tf ? tw : tf;
        while (w->far.n && (uint32_t)(w->far.v[0].key >> 32) - w->now < w->h) {
            uint64_t key = sim_wheel_farq_pop(&w->far).key;
            bucket_add(w, (uint32_t)(key >> 32), (uint32_t)key);
        }
        uint32_t b = w->now & (w->h - 1);
        w->k = w->m = 0;
        for (uint32_t x = w->head[b]; x != SIM_WHEEL_NONE; x = w->next[x]) w->cur[w->m++] = x;
        w->head[b] = SIM_WHEEL_NONE;
        w->bits[b / 64] &= ~((uint64_t)1 << (b % 64));
        cur_sort(w);
    }
    *t = w->now;
    *e = w->cur[w->k];
    return true;
}

void sim_wheel_ckpt(sim_wheel *w, sim_ckpt *c)
{
    sim_ckpt_tag(c, "wheel");
    sim_ckpt_same(c, w->n, "entities of the wheel");
    uint64_t *rec = NULL;
    size_t n = 0;
    uint32_t now = w->now;
    if (!sim_ckpt_loading(c)) {
        rec = malloc((w->count ? w->count : 1) * sizeof *rec);
        if (!rec) {
            sim_ckpt_fail(c, "out of memory");
            return;
        }
        for (uint32_t i = w->k; i < w->m; i++) rec[n++] = (uint64_t)w->now << 32 | w->cur[i];
        for (uint32_t b = 0; b < w->h; b++) {
            uint64_t t = w->now + ((b - w->now) & (w->h - 1));
            for (uint32_t x = w->head[b]; x != SIM_WHEEL_NONE; x = w->next[x]) rec[n++] = t << 32 | x;
        }
        for (uint32_t i = 0; i < w->far.n; i++) rec[n++] = w->far.v[i].key;
    }
    SIM_CKPT(c, now);
    sim_ckpt_array(c, (void **)&rec, &n, NULL, sizeof *rec, w->n);
    if (sim_ckpt_loading(c) && !sim_ckpt_err(c)) {
        wheel_clear(w);
        w->now = now;
        for (size_t i = 0; i < n; i++)
            if (sim_wheel_push(w, (uint32_t)(rec[i] >> 32), (uint32_t)rec[i]) != 0) {
                sim_ckpt_fail(c, "a wheel record before its second or of no entity");
                break;
            }
    }
    free(rec);
}

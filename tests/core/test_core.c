/* sim/core containers and errors: the heap pops in key order and, for equal keys, in an
 * order fixed by the operations alone; the vector keeps records across growth; every error
 * code has a message; a broken invariant aborts; region lists name licence areas by number,
 * name or DCC region; a window loaded from a checkpoint by replaying its maker holds and goes
 * on with the records the saved one had; the run sort orders as qsort does, stably. */
#include "sim/ckpt.h"
#include "sim/error.h"
#include "sim/heap.h"
#include "sim/wheel.h"
#include "sim/regions.h"
#include "sim/rng.h"
#include "sim/round.h"
#include "sim/runsort.h"
#include "sim/vec.h"
#include "sim/window.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct rec {
    uint32_t key, tag;
} rec;

#define REC_LESS(a, b) ((a).key < (b).key)
SIM_HEAP_DEFINE(rec_heap, rec, REC_LESS)

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* A stream kept packed and unpacked for every draw goes on as the same stream drawn in place:
 * uniforms, integers below a bound of any size, and a distribution through GSL. */
Test(rng, a_packed_stream_draws_what_the_stream_in_place_draws)
{
    for (uint64_t e = 0; e < 64; e++) {
        sim_rng r;
        sim_rng_packed p;
        sim_rng_seed(&r, 2024, e, "test.packed");
        sim_rng_pack(&p, &r);
        for (int k = 0; k < 2000; k++) {
            sim_rng u = sim_rng_unpack(&p);
            gsl_rng g, h;
            switch (k % 4) {
            case 0: cr_assert_eq(sim_rng_uniform(&u), sim_rng_uniform(&r)); break;
            case 1: cr_assert_eq(sim_rng_below(&u, 1000), sim_rng_below(&r, 1000)); break;
            case 2:
                cr_assert_eq(sim_rng_below(&u, 1ull << 40), sim_rng_below(&r, 1ull << 40));
                break;
            default:
                cr_assert_eq(gsl_ran_ugaussian(sim_rng_gsl(&u, &g)),
                             gsl_ran_ugaussian(sim_rng_gsl(&r, &h)));
            }
            sim_rng_pack(&p, &u);
            for (int w = 0; w < 3; w++)
                cr_assert_eq(p.s[w], r.s[w], "stream %lu, draw %d", (unsigned long)e, k);
        }
    }
}

Test(heap, pops_every_pushed_key_in_ascending_order)
{
    rec_heap h = {0};
    enum { N = 5000 };
    static uint32_t keys[N];
    sim_rng r;
    sim_rng_seed(&r, 42, 0, "test.heap");
    for (uint32_t k = 0; k < N; k++) {
        keys[k] = (uint32_t)sim_rng_below(&r, 1000);
        cr_assert_eq(rec_heap_push(&h, (rec){keys[k], k}), 0);
    }
    qsort(keys, N, sizeof keys[0], cmp_u32);
    for (uint32_t k = 0; k < N; k++) cr_assert_eq(rec_heap_pop(&h).key, keys[k]);
    cr_assert_eq(h.n, 0u);
    rec_heap_free(&h);
}

Test(heap, build_and_replace_top_agree_with_pushes_and_pops)
{
    rec_heap a = {0}, b = {0};
    cr_assert_eq(rec_heap_reserve(&b, 64), 0);
    for (uint32_t k = 0; k < 64; k++) {
        uint32_t key = (k * 37u) % 64u;
        rec_heap_push(&a, (rec){key, k});
        b.v[b.n++] = (rec){key, k};
    }
    rec_heap_build(&b);
    for (uint32_t k = 0; k < 64; k++) {
        rec x = rec_heap_pop(&a);
        rec y = b.v[0];
        cr_assert_eq(x.key, y.key);
        rec_heap_replace_top(&b, (rec){1000u + k, 0}); /* larger than every key: sinks */
    }
    for (uint32_t k = 0; k < 64; k++) cr_assert_eq(rec_heap_pop(&b).key, 1000u + k);
    rec_heap_free(&a);
    rec_heap_free(&b);
}

/* The timing wheel against a heap of (time, entity) keys: every entity's next event is pushed
 * when its event is popped, at gaps from 0 (the same second) through minutes to far beyond
 * the wheel (a day), and both give the same records in the same order, for sizes that
 * give wheels of 256 to 4096 buckets; halfway the wheel goes through a checkpoint and
 * carries on from the loaded copy. */
#define KEY_LESS(a, b) ((a).key < (b).key)
typedef struct keyrec {
    uint64_t key;
} keyrec;
SIM_HEAP_DEFINE(key_heap, keyrec, KEY_LESS)

/* The gap to an entity's next record: minutes to a day, or (CROWDED) a few seconds, so that
 * a second holds tens to hundreds of records (lists of many chunks, chunks given back and
 * taken again). */
static uint32_t wheel_gap(sim_rng *r, bool crowded)
{
    double u = sim_rng_uniform(r);
    if (crowded) return u < 0.5 ? (uint32_t)(sim_rng_uniform(r) * 4.0) : (uint32_t)(u * 40.0);
    return u < 0.05 ? 0u : u < 0.8 ? (uint32_t)(sim_rng_uniform(r) * 900.0)
                               : (uint32_t)(sim_rng_uniform(r) * 86400.0);
}

static void wheel_roundtrip(sim_wheel *w)
{
    FILE *f = tmpfile();
    cr_assert(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    sim_wheel_ckpt(w, c);
    cr_assert_null(sim_ckpt_err(c));
    cr_assert_eq(sim_ckpt_close(c), 0);
    uint32_t n = w->n;
    sim_wheel_free(w);
    cr_assert_eq(sim_wheel_init(w, n), 0);
    cr_assert_eq(sim_wheel_push(w, 5, 0), 0); /* whatever the set-up pushed is replaced */
    rewind(f);
    c = sim_ckpt_open(f, true);
    sim_wheel_ckpt(w, c);
    cr_assert_null(sim_ckpt_err(c), "%s", sim_ckpt_err(c));
    sim_ckpt_close(c);
    fclose(f);
}

Test(wheel, pops_what_a_heap_of_time_and_entity_pops)
{
    static const uint32_t sizes[] = {1, 2, 7, 300, 1000, 5000};
    for (size_t z = 0; z < 2 * sizeof sizes / sizeof sizes[0]; z++) {
        uint32_t n = sizes[z / 2];
        bool crowded = z % 2;
        sim_rng r;
        sim_rng_seed(&r, 11, n, "test.wheel");
        sim_wheel w;
        key_heap ref = {0};
        cr_assert_eq(sim_wheel_init(&w, n), 0);
        for (uint32_t e = 0; e < n; e++) {
            uint32_t t = wheel_gap(&r, crowded);
            cr_assert_eq(sim_wheel_push(&w, t, e), 0);
            cr_assert_eq(key_heap_push(&ref, (keyrec){(uint64_t)t << 32 | e}), 0);
        }
        uint32_t steps = 20u * n + 200u, prev_t = 0;
        for (uint32_t k = 0; k < steps; k++) {
            if (k == steps / 2) wheel_roundtrip(&w);
            if (ref.n == 0) break; /* every entity out of events */
            uint32_t t, e;
            cr_assert(sim_wheel_top(&w, &t, &e));
            uint32_t hint = sim_wheel_ahead(&w, 1), hint2 = sim_wheel_ahead(&w, 2);
            if (k == 0 || t != prev_t)
                cr_assert(sim_wheel_first_of_second(&w), "n %u step %u", n, k);
            prev_t = t;
            keyrec x = key_heap_pop(&ref);
            cr_assert_eq(t, (uint32_t)(x.key >> 32), "n %u step %u", n, k);
            cr_assert_eq(e, (uint32_t)x.key, "n %u step %u", n, k);
            if (hint != SIM_WHEEL_NONE) {
                cr_assert_eq(hint, (uint32_t)ref.v[0].key, "n %u step %u", n, k);
                cr_assert_eq(t, (uint32_t)(ref.v[0].key >> 32), "n %u step %u", n, k);
            }
            if (hint2 != SIM_WHEEL_NONE) { /* the heap's second smallest: a child of its root */
                uint64_t second = ref.v[1].key;
                if (ref.n > 2 && ref.v[2].key < second) second = ref.v[2].key;
                cr_assert(hint != SIM_WHEEL_NONE && ref.n > 1, "n %u step %u", n, k);
                cr_assert_eq(hint2, (uint32_t)second, "n %u step %u", n, k);
                cr_assert_eq(t, (uint32_t)(second >> 32), "n %u step %u", n, k);
            }
            sim_wheel_pop(&w);
            if (sim_rng_uniform(&r) < 0.02) continue; /* the entity has no next event */
            uint32_t next = t + wheel_gap(&r, crowded);
            cr_assert_eq(sim_wheel_push(&w, next, e), 0);
            cr_assert_eq(key_heap_push(&ref, (keyrec){(uint64_t)next << 32 | e}), 0);
        }
        uint32_t t, e;
        while (ref.n) {
            keyrec x = key_heap_pop(&ref);
            cr_assert(sim_wheel_top(&w, &t, &e));
            cr_assert(t == (uint32_t)(x.key >> 32) && e == (uint32_t)x.key);
            sim_wheel_pop(&w);
        }
        cr_assert_not(sim_wheel_top(&w, &t, &e));
        cr_assert_eq(sim_wheel_push(&w, w.now - 1, 0), w.now ? -1 : 0, "a push into the past is refused");
        sim_wheel_free(&w);
        key_heap_free(&ref);
    }
}

/* A second holding many entities comes out in entity order whichever way it is sorted: by
 * insertion (64 or fewer), by a bitmap of the entities (many of them), by qsort (few among
 * very many), and twice in a row (the bitmap is left clear). */
Test(wheel, a_crowded_second_pops_in_entity_order)
{
    static const struct {
        uint32_t n, m;
    } cases[] = {{100, 60}, {1000, 65}, {5000, 5000}, {200000, 100}, {200000, 20000}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t n = cases[c].n, m = cases[c].m;
        sim_wheel w;
        cr_assert_eq(sim_wheel_init(&w, n), 0);
        sim_rng r;
        sim_rng_seed(&r, 5, c, "test.wheel.crowd");
        for (uint32_t round = 0; round < 2; round++) {
            uint32_t t0 = 10 + round;
            /* M distinct entities spread over [0, N), pushed in a scrambled order */
            uint32_t step = n / m, off = (uint32_t)(sim_rng_uniform(&r) * step);
            for (uint32_t i = 0; i < m; i++) {
                uint32_t j = (uint32_t)(((uint64_t)i * 7919u) % m); /* 7919 prime to every m */
                cr_assert_eq(sim_wheel_push(&w, t0, j * step + off), 0);
            }
            uint32_t t, e, prev = 0;
            for (uint32_t i = 0; i < m; i++) {
                cr_assert(sim_wheel_top(&w, &t, &e));
                cr_assert_eq(t, t0);
                cr_assert_eq(e, i * step + off, "n %u m %u round %u: %u-th is %u", n, m, round, i, e);
                cr_assert(i == 0 || e > prev);
                prev = e;
                sim_wheel_pop(&w);
            }
            cr_assert_not(sim_wheel_top(&w, &t, &e));
        }
        sim_wheel_free(&w);
    }
}

/* Equal keys leave in an order that depends only on the sequence of operations: two heaps
 * fed the same operations give the same tags (the runner's traces rely on it). */
Test(heap, ties_leave_in_an_order_fixed_by_the_operations)
{
    rec_heap a = {0}, b = {0};
    for (int round = 0; round < 2; round++) {
        rec_heap *h = round ? &b : &a;
        for (uint32_t k = 0; k < 200; k++) {
            rec_heap_push(h, (rec){k % 3, k});
            if (k % 7 == 6) rec_heap_pop(h);
        }
    }
    while (a.n) {
        rec x = rec_heap_pop(&a), y = rec_heap_pop(&b);
        cr_assert(x.key == y.key && x.tag == y.tag);
    }
    rec_heap_free(&a);
    rec_heap_free(&b);
}

/* sim_round_i32 is lround: halves away from zero, the doubles next to every half, and random
 * values of every magnitude up to 2^31, both signs. */
Test(round, rounds_as_lround_does)
{
    for (int k = -2000; k <= 2000; k++) {
        double half = k + 0.5;
        double xs[] = {half, nextafter(half, -INFINITY), nextafter(half, INFINITY), (double)k,
                       nextafter((double)k, INFINITY), nextafter((double)k, -INFINITY)};
        for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++)
            cr_assert_eq(sim_round_i32(xs[j]), (int32_t)lround(xs[j]), "%.17g", xs[j]);
    }
    cr_assert_eq(sim_round_i32(0.49999999999999994), 0); /* where x + 0.5 would give 1 */
    cr_assert_eq(sim_round_i32(-0.49999999999999994), 0);
    sim_rng r;
    sim_rng_seed(&r, 3, 0, "test.round");
    for (int k = 0; k < 200000; k++) {
        double x = ldexp(sim_rng_uniform(&r), (int)(sim_rng_uniform(&r) * 31.0));
        if (k & 1) x = -x;
        cr_assert_eq(sim_round_i32(x), (int32_t)lround(x), "%.17g", x);
    }
}

Test(vec, keeps_records_across_growth_and_drops_from_the_front)
{
    sim_vec v = SIM_VEC_INIT(uint64_t);
    for (uint64_t k = 0; k < 10000; k++) cr_assert_eq(sim_vec_push(&v, &k), 0);
    cr_assert_eq(v.n, 10000u);
    for (uint64_t k = 0; k < 10000; k++) cr_assert_eq(SIM_VEC_AT(&v, uint64_t, k), k);
    sim_vec_drop_front(&v, 9990);
    cr_assert_eq(v.n, 10u);
    cr_assert_eq(SIM_VEC_AT(&v, uint64_t, 0), 9990u);
    uint64_t *z = sim_vec_push_zero(&v);
    cr_assert(z && *z == 0 && v.n == 11);
    sim_vec_drop_front(&v, 100);
    cr_assert_eq(v.n, 0u);
    sim_vec_free(&v);
    cr_assert(v.v == NULL && v.cap == 0);
}

Test(vec, a_typed_push_grows_as_a_push_does)
{
    sim_vec v = SIM_VEC_INIT(rec);
    for (uint32_t k = 0; k < 1000; k++) cr_assert_eq(SIM_VEC_PUSH(&v, rec, ((rec){k, 7})), 0);
    cr_assert(v.n == 1000 && v.cap == 1024);
    for (uint32_t k = 0; k < 1000; k++) cr_assert_eq(SIM_VEC_AT(&v, rec, k).key, k);
    sim_vec_free(&v);
}

/* The run sort against qsort on the same records, by key then tag (a total order, as the
 * runner gives it), with a stability check on the key alone: inputs in order, reversed,
 * random, made of ordered runs of random lengths with ties, and the sizes 0, 1 and 2. */
static int cmp_rec(const void *x, const void *y)
{
    const rec *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->tag > b->tag) - (a->tag < b->tag);
}
#define REC_TOTAL_LESS(a, b) (cmp_rec(&(a), &(b)) < 0)
SIM_RUNSORT_DEFINE(rec_sort, rec, REC_TOTAL_LESS)
SIM_RUNSORT_DEFINE(rec_sort_key, rec, REC_LESS)

Test(runsort, sorts_as_qsort_does_and_keeps_equal_keys_in_their_order)
{
    enum { N = 20000 };
    static rec in[N], got[N], want[N], tmp[N];
    sim_rng r;
    sim_rng_seed(&r, 7, 0, "test.runsort");
    for (int shape = 0; shape < 4; shape++) {
        static const size_t sizes[] = {0, 1, 2, 3, 21, 147, 1000, 7777, N};
        for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
            size_t n = sizes[z];
            uint32_t run = 1, base = 0;
            for (size_t k = 0; k < n; k++) {
                uint32_t key;
                if (shape == 0) key = (uint32_t)k / 3;
                else if (shape == 1) key = (uint32_t)(n - k);
                else if (shape == 2) key = (uint32_t)sim_rng_below(&r, 500);
                else { /* ordered runs of 1 to 400 records, ties within and across them */
                    if (--run == 0) {
                        run = 1 + (uint32_t)sim_rng_below(&r, 400);
                        base = (uint32_t)sim_rng_below(&r, 1000);
                    }
                    key = base += (uint32_t)sim_rng_below(&r, 3);
                }
                in[k] = (rec){key, (uint32_t)k};
            }
            memcpy(got, in, n * sizeof *in);
            memcpy(want, in, n * sizeof *in);
            qsort(want, n, sizeof *want, cmp_rec);
            rec_sort(got, n, tmp);
            cr_assert(n == 0 || memcmp(got, want, n * sizeof *got) == 0, "shape %d, %zu records",
                      shape, n);
            /* by key alone: the tags (the input's order) rise within equal keys */
            memcpy(got, in, n * sizeof *in);
            rec_sort_key(got, n, tmp);
            for (size_t k = 1; k < n; k++)
                cr_assert(got[k - 1].key < got[k].key ||
                              (got[k - 1].key == got[k].key && got[k - 1].tag < got[k].tag),
                          "shape %d, %zu records: record %zu out of order", shape, n, k);
        }
    }
}

Test(vec, refuses_a_size_that_overflows)
{
    sim_vec v = {NULL, 0, 0, (size_t)1 << 40};
    cr_assert_eq(sim_vec_reserve(&v, (size_t)1 << 30), -1);
    cr_assert_eq(v.cap, 0u);
}

Test(error, every_code_has_its_own_message)
{
    const int codes[] = {
#define CODE(name, c, msg) c,
        SIM_ERROR_MAP(CODE)
#undef CODE
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_neq(sim_strerror(codes[i]), "unknown error");
        for (size_t j = 0; j < i; j++) cr_assert_str_neq(sim_strerror(codes[i]), sim_strerror(codes[j]));
    }
    cr_assert_str_eq(sim_strerror(SIM_ENOMEM), "out of memory");
    cr_assert_str_eq(sim_strerror(-9999), "unknown error");
}

Test(error, panic_aborts, .signal = SIGABRT)
{
    SIM_PANIC(12.5, "invariant %d broken", 3);
}

/* A sequence where each record depends on the one before (a running sum of a stream), as the
 * weather's series are made. */
typedef struct seq_ctx {
    uint64_t sum;
    uint32_t made;
} seq_ctx;

static void make_seq(void *ctx, uint32_t k, void *out)
{
    seq_ctx *c = ctx;
    cr_assert_eq(k, c->made, "records are made in order");
    c->made++;
    c->sum = c->sum * 6364136223846793005u + 1442695040888963407u + k;
    *(uint64_t *)out = c->sum;
}

Test(window, gives_the_sequence_whatever_is_released_and_holds_only_what_is_read_ahead)
{
    seq_ctx all = {0}, part = {0};
    sim_window whole = sim_window_init(sizeof(uint64_t), make_seq, &all, "test");
    sim_window slid = sim_window_init(sizeof(uint64_t), make_seq, &part, "test");
    size_t most = 0;
    for (uint32_t day = 0; day < 400; day++) {
        /* a reader looks up to a day and a half ahead, then releases the day; every 7th
         * day nobody reads, so records are released before they are made */
        if (day % 7 != 3)
            for (uint32_t k = day * 144; k < day * 144 + 216; k += 5)
                cr_assert_eq(*(const uint64_t *)sim_window_at(&slid, k),
                             *(const uint64_t *)sim_window_at(&whole, k), "record %u", k);
        sim_window_release(&slid, (day + 1) * 144);
        if (slid.v.n > most) most = slid.v.n;
    }
    cr_assert_leq(most, 72, "held %zu records", most);
    cr_assert_eq(whole.v.n, 399 * 144 + 216); /* up to the last record read */
    sim_window_free(&whole);
    sim_window_free(&slid);
}

Test(window, reading_a_released_record_aborts, .signal = SIGABRT)
{
    seq_ctx c = {0};
    sim_window w = sim_window_init(sizeof(uint64_t), make_seq, &c, "test");
    (void)sim_window_at(&w, 10);
    sim_window_release(&w, 5);
    (void)sim_window_at(&w, 4);
}

/* A maker whose records come from a random stream in its ctx: what replaying on load must
 * reproduce, as the weather's generator does. */
typedef struct draw_ctx {
    sim_rng rng;
    uint32_t made;
} draw_ctx;

typedef struct draw_rec {
    double x;
    uint32_t k;
    uint32_t pad; /* written, so records compare byte for byte */
} draw_rec;

static void make_draw(void *ctx, uint32_t k, void *out)
{
    draw_ctx *c = ctx;
    cr_assert_eq(k, c->made, "records are made in order");
    c->made++;
    *(draw_rec *)out = (draw_rec){.x = sim_rng_uniform(&c->rng), .k = k};
}

static FILE *saved_window(sim_window *w)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    sim_ckpt *c = sim_ckpt_open(f, false);
    sim_window_ckpt(w, c);
    cr_assert_eq(sim_ckpt_close(c), 0);
    rewind(f);
    return f;
}

/* Loads F into a fresh window drawing from SEED's stream; the stream's error or NULL. */
static char *load_window(FILE *f, uint64_t seed, sim_window *w, draw_ctx *ctx)
{
    static char msg[256];
    *ctx = (draw_ctx){0};
    sim_rng_seed(&ctx->rng, seed, 1, "test.window");
    *w = sim_window_init(sizeof(draw_rec), make_draw, ctx, "test");
    sim_ckpt *c = sim_ckpt_open(f, true);
    sim_window_ckpt(w, c);
    const char *e = sim_ckpt_err(c);
    snprintf(msg, sizeof msg, "%s", e ? e : "");
    sim_ckpt_close(c);
    return e ? msg : NULL;
}

Test(window, loads_by_replaying_its_maker_and_goes_on_bit_for_bit)
{
    /* (floor, next): records held, none made, all released, released past what was made */
    static const uint32_t at[][2] = {{0, 0}, {0, 500}, {300, 500}, {500, 500}, {900, 500},
                                     {0, 1}, {1, 1},   {40, 0}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        uint32_t floor = at[i][0], next = at[i][1];
        draw_ctx ca = {0}, cb;
        sim_rng_seed(&ca.rng, 9, 1, "test.window");
        sim_window a = sim_window_init(sizeof(draw_rec), make_draw, &ca, "test"), b;
        /* reach next-1 the way a reader does, releasing as it goes */
        for (uint32_t k = 0; k < next; k++) {
            (void)sim_window_at(&a, k);
            if (k % 97 == 0) sim_window_release(&a, k / 2 < floor ? k / 2 : floor);
        }
        sim_window_release(&a, floor);
        FILE *f = saved_window(&a);
        char *e = load_window(f, 9, &b, &cb);
        cr_assert_null(e, "(%u, %u): %s", floor, next, e);
        cr_assert_eq(b.floor, a.floor);
        cr_assert_eq(b.next, a.next);
        cr_assert_eq(b.base, a.base, "(%u, %u)", floor, next);
        cr_assert_eq(b.v.n, a.v.n, "(%u, %u)", floor, next);
        cr_assert_eq(cb.made, ca.made);
        cr_assert_eq(memcmp(&cb.rng, &ca.rng, sizeof ca.rng), 0, "generator state");
        if (a.v.n) cr_assert_eq(memcmp(a.v.v, b.v.v, a.v.n * a.v.size), 0, "held records");
        for (uint32_t k = floor; k < floor + 800; k++) /* the first that may be read */
            cr_assert_eq(memcmp(sim_window_at(&a, k), sim_window_at(&b, k), sizeof(draw_rec)), 0,
                         "(%u, %u): record %u", floor, next, k);
        fclose(f);
        sim_window_free(&a);
        sim_window_free(&b);
    }
}

Test(window, a_load_that_replays_other_records_or_ends_early_fails)
{
    draw_ctx ca = {0}, cb;
    sim_rng_seed(&ca.rng, 9, 1, "test.window");
    sim_window a = sim_window_init(sizeof(draw_rec), make_draw, &ca, "test"), b;
    (void)sim_window_at(&a, 200);
    sim_window_release(&a, 150);
    FILE *f = saved_window(&a);

    char *e = load_window(f, 10, &b, &cb); /* another seed: other records */
    cr_assert_not_null(e);
    cr_expect(strstr(e, "differ") != NULL, "%s", e);
    sim_window_free(&b);

    long size;
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    for (long cut = 0; cut < size; cut++) {
        rewind(f);
        char buf[256];
        cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
        FILE *g = tmpfile();
        fwrite(buf, 1, (size_t)cut, g);
        rewind(g);
        e = load_window(g, 9, &b, &cb);
        cr_assert_not_null(e, "cut at %ld", cut);
        cr_expect(strstr(e, "ends early") != NULL, "cut at %ld: %s", cut, e);
        sim_window_free(&b);
        fclose(g);
    }
    fclose(f);
    sim_window_free(&a);
}

static uint32_t regions_of(const char *text)
{
    uint32_t m = 0xdead;
    char why[200];
    int rc = sim_region_list(text, &m, why, sizeof why);
    cr_assert_eq(rc, 0, "%s: %s", text, why);
    return m;
}

static void refused(const char *text, const char *part)
{
    uint32_t m;
    char why[200] = "";
    cr_expect_eq(sim_region_list(text, &m, why, sizeof why), -1, "%s was accepted", text);
    cr_expect(strstr(why, part) != NULL, "%s: \"%s\" does not say \"%s\"", text, why, part);
}

Test(regions, lists_name_areas_by_number_name_and_dcc_region)
{
    cr_expect_eq(regions_of("all"), 0x3FFFu);
    cr_expect_eq(regions_of("1, 14"), 1u | 1u << 13);
    cr_expect_eq(regions_of("london"), 1u << 11);
    cr_expect_eq(regions_of("  MERSEYSIDE  and north   Wales ,12"), 1u << 5 | 1u << 11);
    /* the DCC regions cover the 14 areas exactly once */
    uint32_t n = regions_of("DCC North"), c = regions_of("dcc central"), s = regions_of("DCC South");
    cr_expect_eq(n | c | s, 0x3FFFu);
    cr_expect_eq(n & c, 0u);
    cr_expect_eq(n & s, 0u);
    cr_expect_eq(c & s, 0u);
    cr_expect_eq(n, 0x1Fu); /* Scotland, the North West, the North East and Yorkshire */
    for (unsigned r = 0; r < SIM_REGIONS; r++)
        cr_expect_eq(regions_of(sim_region_name(r)), 1u << r, "%s", sim_region_name(r));
    refused("", "empty item");
    refused("1,,2", "empty item");
    refused(",", "empty item");
    cr_expect_eq(regions_of("1, 2, "), 3u); /* a comma may end the list */
    refused("0", "not a DNO licence area");
    refused("15", "not a DNO licence area");
    refused("Londn", "\"Londn\" is not");
    refused("North", "not a DNO licence area");
    refused("DCC", "not a DNO licence area");
    refused("dcc middle", "not a DNO licence area");
}

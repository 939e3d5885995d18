/* The simulator port of the HAL: simulated clock, RAM NVM with power cuts, seeded or
 * callback random source. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/bytes.h"
#include "mm/meter.h"
#include "mm/persist.h"
#include "mm_port_sim.h"

Test(port_sim, the_clock_follows_simulated_time_and_never_goes_back)
{
    mm_hal_clock c;
    uint32_t utc = 0;
    mm_port_sim_clock_init(&c, 1700000000u);
    mm_port_sim_clock_set_ms(&c, 2500u);
    cr_expect_eq(mm_hal_clock_ms(&c), 2500u);
    cr_expect_eq(mm_hal_clock_utc_get(&c, &utc), MM_OK);
    cr_expect_eq(utc, 1700000002u);
    mm_port_sim_clock_set_ms(&c, 1000u); /* earlier: ignored */
    cr_expect_eq(mm_hal_clock_ms(&c), 2500u);
    mm_port_sim_clock_set_ms(&c, (1ull << 32) + 7u);
    cr_expect_eq(mm_hal_clock_ms(&c), 7u, "the ms counter wraps modulo 2^32");
    cr_expect_eq(mm_hal_clock_utc_set(&c, 1800000000u), MM_OK);
    mm_port_sim_clock_set_ms(&c, (1ull << 32) + 10007u);
    mm_hal_clock_utc_get(&c, &utc);
    cr_expect_eq(utc, 1800000010u);
    mm_port_sim_clock_lose_rtc(&c);
    cr_expect_eq(mm_hal_clock_utc_get(&c, &utc), MM_EIO);
}

/* The RTC's reading, utc_s + floor(dt (10^6 + ppm) / 10^9), is the exact quotient both where
 * the port computes it in 64 bits and where it needs 128 (a drift of +150 % or a dt of
 * centuries), on either side of the bound between the two. */
Test(port_sim, the_drifting_rtc_reads_the_exact_quotient_at_any_distance)
{
    static const uint64_t dts[] = {0, 999, 1000, 86400000u, 3155760000000u,
                                   UINT64_MAX / 2000000u, UINT64_MAX / 2000000u + 1u,
                                   (uint64_t)1 << 62};
    static const int32_t ppms[] = {0, 35, -35, 999999, 1000000, 1500000, -999999};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++)
        for (size_t k = 0; k < sizeof ppms / sizeof ppms[0]; k++) {
            mm_hal_clock c;
            mm_port_sim_clock_init(&c, 0u);
            mm_port_sim_clock_set_drift(&c, ppms[k]);
            mm_port_sim_clock_set_ms(&c, dts[i]);
            __extension__ unsigned __int128 e =
                (unsigned __int128)dts[i] * (uint64_t)(1000000 + (int64_t)ppms[k]);
            uint32_t want = (uint32_t)(uint64_t)(e / 1000000000u), utc = 1;
            cr_assert_eq(mm_hal_clock_utc_get(&c, &utc), MM_OK);
            cr_expect_eq(utc, want, "dt %llu ppm %d", (unsigned long long)dts[i], ppms[k]);
        }
}

Test(port_sim, a_power_cut_leaves_a_prefix_of_the_write_in_nvm)
{
    uint8_t mem[16];
    mm_hal_nvm n;
    const uint8_t rec[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t back[8];
    mm_port_sim_nvm_init(&n, mem, sizeof mem);
    cr_expect_eq(mm_hal_nvm_size(&n), 16u);
    cr_expect_eq(mem[0], 0xFF, "fresh store is erased");
    mm_port_sim_nvm_cut_after(&n, 3u);
    cr_expect_eq(mm_hal_nvm_write(&n, 4u, rec, sizeof rec), MM_EIO);
    cr_expect_eq(mm_hal_nvm_sync(&n), MM_EIO);
    cr_expect_eq(mm_hal_nvm_read(&n, 4u, back, sizeof back), MM_OK);
    cr_expect_arr_eq(back, ((uint8_t[]){1, 2, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), 8);
    cr_expect_eq(mm_hal_nvm_write(&n, 0u, rec, 1u), MM_EIO, "still without power");
    mm_port_sim_nvm_restore(&n);
    cr_expect_eq(mm_hal_nvm_write(&n, 4u, rec, sizeof rec), MM_OK);
    cr_expect_eq(mm_hal_nvm_sync(&n), MM_OK);
    mm_hal_nvm_read(&n, 4u, back, sizeof back);
    cr_expect_arr_eq(back, rec, 8);
}

Test(port_sim, nvm_accesses_outside_the_store_are_rejected)
{
    uint8_t mem[16], b[4] = {0};
    mm_hal_nvm n;
    mm_port_sim_nvm_init(&n, mem, sizeof mem);
    cr_expect_eq(mm_hal_nvm_write(&n, 13u, b, 4u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, 17u, b, 0u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, UINT32_MAX, b, 4u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, 12u, b, 4u), MM_OK);
}

static int counting(void *ctx, void *buf, size_t len)
{
    unsigned *calls = ctx;
    memset(buf, (int)++*calls, len);
    return 0;
}

Test(port_sim, the_seeded_rng_is_deterministic_and_the_callback_is_used_when_given)
{
    mm_hal_rng a, b;
    uint8_t x[13], y[13];
    mm_port_sim_rng_init_seed(&a, 7u);
    mm_port_sim_rng_init_seed(&b, 7u);
    mm_hal_rng_fill(&a, x, sizeof x);
    mm_hal_rng_fill(&b, y, sizeof y);
    cr_expect_arr_eq(x, y, sizeof x);
    /* First output of the reference SplitMix64 (Vigna's
     * splitmix64.c) for seed 0 is 0xE220A8397B1DCDAF, stored little-endian. */
    mm_port_sim_rng_init_seed(&a, 0u);
    mm_hal_rng_fill(&a, x, 8);
    cr_expect_arr_eq(x, ((uint8_t[]){0xAF, 0xCD, 0x1D, 0x7B, 0x39, 0xA8, 0x20, 0xE2}), 8);
    unsigned calls = 0;
    mm_port_sim_rng_init_fn(&a, counting, &calls);
    cr_expect_eq(mm_hal_rng_fill(&a, x, 4), MM_OK);
    cr_expect_eq(calls, 1u);
    cr_expect_eq(x[0], 1u);
}

/* ---- banked stores (mm_port_sim_nvm_init_banked) ---- */

enum { BK_ADDR = 64, BK_PAY = 40, BK_BANK = BK_PAY + MM_PERSIST_OVERHEAD, BK_METERS = 3 };
enum { BK_POOL = 1024 }; /* at least mm_port_sim_nvm_pool_bytes(BK_BANK) */

typedef struct bk_pair {
    uint8_t plain_mem[BK_ADDR + 2 * BK_BANK];
    mm_hal_nvm plain, banked;
    mm_persist pp, bp;
} bk_pair;

static uint32_t bk_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* A load from both stores: the same status, record and persistence state. */
static void bk_load_same(bk_pair *m, uint32_t step)
{
    uint8_t a[BK_PAY], b[BK_PAY];
    size_t na = 0, nb = 0;
    int ra = mm_persist_load(&m->pp, a, sizeof a, &na);
    int rb = mm_persist_load(&m->bp, b, sizeof b, &nb);
    cr_assert_eq(ra, rb, "step %u: load %d from both banks, %d from the banked store", step, ra,
                 rb);
    cr_assert_eq(m->pp.valid, m->bp.valid, "step %u", step);
    if (ra != MM_OK) return;
    cr_assert_eq(na, nb, "step %u", step);
    cr_assert_eq(memcmp(a, b, na), 0, "step %u: another record", step);
    cr_assert_eq(m->pp.seq, m->bp.seq, "step %u", step);
}

/* Meters saving as mm/persist.h does, on banked stores sharing one pool, with power cut after
 * every possible number of bytes of a save: every load returns what it returns from a store
 * of both banks (the status, the record, its sequence), so nothing is lost or counted twice
 * that a meter keeping both banks would keep. */
Test(port_sim, banked_stores_load_what_stores_of_both_banks_load)
{
    bk_pair m[BK_METERS];
    uint8_t pool_buf[BK_POOL];
    mm_port_sim_nvm_pool pool;
    mm_port_sim_nvm_pool_init(&pool, pool_buf, BK_BANK);
    for (int k = 0; k < BK_METERS; k++) {
        mm_port_sim_nvm_init(&m[k].plain, m[k].plain_mem, sizeof m[k].plain_mem);
        mm_port_sim_nvm_init_banked(&m[k].banked, BK_ADDR, BK_BANK, &pool);
        cr_assert_eq(mm_hal_nvm_size(&m[k].banked), sizeof m[k].plain_mem);
        cr_assert_eq(mm_persist_init(&m[k].pp, &m[k].plain, BK_ADDR, BK_PAY, 1), MM_OK);
        cr_assert_eq(mm_persist_init(&m[k].bp, &m[k].banked, BK_ADDR, BK_PAY, 1), MM_OK);
        bk_load_same(&m[k], 0);
    }
    uint64_t s = 42;
    uint32_t cuts = 0, saved = 0;
    for (uint32_t step = 1; step < 6000; step++) {
        bk_pair *x = &m[bk_next(&s) % BK_METERS];
        uint8_t rec[BK_PAY];
        size_t len = bk_next(&s) % (BK_PAY + 1);
        for (size_t i = 0; i < len; i++) rec[i] = (uint8_t)bk_next(&s);
        uint32_t what = bk_next(&s) % 4;
        if (what == 0) { /* a save cut after any number of its bytes, then power back */
            uint64_t at = bk_next(&s) % (MM_PERSIST_OVERHEAD + len + 1);
            mm_port_sim_nvm_cut_after(&x->plain, at);
            mm_port_sim_nvm_cut_after(&x->banked, at);
            int ra = mm_persist_save(&x->pp, rec, len), rb = mm_persist_save(&x->bp, rec, len);
            cr_assert_eq(ra, rb, "step %u: cut save %d against %d", step, ra, rb);
            mm_port_sim_nvm_restore(&x->plain);
            mm_port_sim_nvm_restore(&x->banked);
            cuts++;
            bk_load_same(x, step);
        } else if (what == 1) {
            bk_load_same(x, step);
        } else {
            int ra = mm_persist_save(&x->pp, rec, len), rb = mm_persist_save(&x->bp, rec, len);
            cr_assert_eq(ra, MM_OK);
            cr_assert_eq(rb, MM_OK, "step %u", step);
            saved++;
        }
        if (step % 997 == 0) mm_port_sim_nvm_pool_settle(&pool);
    }
    for (int k = 0; k < BK_METERS; k++) bk_load_same(&m[k], 6000);
    cr_expect_gt(cuts, 1000u);
    cr_expect_gt(saved, 2000u);
    for (int k = 0; k < BK_METERS; k++) mm_port_sim_nvm_release(&m[k].banked);
    cr_expect_eq(pool.held, 0u, "every block given back");
}

/* The pool holds one save at a time: another meter's save settles it, a completed one
 * becoming its meter's kept bank, a cut one being dropped (the bank reads erased). */
Test(port_sim, the_pool_settles_a_save_before_taking_another)
{
    bk_pair a, b;
    uint8_t pool_buf[BK_POOL], rec[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[BK_BANK];
    mm_port_sim_nvm_pool pool;
    mm_port_sim_nvm_pool_init(&pool, pool_buf, BK_BANK);
    mm_port_sim_nvm_init_banked(&a.banked, BK_ADDR, BK_BANK, &pool);
    mm_port_sim_nvm_init_banked(&b.banked, BK_ADDR, BK_BANK, &pool);
    mm_persist_init(&a.bp, &a.banked, BK_ADDR, BK_PAY, 1);
    mm_persist_init(&b.bp, &b.banked, BK_ADDR, BK_PAY, 1);
    cr_assert_eq(mm_persist_save(&a.bp, rec, 8), MM_OK); /* bank 0: kept, no pool */
    cr_expect_null(pool.owner);
    cr_assert_eq(mm_persist_save(&a.bp, rec, 4), MM_OK); /* bank 1: in the pool */
    cr_expect_eq(pool.owner, &a.banked);
    cr_expect_eq(a.banked.kept, 0);
    cr_assert_eq(mm_persist_save(&b.bp, rec, 8), MM_OK);
    cr_assert_eq(mm_persist_save(&b.bp, rec, 8), MM_OK); /* takes the pool: A's settles */
    cr_expect_eq(pool.owner, &b.banked);
    cr_expect_eq(a.banked.kept, 1, "A's completed save is its kept bank");
    mm_hal_nvm_read(&a.banked, BK_ADDR, back, BK_BANK);
    cr_expect_eq(back[0], 0xFF, "the superseded bank reads erased");
    /* B's next save, to its kept bank 0 while its newest record waits in the pool, is cut
     * short: when A takes the pool again B's record there becomes its kept bank, and what
     * the cut save left is erased */
    mm_port_sim_nvm_cut_after(&b.banked, 5);
    cr_expect_eq(mm_persist_save(&b.bp, rec, 8), MM_EIO);
    mm_port_sim_nvm_restore(&b.banked);
    cr_expect_eq(b.banked.kept, 0);
    cr_expect_eq(pool.owner, &b.banked);
    cr_assert_eq(mm_persist_save(&a.bp, rec, 8), MM_OK);
    cr_expect_eq(pool.owner, &a.banked);
    cr_expect_eq(b.banked.kept, 1, "B keeps its intact record");
    mm_hal_nvm_read(&b.banked, BK_ADDR, back, BK_BANK);
    cr_expect_eq(back[0], 0xFF, "what the cut save left is erased");
    size_t n = 0;
    cr_expect_eq(mm_persist_load(&b.bp, back, sizeof back, &n), MM_OK);
    cr_expect_eq(n, 8u);
    cr_expect_eq(b.bp.seq, 2u);
    mm_port_sim_nvm_release(&a.banked);
    mm_port_sim_nvm_release(&b.banked);
}

/* A banked store's bytes as a plain store shows them, and back: the bank with the newest
 * intact record is kept (bank 0 when neither is intact), the bytes below the banks too. */
Test(port_sim, a_banked_store_gives_its_image_and_adopts_one)
{
    bk_pair a;
    uint8_t pool_buf[BK_POOL], rec[6] = {9, 8, 7, 6, 5, 4};
    uint8_t img[BK_ADDR + 2 * BK_BANK], img2[sizeof img];
    mm_port_sim_nvm_pool pool;
    mm_port_sim_nvm_pool_init(&pool, pool_buf, BK_BANK);
    mm_port_sim_nvm_init(&a.plain, a.plain_mem, sizeof a.plain_mem);
    mm_port_sim_nvm_init_banked(&a.banked, BK_ADDR, BK_BANK, &pool);
    mm_persist_init(&a.pp, &a.plain, BK_ADDR, BK_PAY, 1);
    for (int k = 0; k < 3; k++) cr_assert_eq(mm_persist_save(&a.pp, rec, 6u - (size_t)k), MM_OK);
    mm_hal_nvm_write(&a.plain, 3, rec, 4); /* below the banks: the self-test cell */
    mm_port_sim_nvm_adopt(&a.banked, a.plain_mem);
    cr_expect_eq(a.banked.kept, 0, "the third save is in bank 0");
    mm_port_sim_nvm_image(&a.banked, img);
    cr_expect_eq(memcmp(img, a.plain_mem, BK_ADDR + BK_BANK), 0);
    for (int i = 0; i < BK_BANK; i++) cr_expect_eq(img[BK_ADDR + BK_BANK + i], 0xFF);
    mm_persist_init(&a.bp, &a.banked, BK_ADDR, BK_PAY, 1);
    bk_load_same(&a, 0);
    /* neither bank intact: bank 0's bytes kept as they are */
    memset(img2, 0xFF, sizeof img2);
    img2[BK_ADDR] = 0x4D;
    mm_port_sim_nvm_adopt(&a.banked, img2);
    mm_port_sim_nvm_image(&a.banked, img);
    cr_expect_eq(memcmp(img, img2, sizeof img), 0);    mm_port_sim_nvm_release(&a.banked);
    cr_expect_eq(pool.held, 0u);
}

/* Coding: what a store keeps comes back byte for byte whatever it holds (banks of 1 to 80
 * bytes, so every mix of whole 16-byte blocks and a last word of 1 to 4 bytes; bytes below
 * the banks written or erased), and a bank that differs from the pool's reference in K words
 * codes to the header, the bitmap's summary, its bytes for those words and the K words, in a
 * block the pool counts whole. */
Test(port_sim, a_coded_store_keeps_every_byte_and_its_size_follows_the_differing_words)
{
    enum { ADDR = 8, BANK_MAX = 80 };
    uint8_t block[1024], in[ADDR + BANK_MAX], out[ADDR + BANK_MAX];
    cr_assert_leq(mm_port_sim_nvm_pool_bytes(BANK_MAX), sizeof block);
    mm_port_sim_nvm_pool pool;
    mm_port_sim_nvm_pool_init(&pool, block, BANK_MAX);
    mm_hal_nvm s[4];
    uint64_t r = 7;
    for (uint32_t bank = 1; bank <= BANK_MAX; bank++) {
        for (int k = 0; k < 4; k++) mm_port_sim_nvm_init_banked(&s[k], ADDR, bank, &pool);
        for (int round = 0; round < 12; round++) {
            mm_hal_nvm *x = &s[bk_next(&r) % 4];
            uint32_t density = bk_next(&r) % 5; /* 0: all erased ... 4: every byte drawn */
            for (uint32_t k = 0; k < ADDR + bank; k++)
                in[k] = bk_next(&r) % 4 < density ? (uint8_t)bk_next(&r) : 0xFF;
            if (round % 3 == 0) memset(in, 0xFF, ADDR);
            mm_port_sim_nvm_load_kept(x, in);
            memset(out, 0xA5, sizeof out);
            mm_port_sim_nvm_copy_kept(x, out);
            cr_assert_eq(memcmp(in, out, ADDR + bank), 0, "bank of %u B, round %d", bank, round);
            uint8_t rd[ADDR + BANK_MAX];
            cr_assert_eq(mm_hal_nvm_read(x, 0, rd, ADDR + bank), MM_OK);
            cr_assert_eq(memcmp(in, rd, ADDR + bank), 0, "read back, bank of %u B", bank);
        }
        for (int k = 0; k < 4; k++) mm_port_sim_nvm_release(&s[k]);
        cr_assert_eq(pool.held, 0u, "bank of %u B: every block given back", bank);
    }
    /* the reference is the first bank the pool coded: a bank differing from it in K words */
    mm_port_sim_nvm_pool_init(&pool, block, BANK_MAX);
    for (uint32_t k = 0; k < ADDR + BANK_MAX; k++) in[k] = (uint8_t)(k * 7u + 1u);
    memset(in, 0xFF, ADDR);
    mm_port_sim_nvm_init_banked(&s[0], ADDR, BANK_MAX, &pool);
    mm_port_sim_nvm_load_kept(&s[0], in);
    /* 80 B: 20 words, 3 bytes of bitmap, 1 of summary */
    cr_expect_eq(mm_get_le(s[0].code, 4), 8u + 1u, "the reference itself: a header, a summary");
    for (uint32_t k = 1; k <= 20; k++) {
        in[ADDR + 4u * (k - 1u) + 1u] ^= 0x10; /* one more word differs */
        mm_port_sim_nvm_load_kept(&s[0], in);
        uint32_t want = 8u + 1u + (k + 7u) / 8u + 4u * k, cap = mm_get_le(s[0].code + 4, 4);
        cr_expect_eq(mm_get_le(s[0].code, 4), want, "%u words differ: %u B of code, %u B expected",
                     k, (unsigned)mm_get_le(s[0].code, 4), want);
        cr_expect(cap >= want && mm_port_sim_xor_room(want, cap) == cap &&
                      mm_port_sim_xor_room(cap, 0) == cap,
                  "a block of %u B for %u B", cap, want);
        cr_expect_eq(pool.held, cap, "the pool counts the block whole");
        mm_port_sim_nvm_copy_kept(&s[0], out);
        cr_assert_eq(memcmp(in, out, ADDR + BANK_MAX), 0);
    }
    mm_port_sim_nvm_release(&s[0]);
}

/* A checkpoint of a store (mm_port_sim_nvm_copy_kept, then _load_kept into a record copied as
 * it is): the meter loads the same record and saves on from it as it would have. */
Test(port_sim, a_store_copied_and_loaded_back_loads_the_same_record)
{
    bk_pair a;
    uint8_t pool_buf[BK_POOL], rec[BK_PAY], kept[BK_ADDR + BK_BANK];
    mm_port_sim_nvm_pool pool;
    mm_port_sim_nvm_pool_init(&pool, pool_buf, BK_BANK);
    mm_port_sim_nvm_init(&a.plain, a.plain_mem, sizeof a.plain_mem);
    mm_port_sim_nvm_init_banked(&a.banked, BK_ADDR, BK_BANK, &pool);
    mm_persist_init(&a.pp, &a.plain, BK_ADDR, BK_PAY, 1);
    mm_persist_init(&a.bp, &a.banked, BK_ADDR, BK_PAY, 1);
    uint64_t r = 3;
    for (uint32_t step = 0; step < 40; step++) {
        for (size_t i = 0; i < sizeof rec; i++) rec[i] = (uint8_t)bk_next(&r);
        size_t len = bk_next(&r) % (BK_PAY + 1);
        cr_assert_eq(mm_persist_save(&a.pp, rec, len), MM_OK);
        cr_assert_eq(mm_persist_save(&a.bp, rec, len), MM_OK);
        if (step % 3 != 0) continue;
        mm_port_sim_nvm_pool_settle(&pool);
        mm_port_sim_nvm_copy_kept(&a.banked, kept);
        mm_hal_nvm copy = a.banked;
        copy.mem = copy.code = NULL; /* what a checkpoint file holds */
        mm_port_sim_nvm_release(&a.banked);
        a.banked = copy;
        mm_port_sim_nvm_load_kept(&a.banked, kept);
        bk_load_same(&a, step);
    }
    mm_port_sim_nvm_release(&a.banked);
    cr_expect_eq(pool.held, 0u);
}

/* A block's room: the smallest size class holding the code (16-byte steps to 128 B, then four
 * classes to each doubling), kept while the code fits and has not shrunk by more than 48 B. */
Test(port_sim, a_block_takes_a_size_class_and_keeps_it_while_the_code_fits)
{
    static const uint32_t classes[] = {16,  32,  48,  64,  80,  96,  112, 128, 160, 192, 224,
                                       256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280};
    uint32_t k = 0;
    for (uint32_t len = 1; len <= 1280; len++) {
        while (classes[k] < len) k++;
        cr_assert_eq(mm_port_sim_xor_room(len, 0), classes[k], "%u B", len);
        for (uint32_t cap = len; cap <= len + 60u; cap++)
            cr_assert_eq(mm_port_sim_xor_room(len, cap), cap > len + 48u ? classes[k] : cap,
                         "%u B in a block of %u", len, cap);
    }
}

/* The code's length as its format says: the summary, the bitmap's bytes that are not zero,
 * the differing words (REF and PLAIN of SIZE bytes); and the bytes of it saying words [W0,
 * W1). */
static uint32_t expected_len(const uint8_t *ref, const uint8_t *plain, uint32_t size, uint32_t w0,
                             uint32_t w1)
{
    uint32_t nw = (size + 3u) / 4u, nb = (nw + 7u) / 8u, len = 0;
    for (uint32_t j = 0; j < nb; j++) {
        uint32_t d = 0;
        for (uint32_t w = 8u * j; w < 8u * j + 8u && w < nw; w++)
            for (uint32_t b = 4u * w; b < 4u * w + 4u && b < size; b++)
                if (ref[b] != plain[b]) {
                    d++;
                    break;
                }
        if (d > 0 && 8u * j >= w0 && 8u * j < w1) len += 1u + 4u * d;
    }
    return len;
}

/* The coder as the port's interface gives it: every size from 1 to 300 bytes (whole 64-byte
 * runs for AVX-512, 16-byte runs for SSE2, single words, a short last word) and sizes up to
 * 2,100 bytes (groups of 64 words the summary skips), with few and with many words differing;
 * the code is the same byte for byte with and without AVX-512, as long as its format says,
 * within what mm_port_sim_xor_max says, and decodes to the bytes coded both ways;
 * mm_port_sim_xor_span counts the bytes saying a range of words. */
Test(port_sim, the_xor_coder_decodes_what_it_coded_and_codes_the_same_on_every_path)
{
    static uint8_t ref[2100], plain[2100], code[2][2800], out[2100];
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (uint32_t size = 1; size <= 2100; size += size < 300 ? 1u : 37u) {
        for (int dense = 0; dense < 4; dense++) {
            for (uint32_t b = 0; b < size; b++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ref[b] = (uint8_t)x;
                /* one byte in 400, in 40, in 4, or every byte differs */
                uint32_t every = dense == 0 ? 400u : dense == 1 ? 40u : dense == 2 ? 4u : 1u;
                uint32_t flip = (x >> 32) % every == 0 ? 1u + (uint32_t)(x >> 40) % 255u : 0u;
                plain[b] = (uint8_t)(ref[b] ^ flip);
            }
            uint32_t len[2];
            for (int path = 0; path < 2; path++) {
                (void)mm_port_sim_xor_use_avx512(path == 0);
                memset(code[path], 0xA5, sizeof code[path]);
                len[path] = mm_port_sim_xor_code(ref, plain, size, code[path]);
                cr_assert_leq(len[path], mm_port_sim_xor_max(size), "size %u", size);
                /* (past the code but within the most it may write scratch words) */
                cr_assert_eq(code[path][mm_port_sim_xor_max(size)], 0xA5, "size %u: past the most",
                             size);
            }
            cr_assert_eq(len[0], len[1], "size %u, %d: lengths", size, dense);
            cr_assert_eq(memcmp(code[0], code[1], len[0]), 0, "size %u, %d: codes", size, dense);
            uint32_t nw = (size + 3u) / 4u, ns = ((nw + 7u) / 8u + 7u) / 8u;
            cr_assert_eq(len[0], ns + expected_len(ref, plain, size, 0, nw), "size %u, %d: length",
                         size, dense);
            for (uint32_t w0 = 0; w0 < nw; w0 += 24u) {
                uint32_t w1 = w0 + 40u;
                cr_assert_eq(mm_port_sim_xor_span(code[0], size, w0, w1),
                             expected_len(ref, plain, size, w0, w1), "size %u, words [%u, %u)",
                             size, w0, w1);
            }
            for (int path = 0; path < 2; path++) {
                (void)mm_port_sim_xor_use_avx512(path == 0);
                memset(out, 0x5A, sizeof out);
                mm_port_sim_xor_decode(ref, code[path], size, out);
                cr_assert_eq(memcmp(out, plain, size), 0, "size %u, %d, path %d", size, dense,
                             path);
                if (size < sizeof out) cr_assert_eq(out[size], 0x5A, "size %u: past the end", size);
            }
        }
    }
    (void)mm_port_sim_xor_use_avx512(true);
}

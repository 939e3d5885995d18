/* The meters' firmware states kept coded (sim/fwstate.c): what is reached, state and event
 * ring, is what was last written, whoever was reached in between; reading codes nothing back;
 * a meter that changes image is coded against the new image's reference; the bytes held are
 * the blocks' and the references'; a block keeps its room through one short code, and gives
 * it back at the second in a row.  With their NVM stores in the view (sim_fw_hal): each
 * meter loads the record it saved last, whoever saved in between; a state that cannot be
 * coded back for want of memory leaves its store erased, and no block is lost or given back
 * twice (realloc is wrapped, -Wl,--wrap=realloc, to fail on demand). */
#include <criterion/criterion.h>

#include "mm/persist.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static bool no_memory; /* realloc fails while set */

void *__wrap_realloc(void *p, size_t n)
{
    return no_memory ? NULL : __real_realloc(p, n);
}

#define N 40u
#define BIG 200u  /* image 0's slot [B] */
#define SMALL 72u /* image 1's */

static sim_fw fw;
static sim_fleet fleet;
static sim_fleet_hh hh[N];
static sim_ctx cx;
static sim_area area;
#define VIEW 2048u                    /* more than any view here */
static unsigned char mirror[N][VIEW]; /* what each view should read */
static unsigned char *fwc[N];

static void setup(void)
{
    memset(&fw, 0, sizeof fw);
    memset(&fleet, 0, sizeof fleet);
    memset(hh, 0, sizeof hh);
    memset(&cx, 0, sizeof cx);
    memset(&area, 0, sizeof area);
    memset(mirror, 0, sizeof mirror);
    memset(fwc, 0, sizeof fwc);
    fw.n_images = 2;
    fw.img[0].slot = BIG;
    fw.img[1].slot = SMALL;
    fw.max_slot = BIG;
    for (uint32_t i = 0; i < N; i++) hh[i].image = (uint8_t)(i % 3 == 2); /* a third small */
    fleet.hh = hh;
    cx.fw = &fw;
    cx.fleet = &fleet;
    area.cx = &cx;
    area.n = N;
    area.fwc = fwc;
    cr_assert_eq(sim_fw_states_init(&area), 0);
}

static void teardown(void)
{
    sim_fw_states_free(&area);
}

static uint32_t size_of(uint32_t i)
{
    return fw.img[hh[i].image].slot;
}

/* A few words of household I's state written, as a meter's call would: a register that
 * grows, a time, now and then a word far into the state, and now and then an event. */
static void write_some(uint32_t i, uint32_t step)
{
    unsigned char *s = sim_hh_slot(&area, i);
    uint32_t size = size_of(i), v = step * 2654435761u ^ i;
    memcpy(s + 8, &v, 4);
    s[16 + step % (size - 16)] ^= (unsigned char)(1u + step % 251u);
    if (step % 7 == 0) s[size - 1] = (unsigned char)step; /* the last byte */
    if (step % 5 == 0) {
        mm_event *ring = sim_fw_states_ring(&area);
        ring[step % FW_EVENT_DEPTH] = (mm_event){.time = step, .code = (uint16_t)i};
    }
    cr_assert_leq(area.fws->view_bytes, VIEW);
    memcpy(mirror[i], s, area.fws->view_bytes);
}

/* The next of Marsaglia's xorshift64 sequence after X: which household, and what to do. */
static uint64_t xorshift(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    return x ^ x << 17;
}

static void expect_reads(uint32_t i)
{
    const unsigned char *s = sim_fw_states_reach(&area, i, false);
    cr_assert_eq(memcmp(s, mirror[i], area.fws->view_bytes), 0, "household %u's view", i);
    for (uint32_t b = size_of(i); b < area.fws->state_bytes; b++)
        cr_assert_eq(s[b], 0, "household %u: byte %u past its state", i, b);
}

Test(fwstate, every_state_reads_what_was_last_written, .init = setup, .fini = teardown)
{
    uint64_t x = 88172645463325252u;
    for (uint32_t step = 0; step < 20000; step++) {
        x = xorshift(x);
        uint32_t i = (uint32_t)(x % N);
        if (x >> 40 & 1)
            write_some(i, step);
        else
            expect_reads(i);
    }
    for (uint32_t i = 0; i < N; i++) expect_reads(i);
}

Test(fwstate, a_state_never_written_reads_zero_and_takes_no_block, .init = setup,
     .fini = teardown)
{
    write_some(3, 1);
    expect_reads(5);
    expect_reads(3);
    cr_expect_null(area.fwc[5]);
    cr_expect_not_null(area.fwc[3], "written, then left: coded back");
}

Test(fwstate, reading_codes_nothing_back, .init = setup, .fini = teardown)
{
    write_some(1, 1);
    write_some(2, 2);
    sim_fw_states_settle(&area); /* 2's coded back too */
    unsigned char *b1 = area.fwc[1], *b2 = area.fwc[2];
    uint32_t len[2];
    memcpy(&len[0], b1, 4);
    memcpy(&len[1], b2, 4);
    unsigned char before1[BIG * 2], before2[BIG * 2];
    memcpy(before1, b1, len[0]);
    memcpy(before2, b2, len[1]);
    uint64_t held = area.fws->held;
    for (int k = 0; k < 10; k++) {
        expect_reads(1);
        expect_reads(2);
        expect_reads(4);
    }
    cr_expect_eq(area.fwc[1], b1);
    cr_expect_eq(area.fwc[2], b2);
    cr_expect_eq(memcmp(area.fwc[1], before1, len[0]), 0);
    cr_expect_eq(memcmp(area.fwc[2], before2, len[1]), 0);
    cr_expect_eq(area.fws->held, held);
}

Test(fwstate, a_meter_that_changes_image_is_coded_against_the_new_reference, .init = setup,
     .fini = teardown)
{
    write_some(0, 5); /* image 0 */
    write_some(2, 10); /* image 1: the small one; an event too */
    /* household 0 moves to the small image while its state is in the view, as a firmware
     * activation or a meter exchange does: a fresh state, the ring as it was */
    unsigned char *s = sim_hh_slot(&area, 0);
    memset(s, 0, area.fws->state_bytes);
    hh[0].image = 1;
    write_some(0, 7);
    expect_reads(2);
    expect_reads(0);
    unsigned char *b0 = area.fwc[0];
    uint32_t h[2];
    memcpy(h, b0, sizeof h);
    cr_expect_eq(h[1] >> 24, 1, "coded against image 1's reference");
    /* and back */
    s = sim_hh_slot(&area, 0);
    memset(s, 0, area.fws->state_bytes);
    hh[0].image = 0;
    write_some(0, 15);
    expect_reads(1);
    expect_reads(0);
}

Test(fwstate, the_bytes_held_are_the_blocks_and_references, .init = setup, .fini = teardown)
{
    for (uint32_t i = 0; i < N; i++) write_some(i, i + 1);
    sim_fw_states_settle(&area);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < N; i++) {
        uint32_t h[2];
        cr_assert_not_null(area.fwc[i]);
        memcpy(h, area.fwc[i], sizeof h);
        uint32_t cap = h[1] & 0xFFFFFFu, len = h[0] & 0xFFFFFFu;
        /* a size class holding the code, as mm_port_sim_xor_room keeps it */
        cr_expect_geq(cap, len);
        cr_expect_eq(mm_port_sim_xor_room(len, cap), cap, "a block of %u B for %u B", cap, len);
        cr_expect_eq(mm_port_sim_xor_room(cap, 0), cap, "%u B: a size class", cap);
        sum += cap;
    }
    sum += 2u * area.fws->view_bytes; /* one reference per image */
    cr_expect_eq(area.fws->held, sum);
    /* a state mostly like its reference codes small: the header, the bitmap's summary, and for
     * each of a few words a byte of the bitmap at most and the word */
    uint32_t h[2], nb = (area.fws->view_bytes / 4u + 7u) / 8u;
    memcpy(h, area.fwc[N - 1], sizeof h);
    cr_expect_leq(h[0], 8u + (nb + 7u) / 8u + 6u * (1u + 4u), "block of %u bytes", h[0]);
}

/* Household I's state with N bytes from 16 on set to V (V != 0: a code about N bytes longer
 * than with V = 0, when the reference has them 0). */
static void fill(uint32_t i, uint32_t n, unsigned char v)
{
    unsigned char *s = sim_hh_slot(&area, i);
    memset(s + 16, v, n);
    memcpy(mirror[i], s, area.fws->view_bytes);
}

/* The cap of household I's block (settled first). */
static uint32_t cap_of(uint32_t i)
{
    sim_fw_states_settle(&area);
    uint32_t h[2];
    memcpy(h, area.fwc[i], sizeof h);
    return h[1] & 0xFFFFFFu;
}

Test(fwstate, a_code_that_grows_and_shrinks_by_turns_keeps_its_block, .init = setup,
     .fini = teardown)
{
    fill(0, 160, 0); /* image 0's reference: zeros */
    fill(3, 160, 0);
    uint32_t small = cap_of(3);
    fill(3, 160, 0xA5);
    uint32_t big = cap_of(3);
    cr_assert_gt(big, small + 48u, "a long code takes a larger block (%u B, then %u B)", small,
                 big);
    const unsigned char *b = area.fwc[3];
    uint64_t held = area.fws->held;
    for (unsigned k = 0; k < 5; k++) { /* a command, then a close, every half-hour */
        fill(3, 160, 0);
        cr_expect_eq(cap_of(3), big, "round %u: one short code keeps the room", k);
        expect_reads(3);
        fill(3, 160, (unsigned char)(0xA5 + k));
        cr_expect_eq(cap_of(3), big, "round %u", k);
        expect_reads(3);
    }
    cr_expect_eq(area.fwc[3], b, "the block never moved");
    cr_expect_eq(area.fws->held, held);
    /* two short codes in a row give the room back */
    fill(3, 160, 0);
    cr_expect_eq(cap_of(3), big);
    fill(3, 160, 0);
    cr_expect_eq(cap_of(3), small, "the second short code in a row");
    cr_expect_eq(area.fws->held, held - big + small);
    expect_reads(3);
    /* and a short code after a long one starts over */
    fill(3, 160, 1);
    cr_expect_eq(cap_of(3), big);
    fill(3, 160, 0);
    cr_expect_eq(cap_of(3), big);
}

/* ---- with price tables ------------------------------------------------------------------ */

static sim_ptab *ptab[N];
static mm_price_table tables[N]; /* what each meter's table should read */

static void setup_prices(void)
{
    memset(ptab, 0, sizeof ptab);
    memset(tables, 0, sizeof tables);
    setup();
    sim_fw_states_free(&area); /* again, with a dynamic tariff */
    cx.dyn_prices = true;
    area.ptab = ptab;
    cr_assert_eq(sim_fw_states_init(&area), 0);
}

/* Household I's meter takes price P for rate R, as a price update would. */
static void set_price(uint32_t i, unsigned r, uint32_t p)
{
    sim_hh_slot(&area, i);
    mm_price_table *t = sim_fw_states_prices(&area);
    t->pending[r] = p;
    t->pending_at[r] = 1000u + r;
    tables[i] = *t;
}

static void expect_prices(uint32_t i)
{
    sim_fw_states_reach(&area, i, false);
    cr_assert_eq(memcmp(sim_fw_states_prices(&area), &tables[i], sizeof tables[i]), 0,
                 "household %u's prices", i);
}

/* Distinct tables the area holds, and the references to them the column has. */
static uint32_t distinct(uint32_t *refs)
{
    const sim_ptab *seen[N];
    uint32_t n = 0;
    *refs = 0;
    for (uint32_t i = 0; i < N; i++) {
        if (!ptab[i]) continue;
        (*refs)++;
        uint32_t k = 0;
        while (k < n && seen[k] != ptab[i]) k++;
        if (k == n) {
            seen[n++] = ptab[i];
            uint32_t held = 0;
            for (uint32_t j = 0; j < N; j++) held += ptab[j] == ptab[i];
            cr_expect_eq(ptab[i]->refs, held, "a table's count of the households it serves");
        }
    }
    return n;
}

Test(fwstate_prices, every_meter_reads_the_prices_it_was_last_given, .init = setup_prices,
     .fini = teardown)
{
    uint64_t x = 88172645463325252u;
    for (uint32_t step = 0; step < 20000; step++) {
        x = xorshift(x);
        uint32_t i = (uint32_t)(x % N);
        /* few distinct prices, so that tables are shared, and now and then one of its own */
        if (x >> 40 & 1)
            set_price(i, (unsigned)(x >> 20) % MM_TARIFF_TOU_RATES,
                      x >> 50 & 1 ? 1000u + step : 1000u + (uint32_t)(x >> 44) % 3u);
        else
            expect_prices(i);
    }
    for (uint32_t i = 0; i < N; i++) expect_prices(i);
}

Test(fwstate_prices, meters_with_the_same_prices_share_one_table, .init = setup_prices,
     .fini = teardown)
{
    uint32_t refs;
    for (uint32_t i = 0; i < N; i++) expect_prices(i); /* all zero: no table at all */
    sim_fw_states_settle(&area);
    cr_expect_eq(distinct(&refs), 0);
    cr_expect_eq(sim_fw_states_ptab_bytes(&area), 0);
    /* every meter the same update: one table */
    for (uint32_t i = 0; i < N; i++) set_price(i, 5, 1234);
    sim_fw_states_settle(&area);
    cr_expect_eq(distinct(&refs), 1);
    cr_expect_eq(refs, N);
    cr_expect_eq(sim_fw_states_ptab_bytes(&area), sizeof(sim_ptab));
    /* the next update to half of them: two, and the first back when the rest have it too */
    for (uint32_t i = 0; i < N / 2; i++) set_price(i, 6, 99);
    sim_fw_states_settle(&area);
    cr_expect_eq(distinct(&refs), 2);
    cr_expect_eq(sim_fw_states_ptab_bytes(&area), 2 * sizeof(sim_ptab));
    for (uint32_t i = N / 2; i < N; i++) set_price(i, 6, 99);
    sim_fw_states_settle(&area);
    cr_expect_eq(distinct(&refs), 1, "the table no meter holds is let go");
    cr_expect_eq(sim_fw_states_ptab_bytes(&area), sizeof(sim_ptab));
    for (uint32_t i = 0; i < N; i++) expect_prices(i);
}

Test(fwstate_prices, reading_keeps_no_change, .init = setup_prices, .fini = teardown)
{
    set_price(1, 2, 77);
    sim_fw_states_reach(&area, 2, false);
    sim_fw_states_reach(&area, 1, false);
    /* changed in a reach for reading (the firmware's calls reach for writing): not kept */
    sim_fw_states_prices(&area)->active[3] = 5;
    sim_fw_states_reach(&area, 2, false);
    expect_prices(1);
}

/* ---- with NVM stores ------------------------------------------------------------------- */

#define PAYLOAD 32u
#define BANK (PAYLOAD + MM_PERSIST_OVERHEAD)
#define PERSIST_AT 64u /* where in a state its mm_persist lies, as a firmware keeps it */
static void *pool_block;

static void setup_nvm(void)
{
    setup();
    pool_block = malloc(mm_port_sim_nvm_pool_bytes(BANK));
    cr_assert_not_null(pool_block);
    mm_port_sim_nvm_pool_init(&area.nvm_pool, pool_block, BANK);
    for (uint32_t i = 0; i < N; i++) {
        hh[i].image = 0;
        unsigned char *s = sim_hh_slot(&area, i);
        mm_hal_nvm *nv = &sim_fw_states_hal(&area)->nvm;
        mm_port_sim_nvm_init_banked(nv, 0, BANK, &area.nvm_pool);
        cr_assert_eq(mm_persist_init((mm_persist *)(void *)(s + PERSIST_AT), nv, 0, PAYLOAD, 1),
                     MM_OK);
    }
}

/* Every store's blocks given back, as the area does when it goes; the states, their stores
 * now erased, coded back (so a second time gives back nothing). */
static void release_all(void)
{
    for (uint32_t i = 0; i < N; i++) {
        sim_hh_slot(&area, i);
        mm_port_sim_nvm_release(&sim_fw_states_hal(&area)->nvm);
    }
    sim_fw_states_settle(&area);
}

static void teardown_nvm(void)
{
    release_all();
    teardown();
    free(pool_block);
}

/* Every block given back, the count balances (a test's last step: .fini's do not count). */
static void expect_all_given_back(void)
{
    release_all();
    cr_assert_eq(area.nvm_pool.held, 0, "%lu bytes of blocks not given back",
                 (unsigned long)area.nvm_pool.held);
}

static mm_persist *persist_of(uint32_t i)
{
    return (mm_persist *)(void *)((unsigned char *)sim_hh_slot(&area, i) + PERSIST_AT);
}

static void save(uint32_t i, uint32_t id)
{
    uint32_t w[PAYLOAD / 4];
    for (uint32_t k = 0; k < PAYLOAD / 4; k++) w[k] = id * 2654435761u + i * 97u + k;
    cr_assert_eq(mm_persist_save(persist_of(i), w, sizeof w), MM_OK, "household %u saves", i);
}

/* Household I loads the record ID saved (0: none). */
static void expect_record(uint32_t i, uint32_t id)
{
    uint32_t w[PAYLOAD / 4];
    size_t len = 0;
    int rc = mm_persist_load(persist_of(i), w, sizeof w, &len);
    if (id == 0) {
        cr_assert_eq(rc, MM_ENOENT, "household %u: no record, got %d", i, rc);
        return;
    }
    cr_assert_eq(rc, MM_OK, "household %u: load %d", i, rc);
    cr_assert_eq(len, sizeof w);
    for (uint32_t k = 0; k < PAYLOAD / 4; k++)
        cr_assert_eq(w[k], id * 2654435761u + i * 97u + k, "household %u, record %u, word %u", i,
                     id, k);
}

Test(fwstate_nvm, each_meter_loads_what_it_saved_last_whoever_saved_in_between,
     .init = setup_nvm, .fini = teardown_nvm)
{
    uint32_t last[N] = {0};
    uint64_t x = 2463534242u;
    for (uint32_t step = 1; step <= 4000; step++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t i = (uint32_t)(x % N);
        if (x >> 40 & 1) {
            save(i, step);
            last[i] = step;
        } else {
            expect_record(i, last[i]);
        }
    }
    for (uint32_t i = 0; i < N; i++) expect_record(i, last[i]);
    expect_all_given_back();
}

Test(fwstate_nvm, a_state_that_cannot_be_coded_back_leaves_its_store_erased, .init = setup_nvm,
     .fini = teardown_nvm)
{
    save(0, 1);
    save(1, 2);
    save(0, 3);
    expect_record(1, 2); /* 0's save settled, its state coded back */
    /* 0's state moves far from the reference: its block must grow to be coded back */
    unsigned char *s = sim_hh_slot(&area, 0);
    for (uint32_t b = PERSIST_AT + sizeof(mm_persist); b < BIG; b++)
        s[b] ^= (unsigned char)(b | 1u);
    no_memory = true;
    sim_fw_states_reach(&area, 1, false);
    no_memory = false;
    cr_assert(sim_fw_states_failed(&area));
    /* 0 goes on from its older state, its store's blocks gone: it reads erased */
    expect_record(0, 0);
    save(0, 4);
    expect_record(1, 2);
    expect_record(0, 4);
    expect_all_given_back();
}

/* Persist: two banks, CRC commit word; a power cut after any number of written bytes leaves
 * the old record or the new one, never a mixture. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/persist.h"
#include "mm/status_supply.h"
#include "mm_port_sim.h"

#define LEN 40u

static void fill(uint8_t *b, uint8_t seed)
{
    for (unsigned i = 0; i < LEN; i++)
        b[i] = (uint8_t)(seed * 31u + i);
}

Test(persist, a_fresh_store_has_no_record_and_records_alternate_banks)
{
    uint8_t mem[256], a[LEN], b[LEN], back[LEN];
    size_t n = 0;
    mm_hal_nvm nvm;
    mm_persist p;
    mm_port_sim_nvm_init(&nvm, mem, sizeof mem);
    cr_assert_eq(mm_persist_init(&p, &nvm, 16, LEN, 1), MM_OK);
    cr_expect_eq(mm_persist_load(&p, back, sizeof back, &n), MM_ENOENT);
    fill(a, 1);
    fill(b, 2);
    cr_expect_eq(mm_persist_save(&p, a, LEN), MM_OK);
    cr_expect_eq(p.bank, 0);
    cr_expect_eq(mm_persist_save(&p, b, LEN), MM_OK);
    cr_expect_eq(p.bank, 1);
    mm_persist q;
    mm_persist_init(&q, &nvm, 16, LEN, 1);
    cr_expect_eq(mm_persist_load(&q, back, sizeof back, &n), MM_OK);
    cr_expect_eq(n, LEN);
    cr_expect_arr_eq(back, b, LEN);
    cr_expect_eq(q.seq, 2u);
    mm_persist v2;
    mm_persist_init(&v2, &nvm, 16, LEN, 2);
    cr_expect_eq(mm_persist_load(&v2, back, sizeof back, &n), MM_EVERSION, "other layout version");
    /* a save of that version supersedes it, and the first version no longer reads the store */
    cr_expect_eq(mm_persist_save(&v2, a, LEN), MM_OK);
    cr_expect_eq(v2.seq, 3u);
    cr_expect_eq(mm_persist_load(&q, back, sizeof back, &n), MM_EVERSION, "no roll-back");
    /* damaged records are told from none */
    mem[16 + MM_PERSIST_HEADER_LEN] ^= 1u;
    mem[16 + LEN + MM_PERSIST_OVERHEAD + MM_PERSIST_HEADER_LEN] ^= 1u;
    cr_expect_eq(mm_persist_load(&q, back, sizeof back, &n), MM_ECORRUPT);
    cr_expect_eq(mm_persist_init(&v2, &nvm, 200, LEN, 1), MM_EINVAL, "does not fit");
}

Test(persist, a_cut_at_every_byte_leaves_the_old_or_the_new_record)
{
    const uint64_t total = MM_PERSIST_OVERHEAD + LEN; /* bytes one save writes */
    for (unsigned saves_before = 1; saves_before <= 2; saves_before++) {
        for (uint64_t k = 0; k <= total + 1; k++) {
            uint8_t mem[256], old[LEN], neu[LEN], back[LEN];
            size_t n = 0;
            mm_hal_nvm nvm;
            mm_persist p;
            mm_port_sim_nvm_init(&nvm, mem, sizeof mem);
            mm_persist_init(&p, &nvm, 0, LEN, 1);
            for (unsigned i = 0; i < saves_before; i++) {
                fill(old, (uint8_t)(10 + i));
                cr_assert_eq(mm_persist_save(&p, old, LEN), MM_OK);
            }
            fill(neu, 99);
            mm_port_sim_nvm_cut_after(&nvm, k);
            int rc = mm_persist_save(&p, neu, LEN);
            cr_expect_eq(rc, k >= total ? MM_OK : MM_EIO, "cut after %llu", (unsigned long long)k);
            mm_port_sim_nvm_restore(&nvm);
            mm_persist r; /* RAM lost: a new handle */
            mm_persist_init(&r, &nvm, 0, LEN, 1);
            cr_assert_eq(mm_persist_load(&r, back, sizeof back, &n), MM_OK);
            cr_expect_arr_eq(back, k >= total ? neu : old, LEN, "cut after %llu",
                             (unsigned long long)k);
            /* and the next save after recovery commits */
            cr_expect_eq(mm_persist_save(&r, neu, LEN), MM_OK);
            mm_persist r2;
            mm_persist_init(&r2, &nvm, 0, LEN, 1);
            cr_expect_eq(mm_persist_load(&r2, back, sizeof back, &n), MM_OK);
            cr_expect_arr_eq(back, neu, LEN);
        }
    }
}

Test(persist, sequence_numbers_compare_across_the_wrap)
{
    uint8_t mem[256], a[LEN], back[LEN];
    size_t n;
    mm_hal_nvm nvm;
    mm_persist p;
    mm_port_sim_nvm_init(&nvm, mem, sizeof mem);
    mm_persist_init(&p, &nvm, 0, LEN, 1);
    fill(a, 1);
    mm_persist_save(&p, a, LEN);
    p.seq = UINT32_MAX - 1u;     /* pretend a long life */
    mm_persist_save(&p, a, LEN); /* bank 1, seq 2^32 - 1 */
    fill(a, 2);
    mm_persist_save(&p, a, LEN); /* bank 0, seq 0 (wrapped) */
    mm_persist r;
    mm_persist_init(&r, &nvm, 0, LEN, 1);
    cr_assert_eq(mm_persist_load(&r, back, sizeof back, &n), MM_OK);
    cr_expect_eq(r.seq, 0u);
    cr_expect_arr_eq(back, a, LEN);
}

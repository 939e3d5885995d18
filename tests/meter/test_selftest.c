/* Self-tests: the core's own checks pass, and the HAL check catches a broken port
 * (clock running backwards, a stuck random source, an NVM that loses power mid-write). */
#include <criterion/criterion.h>

#include "mm/selftest.h"
#include "mm_port_sim.h"

Test(selftest, the_core_selftest_passes)
{
    cr_expect_eq(mm_selftest(), MM_OK, "%s", mm_strerror(mm_selftest()));
}

struct hal {
    mm_hal_clock clk;
    mm_hal_rng rng;
    mm_hal_nvm nvm;
    uint8_t mem[64];
};

static void hal_init(struct hal *h)
{
    mm_port_sim_clock_init(&h->clk, 1700000000u);
    mm_port_sim_rng_init_seed(&h->rng, 42u);
    mm_port_sim_nvm_init(&h->nvm, h->mem, sizeof h->mem);
}

Test(selftest, the_hal_selftest_passes_on_the_simulator_port_and_leaves_a_valid_record)
{
    struct hal h;
    hal_init(&h);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_OK);
    cr_expect_eq(h.nvm.writes, 1u);
    cr_expect_neq(h.mem[MM_NVM_SELFTEST_ADDR], 0xFF, "scratch cell written (p = 1/256 false)");
}

static int stuck(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x55, len);
    return 0;
}

static int failing(void *ctx, void *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return -1;
}

Test(selftest, a_stuck_random_source_is_reported)
{
    struct hal h;
    hal_init(&h);
    mm_port_sim_rng_init_fn(&h.rng, stuck, NULL);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_ESELF_RNG);
    mm_port_sim_rng_init_fn(&h.rng, failing, NULL);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_EIO);
}

Test(selftest, a_power_cut_during_the_nvm_write_is_reported)
{
    struct hal h;
    hal_init(&h);
    mm_port_sim_nvm_cut_after(&h.nvm, 5u);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_EIO);
    mm_port_sim_nvm_restore(&h.nvm);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_OK);
}

Test(selftest, an_nvm_smaller_than_the_scratch_cell_or_a_null_handle_is_rejected)
{
    struct hal h;
    hal_init(&h);
    mm_port_sim_nvm_init(&h.nvm, h.mem, MM_NVM_SELFTEST_LEN - 1u);
    cr_expect_eq(mm_selftest_hal(&h.clk, &h.rng, &h.nvm), MM_EINVAL);
    cr_expect_eq(mm_selftest_hal(NULL, &h.rng, &h.nvm), MM_EINVAL);
}

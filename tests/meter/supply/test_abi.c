/* The ABI table of a firmware build, built twice: against mm_core (SMETS2) and against
 * mm_core_smets1 (MM_PROFILE_SMETS1=1 comes with that library).  Both expose their build id
 * and ABI version, and behave differently where mm_config.h documents it. */
#include <criterion/criterion.h>
#include <stdalign.h>

#include "fixture.h"
#include "mm/abi.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"
#include "mm/version.h"

Test(abi, the_table_names_its_build_and_version)
{
    const mm_abi *abi = mm_abi_get();
    cr_assert_not_null(abi);
    cr_expect_eq(abi->abi_version, MM_ABI_VERSION);
    cr_expect_eq(abi->table_size, sizeof(mm_abi));
    cr_expect_eq(abi->state_size, sizeof(mm_esme));
    cr_expect_str_eq(abi->version(), mm_build_id());
    const char *suffix = MM_PROFILE_SMETS1 ? "/smets1" : "/smets2";
    size_t n = strlen(abi->version());
    cr_expect(n > 7 && strcmp(abi->version() + n - 7, suffix) == 0, "%s", abi->version());
    cr_expect_eq(abi->profile, MM_PROFILE_SMETS1 ? MM_ABI_PROFILE_SMETS1 : MM_ABI_PROFILE_SMETS2);
}

Test(abi, a_meter_runs_through_the_table_with_opaque_state)
{
    const mm_abi *abi = mm_abi_get();
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    void *state = aligned_alloc(abi->state_align, (abi->state_size + abi->state_align - 1) /
                                                      abi->state_align * abi->state_align);
    cr_assert_eq(abi->init(state, &f->cfg, &f->hal, &f->st), MM_OK);
    f->sim_ms += 1800000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    abi->advance(state, 2000000, 500000, 1800000u);
    cr_expect_eq(abi->next_boundary(state), T0 + 3600u);
    abi->hh_close(state);
    mm_esme_snapshot s;
    abi->snapshot(state, &s);
    cr_expect_eq(s.reg[MM_CH_IMPORT], 1000u);
    cr_expect_eq(s.reg[MM_CH_RIMPORT], 250u);
    cr_expect_eq(s.now, T0 + 1800u);
    cr_expect_eq(s.cost_total, 1000 * 2 * 1000000, "1000 Wh at 0.02 p = 20 p in 1e-8 p");

    /* the documented difference: a critical command without a signature */
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len;
    mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, 1, MM_CMD_SUPPLY_DISABLE, NULL, 0,
                          false, true, frame, sizeof frame, &len);
    int rc = abi->command(state, frame, len, NULL, 0, NULL);
    abi->snapshot(state, &s);
    if (MM_PROFILE_SMETS1) {
        cr_expect_eq(rc, MM_OK);
        cr_expect_eq(s.supply, MM_SUPPLY_DISCONNECTED);
    } else {
        cr_expect_eq(rc, MM_EAUTH);
        cr_expect_eq(s.supply, MM_SUPPLY_CONNECTED);
    }

    /* and the second: restore alerts are sent at once on SMETS2, only logged on SMETS1 */
    cr_expect_eq(abi->power_fail(state), MM_OK);
    f->sim_ms += 240000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    cr_expect_eq(abi->power_restore(state), MM_OK);
    abi->snapshot(state, &s);
    f->sim_ms += 300000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    abi->advance(state, 0, 0, 300000u);
    mm_event ev;
    int got = 0;
    while (abi->next_alert(state, &ev) == MM_OK)
        got += ev.code == MM_ALERT_SUPPLY_RESTORED_LONG;
    cr_expect_eq(got, MM_PROFILE_SMETS1 ? 0 : 1);
    abi->deinit(state);
    free(state);
    fixture_free(f);
}

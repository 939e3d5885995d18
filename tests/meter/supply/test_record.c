/* The ESME's NVM record byte for byte (ESME_RECORD in models/meter/src/esme.c; pack() and
 * unpack() are generated from that one list).  A meter in the field restores the record
 * written by the firmware it ran before an update, so its layout is an interface: a field that
 * changes width, moves, or changes encoding must be a deliberate change that bumps
 * MM_ESME_RECORD_VERSION, never a side effect of a refactor.  The round-trip tests elsewhere
 * (test_esme.c, test_persist.c) cannot see such a change, because the same build writes and
 * reads.  So a meter is driven through the public API into a state where almost every field
 * of the record holds a value of its own, and the record it writes at a power failure is
 * compared with bytes committed below.
 *
 * To regenerate GOLDEN after an intended layout change: bump MM_ESME_RECORD_VERSION (and
 * GOLDEN_VERSION below to match), build, and run
 *     build/tests/meter/supply/test_supply_record
 * The failing test prints the record it read as the body of GOLDEN on stderr: paste it over
 * the table, and check in the diff that only the fields you meant to change moved. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/persist.h"
#include "mm/status_supply.h"

/* The layout GOLDEN was taken with: a version bump without a new table fails here first. */
#define GOLDEN_VERSION 1u

/* clang-format off */
static const uint8_t GOLDEN[] = {
    /* 0x000 */ 0x1d, 0x0b, 0x92, 0x65, 0x01, 0x03, 0x02, 0x01, 0x00, 0xb1, 0x4d, 0x27,
    /* 0x00c */ 0x01, 0x00, 0x00, 0x00, 0x00, 0xcc, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x018 */ 0x00, 0x40, 0x38, 0x4d, 0x6c, 0x62, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x024 */ 0x00, 0xaf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46, 0xc3,
    /* 0x030 */ 0x23, 0x29, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x95, 0x00, 0x00,
    /* 0x03c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x38, 0xf5, 0x7e, 0x8d, 0x00, 0x00,
    /* 0x048 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x054 */ 0x00, 0x00, 0xa3, 0xe1, 0x11, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x060 */ 0x00, 0x11, 0x72, 0x0e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    /* 0x06c */ 0x00, 0x7c, 0x73, 0x1a, 0x00, 0x10, 0x72, 0x0e, 0x00, 0x01, 0x01, 0x01,
    /* 0x078 */ 0x32, 0x92, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaa, 0x9a, 0x00, 0x00,
    /* 0x084 */ 0x00, 0x00, 0x00, 0x00, 0x68, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x090 */ 0xa9, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x3a, 0x00, 0x00,
    /* 0x09c */ 0x00, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x00, 0x00, 0x34, 0x56, 0x2b, 0x00,
    /* 0x0a8 */ 0x23, 0xe4, 0x1c, 0x00, 0x1d, 0x0b, 0x92, 0x65, 0x04, 0x00, 0x00, 0x00,
    /* 0x0b4 */ 0x02, 0x00, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x0c0 */ 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x28,
    /* 0x0cc */ 0x23, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x08, 0x07, 0x00, 0x00, 0x00,
    /* 0x0d8 */ 0x00, 0x00, 0x00, 0x05, 0x00, 0x05, 0x00, 0x02, 0x00, 0x05, 0x00, 0x00,
    /* 0x0e4 */ 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x52, 0x93,
    /* 0x0f0 */ 0x65, 0xcc, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0xba, 0x60,
    /* 0x0fc */ 0x81, 0x00, 0x00, 0x00, 0x00, 0xf1, 0x67, 0xef, 0x06, 0x00, 0x00, 0x00,
    /* 0x108 */ 0x00, 0x31, 0x22, 0x50, 0x88, 0x00, 0x00, 0x00, 0x00, 0x40, 0x38, 0x4d,
    /* 0x114 */ 0x6c, 0x6a, 0x00, 0x00, 0x00, 0x9a, 0x02, 0x00, 0x00, 0xc8, 0x00, 0x00,
    /* 0x120 */ 0x00, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x12c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x138 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x144 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x150 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x15c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x168 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x174 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x180 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x18c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x198 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1a4 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1b0 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1bc */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1c8 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1d4 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00,
    /* 0x1e0 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1ec */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x1f8 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x204 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x210 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x21c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x228 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x234 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x240 */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x24c */ 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 0x258 */ 0x00,
};
/* clang-format on */

/* Time of use with block pricing (so that the TOU, block and standing registers all move):
 * rate 0 from 00:00, rate 1 with block price set 0 from 00:20 (hybrid), rate 2 from 00:40;
 * block price set 0: 1 p/kWh below 100 Wh in a 10-minute block period, 2 p above; standing
 * charge 37 p/day.  Every price differs, so every register gets a value of its own. */
static void tou_block_tariff(mm_tariff_def *d)
{
    flat_tariff(d, 7, 20);
    d->standing_charge = 37;
    d->block_period_min = 10;
    d->block_period_start = T0;
    d->tou_price[1] = 24;
    d->tou_price[2] = 31;
    d->price_set[0].n_thresholds = 1;
    d->price_set[0].threshold_wh[0] = 100;
    d->price_set[0].price[0] = 1;
    d->price_set[0].price[1] = 2;
    d->day[0].n = 3;
    d->day[0].sw[1] = (mm_tariff_switch){20, 1, 0};
    d->day[0].sw[2] = (mm_tariff_switch){40, 2, MM_TARIFF_NONE};
}

/* P [W] and Q [var] for DT_S seconds, the HAL clock first (fixture.h's run() has no Q). */
static void drive(fixture *f, int32_t p_w, int32_t q_var, uint32_t dt_s)
{
    f->sim_ms += (uint64_t)dt_s * 1000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    mm_esme_advance(&f->e, p_w * 1000, q_var * 1000, dt_s * 1000u);
}

/* A command from the network operator (fixture.h's send() is the supplier's). */
static int send_network(fixture *f, uint64_t counter, uint16_t id, const void *pl, uint16_t n)
{
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    int rc = mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_NETWORK, counter, id, pl, n, false,
                                   true, frame, sizeof frame, &len);
    return rc != MM_OK ? rc : mm_esme_command(&f->e, frame, len, NULL, 0, NULL);
}

/* The known state: a prepayment meter on the tariff above, commissioned at T0 with 3 pounds
 * and emergency credit on offer, three debts being recovered, a load limit, tariff 2 pending
 * for tomorrow, 45 min of import and export (active and reactive, in amounts that leave
 * remainders) across a half-hour close, two keypad top-ups out of counter order (events, one
 * of them an alert), the supply disabled remotely, and a power failure at T0 + 45:17, which writes
 * the record.  Every step must succeed: one that silently failed would leave its fields at zero,
 * and a field that is zero, like its neighbour, cannot show that the two swapped places. */
static fixture *known_state(void)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    tou_block_tariff(&f->tariff);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 300000;
    f->cfg.fw_version = 0x00010203u;
    mm_prepay_config *pc = &f->cfg.prepay;
    pc->low_credit = 600000; /* stays below it: the alert is logged and still unsent */
    pc->ec_threshold = 1000000;
    pc->ec_limit = 50000;
    pc->time_debt[0] = (mm_time_debt_config){100, 600};
    pc->time_debt[1] = (mm_time_debt_config){70, 900};
    pc->payment_debt_percent = 10;
    pc->payment_debt_cap = 15000;
    pc->payment_debt_cap_period_s = 604800;
    cr_assert_eq(fixture_start(f), MM_OK);

    uint8_t debt[9] = {MM_DEBT_PAYMENT, 0, 0, 0, 0, 0, 0, 0x9C, 0x41}; /* 40001 units */
    cr_assert_eq(send(f, 5, MM_CMD_SET_DEBT, debt, 9, false, true), MM_OK);
    debt[0] = MM_DEBT_TIME_1;
    debt[8] = 0x3A;
    cr_assert_eq(send(f, 6, MM_CMD_SET_DEBT, debt, 9, false, true), MM_OK);
    debt[0] = MM_DEBT_TIME_2;
    debt[7] = 0x20;
    cr_assert_eq(send(f, 7, MM_CMD_SET_DEBT, debt, 9, false, true), MM_OK);
    uint8_t tp[8];
    put_be32(tp, 2);
    put_be32(tp + 4, T0 + 86400u);
    cr_assert_eq(send(f, 8, MM_CMD_SET_TARIFF, tp, 8, false, true), MM_OK);
    uint8_t ll[12];
    put_be32(ll, 9000);     /* threshold [W]: above anything driven below */
    put_be32(ll + 4, 120);  /* over it for 2 min opens the supply */
    put_be32(ll + 8, 1800); /* restored after 30 min */
    cr_assert_eq(send_network(f, 3, MM_CMD_SET_LOAD_LIMIT, ll, 12), MM_OK);

    drive(f, 2000, 300, 1200); /* to 00:20 */
    drive(f, -500, -71, 300);  /* export to 00:25 */
    drive(f, 2401, 500, 300);  /* to 00:30 */
    mm_esme_hh_close(&f->e);
    drive(f, -801, -151, 600); /* export to 00:40 */
    drive(f, 1201, 90, 317);   /* to 00:45:17 */

    char utrn[21];
    cr_assert_eq(
        mm_port_sim_utrn(&f->crypto, SUPPLIER_ID, DEV_ID, 4, MM_UTRN_POUNDS, 2, true, utrn), MM_OK);
    cr_assert_eq(mm_esme_utrn_enter(&f->e, utrn, 20), MM_OK);
    cr_assert_eq(
        mm_port_sim_utrn(&f->crypto, SUPPLIER_ID, DEV_ID, 2, MM_UTRN_POUNDS, 1, true, utrn), MM_OK);
    cr_assert_eq(mm_esme_utrn_enter(&f->e, utrn, 20), MM_OK, "a token bought earlier");
    cr_assert_eq(count_events(&f->e, MM_ALERT_CREDIT_ADDED_LOCALLY), 2);
    cr_assert_eq(send(f, 9, MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true), MM_OK);
    cr_assert_eq(f->e.powered, 1);
    return f;
}

/* The newest record in F's NVM, read as the firmware reads it at power-up. */
static size_t read_record(fixture *f, uint8_t *buf, size_t cap)
{
    mm_persist p;
    size_t n = 0;
    cr_assert_eq(
        mm_persist_init(&p, &f->nvm, f->cfg.nvm_addr, MM_ESME_RECORD_MAX, MM_ESME_RECORD_VERSION),
        MM_OK);
    cr_assert_eq(mm_persist_load(&p, buf, cap, &n), MM_OK);
    return n;
}

/* BUF as the body of GOLDEN, for the regeneration described above. */
static void print_table(const uint8_t *buf, size_t n)
{
    fprintf(stderr, "test_record: the record read (%zu bytes), as the body of GOLDEN:\n", n);
    for (size_t i = 0; i < n; i += 12) {
        fprintf(stderr, "    /* 0x%03zx */", i);
        for (size_t k = i; k < n && k < i + 12; k++)
            fprintf(stderr, " 0x%02x,", buf[k]);
        fputc('\n', stderr);
    }
}

Test(record, a_power_failure_writes_the_committed_bytes)
{
    cr_assert_eq(MM_ESME_RECORD_VERSION, GOLDEN_VERSION,
                 "the layout version moved: regenerate GOLDEN (see the top of this file)");
    fixture *f = known_state();
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
    uint8_t buf[MM_ESME_RECORD_MAX];
    size_t n = read_record(f, buf, sizeof buf);
    bool same = n == sizeof GOLDEN && memcmp(buf, GOLDEN, n) == 0;
    if (!same) {
        print_table(buf, n);
        size_t k = 0;
        while (k < n && k < sizeof GOLDEN && buf[k] == GOLDEN[k])
            k++;
        cr_expect_eq(n, sizeof GOLDEN, "record length");
        cr_expect(same, "first difference at byte %zu (0x%03zx)", k, k);
    }
    fixture_free(f);
}

/* The record brings the meter back: after the restore the snapshot is the one before the
 * failure, except what the restore itself adds (the interruption and restoration events, the
 * second of them a WAN alert, and the dither before it may leave) and the instantaneous
 * demand, which waits for the next advance. */
Test(record, a_power_restore_recovers_the_snapshot)
{
    fixture *f = known_state();
    mm_esme_snapshot before, after;
    mm_esme_snapshot_get(&f->e, &before);
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
    /* RAM is gone (the configuration, HAL and storage handles are the board's) */
    memset((uint8_t *)&f->e + offsetof(mm_esme, meter), 0xA5,
           sizeof f->e - offsetof(mm_esme, meter));
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
    mm_esme_snapshot_get(&f->e, &after);
    mm_esme_snapshot want = before;
    want.demand_mw = 0;
    want.events_total += 2;
    want.alerts_unsent = (uint16_t)(want.alerts_unsent + 1u);
    cr_expect(after.wan_ready_at >= after.now && after.wan_ready_at <= after.now + 300u);
    want.wan_ready_at = after.wan_ready_at;
    cr_expect_eq(after.now, want.now);
    cr_expect_eq(after.period, want.period);
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
        cr_expect_eq(after.reg[ch], want.reg[ch], "register %u", ch);
    cr_expect_eq(after.balance, want.balance);
    cr_expect_eq(after.available, want.available);
    for (unsigned i = 0; i < MM_DEBT_COUNT; i++)
        cr_expect_eq(after.debt[i], want.debt[i], "debt %u", i);
    cr_expect_eq(after.cost_total, want.cost_total);
    cr_expect_eq(after.events_total, want.events_total);
    cr_expect_eq(after.alerts_unsent, want.alerts_unsent);
    cr_expect_eq(after.fw_version, want.fw_version);
    /* and every other field (supply, mode, emergency credit, switches, powered) */
    cr_expect_eq(memcmp(&after, &want, sizeof want), 0, "snapshot");
    fixture_free(f);
}

/* A restore that finds the newest record unusable (here of a layout this build cannot read)
 * commissions the meter afresh and saves over that record's sequence, not from 1 again: else
 * an older record still in the other bank would be the newest to the next restore, and the
 * meter would come back with its registers of before the new commissioning. */
Test(record, a_meter_commissioned_afresh_at_a_restore_never_returns_to_an_older_record)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    for (int k = 0; k < 4 && f->e.persist.bank != 0; k++) {
        run(f, 2000, 1800);
        mm_esme_hh_close(&f->e);
    }
    run(f, 2000, 600);
    cr_assert_eq(f->e.persist.bank, 0);
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK); /* its newest record: bank 1 */
    mm_esme_snapshot s;
    mm_esme_snapshot_get(&f->e, &s);
    cr_assert_gt(s.reg[MM_CH_IMPORT], 0u);
    /* then one of another layout version in bank 0 */
    unsigned bank;
    cr_assert_eq(fixture_save_as_version(f, MM_ESME_RECORD_VERSION + 1u, &bank), MM_OK);
    cr_assert_eq(bank, 0);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_ENOENT, "commissioned afresh");
    mm_esme_snapshot_get(&f->e, &s);
    cr_assert_eq(s.reg[MM_CH_IMPORT], 0u);
    /* a power failure whose save writes nothing, and power back */
    mm_port_sim_nvm_cut_after(&f->nvm, 0);
    cr_expect_eq(mm_esme_power_fail(&f->e), MM_EIO);
    mm_port_sim_nvm_restore(&f->nvm);
    int rc = mm_esme_power_restore(&f->e);
    mm_esme_snapshot_get(&f->e, &s);
    cr_expect_eq(rc, MM_OK, "the new commissioning's record");
    cr_expect_eq(s.reg[MM_CH_IMPORT], 0u, "not the registers of before it");
    fixture_free(f);
}

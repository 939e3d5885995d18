/* The ESME composite: prepayment running out under a real tariff at a computable minute,
 * friendly periods, top-ups through the keypad, power cuts at every byte of the NVM record,
 * outage alerts and the restore dither, chunk invariance. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"

static uint32_t when(const fixture *f, uint16_t code)
{
    mm_event ev;
    return mm_event_log_find(&f->e.log, code, &ev) == MM_OK ? ev.time : 0;
}

/* 3 kW at 20 p/kWh costs 1 p (1000 units) a minute; from 30 p the balance after minute k is
 * 30000 - 1000 k, below zero first at k = 31: the supply opens at T0 + 31 min, not before,
 * and no energy is metered after it (31 min x 3 kW = 1550 Wh). */
Test(esme, prepayment_runs_out_at_the_computed_minute)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 30000;
    f->cfg.prepay.low_credit = 10000;
    cr_assert_eq(fixture_start(f), MM_OK);
    run(f, 3000, 3600); /* one call for the whole hour: the meter splits it itself */
    cr_expect_eq(when(f, MM_ALERT_CREDIT_BELOW_DISABLEMENT), T0 + 31u * 60u);
    cr_expect_eq(when(f, MM_ALERT_LOW_CREDIT), T0 + 21u * 60u, "9000 < 10000 after minute 21");
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_DISCONNECTED);
    cr_expect_eq(mm_meter_register(&f->e.meter, MM_CH_IMPORT), 1550u);
    cr_expect_eq(f->e.prepay.balance, -1000);
    /* a keypad top-up of 1 pound arms the supply; the button closes it */
    char utrn[21];
    cr_assert_eq(
        mm_port_sim_utrn(&f->crypto, SUPPLIER_ID, DEV_ID, 1, MM_UTRN_POUNDS, 1, true, utrn), MM_OK);
    cr_expect_eq(mm_esme_utrn_enter(&f->e, utrn, 20), MM_OK);
    cr_expect_eq(f->e.prepay.balance, 99000);
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_ARMED);
    cr_expect_eq(count_events(&f->e, MM_ALERT_CREDIT_ADDED_LOCALLY), 1);
    cr_expect_eq(mm_esme_button(&f->e), MM_OK);
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_CONNECTED);
    cr_expect_eq(mm_esme_utrn_enter(&f->e, utrn, 20), MM_EREPLAY);
    fixture_free(f);
}

/* Friendly period 00:00-01:00 every day: the credit that ran out at 00:31 above lasts until
 * 01:00; 60 min x 3 kW = 3000 Wh are metered. */
Test(esme, a_friendly_period_keeps_the_supply_on_until_it_ends)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 30000;
    f->cfg.prepay.friendly[0] = (mm_friendly_period){.days = 0x7F, .start_min = 0, .end_min = 60};
    cr_assert_eq(fixture_start(f), MM_OK);
    for (int i = 0; i < 120; i++)
        run(f, 3000, 60);
    cr_expect_eq(when(f, MM_ALERT_DISABLEMENT_SUSPENDED), T0 + 31u * 60u);
    cr_expect_eq(when(f, MM_ALERT_CREDIT_BELOW_DISABLEMENT), T0 + 3600u);
    cr_expect_eq(mm_meter_register(&f->e.meter, MM_CH_IMPORT), 3000u);
    cr_expect_eq(f->e.prepay.balance, 30000 - 60000);
    fixture_free(f);
}

/* Registers and cost do not depend on how the caller chops time (1 s, 7 s, 1 call). */
Test(esme, any_split_of_the_interval_gives_the_same_registers_credit_and_events)
{
    static const uint32_t steps[] = {1, 7, 60, 5400};
    mm_esme_snapshot ref;
    mm_uj_t ref_rem = 0;
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
        f->cfg.initial_mode = MM_MODE_PREPAYMENT;
        f->cfg.initial_credit = 45678;
        f->cfg.contactor.load_limit = (mm_load_limit){5000, 90, 120};
        cr_assert_eq(fixture_start(f), MM_OK);
        for (uint32_t t = 0; t < 5400; t += steps[k])
            run(f, 2345, steps[k]);
        mm_esme_snapshot s;
        mm_esme_snapshot_get(&f->e, &s);
        if (k == 0) ref = s, ref_rem = f->e.meter.reg[MM_CH_IMPORT].remainder;
        cr_expect_eq(s.reg[MM_CH_IMPORT], ref.reg[MM_CH_IMPORT], "step %u", steps[k]);
        cr_expect_eq(f->e.meter.reg[MM_CH_IMPORT].remainder, ref_rem, "step %u", steps[k]);
        cr_expect_eq(s.balance, ref.balance, "step %u", steps[k]);
        cr_expect_eq(s.cost_total, ref.cost_total, "step %u", steps[k]);
        cr_expect_eq(s.events_total, ref.events_total, "step %u", steps[k]);
        /* 45678 units pay for 2283 whole Wh at 20 units; Wh 2284 is reached after
         * 2284 x 3600 / 2345 = 3506.4 s, in minute 59, so the check at its end cuts */
        cr_expect_eq(when(f, MM_ALERT_CREDIT_BELOW_DISABLEMENT), T0 + 59u * 60u, "step %u",
                     steps[k]);
        fixture_free(f);
    }
}

/* A half-hour at 1 kW (500 Wh) is committed at the close; 10 more minutes (166 Wh and 2/3)
 * are in the power-fail save.  Cut that save after every byte: the meter comes back with
 * either record exactly, and the next 6 minutes add exactly 100 Wh to it. */
Test(esme, a_power_cut_at_any_byte_of_the_save_loses_or_doubles_nothing)
{
    const uint64_t record_bytes = 12u + MM_ESME_RECORD_MAX + 4u; /* upper bound */
    unsigned old_seen = 0, new_seen = 0;
    for (uint64_t k = 0; k <= record_bytes; k++) {
        fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
        cr_assert_eq(fixture_start(f), MM_OK);
        run(f, 1000, 1800);
        mm_esme_hh_close(&f->e);
        run(f, 1000, 600);
        mm_port_sim_nvm_cut_after(&f->nvm, k);
        int rc = mm_esme_power_fail(&f->e);
        mm_port_sim_nvm_restore(&f->nvm);
        memset(&f->e.meter.reg, 0xA5, sizeof f->e.meter.reg); /* RAM is gone anyway */
        f->sim_ms += 300000u;                                 /* 5 minutes off */
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK, "k=%llu", (unsigned long long)k);
        mm_wh_t imp = mm_meter_register(&f->e.meter, MM_CH_IMPORT);
        mm_uj_t rem = f->e.meter.reg[MM_CH_IMPORT].remainder;
        mm_event ev;
        cr_assert_eq(mm_event_log_find(&f->e.log, MM_ALERT_SUPPLY_RESTORED_LONG, &ev), MM_OK);
        if (rc == MM_OK) {
            new_seen++;
            cr_expect_eq(imp, 666u, "k=%llu", (unsigned long long)k);
            cr_expect_eq(rem, 2400000000, "2/3 Wh carried");
            cr_expect_eq(ev.value, 300, "outage from the power-fail save");
        } else {
            cr_expect(imp == 500u || imp == 666u, "k=%llu: %llu", (unsigned long long)k,
                      (unsigned long long)imp);
            if (imp == 666u) {
                new_seen++; /* CRC complete, sync refused: committed anyway */
            } else {
                old_seen++;
                cr_expect_eq(rem, 0);
                cr_expect_eq(ev.value, 900);
            }
        }
        mm_wh_t before = imp;
        run(f, 1000, 360);
        cr_expect_eq(mm_meter_register(&f->e.meter, MM_CH_IMPORT), before + 100u);
        cr_expect_eq(f->e.meter.reg[MM_CH_IMPORT].remainder, rem);
        fixture_free(f);
    }
    cr_expect_gt(old_seen, 500u);
    cr_expect_gt(new_seen, 0u);
}

/* After a restore no alert leaves before the dither delay, drawn uniformly in [0, 300] s
 * (seed 003): over 400 meters all delays are in range and their mean is within
 * 4 standard errors of 150 s (300/sqrt(12)/sqrt(400) = 4.3 s). */
Test(esme, restore_alerts_wait_for_a_uniform_dither_delay)
{
    double sum = 0;
    uint32_t lo = 300, hi = 0;
    for (unsigned i = 0; i < 400; i++) {
        fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
        mm_port_sim_rng_init_seed(&f->rng, 5000u + i);
        cr_assert_eq(fixture_start(f), MM_OK);
        run(f, 500, 60);
        mm_esme_power_fail(&f->e);
        f->sim_ms += 60000u; /* 1 minute: short outage, 0x8F35 */
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
        uint32_t d = f->e.wan_ready_at - f->e.now;
        sum += d;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        mm_event ev;
        if (d > 0) cr_expect_eq(mm_esme_next_alert(&f->e, &ev), MM_ENOENT, "held back");
        run(f, 500, d);
        cr_assert_eq(mm_esme_next_alert(&f->e, &ev), MM_OK);
        cr_expect_eq(ev.code, MM_ALERT_SUPPLY_RESTORED, "%#x", ev.code);
        cr_expect_eq(ev.value, 60);
        fixture_free(f);
    }
    double mean = sum / 400.0;
    cr_expect(mean > 150.0 - 17.3 && mean < 150.0 + 17.3, "mean %.1f", mean);
    cr_expect_leq(hi, 300u);
}

Test(esme, a_zero_window_sends_at_once_and_the_same_seed_gives_the_same_delay)
{
    uint32_t delay[2];
    for (int i = 0; i < 2; i++) {
        fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
        cr_assert_eq(fixture_start(f), MM_OK);
        mm_esme_power_fail(&f->e);
        f->sim_ms += 1000u;
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        mm_esme_power_restore(&f->e);
        delay[i] = f->e.wan_ready_at - f->e.now;
        fixture_free(f);
    }
    cr_expect_eq(delay[0], delay[1]);
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.dither_window_s = 0;
    cr_assert_eq(fixture_start(f), MM_OK);
    mm_esme_power_fail(&f->e);
    mm_esme_power_restore(&f->e);
    cr_expect_eq(f->e.wan_ready_at, f->e.now);
    fixture_free(f);
}

Test(esme, credit_debts_and_counters_survive_a_power_cut)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 500000;
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t debt[9] = {MM_DEBT_PAYMENT, 0, 0, 0, 0, 0, 0, 0x27, 0x10}; /* 10000 units */
    cr_expect_eq(send(f, 41, MM_CMD_SET_DEBT, debt, 9, false, true), MM_OK);
    run(f, 1500, 600);
    mm_esme_snapshot before, after;
    mm_esme_snapshot_get(&f->e, &before);
    mm_esme_power_fail(&f->e);
    mm_esme_power_restore(&f->e);
    mm_esme_snapshot_get(&f->e, &after);
    cr_expect_eq(after.balance, before.balance);
    cr_expect_eq(after.debt[MM_DEBT_PAYMENT], 10000);
    cr_expect_eq(after.cost_total, before.cost_total);
    cr_expect_eq(after.reg[MM_CH_IMPORT], before.reg[MM_CH_IMPORT]);
    cr_expect_eq(send(f, 41, MM_CMD_SUPPLY_ARM, NULL, 0, false, true), MM_EREPLAY,
                 "the counter survived too");
    fixture_free(f);
}

/* ---- durable commands (esme.h: durable before effect) ---- */

/* 40 minutes at 1 kW, the first half-hour closed: a record to fall back to. */
static fixture *running_meter(void)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    run(f, 1000, 1800);
    mm_esme_hh_close(&f->e);
    run(f, 1000, 600);
    return f;
}

/* The supplier's signed supply disable under COUNTER into FRAME (MM_CMD_FRAME_MAX bytes); its
 * length. */
static size_t disable_frame(fixture *f, uint64_t counter, uint8_t *frame)
{
    size_t len = 0;
    cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, counter,
                                       MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true, frame,
                                       MM_CMD_FRAME_MAX, &len),
                 MM_OK);
    return len;
}

static int take(fixture *f, const uint8_t *frame, size_t len)
{
    return mm_esme_command(&f->e, frame, len, NULL, 0, NULL);
}

/* A signed supply disable commits its counter before the contactor opens and the open
 * contactor after.  Cut after every byte of those two saves and of the power-fail save that
 * follows them (a cut stops every later write), restore, and replay the frame: whenever the
 * disable took effect the replay is refused, and the disable never takes effect twice.  A cut
 * in the first save refuses the command (nothing done: the frame may come again), one in the
 * second loses the open contactor but not the counter (the head-end sends a new disable), one
 * in the power-fail save loses nothing of it. */
Test(esme, a_disable_cut_at_any_byte_of_the_saves_is_never_taken_twice)
{
    uint8_t frame[MM_CMD_FRAME_MAX];
    fixture *f = running_meter();
    size_t len = disable_frame(f, 100, frame);
    nvm_count(f);
    cr_assert_eq(take(f, frame, len), MM_OK);
    uint64_t cmd_bytes = nvm_written(f);
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
    uint64_t all = nvm_written(f);
    cr_assert_eq(cmd_bytes, 2u * (all - cmd_bytes), "two records of a power-fail save's size");
    fixture_free(f);
    unsigned cases = 0, refused = 0, taken_later = 0, effect_lost = 0, kept = 0;
    for (uint64_t k = 0; k <= all; k++, cases++) {
        unsigned long long kk = (unsigned long long)k;
        f = running_meter();
        mm_port_sim_nvm_cut_after(&f->nvm, k);
        int rc = take(f, frame, len);
        cr_expect(rc == MM_OK || rc == MM_EIO, "k=%llu: %s", kk, mm_strerror(rc));
        bool took = rc == MM_OK;
        cr_expect_eq(f->e.contactor.state, took ? MM_SUPPLY_DISCONNECTED : MM_SUPPLY_CONNECTED,
                     "k=%llu", kk);
        cr_expect_eq(take(f, frame, len), MM_EREPLAY, "k=%llu: consumed in RAM", kk);
        (void)mm_esme_power_fail(&f->e);
        mm_port_sim_nvm_restore(&f->nvm);
        f->sim_ms += 60000u;
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK, "k=%llu", kk);
        bool open = f->e.contactor.state == MM_SUPPLY_DISCONNECTED;
        int again = take(f, frame, len);
        cr_expect(!took || again == MM_EREPLAY, "k=%llu: the disable taken twice", kk);
        if (!took) {
            cr_expect(!open, "k=%llu", kk);
            if (again == MM_OK) {
                taken_later++; /* its first and only effect */
                cr_expect_eq(f->e.contactor.state, MM_SUPPLY_DISCONNECTED);
            } else {
                refused++; /* what the cut left of the commit word checks: committed */
            }
        } else if (open) {
            kept++;
        } else {
            effect_lost++;
            cr_expect_eq(send(f, 101, MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true), MM_OK,
                         "k=%llu: a new disable", kk);
        }
        fixture_free(f);
    }
    cr_log_info("%u cuts: %u refused and taken on the replay, %u refused for good, %u took "
                "effect and lost it, %u kept it",
                cases, taken_later, refused, effect_lost, kept);
    cr_expect_eq(cases, taken_later + refused + effect_lost + kept);
    cr_expect_geq(taken_later, cmd_bytes / 2u - 4u, "a cut in the first record refuses");
    cr_expect_gt(effect_lost, 0u);
    cr_expect_gt(kept, all - cmd_bytes, "a cut in the power-fail save loses nothing");
}

/* Each durable command is refused, nothing done, while its counter cannot be committed, and
 * taken under a new counter once NVM works: two records, one before and one after.  A command
 * that is not durable writes none of its own. */
Test(esme, a_durable_command_is_refused_when_its_counter_cannot_be_committed)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    static const uint8_t prepayment[1] = {MM_MODE_PREPAYMENT};
    static const struct {
        uint16_t id;
        bool sign;
        uint8_t supply_after, mode_after;
    } cases[] = {
        {MM_CMD_SUPPLY_DISABLE, true, MM_SUPPLY_DISCONNECTED, MM_MODE_CREDIT},
        {MM_CMD_SUPPLY_ARM, false, MM_SUPPLY_ARMED, MM_MODE_CREDIT},
        {MM_CMD_SUPPLY_ENABLE, false, MM_SUPPLY_CONNECTED, MM_MODE_CREDIT},
        {MM_CMD_MODE_CHANGE, true, MM_SUPPLY_CONNECTED, MM_MODE_PREPAYMENT},
    };
    uint64_t ctr = 1;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const void *pl = cases[i].id == MM_CMD_MODE_CHANGE ? prepayment : NULL;
        uint16_t n = pl ? 1u : 0u;
        cr_expect(mm_cmd_is_durable(cases[i].id));
        uint8_t supply = f->e.contactor.state, mode = f->e.prepay.mode;
        mm_port_sim_nvm_cut_after(&f->nvm, 0);
        cr_expect_eq(send(f, ctr++, cases[i].id, pl, n, cases[i].sign, true), MM_EIO, "case %zu",
                     i);
        cr_expect_eq(f->e.contactor.state, supply, "case %zu: nothing done", i);
        cr_expect_eq(f->e.prepay.mode, mode, "case %zu: nothing done", i);
        mm_port_sim_nvm_restore(&f->nvm);
        uint32_t writes = f->nvm.writes;
        cr_expect_eq(send(f, ctr++, cases[i].id, pl, n, cases[i].sign, true), MM_OK, "case %zu", i);
        cr_expect_eq(f->e.contactor.state, cases[i].supply_after, "case %zu", i);
        cr_expect_eq(f->e.prepay.mode, cases[i].mode_after, "case %zu", i);
        cr_expect_eq(f->nvm.writes - writes, 6u, "case %zu: two records of three writes", i);
    }
    uint32_t writes = f->nvm.writes, p = 30;
    cr_expect(!mm_cmd_is_durable(MM_CMD_SET_PRICES));
    cr_expect_eq(send_prices(f, ctr++, f->e.now, 0, 1, &p), MM_OK);
    cr_expect_eq(f->nvm.writes, writes, "a price update waits for the next record");
    fixture_free(f);
}

/* ---- lost NVM: counters anchored to time (command.h, mm_cmd_config.counter_time_shift) ---- */

/* The head-end's counter for a frame made at unix time T [s] after PREV (sim/downlink.c). */
static uint64_t anchored(uint64_t prev, uint32_t t)
{
    uint64_t c = (uint64_t)t << 32;
    return c > prev ? c : prev + 1u;
}

/* A meter loses its NVM while off (erased, or both banks damaged) and is commissioned afresh at
 * the restore, T0 + 400 s.  Time-anchored counters (shift 32): a disable made at T0 + 100 and
 * replayed is refused, as are frames of either role made in the second before the restore
 * however far their counters went; a fresh frame, made at the restore, is taken.  0xF006 says
 * the counters were lost. */
Test(esme, after_losing_its_nvm_a_meter_refuses_frames_made_before_it_came_back)
{
    for (int damaged = 0; damaged < 2; damaged++) {
        fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
        f->cfg.cmd.counter_time_shift = 32;
        cr_assert_eq(fixture_start(f), MM_OK);
        cr_expect_eq(count_events(&f->e, MM_ALERT_COUNTERS_LOST), 0, "a new meter");
        run(f, 1000, 100);
        uint8_t frame[MM_CMD_FRAME_MAX];
        uint64_t c = anchored(0, T0 + 100u);
        size_t len = disable_frame(f, c, frame);
        cr_assert_eq(take(f, frame, len), MM_OK);
        c = anchored(c, T0 + 100u);
        cr_assert_eq(send(f, c, MM_CMD_SUPPLY_ENABLE, NULL, 0, false, true), MM_OK);
        cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
        if (damaged) {
            uint32_t bank = MM_ESME_RECORD_MAX + MM_PERSIST_OVERHEAD;
            f->nvm_mem[f->cfg.nvm_addr + MM_PERSIST_HEADER_LEN + 9] ^= 0x01;
            f->nvm_mem[f->cfg.nvm_addr + bank + MM_PERSIST_HEADER_LEN + 9] ^= 0x01;
        } else {
            mm_port_sim_nvm_init(&f->nvm, f->nvm_mem, sizeof f->nvm_mem); /* erased */
        }
        f->sim_ms += 300000u;
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        cr_assert_eq(mm_esme_power_restore(&f->e), damaged ? MM_ECORRUPT : MM_ENOENT);
        mm_event ev;
        cr_assert_eq(mm_event_log_find(&f->e.log, MM_ALERT_COUNTERS_LOST, &ev), MM_OK);
        cr_expect_eq(ev.time, T0 + 400u);
        cr_expect_eq(ev.value, damaged ? MM_ECORRUPT : MM_ENOENT);
        cr_expect_eq(take(f, frame, len), MM_EREPLAY, "damaged %d: the old disable", damaged);
        cr_expect_eq(f->e.contactor.state, MM_SUPPLY_CONNECTED);
        uint64_t last_second = anchored(c, T0 + 399u) + 1000u; /* 1000 more frames in it */
        cr_expect_eq(send(f, last_second, MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true), MM_EREPLAY);
        uint8_t net[MM_CMD_FRAME_MAX];
        size_t nlen = 0;
        cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_NETWORK, last_second,
                                           MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true, net,
                                           sizeof net, &nlen),
                     MM_OK);
        cr_expect_eq(take(f, net, nlen), MM_EREPLAY, "the network operator's counters too");
        cr_expect_eq(f->e.contactor.state, MM_SUPPLY_CONNECTED);
        /* made at the restore (T0 + 400 << 32, above every earlier frame's) */
        cr_expect_eq(
            send(f, anchored(last_second, T0 + 400u), MM_CMD_SUPPLY_DISABLE, NULL, 0, true, true),
            MM_OK);
        cr_expect_eq(f->e.contactor.state, MM_SUPPLY_DISCONNECTED);
        /* the records hold the counters from the floor on: a power cut keeps them */
        mm_esme_power_fail(&f->e);
        mm_esme_power_restore(&f->e);
        cr_expect_eq(take(f, frame, len), MM_EREPLAY);
        fixture_free(f);
    }
}

/* Without time anchoring (shift 0) the counters restart from 0: the old disable is taken
 * again after the wipe, the gap command.h states. */
Test(esme, after_losing_its_nvm_a_meter_without_time_anchoring_takes_old_frames_again)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = disable_frame(f, 7, frame);
    cr_assert_eq(take(f, frame, len), MM_OK);
    cr_assert_eq(send(f, 8, MM_CMD_SUPPLY_ENABLE, NULL, 0, false, true), MM_OK);
    mm_esme_power_fail(&f->e);
    mm_port_sim_nvm_init(&f->nvm, f->nvm_mem, sizeof f->nvm_mem);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_ENOENT);
    cr_expect_eq(count_events(&f->e, MM_ALERT_COUNTERS_LOST), 1);
    cr_expect_eq(take(f, frame, len), MM_OK);
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_DISCONNECTED);
    fixture_free(f);
}

/* Commissioning over a record (a meter commissioned again) loses the counters too: floored at
 * its time; the first commissioning of an erased part starts from 0. */
Test(esme, commissioning_over_a_record_floors_the_counters)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.cmd.counter_time_shift = 32;
    cr_assert_eq(fixture_start(f), MM_OK);
    cr_expect_eq(f->e.cmd.counter[MM_ROLE_SUPPLIER], 0u);
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = disable_frame(f, anchored(0, T0), frame);
    cr_assert_eq(take(f, frame, len), MM_OK);
    run(f, 0, 60);
    cr_assert_eq(fixture_start(f), MM_OK);
    cr_expect_eq(count_events(&f->e, MM_ALERT_COUNTERS_LOST), 1);
    for (unsigned r = 0; r < MM_CMD_ROLES; r++)
        cr_expect_eq(f->e.cmd.counter[r], ((uint64_t)(T0 + 60u) << 32) - 1u, "role %u", r);
    cr_expect_eq(take(f, frame, len), MM_EREPLAY);
    fixture_free(f);
}

/* ---- dynamic prices (MM_CMD_SET_PRICES; the fixture's 20 p/kWh: 1 Wh = 2e6 cost units) ---- */

#define PENNY 100000000LL /* cost units */

static mm_cost_t cost_total(const fixture *f)
{
    mm_esme_snapshot s;
    mm_esme_snapshot_get(&f->e, &s);
    return s.cost_total;
}

/* 1 kW for an hour in one call, 20 p until 00:30 and 30 p after: the meter splits the hour at
 * the price change, 500 Wh x 20 p + 500 Wh x 30 p = 25 p. */
Test(esme, a_price_update_splits_the_interval_at_its_instant)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t p = 30;
    cr_assert_eq(send_prices(f, 1, T0 + 1800u, 0, 1, &p), MM_OK);
    run(f, 1000, 3600);
    cr_expect_eq(cost_total(f), 25 * PENNY);
    cr_expect_eq(f->prices.active[0], 30u);
    fixture_free(f);
}

/* The table is external flash: a power cut keeps the price in force and the pending one (which
 * still takes over at its instant), and a price that fell due in the outage is in force at the
 * restore.  3 kW: 500 Wh at 30 p before the cut, then 2250 Wh at 30 p to 01:00 and 1000 Wh at
 * 50 p after: 15 + 67.5 + 50 = 132.5 p. */
Test(esme, prices_survive_a_power_cut)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t p30 = 30, p50 = 50, p77 = 77;
    cr_assert_eq(send_prices(f, 1, T0, 0, 1, &p30), MM_OK);
    cr_assert_eq(send_prices(f, 2, T0 + 3600u, 0, 1, &p50), MM_OK);
    cr_assert_eq(send_prices(f, 3, T0 + 700u, 1, 1, &p77), MM_OK);
    run(f, 3000, 600);
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
    memset(&f->e.tariff, 0xA5, sizeof f->e.tariff); /* RAM is gone */
    f->sim_ms += 300000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
    cr_expect_eq(f->e.tariff.prices, &f->prices);
    cr_expect_eq(f->prices.active[0], 30u);
    cr_expect_eq(f->prices.pending[0], 50u);
    cr_expect_eq(f->prices.pending_at[0], T0 + 3600u);
    cr_expect_eq(f->prices.active[1], 77u, "due in the outage");
    cr_expect_eq(f->prices.pending_at[1], MM_TARIFF_NEVER);
    cr_expect_eq(mm_tariff_next_change(&f->e.tariff), T0 + 3600u);
    run(f, 3000, 3900);
    cr_expect_eq(cost_total(f), 13250000000LL);
    fixture_free(f);
}

/* Tariff 2 (40 p) takes over at 00:30 and resets the table: the 30 p sent for now end there,
 * the 50 p pending for 00:45 are dropped.  3 kW: 1500 Wh x 30 p + 1500 Wh x 40 p = 105 p.
 * A price sent after that is the new tariff's, and a power cut keeps it (the restore puts
 * tariff 2 back in force before it attaches the table). */
Test(esme, a_tariff_taking_over_resets_the_prices)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t p30 = 30, p50 = 50, p60 = 60;
    cr_assert_eq(send_prices(f, 1, T0, 0, 1, &p30), MM_OK);
    cr_assert_eq(send_prices(f, 2, T0 + 2700u, 0, 1, &p50), MM_OK);
    uint8_t tp[8] = {0, 0, 0, 2};
    put_be32(tp + 4, T0 + 1800u);
    cr_assert_eq(send(f, 3, MM_CMD_SET_TARIFF, tp, 8, false, true), MM_OK);
    run(f, 3000, 3600);
    cr_expect_eq(cost_total(f), 105 * PENNY);
    cr_expect_eq(f->e.tariff.def, &f->tariff2);
    cr_expect_eq(f->prices.active[0], 40u);
    cr_expect_eq(f->prices.pending_at[0], MM_TARIFF_NEVER);
    cr_assert_eq(send_prices(f, 4, T0, 0, 1, &p60), MM_OK);
    mm_esme_power_fail(&f->e);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
    cr_expect_eq(f->e.tariff.def, &f->tariff2);
    cr_expect_eq(f->prices.active[0], 60u);
    fixture_free(f);
}

/* Prepayment at 3 kW: 10 min at 20 p (1 p a minute) take 10000 of 30000 units; from 00:10 the
 * price is 40 p (2 p a minute), so the balance after minute 10 + j is 20000 - 2000 j, below zero
 * first at j = 11: the supply opens at 00:21 and 21 min x 3 kW = 1050 Wh are metered. */
Test(esme, prepayment_credit_runs_out_at_the_updated_price)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 30000;
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t p = 40;
    cr_assert_eq(send_prices(f, 1, T0 + 600u, 0, 1, &p), MM_OK);
    run(f, 3000, 3600);
    cr_expect_eq(when(f, MM_ALERT_CREDIT_BELOW_DISABLEMENT), T0 + 21u * 60u);
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_DISCONNECTED);
    cr_expect_eq(mm_meter_register(&f->e.meter, MM_CH_IMPORT), 1050u);
    cr_expect_eq(f->e.prepay.balance, -2000);
    fixture_free(f);
}

/* ---- a run of prepayment minutes debited at once (quiet_minutes in esme.c) ---- */

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* A prepayment meter whose settings come from SEED: credit, thresholds and emergency credit
 * near what a few hours of use cost, sometimes a time debt, a standing charge, TOU rates
 * with block prices, a load limit or a friendly period. */
static fixture *random_prepayment_meter(uint64_t seed)
{
    uint64_t s = seed;
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    mm_esme_config *c = &f->cfg;
    c->initial_mode = MM_MODE_PREPAYMENT;
    c->initial_credit = (mm_credit_t)(lcg(&s) % 120000u);
    c->prepay.low_credit = (mm_credit_t)(lcg(&s) % 40000u);
    c->prepay.disablement = (mm_credit_t)(lcg(&s) % 3u) * 2000;
    if (lcg(&s) % 2u) {
        c->prepay.ec_limit = 10000 + (mm_credit_t)(lcg(&s) % 20000u);
        c->prepay.ec_threshold = (mm_credit_t)(lcg(&s) % 30000u);
    }
    if (lcg(&s) % 3u == 0) {
        c->prepay.time_debt[0].period_s = 600u + (uint32_t)(lcg(&s) % 3000u);
        c->prepay.time_debt[0].rate = 100 + (mm_credit_t)(lcg(&s) % 900u);
    }
    if (lcg(&s) % 3u == 0)
        c->prepay.friendly[0] = (mm_friendly_period){.days = 0x7F,
                                                     .start_min = (uint16_t)(lcg(&s) % 300u),
                                                     .end_min = (uint16_t)(300u + lcg(&s) % 300u)};
    if (lcg(&s) % 3u == 0)
        c->contactor.load_limit = (mm_load_limit){4000u + (uint32_t)(lcg(&s) % 3000u), 90, 120};
    mm_tariff_def *d = &f->tariff;
    d->standing_charge = (uint32_t)(lcg(&s) % 80u); /* pence a day */
    d->day[0].n = 2;
    d->day[0].sw[1].minute = (uint16_t)(60u + lcg(&s) % 600u);
    d->day[0].sw[1].rate = 1;
    d->day[0].sw[1].price_set = MM_TARIFF_NONE;
    d->tou_price[1] = 8u + (uint32_t)(lcg(&s) % 30u);
    if (lcg(&s) % 2u) { /* blocks: dearer after 300 and 900 Wh in each 2 h block period */
        d->day[0].sw[0].price_set = 0;
        d->price_set[0].n_thresholds = 2;
        d->price_set[0].threshold_wh[0] = 300;
        d->price_set[0].threshold_wh[1] = 900;
        d->price_set[0].price[0] = 0;
        d->price_set[0].price[1] = 5;
        d->price_set[0].price[2] = 12;
        d->block_period_min = 120;
    }
    cr_assert_eq(fixture_start(f), MM_OK, "seed %llu", (unsigned long long)seed);
    if (c->prepay.time_debt[0].period_s != 0)
        cr_assert_eq(mm_prepay_set_debt(&f->e.prepay, 0, 5000 + (mm_credit_t)(lcg(&s) % 20000u),
                                        f->e.now),
                     MM_OK);
    return f;
}

/* P for DT_MS, the clock first, as run() does, but to the millisecond. */
static void run_ms(fixture *f, int32_t p_mw, uint32_t dt_ms)
{
    f->sim_ms += dt_ms;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    mm_esme_advance(&f->e, p_mw, 0, dt_ms);
}

/* The same, in pieces that end at every minute: no piece holds two minute ends, so the meter
 * debits minute by minute as it did before runs of minutes were debited at once. */
static void run_by_minute(fixture *f, int32_t p_mw, uint32_t dt_ms)
{
    while (dt_ms > 0) {
        uint32_t to_minute = 60000u - (uint32_t)(f->sim_ms % 60000u);
        uint32_t piece = dt_ms < to_minute ? dt_ms : to_minute;
        run_ms(f, p_mw, piece);
        dt_ms -= piece;
    }
}

static void expect_same_meter(const fixture *a, const fixture *b, uint64_t seed, int step)
{
    const mm_esme *x = &a->e, *y = &b->e;
    cr_assert_eq(x->now, y->now, "seed %llu step %d", (unsigned long long)seed, step);
    cr_assert_eq(x->now_ms, y->now_ms, "seed %llu step %d", (unsigned long long)seed, step);
    cr_assert_eq(x->cost_carry, y->cost_carry, "seed %llu step %d", (unsigned long long)seed, step);
    cr_assert_eq(x->prepay.balance, y->prepay.balance, "seed %llu step %d: balance",
                 (unsigned long long)seed, step);
    /* field by field: the structs also hold pointers to each fixture's own config and log */
    const mm_prepay *p = &x->prepay, *q = &y->prepay;
    cr_assert(p->balance == q->balance && memcmp(p->debt, q->debt, sizeof p->debt) == 0 &&
                  p->pay_collected == q->pay_collected && p->pay_period == q->pay_period &&
                  memcmp(p->debt_period, q->debt_period, sizeof p->debt_period) == 0 &&
                  p->now == q->now && p->mode == q->mode && p->ec == q->ec &&
                  p->flags == q->flags,
              "seed %llu step %d: prepay", (unsigned long long)seed, step);
    cr_assert(memcmp(&x->meter.reg, &y->meter.reg, sizeof x->meter.reg) == 0,
              "seed %llu step %d: registers", (unsigned long long)seed, step);
    cr_assert(x->meter.md.mw == y->meter.md.mw && x->meter.block_uj == y->meter.block_uj,
              "seed %llu step %d: demand", (unsigned long long)seed, step);
    cr_assert(x->contactor.state == y->contactor.state && x->contactor.off == y->contactor.off,
              "seed %llu step %d: contactor", (unsigned long long)seed, step);
    cr_assert(x->tariff.total == y->tariff.total && x->tariff.import_wh == y->tariff.import_wh &&
                  x->tariff.bill_standing == y->tariff.bill_standing &&
                  x->tariff.rem_uj == y->tariff.rem_uj &&
                  memcmp(x->tariff.block_wh, y->tariff.block_wh, sizeof x->tariff.block_wh) == 0,
              "seed %llu step %d: tariff", (unsigned long long)seed, step);
    cr_assert_eq(x->log.total, y->log.total, "seed %llu step %d: events logged",
                 (unsigned long long)seed, step);
    cr_assert(memcmp(a->events, b->events, sizeof a->events) == 0, "seed %llu step %d: event log",
              (unsigned long long)seed, step);
}

/* Random loads for 36 hours over random prepayment settings, each load held for up to 3 h in
 * one call, against the same loads fed minute by minute: alerts (their minutes and values),
 * balance, registers, contactor and every NVM record saved at the half-hours come out the
 * same, also where the credit runs out, emergency credit is taken, a debt is recovered or a
 * load limit trips. */
Test(esme, a_run_of_minutes_debited_at_once_changes_nothing_but_the_calls)
{
    unsigned crossed = 0;
    for (uint64_t seed = 1; seed <= 120; seed++) {
        fixture *a = random_prepayment_meter(seed), *b = random_prepayment_meter(seed);
        uint64_t s = seed * 7919u;
        uint64_t end_ms = 36ull * 3600000u;
        for (int step = 0; a->sim_ms < end_ms; step++) {
            int32_t p_mw = (int32_t)(lcg(&s) % 9000000u);
            uint32_t dt = 1u + (uint32_t)(lcg(&s) % (3u * 3600000u));
            /* a call ends at the next half-hour, where the simulator closes the period */
            uint32_t to_close = 1800000u - (uint32_t)(a->sim_ms % 1800000u);
            bool close = dt >= to_close;
            if (close) dt = to_close;
            run_ms(a, p_mw, dt);
            run_by_minute(b, p_mw, dt);
            if (close) {
                mm_esme_hh_close(&a->e);
                mm_esme_hh_close(&b->e);
                cr_assert(memcmp(a->nvm_mem, b->nvm_mem, sizeof a->nvm_mem) == 0,
                          "seed %llu step %d: NVM", (unsigned long long)seed, step);
            }
            switch (lcg(&s) % 16u) { /* now and then the customer acts, on both */
            case 0:
                cr_assert_eq(mm_esme_ec_activate(&a->e), mm_esme_ec_activate(&b->e));
                break;
            case 1:
                cr_assert_eq(mm_esme_button(&a->e), mm_esme_button(&b->e));
                break;
            default:
                break;
            }
            expect_same_meter(a, b, seed, step);
        }
        if (a->e.log.total > 1) crossed++;
        fixture_free(a);
        fixture_free(b);
    }
    /* the settings are meant to reach the thresholds: most seeds logged alerts */
    cr_expect_gt(crossed, 60u, "only %u of 120 seeds logged anything", crossed);
}

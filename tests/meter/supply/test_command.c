/* Commands: the parser on hand-made frames, then authentication, signatures on critical
 * commands, replay and forgery through a commissioned ESME, in real and modelled crypto. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"

Test(command, the_parser_accepts_exactly_the_documented_layout)
{
    uint8_t f[MM_CMD_FRAME_MAX];
    memset(f, 0, sizeof f);
    f[0] = MM_CMD_FRAME_TYPE;
    f[1] = 0x01;                /* network operator, unsigned */
    f[9] = 7;                   /* counter 7 */
    f[10] = 0x04, f[11] = 0x01; /* read registers */
    f[13] = 2;                  /* payload 2 bytes */
    mm_cmd_frame fr;
    static const struct {
        size_t len;
        uint8_t byte0, byte1, n_lo;
        int rc;
    } cases[] = {
        {14 + 2 + 12, 0x4D, 0x01, 2, MM_OK},
        {14 + 2 + 11, 0x4D, 0x01, 2, MM_EMALFORMED}, /* short MAC */
        {14 + 2 + 13, 0x4D, 0x01, 2, MM_EMALFORMED}, /* trailing byte */
        {14 + 2 + 12, 0x4E, 0x01, 2, MM_EMALFORMED}, /* frame type */
        {14 + 2 + 12, 0x4D, 0x02, 2, MM_EMALFORMED}, /* role 2 */
        {14 + 2 + 12, 0x4D, 0x11, 2, MM_EMALFORMED}, /* reserved bit */
        {14 + 2 + 12 + 64, 0x4D, 0x81, 2, MM_OK},    /* signed */
        {14 + 2 + 12, 0x4D, 0x81, 2, MM_EMALFORMED}, /* signed, signature missing */
        {14 + 0 + 12, 0x4D, 0x00, 0, MM_OK},
        {13, 0x4D, 0x00, 0, MM_EMALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f[0] = cases[i].byte0;
        f[1] = cases[i].byte1;
        f[13] = cases[i].n_lo;
        cr_expect_eq(mm_cmd_parse(f, cases[i].len, &fr), cases[i].rc, "case %zu", i);
    }
    f[0] = 0x4D, f[1] = 0x01, f[13] = 2;
    cr_assert_eq(mm_cmd_parse(f, 28, &fr), MM_OK);
    cr_expect_eq(fr.counter, 7u);
    cr_expect_eq(fr.id, MM_CMD_READ_REGISTERS);
    cr_expect_eq(fr.role, MM_ROLE_NETWORK);
    cr_expect_eq(fr.payload, f + 14);
    cr_expect_eq(fr.mac, f + 16);
    f[12] = 0xFF; /* payload length 0xFF02 > MM_CMD_PAYLOAD_MAX */
    cr_expect_eq(mm_cmd_parse(f, 28, &fr), MM_EMALFORMED);
    for (size_t n = MM_CMD_PAYLOAD_MAX; n <= MM_CMD_PAYLOAD_MAX + 1u; n++) {
        f[12] = (uint8_t)(n >> 8), f[13] = (uint8_t)n; /* the largest payload, and one more */
        cr_expect_eq(mm_cmd_parse(f, 14 + n + 12, &fr),
                     n == MM_CMD_PAYLOAD_MAX ? MM_OK : MM_EMALFORMED, "payload %zu", n);
    }
    cr_expect(mm_cmd_is_critical(MM_CMD_SUPPLY_DISABLE));
    cr_expect(mm_cmd_is_critical(MM_CMD_MODE_CHANGE));
    cr_expect(mm_cmd_is_critical(MM_CMD_FW_ACTIVATE));
    cr_expect(!mm_cmd_is_critical(MM_CMD_SUPPLY_ENABLE));
}

/* One command and what it must do: status, an alert among those it logged (0: none logged). */
typedef struct cmd_case {
    uint64_t counter;
    uint16_t id;
    bool sign, held;
    int rc;
    uint16_t alert;
    uint8_t supply_after;
} cmd_case;

static const cmd_case security[] = {
    /* authentic, non-critical, unsigned */
    {10, MM_CMD_SUPPLY_ARM, false, true, MM_OK, 0, MM_SUPPLY_CONNECTED},
    /* critical without its signature: refused on SMETS2, taken on SMETS1 */
    {11, MM_CMD_SUPPLY_DISABLE, false, true, MM_PROFILE_SMETS1 ? MM_OK : MM_EAUTH,
     MM_PROFILE_SMETS1 ? MM_ALERT_SUPPLY_DISABLED : MM_ALERT_AUTH_FAILURE,
     MM_PROFILE_SMETS1 ? MM_SUPPLY_DISCONNECTED : MM_SUPPLY_CONNECTED},
    /* the same counter again (SMETS1 took it) */
    {12, MM_CMD_SUPPLY_ENABLE, false, true, MM_OK, MM_PROFILE_SMETS1 ? MM_ALERT_SUPPLY_ENABLED : 0,
     MM_SUPPLY_CONNECTED},
    /* forged MAC */
    {13, MM_CMD_SUPPLY_DISABLE, true, false, MM_EAUTH, MM_ALERT_AUTH_FAILURE, MM_SUPPLY_CONNECTED},
    /* signed by the supplier: disconnects */
    {14, MM_CMD_SUPPLY_DISABLE, true, true, MM_OK, MM_ALERT_SUPPLY_DISABLED,
     MM_SUPPLY_DISCONNECTED},
    /* a replay of 14 and an older counter */
    {14, MM_CMD_SUPPLY_DISABLE, true, true, MM_EREPLAY, MM_ALERT_COMMAND_REPLAYED,
     MM_SUPPLY_DISCONNECTED},
    {9, MM_CMD_SUPPLY_ENABLE, false, true, MM_EREPLAY, MM_ALERT_COMMAND_REPLAYED,
     MM_SUPPLY_DISCONNECTED},
    {15, MM_CMD_SUPPLY_ENABLE, false, true, MM_OK, MM_ALERT_SUPPLY_ENABLED, MM_SUPPLY_CONNECTED},
};

static void run_security(mm_port_sim_crypto_mode mode)
{
    fixture *f = fixture_new(mode);
    cr_assert_eq(fixture_start(f), MM_OK);
    for (size_t i = 0; i < sizeof security / sizeof security[0]; i++) {
        const cmd_case *c = &security[i];
        uint32_t before = f->e.log.total;
        int rc = send(f, c->counter, c->id, NULL, 0, c->sign, c->held);
        cr_expect_eq(rc, c->rc, "mode %d case %zu: %s", mode, i, mm_strerror(rc));
        cr_expect_eq(f->e.contactor.state, c->supply_after, "case %zu", i);
        mm_event ev;
        if (c->alert) {
            bool seen = false; /* 0x8F60 may follow it (the threshold reached) */
            for (uint16_t age = 0; age < f->e.log.total - before; age++)
                seen =
                    seen || (mm_event_log_get(&f->e.log, age, &ev) == MM_OK && ev.code == c->alert);
            cr_expect(seen, "case %zu: %#x logged", i, c->alert);
        } else {
            cr_expect_eq(f->e.log.total, before, "case %zu logs nothing", i);
        }
    }
    /* two forgeries (one on SMETS1, which takes the unsigned disable) and two replays: the
     * third of them reaches the threshold */
    cr_expect_eq(count_events(&f->e, MM_ALERT_MALFORMED_COMMANDS), 1);
    fixture_free(f);
}

Test(command, replay_and_forgery_are_rejected_real_crypto)
{
    run_security(MM_PORT_SIM_CRYPTO_REAL);
}

Test(command, replay_and_forgery_are_rejected_modelled_crypto)
{
    run_security(MM_PORT_SIM_CRYPTO_MODELLED);
}

Test(command, a_tampered_byte_fails_the_mac_and_a_forged_signature_fails_alone)
{
    for (int mode = 0; mode < 2; mode++) {
        fixture *f = fixture_new((mm_port_sim_crypto_mode)mode);
        cr_assert_eq(fixture_start(f), MM_OK);
        uint8_t frame[MM_CMD_FRAME_MAX];
        size_t len;
        uint8_t pl[1] = {MM_MODE_PREPAYMENT};
        mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, 20, MM_CMD_MODE_CHANGE, pl, 1,
                              true, true, frame, sizeof frame, &len);
        frame[14] ^= 1; /* payload bit flipped in flight */
        cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_EAUTH);
        frame[14] ^= 1;
        frame[len - 1] ^= 1; /* signature damaged, MAC intact */
        cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL),
                     MM_PROFILE_SMETS1 ? MM_OK : MM_EAUTH);
        frame[len - 1] ^= 1;
        if (!MM_PROFILE_SMETS1) {
            cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_OK);
            cr_expect_eq(f->e.prepay.mode, MM_MODE_PREPAYMENT);
        }
        /* a frame for another meter */
        uint8_t other[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        mm_port_sim_cmd_frame(&f->crypto, other, MM_ROLE_SUPPLIER, 30, MM_CMD_SUPPLY_ARM, NULL, 0,
                              false, true, frame, sizeof frame, &len);
        cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_EAUTH);
        fixture_free(f);
    }
}

Test(command, malformed_frames_raise_0x8F60_at_the_threshold)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t junk[20] = {0x4D};
    for (int i = 1; i <= 3; i++) {
        cr_expect_eq(mm_esme_command(&f->e, junk, sizeof junk, NULL, 0, NULL), MM_EMALFORMED);
        cr_expect_eq(count_events(&f->e, MM_ALERT_MALFORMED_COMMANDS), i >= 3, "after %d", i);
        cr_expect_eq(count_events(&f->e, MM_ALERT_COMMAND_INTEGRITY_FAILED), i);
    }
    fixture_free(f);
}

/* GBCS counts unauthentic commands among the unusual ones: BAD_THRESHOLD frames that fail their
 * MAC (a forger without the key), or their signature alone, raise 0x8F60 once in the window. */
Test(command, failed_macs_and_signatures_raise_0x8F60_at_the_threshold)
{
    for (int mode = 0; mode < 2; mode++) {
        for (int sig_only = 0; sig_only < (MM_PROFILE_SMETS1 ? 1 : 2); sig_only++) {
            fixture *f = fixture_new((mm_port_sim_crypto_mode)mode);
            cr_assert_eq(fixture_start(f), MM_OK);
            for (uint64_t i = 1; i <= 5; i++) {
                uint8_t frame[MM_CMD_FRAME_MAX];
                size_t len = 0;
                cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, i,
                                                   MM_CMD_SUPPLY_DISABLE, NULL, 0, true,
                                                   sig_only != 0, frame, sizeof frame, &len),
                             MM_OK);
                if (sig_only) frame[len - 1] ^= 1; /* MAC intact, signature damaged */
                cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_EAUTH);
                cr_expect_eq(count_events(&f->e, MM_ALERT_AUTH_FAILURE), (int)i);
                cr_expect_eq(count_events(&f->e, MM_ALERT_MALFORMED_COMMANDS), i >= 3,
                             "mode %d sig_only %d after %d", mode, sig_only, (int)i);
            }
            cr_expect_eq(f->e.contactor.state, MM_SUPPLY_CONNECTED);
            /* a window later the count starts again */
            run(f, 0, 3600);
            cr_expect_eq(send(f, 6, MM_CMD_SUPPLY_DISABLE, NULL, 0, true, false), MM_EAUTH);
            cr_expect_eq(f->e.cmd.bad_count, 1u);
            fixture_free(f);
        }
    }
}

Test(command, reads_and_settings_do_what_they_say)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    run(f, 2000, 1800); /* 2 kW for 30 min = 1000 Wh */
    mm_esme_hh_close(&f->e);
    uint8_t frame[MM_CMD_FRAME_MAX], resp[64];
    size_t len, rlen;
    mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_NETWORK, 1, MM_CMD_READ_REGISTERS, NULL, 0,
                          false, true, frame, sizeof frame, &len);
    cr_assert_eq(mm_esme_command(&f->e, frame, len, resp, sizeof resp, &rlen), MM_OK);
    cr_expect_eq(rlen, 32u);
    cr_expect_eq(resp[6], 0x03);
    cr_expect_eq(resp[7], 0xE8, "import 1000 Wh big-endian");
    uint8_t age[4] = {0, 0, 0, 0};
    mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_NETWORK, 2, MM_CMD_READ_PROFILE, age, 4,
                          false, true, frame, sizeof frame, &len);
    cr_assert_eq(mm_esme_command(&f->e, frame, len, resp, sizeof resp, &rlen), MM_OK);
    cr_expect_eq(rlen, 24u);
    cr_expect_eq(resp[6] << 8 | resp[7], 1000);
    /* clock: +5 s accepted, +60 s refused with 0x8F0C */
    uint32_t t = f->e.now + 5u;
    uint8_t ts[4] = {(uint8_t)(t >> 24), (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t};
    cr_expect_eq(send(f, 3, MM_CMD_CLOCK_SET, ts, 4, false, true), MM_OK);
    cr_expect_eq(f->e.now, t);
    t += 60u;
    uint8_t ts2[4] = {(uint8_t)(t >> 24), (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t};
    cr_expect_eq(send(f, 4, MM_CMD_CLOCK_SET, ts2, 4, false, true), MM_EREFUSED);
    cr_expect_eq(count_events(&f->e, MM_ALERT_CLOCK_ADJUST_REFUSED), 1);
    /* tariff 2 (40 p/kWh) from now on */
    uint32_t now = f->e.now;
    uint8_t tp[8] = {
        0, 0, 0, 2, (uint8_t)(now >> 24), (uint8_t)(now >> 16), (uint8_t)(now >> 8), (uint8_t)now};
    cr_expect_eq(send(f, 5, MM_CMD_SET_TARIFF, tp, 8, false, true), MM_OK);
    uint8_t tp9[8] = {0, 0, 0, 9, 0, 0, 0, 0};
    cr_expect_eq(send(f, 6, MM_CMD_SET_TARIFF, tp9, 8, false, true), MM_ENOENT);
    /* load limit 1 kW / 10 s / 60 s, then 2 kW trips it */
    uint8_t ll[12] = {0, 0, 0x03, 0xE8, 0, 0, 0, 10, 0, 0, 0, 60};
    cr_expect_eq(send(f, 7, MM_CMD_SET_LOAD_LIMIT, ll, 12, false, true), MM_OK);
    run(f, 2000, 30);
    cr_expect_eq(f->e.contactor.state, MM_SUPPLY_ARMED);
    cr_expect_eq(send(f, 8, MM_CMD_SET_LOAD_LIMIT, ll, 11, false, true), MM_EMALFORMED);
    cr_expect_eq(send(f, 9, 0x7777, NULL, 0, false, true), MM_ENOTSUP);
    fixture_free(f);
}

/* A one-block image (version u32, size u32, offset u32, bytes); the hand-over itself is
 * test_firmware.c's. */
Test(command, firmware_activates_only_the_image_whose_hash_was_checked)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t img[12 + 8] = {0x00, 0x02, 0x00, 0x00, 0, 0, 0, 8, 0, 0, 0, 0,
                           'i',  'm',  'a',  'g',  'e', ' ', 'v', '2'};
    cr_expect_eq(send(f, 1, MM_CMD_FW_DISTRIBUTE, img, sizeof img, false, true), MM_OK);
    uint8_t act[36] = {0x00, 0x02, 0x00, 0x00};
    mm_hal_crypto_sha256(&f->crypto, img + 12, 8, act + 4);
    act[4] ^= 0xFF; /* wrong hash */
    cr_expect_eq(send(f, 2, MM_CMD_FW_ACTIVATE, act, 36, true, true), MM_EAUTH);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_FAILED), 1);
    cr_expect_eq(f->e.fw_version, 0x00010000u);
    act[4] ^= 0xFF;
    cr_expect_eq(send(f, 3, MM_CMD_FW_ACTIVATE, act, 36, true, true), MM_OK);
    cr_expect_eq(f->e.fw_version, 0x00020000u);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_OK), 1);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERSION_CHANGED), 0, "the new image's");
    cr_expect_eq(send(f, 4, MM_CMD_FW_ACTIVATE, act, 36, true, true), MM_ESTATE, "handed over");
    fixture_free(f);
}

/* Prices for all 48 rates fit one frame (6 + 192 bytes); a payload that is not exactly 6 + 4n
 * bytes, names no rate or rates past the last, or holds a price the tariff cannot cost (scale
 * 0: 1 Wh at p costs p x 10^5 units, at most 2^39, so p <= 5497558) is refused whole. */
Test(command, set_prices_takes_all_rates_and_refuses_a_bad_payload_whole)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t price[MM_TARIFF_TOU_RATES + 1];
    for (unsigned k = 0; k <= MM_TARIFF_TOU_RATES; k++)
        price[k] = 10u + k;
    cr_expect_eq(send_prices(f, 1, f->e.now, 0, MM_TARIFF_TOU_RATES, price), MM_OK);
    for (unsigned r = 0; r < MM_TARIFF_TOU_RATES; r++)
        cr_expect_eq(f->prices.active[r], 10u + r, "rate %u", r);
    cr_expect_eq(mm_tariff_unit_cost(&f->e.tariff), 10 * 100000);

    static const struct {
        uint8_t first, n;
        int len_delta;  /* bytes added to (or cut from) the 6 + 4n payload */
        uint32_t price; /* of the rate FIRST */
        int rc;
    } cases[] = {
        {0, 1, -1, 20, MM_EMALFORMED},
        {0, 1, +1, 20, MM_EMALFORMED},
        {0, 2, -4, 20, MM_EMALFORMED}, /* n says 2, one price sent */
        {0, 0, -1, 20, MM_EMALFORMED}, /* shorter than the fixed part */
        {0, 0, 0, 20, MM_EINVAL},      /* no rate */
        {MM_TARIFF_TOU_RATES - 1, 2, 0, 20, MM_EINVAL},
        {MM_TARIFF_TOU_RATES, 1, 0, 20, MM_EINVAL},
        {0, MM_TARIFF_TOU_RATES + 1, 0, 20, MM_EINVAL},
        {5, 3, 0, 5497559, MM_EINVAL},
        {5, 3, 0, 5497558, MM_OK}, /* the largest price that can be costed */
    };
    uint64_t counter = 2;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_price_table before = f->prices;
        uint8_t pl[MM_CMD_PAYLOAD_MAX];
        price[0] = cases[i].price;
        uint32_t at = f->e.now + 60u * (i % 2u); /* at once, or pending */
        uint16_t len = prices_payload(pl, at, cases[i].first, cases[i].n, price);
        len = (uint16_t)(len + cases[i].len_delta);
        int rc = send(f, counter++, MM_CMD_SET_PRICES, pl, len, false, true);
        cr_expect_eq(rc, cases[i].rc, "case %zu: %s", i, mm_strerror(rc));
        if (cases[i].rc != MM_OK)
            cr_expect(memcmp(&before, &f->prices, sizeof before) == 0, "case %zu", i);
    }
    /* the last case (odd: a minute ahead) is pending for rates 5..7 */
    cr_expect_eq(f->prices.active[5], 15u);
    cr_expect_eq(f->prices.pending[5], 5497558u);
    cr_expect_eq(f->prices.pending[7], 12u);
    cr_expect_eq(f->prices.pending_at[7], f->e.now + 60u);
    cr_expect_eq(mm_tariff_next_change(&f->e.tariff), f->e.now + 60u);
    fixture_free(f);

    /* a meter without a price table */
    f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->st.prices = NULL;
    cr_assert_eq(fixture_start(f), MM_OK);
    cr_expect_eq(send_prices(f, 1, f->e.now, 0, 1, price), MM_ENOTSUP);
    cr_expect_eq(f->e.tariff.prices, NULL);
    fixture_free(f);
}

/* The module alone: a floor at NOW takes counters from NOW << shift on, never lowers a counter,
 * and does nothing without a shift or a time; a shift past 32 is refused. */
Test(command, a_floor_takes_counters_from_now_shifted_on)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    mm_cmd_auth a;
    f->cfg.cmd.counter_time_shift = MM_CMD_TIME_SHIFT_MAX + 1u;
    cr_expect_eq(mm_cmd_auth_init(&a, &f->cfg.cmd, NULL, &f->crypto), MM_EINVAL);
    f->cfg.cmd.counter_time_shift = 0;
    cr_assert_eq(mm_cmd_auth_init(&a, &f->cfg.cmd, NULL, &f->crypto), MM_OK);
    mm_cmd_auth_floor(&a, T0);
    cr_expect_eq(a.counter[MM_ROLE_SUPPLIER], 0u, "not time-anchored");
    f->cfg.cmd.counter_time_shift = 32;
    mm_cmd_auth_floor(&a, 0);
    cr_expect_eq(a.counter[MM_ROLE_SUPPLIER], 0u, "no time");
    a.counter[MM_ROLE_NETWORK] = (uint64_t)(T0 + 5u) << 32;
    mm_cmd_auth_floor(&a, T0);
    cr_expect_eq(a.counter[MM_ROLE_SUPPLIER], ((uint64_t)T0 << 32) - 1u);
    cr_expect_eq(a.counter[MM_ROLE_NETWORK], (uint64_t)(T0 + 5u) << 32, "never lowered");
    f->cfg.cmd.counter_time_shift = 20;
    mm_cmd_auth_floor(&a, T0);
    cr_expect_eq(a.counter[MM_ROLE_SUPPLIER], ((uint64_t)T0 << 32) - 1u);
    fixture_free(f);
}

/* The module alone: the id a frame must name is the one mm_cmd_accept is given (the ESME's
 * identity), not the config's; a frame for the config's DEV_ID fails with 0x8F3D. */
Test(command, accept_checks_the_frame_against_the_id_it_is_given)
{
    static const uint8_t own[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x00, 0x0A};
    for (int mode = 0; mode < 2; mode++) {
        fixture *f = fixture_new((mm_port_sim_crypto_mode)mode);
        mm_event ring[8];
        mm_event_log log;
        mm_event_log_init(&log, ring, 8);
        mm_cmd_auth a;
        cr_assert_eq(mm_cmd_auth_init(&a, &f->cfg.cmd, &log, &f->crypto), MM_OK);
        uint8_t frame[MM_CMD_FRAME_MAX];
        size_t len = 0;
        mm_cmd_frame out;
        cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_NETWORK, 1,
                                           MM_CMD_READ_REGISTERS, NULL, 0, false, true, frame,
                                           sizeof frame, &len),
                     MM_OK);
        cr_expect_eq(mm_cmd_accept(&a, own, frame, len, 100, &out), MM_EAUTH, "mode %d", mode);
        cr_expect_eq(log.total, 1u);
        cr_expect_eq(ring[0].code, 0x8F3Du);
        cr_expect_eq(mm_cmd_accept(&a, NULL, frame, len, 100, &out), MM_EINVAL);
        cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, own, MM_ROLE_NETWORK, 1,
                                           MM_CMD_READ_REGISTERS, NULL, 0, false, true, frame,
                                           sizeof frame, &len),
                     MM_OK);
        cr_expect_eq(mm_cmd_accept(&a, own, frame, len, 101, &out), MM_OK, "mode %d", mode);
        cr_expect_eq(out.id, MM_CMD_READ_REGISTERS);
        fixture_free(f);
    }
}

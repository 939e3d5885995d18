/* UTRN: GBCS Verhoeff check digit, field layout, and the checks before credit is added.
 * Check-digit vectors and the two decoded UTRNs are the public test vectors of
 * SmartDCCInnovation gbcs-parser (test/utrn.test.ts); their fields were worked out by hand
 * from GBCS section 14's layout (utrn.h): 7394333345718904331 - 7394156990786306048 =
 * 176354932598283 = 41060 x 2^32 + 0xD51CA60B, and 41060 = 1 << 15 | 1 << 13 | 100. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/alerts.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"
#include "mm_port_sim_crypto.h"

static const char *const valid[] = {
    "73943333457189043313",
    "74301825837596672005",
    "73946144332040217315",
    "73947252416745201637",
};

Test(utrn, the_gbcs_verhoeff_digit_matches_the_published_vectors)
{
    for (size_t i = 0; i < 4; i++) {
        char d = 0;
        cr_expect_eq(mm_utrn_verhoeff_valid(valid[i], 20), MM_OK, "%s", valid[i]);
        cr_expect_eq(mm_utrn_verhoeff_digit(valid[i], 19, &d), MM_OK);
        cr_expect_eq(d, valid[i][19], "%s", valid[i]);
        char bad[21];
        memcpy(bad, valid[i], 21);
        bad[19] = (char)('0' + (bad[19] - '0' + 1) % 10);
        cr_expect_eq(mm_utrn_verhoeff_valid(bad, 20), MM_ECHECKDIGIT);
    }
}

Test(utrn, every_adjacent_transposition_and_single_digit_error_is_caught)
{
    char s[21];
    for (size_t i = 0; i + 1 < 20; i++) {
        memcpy(s, valid[0], 21);
        if (s[i] == s[i + 1]) continue;
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
        cr_expect_eq(mm_utrn_verhoeff_valid(s, 20), MM_ECHECKDIGIT, "swap at %zu", i);
    }
    for (size_t i = 0; i < 20; i++) {
        for (int d = 1; d < 10; d++) {
            memcpy(s, valid[1], 21);
            s[i] = (char)('0' + (s[i] - '0' + d) % 10);
            cr_expect_eq(mm_utrn_verhoeff_valid(s, 20), MM_ECHECKDIGIT, "digit %zu +%d", i, d);
        }
    }
    cr_expect_eq(mm_utrn_verhoeff_valid("7394333345718904331x", 20), MM_EMALFORMED);
}

Test(utrn, decoding_splits_counter_class_value_and_tag)
{
    static const struct {
        const char *utrn;
        uint16_t counter10;
        uint8_t cls;
        uint16_t value;
        uint32_t tag;
    } cases[] = {
        {"73943333457189043313", 1, MM_UTRN_POUNDS, 100, 0xD51CA60Bu},
        {"73947252416745201637", 4, MM_UTRN_PENCE, 1234, 0x3855D663u},
    };
    for (size_t i = 0; i < 2; i++) {
        mm_utrn_fields f;
        char back[21];
        cr_assert_eq(mm_utrn_decode(cases[i].utrn, 20, &f), MM_OK);
        cr_expect_eq(f.counter10, cases[i].counter10);
        cr_expect_eq(f.value_class, cases[i].cls);
        cr_expect_eq(f.value, cases[i].value);
        cr_expect_eq(f.tag, cases[i].tag);
        cr_expect_eq(mm_utrn_encode(&f, back), MM_OK);
        cr_expect_str_eq(back, cases[i].utrn);
    }
    mm_utrn_fields f;
    cr_expect_eq(mm_utrn_decode("7394333345718904331", 19, &f), MM_EMALFORMED);
    /* below the PPTD offset: 0000...0 with its check digit */
    char low[21] = "0000000000000000000";
    cr_assert_eq(mm_utrn_verhoeff_digit(low, 19, &low[19]), MM_OK);
    low[20] = 0;
    cr_expect_eq(mm_utrn_decode(low, 20, &f), MM_EMALFORMED);
}

static const uint8_t DEV[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0};
static const uint8_t GAS[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xB0};
static const uint8_t OTHER[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xC0};
static const uint8_t SUP[8] = {0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00};

/* One entry of a top-up sequence: token (counter, class, value, target, held key) and the
 * expected outcome. */
typedef struct step {
    uint32_t counter_hi;
    unsigned cls, value;
    const uint8_t *target;
    bool held;
    int rc;
    uint16_t alert; /* 0: none */
    mm_credit_t amount;
} step;

/* The steps typed into a meter whose config names DEV but which checks against ID (the id
 * mm_utrn_enter is given, the ESME's identity). */
static void run_steps(mm_port_sim_crypto_mode mode, const step *s, size_t n, mm_credit_t max,
                      const uint8_t *id)
{
    mm_port_sim_keys *keys = mode == MM_PORT_SIM_CRYPTO_REAL ? mm_port_sim_keys_create(7) : NULL;
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, mode, keys);
    mm_utrn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.device_id, DEV, 8);
    memcpy(cfg.supplier_id, SUP, 8);
    memcpy(cfg.sibling_ids[0], GAS, 8);
    cfg.max_credit = max;
    mm_event ring[16];
    mm_event_log log;
    mm_event_log_init(&log, ring, 16);
    mm_utrn u;
    cr_assert_eq(mm_utrn_init(&u, &cfg, &log, &c), MM_OK);
    for (size_t i = 0; i < n; i++) {
        char digits[21];
        cr_assert_eq(mm_port_sim_utrn(&c, SUP, s[i].target, s[i].counter_hi, s[i].cls, s[i].value,
                                      s[i].held, digits),
                     MM_OK);
        uint32_t before = log.total;
        mm_credit_t amount = -1;
        int rc = mm_utrn_enter(&u, id, digits, 20, 1000u + (uint32_t)i, &amount);
        cr_expect_eq(rc, s[i].rc, "mode %d step %zu: %s", mode, i, mm_strerror(rc));
        if (s[i].rc == MM_OK) cr_expect_eq(amount, s[i].amount, "step %zu", i);
        mm_event ev;
        if (s[i].alert) {
            cr_expect_eq(log.total, before + 1, "step %zu logs one event", i);
            cr_expect_eq(mm_event_log_get(&log, 0, &ev), MM_OK);
            cr_expect_eq(ev.code, s[i].alert, "step %zu: %#x", i, ev.code);
        } else {
            cr_expect_eq(log.total, before, "step %zu logs nothing", i);
        }
    }
    mm_port_sim_keys_destroy(keys);
}

static const step sequence[] = {
    /* valid: 100 pounds = 10,000,000 units */
    {5, MM_UTRN_POUNDS, 100, DEV, true, MM_OK, 0, 10000000},
    /* the same token again */
    {5, MM_UTRN_POUNDS, 100, DEV, true, MM_EREPLAY, MM_ALERT_UTRN_DUPLICATE, 0},
    /* bought earlier, typed later: inside the 32-token window, accepted once */
    {3, MM_UTRN_PENCE, 1234, DEV, true, MM_OK, 0, 1234000},
    {3, MM_UTRN_PENCE, 1234, DEV, true, MM_EREPLAY, MM_ALERT_UTRN_DUPLICATE, 0},
    /* forged: the sender did not hold the key */
    {6, MM_UTRN_POUNDS, 10, DEV, false, MM_EAUTH, MM_ALERT_UTRN_NOT_AUTHENTIC, 0},
    /* the gas meter's token typed into the electricity meter */
    {6, MM_UTRN_POUNDS, 10, GAS, true, MM_EWRONGDEV, MM_ALERT_UTRN_NOT_FOR_DEVICE, 0},
    /* another premises' token: nothing to tell it from a forgery */
    {6, MM_UTRN_POUNDS, 10, OTHER, true, MM_EAUTH, MM_ALERT_UTRN_NOT_AUTHENTIC, 0},
    /* above the 200-pound maximum credit threshold */
    {7, MM_UTRN_POUNDS, 201, DEV, true, MM_ERANGE, MM_ALERT_UTRN_ABOVE_MAX_CREDIT, 0},
    /* far ahead, then one 33 below it: outside the window */
    {60, MM_UTRN_PENCE, 1, DEV, true, MM_OK, 0, 1000},
    {27, MM_UTRN_PENCE, 1, DEV, true, MM_EREPLAY, MM_ALERT_UTRN_DUPLICATE, 0},
    /* the 10-bit field wraps: after 500 and 1000, field 6 means 1030 = 1024 + 6 */
    {500, MM_UTRN_PENCE, 2, DEV, true, MM_OK, 0, 2000},
    {1000, MM_UTRN_PENCE, 3, DEV, true, MM_OK, 0, 3000},
    {1030, MM_UTRN_PENCE, 4, DEV, true, MM_OK, 0, 4000},
    {6, MM_UTRN_PENCE, 5, DEV, true, MM_EAUTH, MM_ALERT_UTRN_NOT_AUTHENTIC, 0}, /* 6 != 1030 */
};

Test(utrn, top_up_cases_real_crypto)
{
    run_steps(MM_PORT_SIM_CRYPTO_REAL, sequence, sizeof sequence / sizeof sequence[0], 20000000,
              DEV);
}

Test(utrn, top_up_cases_modelled_crypto_behave_the_same)
{
    run_steps(MM_PORT_SIM_CRYPTO_MODELLED, sequence, sizeof sequence / sizeof sequence[0], 20000000,
              DEV);
}

Test(utrn, a_mistyped_utrn_is_a_failed_keypad_entry)
{
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    mm_utrn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    mm_event ring[4], ev;
    mm_event_log log;
    mm_event_log_init(&log, ring, 4);
    mm_utrn u;
    mm_utrn_init(&u, &cfg, &log, &c);
    mm_credit_t amount;
    cr_expect_eq(mm_utrn_enter(&u, cfg.device_id, "73943333457189043314", 20, 5, &amount),
                 MM_ECHECKDIGIT);
    cr_expect_eq(mm_event_log_get(&log, 0, &ev), MM_OK);
    cr_expect_eq(ev.code, MM_ALERT_USER_COMMAND_FAILED);
    cr_expect_eq(mm_utrn_enter(&u, NULL, "73943333457189043314", 20, 5, &amount), MM_EINVAL);
}

/* The target is the id the caller passes, not the config's: meters sharing one config (which
 * names DEV) each take only their own tokens. */
static const step own_id[] = {
    {9, MM_UTRN_POUNDS, 5, OTHER, true, MM_OK, 0, 500000},
    {10, MM_UTRN_POUNDS, 5, DEV, true, MM_EAUTH, MM_ALERT_UTRN_NOT_AUTHENTIC, 0},
    {10, MM_UTRN_POUNDS, 6, OTHER, true, MM_OK, 0, 600000},
};

Test(utrn, the_target_checked_is_the_id_passed_not_the_configs)
{
    for (int mode = 0; mode < 2; mode++)
        run_steps((mm_port_sim_crypto_mode)mode, own_id, sizeof own_id / sizeof own_id[0], 0,
                  OTHER);
}

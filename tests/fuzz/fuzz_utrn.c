/* Fuzz target: the firmware's UTRN parser and entry (models/meter, mm/utrn.h).
 *
 * The whole input goes through the Verhoeff check and the decoder as typed digits; then each
 * 20-byte piece is typed into a meter in turn (mm_utrn_enter), its tag first made authentic
 * for this meter or its sibling when the piece decodes and its last digit says so, so that
 * the anti-replay window is reached.  The crypto HAL is this file's: a tag is authentic when
 * it is the FNV-1a hash of the authenticated bytes.
 *
 * Invariants checked (a violation traps): a decoded UTRN encodes back to the same digits; a
 * Verhoeff check digit appended makes any digits valid; decode fails exactly when the check
 * fails or the fields are malformed; an accepted UTRN is refused as a replay when typed again,
 * and its credit is its value.
 */
#include "mm/meter.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mm_hal_crypto {
    unsigned verifies;
};

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ *p++) * 16777619u;
    return h;
}

int mm_hal_crypto_mac_verify(mm_hal_crypto *c, unsigned key_id,
                             const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad, size_t aad_len,
                             const uint8_t *tag, size_t tag_len)
{
    if (!c || key_id != MM_KEY_UTRN || !nonce || !aad || !tag || tag_len != 4) __builtin_trap();
    c->verifies++;
    uint32_t want = fnv1a(aad, aad_len);
    uint32_t got = (uint32_t)tag[0] << 24 | (uint32_t)tag[1] << 16 | (uint32_t)tag[2] << 8 | tag[3];
    return got == want ? MM_OK : MM_EAUTH;
}

static const uint8_t supplier[8] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
static const uint8_t meter[8] = {0xA0, 0xB1, 0xC2, 0xD3, 0xE4, 0xF5, 0x06, 0x17};
static const uint8_t gas[8] = {0xA0, 0xB1, 0xC2, 0xD3, 0xE4, 0xF5, 0x06, 0x18};

static void fail(const char *what, const char *digits, size_t n)
{
    fprintf(stderr, "utrn: %s: \"%.*s\"\n", what, (int)n, digits);
    __builtin_trap();
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return n > 0;
}

/* The parser's own invariants on N typed characters. */
static void check_parse(const char *s, size_t n)
{
    int valid = mm_utrn_verhoeff_valid(s, n);
    if (all_digits(s, n) ? (valid != MM_OK && valid != MM_ECHECKDIGIT) : valid != MM_EMALFORMED)
        fail("the Verhoeff check gives an unexpected code", s, n);
    char check;
    if (all_digits(s, n) && n < 64) {
        char with[65];
        if (mm_utrn_verhoeff_digit(s, n, &check) != MM_OK) fail("no check digit", s, n);
        memcpy(with, s, n);
        with[n] = check;
        if (mm_utrn_verhoeff_valid(with, n + 1) != MM_OK)
            fail("digits with their check digit are not valid", with, n + 1);
    }
    mm_utrn_fields f;
    int rc = mm_utrn_decode(s, n, &f);
    if (rc == MM_OK) {
        char again[MM_UTRN_DIGITS + 1];
        if (valid != MM_OK) fail("decoded without a valid check digit", s, n);
        if (mm_utrn_encode(&f, again) != MM_OK || memcmp(again, s, MM_UTRN_DIGITS) != 0)
            fail("a decoded UTRN does not encode to its digits", s, n);
    } else if (rc != MM_EMALFORMED && rc != MM_ECHECKDIGIT) {
        fail("decode gives an unexpected code", s, n);
    } else if (n == MM_UTRN_DIGITS && valid == MM_OK && rc != MM_EMALFORMED) {
        fail("a valid UTRN refused other than as malformed", s, n);
    }
}

/* F with the tag that TARGET's meter accepts at counter high word HI. */
static void sign(mm_utrn_fields *f, const uint8_t target[8], uint32_t hi)
{
    uint8_t aad[MM_UTRN_AAD_LEN];
    mm_utrn_auth_data(supplier, target, (uint64_t)hi << 32, f, aad);
    f->tag = fnv1a(aad, sizeof aad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    const char *s = (const char *)data;
    check_parse(s, size);

    mm_utrn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.device_id, meter, 8);
    memcpy(cfg.supplier_id, supplier, 8);
    memcpy(cfg.sibling_ids[0], gas, 8);
    cfg.max_credit = size > 0 ? (mm_credit_t)data[0] * 100000 : 0;
    mm_event ring[8];
    mm_event_log log;
    mm_hal_crypto crypto = {0};
    mm_utrn u;
    if (mm_event_log_init(&log, ring, 8) != MM_OK || mm_utrn_init(&u, &cfg, &log, &crypto) != MM_OK)
        __builtin_trap();

    for (size_t at = 0; at + MM_UTRN_DIGITS <= size; at += MM_UTRN_DIGITS) {
        char digits[MM_UTRN_DIGITS + 1];
        memcpy(digits, s + at, MM_UTRN_DIGITS);
        digits[MM_UTRN_DIGITS] = '\0';
        check_parse(digits, MM_UTRN_DIGITS);
        mm_utrn_fields f;
        if (mm_utrn_decode(digits, MM_UTRN_DIGITS, &f) == MM_OK) {
            /* The counter the meter will reconstruct, as mm_utrn_enter does. */
            uint32_t hi = u.any ? (u.last_hi - 512u) + ((f.counter10 - (u.last_hi - 512u)) & 0x3FFu)
                                : f.counter10;
            unsigned how = (unsigned)(digits[MM_UTRN_DIGITS - 1] - '0') % 4;
            if (how == 1 || how == 2) sign(&f, meter, hi);
            if (how == 3) sign(&f, gas, hi);
            if (mm_utrn_encode(&f, digits) != MM_OK) fail("a signed UTRN does not encode", digits, 20);
        }
        mm_credit_t amount = -1;
        uint32_t now = (uint32_t)at;
        int rc = mm_utrn_enter(&u, meter, digits, MM_UTRN_DIGITS, now, &amount);
        if (rc == MM_OK) {
            if (mm_utrn_decode(digits, MM_UTRN_DIGITS, &f) != MM_OK || amount != mm_utrn_amount(&f))
                fail("accepted with a credit other than its value", digits, 20);
            mm_credit_t again = -1;
            if (mm_utrn_enter(&u, meter, digits, MM_UTRN_DIGITS, now, &again) != MM_EREPLAY)
                fail("an accepted UTRN is accepted again", digits, 20);
        } else if (rc != MM_EMALFORMED && rc != MM_ECHECKDIGIT && rc != MM_EAUTH &&
                   rc != MM_EWRONGDEV && rc != MM_EREPLAY && rc != MM_ERANGE) {
            fail("entry gives an unexpected code", digits, 20);
        }
    }
    mm_utrn_deinit(&u);
    return 0;
}

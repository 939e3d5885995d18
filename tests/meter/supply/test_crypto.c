/* The simulator's crypto HAL: mbedTLS against published vectors, and the modelled mode making
 * the same accept/reject decisions. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/command.h"
#include "mm/status_supply.h"
#include "mm_port_sim_crypto.h"

Test(crypto, sha256_matches_the_fips_180_example)
{
    /* FIPS 180-2, appendix B.1: SHA-256("abc") */
    static const uint8_t want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                     0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                     0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                     0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t out[32];
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_REAL, NULL);
    cr_assert_eq(mm_hal_crypto_sha256(&c, "abc", 3, out), MM_OK);
    cr_expect_arr_eq(out, want, 32);
}

Test(crypto, gmac_matches_the_gcm_spec_test_case_1_and_checks_truncated_tags)
{
    /* McGrew and Viega, "The Galois/Counter Mode of Operation", test case 1: K = 0, IV = 0,
     * no plaintext, no AAD: T = 58e2fccefa7e3061367f1d57a4e7455a */
    static const uint8_t tag[16] = {0x58, 0xe2, 0xfc, 0xce, 0xfa, 0x7e, 0x30, 0x61,
                                    0x36, 0x7f, 0x1d, 0x57, 0xa4, 0xe7, 0x45, 0x5a};
    static const uint8_t zero[16] = {0};
    mm_port_sim_keys *k = mm_port_sim_keys_create(1);
    cr_assert_not_null(k);
    cr_assert_eq(mm_port_sim_keys_set_aes(k, MM_KEY_UTRN, zero), MM_OK);
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_REAL, k);
    uint8_t got[16];
    cr_assert_eq(mm_port_sim_crypto_mac(&c, MM_KEY_UTRN, zero, NULL, 0, true, got), MM_OK);
    cr_expect_arr_eq(got, tag, 16);
    cr_expect_eq(mm_hal_crypto_mac_verify(&c, MM_KEY_UTRN, zero, NULL, 0, tag, 16), MM_OK);
    cr_expect_eq(mm_hal_crypto_mac_verify(&c, MM_KEY_UTRN, zero, NULL, 0, tag + 12, 4), MM_OK,
                 "UTRNs carry the last 4 bytes");
    cr_expect_eq(mm_hal_crypto_mac_verify(&c, MM_KEY_UTRN, zero, NULL, 0, tag, 4), MM_EAUTH);
    cr_expect_eq(mm_hal_crypto_mac_verify(&c, MM_KEY_UTRN, zero, NULL, 0, tag, 3), MM_EINVAL);
    cr_expect_eq(mm_hal_crypto_mac_verify(&c, MM_KEY_SUPPLIER_SIG, zero, NULL, 0, tag, 16),
                 MM_EINVAL, "not a MAC key");
    mm_port_sim_keys_destroy(k);
}

static void sign_verify(mm_port_sim_crypto_mode mode, mm_port_sim_keys *k)
{
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, mode, k);
    uint8_t hash[32], sig[64], forged[64];
    mm_hal_crypto_sha256(&c, "disable supply", 14, hash);
    cr_assert_eq(mm_port_sim_crypto_sign(&c, MM_KEY_SUPPLIER_SIG, hash, true, sig), MM_OK);
    cr_expect_eq(mm_hal_crypto_sig_verify(&c, MM_KEY_SUPPLIER_SIG, hash, sig), MM_OK, "mode %d",
                 mode);
    cr_expect_eq(mm_hal_crypto_sig_verify(&c, MM_KEY_NETWORK_SIG, hash, sig), MM_EAUTH,
                 "another party's key");
    cr_assert_eq(mm_port_sim_crypto_sign(&c, MM_KEY_SUPPLIER_SIG, hash, false, forged), MM_OK);
    cr_expect_eq(mm_hal_crypto_sig_verify(&c, MM_KEY_SUPPLIER_SIG, hash, forged), MM_EAUTH);
    hash[0] ^= 1;
    cr_expect_eq(mm_hal_crypto_sig_verify(&c, MM_KEY_SUPPLIER_SIG, hash, sig), MM_EAUTH);
    memset(sig, 0, 64);
    cr_expect_eq(mm_hal_crypto_sig_verify(&c, MM_KEY_SUPPLIER_SIG, hash, sig), MM_EAUTH);
    cr_expect_eq(c.sigs, 5u);
}

Test(crypto, ecdsa_p256_and_the_modelled_mode_make_the_same_decisions)
{
    mm_port_sim_keys *k = mm_port_sim_keys_create(9);
    sign_verify(MM_PORT_SIM_CRYPTO_REAL, k);
    sign_verify(MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    mm_port_sim_keys_destroy(k);
}

Test(crypto, key_sets_are_deterministic_in_their_seed)
{
    mm_port_sim_keys *a = mm_port_sim_keys_create(5), *b = mm_port_sim_keys_create(5);
    mm_hal_crypto ca, cb;
    mm_port_sim_crypto_init(&ca, MM_PORT_SIM_CRYPTO_REAL, a);
    mm_port_sim_crypto_init(&cb, MM_PORT_SIM_CRYPTO_REAL, b);
    uint8_t hash[32] = {1}, sig[64];
    mm_port_sim_crypto_sign(&ca, MM_KEY_SUPPLIER_SIG, hash, true, sig);
    cr_expect_eq(mm_hal_crypto_sig_verify(&cb, MM_KEY_SUPPLIER_SIG, hash, sig), MM_OK);
    mm_port_sim_keys_destroy(a);
    mm_port_sim_keys_destroy(b);
}

/* The modelled tag as its definition says: the first 16 bytes of SHA-256 over the label, the
 * key's number, the nonce and the authenticated data. */
static void token_of(bool held, unsigned key_id, const uint8_t nonce[12], const uint8_t *aad,
                     size_t n, uint8_t tag[16])
{
    uint8_t buf[64 + MM_CMD_AUTH_MAX + 16], out[32];
    const char *what = held ? "mm-mac" : "mm-mac-forged";
    size_t len = strlen(what);
    memcpy(buf, what, len);
    buf[len++] = (uint8_t)key_id;
    memcpy(buf + len, nonce, 12);
    len += 12;
    memcpy(buf + len, aad, n);
    len += n;
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    mm_hal_crypto_sha256(&c, buf, len, out);
    memcpy(tag, out, 16);
}

Test(crypto, a_modelled_tag_made_again_answers_for_exactly_its_inputs)
{
    /* The port keeps the last tag it made: each step below repeats the one before or changes
     * one input (a byte of the nonce or of the data, the data's length, the key, whether the
     * sender holds it, data longer than any command's); every tag must be the token of its own
     * inputs, and verifying must follow it. */
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, aad[MM_CMD_AUTH_MAX + 8];
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)(i * 7u + 1u);
    struct step {
        int nonce_byte, aad_byte; /* -1: unchanged */
        size_t n;
        unsigned key;
        bool held;
    } steps[] = {
        {-1, -1, 40, MM_KEY_SUPPLIER_MAC, true}, {-1, -1, 40, MM_KEY_SUPPLIER_MAC, true},
        {11, -1, 40, MM_KEY_SUPPLIER_MAC, true}, {-1, 39, 40, MM_KEY_SUPPLIER_MAC, true},
        {-1, 0, 40, MM_KEY_SUPPLIER_MAC, true},  {-1, -1, 39, MM_KEY_SUPPLIER_MAC, true},
        {-1, -1, 39, MM_KEY_NETWORK_MAC, true},  {-1, -1, 39, MM_KEY_NETWORK_MAC, false},
        {-1, -1, 0, MM_KEY_NETWORK_MAC, false},  {-1, -1, 0, MM_KEY_NETWORK_MAC, true},
        {-1, -1, sizeof aad, MM_KEY_UTRN, true}, {-1, 5, sizeof aad, MM_KEY_UTRN, true},
        {-1, -1, sizeof aad, MM_KEY_UTRN, true}, {0, -1, 40, MM_KEY_SUPPLIER_MAC, true},
    };
    uint8_t prev[16] = {0};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        const struct step *st = &steps[s];
        if (st->nonce_byte >= 0) nonce[st->nonce_byte] ^= 0x5a;
        if (st->aad_byte >= 0) aad[st->aad_byte] ^= 0x01;
        uint8_t got[16], want[16], good[16];
        cr_assert_eq(mm_port_sim_crypto_mac(&c, st->key, nonce, aad, st->n, st->held, got), MM_OK);
        token_of(st->held, st->key, nonce, aad, st->n, want);
        token_of(true, st->key, nonce, aad, st->n, good);
        cr_expect_arr_eq(got, want, 16, "step %zu", s);
        cr_expect_eq(mm_hal_crypto_mac_verify(&c, st->key, nonce, aad, st->n, got, 16),
                     st->held ? MM_OK : MM_EAUTH, "step %zu", s);
        cr_expect_eq(mm_hal_crypto_mac_verify(&c, st->key, nonce, aad, st->n, prev, 16),
                     memcmp(prev, good, 16) == 0 ? MM_OK : MM_EAUTH,
                     "step %zu: the step before's tag", s);
        memcpy(prev, got, 16);
    }
}

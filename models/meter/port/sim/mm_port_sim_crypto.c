/* Simulator crypto HAL on mbedTLS 2.28 (see mm_port_sim_crypto.h). */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "mm/bytes.h"
#include "mm/command.h"
#include "mm/meter.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"
#include "mm_port_sim_crypto.h"
#include "mm_port_sim_sha256.h"

enum { N_SIG = 2 }; /* supplier, network operator */

struct mm_port_sim_keys {
    uint8_t aes[MM_KEY_COUNT][16];
    mbedtls_ecdsa_context sig[N_SIG]; /* the parties' key pairs */
    mbedtls_ecdsa_context forger;     /* a key pair nobody trusts */
    uint8_t forger_aes[16];
};

static int sig_index(unsigned key_id)
{
    return key_id == MM_KEY_SUPPLIER_SIG ? 0 : key_id == MM_KEY_NETWORK_SIG ? 1 : -1;
}

static bool is_mac_key(unsigned key_id)
{
    return key_id == MM_KEY_SUPPLIER_MAC || key_id == MM_KEY_NETWORK_MAC || key_id == MM_KEY_UTRN;
}

static void derive(uint64_t seed, const char *label, unsigned id, uint8_t out[32])
{
    uint8_t buf[64];
    size_t n = 0;
    mm_put_le(buf + n, seed, 8);
    n += 8;
    size_t l = strlen(label);
    memcpy(buf + n, label, l);
    n += l;
    buf[n++] = (uint8_t)id;
    mm_port_sha256_digest(buf, n, out);
}

static int gen_pair(mbedtls_ecdsa_context *ctx, uint64_t seed, unsigned id)
{
    uint8_t s[32];
    mbedtls_hmac_drbg_context drbg;
    derive(seed, "metersim-ecdsa", id, s);
    mbedtls_hmac_drbg_init(&drbg);
    int rc = mbedtls_hmac_drbg_seed_buf(&drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), s,
                                        sizeof s);
    if (rc == 0)
        rc = mbedtls_ecdsa_genkey(ctx, MBEDTLS_ECP_DP_SECP256R1, mbedtls_hmac_drbg_random, &drbg);
    mbedtls_hmac_drbg_free(&drbg);
    return rc;
}

mm_port_sim_keys *mm_port_sim_keys_create(uint64_t seed)
{
    mm_port_sim_keys *k = calloc(1, sizeof *k);
    if (k == NULL) return NULL;
    uint8_t d[32];
    for (unsigned id = 0; id < MM_KEY_COUNT; id++) {
        derive(seed, "metersim-aes", id, d);
        memcpy(k->aes[id], d, 16);
    }
    derive(seed, "metersim-forger-aes", 0, d);
    memcpy(k->forger_aes, d, 16);
    int rc = 0;
    for (int i = 0; i < N_SIG; i++) {
        mbedtls_ecdsa_init(&k->sig[i]);
        if (rc == 0) rc = gen_pair(&k->sig[i], seed, (unsigned)i);
    }
    mbedtls_ecdsa_init(&k->forger);
    if (rc == 0) rc = gen_pair(&k->forger, seed, 99u);
    if (rc != 0) {
        mm_port_sim_keys_destroy(k);
        return NULL;
    }
    return k;
}

void mm_port_sim_keys_destroy(mm_port_sim_keys *k)
{
    if (k == NULL) return;
    for (int i = 0; i < N_SIG; i++)
        mbedtls_ecdsa_free(&k->sig[i]);
    mbedtls_ecdsa_free(&k->forger);
    mbedtls_platform_zeroize(k, sizeof *k);
    free(k);
}

void mm_port_sim_crypto_init(mm_hal_crypto *c, mm_port_sim_crypto_mode mode,
                             const mm_port_sim_keys *keys)
{
    memset(c, 0, sizeof *c);
    c->mode = mode;
    c->keys = keys;
}

/* ---- modelled mode: SHA-256 tokens over what the real primitive covers ---- */

static void model_token(const char *what, unsigned key_id, const uint8_t *a, size_t a_len,
                        const void *b, size_t b_len, uint8_t out[32])
{
    mm_port_sha256 s;
    uint8_t id = (uint8_t)key_id;
    mm_port_sha256_start(&s);
    mm_port_sha256_update(&s, what, strlen(what));
    mm_port_sha256_update(&s, &id, 1);
    if (a_len) mm_port_sha256_update(&s, a, a_len);
    if (b_len) mm_port_sha256_update(&s, b, b_len);
    mm_port_sha256_finish(&s, out);
}

/* ---- real mode ---- */

static int gmac(const uint8_t key[16], const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad,
                size_t aad_len, uint8_t tag[MM_GCM_TAG_LEN])
{
    mbedtls_gcm_context g;
    mbedtls_gcm_init(&g);
    int rc = mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (rc == 0)
        rc = mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, 0, nonce, MM_GCM_NONCE_LEN, aad,
                                       aad_len, NULL, NULL, MM_GCM_TAG_LEN, tag);
    mbedtls_gcm_free(&g);
    return rc == 0 ? MM_OK : MM_EIO;
}

/* The last modelled tag and every input it was made from.  A command's tag is made twice
 * with the same inputs, by the head-end framing it and by the meter checking it, one after
 * the other: the second is taken from here.  A tag is reused only for inputs equal byte for
 * byte, so the answer is always the token's. */
static _Thread_local struct {
    bool valid, held;
    uint8_t key_id;
    uint16_t aad_len;
    uint8_t nonce[MM_GCM_NONCE_LEN];
    uint8_t aad[MM_CMD_AUTH_MAX];
    uint8_t tag[MM_GCM_TAG_LEN];
} last_tag;

static void model_tag(unsigned key_id, const uint8_t *nonce, const void *aad, size_t aad_len,
                      bool held, uint8_t tag[MM_GCM_TAG_LEN])
{
    bool keep = aad_len <= sizeof last_tag.aad;
    if (keep && last_tag.valid && last_tag.held == held && last_tag.key_id == key_id &&
        last_tag.aad_len == aad_len && memcmp(last_tag.nonce, nonce, MM_GCM_NONCE_LEN) == 0 &&
        (aad_len == 0 || memcmp(last_tag.aad, aad, aad_len) == 0)) {
        memcpy(tag, last_tag.tag, MM_GCM_TAG_LEN);
        return;
    }
    uint8_t t[32];
    model_token(held ? "mm-mac" : "mm-mac-forged", key_id, nonce, MM_GCM_NONCE_LEN, aad, aad_len,
                t);
    memcpy(tag, t, MM_GCM_TAG_LEN);
    last_tag.valid = keep;
    if (!keep) return;
    last_tag.held = held;
    last_tag.key_id = (uint8_t)key_id;
    last_tag.aad_len = (uint16_t)aad_len;
    memcpy(last_tag.nonce, nonce, MM_GCM_NONCE_LEN);
    if (aad_len) memcpy(last_tag.aad, aad, aad_len);
    memcpy(last_tag.tag, t, MM_GCM_TAG_LEN);
}

static int tag_for(const mm_hal_crypto *c, unsigned key_id, const uint8_t *nonce, const void *aad,
                   size_t aad_len, bool held, uint8_t tag[MM_GCM_TAG_LEN])
{
    if (c == NULL || !is_mac_key(key_id) || nonce == NULL || (aad == NULL && aad_len > 0))
        return MM_EINVAL;
    if (c->mode == MM_PORT_SIM_CRYPTO_MODELLED) {
        model_tag(key_id, nonce, aad, aad_len, held, tag);
        return MM_OK;
    }
    if (c->keys == NULL) return MM_EINVAL;
    return gmac(held ? c->keys->aes[key_id] : c->keys->forger_aes, nonce, aad, aad_len, tag);
}

int mm_port_sim_crypto_mac(const mm_hal_crypto *c, unsigned key_id,
                           const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad, size_t aad_len,
                           bool held_key, uint8_t tag[MM_GCM_TAG_LEN])
{
    return tag_for(c, key_id, nonce, aad, aad_len, held_key, tag);
}

int mm_hal_crypto_sha256(mm_hal_crypto *c, const void *data, size_t len, uint8_t out[MM_SHA256_LEN])
{
    (void)c;
    if (data == NULL && len > 0) return MM_EINVAL;
    mm_port_sha256_digest(data, len, out);
    return MM_OK;
}

/* The running hash is the port's SHA-256 state copied in and out of the caller's bytes, so
 * the caller may move them between calls (the HAL contract). */
_Static_assert(sizeof(mm_port_sha256) <= MM_SHA256_CTX_LEN,
               "mm_port_sha256 does not fit mm_sha256_ctx");

int mm_hal_crypto_sha256_start(mm_hal_crypto *c, mm_sha256_ctx *ctx)
{
    (void)c;
    if (ctx == NULL) return MM_EINVAL;
    mm_port_sha256 s;
    mm_port_sha256_start(&s);
    memset(ctx, 0, sizeof *ctx);
    memcpy(ctx->bytes, &s, sizeof s);
    return MM_OK;
}

int mm_hal_crypto_sha256_update(mm_hal_crypto *c, mm_sha256_ctx *ctx, const void *data,
                                size_t len)
{
    (void)c;
    if (ctx == NULL || (data == NULL && len > 0)) return MM_EINVAL;
    mm_port_sha256 s;
    memcpy(&s, ctx->bytes, sizeof s);
    if (len > 0) mm_port_sha256_update(&s, data, len);
    memcpy(ctx->bytes, &s, sizeof s);
    mbedtls_platform_zeroize(&s, sizeof s);
    return MM_OK;
}

int mm_hal_crypto_sha256_finish(mm_hal_crypto *c, mm_sha256_ctx *ctx, uint8_t out[MM_SHA256_LEN])
{
    (void)c;
    if (ctx == NULL || out == NULL) return MM_EINVAL;
    mm_port_sha256 s;
    memcpy(&s, ctx->bytes, sizeof s);
    mm_port_sha256_finish(&s, out);
    mbedtls_platform_zeroize(&s, sizeof s);
    memset(ctx, 0, sizeof *ctx);
    return MM_OK;
}

int mm_hal_crypto_mac_verify(mm_hal_crypto *c, unsigned key_id,
                             const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad, size_t aad_len,
                             const uint8_t *tag, size_t tag_len)
{
    uint8_t want[MM_GCM_TAG_LEN];
    if (tag == NULL || tag_len < 4 || tag_len > MM_GCM_TAG_LEN) return MM_EINVAL;
    int rc = tag_for(c, key_id, nonce, aad, aad_len, true, want);
    if (rc != MM_OK) return rc;
    c->macs++;
    /* constant time over the compared bytes: the last TAG_LEN of the full tag */
    uint8_t diff = 0;
    for (size_t i = 0; i < tag_len; i++)
        diff |= (uint8_t)(want[MM_GCM_TAG_LEN - tag_len + i] ^ tag[i]);
    return diff == 0 ? MM_OK : MM_EAUTH;
}

int mm_port_sim_crypto_sign(const mm_hal_crypto *c, unsigned key_id,
                            const uint8_t hash[MM_SHA256_LEN], bool held_key,
                            uint8_t sig[MM_P256_SIG_LEN])
{
    int i = sig_index(key_id);
    if (c == NULL || i < 0 || hash == NULL || sig == NULL) return MM_EINVAL;
    if (c->mode == MM_PORT_SIM_CRYPTO_MODELLED) {
        uint8_t t[32];
        model_token(held_key ? "mm-sig" : "mm-sig-forged", key_id, hash, MM_SHA256_LEN, NULL, 0, t);
        memcpy(sig, t, 32);
        memset(sig + 32, 0, 32);
        return MM_OK;
    }
    if (c->keys == NULL) return MM_EINVAL;
    /* mbedTLS takes the group and key by non-const pointer; signing does not change them. */
    mbedtls_ecdsa_context *k = held_key ? (mbedtls_ecdsa_context *)&c->keys->sig[i]
                                        : (mbedtls_ecdsa_context *)&c->keys->forger;
    /* Blinding needs random bytes but does not change the (RFC 6979) signature: a DRBG
     * seeded from the hash keeps the sender side deterministic too. */
    mbedtls_hmac_drbg_context blind;
    mbedtls_mpi r, s;
    mbedtls_hmac_drbg_init(&blind);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_hmac_drbg_seed_buf(&blind, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), hash,
                                        MM_SHA256_LEN);
    if (rc == 0)
        rc = mbedtls_ecdsa_sign_det_ext(&k->grp, &r, &s, &k->d, hash, MM_SHA256_LEN,
                                        MBEDTLS_MD_SHA256, mbedtls_hmac_drbg_random, &blind);
    if (rc == 0) rc = mbedtls_mpi_write_binary(&r, sig, 32);
    if (rc == 0) rc = mbedtls_mpi_write_binary(&s, sig + 32, 32);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_hmac_drbg_free(&blind);
    return rc == 0 ? MM_OK : MM_EIO;
}

int mm_hal_crypto_sig_verify(mm_hal_crypto *c, unsigned key_id, const uint8_t hash[MM_SHA256_LEN],
                             const uint8_t sig[MM_P256_SIG_LEN])
{
    int i = sig_index(key_id);
    if (c == NULL || i < 0 || hash == NULL || sig == NULL) return MM_EINVAL;
    c->sigs++;
    if (c->mode == MM_PORT_SIM_CRYPTO_MODELLED) {
        uint8_t t[32];
        uint8_t diff = 0;
        model_token("mm-sig", key_id, hash, MM_SHA256_LEN, NULL, 0, t);
        for (unsigned j = 0; j < 32; j++)
            diff |= (uint8_t)(t[j] ^ sig[j]);
        for (unsigned j = 32; j < MM_P256_SIG_LEN; j++)
            diff |= sig[j];
        return diff == 0 ? MM_OK : MM_EAUTH;
    }
    if (c->keys == NULL) return MM_EINVAL;
    mbedtls_ecdsa_context *k = (mbedtls_ecdsa_context *)&c->keys->sig[i];
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    int rc = mbedtls_mpi_read_binary(&r, sig, 32);
    if (rc == 0) rc = mbedtls_mpi_read_binary(&s, sig + 32, 32);
    if (rc == 0) rc = mbedtls_ecdsa_verify(&k->grp, hash, MM_SHA256_LEN, &k->Q, &r, &s);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    if (rc == 0) return MM_OK;
    return rc == MBEDTLS_ERR_ECP_VERIFY_FAILED || rc == MBEDTLS_ERR_ECP_BAD_INPUT_DATA ? MM_EAUTH
                                                                                       : MM_EIO;
}

int mm_port_sim_keys_set_aes(mm_port_sim_keys *k, unsigned key_id, const uint8_t key[16])
{
    if (k == NULL || key == NULL || !is_mac_key(key_id)) return MM_EINVAL;
    memcpy(k->aes[key_id], key, 16);
    return MM_OK;
}

int mm_port_sim_cmd_frame(const mm_hal_crypto *c, const uint8_t device_id[8], unsigned role,
                          uint64_t counter, uint16_t id, const void *payload, uint16_t n, bool sign,
                          bool held_key, uint8_t *out, size_t cap, size_t *len)
{
    if (c == NULL || device_id == NULL || len == NULL) return MM_EINVAL;
    size_t body = mm_cmd_build(out, cap, role, counter, id, payload, n, sign);
    if (body == 0) return MM_EINVAL;
    uint8_t auth[MM_CMD_AUTH_MAX], nonce[MM_GCM_NONCE_LEN], tag[MM_GCM_TAG_LEN];
    size_t an = mm_cmd_auth_data(device_id, out, body, auth);
    mm_cmd_nonce(counter, device_id, nonce);
    int rc = mm_port_sim_crypto_mac(c, mm_cmd_mac_key(role), nonce, auth, an, held_key, tag);
    if (rc != MM_OK) return rc;
    memcpy(out + body, tag + MM_GCM_TAG_LEN - MM_CMD_MAC_LEN, MM_CMD_MAC_LEN);
    *len = body + MM_CMD_MAC_LEN;
    if (sign) {
        uint8_t hash[MM_SHA256_LEN];
        mm_port_sha256_digest(auth, an, hash);
        rc = mm_port_sim_crypto_sign(c, mm_cmd_sig_key(role), hash, held_key, out + *len);
        if (rc != MM_OK) return rc;
        *len += MM_CMD_SIG_LEN;
    }
    return MM_OK;
}

int mm_port_sim_utrn(const mm_hal_crypto *c, const uint8_t supplier[8], const uint8_t target[8],
                     uint32_t counter_hi, unsigned value_class, unsigned value, bool held_key,
                     char out[21])
{
    if (c == NULL || supplier == NULL || target == NULL || out == NULL) return MM_EINVAL;
    mm_utrn_fields f = {.counter10 = (uint16_t)(counter_hi & 0x3FFu),
                        .value_class = (uint8_t)value_class,
                        .value = (uint16_t)value,
                        .tag = 0};
    if (value_class > MM_UTRN_POUNDS || value > 0x1FFFu) return MM_EINVAL;
    uint8_t aad[MM_UTRN_AAD_LEN], nonce[MM_GCM_NONCE_LEN], tag[MM_GCM_TAG_LEN];
    mm_utrn_auth_data(supplier, target, (uint64_t)counter_hi << 32, &f, aad);
    mm_utrn_nonce(supplier, nonce);
    int rc = mm_port_sim_crypto_mac(c, MM_KEY_UTRN, nonce, aad, sizeof aad, held_key, tag);
    if (rc != MM_OK) return rc;
    f.tag = mm_get_be32(tag + 12);
    return mm_utrn_encode(&f, out);
}

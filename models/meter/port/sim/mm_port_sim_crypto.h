/* The crypto HAL for the simulator host: mbedTLS (Debian libmbedcrypto 2.28) or a modelled
 * mode for large runs.
 *
 * A key set (mm_port_sim_keys) holds the AES-128 keys and ECDSA P-256 key pairs of the remote
 * parties, derived deterministically from a seed so a run is a pure function of its inputs;
 * many meters share one set by pointer.  Each meter's mm_hal_crypto names its key set and a
 * mode:
 * - MM_PORT_SIM_CRYPTO_REAL: GMAC with AES-128-GCM and ECDSA P-256 over SHA-256, computed by
 *   mbedTLS.  About a millisecond per signature check: fine for thousands of meters.
 * - MM_PORT_SIM_CRYPTO_MODELLED: a frame carries whether its sender held the key.  Tags and
 *   signatures are SHA-256 tokens over the same bytes the real ones cover, bound to the key id;
 *   a sender without the key produces a token that does not verify.  The firmware sees the same
 *   accept/reject decisions as in the real mode (tampered bytes, wrong key, no key all fail),
 *   at the cost of one SHA-256.
 * The sender side (head-end model, tests) builds tags and signatures with mm_port_sim_crypto_mac
 * and mm_port_sim_crypto_sign, in whichever mode the meter uses.  Hosted C: this file may
 * allocate (key sets only), unlike the core.
 */
#ifndef MM_PORT_SIM_CRYPTO_H
#define MM_PORT_SIM_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include "mm_hal_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mm_port_sim_crypto_mode {
    MM_PORT_SIM_CRYPTO_REAL = 0,
    MM_PORT_SIM_CRYPTO_MODELLED = 1,
} mm_port_sim_crypto_mode;

typedef struct mm_port_sim_keys mm_port_sim_keys; /* opaque: mbedTLS contexts */

/* Key set derived from SEED (AES keys by SHA-256, ECDSA keys by HMAC-DRBG); NULL on failure. */
mm_port_sim_keys *mm_port_sim_keys_create(uint64_t seed);
void mm_port_sim_keys_destroy(mm_port_sim_keys *k); /* accepts NULL */

struct mm_hal_crypto {
    mm_port_sim_crypto_mode mode;
    const mm_port_sim_keys *keys; /* shared, must outlive the meter; NULL allowed if MODELLED */
    uint32_t macs;                /* MAC verifications made [count] */
    uint32_t sigs;                /* signature verifications made [count] */
};

void mm_port_sim_crypto_init(mm_hal_crypto *c, mm_port_sim_crypto_mode mode,
                             const mm_port_sim_keys *keys);

/* Sender side: the 16-byte tag of (KEY_ID, NONCE, AAD) as a holder of the key computes it, or,
 * with HELD_KEY false, as a sender without the key would (a tag that does not verify).
 * 0 or MM_EINVAL / MM_EIO. */
int mm_port_sim_crypto_mac(const mm_hal_crypto *c, unsigned key_id,
                           const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad, size_t aad_len,
                           bool held_key, uint8_t tag[MM_GCM_TAG_LEN]);

/* Sender side: ECDSA P-256 signature r || s over HASH with the private key of KEY_ID
 * (deterministic, RFC 6979), or a signature by another key when HELD_KEY is false. */
int mm_port_sim_crypto_sign(const mm_hal_crypto *c, unsigned key_id,
                            const uint8_t hash[MM_SHA256_LEN], bool held_key,
                            uint8_t sig[MM_P256_SIG_LEN]);

/* Replace the AES key KEY_ID of a key set (tests: published GCM vectors).  MM_EINVAL. */
int mm_port_sim_keys_set_aes(mm_port_sim_keys *k, unsigned key_id, const uint8_t key[16]);

/* Sender side of a whole command frame (mm/command.h): header, payload, MAC and, if SIGN,
 * the signature, as ROLE would send it to DEVICE_ID -- holding its keys or not.  Frame length
 * in *LEN.  MM_EINVAL if it does not fit CAP. */
int mm_port_sim_cmd_frame(const mm_hal_crypto *c, const uint8_t device_id[8], unsigned role,
                          uint64_t counter, uint16_t id, const void *payload, uint16_t n, bool sign,
                          bool held_key, uint8_t *out, size_t cap, size_t *len);

/* Sender side of a UTRN (mm/utrn.h) from SUPPLIER to TARGET with the counter's high word
 * COUNTER_HI (the counter is COUNTER_HI << 32), into OUT (20 digits and a NUL). */
int mm_port_sim_utrn(const mm_hal_crypto *c, const uint8_t supplier[8], const uint8_t target[8],
                     uint32_t counter_hi, unsigned value_class, unsigned value, bool held_key,
                     char out[21]);

#ifdef __cplusplus
}
#endif

#endif

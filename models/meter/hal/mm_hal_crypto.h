/* HAL crypto: the three primitives the meter's security needs, supplied by the port.
 *
 * GBCS protects commands with an AES-128-GCM MAC (here as GMAC: GCM with no plaintext, the
 * authenticated bytes as additional data) and signs critical commands with ECDSA P-256 over
 * SHA-256 (GBCS); UTRNs carry a 32-bit truncation of such a GCM tag.  The core
 * never implements a cipher itself: it builds the nonce and the authenticated bytes and asks
 * this HAL, which on a real meter wraps the secure element or a vetted library, and in the
 * simulator wraps mbedTLS (port/sim/mm_port_sim_crypto.c) or a modelled mode.  Keys never
 * leave the port: the core names them by id.  Deliberately not here: key agreement, key
 * storage and certificate handling (the port's business), encryption of payloads.
 *
 * Contract:
 * - mm_hal_crypto_sha256: SHA-256 (FIPS 180-4) of LEN bytes into OUT.  0, or MM_EIO.
 * - mm_hal_crypto_sha256_start, _update, _finish: the same hash of a message given in pieces
 *   (a firmware image arriving block by block).  CTX is the caller's: one per message in
 *   flight, so one HAL serves many messages (the simulator shares one among all its meters).
 *   Its bytes are the port's, with no pointers into itself, so the caller may copy or move it
 *   between calls; start makes it valid, update takes LEN bytes (0 allowed), finish writes the
 *   digest and leaves CTX to be started again.  0, MM_EINVAL for NULL arguments, MM_EIO; after
 *   an error the message must be started again.
 * - mm_hal_crypto_mac_verify: computes the 16-byte GCM tag of (key KEY_ID, 12-byte NONCE,
 *   no plaintext, additional data AAD) and compares its last TAG_LEN bytes (4..16) with TAG
 *   in constant time; the last bytes, as GBCS truncates UTRN tags (gbcs-parser utrn.ts).
 *   0 if equal, MM_EAUTH if not, MM_EINVAL for an unknown key or a bad length, MM_EIO.
 * - mm_hal_crypto_sig_verify: ECDSA P-256 verification of SIG (r || s, 32 bytes each,
 *   big-endian) over the 32-byte HASH with public key KEY_ID.  0, MM_EAUTH, MM_EINVAL, MM_EIO.
 * Status codes are those of mm/meter.h and mm/status_supply.h.  Not reentrant.
 */
#ifndef MM_HAL_CRYPTO_H
#define MM_HAL_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_SHA256_LEN 32u
#define MM_GCM_NONCE_LEN 12u
#define MM_GCM_TAG_LEN 16u
#define MM_P256_SIG_LEN 64u

/* Key ids: the remote parties whose keys the meter holds (GBCS roles). */
typedef enum mm_key_id {
    MM_KEY_SUPPLIER_MAC = 0, /* supplier's command MAC key */
    MM_KEY_NETWORK_MAC = 1,  /* network operator's command MAC key */
    MM_KEY_UTRN = 2,         /* supplier's prepayment top-up key */
    MM_KEY_SUPPLIER_SIG = 3, /* supplier's ECDSA P-256 public key (critical commands) */
    MM_KEY_NETWORK_SIG = 4,  /* network operator's ECDSA P-256 public key */
    MM_KEY_COUNT
} mm_key_id;

typedef struct mm_hal_crypto mm_hal_crypto; /* defined by the port */

/* Running SHA-256 state, held by the caller; its layout is the port's (mbedTLS 2.28 needs 108
 * bytes; a port needing more than MM_SHA256_CTX_LEN stops its own build). */
#define MM_SHA256_CTX_LEN 128u
typedef union mm_sha256_ctx {
    uint8_t bytes[MM_SHA256_CTX_LEN];
    uint64_t align_; /* aligned for the port's words */
} mm_sha256_ctx;

int mm_hal_crypto_sha256(mm_hal_crypto *c, const void *data, size_t len,
                         uint8_t out[MM_SHA256_LEN]);
int mm_hal_crypto_sha256_start(mm_hal_crypto *c, mm_sha256_ctx *ctx);
int mm_hal_crypto_sha256_update(mm_hal_crypto *c, mm_sha256_ctx *ctx, const void *data,
                                size_t len);
int mm_hal_crypto_sha256_finish(mm_hal_crypto *c, mm_sha256_ctx *ctx, uint8_t out[MM_SHA256_LEN]);
int mm_hal_crypto_mac_verify(mm_hal_crypto *c, unsigned key_id,
                             const uint8_t nonce[MM_GCM_NONCE_LEN], const void *aad, size_t aad_len,
                             const uint8_t *tag, size_t tag_len);
int mm_hal_crypto_sig_verify(mm_hal_crypto *c, unsigned key_id, const uint8_t hash[MM_SHA256_LEN],
                             const uint8_t sig[MM_P256_SIG_LEN]);

#ifdef __cplusplus
}
#endif

#endif

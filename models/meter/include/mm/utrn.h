/* UTRN: the 20-digit Unique Transaction Reference Number a prepayment customer types into the
 * meter (or its PPMID) to add credit, and the checks the meter makes before crediting it.
 *
 * Digits (GBCS section 14, field layout as in the public SmartDCCInnovation gbcs-parser
 * utrn.ts):
 *
 *   UTRN = PPTD (19 decimal digits) || check digit (GBCS 14.8 Verhoeff, see below)
 *   PPTD = 7394156990786306048 + PTUT          (the offset makes every PPTD 19 digits long)
 *   PTUT, 64 bits, most significant first:
 *     bits 63..57   0                          (7 bits)
 *     bits 56..47   counter: bits 41..32 of the supplier's 64-bit originator counter (10 bits)
 *     bits 46..45   value class: 00 pence, 01 pounds (10 and 11 are rejected as malformed)
 *     bits 44..32   value, 0..8191                                                  (13 bits)
 *     bits 31..0    the last 4 bytes of the 16-byte AES-128-GCM tag, big-endian     (32 bits)
 *
 * The tag is a GMAC (no plaintext) with the supplier's top-up key (MM_KEY_UTRN) over the
 * 35-byte additional data
 *   0x11 | 00 00 00 00 00 | originator id (8) | target device id (8) | 0x01 | counter (8, BE) |
 *   PTUT bits 63..32 (4, BE)
 * and nonce originator id (8) | 00 00 00 00.  GBCS derives a fresh key per counter with an ECDH
 * key derivation; here the key is whatever the crypto HAL holds under MM_KEY_UTRN.
 *
 * Check digit (GBCS 14.8): the dihedral-group tables d and p of Verhoeff's check digit scheme
 * (Verhoeff 1969) applied to the digits left to right with the permutation row starting at 4
 * (row (4 + i) mod 8 for the i-th digit); a UTRN is valid when the run over all 20 digits ends
 * at 0.  This differs from the right-to-left textbook variant.
 *
 * Anti-replay: the meter reconstructs the counter's high word from its 10 bits as the value
 * nearest above the highest accepted one (within -512..+511), and accepts it if it is higher,
 * or one of the 32 below that was never used (tokens bought together may be typed out of
 * order); anything else is a duplicate (0x8F51).
 *
 * Outcomes and alerts: check digit or format wrong: MM_ECHECKDIGIT / MM_EMALFORMED, logged as
 * a failed user interface command (0x8162); tag wrong for this meter but right for a sibling
 * device of the premises (the gas meter's UTRN typed into the electricity meter):
 * MM_EWRONGDEV, 0x8F64; tag wrong: MM_EAUTH, 0x8F63; counter reused: MM_EREPLAY, 0x8F51;
 * value above the maximum credit threshold: MM_ERANGE, 0x8F5B.  Deliberately not here: what
 * the credit does (prepay.h), manual-entry lockout after repeated failures.
 */
#ifndef MM_UTRN_H
#define MM_UTRN_H

#include <stddef.h>
#include <stdint.h>

#include "mm/event_log.h"
#include "mm/money.h"
#include "mm_hal_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_UTRN_DIGITS 20u
#define MM_UTRN_PPTD_OFFSET 7394156990786306048u /* GBCS section 14 (gbcs-parser utrn.ts) */
#define MM_UTRN_AAD_LEN 35u
#define MM_UTRN_SIBLINGS 2u

typedef enum mm_utrn_class {
    MM_UTRN_PENCE = 0,
    MM_UTRN_POUNDS = 1,
} mm_utrn_class;

typedef struct mm_utrn_fields {
    uint16_t counter10;  /* bits 41..32 of the originator counter, 0..1023 */
    uint8_t value_class; /* mm_utrn_class */
    uint16_t value;      /* 0..8191 pence or pounds */
    uint32_t tag;        /* last 4 bytes of the GCM tag, big-endian */
} mm_utrn_fields;

typedef struct mm_utrn_config {
    uint8_t device_id[8];                     /* default target id: see mm_utrn_enter */
    uint8_t supplier_id[8];                   /* originator of top-ups */
    uint8_t sibling_ids[MM_UTRN_SIBLINGS][8]; /* other devices of the premises; 0 = none */
    mm_credit_t max_credit;                   /* largest top-up accepted; 0 = no limit */
} mm_utrn_config;

typedef struct mm_utrn {
    const mm_utrn_config *cfg;
    mm_event_log *log;
    mm_hal_crypto *crypto;
    uint32_t last_hi; /* highest accepted counter high word (counter >> 32) */
    uint32_t used;    /* bit i: last_hi - 1 - i was accepted */
    uint8_t any;      /* a UTRN has been accepted */
} mm_utrn;

/* Verhoeff check (GBCS 14.8) of N digits (ASCII '0'..'9'): MM_OK when the run ends at 0,
 * MM_ECHECKDIGIT when not, MM_EMALFORMED for a non-digit or N == 0. */
int mm_utrn_verhoeff_valid(const char *digits, size_t n);
/* The digit that, appended to the N digits, makes them valid. */
int mm_utrn_verhoeff_digit(const char *digits, size_t n, char *out);

/* Split a 20-digit UTRN into its fields (check digit and format checked, no authentication). */
int mm_utrn_decode(const char *digits, size_t n, mm_utrn_fields *out);
/* The 20 digits of F plus a terminating NUL into OUT (sender side and tests).  MM_EINVAL for
 * a field out of range. */
int mm_utrn_encode(const mm_utrn_fields *f, char out[MM_UTRN_DIGITS + 1]);

/* The authenticated bytes and nonce of a UTRN (sender side builds the tag over the same). */
void mm_utrn_auth_data(const uint8_t originator[8], const uint8_t target[8], uint64_t counter,
                       const mm_utrn_fields *f, uint8_t aad[MM_UTRN_AAD_LEN]);
void mm_utrn_nonce(const uint8_t originator[8], uint8_t nonce[MM_GCM_NONCE_LEN]);
/* Credit value of F: value x 1 p or x 1 pound, in credit units. */
mm_credit_t mm_utrn_amount(const mm_utrn_fields *f);

/* CFG, LOG and CRYPTO are kept by pointer.  MM_EINVAL for NULL arguments. */
int mm_utrn_init(mm_utrn *u, const mm_utrn_config *cfg, mm_event_log *log, mm_hal_crypto *crypto);
void mm_utrn_deinit(mm_utrn *u); /* accepts NULL */

/* Check the UTRN typed at meter time NOW into the meter whose id is DEVICE_ID (the tag must
 * name it as target); on MM_OK *AMOUNT is the credit to add and the counter is used up.  The
 * id is passed rather than kept so that meters sharing one config each check their own; the
 * ESME passes its identity (mm_esme_device_id), which is cfg->device_id unless the meter has
 * one of its own.  Errors as in the header comment; each logs its alert.  MM_EINVAL for NULL
 * U, DEVICE_ID or AMOUNT. */
int mm_utrn_enter(mm_utrn *u, const uint8_t device_id[8], const char *digits, size_t n,
                  uint32_t now, mm_credit_t *amount);

#ifdef __cplusplus
}
#endif

#endif

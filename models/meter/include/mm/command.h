/* Command: the byte frames the head-end sends the meter, their parser, and the checks a frame
 * must pass (authentication, anti-replay) before the ESME acts on it.
 *
 * Frame (big-endian, after GBCS's shape: originator counter, MAC, signature for critical
 * commands; the byte layout is metersim's own, not GBCS's ASN.1/DLMS):
 *
 *   off      len  field
 *   0        1    frame type MM_CMD_FRAME_TYPE
 *   1        1    control: bits 0-1 originator role (0 supplier, 1 network operator),
 *                 bit 7 signature present; other bits 0
 *   2        8    originator counter: must exceed the last one accepted from that role
 *   10       2    command id (mm_cmd_id)
 *   12       2    payload length N, 0..MM_CMD_PAYLOAD_MAX
 *   14       N    payload
 *   14+N     12   MAC: the last 12 bytes of the AES-128-GCM tag (GMAC; 12 as GBCS MACs,
 *                 wireshark packet-gbcs.c) with the role's MAC key over
 *                 target device id (8) || bytes 0 .. 14+N, nonce counter (8) || device id
 *                 bytes 4..7 (a counter is never reused, so neither is the nonce)
 *   26+N     64   signature, if bit 7: ECDSA P-256 r || s with the role's signing key over
 *                 SHA-256 of the same bytes the MAC covers
 *   the frame is exactly 26 + N (+ 64) bytes; anything else is malformed.
 *
 * Checks, in order: parse (malformed: logged 0x8F1E, counted), MAC (0x8F3D), signature -- on a
 * SMETS2 build required for critical commands (disable supply, mode change, firmware
 * activate) and verified whenever present (0x8F3D); a SMETS1 build ignores signatures
 * (mm_config.h) -- then the counter (replayed or out of order: logged, counted).  Malformed,
 * unauthentic (MAC or signature) and out-of-order frames counted within a window raise 0x8F60
 * when they reach the threshold (GBCS: unusual numbers of malformed, out-of-order or otherwise
 * unexpected commands).  The counter is consumed only by a frame that passed every check.
 *
 * Durable before effect: the counters live in RAM and in the ESME's NVM record (esme.h).  A
 * command that is critical or moves the contactor (mm_cmd_is_durable) has its counter committed
 * to NVM before it is executed, and is refused (MM_EIO) if that fails; so no power cut, however
 * it interrupts the saves, lets a frame that took effect be taken again.  The others (reads,
 * prices, top-ups, settings) are saved with the next record: a cut that loses their counter
 * loses their effect with it.
 *
 * After losing the record (a power restore finding none usable, commissioning over one): GBCS
 * only requires originator counters (8 bytes) to increase strictly.  Anchoring them to time is
 * metersim's convention: the head-end makes counter = max(previous + 1, unix seconds << shift)
 * (shift 32 in the simulator), so a frame made in second t has a counter >= t << shift, and
 * < (t + 1) << shift unless 2^shift frames were made in that second.  A meter with the same
 * counter_time_shift that lost its counters takes only counters >= its RTC << shift
 * (mm_cmd_auth_floor): every frame made in an earlier second is refused (MM_EREPLAY), fresh
 * ones pass.  The floor trusts the RTC: one d s behind the head-end's clock takes the frames
 * of the last d s again, one ahead refuses fresh frames for d s; an RTC without its time gives
 * none.  Without the shift (0) the counters restart from 0 and every frame ever made for the
 * meter is taken once more.
 *
 * mm_cmd_parse is a pure function of the bytes (the fuzz target's entry,
 * tests/meter/supply/fuzz_command.c).  Deliberately not here: what a command does (esme.c),
 * payload encryption, GBCS's ASN.1 and DLMS encodings.
 */
#ifndef MM_COMMAND_H
#define MM_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/event_log.h"
#include "mm/mm_config.h"
#include "mm_hal_crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_CMD_FRAME_TYPE 0x4Du
#define MM_CMD_HEADER_LEN 14u
#define MM_CMD_MAC_LEN 12u
#define MM_CMD_SIG_LEN 64u
#define MM_CMD_CTRL_ROLE 0x03u
#define MM_CMD_CTRL_SIGNED 0x80u
#define MM_CMD_ROLES 2u
#define MM_CMD_TIME_SHIFT_MAX 32u /* counter_time_shift: a 32-bit RTC shifted fits 64 bits */
#define MM_CMD_FRAME_MAX (MM_CMD_HEADER_LEN + MM_CMD_PAYLOAD_MAX + MM_CMD_MAC_LEN + MM_CMD_SIG_LEN)
/* Image bytes one MM_CMD_FW_DISTRIBUTE carries at most (after its 12-byte block header). */
#define MM_CMD_FW_BLOCK_MAX (MM_CMD_PAYLOAD_MAX - 12u)
/* Bytes the MAC and signature cover at most: device id + header + payload. */
#define MM_CMD_AUTH_MAX (8u + MM_CMD_HEADER_LEN + MM_CMD_PAYLOAD_MAX)

typedef enum mm_cmd_role {
    MM_ROLE_SUPPLIER = 0,
    MM_ROLE_NETWORK = 1,
} mm_cmd_role;

/* Command ids and payloads (all integers big-endian). */
typedef enum mm_cmd_id {
    MM_CMD_SUPPLY_DISABLE = 0x0101, /* critical; no payload */
    MM_CMD_SUPPLY_ENABLE = 0x0102,  /* no payload */
    MM_CMD_SUPPLY_ARM = 0x0103,     /* no payload */
    MM_CMD_SET_LOAD_LIMIT = 0x0104, /* threshold [W] u32, period [s] u32, restore [s] u32 */
    MM_CMD_BOOST = 0x0105,          /* switch u8, duration [s] u32 */
    MM_CMD_MODE_CHANGE = 0x0201,    /* critical; mode u8 (mm_payment_mode) */
    MM_CMD_TOP_UP = 0x0202,         /* UTRN: 20 ASCII digits */
    MM_CMD_SET_DEBT = 0x0203,       /* debt u8 (MM_DEBT_*), amount [credit units] u64 */
    MM_CMD_SET_TARIFF = 0x0301,     /* tariff id u32 (one of the ESME's), activation time u32 */
    MM_CMD_CLOCK_SET = 0x0302,      /* UTC [s] u32 */
    MM_CMD_SET_PRICES = 0x0303,     /* from [meter UTC, s] u32, first rate u8, n u8 (1..48),
                                       n x TOU price [10^price_scale p/kWh] u32: 6 + 4n bytes */
    MM_CMD_READ_REGISTERS = 0x0401, /* reply: 4 x u64 [Wh/varh]: import, export, rimp, rexp */
    MM_CMD_READ_PROFILE = 0x0402,   /* age u32; reply: period u32, 4 x u32, v [0.1 V] u16, st u16 */
    MM_CMD_READ_PREPAY = 0x0403,    /* reply: balance i64, available i64, 3 x debt i64,
                                       mode u8, ec u8, supply u8 */
    MM_CMD_FW_DISTRIBUTE = 0x0501,  /* a block of an image: version u32, image size [B] u32,
                                       offset u32, 1..MM_CMD_FW_BLOCK_MAX bytes; reply: bytes
                                       received u32, + SHA-256 (32) once complete (esme.h) */
    MM_CMD_FW_ACTIVATE = 0x0502,    /* critical; version u32, SHA-256 of the image (32) */
} mm_cmd_id;

typedef struct mm_cmd_frame {
    uint64_t counter;       /* originator counter */
    uint16_t id;            /* mm_cmd_id (not checked by the parser) */
    uint8_t role;           /* mm_cmd_role */
    uint8_t is_signed;      /* signature present */
    uint16_t payload_len;   /* [bytes] */
    const uint8_t *frame;   /* start of the frame (caller's buffer) */
    const uint8_t *payload; /* into the frame */
    const uint8_t *mac;     /* MM_CMD_MAC_LEN bytes */
    const uint8_t *sig;     /* MM_CMD_SIG_LEN bytes, or NULL */
} mm_cmd_frame;

typedef struct mm_cmd_config {
    uint8_t device_id[8];   /* default target id: see mm_cmd_accept */
    uint16_t bad_threshold; /* malformed + unauthentic + out-of-order frames that raise 0x8F60;
                               0 = never */
    /* Counters are time-anchored: unix seconds << this (above); 0 = not (ABI 8: in what was
     * padding, so a host's zeroed config of before means 0) */
    uint8_t counter_time_shift; /* 0..MM_CMD_TIME_SHIFT_MAX */
    uint8_t rsv;
    uint32_t bad_window_s; /* window they are counted in [s] */
} mm_cmd_config;

typedef struct mm_cmd_auth {
    const mm_cmd_config *cfg;
    mm_event_log *log;
    mm_hal_crypto *crypto;
    uint64_t counter[MM_CMD_ROLES]; /* last accepted per role */
    uint32_t bad_since;             /* start of the counting window [s] */
    uint16_t bad_count;             /* bad frames in the window */
    uint16_t rsv;
} mm_cmd_auth;

/* Split LEN bytes into OUT.  MM_OK or MM_EMALFORMED (MM_EINVAL for NULL).  Reads nothing
 * outside BUF[0..LEN). */
int mm_cmd_parse(const uint8_t *buf, size_t len, mm_cmd_frame *out);

/* Whether ID needs a signature (on a build that requires them). */
bool mm_cmd_is_critical(uint16_t id);
/* Whether an accepted ID has its counter committed to NVM before it takes effect (and its
 * effect after, esme.h): the critical commands and those that move the contactor (supply
 * enable, arm). */
bool mm_cmd_is_durable(uint16_t id);

/* MM_EINVAL for NULL A, CFG or CRYPTO, or a counter_time_shift over MM_CMD_TIME_SHIFT_MAX. */
int mm_cmd_auth_init(mm_cmd_auth *a, const mm_cmd_config *cfg, mm_event_log *log,
                     mm_hal_crypto *crypto);
void mm_cmd_auth_deinit(mm_cmd_auth *a); /* accepts NULL */
/* The counters were lost at meter time NOW [s]: with cfg->counter_time_shift every role takes
 * only counters >= NOW << shift from now on; nothing without it, or with NOW 0 (no time). */
void mm_cmd_auth_floor(mm_cmd_auth *a, uint32_t now);

/* Parse and check a frame received at meter time NOW by the meter whose id is DEVICE_ID (the
 * MAC, nonce and signature cover it, so a frame made for another meter fails with MM_EAUTH).
 * The ESME passes its identity (mm_esme_device_id), cfg->device_id unless the meter has one
 * of its own.  MM_OK: *OUT is an accepted command and its counter is consumed.  Otherwise
 * MM_EMALFORMED, MM_EAUTH, MM_EREPLAY (each logged), MM_EIO from the crypto HAL; MM_EINVAL
 * for NULL A, DEVICE_ID or OUT. */
int mm_cmd_accept(mm_cmd_auth *a, const uint8_t device_id[8], const uint8_t *buf, size_t len,
                  uint32_t now, mm_cmd_frame *out);

/* Sender side (head-end model, tests).  Writes header and payload of a frame into BUF and
 * returns the offset of the MAC (14 + N); the caller adds the MAC there and, if SIGNED, the
 * signature after it.  0 if CAP is too small or N too large. */
size_t mm_cmd_build(uint8_t *buf, size_t cap, unsigned role, uint64_t counter, uint16_t id,
                    const void *payload, uint16_t n, bool is_signed);
/* The bytes the MAC and signature of frame BUF (body BODY_LEN = 14 + N bytes) cover, for
 * DEVICE_ID, into OUT (at least 8 + BODY_LEN bytes); returns their length. */
size_t mm_cmd_auth_data(const uint8_t device_id[8], const uint8_t *buf, size_t body_len,
                        uint8_t *out);
void mm_cmd_nonce(uint64_t counter, const uint8_t device_id[8], uint8_t nonce[MM_GCM_NONCE_LEN]);
/* MAC and signature key ids of ROLE. */
unsigned mm_cmd_mac_key(unsigned role);
unsigned mm_cmd_sig_key(unsigned role);

#ifdef __cplusplus
}
#endif

#endif

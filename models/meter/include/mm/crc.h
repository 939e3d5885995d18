/* CRC-32 (ISO-HDLC, as zlib and Ethernet: reflected polynomial 0xEDB88320, init and final
 * xor 0xFFFFFFFF; check value of "123456789" is 0xCBF43926, Greg Cook's CRC catalogue).
 *
 * It protects the meter's NVM records, so the simulator can cut power between write and
 * commit and the firmware finds the torn record.  Slicing-by-8: eight 256-entry tables (8 KiB
 * of const data in flash) take 8 bytes a step, with independent look-ups: the meter saves a
 * record every half-hour and the simulator does so for every household, so speed matters more
 * than 8 KiB.  On an x86-64 host (mm_config.h MM_HAVE_CLMUL) the carry-less multiply folds
 * 64 bytes a step instead and reduces the rest, for 4 bytes and more, with no table look-ups.
 * Not a MAC: GBCS message authentication is AES-GCM and lives elsewhere.
 */
#ifndef MM_CRC_H
#define MM_CRC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_CRC32_CHECK 0xCBF43926u /* CRC-32 of the ASCII bytes "123456789" */

/* CRC of LEN bytes at DATA continuing from CRC (0 to start), zlib crc32() convention:
 * mm_crc32(mm_crc32(0, a, n), b, m) == mm_crc32(0, ab, n + m). */
uint32_t mm_crc32(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif

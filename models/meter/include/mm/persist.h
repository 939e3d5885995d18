/* Persist: a record that survives power loss, kept in two NVM banks so that a write cut
 * anywhere leaves either the previous record or the new one, never a mixture.
 *
 * Each bank holds  magic (4) | sequence (4) | length (2) | version (2) | payload | CRC-32 (4),
 * little-endian, the CRC (mm/crc.h) over everything before it.  A save goes to the bank not
 * holding the newest record, in two phases: header and payload, sync; then the CRC -- the
 * commit word -- and sync (SQLite's journal-then-commit idea on two slots).  A cut before the
 * commit word is complete leaves a bank whose CRC fails, so load picks the other bank; the
 * newest bank is never written to.  Load takes the valid bank with the higher sequence number
 * (serial-number arithmetic, so the counter may wrap).  Deliberately not here: what the
 * payload means (the ESME packs its registers and credit), wear levelling (the port's).
 */
#ifndef MM_PERSIST_H
#define MM_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_hal_nvm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_PERSIST_MAGIC 0x31504D4Du /* "MMP1" little-endian */
#define MM_PERSIST_HEADER_LEN 12u
#define MM_PERSIST_OVERHEAD (MM_PERSIST_HEADER_LEN + 4u)

typedef struct mm_persist {
    mm_hal_nvm *nvm;
    uint32_t addr;        /* first bank [NVM address] */
    uint16_t max_payload; /* [bytes]; a bank is this + MM_PERSIST_OVERHEAD */
    uint16_t version;     /* payload layout version written and required */
    uint32_t seq;         /* sequence number of the newest valid record */
    uint8_t bank;         /* bank holding it: 0 or 1 */
    uint8_t valid;        /* a valid record exists */
    uint16_t rsv;
} mm_persist;

/* Two banks of MAX_PAYLOAD + 16 bytes from ADDR.  MM_EINVAL for NULL or if they do not fit
 * the NVM. */
int mm_persist_init(mm_persist *p, mm_hal_nvm *nvm, uint32_t addr, uint16_t max_payload,
                    uint16_t version);
/* Read the newest valid record into BUF (CAP bytes), its length in *LEN.  MM_ENOENT if
 * neither bank holds a record, MM_ECORRUPT if what they hold fails its CRC, MM_EVERSION if the
 * newest intact record has another layout version (an older one of this version is not
 * returned in its place: that would roll the meter back), MM_EIO.  After MM_OK or
 * MM_EVERSION the next save supersedes that newest record. */
int mm_persist_load(mm_persist *p, void *buf, size_t cap, size_t *len);
/* Save LEN bytes as the next record.  MM_EIO if the NVM failed (power cut): the previous
 * record is then still the one load returns. */
int mm_persist_save(mm_persist *p, const void *buf, size_t len);
/* Total NVM bytes the two banks take. */
uint32_t mm_persist_footprint(uint16_t max_payload);
/* Whether BANK, one bank's bytes in memory (MAX_PAYLOAD + MM_PERSIST_OVERHEAD), holds an
 * intact record of any layout version, as mm_persist_load counts one; its sequence in *SEQ.
 * For a host that keeps the banks itself (the simulator's port). */
bool mm_persist_bank_intact(const void *bank, uint16_t max_payload, uint32_t *seq);
/* Whether sequence A is newer than B (serial-number arithmetic: the counter may wrap). */
static inline bool mm_persist_newer(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

#ifdef __cplusplus
}
#endif

#endif

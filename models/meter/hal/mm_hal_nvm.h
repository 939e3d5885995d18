/* HAL NVM: the meter's non-volatile memory, as a flat byte-addressed store.
 *
 * Registers, the profile log and configuration survive power loss through this HAL, in
 * records the core protects with a CRC-32 (mm/crc.h).  The port hides the medium: EEPROM or
 * FRAM directly, NOR flash behind its own page-erase emulation, RAM in the simulator (which
 * can cut power mid-write to test recovery).  Deliberately not here: record layout, wear
 * levelling policy, the profile log's external-flash ring.
 *
 * Contract:
 * - mm_hal_nvm_size: capacity [bytes]; addresses 0 .. size-1.
 * - mm_hal_nvm_read: copies LEN bytes at ADDR to BUF.  0, MM_EINVAL if the range leaves the
 *   store, MM_EIO on a device fault.
 * - mm_hal_nvm_write: stores LEN bytes at ADDR; no erase is needed first.  The bytes are
 *   durable once mm_hal_nvm_sync has returned 0.  If power fails before that, any prefix of
 *   the bytes (possibly none, possibly all) may have reached the store, in address order:
 *   the core must detect the torn record by its CRC.  0, MM_EINVAL, or MM_EIO (power lost,
 *   device fault).
 * - mm_hal_nvm_sync: waits until every completed write is durable.  0 or MM_EIO.
 * Status codes are those of mm/meter.h.  Not reentrant.
 */
#ifndef MM_HAL_NVM_H
#define MM_HAL_NVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mm_hal_nvm mm_hal_nvm; /* defined by the port */

uint32_t mm_hal_nvm_size(const mm_hal_nvm *nvm);
int mm_hal_nvm_read(const mm_hal_nvm *nvm, uint32_t addr, void *buf, size_t len);
int mm_hal_nvm_write(mm_hal_nvm *nvm, uint32_t addr, const void *buf, size_t len);
int mm_hal_nvm_sync(mm_hal_nvm *nvm);

#ifdef __cplusplus
}
#endif

#endif

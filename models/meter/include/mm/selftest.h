/* Self-tests of the meter firmware core, run at boot and in CI (as mbedTLS's self-tests).
 *
 * mm_selftest checks the core's own arithmetic on known vectors: energy division and carry,
 * register wrap, the CRC-32 check value, the supply side (a GBCS UTRN and its check digit,
 * money percentages, the event ring), and one meter driven through a period close.  It
 * needs no HAL and changes nothing outside its stack frame.  mm_selftest_hal checks the HAL
 * the port provides: the clock does not run backwards, the random source does not repeat,
 * and an NVM scratch cell (MM_NVM_SELFTEST_ADDR, MM_NVM_SELFTEST_LEN bytes, overwritten)
 * keeps a CRC-protected record.  Deliberately not here: reporting; the caller decides
 * whether a failing meter raises an alert or refuses to start.
 */
#ifndef MM_SELFTEST_H
#define MM_SELFTEST_H

#include "mm/meter.h"
#include "mm_hal_clock.h"
#include "mm_hal_nvm.h"
#include "mm_hal_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0, or the MM_ESELF_* code of the first check that failed. */
int mm_selftest(void);

/* 0, or MM_ESELF_CLOCK, MM_ESELF_RNG, MM_EIO, MM_ECORRUPT, MM_EINVAL (NULL handle or an NVM
 * smaller than the scratch cell). */
int mm_selftest_hal(const mm_hal_clock *clk, mm_hal_rng *rng, mm_hal_nvm *nvm);

#ifdef __cplusplus
}
#endif

#endif

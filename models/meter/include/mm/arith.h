/* Integer helpers of the core that a Cortex-M4 has no instruction for.
 *
 * A 64-bit division, even by a constant, makes arm-none-eabi-gcc 12 call libgcc's
 * __aeabi_uldivmod / __aeabi_ldivmod (checked with -mcpu=cortex-m4 -Os), which the firmware
 * must not link (tests/meter/check_symbols.sh).  The few 64-bit divisions the core needs
 * (averages over a period, frequency, cost in pence) are rare -- once per half-hour, per
 * measurement window or per call -- so they use the shift-and-subtract routine here; 32-bit
 * divisions stay plain C (the M4 has UDIV/SDIV).  Deliberately not here: the hot per-sample
 * and per-advance arithmetic, which is written to need no division at all.
 */
#ifndef MM_ARITH_H
#define MM_ARITH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* N / D for D > 0, the remainder in *REM (may be NULL); D == 0 gives 0 with *REM = N.
 * At most 64 shift-and-subtract steps; both below 2^32 uses the hardware divide. */
uint64_t mm_u64_divmod(uint64_t n, uint64_t d, uint64_t *rem);

/* N / D rounded towards minus infinity, for D > 0 (floor division of a signed value). */
int64_t mm_s64_floordiv(int64_t n, uint64_t d, uint64_t *rem);

/* floor(sqrt(X)): bit-by-bit, 32 steps, no division. */
uint32_t mm_isqrt64(uint64_t x);

#ifdef __cplusplus
}
#endif

#endif

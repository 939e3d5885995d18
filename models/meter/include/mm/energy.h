/* Energy: exact integer arithmetic for the cumulative registers.
 *
 * Energy is carried in micro-joules (mW x ms) and split into whole register units (Wh or
 * varh, 1 unit = MM_UJ_PER_WH = 3.6e9 uJ) plus a remainder, so nothing below one unit is ever
 * lost and any split of an interval gives the same registers (the carried-remainder idea of
 * Freescale METERLIB).  Registers are cyclic at a modulus 10^digits.
 *
 * None of these functions divides a 64-bit value at run time: a Cortex-M4 has no 64-bit
 * divide and gcc would call libgcc's __aeabi_uldivmod, which the firmware must not link
 * (tests/meter/check_symbols.sh).  Deliberately not here: tariffs, prices, demand registers.
 */
#ifndef MM_ENERGY_H
#define MM_ENERGY_H

#include <stdint.h>

#include "mm/meter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Conversions, for callers and tests (no float). */
#define MM_MW_PER_W 1000
#define MM_MS_PER_S 1000u
#define MM_W_TO_MW(w) ((int32_t)(w)*MM_MW_PER_W)
#define MM_S_TO_MS(s) ((uint32_t)(s)*MM_MS_PER_S)

/* Energy of P [mW] held for DT [ms] as a magnitude [uJ]; exact (|P| <= 2^31, so < 2^63). */
static inline uint64_t mm_energy_uj(int32_t p_mw, uint32_t dt_ms)
{
    uint32_t mag = p_mw < 0 ? 0u - (uint32_t)p_mw : (uint32_t)p_mw;
    return (uint64_t)mag * dt_ms;
}

/* UJ = quotient x 3.6e9 + *REM_UJ with 0 <= *REM_UJ < 3.6e9: whole units [Wh] in UJ. */
uint64_t mm_uj_divmod_wh(uint64_t uj, uint32_t *rem_uj);

/* 10^DIGITS into *MODULUS; MM_EINVAL unless MM_REGISTER_DIGITS_MIN <= DIGITS <= ..._MAX. */
int mm_modulus_for_digits(unsigned digits, mm_wh_t *modulus);

/* (VALUE + ADD) mod MODULUS, for VALUE < MODULUS and any ADD. */
mm_wh_t mm_wh_add_mod(mm_wh_t value, uint64_t add, mm_wh_t modulus);

/* (NOW - THEN) mod MODULUS: units gained from THEN to NOW across at most one wrap. */
mm_wh_t mm_wh_sub_mod(mm_wh_t now, mm_wh_t then, mm_wh_t modulus);

/* Add UJ of energy to register R: whole units to its value (mod MODULUS), the rest carried. */
void mm_register_add(mm_register *r, uint64_t uj, mm_wh_t modulus);

#ifdef __cplusplus
}
#endif

#endif

/* Money: the integer currency type of credit, debts and top-ups, and the scale arithmetic
 * that goes with it.
 *
 * Amounts are integers in units of 10^MM_CREDIT_SCALE of the currency's major unit (mm_config.h;
 * -5 gives 1 unit = 0.001 p), never floating point (the core is firmware: no floats in prices or credit).  Tariff prices come with
 * their own power-of-ten scale (DCC duis-templates tariff model); mm_credit_from_scaled converts.
 * Divisions go through mm/arith.h, so the firmware never links libgcc's __aeabi_uldivmod
 * (tests/meter/check_symbols.sh).  Deliberately not here: prices and tariffs.
 */
#ifndef MM_MONEY_H
#define MM_MONEY_H

#include <stdint.h>

#include "mm/mm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t mm_credit_t; /* currency [10^MM_CREDIT_SCALE of the major unit] */

/* Units of one penny (10^-2 of the major unit) and of one pound at MM_CREDIT_SCALE. */
#define MM_CREDIT_PER_PENNY ((mm_credit_t)mm_credit_pow10_(-2 - (MM_CREDIT_SCALE)))
#define MM_CREDIT_PER_POUND ((mm_credit_t)mm_credit_pow10_(0 - (MM_CREDIT_SCALE)))
#define mm_credit_pow10_(k)                                                                        \
    ((k) <= 0   ? 1                                                                                \
     : (k) == 1 ? 10                                                                               \
     : (k) == 2 ? 100                                                                              \
     : (k) == 3 ? 1000                                                                             \
     : (k) == 4 ? 10000                                                                            \
     : (k) == 5 ? 100000                                                                           \
     : (k) == 6 ? 1000000                                                                          \
     : (k) == 7 ? 10000000                                                                         \
     : (k) == 8 ? 100000000                                                                        \
     : (k) == 9 ? 1000000000                                                                       \
                : 10000000000)

/* 10^K for K = 0..18; 0 for a larger K. */
uint64_t mm_pow10(unsigned k);

/* AMOUNT in units of 10^SCALE of the major unit, in credit units, truncated toward zero.
 * MM_ERANGE if the result does not fit, MM_EINVAL for |SCALE| > 18. */
int mm_credit_from_scaled(int64_t amount, int scale, mm_credit_t *out);

/* floor(AMOUNT x PERCENT / 100) for AMOUNT >= 0 and PERCENT <= 100; exact for any AMOUNT. */
mm_credit_t mm_credit_percent(mm_credit_t amount, uint8_t percent);

#ifdef __cplusplus
}
#endif

#endif

/* Build-time configuration of the meter firmware core: fixed sizes and options.
 *
 * Every pool and limit of the core is sized here, nowhere else, so a firmware build is
 * described by one file.  To change an option, write your own header that #defines it and
 * build with -DMM_CONFIG_FILE='"my_config.h"' (as mbedTLS does with MBEDTLS_CONFIG_FILE):
 * it is included first, and every option it leaves undefined keeps the default below.
 * Incompatible settings stop the build with #error rather than misbehave at run time.
 *
 * Deliberately not here: per-meter settings that the head-end may change (register digits,
 * tariffs); those live in mm_meter_config, which is const data passed at init.
 */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#if defined(MM_CONFIG_FILE)
#include MM_CONFIG_FILE
#endif

/* Range accepted for mm_meter_config.register_digits.  Registers wrap at 10^digits units;
 * GB ESME displays carry 6 to 8 digits, the upper bound leaves room for a 12-digit head-end
 * view.  The arithmetic holds up to 18 digits (2 x 10^18 < 2^64, see energy.c). */
#ifndef MM_REGISTER_DIGITS_MIN
#define MM_REGISTER_DIGITS_MIN 6
#endif
#ifndef MM_REGISTER_DIGITS_MAX
#define MM_REGISTER_DIGITS_MAX 12
#endif

/* Profile log depth of a real meter: 13 months of half-hours, 397 days x 48 = 19,056 slots
 * (FACTS.md "The meter": 13 months must be kept, SiliconLabs gas-proxy default).  The core
 * takes the depth at init; this is the figure the footprint is budgeted against. */
#ifndef MM_PROFILE_DEPTH_DEFAULT
#define MM_PROFILE_DEPTH_DEFAULT (397u * 48u)
#endif

/* RAM budget of one mm_meter (state, excluding the profile log) [bytes].  Checked at compile
 * time in meter.c; DESIGN.md allows 1 KiB of hot state per household for everything. */
#ifndef MM_METER_RAM_BUDGET
#define MM_METER_RAM_BUDGET 256u
#endif

/* Build the self-tests (mm_selftest, mm_selftest_hal).  Off saves code on a small part. */
#ifndef MM_WITH_SELFTEST
#define MM_WITH_SELFTEST 1
#endif

/* NVM scratch cell the HAL self-test may overwrite: address and length [bytes]. */
#ifndef MM_NVM_SELFTEST_ADDR
#define MM_NVM_SELFTEST_ADDR 0u
#endif
#define MM_NVM_SELFTEST_LEN 16u

#if MM_REGISTER_DIGITS_MIN < 1 || MM_REGISTER_DIGITS_MIN > MM_REGISTER_DIGITS_MAX
#error "mm_config.h: need 1 <= MM_REGISTER_DIGITS_MIN <= MM_REGISTER_DIGITS_MAX"
#endif
#if MM_REGISTER_DIGITS_MAX > 18
#error "mm_config.h: MM_REGISTER_DIGITS_MAX > 18 overflows the 64-bit register arithmetic"
#endif
#if MM_PROFILE_DEPTH_DEFAULT < 48
#error "mm_config.h: MM_PROFILE_DEPTH_DEFAULT must hold at least one day (48 slots)"
#endif
#if MM_WITH_SELFTEST != 0 && MM_WITH_SELFTEST != 1
#error "mm_config.h: MM_WITH_SELFTEST must be 0 or 1"
#endif

#endif

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
 * (seed 003: 13 months must be kept; SiliconLabs gecko_sdk gas-proxy default).  The core
 * takes the depth at init; this is the figure the footprint is budgeted against. */
#ifndef MM_PROFILE_DEPTH_DEFAULT
#define MM_PROFILE_DEPTH_DEFAULT (397u * 48u)
#endif

/* RAM budget of one mm_meter (state, excluding the profile log) [bytes].  Checked at compile
 * time in meter.c; the simulator budgets 1 KiB of hot state per household for everything. */
#ifndef MM_METER_RAM_BUDGET
#define MM_METER_RAM_BUDGET 256u
#endif

/* Tariff pools (DCC duis-templates tariff model): 48 TOU prices,
 * 8 block price sets of up to 3 thresholds / 4 prices, 4 seasons, 4 week profiles, 16 day
 * profiles, 48 switch points a day, 50 special days; 12 billing snapshots (gecko_sdk).  The
 * definition (mm_tariff_def) is shared const data, so only MM_TARIFF_TOU_RATES and
 * MM_TARIFF_PRICE_SETS (its registers) weigh on each meter; a lean simulator build can
 * lower those two. */
#ifndef MM_TARIFF_TOU_RATES
#define MM_TARIFF_TOU_RATES 48
#endif
#ifndef MM_TARIFF_PRICE_SETS
#define MM_TARIFF_PRICE_SETS 8
#endif
#define MM_TARIFF_THRESHOLDS 3 /* per price set, so 4 prices (fixed by the model) */
#ifndef MM_TARIFF_SEASONS
#define MM_TARIFF_SEASONS 4
#endif
#ifndef MM_TARIFF_WEEK_PROFILES
#define MM_TARIFF_WEEK_PROFILES 4
#endif
#ifndef MM_TARIFF_DAY_PROFILES
#define MM_TARIFF_DAY_PROFILES 16
#endif
#ifndef MM_TARIFF_SWITCHES
#define MM_TARIFF_SWITCHES 48
#endif
#ifndef MM_TARIFF_SPECIAL_DAYS
#define MM_TARIFF_SPECIAL_DAYS 50
#endif
#ifndef MM_TARIFF_SNAPSHOTS
#define MM_TARIFF_SNAPSHOTS 12
#endif
/* Decimal places of the cost unit below one penny: cost is counted in 10^-8 p, so the cost
 * of one Wh at a price of scale >= 3 - 8 = -5 (10^-5 p/kWh) is an exact integer. */
#ifndef MM_COST_DECIMALS
#define MM_COST_DECIMALS 8
#endif
/* RAM budget of one meter's tariff state (mm_tariff, excluding billing snapshots) [bytes]. */
#ifndef MM_TARIFF_RAM_BUDGET
#define MM_TARIFF_RAM_BUDGET 448u
#endif

/* Waveform metrology: longest quarter-cycle delay line [samples]; fs / (4 f) must fit, e.g.
 * 64 covers 12.8 kHz at 50 Hz. */
#ifndef MM_METROLOGY_DELAY_MAX
#define MM_METROLOGY_DELAY_MAX 64
#endif

/* Whether the target divides 64-bit integers natively (one instruction, no libgcc helper such
 * as __aeabi_uldivmod).  On by default for 64-bit hosts (the simulator), off elsewhere:
 * Cortex-M builds keep the shift-and-subtract division of arith.c. */
#ifndef MM_HAVE_NATIVE_DIV64
#if defined(__x86_64__) || defined(__aarch64__)
#define MM_HAVE_NATIVE_DIV64 1
#else
#define MM_HAVE_NATIVE_DIV64 0
#endif
#endif

/* Whether the CRC-32 of NVM records may use the processor's carry-less multiply (x86-64
 * PCLMULQDQ, checked with CPUID at the first call; crc.c).  On by default for x86-64 hosts
 * built with GCC or Clang (the simulator, where a record is saved for every meter every
 * half-hour); a meter computes the same CRC with its tables or a CRC peripheral. */
#ifndef MM_HAVE_CLMUL
#if defined(__x86_64__) && defined(__GNUC__)
#define MM_HAVE_CLMUL 1
#else
#define MM_HAVE_CLMUL 0
#endif
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

/* ---- Supply side: prepayment, contactor, commands, events, persistence ---- */

/* Firmware profile.  MM_PROFILE_SMETS1 = 1 builds a SMETS1-style meter (mm_core_smets1);
 * the default is a SMETS2 ESME (mm_core).  What differs (esme.h has the details):
 * - SMETS2 critical commands (disable supply, mode change, firmware activate) must carry an
 *   ECDSA P-256 signature (GBCS); SMETS1 meters talk to their supplier's
 *   own head-end (seed 003) and accept MAC-only commands.
 * - SMETS2 sends the supply-restored alerts 0x8F35/0x8F36 at once (critical, to the network
 *   operator, wireshark packet-gbcs.c); a SMETS1 meter only logs them for its head-end to read.
 * - the default power-restore dither window a scenario starts from (mm_esme_config sets the
 *   one in force): SMETS2 5 min (seed 003), SMETS1 none. */
#ifndef MM_PROFILE_SMETS1
#define MM_PROFILE_SMETS1 0
#endif
#if MM_PROFILE_SMETS1
#define MM_PROFILE_NAME "smets1"
#define MM_DITHER_WINDOW_DEFAULT_S 0u
#else
#define MM_PROFILE_NAME "smets2"
#define MM_DITHER_WINDOW_DEFAULT_S 300u
#endif

/* Granularity of the power-restore dither [s].  After a restore the meter holds its WAN
 * alerts back for a delay drawn uniformly from the whole multiples of this step in
 * [0, dither_window_s] (a window shorter than one step gives no delay).  1, the default, is a
 * draw to the second; a part whose comms module only wakes on a coarse tick would draw in
 * whole ticks (e.g. 30) so that the delay it promises is one the module can keep.  A coarser
 * step spreads the same window over fewer instants, so more meters of a storm restore in the
 * same second: a firmware team can measure that on a canary population (README, "Canary"). */
#ifndef MM_DITHER_STEP_S
#define MM_DITHER_STEP_S 1u
#endif

/* Money: credit and debts are integers in units of 10^MM_CREDIT_SCALE of the currency's
 * major unit (-5: 1 unit = 0.001 p), fine enough that a tariff's per-Wh price is exact. */
#ifndef MM_CREDIT_SCALE
#define MM_CREDIT_SCALE (-5)
#endif

/* Non-disablement (friendly) periods in the prepayment configuration. */
#ifndef MM_FRIENDLY_MAX
#define MM_FRIENDLY_MAX 4
#endif

/* Auxiliary load control switches (ALCS, up to 5, seed 003) and switch points in
 * each one's daily calendar. */
#ifndef MM_ALCS_MAX
#define MM_ALCS_MAX 5
#endif
#ifndef MM_ALCS_POINTS_MAX
#define MM_ALCS_POINTS_MAX 8
#endif

/* Largest command payload [bytes]; a command frame is at most 14 + this + 12 + 64 bytes.
 * 208 holds a price update of all 48 TOU rates (MM_CMD_SET_PRICES: 6 + 48 x 4 = 198 bytes);
 * the command and MAC buffers on the stack grow with it (mm_cmd_accept: 8 + 14 + this). */
#ifndef MM_CMD_PAYLOAD_MAX
#define MM_CMD_PAYLOAD_MAX 208
#endif

/* Event log depth the simulator gives each meter by default [events]. */
#ifndef MM_EVENT_LOG_DEPTH_DEFAULT
#define MM_EVENT_LOG_DEPTH_DEFAULT 32u
#endif

/* NVM address of the two persistence banks; clear of the self-test scratch cell. */
#ifndef MM_PERSIST_NVM_ADDR
#define MM_PERSIST_NVM_ADDR 64u
#endif

/* RAM budget of one mm_esme on the 32-bit target (all state, excluding profile log, event
 * ring and billing snapshots) [bytes]; the simulator budgets 1 KiB of hot state per household. */
#ifndef MM_ESME_RAM_BUDGET
#define MM_ESME_RAM_BUDGET 1024u
#endif

#if MM_REGISTER_DIGITS_MIN < 1 || MM_REGISTER_DIGITS_MIN > MM_REGISTER_DIGITS_MAX
#error "mm_config.h: need 1 <= MM_REGISTER_DIGITS_MIN <= MM_REGISTER_DIGITS_MAX"
#endif
#if MM_REGISTER_DIGITS_MAX > 18
#error "mm_config.h: MM_REGISTER_DIGITS_MAX > 18 overflows the 64-bit register arithmetic"
#endif
#if MM_PROFILE_DEPTH_DEFAULT < 48
#error "mm_config.h: MM_PROFILE_DEPTH_DEFAULT must hold at least one day (48 slots)"
#endif
#if MM_TARIFF_TOU_RATES < 1 || MM_TARIFF_TOU_RATES > 48
#error "mm_config.h: MM_TARIFF_TOU_RATES must be 1..48 (DCC tariff model)"
#endif
#if MM_TARIFF_PRICE_SETS < 1 || MM_TARIFF_PRICE_SETS > 8
#error "mm_config.h: MM_TARIFF_PRICE_SETS must be 1..8 (DCC tariff model)"
#endif
#if MM_TARIFF_SEASONS < 1 || MM_TARIFF_SEASONS > 4 || MM_TARIFF_WEEK_PROFILES < 1 ||        \
    MM_TARIFF_WEEK_PROFILES > 4
#error "mm_config.h: 1..4 seasons and 1..4 week profiles (DCC tariff model)"
#endif
#if MM_TARIFF_DAY_PROFILES < 1 || MM_TARIFF_DAY_PROFILES > 16 || MM_TARIFF_SWITCHES < 1 ||   \
    MM_TARIFF_SWITCHES > 48
#error "mm_config.h: 1..16 day profiles and 1..48 switch points (DCC tariff model)"
#endif
#if MM_TARIFF_SPECIAL_DAYS < 1 || MM_TARIFF_SPECIAL_DAYS > 50
#error "mm_config.h: MM_TARIFF_SPECIAL_DAYS must be 1..50 (DCC tariff model)"
#endif
#if MM_TARIFF_SNAPSHOTS < 1
#error "mm_config.h: MM_TARIFF_SNAPSHOTS must be at least 1"
#endif
#if MM_COST_DECIMALS < 3 || MM_COST_DECIMALS > 10
#error "mm_config.h: MM_COST_DECIMALS must be 3..10 (int64 cost must hold years of bills)"
#endif
#if MM_METROLOGY_DELAY_MAX < 4 || MM_METROLOGY_DELAY_MAX > 1024
#error "mm_config.h: MM_METROLOGY_DELAY_MAX must be 4..1024"
#endif
#if MM_HAVE_CLMUL != 0 && MM_HAVE_CLMUL != 1
#error "mm_config.h: MM_HAVE_CLMUL must be 0 or 1"
#endif
#if MM_WITH_SELFTEST != 0 && MM_WITH_SELFTEST != 1
#error "mm_config.h: MM_WITH_SELFTEST must be 0 or 1"
#endif
#if MM_PROFILE_SMETS1 != 0 && MM_PROFILE_SMETS1 != 1
#error "mm_config.h: MM_PROFILE_SMETS1 must be 0 or 1"
#endif
#if MM_DITHER_STEP_S < 1 || MM_DITHER_STEP_S > 3600
#error "mm_config.h: MM_DITHER_STEP_S must be 1..3600 [s]"
#endif
#if MM_CREDIT_SCALE > 0 || MM_CREDIT_SCALE < -9
#error "mm_config.h: MM_CREDIT_SCALE must be in -9..0"
#endif
#if MM_ALCS_MAX < 1 || MM_ALCS_MAX > 5
#error "mm_config.h: MM_ALCS_MAX must be 1..5 (GBCS ALCS 1 to 5)"
#endif
#if MM_CMD_PAYLOAD_MAX < 32 || MM_CMD_PAYLOAD_MAX > 1024
#error "mm_config.h: MM_CMD_PAYLOAD_MAX must be 32..1024"
#endif
#if MM_PERSIST_NVM_ADDR < MM_NVM_SELFTEST_ADDR + MM_NVM_SELFTEST_LEN && MM_PERSIST_NVM_ADDR + 16u > MM_NVM_SELFTEST_ADDR
#error "mm_config.h: MM_PERSIST_NVM_ADDR overlaps the self-test scratch cell"
#endif

#endif

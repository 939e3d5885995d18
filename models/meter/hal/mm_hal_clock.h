/* HAL clock: the meter's two notions of time, supplied by the port.
 *
 * The core never reads a timer or the RTC itself (the core depends on nothing but its HAL); it asks
 * this HAL.  A port defines struct mm_hal_clock (one instance on a real meter; one per
 * household in the simulator, driven by the simulated time).  Deliberately not here: clock
 * policy (refusing a change of more than 10 s and raising GBCS alert 0x8F0C, wireshark
 * packet-gbcs.c), time zones and BST, which belong to the core's future clock module.
 *
 * Contract:
 * - mm_hal_clock_ms: milliseconds since power-up, never decreasing except by wrapping
 *   modulo 2^32 (about 49.7 days); compare with unsigned subtraction.  Always succeeds.
 * - mm_hal_clock_utc_get: the battery-backed real-time clock, seconds since
 *   1970-01-01T00:00:00Z (uint32: valid to 2106).  MM_EIO if the RTC lost its time (flat
 *   backup battery); the value is then not written.
 * - mm_hal_clock_utc_set: sets the RTC; the core has already validated the change.
 *   0 or MM_EIO.
 * Calls are not reentrant and are made from the core's single thread of control.
 */
#ifndef MM_HAL_CLOCK_H
#define MM_HAL_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mm_hal_clock mm_hal_clock; /* defined by the port */

uint32_t mm_hal_clock_ms(const mm_hal_clock *clk);
int mm_hal_clock_utc_get(const mm_hal_clock *clk, uint32_t *utc_s);
int mm_hal_clock_utc_set(mm_hal_clock *clk, uint32_t utc_s);

#ifdef __cplusplus
}
#endif

#endif

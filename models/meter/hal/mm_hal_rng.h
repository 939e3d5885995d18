/* HAL random source: the bytes behind every random choice the meter makes (dithering of
 * messages after a power restore, seed 003; retry jitter; later, protocol nonces).
 *
 * On a real meter the port draws from a hardware TRNG or a seeded DRBG.  In the simulator it
 * draws from the household's own deterministic stream (every random draw in metersim comes
 * from the entity's own stream), so a run is a pure function of scenario, seed and firmware
 * build.  Deliberately not here: distributions (the core turns bytes into integers itself),
 * key generation.
 *
 * Contract:
 * - mm_hal_rng_fill: writes LEN bytes to BUF.  0, or MM_EIO if the source failed its own
 *   health check; BUF is then unspecified and must not be used.  Successive calls never
 *   return the same bytes on purpose: mm_selftest_hal treats two equal 16-byte draws as a
 *   stuck source (a continuous test in the manner of FIPS 140-2, 4.9.2).
 * Not reentrant.
 */
#ifndef MM_HAL_RNG_H
#define MM_HAL_RNG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mm_hal_rng mm_hal_rng; /* defined by the port */

int mm_hal_rng_fill(mm_hal_rng *rng, void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif

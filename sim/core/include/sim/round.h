/* Rounding a double to the nearest integer, halves away from zero: what lround() gives, for
 * magnitudes below 2^31, without the call into libm (the engine and the load models round
 * every household's power at every load change).
 *
 * Exact: T = X truncated toward zero is a double, and X - T is computed without rounding
 * error (|X| < 1 gives T = 0; above, T and X are within a factor of two, Sterbenz's lemma),
 * so comparing it with one half decides as lround does.  Not for NaN or |X| >= 2^31.
 */
#ifndef SIM_ROUND_H
#define SIM_ROUND_H

#include <stdint.h>

static inline int32_t sim_round_i32(double x)
{
    int64_t i = (int64_t)x;
    double f = x - (double)i;
    i += (f >= 0.5) - (f <= -0.5);
    return (int32_t)i;
}

#endif

/* RAM footprint of one meter on this host: the state struct, checked against
 * MM_METER_RAM_BUDGET, and the profile log at the 13-month depth (397 x 48 slots; seed 003,
 * gecko_sdk).
 * Prints the figures (ctest -V shows them); exits 1 if the state is over budget.  The
 * Cortex-M4 figures are printed by check_symbols.sh arm. */
#include <stdio.h>

#include "mm/meter.h"

int main(void)
{
    size_t state = sizeof(mm_meter);
    size_t slot = sizeof(mm_profile_slot);
    size_t log = slot * MM_PROFILE_DEPTH_DEFAULT;
    printf("sizeof(mm_meter)        = %zu B (budget %u B)\n", state, MM_METER_RAM_BUDGET);
    printf("sizeof(mm_profile_slot) = %zu B\n", slot);
    printf("profile log, %u slots   = %zu B (%.1f KiB)\n", MM_PROFILE_DEPTH_DEFAULT, log,
           (double)log / 1024.0);
    printf("one household, 13 months = %zu B\n", state + log);
    if (state > MM_METER_RAM_BUDGET) {
        fprintf(stderr, "FAIL: mm_meter is %zu B, over its %u B budget\n", state,
                MM_METER_RAM_BUDGET);
        return 1;
    }
    return 0;
}

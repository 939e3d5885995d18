/* RAM footprint of the supply side and of one whole ESME on this host (ctest -V shows it);
 * exits 1 over MM_ESME_RAM_BUDGET plus the host's pointer allowance (esme.c).  The 32-bit
 * target's figure is checked at compile time when check_symbols.sh cross-compiles esme.c. */
#include <stdio.h>

#include "mm/abi.h"
#include "mm/esme.h"

int main(void)
{
    printf("sizeof(mm_esme)        = %zu B (budget %u B on a 32-bit target)\n", sizeof(mm_esme),
           MM_ESME_RAM_BUDGET);
    printf("  mm_meter %zu, mm_tariff %zu, mm_prepay %zu, mm_contactor %zu, mm_utrn %zu,\n"
           "  mm_cmd_auth %zu, mm_event_log %zu, mm_persist %zu, mm_clock %zu\n",
           sizeof(mm_meter), sizeof(mm_tariff), sizeof(mm_prepay), sizeof(mm_contactor),
           sizeof(mm_utrn), sizeof(mm_cmd_auth), sizeof(mm_event_log), sizeof(mm_persist),
           sizeof(mm_clock));
    printf("sizeof(mm_esme_config) = %zu B (const, may be shared)\n", sizeof(mm_esme_config));
    printf("event ring, %u events  = %zu B\n", MM_EVENT_LOG_DEPTH_DEFAULT,
           MM_EVENT_LOG_DEPTH_DEFAULT * sizeof(mm_event));
    printf("price table, %u rates  = %zu B (caller's, optional)\n", MM_TARIFF_TOU_RATES,
           sizeof(mm_price_table));
    printf("NVM for persistence    = %u B (record <= %u B)\n", mm_esme_nvm_footprint(),
           MM_ESME_RECORD_MAX);
    printf("ABI %u, state %u B\n", mm_abi_get()->abi_version, mm_abi_get()->state_size);
    if (sizeof(mm_esme) > MM_ESME_RAM_BUDGET + MM_ESME_RAM_BUDGET / 8u) {
        fprintf(stderr, "FAIL: mm_esme over budget\n");
        return 1;
    }
    return 0;
}

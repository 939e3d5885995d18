/* Messages for the core's status codes (MM_STATUS_MAP in mm/meter.h). */
#include "mm/meter.h"
#include "mm/status_supply.h"
#include "mm/version.h"

const char *mm_strerror(int status)
{
    switch (status) {
#define MM_STATUS_CASE(code, msg)                                                                  \
    case code:                                                                                     \
        return msg;
        MM_STATUS_MAP(MM_STATUS_CASE)
        MM_STATUS_SUPPLY_MAP(MM_STATUS_CASE)
#undef MM_STATUS_CASE
    default:
        return "unknown status";
    }
}

const char *mm_build_id(void)
{
    return MM_BUILD_ID;
}

uint32_t mm_abi_version(void)
{
    return MM_ABI_VERSION;
}

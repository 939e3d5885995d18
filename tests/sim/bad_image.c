/* Shared objects that are not usable firmware images, for test_firmware_image.sh:
 * BAD_NO_TABLE exports no mm_abi_get; otherwise mm_abi_get returns a table of ABI
 * BAD_ABI_VERSION: a future one by default, or with BAD_ABI_PREVIOUS the one before this
 * build's (an image made before the shared structs last changed), or with BAD_NVM this build's
 * but an NVM footprint that is not two persistence banks. */
#include "mm/abi.h"
#include "mm/version.h"

#ifdef BAD_NO_TABLE
MM_ABI_EXPORT int not_firmware(void);
int not_firmware(void)
{
    return 42;
}
#else
#ifdef BAD_ABI_PREVIOUS
#define BAD_ABI_VERSION (MM_ABI_VERSION - 1u)
#define BAD_NAME "bad-image/previous-abi"
#elif defined(BAD_NVM)
#define BAD_ABI_VERSION MM_ABI_VERSION
#define BAD_NAME "bad-image/odd-nvm"
#else
#define BAD_ABI_VERSION 999u
#define BAD_NAME "bad-image/future-abi"
#endif
static const char *bad_version(void)
{
    return BAD_NAME;
}

static uint32_t bad_footprint(void)
{
    return 1001u; /* not two equal banks */
}

static const mm_abi table = {
    .abi_version = BAD_ABI_VERSION,
    .table_size = sizeof(mm_abi),
    .state_size = 64,
    .state_align = 8,
    .version = bad_version,
    .nvm_footprint = bad_footprint,
};

const mm_abi *mm_abi_get(void)
{
    return &table;
}
#endif

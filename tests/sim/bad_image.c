/* Two shared objects that are not usable firmware images, for test_firmware_image.sh:
 * BAD_NO_TABLE exports no mm_abi_get; otherwise mm_abi_get returns a table of a future ABI. */
#include "mm/abi.h"

#ifdef BAD_NO_TABLE
MM_ABI_EXPORT int not_firmware(void);
int not_firmware(void)
{
    return 42;
}
#else
static const char *bad_version(void)
{
    return "bad-image/future-abi";
}

static const mm_abi future = {
    .abi_version = 999u,
    .table_size = sizeof(mm_abi),
    .state_size = 64,
    .state_align = 8,
    .version = bad_version,
};

const mm_abi *mm_abi_get(void)
{
    return &future;
}
#endif

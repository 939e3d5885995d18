/* Status codes and build identity of the core. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/meter.h"
#include "mm/version.h"

Test(status, every_status_code_has_a_message)
{
    for (int code = MM_OK; code >= MM_ELAST; code--)
        cr_expect_str_neq(mm_strerror(code), "unknown status", "code %d", code);
    cr_expect_str_eq(mm_strerror(MM_ENOENT), "no such entry");
}

Test(status, codes_outside_the_table_are_unknown_rather_than_a_crash)
{
    cr_expect_str_eq(mm_strerror(1), "unknown status");
    cr_expect_str_eq(mm_strerror(MM_ELAST - 1), "unknown status");
}

Test(version, the_core_reports_the_abi_and_build_it_was_compiled_with)
{
    cr_expect_eq(mm_abi_version(), MM_ABI_VERSION);
    cr_expect(strncmp(mm_build_id(), "mm-core " MM_VERSION_STRING "+",
                      9 + strlen(MM_VERSION_STRING)) == 0,
              "%s", mm_build_id());
}

/* Version of the meter firmware core: a human-readable build id and the ABI version.
 *
 * The build id names the firmware build in traces (a run is a pure function of
 * scenario, seed and firmware build), so two builds compared by `metersim diff` can be told
 * apart.  The ABI version counts incompatible changes to the public structs and calls that a
 * loadable firmware image exposes; bump it whenever mm_meter's layout or a signature changes.
 * The functions return the values compiled into the core, which may differ from the header a
 * caller was built with: compare mm_abi_version() with MM_ABI_VERSION before trusting a struct.
 */
#ifndef MM_VERSION_H
#define MM_VERSION_H

#include <stdint.h>

#include "mm/mm_config.h"

#define MM_VERSION_MAJOR 0
#define MM_VERSION_MINOR 1
#define MM_VERSION_PATCH 0
/* 9: mm_abi.save_ram, load_ram (checkpoint of a meter's RAM state);
 * 8: mm_abi.resume, mm_esme_storage.fw (firmware update, block-wise MM_CMD_FW_DISTRIBUTE);
 * 7: mm_abi.change_supplier; 6: mm_abi.event_slot; 5: mm_esme_storage.device_id; 4: mm_abi.profile_slot, nvm_footprint;
 * 3: mm_esme_storage.prices; 2: mm_abi table (abi.h), mm_esme */
#define MM_ABI_VERSION 9u

#define MM_STR_(x) #x
#define MM_STR(x) MM_STR_(x)
#define MM_VERSION_STRING                                                                          \
    MM_STR(MM_VERSION_MAJOR) "." MM_STR(MM_VERSION_MINOR) "." MM_STR(MM_VERSION_PATCH)

/* Suffix naming this build (a git revision, a vendor tag), set by the build system with
 * -DMM_BUILD_TAG='"..."'. */
#ifndef MM_BUILD_TAG
#define MM_BUILD_TAG "dev"
#endif
/* e.g. "mm-core 0.1.0+dev/smets2": version, build tag, firmware profile (mm_config.h). */
#define MM_BUILD_ID "mm-core " MM_VERSION_STRING "+" MM_BUILD_TAG "/" MM_PROFILE_NAME

#ifdef __cplusplus
extern "C" {
#endif

const char *mm_build_id(void); /* e.g. "mm-core 0.1.0+dev/smets2" */
uint32_t mm_abi_version(void); /* MM_ABI_VERSION of the compiled core */

#ifdef __cplusplus
}
#endif

#endif

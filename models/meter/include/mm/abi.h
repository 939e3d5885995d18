/* ABI: the versioned table of entry points a firmware image exposes to the simulator, so that
 * different builds of the meter firmware can be run side by side (firmware
 * teams' regression harness: same scenario, two builds, a diff of what changed).
 *
 * The simulator never touches the meter state's layout: it allocates state_size bytes
 * (aligned to state_align) per meter and passes them back as an opaque pointer.  What it does
 * share with the image are the config, HAL, storage and snapshot structs of mm/esme.h, whose
 * layout abi_version names; a caller compares abi_version with its own MM_ABI_VERSION and
 * table_size with what it needs before calling anything (later versions only append entries).
 * Each build is a static library (mm_core = SMETS2, mm_core_smets1) linked into an executable,
 * and also a loadable image (a shared object with only MM_ABI_ENTRY, "mm_abi_get", visible;
 * the HAL's mm_hal_* functions are left for the host to provide).  The loader is the
 * simulator's (sim/firmware.c, scenario key meter.firmware).
 */
#ifndef MM_ABI_H
#define MM_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "mm/esme.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MM_ABI_ENTRY "mm_abi_get"
#define MM_ABI_PROFILE_SMETS1 1u
#define MM_ABI_PROFILE_SMETS2 2u

typedef struct mm_abi {
    uint32_t abi_version;         /* MM_ABI_VERSION the image was built with */
    uint32_t table_size;          /* sizeof(mm_abi) in the image [bytes] */
    uint32_t state_size;          /* bytes of opaque state per meter */
    uint32_t state_align;         /* alignment of that state [bytes] */
    uint32_t profile;             /* MM_ABI_PROFILE_* */
    const char *(*version)(void); /* build id, e.g. "mm-core 0.1.0+dev/smets2" */
    /* ABI 5: ST ends with the meter's own device_id (zero: CFG's), so meters sharing one
     * config each have their own identity. */
    int (*init)(void *state, const mm_esme_config *cfg, const mm_esme_hal *hal,
                const mm_esme_storage *st);
    void (*advance)(void *state, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms);
    void (*hh_close)(void *state);
    int (*command)(void *state, const uint8_t *frame, size_t len, uint8_t *resp, size_t cap,
                   size_t *resp_len);
    void (*snapshot)(const void *state, mm_esme_snapshot *out);
    uint32_t (*next_boundary)(const void *state);
    int (*power_fail)(void *state);
    int (*power_restore)(void *state);
    int (*next_alert)(void *state, mm_event *out);
    int (*utrn_enter)(void *state, const char *digits, size_t n);
    int (*button)(void *state);
    void (*deinit)(void *state);
    /* ABI 4: the half-hourly profile log (age 0 = newest closed period; MM_ENOENT past the
     * oldest kept) and the NVM bytes the image's persistence needs. */
    int (*profile_slot)(const void *state, uint32_t age, mm_profile_slot *out);
    uint32_t (*nvm_footprint)(void);
    /* ABI 6: the meter's own event log (age 0 = newest; MM_ENOENT past the oldest kept). */
    int (*event_slot)(const void *state, uint32_t age, mm_event *out);
    /* ABI 7: change of supplier (mm_esme_change_supplier). */
    int (*change_supplier)(void *state, const mm_esme_config *cfg);
    /* ABI 8: the hand-over after a firmware activation (mm_esme_resume), see below; and
     * mm_esme_storage.fw, the firmware transfer area. */
    int (*resume)(void *state, const mm_esme_config *cfg, const mm_esme_hal *hal,
                  const mm_esme_storage *st);
    /* ABI 9: checkpoint of a meter's RAM state and its restoration in another process (see
     * below; mm_esme_save_ram, mm_esme_load_ram). */
    int (*save_ram)(const void *state, void *out, size_t cap);
    int (*load_ram)(void *state, const void *in, size_t len, const mm_esme_config *cfg,
                    const mm_esme_hal *hal, const mm_esme_storage *st);
} mm_abi;

/* Firmware update hand-over.  When a meter's command() returns MM_OK for MM_CMD_FW_ACTIVATE,
 * the running image has verified the distributed image, saved its last record (naming the new
 * version) to the meter's NVM and stopped: its state refuses every call but deinit, as without
 * power.  The host then
 *   1. calls deinit(state) of the old image and releases that state;
 *   2. picks the image of the activated version (same abi_version, a table_size that covers
 *      resume, resume not NULL), allocates a fresh state of its state_size and state_align;
 *   3. calls its resume(state, cfg, hal, st) with the same configuration, HAL (NVM and clock,
 *      the clock at the time of the reboot) and storage the meter ran with: the storage arrays,
 *      price table, identity and NVM are the meter's and are not touched in between.
 * resume reads the record written by the old image: an image must read the record versions of
 * every image it may replace (MM_ESME_RECORD_VERSION, esme.h; 1 for every image so far, both
 * profiles), and refuses one it cannot with MM_EVERSION rather than commissioning afresh.  On
 * any error (MM_ENOENT no record, MM_ECORRUPT, MM_EVERSION, MM_EIO, MM_EINVAL) nothing is
 * written and the new state is not running; what then is the host's choice (it may resume the
 * old image, which reads its own record).  A host that runs one build only resumes that build:
 * the hand-over is then a reboot into the same code. */

/* Checkpoint and resume.  A host that stops a long simulation and goes on in a new process
 * saves each meter's state with save_ram and gives it back with load_ram; the meter then
 * answers every call exactly as the saved one would have (registers, logs, alerts, NVM writes,
 * RNG draws, command answers), provided the host restores the rest of the meter itself, as it
 * was at the save: the contents of its storage (profile log, event ring, billing snapshots,
 * price table, firmware transfer area), of its NVM and of its HAL (clock, RNG stream, crypto
 * counters), and the configuration, now at other addresses.
 *   save_ram(state, out, cap) writes exactly state_size bytes to OUT (not overlapping STATE)
 *     and does not change STATE.  The image is the state's bytes with every pointer replaced by
 *     a token, a little-endian 32-bit word at the start of the pointer's slot, the slot's other
 *     bytes zero: 0 for NULL, 1 for the one target each pointer has (the configuration or one
 *     of its parts, a HAL handle, a storage area, the state's own event log), and for the
 *     tariff in force and the pending one, where the configuration offers it (1 cfg->tariff,
 *     2 + i cfg->tariffs[i]) in the low 16 bits and a fold of its id (id ^ id >> 16) in the
 *     high 16.  The state's copy of the storage handles keeps its sizes and device id, its
 *     padding zeroed; the rest is copied as it is.  So an image holds no address and the same
 *     state gives the same bytes wherever it lives.  A state stopped by power_fail or handed
 *     over after a firmware activation is saved as it is (restored, it waits for
 *     power_restore, or refuses, like the original).  MM_EINVAL: NULL, CAP below state_size;
 *     MM_ESTATE: a state not started (never initialised, deinit, a failed init before its
 *     configuration was taken, a failed resume); MM_ECORRUPT: a pointer that is not where the
 *     core sets it, or a tariff the state's configuration no longer offers.  On error OUT is
 *     not written.
 *   load_ram(state, in, len, cfg, hal, st) restores image IN (LEN == state_size) into STATE
 *     (state_size bytes aligned to state_align, any contents; IN may be STATE itself, a host
 *     reading the image into place, but must not otherwise overlap it) and binds the tokens to
 *     CFG, HAL and ST, what init and resume take: the meter's configuration (the one it ran
 *     with last, after any change_supplier), its HAL and its storage.  It checks that every
 *     token is 0 or its pointer's own and names something that exists (a tariff position
 *     within CFG whose id folds to the token's; a 1 for a handle or area that is NULL now); that
 *     HAL and ST have a handle wherever the saved meter had one and none where it had none;
 *     that ST has the saved storage's sizes and device id; and that the profile, event and
 *     billing rings' indices lie in that storage.  Other fields are taken as they are.
 *     MM_EINVAL: NULL, LEN not state_size; MM_ECORRUPT: a check failed.  On any error STATE is
 *     left as after deinit (every call refuses), nothing else is written.
 * An image is valid only for the build that wrote it (same sources, same mm_config.h options,
 * same target): it has no header, and the host checks the image's build id (version()) and
 * state_size itself.  Neither call touches the HAL, the storage or the NVM. */

/* The one symbol an image exports (built with hidden visibility, see models/meter). */
#if defined(__GNUC__)
#define MM_ABI_EXPORT __attribute__((visibility("default")))
#else
#define MM_ABI_EXPORT
#endif

/* The table of this build (static storage, never NULL). */
MM_ABI_EXPORT const mm_abi *mm_abi_get(void);

#ifdef __cplusplus
}
#endif

#endif

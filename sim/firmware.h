/* Firmware images: the ABI tables the meters run (the build linked into metersim, the SMETS1
 * build beside it, or shared objects the populations name), checked against the simulator's
 * ABI and for their provenance, and the configurations meters are commissioned with (per
 * supplier, tariff and payment mode).
 *
 * Several images load side by side: each population names one, and a household's firmware
 * state is coded at its image's size (sim_fw_states).
 * Not here: driving meters (household.c), commands (downlink.c), the tariff definitions
 * (tariffdef.c).
 */
#ifndef SIM_FIRMWARE_H
#define SIM_FIRMWARE_H

#include "scenario.h"
#include "tariffdef.h"

#include "fleet.h"
#include "grid/price.h"
#include "mm/abi.h"
#include "mm/esme.h"
#include "mm_port_sim_crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Identities (EUI-64, as GBCS addresses devices): the device id of the SERIAL-th meter
 * installed at HOUSEHOLD (0: the one there at the start) is 00-DB-00, 01 + SERIAL, then the
 * household id (32 bits, big-endian); supplier K's id is 90-B3-00-00-00-00-00 then K + 1.
 * Derived, so a meter's identity costs no memory of its own. */
void sim_fw_device_id(uint32_t household, uint8_t serial, uint8_t out[8]);
void sim_fw_supplier_id(uint32_t supplier, uint8_t out[8]);

/* Command counters are anchored to time (mm/command.h): the head-end frames at unix second t
 * under max(previous + 1, t << SIM_FW_COUNTER_SHIFT) (downlink.c) and the meters are configured
 * with that shift, so one that lost its NVM refuses every frame made before it came back. */
#define SIM_FW_COUNTER_SHIFT 32u

#define SIM_FW_IMAGES_MAX (SIM_POPULATIONS_MAX + SIM_CAMPAIGNS_MAX)
#define SIM_FW_SLOT_ALIGN 8u /* a meter's slot (its firmware state) starts on this */

/* One image of the registry: the build linked into metersim, the SMETS1 build beside it, or
 * a shared object a population names. */
typedef struct sim_fw_image {
    char name[520];            /* builtin:smets2, builtin:smets1, or the path as given */
    const mm_abi *abi;         /* the image's table */
    void *handle;              /* dlopen handle; NULL: the build linked in */
    uint32_t nvm_size;         /* NVM bytes per meter, as the meter sees it */
    uint32_t nvm_bank;         /* one of its two persistence banks [B] */
    uint32_t nvm_store;        /* bytes its store keeps, all but one bank (a checkpoint's:
                                  mm_port_sim_nvm_copy_kept); coded outside the slot */
    uint32_t slot;             /* bytes of one meter's slot: its state, rounded up to a
                                  multiple of SIM_FW_SLOT_ALIGN (what sim_fw_states codes) */
    char sha256[65];           /* of the file, hex; "" for the build linked in */
    char build_id[65];         /* GNU build id, hex; "" if none */
    char source[65];           /* git describe of this tree for its own builds, else "" */
} sim_fw_image;

typedef struct sim_fw {
    uint32_t n_images;
    sim_fw_image img[SIM_FW_IMAGES_MAX];
    uint8_t campaign_image[SIM_CAMPAIGNS_MAX]; /* each firmware campaign's new image */
    uint32_t n_suppliers;
    /* Commissioning configurations per (supplier, tariff, payment mode), built for the ones
     * some household has: tariff[s * SIM_TARIFFS + t], cfg[(s * SIM_TARIFFS + t) * 2 + prepay]. */
    mm_tariff_def *tariff;
    mm_esme_config *cfg;
    uint32_t periods_known[SIM_TARIFFS]; /* periods a dynamic tariff's meters hold at the start */
    mm_hal_crypto crypto;      /* modelled crypto, shared by every meter */
    uint32_t max_slot;         /* the largest image's slot [B]: an area's view (sim_fw_states) */
    uint32_t max_bank;         /* the largest image's NVM bank [B] */
    uint32_t max_state;        /* the largest image's firmware state [B] */
} sim_fw;

/* Load and check every population's image (setting each population's and household's image
 * in FLEET) and
 * build the commissioning configurations the fleet's households need; the prices of a
 * tariff published at the start (static tariffs: all of them) become its meters' TOU rates.
 * Returns 0, or -1 with a message naming the population and path in ERR (after which
 * sim_fw_close is still called). */
int sim_fw_open(sim_fw *fw, const sim_scenario *sc, sim_fleet *fleet,
                const grid_price_model *prices, uint32_t windows, char *err, size_t errlen);
/* The configuration household ID of FLEET is commissioned with (its supplier's, tariff,
 * payment mode), and that of any (SUPPLIER, TARIFF, PREPAY) (NULL if not built: a change of
 * supplier needs every pair sim_fw_open built when switching runs). */
const mm_esme_config *sim_fw_config(const sim_fw *fw, const sim_fleet *fleet, uint32_t id,
                                    bool prepay);
const mm_esme_config *sim_fw_config_for(const sim_fw *fw, uint32_t supplier, uint32_t tariff,
                                        bool prepay);
/* Household ID of FLEET now runs with CFG, one of FW's (sim_fleet_hh.cfg), and the one it
 * runs with (NULL: none recorded). */
void sim_fw_config_held(const sim_fw *fw, sim_fleet *fleet, uint32_t id, const mm_esme_config *cfg);
const mm_esme_config *sim_fw_config_of(const sim_fw *fw, const sim_fleet_hh *h);
void sim_fw_close(sim_fw *fw);
/* Whether image ABI can take a meter over after a firmware activation: its table has resume
 * (ABI 8, mm/abi.h's hand-over), set. */
bool sim_fw_has_resume(const mm_abi *abi);
/* Whether image ABI can checkpoint its meters' RAM: its table has save_ram and load_ram
 * (ABI 9, mm/abi.h's checkpoint), both set. */
bool sim_fw_can_checkpoint(const mm_abi *abi);
/* The file image IM was loaded from (a build of this tree for builtin:*).  0, or -1. */
int sim_fw_image_file(const sim_fw_image *im, char *out, size_t len);

#endif

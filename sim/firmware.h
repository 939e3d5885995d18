/* Firmware images: the ABI table every meter runs (the build linked into metersim, or a
 * shared object named by meter.firmware), checked against the simulator's ABI, and the
 * configurations meters are commissioned with (credit and prepayment mode, the
 * commissioning tariff).
 *
 * One image per run today; the registry shape (load, check, state and NVM sizes per image)
 * is what a mixed fleet with several images per run builds on.
 * Not here: driving meters (household.c), commands (downlink.c), the tariff definitions
 * (tariffdef.c).
 */
#ifndef SIM_FIRMWARE_H
#define SIM_FIRMWARE_H

#include "scenario.h"
#include "tariffdef.h"

#include "grid/price.h"
#include "mm/abi.h"
#include "mm/esme.h"
#include "mm_port_sim_crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The simulated supplier and meters share one identity: UTRNs and commands are addressed to
 * it (per-meter identities would cost each meter a configuration of its own). */
extern const uint8_t SIM_FW_DEVICE_ID[8];
extern const uint8_t SIM_FW_SUPPLIER_ID[8];

typedef struct sim_fw {
    const mm_abi *abi;         /* the image's table */
    void *image;               /* dlopen handle of meter.firmware; NULL: the built-in build */
    uint32_t nvm_size;         /* NVM bytes per meter */
    mm_esme_config credit;     /* configuration of credit-mode meters */
    mm_esme_config prepay;     /* ... and of prepayment meters */
    mm_tariff_def tariff;      /* the tariff in force at commissioning */
    mm_hal_crypto crypto;      /* modelled crypto, shared by every meter */
    uint32_t periods_known;    /* settlement periods whose prices meters hold at commissioning */
} sim_fw;

/* Load and check the image of SC and build the commissioning configurations; the prices of
 * TARIFF published at the start (static tariffs: all of them) become the meters' TOU rates.
 * Returns 0, or -1 with a message in ERR (after which sim_fw_close is still called). */
int sim_fw_open(sim_fw *fw, const sim_scenario *sc, const grid_price_model *prices,
                grid_tariff tariff, uint32_t windows, char *err, size_t errlen);
void sim_fw_close(sim_fw *fw);

#endif

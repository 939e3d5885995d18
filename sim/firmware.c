#include "firmware.h"

#include "mm/meter.h"
#include "mm/version.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

const uint8_t SIM_FW_DEVICE_ID[8] = {0x00, 0xDB, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t SIM_FW_SUPPLIER_ID[8] = {0x90, 0xB3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};

/* The image: meter.firmware's shared object, or the build linked in.  An image exports only
 * mm_abi_get (models/meter/CMakeLists.txt builds it with hidden visibility), so its own
 * functions never bind to the built-in copies; its mm_hal_* calls bind to this executable's
 * port (exported for the purpose). */
static int image_load(sim_fw *fw, const char *name, char *err, size_t errlen)
{
    if (!name[0]) {
        fw->abi = mm_abi_get();
        return 0;
    }
    /* A name without a slash would be looked up on the library path; a file is meant. */
    char path[sizeof ((sim_scenario *)0)->meter.firmware + 2];
    snprintf(path, sizeof path, "%s%s", strchr(name, '/') ? "" : "./", name);
    fw->image = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!fw->image) {
        snprintf(err, errlen, "meter.firmware: cannot load \"%s\": %s", name, dlerror());
        return -1;
    }
    const mm_abi *(*get)(void) = NULL;
    void *sym = dlsym(fw->image, MM_ABI_ENTRY);
    memcpy(&get, &sym, sizeof get < sizeof sym ? sizeof get : sizeof sym);
    fw->abi = get ? get() : NULL;
    if (!fw->abi) {
        snprintf(err, errlen, "meter.firmware: \"%s\" is not a firmware image (no %s table)", name,
                 MM_ABI_ENTRY);
        return -1;
    }
    return 0;
}

/* Later ABI versions only append entries, but the shared structs' layout is the version's. */
static int image_check(const mm_abi *abi, char *err, size_t errlen)
{
    if (abi->abi_version != MM_ABI_VERSION || abi->table_size < sizeof(mm_abi)) {
        snprintf(err, errlen, "firmware %s: ABI %u (table %u B), the simulator expects %u (%zu B)",
                 abi->version(), abi->abi_version, abi->table_size, MM_ABI_VERSION, sizeof(mm_abi));
        return -1;
    }
    uint32_t al = abi->state_align;
    if (abi->state_size == 0 || abi->state_size > (1u << 20) || al == 0 || al > 4096 ||
        (al & (al - 1)) != 0) {
        snprintf(err, errlen, "firmware %s: implausible state of %u B aligned to %u", abi->version(),
                 abi->state_size, al);
        return -1;
    }
    return 0;
}

/* The commissioning tariff of a price model's tariff (block and hybrid have none there). */
static int tariff_kind(grid_tariff t)
{
    switch (t) {
    case GRID_TARIFF_FLAT:
        return SIM_TARIFF_KIND_FLAT;
    case GRID_TARIFF_E7:
        return SIM_TARIFF_KIND_E7;
    case GRID_TARIFF_TOU:
        return SIM_TARIFF_KIND_TOU;
    case GRID_TARIFF_AGILE:
        return SIM_TARIFF_KIND_AGILE;
    case GRID_TARIFF_RTP:
        return SIM_TARIFF_KIND_RTP;
    default:
        return -1;
    }
}

/* Credit mode, and prepayment with the scenario's settings (meter.prepayment.*): low-credit
 * alert, disablement at 0, emergency credit; supply never cut 16:00-08:00 or at weekends
 * (friendly hours, typical of GB suppliers' licence conditions on self-disconnection). */
static void meter_configs(sim_fw *fw, const sim_scenario *sc)
{
    mm_esme_config *c = &fw->credit;
    memset(c, 0, sizeof *c);
    c->meter.register_digits = (uint8_t)sc->meter.register_digits;
    memcpy(c->utrn.device_id, SIM_FW_DEVICE_ID, 8);
    memcpy(c->utrn.supplier_id, SIM_FW_SUPPLIER_ID, 8);
    memcpy(c->cmd.device_id, SIM_FW_DEVICE_ID, 8);
    c->cmd.bad_threshold = 3;
    c->cmd.bad_window_s = 3600;
    c->tariff = &fw->tariff;
    c->initial_mode = MM_MODE_CREDIT;
    c->dither_window_s = (uint32_t)sc->meter.restore_dither_s;
    c->nvm_addr = MM_PERSIST_NVM_ADDR;
    c->fw_version = 0x00010000u;
    fw->prepay = *c;
    mm_esme_config *pp = &fw->prepay;
    pp->initial_mode = MM_MODE_PREPAYMENT;
    pp->initial_credit = (mm_credit_t)sc->meter.prepay_initial_p * MM_CREDIT_PER_PENNY;
    pp->prepay.low_credit = (mm_credit_t)sc->meter.prepay_low_p * MM_CREDIT_PER_PENNY;
    pp->prepay.disablement = 0;
    pp->prepay.ec_threshold = (mm_credit_t)sc->meter.prepay_ec_below_p * MM_CREDIT_PER_PENNY;
    pp->prepay.ec_limit = (mm_credit_t)sc->meter.prepay_ec_p * MM_CREDIT_PER_PENNY;
    pp->prepay.friendly[0] = (mm_friendly_period){.days = 0x1F, .start_min = 16 * 60, .end_min = 1440};
    pp->prepay.friendly[1] = (mm_friendly_period){.days = 0x1F, .start_min = 0, .end_min = 8 * 60};
    pp->prepay.friendly[2] = (mm_friendly_period){.days = 0x60, .start_min = 0, .end_min = 1440};
}

int sim_fw_open(sim_fw *fw, const sim_scenario *sc, const grid_price_model *prices,
                grid_tariff tariff, uint32_t windows, char *err, size_t errlen)
{
    memset(fw, 0, sizeof *fw);
    if (image_load(fw, sc->meter.firmware, err, errlen) || image_check(fw->abi, err, errlen))
        return -1;
    fw->nvm_size = fw->abi->nvm_footprint() + MM_PERSIST_NVM_ADDR;
    mm_port_sim_crypto_init(&fw->crypto, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    if (sim_tariff_def_build(&fw->tariff, tariff_kind(tariff), NULL, sc, prices, windows,
                             &fw->periods_known, err, errlen) != 0)
        return -1;
    meter_configs(fw, sc);
    return 0;
}

void sim_fw_close(sim_fw *fw)
{
    if (fw->image) dlclose(fw->image);
    memset(fw, 0, sizeof *fw);
}

#include "firmware.h"
#include "provenance.h"

#include "mm/meter.h"
#include "mm/version.h"
#include "sim/timeutil.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

const uint8_t SIM_FW_DEVICE_ID[8] = {0x00, 0xDB, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t SIM_FW_SUPPLIER_ID[8] = {0x90, 0xB3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};

uint32_t sim_period_rate(const sim_scenario *sc, uint32_t p)
{
    return (uint32_t)(((sc->start_unix + (int64_t)p * SIM_PERIOD_S) % SIM_DAY_S) / SIM_PERIOD_S);
}

bool sim_price_published(const grid_price_model *m, grid_tariff tariff, uint32_t p, uint32_t now)
{
    int64_t pub;
    grid_price pr;
    return grid_price_publication_s(m, tariff, p, &pub) == 0 && pub <= (int64_t)now &&
           grid_price_get(m, tariff, p, &pr) == 0;
}

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
    /* dlopen trusts the file: a truncated image would map pages past its end (SIGBUS). */
    char why[sizeof path + 256];
    if (sim_elf_check(path, why, sizeof why) != 0) {
        snprintf(err, errlen, "meter.firmware: refused: %s", why);
        return -1;
    }
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

/* The commissioning tariff: the flat retail rate in integer 10^-2 p/kWh (prices.c); any
 * other tariff as 48 TOU rates, one per half-hour of the UTC day, priced from the run's
 * first 24 hours as published at the start (static tariffs: all of it).  A dynamic
 * tariff's later prices reach the meters as MM_CMD_SET_PRICES. */
static int commissioning_tariff(sim_fw *fw, const sim_scenario *sc, const grid_price_model *prices,
                                grid_tariff tariff, uint32_t windows)
{
    mm_tariff_def *d = &fw->tariff;
    memset(d, 0, sizeof *d);
    grid_price pr = {0};
    grid_price_get(prices, GRID_TARIFF_FLAT, 0, &pr);
    d->id = 1;
    d->price_scale = GRID_PRICE_SCALE;
    d->standing_scale = GRID_PRICE_SCALE;
    d->standing_charge = (uint32_t)pr.standing;
    d->billing = MM_BILLING_NONE;
    d->n_seasons = 1;
    d->season[0].month = 1;
    d->season[0].day = 1;
    d->day[0].n = 1;
    d->day[0].sw[0].rate = 0;
    d->day[0].sw[0].price_set = MM_TARIFF_NONE;
    d->tou_price[0] = (uint32_t)pr.unit;
    if (tariff != GRID_TARIFF_FLAT) {
        d->day[0].n = MM_TARIFF_TOU_RATES;
        for (uint32_t k = 0; k < MM_TARIFF_TOU_RATES; k++) {
            d->day[0].sw[k] = (mm_tariff_switch){(uint16_t)(k * 30u), (uint8_t)k, MM_TARIFF_NONE};
            d->tou_price[k] = (uint32_t)pr.unit;
        }
        for (uint32_t p = 0; p < MM_TARIFF_TOU_RATES && p < windows &&
                             sim_price_published(prices, tariff, p, 0);
             p++) {
            grid_price q;
            grid_price_get(prices, tariff, p, &q);
            d->tou_price[sim_period_rate(sc, p)] = q.unit > 0 ? (uint32_t)q.unit : 0u;
            fw->periods_known = p + 1;
        }
    }
    return mm_tariff_def_check(d) == MM_OK ? 0 : -1;
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
    if (commissioning_tariff(fw, sc, prices, tariff, windows) != 0) {
        snprintf(err, errlen, "firmware tariff: invalid definition");
        return -1;
    }
    meter_configs(fw, sc);
    return 0;
}

void sim_fw_close(sim_fw *fw)
{
    if (fw->image) dlclose(fw->image);
    memset(fw, 0, sizeof *fw);
}

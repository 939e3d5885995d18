#include "firmware.h"
#include "provenance.h"

#include "mm/meter.h"
#include "mm/persist.h"
#include "mm_port_sim.h"
#include "mm/version.h"
#include "sim/timeutil.h"

#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sim_fw_device_id(uint32_t household, uint8_t serial, uint8_t out[8])
{
    const uint8_t id[8] = {0x00,
                           0xDB,
                           0x00,
                           (uint8_t)(0x01u + serial),
                           (uint8_t)(household >> 24),
                           (uint8_t)(household >> 16),
                           (uint8_t)(household >> 8),
                           (uint8_t)household};
    memcpy(out, id, 8);
}

void sim_fw_supplier_id(uint32_t supplier, uint8_t out[8])
{
    const uint8_t id[8] = {0x90, 0xB3, 0x00, 0x00, 0x00, 0x00, 0x00, (uint8_t)(supplier + 1u)};
    memcpy(out, id, 8);
}

/* A build this tree makes (FILE: mm_smets1.so, mm_smets2.so): beside the running executable's
 * directory (build/sim/metersim -> build/firmware/), else where this build put it
 * (METERSIM_FIRMWARE_DIR: tests linking the runner run from elsewhere in the tree). */
static int builtin_path(const char *file, char *out, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        int w = snprintf(out, len, "%s/../firmware/%s", exe, file);
        if (w > 0 && (size_t)w < len && access(out, R_OK) == 0) return 0;
    }
    int w = snprintf(out, len, "%s/%s", METERSIM_FIRMWARE_DIR, file);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

int sim_fw_image_file(const sim_fw_image *im, char *out, size_t len)
{
    if (strcmp(im->name, "builtin:smets2") == 0) return builtin_path("mm_smets2.so", out, len);
    if (strcmp(im->name, "builtin:smets1") == 0) return builtin_path("mm_smets1.so", out, len);
    int w = snprintf(out, len, "%s%s", strchr(im->name, '/') ? "" : "./", im->name);
    return w > 0 && (size_t)w < len ? 0 : -1;
}

/* Where image IM comes from: the SHA-256 and GNU build id of its file PATH (NULL: the build
 * linked in, whose file is the executable), and for the builds this tree makes (builtin:*) the
 * tree's git describe. */
static int image_provenance(sim_fw_image *im, const char *path, const char *who, char *err,
                            size_t errlen)
{
    char why[PATH_MAX + 128];
    if (!path) {
        if (sim_self_build_id(im->build_id, sizeof im->build_id) != 0) im->build_id[0] = '\0';
        if (sim_file_sha256("/proc/self/exe", im->sha256, why, sizeof why) != 0)
            im->sha256[0] = '\0';
    } else {
        if (sim_file_sha256(path, im->sha256, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s: firmware image: %s", who, why);
            return -1;
        }
        if (sim_elf_build_id(path, im->build_id, sizeof im->build_id) != 0) im->build_id[0] = '\0';
    }
    bool builtin = strncmp(im->name, "builtin:", 8) == 0;
    snprintf(im->source, sizeof im->source, "%s", builtin ? sim_build_git_describe() : "");
    return 0;
}

/* Image NAME (builtin:smets2, builtin:smets1, or a path): the build linked in, or a shared
 * object.  An image exports only mm_abi_get (models/meter/CMakeLists.txt builds it with hidden
 * visibility), so its own functions never bind to the built-in copies; its mm_hal_* calls bind
 * to this executable's port (exported for the purpose).  WHO names the population. */
static int image_load(sim_fw_image *im, const char *name, const char *who, char *err, size_t errlen)
{
    snprintf(im->name, sizeof im->name, "%s", name);
    if (strcmp(name, "builtin:smets2") == 0) {
        im->abi = mm_abi_get();
        return image_provenance(im, NULL, who, err, errlen);
    }
    /* A name without a slash would be looked up on the library path; a file is meant. */
    char path[PATH_MAX + 16];
    if (sim_fw_image_file(im, path, sizeof path) != 0) {
        snprintf(err, errlen, "%s: cannot locate the firmware image \"%s\"", who, name);
        return -1;
    }
    /* dlopen trusts the file: a truncated image would map pages past its end (SIGBUS). */
    char why[sizeof path + 256];
    if (sim_elf_check(path, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: firmware image refused: %s", who, why);
        return -1;
    }
    im->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!im->handle) {
        snprintf(err, errlen, "%s: cannot load firmware image \"%s\": %s", who, name, dlerror());
        return -1;
    }
    if (image_provenance(im, path, who, err, errlen)) return -1;
    const mm_abi *(*get)(void) = NULL;
    void *sym = dlsym(im->handle, MM_ABI_ENTRY);
    memcpy(&get, &sym, sizeof get < sizeof sym ? sizeof get : sizeof sym);
    im->abi = get ? get() : NULL;
    if (!im->abi) {
        snprintf(err, errlen, "%s: \"%s\" is not a firmware image (no %s table)", who, name,
                 MM_ABI_ENTRY);
        return -1;
    }
    return 0;
}

/* Later ABI versions only append entries, but the shared structs' layout is the version's. */
static int image_check(const sim_fw_image *im, const char *who, char *err, size_t errlen)
{
    const mm_abi *abi = im->abi;
    if (abi->abi_version != MM_ABI_VERSION || abi->table_size < sizeof(mm_abi)) {
        snprintf(
            err, errlen,
            "%s: firmware image \"%s\" has ABI %u (table %u B), the simulator expects %u (%zu B)",
            who, im->name, abi->abi_version, abi->table_size, MM_ABI_VERSION, sizeof(mm_abi));
        return -1;
    }
    uint32_t al = abi->state_align;
    if (abi->state_size == 0 || abi->state_size > (1u << 20) || al == 0 || al > SIM_FW_SLOT_ALIGN ||
        (al & (al - 1)) != 0) {
        snprintf(err, errlen,
                 "%s: firmware image \"%s\" (%s): implausible state of %u B aligned to %u", who,
                 im->name, abi->version(), abi->state_size, al);
        return -1;
    }
    /* two equal banks of mm/persist.h records, each at least a record's overhead */
    uint32_t fp = abi->nvm_footprint();
    if (fp % 2u != 0 || fp / 2u < MM_PERSIST_OVERHEAD || fp > (1u << 20)) {
        snprintf(err, errlen,
                 "%s: firmware image \"%s\" (%s): implausible NVM footprint of %u B (two "
                 "persistence banks of at least %u B each)",
                 who, im->name, abi->version(), fp, MM_PERSIST_OVERHEAD);
        return -1;
    }
    return 0;
}

/* Credit mode and prepayment with the scenario's settings (meter.prepayment.*): low-credit
 * alert, disablement at 0, emergency credit; supply never cut 16:00-08:00 or at weekends
 * (friendly hours, typical of GB suppliers' licence conditions on self-disconnection).
 * SUPPLIER originates the UTRNs; the device id is each meter's own (mm_esme_storage), so the
 * configuration's stays zero. */
static void meter_configs(mm_esme_config *credit, mm_esme_config *prepay, const sim_scenario *sc,
                          const mm_tariff_def *tariff, uint32_t supplier)
{
    mm_esme_config *c = credit;
    memset(c, 0, sizeof *c);
    c->meter.register_digits = (uint8_t)sc->meter.register_digits;
    sim_fw_supplier_id(supplier, c->utrn.supplier_id);
    c->cmd.bad_threshold = 3;
    c->cmd.bad_window_s = 3600;
    c->cmd.counter_time_shift = SIM_FW_COUNTER_SHIFT;
    c->tariff = tariff;
    c->initial_mode = MM_MODE_CREDIT;
    c->dither_window_s = (uint32_t)sc->meter.restore_dither_s;
    c->nvm_addr = MM_PERSIST_NVM_ADDR;
    c->fw_version = 0x00010000u;
    *prepay = *c;
    mm_esme_config *pp = prepay;
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

/* The image a population names when its firmware key is empty. */
static const char *default_image(const sim_scenario *sc, const sim_population *p)
{
    if (p->firmware[0]) return p->firmware;
    if (p->generation == SIM_GEN_SMETS1) return "builtin:smets1";
    if (p->generation == SIM_GEN_SMETS2 && sc->meter.firmware[0]) return sc->meter.firmware;
    return "builtin:smets2";
}

/* Image NAME's index in the registry, loaded and checked the first time (WHO names the
 * population or campaign); -1 with the message in ERR. */
static int image_index(sim_fw *fw, const char *name, const char *who, char *err, size_t errlen)
{
    uint32_t j = 0;
    while (j < fw->n_images && strcmp(fw->img[j].name, name) != 0)
        j++;
    if (j < fw->n_images) return (int)j;
    sim_fw_image *im = &fw->img[fw->n_images++];
    if (image_load(im, name, who, err, errlen) || image_check(im, who, err, errlen)) return -1;
    uint32_t st =
        (im->abi->state_size + SIM_FW_SLOT_ALIGN - 1) / SIM_FW_SLOT_ALIGN * SIM_FW_SLOT_ALIGN;
    /* the two banks of its record (mm/persist.h) above the self-test cell; its store keeps
     * one of them, coded, in blocks of its own (mm_port_sim.h) */
    im->nvm_bank = im->abi->nvm_footprint() / 2u;
    im->nvm_size = mm_port_sim_nvm_banked_size(MM_PERSIST_NVM_ADDR, im->nvm_bank);
    im->nvm_store = mm_port_sim_nvm_banked_bytes(MM_PERSIST_NVM_ADDR, im->nvm_bank);
    im->slot = st;
    if (im->slot > fw->max_slot) fw->max_slot = im->slot;
    if (im->nvm_bank > fw->max_bank) fw->max_bank = im->nvm_bank;
    return (int)j;
}

/* Each firmware campaign's image, for the population it names: same profile (a SMETS1 build
 * for SMETS1 meters), and able to start from an earlier image's record. */
static int campaign_images(sim_fw *fw, const sim_scenario *sc, const sim_fleet *fleet, char *err,
                           size_t errlen)
{
    for (uint32_t k = 0; k < sc->n_campaigns; k++) {
        const sim_fw_campaign *c = &sc->firmware_campaigns[k];
        char who[96];
        snprintf(who, sizeof who, "firmware_campaigns[%u] (%s)", k, c->name);
        uint32_t p = fleet->campaign_pop[k]; /* checked by sim_fleet_build */
        int j = image_index(fw, c->firmware, who, err, errlen);
        if (j < 0) return -1;
        const mm_abi *from = fw->img[fleet->pops[p].image].abi, *to = fw->img[j].abi;
        if (to->profile != from->profile) {
            snprintf(err, errlen,
                     "%s.firmware: \"%s\" is a %s build, the population's meters run %s", who,
                     c->firmware, to->profile == MM_ABI_PROFILE_SMETS1 ? "SMETS1" : "SMETS2",
                     from->profile == MM_ABI_PROFILE_SMETS1 ? "SMETS1" : "SMETS2");
            return -1;
        }
        fw->campaign_image[k] = (uint8_t)j;
    }
    return 0;
}

/* Every population's image, each loaded once however many populations run it. */
static int images_open(sim_fw *fw, const sim_scenario *sc, sim_fleet *fleet, char *err,
                       size_t errlen)
{
    for (uint32_t k = 0; k < fleet->n_pops; k++) {
        char who[96];
        snprintf(who, sizeof who, "fleet.populations[%u] (%s)", k, fleet->pops[k].p->name);
        int j = image_index(fw, default_image(sc, fleet->pops[k].p), who, err, errlen);
        if (j < 0) return -1;
        fleet->pops[k].image = (uint8_t)j;
    }
    if (campaign_images(fw, sc, fleet, err, errlen)) return -1;
    for (uint32_t id = 0; id < sc->households; id++)
        fleet->hh[id].image = fleet->pops[fleet->hh[id].pop].image;
    return 0;
}

/* The configurations of every (supplier, tariff) some household has. */
static int configs_build(sim_fw *fw, const sim_scenario *sc, const sim_fleet *fleet,
                         const grid_price_model *prices, uint32_t windows, char *err, size_t errlen)
{
    size_t n = (size_t)fleet->n_suppliers * SIM_TARIFFS;
    bool *used = calloc(n, sizeof *used);
    fw->n_suppliers = fleet->n_suppliers;
    fw->tariff = calloc(n, sizeof *fw->tariff);
    fw->cfg = calloc(2 * n, sizeof *fw->cfg);
    if (!used || !fw->tariff || !fw->cfg) {
        free(used);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (uint32_t id = 0; id < sc->households; id++)
        used[(size_t)fleet->hh[id].supplier * SIM_TARIFFS + fleet->hh[id].tariff] = true;
    /* Households may change supplier: every supplier's configuration of every tariff a
     * population fixes, and of its own menu's. */
    bool fixed[SIM_TARIFFS] = {false}, menus = false;
    for (uint32_t p = 0; p < fleet->n_pops; p++) {
        if (fleet->pops[p].tariff >= 0) fixed[fleet->pops[p].tariff] = true;
        menus = menus || fleet->pops[p].tariff < 0;
    }
    for (uint32_t s = 0; sc->switching.enabled && s < fleet->n_suppliers; s++)
        for (uint32_t t = 0; t < SIM_TARIFFS; t++) {
            bool blocky = t == SIM_TARIFF_BLOCK || t == SIM_TARIFF_HYBRID;
            if (fixed[t] && blocky && !fleet->sup[s].has_block) {
                snprintf(err, errlen,
                         "switching: households on the %s tariff may change to supplier %s, which "
                         "defines no block tariff (block.prices)",
                         sim_tariff_name((sim_tariff)t), sc->suppliers[s].name);
                free(used);
                return -1;
            }
            if (fixed[t] || (menus && sc->suppliers[s].menu[t] > 0))
                used[(size_t)s * SIM_TARIFFS + t] = true;
        }
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        if (!used[k]) continue;
        uint32_t s = (uint32_t)(k / SIM_TARIFFS);
        int t = (int)(k % SIM_TARIFFS);
        char why[200];
        const sim_block_def *blk = fleet->sup[s].has_block ? &fleet->sup[s].block : NULL;
        if (sim_tariff_def_build(&fw->tariff[k], t, blk, sc, prices, windows, &fw->periods_known[t],
                                 why, sizeof why) != 0) {
            snprintf(err, errlen, "suppliers[%u] (%s): tariff %s: %s", s, sc->suppliers[s].name,
                     sim_tariff_name((sim_tariff)t), why);
            rc = -1;
        } else {
            fw->tariff[k].id = (uint32_t)k + 1u; /* one id per supplier's tariff */
            meter_configs(&fw->cfg[2 * k], &fw->cfg[2 * k + 1], sc, &fw->tariff[k], s);
        }
    }
    free(used);
    return rc;
}

int sim_fw_open(sim_fw *fw, const sim_scenario *sc, sim_fleet *fleet,
                const grid_price_model *prices, uint32_t windows, char *err, size_t errlen)
{
    memset(fw, 0, sizeof *fw);
    if (images_open(fw, sc, fleet, err, errlen)) return -1;
    for (uint32_t k = 0; k < fw->n_images; k++)
        if (fw->img[k].abi->state_size > fw->max_state) fw->max_state = fw->img[k].abi->state_size;
    mm_port_sim_crypto_init(&fw->crypto, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    return configs_build(fw, sc, fleet, prices, windows, err, errlen);
}

const mm_esme_config *sim_fw_config_for(const sim_fw *fw, uint32_t supplier, uint32_t tariff,
                                        bool prepay)
{
    size_t k = (size_t)supplier * SIM_TARIFFS + tariff;
    if (supplier >= fw->n_suppliers || tariff >= SIM_TARIFFS || !fw->tariff[k].id) return NULL;
    return &fw->cfg[2 * k + (prepay ? 1 : 0)];
}

const mm_esme_config *sim_fw_config(const sim_fw *fw, const sim_fleet *fleet, uint32_t id, bool prepay)
{
    const sim_fleet_hh *h = &fleet->hh[id];
    return sim_fw_config_for(fw, h->supplier, h->tariff, prepay);
}

void sim_fw_config_held(const sim_fw *fw, sim_fleet *fleet, uint32_t id, const mm_esme_config *cfg)
{
    fleet->hh[id].cfg = (uint8_t)(cfg - fw->cfg);
}

const mm_esme_config *sim_fw_config_of(const sim_fw *fw, const sim_fleet_hh *h)
{
    size_t k = h->cfg / 2;
    if (k >= (size_t)fw->n_suppliers * SIM_TARIFFS || !fw->tariff[k].id) return NULL;
    return &fw->cfg[h->cfg];
}

bool sim_fw_has_resume(const mm_abi *abi)
{
    return abi && abi->abi_version >= 8u &&
           abi->table_size >= offsetof(mm_abi, resume) + sizeof abi->resume && abi->resume;
}

bool sim_fw_can_checkpoint(const mm_abi *abi)
{
    return abi && abi->abi_version >= 9u &&
           abi->table_size >= offsetof(mm_abi, load_ram) + sizeof abi->load_ram &&
           abi->save_ram && abi->load_ram;
}

void sim_fw_close(sim_fw *fw)
{
    for (uint32_t k = 0; k < fw->n_images; k++)
        if (fw->img[k].handle) dlclose(fw->img[k].handle);
    free(fw->tariff);
    free(fw->cfg);
    memset(fw, 0, sizeof *fw);
}

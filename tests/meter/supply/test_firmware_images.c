/* The hand-over across builds: the loadable SMETS2 and SMETS1 images share the NVM record
 * (MM_ESME_RECORD_VERSION), so a meter activated in one resumes in the other, through the ABI
 * table as the simulator would call it; and each image's checkpoint of a meter's RAM (ABI 9).
 * The images bind their mm_hal_* calls to this executable's port (exported, as metersim's). */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>

#include "fixture.h"
#include "mm/abi.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"
#include "mm/version.h"

static const mm_abi *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIRMWARE_DIR, name);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    cr_assert_not_null(h, "%s: %s", path, dlerror());
    const mm_abi *(*get)(void) = NULL;
    void *sym = dlsym(h, MM_ABI_ENTRY);
    memcpy(&get, &sym, sizeof get);
    cr_assert_not_null(get);
    const mm_abi *abi = get();
    cr_assert_eq(abi->abi_version, MM_ABI_VERSION);
    cr_assert_geq(abi->table_size, sizeof(mm_abi));
    cr_assert_not_null(abi->resume);
    return abi; /* left loaded: the process ends with the test */
}

static int command(fixture *f, const mm_abi *abi, void *st, uint64_t ctr, uint16_t id,
                   const uint8_t *pl, uint16_t n, bool sign)
{
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, ctr, id, pl, n, sign,
                                       true, frame, sizeof frame, &len),
                 MM_OK);
    return abi->command(st, frame, len, NULL, 0, NULL);
}

static void hand_over(const char *from_name, const char *to_name, const char *to_suffix)
{
    const mm_abi *from = load(from_name), *to = load(to_name);
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 20000000;
    void *old = aligned_alloc(8, (from->state_size + 7u) / 8u * 8u);
    void *neu = aligned_alloc(8, (to->state_size + 7u) / 8u * 8u);
    cr_assert_eq(from->init(old, &f->cfg, &f->hal, &f->st), MM_OK);
    f->sim_ms += 900000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    from->advance(old, 2500000, 100000, 900000u);
    uint8_t debt[9] = {MM_DEBT_PAYMENT, 0, 0, 0, 0, 0, 0, 0x30, 0x39};
    cr_assert_eq(command(f, from, old, 1, MM_CMD_SET_DEBT, debt, 9, false), MM_OK);
    /* a 3-block image, then its activation */
    uint8_t img[500], pl[MM_CMD_PAYLOAD_MAX], act[36];
    for (unsigned i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7u + 1u);
    uint64_t ctr = 2;
    for (uint32_t off = 0; off < sizeof img; off += 196) {
        uint32_t len = sizeof img - off < 196 ? sizeof img - off : 196;
        put_be32(pl, 0x00030000u);
        put_be32(pl + 4, sizeof img);
        put_be32(pl + 8, off);
        memcpy(pl + 12, img + off, len);
        cr_assert_eq(command(f, from, old, ctr++, MM_CMD_FW_DISTRIBUTE, pl, (uint16_t)(12 + len),
                             false),
                     MM_OK);
    }
    put_be32(act, 0x00030000u);
    mm_hal_crypto_sha256(&f->crypto, img, sizeof img, act + 4);
    cr_assert_eq(command(f, from, old, ctr++, MM_CMD_FW_ACTIVATE, act, 36, true), MM_OK);
    mm_esme_snapshot before, after;
    from->snapshot(old, &before);
    from->deinit(old);
    cr_assert_eq(to->resume(neu, &f->cfg, &f->hal, &f->st), MM_OK, "%s -> %s", from_name, to_name);
    to->snapshot(neu, &after);
    const char *v = to->version();
    cr_expect_str_eq(v + strlen(v) - strlen(to_suffix), to_suffix);
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
        cr_expect_eq(after.reg[ch], before.reg[ch]);
    cr_expect_gt(after.reg[MM_CH_IMPORT], 0u);
    cr_expect_eq(after.balance, before.balance);
    cr_expect_eq(after.debt[MM_DEBT_PAYMENT], 12345);
    cr_expect_eq(after.mode, MM_MODE_PREPAYMENT);
    cr_expect_eq(after.fw_version, 0x00030000u);
    cr_expect_eq(after.events_total, before.events_total + 1u);
    mm_event ev;
    bool sent = false;
    while (to->next_alert(neu, &ev) == MM_OK)
        sent = sent || ev.code == MM_ALERT_FIRMWARE_VERSION_CHANGED;
    cr_expect(sent, "0x8F43 sent by the new image");
    /* and it meters on */
    f->sim_ms += 60000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    to->advance(neu, 3600000, 0, 60000u);
    to->snapshot(neu, &after);
    cr_expect_eq(after.reg[MM_CH_IMPORT], before.reg[MM_CH_IMPORT] + 60u);
    /* the old image's command counter came along: its frames are not replayed into the new */
    cr_expect_eq(command(f, to, neu, ctr - 1, MM_CMD_READ_REGISTERS, NULL, 0, false), MM_EREPLAY);
    to->deinit(neu);
    free(old);
    free(neu);
    fixture_free(f);
}

Test(firmware_images, smets2_hands_over_to_smets1)
{
    hand_over("mm_smets2.so", "mm_smets1.so", "/smets1");
}

Test(firmware_images, smets1_hands_over_to_smets2)
{
    hand_over("mm_smets1.so", "mm_smets2.so", "/smets2");
}

/* Each image checkpoints its own meters (ABI 9): saved, restored into another state, saved
 * again, the same bytes, and the restored meter answers as the original. */
static void checkpoint(const char *name)
{
    const mm_abi *abi = load(name);
    cr_assert_not_null(abi->save_ram);
    cr_assert_not_null(abi->load_ram);
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    size_t size = (abi->state_size + 7u) / 8u * 8u;
    void *a = aligned_alloc(8, size), *b = aligned_alloc(8, size);
    uint8_t *ia = malloc(abi->state_size), *ib = malloc(abi->state_size);
    memset(b, 0xA5, size);
    cr_assert_eq(abi->init(a, &f->cfg, &f->hal, &f->st), MM_OK);
    f->sim_ms += 900000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    abi->advance(a, 2500000, 100000, 900000u);
    cr_assert_eq(abi->save_ram(a, ia, abi->state_size), MM_OK);
    cr_assert_eq(abi->load_ram(b, ia, abi->state_size, &f->cfg, &f->hal, &f->st), MM_OK);
    cr_assert_eq(abi->save_ram(b, ib, abi->state_size), MM_OK);
    cr_expect(memcmp(ia, ib, abi->state_size) == 0, "%s", name);
    mm_esme_snapshot sa, sb;
    abi->snapshot(a, &sa);
    abi->snapshot(b, &sb);
    cr_expect(memcmp(&sa, &sb, sizeof sa) == 0, "%s", name);
    abi->deinit(a);
    abi->deinit(b);
    free(a);
    free(b);
    free(ia);
    free(ib);
    fixture_free(f);
}

Test(firmware_images, each_image_checkpoints_its_meters)
{
    checkpoint("mm_smets2.so");
    checkpoint("mm_smets1.so");
}

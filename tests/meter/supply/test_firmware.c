/* Firmware update: the HAL's incremental SHA-256, block-wise distribution (in order only, the
 * reply giving progress and the hash), activation checked against the received image, and the
 * hand-over to a new image (mm_esme_resume) keeping everything the record holds. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/bytes.h"
#include "mm/status_supply.h"

#define V2 0x00020000u

/* FIPS 180-4 examples (NIST CSRC, SHA256.pdf): "abc", the 448-bit two-block message and a
 * million 'a'. */
static const uint8_t SHA_ABC[32] = {0xBA, 0x78, 0x16, 0xBF, 0x8F, 0x01, 0xCF, 0xEA,
                                    0x41, 0x41, 0x40, 0xDE, 0x5D, 0xAE, 0x22, 0x23,
                                    0xB0, 0x03, 0x61, 0xA3, 0x96, 0x17, 0x7A, 0x9C,
                                    0xB4, 0x10, 0xFF, 0x61, 0xF2, 0x00, 0x15, 0xAD};
static const char MSG_448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const uint8_t SHA_448[32] = {0x24, 0x8D, 0x6A, 0x61, 0xD2, 0x06, 0x38, 0xB8,
                                    0xE5, 0xC0, 0x26, 0x93, 0x0C, 0x3E, 0x60, 0x39,
                                    0xA3, 0x3C, 0xE4, 0x59, 0x64, 0xFF, 0x21, 0x67,
                                    0xF6, 0xEC, 0xED, 0xD4, 0x19, 0xDB, 0x06, 0xC1};
static const uint8_t SHA_MILLION_A[32] = {0xCD, 0xC7, 0x6E, 0x5C, 0x99, 0x14, 0xFB, 0x92,
                                          0x81, 0xA1, 0xC7, 0xE2, 0x84, 0xD7, 0x3E, 0x67,
                                          0xF1, 0x80, 0x9A, 0x48, 0xA4, 0x97, 0x20, 0x0E,
                                          0x04, 0x6D, 0x39, 0xCC, 0xC7, 0x11, 0x2C, 0xD0};

/* A command with its reply. */
static int send_r(fixture *f, uint64_t counter, uint16_t id, const void *pl, uint16_t n, bool sign,
                  uint8_t *resp, size_t cap, size_t *rlen)
{
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    int rc = mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, counter, id, pl, n, sign,
                                   true, frame, sizeof frame, &len);
    if (rc != MM_OK) return rc;
    return mm_esme_command(&f->e, frame, len, resp, cap, rlen);
}

typedef struct reply {
    int rc;
    size_t len;
    uint32_t received;
    uint8_t hash[32];
} reply;

/* One MM_CMD_FW_DISTRIBUTE block of IMG (SIZE bytes in all): LEN bytes from OFF. */
static reply block(fixture *f, uint64_t *counter, uint32_t version, const uint8_t *img,
                   uint32_t size, uint32_t off, uint32_t len)
{
    uint8_t pl[MM_CMD_PAYLOAD_MAX], resp[64];
    reply r;
    memset(&r, 0, sizeof r);
    put_be32(pl, version);
    put_be32(pl + 4, size);
    put_be32(pl + 8, off);
    memcpy(pl + 12, img + off, len);
    r.rc = send_r(f, (*counter)++, MM_CMD_FW_DISTRIBUTE, pl, (uint16_t)(12u + len), false, resp,
                  sizeof resp, &r.len);
    if (r.len >= 4) r.received = mm_get_be32(resp);
    if (r.len == 36) memcpy(r.hash, resp + 4, 32);
    return r;
}

/* The whole image in blocks of at most BLK bytes; the last reply. */
static reply distribute(fixture *f, uint64_t *counter, uint32_t version, const uint8_t *img,
                        uint32_t size, uint32_t blk)
{
    reply r = {0};
    for (uint32_t off = 0; off < size; off += blk) {
        uint32_t len = size - off < blk ? size - off : blk;
        r = block(f, counter, version, img, size, off, len);
        cr_assert_eq(r.rc, MM_OK, "block at %u", off);
        cr_assert_eq(r.received, off + len);
        cr_assert_eq(r.len, off + len == size ? 36u : 4u);
    }
    return r;
}

static int activate(fixture *f, uint64_t *counter, uint32_t version, const uint8_t hash[32])
{
    uint8_t pl[36];
    put_be32(pl, version);
    memcpy(pl + 4, hash, 32);
    return send_r(f, (*counter)++, MM_CMD_FW_ACTIVATE, pl, 36, true, NULL, 0, NULL);
}

/* A pseudo-random image (xorshift32), deterministic. */
static void image(uint8_t *img, size_t n, uint32_t seed)
{
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        img[i] = (uint8_t)(x >> 24);
    }
}

#define IMG_LEN (65536u + 37u) /* 64 KiB and a partial block */

Test(firmware, the_hal_hashes_in_pieces_as_in_one)
{
    mm_hal_crypto c;
    mm_port_sim_crypto_init(&c, MM_PORT_SIM_CRYPTO_MODELLED, NULL);
    mm_sha256_ctx ctx;
    uint8_t out[32];
    /* "abc" one byte at a time, with an empty update between */
    cr_assert_eq(mm_hal_crypto_sha256_start(&c, &ctx), MM_OK);
    cr_assert_eq(mm_hal_crypto_sha256_update(&c, &ctx, "a", 1), MM_OK);
    cr_assert_eq(mm_hal_crypto_sha256_update(&c, &ctx, NULL, 0), MM_OK);
    cr_assert_eq(mm_hal_crypto_sha256_update(&c, &ctx, "b", 1), MM_OK);
    /* the context is plain bytes: a copy carries on */
    mm_sha256_ctx moved = ctx;
    memset(&ctx, 0xEE, sizeof ctx);
    cr_assert_eq(mm_hal_crypto_sha256_update(&c, &moved, "c", 1), MM_OK);
    cr_assert_eq(mm_hal_crypto_sha256_finish(&c, &moved, out), MM_OK);
    cr_expect_arr_eq(out, SHA_ABC, 32);
    /* the 448-bit message (two blocks once padded) in three pieces */
    cr_assert_eq(mm_hal_crypto_sha256_start(&c, &ctx), MM_OK);
    mm_hal_crypto_sha256_update(&c, &ctx, MSG_448, 7);
    mm_hal_crypto_sha256_update(&c, &ctx, MSG_448 + 7, 42);
    mm_hal_crypto_sha256_update(&c, &ctx, MSG_448 + 49, sizeof MSG_448 - 1 - 49);
    mm_hal_crypto_sha256_finish(&c, &ctx, out);
    cr_expect_arr_eq(out, SHA_448, 32);
    /* a million 'a' in 1000 pieces */
    uint8_t a[1000];
    memset(a, 'a', sizeof a);
    mm_hal_crypto_sha256_start(&c, &ctx);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(mm_hal_crypto_sha256_update(&c, &ctx, a, sizeof a), MM_OK);
    mm_hal_crypto_sha256_finish(&c, &ctx, out);
    cr_expect_arr_eq(out, SHA_MILLION_A, 32);
    cr_expect_eq(mm_hal_crypto_sha256_start(&c, NULL), MM_EINVAL);
    cr_expect_eq(mm_hal_crypto_sha256_update(&c, &ctx, NULL, 1), MM_EINVAL);
}

Test(firmware, abc_split_across_blocks_arrives_with_its_fips_hash)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint64_t ctr = 1;
    const uint8_t *abc = (const uint8_t *)"abc";
    reply r = block(f, &ctr, V2, abc, 3, 0, 1);
    cr_expect_eq(r.rc, MM_OK);
    cr_expect_eq(r.len, 4u);
    cr_expect_eq(r.received, 1u);
    r = block(f, &ctr, V2, abc, 3, 1, 2);
    cr_expect_eq(r.rc, MM_OK);
    cr_expect_eq(r.len, 36u);
    cr_expect_eq(r.received, 3u);
    cr_expect_arr_eq(r.hash, SHA_ABC, 32);
    cr_expect_eq(activate(f, &ctr, V2, SHA_ABC), MM_OK);
    fixture_free(f);
}

Test(firmware, a_64k_image_in_blocks_hashes_as_the_whole)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_REAL);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t *img = malloc(IMG_LEN), whole[32];
    image(img, IMG_LEN, 0x5EEDu);
    cr_assert_eq(mm_hal_crypto_sha256(&f->crypto, img, IMG_LEN, whole), MM_OK);
    uint64_t ctr = 1;
    reply r = distribute(f, &ctr, V2, img, IMG_LEN, MM_CMD_FW_BLOCK_MAX);
    cr_expect_arr_eq(r.hash, whole, 32);
    cr_expect_eq(f->fw.received, IMG_LEN);
    /* the same image in other block sizes, restarted each time at offset 0 */
    r = distribute(f, &ctr, V2, img, IMG_LEN, 64);
    cr_expect_arr_eq(r.hash, whole, 32);
    r = distribute(f, &ctr, V2, img, IMG_LEN, 193);
    cr_expect_arr_eq(r.hash, whole, 32);
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_OK, "real signature over the activation");
    cr_expect_eq(f->e.fw_version, V2);
    free(img);
    fixture_free(f);
}

Test(firmware, a_block_out_of_order_is_refused_and_changes_nothing)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t img[1000], whole[32];
    image(img, sizeof img, 7u);
    mm_hal_crypto_sha256(&f->crypto, img, sizeof img, whole);
    uint64_t ctr = 1;
    const uint32_t B = 100, N = sizeof img;
    cr_assert_eq(block(f, &ctr, V2, img, N, 0, B).rc, MM_OK);
    mm_fw_transfer before = f->fw;
    /* a gap, a repeat, another version, another size: refused, the reply says where to go on */
    reply r = block(f, &ctr, V2, img, N, 2 * B, B);
    cr_expect_eq(r.rc, MM_EOFFSET);
    cr_expect_eq(r.len, 4u);
    cr_expect_eq(r.received, B, "resume at 100");
    r = block(f, &ctr, V2, img, N, B / 2, B);
    cr_expect_eq(r.rc, MM_EOFFSET);
    r = block(f, &ctr, V2 + 1, img, N, B, B);
    cr_expect_eq(r.rc, MM_EOFFSET);
    cr_expect_eq(r.received, 0u, "nothing of that version");
    r = block(f, &ctr, V2, img, N + 1, B, B);
    cr_expect_eq(r.rc, MM_EOFFSET);
    cr_expect(memcmp(&before, &f->fw, sizeof before) == 0, "transfer unchanged");
    /* malformed: no bytes, past the stated size, a zero size */
    uint8_t pl[16] = {0};
    put_be32(pl, V2);
    put_be32(pl + 4, N);
    cr_expect_eq(send(f, ctr++, MM_CMD_FW_DISTRIBUTE, pl, 12, false, true), MM_EMALFORMED);
    r = block(f, &ctr, V2, img, 150, B, B);
    cr_expect_eq(r.rc, MM_EMALFORMED);
    put_be32(pl + 4, 0);
    cr_expect_eq(send(f, ctr++, MM_CMD_FW_DISTRIBUTE, pl, 13, false, true), MM_EMALFORMED);
    cr_expect(memcmp(&before, &f->fw, sizeof before) == 0, "transfer unchanged");
    /* the transfer goes on from where it was and arrives whole */
    for (uint32_t off = B; off < N; off += B)
        cr_assert_eq(block(f, &ctr, V2, img, N, off, B).rc, MM_OK);
    cr_expect_arr_eq(f->fw.hash, whole, 32);
    /* a complete image takes no more blocks but offset 0, which restarts */
    cr_expect_eq(block(f, &ctr, V2, img, N, N - B, B).rc, MM_EOFFSET);
    fixture_free(f);
}

Test(firmware, a_meter_without_a_transfer_area_takes_no_distribution)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->st.fw = NULL;
    cr_assert_eq(fixture_start(f), MM_OK);
    uint64_t ctr = 1;
    cr_expect_eq(block(f, &ctr, V2, (const uint8_t *)"abc", 3, 0, 3).rc, MM_ENOTSUP);
    cr_expect_eq(activate(f, &ctr, V2, SHA_ABC), MM_ESTATE);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_FAILED), 1);
    fixture_free(f);
}

Test(firmware, a_corrupted_image_fails_activation_and_a_clean_resend_activates)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t *img = malloc(IMG_LEN), *bad = malloc(IMG_LEN), whole[32];
    image(img, IMG_LEN, 99u);
    memcpy(bad, img, IMG_LEN);
    bad[30000] ^= 0x10; /* one bit flipped in transit */
    mm_hal_crypto_sha256(&f->crypto, img, IMG_LEN, whole);
    uint64_t ctr = 1;
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_ESTATE, "nothing received");
    reply r = distribute(f, &ctr, V2, bad, IMG_LEN, MM_CMD_FW_BLOCK_MAX);
    cr_expect(memcmp(r.hash, whole, 32) != 0, "the reply shows the image arrived corrupt");
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_EAUTH);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_FAILED), 2);
    mm_event ev;
    cr_assert_eq(mm_event_log_find(&f->e.log, MM_ALERT_FIRMWARE_VERIFY_FAILED, &ev), MM_OK);
    cr_expect_eq(ev.code, 0x8F1Cu);
    cr_expect_eq(f->e.fw_version, 0x00010000u);
    cr_expect_eq(f->e.powered, 1, "still running the old image");
    /* the wrong version of the right hash is refused too */
    r = distribute(f, &ctr, V2, img, IMG_LEN, MM_CMD_FW_BLOCK_MAX);
    cr_expect_arr_eq(r.hash, whole, 32);
    cr_expect_eq(activate(f, &ctr, V2 + 1, whole), MM_EAUTH);
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_OK);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_OK), 1);
    cr_expect_eq(f->e.fw_version, V2);
    cr_expect_eq(f->fw.size, 0u, "transfer area cleared");
    free(img);
    free(bad);
    fixture_free(f);
}

Test(firmware, a_power_cut_keeps_the_progress_of_a_transfer)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t img[2000], whole[32];
    image(img, sizeof img, 3u);
    mm_hal_crypto_sha256(&f->crypto, img, sizeof img, whole);
    uint64_t ctr = 1;
    for (uint32_t off = 0; off < 1000; off += 100)
        cr_assert_eq(block(f, &ctr, V2, img, sizeof img, off, 100).rc, MM_OK);
    cr_assert_eq(mm_esme_power_fail(&f->e), MM_OK);
    run(f, 0, 60);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
    for (uint32_t off = 1000; off < sizeof img; off += 100)
        cr_assert_eq(block(f, &ctr, V2, img, sizeof img, off, 100).rc, MM_OK);
    cr_expect_arr_eq(f->fw.hash, whole, 32);
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_OK);
    fixture_free(f);
}

/* Prepayment with debts, a price update and a tariff change pending, load on: the state the
 * hand-over must carry. */
static fixture *busy_meter(void)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 50000000; /* 500 p */
    f->cfg.prepay.time_debt[0] = (mm_time_debt_config){.rate = 1000, .period_s = 600};
    cr_assert_eq(fixture_start(f), MM_OK);
    uint8_t debt[9] = {MM_DEBT_TIME_1, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40}; /* 1,000,000 units */
    cr_assert_eq(send(f, 1, MM_CMD_SET_DEBT, debt, 9, false, true), MM_OK);
    run(f, 2500, 1000);
    /* prices of rate 0 doubled from T0 + 1 h; tariff 2 from T0 + 2 h */
    uint32_t price[1] = {40};
    cr_assert_eq(send_prices(f, 2, T0 + 3600u, 0, 1, price), MM_OK);
    uint8_t tp[8];
    put_be32(tp, 2);
    put_be32(tp + 4, T0 + 7200u);
    cr_assert_eq(send(f, 3, MM_CMD_SET_TARIFF, tp, 8, false, true), MM_OK);
    run(f, 1800, 7);
    return f;
}

static void distribute_and_activate(fixture *f, uint64_t *ctr)
{
    uint8_t img[3000], whole[32];
    image(img, sizeof img, 11u);
    mm_hal_crypto_sha256(&f->crypto, img, sizeof img, whole);
    distribute(f, ctr, V2, img, sizeof img, MM_CMD_FW_BLOCK_MAX);
    cr_assert_eq(activate(f, ctr, V2, whole), MM_OK);
}

/* The reboot: the old state dropped, the new image's state resumed with the same config, HAL
 * and storage (the static library plays both images here). */
static int reboot(fixture *f)
{
    mm_esme_deinit(&f->e);
    memset(&f->e, 0xA5, sizeof f->e); /* fresh state: whatever the host's allocator gives */
    return mm_esme_resume(&f->e, &f->cfg, &f->hal, &f->st);
}

/* The activation's counter is committed before it takes effect (esme.h: durable before
 * effect), and the hand-over record after it.  NVM failing at once: refused, unchecked, the old
 * image runs on with the received image kept.  NVM failing after one record (the counter's):
 * refused too, and after the power cut its frame is a replay.  A new activation hands over. */
Test(firmware, an_activation_commits_its_counter_before_it_hands_over)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    nvm_count(f);
    mm_esme_hh_close(&f->e);
    uint64_t record = nvm_written(f);
    mm_port_sim_nvm_restore(&f->nvm);
    uint8_t img[3000], whole[32];
    image(img, sizeof img, 5u);
    mm_hal_crypto_sha256(&f->crypto, img, sizeof img, whole);
    uint64_t ctr = 1;
    distribute(f, &ctr, V2, img, sizeof img, MM_CMD_FW_BLOCK_MAX);
    mm_port_sim_nvm_cut_after(&f->nvm, 0);
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_EIO);
    cr_expect_eq(f->e.powered, 1);
    cr_expect_eq(f->e.fw_version, 0x00010000u);
    cr_expect_eq(count_events(&f->e, MM_ALERT_FIRMWARE_VERIFY_OK), 0, "not even checked");
    cr_expect_eq(f->fw.received, sizeof img, "the image kept");
    mm_port_sim_nvm_restore(&f->nvm);

    uint8_t pl[36], frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    put_be32(pl, V2);
    memcpy(pl + 4, whole, 32);
    cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, ctr++,
                                       MM_CMD_FW_ACTIVATE, pl, 36, true, true, frame, sizeof frame,
                                       &len),
                 MM_OK);
    mm_port_sim_nvm_cut_after(&f->nvm, record);
    cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_EIO, "no hand-over record");
    cr_expect_eq(f->e.powered, 1);
    cr_expect_eq(f->e.fw_version, 0x00010000u);
    (void)mm_esme_power_fail(&f->e);
    mm_port_sim_nvm_restore(&f->nvm);
    run(f, 0, 60);
    cr_assert_eq(mm_esme_power_restore(&f->e), MM_OK);
    cr_expect_eq(mm_esme_command(&f->e, frame, len, NULL, 0, NULL), MM_EREPLAY,
                 "its counter was committed");
    cr_expect_eq(activate(f, &ctr, V2, whole), MM_OK);
    cr_expect_eq(f->e.fw_version, V2);
    cr_assert_eq(reboot(f), MM_OK);
    cr_expect_eq(f->e.fw_version, V2);
    fixture_free(f);
}

Test(firmware, the_new_image_resumes_the_meter_where_the_old_one_handed_over)
{
    fixture *a = busy_meter(), *b = busy_meter(); /* a hands over, b runs on as a control */
    uint64_t ca = 10;
    distribute_and_activate(a, &ca);
    mm_esme_snapshot before, after;
    mm_esme_snapshot_get(&a->e, &before);
    cr_expect_eq(before.powered, 0, "the old image stopped");
    mm_esme_advance(&a->e, 2000000, 0, 1000); /* ignored: the old state meters no more */
    mm_esme_snapshot_get(&a->e, &after);
    cr_expect_eq(after.reg[MM_CH_IMPORT], before.reg[MM_CH_IMPORT]);
    uint32_t events_before = before.events_total;
    cr_assert_eq(reboot(a), MM_OK);
    mm_esme_snapshot_get(&a->e, &after);
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
        cr_expect_eq(after.reg[ch], before.reg[ch], "channel %u", ch);
    cr_expect_eq(after.now, before.now);
    cr_expect_eq(after.period, before.period);
    cr_expect_eq(after.balance, before.balance);
    for (unsigned i = 0; i < MM_DEBT_COUNT; i++)
        cr_expect_eq(after.debt[i], before.debt[i]);
    cr_expect_eq(after.debt[MM_DEBT_TIME_1] > 0, 1);
    cr_expect_eq(after.mode, MM_MODE_PREPAYMENT);
    cr_expect_eq(after.supply, before.supply);
    cr_expect_eq(after.cost_total, before.cost_total);
    cr_expect_eq(after.fw_version, V2);
    cr_expect_eq(after.powered, 1);
    cr_expect_eq(after.events_total, events_before + 1u, "0x8F43 only");
    cr_expect_eq(after.wan_ready_at, after.now, "no dither");
    cr_expect_eq(a->e.tariff.def->id, 1u);
    cr_expect(a->e.tariff.pending != NULL && a->e.tariff.pending->id == 2u, "tariff 2 pending");
    cr_expect_eq(a->e.tariff.pending_at, T0 + 7200u);
    cr_expect_eq(count_events(&a->e, MM_ALERT_SUPPLY_INTERRUPTED), 0);
    cr_expect_eq(count_events(&a->e, MM_ALERT_SUPPLY_RESTORED), 0);
    cr_expect_eq(count_events(&a->e, MM_ALERT_SUPPLY_RESTORED_LONG), 0);
    cr_expect_eq(count_events(&a->e, MM_ALERT_FIRMWARE_VERSION_CHANGED), 1);
    /* 0x8F43 goes out as a WAN alert, naming the new version */
    mm_event ev;
    bool sent = false;
    while (mm_esme_next_alert(&a->e, &ev) == MM_OK)
        if (ev.code == MM_ALERT_FIRMWARE_VERSION_CHANGED) sent = ev.value == (int32_t)V2;
    cr_expect(sent, "0x8F43 queued as an alert");
    /* both meters meter on alike: prices and tariff take over, debt is collected, half-hours
     * close the same */
    for (int k = 0; k < 12; k++) {
        uint32_t dt = mm_esme_next_boundary(&a->e) - a->e.now;
        run(a, 3000, dt);
        run(b, 3000, dt);
        mm_esme_hh_close(&a->e);
        mm_esme_hh_close(&b->e);
    }
    mm_esme_snapshot sa, sb;
    mm_esme_snapshot_get(&a->e, &sa);
    mm_esme_snapshot_get(&b->e, &sb);
    cr_expect_eq(a->e.tariff.def->id, 2u, "tariff 2 took over");
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
        cr_expect_eq(sa.reg[ch], sb.reg[ch]);
    cr_expect_eq(sa.balance, sb.balance);
    cr_expect_eq(sa.cost_total, sb.cost_total);
    for (unsigned i = 0; i < MM_DEBT_COUNT; i++)
        cr_expect_eq(sa.debt[i], sb.debt[i]);
    for (uint32_t age = 0; age < 12; age++) {
        mm_profile_slot pa, pb;
        cr_assert_eq(mm_meter_profile(&a->e.meter, age, &pa), MM_OK);
        cr_assert_eq(mm_meter_profile(&b->e.meter, age, &pb), MM_OK);
        cr_expect_eq(pa.period, pb.period);
        cr_expect_arr_eq(pa.wh, pb.wh, sizeof pa.wh, "age %u", age);
        cr_expect_eq(pa.status, pb.status, "age %u: no outage or short flag", age);
        cr_expect_eq(pa.status & MM_SLOT_OUTAGE, 0);
    }
    fixture_free(a);
    fixture_free(b);
}

Test(firmware, resume_refuses_no_record_a_damaged_one_and_an_unknown_version)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_expect_eq(mm_esme_resume(&f->e, &f->cfg, &f->hal, &f->st), MM_ENOENT, "blank NVM");
    cr_expect_eq(f->e.cfg, NULL, "not started");
    cr_expect_eq(mm_esme_power_fail(&f->e), MM_EINVAL);
    cr_expect_eq(mm_esme_resume(NULL, &f->cfg, &f->hal, &f->st), MM_EINVAL);
    cr_expect_eq(mm_esme_resume(&f->e, &f->cfg, &f->hal, NULL), MM_EINVAL);

    /* a record of another layout version: refused, NVM left as it was */
    cr_assert_eq(fixture_start(f), MM_OK);
    run(f, 1000, 600);
    mm_esme_hh_close(&f->e);
    unsigned to_bank;
    cr_assert_eq(fixture_save_as_version(f, MM_ESME_RECORD_VERSION + 1u, &to_bank), MM_OK);
    uint8_t nvm_before[sizeof f->nvm_mem];
    memcpy(nvm_before, f->nvm_mem, sizeof nvm_before);
    cr_expect_eq(reboot(f), MM_EVERSION);
    cr_expect_eq(f->e.cfg, NULL);
    cr_expect(memcmp(nvm_before, f->nvm_mem, sizeof nvm_before) == 0, "NVM untouched");

    /* both banks damaged */
    cr_assert_eq(fixture_start(f), MM_OK);
    uint32_t bank = MM_ESME_RECORD_MAX + MM_PERSIST_OVERHEAD;
    f->nvm_mem[f->cfg.nvm_addr + MM_PERSIST_HEADER_LEN + 9] ^= 0x01;
    f->nvm_mem[f->cfg.nvm_addr + bank + MM_PERSIST_HEADER_LEN + 9] ^= 0x01;
    cr_expect_eq(reboot(f), MM_ECORRUPT);
    cr_expect_eq(f->e.cfg, NULL);
    fixture_free(f);
}

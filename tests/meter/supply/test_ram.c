/* Checkpoint of a meter's RAM through the ABI table (save_ram, load_ram; mm/abi.h ABI 9), built
 * against both firmware builds like test_abi.c.  A meter is driven through a varied history,
 * saved, and restored into a garbage-filled state beside a copy of its HAL and storage at other
 * addresses, as a new process would; the original and the copy then go through the same calls
 * and must agree on everything the host can see, and on their next images. */
#include <criterion/criterion.h>
#include <stddef.h>

#include "fixture.h"
#include "mm/abi.h"
#include "mm/alerts.h"
#include "mm/bytes.h"
#include "mm/status_supply.h"

#define V2 0x00020000u
#define IMG_SIZE 500u
#define BLK 180u

static const mm_abi *abi(void)
{
    const mm_abi *a = mm_abi_get();
    cr_assert_not_null(a->save_ram);
    cr_assert_not_null(a->load_ram);
    return a;
}

/* A prepayment meter whose ALCS draws its random offset each day, so the RNG is in play. */
static fixture *meter_new(void)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.initial_mode = MM_MODE_PREPAYMENT;
    f->cfg.initial_credit = 2000000; /* 20 p: a top-up is needed within the hour at 3 kW */
    f->cfg.prepay.ec_limit = 500000;
    f->cfg.prepay.ec_threshold = 100000;
    f->cfg.prepay.low_credit = 300000;
    f->cfg.contactor.n_alcs = 1;
    f->cfg.contactor.alcs[0].n_points = 2;
    f->cfg.contactor.alcs[0].points[0] = (mm_alcs_point){.minute = 60, .on = 1};
    f->cfg.contactor.alcs[0].points[1] = (mm_alcs_point){.minute = 120, .on = 0};
    f->cfg.contactor.alcs[0].random_offset_s = 600;
    cr_assert_eq(abi()->init(&f->e, &f->cfg, &f->hal, &f->st), MM_OK);
    return f;
}

/* What a new process has: the fixture's HAL and storage contents as they were at the save
 * (NVM bytes, RNG and clock state, logs, price table, transfer area, configuration), at new
 * addresses, and a state of garbage. */
static fixture *copy_of(const fixture *a)
{
    fixture *b = malloc(sizeof *b);
    cr_assert_not_null(b);
    memcpy(b, a, sizeof *b);
    b->nvm.mem = b->nvm_mem;
    b->tariffs[0] = &b->tariff2;
    b->cfg.tariff = &b->tariff;
    b->cfg.tariffs = b->tariffs;
    b->hal = (mm_esme_hal){&b->clk, &b->nvm, &b->rng, &b->crypto};
    b->st.profile = b->profile;
    b->st.events = b->events;
    b->st.prices = a->st.prices ? &b->prices : NULL;
    b->st.fw = a->st.fw ? &b->fw : NULL;
    memset(&b->e, 0xA5, sizeof b->e);
    return b;
}

static void save(const fixture *f, uint8_t *img)
{
    cr_assert_eq(abi()->save_ram(&f->e, img, abi()->state_size), MM_OK);
}

static fixture *restored(const fixture *a)
{
    uint8_t img[sizeof(mm_esme)];
    save(a, img);
    fixture *b = copy_of(a);
    cr_assert_eq(abi()->load_ram(&b->e, img, sizeof img, &b->cfg, &b->hal, &b->st), MM_OK);
    return b;
}

/* Everything the host can see of two meters, and their next images, alike. */
static void same(const fixture *a, const fixture *b, const char *step)
{
    const mm_abi *x = abi();
    mm_esme_snapshot sa, sb;
    x->snapshot(&a->e, &sa);
    x->snapshot(&b->e, &sb);
    cr_assert(memcmp(&sa, &sb, sizeof sa) == 0, "%s: snapshots differ", step);
    for (uint32_t age = 0; age <= 96; age++) {
        mm_profile_slot pa, pb;
        memset(&pa, 0, sizeof pa);
        memset(&pb, 0, sizeof pb);
        int ra = x->profile_slot(&a->e, age, &pa), rb = x->profile_slot(&b->e, age, &pb);
        cr_assert_eq(ra, rb, "%s: profile age %u", step, age);
        cr_assert(memcmp(&pa, &pb, sizeof pa) == 0, "%s: profile age %u", step, age);
    }
    for (uint32_t age = 0; age <= 64; age++) {
        mm_event ea, eb;
        memset(&ea, 0, sizeof ea);
        memset(&eb, 0, sizeof eb);
        int ra = x->event_slot(&a->e, age, &ea), rb = x->event_slot(&b->e, age, &eb);
        cr_assert_eq(ra, rb, "%s: event age %u", step, age);
        cr_assert(memcmp(&ea, &eb, sizeof ea) == 0, "%s: event age %u", step, age);
    }
    cr_assert(memcmp(a->nvm_mem, b->nvm_mem, sizeof a->nvm_mem) == 0, "%s: NVM bytes", step);
    cr_assert_eq(a->nvm.writes, b->nvm.writes, "%s: NVM writes", step);
    cr_assert_eq(a->rng.state, b->rng.state, "%s: RNG draws", step);
    cr_assert_eq(a->crypto.macs, b->crypto.macs, "%s: MAC checks", step);
    cr_assert(memcmp(&a->prices, &b->prices, sizeof a->prices) == 0, "%s: prices", step);
    cr_assert(memcmp(&a->fw, &b->fw, sizeof a->fw) == 0, "%s: transfer area", step);
    if (a->e.cfg != NULL) {
        uint8_t ia[sizeof(mm_esme)], ib[sizeof(mm_esme)];
        save(a, ia);
        save(b, ib);
        cr_assert(memcmp(ia, ib, sizeof ia) == 0, "%s: images differ", step);
    }
}

/* P [W] for DT_S seconds, the half-hours closed at the meter's boundaries, as the engine does. */
static void drive(fixture *f, int32_t p_w, uint32_t dt_s)
{
    const mm_abi *x = abi();
    uint64_t end = f->sim_ms + (uint64_t)dt_s * 1000u;
    while (f->sim_ms < end) {
        uint64_t at = mm_port_sim_clock_sim_ms_at(&f->clk, x->next_boundary(&f->e));
        bool close = at > f->sim_ms && at <= end;
        uint64_t to = close ? at : end;
        uint32_t dt = (uint32_t)(to - f->sim_ms);
        f->sim_ms = to;
        mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
        x->advance(&f->e, p_w * 1000, p_w * 100, dt);
        if (close) x->hh_close(&f->e);
    }
}

static void outage(fixture *f, uint32_t dt_s)
{
    abi()->power_fail(&f->e);
    f->sim_ms += (uint64_t)dt_s * 1000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    abi()->power_restore(&f->e);
}

typedef struct answer {
    int rc;
    size_t len;
    uint8_t resp[64];
} answer;

static answer command(fixture *f, uint64_t ctr, uint16_t id, const void *pl, uint16_t n, bool sign)
{
    answer r;
    memset(&r, 0, sizeof r);
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    cr_assert_eq(mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, ctr, id, pl, n, sign,
                                       true, frame, sizeof frame, &len),
                 MM_OK);
    r.rc = abi()->command(&f->e, frame, len, r.resp, sizeof r.resp, &r.len);
    return r;
}

/* The same command to both meters: the same answer. */
static answer both_command(fixture *a, fixture *b, uint64_t ctr, uint16_t id, const void *pl,
                           uint16_t n, bool sign)
{
    answer ra = command(a, ctr, id, pl, n, sign), rb = command(b, ctr, id, pl, n, sign);
    cr_assert_eq(ra.rc, rb.rc, "command 0x%04x", id);
    cr_assert_eq(ra.len, rb.len, "command 0x%04x", id);
    cr_assert(memcmp(ra.resp, rb.resp, sizeof ra.resp) == 0, "command 0x%04x", id);
    return ra;
}

static int top_up(fixture *f, uint32_t counter_hi, unsigned pounds)
{
    char utrn[21];
    cr_assert_eq(mm_port_sim_utrn(&f->crypto, SUPPLIER_ID, DEV_ID, counter_hi, MM_UTRN_POUNDS,
                                  pounds, true, utrn),
                 MM_OK);
    return abi()->utrn_enter(&f->e, utrn, 20);
}

/* Both meters' queued alerts, as the comms layer takes them: the same sequence; its length. */
static int both_alerts(fixture *a, fixture *b)
{
    int n = 0;
    for (;;) {
        mm_event ea, eb;
        memset(&ea, 0, sizeof ea);
        memset(&eb, 0, sizeof eb);
        int ra = abi()->next_alert(&a->e, &ea), rb = abi()->next_alert(&b->e, &eb);
        cr_assert_eq(ra, rb, "alert %d", n);
        if (ra != MM_OK) return n;
        cr_assert(memcmp(&ea, &eb, sizeof ea) == 0, "alert %d", n);
        n++;
    }
}

static void image(uint8_t *img)
{
    for (unsigned i = 0; i < IMG_SIZE; i++)
        img[i] = (uint8_t)(i * 13u + 5u);
}

static uint16_t block(uint8_t *pl, const uint8_t *img, uint32_t off)
{
    uint32_t len = IMG_SIZE - off < BLK ? IMG_SIZE - off : BLK;
    put_be32(pl, V2);
    put_be32(pl + 4, IMG_SIZE);
    put_be32(pl + 8, off);
    memcpy(pl + 12, img + off, len);
    return (uint16_t)(12u + len);
}

/* The history before the save: power with half-hour closes, a UTRN top-up, a tariff and a
 * price pending, one block of a firmware image, an outage whose restore alerts are still held
 * back by the dither.  Returns the next command counter. */
static uint64_t history(fixture *f)
{
    uint64_t ctr = 1;
    drive(f, 3000, 1500);
    cr_assert_eq(top_up(f, 1, 5), MM_OK);
    abi()->button(&f->e); /* credit back arms the supply */
    drive(f, 2500, 5400);
    uint8_t pl[MM_CMD_PAYLOAD_MAX];
    put_be32(pl, 2);
    put_be32(pl + 4, T0 + 86400u + 7200u);
    cr_assert_eq(command(f, ctr++, MM_CMD_SET_TARIFF, pl, 8, false).rc, MM_OK);
    uint32_t price = 30;
    cr_assert_eq(send_prices(f, ctr++, T0 + 5u * 3600u, 0, 1, &price), MM_OK);
    uint8_t img[IMG_SIZE];
    image(img);
    answer r = command(f, ctr++, MM_CMD_FW_DISTRIBUTE, pl, block(pl, img, 0), false);
    cr_assert_eq(r.rc, MM_OK);
    cr_assert_eq(mm_get_be32(r.resp), BLK);
    drive(f, 800, 700);
    outage(f, 400);
    mm_esme_snapshot s;
    abi()->snapshot(&f->e, &s);
    cr_assert_gt(s.wan_ready_at, s.now, "the restore alerts wait for the dither (seed 3)");
    if (!MM_PROFILE_SMETS1) cr_assert_gt(s.alerts_unsent, 0, "SMETS1 only logs them");
    cr_assert_gt(f->e.tariff.pending_at, s.now);
    return ctr;
}

Test(ram, a_restored_meter_goes_on_exactly_as_the_original)
{
    fixture *a = meter_new();
    uint64_t ctr = history(a);
    fixture *b = restored(a);
    same(a, b, "restored");
    cr_expect_eq(both_alerts(a, b), 0, "still held back");
    same(a, b, "alerts held");

    drive(a, 1000, 600);
    drive(b, 1000, 600);
    same(a, b, "after the dither");
    int sent = both_alerts(a, b);
    if (!MM_PROFILE_SMETS1) cr_expect_gt(sent, 0, "the restore alert goes");
    same(a, b, "alerts taken");

    /* the rest of the firmware image: the replies carry the progress and then the hash */
    uint8_t img[IMG_SIZE], pl[MM_CMD_PAYLOAD_MAX], hash[32];
    image(img);
    answer r = {0};
    for (uint32_t off = BLK; off < IMG_SIZE; off += BLK) {
        r = both_command(a, b, ctr++, MM_CMD_FW_DISTRIBUTE, pl, block(pl, img, off), false);
        cr_assert_eq(r.rc, MM_OK);
    }
    cr_assert_eq(r.len, 36u);
    memcpy(hash, r.resp + 4, 32);
    same(a, b, "image received");

    cr_assert_eq(top_up(a, 2, 3), MM_OK);
    cr_assert_eq(top_up(b, 2, 3), MM_OK);
    cr_assert_eq(top_up(b, 2, 3), MM_EREPLAY, "the restored meter remembers the UTRN counter");
    cr_assert_eq(top_up(a, 2, 3), MM_EREPLAY);
    same(a, b, "topped up");
    both_command(a, b, ctr++, MM_CMD_READ_REGISTERS, NULL, 0, false);
    both_command(a, b, ctr++, MM_CMD_READ_PREPAY, NULL, 0, false);
    cr_assert_eq(both_command(a, b, ctr - 1, MM_CMD_READ_PREPAY, NULL, 0, false).rc, MM_EREPLAY);
    same(a, b, "read");

    /* past the pending price, the ALCS's next day and the pending tariff */
    for (unsigned k = 0; k < 12; k++) {
        drive(a, 1500 + 200 * (int32_t)k, 3u * 3600u);
        drive(b, 1500 + 200 * (int32_t)k, 3u * 3600u);
        same(a, b, "a day on");
        both_alerts(a, b);
        same(a, b, "a day on, alerts taken");
    }
    cr_expect_eq(a->e.tariff.def, &a->tariff2, "the pending tariff took over");
    cr_expect_eq(b->e.tariff.def, &b->tariff2);
    cr_expect_neq(a->e.contactor.alcs_day, 0u);

    outage(a, 90);
    outage(b, 90);
    same(a, b, "second outage");
    drive(a, 500, 400);
    drive(b, 500, 400);
    both_alerts(a, b);
    cr_expect_eq(abi()->button(&a->e), abi()->button(&b->e));
    same(a, b, "button");

    /* the activation hands both over; both resume the same way */
    uint8_t act[36];
    put_be32(act, V2);
    memcpy(act + 4, hash, 32);
    cr_assert_eq(both_command(a, b, ctr++, MM_CMD_FW_ACTIVATE, act, 36, true).rc, MM_OK);
    same(a, b, "handed over");
    abi()->deinit(&a->e);
    abi()->deinit(&b->e);
    cr_assert_eq(abi()->resume(&a->e, &a->cfg, &a->hal, &a->st), MM_OK);
    cr_assert_eq(abi()->resume(&b->e, &b->cfg, &b->hal, &b->st), MM_OK);
    same(a, b, "resumed");
    cr_expect_eq(a->e.fw_version, V2);
    fixture_free(a);
    fixture_free(b);
}

Test(ram, a_meter_saved_during_an_outage_restores_power_like_the_original)
{
    fixture *a = meter_new();
    drive(a, 2000, 4000);
    cr_assert_eq(abi()->power_fail(&a->e), MM_OK);
    fixture *b = restored(a);
    same(a, b, "off");
    cr_expect_eq(abi()->utrn_enter(&b->e, "1", 1), MM_ESTATE, "still without power");
    a->sim_ms += 600000u;
    b->sim_ms += 600000u;
    mm_port_sim_clock_set_ms(&a->clk, a->sim_ms);
    mm_port_sim_clock_set_ms(&b->clk, b->sim_ms);
    cr_assert_eq(abi()->power_restore(&a->e), MM_OK);
    cr_assert_eq(abi()->power_restore(&b->e), MM_OK);
    same(a, b, "restored");
    drive(a, 2000, 900);
    drive(b, 2000, 900);
    both_alerts(a, b);
    same(a, b, "on again");
    fixture_free(a);
    fixture_free(b);
}

/* No address of anything the meter uses (state, configuration, HAL, storage) in an image. */
static void no_address(const uint8_t *img, const fixture *f)
{
    uintptr_t lo = (uintptr_t)f, hi = lo + sizeof *f;
    for (size_t off = 0; off + sizeof(uintptr_t) <= sizeof(mm_esme); off += sizeof(uintptr_t)) {
        uintptr_t w;
        memcpy(&w, img + off, sizeof w);
        cr_assert(w < lo || w >= hi, "an address at offset %zu", off);
    }
}

Test(ram, an_image_holds_no_address_and_is_the_same_from_any_copy)
{
    fixture *a = meter_new();
    history(a);
    uint8_t ia[sizeof(mm_esme)], ib[sizeof(mm_esme)], ic[sizeof(mm_esme)];
    save(a, ia);
    no_address(ia, a);
    save(a, ic);
    cr_assert(memcmp(ia, ic, sizeof ia) == 0, "the same state, the same bytes");
    fixture *b = restored(a);
    save(b, ib);
    no_address(ib, b);
    cr_assert(memcmp(ia, ib, sizeof ia) == 0, "a copy elsewhere saves to the same bytes");
    /* the image read into the state itself, as a host reading the file in place */
    fixture *c = copy_of(a);
    memcpy(&c->e, ia, sizeof ia);
    cr_assert_eq(abi()->load_ram(&c->e, &c->e, sizeof c->e, &c->cfg, &c->hal, &c->st), MM_OK);
    same(b, c, "loaded in place");
    /* and saving changed nothing */
    same(a, b, "saved twice");
    fixture_free(a);
    fixture_free(b);
    fixture_free(c);
}

/* A meter refused by load_ram is left as after deinit: every call refuses or does nothing. */
static void harmless(fixture *f)
{
    const mm_abi *x = abi();
    mm_event ev;
    uint8_t img[sizeof(mm_esme)];
    x->advance(&f->e, 1000000, 0, 1000u);
    x->hh_close(&f->e);
    cr_expect_eq(x->next_alert(&f->e, &ev), MM_EINVAL);
    cr_expect_eq(x->power_restore(&f->e), MM_EINVAL);
    cr_expect_eq(x->button(&f->e), MM_EINVAL);
    cr_expect_eq(x->save_ram(&f->e, img, sizeof img), MM_ESTATE);
    cr_expect_eq(f->e.cfg, NULL);
}

/* IMG with SLOT's token replaced by TOKEN, loaded into a copy of A: the status. */
static int load_with_token(const fixture *a, const uint8_t *img, size_t slot, uint32_t token,
                           fixture **out)
{
    uint8_t bad[sizeof(mm_esme)];
    memcpy(bad, img, sizeof bad);
    mm_put_le32(bad + slot, token);
    fixture *b = copy_of(a);
    *out = b;
    return abi()->load_ram(&b->e, bad, sizeof bad, &b->cfg, &b->hal, &b->st);
}

Test(ram, bad_sizes_tokens_and_storage_are_refused)
{
    const mm_abi *x = abi();
    fixture *a = meter_new();
    history(a);
    uint8_t img[sizeof(mm_esme) + 8];
    cr_expect_eq(x->save_ram(&a->e, img, x->state_size - 1u), MM_EINVAL);
    cr_expect_eq(x->save_ram(&a->e, NULL, x->state_size), MM_EINVAL);
    cr_assert_eq(x->save_ram(&a->e, img, sizeof img), MM_OK, "a larger buffer is fine");
    fixture *b = copy_of(a);
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size + 1u, &b->cfg, &b->hal, &b->st), MM_EINVAL);
    harmless(b);
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size - 1u, &b->cfg, &b->hal, &b->st), MM_EINVAL);
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, NULL, &b->hal, &b->st), MM_EINVAL);
    harmless(b);
    fixture_free(b);

    /* the tariff in force: cfg->tariff (position 1) before the pending one takes over */
    size_t def = offsetof(mm_esme, tariff.def), pending = offsetof(mm_esme, tariff.pending);
    cr_assert_eq(mm_get_le32(img + def), 1u | (1u << 16), "position 1, id 1");
    cr_assert_eq(mm_get_le32(img + pending), 2u | (2u << 16), "tariffs[0], id 2");
    const uint32_t bad_tokens[] = {
        3u | (2u << 16),     /* a position past cfg->tariffs */
        2u | (7u << 16),     /* the right position, another id */
        0u | (2u << 16),     /* NULL with bits left over */
        1u | (2u << 16),     /* cfg->tariff under the pending one's id */
    };
    for (unsigned k = 0; k < sizeof bad_tokens / sizeof bad_tokens[0]; k++) {
        cr_expect_eq(load_with_token(a, img, pending, bad_tokens[k], &b), MM_ECORRUPT, "token %u",
                     k);
        harmless(b);
        fixture_free(b);
    }
    /* a pointer's token other than 0 or 1, and a pointer slot's high bytes not zero */
    cr_expect_eq(load_with_token(a, img, offsetof(mm_esme, prepay.log), 2u, &b), MM_ECORRUPT);
    harmless(b);
    fixture_free(b);
    if (sizeof(void *) > 4) {
        cr_expect_eq(load_with_token(a, img, offsetof(mm_esme, log.ring) + 4u, 1u, &b),
                     MM_ECORRUPT);
        fixture_free(b);
    }
    /* a definition the configuration no longer offers */
    b = copy_of(a);
    b->cfg.n_tariffs = 0;
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT);
    harmless(b);
    fixture_free(b);
    /* storage that is not the meter's: no price table, a shorter ring, another identity */
    b = copy_of(a);
    b->st.prices = NULL;
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT);
    harmless(b);
    b->st.prices = &b->prices;
    b->st.event_depth = 32;
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT);
    b->st.event_depth = 64;
    b->st.device_id[7] = 1;
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT);
    b->st.device_id[7] = 0;
    b->hal.rng = NULL;
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT,
                 "the saved meter had an RNG");
    b->hal.rng = &b->rng;
    /* ring indices outside the storage */
    uint8_t bad[sizeof(mm_esme)];
    memcpy(bad, img, sizeof bad);
    mm_esme probe;
    memcpy(&probe, img, sizeof probe);
    probe.log.head = 64;
    memcpy(bad + offsetof(mm_esme, log.head), &probe.log.head, sizeof probe.log.head);
    cr_expect_eq(x->load_ram(&b->e, bad, x->state_size, &b->cfg, &b->hal, &b->st), MM_ECORRUPT);
    harmless(b);
    /* and the good image still loads into the same buffers */
    cr_expect_eq(x->load_ram(&b->e, img, x->state_size, &b->cfg, &b->hal, &b->st), MM_OK);
    same(a, b, "after the refusals");
    fixture_free(b);
    fixture_free(a);
}

Test(ram, a_state_not_started_is_not_saved)
{
    const mm_abi *x = abi();
    uint8_t img[sizeof(mm_esme)];
    mm_esme *e = calloc(1, sizeof *e);
    cr_expect_eq(x->save_ram(e, img, sizeof img), MM_ESTATE, "never initialised");
    fixture *f = meter_new();
    x->deinit(&f->e);
    cr_expect_eq(x->save_ram(&f->e, img, sizeof img), MM_ESTATE, "after deinit");
    /* an all-zero image names no configuration */
    memset(img, 0, sizeof img);
    cr_expect_eq(x->load_ram(&f->e, img, sizeof img, &f->cfg, &f->hal, &f->st), MM_ECORRUPT);
    free(e);
    fixture_free(f);
}

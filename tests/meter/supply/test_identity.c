/* The meter's own identity (mm_esme_storage.device_id): two meters commissioned from one
 * shared config, each with its own id, take only the UTRNs and commands made for them; a
 * meter whose storage id is all zero answers to the config's id as before ABI 5.  Each case
 * runs with the real (mbedTLS) and the modelled crypto. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"

#define UTRN_NOT_AUTHENTIC 0x8F63u /* GBCS alert codes, written out to check alerts.h too */
#define AUTH_FAILURE 0x8F3Du

static const uint8_t ID_A[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x00, 0x0A};
static const uint8_t ID_B[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x00, 0x0B};

/* Meters A and B: each with its own HAL and storage, both on A's config (the one shared
 * config) and A's crypto HAL (one key set, as in the simulator).  Prepayment with 30 p. */
typedef struct pair {
    fixture *a, *b;
} pair;

static pair pair_start(mm_port_sim_crypto_mode mode, const uint8_t *id_a, const uint8_t *id_b)
{
    pair p = {fixture_new(mode), fixture_new(mode)};
    mm_esme_config *shared = &p.a->cfg;
    shared->initial_mode = MM_MODE_PREPAYMENT;
    shared->initial_credit = 30000;
    memcpy(p.a->st.device_id, id_a, 8);
    memcpy(p.b->st.device_id, id_b, 8);
    p.b->hal.crypto = &p.a->crypto;
    cr_assert_eq(mm_esme_init(&p.a->e, shared, &p.a->hal, &p.a->st), MM_OK);
    cr_assert_eq(mm_esme_init(&p.b->e, shared, &p.b->hal, &p.b->st), MM_OK);
    cr_assert_eq(p.a->e.cfg, p.b->e.cfg, "one config for both meters");
    return p;
}

static void pair_free(pair *p)
{
    fixture_free(p->a);
    fixture_free(p->b);
}

/* A supplier's UTRN of POUNDS for TARGET typed into meter TO. */
static int type_utrn(pair *p, mm_esme *to, const uint8_t *target, uint32_t counter_hi,
                     unsigned pounds)
{
    char utrn[21];
    int rc = mm_port_sim_utrn(&p->a->crypto, SUPPLIER_ID, target, counter_hi, MM_UTRN_POUNDS,
                              pounds, true, utrn);
    return rc != MM_OK ? rc : mm_esme_utrn_enter(to, utrn, 20);
}

/* A supplier's MODE_CHANGE to credit mode (critical: signed) for TARGET, sent to meter TO. */
static int send_mode(pair *p, mm_esme *to, const uint8_t *target, uint64_t counter)
{
    uint8_t pl[1] = {MM_MODE_CREDIT}, frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    int rc =
        mm_port_sim_cmd_frame(&p->a->crypto, target, MM_ROLE_SUPPLIER, counter, MM_CMD_MODE_CHANGE,
                              pl, 1, true, true, frame, sizeof frame, &len);
    return rc != MM_OK ? rc : mm_esme_command(to, frame, len, NULL, 0, NULL);
}

Test(identity, a_utrn_for_one_meter_is_refused_by_its_sibling_on_the_same_config)
{
    for (int mode = 0; mode < 2; mode++) {
        pair p = pair_start((mm_port_sim_crypto_mode)mode, ID_A, ID_B);
        mm_esme *a = &p.a->e, *b = &p.b->e;
        cr_expect_arr_eq(mm_esme_device_id(a), ID_A, 8);
        cr_expect_arr_eq(mm_esme_device_id(b), ID_B, 8);

        cr_expect_eq(type_utrn(&p, b, ID_A, 1, 5), MM_EAUTH, "mode %d", mode);
        cr_expect_eq(count_events(b, UTRN_NOT_AUTHENTIC), 1);
        cr_expect_eq(count_events(b, MM_ALERT_CREDIT_ADDED_LOCALLY), 0);
        cr_expect_eq(b->prepay.balance, 30000, "no credit added to B");

        cr_expect_eq(type_utrn(&p, a, ID_A, 1, 5), MM_OK, "mode %d", mode);
        cr_expect_eq(a->prepay.balance, 30000 + 500000);
        cr_expect_eq(count_events(a, UTRN_NOT_AUTHENTIC), 0);
        cr_expect_eq(count_events(a, MM_ALERT_CREDIT_ADDED_LOCALLY), 1);

        /* the config's id is no longer either meter's */
        cr_expect_eq(type_utrn(&p, a, DEV_ID, 2, 5), MM_EAUTH);
        cr_expect_eq(type_utrn(&p, b, DEV_ID, 2, 5), MM_EAUTH);
        cr_expect_eq(count_events(b, UTRN_NOT_AUTHENTIC), 2);

        /* B takes its own token (the refusals consumed nothing), and keeps its identity
         * across a power cut: the RAM state is rebuilt, the storage id is not RAM */
        cr_expect_eq(type_utrn(&p, b, ID_B, 1, 2), MM_OK);
        cr_expect_eq(b->prepay.balance, 30000 + 200000);
        cr_expect_eq(mm_esme_power_fail(b), MM_OK);
        cr_expect_eq(mm_esme_power_restore(b), MM_OK);
        cr_expect_eq(type_utrn(&p, b, ID_A, 3, 5), MM_EAUTH);
        cr_expect_eq(type_utrn(&p, b, ID_B, 3, 1), MM_OK);
        cr_expect_eq(b->prepay.balance, 30000 + 300000);
        pair_free(&p);
    }
}

Test(identity, a_command_for_one_meter_is_refused_by_its_sibling_on_the_same_config)
{
    for (int mode = 0; mode < 2; mode++) {
        pair p = pair_start((mm_port_sim_crypto_mode)mode, ID_A, ID_B);
        mm_esme *a = &p.a->e, *b = &p.b->e;

        cr_expect_eq(send_mode(&p, b, ID_A, 10), MM_EAUTH, "mode %d", mode);
        cr_expect_eq(count_events(b, AUTH_FAILURE), 1);
        cr_expect_eq(b->prepay.mode, MM_MODE_PREPAYMENT, "B not switched");

        cr_expect_eq(send_mode(&p, a, ID_A, 10), MM_OK, "mode %d", mode);
        cr_expect_eq(a->prepay.mode, MM_MODE_CREDIT);
        cr_expect_eq(count_events(a, AUTH_FAILURE), 0);

        /* a frame for the config's id is nobody's now */
        cr_expect_eq(send_mode(&p, a, DEV_ID, 11), MM_EAUTH);
        cr_expect_eq(count_events(a, AUTH_FAILURE), 1);

        /* B executes its own frame with the counter A's frame carried: nothing was consumed */
        cr_expect_eq(send_mode(&p, b, ID_B, 10), MM_OK);
        cr_expect_eq(b->prepay.mode, MM_MODE_CREDIT);
        pair_free(&p);
    }
}

/* Storage id all zero: the meter is the config's DEV_ID, exactly as before the field. */
Test(identity, a_zero_storage_id_means_the_configs_id)
{
    static const uint8_t zero[8] = {0};
    for (int mode = 0; mode < 2; mode++) {
        pair p = pair_start((mm_port_sim_crypto_mode)mode, zero, ID_B);
        mm_esme *a = &p.a->e;
        cr_expect_arr_eq(mm_esme_device_id(a), DEV_ID, 8);
        cr_expect_eq(type_utrn(&p, a, DEV_ID, 1, 5), MM_OK);
        cr_expect_eq(a->prepay.balance, 30000 + 500000);
        cr_expect_eq(type_utrn(&p, &p.b->e, DEV_ID, 1, 5), MM_EAUTH, "B has its own id");
        cr_expect_eq(type_utrn(&p, a, ID_A, 2, 5), MM_EAUTH);
        cr_expect_eq(count_events(a, UTRN_NOT_AUTHENTIC), 1);

        cr_expect_eq(send_mode(&p, a, ID_A, 5), MM_EAUTH);
        cr_expect_eq(count_events(a, AUTH_FAILURE), 1);
        cr_expect_eq(send_mode(&p, a, DEV_ID, 5), MM_OK);
        cr_expect_eq(a->prepay.mode, MM_MODE_CREDIT);
        pair_free(&p);
    }
}

/* The config's two ids must agree when the meter takes its identity from them; a meter with
 * its own id does not use them. */
Test(identity, init_checks_the_config_ids_only_for_a_meter_without_its_own)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    f->cfg.cmd.device_id[7] ^= 1;
    cr_expect_eq(fixture_start(f), MM_EINVAL);
    memcpy(f->st.device_id, ID_A, 8);
    cr_expect_eq(fixture_start(f), MM_OK);
    cr_expect_arr_eq(mm_esme_device_id(&f->e), ID_A, 8);
    fixture_free(f);
}

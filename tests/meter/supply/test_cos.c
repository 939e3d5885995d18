/* Change of supplier (mm_esme_change_supplier): the gaining supplier's configuration takes
 * over while the meter's registers, credit and billing history stay.  Checked against a hand
 * calculation: 1 kWh at the losing supplier's 20 p/kWh, then 1 kWh at the gaining one's
 * 40 p/kWh, is 60 p of cost and 2 kWh of import; the gaining supplier's UTRNs are taken from
 * counter 1, the losing one's are refused; all of it survives a power cut. */
#include <criterion/criterion.h>

#include "fixture.h"
#include "mm/alerts.h"
#include "mm/status_supply.h"

#define UTRN_NOT_AUTHENTIC 0x8F63u
static const uint8_t GAINING_ID[8] = {0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x02, 0x00, 0x00};

static int type_utrn(fixture *f, const uint8_t *supplier, uint32_t counter, unsigned pounds)
{
    char utrn[21];
    int rc = mm_port_sim_utrn(&f->crypto, supplier, DEV_ID, counter, MM_UTRN_POUNDS, pounds, true,
                              utrn);
    return rc != MM_OK ? rc : mm_esme_utrn_enter(&f->e, utrn, 20);
}

static mm_esme_snapshot snap(const fixture *f)
{
    mm_esme_snapshot s;
    mm_esme_snapshot_get(&f->e, &s);
    return s;
}

Test(cos, the_gaining_supplier_takes_over_and_the_meter_keeps_its_history)
{
    for (int mode = 0; mode < 2; mode++) {
        fixture *f = fixture_new((mm_port_sim_crypto_mode)mode);
        f->cfg.initial_mode = MM_MODE_PREPAYMENT;
        f->cfg.initial_credit = 10 * 100 * MM_CREDIT_PER_PENNY; /* 10 pounds */
        f->st.prices = NULL;
        cr_assert_eq(fixture_start(f), MM_OK);
        /* the gaining supplier: its own UTRN originator, its 40 p/kWh tariff (id 2) */
        mm_esme_config gaining = f->cfg;
        memcpy(gaining.utrn.supplier_id, GAINING_ID, 8);
        gaining.tariff = &f->tariff2;

        cr_expect_eq(type_utrn(f, SUPPLIER_ID, 5, 5), MM_OK, "losing supplier's top-up");
        run(f, 1000, 3600); /* 1 kWh at 20 p */
        mm_esme_snapshot before = snap(f);
        cr_expect_eq(before.cost_total, 20 * MM_COST_PER_PENNY, "mode %d", mode);

        cr_assert_eq(mm_esme_change_supplier(&f->e, &gaining), MM_OK);
        run(f, 1000, 3600); /* 1 kWh at 40 p */
        mm_esme_snapshot after = snap(f);
        cr_expect_eq(after.cost_total, 60 * MM_COST_PER_PENNY, "cost carried on");
        cr_expect_eq(after.reg[MM_CH_IMPORT], 2000, "registers carried on");
        cr_expect_eq(after.balance, before.balance - 40 * 100 * MM_CREDIT_PER_PENNY / 100,
                     "credit carried on, 40 p used");

        /* UTRNs: the gaining supplier's from counter 1, the losing one's refused */
        cr_expect_eq(type_utrn(f, GAINING_ID, 1, 5), MM_OK, "gaining supplier's first top-up");
        cr_expect_eq(type_utrn(f, SUPPLIER_ID, 6, 5), MM_EAUTH, "losing supplier's top-up");
        cr_expect_eq(count_events(&f->e, UTRN_NOT_AUTHENTIC), 1);
        mm_esme_snapshot topped = snap(f);
        cr_expect_eq(topped.balance, after.balance + 500 * 100 * MM_CREDIT_PER_PENNY / 100);

        /* a power cut: the gaining supplier's tariff and counters are what the meter restores */
        cr_expect_eq(mm_esme_power_fail(&f->e), MM_OK);
        run(f, 0, 60);
        cr_expect_eq(mm_esme_power_restore(&f->e), MM_OK);
        run(f, 1000, 3600);
        cr_expect_eq(snap(f).cost_total, 100 * MM_COST_PER_PENNY, "40 p/kWh after the cut");
        cr_expect_eq(type_utrn(f, GAINING_ID, 1, 5), MM_EREPLAY, "counter 1 used");
        cr_expect_eq(type_utrn(f, GAINING_ID, 2, 5), MM_OK);
        fixture_free(f);
    }
}

Test(cos, a_meter_without_power_or_configuration_is_refused)
{
    fixture *f = fixture_new(MM_PORT_SIM_CRYPTO_MODELLED);
    cr_assert_eq(fixture_start(f), MM_OK);
    cr_expect_eq(mm_esme_change_supplier(&f->e, NULL), MM_EINVAL);
    mm_esme_config bad = f->cfg;
    bad.tariff = NULL;
    cr_expect_eq(mm_esme_change_supplier(&f->e, &bad), MM_EINVAL);
    cr_expect_eq(mm_esme_power_fail(&f->e), MM_OK);
    cr_expect_eq(mm_esme_change_supplier(&f->e, &f->cfg), MM_ESTATE);
    fixture_free(f);
}

/* A commissioned ESME on the simulator port, shared by the supply-side tests.
 *
 * Meter time starts at 2024-01-01T00:00:00Z (a Monday, 1704067200).  The tariff is flat:
 * 20 p/kWh (price 20 at scale 0), no standing charge, so 1 Wh costs 0.02 p = 20 credit units
 * (MM_CREDIT_SCALE -5: 1 unit = 0.001 p) and 3 kW costs exactly 1 p a minute.
 */
#ifndef SUPPLY_FIXTURE_H
#define SUPPLY_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "mm/esme.h"
#include "mm/persist.h"
#include "mm/status_supply.h"
#include "mm_port_sim.h"
#include "mm_port_sim_crypto.h"

#define T0 1704067200u /* 2024-01-01T00:00:00Z, Monday */

static const uint8_t DEV_ID[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xA0};
static const uint8_t SUPPLIER_ID[8] = {0x90, 0xB3, 0xD5, 0x1F, 0x30, 0x01, 0x00, 0x00};
static const uint8_t GAS_ID[8] = {0x00, 0xDB, 0x12, 0x34, 0x56, 0x78, 0x90, 0xB0};

static inline void flat_tariff(mm_tariff_def *d, uint32_t id, uint32_t price_p_per_kwh)
{
    memset(d, 0, sizeof *d);
    d->id = id;
    d->price_scale = 0;
    d->standing_scale = 0;
    d->billing = MM_BILLING_NONE;
    d->n_seasons = 1;
    d->season[0].month = 1;
    d->season[0].day = 1;
    d->season[0].week = 0;
    d->day[0].n = 1;
    d->day[0].sw[0].minute = 0;
    d->day[0].sw[0].rate = 0;
    d->day[0].sw[0].price_set = MM_TARIFF_NONE;
    d->tou_price[0] = price_p_per_kwh;
}

typedef struct fixture {
    mm_hal_clock clk;
    mm_hal_rng rng;
    mm_hal_nvm nvm;
    mm_hal_crypto crypto;
    mm_port_sim_keys *keys;
    uint8_t nvm_mem[2048];
    mm_profile_slot profile[96];
    mm_event events[64];
    mm_tariff_def tariff;
    mm_tariff_def tariff2;
    const mm_tariff_def *tariffs[1];
    mm_price_table prices; /* attached unless a test clears st.prices */
    mm_fw_transfer fw;     /* firmware transfer area, attached unless a test clears st.fw */
    mm_esme_config cfg;
    mm_esme_hal hal;
    mm_esme_storage st;
    uint64_t sim_ms; /* simulated time since power-up [ms] */
    mm_esme e;
} fixture;

/* Defaults: credit mode, no limits; the caller adjusts cfg then calls fixture_start. */
static inline fixture *fixture_new(mm_port_sim_crypto_mode mode)
{
    fixture *f = calloc(1, sizeof *f);
    mm_port_sim_clock_init(&f->clk, T0);
    mm_port_sim_rng_init_seed(&f->rng, 3u);
    mm_port_sim_nvm_init(&f->nvm, f->nvm_mem, sizeof f->nvm_mem);
    f->keys = mode == MM_PORT_SIM_CRYPTO_REAL ? mm_port_sim_keys_create(42u) : NULL;
    mm_port_sim_crypto_init(&f->crypto, mode, f->keys);
    flat_tariff(&f->tariff, 1, 20);
    flat_tariff(&f->tariff2, 2, 40);
    f->tariffs[0] = &f->tariff2;
    mm_esme_config *c = &f->cfg;
    c->meter.register_digits = 9;
    memcpy(c->utrn.device_id, DEV_ID, 8);
    memcpy(c->utrn.supplier_id, SUPPLIER_ID, 8);
    memcpy(c->utrn.sibling_ids[0], GAS_ID, 8);
    memcpy(c->cmd.device_id, DEV_ID, 8);
    c->cmd.bad_threshold = 3;
    c->cmd.bad_window_s = 3600;
    c->tariff = &f->tariff;
    c->tariffs = f->tariffs;
    c->n_tariffs = 1;
    c->initial_mode = MM_MODE_CREDIT;
    c->dither_window_s = 300;
    c->nvm_addr = MM_PERSIST_NVM_ADDR;
    c->fw_version = 0x00010000u;
    f->hal = (mm_esme_hal){&f->clk, &f->nvm, &f->rng, &f->crypto};
    /* the meter's own id left zero: it answers to the config's DEV_ID */
    f->st = (mm_esme_storage){f->profile, 96, f->events, 64, 0, NULL, &f->prices, {0}, &f->fw};
    return f;
}

static inline int fixture_start(fixture *f)
{
    return mm_esme_init(&f->e, &f->cfg, &f->hal, &f->st);
}

static inline void fixture_free(fixture *f)
{
    mm_esme_deinit(&f->e);
    mm_port_sim_keys_destroy(f->keys);
    free(f);
}

/* The newest record in F's NVM saved again as the newest, under layout VERSION (not this
 * build's): what an image of another layout would leave.  The bank it went to in *BANK.
 * MM_OK, or the first failing persistence call's status. */
static inline int fixture_save_as_version(fixture *f, uint16_t version, unsigned *bank)
{
    mm_persist p, q;
    uint8_t rec[MM_ESME_RECORD_MAX];
    size_t n = 0;
    int rc = mm_persist_init(&p, &f->nvm, f->cfg.nvm_addr, MM_ESME_RECORD_MAX, version);
    if (rc == MM_OK)
        rc = mm_persist_load(&p, rec, sizeof rec, &n) == MM_EVERSION ? MM_OK : MM_EINVAL;
    q = p;
    q.version = MM_ESME_RECORD_VERSION;
    if (rc == MM_OK) rc = mm_persist_load(&q, rec, sizeof rec, &n);
    if (rc == MM_OK) rc = mm_persist_save(&p, rec, n);
    *bank = p.bank;
    return rc;
}

/* P [W] for DT_S seconds: the HAL clock moves first, as the simulator does. */
static inline void run(fixture *f, int32_t p_w, uint32_t dt_s)
{
    f->sim_ms += (uint64_t)dt_s * 1000u;
    mm_port_sim_clock_set_ms(&f->clk, f->sim_ms);
    mm_esme_advance(&f->e, p_w * 1000, 0, dt_s * 1000u);
}

/* Send a command as the supplier would (held key), or as a forger; returns its status. */
static inline int send(fixture *f, uint64_t counter, uint16_t id, const void *pl, uint16_t n,
                       bool sign, bool held_key)
{
    uint8_t frame[MM_CMD_FRAME_MAX];
    size_t len = 0;
    int rc = mm_port_sim_cmd_frame(&f->crypto, DEV_ID, MM_ROLE_SUPPLIER, counter, id, pl, n, sign,
                                   held_key, frame, sizeof frame, &len);
    if (rc != MM_OK) return rc;
    return mm_esme_command(&f->e, frame, len, NULL, 0, NULL);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* MM_CMD_SET_PRICES payload into PL (at least 6 + 4 N bytes): N prices of the rates from FIRST,
 * taking over at AT.  Returns its length. */
static inline uint16_t prices_payload(uint8_t *pl, uint32_t at, uint8_t first, uint8_t n,
                                      const uint32_t *price)
{
    put_be32(pl, at);
    pl[4] = first;
    pl[5] = n;
    for (unsigned k = 0; k < n; k++)
        put_be32(pl + 6u + 4u * k, price[k]);
    return (uint16_t)(6u + 4u * n);
}

/* Send a price update as the supplier (MAC only: the command is not critical). */
static inline int send_prices(fixture *f, uint64_t counter, uint32_t at, uint8_t first, uint8_t n,
                              const uint32_t *price)
{
    uint8_t pl[MM_CMD_PAYLOAD_MAX];
    return send(f, counter, MM_CMD_SET_PRICES, pl, prices_payload(pl, at, first, n, price), false,
                true);
}

/* Bytes written to NVM from now on (nvm_written), counted by a power cut armed too far to
 * fall; mm_port_sim_nvm_cut_after or _restore ends the count. */
#define NVM_FAR (UINT64_MAX - 1u)
static inline void nvm_count(fixture *f)
{
    mm_port_sim_nvm_cut_after(&f->nvm, NVM_FAR);
}

static inline uint64_t nvm_written(const fixture *f)
{
    return NVM_FAR - f->nvm.budget;
}

/* Number of logged events with CODE. */
static inline int count_events(const mm_esme *e, uint16_t code)
{
    int n = 0;
    mm_event ev;
    for (uint16_t age = 0; mm_event_log_get(&e->log, age, &ev) == MM_OK; age++)
        if (ev.code == code) n++;
    return n;
}

#endif

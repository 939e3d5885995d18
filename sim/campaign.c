#include "campaign.h"

#include "firmware.h"
#include "fleet.h"
#include "runner.h"

#include "mm/bytes.h"
#include "mm_hal_crypto.h"
#include "mm_port_sim.h"
#include "sim/events.h"
#include "sim/rng.h"

#include <math.h>
#include <simgrid/engine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FW_TRIES_MAX 5 /* attempts at one meter (the DCC gives up after 5) */
#define FW_FRAME_EXTRA (MM_CMD_HEADER_LEN + 12u + MM_CMD_MAC_LEN) /* header, offsets, MAC */

/* A household's part in a campaign: cst[id] = campaign << 4 | state. */
enum {
    ST_IDLE = 0,    /* in no campaign (or done with one: see done[]) */
    ST_PLANNED,     /* its own distribution is queued on its area */
    ST_BATCHED,     /* it waits for its area's broadcast of the day */
    ST_SENT,        /* its own transfer is on the way, or the area's reached the cell */
    ST_DISTRIBUTED, /* verified; activation queued */
    ST_ACTIVATING,  /* the activation command is on the way */
    ST_ON_AIR       /* the area's broadcast carrying its image is on the way */
};
#define CST(k, s) ((uint8_t)((k) << 4 | (s)))
#define CST_K(x) ((x) >> 4)
#define CST_S(x) ((x) & 0x0Fu)

/* MSG_FW's U: campaign << 8 | phase. */
enum { PH_SEND = 0, PH_BROADCAST = 1, PH_RECV = 2, PH_ACTIVATE = 3 };
#define FWU(k, ph) ((uint32_t)(k) << 8 | (ph))

typedef struct campaign {
    const sim_fw_campaign *c;
    uint8_t pop, image;
    uint8_t *bytes; /* the image file */
    uint32_t size, blocks;
    uint64_t frame_bytes; /* one distribution's frames [B] */
    uint8_t sha[MM_SHA256_LEN];
    uint32_t *order; /* the households its population has or may gain, in the order taken */
    uint32_t n_order;
    double carry;
    uint32_t *bc_day; /* [areas] the UTC day a broadcast is planned for, +1; 0 none */
    sim_campaign_row tot;
} campaign;

struct sim_campaigns {
    const sim_ctx *cx;
    sim_fleet *fleet;
    const sim_fw *fw;
    sim_area *areas;
    uint32_t n_areas, n;
    campaign cp[SIM_CAMPAIGNS_MAX];
    uint8_t *cst;   /* [households] campaign << 4 | state */
    uint8_t *tries; /* [households] attempts in its current campaign */
    uint8_t *done;  /* [households] bit k: campaign k is over for its meter */
    uint8_t *serial; /* [households] the meter done[] is about (fleet serial) */
};

static sim_campaigns *camp(const sim_area *a)
{
    return a->cx->camp;
}

/* Campaign K's image file, whole, and its SHA-256 as the meters' crypto computes it. */
static int image_read(sim_campaigns *s, uint32_t k, char *err, size_t errlen)
{
    campaign *c = &s->cp[k];
    const sim_fw_image *im = &s->fw->img[c->image];
    char path[4096];
    FILE *f = NULL;
    long len = -1;
    if (sim_fw_image_file(im, path, sizeof path) == 0 && (f = fopen(path, "rb")) &&
        fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len <= 0 || len > (1L << 26) || fseek(f, 0, SEEK_SET) != 0 ||
        !(c->bytes = malloc((size_t)len)) || fread(c->bytes, 1, (size_t)len, f) != (size_t)len) {
        snprintf(err, errlen, "firmware_campaigns[%u] (%s).firmware: cannot read the image file",
                 k, c->c->name);
        if (f) fclose(f);
        return -1;
    }
    fclose(f);
    c->size = (uint32_t)len;
    c->blocks = (c->size + c->c->block_bytes - 1) / c->c->block_bytes;
    c->frame_bytes = (uint64_t)c->size + (uint64_t)c->blocks * FW_FRAME_EXTRA;
    if (mm_hal_crypto_sha256(s->cx->crypto, c->bytes, c->size, c->sha) != 0) {
        snprintf(err, errlen, "firmware_campaigns[%u] (%s): cannot hash the image", k, c->c->name);
        return -1;
    }
    return 0;
}

int sim_campaigns_open(sim_campaigns **out, const sim_ctx *cx, sim_fleet *fleet, const sim_fw *fw,
                       sim_area *areas, uint32_t n_areas, char *err, size_t errlen)
{
    const sim_scenario *sc = cx->sc;
    *out = NULL;
    if (sc->n_campaigns == 0) return 0;
    sim_campaigns *s = calloc(1, sizeof *s);
    uint32_t n = sc->households;
    if (!s || !(s->cst = calloc(n, 1)) || !(s->tries = calloc(n, 1)) ||
        !(s->done = calloc(n, 1)) || !(s->serial = malloc(n ? n : 1))) {
        sim_campaigns_close(s);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->cx = cx;
    s->fleet = fleet;
    s->fw = fw;
    s->areas = areas;
    s->n_areas = n_areas;
    s->n = sc->n_campaigns;
    for (uint32_t id = 0; id < n; id++) s->serial[id] = fleet->hh[id].serial;
    for (uint32_t k = 0; k < s->n; k++) {
        campaign *c = &s->cp[k];
        c->c = &sc->firmware_campaigns[k];
        c->pop = fleet->campaign_pop[k];
        c->image = fw->campaign_image[k];
        c->order = malloc((size_t)(n ? n : 1) * sizeof *c->order);
        c->bc_day = calloc(n_areas ? n_areas : 1, sizeof *c->bc_day);
        if (!c->order || !c->bc_day) {
            sim_campaigns_close(s);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (uint32_t id = 0; id < n; id++)
            if (fleet->hh[id].pop == c->pop || fleet->install_pop == (int)c->pop)
                c->order[c->n_order++] = id; /* a new meter may join it */
        uint64_t salt = sim_hash64(sc->seed ^ sim_hash_str(c->c->name) ^ sim_hash_str("campaign"));
        int rc = sim_fleet_hash_order(c->order, c->n_order, salt);
        if (rc) snprintf(err, errlen, "out of memory");
        if (rc || image_read(s, k, err, errlen)) {
            sim_campaigns_close(s);
            return -1;
        }
        snprintf(c->tot.name, sizeof c->tot.name, "%s", c->c->name);
        snprintf(c->tot.population, sizeof c->tot.population, "%s", c->c->population);
        c->tot.image = c->image;
        c->tot.version = c->c->version;
        c->tot.image_bytes = c->size;
    }
    *out = s;
    return 0;
}

void sim_campaigns_close(sim_campaigns *s)
{
    if (!s) return;
    for (uint32_t k = 0; k < SIM_CAMPAIGNS_MAX; k++) {
        free(s->cp[k].bytes);
        free(s->cp[k].order);
        free(s->cp[k].bc_day);
    }
    free(s->cst);
    free(s->tries);
    free(s->done);
    free(s->serial);
    free(s);
}

/* A time between 01:00 and 05:00 UTC of the day of T (not before T) from stream NAME of KEY;
 * UINT32_MAX past the run's end. */
static uint32_t night_slot(const sim_ctx *cx, uint32_t t, uint64_t key, const char *name)
{
    int64_t now = cx->sc->start_unix + t, midnight = now - now % SIM_DAY_S;
    sim_rng g;
    sim_rng_seed(&g, cx->sc->seed, key, name);
    int64_t at = midnight + 3600 + (int64_t)(sim_rng_uniform(&g) * 4 * 3600) - cx->sc->start_unix;
    uint32_t tv = at > (int64_t)t ? (uint32_t)at : t;
    return tv < cx->end_s ? tv : UINT32_MAX;
}

/* Household ID can take campaign K now: a smart meter of its population, still on another
 * image, in no campaign, not yet done with this one. */
static bool eligible(const sim_campaigns *s, uint32_t k, uint32_t id)
{
    const sim_fleet_hh *h = &s->fleet->hh[id];
    const campaign *c = &s->cp[k];
    return h->pop == c->pop && h->route != SIM_ROUTE_NONE && h->image != c->image &&
           CST_S(s->cst[id]) == ST_IDLE && !(s->done[id] >> k & 1u);
}

/* Campaign K takes household ID at T: its distribution is planned tonight, in its area's
 * broadcast if it hears one. */
static void take(sim_campaigns *s, uint32_t k, uint32_t id, uint32_t t)
{
    campaign *c = &s->cp[k];
    sim_area *a = sim_area_of(s->areas, s->n_areas, id);
    uint32_t i = id - a->hh0;
    const sim_ctx *cx = s->cx;
    uint32_t day = (uint32_t)((cx->sc->start_unix + t) / SIM_DAY_S);
    c->tot.targeted++;
    s->tries[id] = 0;
    if (a->broadcast && sim_hh_route(a, i) == SIM_ROUTE_DCC) {
        s->cst[id] = CST(k, ST_BATCHED);
        uint32_t area = (uint32_t)(a - s->areas);
        if (c->bc_day[area] == day + 1) return; /* tonight's broadcast is planned */
        uint32_t tv = night_slot(cx, t, (uint64_t)area << 32 | day, "campaign.broadcast");
        if (tv == UINT32_MAX) return; /* after the end: it never goes */
        c->bc_day[area] = day + 1;
        sim_area_schedule(a, &a->msgq, tv, HEV(i, MSG_FW), FWU(k, PH_BROADCAST));
        return;
    }
    s->cst[id] = CST(k, ST_PLANNED);
    uint32_t tv = night_slot(cx, t, (uint64_t)id << 8 | k, "campaign.send");
    if (tv != UINT32_MAX) sim_area_schedule(a, &a->msgq, tv, HEV(i, MSG_FW), FWU(k, PH_SEND));
}

void sim_campaign_day(sim_campaigns *s, uint32_t t)
{
    if (!s) return;
    const sim_scenario *sc = s->cx->sc;
    int64_t now = sc->start_unix + t;
    double left = (double)(SIM_DAY_S - now % SIM_DAY_S) / SIM_DAY_S;
    for (uint32_t k = 0; k < s->n; k++) {
        campaign *c = &s->cp[k];
        if (c->c->start_unix > now) continue;
        c->carry += c->c->per_day * left * sc->households / sc->fleet.national_households;
        uint32_t j = 0;
        for (; j < c->n_order && c->carry >= 1.0; j++) {
            uint32_t id = c->order[j];
            if (s->fleet->hh[id].serial != s->serial[id]) { /* a new meter: not done with any */
                s->serial[id] = s->fleet->hh[id].serial;
                s->done[id] = 0;
            }
            if (!eligible(s, k, id)) continue;
            c->carry -= 1.0;
            take(s, k, id, t);
        }
        if (j == c->n_order) c->carry = 0; /* nobody else to take today */
    }
}

/* Campaign K is over for household ID. */
static void finish(sim_campaigns *s, uint32_t k, uint32_t id)
{
    s->cst[id] = CST(0, ST_IDLE);
    s->done[id] |= (uint8_t)(1u << k);
}

/* Household ID is in state ST of campaign K and its meter is still one the campaign targets
 * (an install or a fault's replacement ends the campaign for the premises). */
static bool at(sim_campaigns *s, uint32_t k, uint32_t id, unsigned st)
{
    if (s->cst[id] != CST(k, st)) return false;
    const sim_fleet_hh *h = &s->fleet->hh[id];
    if (h->pop == s->cp[k].pop && h->image != s->cp[k].image) return true;
    finish(s, k, id);
    return false;
}

/* Household I's distribution of campaign K failed at T (CAUSE: FW_FAILED's value): sent again
 * by unicast after retry_after, or given up after FW_TRIES_MAX attempts. */
static void failed(sim_area *a, uint32_t i, uint32_t t, uint32_t k, int64_t cause)
{
    sim_campaigns *s = camp(a);
    campaign *c = &s->cp[k];
    uint32_t id = a->hh0 + i;
    sim_area_record(a, t, id, SIM_EV_FW_FAILED, cause);
    a->fw_failed++;
    if (++s->tries[id] >= FW_TRIES_MAX) {
        c->tot.given_up++;
        sim_area_record(a, t, id, SIM_EV_FW_GIVEN_UP, c->c->version);
        finish(s, k, id);
        return;
    }
    s->cst[id] = CST(k, ST_PLANNED);
    sim_area_schedule(a, &a->msgq, t + (uint32_t)c->c->retry_s, HEV(i, MSG_FW), FWU(k, PH_SEND));
}

#define DL_CAMPAIGN_K(raw) (((raw) >> 24) & 0x0Fu)
#define DL_CAMPAIGN_I(raw) ((raw) & 0xFFFFFFu)

/* The head-end sends campaign K's image at T: to household I alone, or (BROADCAST) to the
 * area's meters of the day that hear its broadcasts. */
static void send(sim_area *a, uint32_t i, uint32_t t, uint32_t k, bool broadcast)
{
    sim_campaigns *s = camp(a);
    campaign *c = &s->cp[k];
    uint32_t id = a->hh0 + i;
    uint64_t bytes = c->frame_bytes + a->cx->sc->wan.command_overhead_bytes;
    if (broadcast) {
        uint32_t m = 0;
        for (uint32_t j = 0; j < a->n; j++)
            if (s->cst[a->hh0 + j] == CST(k, ST_BATCHED)) {
                s->cst[a->hh0 + j] = CST(k, ST_ON_AIR);
                m++;
            }
        c->bc_day[a - s->areas] = 0;
        if (m == 0) return;
        c->tot.broadcasts++;
        i = DL_CAMPAIGN_I(UINT32_MAX);
        sim_area_record(a, t, UINT32_MAX, SIM_EV_CMD_SENT, MM_CMD_FW_DISTRIBUTE);
    } else {
        if (!at(s, k, id, ST_PLANNED)) return;
        s->cst[id] = CST(k, ST_SENT);
        c->tot.unicasts++;
        sim_area_record(a, t, id, SIM_EV_CMD_SENT, MM_CMD_FW_DISTRIBUTE);
    }
    c->tot.bytes_sent += (double)bytes;
    a->fw_bytes += bytes;
    sim_cell_downlink(a->cell, (void *)(uintptr_t)(DL_CAMPAIGN | k << 24 | i), bytes);
}

void sim_campaign_area_recv(sim_area *a, uint32_t raw)
{
    const sim_ctx *cx = a->cx;
    sim_campaigns *s = camp(a);
    uint32_t k = DL_CAMPAIGN_K(raw), only = DL_CAMPAIGN_I(raw);
    campaign *c = &s->cp[k];
    double now = simgrid_get_clock();
    bool site = !cx->wt_on || net_wt_site_up(&cx->wt_cfg, &a->site, now);
    bool broadcast = only == DL_CAMPAIGN_I(UINT32_MAX);
    uint32_t i0 = broadcast ? 0 : only, i1 = broadcast ? a->n : only + 1;
    for (uint32_t i = i0; i < i1; i++) {
        uint8_t *st = &s->cst[a->hh0 + i];
        if (*st != CST(k, broadcast ? ST_ON_AIR : ST_SENT)) continue;
        *st = CST(k, ST_SENT);
        double t = now;
        if (cx->wt_on) { /* its own leg, sized as the whole image */
            net_wt_send o;
            uint32_t len = c->frame_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)c->frame_bytes;
            if (sim_hh_wt_message(a, i, NET_WT_POLLED, len, site, &o) != 0 ||
                o.cause != NET_WT_DELIVERED) {
                c->tot.lost++;
                failed(a, i, (uint32_t)ceil(t), k, SIM_FW_LOST);
                continue;
            }
            t += o.delay_s;
        }
        sim_area_schedule(a, &a->msgq, (uint32_t)ceil(t), HEV(i, MSG_FW), FWU(k, PH_RECV));
    }
}

/* The image's blocks reach household I's meter (advanced to T), framed one by one at T under
 * the supplier's counter; one block damaged (one byte flipped before framing) with the
 * campaign's share.  The firmware's status of the last block, its answer in RESP (*RLEN
 * bytes). */
static int feed(sim_area *a, uint32_t i, uint32_t t, const campaign *c, uint8_t *resp,
                size_t cap, size_t *rlen)
{
    const sim_ctx *cx = a->cx;
    uint32_t id = a->hh0 + i;
    sim_rng g;
    sim_rng_seed(&g, cx->sc->seed, (uint64_t)id << 16 | (uint64_t)camp(a)->tries[id] << 8 |
                                        (uint64_t)(c - camp(a)->cp),
                 "campaign.damage");
    bool damage = sim_rng_uniform(&g) < c->c->corrupt;
    uint32_t bad = (uint32_t)(sim_rng_uniform(&g) * c->blocks);
    uint8_t pl[12 + MM_CMD_FW_BLOCK_MAX], frame[MM_CMD_FRAME_MAX];
    int rc = MM_OK;
    for (uint32_t b = 0; b < c->blocks && rc == MM_OK; b++) {
        uint32_t off = b * c->c->block_bytes;
        uint32_t n = c->size - off < c->c->block_bytes ? c->size - off : c->c->block_bytes;
        mm_put_be(pl, c->c->version, 4);
        mm_put_be(pl + 4, c->size, 4);
        mm_put_be(pl + 8, off, 4);
        memcpy(pl + 12, c->bytes + off, n);
        if (damage && b == bad) pl[12 + n / 2] ^= 0x5Au;
        size_t flen = 0;
        if (sim_dl_frame(cx, id, t, MM_CMD_FW_DISTRIBUTE, pl, (uint16_t)(12 + n), frame,
                         sizeof frame, &flen) != 0) {
            sim_area_fail(a, SIM_EFRAME);
            return MM_EINVAL;
        }
        *rlen = 0;
        rc = sim_hh_abi(a, i)->command(sim_hh_fw(a, i), frame, flen, resp, cap, rlen);
    }
    return rc;
}

/* The transfer reached household I's meter at T: the firmware takes the blocks; the head-end
 * checks the hash in its answer, then activates or sends again. */
static void receive(sim_area *a, uint32_t i, uint32_t t, uint32_t k)
{
    const sim_ctx *cx = a->cx;
    sim_campaigns *s = camp(a);
    campaign *c = &s->cp[k];
    uint32_t id = a->hh0 + i;
    if (!at(s, k, id, ST_SENT)) return;
    if (a->off[i] || sim_hh_route(a, i) == SIM_ROUTE_NONE) { /* a hub without supply hears nothing */
        c->tot.lost++;
        failed(a, i, t, k, SIM_FW_LOST);
        return;
    }
    sim_hh_advance(a, i, t);
    uint8_t resp[64];
    size_t rlen = 0;
    int rc = feed(a, i, t, c, resp, sizeof resp, &rlen);
    if (a->err) return;
    bool whole = rc == MM_OK && rlen == 4 + MM_SHA256_LEN && mm_get_be32(resp) == c->size;
    /* the meter answers with what it holds, as any command is answered */
    sim_uplink_send(a, i, t, NET_WT_UPLINK,
                    &(net_msg){.household = id,
                               .code = SIM_EV_CMD_RESPONSE_DELIVERED,
                               .sent_s = t,
                               .import_wh = MM_CMD_FW_DISTRIBUTE,
                               .cls = NET_HE_FIRMWARE},
                    cx->sc->wan.response_bytes);
    if (!whole || memcmp(resp + 4, c->sha, MM_SHA256_LEN) != 0) {
        c->tot.damaged++;
        failed(a, i, t, k, SIM_FW_DAMAGED);
        return;
    }
    c->tot.distributed++;
    a->fw_distributed++;
    sim_area_record(a, t, id, SIM_EV_FW_DISTRIBUTED, c->c->version);
    if (c->c->gas_image_bytes &&
        net_han_gas_ota(&cx->han_cfg, &a->han[i], c->c->gas_image_bytes) == 0)
        c->tot.gas_updated++;
    s->cst[id] = CST(k, ST_DISTRIBUTED);
    sim_area_schedule(a, &a->msgq, t + (uint32_t)c->c->activate_s, HEV(i, MSG_FW),
                      FWU(k, PH_ACTIVATE));
}

/* The head-end sends household I the signed activation of campaign K's image at T. */
static void activate(sim_area *a, uint32_t i, uint32_t t, uint32_t k)
{
    sim_campaigns *s = camp(a);
    campaign *c = &s->cp[k];
    uint32_t id = a->hh0 + i;
    if (!at(s, k, id, ST_DISTRIBUTED)) return;
    if (sim_hh_route(a, i) == SIM_ROUTE_NONE) { /* gone dumb meanwhile: nothing reaches it */
        c->tot.lost++;
        failed(a, i, t, k, SIM_FW_LOST);
        return;
    }
    uint8_t pl[4 + MM_SHA256_LEN];
    mm_put_be(pl, c->c->version, 4);
    memcpy(pl + 4, c->sha, MM_SHA256_LEN);
    s->cst[id] = CST(k, ST_ACTIVATING);
    sim_dl_request(a, i, t, MM_CMD_FW_ACTIVATE, NET_HE_FIRMWARE, pl, sizeof pl);
}

void sim_campaign_message(sim_area *a, uint32_t i, uint32_t t, uint32_t u)
{
    uint32_t k = u >> 8;
    switch (u & 0xFFu) {
    case PH_SEND:
        send(a, i, t, k, false);
        break;
    case PH_BROADCAST:
        send(a, i, t, k, true);
        break;
    case PH_RECV:
        receive(a, i, t, k);
        break;
    case PH_ACTIVATE:
        activate(a, i, t, k);
        break;
    }
}

/* Household I's meter moves to image IMAGE at T: the old image's state goes, its NVM stays
 * (laid out again for the new image's banks if they differ), and the new image starts from
 * the record there. */
static int hand_over(sim_area *a, uint32_t i, uint8_t image)
{
    const sim_ctx *cx = a->cx;
    sim_fleet_hh *h = &cx->fleet->hh[a->hh0 + i];
    const sim_fw_image *from = &cx->fw->img[h->image], *to = &cx->fw->img[image];
    unsigned char *slot = sim_hh_fw(a, i);
    from->abi->deinit(slot);
    /* The same storage: the NVM as the meter saw it, its first bytes where they were (the
     * rest erased), kept as the new image's banks (the store as it is if they are the same). */
    mm_hal_nvm *nv = &sim_fw_states_hal(a)->nvm; /* with the state, in the view */
    mm_port_sim_nvm_pool_settle(nv->pool);
    if (to->nvm_bank != from->nvm_bank) {
        uint8_t *img = malloc((size_t)from->nvm_size + to->nvm_size);
        if (!img) {
            sim_area_fail(a, SIM_ENOMEM);
            return MM_EIO;
        }
        uint8_t *img_to = img + from->nvm_size;
        mm_port_sim_nvm_image(nv, img);
        uint32_t keep = from->nvm_size < to->nvm_size ? from->nvm_size : to->nvm_size;
        memcpy(img_to, img, keep);
        memset(img_to + keep, 0xFF, to->nvm_size - keep);
        mm_port_sim_nvm_pool *pool = nv->pool;
        mm_port_sim_nvm_release(nv);
        mm_port_sim_nvm_init_banked(nv, MM_PERSIST_NVM_ADDR, to->nvm_bank, pool);
        mm_port_sim_nvm_adopt(nv, img_to);
        free(img);
    }
    memset(slot, 0, a->fws->state_bytes); /* a fresh state (the event ring stays) */
    h->image = image;
    if (sim_fleet_touch(cx->fleet, a->hh0 + i) != 0) sim_area_fail(a, SIM_ENOMEM);
    mm_esme_hal hal;
    mm_esme_storage st;
    sim_hh_meter_io(a, i, &hal, &st);
    const mm_esme_config *cfg = sim_fw_config_for(cx->fw, h->cred, h->tariff, a->prepay[i]);
    int rc = to->abi->resume(slot, cfg, &hal, &st);
    if (rc == MM_OK) sim_fw_config_held(cx->fw, cx->fleet, a->hh0 + i, cfg);
    return rc;
}

void sim_campaign_activated(sim_area *a, uint32_t i, uint32_t t, int rc)
{
    sim_campaigns *s = camp(a);
    uint32_t id = a->hh0 + i;
    if (!s) return;
    uint32_t k = CST_K(s->cst[id]);
    if (!at(s, k, id, ST_ACTIVATING)) return;
    campaign *c = &s->cp[k];
    if (rc != MM_OK) { /* the meter refused: its pending image is sent again */
        c->tot.refused++;
        failed(a, i, t, k, SIM_FW_REFUSED);
        return;
    }
    int r = hand_over(a, i, c->image);
    if (r != MM_OK) {
        sim_area_record(a, t, id, SIM_EV_CMD_REJECTED, r);
        sim_area_fail(a, SIM_EINPUT);
        return;
    }
    c->tot.activated++;
    a->fw_activated++;
    sim_area_record(a, t, id, SIM_EV_FW_ACTIVATED, c->c->version);
    finish(s, k, id);
    sim_hh_send_alerts(a, i, t); /* the new image reports itself (0x8F43) */
    if (c->c->false_ad1 > 0) { /* SEC MP102: the hub lost power on activation, not the home */
        sim_rng g;
        sim_rng_seed(&g, a->cx->sc->seed, (uint64_t)id << 8 | k, "campaign.false_ad1");
        if (sim_rng_uniform(&g) < c->c->false_ad1) {
            c->tot.false_ad1++;
            sim_uplink_alert(a, i, t, SIM_ALERT_AD1);
        }
    }
}

uint32_t sim_campaigns_count(const sim_campaigns *s)
{
    return s ? s->n : 0;
}

void sim_campaign_get_row(const sim_campaigns *s, uint32_t k, sim_campaign_row *out)
{
    *out = s->cp[k].tot;
}

int sim_campaigns_ckpt(sim_campaigns *s, sim_ckpt *c)
{
    sim_ckpt_tag(c, "campaigns");
    sim_ckpt_same(c, s ? s->n : 0, "firmware campaigns");
    if (!s) return sim_ckpt_err(c) ? -1 : 0;
    uint32_t n = s->cx->sc->households;
    for (uint32_t k = 0; k < s->n; k++) {
        campaign *cp = &s->cp[k];
        SIM_CKPT(c, cp->carry);
        sim_ckpt_bytes(c, cp->bc_day, (size_t)s->n_areas * sizeof *cp->bc_day);
        SIM_CKPT(c, cp->tot);
    }
    sim_ckpt_bytes(c, s->cst, n);
    sim_ckpt_bytes(c, s->tries, n);
    sim_ckpt_bytes(c, s->done, n);
    sim_ckpt_bytes(c, s->serial, n);
    return sim_ckpt_err(c) ? -1 : 0;
}

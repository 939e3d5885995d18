/* UTRN entry: authentication through the crypto HAL and anti-replay (see mm/utrn.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/bytes.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"

int mm_utrn_init(mm_utrn *u, const mm_utrn_config *cfg, mm_event_log *log, mm_hal_crypto *crypto)
{
    if (u == NULL) return MM_EINVAL;
    memset(u, 0, sizeof *u);
    if (cfg == NULL || crypto == NULL) return MM_EINVAL;
    u->cfg = cfg;
    u->log = log;
    u->crypto = crypto;
    return MM_OK;
}

void mm_utrn_deinit(mm_utrn *u)
{
    if (u != NULL) memset(u, 0, sizeof *u);
}

/* The counter high word whose low 10 bits are C10, nearest to the last accepted one:
 * in last - 512 .. last + 511 (mod 2^32). */
static uint32_t reconstruct(uint32_t last, uint16_t c10)
{
    uint32_t base = last - 512u;
    uint32_t delta = ((uint32_t)c10 - base) & 0x3FFu;
    return base + delta;
}

static bool zero_id(const uint8_t id[8])
{
    for (unsigned i = 0; i < 8; i++)
        if (id[i]) return false;
    return true;
}

static int tag_ok(mm_utrn *u, const uint8_t target[8], uint64_t counter, const mm_utrn_fields *f)
{
    uint8_t aad[MM_UTRN_AAD_LEN], nonce[MM_GCM_NONCE_LEN], tag[4];
    mm_utrn_auth_data(u->cfg->supplier_id, target, counter, f, aad);
    mm_utrn_nonce(u->cfg->supplier_id, nonce);
    mm_put_be(tag, f->tag, 4);
    return mm_hal_crypto_mac_verify(u->crypto, MM_KEY_UTRN, nonce, aad, sizeof aad, tag, 4);
}

int mm_utrn_enter(mm_utrn *u, const uint8_t device_id[8], const char *digits, size_t n,
                  uint32_t now, mm_credit_t *amount)
{
    if (u == NULL || u->cfg == NULL || device_id == NULL || amount == NULL) return MM_EINVAL;
    mm_utrn_fields f;
    int rc = mm_utrn_decode(digits, n, &f);
    if (rc != MM_OK) {
        mm_event_log_add(u->log, now, MM_ALERT_USER_COMMAND_FAILED, rc, 0);
        return rc;
    }
    uint32_t hi = u->any ? reconstruct(u->last_hi, f.counter10) : f.counter10;
    uint64_t counter = (uint64_t)hi << 32;
    rc = tag_ok(u, device_id, counter, &f);
    if (rc == MM_EAUTH) {
        for (unsigned i = 0; i < MM_UTRN_SIBLINGS; i++) {
            if (zero_id(u->cfg->sibling_ids[i])) continue;
            if (tag_ok(u, u->cfg->sibling_ids[i], counter, &f) == MM_OK) {
                mm_event_log_add(u->log, now, MM_ALERT_UTRN_NOT_FOR_DEVICE, (int32_t)f.counter10,
                                 0);
                return MM_EWRONGDEV;
            }
        }
        mm_event_log_add(u->log, now, MM_ALERT_UTRN_NOT_AUTHENTIC, (int32_t)f.counter10, 0);
        return MM_EAUTH;
    }
    if (rc != MM_OK) return rc;

    /* Replay window: above the last accepted, or one of the 32 below it never used. */
    uint32_t below = u->last_hi - hi; /* mod 2^32: 1.. for older counters */
    bool fresh = !u->any || (hi != u->last_hi && below > 0x80000000u);
    if (!fresh && !(u->any && below >= 1u && below <= 32u && !(u->used >> (below - 1u) & 1u))) {
        mm_event_log_add(u->log, now, MM_ALERT_UTRN_DUPLICATE, (int32_t)f.counter10, 0);
        return MM_EREPLAY;
    }
    mm_credit_t value = mm_utrn_amount(&f);
    if (u->cfg->max_credit > 0 && value > u->cfg->max_credit) {
        mm_event_log_add(u->log, now, MM_ALERT_UTRN_ABOVE_MAX_CREDIT, (int32_t)f.value, 0);
        return MM_ERANGE;
    }
    if (fresh) {
        uint32_t up = u->any ? hi - u->last_hi : 0u;
        /* shift the used-map up by UP: the old last_hi becomes bit UP - 1 */
        if (!u->any)
            u->used = 0;
        else if (up >= 33u)
            u->used = 0;
        else
            u->used = (up == 32u ? 0u : u->used << up) | (1u << (up - 1u));
        u->last_hi = hi;
        u->any = 1;
    } else {
        u->used |= 1u << (below - 1u);
    }
    *amount = value;
    return MM_OK;
}

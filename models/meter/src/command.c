/* Command frames: parser, authentication and anti-replay (see mm/command.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/bytes.h"
#include "mm/command.h"
#include "mm/status_supply.h"

/* counter_time_shift took the padding after bad_threshold: the layout ABI 8 shares with hosts */
_Static_assert(offsetof(mm_cmd_config, bad_window_s) == 12u && sizeof(mm_cmd_config) == 16u,
               "mm_cmd_config must keep its ABI 8 layout");

int mm_cmd_parse(const uint8_t *buf, size_t len, mm_cmd_frame *out)
{
    if (out == NULL || (buf == NULL && len > 0)) return MM_EINVAL;
    memset(out, 0, sizeof *out);
    if (len < MM_CMD_HEADER_LEN + MM_CMD_MAC_LEN) return MM_EMALFORMED;
    if (buf[0] != MM_CMD_FRAME_TYPE) return MM_EMALFORMED;
    uint8_t ctrl = buf[1];
    if (ctrl & (uint8_t) ~(MM_CMD_CTRL_ROLE | MM_CMD_CTRL_SIGNED)) return MM_EMALFORMED;
    if ((ctrl & MM_CMD_CTRL_ROLE) >= MM_CMD_ROLES) return MM_EMALFORMED;
    size_t n = (size_t)mm_get_be(buf + 12, 2);
    if (n > MM_CMD_PAYLOAD_MAX) return MM_EMALFORMED;
    bool is_signed = (ctrl & MM_CMD_CTRL_SIGNED) != 0;
    size_t want = MM_CMD_HEADER_LEN + n + MM_CMD_MAC_LEN + (is_signed ? MM_CMD_SIG_LEN : 0u);
    if (len != want) return MM_EMALFORMED;
    out->frame = buf;
    out->role = (uint8_t)(ctrl & MM_CMD_CTRL_ROLE);
    out->is_signed = is_signed;
    out->counter = mm_get_be(buf + 2, 8);
    out->id = (uint16_t)mm_get_be(buf + 10, 2);
    out->payload_len = (uint16_t)n;
    out->payload = buf + MM_CMD_HEADER_LEN;
    out->mac = buf + MM_CMD_HEADER_LEN + n;
    out->sig = is_signed ? out->mac + MM_CMD_MAC_LEN : NULL;
    return MM_OK;
}

bool mm_cmd_is_critical(uint16_t id)
{
    return id == MM_CMD_SUPPLY_DISABLE || id == MM_CMD_MODE_CHANGE || id == MM_CMD_FW_ACTIVATE;
}

bool mm_cmd_is_durable(uint16_t id)
{
    return mm_cmd_is_critical(id) || id == MM_CMD_SUPPLY_ENABLE || id == MM_CMD_SUPPLY_ARM;
}

unsigned mm_cmd_mac_key(unsigned role)
{
    return role == MM_ROLE_NETWORK ? MM_KEY_NETWORK_MAC : MM_KEY_SUPPLIER_MAC;
}

unsigned mm_cmd_sig_key(unsigned role)
{
    return role == MM_ROLE_NETWORK ? MM_KEY_NETWORK_SIG : MM_KEY_SUPPLIER_SIG;
}

int mm_cmd_auth_init(mm_cmd_auth *a, const mm_cmd_config *cfg, mm_event_log *log,
                     mm_hal_crypto *crypto)
{
    if (a == NULL) return MM_EINVAL;
    memset(a, 0, sizeof *a);
    if (cfg == NULL || crypto == NULL || cfg->counter_time_shift > MM_CMD_TIME_SHIFT_MAX)
        return MM_EINVAL;
    a->cfg = cfg;
    a->log = log;
    a->crypto = crypto;
    return MM_OK;
}

void mm_cmd_auth_deinit(mm_cmd_auth *a)
{
    if (a != NULL) memset(a, 0, sizeof *a);
}

void mm_cmd_auth_floor(mm_cmd_auth *a, uint32_t now)
{
    if (a == NULL || a->cfg == NULL) return;
    unsigned shift = a->cfg->counter_time_shift;
    if (shift == 0 || shift > MM_CMD_TIME_SHIFT_MAX || now == 0) return;
    uint64_t last = ((uint64_t)now << shift) - 1u; /* as if accepted: NOW << shift passes */
    for (unsigned r = 0; r < MM_CMD_ROLES; r++)
        if (a->counter[r] < last) a->counter[r] = last;
}

size_t mm_cmd_auth_data(const uint8_t device_id[8], const uint8_t *buf, size_t body_len,
                        uint8_t *out)
{
    memcpy(out, device_id, 8);
    memcpy(out + 8, buf, body_len);
    return 8u + body_len;
}

void mm_cmd_nonce(uint64_t counter, const uint8_t device_id[8], uint8_t nonce[MM_GCM_NONCE_LEN])
{
    mm_put_be(nonce, counter, 8);
    memcpy(nonce + 8, device_id + 4, 4);
}

/* A malformed, unauthentic or out-of-order frame: counted in the window; 0x8F60 at the
 * threshold. */
static void bad_frame(mm_cmd_auth *a, uint32_t now)
{
    if (a->bad_count == 0 || now - a->bad_since >= a->cfg->bad_window_s) {
        a->bad_since = now;
        a->bad_count = 0;
    }
    if (a->bad_count < UINT16_MAX) a->bad_count++;
    if (a->cfg->bad_threshold > 0 && a->bad_count == a->cfg->bad_threshold)
        mm_event_log_add(a->log, now, MM_ALERT_MALFORMED_COMMANDS, a->bad_count, 0);
}

int mm_cmd_accept(mm_cmd_auth *a, const uint8_t device_id[8], const uint8_t *buf, size_t len,
                  uint32_t now, mm_cmd_frame *out)
{
    if (a == NULL || a->cfg == NULL || device_id == NULL || out == NULL) return MM_EINVAL;
    int rc = mm_cmd_parse(buf, len, out);
    if (rc != MM_OK) {
        mm_event_log_add(a->log, now, MM_ALERT_COMMAND_INTEGRITY_FAILED, (int32_t)len, 0);
        bad_frame(a, now);
        return rc;
    }
    uint8_t auth[MM_CMD_AUTH_MAX];
    uint8_t nonce[MM_GCM_NONCE_LEN];
    size_t body = MM_CMD_HEADER_LEN + out->payload_len;
    size_t n = mm_cmd_auth_data(device_id, buf, body, auth);
    mm_cmd_nonce(out->counter, device_id, nonce);
    rc = mm_hal_crypto_mac_verify(a->crypto, mm_cmd_mac_key(out->role), nonce, auth, n, out->mac,
                                  MM_CMD_MAC_LEN);
#if MM_PROFILE_SMETS1
    const bool check_sig = false; /* supplier head-ends of SMETS1 sign nothing */
#else
    const bool check_sig = out->is_signed || mm_cmd_is_critical(out->id);
#endif
    if (rc == MM_OK && check_sig) {
        uint8_t hash[MM_SHA256_LEN];
        if (!out->is_signed) {
            rc = MM_EAUTH; /* a critical command without its signature */
        } else if ((rc = mm_hal_crypto_sha256(a->crypto, auth, n, hash)) == MM_OK) {
            rc = mm_hal_crypto_sig_verify(a->crypto, mm_cmd_sig_key(out->role), hash, out->sig);
        }
    }
    if (rc == MM_EAUTH || rc == MM_EINVAL) {
        mm_event_log_add(a->log, now, MM_ALERT_AUTH_FAILURE, (int32_t)out->id, 0);
        bad_frame(a, now);
        return MM_EAUTH;
    }
    if (rc != MM_OK) return rc;
    if (out->counter <= a->counter[out->role]) {
        mm_event_log_add(a->log, now, MM_ALERT_COMMAND_REPLAYED, (int32_t)out->id, 0);
        bad_frame(a, now);
        return MM_EREPLAY;
    }
    a->counter[out->role] = out->counter;
    return MM_OK;
}

size_t mm_cmd_build(uint8_t *buf, size_t cap, unsigned role, uint64_t counter, uint16_t id,
                    const void *payload, uint16_t n, bool is_signed)
{
    size_t total = MM_CMD_HEADER_LEN + n + MM_CMD_MAC_LEN + (is_signed ? MM_CMD_SIG_LEN : 0u);
    if (buf == NULL || n > MM_CMD_PAYLOAD_MAX || role >= MM_CMD_ROLES || cap < total ||
        (payload == NULL && n > 0))
        return 0;
    buf[0] = MM_CMD_FRAME_TYPE;
    buf[1] = (uint8_t)(role | (is_signed ? MM_CMD_CTRL_SIGNED : 0u));
    mm_put_be(buf + 2, counter, 8);
    mm_put_be(buf + 10, id, 2);
    mm_put_be(buf + 12, n, 2);
    if (n > 0) memcpy(buf + MM_CMD_HEADER_LEN, payload, n);
    return MM_CMD_HEADER_LEN + n;
}

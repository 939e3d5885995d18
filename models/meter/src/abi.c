/* The ABI table of this firmware build (see mm/abi.h): thin adapters from the opaque state
 * pointer to the ESME. */
#include "mm/abi.h"
#include "mm/version.h"

static int abi_init(void *s, const mm_esme_config *cfg, const mm_esme_hal *hal,
                    const mm_esme_storage *st)
{
    return mm_esme_init(s, cfg, hal, st);
}

static void abi_advance(void *s, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms)
{
    mm_esme_advance(s, p_mw, q_mvar, dt_ms);
}

static void abi_hh_close(void *s)
{
    mm_esme_hh_close(s);
}

static int abi_command(void *s, const uint8_t *frame, size_t len, uint8_t *resp, size_t cap,
                       size_t *resp_len)
{
    return mm_esme_command(s, frame, len, resp, cap, resp_len);
}

static void abi_snapshot(const void *s, mm_esme_snapshot *out)
{
    mm_esme_snapshot_get(s, out);
}

static uint32_t abi_next_boundary(const void *s)
{
    return mm_esme_next_boundary(s);
}

static int abi_power_fail(void *s)
{
    return mm_esme_power_fail(s);
}

static int abi_power_restore(void *s)
{
    return mm_esme_power_restore(s);
}

static int abi_next_alert(void *s, mm_event *out)
{
    return mm_esme_next_alert(s, out);
}

static int abi_utrn_enter(void *s, const char *digits, size_t n)
{
    return mm_esme_utrn_enter(s, digits, n);
}

static int abi_button(void *s)
{
    return mm_esme_button(s);
}

static void abi_deinit(void *s)
{
    mm_esme_deinit(s);
}

static int abi_profile_slot(const void *s, uint32_t age, mm_profile_slot *out)
{
    return mm_meter_profile(&((const mm_esme *)s)->meter, age, out);
}

static int abi_event_slot(const void *s, uint32_t age, mm_event *out)
{
    if (age > UINT16_MAX) return MM_ENOENT;
    return mm_event_log_get(&((const mm_esme *)s)->log, (uint16_t)age, out);
}

static int abi_change_supplier(void *s, const mm_esme_config *cfg)
{
    return mm_esme_change_supplier(s, cfg);
}

static int abi_resume(void *s, const mm_esme_config *cfg, const mm_esme_hal *hal,
                      const mm_esme_storage *st)
{
    return mm_esme_resume(s, cfg, hal, st);
}

static int abi_save_ram(const void *s, void *out, size_t cap)
{
    return mm_esme_save_ram(s, out, cap);
}

static int abi_load_ram(void *s, const void *in, size_t len, const mm_esme_config *cfg,
                        const mm_esme_hal *hal, const mm_esme_storage *st)
{
    return mm_esme_load_ram(s, in, len, cfg, hal, st);
}

static const mm_abi abi_table = {
    .abi_version = MM_ABI_VERSION,
    .table_size = sizeof(mm_abi),
    .state_size = sizeof(mm_esme),
    .state_align = _Alignof(mm_esme),
    .profile = MM_PROFILE_SMETS1 ? MM_ABI_PROFILE_SMETS1 : MM_ABI_PROFILE_SMETS2,
    .version = mm_build_id,
    .init = abi_init,
    .advance = abi_advance,
    .hh_close = abi_hh_close,
    .command = abi_command,
    .snapshot = abi_snapshot,
    .next_boundary = abi_next_boundary,
    .power_fail = abi_power_fail,
    .power_restore = abi_power_restore,
    .next_alert = abi_next_alert,
    .utrn_enter = abi_utrn_enter,
    .button = abi_button,
    .deinit = abi_deinit,
    .profile_slot = abi_profile_slot,
    .nvm_footprint = mm_esme_nvm_footprint,
    .event_slot = abi_event_slot,
    .change_supplier = abi_change_supplier,
    .resume = abi_resume,
    .save_ram = abi_save_ram,
    .load_ram = abi_load_ram,
};

const mm_abi *mm_abi_get(void)
{
    return &abi_table;
}

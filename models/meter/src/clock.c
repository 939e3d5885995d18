/* Meter clock policy on the clock HAL (see mm/clock.h). */
#include <stddef.h>

#include "mm/alerts.h"
#include "mm/clock.h"

int mm_clock_init(mm_clock *c, mm_hal_clock *hal)
{
    if (c == NULL || hal == NULL) return MM_EINVAL;
    c->hal = hal;
    c->refused = 0;
    c->accepted = 0;
    return MM_OK;
}

void mm_clock_deinit(mm_clock *c)
{
    if (c != NULL) c->hal = NULL;
}

int mm_clock_now(const mm_clock *c, uint32_t *utc_s)
{
    if (c == NULL || c->hal == NULL || utc_s == NULL) return MM_EINVAL;
    return mm_hal_clock_utc_get(c->hal, utc_s);
}

int mm_clock_set(mm_clock *c, uint32_t utc_s, mm_event_log *log)
{
    if (c == NULL || c->hal == NULL) return MM_EINVAL;
    uint32_t now;
    if (mm_hal_clock_utc_get(c->hal, &now) == MM_OK) {
        /* The change as a signed 64-bit value: both operands are below 2^32. */
        int64_t change = (int64_t)utc_s - (int64_t)now;
        if (change > (int64_t)MM_CLOCK_MAX_ADJUST_S || change < -(int64_t)MM_CLOCK_MAX_ADJUST_S) {
            c->refused++;
            if (log != NULL) {
                int32_t v = change > INT32_MAX   ? INT32_MAX
                            : change < INT32_MIN ? INT32_MIN
                                                 : (int32_t)change;
                mm_event_log_add(log, now, (uint16_t)MM_ALERT_CLOCK_ADJUST_REFUSED, v, 0);
            }
            return MM_EREFUSED;
        }
    }
    int rc = mm_hal_clock_utc_set(c->hal, utc_s);
    if (rc == MM_OK) c->accepted++;
    return rc;
}

int mm_clock_next_boundary(const mm_clock *c, uint32_t *utc_s)
{
    uint32_t now;
    int rc = mm_clock_now(c, &now);
    if (rc != MM_OK) return rc;
    *utc_s = mm_clock_period_start(mm_clock_period_of(now) + 1u);
    return MM_OK;
}

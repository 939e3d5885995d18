/* Event log ring and WAN alert queue (see mm/event_log.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/event_log.h"
#include "mm/meter.h"

int mm_event_log_init(mm_event_log *log, mm_event *storage, uint16_t depth)
{
    if (log == NULL) return MM_EINVAL;
    memset(log, 0, sizeof *log);
    if (storage == NULL && depth > 0) return MM_EINVAL;
    log->ring = storage;
    log->depth = depth;
    return MM_OK;
}

int mm_alert_send_now(uint16_t code)
{
    switch (code) {
#define MM_ALERT_SEND_CASE(name, c, send, desc)                                                    \
    case c:                                                                                        \
        return send;
        MM_ALERT_MAP(MM_ALERT_SEND_CASE)
#undef MM_ALERT_SEND_CASE
    default:
        return 0;
    }
}

const char *mm_alert_describe(uint16_t code)
{
    switch (code) {
#define MM_ALERT_DESC_CASE(name, c, send, desc)                                                    \
    case c:                                                                                        \
        return desc;
        MM_ALERT_MAP(MM_ALERT_DESC_CASE)
#undef MM_ALERT_DESC_CASE
    default:
        return "unknown event";
    }
}

void mm_event_log_add(mm_event_log *log, uint32_t time, uint16_t code, int32_t value,
                      uint8_t extra_flags)
{
    if (log == NULL) return;
    log->total++;
    if (log->depth == 0) return;
    mm_event *e = &log->ring[log->head];
    /* Overwriting the oldest entry drops its alert if the comms layer never took it: the
     * queue is the ring, as on a meter whose alert buffer is its event log. */
    if (log->count == log->depth && (e->flags & (MM_EVF_SEND_NOW | MM_EVF_SENT)) == MM_EVF_SEND_NOW)
        log->unsent--;
    uint8_t flags = (uint8_t)(extra_flags & MM_EVF_SEND_NOW);
    if (mm_alert_send_now(code)) flags |= MM_EVF_SEND_NOW;
    e->time = time;
    e->code = code;
    e->flags = flags;
    e->rsv = 0;
    e->value = value;
    if (flags & MM_EVF_SEND_NOW) log->unsent++;
    log->head = (uint16_t)(log->head + 1u == log->depth ? 0u : log->head + 1u);
    if (log->count < log->depth) log->count++;
}

/* Ring index of the entry AGE steps back from the newest (AGE < count). */
static uint16_t slot_of(const mm_event_log *log, uint16_t age)
{
    unsigned back = (unsigned)age + 1u;
    unsigned i = log->head >= back ? log->head - back : log->head + log->depth - back;
    return (uint16_t)i;
}

int mm_event_log_get(const mm_event_log *log, uint16_t age, mm_event *out)
{
    if (log == NULL || out == NULL) return MM_EINVAL;
    if (age >= log->count) return MM_ENOENT;
    *out = log->ring[slot_of(log, age)];
    return MM_OK;
}

int mm_event_log_next_alert(mm_event_log *log, mm_event *out)
{
    if (log == NULL) return MM_EINVAL;
    if (log->unsent == 0) return MM_ENOENT;
    for (uint16_t age = log->count; age-- > 0;) { /* oldest first */
        mm_event *e = &log->ring[slot_of(log, age)];
        if ((e->flags & (MM_EVF_SEND_NOW | MM_EVF_SENT)) == MM_EVF_SEND_NOW) {
            e->flags |= MM_EVF_SENT;
            log->unsent--;
            if (out != NULL) *out = *e;
            return MM_OK;
        }
    }
    return MM_ENOENT;
}

int mm_event_log_find(const mm_event_log *log, uint16_t code, mm_event *out)
{
    if (log == NULL) return MM_EINVAL;
    for (uint16_t age = 0; age < log->count; age++) {
        const mm_event *e = &log->ring[slot_of(log, age)];
        if (e->code == code) {
            if (out != NULL) *out = *e;
            return MM_OK;
        }
    }
    return MM_ENOENT;
}

/* Event log: the meter's ring of events and alerts, and the queue of alerts waiting to be
 * sent over the WAN.
 *
 * Every event is logged with the meter's own time; an event whose code is flagged "send at
 * once" in alerts.h (or added with MM_EVF_SEND_NOW) is also queued for the comms layer,
 * which takes queued alerts with mm_event_log_next_alert.  The ring overwrites its oldest
 * entry when full (a real meter's event log is a fixed NVM area).  No allocation: the
 * caller provides the storage.
 * Not here: what raises events (each module logs its own) or how alerts travel.
 */
#ifndef MM_EVENT_LOG_H
#define MM_EVENT_LOG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_EVF_SEND_NOW 0x01u /* queued as a WAN alert */
#define MM_EVF_SENT 0x02u     /* taken by the comms layer */

typedef struct mm_event {
    uint32_t time; /* meter clock [s since the meter's epoch] */
    uint16_t code; /* mm_alert / GBCS code */
    uint8_t flags; /* MM_EVF_* */
    uint8_t rsv;
    int32_t value; /* code-specific detail (amount, duration, counter) */
} mm_event;

typedef struct mm_event_log {
    mm_event *ring; /* caller's storage */
    uint16_t depth;
    uint16_t head;   /* next slot to write */
    uint16_t count;  /* valid entries */
    uint16_t unsent; /* queued alerts not yet taken */
    uint32_t total;  /* events ever logged */
} mm_event_log;

/* STORAGE of DEPTH entries (NULL only with DEPTH 0: events are counted, not kept).
 * MM_EINVAL for a NULL log or NULL storage with DEPTH > 0. */
int mm_event_log_init(mm_event_log *log, mm_event *storage, uint16_t depth);
/* Log CODE; EXTRA_FLAGS may add MM_EVF_SEND_NOW to a log-only code. */
void mm_event_log_add(mm_event_log *log, uint32_t time, uint16_t code, int32_t value,
                      uint8_t extra_flags);
/* AGE 0 = newest. MM_ENOENT beyond the stored entries. */
int mm_event_log_get(const mm_event_log *log, uint16_t age, mm_event *out);
/* Oldest queued alert not yet taken, marked sent; MM_ENOENT when none. */
int mm_event_log_next_alert(mm_event_log *log, mm_event *out);
/* Whether CODE is sent at once by default (from MM_ALERT_MAP). */
int mm_alert_send_now(uint16_t code);
/* Newest logged event with CODE; MM_ENOENT when none is in the ring. */
int mm_event_log_find(const mm_event_log *log, uint16_t code, mm_event *out);
/* Description of CODE from MM_ALERT_MAP; "unknown event" for a code not in the table. */
const char *mm_alert_describe(uint16_t code);

#ifdef __cplusplus
}
#endif

#endif

/* Event log: ring order, overwrite, the WAN alert queue, and the send flags of alerts.h. */
#include <criterion/criterion.h>

#include "mm/alerts.h"
#include "mm/event_log.h"
#include "mm/meter.h"

Test(event_log, send_flags_follow_the_gbcs_table)
{
    static const struct {
        uint16_t code;
        int send;
    } cases[] = {
        {0x8F35, !MM_PROFILE_SMETS1}, /* supply outage restored: critical on SMETS2 */
        {0x8F36, !MM_PROFILE_SMETS1},
        {0x8F57, 0}, /* supply interrupted: logged only (packet-gbcs.c) */
        {0x810D, 1},
        {0x8F0F, 1},
        {0x8119, 1},
        {0x81AB, 1},
        {0x81AA, 1},
        {0x8F51, 1},
        {0x8F63, 1},
        {0x8F64, 1},
        {0x8F5B, 1},
        {0x8F3D, 1},
        {0x8F60, 1},
        {0x8F01, 1},
        {0x8F32, 1},
        {0x8F33, 1},
        {0x8F34, 1},
        {0x8F0C, 1},
        {0xF001, 0}, /* simulator-private: never sent */
        {0x1234, 0}, /* unknown */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(mm_alert_send_now(cases[i].code), cases[i].send, "code %#x", cases[i].code);
    cr_expect_str_eq(mm_alert_describe(0x8F51), "duplicate UTRN entered");
    cr_expect_str_eq(mm_alert_describe(0x1234), "unknown event");
}

Test(event_log, the_ring_keeps_the_newest_and_the_queue_loses_overwritten_alerts)
{
    mm_event ring[3], ev;
    mm_event_log log;
    cr_assert_eq(mm_event_log_init(&log, ring, 3), MM_OK);
    /* t, code (send?), value */
    mm_event_log_add(&log, 10, 0x8F57, 1, 0);               /* log only */
    mm_event_log_add(&log, 11, 0x810D, 2, 0);               /* alert A */
    mm_event_log_add(&log, 12, 0x8F51, 3, 0);               /* alert B */
    mm_event_log_add(&log, 13, 0xF001, 4, MM_EVF_SEND_NOW); /* forced alert C, evicts t=10 */
    cr_expect_eq(log.total, 4u);
    cr_expect_eq(log.count, 3u);
    cr_expect_eq(log.unsent, 3u);
    static const uint32_t want_t[3] = {13, 12, 11}; /* age 0 newest */
    for (uint16_t age = 0; age < 3; age++) {
        cr_assert_eq(mm_event_log_get(&log, age, &ev), MM_OK);
        cr_expect_eq(ev.time, want_t[age]);
    }
    cr_expect_eq(mm_event_log_get(&log, 3, &ev), MM_ENOENT);
    cr_assert_eq(mm_event_log_next_alert(&log, &ev), MM_OK);
    cr_expect_eq(ev.code, 0x810D, "oldest alert first");
    mm_event_log_add(&log, 14, 0x8F57, 5, 0); /* evicts t=11 (already sent) */
    mm_event_log_add(&log, 15, 0x8F57, 6, 0); /* evicts t=12, B unsent: dropped */
    cr_expect_eq(log.unsent, 1u);
    cr_assert_eq(mm_event_log_next_alert(&log, &ev), MM_OK);
    cr_expect_eq(ev.code, 0xF001);
    cr_expect_eq(mm_event_log_next_alert(&log, &ev), MM_ENOENT);
    cr_expect_eq(mm_event_log_find(&log, 0x8F57, &ev), MM_OK);
    cr_expect_eq(ev.value, 6, "newest match");
    cr_expect_eq(mm_event_log_find(&log, 0x8F51, &ev), MM_ENOENT);
}

Test(event_log, a_log_without_storage_only_counts)
{
    mm_event_log log;
    cr_expect_eq(mm_event_log_init(&log, NULL, 0), MM_OK);
    mm_event_log_add(&log, 1, 0x810D, 0, 0);
    cr_expect_eq(log.total, 1u);
    cr_expect_eq(log.unsent, 0u);
    cr_expect_eq(mm_event_log_init(&log, NULL, 4), MM_EINVAL);
}

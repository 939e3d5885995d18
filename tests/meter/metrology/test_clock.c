/* Meter clock: the RTC drifts in the simulator port, time-set commands beyond 10 s are
 * refused with alert 0x8F0C (GBCS, wireshark packet-gbcs.c: a clock change of more than 10 s
 * is refused and alerted), half-hour boundaries follow the meter's own clock, and the civil and
 * GB local time conversions.  Expected instants were computed with Python's calendar.timegm;
 * drift figures by hand in the comments. */
#include <criterion/criterion.h>

#include "mm/alerts.h"
#include "mm/clock.h"
#include "mm/event_log.h"
#include "mm_port_sim.h"

#define T0 1704067200u /* 2024-01-01T00:00:00Z, a period boundary */

Test(clock, the_rtc_of_the_sim_port_drifts_by_its_configured_ppm)
{
    static const struct {
        int32_t ppm;
        uint64_t sim_ms;
        uint32_t elapsed_s; /* floor(sim_ms (1e6 + ppm) / 1e9) */
    } cases[] = {
        {0, 86400000u, 86400u},
        {20, 86400000u, 86401u},      /* 86401.728 s: +1.7 s a day, a typical watch crystal */
        {-20, 86400000u, 86398u},     /* 86398.272 */
        {100, 10000000u, 10001u},     /* 10001.000 */
        {100, 9999999u, 10000u},      /* 10000.999899 */
        {-500, 3600000u, 3598u},      /* 3598.2 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_hal_clock hal;
        mm_clock c;
        uint32_t now = 0;
        mm_port_sim_clock_init(&hal, T0);
        mm_port_sim_clock_set_drift(&hal, cases[k].ppm);
        cr_assert_eq(mm_clock_init(&c, &hal), MM_OK);
        mm_port_sim_clock_set_ms(&hal, cases[k].sim_ms);
        cr_assert_eq(mm_clock_now(&c, &now), MM_OK);
        cr_expect_eq(now - T0, cases[k].elapsed_s, "case %zu", k);
    }
}

Test(clock, the_half_hour_closes_when_the_drifting_clock_reaches_it)
{
    mm_hal_clock hal;
    mm_clock c;
    uint32_t b = 0, now = 0;
    mm_port_sim_clock_init(&hal, T0);
    mm_port_sim_clock_set_drift(&hal, 100);
    cr_assert_eq(mm_clock_init(&c, &hal), MM_OK);
    cr_assert_eq(mm_clock_next_boundary(&c, &b), MM_OK);
    cr_expect_eq(b, T0 + 1800u);
    cr_expect_eq(mm_clock_period_of(b), mm_clock_period_of(T0) + 1u);
    /* RTC reads 1800 s after ceil(1800e9 / 1000100) = 1,799,821 ms of simulated time */
    uint64_t at = mm_port_sim_clock_sim_ms_at(&hal, b);
    cr_expect_eq(at, 1799821u);
    mm_port_sim_clock_set_ms(&hal, at - 1u);
    mm_clock_now(&c, &now);
    cr_expect_eq(now, T0 + 1799u, "1 ms earlier the meter is still in the old period");
    mm_port_sim_clock_set_ms(&hal, at);
    mm_clock_now(&c, &now);
    cr_expect_eq(now, b);
    cr_assert_eq(mm_clock_next_boundary(&c, &b), MM_OK);
    cr_expect_eq(b, T0 + 3600u);
    /* a slow clock reaches it late: -100 ppm, ceil(1800e9 / 999900) = 1,800,181 ms */
    mm_port_sim_clock_init(&hal, T0);
    mm_port_sim_clock_set_drift(&hal, -100);
    cr_expect_eq(mm_port_sim_clock_sim_ms_at(&hal, T0 + 1800u), 1800181u);
}

static mm_event ring[8];

Test(clock, a_time_set_beyond_ten_seconds_is_refused_and_alerted)
{
    static const struct {
        int32_t change_s;
        int rc;
    } cases[] = {
        {0, MM_OK},   {10, MM_OK},           {-10, MM_OK},
        {11, MM_EREFUSED}, {-11, MM_EREFUSED}, {3600, MM_EREFUSED},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        mm_hal_clock hal;
        mm_clock c;
        mm_event_log log;
        mm_event e;
        uint32_t now = 0;
        mm_port_sim_clock_init(&hal, T0 + 1000u);
        cr_assert_eq(mm_event_log_init(&log, ring, 8), MM_OK);
        cr_assert_eq(mm_clock_init(&c, &hal), MM_OK);
        uint32_t want = (uint32_t)((int64_t)T0 + 1000 + cases[k].change_s);
        cr_expect_eq(mm_clock_set(&c, want, &log), cases[k].rc, "case %zu", k);
        mm_clock_now(&c, &now);
        if (cases[k].rc == MM_OK) {
            cr_expect_eq(now, want, "case %zu", k);
            cr_expect_eq(mm_event_log_get(&log, 0, &e), MM_ENOENT, "case %zu", k);
            cr_expect_eq(c.accepted, 1u);
        } else {
            cr_expect_eq(now, T0 + 1000u, "case %zu: clock unchanged", k);
            cr_assert_eq(mm_event_log_get(&log, 0, &e), MM_OK, "case %zu", k);
            cr_expect_eq(e.code, 0x8F0Cu, "case %zu: GBCS clock adjust refused", k);
            cr_expect_eq(e.code, (uint16_t)MM_ALERT_CLOCK_ADJUST_REFUSED);
            cr_expect_eq(e.value, cases[k].change_s, "case %zu", k);
            cr_expect_eq(e.time, T0 + 1000u, "case %zu: logged at the meter's time", k);
            cr_expect(e.flags & MM_EVF_SEND_NOW, "case %zu: sent over the WAN at once", k);
            cr_expect_eq(c.refused, 1u);
        }
    }
}

Test(clock, a_meter_that_lost_its_time_accepts_any_time)
{
    mm_hal_clock hal;
    mm_clock c;
    uint32_t now = 0;
    mm_port_sim_clock_init(&hal, T0);
    mm_port_sim_clock_lose_rtc(&hal);
    cr_assert_eq(mm_clock_init(&c, &hal), MM_OK);
    cr_expect_eq(mm_clock_now(&c, &now), MM_EIO);
    cr_expect_eq(mm_clock_next_boundary(&c, &now), MM_EIO);
    cr_expect_eq(mm_clock_set(&c, T0 + 86400u, NULL), MM_OK);
    cr_expect_eq(mm_clock_now(&c, &now), MM_OK);
    cr_expect_eq(now, T0 + 86400u);
    cr_expect_eq(mm_clock_init(NULL, &hal), MM_EINVAL);
    mm_clock_deinit(NULL);
}

Test(clock, civil_dates_and_gb_summer_time)
{
    mm_civil c;
    mm_clock_civil(1709210096u, &c); /* 2024-02-29T12:34:56Z, a Thursday */
    cr_expect_eq(c.year, 2024);
    cr_expect_eq(c.month, 2);
    cr_expect_eq(c.day, 29);
    cr_expect_eq(c.wday, 3);
    cr_expect_eq(c.hour, 12);
    cr_expect_eq(c.minute, 34);
    cr_expect_eq(c.second, 56);
    cr_expect_eq(mm_clock_days_from_civil(2024, 2, 29), 1709210096u / 86400u);
    cr_expect_eq(mm_clock_days_from_civil(1970, 1, 1), 0u);
    uint32_t s, e;
    mm_clock_gb_dst(2024, &s, &e);
    cr_expect_eq(s, 1711846800u); /* 2024-03-31T01:00Z */
    cr_expect_eq(e, 1729990800u); /* 2024-10-27T01:00Z */
    mm_clock_gb_dst(2023, &s, &e);
    cr_expect_eq(s, 1679792400u); /* 2023-03-26T01:00Z */
    cr_expect_eq(e, 1698541200u); /* 2023-10-29T01:00Z */
    cr_expect_eq(mm_clock_gb_local(1711846799u), 1711846799u);
    cr_expect_eq(mm_clock_gb_local(1711846800u), 1711846800u + 3600u);
    cr_expect_eq(mm_clock_gb_local(1729990800u), 1729990800u);
    cr_expect_eq(mm_clock_gb_utc(1719792000u + 7u * 3600u), 1719792000u + 6u * 3600u);
}

#include "textfmt.h"

#include "sim/events.h"
#include "sim/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void sim_fmt_fixed(char *buf, size_t n, int64_t v, int digits, int sign)
{
    if (v == 0) {
        snprintf(buf, n, "0");
        return;
    }
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++) scale *= 10;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint64_t frac = m % scale;
    int fd = digits;
    while (fd > 0 && frac % 10 == 0) {
        frac /= 10;
        fd--;
    }
    const char *s = v < 0 ? "-" : sign ? "+" : "";
    if (fd)
        snprintf(buf, n, "%s%" PRIu64 ".%0*" PRIu64, s, m / scale, fd, frac);
    else
        snprintf(buf, n, "%s%" PRIu64, s, m / scale);
}

void sim_fmt_shift(char *buf, size_t n, double s)
{
    int64_t tenths = (int64_t)llround(s * 10.0);
    char num[48];
    sim_fmt_fixed(num, sizeof num, tenths, 1, 1);
    if (tenths == 0 && s != 0) snprintf(num, sizeof num, "%+.3g", s);
    snprintf(buf, n, "%s s", num);
}

void sim_fmt_utc(char *buf, size_t n, int64_t start, double t_s)
{
    double whole = floor(t_s);
    int ms = (int)llround((t_s - whole) * 1000.0);
    if (ms == 1000) {
        whole += 1;
        ms = 0;
    }
    char iso[40];
    sim_time_iso(start + (int64_t)whole, iso, sizeof iso);
    size_t len = strlen(iso);
    if (len && iso[len - 1] == 'Z') iso[len - 1] = '\0';
    snprintf(buf, n, "%s.%03dZ", iso, ms);
}

void sim_json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

const char *sim_event_origin(uint32_t code)
{
    return code >= 0x8000 && code <= 0xFFFF ? "GBCS alert" : "simulator";
}

/* The word for V from NAMES (index V - FIRST), or "?". */
static const char *pick(int64_t v, int64_t first, const char *const *names, size_t n)
{
    return v >= first && v - first < (int64_t)n ? names[v - first] : "?";
}

#define PICK(v, first, names) pick(v, first, names, sizeof names / sizeof names[0])

void sim_event_value_text(uint32_t code, int64_t v, char *buf, size_t n)
{
    static const char *const cause[] = {"HV fault", "LV substation fault", "LV feeder fault",
                                        "storm"};
    static const char *const reject[] = {"queue full", "over a rate threshold", "excluded"};
    static const char *const lost[] = {"access link", "mesh hop", "no mesh route", "site dark",
                                       "hub without supply"};
    switch (code) {
    case SIM_EV_SUPPLY_RESTORED:
    case SIM_EV_SUPPLY_RESTORED_LONG:
        snprintf(buf, n, "outage of %" PRId64 " s", v);
        return;
    case SIM_EV_WAN_READ_SENT:
        snprintf(buf, n, "%" PRId64 " bytes", v);
        return;
    case SIM_EV_WAN_READ_DELIVERED:
        snprintf(buf, n, "carried %" PRId64 " Wh of import", v);
        return;
    case SIM_EV_WAN_ALERT_SENT:
    case SIM_EV_WAN_ALERT_DELIVERED:
        if (v == SIM_ALERT_AD1)
            snprintf(buf, n, "alert AD1: comms hub power outage");
        else
            snprintf(buf, n, "alert %s (0x%" PRIX64 ")", sim_event_name((uint32_t)v), (uint64_t)v);
        return;
    case SIM_EV_WAN_READ_FAILED:
        snprintf(buf, n, "meter without supply");
        return;
    case SIM_EV_SUPPLY_LOST:
        snprintf(buf, n, "cause %s", PICK(v, 0, cause));
        return;
    case SIM_EV_HEADEND_REJECTED:
        snprintf(buf, n, "%s", PICK(v, 1, reject));
        return;
    case SIM_EV_TOPUP:
        if (v < 0) snprintf(buf, n, "UTRN refused by the meter");
        else snprintf(buf, n, "%" PRId64 " p credited", v);
        return;
    case SIM_EV_WAN_LOST:
        snprintf(buf, n, "lost: %s", PICK(v, 1, lost));
        return;
    case SIM_EV_WAN_RETRY:
        snprintf(buf, n, "after %" PRId64 " failed attempts", v);
        return;
    case SIM_EV_CMD_SENT:
    case SIM_EV_CMD_RECEIVED:
    case SIM_EV_CMD_RESPONSE_DELIVERED:
        snprintf(buf, n, "command 0x%04" PRIX64 "%s", (uint64_t)v, v == 0x0303 ? " (prices)" : "");
        return;
    case SIM_EV_CMD_REJECTED:
        snprintf(buf, n, "firmware status %" PRId64, v);
        return;
    default:
        if (n) buf[0] = '\0';
    }
}

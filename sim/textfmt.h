/* Text for the trace readers (diff, timeline): exact decimals without noise, times, JSON
 * strings and what an event's value means. */
#ifndef SIM_TEXTFMT_H
#define SIM_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* V in units of 10^-DIGITS as an exact decimal without trailing zeros: "1.5", "-0.01", and
 * "0" for zero; with SIGN a positive value gets "+". */
void sim_fmt_fixed(char *buf, size_t n, int64_t v, int digits, int sign);

/* A duration in seconds, signed, with 0.1 s resolution where it has a fraction: "+12 s",
 * "-0.5 s". */
void sim_fmt_shift(char *buf, size_t n, double s);

/* START + T_S as ISO 8601 UTC with milliseconds: "2026-01-12T00:31:53.587Z". */
void sim_fmt_utc(char *buf, size_t n, int64_t start, double t_s);

/* S as a JSON string: quotes, backslashes and control characters escaped; null for NULL. */
void sim_json_str(FILE *out, const char *s);

/* "GBCS alert" for codes 0x8000-0xFFFF, else "simulator". */
const char *sim_event_origin(uint32_t code);

/* What VALUE means for event CODE, in words: "outage of 312 s", "alert AD1"; "" when the
 * value carries nothing. */
void sim_event_value_text(uint32_t code, int64_t value, char *buf, size_t n);

#endif

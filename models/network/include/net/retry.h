/* Meter-side retries and restore dithering: when a comms hub sends again after a request
 * or alert went unanswered, and when a meter sends its first message after power returns.
 *
 * Backoff is "full jitter" (Brooker, "Exponential Backoff and Jitter", AWS Architecture
 * Blog, 2015): after the n-th failed attempt the meter waits uniform in [0, min(cap,
 * base 2^(n-1))), which spreads a synchronised crowd of retries over the whole ceiling
 * instead of bunching them at it.  An attempt fails when no response came within the
 * timeout; after max_attempts sends the meter gives up (the DCC gives up on a meter after
 * 5 failed attempts, DCC consultation on SMETS1 migration; used here as the default).
 *
 * Dithering: after a restore each meter waits uniform in [0, W] before its first message
 * (seed 003: up to 2 min at first, 5 min considered later).
 *
 * Every draw comes from the meter's own stream (seed, household, "net.retry") or
 * (seed, household, "net.dither"), so delays do not depend on the order meters run in.
 * Not here: the per-message attempt counter (the caller keeps it with the message) and
 * whether a response came (the head-end model or the WAN says).
 */
#ifndef NET_RETRY_H
#define NET_RETRY_H

#include "sim/rng.h"

#include <stdint.h>

typedef struct net_retry_params {
    double timeout_s;      /* wait for the response before the attempt counts as failed [s] */
    double base_s;         /* backoff ceiling after the first failure [s] */
    double cap_s;          /* largest backoff ceiling [s] */
    uint32_t max_attempts; /* sends in all, the first included; >= 1 */
} net_retry_params;

/* timeout 25 s (the DCC's shortest round-trip target, DCC performance measures, 2018),
 * base 5 s, cap 300 s (the 5-min dither window, so a retry storm is no narrower than the
 * storm it follows), 5 attempts.  Timeout, base and cap are *unconfirmed* defaults. */
void net_retry_default(net_retry_params *p);

void net_retry_seed(sim_rng *r, uint64_t seed, uint64_t household);
void net_dither_seed(sim_rng *r, uint64_t seed, uint64_t household);

/* Backoff after the N-th failed attempt (N >= 1): uniform in [0, min(cap, base 2^(N-1))).
 * Returns NET_ERETRY_EXHAUSTED when N >= max_attempts (give up; nothing is drawn),
 * NET_EHE_ARG for N == 0 or bad parameters. */
int net_retry_delay(const net_retry_params *p, sim_rng *r, uint32_t n, double *delay_s);

/* When attempt N (sent at SENT_S, unanswered) is sent again: SENT_S + timeout + backoff. */
int net_retry_next(const net_retry_params *p, sim_rng *r, uint32_t n, double sent_s,
                   double *next_s);

/* Dither delay, uniform in [0, WINDOW_S) [s]; 0 when WINDOW_S <= 0. */
double net_dither_draw(sim_rng *r, double window_s);

#endif

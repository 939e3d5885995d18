/* Benchmark: the HAN's analytic CSMA/CA model (han_csma.c) against the frame-level mode
 * (han_des.c) over offered load.  N nodes each send Poisson messages of PSDU bytes to a
 * sink; the offered load G = N lambda T_frame is the first transmissions' share of airtime
 * (ACKs and retransmissions not counted: they are what the models disagree on).  Each row
 * simulates enough time for MSGS finished messages.
 *
 * Columns, analytic / frame-level:
 *   caf   messages dropped on channel-access failure (per message)
 *   x     transmitted attempts not ACKed (collision or loss of frame or ACK)
 *   retr  retransmissions per message (attempts - 1)
 *   pd    delivery probability
 *   lat   mean arrival-to-ACK time of delivered messages [ms]
 * Load is also given as the model's own measure (net_han_csma_load: turnarounds and ACK
 * included), column "occ"; with "occ" as third argument the sweep steps that one instead.
 *
 * Usage: han_csma [BAND: 2g4|868] [MSGS] [g|occ]     (defaults: 2g4, 40000, g)
 * Built on request: cmake --build build --target bench_han_csma */
#include "net/han.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    double caf, x, retr, pd, lat_ms;
} row;

static int run_des(const net_han_config *c, net_han_band band, int n, double lambda, unsigned psdu,
                   double span, uint64_t group, row *out)
{
    net_han_des_stats st;
    int rc = net_han_des_star(c, band, n, lambda, psdu, 0, span, group, &st);
    if (rc) return rc;
    double fin = (double)(st.delivered + st.access_fail + st.retry_fail);
    double gen = fin + (double)st.queue_drop, del = (double)st.delivered;
    double att = (double)st.attempts, af = (double)st.access_fail;
    double sent = att - af; /* every attempt but a message's last access failure is sent */
    *out = (row){.caf = af / fin,
                 .x = sent > 0 ? (sent - del) / sent : 0,
                 .retr = att / fin - 1,
                 .pd = del / gen,
                 .lat_ms = 1e3 * st.latency_sum_s / del};
    return 0;
}

static row analytic(const net_han_csma *a)
{
    return (row){.caf = a->p_access_fail,
                 .x = a->tx_per_msg > 0 ? 1 - a->p_deliver / a->tx_per_msg : 0,
                 .retr = a->retries,
                 .pd = a->p_deliver,
                 .lat_ms = 1e3 * a->latency_s};
}

static double rel(double a, double d)
{
    return d > 0 ? 100 * (a - d) / d : 0;
}

int main(int argc, char **argv)
{
    net_han_band band = argc > 1 && strcmp(argv[1], "868") == 0 ? NET_HAN_868 : NET_HAN_2G4;
    double msgs = argc > 2 ? atof(argv[2]) : 40000;
    bool by_occ = argc > 3 && strcmp(argv[3], "occ") == 0;
    net_han_config c;
    net_han_config_default(&c);
    const int ns[] = {3, 9, 20, 40};
    const unsigned psdus[] = {12, 48, 64};
    const double loads[] = {0.01, 0.03, 0.05, 0.08, 0.10, 0.12, 0.15,
                            0.18, 0.20, 0.25, 0.30, 0.40, 0.50};
    printf("%-4s %3s %5s %5s | %6s %6s %6s | %6s %6s | %6s %6s %6s | %6s %6s | %7s %7s\n", "B", "N",
           "G", "occ", "caf_a", "caf_d", "err%", "x_a", "x_d", "retr_a", "retr_d", "err%", "pd_a",
           "pd_d", "lat_a", "lat_d");
    for (size_t p = 0; p < sizeof psdus / sizeof psdus[0]; p++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            for (size_t j = 0; j < sizeof loads / sizeof loads[0]; j++) {
                net_han_class cls = {.count = ns[i], .rate_hz = 1, .psdu_bytes = psdus[p]};
                double per_hz = by_occ ? net_han_csma_load(&c, band, &cls, 1)
                                       : ns[i] * net_han_frame_s(&c, band, psdus[p]);
                double lambda = loads[j] / per_hz;
                cls.rate_hz = lambda;
                double g = ns[i] * lambda * net_han_frame_s(&c, band, psdus[p]);
                net_han_csma a;
                if (net_han_csma_solve(&c, band, &cls, 1, &a)) return 1;
                row d, an = analytic(&a);
                double span = msgs / (ns[i] * lambda);
                if (run_des(&c, band, ns[i], lambda, psdus[p], span, 100 * i + j, &d)) return 1;
                printf(
                    "%-4u %3d %5.3f %5.3f | %6.4f %6.4f %6.0f | %6.4f %6.4f | %6.4f %6.4f %6.0f | "
                    "%6.4f %6.4f | %7.2f %7.2f\n",
                    psdus[p], ns[i], g, net_han_csma_load(&c, band, &cls, 1), an.caf, d.caf,
                    rel(an.caf, d.caf), an.x, d.x, an.retr, d.retr, rel(an.retr, d.retr), an.pd,
                    d.pd, an.lat_ms, d.lat_ms);
                fflush(stdout);
            }
    return 0;
}

/* WAN profile reads: when each meter's daily profile read leaves for the head-end,
 * how big it is and what it carries.
 *
 * The head-end (DCC / supplier) reads every meter's half-hourly log once a day at a
 * time spread over a window after midnight, so the load on cells and the head-end is
 * smooth; each meter's time is drawn from its own stream (seed, household, "wan.read"),
 * a new draw each day.  A read carries every period closed since the meter's previous
 * read (up to the log depth).
 *
 * Not here: the SimGrid transfer itself (the engine sends a message of `bytes` from
 * the area host) or queueing at cells and the head-end (issue 5).
 */
#ifndef NET_WAN_H
#define NET_WAN_H

#include "sim/rng.h"

#include <stdint.h>

typedef struct net_read_params {
    uint64_t seed;
    int64_t start_unix;    /* simulated start, UTC [s] */
    int64_t read_start_s;  /* time of day the read window opens [s after midnight UTC] */
    int64_t read_window_s; /* length of the window [s]; 0 = all at read_start */
    uint32_t bytes;        /* size of one read on the WAN [B] */
} net_read_params;

typedef struct net_read_hh {
    sim_rng_packed rng;   /* "wan.read" */
    uint32_t next;        /* time of the next read [s since start] */
    uint32_t from_period; /* first period the next read carries */
} net_read_hh;

/* Draw the first read at or after time 0. */
void net_read_init(const net_read_params *p, net_read_hh *h, uint64_t hh_id);
/* After a read at h->next carrying periods up to UPTO (exclusive): schedule tomorrow's. */
void net_read_done(const net_read_params *p, net_read_hh *h, uint32_t upto);

/* Periods the head-end needs to hold a log deep enough for these reads. */
uint32_t net_read_log_depth(const net_read_params *p);

/* A message in flight from an area to the head-end. */
typedef struct net_msg {
    uint32_t household;
    uint32_t code;         /* sim_event_code of its delivery */
    double sent_s;         /* [s since start] */
    uint32_t first_period; /* first half-hour carried */
    uint32_t n_periods;
    int64_t import_wh;     /* active import over the carried periods [Wh]; alert code for alerts */
    uint32_t area;         /* sending area (WAN cell) */
    uint32_t bytes;        /* size on the WAN [B] */
    uint8_t cls;           /* head-end request class (net/headend.h) of a command's answer */
    uint8_t headend;       /* its head-end: 0 the DCC's, 1 + k supplier k's SMETS1 head-end */
} net_msg;

#endif

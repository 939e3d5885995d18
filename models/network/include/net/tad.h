/* The DCC's Threshold Anomaly Detection on the commands users send to meters.
 *
 * The SEC has the DCC check every service request a user (a supplier, the network operator)
 * sends against thresholds, per user and for the whole system, and quarantine what exceeds
 * them: the request is held, not delivered, and the user is told to confirm or delete it
 * (SEC Section G, Threshold Anomaly Detection Procedures).  The real thresholds are set per user
 * and are not published; the model's are the scenario's.
 *
 * The model: time is cut into fixed windows of window_s from time 0.  Each user has two counts
 * per window, its critical commands (supply disable, mode change, firmware activation: the
 * signed ones) and all its commands; the system has the same two over every user.  A command
 * that would take a count past its limit trips it: the command is quarantined, and so is every
 * later command of that user in the tripped category (critical, or all) for quarantine_s after
 * the trip, the time the model gives the user to answer; a system trip holds every user's.
 * A limit of 0 is no limit.  Quarantined commands are never delivered: during an attack the
 * user deletes them; a campaign that wants them sends again.
 *
 * Offers must come in non-decreasing time.  The engine offers every command of its command
 * runs in one national order (time, run, target), so every MPI rank makes the same decisions.
 * Floating point is fine here: this is the simulator, not firmware.
 */
#ifndef NET_TAD_H
#define NET_TAD_H

#include "sim/ckpt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct net_tad_config {
    double window_s;         /* counting window [s] */
    uint32_t critical_user;  /* critical commands one user may send in a window; 0 no limit */
    uint32_t critical_system;/* ... all users together */
    uint32_t all_user;       /* commands of any kind one user may send in a window */
    uint32_t all_system;     /* ... all users together */
    double quarantine_s;     /* a trip holds the category for this long [s] */
} net_tad_config;

typedef enum net_tad_verdict {
    NET_TAD_PASS,        /* delivered */
    NET_TAD_QUARANTINED  /* held by a trip (this command's, or an earlier one's) */
} net_tad_verdict;

/* Why a command was quarantined (net_tad_offer's *WHY): the limit that tripped. */
typedef enum net_tad_limit {
    NET_TAD_NONE,
    NET_TAD_CRITICAL_USER,
    NET_TAD_CRITICAL_SYSTEM,
    NET_TAD_ALL_USER,
    NET_TAD_ALL_SYSTEM
} net_tad_limit;

#define NET_TAD_USERS_MAX 64

typedef struct net_tad_user {
    uint64_t win;                  /* window its counts are of */
    uint32_t critical, all;        /* counts in that window */
    double held_crit, held_all;    /* quarantined until (by its own trips) [s]; -inf none */
    uint64_t passed, quarantined;  /* over the run */
    uint32_t trips;
} net_tad_user;

typedef struct net_tad {
    net_tad_config cfg;
    uint32_t users;
    double clock;
    net_tad_user u[NET_TAD_USERS_MAX];
    net_tad_user sys; /* the system's counts and holds */
} net_tad;

/* 0, or -1 for a bad configuration (window_s <= 0, quarantine_s < 0, users out of range). */
int net_tad_init(net_tad *d, const net_tad_config *cfg, uint32_t users);

/* USER sends a command at T (CRITICAL or not).  -1 for a user out of range or a time before
 * the last offer; else the verdict, and in *WHY (may be NULL) the limit whose trip holds it. */
int net_tad_offer(net_tad *d, uint32_t user, bool critical, double t, net_tad_limit *why);

/* Saves D's counts, holds and clock to C, or loads them (sim/ckpt.h) into a D that
 * net_tad_init set up with the same configuration and users (the number of users is
 * checked).  0, or -1 with sim_ckpt_err(C) set (D then holds part of the checkpoint: set it
 * up again before use). */
int net_tad_ckpt(net_tad *d, sim_ckpt *c);

#endif

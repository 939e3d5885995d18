/* Command runs (scenario keys commands[] and attack[]): who controls the off switch.
 *
 * A run sends one command (supply disable, enable or arm, a payment mode change, a load limit)
 * to a share of the households that match its filters (supplier, population, regions, payment
 * mode, or the meters an earlier run disconnected), chosen at its start in a fixed hash order
 * of the candidates nationally and sent at its national rate scaled to the sample.
 *
 * Senders:
 * - supplier: the household's supplier, through its route (the DCC for SMETS2 and adopted
 *   SMETS1 meters, the supplier's own SMETS1 head-end otherwise), framed under the supplier's
 *   counter and keys, signed when critical;
 * - forged: an attacker on the WAN without keys: frames whose MAC (and signature) do not verify;
 * - replay: the frames an earlier run sent, captured and resent unchanged, each to its meter;
 * - compromised: an attacker holding one supplier's keys, sending through the DCC as that user.
 *
 * The DCC's threshold anomaly detection (net/tad.h; headend.anomaly) checks what goes through
 * the DCC as a user: supplier and compromised runs to meters whose route is the DCC.  Every
 * rank makes the same decisions: each window's commands of every run are offered in one
 * national order (time, run, target) by the coordinator before the window runs.
 *
 * At the meter the firmware checks and executes the frame (sim_dl_command); what it did to the
 * contactor and payment mode is read back from the meter, and the premises' supply follows: the
 * demand the grid loses or regains at that moment is the run's demand step, national and per
 * region, in exact integer milliwatts (the same whatever the rank count).  Authentic commands
 * are answered over the uplink (head-end class supply_switch or mode_change); alerts the
 * firmware raises (0x8F3D authentication failure, 0x8F60 unusual commands, 0x8F32 armed) go at
 * once.  Out: /commands/runs (one row per run) and /commands/region_step; events
 * CMD_QUARANTINED, SUPPLY_DISABLED, SUPPLY_ENABLED.
 *
 * Not here: auxiliary load control switches and boost (the load models do not follow them yet),
 * and the DCC's per-request processing on the way out (the answers are queued at the head-end).
 */
#ifndef SIM_COMMAND_H
#define SIM_COMMAND_H

#include "output/records.h"
#include "sim/ckpt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_area sim_area;
typedef struct sim_ctx sim_ctx;
typedef struct sim_cmds sim_cmds;

/* The scenario's runs resolved against the fleet (names checked by sim_fleet_build).  0, or -1
 * with a message in ERR.  *OUT is NULL without runs. */
int sim_cmds_open(sim_cmds **out, const sim_ctx *cx, sim_area *areas, uint32_t n_areas, char *err,
                  size_t errlen);
void sim_cmds_close(sim_cmds *s);
/* Save or load (sim/ckpt.h) the runs' progress; S may be NULL (no runs).  0, or -1. */
int sim_cmds_ckpt(sim_cmds *s, sim_ckpt *c);

/* Coordinator at window boundary T, every rank, areas waiting: runs starting before T + one
 * window choose their targets; their commands due in the window are offered to the anomaly
 * detection and this rank's are scheduled.  0, or SIM_ENOMEM (on every rank). */
int sim_cmds_window(sim_cmds *s, uint32_t t);

/* Household I's MSG_CMDRUN event U at T (area actor). */
void sim_cmds_message(sim_area *a, uint32_t i, uint32_t t, uint32_t u);
/* Run RUN's command (originator COUNTER), sent at SENT_S, reached household I's meter at T and
 * the firmware answered RC: an attacker near the meter has captured it.  True if the meter
 * answers the sender over the WAN. */
bool sim_cmds_executed(sim_area *a, uint32_t i, uint32_t t, unsigned run, double sent_s,
                       uint64_t counter, int rc);
/* A command of run RUN was lost on the way. */
void sim_cmds_lost(sim_cmds *s, unsigned run);
/* Household I's meter may have moved its contactor by itself (a load limit a run set): the
 * supply follows it at T. */
void sim_cmds_follow(sim_area *a, uint32_t i, uint32_t t);
/* Household I's supply at T is OFF or not (its contactor), as RUN moved it (-1: the firmware by
 * itself, e.g. for credit): the demand the grid sees follows, and a run's disconnection and the
 * premises' reconnection are counted. */
void sim_cmds_supply(sim_area *a, uint32_t i, uint32_t t, bool off, int run);
/* ... its meter came back from a power cut (its record may be older than a run's effect). */
void sim_cmds_follow_any(sim_area *a, uint32_t i, uint32_t t);
/* Household ID's meter has a load limit a run set (sim_cmds_follow is due after it moves). */
bool sim_cmds_watched(const sim_cmds *s, uint32_t id);

/* At the end (every rank, once): premises still off count to END_S, and every rank's counts are
 * summed.  0, or -1 out of memory. */
int sim_cmds_finish(sim_cmds *s, uint32_t end_s);
uint32_t sim_cmds_count(const sim_cmds *s);
void sim_cmds_row(const sim_cmds *s, uint32_t k, sim_cmdrun_row *out);
/* Run K's demand step per licence area of the run (in area order), OUT[regions] [W]. */
void sim_cmds_region_step(const sim_cmds *s, uint32_t k, double *out);

#endif

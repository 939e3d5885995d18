/* Event codes recorded in /events, from one table so every code can be printed.
 *
 * Codes 0x8000-0xFFFF are GBCS alert/event codes raised by meter firmware (values from
 * wireshark's packet-gbcs.c).  Codes from 0x10000 are the simulator's own
 * records (messages sent and delivered, outages applied).  The `value` column of an
 * event record means what the table says for that code.
 */
#ifndef SIM_EVENTS_H
#define SIM_EVENTS_H

#include <stdint.h>

/* X(NAME, code, value meaning, description) */
/* DCC alert "AD1" (comms hub power outage) has no GBCS meter code; this value stands for it. */
#define SIM_ALERT_AD1 0xAD1

#define SIM_EVENT_MAP(X)                                                                       \
    X(SUPPLY_RESTORED, 0x8F35, "outage duration [s]", "supply outage restored (GBCS)")         \
    X(SUPPLY_RESTORED_LONG, 0x8F36, "outage duration [s]",                                     \
      "supply restored after an outage of 3 min or more (GBCS)")                               \
    X(SUPPLY_INTERRUPTED, 0x8F57, "-", "supply interrupted (logged only)")                     \
    X(WAN_READ_SENT, 0x10001, "bytes", "daily profile read sent by the meter's comms hub")     \
    X(WAN_READ_DELIVERED, 0x10002, "Wh of active import carried",                              \
      "profile read delivered to the head-end")                                                \
    X(WAN_ALERT_SENT, 0x10003, "alert code (0xAD1 for the hub's AD1)",                          \
      "alert sent over the WAN (after the meter's dither for restore alerts)")                 \
    X(WAN_ALERT_DELIVERED, 0x10004, "alert code", "alert delivered to the head-end / DNO")      \
    X(WAN_READ_FAILED, 0x10005, "-", "scheduled profile read found the meter without power")   \
    X(SUPPLY_LOST, 0x10006, "cause (0 HV, 1 LV substation, 2 LV feeder, 3 storm, 4 meter visit)", \
      "the grid cut the premises' supply")                                                     \
    X(HEADEND_REJECTED, 0x10007, "1 queue full, 2 over a rate threshold, 3 excluded",           \
      "message reached the head-end but was not processed")                                    \
    X(TOPUP, 0x10008, "pence credited, -1 if the meter refused the UTRN",                      \
      "a prepayment household typed a top-up UTRN at its meter")                              \
    X(WAN_LOST, 0x10009,                                                                       \
      "cause: 1 access link, 2 mesh hop, 3 no mesh route, 4 site dark, 5 hub without supply",  \
      "a message was lost on the WAN before reaching the cell")                                \
    X(WAN_RETRY, 0x1000A, "failed attempts so far",                                            \
      "a hub sends a lost alert again after its timeout and backoff")                          \
    X(CMD_SENT, 0x1000B, "command id (0x0303 prices)",                                         \
      "the head-end sends a command: to one meter, or (household none) broadcast to an area")  \
    X(CMD_RECEIVED, 0x1000C, "command id", "a meter's firmware accepted a command")            \
    X(CMD_REJECTED, 0x1000D, "firmware status (negative)", "a meter's firmware refused a command") \
    X(CMD_RESPONSE_DELIVERED, 0x1000E, "command id",                                           \
      "a meter's response to a unicast command was processed by the head-end")                   \
    X(MIGRATION_ATTEMPT, 0x1000F, "attempt number (1..)",                                       \
      "the DCC tries to enrol and adopt a SMETS1 meter")                                          \
    X(MIGRATED, 0x10010, "attempts it took",                                                     \
      "a SMETS1 meter was adopted by the DCC: its traffic now goes through the DCC")             \
    X(MIGRATION_FAILED, 0x10011, "1 no WAN before, 2 no WAN during, 3 missing keys",             \
      "a migration attempt failed")                                                              \
    X(MIGRATION_EXCLUDED, 0x10012, "the last failure's category",                                \
      "a SMETS1 meter is excluded from migration (missing keys, or attempts exhausted)")         \
    X(METER_EXCHANGED, 0x10013, "the old meter's import register [Wh] (change-of-meter reading)", \
      "an installer replaced the meter with a new SMETS2 meter (an install, or a faulty "      \
      "meter's replacement)")                                 \
    X(COMMISSIONED, 0x10014, "bytes", "the new meter was commissioned over the DCC (its requests "\
      "reached the head-end)")                                                                   \
    X(SUPPLIER_SWITCHED, 0x10015, "the gaining supplier (row of /fleet/suppliers)",              \
      "the household changed supplier")                                                          \
    X(WENT_DUMB, 0x10016, "the losing supplier",                                                 \
      "a SMETS1 meter its gaining supplier cannot operate went to traditional mode")           \
    X(METER_FAULT, 0x10017, "its route before (1 DCC, 2 SMETS1 operator, 3 DCC SMETS1 service)",  \
      "a smart meter failed: traditional mode until its replacement visit")                      \
    X(MIGRATION_REQUESTS, 0x10018, "bytes", "the DCC's service requests of a migration attempt "   \
      "that reached the meter were processed by its head-end")                                   \
    X(FW_DISTRIBUTED, 0x10019, "the image's version",                                            \
      "a firmware campaign's image reached the meter whole (its hash checked by the head-end)")  \
    X(FW_ACTIVATED, 0x1001A, "the image's version",                                              \
      "the meter activated the new image and runs it, started from the old one's record")        \
    X(FW_FAILED, 0x1001B, "1 damaged (hash), 2 lost, 3 activation refused",                      \
      "a firmware distribution or activation failed: sent again after retry_after")              \
    X(FW_GIVEN_UP, 0x1001C, "the image's version",                                               \
      "a firmware campaign gave up a meter after 5 attempts: it keeps its image")                 \
    X(CMD_QUARANTINED, 0x1001D, "the command run (row of /commands/runs)",                        \
      "the DCC's anomaly detection held a command of a run: it never left the head-end")        \
    X(SUPPLY_DISABLED, 0x1001E, "the command run that opened it (row of /commands/runs)",          \
      "a command run opened the meter's contactor: the premises lost supply")                     \
    X(SUPPLY_ENABLED, 0x1001F,                                                                  \
      "the command run that closed it (an arm's run: the customer's button), -1 none",           \
      "the contactor a command run had opened closed again: supply is back")

/* FW_FAILED's values. */
#define SIM_FW_DAMAGED 1
#define SIM_FW_LOST 2
#define SIM_FW_REFUSED 3

typedef enum sim_event_code {
#define SIM_EVENT_ENUM(name, code, value, desc) SIM_EV_##name = code,
    SIM_EVENT_MAP(SIM_EVENT_ENUM)
#undef SIM_EVENT_ENUM
} sim_event_code;

/* One /events row. */
typedef struct sim_event {
    double t_s;         /* simulated time since the run's start [s] */
    uint32_t household; /* household id, or UINT32_MAX for none */
    uint32_t code;      /* sim_event_code */
    int64_t value;      /* meaning per code (see SIM_EVENT_MAP) */
} sim_event;

const char *sim_event_name(uint32_t code); /* "UNKNOWN" for codes not in the table */

#endif

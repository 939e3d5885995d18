/* Event and alert codes of the meter core, from one X-macro table.
 *
 * Codes are GBCS alert codes where GBCS defines them (codes and names as in wireshark
 * packet-gbcs.c, gbcs_gbz_alert_code_names); SEND says whether the meter raises it as an
 * alert sent over the WAN at once (critical/non-critical alert) or only logs it for the
 * head-end to read later.  Codes 0xF0xx are simulator-private events for which GBCS has no
 * alert code (a real ESME records them in its own event log with manufacturer codes); they
 * are never sent.  The SEND flag of the supply-restored alerts depends on the firmware profile
 * (mm_config.h MM_PROFILE_SMETS1).  Not here: the log itself (event_log.h).
 */
#ifndef MM_ALERTS_H
#define MM_ALERTS_H

#include "mm/mm_config.h"

/* SMETS2 sends 0x8F35/0x8F36 at once to the network operator (packet-gbcs.c); SMETS1 logs them. */
#define MM_ALERT_SEND_RESTORE (MM_PROFILE_SMETS1 ? 0 : 1)

/* X(NAME, code, send over WAN at once (1) or log only (0), description) */
#define MM_ALERT_MAP(X)                                                                            \
    X(ABOVE_LOAD_LIMIT, 0x8F01u, 1, "active power import above load limit threshold")              \
    X(CLOCK_ADJUST_REFUSED, 0x8F0Cu, 1, "clock adjust outside tolerance (> 10 s) refused")         \
    X(CREDIT_BELOW_DISABLEMENT, 0x8F0Fu, 1, "credit below disablement threshold")                  \
    X(FIRMWARE_VERIFY_FAILED, 0x8F1Cu, 1, "firmware verification failed")                          \
    X(COMMAND_INTEGRITY_FAILED, 0x8F1Eu, 0, "integrity check of content or format failed")         \
    X(GSME_LOW_BATTERY, 0x8F1Fu, 1, "gas meter low battery")                                       \
    X(NO_AUTHORITY, 0x8F30u, 1, "source does not have authority for command")                      \
    X(SUPPLY_ARMED, 0x8F32u, 1, "supply armed")                                                    \
    X(LOAD_LIMIT_DISABLED, 0x8F33u, 1, "supply disabled then armed: load limit triggered")         \
    X(LOAD_LIMIT_RESTORED, 0x8F34u, 1, "supply enabled after load limit restoration period")       \
    X(SUPPLY_RESTORED, 0x8F35u, MM_ALERT_SEND_RESTORE, "supply outage restored")                   \
    X(SUPPLY_RESTORED_LONG, 0x8F36u, MM_ALERT_SEND_RESTORE,                                        \
      "supply outage restored, outage >= 3 minutes")                                               \
    X(AUTH_FAILURE, 0x8F3Du, 1, "trusted source authentication failure")                           \
    X(FIRMWARE_VERSION_CHANGED, 0x8F43u, 1, "change in the executing firmware version")            \
    X(UTRN_DUPLICATE, 0x8F51u, 1, "duplicate UTRN entered")                                        \
    X(SUPPLY_INTERRUPTED, 0x8F57u, 0, "supply interrupted")                                        \
    X(UTRN_ABOVE_MAX_CREDIT, 0x8F5Bu, 1, "UTRN exceeds maximum credit threshold")                  \
    X(MALFORMED_COMMANDS, 0x8F60u, 1, "unusual numbers of malformed or out-of-order commands")     \
    X(UTRN_NOT_AUTHENTIC, 0x8F63u, 1, "UTRN not authentic")                                        \
    X(UTRN_NOT_FOR_DEVICE, 0x8F64u, 1, "UTRN not for this device")                                 \
    X(FIRMWARE_VERIFY_OK, 0x8F72u, 0, "firmware verification successful")                          \
    X(DISABLEMENT_SUSPENDED, 0x8F83u, 1,                                                           \
      "disablement of supply for insufficient credit suspended (friendly period)")                 \
    X(LOW_CREDIT, 0x810Du, 1, "combined credit below low credit threshold")                        \
    X(CREDIT_ADDED_LOCALLY, 0x810Eu, 0, "credit added locally")                                    \
    X(EMERGENCY_CREDIT_AVAILABLE, 0x8119u, 1, "emergency credit has become available")             \
    X(ALCS_STATE_CHANGED, 0x8131u, 0, "success in changing or maintaining ALCS state")             \
    X(CLOCK_ADJUSTED, 0x8145u, 0, "clock adjusted within tolerance")                               \
    X(USER_COMMAND_OK, 0x8161u, 0, "user interface command input and actioned")                    \
    X(USER_COMMAND_FAILED, 0x8162u, 0, "user interface command input but not actioned")            \
    X(DEBT_CLEARED_TIME_1, 0x81A7u, 0, "debt collection completed: time debt 1")                   \
    X(DEBT_CLEARED_TIME_2, 0x81A8u, 0, "debt collection completed: time debt 2")                   \
    X(DEBT_CLEARED_PAYMENT, 0x81A9u, 0, "debt collection completed: payment debt")                 \
    X(EMERGENCY_CREDIT_EXHAUSTED, 0x81AAu, 1, "emergency credit exhausted")                        \
    X(EMERGENCY_CREDIT_ACTIVATED, 0x81ABu, 1, "emergency credit activated")                        \
    X(SUPPLY_DISABLED, 0xF001u, 0, "supply disabled (simulator-private: remote or credit)")        \
    X(SUPPLY_ENABLED, 0xF002u, 0, "supply enabled (simulator-private)")                            \
    X(MODE_CHANGED, 0xF003u, 0, "payment mode changed (simulator-private)")                        \
    X(BOOST_STARTED, 0xF004u, 0, "ALCS boost started (simulator-private)")                         \
    X(COMMAND_REPLAYED, 0xF005u, 0, "replayed or out-of-order command (simulator-private)")        \
    X(COUNTERS_LOST, 0xF006u, 0, "command counters lost with the NVM record (simulator-private)")

typedef enum mm_alert {
#define MM_ALERT_ENUM(name, code, send, desc) MM_ALERT_##name = code,
    MM_ALERT_MAP(MM_ALERT_ENUM)
#undef MM_ALERT_ENUM
} mm_alert;

#endif

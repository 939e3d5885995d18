"""Code tables of the trace's small integer columns and event codes.

Where a trace names things itself it wins: region names come from the `columns` attribute of
/grid/region_demand_w, request classes from the `rows` attribute of
/network/headend/class_stats, populations, suppliers and images from /fleet/*.  Everything
else is here, once, and tests/python/test_tables.py checks each table against the C source it
mirrors (named beside it), so the two cannot drift apart.
"""

# sim/core/regions.c `regions`: the 14 DNO licence areas; /households region is 1-based.
DNO_REGIONS = (
    "North Scotland", "South Scotland", "North West", "North East", "Yorkshire",
    "Merseyside and North Wales", "East Midlands", "West Midlands", "South Wales",
    "South West", "Eastern", "London", "South East", "Southern",
)

# sim/core/regions.c `regions`: the DCC region of each DNO licence area, in DNO_REGIONS order
# (scenarios cannot change it).
DCC_REGION_OF_DNO = (
    "North", "North", "North", "North", "North",
    "Central", "Central", "Central", "Central", "South",
    "Central", "South", "South", "South",
)

# models/network/include/net/wantech.h NET_WT_TECH_MAP (trace names), and sim/collect.c's
# 254 (a meter without communications) and 255 (the uniform WAN, technology model off).
WAN_TECH = {0: "lrr", 1: "cellular", 2: "smets1", 3: "mesh", 254: "none", 255: "uniform"}

# models/grid/include/grid/topology.h grid_dwelling; 255 GRID_DWELLING_UNKNOWN (load.h).
DWELLING = {0: "house", 1: "flat", 255: "unknown"}

# models/grid/include/grid/load.h GRID_HEAT_*.
HEATING = {0: "unmodelled", 1: "gas", 2: "heat_pump", 3: "other"}

# sim/output/records.h sim_household_row.ev.
EV = {0: "none", 1: "on_arrival", 2: "smart"}

# sim/scenario/keys.c `tariffs` (sim_tariff order); 255 in /fleet/populations: the
# supplier's menu.
TARIFF = {0: "flat", 1: "e7", 2: "tou", 3: "agile", 4: "rtp", 5: "block", 6: "hybrid",
          255: "menu"}

# sim/scenario/keys.c `generations` (sim_generation order).
GENERATION = {0: "smets2", 1: "smets1", 2: "traditional"}

# sim/fleet.h sim_route.
ROUTE = {0: "none", 1: "dcc", 2: "smets1_operator", 3: "dcc_smets1"}

# sim/output/records.h sim_household_row.prepay.
PAYMENT = {0: "credit", 1: "prepayment"}

# sim/output/records.h sim_han_row band_gas / band_ihd.
HAN_BAND = {-1: "none", 0: "2.4 GHz", 1: "868 MHz"}

# sim/core/include/sim/events.h SIM_ALERT_AD1: the comms hub's AD1 power outage alert.
AD1 = 0xAD1

# models/meter/include/mm/alerts.h MM_ALERT_MAP: GBCS alert codes and the simulator-private
# 0xF0xx firmware events, by code.
ALERTS = {
    0x8F01: "ABOVE_LOAD_LIMIT", 0x8F0C: "CLOCK_ADJUST_REFUSED",
    0x8F0F: "CREDIT_BELOW_DISABLEMENT", 0x8F1C: "FIRMWARE_VERIFY_FAILED",
    0x8F1E: "COMMAND_INTEGRITY_FAILED", 0x8F1F: "GSME_LOW_BATTERY", 0x8F30: "NO_AUTHORITY",
    0x8F32: "SUPPLY_ARMED", 0x8F33: "LOAD_LIMIT_DISABLED", 0x8F34: "LOAD_LIMIT_RESTORED",
    0x8F35: "SUPPLY_RESTORED", 0x8F36: "SUPPLY_RESTORED_LONG", 0x8F3D: "AUTH_FAILURE",
    0x8F43: "FIRMWARE_VERSION_CHANGED", 0x8F51: "UTRN_DUPLICATE", 0x8F57: "SUPPLY_INTERRUPTED",
    0x8F5B: "UTRN_ABOVE_MAX_CREDIT", 0x8F60: "MALFORMED_COMMANDS", 0x8F63: "UTRN_NOT_AUTHENTIC",
    0x8F64: "UTRN_NOT_FOR_DEVICE", 0x8F72: "FIRMWARE_VERIFY_OK", 0x8F83: "DISABLEMENT_SUSPENDED",
    0x810D: "LOW_CREDIT", 0x810E: "CREDIT_ADDED_LOCALLY", 0x8119: "EMERGENCY_CREDIT_AVAILABLE",
    0x8131: "ALCS_STATE_CHANGED", 0x8145: "CLOCK_ADJUSTED", 0x8161: "USER_COMMAND_OK",
    0x8162: "USER_COMMAND_FAILED", 0x81A7: "DEBT_CLEARED_TIME_1", 0x81A8: "DEBT_CLEARED_TIME_2",
    0x81A9: "DEBT_CLEARED_PAYMENT", 0x81AA: "EMERGENCY_CREDIT_EXHAUSTED",
    0x81AB: "EMERGENCY_CREDIT_ACTIVATED", 0xF001: "SUPPLY_DISABLED", 0xF002: "SUPPLY_ENABLED",
    0xF003: "MODE_CHANGED", 0xF004: "BOOST_STARTED", 0xF005: "COMMAND_REPLAYED",
    0xF006: "COUNTERS_LOST",
    AD1: "AD1",
}

# sim/core/include/sim/events.h SIM_EVENT_MAP: the codes of /events, by code.
EVENTS = {
    0x8F35: "SUPPLY_RESTORED", 0x8F36: "SUPPLY_RESTORED_LONG", 0x8F57: "SUPPLY_INTERRUPTED",
    0x10001: "WAN_READ_SENT", 0x10002: "WAN_READ_DELIVERED", 0x10003: "WAN_ALERT_SENT",
    0x10004: "WAN_ALERT_DELIVERED", 0x10005: "WAN_READ_FAILED", 0x10006: "SUPPLY_LOST",
    0x10007: "HEADEND_REJECTED", 0x10008: "TOPUP", 0x10009: "WAN_LOST", 0x1000A: "WAN_RETRY",
    0x1000B: "CMD_SENT", 0x1000C: "CMD_RECEIVED", 0x1000D: "CMD_REJECTED",
    0x1000E: "CMD_RESPONSE_DELIVERED", 0x1000F: "MIGRATION_ATTEMPT", 0x10010: "MIGRATED",
    0x10011: "MIGRATION_FAILED", 0x10012: "MIGRATION_EXCLUDED", 0x10013: "METER_EXCHANGED",
    0x10014: "COMMISSIONED", 0x10015: "SUPPLIER_SWITCHED", 0x10016: "WENT_DUMB",
    0x10017: "METER_FAULT", 0x10018: "MIGRATION_REQUESTS", 0x10019: "FW_DISTRIBUTED",
    0x1001A: "FW_ACTIVATED", 0x1001B: "FW_FAILED", 0x1001C: "FW_GIVEN_UP",
    0x1001D: "CMD_QUARANTINED", 0x1001E: "SUPPLY_DISABLED", 0x1001F: "SUPPLY_ENABLED",
}
EVENT_CODE = {name: code for code, name in EVENTS.items()}

# The enumerated `value`s of some events (sim/core/include/sim/events.h, each event's value
# text): event name -> {value: meaning}.
EVENT_VALUES = {
    "SUPPLY_LOST": {0: "HV", 1: "LV substation", 2: "LV feeder", 3: "storm", 4: "meter visit"},
    "HEADEND_REJECTED": {1: "queue full", 2: "over a rate threshold", 3: "excluded"},
    "WAN_LOST": {1: "access link", 2: "mesh hop", 3: "no mesh route", 4: "site dark",
                 5: "hub without supply"},
    "MIGRATION_FAILED": {1: "no WAN before", 2: "no WAN during", 3: "missing keys"},
    "METER_FAULT": {1: "DCC", 2: "SMETS1 operator", 3: "DCC SMETS1 service"},
    "FW_FAILED": {1: "damaged (hash)", 2: "lost", 3: "activation refused"},
}

# Restore alerts (GBCS 0x8F35 / 0x8F36): what tells the DNO a premises has supply again.
RESTORE_ALERTS = (0x8F35, 0x8F36)


def event_value_text(name, value):
    """The meaning of VALUE of an event called NAME, as words ("" when it is a plain number)."""
    v = int(value)
    if name in ("WAN_ALERT_SENT", "WAN_ALERT_DELIVERED"):
        return ALERTS.get(v, f"0x{v:X}")
    table = EVENT_VALUES.get(name)
    if table is not None:
        return table.get(v, f"? ({v})")
    if name == "TOPUP" and v < 0:
        return "UTRN refused"
    return ""

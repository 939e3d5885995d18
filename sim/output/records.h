/* The C structs of the trace's compound records, filled by the engine and written as
 * /households and /network/han/premises (their members are declared in schema.c). */
#ifndef SIM_OUTPUT_RECORDS_H
#define SIM_OUTPUT_RECORDS_H

#include <stdint.h>

typedef struct sim_household_row {
    uint32_t id;
    uint32_t area;          /* SimGrid area (WAN cell) index */
    uint32_t lv_substation; /* national LV substation index */
    uint32_t primary;       /* national primary substation index */
    uint16_t region;        /* 1-based DNO region */
    uint8_t feeder;         /* LV feeder of its substation */
    uint8_t dwelling;       /* 0 house, 1 flat */
    uint8_t occupants;      /* 1..5; 0 when the load model does not say */
    uint8_t heating;        /* 0 unmodelled, 1 gas, 2 heat pump, 3 other */
    uint8_t ev;             /* 0 none, 1 charges on arrival, 2 smart-charges */
    float pv_kwp;           /* rooftop PV size, 0 without [kWp] */
    uint8_t wan_tech;       /* 0 long-range radio, 1 cellular, 2 SMETS1 2G/3G, 3 mesh; 255 uniform */
    uint8_t mesh_hops;      /* hops to a cellular hub with every premises powered */
} sim_household_row;

/* Per premises home-area network results (net/han.h). */
typedef struct sim_han_row {
    uint8_t works;        /* every present device reaches the hub */
    int8_t band_gas;      /* gas meter: 0 2.4 GHz, 1 868 MHz, -1 none or unreachable */
    int8_t band_ihd;      /* in-home display: likewise */
    uint8_t dual_band;    /* the hub is dual band */
    float p_deliver;      /* HAN messages acknowledged [1] */
    float latency_ms;     /* mean delivery latency [ms] */
    float retries;        /* retransmissions per message [1] */
    float p_access_fail;  /* channel access failures per message [1] */
    float gas_battery_years; /* projected gas meter battery life, NaN without gas meter [yr] */
} sim_han_row;

#endif

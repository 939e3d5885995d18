#include "sim/regions.h"

/* Which licence area falls in which DCC region is our reading, *unconfirmed* per area.  The
 * DCC's North (Arqiva long-range radio) is "Scotland and the north of England"; Central and
 * South are Telefonica cellular (DCC, 2019; Arqiva, 2015).  Here: Scotland, North West,
 * North East and Yorkshire North (about 9.1M customers with topology.c's shares, close to
 * Arqiva's "10 million homes"); Wales, the Midlands and Eastern Central; London and the south
 * of England South. */
static const struct {
    const char *name;
    sim_dcc_region dcc;
} regions[SIM_REGIONS] = {
    {"North Scotland", SIM_DCC_NORTH},
    {"South Scotland", SIM_DCC_NORTH},
    {"North West", SIM_DCC_NORTH},
    {"North East", SIM_DCC_NORTH},
    {"Yorkshire", SIM_DCC_NORTH},
    {"Merseyside and North Wales", SIM_DCC_CENTRAL},
    {"East Midlands", SIM_DCC_CENTRAL},
    {"West Midlands", SIM_DCC_CENTRAL},
    {"South Wales", SIM_DCC_CENTRAL},
    {"South West", SIM_DCC_SOUTH},
    {"Eastern", SIM_DCC_CENTRAL},
    {"London", SIM_DCC_SOUTH},
    {"South East", SIM_DCC_SOUTH},
    {"Southern", SIM_DCC_SOUTH},
};

const char *sim_region_name(unsigned r)
{
    return r < SIM_REGIONS ? regions[r].name : "?";
}

sim_dcc_region sim_region_dcc(unsigned r)
{
    return r < SIM_REGIONS ? regions[r].dcc : SIM_DCC_REGIONS;
}

const char *sim_dcc_region_name(unsigned d)
{
    static const char *const names[SIM_DCC_REGIONS] = {"North", "Central", "South"};
    return d < SIM_DCC_REGIONS ? names[d] : "?";
}

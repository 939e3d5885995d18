/* The 14 GB DNO licence areas (Ofgem) and the DCC communications region each is served from.
 * One table for every layer: the grid's topology and weather, the WAN technology of an area,
 * the scenario's region lists and the trace's names all use this order (0-based here; a
 * trace's /households region is 1-based). */
#ifndef SIM_REGIONS_H
#define SIM_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#define SIM_REGIONS 14

/* The DCC's three communications service provider regions. */
typedef enum sim_dcc_region { SIM_DCC_NORTH, SIM_DCC_CENTRAL, SIM_DCC_SOUTH, SIM_DCC_REGIONS } sim_dcc_region;

/* Name of licence area R ("?" outside 0..13). */
const char *sim_region_name(unsigned r);
/* The DCC region licence area R is served from (SIM_DCC_REGIONS outside 0..13). */
sim_dcc_region sim_region_dcc(unsigned r);
/* "North", "Central", "South" ("?" otherwise). */
const char *sim_dcc_region_name(unsigned d);

/* A list of licence areas as a mask (bit r: area r): "all", or items separated by commas,
 * each a number 1..14, an area's name ("London", "south wales": case and runs of spaces do not
 * matter) or a DCC region ("DCC North": its areas); a comma may end the list.  0, or -1 with why TEXT is refused. */
int sim_region_list(const char *text, uint32_t *mask, char *why, size_t whylen);

#endif

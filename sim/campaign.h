/* Over-the-air firmware campaigns (firmware_campaigns): a population's smart meters take a new
 * image the way GBCS updates firmware, distributed by a non-critical command and activated by
 * a critical, signed one once the meter has checked the image's hash.
 *
 * Each day from its start date a campaign takes the next meters of its population (a fixed
 * hash order; smart ones still on the old image, not busy with another campaign) at its
 * national daily rate scaled to the sample (the fraction carried, as lifecycle.c's rates).
 *
 * Distribution: the image file's bytes, cut into block_size pieces, each one
 * MM_CMD_FW_DISTRIBUTE frame (version, size, offset, bytes; MAC under the supplier's command
 * counter), in one transfer from the head-end to the meter's cell between 01:00 and 05:00 UTC:
 * one broadcast to the meters of the day that hear their area's broadcasts (long-range radio,
 * as price updates), one unicast per other meter.  Each meter's own leg comes from its WAN
 * technology (loss, delay).  The firmware hashes the blocks as they arrive and answers the
 * last one with the SHA-256 it computed; the meter's answer is the campaign's head-end
 * traffic (class firmware).  A damaged image (campaigns[].corrupt: one byte of one block
 * altered before it was framed, so the MAC passes and only the hash finds it) or a lost
 * transfer is sent again by unicast after retry_after, up to 5 attempts, then the meter is
 * given up.
 *
 * Activation, activate_after later: MM_CMD_FW_ACTIVATE (version, SHA-256 of the file), signed,
 * to the meter as any service request.  The firmware checks the pending image and saves its
 * record; the host then starts the new image from that record (mm_abi resume: registers,
 * credit, tariff, logs carry over) in the same slot, and the new image's 0x8F43 alert reports
 * it over the WAN.  A gas meter at the premises takes its own image over the HAN when the
 * campaign has one (gas_image_size), charged to its battery (net_han_gas_ota).
 * Not here: choosing which day (lifecycle.c calls sim_campaign_day), the frames' transport
 * (downlink.c), the firmware's side (models/meter esme.c).
 */
#ifndef SIM_CAMPAIGN_H
#define SIM_CAMPAIGN_H

#include "output/records.h"
#include "sim/ckpt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_area sim_area;
typedef struct sim_ctx sim_ctx;
typedef struct sim_fw sim_fw;
typedef struct sim_fleet sim_fleet;
typedef struct sim_campaigns sim_campaigns;

/* Load each campaign's image file (its bytes and SHA-256) and order its population's
 * households.  0, or -1 with a message naming the campaign in ERR.  *OUT is NULL without
 * campaigns. */
int sim_campaigns_open(sim_campaigns **out, const sim_ctx *cx, sim_fleet *fleet, const sim_fw *fw,
                       sim_area *areas, uint32_t n_areas, char *err, size_t errlen);
void sim_campaigns_close(sim_campaigns *c);
/* Save or load (sim/ckpt.h) the campaigns' progress; C may be NULL (no campaigns).  0, or -1. */
int sim_campaigns_ckpt(sim_campaigns *s, sim_ckpt *c);

/* T [s since start] begins a UTC day (or is the run start): today's meters of each campaign
 * have their distributions planned (coordinator, areas waiting). */
void sim_campaign_day(sim_campaigns *c, uint32_t t);

/* Household I's MSG_FW event U at T (area actor). */
void sim_campaign_message(sim_area *a, uint32_t i, uint32_t t, uint32_t u);
/* A campaign transfer (downlink payload RAW, DL_CAMPAIGN set) finished at the area's cell. */
void sim_campaign_area_recv(sim_area *a, uint32_t raw);
/* Household I's meter answered an activation command at T with firmware status RC. */
void sim_campaign_activated(sim_area *a, uint32_t i, uint32_t t, int rc);

/* /fleet/campaigns: one row per campaign. */
uint32_t sim_campaigns_count(const sim_campaigns *c);
void sim_campaign_get_row(const sim_campaigns *c, uint32_t k, sim_campaign_row *out);

#endif

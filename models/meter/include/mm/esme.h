/* ESME: the electricity meter's firmware as one unit -- metering, clock, tariff, prepayment,
 * contactor, UTRN top-ups, commands, event log and persistence -- in one caller-allocated
 * struct driven by a handful of calls.
 *
 * This is what the simulator runs per household (through the ABI table, abi.h) and what a
 * firmware team would recognise as the application layer of a GB SMETS2 ESME.  Each module
 * keeps its own state and its const configuration apart; mm_esme_config gathers the
 * configurations, mm_esme_hal the HAL handles, mm_esme_storage what is each meter's own: the
 * big arrays that live in external flash on a real meter (profile log, event log, billing
 * snapshots, dynamic prices) and its device id, so one config may serve many meters.
 *
 * Time: the meter's time is its RTC, read through the clock module.  Before each call the
 * caller moves the HAL clock to the time of the call (the simulator port: set_ms to the end
 * of the interval).  mm_esme_advance integrates power for DT_MS and splits the interval at
 * the meter-time deadlines of its modules (tariff switch points and billing, load-limit trip
 * and restoration, ALCS switching, debt periods, and in prepayment mode each minute, the
 * period of the credit check), so a register, a cost or a disconnection happens at the same
 * meter time whatever the call pattern.  A run of prepayment minutes in which no minute can
 * change anything but the balance (no alert, emergency credit or supply change: the
 * balance stays clear of every threshold even at the dearest price) is integrated as one
 * segment and debited once at its last minute, which gives the same state as debiting each
 * minute.  Half-hour periods are closed by the caller at the
 * meter's boundaries (mm_esme_next_boundary; the simulator converts with
 * mm_port_sim_clock_sim_ms_at), as the engine does today with mm_meter_hh_close.
 *
 * Energy and money: while the contactor is open no power flows (P and Q count as 0).  Import
 * energy is priced by the tariff (cost in 10^-MM_COST_DECIMALS p); in prepayment mode the
 * cost is debited from credit in credit units (money.h), the fraction carried.
 *
 * Power loss: mm_esme_power_fail makes the last save (which the simulator may cut); the RAM
 * state is then gone.  mm_esme_power_restore recovers the newest complete record (registers,
 * credit, debts, counters, supply state, tariff registers), logs 0x8F57 at the time of that
 * record and 0x8F35 (or 0x8F36 for an outage of 3 min or more) with the outage length, and
 * holds all WAN alerts back for a dither delay drawn uniformly from the multiples of
 * MM_DITHER_STEP_S (mm_config.h, default 1 s) in [0, dither_window_s] (seed 003:
 * 2 min in the first years, 5 min later).  Records are also saved at
 * every half-hour close, so at most one period of energy is lost if the power-fail save is
 * cut, and around every durable command (below).  The event ring is external flash (kept); its
 * indices are in the record.  So is the price table: a restore finds it as it was (prices due
 * during the outage take over then), commissioning afresh fills it from the tariff.
 *
 * Commands, durable before effect: a command frame's originator counter must exceed the last
 * one accepted from its role (command.h), and the counters are kept in the record.  An accepted
 * command that is critical or moves the contactor (mm_cmd_is_durable: supply disable, enable
 * and arm, mode change, firmware activation) is executed only once a record holding its counter
 * is committed: if that save fails the command is refused with MM_EIO and nothing is done (the
 * counter stays consumed in RAM).  After it took effect a second record commits the effect
 * (contactor, payment mode); a cut there loses at most the effect, never the counter: the
 * head-end, which saw no answer, sends a new command under a new counter.  MM_CMD_FW_ACTIVATE's
 * second record is its hand-over record (below).  So however a power cut interrupts the saves
 * (these, the half-hour's, the power-fail save), a frame that took effect is refused
 * (MM_EREPLAY) if it comes again.  Other commands are committed with the next record.
 *
 * Commands after losing the record: a power restore that finds no usable record (none, damaged,
 * of another layout: the meter is commissioned afresh), or commissioning over a record, loses
 * the counters with it.  Where cmd.counter_time_shift is set (the head-end anchors counters to
 * time, command.h: metersim's convention, not GBCS's) every role then takes only counters from
 * RTC << shift on, so no frame made before the meter came back is taken again; without it the
 * counters restart from 0 and old frames are taken once more.  Either way 0xF006 is logged
 * (simulator-private) with the load's status.  A new meter's first commissioning (NVM erased)
 * starts from 0.
 *
 * Dynamic prices: MM_CMD_SET_PRICES updates the TOU prices of the tariff in force through
 * storage.prices (mm_tariff_update_prices); without a table the meter answers MM_ENOTSUP.  A
 * tariff that takes over (MM_CMD_SET_TARIFF) resets the table to its own prices.  GBCS has no
 * alert code for a price change in alerts.h, so none is logged (as for a tariff change).
 *
 * Firmware update, as GBCS does it (distribution non-critical, activation critical with the
 * image's hash checked first): MM_CMD_FW_DISTRIBUTE brings the image in blocks (command.h),
 * taken strictly in order and hashed as they arrive into storage.fw (mm_fw_transfer), so no
 * image is held in RAM; without that area the meter takes no distribution (MM_ENOTSUP).  The
 * area is external memory, like the event ring: a power cut keeps a transfer's progress and a
 * complete image (the head-end resumes at the received count the replies give);
 * commissioning, a successful activation and mm_esme_resume clear it.  MM_CMD_FW_ACTIVATE,
 * its counter committed first, checks version and hash against the complete image (0x8F1C and
 * MM_EAUTH, or MM_ESTATE with none complete; 0x8F72 if they match), saves a record naming the
 * new version and stops (MM_EIO and the old image runs on if that save fails): the host hands
 * the meter over to the new image, which starts with mm_esme_resume (see there and abi.h), and
 * the new image logs 0x8F43, the meter's report of its update.
 *
 * Profiles (mm_config.h): SMETS2 (mm_core) needs ECDSA signatures on critical commands and
 * sends 0x8F35/0x8F36 at once; SMETS1 (mm_core_smets1) accepts MAC-only commands and only logs
 * the restore alerts.  Deliberately not here: the waveform path (the caller may feed
 * mm_meter_add_energy itself), gas, HAN.
 */
#ifndef MM_ESME_H
#define MM_ESME_H

#include <stddef.h>
#include <stdint.h>

#include "mm/clock.h"
#include "mm/command.h"
#include "mm/contactor.h"
#include "mm/event_log.h"
#include "mm/meter.h"
#include "mm/persist.h"
#include "mm/prepay.h"
#include "mm/tariff.h"
#include "mm/utrn.h"
#include "mm_hal_crypto.h"
#include "mm_hal_nvm.h"
#include "mm_hal_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layout of the NVM record (ESME_RECORD in esme.c).  Every image so far writes and reads 1;
 * both profiles share it, so a SMETS1 build can resume a SMETS2 build's record and the other
 * way round.  An image must read the versions of the images it may replace: a change of
 * layout bumps this and keeps reading the previous one (mm_persist checks a single version
 * today, so that change widens it to a range). */
#define MM_ESME_RECORD_VERSION 1u
#define MM_OUTAGE_LONG_S 180u /* outages of 3 min or more restore with 0x8F36 (packet-gbcs.c) */
#define MM_PREPAY_TICK_S 60u  /* credit checked each minute in prepayment mode */

typedef struct mm_esme_config {
    mm_meter_config meter;
    mm_prepay_config prepay;
    mm_contactor_config contactor;
    mm_utrn_config utrn;                 /* utrn.device_id: the meter's id unless storage has one */
    mm_cmd_config cmd;                   /* cmd.device_id must equal utrn.device_id */
    const mm_tariff_def *tariff;         /* in force at commissioning */
    const mm_tariff_def *const *tariffs; /* offered to MM_CMD_SET_TARIFF, by def->id; or NULL */
    uint8_t n_tariffs;
    uint8_t initial_mode;       /* mm_payment_mode at commissioning */
    mm_credit_t initial_credit; /* balance at commissioning */
    uint32_t dither_window_s;   /* 0, 120 or 300 [s] (seed 003) */
    uint32_t nvm_addr;          /* first persistence bank [NVM address] */
    uint32_t fw_version;        /* running firmware at commissioning */
} mm_esme_config;

typedef struct mm_esme_hal {
    mm_hal_clock *clock;
    mm_hal_nvm *nvm;
    mm_hal_rng *rng;
    mm_hal_crypto *crypto;
} mm_esme_hal;

/* A firmware image being received (MM_CMD_FW_DISTRIBUTE).  External memory, where a real meter
 * would also write the image's blocks; the ESME's alone once handed over in mm_esme_storage
 * (contents need not be initialised: commissioning clears it, power_restore keeps it if
 * consistent).  Not in RAM: the running hash alone would overrun MM_ESME_RAM_BUDGET. */
typedef struct mm_fw_transfer {
    uint32_t version;            /* of the image */
    uint32_t size;               /* its length [bytes]; 0: no transfer */
    uint32_t received;           /* bytes taken in order and hashed; == size: complete */
    uint8_t hash[MM_SHA256_LEN]; /* SHA-256 of the whole image, once complete */
    mm_sha256_ctx ctx;           /* running hash while incomplete (the crypto HAL's bytes) */
} mm_fw_transfer;

/* What is the meter's own rather than its population's: external flash on a real meter (the
 * simulator's arrays) and the identity written at manufacture. */
typedef struct mm_esme_storage {
    mm_profile_slot *profile; /* profile_depth slots (NULL with 0) */
    uint32_t profile_depth;
    mm_event *events; /* event_depth entries */
    uint16_t event_depth;
    uint16_t snap_depth; /* billing snapshots (NULL with 0) */
    mm_tariff_snapshot *snaps;
    mm_price_table *prices; /* dynamic TOU prices; NULL: the meter takes no price updates */
    /* The meter's device id (EUI-64), burnt in at manufacture: the target that UTRNs and
     * command MACs must name.  All zero: the meter has none of its own and takes the
     * configuration's (cfg->utrn.device_id = cfg->cmd.device_id), as before ABI 5, so one
     * config can serve many meters each with its own id.  Last, so positional initialisers
     * written before it leave it zero; a byte array, so it adds no padding. */
    uint8_t device_id[8];
    /* ABI 8: the firmware transfer area (mm_fw_transfer); NULL: the meter takes no firmware
     * distribution (MM_ENOTSUP). */
    mm_fw_transfer *fw;
} mm_esme_storage;

typedef struct mm_esme {
    const mm_esme_config *cfg;
    mm_esme_hal hal;
    mm_esme_storage st;
    mm_meter meter;
    mm_clock clock;
    mm_tariff tariff;
    mm_prepay prepay;
    mm_contactor contactor;
    mm_utrn utrn;
    mm_cmd_auth cmd;
    mm_event_log log;
    mm_persist persist;
    mm_cost_t cost_carry;        /* priced but not yet debited (below one credit unit) */
    uint32_t now;                /* meter time reached [s] */
    uint32_t wan_ready_at;       /* no alert leaves before this meter time [s] */
    uint32_t fw_version;         /* running image */
    int32_t p_mw;       /* power offered in the last advance [mW] */
    uint16_t now_ms;    /* ms past NOW integrated by the power path */
    uint8_t powered;    /* 0 between power_fail and power_restore, and after an activation */
    uint8_t rsv;
} mm_esme;

/* What the simulator records of a meter (the ABI's snapshot). */
typedef struct mm_esme_snapshot {
    uint32_t now;              /* meter time [s] */
    uint32_t period;           /* open half-hour */
    uint64_t reg[MM_CH_COUNT]; /* cumulative registers [Wh]/[varh] */
    int32_t demand_mw;         /* instantaneous demand [mW] */
    uint8_t supply;            /* mm_supply_state */
    uint8_t mode;              /* mm_payment_mode */
    uint8_t ec;                /* mm_ec_state */
    uint8_t alcs_on;           /* bit per switch */
    mm_credit_t balance;       /* [credit units] */
    mm_credit_t available;     /* [credit units] */
    mm_credit_t debt[MM_DEBT_COUNT];
    mm_cost_t cost_total;   /* tariff cost since commissioning [10^-MM_COST_DECIMALS p] */
    uint32_t events_total;  /* events ever logged */
    uint16_t alerts_unsent; /* queued WAN alerts */
    uint8_t powered;
    uint8_t rsv;
    uint32_t fw_version;
    uint32_t wan_ready_at; /* [s] */
} mm_esme_snapshot;

/* Commission a meter at the RTC's time: registers zero, CFG's tariff, mode and credit; the
 * first record saved to NVM (an NVM failure is returned but the meter runs).  NVM holding a
 * record already (not erased): commissioned again, its command counters lost (0xF006, floored
 * at the RTC's time where time-anchored, above).  MM_EINVAL for
 * NULL or inconsistent arguments (any module's init error; a meter taking its identity from
 * CFG whose utrn.device_id and cmd.device_id differ), MM_EIO if the RTC has no time. */
int mm_esme_init(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                 const mm_esme_storage *st);
void mm_esme_deinit(mm_esme *e); /* accepts NULL */

/* Active power P [mW] (+ import) and reactive Q [mvar] held for DT_MS, ending at the HAL
 * clock's current time. */
void mm_esme_advance(mm_esme *e, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms);
/* Meter time of the next half-hour boundary (after mm_esme_advance reached the RTC's time). */
uint32_t mm_esme_next_boundary(const mm_esme *e);
/* Close the open half-hour (profile slot) and save a record. */
void mm_esme_hh_close(mm_esme *e);

/* A command frame from the WAN.  Reply bytes (reads, and a firmware block's progress, also
 * with MM_EOFFSET) into RESP (CAP bytes, may be NULL with 0), their count in *RESP_LEN (may be
 * NULL).  Status of the command (mm_strerror); MM_EIO: a durable command (mm_cmd_is_durable)
 * whose counter could not be committed, not executed.  A failed save after a durable command
 * took effect is not reported: the effect is in RAM and goes with the next record.  After
 * MM_CMD_FW_ACTIVATE returned MM_OK the meter has handed over: every later call refuses as
 * without power until a new state is resumed (mm_esme_resume). */
int mm_esme_command(mm_esme *e, const uint8_t *frame, size_t len, uint8_t *resp, size_t cap,
                    size_t *resp_len);
/* The customer's keypad and buttons. */
int mm_esme_utrn_enter(mm_esme *e, const char *digits, size_t n);
int mm_esme_button(mm_esme *e);
/* Change of supplier: the gaining supplier's configuration CFG (its UTRN originator and
 * counters afresh, its command, prepayment and contactor settings, its tariff in force from
 * now) replaces the losing one's; registers, credit, debts, logs and billing history stay.
 * CFG must outlive the meter, like the one it was commissioned with.  MM_EINVAL, MM_ESTATE
 * without power. */
int mm_esme_change_supplier(mm_esme *e, const mm_esme_config *cfg);
int mm_esme_ec_activate(mm_esme *e);

/* Supply fails: final save (MM_EIO if the NVM lost power first); until power_restore the
 * meter does nothing. */
int mm_esme_power_fail(mm_esme *e);
/* Supply back: RAM state rebuilt from NVM (MM_ENOENT: no record, MM_ECORRUPT: a damaged one,
 * MM_EVERSION: one of another layout; with any of them commissioned afresh, the command
 * counters floored at the RTC's time where time-anchored, above). */
int mm_esme_power_restore(mm_esme *e);

/* The hand-over after MM_CMD_FW_ACTIVATE, a reboot into the activated image: start E from the
 * newest record in NVM, written by this image or an earlier one (MM_ESME_RECORD_VERSION).
 * CFG, HAL and ST are those the meter ran with: its storage (profile log, event ring, billing
 * snapshots, price table, identity) and its NVM carry over unchanged, and the HAL clock is at
 * the time of the reboot.  The record gives back all it holds: registers and their remainders,
 * the open period and maximum demand, credit, debts and their schedules, payment mode and
 * emergency credit, the tariff in force, a pending one and the tariff registers, UTRN and
 * command counters, contactor and load limit, event log indices, the firmware version.  Not
 * an outage: no 0x8F57/0x8F35, no outage flag on the period, no dither; a period that ended
 * meanwhile closes as it is, the standing charge runs to now.  Logs 0x8F43 with the running
 * version (a WAN alert, free to go at once), clears ST->fw and saves a record.
 * MM_EINVAL (arguments, as mm_esme_init), MM_EIO (RTC without time, NVM), MM_ENOENT no record,
 * MM_ECORRUPT a damaged one, MM_EVERSION a record of a layout this image cannot read: then
 * nothing is written, E is left as after deinit and the meter does not run in this image (a
 * host may resume the image that activated instead: its record is its own). */
int mm_esme_resume(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                   const mm_esme_storage *st);

/* Checkpoint of the RAM state, for a host that stops a simulation and resumes it in another
 * process (abi.h, ABI 9, states the contract).  mm_esme_save_ram writes sizeof(mm_esme) bytes
 * to OUT (CAP bytes, not overlapping E): E's bytes with each pointer replaced by a token naming
 * its target; E is not changed.  MM_EINVAL (NULL, CAP too small), MM_ESTATE (E not started:
 * never initialised, deinit, a failed resume), MM_ECORRUPT (a pointer that is not where this
 * core sets it).  mm_esme_load_ram restores such an image into E (IN may be E itself, but
 * must not otherwise overlap it), binding the tokens to CFG, HAL and ST.  MM_EINVAL (NULL, LEN not sizeof(mm_esme)), MM_ECORRUPT (a token or storage that
 * does not fit them); on any error E is left as after deinit. */
int mm_esme_save_ram(const mm_esme *e, void *out, size_t cap);
int mm_esme_load_ram(mm_esme *e, const void *in, size_t len, const mm_esme_config *cfg,
                     const mm_esme_hal *hal, const mm_esme_storage *st);

/* Next queued WAN alert, once the dither delay has passed; MM_ENOENT when none may go. */
int mm_esme_next_alert(mm_esme *e, mm_event *out);
void mm_esme_snapshot_get(const mm_esme *e, mm_esme_snapshot *out);
/* The identity the meter answers to: st.device_id, or the config's when that is all zero. */
const uint8_t *mm_esme_device_id(const mm_esme *e);

/* Largest record the ESME saves [bytes] and the NVM it needs from cfg->nvm_addr. */
#define MM_ESME_RECORD_MAX 640u
uint32_t mm_esme_nvm_footprint(void);

#ifdef __cplusplus
}
#endif

#endif

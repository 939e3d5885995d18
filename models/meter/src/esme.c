/* The ESME composite: modules wired together, time splitting, commands, persistence
 * (see mm/esme.h). */
#include <string.h>

#include "mm/alerts.h"
#include "mm/arith.h"
#include "mm/bytes.h"
#include "mm/energy.h"
#include "mm/esme.h"
#include "mm/rand.h"
#include "mm/status_supply.h"

/* Cost units (10^-MM_COST_DECIMALS p = 10^-(MM_COST_DECIMALS + 2) of the major unit) per
 * credit unit (10^MM_CREDIT_SCALE of the major unit). */
#define COST_PER_CREDIT_EXP (MM_CREDIT_SCALE + MM_COST_DECIMALS + 2)
_Static_assert(COST_PER_CREDIT_EXP >= 0 && COST_PER_CREDIT_EXP <= 18,
               "the cost unit must not be coarser than the credit unit");
/* The budget is for the 32-bit target (checked when check_symbols.sh cross-compiles this
 * file); a 64-bit host's wider pointers (about 30 of them) get an eighth more. */
_Static_assert(sizeof(void *) != 4 || sizeof(mm_esme) <= MM_ESME_RAM_BUDGET,
               "mm_esme exceeds MM_ESME_RAM_BUDGET");
_Static_assert(sizeof(mm_esme) <= MM_ESME_RAM_BUDGET + MM_ESME_RAM_BUDGET / 8u,
               "mm_esme exceeds MM_ESME_RAM_BUDGET (host allowance)");

#define REASON_PERIODIC 0u
#define REASON_POWER_FAIL 1u
#define REASON_FW_ACTIVATE 2u /* the last record of an image handing over to a new one */
#define REASON_COMMAND 3u     /* around a durable command (mm_cmd_is_durable) */

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    while (n--)
        diff |= (uint8_t)(*a++ ^ *b++);
    return diff == 0;
}

static bool all_zero(const uint8_t *a, size_t n)
{
    uint8_t any = 0;
    while (n--)
        any |= *a++;
    return any == 0;
}

/* The meter's own id when it has one, else its configuration's (checked equal for UTRNs and
 * commands by mm_esme_init).  Everything in the ESME that names the meter goes through here. */
const uint8_t *mm_esme_device_id(const mm_esme *e)
{
    return all_zero(e->st.device_id, sizeof e->st.device_id) ? e->cfg->utrn.device_id
                                                             : e->st.device_id;
}

/* ---- record packing: explicit little-endian, independent of struct layout ---- */

typedef struct cursor {
    uint8_t *p;
    size_t n, cap;
    int bad;
} cursor;

/* V's low BYTES bytes at Q, little-endian; the end of the field.  pack() checks the room for
 * the whole record once. */
static uint8_t *put(uint8_t *q, uint64_t v, unsigned bytes)
{
    /* most of a record is 4- and 8-byte fields (the tariff registers): their stores spelled
     * out, as the record is packed every half-hour */
    switch (bytes) {
    case 8:
        mm_put_le64(q, v);
        break;
    case 4:
        mm_put_le32(q, (uint32_t)v);
        break;
    default:
        mm_put_le(q, v, bytes);
    }
    return q + bytes;
}

static uint64_t get(cursor *c, unsigned bytes)
{
    if (c->n + bytes > c->cap) {
        c->bad = 1;
        return 0;
    }
    uint64_t v = mm_get_le(c->p + c->n, bytes);
    c->n += bytes;
    return v;
}

static uint32_t tariff_id_of(const mm_tariff_def *d)
{
    return d != NULL ? d->id : UINT32_MAX;
}

static const mm_tariff_def *tariff_by_id(const mm_esme_config *cfg, uint32_t id)
{
    if (cfg->tariff != NULL && cfg->tariff->id == id) return cfg->tariff;
    for (unsigned i = 0; cfg->tariffs != NULL && i < cfg->n_tariffs; i++)
        if (cfg->tariffs[i] != NULL && cfg->tariffs[i]->id == id) return cfg->tariffs[i];
    return NULL;
}

/* The NVM record, field by field in its order: FIELD(lvalue, bytes) a little-endian field,
 * EACH(i, n, fields) the fields repeated for i = 0 .. n-1, APPLY(statement) a step of unpack()
 * that must come at that point of the record.  pack() writes and unpack() reads this one
 * list, so a field cannot be saved and then forgotten on restore, or the other way round.
 * A change to it changes the layout: bump MM_ESME_RECORD_VERSION.  The list names e (the
 * ESME), pp (its prepay), t (its tariff), and locals for what is not stored as it is in RAM:
 * saved_at and reason (the record's own), def_id, pending_id and pending_at (definitions are
 * stored by id and looked up on restore, and the registers after them belong to them). */
#define ESME_RECORD(FIELD, EACH, APPLY)                                                            \
    FIELD(saved_at, 4)                                                                             \
    FIELD(reason, 1)                                                                               \
    FIELD(e->fw_version, 4)                                                                        \
    FIELD(e->cost_carry, 8)                                                                        \
    /* meter */                                                                                    \
    EACH(ch, MM_CH_COUNT,                                                                          \
         FIELD(e->meter.reg[ch].value, 8) FIELD(e->meter.reg[ch].remainder, 4)                     \
             FIELD(e->meter.period_start[ch], 8))                                                  \
    FIELD(e->meter.period, 4)                                                                      \
    FIELD(e->meter.head, 4)                                                                        \
    FIELD(e->meter.count, 4)                                                                       \
    FIELD(e->meter.md.mw, 4)                                                                       \
    FIELD(e->meter.md.period, 4)                                                                   \
    /* prepay */                                                                                   \
    FIELD(pp->mode, 1)                                                                             \
    FIELD(pp->ec, 1)                                                                               \
    FIELD(pp->flags, 1)                                                                            \
    FIELD(pp->balance, 8)                                                                          \
    EACH(i, MM_DEBT_COUNT, FIELD(pp->debt[i], 8))                                                  \
    FIELD(pp->pay_collected, 8)                                                                    \
    FIELD(pp->pay_period, 4)                                                                       \
    FIELD(pp->debt_period[0], 4)                                                                   \
    FIELD(pp->debt_period[1], 4)                                                                   \
    FIELD(pp->now, 4)                                                                              \
    /* UTRN and command counters */                                                                \
    FIELD(e->utrn.last_hi, 4)                                                                      \
    FIELD(e->utrn.used, 4)                                                                         \
    FIELD(e->utrn.any, 1)                                                                          \
    EACH(r, MM_CMD_ROLES, FIELD(e->cmd.counter[r], 8))                                             \
    /* contactor */                                                                                \
    FIELD(e->contactor.state, 1)                                                                   \
    FIELD(e->contactor.off, 1)                                                                     \
    FIELD(e->contactor.ll.threshold_w, 4)                                                          \
    FIELD(e->contactor.ll.period_s, 4)                                                             \
    FIELD(e->contactor.ll.restore_s, 4)                                                            \
    FIELD(e->contactor.restore_at, 4)                                                              \
    /* event ring indices (the ring itself is external flash) */                                   \
    FIELD(e->log.head, 2)                                                                          \
    FIELD(e->log.count, 2)                                                                         \
    FIELD(e->log.unsent, 2)                                                                        \
    FIELD(e->log.total, 4)                                                                         \
    /* tariff registers -- integration point with mm/tariff.h: the fields of mm_tariff that        \
     * must survive a power cut; the rest is rebuilt from the definition and the time. */          \
    FIELD(def_id, 4)                                                                               \
    FIELD(pending_id, 4)                                                                           \
    FIELD(pending_at, 4)                                                                           \
    APPLY(restore_definitions(e, def_id, pending_id, pending_at))                                  \
    FIELD(t->import_wh, 8)                                                                         \
    FIELD(t->bill_energy, 8)                                                                       \
    FIELD(t->bill_standing, 8)                                                                     \
    FIELD(t->total, 8)                                                                             \
    FIELD(t->rem_uj, 4)                                                                            \
    FIELD(t->block_period_wh, 4)                                                                   \
    EACH(i, MM_TARIFF_TOU_RATES, FIELD(t->tou_wh[i], 4))                                           \
    EACH(i, MM_TARIFF_PRICE_SETS, EACH(k, MM_TARIFF_THRESHOLDS + 1, FIELD(t->block_wh[i][k], 4)))

#define RECORD_EACH(i, n, fields)                                                                  \
    for (unsigned i = 0; i < (n); i++) {                                                           \
        fields                                                                                     \
    }
/* A field's bytes must fit its type, or a restore would not give back what was saved. */
#define RECORD_FITS(x, bytes)                                                                      \
    _Static_assert((bytes) <= sizeof(x), "record field wider than its type");
#define RECORD_PUT(x, bytes)                                                                       \
    RECORD_FITS(x, bytes)                                                                          \
    q = put(q, (uint64_t)(x), bytes);
/* clang-format off */
#define RECORD_GET(x, bytes)                                                                       \
    RECORD_FITS(x, bytes)                                                                          \
    _Generic(&(x),                                                                                 \
        uint8_t *: set_u8,                                                                         \
        uint16_t *: set_u16,                                                                       \
        uint32_t *: set_u32,                                                                       \
        uint64_t *: set_u64,                                                                       \
        int64_t *: set_i64)(&(x), get(&c, bytes));
/* clang-format on */
#define RECORD_SKIP(statement)
#define RECORD_APPLY(statement) statement;
#define RECORD_SIZE_FIELD(x, bytes) +(bytes)
#define RECORD_SIZE_EACH(i, n, fields) +(n) * (0 fields)
#define RECORD_BYTES (0 ESME_RECORD(RECORD_SIZE_FIELD, RECORD_SIZE_EACH, RECORD_SKIP))
_Static_assert(RECORD_BYTES <= MM_ESME_RECORD_MAX, "the NVM record outgrew MM_ESME_RECORD_MAX");

/* One setter per field type, so that unpack() narrows what get() read to the field's own type
 * without a cast written per field (a field of any other type stops the build). */
static void set_u8(uint8_t *p, uint64_t v)
{
    *p = (uint8_t)v;
}

static void set_u16(uint16_t *p, uint64_t v)
{
    *p = (uint16_t)v;
}

static void set_u32(uint32_t *p, uint64_t v)
{
    *p = (uint32_t)v;
}

static void set_u64(uint64_t *p, uint64_t v)
{
    *p = v;
}

static void set_i64(int64_t *p, uint64_t v)
{
    *p = (int64_t)v;
}

static size_t pack(const mm_esme *e, uint8_t reason, uint8_t *buf, size_t cap)
{
    if (cap < RECORD_BYTES) return 0;
    uint8_t *q = buf;
    const mm_prepay *pp = &e->prepay;
    const mm_tariff *t = &e->tariff;
    uint32_t saved_at = e->now;
    uint32_t def_id = tariff_id_of(t->def), pending_id = tariff_id_of(t->pending);
    uint32_t pending_at = t->pending_at;
    ESME_RECORD(RECORD_PUT, RECORD_EACH, RECORD_SKIP)
    return (size_t)(q - buf);
}

/* The tariff definitions of a record, before its registers (which belong to them). */
static void restore_definitions(mm_esme *e, uint32_t def_id, uint32_t pending_id,
                                uint32_t pending_at)
{
    mm_tariff *t = &e->tariff;
    const mm_tariff_def *def = tariff_by_id(e->cfg, def_id);
    if (def != NULL && def != t->def) mm_tariff_set_pending(t, def, 0); /* takes over at once */
    /* the price table (external flash) belongs to that definition: attached after it, so that
     * only a pending definition that fell due in the outage resets it; a table the definition
     * cannot take restarts from its prices */
    if (e->st.prices != NULL) (void)mm_tariff_resume_prices(t, e->st.prices);
    const mm_tariff_def *pend = tariff_by_id(e->cfg, pending_id);
    if (pend != NULL) mm_tariff_set_pending(t, pend, pending_at);
}

/* Apply a record onto freshly initialised modules; *SAVED_AT_OUT gets its time. */
static int unpack(mm_esme *e, uint8_t *buf, size_t len, uint32_t *saved_at_out, uint8_t *reason_out)
{
    cursor c = {buf, 0, len, 0};
    mm_prepay *pp = &e->prepay;
    mm_tariff *t = &e->tariff;
    uint32_t saved_at = 0, def_id = 0, pending_id = 0, pending_at = 0;
    uint8_t reason = 0;
    ESME_RECORD(RECORD_GET, RECORD_EACH, RECORD_APPLY)
    *saved_at_out = saved_at;
    *reason_out = reason;
    if (c.bad || e->log.head >= (e->log.depth ? e->log.depth : 1u) || e->log.count > e->log.depth ||
        (e->meter.depth && e->meter.head >= e->meter.depth) || e->meter.count > e->meter.depth)
        return MM_ECORRUPT;
    return MM_OK;
}

static int save(mm_esme *e, uint8_t reason)
{
    uint8_t buf[MM_ESME_RECORD_MAX];
    size_t n = pack(e, reason, buf, sizeof buf);
    if (n == 0) return MM_EINVAL;
    return mm_persist_save(&e->persist, buf, n);
}

uint32_t mm_esme_nvm_footprint(void)
{
    return mm_persist_footprint(MM_ESME_RECORD_MAX);
}

/* ---- modules ---- */

static int setup(mm_esme *e, uint32_t now)
{
    const mm_esme_config *cfg = e->cfg;
    int rc;
    if ((rc = mm_event_log_init(&e->log, e->st.events, e->st.event_depth)) != MM_OK ||
        (rc = mm_clock_init(&e->clock, e->hal.clock)) != MM_OK ||
        (rc = mm_meter_init(&e->meter, &cfg->meter, e->st.profile, e->st.profile_depth,
                            mm_clock_period_of(now))) != MM_OK ||
        (rc = mm_tariff_init(&e->tariff, cfg->tariff, now, e->st.snaps, e->st.snap_depth)) !=
            MM_OK ||
        (rc = mm_prepay_init(&e->prepay, &cfg->prepay, &e->log, (mm_payment_mode)cfg->initial_mode,
                             cfg->initial_credit, now)) != MM_OK ||
        (rc = mm_contactor_init(&e->contactor, &cfg->contactor, &e->log, e->hal.rng, now)) !=
            MM_OK ||
        (rc = mm_utrn_init(&e->utrn, &cfg->utrn, &e->log, e->hal.crypto)) != MM_OK ||
        (rc = mm_cmd_auth_init(&e->cmd, &cfg->cmd, &e->log, e->hal.crypto)) != MM_OK ||
        (rc = mm_persist_init(&e->persist, e->hal.nvm, cfg->nvm_addr, MM_ESME_RECORD_MAX,
                              MM_ESME_RECORD_VERSION)) != MM_OK)
        return rc;
    e->now = now;
    e->now_ms = 0;
    e->wan_ready_at = now;
    e->fw_version = cfg->fw_version;
    e->powered = 1;
    return MM_OK;
}

/* Commissioning: the price table starts from the tariff's prices. */
static void attach_prices(mm_esme *e)
{
    if (e->st.prices != NULL) (void)mm_tariff_attach_prices(&e->tariff, e->st.prices);
}

static void reset_ram(mm_esme *e)
{
    const mm_esme_config *cfg = e->cfg;
    mm_esme_hal hal = e->hal;
    mm_esme_storage st = e->st;
    memset(e, 0, sizeof *e);
    e->cfg = cfg;
    e->hal = hal;
    e->st = st;
}

/* What init and resume share: E cleared and given its configuration, HAL and storage, then
 * modules set up at the RTC's time (*NOW). */
static int start(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                 const mm_esme_storage *st, uint32_t *now)
{
    if (e == NULL) return MM_EINVAL;
    memset(e, 0, sizeof *e);
    if (cfg == NULL || hal == NULL || st == NULL || hal->clock == NULL || hal->nvm == NULL ||
        hal->crypto == NULL)
        return MM_EINVAL;
    /* one identity for UTRNs and commands: a meter without its own takes the config's, which
     * must then name the same device for both */
    if (all_zero(st->device_id, sizeof st->device_id) &&
        !same_bytes(cfg->cmd.device_id, cfg->utrn.device_id, 8))
        return MM_EINVAL;
    e->cfg = cfg;
    e->hal = *hal;
    e->st = *st;
    mm_clock probe;
    int rc = mm_clock_init(&probe, hal->clock);
    if (rc == MM_OK) rc = mm_clock_now(&probe, now);
    if (rc != MM_OK) return rc;
    return setup(e, *now);
}

/* The command counters restart at NOW, the record that held them lost or set aside (WHY: the
 * load's status): where counters are time-anchored no frame made before is taken
 * (mm_cmd_auth_floor); 0xF006 logged either way. */
static void counters_lost(mm_esme *e, uint32_t now, int why)
{
    mm_cmd_auth_floor(&e->cmd, now);
    mm_event_log_add(&e->log, now, MM_ALERT_COUNTERS_LOST, (int32_t)why, 0);
}

int mm_esme_init(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                 const mm_esme_storage *st)
{
    uint32_t now;
    int rc = start(e, cfg, hal, st, &now);
    if (rc != MM_OK) return rc;
    attach_prices(e);
    if (e->st.fw != NULL) memset(e->st.fw, 0, sizeof *e->st.fw); /* no transfer yet */
    /* find the banks' newest sequence so commissioning never overwrites it first */
    uint8_t scratch[MM_ESME_RECORD_MAX];
    size_t n;
    rc = mm_persist_load(&e->persist, scratch, sizeof scratch, &n);
    if (rc == MM_EIO) return MM_EIO;
    if (rc != MM_ENOENT) counters_lost(e, now, rc); /* commissioned again: not a new meter */
    return save(e, REASON_PERIODIC);
}

void mm_esme_deinit(mm_esme *e)
{
    if (e != NULL) memset(e, 0, sizeof *e);
}

/* Debit whole credit units of the cost priced so far (the minute's credit task).  In credit
 * mode nothing is debited: the tariff's registers are the bill. */
static void debit(mm_esme *e)
{
    if (e->prepay.mode != MM_MODE_PREPAYMENT) {
        e->cost_carry = 0;
        mm_prepay_update(&e->prepay, e->now);
        return;
    }
    uint64_t rem;
    uint64_t units = mm_u64_divmod((uint64_t)e->cost_carry, mm_pow10(COST_PER_CREDIT_EXP), &rem);
    e->cost_carry = (mm_cost_t)rem;
    mm_prepay_debit(&e->prepay, (mm_credit_t)units, e->now);
}

/* Everything due at meter time e->now. */
static void process_time(mm_esme *e)
{
    mm_prepay_update(&e->prepay, e->now);
    /* credit and power bring the contactor up to e->now themselves */
    mm_contactor_credit(&e->contactor, mm_prepay_wants_disable(&e->prepay), e->now);
    mm_contactor_power(&e->contactor, e->p_mw, e->now);
    if (mm_tariff_take_events(&e->tariff) & MM_TARIFF_EV_BILLING) {
        mm_max_demand md;
        mm_meter_max_demand_reset(&e->meter, &md);
        mm_tariff_snapshot_set_md(&e->tariff, &md);
    }
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* The next instant anything but the prepayment minute may change. */
static uint32_t next_deadline(const mm_esme *e)
{
    uint32_t d = mm_tariff_next_change(&e->tariff);
    d = min_u32(d, mm_contactor_next_event(&e->contactor));
    return min_u32(d, mm_prepay_next_event(&e->prepay));
}

/* Milliseconds from the meter's time to deadline D, at most CAP; CAP if D is none or due. */
static uint32_t ms_until(const mm_esme *e, uint32_t d, uint32_t cap)
{
    if (d == UINT32_MAX || d <= e->now) return cap;
    uint64_t until = (uint64_t)(d - e->now) * 1000u - e->now_ms; /* >= 1 */
    return until < cap ? (uint32_t)until : cap;
}

/* A run of whole prepayment minutes from now (the first ending at TICK), at most CAP ms long,
 * that can be integrated in one segment with one debit at its last minute instead of one at
 * each: its length [ms], or 0 if it holds fewer than two minute ends or one of its minutes
 * might change the prepayment state.  Exact: energy, registers and cost add up over any
 * split of time (mm/tariff.h), so the minutes' debits sum to one debit of their total cost
 * (the carry keeps the fraction); the balance only falls, and if no balance down to the
 * lowest it can reach would change anything (mm_prepay_debit_quiet), no minute on the way
 * does, and nothing else is due before CAP (the caller's deadline). */
static uint32_t quiet_minutes(const mm_esme *e, int32_t p_mw, uint32_t tick, uint32_t cap)
{
    /* in whole seconds and 32-bit divisions: a meter's CPU has no 64-bit divide */
    uint64_t end = (uint64_t)e->now + cap / 1000u + (cap % 1000u + e->now_ms) / 1000u;
    if (end > UINT32_MAX) return 0;
    uint32_t last_s = (uint32_t)end / MM_PREPAY_TICK_S * MM_PREPAY_TICK_S; /* last minute end */
    if ((uint64_t)last_s < (uint64_t)tick + MM_PREPAY_TICK_S) return 0;
    uint32_t span = (uint32_t)((uint64_t)(last_s - e->now) * 1000u - e->now_ms); /* <= cap */
    uint64_t imp = mm_contactor_closed(&e->contactor) && p_mw > 0 ? mm_energy_uj(p_mw, span) : 0u;
    mm_cost_t bound = mm_tariff_cost_bound(&e->tariff, last_s, imp);
    if (bound < 0) return 0;
    uint64_t units =
        mm_u64_divmod((uint64_t)e->cost_carry + (uint64_t)bound, mm_pow10(COST_PER_CREDIT_EXP), NULL);
    if (units > (uint64_t)INT64_MAX) return 0;
    return mm_prepay_debit_quiet(&e->prepay, (mm_credit_t)units) ? span : 0;
}

/* SEG ms at P, Q (zero while the contactor is open), then the deadlines of the new time. */
static void integrate(mm_esme *e, int32_t p_mw, int32_t q_mvar, uint32_t seg)
{
    bool closed = mm_contactor_closed(&e->contactor);
    int32_t pe = closed ? p_mw : 0, qe = closed ? q_mvar : 0;
    mm_meter_advance(&e->meter, pe, qe, seg);
    uint64_t imp = pe > 0 ? mm_energy_uj(pe, seg) : 0u;
    e->now += seg / 1000u;
    uint32_t ms = e->now_ms + seg % 1000u;
    if (ms >= 1000u) {
        e->now++;
        ms -= 1000u;
    }
    e->now_ms = (uint16_t)ms;
    mm_cost_t cost = mm_tariff_accumulate(&e->tariff, e->now, imp);
    if (cost > 0) e->cost_carry += cost;
    /* credit is debited and checked once a minute, on the minute (the segments end there),
     * so the minute the supply opens does not depend on how the caller chops time */
    if (e->now_ms == 0 && e->now % MM_PREPAY_TICK_S == 0) debit(e);
    process_time(e);
}

void mm_esme_advance(mm_esme *e, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms)
{
    if (e == NULL || e->cfg == NULL || !e->powered) return;
    e->p_mw = p_mw;
    process_time(e);
    uint32_t left = dt_ms;
    while (left > 0) {
        uint32_t other = next_deadline(e), d = other;
        bool prepay = e->prepay.mode == MM_MODE_PREPAYMENT;
        if (prepay) {
            uint64_t tick = ((uint64_t)(e->now / MM_PREPAY_TICK_S) + 1u) * MM_PREPAY_TICK_S;
            if (tick < d) d = (uint32_t)tick;
        }
        uint32_t seg = ms_until(e, d, left);
        if (prepay && d < other && d > e->now) {
            uint32_t run = quiet_minutes(e, p_mw, d, ms_until(e, other, left));
            if (run > seg) seg = run;
        }
        integrate(e, p_mw, q_mvar, seg);
        left -= seg;
    }
    /* the RTC is the meter's time: follow it (drift, or a caller that moved it further) */
    uint32_t rtc;
    if (mm_clock_now(&e->clock, &rtc) == MM_OK && rtc != e->now) {
        e->now = rtc;
        e->now_ms = 0;
        if (dt_ms == 0) {
            mm_tariff_accumulate(&e->tariff, e->now, 0); /* standing charge to the new time */
            process_time(e);
        }
    }
}

uint32_t mm_esme_next_boundary(const mm_esme *e)
{
    return mm_clock_period_start(mm_clock_period_of(e->now) + 1u);
}

void mm_esme_hh_close(mm_esme *e)
{
    if (e == NULL || e->cfg == NULL || !e->powered) return;
    mm_meter_hh_close(&e->meter);
    (void)save(e, REASON_PERIODIC); /* a failed save leaves the previous record */
}

/* ---- commands ---- */

static int top_up(mm_esme *e, const char *digits, size_t n, bool local)
{
    mm_credit_t amount = 0;
    int rc = mm_utrn_enter(&e->utrn, mm_esme_device_id(e), digits, n, e->now, &amount);
    if (rc != MM_OK) return rc;
    rc = mm_prepay_top_up(&e->prepay, amount, e->now, NULL);
    if (rc == MM_OK && local) {
        uint64_t pence = mm_u64_divmod((uint64_t)amount, (uint64_t)MM_CREDIT_PER_PENNY, NULL);
        mm_event_log_add(&e->log, e->now, MM_ALERT_CREDIT_ADDED_LOCALLY,
                         pence > INT32_MAX ? INT32_MAX : (int32_t)pence, 0);
    }
    process_time(e);
    return rc;
}

static int reply(uint8_t *resp, size_t cap, size_t need, size_t *resp_len)
{
    if (resp == NULL || cap < need) return MM_EINVAL;
    if (resp_len != NULL) *resp_len = need;
    return MM_OK;
}

/* MM_CMD_SET_PRICES: from u32, first u8, n u8, n x price u32. */
static int set_prices(mm_esme *e, const uint8_t *pl, size_t len)
{
    uint32_t price[MM_TARIFF_TOU_RATES];
    if (len < 6u || len != 6u + 4u * pl[5]) return MM_EMALFORMED;
    unsigned n = pl[5];
    if (n > MM_TARIFF_TOU_RATES) return MM_EINVAL; /* first + n is past the last rate */
    for (unsigned k = 0; k < n; k++)
        price[k] = mm_get_be32(pl + 6u + 4u * k);
    return mm_tariff_update_prices(&e->tariff, mm_get_be32(pl), pl[4], n, price);
}

/* The reply to a firmware block of VERSION (SIZE bytes): the bytes of it received u32, and
 * once it is complete its SHA-256 (32).  Only where RESP has room: the block counts anyway. */
static void fw_progress(const mm_fw_transfer *t, uint32_t version, uint32_t size, uint8_t *resp,
                        size_t cap, size_t *resp_len)
{
    bool same = t->size != 0 && t->version == version && t->size == size;
    uint32_t got = same ? t->received : 0u;
    size_t need = got == size ? 4u + MM_SHA256_LEN : 4u;
    if (resp == NULL || cap < need) return;
    mm_put_be(resp, got, 4);
    if (need > 4u) memcpy(resp + 4, t->hash, MM_SHA256_LEN);
    if (resp_len != NULL) *resp_len = need;
}

/* MM_CMD_FW_DISTRIBUTE: version u32, size u32, offset u32, then the block's bytes.  Blocks are
 * taken in order only: offset 0 (re)starts a transfer, of this image or another; any other
 * offset must be where the transfer of that version and size stands, or the block is refused
 * (MM_EOFFSET, nothing changed, the reply giving where to resume). */
static int fw_distribute(mm_esme *e, const uint8_t *pl, size_t n, uint8_t *resp, size_t cap,
                         size_t *resp_len)
{
    mm_fw_transfer *t = e->st.fw;
    if (t == NULL) return MM_ENOTSUP;
    if (n <= 12u) return MM_EMALFORMED;
    uint32_t version = mm_get_be32(pl), size = mm_get_be32(pl + 4), off = mm_get_be32(pl + 8);
    uint32_t len = (uint32_t)(n - 12u);
    if (off > size || len > size - off) return MM_EMALFORMED;
    int rc = MM_OK;
    if (off == 0) {
        memset(t, 0, sizeof *t); /* what was received, complete or not, is dropped */
        t->version = version;
        t->size = size;
        rc = mm_hal_crypto_sha256_start(e->hal.crypto, &t->ctx);
    } else if (t->size == 0 || t->version != version || t->size != size || t->received != off) {
        fw_progress(t, version, size, resp, cap, resp_len);
        return MM_EOFFSET;
    }
    if (rc == MM_OK) rc = mm_hal_crypto_sha256_update(e->hal.crypto, &t->ctx, pl + 12, len);
    if (rc == MM_OK && off + len == size)
        rc = mm_hal_crypto_sha256_finish(e->hal.crypto, &t->ctx, t->hash);
    if (rc != MM_OK) {
        memset(t, 0, sizeof *t); /* the hash is lost: the transfer starts again from 0 */
        return rc;
    }
    t->received = off + len;
    fw_progress(t, version, size, resp, cap, resp_len);
    return MM_OK;
}

/* MM_CMD_FW_ACTIVATE: version u32, SHA-256 (32) of the complete image.  On a match the record
 * names the new version and this image stops: the host resumes the new one from it. */
static int fw_activate(mm_esme *e, const uint8_t *pl)
{
    uint32_t version = mm_get_be32(pl);
    mm_fw_transfer *t = e->st.fw;
    bool complete = t != NULL && t->size != 0 && t->received == t->size;
    if (!complete || version != t->version || !same_bytes(pl + 4, t->hash, MM_SHA256_LEN)) {
        mm_event_log_add(&e->log, e->now, MM_ALERT_FIRMWARE_VERIFY_FAILED, (int32_t)version, 0);
        return complete ? MM_EAUTH : MM_ESTATE;
    }
    mm_event_log_add(&e->log, e->now, MM_ALERT_FIRMWARE_VERIFY_OK, (int32_t)version, 0);
    uint32_t running = e->fw_version;
    e->fw_version = version;
    int rc = save(e, REASON_FW_ACTIVATE);
    if (rc != MM_OK) {
        e->fw_version = running; /* no record to hand over: the image stays, may be retried */
        return rc;
    }
    memset(t, 0, sizeof *t);
    e->powered = 0; /* handed over: the new image runs the meter from the record */
    return MM_OK;
}

static int dispatch(mm_esme *e, const mm_cmd_frame *f, uint8_t *resp, size_t cap, size_t *resp_len)
{
    const uint8_t *pl = f->payload;
    size_t n = f->payload_len;
    uint32_t now = e->now;
    int rc;
    switch (f->id) {
    case MM_CMD_SUPPLY_DISABLE:
        return n == 0 ? mm_contactor_remote_disable(&e->contactor, now) : MM_EMALFORMED;
    case MM_CMD_SUPPLY_ENABLE:
        return n == 0 ? mm_contactor_remote_enable(&e->contactor, now) : MM_EMALFORMED;
    case MM_CMD_SUPPLY_ARM:
        return n == 0 ? mm_contactor_remote_arm(&e->contactor, now) : MM_EMALFORMED;
    case MM_CMD_SET_LOAD_LIMIT: {
        if (n != 12) return MM_EMALFORMED;
        mm_load_limit ll = {mm_get_be32(pl), mm_get_be32(pl + 4), mm_get_be32(pl + 8)};
        rc = mm_contactor_set_load_limit(&e->contactor, &ll, now);
        mm_contactor_power(&e->contactor, e->p_mw, now);
        return rc;
    }
    case MM_CMD_BOOST:
        return n == 5 ? mm_contactor_boost(&e->contactor, pl[0], mm_get_be32(pl + 1), now)
                      : MM_EMALFORMED;
    case MM_CMD_MODE_CHANGE:
        if (n != 1 || pl[0] > MM_MODE_PREPAYMENT) return MM_EMALFORMED;
        rc = mm_prepay_set_mode(&e->prepay, (mm_payment_mode)pl[0], now);
        process_time(e);
        return rc;
    case MM_CMD_TOP_UP:
        return n == MM_UTRN_DIGITS ? top_up(e, (const char *)pl, n, false) : MM_EMALFORMED;
    case MM_CMD_SET_DEBT: {
        if (n != 9) return MM_EMALFORMED;
        uint64_t amount = mm_get_be(pl + 1, 8);
        if (amount > (uint64_t)INT64_MAX) return MM_ERANGE;
        return mm_prepay_set_debt(&e->prepay, pl[0], (mm_credit_t)amount, now);
    }
    case MM_CMD_SET_TARIFF: {
        if (n != 8) return MM_EMALFORMED;
        const mm_tariff_def *def = tariff_by_id(e->cfg, mm_get_be32(pl));
        if (def == NULL) return MM_ENOENT;
        return mm_tariff_set_pending(&e->tariff, def, mm_get_be32(pl + 4));
    }
    case MM_CMD_SET_PRICES:
        return set_prices(e, pl, n);
    case MM_CMD_CLOCK_SET: {
        if (n != 4) return MM_EMALFORMED;
        rc = mm_clock_set(&e->clock, mm_get_be32(pl), &e->log);
        uint32_t rtc;
        if (rc == MM_OK && mm_clock_now(&e->clock, &rtc) == MM_OK) {
            e->now = rtc;
            e->now_ms = 0;
            process_time(e);
        }
        return rc;
    }
    case MM_CMD_READ_REGISTERS:
        if (n != 0) return MM_EMALFORMED;
        if ((rc = reply(resp, cap, 32, resp_len)) != MM_OK) return rc;
        for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
            mm_put_be(resp + 8 * ch, mm_meter_register(&e->meter, (mm_channel)ch), 8);
        return MM_OK;
    case MM_CMD_READ_PROFILE: {
        if (n != 4) return MM_EMALFORMED;
        mm_profile_slot s;
        if ((rc = mm_meter_profile(&e->meter, mm_get_be32(pl), &s)) != MM_OK) return rc;
        if ((rc = reply(resp, cap, 24, resp_len)) != MM_OK) return rc;
        mm_put_be(resp, s.period, 4);
        for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
            mm_put_be(resp + 4 + 4 * ch, s.wh[ch], 4);
        mm_put_be(resp + 20, s.v_avg_dv, 2);
        mm_put_be(resp + 22, s.status, 2);
        return MM_OK;
    }
    case MM_CMD_READ_PREPAY:
        if (n != 0) return MM_EMALFORMED;
        if ((rc = reply(resp, cap, 43, resp_len)) != MM_OK) return rc;
        mm_put_be(resp, (uint64_t)e->prepay.balance, 8);
        mm_put_be(resp + 8, (uint64_t)mm_prepay_available(&e->prepay), 8);
        for (unsigned i = 0; i < MM_DEBT_COUNT; i++)
            mm_put_be(resp + 16 + 8 * i, (uint64_t)e->prepay.debt[i], 8);
        resp[40] = e->prepay.mode;
        resp[41] = e->prepay.ec;
        resp[42] = e->contactor.state;
        return MM_OK;
    case MM_CMD_FW_DISTRIBUTE:
        return fw_distribute(e, pl, n, resp, cap, resp_len);
    case MM_CMD_FW_ACTIVATE:
        return n == 4 + MM_SHA256_LEN ? fw_activate(e, pl) : MM_EMALFORMED;
    default:
        return MM_ENOTSUP;
    }
}

int mm_esme_command(mm_esme *e, const uint8_t *frame, size_t len, uint8_t *resp, size_t cap,
                    size_t *resp_len)
{
    if (resp_len != NULL) *resp_len = 0;
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    mm_cmd_frame f;
    int rc = mm_cmd_accept(&e->cmd, mm_esme_device_id(e), frame, len, e->now, &f);
    if (rc != MM_OK) return rc;
    /* durable before effect: the counter in NVM first, or the command is refused (its counter
     * stays consumed in RAM, so the frame is not taken again while powered) */
    bool durable = mm_cmd_is_durable(f.id);
    if (durable && save(e, REASON_COMMAND) != MM_OK) return MM_EIO;
    rc = dispatch(e, &f, resp, cap, resp_len);
    if (rc == MM_EMALFORMED)
        mm_event_log_add(&e->log, e->now, MM_ALERT_COMMAND_INTEGRITY_FAILED, (int32_t)f.id, 0);
    if (!e->powered) return rc; /* after an activation: the record is the hand-over */
    process_time(e);
    /* then its effect; a failed save loses at most that, the counter is committed */
    if (durable) (void)save(e, REASON_COMMAND);
    return rc;
}

int mm_esme_utrn_enter(mm_esme *e, const char *digits, size_t n)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    return top_up(e, digits, n, true);
}

int mm_esme_change_supplier(mm_esme *e, const mm_esme_config *cfg)
{
    if (e == NULL || e->cfg == NULL || cfg == NULL || cfg->tariff == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    /* the modules read their settings through the configuration: all move to the gaining
     * supplier's; the meter's registers, credit, debts, logs and command counters stay */
    e->cfg = cfg;
    e->meter.cfg = &cfg->meter;
    e->prepay.cfg = &cfg->prepay;
    e->contactor.cfg = &cfg->contactor;
    e->cmd.cfg = &cfg->cmd;
    /* UTRNs now come from the gaining supplier: its originator counter starts afresh */
    int rc = mm_utrn_init(&e->utrn, &cfg->utrn, &e->log, e->hal.crypto);
    /* its tariff takes over now, the tariff registers carrying on */
    if (rc == MM_OK) rc = mm_tariff_set_pending(&e->tariff, cfg->tariff, e->now);
    if (rc != MM_OK) return rc;
    process_time(e);
    return save(e, REASON_PERIODIC);
}

int mm_esme_button(mm_esme *e)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    int rc = mm_contactor_button(&e->contactor, e->now);
    process_time(e);
    return rc;
}

int mm_esme_ec_activate(mm_esme *e)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    int rc = mm_prepay_ec_activate(&e->prepay, e->now);
    process_time(e);
    return rc;
}

/* ---- power ---- */

int mm_esme_power_fail(mm_esme *e)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered) return MM_ESTATE;
    int rc = save(e, REASON_POWER_FAIL);
    e->powered = 0;
    return rc;
}

int mm_esme_power_restore(mm_esme *e)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    reset_ram(e); /* what RAM held is gone */
    uint32_t now = 0;
    mm_clock probe;
    if (mm_clock_init(&probe, e->hal.clock) != MM_OK || mm_clock_now(&probe, &now) != MM_OK)
        now = 0;
    int rc = setup(e, now);
    if (rc != MM_OK) return rc;
    uint8_t buf[MM_ESME_RECORD_MAX];
    size_t n = 0;
    uint32_t saved_at = now;
    uint8_t reason = REASON_PERIODIC;
    rc = mm_persist_load(&e->persist, buf, sizeof buf, &n);
    if (rc == MM_OK) rc = unpack(e, buf, n, &saved_at, &reason);
    if (rc != MM_OK) {
        int load_rc = rc;
        if ((rc = setup(e, now)) != MM_OK) return rc; /* nothing usable: commissioned afresh */
        /* the banks' newest sequence again (setup forgot it), so the save below supersedes the
         * newest record, as at mm_esme_init: from sequence 1 it would lose to an older record
         * still in the other bank at the next restore */
        (void)mm_persist_load(&e->persist, buf, sizeof buf, &n);
        counters_lost(e, now, load_rc);
        attach_prices(e);
        (void)save(e, REASON_PERIODIC);
        return load_rc == MM_ECORRUPT ? MM_ECORRUPT : MM_ENOENT;
    }
    if (now < saved_at) now = saved_at; /* an RTC without its time restarts at the record */
    e->now = now;
    /* a transfer in progress survives in its area (external memory) unless inconsistent */
    mm_fw_transfer *t = e->st.fw;
    if (t != NULL && t->received > t->size) memset(t, 0, sizeof *t);
    /* the period open at the save closes with what was measured in it, flagged */
    uint32_t period = mm_clock_period_of(now);
    if (e->meter.period != period) {
        mm_meter_flag_period(&e->meter, MM_SLOT_OUTAGE);
        mm_meter_hh_close(&e->meter);
        e->meter.period = period;
    }
    mm_meter_flag_period(&e->meter, MM_SLOT_OUTAGE);
    uint32_t outage = now - saved_at;
    mm_event_log_add(&e->log, saved_at, MM_ALERT_SUPPLY_INTERRUPTED, (int32_t)reason, 0);
    mm_event_log_add(&e->log, now,
                     outage >= MM_OUTAGE_LONG_S ? MM_ALERT_SUPPLY_RESTORED_LONG
                                                : MM_ALERT_SUPPLY_RESTORED,
                     outage > INT32_MAX ? INT32_MAX : (int32_t)outage, 0);
    /* the dither in whole steps (mm_config.h); a step of 1 s draws on 0..window itself */
    uint32_t dither = 0;
    if (e->cfg->dither_window_s > 0 && e->hal.rng != NULL) {
        const uint32_t step = (uint32_t)MM_DITHER_STEP_S;
        (void)mm_rand_uniform(e->hal.rng, e->cfg->dither_window_s / step, &dither);
        dither *= step;
    }
    e->wan_ready_at = now + dither;
    mm_tariff_accumulate(&e->tariff, now, 0); /* standing charge through the outage */
    process_time(e);
    return MM_OK;
}

int mm_esme_resume(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                   const mm_esme_storage *st)
{
    uint32_t now = 0;
    int rc = start(e, cfg, hal, st, &now);
    uint8_t buf[MM_ESME_RECORD_MAX];
    size_t n = 0;
    uint32_t saved_at = now;
    uint8_t reason = REASON_PERIODIC;
    if (rc == MM_OK) rc = mm_persist_load(&e->persist, buf, sizeof buf, &n);
    if (rc == MM_OK) rc = unpack(e, buf, n, &saved_at, &reason);
    if (rc != MM_OK) {
        if (e != NULL) memset(e, 0, sizeof *e); /* not started; NVM untouched */
        return rc;
    }
    if (now < saved_at) now = saved_at;
    e->now = now;
    e->wan_ready_at = now; /* a reboot, not a restoration: no dither */
    /* the period open at the hand-over goes on; one that ended meanwhile closes as it is.  Its
     * power-path time resumes from the period's start, so it does not close short; the demand
     * block, voltage and raised status bits were RAM and restart, as after a power restore. */
    uint32_t period = mm_clock_period_of(now);
    if (e->meter.period != period) {
        mm_meter_hh_close(&e->meter);
        e->meter.period = period;
    }
    e->meter.period_ms = (now - mm_clock_period_start(period)) * 1000u;
    if (e->st.fw != NULL) memset(e->st.fw, 0, sizeof *e->st.fw); /* the old image's transfer */
    mm_event_log_add(&e->log, now, MM_ALERT_FIRMWARE_VERSION_CHANGED, (int32_t)e->fw_version, 0);
    mm_tariff_accumulate(&e->tariff, now, 0); /* standing charge to the reboot */
    process_time(e);
    (void)save(e, REASON_PERIODIC); /* a failed save leaves the hand-over record */
    return MM_OK;
}

int mm_esme_next_alert(mm_esme *e, mm_event *out)
{
    if (e == NULL || e->cfg == NULL) return MM_EINVAL;
    if (!e->powered || e->now < e->wan_ready_at) return MM_ENOENT;
    return mm_event_log_next_alert(&e->log, out);
}

void mm_esme_snapshot_get(const mm_esme *e, mm_esme_snapshot *out)
{
    if (e == NULL || out == NULL) return;
    memset(out, 0, sizeof *out);
    out->now = e->now;
    out->period = e->meter.period;
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++)
        out->reg[ch] = e->meter.reg[ch].value;
    out->demand_mw = mm_contactor_closed(&e->contactor) ? e->meter.demand_mw : 0;
    out->supply = e->contactor.state;
    out->mode = e->prepay.mode;
    out->ec = e->prepay.ec;
    out->alcs_on = e->contactor.alcs_on;
    out->balance = e->prepay.balance;
    out->available = e->prepay.cfg != NULL ? mm_prepay_available(&e->prepay) : 0;
    for (unsigned i = 0; i < MM_DEBT_COUNT; i++)
        out->debt[i] = e->prepay.debt[i];
    out->cost_total = e->tariff.total;
    out->events_total = e->log.total;
    out->alerts_unsent = e->log.unsent;
    out->powered = e->powered;
    out->fw_version = e->fw_version;
    out->wan_ready_at = e->wan_ready_at;
}

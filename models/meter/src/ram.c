/* Checkpoint of a meter's RAM (mm_esme_save_ram, mm_esme_load_ram; esme.h, abi.h ABI 9).
 *
 * The image is the state's own bytes with every pointer replaced by a token that says what it
 * pointed to instead of where: the process that loads it has the same configuration, HAL and
 * storage, at other addresses.  A token is a little-endian 32-bit word in the first bytes of
 * the pointer's slot, the slot's other bytes zero, so an image holds no address and is the
 * same on hosts of either byte order for the same layout. */
#include <stdbool.h>
#include <string.h>

#include "mm/bytes.h"
#include "mm/esme.h"
#include "mm/status_supply.h"

_Static_assert(sizeof(void *) >= 4u, "a pointer slot must hold a 32-bit token");

#define TOKEN_NULL 0u
#define TOKEN_BOUND 1u /* the pointer's one possible target (RAM_POINTERS) */

/* Every pointer of mm_esme except the tariff definitions, with the one target it can have in
 * a meter this core set up: X(member, target, strict).  Targets are written in cfg, hal and st
 * (the configuration, HAL and storage the meter runs with) and e (the state itself).  STRICT
 * marks the state's copies of the HAL and storage handles: for those a NULL must also be NULL
 * in what the meter is restored with, or the restored meter would not run like the saved one
 * (no RNG where it had one, a price table it never had).  A module's own pointer may be NULL
 * while its target is not (a module left unset by a failed commissioning).  A pointer added to
 * mm_esme or to a module's state must be listed here, or it would be saved as an address. */
#define RAM_POINTERS(X)                                                                            \
    X(cfg, cfg, true)                                                                              \
    X(hal.clock, hal->clock, true)                                                                 \
    X(hal.nvm, hal->nvm, true)                                                                     \
    X(hal.rng, hal->rng, true)                                                                     \
    X(hal.crypto, hal->crypto, true)                                                               \
    X(st.profile, st->profile, true)                                                               \
    X(st.events, st->events, true)                                                                 \
    X(st.snaps, st->snaps, true)                                                                   \
    X(st.prices, st->prices, true)                                                                 \
    X(st.fw, st->fw, true)                                                                         \
    X(meter.cfg, &cfg->meter, false)                                                               \
    X(meter.log, st->profile, false)                                                               \
    X(clock.hal, hal->clock, false)                                                                \
    X(tariff.snap, st->snaps, false)                                                               \
    X(tariff.prices, st->prices, false)                                                            \
    X(prepay.cfg, &cfg->prepay, false)                                                             \
    X(prepay.log, &e->log, false)                                                                  \
    X(contactor.cfg, &cfg->contactor, false)                                                       \
    X(contactor.log, &e->log, false)                                                               \
    X(contactor.rng, hal->rng, false)                                                              \
    X(utrn.cfg, &cfg->utrn, false)                                                                 \
    X(utrn.log, &e->log, false)                                                                    \
    X(utrn.crypto, hal->crypto, false)                                                             \
    X(cmd.cfg, &cfg->cmd, false)                                                                   \
    X(cmd.log, &e->log, false)                                                                     \
    X(cmd.crypto, hal->crypto, false)                                                              \
    X(log.ring, st->events, false)                                                                 \
    X(persist.nvm, hal->nvm, false)

#define RAM_COUNT(m, target, strict) +1
enum { N_POINTERS = 0 RAM_POINTERS(RAM_COUNT) };

/* A function, not a comparison in the macros, where TARGET may be an object's address. */
static bool is_set(const void *p)
{
    return p != NULL;
}

static void put_token(uint8_t *slot, size_t size, uint32_t token)
{
    memset(slot, 0, size);
    mm_put_le32(slot, token);
}

/* The token in a slot of SIZE bytes; false if the bytes past it are not zero. */
static bool get_token(const uint8_t *slot, size_t size, uint32_t *token)
{
    uint8_t rest = 0;
    for (size_t i = 4; i < size; i++)
        rest |= slot[i];
    *token = mm_get_le32(slot);
    return rest == 0;
}

/* ---- tariff definitions ----
 * A definition is named by where CFG offers it: position 1 is cfg->tariff, 2 + i is
 * cfg->tariffs[i] (0: NULL), in the token's low 16 bits, and the high 16 bits fold the
 * definition's id, so a configuration whose list changed is refused rather than read as
 * another tariff.  The position, not the id alone, because nothing makes ids unique in a
 * configuration and the restored meter must hold the very definition the saved one held. */

static uint32_t id_fold(uint32_t id)
{
    return (id ^ id >> 16) & 0xFFFFu;
}

static bool def_token(const mm_esme_config *cfg, const mm_tariff_def *d, uint32_t *token)
{
    uint32_t pos = 0;
    if (d == NULL) {
        *token = TOKEN_NULL;
        return true;
    }
    if (d == cfg->tariff)
        pos = 1;
    else
        for (unsigned i = 0; cfg->tariffs != NULL && i < cfg->n_tariffs; i++)
            if (cfg->tariffs[i] == d) {
                pos = 2u + i;
                break;
            }
    *token = pos | id_fold(d->id) << 16;
    return pos != 0;
}

static bool def_of(const mm_esme_config *cfg, uint32_t token, const mm_tariff_def **out)
{
    uint32_t pos = token & 0xFFFFu;
    const mm_tariff_def *d = NULL;
    *out = NULL;
    if (pos == 0) return token == TOKEN_NULL;
    if (pos == 1)
        d = cfg->tariff;
    else if (cfg->tariffs != NULL && pos - 2u < cfg->n_tariffs)
        d = cfg->tariffs[pos - 2u];
    if (d == NULL || id_fold(d->id) != token >> 16) return false;
    *out = d;
    return true;
}

/* ---- save ---- */

#define RAM_TOKEN(m, target, strict)                                                               \
    token[k] = e->m == NULL                                    ? TOKEN_NULL                        \
               : (const void *)e->m == (const void *)(target) ? TOKEN_BOUND                        \
                                                               : (ok = false, TOKEN_NULL);          \
    k++;
#define RAM_PUT(m, target, strict)                                                                 \
    put_token(img + offsetof(mm_esme, m), sizeof e->m, token[k]);                                  \
    k++;

int mm_esme_save_ram(const mm_esme *e, void *out, size_t cap)
{
    if (e == NULL || out == NULL || cap < sizeof *e) return MM_EINVAL;
    if (e->cfg == NULL) return MM_ESTATE;
    const mm_esme_config *cfg = e->cfg;
    const mm_esme_hal *hal = &e->hal;
    const mm_esme_storage *st = &e->st;
    /* every token first: OUT is written only for a state that can be named in full */
    uint32_t token[N_POINTERS], def, pending;
    bool ok = true;
    unsigned k = 0;
    RAM_POINTERS(RAM_TOKEN)
    if (!ok || !def_token(cfg, e->tariff.def, &def) || !def_token(cfg, e->tariff.pending, &pending))
        return MM_ECORRUPT;
    uint8_t *img = out;
    memcpy(img, e, sizeof *e);
    /* the storage handles are the host's struct, padding and all: only their fields go out */
    memset(img + offsetof(mm_esme, st), 0, sizeof e->st);
    memcpy(img + offsetof(mm_esme, st.profile_depth), &st->profile_depth, sizeof st->profile_depth);
    memcpy(img + offsetof(mm_esme, st.event_depth), &st->event_depth, sizeof st->event_depth);
    memcpy(img + offsetof(mm_esme, st.snap_depth), &st->snap_depth, sizeof st->snap_depth);
    memcpy(img + offsetof(mm_esme, st.device_id), st->device_id, sizeof st->device_id);
    k = 0;
    RAM_POINTERS(RAM_PUT)
    put_token(img + offsetof(mm_esme, tariff.def), sizeof e->tariff.def, def);
    put_token(img + offsetof(mm_esme, tariff.pending), sizeof e->tariff.pending, pending);
    return MM_OK;
}

/* ---- load ---- */

static bool same_id(const uint8_t a[8], const uint8_t b[8])
{
    uint8_t diff = 0;
    for (unsigned i = 0; i < 8; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

/* What a slot's token binds: 0 NULL, 1 the target, -1 neither (an unknown token, a target that
 * is NULL, or for STRICT a NULL where the target is set). */
static int bind_of(const uint8_t *slot, size_t size, bool target_set, bool strict)
{
    uint32_t token;
    if (!get_token(slot, size, &token)) return -1;
    if (token == TOKEN_NULL) return strict && target_set ? -1 : 0;
    return token == TOKEN_BOUND && target_set ? 1 : -1;
}

#define RAM_BIND(m, target, strict)                                                                \
    switch (bind_of(bytes + offsetof(mm_esme, m), sizeof e->m, is_set(target), strict)) {          \
    case 0:                                                                                        \
        e->m = NULL;                                                                               \
        break;                                                                                     \
    case 1:                                                                                        \
        e->m = (target);                                                                           \
        break;                                                                                     \
    default:                                                                                       \
        ok = false;                                                                                \
    }

/* A ring of DEPTH entries in storage of STORE_DEPTH (none if !STORE): its indices must stay in
 * the storage the host gave, whatever the image says. */
static bool ring_ok(bool store, uint32_t store_depth, uint32_t depth, uint32_t head, uint32_t count)
{
    if (!store) return depth == 0 && head == 0 && count == 0;
    return depth == store_depth && count <= depth && (depth == 0 ? head == 0 : head < depth);
}

static int rebind(mm_esme *e, const mm_esme_config *cfg, const mm_esme_hal *hal,
                  const mm_esme_storage *st)
{
    const uint8_t *bytes = (const uint8_t *)e;
    bool ok = true;
    RAM_POINTERS(RAM_BIND)
    uint32_t def, pending;
    ok = ok && get_token(bytes + offsetof(mm_esme, tariff.def), sizeof e->tariff.def, &def) &&
         get_token(bytes + offsetof(mm_esme, tariff.pending), sizeof e->tariff.pending, &pending) &&
         def_of(cfg, def, &e->tariff.def) && def_of(cfg, pending, &e->tariff.pending);
    if (!ok) return MM_ECORRUPT;
    /* the storage the host restored must be the meter's: same sizes, same identity */
    if (e->st.profile_depth != st->profile_depth || e->st.event_depth != st->event_depth ||
        e->st.snap_depth != st->snap_depth ||
        !same_id(e->st.device_id, st->device_id))
        return MM_ECORRUPT;
    if (!ring_ok(e->meter.log != NULL, st->profile_depth, e->meter.depth, e->meter.head,
                 e->meter.count) ||
        !ring_ok(e->log.ring != NULL, st->event_depth, e->log.depth, e->log.head, e->log.count) ||
        !ring_ok(e->tariff.snap != NULL, st->snap_depth, e->tariff.depth, e->tariff.head,
                 e->tariff.count))
        return MM_ECORRUPT;
    return MM_OK;
}

int mm_esme_load_ram(mm_esme *e, const void *in, size_t len, const mm_esme_config *cfg,
                     const mm_esme_hal *hal, const mm_esme_storage *st)
{
    if (e == NULL) return MM_EINVAL;
    int rc = MM_EINVAL;
    if (in != NULL && len == sizeof *e && cfg != NULL && hal != NULL && st != NULL) {
        if (in != (const void *)e) memcpy(e, in, sizeof *e); /* the host may read into E */
        rc = rebind(e, cfg, hal, st);
    }
    if (rc != MM_OK) memset(e, 0, sizeof *e); /* as after deinit: every call refuses */
    return rc;
}

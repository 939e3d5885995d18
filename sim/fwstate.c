/* The meters' firmware states of an area, coded (see sim_fw_states in runner.h).
 *
 * A state, with its event ring and HAL records, is plain only in the area's view, and only
 * while its meter is being reached; the rest of the time it is a block of its own: a header,
 * then the XOR code the NVM stores use (mm_port_sim_xor_code: which of the view's 4-byte words
 * differ from its image's reference, a bitmap in two levels, then those words).  The view is
 * coded whole whatever the image: past a smaller image's state it is zeros, as in that
 * image's reference.
 *
 * Most of a state is words every meter of an image shares: zeros, configuration pointers,
 * pointers into the state itself, to its ring and to its HAL records (which all point into
 * the view, since every state is run there).  What differs is the registers, times, credit,
 * the events logged and the pointers to the meter's own columns (its profile log, its price
 * table).  The HAL records differ in their clock's time, the RNG's state, and the NVM
 * store's block and counts.
 *
 * The area's NVM pool holds at most the view's store (the save it settles, its kept bank
 * plain): the stores are all at the one address, so the pool lets go of it before the view
 * goes to another meter, and the view is coded back with what that changed.
 *
 * A meter on a dynamic tariff has a price table (mm_price_table, 576 B) that its firmware
 * reads at every half-hour's close and writes at every price update.  One per household, it
 * was cold at both: at 100,000 households on real-time prices the close's reads of it were
 * about 4 % of the run.  But the meters of an area hold the same prices (they get the same
 * updates), so the area keeps each table once (sim_ptab, counted) and the household's column
 * points to its meter's.  The firmware runs on a copy in the view, after the HAL records,
 * not coded: made from the shared one when the meter is reached, and kept when the view goes
 * to another meter if it was reached for writing and the copy changed, as one of the tables
 * the area kept last when it is the same as one of them, else as a new one.
 */
#include "runner.h"

#include "mm_port_sim.h"

#include <stdlib.h>
#include <string.h>

/* A block: its header, then the code. */
typedef struct fw_block_hdr {
    uint32_t len : 24;   /* bytes used, the header's included */
    uint32_t stale : 1;  /* a later state could not be coded: its NVM store's blocks went */
    uint32_t short_once : 1; /* the code was short enough to give room back, and room was kept */
    uint32_t : 6;
    uint32_t cap : 24;   /* bytes of the block (mm_port_sim_xor_room; a state is < 16 MiB) */
    uint32_t image : 8;  /* the image whose reference it is coded against */
} fw_block_hdr;
#define HDR ((uint32_t)sizeof(fw_block_hdr))
_Static_assert(SIM_FW_IMAGES_MAX <= 256, "an image's index fits the header");

int sim_fw_states_init(sim_area *a)
{
    const sim_fw *fw = a->cx->fw;
    uint32_t slot = fw->max_slot ? fw->max_slot : SIM_FW_SLOT_ALIGN;
    sim_fw_states *s = calloc(1, sizeof *s);
    if (!s) return SIM_ENOMEM;
    a->fws = s;
    s->who = SIM_FW_NOBODY;
    s->state_bytes = (slot + 63u) / 64u * 64u;
    s->view_bytes = s->state_bytes + SIM_FW_RING_BYTES + (uint32_t)sizeof(sim_fw_hal);
    uint32_t end = (s->view_bytes + 63u) / 64u * 64u;
    if (a->cx->dyn_prices) {
        s->ptab_at = end;
        end += ((uint32_t)sizeof(mm_price_table) + 63u) / 64u * 64u;
    }
    s->pool = &a->nvm_pool;
    s->view = aligned_alloc(64, end);
    s->out = malloc(HDR + mm_port_sim_xor_max(s->view_bytes));
    if (!s->view || !s->out) return SIM_ENOMEM;
    memset(s->view, 0, end);
    return 0;
}

/* ---- price tables ---------------------------------------------------------------------- */

/* What a household without a shared table holds: a meter that never had one (zeroed, as the
 * column was). */
static const mm_price_table no_prices;

/* What the view's copy is the same as when it is not known (view_from). */
static const sim_ptab copy_unknown;

static const mm_price_table *ptab_of(const sim_area *a, uint32_t i)
{
    return a->ptab[i] ? &a->ptab[i]->t : &no_prices;
}

/* One reference fewer to P; the last frees it. */
static void ptab_drop(sim_fw_states *s, sim_ptab *p)
{
    if (!p || --p->refs > 0) return;
    if (p == s->view_from) s->view_from = &copy_unknown; /* another may come at its address */
    for (unsigned k = 0; k < SIM_PTAB_RECENT; k++)
        if (s->recent[k] == p) {
            memmove(&s->recent[k], &s->recent[k + 1], (SIM_PTAB_RECENT - 1 - k) * sizeof p);
            s->recent[SIM_PTAB_RECENT - 1] = NULL;
            break;
        }
    s->ptab_held -= sizeof *p;
    free(p);
}

/* Household I's table is now T (a copy the caller keeps): the shared one that is the same,
 * among those kept last, or a new one.  False: no memory for it (I keeps its old table). */
static bool ptab_set(const sim_area *a, uint32_t i, const mm_price_table *t)
{
    sim_fw_states *s = a->fws;
    sim_ptab *old = a->ptab[i];
    if (memcmp(ptab_of(a, i), t, sizeof *t) == 0) return true;
    sim_ptab *p = NULL;
    unsigned k = 0;
    if (memcmp(t, &no_prices, sizeof *t) != 0) {
        while (k < SIM_PTAB_RECENT && s->recent[k] && memcmp(&s->recent[k]->t, t, sizeof *t))
            k++;
        if (k < SIM_PTAB_RECENT && s->recent[k]) {
            p = s->recent[k];
        } else {
            p = malloc(sizeof *p);
            if (!p) return false;
            p->t = *t;
            p->refs = 0;
            s->ptab_held += sizeof *p;
            k = SIM_PTAB_RECENT - 1; /* the least recent goes from the list (not from memory) */
        }
        memmove(&s->recent[1], &s->recent[0], k * sizeof p); /* P first */
        s->recent[0] = p;
        p->refs++;
    }
    a->ptab[i] = p;
    ptab_drop(s, old);
    return true;
}

uint64_t sim_fw_states_ptab_bytes(const sim_area *a)
{
    return a->fws ? a->fws->ptab_held : 0;
}

void sim_fw_states_ptab_ckpt(sim_area *a, sim_ckpt *c)
{
    sim_fw_states *s = a->fws;
    if (!a->ptab) return;
    sim_ckpt_tag(c, "prices");
    bool loading = sim_ckpt_loading(c);
    for (uint32_t i = 0; i < a->n && !sim_ckpt_err(c); i++) {
        mm_price_table t = *ptab_of(a, i);
        sim_ckpt_bytes(c, &t, sizeof t);
        if (loading && !sim_ckpt_err(c) && !ptab_set(a, i, &t)) sim_ckpt_fail(c, "out of memory");
    }
    /* the view's copy is its meter's as loaded: it is kept back as it is now */
    if (loading && s->who != SIM_FW_NOBODY) {
        memcpy(sim_fw_states_prices(a), ptab_of(a, s->who), sizeof(mm_price_table));
        s->view_from = a->ptab[s->who];
    }
}

void sim_fw_states_free(sim_area *a)
{
    sim_fw_states *s = a->fws;
    if (!s) return;
    for (uint32_t i = 0; a->fwc && i < a->n; i++) free(a->fwc[i]);
    for (uint32_t i = 0; a->ptab && i < a->n; i++) {
        ptab_drop(s, a->ptab[i]);
        a->ptab[i] = NULL;
    }
    for (unsigned k = 0; k < SIM_FW_IMAGES_MAX; k++) free(s->ref[k]);
    free(s->view);
    free(s->out);
    free(s);
    a->fws = NULL;
}

/* The view's state could not be coded back for want of memory: the run fails (nomem), and
 * until it stops its meter goes on from the older state its block holds, if any.  That one's
 * NVM store names blocks the store may since have moved or given back, so the store's blocks
 * go now, and the block says the store it holds is void: reached again, it reads erased. */
static void lost(const sim_area *a, uint32_t i)
{
    sim_fw_states *s = a->fws;
    s->nomem = true;
    mm_port_sim_nvm_release(&sim_fw_states_hal(a)->nvm);
    if (!a->fwc[i]) return;
    fw_block_hdr h;
    memcpy(&h, a->fwc[i], HDR);
    h.stale = 1;
    memcpy(a->fwc[i], &h, HDR);
}

/* The view coded back into its meter's block, if it was reached for writing since. */
static void flush(const sim_area *a)
{
    sim_fw_states *s = a->fws;
    if (s->who == SIM_FW_NOBODY || !s->dirty) return;
    s->dirty = false;
    uint32_t i = s->who, size = s->view_bytes;
    uint8_t image = sim_hh_fl(a, i)->image;
    if (!s->ref[image]) {
        /* the first state of an image coded here is the one the others are coded against */
        s->ref[image] = malloc(size);
        if (!s->ref[image]) {
            lost(a, i);
            return;
        }
        memcpy(s->ref[image], s->view, size);
        s->held += size;
    }
    fw_block_hdr h = {.image = image};
    h.len = (HDR + mm_port_sim_xor_code(s->ref[image], s->view, size, s->out + HDR)) & 0xFFFFFFu;
    unsigned char **b = &a->fwc[i];
    fw_block_hdr old = {0};
    if (*b) memcpy(&old, *b, HDR);
    h.cap = old.cap;
    uint32_t want = mm_port_sim_xor_room(h.len, old.cap); /* sized as the NVM's blocks */
    /* But room is given back at the second short code in a row, not the first: a meter that
     * takes a command between two closes (a real-time price every half-hour) grows its code
     * at the command and shrinks it at the close, and would move its block twice a half-hour. */
    if (want < old.cap && !old.short_once) {
        want = old.cap;
        h.short_once = 1;
    }
    if (want != old.cap) {
        unsigned char *q = realloc(*b, want);
        if (!q) {
            lost(a, i);
            return;
        }
        *b = q;
        s->held = s->held - old.cap + want;
        h.cap = want & 0xFFFFFFu;
    }
    memcpy(s->out, &h, HDR);
    memcpy(*b, s->out, h.len);
}

/* The view's meter put back: the NVM pool lets go of its store (which may change its record),
 * then the view is coded back, and its price table kept, if it was written. */
static void put_back(const sim_area *a)
{
    sim_fw_states *s = a->fws;
    if (s->who == SIM_FW_NOBODY) return;
    if (mm_port_sim_nvm_pool_leave(s->pool)) s->dirty = true;
    if (s->dirty && s->ptab_at) {
        if (ptab_set(a, s->who, sim_fw_states_prices(a))) {
            s->view_from = a->ptab[s->who];
        } else {
            s->nomem = true; /* the run fails; the meter goes on from its older prices */
            s->view_from = &copy_unknown;
        }
    }
    flush(a);
}

void *sim_fw_states_reach(const sim_area *a, uint32_t i, bool write)
{
    sim_fw_states *s = a->fws;
    if (s->who != i) {
        put_back(a);
        const unsigned char *b = a->fwc[i];
        if (!b) {
            memset(s->view, 0, s->view_bytes); /* a meter never commissioned: zeroed */
        } else {
            fw_block_hdr h;
            memcpy(&h, b, HDR);
            mm_port_sim_xor_decode(s->ref[h.image], b + HDR, s->view_bytes, s->view);
            if (h.stale) mm_port_sim_nvm_disown(&sim_fw_states_hal(a)->nvm); /* (lost) */
        }
        /* the copy, unless the view holds it already (the meter before had the same table and
         * left it as it was: a day-ahead tariff's closes between two updates) */
        if (s->ptab_at && s->view_from != a->ptab[i]) {
            memcpy(sim_fw_states_prices(a), ptab_of(a, i), sizeof(mm_price_table));
            s->view_from = a->ptab[i];
        }
        s->who = i;
        s->dirty = false;
    }
    if (write) s->dirty = true;
    return s->view;
}

void sim_fw_states_settle(const sim_area *a)
{
    put_back(a);
}

void sim_fw_states_forget(const sim_area *a)
{
    a->fws->dirty = false;
    a->fws->view_from = &copy_unknown; /* its meter may have changed the copy */
}

void sim_fw_states_bytes(const sim_area *a, uint64_t *state, uint64_t *ring, uint64_t *hal)
{
    const sim_fw_states *s = a->fws;
    *state = *ring = *hal = 0;
    if (!s) return;
    /* each block's words and bitmap bytes by where they fall (the ring's and the HAL's first
     * at whole bitmap bytes); the rest (headers, summaries, room, the references, the view,
     * the coder's output) with the state */
    uint32_t rw = s->state_bytes / 4u, hw = rw + SIM_FW_RING_BYTES / 4u, nw = s->view_bytes / 4u;
    for (uint32_t i = 0; a->fwc && i < a->n; i++) {
        const unsigned char *b = a->fwc[i];
        if (!b) continue;
        *ring += mm_port_sim_xor_span(b + HDR, s->view_bytes, rw, hw);
        *hal += mm_port_sim_xor_span(b + HDR, s->view_bytes, hw, nw);
    }
    *state = s->held + s->view_bytes + HDR + mm_port_sim_xor_max(s->view_bytes) - *ring - *hal;
}

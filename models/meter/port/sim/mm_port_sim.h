/* The meter HAL implemented for the simulator host (RIOT's cpu/native idea).
 *
 * Each household owns one clock, one NVM and one random source.  The structs are public so
 * the simulator embeds them in its household records; only a banked NVM store allocates.  The
 * clock is set by the simulator from simulated time; the NVM lives in memory the simulator
 * provides, or for a banked store in blocks of its own (below), and can lose power after a
 * chosen number of written bytes (fault injection for recovery tests); the random source is
 * either the household's own stream, reached through a callback, or a built-in SplitMix64
 * seeded by the simulator.  Plain hosted C: no SimGrid, GSL or HDF5 here, the simulator adapts
 * its own streams to the callback.
 */
#ifndef MM_PORT_SIM_H
#define MM_PORT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm_hal_clock.h"
#include "mm_hal_nvm.h"
#include "mm_hal_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The RTC runs at (1 + drift_ppm 10^-6) times simulated time from the last set: it reads
 * utc_s + floor((sim_ms - utc_ms_base) (10^6 + drift_ppm) / 10^9).  A watch crystal is
 * specified at about +-20 ppm (about 1.7 s a day).  The ms counter does not drift (it comes
 * from the main oscillator). */
struct mm_hal_clock {
    uint64_t sim_ms;      /* simulated time since the meter powered up [ms] */
    uint64_t utc_ms_base; /* sim_ms when utc_s was last set [ms] */
    uint32_t utc_s;       /* RTC at sim_ms = utc_ms_base [s since 1970] */
    int32_t drift_ppm;    /* RTC rate error, + runs fast [ppm] */
    bool utc_valid;       /* false: RTC lost (flat backup battery) */
};

void mm_port_sim_clock_init(mm_hal_clock *clk, uint32_t utc_s);
/* Advance to SIM_MS (never backwards; an earlier value is ignored). */
void mm_port_sim_clock_set_ms(mm_hal_clock *clk, uint64_t sim_ms);
void mm_port_sim_clock_lose_rtc(mm_hal_clock *clk);
/* Drift from now on: the RTC is re-based at the current reading, then runs at the new rate.
 * |PPM| < 10^6. */
void mm_port_sim_clock_set_drift(mm_hal_clock *clk, int32_t ppm);
/* The earliest simulated time [ms] at which the RTC reads at least UTC_S (the current sim_ms
 * if it already does).  With mm_clock_next_boundary this tells the simulator when the meter
 * will close its half-hour. */
uint64_t mm_port_sim_clock_sim_ms_at(const mm_hal_clock *clk, uint32_t utc_s);

/* A store kept in two ways.
 * - Plain (mm_port_sim_nvm_init): every byte of the NVM in MEM, the caller's.
 * - Banked (mm_port_sim_nvm_init_banked), for a meter whose records are mm/persist.h's two
 *   banks at BANK_ADDR.  It keeps the bytes below BANK_ADDR (none until the meter writes
 *   there: they read erased, 0xFF) and one bank, the one with the newest intact record (bank
 *   0 before there is any), coded (below).  The other bank reads erased, but during a save to
 *   it: its bytes go to the pool's buffer, shared by the meters of a pool, and are settled
 *   before another meter of the pool writes its own other bank (or at
 *   mm_port_sim_nvm_pool_settle).  Settling keeps the buffer as the meter's bank when it holds
 *   an intact record newer than the kept bank's (the save completed), and otherwise drops it
 *   (a save cut short).  So a superseded record, or what a cut save left, is erased as a
 *   flash part's translation layer would reclaim it.  mm_persist_load takes the valid bank
 *   with the higher sequence; the kept bank is that one, whatever the other held, so a meter
 *   loads what it would from a store of both banks (test_port_sim.c checks it, saves cut
 *   after any number of bytes).  That holds for a meter that, as mm/persist.h does, never
 *   writes the bank holding its newest record while an older one is in the other: a meter
 *   that starts its sequence again over an intact record would, with both banks, later find
 *   the older record in the other bank; here it finds that bank erased.
 *   The kept bank is coded against the pool's reference, the first bank the pool coded: which
 *   4-byte words differ from the reference's (mm_port_sim_xor_code), then those words XOR the
 *   reference's.  A meter's record is mostly zero words and fields most meters' records share,
 *   so the default meter's 656-byte bank takes about 150 bytes, block and all.  It is decoded
 *   into the pool's view when its meter reads or writes it (a load after a power cut, the first
 *   save), and coded again when the view goes to another meter or the pool settles.  The coded
 *   bank and any bytes below the banks are blocks from malloc: mm_port_sim_nvm_release gives
 *   them back.
 * SIZE is the NVM the meter sees either way. */
typedef struct mm_port_sim_nvm_pool {
    mm_hal_nvm *owner;  /* whose other bank BUF holds, or NULL */
    mm_hal_nvm *viewer; /* whose kept bank VIEW holds plain, or NULL */
    uint8_t *buf, *view, *ref, *out; /* in the caller's block (mm_port_sim_nvm_pool_bytes):
                                      * a bank each, and the coder's output */
    uint32_t bank_max;  /* the largest bank of its stores [bytes] */
    bool dirty;         /* VIEW written since it was decoded */
    bool has_ref;       /* REF holds the reference */
    bool nomem;         /* a block could not be had: a store lost a save (the caller fails) */
    uint64_t held;      /* bytes its stores hold in blocks (coded banks, bytes below banks) */
} mm_port_sim_nvm_pool;

struct mm_hal_nvm {
    uint8_t *mem;    /* plain: the caller's storage; banked: the bytes below the banks, NULL
                      * while they read erased */
    uint8_t *code;   /* banked: the kept bank coded, NULL while it reads erased */
    mm_port_sim_nvm_pool *pool; /* NULL: plain */
    uint64_t budget; /* bytes that may still be written before the power cut */
    uint32_t size;   /* [bytes] */
    uint32_t writes; /* completed write calls, for tests [count] */
    uint32_t bank_addr, bank_size; /* banked: the first bank [address], a bank [bytes] */
    uint32_t kept_seq;             /* its sequence number, when KEPT_OK */
    bool cut;        /* power lost: writes fail with MM_EIO until restored */
    uint8_t kept;    /* banked: the bank kept, 0 or 1 */
    uint8_t kept_ok; /* banked: 1 its record is known intact (KEPT_SEQ), 0 not known */
};

/* Storage MEM of SIZE bytes, erased to 0xFF (a fresh part), no cut armed. */
void mm_port_sim_nvm_init(mm_hal_nvm *nvm, void *mem, uint32_t size);
/* Bytes a banked store shows: BANK_ADDR + 2 banks; and those it keeps (copy, load): BANK_ADDR
 * + 1 bank. */
uint32_t mm_port_sim_nvm_banked_size(uint32_t bank_addr, uint32_t bank_size);
uint32_t mm_port_sim_nvm_banked_bytes(uint32_t bank_addr, uint32_t bank_size);
/* An erased banked store of POOL, holding no block.  BANK_SIZE must be at least
 * mm/persist.h's overhead and at most the pool's BANK_MAX. */
void mm_port_sim_nvm_init_banked(mm_hal_nvm *nvm, uint32_t bank_addr, uint32_t bank_size,
                                 mm_port_sim_nvm_pool *pool);
/* Give back a banked store's blocks and take it out of its pool: it reads erased.  Accepts a
 * plain store (nothing to do) and a zeroed record. */
void mm_port_sim_nvm_release(mm_hal_nvm *nvm);
/* A copy of a banked store's record made before its blocks were given back (through another
 * copy): it names them no more, and reads erased.  Nothing is given back; the pool holds
 * nothing of it (the caller let go of the pool first, mm_port_sim_nvm_pool_leave). */
void mm_port_sim_nvm_disown(mm_hal_nvm *nvm);
/* Bytes of the block a pool of banks of at most BANK_MAX (1 to 2^28) bytes needs. */
size_t mm_port_sim_nvm_pool_bytes(uint32_t bank_max);
/* A pool over BLOCK (mm_port_sim_nvm_pool_bytes), no meter's save in it. */
void mm_port_sim_nvm_pool_init(mm_port_sim_nvm_pool *pool, void *block, uint32_t bank_max);
/* Settle the save the pool holds, if any, and code its view back if written (before the
 * stores are copied or released, or their blocks counted). */
void mm_port_sim_nvm_pool_settle(mm_port_sim_nvm_pool *pool);
/* Settle the pool, as mm_port_sim_nvm_pool_settle, and let go of its view: it then holds
 * nothing of any store, and the next store reached is decoded afresh.  For a caller whose
 * stores take turns at one address (the simulator keeps a meter's store in its state's view),
 * before another store comes to that address.  Whether it held anything (a store's record may
 * then have changed). */
bool mm_port_sim_nvm_pool_leave(mm_port_sim_nvm_pool *pool);
/* The store's bytes as a plain store of mm_hal_nvm_size bytes shows them, into OUT. */
void mm_port_sim_nvm_image(const mm_hal_nvm *nvm, uint8_t *out);
/* Take IMAGE, a plain store's mm_hal_nvm_size bytes, into the banked store NVM (settled):
 * the bank with the newest intact record is kept, the other dropped. */
void mm_port_sim_nvm_adopt(mm_hal_nvm *nvm, const uint8_t *image);
/* What a banked store keeps (mm_port_sim_nvm_banked_bytes: the bytes below the banks, then
 * the kept bank) into OUT; and back from IN, the rest of the record (which bank is kept, its
 * sequence) as it is: a checkpoint of the store. */
void mm_port_sim_nvm_copy_kept(const mm_hal_nvm *nvm, uint8_t *out);
void mm_port_sim_nvm_load_kept(mm_hal_nvm *nvm, const uint8_t *in);
/* Arm a power cut: after BYTES more bytes reach the store, the rest of that write and every
 * later write are lost (MM_EIO).  UINT64_MAX disarms. */
void mm_port_sim_nvm_cut_after(mm_hal_nvm *nvm, uint64_t bytes);
/* Power back: writes work again, contents are what reached the store. */
void mm_port_sim_nvm_restore(mm_hal_nvm *nvm);

/* The XOR coder the kept banks use, for any bytes a caller keeps against a reference of its
 * own.  Which of the SIZE bytes' 4-byte words differ from REF's is a bitmap (bit w % 8 of
 * byte w / 8), kept in two levels: first a summary of the bitmap's bytes (bit j % 8 of byte
 * j / 8 set when its byte j is not zero), then those bytes of it that are not zero, in order;
 * then each differing word XOR REF's, in order (a last word of fewer than 4 bytes is those
 * bytes).  A state differs from its reference in words here and there: about half of its
 * bitmap's bytes are zero, and the summary costs a bit for each.
 * mm_port_sim_xor_max: the most bytes a code of SIZE bytes takes;
 * mm_port_sim_xor_code: PLAIN coded into OUT (that many bytes), its length;
 * mm_port_sim_xor_decode: the SIZE bytes CODE codes, into OUT;
 * mm_port_sim_xor_span: the bytes of CODE (of SIZE bytes) that say words [W0, W1) (their
 * bitmap's bytes and the differing words among them; W0 and W1 multiples of 8, or W1 past
 * the last word). */
uint32_t mm_port_sim_xor_max(uint32_t size);
/* The bytes a block holding LEN bytes of code should have, given its CAP now (0: none): CAP
 * while LEN fits and has not shrunk by more than 48 bytes below it, else the size class of
 * LEN: multiples of 16 bytes up to 128, then four classes to each doubling (160, 192, 224,
 * 256, 320, ...), the sizes jemalloc (which the simulator links) hands out, so that a block
 * takes what it asks for and no more.  The kept banks' blocks follow it. */
uint32_t mm_port_sim_xor_room(uint32_t len, uint32_t cap);
uint32_t mm_port_sim_xor_code(const uint8_t *ref, const uint8_t *plain, uint32_t size,
                              uint8_t *out);
void mm_port_sim_xor_decode(const uint8_t *ref, const uint8_t *code, uint32_t size, uint8_t *out);
uint32_t mm_port_sim_xor_span(const uint8_t *code, uint32_t size, uint32_t w0, uint32_t w1);
/* Whether the coder may use AVX-512 (ON, the default) where the processor has it, or keeps
 * to SSE2 and plain C; whether it now does.  The code is the same either way (the tests run
 * both). */
bool mm_port_sim_xor_use_avx512(bool on);

/* The simulator's stream: fill LEN bytes; 0 or a negative code. */
typedef int (*mm_port_sim_rng_fn)(void *ctx, void *buf, size_t len);

struct mm_hal_rng {
    mm_port_sim_rng_fn fn; /* NULL: use the built-in SplitMix64 state */
    void *ctx;             /* passed to fn */
    uint64_t state;        /* SplitMix64 state (Steele, Lea, Flood 2014) */
};

void mm_port_sim_rng_init_seed(mm_hal_rng *rng, uint64_t seed);
void mm_port_sim_rng_init_fn(mm_hal_rng *rng, mm_port_sim_rng_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif

/* Checkpoint streams: one function per module both writes and reads its state.
 *
 * A long run saves its state at a window boundary and a new process, set up from the same
 * scenario, seed, build and firmware images, loads it and goes on as if never stopped (run.c,
 * sim/checkpoint.c).  Set-up rebuilds everything that does not change while the run goes
 * (topology, fleet at the start, outages, links), so a module's checkpoint holds only what
 * the run changes.  Each module has one function, `X_ckpt(X *x, sim_ckpt *c)`, that walks its
 * state in a fixed order calling the functions below; the stream writes the bytes when saving
 * and fills them when loading, so saving and loading cannot drift apart field by field.
 *
 * Plain records (no pointers) travel as their bytes: a checkpoint is loaded only by the build
 * that wrote it (the file's header names the build; checkpoint.c refuses any other), so their
 * layout is the same.  Pointers never travel: a module rebuilds them, or writes what they
 * point at and allocates it again when loading.  Tags between sections turn a drift between
 * the two directions into "expected section X" rather than garbage further on.
 *
 * Errors are sticky: after the first failure (a short read, a write error, a tag or length
 * that does not match) every call does nothing, and sim_ckpt_err tells what and where.
 */
#ifndef SIM_CKPT_H
#define SIM_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/vec.h"

typedef struct sim_ckpt sim_ckpt;

/* A stream writing to (LOADING false) or reading from F, which stays the caller's.  NULL:
 * out of memory. */
sim_ckpt *sim_ckpt_open(FILE *f, bool loading);
/* Frees C.  When saving, flushes its buffer first: 0, or -1 (then sim_ckpt_err says why). */
int sim_ckpt_close(sim_ckpt *c);

bool sim_ckpt_loading(const sim_ckpt *c);
/* The first failure's message, or NULL while none. */
const char *sim_ckpt_err(const sim_ckpt *c);
/* Bytes written or read so far. */
uint64_t sim_ckpt_offset(const sim_ckpt *c);
/* CRC-32 (zlib's) of every byte so far. */
uint32_t sim_ckpt_crc(const sim_ckpt *c);

/* N bytes at P. */
void sim_ckpt_bytes(sim_ckpt *c, void *p, size_t n);
#define SIM_CKPT(c, x) sim_ckpt_bytes((c), &(x), sizeof(x))
/* A section mark: writes TAG, or reads one and fails unless it is TAG. */
void sim_ckpt_tag(sim_ckpt *c, const char *tag);
/* A count that must be the same on both sides (the set-up made it): fails when the loaded
 * value differs from *N, with WHAT in the message. */
void sim_ckpt_same(sim_ckpt *c, uint64_t n, const char *what);
/* An array of *N records of SIZE bytes at *P (malloc'd, or NULL when *N is 0).  Loading
 * frees *P and allocates the loaded count (MAX: refused above it, a bound against a damaged
 * file).  *CAP, when not NULL, is set to the count allocated. */
void sim_ckpt_array(sim_ckpt *c, void **p, size_t *n, size_t *cap, size_t size, size_t max);
/* *N records of SIZE bytes in room for MAX at P (the set-up allocated it): the count, then
 * the records; loading refuses a count above MAX. */
void sim_ckpt_part(sim_ckpt *c, void *p, uint32_t *n, size_t size, uint32_t max);
/* A sim_vec of plain records (its record size must be the loaded one's). */
void sim_ckpt_vec(sim_ckpt *c, sim_vec *v);
/* Fail with a message of the caller's (loading a value the set-up cannot take). */
void sim_ckpt_fail(sim_ckpt *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

/* Random streams: one independent GSL generator per (seed, entity id, stream name).
 *
 * Every household and every model draws only from its own streams, so results do not
 * depend on the order areas run in, on partitioning or on the number of MPI ranks
 * (a run is a pure function of scenario, seed and firmware images).  A stream is GSL's taus2 generator (L'Ecuyer 1996,
 * period 2^88) whose 24-byte state lives inside the owner's record: no allocation per
 * stream.  The three state words are derived from the triple with SplitMix64 rather
 * than with gsl_rng_set, whose seeding keeps only 32 bits of the seed and would make
 * collisions likely among tens of millions of streams.
 *
 * A record of its own per household (the areas' columns, a household model's state) keeps
 * its streams packed (sim_rng_packed: 12 bytes, the words as 32-bit values, which taus2's
 * are) and draws through a sim_rng unpacked for the call.
 *
 * Not here: distributions (use gsl_ran_* on the generator from sim_rng_gsl).
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct sim_rng {
    unsigned long s[3]; /* taus2 state words, same layout as GSL's taus_state_t */
} sim_rng;

/* A stream kept in 12 bytes: the same words.  Draw from it as from sim_rng_unpack(P), then
 * sim_rng_pack it back: the stream goes on as if it had been drawn from in place. */
typedef struct sim_rng_packed {
    uint32_t s[3];
} sim_rng_packed;

static inline sim_rng sim_rng_unpack(const sim_rng_packed *p)
{
    return (sim_rng){{p->s[0], p->s[1], p->s[2]}};
}

static inline void sim_rng_pack(sim_rng_packed *p, const sim_rng *r)
{
    for (int k = 0; k < 3; k++) p->s[k] = (uint32_t)r->s[k];
}

/* Seed STREAM from (seed, entity, name). Same triple, same sequence, always. */
void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t entity, const char *name);

/* A gsl_rng view of R for gsl_ran_* calls; valid while R lives and TMP is in scope. */
static inline gsl_rng *sim_rng_gsl(sim_rng *r, gsl_rng *tmp)
{
    tmp->type = gsl_rng_taus2;
    tmp->state = r;
    return tmp;
}

/* Uniform in [0, 1). */
double sim_rng_uniform(sim_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
/* Uniform in [0, 1) from a packed stream. */
static inline double sim_rng_packed_uniform(sim_rng_packed *p)
{
    sim_rng r = sim_rng_unpack(p);
    double u = sim_rng_uniform(&r);
    sim_rng_pack(p, &r);
    return u;
}

uint64_t sim_hash64(uint64_t x);          /* SplitMix64 finaliser */
uint64_t sim_hash_str(const char *s);     /* FNV-1a 64 */

#endif

#include "sim/rng.h"

#include <assert.h>
#include <stddef.h>

uint64_t sim_hash64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t sim_hash_str(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3ULL;
    }
    return h;
}

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t entity, const char *name)
{
    /* taus2 needs s1 > 1, s2 > 7, s3 > 15 (L'Ecuyer 1996); GSL keeps 32-bit words. */
    static const unsigned long min_word[3] = {2, 8, 16};
    assert(gsl_rng_taus2->size == sizeof(r->s));
    uint64_t x = sim_hash64(seed ^ sim_hash64(entity ^ sim_hash64(sim_hash_str(name))));
    for (int i = 0; i < 3; i++) {
        x = sim_hash64(x + (uint64_t)i);
        unsigned long w = (unsigned long)(x & 0xFFFFFFFFUL);
        r->s[i] = w < min_word[i] ? w + min_word[i] : w;
    }
    /* Warm up as GSL's own seeding does, so the first outputs are well mixed. */
    gsl_rng g;
    sim_rng_gsl(r, &g);
    for (int i = 0; i < 6; i++) (void)gsl_rng_get(&g);
}

double sim_rng_uniform(sim_rng *r)
{
    gsl_rng g;
    return gsl_rng_uniform(sim_rng_gsl(r, &g));
}

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    assert(n > 0);
    gsl_rng g;
    sim_rng_gsl(r, &g);
    if (n <= 0xFFFFFFFFULL) return gsl_rng_uniform_int(&g, (unsigned long)n);
    uint64_t v = ((uint64_t)gsl_rng_get(&g) << 32) | (uint64_t)gsl_rng_get(&g);
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    while (v >= lim) v = ((uint64_t)gsl_rng_get(&g) << 32) | (uint64_t)gsl_rng_get(&g);
    return v % n;
}

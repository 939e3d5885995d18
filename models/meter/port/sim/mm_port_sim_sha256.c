/* SHA-256 (FIPS 180-4), with the x86 SHA extensions where the CPU has them (see the header). */
#include "mm_port_sim_sha256.h"

#include <string.h>

#if MM_PORT_SIM_SHA_NI
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The round constants: the first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return x >> n | x << (32u - n);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* N blocks at P into H, as FIPS 180-4 6.2.2 writes it. */
static void blocks_plain(uint32_t h[8], const uint8_t *p, size_t n)
{
    for (; n > 0; n--, p += 64) {
        uint32_t w[64];
        for (unsigned t = 0; t < 16; t++)
            w[t] = be32(p + 4 * t);
        for (unsigned t = 16; t < 64; t++) {
            uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], x = h[7];
        for (unsigned t = 0; t < 64; t++) {
            uint32_t t1 = x + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                          K[t] + w[t];
            uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            x = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += x;
    }
}

#if MM_PORT_SIM_SHA_NI
/* The same with SHA-NI.  The instructions keep the state as two vectors, (A, B, E, F) and
 * (C, D, G, H), and do two rounds per SHA256RNDS2 with the low two words of W + K;
 * SHA256MSG1 and MSG2 extend the message schedule four words at a time:
 *   W[4j..] = MSG2(MSG1(W[4j-16..], W[4j-12..]) + W[4j-7..], W[4j-4..])
 * where W[4j-7..] is the vector [4j-8..] shifted one word along into [4j-4..]. */
__attribute__((target("sha,sse4.1"))) static void blocks_ni(uint32_t h[8], const uint8_t *p,
                                                             size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1); /* words b a d c */
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B); /* words h g f e */
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; n > 0; n--, p += 64) {
        __m128i abef0 = abef, cdgh0 = cdgh, w[4];
        for (unsigned j = 0; j < 16; j++) {
            __m128i *wj = &w[j & 3];
            if (j < 4) {
                *wj = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), bswap);
            } else {
                __m128i m1 = _mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]);
                __m128i w7 = _mm_alignr_epi8(w[(j + 3) & 3], w[(j + 2) & 3], 4);
                *wj = _mm_sha256msg2_epu32(_mm_add_epi32(m1, w7), w[(j + 3) & 3]);
            }
            __m128i wk = _mm_add_epi32(*wj, _mm_loadu_si128((const __m128i *)&K[4 * j]));
            /* two rounds leave the new (A, B, E, F) in what held (C, D, G, H), whose new
             * value is the old (A, B, E, F): after four the names are right again */
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

static int have_sha_ni(void)
{
    static int known = -1;
    if (known < 0) {
        unsigned a, b, c, d;
        known = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1u) &&
                __get_cpuid(1, &a, &b, &c, &d) && (c >> 19 & 1u) /* SSE4.1 */ &&
                (c >> 9 & 1u) /* SSSE3 */;
    }
    return known;
}
#endif

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
#if MM_PORT_SIM_SHA_NI
    if (have_sha_ni()) {
        blocks_ni(h, p, n);
        return;
    }
#endif
    blocks_plain(h, p, n);
}

void mm_port_sha256_start(mm_port_sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->bytes = 0;
}

void mm_port_sha256_update(mm_port_sha256 *s, const void *data, size_t len)
{
    if (len == 0) return; /* DATA may then be NULL, which memcpy must not be given */
    const uint8_t *p = data;
    size_t fill = (size_t)(s->bytes % 64u);
    s->bytes += len;
    if (fill > 0) {
        size_t take = len < 64u - fill ? len : 64u - fill;
        memcpy(s->buf + fill, p, take);
        p += take;
        len -= take;
        if (fill + take < 64u) return;
        blocks(s->h, s->buf, 1);
    }
    blocks(s->h, p, len / 64u);
    memcpy(s->buf, p + len / 64u * 64u, len % 64u);
}

void mm_port_sha256_finish(mm_port_sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->bytes * 8u;
    size_t fill = (size_t)(s->bytes % 64u);
    s->buf[fill++] = 0x80;
    if (fill > 56u) {
        memset(s->buf + fill, 0, 64u - fill);
        blocks(s->h, s->buf, 1);
        fill = 0;
    }
    memset(s->buf + fill, 0, 56u - fill);
    for (unsigned i = 0; i < 8; i++)
        s->buf[56 + i] = (uint8_t)(bits >> (56u - 8u * i));
    blocks(s->h, s->buf, 1);
    for (unsigned i = 0; i < 8; i++)
        for (unsigned k = 0; k < 4; k++)
            out[4 * i + k] = (uint8_t)(s->h[i] >> (24u - 8u * k));
    mm_port_sha256_start(s);
}

void mm_port_sha256_digest(const void *data, size_t len, uint8_t out[32])
{
    mm_port_sha256 s;
    mm_port_sha256_start(&s);
    mm_port_sha256_update(&s, data, len);
    mm_port_sha256_finish(&s, out);
}

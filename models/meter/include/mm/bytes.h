/* Byte order of the meter's external formats: big-endian where GBCS fixes it (command frames,
 * UTRN authentication data, command responses), little-endian where the meter chooses
 * (NVM records, their headers and CRCs).  Every module reads and writes multi-byte fields
 * through these, so that a format depends on the call and never on the CPU's own byte order
 * or on a hand-written shift that differs from module to module.  Freestanding: static
 * inline, stdint only, for the firmware core and its ports alike.
 */
#ifndef MM_BYTES_H
#define MM_BYTES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The N bytes (0..8) at P as an unsigned big-endian integer. */
static inline uint64_t mm_get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The low N bytes (0..8) of V at P, big-endian. */
static inline void mm_put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8u * (n - 1u - i)));
}

/* The N bytes (0..8) at P as an unsigned little-endian integer. */
static inline uint64_t mm_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8u * i);
    return v;
}

/* The low N bytes (0..8) of V at P, little-endian. */
static inline void mm_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8u * i));
}

/* 32-bit reads are most of the traffic; these keep them in 32-bit arithmetic, which the
 * Cortex-M4 does in one register where the general forms above need two. */
static inline uint32_t mm_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t mm_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the CPU stores integers little-endian, so that a field's bytes are its value's own
 * (GCC and Clang say so; anything else takes the byte-by-byte path, which a test also builds
 * on purpose with MM_BYTES_NATIVE_LE=0). */
#ifndef MM_BYTES_NATIVE_LE
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MM_BYTES_NATIVE_LE 1
#else
#define MM_BYTES_NATIVE_LE 0
#endif
#endif

/* The loop of mm_put_le is left rolled by compilers when its caller is itself a loop, and even
 * spelled out, byte stores inside a loop are not always merged: on a little-endian CPU the
 * field is copied as it is, one store (unaligned stores are fine on x86-64 and Cortex-M4). */
static inline void mm_put_le32(uint8_t *p, uint32_t v)
{
#if MM_BYTES_NATIVE_LE
    __builtin_memcpy(p, &v, sizeof v);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
#endif
}

static inline void mm_put_le64(uint8_t *p, uint64_t v)
{
#if MM_BYTES_NATIVE_LE
    __builtin_memcpy(p, &v, sizeof v);
#else
    mm_put_le32(p, (uint32_t)v);
    mm_put_le32(p + 4, (uint32_t)(v >> 32));
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* MM_BYTES_H */

/* SHA-256 (FIPS 180-4) for the simulator's host side: the modelled MAC and signature tokens
 * of every command, the HAL's hash of firmware images, the digests of files in a trace's
 * provenance.  On x86-64 CPUs with the SHA extensions (checked with CPUID once) each block
 * takes a few dozen instructions (Intel's SHA-NI, also on AMD since Zen), elsewhere a plain
 * C compression function.  The simulator hashes a command at the head-end and again at the
 * meter, so under real-time prices this is per message work. */
#ifndef MM_PORT_SIM_SHA256_H
#define MM_PORT_SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Whether the SHA-extension path may be used at all (the CPU is asked as well); a test
 * builds the plain one alone with MM_PORT_SIM_SHA_NI=0. */
#ifndef MM_PORT_SIM_SHA_NI
#if defined(__x86_64__) && defined(__GNUC__)
#define MM_PORT_SIM_SHA_NI 1
#else
#define MM_PORT_SIM_SHA_NI 0
#endif
#endif

typedef struct mm_port_sha256 {
    uint32_t h[8];
    uint64_t bytes;  /* message length so far */
    uint8_t buf[64]; /* the block being filled: bytes % 64 of it */
} mm_port_sha256;

void mm_port_sha256_start(mm_port_sha256 *s);
void mm_port_sha256_update(mm_port_sha256 *s, const void *data, size_t len);
/* The digest into OUT; S is left started again (empty). */
void mm_port_sha256_finish(mm_port_sha256 *s, uint8_t out[32]);
void mm_port_sha256_digest(const void *data, size_t len, uint8_t out[32]);

#endif /* MM_PORT_SIM_SHA256_H */

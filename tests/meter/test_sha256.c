/* The simulator port's SHA-256 (mm_port_sim_sha256.c): FIPS 180-4's examples, and the digest of
 * every length from 0 to 300 bytes, fed whole and in random pieces, equal to mbedTLS's; built
 * once as the port is (the SHA extensions where the CPU has them) and once with
 * MM_PORT_SIM_SHA_NI=0 (the plain compression function alone). */
#include <criterion/criterion.h>
#include <mbedtls/sha256.h>
#include <stdio.h>
#include <string.h>

#include "mm_port_sim_sha256.h"

static void hex(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

Test(sha256, the_fips_180_examples)
{
    static const struct {
        const char *msg, *digest;
    } v[] = {
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    uint8_t none[32];
    mm_port_sha256_digest(NULL, 0, none); /* no data at all: the empty message */
    char hn[65];
    hex(none, hn);
    cr_expect_str_eq(hn, v[1].digest);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        char h[65];
        mm_port_sha256_digest(v[i].msg, strlen(v[i].msg), d);
        hex(d, h);
        cr_expect_str_eq(h, v[i].digest, "message %zu", i);
    }
    /* a million 'a' (FIPS 180-2 example 3), in pieces of 1000 */
    static char a[1000];
    memset(a, 'a', sizeof a);
    mm_port_sha256 s;
    mm_port_sha256_start(&s);
    for (int i = 0; i < 1000; i++)
        mm_port_sha256_update(&s, a, sizeof a);
    uint8_t d[32];
    char h[65];
    mm_port_sha256_finish(&s, d);
    hex(d, h);
    cr_expect_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, every_length_and_split_agrees_with_mbedtls)
{
    static uint8_t msg[300];
    uint64_t r = 99;
    for (size_t i = 0; i < sizeof msg; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        msg[i] = (uint8_t)(r >> 56);
    }
    for (size_t n = 0; n <= sizeof msg; n++) {
        uint8_t want[32], whole[32], split[32];
        cr_assert_eq(mbedtls_sha256_ret(msg, n, want, 0), 0);
        mm_port_sha256_digest(msg, n, whole);
        cr_assert(memcmp(whole, want, 32) == 0, "length %zu", n);
        mm_port_sha256 s;
        mm_port_sha256_start(&s);
        for (size_t at = 0; at < n;) {
            r = r * 6364136223846793005u + 1442695040888963407u;
            size_t piece = (size_t)(r >> 58) % 70u; /* 0 to 69 bytes: across block edges */
            if (piece > n - at) piece = n - at;
            mm_port_sha256_update(&s, msg + at, piece);
            at += piece;
        }
        mm_port_sha256_finish(&s, split);
        cr_assert(memcmp(split, want, 32) == 0, "length %zu in pieces", n);
        /* finish leaves the state started again: the empty message next */
        mm_port_sha256_finish(&s, split);
        cr_assert_eq(mbedtls_sha256_ret(msg, 0, want, 0), 0);
        cr_assert(memcmp(split, want, 32) == 0, "restarted after length %zu", n);
    }
}

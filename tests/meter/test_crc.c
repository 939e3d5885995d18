/* CRC-32/ISO-HDLC against published vectors (Greg Cook's CRC catalogue check value;
 * zlib crc32() for the others, the same algorithm). */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/crc.h"

static const struct {
    const char *data;
    uint32_t crc;
} vectors[] = {
    {"", 0x00000000u},
    {"a", 0xE8B7BE43u},
    {"abc", 0x352441C2u},
    {"123456789", 0xCBF43926u},
    {"The quick brown fox jumps over the lazy dog", 0x414FA339u},
};

Test(crc, known_strings_give_their_published_crc32)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
        cr_expect_eq(mm_crc32(0, vectors[i].data, strlen(vectors[i].data)), vectors[i].crc,
                     "\"%s\"", vectors[i].data);
}

Test(crc, feeding_the_bytes_in_any_chunks_gives_the_same_crc)
{
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    for (size_t cut = 0; cut <= n; cut++)
        cr_expect_eq(mm_crc32(mm_crc32(0, s, cut), s + cut, n - cut), 0x414FA339u, "cut %zu", cut);
}

Test(crc, a_single_flipped_bit_changes_the_crc)
{
    uint8_t rec[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint32_t good = mm_crc32(0, rec, sizeof rec);
    for (size_t bit = 0; bit < 8 * sizeof rec; bit++) {
        rec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_expect_neq(mm_crc32(0, rec, sizeof rec), good, "bit %zu", bit);
        rec[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

/* The reflected polynomial one bit at a time: the definition the tables are derived from. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = c & 1u ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

Test(crc, every_length_and_alignment_agrees_with_the_bitwise_definition)
{
    /* lengths around the 8-byte steps and a record's size, from every offset in a word */
    uint8_t buf[700];
    uint32_t x = 12345u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; off + n <= sizeof buf; n += n < 40 ? 1 : 37) {
            uint32_t want = crc32_bitwise(buf + off, n);
            cr_expect_eq(mm_crc32(0, buf + off, n), want, "off %zu len %zu", off, n);
            /* and continued from a register that is not the initial one */
            size_t k = n / 3;
            cr_expect_eq(mm_crc32(mm_crc32(0, buf + off, k), buf + off + k, n - k), want,
                         "off %zu len %zu in two calls", off, n);
        }
}

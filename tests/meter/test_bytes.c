/* Byte order of the meter's formats (mm/bytes.h): every put and get against bytes written
 * out by hand, at every offset of a buffer (unaligned fields), for the copy a little-endian
 * CPU makes and, built again with MM_BYTES_NATIVE_LE=0, for the byte-by-byte path. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/bytes.h"

static const uint64_t V = 0x0123456789ABCDEFull;
static const uint8_t LE[8] = {0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01};

Test(bytes, little_endian_fields_land_byte_for_byte_at_any_offset)
{
    for (unsigned off = 0; off < 8; off++) {
        uint8_t buf[24];
        memset(buf, 0x55, sizeof buf);
        mm_put_le32(buf + off, (uint32_t)V);
        cr_expect(memcmp(buf + off, LE, 4) == 0, "le32 at %u", off);
        cr_expect_eq(buf[off + 4], 0x55, "le32 wrote past its field at %u", off);
        cr_expect_eq(mm_get_le32(buf + off), (uint32_t)V, "le32 back at %u", off);
        memset(buf, 0x55, sizeof buf);
        mm_put_le64(buf + off, V);
        cr_expect(memcmp(buf + off, LE, 8) == 0, "le64 at %u", off);
        cr_expect_eq(buf[off + 8], 0x55, "le64 wrote past its field at %u", off);
        if (off > 0) cr_expect_eq(buf[off - 1], 0x55, "le64 wrote before its field at %u", off);
        cr_expect_eq(mm_get_le(buf + off, 8), V, "le64 back at %u", off);
        for (unsigned n = 0; n <= 8; n++) {
            memset(buf, 0x55, sizeof buf);
            mm_put_le(buf + off, V, n);
            cr_expect(memcmp(buf + off, LE, n) == 0, "le %u bytes at %u", n, off);
            cr_expect_eq(buf[off + n], 0x55, "le %u bytes wrote past at %u", n, off);
            uint64_t low = n == 8 ? V : V & (((uint64_t)1 << (8 * n)) - 1u);
            cr_expect_eq(mm_get_le(buf + off, n), low, "le %u bytes back at %u", n, off);
        }
    }
}

Test(bytes, big_endian_fields_are_the_reverse)
{
    uint8_t buf[8];
    mm_put_be(buf, V, 8);
    for (unsigned k = 0; k < 8; k++)
        cr_expect_eq(buf[k], LE[7 - k], "byte %u", k);
    cr_expect_eq(mm_get_be(buf, 8), V);
    cr_expect_eq(mm_get_be32(buf), (uint32_t)(V >> 32));
}

/* UTRN digits: GBCS Verhoeff check digit, field layout and the authenticated bytes
 * (see mm/utrn.h).  Pure functions, no HAL: the self-test and the sender side use them. */
#include <string.h>

#include "mm/arith.h"
#include "mm/bytes.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"

/* Verhoeff (1969): d is the multiplication table of the dihedral group D5, p[i] the i-th power
 * of the permutation (1 5 8 9 4 2 7 0)(3 6). */
static const uint8_t vh_d[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
    {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
    {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
};
static const uint8_t vh_p[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
    {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
};

#define VH_FIRST_ROW 4u /* GBCS 14.8 starts the permutation rows at 4 */

/* Fold digits into the running group element C from row K on; -1 for a non-digit. */
static int vh_run(const char *s, size_t n, unsigned c, unsigned k)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        c = vh_d[c][vh_p[k][(unsigned)(s[i] - '0')]];
        k = (k + 1u) & 7u;
    }
    return (int)c;
}

int mm_utrn_verhoeff_valid(const char *digits, size_t n)
{
    if (digits == NULL || n == 0) return MM_EMALFORMED;
    int c = vh_run(digits, n, 0, VH_FIRST_ROW);
    if (c < 0) return MM_EMALFORMED;
    return c == 0 ? MM_OK : MM_ECHECKDIGIT;
}

int mm_utrn_verhoeff_digit(const char *digits, size_t n, char *out)
{
    if (digits == NULL || out == NULL) return MM_EINVAL;
    int c = vh_run(digits, n, 0, VH_FIRST_ROW);
    if (c < 0) return MM_EMALFORMED;
    unsigned k = (unsigned)((VH_FIRST_ROW + n) & 7u);
    /* Exactly one digit closes the run at 0: rows of p and of d are permutations. */
    for (unsigned x = 0; x < 10; x++) {
        if (vh_d[c][vh_p[k][x]] == 0) {
            *out = (char)('0' + x);
            return MM_OK;
        }
    }
    return MM_EINVAL; /* unreachable with the tables above */
}

int mm_utrn_decode(const char *digits, size_t n, mm_utrn_fields *out)
{
    if (digits == NULL || out == NULL) return MM_EINVAL;
    if (n != MM_UTRN_DIGITS) return MM_EMALFORMED;
    int rc = mm_utrn_verhoeff_valid(digits, n);
    if (rc != MM_OK) return rc;
    uint64_t pptd = 0;
    for (size_t i = 0; i + 1 < MM_UTRN_DIGITS; i++) /* 19 digits < 10^19 < 2^64 */
        pptd = pptd * 10u + (uint64_t)(digits[i] - '0');
    if (pptd < MM_UTRN_PPTD_OFFSET) return MM_EMALFORMED;
    uint64_t ptut = pptd - MM_UTRN_PPTD_OFFSET;
    if ((ptut >> 57) != 0) return MM_EMALFORMED;
    unsigned cls = (unsigned)(ptut >> 45) & 3u;
    if (cls > MM_UTRN_POUNDS) return MM_EMALFORMED;
    out->counter10 = (uint16_t)((ptut >> 47) & 0x3FFu);
    out->value_class = (uint8_t)cls;
    out->value = (uint16_t)((ptut >> 32) & 0x1FFFu);
    out->tag = (uint32_t)ptut;
    return MM_OK;
}

static uint32_t ptut_high(const mm_utrn_fields *f)
{
    return ((uint32_t)(f->counter10 & 0x3FFu) << 15) | ((uint32_t)(f->value_class & 3u) << 13) |
           (uint32_t)(f->value & 0x1FFFu);
}

int mm_utrn_encode(const mm_utrn_fields *f, char out[MM_UTRN_DIGITS + 1])
{
    if (f == NULL || out == NULL || f->counter10 > 0x3FFu || f->value_class > MM_UTRN_POUNDS ||
        f->value > 0x1FFFu)
        return MM_EINVAL;
    uint64_t pptd = MM_UTRN_PPTD_OFFSET + (((uint64_t)ptut_high(f) << 32) | f->tag);
    for (int i = (int)MM_UTRN_DIGITS - 2; i >= 0; i--) {
        uint64_t r;
        pptd = mm_u64_divmod(pptd, 10u, &r);
        out[i] = (char)('0' + (int)r);
    }
    out[MM_UTRN_DIGITS] = '\0';
    return mm_utrn_verhoeff_digit(out, MM_UTRN_DIGITS - 1, &out[MM_UTRN_DIGITS - 1]);
}

void mm_utrn_auth_data(const uint8_t originator[8], const uint8_t target[8], uint64_t counter,
                       const mm_utrn_fields *f, uint8_t aad[MM_UTRN_AAD_LEN])
{
    memset(aad, 0, MM_UTRN_AAD_LEN);
    aad[0] = 0x11;
    memcpy(aad + 6, originator, 8);
    memcpy(aad + 14, target, 8);
    aad[22] = 0x01;
    mm_put_be(aad + 23, counter, 8);
    mm_put_be(aad + 31, ptut_high(f), 4);
}

void mm_utrn_nonce(const uint8_t originator[8], uint8_t nonce[MM_GCM_NONCE_LEN])
{
    memcpy(nonce, originator, 8);
    memset(nonce + 8, 0, 4);
}

mm_credit_t mm_utrn_amount(const mm_utrn_fields *f)
{
    return (mm_credit_t)f->value *
           (f->value_class == MM_UTRN_POUNDS ? MM_CREDIT_PER_POUND : MM_CREDIT_PER_PENNY);
}

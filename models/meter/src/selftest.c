/* Boot and CI self-tests (see mm/selftest.h).  Expected values are computed by hand from
 * the definitions (quotients and remainders of x / 3.6e9, 10^digits wraps) and the CRC-32
 * check value from the CRC catalogue; they must not be derived from the code under test. */
#include "mm/selftest.h"
#include "mm/bytes.h"
#include "mm/crc.h"
#include "mm/energy.h"
#include "mm/event_log.h"
#include "mm/meter.h"
#include "mm/money.h"
#include "mm/status_supply.h"
#include "mm/utrn.h"

#if MM_WITH_SELFTEST

static const struct {
    uint64_t uj;
    uint64_t wh;
    uint32_t rem;
} divmod_vectors[] = {
    {0u, 0u, 0u},
    {3599999999u, 0u, 3599999999u},
    {3600000000u, 1u, 0u},
    {4294967296u, 1u, 694967296u},                    /* 2^32 */
    {9223372030412324865u, 2562047786u, 812324865u},  /* (2^31 - 1)(2^32 - 1) */
    {18446744073709551615u, 5124095576u, 109551615u}, /* 2^64 - 1 */
};

static int check_energy(void)
{
    for (size_t i = 0; i < sizeof divmod_vectors / sizeof divmod_vectors[0]; i++) {
        uint32_t rem = 0;
        if (mm_uj_divmod_wh(divmod_vectors[i].uj, &rem) != divmod_vectors[i].wh ||
            rem != divmod_vectors[i].rem)
            return MM_ESELF_ENERGY;
    }
    return MM_OK;
}

/* 2562047786 mod 10^d, d = 0..18, written out so that the checks below hold for any
 * configured digit range and need no run-time 64-bit division; 10^d is mm_pow10's table. */
static const uint64_t full_scale_residue[19] = {
    0u,          6u,          86u,         786u,        7786u,       47786u,      47786u,
    2047786u,    62047786u,   562047786u,  2562047786u, 2562047786u, 2562047786u, 2562047786u,
    2562047786u, 2562047786u, 2562047786u, 2562047786u, 2562047786u,
};

static int check_wrap(void)
{
    mm_wh_t mod = 0;
    if (mm_modulus_for_digits(MM_REGISTER_DIGITS_MIN, &mod) != MM_OK ||
        mod != mm_pow10(MM_REGISTER_DIGITS_MIN))
        return MM_ESELF_WRAP;
    if (mm_modulus_for_digits(MM_REGISTER_DIGITS_MAX, &mod) != MM_OK ||
        mod != mm_pow10(MM_REGISTER_DIGITS_MAX))
        return MM_ESELF_WRAP;
    if (mm_modulus_for_digits(MM_REGISTER_DIGITS_MIN - 1, &mod) != MM_EINVAL ||
        mm_modulus_for_digits(MM_REGISTER_DIGITS_MAX + 1, &mod) != MM_EINVAL)
        return MM_ESELF_WRAP;
    if (mm_wh_add_mod(999999u, 2u, 1000000u) != 1u) return MM_ESELF_WRAP;
    if (mm_wh_add_mod(0u, 2562047786u, 1000000u) != 47786u) return MM_ESELF_WRAP;
    if (mm_wh_sub_mod(1u, 999999u, 1000000u) != 2u) return MM_ESELF_WRAP;
    return MM_OK;
}

static int check_crc(void)
{
    static const uint8_t check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    if (mm_crc32(0, check, sizeof check) != MM_CRC32_CHECK) return MM_ESELF_CRC;
    if (mm_crc32(mm_crc32(0, check, 4), check + 4, 5) != MM_CRC32_CHECK) return MM_ESELF_CRC;
    return MM_OK;
}

/* The largest interval the power path accepts, at full scale, then one exact Wh of export:
 * 2^31 - 1 mW and 2^31 mvar for 2^32 - 1 ms give 2562047786 Wh + 812324865 uJ and
 * 2562047787 varh + 1507292160 uJ, which the smallest configured register keeps mod 10^d. */
static int check_meter(void)
{
    static const mm_meter_config cfg = {.register_digits = MM_REGISTER_DIGITS_MIN};
    const uint64_t wh = full_scale_residue[MM_REGISTER_DIGITS_MIN];
    const uint64_t varh = wh + 1u; /* last digit 6 -> 7: no carry for any d >= 1 */
    mm_profile_slot log[2], s;
    mm_meter m;
    if (mm_meter_init(&m, &cfg, log, 2, 7) != MM_OK) return MM_ESELF_METER;
    mm_meter_advance(&m, INT32_MAX, INT32_MIN, UINT32_MAX);
    mm_meter_hh_close(&m);
    mm_meter_advance(&m, -3600000, 0, 1000);
    mm_meter_hh_close(&m);
    int ok =
        mm_meter_register(&m, MM_CH_IMPORT) == wh && m.reg[MM_CH_IMPORT].remainder == 812324865 &&
        mm_meter_register(&m, MM_CH_REXPORT) == varh &&
        m.reg[MM_CH_REXPORT].remainder == 1507292160 && mm_meter_register(&m, MM_CH_EXPORT) == 1u &&
        mm_meter_profile(&m, 1, &s) == MM_OK && s.period == 7u && s.wh[MM_CH_IMPORT] == wh &&
        s.wh[MM_CH_REXPORT] == varh && s.wh[MM_CH_EXPORT] == 0u &&
        mm_meter_profile(&m, 0, &s) == MM_OK && s.period == 8u && s.wh[MM_CH_EXPORT] == 1u &&
        s.wh[MM_CH_IMPORT] == 0u && mm_meter_profile(&m, 2, &s) == MM_ENOENT;
    mm_meter_deinit(&m);
    return ok ? MM_OK : MM_ESELF_METER;
}

/* Supply side: a published GBCS UTRN (gbcs-parser test vectors) passes the check digit and
 * decodes to 100 pounds at counter 1, one changed digit fails; 10 % of 2.50 pounds is 0.25;
 * an event ring of 2 keeps the newest two and queues the alert. */
static int check_supply(void)
{
    static const char utrn[] = "73943333457189043313";
    static const char typo[] = "73943333457189043323";
    mm_utrn_fields f;
    if (mm_utrn_decode(utrn, 20, &f) != MM_OK || f.counter10 != 1u ||
        f.value_class != MM_UTRN_POUNDS || f.value != 100u || f.tag != 0xD51CA60Bu ||
        mm_utrn_verhoeff_valid(typo, 20) != MM_ECHECKDIGIT)
        return MM_ESELF_SUPPLY;
    if (mm_credit_percent(250000, 10) != 25000) return MM_ESELF_SUPPLY;
    mm_event ring[2], ev;
    mm_event_log log;
    mm_event_log_init(&log, ring, 2);
    mm_event_log_add(&log, 1, 0x8F57u, 0, 0); /* logged only */
    mm_event_log_add(&log, 2, 0x8F51u, 0, 0); /* alert */
    mm_event_log_add(&log, 3, 0x8F57u, 0, 0);
    if (log.count != 2u || log.total != 3u || mm_event_log_get(&log, 1, &ev) != MM_OK ||
        ev.time != 2u || mm_event_log_next_alert(&log, &ev) != MM_OK || ev.code != 0x8F51u)
        return MM_ESELF_SUPPLY;
    return MM_OK;
}

int mm_selftest(void)
{
    int rc;
    if ((rc = check_energy()) != MM_OK) return rc;
    if ((rc = check_wrap()) != MM_OK) return rc;
    if ((rc = check_crc()) != MM_OK) return rc;
    if ((rc = check_supply()) != MM_OK) return rc;
    return check_meter();
}

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    while (n--)
        if (*a++ != *b++) return false;
    return true;
}

int mm_selftest_hal(const mm_hal_clock *clk, mm_hal_rng *rng, mm_hal_nvm *nvm)
{
    enum { PAYLOAD = MM_NVM_SELFTEST_LEN - 4 };
    uint8_t a[MM_NVM_SELFTEST_LEN], b[MM_NVM_SELFTEST_LEN], back[MM_NVM_SELFTEST_LEN];
    if (clk == NULL || rng == NULL || nvm == NULL) return MM_EINVAL;

    uint32_t t0 = mm_hal_clock_ms(clk);
    uint32_t t1 = mm_hal_clock_ms(clk);
    if ((uint32_t)(t1 - t0) >= 0x80000000u) return MM_ESELF_CLOCK; /* negative, mod 2^32 */

    if (mm_hal_rng_fill(rng, a, sizeof a) != MM_OK || mm_hal_rng_fill(rng, b, sizeof b) != MM_OK)
        return MM_EIO;
    if (same_bytes(a, b, sizeof a)) return MM_ESELF_RNG;

    /* Scratch record: fresh random payload (so a stale cell cannot pass) + CRC, LE. */
    if (mm_hal_nvm_size(nvm) < MM_NVM_SELFTEST_ADDR + MM_NVM_SELFTEST_LEN) return MM_EINVAL;
    uint32_t crc = mm_crc32(0, a, PAYLOAD);
    mm_put_le(a + PAYLOAD, crc, 4);
    if (mm_hal_nvm_write(nvm, MM_NVM_SELFTEST_ADDR, a, sizeof a) != MM_OK ||
        mm_hal_nvm_sync(nvm) != MM_OK ||
        mm_hal_nvm_read(nvm, MM_NVM_SELFTEST_ADDR, back, sizeof back) != MM_OK)
        return MM_EIO;
    uint32_t stored = mm_get_le32(back + PAYLOAD);
    if (mm_crc32(0, back, PAYLOAD) != stored || !same_bytes(a, back, sizeof a)) return MM_ECORRUPT;
    return MM_OK;
}

#else
typedef int mm_selftest_disabled; /* ISO C forbids an empty translation unit */
#endif /* MM_WITH_SELFTEST */

/* Fuzz target of the command path: frame parser, authentication checks, the ESME's command
 * dispatch and the UTRN keypad path (libFuzzer: clang -fsanitize=fuzzer,address,undefined;
 * run by run_fuzz.sh, and replayed over the corpus by test_command_corpus.c).
 *
 * It brings its own HAL -- the "fuzz port": a fixed clock, a RAM NVM, a counter RNG, and a
 * crypto HAL that accepts a MAC or signature whose first byte is 0xA5, so that the fuzzer gets
 * past authentication and reaches every command's payload handling (the real crypto is the
 * simulator port's business and is tested there; SHA-256 still comes from mbedTLS).
 *
 * Input: byte 0 selects what the rest is: 0 one command frame; 1 a UTRN typed on the keypad;
 * 2 a sequence of frames, each preceded by its length byte, a minute of 3 kW load between
 * them (prepayment mode, so credit, debt and the contactor move); 3 the parser alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "mm/esme.h"
#include "mm/status_supply.h"

struct mm_hal_clock {
    uint32_t utc;
    uint32_t ms;
};
struct mm_hal_nvm {
    uint8_t mem[2048];
};
struct mm_hal_rng {
    uint32_t n;
};
struct mm_hal_crypto {
    int unused;
};

uint32_t mm_hal_clock_ms(const mm_hal_clock *c)
{
    return c->ms;
}
int mm_hal_clock_utc_get(const mm_hal_clock *c, uint32_t *utc)
{
    *utc = c->utc;
    return MM_OK;
}
int mm_hal_clock_utc_set(mm_hal_clock *c, uint32_t utc)
{
    c->utc = utc;
    return MM_OK;
}
uint32_t mm_hal_nvm_size(const mm_hal_nvm *n)
{
    return (uint32_t)sizeof n->mem;
}
int mm_hal_nvm_read(const mm_hal_nvm *n, uint32_t a, void *b, size_t len)
{
    if (a > sizeof n->mem || len > sizeof n->mem - a) return MM_EINVAL;
    memcpy(b, n->mem + a, len);
    return MM_OK;
}
int mm_hal_nvm_write(mm_hal_nvm *n, uint32_t a, const void *b, size_t len)
{
    if (a > sizeof n->mem || len > sizeof n->mem - a) return MM_EINVAL;
    memcpy(n->mem + a, b, len);
    return MM_OK;
}
int mm_hal_nvm_sync(mm_hal_nvm *n)
{
    (void)n;
    return MM_OK;
}
int mm_hal_rng_fill(mm_hal_rng *r, void *buf, size_t len)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(++r->n * 131u);
    return MM_OK;
}
int mm_hal_crypto_sha256(mm_hal_crypto *c, const void *d, size_t len, uint8_t out[32])
{
    (void)c;
    return mbedtls_sha256_ret(d, len, out, 0) == 0 ? MM_OK : MM_EIO;
}
int mm_hal_crypto_sha256_start(mm_hal_crypto *c, mm_sha256_ctx *ctx)
{
    (void)c;
    mbedtls_sha256_context s;
    mbedtls_sha256_init(&s);
    int rc = mbedtls_sha256_starts_ret(&s, 0);
    memcpy(ctx->bytes, &s, sizeof s);
    return rc == 0 ? MM_OK : MM_EIO;
}
int mm_hal_crypto_sha256_update(mm_hal_crypto *c, mm_sha256_ctx *ctx, const void *d, size_t len)
{
    (void)c;
    mbedtls_sha256_context s;
    memcpy(&s, ctx->bytes, sizeof s);
    int rc = mbedtls_sha256_update_ret(&s, d, len);
    memcpy(ctx->bytes, &s, sizeof s);
    return rc == 0 ? MM_OK : MM_EIO;
}
int mm_hal_crypto_sha256_finish(mm_hal_crypto *c, mm_sha256_ctx *ctx, uint8_t out[32])
{
    (void)c;
    mbedtls_sha256_context s;
    memcpy(&s, ctx->bytes, sizeof s);
    return mbedtls_sha256_finish_ret(&s, out) == 0 ? MM_OK : MM_EIO;
}
int mm_hal_crypto_mac_verify(mm_hal_crypto *c, unsigned key, const uint8_t nonce[12],
                             const void *aad, size_t aad_len, const uint8_t *tag, size_t tag_len)
{
    (void)c, (void)key, (void)nonce, (void)aad, (void)aad_len;
    return tag_len >= 4 && tag[0] == 0xA5 ? MM_OK : MM_EAUTH;
}
int mm_hal_crypto_sig_verify(mm_hal_crypto *c, unsigned key, const uint8_t hash[32],
                             const uint8_t sig[64])
{
    (void)c, (void)key, (void)hash;
    return sig[0] == 0xA5 ? MM_OK : MM_EAUTH;
}

static struct {
    mm_hal_clock clk;
    mm_hal_nvm nvm;
    mm_hal_rng rng;
    mm_hal_crypto crypto;
    mm_profile_slot profile[8];
    mm_event events[16];
    mm_tariff_def tariff;
    mm_price_table prices;
    mm_fw_transfer fw;
    mm_esme_config cfg;
    mm_esme e;
} F;

static void setup(void)
{
    memset(&F, 0, sizeof F);
    F.clk.utc = 1704067200u;
    mm_tariff_def *d = &F.tariff;
    d->id = 1;
    d->n_seasons = 1;
    d->season[0] = (mm_tariff_season){.month = 1, .day = 1, .week = 0};
    d->day[0].n = 1;
    d->day[0].sw[0] = (mm_tariff_switch){.minute = 0, .rate = 0, .price_set = MM_TARIFF_NONE};
    d->tou_price[0] = 20;
    mm_esme_config *c = &F.cfg;
    c->meter.register_digits = 9;
    c->tariff = d;
    c->initial_mode = MM_MODE_PREPAYMENT;
    c->initial_credit = 200000;
    c->prepay.ec_threshold = 100000;
    c->prepay.ec_limit = 500000;
    c->prepay.time_debt[0] = (mm_time_debt_config){.rate = 1000, .period_s = 600};
    c->prepay.payment_debt_percent = 10;
    c->contactor.load_limit = (mm_load_limit){.threshold_w = 2500, .period_s = 30, .restore_s = 60};
    c->contactor.n_alcs = 1;
    c->contactor.alcs[0].n_points = 1;
    c->cmd.bad_threshold = 2;
    c->cmd.bad_window_s = 600;
    c->dither_window_s = 120;
    c->nvm_addr = MM_PERSIST_NVM_ADDR;
    mm_esme_hal hal = {&F.clk, &F.nvm, &F.rng, &F.crypto};
    mm_esme_storage st = {F.profile, 8, F.events, 16, 0, NULL, &F.prices, {0}, &F.fw};
    mm_esme_init(&F.e, &F.cfg, &hal, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    setup();
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    uint8_t resp[64];
    size_t rlen;
    mm_cmd_frame fr;
    switch (data[0] & 3u) {
    case 0:
        mm_esme_command(&F.e, p, n, resp, sizeof resp, &rlen);
        break;
    case 1:
        mm_esme_utrn_enter(&F.e, (const char *)p, n);
        break;
    case 2:
        while (n > 0) {
            size_t len = p[0];
            p++, n--;
            if (len > n) len = n;
            mm_esme_command(&F.e, p, len, resp, sizeof resp, &rlen);
            p += len, n -= len;
            F.clk.utc += 61u;
            mm_esme_advance(&F.e, 3000000, 100000, 61000u);
            if (n % 3u == 0) mm_esme_hh_close(&F.e);
            if (n % 5u == 0) mm_esme_button(&F.e);
            if (n % 7u == 0) {
                mm_esme_power_fail(&F.e);
                mm_esme_power_restore(&F.e);
            }
        }
        break;
    default:
        mm_cmd_parse(p, n, &fr);
        break;
    }
    mm_event ev;
    while (mm_esme_next_alert(&F.e, &ev) == MM_OK) {
    }
    return 0;
}

/* Waveform metrology in integers (see mm/metrology.h). */
#include <string.h>

#include "mm/arith.h"
#include "mm/metrology.h"

#define HALF_PI_Q16 102944 /* pi/2 x 2^16 = 102943.7 */

int mm_metrology_init(mm_metrology *mt, const mm_metrology_config *cfg)
{
    if (mt == NULL) return MM_EINVAL;
    memset(mt, 0, sizeof *mt);
    if (cfg == NULL || cfg->fs_hz < 1000u || cfg->fs_hz > 1000000u || cfg->f_nominal_mhz == 0 ||
        cfg->window_cycles < 1u || cfg->window_cycles > 50u || cfg->v_uv_per_code == 0 ||
        cfg->i_ua_per_code == 0)
        return MM_EINVAL;
    uint64_t gain = (uint64_t)cfg->v_uv_per_code * cfg->i_ua_per_code; /* uV uA = 1e-12 W */
    if (gain > ((uint64_t)1 << 30)) return MM_EINVAL;
    uint64_t quarter = 4u * (uint64_t)cfg->f_nominal_mhz, drem;
    uint64_t d = mm_u64_divmod((uint64_t)cfg->fs_hz * 1000u, quarter, &drem);
    if (drem != 0 || d < 1u || d > MM_METROLOGY_DELAY_MAX) return MM_EINVAL;
    mt->cfg = cfg;
    mt->delay = (uint16_t)d;
    /* ke = gain 1e-12 W / fs per sample = gain / (1e6 fs) uJ; kpw = gain / 1e9 mW (both Q32) */
    mt->ke = (int64_t)mm_u64_divmod(gain << 32, 1000000u * (uint64_t)cfg->fs_hz, NULL);
    mt->kpw = mm_u64_divmod(gain << 32, 1000000000u, NULL);
    uint64_t nominal = mm_u64_divmod((uint64_t)cfg->window_cycles * cfg->fs_hz * 1000u,
                                     cfg->f_nominal_mhz, NULL);
    mt->n_max = (uint32_t)(2u * nominal);
    return MM_OK;
}

void mm_metrology_deinit(mm_metrology *mt)
{
    if (mt != NULL) memset(mt, 0, sizeof *mt);
}

/* Move whole uJ out of a Q32 accumulator (floor), leaving 0 <= acc < 2^32. */
static inline int64_t take_whole(int64_t *acc)
{
    int64_t whole = *acc >> 32; /* arithmetic shift: floor (gcc, arm-none-eabi-gcc) */
    *acc = (int64_t)((uint64_t)*acc & 0xFFFFFFFFu);
    return whole;
}

static void route(mm_metrology *mt, mm_meter *m)
{
    uint32_t fs = mt->cfg->fs_hz;
    /* pend_n <= n_max + block <= ~2^21, so pend_n x 1000 fits 32 bits */
    uint32_t num = mt->ms_frac + mt->pend_n * 1000u;
    uint32_t dt_ms = num / fs;
    mt->ms_frac = num % fs;
    if (m != NULL) mm_meter_add_energy(m, mt->pend_p, mt->pend_q, dt_ms);
    mt->pend_p = 0;
    mt->pend_q = 0;
    mt->pend_n = 0;
}

static uint32_t sat_u32(uint64_t x)
{
    return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

static int32_t sat_i32(int64_t x)
{
    return x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : (int32_t)x;
}

/* Mean of a signed window sum, times a Q32 gain: |mean| <= 2^30, gain < 2^33. */
static int64_t scaled_mean(int64_t sum, uint32_t n, uint64_t gain_q32)
{
    uint64_t mag = sum < 0 ? 0u - (uint64_t)sum : (uint64_t)sum;
    uint64_t mean = mm_u64_divmod(mag, n, NULL);
    int64_t v = (int64_t)((mean * gain_q32) >> 32);
    return sum < 0 ? -v : v;
}

/* RMS [uV or uA] of a window sum of squares with GAIN per code, via 4 fraction bits. */
static uint64_t rms(uint64_t sum_sq, uint32_t n, uint32_t gain)
{
    uint32_t r_q4 = mm_isqrt64(mm_u64_divmod(sum_sq << 8, n, NULL));
    return (uint64_t)r_q4 * gain >> 4;
}

/* The window ends at a rising crossing at FRAC_Q8 (0 < frac <= 256) before the current
 * sample, which is not part of it. */
static void close_window(mm_metrology *mt, int32_t frac_q8, mm_meter *m)
{
    const mm_metrology_config *c = mt->cfg;
    mm_metrology_result r;
    uint32_t n = mt->n_win;
    int32_t span_q8 = (int32_t)n * 256 + frac_q8 - 256 - mt->x0_q8; /* window_cycles periods */
    if (n == 0 || span_q8 <= 0) return;
    r.samples = n;
    r.f_mhz = sat_u32(mm_u64_divmod((uint64_t)mt->cycles * c->fs_hz * 256000u, (uint32_t)span_q8,
                                    NULL));
    r.vrms_mv = sat_u32(mm_u64_divmod(rms(mt->s_vv, n, c->v_uv_per_code), 1000u, NULL));
    r.irms_ma = sat_u32(mm_u64_divmod(rms(mt->s_ii, n, c->i_ua_per_code), 1000u, NULL));
    r.p_mw = sat_i32(scaled_mean(mt->s_p, n, mt->kpw));
    /* Q = raw + d P, d = (pi/2)(f - f0)/f0 [Q16] */
    int64_t corr = mt->s_p * mt->delta_q16;
    int64_t q_sum = mt->s_q + (corr >= 0 ? corr >> 16 : -((-corr) >> 16));
    r.q_mvar = sat_i32(scaled_mean(q_sum, n, mt->kpw));
    r.s_mva = sat_u32(mm_u64_divmod((uint64_t)r.vrms_mv * r.irms_ma, 1000u, NULL));
    if (r.s_mva == 0) {
        r.pf_e4 = 0;
    } else {
        uint64_t mag = (uint64_t)(r.p_mw < 0 ? -(int64_t)r.p_mw : (int64_t)r.p_mw) * 10000u;
        uint64_t pf = mm_u64_divmod(mag, r.s_mva, NULL);
        if (pf > 10000u) pf = 10000u;
        r.pf_e4 = (int16_t)(r.p_mw < 0 ? -(int32_t)pf : (int32_t)pf);
    }
    mt->last = r;
    mt->windows++;

    /* The delay's phase error at this frequency, for the next window and the energy. */
    int32_t df = (int32_t)r.f_mhz - (int32_t)c->f_nominal_mhz;
    if (df > 20000) df = 20000;
    if (df < -20000) df = -20000;
    /* |df| x pi/2 <= 20000 x 102944 < 2^31: a 32-bit division */
    mt->delta_q16 = df * HALF_PI_Q16 / (int32_t)c->f_nominal_mhz;
    int64_t kc = mt->ke * (mt->delta_q16 < 0 ? -mt->delta_q16 : mt->delta_q16); /* < 2^49 */
    mt->kc = mt->delta_q16 < 0 ? -(kc >> 16) : kc >> 16;

    route(mt, m);
    if (m != NULL) {
        mm_meter_set_voltage(m, r.vrms_mv);
        mm_meter_set_demand(m, r.p_mw);
    }
}

static void start_window(mm_metrology *mt, int32_t frac_q8)
{
    mt->s_vv = mt->s_ii = 0;
    mt->s_p = mt->s_q = 0;
    mt->n_win = 0;
    mt->cycles = 0;
    mt->x0_q8 = frac_q8 - 256;
    mt->in_window = 1;
}

void mm_metrology_process(mm_metrology *mt, const int16_t *v, const int16_t *i, size_t n,
                          mm_meter *m)
{
    if (mt == NULL || mt->cfg == NULL || (n > 0 && (v == NULL || i == NULL))) return;
    const int32_t hyst = mt->cfg->zc_hysteresis;
    for (size_t k = 0; k < n; k++) {
        int32_t vs = v[k], is = i[k];
        int32_t vd = mt->vdelay[mt->dpos];
        mt->vdelay[mt->dpos] = (int16_t)vs;
        mt->dpos = (uint16_t)(mt->dpos + 1u == mt->delay ? 0u : mt->dpos + 1u);

        /* Zero crossing first: a window that ends here does not include this sample. */
        if (vs < -hyst) mt->armed = 1;
        if (mt->armed && mt->prev_v < 0 && vs >= 0) {
            int32_t frac_q8 = (-(int32_t)mt->prev_v * 256) / (vs - mt->prev_v);
            mt->armed = 0;
            if (!mt->in_window) {
                start_window(mt, frac_q8);
            } else if (++mt->cycles == mt->cfg->window_cycles) {
                close_window(mt, frac_q8, m);
                start_window(mt, frac_q8);
            }
        }
        mt->prev_v = (int16_t)vs;

        int32_t pp = vs * is, pq = vd * is; /* |.| <= 2^30 */
        mt->acc_p += (int64_t)pp * mt->ke;
        mt->acc_q += (int64_t)pq * mt->ke + (int64_t)pp * mt->kc;
        mt->pend_p += take_whole(&mt->acc_p);
        mt->pend_q += take_whole(&mt->acc_q);
        mt->pend_n++;
        if (mt->in_window) {
            mt->s_vv += (uint64_t)((int64_t)vs * vs);
            mt->s_ii += (uint64_t)((int64_t)is * is);
            mt->s_p += pp;
            mt->s_q += pq;
            if (++mt->n_win > mt->n_max) mt->in_window = 0; /* no mains crossing: give up */
        }
        if (mt->pend_n >= mt->n_max) route(mt, m);
    }
}

int mm_metrology_get(const mm_metrology *mt, mm_metrology_result *out)
{
    if (mt == NULL || out == NULL) return MM_EINVAL;
    if (mt->windows == 0) return MM_ENOENT;
    *out = mt->last;
    return MM_OK;
}

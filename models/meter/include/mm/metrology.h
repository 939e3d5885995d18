/* Metrology: the waveform path of the meter -- blocks of voltage and current ADC samples in,
 * RMS values, active and reactive power, power factor, line frequency and energy out, in
 * integers only.
 *
 * Method.
 * - Samples are int16 ADC codes; the calibration is two integer gains (uV and uA per code)
 *   set at manufacture.  Products v i are exact int32.
 * - Energy: every sample adds v i ke (ke = uJ per code^2 per sample in Q32) to a 64-bit
 *   accumulator from which whole uJ are moved out at once, the fraction carried, so the
 *   energy depends only on the sample sequence, never on how it is cut into blocks.
 * - Measurement windows of window_cycles line cycles (10 at 50 Hz, as IEC 61000-4-30 does for
 *   RMS) run from one rising zero crossing of the voltage to another (hysteresis
 *   zc_hysteresis codes), so RMS and power are averaged over whole cycles.  The window's net
 *   energy goes to the registers of its sign at its close (mm_meter_add_energy): a purely
 *   reactive load, whose instantaneous power swings both ways each cycle, adds nothing to
 *   export.  Without voltage crossings, energy is still routed every two nominal windows.
 * - Vrms, Irms: integer square root (mm_isqrt64) of the mean square, with 4 fraction bits.
 * - Frequency: cycles / time between the window's first and last crossings, each located to
 *   1/256 sample by linear interpolation.
 * - Reactive power: the voltage delayed by a quarter cycle at the nominal frequency
 *   (D = fs / (4 f_nominal) samples, e.g. 20 at 4 kHz, 50 Hz) times the current.  Away from
 *   the nominal frequency the delay is 90 deg (1 + df/f) and the raw product is
 *   Q cos d - P sin d (d = 90 deg df/f: 0.9 deg at 50.5 Hz, i.e. -0.9 % on Q at PF 0.5
 *   uncorrected); the measured frequency gives d and the core adds d P (first order, residual
 *   below 0.02 % for |df| <= 0.5 Hz) -- to the window's Q and to the reactive energy.
 *   With harmonics, harmonic n is shifted by n x 90 deg (the 3rd counts with the opposite
 *   sign): Q is the fundamental-dominated "quarter-period delay" reactive power, as many
 *   meters measure it; the standard for reactive energy is IEC 62053-23 (class 2, +-2 %).
 *
 * Deliberately not here: ADC drivers, phase/gain temperature compensation, anti-creep,
 * multi-phase.  No allocation; one context per measuring element.
 */
#ifndef MM_METROLOGY_H
#define MM_METROLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "mm/meter.h"
#include "mm/mm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mm_metrology_config {
    uint32_t fs_hz;         /* sampling rate [Hz], 1000..1000000 */
    uint32_t f_nominal_mhz; /* nominal line frequency [mHz]: 50000; fs/(4 f) must be whole */
    uint32_t v_uv_per_code; /* voltage gain [uV per code] */
    uint32_t i_ua_per_code; /* current gain [uA per code]; v x i gains <= 2^30 */
    uint16_t window_cycles; /* line cycles per measurement window, 1..50 (10 usual) */
    uint16_t zc_hysteresis; /* voltage below -this arms the next rising crossing [codes] */
} mm_metrology_config;

typedef struct mm_metrology_result {
    uint32_t vrms_mv;  /* [mV] */
    uint32_t irms_ma;  /* [mA] */
    int32_t p_mw;      /* active power, + import [mW] */
    int32_t q_mvar;    /* reactive power, + lagging (inductive) [mvar] */
    uint32_t s_mva;    /* apparent power Vrms x Irms [mVA] */
    int16_t pf_e4;     /* power factor P/S [1e-4], sign of P */
    uint32_t f_mhz;    /* line frequency [mHz] */
    uint32_t samples;  /* in the window */
} mm_metrology_result;

typedef struct mm_metrology {
    const mm_metrology_config *cfg;
    int64_t ke;          /* uJ per code^2 per sample [Q32] */
    int64_t kc;          /* ke x phase error of the delay [Q32], updated per window */
    uint64_t kpw;        /* mW per code^2 [Q32] */
    int64_t acc_p, acc_q;   /* energy fractions below 1 uJ [Q32 uJ], 0 <= x < 2^32 */
    int64_t pend_p, pend_q; /* whole uJ not yet routed to the meter */
    uint32_t pend_n;        /* samples since the last routing */
    uint32_t ms_frac;       /* time below 1 ms carried between routings [ms x fs] */
    uint64_t s_vv, s_ii;    /* window sums [code^2] */
    int64_t s_p, s_q;       /* window sums of v i and v_delayed i [code^2] */
    uint32_t n_win;         /* samples in the window */
    uint32_t n_max;         /* window longer than this: no mains, abandon it */
    int32_t x0_q8;          /* first crossing, relative to the window's first sample */
    int32_t delta_q16;      /* phase error of the delay [rad, Q16] */
    uint16_t cycles;        /* crossings so far in the window */
    uint16_t delay;         /* D [samples] */
    uint16_t dpos;          /* next slot of the delay line */
    int16_t prev_v;
    uint8_t armed;          /* voltage went below -hysteresis since the last crossing */
    uint8_t in_window;      /* a first crossing has been seen */
    int16_t vdelay[MM_METROLOGY_DELAY_MAX];
    uint32_t windows;       /* windows completed [count] */
    mm_metrology_result last;
} mm_metrology;

/* MM_EINVAL for a NULL argument or a configuration outside the ranges above. */
int mm_metrology_init(mm_metrology *mt, const mm_metrology_config *cfg);
void mm_metrology_deinit(mm_metrology *mt); /* accepts NULL */

/* N sample pairs V[k], I[k] taken at fs.  Each window that closes updates the result and,
 * if M is not NULL, adds its energy to M (mm_meter_add_energy) and sets M's voltage and
 * instantaneous demand.  Any split of a sample stream into blocks gives the same results
 * and registers. */
void mm_metrology_process(mm_metrology *mt, const int16_t *v, const int16_t *i, size_t n,
                          mm_meter *m);

/* The last completed window.  MM_ENOENT before the first. */
int mm_metrology_get(const mm_metrology *mt, mm_metrology_result *out);

#ifdef __cplusplus
}
#endif

#endif

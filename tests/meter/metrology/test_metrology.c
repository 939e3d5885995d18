/* Waveform metrology against generated waveforms, to the accuracy of a class 1 active energy
 * meter, IEC 62053-21:2003 (static meters for active energy, classes 1 and 2), percentage
 * error limits for class 1 at balanced/single-phase load:
 *   PF 1:                        +-1.5 % at 0.05 Ib <= I < 0.1 Ib, +-1.0 % from 0.1 Ib to Imax
 *   PF 0.5 inductive, 0.8 capac.: +-1.5 % at 0.1 Ib <= I < 0.2 Ib, +-1.0 % from 0.2 Ib to Imax
 * and, for reactive power, IEC 62053-23 class 2 (+-2.0 %; +-2.5 % at sin phi 0.5 and low
 * current).  Direct-connected meter: Un 230 V, Ib 10 A, Imax 100 A (a 100 A ESME, seed 002).  Sampling 4 kHz, 16-bit codes: 12207 uV/code (+-400 V) and
 * 4883 uA/code (+-160 A).  The waveforms are generated here with double math; the reference
 * values are the analytic ones (P = sum over harmonics of Vh Ih cos phi_h).  Also checked:
 * frequency 49.5..50.5 Hz, harmonics (3rd, 5th), block-split invariance. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm/energy.h"
#include "mm/metrology.h"

#define FS 4000u
#define KV 12207u
#define KI 4883u
#define IB 10.0

static const mm_metrology_config cfg = {.fs_hz = FS,
                                        .f_nominal_mhz = 50000,
                                        .v_uv_per_code = KV,
                                        .i_ua_per_code = KI,
                                        .window_cycles = 10,
                                        .zc_hysteresis = 200};
static const mm_meter_config mcfg = {.register_digits = 9};

typedef struct wave {
    double vrms, irms; /* fundamental [V], [A] */
    double phi_deg;    /* current lags voltage by phi (negative: leads) */
    double f;          /* [Hz] */
    double v3, v5;     /* voltage harmonics, fraction of the fundamental */
    double i3, i5;     /* current harmonics, fraction of the fundamental (in phase with V's) */
} wave;

static int16_t code(double x, double lsb)
{
    double c = floor(x / lsb + 0.5);
    return (int16_t)(c > 32767 ? 32767 : c < -32768 ? -32768 : c);
}

static void generate(const wave *w, size_t n, int16_t *v, int16_t *i)
{
    const double two_pi = 6.283185307179586, r2 = sqrt(2.0), phi = w->phi_deg * M_PI / 180.0;
    for (size_t k = 0; k < n; k++) {
        double a = two_pi * w->f * (double)k / FS;
        double vv = w->vrms * r2 * (sin(a) + w->v3 * sin(3 * a) + w->v5 * sin(5 * a));
        double ii = w->irms * r2 *
                    (sin(a - phi) + w->i3 * sin(3 * (a - phi)) + w->i5 * sin(5 * (a - phi)));
        v[k] = code(vv, KV * 1e-6);
        i[k] = code(ii, KI * 1e-6);
    }
}

/* Active power of the wave: fundamental plus the 3rd and 5th, each at phase shift n phi. */
static double p_ref(const wave *w)
{
    double phi = w->phi_deg * M_PI / 180.0;
    return w->vrms * w->irms *
           (cos(phi) + w->v3 * w->i3 * cos(3 * phi) + w->v5 * w->i5 * cos(5 * phi));
}

typedef struct measured {
    double p_err, e_err, q_err, v_err, i_err, f_err_hz;
    double pf;
} measured;

/* Run 2 s of W through a fresh metrology + meter, in blocks of BLOCK samples. */
static measured run(const wave *w, size_t block)
{
    enum { N = 2 * FS };
    static int16_t v[N], i[N];
    generate(w, N, v, i);
    mm_metrology mt;
    mm_meter m;
    cr_assert_eq(mm_metrology_init(&mt, &cfg), MM_OK);
    cr_assert_eq(mm_meter_init(&m, &mcfg, NULL, 0, 0), MM_OK);
    for (size_t k = 0; k < N; k += block)
        mm_metrology_process(&mt, v + k, i + k, N - k < block ? N - k : block, &m);
    mm_metrology_result r;
    cr_assert_eq(mm_metrology_get(&mt, &r), MM_OK);
    double pr = p_ref(w), phi = w->phi_deg * M_PI / 180.0;
    double vr = w->vrms * sqrt(1 + w->v3 * w->v3 + w->v5 * w->v5);
    double ir = w->irms * sqrt(1 + w->i3 * w->i3 + w->i5 * w->i5);
    double qr = w->vrms * w->irms * sin(phi);
    /* energy routed to the registers over the metered time */
    double e_uj = (double)m.reg[MM_CH_IMPORT].value * 3.6e9 + (double)m.reg[MM_CH_IMPORT].remainder;
    double t_s = (double)m.period_ms / 1000.0;
    measured out = {
        .p_err = 100.0 * (r.p_mw / 1e3 - pr) / pr,
        .e_err = 100.0 * (e_uj / 1e6 / t_s - pr) / pr,
        .q_err = fabs(qr) > 1e-9 ? 100.0 * (r.q_mvar / 1e3 - qr) / fabs(qr) : 0.0,
        .v_err = 100.0 * (r.vrms_mv / 1e3 - vr) / vr,
        .i_err = 100.0 * (r.irms_ma / 1e3 - ir) / ir,
        .f_err_hz = r.f_mhz / 1e3 - w->f,
        .pf = r.pf_e4 / 1e4,
    };
    return out;
}

static const struct {
    double i_ib;   /* current / Ib */
    double phi;    /* degrees: 0 PF 1, 60 PF 0.5 inductive, -36.87 PF 0.8 capacitive */
    double f;
    double v3, v5, i3, i5;
    double limit;  /* IEC 62053-21 class 1 [%] */
} cases[] = {
    /* PF 1 */
    {0.05, 0, 50, 0, 0, 0, 0, 1.5},   {0.1, 0, 50, 0, 0, 0, 0, 1.0},
    {1.0, 0, 50, 0, 0, 0, 0, 1.0},    {5.0, 0, 50, 0, 0, 0, 0, 1.0},
    {10.0, 0, 50, 0, 0, 0, 0, 1.0},
    /* PF 0.5 inductive, 0.8 capacitive */
    {0.1, 60, 50, 0, 0, 0, 0, 1.5},   {0.2, 60, 50, 0, 0, 0, 0, 1.0},
    {1.0, 60, 50, 0, 0, 0, 0, 1.0},   {10.0, 60, 50, 0, 0, 0, 0, 1.0},
    {0.1, -36.87, 50, 0, 0, 0, 0, 1.5}, {0.2, -36.87, 50, 0, 0, 0, 0, 1.0},
    {1.0, -36.87, 50, 0, 0, 0, 0, 1.0}, {10.0, -36.87, 50, 0, 0, 0, 0, 1.0},
    /* frequency 49.5 and 50.5 Hz (+-1 % of nominal) */
    {1.0, 0, 49.5, 0, 0, 0, 0, 1.0},  {1.0, 0, 50.5, 0, 0, 0, 0, 1.0},
    {1.0, 60, 49.5, 0, 0, 0, 0, 1.0}, {1.0, 60, 50.5, 0, 0, 0, 0, 1.0},
    {0.2, -36.87, 50.5, 0, 0, 0, 0, 1.0},
    /* harmonics: 10 % 5th in V and 40 % 3rd / 20 % 5th in I (a rectifier load) */
    {1.0, 0, 50, 0.02, 0.10, 0.40, 0.20, 1.0},
    {0.5, 60, 50, 0.02, 0.10, 0.40, 0.20, 1.0},
    {10.0, -36.87, 49.5, 0.02, 0.10, 0.40, 0.20, 1.0},
};

Test(metrology, active_power_and_energy_meet_iec_62053_21_class_1)
{
    double worst = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        wave w = {230.0, cases[k].i_ib * IB, cases[k].phi, cases[k].f,
                  cases[k].v3, cases[k].v5, cases[k].i3, cases[k].i5};
        measured e = run(&w, 160);
        fprintf(stderr,
                "metrology: I %6.2f A phi %6.2f f %4.1f h %d: P %+.4f %% E %+.4f %% Q %+.4f %% "
                "V %+.4f %% I %+.4f %% f %+.4f Hz PF %.4f (limit %.1f %%)\n",
                w.irms, w.phi_deg, w.f, cases[k].i3 > 0, e.p_err, e.e_err, e.q_err, e.v_err,
                e.i_err, e.f_err_hz, e.pf, cases[k].limit);
        cr_expect(fabs(e.p_err) <= cases[k].limit, "case %zu: P error %.4f %%", k, e.p_err);
        cr_expect(fabs(e.e_err) <= cases[k].limit, "case %zu: energy error %.4f %%", k, e.e_err);
        cr_expect(fabs(e.v_err) <= 0.5, "case %zu: Vrms error %.4f %%", k, e.v_err);
        cr_expect(fabs(e.i_err) <= 1.0, "case %zu: Irms error %.4f %%", k, e.i_err);
        cr_expect(fabs(e.f_err_hz) <= 0.01, "case %zu: frequency error %.4f Hz", k, e.f_err_hz);
        if (cases[k].i3 == 0 && cases[k].phi != 0)
            cr_expect(fabs(e.q_err) <= 2.0, "case %zu: Q error %.4f %% (IEC 62053-23 cl. 2)", k,
                      e.q_err);
        if (cases[k].i3 == 0)
            cr_expect(fabs(e.pf - cos(cases[k].phi * M_PI / 180)) <= 0.01, "case %zu: PF %.4f",
                      k, e.pf);
        if (fabs(e.e_err) > worst) worst = fabs(e.e_err);
    }
    fprintf(stderr, "metrology: worst energy error %.4f %%\n", worst);
}

Test(metrology, any_split_of_the_samples_into_blocks_gives_the_same_registers)
{
    enum { N = 3 * FS };
    static int16_t v[N], i[N];
    wave w = {231.0, 7.3, 37.0, 50.2, 0.01, 0.03, 0.2, 0.1};
    generate(&w, N, v, i);
    static const size_t blocks[] = {1, 3, 20, 80, 777, N};
    mm_meter ref;
    mm_metrology_result rr;
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        mm_metrology mt;
        mm_meter m;
        mm_metrology_result r;
        cr_assert_eq(mm_metrology_init(&mt, &cfg), MM_OK);
        cr_assert_eq(mm_meter_init(&m, &mcfg, NULL, 0, 0), MM_OK);
        for (size_t k = 0; k < N; k += blocks[b])
            mm_metrology_process(&mt, v + k, i + k, N - k < blocks[b] ? N - k : blocks[b], &m);
        cr_assert_eq(mm_metrology_get(&mt, &r), MM_OK);
        if (b == 0) {
            ref = m;
            rr = r;
            continue;
        }
        for (int ch = 0; ch < MM_CH_COUNT; ch++) {
            cr_expect_eq(m.reg[ch].value, ref.reg[ch].value, "block %zu ch %d", blocks[b], ch);
            cr_expect_eq(m.reg[ch].remainder, ref.reg[ch].remainder, "block %zu ch %d", blocks[b],
                         ch);
        }
        cr_expect_eq(m.period_ms, ref.period_ms);
        cr_expect_eq(r.p_mw, rr.p_mw);
        cr_expect_eq(r.q_mvar, rr.q_mvar);
        cr_expect_eq(r.f_mhz, rr.f_mhz);
        cr_expect_eq(r.vrms_mv, rr.vrms_mv);
    }
    cr_expect_gt(ref.reg[MM_CH_IMPORT].remainder + (int64_t)ref.reg[MM_CH_IMPORT].value, 0);
}

Test(metrology, a_purely_reactive_load_adds_no_active_energy_either_way)
{
    wave w = {230.0, 10.0, 90.0, 50.0, 0, 0, 0, 0};
    enum { N = 2 * FS };
    static int16_t v[N], i[N];
    generate(&w, N, v, i);
    mm_metrology mt;
    mm_meter m;
    cr_assert_eq(mm_metrology_init(&mt, &cfg), MM_OK);
    cr_assert_eq(mm_meter_init(&m, &mcfg, NULL, 0, 0), MM_OK);
    mm_metrology_process(&mt, v, i, N, &m);
    /* 2300 var for ~2 s = ~4600 J = ~1.28 varh; active: quantisation only, |P| < 0.05 % of S */
    mm_metrology_result r;
    cr_assert_eq(mm_metrology_get(&mt, &r), MM_OK);
    cr_expect(abs(r.p_mw) < 1150, "P %d mW", r.p_mw);
    cr_expect_eq(mm_meter_register(&m, MM_CH_RIMPORT), 1u);
    cr_expect_lt(m.reg[MM_CH_IMPORT].remainder + m.reg[MM_CH_EXPORT].remainder, 3600000000LL / 1000);
    cr_expect_eq(mm_meter_register(&m, MM_CH_EXPORT), 0u);
}

Test(metrology, init_rejects_configurations_it_cannot_measure_exactly)
{
    mm_metrology mt;
    mm_metrology_config c = cfg;
    cr_expect_eq(mm_metrology_init(&mt, &c), MM_OK);
    c.fs_hz = 4100; /* 4100 / 200 is not a whole number of samples */
    cr_expect_eq(mm_metrology_init(&mt, &c), MM_EINVAL);
    c = cfg;
    c.v_uv_per_code = 1u << 20;
    c.i_ua_per_code = 1u << 11; /* gain product 2^31 > 2^30 */
    cr_expect_eq(mm_metrology_init(&mt, &c), MM_EINVAL);
    c = cfg;
    c.fs_hz = 51200; /* D = 256 > MM_METROLOGY_DELAY_MAX */
    cr_expect_eq(mm_metrology_init(&mt, &c), MM_EINVAL);
    cr_expect_eq(mm_metrology_init(NULL, &cfg), MM_EINVAL);
    mm_metrology_deinit(NULL);
    mm_metrology_result r;
    cr_assert_eq(mm_metrology_init(&mt, &cfg), MM_OK);
    cr_expect_eq(mm_metrology_get(&mt, &r), MM_ENOENT);
}

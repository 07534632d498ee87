/* ht_neuron numerics: parameters and their checks, derived constants, the right-hand side of
 * kernel spec §3.1 (NEST's exact formulas, and a faster vectorised variant), NEST's GSL RKF45
 * evolve of §2 written out for 16 variables (no allocation, no function pointers), and one
 * simulation step in NEST's order. The integrator follows GSL 2.7's rkf45/standard-control/
 * evolve operation by operation, so trajectories agree with gsl_odeiv_evolve_apply bit for bit
 * (tests/unit/models/test_ht_dynamics.c checks this). */
#include "models/ht_neuron_dynamics.h"
#include "models/ht_neuron_rk.h"
#include "models/ht_vexp.h"

#ifdef __clang__
/* NEST's a*b + c are two roundings; clang would fuse them in the AVX2+FMA function below (GCC's
 * ISO mode never contracts). */
#pragma STDC FP_CONTRACT OFF
#endif

#include <float.h>
#include <math.h>
#include <string.h>

const char *const dn_ht_receptor_names[DN_HT_NRECEPTORS] = {"AMPA", "NMDA", "GABA_A", "GABA_B"};

const char *const dn_ht_recordable_names[DN_HT_NRECORDABLES] = {
    "V_m", "theta", "g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B", "I_NaP", "I_KNa", "I_T", "I_h"};

/* ---- parameters --------------------------------------------------------------------------- */

void dn_ht_params_default(dn_ht_params *p)
{
#define DEFAULT(name, unit, kind, range, def, doc) p->name = (DN_HT_CTYPE_##kind)(def);
    DN_HT_PARAMS(DEFAULT)
#undef DEFAULT
}

/* The synapse parameters of one receptor port, for the checks and the normalisation. */
static void receptor_params(const dn_ht_params *p, int port, double *g_peak, double *tau_rise,
                            double *tau_decay)
{
    switch (port) {
    case DN_HT_AMPA:
        *g_peak = p->g_peak_AMPA, *tau_rise = p->tau_rise_AMPA, *tau_decay = p->tau_decay_AMPA;
        break;
    case DN_HT_NMDA:
        *g_peak = p->g_peak_NMDA, *tau_rise = p->tau_rise_NMDA, *tau_decay = p->tau_decay_NMDA;
        break;
    case DN_HT_GABA_A:
        *g_peak = p->g_peak_GABA_A, *tau_rise = p->tau_rise_GABA_A;
        *tau_decay = p->tau_decay_GABA_A;
        break;
    default:
        *g_peak = p->g_peak_GABA_B, *tau_rise = p->tau_rise_GABA_B;
        *tau_decay = p->tau_decay_GABA_B;
        break;
    }
}

dn_status dn_ht_params_check(const dn_ht_params *p, dn_error *err)
{
    /* Kernel spec §3.1 "Checks". NaN fails every test below on purpose (comparisons are false). */
    const struct {
        const char *name;
        double v;
    } nonneg[] = {
        {"g_NaL", p->g_NaL},
        {"g_KL", p->g_KL},
        {"g_peak_AMPA", p->g_peak_AMPA},
        {"g_peak_NMDA", p->g_peak_NMDA},
        {"g_peak_GABA_A", p->g_peak_GABA_A},
        {"g_peak_GABA_B", p->g_peak_GABA_B},
        {"g_peak_NaP", p->g_peak_NaP},
        {"g_peak_KNa", p->g_peak_KNa},
        {"g_peak_T", p->g_peak_T},
        {"g_peak_h", p->g_peak_h},
        {"S_act_NMDA", p->S_act_NMDA},
        {"t_ref", p->t_ref},
    };
    for (size_t i = 0; i < sizeof nonneg / sizeof nonneg[0]; i++)
        if (!(nonneg[i].v >= 0.0))
            return dn_error_set(err, DN_EINPUT, NULL, NULL, "ht_neuron: %s must be >= 0 (got %g)",
                                nonneg[i].name, nonneg[i].v);
    const struct {
        const char *name;
        double v;
    } pos[] = {
        {"tau_m", p->tau_m},
        {"tau_theta", p->tau_theta},
        {"tau_spike", p->tau_spike},
        {"tau_rise_AMPA", p->tau_rise_AMPA},
        {"tau_decay_AMPA", p->tau_decay_AMPA},
        {"tau_rise_NMDA", p->tau_rise_NMDA},
        {"tau_decay_NMDA", p->tau_decay_NMDA},
        {"tau_Mg_fast_NMDA", p->tau_Mg_fast_NMDA},
        {"tau_Mg_slow_NMDA", p->tau_Mg_slow_NMDA},
        {"tau_rise_GABA_A", p->tau_rise_GABA_A},
        {"tau_decay_GABA_A", p->tau_decay_GABA_A},
        {"tau_rise_GABA_B", p->tau_rise_GABA_B},
        {"tau_decay_GABA_B", p->tau_decay_GABA_B},
        {"tau_D_KNa", p->tau_D_KNa},
    };
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++)
        if (!(pos[i].v > 0.0) || isinf(pos[i].v))
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "ht_neuron: %s must be a finite time constant > 0 ms (got %g)",
                                pos[i].name, pos[i].v);
    for (int port = 0; port < DN_HT_NRECEPTORS; port++) {
        double g, tr, td;
        receptor_params(p, port, &g, &tr, &td);
        if (!(tr < td))
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "ht_neuron: tau_rise_%s (%g ms) must be smaller than "
                                "tau_decay_%s (%g ms)",
                                dn_ht_receptor_names[port], tr, dn_ht_receptor_names[port], td);
    }
    if (!(p->tau_Mg_fast_NMDA < p->tau_Mg_slow_NMDA))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "ht_neuron: tau_Mg_fast_NMDA (%g ms) must be smaller than "
                            "tau_Mg_slow_NMDA (%g ms)",
                            p->tau_Mg_fast_NMDA, p->tau_Mg_slow_NMDA);
    return DN_OK;
}

int dn_ht_round_steps(double t_ms, long tics_per_ms, long tics_per_step)
{
    /* Kernel spec §1.1: Time::ms rounds half up to tics; get_steps takes the ceiling. */
    long long tics = (long long)(t_ms * (double)tics_per_ms + 0.5);
    long long steps = tics / tics_per_step + (tics % tics_per_step != 0);
    return (int)steps;
}

double dn_ht_cond_step(double g_peak, double tau_rise, double tau_decay)
{
    /* Kernel spec §3.1 "Synaptic normalisation": G peaks at g_peak after a unit DG jump. */
    const double t_peak = tau_decay * tau_rise * log(tau_decay / tau_rise) / (tau_decay - tau_rise);
    return g_peak * (1.0 / tau_rise - 1.0 / tau_decay) /
           (exp(-t_peak / tau_decay) - exp(-t_peak / tau_rise));
}

void dn_ht_consts_compute(const dn_ht_params *p, long tics_per_ms, long tics_per_step,
                          dn_ht_consts *c)
{
    /* NEST's Time::get_ms: tics times the tic length in ms. */
    c->h = (double)tics_per_step * (1.0 / (double)tics_per_ms);
    for (int port = 0; port < DN_HT_NRECEPTORS; port++) {
        double g, tr, td;
        receptor_params(p, port, &g, &tr, &td);
        c->cond_step[port] = dn_ht_cond_step(g, tr, td);
        c->r_tau_rise[port] = 1.0 / tr;
        c->r_tau_decay[port] = 1.0 / td;
    }
    c->r_tau_m = 1.0 / p->tau_m;
    c->r_tau_theta = 1.0 / p->tau_theta;
    c->r_tau_spike = 1.0 / p->tau_spike;
    c->r_tau_Mg_fast = 1.0 / p->tau_Mg_fast_NMDA;
    c->r_tau_Mg_slow = 1.0 / p->tau_Mg_slow_NMDA;
    c->r_tau_D_KNa = 1.0 / p->tau_D_KNa;
    /* +1 because the counter is decremented at the end of the spike's own step (§3.1). */
    c->ref_steps = dn_ht_round_steps(p->t_ref, tics_per_ms, tics_per_step) + 1;
}

/* ---- auxiliary functions of kernel spec §3.1 ---------------------------------------------- */

static inline double m_eq_NMDA(const dn_ht_params *p, double V)
{
    return 1.0 / (1.0 + exp(-p->S_act_NMDA * (V - p->V_act_NMDA)));
}
static inline double m_eq_h(double V)
{
    return 1.0 / (1.0 + exp((V + 75.0) / 5.5));
}
static inline double m_eq_T(double V)
{
    return 1.0 / (1.0 + exp(-(V + 59.0) / 6.2));
}
static inline double h_eq_T(double V)
{
    return 1.0 / (1.0 + exp((V + 83.0) / 4.0));
}
static inline double D_eq_KNa(const dn_ht_params *p, double V)
{
    /* Influx fraction first, then scaled by tau_D: this rounding order reproduces NEST's
     * traces bit for bit (tau_D·0.025 first differs in the last bits). */
    return p->tau_D_KNa * (0.025 / (1.0 + exp(-(V + 10.0) / 5.0))) + 0.001;
}

/* ---- the exponentials ------------------------------------------------------------------- */

/* The 12 exponentials of one RHS evaluation all depend on V only, so the fast variant evaluates
 * them together with glibc's vector exp (libmvec, reached through libm's linker script): two
 * 8-lane AVX-512 calls or three 4-lane AVX2 calls instead of 12 scalar calls. libmvec's exp is
 * accurate to 1 ulp (scalar exp: 0.51 ulp), so results differ from NEST's in the last bits;
 * see ht_neuron_dynamics.h for what that does to the traces. */
enum { NEXP = 12, NEXP_PAD = 16 };

#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define DN_HT_HAVE_LIBMVEC 1
#include <immintrin.h>
/* libmvec's vector variants of exp (x86_64 vector function ABI names), declared with the
 * instruction sets their vector types need. */
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d x);
__attribute__((target("avx512f"))) __m512d _ZGVeN8v_exp(__m512d x);

__attribute__((target("avx512f"))) static void vexp_avx512(double *a)
{
    _mm512_storeu_pd(a, _ZGVeN8v_exp(_mm512_loadu_pd(a)));
    _mm512_storeu_pd(a + 8, _ZGVeN8v_exp(_mm512_loadu_pd(a + 8)));
}

__attribute__((target("avx2"))) static void vexp_avx2(double *a)
{
    _mm256_storeu_pd(a, _ZGVdN4v_exp(_mm256_loadu_pd(a)));
    _mm256_storeu_pd(a + 4, _ZGVdN4v_exp(_mm256_loadu_pd(a + 4)));
    _mm256_storeu_pd(a + 8, _ZGVdN4v_exp(_mm256_loadu_pd(a + 8)));
}
#endif

/* exp of a[0 .. NEXP) in place (a has NEXP_PAD entries). */
static inline void vexp(double *a)
{
#ifdef DN_HT_HAVE_LIBMVEC
    if (__builtin_cpu_supports("avx512f")) {
        vexp_avx512(a);
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        vexp_avx2(a);
        return;
    }
#endif
    for (int i = 0; i < NEXP; i++)
        a[i] = exp(a[i]);
}

/* ---- the V-dependent part of the right-hand side ------------------------------------------ */

/* Element-wise quotient of n-element arrays. IEEE division is the same operation in every SIMD
 * lane, so gathering the divisions of an evaluation into arrays lets the compiler use packed
 * divides without changing a single bit (divisions are a third of an evaluation's cost). */
static inline __attribute__((always_inline)) void
divide(double *restrict q, const double *restrict num, const double *restrict den, int n)
{
    for (int i = 0; i < n; i++)
        q[i] = num[i] / den[i];
}

/* Exact variant: NEST's formulas with scalar libm (12 exp, 2 pow), every operation as NEST
 * performs it, so the results are bit-identical to NEST 2.20 with the same libm. Arguments of
 * the form x/1.0 are exactly x. */
static inline __attribute__((always_inline)) void
vcache_fill_exact(const dn_ht_params *p, dn_ht_vcache *vc, double V, double D)
{
    const double num[NEXP] = {
        -p->S_act_NMDA * (V - p->V_act_NMDA), /* m_eq_NMDA */
        -(V + 55.7),                          /* m_inf_NaP */
        -(V + 10.0),                          /* D_eq */
        -(V + 59.0),                          /* m_eq_T */
        V + 83.0,                             /* h_eq_T */
        -(V + 132.0),                         /* tau_m_T */
        V + 16.8,
        V + 115.2, /* tau_h_T */
        V + 86.0,
        V + 75.0,           /* m_eq_h */
        -14.59 - 0.086 * V, /* tau_m_h */
        -1.87 + 0.0701 * V,
    };
    static const double den[NEXP] = {1.0, 7.7, 5.0, 6.2, 4.0, 16.7, 18.2, 5.0, 3.2, 5.5, 1.0, 1.0};
    double e[NEXP];
    divide(e, num, den, NEXP);
    for (int i = 0; i < NEXP; i++)
        e[i] = exp(e[i]);
    enum { NQ = 10 };
    const double num2[NQ] = {1.0, 1.0, 0.025, 1.0, 1.0, 0.22, 56.6 + 0.27 * e[7], 1.0, 1.0, 0.25};
    const double den2[NQ] = {1.0 + e[0],  1.0 + e[1], 1.0 + e[2], 1.0 + e[3],    1.0 + e[4],
                             e[5] + e[6], 1.0 + e[8], 1.0 + e[9], e[10] + e[11], D};
    double q[NQ];
    divide(q, num2, den2, NQ);
    vc->V = V;
    vc->D = D;
    vc->exact = 1;
    vc->m_eq_NMDA = q[0];
    vc->A1 = 0.51 - 0.0028 * V;
    vc->I_NaP = -p->g_peak_NaP * pow(q[1], 3.0) * (V - p->E_rev_NaP);
    vc->I_KNa = -p->g_peak_KNa * (1.0 / (1.0 + pow(q[9], 3.5))) * (V - p->E_rev_KNa);
    /* Influx fraction first, then scaled by tau_D: this rounding order reproduces NEST's
     * traces bit for bit (tau_D·0.025 first differs in the last bits). */
    vc->D_eq = p->tau_D_KNa * q[2] + 0.001;
    vc->m_eq_T = q[3];
    vc->h_eq_T = q[4];
    vc->m_T_k = q[5] + 0.13;
    vc->h_T_k = 8.2 + q[6];
    vc->m_eq_h = q[7];
    vc->m_h_k = q[8];
}

/* Which right-hand side an integration runs: the fast variant, or NEST's exact one with scalar
 * libm or with the bit-identical AVX2+FMA kernels of ht_vexp.h (same results, faster). */
enum { MODE_FAST = 0, MODE_EXACT, MODE_EXACT_SIMD };

static int exact_mode(void)
{
    return dn_ht_vmath_use() ? MODE_EXACT_SIMD : MODE_EXACT;
}

#ifdef DN_HT_VEXP_X86
/* vcache_fill_exact with the exponentials and powers four lanes at a time. Every lane performs
 * the same IEEE operations on the same operands as the scalar code (x·(−1) is −x, V·1 + c is
 * V + c, x/1 is x), and dn_ht_vexp4/dn_ht_vpow4 equal libm's exp/pow, so the results are the
 * same bits. Not inlined: the caller is compiled for any x86-64. */
DN_HT_AVX2 __attribute__((noinline)) static void
vcache_fill_simd(const dn_ht_params *p, dn_ht_vcache *vc, double V, double D)
{
    const __m256d v = _mm256_set1_pd(V);
    /* exponents 0-3: m_eq_NMDA, m_inf_NaP, D_eq, m_eq_T */
    const __m256d a0 = _mm256_div_pd(
        _mm256_mul_pd(_mm256_add_pd(v, _mm256_setr_pd(-p->V_act_NMDA, 55.7, 10.0, 59.0)),
                      _mm256_setr_pd(-p->S_act_NMDA, -1.0, -1.0, -1.0)),
        _mm256_setr_pd(1.0, 7.7, 5.0, 6.2));
    /* 4-7: h_eq_T, tau_m_T (2), first of tau_h_T */
    const __m256d a1 =
        _mm256_div_pd(_mm256_mul_pd(_mm256_add_pd(v, _mm256_setr_pd(83.0, 132.0, 16.8, 115.2)),
                                    _mm256_setr_pd(1.0, -1.0, 1.0, 1.0)),
                      _mm256_setr_pd(4.0, 16.7, 18.2, 5.0));
    /* 8-11: second of tau_h_T, m_eq_h, tau_m_h (2): V·m + c */
    const __m256d a2 =
        _mm256_div_pd(_mm256_add_pd(_mm256_mul_pd(v, _mm256_setr_pd(1.0, 1.0, -0.086, 0.0701)),
                                    _mm256_setr_pd(86.0, 75.0, -14.59, -1.87)),
                      _mm256_setr_pd(3.2, 5.5, 1.0, 1.0));
    const __m256d e0 = dn_ht_vexp4(a0);
    _Alignas(32) double e[8];
    _mm256_store_pd(e, dn_ht_vexp4(a1));
    _mm256_store_pd(e + 4, dn_ht_vexp4(a2));
    const __m256d one = _mm256_set1_pd(1.0);
    _Alignas(32) double q[8];
    _mm256_store_pd(q, _mm256_div_pd(_mm256_setr_pd(1.0, 1.0, 0.025, 1.0), _mm256_add_pd(one, e0)));
    _mm256_store_pd(q + 4,
                    _mm256_div_pd(_mm256_setr_pd(1.0, 0.22, 56.6 + 0.27 * e[3], 1.0),
                                  _mm256_setr_pd(1.0 + e[0], e[1] + e[2], 1.0 + e[4], 1.0 + e[5])));
    const double m_h_k = 1.0 / (e[6] + e[7]);
    const double q9 = 0.25 / D;
    _Alignas(32) double pw[4];
    _mm256_store_pd(
        pw, dn_ht_vpow4(_mm256_setr_pd(q[1], q9, q[1], q9), _mm256_setr_pd(3.0, 3.5, 3.0, 3.5)));
    vc->V = V;
    vc->D = D;
    vc->exact = 1;
    vc->m_eq_NMDA = q[0];
    vc->A1 = 0.51 - 0.0028 * V;
    vc->I_NaP = -p->g_peak_NaP * pw[0] * (V - p->E_rev_NaP);
    vc->I_KNa = -p->g_peak_KNa * (1.0 / (1.0 + pw[1])) * (V - p->E_rev_KNa);
    vc->D_eq = p->tau_D_KNa * q[2] + 0.001;
    vc->m_eq_T = q[3];
    vc->h_eq_T = q[4];
    vc->m_T_k = q[5] + 0.13;
    vc->h_T_k = 8.2 + q[6];
    vc->m_eq_h = q[7];
    vc->m_h_k = m_h_k;
}
#else
static void vcache_fill_simd(const dn_ht_params *p, dn_ht_vcache *vc, double V, double D)
{
    vcache_fill_exact(p, vc, V, D);
}
#endif

/* Fast variant: the same functions with the 12 exponentials evaluated together (vexp),
 * multiplications by constant reciprocals instead of divisions, x^3 and x^3.5 = x^3·sqrt(x)
 * without pow, and the three gating time constants stored as RATES (1/tau). */
static void vcache_fill_fast(const dn_ht_params *p, dn_ht_vcache *vc, double V, double D)
{
    double a[NEXP_PAD] = {
        -p->S_act_NMDA * (V - p->V_act_NMDA), /* 0: m_eq_NMDA */
        -(V + 55.7) * (1.0 / 7.7),            /* 1: m_inf_NaP */
        -(V + 10.0) * (1.0 / 5.0),            /* 2: D_eq */
        -(V + 59.0) * (1.0 / 6.2),            /* 3: m_eq_T */
        (V + 83.0) * (1.0 / 4.0),             /* 4: h_eq_T */
        -(V + 132.0) * (1.0 / 16.7),          /* 5, 6: tau_m_T */
        (V + 16.8) * (1.0 / 18.2),
        (V + 115.2) * (1.0 / 5.0), /* 7, 8: tau_h_T */
        (V + 86.0) * (1.0 / 3.2),
        (V + 75.0) * (1.0 / 5.5), /* 9: m_eq_h */
        -14.59 - 0.086 * V,       /* 10, 11: tau_m_h */
        -1.87 + 0.0701 * V,
    };
    vexp(a);
    vc->V = V;
    vc->D = D;
    vc->exact = 0;
    vc->m_eq_NMDA = 1.0 / (1.0 + a[0]);
    vc->A1 = 0.51 - 0.0028 * V;
    const double m_inf_NaP = 1.0 / (1.0 + a[1]);
    vc->I_NaP = -p->g_peak_NaP * (m_inf_NaP * m_inf_NaP * m_inf_NaP) * (V - p->E_rev_NaP);
    const double q = 0.25 / D;
    const double m_inf_KNa = 1.0 / (1.0 + q * q * q * sqrt(q));
    vc->I_KNa = -p->g_peak_KNa * m_inf_KNa * (V - p->E_rev_KNa);
    vc->D_eq = p->tau_D_KNa * (0.025 / (1.0 + a[2])) + 0.001;
    vc->m_eq_T = 1.0 / (1.0 + a[3]);
    vc->h_eq_T = 1.0 / (1.0 + a[4]);
    vc->m_T_k = 1.0 / (0.22 / (a[5] + a[6]) + 0.13);               /* a rate */
    vc->h_T_k = 1.0 / (8.2 + (56.6 + 0.27 * a[7]) / (1.0 + a[8])); /* a rate */
    vc->m_eq_h = 1.0 / (1.0 + a[9]);
    vc->m_h_k = a[10] + a[11]; /* a rate */
}

static void vcache_invalidate(dn_ht_vcache *vc)
{
    vc->V = NAN; /* NaN never compares equal: the next evaluation recomputes */
    vc->D = NAN;
}

/* The right-hand side of kernel spec §3.1. `mode` selects the fast variant (a compile-time
 * constant in its callers, so it is compiled separately) or NEST's operation order, with scalar
 * libm or the libm-identical vector kernels (decided at run time: the same bits either way). */
static inline __attribute__((always_inline)) void rhs(const dn_ht_params *p, const dn_ht_consts *c,
                                                      dn_ht_state *s, const double *y, double *f,
                                                      int mode, dn_ht_counters *cnt)
{
    const bool exact = mode != MODE_FAST;
    const double V = p->voltage_clamp ? s->V_clamp : y[DN_HT_V_M];
    const double D = y[DN_HT_D_IKNA];
    dn_ht_vcache *vc = &s->vc;
    if (V == vc->V && D == vc->D && vc->exact == (int)exact) {
        cnt->rhs_cached++;
    } else {
        if (mode == MODE_EXACT_SIMD)
            vcache_fill_simd(p, vc, V, D);
        else if (exact)
            vcache_fill_exact(p, vc, V, D);
        else
            vcache_fill_fast(p, vc, V, D);
        cnt->rhs_full++;
    }

    /* Instantaneous re-blocking inside the RHS as well (kernel spec §3.1). */
    const double me = vc->m_eq_NMDA;
    const double mf = y[DN_HT_M_FAST_NMDA] < me ? y[DN_HT_M_FAST_NMDA] : me;
    const double ms = y[DN_HT_M_SLOW_NMDA] < me ? y[DN_HT_M_SLOW_NMDA] : me;
    const double mN = p->instant_unblock_NMDA ? me : vc->A1 * mf + (1.0 - vc->A1) * ms;

    const double I_syn =
        -y[DN_HT_G_AMPA] * (V - p->E_rev_AMPA) - y[DN_HT_G_NMDA] * mN * (V - p->E_rev_NMDA) -
        y[DN_HT_G_GABA_A] * (V - p->E_rev_GABA_A) - y[DN_HT_G_GABA_B] * (V - p->E_rev_GABA_B);
    const double I_Na = -p->g_NaL * (V - p->E_Na);
    const double I_K = -p->g_KL * (V - p->E_K);
    const double I_T =
        -p->g_peak_T * y[DN_HT_M_IT] * y[DN_HT_M_IT] * y[DN_HT_H_IT] * (V - p->E_rev_T);
    const double I_h = -p->g_peak_h * y[DN_HT_M_IH] * (V - p->E_rev_h);
    s->I_NaP = vc->I_NaP;
    s->I_KNa = vc->I_KNa;
    s->I_T = I_T;
    s->I_h = I_h;
    const double I_sum = I_Na + I_K + I_syn + vc->I_NaP + vc->I_KNa + I_T + I_h + s->I_stim;

    if (exact) {
        /* The 16 quotients of NEST's formulas, computed together (see divide()). */
        const double num[DN_HT_NY] = {
            I_sum,
            -(y[DN_HT_THETA] - p->theta_eq),
            -y[DN_HT_DG_AMPA],
            -y[DN_HT_DG_NMDA],
            -y[DN_HT_DG_GABA_A],
            -y[DN_HT_DG_GABA_B],
            y[DN_HT_G_AMPA],
            y[DN_HT_G_NMDA],
            y[DN_HT_G_GABA_A],
            y[DN_HT_G_GABA_B],
            me - mf,
            me - ms,
            vc->m_eq_h - y[DN_HT_M_IH],
            vc->D_eq - D,
            vc->m_eq_T - y[DN_HT_M_IT],
            vc->h_eq_T - y[DN_HT_H_IT],
        };
        const double den[DN_HT_NY] = {
            p->tau_m,
            p->tau_theta,
            p->tau_rise_AMPA,
            p->tau_rise_NMDA,
            p->tau_rise_GABA_A,
            p->tau_rise_GABA_B,
            p->tau_decay_AMPA,
            p->tau_decay_NMDA,
            p->tau_decay_GABA_A,
            p->tau_decay_GABA_B,
            p->tau_Mg_fast_NMDA,
            p->tau_Mg_slow_NMDA,
            vc->m_h_k,
            p->tau_D_KNa,
            vc->m_T_k,
            vc->h_T_k,
        };
        double q[DN_HT_NY];
        divide(q, num, den, DN_HT_NY);
        const double I_spike = s->ref_steps > 0 ? -(V - p->E_K) / p->tau_spike : 0.0;
        f[DN_HT_V_M] = q[0] + I_spike;
        f[DN_HT_THETA] = q[1];
        for (int x = 0; x < DN_HT_NRECEPTORS; x++) {
            f[DN_HT_DG_AMPA + 2 * x] = q[2 + x];
            f[DN_HT_G_AMPA + 2 * x] = y[DN_HT_DG_AMPA + 2 * x] - q[6 + x];
        }
        f[DN_HT_M_FAST_NMDA] = q[10];
        f[DN_HT_M_SLOW_NMDA] = q[11];
        f[DN_HT_M_IH] = q[12];
        f[DN_HT_D_IKNA] = q[13];
        f[DN_HT_M_IT] = q[14];
        f[DN_HT_H_IT] = q[15];
    } else {
        /* Rates (1/tau) precomputed by dn_ht_consts_compute / vcache_fill_fast. */
        const double I_spike = s->ref_steps > 0 ? -(V - p->E_K) * c->r_tau_spike : 0.0;
        f[DN_HT_V_M] = I_sum * c->r_tau_m + I_spike;
        f[DN_HT_THETA] = -(y[DN_HT_THETA] - p->theta_eq) * c->r_tau_theta;
        for (int x = 0; x < DN_HT_NRECEPTORS; x++) {
            const double dg = y[DN_HT_DG_AMPA + 2 * x];
            f[DN_HT_DG_AMPA + 2 * x] = -dg * c->r_tau_rise[x];
            f[DN_HT_G_AMPA + 2 * x] = dg - y[DN_HT_G_AMPA + 2 * x] * c->r_tau_decay[x];
        }
        f[DN_HT_M_FAST_NMDA] = (me - mf) * c->r_tau_Mg_fast;
        f[DN_HT_M_SLOW_NMDA] = (me - ms) * c->r_tau_Mg_slow;
        f[DN_HT_M_IH] = (vc->m_eq_h - y[DN_HT_M_IH]) * vc->m_h_k;
        f[DN_HT_D_IKNA] = (vc->D_eq - D) * c->r_tau_D_KNa;
        f[DN_HT_M_IT] = (vc->m_eq_T - y[DN_HT_M_IT]) * vc->m_T_k;
        f[DN_HT_H_IT] = (vc->h_eq_T - y[DN_HT_H_IT]) * vc->h_T_k;
    }
}

void dn_ht_rhs(const dn_ht_params *p, dn_ht_state *s, const double y[DN_HT_NY], double f[DN_HT_NY])
{
    /* The reference evaluation always computes everything, as NEST does. */
    dn_ht_counters cnt = {0};
    vcache_invalidate(&s->vc);
    rhs(p, NULL, s, y, f, MODE_EXACT, &cnt);
}

void dn_ht_rhs_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                    const double y[DN_HT_NY], double f[DN_HT_NY])
{
    dn_ht_counters cnt = {0};
    rhs(p, c, s, y, f, MODE_FAST, &cnt);
}

/* ---- state -------------------------------------------------------------------------------- */

static void set_equilibria(const dn_ht_params *p, dn_ht_state *s)
{
    const double V = s->y[DN_HT_V_M];
    s->y[DN_HT_M_FAST_NMDA] = m_eq_NMDA(p, V);
    s->y[DN_HT_M_SLOW_NMDA] = m_eq_NMDA(p, V);
    s->y[DN_HT_M_IH] = m_eq_h(V);
    s->y[DN_HT_D_IKNA] = D_eq_KNa(p, V);
    s->y[DN_HT_M_IT] = m_eq_T(V);
    s->y[DN_HT_H_IT] = h_eq_T(V);
}

void dn_ht_state_prototype(dn_ht_state *s)
{
    /* Kernel spec §3.1 "Initial state": computed once from the built-in defaults, so a model
     * copy with other g_NaL/g_KL/S_act_NMDA... still starts from these values. */
    dn_ht_params d;
    dn_ht_params_default(&d);
    memset(s, 0, sizeof *s);
    s->y[DN_HT_V_M] = (d.g_NaL * d.E_Na + d.g_KL * d.E_K) / (d.g_NaL + d.g_KL);
    s->y[DN_HT_THETA] = d.theta_eq;
    set_equilibria(&d, s);
    s->ref_steps = 0;
    s->V_clamp = s->y[DN_HT_V_M];
    vcache_invalidate(&s->vc);
}

void dn_ht_state_equilibrate(const dn_ht_params *p, dn_ht_state *s)
{
    set_equilibria(p, s);
}

void dn_ht_state_init_buffers(dn_ht_state *s, double h)
{
    s->hint = h;
    s->I_stim = 0.0;
}

void dn_ht_state_calibrate(dn_ht_state *s)
{
    s->V_clamp = s->y[DN_HT_V_M];
    vcache_invalidate(&s->vc);
}

/* ---- RKF45 and evolve (kernel spec §2) ---------------------------------------------------- */

/* Scratch of one RKF45 attempt. */
typedef struct rk_work {
    double k2[DN_HT_NY], k3[DN_HT_NY], k4[DN_HT_NY], k5[DN_HT_NY], k6[DN_HT_NY];
    double ytmp[DN_HT_NY];
} rk_work;

/* One RKF45 step of size h from y0 (k1 = dydt_in): y = 5th-order result, yerr, dydt_out. */
static inline __attribute__((always_inline)) void
rkf45(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s, double h, const double *y0,
      const double *k1, double *y, double *yerr, double *dydt_out, rk_work *w, int mode,
      dn_ht_counters *cnt)
{
    double *const k2 = w->k2, *const k3 = w->k3, *const k4 = w->k4, *const k5 = w->k5,
                  *const k6 = w->k6, *const yt = w->ytmp;
    int i;
    for (i = 0; i < DN_HT_NY; i++)
        yt[i] = y0[i] + dn_ht_ah0 * h * k1[i];
    rhs(p, c, s, yt, k2, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++)
        yt[i] = y0[i] + h * (dn_ht_b3_0 * k1[i] + dn_ht_b3_1 * k2[i]);
    rhs(p, c, s, yt, k3, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++)
        yt[i] = y0[i] + h * (dn_ht_b4_0 * k1[i] + dn_ht_b4_1 * k2[i] + dn_ht_b4_2 * k3[i]);
    rhs(p, c, s, yt, k4, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++)
        yt[i] = y0[i] + h * (dn_ht_b5_0 * k1[i] + dn_ht_b5_1 * k2[i] + dn_ht_b5_2 * k3[i] +
                             dn_ht_b5_3 * k4[i]);
    rhs(p, c, s, yt, k5, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++)
        yt[i] = y0[i] + h * (dn_ht_b6_0 * k1[i] + dn_ht_b6_1 * k2[i] + dn_ht_b6_2 * k3[i] +
                             dn_ht_b6_3 * k4[i] + dn_ht_b6_4 * k5[i]);
    rhs(p, c, s, yt, k6, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++) {
        const double d = dn_ht_c1 * k1[i] + dn_ht_c3 * k3[i] + dn_ht_c4 * k4[i] + dn_ht_c5 * k5[i] +
                         dn_ht_c6 * k6[i];
        y[i] = y0[i] + h * d;
    }
    rhs(p, c, s, y, dydt_out, mode, cnt);
    for (i = 0; i < DN_HT_NY; i++)
        yerr[i] = h * (dn_ht_ec1 * k1[i] + dn_ht_ec3 * k3[i] + dn_ht_ec4 * k4[i] +
                       dn_ht_ec5 * k5[i] + dn_ht_ec6 * k6[i]);
}

static inline __attribute__((always_inline)) double evolve(const dn_ht_params *p,
                                                           const dn_ht_consts *c, dn_ht_state *s,
                                                           double t0, double t1, int mode,
                                                           dn_ht_counters *cnt)
{
    double y0[DN_HT_NY], dydt_in[DN_HT_NY], dydt_out[DN_HT_NY], yerr[DN_HT_NY];
    rk_work w;
    const double dt = t1 - t0;
    double h0 = s->hint;
    memcpy(y0, s->y, sizeof y0);
    /* GSL 2.7 evaluates dydt_in afresh on every call (kernel spec §2.3); the V cache makes
     * this free when the state is where the previous dydt_out was evaluated. */
    rhs(p, c, s, y0, dydt_in, mode, cnt);
    for (;;) {
        bool final_step = false;
        if (h0 > dt) {
            h0 = dt;
            final_step = true;
        }
        rkf45(p, c, s, h0, y0, dydt_in, s->y, yerr, dydt_out, &w, mode, cnt);
        cnt->attempts++;
        const double t = final_step ? t1 : t0 + h0;
        const double h_old = h0;
        if (dn_ht_control(s->y, yerr, dydt_out, 1, &h0) == DN_HT_HADJ_DEC) {
            /* Retry only if the step really shrank and still moves t by at least one ulp. */
            if (h0 < h_old && t + h0 != t)
                continue; /* s->y is recomputed from y0 */
            h0 = h_old;
        }
        s->hint = h0; /* also after a truncated final step (§2.3) */
        cnt->evolve_calls++;
        return t;
    }
}

double dn_ht_evolve_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s, double t0,
                         double t1, dn_ht_counters *cnt)
{
    dn_ht_counters dummy = {0};
    return evolve(p, c, s, t0, t1, MODE_FAST, cnt ? cnt : &dummy);
}

double dn_ht_evolve(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s, double t0,
                    double t1, dn_ht_counters *cnt)
{
    dn_ht_counters dummy = {0};
    return evolve(p, c, s, t0, t1, exact_mode(), cnt ? cnt : &dummy);
}

/* ---- one simulation step (kernel spec §3.1 "Update of one step") -------------------------- */

double dn_ht_m_eq_NMDA(const dn_ht_params *p, const dn_ht_state *s, double V)
{
    return V == s->vc.V ? s->vc.m_eq_NMDA : m_eq_NMDA(p, V);
}

static inline __attribute__((always_inline)) bool
step(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
     const double in[DN_HT_NRECEPTORS], double I_next, bool *ok, int mode, dn_ht_counters *cnt)
{
    const double h = c->h;
    double t = 0.0;
    bool spiked = false;
    *ok = true;
    while (t < h) {
        t = evolve(p, c, s, t, h, mode, cnt);
        spiked |= dn_ht_after_substep(p, c, s, ok);
        if (!*ok)
            return spiked;
    }
    dn_ht_end_step(c, s, in, I_next);
    return spiked;
}

bool dn_ht_step_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                     const double in[DN_HT_NRECEPTORS], double I_next, bool *ok,
                     dn_ht_counters *cnt)
{
    dn_ht_counters dummy = {0};
    return step(p, c, s, in, I_next, ok, MODE_FAST, cnt ? cnt : &dummy);
}

bool dn_ht_step(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                const double in[DN_HT_NRECEPTORS], double I_next, bool *ok, dn_ht_counters *cnt)
{
    dn_ht_counters dummy = {0};
    return step(p, c, s, in, I_next, ok, exact_mode(), cnt ? cnt : &dummy);
}

double dn_ht_recordable_value(const dn_ht_params *p, const dn_ht_state *s, dn_ht_recordable r)
{
    const double *y = s->y;
    switch (r) {
    case DN_HT_REC_V_M:
        return y[DN_HT_V_M];
    case DN_HT_REC_THETA:
        return y[DN_HT_THETA];
    case DN_HT_REC_G_AMPA:
        return y[DN_HT_G_AMPA];
    case DN_HT_REC_G_NMDA: {
        const double V = y[DN_HT_V_M];
        double m;
        if (p->instant_unblock_NMDA) {
            m = dn_ht_m_eq_NMDA(p, s, V);
        } else {
            const double A1 = 0.51 - 0.0028 * V;
            m = A1 * y[DN_HT_M_FAST_NMDA] + (1.0 - A1) * y[DN_HT_M_SLOW_NMDA];
        }
        return y[DN_HT_G_NMDA] * m;
    }
    case DN_HT_REC_G_GABA_A:
        return y[DN_HT_G_GABA_A];
    case DN_HT_REC_G_GABA_B:
        return y[DN_HT_G_GABA_B];
    case DN_HT_REC_I_NAP:
        return s->I_NaP;
    case DN_HT_REC_I_KNA:
        return s->I_KNa;
    case DN_HT_REC_I_T:
        return s->I_T;
    case DN_HT_REC_I_H:
        return s->I_h;
    default:
        return NAN;
    }
}

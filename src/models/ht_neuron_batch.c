/* ht_neuron, four neurons in lockstep (ht_neuron_batch.h): one AVX2 lane per neuron. The right-
 * hand side of kernel spec §3.1 and GSL's rkf45 stages are evaluated for the four lanes at once
 * with exactly the scalar operations of ht_neuron_dynamics.c (no FMA contraction, same operand
 * order, libm-identical exp/pow from ht_vexp.h); everything that branches per neuron - step
 * control, accepting or retrying, re-blocking, spikes, the end of a step, fetching the next
 * neuron - runs per lane with the shared scalar code of ht_neuron_rk.h. A lane waiting for its
 * neighbours simply computes a copy of another lane's work, which is discarded. */
#include "models/ht_neuron_batch.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "models/ht_neuron_rk.h"
#include "models/ht_vexp.h"

#ifdef __clang__
/* a*b + c must stay two roundings, as in the scalar code (GCC's ISO mode never contracts) */
#pragma STDC FP_CONTRACT OFF
#endif

#ifdef DN_HT_VEXP_X86

enum { NL = 4, NY = DN_HT_NY, ALL = (1 << NL) - 1 };

/* Per-lane parameters read by the right-hand side; booleans as −1.0 (true) / 0.0 (false), the
 * sign bit being what blendv tests. */
enum {
    P_V_ACT,
    P_S_ACT,
    P_G_NAP,
    P_E_NAP,
    P_G_KNA,
    P_E_KNA,
    P_TAU_D,
    P_E_SYN, /* 4: AMPA, NMDA, GABA_A, GABA_B */
    P_G_NAL = P_E_SYN + DN_HT_NRECEPTORS,
    P_E_NA,
    P_G_KL,
    P_E_K,
    P_G_T,
    P_E_T,
    P_G_H,
    P_E_H,
    P_TAU_M,
    P_THETA_EQ,
    P_TAU_THETA,
    P_TAU_SPIKE,
    P_TAU_RISE,                                  /* 4 */
    P_TAU_DECAY = P_TAU_RISE + DN_HT_NRECEPTORS, /* 4 */
    P_TAU_MG_FAST = P_TAU_DECAY + DN_HT_NRECEPTORS,
    P_TAU_MG_SLOW,
    P_INSTANT,
    P_CLAMP,
    P_V_CLAMP,
    P_I_STIM,
    P_REF, /* ref_steps > 0 */
    NPAR
};

/* The V-dependent values of the most recent evaluation per lane (keys V, D): the same cache as
 * dn_ht_vcache, in lanes. */
enum {
    C_V,
    C_D,
    C_ME,
    C_A1,
    C_INAP,
    C_IKNA,
    C_DEQ,
    C_MEQT,
    C_HEQT,
    C_MEQH,
    C_MTK,
    C_HTK,
    C_MHK,
    NC
};

/* What one lane does besides the vector work: the evolve call and step it is in. */
typedef struct lane {
    dn_ht_job job;
    bool active, parked, need_k1, final_step, spiked;
    double t;  /* time within the present step */
    double t0; /* start of the present evolve call */
    double dt; /* its length to the end of the step */
    double h0; /* the trial step size */
} lane;

typedef struct batch {
    _Alignas(32) double y0[NY][NL];
    _Alignas(32) double k[6][NY][NL]; /* k1 .. k6 */
    _Alignas(32) double yt[NY][NL];
    _Alignas(32) double y[NY][NL];
    _Alignas(32) double yerr[NY][NL];
    _Alignas(32) double dout[NY][NL];
    _Alignas(32) double ftmp[NY][NL];
    _Alignas(32) double H[NL];
    _Alignas(32) double rmax[NL], pw[NL]; /* the step control's error ratio and its power */
    _Alignas(32) double P[NPAR][NL];
    _Alignas(32) double C[NC][NL];
    _Alignas(32) double I[4][NL]; /* I_NaP, I_KNa, I_T, I_h of the last evaluation */
    lane lane[NL];
    const dn_ht_batch_io *io;
    dn_ht_counters *cnt;
    bool stop; /* a job failed: start no more */
    size_t failed_node;
    int failed_step;
} batch;

#define LD(a) _mm256_load_pd(a)
#define ST(a, v) _mm256_store_pd(a, v)
#define SET1(x) _mm256_set1_pd(x)
#define ADD(a, b) _mm256_add_pd(a, b)
#define SUB(a, b) _mm256_sub_pd(a, b)
#define MUL(a, b) _mm256_mul_pd(a, b)
#define DIV(a, b) _mm256_div_pd(a, b)
#define NEG(a) _mm256_xor_pd(a, SET1(-0.0)) /* exactly C's unary minus */
#define PV(i) LD(B->P[i])
#define CV(i) LD(B->C[i])

DN_HT_AVX2 static inline __m256d lane_mask(int m)
{
    return _mm256_castsi256_pd(
        _mm256_setr_epi64x(m & 1 ? -1 : 0, m & 2 ? -1 : 0, m & 4 ? -1 : 0, m & 8 ? -1 : 0));
}

/* vcache_fill_exact of ht_neuron_dynamics.c for four neurons: the 12 exponentials are 12
 * vectors of four, the two powers two. Divisions by 1.0 (exact identities) are left out. */
DN_HT_AVX2 static void vpart4(batch *B, __m256d V, __m256d D)
{
    const __m256d one = SET1(1.0);
    const __m256d e0 = dn_ht_vexp4(MUL(NEG(PV(P_S_ACT)), SUB(V, PV(P_V_ACT))));
    const __m256d e1 = dn_ht_vexp4(DIV(NEG(ADD(V, SET1(55.7))), SET1(7.7)));
    const __m256d e2 = dn_ht_vexp4(DIV(NEG(ADD(V, SET1(10.0))), SET1(5.0)));
    const __m256d e3 = dn_ht_vexp4(DIV(NEG(ADD(V, SET1(59.0))), SET1(6.2)));
    const __m256d e4 = dn_ht_vexp4(DIV(ADD(V, SET1(83.0)), SET1(4.0)));
    const __m256d e5 = dn_ht_vexp4(DIV(NEG(ADD(V, SET1(132.0))), SET1(16.7)));
    const __m256d e6 = dn_ht_vexp4(DIV(ADD(V, SET1(16.8)), SET1(18.2)));
    const __m256d e7 = dn_ht_vexp4(DIV(ADD(V, SET1(115.2)), SET1(5.0)));
    const __m256d e8 = dn_ht_vexp4(DIV(ADD(V, SET1(86.0)), SET1(3.2)));
    const __m256d e9 = dn_ht_vexp4(DIV(ADD(V, SET1(75.0)), SET1(5.5)));
    const __m256d e10 = dn_ht_vexp4(SUB(SET1(-14.59), MUL(SET1(0.086), V)));
    const __m256d e11 = dn_ht_vexp4(ADD(SET1(-1.87), MUL(SET1(0.0701), V)));
    const __m256d q1 = DIV(one, ADD(one, e1));
    const __m256d q9 = DIV(SET1(0.25), D);
    const __m256d pw1 = dn_ht_vpow4(q1, SET1(3.0));
    const __m256d pw9 = dn_ht_vpow4(q9, SET1(3.5));
    ST(B->C[C_V], V);
    ST(B->C[C_D], D);
    ST(B->C[C_ME], DIV(one, ADD(one, e0)));
    ST(B->C[C_A1], SUB(SET1(0.51), MUL(SET1(0.0028), V)));
    ST(B->C[C_INAP], MUL(MUL(NEG(PV(P_G_NAP)), pw1), SUB(V, PV(P_E_NAP))));
    ST(B->C[C_IKNA], MUL(MUL(NEG(PV(P_G_KNA)), DIV(one, ADD(one, pw9))), SUB(V, PV(P_E_KNA))));
    ST(B->C[C_DEQ], ADD(MUL(PV(P_TAU_D), DIV(SET1(0.025), ADD(one, e2))), SET1(0.001)));
    ST(B->C[C_MEQT], DIV(one, ADD(one, e3)));
    ST(B->C[C_HEQT], DIV(one, ADD(one, e4)));
    ST(B->C[C_MTK], ADD(DIV(SET1(0.22), ADD(e5, e6)), SET1(0.13)));
    ST(B->C[C_HTK], ADD(SET1(8.2), DIV(ADD(SET1(56.6), MUL(SET1(0.27), e7)), ADD(one, e8))));
    ST(B->C[C_MEQH], DIV(one, ADD(one, e9)));
    ST(B->C[C_MHK], DIV(one, ADD(e10, e11)));
}

/* The exact right-hand side (rhs() of ht_neuron_dynamics.c, exact branch) at y for all lanes.
 * The V-dependent part is recomputed unless every lane of `need` finds it in the cache. */
DN_HT_AVX2 static void rhs4(batch *restrict B, double (*y)[NL], double (*f)[NL], int need,
                            int count)
{
    const __m256d V = _mm256_blendv_pd(LD(y[DN_HT_V_M]), PV(P_V_CLAMP), PV(P_CLAMP));
    const __m256d D = LD(y[DN_HT_D_IKNA]);
    const int hit = _mm256_movemask_pd(_mm256_and_pd(_mm256_cmp_pd(V, CV(C_V), _CMP_EQ_OQ),
                                                     _mm256_cmp_pd(D, CV(C_D), _CMP_EQ_OQ)));
    const int n = __builtin_popcount((unsigned)count);
    if ((hit & need) != need) {
        vpart4(B, V, D);
        B->cnt->rhs_full += (unsigned long)n;
    } else {
        B->cnt->rhs_cached += (unsigned long)n;
    }

    /* Instantaneous re-blocking inside the RHS as well (kernel spec §3.1). */
    const __m256d me = CV(C_ME), A1 = CV(C_A1);
    const __m256d yf = LD(y[DN_HT_M_FAST_NMDA]), ys = LD(y[DN_HT_M_SLOW_NMDA]);
    const __m256d mf = _mm256_blendv_pd(me, yf, _mm256_cmp_pd(yf, me, _CMP_LT_OQ));
    const __m256d ms = _mm256_blendv_pd(me, ys, _mm256_cmp_pd(ys, me, _CMP_LT_OQ));
    const __m256d mN =
        _mm256_blendv_pd(ADD(MUL(A1, mf), MUL(SUB(SET1(1.0), A1), ms)), me, PV(P_INSTANT));

    const __m256d gA = LD(y[DN_HT_G_AMPA]), gN = LD(y[DN_HT_G_NMDA]);
    const __m256d gGA = LD(y[DN_HT_G_GABA_A]), gGB = LD(y[DN_HT_G_GABA_B]);
    const __m256d I_syn = SUB(SUB(SUB(MUL(NEG(gA), SUB(V, PV(P_E_SYN + DN_HT_AMPA))),
                                      MUL(MUL(gN, mN), SUB(V, PV(P_E_SYN + DN_HT_NMDA)))),
                                  MUL(gGA, SUB(V, PV(P_E_SYN + DN_HT_GABA_A)))),
                              MUL(gGB, SUB(V, PV(P_E_SYN + DN_HT_GABA_B))));
    const __m256d I_Na = MUL(NEG(PV(P_G_NAL)), SUB(V, PV(P_E_NA)));
    const __m256d I_K = MUL(NEG(PV(P_G_KL)), SUB(V, PV(P_E_K)));
    const __m256d mIT = LD(y[DN_HT_M_IT]), hIT = LD(y[DN_HT_H_IT]), mIh = LD(y[DN_HT_M_IH]);
    const __m256d I_T = MUL(MUL(MUL(MUL(NEG(PV(P_G_T)), mIT), mIT), hIT), SUB(V, PV(P_E_T)));
    const __m256d I_h = MUL(MUL(NEG(PV(P_G_H)), mIh), SUB(V, PV(P_E_H)));
    const __m256d I_NaP = CV(C_INAP), I_KNa = CV(C_IKNA);
    ST(B->I[0], I_NaP);
    ST(B->I[1], I_KNa);
    ST(B->I[2], I_T);
    ST(B->I[3], I_h);
    const __m256d I_sum =
        ADD(ADD(ADD(ADD(ADD(ADD(ADD(I_Na, I_K), I_syn), I_NaP), I_KNa), I_T), I_h), PV(P_I_STIM));

    const __m256d I_spike =
        _mm256_blendv_pd(SET1(0.0), DIV(NEG(SUB(V, PV(P_E_K))), PV(P_TAU_SPIKE)),
                         PV(P_REF)); /* 0.0 when not refractory */
    ST(f[DN_HT_V_M], ADD(DIV(I_sum, PV(P_TAU_M)), I_spike));
    ST(f[DN_HT_THETA], DIV(NEG(SUB(LD(y[DN_HT_THETA]), PV(P_THETA_EQ))), PV(P_TAU_THETA)));
    for (int x = 0; x < DN_HT_NRECEPTORS; x++) {
        const __m256d dg = LD(y[DN_HT_DG_AMPA + 2 * x]);
        ST(f[DN_HT_DG_AMPA + 2 * x], DIV(NEG(dg), PV(P_TAU_RISE + x)));
        ST(f[DN_HT_G_AMPA + 2 * x], SUB(dg, DIV(LD(y[DN_HT_G_AMPA + 2 * x]), PV(P_TAU_DECAY + x))));
    }
    ST(f[DN_HT_M_FAST_NMDA], DIV(SUB(me, mf), PV(P_TAU_MG_FAST)));
    ST(f[DN_HT_M_SLOW_NMDA], DIV(SUB(me, ms), PV(P_TAU_MG_SLOW)));
    ST(f[DN_HT_M_IH], DIV(SUB(CV(C_MEQH), mIh), CV(C_MHK)));
    ST(f[DN_HT_D_IKNA], DIV(SUB(CV(C_DEQ), D), PV(P_TAU_D)));
    ST(f[DN_HT_M_IT], DIV(SUB(CV(C_MEQT), mIT), CV(C_MTK)));
    ST(f[DN_HT_H_IT], DIV(SUB(CV(C_HEQT), hIT), CV(C_HTK)));
}

/* dn_ht_control_rmax and the pow of dn_ht_control for the four lanes (the decision itself is
 * taken per lane in finish_attempt). */
DN_HT_AVX2 static void control4(batch *B)
{
    const __m256d inf = SET1(INFINITY),
                  absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    __m256d emax = SET1(0.0);
    for (int i = 0; i < NY; i++) {
        const __m256d e = _mm256_and_pd(LD(B->yerr[i]), absmask);
        const __m256d fin =
            _mm256_and_pd(_mm256_cmp_pd(_mm256_and_pd(LD(B->y[i]), absmask), inf, _CMP_LT_OQ),
                          _mm256_cmp_pd(_mm256_and_pd(LD(B->dout[i]), absmask), inf, _CMP_LT_OQ));
        emax = _mm256_blendv_pd(emax, e, _mm256_and_pd(fin, _mm256_cmp_pd(e, emax, _CMP_GT_OQ)));
    }
    __m256d rmax = DIV(emax, SET1(1e-3));
    rmax = _mm256_blendv_pd(SET1(DBL_MIN), rmax, _mm256_cmp_pd(rmax, SET1(DBL_MIN), _CMP_GT_OQ));
    const __m256d expo = _mm256_blendv_pd(SET1(1.0 / (5.0 + 1.0)), SET1(1.0 / 5.0),
                                          _mm256_cmp_pd(rmax, SET1(1.1), _CMP_GT_OQ));
    ST(B->rmax, rmax);
    ST(B->pw, dn_ht_vpow4(rmax, expo));
}

/* One RKF45 attempt (rkf45() of ht_neuron_dynamics.c) of step H from y0 in every lane; k1 is
 * first evaluated at y0 for the lanes in `need` (those starting an evolve call). */
DN_HT_AVX2 static void attempt4(batch *B, int need, int active)
{
    double(*k1)[NL] = B->k[0], (*k2)[NL] = B->k[1], (*k3)[NL] = B->k[2], (*k4)[NL] = B->k[3],
    (*k5)[NL] = B->k[4], (*k6)[NL] = B->k[5], (*yt)[NL] = B->yt, (*y0)[NL] = B->y0;
    if (need) {
        rhs4(B, y0, B->ftmp, need, need);
        const __m256d m = lane_mask(need);
        for (int i = 0; i < NY; i++)
            ST(k1[i], _mm256_blendv_pd(LD(k1[i]), LD(B->ftmp[i]), m));
    }
    const __m256d H = LD(B->H);
    const __m256d aH = MUL(SET1(dn_ht_ah0), H);
    for (int i = 0; i < NY; i++)
        ST(yt[i], ADD(LD(y0[i]), MUL(aH, LD(k1[i]))));
    rhs4(B, yt, k2, ALL, active);
    for (int i = 0; i < NY; i++)
        ST(yt[i], ADD(LD(y0[i]), MUL(H, ADD(MUL(SET1(dn_ht_b3_0), LD(k1[i])),
                                            MUL(SET1(dn_ht_b3_1), LD(k2[i]))))));
    rhs4(B, yt, k3, ALL, active);
    for (int i = 0; i < NY; i++)
        ST(yt[i],
           ADD(LD(y0[i]),
               MUL(H, ADD(ADD(MUL(SET1(dn_ht_b4_0), LD(k1[i])), MUL(SET1(dn_ht_b4_1), LD(k2[i]))),
                          MUL(SET1(dn_ht_b4_2), LD(k3[i]))))));
    rhs4(B, yt, k4, ALL, active);
    for (int i = 0; i < NY; i++)
        ST(yt[i], ADD(LD(y0[i]), MUL(H, ADD(ADD(ADD(MUL(SET1(dn_ht_b5_0), LD(k1[i])),
                                                    MUL(SET1(dn_ht_b5_1), LD(k2[i]))),
                                                MUL(SET1(dn_ht_b5_2), LD(k3[i]))),
                                            MUL(SET1(dn_ht_b5_3), LD(k4[i]))))));
    rhs4(B, yt, k5, ALL, active);
    for (int i = 0; i < NY; i++)
        ST(yt[i], ADD(LD(y0[i]), MUL(H, ADD(ADD(ADD(ADD(MUL(SET1(dn_ht_b6_0), LD(k1[i])),
                                                        MUL(SET1(dn_ht_b6_1), LD(k2[i]))),
                                                    MUL(SET1(dn_ht_b6_2), LD(k3[i]))),
                                                MUL(SET1(dn_ht_b6_3), LD(k4[i]))),
                                            MUL(SET1(dn_ht_b6_4), LD(k5[i]))))));
    rhs4(B, yt, k6, ALL, active);
    for (int i = 0; i < NY; i++) {
        const __m256d d =
            ADD(ADD(ADD(ADD(MUL(SET1(dn_ht_c1), LD(k1[i])), MUL(SET1(dn_ht_c3), LD(k3[i]))),
                        MUL(SET1(dn_ht_c4), LD(k4[i]))),
                    MUL(SET1(dn_ht_c5), LD(k5[i]))),
                MUL(SET1(dn_ht_c6), LD(k6[i])));
        ST(B->y[i], ADD(LD(y0[i]), MUL(H, d)));
    }
    rhs4(B, B->y, B->dout, ALL, active);
    for (int i = 0; i < NY; i++)
        ST(B->yerr[i],
           MUL(H, ADD(ADD(ADD(ADD(MUL(SET1(dn_ht_ec1), LD(k1[i])), MUL(SET1(dn_ht_ec3), LD(k3[i]))),
                              MUL(SET1(dn_ht_ec4), LD(k4[i]))),
                          MUL(SET1(dn_ht_ec5), LD(k5[i]))),
                      MUL(SET1(dn_ht_ec6), LD(k6[i])))));
    control4(B);
}

/* ---- per-lane bookkeeping ---------------------------------------------------------------- */

static double flag(bool b)
{
    return b ? -1.0 : 0.0;
}

/* The lane-resident copies of what the right-hand side reads from a job's parameters. */
static void load_params(batch *B, int l, const dn_ht_params *p, const dn_ht_state *s)
{
    double(*P)[NL] = B->P;
    P[P_V_ACT][l] = p->V_act_NMDA;
    P[P_S_ACT][l] = p->S_act_NMDA;
    P[P_G_NAP][l] = p->g_peak_NaP;
    P[P_E_NAP][l] = p->E_rev_NaP;
    P[P_G_KNA][l] = p->g_peak_KNa;
    P[P_E_KNA][l] = p->E_rev_KNa;
    P[P_TAU_D][l] = p->tau_D_KNa;
    P[P_E_SYN + DN_HT_AMPA][l] = p->E_rev_AMPA;
    P[P_E_SYN + DN_HT_NMDA][l] = p->E_rev_NMDA;
    P[P_E_SYN + DN_HT_GABA_A][l] = p->E_rev_GABA_A;
    P[P_E_SYN + DN_HT_GABA_B][l] = p->E_rev_GABA_B;
    P[P_G_NAL][l] = p->g_NaL;
    P[P_E_NA][l] = p->E_Na;
    P[P_G_KL][l] = p->g_KL;
    P[P_E_K][l] = p->E_K;
    P[P_G_T][l] = p->g_peak_T;
    P[P_E_T][l] = p->E_rev_T;
    P[P_G_H][l] = p->g_peak_h;
    P[P_E_H][l] = p->E_rev_h;
    P[P_TAU_M][l] = p->tau_m;
    P[P_THETA_EQ][l] = p->theta_eq;
    P[P_TAU_THETA][l] = p->tau_theta;
    P[P_TAU_SPIKE][l] = p->tau_spike;
    P[P_TAU_RISE + DN_HT_AMPA][l] = p->tau_rise_AMPA;
    P[P_TAU_RISE + DN_HT_NMDA][l] = p->tau_rise_NMDA;
    P[P_TAU_RISE + DN_HT_GABA_A][l] = p->tau_rise_GABA_A;
    P[P_TAU_RISE + DN_HT_GABA_B][l] = p->tau_rise_GABA_B;
    P[P_TAU_DECAY + DN_HT_AMPA][l] = p->tau_decay_AMPA;
    P[P_TAU_DECAY + DN_HT_NMDA][l] = p->tau_decay_NMDA;
    P[P_TAU_DECAY + DN_HT_GABA_A][l] = p->tau_decay_GABA_A;
    P[P_TAU_DECAY + DN_HT_GABA_B][l] = p->tau_decay_GABA_B;
    P[P_TAU_MG_FAST][l] = p->tau_Mg_fast_NMDA;
    P[P_TAU_MG_SLOW][l] = p->tau_Mg_slow_NMDA;
    P[P_INSTANT][l] = flag(p->instant_unblock_NMDA);
    P[P_CLAMP][l] = flag(p->voltage_clamp);
    P[P_V_CLAMP][l] = s->V_clamp;
    /* The neuron's own V cache if it holds exact values (bitwise neutral either way). */
    const dn_ht_vcache *vc = &s->vc;
    const bool valid = vc->exact == 1;
    B->C[C_V][l] = valid ? vc->V : NAN;
    B->C[C_D][l] = valid ? vc->D : NAN;
    B->C[C_ME][l] = vc->m_eq_NMDA;
    B->C[C_A1][l] = vc->A1;
    B->C[C_INAP][l] = vc->I_NaP;
    B->C[C_IKNA][l] = vc->I_KNa;
    B->C[C_DEQ][l] = vc->D_eq;
    B->C[C_MEQT][l] = vc->m_eq_T;
    B->C[C_HEQT][l] = vc->h_eq_T;
    B->C[C_MEQH][l] = vc->m_eq_h;
    B->C[C_MTK][l] = vc->m_T_k;
    B->C[C_HTK][l] = vc->h_T_k;
    B->C[C_MHK][l] = vc->m_h_k;
}

/* The lane's V cache into the neuron's state (what the scalar integrator would hold now). */
static void store_vcache(const batch *B, int l, dn_ht_vcache *vc)
{
    vc->V = B->C[C_V][l];
    vc->D = B->C[C_D][l];
    vc->m_eq_NMDA = B->C[C_ME][l];
    vc->A1 = B->C[C_A1][l];
    vc->I_NaP = B->C[C_INAP][l];
    vc->I_KNa = B->C[C_IKNA][l];
    vc->D_eq = B->C[C_DEQ][l];
    vc->m_eq_T = B->C[C_MEQT][l];
    vc->h_eq_T = B->C[C_HEQT][l];
    vc->m_eq_h = B->C[C_MEQH][l];
    vc->m_T_k = B->C[C_MTK][l];
    vc->h_T_k = B->C[C_HTK][l];
    vc->m_h_k = B->C[C_MHK][l];
    vc->exact = 1;
}

/* Make idle lane `dst` repeat lane `src`'s last work from now on: its results are never used,
 * but its arithmetic stays ordinary (no NaN or out-of-range lanes sent to scalar libm). */
static void park(batch *B, int dst, int src)
{
    for (int i = 0; i < NY; i++) {
        B->y0[i][dst] = B->y0[i][src];
        for (int j = 0; j < 6; j++)
            B->k[j][i][dst] = B->k[j][i][src];
    }
    for (int i = 0; i < NPAR; i++)
        B->P[i][dst] = B->P[i][src];
    for (int i = 0; i < NC; i++)
        B->C[i][dst] = B->C[i][src];
    B->H[dst] = B->H[src];
}

static void start_job(batch *B, int l)
{
    lane *L = &B->lane[l];
    L->active = !B->stop && B->io->next(B->io->ctx, &L->job);
    L->parked = false;
    if (!L->active)
        return;
    L->job.k = 0;
    L->need_k1 = true;
    L->spiked = false;
    L->t = 0.0;
    load_params(B, l, L->job.p, &L->job.s);
}

/* After an attempt: GSL's control decides retry or acceptance (evolve() of
 * ht_neuron_dynamics.c); an accepted substep is followed by step() of that file. */
static void finish_attempt(batch *B, int l)
{
    lane *L = &B->lane[l];
    dn_ht_job *J = &L->job;
    dn_ht_state *s = &J->s;
    const double h = J->c->h;
    B->cnt->attempts++;
    const double t = L->final_step ? h : L->t0 + L->h0;
    const double h_old = L->h0;
    if (dn_ht_control_adjust(B->rmax[l], B->pw[l], &L->h0) == DN_HT_HADJ_DEC) {
        if (L->h0 < h_old && t + L->h0 != t) {
            L->need_k1 = false; /* retry from the same y0 and k1 */
            return;
        }
        L->h0 = h_old;
    }
    s->hint = L->h0;
    for (int i = 0; i < NY; i++)
        s->y[i] = B->y[i][l];
    s->I_NaP = B->I[0][l];
    s->I_KNa = B->I[1][l];
    s->I_T = B->I[2][l];
    s->I_h = B->I[3][l];
    store_vcache(B, l, &s->vc);
    B->cnt->evolve_calls++;
    L->t = t;
    L->need_k1 = true;

    bool ok = true;
    L->spiked |= dn_ht_after_substep(J->p, J->c, s, &ok);
    if (!ok) {
        if (!B->stop) {
            B->stop = true;
            B->failed_node = J->node;
            B->failed_step = J->k;
        }
        B->io->done(B->io->ctx, J);
        L->active = false;
        return;
    }
    if (L->t < h)
        return; /* another evolve call in this step */
    double in[DN_HT_NRECEPTORS] = {0.0, 0.0, 0.0, 0.0}, I_next = 0.0;
    B->io->inputs(B->io->ctx, J, in, &I_next);
    dn_ht_end_step(J->c, s, in, I_next);
    B->io->stepped(B->io->ctx, J, L->spiked);
    L->spiked = false;
    L->t = 0.0;
    if (++J->k == J->nsteps) {
        B->io->done(B->io->ctx, J);
        start_job(B, l);
    }
}

/* Prepare lane l's next attempt: a new evolve call starts from the neuron's state. */
static void begin_attempt(batch *B, int l)
{
    lane *L = &B->lane[l];
    const dn_ht_state *s = &L->job.s;
    if (L->need_k1) {
        L->t0 = L->t;
        L->dt = L->job.c->h - L->t;
        L->h0 = s->hint;
        for (int i = 0; i < NY; i++)
            B->y0[i][l] = s->y[i];
        B->P[P_I_STIM][l] = s->I_stim;
        B->P[P_REF][l] = flag(s->ref_steps > 0);
    }
    L->final_step = false;
    if (L->h0 > L->dt) {
        L->h0 = L->dt;
        L->final_step = true;
    }
    B->H[l] = L->h0;
}

static bool run(batch *B)
{
    for (int l = 0; l < NL; l++)
        start_job(B, l);
    for (;;) {
        int active = 0, need = 0, any = -1;
        for (int l = 0; l < NL; l++)
            if (B->lane[l].active) {
                begin_attempt(B, l);
                active |= 1 << l;
                need |= B->lane[l].need_k1 << l;
                any = l;
            }
        if (!active)
            break;
        for (int l = 0; l < NL; l++)
            if (!B->lane[l].active && !B->lane[l].parked) {
                park(B, l, any);
                B->lane[l].parked = true;
            }
        attempt4(B, need, active);
        for (int l = 0; l < NL; l++)
            if (active & (1 << l))
                finish_attempt(B, l);
    }
    return !B->stop;
}
#endif /* DN_HT_VEXP_X86 */

bool dn_ht_batch_run(const dn_ht_batch_io *io, dn_ht_counters *cnt, size_t *failed_node,
                     int *failed_step)
{
    *failed_node = SIZE_MAX;
    *failed_step = 0;
#ifdef DN_HT_VEXP_X86
    if (dn_ht_vmath_use()) {
        dn_ht_counters dummy = {0};
        batch B;
        memset(&B, 0, sizeof B);
        B.io = io;
        B.cnt = cnt ? cnt : &dummy;
        const bool ok = run(&B);
        if (!ok) {
            *failed_node = B.failed_node;
            *failed_step = B.failed_step;
        }
        return ok;
    }
#endif
    (void)io, (void)cnt;
    return false;
}

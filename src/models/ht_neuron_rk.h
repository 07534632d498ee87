/* The pieces of ht_neuron's integration shared by the one-neuron integrator
 * (ht_neuron_dynamics.c) and the four-neuron lockstep one (ht_neuron_batch.c), so both perform
 * the very same operations: GSL 2.7's rkf45 coefficients, its standard step control, and what
 * happens between substeps and at the end of a simulation step (kernel spec §2, §3.1). */
#ifndef DENEST_MODELS_HT_NEURON_RK_H
#define DENEST_MODELS_HT_NEURON_RK_H

#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "models/ht_neuron_dynamics.h"

/* GSL's rkf45 coefficients, written as GSL writes them so they round identically. */
static const double dn_ht_ah0 = 1.0 / 4.0;
static const double dn_ht_b3_0 = 3.0 / 32.0, dn_ht_b3_1 = 9.0 / 32.0;
static const double dn_ht_b4_0 = 1932.0 / 2197.0, dn_ht_b4_1 = -7200.0 / 2197.0,
                    dn_ht_b4_2 = 7296.0 / 2197.0;
static const double dn_ht_b5_0 = 8341.0 / 4104.0, dn_ht_b5_1 = -32832.0 / 4104.0,
                    dn_ht_b5_2 = 29440.0 / 4104.0, dn_ht_b5_3 = -845.0 / 4104.0;
static const double dn_ht_b6_0 = -6080.0 / 20520.0, dn_ht_b6_1 = 41040.0 / 20520.0,
                    dn_ht_b6_2 = -28352.0 / 20520.0, dn_ht_b6_3 = 9295.0 / 20520.0,
                    dn_ht_b6_4 = -5643.0 / 20520.0;
static const double dn_ht_c1 = 902880.0 / 7618050.0, dn_ht_c3 = 3953664.0 / 7618050.0,
                    dn_ht_c4 = 3855735.0 / 7618050.0, dn_ht_c5 = -1371249.0 / 7618050.0,
                    dn_ht_c6 = 277020.0 / 7618050.0;
static const double dn_ht_ec1 = 1.0 / 360.0, dn_ht_ec3 = -128.0 / 4275.0,
                    dn_ht_ec4 = -2197.0 / 75240.0, dn_ht_ec5 = 1.0 / 50.0, dn_ht_ec6 = 2.0 / 55.0;

enum { DN_HT_HADJ_DEC = -1, DN_HT_HADJ_NIL = 0, DN_HT_HADJ_INC = 1 };

/* GSL's standard control with eps_abs 1e-3, eps_rel 0, a_y 1, a_dydt 0 (kernel spec §2.2):
 * D_i = 0·(|y_i| + 0·h·|y'_i|) + 1e-3, which is exactly 1e-3 when y_i and y'_i are finite and
 * NaN otherwise; GSL then ignores component i (a NaN ratio never wins the max), so a trial step
 * that blew up in V is judged by the remaining components. Correctly rounded division by a
 * positive constant is monotonic, so max_i(|yerr_i| / 1e-3) = (max_i |yerr_i|) / 1e-3 exactly:
 * one division instead of sixteen, bit for bit the same rmax. Elements are `stride` apart. */
static inline double dn_ht_control_rmax(const double *y, const double *yerr, const double *yp,
                                        int stride)
{
    double emax = 0.0;
    for (int i = 0; i < DN_HT_NY; i++) {
        const double e = fabs(yerr[i * stride]);
        if (isfinite(y[i * stride]) && isfinite(yp[i * stride]) && e > emax) /* NaN never wins */
            emax = e;
    }
    const double rmax = emax / 1e-3;
    return rmax > DBL_MIN ? rmax : DBL_MIN; /* GSL starts the max at DBL_MIN */
}

/* The exponent GSL's control raises rmax to: 1/order to shrink, 1/(order+1) to grow; the stepper's
 * order is 5. (Any value when rmax is in [0.5, 1.1]: the step is kept.) */
static inline double dn_ht_control_exponent(double rmax)
{
    return rmax > 1.1 ? 1.0 / 5.0 : 1.0 / (5.0 + 1.0);
}

/* The decision given rmax and pw = pow(rmax, dn_ht_control_exponent(rmax)): new *h, and
 * whether it shrank, grew or stayed. */
static inline int dn_ht_control_adjust(double rmax, double pw, double *h)
{
    const double S = 0.9;
    const double h_old = *h;
    if (rmax > 1.1) {
        double r = S / pw;
        if (r < 0.2)
            r = 0.2;
        *h = r * h_old;
        return DN_HT_HADJ_DEC;
    }
    if (rmax < 0.5) {
        double r = S / pw;
        if (r > 5.0)
            r = 5.0;
        if (r < 1.0)
            r = 1.0;
        *h = r * h_old;
        return DN_HT_HADJ_INC;
    }
    return DN_HT_HADJ_NIL;
}

static inline int dn_ht_control(const double *y, const double *yerr, const double *yp, int stride,
                                double *h)
{
    const double rmax = dn_ht_control_rmax(y, yerr, yp, stride);
    const bool keep = !(rmax > 1.1) && !(rmax < 0.5);
    return dn_ht_control_adjust(rmax, keep ? 0.0 : pow(rmax, dn_ht_control_exponent(rmax)), h);
}

/* After an accepted substep (kernel spec §3.1 "Update of one step"): clamp, NMDA re-blocking,
 * spike test. Returns true on a spike; *ok becomes false if V is not finite (then nothing else
 * is done). */
static inline bool dn_ht_after_substep(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                                       bool *ok)
{
    double *y = s->y;
    if (p->voltage_clamp)
        y[DN_HT_V_M] = s->V_clamp;
    const double V = y[DN_HT_V_M];
    if (!isfinite(V)) {
        *ok = false;
        return false;
    }
    /* Instantaneous NMDA re-blocking after every substep; dydt_out was just evaluated at
     * this V, so the cache normally holds m_eq_NMDA(V). */
    const double me = dn_ht_m_eq_NMDA(p, s, V);
    if (me < y[DN_HT_M_FAST_NMDA])
        y[DN_HT_M_FAST_NMDA] = me;
    if (me < y[DN_HT_M_SLOW_NMDA])
        y[DN_HT_M_SLOW_NMDA] = me;
    /* Spike test after EVERY accepted substep: mid-step spikes are possible. */
    if (s->ref_steps == 0 && V >= y[DN_HT_THETA]) {
        y[DN_HT_V_M] = p->E_Na;
        y[DN_HT_THETA] = p->E_Na;
        s->ref_steps = c->ref_steps;
        return true;
    }
    return false;
}

/* The end of a simulation step: refractory count, this step's spike input into the DG
 * variables (§1.5, §3.1; `in` may be NULL), the current read now drives the next step. */
static inline void dn_ht_end_step(const dn_ht_consts *c, dn_ht_state *s,
                                  const double in[DN_HT_NRECEPTORS], double I_next)
{
    if (s->ref_steps > 0)
        --s->ref_steps;
    if (in) {
        s->y[DN_HT_DG_AMPA] += c->cond_step[DN_HT_AMPA] * in[DN_HT_AMPA];
        s->y[DN_HT_DG_NMDA] += c->cond_step[DN_HT_NMDA] * in[DN_HT_NMDA];
        s->y[DN_HT_DG_GABA_A] += c->cond_step[DN_HT_GABA_A] * in[DN_HT_GABA_A];
        s->y[DN_HT_DG_GABA_B] += c->cond_step[DN_HT_GABA_B] * in[DN_HT_GABA_B];
    }
    s->I_stim = I_next;
}

#endif

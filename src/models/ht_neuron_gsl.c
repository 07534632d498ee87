/* ht_neuron through GSL's gsl_odeiv (v1) API, the way NEST 2.20 integrates it (kernel spec §2):
 * rkf45 stepper, standard "y" control with eps_abs 1e-3 and eps_rel 0, evolve_apply per
 * substep with the hint carried in the neuron's state. Reference for tests and benchmarks. */
#include "models/ht_neuron_gsl.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv.h>

struct dn_ht_gsl {
    gsl_odeiv_step *step;
    gsl_odeiv_control *control;
    gsl_odeiv_evolve *evolve;
};

/* What the GSL callback needs: the neuron's parameters and its state record. */
typedef struct rhs_ctx {
    const dn_ht_params *p;
    const dn_ht_consts *c;
    dn_ht_state *s;
} rhs_ctx;

static int gsl_rhs_exact(double t, const double y[], double f[], void *params)
{
    (void)t; /* autonomous system */
    const rhs_ctx *ctx = params;
    dn_ht_rhs(ctx->p, ctx->s, y, f);
    return GSL_SUCCESS;
}

static int gsl_rhs_fast(double t, const double y[], double f[], void *params)
{
    (void)t;
    const rhs_ctx *ctx = params;
    dn_ht_rhs_fast(ctx->p, ctx->c, ctx->s, y, f);
    return GSL_SUCCESS;
}

dn_ht_gsl *dn_ht_gsl_new(void)
{
    dn_ht_gsl *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    /* GSL's default error handler aborts; its allocators call it on failure. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    g->step = gsl_odeiv_step_alloc(gsl_odeiv_step_rkf45, DN_HT_NY);
    g->control = gsl_odeiv_control_y_new(1e-3, 0.0);
    g->evolve = gsl_odeiv_evolve_alloc(DN_HT_NY);
    gsl_set_error_handler(old);
    if (!g->step || !g->control || !g->evolve) {
        dn_ht_gsl_free(g);
        return NULL;
    }
    return g;
}

void dn_ht_gsl_free(dn_ht_gsl *g)
{
    if (!g)
        return;
    if (g->step)
        gsl_odeiv_step_free(g->step);
    if (g->control)
        gsl_odeiv_control_free(g->control);
    if (g->evolve)
        gsl_odeiv_evolve_free(g->evolve);
    free(g);
}

double dn_ht_gsl_evolve(dn_ht_gsl *g, const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                        double t0, double t1, bool exact, bool *ok)
{
    rhs_ctx ctx = {p, c, s};
    gsl_odeiv_system sys = {exact ? gsl_rhs_exact : gsl_rhs_fast, NULL, DN_HT_NY, &ctx};
    double t = t0;
    /* NEST resets nothing between neurons: the stepper keeps no state that matters (rkf45
     * recomputes everything from y and dydt_in) and evolve_apply starts from y each call. */
    int status =
        gsl_odeiv_evolve_apply(g->evolve, g->control, g->step, &sys, &t, t1, &s->hint, s->y);
    *ok = status == GSL_SUCCESS;
    return t;
}

bool dn_ht_gsl_step(dn_ht_gsl *g, const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                    const double in[DN_HT_NRECEPTORS], double I_next, bool exact, bool *ok)
{
    /* Kernel spec §3.1 "Update of one step", as dn_ht_step_fast. */
    const double h = c->h;
    double t = 0.0;
    bool spiked = false;
    *ok = true;
    while (t < h) {
        t = dn_ht_gsl_evolve(g, p, c, s, t, h, exact, ok);
        if (!*ok)
            return spiked;
        double *y = s->y;
        if (p->voltage_clamp)
            y[DN_HT_V_M] = s->V_clamp;
        const double V = y[DN_HT_V_M];
        const double me = dn_ht_m_eq_NMDA(p, s, V);
        if (me < y[DN_HT_M_FAST_NMDA])
            y[DN_HT_M_FAST_NMDA] = me;
        if (me < y[DN_HT_M_SLOW_NMDA])
            y[DN_HT_M_SLOW_NMDA] = me;
        if (s->ref_steps == 0 && V >= y[DN_HT_THETA]) {
            y[DN_HT_V_M] = p->E_Na;
            y[DN_HT_THETA] = p->E_Na;
            s->ref_steps = c->ref_steps;
            spiked = true;
        }
    }
    if (s->ref_steps > 0)
        --s->ref_steps;
    if (in)
        for (int x = 0; x < DN_HT_NRECEPTORS; x++)
            s->y[DN_HT_DG_AMPA + 2 * x] += c->cond_step[x] * in[x];
    s->I_stim = I_next;
    return spiked;
}

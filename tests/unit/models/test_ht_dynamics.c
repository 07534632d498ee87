/* ht_neuron numerics without the engine: parameter defaults and checks, derived constants,
 * prototype state and equilibrate, step order details (refractoriness, clamps, inputs), and the
 * hand-written RKF45/evolve of ht_neuron_dynamics.c against GSL's own gsl_odeiv_evolve_apply +
 * rkf45 + control_y_new(1e-3, 0) on the same problems (kernel spec §2): bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "denest/rng.h"
#include "models/ht_neuron_dynamics.h"
#include "models/ht_neuron_gsl.h"

/* ---- parameters ------------------------------------------------------------------------- */

static void test_defaults_match_nest(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    /* A few values of nest_defaults.json (ht_neuron). */
    assert_true(p.E_Na == 30.0 && p.E_K == -90.0 && p.g_NaL == 0.2 && p.g_KL == 1.0);
    assert_true(p.tau_m == 16.0 && p.theta_eq == -51.0 && p.tau_theta == 2.0);
    assert_true(p.tau_spike == 1.75 && p.t_ref == 2.0);
    assert_true(p.g_peak_AMPA == 0.1 && p.tau_rise_AMPA == 0.5 && p.tau_decay_AMPA == 2.4);
    assert_true(p.g_peak_NMDA == 0.075 && p.V_act_NMDA == -25.57 && p.S_act_NMDA == 0.081);
    assert_true(p.tau_Mg_slow_NMDA == 22.7 && p.tau_Mg_fast_NMDA == 0.68);
    assert_true(p.g_peak_GABA_A == 0.33 && p.E_rev_GABA_A == -70.0);
    assert_true(p.g_peak_GABA_B == 0.0132 && p.tau_rise_GABA_B == 60.0);
    assert_true(p.tau_decay_GABA_B == 200.0 && p.E_rev_GABA_B == -90.0);
    assert_true(p.tau_D_KNa == 1250.0 && p.E_rev_h == -40.0);
    assert_false(p.instant_unblock_NMDA);
    assert_false(p.voltage_clamp);
    assert_int_equal(dn_ht_params_check(&p, NULL), DN_OK);
}

/* A double parameter by NEST name (test helper). */
static double *param_ptr(dn_ht_params *p, const char *name)
{
    static const struct {
        const char *name;
        size_t offset;
    } tab[] = {
        {"tau_m", offsetof(dn_ht_params, tau_m)},
        {"tau_theta", offsetof(dn_ht_params, tau_theta)},
        {"tau_spike", offsetof(dn_ht_params, tau_spike)},
        {"t_ref", offsetof(dn_ht_params, t_ref)},
        {"g_NaL", offsetof(dn_ht_params, g_NaL)},
        {"g_KL", offsetof(dn_ht_params, g_KL)},
        {"S_act_NMDA", offsetof(dn_ht_params, S_act_NMDA)},
        {"g_peak_AMPA", offsetof(dn_ht_params, g_peak_AMPA)},
        {"g_peak_h", offsetof(dn_ht_params, g_peak_h)},
        {"tau_rise_AMPA", offsetof(dn_ht_params, tau_rise_AMPA)},
        {"tau_decay_AMPA", offsetof(dn_ht_params, tau_decay_AMPA)},
        {"tau_rise_NMDA", offsetof(dn_ht_params, tau_rise_NMDA)},
        {"tau_decay_NMDA", offsetof(dn_ht_params, tau_decay_NMDA)},
        {"tau_rise_GABA_A", offsetof(dn_ht_params, tau_rise_GABA_A)},
        {"tau_decay_GABA_A", offsetof(dn_ht_params, tau_decay_GABA_A)},
        {"tau_rise_GABA_B", offsetof(dn_ht_params, tau_rise_GABA_B)},
        {"tau_decay_GABA_B", offsetof(dn_ht_params, tau_decay_GABA_B)},
        {"tau_Mg_fast_NMDA", offsetof(dn_ht_params, tau_Mg_fast_NMDA)},
        {"tau_Mg_slow_NMDA", offsetof(dn_ht_params, tau_Mg_slow_NMDA)},
        {"tau_D_KNa", offsetof(dn_ht_params, tau_D_KNa)},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (strcmp(name, tab[k].name) == 0)
            return (double *)((char *)p + tab[k].offset);
    fail_msg("unknown parameter %s", name);
    return NULL;
}

static void expect_bad(const char *name, double value, const char *needle)
{
    dn_ht_params p;
    dn_ht_params_default(&p);
    *param_ptr(&p, name) = value;
    dn_error err;
    dn_error_clear(&err);
    assert_int_equal(dn_ht_params_check(&p, &err), DN_EINPUT);
    assert_int_equal(err.status, DN_EINPUT);
    if (!strstr(err.message, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    if (!strstr(err.message, name))
        fail_msg("message \"%s\" does not name %s", err.message, name);
}

static void test_parameter_checks(void **state)
{
    (void)state;
    /* Non-positive time constants. */
    const char *taus[] = {"tau_m",
                          "tau_theta",
                          "tau_spike",
                          "tau_rise_AMPA",
                          "tau_decay_AMPA",
                          "tau_rise_NMDA",
                          "tau_decay_NMDA",
                          "tau_rise_GABA_A",
                          "tau_decay_GABA_A",
                          "tau_rise_GABA_B",
                          "tau_decay_GABA_B",
                          "tau_Mg_fast_NMDA",
                          "tau_Mg_slow_NMDA",
                          "tau_D_KNa"};
    for (size_t i = 0; i < sizeof taus / sizeof taus[0]; i++) {
        expect_bad(taus[i], 0.0, "> 0");
        expect_bad(taus[i], -1.0, "> 0");
        expect_bad(taus[i], NAN, "> 0");
    }
    /* Negative conductances, S_act_NMDA, t_ref. */
    expect_bad("g_NaL", -0.1, ">= 0");
    expect_bad("g_KL", -1.0, ">= 0");
    expect_bad("g_peak_AMPA", -0.1, ">= 0");
    expect_bad("g_peak_h", -1e-9, ">= 0");
    expect_bad("S_act_NMDA", -0.081, ">= 0");
    expect_bad("t_ref", -2.0, ">= 0");
    /* tau_rise must be below tau_decay, for each receptor. */
    expect_bad("tau_rise_AMPA", 2.4, "smaller than tau_decay_AMPA");
    expect_bad("tau_rise_AMPA", 3.0, "smaller than tau_decay_AMPA");
    expect_bad("tau_decay_NMDA", 4.0, "smaller than tau_decay_NMDA");
    expect_bad("tau_rise_GABA_A", 7.5, "smaller than tau_decay_GABA_A");
    expect_bad("tau_decay_GABA_B", 50.0, "smaller than tau_decay_GABA_B");
    expect_bad("tau_Mg_fast_NMDA", 22.7, "smaller than tau_Mg_slow_NMDA");
    /* Zero conductances and t_ref are allowed. */
    dn_ht_params p;
    dn_ht_params_default(&p);
    p.g_peak_AMPA = 0.0;
    p.t_ref = 0.0;
    p.S_act_NMDA = 0.0;
    assert_int_equal(dn_ht_params_check(&p, NULL), DN_OK);
}

static void test_round_steps_and_consts(void **state)
{
    (void)state;
    /* Kernel spec §1.1: ms → tics (round) → steps (ceiling). */
    assert_int_equal(dn_ht_round_steps(2.0, 1000, 100), 20);
    assert_int_equal(dn_ht_round_steps(2.05, 1000, 100), 21);
    assert_int_equal(dn_ht_round_steps(2.01, 1000, 100), 21);
    assert_int_equal(dn_ht_round_steps(2.0004, 1000, 100), 20); /* rounds to 2000 tics */
    assert_int_equal(dn_ht_round_steps(2.0, 1000, 500), 4);
    assert_int_equal(dn_ht_round_steps(2.2, 1000, 1000), 3);
    assert_int_equal(dn_ht_round_steps(0.0, 1000, 100), 0);

    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, 100, &c);
    assert_true(c.h == 0.1);
    assert_int_equal(c.ref_steps, 21);
    dn_ht_consts_compute(&p, 1000, 500, &c);
    assert_true(c.h == 0.5);
    assert_int_equal(c.ref_steps, 5);

    /* cond_step normalisation: a unit DG jump makes G peak at exactly g_peak (analytically the
     * peak of the difference of exponentials at t_peak). */
    const double tr[] = {0.5, 4.0, 1.0, 60.0}, td[] = {2.4, 40.0, 7.0, 200.0};
    const double gp[] = {0.1, 0.075, 0.33, 0.0132};
    for (int x = 0; x < 4; x++) {
        const double k = dn_ht_cond_step(gp[x], tr[x], td[x]);
        assert_true(fabs(k - c.cond_step[x]) <= 1e-15 * k);
        /* G(t) = k·tr·td/(td−tr)·(exp(−t/td) − exp(−t/tr)); scan for its maximum. */
        double gmax = 0.0;
        for (int i = 1; i < 200000; i++) {
            const double t = i * td[x] * 2e-5;
            const double g =
                k * tr[x] * td[x] / (td[x] - tr[x]) * (exp(-t / td[x]) - exp(-t / tr[x]));
            if (g > gmax)
                gmax = g;
        }
        assert_true(fabs(gmax - gp[x]) < 1e-9 * gp[x]);
    }
}

/* ---- state ------------------------------------------------------------------------------ */

static void test_prototype_and_equilibrate(void **state)
{
    (void)state;
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    assert_true(s.y[DN_HT_V_M] == -70.0);
    assert_true(s.y[DN_HT_THETA] == -51.0);
    for (int i = DN_HT_DG_AMPA; i <= DN_HT_G_GABA_B; i++)
        assert_true(s.y[i] == 0.0);
    assert_int_equal(s.ref_steps, 0);
    /* Gating variables at their equilibria for the built-in defaults at -70 mV. */
    const double me = 1.0 / (1.0 + exp(-0.081 * (-70.0 + 25.57)));
    assert_true(fabs(s.y[DN_HT_M_FAST_NMDA] - me) < 1e-15);
    assert_true(fabs(s.y[DN_HT_M_SLOW_NMDA] - me) < 1e-15);
    assert_true(fabs(s.y[DN_HT_M_IH] - 1.0 / (1.0 + exp(5.0 / 5.5))) < 1e-15);
    assert_true(fabs(s.y[DN_HT_M_IT] - 1.0 / (1.0 + exp(11.0 / 6.2))) < 1e-15);
    assert_true(fabs(s.y[DN_HT_H_IT] - 1.0 / (1.0 + exp(13.0 / 4.0))) < 1e-15);
    assert_true(fabs(s.y[DN_HT_D_IKNA] - (1250.0 * 0.025 / (1.0 + exp(12.0)) + 0.001)) < 1e-15);

    /* Kernel spec §3.1: equilibrate uses the node's own parameters at its present V. */
    dn_ht_params p;
    dn_ht_params_default(&p);
    p.S_act_NMDA = 0.4;
    p.V_act_NMDA = -58.0;
    s.y[DN_HT_V_M] = -60.0;
    dn_ht_state_equilibrate(&p, &s);
    assert_true(fabs(s.y[DN_HT_M_FAST_NMDA] - 1.0 / (1.0 + exp(-0.4 * (-2.0)))) < 1e-15);
    assert_true(fabs(s.y[DN_HT_M_IH] - 1.0 / (1.0 + exp(15.0 / 5.5))) < 1e-15);

    /* init_buffers: hint = h, no current. */
    s.I_stim = 5.0;
    dn_ht_state_init_buffers(&s, 0.5);
    assert_true(s.hint == 0.5 && s.I_stim == 0.0);
}

/* The free (unstimulated) ht_neuron is not at rest: kernel spec §11 gives the initial currents
 * and dV/dt ≈ +0.56 mV/ms. */
static void test_initial_currents(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    dn_ht_state_calibrate(&s);
    double f[DN_HT_NY];
    dn_ht_rhs(&p, &s, s.y, f);
    assert_true(fabs(s.I_h - 8.6) < 0.05);
    assert_true(fabs(s.I_NaP - 0.25) < 0.01);
    assert_true(fabs(s.I_T - 0.05) < 0.01);
    assert_true(fabs(s.I_KNa) < 1e-5);
    assert_true(fabs(f[DN_HT_V_M] - 0.56) < 0.01);
}

/* ---- step order ------------------------------------------------------------------------- */

static void test_input_timing_and_refractoriness(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, 100, &c);
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    dn_ht_state_init_buffers(&s, c.h);
    dn_ht_state_calibrate(&s);
    bool ok;
    /* Input read in a step lands in DG at its end; G still 0 in that sample. */
    const double in[4] = {2.0, 0, 0, 0};
    assert_false(dn_ht_step(&p, &c, &s, in, 0.0, &ok, NULL));
    assert_true(ok);
    assert_true(fabs(s.y[DN_HT_DG_AMPA] - 2.0 * c.cond_step[DN_HT_AMPA]) < 1e-15);
    assert_true(s.y[DN_HT_G_AMPA] == 0.0);
    assert_false(dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL));
    assert_true(s.y[DN_HT_G_AMPA] > 0.0);

    /* Force a spike: V above threshold. It fires in this step, resets V/theta to E_Na, and stays
     * refractory for round_steps(t_ref) further steps (counter = 21, minus one per step). */
    s.y[DN_HT_V_M] = -40.0;
    assert_true(dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL));
    assert_int_equal(s.ref_steps, 20);
    assert_true(s.y[DN_HT_THETA] <= p.E_Na);
    int steps = 0;
    while (s.ref_steps > 0) {
        s.y[DN_HT_V_M] = 40.0; /* far above threshold: no spike while refractory */
        assert_false(dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL));
        steps++;
    }
    assert_int_equal(steps, 20);
    s.y[DN_HT_V_M] = 40.0;
    assert_true(dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL));

    /* The current read in a step drives the NEXT step only. */
    dn_ht_state a, b;
    dn_ht_state_prototype(&a);
    dn_ht_state_init_buffers(&a, c.h);
    dn_ht_state_calibrate(&a);
    b = a;
    dn_ht_step(&p, &c, &a, NULL, 100.0, &ok, NULL);
    dn_ht_step(&p, &c, &b, NULL, 0.0, &ok, NULL);
    assert_true(a.y[DN_HT_V_M] == b.y[DN_HT_V_M]);
    assert_true(a.I_stim == 100.0);
    dn_ht_step(&p, &c, &a, NULL, 0.0, &ok, NULL);
    dn_ht_step(&p, &c, &b, NULL, 0.0, &ok, NULL);
    assert_true(a.y[DN_HT_V_M] > b.y[DN_HT_V_M] + 0.5);
}

static void test_voltage_clamp_and_nmda_block(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    p.voltage_clamp = true;
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, 100, &c);
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    s.y[DN_HT_V_M] = -45.0; /* above theta: a clamped neuron still spikes once... */
    dn_ht_state_init_buffers(&s, c.h);
    dn_ht_state_calibrate(&s); /* V_clamp = -45 */
    bool ok;
    const double in[4] = {0, 1.0, 0, 0};
    bool spiked = dn_ht_step(&p, &c, &s, in, 0.0, &ok, NULL);
    assert_true(spiked); /* V >= theta after the first substep */
    for (int i = 0; i < 50; i++) {
        dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL);
        assert_true(s.y[DN_HT_V_M] == -45.0); /* ...and is held at V_clamp after every step */
    }
    /* NMDA re-blocking: m_fast/m_slow never exceed m_eq(V) after a step. */
    const double me = 1.0 / (1.0 + exp(-p.S_act_NMDA * (-45.0 - p.V_act_NMDA)));
    assert_true(s.y[DN_HT_M_FAST_NMDA] <= me && s.y[DN_HT_M_SLOW_NMDA] <= me);
    /* g_NMDA = G_NMDA · (A1 m_fast + A2 m_slow). */
    const double A1 = 0.51 - 0.0028 * -45.0;
    const double g =
        s.y[DN_HT_G_NMDA] * (A1 * s.y[DN_HT_M_FAST_NMDA] + (1 - A1) * s.y[DN_HT_M_SLOW_NMDA]);
    assert_true(s.y[DN_HT_G_NMDA] > 0.0);
    assert_true(fabs(dn_ht_recordable_value(&p, &s, DN_HT_REC_G_NMDA) - g) <= 1e-15 * g);
    p.instant_unblock_NMDA = true;
    assert_true(fabs(dn_ht_recordable_value(&p, &s, DN_HT_REC_G_NMDA) - s.y[DN_HT_G_NMDA] * me) <=
                1e-15 * g);
}

static void test_nonfinite_state_reported(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, 100, &c);
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    dn_ht_state_init_buffers(&s, c.h);
    dn_ht_state_calibrate(&s);
    bool ok = true;
    dn_ht_step(&p, &c, &s, NULL, NAN, &ok, NULL);
    assert_true(ok); /* the NaN current only enters the next step */
    dn_ht_step(&p, &c, &s, NULL, 0.0, &ok, NULL);
    assert_false(ok);
}

/* ---- the integrator against GSL --------------------------------------------------------- */

/* Bit-identical, except that any NaN equals any NaN (GSL accepts a blown-up trial step when the
 * finite components pass the error test; the payload of the NaN does not matter). */
static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static int same_state(const dn_ht_state *a, const dn_ht_state *b)
{
    for (int i = 0; i < DN_HT_NY; i++)
        if (!same_double(a->y[i], b->y[i]))
            return 0;
    return same_double(a->hint, b->hint) && a->ref_steps == b->ref_steps &&
           same_double(a->I_NaP, b->I_NaP) && same_double(a->I_KNa, b->I_KNa) &&
           same_double(a->I_T, b->I_T) && same_double(a->I_h, b->I_h);
}

/* Single evolve calls from assorted (t0, t1, hint), including hint == t1 − t0, hint > t1 − t0
 * (truncated final step), tiny hints and states far from rest (rejections). */
static void evolve_against_gsl(bool exact)
{
    dn_ht_gsl *g = dn_ht_gsl_new();
    assert_non_null(g);
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    gsl_rng *r = dn_rng_alloc();
    dn_rng_seek(r, 7, DN_RNG_GENERIC, 1, 0, 0);
    unsigned long rejections = 0;
    for (int trial = 0; trial < 4000; trial++) {
        dn_ht_state a;
        dn_ht_state_prototype(&a);
        a.y[DN_HT_V_M] = -90.0 + 130.0 * gsl_rng_uniform(r);
        a.y[DN_HT_THETA] = -51.0 + 81.0 * gsl_rng_uniform(r);
        for (int x = 0; x < 4; x++) {
            a.y[DN_HT_DG_AMPA + 2 * x] = gsl_rng_uniform(r) * (trial % 3 == 0 ? 5.0 : 0.2);
            a.y[DN_HT_G_AMPA + 2 * x] = gsl_rng_uniform(r) * 0.5;
        }
        a.ref_steps = (int)(trial % 4 == 0);
        a.I_stim = (trial % 5 == 0) ? 50.0 * gsl_rng_uniform(r) : 0.0;
        dn_ht_state_calibrate(&a);
        const long tps[] = {100, 500, 1000};
        dn_ht_consts_compute(&p, 1000, tps[trial % 3], &c);
        const double h = c.h;
        double t0 = (trial % 7 == 0) ? h * gsl_rng_uniform(r) : 0.0;
        const double dt = h - t0;
        switch (trial % 6) {
        case 0:
            a.hint = dt;
            break; /* exactly the remaining time */
        case 1:
            a.hint = h;
            break;
        case 2:
            a.hint = dt * (0.1 + gsl_rng_uniform(r));
            break;
        case 3:
            a.hint = 1e-4 * gsl_rng_uniform(r) + 1e-9;
            break;
        case 4:
            a.hint = 2.0 * h;
            break;
        default:
            a.hint = nextafter(dt, 0.0);
            break; /* one ulp below */
        }
        dn_ht_state b = a;
        dn_ht_counters cnt = {0};
        double ta = t0, tb = t0;
        /* Several consecutive calls up to t1, as NEST's while loop. */
        for (int k = 0; k < 100 && ta < h; k++) {
            bool ok;
            ta = (exact ? dn_ht_evolve : dn_ht_evolve_fast)(&p, &c, &a, ta, h, &cnt);
            tb = dn_ht_gsl_evolve(g, &p, &c, &b, tb, h, exact, &ok);
            assert_true(ok);
            if (ta != tb || !same_state(&a, &b))
                fail_msg("trial %d call %d: t %.17g vs %.17g, V %.17g vs %.17g, hint %.17g vs "
                         "%.17g",
                         trial, k, ta, tb, a.y[0], b.y[0], a.hint, b.hint);
        }
        rejections += cnt.attempts - cnt.evolve_calls;
    }
    /* The problems above must exercise the rejection path. */
    fprintf(stderr, "  %s: %lu rejected attempts\n", exact ? "exact" : "fast", rejections);
    assert_true(rejections > 100);
    gsl_rng_free(r);
    dn_ht_gsl_free(g);
}

static void test_evolve_matches_gsl(void **state)
{
    (void)state;
    evolve_against_gsl(true);
    evolve_against_gsl(false);
}

/* Whole simulation steps with random input, dc current, spikes, clamping and instant unblock:
 * dn_ht_step (and _fast) and the GSL-driven step stay bit-identical for thousands of steps. */
static void run_steps_against_gsl(dn_ht_params p, long tics_per_step, double in_rate_hz, double I,
                                  int nsteps, uint64_t seed, bool exact, int *spikes)
{
    dn_ht_gsl *g = dn_ht_gsl_new();
    assert_non_null(g);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, tics_per_step, &c);
    dn_ht_state a;
    dn_ht_state_prototype(&a);
    dn_ht_state_init_buffers(&a, c.h);
    dn_ht_state_calibrate(&a);
    dn_ht_state b = a;
    gsl_rng *r = dn_rng_alloc();
    dn_rng_seek(r, seed, DN_RNG_GENERIC, 2, 0, 0);
    const double lambda = in_rate_hz * c.h * 1e-3;
    *spikes = 0;
    for (int n = 0; n < nsteps; n++) {
        double in[4];
        for (int x = 0; x < 4; x++)
            in[x] = (double)gsl_ran_poisson(r, lambda * (x == 0 ? 1.0 : x == 1 ? 0.25 : 0.05));
        const double In = (n / 500) % 2 ? I : 0.0;
        bool oka, okb;
        const bool sa = (exact ? dn_ht_step : dn_ht_step_fast)(&p, &c, &a, in, In, &oka, NULL);
        const bool sb = dn_ht_gsl_step(g, &p, &c, &b, in, In, exact, &okb);
        assert_true(oka && okb);
        assert_int_equal(sa, sb);
        *spikes += sa;
        if (!same_state(&a, &b))
            fail_msg("step %d: V %.17g vs %.17g", n, a.y[0], b.y[0]);
    }
    fprintf(stderr, "  h=%.1f rate %.0f Hz I %.0f: %d spikes\n", c.h, in_rate_hz, I, *spikes);
    gsl_rng_free(r);
    dn_ht_gsl_free(g);
}

static void steps_against_gsl(bool exact)
{
    dn_ht_params p;
    dn_ht_params_default(&p);
    int spikes;
    run_steps_against_gsl(p, 100, 2000.0, 10.0, 3000, 1, exact, &spikes);
    assert_true(spikes > 10);
    run_steps_against_gsl(p, 500, 3000.0, 20.0, 2000, 2, exact, &spikes);
    assert_true(spikes > 10);
    run_steps_against_gsl(p, 1000, 1000.0, 0.0, 1000, 3, exact, &spikes);
    assert_true(spikes > 10);
    run_steps_against_gsl(p, 300, 3000.0, 5.0, 1000, 4, exact, &spikes); /* h = 0.3 ms */
    assert_true(spikes > 10);
    dn_ht_params q = p;
    q.instant_unblock_NMDA = true;
    q.g_NaL = 1.0;
    run_steps_against_gsl(q, 100, 500.0, 0.0, 2000, 5, exact, &spikes);
    assert_true(spikes > 10);
    q = p;
    q.voltage_clamp = true;
    run_steps_against_gsl(q, 100, 2000.0, 10.0, 1000, 6, exact, &spikes);
}

static void test_steps_match_gsl(void **state)
{
    (void)state;
    steps_against_gsl(true);
    steps_against_gsl(false);
}

/* The fast and the exact right-hand sides agree closely (1 ulp exp vs 0.51 ulp exp, x³ vs
 * pow): over a 1 s stimulated run at h = 0.1 ms the spikes are identical and V stays within
 * 1e-6 mV. */
static void test_fast_close_to_exact(void **state)
{
    (void)state;
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, 1000, 100, &c);
    dn_ht_state a;
    dn_ht_state_prototype(&a);
    dn_ht_state_init_buffers(&a, c.h);
    dn_ht_state_calibrate(&a);
    dn_ht_state b = a;
    gsl_rng *r = dn_rng_alloc();
    dn_rng_seek(r, 11, DN_RNG_GENERIC, 3, 0, 0);
    int spikes = 0;
    double worst = 0;
    for (int n = 0; n < 10000; n++) {
        double in[4] = {(double)gsl_ran_poisson(r, 0.15), 0, 0, 0};
        bool oka, okb;
        const bool sa = dn_ht_step_fast(&p, &c, &a, in, 0.0, &oka, NULL);
        const bool sb = dn_ht_step(&p, &c, &b, in, 0.0, &okb, NULL);
        assert_int_equal(sa, sb);
        spikes += sa;
        const double d = fabs(a.y[DN_HT_V_M] - b.y[DN_HT_V_M]);
        if (d > worst)
            worst = d;
    }
    fprintf(stderr, "  fast vs exact: %d spikes, max |dV| %.2e mV\n", spikes, worst);
    assert_true(spikes > 20);
    assert_true(worst < 1e-6);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_nest),
        cmocka_unit_test(test_parameter_checks),
        cmocka_unit_test(test_round_steps_and_consts),
        cmocka_unit_test(test_prototype_and_equilibrate),
        cmocka_unit_test(test_initial_currents),
        cmocka_unit_test(test_input_timing_and_refractoriness),
        cmocka_unit_test(test_voltage_clamp_and_nmda_block),
        cmocka_unit_test(test_nonfinite_state_reported),
        cmocka_unit_test(test_evolve_matches_gsl),
        cmocka_unit_test(test_steps_match_gsl),
        cmocka_unit_test(test_fast_close_to_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

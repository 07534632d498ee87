/* The four-lane lockstep integrator (ht_neuron_batch.c) against the one-neuron integrator with
 * scalar libm (dn_ht_step, vector math switched off), bit for bit after every step: neurons
 * with different parameters (spiking, clamped, instant unblock, no refractory period, other
 * time constants) and random spike and current input, run slice by slice as the engine does,
 * with slice lengths 1, 2, 5 and 7 steps and neuron counts that leave lanes idle; and a neuron
 * whose V becomes non-finite, which must be reported at the same step as by dn_ht_step while
 * the other neurons complete their slice. Skipped where the vector path is unavailable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "denest/rng.h"
#include "models/ht_neuron_batch.h"
#include "models/ht_neuron_dynamics.h"
#include "models/ht_vexp.h"

enum { MAXN = 16 };

typedef struct neuron {
    dn_ht_params p;
    dn_ht_consts c;
    dn_ht_state s;
} neuron;

/* The reference after each step of each neuron. */
typedef struct trace {
    dn_ht_state *s; /* [step] */
    bool *spiked;
    int fail_step; /* -1: none */
} trace;

typedef struct run {
    int n, nsteps;
    neuron nrn[MAXN];
    double (*in)[DN_HT_NRECEPTORS]; /* [neuron * nsteps + step] */
    double *I;
    trace ref[MAXN];
    /* what the batch run is doing */
    int slice0, slice_len;
    int next;
    size_t checked, spikes, started; /* jobs handed out */
} run;

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void assert_same_state(const dn_ht_state *a, const dn_ht_state *b, int node, int step)
{
    for (int i = 0; i < DN_HT_NY; i++)
        if (!same_double(a->y[i], b->y[i]))
            fail_msg("neuron %d step %d: y[%d] %.17g vs %.17g", node, step, i, a->y[i], b->y[i]);
    if (!same_double(a->hint, b->hint) || a->ref_steps != b->ref_steps ||
        !same_double(a->I_stim, b->I_stim) || !same_double(a->I_NaP, b->I_NaP) ||
        !same_double(a->I_KNa, b->I_KNa) || !same_double(a->I_T, b->I_T) ||
        !same_double(a->I_h, b->I_h))
        fail_msg("neuron %d step %d: hint, refractory count or currents differ", node, step);
}

/* n neurons of assorted kinds; input for every step drawn from Philox. */
static void setup_run(run *R, int n, int nsteps, long tics_per_step, uint64_t seed)
{
    memset(R, 0, sizeof *R);
    R->n = n;
    R->nsteps = nsteps;
    for (int i = 0; i < n; i++) {
        neuron *u = &R->nrn[i];
        dn_ht_params_default(&u->p);
        dn_ht_state_prototype(&u->s);
        switch (i % 8) {
        case 1: /* the tutorial's excitatory cells: fire on their own */
            u->p.g_KL = 1.0, u->p.g_NaL = 1.0;
            u->s.y[DN_HT_V_M] = -44.0;
            break;
        case 2:
            u->p.instant_unblock_NMDA = true;
            u->p.g_NaL = 0.5;
            break;
        case 3:
            u->p.voltage_clamp = true;
            u->s.y[DN_HT_V_M] = -60.0; /* clamped here at calibrate */
            break;
        case 4:
            u->p.g_peak_NMDA = 0.5, u->p.tau_D_KNa = 500.0, u->p.g_peak_T = 2.0;
            break;
        case 5:
            u->p.t_ref = 0.0;
            u->p.g_NaL = 0.6;
            break;
        case 6:
            u->p.tau_m = 8.0, u->p.g_peak_h = 3.0, u->p.E_rev_GABA_A = -80.0;
            break;
        default:
            break;
        }
        assert_int_equal(dn_ht_params_check(&u->p, NULL), DN_OK);
        dn_ht_consts_compute(&u->p, 1000, tics_per_step, &u->c);
        dn_ht_state_init_buffers(&u->s, u->c.h);
        dn_ht_state_calibrate(&u->s);
    }
    R->in = calloc((size_t)n * (size_t)nsteps, sizeof *R->in);
    R->I = calloc((size_t)n * (size_t)nsteps, sizeof *R->I);
    assert_true(R->in && R->I);
    gsl_rng *r = dn_rng_alloc();
    assert_non_null(r);
    for (int i = 0; i < n; i++) {
        dn_rng_seek(r, seed, DN_RNG_GENERIC, 7, (uint64_t)i, 0);
        const double lambda = (500.0 + 400.0 * i) * R->nrn[i].c.h * 1e-3;
        for (int k = 0; k < nsteps; k++) {
            double *x = R->in[(size_t)i * (size_t)nsteps + (size_t)k];
            for (int q = 0; q < DN_HT_NRECEPTORS; q++)
                x[q] = (double)gsl_ran_poisson(r, lambda * (q == 0 ? 1.0 : q == 1 ? 0.3 : 0.1));
            R->I[(size_t)i * (size_t)nsteps + (size_t)k] = (k / 150) % 3 == 1 ? 4.0 + i : 0.0;
        }
    }
    gsl_rng_free(r);
}

static void free_run(run *R)
{
    for (int i = 0; i < R->n; i++) {
        free(R->ref[i].s);
        free(R->ref[i].spiked);
    }
    free(R->in);
    free(R->I);
}

/* dn_ht_step with scalar libm, one neuron after the other. */
static void reference(run *R)
{
    const bool was = dn_ht_vmath_enable(false);
    for (int i = 0; i < R->n; i++) {
        trace *t = &R->ref[i];
        t->s = malloc((size_t)R->nsteps * sizeof *t->s);
        t->spiked = malloc((size_t)R->nsteps * sizeof *t->spiked);
        assert_true(t->s && t->spiked);
        t->fail_step = -1;
        neuron u = R->nrn[i];
        for (int k = 0; k < R->nsteps; k++) {
            bool ok;
            const size_t at = (size_t)i * (size_t)R->nsteps + (size_t)k;
            t->spiked[k] = dn_ht_step(&u.p, &u.c, &u.s, R->in[at], R->I[at], &ok, NULL);
            t->s[k] = u.s;
            if (!ok) {
                t->fail_step = k;
                break;
            }
        }
    }
    dn_ht_vmath_enable(was);
}

/* ---- the batch side: the engine's slice loop with callbacks ------------------------------- */

static bool cb_next(void *ctx, dn_ht_job *job)
{
    run *R = ctx;
    if (R->next >= R->n)
        return false;
    const int i = R->next++;
    R->started++;
    job->node = (size_t)i;
    job->nsteps = R->slice_len;
    job->p = &R->nrn[i].p;
    job->c = &R->nrn[i].c;
    job->s = R->nrn[i].s;
    return true;
}

static void cb_inputs(void *ctx, const dn_ht_job *job, double in[DN_HT_NRECEPTORS], double *I_next)
{
    const run *R = ctx;
    const size_t at = job->node * (size_t)R->nsteps + (size_t)(R->slice0 + job->k);
    memcpy(in, R->in[at], sizeof R->in[at]);
    *I_next = R->I[at];
}

static void cb_stepped(void *ctx, const dn_ht_job *job, bool spiked)
{
    run *R = ctx;
    const int k = R->slice0 + job->k;
    const trace *t = &R->ref[job->node];
    assert_true(t->fail_step < 0 || k < t->fail_step);
    assert_same_state(&job->s, &t->s[k], (int)job->node, k);
    if (spiked != t->spiked[k])
        fail_msg("neuron %d step %d: spike %d vs %d", (int)job->node, k, spiked, t->spiked[k]);
    R->spikes += spiked;
    R->checked++;
}

static void cb_done(void *ctx, const dn_ht_job *job)
{
    run *R = ctx;
    R->nrn[job->node].s = job->s;
}

/* Slices of `len` steps until the end or a failure; returns the failing (node, step) or -1. */
static int batch(run *R, int len, int *fail_step)
{
    const dn_ht_batch_io io = {R, cb_next, cb_inputs, cb_stepped, cb_done};
    dn_ht_counters cnt = {0};
    R->slice_len = len;
    for (R->slice0 = 0; R->slice0 + len <= R->nsteps; R->slice0 += len) {
        R->next = 0;
        size_t node;
        int k;
        if (!dn_ht_batch_run(&io, &cnt, &node, &k)) {
            *fail_step = R->slice0 + k;
            return (int)node;
        }
    }
    fprintf(stderr,
            "  %d neurons, slices of %d: %zu steps checked, %zu spikes, %.2f attempts "
            "and %.2f full RHS per step\n",
            R->n, len, R->checked, R->spikes, (double)cnt.attempts / (double)R->checked,
            (double)cnt.rhs_full / (double)R->checked);
    return -1;
}

static void need_vector(void)
{
    if (!dn_ht_vmath_use())
        skip();
}

static void test_batch_equals_scalar(void **state)
{
    (void)state;
    need_vector();
    static const struct {
        int n, len, steps;
        long tics;
    } cases[] = {
        {11, 2, 1400, 500}, /* the benchmark's h = 0.5 ms, min_delay 1 ms */
        {13, 5, 2000, 100}, /* h = 0.1 ms */
        {6, 1, 700, 1000},  /* h = 1 ms, two idle lanes in the second group */
        {1, 7, 700, 100},   /* one neuron, three idle lanes */
        {16, 3, 600, 300},
    };
#ifdef DN_SANITIZED
    const int shorten = 5; /* unoptimised vector code under the sanitizers is slow */
#else
    const int shorten = 1;
#endif
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        run R;
        const int steps = cases[c].steps / shorten;
        setup_run(&R, cases[c].n, steps, cases[c].tics, 100 + c);
        reference(&R);
        int fail_step = 0;
        assert_int_equal(batch(&R, cases[c].len, &fail_step), -1);
        const int full = steps / cases[c].len * cases[c].len;
        assert_int_equal(R.checked, (size_t)cases[c].n * (size_t)full);
        if (cases[c].n > 1)
            assert_true(R.spikes > 10 / (size_t)shorten);
        free_run(&R);
    }
}

/* A NaN current makes V non-finite one step later: the same step as dn_ht_step reports, and the
 * other neurons of the slice are completed (each checked against the reference as it goes). */
static void test_batch_failure(void **state)
{
    (void)state;
    need_vector();
    run R;
    setup_run(&R, 7, 400, 500, 9);
    R.I[5 * 400 + 123] = NAN; /* neuron 5, read in step 123, drives step 124 */
    reference(&R);
    assert_int_equal(R.ref[5].fail_step, 124);
    int fail_step = -1;
    assert_int_equal(batch(&R, 4, &fail_step), 5);
    assert_int_equal(fail_step, 124);
    /* The slice of the failure (steps 124..127) was completed by every other neuron that
     * started it: at least neurons 0..4, handed out before neuron 5. */
    const size_t started = R.started - 31 * 7; /* jobs of the failing slice */
    assert_true(started >= 6 && started <= 7);
    assert_int_equal(R.checked, 7 * 124 + 4 * (started - 1));
    free_run(&R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_equals_scalar),
        cmocka_unit_test(test_batch_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

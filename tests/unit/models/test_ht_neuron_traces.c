/* ht_neuron dynamics against the NEST 2.20.2 reference traces, without the engine: a small
 * driver steps ONE neuron exactly as the engine does (kernel spec §1.5 timing of spike input,
 * §1.6/§1.10 timing of a dc_generator, samples labelled with the right end of each step) and
 * every sample of every recordable is compared at h = 0.1, 0.5 and 1.0 ms. Spike times must be
 * identical; values within 1e-6 relative (1e-9 absolute near zero). The exact right-hand side
 * (the model's) must in fact reproduce every value bit for bit (same libm as the NEST build);
 * the fast variant must give the same spikes and values within 1e-4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "models/ht_neuron_dynamics.h"
#include "test_ht_support.h"

/* One protocol of tests/data/ht/ht_neuron_spiking_protocols.json / ht_neuron_meta.json. */
typedef struct protocol {
    const char *name; /* file stem after "ht_neuron_" */
    unsigned ports;   /* bit X: the spike train goes to port X (weight 1, delay 1 ms) */
    double dc_amp, dc_start, dc_stop; /* dc_generator (delay 1 ms); amp 0 = none */
    double g_KL, g_NaL, V_m;          /* NaN = default / prototype */
    const char *spikes_file;          /* stem of the *_spikes csv, NULL = no spike file */
} protocol;

#define ALL_PORTS 0xFu
static const protocol protocols[] = {
    {"AMPA", 1u << DN_HT_AMPA, 0, 0, 0, NAN, NAN, NAN, "ht_neuron"},
    {"NMDA", 1u << DN_HT_NMDA, 0, 0, 0, NAN, NAN, NAN, "ht_neuron"},
    {"GABA_A", 1u << DN_HT_GABA_A, 0, 0, 0, NAN, NAN, NAN, "ht_neuron"},
    {"GABA_B", 1u << DN_HT_GABA_B, 0, 0, 0, NAN, NAN, NAN, "ht_neuron"},
    {"ALL", ALL_PORTS, 0, 0, 0, NAN, NAN, NAN, "ht_neuron"},
    {"dc10", 0, 10.0, 50.0, 250.0, NAN, NAN, NAN, "ht_neuron_dc10"},
    {"tutorial_l1_exc", 0, 0, 0, 0, 1.0, 1.0, -44.0, "ht_neuron_tutorial_l1_exc"},
    {"tutorial_l1_inh", 0, 0, 0, 0, 1.0, 1.0, -55.0, "ht_neuron_tutorial_l1_inh"},
};

/* Spike generator times of the synaptic protocols: 10, 20, …, 290 ms (ht_neuron_meta.json). */
static const double spike_gen_first = 10.0, spike_gen_step = 10.0, spike_gen_last = 290.0;

static const char *suffix_of(long tics_per_step)
{
    return tics_per_step == 100 ? "" : tics_per_step == 500 ? "_res0p5" : "_res1p0";
}

/* ms on the grid → step index (tics_per_ms = 1000). */
static long steps_of(double ms, long tics_per_step)
{
    long tics = (long)(ms * 1000.0 + 0.5);
    return tics / tics_per_step;
}

/* Run a protocol for 300 ms; samples[step][recordable] and the spike steps. */
typedef struct run_result {
    size_t nsteps;
    double *samples; /* nsteps × DN_HT_NRECORDABLES */
    long spikes[512];
    size_t nspikes;
    dn_ht_counters cnt;
} run_result;

static void run_protocol(const protocol *pr, long tics_per_step, bool exact, run_result *out)
{
    const long tics_per_ms = 1000;
    dn_ht_params p;
    dn_ht_params_default(&p);
    if (!isnan(pr->g_KL))
        p.g_KL = pr->g_KL;
    if (!isnan(pr->g_NaL))
        p.g_NaL = pr->g_NaL;
    assert_int_equal(dn_ht_params_check(&p, NULL), DN_OK);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, tics_per_ms, tics_per_step, &c);

    dn_ht_state s;
    dn_ht_state_prototype(&s);
    if (!isnan(pr->V_m))
        s.y[DN_HT_V_M] = pr->V_m; /* SetStatus: gating variables stay (kernel spec §3.1) */
    dn_ht_state_init_buffers(&s, c.h);
    dn_ht_state_calibrate(&s);

    const long d = steps_of(1.0, tics_per_step); /* every connection has delay 1.0 ms */
    const long nsteps = steps_of(300.0, tics_per_step);
    const long dc_start = steps_of(pr->dc_start, tics_per_step);
    const long dc_stop = steps_of(pr->dc_stop, tics_per_step);
    out->nsteps = (size_t)nsteps;
    out->samples = calloc((size_t)nsteps * DN_HT_NRECORDABLES, sizeof(double));
    out->nspikes = 0;
    memset(&out->cnt, 0, sizeof out->cnt);
    assert_non_null(out->samples);

    for (long n = 0; n < nsteps; n++) {
        /* Kernel spec §1.5: a spike stamped S over d steps is read in step S + d − 1 and added
         * to DG at its end. */
        double in[DN_HT_NRECEPTORS] = {0};
        for (double t = spike_gen_first; pr->ports && t <= spike_gen_last + 1e-9;
             t += spike_gen_step) {
            if (steps_of(t, tics_per_step) + d - 1 == n)
                for (int x = 0; x < DN_HT_NRECEPTORS; x++)
                    if (pr->ports & (1u << x))
                        in[x] += 1.0;
        }
        /* §1.6/§1.10: the generator sends in step k iff start <= k+1 < stop; the value sent in
         * step k is read by the neuron in step k + d and drives the membrane in the next one. */
        double I_next = 0.0;
        const long k = n - d;
        if (pr->dc_amp != 0.0 && k >= 0 && dc_start <= k + 1 && k + 1 < dc_stop)
            I_next = pr->dc_amp;
        bool ok;
        if ((exact ? dn_ht_step : dn_ht_step_fast)(&p, &c, &s, in, I_next, &ok, &out->cnt)) {
            assert_true(out->nspikes < sizeof out->spikes / sizeof out->spikes[0]);
            out->spikes[out->nspikes++] = n + 1; /* stamp: right end of the step */
        }
        assert_true(ok);
        for (int r = 0; r < DN_HT_NRECORDABLES; r++)
            out->samples[(size_t)n * DN_HT_NRECORDABLES + (size_t)r] =
                dn_ht_recordable_value(&p, &s, (dn_ht_recordable)r);
    }
}

static void compare_protocol(const protocol *pr, long tics_per_step, bool exact)
{
    char file[256];
    const char *sfx = suffix_of(tics_per_step);
    snprintf(file, sizeof file, "ht_neuron_%s%s.csv", pr->name, sfx);
    ht_csv ref;
    assert_int_equal(ht_csv_load(file, &ref), 0);
    run_result res;
    run_protocol(pr, tics_per_step, exact, &res);
    assert_int_equal(ref.nrows, res.nsteps);

    const double h = (double)tics_per_step / 1000.0;
    int col[DN_HT_NRECORDABLES];
    for (int r = 0; r < DN_HT_NRECORDABLES; r++) {
        col[r] = ht_csv_col(&ref, dn_ht_recordable_names[r]);
        assert_true(col[r] > 0);
    }
    double worst = 0.0;
    size_t bad = 0, differ = 0;
    for (size_t i = 0; i < ref.nrows; i++) {
        /* Samples are labelled with the right end of each step: h, 2h, … */
        assert_true(fabs(ht_csv_at(&ref, i, 0) - (double)(i + 1) * h) < 1e-6);
        for (int r = 0; r < DN_HT_NRECORDABLES; r++) {
            const double ours = res.samples[i * DN_HT_NRECORDABLES + (size_t)r];
            const double nest = ht_csv_at(&ref, i, col[r]);
            const double rel = fabs(ours - nest) / (fmax(fabs(ours), fabs(nest)) + 1e-3);
            if (rel > worst)
                worst = rel;
            differ += ours != nest;
            /* The fast variant (not the model's default) is held to 1e-4: its last-bit
             * differences change GSL's step-size hints, which moves values by up to ~2e-5
             * around spikes at h >= 0.5 ms (see ht_neuron_dynamics.h). */
            const bool close =
                exact ? ht_close(ours, nest)
                      : fabs(ours - nest) <= 1e-4 * fmax(fabs(ours), fabs(nest)) + 1e-7;
            if (!close) {
                if (bad < 5)
                    fprintf(stderr, "%s h=%g t=%.4f %s: ours %.17g NEST %.17g\n", pr->name, h,
                            (double)(i + 1) * h, dn_ht_recordable_names[r], ours, nest);
                bad++;
            }
        }
    }
    fprintf(stderr,
            "  %s %-16s h=%.1f: %zu samples, %zu values differ, worst %.1e, %zu spikes, "
            "%.2f substeps/step\n",
            exact ? "exact" : "fast ", pr->name, h, ref.nrows, differ, worst, res.nspikes,
            (double)res.cnt.evolve_calls / (double)res.nsteps);
    assert_int_equal(bad, 0);
    if (exact)
        assert_int_equal(differ, 0); /* bit for bit */

    /* Identical spike times. */
    snprintf(file, sizeof file, "%s_spikes%s.csv", pr->spikes_file, sfx);
    ht_csv sp;
    assert_int_equal(ht_csv_load(file, &sp), 0);
    const int tcol = ht_csv_col(&sp, "time_ms");
    assert_true(tcol >= 0);
    if (strcmp(pr->spikes_file, "ht_neuron") == 0) {
        assert_int_equal(sp.nrows, 0); /* the synaptic protocols never fire */
    }
    assert_int_equal(res.nspikes, sp.nrows);
    for (size_t i = 0; i < sp.nrows; i++)
        assert_int_equal(res.spikes[i], steps_of(ht_csv_at(&sp, i, tcol), tics_per_step));
    ht_csv_free(&sp);
    ht_csv_free(&ref);
    free(res.samples);
}

static void test_protocols_at(long tics_per_step)
{
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
        compare_protocol(&protocols[i], tics_per_step, true);
        compare_protocol(&protocols[i], tics_per_step, false);
    }
}

static void test_traces_h0p1(void **state)
{
    (void)state;
    test_protocols_at(100);
}
static void test_traces_h0p5(void **state)
{
    (void)state;
    test_protocols_at(500);
}
static void test_traces_h1p0(void **state)
{
    (void)state;
    test_protocols_at(1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traces_h0p1),
        cmocka_unit_test(test_traces_h0p5),
        cmocka_unit_test(test_traces_h1p0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* ht_neuron and ht_synapse through the engine API against NEST 2.20.2 (tests/data/ht): the same
 * protocols NEST ran (spike_generator -> static_synapse -> ht_neuron on a receptor,
 * dc_generator -> receptor 0, multimeter of every recordable at each step, spike_detector;
 * spike_generator -> parrot -> ht_synapse copy with a weight_recorder -> ht_neuron) at h = 0.1,
 * 0.5 and 1.0 ms. The model uses NEST's exact arithmetic, so every sample must agree bit for bit
 * (the brief's tolerance, 1e-6 relative, is reported as well). Bad parameters and receptors are
 * refused with clear messages. */
#include "../engine/engine_test.h"
#include "models/ht_vexp.h"
#include "test_ht_support.h"

static const char *const recordable_names[] = {"g_AMPA", "g_GABA_A", "g_GABA_B", "g_NMDA", "I_h",
                                               "I_KNa",  "I_NaP",    "I_T",      "theta",  "V_m"};
enum { N_REC = sizeof recordable_names / sizeof recordable_names[0] };

typedef struct protocol {
    const char *name;
    unsigned ports; /* bit x: spike train on receptor_type x + 1 */
    double dc_amp, dc_start, dc_stop;
    const char *spikes_file;
    double g_KL, g_NaL, V_m; /* NaN: default */
} protocol;

static const protocol protocols[] = {
    {"AMPA", 1u, 0, 0, 0, "ht_neuron", NAN, NAN, NAN},
    {"NMDA", 2u, 0, 0, 0, "ht_neuron", NAN, NAN, NAN},
    {"GABA_A", 4u, 0, 0, 0, "ht_neuron", NAN, NAN, NAN},
    {"GABA_B", 8u, 0, 0, 0, "ht_neuron", NAN, NAN, NAN},
    {"ALL", 15u, 0, 0, 0, "ht_neuron", NAN, NAN, NAN},
    {"dc10", 0, 10.0, 50.0, 250.0, "ht_neuron_dc10", NAN, NAN, NAN},
    {"tutorial_l1_exc", 0, 0, 0, 0, "ht_neuron_tutorial_l1_exc", 1.0, 1.0, -44.0},
    {"tutorial_l1_inh", 0, 0, 0, 0, "ht_neuron_tutorial_l1_inh", 1.0, 1.0, -55.0},
};

static const char *suffix_of(double h)
{
    return h == 0.1 ? "" : h == 0.5 ? "_res0p5" : "_res1p0";
}

static dn_value *recordables_list(void)
{
    dn_value *l = dn_value_list();
    for (int r = 0; r < N_REC; r++)
        dn_value_list_append(l, VS(recordable_names[r]));
    return l;
}

/* A multimeter recording every recordable at each step, connected to n. */
static dn_gid add_multimeter(dn_engine *e, dn_gid n, double h)
{
    dn_gid mm;
    OK(create(e, "multimeter", 1, D("interval", VD(h), "record_from", recordables_list(), NULL),
              &mm, err));
    OK(connect_default(e, mm, n, err));
    return mm;
}

/* Compare the multimeter's samples with a reference CSV (columns by name). Returns the number of
 * values that differ at all; fails if any differs by more than the brief's tolerance. */
static size_t compare_samples(dn_engine *e, dn_gid mm, const char *file, const char *what,
                              const char *const *names, int nnames)
{
    ht_csv ref;
    assert_int_equal(ht_csv_load(file, &ref), 0);
    size_t nt;
    double *t = events(e, mm, "times", &nt);
    assert_true(nt >= ref.nrows);
    size_t differ = 0;
    double worst = 0.0;
    for (int r = 0; r < nnames; r++) {
        const int col = ht_csv_col(&ref, names[r]);
        assert_true(col > 0);
        size_t nv;
        double *v = events(e, mm, names[r], &nv);
        assert_int_equal(nv, nt);
        for (size_t i = 0; i < ref.nrows; i++) {
            assert_true(fabs(t[i] - ht_csv_at(&ref, i, 0)) < 1e-9);
            const double nest = ht_csv_at(&ref, i, col);
            differ += v[i] != nest;
            const double rel = fabs(v[i] - nest) / (fmax(fabs(v[i]), fabs(nest)) + 1e-300);
            if (v[i] != nest && rel > worst)
                worst = rel;
            if (!ht_close(v[i], nest))
                fail_msg("%s %s t=%.4f %s: %.17g, NEST %.17g", what, file, t[i], names[r], v[i],
                         nest);
        }
        free(v);
    }
    fprintf(stderr, "  %-32s %5zu samples x %d: %zu values differ (worst %.1e)\n", file, ref.nrows,
            nnames, differ, worst);
    free(t);
    ht_csv_free(&ref);
    return differ;
}

/* The protocol's generators into neuron n (spike trains on its ports, dc current). */
static void add_protocol_inputs(dn_engine *e, const protocol *pr, dn_gid n)
{
    if (pr->ports) {
        double times[29];
        for (int k = 0; k < 29; k++)
            times[k] = 10.0 * (k + 1);
        dn_gid sg;
        OK(create(e, "spike_generator", 1, D("spike_times", VLD(29, times), NULL), &sg, err));
        for (long x = 0; x < 4; x++)
            if (pr->ports & (1u << x)) {
                dn_syn_spec sp = {NULL, 1.0, 1.0, x + 1, true, true, true};
                OK(dn_engine_connect(e, &sg, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err));
            }
    }
    if (pr->dc_amp != 0.0) {
        dn_gid dc;
        OK(create(e, "dc_generator", 1,
                  D("amplitude", VD(pr->dc_amp), "start", VD(pr->dc_start), "stop", VD(pr->dc_stop),
                    NULL),
                  &dc, err));
        OK(connect1(e, dc, n, 1.0, 1.0, err));
    }
}

/* The protocol's parameters (NULL when it uses the defaults). */
static dn_value *protocol_params(const protocol *pr)
{
    if (isnan(pr->g_KL) && isnan(pr->g_NaL) && isnan(pr->V_m))
        return NULL;
    dn_value *params = dn_value_map();
    if (!isnan(pr->g_KL))
        dn_value_map_set(params, "g_KL", VD(pr->g_KL));
    if (!isnan(pr->g_NaL))
        dn_value_map_set(params, "g_NaL", VD(pr->g_NaL));
    if (!isnan(pr->V_m))
        dn_value_map_set(params, "V_m", VD(pr->V_m));
    return params;
}

/* Every sample (bit for bit) and every spike of the protocol against NEST's. */
static void check_protocol(dn_engine *e, const protocol *pr, double h, dn_gid mm, dn_gid sd)
{
    char file[256];
    const char *sfx = suffix_of(h);
    snprintf(file, sizeof file, "ht_neuron_%s%s.csv", pr->name, sfx);
    const size_t differ = compare_samples(e, mm, file, pr->name, recordable_names, N_REC);
    assert_int_equal(differ, 0); /* NEST's arithmetic: bit for bit */

    snprintf(file, sizeof file, "%s_spikes%s.csv", pr->spikes_file, sfx);
    ht_csv sp;
    assert_int_equal(ht_csv_load(file, &sp), 0);
    const int tcol = ht_csv_col(&sp, "time_ms");
    size_t ns;
    double *st = events(e, sd, "times", &ns);
    assert_int_equal(ns, sp.nrows);
    for (size_t k = 0; k < ns; k++)
        assert_true(fabs(st[k] - ht_csv_at(&sp, k, tcol)) < 1e-9);
    free(st);
    ht_csv_free(&sp);
}

static void run_protocol(const protocol *pr, double h, int threads)
{
    dn_engine *e;
    dn_gid n, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("local_num_threads", VI(threads), "resolution", VD(h), NULL), err));
    OK(create(e, "ht_neuron", 1, protocol_params(pr), &n, err));
    add_protocol_inputs(e, pr, n);
    dn_gid mm = add_multimeter(e, n, h);
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, n, sd, err));
    /* one extra slice so the samples up to 300 ms are collected (kernel spec §5.2) */
    OK(dn_engine_simulate(e, 301.0, err));
    check_protocol(e, pr, h, mm, sd);
    dn_engine_free(e);
}

/* All protocols at once in ONE block of ht_neurons (per-node parameters), each neuron with its
 * own generators, multimeter and spike detector. A block of several neurons is integrated four
 * at a time in lockstep where AVX2+FMA is available (ht_neuron_batch.c): every sample must still
 * be NEST's, bit for bit. */
static void run_protocols_together(double h)
{
    enum { NP = sizeof protocols / sizeof protocols[0] };
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("resolution", VD(h), NULL), err));
    dn_gid n0, mm[NP], sd[NP];
    OK(create(e, "ht_neuron", NP, NULL, &n0, err));
    for (size_t i = 0; i < NP; i++) {
        const dn_gid n = n0 + (dn_gid)i;
        dn_value *params = protocol_params(&protocols[i]);
        if (params)
            OK(set_status(e, n, params, err));
        add_protocol_inputs(e, &protocols[i], n);
        mm[i] = add_multimeter(e, n, h);
        OK(create(e, "spike_detector", 1, NULL, &sd[i], err));
        OK(connect_default(e, n, sd[i], err));
    }
    OK(dn_engine_simulate(e, 301.0, err));
    for (size_t i = 0; i < NP; i++)
        check_protocol(e, &protocols[i], h, mm[i], sd[i]);
    dn_engine_free(e);
}

static void test_protocols_in_one_block(void **state)
{
    (void)state;
#ifndef DN_SANITIZED /* unoptimised vector code under the sanitizers is slow: h = 0.1 ms is */
    run_protocols_together(0.1); /* covered by test_ht_batch against the scalar integrator */
#endif
    run_protocols_together(0.5);
    run_protocols_together(1.0);
}

static void run_all(double h)
{
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
        run_protocol(&protocols[i], h, 1);
}

static void test_neuron_h0p1(void **state)
{
    (void)state;
    run_all(0.1);
}
static void test_neuron_h0p5(void **state)
{
    (void)state;
    run_all(0.5);
}
static void test_neuron_h1p0(void **state)
{
    (void)state;
    run_all(1.0);
}

/* Two threads (the neuron on VP 1, devices replicated): the same bits. */
static void test_neuron_two_threads(void **state)
{
    (void)state;
    run_protocol(&protocols[4], 0.1, 2); /* ALL */
    run_protocol(&protocols[6], 0.5, 2); /* tutorial_l1_exc */
}

/* Kernel spec §1.7: Simulate(a); Simulate(b) equals Simulate(a + b) bit for bit (the step-size
 * hint persists, calibrate changes no state); ResetNetwork brings back the prototype state. */
static void test_chained_simulate_and_reset(void **state)
{
    (void)state;
    double *v[2];
    size_t nv[2];
    for (int chained = 0; chained < 2; chained++) {
        dn_engine *e;
        OK(dn_engine_new(&e, err));
        OK(kernel(e, D("resolution", VD(0.5), NULL), err));
        dn_gid n, dc;
        OK(create(e, "ht_neuron", 1, NULL, &n, err));
        OK(create(e, "dc_generator", 1, D("amplitude", VD(12.0), "start", VD(20.0), NULL), &dc,
                  err));
        OK(connect1(e, dc, n, 1.0, 1.0, err));
        dn_gid mm = add_multimeter(e, n, 0.5);
        if (chained)
            for (int k = 0; k < 7; k++)
                OK(dn_engine_simulate(e, 43.0, err));
        else
            OK(dn_engine_simulate(e, 301.0, err));
        v[chained] = events(e, mm, "V_m", &nv[chained]);
        if (chained) {
            OK(dn_engine_reset_network(e, err));
            double x;
            OK(dn_engine_get_double(e, n, "V_m", &x, err));
            assert_true(x == -70.0);
            OK(dn_engine_get_double(e, n, "t_spike", &x, err));
            assert_true(x == -1.0);
        }
        dn_engine_free(e);
    }
    assert_int_equal(nv[0], nv[1]);
    assert_true(nv[0] >= 600);
    assert_memory_equal(v[0], v[1], nv[0] * sizeof(double));
    free(v[0]);
    free(v[1]);
}

/* Nodes of one block with different parameters (per-node constants): node 2 gets the tutorial
 * l1_exc settings by SetStatus and must follow NEST's trace; node 1 (defaults, no input) must
 * follow the AMPA protocol's trace up to the first input (11.0 ms). */
static void test_heterogeneous_block(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_gid n;
    OK(create(e, "ht_neuron", 2, NULL, &n, err));
    OK(set_status(e, n + 1, D("g_KL", VD(1.0), "g_NaL", VD(1.0), "V_m", VD(-44.0), NULL), err));
    dn_gid mm;
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.1), "record_from", VLS("V_m", "I_h", "g_NMDA", NULL), NULL), &mm,
              err));
    dn_gid both[2] = {n, n + 1};
    OK(dn_engine_connect(e, &mm, 1, both, 2, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 301.0, err));
    size_t k_s, k_v;
    double *snd = events(e, mm, "senders", &k_s), *v = events(e, mm, "V_m", &k_v);
    ht_csv exc, ampa;
    assert_int_equal(ht_csv_load("ht_neuron_tutorial_l1_exc.csv", &exc), 0);
    assert_int_equal(ht_csv_load("ht_neuron_AMPA.csv", &ampa), 0);
    const int ce = ht_csv_col(&exc, "V_m"), ca = ht_csv_col(&ampa, "V_m");
    size_t i1 = 0, i2 = 0;
    for (size_t k = 0; k < k_s; k++) {
        if (snd[k] == (double)(n + 1) && i2 < exc.nrows)
            assert_true(v[k] == ht_csv_at(&exc, i2++, ce));
        else if (snd[k] == (double)n && i1 < 110)
            assert_true(v[k] == ht_csv_at(&ampa, i1++, ca));
    }
    assert_int_equal(i2, exc.nrows);
    assert_int_equal(i1, 110);
    free(snd), free(v);
    ht_csv_free(&exc);
    ht_csv_free(&ampa);
    dn_engine_free(e);
}

/* One multimeter sample or spike: (sender, time, value), sortable. */
typedef struct sample {
    double sender, t, v;
} sample;

static int sample_cmp(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    if (x->sender != y->sender)
        return x->sender < y->sender ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return 0;
}

/* senders/times/values of recorder rec (value key NULL: 0), sorted by sender and time. */
static sample *sorted_events(dn_engine *e, dn_gid rec, const char *key, size_t *n)
{
    size_t k1, k2, k3 = 0;
    double *snd = events(e, rec, "senders", &k1), *t = events(e, rec, "times", &k2);
    double *v = key ? events(e, rec, key, &k3) : NULL;
    assert_true(k1 == k2 && (!key || k3 == k1));
    sample *s = malloc((k1 ? k1 : 1) * sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < k1; i++)
        s[i] = (sample){snd[i], t[i], v ? v[i] : 0.0};
    qsort(s, k1, sizeof *s, sample_cmp);
    free(snd), free(t), free(v);
    *n = k1;
    return s;
}

/* A block of 13 ht_neurons (some with other parameters) under Poisson input on AMPA and NMDA:
 * 1 or 2 threads, vector paths (four-lane lockstep) on or off. Returns V_m and I_KNa samples
 * and spikes. */
static void run_poisson_block(int threads, bool vector, sample **vm, size_t *nvm, sample **ik,
                              size_t *nik, sample **sp, size_t *nsp)
{
    const bool was = dn_ht_vmath_enable(vector);
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("local_num_threads", VI(threads), "resolution", VD(0.5), NULL), err));
    enum { N = 13 };
    dn_gid n, pa, pn, mm, sd;
    OK(create(e, "ht_neuron", N, NULL, &n, err));
    for (dn_gid i = 0; i < N; i += 3)
        OK(set_status(e, n + i, D("g_NaL", VD(0.6), "instant_unblock_NMDA", VB(i % 2), NULL), err));
    OK(create(e, "poisson_generator", 1, D("rate", VD(2500.0), NULL), &pa, err));
    OK(create(e, "poisson_generator", 1, D("rate", VD(800.0), NULL), &pn, err));
    dn_gid all[N];
    for (int i = 0; i < N; i++)
        all[i] = n + (dn_gid)i;
    dn_syn_spec ampa = {NULL, 1.0, 1.0, 1, true, true, true};
    dn_syn_spec nmda = {NULL, 0.5, 1.0, 2, true, true, true};
    OK(dn_engine_connect(e, &pa, 1, all, N, DN_RULE_ALL_TO_ALL, &ampa, err));
    OK(dn_engine_connect(e, &pn, 1, all, N, DN_RULE_ALL_TO_ALL, &nmda, err));
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.5), "record_from", VLS("V_m", "I_KNa", NULL), NULL), &mm, err));
    OK(dn_engine_connect(e, &mm, 1, all, N, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(dn_engine_connect(e, all, N, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 150.0, err));
    *vm = sorted_events(e, mm, "V_m", nvm);
    *ik = sorted_events(e, mm, "I_KNa", nik);
    *sp = sorted_events(e, sd, NULL, nsp);
    dn_engine_free(e);
    dn_ht_vmath_enable(was);
}

/* The four-lane lockstep path, the one-neuron path with scalar libm, and two threads all give
 * the same samples and spikes, bit for bit. */
static void test_paths_and_threads_agree(void **state)
{
    (void)state;
    sample *vm[3], *ik[3], *sp[3];
    size_t nvm[3], nik[3], nsp[3];
    run_poisson_block(1, true, &vm[0], &nvm[0], &ik[0], &nik[0], &sp[0], &nsp[0]);
    run_poisson_block(1, false, &vm[1], &nvm[1], &ik[1], &nik[1], &sp[1], &nsp[1]);
    run_poisson_block(2, true, &vm[2], &nvm[2], &ik[2], &nik[2], &sp[2], &nsp[2]);
    assert_true(nvm[0] == 13 * 298 && nsp[0] > 50); /* samples of the slices completed */
    for (int k = 1; k < 3; k++) {
        assert_int_equal(nvm[k], nvm[0]);
        assert_int_equal(nik[k], nik[0]);
        assert_int_equal(nsp[k], nsp[0]);
        assert_memory_equal(vm[k], vm[0], nvm[0] * sizeof(sample));
        assert_memory_equal(ik[k], ik[0], nik[0] * sizeof(sample));
        assert_memory_equal(sp[k], sp[0], nsp[0] * sizeof(sample));
    }
    fprintf(stderr,
            "  13 neurons, Poisson input: %zu spikes, %zu samples, identical on all paths\n",
            nsp[0], nvm[0]);
    for (int k = 0; k < 3; k++)
        free(vm[k]), free(ik[k]), free(sp[k]);
}

/* An absurd input weight drives V to infinity: the simulation stops with a message naming the
 * neuron and the time, whether it is alone in its block (one neuron at a time) or among others
 * (four-lane lockstep). */
static void test_nonfinite_reported(void **state)
{
    (void)state;
    for (int n_nodes = 1; n_nodes <= 6; n_nodes += 5) {
        dn_engine *e;
        OK(dn_engine_new(&e, err));
        OK(kernel(e, D("resolution", VD(0.5), NULL), err));
        dn_gid n, sg;
        OK(create(e, "ht_neuron", (size_t)n_nodes, NULL, &n, err));
        const dn_gid bad = n + (dn_gid)(n_nodes - 1);
        OK(create(e, "spike_generator", 1, D("spike_times", VLD(1, (double[]){2.0}), NULL), &sg,
                  err));
        dn_syn_spec huge = {NULL, 1e308, 1.0, 1, true, true, true};
        OK(dn_engine_connect(e, &sg, 1, &bad, 1, DN_RULE_ONE_TO_ONE, &huge, err));
        char want[128];
        snprintf(want, sizeof want,
                 "ht_neuron %u: the membrane potential became non-finite at t = 3.5 ms",
                 (unsigned)bad);
        FAILS(dn_engine_simulate(e, 10.0, err), DN_ERUNTIME, want);
        dn_engine_free(e);
    }
}

/* voltage_clamp holds V_m at its value at the start of each Simulate (calibrate re-reads it). */
static void test_voltage_clamp(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_gid n, sg;
    OK(create(e, "ht_neuron", 1, D("voltage_clamp", VB(true), "V_m", VD(-60.0), NULL), &n, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(3, (double[]){2.0, 4.0, 6.0}), NULL),
              &sg, err));
    dn_syn_spec ampa = {NULL, 5.0, 1.0, 1, true, true, true};
    OK(dn_engine_connect(e, &sg, 1, &n, 1, DN_RULE_ONE_TO_ONE, &ampa, err));
    OK(dn_engine_simulate(e, 10.0, err));
    double x;
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_true(x == -60.0);
    OK(set_status(e, n, D("V_m", VD(-50.0), NULL), err));
    OK(dn_engine_simulate(e, 10.0, err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_true(x == -50.0);
    dn_engine_free(e);
}

/* spike_generator -> parrot (delay 1) -> ht_synapse copy "ht_synapse_wr" with a weight_recorder
 * (weight 1, delay 1, AMPA) -> default ht_neuron. */
static void run_synapse(double h)
{
    char file[256];
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("resolution", VD(h), NULL), err));
    const double times[] = {10, 15, 20,  25,  30,  35,  40,  45, 50,
                            55, 80, 130, 230, 240, 250, 260, 270};
    const size_t nin = sizeof times / sizeof times[0];
    dn_gid sg, parrot, n, wr;
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(nin, times), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &parrot, err));
    OK(create(e, "ht_neuron", 1, NULL, &n, err));
    OK(create(e, "weight_recorder", 1, D("withrport", VB(true), NULL), &wr, err));
    dn_value *cp = D("weight_recorder", VI(wr), NULL);
    OK(dn_engine_copy_model(e, "ht_synapse", "ht_synapse_wr", cp, err));
    dn_value_free(cp);
    OK(connect1(e, sg, parrot, 1.0, 1.0, err));
    dn_syn_spec sp = {"ht_synapse_wr", 1.0, 1.0, 1, true, true, true};
    OK(dn_engine_connect(e, &parrot, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err));
    dn_gid mm;
    OK(create(e, "multimeter", 1,
              D("interval", VD(h), "record_from", VLS("V_m", "g_AMPA", NULL), NULL), &mm, err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 301.0, err));

    /* The weight recorder: time = parrot's emission stamp, weight = w·P before depression,
     * rport = receptor_type - 1 = 0 (kernel spec §5.4, §6.3). */
    ht_csv ref;
    assert_int_equal(ht_csv_load("ht_synapse_weight_recorder.csv", &ref), 0);
    size_t k_t, k_w, k_s, k_g, k_r;
    double *t = events(e, wr, "times", &k_t), *w = events(e, wr, "weights", &k_w);
    double *snd = events(e, wr, "senders", &k_s), *tgt = events(e, wr, "targets", &k_g);
    double *rp = events(e, wr, "receptors", &k_r);
    assert_int_equal(k_t, ref.nrows);
    assert_true(k_w == k_t && k_s == k_t && k_g == k_t && k_r == k_t);
    for (size_t k = 0; k < ref.nrows; k++) {
        assert_true(fabs(t[k] - ht_csv_at(&ref, k, ht_csv_col(&ref, "time_ms"))) < 1e-9);
        const double nest = ht_csv_at(&ref, k, ht_csv_col(&ref, "weight"));
        if (w[k] != nest) /* bit for bit: NEST's operations (ht_synapse_dynamics.h) */
            fail_msg("h=%g spike %zu: weight %.17g, NEST %.17g", h, k, w[k], nest);
        assert_true(snd[k] == (double)parrot && tgt[k] == (double)n);
        assert_true(rp[k] == ht_csv_at(&ref, k, ht_csv_col(&ref, "rport")));
    }
    free(t), free(w), free(snd), free(tgt), free(rp);
    ht_csv_free(&ref);

    /* The final pool, read through GetConnections/GetStatus (ht_synapse_meta.json). */
    dn_connsel *sel;
    OK(dn_engine_get_connections(e, &parrot, 1, &n, 1, "ht_synapse_wr", &sel, err));
    assert_int_equal(dn_connsel_size(sel), 1);
    double P;
    OK(dn_engine_conn_get_double(e, sel, "P", &P, err));
    assert_true(P == 0.2605473181368629);
    dn_value *cs;
    OK(dn_engine_conn_get_status(e, sel, 0, &cs, err));
    double x;
    assert_true(dn_value_get_double(dn_value_map_get(cs, "tau_P"), &x) && x == 500.0);
    assert_true(dn_value_get_double(dn_value_map_get(cs, "delta_P"), &x) && x == 0.125);
    assert_true(dn_value_get_double(dn_value_map_get(cs, "receptor"), &x) && x == 0.0);
    dn_value_free(cs);
    dn_connsel_free(sel);

    /* The target's trace (V_m, g_AMPA). */
    snprintf(file, sizeof file, "ht_synapse_target_trace%s.csv", suffix_of(h));
    const char *names[] = {"V_m", "g_AMPA"};
    compare_samples(e, mm, file, "ht_synapse", names, 2);
    dn_engine_free(e);
}

static void test_synapse_all_resolutions(void **state)
{
    (void)state;
    run_synapse(0.1);
    run_synapse(0.5);
    run_synapse(1.0);
}

/* ---- status, defaults, receptors ---------------------------------------------------------- */

static void test_defaults_and_status(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_value *d;
    OK(dn_engine_get_defaults(e, "ht_neuron", &d, err));
    double x;
    assert_true(dn_value_get_double(dn_value_map_get(d, "V_m"), &x) && x == -70.0);
    assert_true(dn_value_get_double(dn_value_map_get(d, "theta"), &x) && x == -51.0);
    assert_true(dn_value_get_double(dn_value_map_get(d, "g_peak_GABA_B"), &x) && x == 0.0132);
    assert_true(dn_value_get_double(dn_value_map_get(d, "t_spike"), &x) && x == -1.0);
    bool b;
    assert_true(dn_value_get_bool(dn_value_map_get(d, "voltage_clamp"), &b) && !b);
    assert_null(dn_value_map_get(d, "equilibrate")); /* accepted, never reported */
    const dn_value *rt = dn_value_map_get(d, "receptor_types");
    int64_t k;
    assert_true(dn_value_get_int(dn_value_map_get(rt, "AMPA"), &k) && k == 1);
    assert_true(dn_value_get_int(dn_value_map_get(rt, "NMDA"), &k) && k == 2);
    assert_true(dn_value_get_int(dn_value_map_get(rt, "GABA_A"), &k) && k == 3);
    assert_true(dn_value_get_int(dn_value_map_get(rt, "GABA_B"), &k) && k == 4);
    assert_int_equal(dn_value_len(rt), 4);
    assert_int_equal(dn_value_len(dn_value_map_get(d, "recordables")), N_REC);
    dn_value_free(d);

    /* A copy with other leak conductances still starts at -70 mV (kernel spec §3.1). */
    dn_value *cp = D("g_NaL", VD(1.0), NULL);
    OK(dn_engine_copy_model(e, "ht_neuron", "ht_copy", cp, err));
    dn_value_free(cp);
    dn_gid n;
    OK(create(e, "ht_copy", 1, NULL, &n, err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_true(x == -70.0);
    OK(dn_engine_get_double(e, n, "g_NaL", &x, err));
    assert_true(x == 1.0);
    /* State keys V_m and theta are settable; equilibrate is accepted. */
    OK(set_status(e, n, D("V_m", VD(-60.0), "theta", VD(-50.0), "equilibrate", VB(true), NULL),
                  err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_true(x == -60.0);
    OK(dn_engine_get_double(e, n, "theta", &x, err));
    assert_true(x == -50.0);
    dn_engine_free(e);
}

/* Kernel spec §3.1: SetStatus V_m alone keeps the gating variables (same trajectory as a copy
 * with V_m: -60); with equilibrate they move to their equilibria (I_h 5.746 vs 1.230 after
 * 0.1 ms). */
static void test_equilibrate_changes_trajectory(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_gid a, b, c;
    OK(create(e, "ht_neuron", 1, D("V_m", VD(-60.0), NULL), &a, err));
    OK(create(e, "ht_neuron", 1, NULL, &b, err));
    OK(set_status(e, b, D("V_m", VD(-60.0), "equilibrate", VB(true), NULL), err));
    dn_value *cp = D("V_m", VD(-60.0), NULL);
    OK(dn_engine_copy_model(e, "ht_neuron", "ht_m60", cp, err));
    dn_value_free(cp);
    OK(create(e, "ht_m60", 1, NULL, &c, err));
    dn_gid mm;
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.1), "record_from", VLS("I_h", "V_m", NULL), NULL), &mm, err));
    dn_gid targets[3] = {a, b, c};
    OK(dn_engine_connect(e, &mm, 1, targets, 3, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 2.0, err));
    size_t n;
    double *ih = events(e, mm, "I_h", &n), *snd = events(e, mm, "senders", &n),
           *t = events(e, mm, "times", &n);
    double first[3] = {NAN, NAN, NAN};
    for (size_t k = 0; k < n; k++)
        for (int j = 0; j < 3; j++)
            if (snd[k] == (double)targets[j] && fabs(t[k] - 0.1) < 1e-9)
                first[j] = ih[k];
    assert_true(fabs(first[0] - 5.746) < 5e-4); /* no equilibrate */
    assert_true(fabs(first[1] - 1.230) < 5e-4); /* equilibrate */
    assert_true(first[0] == first[2]);          /* = a copy with V_m -60 */
    free(ih), free(snd), free(t);
    dn_engine_free(e);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_gid n;
    OK(create(e, "ht_neuron", 1, NULL, &n, err));
    /* negative or zero time constants */
    FAILS(set_status(e, n, D("tau_m", VD(-16.0), NULL), err), DN_EINPUT, "tau_m");
    FAILS(set_status(e, n, D("tau_m", VD(0.0), NULL), err), DN_EINPUT, "> 0");
    FAILS(set_status(e, n, D("tau_D_KNa", VD(-1.0), NULL), err), DN_EINPUT, "tau_D_KNa");
    FAILS(set_status(e, n, D("tau_spike", VI(0), NULL), err), DN_EINPUT, "tau_spike");
    FAILS(set_status(e, n, D("g_peak_AMPA", VD(-0.1), NULL), err), DN_EINPUT, ">= 0");
    FAILS(set_status(e, n, D("t_ref", VD(-1.0), NULL), err), DN_EINPUT, "t_ref");
    /* tau_rise not below tau_decay */
    FAILS(set_status(e, n, D("tau_rise_AMPA", VD(2.4), NULL), err), DN_EINPUT,
          "tau_rise_AMPA (2.4 ms) must be smaller than tau_decay_AMPA (2.4 ms)");
    FAILS(set_status(e, n, D("tau_decay_GABA_B", VD(30.0), NULL), err), DN_EINPUT,
          "must be smaller than tau_decay_GABA_B");
    FAILS(set_status(e, n, D("tau_Mg_fast_NMDA", VD(30.0), NULL), err), DN_EINPUT,
          "tau_Mg_slow_NMDA");
    dn_value *cp = D("tau_rise_NMDA", VD(50.0), NULL);
    FAILS(dn_engine_copy_model(e, "ht_neuron", "bad_ht", cp, err), DN_EINPUT,
          "tau_rise_NMDA (50 ms) must be smaller than tau_decay_NMDA (40 ms)");
    FAILS(dn_engine_set_defaults(e, "ht_neuron", cp, err), DN_EINPUT, "tau_rise_NMDA");
    dn_value_free(cp);
    /* nothing changed by the refused calls */
    double x;
    OK(dn_engine_get_double(e, n, "tau_m", &x, err));
    assert_true(x == 16.0);
    OK(dn_engine_get_double(e, n, "tau_rise_AMPA", &x, err));
    assert_true(x == 0.5);
    /* a misspelt parameter gets a suggestion; a wrong type is refused */
    FAILS(set_status(e, n, D("tau_rise_AMPX", VD(1.0), NULL), err), DN_EINPUT, "tau_rise_AMPA");
    FAILS(set_status(e, n, D("voltage_clamp", VD(1.0), NULL), err), DN_EINPUT, "true or false");
    FAILS(set_status(e, n, D("t_spike", VD(1.0), NULL), err), DN_EINPUT, "read-only");
    /* ht_synapse ranges */
    cp = D("tau_P", VD(0.0), NULL);
    FAILS(dn_engine_copy_model(e, "ht_synapse", "bad_syn", cp, err), DN_EINPUT, "tau_P");
    dn_value_free(cp);
    cp = D("delta_P", VD(1.5), NULL);
    FAILS(dn_engine_copy_model(e, "ht_synapse", "bad_syn", cp, err), DN_EINPUT, "in [0, 1]");
    dn_value_free(cp);
    cp = D("P", VD(-0.5), NULL);
    FAILS(dn_engine_set_defaults(e, "ht_synapse", cp, err), DN_EINPUT, "'P'");
    dn_value_free(cp);
    dn_engine_free(e);
}

static void test_bad_receptors_and_weight_recorder(void **state)
{
    (void)state;
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    dn_gid n, sg, dc, other;
    OK(create(e, "ht_neuron", 1, NULL, &n, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(1, (double[]){5.0}), NULL), &sg, err));
    OK(create(e, "dc_generator", 1, NULL, &dc, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &other, err));
    /* spike receptors 0 and 5 are not receptors of ht_neuron (kernel spec §3.1) */
    dn_syn_spec sp0 = {NULL, 1.0, 1.0, 0, true, true, true};
    FAILS(dn_engine_connect(e, &sg, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp0, err), DN_EINPUT,
          "receptor_type 0 is not a spike receptor of ht_neuron: use AMPA (1)");
    dn_syn_spec sp5 = {NULL, 1.0, 1.0, 5, true, true, true};
    FAILS(dn_engine_connect(e, &sg, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp5, err), DN_EINPUT,
          "receptor_type 5");
    /* currents only on receptor 0 */
    dn_syn_spec sp1 = {NULL, 1.0, 1.0, 1, true, true, true};
    FAILS(dn_engine_connect(e, &dc, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp1, err), DN_EINPUT,
          "use receptor_type 0");
    OK(dn_engine_connect(e, &dc, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp0, err));
    for (long r = 1; r <= 4; r++) {
        dn_syn_spec sp = {NULL, 1.0, 1.0, r, true, true, true};
        OK(dn_engine_connect(e, &sg, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err));
    }
    /* receptor names resolve through receptor_types; an unknown name is not among them */
    dn_value *d;
    OK(dn_engine_get_defaults(e, "ht_neuron", &d, err));
    const dn_value *rt = dn_value_map_get(d, "receptor_types");
    assert_non_null(dn_value_map_get(rt, "GABA_A"));
    assert_null(dn_value_map_get(rt, "GABA_C"));
    assert_null(dn_value_map_get(rt, "ampa")); /* names are case-sensitive, as in NEST */
    dn_value_free(d);
    /* a weight_recorder parameter naming no weight_recorder */
    dn_value *cp = D("weight_recorder", VI(other), NULL);
    FAILS(dn_engine_copy_model(e, "ht_synapse", "ht_syn_bad", cp, err), DN_EINPUT,
          "not a weight_recorder");
    FAILS(dn_engine_set_defaults(e, "ht_synapse", cp, err), DN_EINPUT, "not a weight_recorder");
    dn_value_free(cp);
    cp = D("weight_recorder", VI(12345), NULL);
    FAILS(dn_engine_copy_model(e, "ht_synapse", "ht_syn_bad", cp, err), DN_EINPUT,
          "weight_recorder");
    dn_value_free(cp);
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_neuron_h0p1),
        cmocka_unit_test(test_neuron_h0p5),
        cmocka_unit_test(test_neuron_h1p0),
        cmocka_unit_test(test_neuron_two_threads),
        cmocka_unit_test(test_protocols_in_one_block),
        cmocka_unit_test(test_chained_simulate_and_reset),
        cmocka_unit_test(test_heterogeneous_block),
        cmocka_unit_test(test_voltage_clamp),
        cmocka_unit_test(test_nonfinite_reported),
        cmocka_unit_test(test_paths_and_threads_agree),
        cmocka_unit_test(test_synapse_all_resolutions),
        cmocka_unit_test(test_defaults_and_status),
        cmocka_unit_test(test_equilibrate_changes_trajectory),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_bad_receptors_and_weight_recorder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The timing contract (kernel spec §1.5, §1.6) and the conformance cases of spec §11:
 * parrot_neuron against NEST 2.20.2, dc_generator samples, first effects of a spike over a
 * 1.5 ms delay for three neuron models, the poisson_generator start, multimeter sample counts,
 * min_delay bookkeeping. */
#include "engine_test.h"

/* ---- parrot_neuron against NEST (tests/data/engine/parrot_*) ------------------------------ */

static size_t read_input_times(const char *path, double *out, size_t max)
{
    char *s = slurp(path);
    assert_non_null(s);
    char *p = strchr(s, '[');
    assert_non_null(p);
    size_t n = 0;
    p++;
    while (*p && *p != ']' && n < max) {
        char *end;
        double x = strtod(p, &end);
        if (end == p) {
            p++;
            continue;
        }
        out[n++] = x;
        p = end;
    }
    free(s);
    return n;
}

static void parrot_case(double h, const char *suffix)
{
    char path[512];
    double times[256];
    snprintf(path, sizeof path, "%s/engine/parrot_neuron_input%s.json", DN_TEST_DATA, suffix);
    size_t nt = read_input_times(path, times, 256);
    assert_true(nt > 10);
    dn_engine *e;
    dn_gid sg, pn, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("resolution", VD(h), NULL), err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(nt, times), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect1(e, sg, pn, 1.0, 1.0, err));
    OK(connect_default(e, pn, sd, err));
    OK(dn_engine_simulate(e, 300.0, err));
    size_t rows, cols, ns;
    snprintf(path, sizeof path, "%s/engine/parrot_neuron_spikes%s.csv", DN_TEST_DATA, suffix);
    double *ref = read_csv(path, &rows, &cols);
    double *got = events(e, sd, "times", &ns);
    assert_int_equal(ns, rows);
    for (size_t k = 0; k < ns; k++)
        assert_near(got[k], ref[k], 1e-9);
    free(ref);
    free(got);
    dn_engine_free(e);
}

static void test_parrot_reference(void **state)
{
    (void)state;
    parrot_case(0.1, "");
    parrot_case(0.5, "_res0p5");
    parrot_case(1.0, "_res1p0");
}

/* a doubled input time comes out as one event of multiplicity 2: two detector rows, and a
 * downstream neuron sees two unit spikes (spec §3.7, §1.5) */
static void test_parrot_multiplicity(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sg, pn, sd, n, mm;
    double t[] = {5.0, 5.0};
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(2, t), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "iaf_psc_exp", 1, NULL, &n, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.1), "record_from", VLS("weighted_spikes_ex", NULL), NULL), &mm,
              err));
    OK(connect1(e, sg, pn, 1.0, 1.0, err));
    OK(connect1(e, pn, n, 7.5, 1.0, err));
    OK(connect_default(e, pn, sd, err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t ns, nv;
    double *st = events(e, sd, "times", &ns);
    assert_int_equal(ns, 2);
    assert_near(st[0], 6.0, 1e-12);
    assert_near(st[1], 6.0, 1e-12);
    double *tt = events(e, mm, "times", &nv);
    double *w = events(e, mm, "weighted_spikes_ex", &nv);
    for (size_t k = 0; k < nv; k++)
        assert_near(w[k], fabs(tt[k] - 7.0) < 1e-9 ? 15.0 : 0.0, 1e-12);
    free(st);
    free(tt);
    free(w);
    dn_engine_free(e);
}

/* ---- spec §11: dc_generator 1000 pA from t = 0, delay 0.1 -> iaf_psc_alpha ------------------ */

static void test_dc_samples(void **state)
{
    (void)state;
    static const double want[] = {-70,      -70,      -69.602,  -69.2079, -68.8178,
                                  -68.4316, -68.0492, -67.6706, -67.2958, -66.9247,
                                  -66.5572, -66.1935, -65.8334};
    dn_engine *e;
    dn_gid dc, n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "dc_generator", 1, D("amplitude", VD(1000.0), NULL), &dc, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1, D("interval", VD(0.1), "record_from", VLS("V_m", NULL), NULL),
              &mm, err));
    OK(connect1(e, dc, n, 1.0, 0.1, err));
    OK(connect1(e, mm, n, 1.0, 0.1, err));
    OK(dn_engine_simulate(e, 2.0, err));
    size_t nv;
    double *v = events(e, mm, "V_m", &nv);
    assert_true(nv >= 13);
    for (int k = 0; k < 13; k++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%.6g", v[k]);
        snprintf(b, sizeof b, "%.6g", want[k]);
        if (strcmp(a, b))
            fprintf(stderr, "sample %d: %s vs %s\n", k + 1, a, b);
        assert_string_equal(a, b);
    }
    free(v);
    dn_engine_free(e);
}

/* ---- spec §11: a spike at 10.0 ms over 1.5 ms ----------------------------------------------- */

/* value of recordable `key` in the sample labelled t */
static double sample_at(dn_engine *e, dn_gid mm, const char *key, double t)
{
    size_t n, m;
    double *tt = events(e, mm, "times", &n);
    double *v = events(e, mm, key, &m);
    double x = NAN;
    for (size_t k = 0; k < n; k++)
        if (fabs(tt[k] - t) < 1e-9)
            x = v[k];
    free(tt);
    free(v);
    assert_false(isnan(x));
    return x;
}

static void delay_case(const char *model, const char *syn, double w)
{
    dn_engine *e;
    dn_gid sg, n, mm;
    double t = 10.0;
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(1, &t), NULL), &sg, err));
    OK(create(e, model, 1, NULL, &n, err));
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.1), "record_from", VLS("V_m", syn, NULL), NULL), &mm, err));
    OK(connect1(e, sg, n, w, 1.5, err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 20.0, err));
    double v0 = sample_at(e, mm, "V_m", 11.4);
    /* synaptic state jumps in the 11.5 sample (spec §1.5); V_m moves at 11.6 */
    assert_near(sample_at(e, mm, syn, 11.4), 0.0, 0);
    if (strcmp(model, "iaf_psc_alpha") == 0) {
        assert_near(sample_at(e, mm, "weighted_spikes_ex", 11.5), w, 1e-12);
        assert_near(sample_at(e, mm, syn, 11.5), 0.0, 0);
    } else {
        assert_true(sample_at(e, mm, syn, 11.5) > 0);
    }
    assert_near(sample_at(e, mm, "V_m", 11.5), v0, 1e-12);
    assert_true(sample_at(e, mm, syn, 11.6) > 0);
    assert_true(sample_at(e, mm, "V_m", 11.6) > v0 + 1e-9);
    dn_engine_free(e);
}

static void test_delay_contract(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "multimeter", 1, NULL, &mm, err));
    dn_engine_free(e);
    delay_case("iaf_psc_exp", "I_syn_ex", 100.0);
    delay_case("iaf_cond_exp", "g_ex", 10.0);
    /* alpha: the jump is in dI; record weighted_spikes_ex too */
    dn_engine *e2;
    dn_gid sg, n, mm2;
    double t = 10.0;
    OK(dn_engine_new(&e2, err));
    OK(create(e2, "spike_generator", 1, D("spike_times", VLD(1, &t), NULL), &sg, err));
    OK(create(e2, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e2, "multimeter", 1,
              D("interval", VD(0.1), "record_from",
                VLS("V_m", "I_syn_ex", "weighted_spikes_ex", NULL), NULL),
              &mm2, err));
    OK(connect1(e2, sg, n, 100.0, 1.5, err));
    OK(connect_default(e2, mm2, n, err));
    OK(dn_engine_simulate(e2, 20.0, err));
    assert_near(sample_at(e2, mm2, "weighted_spikes_ex", 11.4), 0.0, 0);
    assert_near(sample_at(e2, mm2, "weighted_spikes_ex", 11.5), 100.0, 0);
    assert_near(sample_at(e2, mm2, "I_syn_ex", 11.5), 0.0, 0);
    assert_near(sample_at(e2, mm2, "V_m", 11.5), -70.0, 0);
    assert_true(sample_at(e2, mm2, "I_syn_ex", 11.6) > 0);
    assert_true(sample_at(e2, mm2, "V_m", 11.6) > -70.0);
    dn_engine_free(e2);
}

/* ---- spec §11: poisson start: no stamp earlier than 2h + d -------------------------------- */

static double first_parrot_spike(double origin, double start, double stop, double *last)
{
    dn_engine *e;
    dn_gid pg, pn, sd;
    OK(dn_engine_new(&e, err));
    OK(create(e, "poisson_generator", 1,
              D("rate", VD(1e6), "origin", VD(origin), "start", VD(start), "stop", VD(stop), NULL),
              &pg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect1(e, pg, pn, 1.0, 0.1, err));
    OK(connect1(e, pn, sd, 1.0, 0.1, err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t n;
    double *t = events(e, sd, "times", &n);
    assert_true(n > 0);
    double first = t[0];
    *last = t[n - 1];
    free(t);
    dn_engine_free(e);
    return first;
}

static void test_poisson_window(void **state)
{
    (void)state;
    double last;
    /* parrot re-emits at generator stamp + d (d = 0.1) */
    assert_near(first_parrot_spike(0, 0, 8, &last), 0.2 + 0.1, 1e-9);
    assert_near(first_parrot_spike(0, 2, 8, &last), 2.2 + 0.1, 1e-9);
    assert_near(first_parrot_spike(1, 2, 8, &last), 3.2 + 0.1, 1e-9);
    first_parrot_spike(0, 0, 5, &last);
    assert_near(last, 5.1 + 0.1, 1e-9);
}

/* poisson trains: mean count near rate * T, independent per target */
static void test_poisson_statistics(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid pg, pn, sd;
    OK(dn_engine_new(&e, err));
    OK(create(e, "poisson_generator", 1, D("rate", VD(2000.0), NULL), &pg, err));
    OK(create(e, "parrot_neuron", 2, NULL, &pn, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    dn_gid p[2] = {pn, pn + 1};
    dn_syn_spec sp = {NULL, 1.0, 1.0, 0, true, true, false};
    OK(dn_engine_connect(e, &pg, 1, p, 2, DN_RULE_ALL_TO_ALL, &sp, err));
    OK(dn_engine_connect(e, p, 2, &sd, 1, DN_RULE_ALL_TO_ALL, &sp, err));
    OK(dn_engine_simulate(e, 1000.0, err));
    size_t n;
    double *s = events(e, sd, "senders", &n);
    size_t c0 = 0, c1 = 0;
    for (size_t k = 0; k < n; k++) {
        c0 += s[k] == (double)pn;
        c1 += s[k] == (double)pn + 1;
    }
    /* Poisson(2000): 5 sigma ~ 224 */
    assert_true(c0 > 1776 && c0 < 2224);
    assert_true(c1 > 1776 && c1 < 2224);
    assert_true(c0 != c1);
    free(s);
    dn_engine_free(e);
}

/* ---- spec §11 / §5.2: multimeter sample counts ---------------------------------------------- */

static size_t mm_count(double min_delay, int calls)
{
    dn_engine *e;
    dn_gid n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1, D("record_from", VLS("V_m", NULL), NULL), &mm, err));
    OK(connect1(e, mm, n, 1.0, min_delay, err));
    for (int k = 0; k < calls; k++)
        OK(dn_engine_simulate(e, 100.0, err));
    size_t cnt;
    OK(dn_engine_recorder_n_events(e, mm, &cnt, err));
    size_t nt;
    double *t = events(e, mm, "times", &nt);
    assert_near(t[0], 1.0, 1e-12);
    assert_near(t[nt - 1], (double)nt, 1e-9);
    free(t);
    dn_engine_free(e);
    return cnt;
}

static void test_multimeter_counts(void **state)
{
    (void)state;
    assert_int_equal(mm_count(1.0, 1), 99);
    assert_int_equal(mm_count(1.0, 2), 199);
    assert_int_equal(mm_count(2.0, 1), 98);
}

/* ---- spec §1.3: min/max delay bookkeeping -------------------------------------------------- */

static void test_delay_extrema(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, sd;
    OK(dn_engine_new(&e, err));
    assert_near(dn_engine_min_delay(e), 0.1, 1e-12);
    OK(create(e, "iaf_psc_alpha", 2, NULL, &a, err));
    OK(connect1(e, a, a + 1, 1.0, 2.0, err));
    assert_near(dn_engine_min_delay(e), 2.0, 1e-12);
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, a, sd, err));
    assert_near(dn_engine_min_delay(e), 1.0, 1e-12);
    assert_near(dn_engine_max_delay(e), 2.0, 1e-12);
    /* delay rounding: 0.05 at h = 0.1 rounds to 1 step (halves up), 0.04 to 0 -> error */
    OK(connect1(e, a, a + 1, 1.0, 0.05, err));
    assert_near(dn_engine_min_delay(e), 0.1, 1e-12);
    FAILS(connect1(e, a, a + 1, 1.0, 0.04, err), DN_EINPUT, "must be >= the resolution");
    FAILS(connect1(e, a, a + 1, 1.0, -1.0, err), DN_EINPUT, "must be >= the resolution");
    OK(dn_engine_simulate(e, 1.0, err));
    /* frozen after the first Simulate */
    FAILS(connect1(e, a, a + 1, 1.0, 3.0, err), DN_EINPUT, "fixed by the first Simulate");
    dn_engine_free(e);
}

/* a partial slice: Simulate(0.3) three times with min_delay 0.5 equals Simulate(0.9) */
static void test_partial_slices(void **state)
{
    (void)state;
    double res[2][64];
    size_t cnt[2];
    for (int run = 0; run < 2; run++) {
        dn_engine *e;
        dn_gid n, mm;
        OK(dn_engine_new(&e, err));
        OK(create(e, "iaf_psc_alpha", 1, D("I_e", VD(500.0), NULL), &n, err));
        OK(create(e, "multimeter", 1, D("interval", VD(0.1), "record_from", VLS("V_m", NULL), NULL),
                  &mm, err));
        OK(connect1(e, mm, n, 1.0, 0.5, err));
        if (run == 0) {
            for (int k = 0; k < 10; k++)
                OK(dn_engine_simulate(e, 0.3, err));
        } else {
            OK(dn_engine_simulate(e, 3.0, err));
        }
        assert_near(dn_engine_time(e), 3.0, 1e-12);
        size_t nv;
        double *v = events(e, mm, "V_m", &nv);
        cnt[run] = nv;
        memcpy(res[run], v, nv * sizeof *v);
        free(v);
        dn_engine_free(e);
    }
    assert_int_equal(cnt[0], cnt[1]);
    assert_memory_equal(res[0], res[1], cnt[0] * sizeof(double));
}

/* multimeter offset: samples at offset + k * interval (spec §5.2) */
static void test_multimeter_offset(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1,
              D("record_from", VLS("V_m", NULL), "interval", VD(1.0), "offset", VD(0.5), NULL), &mm,
              err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 5.0, err));
    size_t k;
    double *t = events(e, mm, "times", &k);
    assert_int_equal(k, 4); /* 0.5 .. 3.5; 4.5 pending */
    for (size_t j = 0; j < k; j++)
        assert_near(t[j], 0.5 + (double)j, 1e-9);
    free(t);
    FAILS(set_status(e, mm, D("interval", VD(2.0), NULL), err), DN_EINPUT,
          "after it was connected");
    dn_engine_free(e);
}

/* iaf_cond_exp (GSL RKF45): regular firing under constant input, refractory reset */
static void test_cond_exp_firing(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n, sd;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_cond_exp", 1, D("I_e", VD(500.0), NULL), &n, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, n, sd, err));
    OK(dn_engine_simulate(e, 200.0, err));
    size_t k;
    double *t = events(e, sd, "times", &k);
    assert_true(k >= 5);
    /* constant inter-spike intervals after the first spike (exact reset to V_reset) */
    for (size_t j = 2; j < k; j++)
        assert_true(fabs((t[j] - t[j - 1]) - (t[1] - t[0])) < 1e-9);
    assert_true(t[1] - t[0] > 2.0);
    free(t);
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parrot_reference),  cmocka_unit_test(test_parrot_multiplicity),
        cmocka_unit_test(test_dc_samples),        cmocka_unit_test(test_delay_contract),
        cmocka_unit_test(test_poisson_window),    cmocka_unit_test(test_poisson_statistics),
        cmocka_unit_test(test_multimeter_counts), cmocka_unit_test(test_delay_extrema),
        cmocka_unit_test(test_partial_slices),    cmocka_unit_test(test_multimeter_offset),
        cmocka_unit_test(test_cond_exp_firing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

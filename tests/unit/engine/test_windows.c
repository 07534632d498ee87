/* Device activity windows (kernel spec §1.10, every checked case listed there) and the
 * spike_generator's origin replay. */
#include "engine_test.h"

/* spike_generator(times, params) -> parrot (delay d) -> detector; returns generator stamps */
static size_t sg_emits(const double *times, size_t nt, dn_value *params, double *out)
{
    dn_engine *e;
    dn_gid sg, sd;
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(nt, times), NULL), &sg, err));
    OK(set_status(e, sg, params, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, sg, sd, err));
    OK(dn_engine_simulate(e, 20.0, err));
    size_t n;
    double *t = events(e, sd, "times", &n);
    memcpy(out, t, n * sizeof *t);
    free(t);
    dn_engine_free(e);
    return n;
}

static void test_spike_generator_window(void **state)
{
    (void)state;
    double t[] = {1, 2, 3}, out[8];
    size_t n = sg_emits(t, 3, D("start", VD(2.0), NULL), out);
    assert_int_equal(n, 1);
    assert_near(out[0], 3.0, 1e-12);
    n = sg_emits(t, 3, D("start", VD(1.0), "stop", VD(2.0), NULL), out);
    assert_int_equal(n, 1);
    assert_near(out[0], 2.0, 1e-12);
    n = sg_emits(t, 3, D("origin", VD(5.0), NULL), out);
    assert_int_equal(n, 3);
    assert_near(out[0], 6.0, 1e-12);
    assert_near(out[2], 8.0, 1e-12);
}

/* origin replay (deNEST's shift_origin) */
static void test_origin_replay(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sg, pn, sd;
    double t[] = {1, 5, 10};
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(3, t), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect1(e, sg, pn, 1.0, 0.1, err));
    OK(connect1(e, pn, sd, 1.0, 0.1, err));
    for (int k = 0; k < 3; k++) {
        OK(set_status(e, sg, D("origin", VD(10.0 * k), NULL), err));
        OK(dn_engine_simulate(e, 10.0, err));
    }
    size_t n;
    double *got = events(e, sd, "times", &n);
    double want[] = {1, 5, 10, 11, 15, 20, 21, 25};
    assert_int_equal(n, 8);
    for (size_t k = 0; k < n; k++)
        assert_near(got[k], want[k] + 0.1, 1e-9);
    free(got);
    dn_engine_free(e);

    /* moving the origin to 5 at t = 10: 6 and 10 are past, only 15 */
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(3, t), NULL), &sg, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, sg, sd, err));
    OK(dn_engine_simulate(e, 10.0, err));
    OK(dn_engine_recorder_n_events(e, sd, &n, err));
    OK(set_status(e, sd, D("n_events", VI(0), NULL), err));
    OK(set_status(e, sg, D("origin", VD(5.0), NULL), err));
    OK(dn_engine_simulate(e, 20.0, err));
    got = events(e, sd, "times", &n);
    /* device -> detector rows are written one update later (spec §5.3): the spike at 10 of the
     * first call shows up now; after it only 15 */
    size_t later = 0;
    for (size_t k = 0; k < n; k++)
        if (got[k] > 10.05) {
            later++;
            assert_near(got[k], 15.0, 1e-9);
        }
    assert_int_equal(later, 1);
    free(got);
    /* a spike time of 0.0 is rejected */
    double z = 0.0;
    FAILS(set_status(e, sg, D("spike_times", VLD(1, &z), NULL), err), DN_EINPUT, "> 0");
    double unsorted[] = {3, 2};
    FAILS(set_status(e, sg, D("spike_times", VLD(2, unsorted), NULL), err), DN_EINPUT,
          "non-decreasing");
    double off = 1.05;
    FAILS(set_status(e, sg, D("spike_times", VLD(1, &off), NULL), err), DN_EINPUT,
          "multiple of the resolution");
    OK(set_status(e, sg, D("spike_times", VLD(1, &off), "allow_offgrid_times", VB(true), NULL),
                  err));
    FAILS(set_status(e, sg, D("precise_times", VB(true), NULL), err), DN_EINPUT, "precise_times");
    dn_engine_free(e);
}

/* dc_generator (1000 pA) -> iaf_psc_alpha: time of the first changed V_m sample */
static double dc_first_change(double origin, double start, double stop, double delay,
                              double *first_fall)
{
    dn_engine *e;
    dn_gid dc, n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "dc_generator", 1,
              D("amplitude", VD(1000.0), "origin", VD(origin), "start", VD(start), "stop", VD(stop),
                NULL),
              &dc, err));
    OK(create(e, "iaf_psc_alpha", 1, D("V_th", VD(1000.0), NULL), &n, err));
    OK(create(e, "multimeter", 1, D("interval", VD(0.1), "record_from", VLS("V_m", NULL), NULL),
              &mm, err));
    OK(connect1(e, dc, n, 1.0, delay, err));
    OK(connect1(e, mm, n, 1.0, 0.1, err));
    OK(dn_engine_simulate(e, 15.0, err));
    size_t nt;
    double *t = events(e, mm, "times", &nt), *v = events(e, mm, "V_m", &nt);
    double first = -1;
    *first_fall = -1;
    for (size_t k = 0; k < nt; k++) {
        double prev = k ? v[k - 1] : -70.0;
        if (first < 0 && v[k] != -70.0)
            first = t[k];
        if (first >= 0 && *first_fall < 0 && v[k] < prev)
            *first_fall = t[k];
    }
    free(t);
    free(v);
    dn_engine_free(e);
    return first;
}

static void test_dc_window(void **state)
{
    (void)state;
    double fall;
    assert_near(dc_first_change(0, 5, 1e9, 1.0, &fall), 6.1, 1e-9);
    assert_near(dc_first_change(0, 5, 1e9, 0.1, &fall), 5.2, 1e-9);
    assert_near(dc_first_change(0, 0, 1e9, 0.1, &fall), 0.3, 1e-9);
    assert_near(dc_first_change(0, 0, 1e9, 1.0, &fall), 1.2, 1e-9);
    assert_near(dc_first_change(0, 2, 6, 1.0, &fall), 3.1, 1e-9);
    assert_near(fall, 7.1, 1e-9);
    assert_near(dc_first_change(1, 2, 6, 1.0, &fall), 4.1, 1e-9);
    assert_near(fall, 8.1, 1e-9);
}

/* the generator's recordable I is non-zero in the samples labelled start .. stop - h */
static void test_dc_recordable(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid dc, n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "dc_generator", 1,
              D("amplitude", VD(5.0), "start", VD(2.0), "stop", VD(4.0), NULL), &dc, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1, D("interval", VD(0.1), "record_from", VLS("I", NULL), NULL), &mm,
              err));
    OK(connect1(e, dc, n, 1.0, 1.0, err));
    OK(connect_default(e, mm, dc, err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t nt;
    double *t = events(e, mm, "times", &nt), *I = events(e, mm, "I", &nt);
    for (size_t k = 0; k < nt; k++) {
        bool on = t[k] > 1.95 && t[k] < 3.95;
        assert_near(I[k], on ? 5.0 : 0.0, 0);
    }
    free(t);
    free(I);
    dn_engine_free(e);
}

/* detector, weight recorder and multimeter with start 6, stop 9; parrot spikes at 5,6,7,9,10 */
static void test_recorder_windows(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sg, pn, n, sd, wr, mm;
    double t[] = {4, 5, 6, 8, 9};
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(5, t), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "spike_detector", 1, D("start", VD(6.0), "stop", VD(9.0), NULL), &sd, err));
    OK(create(e, "weight_recorder", 1, D("start", VD(6.0), "stop", VD(9.0), NULL), &wr, err));
    OK(create(e, "multimeter", 1,
              D("start", VD(6.0), "stop", VD(9.0), "record_from", VLS("V_m", NULL), NULL), &mm,
              err));
    dn_value *p = D("weight_recorder", VI(wr), NULL);
    OK(dn_engine_copy_model(e, "static_synapse", "syn_wr", p, err));
    dn_value_free(p);
    OK(connect1(e, sg, pn, 1.0, 1.0, err));
    dn_syn_spec sp = {"syn_wr", 2.0, 1.0, 0, true, true, false};
    OK(dn_engine_connect(e, &pn, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err));
    OK(connect_default(e, pn, sd, err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 20.0, err));
    size_t k;
    double *x = events(e, sd, "times", &k);
    assert_int_equal(k, 2);
    assert_near(x[0], 7.0, 1e-9);
    assert_near(x[1], 9.0, 1e-9);
    free(x);
    x = events(e, wr, "times", &k);
    assert_int_equal(k, 2);
    assert_near(x[0], 7.0, 1e-9);
    assert_near(x[1], 9.0, 1e-9);
    free(x);
    x = events(e, wr, "weights", &k);
    assert_near(x[0], 2.0, 0);
    free(x);
    x = events(e, wr, "targets", &k);
    assert_near(x[0], (double)n, 0);
    free(x);
    x = events(e, mm, "times", &k);
    assert_int_equal(k, 3);
    assert_near(x[0], 7.0, 1e-9);
    assert_near(x[2], 9.0, 1e-9);
    free(x);
    FAILS(set_status(e, sd, D("stop", VD(1.0), NULL), err), DN_EINPUT, "must be >= 'start'");
    FAILS(set_status(e, sd, D("start", VD(1.05), NULL), err), DN_EINPUT,
          "multiple of the resolution");
    /* stop = inf is reported as the largest double */
    dn_value *v;
    OK(dn_engine_get_key(e, n + 10 > 0 ? sg : sg, "stop", &v, err));
    double big;
    assert_true(dn_value_get_double(v, &big));
    assert_true(big > 1e308);
    dn_value_free(v);
    dn_engine_free(e);
}

/* step_current_generator: value k takes effect in the step whose right end is its time */
static void test_step_current(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid g, n, mm;
    double at[] = {1.0, 2.0}, av[] = {3.0, -4.0};
    OK(dn_engine_new(&e, err));
    OK(create(e, "step_current_generator", 1,
              D("amplitude_times", VLD(2, at), "amplitude_values", VLD(2, av), NULL), &g, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1, D("interval", VD(0.1), "record_from", VLS("I", NULL), NULL), &mm,
              err));
    OK(connect1(e, g, n, 1.0, 1.0, err));
    OK(connect_default(e, mm, g, err));
    OK(dn_engine_simulate(e, 5.0, err));
    size_t nt;
    double *t = events(e, mm, "times", &nt), *I = events(e, mm, "I", &nt);
    for (size_t k = 0; k < nt; k++)
        assert_near(I[k], t[k] < 0.95 ? 0.0 : (t[k] < 1.95 ? 3.0 : -4.0), 0);
    free(t);
    free(I);
    FAILS(set_status(e, g, D("amplitude_times", VLD(2, at), NULL), err), DN_EINPUT, "set together");
    dn_engine_free(e);
}

/* weight_recorder rows are written one slice after delivery: a parrot spike at 9.5 in
 * Simulate(10) (min_delay 1 ms) appears only after a further Simulate(1) (spec §5.4); a detector
 * created before the neurons writes their spikes one update later (spec §5.3) */
static void test_recorder_lag(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sd0, sg, pn, n, wr, sd;
    double t[] = {8.5};
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_detector", 1, NULL, &sd0, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(1, t), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "weight_recorder", 1, NULL, &wr, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    dn_value *p = D("weight_recorder", VI(wr), NULL);
    OK(dn_engine_copy_model(e, "static_synapse", "syn_wr", p, err));
    dn_value_free(p);
    OK(connect1(e, sg, pn, 1.0, 1.0, err));
    dn_syn_spec sp = {"syn_wr", 2.0, 1.0, 0, true, true, false};
    OK(dn_engine_connect(e, &pn, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err));
    OK(connect_default(e, pn, sd, err));
    OK(connect_default(e, pn, sd0, err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t k;
    OK(dn_engine_recorder_n_events(e, sd, &k, err));
    assert_int_equal(k, 1);
    OK(dn_engine_recorder_n_events(e, wr, &k, err));
    assert_int_equal(k, 0);
    /* spike at 9.5 lies in the last slice (9, 10]: the early detector writes it next update */
    OK(dn_engine_recorder_n_events(e, sd0, &k, err));
    assert_int_equal(k, 0);
    OK(dn_engine_simulate(e, 1.0, err));
    OK(dn_engine_recorder_n_events(e, wr, &k, err));
    assert_int_equal(k, 1);
    OK(dn_engine_recorder_n_events(e, sd0, &k, err));
    assert_int_equal(k, 1);
    double *x = events(e, wr, "times", &k);
    assert_near(x[0], 9.5, 1e-9);
    free(x);
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spike_generator_window),
        cmocka_unit_test(test_origin_replay),
        cmocka_unit_test(test_dc_window),
        cmocka_unit_test(test_dc_recordable),
        cmocka_unit_test(test_recorder_windows),
        cmocka_unit_test(test_step_current),
        cmocka_unit_test(test_recorder_lag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

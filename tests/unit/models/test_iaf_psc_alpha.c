/* iaf_psc_alpha against NEST 2.20.2: I_e = 376 pA, V_m and all recordables at every step to
 * 1e-9 relative, spikes exactly, at resolutions 0.1, 0.5 and 1.0 ms (tests/data/engine). Also
 * E_L re-expression and parameter checks (kernel spec §3.2). */
#include "../engine/engine_test.h"

#include <math.h>

static void run_case(double h, const char *suffix)
{
    char path[512];
    dn_engine *e;
    dn_gid n, mm, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("resolution", VD(h), NULL), err));
    OK(create(e, "iaf_psc_alpha", 1, D("I_e", VD(376.0), NULL), &n, err));
    OK(create(
        e, "multimeter", 1,
        D("interval", VD(h), "record_from",
          VLS("I_syn_ex", "I_syn_in", "V_m", "weighted_spikes_ex", "weighted_spikes_in", NULL),
          NULL),
        &mm, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect_default(e, mm, n, err));
    OK(connect_default(e, n, sd, err));
    /* 300 ms plus one slice so that the last samples are collected (spec §5.2) */
    OK(dn_engine_simulate(e, 300.0, err));
    OK(dn_engine_simulate(e, 1.0, err));

    size_t rows, cols;
    snprintf(path, sizeof path, "%s/engine/iaf_psc_alpha_Ie376%s.csv", DN_TEST_DATA, suffix);
    double *ref = read_csv(path, &rows, &cols);
    assert_int_equal(cols, 6);
    size_t nt;
    double *t = events(e, mm, "times", &nt);
    assert_true(nt >= rows);
    const char *names[] = {"I_syn_ex", "I_syn_in", "V_m", "weighted_spikes_ex",
                           "weighted_spikes_in"};
    for (int c = 0; c < 5; c++) {
        size_t nv;
        double *v = events(e, mm, names[c], &nv);
        for (size_t r = 0; r < rows; r++) {
            assert_near(t[r], ref[r * cols], 1e-9);
            double want = ref[r * cols + 1 + (size_t)c];
            double tol = 1e-9 * fmax(1.0, fabs(want));
            if (fabs(v[r] - want) > tol)
                fprintf(stderr, "h=%g %s t=%g: got %.17g want %.17g\n", h, names[c], t[r], v[r],
                        want);
            assert_true(fabs(v[r] - want) <= tol);
        }
        free(v);
    }
    free(t);
    free(ref);

    snprintf(path, sizeof path, "%s/engine/iaf_psc_alpha_Ie376_spikes%s.csv", DN_TEST_DATA, suffix);
    double *sref = read_csv(path, &rows, &cols);
    size_t ns;
    double *st = events(e, sd, "times", &ns);
    assert_int_equal(ns, rows);
    for (size_t k = 0; k < ns; k++)
        assert_near(st[k], sref[k], 1e-9);
    free(st);
    free(sref);
    dn_engine_free(e);
}

static void test_ie376_h01(void **state)
{
    (void)state;
    run_case(0.1, "");
}

static void test_ie376_h05(void **state)
{
    (void)state;
    run_case(0.5, "_res0p5");
}

static void test_ie376_h10(void **state)
{
    (void)state;
    run_case(1.0, "_res1p0");
}

/* spec §3.2: setting only E_L keeps the absolute V_m, V_th, V_reset */
static void test_e_l_reexpression(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n;
    double x;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(set_status(e, n, D("E_L", VD(-60.0), NULL), err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_near(x, -70.0, 1e-12);
    OK(dn_engine_get_double(e, n, "V_th", &x, err));
    assert_near(x, -55.0, 1e-12);
    OK(dn_engine_get_double(e, n, "E_L", &x, err));
    assert_near(x, -60.0, 1e-12);
    /* values in the same dict as E_L are absolute */
    OK(set_status(e, n, D("E_L", VD(-65.0), "V_m", VD(-66.0), NULL), err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_near(x, -66.0, 1e-12);
    dn_engine_free(e);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    FAILS(set_status(e, n, D("V_thh", VD(1.0), NULL), err), DN_EINPUT, "did you mean 'V_th'");
    FAILS(set_status(e, n, D("C_m", VS("big"), NULL), err), DN_EINPUT, "must be a number");
    FAILS(set_status(e, n, D("tau_m", VD(-1.0), NULL), err), DN_EINPUT, "must be > 0");
    FAILS(set_status(e, n, D("V_reset", VD(-50.0), NULL), err), DN_EINPUT,
          "must be lower than V_th");
    FAILS(set_status(e, n, D("t_spike", VD(3.0), NULL), err), DN_EINPUT, "read-only");
    /* nothing changed by the failed calls; integers accepted for decimals */
    double x;
    OK(dn_engine_get_double(e, n, "V_reset", &x, err));
    assert_near(x, -70.0, 0);
    OK(set_status(e, n, D("V_m", VI(-60), NULL), err));
    OK(dn_engine_get_double(e, n, "V_m", &x, err));
    assert_near(x, -60.0, 0);
    FAILS(create(e, "iaf_psc_alpa", 1, NULL, &n, err), DN_EINPUT, "did you mean 'iaf_psc_alpha'");
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ie376_h01),      cmocka_unit_test(test_ie376_h05),
        cmocka_unit_test(test_ie376_h10),      cmocka_unit_test(test_e_l_reexpression),
        cmocka_unit_test(test_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* ResetNetwork with NEST 2.20 semantics (kernel spec §1.9, decisions.md): the checked cases. */
#include "engine_test.h"

#include <unistd.h>

static void test_state_back_to_prototype(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, b;
    double x;
    OK(dn_engine_new(&e, err));
    dn_value *p = D("V_m", VD(-65.0), NULL);
    OK(dn_engine_copy_model(e, "iaf_psc_alpha", "my_iaf", p, err));
    dn_value_free(p);
    OK(create(e, "my_iaf", 2, NULL, &a, err));
    b = a + 1;
    OK(set_status(e, b, D("V_m", VD(-50.0), "I_e", VD(10.0), NULL), err));
    /* before any Simulate: no-op, per-node values survive */
    OK(dn_engine_reset_network(e, err));
    OK(dn_engine_get_double(e, b, "V_m", &x, err));
    assert_near(x, -50.0, 0);
    OK(dn_engine_simulate(e, 10.0, err));
    OK(dn_engine_reset_network(e, err));
    OK(dn_engine_get_double(e, a, "V_m", &x, err));
    assert_near(x, -65.0, 1e-12);
    OK(dn_engine_get_double(e, b, "V_m", &x, err));
    assert_near(x, -65.0, 1e-12);
    /* parameters kept, time not reset */
    OK(dn_engine_get_double(e, b, "I_e", &x, err));
    assert_near(x, 10.0, 0);
    assert_near(dn_engine_time(e), 10.0, 1e-12);
    dn_value *ks;
    OK(dn_engine_get_kernel_status(e, &ks, err));
    double bt;
    assert_true(dn_value_get_double(dn_value_map_get(ks, "biological_time"), &bt));
    assert_near(bt, 10.0, 1e-12);
    dn_value_free(ks);
    dn_engine_free(e);
}

/* a spike emitted at 9 ms over 5 ms never arrives; a generator's past times are skipped */
static void test_buffers_cleared(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sg, pa, pb, sd;
    double t[] = {2, 9, 12};
    OK(dn_engine_new(&e, err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(3, t), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 2, NULL, &pa, err));
    pb = pa + 1;
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(connect1(e, sg, pa, 1.0, 0.1, err)); /* pa fires at 2.1, 9.1, 12.1 */
    OK(connect1(e, pa, pb, 1.0, 5.0, err)); /* pb at 7.1, 14.1 (9.1 + 5 is lost) */
    OK(connect1(e, pa, sd, 1.0, 0.1, err));
    OK(connect1(e, pb, sd, 1.0, 0.1, err));
    OK(dn_engine_simulate(e, 10.0, err));
    OK(dn_engine_reset_network(e, err));
    size_t n;
    OK(dn_engine_recorder_n_events(e, sd, &n, err));
    assert_int_equal(n, 0); /* memory cleared */
    OK(dn_engine_simulate(e, 10.0, err));
    double *s = events(e, sd, "senders", &n), *tt = events(e, sd, "times", &n);
    /* after the reset: pa at 12.1 only, pb at 17.1 only (14.1 lost) */
    assert_int_equal(n, 2);
    assert_near(s[0], (double)pa, 0);
    assert_near(tt[0], 12.1, 1e-9);
    assert_near(s[1], (double)pb, 0);
    assert_near(tt[1], 17.1, 1e-9);
    free(s);
    free(tt);
    dn_engine_free(e);
}

/* after the reset a multimeter samples from the next multiple of its interval (10.0 lost) */
static void test_multimeter_after_reset(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n, mm;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "multimeter", 1, D("record_from", VLS("V_m", NULL), NULL), &mm, err));
    OK(connect_default(e, mm, n, err));
    OK(dn_engine_simulate(e, 10.0, err));
    OK(dn_engine_reset_network(e, err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t k;
    double *t = events(e, mm, "times", &k);
    assert_int_equal(k, 9); /* 11 .. 19 (20 pending, spec §5.2) */
    assert_near(t[0], 11.0, 1e-9);
    free(t);
    dn_engine_free(e);
}

/* files: closed at the reset; reopened (truncated) only with overwrite_files */
static void test_files_after_reset(void **state)
{
    (void)state;
    char dir[] = "/tmp/dn_reset_XXXXXX";
    assert_non_null(mkdtemp(dir));
    for (int ow = 0; ow < 2; ow++) {
        dn_engine *e;
        dn_gid sg, sd;
        double t[] = {2, 12};
        OK(dn_engine_new(&e, err));
        OK(kernel(e, D("data_path", VS(dir), "overwrite_files", VB(ow != 0), NULL), err));
        OK(create(e, "spike_generator", 1, D("spike_times", VLD(2, t), NULL), &sg, err));
        OK(create(e, "parrot_neuron", 1, NULL, &sd, err));
        dn_gid det;
        OK(create(e, "spike_detector", 1, D("to_file", VB(true), "label", VS("r"), NULL), &det,
                  err));
        OK(connect1(e, sg, sd, 1.0, 1.0, err));
        OK(connect_default(e, sd, det, err));
        OK(dn_engine_simulate(e, 10.0, err));
        OK(dn_engine_reset_network(e, err));
        char path[256];
        snprintf(path, sizeof path, "%s/r-%u-0.gdf", dir, det);
        if (!ow) {
            FAILS(dn_engine_simulate(e, 10.0, err), DN_EINPUT, "exists already");
        } else {
            OK(dn_engine_simulate(e, 10.0, err));
            char *s = slurp(path);
            assert_string_equal(s, "2\t13.000\t\n");
            free(s);
        }
        unlink(path);
        dn_engine_free(e);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_back_to_prototype),
        cmocka_unit_test(test_buffers_cleared),
        cmocka_unit_test(test_multimeter_after_reset),
        cmocka_unit_test(test_files_after_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The public API: kernel status, models (CopyModel, SetDefaults, GetDefaults), node status,
 * connections (counts, queries, weight changes), print_time, and every bad call of the brief
 * with its message. */
#include "engine_test.h"

static void test_kernel_status(void **state)
{
    (void)state;
    dn_engine *e;
    dn_value *ks;
    double x;
    OK(dn_engine_new(&e, err));
    OK(dn_engine_get_kernel_status(e, &ks, err));
    assert_true(dn_value_get_double(dn_value_map_get(ks, "resolution"), &x));
    assert_near(x, 0.1, 0);
    assert_non_null(dn_value_map_get(ks, "time"));
    assert_non_null(dn_value_map_get(ks, "biological_time"));
    assert_non_null(dn_value_map_get(ks, "network_size"));
    dn_value_free(ks);
    /* integers are accepted where decimals are expected; integral decimals for integers */
    OK(kernel(e, D("resolution", VI(1), "local_num_threads", VD(2.0), NULL), err));
    assert_near(dn_engine_resolution(e), 1.0, 0);
    assert_int_equal(dn_engine_num_threads(e), 2);
    FAILS(kernel(e, D("local_num_threads", VD(2.5), NULL), err), DN_EINPUT, "whole number");
    FAILS(kernel(e, D("resolutoin", VD(0.1), NULL), err), DN_EINPUT, "did you mean 'resolution'");
    FAILS(kernel(e, D("network_size", VI(3), NULL), err), DN_EINPUT, "read-only");
    FAILS(kernel(e, D("resolution", VD(0.00001), NULL), err), DN_EINPUT, "at least one tic");
    /* nothing changes when one key of a dict is bad */
    FAILS(kernel(e, D("print_time", VB(true), "resolution", VS("x"), NULL), err), DN_EINPUT,
          "must be a finite number");
    OK(dn_engine_get_kernel_status(e, &ks, err));
    bool pt = true;
    assert_true(dn_value_get_bool(dn_value_map_get(ks, "print_time"), &pt));
    assert_false(pt);
    dn_value_free(ks);
    dn_gid n;
    OK(kernel(e, D("resolution", VD(0.1), NULL), err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    FAILS(kernel(e, D("resolution", VD(0.2), NULL), err), DN_EINPUT, "ResetKernel");
    FAILS(kernel(e, D("local_num_threads", VI(1), NULL), err), DN_EINPUT, "ResetKernel");
    FAILS(kernel(e, D("time", VD(3.0), NULL), err), DN_EINPUT, "only be set to 0.0");
    FAILS(dn_engine_simulate(e, 10.05, err), DN_EINPUT, "multiple of the resolution");
    FAILS(dn_engine_simulate(e, 0.05, err), DN_EINPUT, "multiple of the resolution");
    OK(dn_engine_simulate(e, 10.0001, err));
    assert_near(dn_engine_time(e), 10.0, 1e-12);
    OK(kernel(e, D("biological_time", VD(0.0), NULL), err));
    assert_near(dn_engine_time(e), 0.0, 0);
    OK(dn_engine_reset_kernel(e, err));
    assert_int_equal(dn_engine_network_size(e), 1);
    assert_int_equal(dn_engine_num_threads(e), 1);
    /* user delay extrema */
    OK(kernel(e, D("min_delay", VD(0.5), "max_delay", VD(3.0), NULL), err));
    OK(create(e, "iaf_psc_alpha", 2, NULL, &n, err));
    FAILS(connect1(e, n, n + 1, 1.0, 0.2, err), DN_EINPUT, "outside [min_delay, max_delay]");
    OK(connect1(e, n, n + 1, 1.0, 0.5, err));
    FAILS(kernel(e, D("min_delay", VD(0.5), "max_delay", VD(3.0), NULL), err), DN_EINPUT,
          "before any connection");
    dn_engine_free(e);
}

static void test_models_and_defaults(void **state)
{
    (void)state;
    dn_engine *e;
    dn_value *d;
    OK(dn_engine_new(&e, err));
    assert_int_equal(dn_engine_model_kind(e, "spike_recorder"), DN_KIND_NODE);
    assert_int_equal(dn_engine_model_kind(e, "static_synapse"), DN_KIND_SYNAPSE);
    assert_int_equal(dn_engine_model_kind(e, "nope"), DN_KIND_NONE);
    dn_value *p = D("rate", VD(5.0), NULL);
    OK(dn_engine_copy_model(e, "poisson_generator", "my_pg", p, err));
    dn_value_free(p);
    OK(dn_engine_get_defaults(e, "my_pg", &d, err));
    assert_string_equal(dn_value_str(dn_value_map_get(d, "type_id")), "poisson_generator");
    assert_string_equal(dn_value_str(dn_value_map_get(d, "model")), "my_pg");
    assert_string_equal(dn_value_str(dn_value_map_get(d, "element_type")), "stimulator");
    dn_value_free(d);
    FAILS(dn_engine_copy_model(e, "poisson_generator", "my_pg", NULL, err), DN_EINPUT,
          "exists already");
    FAILS(dn_engine_copy_model(e, "poison_generator", "x", NULL, err), DN_EINPUT,
          "did you mean 'poisson_generator'");
    p = D("rate", VD(-1.0), NULL);
    FAILS(dn_engine_copy_model(e, "poisson_generator", "bad_pg", p, err), DN_EINPUT, ">= 0");
    dn_value_free(p);
    assert_int_equal(dn_engine_model_kind(e, "bad_pg"), DN_KIND_NONE);
    /* SetDefaults affects nodes created later */
    p = D("I_e", VD(12.0), NULL);
    OK(dn_engine_set_defaults(e, "iaf_psc_alpha", p, err));
    dn_value_free(p);
    dn_gid n;
    double x;
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(dn_engine_get_double(e, n, "I_e", &x, err));
    assert_near(x, 12.0, 0);
    /* synapse copies: defaults and receptor checks */
    p = D("weight", VD(3.0), "delay", VD(2.0), NULL);
    OK(dn_engine_copy_model(e, "static_synapse", "syn3", p, err));
    dn_value_free(p);
    OK(dn_engine_get_defaults(e, "syn3", &d, err));
    assert_true(dn_value_get_double(dn_value_map_get(d, "weight"), &x));
    assert_near(x, 3.0, 0);
    dn_value_free(d);
    p = D("delay", VD(0.01), NULL);
    FAILS(dn_engine_set_defaults(e, "syn3", p, err), DN_EINPUT, ">= the resolution");
    dn_value_free(p);
    p = D("weigth", VD(1.0), NULL);
    FAILS(dn_engine_set_defaults(e, "syn3", p, err), DN_EINPUT, "did you mean 'weight'");
    dn_value_free(p);
    OK(dn_engine_get_defaults(e, "iaf_psc_alpha", &d, err));
    assert_non_null(dn_value_map_get(d, "recordables"));
    dn_value_free(d);
    /* node status */
    OK(dn_engine_get_status(e, n, &d, err));
    int64_t g;
    assert_true(dn_value_get_int(dn_value_map_get(d, "global_id"), &g));
    assert_int_equal(g, n);
    assert_string_equal(dn_value_str(dn_value_map_get(d, "model")), "iaf_psc_alpha");
    assert_non_null(dn_value_map_get(d, "V_m"));
    dn_value_free(d);
    FAILS(dn_engine_get_key(e, n, "V_mm", &d, err), DN_EINPUT, "did you mean 'V_m'");
    dn_gid layer;
    OK(dn_engine_reserve_gid(e, &layer, err));
    assert_false(dn_engine_is_node(e, layer));
    FAILS(dn_engine_get_status(e, layer, &d, err), DN_EINPUT, "layer");
    FAILS(dn_engine_get_status(e, 999, &d, err), DN_EINPUT, "does not exist");
    dn_engine_free(e);
}

static void test_connection_errors(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid n, p, mm, sd, dc;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 2, NULL, &n, err));
    OK(create(e, "parrot_neuron", 1, NULL, &p, err));
    OK(create(e, "multimeter", 1, D("record_from", VLS("V_mm", NULL), NULL), &mm, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    OK(create(e, "dc_generator", 1, NULL, &dc, err));
    dn_syn_spec sp = {NULL, 1.0, 1.0, 2, true, true, true};
    FAILS(dn_engine_connect(e, &n, 1, &p, 1, DN_RULE_ONE_TO_ONE, &sp, err), DN_EINPUT,
          "not valid for parrot_neuron");
    FAILS(dn_engine_connect(e, &p, 1, &n, 1, DN_RULE_ONE_TO_ONE, &sp, err), DN_EINPUT,
          "receptor_type 2 is not valid for iaf_psc_alpha");
    FAILS(connect_default(e, n, mm, err), DN_EINPUT, "SOURCE");
    FAILS(connect_default(e, sd, n, err), DN_EINPUT, "records what is connected");
    FAILS(connect_default(e, n, dc, err), DN_EINPUT, "takes no input");
    FAILS(connect_default(e, mm, n, err), DN_EINPUT, "does not have");
    FAILS(connect_default(e, n, 77, err), DN_EINPUT, "no such node");
    dn_syn_spec bad = {"statc_synapse", 1, 1, 0, false, false, false};
    FAILS(dn_engine_connect(e, &n, 1, &p, 1, DN_RULE_ONE_TO_ONE, &bad, err), DN_EINPUT,
          "did you mean 'static_synapse'");
    dn_gid two[2] = {n, n + 1};
    FAILS(dn_engine_connect(e, two, 2, &p, 1, DN_RULE_ONE_TO_ONE, NULL, err), DN_EINPUT,
          "one_to_one");
    /* a failed bulk call adds nothing */
    dn_gid src[3] = {n, n, 500}, tgt[3] = {p, p, p};
    FAILS(dn_engine_connect_rows(e, 3, src, tgt, NULL, NULL, NULL, err), DN_EINPUT, "row 2");
    assert_int_equal(dn_engine_num_connections(e), 0);
    dn_engine_free(e);
}

static void test_connection_queries(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, mm;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("local_num_threads", VI(2), NULL), err));
    OK(create(e, "iaf_psc_alpha", 4, NULL, &a, err));
    OK(create(e, "multimeter", 1,
              D("interval", VD(0.1), "record_from",
                VLS("weighted_spikes_ex", "weighted_spikes_in", NULL), NULL),
              &mm, err));
    dn_gid s[4] = {a, a + 1, a + 2, a + 3};
    OK(dn_engine_copy_model(e, "static_synapse_lbl", "lbl", NULL, err));
    dn_syn_spec sp = {"lbl", 5.0, 1.0, 0, true, true, false};
    OK(dn_engine_connect(e, s, 2, s + 2, 2, DN_RULE_ALL_TO_ALL, &sp, err));
    OK(dn_engine_connect(e, s, 1, s + 1, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    size_t n;
    OK(dn_engine_count_connections(e, "lbl", &n, err));
    assert_int_equal(n, 4);
    OK(dn_engine_count_connections(e, "static_synapse", &n, err));
    assert_int_equal(n, 1);
    dn_connsel *sel;
    OK(dn_engine_get_connections(e, NULL, 0, NULL, 0, "lbl", &sel, err));
    assert_int_equal(dn_connsel_size(sel), 4);
    double w[4];
    OK(dn_engine_conn_get_double(e, sel, "weight", w, err));
    for (int k = 0; k < 4; k++)
        assert_near(w[k], 5.0, 0);
    /* flip the sign of one: it must go to the inhibitory input (reroute) */
    dn_conn_info in;
    size_t pick = 0;
    for (size_t k = 0; k < 4; k++) {
        OK(dn_connsel_info(e, sel, k, &in, err));
        if (in.source == a && in.target == a + 2)
            pick = k;
    }
    w[pick] = -7.0;
    OK(dn_engine_conn_set_double(e, sel, "weight", w, err));
    dn_value *cs;
    OK(dn_engine_conn_get_status(e, sel, pick, &cs, err));
    double x;
    assert_true(dn_value_get_double(dn_value_map_get(cs, "weight"), &x));
    assert_near(x, -7.0, 0);
    assert_non_null(dn_value_map_get(cs, "synapse_label"));
    dn_value_free(cs);
    dn_value *d = D("delay", VD(0.04), NULL);
    FAILS(dn_engine_conn_set_status(e, sel, d, err), DN_EINPUT, "resolution");
    dn_value_free(d);
    d = D("receptor", VI(1), NULL);
    FAILS(dn_engine_conn_set_status(e, sel, d, err), DN_EINPUT, "cannot be changed");
    dn_value_free(d);
    dn_connsel_free(sel);
    OK(dn_engine_get_connections(e, s, 1, s + 2, 1, NULL, &sel, err));
    assert_int_equal(dn_connsel_size(sel), 1);
    dn_connsel_free(sel);
    /* the rerouted spike arrives as inhibitory */
    OK(connect_default(e, mm, a + 2, err));
    OK(set_status(e, a, D("I_e", VD(2000.0), NULL), err));
    OK(dn_engine_simulate(e, 10.0, err));
    size_t k1;
    double *wi = events(e, mm, "weighted_spikes_in", &k1);
    double sum = 0;
    for (size_t k = 0; k < k1; k++)
        sum += wi[k];
    assert_true(sum < 0);
    free(wi);
    dn_engine_free(e);
}

static char progress_buf[4096];
static void capture(void *user, int phase, int pct, double t, double rtf)
{
    (void)user;
    size_t n = strlen(progress_buf);
    snprintf(progress_buf + n, sizeof progress_buf - n, "[%d %d %.1f %s]", phase, pct, t,
             rtf >= 0 ? "ok" : "bad");
}

static void test_print_time(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 2, NULL, &a, err));
    OK(connect1(e, a, a + 1, 1.0, 2.0, err));
    dn_engine_set_progress(e, capture, NULL);
    progress_buf[0] = 0;
    OK(dn_engine_simulate(e, 6.0, err));
    assert_string_equal(progress_buf, ""); /* print_time false: silent */
    OK(kernel(e, D("print_time", VB(true), NULL), err));
    OK(dn_engine_simulate(e, 6.0, err));
    assert_string_equal(progress_buf,
                        "[0 0 6.0 ok][1 34 8.0 ok][1 67 10.0 ok][1 100 12.0 ok][2 100 12.0 ok]");
    dn_engine_free(e);
}

/* Rows wait in chunks of growing size (1024, 2048, ...) until the first Simulate; a failed
 * call must drop exactly its own rows, also across chunk boundaries. */
static void test_pending_rollback_across_chunks(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, sd;
    OK(dn_engine_new(&e, err));
    OK(create(e, "iaf_psc_alpha", 50, NULL, &a, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    enum { N = 5000 };
    dn_gid *src = malloc(N * sizeof *src), *tgt = malloc(N * sizeof *tgt);
    for (size_t k = 0; k < N; k++) {
        src[k] = a + (dn_gid)(k % 50);
        tgt[k] = a + (dn_gid)((k * 7) % 50);
    }
    OK(dn_engine_connect_rows(e, 1500, src, tgt, NULL, NULL, NULL, err));
    src[N - 1] = 9999; /* the last row fails: rows 1500 .. 1500 + N - 1 are rolled back */
    FAILS(dn_engine_connect_rows(e, N, src, tgt, NULL, NULL, NULL, err), DN_EINPUT, "no such node");
    assert_int_equal(dn_engine_num_connections(e), 1500);
    OK(dn_engine_connect_rows(e, 1000, src, tgt, NULL, NULL, NULL, err));
    assert_int_equal(dn_engine_num_connections(e), 2500);
    OK(dn_engine_simulate(e, 1.0, err));
    assert_int_equal(dn_engine_num_connections(e), 2500);
    free(src);
    free(tgt);
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_status),     cmocka_unit_test(test_models_and_defaults),
        cmocka_unit_test(test_connection_errors), cmocka_unit_test(test_connection_queries),
        cmocka_unit_test(test_print_time),
        cmocka_unit_test(test_pending_rollback_across_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

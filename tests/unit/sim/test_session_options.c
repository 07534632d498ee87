/* One test per session option (deNEST spec §6.5, decisions.md), each checking its effect alone
 * against a control run without it: record: false, shift_origin, multiplicative / additive
 * unit changes in the order written, from_array with the §5.2 array <-> unit mapping,
 * synapse_changes seen by a weight recorder, reset_network restoring V_m and keeping earlier data.
 */
#include <math.h>
#include <stdint.h>

#include "denest/npy.h"
#include "sim_net.h"

/* Rows of one recorder file of a finished run in `dir`. */
static st_rows rows_of(const char *dir, const char *file)
{
    char *p = st_path(dir, file);
    st_rows r = st_read_rows(p);
    free(p);
    return r;
}

/* Run the network with these sessions into a fresh directory; returns the directory. */
static char *run_net(const char *spikes, const char *sessions, const char *models)
{
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    char *y = sim_net("", spikes, sessions, models);
    st_run_ok(y, out, NULL);
    free(y);
    free(dir);
    return out;
}

static void finish(char *out)
{
    char *slash = strrchr(out, '/');
    *slash = '\0';
    st_rmrf(out);
    free(out);
}

static size_t count_time(const st_rows *r, size_t col, double t)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += fabs(r->v[i][col] - t) < 1e-9;
    return n;
}

static void test_record_false(void **state)
{
    (void)state;
    const char *models = "  quiet: {params: {simulation_time: 10.0, record: false}}\n"
                         "  loud: {params: {simulation_time: 10.0}}\n";
    char *out = run_net("[5.0, 15.0]", "[quiet, loud]", models);
    st_rows sd = rows_of(out, SN_SD), mm = rows_of(out, SN_MM), wr = rows_of(out, SN_WR);
    /* parrots fire at 6 and 16; only the second session's spike is recorded */
    assert_int_equal(sd.n, 4);
    assert_int_equal(count_time(&sd, 1, 16.0), 4);
    /* no multimeter sample in (0, 10]: the first is 11.0 (8 cells x 11.0 ... 19.0) */
    assert_true(mm.n > 0);
    for (size_t i = 0; i < mm.n; i++)
        assert_true(mm.v[i][1] > 10.0);
    assert_int_equal(count_time(&mm, 1, 11.0), 8);
    for (size_t i = 0; i < wr.n; i++)
        assert_true(wr.v[i][2] > 10.0);
    assert_int_equal(wr.n, 8);
    st_rows_free(&sd);
    st_rows_free(&mm);
    st_rows_free(&wr);
    finish(out);

    /* control: both sessions recorded */
    out = run_net("[5.0, 15.0]", "[loud, loud]", models);
    sd = rows_of(out, SN_SD);
    mm = rows_of(out, SN_MM);
    assert_int_equal(sd.n, 8);
    assert_int_equal(count_time(&sd, 1, 6.0), 4);
    assert_int_equal(count_time(&mm, 1, 1.0), 8);
    st_rows_free(&sd);
    st_rows_free(&mm);
    finish(out);
}

static void test_shift_origin(void **state)
{
    (void)state;
    const char *models = "  s: {params: {simulation_time: 10.0, shift_origin: true}}\n"
                         "  n: {params: {simulation_time: 10.0}}\n";
    char *out = run_net("[1.0, 5.0]", "[s, s, s]", models);
    st_rows sd = rows_of(out, SN_SD);
    const double want[] = {2, 6, 12, 16, 22, 26};
    assert_int_equal(sd.n, 24);
    for (size_t k = 0; k < 6; k++)
        assert_int_equal(count_time(&sd, 1, want[k]), 4);
    st_rows_free(&sd);
    finish(out);

    out = run_net("[1.0, 5.0]", "[n, n, n]", models);
    sd = rows_of(out, SN_SD);
    assert_int_equal(sd.n, 8); /* the input is not repeated */
    assert_int_equal(count_time(&sd, 1, 12.0), 0);
    st_rows_free(&sd);
    finish(out);
}

/* Values of `key` for every node of population `pop` of layer `layer`. */
static void values_of(dn_sim *sim, const char *layer, const char *pop, const char *key, double *out,
                      size_t n)
{
    const dn_net_layer *l = dn_net_find_layer(dn_sim_net(sim), layer);
    assert_non_null(l);
    const dn_net_population *p = dn_net_layer_population(l, pop);
    assert_non_null(p);
    assert_int_equal(p->n, n);
    for (size_t u = 0; u < n; u++)
        assert_int_equal(
            dn_engine_get_double(dn_sim_engine(sim), (dn_gid)(p->first + u), key, &out[u], NULL),
            DN_OK);
}

static dn_sim *create(const char *sessions, const char *models, const char *in, char **dir)
{
    *dir = st_scratch();
    char *out = st_path(*dir, "out");
    char *y = sim_net("", "[]", sessions, models);
    dn_sim *sim = st_create(y, out, in);
    free(y);
    free(out);
    return sim;
}

static void run_session(dn_sim *sim, size_t i)
{
    dn_error err;
    dn_error_clear(&err);
    if (dn_sim_run_session(sim, i, &err) != DN_OK)
        fail_msg("session %zu: %s", i, err.message);
}

static void test_multiplicative(void **state)
{
    (void)state;
    const char *models = "  m:\n"
                         "    params:\n"
                         "      simulation_time: 1.0\n"
                         "      unit_changes:\n"
                         "      - {layers: [l1], population_name: cell, change_type: "
                         "multiplicative, nest_params: {tau_m: 2.0}}\n";
    char *dir;
    dn_sim *sim = create("[m, m]", models, NULL, &dir);
    double v[8];
    values_of(sim, "l1", "cell", "tau_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 10.0); /* nothing applied before the session starts */
    run_session(sim, 0);
    values_of(sim, "l1", "cell", "tau_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 20.0);
    run_session(sim, 1); /* changes persist and compound (§5.2) */
    values_of(sim, "l1", "cell", "tau_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 40.0);
    dn_sim_free(sim);
    st_rmrf(dir);
    free(dir);
}

static void test_additive_in_order_written(void **state)
{
    (void)state;
    /* deNEST sorted the items (by layers only); we apply them as written (decisions.md) */
    const char *models =
        "  set_then_add:\n"
        "    params:\n"
        "      simulation_time: 0.0\n"
        "      unit_changes:\n"
        "      - {layers: [l1], population_name: cell, nest_params: {I_e: 5.0}}\n"
        "      - {layers: [l1], population_name: cell, change_type: additive, nest_params: "
        "{I_e: 1.5}}\n"
        "  add_then_set:\n"
        "    params:\n"
        "      simulation_time: 0.0\n"
        "      unit_changes:\n"
        "      - {layers: [l1], population_name: cell, change_type: additive, nest_params: "
        "{I_e: 1.5}}\n"
        "      - {layers: [l1], population_name: cell, nest_params: {I_e: 5.0}}\n";
    char *dir;
    dn_sim *sim = create("[set_then_add, add_then_set, set_then_add]", models, NULL, &dir);
    double v[8];
    run_session(sim, 0);
    values_of(sim, "l1", "cell", "I_e", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 6.5);
    run_session(sim, 1);
    values_of(sim, "l1", "cell", "I_e", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 5.0);
    run_session(sim, 2);
    values_of(sim, "l1", "cell", "I_e", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 6.5);
    dn_sim_free(sim);
    st_rmrf(dir);
    free(dir);
}

/* An int64 .npy file (NumPy's header for it, written by hand). */
static void write_i8(const char *path, const char *shape, const int64_t *v, size_t n)
{
    char dict[128];
    int k = snprintf(dict, sizeof dict, "{'descr': '<i8', 'fortran_order': False, 'shape': %s, }",
                     shape);
    size_t hl = (size_t)k + 1;
    while ((10 + hl) % 64)
        dict[k++] = ' ', hl++;
    dict[k] = '\n';
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, 0};
    fwrite(head, 1, 10, f);
    fwrite(dict, 1, hl, f);
    fwrite(v, sizeof *v, n, f);
    fclose(f);
}

static void test_from_array(void **state)
{
    (void)state;
    char *in = st_scratch();
    /* V_m from an int64 array (decisions.md: integers accepted for decimals), A = arange(8) - 80
     * reshaped (2, 2, 2); tau_m multiplied element-wise by a float64 array */
    int64_t vm[8];
    double mul[8];
    for (int i = 0; i < 8; i++) {
        vm[i] = i - 80;
        mul[i] = 1.0 + i;
    }
    char *p = st_path(in, "vm.npy");
    write_i8(p, "(2, 2, 2)", vm, 8);
    free(p);
    p = st_path(in, "tau.npy");
    size_t shape[3] = {2, 2, 2};
    assert_int_equal(dn_npy_write(p, shape, 3, mul, NULL), DN_OK);
    free(p);
    const char *models =
        "  arr:\n"
        "    params:\n"
        "      simulation_time: 0.0\n"
        "      unit_changes:\n"
        "      - {layers: [l1], population_name: cell, from_array: true, nest_params: {V_m: "
        "vm.npy}}\n"
        "      - {layers: [l1], population_name: cell, from_array: true, change_type: "
        "multiplicative, nest_params: {tau_m: ./tau.npy}}\n";
    char *dir;
    dn_sim *sim = create("[arr]", models, in, &dir);
    run_session(sim, 0);
    double v[8], tau[8];
    values_of(sim, "l1", "cell", "V_m", v, 8);
    values_of(sim, "l1", "cell", "tau_m", tau, 8);
    /* §5.2: A[r, c, k] -> unit first + k*R*C + c*R + r (R = C = 2) */
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 2; k++) {
                int a = (r * 2 + c) * 2 + k, u = k * 4 + c * 2 + r;
                assert_true(fabs(v[u] - (double)vm[a]) < 1e-12);
                assert_true(fabs(tau[u] - 10.0 * mul[a]) < 1e-12);
            }
    /* the mapping is not the identity: unit 1 (r=1, c=0, k=0) got A[1, 0, 0] = -76 */
    assert_true(fabs(v[1] + 76.0) < 1e-12);
    dn_sim_free(sim);
    st_rmrf(dir);
    free(dir);
    st_rmrf(in);
    free(in);
}

static void test_synapse_changes(void **state)
{
    (void)state;
    /* by model name: the projection's synapses live under a private copy of static_synapse for
     * its weight recorder and are still found */
    const char *models =
        "  a: {params: {simulation_time: 10.0}}\n"
        "  b:\n"
        "    params:\n"
        "      simulation_time: 10.0\n"
        "      synapse_changes:\n"
        "      - {synapse_model: static_synapse, change_type: multiplicative, nest_params: "
        "{weight: 2.0}}\n"
        "  c:\n"
        "    params:\n"
        "      simulation_time: 10.0\n"
        "      synapse_changes:\n"
        "      - {projection_model: pm, source_layers: [input], source_population: "
        "parrot_neuron, target_layers: [l1], target_population: cell, params: {weight: 7.5}}\n";
    char *out = run_net("[2.0, 12.0, 22.0]", "[a, b, c]", models);
    st_rows wr = rows_of(out, SN_WR);
    assert_int_equal(wr.cols, 4); /* sender, target, time, weight */
    assert_int_equal(wr.n, 24);
    for (size_t i = 0; i < wr.n; i++) {
        double t = wr.v[i][2], w = wr.v[i][3];
        double want = t < 10 ? 50.0 : t < 20 ? 100.0 : 7.5;
        assert_true(fabs(w - want) < 1e-9);
    }
    st_rows_free(&wr);
    finish(out);

    /* control: no change */
    out = run_net("[2.0, 12.0, 22.0]", "[a, a, a]", models);
    wr = rows_of(out, SN_WR);
    for (size_t i = 0; i < wr.n; i++)
        assert_true(fabs(wr.v[i][3] - 50.0) < 1e-9);
    st_rows_free(&wr);
    finish(out);
}

static void test_reset_network(void **state)
{
    (void)state;
    const char *models =
        "  a:\n"
        "    params:\n"
        "      simulation_time: 10.0\n"
        "      unit_changes:\n"
        "      - {layers: [l1], population_name: cell, nest_params: {V_m: -58.0, tau_m: 30.0}}\n"
        "  r: {params: {simulation_time: 0.0, reset_network: true}}\n"
        "  n: {params: {simulation_time: 0.0}}\n";
    char *dir;
    dn_sim *sim = create("[a, r]", models, NULL, &dir);
    run_session(sim, 0);
    double v[8];
    values_of(sim, "l1", "cell", "V_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] > -62.5 && v[i] < -60.5); /* -70 + 12 exp(-10/30) = -61.4 */
    run_session(sim, 1);
    values_of(sim, "l1", "cell", "V_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(fabs(v[i] + 65.0) < 1e-12); /* the model's V_m, not the unit change's */
    values_of(sim, "l1", "cell", "tau_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(v[i] == 30.0); /* parameters are kept (kernel spec §1.9) */
    dn_sim_free(sim);
    st_rmrf(dir);
    free(dir);

    sim = create("[a, n]", models, NULL, &dir);
    run_session(sim, 0);
    run_session(sim, 1);
    values_of(sim, "l1", "cell", "V_m", v, 8);
    for (int i = 0; i < 8; i++)
        assert_true(fabs(v[i] + 65.0) > 1.0);
    dn_sim_free(sim);
    st_rmrf(dir);
    free(dir);
}

/* decisions.md: NEST truncates the recorder files at the Simulate after a ResetNetwork; we keep
 * what earlier sessions wrote. */
static void test_reset_keeps_earlier_data(void **state)
{
    (void)state;
    const char *models = "  a: {params: {simulation_time: 10.0}}\n"
                         "  r: {params: {simulation_time: 10.0, reset_network: true}}\n";
    char *out = run_net("[5.0, 15.0]", "[a, r]", models);
    st_rows sd = rows_of(out, SN_SD), mm = rows_of(out, SN_MM);
    assert_int_equal(count_time(&sd, 1, 6.0), 4);
    assert_int_equal(count_time(&sd, 1, 16.0), 4);
    assert_int_equal(count_time(&mm, 1, 1.0), 8);  /* first session's samples */
    assert_int_equal(count_time(&mm, 1, 15.0), 8); /* second session's */
    st_rows_free(&sd);
    st_rows_free(&mm);
    finish(out);
}

/* layers: null = every layer (sorted by name), population_name: null = every population;
 * layers: [] = nothing (§5.1). */
static void test_layer_and_population_selection(void **state)
{
    (void)state;
    const char *yaml = "simulation: {params: {sessions: [all, none]}}\n"
                       "session_models:\n"
                       "  all:\n"
                       "    params:\n"
                       "      simulation_time: 0.0\n"
                       "      unit_changes:\n"
                       "      - {layers: null, nest_params: {I_e: 7.0}}\n"
                       "  none:\n"
                       "    params:\n"
                       "      simulation_time: 0.0\n"
                       "      unit_changes:\n"
                       "      - {layers: [], nest_params: {I_e: 9.0}}\n"
                       "      - {nest_params: {I_e: 9.0}}\n"
                       "network:\n"
                       "  neuron_models:\n"
                       "    a: {params: {nest_model: iaf_psc_alpha}}\n"
                       "    b: {params: {nest_model: iaf_psc_exp}}\n"
                       "  layers:\n"
                       "    nest_params: {rows: 1, columns: 2}\n"
                       "    zz: {params: {populations: {a: 1, b: 2}}}\n"
                       "    aa: {params: {populations: {a: 3}}}\n";
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    dn_sim *sim = st_create(yaml, out, NULL);
    run_session(sim, 0);
    double v[6];
    values_of(sim, "zz", "a", "I_e", v, 2);
    assert_true(v[0] == 7.0 && v[1] == 7.0);
    values_of(sim, "zz", "b", "I_e", v, 4);
    for (int i = 0; i < 4; i++)
        assert_true(v[i] == 7.0);
    values_of(sim, "aa", "a", "I_e", v, 6);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == 7.0);
    run_session(sim, 1); /* [] and the default (no layers) change nothing */
    values_of(sim, "aa", "a", "I_e", v, 6);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == 7.0);
    dn_sim_free(sim);
    free(out);
    st_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_false),
        cmocka_unit_test(test_shift_origin),
        cmocka_unit_test(test_multiplicative),
        cmocka_unit_test(test_additive_in_order_written),
        cmocka_unit_test(test_from_array),
        cmocka_unit_test(test_synapse_changes),
        cmocka_unit_test(test_reset_network),
        cmocka_unit_test(test_reset_keeps_earlier_data),
        cmocka_unit_test(test_layer_and_population_selection),
    };
    return cmocka_run_group_tests(tests, st_quiet, NULL);
}

/* deNEST's example parameters (Poisson input, random connectivity, an .npy input, 20 threads)
 * against NEST 2.20.2's output (tests/data/sim/example_reference): node ids, file names,
 * metadata and session times identical; row counts and time windows of the multimeters identical;
 * spike and weight-recorder counts (firing rates) within 20 %. Random draws differ from NEST's,
 * so values are compared by statistics only. */
#include <math.h>

#include "denest/yaml.h"
#include "sim_test.h"

#define REF DN_TEST_DATA "/sim/example_reference"

static char *g_dir, *g_out, *g_data;

static int run_example(void **state)
{
    (void)state;
    dn_log_set_level(DN_LOG_OFF);
    g_dir = st_scratch();
    g_out = st_path(g_dir, "out");
    g_data = st_path(g_out, "data");
    dn_tree *tree = NULL;
    dn_error err;
    dn_error_clear(&err);
    if (dn_tree_load(DN_TEST_DATA "/denest/example/tree_paths.yml", NULL, 0, &tree, &err) != DN_OK)
        return -1;
    dn_sim_options o = {0};
    o.output_dir = g_out;
    o.input_dir = DN_TEST_DATA "/denest/example/input";
    double t0 = sim_test_now();
    dn_status st = dn_sim_run(tree, &o, &err);
    dn_tree_free(tree);
    if (st != DN_OK) {
        char line[1600];
        dn_error_format(&err, line, sizeof line);
        fprintf(stderr, "example run failed: %s\n", line);
        return -1;
    }
    print_message("example (20 threads asked, 150 ms): %.2f s\n", sim_test_now() - t0);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    st_rmrf(g_dir);
    free(g_dir);
    free(g_out);
    free(g_data);
    return 0;
}

static dn_value *load(const char *dir, const char *name)
{
    char *p = st_path(dir, name);
    dn_value *v = NULL;
    dn_error err;
    if (dn_yaml_load_file(p, &v, &err) != DN_OK)
        fail_msg("cannot read %s: %s", p, err.message);
    free(p);
    return v;
}

typedef struct summary {
    char label[160];
    size_t files, rows;
    double tmin, tmax;
} summary;

static size_t read_summary(summary *s, size_t max)
{
    FILE *f = fopen(REF "/summary.tsv", "r");
    assert_non_null(f);
    size_t n = 0;
    while (n < max && fscanf(f, "%159s %zu %zu %lf %lf", s[n].label, &s[n].files, &s[n].rows,
                             &s[n].tmin, &s[n].tmax) == 5)
        n++;
    fclose(f);
    return n;
}

/* Our summary of one recorder from its metadata's file list. */
static summary measure(const char *label)
{
    summary m = {.tmin = INFINITY, .tmax = -INFINITY};
    size_t ln = strlen(label);
    assert_true(ln < sizeof m.label);
    memcpy(m.label, label, ln + 1);
    char *yml = st_fmt("%s.yml", label);
    dn_value *meta = load(g_data, yml);
    free(yml);
    const dn_value *files = dn_value_map_get(meta, "filenames");
    bool wr = strcmp(dn_value_str(dn_value_map_get(meta, "type")), "weight_recorder") == 0;
    m.files = dn_value_len(files);
    for (size_t i = 0; i < m.files; i++) {
        char *p = st_path(g_data, dn_value_str(dn_value_list_at(files, i)));
        st_rows r = st_read_rows(p);
        for (size_t k = 0; k < r.n; k++) {
            double t = r.v[k][wr ? 3 : 1];
            m.tmin = fmin(m.tmin, t);
            m.tmax = fmax(m.tmax, t);
        }
        m.rows += r.n;
        st_rows_free(&r);
        free(p);
    }
    dn_value_free(meta);
    return m;
}

static void test_metadata_and_names(void **state)
{
    (void)state;
    summary s[32];
    size_t n = read_summary(s, 32);
    assert_int_equal(n, 11);
    for (size_t i = 0; i < n; i++) {
        char *yml = st_fmt("data/%s.yml", s[i].label);
        dn_value *r = load(REF, yml), *o = load(g_out, yml);
        /* weight recorders: real column names (decisions.md) instead of null */
        if (strcmp(dn_value_str(dn_value_map_get(r, "type")), "weight_recorder") == 0) {
            const dn_value *c = dn_value_map_get(o, "colnames");
            assert_int_equal(dn_value_len(c), 5); /* sender, target, rport, time, weight */
            assert_string_equal(dn_value_str(dn_value_list_at(c, 2)), "rport");
            dn_value_map_delete(r, "colnames");
            dn_value_map_delete(o, "colnames");
        }
        if (!dn_value_identical(r, o))
            fail_msg("%s differs from NEST 2.20.2's (ids, files or locations)", yml);
        /* every listed raw file exists (one per thread) */
        const dn_value *files = dn_value_map_get(o, "filenames");
        assert_int_equal(dn_value_len(files), 20);
        for (size_t k = 0; k < dn_value_len(files); k++)
            assert_true(st_exists(g_data, dn_value_str(dn_value_list_at(files, k))));
        dn_value_free(r);
        dn_value_free(o);
        free(yml);
    }
    dn_value *r = load(REF, "session_times.yml"), *o = load(g_out, "session_times.yml");
    assert_true(dn_value_identical(r, o));
    dn_value_free(r);
    dn_value_free(o);
}

/* The spike detector recording the sources of a weight-recorded projection. */
static const char *source_detector(const char *wr_label)
{
    if (strstr(wr_label, "horizontal_exc-l1-l1_exc"))
        return "spike_detector_l1_l1_exc";
    if (strstr(wr_label, "input_projection_AMPA-input_layer-parrot_neuron"))
        return "spike_detector_input_layer_parrot_neuron";
    return NULL;
}

static const summary *find(const summary *s, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].label, label) == 0)
            return &s[i];
    return NULL;
}

static void test_rows_windows_rates(void **state)
{
    (void)state;
    summary s[32], m[32];
    size_t n = read_summary(s, 32);
    for (size_t i = 0; i < n; i++) {
        m[i] = measure(s[i].label);
        print_message("%-75s NEST %5zu rows [%g, %g]   ours %5zu rows [%g, %g]\n", s[i].label,
                      s[i].rows, s[i].tmin, s[i].tmax, m[i].rows, m[i].tmin, m[i].tmax);
        assert_int_equal(m[i].files, s[i].files);
    }
    for (size_t i = 0; i < n; i++) {
        double ratio = (double)m[i].rows / (double)s[i].rows;
        if (strncmp(s[i].label, "multimeter", 10) == 0) {
            /* deterministic: samples 51 ... 149 of every unit */
            assert_int_equal(m[i].rows, s[i].rows);
            assert_true(m[i].tmin == s[i].tmin && m[i].tmax == s[i].tmax);
            continue;
        }
        /* nothing from the non-recorded warm-up (0, 50] */
        assert_true(m[i].tmin > 50.0 && m[i].tmax <= 150.0);
        if (strncmp(s[i].label, "weight_recorder", 15) == 0) {
            /* rows per presynaptic spike = the projection's fan-out (its rate is checked on the
             * source population's detector) */
            const char *src = source_detector(s[i].label);
            assert_non_null(src);
            const summary *rs = find(s, n, src), *ms = find(m, n, src);
            assert_non_null(rs);
            assert_non_null(ms);
            ratio = ((double)m[i].rows / (double)ms->rows) / ((double)s[i].rows / (double)rs->rows);
        }
        /* firing rates within 20 % */
        if (ratio < 0.8 || ratio > 1.2)
            fail_msg("%s: %zu rows, NEST %zu (ratio %.2f)", s[i].label, m[i].rows, s[i].rows,
                     ratio);
    }
}

/* Session 02_arbitrary_rate sets the generators' rates from input_layer_rates_5x5x1.npy: 100 Hz
 * at [0, 0, 0], 0 elsewhere, so only the parrot at row 0, column 0 (GID 27) fires after 100 ms
 * (deNEST spec §5.2). */
static void test_rates_from_array(void **state)
{
    (void)state;
    dn_value *meta = load(g_data, "spike_detector_input_layer_parrot_neuron.yml");
    const dn_value *files = dn_value_map_get(meta, "filenames");
    size_t late = 0, early = 0;
    for (size_t i = 0; i < dn_value_len(files); i++) {
        char *p = st_path(g_data, dn_value_str(dn_value_list_at(files, i)));
        st_rows r = st_read_rows(p);
        for (size_t k = 0; k < r.n; k++) {
            if (r.v[k][1] > 101.0) {
                late++;
                assert_true(r.v[k][0] == 27.0);
            } else {
                early++;
            }
        }
        st_rows_free(&r);
        free(p);
    }
    assert_true(late >= 2);  /* 100 Hz for 50 ms: about 5 spikes */
    assert_true(early > 50); /* 25 generators at 100 Hz before */
    dn_value_free(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_and_names),
        cmocka_unit_test(test_rows_windows_rates),
        cmocka_unit_test(test_rates_from_array),
    };
    return cmocka_run_group_tests(tests, run_example, cleanup);
}

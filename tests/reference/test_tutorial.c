/* deNEST's tutorial end to end against NEST 2.20.2 (tests/data/sim/tutorial_reference): the same
 * files and metadata, the same spikes (gdf identical), multimeter V_m and weight-recorder values
 * equal at the printed 3 decimals (weight-recorder rows compared after sorting: NEST's order
 * within one sender is not reproducible, kernel spec §5.4). No random numbers are involved. */
#include <dirent.h>

#include "denest/yaml.h"
#include "../unit/sim/sim_test.h"

#define REF DN_TEST_DATA "/sim/tutorial_reference"

static char *g_dir, *g_out;

static int run_tutorial(void **state)
{
    (void)state;
    dn_log_set_level(DN_LOG_OFF);
    g_dir = st_scratch();
    g_out = st_path(g_dir, "out");
    dn_tree *tree = NULL;
    dn_error err;
    dn_error_clear(&err);
    if (dn_tree_load(DN_TEST_DATA "/denest/tutorial/tree_paths.yml", NULL, 0, &tree, &err) != DN_OK)
        return -1;
    dn_sim_options o = {0};
    o.output_dir = g_out;
    double t0 = sim_test_now();
    dn_status st = dn_sim_run(tree, &o, &err);
    dn_tree_free(tree);
    if (st != DN_OK) {
        char line[1600];
        dn_error_format(&err, line, sizeof line);
        fprintf(stderr, "tutorial run failed: %s\n", line);
        return -1;
    }
    print_message("tutorial: 400 ms simulated in %.2f s\n", sim_test_now() - t0);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    st_rmrf(g_dir);
    free(g_dir);
    free(g_out);
    return 0;
}

/* Sorted names of the files in a directory (NULL-terminated, malloc'ed). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **v = calloc(64, sizeof *v);
    *n = 0;
    struct dirent *en;
    while ((en = readdir(d)))
        if (en->d_name[0] != '.' && *n < 63)
            v[(*n)++] = strdup(en->d_name);
    closedir(d);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void test_file_names(void **state)
{
    (void)state;
    size_t nr, no;
    char **r = list_dir(REF "/data", &nr);
    char *data = st_path(g_out, "data");
    char **o = list_dir(data, &no);
    assert_int_equal(nr, 6);
    assert_int_equal(no, nr);
    for (size_t i = 0; i < nr; i++)
        assert_string_equal(o[i], r[i]);
    free_list(r, nr);
    free_list(o, no);
    free(data);
    const char *root[] = {"parameter_tree.yml", "session_times.yml", "versions.txt"};
    for (size_t i = 0; i < 3; i++)
        assert_true(st_exists(g_out, root[i]));
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

static void test_metadata_and_session_times(void **state)
{
    (void)state;
    const char *files[] = {"session_times.yml", "data/my_multimeter_l1_l1_exc.yml",
                           "data/my_spike_detector_input_layer_parrot_neuron.yml",
                           "data/weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh.yml"};
    for (size_t i = 0; i < 4; i++) {
        dn_value *r = load(REF, files[i]), *o = load(g_out, files[i]);
        if (i == 3) {
            /* decisions.md: real column names instead of deNEST's null */
            const dn_value *c = dn_value_map_get(o, "colnames");
            assert_int_equal(dn_value_len(c), 4);
            assert_string_equal(dn_value_str(dn_value_list_at(c, 0)), "sender");
            assert_string_equal(dn_value_str(dn_value_list_at(c, 3)), "weight");
            assert_non_null(dn_value_map_get(r, "colnames"));
            assert_int_equal(dn_value_map_get(r, "colnames")->type, DN_VALUE_NULL);
            dn_value_map_delete(r, "colnames");
            dn_value_map_delete(o, "colnames");
        }
        if (!dn_value_identical(r, o))
            fail_msg("%s differs from NEST 2.20.2's", files[i]);
        dn_value_free(r);
        dn_value_free(o);
    }
}

static char *read_pair(const char *name, char **ours)
{
    char *r = st_path(REF "/data", name), *o = st_path(g_out, "data");
    char *op = st_path(o, name);
    char *rt = st_read(r, NULL);
    *ours = st_read(op, NULL);
    assert_non_null(rt);
    assert_non_null(*ours);
    free(r);
    free(o);
    free(op);
    return rt;
}

static void test_spikes_identical(void **state)
{
    (void)state;
    char *ours, *ref = read_pair("my_spike_detector_input_layer_parrot_neuron-204-0.gdf", &ours);
    assert_int_equal(strlen(ref), strlen(ours));
    assert_string_equal(ref, ours);
    free(ref);
    free(ours);
}

/* Line-by-line text comparison: equal at the printed 3 decimals. */
static void compare_lines(const char *name, char *ref, char *ours, size_t *n_lines)
{
    size_t line = 0;
    char *sr, *so;
    char *a = strtok_r(ref, "\n", &sr), *b = strtok_r(ours, "\n", &so);
    while (a && b) {
        line++;
        if (strcmp(a, b) != 0)
            fail_msg("%s line %zu: NEST '%s', ours '%s'", name, line, a, b);
        a = strtok_r(NULL, "\n", &sr);
        b = strtok_r(NULL, "\n", &so);
    }
    if (a || b)
        fail_msg("%s: %s has more lines (after %zu)", name, a ? "NEST" : "ours", line);
    *n_lines = line;
}

static void test_multimeter_values(void **state)
{
    (void)state;
    char *ours, *ref = read_pair("my_multimeter_l1_l1_exc-203-0.dat", &ours);
    size_t n;
    compare_lines("multimeter", ref, ours, &n);
    assert_int_equal(n, 29900); /* 100 units x samples 101 ... 399 */
    free(ref);
    free(ours);
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split into lines and sort them (in place; returns the array). */
static char **sorted_lines(char *text, size_t *n)
{
    size_t cap = 1024, k = 0;
    char **v = malloc(cap * sizeof *v);
    char *save;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (k == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = l;
    }
    qsort(v, k, sizeof *v, cmp_line);
    *n = k;
    return v;
}

static void test_weight_recorder_sorted(void **state)
{
    (void)state;
    char *ours,
        *ref = read_pair("weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh-205-0.csv", &ours);
    size_t nr, no;
    char **r = sorted_lines(ref, &nr), **o = sorted_lines(ours, &no);
    assert_int_equal(nr, 57200);
    assert_int_equal(no, nr);
    for (size_t i = 0; i < nr; i++)
        if (strcmp(r[i], o[i]) != 0)
            fail_msg("sorted weight-recorder row %zu: NEST '%s', ours '%s'", i, r[i], o[i]);
    free(r);
    free(o);
    free(ref);
    free(ours);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_names),
        cmocka_unit_test(test_metadata_and_session_times),
        cmocka_unit_test(test_spikes_identical),
        cmocka_unit_test(test_multimeter_values),
        cmocka_unit_test(test_weight_recorder_sorted),
    };
    return cmocka_run_group_tests(tests, run_tutorial, cleanup);
}

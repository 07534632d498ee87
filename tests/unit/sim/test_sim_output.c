/* The output directory (deNEST spec §8 with decisions.md's fixes): the three root files and the
 * recorder metadata, safe overwrite (only our own outputs replaced, only with overwrite_files),
 * replaying parameter_tree.yml, zero sessions, shift_origin without InputLayers. */
#include "denest/yaml.h"
#include "sim_net.h"

static char *file_text(const char *dir, const char *name)
{
    char *p = st_path(dir, name);
    char *s = st_read(p, NULL);
    if (!s)
        fail_msg("missing '%s'", p);
    free(p);
    return s;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *p = st_path(dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static void test_root_files(void **state)
{
    (void)state;
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    /* 11 sessions: keys sort as text, and "10_b" after "09_a" */
    char *y = sim_net("", "[]", "[a, a, a, a, a, a, a, a, a, a, b]",
                      "  a: {params: {simulation_time: 1.0}}\n"
                      "  b: {params: {simulation_time: 2.5}}\n");
    st_run_ok(y, out, "inputs");
    char *v = file_text(out, "versions.txt");
    assert_string_equal(v, "denest-c=" DN_SIM_VERSION " (deNEST " DN_SIM_DENEST_VERSION
                           " compatible)\ndeNEST-C engine " DN_SIM_VERSION
                           " (NEST 2.20.2 behaviour)\n");
    free(v);
    char *t = file_text(out, "session_times.yml");
    assert_non_null(strstr(t, "00_a:\n- 0.0\n- 1.0\n01_a:\n- 1.0\n- 2.0\n"));
    assert_non_null(strstr(t, "09_a:\n- 9.0\n- 10.0\n10_b:\n- 10.0\n- 12.5\n"));
    assert_null(strstr(t, "!!")); /* plain YAML lists, no python tuples */
    free(t);

    /* parameter_tree.yml: own data, overrides and sessions written back, all four subtrees */
    char *p = st_path(out, "parameter_tree.yml");
    dn_tree *pt = NULL;
    assert_int_equal(dn_tree_read(p, &pt, NULL), DN_OK);
    free(p);
    const dn_tree *sim = dn_tree_child(pt, "simulation");
    assert_non_null(sim);
    assert_string_equal(dn_value_str(dn_tree_get_param(sim, DN_PARAMS, "output_dir")), out);
    assert_string_equal(dn_value_str(dn_tree_get_param(sim, DN_PARAMS, "input_dir")), "inputs");
    assert_int_equal(dn_value_len(dn_tree_get_param(sim, DN_PARAMS, "sessions")), 11);
    assert_non_null(dn_tree_child(pt, "kernel"));
    assert_non_null(dn_tree_child(pt, "session_models"));
    const dn_tree *cell =
        dn_tree_child(dn_tree_child(dn_tree_child(pt, "network"), "neuron_models"), "cell");
    assert_non_null(cell);
    /* own data only: no defaults materialised (kernel nest_seed default, record: true) */
    const dn_tree *a = dn_tree_child(dn_tree_child(pt, "session_models"), "a");
    assert_null(dn_value_map_get(dn_tree_own(a, DN_PARAMS), "record"));
    dn_tree_free(pt);

    /* recorder metadata: keys sorted, real weight-recorder colnames */
    char *m = file_text(out, "data/wr_pm-input-parrot_neuron-l1-cell.yml");
    assert_non_null(strstr(m, "colnames:\n- sender\n- target\n- time\n- weight\n"));
    assert_non_null(strstr(m, "filenames:\n- wr_pm-input-parrot_neuron-l1-cell-25-0.csv\n"));
    assert_non_null(strstr(m, "type: weight_recorder\n"));
    free(m);
    m = file_text(out, "data/mm_l1_cell.yml");
    assert_true(strstr(m, "colnames:") < strstr(m, "filenames:"));
    assert_true(strstr(m, "layer_shape:\n- 2\n- 2\n") != NULL);
    assert_null(strstr(m, "!!"));
    free(m);
    free(y);
    free(out);
    st_rmrf(dir);
    free(dir);
}

/* Replaying parameter_tree.yml reproduces the run (deNEST tutorial, "Replicate the
 * simulation"). */
static void test_replay_parameter_tree(void **state)
{
    (void)state;
    char *dir = st_scratch();
    char *out = st_path(dir, "out"), *again = st_path(dir, "again");
    char *y = sim_net("", "[2.0, 7.5, 12.0]", "[a, b]",
                      "  a: {params: {simulation_time: 10.0}}\n"
                      "  b:\n"
                      "    params:\n"
                      "      simulation_time: 10.0\n"
                      "      unit_changes:\n"
                      "      - {layers: [l1], population_name: cell, nest_params: {I_e: 300.0}}\n");
    st_run_ok(y, out, NULL);
    char *p = st_path(out, "parameter_tree.yml");
    dn_tree *pt = NULL;
    assert_int_equal(dn_tree_read(p, &pt, NULL), DN_OK);
    dn_sim_options o = {0};
    o.output_dir = again;
    assert_int_equal(dn_sim_run(pt, &o, NULL), DN_OK);
    const char *files[] = {SN_MM, SN_SD, SN_WR, "session_times.yml", "data/mm_l1_cell.yml"};
    for (size_t i = 0; i < 5; i++) {
        char *x = file_text(out, files[i]), *z = file_text(again, files[i]);
        assert_string_equal(x, z);
        if (i == 0)
            assert_true(strlen(x) > 1000);
        free(x);
        free(z);
    }
    dn_tree_free(pt);
    free(p);
    free(y);
    free(out);
    free(again);
    st_rmrf(dir);
    free(dir);
}

/* decisions.md "safe overwrite": with overwrite_files, only the previous run's own outputs are
 * replaced; other files stay. */
static void test_overwrite_replaces_only_own_outputs(void **state)
{
    (void)state;
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    /* first run: records l1 with a multimeter and a spike detector on l1 too */
    char *y1 = sim_net(", overwrite_files: true", "[5.0]", "[a]",
                       "  a: {params: {simulation_time: 10.0}}\n");
    char *extra = st_fmt("%s", y1);
    char *at = strstr(extra, "      - {model: sd, layers: [input]");
    assert_non_null(at);
    char *y_more = st_fmt("%.*s      - {model: sd, layers: [l1], populations: [cell]}\n%s",
                          (int)(at - extra), extra, at);
    st_run_ok(y_more, out, NULL);
    assert_true(st_exists(out, "data/sd_l1_cell.yml"));
    char *data = st_path(out, "data");
    /* somebody's files next to ours */
    write_file(out, "notes.txt", "mine\n");
    write_file(data, "analysis.py", "print(1)\n");
    char *sub = st_path(out, "figures");
    mkdir(sub, 0777);
    write_file(sub, "raster.png", "png");
    /* second run without the l1 spike detector */
    st_run_ok(y1, out, NULL);
    assert_false(st_exists(out, "data/sd_l1_cell.yml"));
    DIR *d = opendir(data);
    struct dirent *en;
    size_t n = 0;
    while ((en = readdir(d)))
        if (en->d_name[0] != '.') {
            n++;
            if (strstr(en->d_name, "sd_l1_cell"))
                fail_msg("old raw file '%s' left behind", en->d_name);
        }
    closedir(d);
    assert_int_equal(n, 7); /* 3 metadata + 3 raw files + analysis.py */
    char *notes = file_text(out, "notes.txt");
    assert_string_equal(notes, "mine\n");
    assert_true(st_exists(out, "data/analysis.py"));
    assert_true(st_exists(out, "figures/raster.png"));
    /* the new run's data, not the old one appended */
    char *gdf = file_text(out, SN_SD);
    assert_string_equal(gdf, "6\t6.000\t\n7\t6.000\t\n8\t6.000\t\n9\t6.000\t\n");
    free(gdf);
    free(notes);
    free(sub);
    free(data);
    free(y1);
    free(extra);
    free(y_more);
    free(out);
    st_rmrf(dir);
    free(dir);
}

/* A directory holding only other people's files is not "another run". */
static void test_foreign_files_are_not_a_run(void **state)
{
    (void)state;
    char *dir = st_scratch();
    write_file(dir, "README", "hello\n");
    char *y = sim_net("", "[]", "[a]", "  a: {params: {simulation_time: 1.0}}\n");
    st_run_ok(y, dir, NULL);
    char *r = file_text(dir, "README");
    assert_string_equal(r, "hello\n");
    assert_true(st_exists(dir, "session_times.yml"));
    free(r);
    free(y);
    st_rmrf(dir);
    free(dir);
}

static void test_zero_sessions(void **state)
{
    (void)state;
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    char *y = sim_net("", "[]", "[]", "  a: {params: {simulation_time: 1.0}}\n");
    st_run_ok(y, out, NULL);
    char *t = file_text(out, "session_times.yml");
    assert_string_equal(t, "{}\n");
    free(t);
    assert_true(st_exists(out, "data/mm_l1_cell.yml"));
    assert_true(st_exists(out, "parameter_tree.yml"));
    free(y);
    free(out);
    st_rmrf(dir);
    free(dir);
}

/* decisions.md: shift_origin without an InputLayer is a no-op (deNEST crashed). */
static void test_shift_origin_without_input_layer(void **state)
{
    (void)state;
    const char *yaml = "simulation: {params: {sessions: [s, s]}}\n"
                       "session_models:\n"
                       "  s: {params: {simulation_time: 5.0, shift_origin: true}}\n"
                       "network:\n"
                       "  layers:\n"
                       "    l1:\n"
                       "      params: {populations: {iaf_psc_alpha: 1}}\n"
                       "      nest_params: {rows: 1, columns: 1}\n";
    char *dir = st_scratch();
    char *out = st_path(dir, "out");
    dn_sim *sim = st_create(yaml, out, NULL);
    assert_int_equal(dn_sim_run_all(sim, NULL), DN_OK);
    assert_int_equal(dn_sim_n_done(sim), 2);
    assert_true(dn_engine_time(dn_sim_engine(sim)) == 10.0);
    dn_sim_session_info info;
    assert_true(dn_sim_session(sim, 1, &info));
    assert_string_equal(info.name, "01_s");
    assert_true(info.shift_origin && info.start == 5.0 && info.end == 10.0);
    dn_sim_free(sim);
    free(out);
    st_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_files),
        cmocka_unit_test(test_replay_parameter_tree),
        cmocka_unit_test(test_overwrite_replaces_only_own_outputs),
        cmocka_unit_test(test_foreign_files_are_not_a_run),
        cmocka_unit_test(test_zero_sessions),
        cmocka_unit_test(test_shift_origin_without_input_layer),
    };
    return cmocka_run_group_tests(tests, st_quiet, NULL);
}

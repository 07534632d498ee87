/* load_trees (spec §1.5): tree_paths files with relative and absolute entries, precedence of
 * overrides and files, deNEST's parameter sets (tutorial, example, MC_sleep with its load time),
 * log lines, and every bad tree_paths input. */
#include "tree_test.h"

#include <time.h>
#include <unistd.h>

#include "denest/log.h"

static dn_status load(const char *rel, const dn_tree *const *ov, size_t n, dn_tree **t,
                      dn_error *err, char *path, size_t size)
{
    dn_error_clear(err);
    return dn_tree_load(data_path(rel, path, size), ov, n, t, err);
}

static const dn_tree *at(const dn_tree *t, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strtok(buf, "/"); s && t; s = strtok(NULL, "/"))
        t = dn_tree_child(t, s);
    assert_non_null(t);
    return t;
}

static char *effective_repr(const dn_tree *t, dn_tree_data w)
{
    dn_value *eff;
    dn_error err;
    assert_int_equal(dn_tree_effective(t, w, &eff, &err), DN_OK);
    char *r = dn_value_repr(eff);
    dn_value_free(eff);
    return r;
}

static void test_tutorial(void **state)
{
    (void)state;
    char path[512];
    dn_tree *t;
    dn_error err;
    assert_int_equal(load("denest/tutorial/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                     DN_OK);
    assert_string_equal(dn_value_str(t->name), path); /* root name = the tree_paths path */
    /* First-appearance order of the files' top-level children. */
    const char *top[] = {"network", "simulation", "session_models", "kernel"};
    assert_int_equal(dn_tree_n_children(t), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(dn_value_str(t->children[i]->name), top[i]);
    const dn_tree **leaves;
    size_t n;
    assert_int_equal(dn_tree_leaves(at(t, "network/neuron_models"), false, &leaves, &n, &err),
                     DN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(dn_value_str(leaves[0]->name), "l1_exc");
    assert_string_equal(dn_value_str(leaves[1]->name), "l1_inh");
    const char *want_nest[2] = {"{'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -44.0}",
                                "{'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -55.0}"};
    for (int i = 0; i < 2; i++) {
        char *p = effective_repr(leaves[i], DN_PARAMS),
             *q = effective_repr(leaves[i], DN_NEST_PARAMS);
        assert_string_equal(p, "{'nest_model': 'ht_neuron'}");
        assert_string_equal(q, want_nest[i]);
        free(p);
        free(q);
    }
    free(leaves);
    /* Marks point into the file each value came from. */
    const dn_value *res = dn_tree_get_param(at(t, "kernel"), DN_NEST_PARAMS, "resolution");
    assert_non_null(strstr(res->mark.file, "tutorial/kernel.yml"));
    /* The merged tree equals the single-file version of the same parameters, apart from the
     * simulation's output_dir (the tutorial's files differ there). */
    dn_tree *single;
    assert_int_equal(dn_tree_read(data_path("denest/tutorial/network_tree.yml", path, sizeof path),
                                  &single, &err),
                     DN_OK);
    assert_true(dn_tree_equal(at(t, "network"), at(single, "network")));
    dn_tree_free(single);
    dn_tree_free(t);
}

static void test_example_and_mc_sleep(void **state)
{
    (void)state;
    char path[512];
    dn_tree *t;
    dn_error err;
    assert_int_equal(load("denest/example/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                     DN_OK);
    assert_non_null(dn_tree_child(t, "network"));
    assert_non_null(dn_tree_child(t, "simulation"));
    assert_non_null(dn_tree_child(t, "kernel"));
    assert_int_equal(dn_tree_check_unique_leaves(at(t, "network/layers"), &err), DN_OK);
    dn_tree_free(t);

    /* MC_sleep: a tree_paths file listing 9 files; must load in well under 50 ms (generous bound
     * here for sanitizers). */
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(
            load("denest/mc_sleep/params/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
            DN_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms =
            1e3 * (double)(t1.tv_sec - t0.tv_sec) + 1e-6 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (ms < best)
            best = ms;
        if (rep < 4)
            dn_tree_free(t);
    }
    print_message("MC_sleep tree loaded in %.2f ms (best of 5)\n", best);
    assert_true(best < 250.0);
    assert_int_equal(dn_tree_n_children(t), 4);
    assert_non_null(at(t, "network/layers"));
    assert_non_null(at(t, "session_models"));
    dn_tree_free(t);
}

static void test_relative_paths_and_precedence(void **state)
{
    (void)state;
    char path[512];
    dn_tree *t;
    dn_error err;
    assert_int_equal(load("tree/paths/sub/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                     DN_OK);
    const dn_tree *net = at(t, "network");
    /* a.yml beats b/b.yml beats ../top.yml, key by key */
    assert_string_equal(dn_value_str(dn_tree_get_param(net, DN_PARAMS, "from")), "a");
    assert_int_equal(dn_tree_get_param(net, DN_PARAMS, "b_only")->u.i, 2);
    assert_int_equal(dn_tree_get_param(net, DN_PARAMS, "top_only")->u.i, 1);
    /* shallow: l_a's nest_params {x} from a.yml wins for x only; y comes from b.yml */
    const dn_tree *la = at(t, "network/layers/l_a");
    assert_int_equal(dn_tree_get_param(la, DN_NEST_PARAMS, "x")->u.i, 1);
    assert_int_equal(dn_tree_get_param(la, DN_NEST_PARAMS, "y")->u.i, 2);
    assert_int_equal(dn_tree_get_param(la, DN_PARAMS, "rows")->u.i, 5); /* inherited */
    /* layer order: first appearance across the files in list order */
    const dn_tree *layers = at(t, "network/layers");
    const char *names[] = {"l_a", "l_b", "l_top"};
    assert_int_equal(dn_tree_n_children(layers), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(dn_value_str(layers->children[i]->name), names[i]);
    assert_string_equal(dn_value_str(t->children[0]->name), "network");
    assert_string_equal(dn_value_str(t->children[1]->name), "kernel");
    /* the value from ../top.yml carries that file's name ('.' dropped, '..' kept as pathlib) */
    assert_non_null(strstr(dn_tree_get_param(net, DN_PARAMS, "top_only")->mark.file,
                           "tree/paths/sub/../top.yml"));
    assert_non_null(
        strstr(dn_tree_get_param(net, DN_PARAMS, "b_only")->mark.file, "tree/paths/sub/b/b.yml"));
    dn_tree_free(t);
}

static void test_overrides(void **state)
{
    (void)state;
    char path[512];
    dn_tree *t, *o1, *o2;
    dn_error err;
    assert_int_equal(dn_tree_from_assignment("network.params.from=override1", &o1, &err), DN_OK);
    assert_int_equal(dn_tree_from_assignment("network.params.from=override2", &o2, &err), DN_OK);
    dn_tree *o3 = yt("{kernel: {nest_params: {resolution: 0.5}}, extra: {params: {x: 1}}}");
    const dn_tree *ov[3] = {o1, o2, o3};
    assert_int_equal(load("tree/paths/sub/tree_paths.yml", ov, 3, &t, &err, path, sizeof path),
                     DN_OK);
    assert_string_equal(dn_value_str(dn_tree_get_param(at(t, "network"), DN_PARAMS, "from")),
                        "override1");
    assert_true(dn_tree_get_param(at(t, "kernel"), DN_NEST_PARAMS, "resolution")->u.d == 0.5);
    assert_int_equal(dn_tree_get_param(at(t, "extra"), DN_PARAMS, "x")->u.i, 1);
    /* children of overrides come first */
    assert_string_equal(dn_value_str(t->children[0]->name), "network");
    assert_string_equal(dn_value_str(t->children[1]->name), "kernel");
    assert_string_equal(dn_value_str(t->children[2]->name), "extra");
    /* overrides are unchanged */
    assert_null(dn_tree_child(o1, "kernel"));
    dn_tree_free(t);
    dn_tree_free(o1);
    dn_tree_free(o2);
    dn_tree_free(o3);
}

static void test_absolute_entry_and_logs(void **state)
{
    (void)state;
    char dir[] = "/tmp/dn_load_trees_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char abs_file[256], list[256], log[256], data[512];
    snprintf(abs_file, sizeof abs_file, "%s/abs.yml", dir);
    snprintf(list, sizeof list, "%s/tree_paths.yml", dir);
    snprintf(log, sizeof log, "%s/log.txt", dir);
    FILE *f = fopen(abs_file, "w");
    fprintf(f, "kernel: {params: {from_abs: 1}}\n");
    fclose(f);
    f = fopen(list, "w");
    fprintf(f, "- %s\n- %s\n", abs_file, data_path("tree/paths/top.yml", data, sizeof data));
    fclose(f);

    /* Capture stderr to check deNEST's INFO lines. */
    fflush(stderr);
    int saved = dup(2);
    FILE *lf = fopen(log, "w");
    dup2(fileno(lf), 2);
    dn_log_level old = dn_log_get_level();
    dn_log_set_level(DN_LOG_INFO);
    dn_tree *t, *o = yt("a: {}");
    dn_error err;
    const dn_tree *ov[1] = {o};
    dn_status st = dn_tree_load(list, ov, 1, &t, &err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(lf);
    dn_log_set_level(old);

    assert_int_equal(st, DN_OK);
    assert_int_equal(dn_tree_get_param(at(t, "kernel"), DN_PARAMS, "from_abs")->u.i, 1);
    assert_non_null(dn_tree_child(t, "network"));
    dn_tree_free(t);
    dn_tree_free(o);
    char text[4096] = {0};
    f = fopen(log, "r");
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    char want[1400];
    snprintf(want, sizeof want, "[denest] INFO: Loading parameter file paths from %s\n", list);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "[denest] INFO: Using 1 override tree(s)\n"));
    assert_non_null(strstr(text, "[denest] INFO: Finished loading parameter file paths\n"));
    /* pformat puts the list on one line when it fits in 80 columns (depends on the checkout's
     * path length). */
    bool one_line = strlen(abs_file) + strlen(data) + 8 <= 80;
    snprintf(want, sizeof want, "[denest] INFO: Loading parameters files: \n['%s',%s'%s']\n",
             abs_file, one_line ? " " : "\n ", data);
    assert_non_null(strstr(text, want));
    unlink(abs_file);
    unlink(list);
    unlink(log);
    rmdir(dir);
}

static void test_bad_tree_paths(void **state)
{
    (void)state;
    char path[512], msg[600];
    dn_tree *t = (dn_tree *)1;
    dn_error err;
    /* missing tree_paths file */
    assert_error(load("tree/paths/nope.yml", NULL, 0, &t, &err, path, sizeof path), err, DN_EINPUT,
                 path, 0, 0, "", "No parameter file at");
    assert_null(t);
    /* a listed file that does not exist: the mark is the list entry, the message the path */
    assert_error(load("tree/paths/missing/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                 err, DN_EINPUT, path, 2, 3, "", "No parameter file at ");
    snprintf(msg, sizeof msg, "%s/tree/paths/missing/nope.yml", DN_TEST_DATA);
    assert_non_null(strstr(err.message, msg));
    /* an empty list */
    assert_error(load("tree/paths/empty/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path), err,
                 DN_EINPUT, path, 1, 1, "", "tree_paths file lists no parameter files");
    /* not a list */
    assert_error(load("tree/paths/notlist/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                 err, DN_EINPUT, path, 1, 1, "", "must be a YAML list of parameter file paths");
    assert_non_null(strstr(err.message, "not a mapping"));
    /* an entry that is not a string */
    assert_error(load("tree/paths/badentry/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                 err, DN_EINPUT, path, 2, 3, "",
                 "entry 2 of the tree_paths file must be a file path, not an integer");
    /* a listed file with a bad tree: its own file, line and column, and tree path */
    char broken[512];
    data_path("tree/paths/badfile/broken.yml", broken, sizeof broken);
    assert_error(load("tree/paths/badfile/tree_paths.yml", NULL, 0, &t, &err, path, sizeof path),
                 err, DN_EINPUT, broken, 3, 9, "net/layers/l1", "not an integer (7)");
    assert_null(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial),
        cmocka_unit_test(test_example_and_mc_sleep),
        cmocka_unit_test(test_relative_paths_and_precedence),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_absolute_entry_and_logs),
        cmocka_unit_test(test_bad_tree_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

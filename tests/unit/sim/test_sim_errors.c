/* Bad inputs of a run (decisions.md: everything checked before the first session): each one is a
 * clean error naming the problem, with nothing written to the output directory — or, for
 * failures while running (a full disk), the data of the finished sessions intact. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>

#include "denest/npy.h"
#include "sim_net.h"

typedef struct ctx {
    char *dir; /* scratch */
    char *out; /* <dir>/out */
    char *in;  /* <dir>/in */
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    c->dir = st_scratch();
    c->out = st_path(c->dir, "out");
    c->in = st_path(c->dir, "in");
    mkdir(c->in, 0777);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    st_rmrf(c->dir);
    free(c->dir);
    free(c->out);
    free(c->in);
    free(c);
    return 0;
}

/* Run and expect `status` with a message holding every needle; nothing may be written. */
static void expect_fail(ctx *c, const char *yaml, dn_status status, const char *const *needles)
{
    dn_error err;
    dn_status st = st_run(yaml, c->out, c->in, &err);
    char line[2048];
    dn_error_format(&err, line, sizeof line);
    if (st != status)
        fail_msg("expected status %d, got %d: %s", status, st, line);
    for (size_t i = 0; needles[i]; i++)
        if (!strstr(line, needles[i]))
            fail_msg("error '%s' lacks '%s'", line, needles[i]);
    if (access(c->out, F_OK) == 0)
        fail_msg("the failed run created '%s'", c->out);
}

static char *with_change(const char *change)
{
    char *models = st_fmt("  s:\n"
                          "    params:\n"
                          "      simulation_time: 10.0\n"
                          "      unit_changes:\n"
                          "      - %s\n",
                          change);
    char *y = sim_net("", "[]", "[s]", models);
    free(models);
    return y;
}

static void test_missing_npy(void **state)
{
    ctx *c = *state;
    char *y = with_change("{layers: [l1], population_name: cell, from_array: true, "
                          "nest_params: {V_m: nope.npy}}");
    const char *needles[] = {"Could not load array from file at", "nope.npy",
                             "session_models/s/params/unit_changes[0]/nest_params/V_m", NULL};
    expect_fail(c, y, DN_EINPUT, needles);
    free(y);
}

static void test_wrong_shape(void **state)
{
    ctx *c = *state;
    double v[8] = {0};
    size_t s2[2] = {2, 2}, s3[3] = {2, 2, 1};
    char *p = st_path(c->in, "two_d.npy");
    assert_int_equal(dn_npy_write(p, s2, 2, v, NULL), DN_OK);
    free(p);
    p = st_path(c->in, "one_unit.npy");
    assert_int_equal(dn_npy_write(p, s3, 3, v, NULL), DN_OK);
    free(p);
    /* §5.2: exactly (rows, columns, units), 3-D even for one unit */
    char *y = with_change("{layers: [l1], population_name: cell, from_array: true, "
                          "nest_params: {V_m: two_d.npy}}");
    const char *n1[] = {"incorrect shape", "expected (2, 2, 2)", "got (2, 2)", NULL};
    expect_fail(c, y, DN_EINPUT, n1);
    free(y);
    y = with_change("{layers: [l1], population_name: cell, from_array: true, "
                    "nest_params: {V_m: one_unit.npy}}");
    const char *n2[] = {"got (2, 2, 1)", "<test>:", NULL};
    expect_fail(c, y, DN_EINPUT, n2);
    free(y);
}

static void test_unknown_session(void **state)
{
    ctx *c = *state;
    char *y = sim_net("", "[]", "[warmup, wramup]", "  warmup: {params: {simulation_time: 1.0}}\n");
    const char *needles[] = {"wramup", "warmup", NULL};
    expect_fail(c, y, DN_EINPUT, needles);
    free(y);
}

static void test_unknown_population_and_parameter(void **state)
{
    ctx *c = *state;
    char *y = with_change("{layers: [l1], population_name: cels, nest_params: {V_m: -60.0}}");
    const char *n1[] = {"cels", "cell", NULL};
    expect_fail(c, y, DN_EINPUT, n1);
    free(y);
    /* a parameter the model lacks: suggestion from the engine's defaults */
    y = with_change("{layers: [l1], population_name: cell, nest_params: {V_n: -60.0}}");
    const char *n2[] = {"no parameter `V_n`", "did you mean `V_m`", NULL};
    expect_fail(c, y, DN_EINPUT, n2);
    free(y);
    /* population_name null: every population of l1, and parrot_neuron has no I_e */
    y = with_change("{layers: [l1], nest_params: {I_e: 10.0}}");
    const char *n3[] = {"parrot_neuron", "I_e", NULL};
    expect_fail(c, y, DN_EINPUT, n3);
    free(y);
    /* an unknown layer */
    y = with_change("{layers: [l2], population_name: cell, nest_params: {V_m: -60.0}}");
    const char *n4[] = {"l2", NULL};
    expect_fail(c, y, DN_EINPUT, n4);
    free(y);
}

static void test_bad_change_values(void **state)
{
    ctx *c = *state;
    /* multiplicative only for numbers (deNEST §5.2) */
    char *y = with_change("{layers: [input], population_name: gen, change_type: multiplicative, "
                          "nest_params: {spike_times: 2.0}}");
    const char *n1[] = {"multiplicative", "spike_times", "constant", NULL};
    expect_fail(c, y, DN_EINPUT, n1);
    free(y);
    /* a decimal for an integer-less type mismatch: text for V_m */
    y = with_change("{layers: [l1], population_name: cell, nest_params: {V_m: low}}");
    const char *n2[] = {"V_m", "a decimal", "a string", NULL};
    expect_fail(c, y, DN_EINPUT, n2);
    free(y);
    /* synapse changes: unknown synapse model and unknown synapse parameter */
    char *models =
        st_fmt("%s", "  s:\n"
                     "    params:\n"
                     "      simulation_time: 1.0\n"
                     "      synapse_changes:\n"
                     "      - {synapse_model: static_synapse, nest_params: {wieght: 2.0}}\n");
    y = sim_net("", "[]", "[s]", models);
    const char *n3[] = {"wieght", "did you mean `weight`", NULL};
    expect_fail(c, y, DN_EINPUT, n3);
    free(y);
    free(models);
    models = st_fmt("%s", "  s:\n"
                          "    params:\n"
                          "      simulation_time: 1.0\n"
                          "      synapse_changes:\n"
                          "      - {synapse_model: ht_synapse, nest_params: {weight: 2.0}}\n");
    y = sim_net("", "[]", "[s]", models);
    const char *n4[] = {"no projection uses synapse model `ht_synapse`", NULL};
    expect_fail(c, y, DN_EINPUT, n4);
    free(y);
    free(models);
}

static void test_session_time_off_grid(void **state)
{
    ctx *c = *state;
    char *y = sim_net("", "[]", "[a, b]",
                      "  a: {params: {simulation_time: 10.0}}\n"
                      "  b: {params: {simulation_time: 10.05}}\n");
    const char *needles[] = {"10.05", "multiple of the resolution 0.1",
                             "session_models/b/params/simulation_time", NULL};
    expect_fail(c, y, DN_EINPUT, needles);
    free(y);
    /* on the grid but not whole milliseconds: fine (deNEST truncated to int ms) */
    y = sim_net("", "[]", "[a, a]", "  a: {params: {simulation_time: 0.3}}\n");
    st_run_ok(y, c->out, c->in);
    char *p = st_path(c->out, "session_times.yml");
    char *text = st_read(p, NULL);
    assert_non_null(text);
    assert_string_equal(text, "00_a:\n- 0.0\n- 0.3\n01_a:\n- 0.3\n- 0.6\n");
    free(text);
    free(p);
    free(y);
}

static void test_output_dir_unusable(void **state)
{
    ctx *c = *state;
    char *y = sim_net("", "[]", "[a]", "  a: {params: {simulation_time: 1.0}}\n");
    dn_error err;
    /* below a regular file */
    char *file = st_path(c->dir, "plain.txt");
    FILE *f = fopen(file, "w");
    fputs("x\n", f);
    fclose(f);
    char *below = st_path(file, "out");
    dn_tree *t = st_tree(y);
    dn_sim_options o = {0};
    o.output_dir = below;
    assert_int_equal(dn_sim_run(t, &o, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "is not a directory"));
    assert_string_equal(err.path, "simulation/params/output_dir");
    /* a regular file as output_dir */
    o.output_dir = file;
    assert_int_equal(dn_sim_run(t, &o, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "exists and is not a directory"));
    /* a place nobody may write (root included): sysfs */
    if (access("/sys/kernel", F_OK) == 0) {
        o.output_dir = "/sys/denest-test-output";
        assert_int_equal(dn_sim_run(t, &o, &err), DN_EINPUT);
        assert_non_null(strstr(err.message, "cannot create output directory"));
    }
    /* permission bits (only meaningful when not root) */
    if (geteuid() != 0) {
        char *ro = st_path(c->dir, "ro");
        mkdir(ro, 0500);
        char *out = st_path(ro, "out");
        o.output_dir = out;
        assert_int_equal(dn_sim_run(t, &o, &err), DN_EINPUT);
        assert_non_null(strstr(err.message, "not writable"));
        o.output_dir = ro;
        assert_int_equal(dn_sim_run(t, &o, &err), DN_EINPUT);
        assert_non_null(strstr(err.message, "not writable"));
        free(out);
        free(ro);
    }
    dn_tree_free(t);
    free(below);
    free(file);
    free(y);
}

static void test_another_run_without_overwrite(void **state)
{
    ctx *c = *state;
    char *y = sim_net("", "[5.0]", "[a]", "  a: {params: {simulation_time: 10.0}}\n");
    st_run_ok(y, c->out, c->in);
    char *gdf = st_path(c->out, SN_SD);
    size_t n1, n2;
    char *before = st_read(gdf, &n1);
    assert_non_null(before);
    assert_true(n1 > 0);
    char *y2 = sim_net("", "[3.0]", "[a, a]", "  a: {params: {simulation_time: 10.0}}\n");
    dn_error err;
    assert_int_equal(st_run(y2, c->out, c->in, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "holds the output of another run"));
    assert_non_null(strstr(err.message, "overwrite_files"));
    char *after = st_read(gdf, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    char *times = st_path(c->out, "session_times.yml");
    char *t = st_read(times, NULL);
    assert_string_equal(t, "00_a:\n- 0.0\n- 10.0\n");
    free(t);
    free(times);
    free(before);
    free(after);
    free(gdf);
    free(y);
    free(y2);
}

/* A full disk, simulated with the per-file size limit: writes past it fail with EFBIG as they
 * would with ENOSPC, through the same code paths. */
static void test_full_disk(void **state)
{
    ctx *c = *state;
    const char *models = "  a: {params: {simulation_time: 40.0}}\n";
    char *y = sim_net("", "[5.0]", "[a, a, a]", models);
    /* reference run: the multimeter file after the first session */
    char *ref = st_path(c->dir, "ref");
    dn_sim *sim = st_create(y, ref, c->in);
    assert_int_equal(dn_sim_run_session(sim, 0, NULL), DN_OK);
    char *mm_ref = st_path(ref, SN_MM);
    size_t n_first;
    char *first = st_read(mm_ref, &n_first);
    assert_non_null(first);
    assert_true(n_first > 2000);
    dn_sim_free(sim);

    sim = st_create(y, c->out, c->in);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)n_first + 100;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    dn_error err;
    dn_error_clear(&err);
    dn_status s0 = dn_sim_run_session(sim, 0, &err);
    dn_status s1 = dn_sim_run_session(sim, 1, &err);
    dn_error err2;
    dn_status s2 = dn_sim_run_session(sim, 2, &err2);
    dn_sim_free(sim);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(s0, DN_OK);
    assert_int_equal(s1, DN_ERUNTIME);
    assert_non_null(strstr(err.message, "01_a"));
    assert_non_null(strstr(err.message, strerror(EFBIG)));
    assert_int_equal(s2, DN_ERUNTIME); /* the run cannot go on */
    /* the first session's data is intact */
    char *mm = st_path(c->out, SN_MM);
    size_t n;
    char *got = st_read(mm, &n);
    assert_true(n >= n_first);
    assert_memory_equal(got, first, n_first);
    assert_true(st_exists(c->out, "parameter_tree.yml"));
    assert_true(st_exists(c->out, SN_SD));
    free(got);
    free(mm);
    free(first);
    free(mm_ref);
    free(ref);
    free(y);
}

static void test_missing_extension_module(void **state)
{
    ctx *c = *state;
    char *y =
        sim_net(", local_num_threads: 1", "[]", "[a]", "  a: {params: {simulation_time: 1.0}}\n");
    char *y2 = st_fmt("%s", y);
    /* extension_modules goes into kernel params */
    char *at = strstr(y2, "params: {nest_seed: 3}");
    assert_non_null(at);
    char *y3 = st_fmt("%.*sparams: {nest_seed: 3, extension_modules: [no_such_module]}%s",
                      (int)(at - y2), y2, at + strlen("params: {nest_seed: 3}"));
    const char *needles[] = {"no_such_module", "libno_such_module.so", "kernel/params",
                             "extension_modules[0]", NULL};
    expect_fail(c, y3, DN_EINPUT, needles);
    free(y);
    free(y2);
    free(y3);
}

int main(void)
{
    st_quiet(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_npy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_population_and_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_change_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_time_off_grid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_dir_unusable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_another_run_without_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_extension_module, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

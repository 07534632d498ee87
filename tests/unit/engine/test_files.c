/* Recorder files (kernel spec §5.1): NEST 2.20 names with GID and VP zero padding, line formats
 * (trailing TAB, %.3f, precision, scientific, time_in_steps, with* flags), data_path/prefix,
 * overwrite refusal, flush after every Simulate and appending across calls, one file per VP. */
#include "engine_test.h"

#include <dirent.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/dn_files_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *en;
    char p[512];
    while (d && (en = readdir(d)))
        if (en->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, en->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

static char *file(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return slurp(p);
}

/* 150 nodes in total: the detector GID 149 -> 3 digits; a recorder with GID 7 -> "-007-" */
static void test_names_and_padding(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, mm, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("data_path", VS(dir), NULL), err));
    OK(create(e, "iaf_psc_alpha", 5, D("I_e", VD(1000.0), NULL), &a, err));
    OK(create(e, "multimeter", 1,
              D("record_from", VLS("V_m", NULL), "to_file", VB(true), "to_memory", VB(false), NULL),
              &mm, err));
    assert_int_equal(mm, 6);
    OK(create(e, "spike_detector", 1,
              D("record_to", VLS("file", NULL), "label", VS("sd_l1_exc"), NULL), &sd, err));
    dn_gid filler;
    OK(create(e, "parrot_neuron", 140, NULL, &filler, err));
    OK(create(e, "parrot_neuron", 1, NULL, &filler, err));
    assert_int_equal(filler, 148);
    dn_gid last;
    OK(dn_engine_reserve_gid(e, &last, err));
    assert_int_equal(last, 149);
    OK(connect_default(e, mm, a, err));
    dn_gid all[5] = {a, a + 1, a + 2, a + 3, a + 4};
    OK(dn_engine_connect(e, all, 5, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 20.0, err));
    char *s = file("multimeter-006-0.dat");
    assert_non_null(s);
    /* first line: GID 1 at 1.000 ms */
    assert_true(strncmp(s, "1\t1.000\t-", 9) == 0);
    assert_non_null(strstr(s, "\t\n"));
    free(s);
    s = file("sd_l1_exc-007-0.gdf");
    assert_non_null(s);
    /* I_e = 400 pA: first spike of every neuron at the same time; rows end with TAB */
    char first[64];
    snprintf(first, sizeof first, "%u\t", a);
    if (strncmp(s, first, strlen(first)) != 0)
        fprintf(stderr, "got: %.60s\n", s);
    assert_true(strncmp(s, first, strlen(first)) == 0);
    assert_non_null(strstr(s, "."));
    size_t len1 = strlen(s);
    free(s);
    /* memory off: n_events 0 */
    size_t n;
    OK(dn_engine_recorder_n_events(e, mm, &n, err));
    assert_int_equal(n, 0);
    /* files stay open and are flushed after each Simulate; a second call appends */
    OK(dn_engine_simulate(e, 20.0, err));
    s = file("sd_l1_exc-007-0.gdf");
    assert_true(strlen(s) > len1);
    free(s);
    const char *const *names;
    OK(dn_engine_recorder_filenames(e, sd, &names, err));
    assert_non_null(names[0]);
    assert_non_null(strstr(names[0], "sd_l1_exc-007-0.gdf"));
    assert_null(names[1]);
    dn_engine_free(e);
}

/* line formats: precision, scientific, time_in_steps, withgid off; data_prefix */
static void test_line_formats(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid sg, sd1, sd2, sd3;
    double t[] = {5.3};
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("data_path", VS(dir), "data_prefix", VS("pre_"), NULL), err));
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(1, t), NULL), &sg, err));
    dn_gid pn;
    OK(create(e, "parrot_neuron", 1, NULL, &pn, err));
    OK(create(e, "spike_detector", 1, D("to_file", VB(true), "label", VS("a"), NULL), &sd1, err));
    OK(create(
        e, "spike_detector", 1,
        D("to_file", VB(true), "label", VS("b"), "precision", VI(1), "scientific", VB(true), NULL),
        &sd2, err));
    OK(create(e, "spike_detector", 1,
              D("to_file", VB(true), "label", VS("c"), "time_in_steps", VB(true), "withgid",
                VB(false), NULL),
              &sd3, err));
    OK(connect1(e, sg, pn, 1.0, 1.0, err));
    dn_gid sds[3] = {sd1, sd2, sd3};
    OK(dn_engine_connect(e, &pn, 1, sds, 3, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 10.0, err));
    char *s = file("pre_a-3-0.gdf");
    assert_non_null(s);
    assert_string_equal(s, "2\t6.300\t\n");
    free(s);
    s = file("pre_b-4-0.gdf");
    assert_string_equal(s, "2\t6.3e+00\t\n");
    free(s);
    s = file("pre_c-5-0.gdf");
    assert_string_equal(s, "63\t\n");
    free(s);
    dn_engine_free(e);
}

/* an existing file without overwrite permission is refused before anything runs */
static void test_overwrite_refusal(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof p, "%s/x-2-0.gdf", dir);
    FILE *f = fopen(p, "w");
    fputs("old\n", f);
    fclose(f);
    dn_engine *e;
    dn_gid n, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("data_path", VS(dir), NULL), err));
    OK(create(e, "iaf_psc_alpha", 1, NULL, &n, err));
    OK(create(e, "spike_detector", 1, D("to_file", VB(true), "label", VS("x"), NULL), &sd, err));
    OK(connect_default(e, n, sd, err));
    FAILS(dn_engine_simulate(e, 5.0, err), DN_EINPUT, "overwrite_files");
    assert_near(dn_engine_time(e), 0.0, 0);
    char *s = slurp(p);
    assert_string_equal(s, "old\n");
    free(s);
    OK(kernel(e, D("overwrite_files", VB(true), NULL), err));
    OK(dn_engine_simulate(e, 5.0, err));
    s = slurp(p);
    assert_string_equal(s, "");
    free(s);
    dn_engine_free(e);
    /* data_path must exist; data_prefix must not contain '/' */
    OK(dn_engine_new(&e, err));
    FAILS(kernel(e, D("data_path", VS("/nonexistent/dir"), NULL), err), DN_EINPUT,
          "not an existing directory");
    FAILS(kernel(e, D("data_prefix", VS("a/b"), NULL), err), DN_EINPUT, "must not contain");
    dn_engine_free(e);
}

/* one file per VP, each with the neurons of its VP; VP digits pad with 10 VPs */
static void test_per_vp_files(void **state)
{
    (void)state;
    dn_engine *e;
    dn_gid a, sd;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("data_path", VS(dir), "local_num_threads", VI(10), NULL), err));
    OK(create(e, "iaf_psc_alpha", 20, D("I_e", VD(450.0), NULL), &a, err));
    OK(create(e, "spike_detector", 1, D("to_file", VB(true), "label", VS("v"), NULL), &sd, err));
    dn_gid g[20];
    for (int k = 0; k < 20; k++)
        g[k] = a + (dn_gid)k;
    OK(dn_engine_connect(e, g, 20, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 30.0, err));
    for (int v = 0; v < 10; v++) {
        char name[64];
        snprintf(name, sizeof name, "v-21-%02d.gdf", v);
        char *s = file(name);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        /* every sender in this file lives on VP v */
        for (char *p = s; *p;) {
            long gid = strtol(p, &p, 10);
            assert_int_equal(gid % 10, v);
            p = strchr(p, '\n');
            if (!p)
                break;
            p++;
        }
        free(s);
    }
    size_t n;
    OK(dn_engine_recorder_n_events(e, sd, &n, err));
    assert_true(n >= 20);
    dn_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_and_padding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_formats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overwrite_refusal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_per_vp_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

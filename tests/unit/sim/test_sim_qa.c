/* Regressions found by end-to-end QA of runs: an absurdly long simulation_time is a clear error
 * (it was undefined behaviour), and a constant synapse-change delay outside the network's delay
 * range is refused before the first session (it failed after earlier sessions had run). */
#include "sim_net.h"

static void expect_fail(const char *yaml, const char *const *needles)
{
    char *dir = st_scratch(), *out = st_path(dir, "out"), *in = st_path(dir, "in");
    dn_error err;
    dn_status st = st_run(yaml, out, in, &err);
    char line[2048];
    dn_error_format(&err, line, sizeof line);
    if (st != DN_EINPUT)
        fail_msg("expected an input error, got %d: %s", st, line);
    for (size_t i = 0; needles[i]; i++)
        if (!strstr(line, needles[i]))
            fail_msg("error '%s' lacks '%s'", line, needles[i]);
    assert_int_equal(access(out, F_OK), -1); /* nothing ran, nothing written */
    st_rmrf(dir);
    free(dir);
    free(out);
    free(in);
}

static void test_simulation_time_too_long(void **state)
{
    (void)state;
    char *y = sim_net("", "[]", "[a]", "  a: {params: {simulation_time: 1.0e300}}\n");
    const char *needles[] = {"is too long", "session_models/a/params/simulation_time", NULL};
    expect_fail(y, needles);
    free(y);
}

static void test_delay_change_out_of_range(void **state)
{
    (void)state;
    /* every delay of the network is 1 ms, so [min_delay, max_delay] = [1, 1] */
    char *y = sim_net("", "[5.0]", "[a, b]",
                      "  a: {params: {simulation_time: 10.0}}\n"
                      "  b:\n"
                      "    params:\n"
                      "      simulation_time: 10.0\n"
                      "      synapse_changes:\n"
                      "      - {synapse_model: static_synapse, nest_params: {delay: 2.0}}\n");
    const char *needles[] = {"new delay 2 ms lies outside [1, 1] ms", "min_delay",
                             "session_models/b/params/synapse_changes[0]/nest_params/delay",
                             NULL};
    expect_fail(y, needles);
    free(y);
    /* widened by the kernel: accepted, and the run goes through */
    y = sim_net(", min_delay: 0.5, max_delay: 3.0", "[5.0]", "[a, b]",
                "  a: {params: {simulation_time: 10.0}}\n"
                "  b:\n"
                "    params:\n"
                "      simulation_time: 10.0\n"
                "      synapse_changes:\n"
                "      - {synapse_model: static_synapse, nest_params: {delay: 2.0}}\n");
    char *dir = st_scratch(), *out = st_path(dir, "out"), *in = st_path(dir, "in");
    st_run_ok(y, out, in);
    st_rmrf(dir);
    free(dir);
    free(out);
    free(in);
    free(y);
}

int main(void)
{
    st_quiet(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simulation_time_too_long),
        cmocka_unit_test(test_delay_change_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

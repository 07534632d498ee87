/* deNEST's own parameter sets must validate cleanly (tutorial, example, MC_sleep, the
 * end-to-end test tree), and MC_sleep (10 files) must load and validate in under 50 ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "denest/log.h"
#include "denest/schema.h"

#if defined(__SANITIZE_ADDRESS__)
#define DN_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DN_SANITIZED 1
#endif
#endif

static void print_errors(const dn_schema_errors *errors)
{
    for (size_t i = 0; i < errors->len; i++) {
        char buf[2048];
        dn_error_format(&errors->items[i], buf, sizeof buf);
        print_error("  %s\n", buf);
    }
}

/* Load (a tree_paths list or one tree file) and validate; returns the number of errors. */
static size_t load_and_validate(const char *path, int tree_paths)
{
    dn_tree *tree;
    dn_error err;
    dn_status st =
        tree_paths ? dn_tree_load(path, NULL, 0, &tree, &err) : dn_tree_read(path, &tree, &err);
    if (st != DN_OK) {
        char buf[2048];
        dn_error_format(&err, buf, sizeof buf);
        fail_msg("cannot load %s: %s", path, buf);
    }
    dn_schema_errors errors = {0};
    dn_schema_validate(tree, &errors);
    print_errors(&errors);
    size_t n = errors.len + errors.dropped;
    dn_schema_errors_free(&errors);
    dn_tree_free(tree);
    return n;
}

static void test_tutorial(void **state)
{
    (void)state;
    assert_int_equal(load_and_validate(DN_TEST_DATA "/denest/tutorial/tree_paths.yml", 1), 0);
}

static void test_example(void **state)
{
    (void)state;
    assert_int_equal(load_and_validate(DN_TEST_DATA "/denest/example/tree_paths.yml", 1), 0);
}

static void test_mc_sleep(void **state)
{
    (void)state;
    assert_int_equal(load_and_validate(DN_TEST_DATA "/denest/mc_sleep/params/tree_paths.yml", 1),
                     0);
}

static void test_end_to_end_tree(void **state)
{
    (void)state;
    assert_int_equal(
        load_and_validate(DN_TEST_DATA "/denest/tests/end_to_end/test_parameter_tree.yml", 0), 0);
}

/* The tutorial network tree alone (no kernel, simulation or sessions) is a valid tree too. */
static void test_partial_tree(void **state)
{
    (void)state;
    assert_int_equal(load_and_validate(DN_TEST_DATA "/denest/tutorial/network_tree.yml", 0), 0);
}

#ifndef DN_SANITIZED
static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
#endif

static void test_mc_sleep_fast(void **state)
{
    (void)state;
#ifdef DN_SANITIZED
    skip(); /* timings under sanitizers mean nothing */
#else
    /* Best of 5, so a busy machine does not make the test flaky. */
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
        double t0 = now_ms();
        size_t n = load_and_validate(DN_TEST_DATA "/denest/mc_sleep/params/tree_paths.yml", 1);
        double dt = now_ms() - t0;
        assert_int_equal(n, 0);
        if (dt < best)
            best = dt;
    }
    print_message("MC_sleep load + validate: %.1f ms (best of 5)\n", best);
    assert_true(best < 50.0);
#endif
}

int main(void)
{
    dn_log_set_level(DN_LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial),     cmocka_unit_test(test_example),
        cmocka_unit_test(test_mc_sleep),     cmocka_unit_test(test_end_to_end_tree),
        cmocka_unit_test(test_partial_tree), cmocka_unit_test(test_mc_sleep_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

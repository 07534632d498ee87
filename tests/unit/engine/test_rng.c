/* Philox streams: determinism, independence of names, GSL distributions on top. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include <gsl/gsl_randist.h>

#include "denest/rng.h"

static void test_same_stream_same_values(void **state)
{
    (void)state;
    gsl_rng *a = dn_rng_alloc(), *b = dn_rng_alloc();
    dn_rng_seek(a, 42, DN_RNG_POISSON, 7, 9, 0);
    for (int i = 0; i < 10; i++)
        dn_rng_u64(b); /* b's previous position must not matter */
    dn_rng_seek(b, 42, DN_RNG_POISSON, 7, 9, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(dn_rng_u64(a), dn_rng_u64(b));
    /* A different id gives a different stream. */
    dn_rng_seek(a, 42, DN_RNG_POISSON, 7, 9, 0);
    dn_rng_seek(b, 42, DN_RNG_POISSON, 7, 10, 0);
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += dn_rng_u64(a) == dn_rng_u64(b);
    assert_int_equal(same, 0);
    /* Offsets skip whole blocks of four words. */
    dn_rng_seek(a, 1, 0, 0, 0, 0);
    for (int i = 0; i < 8; i++)
        dn_rng_u64(a);
    dn_rng_seek(b, 1, 0, 0, 0, 2);
    assert_int_equal(dn_rng_u64(a), dn_rng_u64(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void test_uniform_and_poisson_moments(void **state)
{
    (void)state;
    gsl_rng *r = dn_rng_alloc();
    dn_rng_seek(r, 3, DN_RNG_GENERIC, 0, 0, 0);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; i++) {
        double u = dn_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    /* 5 sigma of the sample mean of U(0,1): sqrt(1/12/n) ~ 6.5e-4. */
    assert_true(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / n));
    assert_true(fabs(var - 1.0 / 12) < 0.002);
    double psum = 0;
    for (int i = 0; i < n; i++)
        psum += gsl_ran_poisson(r, 1.7);
    assert_true(fabs(psum / n - 1.7) < 5 * sqrt(1.7 / n));
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_stream_same_values),
        cmocka_unit_test(test_uniform_and_poisson_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

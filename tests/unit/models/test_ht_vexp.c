/* The vector exp/pow of ht_vexp.c against scalar libm, bit for bit: millions of random
 * arguments over exp's whole finite range ([-745, 710]) and over the range ht_neuron uses,
 * random bit patterns (NaN, infinities, subnormals), every boundary of libm's main path, pow
 * with ht_neuron's exponents (3, 3.5), the step control's (1/5, 1/6) and arbitrary ones, array
 * lengths that are not multiples of four, aliasing, and the switch back to scalar libm.
 * Skipped on CPUs without AVX2+FMA (where the scalar path is all there is). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/rng.h"
#include "models/ht_vexp.h"

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static bool cpu_has_avx2_fma(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

/* The vector path must be on where it was designed for (glibc 2.36 on x86-64 with AVX2+FMA);
 * elsewhere the self-check may legitimately refuse it, and then there is nothing to compare. */
static int setup(void **state)
{
    (void)state;
    if (!cpu_has_avx2_fma()) {
        fprintf(stderr, "  no AVX2+FMA: vector exp/pow not used, tests skipped\n");
        return 0;
    }
    if (strcmp(gnu_get_libc_version(), "2.36") == 0 && !dn_ht_vmath_ready()) {
        fprintf(stderr, "  glibc 2.36 with AVX2+FMA but the vector path was refused\n");
        return -1;
    }
    return 0;
}

static void need_vector(void)
{
    if (!dn_ht_vmath_ready())
        skip();
}

/* Compare n exps of x through dn_ht_vexp with libm; report the first few mismatches. */
static size_t check_exp(const double *x, size_t n)
{
    double *y = malloc(n * sizeof *y);
    assert_non_null(y);
    dn_ht_vexp(x, y, n);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const double want = exp(x[i]);
        if (bits(y[i]) != bits(want)) {
            if (bad < 5)
                fprintf(stderr, "  exp(%a) = %a, libm %a\n", x[i], y[i], want);
            bad++;
        }
    }
    free(y);
    return bad;
}

static size_t check_pow(const double *x, const double *e, size_t n)
{
    double *z = malloc(n * sizeof *z);
    assert_non_null(z);
    dn_ht_vpow(x, e, z, n);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const double want = pow(x[i], e[i]);
        if (bits(z[i]) != bits(want)) {
            if (bad < 5)
                fprintf(stderr, "  pow(%a, %a) = %a, libm %a\n", x[i], e[i], z[i], want);
            bad++;
        }
    }
    free(z);
    return bad;
}

#ifdef DN_SANITIZED
enum { NRAND = 1 << 17 }; /* unoptimised vector code under the sanitizers is slow */
#else
enum { NRAND = 1 << 21 };
#endif

static void test_exp_random(void **state)
{
    (void)state;
    need_vector();
    gsl_rng *r = dn_rng_alloc();
    assert_non_null(r);
    double *x = malloc(NRAND * sizeof *x);
    assert_non_null(x);
    /* exp's finite range, uniformly */
    dn_rng_seek(r, 11, DN_RNG_GENERIC, 1, 0, 0);
    for (size_t i = 0; i < NRAND; i++)
        x[i] = -745.0 + 1455.0 * dn_rng_uniform(r);
    assert_int_equal(check_exp(x, NRAND), 0);
    /* what ht_neuron feeds it */
    for (size_t i = 0; i < NRAND; i++)
        x[i] = -50.0 + 100.0 * dn_rng_uniform(r);
    assert_int_equal(check_exp(x, NRAND), 0);
    /* small arguments over many binades, both signs (r near 0, tiny k) */
    for (size_t i = 0; i < NRAND; i++)
        x[i] = (dn_rng_uniform(r) < 0.5 ? -1.0 : 1.0) * exp2(-60.0 + 70.0 * dn_rng_uniform(r));
    assert_int_equal(check_exp(x, NRAND), 0);
    /* any bit pattern: NaNs, infinities, subnormals, huge values go to the scalar lanes */
    for (size_t i = 0; i < NRAND / 8; i++)
        x[i] = from_bits(dn_rng_u64(r));
    assert_int_equal(check_exp(x, NRAND / 8), 0);
    free(x);
    gsl_rng_free(r);
    fprintf(stderr, "  exp: %d random arguments, all bit-identical to libm\n",
            3 * NRAND + NRAND / 8);
}

static void test_exp_edges(void **state)
{
    (void)state;
    need_vector();
    /* libm's main path is 2^-54 <= |x| < 512; overflow above ~709.78, subnormal results below
     * ~-708.4, zero below ~-745.13. Each boundary, its neighbours, and the table points. */
    const double edges[] = {0.0,
                            -0.0,
                            0x1p-54,
                            -0x1p-54,
                            0x1p-1074,
                            -0x1p-1022,
                            512.0,
                            -512.0,
                            709.782712893384,
                            709.7827128933841,
                            -708.3964185322641,
                            -708.39641853226408,
                            -745.1332191019411,
                            -745.1332191019412,
                            -1000.0,
                            1000.0,
                            INFINITY,
                            -INFINITY,
                            NAN,
                            -NAN,
                            1.0,
                            -1.0,
                            M_LN2,
                            0.5 * M_LN2};
    enum { NE = sizeof edges / sizeof edges[0] };
    enum { NX = NE * 5 + 2 * 128 * 3 };
    double x[NX];
    size_t n = 0;
    for (size_t i = 0; i < NE; i++) {
        x[n++] = edges[i];
        x[n++] = nextafter(edges[i], INFINITY);
        x[n++] = nextafter(edges[i], -INFINITY);
        x[n++] = nextafter(nextafter(edges[i], INFINITY), INFINITY);
        x[n++] = nextafter(nextafter(edges[i], -INFINITY), -INFINITY);
    }
    /* k·ln2/128 for every table entry, on both sides of the rounding to k */
    for (int k = -128; k < 128; k++) {
        const double t = (double)k * M_LN2 / 128.0;
        x[n++] = t;
        x[n++] = t + M_LN2 / 256.0;
        x[n++] = nextafter(t + M_LN2 / 256.0, INFINITY);
    }
    assert_int_equal(n, NX);
    assert_int_equal(check_exp(x, n), 0);
}

static void test_pow_random(void **state)
{
    (void)state;
    need_vector();
    gsl_rng *r = dn_rng_alloc();
    assert_non_null(r);
    enum { N = NRAND / 2 };
    double *x = malloc(N * sizeof *x), *e = malloc(N * sizeof *e);
    assert_true(x && e);
    dn_rng_seek(r, 12, DN_RNG_GENERIC, 1, 0, 0);
    static const double used[] = {3.0, 3.5, 0.2, 1.0 / 6.0};
    /* the exponents ht_neuron and GSL's step control use, bases over 600 binades */
    for (size_t i = 0; i < N; i++) {
        x[i] = exp2(-300.0 + 600.0 * dn_rng_uniform(r));
        e[i] = used[i % 4];
    }
    assert_int_equal(check_pow(x, e, N), 0);
    /* bases in (0, 1] as ht_neuron's m_inf^3 sees them, and 0.25/D for D in (0, 10] */
    for (size_t i = 0; i < N; i++) {
        x[i] = i % 2 ? dn_rng_uniform(r) : 0.25 / (10.0 * dn_rng_uniform(r) + 1e-300);
        e[i] = i % 2 ? 3.0 : 3.5;
    }
    assert_int_equal(check_pow(x, e, N), 0);
    /* arbitrary exponents, including results that overflow or underflow */
    for (size_t i = 0; i < N; i++) {
        x[i] = exp2(-40.0 + 80.0 * dn_rng_uniform(r));
        e[i] = -60.0 + 120.0 * dn_rng_uniform(r);
    }
    assert_int_equal(check_pow(x, e, N), 0);
    /* any bit patterns for both */
    for (size_t i = 0; i < N / 4; i++) {
        x[i] = from_bits(dn_rng_u64(r));
        e[i] = i % 3 ? from_bits(dn_rng_u64(r)) : (double)(int)(dn_rng_u64(r) % 41) - 20.0;
    }
    assert_int_equal(check_pow(x, e, N / 4), 0);
    free(x);
    free(e);
    gsl_rng_free(r);
}

static void test_pow_edges(void **state)
{
    (void)state;
    need_vector();
    const double xs[] = {
        0.0,        -0.0,      1.0,       -1.0,      2.0,       -2.0,
        0.5,        0x1p-1074, 0x1p-1022, DBL_MAX,   INFINITY,  -INFINITY,
        NAN,        1e-300,    1e300,     0.9999999, 1.0000001, 0x1.6a09e667f3bcdp-1,
        0x1.6955p-1};
    const double ys[] = {0.0,      -0.0,      1.0,       -1.0,    2.0,     3.0,    3.5,
                         0.5,      0.2,       1.0 / 6.0, 0x1p-66, 0x1p-65, 0x1p63, 0x1p64,
                         INFINITY, -INFINITY, NAN,       -3.0,    1e10};
    enum { NXS = sizeof xs / sizeof xs[0], NYS = sizeof ys / sizeof ys[0] };
    double x[NXS * NYS], e[NXS * NYS];
    size_t n = 0;
    for (size_t i = 0; i < NXS; i++)
        for (size_t j = 0; j < NYS; j++) {
            x[n] = xs[i];
            e[n++] = ys[j];
        }
    assert_int_equal(check_pow(x, e, n), 0);
}

/* Partial groups of four, in-place use, and the switch to scalar libm give the same bits. */
static void test_lengths_alias_and_switch(void **state)
{
    (void)state;
    double x[9], y[9], z[9], w[9];
    for (int i = 0; i < 9; i++)
        x[i] = -3.0 + 0.731 * i;
    for (size_t n = 0; n <= 9; n++) {
        memcpy(y, x, sizeof y);
        dn_ht_vexp(y, y, n); /* in place */
        for (size_t i = 0; i < n; i++)
            assert_true(bits(y[i]) == bits(exp(x[i])));
        for (size_t i = n; i < 9; i++)
            assert_true(bits(y[i]) == bits(x[i])); /* untouched */
        for (int i = 0; i < 9; i++)
            z[i] = 0.1 + 0.37 * i, w[i] = 3.5;
        dn_ht_vpow(z, w, z, n);
        for (size_t i = 0; i < n; i++)
            assert_true(bits(z[i]) == bits(pow(0.1 + 0.37 * (double)i, 3.5)));
    }
    const bool was = dn_ht_vmath_enable(false);
    assert_false(dn_ht_vmath_use());
    dn_ht_vexp(x, y, 9);
    for (int i = 0; i < 9; i++)
        assert_true(bits(y[i]) == bits(exp(x[i])));
    assert_false(dn_ht_vmath_enable(was));
    assert_true(dn_ht_vmath_use() == dn_ht_vmath_ready());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp_random),
        cmocka_unit_test(test_exp_edges),
        cmocka_unit_test(test_pow_random),
        cmocka_unit_test(test_pow_edges),
        cmocka_unit_test(test_lengths_alias_and_switch),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

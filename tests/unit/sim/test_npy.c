/* The .npy reader and writer: format versions 1.0/2.0/3.0, the supported dtypes, C and Fortran
 * order, and every malformed-file error. Files are built byte by byte here, as NumPy writes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "denest/npy.h"

/* A .npy image: magic, version, header (dict padded to 64 bytes with '\n'), data. */
static size_t build(unsigned char *buf, int major, const char *dict, const void *data,
                    size_t nbytes)
{
    size_t hl_field = major == 1 ? 2 : 4;
    size_t pre = 8 + hl_field;
    size_t dl = strlen(dict);
    size_t hl = dl + 1;
    while ((pre + hl) % 64)
        hl++;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t i = 0; i < hl_field; i++)
        buf[8 + i] = (unsigned char)(hl >> (8 * i));
    memcpy(buf + pre, dict, dl);
    memset(buf + pre + dl, ' ', hl - dl - 1);
    buf[pre + hl - 1] = '\n';
    memcpy(buf + pre + hl, data, nbytes);
    return pre + hl + nbytes;
}

static void test_f8_c_order_v1(void **state)
{
    (void)state;
    double v[6] = {0, 1, 2, 3, 4, 5};
    unsigned char buf[512];
    size_t n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 1), }", v,
                     sizeof v);
    dn_npy a;
    dn_error err;
    assert_int_equal(dn_npy_parse(buf, n, "x.npy", &a, &err), DN_OK);
    assert_int_equal(a.dtype, DN_NPY_F8);
    assert_int_equal(a.ndim, 3);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 3);
    assert_int_equal(a.shape[2], 1);
    assert_int_equal(a.n, 6);
    for (int i = 0; i < 6; i++)
        assert_true(a.data[i] == (double)i);
    dn_npy_free(&a);
    assert_null(a.data);
}

/* A Fortran-ordered (2, 3) array holds column after column: [[0, 1, 2], [3, 4, 5]] is stored
 * 0 3 1 4 2 5. The reader returns C order. */
static void test_fortran_order(void **state)
{
    (void)state;
    double stored[6] = {0, 3, 1, 4, 2, 5};
    unsigned char buf[512];
    size_t n = build(buf, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", stored,
                     sizeof stored);
    dn_npy a;
    assert_int_equal(dn_npy_parse(buf, n, "f.npy", &a, NULL), DN_OK);
    for (int i = 0; i < 6; i++)
        assert_true(a.data[i] == (double)i);
    dn_npy_free(&a);
    /* three dimensions: element (i, j, k) of shape (2, 2, 2) at i + 2j + 4k */
    double s3[8];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                s3[i + 2 * j + 4 * k] = 100 * i + 10 * j + k;
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", s3,
              sizeof s3);
    assert_int_equal(dn_npy_parse(buf, n, "f3.npy", &a, NULL), DN_OK);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++)
                assert_true(a.data[(i * 2 + j) * 2 + k] == 100 * i + 10 * j + k);
    dn_npy_free(&a);
}

static void test_dtypes(void **state)
{
    (void)state;
    unsigned char buf[512];
    dn_npy a;
    float f4[3] = {1.5f, -2.25f, 3.0f};
    size_t n =
        build(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4, sizeof f4);
    assert_int_equal(dn_npy_parse(buf, n, "f4", &a, NULL), DN_OK);
    assert_int_equal(a.dtype, DN_NPY_F4);
    assert_true(a.data[0] == 1.5 && a.data[1] == -2.25 && a.data[2] == 3.0);
    assert_false(dn_npy_is_integer(a.dtype));
    dn_npy_free(&a);

    int64_t i8[2] = {-70, 1234567890123LL};
    n = build(buf, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8, sizeof i8);
    assert_int_equal(dn_npy_parse(buf, n, "i8", &a, NULL), DN_OK);
    assert_int_equal(a.dtype, DN_NPY_I8);
    assert_true(a.data[0] == -70.0 && a.data[1] == 1234567890123.0);
    assert_true(dn_npy_is_integer(a.dtype));
    dn_npy_free(&a);

    int32_t i4[2] = {-5, 7};
    n = build(buf, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }", i4, sizeof i4);
    assert_int_equal(dn_npy_parse(buf, n, "i4", &a, NULL), DN_OK);
    assert_true(a.data[0] == -5.0 && a.data[1] == 7.0);
    dn_npy_free(&a);

    unsigned char b1[3] = {1, 0, 1};
    n = build(buf, 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", b1, sizeof b1);
    assert_int_equal(dn_npy_parse(buf, n, "b1", &a, NULL), DN_OK);
    assert_int_equal(a.dtype, DN_NPY_B1);
    assert_true(a.data[0] == 1.0 && a.data[1] == 0.0 && a.data[2] == 1.0);
    dn_npy_free(&a);
}

static void test_versions_2_and_3(void **state)
{
    (void)state;
    unsigned char buf[512];
    double v[2] = {7, 8};
    dn_npy a;
    for (int major = 2; major <= 3; major++) {
        /* keys in another order, spaces inside the tuple, no trailing comma */
        size_t n = build(buf, major, "{'shape': ( 2 , ), 'fortran_order': False, 'descr': '<f8'}",
                         v, sizeof v);
        assert_int_equal(dn_npy_parse(buf, n, "v", &a, NULL), DN_OK);
        assert_int_equal(a.ndim, 1);
        assert_true(a.data[0] == 7.0 && a.data[1] == 8.0);
        dn_npy_free(&a);
    }
    /* a scalar array: shape () */
    size_t n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", v, 8);
    assert_int_equal(dn_npy_parse(buf, n, "s", &a, NULL), DN_OK);
    assert_int_equal(a.ndim, 0);
    assert_int_equal(a.n, 1);
    dn_npy_free(&a);
}

static void expect_error(const unsigned char *buf, size_t n, const char *needle)
{
    dn_npy a;
    dn_error err;
    dn_error_clear(&err);
    assert_int_equal(dn_npy_parse(buf, n, "bad.npy", &a, &err), DN_EINPUT);
    assert_null(a.data);
    if (!strstr(err.message, needle))
        fail_msg("message '%s' lacks '%s'", err.message, needle);
    assert_non_null(strstr(err.message, "bad.npy"));
}

static void test_errors(void **state)
{
    (void)state;
    unsigned char buf[512];
    double v[4] = {0};
    size_t n;
    expect_error((const unsigned char *)"PK\x03\x04 not numpy", 16, "magic");
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", v, 32);
    buf[6] = 4;
    expect_error(buf, n, "version 4.0");
    n = build(buf, 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", v, 32);
    expect_error(buf, n, "unsupported array type '>f8'");
    n = build(buf, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", v, 32);
    expect_error(buf, n, "unsupported array type '|O'");
    n = build(buf, 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", v, 16);
    expect_error(buf, n, "structured");
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", v, 24);
    expect_error(buf, n, "needs 32");
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", v, 32);
    expect_error(buf, n - 40, "truncated");
    n = build(buf, 1, "{'descr': '<f8', 'shape': (2, 2), }", v, 32);
    expect_error(buf, n, "lacks");
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': maybe, 'shape': (2, 2), }", v, 32);
    expect_error(buf, n, "fortran_order");
    n = build(buf, 1, "['descr', '<f8']", v, 32);
    expect_error(buf, n, "not a Python dict");
    n = build(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", v, 32);
    expect_error(buf, n, "shape");
}

static void test_file_roundtrip_and_missing(void **state)
{
    (void)state;
    char dir[] = "/tmp/dn_npy_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/a.npy", dir);
    size_t shape[3] = {2, 3, 2};
    double v[12];
    for (int i = 0; i < 12; i++)
        v[i] = i - 80.0;
    dn_error err;
    assert_int_equal(dn_npy_write(path, shape, 3, v, &err), DN_OK);
    /* NumPy's rule: the data starts at a multiple of 64 bytes */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), 128 + 12 * 8);
    fclose(f);
    dn_npy a;
    assert_int_equal(dn_npy_read(path, &a, &err), DN_OK);
    assert_int_equal(a.ndim, 3);
    assert_int_equal(a.n, 12);
    for (int i = 0; i < 12; i++)
        assert_true(a.data[i] == i - 80.0);
    dn_npy_free(&a);
    unlink(path);
    assert_int_equal(dn_npy_read(path, &a, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "Could not load array from file at"));
    assert_non_null(strstr(err.message, path));
    snprintf(path, sizeof path, "%s/no/such/dir/a.npy", dir);
    assert_int_equal(dn_npy_write(path, shape, 3, v, &err), DN_ERUNTIME);
    rmdir(dir);
}

static void test_shape_text(void **state)
{
    (void)state;
    char buf[64];
    size_t s[3] = {5, 5, 1};
    assert_string_equal(dn_npy_shape_text(s, 3, buf, sizeof buf), "(5, 5, 1)");
    assert_string_equal(dn_npy_shape_text(s, 1, buf, sizeof buf), "(5,)");
    assert_string_equal(dn_npy_shape_text(s, 0, buf, sizeof buf), "()");
    assert_string_equal(dn_npy_dtype_name(DN_NPY_I4), "<i4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f8_c_order_v1), cmocka_unit_test(test_fortran_order),
        cmocka_unit_test(test_dtypes),        cmocka_unit_test(test_versions_2_and_3),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_file_roundtrip_and_missing),
        cmocka_unit_test(test_shape_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Dynamic values (include/denest/value.h): maps with Python dict key semantics, equality,
 * checked accessors, deep copy, and Python-style printing. */
#include "tree_test.h"

#include <math.h>
#include <time.h>

static void test_kinds(void **state)
{
    (void)state;
    dn_value *v[] = {dn_value_null(),      dn_value_bool(true),  dn_value_int(3),
                     dn_value_double(1.5), dn_value_string("x"), dn_value_list(),
                     dn_value_map()};
    const char *names[] = {"null", "boolean", "integer", "decimal", "string", "list", "mapping"};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(v[i]->type, (dn_value_type)i);
        assert_string_equal(dn_value_kind(v[i]), names[i]);
        assert_int_equal(dn_value_is_scalar(v[i]), i < 5);
        assert_int_equal(dn_value_is_number(v[i]), i == 2 || i == 3);
        assert_int_equal(v[i]->mark.line, 0);
        dn_value_free(v[i]);
    }
    assert_string_equal(dn_value_kind(NULL), "nothing");
}

static void test_accessors(void **state)
{
    (void)state;
    dn_value *b = dn_value_bool(true), *i = dn_value_int(-7), *d = dn_value_double(5.0),
             *h = dn_value_double(5.5), *big = dn_value_double(1e300), *s = dn_value_string("t");
    bool bo;
    int64_t n;
    double x;
    const char *str;
    assert_true(dn_value_get_bool(b, &bo) && bo);
    assert_false(dn_value_get_bool(i, &bo));
    assert_false(dn_value_get_int(b, &n)); /* a bool is not a number here */
    assert_true(dn_value_get_int(i, &n) && n == -7);
    assert_false(dn_value_get_int(d, &n));
    assert_true(dn_value_get_integral(d, &n) && n == 5); /* rows: 5.0 */
    assert_false(dn_value_get_integral(h, &n));
    assert_false(dn_value_get_integral(big, &n));
    assert_false(dn_value_get_integral(b, &n));
    assert_true(dn_value_get_double(i, &x) && x == -7.0);
    assert_true(dn_value_get_double(h, &x) && x == 5.5);
    assert_false(dn_value_get_double(b, &x));
    assert_false(dn_value_get_double(s, &x));
    assert_true(dn_value_get_string(s, &str));
    assert_string_equal(str, "t");
    assert_false(dn_value_get_string(i, &str));
    assert_null(dn_value_str(i));
    dn_value *all[] = {b, i, d, h, big, s};
    for (int k = 0; k < 6; k++)
        dn_value_free(all[k]);
}

static void test_equality(void **state)
{
    (void)state;
    struct {
        const char *a, *b;
        bool equal, identical;
    } cases[] = {
        {"1", "1.0", true, false},  /* Python: 1 == 1.0 */
        {"true", "1", true, false}, /* Python: True == 1 */
        {"false", "0.0", true, false},
        {"'1'", "1", false, false},
        {"~", "~", true, true},
        {"~", "false", false, false},
        {"''", "~", false, false},
        {".nan", ".nan", false, true}, /* nan != nan, but a round trip keeps it */
        {"0.0", "-0.0", true, false},
        {"[1, 2]", "[1, 2]", true, true},
        {"[1, 2]", "[2, 1]", false, false},
        {"[1, 2]", "[1.0, 2]", true, false},
        {"{a: 1, b: [x]}", "{b: [x], a: 1}", true, true},
        {"{a: 1}", "{a: 1, b: 2}", false, false},
        {"{0: a}", "{'0': a}", false, false},
        {"{1: a}", "{1.0: a}", true, false},
        {"é", "é", true, true},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        dn_value *a = yv(cases[k].a), *b = yv(cases[k].b);
        if (dn_value_equal(a, b) != cases[k].equal || dn_value_equal(b, a) != cases[k].equal)
            fail_msg("equal(%s, %s) should be %d", cases[k].a, cases[k].b, cases[k].equal);
        if (dn_value_identical(a, b) != cases[k].identical)
            fail_msg("identical(%s, %s) should be %d", cases[k].a, cases[k].b, cases[k].identical);
        dn_value_free(a);
        dn_value_free(b);
    }
    /* int/double comparison is exact (2^53 + 1 is not the double 2^53). */
    dn_value *i = dn_value_int(9007199254740993LL), *d = dn_value_double(9007199254740992.0);
    assert_false(dn_value_equal(i, d));
    i->u.i = 9007199254740992LL;
    assert_true(dn_value_equal(i, d));
    dn_value_free(i);
    dn_value_free(d);
    assert_true(dn_value_equal(NULL, NULL));
    dn_value *n = dn_value_null();
    assert_false(dn_value_equal(n, NULL));
    dn_value_free(n);
}

static void test_map_ops(void **state)
{
    (void)state;
    dn_value *m = dn_value_map();
    assert_int_equal(dn_value_map_set(m, "a", dn_value_int(1)), DN_OK);
    assert_int_equal(dn_value_map_set(m, "b", dn_value_int(2)), DN_OK);
    assert_int_equal(dn_value_map_set_key(m, dn_value_int(0), dn_value_string("zero")), DN_OK);
    assert_int_equal(dn_value_map_set(m, "0", dn_value_string("string zero")), DN_OK);
    assert_int_equal(dn_value_len(m), 4);
    /* Replacing keeps the position. */
    assert_int_equal(dn_value_map_set(m, "a", dn_value_int(10)), DN_OK);
    assert_string_equal(dn_value_str(dn_value_map_at(m, 0)->key), "a");
    assert_int_equal(dn_value_map_get(m, "a")->u.i, 10);
    /* Key 0 (int), 0.0 and false are one key; '0' is another. */
    dn_value *k = dn_value_double(0.0);
    assert_string_equal(dn_value_str(dn_value_map_get_key(m, k)), "zero");
    k->type = DN_VALUE_BOOL;
    k->u.b = false;
    assert_string_equal(dn_value_str(dn_value_map_get_key(m, k)), "zero");
    assert_string_equal(dn_value_str(dn_value_map_get(m, "0")), "string zero");
    assert_int_equal(dn_value_map_set_key(m, dn_value_bool(false), dn_value_string("f")), DN_OK);
    assert_int_equal(dn_value_len(m), 4);
    assert_int_equal(dn_value_map_at(m, 2)->key->type, DN_VALUE_INT); /* the first key stays */
    assert_true(dn_value_map_delete_key(m, k));
    assert_false(dn_value_map_delete_key(m, k));
    dn_value_free(k);
    assert_true(dn_value_map_delete(m, "a"));
    assert_false(dn_value_map_delete(m, "a"));
    assert_int_equal(dn_value_len(m), 2);
    assert_string_equal(dn_value_str(dn_value_map_at(m, 0)->key), "b");
    assert_string_equal(dn_value_str(dn_value_map_at(m, 1)->key), "0");
    assert_null(dn_value_map_at(m, 2));
    assert_non_null(dn_value_map_entry(m, "b"));
    assert_null(dn_value_map_entry(m, "zz"));
    /* Non-scalar keys and non-maps are refused (and the values freed). */
    assert_int_equal(dn_value_map_set_key(m, dn_value_list(), dn_value_int(1)), DN_EINPUT);
    dn_value *l = dn_value_list();
    assert_int_equal(dn_value_map_set(l, "x", dn_value_int(1)), DN_EINPUT);
    assert_int_equal(dn_value_list_append(m, dn_value_int(1)), DN_EINPUT);
    assert_int_equal(dn_value_list_append(l, dn_value_int(4)), DN_OK);
    assert_int_equal(dn_value_list_at(l, 0)->u.i, 4);
    assert_null(dn_value_list_at(l, 1));
    assert_null(dn_value_map_get(l, "x"));
    dn_value_free(l);
    dn_value_free(m);
}

/* Large maps get a hash index: 100 000 insertions, lookups and deletions stay fast and correct. */
static void test_big_map(void **state)
{
    (void)state;
    enum { N = 50000 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dn_value *m = dn_value_map();
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        assert_int_equal(dn_value_map_set(m, key, dn_value_int(i)), DN_OK);
        assert_int_equal(dn_value_map_set_key(m, dn_value_int(i), dn_value_int(-i)), DN_OK);
    }
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        assert_int_equal(dn_value_map_get(m, key)->u.i, i);
    }
    for (int i = 0; i < 100; i += 2) { /* a delete is O(n) (it shifts entries) */
        snprintf(key, sizeof key, "key%d", i);
        assert_true(dn_value_map_delete(m, key));
    }
    assert_int_equal(dn_value_len(m), 2 * N - 50);
    assert_null(dn_value_map_get(m, "key0"));
    assert_int_equal(dn_value_map_get(m, "key1")->u.i, 1);
    dn_value *k = dn_value_double(77.0);
    assert_int_equal(dn_value_map_get_key(m, k)->u.i, -77);
    dn_value_free(k);
    dn_value *c = dn_value_copy(m);
    assert_true(dn_value_identical(c, m));
    dn_value_free(c);
    dn_value_free(m);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
#ifdef DN_SANITIZED
    const double limit = 60.0; /* sanitizers are 3-10x slower; a busy CI machine more */
#else
    const double limit = 5.0;
#endif
    assert_true(s < limit); /* quadratic behaviour: 10^10 key comparisons, minutes */
}

static void test_copy(void **state)
{
    (void)state;
    dn_value *v = yv("{a: [1, {b: x}], 0: ~}");
    dn_value *c = dn_value_copy(v);
    assert_true(dn_value_identical(v, c));
    assert_int_equal(dn_value_map_get(c, "a")->mark.line, 1);
    assert_int_equal(dn_value_map_get(c, "a")->mark.column, 5);
    dn_value_map_set(dn_value_list_at(dn_value_map_get(c, "a"), 1), "b", dn_value_string("y"));
    assert_false(dn_value_equal(v, c));
    assert_string_equal(
        dn_value_str(dn_value_map_get(dn_value_list_at(dn_value_map_get(v, "a"), 1), "b")), "x");
    assert_null(dn_value_copy(NULL));
    dn_value_free(v);
    dn_value_free(c);
}

static void assert_double_repr(double d, const char *want)
{
    char buf[40];
    assert_string_equal(dn_value_format_double(d, buf, sizeof buf), want);
}

static void test_format_double(void **state)
{
    (void)state;
    /* What Python's repr(float) prints. */
    assert_double_repr(1.0, "1.0");
    assert_double_repr(-44.0, "-44.0");
    assert_double_repr(0.1, "0.1");
    assert_double_repr(1e-07, "1e-07");
    assert_double_repr(1.5e-07, "1.5e-07");
    assert_double_repr(0.0001, "0.0001");
    assert_double_repr(0.00001, "1e-05");
    assert_double_repr(1e15, "1000000000000000.0");
    assert_double_repr(1e16, "1e+16");
    assert_double_repr(1.2345e22, "1.2345e+22");
    assert_double_repr(123456789.123, "123456789.123");
    assert_double_repr(0.30000000000000004, "0.30000000000000004");
    assert_double_repr(-0.0, "-0.0");
    assert_double_repr(5e-324, "5e-324");
    assert_double_repr(1.7976931348623157e308, "1.7976931348623157e+308");
    assert_double_repr(INFINITY, "inf");
    assert_double_repr(-INFINITY, "-inf");
    assert_double_repr(NAN, "nan");
    assert_double_repr(2.5, "2.5");
    assert_double_repr(100.0, "100.0");
}

static void assert_repr(const char *yaml, const char *want)
{
    dn_value *v = yv(yaml);
    char *r = dn_value_repr(v);
    assert_string_equal(r, want);
    free(r);
    dn_value_free(v);
}

static void test_repr(void **state)
{
    (void)state;
    assert_repr("{nest_model: ht_neuron}", "{'nest_model': 'ht_neuron'}");
    assert_repr("{g_KL: 1.0, g_NaL: 1.0, V_m: -44.0}", "{'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -44.0}");
    assert_repr("[1.0, 10.0]", "[1.0, 10.0]");
    assert_repr("[]", "[]");
    assert_repr("{}", "{}");
    assert_repr("yes", "True");
    assert_repr("off", "False");
    assert_repr("~", "None");
    assert_repr("{0: a, null: b, true: c, 1.5: d}", "{0: 'a', None: 'b', True: 'c', 1.5: 'd'}");
    assert_repr("\"it's\"", "\"it's\"");
    assert_repr("'say \"hi\"'", "'say \"hi\"'");
    assert_repr("\"both ' and \\\"\"", "'both \\' and \"'");
    assert_repr("\"a\\nb\\tc\\\\d\\x01\"", "'a\\nb\\tc\\\\d\\x01'");
    assert_repr("café", "'café'");
    assert_repr("record_to: [memory, file]", "{'record_to': ['memory', 'file']}");
    dn_value *v = yv("{a: x}");
    char *t = dn_value_to_text(dn_value_map_get(v, "a"));
    assert_string_equal(t, "x"); /* str() of a string is its text */
    free(t);
    t = dn_value_to_text(v);
    assert_string_equal(t, "{'a': 'x'}");
    free(t);
    t = dn_value_to_text(NULL);
    assert_string_equal(t, "None");
    free(t);
    dn_value_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),         cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_equality),      cmocka_unit_test(test_map_ops),
        cmocka_unit_test(test_big_map),       cmocka_unit_test(test_copy),
        cmocka_unit_test(test_format_double), cmocka_unit_test(test_repr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Plain scalar resolution (YAML 1.1 / PyYAML SafeLoader, plus the `1e3` float extension), both
 * ways: text -> value, and value -> text that reads back to the same value (strings that look
 * like other types must be quoted). */
#include "tree_test.h"

#include <math.h>

typedef struct row {
    const char *text;
    dn_value_type type;
    int64_t i; /* int / bool */
    double d;  /* double */
} row;

/* clang-format off */
#define S(t) {t, DN_VALUE_STRING, 0, 0}
#define N(t) {t, DN_VALUE_NULL, 0, 0}
#define B(t, v) {t, DN_VALUE_BOOL, v, 0}
#define I(t, v) {t, DN_VALUE_INT, v, 0}
#define D(t, v) {t, DN_VALUE_DOUBLE, 0, v}

static const row table[] = {
    /* null */
    N("~"), N("null"), N("Null"), N("NULL"), N(""), S("nUll"), S("none"), S("None"),
    /* booleans: three case forms of each word only */
    B("yes", 1), B("Yes", 1), B("YES", 1), B("no", 0), B("No", 0), B("NO", 0), B("true", 1),
    B("True", 1), B("TRUE", 1), B("false", 0), B("False", 0), B("FALSE", 0), B("on", 1),
    B("On", 1), B("ON", 1), B("off", 0), B("Off", 0), B("OFF", 0), S("yEs"), S("tRUE"), S("y"),
    S("n"), S("oN"),
    /* ints */
    I("0", 0), I("-0", 0), I("+0", 0), I("1", 1), I("-1", -1), I("+12", 12), I("1_000", 1000),
    I("0b101", 5), I("-0b1_0", -2), I("0x1F", 31), I("0xff", 255), I("-0x1f", -31),
    I("017", 15), I("0_17", 15), I("0o17", 15), I("-0o10", -8), I("1:30", 90),
    I("-1:30:00", -5400), I("190:20:30", 685230), I("9223372036854775807", INT64_MAX),
    I("-9223372036854775808", INT64_MIN), S("08"), S("09"), S("0b2"), S("0x"), S("0xg"),
    S("1:60"), S("01:30"), I("1_000_", 1000), S("1__a"), S("- 1"), S("1 000"), S("0o8"), S("_1"),
    /* floats */
    D("1.5", 1.5), D("-1.5", -1.5), D("+1.5", 1.5), D("50.", 50.0), D("-50.", -50.0),
    D(".5", 0.5), D("-.5", -0.5), D("+.5", 0.5), D("1.0e+3", 1000.0), D("1.0E-3", 0.001),
    D("1.e+3", 1000.0), D("1_000.5", 1000.5), D("1:30.5", 90.5), D("-1:30.5", -90.5),
    D("1:00:30.", 3630.0), D(".inf", INFINITY), D(".Inf", INFINITY), D(".INF", INFINITY),
    D("+.inf", INFINITY), D("-.inf", -INFINITY), D("-.Inf", -INFINITY), D("-.INF", -INFINITY),
    D("0.1", 0.1), D("-44.0", -44.0), D("1e400", INFINITY), D("1.0e-07", 1e-07),
    /* beyond PyYAML (strings there): exponent without a dot or a sign */
    D("1e3", 1000.0), D("1E3", 1000.0), D("1e-3", 0.001), D("1E+3", 1000.0), D("1.0e3", 1000.0),
    D("-2e2", -200.0), D(".5e1", 5.0),
    S("."), S("-."), S("e3"), S("1e"), S("1e+"), S("1.5.3"), S("1.0f"), S("-.nan"), S("+.nan"),
    S("nan"), S("inf"), S(".inF"), S("1,5"), S("1:3a"),
    /* strings */
    S("abc"), S("ht_neuron"), S("V_m"), S("./network/layers.yml"), S("2020-01-01"), S("<<"),
    S("="), S("-"), S("x: y"),
};
/* clang-format on */

static void check_value(const row *r, const dn_value *v)
{
    if (v->type != r->type)
        fail_msg("'%s' resolved to a %s, expected a %s", r->text, dn_value_kind(v),
                 dn_value_type_name(r->type));
    switch (r->type) {
    case DN_VALUE_BOOL:
        assert_int_equal(v->u.b, r->i);
        break;
    case DN_VALUE_INT:
        assert_int_equal(v->u.i, r->i);
        break;
    case DN_VALUE_DOUBLE:
        if (isinf(r->d))
            assert_true(v->u.d == r->d);
        else
            assert_true(fabs(v->u.d - r->d) <= 1e-15 * fabs(r->d));
        break;
    case DN_VALUE_STRING:
        assert_string_equal(dn_value_str(v), r->text);
        break;
    default:
        break;
    }
}

static void test_resolve_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof table / sizeof *table; k++) {
        const row *r = &table[k];
        bool overflow = true;
        dn_value *v = dn_yaml_resolve_plain(r->text, strlen(r->text), &overflow);
        assert_non_null(v);
        assert_false(overflow);
        check_value(r, v);
        dn_value_free(v);
        /* The same text as a mapping value in a document resolves identically. */
        char doc[128];
        snprintf(doc, sizeof doc, "k: %s\n", r->text);
        if (strchr(r->text, ':') || r->text[0] == '-' || r->text[0] == '<' || r->text[0] == '=')
            continue; /* not a plain scalar in that position (or a merge key) */
        dn_value *m = yv(doc);
        check_value(r, dn_value_map_get(m, "k"));
        dn_value_free(m);
    }
}

static void test_nan(void **state)
{
    (void)state;
    const char *forms[] = {".nan", ".NaN", ".NAN"};
    for (int k = 0; k < 3; k++) {
        dn_value *v = dn_yaml_resolve_plain(forms[k], strlen(forms[k]), NULL);
        assert_int_equal(v->type, DN_VALUE_DOUBLE);
        assert_true(isnan(v->u.d));
        dn_value_free(v);
    }
}

static void test_overflow(void **state)
{
    (void)state;
    const char *big[] = {"9223372036854775808", "-9223372036854775809", "0x10000000000000000",
                         "99999999999999999999999", "1:0:0:0:0:0:0:0:0:0:0:0:0"};
    for (int k = 0; k < 5; k++) {
        bool overflow = false;
        assert_null(dn_yaml_resolve_plain(big[k], strlen(big[k]), &overflow));
        assert_true(overflow);
    }
}

/* Quoted, tagged and block scalars are strings unless a tag says otherwise. */
static void test_quoted_and_tags(void **state)
{
    (void)state;
    dn_value *v = yv("a: '1'\nb: \"yes\"\nc: !!str 1.5\nd: !!float 3\ne: !!int '0x10'\n"
                     "f: !!bool 'off'\ng: !!null anything\nh: |\n  1\ni: >\n  yes\nj: ! 12\n"
                     "k: !!python/tuple [1, 2]\nl: !!seq [x]\nm: !!map {x: 1}\n");
    assert_string_equal(dn_value_str(dn_value_map_get(v, "a")), "1");
    assert_string_equal(dn_value_str(dn_value_map_get(v, "b")), "yes");
    assert_string_equal(dn_value_str(dn_value_map_get(v, "c")), "1.5");
    assert_int_equal(dn_value_map_get(v, "d")->type, DN_VALUE_DOUBLE);
    assert_true(dn_value_map_get(v, "d")->u.d == 3.0);
    assert_int_equal(dn_value_map_get(v, "e")->u.i, 16);
    assert_int_equal(dn_value_map_get(v, "f")->type, DN_VALUE_BOOL);
    assert_false(dn_value_map_get(v, "f")->u.b);
    assert_int_equal(dn_value_map_get(v, "g")->type, DN_VALUE_NULL);
    assert_string_equal(dn_value_str(dn_value_map_get(v, "h")), "1\n");
    assert_string_equal(dn_value_str(dn_value_map_get(v, "i")), "yes\n");
    assert_string_equal(dn_value_str(dn_value_map_get(v, "j")), "12");
    assert_int_equal(dn_value_map_get(v, "k")->type, DN_VALUE_LIST); /* deNEST's outputs */
    assert_int_equal(dn_value_len(dn_value_map_get(v, "k")), 2);
    assert_int_equal(dn_value_map_get(v, "l")->type, DN_VALUE_LIST);
    assert_int_equal(dn_value_map_get(v, "m")->type, DN_VALUE_MAP);
    dn_value_free(v);
}

/* The other way: every table value, and every table text as a string, is emitted so that it
 * reads back identical (strings resembling numbers, booleans or null come out quoted). */
static void test_emit_table_round_trip(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof table / sizeof *table; k++) {
        const row *r = &table[k];
        dn_value *as_string = dn_value_string(r->text);
        dn_value *resolved = dn_yaml_resolve_plain(r->text, strlen(r->text), NULL);
        dn_value *pair[2] = {as_string, resolved};
        for (int p = 0; p < 2; p++) {
            dn_value *m = dn_value_map();
            dn_value_map_set(m, "k", dn_value_copy(pair[p]));
            char *text;
            dn_error err;
            assert_int_equal(dn_yaml_emit_string(m, &text, &err), DN_OK);
            dn_value *back = yv(text);
            if (!dn_value_identical(back, m))
                fail_msg("'%s' (%s) did not round-trip: %s", r->text, dn_value_kind(pair[p]), text);
            bool quoted = strstr(text, "k: '") || strstr(text, "k: \"");
            /* A string that would resolve to something else must be quoted (others may be,
             * for syntax: "x: y"). */
            if (p == 0 && r->type != DN_VALUE_STRING && !quoted)
                fail_msg("string '%s' written unquoted: %s", r->text, text);
            if (p == 1 && r->type != DN_VALUE_STRING && quoted)
                fail_msg("%s '%s' written quoted: %s", dn_value_kind(resolved), r->text, text);
            free(text);
            dn_value_free(back);
            dn_value_free(m);
        }
        dn_value_free(as_string);
        dn_value_free(resolved);
    }
}

static void test_plain_safe(void **state)
{
    (void)state;
    const char *unsafe[] = {"1",    "yes",  "",           "null",
                            "1e3",  "~",    "1.5",        ".inf",
                            "0x1F", "1:30", "2020-01-01", "2001-12-14t21:59:43.10-05:00",
                            "<<",   "=",    "-.5"};
    const char *safe[] = {"abc", "ht_neuron", "08", "1.5.3", "-.nan", "yEs", "nan"};
    for (size_t k = 0; k < sizeof unsafe / sizeof *unsafe; k++)
        if (dn_yaml_plain_safe(unsafe[k], strlen(unsafe[k])))
            fail_msg("'%s' must not be written plain", unsafe[k]);
    for (size_t k = 0; k < sizeof safe / sizeof *safe; k++)
        if (!dn_yaml_plain_safe(safe[k], strlen(safe[k])))
            fail_msg("'%s' can be written plain", safe[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table),
        cmocka_unit_test(test_nan),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_quoted_and_tags),
        cmocka_unit_test(test_emit_table_round_trip),
        cmocka_unit_test(test_plain_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

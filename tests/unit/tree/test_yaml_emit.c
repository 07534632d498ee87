/* Writing YAML: PyYAML-like block layout, float and string spelling, round trips
 * load(emit(v)) == v (strictly: types kept) for hand-picked and random values, and I/O errors. */
#include "tree_test.h"

#include <math.h>
#include <unistd.h>

static char *emit(const dn_value *v)
{
    char *text;
    dn_error err;
    assert_int_equal(dn_yaml_emit_string(v, &text, &err), DN_OK);
    return text;
}

static void assert_round_trip(const dn_value *v)
{
    char *text = emit(v);
    dn_value *back;
    dn_error err;
    if (dn_yaml_load_string(text, strlen(text), "<emitted>", &back, &err) != DN_OK)
        fail_msg("emitted YAML does not load (%s):\n%s", err.message, text);
    if (!dn_value_identical(back, v)) {
        char *a = dn_value_repr(v), *b = dn_value_repr(back);
        fail_msg("round trip changed the value:\n%s\n->\n%s\n->\n%s", a, text, b);
    }
    dn_value_free(back);
    free(text);
}

static void test_layout(void **state)
{
    (void)state;
    dn_value *v = yv("a: 1\n"
                     "b: [x, 2.5, [1, 2], {k: v}]\n"
                     "c: {}\n"
                     "d: []\n"
                     "e: ~\n"
                     "f: yes\n"
                     "'0': string key\n"
                     "0: int key\n"
                     "true: bool key\n"
                     "~: null key\n"
                     "1.5: float key\n"
                     "g:\n  h: '1'\n  i: 1e-7\n  j: -44.0\n  k: .nan\n  l: -.inf\n  m: ''\n"
                     "  n: 'yes'\n  o: '1e3'\n  p: ' x'\n  q: \"it's\"\n");
    const char *want = "a: 1\n"
                       "b:\n"
                       "- x\n"
                       "- 2.5\n"
                       "- - 1\n"
                       "  - 2\n"
                       "- k: v\n"
                       "c: {}\n"
                       "d: []\n"
                       "e: null\n"
                       "f: true\n"
                       "'0': string key\n"
                       "0: int key\n"
                       "true: bool key\n"
                       "null: null key\n"
                       "1.5: float key\n"
                       "g:\n"
                       "  h: '1'\n"
                       "  i: 1.0e-07\n"
                       "  j: -44.0\n"
                       "  k: .nan\n"
                       "  l: -.inf\n"
                       "  m: ''\n"
                       "  n: 'yes'\n"
                       "  o: '1e3'\n"
                       "  p: ' x'\n"
                       "  q: it's\n";
    char *text = emit(v);
    assert_string_equal(text, want);
    free(text);
    assert_round_trip(v);
    dn_value_free(v);
}

/* ParamsTree files written by deNEST look like this (the tutorial's parameter_tree.yml). */
static void test_matches_denest_output(void **state)
{
    (void)state;
    char path[512];
    data_path("denest/tutorial/parameter_tree.yml", path, sizeof path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *orig = calloc(1, 1 << 16);
    size_t n = fread(orig, 1, (1 << 16) - 1, f);
    fclose(f);
    assert_true(n > 0);
    dn_value *v;
    dn_error err;
    assert_int_equal(dn_yaml_load_file(path, &v, &err), DN_OK);
    char *text = emit(v);
    assert_string_equal(text, orig); /* byte for byte */
    free(text);
    free(orig);
    dn_value_free(v);
}

static void test_doubles(void **state)
{
    (void)state;
    struct {
        double d;
        const char *yaml;
    } cases[] = {
        {1.0, "1.0"},         {-44.0, "-44.0"},     {0.1, "0.1"},
        {1e-07, "1.0e-07"},   {2.5e-10, "2.5e-10"}, {1e16, "1.0e+16"},
        {1e22, "1.0e+22"},    {INFINITY, ".inf"},   {-INFINITY, "-.inf"},
        {NAN, ".nan"},        {-0.0, "-0.0"},       {5e-324, "5.0e-324"},
        {123.456, "123.456"}, {0.0001, "0.0001"},   {1e15, "1000000000000000.0"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char buf[40];
        assert_string_equal(dn_yaml_format_double(cases[k].d, buf, sizeof buf), cases[k].yaml);
        dn_value *v = dn_value_double(cases[k].d);
        assert_round_trip(v);
        dn_value_free(v);
    }
    /* Many doubles, from subnormal to huge: shortest text that reads back bit-exact. */
    unsigned s = 12345;
    for (int k = 0; k < 2000; k++) {
        uint64_t bits = 0;
        for (int b = 0; b < 4; b++) {
            s = s * 1103515245u + 12345u;
            bits = (bits << 16) | ((s >> 8) & 0xFFFF);
        }
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isnan(d))
            continue;
        dn_value *v = dn_value_double(d);
        assert_round_trip(v);
        dn_value_free(v);
    }
}

static void test_strings(void **state)
{
    (void)state;
    const char *strings[] = {
        "",
        " ",
        " x",
        "x ",
        "a\nb",
        "a\n",
        "\n",
        "line1\nline2\n\nline4",
        "it's",
        "say \"hi\"",
        "'",
        "\"",
        "\\",
        "a: b",
        "a:b",
        "a #b",
        "#x",
        "- x",
        "-",
        "--- x",
        "...",
        "? x",
        "[x]",
        "{x}",
        "x, y",
        "&a",
        "*a",
        "!x",
        "|x",
        ">x",
        "%x",
        "@x",
        "`x`",
        "café",
        "日本語",
        "emoji \xF0\x9F\x98\x80",
        "tab\there",
        "\x01\x02",
        "\x7F",
        "nul\\0",
        "\xC2\x85nel",
        "\xE2\x80\xA8ls",
        "\xEF\xBB\xBF"
        "bom",
        "\xC2\xA0nbsp",
        "1",
        "1.0",
        "yes",
        "No",
        "null",
        "~",
        "1e3",
        "0x1F",
        "1:30",
        ".inf",
        "2020-01-01",
        "<<",
        "=",
        "true ",
        " true",
        "a very long string with spaces that goes well beyond the eighty columns of the default "
        "line width of libyaml and PyYAML so it gets folded",
        "averylongstringwithoutanyspacesthatgoeswellbeyondtheeightycolumnsofthedefaultlinewidth",
        "trailing spaces on a line   \nnext",
        "  leading\n  indented",
        "ends with backslash\\",
    };
    for (size_t k = 0; k < sizeof strings / sizeof *strings; k++) {
        dn_value *m = dn_value_map();
        dn_value_map_set(m, "key", dn_value_string(strings[k]));
        dn_value_map_set(m, strings[k], dn_value_int((int64_t)k)); /* also as a key */
        dn_value *l = dn_value_list();
        dn_value_list_append(l, dn_value_string(strings[k]));
        dn_value_map_set(m, "list", l);
        assert_round_trip(m);
        dn_value_free(m);
        dn_value *s = dn_value_string(strings[k]);
        assert_round_trip(s); /* a bare scalar document */
        dn_value_free(s);
    }
    /* A string holding NUL characters (from a "\0" escape) survives. */
    dn_value *z = dn_value_string_n("a\0b", 3);
    assert_round_trip(z);
    dn_value_free(z);
}

static void test_keys_and_scalars(void **state)
{
    (void)state;
    dn_value *m = dn_value_map();
    dn_value_map_set_key(m, dn_value_int(0), dn_value_string("int"));
    dn_value_map_set_key(m, dn_value_string("0"), dn_value_string("str"));
    dn_value_map_set_key(m, dn_value_int(-5), dn_value_int(INT64_MIN));
    dn_value_map_set_key(m, dn_value_int(INT64_MAX), dn_value_double(0.5));
    dn_value_map_set_key(m, dn_value_bool(true), dn_value_bool(false));
    dn_value_map_set_key(m, dn_value_null(), dn_value_null());
    dn_value_map_set_key(m, dn_value_double(2.5), dn_value_list());
    dn_value_map_set_key(m, dn_value_string("empty"), dn_value_map());
    assert_round_trip(m);
    dn_value_free(m);
    const char *docs[] = {"3", "-2.5", "true", "~", "[]", "{}", "[[[]]]", "[{}, {a: []}]"};
    for (size_t k = 0; k < sizeof docs / sizeof *docs; k++) {
        dn_value *v = yv(docs[k]);
        assert_round_trip(v);
        dn_value_free(v);
    }
}

/* Random nested values: a cheap fuzz of the writer against the reader. */
static unsigned rnd_state = 7;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1664525u + 1013904223u;
    return (rnd_state >> 8) % n;
}

static dn_value *random_scalar(void)
{
    static const char *words[] = {"x",    "1",   "yes", "",     " a", "b\nc", "é",    "null",
                                  "it's", "1e3", "- d", "k: v", "#",  "0o7",  "12:30"};
    switch (rnd(6)) {
    case 0:
        return dn_value_null();
    case 1:
        return dn_value_bool(rnd(2));
    case 2:
        return dn_value_int((int64_t)rnd(2000000) - 1000000);
    case 3:
        return dn_value_double(((double)rnd(2000000) - 1e6) / (double)(1 + rnd(1000)));
    default:
        return dn_value_string(words[rnd(sizeof words / sizeof *words)]);
    }
}

static dn_value *random_value(int depth)
{
    unsigned kind = depth > 4 ? 0 : rnd(4);
    if (kind < 2)
        return random_scalar();
    size_t n = rnd(5);
    if (kind == 2) {
        dn_value *l = dn_value_list();
        for (size_t i = 0; i < n; i++)
            dn_value_list_append(l, random_value(depth + 1));
        return l;
    }
    dn_value *m = dn_value_map();
    for (size_t i = 0; i < n; i++)
        dn_value_map_set_key(m, random_scalar(), random_value(depth + 1));
    return m;
}

static void test_random_round_trips(void **state)
{
    (void)state;
    for (int k = 0; k < 500; k++) {
        dn_value *v = random_value(0);
        assert_round_trip(v);
        dn_value_free(v);
    }
}

static void test_file_output(void **state)
{
    (void)state;
    dn_value *v = yv("{a: [1, 2], b: {c: x}}");
    char dir[] = "/tmp/dn_yaml_emit_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/out.yml", dir);
    dn_error err;
    assert_int_equal(dn_yaml_write_file(v, path, &err), DN_OK);
    dn_value *back;
    assert_int_equal(dn_yaml_load_file(path, &back, &err), DN_OK);
    assert_true(dn_value_identical(v, back));
    dn_value_free(back);
    /* Stream output equals string output. */
    FILE *f = tmpfile();
    assert_int_equal(dn_yaml_emit_file(v, f, &err), DN_OK);
    long size = ftell(f);
    rewind(f);
    char buf[256] = {0};
    assert_int_equal(fread(buf, 1, sizeof buf - 1, f), (size_t)size);
    fclose(f);
    char *text = emit(v);
    assert_string_equal(buf, text);
    free(text);
    unlink(path);
    rmdir(dir);

    /* A directory that does not exist. */
    snprintf(path, sizeof path, "%s/no/such/dir/out.yml", dir);
    dn_error_clear(&err);
    assert_int_equal(dn_yaml_write_file(v, path, &err), DN_ERUNTIME);
    assert_non_null(strstr(err.message, "cannot create"));
    assert_non_null(strstr(err.message, path));
    dn_value_free(v);
}

/* A full disk: /dev/full accepts opens and fails every write with ENOSPC. */
static void test_disk_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0) {
        skip();
    }
    dn_value *v = yv("{a: 1}");
    dn_error err;
    dn_error_clear(&err);
    assert_int_equal(dn_yaml_write_file(v, "/dev/full", &err), DN_ERUNTIME);
    assert_non_null(strstr(err.message, "/dev/full"));
    assert_non_null(strstr(err.message, "No space left on device"));
    /* A value larger than stdio's buffer fails inside the emitter, through FILE*. */
    dn_value *big = dn_value_list();
    for (int i = 0; i < 20000; i++)
        dn_value_list_append(big, dn_value_string("some text to fill the buffers"));
    FILE *f = fopen("/dev/full", "w");
    assert_non_null(f);
    dn_error_clear(&err);
    assert_int_equal(dn_yaml_emit_file(big, f, &err), DN_ERUNTIME);
    assert_non_null(strstr(err.message, "No space left on device"));
    fclose(f);
    dn_value_free(big);
    dn_value_free(v);
}

static void test_invalid_utf8_value(void **state)
{
    (void)state;
    dn_value *v = dn_value_string("bad \xFF byte");
    char *text;
    dn_error err;
    dn_error_clear(&err);
    assert_int_equal(dn_yaml_emit_string(v, &text, &err), DN_EINPUT);
    assert_null(text);
    assert_non_null(
        strstr(err.message, "cannot write a value as YAML: a string is not valid UTF-8"));
    dn_value *m = yv("{a: [x, y]}");
    dn_value_list_append(dn_value_map_get(m, "a"), dn_value_string("\xC0\x80"));
    assert_int_equal(dn_yaml_emit_string(m, &text, &err), DN_EINPUT);
    dn_value_free(m);
    dn_value_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_matches_denest_output),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_keys_and_scalars),
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_file_output),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_invalid_utf8_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Reading YAML: marks, anchors and merge keys, and every bad input the brief lists, each a clean
 * DN_EINPUT error with the exact file:line:column and a distinctive message. */
#include "tree_test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dn_yaml_load_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write bytes to tmpdir/name; returns the path (static buffer per call site is fine here). */
static const char *write_tmp(const char *name, const void *bytes, size_t n, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static dn_status load_file(const char *path, dn_value **v, dn_error *err)
{
    dn_error_clear(err);
    return dn_yaml_load_file(path, v, err);
}

static dn_status load_text(const char *text, dn_value **v, dn_error *err)
{
    dn_error_clear(err);
    return dn_yaml_load_string(text, strlen(text), "<test>", v, err);
}

/* ---- good input ---------------------------------------------------------------------------- */

static void test_marks(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    assert_int_equal(
        load_file(data_path("denest/tutorial/network/models.yml", path, sizeof path), &v, &err),
        DN_OK);
    /* neuron_models/my_neuron/nest_params/g_KL: 1.0 is on line 6, column 13 of models.yml */
    const dn_value *gkl = dn_value_map_get(
        dn_value_map_get(dn_value_map_get(dn_value_map_get(v, "neuron_models"), "my_neuron"),
                         "nest_params"),
        "g_KL");
    assert_non_null(gkl);
    assert_string_equal(gkl->mark.file, path);
    assert_int_equal(gkl->mark.line, 6);
    assert_int_equal(gkl->mark.column, 13);
    const dn_map_entry *e = dn_value_map_entry(v, "neuron_models");
    assert_int_equal(e->key->mark.line, 1);
    assert_int_equal(e->key->mark.column, 1);
    dn_value_free(v);

    /* Columns count characters, not bytes. */
    assert_int_equal(load_text("{é: [ü, x]}", &v, &err), DN_OK);
    const dn_value *l = dn_value_map_get(v, "é");
    assert_int_equal(dn_value_list_at(l, 1)->mark.column, 9);
    dn_value_free(v);
}

static void test_empty_documents(void **state)
{
    (void)state;
    const char *empty[] = {"", "# only a comment\n", "---\n", "---\n...\n", "\n\n", "~"};
    for (size_t k = 0; k < sizeof empty / sizeof *empty; k++) {
        dn_value *v;
        dn_error err;
        assert_int_equal(load_text(empty[k], &v, &err), DN_OK);
        assert_int_equal(v->type, DN_VALUE_NULL);
        dn_value_free(v);
    }
}

static void test_line_endings_and_bom(void **state)
{
    (void)state;
    dn_value *v, *w;
    dn_error err;
    assert_int_equal(load_text("\xEF\xBB\xBF"
                               "a: 1\r\nb:\r\n  - x\r\n",
                               &v, &err),
                     DN_OK);
    w = yv("{a: 1, b: [x]}");
    assert_true(dn_value_identical(v, w));
    assert_int_equal(dn_value_list_at(dn_value_map_get(v, "b"), 0)->mark.line, 3);
    dn_value_free(v);
    dn_value_free(w);
}

static void test_anchors(void **state)
{
    (void)state;
    dn_value *v = yv("base: &b {tau: 10.0, list: [1, 2]}\n"
                     "copy: *b\n"
                     "s: &s text\n"
                     "t: *s\n"
                     "redefined: &b 3\n"
                     "u: *b\n");
    assert_true(dn_value_identical(dn_value_map_get(v, "base"), dn_value_map_get(v, "copy")));
    assert_ptr_not_equal(dn_value_map_get(v, "base"), dn_value_map_get(v, "copy"));
    assert_int_equal(dn_value_map_get(v, "copy")->mark.line, 2); /* the alias' position */
    assert_int_equal(dn_value_map_get(v, "copy")->mark.column, 7);
    assert_string_equal(dn_value_str(dn_value_map_get(v, "t")), "text");
    assert_int_equal(dn_value_map_get(v, "u")->u.i, 3); /* the latest anchor of a name */
    dn_value_free(v);
}

static void test_merge_keys(void **state)
{
    (void)state;
    dn_value *v = yv("a: &a {x: 1, y: 1}\n"
                     "b: &b {y: 2, z: 2}\n"
                     "one:\n  <<: *a\n  y: 9\n"
                     "list:\n  <<: [*a, *b]\n"
                     "inline:\n  w: 0\n  <<: {w: 5, v: 5}\n");
    dn_value *want = yv("{x: 1, y: 9}");
    assert_true(dn_value_identical(dn_value_map_get(v, "one"), want)); /* explicit keys win */
    dn_value_free(want);
    want = yv("{x: 1, y: 1, z: 2}"); /* earlier maps in the list win */
    assert_true(dn_value_identical(dn_value_map_get(v, "list"), want));
    dn_value_free(want);
    want = yv("{w: 0, v: 5}");
    assert_true(dn_value_identical(dn_value_map_get(v, "inline"), want));
    dn_value_free(want);
    /* '<<' quoted is an ordinary key. */
    dn_value *q = yv("'<<': 1");
    assert_int_equal(dn_value_map_get(q, "<<")->u.i, 1);
    dn_value_free(q);
    dn_value_free(v);

    dn_error err;
    assert_error(load_text("a:\n  <<: 3\n", &v, &err), err, DN_EINPUT, "<test>", 2, 7, "",
                 "merge key '<<' takes a mapping");
    assert_error(load_text("a:\n  <<: [{x: 1}, 2]\n", &v, &err), err, DN_EINPUT, "<test>", 2, 16,
                 "", "merge key '<<' takes a mapping");
}

static void test_deep_but_allowed(void **state)
{
    (void)state;
    /* Exactly DN_YAML_MAX_DEPTH nested collections load. */
    size_t n = DN_YAML_MAX_DEPTH;
    char *text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    dn_value *v;
    dn_error err;
    assert_int_equal(load_text(text, &v, &err), DN_OK);
    dn_value_free(v);
    free(text);
}

/* ---- bad input ----------------------------------------------------------------------------- */

static void test_missing_file(void **state)
{
    (void)state;
    dn_value *v = (dn_value *)1;
    dn_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/nope.yml", tmpdir);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 0, 0, "",
                 "No parameter file at ");
    assert_non_null(strstr(err.message, path));
    assert_null(v);
    /* A directory is not a parameter file. */
    assert_error(load_file(tmpdir, &v, &err), err, DN_EINPUT, tmpdir, 0, 0, "", "is a directory");
    /* Unreadable (only meaningful when not running as root). */
    if (geteuid() != 0) {
        write_tmp("secret.yml", "a: 1\n", 5, path, sizeof path);
        chmod(path, 0);
        assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 0, 0, "",
                     "cannot read parameter file");
    }
}

static void test_too_large(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/huge.yml", tmpdir);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 100 << 20), 0); /* sparse: nothing is written */
    close(fd);
    dn_value *v;
    dn_error err;
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 0, 0, "", "is too large");
    assert_non_null(strstr(err.message, "64 MiB"));
    unlink(path);
}

static void test_nul_byte(void **state)
{
    (void)state;
    char path[512];
    write_tmp("nul.yml", "a: 1\nb: x\0y\n", 12, path, sizeof path);
    dn_value *v;
    dn_error err;
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 2, 5, "", "NUL byte");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    char path[512];
    write_tmp("latin1.yml", "a: 1\nb: caf\xE9\n", 12, path, sizeof path);
    dn_value *v;
    dn_error err;
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 2, 7, "", "invalid UTF-8");
    /* overlong encoding and a UTF-16 surrogate are refused too */
    assert_error(load_text("a: \xC0\xAF\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "invalid UTF-8");
    assert_error(load_text("ab: \xED\xA0\x80\n", &v, &err), err, DN_EINPUT, "<test>", 1, 5, "",
                 "invalid UTF-8");
    assert_error(load_text("a: \xE2\x82", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "invalid UTF-8");
}

static void test_tabs(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    data_path("tree/bad/tab.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 4, 1, "",
                 "tab character in indentation; YAML requires spaces");
    assert_error(load_text("a:\n  b: 1\n \tc: 2\n", &v, &err), err, DN_EINPUT, "<test>", 3, 2, "",
                 "tab character in indentation");
    assert_error(load_text("- a\n-\tb\n", &v, &err), err, DN_EINPUT, "<test>", 2, 2, "",
                 "tab character in indentation");
    /* A tab as separator after a key is fine. */
    assert_int_equal(load_text("key:\tvalue\n", &v, &err), DN_OK);
    assert_string_equal(dn_value_str(dn_value_map_get(v, "key")), "value");
    dn_value_free(v);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    data_path("tree/bad/syntax.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 4, 5, "",
                 "YAML syntax error: did not find expected ',' or '}'");
    assert_non_null(strstr(err.message, "flow mapping started at line 3, column 9"));
    data_path("tree/bad/unclosed.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 6, 1, "",
                 "did not find expected ',' or ']'");
    assert_error(load_text("a: b: c\n", &v, &err), err, DN_EINPUT, "<test>", 1, 5, "",
                 "mapping values are not allowed");
    assert_error(load_text("a: \"x\n", &v, &err), err, DN_EINPUT, "<test>", 2, 1, "",
                 "unexpected end of stream");
    assert_error(load_text("a: *nothing\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "alias *nothing is used before an anchor");
    assert_error(load_text("a: &x [1, *x]\n", &v, &err), err, DN_EINPUT, "<test>", 1, 11, "",
                 "recursive");
    assert_error(load_text("? [1]\n: 2\n", &v, &err), err, DN_EINPUT, "<test>", 1, 3, "",
                 "mapping key must be a scalar");
    assert_error(load_text("a: 99999999999999999999\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4,
                 "", "out of range");
    assert_error(load_text("a: \x01\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "control characters are not allowed");
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    data_path("tree/bad/duplicate.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 5, 5, "",
                 "duplicate key 'resolution'");
    assert_non_null(strstr(err.message, "first written at line 3, column 5"));
    /* 1 and 1.0 are one key (as in a Python dict); 1 and '1' are two. */
    assert_error(load_text("{1: a, 1.0: b}", &v, &err), err, DN_EINPUT, "<test>", 1, 8, "",
                 "duplicate key 1.0");
    assert_int_equal(load_text("{1: a, '1': b}", &v, &err), DN_OK);
    dn_value_free(v);
}

static void test_two_documents(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    data_path("tree/bad/two_docs.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 3, 1, "",
                 "a second YAML document");
    assert_error(load_text("a: 1\n...\n---\nb: 2\n", &v, &err), err, DN_EINPUT, "<test>", 3, 1, "",
                 "exactly one document");
}

static void test_tags(void **state)
{
    (void)state;
    char path[512];
    dn_value *v;
    dn_error err;
    data_path("tree/bad/unknown_tag.yml", path, sizeof path);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, 3, 17, "",
                 "unsupported YAML tag !!decimal");
    assert_error(load_text("a: !!int 1.5\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "'1.5' is not a valid integer value for the tag !!int");
    assert_error(load_text("a: !!float x\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "not a valid decimal");
    assert_error(load_text("a: !!bool 1\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "not a valid boolean");
    assert_error(load_text("a: !!set {x}\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "unsupported YAML tag !!set on a mapping");
    assert_error(load_text("a: !!map [1]\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "on a sequence");
    assert_error(load_text("a: !!binary aGk=\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "unsupported YAML tag !!binary");
    assert_error(load_text("a: !local x\n", &v, &err), err, DN_EINPUT, "<test>", 1, 4, "",
                 "unsupported YAML tag !local");
}

static void test_too_deep(void **state)
{
    (void)state;
    /* 10 000 levels, block and flow: a clean error at the level past the limit. */
    size_t n = 10000;
    char *text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    dn_value *v;
    dn_error err;
    assert_error(load_text(text, &v, &err), err, DN_EINPUT, "<test>", 1, DN_YAML_MAX_DEPTH + 1, "",
                 "nesting deeper than 1000 levels");
    free(text);
    size_t cap = n * (n + 8) / 8; /* block mappings: "k:\n" + indentation per level */
    (void)cap;
    char path[512];
    snprintf(path, sizeof path, "%s/deep.yml", tmpdir);
    FILE *f = fopen(path, "w");
    for (size_t i = 0; i < 1500; i++)
        fprintf(f, "%*sk:\n", (int)i, "");
    fclose(f);
    assert_error(load_file(path, &v, &err), err, DN_EINPUT, path, DN_YAML_MAX_DEPTH + 1,
                 DN_YAML_MAX_DEPTH + 1, "", "nesting deeper than");
}

static void test_billion_laughs(void **state)
{
    (void)state;
    char text[2048];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, "
                                  "lol, lol]\n");
    for (int i = 1; i < 10; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "l%d: &l%d [", i, i);
        for (int k = 0; k < 9; k++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%s*l%d", k ? ", " : "", i - 1);
        len += (size_t)snprintf(text + len, sizeof text - len, "]\n");
    }
    dn_value *v;
    dn_error err;
    assert_int_equal(load_text(text, &v, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "aliases expand to more than"));
    assert_string_equal(err.mark.file, "<test>");
    assert_true(err.mark.line >= 5 && err.mark.line <= 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_empty_documents),
        cmocka_unit_test(test_line_endings_and_bom),
        cmocka_unit_test(test_anchors),
        cmocka_unit_test(test_merge_keys),
        cmocka_unit_test(test_deep_but_allowed),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_tabs),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_two_documents),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_billion_laughs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

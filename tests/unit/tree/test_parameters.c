/* deNEST's test_parameters.py (spec §11.1) as cmocka tests: construction, equality, inherited
 * access, leaves, read/write, asdict, and the five-tree merge fixture. */
#include "tree_test.h"

#include <unistd.h>

/* Fixture `x` of test_parameters.py (equal to tests/tree.yml). */
static const char *X_YAML =
    "params:      {c0_1: '1', a: c0_a1, b: c0_b1}\n"
    "nest_params: {c0_2: '2', a: c0_a2, b: c0_b2}\n"
    "c1: {params: {a: c1_a1, b: c1_b1}, nest_params: {a: c1_a2, b: c1_b2}}\n"
    "c2:\n"
    "  params: {a: c2_a1, b: c2_b1}\n"
    "  cc2:\n"
    "    ccc2: {params: {a: ccc2_a1}, nest_params: {b: ccc2_b2}}\n"
    "c3: {cc3: {}}\n";

/* The five merge trees of the `trees` fixture (earliest wins). */
static const char *T_YAML[5] = {
    "{params: {0: 0}, 0: {params: {}}}",
    "{params: {0: 1, 1: 1}, nest_params: {0: 1, 1: 1}, 0: {params: {test_key: test_value}}}",
    "{params: {0: 0}, nest_params: {0: 0}, 0: {params: {test_key: overriden_value}}, 1: {}}",
    "{params: {0: 0, 2: 2, 3: 3}, nest_params: {0: 0, 2: 2, 3: 3}, 1: {params: {0: 0}}, 2: {}}",
    "{params: {0: 0, 1: 2, hello: 0}, nest_params: {hello: 0}, hi: {}}",
};

static const dn_tree *at(const dn_tree *t, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *s = strtok(buf, "/"); s && t; s = strtok(NULL, "/"))
        t = dn_tree_child(t, s);
    assert_non_null(t);
    return t;
}

static const dn_tree *child_int(const dn_tree *t, int64_t name)
{
    dn_value *k = dn_value_int(name);
    const dn_tree *c = dn_tree_child_key(t, k);
    dn_value_free(k);
    return c;
}

static void assert_param_str(const dn_tree *t, dn_tree_data w, const char *key, const char *want)
{
    const dn_value *v = dn_tree_get_param(t, w, key);
    assert_non_null(v);
    assert_int_equal(v->type, DN_VALUE_STRING);
    assert_string_equal(dn_value_str(v), want);
}

/* Effective value of an int key, which must be an int equal to want. */
static void assert_param_int(const dn_tree *t, dn_tree_data w, int64_t key, int64_t want)
{
    dn_value *k = dn_value_int(key);
    const dn_value *v = dn_tree_find_param_key(t, w, k, NULL);
    dn_value_free(k);
    assert_non_null(v);
    assert_int_equal(v->type, DN_VALUE_INT);
    assert_int_equal(v->u.i, want);
}

static dn_tree *merged_fixture(dn_tree *inputs[5])
{
    for (int i = 0; i < 5; i++)
        inputs[i] = yt(T_YAML[i]);
    dn_tree *m;
    dn_error err;
    assert_int_equal(dn_tree_merge((const dn_tree *const *)inputs, 5, &m, &err), DN_OK);
    return m;
}

static void free_fixture(dn_tree *inputs[5], dn_tree *m)
{
    for (int i = 0; i < 5; i++)
        dn_tree_free(inputs[i]);
    dn_tree_free(m);
}

static void test_init(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    dn_tree *file;
    dn_error err;
    char path[512];
    assert_int_equal(
        dn_tree_read(data_path("denest/tests/tree.yml", path, sizeof path), &file, &err), DN_OK);
    assert_true(dn_tree_equal(x, file)); /* tree.yml equals fixture x (spec §11) */
    assert_int_equal(dn_tree_n_children(x), 3);
    assert_null(x->name);
    assert_null(x->parent);
    dn_tree_free(x);
    dn_tree_free(file);
}

static void test_eq(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    assert_true(dn_tree_equal(x, x));
    dn_tree *e1 = yt(""), *e2 = yt("{}");
    assert_true(dn_tree_equal(e1, e2));
    assert_false(dn_tree_equal(x, e1));

    struct {
        const char *a, *b;
        bool equal;
    } cases[] = {
        {"{0: {}, 1: {}}", "{0: {}, 1: {}}", true},
        {"{0: {}, 1: {}}", "{1: {}, 2: {}}", false},
        {"{0: {}, 1: {}}", "{'0': {}, '1': {}}", false}, /* int names are not strings */
        {"params: {a: 1}", "params: {a: 1}", true},
        {"nest_params: {a: 1}", "nest_params: {a: 1}", true},
        {"{params: {a: 1}, nest_params: {b: 2}}", "{nest_params: {b: 2}, params: {a: 1}}", true},
        {"{params: {a: 1, b: 2}}", "{params: {b: 2, a: 1}}", true}, /* order ignored */
        {"{params: {a: 1}, c: {d: {}}}", "{params: {a: 1}, c: {d: {}}}", true},
        {"{params: {a: 1}, c: {d: {}}}", "{params: {a: 1}, c: {e: {}}}", false},
        {"{params: {a: 1}, c: {}}", "{params: {a: 1}, e: {}}", false},
        {"{params: {a: 1}}", "{params: {a: 2}}", false},
        {"{params: {a: 1}, c: {}}", "{params: {a: 2}, c: {}}", false},
        {"{params: {a: 1}}", "{nest_params: {a: 1}}", false},
        {"{params: {}, nest_params: {}}", "{}", true},              /* {} equals missing */
        {"{c: }", "{c: {}}", true},                                 /* a null child equals {} */
        {"{c: {params: {x: 1}}}", "{c: {params: {x: 1.0}}}", true}, /* Python: 1 == 1.0 */
        {"{a: {b: {}}, c: {}}", "{c: {}, a: {b: {}}}", true},       /* child order ignored */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dn_tree *a = yt(cases[i].a), *b = yt(cases[i].b);
        if (dn_tree_equal(a, b) != cases[i].equal || dn_tree_equal(b, a) != cases[i].equal)
            fail_msg("case %zu: %s vs %s should be %s", i, cases[i].a, cases[i].b,
                     cases[i].equal ? "equal" : "unequal");
        dn_tree_free(a);
        dn_tree_free(b);
    }
    dn_tree_free(x);
    dn_tree_free(e1);
    dn_tree_free(e2);
}

/* t[k], t.k and t.data[k] are one view in deNEST; here: lookups agree with the materialised
 * effective map for every key, at the root and at a deep leaf. */
static void test_access(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const dn_tree *nodes[2] = {x, at(x, "c2/cc2/ccc2")};
    for (int n = 0; n < 2; n++) {
        for (int w = 0; w < DN_TREE_NDATA; w++) {
            dn_value *eff;
            dn_error err;
            assert_int_equal(dn_tree_effective(nodes[n], (dn_tree_data)w, &eff, &err), DN_OK);
            assert_int_equal(dn_value_len(eff), 3);
            for (size_t i = 0; i < dn_value_len(eff); i++) {
                const dn_map_entry *e = dn_value_map_at(eff, i);
                const dn_value *v =
                    dn_tree_get_param(nodes[n], (dn_tree_data)w, dn_value_str(e->key));
                assert_true(dn_value_identical(v, e->value));
            }
            dn_value_free(eff);
        }
    }
    /* ccc2 sees its own a, c2's b, the root's c0_1 */
    assert_param_str(nodes[1], DN_PARAMS, "a", "ccc2_a1");
    assert_param_str(nodes[1], DN_PARAMS, "b", "c2_b1");
    assert_param_str(nodes[1], DN_NEST_PARAMS, "b", "ccc2_b2");
    assert_param_str(nodes[1], DN_NEST_PARAMS, "a", "c0_a2");
    const dn_tree *owner;
    dn_tree_find_param(nodes[1], DN_PARAMS, "b", &owner);
    assert_ptr_equal(owner, at(x, "c2"));
    assert_null(dn_tree_find_param(nodes[1], DN_PARAMS, "zzz", &owner));
    assert_null(owner);
    dn_tree_free(x);
}

static void test_missing(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const dn_tree *cc3 = at(x, "c3/cc3");
    assert_param_str(cc3, DN_PARAMS, "c0_1", "1"); /* quoted '1' stays a string */
    assert_param_str(cc3, DN_PARAMS, "a", "c0_a1");
    assert_param_str(cc3, DN_PARAMS, "b", "c0_b1");
    assert_param_str(cc3, DN_NEST_PARAMS, "c0_2", "2");
    assert_int_equal(dn_value_len(dn_tree_own(cc3, DN_PARAMS)), 0);
    dn_tree_free(x);
}

static void test_contains(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const char *paths[] = {"c2", "c2/cc2", "c2/cc2/ccc2"};
    assert_non_null(dn_tree_get_param(x, DN_PARAMS, "c0_1"));
    for (int i = 0; i < 3; i++)
        assert_non_null(dn_tree_get_param(at(x, paths[i]), DN_PARAMS, "c0_1"));
    assert_null(dn_tree_get_param(x, DN_NEST_PARAMS, "c0_1"));
    dn_tree_free(x);
}

static void test_ancestors(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const dn_tree *ccc2 = at(x, "c2/cc2/ccc2");
    assert_ptr_equal(ccc2->parent, at(x, "c2/cc2"));
    assert_ptr_equal(ccc2->parent->parent, at(x, "c2"));
    assert_ptr_equal(ccc2->parent->parent->parent, x);
    assert_null(x->parent);
    assert_ptr_equal(dn_tree_root(ccc2), x);
    char buf[128];
    assert_string_equal(dn_tree_path(ccc2, NULL, buf, sizeof buf), "c2/cc2/ccc2");
    assert_string_equal(dn_tree_path(ccc2, "params", buf, sizeof buf), "c2/cc2/ccc2/params");
    assert_string_equal(dn_tree_path(x, NULL, buf, sizeof buf), "");
    assert_string_equal(dn_tree_path(x, "params", buf, sizeof buf), "params");
    dn_tree_free(x);
}

static void assert_keys(const dn_tree *t, dn_tree_data w, const char *const *want, size_t n)
{
    dn_value *eff;
    dn_error err;
    assert_int_equal(dn_tree_effective(t, w, &eff, &err), DN_OK);
    assert_int_equal(dn_value_len(eff), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(dn_value_str(dn_value_map_at(eff, i)->key), want[i]);
    dn_value_free(eff);
}

static void test_keys(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const char *p[] = {"c0_1", "a", "b"}, *n[] = {"c0_2", "a", "b"};
    assert_keys(x, DN_PARAMS, p, 3);
    assert_keys(x, DN_NEST_PARAMS, n, 3);
    /* Root-most keys first (ChainMap order), values from the nearest node. */
    assert_keys(at(x, "c2/cc2/ccc2"), DN_PARAMS, p, 3);
    dn_tree_free(x);
}

static void test_leaves(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const dn_tree **leaves;
    size_t n;
    dn_error err;
    assert_int_equal(dn_tree_leaves(x, true, &leaves, &n, &err), DN_OK);
    assert_int_equal(n, 3);
    const char *own[3] = {"{params: {a: c1_a1, b: c1_b1}, nest_params: {a: c1_a2, b: c1_b2}}",
                          "{params: {a: ccc2_a1}, nest_params: {b: ccc2_b2}}", "{}"};
    for (int i = 0; i < 3; i++) {
        dn_tree *want = yt(own[i]);
        assert_true(dn_tree_equal(leaves[i], want));
        dn_tree_free(want);
    }
    free(leaves);
    /* Childless node: [self] with include_self, [] without. */
    const dn_tree *cc3 = at(x, "c3/cc3");
    assert_int_equal(dn_tree_leaves(cc3, true, &leaves, &n, &err), DN_OK);
    assert_int_equal(n, 1);
    assert_ptr_equal(leaves[0], cc3);
    free(leaves);
    assert_int_equal(dn_tree_leaves(cc3, false, &leaves, &n, &err), DN_OK);
    assert_int_equal(n, 0);
    assert_null(leaves);
    dn_tree_free(x);
}

static void test_named_leaves(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    const dn_tree **leaves;
    size_t n;
    dn_error err;
    assert_int_equal(dn_tree_leaves(x, false, &leaves, &n, &err), DN_OK);
    const char *names[] = {"c1", "ccc2", "cc3"};
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(dn_value_str(leaves[i]->name), names[i]);
    free(leaves);
    dn_tree_free(x);
}

static void test_read_write(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    char dir[] = "/tmp/dn_tree_rw_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/tree.yml", dir);
    dn_error err;
    assert_int_equal(dn_tree_write(x, path, &err), DN_OK);
    dn_tree *back;
    assert_int_equal(dn_tree_read(path, &back, &err), DN_OK);
    assert_true(dn_tree_equal(x, back));
    /* Marks of the re-read tree point into the written file. */
    assert_string_equal(at(back, "c2/cc2/ccc2")->mark.file, path);
    dn_tree_free(back);
    dn_tree_free(x);
    unlink(path);
    rmdir(dir);
}

static void test_asdict(void **state)
{
    (void)state;
    dn_tree *x = yt(X_YAML);
    dn_value *d;
    dn_error err;
    assert_int_equal(dn_tree_asdict(x, &d, &err), DN_OK);
    /* params, nest_params first (always present), then children in stored order */
    const char *keys[] = {"params", "nest_params", "c1", "c2", "c3"};
    assert_int_equal(dn_value_len(d), 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(dn_value_str(dn_value_map_at(d, (size_t)i)->key), keys[i]);
    const dn_value *cc3 = dn_value_map_get(dn_value_map_get(d, "c3"), "cc3");
    assert_int_equal(dn_value_len(dn_value_map_get(cc3, "params")), 0);
    assert_int_equal(dn_value_map_get(cc3, "nest_params")->type, DN_VALUE_MAP);
    dn_tree *back;
    assert_int_equal(dn_tree_from_value(d, &back, &err), DN_OK);
    assert_true(dn_tree_equal(x, back));
    /* Only own data: the leaf's asdict has no inherited values. */
    dn_value *leaf;
    assert_int_equal(dn_tree_asdict(at(x, "c3/cc3"), &leaf, &err), DN_OK);
    assert_int_equal(dn_value_len(dn_value_map_get(leaf, "params")), 0);
    dn_value_free(leaf);
    dn_value_free(d);
    dn_tree_free(back);
    dn_tree_free(x);
}

static void test_merge(void **state)
{
    (void)state;
    dn_tree *in[5];
    dn_tree *m = merged_fixture(in);
    dn_value *before[5];
    dn_error err;
    for (int i = 0; i < 5; i++) {
        assert_false(dn_tree_equal(m, in[i]));
        assert_int_equal(dn_tree_asdict(in[i], &before[i], &err), DN_OK);
    }
    dn_tree *mm = dn_tree_child_at(m, 0);
    assert_int_equal(dn_tree_set_param(m, DN_PARAMS, "NEW_KEY", dn_value_string("x")), DN_OK);
    assert_int_equal(dn_tree_set_param(m, DN_NEST_PARAMS, "NEW_KEY", dn_value_string("x")), DN_OK);
    assert_int_equal(dn_tree_set_param(mm, DN_PARAMS, "NEW_KEY", dn_value_string("y")), DN_OK);
    for (int i = 0; i < 5; i++) {
        assert_null(dn_tree_get_param(in[i], DN_PARAMS, "NEW_KEY"));
        assert_null(dn_tree_get_param(in[i], DN_NEST_PARAMS, "NEW_KEY"));
        dn_value *after;
        assert_int_equal(dn_tree_asdict(in[i], &after, &err), DN_OK);
        assert_true(dn_value_identical(before[i], after)); /* inputs unchanged */
        dn_value_free(after);
        dn_value_free(before[i]);
    }
    for (int w = 0; w < DN_TREE_NDATA; w++) {
        for (int64_t k = 0; k <= 2; k++) {
            dn_value *key = dn_value_int(k);
            assert_non_null(dn_tree_find_param_key(m, (dn_tree_data)w, key, NULL));
            dn_value_free(key);
        }
        assert_non_null(dn_tree_get_param(m, (dn_tree_data)w, "hello"));
    }
    for (int64_t k = 0; k <= 2; k++)
        assert_non_null(child_int(m, k));
    assert_non_null(dn_tree_child(m, "hi"));
    assert_param_str(child_int(m, 0), DN_PARAMS, "test_key", "test_value");
    free_fixture(in, m);
}

static void test_merge_precedence(void **state)
{
    (void)state;
    dn_tree *in[5];
    dn_tree *m = merged_fixture(in);
    assert_param_int(m, DN_PARAMS, 0, 0);      /* T0 */
    assert_param_int(m, DN_PARAMS, 1, 1);      /* T1 beats T4 */
    assert_param_int(m, DN_NEST_PARAMS, 0, 1); /* T1 is the first with nest_params */
    assert_param_str(child_int(m, 0), DN_PARAMS, "test_key", "test_value");
    free_fixture(in, m);
}

static void test_merge_access_traversal(void **state)
{
    (void)state;
    dn_tree *in[5];
    dn_tree *m = merged_fixture(in);
    assert_param_int(m, DN_NEST_PARAMS, 3, 3);
    const dn_value *hello = dn_tree_get_param(m, DN_NEST_PARAMS, "hello");
    assert_int_equal(hello->u.i, 0);
    assert_param_int(child_int(m, 1), DN_PARAMS, 0, 0);
    free_fixture(in, m);
}

static void test_merge_children(void **state)
{
    (void)state;
    dn_tree *in[5];
    dn_tree *m = merged_fixture(in);
    /* deNEST: the set {hi, 0, 1, 2}; deNEST-C: first-appearance order 0, 1, 2, hi. */
    assert_int_equal(dn_tree_n_children(m), 4);
    for (int64_t k = 0; k < 3; k++) {
        assert_int_equal(m->children[k]->name->type, DN_VALUE_INT);
        assert_int_equal(m->children[k]->name->u.i, k);
    }
    assert_string_equal(dn_value_str(m->children[3]->name), "hi");
    free_fixture(in, m);
}

static void test_merge_inheritance(void **state)
{
    (void)state;
    dn_tree *a = yt("{intermediate1: {params: {key: intermediate, NEW_KEY: intermediate}}}");
    dn_tree *b = yt("{params: {key: root}, intermediate1: {params: {key: overriden}, leaf1: "
                    "{params: {key: leaf}}, leaf2: {}}, intermediate2: {leaf1: {params: {other: "
                    "other}}}}");
    const dn_tree *in[2] = {a, b};
    dn_tree *m;
    dn_error err;
    assert_int_equal(dn_tree_merge(in, 2, &m, &err), DN_OK);
    assert_param_str(at(m, "intermediate1/leaf1"), DN_PARAMS, "key", "leaf");
    assert_param_str(at(m, "intermediate1/leaf2"), DN_PARAMS, "key", "intermediate");
    assert_param_str(at(m, "intermediate1/leaf1"), DN_PARAMS, "NEW_KEY", "intermediate");
    assert_param_str(at(m, "intermediate2/leaf1"), DN_PARAMS, "key", "root");
    dn_tree_free(m);
    dn_tree_free(a);
    dn_tree_free(b);
}

static void test_merge_edge_cases(void **state)
{
    (void)state;
    dn_tree *m;
    dn_error err;
    /* deNEST raises TypeError for zero trees; we return an empty tree. */
    assert_int_equal(dn_tree_merge(NULL, 0, &m, &err), DN_OK);
    dn_tree *e = yt("");
    assert_true(dn_tree_equal(m, e));
    dn_tree_free(m);
    dn_tree_free(e);
    /* A leaf in one tree with children in another is an inner node; the winning value keeps
     * its mark (from which tree it came). */
    dn_tree *a = yt("x: {params: {p: 1}}");
    dn_tree *b = yt("x: {y: {params: {q: 2}}, params: {p: 9, r: 3}}");
    const dn_tree *in[2] = {a, b};
    assert_int_equal(dn_tree_merge(in, 2, &m, &err), DN_OK);
    const dn_tree *y = at(m, "x/y");
    assert_int_equal(dn_tree_get_param(y, DN_PARAMS, "p")->u.i, 1);
    assert_int_equal(dn_tree_get_param(y, DN_PARAMS, "r")->u.i, 3);
    assert_int_equal(dn_tree_get_param(y, DN_PARAMS, "p")->mark.column, 17);
    assert_int_equal(dn_tree_get_param(y, DN_PARAMS, "r")->mark.column, 44);
    /* Merging one tree copies it. */
    dn_tree *one;
    assert_int_equal(dn_tree_merge((const dn_tree *const *)&b, 1, &one, &err), DN_OK);
    assert_true(dn_tree_equal(one, b));
    assert_ptr_not_equal(dn_tree_child(one, "x"), dn_tree_child(b, "x"));
    dn_tree_free(one);
    dn_tree_free(m);
    dn_tree_free(a);
    dn_tree_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_ancestors),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_leaves),
        cmocka_unit_test(test_named_leaves),
        cmocka_unit_test(test_read_write),
        cmocka_unit_test(test_asdict),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_precedence),
        cmocka_unit_test(test_merge_access_traversal),
        cmocka_unit_test(test_merge_children),
        cmocka_unit_test(test_merge_inheritance),
        cmocka_unit_test(test_merge_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

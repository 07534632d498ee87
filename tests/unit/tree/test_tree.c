/* ParamsTree beyond test_parameters.py: the §1.1 validation table with exact marks and tree paths,
 * inheritance order, repr/str as deNEST prints them, duplicate leaf names, copy, building in code,
 * and command-line assignments. */
#include "tree_test.h"

static dn_status read_text(const char *text, dn_tree **t, dn_error *err)
{
    dn_error_clear(err);
    return dn_tree_read_string(text, strlen(text), "<test>", t, err);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    while (n && buf[n - 1] == '\n') /* the tutorial text ends each output with blank lines */
        buf[--n] = '\0';
    return buf;
}

/* ---- §1.1 validation ----------------------------------------------------------------------- */

static void test_valid_shapes(void **state)
{
    (void)state;
    dn_tree *t;
    dn_error err;
    const char *empty[] = {"", "~", "{}", "# nothing\n"};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(read_text(empty[k], &t, &err), DN_OK);
        assert_int_equal(dn_tree_n_children(t), 0);
        assert_int_equal(dn_value_len(dn_tree_own(t, DN_PARAMS)), 0);
        dn_tree_free(t);
    }
    /* null and {} children are empty nodes; data keys never become children. */
    assert_int_equal(read_text("a:\nb: ~\nc: {}\nparams: {x: 1}\nnest_params: {}\n", &t, &err),
                     DN_OK);
    assert_int_equal(dn_tree_n_children(t), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(dn_tree_n_children(dn_tree_child_at(t, i)), 0);
    assert_null(dn_tree_child(t, "params"));
    /* marks: a node's is its key's; data marks are the data keys' */
    assert_int_equal(dn_tree_child(t, "b")->mark.line, 2);
    assert_int_equal(dn_tree_child(t, "b")->mark.column, 1);
    assert_int_equal(t->data_mark[DN_PARAMS].line, 4);
    assert_int_equal(t->data_mark[DN_NEST_PARAMS].line, 5);
    dn_tree_free(t);
    /* Non-string child names stay what YAML made them. */
    assert_int_equal(read_text("0: {}\n'0': {}\ntrue: {}\n~: {}\n", &t, &err), DN_OK);
    assert_int_equal(t->children[0]->name->type, DN_VALUE_INT);
    assert_int_equal(t->children[1]->name->type, DN_VALUE_STRING);
    assert_int_equal(t->children[2]->name->type, DN_VALUE_BOOL);
    assert_int_equal(t->children[3]->name->type, DN_VALUE_NULL);
    char buf[64];
    assert_string_equal(dn_tree_name_text(t->children[2], buf, sizeof buf), "True");
    assert_string_equal(dn_tree_name_text(t->children[3], buf, sizeof buf), "None");
    assert_string_equal(dn_tree_name_text(t, buf, sizeof buf), "None");
    dn_tree_free(t);
}

static void test_invalid_shapes(void **state)
{
    (void)state;
    dn_tree *t = (dn_tree *)1;
    dn_error err;
    /* a non-empty non-mapping child */
    assert_error(read_text("network:\n  layers:\n    l1: 3\n", &t, &err), err, DN_EINPUT, "<test>",
                 3, 9, "network/layers/l1", "must be a mapping, not an integer (3)");
    assert_null(t);
    assert_error(read_text("network:\n  layers:\n    l1: [1]\n", &t, &err), err, DN_EINPUT,
                 "<test>", 3, 9, "network/layers/l1", "not a list ([1])");
    /* falsy non-mappings: deNEST crashes, we report */
    assert_error(read_text("foo: []\n", &t, &err), err, DN_EINPUT, "<test>", 1, 6, "foo",
                 "not a list ([])");
    assert_error(read_text("foo: 0\n", &t, &err), err, DN_EINPUT, "<test>", 1, 6, "foo",
                 "not an integer (0)");
    assert_error(read_text("a:\n  foo: ''\n", &t, &err), err, DN_EINPUT, "<test>", 2, 8, "a/foo",
                 "not a string ('')");
    assert_error(read_text("foo: false\n", &t, &err), err, DN_EINPUT, "<test>", 1, 6, "foo",
                 "not a boolean (False)");
    /* data keys: null (either spelling), scalars, lists */
    assert_error(read_text("l1:\n  params:\n", &t, &err), err, DN_EINPUT, "<test>", 2, 3,
                 "l1/params", "'params' is empty (null)");
    assert_error(read_text("l1:\n  params: ~\n", &t, &err), err, DN_EINPUT, "<test>", 2, 3,
                 "l1/params", "is empty (null); write {}");
    assert_error(read_text("params: 3\n", &t, &err), err, DN_EINPUT, "<test>", 1, 9, "params",
                 "'params' must be a mapping, not an integer (3)");
    assert_error(read_text("a:\n  b:\n    nest_params: [x, y]\n", &t, &err), err, DN_EINPUT,
                 "<test>", 3, 18, "a/b/nest_params", "'nest_params' must be a mapping, not a list");
    assert_error(read_text("nest_params: {}\nc: {nest_params: text}\n", &t, &err), err, DN_EINPUT,
                 "<test>", 2, 18, "c/nest_params", "not a string ('text')");
    /* top level */
    assert_error(read_text("- a\n- b\n", &t, &err), err, DN_EINPUT, "<test>", 1, 1, "",
                 "top level of a parameter tree must be a mapping, not a list (['a', 'b'])");
    assert_error(read_text("just text\n", &t, &err), err, DN_EINPUT, "<test>", 1, 1, "",
                 "not a string ('just text')");
    /* integer child names appear in paths as Python's str() */
    assert_error(read_text("layers:\n  0:\n    params: 1.5\n", &t, &err), err, DN_EINPUT, "<test>",
                 3, 13, "layers/0/params", "not a decimal (1.5)");
    /* a long bad value is shortened in the message */
    assert_error(
        read_text(
            "a: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, "
            "ccccccccccccccccccccc]\n",
            &t, &err),
        err, DN_EINPUT, "<test>", 1, 4, "a", "...)");
}

static void test_invalid_files(void **state)
{
    (void)state;
    dn_tree *t;
    dn_error err;
    char path[512];
    data_path("tree/bad/params_null.yml", path, sizeof path);
    dn_error_clear(&err);
    assert_error(dn_tree_read(path, &t, &err), err, DN_EINPUT, path, 4, 7,
                 "network/layers/l1/params", "'params' is empty (null)");
    data_path("tree/bad/child_list.yml", path, sizeof path);
    assert_error(dn_tree_read(path, &t, &err), err, DN_EINPUT, path, 3, 9, "network/layers/l1",
                 "not a list ([])");
    data_path("tree/bad/top_list.yml", path, sizeof path);
    assert_error(dn_tree_read(path, &t, &err), err, DN_EINPUT, path, 1, 1, "",
                 "top level of a parameter tree");
    char line[2048];
    dn_error_format(&err, line, sizeof line);
    assert_non_null(strstr(line, "top_list.yml:1:1: the top level"));
    /* YAML-level errors pass through dn_tree_read with their marks */
    data_path("tree/bad/tab.yml", path, sizeof path);
    assert_error(dn_tree_read(path, &t, &err), err, DN_EINPUT, path, 4, 1, "", "tab character");
    data_path("tree/nope.yml", path, sizeof path);
    assert_error(dn_tree_read(path, &t, &err), err, DN_EINPUT, path, 0, 0, "",
                 "No parameter file at");
}

/* ---- inheritance ---------------------------------------------------------------------------- */

static void assert_effective_repr(const dn_tree *t, dn_tree_data w, const char *want)
{
    dn_value *eff;
    dn_error err;
    assert_int_equal(dn_tree_effective(t, w, &eff, &err), DN_OK);
    char *r = dn_value_repr(eff);
    assert_string_equal(r, want);
    free(r);
    dn_value_free(eff);
}

static void test_effective_order(void **state)
{
    (void)state;
    dn_tree *t = yt("params: {a: 1, b: 2}\n"
                    "mid:\n  params: {c: 3, a: 10}\n"
                    "  leaf:\n    params: {b: 20, d: 4, mask: {circular: {radius: 2}}}\n"
                    "other:\n  params: {mask: {rectangular: {}}}\n");
    const dn_tree *leaf = dn_tree_child(dn_tree_child(t, "mid"), "leaf");
    /* ChainMap order: root keys first (values from the nearest), new keys as they come. */
    assert_effective_repr(
        leaf, DN_PARAMS, "{'a': 10, 'b': 20, 'c': 3, 'd': 4, 'mask': {'circular': {'radius': 2}}}");
    assert_effective_repr(leaf, DN_NEST_PARAMS, "{}");
    const dn_tree *owner;
    const dn_value *a = dn_tree_find_param(leaf, DN_PARAMS, "a", &owner);
    assert_ptr_equal(owner, dn_tree_child(t, "mid"));
    assert_int_equal(a->mark.line, 3); /* where it was written */
    assert_int_equal(a->mark.column, 21);
    dn_tree_free(t);
}

/* The tutorial's neuron_models leaves and what dict(l.params) shows (cell In[86]). */
static void test_tutorial_leaves(void **state)
{
    (void)state;
    char path[512];
    dn_tree *t;
    dn_error err;
    assert_int_equal(
        dn_tree_read(data_path("denest/tutorial/network_tree.yml", path, sizeof path), &t, &err),
        DN_OK);
    const dn_tree *nm = dn_tree_child(dn_tree_child(t, "network"), "neuron_models");
    const dn_tree **leaves;
    size_t n;
    assert_int_equal(dn_tree_leaves(nm, true, &leaves, &n, &err), DN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(dn_value_str(leaves[0]->name), "l1_exc");
    assert_string_equal(dn_value_str(leaves[1]->name), "l1_inh");
    assert_effective_repr(leaves[0], DN_PARAMS, "{'nest_model': 'ht_neuron'}");
    assert_effective_repr(leaves[0], DN_NEST_PARAMS, "{'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -44.0}");
    assert_effective_repr(leaves[1], DN_NEST_PARAMS, "{'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -55.0}");
    char p[256];
    assert_string_equal(dn_tree_path(leaves[0], NULL, p, sizeof p),
                        "network/neuron_models/my_neuron/l1_exc");
    free(leaves);
    /* In[88]: recorder models inherit record_to from the subtree root */
    const dn_tree *rm = dn_tree_child(dn_tree_child(t, "network"), "recorder_models");
    assert_int_equal(dn_tree_leaves(rm, true, &leaves, &n, &err), DN_OK);
    assert_int_equal(n, 3);
    assert_effective_repr(leaves[1], DN_NEST_PARAMS,
                          "{'record_to': ['memory', 'file'], 'record_from': ['V_m']}");
    free(leaves);
    dn_tree_free(t);
}

/* ---- printing ------------------------------------------------------------------------------ */

static void assert_repr_file(const dn_tree *node, const char *rel)
{
    char path[512];
    char *want = slurp(data_path(rel, path, sizeof path));
    char *got;
    dn_error err;
    assert_int_equal(dn_tree_repr(node, &got, &err), DN_OK);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void test_repr_tutorial(void **state)
{
    (void)state;
    char path[512];
    dn_tree *net, *full;
    dn_error err;
    assert_int_equal(
        dn_tree_read(data_path("denest/tutorial/network_tree.yml", path, sizeof path), &net, &err),
        DN_OK);
    assert_int_equal(
        dn_tree_read(data_path("denest/tutorial/parameter_tree.yml", path, sizeof path), &full,
                     &err),
        DN_OK);
    const dn_tree *network = dn_tree_child(net, "network");
    assert_repr_file(network, "tree/repr/network.txt"); /* 146 lines: truncated, [116 lines] */
    assert_repr_file(dn_tree_child(network, "neuron_models"), "tree/repr/neuron_models.txt");
    assert_repr_file(dn_tree_child(full, "session_models"), "tree/repr/session_models.txt");
    dn_tree_free(net);
    dn_tree_free(full);
}

static void test_repr_edges(void **state)
{
    (void)state;
    dn_error err;
    char *s;
    dn_tree *t = yt("");
    assert_int_equal(dn_tree_repr(t, &s, &err), DN_OK);
    assert_string_equal(
        s, "ParamsTree(name='None', parent=None)\n  params: {}\n  nest_params: {}\n  ");
    free(s);
    assert_int_equal(dn_tree_set_name(t, "dir/tree_paths.yml"), DN_OK);
    dn_tree *c;
    assert_int_equal(dn_tree_add_child(t, "x", &c, &err), DN_OK);
    assert_int_equal(dn_tree_repr(c, &s, &err), DN_OK);
    assert_string_equal(s, "ParamsTree(name='x', parent='dir/tree_paths.yml')\n  params: {}\n"
                           "  nest_params: {}\n  ");
    free(s);
    dn_tree_free(t);
    /* Exactly 29 lines are kept whole; 30 are cut to 15 + 15 ("[0 lines]"). */
    t = yt("params: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10, k: 11, l: 12, "
           "m: 13, n: 14, o: 15, p: 16, q: 17, r: 18, s: 19, t: 20, u: 21, v: 22, w: 23, x: 24, "
           "y: 25, z: 26}");
    assert_int_equal(dn_tree_repr(t, &s, &err), DN_OK); /* 28 YAML lines + the last empty one */
    assert_null(strstr(s, "lines] ..."));
    free(s);
    assert_int_equal(dn_tree_set_param(t, DN_PARAMS, "zz", dn_value_int(27)), DN_OK);
    assert_int_equal(dn_tree_repr(t, &s, &err), DN_OK);
    assert_non_null(strstr(s, "    n: 14\n  \n  ... [0 lines] ...\n\n    o: 15\n"));
    free(s);
    /* str is the YAML of asdict */
    assert_int_equal(dn_tree_str(t, &s, &err), DN_OK);
    assert_true(strncmp(s, "params:\n  a: 1\n", 15) == 0);
    assert_non_null(strstr(s, "  zz: 27\nnest_params: {}\n"));
    free(s);
    dn_tree_free(t);
}

/* ---- duplicate leaf names ------------------------------------------------------------------ */

static void test_unique_leaves(void **state)
{
    (void)state;
    dn_error err;
    dn_tree *t = yt("neuron_models:\n"
                    "  a:\n    exc: {}\n    inh: {}\n"
                    "  b:\n    exc:\n      nest_params: {}\n");
    const dn_tree *nm = dn_tree_child(t, "neuron_models");
    dn_error_clear(&err);
    assert_error(dn_tree_check_unique_leaves(nm, &err), err, DN_EINPUT, "<test>", 6, 5,
                 "neuron_models/b/exc", "two leaves are named 'exc'");
    assert_non_null(strstr(err.message, "neuron_models/a/exc and neuron_models/b/exc"));
    assert_int_equal(dn_tree_check_unique_leaves(dn_tree_child(nm, "a"), &err), DN_OK);
    dn_tree_free(t);
    /* 1 and 1.0 are the same name (as dict keys in deNEST); '1' is another */
    t = yt("x: {1: {}}\ny: {'1': {}}\n");
    assert_int_equal(dn_tree_check_unique_leaves(t, &err), DN_OK);
    dn_tree_free(t);
    t = yt("x: {1: {}}\ny: {1.0: {}}\n");
    assert_int_equal(dn_tree_check_unique_leaves(t, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "x/1 and y/1.0"));
    dn_tree_free(t);
    /* A childless node has no leaves below it: nothing to check. */
    t = yt("");
    assert_int_equal(dn_tree_check_unique_leaves(t, &err), DN_OK);
    dn_tree_free(t);
}

/* ---- copy and building in code ------------------------------------------------------------- */

static void test_copy(void **state)
{
    (void)state;
    dn_tree *t = yt("params: {root: 1}\na:\n  params: {x: 1}\n  b: {params: {y: 2}}\n");
    const dn_tree *a = dn_tree_child(t, "a");
    dn_tree *c = dn_tree_copy(a);
    assert_non_null(c);
    assert_null(c->parent);
    assert_null(c->name);                                 /* a new root */
    assert_true(dn_tree_equal(c, a));                     /* own data and subtree */
    assert_null(dn_tree_get_param(c, DN_PARAMS, "root")); /* inherited data is lost */
    assert_int_equal(dn_tree_get_param(dn_tree_child(c, "b"), DN_PARAMS, "x")->u.i, 1);
    assert_int_equal(dn_tree_set_param(dn_tree_child(c, "b"), DN_PARAMS, "y", dn_value_int(5)),
                     DN_OK);
    assert_int_equal(dn_tree_get_param(dn_tree_child(a, "b"), DN_PARAMS, "y")->u.i, 2);
    dn_tree_free(c);
    dn_tree_free(t);
}

static void test_build_in_code(void **state)
{
    (void)state;
    dn_error err;
    dn_tree *t = dn_tree_new();
    dn_tree *k, *x;
    assert_int_equal(dn_tree_add_child(t, "kernel", &k, &err), DN_OK);
    assert_int_equal(dn_tree_set_param(k, DN_NEST_PARAMS, "resolution", dn_value_double(0.1)),
                     DN_OK);
    assert_ptr_equal(k->parent, t);
    dn_error_clear(&err);
    assert_error(dn_tree_add_child(t, "kernel", &x, &err), err, DN_EINPUT, NULL, 0, 0, "kernel",
                 "exists already");
    assert_error(dn_tree_add_child(t, "params", &x, &err), err, DN_EINPUT, NULL, 0, 0, "params",
                 "is a data key");
    dn_tree *want = yt("kernel: {nest_params: {resolution: 0.1}}");
    assert_true(dn_tree_equal(t, want));
    assert_string_equal(dn_tree_data_name(DN_PARAMS), "params");
    assert_string_equal(dn_tree_data_name(DN_NEST_PARAMS), "nest_params");
    assert_int_equal(dn_tree_set_name(t, NULL), DN_OK);
    assert_null(t->name);
    dn_tree_free(want);
    dn_tree_free(t);
}

/* ---- command-line assignments -------------------------------------------------------------- */

static void assert_assignment(const char *text, const char *yaml)
{
    dn_tree *t, *want = yt(yaml);
    dn_error err;
    if (dn_tree_from_assignment(text, &t, &err) != DN_OK)
        fail_msg("'%s' refused: %s", text, err.message);
    dn_value *a, *b;
    dn_tree_asdict(t, &a, &err);
    dn_tree_asdict(want, &b, &err);
    if (!dn_value_identical(a, b)) {
        char *ra = dn_value_repr(a), *rb = dn_value_repr(b);
        fail_msg("'%s' gave %s, expected %s", text, ra, rb);
    }
    dn_value_free(a);
    dn_value_free(b);
    dn_tree_free(t);
    dn_tree_free(want);
}

static void test_assignment(void **state)
{
    (void)state;
    assert_assignment("kernel.nest_params.resolution=0.1",
                      "kernel: {nest_params: {resolution: 0.1}}");
    assert_assignment("a.params.x=[1.0, 2.0]", "a: {params: {x: [1.0, 2.0]}}");
    assert_assignment("params.x=1", "params: {x: 1}");
    assert_assignment("a.b.c.nest_params.k=", "a: {b: {c: {nest_params: {k: null}}}}");
    assert_assignment("network.layers.0.params.rows=5",
                      "network: {layers: {0: {params: {rows: 5}}}}");
    assert_assignment("a.params.s=x=y", "a: {params: {s: 'x=y'}}");
    assert_assignment("a.params.s='1'", "a: {params: {s: '1'}}");
    assert_assignment("a.params.m={x: yes}", "a: {params: {m: {x: true}}}");
    assert_assignment("a.params.params=1", "a: {params: {params: 1}}");
    assert_assignment("simulation.params.output_dir=out/dir",
                      "simulation: {params: {output_dir: out/dir}}");
    /* marks point into the assignment */
    dn_tree *t;
    dn_error err;
    assert_int_equal(dn_tree_from_assignment("k.nest_params.r=[1, 2]", &t, &err), DN_OK);
    const dn_value *r = dn_tree_get_param(dn_tree_child(t, "k"), DN_NEST_PARAMS, "r");
    assert_string_equal(r->mark.file, "<command line>");
    assert_int_equal(r->mark.column, 17);
    assert_int_equal(dn_value_list_at(r, 1)->mark.column, 21);
    dn_tree_free(t);
}

static void test_bad_assignment(void **state)
{
    (void)state;
    struct {
        const char *text;
        int column;
        const char *part;
    } cases[] = {
        {"kernel.nest_params.resolution", 1, "no '='"},
        {"a..params.x=1", 3, "empty name"},
        {".params.x=1", 1, "empty name"},
        {"a.params.=1", 10, "empty name"},
        {"=1", 1, "empty name"},
        {"x=1", 1, "at least params or nest_params and a key"},
        {"a.params=1", 1, "second-to-last name must be params or nest_params"},
        {"a.b.x=1", 3, "second-to-last name must be params or nest_params"},
        {"params.params.x=1", 1, "may only appear second to last"},
        {"a.nest_params.b.params.x=1", 3, "may only appear second to last"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        dn_tree *t = (dn_tree *)1;
        dn_error err;
        dn_error_clear(&err);
        assert_error(dn_tree_from_assignment(cases[k].text, &t, &err), err, DN_EINPUT,
                     "<command line>", 1, cases[k].column, "", cases[k].part);
        assert_non_null(strstr(err.message, "expected <child>.<child>...<params|nest_params>"));
        assert_null(t);
    }
    /* A value that is not YAML: the error points into the value. */
    dn_tree *t;
    dn_error err;
    dn_error_clear(&err);
    assert_error(dn_tree_from_assignment("a.params.x=[1, 2", &t, &err), err, DN_EINPUT,
                 "<command line>", 1, 17, "", "in the value of a.params.x: YAML syntax error");
    assert_error(dn_tree_from_assignment("a.params.x=a: b: c", &t, &err), err, DN_EINPUT,
                 "<command line>", 1, 16, "", "mapping values are not allowed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_shapes),
        cmocka_unit_test(test_invalid_shapes),
        cmocka_unit_test(test_invalid_files),
        cmocka_unit_test(test_effective_order),
        cmocka_unit_test(test_tutorial_leaves),
        cmocka_unit_test(test_repr_tutorial),
        cmocka_unit_test(test_repr_edges),
        cmocka_unit_test(test_unique_leaves),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_build_in_code),
        cmocka_unit_test(test_assignment),
        cmocka_unit_test(test_bad_assignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The schema layer's API beyond validation: completed data with defaults (what the net and sim
 * layers read), list items with aliases, table variants, the error list, and the generated
 * parameter reference (complete, and identical to the committed docs/parameters.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "denest/log.h"
#include "denest/schema.h"
#include "denest/yaml.h"

static dn_tree *tree_of(const char *yaml)
{
    dn_tree *t;
    dn_error err;
    assert_int_equal(dn_tree_read_string(yaml, strlen(yaml), "t.yml", &t, &err), DN_OK);
    return t;
}

static dn_value *yaml_value(const char *yaml)
{
    dn_value *v;
    dn_error err;
    assert_int_equal(dn_yaml_load_string(yaml, strlen(yaml), "want", &v, &err), DN_OK);
    return v;
}

/* v equals the YAML text `want` exactly (types included), and keys come in the same order. */
static void assert_value(const dn_value *v, const char *want)
{
    dn_value *w = yaml_value(want);
    char *got = dn_value_repr(v), *exp = dn_value_repr(w);
    if (!dn_value_identical(v, w) || strcmp(got, exp) != 0)
        fail_msg("got %s, expected %s", got, exp);
    free(got);
    free(exp);
    dn_value_free(w);
}

static void test_data_defaults(void **state)
{
    (void)state;
    dn_tree *t = tree_of("kernel: {}\n"
                         "simulation: {params: {sessions: [a]}}\n"
                         "network:\n"
                         "  layers:\n"
                         "    params: {type: null}\n"
                         "    nest_params: {rows: 2, columns: 3}\n"
                         "    l1: {params: {populations: {e: 2}}}\n"
                         "    inp: {params: {type: InputLayer, populations: {pg: 1}}}\n");
    dn_value *v;
    dn_error err;
    assert_int_equal(
        dn_schema_data(&dn_schema_kernel, DN_PARAMS, dn_tree_child(t, "kernel"), NULL, &v, &err),
        DN_OK);
    assert_value(v, "{nest_seed: 1, extension_modules: []}");
    assert_int_equal(v->u.map.items[0].value->mark.line, 0); /* defaults carry no mark */
    dn_value_free(v);
    assert_int_equal(dn_schema_data(&dn_schema_simulation, DN_PARAMS,
                                    dn_tree_child(t, "simulation"), NULL, &v, &err),
                     DN_OK);
    assert_value(v, "{sessions: [a], output_dir: output, input_dir: input}");
    dn_value_free(v);

    const dn_tree *layers = dn_tree_child(dn_tree_child(t, "network"), "layers");
    const dn_tree *l1 = dn_tree_child(layers, "l1");
    assert_int_equal(dn_schema_data(&dn_schema_layer, DN_PARAMS, l1, layers, &v, &err), DN_OK);
    assert_value(v, "{type: null, populations: {e: 2}}");
    assert_int_equal(v->u.map.items[1].value->mark.line, 7); /* copied values keep their mark */
    dn_value_free(v);
    /* KNOWN keys (engine defaults) are not filled in. */
    assert_int_equal(dn_schema_data(&dn_schema_layer, DN_NEST_PARAMS, l1, layers, &v, &err), DN_OK);
    assert_value(v, "{rows: 2, columns: 3}");
    dn_value_free(v);
    /* Inheritance stops at `top`: the layers node's data is seen, the root's is not. */
    assert_int_equal(
        dn_schema_data(&dn_schema_layer, DN_PARAMS, dn_tree_child(layers, "inp"), layers, &v, &err),
        DN_OK);
    assert_value(v, "{type: InputLayer, populations: {pg: 1}}");
    dn_value_free(v);
    dn_tree_free(t);
}

static void test_variant(void **state)
{
    (void)state;
    dn_tree *t = tree_of("pm:\n"
                         "  params: {type: multisynapse}\n"
                         "  gap: {params: {query_synapse_label: 3}, nest_params: {model: g}}\n"
                         "  topo: {params: {type: topological}}\n"
                         "plain: {}\n");
    const dn_tree *pm = dn_tree_child(t, "pm");
    const dn_tree *gap = dn_tree_child(pm, "gap");
    assert_ptr_equal(dn_schema_variant(&dn_schema_projection_model, gap, pm),
                     &dn_schema_multisynapse_model);
    assert_ptr_equal(dn_schema_variant(&dn_schema_projection_model, dn_tree_child(pm, "topo"), pm),
                     &dn_schema_projection_model);
    assert_ptr_equal(dn_schema_variant(&dn_schema_projection_model, dn_tree_child(t, "plain"), t),
                     &dn_schema_projection_model);
    /* A variant key above `top` is not seen. */
    assert_ptr_equal(dn_schema_variant(&dn_schema_projection_model, gap, gap),
                     &dn_schema_projection_model);
    dn_value *v;
    dn_error err;
    assert_int_equal(dn_schema_data(&dn_schema_projection_model, DN_PARAMS, gap, pm, &v, &err),
                     DN_OK);
    assert_value(v, "{type: multisynapse, query_synapse_label: 3, make_symmetric: false}");
    dn_value_free(v);
    dn_tree_free(t);
}

static void test_items(void **state)
{
    (void)state;
    dn_error err;
    dn_value *in = yaml_value("{}"), *v;
    assert_int_equal(dn_schema_item(&dn_schema_unit_change, in, &v, &err), DN_OK);
    assert_value(v, "{layers: [], population_name: null, change_type: constant, from_array: false,"
                    " nest_params: {}}");
    dn_value_free(v);
    dn_value_free(in);
    /* deNEST's intended `params` is an alias: completed items always say nest_params. */
    in = yaml_value("{synapse_model: s, params: {weight: 2.0}}");
    assert_int_equal(dn_schema_item(&dn_schema_synapse_change, in, &v, &err), DN_OK);
    assert_value(v, "{synapse_model: s, nest_params: {weight: 2.0}, change_type: constant}");
    assert_int_equal(dn_value_map_entry(v, "nest_params")->key->mark.line, 1);
    dn_value_free(v);
    dn_value_free(in);
    in = yaml_value("[1]");
    assert_int_equal(dn_schema_item(&dn_schema_projection, in, &v, &err), DN_EINPUT);
    assert_null(v);
    assert_non_null(strstr(err.message, "a projection must be a mapping"));
    dn_value_free(in);
}

static void test_tables(void **state)
{
    (void)state;
    const dn_schema_table *layer = dn_schema_layer.data[DN_PARAMS];
    const dn_schema_key *k = dn_schema_lookup(layer, "populations");
    assert_non_null(k);
    assert_int_equal(k->use, DN_SCHEMA_MANDATORY);
    assert_null(dn_schema_lookup(layer, "population"));
    char buf[256];
    assert_string_equal(dn_schema_expected(k, buf, sizeof buf),
                        "a non-empty mapping {population: units per location}");
    k = dn_schema_lookup(layer, "type");
    assert_string_equal(dn_schema_expected(k, buf, sizeof buf), "null or one of `InputLayer`");
    k = dn_schema_lookup(&dn_schema_unit_change, "change_type");
    assert_string_equal(dn_schema_expected(k, buf, sizeof buf),
                        "one of `constant`, `multiplicative`, `additive`");
    k = dn_schema_lookup(dn_schema_topology.data[DN_PARAMS], "projections");
    assert_string_equal(dn_schema_expected(k, buf, sizeof buf), "a list of projection mappings");
    dn_value *v;
    dn_error err;
    assert_int_equal(dn_schema_default(k, &v, &err), DN_OK);
    assert_value(v, "[]");
    dn_value_free(v);
    assert_int_equal(dn_schema_default(dn_schema_lookup(layer, "populations"), &v, &err), DN_OK);
    assert_null(v);
    /* deNEST's reserved list had `rng_seed`; `rng_seeds` is the key really set (§6.1). */
    k = dn_schema_lookup(dn_schema_kernel.data[DN_NEST_PARAMS], "rng_seeds");
    assert_non_null(k);
    assert_int_equal(k->use, DN_SCHEMA_RESERVED);
}

static void test_error_list(void **state)
{
    (void)state;
    dn_schema_errors list = {0};
    list.max = 3;
    assert_int_equal(dn_schema_errors_status(&list), DN_OK);
    dn_mark m = {dn_intern("f.yml"), 2, 3};
    dn_error e;
    dn_error_set(&e, DN_EINPUT, &m, "a/b", "bad");
    assert_true(dn_schema_errors_add(&list, &e));
    assert_true(dn_schema_errors_add(&list, &e)); /* identical: kept once */
    assert_int_equal(list.len, 1);
    dn_error_set(&e, DN_EINPUT, &m, "a/c", "bad");
    dn_schema_errors_add(&list, &e);
    dn_error_set(&e, DN_EINPUT, &m, "a/d", "bad");
    dn_schema_errors_add(&list, &e);
    dn_error_set(&e, DN_EINPUT, &m, "a/e", "bad");
    dn_schema_errors_add(&list, &e);
    assert_int_equal(list.len, 3);
    assert_int_equal(list.dropped, 1);
    assert_int_equal(dn_schema_errors_status(&list), DN_EINPUT);
    dn_schema_errors_free(&list);
    assert_int_equal(list.len, 0);
    assert_int_equal(list.max, 3);
    assert_int_equal(dn_schema_errors_status(&list), DN_OK);
}

/* Every key of every table, and every node, appears in the reference. */
static void check_table_doc(const char *doc, const dn_schema_table *t)
{
    for (size_t i = 0; t && i < t->n_keys; i++) {
        char key[128];
        snprintf(key, sizeof key, "| `%s` |", t->keys[i].key);
        if (!strstr(doc, key))
            fail_msg("%s: key %s missing from the reference", t->name, t->keys[i].key);
        if (t->keys[i].item)
            check_table_doc(doc, t->keys[i].item);
    }
}

static void check_node_doc(const char *doc, const dn_schema_node *n)
{
    if (n->children == DN_SCHEMA_LEAVES) {
        check_node_doc(doc, n->leaf);
        return;
    }
    char head[256];
    snprintf(head, sizeof head, "## `%s`", n->where);
    if (n->where[0] && !strstr(doc, head))
        fail_msg("section %s missing from the reference", n->where);
    for (int d = 0; d < DN_TREE_NDATA; d++)
        check_table_doc(doc, n->data[d]);
    for (size_t i = 0; n->children == DN_SCHEMA_NAMED && i < n->n_child; i++)
        check_node_doc(doc, n->child[i].node);
    for (size_t i = 0; n->variants && n->variants[i]; i++)
        check_node_doc(doc, n->variants[i]);
}

static char *markdown(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    dn_error err;
    assert_int_equal(dn_schema_markdown(f, &err), DN_OK);
    fclose(f);
    return text;
}

static void test_markdown(void **state)
{
    (void)state;
    char *doc = markdown();
    check_node_doc(doc, &dn_schema_root);
    assert_non_null(strstr(doc, "## `network/projection_models/<leaf>` — projection model"));
    free(doc);
}

/* docs/parameters.md is generated (`denest doc parameters > docs/parameters.md`); it must be
 * regenerated whenever the tables change. */
static void test_committed_reference(void **state)
{
    (void)state;
    char *doc = markdown();
    FILE *f = fopen(DN_TEST_DATA "/../../docs/parameters.md", "r");
    if (!f)
        fail_msg("docs/parameters.md is missing; run `denest doc parameters > docs/parameters.md`");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *file = calloc((size_t)n + 1, 1);
    assert_int_equal(fread(file, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    if (strcmp(doc, file) != 0)
        fail_msg("docs/parameters.md is out of date; run `denest doc parameters > "
                 "docs/parameters.md`");
    free(file);
    free(doc);
}

int main(void)
{
    dn_log_set_level(DN_LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_defaults),
        cmocka_unit_test(test_variant),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_error_list),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_committed_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

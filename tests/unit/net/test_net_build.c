/* Building networks into the engine: NEST's GIDs and recorder metadata for the tutorial and
 * deNEST's example (against NEST 2.20.2 / deNEST outputs), connection counts, parrots,
 * receptor lookup, private weight-recorder synapse models, and the bad inputs only the engine can
 * judge (unknown models and parameters, receptors, masks, recorder kinds), each with message,
 * mark and tree path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/engine.h"
#include "denest/net.h"
#include "denest/yaml.h"
#include "net_test_support.h"

/* An engine with kernel status {resolution, local_num_threads}. */
static dn_engine *new_engine(double resolution, int threads)
{
    dn_engine *e = NULL;
    dn_error err;
    assert_int_equal(dn_engine_new(&e, &err), DN_OK);
    dn_value *ks = dn_value_map();
    assert_int_equal(dn_value_map_set(ks, "resolution", dn_value_double(resolution)), DN_OK);
    assert_int_equal(dn_value_map_set(ks, "local_num_threads", dn_value_int(threads)), DN_OK);
    dn_status st = dn_engine_set_kernel_status(e, ks, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    dn_value_free(ks);
    return e;
}

static dn_status build_tree(const dn_tree *root, dn_engine *e, uint64_t seed, dn_net **net,
                            dn_error *err)
{
    dn_error_clear(err);
    dn_net_options opt = {.seed = seed, .threads = 2};
    return dn_net_build(dn_tree_child(root, "network"), e, &opt, net, err);
}

/* Expect a build error on a network text. */
static void expect_build_error(const char *text, const char *fragment, int mark_line,
                               const char *path)
{
    dn_tree *t = net_tree_from_text(text);
    assert_non_null(t);
    dn_engine *e = new_engine(0.1, 1);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_tree(t, e, 1, &net, &err);
    if (getenv("NET_TEST_VERBOSE") || st != DN_EINPUT || !strstr(err.message, fragment) ||
        err.mark.line != mark_line || (path && strcmp(err.path, path) != 0)) {
        fprintf(stderr, "expected `%s` at line %d path %s\n", fragment, mark_line,
                path ? path : "-");
        net_print_error(&err);
    }
    assert_int_equal(st, DN_EINPUT);
    assert_null(net);
    assert_non_null(strstr(err.message, fragment));
    assert_int_equal(err.mark.line, mark_line);
    assert_non_null(err.mark.file);
    assert_string_equal(err.mark.file, "net.yml");
    if (path)
        assert_string_equal(err.path, path);
    dn_engine_free(e);
    dn_tree_free(t);
}

static void expect_variant_error(const char *tag, const char *line, const char *fragment,
                                 int mark_line, const char *path)
{
    char *text = net_variant(tag, line);
    assert_non_null(text);
    expect_build_error(text, fragment, mark_line, path);
    free(text);
}

/* Count connections per source of a projection: every source must have exactly `want`. */
static void check_fan_out(dn_engine *e, const dn_net *net, const dn_net_projection *p, size_t want)
{
    dn_connsel *sel = NULL;
    dn_error err;
    assert_int_equal(dn_net_projection_connections(net, e, p, &sel, &err), DN_OK);
    assert_int_equal(dn_connsel_size(sel), p->n_connections);
    const dn_net_population *src = p->source_population;
    size_t *count = calloc(src->n, sizeof *count);
    for (size_t k = 0; k < dn_connsel_size(sel); k++) {
        dn_conn_info ci;
        assert_int_equal(dn_connsel_info(e, sel, k, &ci, &err), DN_OK);
        assert_true(ci.source >= src->first && ci.source < src->first + src->n);
        assert_string_equal(ci.synapse_model, p->synapse_model);
        count[ci.source - src->first]++;
    }
    for (size_t i = 0; i < src->n; i++)
        assert_int_equal(count[i], want);
    free(count);
    dn_connsel_free(sel);
}

/* Our metadata equals deNEST's file as data (tuples read as lists), except the weight
 * recorders' colnames, which deNEST leaves null (decisions.md). */
static void compare_metadata(const dn_value *ours, const dn_value *ref, const char *label,
                             const char *const *wr_colnames, size_t n_wr_colnames)
{
    assert_non_null(ours);
    assert_non_null(ref);
    assert_int_equal(dn_value_len(ours), dn_value_len(ref));
    for (size_t i = 0; i < dn_value_len(ref); i++) {
        const dn_map_entry *en = dn_value_map_at(ref, i);
        const char *key = dn_value_str(en->key);
        const dn_value *mine = dn_value_map_get(ours, key);
        /* same keys, same order */
        assert_string_equal(dn_value_str(dn_value_map_at(ours, i)->key), key);
        if (strcmp(key, "colnames") == 0 && en->value->type == DN_VALUE_NULL) {
            assert_int_equal(dn_value_len(mine), n_wr_colnames);
            for (size_t k = 0; k < n_wr_colnames; k++)
                assert_string_equal(dn_value_str(dn_value_list_at(mine, k)), wr_colnames[k]);
            continue;
        }
        if (!dn_value_equal(mine, en->value)) {
            char *a = dn_value_repr(mine), *b = dn_value_repr(en->value);
            fprintf(stderr, "%s: %s differs:\n ours %.400s\n ref  %.400s\n", label, key, a, b);
            free(a);
            free(b);
        }
        assert_true(dn_value_equal(mine, en->value));
    }
}

/* ---- the tutorial: NEST's ids and metadata ------------------------------------------------- */

static void test_tutorial(void **state)
{
    (void)state;
    dn_tree *t = net_tree_load("denest/tutorial/tree_paths.yml");
    assert_non_null(t);
    dn_engine *e = new_engine(0.5, 1);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_tree(t, e, 11, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);

    const dn_net_layer *in = dn_net_find_layer(net, "input_layer");
    const dn_net_layer *l1 = dn_net_find_layer(net, "l1");
    assert_int_equal(in->gid, 1);
    assert_int_equal(in->stimulators->first, 2);
    assert_int_equal(in->stimulators->n, 25);
    assert_int_equal(in->parrots->first, 27);
    assert_int_equal(l1->gid, 52);
    assert_int_equal(l1->populations[0].first, 53);
    assert_int_equal(l1->populations[0].n, 100);
    assert_int_equal(l1->populations[1].first, 153);
    assert_int_equal(l1->populations[1].n, 50);
    /* spec §4.2.3: units of l1_exc at (0, 0) */
    const dn_gid at00[] = {53, 78, 103, 128};
    for (int k = 0; k < 4; k++)
        assert_int_equal(dn_net_population_gid(&l1->populations[0], 0, 0, k), at00[k]);
    assert_string_equal(dn_engine_node_model(e, 53), "l1_exc");
    assert_string_equal(dn_engine_node_model(e, 27), "parrot_neuron");
    assert_false(dn_engine_is_node(e, 52));

    const char *labels[] = {"my_multimeter_l1_l1_exc",
                            "my_spike_detector_input_layer_parrot_neuron",
                            "weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh"};
    const char *types[] = {"multimeter", "spike_detector", "weight_recorder"};
    for (size_t i = 0; i < 3; i++) {
        const dn_net_recorder *r = dn_net_recorder_at(net, i);
        assert_int_equal(r->gid, 203 + i);
        assert_string_equal(r->label, labels[i]);
        assert_string_equal(r->type, types[i]);
    }
    assert_int_equal(dn_net_network_size(net), 206);
    assert_int_equal(dn_engine_network_size(e), 206);

    /* synapse models: receptor ids of ht_neuron, private copy for the recorded projection */
    const dn_net_projection *rec =
        dn_net_find_projection(net, "proj_1_AMPA", "l1", "l1_exc", "l1", "l1_inh");
    assert_string_equal(rec->synapse_model, "my_AMPA_synapse-proj_1_AMPA-l1-l1_exc-l1-l1_inh");
    assert_string_equal(rec->base_synapse_model, "my_AMPA_synapse");
    dn_value *defs = NULL;
    assert_int_equal(dn_engine_get_defaults(e, rec->synapse_model, &defs, &err), DN_OK);
    int64_t v;
    assert_true(dn_value_get_integral(dn_value_map_get(defs, "receptor_type"), &v));
    assert_int_equal(v, 1);
    assert_true(dn_value_get_integral(dn_value_map_get(defs, "weight_recorder"), &v));
    assert_int_equal(v, 205);
    dn_value_free(defs);
    assert_int_equal(dn_engine_get_defaults(e, "my_GABAA_synapse", &defs, &err), DN_OK);
    assert_true(dn_value_get_integral(dn_value_map_get(defs, "receptor_type"), &v));
    assert_int_equal(v, 3);
    dn_value_free(defs);

    /* 13 locations within radius 2 on the wrapped 5 x 5 grid of extent 5 */
    const dn_net_projection *p0 = dn_net_projection_at(net, 0), *p2 = dn_net_projection_at(net, 2);
    assert_int_equal(p0->n_connections, 25 * 13 * 4);
    assert_int_equal(rec->n_connections, 100 * 13 * 2);
    assert_int_equal(p2->n_connections, 50 * 13 * 4);
    check_fan_out(e, net, p0, 13 * 4);
    check_fan_out(e, net, rec, 13 * 2);
    check_fan_out(e, net, p2, 13 * 4);
    /* + 25 parrot links + 100 multimeter links + 25 spike detector links: NEST reports 6650 */
    assert_int_equal(dn_net_num_connections(net), 6650);
    assert_int_equal(dn_engine_num_connections(e), 6650);

    /* metadata equals deNEST's files (NEST 2.20.2 run) */
    for (size_t i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/net/tutorial/%s.yml", DN_TEST_DATA, labels[i]);
        dn_value *ref = NULL;
        assert_int_equal(dn_yaml_load_file(path, &ref, &err), DN_OK);
        static const char *const wr[] = {"sender", "target", "time", "weight"};
        compare_metadata(dn_net_recorder_at(net, i)->metadata, ref, labels[i], wr, 4);
        dn_value_free(ref);
    }

    /* describe */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    dn_net_describe(net, f);
    fclose(f);
    assert_non_null(strstr(buf, "l1_exc"));
    assert_non_null(strstr(buf, "GIDs 53-152"));
    assert_non_null(strstr(buf, "proj_1_AMPA-l1-l1_exc-l1-l1_inh  synapse_model "
                                "my_AMPA_synapse-proj_1_AMPA-l1-l1_exc-l1-l1_inh, 2600 "
                                "connections"));
    assert_non_null(strstr(buf, "205  weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh"));
    assert_non_null(strstr(buf, "206 nodes"));
    free(buf);

    dn_net_free(net);
    dn_engine_free(e);
    dn_tree_free(t);
}

/* ---- deNEST's example (20 threads): ids, metadata and connection count ------------------------
 */

static void test_example(void **state)
{
    (void)state;
    dn_tree *t = net_tree_load("denest/example/tree_paths.yml");
    assert_non_null(t);
    dn_engine *e = new_engine(1.0, 20);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_tree(t, e, 94, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    assert_int_equal(dn_net_network_size(net), 215);

    char path[1024];
    snprintf(path, sizeof path, "%s/denest/tests/end_to_end/test_recorder_metadata.yml",
             DN_TEST_DATA);
    dn_value *all = NULL;
    assert_int_equal(dn_yaml_load_file(path, &all, &err), DN_OK);
    assert_int_equal(dn_net_n_recorders(net), 11);
    static const char *const wr[] = {"sender", "target", "rport", "time", "weight"};
    for (size_t i = 0; i < dn_net_n_recorders(net); i++) {
        const dn_net_recorder *r = dn_net_recorder_at(net, i);
        assert_int_equal(r->gid, 204 + i);
        char key[512];
        snprintf(key, sizeof key, "output/data/%s.yml", r->label);
        compare_metadata(r->metadata, dn_value_map_get(all, key), r->label, wr, 5);
    }
    dn_value_free(all);

    /* kernel spec §7.4 / deNEST spec §4.4: expected 11 101 connections (350 recorder and
     * parrot links); over 40 seeds we measured mean 11 105, sd 46: allow 6.5 sd */
    size_t n = dn_net_num_connections(net);
    fprintf(stderr, "example: %zu connections\n", n);
    assert_true(n > 11101 - 300 && n < 11101 + 300);
    dn_net_free(net);
    dn_engine_free(e);
    dn_tree_free(t);
}

/* Connections depend on the seed only, not on the engine's VPs or the topology threads
 * (architecture.md: determinism beyond NEST). */
static void build_counts(const dn_tree *t, int vps, int threads, uint64_t seed, size_t *counts)
{
    dn_engine *e = new_engine(1.0, vps);
    dn_net *net = NULL;
    dn_error err;
    dn_net_options opt = {.seed = seed, .threads = threads};
    dn_status st = dn_net_build(dn_tree_child(t, "network"), e, &opt, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    assert_int_equal(dn_net_n_projections(net), 7);
    for (size_t i = 0; i < 7; i++)
        counts[i] = dn_net_projection_at(net, i)->n_connections;
    dn_net_free(net);
    dn_engine_free(e);
}

static void test_thread_independence(void **state)
{
    (void)state;
    dn_tree *t = net_tree_load("denest/example/tree_paths.yml");
    assert_non_null(t);
    size_t a[7], b[7], c[7];
    build_counts(t, 1, 1, 94, a);
    build_counts(t, 20, 2, 94, b);
    build_counts(t, 3, 2, 95, c);
    size_t differ = 0;
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(a[i], b[i]);
        differ += a[i] != c[i];
    }
    assert_true(differ > 0); /* the seed is used */
    dn_tree_free(t);
}

/* ---- the 2 x 3 network of spec §4.2.3 ----------------------------------------------------------
 */

static void test_base_network(void **state)
{
    (void)state;
    dn_tree *t = net_tree_from_text(kNetBase);
    assert_non_null(t);
    dn_engine *e = new_engine(0.1, 2);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_tree(t, e, 5, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const dn_net_layer *inp = dn_net_find_layer(net, "inp"), *lx = dn_net_find_layer(net, "lx"),
                       *lz = dn_net_find_layer(net, "lz");
    assert_int_equal(inp->gid, 1);
    assert_int_equal(inp->stimulators->first, 2);
    assert_int_equal(inp->parrots->first, 14);
    assert_int_equal(lx->gid, 26);
    assert_int_equal(lx->populations[0].first, 27);
    assert_int_equal(lx->populations[1].first, 45);
    assert_int_equal(lz->gid, 57);
    assert_int_equal(lz->populations[0].first, 58);
    assert_int_equal(lz->populations[0].n, 40);
    assert_int_equal(dn_net_network_size(net), 104);

    /* generator g feeds parrot g + 12, one to one, static_synapse weight 1 delay 1 */
    dn_gid gens[12];
    for (int i = 0; i < 12; i++)
        gens[i] = (dn_gid)(2 + i);
    dn_connsel *sel = NULL;
    assert_int_equal(dn_engine_get_connections(e, gens, 12, NULL, 0, NULL, &sel, &err), DN_OK);
    assert_int_equal(dn_connsel_size(sel), 12);
    for (size_t k = 0; k < 12; k++) {
        dn_conn_info ci;
        assert_int_equal(dn_connsel_info(e, sel, k, &ci, &err), DN_OK);
        assert_int_equal(ci.target, ci.source + 12);
        assert_string_equal(ci.synapse_model, "static_synapse");
        assert_true(ci.weight == 1.0 && ci.delay == 1.0);
    }
    dn_connsel_free(sel);

    /* receptor looked up in a neuron model of the tree (decisions.md) */
    dn_value *defs = NULL;
    int64_t v;
    assert_int_equal(dn_engine_get_defaults(e, "AMPA_syn", &defs, &err), DN_OK);
    assert_true(dn_value_get_integral(dn_value_map_get(defs, "receptor_type"), &v));
    assert_int_equal(v, 1);
    dn_value_free(defs);

    /* recorders, NEST's GID padding, 2 VPs */
    const dn_net_recorder *mm = dn_net_find_recorder(net, "my_mm_lx_exc");
    assert_int_equal(mm->gid, 98);
    const dn_value *fn = dn_value_map_get(mm->metadata, "filenames");
    assert_int_equal(dn_value_len(fn), 2);
    assert_string_equal(dn_value_str(dn_value_list_at(fn, 0)), "my_mm_lx_exc-098-0.dat");
    assert_string_equal(dn_value_str(dn_value_list_at(fn, 1)), "my_mm_lx_exc-098-1.dat");
    const dn_value *locs = dn_value_map_get(mm->metadata, "locations");
    struct {
        int64_t gid, r, c, k;
    } want[] = {{27, 0, 0, 0}, {28, 1, 0, 0}, {29, 0, 1, 0}, {33, 0, 0, 1}, {44, 1, 2, 2}};
    for (size_t i = 0; i < 5; i++) {
        dn_value *key = dn_value_int(want[i].gid);
        const dn_value *loc = dn_value_map_get_key(locs, key);
        dn_value_free(key);
        assert_int_equal(dn_value_len(loc), 3);
        assert_int_equal(dn_value_list_at(loc, 0)->u.i, want[i].r);
        assert_int_equal(dn_value_list_at(loc, 1)->u.i, want[i].c);
        assert_int_equal(dn_value_list_at(loc, 2)->u.i, want[i].k);
    }
    const dn_net_recorder *wr = dn_net_find_recorder(net, "my_wr_pm-lx-exc-lz-exc");
    assert_int_equal(wr->gid, 103);
    assert_int_equal(wr->kind, DN_NET_WEIGHT_RECORDER);
    const dn_value *cn = dn_value_map_get(wr->metadata, "colnames");
    assert_int_equal(dn_value_len(cn), 4);
    assert_string_equal(dn_value_str(dn_value_list_at(cn, 0)), "sender");
    assert_string_equal(dn_value_str(dn_value_list_at(cn, 3)), "weight");
    assert_string_equal(
        dn_value_str(dn_value_list_at(dn_value_map_get(wr->metadata, "filenames"), 1)),
        "my_wr_pm-lx-exc-lz-exc-103-1.csv");
    const dn_net_projection *p = wr->projection;
    assert_string_equal(p->synapse_model, "AMPA_syn-pm-lx-exc-lz-exc");
    /* the projection's connections are selected by its private model */
    assert_int_equal(dn_engine_get_connections(e, NULL, 0, NULL, 0, p->synapse_model, &sel, &err),
                     DN_OK);
    assert_int_equal(dn_connsel_size(sel), p->n_connections);
    assert_true(p->n_connections > 0);
    dn_connsel_free(sel);
    /* the spike detector of the parrots (not of the generators) */
    const dn_net_recorder *sd = dn_net_find_recorder(net, "my_sd_inp_parrot_neuron");
    assert_int_equal(sd->kind, DN_NET_SPIKE_DETECTOR);
    const dn_value *gids = dn_value_map_get(sd->metadata, "gids");
    assert_int_equal(dn_value_len(gids), 12);
    assert_int_equal(dn_value_list_at(gids, 0)->u.i, 14);
    dn_net_free(net);
    dn_engine_free(e);
    dn_tree_free(t);
}

/* Recorder kind from the base model, not the name (decisions.md). */
static void test_recorder_kind_from_base(void **state)
{
    (void)state;
    char *a = net_variant("SD", "    my_sd: {params: {nest_model: spike_detector}}\n"
                                "    multimeter_sd: {params: {nest_model: spike_detector}}\n"
                                "    counter: {params: {nest_model: multimeter}}");
    char *text = net_variant_of(a, "R1",
                                "      - {model: multimeter_sd, layers: [lx], "
                                "populations: [exc]}\n"
                                "      - {model: counter, layers: [lz], populations: "
                                "[exc]}");
    dn_tree *t = net_tree_from_text(text);
    dn_engine *e = new_engine(0.1, 1);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_tree(t, e, 1, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const dn_net_recorder *r = dn_net_find_recorder(net, "multimeter_sd_lx_exc");
    assert_int_equal(r->kind, DN_NET_SPIKE_DETECTOR);
    assert_string_equal(dn_value_str(dn_value_map_get(r->metadata, "type")), "spike_detector");
    assert_true(dn_value_map_get(r->metadata, "interval")->type == DN_VALUE_NULL);
    r = dn_net_find_recorder(net, "counter_lz_exc");
    assert_int_equal(r->kind, DN_NET_MULTIMETER);
    dn_net_free(net);
    dn_engine_free(e);
    dn_tree_free(t);
    free(text);
    free(a);
}

/* No network subtree, or an empty one: an empty network (deNEST adds an empty `network`). */
static void test_empty_network(void **state)
{
    (void)state;
    dn_engine *e = new_engine(0.1, 1);
    dn_net *net = NULL;
    dn_error err;
    assert_int_equal(dn_net_build(NULL, e, NULL, &net, &err), DN_OK);
    assert_int_equal(dn_net_n_layers(net), 0);
    assert_int_equal(dn_net_n_projections(net), 0);
    assert_int_equal(dn_net_n_recorders(net), 0);
    assert_int_equal(dn_net_network_size(net), 1);
    assert_int_equal(dn_net_num_connections(net), 0);
    assert_null(dn_net_find_layer(net, "l1"));
    dn_net_free(net);
    dn_tree *t = net_tree_from_text("network: {}\n");
    assert_int_equal(build_tree(t, e, 1, &net, &err), DN_OK);
    assert_int_equal(dn_net_n_layers(net), 0);
    dn_net_free(net);
    dn_tree_free(t);
    /* layers only */
    t = net_tree_from_text("network:\n  layers:\n    a: {params: {populations: {iaf_psc_alpha: "
                           "2}}, nest_params: {rows: 1, columns: 3}}\n");
    assert_int_equal(build_tree(t, e, 1, &net, &err), DN_OK);
    assert_int_equal(dn_net_layer_at(net, 0)->gid, 1);
    assert_int_equal(dn_net_layer_at(net, 0)->populations[0].first, 2);
    assert_int_equal(dn_net_network_size(net), 8);
    dn_net_free(net);
    dn_tree_free(t);
    dn_engine_free(e);
}

/* ---- bad inputs the engine judges -------------------------------------------------------------
 */

static void test_engine_errors(void **state)
{
    (void)state;
    expect_variant_error("CELLS", "      params: {nest_model: ht_neuronn}",
                         "unknown model `ht_neuronn` (did you mean `ht_neuron`?)", 4,
                         "network/neuron_models/cells/params/nest_model");
    expect_variant_error("EXC", "      exc: {nest_params: {V_mm: -70.0}}", "V_mm", 5,
                         "network/neuron_models/cells/exc/nest_params/V_mm");
    expect_variant_error("EXC", "      exc: {nest_params: {V_m: high}}", "V_m", 5,
                         "network/neuron_models/cells/exc/nest_params/V_m");
    expect_variant_error(
        "SYN", "      params: {nest_model: ht_synapse, target_neuron: exc, receptor_type: AMPAA}",
        "`AMPAA` is not a receptor type of `exc` (did you mean `AMPA`?)", 9,
        "network/synapse_models/AMPA_syn/params/receptor_type");
    expect_variant_error(
        "SYN", "      params: {nest_model: ht_synapse, target_neuron: exd, receptor_type: AMPA}",
        "unknown model `exd` (did you mean `exc`?)", 9,
        "network/synapse_models/AMPA_syn/params/target_neuron");
    expect_variant_error(
        "SYN", "      params: {nest_model: ht_neuron, target_neuron: exc, receptor_type: AMPA}",
        "is not a synapse model", 9, "network/synapse_models/AMPA_syn/params/nest_model");
    expect_variant_error("LX", "      params: {populations: {exc: 3, inhh: 2}}",
                         "population `inhh` is not a model", 21,
                         "network/layers/lx/params/populations");
    expect_variant_error("INP", "      params: {type: InputLayer, populations: {exc: 2}}",
                         "is not a stimulation device", 19,
                         "network/layers/inp/params/populations");
    expect_variant_error("SD", "    my_sd: {params: {nest_model: parrot_neuron}}",
                         "`parrot_neuron` is not a recorder", 13,
                         "network/recorder_models/my_sd/params/nest_model");
    expect_variant_error("R1", "      - {model: my_wr, layers: [lx], populations: [exc]}",
                         "cannot record a population", 37,
                         "network/recorders/params/population_recorders/1/model");
    expect_variant_error("R1", "      - {model: my_mmm, layers: [lx], populations: [exc]}",
                         "unknown model `my_mmm` (did you mean `my_mm`?)", 37,
                         "network/recorders/params/population_recorders/1/model");
    expect_variant_error("R2",
                         "      - {model: my_mm, projection_model: pm, source_layers: [lx], "
                         "source_population: exc, target_layers: [lz], target_population: exc}",
                         "cannot record a projection", 39,
                         "network/recorders/params/projection_recorders/0/model");
    expect_variant_error("PM",
                         "      nest_params: {synapse_model: AMPA_sin, connection_type: "
                         "divergent, kernel: 1.0}",
                         "synapse_model: unknown model `AMPA_sin` (did you mean `AMPA_syn`?)", 27,
                         "network/projection_models/pm/nest_params/synapse_model");
    /* a mask wider than the wrapped 3 x 2 layer (topology connect) */
    expect_variant_error("PM",
                         "      nest_params: {synapse_model: AMPA_syn, connection_type: "
                         "divergent, mask: {circular: {radius: 10.0}}}",
                         "projection `pm-inp-parrot_neuron-lx-exc`: Mask size must not exceed "
                         "layer size",
                         27, "network/projection_models/pm/nest_params/mask");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial),
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_base_network),
        cmocka_unit_test(test_recorder_kind_from_base),
        cmocka_unit_test(test_empty_network),
        cmocka_unit_test(test_engine_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The engine-free half of the network build: reading models, layers, projection models,
 * projections and recorders from trees (sorting, naming, expansion, InputLayer rules) and every
 * bad input it reports, with message, mark and tree path; NEST's raw file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"
#include "net_test_support.h"

/* Read the plan of a network tree. Returns the status; *out gets the net (free it). */
static dn_status plan_tree(const dn_tree *root, dn_net **out, dn_error *err)
{
    dn_net *net = calloc(1, sizeof *net);
    assert_non_null(net);
    dn_error_clear(err);
    const dn_tree *network = dn_tree_child(root, "network");
    assert_non_null(network);
    dn_status st = net_read_all(net, network, err);
    *out = net;
    return st;
}

static dn_status plan_text(const char *text, dn_net **out, dn_error *err)
{
    dn_tree *t = net_tree_from_text(text);
    assert_non_null(t);
    dn_status st = plan_tree(t, out, err);
    dn_tree_free(t);
    return st;
}

/* Expect an input error on a variant of the base network: message fragment, line, path. */
static void expect_error(const char *tag, const char *line, const char *fragment, int mark_line,
                         const char *path)
{
    char *text = line ? net_variant(tag, line) : strdup(kNetBase);
    assert_non_null(text);
    dn_tree *t = net_tree_from_text(text);
    assert_non_null(t);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_tree(t, &net, &err);
    if (getenv("NET_TEST_VERBOSE"))
        net_print_error(&err);
    if (st != DN_EINPUT || !strstr(err.message, fragment) || err.mark.line != mark_line ||
        (path && strcmp(err.path, path) != 0)) {
        fprintf(stderr, "variant %s: expected `%s` at line %d path %s\n", tag, fragment, mark_line,
                path ? path : "-");
        net_print_error(&err);
    }
    assert_int_equal(st, DN_EINPUT);
    assert_non_null(strstr(err.message, fragment));
    assert_int_equal(err.mark.line, mark_line);
    assert_string_equal(err.mark.file, "net.yml");
    if (path)
        assert_string_equal(err.path, path);
    dn_net_free(net);
    dn_tree_free(t);
    free(text);
}

/* ---- the tutorial network (deNEST spec Appendix B) ------------------------------------------ */

static void test_tutorial_plan(void **state)
{
    (void)state;
    dn_tree *t = net_tree_load("denest/tutorial/tree_paths.yml");
    assert_non_null(t);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_tree(t, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);

    assert_int_equal(net->n_neuron_models, 2);
    assert_string_equal(net->neuron_models[0].name, "l1_exc");
    assert_string_equal(net->neuron_models[0].nest_model, "ht_neuron");
    assert_string_equal(net->neuron_models[1].name, "l1_inh");
    assert_int_equal(net->n_synapse_models, 2);
    assert_string_equal(net->synapse_models[0].name, "my_AMPA_synapse");
    assert_string_equal(dn_value_str(net->synapse_models[0].receptor_v), "AMPA");
    assert_string_equal(dn_value_str(net->synapse_models[1].receptor_v), "GABA_A");
    assert_int_equal(net->n_recorder_models, 3);
    assert_string_equal(net->recorder_models[0].name, "weight_recorder");
    assert_string_equal(net->recorder_models[0].nest_model, "weight_recorder");

    /* layers sorted by name; the InputLayer gets its parrots */
    assert_int_equal(dn_net_n_layers(net), 2);
    const dn_net_layer *in = dn_net_layer_at(net, 0), *l1 = dn_net_layer_at(net, 1);
    assert_string_equal(in->name, "input_layer");
    assert_true(in->is_input);
    assert_true(in->add_parrots);
    assert_int_equal(in->n_populations, 2);
    assert_string_equal(in->populations[0].name, "spike_generator");
    assert_true(in->populations[0].stimulator);
    assert_false(in->populations[0].recordable);
    assert_string_equal(in->populations[1].name, "parrot_neuron");
    assert_true(in->populations[1].recordable);
    assert_ptr_equal(in->stimulators, &in->populations[0]);
    assert_ptr_equal(in->parrots, &in->populations[1]);
    assert_int_equal(in->populations[1].n, 25);
    assert_string_equal(l1->name, "l1");
    assert_false(l1->is_input);
    assert_int_equal(l1->rows, 5);
    assert_int_equal(l1->columns, 5);
    assert_true(l1->geometry.edge_wrap);
    assert_true(l1->geometry.extent[0] == 5.0 && l1->geometry.extent[1] == 5.0);
    assert_string_equal(l1->populations[0].name, "l1_exc");
    assert_int_equal(l1->populations[0].units, 4);
    assert_int_equal(l1->populations[0].n, 100);
    assert_int_equal(l1->populations[1].n, 50);
    assert_ptr_equal(l1->populations[1].layer, l1);
    assert_ptr_equal(dn_net_find_layer(net, "l1"), l1);
    assert_null(dn_net_find_layer(net, "l2"));

    /* projections sorted as tuples */
    assert_int_equal(dn_net_n_projections(net), 3);
    const char *names[] = {"proj_1_AMPA-input_layer-parrot_neuron-l1-l1_exc",
                           "proj_1_AMPA-l1-l1_exc-l1-l1_inh", "proj_2_GABAA-l1-l1_inh-l1-l1_exc"};
    for (size_t i = 0; i < 3; i++) {
        const dn_net_projection *p = dn_net_projection_at(net, i);
        assert_string_equal(p->name, names[i]);
        assert_int_equal(p->index, i);
    }
    const dn_net_projection *p1 = dn_net_projection_at(net, 1);
    assert_string_equal(p1->synapse_model, "my_AMPA_synapse");
    assert_ptr_equal(p1->source_population, &l1->populations[0]);
    assert_ptr_equal(p1->target_population, &l1->populations[1]);
    assert_ptr_equal(dn_net_find_projection(net, "proj_1_AMPA", "l1", "l1_exc", "l1", "l1_inh"),
                     p1);

    /* recorders: population recorders sorted, then projection recorders */
    assert_int_equal(dn_net_n_recorders(net), 3);
    assert_int_equal(dn_net_n_population_recorders(net), 2);
    assert_string_equal(dn_net_recorder_at(net, 0)->label, "my_multimeter_l1_l1_exc");
    assert_string_equal(dn_net_recorder_at(net, 1)->label,
                        "my_spike_detector_input_layer_parrot_neuron");
    const dn_net_recorder *wr = dn_net_recorder_at(net, 2);
    assert_string_equal(wr->label, "weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh");
    assert_ptr_equal(wr->projection, p1);
    assert_ptr_equal(p1->recorder, wr);
    assert_ptr_equal(dn_net_find_recorder(net, wr->label), wr);
    dn_net_free(net);
    dn_tree_free(t);
}

/* ---- deNEST's example network (spec §7): sorted projections and recorder labels ------------- */

static void test_example_plan(void **state)
{
    (void)state;
    dn_tree *t = net_tree_load("denest/example/tree_paths.yml");
    assert_non_null(t);
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_tree(t, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const char *projs[] = {
        "FF_exc-l1-l1_exc-l2-l2_exc",
        "FF_exc-l1-l1_exc-l2-l2_inh",
        "horizontal_exc-l1-l1_exc-l1-l1_exc",
        "horizontal_exc-l1-l1_exc-l1-l1_inh",
        "input_projection_AMPA-input_layer-parrot_neuron-l1-l1_exc",
        "input_projection_AMPA-input_layer-parrot_neuron-l1-l1_inh",
        "input_projection_NMDA-input_layer-parrot_neuron-l1-l1_inh",
    };
    assert_int_equal(dn_net_n_projections(net), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(dn_net_projection_at(net, i)->name, projs[i]);
    const char *recs[] = {
        "multimeter_l1_l1_exc",
        "multimeter_l1_l1_inh",
        "multimeter_l2_l2_exc",
        "multimeter_l2_l2_inh",
        "spike_detector_input_layer_parrot_neuron",
        "spike_detector_l1_l1_exc",
        "spike_detector_l1_l1_inh",
        "spike_detector_l2_l2_exc",
        "spike_detector_l2_l2_inh",
        "weight_recorder_horizontal_exc-l1-l1_exc-l1-l1_exc",
        "weight_recorder_input_projection_AMPA-input_layer-parrot_neuron-l1-l1_exc",
    };
    assert_int_equal(dn_net_n_recorders(net), 11);
    assert_int_equal(dn_net_n_population_recorders(net), 9);
    for (size_t i = 0; i < 11; i++)
        assert_string_equal(dn_net_recorder_at(net, i)->label, recs[i]);
    /* receptor names of the synapse models (looked up later, in the engine) */
    assert_int_equal(net->n_synapse_models, 6);
    dn_net_free(net);
    dn_tree_free(t);
}

/* ---- the base network of the tests ------------------------------------------------------------
 */

static void test_base_plan(void **state)
{
    (void)state;
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_text(kNetBase, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    assert_int_equal(dn_net_n_layers(net), 3);
    const dn_net_layer *lz = dn_net_layer_at(net, 2);
    assert_string_equal(lz->name, "lz");
    assert_int_equal(lz->rows, 5);
    assert_int_equal(lz->columns, 4);
    assert_true(lz->geometry.edge_wrap); /* inherited key by key */
    assert_int_equal(dn_net_n_projections(net), 3);
    assert_string_equal(dn_net_projection_at(net, 0)->name, "pm-inp-parrot_neuron-lx-exc");
    assert_string_equal(dn_net_projection_at(net, 1)->name, "pm-lx-exc-lx-exc");
    assert_string_equal(dn_net_projection_at(net, 2)->name, "pm-lx-exc-lz-exc");
    const char *recs[] = {"my_mm_lx_exc", "my_sd_inp_parrot_neuron", "my_sd_lx_exc", "my_sd_lx_inh",
                          "my_sd_lz_exc", "my_wr_pm-lx-exc-lz-exc"};
    assert_int_equal(dn_net_n_recorders(net), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(dn_net_recorder_at(net, i)->label, recs[i]);

    /* GID <-> location (deNEST spec §4.2.3) on hand-set first GIDs */
    dn_net_layer *lx = &net->layers[1].pub;
    net->layers[1].pops[0].first = 27;
    net->layers[1].pops[1].first = 45;
    const dn_net_population *exc = &lx->populations[0];
    assert_int_equal(dn_net_population_gid(exc, 0, 0, 0), 27);
    assert_int_equal(dn_net_population_gid(exc, 1, 0, 0), 28);
    assert_int_equal(dn_net_population_gid(exc, 0, 1, 0), 29);
    assert_int_equal(dn_net_population_gid(exc, 0, 0, 1), 33);
    assert_int_equal(dn_net_population_gid(exc, 1, 2, 2), 44);
    int64_t r, c, k;
    assert_true(dn_net_population_location(exc, 33, &r, &c, &k));
    assert_true(r == 0 && c == 0 && k == 1);
    assert_true(dn_net_population_location(exc, 32, &r, &c, &k));
    assert_true(r == 1 && c == 2 && k == 0);
    assert_false(dn_net_population_location(exc, 45, &r, &c, &k));
    assert_false(dn_net_population_location(exc, 26, &r, &c, &k));
    dn_net_free(net);
}

/* add_parrots: false is honoured (decisions.md): no parrots, nothing recordable. */
static void test_add_parrots_false(void **state)
{
    (void)state;
    char *a =
        net_variant("INP", "      params: {type: InputLayer, add_parrots: false, populations: "
                           "{spike_generator: 2}}");
    char *text = NULL;
    {
        /* drop the projection from the InputLayer */
        const char *p0 = strstr(a, "      - {projection_model: pm, source_layers: [inp]");
        const char *end = strchr(p0, '\n') + 1;
        size_t n = strlen(a) + 1;
        text = malloc(n);
        snprintf(text, n, "%.*s%s", (int)(p0 - a), a, end);
    }
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_text(text, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const dn_net_layer *inp = dn_net_find_layer(net, "inp");
    assert_false(inp->add_parrots);
    assert_int_equal(inp->n_populations, 1);
    assert_null(inp->parrots);
    assert_non_null(inp->stimulators);
    assert_null(dn_net_find_recorder(net, "my_sd_inp_parrot_neuron"));
    assert_int_equal(dn_net_n_recorders(net), 5);
    dn_net_free(net);
    free(text);

    /* such a layer projects from its devices directly: parrot_neuron is no source there */
    expect_error("INP",
                 "      params: {type: InputLayer, add_parrots: false, populations: "
                 "{spike_generator: 2}}",
                 "has no parrots (add_parrots: false); its population `spike_generator` must be used", 31,
                 "network/topology/params/projections/0/source_population");
    /* ... and the generators themselves are a valid source */
    char *b = net_variant_of(a, "P0",
                             "      - {projection_model: pm, source_layers: [inp], "
                             "source_population: spike_generator, target_layers: [lx], "
                             "target_population: exc}");
    assert_non_null(b);
    dn_tree *bt = net_tree_from_text(b); /* the net points into its tree: keep it alive */
    assert_non_null(bt);
    st = plan_tree(bt, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const dn_net_projection *pr =
        dn_net_find_projection(net, "pm", "inp", "spike_generator", "lx", "exc");
    assert_non_null(pr);
    dn_net_free(net);
    dn_tree_free(bt);
    free(b);
    free(a);
}

/* ---- bad inputs ---------------------------------------------------------------------------------
 */

static void test_projection_errors(void **state)
{
    (void)state;
    expect_error("P1",
                 "      - {projection_model: pm, source_layers: [inp], source_population: "
                 "parrot_neuron, target_layers: [lx], target_population: exc}",
                 "duplicate projection `pm-inp-parrot_neuron-lx-exc`", 32,
                 "network/topology/params/projections/1");
    expect_error("P1",
                 "      - {projection_model: pm, source_layers: [lx], source_population: exc, "
                 "target_layers: [lx, lzz], target_population: exc}",
                 "unknown layer `lzz` (did you mean `lz`?)", 32,
                 "network/topology/params/projections/1/target_layers/1");
    expect_error("P1",
                 "      - {projection_model: pm, source_layers: [lx], source_population: exc, "
                 "target_layers: [lx, lz], target_population: inh}",
                 "layer `lz` has no population `inh`", 32,
                 "network/topology/params/projections/1/target_population");
    expect_error("P1",
                 "      - {projection_model: pm, source_layers: [lx], source_population: exc, "
                 "target_layers: [inp], target_population: parrot_neuron}",
                 "InputLayer layers cannot be projection targets", 32,
                 "network/topology/params/projections/1/target_layers/0");
    expect_error("P0",
                 "      - {projection_model: pm, source_layers: [inp], source_population: "
                 "spike_generator, target_layers: [lx], target_population: exc}",
                 "must be parrot_neuron", 31,
                 "network/topology/params/projections/0/source_population");
    expect_error("P0",
                 "      - {projection_model: pn, source_layers: [inp], source_population: "
                 "parrot_neuron, target_layers: [lx], target_population: exc}",
                 "unknown projection model `pn` (did you mean `pm`?)", 31,
                 "network/topology/params/projections/0/projection_model");
    expect_error("P0",
                 "      - {projection_model: pm, source_layers: [inp], source_population: "
                 "parrot_neuron, target_layers: [lx]}",
                 "missing key `target_population`", 31, "network/topology/params/projections/0");
    expect_error("P0",
                 "      - {projection_model: pm, source_layers: inp, source_population: "
                 "parrot_neuron, target_layers: [lx], target_population: exc}",
                 "`source_layers` must be a list of names", 31,
                 "network/topology/params/projections/0/source_layers");
    expect_error("P0", "      - just_a_string", "must be a mapping", 31,
                 "network/topology/params/projections/0");
    expect_error("P1",
                 "      - {projection_model: pm, source_layers: [lx], source_population: exc, "
                 "target_layers: [lz, lz], target_population: exc}",
                 "duplicate projection `pm-lx-exc-lz-exc` in one item", 32,
                 "network/topology/params/projections/1");
}

static void test_layer_errors(void **state)
{
    (void)state;
    expect_error("INP", "      params: {type: Input, populations: {spike_generator: 2}}",
                 "unknown layer type 'Input'", 19, "network/layers/inp/params/type");
    expect_error("INP",
                 "      params: {type: InputLayer, populations: {spike_generator: 2, "
                 "poisson_generator: 1}}",
                 "must have exactly one population", 19, "network/layers/inp/params/populations");
    expect_error("LX", "      params: {populations: {exc: 2.5, inh: 2}}",
                 "population `exc` needs a positive integer number of units per location, got "
                 "2.5",
                 21, "network/layers/lx/params/populations");
    expect_error("LX", "      params: {populations: {exc: 0, inh: 2}}",
                 "positive integer number of units", 21, "network/layers/lx/params/populations");
    expect_error("LX", "      params: {populations: {}}", "must be a non-empty mapping", 21,
                 "network/layers/lx/params/populations");
    expect_error("LX", "      params: {add_parrots: true, populations: {exc: 3, inh: 2}}",
                 "`add_parrots` is only allowed for layers of type InputLayer", 21,
                 "network/layers/lx/params/add_parrots");
    expect_error("LX", "      params: {pops: {exc: 3}}",
                 "missing mandatory parameter `populations`", 21, "network/layers/lx/params");
    /* geometry errors come from the topology parser, with the layer named */
    expect_error("LAYERS", "    nest_params: {rows: 2, extent: [3.0, 2.0], edge_wrap: true}",
                 "`columns` is missing", 18, "network/layers/inp/nest_params");
    expect_error(
        "LAYERS", "    nest_params: {rows: 2, columns: 3, extent: [3.0, 2.0], elements: [a, 1]}",
        "layer `inp`: `elements` is reserved", 17, "network/layers/inp/nest_params/elements");
}

static void test_model_errors(void **state)
{
    (void)state;
    expect_error("SYN", "      params: {nest_model: ht_synapse, target_neuron: exc}",
                 "give both `target_neuron` and `receptor_type`", 9,
                 "network/synapse_models/AMPA_syn/params");
    expect_error("SYN",
                 "      params: {nest_model: ht_synapse}\n"
                 "      nest_params: {weight: 2.0}",
                 "`weight` is reserved", 10, "network/synapse_models/AMPA_syn/nest_params/weight");
    expect_error("SYN",
                 "      params: {nest_model: ht_synapse, target_neuron: exc, receptor_type: AMPA}\n"
                 "      nest_params: {receptor_type: 1}",
                 "`receptor_type` should not be specified in nest_params", 10,
                 "network/synapse_models/AMPA_syn/nest_params/receptor_type");
    expect_error("SD", "    my_sd: {params: {}}", "missing mandatory parameter `nest_model`", 13,
                 "network/recorder_models/my_sd/params");
    expect_error("CELLS", "      params: {nest_model: 3}", "`nest_model` must be a string", 4,
                 "network/neuron_models/cells/params/nest_model");
    expect_error("PM", "      nest_params: {connection_type: divergent}",
                 "missing mandatory parameter `synapse_model`", 27,
                 "network/projection_models/pm/nest_params");
    expect_error("PM",
                 "      nest_params: {synapse_model: AMPA_syn, connection_type: divergent, "
                 "sources: {model: exc}}",
                 "`sources` is reserved", 27, "network/projection_models/pm/nest_params/sources");
    /* topology parse errors: probability outside [0, 1], negative delays */
    expect_error("PM",
                 "      nest_params: {synapse_model: AMPA_syn, connection_type: divergent, "
                 "kernel: 1.5}",
                 "projection model `pm`: the kernel is a connection probability but reaches 1.5",
                 27, "network/projection_models/pm/nest_params/kernel");
    expect_error("PM",
                 "      nest_params: {synapse_model: AMPA_syn, connection_type: divergent, "
                 "delays: {uniform: {min: -1.0, max: 2.0}}}",
                 "projection model `pm`: a random delay needs a lower bound", 27,
                 "network/projection_models/pm/nest_params/delays/uniform/min");
    expect_error("PM", "      params: {type: random}\n      nest_params: {synapse_model: x}",
                 "unknown projection type 'random'", 27,
                 "network/projection_models/pm/params/type");
}

static void test_recorder_errors(void **state)
{
    (void)state;
    expect_error("R2",
                 "      - {model: my_wr, projection_model: pm, source_layers: [lx], "
                 "source_population: exc, target_layers: [lx], target_population: inh}",
                 "this projection does not exist", 39,
                 "network/recorders/params/projection_recorders/0");
    expect_error("R2",
                 "      - {model: my_wr, projection_model: pm, source_layers: [lx], "
                 "source_population: exc, target_layers: [lz], target_population: exc}\n"
                 "      - {model: my_wr, projection_model: pm, source_layers: [lx], "
                 "source_population: exc, target_layers: [lz], target_population: exc}",
                 "duplicate projection recorder `my_wr`", 40,
                 "network/recorders/params/projection_recorders/1");
    expect_error("R2",
                 "      - {model: my_wr, projection_model: pm, source_layers: [lx], "
                 "source_population: exc, target_layers: [lz], target_population: exc}\n"
                 "      - {model: my_wr2, projection_model: pm, source_layers: [lx], "
                 "source_population: exc, target_layers: [lz], target_population: exc}",
                 "already has a projection recorder", 40,
                 "network/recorders/params/projection_recorders/1");
    expect_error("R1", "      - {model: my_mm, layers: [lxx], populations: [exc]}",
                 "unknown layer `lxx` (did you mean `lx`?)", 37,
                 "network/recorders/params/population_recorders/1/layers/0");
    expect_error("R1", "      - {model: my_mm, layers: [lx], populations: [exx]}",
                 "no layer has a population `exx` (did you mean `exc`?)", 37,
                 "network/recorders/params/population_recorders/1/populations/0");
    expect_error("R1", "      - {model: my_mm, layers: [lx]}", "missing key `populations`", 37,
                 "network/recorders/params/population_recorders/1");
}

/* Population recorder items: null = all layers / all recordable populations; names a layer
 * lacks are skipped; duplicates merge. */
static void test_population_recorder_expansion(void **state)
{
    (void)state;
    char *text = net_variant("R1", "      - {model: my_mm, layers: null, populations: [exc, "
                                   "spike_generator]}\n"
                                   "      - {model: my_sd, layers: [lx], populations: [exc]}");
    dn_net *net = NULL;
    dn_error err;
    dn_status st = plan_text(text, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const char *recs[] = {"my_mm_lx_exc", "my_mm_lz_exc", "my_sd_inp_parrot_neuron",
                          "my_sd_lx_exc", "my_sd_lx_inh", "my_sd_lz_exc"};
    assert_int_equal(dn_net_n_population_recorders(net), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(dn_net_recorder_at(net, i)->label, recs[i]);
    dn_net_free(net);
    free(text);
}

static void test_raw_filenames(void **state)
{
    (void)state;
    struct {
        dn_gid gid;
        size_t size;
        int vp, n_vp;
        const char *ext, *want;
    } cases[] = {
        {98, 105, 0, 2, "dat", "rec-098-0.dat"}, /* deNEST's bug: it wrote -98-0 */
        {98, 105, 1, 2, "dat", "rec-098-1.dat"},
        {203, 206, 0, 1, "dat", "rec-203-0.dat"},
        {213, 215, 7, 20, "csv", "rec-213-07.csv"},
        {213, 215, 19, 20, "csv", "rec-213-19.csv"},
        {7, 150, 9, 10, "gdf", "rec-007-09.gdf"},
        {6, 7, 0, 1, "gdf", "rec-6-0.gdf"},
        {6, 11, 0, 1, "gdf", "rec-06-0.gdf"},
        {99999, 100000, 3, 4, "gdf", "rec-099999-3.gdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = net_raw_filename("", "rec", cases[i].gid, cases[i].size, cases[i].vp,
                                   cases[i].n_vp, cases[i].ext);
        assert_non_null(s);
        assert_string_equal(s, cases[i].want);
        free(s);
    }
    char *s = net_raw_filename("pre_", "x", 5, 10, 0, 1, "dat");
    assert_string_equal(s, "pre_x-05-0.dat");
    free(s);
    assert_int_equal(net_digits(0), 1);
    assert_int_equal(net_digits(9), 1);
    assert_int_equal(net_digits(10), 2);
    assert_int_equal(net_digits(100000), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_plan),
        cmocka_unit_test(test_example_plan),
        cmocka_unit_test(test_base_plan),
        cmocka_unit_test(test_add_parrots_false),
        cmocka_unit_test(test_projection_errors),
        cmocka_unit_test(test_layer_errors),
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_recorder_errors),
        cmocka_unit_test(test_population_recorder_expansion),
        cmocka_unit_test(test_raw_filenames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The validation tables: one per object kind of the full parameter tree (denest.md §3.1 quick
 * reference, §4, §5.1, §6.1–6.3; decisions.md where we differ). Pure data: the validator
 * (schema_check.c), dn_schema_data and the docs generator all read these and nothing else. */
#include "denest/schema.h"

#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Shorthands for rows: key, type, use, nullable, default, enum values, item table, alias, doc. */
#define MANDATORY(k, t, doc)                                                                       \
    {                                                                                              \
        k, t, DN_SCHEMA_MANDATORY, false, NULL, NULL, NULL, NULL, doc                              \
    }
#define OPTIONAL(k, t, def, doc)                                                                   \
    {                                                                                              \
        k, t, DN_SCHEMA_OPTIONAL, false, def, NULL, NULL, NULL, doc                                \
    }
#define KNOWN(k, t, def, doc)                                                                      \
    {                                                                                              \
        k, t, DN_SCHEMA_KNOWN, false, def, NULL, NULL, NULL, doc                                   \
    }
#define RESERVED(k, doc)                                                                           \
    {                                                                                              \
        k, DN_SCHEMA_ANY, DN_SCHEMA_RESERVED, false, NULL, NULL, NULL, NULL, doc                   \
    }

static const char *const change_types[] = {"constant", "multiplicative", "additive", NULL};
static const char *const layer_types[] = {"InputLayer", NULL};
static const char *const projection_types[] = {"topological", "multisynapse", NULL};
static const char *const connection_types[] = {"convergent", "divergent", NULL};

const char *const dn_schema_builtin_recorders[] = {
    "multimeter", "spike_detector", "spike_recorder", "weight_recorder", "voltmeter", NULL,
};

/* ---- tables shared by several nodes ---- */

static const dn_schema_table no_params = {"params", DN_SCHEMA_EMPTY, NULL, 0, NULL, 0, NULL};
static const dn_schema_table no_nest_params = {"nest_params", DN_SCHEMA_EMPTY, NULL, 0, NULL, 0,
                                               NULL};

/* ---- kernel (§6.1) ---- */

static const dn_schema_key kernel_params_keys[] = {
    OPTIONAL("nest_seed", DN_SCHEMA_INT, "1",
             "master seed; every random stream of the run is derived from it"),
    OPTIONAL("extension_modules", DN_SCHEMA_STRING_LIST, "[]",
             "extension modules to load, in order (`name` loads lib<name>.so)"),
};
static const dn_schema_table kernel_params = {
    "kernel params", DN_SCHEMA_CLOSED, kernel_params_keys, N(kernel_params_keys), NULL, 0, NULL};

static const dn_schema_key kernel_nest_keys[] = {
    RESERVED("data_path", "set by deNEST-C to <output_dir>/data"),
    RESERVED("msd", "derived from params.nest_seed"),
    RESERVED("grng_seed", "derived from params.nest_seed"),
    RESERVED("rng_seed", "derived from params.nest_seed"),
    /* deNEST's reserved list said rng_seed and let rng_seeds through, then overwrote it (§6.1). */
    RESERVED("rng_seeds", "derived from params.nest_seed"),
};
static const dn_schema_table kernel_nest = {
    "kernel nest_params",
    DN_SCHEMA_OPEN,
    kernel_nest_keys,
    N(kernel_nest_keys),
    NULL,
    0,
    "kernel status (resolution, local_num_threads, print_time, overwrite_files, ...), "
    "checked by the engine"};

const dn_schema_node dn_schema_kernel = {
    "kernel", "kernel",
    "Kernel initialisation: seed, extension modules, kernel status. No children.",
    .data = {&kernel_params, &kernel_nest}, .children = DN_SCHEMA_NO_CHILDREN};

/* ---- simulation (§6.2) ---- */

static const dn_schema_key simulation_keys[] = {
    OPTIONAL("output_dir", DN_SCHEMA_STRING, "output",
             "output directory, relative to the working directory (`-o` overrides it)"),
    OPTIONAL("input_dir", DN_SCHEMA_STRING, "input",
             "directory of the `from_array` files, relative to the working directory (`-i`)"),
    OPTIONAL("sessions", DN_SCHEMA_STRING_LIST, "[]",
             "session models to run, in order; repetitions allowed"),
};
static const dn_schema_table simulation_params = {
    "simulation params", DN_SCHEMA_CLOSED, simulation_keys, N(simulation_keys), NULL, 0, NULL};

const dn_schema_node dn_schema_simulation = {
    "simulation", "simulation", "Directories and the ordered list of sessions. No children.",
    .data = {&simulation_params, &no_nest_params}, .children = DN_SCHEMA_NO_CHILDREN};

/* ---- session models (§6.3) and their list items (§5.1, §5.3) ---- */

static const dn_schema_key unit_change_keys[] = {
    {"layers", DN_SCHEMA_STRING_LIST, DN_SCHEMA_OPTIONAL, true, "[]", NULL, NULL, NULL,
     "layers to change, in order; null = all layers; [] = none"},
    {"population_name", DN_SCHEMA_STRING, DN_SCHEMA_OPTIONAL, true, "null", NULL, NULL, NULL,
     "population to change in each layer; null = every population"},
    {"change_type", DN_SCHEMA_ENUM, DN_SCHEMA_OPTIONAL, false, "constant", change_types, NULL, NULL,
     "new = value, old x value, or old + value"},
    OPTIONAL("from_array", DN_SCHEMA_BOOL, "false",
             "values are arrays (or .npy paths in input_dir) of shape (rows, columns, units)"),
    OPTIONAL("nest_params", DN_SCHEMA_MAP, "{}", "{parameter: value} to apply to every unit"),
};
const dn_schema_table dn_schema_unit_change = {
    "unit change", DN_SCHEMA_CLOSED, unit_change_keys, N(unit_change_keys), NULL, 0, NULL};

/* deNEST accepted synapse_changes and ignored them; its unused helper shows the format
 * {synapse_model, params}. We apply them (decisions.md) and also select by projection. */
static const char *const synapse_change_select[] = {
    "synapse_model",
    "projection_model source_layers source_population target_layers "
    "target_population",
    NULL};
static const char *const synapse_change_values[] = {"nest_params", "params", NULL};
static const dn_schema_rule synapse_change_rules[] = {
    {DN_SCHEMA_ONE_FORM, NULL, NULL, NULL, 0, synapse_change_select,
     "select the synapses either by `synapse_model` or by a projection (all five of "
     "`projection_model`, `source_layers`, `source_population`, `target_layers`, "
     "`target_population`)"},
    {DN_SCHEMA_ONE_FORM, NULL, NULL, NULL, 0, synapse_change_values,
     "give the new values in `nest_params` (or its alias `params`)"},
};
static const dn_schema_key synapse_change_keys[] = {
    KNOWN("synapse_model", DN_SCHEMA_STRING, NULL,
          "change every connection of this synapse model (as named in the network)"),
    KNOWN("projection_model", DN_SCHEMA_STRING, NULL, "or: the connections of a projection"),
    KNOWN("source_layers", DN_SCHEMA_STRING_LIST, NULL, "projection selection"),
    {"source_population", DN_SCHEMA_STRING, DN_SCHEMA_KNOWN, true, NULL, NULL, NULL, NULL,
     "projection selection"},
    KNOWN("target_layers", DN_SCHEMA_STRING_LIST, NULL, "projection selection"),
    {"target_population", DN_SCHEMA_STRING, DN_SCHEMA_KNOWN, true, NULL, NULL, NULL, NULL,
     "projection selection"},
    {"change_type", DN_SCHEMA_ENUM, DN_SCHEMA_OPTIONAL, false, "constant", change_types, NULL, NULL,
     "new = value, old x value, or old + value"},
    KNOWN("nest_params", DN_SCHEMA_MAP, NULL, "{synapse parameter: value}, e.g. {weight: 2.0}"),
    {"params", DN_SCHEMA_MAP, DN_SCHEMA_KNOWN, false, NULL, NULL, NULL, "nest_params",
     "deNEST's intended format"},
};
const dn_schema_table dn_schema_synapse_change = {"synapse change",
                                                  DN_SCHEMA_CLOSED,
                                                  synapse_change_keys,
                                                  N(synapse_change_keys),
                                                  synapse_change_rules,
                                                  N(synapse_change_rules),
                                                  NULL};

static const dn_schema_key session_keys[] = {
    MANDATORY("simulation_time", DN_SCHEMA_NONNEG_NUMBER,
              "duration in ms; a multiple of the kernel resolution"),
    OPTIONAL("reset_network", DN_SCHEMA_BOOL, "false",
             "reset every node's state to its model defaults before the session"),
    OPTIONAL("record", DN_SCHEMA_BOOL, "true", "false: recorders ignore this session"),
    OPTIONAL("shift_origin", DN_SCHEMA_BOOL, "false",
             "set the origin of InputLayer stimulators to the session start"),
    {"unit_changes", DN_SCHEMA_ITEMS, DN_SCHEMA_OPTIONAL, false, "[]", NULL, &dn_schema_unit_change,
     NULL, "unit parameter changes applied before the session, in order"},
    {"synapse_changes", DN_SCHEMA_ITEMS, DN_SCHEMA_OPTIONAL, false, "[]", NULL,
     &dn_schema_synapse_change, NULL, "synapse parameter changes applied before the session"},
};
static const dn_schema_table session_params = {
    "session model params", DN_SCHEMA_CLOSED, session_keys, N(session_keys), NULL, 0, NULL};

const dn_schema_node dn_schema_session_model = {
    "session model", "session_models/<leaf>",
    "A session template named after the leaf; simulation.params.sessions runs them.",
    .data = {&session_params, &no_nest_params}, .children = DN_SCHEMA_NO_CHILDREN};
const dn_schema_node dn_schema_session_models = {
    "session_models", "session_models", "Leaves of any depth are session models.",
    .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_session_model};

/* ---- models (§4.1) ---- */

static const dn_schema_key model_keys[] = {
    MANDATORY("nest_model", DN_SCHEMA_STRING,
              "the model to derive from (built-in, from a module, or another leaf)"),
};
static const dn_schema_table model_params = {
    "model params", DN_SCHEMA_CLOSED, model_keys, N(model_keys), NULL, 0, NULL};
static const dn_schema_table model_nest = {
    "model nest_params",
    DN_SCHEMA_OPEN,
    NULL,
    0,
    NULL,
    0,
    "the model's parameters (defaults of the new model), checked by the engine"};

const dn_schema_node dn_schema_neuron_model = {
    "neuron model", "network/neuron_models/<leaf>",
    "A neuron or stimulator model named after the leaf (a copy of nest_model, or nest_model "
    "itself with new defaults when the leaf has its name).",
    .data = {&model_params, &model_nest}, .children = DN_SCHEMA_NO_CHILDREN};
const dn_schema_node dn_schema_neuron_models = {
    "neuron_models", "network/neuron_models", "Leaves of any depth are neuron models.",
    .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_neuron_model};

const dn_schema_node dn_schema_recorder_model = {
    "recorder model", "network/recorder_models/<leaf>",
    "A recorder model named after the leaf (multimeter, spike_detector, weight_recorder... or "
    "a copy); its kind comes from the base model.",
    .data = {&model_params, &model_nest}, .children = DN_SCHEMA_NO_CHILDREN};
const dn_schema_node dn_schema_recorder_models = {
    "recorder_models", "network/recorder_models", "Leaves of any depth are recorder models.",
    .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_recorder_model};

static const dn_schema_key synapse_model_keys[] = {
    MANDATORY("nest_model", DN_SCHEMA_STRING, "the synapse model to derive from"),
    KNOWN("target_neuron", DN_SCHEMA_STRING, NULL,
          "neuron model whose receptor `receptor_type` names (built-in or a neuron_models leaf)"),
    KNOWN("receptor_type", DN_SCHEMA_STRING, NULL,
          "receptor name of target_neuron (e.g. AMPA); sets nest_params.receptor_type"),
};
static const dn_schema_rule synapse_model_rules[] = {
    {DN_SCHEMA_TOGETHER, "target_neuron", "receptor_type", NULL, 0, NULL,
     "`target_neuron` and `receptor_type` go together: give both or neither"},
    {DN_SCHEMA_EXCLUDES, "receptor_type", "receptor_type", NULL, 0, NULL,
     "with params.receptor_type, nest_params.receptor_type must not be given"},
};
static const dn_schema_table synapse_model_params = {"synapse model params",
                                                     DN_SCHEMA_CLOSED,
                                                     synapse_model_keys,
                                                     N(synapse_model_keys),
                                                     synapse_model_rules,
                                                     N(synapse_model_rules),
                                                     NULL};
static const dn_schema_key synapse_model_nest_keys[] = {
    RESERVED("weight", "weights are set by projections: projection model nest_params.weights"),
    KNOWN("receptor_type", DN_SCHEMA_NONNEG_INT, "0",
          "receptor port number (to name it, use params.target_neuron + params.receptor_type)"),
};
static const dn_schema_table synapse_model_nest = {
    "synapse model nest_params",
    DN_SCHEMA_OPEN,
    synapse_model_nest_keys,
    N(synapse_model_nest_keys),
    NULL,
    0,
    "the synapse model's parameters (delay, tau_rec, ...), checked by the engine"};

const dn_schema_node dn_schema_synapse_model = {
    "synapse model", "network/synapse_models/<leaf>",
    "A synapse model named after the leaf, copied from nest_model.",
    .data = {&synapse_model_params, &synapse_model_nest}, .children = DN_SCHEMA_NO_CHILDREN};
const dn_schema_node dn_schema_synapse_models = {
    "synapse_models", "network/synapse_models", "Leaves of any depth are synapse models.",
    .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_synapse_model};

/* ---- layers (§4.2) ---- */

static const dn_schema_key layer_keys[] = {
    MANDATORY("populations", DN_SCHEMA_POPULATIONS,
              "{model name: units per grid location}, in node-creation order"),
    {"type", DN_SCHEMA_ENUM, DN_SCHEMA_OPTIONAL, true, "null", layer_types, NULL, NULL,
     "null for a plain layer, InputLayer for a layer of stimulation devices"},
    KNOWN("add_parrots", DN_SCHEMA_BOOL, "true",
          "InputLayer only: add a parrot_neuron population relaying the stimulators"),
};
static const dn_schema_rule layer_rules[] = {
    {DN_SCHEMA_ONLY_IF, "add_parrots", "type", "InputLayer", 0, NULL,
     "`add_parrots` is only allowed for layers of type InputLayer"},
    {DN_SCHEMA_SIZE_IF, "populations", "type", "InputLayer", 1, NULL,
     "an InputLayer has exactly one population (its stimulation devices)"},
};
static const dn_schema_table layer_params = {
    "layer params", DN_SCHEMA_CLOSED, layer_keys, N(layer_keys), layer_rules, N(layer_rules), NULL};

static const dn_schema_key layer_nest_keys[] = {
    MANDATORY("rows", DN_SCHEMA_POS_INT, "grid rows"),
    MANDATORY("columns", DN_SCHEMA_POS_INT, "grid columns"),
    KNOWN("extent", DN_SCHEMA_POS_PAIR, "[1.0, 1.0]", "[width, height] of the layer"),
    KNOWN("center", DN_SCHEMA_PAIR, "[0.0, 0.0]", "[x, y] of the layer's center"),
    KNOWN("edge_wrap", DN_SCHEMA_BOOL, "false", "periodic boundaries (a torus)"),
    RESERVED("elements", "derived from params.populations"),
};
static const dn_schema_table layer_nest = {
    "layer nest_params", DN_SCHEMA_CLOSED, layer_nest_keys, N(layer_nest_keys), NULL, 0, NULL};

const dn_schema_node dn_schema_layer = {
    "layer", "network/layers/<leaf>",
    "A grid layer named after the leaf: rows x columns locations, each holding the given units "
    "of every population.",
    .data = {&layer_params, &layer_nest}, .children = DN_SCHEMA_NO_CHILDREN};
const dn_schema_node dn_schema_layers = {"layers", "network/layers",
                                         "Leaves of any depth are layers.",
                                         .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_layer};

/* ---- projection models (§4.3) ---- */

static const dn_schema_key projection_model_keys[] = {
    {"type", DN_SCHEMA_ENUM, DN_SCHEMA_OPTIONAL, false, "topological", projection_types, NULL, NULL,
     "topological (a spatial ConnectLayers projection) or multisynapse (see below)"},
};
static const dn_schema_table projection_model_params = {"projection model params",
                                                        DN_SCHEMA_CLOSED,
                                                        projection_model_keys,
                                                        N(projection_model_keys),
                                                        NULL,
                                                        0,
                                                        NULL};

/* Deep checks of mask/kernel/weights/delays contents belong to the topology code. */
static const dn_schema_key projection_model_nest_keys[] = {
    MANDATORY("synapse_model", DN_SCHEMA_STRING, "synapse model of the connections"),
    {"connection_type", DN_SCHEMA_ENUM, DN_SCHEMA_MANDATORY, false, NULL, connection_types, NULL,
     NULL, "divergent: mask around each source; convergent: around each target"},
    RESERVED("sources", "set from the projection's source_population"),
    RESERVED("targets", "set from the projection's target_population"),
    KNOWN("mask", DN_SCHEMA_MAP, NULL,
          "{circular: {radius}} or {rectangular: {lower_left, upper_right}}...; none = all"),
    KNOWN("kernel", DN_SCHEMA_NUMBER_OR_MAP, "1.0",
          "connection probability, or {gaussian: {p_center, sigma, ...}}"),
    KNOWN("weights", DN_SCHEMA_NUMBER_OR_MAP, NULL,
          "weight, or a distribution {uniform: {min, max}}...; none = synapse default"),
    KNOWN("delays", DN_SCHEMA_NUMBER_OR_MAP, NULL,
          "delay in ms, or a distribution {normal: {mean, sigma, min}}...; none = default"),
    KNOWN("number_of_connections", DN_SCHEMA_NONNEG_INT, NULL,
          "fixed number of partners per driver node (fan-out or fan-in)"),
    KNOWN("allow_autapses", DN_SCHEMA_BOOL, "true", "allow a node to connect to itself"),
    KNOWN("allow_multapses", DN_SCHEMA_BOOL, "true", "allow repeated node pairs"),
    KNOWN("allow_oversized_mask", DN_SCHEMA_BOOL, "false",
          "allow a mask larger than a periodic layer"),
};
static const dn_schema_table projection_model_nest = {"projection model nest_params",
                                                      DN_SCHEMA_CLOSED,
                                                      projection_model_nest_keys,
                                                      N(projection_model_nest_keys),
                                                      NULL,
                                                      0,
                                                      NULL};

/* deNEST's MC_sleep branch (mc-sleep.md §7.1): a second connection, one-to-one over the pairs
 * already connected by synapses carrying a label (gap junctions in MC_sleep). */
static const dn_schema_key multisynapse_keys[] = {
    {"type", DN_SCHEMA_ENUM, DN_SCHEMA_MANDATORY, false, NULL, projection_types, NULL, NULL,
     "multisynapse"},
    MANDATORY("query_synapse_label", DN_SCHEMA_NONNEG_INT,
              "synapse_label of the existing connections whose pairs are connected again"),
    OPTIONAL("make_symmetric", DN_SCHEMA_BOOL, "false",
             "also connect each pair in the reverse direction (needed for gap junctions)"),
};
static const dn_schema_table multisynapse_params = {"multisynapse projection model params",
                                                    DN_SCHEMA_CLOSED,
                                                    multisynapse_keys,
                                                    N(multisynapse_keys),
                                                    NULL,
                                                    0,
                                                    NULL};
static const dn_schema_key multisynapse_nest_keys[] = {
    MANDATORY("model", DN_SCHEMA_STRING, "synapse model of the new connections (gap_junction)"),
    RESERVED("synapse_model", "a multisynapse projection model names its synapse `model`"),
    RESERVED("connection_type", "connections follow the labelled synapses one to one"),
    RESERVED("sources", "set from the projection's source_population"),
    RESERVED("targets", "set from the projection's target_population"),
};
static const dn_schema_table multisynapse_nest = {
    "multisynapse projection model nest_params",
    DN_SCHEMA_OPEN,
    multisynapse_nest_keys,
    N(multisynapse_nest_keys),
    NULL,
    0,
    "synapse parameters of the new connections (weight...)"};

const dn_schema_node dn_schema_multisynapse_model = {
    "projection model",
    "network/projection_models/<leaf> with type multisynapse",
    "From deNEST's MC_sleep branch: connects again, one to one, every (source, target) pair of "
    "the projection's populations already joined by a synapse with label query_synapse_label; "
    "created after all topological projections.",
    .data = {&multisynapse_params, &multisynapse_nest},
    .children = DN_SCHEMA_NO_CHILDREN,
    .variant_value = "multisynapse"};

static const dn_schema_node *const projection_model_variants[] = {&dn_schema_multisynapse_model,
                                                                  NULL};
const dn_schema_node dn_schema_projection_model = {
    "projection model",
    "network/projection_models/<leaf>",
    "Connection parameters named after the leaf, used by topology projections.",
    .data = {&projection_model_params, &projection_model_nest},
    .children = DN_SCHEMA_NO_CHILDREN,
    .variant_key = "type",
    .variants = projection_model_variants};
const dn_schema_node dn_schema_projection_models = {
    "projection_models", "network/projection_models", "Leaves of any depth are projection models.",
    .children = DN_SCHEMA_LEAVES, .leaf = &dn_schema_projection_model};

/* ---- topology (§4.4) ---- */

static const dn_schema_key projection_keys[] = {
    MANDATORY("projection_model", DN_SCHEMA_STRING, "a projection_models leaf"),
    MANDATORY("source_layers", DN_SCHEMA_STRING_LIST, "source layers"),
    {"source_population", DN_SCHEMA_STRING, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "source population; null = every node of the layer"},
    MANDATORY("target_layers", DN_SCHEMA_STRING_LIST, "target layers"),
    {"target_population", DN_SCHEMA_STRING, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "target population; null = every node of the layer"},
};
const dn_schema_table dn_schema_projection = {
    "projection", DN_SCHEMA_CLOSED, projection_keys, N(projection_keys), NULL, 0, NULL};

static const dn_schema_key topology_keys[] = {
    {"projections", DN_SCHEMA_ITEMS, DN_SCHEMA_OPTIONAL, false, "[]", NULL, &dn_schema_projection,
     NULL, "one projection per (source layer, target layer) pair of each item"},
};
static const dn_schema_table topology_params = {
    "topology params", DN_SCHEMA_CLOSED, topology_keys, N(topology_keys), NULL, 0, NULL};

const dn_schema_node dn_schema_topology = {
    "topology", "network/topology", "The list of projections. No children.",
    .data = {&topology_params, &no_nest_params}, .children = DN_SCHEMA_NO_CHILDREN};

/* ---- recorders (§4.5) ---- */

static const dn_schema_key population_recorder_keys[] = {
    MANDATORY("model", DN_SCHEMA_STRING, "a recorder_models leaf or a built-in recorder"),
    {"layers", DN_SCHEMA_STRING_LIST, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "layers to record; null = all layers"},
    {"populations", DN_SCHEMA_STRING_LIST, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "populations to record in each layer; null = all recordable ones"},
};
const dn_schema_table dn_schema_population_recorder = {"population recorder",
                                                       DN_SCHEMA_CLOSED,
                                                       population_recorder_keys,
                                                       N(population_recorder_keys),
                                                       NULL,
                                                       0,
                                                       NULL};

static const dn_schema_key projection_recorder_keys[] = {
    MANDATORY("model", DN_SCHEMA_STRING, "a recorder_models leaf or weight_recorder"),
    MANDATORY("projection_model", DN_SCHEMA_STRING, "the projection's model"),
    MANDATORY("source_layers", DN_SCHEMA_STRING_LIST, "the projection's source layers"),
    {"source_population", DN_SCHEMA_STRING, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "the projection's source population"},
    MANDATORY("target_layers", DN_SCHEMA_STRING_LIST, "the projection's target layers"),
    {"target_population", DN_SCHEMA_STRING, DN_SCHEMA_MANDATORY, true, NULL, NULL, NULL, NULL,
     "the projection's target population"},
};
const dn_schema_table dn_schema_projection_recorder = {"projection recorder",
                                                       DN_SCHEMA_CLOSED,
                                                       projection_recorder_keys,
                                                       N(projection_recorder_keys),
                                                       NULL,
                                                       0,
                                                       NULL};

static const dn_schema_key recorders_keys[] = {
    {"population_recorders", DN_SCHEMA_ITEMS, DN_SCHEMA_OPTIONAL, true, "[]", NULL,
     &dn_schema_population_recorder, NULL, "one recorder per (model, layer, population)"},
    {"projection_recorders", DN_SCHEMA_ITEMS, DN_SCHEMA_OPTIONAL, true, "[]", NULL,
     &dn_schema_projection_recorder, NULL, "one weight recorder per matching projection"},
};
static const dn_schema_table recorders_params = {
    "recorders params", DN_SCHEMA_CLOSED, recorders_keys, N(recorders_keys), NULL, 0, NULL};

const dn_schema_node dn_schema_recorders = {
    "recorders", "network/recorders", "Population and projection recorders. No children.",
    .data = {&recorders_params, &no_nest_params}, .children = DN_SCHEMA_NO_CHILDREN};

/* ---- network and root (§3, §4.0) ---- */

static const dn_schema_child network_children[] = {
    {"neuron_models", &dn_schema_neuron_models, false},
    {"synapse_models", &dn_schema_synapse_models, false},
    {"layers", &dn_schema_layers, false},
    {"projection_models", &dn_schema_projection_models, false},
    {"topology", &dn_schema_topology, false},
    {"recorder_models", &dn_schema_recorder_models, false},
    {"recorders", &dn_schema_recorders, false},
};
const dn_schema_node dn_schema_network = {"network",
                                          "network",
                                          "The network: models, layers, projections, recorders.",
                                          .data = {&no_params, &no_nest_params},
                                          .children = DN_SCHEMA_NAMED,
                                          .child = network_children,
                                          .n_child = N(network_children)};

static const dn_schema_child root_children[] = {
    {"kernel", &dn_schema_kernel, false},
    {"simulation", &dn_schema_simulation, false},
    {"session_models", &dn_schema_session_models, false},
    {"network", &dn_schema_network, false},
};
const dn_schema_node dn_schema_root = {"root",
                                       "",
                                       "The top of the tree: no data, four optional subtrees.",
                                       .data = {&no_params, &no_nest_params},
                                       .children = DN_SCHEMA_NAMED,
                                       .child = root_children,
                                       .n_child = N(root_children)};

const dn_schema_node *dn_schema_variant(const dn_schema_node *spec, const dn_tree *node,
                                        const dn_tree *top)
{
    if (!spec->variant_key || !spec->variants)
        return spec;
    for (const dn_tree *t = node; t; t = t->parent) {
        const dn_value *v = dn_value_map_get(t->data[DN_PARAMS], spec->variant_key);
        if (v) {
            for (size_t i = 0; v->type == DN_VALUE_STRING && spec->variants[i]; i++)
                if (strcmp(spec->variants[i]->variant_value, v->u.s.ptr) == 0)
                    return spec->variants[i];
            return spec;
        }
        if (t == top)
            break;
    }
    return spec;
}

const dn_schema_key *dn_schema_lookup(const dn_schema_table *table, const char *key)
{
    if (!table || !key)
        return NULL;
    for (size_t i = 0; i < table->n_keys; i++)
        if (strcmp(table->keys[i].key, key) == 0)
            return &table->keys[i];
    return NULL;
}

/* Networks from parameter trees (deNEST spec §4): build the `network` subtree into the engine in
 * deNEST's create order (models, layers, recorders, projections), then answer the questions the
 * session layer and `denest show --network` ask: layers and their populations with GIDs and grid
 * locations, recorders with their metadata (§8.6), projections with the synapse model they use.
 *
 * Layering: net/ knows parameter trees and the engine API; it writes no files (the session layer
 * writes the recorder metadata returned here) and knows nothing of sessions. */
#ifndef DENEST_NET_H
#define DENEST_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "denest/engine.h"
#include "denest/error.h"
#include "denest/model.h"
#include "denest/topology.h"
#include "denest/tree.h"
#include "denest/value.h"

typedef struct dn_net dn_net;
typedef struct dn_net_layer dn_net_layer;
typedef struct dn_net_population dn_net_population;
typedef struct dn_net_projection dn_net_projection;
typedef struct dn_net_recorder dn_net_recorder;

/* All structures below are owned by the dn_net and live until dn_net_free. Their fields may be
 * READ directly; never change them. Strings are NUL-terminated and owned by the net. */

/* One population of a layer: the nodes of one model (deNEST spec §4.2.3). Created with ONE
 * dn_engine_create call, so its GIDs are consecutive: first .. first + n - 1, and
 *   gid(r, c, k) = first + k·rows·columns + c·rows + r       (unit copy k, column-major grid). */
struct dn_net_population {
    const char *name;          /* model name of its nodes (key of `populations`) */
    const dn_net_layer *layer; /* the layer it belongs to */
    int64_t units;             /* units per location (n_p) */
    dn_gid first;              /* first GID */
    size_t n;                  /* units · rows · columns */
    bool recordable;           /* plain layers: all; InputLayer: the parrots only */
    bool stimulator;           /* the stimulator population of an InputLayer */
};

/* One layer (a leaf of `network/layers`). */
struct dn_net_layer {
    const char *name;
    bool is_input;    /* params.type == InputLayer */
    bool add_parrots; /* InputLayer: parrots created (decisions.md: flag honoured) */
    int64_t rows, columns;
    dn_gid gid; /* the layer's own GID (reserved, not a node) */
    size_t n_populations;
    const dn_net_population *populations; /* in `populations` order; an InputLayer has its
                                              stimulators first, then parrot_neuron if added */
    const dn_net_population *stimulators; /* InputLayer: its stimulator population; else NULL */
    const dn_net_population *parrots;     /* InputLayer with parrots: parrot_neuron; else NULL */
    dn_topo_layer geometry;               /* grid, extent, center, edge_wrap as parsed */
    const dn_tree *leaf;                  /* the tree leaf (for marks and paths) */
};

/* One projection (deNEST spec §4.4), in the sorted order they were connected. */
struct dn_net_projection {
    const char *name;               /* str(projection): <pm>-<sl>-<sp>-<tl>-<tp> (null pop: None) */
    const char *projection_model;   /* leaf name in network/projection_models */
    const char *base_synapse_model; /* nest_params.synapse_model of the projection model */
    const char *synapse_model;      /* the model actually used: base, or the private copy
                                       "<base>-<name>" when a projection recorder is attached */
    const dn_net_layer *source_layer, *target_layer;
    const dn_net_population *source_population; /* NULL = every node of the layer */
    const dn_net_population *target_population; /* NULL = every node of the layer */
    size_t index;                    /* position in sorted order. The topology random streams
                                        are named by a hash of `name` (and the seed), so adding
                                        a projection leaves the others' connections unchanged */
    size_t n_connections;            /* connections made by this projection */
    const dn_net_recorder *recorder; /* its projection recorder, or NULL */
};

typedef enum dn_net_recorder_kind {
    DN_NET_MULTIMETER = 0,  /* base model multimeter or voltmeter: samples its units */
    DN_NET_SPIKE_DETECTOR,  /* base model spike_detector / spike_recorder */
    DN_NET_WEIGHT_RECORDER, /* base model weight_recorder: a projection recorder */
} dn_net_recorder_kind;

/* One recorder node (deNEST spec §4.5). Population recorders first (sorted by (model, layer,
 * population)), then projection recorders (sorted by (model, projection tuple)): GID order. */
struct dn_net_recorder {
    dn_gid gid;
    const char *label; /* <model>_<layer>_<population> or <model>_<projection str> */
    const char *model; /* recorder model name as written (leaf or built-in) */
    dn_net_recorder_kind kind;
    const char *type; /* "multimeter", "spike_detector" or "weight_recorder" */
    /* population recorders: */
    const dn_net_layer *layer;
    const dn_net_population *population;
    /* projection recorders: */
    const dn_net_projection *projection;
    /* Metadata map of deNEST spec §8.6 with decisions.md's fixes (plain lists, real colnames,
     * NEST's GID padding in filenames). Keys in file order:
     *   population recorders: colnames, filenames, gids, interval, label, layer_name, layer_shape,
     *     locations ({gid: [row, column, unit]}, integer keys), population_name,
     *     population_shape, record_from, type, units_number;
     *   weight recorders: colnames ([sender, target, (port), (rport), time, weight] as the
     *     recorder's with* flags say), filenames, label, projection_name, type.
     * Filenames: <data_prefix><label>-<gid padded to the digits of network_size>-<vp padded to
     * the digits of the VP count>.<file_extension>, one per VP; [] when `file` is not in
     * record_to. The session layer writes it as data/<label>.yml. */
    const dn_value *metadata;
};

/* Options of dn_net_build. Zero-initialise, then set what you need. */
typedef struct dn_net_options {
    uint64_t seed; /* master seed of the topology random streams (kernel nest_seed) */
    int threads;   /* OpenMP threads for computing topological connections; <= 0: OpenMP
                      default. Results never depend on it. */
} dn_net_options;

/* ---- building ------------------------------------------------------------------------------ */

/* Build the network described by `network` (the `network` node of a full tree, or a root whose
 * children are neuron_models, synapse_models, ...; tree paths in errors are taken from the node
 * as it sits in its tree) into the engine `e`, in deNEST's create order (spec §4.0):
 *   1. neuron models, 2. synapse models, 3. recorder models — each group in leaf order: CopyModel
 *      (or SetDefaults when the leaf's name equals its nest_model); a synapse model with
 *      target_neuron + receptor_type gets receptor_type = the target model's receptor id (the
 *      target may be a built-in or a neuron model of this tree);
 *   4. layers sorted by name (a reserved layer GID, then one dn_engine_create per population;
 *      InputLayers: stimulators + parrot_neuron wired one_to_one with static_synapse);
 *   5. population recorders (sorted), 6. projection recorders (sorted; each gives its projection
 *      a private synapse model "<base>-<projection str>" with weight_recorder = its GID),
 *   7. projections (sorted) via dn_topo_connect + dn_engine_connect_rows;
 *   then the recorder metadata is computed from the finished network (network size, VP count,
 *   data_prefix and each recorder's record_to / file_extension / record_from / interval).
 * `network` may be NULL (no network subtree): an empty network. `opt` may be NULL (seed 0,
 * default threads). Logs deNEST's INFO messages (spec §9.2).
 *
 * The tree is expected to have passed the schema layer, but anything wrong is reported cleanly:
 * DN_EINPUT with the offending value's file:line:column and tree path for unknown models (with
 * a suggestion), bad nest_params (the engine's message, mark and the path of the key), receptor
 * names the target model lacks, recorder models that are not recorders (or whose base model is
 * not multimeter/voltmeter/spike_detector/spike_recorder for population recorders, or
 * weight_recorder for projection recorders), unknown layers / populations / projection models,
 * populations absent from a layer, duplicate projections or projection recorders, and every error
 * of the topology parser and algorithms (masks larger than the layer, probabilities outside
 * [0, 1], negative delays, ...). DN_ENOMEM when out of memory.
 *
 * On failure *out is NULL; the engine may hold the models and nodes made before the error (reset
 * it with dn_engine_reset_kernel before building again). The net keeps pointers into `network`
 * (dn_net_layer.leaf): keep the tree alive while the net is used. */
dn_status dn_net_build(const dn_tree *network, dn_engine *e, const dn_net_options *opt,
                       dn_net **out, dn_error *err);

/* Free a net (not the engine's nodes). NULL is fine. */
void dn_net_free(dn_net *net);

/* Recompute every recorder's metadata from the engine's current state (network size, VPs,
 * data_prefix, recorder status). dn_net_build already did this; call it again only if nodes were
 * added or the kernel's data_prefix changed since. */
dn_status dn_net_update_metadata(dn_net *net, dn_engine *e, dn_error *err);

/* ---- queries ------------------------------------------------------------------------------- */

/* Layers sorted by name (creation order). */
size_t dn_net_n_layers(const dn_net *net);
const dn_net_layer *dn_net_layer_at(const dn_net *net, size_t i);
/* Layer by name, NULL if absent. */
const dn_net_layer *dn_net_find_layer(const dn_net *net, const char *name);
/* Population of a layer by name, NULL if absent. */
const dn_net_population *dn_net_layer_population(const dn_net_layer *layer, const char *name);
/* Layer names (for "did you mean"); array of n_layers pointers, owned by the net. */
const char *const *dn_net_layer_names(const dn_net *net);

/* GID of unit k at grid location (row, column) of a population (no range check). */
dn_gid dn_net_population_gid(const dn_net_population *pop, int64_t row, int64_t column, int64_t k);
/* Location of a population's GID: returns false if gid is not in the population. */
bool dn_net_population_location(const dn_net_population *pop, dn_gid gid, int64_t *row,
                                int64_t *column, int64_t *k);

/* Projections in sorted (= connection) order. */
size_t dn_net_n_projections(const dn_net *net);
const dn_net_projection *dn_net_projection_at(const dn_net *net, size_t i);
/* Projection by its five fields (a NULL population means None); NULL if absent. */
const dn_net_projection *dn_net_find_projection(const dn_net *net, const char *projection_model,
                                                const char *source_layer,
                                                const char *source_population,
                                                const char *target_layer,
                                                const char *target_population);
/* The projection's connections: dn_engine_get_connections filtered by the synapse model it uses
 * and its source and target nodes (for synapse_changes). Note: two projections between the same
 * nodes with the same synapse model cannot be told apart this way; both are selected. Caller
 * frees with dn_connsel_free. */
dn_status dn_net_projection_connections(const dn_net *net, dn_engine *e,
                                        const dn_net_projection *proj, dn_connsel **out,
                                        dn_error *err);

/* Recorders in GID order: population recorders first, then projection recorders. */
size_t dn_net_n_recorders(const dn_net *net);
const dn_net_recorder *dn_net_recorder_at(const dn_net *net, size_t i);
/* Recorder by label, NULL if absent. */
const dn_net_recorder *dn_net_find_recorder(const dn_net *net, const char *label);
/* Number of population recorders (they come first in the recorder list). */
size_t dn_net_n_population_recorders(const dn_net *net);

/* Total number of nodes of the network including the root, recorders and parrots (the kernel's
 * network_size right after the build) and all connections made (recorder and parrot links
 * included), as logged at the end of dn_net_build. */
size_t dn_net_network_size(const dn_net *net);
size_t dn_net_num_connections(const dn_net *net);

/* `denest show --network`: layers (shape, extent, wrap, populations with units and GID ranges),
 * projections (str, synapse model used, connection counts), recorders (GID, label, kind,
 * recorded population or projection), and the totals. Plain text for humans. */
void dn_net_describe(const dn_net *net, FILE *out);

#endif

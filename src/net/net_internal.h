/* Private structures of the network builder (src/net/net_*.c): the dn_net object, the plan read
 * from the tree before the engine is touched (models, layers, projection models, expanded and
 * sorted projection / recorder tuples), and small error and string helpers. Not a public header. */
#ifndef DENEST_NET_INTERNAL_H
#define DENEST_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/net.h"

/* One leaf of neuron_models / synapse_models / recorder_models. */
typedef struct net_model {
    const dn_tree *leaf;
    const char *name;       /* str(leaf name), owned by the net */
    const char *nest_model; /* points into the tree */
    const dn_value *nest_model_v;
    const dn_tree *nest_model_owner;
    /* synapse models: target_neuron + receptor_type (both or neither) */
    const dn_value *target_v, *receptor_v;
    const dn_tree *target_owner, *receptor_owner;
} net_model;

/* A layer and the storage of its populations. */
typedef struct net_layer {
    dn_net_layer pub;
    dn_net_population *pops; /* pub.populations */
    dn_mark *pop_marks;      /* where each population was written (parrots: the layer's) */
    char *pop_path;          /* path of the populations value */
} net_layer;

/* One leaf of projection_models with its parsed ConnectLayers dictionary. */
typedef struct net_pmodel {
    const dn_tree *leaf;
    const char *name;
    dn_value *nest_params;     /* effective nest_params (owned) */
    const char *synapse_model; /* points into nest_params */
    const dn_value *synapse_v;
    char *path; /* <leaf path>/nest_params */
    dn_topo_spec spec;
} net_pmodel;

/* An expanded list item: (model), projection_model, source layer, source population, target
 * layer, target population. NULL populations are None. */
typedef struct net_tuple {
    const char *model; /* recorder items only */
    const char *pm, *sl, *sp, *tl, *tp;
    const dn_value *item;                                       /* the list item (its mark) */
    const dn_value *v_model, *v_pm, *v_sl, *v_sp, *v_tl, *v_tp; /* for marks */
    size_t item_index;
    char *path; /* path of the item, owned by the net */
} net_tuple;

typedef struct net_proj {
    dn_net_projection pub;
    const net_pmodel *pm;
    const net_tuple *tuple;
} net_proj;

typedef struct net_rec {
    dn_net_recorder pub;
    dn_value *meta;         /* pub.metadata */
    const net_tuple *tuple; /* population recorders: only model/sl/sp used */
} net_rec;

struct dn_net {
    net_model *neuron_models, *synapse_models, *recorder_models;
    size_t n_neuron_models, n_synapse_models, n_recorder_models;

    net_layer *layers; /* sorted by name */
    size_t n_layers;
    const char **layer_names;

    net_pmodel *pmodels; /* leaf order */
    size_t n_pmodels;

    net_tuple *proj_tuples; /* sorted; one per projection */
    size_t n_proj_tuples;
    net_tuple *poprec_tuples; /* sorted, unique */
    size_t n_poprec_tuples;
    net_tuple *projrec_tuples; /* sorted */
    size_t n_projrec_tuples;

    net_proj *projs; /* parallel to proj_tuples */
    size_t n_projs;
    net_rec *recs; /* population recorders, then projection recorders */
    size_t n_recs, n_poprecs;

    size_t network_size, num_connections;

    char **strs; /* every string the net owns */
    size_t n_strs, cap_strs;
};

/* ---- strings ----------------------------------------------------------------------------- */
/* Copy s into the net's string pool (NULL when out of memory). */
char *net_strdup(dn_net *net, const char *s);
/* printf into the pool. */
char *net_strfmt(dn_net *net, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take ownership of a malloc'ed string (freed on failure); returns it or NULL. */
char *net_own(dn_net *net, char *s);

/* "a/b" joined into buf; returns buf. */
const char *net_path(char *buf, size_t size, const char *base, const char *key);
/* printf into buf (truncating silently: paths only); returns buf. */
const char *net_pathf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Path of a tree node with an optional suffix ("params/nest_model"), into buf. */
const char *net_node_path(const dn_tree *node, const char *suffix, char *buf, size_t size);

/* " (did you mean `x`?)" for word among candidates, or "" — into buf; returns buf. */
const char *net_suggest(const char *word, const char *const *cands, size_t n, char *buf,
                        size_t size);

/* DN_ENOMEM with a message. */
dn_status net_oom(dn_error *err);

/* ---- phase 1: reading the tree (engine-free; net_plan.c, net_read.c, net_items.c) -------- */
/* All of phase 1 in order, with deNEST's "Build N=..." log messages. */
dn_status net_read_all(dn_net *net, const dn_tree *network, dn_error *err);
/* Models, layers and projection models (fills the corresponding members of net). */
dn_status net_read_models(dn_net *net, const dn_tree *network, dn_error *err);
dn_status net_read_layers(dn_net *net, const dn_tree *network, dn_error *err);
dn_status net_read_pmodels(dn_net *net, const dn_tree *network, dn_error *err);
/* Projection items (topology), population and projection recorder items: expanded, checked
 * against layers / populations / projection models, sorted; duplicates are errors (population
 * recorders: merged). Needs net_read_layers and net_read_pmodels first. Also fills net->projs. */
dn_status net_read_projections(dn_net *net, const dn_tree *network, dn_error *err);
dn_status net_read_recorders(dn_net *net, const dn_tree *network, dn_error *err);

/* Lookups on the plan. */
net_layer *net_find_layer(const dn_net *net, const char *name);
const net_pmodel *net_find_pmodel(const dn_net *net, const char *name);
/* Compare two tuples field by field (model first when with_model), None before any string,
 * strings in code-point order (Python's tuple order). */
int net_tuple_cmp(const net_tuple *a, const net_tuple *b, bool with_model);
/* str(projection) of a tuple: "<pm>-<sl>-<sp>-<tl>-<tp>" with None for null populations. */
char *net_tuple_projection_name(dn_net *net, const net_tuple *t);

/* ---- phase 2: engine (net_create.c, net_connect.c) ---------------------------------------- */
dn_status net_create_models(dn_net *net, dn_engine *e, dn_error *err);
dn_status net_create_layers(dn_net *net, dn_engine *e, dn_error *err);
dn_status net_create_recorders(dn_net *net, dn_engine *e, dn_error *err);
dn_status net_connect_projections(dn_net *net, dn_engine *e, const dn_net_options *opt,
                                  dn_error *err);

/* Give an engine error the tree path of the nest_params key it is about: the key of `params`
 * (an effective nest_params map) whose value (or a value inside it) carries err->mark, looked up
 * from `leaf` for its owner. Leaves the error alone if it already has a path. */
void net_error_locate(dn_error *err, const dn_tree *leaf, dn_tree_data which,
                      const dn_value *params);

/* ---- raw file names (net_util.c) ----------------------------------------------------------- */
/* Number of decimal digits of n (n >= 1; 0 gives 1). */
int net_digits(size_t n);
/* One raw file name: <prefix><label>-<gid padded>-<vp padded>.<ext> into a malloc'ed string. */
char *net_raw_filename(const char *prefix, const char *label, dn_gid gid, size_t network_size,
                       int vp, int n_vp, const char *ext);

#endif

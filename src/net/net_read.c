/* Phase 1 of the network build, part 1: read the model leaves, the layers (sorted by name, with
 * their populations and grid geometry) and the projection models (with the parsed ConnectLayers
 * dictionary) from the `network` subtree. No engine here (deNEST spec §4.1–4.3). */
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

static const char *const kPlainKinds[] = {"neuron", "synapse", "recorder"};

/* str(leaf.name) in full, in the net's pool (NULL when out of memory). A fixed buffer here used
 * to truncate names longer than 255 bytes silently, so a long model name was later "unknown". */
static char *leaf_name(dn_net *net, const dn_tree *leaf)
{
    return leaf->name ? net_own(net, dn_value_to_text(leaf->name)) : net_strdup(net, "None");
}

/* Read an optional string-valued effective param. *v is NULL when absent. */
static dn_status param_string(const dn_tree *leaf, const char *key, const char *what,
                              const dn_value **v, const dn_tree **owner, dn_error *err)
{
    *v = dn_tree_find_param(leaf, DN_PARAMS, key, owner);
    if (*v && (*v)->type != DN_VALUE_STRING) {
        char path[DN_ERROR_PATH_MAX], suffix[128];
        snprintf(suffix, sizeof suffix, "params/%s", key);
        char name[256];
        dn_tree_name_text(leaf, name, sizeof name);
        return dn_error_set(err, DN_EINPUT, &(*v)->mark,
                            net_node_path(*owner, suffix, path, sizeof path),
                            "%s `%s`: `%s` must be a string (a model name), got %s", what, name,
                            key, dn_value_kind(*v));
    }
    return DN_OK;
}

/* The leaves of network/<child> (deNEST spec §4.1–4.3: one object per leaf), after checking
 * that no two share a name. *n = 0 and *leaves = NULL when the subtree is absent or empty;
 * otherwise the caller frees *leaves. */
static dn_status group_leaves(const dn_tree *network, const char *child, const dn_tree ***leaves,
                              size_t *n, dn_error *err)
{
    *leaves = NULL;
    *n = 0;
    const dn_tree *group = dn_tree_child(network, child);
    if (!group)
        return DN_OK;
    dn_status st = dn_tree_check_unique_leaves(group, err);
    if (st == DN_OK)
        st = dn_tree_leaves(group, false, leaves, n, err);
    if (st == DN_OK && *n == 0) {
        free(*leaves);
        *leaves = NULL;
    }
    return st;
}

static dn_status read_group(dn_net *net, const dn_tree *network, const char *child, int kind,
                            net_model **out, size_t *n_out, dn_error *err)
{
    *out = NULL;
    *n_out = 0;
    const dn_tree **leaves = NULL;
    size_t n = 0;
    dn_status st = group_leaves(network, child, &leaves, &n, err);
    if (st != DN_OK || n == 0)
        return st;
    net_model *models = calloc(n, sizeof *models);
    if (!models) {
        free(leaves);
        return net_oom(err);
    }
    *out = models;
    *n_out = n;
    char what[64], path[DN_ERROR_PATH_MAX];
    snprintf(what, sizeof what, "%s model", kPlainKinds[kind]);
    for (size_t i = 0; i < n && st == DN_OK; i++) {
        net_model *m = &models[i];
        m->leaf = leaves[i];
        m->name = leaf_name(net, leaves[i]);
        if (!m->name) {
            st = net_oom(err);
            break;
        }
        if ((st = param_string(m->leaf, "nest_model", what, &m->nest_model_v, &m->nest_model_owner,
                               err)) != DN_OK)
            break;
        if (!m->nest_model_v) {
            const dn_mark *mk = m->leaf->data_mark[DN_PARAMS].file ? &m->leaf->data_mark[DN_PARAMS]
                                                                   : &m->leaf->mark;
            st = dn_error_set(err, DN_EINPUT, mk,
                              net_node_path(m->leaf, "params", path, sizeof path),
                              "%s `%s`: missing mandatory parameter `nest_model` (the name of the "
                              "NEST model it derives from, e.g. `nest_model: %s`)",
                              what, m->name,
                              kind == 0   ? "ht_neuron"
                              : kind == 1 ? "static_synapse"
                                          : "spike_detector");
            break;
        }
        m->nest_model = dn_value_str(m->nest_model_v);
        if (kind != 1)
            continue;
        if ((st = param_string(m->leaf, "target_neuron", what, &m->target_v, &m->target_owner,
                               err)) != DN_OK ||
            (st = param_string(m->leaf, "receptor_type", what, &m->receptor_v, &m->receptor_owner,
                               err)) != DN_OK)
            break;
        if ((m->target_v == NULL) != (m->receptor_v == NULL)) {
            const dn_value *given = m->target_v ? m->target_v : m->receptor_v;
            const dn_tree *owner = m->target_v ? m->target_owner : m->receptor_owner;
            st = dn_error_set(err, DN_EINPUT, &given->mark,
                              net_node_path(owner, "params", path, sizeof path),
                              "synapse model `%s`: give both `target_neuron` and `receptor_type` "
                              "in params, or neither of them (only `%s` is given)",
                              m->name, m->target_v ? "target_neuron" : "receptor_type");
            break;
        }
        const dn_tree *owner = NULL;
        const dn_value *w = dn_tree_find_param(m->leaf, DN_NEST_PARAMS, "weight", &owner);
        if (w) {
            st = dn_error_set(err, DN_EINPUT, &w->mark,
                              net_node_path(owner, "nest_params/weight", path, sizeof path),
                              "synapse model `%s`: `weight` is reserved in nest_params (weights "
                              "are set by projection models' `weights`)",
                              m->name);
            break;
        }
        const dn_value *rt = dn_tree_find_param(m->leaf, DN_NEST_PARAMS, "receptor_type", &owner);
        if (rt && m->receptor_v) {
            st = dn_error_set(err, DN_EINPUT, &rt->mark,
                              net_node_path(owner, "nest_params/receptor_type", path, sizeof path),
                              "synapse model `%s`: `receptor_type` should not be specified in "
                              "nest_params if specified in params",
                              m->name);
            break;
        }
    }
    free(leaves);
    return st;
}

dn_status net_read_models(dn_net *net, const dn_tree *network, dn_error *err)
{
    dn_status st;
    if ((st = read_group(net, network, "neuron_models", 0, &net->neuron_models,
                         &net->n_neuron_models, err)) != DN_OK)
        return st;
    if ((st = read_group(net, network, "synapse_models", 1, &net->synapse_models,
                         &net->n_synapse_models, err)) != DN_OK)
        return st;
    return read_group(net, network, "recorder_models", 2, &net->recorder_models,
                      &net->n_recorder_models, err);
}

/* ---- layers -------------------------------------------------------------------------------- */

static int layer_cmp(const void *a, const void *b)
{
    return strcmp(((const net_layer *)a)->pub.name, ((const net_layer *)b)->pub.name);
}

static dn_status read_layer(dn_net *net, net_layer *L, const dn_tree *leaf, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    const dn_tree *owner = NULL;
    dn_status st;
    L->pub.leaf = leaf;
    L->pub.name = leaf_name(net, leaf);
    if (!L->pub.name)
        return net_oom(err);

    const dn_value *type = dn_tree_find_param(leaf, DN_PARAMS, "type", &owner);
    if (type && type->type != DN_VALUE_NULL) {
        const char *t = dn_value_str(type);
        if (!t || strcmp(t, "InputLayer") != 0) {
            char *txt = dn_value_repr(type);
            st = dn_error_set(err, DN_EINPUT, &type->mark,
                              net_node_path(owner, "params/type", path, sizeof path),
                              "layer `%s`: unknown layer type %s (use null for a plain layer or "
                              "`InputLayer`)",
                              L->pub.name, txt ? txt : "?");
            free(txt);
            return st;
        }
        L->pub.is_input = true;
    }

    const dn_value *ap = dn_tree_find_param(leaf, DN_PARAMS, "add_parrots", &owner);
    L->pub.add_parrots = L->pub.is_input;
    if (ap) {
        if (!L->pub.is_input)
            return dn_error_set(err, DN_EINPUT, &ap->mark,
                                net_node_path(owner, "params/add_parrots", path, sizeof path),
                                "layer `%s`: `add_parrots` is only allowed for layers of type "
                                "InputLayer",
                                L->pub.name);
        if (!dn_value_get_bool(ap, &L->pub.add_parrots))
            return dn_error_set(err, DN_EINPUT, &ap->mark,
                                net_node_path(owner, "params/add_parrots", path, sizeof path),
                                "layer `%s`: `add_parrots` must be true or false, got %s",
                                L->pub.name, dn_value_kind(ap));
    }

    const dn_value *pops = dn_tree_find_param(leaf, DN_PARAMS, "populations", &owner);
    if (!pops) {
        const dn_mark *mk =
            leaf->data_mark[DN_PARAMS].file ? &leaf->data_mark[DN_PARAMS] : &leaf->mark;
        return dn_error_set(err, DN_EINPUT, mk, net_node_path(leaf, "params", path, sizeof path),
                            "layer `%s`: missing mandatory parameter `populations` (a mapping "
                            "{<model name>: <units per location>})",
                            L->pub.name);
    }
    net_node_path(owner, "params/populations", path, sizeof path);
    L->pop_path = net_strdup(net, path);
    if (!L->pop_path)
        return net_oom(err);
    if (pops->type != DN_VALUE_MAP || pops->u.map.len == 0)
        return dn_error_set(err, DN_EINPUT, &pops->mark, path,
                            "layer `%s`: `populations` must be a non-empty mapping {<model "
                            "name>: <units per location>}, got %s",
                            L->pub.name,
                            pops->type == DN_VALUE_MAP ? "an empty mapping" : dn_value_kind(pops));
    size_t np = pops->u.map.len;
    if (L->pub.is_input && np != 1)
        return dn_error_set(err, DN_EINPUT, &pops->mark, path,
                            "InputLayer `%s` must have exactly one population (its stimulation "
                            "devices), got %zu",
                            L->pub.name, np);
    size_t total = np + (L->pub.add_parrots ? 1 : 0);
    L->pops = calloc(total, sizeof *L->pops);
    L->pop_marks = calloc(total, sizeof *L->pop_marks);
    if (!L->pops || !L->pop_marks)
        return net_oom(err);
    for (size_t i = 0; i < np; i++) {
        const dn_map_entry *en = &pops->u.map.items[i];
        dn_net_population *p = &L->pops[i];
        const char *pname = dn_value_str(en->key);
        if (!pname)
            return dn_error_set(err, DN_EINPUT, &en->key->mark, path,
                                "layer `%s`: population names must be model names (strings)",
                                L->pub.name);
        int64_t units;
        if (!dn_value_get_integral(en->value, &units) || units < 1) {
            char *txt = dn_value_repr(en->value);
            st = dn_error_set(err, DN_EINPUT, &en->value->mark, path,
                              "layer `%s`: population `%s` needs a positive integer number of "
                              "units per location, got %s",
                              L->pub.name, pname, txt ? txt : "?");
            free(txt);
            return st;
        }
        p->name = net_strdup(net, pname);
        if (!p->name)
            return net_oom(err);
        p->units = units;
        p->recordable = !L->pub.is_input;
        p->stimulator = L->pub.is_input;
        L->pop_marks[i] = en->key->mark;
    }
    if (L->pub.add_parrots) {
        if (strcmp(L->pops[0].name, "parrot_neuron") == 0)
            return dn_error_set(err, DN_EINPUT, &L->pop_marks[0], path,
                                "InputLayer `%s`: the stimulator population cannot be "
                                "`parrot_neuron` (the parrots are added automatically)",
                                L->pub.name);
        dn_net_population *p = &L->pops[np];
        p->name = "parrot_neuron";
        p->units = L->pops[0].units;
        p->recordable = true;
        L->pop_marks[np] = pops->mark;
    }
    L->pub.n_populations = total;

    dn_value *npar = NULL;
    if ((st = dn_tree_effective(leaf, DN_NEST_PARAMS, &npar, err)) != DN_OK)
        return st;
    st = dn_topo_layer_parse(npar, net_node_path(leaf, "nest_params", path, sizeof path),
                             &L->pub.geometry, err);
    dn_value_free(npar);
    if (st != DN_OK) {
        /* the effective map is made in code: a missing key has no mark of its own */
        if (err && !err->mark.file)
            err->mark =
                leaf->data_mark[DN_NEST_PARAMS].file ? leaf->data_mark[DN_NEST_PARAMS] : leaf->mark;
        dn_error_prefix(err, "layer `%s`: ", L->pub.name);
        return st;
    }
    if (L->pub.geometry.rows == 0) {
        return dn_error_set(err, DN_EINPUT, &leaf->mark,
                            net_node_path(leaf, "nest_params", path, sizeof path),
                            "layer `%s`: deNEST layers are grids: give `rows` and `columns`, "
                            "not `positions`",
                            L->pub.name);
    }
    L->pub.rows = L->pub.geometry.rows;
    L->pub.columns = L->pub.geometry.columns;
    size_t nloc = (size_t)L->pub.rows * (size_t)L->pub.columns;
    for (size_t i = 0; i < total; i++) {
        if ((uint64_t)L->pops[i].units > (uint64_t)UINT32_MAX / nloc)
            return dn_error_set(err, DN_EINPUT, &L->pop_marks[i], path,
                                "layer `%s`: population `%s` is too large", L->pub.name,
                                L->pops[i].name);
        L->pops[i].n = (size_t)L->pops[i].units * nloc;
    }
    return DN_OK;
}

dn_status net_read_layers(dn_net *net, const dn_tree *network, dn_error *err)
{
    const dn_tree **leaves = NULL;
    size_t n = 0;
    dn_status st = group_leaves(network, "layers", &leaves, &n, err);
    if (st != DN_OK || n == 0)
        return st;
    net->layers = calloc(n, sizeof *net->layers);
    net->layer_names = calloc(n, sizeof *net->layer_names);
    if (!net->layers || !net->layer_names) {
        free(leaves);
        return net_oom(err);
    }
    net->n_layers = n;
    for (size_t i = 0; i < n && st == DN_OK; i++)
        st = read_layer(net, &net->layers[i], leaves[i], err);
    free(leaves);
    if (st != DN_OK)
        return st;
    /* spec §4.0: layers are created sorted by name (code-point order). */
    qsort(net->layers, n, sizeof *net->layers, layer_cmp);
    for (size_t i = 0; i < n; i++) {
        net_layer *L = &net->layers[i];
        L->pub.populations = L->pops;
        for (size_t j = 0; j < L->pub.n_populations; j++)
            L->pops[j].layer = &L->pub;
        if (L->pub.is_input) {
            L->pub.stimulators = &L->pops[0];
            L->pub.parrots = L->pub.add_parrots ? &L->pops[1] : NULL;
        }
        net->layer_names[i] = L->pub.name;
    }
    return DN_OK;
}

net_layer *net_find_layer(const dn_net *net, const char *name)
{
    size_t lo = 0, hi = net->n_layers;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(net->layers[mid].pub.name, name);
        if (c == 0)
            return &net->layers[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- projection models ---------------------------------------------------------------------- */

static dn_status read_pmodel(dn_net *net, net_pmodel *pm, const dn_tree *leaf, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    const dn_tree *owner = NULL;
    dn_status st;
    pm->leaf = leaf;
    pm->name = leaf_name(net, leaf);
    pm->path = net_strdup(net, net_node_path(leaf, "nest_params", path, sizeof path));
    if (!pm->name || !pm->path)
        return net_oom(err);
    const dn_value *type = dn_tree_find_param(leaf, DN_PARAMS, "type", &owner);
    if (type &&
        !(type->type == DN_VALUE_STRING && strcmp(dn_value_str(type), "topological") == 0)) {
        char *txt = dn_value_repr(type);
        st = dn_error_set(err, DN_EINPUT, &type->mark,
                          net_node_path(owner, "params/type", path, sizeof path),
                          "projection model `%s`: unknown projection type %s (the only type is "
                          "`topological`)",
                          pm->name, txt ? txt : "?");
        free(txt);
        return st;
    }
    if ((st = dn_tree_effective(leaf, DN_NEST_PARAMS, &pm->nest_params, err)) != DN_OK)
        return st;
    static const char *const reserved[] = {"sources", "targets"};
    for (size_t k = 0; k < 2; k++) {
        const dn_value *v = dn_tree_find_param(leaf, DN_NEST_PARAMS, reserved[k], &owner);
        if (v) {
            char suffix[64];
            snprintf(suffix, sizeof suffix, "nest_params/%s", reserved[k]);
            return dn_error_set(err, DN_EINPUT, &v->mark,
                                net_node_path(owner, suffix, path, sizeof path),
                                "projection model `%s`: `%s` is reserved (it is set from each "
                                "projection's populations)",
                                pm->name, reserved[k]);
        }
    }
    pm->synapse_v = dn_tree_find_param(leaf, DN_NEST_PARAMS, "synapse_model", &owner);
    if (!pm->synapse_v) {
        const dn_mark *mk =
            leaf->data_mark[DN_NEST_PARAMS].file ? &leaf->data_mark[DN_NEST_PARAMS] : &leaf->mark;
        return dn_error_set(err, DN_EINPUT, mk, pm->path,
                            "projection model `%s`: missing mandatory parameter `synapse_model` "
                            "in nest_params",
                            pm->name);
    }
    pm->synapse_model = dn_value_str(pm->synapse_v);
    if (!pm->synapse_model)
        return dn_error_set(err, DN_EINPUT, &pm->synapse_v->mark,
                            net_node_path(owner, "nest_params/synapse_model", path, sizeof path),
                            "projection model `%s`: `synapse_model` must be a string (a synapse "
                            "model name), got %s",
                            pm->name, dn_value_kind(pm->synapse_v));
    dn_topo_spec_init(&pm->spec);
    if ((st = dn_topo_spec_parse(pm->nest_params, pm->path, &pm->spec, err)) != DN_OK) {
        if (err && !err->mark.file)
            err->mark =
                leaf->data_mark[DN_NEST_PARAMS].file ? leaf->data_mark[DN_NEST_PARAMS] : leaf->mark;
        dn_error_prefix(err, "projection model `%s`: ", pm->name);
        return st;
    }
    return DN_OK;
}

dn_status net_read_pmodels(dn_net *net, const dn_tree *network, dn_error *err)
{
    const dn_tree **leaves = NULL;
    size_t n = 0;
    dn_status st = group_leaves(network, "projection_models", &leaves, &n, err);
    if (st != DN_OK || n == 0)
        return st;
    net->pmodels = calloc(n, sizeof *net->pmodels);
    if (!net->pmodels) {
        free(leaves);
        return net_oom(err);
    }
    net->n_pmodels = n;
    for (size_t i = 0; i < n && st == DN_OK; i++)
        st = read_pmodel(net, &net->pmodels[i], leaves[i], err);
    free(leaves);
    return st;
}

const net_pmodel *net_find_pmodel(const dn_net *net, const char *name)
{
    for (size_t i = 0; i < net->n_pmodels; i++)
        if (strcmp(net->pmodels[i].name, name) == 0)
            return &net->pmodels[i];
    return NULL;
}

/* Phase 2 of the network build, part 1: the engine calls for models (CopyModel / SetDefaults,
 * receptor lookup), layers (one reserved GID, one create per population, InputLayer parrots) and
 * recorders (population recorders wired to their units, projection recorders hooked into a
 * private synapse model). deNEST spec §4.0–4.2, §4.5; GIDs as §4.2.3. */
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "net/net_internal.h"

static const char *const kGroup[] = {"neuron", "synapse", "recorder"};

static dn_status unknown_model(dn_engine *e, const char *name, const dn_value *v, const char *path,
                               const char *context, dn_error *err)
{
    const char *const *names = NULL;
    size_t n = dn_engine_model_names(e, &names);
    char sug[128];
    return dn_error_set(err, DN_EINPUT, v ? &v->mark : NULL, path, "%sunknown model `%s`%s",
                        context, name, net_suggest(name, names, n, sug, sizeof sug));
}

/* receptor_types[receptor] of the target model (deNEST spec §4.1.2; decisions.md: the target
 * may be a model of this tree, which exists by now since neuron models are created first). */
static dn_status lookup_receptor(dn_engine *e, const net_model *m, int64_t *id, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX], ctx[300];
    const char *target = dn_value_str(m->target_v);
    const char *receptor = dn_value_str(m->receptor_v);
    snprintf(ctx, sizeof ctx, "synapse model `%s`: target_neuron: ", m->name);
    if (dn_engine_model_kind(e, target) != DN_KIND_NODE)
        return unknown_model(
            e, target, m->target_v,
            net_node_path(m->target_owner, "params/target_neuron", path, sizeof path), ctx, err);
    dn_value *defs = NULL;
    dn_status st = dn_engine_get_defaults(e, target, &defs, err);
    if (st != DN_OK)
        return st;
    const dn_value *rt = dn_value_map_get(defs, "receptor_types");
    const dn_value *hit = rt ? dn_value_map_get(rt, receptor) : NULL;
    net_node_path(m->receptor_owner, "params/receptor_type", path, sizeof path);
    if (!hit || !dn_value_get_integral(hit, id)) {
        size_t n = dn_value_len(rt);
        if (n == 0) {
            st = dn_error_set(err, DN_EINPUT, &m->receptor_v->mark, path,
                              "synapse model `%s`: target model `%s` has no named receptor "
                              "types, so receptor_type `%s` cannot be looked up",
                              m->name, target, receptor);
        } else {
            const char **cands = calloc(n, sizeof *cands);
            char list[512] = "", sug[128] = "";
            size_t used = 0;
            for (size_t i = 0; i < n; i++) {
                const char *k = dn_value_str(dn_value_map_at(rt, i)->key);
                if (cands)
                    cands[i] = k ? k : "";
                int w =
                    snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", k ? k : "?");
                if (w > 0 && used + (size_t)w < sizeof list)
                    used += (size_t)w;
            }
            if (cands)
                net_suggest(receptor, cands, n, sug, sizeof sug);
            free(cands);
            st = dn_error_set(err, DN_EINPUT, &m->receptor_v->mark, path,
                              "synapse model `%s`: `%s` is not a receptor type of `%s`%s "
                              "(valid: %s)",
                              m->name, receptor, target, sug, list);
        }
    }
    dn_value_free(defs);
    return st;
}

static dn_status create_model(dn_net *net, dn_engine *e, const net_model *m, int group,
                              dn_error *err)
{
    (void)net;
    char path[DN_ERROR_PATH_MAX], ctx[300];
    snprintf(ctx, sizeof ctx, "%s model `%s`: nest_model: ", kGroup[group], m->name);
    net_node_path(m->nest_model_owner, "params/nest_model", path, sizeof path);
    dn_model_kind kind = dn_engine_model_kind(e, m->nest_model);
    if (kind == DN_KIND_NONE)
        return unknown_model(e, m->nest_model, m->nest_model_v, path, ctx, err);
    if (group == 1 && kind != DN_KIND_SYNAPSE)
        return dn_error_set(err, DN_EINPUT, &m->nest_model_v->mark, path,
                            "synapse model `%s`: `%s` is not a synapse model (it is a neuron or "
                            "device model)",
                            m->name, m->nest_model);
    if (group != 1 && kind != DN_KIND_NODE)
        return dn_error_set(err, DN_EINPUT, &m->nest_model_v->mark, path,
                            "%s model `%s`: `%s` is a synapse model; define it under "
                            "synapse_models",
                            kGroup[group], m->name, m->nest_model);
    if (group == 2) {
        dn_element_type et;
        dn_status st = dn_engine_model_element_type(e, m->nest_model, &et, err);
        if (st != DN_OK)
            return st;
        if (et != DN_ELEM_RECORDER)
            return dn_error_set(err, DN_EINPUT, &m->nest_model_v->mark, path,
                                "recorder model `%s`: `%s` is not a recorder (use multimeter, "
                                "spike_detector or weight_recorder, or a copy of one)",
                                m->name, m->nest_model);
    }
    dn_value *params = NULL;
    dn_status st = dn_tree_effective(m->leaf, DN_NEST_PARAMS, &params, err);
    if (st != DN_OK)
        return st;
    if (group == 1 && m->target_v) {
        int64_t id = 0;
        if ((st = lookup_receptor(e, m, &id, err)) != DN_OK)
            goto done;
        dn_value *iv = dn_value_int(id);
        if (!iv || dn_value_map_set(params, "receptor_type", iv) != DN_OK) {
            st = net_oom(err);
            goto done;
        }
    }
    /* spec §4.1.1: a leaf named like its nest_model changes the built-in's defaults */
    if (strcmp(m->nest_model, m->name) == 0)
        st = dn_engine_set_defaults(e, m->name, params, err);
    else
        st = dn_engine_copy_model(e, m->nest_model, m->name, params, err);
    if (st != DN_OK) {
        net_error_locate(err, m->leaf, DN_NEST_PARAMS, params);
        dn_error_prefix(err, "%s model `%s`: ", kGroup[group], m->name);
        if (err && !err->mark.file)
            err->mark = m->nest_model_v->mark;
    }
done:
    dn_value_free(params);
    return st;
}

dn_status net_create_models(dn_net *net, dn_engine *e, dn_error *err)
{
    const struct {
        net_model *models;
        size_t n;
        const char *msg;
    } groups[3] = {
        {net->neuron_models, net->n_neuron_models, "Creating neuron models..."},
        {net->synapse_models, net->n_synapse_models, "Creating synapse models..."},
        {net->recorder_models, net->n_recorder_models, "Creating recorder models..."},
    };
    for (int g = 0; g < 3; g++) {
        dn_log_info("network", "%s", groups[g].msg);
        for (size_t i = 0; i < groups[g].n; i++) {
            dn_status st = create_model(net, e, &groups[g].models[i], g, err);
            if (st != DN_OK)
                return st;
        }
    }
    /* every synapse model a projection model names exists now, or never will */
    for (size_t i = 0; i < net->n_pmodels; i++) {
        const net_pmodel *pm = &net->pmodels[i];
        if (dn_engine_model_kind(e, pm->synapse_model) == DN_KIND_SYNAPSE)
            continue;
        char path[DN_ERROR_PATH_MAX], ctx[300];
        const dn_tree *owner = NULL;
        dn_tree_find_param(pm->leaf, DN_NEST_PARAMS, "synapse_model", &owner);
        snprintf(ctx, sizeof ctx, "projection model `%s`: synapse_model: %s", pm->name,
                 dn_engine_model_kind(e, pm->synapse_model) == DN_KIND_NODE
                     ? "not a synapse model: "
                     : "");
        return unknown_model(
            e, pm->synapse_model, pm->synapse_v,
            net_node_path(owner ? owner : pm->leaf, "nest_params/synapse_model", path, sizeof path),
            ctx, err);
    }
    return DN_OK;
}

/* ---- layers --------------------------------------------------------------------------------- */

static dn_status check_population_model(dn_engine *e, const net_layer *L, size_t j, dn_error *err)
{
    const dn_net_population *p = &L->pops[j];
    char ctx[300];
    snprintf(ctx, sizeof ctx, "layer `%s`: population: ", L->pub.name);
    dn_model_kind kind = dn_engine_model_kind(e, p->name);
    if (kind == DN_KIND_NONE) {
        const char *const *names = NULL;
        size_t n = dn_engine_model_names(e, &names);
        char sug[128];
        return dn_error_set(err, DN_EINPUT, &L->pop_marks[j], L->pop_path,
                            "layer `%s`: population `%s` is not a model (populations are named "
                            "after a built-in model or a neuron model of network/neuron_models)%s",
                            L->pub.name, p->name, net_suggest(p->name, names, n, sug, sizeof sug));
    }
    if (kind == DN_KIND_SYNAPSE)
        return dn_error_set(err, DN_EINPUT, &L->pop_marks[j], L->pop_path,
                            "layer `%s`: population `%s` is a synapse model, not a neuron or "
                            "device model",
                            L->pub.name, p->name);
    dn_element_type et;
    dn_status st = dn_engine_model_element_type(e, p->name, &et, err);
    if (st != DN_OK)
        return st;
    if (et == DN_ELEM_RECORDER)
        return dn_error_set(err, DN_EINPUT, &L->pop_marks[j], L->pop_path,
                            "layer `%s`: population `%s` is a recorder; recorders are declared "
                            "in network/recorders, not in layers",
                            L->pub.name, p->name);
    if (p->stimulator && et != DN_ELEM_STIMULATOR)
        return dn_error_set(err, DN_EINPUT, &L->pop_marks[j], L->pop_path,
                            "InputLayer `%s`: population `%s` is not a stimulation device (an "
                            "InputLayer holds generators such as poisson_generator or "
                            "spike_generator)",
                            L->pub.name, p->name);
    return DN_OK;
}

/* spec §4.2.2: for each location in row-major order, the k-th stimulator feeds the k-th parrot
 * of the same location (one one_to_one Connect with static_synapse and its default weight and
 * delay: NEST's 1.0 and 1.0 ms). */
static dn_status wire_parrots(dn_engine *e, const net_layer *L, dn_error *err)
{
    const dn_net_population *s = L->pub.stimulators, *p = L->pub.parrots;
    dn_gid *src = malloc(s->n * sizeof *src), *dst = malloc(p->n * sizeof *dst);
    if (!src || !dst) {
        free(src);
        free(dst);
        return net_oom(err);
    }
    size_t m = 0;
    for (int64_t r = 0; r < L->pub.rows; r++)
        for (int64_t c = 0; c < L->pub.columns; c++)
            for (int64_t k = 0; k < s->units; k++, m++) {
                src[m] = dn_net_population_gid(s, r, c, k);
                dst[m] = dn_net_population_gid(p, r, c, k);
            }
    dn_syn_spec spec = {.model = "static_synapse"};
    dn_status st = dn_engine_connect(e, src, m, dst, m, DN_RULE_ONE_TO_ONE, &spec, err);
    if (st == DN_EINPUT && !err->mark.file) {
        /* The engine refuses e.g. a dc_generator -> parrot connection without knowing where it
         * was asked for: point at the layer's stimulator population and say what works. */
        char msg[DN_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->message);
        dn_error_set(err, st, &L->pop_marks[0], L->pop_path,
                     "InputLayer `%s`: cannot feed population `%s` to its parrots (%s); parrots "
                     "relay spikes only, so an InputLayer needs a spike-emitting generator "
                     "(poisson_generator, spike_generator)",
                     L->pub.name, s->name, msg);
    } else if (st != DN_OK) {
        dn_error_prefix(err, "InputLayer `%s`: connecting the parrots: ", L->pub.name);
    }
    free(src);
    free(dst);
    return st;
}

dn_status net_create_layers(dn_net *net, dn_engine *e, dn_error *err)
{
    dn_log_info("network", "Creating layers...");
    dn_status st;
    for (size_t i = 0; i < net->n_layers; i++) {
        net_layer *L = &net->layers[i];
        for (size_t j = 0; j < L->pub.n_populations; j++)
            if ((st = check_population_model(e, L, j, err)) != DN_OK)
                return st;
        /* spec §4.2.3: the layer consumes one GID, then its populations in order, each created
         * at once so that unit copy k and column-major locations give consecutive GIDs */
        if ((st = dn_engine_reserve_gid(e, &L->pub.gid, err)) != DN_OK)
            return st;
        for (size_t j = 0; j < L->pub.n_populations; j++) {
            dn_net_population *p = &L->pops[j];
            if ((st = dn_engine_create(e, p->name, p->n, NULL, &p->first, err)) != DN_OK) {
                dn_error_prefix(err, "layer `%s`: population `%s`: ", L->pub.name, p->name);
                return st;
            }
        }
        if (L->pub.parrots && (st = wire_parrots(e, L, err)) != DN_OK)
            return st;
    }
    return DN_OK;
}

/* ---- recorders ------------------------------------------------------------------------------ */

/* The recorder kind from the base model (decisions.md: not from the model's name). */
static dn_status recorder_kind(dn_engine *e, net_rec *r, bool projection, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    const net_tuple *t = r->tuple;
    net_path(path, sizeof path, t->path, "model");
    const char *ctx = projection ? "projection recorder: " : "population recorder: ";
    dn_model_kind kind = dn_engine_model_kind(e, r->pub.model);
    if (kind == DN_KIND_NONE)
        return unknown_model(e, r->pub.model, t->v_model, path, ctx, err);
    const char *base = dn_engine_model_type_id(e, r->pub.model);
    dn_element_type et = DN_ELEM_NEURON;
    if (kind == DN_KIND_NODE && dn_engine_model_element_type(e, r->pub.model, &et, NULL) != DN_OK)
        et = DN_ELEM_NEURON;
    if (!base || kind != DN_KIND_NODE || et != DN_ELEM_RECORDER)
        return dn_error_set(err, DN_EINPUT, &t->v_model->mark, path,
                            "%s`%s` is not a recorder model (its base model is `%s`)", ctx,
                            r->pub.model, base ? base : "?");
    if (!projection) {
        if (strcmp(base, "multimeter") == 0 || strcmp(base, "voltmeter") == 0) {
            r->pub.kind = DN_NET_MULTIMETER;
            r->pub.type = "multimeter";
            return DN_OK;
        }
        if (strcmp(base, "spike_detector") == 0 || strcmp(base, "spike_recorder") == 0) {
            r->pub.kind = DN_NET_SPIKE_DETECTOR;
            r->pub.type = "spike_detector";
            return DN_OK;
        }
        return dn_error_set(err, DN_EINPUT, &t->v_model->mark, path,
                            "%s`%s` (a %s) cannot record a population: use a model derived from "
                            "multimeter, voltmeter or spike_detector",
                            ctx, r->pub.model, base);
    }
    if (strcmp(base, "weight_recorder") == 0) {
        r->pub.kind = DN_NET_WEIGHT_RECORDER;
        r->pub.type = "weight_recorder";
        return DN_OK;
    }
    return dn_error_set(err, DN_EINPUT, &t->v_model->mark, path,
                        "%s`%s` (a %s) cannot record a projection: use a model derived from "
                        "weight_recorder",
                        ctx, r->pub.model, base);
}

static dn_status set_label(dn_engine *e, dn_gid gid, const char *label, dn_error *err)
{
    dn_value *d = dn_value_map();
    if (!d)
        return net_oom(err);
    dn_value *s = dn_value_string(label);
    if (!s || dn_value_map_set(d, "label", s) != DN_OK) {
        dn_value_free(d);
        return net_oom(err);
    }
    dn_status st = dn_engine_set_status(e, gid, d, err);
    dn_value_free(d);
    return st;
}

static dn_status create_population_recorder(dn_engine *e, net_rec *r, dn_error *err)
{
    dn_status st;
    if ((st = recorder_kind(e, r, false, err)) != DN_OK)
        return st;
    if ((st = dn_engine_create(e, r->pub.model, 1, NULL, &r->pub.gid, err)) != DN_OK ||
        (st = set_label(e, r->pub.gid, r->pub.label, err)) != DN_OK)
        goto fail;
    const dn_net_population *p = r->pub.population;
    dn_gid *units = malloc(p->n * sizeof *units);
    if (!units)
        return net_oom(err);
    for (size_t i = 0; i < p->n; i++)
        units[i] = (dn_gid)(p->first + i);
    /* spec §4.5.1: a multimeter samples its units; units send spikes to a spike detector */
    if (r->pub.kind == DN_NET_MULTIMETER)
        st = dn_engine_connect(e, &r->pub.gid, 1, units, p->n, DN_RULE_ALL_TO_ALL, NULL, err);
    else
        st = dn_engine_connect(e, units, p->n, &r->pub.gid, 1, DN_RULE_ALL_TO_ALL, NULL, err);
    free(units);
    if (st == DN_OK)
        return DN_OK;
fail:
    dn_error_prefix(err, "population recorder `%s`: ", r->pub.label);
    if (err && !err->path[0])
        snprintf(err->path, sizeof err->path, "%s", r->tuple->path);
    return st;
}

static dn_status create_projection_recorder(dn_net *net, dn_engine *e, net_rec *r, dn_error *err)
{
    dn_status st;
    if ((st = recorder_kind(e, r, true, err)) != DN_OK)
        return st;
    net_proj *p = &net->projs[r->pub.projection->index];
    const char *base = p->pm->synapse_model;
    if (dn_engine_model_kind(e, base) != DN_KIND_SYNAPSE) {
        char path[DN_ERROR_PATH_MAX], ctx[300];
        snprintf(ctx, sizeof ctx, "projection model `%s`: synapse_model: ", p->pm->name);
        return unknown_model(e, base, p->pm->synapse_v,
                             net_path(path, sizeof path, p->pm->path, "synapse_model"), ctx, err);
    }
    if ((st = dn_engine_create(e, r->pub.model, 1, NULL, &r->pub.gid, err)) != DN_OK)
        goto fail;
    /* spec §4.5.2: the projection switches to a private copy of its synapse model whose
     * weight_recorder is this recorder */
    char *priv = net_strfmt(net, "%s-%s", base, p->pub.name);
    dn_value *d = priv ? dn_value_map() : NULL;
    if (!d)
        return net_oom(err);
    dn_value *g = dn_value_int((int64_t)r->pub.gid);
    if (!g || dn_value_map_set(d, "weight_recorder", g) != DN_OK) {
        dn_value_free(d);
        return net_oom(err);
    }
    st = dn_engine_copy_model(e, base, priv, d, err);
    dn_value_free(d);
    if (st != DN_OK)
        goto fail;
    p->pub.synapse_model = priv;
    if ((st = set_label(e, r->pub.gid, r->pub.label, err)) != DN_OK)
        goto fail;
    return DN_OK;
fail:
    dn_error_prefix(err, "projection recorder `%s`: ", r->pub.label);
    if (err && !err->path[0])
        snprintf(err->path, sizeof err->path, "%s", r->tuple->path);
    return st;
}

dn_status net_create_recorders(dn_net *net, dn_engine *e, dn_error *err)
{
    dn_status st;
    dn_log_info("network", "Creating population recorders...");
    for (size_t i = 0; i < net->n_poprecs; i++)
        if ((st = create_population_recorder(e, &net->recs[i], err)) != DN_OK)
            return st;
    dn_log_info("network", "Creating projection recorders...");
    for (size_t i = net->n_poprecs; i < net->n_recs; i++)
        if ((st = create_projection_recorder(net, e, &net->recs[i], err)) != DN_OK)
            return st;
    return DN_OK;
}

/* References between subtrees that need no engine (denest.md §4.4, §4.5, §5.1, §6.2, §12.2):
 * sessions name session models; projections name projection models, layers and populations
 * (with the InputLayer rules of §4.2.2); recorders name recorder models, layers, populations
 * and existing projections; unit and synapse changes name layers, populations, projections.
 * deNEST raised raw KeyErrors or silently skipped these; here each gets a message and a
 * suggestion. Values with the wrong type were reported by the table walker and are skipped. */
#include "schema_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_ DN_ERROR_PATH_MAX

typedef struct name_set {
    const char **v;
    size_t n, cap;
} name_set;

typedef struct ref_layer {
    const char *name;
    bool input, parrots;
    const dn_value *pops; /* the populations mapping when it is a non-empty mapping */
} ref_layer;

typedef struct ref_proj {
    const char *pm, *sl, *sp, *tl, *tp; /* sp/tp NULL for null (every node of the layer) */
    char where[PATH_MAX_];              /* the item that defined it */
} ref_proj;

typedef struct refs {
    sc_ctx *ctx;
    char **pool; /* texts of non-string leaf names */
    size_t n_pool, cap_pool;
    ref_layer *layers;
    size_t n_layers;
    name_set layer_names, pm_names, rec_names, session_names;
    const dn_tree **rec_leaves; /* parallel to the first rec_leaf_count entries of rec_names */
    size_t n_rec_leaves;
    const dn_tree *rec_container;
    ref_proj *projs;
    size_t n_projs, cap_projs;
    name_set rec_projs; /* "model\tprojection" of projection recorders, for duplicates */
} refs;

static bool set_add(refs *r, name_set *s, const char *name)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        const char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            sc_nomem(r->ctx);
            return false;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = name;
    return true;
}

static bool set_has(const name_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return true;
    return false;
}

/* A string kept until the end of the run (leaf names that are not strings, joined keys). */
static const char *keep(refs *r, char *s)
{
    if (!s) {
        sc_nomem(r->ctx);
        return NULL;
    }
    if (r->n_pool == r->cap_pool) {
        size_t cap = r->cap_pool ? 2 * r->cap_pool : 16;
        char **p = realloc(r->pool, cap * sizeof *p);
        if (!p) {
            free(s);
            sc_nomem(r->ctx);
            return NULL;
        }
        r->pool = p;
        r->cap_pool = cap;
    }
    r->pool[r->n_pool++] = s;
    return s;
}

static const char *leaf_name(refs *r, const dn_tree *leaf)
{
    if (leaf->name && leaf->name->type == DN_VALUE_STRING)
        return leaf->name->u.s.ptr;
    return keep(r, dn_value_to_text(leaf->name));
}

/* The leaves of root/<a>[/<b>] (none if the subtree is absent). */
static const dn_tree *subtree(const dn_tree *root, const char *a, const char *b)
{
    const dn_tree *t = dn_tree_child(root, a);
    return t && b ? dn_tree_child(t, b) : t;
}

static bool leaves_of(refs *r, const dn_tree *container, const dn_tree ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!container)
        return true;
    dn_error e;
    if (dn_tree_leaves(container, false, out, n, &e) != DN_OK) {
        sc_nomem(r->ctx);
        return false;
    }
    return true;
}

/* The effective params value of `key` at leaf (inherited up to container), or NULL. */
static const dn_value *param(const dn_tree *leaf, const dn_tree *container, const char *key)
{
    for (const dn_tree *t = leaf; t; t = t->parent) {
        const dn_value *v = dn_value_map_get(t->data[DN_PARAMS], key);
        if (v)
            return v;
        if (t == container)
            break;
    }
    return NULL;
}

static const char *str(const dn_value *v)
{
    return v && v->type == DN_VALUE_STRING ? v->u.s.ptr : NULL;
}

/* A list whose items are all strings, else NULL. */
static const dn_value *string_list(const dn_value *v)
{
    if (!v || v->type != DN_VALUE_LIST)
        return NULL;
    for (size_t i = 0; i < v->u.list.len; i++)
        if (v->u.list.items[i]->type != DN_VALUE_STRING)
            return NULL;
    return v;
}

/* ---- collecting the names ---- */

static bool collect(refs *r, const dn_tree *root)
{
    const dn_tree **leaves;
    size_t n;
    const dn_tree *c = subtree(root, "network", "layers");
    if (!leaves_of(r, c, &leaves, &n))
        return false;
    r->layers = calloc(n ? n : 1, sizeof *r->layers);
    if (!r->layers) {
        free(leaves);
        sc_nomem(r->ctx);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        ref_layer *l = &r->layers[r->n_layers];
        if (!(l->name = leaf_name(r, leaves[i])) || !set_add(r, &r->layer_names, l->name))
            break;
        const char *type = str(param(leaves[i], c, "type"));
        l->input = type && strcmp(type, "InputLayer") == 0;
        const dn_value *parrots = param(leaves[i], c, "add_parrots");
        l->parrots = !(parrots && parrots->type == DN_VALUE_BOOL && !parrots->u.b);
        const dn_value *pops = param(leaves[i], c, "populations");
        l->pops = pops && pops->type == DN_VALUE_MAP && pops->u.map.len ? pops : NULL;
        r->n_layers++;
    }
    free(leaves);

    struct {
        const char *a, *b;
        name_set *set;
    } simple[] = {
        {"network", "projection_models", &r->pm_names},
        {"session_models", NULL, &r->session_names},
    };
    for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++) {
        if (!leaves_of(r, subtree(root, simple[k].a, simple[k].b), &leaves, &n))
            return false;
        for (size_t i = 0; i < n; i++) {
            const char *nm = leaf_name(r, leaves[i]);
            if (!nm || !set_add(r, simple[k].set, nm))
                break;
        }
        free(leaves);
    }

    r->rec_container = subtree(root, "network", "recorder_models");
    if (!leaves_of(r, r->rec_container, &r->rec_leaves, &r->n_rec_leaves))
        return false;
    for (size_t i = 0; i < r->n_rec_leaves; i++) {
        const char *nm = leaf_name(r, r->rec_leaves[i]);
        if (!nm || !set_add(r, &r->rec_names, nm))
            return false;
    }
    for (size_t i = 0; dn_schema_builtin_recorders[i]; i++)
        if (!set_has(&r->rec_names, dn_schema_builtin_recorders[i]) &&
            !set_add(r, &r->rec_names, dn_schema_builtin_recorders[i]))
            return false;
    return true;
}

/* ---- name checks ---- */

/* True if v names a member of set; otherwise reports "no <what> `x` <where>" with a suggestion.
 * Placeholders were reported by the table walker. */
static bool known(refs *r, const name_set *set, const dn_value *v, const char *path,
                  const char *what, const char *where)
{
    const char *s = str(v);
    if (!s || sc_is_placeholder(v))
        return false;
    if (set_has(set, s))
        return true;
    char hint[160];
    sc_suggestion(s, set->v, set->n, hint, sizeof hint);
    sc_error(r->ctx, &v->mark, path, "no %s `%s` %s%s", what, s, where, hint);
    return false;
}

static const ref_layer *find_layer(const refs *r, const char *name)
{
    for (size_t i = 0; name && i < r->n_layers; i++)
        if (strcmp(r->layers[i].name, name) == 0)
            return &r->layers[i];
    return NULL;
}

/* Population names of a layer: its `populations` keys (+ parrot_neuron for an InputLayer with
 * parrots); only the recordable ones if `recordable` (an InputLayer records its parrots only). */
static size_t layer_pops(const ref_layer *l, bool recordable, const char **out, size_t max)
{
    size_t n = 0;
    if (!(l->input && recordable))
        for (size_t i = 0; l->pops && i < l->pops->u.map.len && n < max; i++)
            if (l->pops->u.map.items[i].key->type == DN_VALUE_STRING)
                out[n++] = l->pops->u.map.items[i].key->u.s.ptr;
    if (l->input && l->parrots && n < max)
        out[n++] = "parrot_neuron";
    return n;
}

static bool layer_has(const ref_layer *l, const char *pop, bool recordable)
{
    if (!l->pops)
        return true; /* populations invalid: already reported */
    const char *names[256];
    size_t n = layer_pops(l, recordable, names, 256);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], pop) == 0)
            return true;
    return false;
}

static void missing_pop(refs *r, const ref_layer *l, const dn_value *pop, const char *path)
{
    const char *names[256];
    size_t n = layer_pops(l, false, names, 256);
    char list[512] = "", hint[160];
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
    sc_suggestion(pop->u.s.ptr, names, n, hint, sizeof hint);
    sc_error(r->ctx, &pop->mark, path,
             "population `%s` is not in layer `%s` (its populations: %s)%s", pop->u.s.ptr, l->name,
             list, hint);
}

/* ---- projections ---- */

static void proj_text(const char *pm, const char *sl, const char *sp, const char *tl,
                      const char *tp, char *buf, size_t size)
{
    /* §4.4: str(projection), a null population printing as None. */
    sc_fmt(buf, size, "%s-%s-%s-%s-%s", pm ? pm : "", sl ? sl : "", sp ? sp : "None", tl ? tl : "",
           tp ? tp : "None");
}

static const ref_proj *find_proj(const refs *r, const char *pm, const char *sl, const char *sp,
                                 const char *tl, const char *tp)
{
    for (size_t i = 0; i < r->n_projs; i++) {
        const ref_proj *p = &r->projs[i];
        if (strcmp(p->pm, pm) == 0 && strcmp(p->sl, sl) == 0 && strcmp(p->tl, tl) == 0 &&
            (p->sp == sp || (p->sp && sp && strcmp(p->sp, sp) == 0)) &&
            (p->tp == tp || (p->tp && tp && strcmp(p->tp, tp) == 0)))
            return p;
    }
    return NULL;
}

typedef enum proj_mode {
    DEFINE,       /* a topology item: defines projections */
    MATCH_RECORD, /* a projection recorder: must match projections */
    MATCH_CHANGE, /* a synapse change: must match projections */
} proj_mode;

/* The InputLayer rules of §4.2.2 and population membership, for a defining item. */
static void check_ends(refs *r, const ref_layer *src, const dn_value *sp, const ref_layer *tgt,
                       const dn_value *tp, const dn_value *tl_value, const char *base)
{
    char path[PATH_MAX_];
    if (src) {
        sc_fmt(path, sizeof path, "%s/source_population", base);
        const char *p = str(sp);
        if (src->input) {
            const char *names[4];
            size_t n = layer_pops(src, false, names, 4);
            const char *want = src->parrots ? "parrot_neuron" : (n ? names[0] : NULL);
            if (want && !(p && strcmp(p, want) == 0))
                sc_error(r->ctx, &sp->mark, path,
                         "the source population of a projection from InputLayer `%s` must be "
                         "%s%s, got %s",
                         src->name, want,
                         src->parrots ? " (its stimulators reach the network through parrots)" : "",
                         p ? p : "null");
        } else if (p && !layer_has(src, p, false)) {
            missing_pop(r, src, sp, path);
        }
    }
    if (tgt) {
        if (tgt->input) {
            sc_fmt(path, sizeof path, "%s/target_layers", base);
            sc_error(r->ctx, &tl_value->mark, path, "InputLayer `%s` cannot be a projection target",
                     tgt->name);
        } else if (str(tp) && !layer_has(tgt, str(tp), false)) {
            sc_fmt(path, sizeof path, "%s/target_population", base);
            missing_pop(r, tgt, tp, path);
        }
    }
}

static void check_projection(refs *r, const dn_value *item, const char *base, proj_mode mode,
                             const char *model)
{
    const dn_value *pm = dn_value_map_get(item, "projection_model");
    const dn_value *sls = string_list(dn_value_map_get(item, "source_layers"));
    const dn_value *sp = dn_value_map_get(item, "source_population");
    const dn_value *tls = string_list(dn_value_map_get(item, "target_layers"));
    const dn_value *tp = dn_value_map_get(item, "target_population");
    /* Each field is checked when it has the right type (the table walker reported the rest). */
    bool pops_ok = sp && tp && (sp->type == DN_VALUE_NULL || str(sp)) &&
                   (tp->type == DN_VALUE_NULL || str(tp)) && !sc_is_placeholder(sp) &&
                   !sc_is_placeholder(tp);
    char path[PATH_MAX_];
    sc_fmt(path, sizeof path, "%s/projection_model", base);
    bool pm_ok = str(pm) && known(r, &r->pm_names, pm, path, "projection model",
                                  "among the leaves of network/projection_models");
    for (size_t s = 0; sls && s < sls->u.list.len; s++) {
        sc_fmt(path, sizeof path, "%s/source_layers[%zu]", base, s);
        known(r, &r->layer_names, sls->u.list.items[s], path, "layer",
              "among the leaves of network/layers");
    }
    for (size_t t = 0; tls && t < tls->u.list.len; t++) {
        sc_fmt(path, sizeof path, "%s/target_layers[%zu]", base, t);
        known(r, &r->layer_names, tls->u.list.items[t], path, "layer",
              "among the leaves of network/layers");
    }
    if (!pops_ok)
        return;
    if (mode == DEFINE) {
        for (size_t s = 0; sls && s < sls->u.list.len; s++)
            check_ends(r, find_layer(r, str(sls->u.list.items[s])), sp, NULL, tp, NULL, base);
        for (size_t t = 0; tls && t < tls->u.list.len; t++)
            check_ends(r, NULL, sp, find_layer(r, str(tls->u.list.items[t])), tp,
                       tls->u.list.items[t], base);
    }
    if (!pm_ok || !sls || !tls)
        return;
    /* §4.4: one projection per (source layer, target layer), source-major. */
    for (size_t s = 0; s < sls->u.list.len; s++) {
        const char *sl = str(sls->u.list.items[s]);
        if (!find_layer(r, sl))
            continue;
        for (size_t t = 0; t < tls->u.list.len; t++) {
            const char *tl = str(tls->u.list.items[t]);
            if (!find_layer(r, tl))
                continue;
            char text[512];
            proj_text(str(pm), sl, str(sp), tl, str(tp), text, sizeof text);
            const ref_proj *p = find_proj(r, str(pm), sl, str(sp), tl, str(tp));
            if (mode == DEFINE) {
                if (p) {
                    sc_error(r->ctx, &item->mark, base,
                             "projection `%s` is given twice (also by %s); each projection must "
                             "be unique",
                             text, p->where);
                    continue;
                }
                if (r->n_projs == r->cap_projs) {
                    size_t cap = r->cap_projs ? 2 * r->cap_projs : 32;
                    ref_proj *v = realloc(r->projs, cap * sizeof *v);
                    if (!v) {
                        sc_nomem(r->ctx);
                        return;
                    }
                    r->projs = v;
                    r->cap_projs = cap;
                }
                ref_proj *np = &r->projs[r->n_projs++];
                *np = (ref_proj){str(pm), sl, str(sp), tl, str(tp), ""};
                sc_fmt(np->where, sizeof np->where, "%s", base);
                continue;
            }
            if (!p) {
                sc_error(r->ctx, &item->mark, base,
                         "%s for projection `%s`, which is not in network/topology (a %s must "
                         "name an existing projection exactly)",
                         mode == MATCH_RECORD ? "projection recorder" : "synapse change", text,
                         mode == MATCH_RECORD ? "projection recorder" : "synapse change");
                continue;
            }
            if (mode == MATCH_RECORD && model) {
                char *key = malloc(strlen(model) + strlen(text) + 2);
                if (key)
                    sprintf(key, "%s\t%s", model, text);
                if (key && set_has(&r->rec_projs, key)) {
                    free(key);
                    sc_error(r->ctx, &item->mark, base,
                             "projection recorder `%s` on projection `%s` is given twice", model,
                             text);
                    continue;
                }
                const char *k = keep(r, key);
                if (k)
                    set_add(r, &r->rec_projs, k);
            }
        }
    }
}

/* ---- recorders ---- */

/* The built-in model a recorder model derives from, following nest_model through recorder
 * leaves; NULL when unknown (a module's model, a cycle, a malformed leaf). */
static const char *recorder_base(const refs *r, const char *model)
{
    const char *name = model;
    for (size_t depth = 0; depth <= r->n_rec_leaves; depth++) {
        const dn_tree *leaf = NULL;
        for (size_t i = 0; i < r->n_rec_leaves && !leaf; i++)
            if (strcmp(r->rec_names.v[i], name) == 0)
                leaf = r->rec_leaves[i];
        if (!leaf)
            break;
        const char *nm = str(param(leaf, r->rec_container, "nest_model"));
        if (!nm || strcmp(nm, name) == 0) {
            name = nm;
            break;
        }
        name = nm;
    }
    for (size_t i = 0; name && dn_schema_builtin_recorders[i]; i++)
        if (strcmp(dn_schema_builtin_recorders[i], name) == 0)
            return name;
    return NULL;
}

static bool check_recorder_model(refs *r, const dn_value *model, const char *base, bool synapses)
{
    char path[PATH_MAX_];
    sc_fmt(path, sizeof path, "%s/model", base);
    if (!known(r, &r->rec_names, model, path, "recorder model",
               "among the leaves of network/recorder_models or the built-in recorders"))
        return false;
    const char *b = recorder_base(r, str(model));
    if (!b)
        return true;
    bool weight = strcmp(b, "weight_recorder") == 0;
    if (synapses && !weight)
        sc_error(r->ctx, &model->mark, path,
                 "a projection recorder needs a weight_recorder model; `%s` is a %s", str(model),
                 b);
    else if (!synapses && weight)
        sc_error(r->ctx, &model->mark, path,
                 "`%s` is a weight_recorder (it records synapses, see projection_recorders); a "
                 "population recorder needs a multimeter, voltmeter, spike_detector or "
                 "spike_recorder",
                 str(model));
    return true;
}

static void check_population_recorder(refs *r, const dn_value *item, const char *base)
{
    const dn_value *model = dn_value_map_get(item, "model");
    const dn_value *layers = dn_value_map_get(item, "layers");
    const dn_value *pops = dn_value_map_get(item, "populations");
    char path[PATH_MAX_];
    if (str(model))
        check_recorder_model(r, model, base, false);
    /* layers: null = all layers (§4.5.1). */
    const dn_value *list;
    const ref_layer **sel = calloc(r->n_layers ? r->n_layers : 1, sizeof *sel);
    if (!sel) {
        sc_nomem(r->ctx);
        return;
    }
    size_t n_sel = 0;
    if (layers && layers->type == DN_VALUE_NULL) {
        for (size_t i = 0; i < r->n_layers; i++)
            sel[n_sel++] = &r->layers[i];
    } else if ((list = string_list(layers))) {
        for (size_t i = 0; i < list->u.list.len; i++) {
            sc_fmt(path, sizeof path, "%s/layers[%zu]", base, i);
            if (known(r, &r->layer_names, list->u.list.items[i], path, "layer",
                      "among the leaves of network/layers") &&
                n_sel < r->n_layers)
                sel[n_sel++] = find_layer(r, str(list->u.list.items[i]));
        }
    } else {
        free(sel);
        return;
    }
    /* A population not recordable in some selected layer is skipped there (deNEST); one that is
     * recordable in none of them is a mistake. */
    for (size_t p = 0; string_list(pops) && p < pops->u.list.len && n_sel; p++) {
        const dn_value *pv = pops->u.list.items[p];
        bool found = false;
        for (size_t i = 0; i < n_sel && !found; i++)
            found = layer_has(sel[i], str(pv), true);
        if (found || sc_is_placeholder(pv))
            continue;
        const char *cands[256];
        size_t nc = 0;
        for (size_t i = 0; i < n_sel; i++)
            nc += layer_pops(sel[i], true, cands + nc, 256 - nc);
        char hint[160];
        sc_suggestion(str(pv), cands, nc, hint, sizeof hint);
        sc_fmt(path, sizeof path, "%s/populations[%zu]", base, p);
        sc_error(r->ctx, &pv->mark, path,
                 "population `%s` is not recordable in any of the selected layers (an InputLayer "
                 "records its parrot_neuron only)%s",
                 str(pv), hint);
    }
    free(sel);
}

/* ---- sessions and unit changes ---- */

static void check_unit_change(refs *r, const dn_value *item, const char *base)
{
    const dn_value *layers = dn_value_map_get(item, "layers");
    const dn_value *pop = dn_value_map_get(item, "population_name");
    char path[PATH_MAX_];
    if (layers && layers->type == DN_VALUE_NULL) {
        /* null = all layers: then every layer must have the population (§5.1). */
        for (size_t i = 0; str(pop) && !sc_is_placeholder(pop) && i < r->n_layers; i++)
            if (!layer_has(&r->layers[i], str(pop), false)) {
                sc_fmt(path, sizeof path, "%s/population_name", base);
                missing_pop(r, &r->layers[i], pop, path);
            }
        return;
    }
    const dn_value *list = string_list(layers);
    for (size_t i = 0; list && i < list->u.list.len; i++) {
        const dn_value *lv = list->u.list.items[i];
        sc_fmt(path, sizeof path, "%s/layers[%zu]", base, i);
        if (!known(r, &r->layer_names, lv, path, "layer", "among the leaves of network/layers"))
            continue;
        const ref_layer *l = find_layer(r, str(lv));
        if (str(pop) && !sc_is_placeholder(pop) && !layer_has(l, str(pop), false)) {
            sc_fmt(path, sizeof path, "%s/population_name", base);
            missing_pop(r, l, pop, path);
        }
    }
}

static void check_sessions(refs *r, const dn_tree *root)
{
    const dn_tree *sim = dn_tree_child(root, "simulation");
    const dn_value *sessions =
        sim ? string_list(dn_value_map_get(sim->data[DN_PARAMS], "sessions")) : NULL;
    char path[PATH_MAX_];
    for (size_t i = 0; sessions && i < sessions->u.list.len; i++) {
        sc_fmt(path, sizeof path, "simulation/params/sessions[%zu]", i);
        known(r, &r->session_names, sessions->u.list.items[i], path, "session model",
              "among the leaves of session_models");
    }
    const dn_tree *c = dn_tree_child(root, "session_models");
    const dn_tree **leaves;
    size_t n;
    if (!leaves_of(r, c, &leaves, &n))
        return;
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = {"unit_changes", "synapse_changes"};
        for (size_t k = 0; k < 2; k++) {
            /* Report where the list was written (an inner node may hold it for many leaves). */
            const dn_tree *owner = NULL;
            for (const dn_tree *t = leaves[i]; t && !owner; t = t->parent) {
                if (dn_value_map_get(t->data[DN_PARAMS], keys[k]))
                    owner = t;
                if (t == c)
                    break;
            }
            if (!owner)
                continue;
            const dn_value *list = dn_value_map_get(owner->data[DN_PARAMS], keys[k]);
            if (list->type != DN_VALUE_LIST)
                continue;
            char opath[PATH_MAX_];
            dn_tree_path(owner, "params", opath, sizeof opath);
            for (size_t j = 0; j < list->u.list.len; j++) {
                const dn_value *item = list->u.list.items[j];
                if (item->type != DN_VALUE_MAP)
                    continue;
                sc_fmt(path, sizeof path, "%s/%s[%zu]", opath, keys[k], j);
                if (k == 0)
                    check_unit_change(r, item, path);
                else if (dn_value_map_get(item, "projection_model"))
                    check_projection(r, item, path, MATCH_CHANGE, NULL);
            }
        }
    }
    free(leaves);
}

/* ---- entry ---- */

static void for_items(refs *r, const dn_tree *node, const char *key, proj_mode mode, bool pop_rec)
{
    if (!node)
        return;
    const dn_value *list = dn_value_map_get(node->data[DN_PARAMS], key);
    if (!list || list->type != DN_VALUE_LIST)
        return;
    char opath[PATH_MAX_], base[PATH_MAX_];
    dn_tree_path(node, "params", opath, sizeof opath);
    for (size_t i = 0; i < list->u.list.len; i++) {
        const dn_value *item = list->u.list.items[i];
        if (item->type != DN_VALUE_MAP)
            continue;
        sc_fmt(base, sizeof base, "%s/%s[%zu]", opath, key, i);
        if (pop_rec) {
            check_population_recorder(r, item, base);
            continue;
        }
        const dn_value *model = NULL;
        if (mode == MATCH_RECORD) {
            model = dn_value_map_get(item, "model");
            if (str(model) && !check_recorder_model(r, model, base, true))
                model = NULL;
        }
        check_projection(r, item, base, mode, str(model));
    }
}

void sc_check_refs(sc_ctx *ctx, const dn_tree *root)
{
    refs r = {0};
    r.ctx = ctx;
    if (collect(&r, root)) {
        /* Projections first: recorders and synapse changes are matched against them. */
        for_items(&r, subtree(root, "network", "topology"), "projections", DEFINE, false);
        const dn_tree *rec = subtree(root, "network", "recorders");
        for_items(&r, rec, "population_recorders", DEFINE, true);
        for_items(&r, rec, "projection_recorders", MATCH_RECORD, false);
        check_sessions(&r, root);
    }
    for (size_t i = 0; i < r.n_pool; i++)
        free(r.pool[i]);
    free(r.pool);
    free(r.layers);
    free(r.layer_names.v);
    free(r.pm_names.v);
    free(r.rec_names.v);
    free(r.session_names.v);
    free(r.rec_leaves);
    free(r.projs);
    free(r.rec_projs.v);
}

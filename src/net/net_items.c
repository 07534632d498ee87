/* Phase 1 of the network build, part 2: the list items of `topology.projections` and of
 * `recorders.population_recorders / projection_recorders`, expanded into tuples (Cartesian product
 * of source and target layers), checked against the layers, populations and projection models,
 * and sorted in Python's tuple order (deNEST spec §4.4, §4.5). No engine here. */
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

typedef struct tuple_vec {
    net_tuple *items;
    size_t len, cap;
} tuple_vec;

static dn_status vec_push(tuple_vec *v, const net_tuple *t, dn_error *err)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        net_tuple *p = realloc(v->items, cap * sizeof *p);
        if (!p)
            return net_oom(err);
        v->items = p;
        v->cap = cap;
    }
    v->items[v->len++] = *t;
    return DN_OK;
}

/* None sorts before every string (Python would raise TypeError comparing them). */
static int field_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

int net_tuple_cmp(const net_tuple *a, const net_tuple *b, bool with_model)
{
    int c;
    if (with_model && (c = field_cmp(a->model, b->model)) != 0)
        return c;
    if ((c = field_cmp(a->pm, b->pm)) != 0)
        return c;
    if ((c = field_cmp(a->sl, b->sl)) != 0)
        return c;
    if ((c = field_cmp(a->sp, b->sp)) != 0)
        return c;
    if ((c = field_cmp(a->tl, b->tl)) != 0)
        return c;
    return field_cmp(a->tp, b->tp);
}

/* Ties keep list order, so "the second occurrence" of a duplicate is well defined. */
static int cmp_proj(const void *a, const void *b)
{
    const net_tuple *x = a, *y = b;
    int c = net_tuple_cmp(x, y, false);
    return c ? c : (x->item_index > y->item_index) - (x->item_index < y->item_index);
}

static int cmp_rec(const void *a, const void *b)
{
    const net_tuple *x = a, *y = b;
    int c = net_tuple_cmp(x, y, true);
    return c ? c : (x->item_index > y->item_index) - (x->item_index < y->item_index);
}

char *net_tuple_projection_name(dn_net *net, const net_tuple *t)
{
    return net_strfmt(net, "%s-%s-%s-%s-%s", t->pm, t->sl, t->sp ? t->sp : "None", t->tl,
                      t->tp ? t->tp : "None");
}

/* The same for messages: never NULL. */
static const char *pname(dn_net *net, const net_tuple *t)
{
    const char *s = net_tuple_projection_name(net, t);
    return s ? s : t->pm;
}

/* The list under params.<key> of network/<child>; NULL (no items) when absent or null. */
static dn_status get_list(const dn_tree *network, const char *child, const char *key,
                          const dn_value **out, char *path, size_t size, dn_error *err)
{
    *out = NULL;
    const dn_tree *node = dn_tree_child(network, child);
    if (!node)
        return DN_OK;
    const dn_tree *owner = NULL;
    const dn_value *v = dn_tree_find_param(node, DN_PARAMS, key, &owner);
    char suffix[128];
    snprintf(suffix, sizeof suffix, "params/%s", key);
    net_node_path(owner ? owner : node, suffix, path, size);
    if (!v || v->type == DN_VALUE_NULL)
        return DN_OK;
    if (v->type != DN_VALUE_LIST)
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "`%s` must be a list of mappings, got %s", key, dn_value_kind(v));
    *out = v;
    return DN_OK;
}

/* item[key]: must exist; kind 's' string, 'p' string or null, 'l' list of strings, 'L' list of
 * strings or null. */
static dn_status item_field(const dn_value *item, const char *key, char kind, const char *what,
                            const char *item_path, const dn_value **out, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    const dn_value *v = dn_value_map_get(item, key);
    *out = v;
    if (!v)
        return dn_error_set(err, DN_EINPUT, &item->mark, item_path, "%s item: missing key `%s`",
                            what, key);
    net_path(path, sizeof path, item_path, key);
    bool ok = true;
    switch (kind) {
    case 's':
        ok = v->type == DN_VALUE_STRING;
        break;
    case 'p':
        ok = v->type == DN_VALUE_STRING || v->type == DN_VALUE_NULL;
        break;
    case 'l':
    case 'L':
        if (v->type == DN_VALUE_NULL) {
            ok = kind == 'L';
            break;
        }
        ok = v->type == DN_VALUE_LIST;
        for (size_t i = 0; ok && i < v->u.list.len; i++) {
            const dn_value *s = v->u.list.items[i];
            if (s->type != DN_VALUE_STRING) {
                char p2[DN_ERROR_PATH_MAX + 24];
                net_pathf(p2, sizeof p2, "%s/%zu", path, i);
                return dn_error_set(err, DN_EINPUT, &s->mark, p2,
                                    "%s item: `%s` must list names (strings), got %s", what, key,
                                    dn_value_kind(s));
            }
        }
        break;
    default:
        break;
    }
    if (!ok) {
        const char *expect = kind == 's'   ? "a string"
                             : kind == 'p' ? "a string or null"
                             : kind == 'l' ? "a list of names"
                                           : "a list of names or null";
        return dn_error_set(err, DN_EINPUT, &v->mark, path, "%s item: `%s` must be %s, got %s",
                            what, key, expect, dn_value_kind(v));
    }
    return DN_OK;
}

static dn_status unknown_layer(const dn_net *net, const dn_value *v, const char *path,
                               const char *what, dn_error *err)
{
    char sug[128];
    return dn_error_set(
        err, DN_EINPUT, &v->mark, path, "%s: unknown layer `%s`%s", what, dn_value_str(v),
        net_suggest(dn_value_str(v), net->layer_names, net->n_layers, sug, sizeof sug));
}

static dn_status check_population(const net_layer *L, const dn_value *v, const char *path,
                                  const char *what, dn_error *err)
{
    if (!v || v->type == DN_VALUE_NULL)
        return DN_OK;
    const char *name = dn_value_str(v);
    if (dn_net_layer_population(&L->pub, name))
        return DN_OK;
    if (L->pub.is_input && !L->pub.add_parrots && strcmp(name, "parrot_neuron") == 0)
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "%s: InputLayer `%s` has no parrots (add_parrots: false); its "
                            "population `%s` must be used instead (its devices project "
                            "directly)",
                            what, L->pub.name, L->pops[0].name);
    const char *cands[64];
    size_t n = 0;
    for (size_t i = 0; i < L->pub.n_populations && n < 64; i++)
        cands[n++] = L->pops[i].name;
    char sug[128];
    return dn_error_set(err, DN_EINPUT, &v->mark, path, "%s: layer `%s` has no population `%s`%s",
                        what, L->pub.name, name, net_suggest(name, cands, n, sug, sizeof sug));
}

/* Expand one projection-like item into tuples (source-major Cartesian product), checking names.
 * with_model: projection recorder items (key `model` too). */
static dn_status expand_projection_item(dn_net *net, const dn_value *item, size_t index,
                                        const char *list_path, bool with_model, tuple_vec *out,
                                        dn_error *err)
{
    const char *what = with_model ? "projection recorder" : "projection";
    char ipath[DN_ERROR_PATH_MAX + 32], kpath[DN_ERROR_PATH_MAX + 64];
    net_pathf(ipath, sizeof ipath, "%s/%zu", list_path, index);
    if (item->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, &item->mark, ipath,
                            "%s item must be a mapping with keys projection_model, "
                            "source_layers, source_population, target_layers, "
                            "target_population%s, got %s",
                            what, with_model ? ", model" : "", dn_value_kind(item));
    const dn_value *vm = NULL, *vpm, *vsl, *vsp, *vtl, *vtp;
    dn_status st;
    if (with_model && (st = item_field(item, "model", 's', what, ipath, &vm, err)) != DN_OK)
        return st;
    if ((st = item_field(item, "projection_model", 's', what, ipath, &vpm, err)) != DN_OK ||
        (st = item_field(item, "source_layers", 'l', what, ipath, &vsl, err)) != DN_OK ||
        (st = item_field(item, "source_population", 'p', what, ipath, &vsp, err)) != DN_OK ||
        (st = item_field(item, "target_layers", 'l', what, ipath, &vtl, err)) != DN_OK ||
        (st = item_field(item, "target_population", 'p', what, ipath, &vtp, err)) != DN_OK)
        return st;
    char *path = net_strdup(net, ipath);
    if (!path)
        return net_oom(err);
    const net_pmodel *pm = net_find_pmodel(net, dn_value_str(vpm));
    if (!pm) {
        const char *cands[256];
        size_t n = 0;
        for (size_t i = 0; i < net->n_pmodels && n < 256; i++)
            cands[n++] = net->pmodels[i].name;
        char sug[128];
        return dn_error_set(err, DN_EINPUT, &vpm->mark,
                            net_path(kpath, sizeof kpath, ipath, "projection_model"),
                            "%s item: unknown projection model `%s`%s", what, dn_value_str(vpm),
                            net_suggest(dn_value_str(vpm), cands, n, sug, sizeof sug));
    }
    size_t first = out->len;
    for (size_t i = 0; i < vsl->u.list.len; i++) {
        const dn_value *sl = vsl->u.list.items[i];
        char lpath[DN_ERROR_PATH_MAX + 40];
        net_pathf(lpath, sizeof lpath, "%s/source_layers/%zu", ipath, i);
        net_layer *S = net_find_layer(net, dn_value_str(sl));
        if (!S)
            return unknown_layer(net, sl, lpath, what, err);
        if ((st =
                 check_population(S, vsp, net_path(kpath, sizeof kpath, ipath, "source_population"),
                                  what, err)) != DN_OK)
            return st;
        for (size_t j = 0; j < vtl->u.list.len; j++) {
            const dn_value *tl = vtl->u.list.items[j];
            net_pathf(lpath, sizeof lpath, "%s/target_layers/%zu", ipath, j);
            net_layer *T = net_find_layer(net, dn_value_str(tl));
            if (!T)
                return unknown_layer(net, tl, lpath, what, err);
            if ((st = check_population(T, vtp,
                                       net_path(kpath, sizeof kpath, ipath, "target_population"),
                                       what, err)) != DN_OK)
                return st;
            net_tuple t = {
                .model = vm ? dn_value_str(vm) : NULL,
                .pm = pm->name,
                .sl = S->pub.name,
                .sp = dn_value_str(vsp),
                .tl = T->pub.name,
                .tp = dn_value_str(vtp),
                .item = item,
                .v_model = vm,
                .v_pm = vpm,
                .v_sl = sl,
                .v_sp = vsp,
                .v_tl = tl,
                .v_tp = vtp,
                .item_index = index,
                .path = path,
            };
            /* deNEST spec §4.2.2: InputLayer rules (checked for projections only; a recorder
             * item must match a projection, which was checked already). */
            if (!with_model && T->pub.is_input)
                return dn_error_set(err, DN_EINPUT, &tl->mark, lpath,
                                    "invalid target in projection `%s`: InputLayer layers "
                                    "cannot be projection targets",
                                    pname(net, &t));
            /* With parrots, an InputLayer projects through them (deNEST §4.2.2). Without
             * (add_parrots: false, honoured by decisions.md) its devices project directly, as
             * NEST's ConnectLayers allows: a poisson_generator then drives every target with
             * its own independent train. */
            const char *src_pop = S->pub.add_parrots ? "parrot_neuron" : S->pops[0].name;
            if (!with_model && S->pub.is_input && (!t.sp || strcmp(t.sp, src_pop) != 0))
                return dn_error_set(
                    err, DN_EINPUT, &vsp->mark,
                    net_path(kpath, sizeof kpath, ipath, "source_population"),
                    "invalid source population for projection `%s`: the source population of "
                    "projections from InputLayer `%s` must be %s%s",
                    pname(net, &t), S->pub.name, src_pop,
                    S->pub.add_parrots ? " (its stimulators reach the network through parrots)"
                                       : " (add_parrots: false: its devices project directly)");
            if ((st = vec_push(out, &t, err)) != DN_OK)
                return st;
        }
    }
    /* duplicates inside one item (e.g. a layer listed twice) */
    for (size_t a = first; a < out->len; a++)
        for (size_t b = a + 1; b < out->len; b++)
            if (net_tuple_cmp(&out->items[a], &out->items[b], with_model) == 0)
                return dn_error_set(err, DN_EINPUT, &item->mark, ipath,
                                    "duplicate %s `%s` in one item: each layer may be listed "
                                    "only once",
                                    what, pname(net, &out->items[b]));
    return DN_OK;
}

dn_status net_read_projections(dn_net *net, const dn_tree *network, dn_error *err)
{
    char lpath[DN_ERROR_PATH_MAX];
    const dn_value *list = NULL;
    dn_status st = get_list(network, "topology", "projections", &list, lpath, sizeof lpath, err);
    if (st != DN_OK || !list)
        return st;
    tuple_vec v = {0};
    for (size_t i = 0; i < list->u.list.len && st == DN_OK; i++)
        st = expand_projection_item(net, list->u.list.items[i], i, lpath, false, &v, err);
    if (st != DN_OK) {
        free(v.items);
        return st;
    }
    if (v.len)
        qsort(v.items, v.len, sizeof *v.items, cmp_proj);
    for (size_t i = 1; i < v.len; i++) {
        if (net_tuple_cmp(&v.items[i - 1], &v.items[i], false) == 0) {
            const net_tuple *t = &v.items[i];
            st = dn_error_set(err, DN_EINPUT, &t->item->mark, t->path,
                              "duplicate projection `%s` (also specified by item %zu): each "
                              "projection may be specified only once",
                              pname(net, t), v.items[i - 1].item_index);
            free(v.items);
            return st;
        }
    }
    net->proj_tuples = v.items;
    net->n_proj_tuples = v.len;
    if (v.len == 0)
        return DN_OK;
    net->projs = calloc(v.len, sizeof *net->projs);
    if (!net->projs)
        return net_oom(err);
    net->n_projs = v.len;
    for (size_t i = 0; i < v.len; i++) {
        const net_tuple *t = &v.items[i];
        net_proj *p = &net->projs[i];
        net_layer *S = net_find_layer(net, t->sl), *T = net_find_layer(net, t->tl);
        p->tuple = t;
        p->pm = net_find_pmodel(net, t->pm);
        p->pub.name = net_tuple_projection_name(net, t);
        if (!p->pub.name)
            return net_oom(err);
        p->pub.projection_model = p->pm->name;
        p->pub.base_synapse_model = p->pm->synapse_model;
        p->pub.synapse_model = p->pm->synapse_model;
        p->pub.source_layer = &S->pub;
        p->pub.target_layer = &T->pub;
        p->pub.source_population = t->sp ? dn_net_layer_population(&S->pub, t->sp) : NULL;
        p->pub.target_population = t->tp ? dn_net_layer_population(&T->pub, t->tp) : NULL;
        p->pub.index = i;
    }
    return DN_OK;
}

/* A recorder's label names its files (data/<label>.yml and the raw files), so it must be a
 * single, not too long file name, and unique: deNEST let `a/b` write outside the output
 * directory, names over NAME_MAX fail only when the files are opened (after the build), and two
 * recorders with one label (layer `l1_a` population `exc` vs layer `l1` population `a_exc`)
 * overwrote each other's metadata. */
static int cmp_label(const void *a, const void *b)
{
    const net_rec *x = *(const net_rec *const *)a, *y = *(const net_rec *const *)b;
    int c = strcmp(x->pub.label, y->pub.label);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* stable: earlier recorders first */
}

static dn_status check_labels(dn_net *net, dn_error *err)
{
    /* raw file name = label + "-" + GID (<= 20 digits) + "-" + VP (<= 4) + ".ext" (4) */
    enum { kMaxLabel = 255 - 30 };
    for (size_t i = 0; i < net->n_recs; i++) {
        const net_rec *r = &net->recs[i];
        const char *why = strchr(r->pub.label, '/')     ? "contains '/'"
                          : strlen(r->pub.label) > kMaxLabel ? "is too long for a file name"
                                                             : NULL;
        if (why)
            return dn_error_set(err, DN_EINPUT, &r->tuple->item->mark, r->tuple->path,
                                "recorder label `%.80s%s` %s (labels name the recorder's "
                                "files in data/; at most %d characters, no '/'): rename the "
                                "recorder model, layer, population or projection model",
                                r->pub.label, strlen(r->pub.label) > 80 ? "..." : "", why,
                                (int)kMaxLabel);
    }
    if (net->n_recs < 2)
        return DN_OK;
    const net_rec **v = malloc(net->n_recs * sizeof *v);
    if (!v)
        return net_oom(err);
    for (size_t i = 0; i < net->n_recs; i++)
        v[i] = &net->recs[i];
    qsort(v, net->n_recs, sizeof *v, cmp_label);
    dn_status st = DN_OK;
    for (size_t i = 1; i < net->n_recs && st == DN_OK; i++) {
        if (strcmp(v[i - 1]->pub.label, v[i]->pub.label) != 0)
            continue;
        const net_rec *a = v[i - 1], *b = v[i];
        st = dn_error_set(err, DN_EINPUT, &b->tuple->item->mark, b->tuple->path,
                          "two recorders have the label `%s` (their files would overwrite each "
                          "other): %s `%s` on %s%s%s and %s `%s` on %s%s%s; rename a layer, "
                          "population or model",
                          a->pub.label, a->pub.projection ? "projection recorder" : "recorder",
                          a->pub.model,
                          a->pub.projection ? a->pub.projection->name : a->pub.layer->name,
                          a->pub.projection ? "" : "/",
                          a->pub.projection ? "" : a->pub.population->name,
                          b->pub.projection ? "projection recorder" : "recorder", b->pub.model,
                          b->pub.projection ? b->pub.projection->name : b->pub.layer->name,
                          b->pub.projection ? "" : "/",
                          b->pub.projection ? "" : b->pub.population->name);
    }
    free(v);
    return st;
}

/* ---- recorders ------------------------------------------------------------------------------ */

static bool population_anywhere(const dn_net *net, const char *name)
{
    for (size_t i = 0; i < net->n_layers; i++)
        if (dn_net_layer_population(&net->layers[i].pub, name))
            return true;
    return false;
}

static dn_status unknown_population(const dn_net *net, const dn_value *v, const char *path,
                                    dn_error *err)
{
    const char *cands[256];
    size_t n = 0;
    for (size_t i = 0; i < net->n_layers; i++)
        for (size_t j = 0; j < net->layers[i].pub.n_populations && n < 256; j++)
            cands[n++] = net->layers[i].pops[j].name;
    char sug[128];
    return dn_error_set(err, DN_EINPUT, &v->mark, path,
                        "population recorder item: no layer has a population `%s`%s",
                        dn_value_str(v), net_suggest(dn_value_str(v), cands, n, sug, sizeof sug));
}

static dn_status expand_poprec_item(dn_net *net, const dn_value *item, size_t index,
                                    const char *list_path, tuple_vec *out, dn_error *err)
{
    const char *what = "population recorder";
    char ipath[DN_ERROR_PATH_MAX + 32], kpath[DN_ERROR_PATH_MAX + 96];
    net_pathf(ipath, sizeof ipath, "%s/%zu", list_path, index);
    if (item->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, &item->mark, ipath,
                            "population recorder item must be a mapping with keys model, "
                            "layers, populations, got %s",
                            dn_value_kind(item));
    const dn_value *vm, *vl, *vp;
    dn_status st;
    if ((st = item_field(item, "model", 's', what, ipath, &vm, err)) != DN_OK ||
        (st = item_field(item, "layers", 'L', what, ipath, &vl, err)) != DN_OK ||
        (st = item_field(item, "populations", 'L', what, ipath, &vp, err)) != DN_OK)
        return st;
    char *path = net_strdup(net, ipath);
    if (!path)
        return net_oom(err);
    /* names that exist nowhere are typos: deNEST would silently record nothing */
    if (vp->type == DN_VALUE_LIST) {
        for (size_t j = 0; j < vp->u.list.len; j++) {
            const dn_value *p = vp->u.list.items[j];
            if (!population_anywhere(net, dn_value_str(p))) {
                net_pathf(kpath, sizeof kpath, "%s/populations/%zu", ipath, j);
                return unknown_population(net, p, kpath, err);
            }
        }
    }
    size_t nl = vl->type == DN_VALUE_NULL ? net->n_layers : vl->u.list.len;
    for (size_t i = 0; i < nl; i++) {
        net_layer *L;
        const dn_value *lv = NULL;
        if (vl->type == DN_VALUE_NULL) {
            L = &net->layers[i];
        } else {
            lv = vl->u.list.items[i];
            L = net_find_layer(net, dn_value_str(lv));
            if (!L) {
                net_pathf(kpath, sizeof kpath, "%s/layers/%zu", ipath, i);
                return unknown_layer(net, lv, kpath, what, err);
            }
        }
        for (size_t j = 0; j < L->pub.n_populations; j++) {
            const dn_net_population *P = &L->pops[j];
            if (!P->recordable)
                continue;
            const dn_value *pv = NULL;
            if (vp->type == DN_VALUE_LIST) {
                for (size_t k = 0; k < vp->u.list.len && !pv; k++)
                    if (strcmp(dn_value_str(vp->u.list.items[k]), P->name) == 0)
                        pv = vp->u.list.items[k];
                if (!pv)
                    continue; /* spec §4.5.1: not recorded in this layer, silently */
            }
            net_tuple t = {
                .model = dn_value_str(vm),
                .sl = L->pub.name,
                .sp = P->name,
                .item = item,
                .v_model = vm,
                .v_sl = lv,
                .v_sp = pv,
                .item_index = index,
                .path = path,
            };
            if ((st = vec_push(out, &t, err)) != DN_OK)
                return st;
        }
    }
    return DN_OK;
}

dn_status net_read_recorders(dn_net *net, const dn_tree *network, dn_error *err)
{
    char lpath[DN_ERROR_PATH_MAX];
    const dn_value *list = NULL;
    dn_status st;
    tuple_vec pv = {0}, rv = {0};

    /* population recorders: unique (model, layer, population), sorted */
    if ((st = get_list(network, "recorders", "population_recorders", &list, lpath, sizeof lpath,
                       err)) != DN_OK)
        return st;
    for (size_t i = 0; list && i < list->u.list.len && st == DN_OK; i++)
        st = expand_poprec_item(net, list->u.list.items[i], i, lpath, &pv, err);
    if (st != DN_OK)
        goto fail;
    if (pv.len)
        qsort(pv.items, pv.len, sizeof *pv.items, cmp_rec);
    size_t w = 0;
    for (size_t i = 0; i < pv.len; i++) {
        const net_tuple *a = &pv.items[i];
        if (w > 0 && strcmp(pv.items[w - 1].model, a->model) == 0 &&
            strcmp(pv.items[w - 1].sl, a->sl) == 0 && strcmp(pv.items[w - 1].sp, a->sp) == 0)
            continue; /* duplicates across items are merged silently (spec §4.5.1) */
        pv.items[w++] = *a;
    }
    pv.len = w;

    /* projection recorders: sorted, duplicates are errors, each on an existing projection */
    if ((st = get_list(network, "recorders", "projection_recorders", &list, lpath, sizeof lpath,
                       err)) != DN_OK)
        goto fail;
    for (size_t i = 0; list && i < list->u.list.len && st == DN_OK; i++)
        st = expand_projection_item(net, list->u.list.items[i], i, lpath, true, &rv, err);
    if (st != DN_OK)
        goto fail;
    if (rv.len)
        qsort(rv.items, rv.len, sizeof *rv.items, cmp_rec);
    for (size_t i = 1; i < rv.len; i++) {
        if (net_tuple_cmp(&rv.items[i - 1], &rv.items[i], true) == 0) {
            const net_tuple *t = &rv.items[i];
            st = dn_error_set(err, DN_EINPUT, &t->item->mark, t->path,
                              "duplicate projection recorder `%s` on projection `%s` (also "
                              "specified by item %zu)",
                              t->model, pname(net, t), rv.items[i - 1].item_index);
            goto fail;
        }
    }

    net->poprec_tuples = pv.items;
    net->n_poprec_tuples = pv.len;
    net->projrec_tuples = rv.items;
    net->n_projrec_tuples = rv.len;
    pv.items = rv.items = NULL;
    size_t n = net->n_poprec_tuples + net->n_projrec_tuples;
    if (n == 0)
        return DN_OK;
    net->recs = calloc(n, sizeof *net->recs);
    if (!net->recs)
        return net_oom(err);
    net->n_recs = n;
    net->n_poprecs = net->n_poprec_tuples;
    for (size_t i = 0; i < net->n_poprec_tuples; i++) {
        const net_tuple *t = &net->poprec_tuples[i];
        net_rec *r = &net->recs[i];
        net_layer *L = net_find_layer(net, t->sl);
        r->tuple = t;
        r->pub.model = t->model;
        r->pub.layer = &L->pub;
        r->pub.population = dn_net_layer_population(&L->pub, t->sp);
        r->pub.label = net_strfmt(net, "%s_%s_%s", t->model, t->sl, t->sp);
        if (!r->pub.label)
            return net_oom(err);
    }
    for (size_t i = 0; i < net->n_projrec_tuples; i++) {
        const net_tuple *t = &net->projrec_tuples[i];
        net_rec *r = &net->recs[net->n_poprecs + i];
        r->tuple = t;
        r->pub.model = t->model;
        net_proj *match = NULL;
        for (size_t k = 0; k < net->n_projs && !match; k++)
            if (net_tuple_cmp(net->projs[k].tuple, t, false) == 0)
                match = &net->projs[k];
        if (!match)
            return dn_error_set(err, DN_EINPUT, &t->item->mark, t->path,
                                "could not create projection recorder `%s` for projection "
                                "`%s, %s, %s, %s, %s`: this projection does not exist in the "
                                "network (add it to network/topology projections)",
                                t->model, t->pm, t->sl, t->sp ? t->sp : "None", t->tl,
                                t->tp ? t->tp : "None");
        if (match->pub.recorder)
            return dn_error_set(err, DN_EINPUT, &t->item->mark, t->path,
                                "projection `%s` already has a projection recorder (`%s`): a "
                                "projection can have only one",
                                match->pub.name, match->pub.recorder->model);
        match->pub.recorder = &r->pub;
        r->pub.projection = &match->pub;
        r->pub.label = net_strfmt(net, "%s_%s", t->model, match->pub.name);
        if (!r->pub.label)
            return net_oom(err);
    }
    return check_labels(net, err);

fail:
    free(pv.items);
    free(rv.items);
    return st;
}

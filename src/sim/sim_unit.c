/* unit_changes (deNEST spec §5.1, §5.2): each item is checked against the built network before
 * the first session (layers, populations, parameters of the population's model, value types,
 * .npy files and their shapes) and applied, in the order written (decisions.md), when its
 * session starts: constant (set), multiplicative (old x value), additive (old + value), one
 * value for every unit or one per unit from an array of shape (rows, columns, units). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "denest/npy.h"
#include "denest/schema.h"
#include "denest/suggest.h"
#include "sim/sim_internal.h"

bool sim_is_meta_key(const char *key)
{
    static const char *const meta[] = {
        "model",
        "type_id",
        "element_type",
        "frozen",
        "recordables",
        "receptor_types",
        "global_id",
        "vp",
        "thread",
        "local",
        "local_id",
        "thread_local_id",
        "parent",
        "node_uses_wfr",
        "supports_precise_spikes",
        "events",
        "filenames",
        "synapse_model",
        "sizeof",
        "num_connections",
        "has_delay",
        "requires_symmetric",
        "source",
        "target",
        "receptor",
        "receptor_type",
        "weight_recorder",
        "port",
        "rport",
        "capacity",
    };
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if (strcmp(key, meta[i]) == 0)
            return true;
    return false;
}

sim_pkind sim_pkind_of(const dn_value *def)
{
    switch (def ? def->type : DN_VALUE_NULL) {
    case DN_VALUE_DOUBLE:
        return SIM_PK_DOUBLE;
    case DN_VALUE_INT:
        return SIM_PK_INT;
    case DN_VALUE_BOOL:
        return SIM_PK_BOOL;
    default:
        return SIM_PK_OTHER;
    }
}

static const char *pkind_text(sim_pkind k)
{
    static const char *const t[] = {"a decimal", "an integer", "a boolean", "a list or text"};
    return t[k];
}

void sim_unit_free(sim_unit_change *c)
{
    for (size_t t = 0; t < c->n_targets; t++) {
        for (size_t p = 0; c->targets[t].arrays && p < c->n_params; p++)
            free(c->targets[t].arrays[p]);
        free(c->targets[t].arrays);
        free(c->targets[t].kinds);
    }
    free(c->targets);
    free(c->params);
    free(c->values);
    dn_value_free(c->item);
    memset(c, 0, sizeof *c);
}

/* GetDefaults of node models, fetched once per model during the checks. */
typedef struct defaults_cache {
    const char **names;
    dn_value **maps;
    size_t n;
} defaults_cache;

static dn_status cached_defaults(dn_sim *sim, defaults_cache *dc, const char *model,
                                 const dn_value **out, dn_error *err)
{
    for (size_t i = 0; i < dc->n; i++)
        if (strcmp(dc->names[i], model) == 0) {
            *out = dc->maps[i];
            return DN_OK;
        }
    const char **nn = realloc(dc->names, (dc->n + 1) * sizeof *nn);
    if (!nn)
        return sim_oom(err);
    dc->names = nn;
    dn_value **nm = realloc(dc->maps, (dc->n + 1) * sizeof *nm);
    if (!nm)
        return sim_oom(err);
    dc->maps = nm;
    dn_value *d = NULL;
    dn_status st = dn_engine_get_defaults(sim->engine, model, &d, err);
    if (st != DN_OK)
        return st;
    dc->names[dc->n] = model;
    dc->maps[dc->n++] = d;
    *out = d;
    return DN_OK;
}

static void cache_free(defaults_cache *dc)
{
    for (size_t i = 0; i < dc->n; i++)
        dn_value_free(dc->maps[i]);
    free(dc->maps);
    free(dc->names);
}

/* " (did you mean `x`?)" among the changeable keys of a defaults map, into buf. */
static const char *suggest_key(const dn_value *defaults, const char *word, char *buf, size_t size)
{
    size_t n = dn_value_len(defaults), k = 0;
    const char **c = malloc((n ? n : 1) * sizeof *c);
    buf[0] = '\0';
    if (!c)
        return buf;
    for (size_t i = 0; i < n; i++) {
        const char *key = dn_value_str(dn_value_map_at(defaults, i)->key);
        if (key && !sim_is_meta_key(key))
            c[k++] = key;
    }
    const char *s = dn_suggest(word, c, k);
    if (s)
        sim_fmt(buf, size, " (did you mean `%s`?)", s);
    free(c);
    return buf;
}

/* Is `v` a value a parameter of kind k takes, for change type t? */
static bool value_fits(const dn_value *v, sim_pkind k, sim_change_type t, const dn_value *def)
{
    double d;
    int64_t i;
    bool b;
    if (t != SIM_CONSTANT) {
        /* old x v / old + v on an integer must stay an integer */
        return k == SIM_PK_INT ? dn_value_get_integral(v, &i) : dn_value_get_double(v, &d);
    }
    switch (k) {
    case SIM_PK_DOUBLE:
        return dn_value_get_double(v, &d);
    case SIM_PK_INT:
        return dn_value_get_integral(v, &i);
    case SIM_PK_BOOL:
        return dn_value_get_bool(v, &b);
    default:
        /* lists take lists (spike_times); strings take strings */
        return !def || def->type == v->type ||
               (def->type == DN_VALUE_NULL && v->type != DN_VALUE_MAP);
    }
}

/* Read the .npy file named by `v` for population `pop` and turn it into values in GID order. */
static dn_status load_array(dn_sim *sim, const sim_unit_change *c, const dn_net_population *pop,
                            const char *param, const dn_value *v, sim_pkind kind, double **out,
                            dn_error *err)
{
    char path[SIM_PATH_MAX + 64];
    sim_fmt(path, sizeof path, "%s/nest_params/%s", c->path, param);
    const char *file = dn_value_str(v);
    if (!file)
        return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                            "with from_array: true, `%s` must name a .npy file in input_dir "
                            "(not %s)",
                            param, dn_value_a_kind(v));
    if (kind == SIM_PK_OTHER)
        return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                            "`%s` of `%s` is %s: from_array only sets numbers and booleans "
                            "(use from_array: false)",
                            param, pop->name, pkind_text(kind));
    char *full = sim_join(sim->input_dir, file);
    if (!full)
        return sim_oom(err);
    dn_npy a;
    dn_status st = dn_npy_read(full, &a, err);
    if (st != DN_OK) {
        if (err) {
            err->mark = v->mark;
            sim_fmt(err->path, sizeof err->path, "%s", path);
            if (err->status == DN_EINPUT)
                dn_error_prefix(err,
                                "layer `%s`, population `%s`, parameter `%s` (input_dir "
                                "'%s'): ",
                                pop->layer->name, pop->name, param, sim->input_dir);
        }
        free(full);
        return st;
    }
    const dn_net_layer *l = pop->layer;
    size_t want[3] = {(size_t)l->rows, (size_t)l->columns, (size_t)pop->units};
    if (a.ndim != 3 || a.shape[0] != want[0] || a.shape[1] != want[1] || a.shape[2] != want[2]) {
        char got[128], exp[128];
        st = dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                          "Layer `%s`, population `%s`, parameter `%s`, array from file '%s': "
                          "incorrect shape: expected %s (rows, columns, units), got %s",
                          l->name, pop->name, param, full,
                          dn_npy_shape_text(want, 3, exp, sizeof exp),
                          dn_npy_shape_text(a.shape, a.ndim, got, sizeof got));
        dn_npy_free(&a);
        free(full);
        return st;
    }
    double *vals = malloc((a.n ? a.n : 1) * sizeof *vals);
    if (!vals) {
        dn_npy_free(&a);
        free(full);
        return sim_oom(err);
    }
    /* §5.2: A[r, c, k] -> first(p) + k·R·C + c·R + r (the array in C order, GIDs row-fastest). */
    size_t R = want[0], C = want[1], K = want[2];
    st = DN_OK;
    for (size_t r = 0; r < R && st == DN_OK; r++)
        for (size_t col = 0; col < C && st == DN_OK; col++)
            for (size_t k = 0; k < K; k++) {
                double x = a.data[(r * C + col) * K + k];
                bool ok = isfinite(x);
                if (kind == SIM_PK_INT || (kind == SIM_PK_BOOL && c->type == SIM_CONSTANT))
                    ok = ok && x == floor(x) && fabs(x) < 9e15;
                if (kind == SIM_PK_BOOL && c->type == SIM_CONSTANT)
                    ok = ok && (x == 0 || x == 1);
                if (!ok) {
                    st =
                        dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                                     "array '%s' holds %g at [%zu, %zu, %zu], but `%s` of `%s` "
                                     "takes %s",
                                     full, x, r, col, k, param, pop->name,
                                     kind == SIM_PK_BOOL ? "0 or 1 (a boolean)" : pkind_text(kind));
                    break;
                }
                vals[k * R * C + col * R + r] = x;
            }
    dn_npy_free(&a);
    free(full);
    if (st != DN_OK) {
        free(vals);
        return st;
    }
    *out = vals;
    return DN_OK;
}

static dn_status add_target(sim_unit_change *c, const dn_net_layer *l, const dn_net_population *p,
                            dn_error *err)
{
    sim_unit_target *t = realloc(c->targets, (c->n_targets + 1) * sizeof *t);
    if (!t)
        return sim_oom(err);
    c->targets = t;
    t = &c->targets[c->n_targets++];
    memset(t, 0, sizeof *t);
    t->layer = l;
    t->pop = p;
    t->kinds = calloc(c->n_params ? c->n_params : 1, sizeof *t->kinds);
    t->arrays = calloc(c->n_params ? c->n_params : 1, sizeof *t->arrays);
    if (!t->kinds || !t->arrays)
        return sim_oom(err);
    return DN_OK;
}

/* Select the populations of item c. */
static dn_status select_targets(dn_sim *sim, sim_unit_change *c, dn_error *err)
{
    const dn_value *layers = dn_value_map_get(c->item, "layers");
    const dn_value *popv = dn_value_map_get(c->item, "population_name");
    const char *pop = dn_value_str(popv);
    size_t nl = (!layers || layers->type == DN_VALUE_NULL) ? dn_net_n_layers(sim->net)
                                                           : dn_value_len(layers);
    char path[SIM_PATH_MAX + 64], sug[160];
    for (size_t i = 0; i < nl; i++) {
        const dn_net_layer *l;
        if (!layers || layers->type == DN_VALUE_NULL) {
            l = dn_net_layer_at(sim->net, i); /* null: all layers, sorted by name */
        } else {
            const dn_value *lv = dn_value_list_at(layers, i);
            const char *name = dn_value_str(lv);
            l = name ? dn_net_find_layer(sim->net, name) : NULL;
            if (!l) {
                const char *s =
                    name ? dn_suggest(name, dn_net_layer_names(sim->net), dn_net_n_layers(sim->net))
                         : NULL;
                sim_fmt(path, sizeof path, "%s/layers[%zu]", c->path, i);
                return dn_error_set(err, DN_EINPUT, sim_mark(lv), path, "unknown layer `%s`%s%s%s",
                                    name ? name : "?", s ? " (did you mean `" : "", s ? s : "",
                                    s ? "`?)" : "");
            }
        }
        if (!pop) {
            for (size_t k = 0; k < l->n_populations; k++) {
                dn_status st = add_target(c, l, &l->populations[k], err);
                if (st != DN_OK)
                    return st;
            }
            continue;
        }
        const dn_net_population *p = dn_net_layer_population(l, pop);
        if (!p) {
            const char *cands[64];
            size_t nc = 0;
            for (size_t k = 0; k < l->n_populations && nc < 64; k++)
                cands[nc++] = l->populations[k].name;
            const char *s = dn_suggest(pop, cands, nc);
            sug[0] = '\0';
            size_t at = 0;
            for (size_t k = 0; k < nc && at < sizeof sug; k++)
                at +=
                    (size_t)snprintf(sug + at, sizeof sug - at, "%s`%s`", k ? ", " : "", cands[k]);
            sim_fmt(path, sizeof path, "%s/population_name", c->path);
            return dn_error_set(err, DN_EINPUT, sim_mark(popv), path,
                                "layer `%s` has no population `%s`%s%s%s (it has %s)", l->name, pop,
                                s ? " (did you mean `" : "", s ? s : "", s ? "`?)" : "", sug);
        }
        dn_status st = add_target(c, l, p, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

static const char *model_text(dn_sim *sim, const char *model)
{
    const char *base = dn_engine_model_type_id(sim->engine, model);
    return base ? base : model;
}

/* Check parameter j of item c on target t (and read its array). */
static dn_status check_param(dn_sim *sim, sim_unit_change *c, sim_unit_target *t, size_t j,
                             defaults_cache *dc, dn_error *err)
{
    const char *param = c->params[j];
    const dn_value *v = c->values[j];
    char path[SIM_PATH_MAX + 64], sug[96];
    sim_fmt(path, sizeof path, "%s/nest_params/%s", c->path, param);
    const dn_value *defaults = NULL;
    dn_status st = cached_defaults(sim, dc, t->pop->name, &defaults, err);
    if (st != DN_OK)
        return st;
    const dn_value *def = dn_value_map_get(defaults, param);
    if (!def || sim_is_meta_key(param))
        return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                            "population `%s` of layer `%s` (model %s) has no parameter `%s`%s",
                            t->pop->name, t->layer->name, model_text(sim, t->pop->name), param,
                            suggest_key(defaults, param, sug, sizeof sug));
    sim_pkind k = sim_pkind_of(def);
    t->kinds[j] = k;
    if (c->type != SIM_CONSTANT && k != SIM_PK_DOUBLE && k != SIM_PK_INT)
        return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                            "Can't set state %s for non-numeric parameter `%s` of `%s` (it "
                            "takes %s); use change_type: constant",
                            c->type_name, param, t->pop->name, pkind_text(k));
    if (c->from_array)
        return load_array(sim, c, t->pop, param, v, k, &t->arrays[j], err);
    if (!value_fits(v, k, c->type, def)) {
        const char *what = c->type != SIM_CONSTANT && k != SIM_PK_INT ? "a number" : pkind_text(k);
        return dn_error_set(err, DN_EINPUT, sim_mark(v), path, "`%s` of `%s` takes %s, not %s",
                            param, t->pop->name, what, dn_value_a_kind(v));
    }
    return DN_OK;
}

static dn_status prepare_one(dn_sim *sim, sim_unit_change *c, const dn_value *raw,
                             defaults_cache *dc, dn_error *err)
{
    dn_status st = dn_schema_item(&dn_schema_unit_change, raw, &c->item, err);
    if (st != DN_OK) {
        if (err && !err->path[0])
            sim_fmt(err->path, sizeof err->path, "%s", c->path);
        return st;
    }
    c->type_name = dn_value_str(dn_value_map_get(c->item, "change_type"));
    if (!c->type_name)
        c->type_name = "constant";
    c->type = sim_change_type_of(c->type_name);
    bool fa = false;
    dn_value_get_bool(dn_value_map_get(c->item, "from_array"), &fa);
    c->from_array = fa;
    const dn_value *np = dn_value_map_get(c->item, "nest_params");
    size_t n = dn_value_len(np);
    c->params = calloc(n ? n : 1, sizeof *c->params);
    c->values = calloc(n ? n : 1, sizeof *c->values);
    if (!c->params || !c->values)
        return sim_oom(err);
    for (size_t j = 0; j < n; j++) {
        const dn_map_entry *en = dn_value_map_at(np, j);
        const char *key = dn_value_str(en->key);
        if (!key) {
            char path[SIM_PATH_MAX + 16];
            sim_fmt(path, sizeof path, "%s/nest_params", c->path);
            return dn_error_set(err, DN_EINPUT, sim_mark(en->key), path,
                                "parameter names must be text, not %s", dn_value_a_kind(en->key));
        }
        c->params[j] = key;
        c->values[j] = en->value;
    }
    c->n_params = n;
    if ((st = select_targets(sim, c, err)) != DN_OK)
        return st;
    for (size_t t = 0; t < c->n_targets; t++)
        for (size_t j = 0; j < n; j++)
            if ((st = check_param(sim, c, &c->targets[t], j, dc, err)) != DN_OK)
                return st;
    return DN_OK;
}

dn_status sim_unit_prepare(dn_sim *sim, sim_model *m, const dn_value *list, const char *base,
                           dn_error *err)
{
    size_t n = dn_value_len(list);
    if (n == 0 || list->type != DN_VALUE_LIST)
        return DN_OK;
    m->unit = calloc(n, sizeof *m->unit);
    if (!m->unit)
        return sim_oom(err);
    defaults_cache dc = {0};
    dn_status st = DN_OK;
    for (size_t i = 0; i < n && st == DN_OK; i++) {
        sim_unit_change *c = &m->unit[i];
        m->n_unit = i + 1;
        sim_fmt(c->path, sizeof c->path, "%s[%zu]", base, i);
        st = prepare_one(sim, c, dn_value_list_at(list, i), &dc, err);
        if (st != DN_OK && err && err->status == DN_EINPUT)
            dn_error_prefix(err, "session model `%s`: ", m->name);
    }
    cache_free(&dc);
    return st;
}

/* ---- applying ----------------------------------------------------------------------------- */

static dn_value *make_value(sim_pkind k, double x, const dn_value *src)
{
    dn_value *v;
    if (k == SIM_PK_INT)
        v = dn_value_int((int64_t)llround(x));
    else if (k == SIM_PK_BOOL)
        v = dn_value_bool(x != 0);
    else
        v = dn_value_double(x);
    if (v && src)
        dn_value_set_mark(v, src->mark);
    return v;
}

static dn_status unit_error(dn_status st, dn_error *err, const sim_unit_change *c,
                            const sim_unit_target *t, dn_gid gid)
{
    if (err && st != DN_ENOMEM) {
        if (!err->path[0])
            sim_fmt(err->path, sizeof err->path, "%s", c->path);
        dn_error_prefix(err, "unit change (layer `%s`, population `%s`, unit %u): ", t->layer->name,
                        t->pop->name, (unsigned)gid);
    }
    return st;
}

static dn_status apply_target(dn_sim *sim, const sim_unit_change *c, const sim_unit_target *t,
                              dn_error *err)
{
    dn_engine *e = sim->engine;
    dn_value *dict = dn_value_map();
    if (!dict)
        return sim_oom(err);
    dn_status st = DN_OK;
    bool fixed = c->type == SIM_CONSTANT && !c->from_array;
    if (fixed) {
        /* one dict for every unit: the values as written (their marks point at the YAML) */
        for (size_t j = 0; j < c->n_params && st == DN_OK; j++)
            st = dn_value_map_set(dict, c->params[j], dn_value_copy(c->values[j]));
        if (st != DN_OK) {
            dn_value_free(dict);
            return sim_oom(err);
        }
    }
    for (size_t u = 0; u < t->pop->n && st == DN_OK; u++) {
        dn_gid gid = (dn_gid)(t->pop->first + u);
        for (size_t j = 0; !fixed && j < c->n_params && st == DN_OK; j++) {
            double x = 0, old = 0;
            if (t->arrays[j])
                x = t->arrays[j][u];
            else
                dn_value_get_double(c->values[j], &x);
            if (c->type != SIM_CONSTANT) {
                st = dn_engine_get_double(e, gid, c->params[j], &old, err);
                if (st != DN_OK)
                    break;
                x = c->type == SIM_MULTIPLICATIVE ? old * x : old + x;
            }
            st = dn_value_map_set(dict, c->params[j], make_value(t->kinds[j], x, c->values[j]));
            if (st != DN_OK)
                st = sim_oom(err);
        }
        if (st == DN_OK)
            st = dn_engine_set_status(e, gid, dict, err);
        if (st != DN_OK)
            st = unit_error(st, err, c, t, gid);
    }
    dn_value_free(dict);
    return st;
}

dn_status sim_unit_apply(dn_sim *sim, const sim_unit_change *c, dn_error *err)
{
    for (size_t t = 0; t < c->n_targets; t++) {
        const sim_unit_target *tg = &c->targets[t];
        for (size_t j = 0; j < c->n_params; j++)
            dn_log_info("network.layers",
                        "Layer='%s', pop='%s': Applying '%s' change, param='%s', from %s",
                        tg->layer->name, tg->pop->name, c->type_name, c->params[j],
                        c->from_array ? "array" : "single value");
        dn_status st = apply_target(sim, c, tg, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

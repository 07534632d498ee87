/* synapse_changes (deNEST spec §5.3; decisions.md: applied, not ignored): select connections by
 * synapse model or by projection, check the parameters against the synapse model before the
 * first session, and change them (constant / multiplicative / additive) when the session starts.
 * Selection goes through the projections, so a projection whose synapses were moved to a private
 * copy of the model for its weight recorder (§4.5.2) is still found by its model's name. */
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "denest/schema.h"
#include "denest/suggest.h"
#include "sim/sim_internal.h"

void sim_syn_free(sim_syn_change *c)
{
    free(c->proj);
    free(c->params);
    free(c->values);
    dn_value_free(c->item);
    memset(c, 0, sizeof *c);
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Two projections whose connections dn_net_projection_connections cannot tell apart. */
static bool same_selection(const dn_net_projection *a, const dn_net_projection *b)
{
    return a == b ||
           (same_str(a->synapse_model, b->synapse_model) && a->source_layer == b->source_layer &&
            a->target_layer == b->target_layer && a->source_population == b->source_population &&
            a->target_population == b->target_population);
}

static dn_status add_proj(sim_syn_change *c, const dn_net_projection *p, dn_error *err)
{
    for (size_t i = 0; i < c->n_proj; i++)
        if (same_selection(c->proj[i], p))
            return DN_OK;
    const dn_net_projection **np = realloc(c->proj, (c->n_proj + 1) * sizeof *np);
    if (!np)
        return sim_oom(err);
    c->proj = np;
    c->proj[c->n_proj++] = p;
    return DN_OK;
}

static dn_status select_by_model(dn_sim *sim, sim_syn_change *c, const dn_value *mv, dn_error *err)
{
    const char *model = dn_value_str(mv);
    size_t n = dn_net_n_projections(sim->net);
    for (size_t i = 0; i < n; i++) {
        const dn_net_projection *p = dn_net_projection_at(sim->net, i);
        if (same_str(p->base_synapse_model, model) || same_str(p->synapse_model, model)) {
            dn_status st = add_proj(c, p, err);
            if (st != DN_OK)
                return st;
        }
    }
    if (c->n_proj)
        return DN_OK;
    const char **cands = malloc((n ? n : 1) * sizeof *cands);
    if (!cands)
        return sim_oom(err);
    for (size_t i = 0; i < n; i++)
        cands[i] = dn_net_projection_at(sim->net, i)->base_synapse_model;
    const char *s = model ? dn_suggest(model, cands, n) : NULL;
    char path[SIM_PATH_MAX + 32];
    sim_fmt(path, sizeof path, "%s/synapse_model", c->path);
    dn_status st = dn_error_set(
        err, DN_EINPUT, sim_mark(mv), path,
        "no projection uses synapse model `%s`%s%s%s; synapse_changes change the connections of "
        "projections (see network/topology)",
        model ? model : "?", s ? " (did you mean `" : "", s ? s : "", s ? "`?)" : "");
    free(cands);
    return st;
}

static dn_status select_by_projection(dn_sim *sim, sim_syn_change *c, dn_error *err)
{
    const dn_value *pm = dn_value_map_get(c->item, "projection_model");
    const dn_value *sls = dn_value_map_get(c->item, "source_layers");
    const dn_value *tls = dn_value_map_get(c->item, "target_layers");
    const char *sp = dn_value_str(dn_value_map_get(c->item, "source_population"));
    const char *tp = dn_value_str(dn_value_map_get(c->item, "target_population"));
    for (size_t i = 0; i < dn_value_len(sls); i++)
        for (size_t j = 0; j < dn_value_len(tls); j++) {
            const char *sl = dn_value_str(dn_value_list_at(sls, i));
            const char *tl = dn_value_str(dn_value_list_at(tls, j));
            const dn_net_projection *p =
                dn_net_find_projection(sim->net, dn_value_str(pm), sl, sp, tl, tp);
            if (!p) {
                char want[512];
                sim_fmt(want, sizeof want, "%s-%s-%s-%s-%s",
                        dn_value_str(pm) ? dn_value_str(pm) : "?", sl ? sl : "?", sp ? sp : "None",
                        tl ? tl : "?", tp ? tp : "None");
                size_t n = dn_net_n_projections(sim->net);
                const char **cands = malloc((n ? n : 1) * sizeof *cands);
                if (!cands)
                    return sim_oom(err);
                for (size_t k = 0; k < n; k++)
                    cands[k] = dn_net_projection_at(sim->net, k)->name;
                const char *s = dn_suggest(want, cands, n);
                dn_status st =
                    dn_error_set(err, DN_EINPUT, sim_mark(c->item), c->path,
                                 "no projection `%s` in network/topology%s%s%s", want,
                                 s ? " (did you mean `" : "", s ? s : "", s ? "`?)" : "");
                free(cands);
                return st;
            }
            dn_status st = add_proj(c, p, err);
            if (st != DN_OK)
                return st;
        }
    return DN_OK;
}

/* Check parameter j against every selected projection's synapse model. */
static dn_status check_param(dn_sim *sim, sim_syn_change *c, size_t j, dn_error *err)
{
    const char *param = c->params[j];
    const dn_value *v = c->values[j];
    char path[SIM_PATH_MAX + 64];
    sim_fmt(path, sizeof path, "%s/nest_params/%s", c->path, param);
    for (size_t i = 0; i < c->n_proj; i++) {
        const char *model = c->proj[i]->synapse_model;
        dn_value *defaults = NULL;
        dn_status st = dn_engine_get_defaults(sim->engine, model, &defaults, err);
        if (st != DN_OK)
            return st;
        const dn_value *def = dn_value_map_get(defaults, param);
        if (!def || sim_is_meta_key(param)) {
            size_t n = dn_value_len(defaults), k = 0;
            const char **cands = malloc((n ? n : 1) * sizeof *cands);
            const char *s = NULL;
            if (cands) {
                for (size_t q = 0; q < n; q++) {
                    const char *key = dn_value_str(dn_value_map_at(defaults, q)->key);
                    if (key && !sim_is_meta_key(key))
                        cands[k++] = key;
                }
                s = dn_suggest(param, cands, k);
            }
            st = dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                              "synapse model `%s` (projection %s) has no parameter `%s` one can "
                              "change%s%s%s",
                              c->proj[i]->base_synapse_model, c->proj[i]->name, param,
                              s ? " (did you mean `" : "", s ? s : "", s ? "`?)" : "");
            free(cands);
            dn_value_free(defaults);
            return st;
        }
        sim_pkind k = sim_pkind_of(def);
        double d;
        int64_t q;
        bool ok;
        if (c->type != SIM_CONSTANT && k != SIM_PK_DOUBLE && k != SIM_PK_INT)
            ok = false;
        else if (k == SIM_PK_INT)
            ok = dn_value_get_integral(v, &q);
        else if (k == SIM_PK_DOUBLE)
            ok = dn_value_get_double(v, &d);
        else
            ok = k != SIM_PK_BOOL || v->type == DN_VALUE_BOOL;
        dn_value_free(defaults);
        if (!ok)
            return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                                "`%s` of synapse model `%s` cannot take %s with change_type "
                                "`%s`",
                                param, c->proj[i]->base_synapse_model, dn_value_a_kind(v),
                                c->type_name);
    }
    /* kernel spec 1.3: the first Simulate freezes [min_delay, max_delay] to the delays of the
     * network as built, so a constant new delay outside it can only fail later, after earlier
     * sessions ran; say so before the first session. (Relative changes depend on each
     * connection's value at that time: the engine checks them when they are applied.) */
    double d;
    if (strcmp(param, "delay") == 0 && c->type == SIM_CONSTANT && dn_value_get_double(v, &d)) {
        double lo = dn_engine_min_delay(sim->engine), hi = dn_engine_max_delay(sim->engine);
        double h = dn_engine_resolution(sim->engine);
        if (d < lo - 0.5 * h || d > hi + 0.5 * h)
            return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                                "new delay %g ms lies outside [%g, %g] ms, the range of the "
                                "network's delays, which the first session fixes (as NEST does); "
                                "give a delay in that range, or set kernel nest_params min_delay "
                                "and max_delay to widen it",
                                d, lo, hi);
    }
    return DN_OK;
}

static dn_status prepare_one(dn_sim *sim, sim_syn_change *c, const dn_value *raw, dn_error *err)
{
    /* dn_schema_item renames the alias `params` to `nest_params` */
    dn_status st = dn_schema_item(&dn_schema_synapse_change, raw, &c->item, err);
    if (st != DN_OK) {
        if (err && !err->path[0])
            sim_fmt(err->path, sizeof err->path, "%s", c->path);
        return st;
    }
    c->type_name = dn_value_str(dn_value_map_get(c->item, "change_type"));
    if (!c->type_name)
        c->type_name = "constant";
    c->type = sim_change_type_of(c->type_name);
    const dn_value *np = dn_value_map_get(c->item, "nest_params");
    size_t n = dn_value_len(np);
    c->params = calloc(n ? n : 1, sizeof *c->params);
    c->values = calloc(n ? n : 1, sizeof *c->values);
    if (!c->params || !c->values)
        return sim_oom(err);
    for (size_t j = 0; j < n; j++) {
        const dn_map_entry *en = dn_value_map_at(np, j);
        c->params[j] = dn_value_str(en->key);
        c->values[j] = en->value;
        if (!c->params[j])
            return dn_error_set(err, DN_EINPUT, sim_mark(en->key), c->path,
                                "parameter names must be text, not %s", dn_value_a_kind(en->key));
    }
    c->n_params = n;
    const dn_value *mv = dn_value_map_get(c->item, "synapse_model");
    if (mv)
        st = select_by_model(sim, c, mv, err);
    else if (dn_value_map_get(c->item, "projection_model"))
        st = select_by_projection(sim, c, err);
    else
        st = dn_error_set(err, DN_EINPUT, sim_mark(raw), c->path,
                          "a synapse change selects its connections by `synapse_model` or by a "
                          "projection (projection_model, source_layers, source_population, "
                          "target_layers, target_population)");
    for (size_t j = 0; j < n && st == DN_OK; j++)
        st = check_param(sim, c, j, err);
    return st;
}

dn_status sim_syn_prepare(dn_sim *sim, sim_model *m, const dn_value *list, const char *base,
                          dn_error *err)
{
    size_t n = dn_value_len(list);
    if (n == 0 || list->type != DN_VALUE_LIST)
        return DN_OK;
    m->syn = calloc(n, sizeof *m->syn);
    if (!m->syn)
        return sim_oom(err);
    dn_status st = DN_OK;
    for (size_t i = 0; i < n && st == DN_OK; i++) {
        sim_syn_change *c = &m->syn[i];
        m->n_syn = i + 1;
        sim_fmt(c->path, sizeof c->path, "%s[%zu]", base, i);
        st = prepare_one(sim, c, dn_value_list_at(list, i), err);
        if (st != DN_OK && err && err->status == DN_EINPUT)
            dn_error_prefix(err, "session model `%s`: ", m->name);
    }
    return st;
}

/* ---- applying ----------------------------------------------------------------------------- */

static dn_status apply_proj(dn_sim *sim, const sim_syn_change *c, const dn_net_projection *p,
                            dn_error *err)
{
    dn_connsel *sel = NULL;
    dn_status st = dn_net_projection_connections(sim->net, sim->engine, p, &sel, err);
    if (st != DN_OK)
        return st;
    size_t n = dn_connsel_size(sel);
    char *r = sim_repr(dn_value_map_get(c->item, "nest_params"));
    dn_log_info("network", "Projection '%s': Applying '%s' synapse change %s to %zu connections",
                p->name, c->type_name, r, n);
    free(r);
    if (n == 0) {
        dn_connsel_free(sel);
        return DN_OK;
    }
    if (c->type == SIM_CONSTANT) {
        st = dn_engine_conn_set_status(sim->engine, sel, dn_value_map_get(c->item, "nest_params"),
                                       err);
    } else {
        double *vals = malloc(n * sizeof *vals);
        if (!vals) {
            dn_connsel_free(sel);
            return sim_oom(err);
        }
        for (size_t j = 0; j < c->n_params && st == DN_OK; j++) {
            double x = 0;
            dn_value_get_double(c->values[j], &x);
            st = dn_engine_conn_get_double(sim->engine, sel, c->params[j], vals, err);
            for (size_t k = 0; k < n && st == DN_OK; k++)
                vals[k] = c->type == SIM_MULTIPLICATIVE ? vals[k] * x : vals[k] + x;
            if (st == DN_OK)
                st = dn_engine_conn_set_double(sim->engine, sel, c->params[j], vals, err);
        }
        free(vals);
    }
    dn_connsel_free(sel);
    if (st != DN_OK && st != DN_ENOMEM && err) {
        if (!err->path[0])
            sim_fmt(err->path, sizeof err->path, "%s", c->path);
        dn_error_prefix(err, "synapse change (projection %s): ", p->name);
    }
    return st;
}

dn_status sim_syn_apply(dn_sim *sim, const sim_syn_change *c, dn_error *err)
{
    for (size_t i = 0; i < c->n_proj; i++) {
        dn_status st = apply_proj(sim, c, c->proj[i], err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

/* Session models and sessions (deNEST spec §6.3, §6.4): the leaves of session_models named by
 * simulation.params.sessions, their effective params, and the session list with names
 * ("00_warmup") and start/end times kept in integer tics so they stay on the kernel's grid
 * (decisions.md: any multiple of the resolution; anything else is an error). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "denest/schema.h"
#include "denest/suggest.h"
#include "sim/sim_internal.h"

static bool get_flag(const dn_value *params, const char *key, bool def)
{
    bool b = def;
    dn_value_get_bool(dn_value_map_get(params, key), &b);
    return b;
}

/* Path of the params key `key` as seen from `leaf` (where it is written), into buf. */
static char *param_path(const dn_tree *leaf, const char *key, char *buf, size_t size)
{
    const dn_tree *owner = NULL;
    dn_tree_find_param(leaf, DN_PARAMS, key, &owner);
    dn_tree_path(owner ? owner : leaf, "params", buf, size);
    size_t n = strlen(buf);
    sim_fmt(buf + n, size - n, "/%s", key);
    return buf;
}

static dn_status build_model(dn_sim *sim, sim_model *m, const dn_tree *leaf, const dn_tree *top,
                             const char *name, dn_error *err)
{
    m->leaf = leaf;
    m->name = sim_strdup(name);
    if (!m->name)
        return sim_oom(err);
    dn_tree_path(leaf, "params", m->path, sizeof m->path);
    dn_status st = dn_schema_data(&dn_schema_session_model, DN_PARAMS, leaf, top, &m->params, err);
    if (st != DN_OK)
        return st;
    char path[SIM_PATH_MAX];
    const dn_value *t = dn_value_map_get(m->params, "simulation_time");
    double ms;
    if (!t)
        return dn_error_set(err, DN_EINPUT, &leaf->mark, m->path,
                            "session model `%s` has no simulation_time; give its duration in ms",
                            name);
    param_path(leaf, "simulation_time", path, sizeof path);
    if (!dn_value_get_double(t, &ms) || !(ms >= 0))
        return dn_error_set(err, DN_EINPUT, sim_mark(t), path,
                            "Parameter `simulation_time` of session model `%s` should be a "
                            "number >= 0 (ms), not %s",
                            name, dn_value_a_kind(t));
    /* beyond 9e15 tics the tic count leaves the range of exact doubles (and of int64 for the
     * suggestion below, whose conversion was undefined behaviour): a clear error instead */
    if (ms * (double)sim->tics_per_ms > 9e15)
        return dn_error_set(err, DN_EINPUT, sim_mark(t), path,
                            "simulation_time %g ms of session model `%s` is too long (at most "
                            "%g ms at the tic length %g ms); split it into shorter sessions",
                            ms, name, 9e15 / (double)sim->tics_per_ms,
                            1.0 / (double)sim->tics_per_ms);
    if (!sim_ms_to_tics(sim, ms, &m->tics)) {
        /* decisions.md: deNEST truncated to whole ms; we refuse and suggest the neighbours */
        char hb[32], lo[32], hi[32];
        int64_t k = (int64_t)floor(ms * (double)sim->tics_per_ms / (double)sim->tics_per_step);
        return dn_error_set(
            err, DN_EINPUT, sim_mark(t), path,
            "simulation_time %g ms of session model `%s` is not a multiple of "
            "the resolution %s ms; use a multiple such as %s or %s",
            ms, name, dn_value_format_double(sim->h, hb, sizeof hb),
            sim_ms_text(sim_tics_ms(sim, k * sim->tics_per_step), lo, sizeof lo),
            sim_ms_text(sim_tics_ms(sim, (k + 1) * sim->tics_per_step), hi, sizeof hi));
    }
    m->simulation_time = sim_tics_ms(sim, m->tics);
    m->reset_network = get_flag(m->params, "reset_network", false);
    m->record = get_flag(m->params, "record", true);
    m->shift_origin = get_flag(m->params, "shift_origin", false);
    return DN_OK;
}

dn_status sim_sessions_build(dn_sim *sim, const dn_tree *root, const dn_value *sessions,
                             dn_error *err)
{
    const dn_tree *node = dn_tree_child(root, "session_models");
    const dn_tree **leaves = NULL;
    size_t n_leaves = 0;
    dn_status st;
    if (node && (st = dn_tree_leaves(node, false, &leaves, &n_leaves, err)) != DN_OK)
        return st;
    char **names = calloc(n_leaves ? n_leaves : 1, sizeof *names);
    size_t n = dn_value_len(sessions);
    sim->models = calloc(n ? n : 1, sizeof *sim->models);
    sim->sessions = calloc(n ? n : 1, sizeof *sim->sessions);
    if (!names || !sim->models || !sim->sessions) {
        st = sim_oom(err);
        goto out;
    }
    for (size_t i = 0; i < n_leaves; i++) {
        char buf[256];
        names[i] = sim_strdup(dn_tree_name_text(leaves[i], buf, sizeof buf));
        if (!names[i]) {
            st = sim_oom(err);
            goto out;
        }
    }
    st = DN_OK;
    int64_t t = dn_engine_steps(sim->engine) * sim->tics_per_step;
    for (size_t i = 0; i < n; i++) {
        const dn_value *v = dn_value_list_at(sessions, i);
        const char *name = dn_value_str(v);
        char path[64];
        sim_fmt(path, sizeof path, "simulation/params/sessions[%zu]", i);
        size_t k = 0;
        while (name && k < n_leaves && strcmp(names[k], name) != 0)
            k++;
        if (!name || k == n_leaves) {
            const char *s = name ? dn_suggest(name, (const char *const *)names, n_leaves) : NULL;
            st = dn_error_set(err, DN_EINPUT, sim_mark(v), path, "unknown session model `%s`%s%s%s",
                              name ? name : "?",
                              s ? " (did you mean `" : "; it must be a leaf of session_models",
                              s ? s : "", s ? "`?)" : "");
            goto out;
        }
        sim_model *m = NULL;
        for (size_t j = 0; j < sim->n_models && !m; j++)
            if (sim->models[j].leaf == leaves[k])
                m = &sim->models[j];
        if (!m) {
            m = &sim->models[sim->n_models++];
            if ((st = build_model(sim, m, leaves[k], node, name, err)) != DN_OK)
                goto out;
        }
        sim_session *s = &sim->sessions[i];
        s->model = m;
        s->name = sim_strfmt("%02zu_%s", i, name);
        if (!s->name) {
            st = sim_oom(err);
            goto out;
        }
        sim->n_sessions = i + 1;
        s->start_tics = t;
        s->end_tics = t + m->tics;
        s->start = sim_tics_ms(sim, s->start_tics);
        s->end = sim_tics_ms(sim, s->end_tics);
        t = s->end_tics;
        dn_log_info("session", "Creating session \"%s\"", s->name);
    }
    dn_log_info("simulation", "Build N=%zu session models", sim->n_models);
    dn_log_info("simulation", "Build N=%zu sessions", sim->n_sessions);
    if (dn_log_enabled(DN_LOG_INFO)) {
        size_t len = 3;
        for (size_t i = 0; i < sim->n_sessions; i++)
            len += strlen(sim->sessions[i].name) + 4;
        char *list = malloc(len);
        if (list) {
            size_t at = 0;
            list[at++] = '[';
            for (size_t i = 0; i < sim->n_sessions; i++)
                at += (size_t)snprintf(list + at, len - at, "%s'%s'", i ? ", " : "",
                                       sim->sessions[i].name);
            sim_fmt(list + at, len - at, "]");
            dn_log_info("simulation", "Sessions: %s", list);
            free(list);
        }
    }
out:
    for (size_t i = 0; names && i < n_leaves; i++)
        free(names[i]);
    free(names);
    free(leaves);
    return st;
}

void sim_sessions_free(dn_sim *sim)
{
    for (size_t i = 0; i < sim->n_models; i++) {
        sim_model *m = &sim->models[i];
        for (size_t k = 0; k < m->n_unit; k++)
            sim_unit_free(&m->unit[k]);
        free(m->unit);
        for (size_t k = 0; k < m->n_syn; k++)
            sim_syn_free(&m->syn[k]);
        free(m->syn);
        dn_value_free(m->params);
        free(m->name);
    }
    free(sim->models);
    for (size_t i = 0; i < sim->n_sessions; i++)
        free(sim->sessions[i].name);
    free(sim->sessions);
    sim->models = NULL;
    sim->sessions = NULL;
    sim->n_models = sim->n_sessions = 0;
}

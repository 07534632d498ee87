/* Running one session (deNEST spec §6.5), in deNEST's order: reset_network, record: false
 * (recorders' start moved to the session end), shift_origin (InputLayer stimulators), unit
 * changes in the order written, synapse changes, then Simulate(simulation_time). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "sim/sim_internal.h"

static dn_status set_one(dn_engine *e, dn_gid gid, const char *key, double x, dn_error *err)
{
    dn_value *d = dn_value_map();
    if (!d || dn_value_map_set(d, key, dn_value_double(x)) != DN_OK) {
        dn_value_free(d);
        return sim_oom(err);
    }
    dn_status st = dn_engine_set_status(e, gid, d, err);
    dn_value_free(d);
    return st;
}

/* §6.5 step 2: recorders register events with stamps in (origin + start, origin + stop]; moving
 * start to the session's end hides this session and recording resumes by itself afterwards.
 * Unlike deNEST we allow a recorder origin (start is set relative to it) and never move a start
 * backwards (a user's later start is kept). */
static dn_status inactivate_recorders(dn_sim *sim, const sim_session *s, dn_error *err)
{
    char t[40];
    for (size_t i = 0; i < dn_net_n_recorders(sim->net); i++) {
        const dn_net_recorder *r = dn_net_recorder_at(sim->net, i);
        double origin = 0, start = 0, stop = INFINITY;
        dn_status st = dn_engine_get_double(sim->engine, r->gid, "origin", &origin, err);
        if (st == DN_OK)
            st = dn_engine_get_double(sim->engine, r->gid, "start", &start, err);
        if (st == DN_OK)
            st = dn_engine_get_double(sim->engine, r->gid, "stop", &stop, err);
        if (st != DN_OK)
            return st;
        int64_t origin_tics = (int64_t)llround(origin * (double)sim->tics_per_ms);
        double want = sim_tics_ms(sim, s->end_tics - origin_tics);
        if (want > stop)
            want = stop; /* start may not pass stop; (stop, stop] is empty as well */
        if (want <= start)
            continue;
        dn_log_info("session", "  Setting status for recorder %s: {'start': %s}", r->label,
                    dn_value_format_double(want, t, sizeof t));
        if ((st = set_one(sim->engine, r->gid, "start", want, err)) != DN_OK)
            return st;
    }
    return DN_OK;
}

/* §6.5 step 3; decisions.md: without InputLayers this is a no-op. */
static dn_status shift_origin(dn_sim *sim, const sim_session *s, dn_error *err)
{
    char t[40];
    size_t n = 0;
    for (size_t i = 0; i < dn_net_n_layers(sim->net); i++) {
        const dn_net_population *p = dn_net_layer_at(sim->net, i)->stimulators;
        for (size_t u = 0; p && u < p->n; u++) {
            dn_status st = set_one(sim->engine, (dn_gid)(p->first + u), "origin", s->start, err);
            if (st != DN_OK)
                return st;
        }
        n += p ? 1 : 0;
    }
    if (n)
        dn_log_info("session",
                    "Setting `origin` flag to `%s` for all stimulation devices in ``InputLayers`` "
                    "for session `%s`",
                    dn_value_format_double(s->start, t, sizeof t), s->name);
    else
        dn_log_info("session", "Session `%s`: shift_origin has no effect (no InputLayer)", s->name);
    return DN_OK;
}

dn_status sim_session_run(dn_sim *sim, size_t i, dn_error *err)
{
    const sim_session *s = &sim->sessions[i];
    const sim_model *m = s->model;
    dn_engine *e = sim->engine;
    char a[40], b[40];
    dn_status st;
    int64_t now = dn_engine_steps(e) * sim->tics_per_step;
    if (now != s->start_tics)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                            "session '%s' should start at %s ms but the kernel is at %s ms",
                            s->name, sim_ms_text(s->start, a, sizeof a),
                            sim_ms_text(sim_tics_ms(sim, now), b, sizeof b));
    dn_log_info("session", "Initializing session...");
    if (m->reset_network) {
        dn_log_info("session", "Resetting the network (NEST 2.20's ResetNetwork)");
        if ((st = dn_engine_reset_network(e, err)) != DN_OK)
            return st;
    }
    if (!m->record) {
        dn_log_debug("session", "Inactivating all recorders for session %s:", s->name);
        if ((st = inactivate_recorders(sim, s, err)) != DN_OK)
            return st;
    }
    if (m->shift_origin && (st = shift_origin(sim, s, err)) != DN_OK)
        return st;
    if (m->n_unit || m->n_syn)
        dn_log_info("network", "Setting network state: %zu unit change(s), %zu synapse change(s)",
                    m->n_unit, m->n_syn);
    for (size_t k = 0; k < m->n_unit; k++)
        if ((st = sim_unit_apply(sim, &m->unit[k], err)) != DN_OK)
            return st;
    for (size_t k = 0; k < m->n_syn; k++)
        if ((st = sim_syn_apply(sim, &m->syn[k], err)) != DN_OK)
            return st;
    dn_log_info("session", "Finished initializing session\n");

    dn_log_info("session", "Running session '%s' for %s ms", s->name,
                sim_ms_text(m->simulation_time, a, sizeof a));
    double t0 = sim_now();
    sim->prog.session = s->name;
    sim->prog.last_wall = 0;
    sim->prog.last_percent = -1;
    st = dn_engine_simulate(e, m->simulation_time, err);
    sim->prog.session = NULL;
    if (st != DN_OK) {
        if (err && st != DN_ENOMEM)
            dn_error_prefix(err, "session '%s': ", s->name);
        return st;
    }
    now = dn_engine_steps(e) * sim->tics_per_step;
    if (now != s->end_tics)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                            "session '%s' should end at %s ms but the kernel is at %s ms", s->name,
                            sim_ms_text(s->end, a, sizeof a),
                            sim_ms_text(sim_tics_ms(sim, now), b, sizeof b));
    dn_log_info("session", "Session '%s' virtual running time: %s ms", s->name,
                sim_ms_text(m->simulation_time, a, sizeof a));
    dn_log_info("session", "Session '%s' real running time: %s", s->name,
                sim_hms(sim_now() - t0, b, sizeof b));
    return DN_OK;
}

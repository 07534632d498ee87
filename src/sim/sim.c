/* The simulation object (deNEST spec §6.6, §6.7): everything a run needs is prepared and checked
 * by dn_sim_create before the first session (decisions.md), then the sessions run in order.
 * dn_sim_run is `denest.run` for a merged tree: create, run every session, log the totals. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "denest/log.h"
#include "denest/schema.h"
#include "sim/sim_internal.h"

/* The first validation error, with the number of the others. */
static dn_status validate(const dn_tree *tree, dn_error *err)
{
    dn_schema_errors errors = {0};
    dn_status st = dn_schema_validate(tree, &errors);
    if (st != DN_OK) {
        if (errors.len && err) {
            *err = errors.items[0];
            size_t more = errors.len - 1 + errors.dropped;
            if (more) {
                size_t n = strlen(err->message);
                sim_fmt(err->message + n, sizeof err->message - n,
                        " (and %zu more problem%s: `denest validate` lists them all)", more,
                        more == 1 ? "" : "s");
            }
        } else if (st == DN_ENOMEM) {
            sim_oom(err);
        } else {
            dn_error_set(err, st, NULL, NULL, "the parameter tree is not valid");
        }
    }
    dn_schema_errors_free(&errors);
    return st;
}

/* The four top-level subtrees, added empty when missing (deNEST does the same, §8.3). */
static dn_status complete_tree(dn_tree *t, dn_error *err)
{
    static const char *const kids[] = {"kernel", "simulation", "session_models", "network"};
    for (size_t i = 0; i < 4; i++)
        if (!dn_tree_child(t, kids[i])) {
            dn_status st = dn_tree_add_child(t, kids[i], NULL, err);
            if (st != DN_OK)
                return st;
        }
    return DN_OK;
}

/* output_dir / input_dir / sessions: overrides applied and written back into the tree (§6.2). */
static dn_status simulation_params(dn_sim *sim, const dn_sim_options *opt, dn_value **sessions,
                                   dn_error *err)
{
    dn_tree *node = dn_tree_child(sim->tree, "simulation");
    dn_value *sp = NULL;
    dn_status st = dn_schema_data(&dn_schema_simulation, DN_PARAMS, node, NULL, &sp, err);
    if (st != DN_OK)
        return st;
    const dn_value *ov = dn_value_map_get(sp, "output_dir");
    const dn_value *iv = dn_value_map_get(sp, "input_dir");
    const char *out = opt->output_dir ? opt->output_dir : dn_value_str(ov);
    const char *in = opt->input_dir ? opt->input_dir : dn_value_str(iv);
    if (!opt->output_dir && ov)
        sim->out_mark = ov->mark;
    sim->output_dir = sim_strdup(out ? out : "output");
    sim->input_dir = sim_strdup(in ? in : "input");
    sim->data_dir = sim->output_dir ? sim_join(sim->output_dir, "data") : NULL;
    *sessions = dn_value_copy(dn_value_map_get(sp, "sessions"));
    if (!*sessions)
        *sessions = dn_value_list();
    dn_value_free(sp);
    if (!sim->output_dir || !sim->input_dir || !sim->data_dir || !*sessions)
        return sim_oom(err);
    st = DN_OK;
    if (opt->output_dir)
        st = dn_tree_set_param(node, DN_PARAMS, "output_dir", dn_value_string(opt->output_dir));
    if (st == DN_OK && opt->input_dir)
        st = dn_tree_set_param(node, DN_PARAMS, "input_dir", dn_value_string(opt->input_dir));
    if (st == DN_OK && !dn_value_map_get(dn_tree_own(node, DN_PARAMS), "sessions"))
        st = dn_tree_set_param(node, DN_PARAMS, "sessions", dn_value_copy(*sessions));
    return st == DN_OK ? DN_OK : sim_oom(err);
}

/* Check every used session model's unit and synapse changes against the built network. */
static dn_status prepare_changes(dn_sim *sim, dn_error *err)
{
    for (size_t i = 0; i < sim->n_models; i++) {
        sim_model *m = &sim->models[i];
        static const char *const keys[] = {"unit_changes", "synapse_changes"};
        for (int k = 0; k < 2; k++) {
            const dn_value *list = dn_value_map_get(m->params, keys[k]);
            if (!dn_value_len(list))
                continue;
            const dn_tree *owner = NULL;
            dn_tree_find_param(m->leaf, DN_PARAMS, keys[k], &owner);
            char base[SIM_PATH_MAX];
            dn_tree_path(owner ? owner : m->leaf, "params", base, sizeof base);
            size_t n = strlen(base);
            sim_fmt(base + n, sizeof base - n, "/%s", keys[k]);
            dn_status st = k == 0 ? sim_unit_prepare(sim, m, list, base, err)
                                  : sim_syn_prepare(sim, m, list, base, err);
            if (st != DN_OK)
                return st;
        }
    }
    return DN_OK;
}

/* decisions.md: reset_network keeps the data recorders already wrote. NEST closes (and later
 * truncates) recorder files on ResetNetwork when close_on_reset is true; we keep them open. */
static dn_status keep_files_on_reset(dn_sim *sim, dn_error *err)
{
    dn_value *d = dn_value_map();
    if (!d || dn_value_map_set(d, "close_on_reset", dn_value_bool(false)) != DN_OK) {
        dn_value_free(d);
        return sim_oom(err);
    }
    dn_status st = DN_OK;
    for (size_t i = 0; i < dn_net_n_recorders(sim->net) && st == DN_OK; i++)
        st = dn_engine_set_status(sim->engine, dn_net_recorder_at(sim->net, i)->gid, d, err);
    dn_value_free(d);
    return st;
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < INT_MAX ? (int)n : 1;
}

dn_status dn_sim_create(const dn_tree *tree, const dn_sim_options *opt, dn_sim **out, dn_error *err)
{
    static const dn_sim_options no_options = {0};
    if (out)
        *out = NULL;
    if (!tree || !out)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "dn_sim_create needs a tree and *out");
    if (!opt)
        opt = &no_options;
    dn_log_info("simulation", "Initializing simulation...");
    dn_status st = validate(tree, err);
    if (st != DN_OK)
        return st;
    dn_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return sim_oom(err);
    sim->progress = opt->progress;
    sim->prog.tty = isatty(STDERR_FILENO) != 0;
    dn_value *sessions = NULL;
    sim->tree = dn_tree_copy(tree);
    if (!sim->tree) {
        st = sim_oom(err);
        goto fail;
    }
    if ((st = complete_tree(sim->tree, err)) != DN_OK)
        goto fail;
    if ((st = simulation_params(sim, opt, &sessions, err)) != DN_OK)
        goto fail;
    const dn_tree *kernel = dn_tree_child(sim->tree, "kernel");
    if ((st = sim_kernel_init(sim, kernel, err)) != DN_OK)
        goto fail;
    if (!opt->build_only && (st = sim_output_check(sim, err)) != DN_OK)
        goto fail;
    if ((st = sim_modules_load(sim, kernel, err)) != DN_OK)
        goto fail;
    if ((st = sim_sessions_build(sim, sim->tree, sessions, err)) != DN_OK)
        goto fail;
    dn_net_options nopt = {0};
    nopt.seed = (uint64_t)sim->nest_seed;
    nopt.threads = sim->n_vp < cpu_count() ? sim->n_vp : cpu_count();
    if ((st = dn_net_build(dn_tree_child(sim->tree, "network"), sim->engine, &nopt, &sim->net,
                           err)) != DN_OK)
        goto fail;
    if ((st = prepare_changes(sim, err)) != DN_OK)
        goto fail;
    if ((st = keep_files_on_reset(sim, err)) != DN_OK)
        goto fail;
    if (!opt->build_only && (st = sim_output_write(sim, err)) != DN_OK)
        goto fail;
    dn_value_free(sessions);
    dn_log_info("simulation", "Finished initializing simulation");
    *out = sim;
    return DN_OK;
fail:
    dn_value_free(sessions);
    dn_sim_free(sim);
    return st;
}

dn_status dn_sim_run_session(dn_sim *sim, size_t i, dn_error *err)
{
    if (!sim || i >= sim->n_sessions)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "there is no session %zu", i);
    if (sim->failed)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                            "an earlier session failed; the run cannot go on");
    if (i != sim->done)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "sessions run in order, each once: the next one is %zu, not %zu",
                            sim->done, i);
    dn_log_info("simulation", "Running session: '%s'...", sim->sessions[i].name);
    dn_status st = sim_session_run(sim, i, err);
    if (st != DN_OK) {
        sim->failed = true;
        return st;
    }
    sim->done++;
    dn_log_info("simulation", "Done running session '%s'", sim->sessions[i].name);
    return DN_OK;
}

dn_status dn_sim_run_all(dn_sim *sim, dn_error *err)
{
    if (!sim)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "dn_sim_run_all needs a simulation");
    dn_log_info("simulation", "Running %zu sessions...", sim->n_sessions - sim->done);
    while (sim->done < sim->n_sessions) {
        dn_status st = dn_sim_run_session(sim, sim->done, err);
        if (st != DN_OK)
            return st;
    }
    dn_log_info("simulation", "Finished running simulation");
    return DN_OK;
}

dn_status dn_sim_run(const dn_tree *tree, const dn_sim_options *opt, dn_error *err)
{
    dn_log_info("", "\n\n=== RUNNING SIMULATION ========================================"
                    "============\n");
    double t0 = sim_now();
    dn_sim *sim = NULL;
    dn_status st = dn_sim_create(tree, opt, &sim, err);
    if (st != DN_OK || !sim)
        return st != DN_OK ? st : DN_ENOMEM;
    dn_log_info("", "Running simulation...");
    st = dn_sim_run_all(sim, err);
    if (st == DN_OK) {
        char a[40], b[40];
        double total =
            sim->n_sessions ? sim->sessions[sim->n_sessions - 1].end - sim->sessions[0].start : 0.0;
        dn_log_info("", "Finished running simulation");
        dn_log_info("", "Total simulation virtual time: %s ms", sim_ms_text(total, a, sizeof a));
        dn_log_info("", "Total simulation real time: %s", sim_hms(sim_now() - t0, b, sizeof b));
        char *abs = realpath(sim->output_dir, NULL);
        dn_log_info("", "Simulation output written to: %s", abs ? abs : sim->output_dir);
        free(abs);
    }
    dn_sim_free(sim);
    return st;
}

void dn_sim_free(dn_sim *sim)
{
    if (!sim)
        return;
    dn_net_free(sim->net);
    dn_engine_free(sim->engine); /* closes recorder files before the modules go */
    sim_sessions_free(sim);
    sim_modules_unload(sim);
    dn_tree_free(sim->tree);
    free(sim->output_dir);
    free(sim->input_dir);
    free(sim->data_dir);
    free(sim);
}

size_t dn_sim_n_sessions(const dn_sim *sim)
{
    return sim ? sim->n_sessions : 0;
}

size_t dn_sim_n_done(const dn_sim *sim)
{
    return sim ? sim->done : 0;
}

bool dn_sim_session(const dn_sim *sim, size_t i, dn_sim_session_info *out)
{
    if (!sim || i >= sim->n_sessions)
        return false;
    if (out) {
        const sim_session *s = &sim->sessions[i];
        out->name = s->name;
        out->model = s->model->name;
        out->start = s->start;
        out->end = s->end;
        out->reset_network = s->model->reset_network;
        out->record = s->model->record;
        out->shift_origin = s->model->shift_origin;
        out->n_unit_changes = s->model->n_unit;
        out->n_synapse_changes = s->model->n_syn;
    }
    return true;
}

dn_engine *dn_sim_engine(dn_sim *sim)
{
    return sim ? sim->engine : NULL;
}

const dn_net *dn_sim_net(const dn_sim *sim)
{
    return sim ? sim->net : NULL;
}

const char *dn_sim_output_dir(const dn_sim *sim)
{
    return sim ? sim->output_dir : NULL;
}

const char *dn_sim_input_dir(const dn_sim *sim)
{
    return sim ? sim->input_dir : NULL;
}

const dn_tree *dn_sim_tree(const dn_sim *sim)
{
    return sim ? sim->tree : NULL;
}

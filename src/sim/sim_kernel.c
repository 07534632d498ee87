/* Kernel initialisation (deNEST spec §6.1): a fresh engine, the kernel subtree's nest_params as
 * kernel status, the master seed from params.nest_seed (with deNEST's derived grng_seed and
 * rng_seeds kept for the record), and the facts the rest of the run needs (grid, threads). */
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "denest/schema.h"
#include "sim/sim_internal.h"

/* Give an engine error about a kernel status key the path and mark of that key. */
static void locate(dn_error *err, const dn_tree *kernel, const dn_value *dict)
{
    if (!err || err->path[0])
        return;
    char path[SIM_PATH_MAX];
    for (size_t i = 0; i < dn_value_len(dict); i++) {
        const dn_map_entry *en = dn_value_map_at(dict, i);
        const char *key = dn_value_str(en->key);
        if (!key || !strstr(err->message, key))
            continue;
        const dn_tree *owner = NULL;
        dn_tree_find_param(kernel, DN_NEST_PARAMS, key, &owner);
        dn_tree_path(owner ? owner : kernel, "nest_params", path, sizeof path);
        sim_fmt(err->path, sizeof err->path, "%s/%s", path, key);
        if (!err->mark.file && en->value->mark.file)
            err->mark = en->value->mark;
        return;
    }
    dn_tree_path(kernel, "nest_params", err->path, sizeof err->path);
}

static bool get_int(const dn_value *status, const char *key, int64_t *out)
{
    const dn_value *v = dn_value_map_get(status, key);
    return v && dn_value_get_integral(v, out);
}

dn_status sim_kernel_init(dn_sim *sim, const dn_tree *kernel, dn_error *err)
{
    dn_value *params = NULL, *nest = NULL, *status = NULL, *seeds = NULL;
    dn_status st;
    dn_log_info("simulation", "Initializing NEST kernel and seeds...");
    dn_log_info("simulation", "  Resetting NEST kernel...");
    if ((st = dn_engine_new(&sim->engine, err)) != DN_OK)
        return st;
    if ((st = dn_schema_data(&dn_schema_kernel, DN_PARAMS, kernel, NULL, &params, err)) != DN_OK)
        goto out;
    if ((st = dn_schema_data(&dn_schema_kernel, DN_NEST_PARAMS, kernel, NULL, &nest, err)) != DN_OK)
        goto out;

    /* nest_seed: the master seed of every random stream (decisions.md: results do not depend
     * on the thread count, so one seed suffices). */
    const dn_value *seed_v = dn_value_map_get(params, "nest_seed");
    int64_t seed = 1;
    if (seed_v && (!dn_value_get_integral(seed_v, &seed) || seed < 0)) {
        char path[SIM_PATH_MAX];
        dn_tree_path(kernel, "params", path, sizeof path);
        strncat(path, "/nest_seed", sizeof path - strlen(path) - 1);
        st = dn_error_set(err, DN_EINPUT, sim_mark(seed_v), path,
                          "nest_seed must be a whole number >= 0");
        goto out;
    }
    sim->nest_seed = seed;

    if (dn_value_len(nest) > 0) {
        char *r = sim_repr(nest);
        dn_log_info("simulation", "Calling `nest.SetKernelStatus(%s)`", r);
        free(r);
    }
    if ((st = dn_engine_set_kernel_status(sim->engine, nest, err)) != DN_OK) {
        locate(err, kernel, nest);
        goto out;
    }

    /* deNEST §6.1 step 5: grng_seed = msd + n_vp, rng_seeds = msd + n_vp + 1 .. msd + 2 n_vp.
     * Kept as information; the engine's streams are keyed by the master seed. */
    int n_vp = dn_engine_num_threads(sim->engine);
    sim->n_vp = n_vp;
    dn_value *dict = dn_value_map();
    seeds = dn_value_list();
    if (!dict || !seeds) {
        dn_value_free(dict);
        st = sim_oom(err);
        goto out;
    }
    st = DN_OK;
    for (int k = 0; k < n_vp && st == DN_OK; k++)
        st = dn_value_list_append(seeds, dn_value_int(seed + n_vp + 1 + k));
    if (st == DN_OK)
        st = dn_value_map_set(dict, "grng_seed", dn_value_int(seed + n_vp));
    if (st == DN_OK) {
        st = dn_value_map_set(dict, "rng_seeds", seeds);
        seeds = NULL;
    }
    if (st == DN_OK)
        st = dn_value_map_set(dict, "rng_seed", dn_value_int(seed));
    if (st != DN_OK) {
        dn_value_free(dict);
        st = st == DN_ENOMEM ? sim_oom(err) : dn_error_set(err, st, NULL, NULL, "seeds");
        goto out;
    }
    dn_log_info("simulation",
                "Setting seeds: master seed nest_seed=%lld (deNEST's NEST seeds: grng_seed=%lld, "
                "rng_seeds=%lld..%lld)",
                (long long)seed, (long long)(seed + n_vp), (long long)(seed + n_vp + 1),
                (long long)(seed + 2 * n_vp));
    st = dn_engine_set_kernel_status(sim->engine, dict, err);
    dn_value_free(dict);
    if (st != DN_OK)
        goto out;

    if ((st = dn_engine_get_kernel_status(sim->engine, &status, err)) != DN_OK)
        goto out;
    const dn_value *v;
    sim->h = dn_engine_resolution(sim->engine);
    double tpm = 1000;
    if ((v = dn_value_map_get(status, "tics_per_ms")))
        dn_value_get_double(v, &tpm);
    sim->tics_per_ms = (int64_t)(tpm + 0.5);
    if (!get_int(status, "tics_per_step", &sim->tics_per_step) || sim->tics_per_step <= 0)
        sim->tics_per_step = (int64_t)(sim->h * (double)sim->tics_per_ms + 0.5);
    if (sim->tics_per_step <= 0 || sim->tics_per_ms <= 0) {
        st = dn_error_set(err, DN_ERUNTIME, NULL, NULL, "the kernel reports no time grid");
        goto out;
    }
    sim->overwrite_files = false;
    sim->print_time = false;
    if ((v = dn_value_map_get(status, "overwrite_files")))
        dn_value_get_bool(v, &sim->overwrite_files);
    if ((v = dn_value_map_get(status, "print_time")))
        dn_value_get_bool(v, &sim->print_time);
    if (sim->print_time && sim->progress)
        dn_engine_set_progress(sim->engine, sim_progress_cb, sim);
out:
    dn_value_free(params);
    dn_value_free(nest);
    dn_value_free(status);
    dn_value_free(seeds);
    return st;
}

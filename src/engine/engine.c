/* Engine lifetime and kernel status (kernel spec §1.2): resolution and tics, threads, output
 * paths, seeds, delay extrema, the clock. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/engine_impl.h"

static void set_defaults(dn_engine *e)
{
    e->tics_per_ms = 1000;
    e->tics_per_step = 100;
    e->h = 0.1;
    e->clock = 0;
    e->from_step = 0;
    e->md = 1;
    e->user_delays = false;
    e->have_delay = false;
    e->dmin = e->dmax = 1;
    e->simulated = false;
    e->slices_started = false;
    e->n_vp = 1;
    e->overwrite_files = false;
    e->print_time = false;
    e->seed = 143202461u;
    e->grng_seed = 0;
    e->next_gid = 1; /* the root */
    e->n_conns = 0;
    e->structure_dirty = true;
    e->reset_pending = false;
}

static dn_status set_rng_seeds_default(dn_engine *e)
{
    int64_t *s = malloc((size_t)e->n_vp * sizeof *s);
    if (!s)
        return DN_ENOMEM;
    for (int v = 0; v < e->n_vp; v++)
        s[v] = v + 1;
    free(e->rng_seeds);
    e->rng_seeds = s;
    return DN_OK;
}

static dn_status engine_init(dn_engine *e, dn_error *err)
{
    set_defaults(e);
    e->data_path = strdup("");
    e->data_prefix = strdup("");
    if (!e->data_path || !e->data_prefix || set_rng_seeds_default(e) != DN_OK)
        return dn_oom(err);
    if (dn_models_init(e, err) != DN_OK)
        return DN_ENOMEM;
    return dn_vps_alloc(e, err);
}

static void engine_clear(dn_engine *e)
{
    dn_pops_free(e);
    dn_vps_free(e);
    dn_models_free(e);
    free(e->data_path);
    free(e->data_prefix);
    free(e->rng_seeds);
    free(e->fname_scratch);
    e->data_path = e->data_prefix = NULL;
    e->rng_seeds = NULL;
    e->fname_scratch = NULL;
}

dn_status dn_engine_new(dn_engine **out, dn_error *err)
{
    *out = NULL;
    dn_engine *e = calloc(1, sizeof *e);
    if (!e)
        return dn_oom(err);
    dn_status st = engine_init(e, err);
    if (st != DN_OK) {
        engine_clear(e);
        free(e);
        return st;
    }
    *out = e;
    return DN_OK;
}

void dn_engine_free(dn_engine *e)
{
    if (!e)
        return;
    engine_clear(e);
    free(e->ext_models);
    free(e->ext_syn);
    free(e);
}

dn_status dn_engine_reset_kernel(dn_engine *e, dn_error *err)
{
    dn_progress_fn fn = e->progress;
    void *user = e->progress_user;
    engine_clear(e);
    dn_status st = engine_init(e, err);
    e->progress = fn;
    e->progress_user = user;
    return st;
}

/* ---- accessors ------------------------------------------------------------------------------ */

double dn_engine_resolution(const dn_engine *e)
{
    return e->h;
}
int64_t dn_engine_steps(const dn_engine *e)
{
    return e->clock + e->from_step;
}
double dn_engine_time(const dn_engine *e)
{
    return (double)dn_engine_steps(e) * e->h;
}
int dn_engine_num_threads(const dn_engine *e)
{
    return e->n_vp;
}
size_t dn_engine_network_size(const dn_engine *e)
{
    return e->next_gid;
}
size_t dn_engine_num_connections(const dn_engine *e)
{
    return e->n_conns;
}

static int64_t cur_min_delay(const dn_engine *e)
{
    if (e->simulated)
        return e->md;
    if (e->user_delays)
        return e->user_min;
    return e->have_delay ? e->dmin : 1;
}

static int64_t cur_max_delay(const dn_engine *e)
{
    if (e->user_delays)
        return e->user_max;
    return e->have_delay ? e->dmax : 1;
}

double dn_engine_min_delay(const dn_engine *e)
{
    return (double)cur_min_delay(e) * e->h;
}
double dn_engine_max_delay(const dn_engine *e)
{
    return (double)cur_max_delay(e) * e->h;
}

void dn_engine_set_progress(dn_engine *e, dn_progress_fn fn, void *user)
{
    e->progress = fn;
    e->progress_user = user;
}

/* NEST 2.20's print_time line (spec §1.8). */
void dn_engine_progress_print(void *user, int phase, int percent, double t_ms, double rtf)
{
    FILE *f = user ? user : stderr;
    if (phase == 2) {
        fputc('\n', f);
        fflush(f);
        return;
    }
    if (phase == 0)
        fputc('\n', f);
    fprintf(f, "\r%3d %%: network time: %.1f ms, realtime factor: %.4f", percent, t_ms, rtf);
    fflush(f);
}

/* ---- kernel status -------------------------------------------------------------------------- */

static const char *const kernel_keys[] = {
    "resolution", "tics_per_ms", "local_num_threads", "total_num_virtual_procs",
    "data_path",  "data_prefix", "overwrite_files",   "print_time",
    "min_delay",  "max_delay",   "rng_seed",          "grng_seed",
    "rng_seeds",  "time",        "biological_time",   "dict_miss_is_error",
};
static const char *const kernel_readonly[] = {
    "network_size", "num_connections", "num_processes", "ms_per_tic",       "tics_per_step",
    "to_do",        "T_min",           "T_max",         "off_grid_spiking",
};

static const dn_mark *vmark(const dn_value *v)
{
    return v && v->mark.file ? &v->mark : NULL;
}

static dn_status want_double(const dn_value *v, const char *key, double *out, dn_error *err)
{
    if (!dn_value_get_double(v, out) || !isfinite(*out))
        return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                            "kernel parameter '%s' must be a finite number, not a %s", key,
                            dn_value_kind(v));
    return DN_OK;
}

static dn_status want_int(const dn_value *v, const char *key, int64_t *out, dn_error *err)
{
    if (!dn_value_get_integral(v, out))
        return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                            "kernel parameter '%s' must be a whole number, not a %s", key,
                            dn_value_kind(v));
    return DN_OK;
}

static dn_status want_bool(const dn_value *v, const char *key, bool *out, dn_error *err)
{
    if (!dn_value_get_bool(v, out))
        return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                            "kernel parameter '%s' must be true or false, not a %s", key,
                            dn_value_kind(v));
    return DN_OK;
}

static bool has_nodes(const dn_engine *e)
{
    return e->next_gid > 1;
}

dn_status dn_engine_set_kernel_status(dn_engine *e, const dn_value *dict, dn_error *err)
{
    if (!dict)
        return DN_OK;
    if (dict->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, vmark(dict), NULL,
                            "kernel parameters must be a mapping, not a %s", dn_value_kind(dict));
    /* pass 1: validate every key; collect new values */
    const dn_value *v;
    dn_status st;
    size_t nk = sizeof kernel_keys / sizeof kernel_keys[0];
    size_t nro = sizeof kernel_readonly / sizeof kernel_readonly[0];
    for (size_t k = 0; k < dn_value_len(dict); k++) {
        const dn_map_entry *en = dn_value_map_at(dict, k);
        const char *key = dn_value_str(en->key);
        if (!key)
            return dn_error_set(err, DN_EINPUT, vmark(en->key), NULL,
                                "kernel parameter names must be strings");
        bool known = false;
        for (size_t j = 0; j < nk; j++)
            known |= strcmp(key, kernel_keys[j]) == 0;
        if (known)
            continue;
        for (size_t j = 0; j < nro; j++)
            if (strcmp(key, kernel_readonly[j]) == 0)
                return dn_error_set(err, DN_EINPUT, vmark(en->key), NULL,
                                    "kernel parameter '%s' is read-only", key);
        return dn_unknown_key_error(key, vmark(en->key), "the kernel", NULL, 0, kernel_keys,
                                    (int)nk, NULL, 0, err);
    }

    /* threads */
    int64_t threads = e->n_vp;
    if ((v = dn_value_map_get(dict, "local_num_threads")) ||
        (v = dn_value_map_get(dict, "total_num_virtual_procs"))) {
        if ((st = want_int(v, "local_num_threads", &threads, err)) != DN_OK)
            return st;
        if (threads < 1 || threads > 1024)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "local_num_threads must be between 1 and 1024 (got %lld)",
                                (long long)threads);
        if (threads != e->n_vp && (has_nodes(e) || e->simulated))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "local_num_threads cannot change after nodes were created or "
                                "the network was simulated; call ResetKernel first");
    }
    /* resolution */
    int64_t tpm = e->tics_per_ms, tps = e->tics_per_step;
    double res = e->h;
    bool res_set = false;
    if ((v = dn_value_map_get(dict, "tics_per_ms"))) {
        double x;
        if ((st = want_double(v, "tics_per_ms", &x, err)) != DN_OK)
            return st;
        if (!dn_value_map_get(dict, "resolution"))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "tics_per_ms can only be set together with resolution");
        if (x < 1 || x != floor(x) || x > 1e12)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "tics_per_ms must be a whole number >= 1 (got %g)", x);
        tpm = (int64_t)x;
    }
    if ((v = dn_value_map_get(dict, "resolution"))) {
        if ((st = want_double(v, "resolution", &res, err)) != DN_OK)
            return st;
        double t = res * (double)tpm;
        int64_t ti = (int64_t)floor(t + 0.5);
        if (res <= 0 || ti < 1)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "resolution must be at least one tic (%g ms), got %g ms",
                                1.0 / (double)tpm, res);
        if (fabs(t - (double)ti) > 1e-6 * fmax(1.0, t))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "resolution %g ms is not a multiple of the tic length %g ms", res,
                                1.0 / (double)tpm);
        tps = ti;
        res_set = tps != e->tics_per_step || tpm != e->tics_per_ms;
        if (res_set && (has_nodes(e) || e->simulated || e->n_conns))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "the resolution cannot change after nodes were created or the "
                                "network was simulated; call ResetKernel first");
    }
    double h_new = (double)tps / (double)tpm;
    /* io */
    const char *path = NULL, *prefix = NULL;
    if ((v = dn_value_map_get(dict, "data_path"))) {
        if (!dn_value_get_string(v, &path))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "data_path must be a string, not a %s", dn_value_kind(v));
        struct stat sb;
        if (*path && (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "data_path '%s' is not an existing directory; create it first",
                                path);
    }
    if ((v = dn_value_map_get(dict, "data_prefix"))) {
        if (!dn_value_get_string(v, &prefix))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "data_prefix must be a string, not a %s", dn_value_kind(v));
        if (strchr(prefix, '/'))
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "data_prefix '%s' must not contain '/'; use data_path for "
                                "directories",
                                prefix);
    }
    bool overwrite = e->overwrite_files, print_time = e->print_time, dummy;
    if ((v = dn_value_map_get(dict, "overwrite_files")) &&
        (st = want_bool(v, "overwrite_files", &overwrite, err)) != DN_OK)
        return st;
    if ((v = dn_value_map_get(dict, "print_time")) &&
        (st = want_bool(v, "print_time", &print_time, err)) != DN_OK)
        return st;
    if ((v = dn_value_map_get(dict, "dict_miss_is_error")) &&
        (st = want_bool(v, "dict_miss_is_error", &dummy, err)) != DN_OK)
        return st;
    /* rng */
    int64_t seed = (int64_t)e->seed, gseed = e->grng_seed;
    bool seed_set = false;
    if ((v = dn_value_map_get(dict, "grng_seed"))) {
        if ((st = want_int(v, "grng_seed", &gseed, err)) != DN_OK)
            return st;
        if (gseed < 0)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL, "grng_seed must be >= 0");
        /* reported only: NEST's per-VP seeds depend on the thread count, ours must not */
    }
    if ((v = dn_value_map_get(dict, "rng_seed"))) {
        if ((st = want_int(v, "rng_seed", &seed, err)) != DN_OK)
            return st;
        if (seed < 0)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL, "rng_seed must be >= 0");
        seed_set = true;
    }
    const dn_value *seeds = dn_value_map_get(dict, "rng_seeds");
    if (seeds) {
        if (seeds->type != DN_VALUE_LIST || dn_value_len(seeds) != (size_t)threads)
            return dn_error_set(err, DN_EINPUT, vmark(seeds), NULL,
                                "rng_seeds must be a list of %lld whole numbers (one per "
                                "virtual process)",
                                (long long)threads);
        for (size_t k = 0; k < dn_value_len(seeds); k++) {
            int64_t x;
            if ((st = want_int(dn_value_list_at(seeds, k), "rng_seeds", &x, err)) != DN_OK)
                return st;
        }
    }
    /* time */
    if ((v = dn_value_map_get(dict, "biological_time")) || (v = dn_value_map_get(dict, "time"))) {
        double t;
        if ((st = want_double(v, "time", &t, err)) != DN_OK)
            return st;
        if (t != 0.0)
            return dn_error_set(err, DN_EINPUT, vmark(v), NULL,
                                "the simulation time can only be set to 0.0 (got %g)", t);
    }
    /* delays: both, before any connection; min rounded down, max up (spec §1.3) */
    const dn_value *vmin = dn_value_map_get(dict, "min_delay");
    const dn_value *vmax = dn_value_map_get(dict, "max_delay");
    int64_t umin = 0, umax = 0;
    if (vmin || vmax) {
        double a, b;
        if (!vmin || !vmax)
            return dn_error_set(err, DN_EINPUT, vmark(vmin ? vmin : vmax), NULL,
                                "min_delay and max_delay must be set together");
        if ((st = want_double(vmin, "min_delay", &a, err)) != DN_OK ||
            (st = want_double(vmax, "max_delay", &b, err)) != DN_OK)
            return st;
        if (e->n_conns || e->simulated)
            return dn_error_set(err, DN_EINPUT, vmark(vmin), NULL,
                                "min_delay and max_delay can only be set before any "
                                "connection is created");
        double spm = 1.0 / h_new;
        umin = (int64_t)floor(a * spm + 1e-9);
        umax = (int64_t)ceil(b * spm - 1e-9);
        if (umin < 1 || umax < umin)
            return dn_error_set(err, DN_EINPUT, vmark(vmin), NULL,
                                "need resolution <= min_delay <= max_delay (got %g, %g ms)", a, b);
    }

    /* pass 2: apply (only allocation can fail from here on) */
    if (path || prefix) {
        char *np = path ? strdup(path) : NULL, *nx = prefix ? strdup(prefix) : NULL;
        if ((path && !np) || (prefix && !nx)) {
            free(np);
            free(nx);
            return dn_oom(err);
        }
        if (np) {
            free(e->data_path);
            e->data_path = np;
        }
        if (nx) {
            free(e->data_prefix);
            e->data_prefix = nx;
        }
    }
    e->overwrite_files = overwrite;
    e->print_time = print_time;
    if (threads != e->n_vp) {
        dn_vps_free(e);
        e->n_vp = (int)threads;
        if (set_rng_seeds_default(e) != DN_OK || dn_vps_alloc(e, err) != DN_OK)
            return dn_oom(err);
    }
    if (seed_set)
        e->seed = (uint64_t)seed;
    if ((v = dn_value_map_get(dict, "grng_seed")))
        e->grng_seed = gseed;
    if (seeds)
        for (size_t k = 0; k < dn_value_len(seeds); k++)
            dn_value_get_integral(dn_value_list_at(seeds, k), &e->rng_seeds[k]);
    if (res_set || dn_value_map_get(dict, "resolution")) {
        e->tics_per_ms = tpm;
        e->tics_per_step = tps;
        e->h = h_new;
    }
    if (vmin) {
        e->user_delays = true;
        e->user_min = umin;
        e->user_max = umax;
    }
    if (dn_value_map_get(dict, "biological_time") || dn_value_map_get(dict, "time")) {
        /* spec §1.7: clock to 0, pending exchange spikes dropped; buffers untouched */
        e->clock = 0;
        e->from_step = 0;
        for (int vp = 0; vp < e->n_vp; vp++)
            e->vps[vp].nsl[0] = e->vps[vp].nsl[1] = e->vps[vp].det_done = 0;
    }
    return DN_OK;
}

dn_status dn_engine_get_kernel_status(dn_engine *e, dn_value **out, dn_error *err)
{
    dn_value *m = dn_value_map();
    *out = NULL;
    if (!m)
        return dn_oom(err);
    double t = dn_engine_time(e);
    dn_status st = DN_OK;
    st |= dn_put_double(m, "resolution", e->h);
    st |= dn_put_double(m, "tics_per_ms", (double)e->tics_per_ms);
    st |= dn_put_int(m, "tics_per_step", e->tics_per_step);
    st |= dn_put_double(m, "ms_per_tic", 1.0 / (double)e->tics_per_ms);
    st |= dn_put_int(m, "local_num_threads", e->n_vp);
    st |= dn_put_int(m, "total_num_virtual_procs", e->n_vp);
    st |= dn_put_int(m, "num_processes", 1);
    st |= dn_put_string(m, "data_path", e->data_path);
    st |= dn_put_string(m, "data_prefix", e->data_prefix);
    st |= dn_put_bool(m, "overwrite_files", e->overwrite_files);
    st |= dn_put_bool(m, "print_time", e->print_time);
    st |= dn_put_double(m, "time", t);
    st |= dn_put_double(m, "biological_time", t);
    st |= dn_put_double(m, "min_delay", dn_engine_min_delay(e));
    st |= dn_put_double(m, "max_delay", dn_engine_max_delay(e));
    st |= dn_put_int(m, "network_size", (int64_t)e->next_gid);
    st |= dn_put_int(m, "num_connections", (int64_t)e->n_conns);
    st |= dn_put_int(m, "rng_seed", (int64_t)e->seed);
    st |= dn_put_int(m, "grng_seed", e->grng_seed);
    st |= dn_put_bool(m, "off_grid_spiking", false);
    st |= dn_put_bool(m, "dict_miss_is_error", true);
    st |= dn_put_int(m, "to_do", 0);
    if (st == DN_OK) {
        dn_value *l = dn_value_list();
        if (!l)
            st = DN_ENOMEM;
        for (int v = 0; l && v < e->n_vp && st == DN_OK; v++)
            st = dn_value_list_append(l, dn_value_int(e->rng_seeds[v]));
        if (st == DN_OK)
            st = dn_value_map_set(m, "rng_seeds", l);
        else
            dn_value_free(l);
    }
    if (st != DN_OK) {
        dn_value_free(m);
        return dn_oom(err);
    }
    *out = m;
    return DN_OK;
}

/* spike_generator: emits the spikes listed in spike_times (relative to origin), with optional
 * weights and multiplicities (kernel spec §4.1). Times on the grid (or rounded up with
 * allow_offgrid_times); precise_times is refused. Past times are skipped silently. */
#include <stdlib.h>
#include <string.h>

#include "models/device.h"

enum { C_PRECISE = DV_END, C_OFFGRID, C_SHIFT, N_COLS };

static const dn_column cols[N_COLS] = {
    DN_DEVICE_COLUMNS,
    [C_PRECISE] = {"precise_times", DN_COL_I32, DN_ROLE_PARAM, 0},
    [C_OFFGRID] = {"allow_offgrid_times", DN_COL_I32, DN_ROLE_PARAM, 0},
    [C_SHIFT] = {"shift_now_spikes", DN_COL_I32, DN_ROLE_PARAM, 0},
};

enum { F_PRECISE = 3, F_OFFGRID, F_SHIFT };

static const dn_field fields[] = {
    DN_DEVICE_FIELDS,
    {"precise_times", "", DN_FT_BOOL, C_PRECISE, DN_ANY, 0, 0, 0,
     "off-grid spike times (not supported)"},
    {"allow_offgrid_times", "", DN_FT_BOOL, C_OFFGRID, DN_ANY, 0, 0, 0,
     "round off-grid spike times up to the grid"},
    {"shift_now_spikes", "", DN_FT_BOOL, C_SHIFT, DN_ANY, 0, 0, 0,
     "shift a spike at the current time one step later"},
};

static const char *const extra[] = {"spike_times", "spike_weights", "spike_multiplicities",
                                    "allow_offgrid_spikes"};

typedef struct sg {
    size_t n;
    int64_t *steps;  /* spike stamps relative to origin, steps */
    double *weights; /* NULL or n */
    long *mults;     /* NULL or n */
    size_t nweights, nmults;
    size_t pos; /* read position */
} sg;

static dn_status obj_init(void *o)
{
    memset(o, 0, sizeof(sg));
    return DN_OK;
}

static void obj_free(void *o)
{
    sg *g = o;
    free(g->steps);
    free(g->weights);
    free(g->mults);
}

static dn_status obj_copy(void *dst, const void *src)
{
    const sg *s = src;
    sg *d = dst;
    memset(d, 0, sizeof *d);
    d->n = s->n;
    d->nweights = s->nweights;
    d->nmults = s->nmults;
    d->steps = malloc((s->n + 1) * sizeof *d->steps);
    d->weights = malloc((s->nweights + 1) * sizeof *d->weights);
    d->mults = malloc((s->nmults + 1) * sizeof *d->mults);
    if (!d->steps || !d->weights || !d->mults) {
        obj_free(d);
        memset(d, 0, sizeof *d);
        return DN_ENOMEM;
    }
    if (s->n)
        memcpy(d->steps, s->steps, s->n * sizeof *d->steps);
    if (s->nweights)
        memcpy(d->weights, s->weights, s->nweights * sizeof *d->weights);
    if (s->nmults)
        memcpy(d->mults, s->mults, s->nmults * sizeof *d->mults);
    return DN_OK;
}

static const dn_mark *vm(const dn_value *v)
{
    return v && v->mark.file ? &v->mark : NULL;
}

/* spec §4.1: ms -> nearest tic; on the grid, or rounded up when allowed */
static dn_status convert(const dn_value *list, bool offgrid, const dn_calib *c, int64_t **out,
                         dn_error *err)
{
    size_t n = dn_value_len(list);
    int64_t *st = malloc((n + 1) * sizeof *st);
    if (!st)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    for (size_t k = 0; k < n; k++) {
        const dn_value *v = dn_value_list_at(list, k);
        double t;
        if (!dn_value_get_double(v, &t) || !isfinite(t)) {
            free(st);
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "spike_times must be a list of numbers (ms)");
        }
        if (t <= 0) {
            free(st);
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "spike time %g ms: spike times must be > 0", t);
        }
        int64_t tics = (int64_t)floor(t * (double)c->tics_per_ms + 0.5);
        if (tics % c->tics_per_step == 0)
            st[k] = tics / c->tics_per_step;
        else if (offgrid)
            st[k] = tics / c->tics_per_step + 1;
        else {
            free(st);
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "spike time %g ms is not a multiple of the resolution %g ms "
                                "(set allow_offgrid_times: true to round it up)",
                                t, c->h);
        }
        if (k > 0 && st[k] < st[k - 1]) {
            free(st);
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "spike_times must be sorted in non-decreasing order");
        }
    }
    *out = st;
    return DN_OK;
}

static dn_status set_extra(dn_block *b, size_t i, const dn_value *dict, const double *rec,
                           bool commit, const dn_calib *c, dn_error *err)
{
    sg *g = dn_block_obj(b, i);
    const dn_value *t = dn_value_map_get(dict, "spike_times");
    const dn_value *w = dn_value_map_get(dict, "spike_weights");
    const dn_value *m = dn_value_map_get(dict, "spike_multiplicities");
    const dn_value *a = dn_value_map_get(dict, "allow_offgrid_spikes");
    bool offgrid = rec[F_OFFGRID] != 0;
    if (a) {
        bool x;
        if (!dn_value_get_bool(a, &x))
            return dn_error_set(err, DN_EINPUT, vm(a), NULL,
                                "allow_offgrid_spikes must be true or false");
        offgrid = offgrid || x;
        if (commit)
            dn_col_i32(b, C_OFFGRID)[i] = offgrid;
    }
    for (const dn_value *const *p = (const dn_value *const[]){t, w, m}, *const *e = p + 3; p < e;
         p++)
        if (*p && (*p)->type != DN_VALUE_LIST)
            return dn_error_set(err, DN_EINPUT, vm(*p), NULL,
                                "spike_times, spike_weights and spike_multiplicities must be "
                                "lists");
    size_t nt = t ? dn_value_len(t) : g->n;
    if (w && dn_value_len(w) != 0 && dn_value_len(w) != nt)
        return dn_error_set(err, DN_EINPUT, vm(w), NULL,
                            "spike_weights must be empty or as long as spike_times (%zu)", nt);
    if (m && dn_value_len(m) != 0 && dn_value_len(m) != nt)
        return dn_error_set(err, DN_EINPUT, vm(m), NULL,
                            "spike_multiplicities must be empty or as long as spike_times (%zu)",
                            nt);
    if (t && !w && g->nweights && g->nweights != nt)
        return dn_error_set(err, DN_EINPUT, vm(t), NULL,
                            "spike_times and spike_weights must have the same length");
    int64_t *steps = NULL;
    if (t) {
        dn_status st = convert(t, offgrid, c, &steps, err);
        if (st != DN_OK)
            return st;
    }
    double *wv = NULL;
    long *mv = NULL;
    if (w) {
        wv = malloc((dn_value_len(w) + 1) * sizeof *wv);
        for (size_t k = 0; wv && k < dn_value_len(w); k++)
            if (!dn_value_get_double(dn_value_list_at(w, k), &wv[k])) {
                free(wv);
                free(steps);
                return dn_error_set(err, DN_EINPUT, vm(dn_value_list_at(w, k)), NULL,
                                    "spike_weights must be numbers");
            }
    }
    if (m) {
        mv = malloc((dn_value_len(m) + 1) * sizeof *mv);
        for (size_t k = 0; mv && k < dn_value_len(m); k++) {
            int64_t x;
            if (!dn_value_get_integral(dn_value_list_at(m, k), &x) || x < 0) {
                free(wv);
                free(mv);
                free(steps);
                return dn_error_set(err, DN_EINPUT, vm(dn_value_list_at(m, k)), NULL,
                                    "spike_multiplicities must be whole numbers >= 0");
            }
            mv[k] = (long)x;
        }
    }
    if ((w && !wv) || (m && !mv) || !commit) {
        free(steps);
        free(wv);
        free(mv);
        return (w && !wv) || (m && !mv) ? dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory")
                                        : DN_OK;
    }
    if (t) {
        free(g->steps);
        g->steps = steps;
        g->n = nt;
    }
    if (w) {
        free(g->weights);
        g->weights = wv;
        g->nweights = dn_value_len(w);
    }
    if (m) {
        free(g->mults);
        g->mults = mv;
        g->nmults = dn_value_len(m);
    }
    g->pos = 0; /* spec §4.1: setting the lists resets the read position */
    return DN_OK;
}

static dn_value *list_of(size_t n, const double *d, const long *l)
{
    dn_value *v = dn_value_list();
    for (size_t k = 0; v && k < n; k++)
        if (dn_value_list_append(v, d ? dn_value_double(d[k]) : dn_value_int(l[k])) != DN_OK) {
            dn_value_free(v);
            return NULL;
        }
    return v;
}

static dn_status get_extra(const dn_block *b, size_t i, dn_value *out, const dn_calib *c)
{
    const sg *g = dn_block_obj(b, i);
    double *t = malloc((g->n + 1) * sizeof *t);
    if (!t)
        return DN_ENOMEM;
    for (size_t k = 0; k < g->n; k++)
        t[k] = (double)(g->steps[k] * c->tics_per_step) / (double)c->tics_per_ms;
    dn_value *vt = list_of(g->n, t, NULL);
    free(t);
    dn_value *vw = list_of(g->nweights, g->weights, NULL);
    dn_value *vmu = list_of(g->nmults, NULL, g->mults);
    if (!vt || !vw || !vmu) {
        dn_value_free(vt);
        dn_value_free(vw);
        dn_value_free(vmu);
        return DN_ENOMEM;
    }
    if (dn_value_map_set(out, "spike_times", vt) || dn_value_map_set(out, "spike_weights", vw) ||
        dn_value_map_set(out, "spike_multiplicities", vmu) ||
        dn_value_map_set(out, "allow_offgrid_spikes",
                         dn_value_bool(dn_col_i32(b, C_OFFGRID)[i] != 0)))
        return DN_ENOMEM;
    return DN_OK;
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    if (rec[F_PRECISE] != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "spike_generator: precise_times is not supported (grid-based "
                            "models only); use allow_offgrid_times to round times up");
    /* setting origin replays the list relative to the new origin (spec §1.10) */
    if (changed[0])
        ((sg *)dn_block_obj(b, i))->pos = 0;
    return dn_device_check_window(rec, "spike_generator", err);
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)err;
    dn_device_window_calibrate(b, c);
    return DN_OK;
}

static void reset(dn_block *b)
{
    for (size_t i = 0; i < b->n; i++)
        ((sg *)dn_block_obj(b, i))->pos = 0;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    const double *org = dn_col_f64(b, DV_ORIGIN), *tmin = dn_col_f64(b, DV_TMIN),
                 *tmax = dn_col_f64(b, DV_TMAX);
    for (size_t i = first; i < last; i++) {
        sg *g = dn_block_obj(b, i);
        int64_t o = (int64_t)floor(org[i] / s->h + 0.5);
        int64_t lo = s->origin + s->from, hi = s->origin + s->to;
        while (g->pos < g->n) {
            int64_t stamp = o + g->steps[g->pos];
            if (stamp > hi)
                break;
            if (stamp > lo && (double)stamp > tmin[i] && (double)stamp <= tmax[i]) {
                long m = g->nmults ? g->mults[g->pos] : 1;
                double w = g->nweights ? g->weights[g->pos] : 1.0;
                if (m > 0)
                    dn_device_send(b, s, i, (int)(stamp - s->origin - 1), DN_EV_SPIKE,
                                   w * (double)m, (uint32_t)m);
            }
            g->pos++;
        }
    }
    return DN_OK;
}

const dn_model dn_model_spike_generator = {
    .name = "spike_generator",
    .element_type = DN_ELEM_STIMULATOR,
    .flags = DN_MODEL_EMITS,
    .doc = "emits spikes at listed times",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .extra_keys = extra,
    .n_extra_keys = 4,
    .obj_size = sizeof(sg),
    .obj_init = obj_init,
    .obj_copy = obj_copy,
    .obj_free = obj_free,
    .set_extra = set_extra,
    .get_extra = get_extra,
    .apply = apply,
    .calibrate = calibrate,
    .update = update,
    .reset = reset,
};

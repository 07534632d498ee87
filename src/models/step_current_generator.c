/* step_current_generator: a piecewise constant current (kernel spec §4.4). The value of
 * amplitude_times[k] is sent in the step whose right end is that time ("one step ahead"), and
 * delivery follows the current-generator contract of spec §1.6. */
#include <stdlib.h>
#include <string.h>

#include "models/device.h"

enum { C_OFFGRID = DV_END, C_I, N_COLS };

static const dn_column cols[N_COLS] = {
    DN_DEVICE_COLUMNS,
    [C_OFFGRID] = {"allow_offgrid_times", DN_COL_I32, DN_ROLE_PARAM, 0},
    [C_I] = {"I", DN_COL_F64, DN_ROLE_STATE, 0.0},
};

enum { F_OFFGRID = 3 };

static const dn_field fields[] = {
    DN_DEVICE_FIELDS,
    {"allow_offgrid_times", "", DN_FT_BOOL, C_OFFGRID, DN_ANY, 0, 0, 0,
     "round off-grid amplitude times up to the grid"},
};

static const char *const extra[] = {"amplitude_times", "amplitude_values"};
static const dn_recordable recordables[] = {{"I", C_I}};

typedef struct scg {
    size_t n;
    int64_t *steps; /* right-end steps of the switching times */
    double *values;
    size_t pos;
    double amp;
} scg;

static dn_status obj_init(void *o)
{
    memset(o, 0, sizeof(scg));
    return DN_OK;
}

static void obj_free(void *o)
{
    scg *g = o;
    free(g->steps);
    free(g->values);
}

static dn_status obj_copy(void *dst, const void *src)
{
    const scg *s = src;
    scg *d = dst;
    *d = *s;
    d->steps = malloc((s->n + 1) * sizeof *d->steps);
    d->values = malloc((s->n + 1) * sizeof *d->values);
    if (!d->steps || !d->values) {
        obj_free(d);
        memset(d, 0, sizeof *d);
        return DN_ENOMEM;
    }
    if (s->n) {
        memcpy(d->steps, s->steps, s->n * sizeof *d->steps);
        memcpy(d->values, s->values, s->n * sizeof *d->values);
    }
    return DN_OK;
}

static const dn_mark *vm(const dn_value *v)
{
    return v && v->mark.file ? &v->mark : NULL;
}

static dn_status set_extra(dn_block *b, size_t i, const dn_value *dict, const double *rec,
                           bool commit, const dn_calib *c, dn_error *err)
{
    scg *g = dn_block_obj(b, i);
    const dn_value *t = dn_value_map_get(dict, "amplitude_times");
    const dn_value *v = dn_value_map_get(dict, "amplitude_values");
    if (!t || !v)
        return dn_error_set(err, DN_EINPUT, vm(t ? t : v), NULL,
                            "amplitude_times and amplitude_values must be set together");
    if (t->type != DN_VALUE_LIST || v->type != DN_VALUE_LIST || dn_value_len(t) != dn_value_len(v))
        return dn_error_set(err, DN_EINPUT, vm(t), NULL,
                            "amplitude_times and amplitude_values must be lists of equal length");
    size_t n = dn_value_len(t);
    int64_t *st = malloc((n + 1) * sizeof *st);
    double *va = malloc((n + 1) * sizeof *va);
    if (!st || !va) {
        free(st);
        free(va);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    for (size_t k = 0; k < n; k++) {
        double x;
        const dn_value *e = dn_value_list_at(t, k);
        if (!dn_value_get_double(e, &x) || !(x > 0) || !isfinite(x) ||
            !dn_value_get_double(dn_value_list_at(v, k), &va[k])) {
            free(st);
            free(va);
            return dn_error_set(err, DN_EINPUT, vm(e), NULL,
                                "amplitude_times must be numbers > 0 and amplitude_values "
                                "numbers");
        }
        int64_t tics = (int64_t)floor(x * (double)c->tics_per_ms + 0.5);
        if (tics % c->tics_per_step == 0)
            st[k] = tics / c->tics_per_step;
        else if (rec[F_OFFGRID] != 0)
            st[k] = tics / c->tics_per_step + 1;
        else {
            free(st);
            free(va);
            return dn_error_set(err, DN_EINPUT, vm(e), NULL,
                                "amplitude time %g ms is not a multiple of the resolution %g ms", x,
                                c->h);
        }
        if (k > 0 && st[k] <= st[k - 1]) {
            free(st);
            free(va);
            return dn_error_set(err, DN_EINPUT, vm(e), NULL,
                                "amplitude_times must be strictly increasing");
        }
    }
    if (!commit) {
        free(st);
        free(va);
        return DN_OK;
    }
    obj_free(g);
    g->steps = st;
    g->values = va;
    g->n = n;
    g->pos = 0;
    g->amp = 0;
    return DN_OK;
}

static dn_status get_extra(const dn_block *b, size_t i, dn_value *out, const dn_calib *c)
{
    const scg *g = dn_block_obj(b, i);
    dn_value *t = dn_value_list(), *v = dn_value_list();
    dn_status st = t && v ? DN_OK : DN_ENOMEM;
    for (size_t k = 0; k < g->n && st == DN_OK; k++) {
        st = dn_value_list_append(
            t, dn_value_double((double)(g->steps[k] * c->tics_per_step) / (double)c->tics_per_ms));
        if (st == DN_OK)
            st = dn_value_list_append(v, dn_value_double(g->values[k]));
    }
    if (st != DN_OK) {
        dn_value_free(t);
        dn_value_free(v);
        return DN_ENOMEM;
    }
    if (dn_value_map_set(out, "amplitude_times", t) != DN_OK) {
        dn_value_free(v);
        return DN_ENOMEM;
    }
    return dn_value_map_set(out, "amplitude_values", v);
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    (void)b;
    (void)i;
    (void)changed;
    return dn_device_check_window(rec, "step_current_generator", err);
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)err;
    dn_device_window_calibrate(b, c);
    return DN_OK;
}

static void reset(dn_block *b)
{
    for (size_t i = 0; i < b->n; i++) {
        scg *g = dn_block_obj(b, i);
        g->pos = 0;
        g->amp = 0;
    }
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    const double *tmin = dn_col_f64(b, DV_TMIN), *tmax = dn_col_f64(b, DV_TMAX);
    double *I = dn_col_f64(b, C_I);
    for (size_t i = first; i < last; i++) {
        scg *g = dn_block_obj(b, i);
        for (int lag = s->from; lag < s->to; lag++) {
            int64_t n1 = s->origin + lag + 1;
            /* the value whose time is the right end of this step takes effect now */
            while (g->pos < g->n && g->steps[g->pos] <= n1)
                g->amp = g->values[g->pos++];
            if (tmin[i] <= (double)n1 && (double)n1 < tmax[i]) {
                I[i] = g->amp;
                dn_device_send(b, s, i, lag, DN_EV_CURRENT, g->amp, 1);
            } else {
                I[i] = 0;
            }
            dn_sample(b, s, i, lag);
        }
    }
    return DN_OK;
}

const dn_model dn_model_step_current_generator = {
    .name = "step_current_generator",
    .element_type = DN_ELEM_STIMULATOR,
    .flags = DN_MODEL_CURRENT,
    .doc = "piecewise constant current",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .extra_keys = extra,
    .n_extra_keys = 2,
    .recordables = recordables,
    .n_recordables = 1,
    .obj_size = sizeof(scg),
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

/* dc_generator: a constant current while active (kernel spec §4.3); the membrane integrates it
 * during (origin+start+d, origin+stop+d] (spec §1.6, §1.10). */
#include "models/device.h"

enum { C_AMP = DV_END, C_I, N_COLS };

static const dn_column cols[N_COLS] = {
    DN_DEVICE_COLUMNS,
    [C_AMP] = {"amplitude", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_I] = {"I", DN_COL_F64, DN_ROLE_STATE, 0.0},
};

static const dn_field fields[] = {
    DN_DEVICE_FIELDS,
    {"amplitude", "pA", DN_FT_DOUBLE, C_AMP, DN_ANY, 0, 0, 0, "current amplitude"},
};

static const dn_recordable recordables[] = {{"I", C_I}};

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    (void)b;
    (void)i;
    (void)changed;
    return dn_device_check_window(rec, "dc_generator", err);
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)err;
    dn_device_window_calibrate(b, c);
    return DN_OK;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    double *amp = dn_col_f64(b, C_AMP), *I = dn_col_f64(b, C_I);
    const double *tmin = dn_col_f64(b, DV_TMIN), *tmax = dn_col_f64(b, DV_TMAX);
    for (size_t i = first; i < last; i++)
        for (int lag = s->from; lag < s->to; lag++) {
            double n1 = (double)(s->origin + lag + 1);
            /* spec §1.10: sends in step n iff t_min <= n+1 < t_max */
            if (tmin[i] <= n1 && n1 < tmax[i]) {
                I[i] = amp[i];
                dn_device_send(b, s, i, lag, DN_EV_CURRENT, amp[i], 1);
            } else {
                I[i] = 0.0;
            }
            dn_sample(b, s, i, lag);
        }
    return DN_OK;
}

const dn_model dn_model_dc_generator = {
    .name = "dc_generator",
    .element_type = DN_ELEM_STIMULATOR,
    .flags = DN_MODEL_CURRENT,
    .doc = "constant current generator",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .recordables = recordables,
    .n_recordables = 1,
    .apply = apply,
    .calibrate = calibrate,
    .update = update,
};

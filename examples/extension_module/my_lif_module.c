/* An example extension module: `my_lif`, a leaky integrate-and-fire neuron with delta synapses
 * (each input spike makes V_m jump by its weight in mV) and a constant current I_e, registered
 * through include/denest/module.h. Load it with `extension_modules: [my_lif_module]`.
 *
 *   V_m(t + h) = E_L + (V_m(t) - E_L) P + (I_e + I) tau_m / C_m (1 - P) + sum of weights,
 *   P = exp(-h / tau_m); at V_m >= V_th: spike, V_m = V_reset, refractory for t_ref.
 *
 * Build (no deNEST library is linked: the engine calls resolve in the `denest` program):
 *   cc -std=c17 -O2 -shared -fPIC -I<deNEST-C>/include my_lif_module.c -o libmy_lif_module.so */
#include <math.h>

#include "denest/module.h"

DN_MODULE_ABI_DEFINE

/* Columns: one array per parameter / state variable over the nodes of a block (model.h). */
enum {
    C_E_L,
    C_TAU_M,
    C_C_M,
    C_V_TH,
    C_V_RESET,
    C_I_E,
    C_T_REF,
    C_V_M,
    C_I_STIM,
    C_R,
    C_P,
    C_REF_STEPS,
    N_COLS
};

static const dn_column cols[N_COLS] = {
    [C_E_L] = {"E_L", DN_COL_F64, DN_ROLE_PARAM, -70.0},
    [C_TAU_M] = {"tau_m", DN_COL_F64, DN_ROLE_PARAM, 10.0},
    [C_C_M] = {"C_m", DN_COL_F64, DN_ROLE_PARAM, 250.0},
    [C_V_TH] = {"V_th", DN_COL_F64, DN_ROLE_PARAM, -55.0},
    [C_V_RESET] = {"V_reset", DN_COL_F64, DN_ROLE_PARAM, -70.0},
    [C_I_E] = {"I_e", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_T_REF] = {"t_ref", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_V_M] = {"V_m", DN_COL_F64, DN_ROLE_STATE, -70.0},
    [C_I_STIM] = {"I_stim", DN_COL_F64, DN_ROLE_BUFFER, 0.0},
    [C_R] = {"r", DN_COL_I32, DN_ROLE_STATE, 0},
    [C_P] = {"P", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_REF_STEPS] = {"ref_steps", DN_COL_I32, DN_ROLE_INTERNAL, 0},
};

static const dn_field fields[] = {
    {"E_L", "mV", DN_FT_DOUBLE, C_E_L, DN_ANY, 0, 0, 0, "resting potential"},
    {"tau_m", "ms", DN_FT_DOUBLE, C_TAU_M, DN_POS, 0, 0, 0, "membrane time constant"},
    {"C_m", "pF", DN_FT_DOUBLE, C_C_M, DN_POS, 0, 0, 0, "membrane capacitance"},
    {"V_th", "mV", DN_FT_DOUBLE, C_V_TH, DN_ANY, 0, 0, 0, "spike threshold"},
    {"V_reset", "mV", DN_FT_DOUBLE, C_V_RESET, DN_ANY, 0, 0, 0, "reset potential"},
    {"I_e", "pA", DN_FT_DOUBLE, C_I_E, DN_ANY, 0, 0, 0, "constant input current"},
    {"t_ref", "ms", DN_FT_DOUBLE, C_T_REF, DN_NONNEG, 0, 0, 0, "refractory period"},
    {"V_m", "mV", DN_FT_DOUBLE, C_V_M, DN_ANY, 0, 0, DN_F_STATE, "membrane potential"},
};

static const dn_recordable recordables[] = {{"V_m", C_V_M}};

/* Input 0: spikes (weight in mV), input 1: currents (pA); receptor 0 only. */
static dn_status port(const dn_model *m, dn_event_kind kind, long receptor, double weight,
                      dn_port *out, dn_error *err)
{
    (void)weight;
    if (receptor != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not valid for %s (only 0)", receptor, m->name);
    out->input = kind == DN_EV_CURRENT ? 1 : 0;
    out->rport = 0;
    out->count = false;
    return DN_OK;
}

/* A staged SetStatus record: refuse V_reset >= V_th (field order of `fields`). */
static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    (void)b;
    (void)i;
    (void)changed;
    if (rec[4] >= rec[3])
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "my_lif: V_reset (%g) must be below V_th (%g)", rec[4], rec[3]);
    return DN_OK;
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)err;
    const double *tau = dn_col_f64(b, C_TAU_M), *tref = dn_col_f64(b, C_T_REF);
    double *p = dn_col_f64(b, C_P);
    int32_t *rs = dn_col_i32(b, C_REF_STEPS);
    for (size_t i = 0; i < b->n; i++) {
        p[i] = exp(-c->h / tau[i]);
        rs[i] = (int32_t)dn_calib_steps_ceil(c, tref[i]);
    }
    return DN_OK;
}

static void init_buffers(dn_block *b, const dn_calib *c)
{
    (void)c;
    double *is = dn_col_f64(b, C_I_STIM);
    for (size_t i = 0; i < b->n; i++)
        is[i] = 0.0;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    const double *el = dn_col_f64(b, C_E_L), *tau = dn_col_f64(b, C_TAU_M),
                 *cm = dn_col_f64(b, C_C_M), *vth = dn_col_f64(b, C_V_TH),
                 *vreset = dn_col_f64(b, C_V_RESET), *ie = dn_col_f64(b, C_I_E),
                 *p = dn_col_f64(b, C_P);
    double *v = dn_col_f64(b, C_V_M), *istim = dn_col_f64(b, C_I_STIM);
    int32_t *r = dn_col_i32(b, C_R);
    const int32_t *rs = dn_col_i32(b, C_REF_STEPS);
    for (int lag = s->from; lag < s->to; lag++) {
        double *spk = dn_input(b, s, lag, 0), *cur = dn_input(b, s, lag, 1);
        for (size_t i = first; i < last; i++) {
            if (r[i] > 0) {
                r[i]--; /* clamped during the refractory period; input is lost */
            } else {
                v[i] = el[i] + (v[i] - el[i]) * p[i] +
                       (ie[i] + istim[i]) * tau[i] / cm[i] * (1.0 - p[i]) + spk[i];
            }
            spk[i] = 0.0;
            istim[i] = cur[i]; /* a current read in step n acts in step n + 1 */
            cur[i] = 0.0;
            if (v[i] >= vth[i]) {
                v[i] = vreset[i];
                r[i] = rs[i];
                dn_emit(b, s, i, lag, 1);
            }
            dn_sample(b, s, i, lag);
        }
    }
    return DN_OK;
}

static const dn_model my_lif = {
    .name = "my_lif",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "example extension model: leaky integrate-and-fire with delta synapses",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .recordables = recordables,
    .n_recordables = 1,
    .n_inputs = 2,
    .port = port,
    .apply = apply,
    .calibrate = calibrate,
    .init_buffers = init_buffers,
    .update = update,
};

dn_status dn_module_init(dn_engine *e, dn_error *err)
{
    return dn_engine_register_model(e, &my_lif, err);
}

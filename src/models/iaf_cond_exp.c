/* iaf_cond_exp: conductance-based leaky integrate-and-fire neuron with exponential
 * conductances (kernel spec §3.4), integrated with GSL's RKF45 (odeiv v1 API) under standard
 * y-control with eps_abs 1e-3, as NEST does (spec §2). Per-node state and the step-size hint
 * live in columns; the GSL workspaces are per block (thread-private). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv.h>
#include <stdlib.h>

#include "denest/model.h"
#include "models/sign_ports.h"

enum {
    C_V_TH,
    C_V_RESET,
    C_T_REF,
    C_G_L,
    C_C_M,
    C_E_EX,
    C_E_IN,
    C_E_L,
    C_TAU_EX,
    C_TAU_IN,
    C_I_E,
    C_V,
    C_GEX,
    C_GIN,
    C_R,
    C_ISTIM, /* current input of the step */
    C_HINT,  /* GSL step-size hint */
    C_T_SPIKE,
    C_REFC, /* refractory steps (calibrate) */
    N_COLS
};

static const dn_column cols[N_COLS] = {
    [C_V_TH] = {"V_th", DN_COL_F64, DN_ROLE_PARAM, -55.0},
    [C_V_RESET] = {"V_reset", DN_COL_F64, DN_ROLE_PARAM, -60.0},
    [C_T_REF] = {"t_ref", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_G_L] = {"g_L", DN_COL_F64, DN_ROLE_PARAM, 16.6667},
    [C_C_M] = {"C_m", DN_COL_F64, DN_ROLE_PARAM, 250.0},
    [C_E_EX] = {"E_ex", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_E_IN] = {"E_in", DN_COL_F64, DN_ROLE_PARAM, -85.0},
    [C_E_L] = {"E_L", DN_COL_F64, DN_ROLE_PARAM, -70.0},
    [C_TAU_EX] = {"tau_syn_ex", DN_COL_F64, DN_ROLE_PARAM, 0.2},
    [C_TAU_IN] = {"tau_syn_in", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_I_E] = {"I_e", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_V] = {"V_m", DN_COL_F64, DN_ROLE_STATE, -70.0},
    [C_GEX] = {"g_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_GIN] = {"g_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_R] = {"r", DN_COL_I32, DN_ROLE_STATE, 0},
    [C_ISTIM] = {"I_stim", DN_COL_F64, DN_ROLE_BUFFER, 0.0},
    [C_HINT] = {"IntegrationStep", DN_COL_F64, DN_ROLE_BUFFER, 0.1},
    [C_T_SPIKE] = {"t_spike", DN_COL_F64, DN_ROLE_STATE, -1.0},
    [C_REFC] = {"RefractoryCounts", DN_COL_I32, DN_ROLE_INTERNAL, 0},
};

static const dn_field fields[] = {
    {"V_th", "mV", DN_FT_DOUBLE, C_V_TH, DN_ANY, 0, 0, 0, "spike threshold"},
    {"V_reset", "mV", DN_FT_DOUBLE, C_V_RESET, DN_ANY, 0, 0, 0, "reset potential"},
    {"t_ref", "ms", DN_FT_DOUBLE, C_T_REF, DN_NONNEG, 0, 0, 0, "refractory period"},
    {"g_L", "nS", DN_FT_DOUBLE, C_G_L, DN_ANY, 0, 0, 0, "leak conductance"},
    {"C_m", "pF", DN_FT_DOUBLE, C_C_M, DN_POS, 0, 0, 0, "membrane capacitance"},
    {"E_ex", "mV", DN_FT_DOUBLE, C_E_EX, DN_ANY, 0, 0, 0, "excitatory reversal potential"},
    {"E_in", "mV", DN_FT_DOUBLE, C_E_IN, DN_ANY, 0, 0, 0, "inhibitory reversal potential"},
    {"E_L", "mV", DN_FT_DOUBLE, C_E_L, DN_ANY, 0, 0, 0, "leak reversal potential"},
    {"tau_syn_ex", "ms", DN_FT_DOUBLE, C_TAU_EX, DN_POS, 0, 0, 0,
     "excitatory conductance decay time"},
    {"tau_syn_in", "ms", DN_FT_DOUBLE, C_TAU_IN, DN_POS, 0, 0, 0,
     "inhibitory conductance decay time"},
    {"I_e", "pA", DN_FT_DOUBLE, C_I_E, DN_ANY, 0, 0, 0, "constant input current"},
    {"V_m", "mV", DN_FT_DOUBLE, C_V, DN_ANY, 0, 0, DN_F_STATE, "membrane potential"},
    {"g_ex", "nS", DN_FT_DOUBLE, C_GEX, DN_ANY, 0, 0, DN_F_STATE, "excitatory conductance"},
    {"g_in", "nS", DN_FT_DOUBLE, C_GIN, DN_ANY, 0, 0, DN_F_STATE, "inhibitory conductance"},
    {"t_spike", "ms", DN_FT_DOUBLE, C_T_SPIKE, DN_ANY, 0, 0, DN_F_READONLY | DN_F_STATE,
     "time of the last spike (-1: none)"},
};

static const dn_recordable recordables[] = {{"V_m", C_V}, {"g_ex", C_GEX}, {"g_in", C_GIN}};

typedef struct rhs_par {
    double g_L, C_m, E_ex, E_in, E_L, tau_ex, tau_in, I_e, I_stim;
} rhs_par;

typedef struct priv {
    gsl_odeiv_step *step;
    gsl_odeiv_control *ctrl;
    gsl_odeiv_evolve *evo;
    int32_t ref_counts;
} priv;

static int rhs(double t, const double y[], double f[], void *params)
{
    (void)t;
    const rhs_par *p = params;
    double V = y[0];
    double I_ex = y[1] * (V - p->E_ex), I_in = y[2] * (V - p->E_in), I_L = p->g_L * (V - p->E_L);
    f[0] = (-I_L + p->I_stim + p->I_e - I_ex - I_in) / p->C_m;
    f[1] = -y[1] / p->tau_ex;
    f[2] = -y[2] / p->tau_in;
    return GSL_SUCCESS;
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    (void)b;
    (void)i;
    (void)changed;
    if (!(rec[C_V_RESET] < rec[C_V_TH]))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "iaf_cond_exp: V_reset (%g mV) must be lower than V_th (%g mV)",
                            rec[C_V_RESET], rec[C_V_TH]);
    return DN_OK;
}

static void block_free(dn_block *b)
{
    priv *p = b->priv;
    if (!p)
        return;
    if (p->evo)
        gsl_odeiv_evolve_free(p->evo);
    if (p->ctrl)
        gsl_odeiv_control_free(p->ctrl);
    if (p->step)
        gsl_odeiv_step_free(p->step);
    free(p);
    b->priv = NULL;
}

static dn_status block_init(dn_block *b, dn_error *err)
{
    gsl_set_error_handler_off(); /* GSL must report failures, never abort */
    priv *p = calloc(1, sizeof *p);
    if (!p)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    b->priv = p;
    p->step = gsl_odeiv_step_alloc(gsl_odeiv_step_rkf45, 3);
    p->ctrl = gsl_odeiv_control_y_new(1e-3, 0.0);
    p->evo = gsl_odeiv_evolve_alloc(3);
    if (!p->step || !p->ctrl || !p->evo) {
        block_free(b);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    return DN_OK;
}

static void init_buffers(dn_block *b, const dn_calib *c)
{
    for (size_t i = 0; i < b->n; i++) {
        dn_col_f64(b, C_HINT)[i] = c->h;
        dn_col_f64(b, C_ISTIM)[i] = 0.0;
    }
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)err;
    for (size_t i = 0; i < b->n; i++)
        dn_col_i32(b, C_REFC)[i] = (int32_t)dn_calib_steps_ceil(c, dn_col_f64(b, C_T_REF)[i]);
    return DN_OK;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    priv *pv = b->priv;
    double *V = dn_col_f64(b, C_V), *gex = dn_col_f64(b, C_GEX), *gin = dn_col_f64(b, C_GIN),
           *Ist = dn_col_f64(b, C_ISTIM), *hint = dn_col_f64(b, C_HINT),
           *tsp = dn_col_f64(b, C_T_SPIKE);
    int32_t *r = dn_col_i32(b, C_R);
    for (size_t i = first; i < last; i++) {
        rhs_par p = {
            dn_col_f64(b, C_G_L)[i],    dn_col_f64(b, C_C_M)[i], dn_col_f64(b, C_E_EX)[i],
            dn_col_f64(b, C_E_IN)[i],   dn_col_f64(b, C_E_L)[i], dn_col_f64(b, C_TAU_EX)[i],
            dn_col_f64(b, C_TAU_IN)[i], dn_col_f64(b, C_I_E)[i], 0};
        int32_t counts = dn_col_i32(b, C_REFC)[i];
        gsl_odeiv_system sys = {rhs, NULL, 3, &p};
        for (int lag = s->from; lag < s->to; lag++) {
            double y[3] = {V[i], gex[i], gin[i]};
            p.I_stim = Ist[i];
            double t = 0.0;
            while (t < s->h) {
                int st = gsl_odeiv_evolve_apply(pv->evo, pv->ctrl, pv->step, &sys, &t, s->h,
                                                &hint[i], y);
                if (st != GSL_SUCCESS)
                    return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                                        "iaf_cond_exp %u: GSL integration failed at %g ms (%s)",
                                        dn_block_gid(b, i), (double)(s->origin + lag) * s->h,
                                        gsl_strerror(st));
            }
            double *ie = dn_input(b, s, lag, 0), *ii = dn_input(b, s, lag, 1),
                   *ic = dn_input(b, s, lag, 2);
            y[1] += ie[i];
            y[2] -= ii[i]; /* inhibitory weights are <= 0; conductance grows by |w| */
            ie[i] = ii[i] = 0;
            if (r[i] > 0) {
                r[i]--;
                y[0] = dn_col_f64(b, C_V_RESET)[i];
            } else if (y[0] >= dn_col_f64(b, C_V_TH)[i]) {
                r[i] = counts;
                y[0] = dn_col_f64(b, C_V_RESET)[i];
                tsp[i] = (double)(s->origin + lag + 1) * s->h;
                dn_emit(b, s, i, lag, 1);
            }
            V[i] = y[0];
            gex[i] = y[1];
            gin[i] = y[2];
            Ist[i] = ic[i];
            ic[i] = 0;
            dn_sample(b, s, i, lag);
        }
    }
    return DN_OK;
}

const dn_model dn_model_iaf_cond_exp = {
    .name = "iaf_cond_exp",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "conductance-based leaky integrate-and-fire neuron, exponential conductances",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .recordables = recordables,
    .n_recordables = 3,
    .n_inputs = 3,
    .port = dn_sign_port,
    .reroute = dn_sign_reroute,
    .block_init = block_init,
    .block_free = block_free,
    .apply = apply,
    .calibrate = calibrate,
    .init_buffers = init_buffers,
    .update = update,
};

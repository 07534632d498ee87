/* iaf_psc_exp: leaky integrate-and-fire neuron with exponential synaptic currents, exact
 * integration, optional escape noise (kernel spec §3.3). V_m is kept relative to E_L. */
#include <math.h>
#include <stdlib.h>

#include "denest/model.h"
#include "denest/rng.h"
#include "models/propagators.h"

enum {
    C_E_L,
    C_C_M,
    C_TAU_M,
    C_T_REF,
    C_V_TH,
    C_V_RESET,
    C_I_E,
    C_TAU_EX,
    C_TAU_IN,
    C_RHO,
    C_DELTA,
    C_I0, /* current inputs of the step (receptors 0 and 1) */
    C_I1,
    C_IEX,
    C_IIN,
    C_V, /* V_m - E_L */
    C_R,
    C_WEX,
    C_WIN,
    C_T_SPIKE,
    N_COLS
};

static const dn_column cols[N_COLS] = {
    [C_E_L] = {"E_L", DN_COL_F64, DN_ROLE_PARAM, -70.0},
    [C_C_M] = {"C_m", DN_COL_F64, DN_ROLE_PARAM, 250.0},
    [C_TAU_M] = {"tau_m", DN_COL_F64, DN_ROLE_PARAM, 10.0},
    [C_T_REF] = {"t_ref", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_V_TH] = {"V_th", DN_COL_F64, DN_ROLE_PARAM, -55.0},
    [C_V_RESET] = {"V_reset", DN_COL_F64, DN_ROLE_PARAM, -70.0},
    [C_I_E] = {"I_e", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_TAU_EX] = {"tau_syn_ex", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_TAU_IN] = {"tau_syn_in", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_RHO] = {"rho", DN_COL_F64, DN_ROLE_PARAM, 0.01},
    [C_DELTA] = {"delta", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_I0] = {"i_0", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I1] = {"i_1", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_IEX] = {"i_syn_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_IIN] = {"i_syn_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_V] = {"V_rel", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_R] = {"r", DN_COL_I32, DN_ROLE_STATE, 0},
    [C_WEX] = {"weighted_spikes_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_WIN] = {"weighted_spikes_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_T_SPIKE] = {"t_spike", DN_COL_F64, DN_ROLE_STATE, -1.0},
};

enum { F_V_M = 11 };

static const dn_field fields[] = {
    {"E_L", "mV", DN_FT_DOUBLE, C_E_L, DN_ANY, 0, 0, 0, "resting potential"},
    {"C_m", "pF", DN_FT_DOUBLE, C_C_M, DN_POS, 0, 0, 0, "membrane capacitance"},
    {"tau_m", "ms", DN_FT_DOUBLE, C_TAU_M, DN_POS, 0, 0, 0, "membrane time constant"},
    {"t_ref", "ms", DN_FT_DOUBLE, C_T_REF, DN_NONNEG, 0, 0, 0, "refractory period"},
    {"V_th", "mV", DN_FT_DOUBLE, C_V_TH, DN_ANY, 0, 0, 0, "spike threshold"},
    {"V_reset", "mV", DN_FT_DOUBLE, C_V_RESET, DN_ANY, 0, 0, 0, "reset potential"},
    {"I_e", "pA", DN_FT_DOUBLE, C_I_E, DN_ANY, 0, 0, 0, "constant input current"},
    {"tau_syn_ex", "ms", DN_FT_DOUBLE, C_TAU_EX, DN_POS, 0, 0, 0,
     "decay time of excitatory synaptic currents"},
    {"tau_syn_in", "ms", DN_FT_DOUBLE, C_TAU_IN, DN_POS, 0, 0, 0,
     "decay time of inhibitory synaptic currents"},
    {"rho", "1/s", DN_FT_DOUBLE, C_RHO, DN_NONNEG, 0, 0, 0, "escape rate at threshold"},
    {"delta", "mV", DN_FT_DOUBLE, C_DELTA, DN_NONNEG, 0, 0, 0,
     "escape noise width (0: deterministic threshold)"},
    [F_V_M] = {"V_m", "mV", DN_FT_DOUBLE, -1, DN_ANY, 0, 0, DN_F_STATE, "membrane potential"},
    {"t_spike", "ms", DN_FT_DOUBLE, C_T_SPIKE, DN_ANY, 0, 0, DN_F_READONLY | DN_F_STATE,
     "time of the last spike (-1: none)"},
};

static const dn_recordable recordables[] = {
    {"I_syn_ex", C_IEX},           {"I_syn_in", C_IIN},           {"V_m", -1},
    {"weighted_spikes_ex", C_WEX}, {"weighted_spikes_in", C_WIN},
};

typedef struct prop {
    double P11ex, P11in, P22, P21ex, P21in, P20;
    double V_th_rel, V_reset_rel, I_e, rho, delta;
    int32_t ref_counts;
} prop;

typedef struct priv {
    prop *p;
    size_t cap, stride;
    gsl_rng *rng;
} priv;

static void read_virtual(const dn_block *b, size_t i, double *rec)
{
    rec[F_V_M] = dn_col_f64(b, C_V)[i] + dn_col_f64(b, C_E_L)[i];
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    if (!(rec[C_V_RESET] < rec[C_V_TH]))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "iaf_psc_exp: V_reset (%g mV) must be lower than V_th (%g mV)",
                            rec[C_V_RESET], rec[C_V_TH]);
    if (changed[F_V_M] || changed[C_E_L])
        dn_col_f64(b, C_V)[i] = rec[F_V_M] - rec[C_E_L];
    return DN_OK;
}

static dn_status port(const dn_model *m, dn_event_kind kind, long receptor, double weight,
                      dn_port *out, dn_error *err)
{
    if (kind == DN_EV_CURRENT) {
        if (receptor != 0 && receptor != 1)
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "receptor_type %ld is not valid for currents into %s (0 or 1)",
                                receptor, m->name);
        out->input = 2 + (int)receptor;
        out->rport = (int)receptor;
        return DN_OK;
    }
    if (receptor != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not valid for spikes into %s (only 0)", receptor,
                            m->name);
    out->input = weight >= 0 ? 0 : 1;
    out->rport = 0;
    return DN_OK;
}

static int reroute(const dn_model *m, int input, double weight)
{
    (void)m;
    return input >= 2 ? input : (weight >= 0 ? 0 : 1);
}

static dn_status block_init(dn_block *b, dn_error *err)
{
    priv *p = calloc(1, sizeof *p);
    if (!p || !(p->rng = dn_rng_alloc())) {
        free(p);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    b->priv = p;
    return DN_OK;
}

static void block_free(dn_block *b)
{
    priv *p = b->priv;
    if (!p)
        return;
    free(p->p);
    gsl_rng_free(p->rng);
    free(p);
    b->priv = NULL;
}

static void compute(const dn_block *b, size_t i, const dn_calib *c, prop *P)
{
    double h = c->h, tau_m = dn_col_f64(b, C_TAU_M)[i], C_m = dn_col_f64(b, C_C_M)[i];
    double te = dn_col_f64(b, C_TAU_EX)[i], ti = dn_col_f64(b, C_TAU_IN)[i];
    double E_L = dn_col_f64(b, C_E_L)[i];
    P->P11ex = exp(-h / te);
    P->P11in = exp(-h / ti);
    P->P22 = exp(-h / tau_m);
    P->P21ex = dn_propagator_32(te, tau_m, C_m, h);
    P->P21in = dn_propagator_32(ti, tau_m, C_m, h);
    P->P20 = tau_m / C_m * (1.0 - P->P22);
    P->V_th_rel = dn_col_f64(b, C_V_TH)[i] - E_L;
    P->V_reset_rel = dn_col_f64(b, C_V_RESET)[i] - E_L;
    P->I_e = dn_col_f64(b, C_I_E)[i];
    P->rho = dn_col_f64(b, C_RHO)[i];
    P->delta = dn_col_f64(b, C_DELTA)[i];
    P->ref_counts = (int32_t)dn_calib_steps_ceil(c, dn_col_f64(b, C_T_REF)[i]);
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    priv *p = b->priv;
    if (b->n == 0)
        return DN_OK;
    bool uniform = dn_block_uniform_f64(b, C_E_L, C_DELTA);
    size_t need = uniform ? 1 : b->n;
    if (need > p->cap) {
        prop *x = realloc(p->p, need * sizeof *x);
        if (!x)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
        p->p = x;
        p->cap = need;
    }
    for (size_t i = 0; i < need; i++)
        compute(b, i, c, &p->p[i]);
    p->stride = uniform ? 0 : 1;
    return DN_OK;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    priv *pv = b->priv;
    double *i0 = dn_col_f64(b, C_I0), *i1 = dn_col_f64(b, C_I1), *iex = dn_col_f64(b, C_IEX),
           *iin = dn_col_f64(b, C_IIN), *V = dn_col_f64(b, C_V), *wex = dn_col_f64(b, C_WEX),
           *win = dn_col_f64(b, C_WIN), *tsp = dn_col_f64(b, C_T_SPIKE);
    int32_t *r = dn_col_i32(b, C_R);
    for (int lag = s->from; lag < s->to; lag++) {
        double *in_ex = dn_input(b, s, lag, 0), *in_in = dn_input(b, s, lag, 1),
               *c0 = dn_input(b, s, lag, 2), *c1 = dn_input(b, s, lag, 3);
        for (size_t i = first; i < last; i++) {
            const prop *P = pv->p + i * pv->stride;
            if (r[i] == 0)
                V[i] = V[i] * P->P22 + iex[i] * P->P21ex + iin[i] * P->P21in +
                       (P->I_e + i0[i]) * P->P20;
            else
                r[i]--;
            iex[i] *= P->P11ex;
            iin[i] *= P->P11in;
            iex[i] += (1.0 - P->P11ex) * i1[i];
            double we = in_ex[i], wi = in_in[i];
            in_ex[i] = in_in[i] = 0;
            iex[i] += we;
            iin[i] += wi;
            wex[i] = we;
            win[i] = wi;
            bool fire;
            if (P->delta < 1e-10) {
                fire = V[i] >= P->V_th_rel;
            } else {
                dn_rng_seek(pv->rng, s->seed, DN_RNG_NEURON, dn_block_gid(b, i), 0,
                            (uint64_t)(s->origin + lag));
                fire = dn_rng_uniform(pv->rng) <
                       P->rho * exp((V[i] - P->V_th_rel) / P->delta) * s->h * 1e-3;
            }
            if (fire) {
                r[i] = P->ref_counts;
                V[i] = P->V_reset_rel;
                tsp[i] = (double)(s->origin + lag + 1) * s->h;
                dn_emit(b, s, i, lag, 1);
            }
            i0[i] = c0[i];
            i1[i] = c1[i];
            c0[i] = c1[i] = 0;
            dn_sample(b, s, i, lag);
        }
    }
    return DN_OK;
}

static double recordable(const dn_block *b, size_t i, int r)
{
    (void)r;
    return dn_col_f64(b, C_V)[i] + dn_col_f64(b, C_E_L)[i];
}

const dn_model dn_model_iaf_psc_exp = {
    .name = "iaf_psc_exp",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "leaky integrate-and-fire neuron with exponential postsynaptic currents",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .recordables = recordables,
    .n_recordables = sizeof recordables / sizeof recordables[0],
    .n_inputs = 4,
    .port = port,
    .reroute = reroute,
    .block_init = block_init,
    .block_free = block_free,
    .read = read_virtual,
    .apply = apply,
    .calibrate = calibrate,
    .update = update,
    .recordable = recordable,
};

/* iaf_psc_alpha: leaky integrate-and-fire neuron with alpha-shaped synaptic currents, exact
 * integration with propagators (kernel spec §3.2). V_m is kept relative to E_L as NEST does, so
 * changing E_L alone keeps the absolute V_m. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/model.h"
#include "models/propagators.h"
#include "models/sign_ports.h"

enum {
    C_E_L,
    C_C_M,
    C_TAU_M,
    C_T_REF,
    C_V_TH,
    C_V_RESET,
    C_V_MIN,
    C_I_E,
    C_TAU_EX,
    C_TAU_IN,
    C_Y0, /* current input of the step (read at the end of the previous one) */
    C_DI_EX,
    C_I_EX,
    C_DI_IN,
    C_I_IN,
    C_Y3,  /* V_m - E_L */
    C_R,   /* refractory steps left (F64, exact: all-double columns let the update vectorise) */
    C_WEX, /* weighted spikes of the last step (recordable) */
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
    [C_V_MIN] = {"V_min", DN_COL_F64, DN_ROLE_PARAM, -INFINITY},
    [C_I_E] = {"I_e", DN_COL_F64, DN_ROLE_PARAM, 0.0},
    [C_TAU_EX] = {"tau_syn_ex", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_TAU_IN] = {"tau_syn_in", DN_COL_F64, DN_ROLE_PARAM, 2.0},
    [C_Y0] = {"y0", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_DI_EX] = {"dI_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I_EX] = {"I_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_DI_IN] = {"dI_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I_IN] = {"I_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y3] = {"y3", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_R] = {"r", DN_COL_F64, DN_ROLE_STATE, 0},
    [C_WEX] = {"weighted_spikes_ex", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_WIN] = {"weighted_spikes_in", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_T_SPIKE] = {"t_spike", DN_COL_F64, DN_ROLE_STATE, -1.0},
};

enum { F_V_M = 10 };

static const dn_field fields[] = {
    {"E_L", "mV", DN_FT_DOUBLE, C_E_L, DN_ANY, 0, 0, 0, "resting potential"},
    {"C_m", "pF", DN_FT_DOUBLE, C_C_M, DN_POS, 0, 0, 0, "membrane capacitance"},
    {"tau_m", "ms", DN_FT_DOUBLE, C_TAU_M, DN_POS, 0, 0, 0, "membrane time constant"},
    {"t_ref", "ms", DN_FT_DOUBLE, C_T_REF, DN_NONNEG, 0, 0, 0, "refractory period"},
    {"V_th", "mV", DN_FT_DOUBLE, C_V_TH, DN_ANY, 0, 0, 0, "spike threshold"},
    {"V_reset", "mV", DN_FT_DOUBLE, C_V_RESET, DN_ANY, 0, 0, 0, "reset potential"},
    {"V_min", "mV", DN_FT_DOUBLE, C_V_MIN, DN_ANY, 0, 0, DN_F_INF_OK,
     "lower bound of the membrane potential"},
    {"I_e", "pA", DN_FT_DOUBLE, C_I_E, DN_ANY, 0, 0, 0, "constant input current"},
    {"tau_syn_ex", "ms", DN_FT_DOUBLE, C_TAU_EX, DN_POS, 0, 0, 0,
     "rise time of excitatory synaptic alpha currents"},
    {"tau_syn_in", "ms", DN_FT_DOUBLE, C_TAU_IN, DN_POS, 0, 0, 0,
     "rise time of inhibitory synaptic alpha currents"},
    [F_V_M] = {"V_m", "mV", DN_FT_DOUBLE, -1, DN_ANY, 0, 0, DN_F_STATE, "membrane potential"},
    {"t_spike", "ms", DN_FT_DOUBLE, C_T_SPIKE, DN_ANY, 0, 0, DN_F_READONLY | DN_F_STATE,
     "time of the last spike (-1: none)"},
};

static const dn_recordable recordables[] = {
    {"I_syn_ex", C_I_EX},          {"I_syn_in", C_I_IN},          {"V_m", -1},
    {"weighted_spikes_ex", C_WEX}, {"weighted_spikes_in", C_WIN},
};

/* propagators of one node (or of all nodes when their parameters agree) */
typedef struct prop {
    double P11ex, P21ex, P22ex, P31ex, P32ex;
    double P11in, P21in, P22in, P31in, P32in;
    double P30, expm1_tau_m, psc_ex, psc_in;
    double V_th_rel, V_reset_rel, V_min_rel, I_e;
    double ref_counts;
} prop;

typedef struct priv {
    prop *p;
    size_t cap;
    size_t stride; /* 0: one shared prop, 1: one per node */
} priv;

static void read_virtual(const dn_block *b, size_t i, double *rec)
{
    rec[F_V_M] = dn_col_f64(b, C_Y3)[i] + dn_col_f64(b, C_E_L)[i];
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    if (!(rec[C_V_RESET] < rec[C_V_TH]))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "iaf_psc_alpha: V_reset (%g mV) must be lower than V_th (%g mV)",
                            rec[C_V_RESET], rec[C_V_TH]);
    /* spec §3.2: V_m is stored relative to E_L; an E_L change alone keeps the absolute V_m */
    if (changed[F_V_M] || changed[C_E_L])
        dn_col_f64(b, C_Y3)[i] = rec[F_V_M] - rec[C_E_L];
    return DN_OK;
}

static dn_status block_init(dn_block *b, dn_error *err)
{
    priv *p = calloc(1, sizeof *p);
    if (!p)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    b->priv = p;
    return DN_OK;
}

static void block_free(dn_block *b)
{
    priv *p = b->priv;
    if (p)
        free(p->p);
    free(p);
    b->priv = NULL;
}

static void compute(const dn_block *b, size_t i, const dn_calib *c, prop *P)
{
    double h = c->h;
    double tau_m = dn_col_f64(b, C_TAU_M)[i], C_m = dn_col_f64(b, C_C_M)[i];
    double te = dn_col_f64(b, C_TAU_EX)[i], ti = dn_col_f64(b, C_TAU_IN)[i];
    double E_L = dn_col_f64(b, C_E_L)[i];
    P->P11ex = P->P22ex = exp(-h / te);
    P->P21ex = h * P->P11ex;
    P->P11in = P->P22in = exp(-h / ti);
    P->P21in = h * P->P11in;
    P->expm1_tau_m = expm1(-h / tau_m);
    P->P30 = tau_m / C_m * -P->expm1_tau_m;
    P->P31ex = dn_propagator_31(te, tau_m, C_m, h);
    P->P32ex = dn_propagator_32(te, tau_m, C_m, h);
    P->P31in = dn_propagator_31(ti, tau_m, C_m, h);
    P->P32in = dn_propagator_32(ti, tau_m, C_m, h);
    P->psc_ex = M_E / te;
    P->psc_in = M_E / ti;
    P->V_th_rel = dn_col_f64(b, C_V_TH)[i] - E_L;
    P->V_reset_rel = dn_col_f64(b, C_V_RESET)[i] - E_L;
    P->V_min_rel = dn_col_f64(b, C_V_MIN)[i] - E_L;
    P->I_e = dn_col_f64(b, C_I_E)[i];
    P->ref_counts = (double)dn_calib_steps_ceil(c, dn_col_f64(b, C_T_REF)[i]);
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    priv *p = b->priv;
    if (b->n == 0)
        return DN_OK;
    bool uniform = dn_block_uniform_f64(b, C_E_L, C_TAU_IN);
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

/* The state columns and this step's input rows of one block. */
typedef struct step_args {
    double *restrict y0, *restrict dIex, *restrict Iex, *restrict dIin, *restrict Iin,
        *restrict y3, *restrict wex, *restrict win;
    double *restrict r;
    double *restrict in_ex, *restrict in_in, *restrict in_cur;
    bool has_current, logged;
} step_args;

/* GCC keeps the selects of the step as branches, which block vectorisation, unless it may
 * assume that floating-point operations do not trap (they never do here: no trap handlers are
 * installed). This changes no result. Clang vectorises without it. */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_TRAPS __attribute__((optimize("no-trapping-math")))
#else
#define NO_TRAPS
#endif

/* One step (spec §3.2) of nodes [i0, i1), which share the propagators *P. The main loop is
 * branch-free over all-double columns so the compiler vectorises it (omp simd: the iterations
 * are independent); every expression keeps the operation order of the scalar form, so results
 * are bit-identical. Threshold crossings are only marked in fired[] (1.0): emitting and sampling
 * happen after the loop, node by node. Returns the number of nodes that fired. */
NO_TRAPS static double step_nodes(const prop *P, const step_args *a, size_t i0, size_t i1,
                                double *fired)
{
    const prop p = *P; /* locals: loop invariants the vectoriser can broadcast */
    double *restrict y0 = a->y0, *restrict dIex = a->dIex, *restrict Iex = a->Iex,
                     *restrict dIin = a->dIin, *restrict Iin = a->Iin, *restrict y3 = a->y3,
                     *restrict r = a->r;
    double *restrict in_ex = a->in_ex, *restrict in_in = a->in_in, *restrict in_cur = a->in_cur;
    size_t n = i1 - i0;
    if (a->logged) { /* the recordables weighted_spikes_ex/in: this step's input */
        memcpy(a->wex + i0, in_ex + i0, n * sizeof(double));
        memcpy(a->win + i0, in_in + i0, n * sizeof(double));
    }
    double nfired = 0; /* a double: the reduction stays in the vector unit (exact: small counts) */
#pragma omp simd reduction(+ : nfired)
    for (size_t i = i0; i < i1; i++) {
        /* membrane first, with the currents of the previous step; held while refractory */
        double v = p.P30 * (y0[i] + p.I_e) + p.P31ex * dIex[i] + p.P32ex * Iex[i] +
                   p.P31in * dIin[i] + p.P32in * Iin[i] + p.expm1_tau_m * y3[i] + y3[i];
        v = v < p.V_min_rel ? p.V_min_rel : v;
        double ri = r[i];
        double yi = ri == 0 ? v : y3[i];
        ri = ri == 0 ? 0 : ri - 1;
        Iex[i] = p.P21ex * dIex[i] + p.P22ex * Iex[i];
        dIex[i] = dIex[i] * p.P11ex + p.psc_ex * in_ex[i];
        in_ex[i] = 0;
        Iin[i] = p.P21in * dIin[i] + p.P22in * Iin[i];
        dIin[i] = dIin[i] * p.P11in + p.psc_in * in_in[i];
        in_in[i] = 0;
        bool f = yi >= p.V_th_rel;
        r[i] = f ? p.ref_counts : ri;
        y3[i] = f ? p.V_reset_rel : yi;
        fired[i - i0] = f ? 1.0 : 0.0;
        nfired += fired[i - i0];
    }
    if (a->has_current) { /* the current read now drives the next step */
        memcpy(y0 + i0, in_cur + i0, n * sizeof(double));
        memset(in_cur + i0, 0, n * sizeof(double));
    }
    return nfired;
}

enum { CHUNK = 256 }; /* nodes whose state stays in L1 across the lags of a slice */

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    const priv *pv = b->priv;
    step_args a = {
        .y0 = dn_col_f64(b, C_Y0),
        .dIex = dn_col_f64(b, C_DI_EX),
        .Iex = dn_col_f64(b, C_I_EX),
        .dIin = dn_col_f64(b, C_DI_IN),
        .Iin = dn_col_f64(b, C_I_IN),
        .y3 = dn_col_f64(b, C_Y3),
        .wex = dn_col_f64(b, C_WEX),
        .win = dn_col_f64(b, C_WIN),
        .r = dn_col_f64(b, C_R),
        .has_current = (b->inputs_used & (1u << 2)) != 0, /* else input 2 stays 0 */
        .logged = b->log_first != NULL,
    };
    double *tsp = dn_col_f64(b, C_T_SPIKE);
    double fired[CHUNK];
    /* lag-outer, node-inner over chunks: each input row is read once */
    for (size_t i0 = first; i0 < last; i0 += CHUNK) {
        size_t i1 = i0 + CHUNK < last ? i0 + CHUNK : last;
        for (int lag = s->from; lag < s->to; lag++) {
            a.in_ex = dn_input(b, s, lag, 0);
            a.in_in = dn_input(b, s, lag, 1);
            a.in_cur = dn_input(b, s, lag, 2);
            double nfired = 0;
            if (pv->stride == 0)
                nfired = step_nodes(pv->p, &a, i0, i1, fired);
            else /* per-node parameters (rare): node by node */
                for (size_t i = i0; i < i1; i++)
                    nfired += step_nodes(pv->p + i, &a, i, i + 1, fired + (i - i0));
            if (nfired == 0 && !a.logged)
                continue;
            for (size_t i = i0; i < i1; i++) {
                if (fired[i - i0] != 0) {
                    tsp[i] = (double)(s->origin + lag + 1) * s->h;
                    dn_emit(b, s, i, lag, 1);
                }
                if (a.logged)
                    dn_sample(b, s, i, lag);
            }
        }
    }
    return DN_OK;
}

static double recordable(const dn_block *b, size_t i, int r)
{
    (void)r; /* only V_m is virtual */
    return dn_col_f64(b, C_Y3)[i] + dn_col_f64(b, C_E_L)[i];
}

const dn_model dn_model_iaf_psc_alpha = {
    .name = "iaf_psc_alpha",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "leaky integrate-and-fire neuron with alpha-shaped postsynaptic currents",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .recordables = recordables,
    .n_recordables = sizeof recordables / sizeof recordables[0],
    .n_inputs = 3,
    .port = dn_sign_port,
    .reroute = dn_sign_reroute,
    .block_init = block_init,
    .block_free = block_free,
    .read = read_virtual,
    .apply = apply,
    .calibrate = calibrate,
    .update = update,
    .recordable = recordable,
};

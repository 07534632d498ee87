/* ht_neuron: the Hill & Tononi (2005) thalamocortical neuron as NEST 2.20 implements it (kernel
 * spec §3.1), plugged into the engine's model interface. Parameters and state live in columns;
 * the numerics (RKF45 with GSL's control, NEST's step order) are in ht_neuron_dynamics.c and
 * use NEST's exact right-hand side, so traces agree with NEST 2.20 bit for bit. With AVX2+FMA a
 * block is advanced four neurons at a time (ht_neuron_batch.c), with the very same results. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/model.h"
#include "models/ht_neuron_batch.h"
#include "models/ht_neuron_dynamics.h"
#include "models/ht_vexp.h"

/* ---- columns ------------------------------------------------------------------------------- */

#define COL_ENUM(name, unit, kind, range, def, doc) C_##name,
enum {
    DN_HT_PARAMS(COL_ENUM) /* parameters first: column k = field k */
    N_PARAMS,
    C_Y = N_PARAMS,         /* the 16 ODE state variables, C_Y + DN_HT_V_M ... */
    C_REF = C_Y + DN_HT_NY, /* refractory counter (I32) */
    C_T_SPIKE,              /* time of the last spike, ms (-1: none) */
    C_I_NAP,
    C_I_KNA,
    C_I_T,
    C_I_H,     /* currents of the last RHS evaluation (recordables) */
    C_HINT,    /* GSL step-size hint (buffer, = h at init_buffers) */
    C_I_STIM,  /* current input of the present step (buffer) */
    C_V_CLAMP, /* V_m at the last calibrate (internal) */
    C_VC,      /* the V cache of dn_ht_vcache, VC_N doubles (internal) */
};

/* The V cache fields, one column each (bitwise-neutral reuse of the exponentials across steps). */
enum {
    VC_V,
    VC_D,
    VC_M_EQ_NMDA,
    VC_A1,
    VC_I_NAP,
    VC_I_KNA,
    VC_D_EQ,
    VC_M_EQ_T,
    VC_H_EQ_T,
    VC_M_EQ_H,
    VC_M_T_K,
    VC_H_T_K,
    VC_M_H_K,
    VC_EXACT,
    VC_N
};
enum { N_COLS = C_VC + VC_N };

#define COL_PARAM(name, unit, kind, range, def, doc)                                               \
    [C_##name] = {#name, DN_COL_F64, DN_ROLE_PARAM, (double)(def)},
static const dn_column cols[N_COLS] = {
    DN_HT_PARAMS(COL_PARAM)[C_Y + DN_HT_V_M] = {"V_m", DN_COL_F64, DN_ROLE_STATE,
                                                0.0}, /* proto_init sets the state */
    [C_Y + DN_HT_THETA] = {"theta", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_DG_AMPA] = {"DG_AMPA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_G_AMPA] = {"G_AMPA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_DG_NMDA] = {"DG_NMDA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_G_NMDA] = {"G_NMDA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_DG_GABA_A] = {"DG_GABA_A", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_G_GABA_A] = {"G_GABA_A", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_DG_GABA_B] = {"DG_GABA_B", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_G_GABA_B] = {"G_GABA_B", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_M_FAST_NMDA] = {"m_fast_NMDA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_M_SLOW_NMDA] = {"m_slow_NMDA", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_M_IH] = {"m_Ih", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_D_IKNA] = {"D_IKNa", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_M_IT] = {"m_IT", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_Y + DN_HT_H_IT] = {"h_IT", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_REF] = {"ref_steps", DN_COL_I32, DN_ROLE_STATE, 0},
    [C_T_SPIKE] = {"t_spike", DN_COL_F64, DN_ROLE_STATE, -1.0},
    [C_I_NAP] = {"I_NaP", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I_KNA] = {"I_KNa", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I_T] = {"I_T", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_I_H] = {"I_h", DN_COL_F64, DN_ROLE_STATE, 0.0},
    [C_HINT] = {"integration_step", DN_COL_F64, DN_ROLE_BUFFER, 0.0},
    [C_I_STIM] = {"I_stim", DN_COL_F64, DN_ROLE_BUFFER, 0.0},
    [C_V_CLAMP] = {"V_clamp", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_V] = {"vc_V", DN_COL_F64, DN_ROLE_INTERNAL, NAN},
    [C_VC + VC_D] = {"vc_D", DN_COL_F64, DN_ROLE_INTERNAL, NAN},
    [C_VC + VC_M_EQ_NMDA] = {"vc_m_eq_NMDA", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_A1] = {"vc_A1", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_I_NAP] = {"vc_I_NaP", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_I_KNA] = {"vc_I_KNa", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_D_EQ] = {"vc_D_eq", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_M_EQ_T] = {"vc_m_eq_T", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_H_EQ_T] = {"vc_h_eq_T", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_M_EQ_H] = {"vc_m_eq_h", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_M_T_K] = {"vc_m_T_k", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_H_T_K] = {"vc_h_T_k", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_M_H_K] = {"vc_m_h_k", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
    [C_VC + VC_EXACT] = {"vc_exact", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},
};

/* ---- public fields ------------------------------------------------------------------------- */

#define FT_D DN_FT_DOUBLE
#define FT_B DN_FT_BOOL
#define FIELD_PARAM(name, unit, kind, range, def, doc)                                             \
    [C_##name] = {#name, unit, FT_##kind, C_##name, DN_##range, 0, 0, 0, doc},
enum { F_V_M = N_PARAMS, F_THETA, F_T_SPIKE, F_EQUILIBRATE, N_FIELDS };
static const dn_field fields[N_FIELDS] = {
    DN_HT_PARAMS(FIELD_PARAM)[F_V_M] = {"V_m", "mV", DN_FT_DOUBLE, C_Y + DN_HT_V_M, DN_ANY, 0, 0,
                                        DN_F_STATE, "membrane potential"},
    [F_THETA] = {"theta", "mV", DN_FT_DOUBLE, C_Y + DN_HT_THETA, DN_ANY, 0, 0, DN_F_STATE,
                 "spike threshold"},
    [F_T_SPIKE] = {"t_spike", "ms", DN_FT_DOUBLE, C_T_SPIKE, DN_ANY, 0, 0,
                   DN_F_READONLY | DN_F_STATE, "time of the last spike (-1: none)"},
    /* kernel spec §3.1: accepted by SetStatus, never reported */
    [F_EQUILIBRATE] = {"equilibrate", "", DN_FT_BOOL, -1, DN_ANY, 0, 0, DN_F_HIDDEN,
                       "set the gating variables to their equilibria at V_m"},
};

/* NEST's order of the recordables and the receptor_types map (ht_neuron_meta.json). */
enum { R_G_NMDA = 3 };
static const dn_recordable recordables[] = {
    {"g_AMPA", C_Y + DN_HT_G_AMPA},
    {"g_GABA_A", C_Y + DN_HT_G_GABA_A},
    {"g_GABA_B", C_Y + DN_HT_G_GABA_B},
    [R_G_NMDA] = {"g_NMDA", -1},
    {"I_h", C_I_H},
    {"I_KNa", C_I_KNA},
    {"I_NaP", C_I_NAP},
    {"I_T", C_I_T},
    {"theta", C_Y + DN_HT_THETA},
    {"V_m", C_Y + DN_HT_V_M},
};

static const dn_named_int receptors[] = {
    {"AMPA", 1},
    {"GABA_A", 3},
    {"GABA_B", 4},
    {"NMDA", 2},
};

enum { IN_CURRENT = DN_HT_NRECEPTORS, N_INPUTS }; /* inputs 0..3: spike ports, 4: current */

/* ---- columns <-> dynamics records ------------------------------------------------------------ */

static void params_of(const dn_block *b, size_t i, dn_ht_params *p)
{
#define READ_PARAM(name, unit, kind, range, def, doc)                                              \
    p->name = (DN_HT_CTYPE_##kind)dn_col_f64(b, C_##name)[i];
    DN_HT_PARAMS(READ_PARAM)
#undef READ_PARAM
}

/* The same from a staged SetStatus record (field k = column k for parameters). */
static void params_of_rec(const double *rec, dn_ht_params *p)
{
#define REC_PARAM(name, unit, kind, range, def, doc) p->name = (DN_HT_CTYPE_##kind)rec[C_##name];
    DN_HT_PARAMS(REC_PARAM)
#undef REC_PARAM
}

static void state_load(const dn_block *b, size_t i, dn_ht_state *s)
{
    for (int k = 0; k < DN_HT_NY; k++)
        s->y[k] = dn_col_f64(b, C_Y + k)[i];
    s->ref_steps = dn_col_i32(b, C_REF)[i];
    s->I_NaP = dn_col_f64(b, C_I_NAP)[i];
    s->I_KNa = dn_col_f64(b, C_I_KNA)[i];
    s->I_T = dn_col_f64(b, C_I_T)[i];
    s->I_h = dn_col_f64(b, C_I_H)[i];
    s->hint = dn_col_f64(b, C_HINT)[i];
    s->I_stim = dn_col_f64(b, C_I_STIM)[i];
    s->V_clamp = dn_col_f64(b, C_V_CLAMP)[i];
    dn_ht_vcache *vc = &s->vc;
    vc->V = dn_col_f64(b, C_VC + VC_V)[i];
    vc->D = dn_col_f64(b, C_VC + VC_D)[i];
    vc->m_eq_NMDA = dn_col_f64(b, C_VC + VC_M_EQ_NMDA)[i];
    vc->A1 = dn_col_f64(b, C_VC + VC_A1)[i];
    vc->I_NaP = dn_col_f64(b, C_VC + VC_I_NAP)[i];
    vc->I_KNa = dn_col_f64(b, C_VC + VC_I_KNA)[i];
    vc->D_eq = dn_col_f64(b, C_VC + VC_D_EQ)[i];
    vc->m_eq_T = dn_col_f64(b, C_VC + VC_M_EQ_T)[i];
    vc->h_eq_T = dn_col_f64(b, C_VC + VC_H_EQ_T)[i];
    vc->m_eq_h = dn_col_f64(b, C_VC + VC_M_EQ_H)[i];
    vc->m_T_k = dn_col_f64(b, C_VC + VC_M_T_K)[i];
    vc->h_T_k = dn_col_f64(b, C_VC + VC_H_T_K)[i];
    vc->m_h_k = dn_col_f64(b, C_VC + VC_M_H_K)[i];
    vc->exact = (int)dn_col_f64(b, C_VC + VC_EXACT)[i];
}

static void state_store(dn_block *b, size_t i, const dn_ht_state *s)
{
    for (int k = 0; k < DN_HT_NY; k++)
        dn_col_f64(b, C_Y + k)[i] = s->y[k];
    dn_col_i32(b, C_REF)[i] = s->ref_steps;
    dn_col_f64(b, C_I_NAP)[i] = s->I_NaP;
    dn_col_f64(b, C_I_KNA)[i] = s->I_KNa;
    dn_col_f64(b, C_I_T)[i] = s->I_T;
    dn_col_f64(b, C_I_H)[i] = s->I_h;
    dn_col_f64(b, C_HINT)[i] = s->hint;
    dn_col_f64(b, C_I_STIM)[i] = s->I_stim;
    const dn_ht_vcache *vc = &s->vc;
    dn_col_f64(b, C_VC + VC_V)[i] = vc->V;
    dn_col_f64(b, C_VC + VC_D)[i] = vc->D;
    dn_col_f64(b, C_VC + VC_M_EQ_NMDA)[i] = vc->m_eq_NMDA;
    dn_col_f64(b, C_VC + VC_A1)[i] = vc->A1;
    dn_col_f64(b, C_VC + VC_I_NAP)[i] = vc->I_NaP;
    dn_col_f64(b, C_VC + VC_I_KNA)[i] = vc->I_KNa;
    dn_col_f64(b, C_VC + VC_D_EQ)[i] = vc->D_eq;
    dn_col_f64(b, C_VC + VC_M_EQ_T)[i] = vc->m_eq_T;
    dn_col_f64(b, C_VC + VC_H_EQ_T)[i] = vc->h_eq_T;
    dn_col_f64(b, C_VC + VC_M_EQ_H)[i] = vc->m_eq_h;
    dn_col_f64(b, C_VC + VC_M_T_K)[i] = vc->m_T_k;
    dn_col_f64(b, C_VC + VC_H_T_K)[i] = vc->h_T_k;
    dn_col_f64(b, C_VC + VC_M_H_K)[i] = vc->m_h_k;
    dn_col_f64(b, C_VC + VC_EXACT)[i] = vc->exact;
}

/* ---- prototype, status hooks ----------------------------------------------------------------- */

/* Kernel spec §3.1 "Initial state": V_m from the built-in leak conductances, gating variables at
 * their equilibria for the built-in defaults; computed once per prototype, so SetDefaults and
 * CopyModel of g_NaL & co. do not change it. */
static void proto_init(dn_block *proto)
{
    dn_ht_state s;
    dn_ht_state_prototype(&s);
    dn_ht_state_init_buffers(&s, 0.0);
    dn_ht_state_calibrate(&s);
    state_store(proto, 0, &s);
    dn_col_f64(proto, C_V_CLAMP)[0] = s.V_clamp;
}

static void read_virtual(const dn_block *b, size_t i, double *rec)
{
    (void)b, (void)i;
    rec[F_EQUILIBRATE] = 0.0; /* write-only */
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    dn_ht_params p;
    params_of_rec(rec, &p);
    dn_status st = dn_ht_params_check(&p, err);
    if (st != DN_OK)
        return st;
    if (changed[F_EQUILIBRATE] && rec[F_EQUILIBRATE] != 0.0) {
        /* Equilibria at the (possibly new) V_m of this dict, with the parameters in force
         * before it, as NEST's State_::set does (it is handed the node, not the new params). */
        dn_ht_params old;
        params_of(b, i, &old);
        dn_ht_state s;
        memset(&s, 0, sizeof s);
        s.y[DN_HT_V_M] = rec[F_V_M];
        dn_ht_state_equilibrate(&old, &s);
        const int gating[] = {DN_HT_M_FAST_NMDA, DN_HT_M_SLOW_NMDA, DN_HT_M_IH,
                              DN_HT_D_IKNA,      DN_HT_M_IT,        DN_HT_H_IT};
        for (size_t k = 0; k < sizeof gating / sizeof gating[0]; k++)
            dn_col_f64(b, C_Y + gating[k])[i] = s.y[gating[k]];
    }
    return DN_OK;
}

static dn_status port(const dn_model *m, dn_event_kind kind, long receptor, double weight,
                      dn_port *out, dn_error *err)
{
    (void)weight; /* weights scale conductances; no sign routing (kernel spec §3.1) */
    out->count = false;
    if (kind == DN_EV_SPIKE) {
        if (receptor >= 1 && receptor <= DN_HT_NRECEPTORS) {
            out->input = (int)receptor - 1;
            out->rport = (int)receptor - 1; /* NEST stores receptor_type - 1 */
            return DN_OK;
        }
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not a spike receptor of %s: use AMPA (1), "
                            "NMDA (2), GABA_A (3) or GABA_B (4)%s",
                            receptor, m->name,
                            receptor == 0 ? " (receptor 0 takes only currents)" : "");
    }
    if (receptor != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not valid for %s %s: use receptor_type 0",
                            receptor, kind == DN_EV_CURRENT ? "currents into" : "recording",
                            m->name);
    out->input = kind == DN_EV_CURRENT ? IN_CURRENT : 0;
    out->rport = 0;
    return DN_OK;
}

/* ---- per-block constants ----------------------------------------------------------------- */

typedef struct node_consts {
    dn_ht_params p;
    dn_ht_consts c;
} node_consts;

typedef struct priv {
    node_consts *nc;
    size_t cap;
    size_t stride; /* 0: one set shared by all nodes, 1: one per node */
} priv;

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
        free(p->nc);
    free(p);
    b->priv = NULL;
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    priv *pv = b->priv;
    if (b->n == 0)
        return DN_OK;
    bool uniform = dn_block_uniform_f64(b, 0, N_PARAMS - 1);
    const size_t need = uniform ? 1 : b->n;
    if (need > pv->cap) {
        node_consts *x = realloc(pv->nc, need * sizeof *x);
        if (!x)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
        pv->nc = x;
        pv->cap = need;
    }
    for (size_t i = 0; i < need; i++) {
        params_of(b, i, &pv->nc[i].p);
        dn_ht_consts_compute(&pv->nc[i].p, (long)c->tics_per_ms, (long)c->tics_per_step,
                             &pv->nc[i].c);
    }
    pv->stride = uniform ? 0 : 1;
    /* NEST's calibrate re-reads the clamp voltage (kernel spec §1.7); parameters may have
     * changed, so the cached V-dependent values are dropped (bitwise neutral). */
    const double *V = dn_col_f64(b, C_Y + DN_HT_V_M);
    double *Vc = dn_col_f64(b, C_V_CLAMP), *key_V = dn_col_f64(b, C_VC + VC_V),
           *key_D = dn_col_f64(b, C_VC + VC_D);
    for (size_t i = 0; i < b->n; i++) {
        Vc[i] = V[i];
        key_V[i] = NAN;
        key_D[i] = NAN;
    }
    return DN_OK;
}

static void init_buffers(dn_block *b, const dn_calib *c)
{
    /* NEST's init_buffers: the step-size hint starts at h, no current input. */
    double *hint = dn_col_f64(b, C_HINT), *I = dn_col_f64(b, C_I_STIM);
    for (size_t i = 0; i < b->n; i++) {
        hint[i] = c->h;
        I[i] = 0.0;
    }
}

/* ---- update ----------------------------------------------------------------------------- */

static bool sampled(const dn_block *b, const dn_slice *s, size_t i, int lag)
{
    return s->sample[lag] && b->log_first && b->log_first[i] != b->log_first[i + 1];
}

/* NEST would carry the NaN on silently; we stop with a clear message (t: end of the step). */
static dn_status fail_nonfinite(const dn_block *b, size_t i, double t, dn_error *err)
{
    return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                        "ht_neuron %u: the membrane potential became non-finite at t = %g ms "
                        "(numerical failure of the integration; check the parameters and input "
                        "weights)",
                        (unsigned)dn_block_gid(b, i), t);
}

/* Kernel spec §3.1 "Update of one step"; one neuron after the other, each over the slice. */
static dn_status update_one_by_one(dn_block *b, size_t first, size_t last, const dn_slice *s,
                                   dn_error *err)
{
    const priv *pv = b->priv;
    double *t_spike = dn_col_f64(b, C_T_SPIKE);
    for (size_t i = first; i < last; i++) {
        const node_consts *nc = pv->nc + i * pv->stride;
        dn_ht_state st;
        state_load(b, i, &st);
        for (int lag = s->from; lag < s->to; lag++) {
            double in[DN_HT_NRECEPTORS];
            for (int k = 0; k < DN_HT_NRECEPTORS; k++) {
                double *x = dn_input(b, s, lag, k);
                in[k] = x[i];
                x[i] = 0.0;
            }
            double *cur = dn_input(b, s, lag, IN_CURRENT);
            const double I_next = cur[i];
            cur[i] = 0.0;
            bool ok;
            const bool spiked = dn_ht_step(&nc->p, &nc->c, &st, in, I_next, &ok, NULL);
            if (spiked) {
                t_spike[i] = (double)(s->origin + lag + 1) * s->h;
                dn_emit(b, s, i, lag, 1);
            }
            if (!ok) {
                state_store(b, i, &st);
                return fail_nonfinite(b, i, (double)(s->origin + lag + 1) * s->h, err);
            }
            if (sampled(b, s, i, lag)) {
                state_store(b, i, &st);
                dn_sample(b, s, i, lag);
            }
        }
        state_store(b, i, &st);
    }
    return DN_OK;
}

/* The same, four neurons at a time in lockstep (ht_neuron_batch.h): bit-identical results. The
 * callbacks below are the loop body above, split at the points where a lane needs the engine. */
typedef struct batch_ctx {
    dn_block *b;
    const dn_slice *s;
    size_t next, last;
} batch_ctx;

static bool batch_next(void *ctx, dn_ht_job *job)
{
    batch_ctx *x = ctx;
    if (x->next >= x->last)
        return false;
    const size_t i = x->next++;
    const priv *pv = x->b->priv;
    const node_consts *nc = pv->nc + i * pv->stride;
    job->node = i;
    job->nsteps = x->s->to - x->s->from;
    job->p = &nc->p;
    job->c = &nc->c;
    state_load(x->b, i, &job->s);
    return true;
}

static void batch_inputs(void *ctx, const dn_ht_job *job, double in[DN_HT_NRECEPTORS],
                         double *I_next)
{
    const batch_ctx *x = ctx;
    const int lag = x->s->from + job->k;
    const size_t i = job->node;
    for (int k = 0; k < DN_HT_NRECEPTORS; k++) {
        double *v = dn_input(x->b, x->s, lag, k);
        in[k] = v[i];
        v[i] = 0.0;
    }
    double *cur = dn_input(x->b, x->s, lag, IN_CURRENT);
    *I_next = cur[i];
    cur[i] = 0.0;
}

static void batch_stepped(void *ctx, const dn_ht_job *job, bool spiked)
{
    const batch_ctx *x = ctx;
    const int lag = x->s->from + job->k;
    const size_t i = job->node;
    if (spiked) {
        dn_col_f64(x->b, C_T_SPIKE)[i] = (double)(x->s->origin + lag + 1) * x->s->h;
        dn_emit(x->b, x->s, i, lag, 1);
    }
    if (sampled(x->b, x->s, i, lag)) {
        state_store(x->b, i, &job->s);
        dn_sample(x->b, x->s, i, lag);
    }
}

static void batch_done(void *ctx, const dn_ht_job *job)
{
    const batch_ctx *x = ctx;
    state_store(x->b, job->node, &job->s);
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    /* A lone neuron would leave three lanes idle: one at a time is faster then. */
    if (!dn_ht_vmath_use() || last - first < 2)
        return update_one_by_one(b, first, last, s, err);
    batch_ctx x = {b, s, first, last};
    const dn_ht_batch_io io = {&x, batch_next, batch_inputs, batch_stepped, batch_done};
    size_t bad;
    int k;
    if (dn_ht_batch_run(&io, NULL, &bad, &k))
        return DN_OK;
    return fail_nonfinite(b, bad, (double)(s->origin + s->from + k + 1) * s->h, err);
}

/* g_NMDA = G_NMDA · m_NMDA(V) (kernel spec §3.1 "Recordables"). */
static double recordable(const dn_block *b, size_t i, int r)
{
    (void)r; /* only g_NMDA is virtual */
    dn_ht_params p;
    p.S_act_NMDA = dn_col_f64(b, C_S_act_NMDA)[i];
    p.V_act_NMDA = dn_col_f64(b, C_V_act_NMDA)[i];
    p.instant_unblock_NMDA = dn_col_f64(b, C_instant_unblock_NMDA)[i] != 0.0;
    dn_ht_state s;
    memset(&s, 0, sizeof s);
    for (int k = 0; k < DN_HT_NY; k++)
        s.y[k] = dn_col_f64(b, C_Y + k)[i];
    s.vc.V = dn_col_f64(b, C_VC + VC_V)[i];
    s.vc.m_eq_NMDA = dn_col_f64(b, C_VC + VC_M_EQ_NMDA)[i];
    return dn_ht_recordable_value(&p, &s, DN_HT_REC_G_NMDA);
}

const dn_model dn_model_ht_neuron = {
    .name = "ht_neuron",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "Hill & Tononi (2005) neuron with AMPA/NMDA/GABA_A/GABA_B synapses and intrinsic "
           "currents (NEST 2.20 ht_neuron)",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = N_FIELDS,
    .recordables = recordables,
    .n_recordables = sizeof recordables / sizeof recordables[0],
    .receptors = receptors,
    .n_receptors = sizeof receptors / sizeof receptors[0],
    .n_inputs = N_INPUTS,
    .port = port,
    .proto_init = proto_init,
    .block_init = block_init,
    .block_free = block_free,
    .read = read_virtual,
    .apply = apply,
    .calibrate = calibrate,
    .init_buffers = init_buffers,
    .update = update,
    .recordable = recordable,
};

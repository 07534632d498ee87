/* ht_neuron numerics (Hill & Tononi 2005 as implemented in NEST 2.20): parameters, derived
 * constants, the 16-variable state, the right-hand side, NEST's GSL RKF45 evolve and one
 * simulation step. Engine-independent: the model descriptor (ht_neuron.c) and the tests use it.
 * Kernel spec §2 (integrator) and §3.1 (model); every formula below cites them. */
#ifndef DENEST_MODELS_HT_NEURON_DYNAMICS_H
#define DENEST_MODELS_HT_NEURON_DYNAMICS_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/error.h"

/* Components of the ODE state vector (kernel spec §3.1; the order is internal). */
enum {
    DN_HT_V_M = 0,
    DN_HT_THETA,
    DN_HT_DG_AMPA,
    DN_HT_G_AMPA,
    DN_HT_DG_NMDA,
    DN_HT_G_NMDA,
    DN_HT_DG_GABA_A,
    DN_HT_G_GABA_A,
    DN_HT_DG_GABA_B,
    DN_HT_G_GABA_B,
    DN_HT_M_FAST_NMDA,
    DN_HT_M_SLOW_NMDA,
    DN_HT_M_IH,
    DN_HT_D_IKNA,
    DN_HT_M_IT,
    DN_HT_H_IT,
    DN_HT_NY /* 16 */
};

/* Internal spike ports: receptor_type − 1 (kernel spec §3.1 "Receptors"). */
enum { DN_HT_AMPA = 0, DN_HT_NMDA, DN_HT_GABA_A, DN_HT_GABA_B, DN_HT_NRECEPTORS };

/* Receptor names indexed by internal port (AMPA = port 0 = receptor_type 1). */
extern const char *const dn_ht_receptor_names[DN_HT_NRECEPTORS];

/* The parameters, one table for every use (struct, defaults, the model's field table, docs):
 * X(name, unit, kind, range, default, doc) with kind D (double) or B (bool) and range ANY, POS
 * (> 0), NONNEG (>= 0) as checked field by field (kernel spec §3.1 table and "Checks"; the
 * cross-field checks are in dn_ht_params_check). Conductances are dimensionless and currents
 * are in mV (they are divided by tau_m). Defaults: NEST 2.20's GetDefaults("ht_neuron"). */
#define DN_HT_PARAMS(X)                                                                            \
    X(E_Na, "mV", D, ANY, 30.0, "sodium leak reversal potential, also the spike peak")             \
    X(E_K, "mV", D, ANY, -90.0, "potassium leak and spike-current reversal potential")             \
    X(g_NaL, "", D, NONNEG, 0.2, "sodium leak conductance")                                        \
    X(g_KL, "", D, NONNEG, 1.0, "potassium leak conductance")                                      \
    X(tau_m, "ms", D, POS, 16.0, "membrane time constant")                                         \
    X(theta_eq, "mV", D, ANY, -51.0, "equilibrium threshold")                                      \
    X(tau_theta, "ms", D, POS, 2.0, "threshold time constant")                                     \
    X(tau_spike, "ms", D, POS, 1.75, "time constant of the post-spike potassium current")          \
    X(t_ref, "ms", D, NONNEG, 2.0, "duration of the post-spike current and refractoriness")        \
    X(g_peak_AMPA, "", D, NONNEG, 0.1, "peak conductance of AMPA input of weight 1")               \
    X(tau_rise_AMPA, "ms", D, POS, 0.5, "AMPA rise time constant")                                 \
    X(tau_decay_AMPA, "ms", D, POS, 2.4, "AMPA decay time constant")                               \
    X(E_rev_AMPA, "mV", D, ANY, 0.0, "AMPA reversal potential")                                    \
    X(g_peak_NMDA, "", D, NONNEG, 0.075, "peak conductance of NMDA input of weight 1")             \
    X(tau_rise_NMDA, "ms", D, POS, 4.0, "NMDA rise time constant")                                 \
    X(tau_decay_NMDA, "ms", D, POS, 40.0, "NMDA decay time constant")                              \
    X(E_rev_NMDA, "mV", D, ANY, 0.0, "NMDA reversal potential")                                    \
    X(V_act_NMDA, "mV", D, ANY, -25.57, "NMDA unblock half-activation potential")                  \
    X(S_act_NMDA, "1/mV", D, NONNEG, 0.081, "NMDA unblock slope")                                  \
    X(tau_Mg_slow_NMDA, "ms", D, POS, 22.7, "slow NMDA unblock time constant")                     \
    X(tau_Mg_fast_NMDA, "ms", D, POS, 0.68, "fast NMDA unblock time constant")                     \
    X(instant_unblock_NMDA, "", B, ANY, 0, "NMDA unblocks instantaneously")                        \
    X(g_peak_GABA_A, "", D, NONNEG, 0.33, "peak conductance of GABA_A input of weight 1")          \
    X(tau_rise_GABA_A, "ms", D, POS, 1.0, "GABA_A rise time constant")                             \
    X(tau_decay_GABA_A, "ms", D, POS, 7.0, "GABA_A decay time constant")                           \
    X(E_rev_GABA_A, "mV", D, ANY, -70.0, "GABA_A reversal potential")                              \
    X(g_peak_GABA_B, "", D, NONNEG, 0.0132, "peak conductance of GABA_B input of weight 1")        \
    X(tau_rise_GABA_B, "ms", D, POS, 60.0, "GABA_B rise time constant")                            \
    X(tau_decay_GABA_B, "ms", D, POS, 200.0, "GABA_B decay time constant")                         \
    X(E_rev_GABA_B, "mV", D, ANY, -90.0, "GABA_B reversal potential")                              \
    X(g_peak_NaP, "", D, NONNEG, 1.0, "peak conductance of the persistent sodium current")         \
    X(E_rev_NaP, "mV", D, ANY, 30.0, "persistent sodium reversal potential")                       \
    X(g_peak_KNa, "", D, NONNEG, 1.0, "peak conductance of the sodium-dependent K current")        \
    X(E_rev_KNa, "mV", D, ANY, -90.0, "sodium-dependent potassium reversal potential")             \
    X(tau_D_KNa, "ms", D, POS, 1250.0, "time constant of the sodium concentration D")              \
    X(g_peak_T, "", D, NONNEG, 1.0, "peak conductance of the T-type calcium current")              \
    X(E_rev_T, "mV", D, ANY, 0.0, "T-type calcium reversal potential")                             \
    X(g_peak_h, "", D, NONNEG, 1.0, "peak conductance of the h current")                           \
    X(E_rev_h, "mV", D, ANY, -40.0, "h-current reversal potential")                                \
    X(voltage_clamp, "", B, ANY, 0, "clamp V_m to its value at the start of each Simulate")

#define DN_HT_CTYPE_D double
#define DN_HT_CTYPE_B bool
#define DN_HT_PARAM_MEMBER(name, unit, kind, range, def, doc) DN_HT_CTYPE_##kind name;

typedef struct dn_ht_params {
    DN_HT_PARAMS(DN_HT_PARAM_MEMBER)
} dn_ht_params;

/* Constants derived from the parameters and the resolution at calibrate (kernel spec §3.1
 * "Synaptic normalisation", §1.1 round_steps). Shared by all neurons with the same parameters. */
typedef struct dn_ht_consts {
    double h;                           /* simulation step, ms */
    double cond_step[DN_HT_NRECEPTORS]; /* DG jump per unit weight */
    int ref_steps;                      /* round_steps(t_ref) + 1, set on a spike */
    /* Rates 1/tau used by the fast right-hand side instead of divisions. */
    double r_tau_m, r_tau_theta, r_tau_spike, r_tau_Mg_fast, r_tau_Mg_slow, r_tau_D_KNa;
    double r_tau_rise[DN_HT_NRECEPTORS], r_tau_decay[DN_HT_NRECEPTORS];
} dn_ht_consts;

/* Values of the right-hand side that depend only on the membrane potential V (and D_IKNa),
 * kept per neuron so that an evaluation at an unchanged (V, D) skips the 12 exponentials.
 * GSL evaluates dydt_in at exactly the state where the previous accepted substep evaluated
 * dydt_out, so in the common case each substep saves one full evaluation. Bitwise neutral. */
typedef struct dn_ht_vcache {
    double V, D;          /* keys: the V (clamped if clamping) and D_IKNa they hold */
    double m_eq_NMDA, A1; /* NMDA unblock equilibrium, fast-unblock fraction */
    double I_NaP, I_KNa;  /* intrinsic currents (mV) */
    double D_eq;          /* D_IKNa equilibrium */
    double m_eq_T, h_eq_T, m_eq_h;
    double m_T_k, h_T_k, m_h_k; /* gating kinetics: tau (exact variant) or 1/tau (fast) */
    int exact;                  /* which variant filled the cache */
} dn_ht_vcache;

/* Per-neuron dynamic state: everything that changes during a simulation. One record per neuron;
 * a model may store an array of them. */
typedef struct dn_ht_state {
    double y[DN_HT_NY];
    double hint;    /* GSL's suggested step size carried across steps ("IntegrationStep"), ms */
    double I_stim;  /* current input during this step (pA read as mV, kernel spec §3.1) */
    double V_clamp; /* V_m at the last calibrate, used when voltage_clamp is set */
    double I_NaP, I_KNa, I_T, I_h; /* recordable currents of the last RHS evaluation */
    int ref_steps;                 /* refractory counter; > 0 switches I_spike on */
    dn_ht_vcache vc;
} dn_ht_state;

/* The values a multimeter samples (kernel spec §3.1 "Recordables"). */
typedef enum dn_ht_recordable {
    DN_HT_REC_V_M = 0,
    DN_HT_REC_THETA,
    DN_HT_REC_G_AMPA,
    DN_HT_REC_G_NMDA,
    DN_HT_REC_G_GABA_A,
    DN_HT_REC_G_GABA_B,
    DN_HT_REC_I_NAP,
    DN_HT_REC_I_KNA,
    DN_HT_REC_I_T,
    DN_HT_REC_I_H,
    DN_HT_NRECORDABLES
} dn_ht_recordable;

extern const char *const dn_ht_recordable_names[DN_HT_NRECORDABLES];

/* ---- parameters ------------------------------------------------------------------------- */

/* NEST 2.20's built-in defaults. */
void dn_ht_params_default(dn_ht_params *p);

/* Checks of kernel spec §3.1: g_* and S_act_NMDA >= 0, t_ref >= 0, every tau > 0,
 * tau_rise_X < tau_decay_X, tau_Mg_fast_NMDA < tau_Mg_slow_NMDA. On failure returns DN_EINPUT
 * with a message naming the parameter, its value and the rule (err may be NULL). */
dn_status dn_ht_params_check(const dn_ht_params *p, dn_error *err);

/* Refractory step count with NEST's rounding (kernel spec §1.1): t_ref ms → tics (round half
 * up) → steps (ceiling). */
int dn_ht_round_steps(double t_ms, long tics_per_ms, long tics_per_step);

/* Derived constants for step h = tics_per_step / tics_per_ms ms. Parameters must be valid. */
void dn_ht_consts_compute(const dn_ht_params *p, long tics_per_ms, long tics_per_step,
                          dn_ht_consts *c);

/* Peak-normalisation factor of a rise/decay synapse (kernel spec §3.1): a unit input makes G
 * peak at g_peak. Requires 0 < tau_rise < tau_decay. */
double dn_ht_cond_step(double g_peak, double tau_rise, double tau_decay);

/* ---- state ------------------------------------------------------------------------------ */

/* The prototype state every new node starts from (kernel spec §3.1 "Initial state"): V_m from
 * the BUILT-IN default leak conductances (-70 mV), theta = theta_eq of the built-in defaults,
 * gating variables at their equilibria for the built-in defaults; DG/G = 0; not refractory.
 * Integration buffers are reset as by dn_ht_state_init_buffers with h = 0 (call it later). */
void dn_ht_state_prototype(dn_ht_state *s);

/* `equilibrate`: set m_fast, m_slow, m_Ih, D_IKNa, m_IT, h_IT to their equilibria at the present
 * V_m using the node's parameters p. */
void dn_ht_state_equilibrate(const dn_ht_params *p, dn_ht_state *s);

/* NEST's init_buffers: the step-size hint back to h, the current input to 0. */
void dn_ht_state_init_buffers(dn_ht_state *s, double h);

/* NEST's calibrate for one node: V_clamp := present V_m; forget cached RHS values (the
 * parameters may have changed). */
void dn_ht_state_calibrate(dn_ht_state *s);

/* ---- dynamics ---------------------------------------------------------------------------
 * Two variants of the right-hand side share one integrator (RKF45 + control + evolve, GSL's bit
 * for bit whichever right-hand side it is given):
 *  - exact (dn_ht_step, dn_ht_evolve; what the ht_neuron model runs): NEST's formulas operation
 *    by operation with scalar libm. With the same libm the trajectories are bit-identical to
 *    NEST 2.20: every reference trace is reproduced exactly. Where ht_vexp.h's kernels are in
 *    use (AVX2+FMA, checked against libm at first use) the 12 exp and 2 pow of an evaluation run
 *    in vector lanes with libm's own operation sequence: the same bits, faster. The model itself
 *    integrates blocks four neurons at a time in lockstep (ht_neuron_batch.h), again with the
 *    same bits.
 *  - fast (dn_ht_step_fast, dn_ht_evolve_fast; not used by the model): the 12 exponentials
 *    evaluated together with libmvec's vector exp, no pow, rates instead of divisions; about
 *    1.8x faster. Its last-bit differences feed GSL's step-size control (the error estimate is
 *    a small difference of large numbers), so hints drift and values move by up to ~2e-5
 *    relative around spikes at h >= 0.5 ms; spikes stayed identical in all reference traces. */

/* Exact right-hand side at state y for node state s (ref_steps, I_stim, V_clamp), writing f.
 * Stores I_NaP, I_KNa, I_T, I_h into s (NEST records the currents of the last evaluation).
 * Always evaluates in full, as NEST does: the reference for GSL-driven integration. */
void dn_ht_rhs(const dn_ht_params *p, dn_ht_state *s, const double y[DN_HT_NY], double f[DN_HT_NY]);

/* Fast right-hand side (uses and refreshes the V cache of s; c supplies the rates 1/tau). */
void dn_ht_rhs_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                    const double y[DN_HT_NY], double f[DN_HT_NY]);

/* m_eq_NMDA(V) for the post-substep NMDA re-blocking: from the V cache when it holds V (so the
 * value matches the variant that filled it), otherwise computed with scalar exp. */
double dn_ht_m_eq_NMDA(const dn_ht_params *p, const dn_ht_state *s, double V);

/* Statistics of integration (optional, for tests and benchmarks). */
typedef struct dn_ht_counters {
    unsigned long evolve_calls; /* accepted evolve calls (substeps) */
    unsigned long attempts;     /* RKF45 attempts incl. rejected ones */
    unsigned long rhs_full;     /* RHS evaluations that computed the exponentials */
    unsigned long rhs_cached;   /* RHS evaluations served from the V cache */
} dn_ht_counters;

/* One call of NEST's evolve (kernel spec §2.3): advance s->y from time t0 toward t1 using and
 * updating s->hint. Returns the new time. RKF45 + standard control eps_abs 1e-3, eps_rel 0,
 * a_y 1, a_dydt 0 exactly as GSL 2.7's gsl_odeiv_evolve_apply. `cnt` may be NULL. */
double dn_ht_evolve_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s, double t0,
                         double t1, dn_ht_counters *cnt);
double dn_ht_evolve(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s, double t0,
                    double t1, dn_ht_counters *cnt);

/* One simulation step of length c->h in the order of kernel spec §3.1 "Update of one step":
 * substeps with clamp and spike test after each, refractory decrement, DG_X += cond_step_X ·
 * in[X] (sum of weight × multiplicity arriving on port X this step; `in` may be NULL),
 * I_stim := I_next (the current read from the buffer this step, used during the next step).
 * Returns true when the neuron spiked in this step (at most once). Sets *ok to false if V
 * became non-finite (NEST would carry NaN on silently; we report it). `cnt` may be NULL. */
bool dn_ht_step_fast(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                     const double in[DN_HT_NRECEPTORS], double I_next, bool *ok,
                     dn_ht_counters *cnt);
bool dn_ht_step(const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                const double in[DN_HT_NRECEPTORS], double I_next, bool *ok, dn_ht_counters *cnt);

/* The value of one recordable at the present state (g_NMDA includes the unblock factor from
 * the current, possibly clamped, V: kernel spec §3.1 "Recordables"). */
double dn_ht_recordable_value(const dn_ht_params *p, const dn_ht_state *s, dn_ht_recordable r);

#endif

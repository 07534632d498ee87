/* ht_neuron stepped through GSL's own gsl_odeiv (v1) rkf45 + control_y_new(1e-3, 0) + evolve,
 * exactly as NEST 2.20 does. The reference the fast integrator of ht_neuron_dynamics.c is
 * tested against, and the "NEST-equivalent" baseline of bench/ht_neuron.c. */
#ifndef DENEST_MODELS_HT_NEURON_GSL_H
#define DENEST_MODELS_HT_NEURON_GSL_H

#include "models/ht_neuron_dynamics.h"

/* GSL objects reusable for any number of neurons, one per thread. */
typedef struct dn_ht_gsl dn_ht_gsl;

/* NULL when out of memory. */
dn_ht_gsl *dn_ht_gsl_new(void);
void dn_ht_gsl_free(dn_ht_gsl *g);

/* One gsl_odeiv_evolve_apply call from t0 toward t1 for neuron s (hint in s->hint), with the
 * exact (NEST) or the fast right-hand side. Returns the new time; *ok false if GSL failed. */
double dn_ht_gsl_evolve(dn_ht_gsl *g, const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                        double t0, double t1, bool exact, bool *ok);

/* Same contract as dn_ht_step / dn_ht_step_exact, with the substeps made by GSL. */
bool dn_ht_gsl_step(dn_ht_gsl *g, const dn_ht_params *p, const dn_ht_consts *c, dn_ht_state *s,
                    const double in[DN_HT_NRECEPTORS], double I_next, bool exact, bool *ok);

#endif

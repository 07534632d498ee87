/* ht_synapse depression (Hill & Tononi 2005; kernel spec §6.3) as a pure function, shared by the
 * synapse model (ht_synapse.c) and its tests: recovery of the pool P since the last spike, the
 * transmitted weight w·P, then depression of P. */
#ifndef DENEST_MODELS_HT_SYNAPSE_DYNAMICS_H
#define DENEST_MODELS_HT_SYNAPSE_DYNAMICS_H

#include <math.h>

/* NEST's defaults (GetDefaults("ht_synapse")). */
#define DN_HT_SYN_TAU_P 500.0
#define DN_HT_SYN_DELTA_P 0.125
#define DN_HT_SYN_P 1.0

/* A spike with emission stamp t_spike (ms) passes a connection of weight w whose pool is *P and
 * whose previous spike passed at *t_last (0 initially, so the first spike sees full recovery).
 * Returns the weight sent to the target, w·P after recovery (what a weight_recorder logs), and
 * leaves *P depressed and *t_last = t_spike. The operations are NEST's, in NEST's order. */
static inline double dn_ht_synapse_send(double w, double tau_P, double delta_P, double *P,
                                        double *t_last, double t_spike)
{
    *P = 1.0 - (1.0 - *P) * exp(-(t_spike - *t_last) / tau_P);
    const double sent = w * *P;
    *P *= 1.0 - delta_P;
    *t_last = t_spike;
    return sent;
}

#endif

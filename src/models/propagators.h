/* Propagator matrix elements of exact integration for current-based LIF models with
 * exponential/alpha synapses, with the near-singular case handled (kernel spec §3.2). */
#ifndef DN_PROPAGATORS_H
#define DN_PROPAGATORS_H

/* Effect of the synaptic current's derivative (alpha) on V over one step h. */
double dn_propagator_31(double tau_syn, double tau_m, double c_m, double h);
/* Effect of the synaptic current on V over one step h. */
double dn_propagator_32(double tau_syn, double tau_m, double c_m, double h);

#endif

/* ht_neuron integrated four neurons at a time: each AVX2 lane carries one neuron through NEST's
 * RKF45 (kernel spec §2) in lockstep with the others, so the long dependency chains of one
 * neuron's right-hand side (12 exp, 2 pow, 38 divisions in a row) overlap with three others'.
 * Every lane performs exactly the scalar integrator's operations (ht_neuron_dynamics.c), so
 * results are bit-identical to dn_ht_step; only available where dn_ht_vmath_use() holds. */
#ifndef DENEST_MODELS_HT_NEURON_BATCH_H
#define DENEST_MODELS_HT_NEURON_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "models/ht_neuron_dynamics.h"

/* One neuron to advance by `nsteps` simulation steps. */
typedef struct dn_ht_job {
    size_t node;           /* the caller's index of the neuron */
    int nsteps;            /* steps to advance (>= 1) */
    int k;                 /* the step in progress, 0 .. nsteps-1 (set by the integrator) */
    const dn_ht_params *p; /* parameters and derived constants, valid until done() */
    const dn_ht_consts *c;
    dn_ht_state s; /* the state: filled by next(), current at stepped() and done() */
} dn_ht_job;

/* How the integrator gets work and hands results back. Calls for one job come in order:
 * next, then per step k: inputs, stepped; then done. Jobs in different lanes interleave. */
typedef struct dn_ht_batch_io {
    void *ctx;
    /* Fill node, nsteps, p, c and s of the next job; false when there is none left. */
    bool (*next)(void *ctx, dn_ht_job *job);
    /* The input of step job->k: spike input per port (sum of weight × multiplicity) and the
     * current read in this step (it drives the next step). */
    void (*inputs)(void *ctx, const dn_ht_job *job, double in[DN_HT_NRECEPTORS], double *I_next);
    /* Step job->k is complete (its input applied); `spiked` if the neuron fired in it. */
    void (*stepped)(void *ctx, const dn_ht_job *job, bool spiked);
    /* The job is finished (or failed: then job->k is the failing step). */
    void (*done)(void *ctx, const dn_ht_job *job);
} dn_ht_batch_io;

/* Run every job io->next hands out. Returns true when all completed. If V became non-finite in
 * some job, no further job is started, the jobs in progress are completed, and false is
 * returned with that job's node and step in *failed_node / *failed_step. `cnt` may be NULL.
 * Requires dn_ht_vmath_use() (returns false at once with *failed_node = SIZE_MAX otherwise). */
bool dn_ht_batch_run(const dn_ht_batch_io *io, dn_ht_counters *cnt, size_t *failed_node,
                     int *failed_step);

#endif

/* Counter-based random streams (Philox4x64-10 from Random123) exposed as a GSL generator.
 *
 * Every random draw in deNEST-C comes from a stream named by (seed, purpose, id1, id2): e.g.
 * (master seed, DN_RNG_POISSON, generator gid, target gid) or (seed, DN_RNG_TOPOLOGY, projection
 * index, driver gid). A stream's values depend only on its name and on how many values were taken
 * from it, never on which thread draws them, so results are identical for any thread count
 * (architecture.md §3 "Determinism beyond NEST").
 *
 * The generator is a gsl_rng, so GSL's distributions (gsl_ran_poisson, gsl_ran_gaussian, ...) draw
 * from it directly. Allocate one per thread and re-point it at a stream with dn_rng_seek. */
#ifndef DENEST_RNG_H
#define DENEST_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Purposes: the second key word, so streams of different uses never overlap. Append only. */
enum dn_rng_purpose {
    DN_RNG_GENERIC = 0,
    DN_RNG_POISSON = 1,  /* poisson_generator: (generator gid, target gid), counter = step */
    DN_RNG_TOPOLOGY = 2, /* topological connections: (projection index, driver gid) */
    DN_RNG_CONNECT = 3,  /* other connection rules: (call index, driver gid) */
    DN_RNG_NEURON = 4,   /* stochastic neuron dynamics: (gid, 0) */
    DN_RNG_WEIGHTS = 5,  /* random weights/delays: (projection index, driver gid) */
};

/* The GSL generator type ("dn_philox4x64"); min 0, max 2^64-1 truncated to unsigned long. */
extern const gsl_rng_type *dn_rng_philox;

/* A new generator (NULL when out of memory); free with gsl_rng_free. Starts on stream
 * (0, DN_RNG_GENERIC, 0, 0). */
gsl_rng *dn_rng_alloc(void);

/* Point r at the start of stream (seed, purpose, id1, id2), skipping the first `offset` blocks of
 * four 64-bit words (offset lets a stream be split into independent chunks, e.g. one per
 * simulation step). */
void dn_rng_seek(gsl_rng *r, uint64_t seed, uint32_t purpose, uint64_t id1, uint64_t id2,
                 uint64_t offset);

/* Raw 64-bit value and uniform double in [0, 1) with 53 random bits. */
uint64_t dn_rng_u64(gsl_rng *r);
double dn_rng_uniform(gsl_rng *r);

#endif

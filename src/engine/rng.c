/* Philox4x64-10 streams wrapped as a GSL generator type (see include/denest/rng.h). */
#include "denest/rng.h"

#include <Random123/philox.h>
#include <string.h>

typedef struct dn_rng_state {
    philox4x64_key_t key;
    philox4x64_ctr_t ctr;
    philox4x64_ctr_t out;
    unsigned used; /* words of `out` already handed out (4 = need a new block) */
} dn_rng_state;

static void philox_set(void *vstate, unsigned long seed)
{
    dn_rng_state *s = vstate;
    memset(s, 0, sizeof *s);
    s->key.v[0] = seed;
    s->used = 4;
}

static inline uint64_t philox_next(dn_rng_state *s)
{
    if (s->used == 4) {
        s->out = philox4x64(s->ctr, s->key);
        s->ctr.v[3]++;
        s->used = 0;
    }
    return s->out.v[s->used++];
}

static unsigned long philox_get(void *vstate)
{
    return (unsigned long)philox_next(vstate);
}

static double philox_get_double(void *vstate)
{
    return (double)(philox_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type philox_type = {
    "dn_philox4x64", (unsigned long)-1, 0, sizeof(dn_rng_state), philox_set, philox_get,
    philox_get_double,
};

const gsl_rng_type *dn_rng_philox = &philox_type;

gsl_rng *dn_rng_alloc(void)
{
    gsl_rng *r = gsl_rng_alloc(dn_rng_philox);
    return r;
}

void dn_rng_seek(gsl_rng *r, uint64_t seed, uint32_t purpose, uint64_t id1, uint64_t id2,
                 uint64_t offset)
{
    dn_rng_state *s = r->state;
    s->key.v[0] = seed;
    s->key.v[1] = purpose;
    s->ctr.v[0] = id1;
    s->ctr.v[1] = id2;
    s->ctr.v[2] = 0;
    s->ctr.v[3] = offset;
    s->used = 4;
}

uint64_t dn_rng_u64(gsl_rng *r)
{
    return philox_next(r->state);
}

double dn_rng_uniform(gsl_rng *r)
{
    return philox_get_double(r->state);
}

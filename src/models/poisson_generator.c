/* poisson_generator: an independent Poisson train per target (kernel spec §4.2). Each target's
 * draws come from its own random stream (seed, DN_RNG_POISSON, generator GID, target GID) of
 * rng.h, 32 bits per step (step n uses half n % 8 of block n / 8), so trains do not depend on the
 * number of threads or on how the simulated time is split into Simulate calls. Small rates use
 * an inversion table built from GSL's Poisson cdf (one 32-bit uniform per draw: the hot path of
 * large networks); large rates use gsl_ran_poisson on a per-step stream. */
#include <Random123/philox.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>

#include "denest/rng.h"
#include "models/device.h"

enum { C_RATE = DV_END, N_COLS };

static const dn_column cols[N_COLS] = {
    DN_DEVICE_COLUMNS,
    [C_RATE] = {"rate", DN_COL_F64, DN_ROLE_PARAM, 0.0},
};

static const dn_field fields[] = {
    DN_DEVICE_FIELDS,
    {"rate", "Hz", DN_FT_DOUBLE, C_RATE, DN_NONNEG, 0, 0, 0, "mean firing rate"},
};

#define TABLE_MAX_LAMBDA 64.0 /* above: gsl_ran_poisson per draw */
#define TABLE_LEN 256

typedef struct ptab {
    double lambda;
    int len;                 /* 0: no table (lambda 0 or large) */
    uint64_t thr[TABLE_LEN]; /* k = number of thresholds <= the 32-bit uniform */
    unsigned char lut[256];  /* k for uniforms with these top 8 bits, 255: look in thr */
} ptab;

typedef struct priv {
    ptab *t; /* one per node */
    size_t cap;
    gsl_rng *rng;
} priv;

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
    free(p->t);
    gsl_rng_free(p->rng);
    free(p);
    b->priv = NULL;
}

static dn_status apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    (void)b;
    (void)i;
    (void)changed;
    return dn_device_check_window(rec, "poisson_generator", err);
}

static unsigned draw_table(const ptab *t, uint64_t u);

static void build_table(ptab *t, double lambda)
{
    t->lambda = lambda;
    t->len = 0;
    if (!(lambda > 0) || lambda > TABLE_MAX_LAMBDA)
        return;
    /* u32 / 2^32 >= P(K <= k)  <=>  u32 >= ceil(P(K <= k) * 2^32); the last is unreachable */
    for (int k = 0; k < TABLE_LEN; k++) {
        double c = gsl_cdf_poisson_P((unsigned)k, lambda);
        t->thr[k] = (uint64_t)ceil(c * 4294967296.0);
        t->len = k + 1;
        if (t->thr[k] >= 4294967296u)
            break;
    }
    t->thr[t->len - 1] = UINT64_MAX;
    /* cells of the top 8 bits that lie inside one bucket are answered by a single lookup */
    for (uint64_t i = 0; i < 256; i++) {
        unsigned a = draw_table(t, i << 24), b = draw_table(t, ((i + 1) << 24) - 1);
        t->lut[i] = (unsigned char)(a == b && a < 255 ? a : 255);
    }
}

static dn_status calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    priv *p = b->priv;
    dn_device_window_calibrate(b, c);
    if (b->n > p->cap) {
        ptab *x = realloc(p->t, b->n * sizeof *x);
        if (!x)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
        p->t = x;
        p->cap = b->n;
    }
    /* spec §4.2: lambda recomputed at each Simulate */
    for (size_t i = 0; i < b->n; i++)
        build_table(&p->t[i], dn_col_f64(b, C_RATE)[i] * c->h * 1e-3);
    return DN_OK;
}

static unsigned draw_table(const ptab *t, uint64_t u)
{
    unsigned k = 0;
    while (u >= t->thr[k])
        k++;
    return k;
}

/* Block `blk` of stream (seed, DN_RNG_POISSON, g, tg): the words dn_rng_seek(r, seed,
 * DN_RNG_POISSON, g, tg, blk) would hand out, computed inline (the hot path). */
static inline philox4x64_ctr_t stream_block(uint64_t seed, uint64_t g, uint64_t tg, uint64_t blk)
{
    philox4x64_key_t key = {{seed, DN_RNG_POISSON}};
    philox4x64_ctr_t ctr = {{g, tg, 0, blk}};
    return philox4x64(ctr, key);
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    priv *p = b->priv;
    const double *tmin = dn_col_f64(b, DV_TMIN), *tmax = dn_col_f64(b, DV_TMAX);
    for (size_t i = first; i < last; i++) {
        const ptab *t = &p->t[i];
        if (!(t->lambda > 0))
            continue;
        /* spec §1.10: draws in step n iff t_min < n <= t_max (n = left end) */
        int lo = s->from, hi = s->to;
        while (lo < hi && !((double)(s->origin + lo) > tmin[i]))
            lo++;
        while (hi > lo && !((double)(s->origin + hi - 1) <= tmax[i]))
            hi--;
        if (lo >= hi)
            continue;
        dn_gid g = dn_block_gid(b, i);
        const dn_span *sp;
        size_t ns = dn_device_targets(b, s, i, &sp);
        uint32_t base = s->slot0;
        for (size_t q = 0; q < ns; q++) {
            const dn_conn *c = sp[q].table->c + sp[q].first;
            for (size_t j = 0; j < sp[q].count; j++) {
                dn_gid tg = dn_chan_gid(s, c[j].chan);
                uint32_t d = dn_conn_delay(&c[j]);
                double w = dn_conn_count(&c[j]) ? 1.0 : c[j].weight;
                double *ring = s->ring + c[j].chan;
                if (t->len > 0) {
                    int64_t n = s->origin + lo;
                    philox4x64_ctr_t blk = stream_block(s->seed, g, tg, (uint64_t)n / 8);
                    for (int lag = lo; lag < hi; lag++, n++) {
                        unsigned half = (unsigned)(n % 8);
                        if (half == 0 && lag > lo)
                            blk = stream_block(s->seed, g, tg, (uint64_t)n / 8);
                        uint64_t word = blk.v[half / 2];
                        uint64_t u = (half & 1) ? word >> 32 : word & 0xffffffffu;
                        unsigned k = t->lut[u >> 24];
                        if (k == 255)
                            k = draw_table(t, u);
                        if (k == 0)
                            continue;
                        uint32_t sl = base + (uint32_t)lag + d;
                        while (sl >= s->nslots)
                            sl -= s->nslots;
                        ring[(size_t)sl * s->nchan] += w * (double)k;
                    }
                } else {
                    for (int lag = lo; lag < hi; lag++) {
                        /* one stream block per step keeps draws independent of slicing */
                        dn_rng_seek(p->rng, s->seed, DN_RNG_POISSON, g, tg,
                                    (uint64_t)(s->origin + lag) | (1ull << 62));
                        unsigned k = gsl_ran_poisson(p->rng, t->lambda);
                        if (k == 0)
                            continue;
                        uint32_t sl = base + (uint32_t)lag + d;
                        while (sl >= s->nslots)
                            sl -= s->nslots;
                        ring[(size_t)sl * s->nchan] += w * (double)k;
                    }
                }
            }
        }
    }
    return DN_OK;
}

const dn_model dn_model_poisson_generator = {
    .name = "poisson_generator",
    .element_type = DN_ELEM_STIMULATOR,
    .flags = DN_MODEL_EMITS,
    .doc = "independent Poisson spike trains, one per target",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .block_init = block_init,
    .block_free = block_free,
    .apply = apply,
    .calibrate = calibrate,
    .update = update,
};

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

/* The table draws of nl consecutive steps from n0 on, of stream (g, tg), into k[l * kstride]. */
static void draw_steps(const ptab *t, uint64_t seed, dn_gid g, dn_gid tg, int64_t n0, int nl,
                       unsigned char *k, size_t kstride)
{
    uint64_t n = (uint64_t)n0; /* steps are >= 0; unsigned keeps n % 8 a mask */
    philox4x64_ctr_t blk = stream_block(seed, g, tg, n / 8);
    for (int l = 0; l < nl; l++, n++) {
        unsigned half = (unsigned)(n % 8);
        if (half == 0 && l > 0)
            blk = stream_block(seed, g, tg, n / 8);
        uint64_t word = blk.v[half / 2];
        uint64_t u = (half & 1) ? word >> 32 : word & 0xffffffffu;
        unsigned x = t->lut[u >> 24];
        k[(size_t)l * kstride] = (unsigned char)(x == 255 ? draw_table(t, u) : x);
    }
}

enum { JCH = 64, LCH = 16 }; /* connections x steps drawn at a time */

/* Table draws for the connections of span sp over the lags [lo, hi). With one delay for the
 * whole span the draws of JCH connections are made first and then added lag by lag, so the
 * adds of a lag run along one ring slot instead of jumping between min_delay slots from draw
 * to draw (bench/brunel: the strided adds were half of this model's time). A ring entry still
 * receives its adds in connection order: with one delay it is written at one lag only. Mixed
 * delays (or count-only inputs) keep that order by going one connection at a time. */
static void send_table(const ptab *t, const dn_slice *s, dn_gid g, const dn_span *sp, int lo,
                       int hi)
{
    const dn_conn *c = sp->table->c + sp->first;
    const size_t jch = sp->delay ? JCH : 1;
    unsigned char kk[LCH][JCH];
    for (size_t j0 = 0; j0 < sp->count; j0 += jch) {
        size_t nj = sp->count - j0 < jch ? sp->count - j0 : jch;
        for (int l0 = lo; l0 < hi; l0 += LCH) {
            int nl = hi - l0 < LCH ? hi - l0 : LCH;
            for (size_t j = 0; j < nj; j++)
                draw_steps(t, s->seed, g, dn_chan_gid(s, c[j0 + j].chan), s->origin + l0, nl,
                           &kk[0][j], JCH);
            for (int l = 0; l < nl; l++) {
                if (sp->delay) {
                    uint32_t sl = s->slot0 + (uint32_t)(l0 + l) + sp->delay;
                    while (sl >= s->nslots)
                        sl -= s->nslots;
                    double *row = s->ring + (size_t)sl * s->nchan;
                    for (size_t j = 0; j < nj; j++)
                        if (kk[l][j])
                            row[c[j0 + j].chan] += c[j0 + j].weight * (double)kk[l][j];
                } else {
                    for (size_t j = 0; j < nj; j++) {
                        const dn_conn *cj = &c[j0 + j];
                        if (!kk[l][j])
                            continue;
                        double w = dn_conn_count(cj) ? 1.0 : cj->weight;
                        dn_ring_add(s, cj->chan, l0 + l, dn_conn_delay(cj), w * (double)kk[l][j]);
                    }
                }
            }
        }
    }
}

/* Large rates: gsl_ran_poisson, one stream block per step (draws independent of slicing). */
static void send_large(priv *p, const ptab *t, const dn_slice *s, dn_gid g, const dn_span *sp,
                       int lo, int hi)
{
    const dn_conn *c = sp->table->c + sp->first;
    for (size_t j = 0; j < sp->count; j++) {
        dn_gid tg = dn_chan_gid(s, c[j].chan);
        double w = dn_conn_count(&c[j]) ? 1.0 : c[j].weight;
        for (int lag = lo; lag < hi; lag++) {
            dn_rng_seek(p->rng, s->seed, DN_RNG_POISSON, g, tg,
                        (uint64_t)(s->origin + lag) | (1ull << 62));
            unsigned k = gsl_ran_poisson(p->rng, t->lambda);
            if (k != 0)
                dn_ring_add(s, c[j].chan, lag, dn_conn_delay(&c[j]), w * (double)k);
        }
    }
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
        for (size_t q = 0; q < ns; q++) {
            if (t->len > 0)
                send_table(t, s, g, &sp[q], lo, hi);
            else
                send_large(p, t, s, g, &sp[q], lo, hi);
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

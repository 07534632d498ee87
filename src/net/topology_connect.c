/* The connection algorithms of a ConnectLayers call (kernel spec §7.6): candidate pool nodes per
 * iterated node found with NEST's anchor rule (§7.4) through a bucket index of the pool layer,
 * then Bernoulli trials (A, B) or fixed fan-in / fan-out draws (C, D), in parallel over node
 * locations with a fixed output order and one random stream per iterated node. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <omp.h>

#include "denest/rng.h"
#include "denest/topology.h"
#include "net/topology_internal.h"

/* ---- rows ---------------------------------------------------------------------------------- */

void dn_topo_rows_free(dn_topo_rows *rows)
{
    if (rows != NULL) {
        free(rows->items);
        rows->items = NULL;
        rows->len = rows->cap = 0;
    }
}

static bool rows_reserve(dn_topo_rows *rows, size_t extra)
{
    if (rows->len + extra <= rows->cap) {
        return true;
    }
    size_t cap = rows->cap ? rows->cap : 256;
    while (cap < rows->len + extra) {
        if (cap > SIZE_MAX / 2 / sizeof(dn_topo_conn)) {
            return false;
        }
        cap *= 2;
    }
    dn_topo_conn *p = realloc(rows->items, cap * sizeof *p);
    if (p == NULL) {
        return false;
    }
    rows->items = p;
    rows->cap = cap;
    return true;
}

static inline bool rows_push(dn_topo_rows *rows, uint64_t s, uint64_t t, double w, double d)
{
    if (rows->len == rows->cap && !rows_reserve(rows, 1)) {
        return false;
    }
    rows->items[rows->len++] = (dn_topo_conn){s, t, w, d};
    return true;
}

/* ---- the pool: positions, nodes by location, bucket index ---------------------------------- */

typedef struct pool {
    const dn_topo_layer *layer; /* the pool nodes' own layer (positions for displacements) */
    size_t n_loc;
    double *pos; /* 2·n_loc: positions in the geometry masks are tested in */
    double ll[2], ext[2];
    bool periodic;
    size_t *nstart; /* n_loc + 1: pool nodes of location l are ngid[nstart[l] .. nstart[l+1]) */
    uint64_t *ngid;
    size_t nb[2]; /* bucket grid over the non-empty locations */
    double b0[2], bw[2];
    size_t *bstart; /* nb[0]·nb[1] + 1 */
    uint32_t *bloc;
} pool;

static void pool_free(pool *P)
{
    free(P->pos);
    free(P->nstart);
    free(P->ngid);
    free(P->bstart);
    free(P->bloc);
}

static size_t bucket_of(double x, double b0, double bw, size_t nb)
{
    double t = (x - b0) / bw; /* monotone in x, so a query range maps to a bucket range */
    if (!(t > 0)) {
        return 0;
    }
    if (t >= (double)nb) {
        return nb - 1;
    }
    return (size_t)t;
}

static double pmod(double x, double p)
{
    double r = fmod(x, p);
    return r < 0 ? r + p : r;
}

/* geom: layer whose lower-left corner, extent and periodicity the mask tests use. For the
 * converse mask of algorithm B that is the source layer's corner with the target layer's extent
 * and periodicity (§7.6 B); positions outside that box are folded into it. */
static dn_status pool_build(pool *P, const dn_topo_layer *layer, const dn_topo_nodes *nodes,
                            const double ll[2], const double ext[2], bool periodic, dn_error *err,
                            const char *path)
{
    memset(P, 0, sizeof *P);
    P->layer = layer;
    P->n_loc = dn_topo_layer_size(layer);
    P->periodic = periodic;
    for (int i = 0; i < 2; i++) {
        P->ll[i] = ll[i];
        P->ext[i] = ext[i];
    }
    size_t n = P->n_loc;
    P->pos = malloc(2 * n * sizeof(double));
    P->nstart = calloc(n + 1, sizeof(size_t));
    P->ngid = malloc((nodes->n ? nodes->n : 1) * sizeof(uint64_t));
    if (P->pos == NULL || P->nstart == NULL || P->ngid == NULL) {
        return dn_error_set(err, DN_ENOMEM, NULL, path, "out of memory");
    }
    for (size_t k = 0; k < nodes->n; k++) {
        if (nodes->locs[k] >= n) {
            return dn_error_set(err, DN_EINPUT, NULL, path,
                                "node %llu has location %u, but its layer has %zu locations",
                                (unsigned long long)nodes->gids[k], (unsigned)nodes->locs[k], n);
        }
        P->nstart[nodes->locs[k] + 1]++;
    }
    for (size_t l = 0; l < n; l++) {
        P->nstart[l + 1] += P->nstart[l];
    }
    size_t *fill = malloc((n ? n : 1) * sizeof(size_t));
    if (fill == NULL) {
        return dn_error_set(err, DN_ENOMEM, NULL, path, "out of memory");
    }
    memcpy(fill, P->nstart, n * sizeof(size_t));
    for (size_t k = 0; k < nodes->n; k++) {
        P->ngid[fill[nodes->locs[k]]++] = nodes->gids[k];
    }
    free(fill);

    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    size_t used = 0;
    for (size_t l = 0; l < n; l++) {
        double *p = P->pos + 2 * l;
        dn_topo_layer_position(layer, l, p);
        for (int i = 0; i < 2 && periodic; i++) {
            if (!(p[i] >= ll[i] && p[i] < ll[i] + ext[i])) {
                p[i] = ll[i] + pmod(p[i] - ll[i], ext[i]);
            }
        }
        if (P->nstart[l + 1] > P->nstart[l]) {
            used++;
            for (int i = 0; i < 2; i++) {
                lo[i] = fmin(lo[i], p[i]);
                hi[i] = fmax(hi[i], p[i]);
            }
        }
    }
    /* Bucket grid: one bucket per grid cell for grid layers, about one location per bucket for
     * free layers; bucket k of dimension i is centred on b0 + (k + 1/2)·bw. */
    if (layer->rows > 0) {
        P->nb[0] = (size_t)layer->columns;
        P->nb[1] = (size_t)layer->rows;
    } else {
        size_t side = (size_t)ceil(sqrt((double)(used ? used : 1)));
        P->nb[0] = P->nb[1] = side;
    }
    for (int i = 0; i < 2; i++) {
        if (used == 0 || P->nb[i] < 2 || !(hi[i] > lo[i])) {
            P->nb[i] = 1;
            P->bw[i] = 1.0;
            P->b0[i] = used ? lo[i] - 0.5 : 0.0;
        } else {
            P->bw[i] = (hi[i] - lo[i]) / (double)(P->nb[i] - 1);
            P->b0[i] = lo[i] - P->bw[i] / 2;
        }
    }
    size_t nbk = P->nb[0] * P->nb[1];
    P->bstart = calloc(nbk + 1, sizeof(size_t));
    P->bloc = malloc((used ? used : 1) * sizeof(uint32_t));
    size_t *bfill = malloc(nbk * sizeof(size_t));
    if (P->bstart == NULL || P->bloc == NULL || bfill == NULL) {
        free(bfill);
        return dn_error_set(err, DN_ENOMEM, NULL, path, "out of memory");
    }
    for (size_t l = 0; l < n; l++) {
        if (P->nstart[l + 1] > P->nstart[l]) {
            const double *p = P->pos + 2 * l;
            size_t b = bucket_of(p[1], P->b0[1], P->bw[1], P->nb[1]) * P->nb[0] +
                       bucket_of(p[0], P->b0[0], P->bw[0], P->nb[0]);
            P->bstart[b + 1]++;
        }
    }
    for (size_t b = 0; b < nbk; b++) {
        P->bstart[b + 1] += P->bstart[b];
    }
    memcpy(bfill, P->bstart, nbk * sizeof(size_t));
    for (size_t l = 0; l < n; l++) {
        if (P->nstart[l + 1] > P->nstart[l]) {
            const double *p = P->pos + 2 * l;
            size_t b = bucket_of(p[1], P->b0[1], P->bw[1], P->nb[1]) * P->nb[0] +
                       bucket_of(p[0], P->b0[0], P->bw[0], P->nb[0]);
            P->bloc[bfill[b]++] = (uint32_t)l;
        }
    }
    free(bfill);
    return DN_OK;
}

/* ---- candidates ----------------------------------------------------------------------------- */

/* One candidate location for one anchor pass: its displacement (for kernel, weights, delays) and
 * the kernel value there when it is deterministic. */
typedef struct entry {
    uint32_t loc;
    double d[2];
    double p;
} entry;

typedef struct entries {
    entry *items;
    size_t len, cap;
} entries;

static bool entries_push(entries *E, entry e)
{
    if (E->len == E->cap) {
        size_t cap = E->cap ? 2 * E->cap : 64;
        entry *p = realloc(E->items, cap * sizeof *p);
        if (p == NULL) {
            return false;
        }
        E->items = p;
        E->cap = cap;
    }
    E->items[E->len++] = e;
    return true;
}

/* The whole connection call, resolved. */
typedef struct job {
    const dn_topo_call *call;
    const dn_topo_spec *spec;
    int algo;                      /* 'A', 'B', 'C', 'D' */
    const dn_topo_layer *it_layer; /* layer of the iterated nodes */
    const dn_topo_nodes *it_nodes;
    const dn_topo_layer *disp_layer; /* geometry of kernel/weight/delay displacements */
    bool disp_to_it;                 /* B: displacement from pool node to iterated node */
    bool it_is_source;               /* D */
    pool P;
    bool has_mask;
    topo_mask mask;
    bool kernel_random;
    size_t *order;  /* iterated nodes sorted by location */
    size_t *gstart; /* groups of equal location: order[gstart[g] .. gstart[g+1]) */
    size_t n_groups;
} job;

/* §7.4: the anchors X tested for an iterated node at a (at most 4 in 2-D). */
static int mask_anchors(const job *J, const double a[2], double X[4][2])
{
    const pool *P = &J->P;
    const topo_mask *m = &J->mask;
    double x0[2] = {a[0], a[1]};
    if (P->periodic) {
        for (int i = 0; i < 2; i++) {
            /* move the mask box's lower edge into [LL, LL + L) */
            x0[i] = pmod((a[i] + m->lo[i]) - P->ll[i], P->ext[i]) - m->lo[i] + P->ll[i];
        }
    }
    X[0][0] = x0[0];
    X[0][1] = x0[1];
    int n = 1;
    for (int i = 0; i < 2 && P->periodic; i++) {
        if ((x0[i] + m->hi[i]) - P->ll[i] > P->ext[i]) {
            /* the box sticks out at the top: add the image one period down */
            for (int k = 0; k < n; k++) {
                X[n + k][0] = X[k][0];
                X[n + k][1] = X[k][1];
                X[n + k][i] -= P->ext[i];
            }
            n *= 2;
        }
    }
    return n;
}

static bool add_entry(const job *J, entries *E, uint32_t loc, const double a[2])
{
    entry e = {.loc = loc, .p = 1.0};
    double p[2];
    dn_topo_layer_position(J->P.layer, loc, p);
    if (J->disp_to_it) {
        dn_topo_displacement(J->disp_layer, p, a, e.d);
    } else {
        dn_topo_displacement(J->disp_layer, a, p, e.d);
    }
    if (J->spec->has_kernel && !J->kernel_random) {
        e.p = dn_topo_param_value(&J->spec->kernel, e.d, NULL);
    }
    return entries_push(E, e);
}

/* Candidate locations of an iterated node at position a, one entry per anchor pass. */
static bool candidates(const job *J, const double a[2], entries *E)
{
    const pool *P = &J->P;
    E->len = 0;
    if (!J->has_mask) {
        for (size_t l = 0; l < P->n_loc; l++) {
            if (P->nstart[l + 1] > P->nstart[l] && !add_entry(J, E, (uint32_t)l, a)) {
                return false;
            }
        }
        return true;
    }
    double X[4][2];
    int nx = mask_anchors(J, a, X);
    for (int k = 0; k < nx; k++) {
        size_t b_lo[2], b_hi[2];
        for (int i = 0; i < 2; i++) {
            double lo = X[k][i] + J->mask.lo[i], hi = X[k][i] + J->mask.hi[i];
            /* the exact test below decides; the margin only keeps rounding from hiding a node */
            double margin = 1e-9 * (1.0 + fabs(lo) + fabs(hi));
            b_lo[i] = bucket_of(lo - margin, P->b0[i], P->bw[i], P->nb[i]);
            b_hi[i] = bucket_of(hi + margin, P->b0[i], P->bw[i], P->nb[i]);
        }
        for (size_t by = b_lo[1]; by <= b_hi[1]; by++) {
            for (size_t bx = b_lo[0]; bx <= b_hi[0]; bx++) {
                size_t b = by * P->nb[0] + bx;
                for (size_t s = P->bstart[b]; s < P->bstart[b + 1]; s++) {
                    uint32_t l = P->bloc[s];
                    const double *p = P->pos + 2 * (size_t)l;
                    double q[2] = {p[0] - X[k][0], p[1] - X[k][1]};
                    if (topo_mask_inside(&J->mask, q) && !add_entry(J, E, l, a)) {
                        return false;
                    }
                }
            }
        }
    }
    return true;
}

/* ---- per-thread scratch --------------------------------------------------------------------- */

typedef struct uniq {
    size_t node; /* index into P.ngid */
    double d[2];
} uniq;

typedef struct scratch {
    gsl_rng *rng;
    entries E;
    uint32_t *slot; /* per pool node: index into u, or UINT32_MAX */
    uniq *u;
    double *w;
    unsigned char *chosen;
    size_t *act;
    double *wact;
    size_t ucap;
} scratch;

static void scratch_free(scratch *S)
{
    if (S->rng) {
        gsl_rng_free(S->rng);
    }
    free(S->E.items);
    free(S->slot);
    free(S->u);
    free(S->w);
    free(S->chosen);
    free(S->act);
    free(S->wact);
    memset(S, 0, sizeof *S);
}

static bool scratch_grow(scratch *S, size_t need)
{
    if (need <= S->ucap) {
        return true;
    }
    size_t cap = S->ucap ? S->ucap : 64;
    while (cap < need) {
        cap *= 2;
    }
    uniq *u = realloc(S->u, cap * sizeof *u);
    if (u) {
        S->u = u;
    }
    double *w = realloc(S->w, cap * sizeof *w);
    if (w) {
        S->w = w;
    }
    unsigned char *c = realloc(S->chosen, cap);
    if (c) {
        S->chosen = c;
    }
    size_t *a = realloc(S->act, cap * sizeof *a);
    if (a) {
        S->act = a;
    }
    double *wa = realloc(S->wact, cap * sizeof *wa);
    if (wa) {
        S->wact = wa;
    }
    if (!u || !w || !c || !a || !wa) {
        return false;
    }
    S->ucap = cap;
    return true;
}

/* ---- the algorithms ------------------------------------------------------------------------- */

static inline bool emit(const job *J, dn_topo_rows *rows, uint64_t it_gid, uint64_t pool_gid,
                        const double d[2], gsl_rng *rng)
{
    const dn_topo_spec *sp = J->spec;
    double w =
        sp->has_weights ? dn_topo_param_value(&sp->weights, d, rng) : J->call->default_weight;
    double dl = sp->has_delays ? dn_topo_param_value(&sp->delays, d, rng) : J->call->default_delay;
    if (J->it_is_source) {
        return rows_push(rows, it_gid, pool_gid, w, dl);
    }
    return rows_push(rows, pool_gid, it_gid, w, dl);
}

/* A and B: a Bernoulli trial per (iterated node, pool node, anchor pass). */
static dn_status bernoulli(const job *J, scratch *S, uint64_t gid, dn_topo_rows *rows,
                           dn_error *err)
{
    const dn_topo_spec *sp = J->spec;
    const pool *P = &J->P;
    gsl_rng *rng = S->rng;
    for (size_t k = 0; k < S->E.len; k++) {
        const entry *e = &S->E.items[k];
        double p = e->p;
        for (size_t j = P->nstart[e->loc]; j < P->nstart[e->loc + 1]; j++) {
            uint64_t pg = P->ngid[j];
            if (!sp->allow_autapses && pg == gid) {
                continue;
            }
            if (sp->has_kernel) {
                if (J->kernel_random) {
                    p = dn_topo_param_value(&sp->kernel, e->d, rng);
                }
                /* p >= 1 always connects, p <= 0 (or NaN) never: no draw needed */
                if (!(p > 0) || (p < 1 && !(dn_rng_uniform(rng) < p))) {
                    continue;
                }
            }
            if (!emit(J, rows, gid, pg, e->d, rng)) {
                return dn_error_set(err, DN_ENOMEM, NULL, sp->path, "out of memory");
            }
        }
    }
    return DN_OK;
}

static dn_status not_enough(const job *J, uint64_t gid, size_t n, dn_error *err)
{
    const dn_topo_spec *sp = J->spec;
    char path[DN_ERROR_PATH_MAX];
    topo_path(path, sizeof path, sp->path, "number_of_connections");
    const char *who = J->it_is_source ? "targets" : "sources";
    const char *node = J->it_is_source ? "source" : "target";
    if (n == 0) {
        return dn_error_set(err, DN_EINPUT, &sp->number_mark, path,
                            "Not enough %s found inside mask: %s %llu has no candidate (inside "
                            "the mask, kernel > 0%s)",
                            who, node, (unsigned long long)gid,
                            sp->allow_autapses ? "" : ", not itself");
    }
    return dn_error_set(err, DN_EINPUT, &sp->number_mark, path,
                        "Not enough %s found inside mask: %s %llu has %zu distinct candidate(s) "
                        "(inside the mask, kernel > 0%s) but number_of_connections is %lld and "
                        "allow_multapses is false",
                        who, node, (unsigned long long)gid, n,
                        sp->allow_autapses ? "" : ", not itself",
                        (long long)sp->number_of_connections);
}

static dn_status nomem(const job *J, dn_error *err)
{
    return dn_error_set(err, DN_ENOMEM, NULL, J->spec->path, "out of memory");
}

/* C and D: exactly K partners drawn with probability proportional to the kernel (summed over
 * anchor passes). decisions.md: the node itself is excluded whenever allow_autapses is false,
 * and with allow_multapses false a pair is never drawn twice. */
static dn_status fixed_degree(const job *J, scratch *S, uint64_t gid, dn_topo_rows *rows,
                              dn_error *err)
{
    const dn_topo_spec *sp = J->spec;
    const pool *P = &J->P;
    gsl_rng *rng = S->rng;
    size_t K = (size_t)sp->number_of_connections;
    size_t nu = 0;
    for (size_t k = 0; k < S->E.len; k++) {
        const entry *e = &S->E.items[k];
        for (size_t j = P->nstart[e->loc]; j < P->nstart[e->loc + 1]; j++) {
            if (!sp->allow_autapses && P->ngid[j] == gid) {
                continue;
            }
            double w = 1.0;
            if (sp->has_kernel) {
                w = J->kernel_random ? dn_topo_param_value(&sp->kernel, e->d, rng) : e->p;
            }
            if (!(w > 0)) {
                continue;
            }
            if (isinf(w)) {
                for (size_t i = 0; i < nu; i++) {
                    S->slot[S->u[i].node] = UINT32_MAX;
                }
                char path[DN_ERROR_PATH_MAX];
                return dn_error_set(err, DN_EINPUT, &sp->kernel.mark,
                                    topo_path(path, sizeof path, sp->path, "kernel"),
                                    "the kernel is infinite at distance %g from node %llu; "
                                    "fixed fan-in/fan-out needs finite weights",
                                    hypot(e->d[0], e->d[1]), (unsigned long long)gid);
            }
            uint32_t s = S->slot[j];
            if (s == UINT32_MAX) {
                if (!scratch_grow(S, nu + 1)) {
                    for (size_t i = 0; i < nu; i++) {
                        S->slot[S->u[i].node] = UINT32_MAX;
                    }
                    return nomem(J, err);
                }
                S->slot[j] = (uint32_t)nu;
                S->u[nu] = (uniq){.node = j, .d = {e->d[0], e->d[1]}};
                S->w[nu] = w;
                nu++;
            } else {
                S->w[s] += w; /* a node visited by several passes is proportionally likelier */
            }
        }
    }
    for (size_t i = 0; i < nu; i++) {
        S->slot[S->u[i].node] = UINT32_MAX;
    }
    if (K == 0) {
        return DN_OK;
    }
    if (nu == 0 || (!sp->allow_multapses && nu < K)) {
        return not_enough(J, gid, nu, err);
    }
    if (!sp->allow_multapses && nu == K) {
        for (size_t i = 0; i < nu; i++) {
            if (!emit(J, rows, gid, P->ngid[S->u[i].node], S->u[i].d, rng)) {
                return nomem(J, err);
            }
        }
        return DN_OK;
    }
    /* scale weights to at most 1 so their sum cannot overflow */
    double wmax = 0;
    for (size_t i = 0; i < nu; i++) {
        wmax = fmax(wmax, S->w[i]);
    }
    for (size_t i = 0; i < nu; i++) {
        S->w[i] /= wmax;
        S->chosen[i] = 0;
        S->act[i] = i;
        S->wact[i] = S->w[i];
    }
    size_t na = nu;
    double total = 0;
    for (size_t i = 0; i < na; i++) {
        total += S->wact[i];
    }
    gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(na, S->wact);
    if (table == NULL) {
        return nomem(J, err);
    }
    double removed = 0;
    size_t made = 0;
    while (made < K) {
        size_t i = S->act[gsl_ran_discrete(rng, table)];
        if (!sp->allow_multapses) {
            if (S->chosen[i]) {
                continue; /* rejection keeps the draw proportional among the remaining nodes */
            }
            S->chosen[i] = 1;
            removed += S->w[i];
        }
        if (!emit(J, rows, gid, P->ngid[S->u[i].node], S->u[i].d, rng)) {
            gsl_ran_discrete_free(table);
            return nomem(J, err);
        }
        made++;
        if (!sp->allow_multapses && made < K && removed > 0.5 * total) {
            /* more than half the weight is taken: redraw from the rest only, so the expected
             * number of rejections per connection stays below one */
            gsl_ran_discrete_free(table);
            na = 0;
            total = 0;
            for (size_t k = 0; k < nu; k++) {
                if (!S->chosen[k]) {
                    S->act[na] = k;
                    S->wact[na] = S->w[k];
                    total += S->w[k];
                    na++;
                }
            }
            removed = 0;
            table = gsl_ran_discrete_preproc(na, S->wact);
            if (table == NULL) {
                return nomem(J, err);
            }
        }
    }
    gsl_ran_discrete_free(table);
    return DN_OK;
}

/* Groups g0 .. g1 of iterated nodes (equal location each) into rows. */
static dn_status run_chunk(const job *J, scratch *S, size_t g0, size_t g1, dn_topo_rows *rows,
                           dn_error *err)
{
    const dn_topo_call *C = J->call;
    for (size_t g = g0; g < g1; g++) {
        size_t first = J->order[J->gstart[g]];
        double a[2];
        dn_topo_layer_position(J->it_layer, J->it_nodes->locs[first], a);
        if (!candidates(J, a, &S->E)) {
            return nomem(J, err);
        }
        for (size_t k = J->gstart[g]; k < J->gstart[g + 1]; k++) {
            uint64_t gid = J->it_nodes->gids[J->order[k]];
            dn_rng_seek(S->rng, C->seed, DN_RNG_TOPOLOGY, C->projection, gid, 0);
            dn_status st = J->algo == 'A' || J->algo == 'B' ? bernoulli(J, S, gid, rows, err)
                                                            : fixed_degree(J, S, gid, rows, err);
            if (st != DN_OK) {
                return st;
            }
        }
    }
    return DN_OK;
}

/* ---- setup ---------------------------------------------------------------------------------- */

static dn_status group_nodes(job *J, dn_error *err)
{
    const dn_topo_nodes *N = J->it_nodes;
    size_t n_loc = dn_topo_layer_size(J->it_layer);
    size_t *count = calloc(n_loc + 1, sizeof(size_t));
    J->order = malloc((N->n ? N->n : 1) * sizeof(size_t));
    J->gstart = calloc(N->n + 1, sizeof(size_t));
    if (count == NULL || J->order == NULL || J->gstart == NULL) {
        free(count);
        return nomem(J, err);
    }
    for (size_t k = 0; k < N->n; k++) {
        if (N->locs[k] >= n_loc) {
            free(count);
            return dn_error_set(err, DN_EINPUT, NULL, J->spec->path,
                                "node %llu has location %u, but its layer has %zu locations",
                                (unsigned long long)N->gids[k], (unsigned)N->locs[k], n_loc);
        }
        count[N->locs[k] + 1]++;
    }
    J->n_groups = 0;
    for (size_t l = 0; l < n_loc; l++) {
        if (count[l + 1] > 0) {
            J->gstart[J->n_groups++] = count[l];
        }
        count[l + 1] += count[l];
    }
    J->gstart[J->n_groups] = N->n;
    for (size_t k = 0; k < N->n; k++) { /* stable: given order kept within a location */
        J->order[count[N->locs[k]]++] = k;
    }
    free(count);
    return DN_OK;
}

static dn_status check_oversize(const job *J, dn_error *err)
{
    const dn_topo_spec *sp = J->spec;
    if (!J->P.periodic || sp->allow_oversized_mask) {
        return DN_OK;
    }
    char path[DN_ERROR_PATH_MAX];
    for (int i = 0; i < 2; i++) {
        double width = J->mask.hi[i] - J->mask.lo[i];
        if (width > J->P.ext[i]) {
            /* §7.4: strictly wider than the periodic layer; exactly as wide is allowed */
            return dn_error_set(err, DN_EINPUT, &sp->mask.mark,
                                topo_path(path, sizeof path, sp->path, "mask"),
                                "Mask size must not exceed layer size: the mask is %g wide in %c "
                                "but the wrapped layer it selects from is %g; make the mask "
                                "smaller or set allow_oversized_mask: true",
                                width, i ? 'y' : 'x', J->P.ext[i]);
        }
    }
    return DN_OK;
}

static dn_status setup(job *J, const dn_topo_call *C, dn_error *err)
{
    const dn_topo_spec *sp = C->spec;
    memset(J, 0, sizeof *J);
    J->call = C;
    J->spec = sp;
    bool conv = sp->type == DN_TOPO_CONVERGENT;
    bool fixed = sp->number_of_connections >= 0;
    J->algo = conv ? (fixed ? 'C' : 'A') : (fixed ? 'D' : 'B');
    J->kernel_random = sp->has_kernel && dn_topo_param_is_random(&sp->kernel);
    const dn_topo_layer *src = C->source_layer, *tgt = C->target_layer;
    const dn_topo_layer *pool_layer; /* the layer whose nodes are candidates */
    const dn_topo_nodes *pool_nodes;
    const dn_topo_layer *geom; /* corner, extent and wrap of the mask tests */
    double ll[2];
    switch (J->algo) {
    case 'B':
        /* §7.6 B: iterate over targets, converse mask on the source layer, whose tree takes the
         * target layer's extent and periodicity but keeps its own lower-left corner */
        J->it_layer = tgt;
        J->it_nodes = &C->targets;
        pool_layer = src;
        pool_nodes = &C->sources;
        geom = tgt;
        J->disp_layer = tgt;
        J->disp_to_it = true;
        break;
    case 'D':
        J->it_layer = src;
        J->it_nodes = &C->sources;
        J->it_is_source = true;
        pool_layer = geom = J->disp_layer = tgt;
        pool_nodes = &C->targets;
        break;
    default: /* A, C */
        J->it_layer = tgt;
        J->it_nodes = &C->targets;
        pool_layer = geom = J->disp_layer = src;
        pool_nodes = &C->sources;
        break;
    }
    for (int i = 0; i < 2; i++) {
        ll[i] = pool_layer->center[i] - pool_layer->extent[i] / 2;
    }
    dn_status st =
        pool_build(&J->P, pool_layer, pool_nodes, ll, geom->extent, geom->edge_wrap, err, sp->path);
    if (st != DN_OK) {
        return st;
    }
    if (sp->has_mask) {
        char path[DN_ERROR_PATH_MAX];
        /* grid masks are measured in cells of the semantic pool layer (§7.4) */
        st = topo_mask_resolve(&sp->mask, conv ? src : tgt, J->algo == 'B', &J->mask, err,
                               topo_path(path, sizeof path, sp->path, "mask"));
        if (st != DN_OK) {
            return st;
        }
        J->has_mask = true;
        if ((st = check_oversize(J, err)) != DN_OK) {
            return st;
        }
    } else if (J->algo == 'D' && tgt->edge_wrap && !sp->allow_oversized_mask) {
        /* §7.6 D: without a mask NEST uses an unbounded mask, which is oversized on a wrapped
         * layer. (With allow_oversized_mask every target is a candidate once.) */
        return dn_error_set(err, DN_EINPUT, &sp->mark, sp->path,
                            "Mask size must not exceed layer size: a divergent projection with "
                            "number_of_connections and no mask onto a wrapped (edge_wrap) layer "
                            "selects from an unbounded mask; give a mask or set "
                            "allow_oversized_mask: true");
    }
    return group_nodes(J, err);
}

static void job_free(job *J)
{
    pool_free(&J->P);
    free(J->order);
    free(J->gstart);
}

static dn_status append_rows(const dn_topo_conn *rows, size_t n, void *ctx, dn_error *err)
{
    dn_topo_rows *out = ctx;
    if (!rows_reserve(out, n)) {
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory (%zu connections)",
                            out->len + n);
    }
    memcpy(out->items + out->len, rows, n * sizeof *rows);
    out->len += n;
    return DN_OK;
}

dn_status dn_topo_connect(const dn_topo_call *C, dn_topo_rows *out, dn_error *err)
{
    return dn_topo_connect_cb(C, append_rows, out, err);
}

dn_status dn_topo_connect_cb(const dn_topo_call *C, dn_topo_sink sink, void *ctx, dn_error *err)
{
    job J;
    dn_status st = setup(&J, C, err);
    if (st != DN_OK) {
        job_free(&J);
        return st;
    }
    int nt = C->threads > 0 ? C->threads : omp_get_max_threads();
    /* Chunks of consecutive location groups, handed to the sink in order: the output never
     * depends on the chunking or the thread count, only the load balance does. */
    size_t n_it = J.it_nodes->n;
    size_t per_chunk = n_it / ((size_t)nt * 16) + 1;
    if (per_chunk < 64) {
        per_chunk = 64;
    }
    size_t *cstart = malloc((J.n_groups + 1) * sizeof(size_t));
    if (cstart == NULL) {
        st = nomem(&J, err);
        job_free(&J);
        return st;
    }
    size_t n_chunks = 0;
    for (size_t g = 0, acc = per_chunk; g < J.n_groups; g++) {
        if (acc >= per_chunk) {
            cstart[n_chunks++] = g;
            acc = 0;
        }
        acc += J.gstart[g + 1] - J.gstart[g];
    }
    cstart[n_chunks] = J.n_groups;
    /* NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): read by the OpenMP pragma */
    const int team = nt <= (int)n_chunks ? nt : n_chunks > 0 ? (int)n_chunks : 1;

    dn_status status = DN_OK; /* written only inside the ordered region */
    int failed_flag = 0;      /* read by chunks that start later, to skip useless work */
    size_t n_pool = J.P.nstart[J.P.n_loc];
#pragma omp parallel num_threads(team)
    {
        scratch S = {0};
        dn_topo_rows rows = {0}; /* reused from chunk to chunk: no fresh pages per chunk */
        bool ready = (S.rng = dn_rng_alloc()) != NULL;
        if (ready && (J.algo == 'C' || J.algo == 'D')) {
            S.slot = malloc((n_pool ? n_pool : 1) * sizeof(uint32_t));
            ready = S.slot != NULL;
            for (size_t i = 0; ready && i < n_pool; i++) {
                S.slot[i] = UINT32_MAX;
            }
        }
#pragma omp for ordered schedule(dynamic, 1)
        for (size_t c = 0; c < n_chunks; c++) {
            dn_error cerr;
            dn_error_clear(&cerr);
            dn_status cst;
            int failed;
            rows.len = 0;
#pragma omp atomic read
            failed = failed_flag;
            if (failed) {
                cst = DN_OK; /* an earlier chunk failed: skip the work */
            } else if (!ready) {
                cst = nomem(&J, &cerr);
            } else {
                cst = run_chunk(&J, &S, cstart[c], cstart[c + 1], &rows, &cerr);
            }
#pragma omp ordered
            {
                if (status == DN_OK && cst == DN_OK && rows.len > 0) {
                    cst = sink(rows.items, rows.len, ctx, &cerr);
                    if (cst != DN_OK && cerr.path[0] == '\0') {
                        snprintf(cerr.path, sizeof cerr.path, "%s", J.spec->path);
                    }
                }
                if (status == DN_OK && cst != DN_OK) {
                    if (err != NULL) {
                        *err = cerr;
                    }
                    status = cst;
#pragma omp atomic write
                    failed_flag = 1;
                }
            }
        }
        dn_topo_rows_free(&rows);
        scratch_free(&S);
    }
    free(cstart);
    job_free(&J);
    return status;
}

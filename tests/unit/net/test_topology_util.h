/* Helpers shared by the topology tests: projection specs from YAML text, layers with node lists
 * numbered as NEST numbers them, a connect wrapper, and a brute-force reference of the §7.4
 * anchor rule (every pool location scanned for every anchor) that the statistical and index
 * tests compare against. Header-only; each test file includes it once. */
#ifndef TEST_TOPOLOGY_UTIL_H
#define TEST_TOPOLOGY_UTIL_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "denest/topology.h"
#include "denest/yaml.h"

/* Older cmocka releases lack assert_double_equal. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps) tu_near((a), (b), (eps), __FILE__, __LINE__)
static inline void tu_near(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        fail_msg("%s:%d: %.17g != %.17g (tolerance %g)", file, line, a, b, eps);
    }
}
#endif

/* ---- specs ---------------------------------------------------------------------------------- */

/* Parse `yaml` (one flow or block mapping) into *spec; returns the status, err filled. */
static inline dn_status tu_parse(const char *yaml, dn_topo_spec *spec, dn_error *err)
{
    dn_value *v = NULL;
    dn_status st = dn_yaml_load_string(yaml, strlen(yaml), "<test>", &v, err);
    if (st == DN_OK) {
        st = dn_topo_spec_parse(v, "network/projection_models/p/nest_params", spec, err);
    }
    dn_value_free(v);
    return st;
}

static inline void tu_print_error(const dn_error *err)
{
    char buf[2048];
    dn_error_format(err, buf, sizeof buf);
    fprintf(stderr, "error: %s\n", buf);
}

/* printf-style YAML -> spec, failing the test on any error. */
static inline dn_topo_spec tu_spec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline dn_topo_spec tu_spec(const char *fmt, ...)
{
    char yaml[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(yaml, sizeof yaml, fmt, ap);
    va_end(ap);
    dn_topo_spec spec;
    dn_error err;
    dn_error_clear(&err);
    dn_status st = tu_parse(yaml, &spec, &err);
    if (st != DN_OK) {
        fprintf(stderr, "spec: %s\n", yaml);
        tu_print_error(&err);
    }
    assert_int_equal(st, DN_OK);
    return spec;
}

/* ---- layers with nodes ----------------------------------------------------------------------- */

typedef struct tu_net {
    dn_topo_layer layer;
    uint64_t *gids;
    uint32_t *locs;
    size_t n;
} tu_net;

/* `depth` nodes per location numbered as NEST does: gid = first + k·N + loc (§7.1). */
static inline void tu_nodes(tu_net *net, uint64_t first, int depth)
{
    size_t N = dn_topo_layer_size(&net->layer);
    net->n = N * (size_t)depth;
    net->gids = malloc(net->n * sizeof(uint64_t));
    net->locs = malloc(net->n * sizeof(uint32_t));
    assert_non_null(net->gids);
    assert_non_null(net->locs);
    for (size_t k = 0; k < net->n; k++) {
        net->gids[k] = first + k;
        net->locs[k] = (uint32_t)(k % N);
    }
}

static inline tu_net tu_grid(int64_t rows, int64_t cols, double ex, double ey, bool wrap,
                             uint64_t first, int depth)
{
    tu_net net = {0};
    double e[2] = {ex, ey}, c[2] = {0.0, 0.0};
    dn_error err;
    assert_int_equal(dn_topo_layer_grid(&net.layer, rows, cols, e, c, wrap, &err), DN_OK);
    tu_nodes(&net, first, depth);
    return net;
}

/* A free layer of n positions drawn uniformly inside the extent (deterministic LCG). */
static inline tu_net tu_free(size_t n, double ex, double ey, bool wrap, uint64_t first,
                             uint64_t seed)
{
    tu_net net = {0};
    double *xy = malloc(2 * n * sizeof(double));
    assert_non_null(xy);
    uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (size_t i = 0; i < 2 * n; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double e = i % 2 ? ey : ex;
        xy[i] = -e / 2 + u * e;
    }
    double e[2] = {ex, ey}, c[2] = {0.0, 0.0};
    dn_error err;
    assert_int_equal(dn_topo_layer_free_positions(&net.layer, xy, n, e, c, wrap, &err), DN_OK);
    free(xy);
    tu_nodes(&net, first, 1);
    return net;
}

static inline void tu_net_free(tu_net *net)
{
    dn_topo_layer_clear(&net->layer);
    free(net->gids);
    free(net->locs);
    memset(net, 0, sizeof *net);
}

static inline dn_status tu_connect_ex(const dn_topo_spec *spec, const tu_net *src,
                                      const tu_net *tgt, uint64_t seed, uint64_t proj, int threads,
                                      dn_topo_rows *rows, dn_error *err)
{
    dn_topo_call call = {
        .spec = spec,
        .source_layer = &src->layer,
        .target_layer = &tgt->layer,
        .sources = {src->gids, src->locs, src->n},
        .targets = {tgt->gids, tgt->locs, tgt->n},
        .seed = seed,
        .projection = proj,
        .default_weight = 1.0,
        .default_delay = 1.0,
        .threads = threads,
    };
    dn_error_clear(err);
    return dn_topo_connect(&call, rows, err);
}

/* Connect, failing the test on error. */
static inline dn_topo_rows tu_connect(const dn_topo_spec *spec, const tu_net *src,
                                      const tu_net *tgt, uint64_t seed)
{
    dn_topo_rows rows = {0};
    dn_error err;
    dn_status st = tu_connect_ex(spec, src, tgt, seed, 7, 1, &rows, &err);
    if (st != DN_OK) {
        tu_print_error(&err);
    }
    assert_int_equal(st, DN_OK);
    return rows;
}

static inline size_t tu_autapses(const dn_topo_rows *rows)
{
    size_t n = 0;
    for (size_t i = 0; i < rows->len; i++) {
        n += rows->items[i].source == rows->items[i].target;
    }
    return n;
}

/* ---- brute-force reference of §7.4 ----------------------------------------------------------- */

/* Bounding box of a (non-grid, unrotated) mask including its outer anchor. */
static inline void tu_bbox(const dn_topo_mask *m, double lo[2], double hi[2])
{
    for (int i = 0; i < 2; i++) {
        switch (m->kind) {
        case DN_TOPO_MASK_CIRCULAR:
        case DN_TOPO_MASK_DOUGHNUT:
            lo[i] = m->center[i] - m->radius;
            hi[i] = m->center[i] + m->radius;
            break;
        case DN_TOPO_MASK_RECTANGULAR:
            lo[i] = m->lower_left[i];
            hi[i] = m->upper_right[i];
            break;
        case DN_TOPO_MASK_ELLIPTICAL:
            lo[i] = m->center[i] - (i ? m->minor_axis : m->major_axis) / 2;
            hi[i] = m->center[i] + (i ? m->minor_axis : m->major_axis) / 2;
            break;
        default:
            fail_msg("tu_bbox: unsupported mask");
        }
        lo[i] += m->anchor[i];
        hi[i] += m->anchor[i];
    }
}

static inline double tu_pmod(double x, double p)
{
    double r = fmod(x, p);
    return r < 0 ? r + p : r;
}

/* A distance beyond which no point can be inside the mask (generous: only prunes the scan). */
static inline double tu_reach(const dn_topo_mask *m)
{
    double r = 0;
    switch (m->kind) {
    case DN_TOPO_MASK_CIRCULAR:
    case DN_TOPO_MASK_DOUGHNUT:
        r = hypot(m->center[0], m->center[1]) + m->radius;
        break;
    case DN_TOPO_MASK_ELLIPTICAL:
        r = hypot(m->center[0], m->center[1]) + m->major_axis / 2;
        break;
    case DN_TOPO_MASK_RECTANGULAR: {
        /* rotation about the centre keeps the corners' distance from the centre */
        double cx = (m->lower_left[0] + m->upper_right[0]) / 2;
        double cy = (m->lower_left[1] + m->upper_right[1]) / 2;
        r = hypot(cx, cy) + hypot(m->upper_right[0] - cx, m->upper_right[1] - cy);
        break;
    }
    default:
        return INFINITY;
    }
    return (r + hypot(m->anchor[0], m->anchor[1])) * 1.01 + 1e-6;
}

/* mult[t·ns + s] = number of anchor passes (0..4) in which source location s is a candidate of
 * target location t (per location: nodes share positions). Convergent: mask around t on the source
 * layer. Divergent (Bernoulli, B): converse mask around t, source positions taken in the target
 * layer's extent/periodicity with the source layer's corner (§7.6 B). No mask: 1 everywhere.
 * Every pool location is tested against every anchor (pairs farther apart than the mask can
 * reach, in minimum-image distance, are skipped first). */
static inline unsigned char *tu_reference(const dn_topo_spec *spec, const dn_topo_layer *src,
                                          const dn_topo_layer *tgt)
{
    size_t ns = dn_topo_layer_size(src), nt = dn_topo_layer_size(tgt);
    unsigned char *mult = calloc(ns * nt, 1); /* at most 4 passes in 2-D */
    double *ps = malloc(2 * ns * sizeof(double));
    assert_non_null(mult);
    assert_non_null(ps);
    bool conv = spec->type == DN_TOPO_CONVERGENT;
    bool periodic = conv ? src->edge_wrap : tgt->edge_wrap;
    const double *ext = conv ? src->extent : tgt->extent;
    double ll[2] = {src->center[0] - src->extent[0] / 2, src->center[1] - src->extent[1] / 2};
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    double reach = spec->has_mask ? tu_reach(&spec->mask) : INFINITY;
    if (spec->has_mask && periodic) { /* the box only matters for the anchors of wrapped layers */
        tu_bbox(&spec->mask, lo, hi);
        if (!conv) {
            double l0 = lo[0], l1 = lo[1];
            lo[0] = -hi[0];
            lo[1] = -hi[1];
            hi[0] = -l0;
            hi[1] = -l1;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        double *p = ps + 2 * s;
        dn_topo_layer_position(src, s, p);
        for (int i = 0; i < 2 && periodic && !conv; i++) {
            if (!(p[i] >= ll[i] && p[i] < ll[i] + ext[i])) {
                p[i] = ll[i] + tu_pmod(p[i] - ll[i], ext[i]);
            }
        }
    }
    for (size_t t = 0; t < nt; t++) {
        double a[2];
        dn_topo_layer_position(tgt, t, a);
        if (!spec->has_mask) {
            for (size_t s = 0; s < ns; s++) {
                mult[t * ns + s] = 1;
            }
            continue;
        }
        double X[4][2] = {{a[0], a[1]}};
        int nx = 1;
        if (periodic) {
            for (int i = 0; i < 2; i++) {
                X[0][i] = tu_pmod((a[i] + lo[i]) - ll[i], ext[i]) - lo[i] + ll[i];
            }
            for (int i = 0; i < 2; i++) {
                if ((X[0][i] + hi[i]) - ll[i] > ext[i]) {
                    for (int k = 0; k < nx; k++) {
                        X[nx + k][0] = X[k][0];
                        X[nx + k][1] = X[k][1];
                        X[nx + k][i] -= ext[i];
                    }
                    nx *= 2;
                }
            }
        }
        for (size_t s = 0; s < ns; s++) {
            const double *p = ps + 2 * s;
            double dd[2];
            for (int i = 0; i < 2; i++) {
                dd[i] = p[i] - a[i];
                if (periodic) {
                    dd[i] -= ext[i] * floor(dd[i] / ext[i] + 0.5);
                }
            }
            if (dd[0] * dd[0] + dd[1] * dd[1] > reach * reach) {
                continue;
            }
            for (int k = 0; k < nx; k++) {
                double q[2] = {p[0] - X[k][0], p[1] - X[k][1]};
                if (!conv) {
                    q[0] = -q[0];
                    q[1] = -q[1];
                }
                mult[t * ns + s] += dn_topo_mask_inside(&spec->mask, q);
            }
        }
    }
    free(ps);
    return mult;
}

/* Displacement source -> target location as the kernel sees it (in the pool layer's geometry:
 * the source layer for convergent, the target layer for divergent connections). */
static inline void tu_disp(const dn_topo_spec *spec, const dn_topo_layer *src, size_t s,
                           const dn_topo_layer *tgt, size_t t, double d[2])
{
    double ps[2], pt[2];
    dn_topo_layer_position(src, s, ps);
    dn_topo_layer_position(tgt, t, pt);
    if (spec->type == DN_TOPO_CONVERGENT) {
        dn_topo_displacement(src, pt, ps, d); /* from the driver (target) to the pool (source) */
    } else {
        dn_topo_displacement(tgt, ps, pt, d);
    }
}

/* |observed - expected| <= 3 sigma, with a message. */
static inline void tu_within_3sigma(const char *what, double observed, double expected, double var)
{
    double sd = sqrt(var);
    if (!(fabs(observed - expected) <= 3 * sd)) {
        fail_msg("%s: observed %.6g, expected %.6g +- %.3g (3 sigma = %.3g)", what, observed,
                 expected, sd, 3 * sd);
    }
}

/* A histogram against its expectation (bins with variance > 0): the chi-square sum of z² must
 * stay below its 3-sigma quantile (the value a chi-square of k degrees of freedom exceeds with
 * the one-sided 3-sigma probability 0.00135). That catches a wrong shape without the false
 * alarms a 3-sigma test on each of many bins gives; a single bin beyond 4 sigma fails too. Bins
 * with zero variance must match exactly. */
static inline void tu_histogram(const char *what, const double *obs, const double *exp_,
                                const double *var, size_t nbins)
{
    double chi2 = 0;
    size_t k = 0;
    for (size_t b = 0; b < nbins; b++) {
        if (var[b] > 0) {
            double z = (obs[b] - exp_[b]) / sqrt(var[b]);
            if (fabs(z) > 4) {
                fail_msg("%s: bin %zu observed %g, expected %g +- %.3g (%.1f sigma)", what, b,
                         obs[b], exp_[b], sqrt(var[b]), z);
            }
            chi2 += z * z;
            k++;
        } else if (fabs(obs[b] - exp_[b]) > 1e-6) {
            fail_msg("%s: bin %zu observed %g, expected exactly %g", what, b, obs[b], exp_[b]);
        }
    }
    double limit = k > 0 ? gsl_cdf_chisq_Qinv(0.0013499, (double)k) : 0.0;
    if (k > 0 && !(chi2 <= limit)) {
        fail_msg("%s: histogram chi-square %.1f over %zu bins (3-sigma limit %.1f)", what, chi2, k,
                 limit);
    }
}

#endif

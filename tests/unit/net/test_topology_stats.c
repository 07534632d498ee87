/* Topology statistics on 40x40 grids: for every mask kind and every kernel kind the number of
 * connections lies within 3 sigma of the expectation (sum of kernel probabilities over the
 * candidate passes of the brute-force §7.4 reference, binomial variance) and so does the distance
 * histogram (chi-square, see tu_histogram); fixed fan-in/fan-out draw partners in proportion to
 * the kernel; random weights and delays have the moments and bounds of their (truncated)
 * distributions. Seeds are fixed, so every check is deterministic. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "test_topology_util.h"

#define NBINS 64

/* Expected connection probability at displacement d: the kernel clamped to [0, 1], or for a
 * random kernel the mean of its (truncated) distribution. */
static double expected_p(const dn_topo_param *k, const double d[2])
{
    double v;
    switch (k->func) {
    case DN_TOPO_UNIFORM:
        v = (k->min + k->max) / 2;
        break;
    case DN_TOPO_NORMAL: {
        double a = (k->min - k->mean) / k->sigma, b = (k->max - k->mean) / k->sigma;
        double z = gsl_cdf_ugaussian_P(b) - gsl_cdf_ugaussian_P(a);
        v = k->mean + k->sigma * (gsl_ran_ugaussian_pdf(a) - gsl_ran_ugaussian_pdf(b)) / z;
        break;
    }
    case DN_TOPO_LOGNORMAL: {
        double s = k->sigma, la = log(k->min), lb = log(k->max);
        double z = gsl_cdf_ugaussian_P((lb - k->mu) / s) - gsl_cdf_ugaussian_P((la - k->mu) / s);
        v = exp(k->mu + s * s / 2) *
            (gsl_cdf_ugaussian_P((lb - k->mu - s * s) / s) -
             gsl_cdf_ugaussian_P((la - k->mu - s * s) / s)) /
            z;
        break;
    }
    default:
        v = dn_topo_param_value(k, d, NULL);
    }
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static size_t bin_of(const double d[2])
{
    size_t b = (size_t)hypot(d[0], d[1]);
    return b < NBINS ? b : NBINS - 1;
}

/* One Bernoulli projection (A or B) of `spec` on src -> tgt (one node per location), compared
 * with the candidate passes `mult` of the brute-force reference (tu_reference). */
static void check_bernoulli(const char *what, const dn_topo_spec *spec, const unsigned char *mult,
                            const tu_net *src, const tu_net *tgt, uint64_t seed)
{
    size_t ns = dn_topo_layer_size(&src->layer), nt = dn_topo_layer_size(&tgt->layer);
    double E[NBINS] = {0}, V[NBINS] = {0}, total_e = 0, total_v = 0;
    for (size_t t = 0; t < nt; t++) {
        for (size_t s = 0; s < ns; s++) {
            unsigned m = mult[t * ns + s];
            if (m == 0) {
                continue;
            }
            double d[2];
            tu_disp(spec, &src->layer, s, &tgt->layer, t, d);
            double p = spec->has_kernel ? expected_p(&spec->kernel, d) : 1.0;
            E[bin_of(d)] += m * p;
            V[bin_of(d)] += m * p * (1 - p);
            total_e += m * p;
            total_v += m * p * (1 - p);
        }
    }
    dn_topo_rows rows = tu_connect(spec, src, tgt, seed);
    double O[NBINS] = {0};
    for (size_t i = 0; i < rows.len; i++) {
        size_t s = src->locs[rows.items[i].source - src->gids[0]];
        size_t t = tgt->locs[rows.items[i].target - tgt->gids[0]];
        double d[2];
        tu_disp(spec, &src->layer, s, &tgt->layer, t, d);
        O[bin_of(d)] += 1;
    }
    assert_true(total_e > 2000); /* enough trials for the check to mean something */
    char buf[300];
    snprintf(buf, sizeof buf, "%s: total", what);
    tu_within_3sigma(buf, (double)rows.len, total_e, total_v);
    snprintf(buf, sizeof buf, "%s: distance histogram", what);
    tu_histogram(buf, O, E, V, NBINS);
    dn_topo_rows_free(&rows);
}

static void test_every_mask_kind(void **state)
{
    (void)state;
    tu_net wrap = tu_grid(40, 40, 40.0, 40.0, true, 1, 1);
    tu_net flat = tu_grid(40, 40, 40.0, 40.0, false, 1, 1);
    const char *kernel = "{gaussian: {p_center: 0.6, sigma: 3.0}}";
    struct {
        const char *mask;
        const char *ref; /* equivalent mask for the reference (grid masks), or NULL */
        bool wrapped;
    } cases[] = {
        {"{circular: {radius: 6.0}}", NULL, true},
        {"{circular: {radius: 5.0, anchor: [1.5, -2.0]}, anchor: [-1.0, 0.5]}", NULL, false},
        {"{doughnut: {inner_radius: 2.0, outer_radius: 7.0}}", NULL, true},
        {"{rectangular: {lower_left: [-5.0, -3.0], upper_right: [4.0, 6.0]}}", NULL, true},
        {"{rectangular: {lower_left: [-6.0, -2.5], upper_right: [6.0, 2.5], azimuth_angle: "
         "30.0}}",
         NULL, false},
        {"{elliptical: {major_axis: 14.0, minor_axis: 6.0, azimuth_angle: 45.0}}", NULL, false},
        {"{elliptical: {major_axis: 12.0, minor_axis: 7.0, anchor: [1.0, 0.0]}}", NULL, true},
        {"{grid: {rows: 7, columns: 9}, anchor: {row: 3, column: 2}}",
         "{rectangular: {lower_left: [-2.5, -3.5], upper_right: [6.5, 3.5]}}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int t = 0; t < 2; t++) {
            const char *ty = t ? "divergent" : "convergent";
            dn_topo_spec spec =
                tu_spec("{connection_type: %s, mask: %s, kernel: %s}", ty, cases[i].mask, kernel);
            dn_topo_spec ref = spec;
            if (cases[i].ref != NULL) {
                ref = tu_spec("{connection_type: %s, mask: %s, kernel: %s}", ty, cases[i].ref,
                              kernel);
            }
            char what[300];
            snprintf(what, sizeof what, "%s %s%s", ty, cases[i].mask,
                     cases[i].wrapped ? " (wrapped)" : "");
            const tu_net *net = cases[i].wrapped ? &wrap : &flat;
            unsigned char *mult = tu_reference(&ref, &net->layer, &net->layer);
            check_bernoulli(what, &spec, mult, net, net, 100 + i);
            free(mult);
        }
    }
    tu_net_free(&wrap);
    tu_net_free(&flat);
}

static void test_every_kernel_kind(void **state)
{
    (void)state;
    tu_net wrap = tu_grid(40, 40, 40.0, 40.0, true, 1, 1);
    tu_net other = tu_grid(40, 40, 40.0, 40.0, true, 5001, 1);
    const char *kernels[] = {
        "0.3",
        "{constant: {value: 0.45}}",
        "{linear: {a: -0.1, c: 0.9}}",
        "{exponential: {a: 0.8, c: 0.05, tau: 3.0}}",
        "{gaussian: {p_center: 0.7, mean: 1.0, sigma: 2.5, c: 0.05}}",
        "{gaussian: {p_center: 0.9, sigma: 3.0, cutoff: 0.2, anchor: [2.0, -1.0]}}",
        ("{gaussian2D: {p_center: 0.8, mean_x: 1.0, mean_y: -0.5, sigma_x: 2.0, sigma_y: 4.0, "
         "rho: 0.4}}"),
        "{gamma: {kappa: 2.0, theta: 1.5}}",
        "{uniform: {min: 0.1, max: 0.5}}",
        "{normal: {mean: 0.3, sigma: 0.2, min: 0.0, max: 1.0}}",
        "{lognormal: {mu: -1.5, sigma: 0.5, min: 0.01, max: 1.0}}",
    };
    for (int t = 0; t < 2; t++) {
        const char *ty = t ? "divergent" : "convergent";
        /* the candidates are the same for every kernel */
        dn_topo_spec mask = tu_spec("{connection_type: %s, mask: {circular: {radius: 8.0}}}", ty);
        unsigned char *mult = tu_reference(&mask, &wrap.layer, &other.layer);
        for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
            dn_topo_spec spec = tu_spec("{connection_type: %s, mask: {circular: {radius: 8.0}}, "
                                        "kernel: %s}",
                                        ty, kernels[i]);
            char what[300];
            snprintf(what, sizeof what, "%s kernel %s", ty, kernels[i]);
            /* between two layers, so asymmetric kernels show the direction of d */
            check_bernoulli(what, &spec, mult, &wrap, &other, 200 + i);
        }
        free(mult);
    }
    tu_net_free(&wrap);
    tu_net_free(&other);
}

/* A pair visited k times is connected Binomial(k, p) times (§7.4): the deNEST example's
 * oversized circle on 5x5 of extent 8 with kernel 0.8. */
static void test_repeated_passes_are_independent(void **state)
{
    (void)state;
    tu_net net = tu_grid(5, 5, 8.0, 8.0, true, 1, 1);
    dn_topo_spec spec = tu_spec("{connection_type: divergent, allow_oversized_mask: true, "
                                "allow_multapses: false, mask: {circular: {radius: 12.0}}, "
                                "kernel: 0.8}");
    /* 1300 candidate passes per call: 40 calls give 52 000 trials, expectation 41 600 */
    double n = 0;
    size_t multi = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        dn_topo_rows rows = tu_connect(&spec, &net, &net, seed);
        n += (double)rows.len;
        unsigned cnt[26 * 26] = {0};
        for (size_t i = 0; i < rows.len; i++) {
            cnt[rows.items[i].source * 26 + rows.items[i].target]++;
        }
        for (size_t k = 0; k < 26 * 26; k++) {
            multi += cnt[k] > 1; /* allow_multapses: false does not act without a number */
        }
        dn_topo_rows_free(&rows);
    }
    tu_within_3sigma("oversized circle, kernel 0.8", n, 40 * 1300 * 0.8, 40 * 1300 * 0.8 * 0.2);
    assert_true(multi > 0);
    tu_net_free(&net);
}

/* ---- fixed fan-in / fan-out ------------------------------------------------------------------ */

static void check_fixed(bool divergent)
{
    tu_net src = tu_grid(40, 40, 40.0, 40.0, true, 1, 1);
    tu_net tgt = tu_grid(40, 40, 40.0, 40.0, true, 2001, 1);
    const int K = 20;
    dn_topo_spec spec = tu_spec("{connection_type: %s, number_of_connections: %d, mask: "
                                "{circular: {radius: 6.0}}, kernel: {gaussian: {p_center: 1.0, "
                                "sigma: 2.5}}}",
                                divergent ? "divergent" : "convergent", K);
    /* candidates of a driver: the mask around it on the pool layer (for D the mask itself,
     * anchored at the source: a convergent reference with the layers' roles swapped) */
    dn_topo_spec conv = spec;
    conv.type = DN_TOPO_CONVERGENT;
    size_t n = 1600;
    unsigned char *mult = divergent ? tu_reference(&conv, &tgt.layer, &src.layer)
                                    : tu_reference(&conv, &src.layer, &tgt.layer);
    double E[NBINS] = {0}, V[NBINS] = {0};
    double *w = malloc(n * sizeof *w);
    assert_non_null(w);
    for (size_t drv = 0; drv < n; drv++) {
        double W = 0, Wb[NBINS] = {0};
        for (size_t pl = 0; pl < n; pl++) {
            if (mult[drv * n + pl] == 0) {
                continue;
            }
            double d[2];
            if (divergent) {
                tu_disp(&spec, &src.layer, drv, &tgt.layer, pl, d);
            } else {
                tu_disp(&spec, &src.layer, pl, &tgt.layer, drv, d);
            }
            w[pl] = mult[drv * n + pl] * dn_topo_param_value(&spec.kernel, d, NULL);
            W += w[pl];
            Wb[bin_of(d)] += w[pl];
        }
        for (size_t b = 0; b < NBINS; b++) {
            double q = Wb[b] / W;
            E[b] += K * q;
            V[b] += K * q * (1 - q);
        }
    }
    free(w);
    free(mult);
    dn_topo_rows rows = tu_connect(&spec, &src, &tgt, 31);
    assert_int_equal(rows.len, (size_t)K * n);
    unsigned deg[1600] = {0};
    double O[NBINS] = {0};
    for (size_t i = 0; i < rows.len; i++) {
        size_t s = rows.items[i].source - 1, t = rows.items[i].target - 2001;
        deg[divergent ? s : t]++;
        double d[2];
        tu_disp(&spec, &src.layer, s, &tgt.layer, t, d);
        O[bin_of(d)] += 1;
    }
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(deg[k], K); /* exact in-degree (C) / out-degree (D) */
    }
    tu_histogram(divergent ? "fixed out-degree: distance histogram"
                           : "fixed in-degree: distance histogram",
                 O, E, V, NBINS);
    dn_topo_rows_free(&rows);

    /* without multapses and autapses: exact degree, never the node itself, never a pair twice */
    tu_net one = tu_grid(40, 40, 40.0, 40.0, true, 1, 1);
    spec.allow_multapses = false;
    spec.allow_autapses = false;
    spec.number_of_connections = 30;
    rows = tu_connect(&spec, &one, &one, 5);
    assert_int_equal(rows.len, 30 * n);
    assert_int_equal(tu_autapses(&rows), 0);
    unsigned char *seen = calloc(n * n, 1);
    assert_non_null(seen);
    memset(deg, 0, sizeof deg);
    for (size_t i = 0; i < rows.len; i++) {
        size_t s = rows.items[i].source - 1, t = rows.items[i].target - 1;
        assert_false(seen[s * n + t]);
        seen[s * n + t] = 1;
        deg[divergent ? s : t]++;
    }
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(deg[k], 30);
    }
    free(seen);
    dn_topo_rows_free(&rows);
    tu_net_free(&one);
    tu_net_free(&src);
    tu_net_free(&tgt);
}

static void test_fixed_indegree_follows_kernel(void **state)
{
    (void)state;
    check_fixed(false);
}

static void test_fixed_outdegree_follows_kernel(void **state)
{
    (void)state;
    check_fixed(true);
}

/* ---- random weights and delays ------------------------------------------------------------- */

typedef struct moments {
    double mean, var;
} moments;

static moments truncated_normal(double mu, double s, double lo, double hi)
{
    double a = (lo - mu) / s, b = (hi - mu) / s;
    double pa = isinf(a) ? 0.0 : gsl_ran_ugaussian_pdf(a),
           pb = isinf(b) ? 0.0 : gsl_ran_ugaussian_pdf(b);
    double z =
        (isinf(b) ? 1.0 : gsl_cdf_ugaussian_P(b)) - (isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a));
    double ta = isinf(a) ? 0.0 : a * pa, tb = isinf(b) ? 0.0 : b * pb;
    double r = (pa - pb) / z;
    return (moments){mu + s * r, s * s * (1 + (ta - tb) / z - r * r)};
}

/* E[X^k] of a lognormal truncated to [lo, hi). */
static double lognormal_raw(double mu, double s, double lo, double hi, int k)
{
    double la = lo > 0 ? log(lo) : -INFINITY, lb = isinf(hi) ? INFINITY : log(hi);
    double z = gsl_cdf_ugaussian_P((lb - mu) / s) - gsl_cdf_ugaussian_P((la - mu) / s);
    return exp(k * mu + k * k * s * s / 2) *
           (gsl_cdf_ugaussian_P((lb - mu - k * s * s) / s) -
            gsl_cdf_ugaussian_P((la - mu - k * s * s) / s)) /
           z;
}

static moments truncated_lognormal(double mu, double s, double lo, double hi)
{
    double m1 = lognormal_raw(mu, s, lo, hi, 1), m2 = lognormal_raw(mu, s, lo, hi, 2);
    return (moments){m1, m2 - m1 * m1};
}

/* Sample mean within 3 standard errors; sample variance within 3 standard errors of the
 * variance estimator (from the sample's fourth central moment); every value in [lo, hi). */
static void check_sample(const char *what, const double *x, size_t n, moments want, double lo,
                         double hi)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] >= lo && x[i] < hi)) {
            fail_msg("%s: value %g outside [%g, %g)", what, x[i], lo, hi);
        }
        m += x[i];
    }
    m /= (double)n;
    double v = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double e = x[i] - m;
        v += e * e;
        m4 += e * e * e * e;
    }
    v /= (double)(n - 1);
    m4 /= (double)n;
    char buf[200];
    snprintf(buf, sizeof buf, "%s: mean", what);
    tu_within_3sigma(buf, m, want.mean, want.var / (double)n);
    snprintf(buf, sizeof buf, "%s: variance", what);
    tu_within_3sigma(buf, v, want.var, (m4 - v * v) / (double)n);
}

static void test_random_weights_and_delays(void **state)
{
    (void)state;
    tu_net net = tu_grid(40, 40, 40.0, 40.0, true, 1, 1);
    struct {
        const char *weights, *delays;
        moments mw, md;
        double wlo, whi, dlo, dhi;
    } cases[] = {
        {"{uniform: {min: -1.0, max: 3.0}}",
         "{normal: {mean: 2.0, sigma: 1.0, min: 0.5, max: 3.0}}",
         {1.0, 16.0 / 12.0},
         truncated_normal(2.0, 1.0, 0.5, 3.0),
         -1.0,
         3.0,
         0.5,
         3.0},
        {"{lognormal: {mu: 0.0, sigma: 0.5}}",
         "{lognormal: {mu: 0.5, sigma: 0.6, min: 1.0, max: 3.0}}",
         truncated_lognormal(0.0, 0.5, 0.0, INFINITY), truncated_lognormal(0.5, 0.6, 1.0, 3.0), 0.0,
         INFINITY, 1.0, 3.0},
        {"{normal: {mean: -1.0, sigma: 2.0}}",
         "{uniform: {min: 1.75, max: 2.25}}",
         {-1.0, 4.0},
         {2.0, 0.25 / 12.0},
         -INFINITY,
         INFINITY,
         1.75,
         2.25},
        /* the MC_sleep delays: normal mean 2, sigma 1, min 0.2 (redrawn below 0.2) */
        {"2.5",
         "{normal: {mean: 2.0, sigma: 1.0, min: 0.2}}",
         {2.5, 0.0},
         truncated_normal(2.0, 1.0, 0.2, INFINITY),
         2.5,
         2.5000001,
         0.2,
         INFINITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int t = 0; t < 2; t++) {
            dn_topo_spec spec =
                tu_spec("{connection_type: %s, mask: {circular: {radius: 4.0}}, "
                        "weights: %s, delays: %s}",
                        t ? "divergent" : "convergent", cases[i].weights, cases[i].delays);
            dn_topo_rows rows = tu_connect(&spec, &net, &net, 77 + i);
            assert_int_equal(rows.len, 1600 * 49); /* kernel 1: every candidate */
            double *w = malloc(rows.len * sizeof *w), *d = malloc(rows.len * sizeof *d);
            assert_non_null(w);
            assert_non_null(d);
            for (size_t k = 0; k < rows.len; k++) {
                w[k] = rows.items[k].weight;
                d[k] = rows.items[k].delay;
            }
            char what[300];
            snprintf(what, sizeof what, "weights %s", cases[i].weights);
            if (cases[i].mw.var > 0) {
                check_sample(what, w, rows.len, cases[i].mw, cases[i].wlo, cases[i].whi);
            } else {
                for (size_t k = 0; k < rows.len; k++) {
                    assert_true(w[k] == cases[i].mw.mean);
                }
            }
            snprintf(what, sizeof what, "delays %s", cases[i].delays);
            check_sample(what, d, rows.len, cases[i].md, cases[i].dlo, cases[i].dhi);
            free(w);
            free(d);
            dn_topo_rows_free(&rows);
        }
    }
    /* no weights/delays given: the synapse model defaults passed by the caller */
    dn_topo_spec spec = tu_spec("{connection_type: convergent, mask: {circular: {radius: 1.0}}}");
    dn_topo_call call = {.spec = &spec,
                         .source_layer = &net.layer,
                         .target_layer = &net.layer,
                         .sources = {net.gids, net.locs, net.n},
                         .targets = {net.gids, net.locs, net.n},
                         .seed = 1,
                         .projection = 0,
                         .default_weight = 0.75,
                         .default_delay = 1.5,
                         .threads = 1};
    dn_topo_rows rows = {0};
    dn_error err;
    assert_int_equal(dn_topo_connect(&call, &rows, &err), DN_OK);
    assert_int_equal(rows.len, 1600 * 5);
    for (size_t k = 0; k < rows.len; k++) {
        assert_true(rows.items[k].weight == 0.75 && rows.items[k].delay == 1.5);
    }
    dn_topo_rows_free(&rows);
    tu_net_free(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_mask_kind),
        cmocka_unit_test(test_every_kernel_kind),
        cmocka_unit_test(test_repeated_passes_are_independent),
        cmocka_unit_test(test_fixed_indegree_follows_kernel),
        cmocka_unit_test(test_fixed_outdegree_follows_kernel),
        cmocka_unit_test(test_random_weights_and_delays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

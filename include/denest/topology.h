/* Topological connections (NEST 2.20 `topology` ConnectLayers, kernel spec §7): layer geometry,
 * the projection dictionary (mask, kernel, weights, delays, flags) parsed from a dn_value, and the
 * four connection algorithms that decide WHICH connections a projection makes. Engine-independent:
 * the caller hands in node lists and gets (source, target, weight, delay) rows back. */
#ifndef DENEST_TOPOLOGY_H
#define DENEST_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "denest/error.h"
#include "denest/value.h"

/* ---- layer geometry (kernel spec §7.1) -----------------------------------------------------
 * A layer is a grid (rows x columns locations) or a free layer (a list of positions). Locations
 * are numbered column-major: location i of a grid is column c = i / rows, row r = i % rows
 * (i = c·rows + r), row 0 at the TOP. Every node of a location shares its position. Layers are
 * 2-D only. */
typedef struct dn_topo_layer {
    int64_t rows, columns; /* grid size; both 0 for a free layer */
    double extent[2];      /* [x, y] size, > 0 */
    double center[2];      /* [x, y] centre */
    bool edge_wrap;        /* periodic boundaries in x and y */
    size_t n_free;         /* free layer: number of positions */
    double *free_pos;      /* free layer: 2·n_free coordinates x0 y0 x1 y1 ... (owned) */
} dn_topo_layer;

/* A grid layer. rows, columns >= 1, extent > 0 and finite, centre finite; DN_EINPUT otherwise
 * (no mark or path: use dn_topo_layer_parse for parameter-file values). *out needs no clearing
 * but may be passed to dn_topo_layer_clear. */
dn_status dn_topo_layer_grid(dn_topo_layer *out, int64_t rows, int64_t columns,
                             const double extent[2], const double center[2], bool edge_wrap,
                             dn_error *err);

/* A free layer with the n positions xy[2i], xy[2i+1] (copied). Each must satisfy
 * lower_left <= p < lower_left + extent componentwise, lower_left = center - extent/2 (§7.1,
 * half-open; positions are NOT shifted by center). DN_ENOMEM / DN_EINPUT. */
dn_status dn_topo_layer_free_positions(dn_topo_layer *out, const double *xy, size_t n,
                                       const double extent[2], const double center[2],
                                       bool edge_wrap, dn_error *err);

/* A layer from its `nest_params` map: rows, columns (integers; 5.0 is accepted) or positions (a
 * list of [x, y]), extent (default [1.0, 1.0]), center (default [0.0, 0.0]), edge_wrap (default
 * false). Integers are accepted for decimals. Unknown keys (and the reserved `elements`) are
 * errors. Errors carry the offending value's mark and `path` extended with the key, e.g.
 * network/layers/l1/nest_params/extent. */
dn_status dn_topo_layer_parse(const dn_value *nest_params, const char *path, dn_topo_layer *out,
                              dn_error *err);

/* Free what a layer owns and zero it. NULL is fine. */
void dn_topo_layer_clear(dn_topo_layer *layer);

/* Number of locations (rows·columns or n_free). */
size_t dn_topo_layer_size(const dn_topo_layer *layer);

/* Location index of grid cell (row, column): column·rows + row. */
size_t dn_topo_grid_index(const dn_topo_layer *layer, int64_t row, int64_t column);

/* Position of location `loc` (< dn_topo_layer_size). Grid positions are computed in NEST's exact
 * floating-point order (§7.1), so they equal NEST's GetPosition bit for bit:
 *   x = ((ll_x + sx·c) + sx·0.5),  sx = extent_x / columns
 *   y = (((ll_y + extent_y) + sy·r) + sy·0.5),  sy = -extent_y / rows */
void dn_topo_layer_position(const dn_topo_layer *layer, size_t loc, double pos[2]);

/* Displacement from `from` to `to` in `layer`'s geometry (§7.3): to - from, folded into
 * [-L/2, L/2) in each dimension when the layer wraps. */
void dn_topo_displacement(const dn_topo_layer *layer, const double from[2], const double to[2],
                          double d[2]);

/* ---- masks (§7.4) ---------------------------------------------------------------------------
 * `anchor` is the outer anchor: the mask is shifted by it relative to the driver node. `center`
 * is the inner `anchor` of circular, doughnut and elliptical masks. A grid mask (`rows`,
 * `columns`, anchor {row, column}) covers grid cells and is turned into a rectangle in the pool
 * layer's units when connecting. */
typedef enum dn_topo_mask_kind {
    DN_TOPO_MASK_CIRCULAR = 0,
    DN_TOPO_MASK_RECTANGULAR,
    DN_TOPO_MASK_DOUGHNUT,
    DN_TOPO_MASK_ELLIPTICAL,
    DN_TOPO_MASK_GRID,
} dn_topo_mask_kind;

typedef struct dn_topo_mask {
    dn_topo_mask_kind kind;
    double anchor[2];                     /* outer anchor (0, 0 by default; unused for grid) */
    double center[2];                     /* circular / doughnut / elliptical inner anchor */
    double radius;                        /* circular radius; doughnut outer_radius */
    double inner_radius;                  /* doughnut */
    double lower_left[2], upper_right[2]; /* rectangular */
    double major_axis, minor_axis;        /* elliptical (full axes) */
    double azimuth_angle;                 /* rectangular / elliptical, degrees, counterclockwise */
    int64_t grid_rows, grid_columns;      /* grid */
    int64_t anchor_row, anchor_column;    /* grid anchor (0, 0 by default) */
    dn_mark mark;                         /* where the mask was written */
} dn_topo_mask;

/* Is the relative position q (pool position minus driver position, already folded by the
 * anchor rule of §7.4) inside the mask? Outer anchor included; boundaries inclusive except the
 * doughnut's inner circle. For grid masks (which need the pool spacing) this returns false. */
bool dn_topo_mask_inside(const dn_topo_mask *mask, const double q[2]);

/* ---- kernel / weight / delay functions (§7.5) ------------------------------------------------
 * A number is DN_TOPO_CONSTANT. Functions are evaluated at the displacement d from driver to pool
 * node minus `anchor`; r = |d - anchor|. Results below `cutoff` become 0. */
typedef enum dn_topo_func {
    DN_TOPO_CONSTANT = 0, /* value */
    DN_TOPO_LINEAR,       /* c + a·r */
    DN_TOPO_EXPONENTIAL,  /* c + a·exp(-r/tau) */
    DN_TOPO_GAUSSIAN,     /* c + p_center·exp(-(r - mean)²/(2 sigma²)) */
    DN_TOPO_GAUSSIAN2D,   /* c + p_center·exp(-Q/(2(1 - rho²))), standard bivariate form */
    DN_TOPO_GAMMA,        /* r^(kappa-1)·exp(-r/theta) / (theta^kappa·Γ(kappa)) */
    DN_TOPO_UNIFORM,      /* min + U[0,1)·(max - min)            (random) */
    DN_TOPO_NORMAL,       /* mean + sigma·N(0,1), redrawn until in [min, max)   (random) */
    DN_TOPO_LOGNORMAL,    /* exp(mu + sigma·N(0,1)), redrawn until in [min, max) (random) */
} dn_topo_func;

typedef struct dn_topo_param {
    dn_topo_func func;
    double value;                 /* constant */
    double a, c, tau;             /* linear, exponential (c also gaussian, gaussian2D) */
    double p_center, mean, sigma; /* gaussian (mean, sigma also normal; sigma also lognormal) */
    double mean_x, mean_y, sigma_x, sigma_y, rho; /* gaussian2D */
    double kappa, theta;                          /* gamma */
    double min, max;  /* uniform (default 0, 1), normal (default ±inf), lognormal (0, inf) */
    double mu;        /* lognormal */
    double cutoff;    /* -inf when not given */
    double anchor[2]; /* evaluated at d - anchor */
    dn_mark mark;
} dn_topo_param;

/* A constant parameter. */
dn_topo_param dn_topo_param_constant(double value);

/* True for the random functions (uniform, normal, lognormal). */
bool dn_topo_param_is_random(const dn_topo_param *param);

/* The value at displacement d. Random functions draw from r (r may be NULL for the others). */
double dn_topo_param_value(const dn_topo_param *param, const double d[2], gsl_rng *r);

/* ---- the ConnectLayers dictionary (§7.2) ---------------------------------------------------- */
typedef enum dn_topo_conn_type {
    DN_TOPO_CONVERGENT = 0, /* driver = target layer, pool = source layer */
    DN_TOPO_DIVERGENT,      /* driver = source layer, pool = target layer */
} dn_topo_conn_type;

typedef struct dn_topo_spec {
    dn_topo_conn_type type;
    bool has_mask, has_kernel, has_weights, has_delays;
    dn_topo_mask mask;
    dn_topo_param kernel, weights, delays;
    int64_t number_of_connections; /* -1: not given (Bernoulli algorithms A, B) */
    bool allow_autapses;           /* default true */
    bool allow_multapses;          /* default true; only acts with number_of_connections */
    bool allow_oversized_mask;     /* default false */
    dn_mark mark;                  /* the dictionary's mark */
    dn_mark number_mark;           /* number_of_connections' mark */
    char path[DN_ERROR_PATH_MAX];  /* the dictionary's tree path (errors while connecting) */
} dn_topo_spec;

/* Defaults: convergent, no mask/kernel/weights/delays, number_of_connections -1, autapses and
 * multapses allowed, no oversized mask, empty path. */
void dn_topo_spec_init(dn_topo_spec *spec);

/* Parse a projection's `nest_params` map. Keys: connection_type (required: convergent or
 * divergent), mask, kernel, weights, delays, number_of_connections, allow_autapses,
 * allow_multapses, allow_oversized_mask; synapse_model (string), sources and targets (maps) are
 * accepted and left to the caller. Everything is validated here (unknown keys and kinds with a
 * "did you mean" suggestion, types, sigma <= 0, |rho| >= 1, inner_radius >= outer_radius,
 * lower_left not below upper_right, kernels that are not probabilities (a kernel < 0, or > 1
 * where that is cheap to see: constants, c + p_center of gaussian-like kernels; with
 * number_of_connections the kernel is a relative weight and only < 0 is refused), delays that
 * can be <= 0 (constants <= 0, random delays without a lower bound >= 0), truncations that
 * leave (almost) nothing to draw, negative number_of_connections, ...). Integers are
 * accepted where decimals are expected; a decimal where an integer is expected only when
 * integral. Errors carry the offending value's mark and `path` extended with the keys
 * (`<path>/mask/circular/radius`). `path` is also copied into spec->path. */
dn_status dn_topo_spec_parse(const dn_value *nest_params, const char *path, dn_topo_spec *spec,
                             dn_error *err);

/* ---- connecting (§7.6) ---------------------------------------------------------------------- */

/* The candidate nodes of one side: n nodes with their GIDs and location indices in the layer
 * (the caller filters by population). Node order is kept within a location. */
typedef struct dn_topo_nodes {
    const uint64_t *gids;
    const uint32_t *locs;
    size_t n;
} dn_topo_nodes;

/* One connection. delay in ms, not rounded (the caller rounds it to the resolution and checks
 * that it is at least one step). */
typedef struct dn_topo_conn {
    uint64_t source, target;
    double weight, delay;
} dn_topo_conn;

/* A growable array of rows. Start from {0}; free with dn_topo_rows_free. */
typedef struct dn_topo_rows {
    dn_topo_conn *items;
    size_t len, cap;
} dn_topo_rows;

void dn_topo_rows_free(dn_topo_rows *rows);

typedef struct dn_topo_call {
    const dn_topo_spec *spec;
    const dn_topo_layer *source_layer, *target_layer;
    dn_topo_nodes sources, targets;
    uint64_t seed;         /* master seed */
    uint64_t projection;   /* projection index: names the random streams */
    double default_weight; /* used when spec->has_weights is false (synapse model default) */
    double default_delay;  /* likewise for delays */
    int threads;           /* OpenMP threads; <= 0: the OpenMP default. Results do not depend
                              on it. */
} dn_topo_call;

/* Compute the connections of one ConnectLayers call and append them to `out`.
 *
 * Algorithms (kernel spec §7.6, with the decisions.md fixes):
 *   A convergent, no number_of_connections: every target t, every source candidate s in the mask
 *     around t (one candidate per anchor pass of §7.4), connected with probability kernel(d).
 *   B divergent, no number_of_connections: the same pairs as "every source s, targets in the
 *     mask around s", computed as NEST does by iterating over targets with the converse mask.
 *     In A and B allow_multapses is ignored (a pair visited k times gets Binomial(k, p)).
 *   C convergent + number_of_connections K: every target draws exactly K sources among the
 *     candidates, with probability proportional to kernel(d) (times the number of passes).
 *   D divergent + number_of_connections K: every source draws exactly K targets likewise.
 *     In C and D allow_autapses: false always excludes the node itself and allow_multapses:
 *     false never connects a pair twice; impossible requests are errors ("Not enough sources
 *     found inside mask"), never endless loops.
 * Kernels, weights and delays are evaluated at the minimum-image displacement (§7.3) from the
 * driver to the pool node (source to target for B), in the pool layer's geometry.
 *
 * Randomness: one stream per iterated node, (seed, DN_RNG_TOPOLOGY, projection, gid) where gid
 * is the target for A, B, C and the source for D; weights and delays use the same stream. Rows
 * come out grouped by that node's location, in a fixed order: identical for any thread count.
 *
 * Errors (DN_EINPUT, mark and path of the offending spec value): a mask wider than a periodic
 * pool layer without allow_oversized_mask ("Mask size must not exceed layer size"), also for
 * a divergent number_of_connections without mask onto a wrapped layer (§7.6 D); a grid mask on
 * a free pool layer; not enough candidates for K; a node location out of range. DN_ENOMEM. */
dn_status dn_topo_connect(const dn_topo_call *call, dn_topo_rows *out, dn_error *err);

/* Receives the rows of dn_topo_connect_cb batch by batch, always from one thread at a time and in
 * the fixed output order. Return DN_OK to go on; any other status stops the call, which returns
 * it (fill err to say why; the spec's path is used when err->path is left empty). */
typedef dn_status (*dn_topo_sink)(const dn_topo_conn *rows, size_t n, void *ctx, dn_error *err);

/* dn_topo_connect handing the rows to `sink` instead of one array: the same rows in the same
 * order, without holding them all in memory (the network layer adds each batch to the engine). */
dn_status dn_topo_connect_cb(const dn_topo_call *call, dn_topo_sink sink, void *ctx, dn_error *err);

#endif

/* Topology layer geometry: grid and free layers, node positions in NEST's exact floating-point
 * order (kernel spec §7.1), periodic displacement (§7.3), and reading a layer's nest_params. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/suggest.h"
#include "denest/topology.h"
#include "net/topology_internal.h"

const char *topo_path(char *buf, size_t size, const char *base, const char *key)
{
    if (base == NULL || base[0] == '\0') {
        snprintf(buf, size, "%s", key ? key : "");
    } else if (key == NULL || key[0] == '\0') {
        snprintf(buf, size, "%s", base);
    } else {
        snprintf(buf, size, "%s/%s", base, key);
    }
    return buf;
}

static dn_status check_box(const double extent[2], const double center[2], dn_error *err,
                           const dn_mark *mark, const char *path)
{
    for (int i = 0; i < 2; i++) {
        if (!(extent[i] > 0.0) || !isfinite(extent[i])) {
            return dn_error_set(err, DN_EINPUT, mark, path,
                                "layer extent must be positive and finite, got [%g, %g]", extent[0],
                                extent[1]);
        }
        if (!isfinite(center[i])) {
            return dn_error_set(err, DN_EINPUT, mark, path,
                                "layer center must be finite, got [%g, %g]", center[0], center[1]);
        }
    }
    return DN_OK;
}

dn_status dn_topo_layer_grid(dn_topo_layer *out, int64_t rows, int64_t columns,
                             const double extent[2], const double center[2], bool edge_wrap,
                             dn_error *err)
{
    memset(out, 0, sizeof *out);
    if (rows < 1 || columns < 1) {
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "a grid layer needs rows >= 1 and columns >= 1, got %lld x %lld",
                            (long long)rows, (long long)columns);
    }
    if ((uint64_t)rows * (uint64_t)columns > UINT32_MAX || rows > UINT32_MAX ||
        columns > UINT32_MAX) {
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "a grid layer of %lld x %lld locations is too large (at most 2^32 - 1)",
                            (long long)rows, (long long)columns);
    }
    dn_status st = check_box(extent, center, err, NULL, NULL);
    if (st != DN_OK) {
        return st;
    }
    out->rows = rows;
    out->columns = columns;
    out->extent[0] = extent[0];
    out->extent[1] = extent[1];
    out->center[0] = center[0];
    out->center[1] = center[1];
    out->edge_wrap = edge_wrap;
    return DN_OK;
}

static dn_status free_positions(dn_topo_layer *out, const double *xy, size_t n,
                                const double extent[2], const double center[2], bool edge_wrap,
                                dn_error *err, const dn_mark *mark, const char *path)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        return dn_error_set(err, DN_EINPUT, mark, path, "a free layer needs at least one position");
    }
    if (n > UINT32_MAX) {
        return dn_error_set(err, DN_EINPUT, mark, path, "too many positions (at most 2^32 - 1)");
    }
    dn_status st = check_box(extent, center, err, mark, path);
    if (st != DN_OK) {
        return st;
    }
    double ll[2] = {center[0] - extent[0] / 2, center[1] - extent[1] / 2};
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            double p = xy[2 * i + k];
            /* §7.1: half-open bounds, checked on the unshifted position */
            if (!(p >= ll[k] && p < ll[k] + extent[k])) {
                return dn_error_set(err, DN_EINPUT, mark, path,
                                    "Node position outside of layer: position %zu is [%g, %g], "
                                    "the layer covers [%g, %g) x [%g, %g); enlarge `extent` or "
                                    "move `center`",
                                    i, xy[2 * i], xy[2 * i + 1], ll[0], ll[0] + extent[0], ll[1],
                                    ll[1] + extent[1]);
            }
        }
    }
    out->free_pos = malloc(2 * n * sizeof(double));
    if (out->free_pos == NULL) {
        return dn_error_set(err, DN_ENOMEM, mark, path, "out of memory");
    }
    memcpy(out->free_pos, xy, 2 * n * sizeof(double));
    out->n_free = n;
    out->extent[0] = extent[0];
    out->extent[1] = extent[1];
    out->center[0] = center[0];
    out->center[1] = center[1];
    out->edge_wrap = edge_wrap;
    return DN_OK;
}

dn_status dn_topo_layer_free_positions(dn_topo_layer *out, const double *xy, size_t n,
                                       const double extent[2], const double center[2],
                                       bool edge_wrap, dn_error *err)
{
    return free_positions(out, xy, n, extent, center, edge_wrap, err, NULL, NULL);
}

void dn_topo_layer_clear(dn_topo_layer *layer)
{
    if (layer == NULL) {
        return;
    }
    free(layer->free_pos);
    memset(layer, 0, sizeof *layer);
}

size_t dn_topo_layer_size(const dn_topo_layer *layer)
{
    if (layer->rows > 0) {
        return (size_t)layer->rows * (size_t)layer->columns;
    }
    return layer->n_free;
}

size_t dn_topo_grid_index(const dn_topo_layer *layer, int64_t row, int64_t column)
{
    return (size_t)column * (size_t)layer->rows + (size_t)row;
}

void dn_topo_layer_position(const dn_topo_layer *layer, size_t loc, double pos[2])
{
    if (layer->rows == 0) {
        pos[0] = layer->free_pos[2 * loc];
        pos[1] = layer->free_pos[2 * loc + 1];
        return;
    }
    /* §7.1: NEST's evaluation order, bit for bit; the textbook ll + (c + 0.5)·dx differs in the
     * last bit for most nodes, and mask boundaries at lattice distances depend on it. */
    size_t rows = (size_t)layer->rows;
    double c = (double)(loc / rows);
    double r = (double)(loc % rows);
    double ll_x = layer->center[0] - layer->extent[0] / 2;
    double ll_y = layer->center[1] - layer->extent[1] / 2;
    double sx = layer->extent[0] / (double)layer->columns;
    double sy = -layer->extent[1] / (double)layer->rows;
    pos[0] = (ll_x + sx * c) + sx * 0.5;
    pos[1] = ((ll_y + layer->extent[1]) + sy * r) + sy * 0.5;
}

void dn_topo_displacement(const dn_topo_layer *layer, const double from[2], const double to[2],
                          double d[2])
{
    for (int i = 0; i < 2; i++) {
        d[i] = to[i] - from[i];
        if (layer->edge_wrap) {
            /* §7.3: fold into [-L/2, L/2); C fmod keeps the dividend's sign */
            double L = layer->extent[i];
            d[i] = -L / 2 + fmod(d[i] + L / 2, L);
            if (d[i] < -L / 2) {
                d[i] += L;
            }
        }
    }
}

/* ---- reading nest_params ------------------------------------------------------------------- */

static dn_status read_pair(const dn_value *v, const char *path, double out[2], dn_error *err)
{
    if (v->type != DN_VALUE_LIST || dn_value_len(v) != 2) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "expected a list of two numbers [x, y], got %s%s", dn_value_kind(v),
                            v->type == DN_VALUE_LIST ? " of another length (layers are 2-D)" : "");
    }
    for (size_t i = 0; i < 2; i++) {
        const dn_value *item = dn_value_list_at(v, i);
        if (!dn_value_get_double(item, &out[i])) {
            return dn_error_set(err, DN_EINPUT, &item->mark, path, "expected a number, got %s",
                                dn_value_kind(item));
        }
    }
    return DN_OK;
}

static dn_status read_integral(const dn_value *v, const char *path, int64_t *out, dn_error *err)
{
    if (!dn_value_get_integral(v, out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path, "expected an integer, got %s",
                            dn_value_kind(v));
    }
    return DN_OK;
}

dn_status dn_topo_layer_parse(const dn_value *np, const char *path, dn_topo_layer *out,
                              dn_error *err)
{
    static const char *const keys[] = {"rows",   "columns",   "extent",
                                       "center", "edge_wrap", "positions"};
    char kp[DN_ERROR_PATH_MAX];
    memset(out, 0, sizeof *out);
    if (np == NULL || np->type != DN_VALUE_MAP) {
        return dn_error_set(err, DN_EINPUT, np ? &np->mark : NULL, path,
                            "layer nest_params must be a mapping, got %s", dn_value_kind(np));
    }
    for (size_t i = 0; i < dn_value_len(np); i++) {
        const dn_map_entry *e = dn_value_map_at(np, i);
        const char *k = dn_value_str(e->key);
        if (k == NULL) {
            return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                "keys of layer nest_params must be strings");
        }
        bool known = false;
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
            known = known || strcmp(k, keys[j]) == 0;
        }
        if (strcmp(k, "elements") == 0) {
            return dn_error_set(err, DN_EINPUT, &e->key->mark, topo_path(kp, sizeof kp, path, k),
                                "`elements` is reserved: it is derived from `populations`");
        }
        if (!known) {
            const char *s = dn_suggest(k, keys, sizeof keys / sizeof keys[0]);
            return dn_error_set(err, DN_EINPUT, &e->key->mark, topo_path(kp, sizeof kp, path, k),
                                "unknown layer parameter '%s'%s%s%s (allowed: rows, columns, "
                                "extent, center, edge_wrap, positions)",
                                k, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        }
    }
    double extent[2] = {1.0, 1.0}, center[2] = {0.0, 0.0};
    bool wrap = false;
    const dn_value *v;
    dn_status st;
    if ((v = dn_value_map_get(np, "extent")) != NULL) {
        topo_path(kp, sizeof kp, path, "extent");
        if ((st = read_pair(v, kp, extent, err)) != DN_OK) {
            return st;
        }
        if (!(extent[0] > 0 && extent[1] > 0) || !isfinite(extent[0]) || !isfinite(extent[1])) {
            return dn_error_set(err, DN_EINPUT, &v->mark, kp,
                                "extent must be positive and finite, got [%g, %g]", extent[0],
                                extent[1]);
        }
    }
    if ((v = dn_value_map_get(np, "center")) != NULL) {
        topo_path(kp, sizeof kp, path, "center");
        if ((st = read_pair(v, kp, center, err)) != DN_OK) {
            return st;
        }
        if (!isfinite(center[0]) || !isfinite(center[1])) {
            return dn_error_set(err, DN_EINPUT, &v->mark, kp, "center must be finite");
        }
    }
    if ((v = dn_value_map_get(np, "edge_wrap")) != NULL && !dn_value_get_bool(v, &wrap)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, topo_path(kp, sizeof kp, path, "edge_wrap"),
                            "expected true or false, got %s", dn_value_kind(v));
    }
    const dn_value *vr = dn_value_map_get(np, "rows");
    const dn_value *vc = dn_value_map_get(np, "columns");
    const dn_value *vp = dn_value_map_get(np, "positions");
    if (vp != NULL) {
        topo_path(kp, sizeof kp, path, "positions");
        if (vr != NULL || vc != NULL) {
            const dn_value *bad = vr ? vr : vc;
            return dn_error_set(err, DN_EINPUT, &bad->mark, path,
                                "give either rows/columns (grid layer) or positions (free "
                                "layer), not both");
        }
        if (vp->type != DN_VALUE_LIST || dn_value_len(vp) == 0) {
            return dn_error_set(err, DN_EINPUT, &vp->mark, kp,
                                "positions must be a non-empty list of [x, y] pairs");
        }
        size_t n = dn_value_len(vp);
        double *xy = calloc(2 * n, sizeof(double));
        if (xy == NULL) {
            return dn_error_set(err, DN_ENOMEM, &vp->mark, kp, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            const dn_value *item = dn_value_list_at(vp, i);
            if ((st = read_pair(item, kp, xy + 2 * i, err)) != DN_OK) {
                free(xy);
                return st;
            }
        }
        st = free_positions(out, xy, n, extent, center, wrap, err, &vp->mark, kp);
        free(xy);
        return st;
    }
    if (vr == NULL || vc == NULL) {
        return dn_error_set(err, DN_EINPUT, &np->mark, path,
                            "a layer needs `rows` and `columns` (grid) or `positions` (free "
                            "layer); `%s` is missing",
                            vr == NULL ? "rows" : "columns");
    }
    int64_t rows, columns;
    if ((st = read_integral(vr, topo_path(kp, sizeof kp, path, "rows"), &rows, err)) != DN_OK) {
        return st;
    }
    if (rows < 1) {
        return dn_error_set(err, DN_EINPUT, &vr->mark, kp, "rows must be at least 1, got %lld",
                            (long long)rows);
    }
    if ((st = read_integral(vc, topo_path(kp, sizeof kp, path, "columns"), &columns, err)) !=
        DN_OK) {
        return st;
    }
    if (columns < 1) {
        return dn_error_set(err, DN_EINPUT, &vc->mark, kp, "columns must be at least 1, got %lld",
                            (long long)columns);
    }
    st = dn_topo_layer_grid(out, rows, columns, extent, center, wrap, err);
    if (st != DN_OK && err != NULL) {
        err->mark = np->mark;
        snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    }
    return st;
}

/* Reading a projection's ConnectLayers dictionary (kernel spec §7.2, §7.4, §7.5) from a dn_value
 * map into a dn_topo_spec, with every check that needs no layer: unknown keys and kinds (with
 * suggestions), types (decisions.md: integers accepted for decimals), ranges and probabilities. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "denest/suggest.h"
#include "denest/topology.h"
#include "net/topology_internal.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Random delays and truncated distributions: the share of the distribution inside [min, max)
 * must be at least this, or redrawing would (nearly) never end. */
#define MIN_TRUNCATED_MASS 1e-4

typedef char path_buf[DN_ERROR_PATH_MAX];

/* ---- small readers ------------------------------------------------------------------------- */

static void list_keys(char *buf, size_t size, const char *const *keys, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i]);
        if (w < 0) {
            break;
        }
        used += (size_t)w;
    }
}

/* dn_suggest, or else the name sharing the longest prefix of at least 4 characters with `word`
 * (circle -> circular, gauss -> gaussian: abbreviations are further apart than typos). */
static const char *suggest(const char *word, const char *const *names, size_t n)
{
    const char *s = dn_suggest(word, names, n);
    size_t best = 3;
    for (size_t i = 0; i < n && s == NULL; i++) {
        size_t k = 0;
        while (word[k] != '\0' && word[k] == names[i][k]) {
            k++;
        }
        if (k > best) {
            best = k;
            s = names[i];
        }
    }
    return s;
}

/* Unknown-name error with a suggestion and the list of valid names. */
static dn_status unknown_name(dn_error *err, const dn_value *at, const char *path, const char *what,
                              const char *where, const char *name, const char *const *names,
                              size_t n)
{
    char list[400];
    list_keys(list, sizeof list, names, n);
    const char *s = suggest(name, names, n);
    if (s != NULL) {
        return dn_error_set(err, DN_EINPUT, &at->mark, path,
                            "unknown %s '%s'%s%s (did you mean '%s'?); valid: %s", what, name,
                            where ? " in " : "", where ? where : "", s, list);
    }
    return dn_error_set(err, DN_EINPUT, &at->mark, path, "unknown %s '%s'%s%s; valid: %s", what,
                        name, where ? " in " : "", where ? where : "", list);
}

/* v must be a map whose keys are all in `keys`. */
static dn_status check_keys(const dn_value *v, const char *path, const char *what,
                            const char *const *keys, size_t n, dn_error *err)
{
    if (v == NULL || v->type != DN_VALUE_MAP) {
        return dn_error_set(err, DN_EINPUT, v ? &v->mark : NULL, path,
                            "%s must be a mapping, got %s", what, dn_value_kind(v));
    }
    for (size_t i = 0; i < dn_value_len(v); i++) {
        const dn_map_entry *e = dn_value_map_at(v, i);
        const char *k = dn_value_str(e->key);
        if (k == NULL) {
            return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                "keys of %s must be strings, got %s", what, dn_value_kind(e->key));
        }
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++) {
            ok = strcmp(k, keys[j]) == 0;
        }
        if (!ok) {
            path_buf kp;
            return unknown_name(err, e->key, topo_path(kp, sizeof kp, path, k), "key", what, k,
                                keys, n);
        }
    }
    return DN_OK;
}

/* Optional decimal map[key] (integers accepted). NaN is refused. */
static dn_status get_num(const dn_value *map, const char *key, const char *path, double *out,
                         dn_error *err)
{
    const dn_value *v = dn_value_map_get(map, key);
    if (v == NULL) {
        return DN_OK;
    }
    path_buf kp;
    topo_path(kp, sizeof kp, path, key);
    if (!dn_value_get_double(v, out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, kp, "expected a number, got %s",
                            dn_value_kind(v));
    }
    if (isnan(*out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, kp, "expected a number, got nan");
    }
    return DN_OK;
}

static dn_status need(const dn_value *map, const char *key, const char *path, const char *what,
                      dn_error *err)
{
    if (dn_value_map_get(map, key) == NULL) {
        return dn_error_set(err, DN_EINPUT, &map->mark, path, "%s needs `%s`", what, key);
    }
    return DN_OK;
}

/* Optional [x, y] map[key]. */
static dn_status get_pair(const dn_value *map, const char *key, const char *path, double out[2],
                          dn_error *err)
{
    const dn_value *v = dn_value_map_get(map, key);
    if (v == NULL) {
        return DN_OK;
    }
    path_buf kp;
    topo_path(kp, sizeof kp, path, key);
    if (v->type != DN_VALUE_LIST || dn_value_len(v) != 2) {
        return dn_error_set(err, DN_EINPUT, &v->mark, kp,
                            "expected a list of two numbers [x, y], got %s%s", dn_value_kind(v),
                            v->type == DN_VALUE_LIST ? " of another length (layers are 2-D)" : "");
    }
    for (size_t i = 0; i < 2; i++) {
        const dn_value *item = dn_value_list_at(v, i);
        if (!dn_value_get_double(item, &out[i]) || !isfinite(out[i])) {
            return dn_error_set(err, DN_EINPUT, &item->mark, kp, "expected a finite number, got %s",
                                dn_value_kind(item));
        }
    }
    return DN_OK;
}

static dn_status get_integral(const dn_value *map, const char *key, const char *path, int64_t *out,
                              dn_error *err)
{
    const dn_value *v = dn_value_map_get(map, key);
    if (v == NULL) {
        return DN_OK;
    }
    path_buf kp;
    if (v->type == DN_VALUE_DOUBLE && !dn_value_get_integral(v, out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, topo_path(kp, sizeof kp, path, key),
                            "expected an integer, got %g, which is not a whole number", v->u.d);
    }
    if (!dn_value_get_integral(v, out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, topo_path(kp, sizeof kp, path, key),
                            "expected an integer, got %s", dn_value_kind(v));
    }
    return DN_OK;
}

static dn_status get_bool(const dn_value *map, const char *key, const char *path, bool *out,
                          dn_error *err)
{
    const dn_value *v = dn_value_map_get(map, key);
    if (v == NULL) {
        return DN_OK;
    }
    path_buf kp;
    if (!dn_value_get_bool(v, out)) {
        return dn_error_set(err, DN_EINPUT, &v->mark, topo_path(kp, sizeof kp, path, key),
                            "expected true or false, got %s", dn_value_kind(v));
    }
    return DN_OK;
}

/* Error at map[key] (or at the map when key is absent). */
static dn_status bad(dn_error *err, const dn_value *map, const char *key, const char *path,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static dn_status bad(dn_error *err, const dn_value *map, const char *key, const char *path,
                     const char *fmt, ...)
{
    const dn_value *v = key ? dn_value_map_get(map, key) : NULL;
    path_buf kp;
    va_list ap;
    va_start(ap, fmt);
    dn_status st = dn_error_vset(err, DN_EINPUT, v ? &v->mark : &map->mark,
                                 v ? topo_path(kp, sizeof kp, path, key) : path, fmt, ap);
    va_end(ap);
    return st;
}

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        dn_status st_ = (expr);                                                                    \
        if (st_ != DN_OK) {                                                                        \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* ---- masks --------------------------------------------------------------------------------- */

static const char *const mask_kinds[] = {"circular", "rectangular", "doughnut", "elliptical",
                                         "grid"};
static const char *const mask_3d[] = {"spherical", "box", "volume", "ellipsoidal"};

static dn_status parse_mask(const dn_value *v, const char *path, dn_topo_mask *m, dn_error *err)
{
    static const char *const outer_keys[] = {"circular",   "rectangular", "doughnut",
                                             "elliptical", "grid",        "anchor"};
    memset(m, 0, sizeof *m);
    m->mark = v->mark;
    if (v->type != DN_VALUE_MAP) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "a mask must be a mapping such as {circular: {radius: 1.0}}, got %s",
                            dn_value_kind(v));
    }
    const dn_map_entry *kind_entry = NULL;
    for (size_t i = 0; i < dn_value_len(v); i++) {
        const dn_map_entry *e = dn_value_map_at(v, i);
        const char *k = dn_value_str(e->key);
        if (k == NULL) {
            return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                "keys of a mask must be strings, got %s", dn_value_kind(e->key));
        }
        if (strcmp(k, "anchor") == 0) {
            continue;
        }
        for (size_t j = 0; j < NELEM(mask_3d); j++) {
            if (strcmp(k, mask_3d[j]) == 0) {
                return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                    "'%s' is a 3-D mask; layers are 2-D here: use circular, "
                                    "rectangular, doughnut, elliptical or grid",
                                    k);
            }
        }
        bool known = false;
        for (size_t j = 0; j < NELEM(mask_kinds); j++) {
            known = known || strcmp(k, mask_kinds[j]) == 0;
        }
        if (!known) {
            path_buf kp;
            return unknown_name(err, e->key, topo_path(kp, sizeof kp, path, k), "mask kind", NULL,
                                k, outer_keys, NELEM(outer_keys));
        }
        if (kind_entry != NULL) {
            return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                "a mask has exactly one kind, got both '%s' and '%s'",
                                dn_value_str(kind_entry->key), k);
        }
        kind_entry = e;
    }
    if (kind_entry == NULL) {
        char list[200];
        list_keys(list, sizeof list, mask_kinds, NELEM(mask_kinds));
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "a mask needs its kind as key (one of %s)", list);
    }
    const char *kind = dn_value_str(kind_entry->key);
    const dn_value *p = kind_entry->value;
    path_buf kp;
    topo_path(kp, sizeof kp, path, kind);
    char what[64];
    snprintf(what, sizeof what, "a %s mask", kind);
    if (strcmp(kind, "circular") == 0) {
        static const char *const keys[] = {"radius", "anchor"};
        m->kind = DN_TOPO_MASK_CIRCULAR;
        TRY(check_keys(p, kp, what, keys, NELEM(keys), err));
        TRY(need(p, "radius", kp, what, err));
        TRY(get_num(p, "radius", kp, &m->radius, err));
        TRY(get_pair(p, "anchor", kp, m->center, err));
        if (!(m->radius > 0) || !isfinite(m->radius)) {
            return bad(err, p, "radius", kp, "radius must be positive and finite, got %g",
                       m->radius);
        }
    } else if (strcmp(kind, "doughnut") == 0) {
        static const char *const keys[] = {"inner_radius", "outer_radius", "anchor"};
        m->kind = DN_TOPO_MASK_DOUGHNUT;
        TRY(check_keys(p, kp, what, keys, NELEM(keys), err));
        TRY(need(p, "inner_radius", kp, what, err));
        TRY(need(p, "outer_radius", kp, what, err));
        TRY(get_num(p, "inner_radius", kp, &m->inner_radius, err));
        TRY(get_num(p, "outer_radius", kp, &m->radius, err));
        TRY(get_pair(p, "anchor", kp, m->center, err));
        if (!(m->inner_radius >= 0)) {
            return bad(err, p, "inner_radius", kp, "inner_radius must not be negative, got %g",
                       m->inner_radius);
        }
        if (!isfinite(m->radius)) {
            return bad(err, p, "outer_radius", kp, "outer_radius must be finite");
        }
        if (!(m->inner_radius < m->radius)) {
            return bad(err, p, "inner_radius", kp,
                       "inner_radius (%g) must be smaller than outer_radius (%g)", m->inner_radius,
                       m->radius);
        }
    } else if (strcmp(kind, "rectangular") == 0) {
        static const char *const keys[] = {"lower_left", "upper_right", "azimuth_angle"};
        m->kind = DN_TOPO_MASK_RECTANGULAR;
        TRY(check_keys(p, kp, what, keys, NELEM(keys), err));
        TRY(need(p, "lower_left", kp, what, err));
        TRY(need(p, "upper_right", kp, what, err));
        TRY(get_pair(p, "lower_left", kp, m->lower_left, err));
        TRY(get_pair(p, "upper_right", kp, m->upper_right, err));
        TRY(get_num(p, "azimuth_angle", kp, &m->azimuth_angle, err));
        if (!(m->lower_left[0] < m->upper_right[0] && m->lower_left[1] < m->upper_right[1])) {
            return bad(err, p, "upper_right", kp,
                       "upper_right [%g, %g] must be above and to the right of lower_left "
                       "[%g, %g] in both coordinates",
                       m->upper_right[0], m->upper_right[1], m->lower_left[0], m->lower_left[1]);
        }
        if (!isfinite(m->azimuth_angle)) {
            return bad(err, p, "azimuth_angle", kp, "azimuth_angle must be finite");
        }
    } else if (strcmp(kind, "elliptical") == 0) {
        static const char *const keys[] = {"major_axis", "minor_axis", "anchor", "azimuth_angle"};
        m->kind = DN_TOPO_MASK_ELLIPTICAL;
        TRY(check_keys(p, kp, what, keys, NELEM(keys), err));
        TRY(need(p, "major_axis", kp, what, err));
        TRY(need(p, "minor_axis", kp, what, err));
        TRY(get_num(p, "major_axis", kp, &m->major_axis, err));
        TRY(get_num(p, "minor_axis", kp, &m->minor_axis, err));
        TRY(get_pair(p, "anchor", kp, m->center, err));
        TRY(get_num(p, "azimuth_angle", kp, &m->azimuth_angle, err));
        if (!(m->minor_axis > 0) || !isfinite(m->major_axis)) {
            return bad(err, p, "minor_axis", kp, "the axes must be positive and finite");
        }
        if (m->major_axis < m->minor_axis) {
            return bad(err, p, "major_axis", kp,
                       "major_axis (%g) must not be smaller than minor_axis (%g)", m->major_axis,
                       m->minor_axis);
        }
        if (!isfinite(m->azimuth_angle)) {
            return bad(err, p, "azimuth_angle", kp, "azimuth_angle must be finite");
        }
    } else { /* grid */
        static const char *const keys[] = {"rows", "columns"};
        m->kind = DN_TOPO_MASK_GRID;
        TRY(check_keys(p, kp, what, keys, NELEM(keys), err));
        TRY(need(p, "rows", kp, what, err));
        TRY(need(p, "columns", kp, what, err));
        TRY(get_integral(p, "rows", kp, &m->grid_rows, err));
        TRY(get_integral(p, "columns", kp, &m->grid_columns, err));
        if (m->grid_rows < 1 || m->grid_columns < 1) {
            return bad(err, p, m->grid_rows < 1 ? "rows" : "columns", kp,
                       "a grid mask needs rows >= 1 and columns >= 1");
        }
    }
    const dn_value *anchor = dn_value_map_get(v, "anchor");
    if (anchor != NULL) {
        path_buf ap;
        topo_path(ap, sizeof ap, path, "anchor");
        if (m->kind == DN_TOPO_MASK_GRID) {
            /* grid masks are anchored at a cell: {row: r, column: c} */
            static const char *const keys[] = {"row", "column"};
            TRY(check_keys(anchor, ap, "a grid mask anchor", keys, NELEM(keys), err));
            TRY(get_integral(anchor, "row", ap, &m->anchor_row, err));
            TRY(get_integral(anchor, "column", ap, &m->anchor_column, err));
        } else {
            TRY(get_pair(v, "anchor", path, m->anchor, err));
        }
    }
    return DN_OK;
}

/* ---- parameter functions ------------------------------------------------------------------- */

static const char *const func_names[] = {"constant", "linear",     "exponential",
                                         "gaussian", "gaussian2D", "gamma",
                                         "uniform",  "normal",     "lognormal"};

/* Parameter names of each function (cutoff and anchor are added for all). */
static const char *const func_keys[][9] = {
    {"value", "cutoff", "anchor"},
    {"a", "c", "cutoff", "anchor"},
    {"a", "c", "tau", "cutoff", "anchor"},
    {"p_center", "mean", "sigma", "c", "cutoff", "anchor"},
    {"p_center", "mean_x", "mean_y", "sigma_x", "sigma_y", "rho", "c", "cutoff", "anchor"},
    {"kappa", "theta", "cutoff", "anchor"},
    {"min", "max", "cutoff", "anchor"},
    {"mean", "sigma", "min", "max", "cutoff", "anchor"},
    {"mu", "sigma", "min", "max", "cutoff", "anchor"},
};

static size_t count_keys(const char *const *keys)
{
    size_t n = 0;
    while (n < 9 && keys[n] != NULL) {
        n++;
    }
    return n;
}

/* Share of N(mean, sigma) inside [lo, hi), accurate in both tails. */
static double normal_mass(double mean, double sigma, double lo, double hi)
{
    double a = (lo - mean) / sigma, b = (hi - mean) / sigma;
    double pa, pb;
    if (a > 0) {
        pa = isinf(a) ? 0.0 : gsl_cdf_ugaussian_Q(a);
        pb = isinf(b) ? 0.0 : gsl_cdf_ugaussian_Q(b);
        return pa - pb;
    }
    pa = isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a);
    pb = isinf(b) ? 1.0 : gsl_cdf_ugaussian_P(b);
    return pb - pa;
}

static dn_status positive(const dn_value *p, const char *key, const char *path, double x,
                          dn_error *err)
{
    if (!(x > 0) || !isfinite(x)) {
        return bad(err, p, key, path, "%s must be positive and finite, got %g", key, x);
    }
    return DN_OK;
}

static dn_status need_finite(const dn_value *p, const char *key, const char *path, double x,
                             dn_error *err)
{
    if (!isfinite(x)) {
        return bad(err, p, key, path, "%s must be finite, got %g", key, x);
    }
    return DN_OK;
}

static dn_status parse_param(const dn_value *v, const char *path, dn_topo_param *out, dn_error *err)
{
    *out = dn_topo_param_constant(0.0);
    out->mark = v->mark;
    if (dn_value_is_number(v)) {
        dn_value_get_double(v, &out->value);
        if (!isfinite(out->value)) {
            return dn_error_set(err, DN_EINPUT, &v->mark, path, "expected a finite number, got %g",
                                out->value);
        }
        return DN_OK;
    }
    if (v->type == DN_VALUE_STRING && strcmp(v->u.s.ptr, "mandatory") == 0) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "the placeholder 'mandatory' was never replaced: give a number or "
                            "{function: {parameters}}");
    }
    if (v->type == DN_VALUE_MAP && dn_value_len(v) > 1) {
        static const char *const inner[] = {"cutoff", "anchor"};
        for (size_t i = 0; i < 2; i++) {
            const dn_map_entry *e = dn_value_map_entry(v, inner[i]);
            if (e != NULL) {
                return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                                    "`%s` belongs inside the function's parameters, e.g. "
                                    "{gaussian: {sigma: 0.5, %s: ...}}",
                                    inner[i], inner[i]);
            }
        }
    }
    if (v->type != DN_VALUE_MAP || dn_value_len(v) != 1) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "expected a number or a mapping with one function, e.g. "
                            "{gaussian: {p_center: 1.0, sigma: 0.5}}; got %s%s",
                            dn_value_kind(v), v->type == DN_VALUE_MAP ? " with another size" : "");
    }
    const dn_map_entry *e = dn_value_map_at(v, 0);
    const char *name = dn_value_str(e->key);
    if (name == NULL) {
        return dn_error_set(err, DN_EINPUT, &e->key->mark, path,
                            "the function name must be a string, got %s", dn_value_kind(e->key));
    }
    size_t f = 0;
    while (f < NELEM(func_names) && strcmp(name, func_names[f]) != 0) {
        f++;
    }
    if (f == NELEM(func_names)) {
        return unknown_name(err, e->key, path, "function", NULL, name, func_names,
                            NELEM(func_names));
    }
    path_buf fp;
    topo_path(fp, sizeof fp, path, name);
    const dn_value *p = e->value;
    dn_value *empty = NULL;
    if (p->type == DN_VALUE_NULL) { /* `uniform:` with nothing below: all defaults */
        empty = dn_value_map();
        if (empty == NULL) {
            return dn_error_set(err, DN_ENOMEM, &p->mark, fp, "out of memory");
        }
        dn_value_set_mark(empty, p->mark);
        p = empty;
    }
    char what[64];
    snprintf(what, sizeof what, "the %s function", name);
    dn_status st = check_keys(p, fp, what, func_keys[f], count_keys(func_keys[f]), err);
    if (st != DN_OK) {
        dn_value_free(empty);
        return st;
    }
    out->func = (dn_topo_func)f;
    /* defaults (§7.5) */
    out->a = 1.0;
    out->tau = 1.0;
    out->p_center = 1.0;
    out->sigma = 1.0;
    out->sigma_x = out->sigma_y = 1.0;
    out->kappa = out->theta = 1.0;
    if (out->func == DN_TOPO_UNIFORM) {
        out->min = 0.0;
        out->max = 1.0;
    } else if (out->func == DN_TOPO_LOGNORMAL) {
        out->min = 0.0; /* exp(...) is positive anyway */
    }
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"value", offsetof(dn_topo_param, value)},
        {"a", offsetof(dn_topo_param, a)},
        {"c", offsetof(dn_topo_param, c)},
        {"tau", offsetof(dn_topo_param, tau)},
        {"p_center", offsetof(dn_topo_param, p_center)},
        {"mean", offsetof(dn_topo_param, mean)},
        {"sigma", offsetof(dn_topo_param, sigma)},
        {"mean_x", offsetof(dn_topo_param, mean_x)},
        {"mean_y", offsetof(dn_topo_param, mean_y)},
        {"sigma_x", offsetof(dn_topo_param, sigma_x)},
        {"sigma_y", offsetof(dn_topo_param, sigma_y)},
        {"rho", offsetof(dn_topo_param, rho)},
        {"kappa", offsetof(dn_topo_param, kappa)},
        {"theta", offsetof(dn_topo_param, theta)},
        {"min", offsetof(dn_topo_param, min)},
        {"max", offsetof(dn_topo_param, max)},
        {"mu", offsetof(dn_topo_param, mu)},
        {"cutoff", offsetof(dn_topo_param, cutoff)},
    };
    for (size_t i = 0; i < NELEM(fields) && st == DN_OK; i++) {
        st = get_num(p, fields[i].key, fp, (double *)((char *)out + fields[i].off), err);
    }
    if (st == DN_OK) {
        st = get_pair(p, "anchor", fp, out->anchor, err);
    }
    if (st != DN_OK) {
        dn_value_free(empty);
        return st;
    }
    /* infinities only make sense for min, max and cutoff */
    static const char *const finite_keys[] = {"value", "a",      "c",      "tau", "p_center",
                                              "mean",  "mean_x", "mean_y", "rho", "mu"};
    for (size_t i = 0; i < NELEM(finite_keys) && st == DN_OK; i++) {
        double x = 0.0;
        if (dn_value_map_get(p, finite_keys[i]) != NULL) {
            dn_value_get_double(dn_value_map_get(p, finite_keys[i]), &x);
            st = need_finite(p, finite_keys[i], fp, x, err);
        }
    }
    switch (out->func) {
    case DN_TOPO_CONSTANT:
        if (st == DN_OK) {
            st = need(p, "value", fp, what, err);
        }
        break;
    case DN_TOPO_EXPONENTIAL:
        if (st == DN_OK) {
            st = positive(p, "tau", fp, out->tau, err);
        }
        break;
    case DN_TOPO_GAUSSIAN:
        if (st == DN_OK) {
            st = positive(p, "sigma", fp, out->sigma, err);
        }
        break;
    case DN_TOPO_GAUSSIAN2D:
        if (st == DN_OK) {
            st = positive(p, "sigma_x", fp, out->sigma_x, err);
        }
        if (st == DN_OK) {
            st = positive(p, "sigma_y", fp, out->sigma_y, err);
        }
        if (st == DN_OK && !(fabs(out->rho) < 1)) {
            st = bad(err, p, "rho", fp, "the correlation rho must satisfy |rho| < 1, got %g",
                     out->rho);
        }
        break;
    case DN_TOPO_GAMMA:
        if (st == DN_OK) {
            st = positive(p, "kappa", fp, out->kappa, err);
        }
        if (st == DN_OK) {
            st = positive(p, "theta", fp, out->theta, err);
        }
        break;
    case DN_TOPO_UNIFORM:
        if (st == DN_OK && (!isfinite(out->min) || !isfinite(out->max))) {
            st = bad(err, p, isfinite(out->min) ? "max" : "min", fp,
                     "uniform needs finite min and max");
        }
        if (st == DN_OK && !(out->min < out->max)) {
            st = bad(err, p, "max", fp, "uniform needs min < max, got min %g and max %g", out->min,
                     out->max);
        }
        break;
    case DN_TOPO_NORMAL:
    case DN_TOPO_LOGNORMAL: {
        if (st == DN_OK) {
            st = positive(p, "sigma", fp, out->sigma, err);
        }
        if (st == DN_OK && !(out->min < out->max)) {
            st = bad(err, p, "max", fp, "%s needs min < max, got min %g and max %g", name, out->min,
                     out->max);
        }
        if (st == DN_OK) {
            double mass;
            if (out->func == DN_TOPO_NORMAL) {
                mass = normal_mass(out->mean, out->sigma, out->min, out->max);
            } else {
                double lo = out->min > 0 ? log(out->min) : -INFINITY;
                double hi = out->max > 0 ? log(out->max) : -INFINITY;
                mass = normal_mass(out->mu, out->sigma, lo, hi);
            }
            if (!(mass >= MIN_TRUNCATED_MASS)) {
                st = bad(err, p, dn_value_map_get(p, "min") ? "min" : "max", fp,
                         "[min, max) = [%g, %g) holds only a share %.3g of the %s "
                         "distribution; values are redrawn until they fall inside, so move the "
                         "bounds (or the distribution) to overlap",
                         out->min, out->max, mass, name);
            }
        }
        break;
    }
    default:
        break;
    }
    dn_value_free(empty);
    return st;
}

/* The kernel is a connection probability for algorithms A and B, a relative weight for C and D
 * (then only negative values are refused). Checked where it is cheap: constants and the peak
 * c + max(p_center, 0) of gaussian-like kernels. */
static dn_status check_kernel(const dn_topo_param *k, const dn_value *v, const char *path,
                              bool probability, dn_error *err)
{
    double sup = NAN, inf = NAN;
    switch (k->func) {
    case DN_TOPO_CONSTANT:
        sup = inf = k->value;
        break;
    case DN_TOPO_GAUSSIAN:
    case DN_TOPO_GAUSSIAN2D:
        sup = k->c + fmax(k->p_center, 0.0);
        break;
    case DN_TOPO_EXPONENTIAL:
        sup = k->c + fmax(k->a, 0.0);
        break;
    case DN_TOPO_UNIFORM:
        sup = k->max;
        inf = k->min;
        break;
    default:
        return DN_OK;
    }
    if (k->cutoff > sup) {
        return DN_OK; /* cut to 0 everywhere: a valid (if useless) probability */
    }
    if (inf < 0 || sup < 0) {
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "the kernel is a connection probability and must not be negative "
                            "(it is %g%s)",
                            inf < 0 ? inf : sup, inf < 0 ? "" : " everywhere");
    }
    if (probability && sup > 1) {
        const char *how = k->func == DN_TOPO_CONSTANT      ? ""
                          : k->func == DN_TOPO_EXPONENTIAL ? " at distance 0 (c + a)"
                          : k->func == DN_TOPO_UNIFORM     ? " (max)"
                                                           : " at its peak (c + p_center)";
        return dn_error_set(err, DN_EINPUT, &v->mark, path,
                            "the kernel is a connection probability but reaches %g > 1%s", sup,
                            how);
    }
    return DN_OK;
}

/* Delays must be positive: constants > 0, random ones with a lower bound >= 0. */
static dn_status check_delays(const dn_topo_param *d, const dn_value *v, const char *path,
                              dn_error *err)
{
    path_buf fp;
    const dn_value *params = v->type == DN_VALUE_MAP ? dn_value_map_at(v, 0)->value : v;
    if (v->type == DN_VALUE_MAP) {
        topo_path(fp, sizeof fp, path, dn_value_str(dn_value_map_at(v, 0)->key));
    }
    switch (d->func) {
    case DN_TOPO_CONSTANT:
        if (!(d->value > 0)) {
            return dn_error_set(err, DN_EINPUT, &v->mark, path,
                                "delays must be positive (at least one resolution step), got %g",
                                d->value);
        }
        break;
    case DN_TOPO_UNIFORM:
    case DN_TOPO_NORMAL:
    case DN_TOPO_LOGNORMAL:
        if (!(d->min >= 0)) {
            if (params->type == DN_VALUE_MAP && dn_value_map_get(params, "min") != NULL) {
                return bad(err, params, "min", fp,
                           "a random delay needs a lower bound min >= 0, got %g", d->min);
            }
            return dn_error_set(err, DN_EINPUT, &v->mark, fp,
                                "a %s delay can be negative: give `min` >= 0 (values below are "
                                "redrawn)",
                                func_names[d->func]);
        }
        break;
    default:
        break;
    }
    return DN_OK;
}

/* ---- the dictionary ------------------------------------------------------------------------ */

void dn_topo_spec_init(dn_topo_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->type = DN_TOPO_CONVERGENT;
    spec->number_of_connections = -1;
    spec->allow_autapses = true;
    spec->allow_multapses = true;
    spec->allow_oversized_mask = false;
    spec->kernel = spec->weights = spec->delays = dn_topo_param_constant(1.0);
}

dn_status dn_topo_spec_parse(const dn_value *np, const char *path, dn_topo_spec *spec,
                             dn_error *err)
{
    static const char *const keys[] = {
        "connection_type",
        "mask",
        "kernel",
        "weights",
        "delays",
        "synapse_model",
        "number_of_connections",
        "allow_autapses",
        "allow_multapses",
        "allow_oversized_mask",
        "sources",
        "targets",
    };
    dn_topo_spec_init(spec);
    snprintf(spec->path, sizeof spec->path, "%s", path ? path : "");
    if (np == NULL) {
        return dn_error_set(err, DN_EINPUT, NULL, path, "missing projection parameters");
    }
    spec->mark = np->mark;
    TRY(check_keys(np, path, "projection nest_params", keys, NELEM(keys), err));
    path_buf kp;

    const dn_value *v = dn_value_map_get(np, "connection_type");
    if (v == NULL) {
        return dn_error_set(err, DN_EINPUT, &np->mark, path,
                            "`connection_type` is required: convergent or divergent");
    }
    topo_path(kp, sizeof kp, path, "connection_type");
    static const char *const types[] = {"convergent", "divergent"};
    const char *t = dn_value_str(v);
    if (t == NULL) {
        return dn_error_set(err, DN_EINPUT, &v->mark, kp,
                            "expected convergent or divergent, got %s", dn_value_kind(v));
    }
    if (strcmp(t, "convergent") == 0) {
        spec->type = DN_TOPO_CONVERGENT;
    } else if (strcmp(t, "divergent") == 0) {
        spec->type = DN_TOPO_DIVERGENT;
    } else {
        return unknown_name(err, v, kp, "connection_type", NULL, t, types, 2);
    }

    TRY(get_bool(np, "allow_autapses", path, &spec->allow_autapses, err));
    TRY(get_bool(np, "allow_multapses", path, &spec->allow_multapses, err));
    TRY(get_bool(np, "allow_oversized_mask", path, &spec->allow_oversized_mask, err));

    if ((v = dn_value_map_get(np, "number_of_connections")) != NULL) {
        TRY(get_integral(np, "number_of_connections", path, &spec->number_of_connections, err));
        spec->number_mark = v->mark;
        if (spec->number_of_connections < 0) {
            return bad(err, np, "number_of_connections", path,
                       "number_of_connections must be >= 0, got %lld",
                       (long long)spec->number_of_connections);
        }
    }

    if ((v = dn_value_map_get(np, "mask")) != NULL) {
        TRY(parse_mask(v, topo_path(kp, sizeof kp, path, "mask"), &spec->mask, err));
        spec->has_mask = true;
    }
    if ((v = dn_value_map_get(np, "kernel")) != NULL) {
        topo_path(kp, sizeof kp, path, "kernel");
        TRY(parse_param(v, kp, &spec->kernel, err));
        TRY(check_kernel(&spec->kernel, v, kp, spec->number_of_connections < 0, err));
        spec->has_kernel = true;
    }
    if ((v = dn_value_map_get(np, "weights")) != NULL) {
        TRY(parse_param(v, topo_path(kp, sizeof kp, path, "weights"), &spec->weights, err));
        spec->has_weights = true;
    }
    if ((v = dn_value_map_get(np, "delays")) != NULL) {
        topo_path(kp, sizeof kp, path, "delays");
        TRY(parse_param(v, kp, &spec->delays, err));
        TRY(check_delays(&spec->delays, v, kp, err));
        spec->has_delays = true;
    }
    if ((v = dn_value_map_get(np, "synapse_model")) != NULL && v->type != DN_VALUE_STRING) {
        return dn_error_set(err, DN_EINPUT, &v->mark,
                            topo_path(kp, sizeof kp, path, "synapse_model"),
                            "expected a synapse model name, got %s", dn_value_kind(v));
    }
    /* sources / targets filters (§7.2): {model: name, lid: k}; applied by the caller */
    static const char *const filters[] = {"sources", "targets"};
    static const char *const filter_keys[] = {"model", "lid"};
    for (size_t i = 0; i < 2; i++) {
        if ((v = dn_value_map_get(np, filters[i])) == NULL) {
            continue;
        }
        topo_path(kp, sizeof kp, path, filters[i]);
        if (v->type != DN_VALUE_MAP) {
            return dn_error_set(err, DN_EINPUT, &v->mark, kp,
                                "expected a mapping such as {model: name}, got %s",
                                dn_value_kind(v));
        }
        TRY(check_keys(v, kp, "a node filter", filter_keys, NELEM(filter_keys), err));
        const dn_value *m = dn_value_map_get(v, "model");
        if (m != NULL && m->type != DN_VALUE_STRING) {
            return bad(err, v, "model", kp, "expected a model name, got %s", dn_value_kind(m));
        }
        int64_t lid = 1;
        TRY(get_integral(v, "lid", kp, &lid, err));
        if (lid < 1) {
            return bad(err, v, "lid", kp, "lid counts element positions from 1, got %lld",
                       (long long)lid);
        }
    }
    return DN_OK;
}

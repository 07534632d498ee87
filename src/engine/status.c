/* The ONE generic setter/getter of parameters and state by NEST name (architecture.md §3
 * "Validation is declarative"): every model's field table is parsed, type-checked and
 * range-checked here; model hooks only add cross-field rules and transformed storage. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/suggest.h"
#include "engine/engine_impl.h"

dn_status dn_oom(dn_error *err)
{
    return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
}

int dn_field_index(const dn_field *f, int nf, const char *name)
{
    for (int k = 0; k < nf; k++)
        if (strcmp(f[k].name, name) == 0)
            return k;
    return -1;
}

static const dn_mark *mark_of(const dn_value *v)
{
    return (v && v->mark.file) ? &v->mark : NULL;
}

static const char *range_text(const dn_field *f, char *buf, size_t size)
{
    switch (f->range) {
    case DN_POS:
        return "> 0";
    case DN_NONNEG:
        return ">= 0";
    case DN_UNIT:
        return "in [0, 1]";
    case DN_BOUNDS:
        snprintf(buf, size, "in [%g, %g]", f->lo, f->hi);
        return buf;
    default:
        return "finite";
    }
}

static bool in_range(const dn_field *f, double x)
{
    switch (f->range) {
    case DN_POS:
        return x > 0;
    case DN_NONNEG:
        return x >= 0;
    case DN_UNIT:
        return x >= 0 && x <= 1;
    case DN_BOUNDS:
        return x >= f->lo && x <= f->hi;
    default:
        return true;
    }
}

dn_status dn_field_parse(const dn_field *f, const dn_value *v, const dn_calib *c, const char *owner,
                         double *out, dn_error *err)
{
    char rbuf[80];
    double x = 0;
    switch (f->type) {
    case DN_FT_DOUBLE:
        if (!dn_value_get_double(v, &x))
            return dn_error_set(err, DN_EINPUT, mark_of(v), NULL,
                                "'%s' of %s must be a number, not a %s", f->name, owner,
                                dn_value_kind(v));
        if (isnan(x) || (isinf(x) && !(f->flags & DN_F_INF_OK)))
            return dn_error_set(err, DN_EINPUT, mark_of(v), NULL,
                                "'%s' of %s must be a finite number (got %g)", f->name, owner, x);
        break;
    case DN_FT_INT: {
        int64_t k;
        if (!dn_value_get_integral(v, &k))
            return dn_error_set(err, DN_EINPUT, mark_of(v), NULL,
                                "'%s' of %s must be a whole number, not %s", f->name, owner,
                                v && v->type == DN_VALUE_DOUBLE ? "a fractional decimal"
                                                                : dn_value_kind(v));
        x = (double)k;
        break;
    }
    case DN_FT_BOOL: {
        bool b;
        if (!dn_value_get_bool(v, &b))
            return dn_error_set(err, DN_EINPUT, mark_of(v), NULL,
                                "'%s' of %s must be true or false, not a %s", f->name, owner,
                                dn_value_kind(v));
        x = b ? 1.0 : 0.0;
        break;
    }
    }
    if (!isinf(x) && !in_range(f, x))
        return dn_error_set(err, DN_EINPUT, mark_of(v), NULL, "'%s' of %s must be %s (got %g)",
                            f->name, owner, range_text(f, rbuf, sizeof rbuf), x);
    if ((f->flags & DN_F_GRID) && isfinite(x) && c && !dn_calib_on_grid(c, x, NULL))
        return dn_error_set(err, DN_EINPUT, mark_of(v), NULL,
                            "'%s' of %s = %g ms is not a multiple of the resolution %g ms", f->name,
                            owner, x, c->h);
    *out = x;
    return DN_OK;
}

dn_status dn_unknown_key_error(const char *key, const dn_mark *mark, const char *owner,
                               const dn_field *f, int nf, const char *const *extra, int nextra,
                               const char *const *more, int nmore, dn_error *err)
{
    size_t n = (size_t)nf + (size_t)nextra + (size_t)nmore;
    const char **cand = malloc((n ? n : 1) * sizeof *cand);
    if (!cand)
        return dn_oom(err);
    size_t k = 0;
    for (int j = 0; j < nf; j++)
        cand[k++] = f[j].name;
    for (int j = 0; j < nextra; j++)
        cand[k++] = extra[j];
    for (int j = 0; j < nmore; j++)
        cand[k++] = more[j];
    const char *s = dn_suggest(key, cand, k);
    dn_status st;
    if (s)
        st = dn_error_set(err, DN_EINPUT, mark, NULL,
                          "unknown parameter '%s' for %s (did you mean '%s'?)", key, owner, s);
    else
        st = dn_error_set(err, DN_EINPUT, mark, NULL, "unknown parameter '%s' for %s", key, owner);
    free(cand);
    return st;
}

void dn_rec_read(const dn_block *b, size_t i, double *rec)
{
    const dn_model *m = b->model;
    for (int k = 0; k < m->n_fields; k++) {
        int c = m->fields[k].col;
        if (c < 0)
            rec[k] = 0;
        else if (m->cols[c].type == DN_COL_F64)
            rec[k] = dn_col_f64(b, c)[i];
        else
            rec[k] = (double)dn_col_i32(b, c)[i];
    }
    if (m->read)
        m->read(b, i, rec);
}

static const char *owner_name(const dn_block *b)
{
    const dn_nodemodel *nm = b->inst;
    return nm ? nm->name : b->model->name;
}

static bool is_extra(const dn_model *m, const char *key)
{
    for (int k = 0; k < m->n_extra_keys; k++)
        if (strcmp(m->extra_keys[k], key) == 0)
            return true;
    return false;
}

dn_status dn_node_set(dn_block *b, size_t i, const dn_value *dict, const dn_calib *c, dn_error *err)
{
    const dn_model *m = b->model;
    if (!dict)
        return DN_OK;
    if (dict->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, mark_of(dict), NULL,
                            "parameters of %s must be a mapping, not a %s", owner_name(b),
                            dn_value_kind(dict));
    int nf = m->n_fields;
    double *rec = malloc(((size_t)nf + 1) * sizeof *rec);
    bool *changed = calloc((size_t)nf + 1, sizeof *changed);
    if (!rec || !changed) {
        free(rec);
        free(changed);
        return dn_oom(err);
    }
    dn_status st = DN_OK;
    bool extra = false;
    dn_rec_read(b, i, rec);
    for (size_t k = 0; k < dn_value_len(dict) && st == DN_OK; k++) {
        const dn_map_entry *en = dn_value_map_at(dict, k);
        const char *key = dn_value_str(en->key);
        if (!key) {
            st = dn_error_set(err, DN_EINPUT, mark_of(en->key), NULL,
                              "parameter names of %s must be strings", owner_name(b));
            break;
        }
        int f = dn_field_index(m->fields, nf, key);
        if (f >= 0) {
            if (m->fields[f].flags & DN_F_READONLY) {
                st = dn_error_set(err, DN_EINPUT, mark_of(en->key), NULL, "'%s' of %s is read-only",
                                  key, owner_name(b));
                break;
            }
            st = dn_field_parse(&m->fields[f], en->value, c, owner_name(b), &rec[f], err);
            changed[f] = true;
        } else if (is_extra(m, key)) {
            extra = true;
        } else {
            st = dn_unknown_key_error(key, mark_of(en->key), owner_name(b), m->fields, nf,
                                      m->extra_keys, m->n_extra_keys, NULL, 0, err);
        }
    }
    if (st == DN_OK && extra) {
        if (!m->set_extra)
            st = dn_error_set(err, DN_ERUNTIME, NULL, NULL, "model %s cannot set extra keys",
                              m->name);
        else
            st = m->set_extra(b, i, dict, rec, false, c, err);
    }
    if (st == DN_OK && m->apply)
        st = m->apply(b, i, rec, changed, err);
    if (st == DN_OK && extra)
        st = m->set_extra(b, i, dict, rec, true, c, err);
    if (st == DN_OK) {
        for (int f = 0; f < nf; f++) {
            int col = m->fields[f].col;
            if (!changed[f] || col < 0)
                continue;
            if (m->cols[col].type == DN_COL_F64)
                dn_col_f64(b, col)[i] = rec[f];
            else
                dn_col_i32(b, col)[i] = (int32_t)rec[f];
        }
    }
    free(rec);
    free(changed);
    return st;
}

dn_status dn_put_double(dn_value *map, const char *key, double x)
{
    return dn_value_map_set(map, key, dn_value_double(x)) == DN_OK ? DN_OK : DN_ENOMEM;
}

dn_status dn_put_int(dn_value *map, const char *key, int64_t x)
{
    return dn_value_map_set(map, key, dn_value_int(x)) == DN_OK ? DN_OK : DN_ENOMEM;
}

dn_status dn_put_bool(dn_value *map, const char *key, bool x)
{
    return dn_value_map_set(map, key, dn_value_bool(x)) == DN_OK ? DN_OK : DN_ENOMEM;
}

dn_status dn_put_string(dn_value *map, const char *key, const char *s)
{
    return dn_value_map_set(map, key, dn_value_string(s ? s : "")) == DN_OK ? DN_OK : DN_ENOMEM;
}

dn_status dn_put_field(dn_value *map, const dn_field *f, double x)
{
    switch (f->type) {
    case DN_FT_INT:
        return dn_put_int(map, f->name, (int64_t)x);
    case DN_FT_BOOL:
        return dn_put_bool(map, f->name, x != 0);
    default:
        /* NEST reports an infinite stop as the largest finite double (spec §1.10) */
        if ((f->flags & DN_F_GRID) && isinf(x) && x > 0)
            x = 1.7976931348623157e308;
        return dn_put_double(map, f->name, x);
    }
}

dn_status dn_node_get(const dn_block *b, size_t i, dn_value *out, const dn_calib *c, dn_error *err)
{
    const dn_model *m = b->model;
    int nf = m->n_fields;
    double *rec = malloc(((size_t)nf + 1) * sizeof *rec);
    if (!rec)
        return dn_oom(err);
    dn_rec_read(b, i, rec);
    dn_status st = DN_OK;
    for (int f = 0; f < nf && st == DN_OK; f++)
        if (!(m->fields[f].flags & DN_F_HIDDEN))
            st = dn_put_field(out, &m->fields[f], rec[f]);
    free(rec);
    if (st == DN_OK && m->get_extra)
        st = m->get_extra(b, i, out, c);
    if (st != DN_OK)
        return dn_oom(err);
    return DN_OK;
}

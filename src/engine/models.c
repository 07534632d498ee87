/* Model instances: the built-in models and CopyModel copies, each with its prototype (the
 * defaults), SetDefaults / GetDefaults (kernel spec §6.5), and the blocks that store nodes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/suggest.h"
#include "engine/engine_impl.h"

/* ---- blocks -------------------------------------------------------------------------------- */

dn_block *dn_block_new(const dn_model *m, size_t n, dn_error *err)
{
    dn_block *b = calloc(1, sizeof *b);
    if (!b)
        goto oom;
    b->model = m;
    b->n = n;
    b->gid_stride = 1;
    b->vp = -1;
    b->col = calloc((size_t)m->n_cols + 1, sizeof *b->col);
    if (!b->col)
        goto oom;
    for (int c = 0; c < m->n_cols; c++) {
        size_t es = m->cols[c].type == DN_COL_F64 ? sizeof(double) : sizeof(int32_t);
        b->col[c] = calloc(n ? n : 1, es);
        if (!b->col[c])
            goto oom;
    }
    if (m->obj_size) {
        b->obj = calloc(n ? n : 1, m->obj_size);
        if (!b->obj)
            goto oom;
    }
    return b;
oom:
    if (b) {
        b->n = 0; /* objects not initialised yet */
        dn_block_free(b);
    }
    dn_oom(err);
    return NULL;
}

void dn_block_free(dn_block *b)
{
    if (!b)
        return;
    const dn_model *m = b->model;
    if (m->block_free)
        m->block_free(b);
    if (b->obj && m->obj_free)
        for (size_t i = 0; i < b->n; i++)
            m->obj_free(dn_block_obj(b, i));
    free(b->obj);
    if (b->col)
        for (int c = 0; c < m->n_cols; c++)
            free(b->col[c]);
    free(b->col);
    free((void *)b->log_first);
    free(b);
}

/* Copy the prototype's columns and object into every node of b. On failure the objects of b
 * that were not copied are zeroed and b->n is cut so dn_block_free stays safe. */
dn_status dn_block_fill_from_proto(dn_block *b, const dn_block *proto, dn_error *err)
{
    const dn_model *m = b->model;
    for (int c = 0; c < m->n_cols; c++) {
        if (m->cols[c].type == DN_COL_F64) {
            double v = dn_col_f64(proto, c)[0], *d = dn_col_f64(b, c);
            for (size_t i = 0; i < b->n; i++)
                d[i] = v;
        } else {
            int32_t v = dn_col_i32(proto, c)[0], *d = dn_col_i32(b, c);
            for (size_t i = 0; i < b->n; i++)
                d[i] = v;
        }
    }
    if (m->obj_size) {
        for (size_t i = 0; i < b->n; i++) {
            dn_status st =
                m->obj_copy ? m->obj_copy(dn_block_obj(b, i), dn_block_obj(proto, 0)) : DN_OK;
            if (!m->obj_copy)
                memcpy(dn_block_obj(b, i), dn_block_obj(proto, 0), m->obj_size);
            if (st != DN_OK) {
                b->n = i;
                return dn_oom(err);
            }
        }
    }
    return DN_OK;
}

static dn_block *proto_new(const dn_model *m, dn_error *err)
{
    dn_block *p = dn_block_new(m, 1, err);
    if (!p)
        return NULL;
    for (int c = 0; c < m->n_cols; c++) {
        if (m->cols[c].type == DN_COL_F64)
            dn_col_f64(p, c)[0] = m->cols[c].def;
        else
            dn_col_i32(p, c)[0] = (int32_t)m->cols[c].def;
    }
    if (m->obj_size && m->obj_init && m->obj_init(dn_block_obj(p, 0)) != DN_OK) {
        p->n = 0;
        dn_block_free(p);
        dn_oom(err);
        return NULL;
    }
    if (m->proto_init)
        m->proto_init(p);
    return p;
}

/* ---- registry of instances ------------------------------------------------------------------ */

dn_nodemodel *dn_find_nodemodel(const dn_engine *e, const char *name)
{
    name = dn_registry_alias(name);
    for (size_t k = 0; k < e->n_nm; k++)
        if (strcmp(e->nm[k]->name, name) == 0)
            return e->nm[k];
    return NULL;
}

dn_syninst *dn_find_syninst(const dn_engine *e, const char *name)
{
    for (size_t k = 0; k < e->n_sm; k++)
        if (strcmp(e->sm[k]->name, name) == 0)
            return e->sm[k];
    return NULL;
}

static void names_invalidate(dn_engine *e)
{
    free(e->names);
    e->names = NULL;
}

size_t dn_engine_model_names(const dn_engine *ce, const char *const **names)
{
    dn_engine *e = (dn_engine *)ce;
    size_t n = e->n_nm + e->n_sm;
    if (!e->names) {
        e->names = malloc((n + 1) * sizeof *e->names);
        if (!e->names) {
            *names = NULL;
            return 0;
        }
        size_t k = 0;
        for (size_t j = 0; j < e->n_nm; j++)
            e->names[k++] = e->nm[j]->name;
        for (size_t j = 0; j < e->n_sm; j++)
            e->names[k++] = e->sm[j]->name;
    }
    *names = e->names;
    return n;
}

/* want: 0 any, 1 node model, 2 synapse model */
dn_status dn_unknown_model_error(const dn_engine *e, const char *name, int want, dn_error *err)
{
    const char *const *names;
    size_t n = dn_engine_model_names(e, &names);
    const char *kind = want == 1 ? "node model" : want == 2 ? "synapse model" : "model";
    const char *s = dn_suggest(name, names, n);
    if (s)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "unknown %s '%s' (did you mean '%s'?)",
                            kind, name, s);
    return dn_error_set(err, DN_EINPUT, NULL, NULL, "unknown %s '%s'", kind, name);
}

static dn_status add_nodemodel(dn_engine *e, const char *name, const dn_model *m,
                               const dn_block *copy_from, bool builtin, dn_nodemodel **out,
                               dn_error *err)
{
    dn_nodemodel **nm = realloc(e->nm, (e->n_nm + 1) * sizeof *nm);
    if (!nm)
        return dn_oom(err);
    e->nm = nm;
    dn_nodemodel *x = calloc(1, sizeof *x);
    if (!x || !(x->name = strdup(name))) {
        free(x);
        return dn_oom(err);
    }
    x->m = m;
    x->builtin = builtin;
    if (copy_from) {
        x->proto = dn_block_new(m, 1, err);
        if (x->proto && dn_block_fill_from_proto(x->proto, copy_from, err) != DN_OK) {
            dn_block_free(x->proto);
            x->proto = NULL;
        }
    } else {
        x->proto = proto_new(m, err);
    }
    if (!x->proto) {
        free(x->name);
        free(x);
        return DN_ENOMEM;
    }
    x->proto->inst = x;
    e->nm[e->n_nm++] = x;
    names_invalidate(e);
    if (out)
        *out = x;
    return DN_OK;
}

static void nodemodel_free(dn_nodemodel *x)
{
    dn_block_free(x->proto);
    free(x->name);
    free(x);
}

static dn_status add_syninst(dn_engine *e, const char *name, const dn_synmodel *m,
                             const dn_syninst *copy_from, bool builtin, dn_syninst **out,
                             dn_error *err)
{
    dn_syninst **sm = realloc(e->sm, (e->n_sm + 1) * sizeof *sm);
    if (!sm)
        return dn_oom(err);
    e->sm = sm;
    dn_syninst *x = calloc(1, sizeof *x);
    if (!x || !(x->name = strdup(name)) ||
        !(x->defcols = calloc((size_t)m->n_cols + 1, sizeof(double)))) {
        if (x)
            free(x->name);
        free(x);
        return dn_oom(err);
    }
    x->m = m;
    x->builtin = builtin;
    x->id = (int)e->n_sm;
    if (copy_from) {
        x->weight = copy_from->weight;
        x->delay = copy_from->delay;
        x->receptor = copy_from->receptor;
        x->weight_recorder = copy_from->weight_recorder;
        memcpy(x->defcols, copy_from->defcols, (size_t)m->n_cols * sizeof(double));
    } else {
        x->weight = m->default_weight;
        x->delay = 1.0;
        x->receptor = 0;
        x->weight_recorder = -1;
        for (int c = 0; c < m->n_cols; c++)
            x->defcols[c] = m->cols[c].def;
    }
    e->sm[e->n_sm++] = x;
    names_invalidate(e);
    dn_status st = dn_tables_grow(e, err);
    if (st != DN_OK) {
        e->n_sm--;
        free(x->defcols);
        free(x->name);
        free(x);
        return st;
    }
    if (out)
        *out = x;
    return DN_OK;
}

static void syninst_free(dn_syninst *x)
{
    free(x->defcols);
    free(x->name);
    free(x);
}

dn_status dn_models_init(dn_engine *e, dn_error *err)
{
    const dn_model *const *ms;
    size_t n = dn_registry_models(&ms);
    for (size_t k = 0; k < n; k++)
        if (add_nodemodel(e, ms[k]->name, ms[k], NULL, true, NULL, err) != DN_OK)
            return DN_ENOMEM;
    for (size_t k = 0; k < e->n_ext_models; k++)
        if (add_nodemodel(e, e->ext_models[k]->name, e->ext_models[k], NULL, true, NULL, err))
            return DN_ENOMEM;
    const dn_synmodel *const *ss;
    n = dn_registry_synmodels(&ss);
    for (size_t k = 0; k < n; k++)
        if (add_syninst(e, ss[k]->name, ss[k], NULL, true, NULL, err) != DN_OK)
            return DN_ENOMEM;
    for (size_t k = 0; k < e->n_ext_syn; k++)
        if (add_syninst(e, e->ext_syn[k]->name, e->ext_syn[k], NULL, true, NULL, err))
            return DN_ENOMEM;
    return DN_OK;
}

void dn_models_free(dn_engine *e)
{
    for (size_t k = 0; k < e->n_nm; k++)
        nodemodel_free(e->nm[k]);
    free(e->nm);
    e->nm = NULL;
    e->n_nm = 0;
    for (size_t k = 0; k < e->n_sm; k++)
        syninst_free(e->sm[k]);
    free(e->sm);
    e->sm = NULL;
    e->n_sm = 0;
    names_invalidate(e);
}

dn_status dn_engine_register_model(dn_engine *e, const dn_model *m, dn_error *err)
{
    if (dn_engine_model_kind(e, m->name) != DN_KIND_NONE)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "a model named '%s' exists already",
                            m->name);
    const dn_model **x = realloc(e->ext_models, (e->n_ext_models + 1) * sizeof *x);
    if (!x)
        return dn_oom(err);
    e->ext_models = x;
    e->ext_models[e->n_ext_models++] = m;
    return add_nodemodel(e, m->name, m, NULL, true, NULL, err);
}

dn_status dn_engine_register_synmodel(dn_engine *e, const dn_synmodel *m, dn_error *err)
{
    if (dn_engine_model_kind(e, m->name) != DN_KIND_NONE)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "a model named '%s' exists already",
                            m->name);
    const dn_synmodel **x = realloc(e->ext_syn, (e->n_ext_syn + 1) * sizeof *x);
    if (!x)
        return dn_oom(err);
    e->ext_syn = x;
    e->ext_syn[e->n_ext_syn++] = m;
    return add_syninst(e, m->name, m, NULL, true, NULL, err);
}

dn_model_kind dn_engine_model_kind(const dn_engine *e, const char *name)
{
    if (dn_find_nodemodel(e, name))
        return DN_KIND_NODE;
    if (dn_find_syninst(e, name))
        return DN_KIND_SYNAPSE;
    return DN_KIND_NONE;
}

const char *dn_engine_model_type_id(const dn_engine *e, const char *name)
{
    dn_nodemodel *nm = dn_find_nodemodel(e, name);
    if (nm)
        return nm->m->name;
    dn_syninst *si = dn_find_syninst(e, name);
    return si ? si->m->name : NULL;
}

dn_status dn_engine_model_element_type(const dn_engine *e, const char *name, dn_element_type *out,
                                       dn_error *err)
{
    dn_nodemodel *nm = dn_find_nodemodel(e, name);
    if (!nm)
        return dn_unknown_model_error(e, name, 1, err);
    *out = nm->m->element_type;
    return DN_OK;
}

/* ---- synapse defaults ---------------------------------------------------------------------- */

static const char *const syn_common_keys[] = {"weight", "delay", "receptor_type",
                                              "weight_recorder"};

/* Apply a dict to a synapse model's defaults (validated fully before anything changes). */
static dn_status syn_set_defaults(dn_engine *e, dn_syninst *si, const dn_value *dict, dn_error *err)
{
    if (!dict)
        return DN_OK;
    const dn_synmodel *m = si->m;
    if (dict->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, dict->mark.file ? &dict->mark : NULL, NULL,
                            "parameters of %s must be a mapping, not a %s", si->name,
                            dn_value_kind(dict));
    double weight = si->weight, delay = si->delay;
    long receptor = si->receptor;
    int64_t wr = si->weight_recorder;
    int nf = m->n_fields;
    double *rec = malloc(((size_t)nf + 1) * sizeof *rec);
    bool *changed = calloc((size_t)nf + 1, sizeof *changed);
    if (!rec || !changed) {
        free(rec);
        free(changed);
        return dn_oom(err);
    }
    for (int f = 0; f < nf; f++)
        rec[f] = m->fields[f].col >= 0 ? si->defcols[m->fields[f].col] : 0;
    dn_status st = DN_OK;
    for (size_t k = 0; k < dn_value_len(dict) && st == DN_OK; k++) {
        const dn_map_entry *en = dn_value_map_at(dict, k);
        const char *key = dn_value_str(en->key);
        const dn_mark *mk = en->key->mark.file ? &en->key->mark : NULL;
        const dn_mark *vm = en->value->mark.file ? &en->value->mark : NULL;
        if (!key) {
            st = dn_error_set(err, DN_EINPUT, mk, NULL, "parameter names must be strings");
        } else if (strcmp(key, "weight") == 0) {
            if (!dn_value_get_double(en->value, &weight) || !isfinite(weight))
                st = dn_error_set(err, DN_EINPUT, vm, NULL,
                                  "'weight' of %s must be a finite number", si->name);
        } else if (strcmp(key, "delay") == 0) {
            if (!dn_value_get_double(en->value, &delay) || !isfinite(delay))
                st = dn_error_set(err, DN_EINPUT, vm, NULL, "'delay' of %s must be a finite number",
                                  si->name);
            else if (dn_delay_steps(e, delay) < 1)
                st = dn_error_set(err, DN_EINPUT, vm, NULL,
                                  "'delay' of %s = %g ms must be >= the resolution %g ms", si->name,
                                  delay, e->h);
        } else if (strcmp(key, "receptor_type") == 0) {
            int64_t r;
            if (!dn_value_get_integral(en->value, &r) || r < 0)
                st = dn_error_set(err, DN_EINPUT, vm, NULL,
                                  "'receptor_type' of %s must be a whole number >= 0", si->name);
            receptor = (long)r;
        } else if (strcmp(key, "weight_recorder") == 0) {
            int64_t g;
            if (!dn_value_get_integral(en->value, &g))
                st = dn_error_set(err, DN_EINPUT, vm, NULL,
                                  "'weight_recorder' of %s must be the GID of a "
                                  "weight_recorder",
                                  si->name);
            else if (g >= 0) {
                dn_pop *p = dn_find_pop(e, (dn_gid)g);
                if (!p || strcmp(p->nm->m->name, "weight_recorder") != 0)
                    st = dn_error_set(err, DN_EINPUT, vm, NULL,
                                      "'weight_recorder' of %s: node %lld is not a "
                                      "weight_recorder",
                                      si->name, (long long)g);
            }
            wr = g < 0 ? -1 : g;
        } else {
            int f = dn_field_index(m->fields, nf, key);
            if (f < 0 || (m->fields[f].flags & DN_F_READONLY)) {
                if (f >= 0)
                    st = dn_error_set(err, DN_EINPUT, mk, NULL, "'%s' of %s is read-only", key,
                                      si->name);
                else
                    st = dn_unknown_key_error(key, mk, si->name, m->fields, nf, syn_common_keys, 4,
                                              NULL, 0, err);
            } else {
                st = dn_field_parse(&m->fields[f], en->value, NULL, si->name, &rec[f], err);
                changed[f] = true;
            }
        }
    }
    if (st == DN_OK && m->apply)
        st = m->apply(rec, changed, err);
    if (st == DN_OK) {
        si->weight = weight;
        si->delay = delay;
        si->receptor = receptor;
        si->weight_recorder = wr;
        for (int f = 0; f < nf; f++)
            if (changed[f] && m->fields[f].col >= 0)
                si->defcols[m->fields[f].col] = rec[f];
    }
    free(rec);
    free(changed);
    return st;
}

static dn_status syn_get_defaults(const dn_engine *e, const dn_syninst *si, dn_value *out)
{
    const dn_synmodel *m = si->m;
    (void)e;
    size_t n = 0;
    for (int v = 0; v < e->n_vp && e->vps; v++) {
        const dn_table *t = &e->vps[v].tables[si->id];
        n += t->t.n + t->pn;
    }
    dn_status st = DN_OK;
    st |= dn_put_double(out, "weight", si->weight);
    st |= dn_put_double(out, "delay", si->delay);
    st |= dn_put_int(out, "receptor_type", si->receptor);
    st |= dn_put_int(out, "weight_recorder", si->weight_recorder);
    st |= dn_put_string(out, "synapse_model", si->name);
    st |= dn_put_string(out, "type_id", m->name);
    st |= dn_put_bool(out, "has_delay", true);
    st |= dn_put_bool(out, "requires_symmetric", false);
    st |= dn_put_int(out, "sizeof", (int64_t)(sizeof(dn_conn) + (size_t)m->n_cols * 8));
    st |= dn_put_int(out, "num_connections", (int64_t)n);
    for (int f = 0; f < m->n_fields && st == DN_OK; f++)
        if (!(m->fields[f].flags & DN_F_HIDDEN))
            st = dn_put_field(out, &m->fields[f],
                              m->fields[f].col >= 0 ? si->defcols[m->fields[f].col] : 0);
    return st == DN_OK ? DN_OK : DN_ENOMEM;
}

/* ---- node model defaults ------------------------------------------------------------------- */

/* The keys every node status shows about its model (recordables, receptor_types, ...). */
dn_status dn_model_info(const dn_engine *e, const dn_nodemodel *nm, dn_value *out)
{
    (void)e;
    const dn_model *m = nm->m;
    static const char *const et[] = {"neuron", "stimulator", "recorder"};
    dn_status st = DN_OK;
    st |= dn_put_string(out, "model", nm->name);
    st |= dn_put_string(out, "type_id", m->name);
    st |= dn_put_string(out, "element_type", et[m->element_type]);
    st |= dn_put_bool(out, "frozen", false);
    if (st != DN_OK)
        return DN_ENOMEM;
    if (m->n_recordables > 0) {
        dn_value *l = dn_value_list();
        if (!l)
            return DN_ENOMEM;
        for (int r = 0; r < m->n_recordables; r++)
            if (dn_value_list_append(l, dn_value_string(m->recordables[r].name)) != DN_OK) {
                dn_value_free(l);
                return DN_ENOMEM;
            }
        if (dn_value_map_set(out, "recordables", l) != DN_OK)
            return DN_ENOMEM;
    }
    if (m->n_receptors > 0) {
        dn_value *r = dn_value_map();
        if (!r)
            return DN_ENOMEM;
        for (int k = 0; k < m->n_receptors; k++)
            if (dn_put_int(r, m->receptors[k].name, m->receptors[k].value) != DN_OK) {
                dn_value_free(r);
                return DN_ENOMEM;
            }
        if (dn_value_map_set(out, "receptor_types", r) != DN_OK)
            return DN_ENOMEM;
    }
    return DN_OK;
}

dn_status dn_engine_copy_model(dn_engine *e, const char *old_name, const char *new_name,
                               const dn_value *params, dn_error *err)
{
    if (!new_name || !*new_name)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "CopyModel needs a non-empty new name");
    if (dn_engine_model_kind(e, new_name) != DN_KIND_NONE)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "cannot copy '%s' to '%s': a model named '%s' exists already", old_name,
                            new_name, new_name);
    dn_nodemodel *nm = dn_find_nodemodel(e, old_name);
    dn_calib c;
    dn_engine_calib(e, &c);
    if (nm) {
        dn_nodemodel *x;
        dn_status st = add_nodemodel(e, new_name, nm->m, nm->proto, false, &x, err);
        if (st != DN_OK)
            return st;
        st = dn_node_set(x->proto, 0, params, &c, err);
        if (st != DN_OK) {
            e->n_nm--;
            nodemodel_free(x);
            names_invalidate(e);
        }
        return st;
    }
    dn_syninst *si = dn_find_syninst(e, old_name);
    if (!si)
        return dn_unknown_model_error(e, old_name, 0, err);
    /* validate on a scratch copy first so a bad dict leaves no model behind */
    dn_syninst tmp = *si;
    tmp.defcols = malloc(((size_t)si->m->n_cols + 1) * sizeof(double));
    if (!tmp.defcols)
        return dn_oom(err);
    memcpy(tmp.defcols, si->defcols, (size_t)si->m->n_cols * sizeof(double));
    tmp.name = (char *)new_name;
    dn_status st = syn_set_defaults(e, &tmp, params, err);
    if (st == DN_OK)
        st = add_syninst(e, new_name, si->m, &tmp, false, NULL, err);
    free(tmp.defcols);
    return st;
}

dn_status dn_engine_set_defaults(dn_engine *e, const char *model, const dn_value *params,
                                 dn_error *err)
{
    dn_nodemodel *nm = dn_find_nodemodel(e, model);
    if (nm) {
        dn_calib c;
        dn_engine_calib(e, &c);
        return dn_node_set(nm->proto, 0, params, &c, err);
    }
    dn_syninst *si = dn_find_syninst(e, model);
    if (!si)
        return dn_unknown_model_error(e, model, 0, err);
    return syn_set_defaults(e, si, params, err);
}

dn_status dn_engine_get_defaults(dn_engine *e, const char *model, dn_value **out, dn_error *err)
{
    *out = NULL;
    dn_value *m = dn_value_map();
    if (!m)
        return dn_oom(err);
    dn_nodemodel *nm = dn_find_nodemodel(e, model);
    dn_status st;
    if (nm) {
        dn_calib c;
        dn_engine_calib(e, &c);
        st = dn_node_get(nm->proto, 0, m, &c, err);
        if (st == DN_OK && dn_model_info(e, nm, m) != DN_OK)
            st = dn_oom(err);
        if (st == DN_OK && (dn_put_int(m, "global_id", 0) || dn_put_int(m, "vp", -1) ||
                            dn_put_int(m, "thread", 0) || dn_put_bool(m, "local", true)))
            st = dn_oom(err);
    } else {
        dn_syninst *si = dn_find_syninst(e, model);
        if (!si)
            st = dn_unknown_model_error(e, model, 0, err);
        else
            st = syn_get_defaults(e, si, m) == DN_OK ? DN_OK : dn_oom(err);
    }
    if (st != DN_OK) {
        dn_value_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

/* Nodes: creation into per-VP blocks (neuron g on VP g mod n_vp, devices replicated, kernel
 * spec §1.11), GID lookup, reserved layer GIDs, and node SetStatus/GetStatus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/suggest.h"
#include "engine/engine_impl.h"

static void pop_free(dn_engine *e, dn_pop *p)
{
    if (!p)
        return;
    if (p->blk)
        for (int v = 0; v < e->n_vp; v++)
            dn_block_free(p->blk[v]);
    free(p->blk);
    free(p);
}

void dn_pops_free(dn_engine *e)
{
    for (size_t k = 0; k < e->npops; k++)
        pop_free(e, e->pops[k]);
    free(e->pops);
    e->pops = NULL;
    e->npops = e->cappops = 0;
}

dn_pop *dn_find_pop(const dn_engine *e, dn_gid gid)
{
    size_t lo = 0, hi = e->npops;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->pops[mid]->first <= gid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    dn_pop *p = e->pops[lo - 1];
    return gid < p->first + p->n ? p : NULL;
}

bool dn_locate(const dn_engine *e, dn_gid gid, int vp, dn_block **b, size_t *i)
{
    dn_pop *p = dn_find_pop(e, gid);
    if (!p)
        return false;
    if (p->replicated) {
        *b = p->blk[vp];
        *i = gid - p->first;
        return true;
    }
    if ((int)(gid % (dn_gid)e->n_vp) != vp)
        return false;
    *b = p->blk[vp];
    *i = (gid - (*b)->gid0) / (dn_gid)e->n_vp;
    return true;
}

bool dn_engine_is_node(const dn_engine *e, dn_gid gid)
{
    return dn_find_pop(e, gid) != NULL;
}

const char *dn_engine_node_model(const dn_engine *e, dn_gid gid)
{
    dn_pop *p = dn_find_pop(e, gid);
    return p ? p->nm->name : NULL;
}

dn_status dn_engine_reserve_gid(dn_engine *e, dn_gid *gid, dn_error *err)
{
    if (e->next_gid == UINT32_MAX)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "too many nodes (limit 2^32 - 1)");
    *gid = e->next_gid++;
    e->structure_dirty = true;
    return DN_OK;
}

/* the owning block and index of a node; for devices the replica on VP 0 */
static dn_status node_home(const dn_engine *e, dn_gid gid, dn_pop **pp, dn_block **b, size_t *i,
                           dn_error *err)
{
    dn_pop *p = dn_find_pop(e, gid);
    if (!p) {
        if (gid > 0 && gid < e->next_gid)
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "node %u is a layer (or subnet) node without parameters", gid);
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "node %u does not exist (network size %u)",
                            gid, e->next_gid);
    }
    int vp = p->replicated ? 0 : (int)(gid % (dn_gid)e->n_vp);
    dn_locate(e, gid, vp, b, i);
    if (pp)
        *pp = p;
    return DN_OK;
}

dn_status dn_engine_create(dn_engine *e, const char *model, size_t n, const dn_value *params,
                           dn_gid *first, dn_error *err)
{
    dn_nodemodel *nm = dn_find_nodemodel(e, model);
    if (!nm)
        return dn_unknown_model_error(e, model, 1, err);
    if (n < 1)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "Create needs at least one node (got %zu)",
                            n);
    if ((uint64_t)e->next_gid + n >= UINT32_MAX)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "too many nodes (limit 2^32 - 1)");
    if (e->npops == e->cappops) {
        size_t cap = e->cappops ? 2 * e->cappops : 16;
        dn_pop **x = realloc(e->pops, cap * sizeof *x);
        if (!x)
            return dn_oom(err);
        e->pops = x;
        e->cappops = cap;
    }
    dn_pop *p = calloc(1, sizeof *p);
    if (!p || !(p->blk = calloc((size_t)e->n_vp, sizeof *p->blk))) {
        free(p);
        return dn_oom(err);
    }
    p->first = e->next_gid;
    p->n = n;
    p->nm = nm;
    p->replicated = nm->m->element_type != DN_ELEM_NEURON;
    dn_status st = DN_OK;
    for (int v = 0; v < e->n_vp && st == DN_OK; v++) {
        size_t cnt;
        dn_gid g0;
        if (p->replicated) {
            cnt = n;
            g0 = p->first;
        } else {
            dn_gid nv = (dn_gid)e->n_vp;
            g0 = p->first + (((dn_gid)v + nv - p->first % nv) % nv);
            cnt = g0 < p->first + n ? (p->first + n - 1 - g0) / nv + 1 : 0;
        }
        dn_block *b = dn_block_new(nm->m, cnt, err);
        if (!b) {
            st = DN_ENOMEM;
            break;
        }
        p->blk[v] = b;
        b->inst = nm;
        b->gid0 = g0;
        b->gid_stride = p->replicated ? 1 : (uint32_t)e->n_vp;
        b->vp = v;
        uint64_t nch = (uint64_t)nm->m->n_inputs * cnt;
        if ((uint64_t)e->vps[v].nchan_next + nch >= UINT32_MAX) {
            st = dn_error_set(err, DN_EINPUT, NULL, NULL, "too many nodes on one thread");
            break;
        }
        b->chan0 = e->vps[v].nchan_next;
        st = dn_block_fill_from_proto(b, nm->proto, err);
        if (st == DN_OK && nm->m->block_init)
            st = nm->m->block_init(b, err);
    }
    dn_calib c;
    dn_engine_calib(e, &c);
    if (st == DN_OK && params) {
        for (int v = 0; v < e->n_vp && st == DN_OK; v++)
            for (size_t i = 0; i < p->blk[v]->n && st == DN_OK; i++)
                st = dn_node_set(p->blk[v], i, params, &c, err);
    }
    if (st != DN_OK) {
        pop_free(e, p);
        return st;
    }
    for (int v = 0; v < e->n_vp; v++)
        e->vps[v].nchan_next += (uint32_t)(nm->m->n_inputs * p->blk[v]->n);
    e->pops[e->npops++] = p;
    *first = p->first;
    e->next_gid += (dn_gid)n;
    e->structure_dirty = true;
    return DN_OK;
}

dn_status dn_engine_set_status(dn_engine *e, dn_gid gid, const dn_value *dict, dn_error *err)
{
    dn_pop *p;
    dn_block *b;
    size_t i;
    dn_status st = node_home(e, gid, &p, &b, &i, err);
    if (st != DN_OK)
        return st;
    dn_calib c;
    dn_engine_calib(e, &c);
    st = dn_node_set(b, i, dict, &c, err);
    if (st == DN_OK && p->replicated)
        for (int v = 1; v < e->n_vp && st == DN_OK; v++)
            st = dn_node_set(p->blk[v], i, dict, &c, err);
    return st;
}

static dn_status node_status(dn_engine *e, dn_gid gid, dn_value **out, dn_error *err)
{
    dn_pop *p;
    dn_block *b;
    size_t i;
    *out = NULL;
    dn_status st = node_home(e, gid, &p, &b, &i, err);
    if (st != DN_OK)
        return st;
    dn_value *m = dn_value_map();
    if (!m)
        return dn_oom(err);
    dn_calib c;
    dn_engine_calib(e, &c);
    st = dn_node_get(b, i, m, &c, err);
    if (st == DN_OK) {
        int vp = p->replicated ? 0 : b->vp;
        if (dn_model_info(e, p->nm, m) || dn_put_int(m, "global_id", gid) ||
            dn_put_int(m, "vp", p->replicated ? -1 : vp) || dn_put_int(m, "thread", vp) ||
            dn_put_bool(m, "local", true))
            st = dn_oom(err);
    }
    if (st != DN_OK) {
        dn_value_free(m);
        return st;
    }
    *out = m;
    return DN_OK;
}

dn_status dn_engine_get_status(dn_engine *e, dn_gid gid, dn_value **out, dn_error *err)
{
    return node_status(e, gid, out, err);
}

dn_status dn_engine_get_key(dn_engine *e, dn_gid gid, const char *key, dn_value **out,
                            dn_error *err)
{
    dn_value *m;
    *out = NULL;
    /* fast path: a field of the model (no need to build the whole status, e.g. events) */
    dn_pop *p = dn_find_pop(e, gid);
    const dn_model *md = p ? p->nm->m : NULL;
    int f = md ? dn_field_index(md->fields, md->n_fields, key) : -1;
    if (f >= 0 && !(md->fields[f].flags & DN_F_HIDDEN)) {
        double x;
        dn_status st = dn_engine_get_double(e, gid, key, &x, err);
        if (st != DN_OK)
            return st;
        dn_value *one = dn_value_map();
        if (!one || dn_put_field(one, &md->fields[f], x) != DN_OK) {
            dn_value_free(one);
            return dn_oom(err);
        }
        *out = dn_value_copy(dn_value_map_get(one, key));
        dn_value_free(one);
        return *out ? DN_OK : dn_oom(err);
    }
    dn_status st = node_status(e, gid, &m, err);
    if (st != DN_OK)
        return st;
    dn_value *v = dn_value_map_get(m, key);
    if (!v) {
        size_t n = dn_value_len(m);
        const char **cand = malloc((n + 1) * sizeof *cand);
        if (!cand) {
            dn_value_free(m);
            return dn_oom(err);
        }
        for (size_t k = 0; k < n; k++)
            cand[k] = dn_value_str(dn_value_map_at(m, k)->key);
        const char *s = dn_suggest(key, cand, n);
        if (s)
            st = dn_error_set(err, DN_EINPUT, NULL, NULL,
                              "node %u (%s) has no parameter '%s' (did you mean '%s'?)", gid,
                              dn_engine_node_model(e, gid), key, s);
        else
            st = dn_error_set(err, DN_EINPUT, NULL, NULL, "node %u (%s) has no parameter '%s'", gid,
                              dn_engine_node_model(e, gid), key);
        free(cand);
        dn_value_free(m);
        return st;
    }
    *out = dn_value_copy(v);
    dn_value_free(m);
    return *out ? DN_OK : dn_oom(err);
}

dn_status dn_engine_get_double(dn_engine *e, dn_gid gid, const char *key, double *out,
                               dn_error *err)
{
    dn_pop *p;
    dn_block *b;
    size_t i;
    dn_status st = node_home(e, gid, &p, &b, &i, err);
    if (st != DN_OK)
        return st;
    const dn_model *m = b->model;
    int f = dn_field_index(m->fields, m->n_fields, key);
    if (f >= 0 && !(m->fields[f].flags & DN_F_HIDDEN)) {
        double *rec = malloc(((size_t)m->n_fields + 1) * sizeof *rec);
        if (!rec)
            return dn_oom(err);
        dn_rec_read(b, i, rec);
        *out = rec[f];
        free(rec);
        return DN_OK;
    }
    dn_value *v;
    st = dn_engine_get_key(e, gid, key, &v, err);
    if (st != DN_OK)
        return st;
    bool ok = dn_value_get_double(v, out);
    if (!ok && v->type == DN_VALUE_BOOL) {
        *out = v->u.b ? 1.0 : 0.0;
        ok = true;
    }
    dn_value_free(v);
    if (!ok)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "'%s' of node %u is not a number", key,
                            gid);
    return DN_OK;
}

dn_status dn_engine_set_double(dn_engine *e, dn_gid gid, const char *key, double value,
                               dn_error *err)
{
    dn_pop *p = dn_find_pop(e, gid);
    int f = p ? dn_field_index(p->nm->m->fields, p->nm->m->n_fields, key) : -1;
    dn_field_type ft = f >= 0 ? p->nm->m->fields[f].type : DN_FT_DOUBLE;
    dn_value *m = dn_value_map();
    dn_status put = !m                                         ? DN_ENOMEM
                    : ft == DN_FT_BOOL                         ? dn_put_bool(m, key, value != 0)
                    : ft == DN_FT_INT && value == floor(value) ? dn_put_int(m, key, (int64_t)value)
                                                               : dn_put_double(m, key, value);
    if (put != DN_OK) {
        dn_value_free(m);
        return dn_oom(err);
    }
    dn_status st = dn_engine_set_status(e, gid, m, err);
    dn_value_free(m);
    return st;
}

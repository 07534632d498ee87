/* Connection queries (kernel spec §6.7): GetConnections selections, connection GetStatus /
 * SetStatus by name (weight, delay, a synapse model's fields), counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_impl.h"

typedef struct dn_connref {
    uint32_t vp;
    uint32_t table;
    size_t idx;
} dn_connref;

struct dn_connsel {
    size_t n;
    dn_connref *r;
};

size_t dn_connsel_size(const dn_connsel *sel)
{
    return sel ? sel->n : 0;
}

void dn_connsel_free(dn_connsel *sel)
{
    if (!sel)
        return;
    free(sel->r);
    free(sel);
}

/* the node owning ring channel `chan` on VP v (works before the first Simulate too) */
static dn_gid chan_to_gid(const dn_engine *e, int v, uint32_t chan, dn_block **bo, size_t *io,
                          int *input)
{
    size_t lo = 0, hi = e->npops;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->pops[mid]->blk[v]->chan0 <= chan)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* several pops may share chan0 when some have no inputs: walk back to one that holds it */
    for (size_t p = lo; p-- > 0;) {
        dn_block *b = e->pops[p]->blk[v];
        size_t nch = (size_t)b->model->n_inputs * b->n;
        if (chan >= b->chan0 && chan < b->chan0 + nch) {
            size_t off = chan - b->chan0;
            size_t i = off % b->n;
            if (bo)
                *bo = b;
            if (io)
                *io = i;
            if (input)
                *input = (int)(off / b->n);
            return dn_block_gid(b, i);
        }
    }
    return 0;
}

static dn_gid source_of(const dn_table *t, size_t j)
{
    size_t lo = 0, hi = t->nruns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->run_start[mid] <= j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return t->run_src[lo - 1];
}

static int gcmp(const void *a, const void *b)
{
    dn_gid x = *(const dn_gid *)a, y = *(const dn_gid *)b;
    return x < y ? -1 : x > y;
}

static dn_gid *sorted_copy(const dn_gid *a, size_t n)
{
    dn_gid *s = malloc((n + 1) * sizeof *s);
    if (!s)
        return NULL;
    memcpy(s, a, n * sizeof *s);
    qsort(s, n, sizeof *s, gcmp);
    return s;
}

static dn_status ensure_final(dn_engine *e, dn_error *err)
{
    bool pending = false;
    for (int v = 0; v < e->n_vp; v++)
        for (size_t k = 0; k < e->vps[v].ntables; k++)
            pending |= e->vps[v].tables[k].pn > 0;
    if (!pending)
        return DN_OK;
    e->structure_dirty = true;
    return dn_conns_finalize(e, err);
}

dn_status dn_engine_count_connections(dn_engine *e, const char *synmodel, size_t *out,
                                      dn_error *err)
{
    if (!synmodel) {
        *out = e->n_conns;
        return DN_OK;
    }
    dn_syninst *si = dn_find_syninst(e, synmodel);
    if (!si)
        return dn_unknown_model_error(e, synmodel, 2, err);
    size_t n = 0;
    for (int v = 0; v < e->n_vp; v++)
        n += e->vps[v].tables[si->id].t.n + e->vps[v].tables[si->id].pn;
    *out = n;
    return DN_OK;
}

dn_status dn_engine_get_connections(dn_engine *e, const dn_gid *sources, size_t n_sources,
                                    const dn_gid *targets, size_t n_targets, const char *synmodel,
                                    dn_connsel **out, dn_error *err)
{
    *out = NULL;
    dn_syninst *only = NULL;
    if (synmodel && !(only = dn_find_syninst(e, synmodel)))
        return dn_unknown_model_error(e, synmodel, 2, err);
    dn_status st = ensure_final(e, err);
    if (st != DN_OK)
        return st;
    dn_gid *ss = sources && n_sources ? sorted_copy(sources, n_sources) : NULL;
    dn_gid *ts = targets && n_targets ? sorted_copy(targets, n_targets) : NULL;
    dn_connsel *sel = calloc(1, sizeof *sel);
    if ((sources && n_sources && !ss) || (targets && n_targets && !ts) || !sel)
        goto oom;
    size_t cap = 0;
    for (size_t k = 0; k < e->n_sm; k++) {
        if (only && e->sm[k] != only)
            continue;
        for (int v = 0; v < e->n_vp; v++) {
            dn_table *t = &e->vps[v].tables[k];
            for (size_t r = 0; r < t->nruns; r++) {
                dn_gid src = t->run_src[r];
                if (ss && !bsearch(&src, ss, n_sources, sizeof src, gcmp))
                    continue;
                for (size_t j = t->run_start[r]; j < t->run_start[r + 1]; j++) {
                    if (ts) {
                        dn_gid tg = chan_to_gid(e, v, t->t.c[j].chan, NULL, NULL, NULL);
                        if (!bsearch(&tg, ts, n_targets, sizeof tg, gcmp))
                            continue;
                    }
                    if (sel->n == cap) {
                        cap = cap ? 2 * cap : 256;
                        dn_connref *x = realloc(sel->r, cap * sizeof *x);
                        if (!x)
                            goto oom;
                        sel->r = x;
                    }
                    sel->r[sel->n++] = (dn_connref){(uint32_t)v, (uint32_t)k, j};
                }
            }
        }
    }
    free(ss);
    free(ts);
    *out = sel;
    return DN_OK;
oom:
    free(ss);
    free(ts);
    dn_connsel_free(sel);
    return dn_oom(err);
}

static dn_table *ref_table(const dn_engine *e, const dn_connref *r)
{
    return &e->vps[r->vp].tables[r->table];
}

dn_status dn_connsel_info(const dn_engine *e, const dn_connsel *sel, size_t k, dn_conn_info *out,
                          dn_error *err)
{
    if (k >= sel->n)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "connection %zu out of range (%zu)", k,
                            sel->n);
    const dn_connref *r = &sel->r[k];
    const dn_table *t = ref_table(e, r);
    const dn_conn *c = &t->t.c[r->idx];
    out->source = source_of(t, r->idx);
    out->target = chan_to_gid(e, (int)r->vp, c->chan, NULL, NULL, NULL);
    out->synapse_model = t->si->name;
    out->weight = c->weight;
    out->delay = (double)dn_conn_delay(c) * e->h;
    out->receptor = dn_conn_rport(c);
    return DN_OK;
}

static double col_get(const dn_table *t, int col, size_t j)
{
    if (t->t.model->cols[col].type == DN_COL_F64)
        return ((double *)t->t.col[col])[j];
    return (double)((int32_t *)t->t.col[col])[j];
}

static void col_set(dn_table *t, int col, size_t j, double x)
{
    if (t->t.model->cols[col].type == DN_COL_F64)
        ((double *)t->t.col[col])[j] = x;
    else
        ((int32_t *)t->t.col[col])[j] = (int32_t)x;
}

dn_status dn_engine_conn_get_status(dn_engine *e, const dn_connsel *sel, size_t k, dn_value **out,
                                    dn_error *err)
{
    dn_conn_info in;
    *out = NULL;
    dn_status st = dn_connsel_info(e, sel, k, &in, err);
    if (st != DN_OK)
        return st;
    const dn_table *t = ref_table(e, &sel->r[k]);
    const dn_synmodel *m = t->t.model;
    dn_value *v = dn_value_map();
    if (!v)
        return dn_oom(err);
    st |= dn_put_int(v, "source", in.source);
    st |= dn_put_int(v, "target", in.target);
    st |= dn_put_string(v, "synapse_model", in.synapse_model);
    st |= dn_put_double(v, "weight", in.weight);
    st |= dn_put_double(v, "delay", in.delay);
    st |= dn_put_int(v, "receptor", in.receptor);
    st |= dn_put_int(v, "port", (int64_t)sel->r[k].idx);
    st |= dn_put_int(v, "target_thread", sel->r[k].vp);
    st |= dn_put_int(v, "sizeof", (int64_t)(sizeof(dn_conn) + (size_t)m->n_cols * 8));
    for (int f = 0; f < m->n_fields && st == DN_OK; f++)
        if (!(m->fields[f].flags & DN_F_HIDDEN))
            st = dn_put_field(v, &m->fields[f],
                              m->fields[f].col >= 0 ? col_get(t, m->fields[f].col, sel->r[k].idx)
                                                    : 0);
    if (st != DN_OK) {
        dn_value_free(v);
        return dn_oom(err);
    }
    *out = v;
    return DN_OK;
}

/* Change weight (rerouting by sign where the target model wants it), delay or a model field of
 * connection r; validated before by the caller. */
static dn_status conn_apply(dn_engine *e, const dn_connref *r, int what, double x, int field)
{
    dn_table *t = ref_table(e, r);
    dn_conn *c = &t->t.c[r->idx];
    if (what == 0) {
        dn_block *b;
        size_t i;
        int input;
        chan_to_gid(e, (int)r->vp, c->chan, &b, &i, &input);
        if (b && b->model->reroute && !dn_conn_count(c)) {
            int ni = b->model->reroute(b->model, input, x);
            if (ni >= 0 && ni < b->model->n_inputs) {
                c->chan = b->chan0 + (uint32_t)((size_t)ni * b->n + i);
                if (ni < 32)
                    b->inputs_used |= 1u << ni;
            }
        }
        c->weight = x;
    } else if (what == 1) {
        c->bits = (c->bits & ~DN_CONN_DELAY_MAX) | (uint32_t)x;
    } else {
        col_set(t, t->t.model->fields[field].col, r->idx, x);
    }
    return DN_OK;
}

static dn_status check_conn_delay(dn_engine *e, double ms, int64_t *steps, dn_error *err)
{
    int64_t d = dn_delay_steps(e, ms);
    if (d < 1)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "delay %g ms must be >= the resolution %g ms", ms, e->h);
    int64_t lo = e->simulated ? e->md : (e->user_delays ? e->user_min : 1);
    int64_t hi = e->simulated ? e->dmax : (e->user_delays ? e->user_max : DN_CONN_DELAY_MAX);
    if (d < lo || d > hi)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "delay %g ms lies outside the allowed range [%g, %g] ms", ms,
                            (double)lo * e->h, (double)hi * e->h);
    *steps = d;
    return DN_OK;
}

/* resolve key -> (what, field) for the model of the selection's first table */
static dn_status key_of(const dn_synmodel *m, const char *key, int *what, int *field,
                        const dn_mark *mark, const char *owner, dn_error *err)
{
    static const char *const common[] = {"weight", "delay"};
    if (strcmp(key, "weight") == 0) {
        *what = 0;
        return DN_OK;
    }
    if (strcmp(key, "delay") == 0) {
        *what = 1;
        return DN_OK;
    }
    if (!strcmp(key, "receptor") || !strcmp(key, "source") || !strcmp(key, "target") ||
        !strcmp(key, "synapse_model") || !strcmp(key, "sizeof"))
        return dn_error_set(err, DN_EINPUT, mark, NULL, "'%s' of a connection cannot be changed",
                            key);
    int f = dn_field_index(m->fields, m->n_fields, key);
    if (f < 0)
        return dn_unknown_key_error(key, mark, owner, m->fields, m->n_fields, common, 2, NULL, 0,
                                    err);
    if (m->fields[f].flags & DN_F_READONLY)
        return dn_error_set(err, DN_EINPUT, mark, NULL, "'%s' of %s is read-only", key, owner);
    *what = 2;
    *field = f;
    return DN_OK;
}

dn_status dn_engine_conn_set_status(dn_engine *e, const dn_connsel *sel, const dn_value *dict,
                                    dn_error *err)
{
    if (!dict || sel->n == 0)
        return DN_OK;
    if (dict->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "connection status must be a mapping");
    size_t ne = dn_value_len(dict);
    /* validate against every synapse model present in the selection */
    double *vals = malloc((ne + 1) * sizeof *vals);
    if (!vals)
        return dn_oom(err);
    dn_status st = DN_OK;
    int last_table = -1;
    for (size_t k = 0; k < sel->n && st == DN_OK; k++) {
        if ((int)sel->r[k].table == last_table)
            continue;
        last_table = (int)sel->r[k].table;
        const dn_table *t = ref_table(e, &sel->r[k]);
        for (size_t q = 0; q < ne && st == DN_OK; q++) {
            const dn_map_entry *en = dn_value_map_at(dict, q);
            const char *key = dn_value_str(en->key);
            const dn_mark *mk = en->key->mark.file ? &en->key->mark : NULL;
            int what = 0, field = -1;
            if (!key) {
                st = dn_error_set(err, DN_EINPUT, mk, NULL, "keys must be strings");
                break;
            }
            st = key_of(t->t.model, key, &what, &field, mk, t->si->name, err);
            if (st != DN_OK)
                break;
            if (what == 2) {
                st = dn_field_parse(&t->t.model->fields[field], en->value, NULL, t->si->name,
                                    &vals[q], err);
            } else if (!dn_value_get_double(en->value, &vals[q]) || !isfinite(vals[q])) {
                st = dn_error_set(err, DN_EINPUT, mk, NULL, "'%s' must be a finite number", key);
            } else if (what == 1) {
                int64_t d;
                st = check_conn_delay(e, vals[q], &d, err);
            }
        }
    }
    for (size_t k = 0; k < sel->n && st == DN_OK; k++) {
        const dn_table *t = ref_table(e, &sel->r[k]);
        for (size_t q = 0; q < ne; q++) {
            const char *key = dn_value_str(dn_value_map_at(dict, q)->key);
            int what = 0, field = -1;
            key_of(t->t.model, key, &what, &field, NULL, "", NULL);
            double x = vals[q];
            if (what == 1)
                x = (double)dn_delay_steps(e, x);
            conn_apply(e, &sel->r[k], what, x, field);
        }
    }
    free(vals);
    return st;
}

dn_status dn_engine_conn_get_double(dn_engine *e, const dn_connsel *sel, const char *key,
                                    double *values, dn_error *err)
{
    for (size_t k = 0; k < sel->n; k++) {
        const dn_table *t = ref_table(e, &sel->r[k]);
        const dn_conn *c = &t->t.c[sel->r[k].idx];
        if (strcmp(key, "weight") == 0)
            values[k] = c->weight;
        else if (strcmp(key, "delay") == 0)
            values[k] = (double)dn_conn_delay(c) * e->h;
        else if (strcmp(key, "receptor") == 0)
            values[k] = dn_conn_rport(c);
        else {
            int f = dn_field_index(t->t.model->fields, t->t.model->n_fields, key);
            if (f < 0 || t->t.model->fields[f].col < 0)
                return dn_unknown_key_error(key, NULL, t->si->name, t->t.model->fields,
                                            t->t.model->n_fields, NULL, 0, NULL, 0, err);
            values[k] = col_get(t, t->t.model->fields[f].col, sel->r[k].idx);
        }
    }
    return DN_OK;
}

dn_status dn_engine_conn_set_double(dn_engine *e, const dn_connsel *sel, const char *key,
                                    const double *values, dn_error *err)
{
    /* validate all, then apply */
    for (size_t k = 0; k < sel->n; k++) {
        const dn_table *t = ref_table(e, &sel->r[k]);
        int what = 0, field = -1;
        dn_status st = key_of(t->t.model, key, &what, &field, NULL, t->si->name, err);
        if (st != DN_OK)
            return st;
        if (!isfinite(values[k]))
            return dn_error_set(err, DN_EINPUT, NULL, NULL, "'%s' must be finite (connection %zu)",
                                key, k);
        if (what == 1) {
            int64_t d;
            if ((st = check_conn_delay(e, values[k], &d, err)) != DN_OK)
                return st;
        } else if (what == 2) {
            dn_value *v = dn_value_double(values[k]);
            if (!v)
                return dn_oom(err);
            double x;
            st = dn_field_parse(&t->t.model->fields[field], v, NULL, t->si->name, &x, err);
            dn_value_free(v);
            if (st != DN_OK)
                return st;
        }
    }
    for (size_t k = 0; k < sel->n; k++) {
        const dn_table *t = ref_table(e, &sel->r[k]);
        int what = 0, field = -1;
        key_of(t->t.model, key, &what, &field, NULL, "", NULL);
        double x = what == 1 ? (double)dn_delay_steps(e, values[k]) : values[k];
        conn_apply(e, &sel->r[k], what, x, field);
    }
    return DN_OK;
}

dn_status dn_engine_recorder_n_events(dn_engine *e, dn_gid recorder, size_t *out, dn_error *err)
{
    dn_pop *p = dn_find_pop(e, recorder);
    if (!p || p->nm->m->element_type != DN_ELEM_RECORDER)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "node %u is not a recorder", recorder);
    size_t n = 0;
    for (int v = 0; v < e->n_vp; v++)
        n += dn_recorder_n_events(p->blk[v], recorder - p->first);
    *out = n;
    return DN_OK;
}

dn_status dn_engine_recorder_filenames(dn_engine *e, dn_gid recorder, const char *const **names,
                                       dn_error *err)
{
    dn_pop *p = dn_find_pop(e, recorder);
    if (!p || p->nm->m->element_type != DN_ELEM_RECORDER)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "node %u is not a recorder", recorder);
    const char **x = realloc(e->fname_scratch, ((size_t)e->n_vp + 1) * sizeof *x);
    if (!x)
        return dn_oom(err);
    e->fname_scratch = x;
    size_t n = 0;
    for (int v = 0; v < e->n_vp; v++) {
        const char *f = dn_recorder_filename(p->blk[v], recorder - p->first);
        if (f)
            x[n++] = f;
    }
    x[n] = NULL;
    *names = x;
    return DN_OK;
}

/* Connections: created on the VP of their target (kernel spec §1.11), appended as pending rows,
 * and sorted by source into per-(VP, synapse model) tables of 16-byte rows before simulating
 * (spec §8.1, architecture.md §3). Also the recorder links (neuron -> spike_detector, multimeter
 * -> neuron) and the delay bookkeeping of spec §1.3. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denest/rng.h"
#include "engine/engine_impl.h"

/* ---- VP structures ---------------------------------------------------------------------- */

static void pchunk_free(dn_pchunk *ch, int ncols)
{
    free(ch->src);
    free(ch->c);
    if (ch->col)
        for (int k = 0; k < ncols; k++)
            free(ch->col[k]);
    free(ch->col);
}

/* Keeps the first n pending rows (a rolled back connect call), freeing emptied chunks. */
static void pending_truncate(dn_table *t, size_t n)
{
    int ncols = t->t.model->n_cols;
    size_t keep = n, k = 0;
    for (; k < t->npch && keep > 0; k++) {
        if (t->pch[k].n > keep)
            t->pch[k].n = keep;
        keep -= t->pch[k].n;
    }
    for (size_t q = k; q < t->npch; q++)
        pchunk_free(&t->pch[q], ncols);
    t->npch = k;
    t->pn = n;
}

static void table_free(dn_table *t)
{
    int nc = t->t.model ? t->t.model->n_cols : 0;
    free(t->t.c);
    if (t->t.model)
        pending_truncate(t, 0);
    free(t->pch);
    if (t->t.col)
        for (int c = 0; c < nc; c++)
            free(t->t.col[c]);
    free(t->t.col);
    free(t->run_src);
    free(t->run_start);
    memset(t, 0, sizeof *t);
}

static void logger_free(dn_logger *l)
{
    free(l->ridx);
    free(l->steps);
    free(l->vals);
}

static void vp_free(dn_vp *v)
{
    for (size_t k = 0; k < v->ntables; k++)
        table_free(&v->tables[k]);
    free(v->tables);
    for (size_t k = 0; k < v->nloggers; k++)
        logger_free(&v->loggers[k]);
    free(v->loggers);
    free(v->log_order);
    free(v->blocks);
    free(v->ring);
    free(v->chan_gid);
    free(v->seg_first);
    free(v->segs);
    free(v->links);
    free(v->det_first);
    free(v->dets);
    free(v->sl[0]);
    free(v->sl[1]);
    free(v->merged);
    free(v->sample);
    if (v->rng)
        gsl_rng_free(v->rng);
    memset(v, 0, sizeof *v);
}

void dn_vps_free(dn_engine *e)
{
    if (e->vps)
        for (int v = 0; v < e->n_vp; v++)
            vp_free(&e->vps[v]);
    free(e->vps);
    e->vps = NULL;
}

dn_status dn_tables_grow(dn_engine *e, dn_error *err)
{
    if (!e->vps)
        return DN_OK;
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        if (vp->ntables >= e->n_sm)
            continue;
        dn_table *t = realloc(vp->tables, e->n_sm * sizeof *t);
        if (!t)
            return dn_oom(err);
        vp->tables = t;
        for (size_t k = vp->ntables; k < e->n_sm; k++) {
            dn_table *x = &t[k];
            memset(x, 0, sizeof *x);
            x->si = e->sm[k];
            x->t.model = e->sm[k]->m;
            x->t.inst = e->sm[k];
            int nc = x->t.model->n_cols;
            x->t.col = calloc((size_t)nc + 1, sizeof(void *));
            if (!x->t.col) {
                vp->ntables = k;
                return dn_oom(err);
            }
        }
        vp->ntables = e->n_sm;
    }
    return DN_OK;
}

dn_status dn_vps_alloc(dn_engine *e, dn_error *err)
{
    e->vps = calloc((size_t)e->n_vp, sizeof *e->vps);
    if (!e->vps)
        return dn_oom(err);
    for (int v = 0; v < e->n_vp; v++) {
        e->vps[v].vp = v;
        e->vps[v].rng = dn_rng_alloc();
        if (!e->vps[v].rng)
            return dn_oom(err);
    }
    return dn_tables_grow(e, err);
}

/* ---- delays --------------------------------------------------------------------------------- */

int64_t dn_delay_steps(const dn_engine *e, double ms)
{
    dn_calib c;
    dn_engine_calib(e, &c);
    return dn_calib_steps_round(&c, ms);
}

static dn_status check_delay(const dn_engine *e, double ms, int64_t d, dn_error *err)
{
    if (d < 1)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "delay %g ms must be >= the resolution %g ms", ms, e->h);
    if (d > (int64_t)DN_CONN_DELAY_MAX)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "delay %g ms is too long (max %g ms)", ms,
                            (double)DN_CONN_DELAY_MAX * e->h);
    if (e->user_delays && (d < e->user_min || d > e->user_max))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "delay %g ms lies outside [min_delay, max_delay] = [%g, %g] ms set "
                            "in the kernel status",
                            ms, (double)e->user_min * e->h, (double)e->user_max * e->h);
    if (e->simulated && (d < e->md || d > e->dmax))
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "delay %g ms lies outside the range [%g, %g] ms fixed by the first "
                            "Simulate; create connections with other delays before simulating",
                            ms, (double)e->md * e->h, (double)e->dmax * e->h);
    return DN_OK;
}

static void note_delay(dn_engine *e, int64_t d)
{
    if (!e->have_delay) {
        e->dmin = e->dmax = d;
        e->have_delay = true;
    } else {
        if (d < e->dmin)
            e->dmin = d;
        if (d > e->dmax)
            e->dmax = d;
    }
}

/* ---- ports ---------------------------------------------------------------------------------- */

uint32_t dn_chan_of(const dn_block *tb, size_t ti, int input)
{
    return tb->chan0 + (uint32_t)((size_t)input * tb->n + ti);
}

dn_status dn_port_for(const dn_engine *e, dn_block *tb, size_t ti, dn_event_kind kind,
                      long receptor, double weight, dn_port *p, dn_error *err)
{
    (void)e;
    (void)ti;
    const dn_model *m = tb->model;
    const char *name = ((dn_nodemodel *)tb->inst)->name;
    if (!m->port || m->n_inputs == 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "%s accepts no incoming connections", name);
    memset(p, 0, sizeof *p);
    dn_status st = m->port(m, kind, receptor, weight, p, err);
    if (st != DN_OK)
        return st;
    if (p->input < 0 || p->input >= m->n_inputs || p->rport < 0 || p->rport > DN_CONN_RPORT_MAX)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "model %s returned a bad input port",
                            m->name);
    return DN_OK;
}

/* ---- transactions: a connect call either adds all its rows or none ---------------------- */

typedef struct snap {
    size_t *pn, *nlinks, *nloggers;
    size_t n_conns;
    bool have_delay;
    int64_t dmin, dmax;
    int sid;
} snap;

static dn_status snap_take(dn_engine *e, snap *s, int sid, dn_error *err)
{
    size_t n = (size_t)e->n_vp;
    s->pn = malloc(3 * n * sizeof(size_t));
    if (!s->pn)
        return dn_oom(err);
    s->nlinks = s->pn + n;
    s->nloggers = s->pn + 2 * n;
    for (int v = 0; v < e->n_vp; v++) {
        s->pn[v] = e->vps[v].tables[sid].pn;
        s->nlinks[v] = e->vps[v].nlinks;
        s->nloggers[v] = e->vps[v].nloggers;
    }
    s->n_conns = e->n_conns;
    s->have_delay = e->have_delay;
    s->dmin = e->dmin;
    s->dmax = e->dmax;
    s->sid = sid;
    return DN_OK;
}

static void snap_rollback(dn_engine *e, snap *s)
{
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        pending_truncate(&vp->tables[s->sid], s->pn[v]);
        vp->nlinks = s->nlinks[v];
        for (size_t k = s->nloggers[v]; k < vp->nloggers; k++)
            logger_free(&vp->loggers[k]);
        vp->nloggers = s->nloggers[v];
    }
    e->n_conns = s->n_conns;
    e->have_delay = s->have_delay;
    e->dmin = s->dmin;
    e->dmax = s->dmax;
}

static void snap_free(snap *s)
{
    free(s->pn);
}

/* ---- appending rows ---------------------------------------------------------------------- */

/* A new chunk for pending rows: 1024 rows, doubling up to PCHUNK_MAX (20 MiB of src and c),
 * so small networks stay small and large ones use few huge-page backed chunks. */
#define PCHUNK_MAX ((size_t)1 << 20)

static dn_status pchunk_add(dn_table *t, dn_error *err)
{
    const dn_synmodel *m = t->t.model;
    if (t->npch == t->cappch) {
        size_t cap = t->cappch ? 2 * t->cappch : 8;
        dn_pchunk *x = realloc(t->pch, cap * sizeof *x);
        if (!x)
            return dn_oom(err);
        t->pch = x;
        t->cappch = cap;
    }
    size_t cap = t->npch ? 2 * t->pch[t->npch - 1].cap : 1024;
    if (cap > PCHUNK_MAX)
        cap = PCHUNK_MAX;
    dn_pchunk ch = {0, cap, dn_alloc_huge(cap * sizeof(uint32_t)),
                    dn_alloc_huge(cap * sizeof(dn_conn)),
                    calloc((size_t)m->n_cols + 1, sizeof(void *))};
    bool ok = ch.src && ch.c && ch.col;
    for (int k = 0; k < m->n_cols && ok; k++)
        ok = (ch.col[k] = malloc(cap * (m->cols[k].type == DN_COL_F64 ? 8 : 4))) != NULL;
    if (!ok) {
        pchunk_free(&ch, m->n_cols);
        return dn_oom(err);
    }
    t->pch[t->npch++] = ch;
    return DN_OK;
}

static dn_status pending_push(dn_table *t, uint32_t src, const dn_conn *c, const double *defcols,
                              dn_error *err)
{
    const dn_synmodel *m = t->t.model;
    if (t->npch == 0 || t->pch[t->npch - 1].n == t->pch[t->npch - 1].cap) {
        dn_status st = pchunk_add(t, err);
        if (st != DN_OK)
            return st;
    }
    dn_pchunk *ch = &t->pch[t->npch - 1];
    ch->src[ch->n] = src;
    ch->c[ch->n] = *c;
    for (int k = 0; k < m->n_cols; k++) {
        if (m->cols[k].type == DN_COL_F64)
            ((double *)ch->col[k])[ch->n] = defcols[k];
        else
            ((int32_t *)ch->col[k])[ch->n] = (int32_t)defcols[k];
    }
    ch->n++;
    t->pn++;
    return DN_OK;
}

typedef struct port_cache {
    dn_pop *sp, *tp;   /* last source / target populations */
    int64_t checked_d; /* last delay that passed check_delay */
    const dn_model *m;
    dn_event_kind kind;
    long receptor;
    int sign;
    dn_port port;
} port_cache;

static int wsign(double w)
{
    return w > 0 ? 1 : (w < 0 ? -1 : 0);
}

static bool is_model(const dn_pop *p, const char *base)
{
    return strcmp(p->nm->m->name, base) == 0;
}

static dn_status no_node(const dn_engine *e, dn_gid g, dn_error *err)
{
    if (g > 0 && g < e->next_gid)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "cannot connect node %u: it is a layer node, not a neuron or device",
                            g);
    return dn_error_set(err, DN_EINPUT, NULL, NULL,
                        "cannot connect node %u: no such node (network size %u)", g, e->next_gid);
}

static dn_status add_logger(dn_engine *e, dn_pop *mp, dn_gid mm, dn_pop *tp, dn_gid tgt,
                            dn_error *err);

static dn_pop *cached_pop(const dn_engine *e, dn_pop **c, dn_gid g)
{
    dn_pop *p = *c;
    if (p && g >= p->first && g < p->first + p->n)
        return p;
    p = dn_find_pop(e, g);
    if (p)
        *c = p;
    return p;
}

static dn_status add_row(dn_engine *e, dn_syninst *si, dn_gid s, dn_gid t, double w,
                         double delay_ms, int64_t d, long receptor, port_cache *pc, dn_error *err)
{
    dn_pop *sp = cached_pop(e, &pc->sp, s), *tp = cached_pop(e, &pc->tp, t);
    if (!sp)
        return no_node(e, s, err);
    if (!tp)
        return no_node(e, t, err);
    dn_status st;
    if (d != pc->checked_d) {
        if ((st = check_delay(e, delay_ms, d, err)) != DN_OK)
            return st;
        pc->checked_d = d;
    }
    const dn_model *sm = sp->nm->m, *tm = tp->nm->m;
    if (tm->element_type == DN_ELEM_RECORDER) {
        if (!is_model(tp, "spike_detector"))
            return dn_error_set(
                err, DN_EINPUT, NULL, NULL,
                is_model(tp, "multimeter")
                    ? "cannot connect %u -> %u: a multimeter (%s) is the SOURCE of its "
                      "connections (connect multimeter -> nodes)"
                    : "cannot connect %u -> %u: %s takes no connections (set it as the "
                      "weight_recorder of a synapse model)",
                s, t, tp->nm->name);
        if (!(sm->flags & DN_MODEL_EMITS))
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "cannot connect %u (%s) -> %u: it does not emit spikes", s,
                                sp->nm->name, t);
        int v = sm->element_type == DN_ELEM_NEURON ? (int)(s % (dn_gid)e->n_vp) : 0;
        dn_vp *vp = &e->vps[v];
        if (vp->nlinks == vp->caplinks) {
            size_t cap = vp->caplinks ? 2 * vp->caplinks : 256;
            dn_reclink *x = realloc(vp->links, cap * sizeof *x);
            if (!x)
                return dn_oom(err);
            vp->links = x;
            vp->caplinks = cap;
        }
        vp->links[vp->nlinks++] = (dn_reclink){s, t};
        note_delay(e, d);
        e->n_conns++;
        return DN_OK;
    }
    if (sm->element_type == DN_ELEM_RECORDER) {
        if (!is_model(sp, "multimeter"))
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "cannot connect %u (%s) -> %u: %s records what is connected "
                                "to it",
                                s, sp->nm->name, t, sp->nm->name);
        if (receptor != 0)
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "multimeter connections use receptor 0 (got %ld)", receptor);
        st = add_logger(e, sp, s, tp, t, err);
        if (st != DN_OK)
            return st;
        note_delay(e, d);
        e->n_conns++;
        return DN_OK;
    }
    if (tm->element_type != DN_ELEM_NEURON)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "cannot connect %u -> %u: %s is a stimulating device and takes no "
                            "input",
                            s, t, tp->nm->name);
    dn_event_kind kind;
    if (sm->element_type == DN_ELEM_NEURON || (sm->flags & DN_MODEL_EMITS))
        kind = DN_EV_SPIKE;
    else if (sm->flags & DN_MODEL_CURRENT)
        kind = DN_EV_CURRENT;
    else
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "%s cannot send events", sp->nm->name);
    int v = (int)(t % (dn_gid)e->n_vp);
    dn_block *tb = tp->blk[v];
    size_t ti = (t - tb->gid0) / tb->gid_stride;
    if (!(pc->m == tm && pc->kind == kind && pc->receptor == receptor && pc->sign == wsign(w))) {
        st = dn_port_for(e, tb, ti, kind, receptor, w, &pc->port, err);
        if (st != DN_OK)
            return st;
        pc->m = tm;
        pc->kind = kind;
        pc->receptor = receptor;
        pc->sign = wsign(w);
    }
    dn_conn c;
    c.weight = w;
    c.chan = dn_chan_of(tb, ti, pc->port.input);
    if (pc->port.input < 32)
        tb->inputs_used |= 1u << pc->port.input;
    c.bits = (uint32_t)d | ((uint32_t)pc->port.rport << DN_CONN_DELAY_BITS) |
             (pc->port.count ? 1u << 31 : 0u);
    st = pending_push(&e->vps[v].tables[si->id], s, &c, si->defcols, err);
    if (st != DN_OK)
        return st;
    note_delay(e, d);
    e->n_conns++;
    return DN_OK;
}

/* multimeter -> node: a logger on the node's VP, recording the multimeter's record_from */
int dn_multimeter_recordables(const dn_block *mb, size_t mi, const char *const **names);
void dn_multimeter_connected(dn_block *mb, size_t mi);

static dn_status add_logger(dn_engine *e, dn_pop *mp, dn_gid mm, dn_pop *tp, dn_gid tgt,
                            dn_error *err)
{
    const dn_model *tm = tp->nm->m;
    int v = tp->replicated ? 0 : (int)(tgt % (dn_gid)e->n_vp);
    dn_vp *vp = &e->vps[v];
    dn_block *mb, *tb;
    size_t mi, ti;
    dn_locate(e, mm, v, &mb, &mi);
    dn_locate(e, tgt, v, &tb, &ti);
    const char *const *names;
    int n = dn_multimeter_recordables(mb, mi, &names);
    int *ridx = malloc(((size_t)n + 1) * sizeof *ridx);
    if (!ridx)
        return dn_oom(err);
    for (int k = 0; k < n; k++) {
        ridx[k] = -1;
        for (int r = 0; r < tm->n_recordables; r++)
            if (strcmp(tm->recordables[r].name, names[k]) == 0)
                ridx[k] = r;
        if (ridx[k] < 0) {
            free(ridx);
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "multimeter %u records '%s', which %s (node %u) does not have; "
                                "its recordables are listed by GetDefaults",
                                mm, names[k], tp->nm->name, tgt);
        }
    }
    if (vp->nloggers == vp->caploggers) {
        size_t cap = vp->caploggers ? 2 * vp->caploggers : 64;
        dn_logger *x = realloc(vp->loggers, cap * sizeof *x);
        if (!x) {
            free(ridx);
            return dn_oom(err);
        }
        vp->loggers = x;
        vp->caploggers = cap;
    }
    dn_logger *l = &vp->loggers[vp->nloggers++];
    memset(l, 0, sizeof *l);
    l->mm_gid = mm;
    l->tgt_gid = tgt;
    l->mb = mb;
    l->mi = mi;
    l->tb = tb;
    l->ti = ti;
    l->nvals = n;
    l->ridx = ridx;
    l->next = -1;
    for (int w = 0; w < e->n_vp; w++)
        dn_multimeter_connected(mp->blk[w], mm - mp->first);
    return DN_OK;
}

/* ---- public connect calls ----------------------------------------------------------------- */

static dn_status resolve_spec(dn_engine *e, const dn_syn_spec *spec, dn_syninst **si, double *w,
                              double *dms, long *rec, dn_error *err)
{
    const char *name = spec && spec->model ? spec->model : "static_synapse";
    *si = dn_find_syninst(e, name);
    if (!*si) {
        if (dn_find_nodemodel(e, name))
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "'%s' is a node model, not a synapse model", name);
        return dn_unknown_model_error(e, name, 2, err);
    }
    *w = spec && spec->has_weight ? spec->weight : (*si)->weight;
    *dms = spec && spec->has_delay ? spec->delay : (*si)->delay;
    *rec = spec && spec->has_receptor ? spec->receptor : (*si)->receptor;
    if (!isfinite(*w))
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "weight must be finite");
    if (!isfinite(*dms))
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "delay must be finite");
    return DN_OK;
}

dn_status dn_engine_connect(dn_engine *e, const dn_gid *sources, size_t n_sources,
                            const dn_gid *targets, size_t n_targets, dn_rule rule,
                            const dn_syn_spec *spec, dn_error *err)
{
    dn_syninst *si;
    double w, dms;
    long rec;
    dn_status st = resolve_spec(e, spec, &si, &w, &dms, &rec, err);
    if (st != DN_OK)
        return st;
    if (rule == DN_RULE_ONE_TO_ONE && n_sources != n_targets)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "one_to_one needs as many sources as targets (%zu vs %zu)", n_sources,
                            n_targets);
    int64_t d = dn_delay_steps(e, dms);
    snap sn;
    if ((st = snap_take(e, &sn, si->id, err)) != DN_OK)
        return st;
    port_cache pc;
    memset(&pc, 0, sizeof pc);
    pc.checked_d = -1;
    if (rule == DN_RULE_ONE_TO_ONE) {
        for (size_t k = 0; k < n_sources && st == DN_OK; k++)
            st = add_row(e, si, sources[k], targets[k], w, dms, d, rec, &pc, err);
    } else {
        for (size_t a = 0; a < n_sources && st == DN_OK; a++)
            for (size_t b = 0; b < n_targets && st == DN_OK; b++)
                st = add_row(e, si, sources[a], targets[b], w, dms, d, rec, &pc, err);
    }
    if (st != DN_OK)
        snap_rollback(e, &sn);
    else
        e->structure_dirty = true;
    snap_free(&sn);
    return st;
}

dn_status dn_engine_connect_rows(dn_engine *e, size_t n, const dn_gid *sources,
                                 const dn_gid *targets, const double *weights, const double *delays,
                                 const dn_syn_spec *spec, dn_error *err)
{
    dn_syninst *si;
    double w, dms;
    long rec;
    dn_status st = resolve_spec(e, spec, &si, &w, &dms, &rec, err);
    if (st != DN_OK)
        return st;
    int64_t d = dn_delay_steps(e, dms);
    snap sn;
    if ((st = snap_take(e, &sn, si->id, err)) != DN_OK)
        return st;
    port_cache pc;
    memset(&pc, 0, sizeof pc);
    pc.checked_d = -1;
    dn_calib c;
    dn_engine_calib(e, &c);
    for (size_t k = 0; k < n && st == DN_OK; k++) {
        double wk = weights ? weights[k] : w;
        double dk = delays ? delays[k] : dms;
        int64_t dsk = delays ? dn_calib_steps_round(&c, dk) : d;
        if (!isfinite(wk) || !isfinite(dk)) {
            st = dn_error_set(err, DN_EINPUT, NULL, NULL,
                              "row %zu: weight and delay must be finite", k);
            break;
        }
        st = add_row(e, si, sources[k], targets[k], wk, dk, dsk, rec, &pc, err);
        if (st != DN_OK)
            dn_error_prefix(err, "row %zu (%u -> %u): ", k, sources[k], targets[k]);
    }
    if (st != DN_OK)
        snap_rollback(e, &sn);
    else
        e->structure_dirty = true;
    snap_free(&sn);
    return st;
}

/* ---- finalize: sort pending rows into the tables, rebuild indexes ------------------------- */

static dn_status table_merge(dn_table *t, size_t nsrc, dn_error *err)
{
    const dn_synmodel *m = t->t.model;
    size_t n = t->t.n + t->pn;
    if (t->pn == 0)
        return DN_OK;
    size_t *pos = calloc(nsrc + 1, sizeof *pos);
    dn_conn *nc = dn_alloc_huge(n * sizeof *nc);
    void **ncol = calloc((size_t)m->n_cols + 1, sizeof *ncol);
    if (!pos || !nc || !ncol)
        goto oom;
    for (int k = 0; k < m->n_cols; k++)
        if (!(ncol[k] = malloc(n * (m->cols[k].type == DN_COL_F64 ? 8 : 4))))
            goto oom;
    for (size_t r = 0; r < t->nruns; r++)
        pos[t->run_src[r] + 1] += t->run_start[r + 1] - t->run_start[r];
    for (size_t q = 0; q < t->npch; q++)
        for (size_t j = 0; j < t->pch[q].n; j++)
            pos[t->pch[q].src[j] + 1]++;
    size_t nruns = 0;
    for (size_t g = 1; g <= nsrc; g++) {
        nruns += pos[g] != 0;
        pos[g] += pos[g - 1];
    }
    uint32_t *rsrc = malloc((nruns + 1) * sizeof *rsrc);
    size_t *rstart = malloc((nruns + 1) * sizeof *rstart);
    if (!rsrc || !rstart) {
        free(rsrc);
        free(rstart);
        goto oom;
    }
    /* old rows first (already sorted, older), then pending rows in creation order: stable */
    for (size_t r = 0; r < t->nruns; r++) {
        size_t a = t->run_start[r], len = t->run_start[r + 1] - a;
        size_t p = pos[t->run_src[r]];
        memcpy(&nc[p], &t->t.c[a], len * sizeof *nc);
        for (int k = 0; k < m->n_cols; k++) {
            size_t es = m->cols[k].type == DN_COL_F64 ? 8 : 4;
            memcpy((char *)ncol[k] + p * es, (char *)t->t.col[k] + a * es, len * es);
        }
        pos[t->run_src[r]] += len;
    }
    for (size_t q = 0; q < t->npch; q++) {
        const dn_pchunk *ch = &t->pch[q];
        for (size_t j = 0; j < ch->n; j++) {
            size_t p = pos[ch->src[j]]++;
            nc[p] = ch->c[j];
            for (int k = 0; k < m->n_cols; k++) {
                if (m->cols[k].type == DN_COL_F64)
                    ((double *)ncol[k])[p] = ((double *)ch->col[k])[j];
                else
                    ((int32_t *)ncol[k])[p] = ((int32_t *)ch->col[k])[j];
            }
        }
    }
    /* pos[g] is now the end of source g's run; rebuild runs */
    size_t r = 0, prev = 0;
    for (size_t g = 0; g < nsrc; g++) {
        if (pos[g] != prev) {
            rsrc[r] = (uint32_t)g;
            rstart[r] = prev;
            r++;
            prev = pos[g];
        }
    }
    rstart[r] = n;
    free(t->t.c);
    t->t.c = nc;
    for (int k = 0; k < m->n_cols; k++) {
        free(t->t.col[k]);
        t->t.col[k] = ncol[k];
    }
    free(ncol);
    free(t->run_src);
    free(t->run_start);
    t->run_src = rsrc;
    t->run_start = rstart;
    t->nruns = nruns;
    t->t.n = n;
    t->cap = n;
    pending_truncate(t, 0);
    free(pos);
    return DN_OK;
oom:
    if (ncol)
        for (int k = 0; k < m->n_cols; k++)
            free(ncol[k]);
    free(ncol);
    free(nc);
    free(pos);
    return dn_oom(err);
}

static int link_cmp(const void *a, const void *b)
{
    const dn_reclink *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->rec != y->rec)
        return x->rec < y->rec ? -1 : 1;
    return 0;
}

static dn_status vp_index(dn_engine *e, dn_vp *vp, dn_error *err)
{
    size_t nsrc = e->next_gid;
    /* source index over all tables */
    uint32_t *first = calloc(nsrc + 2, sizeof *first);
    if (!first)
        return dn_oom(err);
    size_t nsegs = 0;
    for (size_t k = 0; k < vp->ntables; k++) {
        dn_table *t = &vp->tables[k];
        for (size_t r = 0; r < t->nruns; r++)
            first[t->run_src[r] + 1]++;
        nsegs += t->nruns;
    }
    for (size_t g = 1; g <= nsrc; g++)
        first[g] += first[g - 1];
    dn_span *segs = malloc((nsegs + 1) * sizeof *segs);
    uint32_t *fill = malloc((nsrc + 1) * sizeof *fill);
    if (!segs || !fill) {
        free(first);
        free(segs);
        free(fill);
        return dn_oom(err);
    }
    memcpy(fill, first, (nsrc + 1) * sizeof *fill);
    for (size_t k = 0; k < vp->ntables; k++) {
        dn_table *t = &vp->tables[k];
        for (size_t r = 0; r < t->nruns; r++) {
            dn_span *s = &segs[fill[t->run_src[r]]++];
            s->table = &t->t;
            s->first = t->run_start[r];
            s->count = t->run_start[r + 1] - t->run_start[r];
            /* uniform delay, no count-only rows: the delivery fast path */
            uint32_t d0 = t->t.c[s->first].bits;
            s->delay = d0 & DN_CONN_DELAY_MAX;
            for (size_t j = s->first; j < s->first + s->count && s->delay; j++)
                if (t->t.c[j].bits >> 31 || (t->t.c[j].bits & DN_CONN_DELAY_MAX) != s->delay)
                    s->delay = 0;
        }
    }
    free(fill);
    free(vp->seg_first);
    free(vp->segs);
    vp->seg_first = first;
    vp->segs = segs;
    vp->nsegs = nsegs;

    /* spike detector links: CSR by source */
    if (vp->nlinks > 1)
        qsort(vp->links, vp->nlinks, sizeof *vp->links, link_cmp);
    uint32_t *df = calloc(nsrc + 2, sizeof *df);
    dn_detref *dr = malloc((vp->nlinks + 1) * sizeof *dr);
    if (!df || !dr) {
        free(df);
        free(dr);
        return dn_oom(err);
    }
    for (size_t k = 0; k < vp->nlinks; k++) {
        df[vp->links[k].src + 1]++;
        dn_locate(e, vp->links[k].rec, vp->vp, &dr[k].b, &dr[k].i);
        dr[k].gid = vp->links[k].rec;
    }
    for (size_t g = 1; g <= nsrc; g++)
        df[g] += df[g - 1];
    free(vp->det_first);
    free(vp->dets);
    vp->det_first = df;
    vp->dets = dr;

    /* loggers: per block CSR over nodes into log_order */
    uint32_t *order = malloc((vp->nloggers + 1) * sizeof *order);
    if (!order)
        return dn_oom(err);
    size_t no = 0;
    for (size_t p = 0; p < e->npops; p++) {
        dn_block *b = e->pops[p]->blk[vp->vp];
        free((void *)b->log_first);
        b->log_first = NULL;
        size_t cnt = 0;
        for (size_t k = 0; k < vp->nloggers; k++)
            cnt += vp->loggers[k].tb == b;
        if (cnt == 0)
            continue;
        uint32_t *lf = calloc(b->n + 2, sizeof *lf);
        if (!lf) {
            free(order);
            return dn_oom(err);
        }
        for (size_t k = 0; k < vp->nloggers; k++)
            if (vp->loggers[k].tb == b)
                lf[vp->loggers[k].ti + 1]++;
        for (size_t i = 1; i <= b->n; i++)
            lf[i] += lf[i - 1];
        uint32_t *fill2 = malloc((b->n + 1) * sizeof *fill2);
        if (!fill2) {
            free(lf);
            free(order);
            return dn_oom(err);
        }
        for (size_t i = 0; i <= b->n; i++)
            fill2[i] = lf[i];
        for (size_t k = 0; k < vp->nloggers; k++)
            if (vp->loggers[k].tb == b)
                order[no + fill2[vp->loggers[k].ti]++] = (uint32_t)k;
        for (size_t i = 0; i <= b->n; i++)
            lf[i] += (uint32_t)no;
        no += cnt;
        free(fill2);
        b->log_first = lf;
    }
    free(vp->log_order);
    vp->log_order = order;
    return DN_OK;
}

dn_status dn_conns_finalize(dn_engine *e, dn_error *err)
{
    /* VP by VP, not in parallel: a VP's pending rows and its sorted table both live while it
     * merges, so merging all VPs at once raised the peak memory of bench/brunel (2 threads)
     * from 426 to 546 MB to save about 0.1 s. */
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        for (size_t k = 0; k < vp->ntables; k++) {
            dn_status st = table_merge(&vp->tables[k], e->next_gid, err);
            if (st != DN_OK)
                return st;
        }
        dn_status st = vp_index(e, vp, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

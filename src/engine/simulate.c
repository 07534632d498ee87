/* Simulate: Prepare (delays, ring buffers, init_buffers, calibrate, files), the slice loop over
 * the VPs with OpenMP (kernel spec §1.4, §1.7, §1.11), Cleanup; ResetNetwork (spec §1.9);
 * and the model-facing emit/sample calls. */
#include <omp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/recorder.h"

/* ---- model-facing calls -------------------------------------------------------------------- */

void dn_emit(dn_block *b, const dn_slice *s, size_t i, int lag, uint32_t mult)
{
    dn_vp *vp = s->vpc;
    int c = vp->cur;
    if (vp->nsl[c] == vp->capsl[c]) {
        size_t cap = vp->capsl[c] ? 2 * vp->capsl[c] : 1024;
        dn_spike *x = realloc(vp->sl[c], cap * sizeof *x);
        if (!x) {
            vp->st = dn_error_set(&vp->err, DN_ENOMEM, NULL, NULL, "out of memory");
            return;
        }
        vp->sl[c] = x;
        vp->capsl[c] = cap;
    }
    vp->sl[c][vp->nsl[c]++] = (dn_spike){dn_block_gid(b, i), (uint32_t)lag, mult};
}

void dn_sample_node(const dn_block *b, const dn_slice *s, size_t i, int lag)
{
    dn_vp *vp = s->vpc;
    int64_t step = s->origin + lag;
    const dn_model *m = b->model;
    for (uint32_t k = b->log_first[i]; k < b->log_first[i + 1]; k++) {
        dn_logger *l = &vp->loggers[vp->log_order[k]];
        if (l->nvals == 0 || l->next < 0 || step < l->next || (step - l->next) % l->interval)
            continue;
        if (l->nsamp >= l->capsamp)
            continue;                  /* cannot happen: capsamp covers a slice */
        l->steps[l->nsamp] = step + 1; /* label: right end of the step (spec §1.5) */
        double *v = l->vals + (size_t)l->nsamp * (size_t)l->nvals;
        for (int q = 0; q < l->nvals; q++) {
            const dn_recordable *r = &m->recordables[l->ridx[q]];
            if (r->col < 0)
                v[q] = m->recordable(b, i, l->ridx[q]);
            else if (m->cols[r->col].type == DN_COL_F64)
                v[q] = dn_col_f64(b, r->col)[i];
            else
                v[q] = (double)dn_col_i32(b, r->col)[i];
        }
        l->nsamp++;
    }
}

/* ---- prepare -------------------------------------------------------------------------------- */

static dn_status ring_layout(dn_engine *e, dn_vp *vp, uint32_t nslots, dn_error *err)
{
    uint32_t nch = vp->nchan_next;
    if (vp->ring && vp->nchan == nch && vp->nslots == nslots)
        return DN_OK;
    double *r = calloc((size_t)nslots * nch + 1, sizeof *r);
    uint32_t *cg = malloc(((size_t)nch + 1) * sizeof *cg);
    if (!r || !cg) {
        free(r);
        free(cg);
        return dn_oom(err);
    }
    dn_advise_huge(r, ((size_t)nslots * nch + 1) * sizeof *r);
    if (vp->ring && vp->nslots == nslots)
        for (uint32_t s = 0; s < nslots; s++)
            memcpy(r + (size_t)s * nch, vp->ring + (size_t)s * vp->nchan, vp->nchan * sizeof *r);
    for (size_t p = 0; p < e->npops; p++) {
        dn_block *b = e->pops[p]->blk[vp->vp];
        for (int k = 0; k < b->model->n_inputs; k++)
            for (size_t i = 0; i < b->n; i++)
                cg[dn_chan_of(b, i, k)] = dn_block_gid(b, i);
    }
    free(vp->ring);
    free(vp->chan_gid);
    vp->ring = r;
    vp->chan_gid = cg;
    vp->nchan = nch;
    vp->nslots = nslots;
    return DN_OK;
}

static dn_status vp_blocks(dn_engine *e, dn_vp *vp, dn_error *err)
{
    dn_block **bl = malloc((e->npops + 1) * sizeof *bl);
    if (!bl)
        return dn_oom(err);
    size_t n = 0;
    for (size_t p = 0; p < e->npops; p++)
        if (e->pops[p]->blk[vp->vp]->n > 0)
            bl[n++] = e->pops[p]->blk[vp->vp];
    free(vp->blocks);
    vp->blocks = bl;
    vp->nblocks = n;
    return DN_OK;
}

dn_status dn_prepare(dn_engine *e, dn_error *err)
{
    dn_status st;
    if (!e->simulated) {
        /* spec §1.3: slices of min_delay steps; extrema frozen from now on */
        e->md = e->user_delays ? e->user_min : (e->have_delay ? e->dmin : 1);
        e->dmax = e->user_delays ? e->user_max : (e->have_delay ? e->dmax : 1);
    }
    uint32_t nslots = (uint32_t)(e->md + e->dmax);
    if (e->structure_dirty) {
        if ((st = dn_conns_finalize(e, err)) != DN_OK)
            return st;
        for (int v = 0; v < e->n_vp; v++) {
            e->vps[v].e = e;
            e->vps[v].nsrc = e->next_gid;
            if ((st = vp_blocks(e, &e->vps[v], err)) != DN_OK)
                return st;
        }
        e->structure_dirty = false;
    }
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        if ((st = ring_layout(e, vp, nslots, err)) != DN_OK)
            return st;
        unsigned char *smp = realloc(vp->sample, (size_t)e->md + 1);
        if (!smp)
            return dn_oom(err);
        vp->sample = smp;
    }
    dn_calib c;
    dn_engine_calib(e, &c);
    /* init_buffers for new nodes and after ResetNetwork (spec §1.7 Prepare) */
    for (size_t p = 0; p < e->npops; p++) {
        dn_pop *pop = e->pops[p];
        if (pop->initialized)
            continue;
        for (int v = 0; v < e->n_vp; v++) {
            dn_block *b = pop->blk[v];
            dn_vp *vp = &e->vps[v];
            size_t nch = (size_t)b->model->n_inputs * b->n;
            for (uint32_t s = 0; s < vp->nslots && nch; s++)
                memset(vp->ring + (size_t)s * vp->nchan + b->chan0, 0, nch * sizeof(double));
            if (b->model->init_buffers)
                b->model->init_buffers(b, &c);
        }
        pop->initialized = true;
    }
    for (size_t p = 0; p < e->npops; p++)
        for (int v = 0; v < e->n_vp; v++) {
            dn_block *b = e->pops[p]->blk[v];
            if (b->model->calibrate && (st = b->model->calibrate(b, &c, err)) != DN_OK)
                return st;
        }
    /* multimeter loggers: first sample after the current time (spec §5.2) */
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        for (size_t k = 0; k < vp->nloggers; k++) {
            dn_logger *l = &vp->loggers[k];
            int64_t off;
            int64_t iv = dn_mm_interval(l->mb, l->mi, &c, &off);
            if (l->next < 0) {
                int64_t t0 = c.now;
                l->next = (t0 / iv + 1) * iv - 1;
                if (off != 0)
                    l->next = l->next - iv + off;
                l->interval = iv;
            }
            int cap = (int)(e->md / iv + 2);
            if (cap > l->capsamp) {
                int64_t *st2 = realloc(l->steps, (size_t)cap * sizeof *st2);
                if (!st2)
                    return dn_oom(err);
                l->steps = st2;
                double *vv = realloc(l->vals, (size_t)cap * (size_t)(l->nvals + 1) * sizeof *vv);
                if (!vv)
                    return dn_oom(err);
                l->vals = vv;
                l->capsamp = cap;
            }
        }
    }
    e->simulated = true; /* delay extrema frozen from now on (spec §1.3) */
    return DN_OK;
}

/* ---- the slice loop -------------------------------------------------------------------------- */

static void sample_flags(dn_vp *vp, int64_t origin, int from, int to)
{
    memset(vp->sample, 0, (size_t)to);
    int64_t last_next = -2, last_iv = -2;
    for (size_t k = 0; k < vp->nloggers; k++) {
        dn_logger *l = &vp->loggers[k];
        if (l->nvals == 0 || l->next < 0)
            continue;
        if (l->next == last_next && l->interval == last_iv)
            continue;
        last_next = l->next;
        last_iv = l->interval;
        for (int lag = from; lag < to; lag++) {
            int64_t step = origin + lag;
            if (step >= l->next && (step - l->next) % l->interval == 0)
                vp->sample[lag] = 1;
        }
    }
}

static void vp_update(dn_engine *e, dn_vp *vp, int64_t origin, int from, int to)
{
    vp->origin = origin;
    if (from == 0)
        dn_mm_collect(e, vp);
    dn_wr_phase(e, vp);
    sample_flags(vp, origin, from, to);
    dn_slice s;
    s.origin = origin;
    s.from = from;
    s.to = to;
    s.min_delay = (int)e->md;
    s.h = e->h;
    s.vp = vp->vp;
    s.seed = e->seed;
    s.ring = vp->ring;
    s.nchan = vp->nchan;
    s.nslots = vp->nslots;
    s.slot0 = (uint32_t)(origin % vp->nslots);
    s.sample = vp->sample;
    s.vpc = vp;
    for (size_t k = 0; k < vp->nblocks && vp->st == DN_OK; k++) {
        dn_block *b = vp->blocks[k];
        dn_status st = b->model->update(b, 0, b->n, &s, &vp->err);
        if (st != DN_OK)
            vp->st = st;
    }
    dn_detectors_phase(e, vp);
}

/* This VP's copy of all VPs' spikes of the completed slice (parity c), in the canonical order
 * (gid, lag): the same for any number of VPs. */
static bool merge_spikes(dn_engine *e, dn_vp *vp, int c)
{
    size_t n = 0;
    for (int v = 0; v < e->n_vp; v++)
        n += e->vps[v].nsl[c];
    if (n > vp->capmerged) {
        size_t cap = n + n / 2 + 64;
        dn_spike *x = realloc(vp->merged, cap * sizeof *x);
        if (!x) {
            vp->st = dn_error_set(&vp->err, DN_ENOMEM, NULL, NULL, "out of memory");
            vp->nmerged = 0;
            return false;
        }
        vp->merged = x;
        vp->capmerged = cap;
    }
    size_t at = 0;
    for (int v = 0; v < e->n_vp; v++) {
        if (e->vps[v].nsl[c])
            memcpy(vp->merged + at, e->vps[v].sl[c], e->vps[v].nsl[c] * sizeof(dn_spike));
        at += e->vps[v].nsl[c];
    }
    if (n > 1)
        qsort(vp->merged, n, sizeof(dn_spike), dn_spike_cmp);
    vp->nmerged = n;
    return true;
}

/* a failure of VP vp is reported at the barrier of slice k (all threads agree on it) */
static void note_failure(dn_vp *vp, int64_t k)
{
    if (atomic_load_explicit(&vp->fail_k, memory_order_relaxed) < 0)
        atomic_store_explicit(&vp->fail_k, k, memory_order_relaxed);
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The barrier of the slice loop. OpenMP's barrier spins for a long time before it sleeps, which
 * is best on an idle machine but, on a machine shared with other work, burns the CPU that the
 * thread being waited for needs (bench/brunel, 2 threads, load ~3 on 2 cores, alternating
 * runs: simulate 4.0-4.6 s with the OpenMP barrier, 3.1-3.4 s with this one). This one spins
 * briefly, then yields the CPU while it waits. Release/acquire on the counters orders all writes
 * before the barrier (the spike lists) before all reads after it. */
typedef struct slice_barrier {
    _Atomic unsigned count, gen;
    unsigned n;
} slice_barrier;

#define BARRIER_SPIN 2000

static void barrier_wait(slice_barrier *b)
{
    unsigned gen = atomic_load_explicit(&b->gen, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) + 1 == b->n) {
        atomic_store_explicit(&b->count, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&b->gen, 1, memory_order_release);
        return;
    }
    for (int spin = 0; atomic_load_explicit(&b->gen, memory_order_acquire) == gen; spin++)
        if (spin >= BARRIER_SPIN)
            sched_yield();
}

/* The slice loop with ONE barrier per slice: every thread runs the same loop control on
 * private copies; spike lists are double-buffered by slice parity, so a VP can start its next
 * slice while the others still read its list of the last one (spec §1.4, §1.11). */
static dn_status run(dn_engine *e, int64_t steps, dn_error *err)
{
    double t0 = wall();
    bool progress = e->print_time && e->progress;
    const int64_t md = e->md, clock0 = e->clock;
    const int from0 = e->from_step;
    int64_t end_clock = clock0;
    int end_from = from0;
    if (progress)
        e->progress(e->progress_user, 0, 0, (double)clock0 * e->h, 0.0);
    for (int v = 0; v < e->n_vp; v++) {
        e->vps[v].st = DN_OK;
        atomic_store(&e->vps[v].fail_k, -1);
    }
    slice_barrier bar;
    atomic_init(&bar.count, 0);
    atomic_init(&bar.gen, 0);
    bar.n = 0; /* set by the team: the number of threads it actually got */
#pragma omp parallel num_threads(e->n_vp)
    {
#pragma omp single
        bar.n = (unsigned)omp_get_num_threads();
        int tid = omp_get_thread_num(), nth = omp_get_num_threads();
        int64_t origin = clock0, left = steps;
        int from = from0;
        for (int64_t k = 0;; k++) {
            int to = (int)(from + left < md ? from + left : md);
            for (int v = tid; v < e->n_vp; v += nth) {
                vp_update(e, &e->vps[v], origin, from, to);
                if (e->vps[v].st != DN_OK)
                    note_failure(&e->vps[v], k);
            }
            barrier_wait(&bar);
            bool failed = false;
            for (int v = 0; v < e->n_vp; v++) {
                int64_t f = atomic_load_explicit(&e->vps[v].fail_k, memory_order_relaxed);
                failed |= f >= 0 && f <= k;
            }
            bool complete = to == md;
            if (complete && !failed) {
                for (int v = tid; v < e->n_vp; v += nth) {
                    dn_vp *vp = &e->vps[v];
                    int c = vp->cur;
                    if (merge_spikes(e, vp, c))
                        dn_deliver(e, vp, origin);
                    else
                        note_failure(vp, k + 1);
                    /* the other list was read by everyone before this slice's barrier */
                    vp->cur = c ^ 1;
                    vp->nsl[c ^ 1] = 0;
                    vp->det_done = 0;
                }
            }
            left -= to - from;
            if (complete) {
                origin += md;
                from = 0;
            } else {
                from = to;
            }
            if (progress && complete && tid == 0) {
                double el = wall() - t0;
                double done = (double)(steps - left) * e->h;
                int pct = 100 - (int)((double)left / (double)steps * 100.0);
                e->progress(e->progress_user, 1, pct, (double)origin * e->h,
                            el > 0 ? done / (el * 1000.0) : 0.0);
            }
            /* a delivery failure surfaces at the next barrier; after the last slice, below */
            if (failed || left == 0) {
#pragma omp master
                {
                    end_clock = origin;
                    end_from = from;
                }
                break;
            }
        }
    }
    e->clock = end_clock;
    e->from_step = end_from;
    dn_status st = DN_OK;
    for (int v = 0; v < e->n_vp && st == DN_OK; v++)
        if (e->vps[v].st != DN_OK) {
            st = e->vps[v].st;
            if (err)
                *err = e->vps[v].err;
        }
    if (progress)
        e->progress(e->progress_user, 2, 100, (double)e->clock * e->h, 0.0);
    return st;
}

dn_status dn_engine_simulate(dn_engine *e, double t_ms, dn_error *err)
{
    if (!(t_ms >= 0) || t_ms > 1e15)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "the simulation time must be a finite number >= 0 (got %g)", t_ms);
    int64_t tics = dn_time_ms_to_tics(t_ms, e->tics_per_ms);
    if (tics % e->tics_per_step != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "the simulation time %g ms must be a multiple of the resolution "
                            "%g ms",
                            t_ms, e->h);
    int64_t steps = tics / e->tics_per_step;
    if (steps == 0)
        return DN_OK;
    dn_status st = dn_prepare(e, err);
    if (st != DN_OK)
        return st;
    st = run(e, steps, err);
    /* Cleanup (spec §1.7): devices flush their files */
    dn_calib c;
    dn_engine_calib(e, &c);
    for (size_t p = 0; p < e->npops; p++)
        for (int v = 0; v < e->n_vp; v++) {
            dn_block *b = e->pops[p]->blk[v];
            if (b->model->finalize) {
                dn_status s2 = b->model->finalize(b, &c, st == DN_OK ? err : NULL);
                if (st == DN_OK)
                    st = s2;
            }
        }
    return st;
}

/* ---- ResetNetwork (spec §1.9, NEST 2.20 semantics) -------------------------------------- */

dn_status dn_engine_reset_network(dn_engine *e, dn_error *err)
{
    (void)err;
    if (!e->simulated)
        return DN_OK;
    for (int v = 0; v < e->n_vp; v++) {
        dn_vp *vp = &e->vps[v];
        vp->nsl[0] = vp->nsl[1] = vp->det_done = 0;
        for (size_t k = 0; k < vp->nloggers; k++) {
            vp->loggers[k].next = -1;
            vp->loggers[k].nsamp = 0;
        }
    }
    for (size_t p = 0; p < e->npops; p++) {
        dn_pop *pop = e->pops[p];
        const dn_model *m = pop->nm->m;
        const dn_block *proto = pop->nm->proto;
        for (int v = 0; v < e->n_vp; v++) {
            dn_block *b = pop->blk[v];
            for (int c = 0; c < m->n_cols; c++) {
                if (m->cols[c].role != DN_ROLE_STATE)
                    continue;
                if (m->cols[c].type == DN_COL_F64) {
                    double x = dn_col_f64(proto, c)[0], *d = dn_col_f64(b, c);
                    for (size_t i = 0; i < b->n; i++)
                        d[i] = x;
                } else {
                    int32_t x = dn_col_i32(proto, c)[0], *d = dn_col_i32(b, c);
                    for (size_t i = 0; i < b->n; i++)
                        d[i] = x;
                }
            }
            if (m->reset)
                m->reset(b);
        }
        pop->initialized = false;
    }
    return DN_OK;
}

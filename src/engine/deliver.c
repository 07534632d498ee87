/* Spike delivery: at the end of each slice every VP walks the merged spikes (canonical order)
 * and adds them into the ring buffers of its own targets (kernel spec §1.5, §8.4); devices
 * deliver directly during their update (§1.6). The inner loop of static synapses is the hot
 * path of every large simulation. */
#include <stdlib.h>

#include "engine/recorder.h"

int dn_spike_cmp(const void *a, const void *b)
{
    const dn_spike *x = a, *y = b;
    if (x->gid != y->gid)
        return x->gid < y->gid ? -1 : 1;
    if (x->lag != y->lag)
        return x->lag < y->lag ? -1 : 1;
    return 0;
}

/* Static rows without a weight recorder: weight (or 1 for count-only inputs) into slot
 * base + delay of the target channel. base < nslots and delay <= max_delay < nslots. */
static void deliver_static(double *restrict ring, uint32_t nch, uint32_t ns, uint32_t base,
                           const dn_conn *restrict c, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        uint32_t s = base + (c[j].bits & DN_CONN_DELAY_MAX);
        if (s >= ns)
            s -= ns;
        ring[(size_t)s * nch + c[j].chan] += (c[j].bits >> 31) ? 1.0 : c[j].weight;
    }
}

/* The common case: static rows of one delay, no count-only inputs: one ring row. */
static void deliver_uniform(double *restrict ring, uint32_t nch, uint32_t ns, uint32_t base,
                            uint32_t delay, const dn_conn *restrict c, size_t n)
{
    uint32_t s = base + delay;
    if (s >= ns)
        s -= ns;
    double *restrict row = ring + (size_t)s * nch;
    /* rows are read once per spike, from memory: fetching 1 KiB ahead keeps the loads from
     * stalling (bench/brunel: delivery samples -26%) */
    for (size_t j = 0; j < n; j++) {
        __builtin_prefetch(&c[j + 64]);
        row[c[j].chan] += c[j].weight;
    }
}

/* Rows with a send hook (plastic synapses) and/or a weight recorder: one at a time, in
 * storage order (spec §5.4). `value` scales the weight (1 for neuron spikes). */
static void deliver_slow(dn_engine *e, dn_vp *vp, dn_conntable *t, size_t first, size_t n,
                         uint32_t base, dn_gid src, int64_t stamp, double value)
{
    const dn_syninst *si = t->inst;
    double t_ms = (double)stamp * e->h;
    double *ring = vp->ring;
    uint32_t nch = vp->nchan, ns = vp->nslots;
    for (size_t j = first; j < first + n; j++) {
        const dn_conn *c = &t->c[j];
        double w = t->model->send ? t->model->send(t, j, t_ms) : c->weight;
        uint32_t s = base + (c->bits & DN_CONN_DELAY_MAX);
        if (s >= ns)
            s -= ns;
        ring[(size_t)s * nch + c->chan] += dn_conn_count(c) ? value : w * value;
        if (si->weight_recorder >= 0) {
            dn_wrevent ev = {src, vp->chan_gid[c->chan], dn_conn_rport(c), stamp, w};
            dn_wr_push(e, vp, (dn_gid)si->weight_recorder, &ev);
        }
    }
}

void dn_deliver(dn_engine *e, dn_vp *vp, int64_t origin)
{
    double *ring = vp->ring;
    uint32_t nch = vp->nchan, ns = vp->nslots;
    uint32_t base0 = (uint32_t)(origin % ns);
    for (size_t k = 0; k < vp->nmerged; k++) {
        const dn_spike *sp = &vp->merged[k];
        if (sp->gid >= vp->nsrc)
            continue;
        uint32_t base = base0 + sp->lag;
        if (base >= ns)
            base -= ns;
        for (uint32_t q = vp->seg_first[sp->gid]; q < vp->seg_first[sp->gid + 1]; q++) {
            const dn_span *span = &vp->segs[q];
            dn_conntable *t = (dn_conntable *)span->table;
            const dn_syninst *si = t->inst;
            /* a neuron spike of multiplicity m is m separate events (spec §1.5) */
            for (uint32_t m = 0; m < sp->mult; m++) {
                if (!t->model->send && si->weight_recorder < 0 && span->delay)
                    deliver_uniform(ring, nch, ns, base, span->delay, t->c + span->first,
                                    span->count);
                else if (!t->model->send && si->weight_recorder < 0)
                    deliver_static(ring, nch, ns, base, t->c + span->first, span->count);
                else
                    deliver_slow(e, vp, t, span->first, span->count, base, sp->gid,
                                 origin + sp->lag + 1, 1.0);
            }
        }
    }
}

size_t dn_device_targets(const dn_block *b, const dn_slice *s, size_t i, const dn_span **spans)
{
    dn_vp *vp = s->vpc;
    dn_gid g = dn_block_gid(b, i);
    if (g >= vp->nsrc || !vp->seg_first) {
        *spans = NULL;
        return 0;
    }
    *spans = vp->segs + vp->seg_first[g];
    return vp->seg_first[g + 1] - vp->seg_first[g];
}

dn_gid dn_chan_gid(const dn_slice *s, uint32_t chan)
{
    const dn_vp *vp = s->vpc;
    return vp->chan_gid[chan];
}

void dn_device_send(const dn_block *b, const dn_slice *s, size_t i, int lag, dn_event_kind kind,
                    double value, uint32_t mult)
{
    dn_vp *vp = s->vpc;
    dn_engine *e = vp->e;
    dn_gid g = dn_block_gid(b, i);
    int64_t stamp = s->origin + lag + 1;
    if (kind == DN_EV_SPIKE)
        dn_detector_push_device(e, vp, g, stamp, mult);
    const dn_span *sp;
    size_t n = dn_device_targets(b, s, i, &sp);
    uint32_t base = s->slot0 + (uint32_t)lag;
    if (base >= s->nslots)
        base -= s->nslots;
    for (size_t q = 0; q < n; q++) {
        dn_conntable *t = (dn_conntable *)sp[q].table;
        const dn_syninst *si = t->inst;
        if (!t->model->send && si->weight_recorder < 0) {
            const dn_conn *c = t->c + sp[q].first;
            for (size_t j = 0; j < sp[q].count; j++) {
                uint32_t sl = base + (c[j].bits & DN_CONN_DELAY_MAX);
                if (sl >= s->nslots)
                    sl -= s->nslots;
                s->ring[(size_t)sl * s->nchan + c[j].chan] +=
                    dn_conn_count(&c[j]) ? (double)mult : c[j].weight * value;
            }
        } else {
            /* count-only inputs must see the multiplicity: deliver_slow adds `value` there */
            if (kind == DN_EV_SPIKE && value != (double)mult) {
                /* spike weights: count inputs still get the multiplicity */
                for (size_t j = sp[q].first; j < sp[q].first + sp[q].count; j++) {
                    const dn_conn *c = &t->c[j];
                    double w =
                        t->model->send ? t->model->send(t, j, (double)stamp * e->h) : c->weight;
                    uint32_t sl = base + (c->bits & DN_CONN_DELAY_MAX);
                    if (sl >= s->nslots)
                        sl -= s->nslots;
                    s->ring[(size_t)sl * s->nchan + c->chan] +=
                        dn_conn_count(c) ? (double)mult : w * value;
                    if (si->weight_recorder >= 0) {
                        dn_wrevent ev = {g, vp->chan_gid[c->chan], dn_conn_rport(c), stamp,
                                         w * value / (mult ? mult : 1)};
                        dn_wr_push(e, vp, (dn_gid)si->weight_recorder, &ev);
                    }
                }
            } else {
                deliver_slow(e, vp, t, sp[q].first, sp[q].count, base, g, stamp, value);
            }
        }
    }
}

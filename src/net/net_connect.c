/* Phase 2 of the network build, part 2: connect the projections in sorted order (deNEST spec
 * §4.4). Each projection is one ConnectLayers call: the topology code decides which connections
 * exist (dn_topo_connect, kernel spec §7.6), the engine stores them in bulk (delays rounded to
 * the resolution there). */
#include <stdlib.h>
#include <string.h>

#include "denest/log.h"
#include "net/net_internal.h"

/* The candidate nodes of one side: a population, or every node of the layer (population NULL),
 * with their location indices (column-major, kernel spec §7.1). */
static dn_status side_nodes(const dn_net_layer *L, const dn_net_population *pop, uint64_t **gids,
                            uint32_t **locs, size_t *n, dn_error *err)
{
    size_t total = 0;
    for (size_t j = 0; j < L->n_populations; j++)
        if (!pop || &L->populations[j] == pop)
            total += L->populations[j].n;
    *gids = malloc((total ? total : 1) * sizeof **gids);
    *locs = malloc((total ? total : 1) * sizeof **locs);
    if (!*gids || !*locs) {
        free(*gids);
        free(*locs);
        *gids = NULL;
        *locs = NULL;
        return net_oom(err);
    }
    size_t nloc = (size_t)L->rows * (size_t)L->columns, m = 0;
    for (size_t j = 0; j < L->n_populations; j++) {
        const dn_net_population *p = &L->populations[j];
        if (pop && p != pop)
            continue;
        for (size_t i = 0; i < p->n; i++, m++) {
            (*gids)[m] = p->first + i;
            (*locs)[m] = (uint32_t)(i % nloc);
        }
    }
    *n = total;
    return DN_OK;
}

/* Random streams are named by the projection, not by its position in the sorted list, so adding
 * or removing a projection leaves every other projection's connections unchanged. FNV-1a. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static dn_status synapse_defaults(dn_engine *e, const char *model, double *w, double *d,
                                  dn_error *err)
{
    dn_value *defs = NULL;
    dn_status st = dn_engine_get_defaults(e, model, &defs, err);
    if (st != DN_OK)
        return st;
    *w = 1.0;
    *d = 1.0;
    dn_value_get_double(dn_value_map_get(defs, "weight"), w);
    dn_value_get_double(dn_value_map_get(defs, "delay"), d);
    dn_value_free(defs);
    return DN_OK;
}

/* Receives the rows of one projection batch by batch (dn_topo_connect_cb) and hands them to the
 * engine's bulk path, so the rows of a large projection are never all held at once. */
typedef struct sink_ctx {
    dn_engine *e;
    dn_syn_spec spec;
    bool weights, delays; /* pass per-row values (else the synapse model's defaults) */
    dn_gid *src, *dst;
    double *w, *d;
    size_t cap, total;
} sink_ctx;

static dn_status sink(const dn_topo_conn *rows, size_t n, void *vctx, dn_error *err)
{
    sink_ctx *c = vctx;
    if (n == 0)
        return DN_OK;
    if (n > c->cap) {
        dn_gid *s = realloc(c->src, n * sizeof *s);
        if (s)
            c->src = s;
        dn_gid *t = realloc(c->dst, n * sizeof *t);
        if (t)
            c->dst = t;
        double *w = c->weights ? realloc(c->w, n * sizeof *w) : NULL;
        if (w)
            c->w = w;
        double *d = c->delays ? realloc(c->d, n * sizeof *d) : NULL;
        if (d)
            c->d = d;
        if (!s || !t || (c->weights && !w) || (c->delays && !d))
            return net_oom(err);
        c->cap = n;
    }
    for (size_t k = 0; k < n; k++) {
        c->src[k] = (dn_gid)rows[k].source;
        c->dst[k] = (dn_gid)rows[k].target;
        if (c->weights)
            c->w[k] = rows[k].weight;
        if (c->delays)
            c->d[k] = rows[k].delay;
    }
    dn_status st = dn_engine_connect_rows(c->e, n, c->src, c->dst, c->weights ? c->w : NULL,
                                          c->delays ? c->d : NULL, &c->spec, err);
    if (st == DN_OK)
        c->total += n;
    return st;
}

static dn_status connect_one(dn_engine *e, net_proj *p, const dn_net_options *opt, dn_error *err)
{
    const net_pmodel *pm = p->pm;
    const char *syn = p->pub.synapse_model;
    dn_status st;
    double dw, dd;
    if ((st = synapse_defaults(e, syn, &dw, &dd, err)) != DN_OK)
        return st;

    uint64_t *sg = NULL, *tg = NULL;
    uint32_t *sl = NULL, *tl = NULL;
    size_t ns = 0, nt = 0;
    sink_ctx ctx = {
        .e = e,
        .spec = {.model = syn},
        .weights = pm->spec.has_weights,
        .delays = pm->spec.has_delays,
    };
    if ((st = side_nodes(p->pub.source_layer, p->pub.source_population, &sg, &sl, &ns, err)) !=
            DN_OK ||
        (st = side_nodes(p->pub.target_layer, p->pub.target_population, &tg, &tl, &nt, err)) !=
            DN_OK)
        goto done;
    dn_topo_call call = {
        .spec = &pm->spec,
        .source_layer = &p->pub.source_layer->geometry,
        .target_layer = &p->pub.target_layer->geometry,
        .sources = {.gids = sg, .locs = sl, .n = ns},
        .targets = {.gids = tg, .locs = tl, .n = nt},
        .seed = opt ? opt->seed : 0,
        .projection = name_hash(p->pub.name),
        .default_weight = dw,
        .default_delay = dd,
        .threads = opt ? opt->threads : 0,
    };
    st = dn_topo_connect_cb(&call, sink, &ctx, err);
    p->pub.n_connections = ctx.total;
done:
    if (st != DN_OK) {
        if (err && err->status == DN_EINPUT && !err->path[0]) {
            snprintf(err->path, sizeof err->path, "%s", pm->path);
            if (!err->mark.file)
                err->mark = pm->spec.mark.file ? pm->spec.mark : pm->leaf->mark;
        }
        dn_error_prefix(err, "projection `%s`: ", p->pub.name);
    }
    free(sg);
    free(tg);
    free(sl);
    free(tl);
    free(ctx.src);
    free(ctx.dst);
    free(ctx.w);
    free(ctx.d);
    return st;
}

dn_status net_connect_projections(dn_net *net, dn_engine *e, const dn_net_options *opt,
                                  dn_error *err)
{
    dn_log_info("network", "Connecting layers...");
    for (size_t i = 0; i < net->n_projs; i++) {
        dn_status st = connect_one(e, &net->projs[i], opt, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

/* Every node of a projection side, ascending. */
static dn_gid *side_gids(const dn_net_layer *L, const dn_net_population *pop, size_t *n)
{
    size_t total = 0;
    for (size_t j = 0; j < L->n_populations; j++)
        if (!pop || &L->populations[j] == pop)
            total += L->populations[j].n;
    dn_gid *g = malloc((total ? total : 1) * sizeof *g);
    if (!g)
        return NULL;
    size_t m = 0;
    for (size_t j = 0; j < L->n_populations; j++) {
        const dn_net_population *p = &L->populations[j];
        if (pop && p != pop)
            continue;
        for (size_t i = 0; i < p->n; i++)
            g[m++] = (dn_gid)(p->first + i);
    }
    *n = total;
    return g;
}

dn_status dn_net_projection_connections(const dn_net *net, dn_engine *e,
                                        const dn_net_projection *proj, dn_connsel **out,
                                        dn_error *err)
{
    (void)net;
    *out = NULL;
    size_t ns = 0, nt = 0;
    dn_gid *s = side_gids(proj->source_layer, proj->source_population, &ns);
    dn_gid *t = side_gids(proj->target_layer, proj->target_population, &nt);
    dn_status st;
    if (!s || !t)
        st = net_oom(err);
    else
        st = dn_engine_get_connections(e, s, ns, t, nt, proj->synapse_model, out, err);
    free(s);
    free(t);
    return st;
}

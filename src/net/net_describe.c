/* `denest show --network`: a plain-text summary of a built network (layers with shapes and GID
 * ranges, projections with the synapse model used and their connection counts, recorders). */
#include <stdio.h>

#include "denest/value.h"
#include "net/net_internal.h"

void dn_net_describe(const dn_net *net, FILE *out)
{
    if (!net || !out)
        return;
    char a[32], b[32], c[32], d[32];
    fprintf(out, "Layers (%zu):\n", net->n_layers);
    for (size_t i = 0; i < net->n_layers; i++) {
        const dn_net_layer *L = &net->layers[i].pub;
        const dn_topo_layer *g = &L->geometry;
        fprintf(
            out, "  %s  (%s, GID %lu)  %lld x %lld, extent [%s, %s], center [%s, %s]%s\n", L->name,
            L->is_input ? "InputLayer" : "Layer", (unsigned long)L->gid, (long long)L->rows,
            (long long)L->columns, dn_value_format_double(g->extent[0], a, sizeof a),
            dn_value_format_double(g->extent[1], b, sizeof b),
            dn_value_format_double(g->center[0], c, sizeof c),
            dn_value_format_double(g->center[1], d, sizeof d), g->edge_wrap ? ", edge_wrap" : "");
        for (size_t j = 0; j < L->n_populations; j++) {
            const dn_net_population *p = &L->populations[j];
            fprintf(out, "    %-24s %lld per location, %zu nodes, GIDs %lu-%lu%s\n", p->name,
                    (long long)p->units, p->n, (unsigned long)p->first,
                    (unsigned long)(p->first + p->n - 1),
                    p->stimulator   ? " (stimulators)"
                    : p->recordable ? ""
                                    : " (not recordable)");
        }
    }
    fprintf(out, "Projections (%zu):\n", net->n_projs);
    for (size_t i = 0; i < net->n_projs; i++) {
        const dn_net_projection *p = &net->projs[i].pub;
        fprintf(out, "  %s  synapse_model %s, %zu connections\n", p->name, p->synapse_model,
                p->n_connections);
    }
    fprintf(out, "Recorders (%zu):\n", net->n_recs);
    for (size_t i = 0; i < net->n_recs; i++) {
        const dn_net_recorder *r = &net->recs[i].pub;
        if (r->projection)
            fprintf(out, "  %lu  %s  %s (model %s) on projection %s\n", (unsigned long)r->gid,
                    r->label, r->type ? r->type : "?", r->model, r->projection->name);
        else
            fprintf(out, "  %lu  %s  %s (model %s) on %s/%s (%zu units)\n", (unsigned long)r->gid,
                    r->label, r->type ? r->type : "?", r->model, r->layer->name,
                    r->population->name, r->population->n);
    }
    fprintf(out,
            "Network size: %zu nodes (root, layer nodes, recorders and parrots included), "
            "%zu connections\n",
            net->network_size, net->num_connections);
}

/* Read-only queries on a built network: layers, populations and their GID <-> (row, column, unit)
 * mapping (deNEST spec §4.2.3), projections and their connections, recorders. */
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

size_t dn_net_n_layers(const dn_net *net)
{
    return net ? net->n_layers : 0;
}

const dn_net_layer *dn_net_layer_at(const dn_net *net, size_t i)
{
    return net && i < net->n_layers ? &net->layers[i].pub : NULL;
}

const dn_net_layer *dn_net_find_layer(const dn_net *net, const char *name)
{
    if (!net || !name)
        return NULL;
    net_layer *L = net_find_layer(net, name);
    return L ? &L->pub : NULL;
}

const char *const *dn_net_layer_names(const dn_net *net)
{
    return net ? net->layer_names : NULL;
}

const dn_net_population *dn_net_layer_population(const dn_net_layer *layer, const char *name)
{
    if (!layer || !name)
        return NULL;
    for (size_t i = 0; i < layer->n_populations; i++)
        if (strcmp(layer->populations[i].name, name) == 0)
            return &layer->populations[i];
    return NULL;
}

dn_gid dn_net_population_gid(const dn_net_population *pop, int64_t row, int64_t column, int64_t k)
{
    const dn_net_layer *L = pop->layer;
    return (dn_gid)(pop->first + (uint64_t)k * (uint64_t)(L->rows * L->columns) +
                    (uint64_t)column * (uint64_t)L->rows + (uint64_t)row);
}

bool dn_net_population_location(const dn_net_population *pop, dn_gid gid, int64_t *row,
                                int64_t *column, int64_t *k)
{
    if (!pop || gid < pop->first || gid - pop->first >= pop->n)
        return false;
    const dn_net_layer *L = pop->layer;
    uint64_t i = gid - pop->first, nloc = (uint64_t)(L->rows * L->columns);
    uint64_t loc = i % nloc;
    if (k)
        *k = (int64_t)(i / nloc);
    if (column)
        *column = (int64_t)(loc / (uint64_t)L->rows);
    if (row)
        *row = (int64_t)(loc % (uint64_t)L->rows);
    return true;
}

size_t dn_net_n_projections(const dn_net *net)
{
    return net ? net->n_projs : 0;
}

const dn_net_projection *dn_net_projection_at(const dn_net *net, size_t i)
{
    return net && i < net->n_projs ? &net->projs[i].pub : NULL;
}

static bool same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

const dn_net_projection *dn_net_find_projection(const dn_net *net, const char *projection_model,
                                                const char *source_layer,
                                                const char *source_population,
                                                const char *target_layer,
                                                const char *target_population)
{
    if (!net)
        return NULL;
    for (size_t i = 0; i < net->n_projs; i++) {
        const net_tuple *t = net->projs[i].tuple;
        if (same(t->pm, projection_model) && same(t->sl, source_layer) &&
            same(t->sp, source_population) && same(t->tl, target_layer) &&
            same(t->tp, target_population))
            return &net->projs[i].pub;
    }
    return NULL;
}

size_t dn_net_n_recorders(const dn_net *net)
{
    return net ? net->n_recs : 0;
}

const dn_net_recorder *dn_net_recorder_at(const dn_net *net, size_t i)
{
    return net && i < net->n_recs ? &net->recs[i].pub : NULL;
}

const dn_net_recorder *dn_net_find_recorder(const dn_net *net, const char *label)
{
    if (!net || !label)
        return NULL;
    for (size_t i = 0; i < net->n_recs; i++)
        if (strcmp(net->recs[i].pub.label, label) == 0)
            return &net->recs[i].pub;
    return NULL;
}

size_t dn_net_n_population_recorders(const dn_net *net)
{
    return net ? net->n_poprecs : 0;
}

size_t dn_net_network_size(const dn_net *net)
{
    return net ? net->network_size : 0;
}

size_t dn_net_num_connections(const dn_net *net)
{
    return net ? net->num_connections : 0;
}

/* The engine-free half of the network build: read the whole `network` subtree into a plan (models,
 * layers, projection models, expanded projections and recorders) with deNEST's "Build N=..."
 * messages (spec §9.2); and dn_net_free. */
#include <stdlib.h>

#include "denest/log.h"
#include "net/net_internal.h"

void dn_net_free(dn_net *net)
{
    if (!net)
        return;
    for (size_t i = 0; i < net->n_layers; i++) {
        net_layer *L = &net->layers[i];
        dn_topo_layer_clear(&L->pub.geometry);
        free(L->pops);
        free(L->pop_marks);
    }
    free(net->layers);
    free(net->layer_names);
    free(net->neuron_models);
    free(net->synapse_models);
    free(net->recorder_models);
    for (size_t i = 0; i < net->n_pmodels; i++)
        dn_value_free(net->pmodels[i].nest_params);
    free(net->pmodels);
    free(net->proj_tuples);
    free(net->poprec_tuples);
    free(net->projrec_tuples);
    free(net->projs);
    for (size_t i = 0; i < net->n_recs; i++)
        dn_value_free(net->recs[i].meta);
    free(net->recs);
    for (size_t i = 0; i < net->n_strs; i++)
        free(net->strs[i]);
    free(net->strs);
    free(net);
}

static const dn_tree kEmpty;

/* Phase 1: everything that needs no engine, with deNEST's "Build N=..." messages (§9.2). */
dn_status net_read_all(dn_net *net, const dn_tree *network, dn_error *err)
{
    dn_status st;
    if (!network) /* no `network` subtree: an empty network (deNEST adds an empty child) */
        network = &kEmpty;
    if ((st = net_read_models(net, network, err)) != DN_OK)
        return st;
    dn_log_info("network", "Build N=%zu ``Model`` objects", net->n_neuron_models);
    dn_log_info("network", "Build N=%zu ``SynapseModel`` objects", net->n_synapse_models);
    dn_log_info("network", "Build N=%zu ``Model`` objects", net->n_recorder_models);
    if ((st = net_read_layers(net, network, err)) != DN_OK)
        return st;
    dn_log_info("network", "Build N=%zu ``Layer`` or ``InputLayer`` objects.", net->n_layers);
    if ((st = net_read_pmodels(net, network, err)) != DN_OK)
        return st;
    dn_log_info("network", "Build N=%zu ``ProjectionModel`` objects", net->n_pmodels);
    if ((st = net_read_projections(net, network, err)) != DN_OK)
        return st;
    dn_log_info("network", "Build N=%zu ``TopoProjection`` objects", net->n_projs);
    if ((st = net_read_recorders(net, network, err)) != DN_OK)
        return st;
    dn_log_info("network", "Build N=%zu population recorders.", net->n_poprecs);
    dn_log_info("network", "Build N=%zu projection recorders.", net->n_recs - net->n_poprecs);
    return DN_OK;
}

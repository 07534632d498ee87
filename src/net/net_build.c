/* dn_net_build: read the whole `network` subtree first (so most mistakes are reported before the
 * engine is touched), then make the engine calls in deNEST's create order (spec §4.0), then
 * compute the recorder metadata. */
#include <stdlib.h>

#include "denest/log.h"
#include "net/net_internal.h"

dn_status dn_net_build(const dn_tree *network, dn_engine *e, const dn_net_options *opt,
                       dn_net **out, dn_error *err)
{
    if (out)
        *out = NULL;
    if (!e || !out)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "dn_net_build needs an engine and an output pointer");
    dn_net *net = calloc(1, sizeof *net);
    if (!net)
        return net_oom(err);
    size_t conns_before = dn_engine_num_connections(e);
    dn_status st = net_read_all(net, network, err);
    if (st == DN_OK)
        st = net_create_models(net, e, err);
    if (st == DN_OK)
        st = net_create_layers(net, e, err);
    if (st == DN_OK)
        st = net_create_recorders(net, e, err);
    if (st == DN_OK)
        st = net_connect_projections(net, e, opt, err);
    if (st == DN_OK) {
        net->network_size = dn_engine_network_size(e);
        net->num_connections = dn_engine_num_connections(e) - conns_before;
        dn_log_info("network",
                    "Network size (including recorders and parrot neurons):\n"
                    "Number of nodes: %zu\nNumber of projections: %zu",
                    net->network_size, dn_engine_num_connections(e));
        st = dn_net_update_metadata(net, e, err);
    }
    if (st != DN_OK) {
        dn_net_free(net);
        return st;
    }
    *out = net;
    return DN_OK;
}

/* Benchmark of topological connection building: the deNEST tutorial network scaled to 100x100
 * (80 000 nodes, extent [100, 100], edge_wrap; populations l1_exc: 4, l1_inh: 2; an InputLayer of
 * one spike_generator + parrot per location) with the tutorial's three divergent projections
 * (circular mask of radius 2.0, kernel 1.0). Prints one JSON line. Usage: topology [threads]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "denest/topology.h"
#include "denest/yaml.h"

#define SIDE 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* `depth` units per location starting at GID `first`, NEST's order (§7.1). */
static int make_nodes(dn_topo_nodes *nodes, uint64_t first, int depth)
{
    size_t N = (size_t)SIDE * SIDE, n = N * (size_t)depth;
    uint64_t *g = malloc(n * sizeof *g);
    uint32_t *l = malloc(n * sizeof *l);
    if (g == NULL || l == NULL) {
        free(g);
        free(l);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        g[k] = first + k;
        l[k] = (uint32_t)(k % N);
    }
    *nodes = (dn_topo_nodes){g, l, n};
    return 0;
}

static int parse(const char *yaml, dn_topo_spec *spec)
{
    dn_error err;
    dn_value *v = NULL;
    if (dn_yaml_load_string(yaml, strlen(yaml), "<bench>", &v, &err) != DN_OK ||
        dn_topo_spec_parse(v, "bench", spec, &err) != DN_OK) {
        char buf[1200];
        dn_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "topology bench: %s\n", buf);
        dn_value_free(v);
        return -1;
    }
    dn_value_free(v);
    return 0;
}

static dn_status count_rows(const dn_topo_conn *rows, size_t n, void *ctx, dn_error *err)
{
    (void)rows;
    (void)err;
    *(size_t *)ctx += n;
    return DN_OK;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    dn_error err;
    dn_topo_layer layer;
    double extent[2] = {SIDE, SIDE}, center[2] = {0.0, 0.0};
    if (dn_topo_layer_grid(&layer, SIDE, SIDE, extent, center, true, &err) != DN_OK) {
        return 1;
    }
    /* GIDs as NEST assigns them: input_layer 1 (generators, then parrots), l1 after it */
    const uint64_t N = (uint64_t)SIDE * SIDE;
    dn_topo_nodes parrots, exc, inh;
    if (make_nodes(&parrots, 2 + N, 1) || make_nodes(&exc, 2 * N + 3, 4) ||
        make_nodes(&inh, 6 * N + 3, 2)) {
        fprintf(stderr, "topology bench: out of memory\n");
        return 1;
    }
    dn_topo_spec ampa, gaba;
    if (parse("{connection_type: divergent, synapse_model: my_AMPA_synapse, "
              "mask: {circular: {radius: 2.0}}, kernel: 1.0, weights: 1.0}",
              &ampa) ||
        parse("{connection_type: divergent, synapse_model: my_GABAA_synapse, "
              "mask: {circular: {radius: 2.0}}, kernel: 1.0, weights: 2.0}",
              &gaba)) {
        return 1;
    }
    struct {
        const dn_topo_spec *spec;
        const dn_topo_nodes *src, *tgt;
    } proj[3] = {{&ampa, &parrots, &exc}, {&ampa, &exc, &inh}, {&gaba, &inh, &exc}};
    /* twice: rows streamed to a counting sink (what the network layer does: each batch goes
     * to the engine), and rows collected in one array */
    size_t total[2] = {0, 0};
    double secs[2];
    for (int mode = 0; mode < 2; mode++) {
        double t0 = now();
        for (int p = 0; p < 3; p++) {
            dn_topo_rows rows = {0};
            dn_topo_call call = {.spec = proj[p].spec,
                                 .source_layer = &layer,
                                 .target_layer = &layer,
                                 .sources = *proj[p].src,
                                 .targets = *proj[p].tgt,
                                 .seed = 10,
                                 .projection = (uint64_t)p,
                                 .default_weight = 1.0,
                                 .default_delay = 1.0,
                                 .threads = threads};
            dn_status st = mode == 0 ? dn_topo_connect_cb(&call, count_rows, &total[0], &err)
                                     : dn_topo_connect(&call, &rows, &err);
            if (st != DN_OK) {
                char buf[1200];
                dn_error_format(&err, buf, sizeof buf);
                fprintf(stderr, "topology bench: %s\n", buf);
                return 1;
            }
            total[1] += rows.len;
            dn_topo_rows_free(&rows);
        }
        secs[mode] = now() - t0;
    }
    printf("{\"benchmark\": \"topology\", \"nodes\": %llu, \"connections\": %zu, \"threads\": %d, "
           "\"seconds\": %.4f, \"seconds_into_one_array\": %.4f}\n",
           (unsigned long long)(8 * N), total[0], threads, secs[0], secs[1]);
    const dn_topo_nodes *all[3] = {&parrots, &exc, &inh};
    for (int i = 0; i < 3; i++) {
        free((void *)all[i]->gids);
        free((void *)all[i]->locs);
    }
    dn_topo_layer_clear(&layer);
    return total[0] == 2600000 && total[1] == 2600000 ? 0 : 1;
}

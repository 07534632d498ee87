/* Benchmark of the network build: the deNEST tutorial network scaled to 100 x 100 grids (rows =
 * columns = 100, extent [100.0, 100.0], everything else as the tutorial, spike detectors on the
 * parrots and on l1 only): 80 000 nodes, ~2.6 M topological connections. Times dn_net_build
 * (models, layers, recorders, topology, engine connection storage) at h = 0.5 ms.
 * NEST 2.20.2 on this machine class: 13.9 s and 3.4 GB peak RSS (1 thread).
 * Prints ONE JSON line: build_s, nodes, connections, peak_rss_mb (plus settings).
 * Usage: tutorial_scaled [--size N] [--threads T] [--tree tree_paths.yml] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "denest/engine.h"
#include "denest/net.h"
#include "denest/tree.h"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const dn_error *err)
{
    char buf[1600];
    dn_error_format(err, buf, sizeof buf);
    fprintf(stderr, "tutorial_scaled: %s\n", buf);
    return 1;
}

int main(int argc, char **argv)
{
    int size = 100, threads = 1;
    char tree_path[2048];
    /* default: the tutorial of examples/ next to this source file */
    snprintf(tree_path, sizeof tree_path, "%s", __FILE__);
    char *slash = strrchr(tree_path, '/');
    if (slash)
        snprintf(slash, sizeof tree_path - (size_t)(slash - tree_path),
                 "/../examples/tutorial/tree_paths.yml");
    else
        snprintf(tree_path, sizeof tree_path, "examples/tutorial/tree_paths.yml");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
            size = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--tree") == 0 && i + 1 < argc)
            snprintf(tree_path, sizeof tree_path, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: tutorial_scaled [--size N] [--threads T] [--tree FILE]\n");
            return 2;
        }
    }

    char a_rows[64], a_cols[64], a_ext[96];
    snprintf(a_rows, sizeof a_rows, "network.layers.layers.nest_params.rows=%d", size);
    snprintf(a_cols, sizeof a_cols, "network.layers.layers.nest_params.columns=%d", size);
    snprintf(a_ext, sizeof a_ext, "network.layers.layers.nest_params.extent=[%d.0, %d.0]", size,
             size);
    const char *assignments[] = {
        a_rows,
        a_cols,
        a_ext,
        "network.recorders.params.population_recorders=[{model: my_spike_detector, layers: "
        "[input_layer, l1], populations: null}]",
        "network.recorders.params.projection_recorders=[]",
    };
    enum { NA = sizeof assignments / sizeof assignments[0] };
    dn_tree *over[NA] = {0};
    dn_error err;
    dn_error_clear(&err);
    for (int i = 0; i < NA; i++)
        if (dn_tree_from_assignment(assignments[i], &over[i], &err) != DN_OK)
            return fail(&err);
    dn_tree *tree = NULL;
    if (dn_tree_load(tree_path, (const dn_tree *const *)over, NA, &tree, &err) != DN_OK)
        return fail(&err);

    dn_engine *e = NULL;
    if (dn_engine_new(&e, &err) != DN_OK)
        return fail(&err);
    dn_value *ks = dn_value_map();
    dn_value_map_set(ks, "resolution", dn_value_double(0.5));
    if (dn_engine_set_kernel_status(e, ks, &err) != DN_OK)
        return fail(&err);
    dn_value_free(ks);

    dn_net_options opt = {.seed = 10, .threads = threads};
    dn_net *net = NULL;
    double t0 = wall_s();
    if (dn_net_build(dn_tree_child(tree, "network"), e, &opt, &net, &err) != DN_OK)
        return fail(&err);
    double build_s = wall_s() - t0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t topo = 0;
    for (size_t i = 0; i < dn_net_n_projections(net); i++)
        topo += dn_net_projection_at(net, i)->n_connections;
    printf("{\"bench\": \"tutorial_scaled\", \"size\": %d, \"threads\": %d, \"build_s\": %.3f, "
           "\"nodes\": %zu, \"connections\": %zu, \"topological_connections\": %zu, "
           "\"peak_rss_mb\": %.1f}\n",
           size, threads, build_s, dn_net_network_size(net), dn_net_num_connections(net), topo,
           (double)ru.ru_maxrss / 1024.0);
    dn_net_free(net);
    dn_engine_free(e);
    dn_tree_free(tree);
    for (int i = 0; i < NA; i++)
        dn_tree_free(over[i]);
    return 0;
}

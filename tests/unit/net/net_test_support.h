/* Helpers shared by the network tests: a small network in YAML (the 2 x 3 network of deNEST spec
 * §4.2.3 whose GIDs were checked against NEST 2.20.2), line-wise variants of it, and loading
 * trees. Header-only: each test is its own executable. */
#ifndef DENEST_NET_TEST_SUPPORT_H
#define DENEST_NET_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/tree.h"

#ifndef DN_TEST_DATA
#error "DN_TEST_DATA must be defined by the build"
#endif

/* Line numbers matter: tests check error marks. Each line with a "# TAG" comment can be
 * replaced by net_variant(). */
static const char kNetBase[] =
    "network:\n"                                       /* 1 */
    "  neuron_models:\n"                               /* 2 */
    "    cells:\n"                                     /* 3 */
    "      params: {nest_model: ht_neuron}  # CELLS\n" /* 4 */
    "      exc: {nest_params: {V_m: -70.0}}  # EXC\n"  /* 5 */
    "      inh: {nest_params: {g_KL: 1.0}}\n"          /* 6 */
    "  synapse_models:\n"                              /* 7 */
    "    AMPA_syn:\n"                                  /* 8 */
    "      params: {nest_model: ht_synapse, target_neuron: exc, receptor_type: AMPA}  # SYN\n"
    "  recorder_models:\n"                                      /* 10 */
    "    params: {}\n"                                          /* 11 */
    "    nest_params: {record_to: [file, memory]}\n"            /* 12 */
    "    my_sd: {params: {nest_model: spike_detector}}  # SD\n" /* 13 */
    "    my_mm: {params: {nest_model: multimeter}, nest_params: {record_from: [V_m]}}  # MM\n"
    "    my_wr: {params: {nest_model: weight_recorder}}  # WR\n" /* 15 */
    "  layers:\n"                                                /* 16 */
    "    nest_params: {rows: 2, columns: 3, extent: [3.0, 2.0], edge_wrap: true}  # LAYERS\n"
    "    inp:\n"                                                                   /* 18 */
    "      params: {type: InputLayer, populations: {spike_generator: 2}}  # INP\n" /* 19 */
    "    lx:\n"                                                                    /* 20 */
    "      params: {populations: {exc: 3, inh: 2}}  # LX\n"                        /* 21 */
    "    lz:\n"                                                                    /* 22 */
    "      params: {populations: {exc: 2}}\n"                                      /* 23 */
    "      nest_params: {rows: 5, columns: 4, extent: [4.0, 5.0]}  # LZ\n"         /* 24 */
    "  projection_models:\n"                                                       /* 25 */
    "    pm:\n"                                                                    /* 26 */
    "      nest_params: {synapse_model: AMPA_syn, connection_type: divergent, mask: {circular: "
    "{radius: 1.0}}, kernel: 1.0}  # PM\n" /* 27 */
    "  topology:\n"                        /* 28 */
    "    params:\n"                        /* 29 */
    "      projections:\n"                 /* 30 */
    "      - {projection_model: pm, source_layers: [inp], source_population: parrot_neuron, "
    "target_layers: [lx], target_population: exc}  # P0\n" /* 31 */
    "      - {projection_model: pm, source_layers: [lx], source_population: exc, "
    "target_layers: [lx, lz], target_population: exc}  # P1\n"         /* 32 */
    "  recorders:\n"                                                   /* 33 */
    "    params:\n"                                                    /* 34 */
    "      population_recorders:\n"                                    /* 35 */
    "      - {model: my_sd, layers: null, populations: null}  # R0\n"  /* 36 */
    "      - {model: my_mm, layers: [lx], populations: [exc]}  # R1\n" /* 37 */
    "      projection_recorders:\n"                                    /* 38 */
    "      - {model: my_wr, projection_model: pm, source_layers: [lx], source_population: exc, "
    "target_layers: [lz], target_population: exc}  # R2\n"; /* 39 */

/* `text` with the line tagged "# <tag>" replaced by `line` (no newline needed; it may hold
 * several lines). Caller frees. */
static inline char *net_variant_of(const char *text, const char *tag, const char *line)
{
    char marker[64];
    snprintf(marker, sizeof marker, "# %s\n", tag);
    const char *hit = strstr(text, marker);
    if (!hit)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = hit + strlen(marker);
    size_t n = (size_t)(start - text) + strlen(line) + 1 + strlen(end) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%.*s%s\n%s", (int)(start - text), text, line, end);
    return s;
}

/* kNetBase with one tagged line replaced. Caller frees. */
static inline char *net_variant(const char *tag, const char *line)
{
    return net_variant_of(kNetBase, tag, line);
}

/* Read a YAML text as a tree (source "net.yml" in marks). NULL on error (printed). */
static inline dn_tree *net_tree_from_text(const char *text)
{
    dn_tree *t = NULL;
    dn_error err;
    dn_error_clear(&err);
    if (dn_tree_read_string(text, strlen(text), "net.yml", &t, &err) != DN_OK) {
        char buf[1200];
        dn_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "tree: %s\n", buf);
        return NULL;
    }
    return t;
}

/* Load tests/data/<rel> (a tree_paths.yml) merged. NULL on error (printed). */
static inline dn_tree *net_tree_load(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DN_TEST_DATA, rel);
    dn_tree *t = NULL;
    dn_error err;
    dn_error_clear(&err);
    if (dn_tree_load(path, NULL, 0, &t, &err) != DN_OK) {
        char buf[1200];
        dn_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "load: %s\n", buf);
        return NULL;
    }
    return t;
}

/* Print an error (for failing tests). */
static inline void net_print_error(const dn_error *err)
{
    char buf[1600];
    dn_error_format(err, buf, sizeof buf);
    fprintf(stderr, "error: %s\n", buf);
}

#endif

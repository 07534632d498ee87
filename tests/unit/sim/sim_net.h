/* A small deterministic network for the session tests, as YAML with three holes: the kernel's
 * extra nest_params, the generator's spike_times, and the session part (session_models +
 * simulation.params.sessions). 2 x 2 grids: an InputLayer of spike generators `gen` with parrots,
 * layer l1 with 2 iaf_psc_alpha copies `cell` (V_m -65) and 1 parrot per location; every parrot
 * drives the two cells at its own location (weight 50, delay 1). Recorders write files: a
 * multimeter on l1/cell (V_m, 1 ms), a spike detector on the input parrots, a weight recorder on
 * the projection. */
#ifndef DN_SIM_NET_H
#define DN_SIM_NET_H

#include "sim_test.h"

static const char kSimNet[] =
    "kernel:\n"
    "  params: {nest_seed: 3}\n"
    "  nest_params: {resolution: 0.1%s}\n"
    "simulation:\n"
    "  params: {sessions: %s}\n"
    "session_models:\n"
    "%s"
    "network:\n"
    "  neuron_models:\n"
    "    cell:\n"
    "      params: {nest_model: iaf_psc_alpha}\n"
    "      nest_params: {V_m: -65.0}\n"
    "    gen:\n"
    "      params: {nest_model: spike_generator}\n"
    "      nest_params: {spike_times: %s}\n"
    "  recorder_models:\n"
    "    params: {}\n"
    "    nest_params: {record_to: [memory, file]}\n"
    "    mm: {params: {nest_model: multimeter}, nest_params: {record_from: [V_m], interval: 1.0}}\n"
    "    sd: {params: {nest_model: spike_detector}}\n"
    "    wr: {params: {nest_model: weight_recorder}}\n"
    "  layers:\n"
    "    nest_params: {rows: 2, columns: 2, extent: [2.0, 2.0]}\n"
    "    input:\n"
    "      params: {type: InputLayer, populations: {gen: 1}}\n"
    "    l1:\n"
    "      params: {populations: {cell: 2, parrot_neuron: 1}}\n"
    "  projection_models:\n"
    "    pm:\n"
    "      nest_params: {connection_type: divergent, synapse_model: static_synapse, weights: "
    "50.0, kernel: 1.0, mask: {circular: {radius: 0.1}}}\n"
    "  topology:\n"
    "    params:\n"
    "      projections:\n"
    "      - {projection_model: pm, source_layers: [input], source_population: parrot_neuron, "
    "target_layers: [l1], target_population: cell}\n"
    "  recorders:\n"
    "    params:\n"
    "      population_recorders:\n"
    "      - {model: mm, layers: [l1], populations: [cell]}\n"
    "      - {model: sd, layers: [input], populations: [parrot_neuron]}\n"
    "      projection_recorders:\n"
    "      - {model: wr, projection_model: pm, source_layers: [input], source_population: "
    "parrot_neuron, target_layers: [l1], target_population: cell}\n";

/* The YAML of the network with `kernel_extra` (", overwrite_files: true" or ""), the generator's
 * spike times ("[5.0, 15.0]"), the session list ("[a, b]") and the session models (YAML lines
 * indented by two spaces: "  a: {params: {simulation_time: 10.0}}\n"). */
static inline char *sim_net(const char *kernel_extra, const char *spike_times, const char *sessions,
                            const char *models)
{
    return st_fmt(kSimNet, kernel_extra, sessions, models, spike_times);
}

/* File names the network's recorders write (1 thread; network size 26 -> 2-digit GIDs). */
#define SN_MM "data/mm_l1_cell-23-0.dat"
#define SN_SD "data/sd_input_parrot_neuron-24-0.gdf"
#define SN_WR "data/wr_pm-input-parrot_neuron-l1-cell-25-0.csv"

#endif

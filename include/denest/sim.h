/* Running simulations (deNEST spec §5, §6, §8): from a merged parameter tree to a finished output
 * directory. Validates the tree, sets up the kernel and extension modules, builds the sessions and
 * the network, checks every session's changes against the built network, writes the metadata
 * files, then runs the sessions in order (reset, record, shift_origin, unit and synapse changes,
 * simulate), logging like deNEST. */
#ifndef DENEST_SIM_H
#define DENEST_SIM_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/engine.h"
#include "denest/error.h"
#include "denest/net.h"
#include "denest/tree.h"

/* The version written to versions.txt and printed by the CLI. */
#define DN_SIM_VERSION "0.1.0"
/* The deNEST release whose parameter files and output directory we follow. */
#define DN_SIM_DENEST_VERSION "1.0.1"

/* Options of a run. Zero-initialise, then set what you need. */
typedef struct dn_sim_options {
    /* Override simulation.params.output_dir / input_dir (deNEST's keyword arguments, §6.2);
     * NULL = take them from the tree. Written back into parameter_tree.yml. */
    const char *output_dir;
    const char *input_dir;
    /* Show the kernel's print_time progress on stderr (a line rewritten in place on a terminal,
     * one line per session otherwise). Only when the kernel's print_time is true as well. */
    bool progress;
    /* Build the kernel, the network and check every session's changes, but touch no output
     * directory (not checked, created or written) and run nothing: `denest show --network`. */
    bool build_only;
} dn_sim_options;

typedef struct dn_sim dn_sim;

/* One session (§6.4): `name` is "<index zero-padded to 2>_<model>", times in ms. */
typedef struct dn_sim_session_info {
    const char *name;  /* "00_warmup" */
    const char *model; /* the session model (leaf of session_models) */
    double start, end; /* kernel time at its start and end, ms */
    bool reset_network, record, shift_origin;
    size_t n_unit_changes, n_synapse_changes;
} dn_sim_session_info;

/* ---- the whole run ------------------------------------------------------------------------- */

/* denest.run (§6.7): dn_sim_create, every session in order, the closing log lines, dn_sim_free.
 * `tree` is the merged tree (dn_tree_load); it is not changed. Errors: DN_EINPUT for anything
 * wrong in the parameters or the output directory found before the first session (nothing is
 * simulated then), DN_ERUNTIME for I/O failures (a full disk) and numerical failures while
 * running (the files of finished sessions are complete), DN_ENOMEM. */
dn_status dn_sim_run(const dn_tree *tree, const dn_sim_options *opt, dn_error *err);

/* ---- step by step (tests, bindings) -------------------------------------------------------- */

/* Everything before the first session (§6.6, decisions.md "checked before the first session"):
 *   1. schema validation of the whole tree (first error reported, with the count of others);
 *   2. simulation params + overrides; the output directory checked (not created yet): it must
 *      be a directory we can write, and if it holds another run (parameter_tree.yml,
 *      versions.txt, session_times.yml or files in data/), the kernel's overwrite_files must be
 *      true;
 *   3. kernel (§6.1): a fresh engine, kernel nest_params, master seed nest_seed, deNEST's
 *      derived rng_seeds (logged), extension modules (include/denest/module.h);
 *   4. sessions (§6.4): names, times on the resolution grid;
 *   5. the network (dn_net_build);
 *   6. every session's unit and synapse changes checked against the network and the models
 *      (layers, populations, parameters, value types, .npy files and their shapes);
 *   7. the output directory: the previous run's own outputs removed (overwrite_files only),
 *      data/ created and made the kernel's data_path, parameter_tree.yml, versions.txt,
 *      session_times.yml and data/<label>.yml written.
 * On failure *out is NULL and nothing was simulated. */
dn_status dn_sim_create(const dn_tree *tree, const dn_sim_options *opt, dn_sim **out,
                        dn_error *err);

/* Run session i (0-based; sessions must run in order, each once): §6.5. */
dn_status dn_sim_run_session(dn_sim *sim, size_t i, dn_error *err);

/* Run every remaining session in order (logs "Running <n> sessions..." etc.). */
dn_status dn_sim_run_all(dn_sim *sim, dn_error *err);

/* Free the run: the engine (closing and flushing recorder files), the network, the extension
 * modules. NULL is fine. */
void dn_sim_free(dn_sim *sim);

/* ---- queries ------------------------------------------------------------------------------- */

size_t dn_sim_n_sessions(const dn_sim *sim);
/* Session i (NULL-safe out; false if i is out of range). Strings live as long as the sim. */
bool dn_sim_session(const dn_sim *sim, size_t i, dn_sim_session_info *out);
/* Number of sessions already run. */
size_t dn_sim_n_done(const dn_sim *sim);

/* The engine and the network of the run (for inspection: GetStatus, recorded events). */
dn_engine *dn_sim_engine(dn_sim *sim);
const dn_net *dn_sim_net(const dn_sim *sim);

/* Output and input directories as used (after overrides; as written in the tree, not made
 * absolute). */
const char *dn_sim_output_dir(const dn_sim *sim);
const char *dn_sim_input_dir(const dn_sim *sim);

/* The tree written to parameter_tree.yml (own data; overrides and sessions written back). */
const dn_tree *dn_sim_tree(const dn_sim *sim);

#endif

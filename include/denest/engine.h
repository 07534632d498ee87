/* The simulation engine's public C API: a small NEST-2.20-like kernel. Create nodes, connect
 * them, read and change their status by NEST names, simulate, reset. Knows nothing of parameter
 * trees or YAML; parameter dictionaries are dn_value maps (value.h) whose marks are carried into
 * errors, so a bad value read from a YAML file points at its file:line:column.
 *
 * Conventions: every function that can fail returns a dn_status and fills `err` (which may be
 * NULL); on failure nothing observable has changed unless said otherwise. Times are in ms,
 * GIDs are NEST 2.20's (root 0, consecutive from 1). Semantics follow the kernel specification
 * (/work/shared/spec/nest-kernel.md, "spec §x" below) with the decisions of decisions.md:
 * integers are accepted where decimals are expected, and results do not depend on the number of
 * threads. The engine is not thread-safe: call it from one thread at a time (it runs its own
 * OpenMP threads inside dn_engine_simulate). */
#ifndef DENEST_ENGINE_H
#define DENEST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "denest/error.h"
#include "denest/model.h"
#include "denest/value.h"

typedef struct dn_engine dn_engine;

/* ---- lifetime ------------------------------------------------------------------------------ */

/* A new engine with NEST's defaults (resolution 0.1 ms, 1 thread, only the root node, the
 * built-in models). DN_ENOMEM when out of memory. */
dn_status dn_engine_new(dn_engine **out, dn_error *err);
/* Free the engine, closing recorder files (flushed). NULL is fine. */
void dn_engine_free(dn_engine *e);
/* ResetKernel (spec §1.9): remove all nodes, connections, model copies and changed defaults;
 * time 0; kernel status back to defaults (threads 1, data_path/prefix "", overwrite false). */
dn_status dn_engine_reset_kernel(dn_engine *e, dn_error *err);

/* ---- kernel status (spec §1.2) ---------------------------------------------------------------
 * Settable keys: resolution, tics_per_ms (only with resolution), local_num_threads, data_path,
 * data_prefix, overwrite_files, print_time, min_delay + max_delay (together, before any
 * connection), rng_seed (master seed of all random streams, default 143202461), grng_seed and
 * rng_seeds (NEST 2.20's per-VP seeds: accepted and reported, but they do not change the streams,
 * which must not depend on the thread count -- pass deNEST's nest_seed as rng_seed), time /
 * biological_time (only 0.0), dict_miss_is_error (ignored). Processed in NEST's order (io, threads,
 * rng, resolution, time, delays) and validated as a whole first: on any error nothing is changed.
 * Unknown keys are errors with a suggestion. Changing resolution or local_num_threads after nodes
 * exist (or after simulating) is an error
 * ("call ResetKernel first"). data_path must name an existing directory; data_prefix must not
 * contain '/' (errors, unlike NEST which only logs them). */
dn_status dn_engine_set_kernel_status(dn_engine *e, const dn_value *dict, dn_error *err);
/* All kernel status keys as a new map (both `time` and `biological_time`; min_delay, max_delay,
 * network_size, num_connections, total_num_virtual_procs, ...). Caller frees *out. */
dn_status dn_engine_get_kernel_status(dn_engine *e, dn_value **out, dn_error *err);

double dn_engine_resolution(const dn_engine *e);   /* ms */
double dn_engine_time(const dn_engine *e);         /* current time, ms (slice origin + from) */
int64_t dn_engine_steps(const dn_engine *e);       /* current time in steps */
int dn_engine_num_threads(const dn_engine *e);     /* = number of VPs */
size_t dn_engine_network_size(const dn_engine *e); /* max GID + 1 (root included) */
size_t dn_engine_num_connections(const dn_engine *e);
double dn_engine_min_delay(const dn_engine *e); /* ms, as GetKernelStatus reports it */
double dn_engine_max_delay(const dn_engine *e);

/* print_time (spec §1.8) is reported through a callback, so the library never prints unasked.
 * phase 0: before the first slice; 1: after each completed slice; 2: at the end of Simulate.
 * percent = 100 - int(to_do / to_do_total * 100); t_ms = slice clock; rtf = simulated time /
 * wall time (0 on the first call). The callback runs only when print_time is true. */
typedef void (*dn_progress_fn)(void *user, int phase, int percent, double t_ms, double rtf);
void dn_engine_set_progress(dn_engine *e, dn_progress_fn fn, void *user);
/* A ready-made callback printing NEST 2.20's line format to the FILE* `user` (e.g. stderr). */
void dn_engine_progress_print(void *user, int phase, int percent, double t_ms, double rtf);

/* ---- models (spec §6.5) -------------------------------------------------------------------- */

typedef enum dn_model_kind {
    DN_KIND_NONE = 0, /* no such model */
    DN_KIND_NODE,     /* neuron or device */
    DN_KIND_SYNAPSE,
} dn_model_kind;

/* Register an extension model (descriptor must outlive the engine). Name clash -> DN_EINPUT. */
dn_status dn_engine_register_model(dn_engine *e, const dn_model *m, dn_error *err);
dn_status dn_engine_register_synmodel(dn_engine *e, const dn_synmodel *m, dn_error *err);

/* Is `name` a node model, a synapse model, or unknown? Aliases (spike_recorder) resolve. */
dn_model_kind dn_engine_model_kind(const dn_engine *e, const char *name);
/* Base (built-in) model name of a model: CopyModel copies report their original's type_id.
 * NULL if unknown. */
const char *dn_engine_model_type_id(const dn_engine *e, const char *name);
/* Element type of a node model (neuron/stimulator/recorder); DN_EINPUT if not a node model. */
dn_status dn_engine_model_element_type(const dn_engine *e, const char *name, dn_element_type *out,
                                       dn_error *err);

/* CopyModel(old, new, params): a new node or synapse model whose defaults are a copy of old's
 * current defaults with `params` (a map, may be NULL) applied. Unknown old (with suggestion),
 * existing new, bad params -> DN_EINPUT. Synapse params may set weight, delay, receptor_type,
 * weight_recorder (a GID) and the model's own fields. */
dn_status dn_engine_copy_model(dn_engine *e, const char *old_name, const char *new_name,
                               const dn_value *params, dn_error *err);
/* SetDefaults(model, params). For node models it affects nodes created later and the state that
 * ResetNetwork restores; for synapse models future connections, and weight_recorder at once. */
dn_status dn_engine_set_defaults(dn_engine *e, const char *model, const dn_value *params,
                                 dn_error *err);
/* GetDefaults(model): parameters, state, recordables, receptor_types, element_type, type_id,
 * model, ... as a new map (caller frees). */
dn_status dn_engine_get_defaults(dn_engine *e, const char *model, dn_value **out, dn_error *err);
/* Names of all models (node and synapse), for messages. Valid until the next model change. */
size_t dn_engine_model_names(const dn_engine *e, const char *const **names);

/* ---- nodes ---------------------------------------------------------------------------------- */

/* Create n nodes of `model` (n >= 1) with consecutive GIDs starting at *first, then apply
 * `params` (map or NULL) to each. */
dn_status dn_engine_create(dn_engine *e, const char *model, size_t n, const dn_value *params,
                           dn_gid *first, dn_error *err);
/* Reserve one GID that belongs to no node (a topology layer or subnet node, never updated). */
dn_status dn_engine_reserve_gid(dn_engine *e, dn_gid *gid, dn_error *err);
/* True if gid is a node created with dn_engine_create. */
bool dn_engine_is_node(const dn_engine *e, dn_gid gid);
/* Model name of a node as created (a copy's own name); NULL if gid is not a node. */
const char *dn_engine_node_model(const dn_engine *e, dn_gid gid);

/* SetStatus(gid, dict): parameters and state by NEST name. Devices: all thread replicas. */
dn_status dn_engine_set_status(dn_engine *e, dn_gid gid, const dn_value *dict, dn_error *err);
/* GetStatus(gid): a new map with parameters, state, recordables, receptor_types, model,
 * type_id, element_type, global_id, vp, local, thread, and for recorders n_events and events
 * (merged over replicas in VP order). Caller frees *out. */
dn_status dn_engine_get_status(dn_engine *e, dn_gid gid, dn_value **out, dn_error *err);
/* One key of GetStatus as a new value (caller frees); unknown key -> DN_EINPUT + suggestion. */
dn_status dn_engine_get_key(dn_engine *e, dn_gid gid, const char *key, dn_value **out,
                            dn_error *err);
/* Fast typed access to a numeric field (double, int or bool field) of a node. */
dn_status dn_engine_get_double(dn_engine *e, dn_gid gid, const char *key, double *out,
                               dn_error *err);
dn_status dn_engine_set_double(dn_engine *e, dn_gid gid, const char *key, double value,
                               dn_error *err);

/* ---- connections (spec §6) ------------------------------------------------------------------ */

/* What a connect call uses; unset members take the synapse model's defaults. */
typedef struct dn_syn_spec {
    const char *model; /* synapse model; NULL = "static_synapse" */
    double weight;
    double delay; /* ms; rounded to the nearest step (spec §1.1), must round to >= 1 step */
    long receptor;
    bool has_weight, has_delay, has_receptor;
} dn_syn_spec;

typedef enum dn_rule {
    DN_RULE_ALL_TO_ALL = 0,
    DN_RULE_ONE_TO_ONE,
} dn_rule;

/* Connect(pre, post, rule, syn_spec). Sources and targets must be nodes; one_to_one needs equal
 * lengths. Multimeters are sources (multimeter -> neuron), spike detectors targets.
 * Errors: unknown synapse model, bad receptor for the target model, delay < resolution or
 * outside a fixed [min_delay, max_delay] (spec §1.3), ... -> DN_EINPUT, nothing connected. */
dn_status dn_engine_connect(dn_engine *e, const dn_gid *sources, size_t n_sources,
                            const dn_gid *targets, size_t n_targets, dn_rule rule,
                            const dn_syn_spec *spec, dn_error *err);
/* Bulk path (topology, fixed in-degree): n rows (sources[k] -> targets[k]). weights / delays
 * (ms) may be NULL (spec's value or the model default); spec->receptor applies to all rows.
 * Neuron -> neuron / device -> neuron rows only (no recorders). All rows are validated before
 * any is added. */
dn_status dn_engine_connect_rows(dn_engine *e, size_t n, const dn_gid *sources,
                                 const dn_gid *targets, const double *weights, const double *delays,
                                 const dn_syn_spec *spec, dn_error *err);

/* Number of connections of one synapse model (NULL = all models, recorders included). */
dn_status dn_engine_count_connections(dn_engine *e, const char *synmodel, size_t *out,
                                      dn_error *err);

/* A selection of connections (GetConnections). Invalidated by any later connect call. */
typedef struct dn_connsel dn_connsel;

/* GetConnections(source, target, synapse_model): each filter may be NULL/0 = any. Order:
 * synapse model, then target VP, then source GID (spec §6.7). Caller frees with
 * dn_connsel_free. */
dn_status dn_engine_get_connections(dn_engine *e, const dn_gid *sources, size_t n_sources,
                                    const dn_gid *targets, size_t n_targets, const char *synmodel,
                                    dn_connsel **out, dn_error *err);
size_t dn_connsel_size(const dn_connsel *sel);
void dn_connsel_free(dn_connsel *sel);

typedef struct dn_conn_info {
    dn_gid source, target;
    const char *synapse_model;
    double weight;
    double delay; /* ms */
    int receptor; /* the target's internal port (rport) */
} dn_conn_info;
/* The basic properties of connection k of a selection. */
dn_status dn_connsel_info(const dn_engine *e, const dn_connsel *sel, size_t k, dn_conn_info *out,
                          dn_error *err);
/* GetStatus of connection k: source, target, synapse_model, weight, delay, receptor, sizeof and
 * the synapse model's fields. Caller frees *out. */
dn_status dn_engine_conn_get_status(dn_engine *e, const dn_connsel *sel, size_t k, dn_value **out,
                                    dn_error *err);
/* SetStatus on every connection of the selection (weight, delay, the model's fields; receptor,
 * source and target cannot change). Validated for all before any changes. */
dn_status dn_engine_conn_set_status(dn_engine *e, const dn_connsel *sel, const dn_value *dict,
                                    dn_error *err);
/* Read / write one numeric key (weight, delay, or a model field such as P) of every connection
 * of the selection: values[k] belongs to connection k (sessions' synapse_changes). */
dn_status dn_engine_conn_get_double(dn_engine *e, const dn_connsel *sel, const char *key,
                                    double *values, dn_error *err);
dn_status dn_engine_conn_set_double(dn_engine *e, const dn_connsel *sel, const char *key,
                                    const double *values, dn_error *err);

/* ---- simulation ----------------------------------------------------------------------------- */

/* Simulate(t) (spec §1.7): t must be a whole number of steps (within half a tic), else
 * DN_EINPUT and nothing happens; t = 0 is a no-op. Opens recorder files (DN_ERUNTIME if a file
 * exists and overwrite_files is false, or cannot be created), runs, flushes files. */
dn_status dn_engine_simulate(dn_engine *e, double t_ms, dn_error *err);
/* ResetNetwork (spec §1.9 with NEST 2.20 semantics, decisions.md). */
dn_status dn_engine_reset_network(dn_engine *e, dn_error *err);

/* ---- recorded data, fast access (memory backend) ------------------------------------------- */

/* Number of events a recorder holds in memory (all replicas). */
dn_status dn_engine_recorder_n_events(dn_engine *e, dn_gid recorder, size_t *out, dn_error *err);
/* Files of a recorder as written so far (one per VP, in VP order); NULL-terminated array owned
 * by the engine, valid until the next engine call. Empty before the first Simulate. */
dn_status dn_engine_recorder_filenames(dn_engine *e, dn_gid recorder, const char *const **names,
                                       dn_error *err);

#endif

/* The model interface of the engine: how a neuron, device or synapse model declares its parameters,
 * state, recordables and receptor ports, stores per-node data as structure-of-arrays in a block,
 * and takes part in the slice loop (calibrate, update a range of nodes, read input, emit spikes,
 * serve multimeter samples). One file per model in src/models/ exports one const descriptor.
 *
 * ---------------------------------------------------------------------------------------------
 * Overview (kernel spec §1.4, §1.5, §3; architecture.md §3)
 *
 * Nodes of one model created by one dn_engine_create call form a population. The population is
 * split over virtual processes (VPs, one per thread): a neuron with GID g lives on VP g mod n_vp,
 * a device is replicated on every VP. Each VP holds one dn_block per population with the nodes it
 * owns: node i of a block has GID  gid0 + i * gid_stride.
 *
 * A block stores its nodes' data in COLUMNS (structure of arrays): the model declares a table of
 * columns (dn_column: type F64 or I32, role, default); column c of the block is an array of n
 * values (dn_col_f64(b, c)[i], dn_col_i32(b, c)[i]). Public parameter/state names (dn_field) map
 * onto columns, so the engine's ONE generic SetStatus/GetStatus/SetDefaults/CopyModel handles
 * every model: type checks, ranges, "did you mean" suggestions and error marks come for free.
 * Model-specific rules (cross-field checks like V_reset < V_th, values stored relative to E_L,
 * ht_neuron's `equilibrate`) go in the optional hooks `read`, `apply` and `set_extra`.
 *
 * Each model instance (a built-in model or a CopyModel copy) owns a PROTOTYPE: a block with one
 * node holding the model's defaults. Creating nodes copies the prototype's columns; SetDefaults
 * edits the prototype through the same generic setter; ResetNetwork copies the prototype's
 * DN_ROLE_STATE columns back into every node (kernel spec §1.9).
 *
 * Input arrives through ring buffers owned by the engine. A model declares `n_inputs` input
 * channels per node (e.g. iaf_psc_alpha: 0 = excitatory spikes, 1 = inhibitory spikes,
 * 2 = current). dn_input(b, s, lag, k) returns the array (length b->n) of what arrived for input
 * k at step origin+lag (sum of weight x multiplicity, or of weight x current). The model MUST
 * read every input of every node it updates and set the entries it read to 0 (NEST zeroes a slot
 * when reading it; the engine relies on this to reuse slots).
 *
 * Update: `update(b, first, last, s)` advances nodes [first, last) of block b over the lags
 * [s->from, s->to) of the slice starting at absolute step s->origin. Within a slice, nodes do not
 * interact, so a model may loop node-outer/lag-inner (as NEST does; natural for ODE models) or
 * lag-outer/node-inner (vectorises). For every lag and node, in this order:
 *   1. advance the state from (origin+lag)*h to (origin+lag+1)*h;
 *   2. add the input read with dn_input(b, s, lag, k) (applied at the end of the step);
 *   3. on a threshold crossing call dn_emit(b, s, i, lag, 1) -- the spike's stamp is the RIGHT
 *      end of the step, (origin+lag+1)*h (kernel spec §1.5);
 *   4. call dn_sample(b, s, i, lag) last, so multimeters see the state after reset and input.
 * Current inputs read in step n are the external current of step n+1 (keep them in a column).
 *
 * A GSL-integrated model (e.g. ht_neuron with 16 state variables and a per-neuron step-size hint)
 * fits as follows: the 16 state variables are 16 F64 columns (role STATE), the step-size hint
 * ("IntegrationStep") and the last current input are F64 columns (role BUFFER: set in
 * init_buffers), the refractory counter is an I32 column. Per-block private scratch (b->priv,
 * created by block_init, freed by block_free) holds the gsl_odeiv_step/control/evolve objects and
 * a y[16] work vector; a block is only ever touched by the thread of its VP, so the scratch is
 * thread-private. update() copies node i's columns into y, sets the evolve hint from the hint
 * column, integrates one simulation step, and copies y and the new hint back. (GSL's rkf45
 * stepper, standard control and evolve keep no history across evolve calls besides the hint,
 * so sharing them between the neurons of a block is exact.)
 * ------------------------------------------------------------------------------------------- */
#ifndef DENEST_MODEL_H
#define DENEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "denest/error.h"
#include "denest/value.h"

typedef uint32_t dn_gid; /* global node id as NEST 2.20 assigns them; 0 = root */

typedef struct dn_model dn_model;         /* node model descriptor (neuron or device) */
typedef struct dn_synmodel dn_synmodel;   /* synapse model descriptor */
typedef struct dn_block dn_block;         /* one population's nodes on one VP */
typedef struct dn_slice dn_slice;         /* what an update call covers */
typedef struct dn_calib dn_calib;         /* what calibrate / init_buffers get */
typedef struct dn_conntable dn_conntable; /* connections of one synapse model on one VP */

/* ---- columns -------------------------------------------------------------------------------- */

typedef enum dn_col_type {
    DN_COL_F64 = 0, /* double */
    DN_COL_I32,     /* int32_t (counters, flags, booleans) */
} dn_col_type;

typedef enum dn_col_role {
    DN_ROLE_PARAM = 0, /* parameter: kept by ResetNetwork */
    DN_ROLE_STATE,     /* state: ResetNetwork copies the prototype's value back (spec §1.9) */
    DN_ROLE_BUFFER,    /* buffer-like: the model's init_buffers sets it (first Simulate, reset) */
    DN_ROLE_INTERNAL,  /* derived by calibrate (propagators, step counts); never reset */
} dn_col_role;

typedef struct dn_column {
    const char *name; /* for debugging and docs; need not be a public name */
    dn_col_type type;
    dn_col_role role;
    double def; /* default value of the prototype (converted to int32 for I32 columns) */
} dn_column;

/* ---- public fields (parameters and state by their NEST names) ----------------------------- */

typedef enum dn_field_type {
    DN_FT_DOUBLE = 0, /* accepts decimals and integers (decisions.md) */
    DN_FT_INT,        /* accepts integers and integral decimals */
    DN_FT_BOOL,       /* accepts booleans only */
} dn_field_type;

/* Value constraints checked by the generic setter (messages give the allowed range). */
typedef enum dn_range {
    DN_ANY = 0, /* any finite value */
    DN_POS,     /* > 0 */
    DN_NONNEG,  /* >= 0 */
    DN_UNIT,    /* in [0, 1] */
    DN_BOUNDS,  /* in [lo, hi] (inclusive) */
} dn_range;

enum dn_field_flags {
    DN_F_READONLY = 1u << 0, /* reported by GetStatus, rejected by SetStatus */
    DN_F_STATE = 1u << 1,    /* documented as state rather than parameter */
    DN_F_INF_OK = 1u << 2,   /* +-inf accepted (V_min, stop) */
    DN_F_GRID = 1u << 3,     /* time in ms that must lie on the simulation grid (spec §1.1) */
    DN_F_HIDDEN = 1u << 4,   /* settable but not reported by GetStatus (e.g. write-only keys) */
};

typedef struct dn_field {
    const char *name; /* NEST name: "V_m", "tau_syn_ex" */
    const char *unit; /* "mV", "ms", "pA", "" */
    dn_field_type type;
    int col; /* column holding the value; -1 = virtual (the model's read/apply hooks) */
    dn_range range;
    double lo, hi; /* for DN_BOUNDS */
    unsigned flags;
    const char *doc; /* one line */
} dn_field;

/* Name -> value pairs: receptor_types of a model ({AMPA: 1, ...}). */
typedef struct dn_named_int {
    const char *name;
    long value;
} dn_named_int;

/* A recordable: read from column `col`, or (col = -1) through the model's `recordable` hook. */
typedef struct dn_recordable {
    const char *name;
    int col;
} dn_recordable;

/* ---- connecting: which input a connection feeds --------------------------------------------- */

typedef enum dn_event_kind {
    DN_EV_SPIKE = 0,   /* SpikeEvent: adds weight x multiplicity */
    DN_EV_CURRENT = 1, /* CurrentEvent: adds weight x current */
    DN_EV_LOGGING = 2, /* multimeter request (receptor 0 only, checked by the engine) */
} dn_event_kind;

typedef struct dn_port {
    int input;  /* input channel 0 .. n_inputs-1 of the target */
    int rport;  /* NEST's internal receiver port (GetStatus "receptor", weight_recorder) */
    bool count; /* add the multiplicity only, ignore the weight (parrot_neuron) */
} dn_port;

/* ---- the node model descriptor ------------------------------------------------------------- */

typedef enum dn_element_type {
    DN_ELEM_NEURON = 0, /* distributed over VPs (g mod n_vp) */
    DN_ELEM_STIMULATOR, /* replicated on every VP; drives targets on its VP */
    DN_ELEM_RECORDER,   /* replicated on every VP; records nodes on its VP */
} dn_element_type;

enum dn_model_flags {
    DN_MODEL_EMITS = 1u << 0,   /* sends spike events (neurons, spike/poisson generators) */
    DN_MODEL_CURRENT = 1u << 1, /* sends current events (dc/step_current generators) */
};

struct dn_model {
    const char *name; /* built-in NEST name; also the `type_id` of copies */
    dn_element_type element_type;
    unsigned flags; /* dn_model_flags */
    const char *doc;

    const dn_column *cols;
    int n_cols;
    const dn_field *fields;
    int n_fields;
    const char *const *extra_keys; /* keys handled by set_extra/get_extra (for suggestions) */
    int n_extra_keys;

    const dn_recordable *recordables;
    int n_recordables;
    const dn_named_int *receptors; /* receptor_types map; NULL when the model has none */
    int n_receptors;
    int n_inputs; /* input channels per node in the ring buffers */

    /* Map a connection onto an input channel, or reject it ("receptor 5 is not a receptor of
     * ht_neuron; valid: ..."). Called when a connection is made and again when its weight is
     * changed (models routing by sign, like iaf_psc_alpha, pick a new input). NULL: the model
     * accepts no incoming events (devices). Must return DN_EINPUT with a message naming the
     * receptor and the valid ones for bad receptors. */
    dn_status (*port)(const dn_model *m, dn_event_kind kind, long receptor, double weight,
                      dn_port *out, dn_error *err);

    /* Optional. Per-node objects (devices with lists, recorder state): size of the object and how
     * to copy/free it. If obj_size is 0 the block has no b->obj. obj_init sets up a fresh object
     * of the prototype; obj_copy deep-copies src into the raw memory dst (for create and
     * CopyModel); obj_free releases what an object owns (not the object memory itself). */
    size_t obj_size;
    dn_status (*obj_init)(void *obj);
    dn_status (*obj_copy)(void *dst, const void *src);
    void (*obj_free)(void *obj);

    /* Optional. Derive defaults that depend on other defaults, on the prototype only
     * (ht_neuron: V_m from the leak reversals, gating variables at equilibrium). */
    void (*proto_init)(dn_block *proto);

    /* Optional: per-block private data (b->priv), e.g. GSL workspaces. */
    dn_status (*block_init)(dn_block *b, dn_error *err);
    void (*block_free)(dn_block *b);

    /* Optional. Fill the virtual fields (col = -1) of node i into rec[field index]. */
    void (*read)(const dn_block *b, size_t i, double *rec);
    /* Optional. Validate a staged record (all fields of node i after a SetStatus dict was parsed
     * into it; changed[f] says which fields the dict set) and store the virtual fields. Return
     * DN_EINPUT with a message to refuse; then nothing is changed. The engine writes the column
     * fields after apply returns DN_OK. Use it for cross-field rules (V_reset < V_th) and for
     * values stored in transformed form (iaf_psc_alpha keeps V_m - E_L: when only E_L changes,
     * the absolute V_m is kept, kernel spec §3.2). */
    dn_status (*apply)(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err);
    /* Optional. Keys not in the field table but listed in extra_keys (lists, strings,
     * `equilibrate`). Called twice per SetStatus: first with commit = false to validate every
     * extra key of `dict` (return DN_EINPUT naming the key on a bad value), then, when everything
     * validated, with commit = true to store them (may only fail with DN_ENOMEM). rec is the
     * staged record (already containing the dict's field values). `ctx` gives the resolution
     * etc.; it is the calibration context of the engine at that moment. */
    dn_status (*set_extra)(dn_block *b, size_t i, const dn_value *dict, const double *rec,
                           bool commit, const dn_calib *ctx, dn_error *err);
    /* Optional. Add the extra keys of node i to the status map `out` (a dn_value map). */
    dn_status (*get_extra)(const dn_block *b, size_t i, dn_value *out, const dn_calib *ctx);

    /* Optional. Recompute internal columns at every Simulate (propagators, refractory step
     * counts; kernel spec §1.7 Prepare). Must not change state: calibrate runs at each Simulate
     * and 100 x Simulate(10) must equal Simulate(1000) bit for bit. */
    dn_status (*calibrate)(dn_block *b, const dn_calib *c, dn_error *err);
    /* Optional. (Re)initialise BUFFER columns and private buffers: at the first Simulate after
     * the block was created and at the first Simulate after ResetNetwork (spec §1.7, §1.9). The
     * engine zeroes the block's ring-buffer inputs itself. */
    void (*init_buffers)(dn_block *b, const dn_calib *c);

    /* Advance nodes [first, last) over the lags [s->from, s->to) (see the overview). Returns
     * DN_OK, or DN_ERUNTIME with a message (numerical failure), which stops the simulation. */
    dn_status (*update)(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err);

    /* Optional: value of recordable r (index into recordables) of node i, for col = -1 entries. */
    double (*recordable)(const dn_block *b, size_t i, int r);

    /* Devices only (optional): called once per Simulate after all nodes were updated for the
     * last time (kernel spec §1.7 Cleanup). */
    dn_status (*finalize)(dn_block *b, const dn_calib *c, dn_error *err);
    /* Devices only (optional): ResetNetwork hook (spike_generator read position, recorders). */
    void (*reset)(dn_block *b);

    /* Optional: the input an existing spike connection on `input` must use after its weight
     * was changed to `weight` (models routing by sign: iaf_psc_alpha's excitatory/inhibitory
     * inputs). NULL: the input never depends on the weight. */
    int (*reroute)(const dn_model *m, int input, double weight);
};

/* ---- blocks --------------------------------------------------------------------------------- */

struct dn_block {
    const dn_model *model;
    void *inst;                /* engine private: the model instance (built-in or copy) */
    size_t n;                  /* number of nodes in this block */
    dn_gid gid0;               /* GID of node 0 */
    uint32_t gid_stride;       /* GID of node i = gid0 + i * gid_stride */
    int vp;                    /* virtual process owning this block; -1 for a prototype */
    void **col;                /* n_cols column arrays (double* or int32_t*) */
    void *obj;                 /* n objects of model->obj_size bytes, or NULL */
    void *priv;                /* model private (block_init/block_free) */
    uint32_t chan0;            /* engine: first ring channel of this block on its VP */
    const uint32_t *log_first; /* engine: multimeter loggers of node i are log_first[i] ..
                                  log_first[i+1]-1; NULL when no node of the block is logged */
    uint32_t inputs_used;      /* engine: bit k set once any connection feeds input k (k < 32);
                                  a model may skip inputs whose bit is clear: they stay 0 */
};

static inline double *dn_col_f64(const dn_block *b, int c)
{
    return (double *)b->col[c];
}

static inline int32_t *dn_col_i32(const dn_block *b, int c)
{
    return (int32_t *)b->col[c];
}

static inline void *dn_block_obj(const dn_block *b, size_t i)
{
    return (char *)b->obj + i * b->model->obj_size;
}

static inline dn_gid dn_block_gid(const dn_block *b, size_t i)
{
    return (dn_gid)(b->gid0 + i * b->gid_stride);
}

/* True when every node of b holds node 0's values in the F64 columns first..last (inclusive;
 * NaN equals NaN). Models use it in calibrate to compute their per-node constants (propagators)
 * once for a block whose nodes share their parameters, the common case. */
bool dn_block_uniform_f64(const dn_block *b, int first, int last);

/* ---- calibration context --------------------------------------------------------------------- */

struct dn_calib {
    double h;              /* resolution in ms */
    int64_t tics_per_ms;   /* 1000 by default */
    int64_t tics_per_step; /* 100 by default */
    int64_t now;           /* current time in steps (slice origin + from, kernel spec §1.7) */
    int min_delay;         /* steps */
    int max_delay;         /* steps */
    int n_vp;
    uint64_t seed; /* master seed of the random streams (rng.h) */
    void *engine;  /* engine private */
};

/* Refractory-style conversion of kernel spec §1.1: ms -> tics rounded to nearest, then the
 * CEILING of tics / tics_per_step (t_ref = 2.05 ms -> 21 steps at h = 0.1). */
int64_t dn_calib_steps_ceil(const dn_calib *c, double ms);
/* ms -> steps rounded to the nearest step, halves up (delays, spec §1.1). */
int64_t dn_calib_steps_round(const dn_calib *c, double ms);
/* True if ms lies on the grid (within half a tic), storing the step count (spec §1.1). */
bool dn_calib_on_grid(const dn_calib *c, double ms, int64_t *steps);

/* ---- the slice context handed to update() ------------------------------------------------ */

struct dn_slice {
    int64_t origin; /* absolute step of lag 0 */
    int from, to;   /* lags to update: [from, to) with 0 <= from < to <= min_delay */
    int min_delay;  /* steps per slice */
    double h;       /* resolution in ms */
    int vp;
    uint64_t seed; /* master seed (rng.h streams) */
    /* ring buffers of this VP: slot-major, nchan doubles per slot */
    double *ring;
    uint32_t nchan;
    uint32_t nslots;
    uint32_t slot0;              /* slot of absolute step `origin` */
    const unsigned char *sample; /* sample[lag] != 0: some multimeter on this VP samples then */
    void *vpc;                   /* engine private: the VP context */
};

/* The input array k (length b->n, index = node) of block b for step origin+lag. Read it and set
 * what you read to 0. */
static inline double *dn_input(const dn_block *b, const dn_slice *s, int lag, int k)
{
    uint32_t slot = s->slot0 + (uint32_t)lag;
    if (slot >= s->nslots)
        slot -= s->nslots;
    return s->ring + (size_t)slot * s->nchan + b->chan0 + (size_t)k * b->n;
}

/* Node i of b emits a spike of multiplicity `mult` in step origin+lag (stamp (origin+lag+1)*h,
 * spec §1.5). Delivery happens at the end of the slice. */
void dn_emit(dn_block *b, const dn_slice *s, size_t i, int lag, uint32_t mult);

/* Engine part of dn_sample (do not call directly). */
void dn_sample_node(const dn_block *b, const dn_slice *s, size_t i, int lag);

/* Give multimeters attached to node i the chance to sample it at the end of step origin+lag
 * (label (origin+lag+1)*h). Cheap when nothing is recorded: call it for every node and lag. */
static inline void dn_sample(const dn_block *b, const dn_slice *s, size_t i, int lag)
{
    if (s->sample[lag] && b->log_first && b->log_first[i] != b->log_first[i + 1])
        dn_sample_node(b, s, i, lag);
}

/* ---- connections (shared by the engine and synapse models) ------------------------------- */

/* One connection: 16 bytes. `chan` is the ring channel of the target's input on the target's VP
 * (block chan0 + input * block n + node index); `bits` packs the delay in steps (bits 0..20),
 * the receiver port rport (bits 21..30) and the "count multiplicity only" flag (bit 31). */
typedef struct dn_conn {
    double weight;
    uint32_t chan;
    uint32_t bits;
} dn_conn;

#define DN_CONN_DELAY_BITS 21
#define DN_CONN_DELAY_MAX ((1u << DN_CONN_DELAY_BITS) - 1u)
#define DN_CONN_RPORT_MAX 1023
static inline uint32_t dn_conn_delay(const dn_conn *c)
{
    return c->bits & DN_CONN_DELAY_MAX;
}
static inline int dn_conn_rport(const dn_conn *c)
{
    return (int)((c->bits >> DN_CONN_DELAY_BITS) & 1023u);
}
static inline bool dn_conn_count(const dn_conn *c)
{
    return (c->bits >> 31) != 0;
}

/* Connections of one synapse model whose targets live on one VP. Extra per-connection state of
 * plastic synapse models lives in columns parallel to c[] (col[k][j] belongs to c[j]). */
struct dn_conntable {
    size_t n;
    dn_conn *c;
    void **col; /* the synapse model's n_cols columns */
    const dn_synmodel *model;
    void *inst; /* engine private */
};

/* ---- synapse model descriptor ------------------------------------------------------------ */

/* weight, delay, receptor_type, weight_recorder are common to all synapse models and handled by
 * the engine; a synapse model declares only its own per-connection columns and fields. */
struct dn_synmodel {
    const char *name;
    const char *doc;
    double default_weight; /* 1.0 for NEST's synapses */
    const dn_column *cols; /* per-connection columns (role PARAM or STATE; STATE is not reset by
                              ResetNetwork, spec §1.9) */
    int n_cols;
    const dn_field *fields;
    int n_fields;
    /* Optional: cross-field checks of a staged per-connection record (as dn_model.apply). */
    dn_status (*apply)(double *rec, const bool *changed, dn_error *err);
    /* Optional: called for every spike passing connection j of table t (in delivery order)
     * with the spike's emission stamp in ms; returns the weight to transmit (static synapses:
     * NULL, the weight is sent as is). May update the connection's state columns (ht_synapse
     * depression). Its return value is also what a weight_recorder logs (spec §5.4). */
    double (*send)(dn_conntable *t, size_t j, double t_spike);
};

/* ---- device helpers (generators) ----------------------------------------------------------- */

/* A contiguous run of a device's outgoing connections on one VP. */
typedef struct dn_span {
    const dn_conntable *table;
    size_t first, count;
    uint32_t delay; /* all rows share this delay (steps) and none is count-only; 0: mixed */
} dn_span;

/* The runs of connections leaving device node i of block b on this VP (all synapse models).
 * Returns the number of runs and sets *spans (valid during the update call). */
size_t dn_device_targets(const dn_block *b, const dn_slice *s, size_t i, const dn_span **spans);

/* GID of the node owning ring channel `chan` on this VP (poisson_generator keys its per-target
 * random streams by target GID). */
dn_gid dn_chan_gid(const dn_slice *s, uint32_t chan);

/* Add `value` (weight is NOT applied) into ring channel chan for the step origin+lag+delay. */
static inline void dn_ring_add(const dn_slice *s, uint32_t chan, int lag, uint32_t delay,
                               double value)
{
    uint32_t slot = s->slot0 + (uint32_t)lag + delay;
    while (slot >= s->nslots)
        slot -= s->nslots;
    s->ring[(size_t)slot * s->nchan + chan] += value;
}

/* Send an event from device node i at `lag` to all its targets on this VP: each target input
 * gets weight x value (value = multiplicity for spikes, the current for current generators;
 * count-only inputs get the multiplicity `mult`). Spikes (kind DN_EV_SPIKE) to recorders go
 * through the recorder path. */
void dn_device_send(const dn_block *b, const dn_slice *s, size_t i, int lag, dn_event_kind kind,
                    double value, uint32_t mult);

/* Device activity windows of spec §1.10, from a device's origin/start/stop in steps. */
typedef struct dn_window {
    int64_t t_min; /* origin + start */
    int64_t t_max; /* origin + stop (INT64_MAX for stop = inf) */
} dn_window;

/* ---- registry ----------------------------------------------------------------------------- */

/* Each model file exports one descriptor named after the model:
 *     const dn_model dn_model_iaf_psc_alpha = {...};      (src/models/iaf_psc_alpha.c)
 *     const dn_synmodel dn_synmodel_ht_synapse = {...};   (src/models/ht_synapse.c)
 * and src/engine/registry.c lists them (dn_model_ht_neuron and dn_synmodel_ht_synapse are
 * expected under exactly these names). Extension modules register more descriptors at run time
 * with dn_engine_register_model / dn_engine_register_synmodel (engine.h). */

#endif

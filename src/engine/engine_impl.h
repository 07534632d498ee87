/* Private structures of the engine, shared by src/engine/ (all files) and the device models in
 * src/models that need more than model.h offers (recorders, generators). Not a public header. */
#ifndef DN_ENGINE_IMPL_H
#define DN_ENGINE_IMPL_H

#include <gsl/gsl_rng.h>
#include <stdatomic.h>
#include <stdio.h>

#include "denest/engine.h"
#include "denest/model.h"

/* ---- model instances (built-in or CopyModel copies) -------------------------------------- */

typedef struct dn_nodemodel {
    char *name;
    const dn_model *m;
    dn_block *proto; /* one node with the defaults */
    bool builtin;
} dn_nodemodel;

typedef struct dn_syninst {
    char *name;
    const dn_synmodel *m;
    int id;                  /* index in engine->sm */
    double weight;           /* default weight */
    double delay;            /* default delay, ms */
    long receptor;           /* default receptor_type */
    int64_t weight_recorder; /* GID or -1 (common property, spec §5.4) */
    double *defcols;         /* defaults of the model's columns (n_cols) */
    bool builtin;
} dn_syninst;

/* ---- populations ------------------------------------------------------------------------- */

typedef struct dn_pop {
    dn_gid first;
    size_t n;
    dn_nodemodel *nm;
    bool replicated;  /* devices: one replica per VP, all GIDs on each VP */
    dn_block **blk;   /* per VP (n may be 0) */
    bool initialized; /* init_buffers done since creation / ResetNetwork */
} dn_pop;

/* ---- connections -------------------------------------------------------------------------- */

/* Rows added since the last finalize, in creation order, are kept in chunks that are never
 * reallocated: growing one big array by realloc made every growth step fault in fresh 4 KiB
 * pages (78k page faults in bench/brunel), while a chunk of fixed size can take huge pages. */
typedef struct dn_pchunk {
    size_t n, cap;
    uint32_t *src; /* source GID of each row */
    dn_conn *c;
    void **col; /* the synapse model's n_cols columns */
} dn_pchunk;

typedef struct dn_table {
    dn_conntable t; /* n, c, col, model */
    size_t cap;
    dn_syninst *si;
    /* runs of equal source (sorted): run r = [run_start[r], run_start[r+1]) from run_src[r] */
    uint32_t *run_src;
    size_t *run_start; /* nruns + 1 entries when nruns > 0 */
    size_t nruns;
    /* rows added since the last finalize: pn in all, in the chunks pch[0 .. npch) */
    size_t pn;
    dn_pchunk *pch;
    size_t npch, cappch;
} dn_table;

/* neuron -> recorder link (spike_detector), stored on the source's VP */
typedef struct dn_reclink {
    dn_gid src;
    dn_gid rec;
} dn_reclink;

typedef struct dn_detref {
    dn_block *b; /* detector replica block on this VP */
    size_t i;
    dn_gid gid;
} dn_detref;

/* multimeter -> node, stored on the node's VP (spec §5.2) */
typedef struct dn_logger {
    dn_gid mm_gid;
    dn_gid tgt_gid;
    dn_block *mb; /* multimeter replica block on this VP */
    size_t mi;
    dn_block *tb; /* target block */
    size_t ti;
    int nvals;
    int *ridx;        /* recordable indices of the target model (owned) */
    int64_t next;     /* left-end step of the first sample; -1: not initialised */
    int64_t interval; /* steps */
    int nsamp, capsamp;
    int64_t *steps; /* label steps of the samples of the current slice */
    double *vals;
} dn_logger;

typedef struct dn_spike {
    uint32_t gid;
    uint32_t lag;
    uint32_t mult;
} dn_spike;

/* ---- virtual processes --------------------------------------------------------------------- */

typedef struct dn_vp {
    int vp;
    dn_engine *e;
    size_t nsrc;       /* sources covered by seg_first / det_first */
    dn_block **blocks; /* non-empty blocks in GID order */
    size_t nblocks;
    double *ring;
    uint32_t nchan;      /* channels the ring is allocated for */
    uint32_t nchan_next; /* channels assigned to blocks so far */
    uint32_t nslots;
    uint32_t *chan_gid;
    dn_table *tables; /* one per synapse model instance (engine->n_sm) */
    size_t ntables;
    /* source index over all tables: spans of source g are segs[seg_first[g] .. seg_first[g+1]) */
    uint32_t *seg_first;
    dn_span *segs;
    size_t nsegs;
    /* spike detectors */
    dn_reclink *links;
    size_t nlinks, caplinks;
    uint32_t *det_first;
    dn_detref *dets;
    /* multimeter loggers */
    dn_logger *loggers;
    size_t nloggers, caploggers;
    uint32_t *log_order; /* logger indices sorted by (block, node); blocks' log_first index it */
    /* spikes of the current slice in sl[cur] (parity of the slice, the same on every VP); the
     * list of the previous slice, sl[cur ^ 1], is being read by the other VPs meanwhile */
    dn_spike *sl[2];
    size_t nsl[2], capsl[2], det_done;
    int cur;
    /* all VPs' spikes of the last completed slice in canonical order (this VP's copy) */
    dn_spike *merged;
    size_t nmerged, capmerged;
    unsigned char *sample; /* min_delay flags */
    gsl_rng *rng;
    dn_status st;
    dn_error err;
    _Atomic int64_t fail_k; /* slice (of the running Simulate) whose barrier reports st; -1:
                               none. Atomic: read by all threads while its owner runs ahead */
    int64_t origin;         /* of the running slice (for dn_emit etc.) */
} dn_vp;

/* ---- the engine ---------------------------------------------------------------------------- */

struct dn_engine {
    /* time */
    int64_t tics_per_ms, tics_per_step;
    double h;
    int64_t clock; /* slice origin T, steps */
    int from_step; /* lag to resume at */
    int64_t md;    /* min_delay used for slicing (steps) */
    /* delays */
    bool user_delays;
    int64_t user_min, user_max;
    bool have_delay;
    int64_t dmin, dmax; /* extrema over connections */
    bool simulated;     /* a Simulate has run: structure frozen */
    bool slices_started;
    /* kernel settings */
    int n_vp;
    char *data_path, *data_prefix;
    bool overwrite_files, print_time;
    uint64_t seed;
    int64_t grng_seed;
    int64_t *rng_seeds; /* n_vp */
    /* models */
    dn_nodemodel **nm;
    size_t n_nm;
    dn_syninst **sm;
    size_t n_sm;
    const char **names; /* cache for dn_engine_model_names */
    const dn_model **ext_models;
    size_t n_ext_models;
    const dn_synmodel **ext_syn;
    size_t n_ext_syn;
    /* nodes */
    dn_gid next_gid;
    dn_pop **pops;
    size_t npops, cappops;
    /* VPs */
    dn_vp *vps;
    bool structure_dirty; /* nodes or connections added since the last prepare */
    size_t n_conns;
    bool reset_pending;
    /* progress */
    dn_progress_fn progress;
    void *progress_user;
    /* scratch for filenames */
    const char **fname_scratch;
};

/* ---- internal functions ------------------------------------------------------------------- */

/* memory.c: huge-page advice for big arrays */
void dn_advise_huge(void *p, size_t bytes);
/* malloc for big arrays: 2 MiB aligned and advised when at least 4 MiB (free() releases it) */
void *dn_alloc_huge(size_t bytes);

/* time.c */
void dn_engine_calib(const dn_engine *e, dn_calib *c);
int64_t dn_time_ms_to_tics(double ms, int64_t tics_per_ms);

/* registry.c */
size_t dn_registry_models(const dn_model *const **out);
size_t dn_registry_synmodels(const dn_synmodel *const **out);
const char *dn_registry_alias(const char *name);

/* models.c */
dn_status dn_models_init(dn_engine *e, dn_error *err);
void dn_models_free(dn_engine *e);
dn_nodemodel *dn_find_nodemodel(const dn_engine *e, const char *name);
dn_syninst *dn_find_syninst(const dn_engine *e, const char *name);
dn_status dn_unknown_model_error(const dn_engine *e, const char *name, int want, dn_error *err);
dn_block *dn_block_new(const dn_model *m, size_t n, dn_error *err);
void dn_block_free(dn_block *b);
dn_status dn_block_fill_from_proto(dn_block *b, const dn_block *proto, dn_error *err);
dn_status dn_model_info(const dn_engine *e, const dn_nodemodel *nm, dn_value *out);

/* status.c: the generic field setter/getter */
void dn_rec_read(const dn_block *b, size_t i, double *rec);
dn_status dn_node_set(dn_block *b, size_t i, const dn_value *dict, const dn_calib *c,
                      dn_error *err);
dn_status dn_node_get(const dn_block *b, size_t i, dn_value *out, const dn_calib *c, dn_error *err);
int dn_field_index(const dn_field *f, int nf, const char *name);
dn_status dn_field_parse(const dn_field *f, const dn_value *v, const dn_calib *c, const char *owner,
                         double *out, dn_error *err);
dn_status dn_put_double(dn_value *map, const char *key, double x);
dn_status dn_put_int(dn_value *map, const char *key, int64_t x);
dn_status dn_put_bool(dn_value *map, const char *key, bool x);
dn_status dn_put_string(dn_value *map, const char *key, const char *s);
dn_status dn_put_field(dn_value *map, const dn_field *f, double x);
dn_status dn_unknown_key_error(const char *key, const dn_mark *mark, const char *owner,
                               const dn_field *f, int nf, const char *const *extra, int nextra,
                               const char *const *more, int nmore, dn_error *err);
dn_status dn_oom(dn_error *err);

/* nodes.c */
dn_pop *dn_find_pop(const dn_engine *e, dn_gid gid);
/* block and index of `gid` on VP vp (for replicated pops any VP; for neurons the owning VP is
 * gid mod n_vp and vp must equal it). */
bool dn_locate(const dn_engine *e, dn_gid gid, int vp, dn_block **b, size_t *i);
void dn_pops_free(dn_engine *e);

/* connect.c */
dn_status dn_vps_alloc(dn_engine *e, dn_error *err);
void dn_vps_free(dn_engine *e);
dn_status dn_tables_grow(dn_engine *e, dn_error *err); /* after a new synapse model */
dn_status dn_conns_finalize(dn_engine *e, dn_error *err);
int64_t dn_delay_steps(const dn_engine *e, double ms);
dn_status dn_port_for(const dn_engine *e, dn_block *tb, size_t ti, dn_event_kind kind,
                      long receptor, double weight, dn_port *p, dn_error *err);
uint32_t dn_chan_of(const dn_block *tb, size_t ti, int input);

/* simulate.c */
dn_status dn_prepare(dn_engine *e, dn_error *err);

/* deliver.c */
void dn_deliver(dn_engine *e, dn_vp *v, int64_t origin);
void dn_detectors_process(dn_engine *e, dn_vp *v);
int dn_spike_cmp(const void *a, const void *b);

/* recorder.c -- see recorder.h */
const char *dn_recorder_filename(const dn_block *b, size_t i);
size_t dn_recorder_n_events(const dn_block *b, size_t i);

#endif

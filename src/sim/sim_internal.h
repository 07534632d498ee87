/* Private structures of the session layer (the sim_*.c files): the dn_sim object, prepared session
 * models with their checked unit and synapse changes, the extension modules, and the helpers the
 * files share. Not a public header. */
#ifndef DENEST_SIM_INTERNAL_H
#define DENEST_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "denest/sim.h"

#define SIM_PATH_MAX 512

typedef enum sim_change_type {
    SIM_CONSTANT = 0,
    SIM_MULTIPLICATIVE,
    SIM_ADDITIVE,
} sim_change_type;

/* What kind of value a parameter takes, from the model's defaults. */
typedef enum sim_pkind {
    SIM_PK_DOUBLE = 0,
    SIM_PK_INT,
    SIM_PK_BOOL,
    SIM_PK_OTHER, /* lists (spike_times), strings: `constant` with a single value only */
} sim_pkind;

/* One selected population of a unit change, with per-parameter kinds and (from_array) values. */
typedef struct sim_unit_target {
    const dn_net_layer *layer;
    const dn_net_population *pop;
    sim_pkind *kinds; /* [n_params] */
    double **arrays;  /* [n_params]: values per unit in GID order (from_array), else NULL */
} sim_unit_target;

/* One checked item of `unit_changes` (§5.1, §5.2). */
typedef struct sim_unit_change {
    dn_value *item;          /* the item with defaults filled in (owned) */
    char path[SIM_PATH_MAX]; /* tree path of the item */
    sim_change_type type;
    const char *type_name;
    bool from_array;
    size_t n_params;
    const char **params;     /* keys of nest_params (point into item) */
    const dn_value **values; /* their values (point into item) */
    size_t n_targets;
    sim_unit_target *targets;
} sim_unit_change;

/* One checked item of `synapse_changes` (decisions.md: applied). */
typedef struct sim_syn_change {
    dn_value *item;
    char path[SIM_PATH_MAX];
    sim_change_type type;
    const char *type_name;
    size_t n_params;
    const char **params;
    const dn_value **values;
    size_t n_proj;
    const dn_net_projection **proj; /* selected projections, each selection once */
} sim_syn_change;

/* A session model (leaf of session_models) used by at least one session. */
typedef struct sim_model {
    char *name;
    const dn_tree *leaf;
    char path[SIM_PATH_MAX]; /* <leaf path>/params */
    dn_value *params;        /* effective params with defaults (owned) */
    double simulation_time;  /* ms */
    int64_t tics;            /* simulation_time in tics */
    bool reset_network, record, shift_origin;
    size_t n_unit;
    sim_unit_change *unit;
    size_t n_syn;
    sim_syn_change *syn;
} sim_model;

typedef struct sim_session {
    char *name; /* "00_warmup" */
    sim_model *model;
    int64_t start_tics, end_tics;
    double start, end; /* ms */
} sim_session;

typedef struct sim_module {
    char *name;
    void *handle;
} sim_module;

/* Progress display state (sim_progress.c). */
typedef struct sim_progress {
    bool tty;
    const char *session; /* name of the running session */
    double last_wall;    /* last redraw, s */
    double wall0, t0_ms; /* wall clock and model time at the session's start */
    int last_percent;
} sim_progress;

struct dn_sim {
    dn_tree *tree; /* written to parameter_tree.yml */
    char *output_dir, *input_dir, *data_dir;
    dn_mark out_mark; /* where output_dir was written (zero if an override) */
    dn_engine *engine;
    dn_net *net;
    sim_module *modules;
    size_t n_modules;

    int64_t nest_seed;
    int n_vp;
    bool overwrite_files;
    bool print_time;
    bool progress;
    double h; /* resolution, ms */
    int64_t tics_per_ms, tics_per_step;

    sim_model *models;
    size_t n_models;
    sim_session *sessions;
    size_t n_sessions;
    size_t done;
    bool failed; /* a session failed: the run cannot go on */

    sim_progress prog;
};

/* ---- helpers (sim_util.c) ------------------------------------------------------------------ */
dn_status sim_oom(dn_error *err);
char *sim_strdup(const char *s);
char *sim_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* printf into buf (truncating); returns buf. */
char *sim_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Wall-clock seconds (monotonic). */
double sim_now(void);
/* "<h>h:<mm>m:<ss>s" as deNEST logs durations. */
char *sim_hms(double seconds, char *buf, size_t size);
/* A time in ms for messages: "100" for whole numbers (deNEST's int), else the shortest repr. */
char *sim_ms_text(double ms, char *buf, size_t size);
/* Path joined: dir + "/" + name, unless name is absolute or dir is empty/NULL. malloc'ed. */
char *sim_join(const char *dir, const char *name);
/* mkdir -p. Returns 0 or an errno value. */
int sim_mkdirs(const char *path);
/* Python-like repr of a value into a malloc'ed string ("?" copy if out of memory). */
char *sim_repr(const dn_value *v);
/* Mark of a value for errors (NULL when the value has none). */
const dn_mark *sim_mark(const dn_value *v);
/* change_type text -> enum (the schema has checked it). */
sim_change_type sim_change_type_of(const char *s);
/* Convert `ms` to tics if it lies on the grid of `tics_per_step` within half a tic. */
bool sim_ms_to_tics(const dn_sim *sim, double ms, int64_t *tics);
double sim_tics_ms(const dn_sim *sim, int64_t tics);

/* ---- kernel and modules (sim_kernel.c, sim_module.c) --------------------------------------- */
dn_status sim_kernel_init(dn_sim *sim, const dn_tree *kernel, dn_error *err);
dn_status sim_modules_load(dn_sim *sim, const dn_tree *kernel, dn_error *err);
void sim_modules_unload(dn_sim *sim);

/* ---- sessions (sim_sessions.c) ------------------------------------------------------------ */
/* Session models used by simulation.params.sessions and the session list with times. */
dn_status sim_sessions_build(dn_sim *sim, const dn_tree *root, const dn_value *sessions,
                             dn_error *err);
void sim_sessions_free(dn_sim *sim);

/* ---- changes (sim_unit.c, sim_synapse.c) --------------------------------------------------- */
/* Check one model's unit / synapse change items against the built network (fills model). */
dn_status sim_unit_prepare(dn_sim *sim, sim_model *m, const dn_value *list, const char *base,
                           dn_error *err);
dn_status sim_unit_apply(dn_sim *sim, const sim_unit_change *c, dn_error *err);
void sim_unit_free(sim_unit_change *c);
dn_status sim_syn_prepare(dn_sim *sim, sim_model *m, const dn_value *list, const char *base,
                          dn_error *err);
dn_status sim_syn_apply(dn_sim *sim, const sim_syn_change *c, dn_error *err);
void sim_syn_free(sim_syn_change *c);
/* Kind of a parameter from its default value (SIM_PK_OTHER for lists, strings...). */
sim_pkind sim_pkind_of(const dn_value *def);
/* Keys of GetDefaults / connection status that are not parameters one can change. */
bool sim_is_meta_key(const char *key);

/* ---- running (sim_session_run.c) ----------------------------------------------------------- */
dn_status sim_session_run(dn_sim *sim, size_t i, dn_error *err);

/* ---- output directory (sim_output.c) ------------------------------------------------------- */
/* Before anything is built: the directory is usable and holds no other run (unless
 * overwrite_files). Creates nothing. */
dn_status sim_output_check(const dn_sim *sim, dn_error *err);
/* After the network is built: remove the previous run's own outputs (overwrite only), create
 * data/, set the kernel's data_path, write the metadata files. */
dn_status sim_output_write(dn_sim *sim, dn_error *err);

/* ---- progress (sim_progress.c) ------------------------------------------------------------- */
void sim_progress_cb(void *user, int phase, int percent, double t_ms, double rtf);

#endif

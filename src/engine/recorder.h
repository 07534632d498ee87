/* Recording devices' shared machinery (kernel spec §5): the common columns and flags of
 * multimeter, spike_detector and weight_recorder, their per-replica object (files, memory
 * events, pending buffers), NEST 2.20's file names and ASCII line format. Private header. */
#ifndef DN_RECORDER_H
#define DN_RECORDER_H

#include <math.h>

#include "engine/engine_impl.h"

/* Columns shared by all recorders (same indices in the three models). */
enum dn_rec_col {
    DN_RC_ORIGIN = 0,
    DN_RC_START,
    DN_RC_STOP,
    DN_RC_TO_FILE,
    DN_RC_TO_MEMORY,
    DN_RC_TO_SCREEN,
    DN_RC_WITHGID,
    DN_RC_WITHTIME,
    DN_RC_WITHWEIGHT,
    DN_RC_WITHTARGETGID,
    DN_RC_WITHPORT,
    DN_RC_WITHRPORT,
    DN_RC_TIME_IN_STEPS,
    DN_RC_PRECISE_TIMES,
    DN_RC_PRECISION,
    DN_RC_SCIENTIFIC,
    DN_RC_BINARY,
    DN_RC_CLOSE_AFTER_SIMULATE,
    DN_RC_FLUSH_AFTER_SIMULATE,
    DN_RC_FLUSH_RECORDS,
    DN_RC_CLOSE_ON_RESET,
    DN_RC_USE_GID_IN_FILENAME,
    DN_RC_FBUFFER_SIZE,
    DN_RC_COMMON_END, /* model-specific columns start here */
    DN_RC_INTERVAL = DN_RC_COMMON_END,
    DN_RC_OFFSET,
};

/* The column table of a recorder, with per-model defaults of the with* flags. */
#define DN_REC_COLUMNS(wgid, wtime, wweight, wtarget)                                              \
    {"origin", DN_COL_F64, DN_ROLE_PARAM, 0.0}, {"start", DN_COL_F64, DN_ROLE_PARAM, 0.0},         \
        {"stop", DN_COL_F64, DN_ROLE_PARAM, INFINITY}, {"to_file", DN_COL_I32, DN_ROLE_PARAM, 0},  \
        {"to_memory", DN_COL_I32, DN_ROLE_PARAM, 1}, {"to_screen", DN_COL_I32, DN_ROLE_PARAM, 0},  \
        {"withgid", DN_COL_I32, DN_ROLE_PARAM, wgid},                                              \
        {"withtime", DN_COL_I32, DN_ROLE_PARAM, wtime},                                            \
        {"withweight", DN_COL_I32, DN_ROLE_PARAM, wweight},                                        \
        {"withtargetgid", DN_COL_I32, DN_ROLE_PARAM, wtarget},                                     \
        {"withport", DN_COL_I32, DN_ROLE_PARAM, 0}, {"withrport", DN_COL_I32, DN_ROLE_PARAM, 0},   \
        {"time_in_steps", DN_COL_I32, DN_ROLE_PARAM, 0},                                           \
        {"precise_times", DN_COL_I32, DN_ROLE_PARAM, 0},                                           \
        {"precision", DN_COL_I32, DN_ROLE_PARAM, 3}, {"scientific", DN_COL_I32, DN_ROLE_PARAM, 0}, \
        {"binary", DN_COL_I32, DN_ROLE_PARAM, 0},                                                  \
        {"close_after_simulate", DN_COL_I32, DN_ROLE_PARAM, 0},                                    \
        {"flush_after_simulate", DN_COL_I32, DN_ROLE_PARAM, 1},                                    \
        {"flush_records", DN_COL_I32, DN_ROLE_PARAM, 0},                                           \
        {"close_on_reset", DN_COL_I32, DN_ROLE_PARAM, 1},                                          \
        {"use_gid_in_filename", DN_COL_I32, DN_ROLE_PARAM, 1},                                     \
    {                                                                                              \
        "fbuffer_size", DN_COL_I32, DN_ROLE_PARAM, -1                                              \
    }

/* Their public fields. */
#define DN_REC_FIELDS                                                                                \
    {"origin",                                                                                       \
     "ms",                                                                                           \
     DN_FT_DOUBLE,                                                                                   \
     DN_RC_ORIGIN,                                                                                   \
     DN_ANY,                                                                                         \
     0,                                                                                              \
     0,                                                                                              \
     DN_F_GRID,                                                                                      \
     "time origin of the start/stop window"},                                                        \
        {"start",     "ms",      DN_FT_DOUBLE,                                                       \
         DN_RC_START, DN_ANY,    0,                                                                  \
         0,           DN_F_GRID, "record events with stamps in (origin+start, origin+stop]"},        \
        {"stop",                                                                                     \
         "ms",                                                                                       \
         DN_FT_DOUBLE,                                                                               \
         DN_RC_STOP,                                                                                 \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         DN_F_GRID | DN_F_INF_OK,                                                                    \
         "end of the recording window"},                                                             \
        {"to_file", "", DN_FT_BOOL, DN_RC_TO_FILE, DN_ANY, 0, 0, 0, "write ASCII files"},            \
        {"to_memory", "", DN_FT_BOOL, DN_RC_TO_MEMORY, DN_ANY, 0, 0, 0, "keep events"},              \
        {"to_screen", "", DN_FT_BOOL, DN_RC_TO_SCREEN, DN_ANY, 0, 0, 0, "print events"},             \
        {"withgid", "", DN_FT_BOOL, DN_RC_WITHGID, DN_ANY, 0, 0, 0, "record the sender"},            \
        {"withtime", "", DN_FT_BOOL, DN_RC_WITHTIME, DN_ANY, 0, 0, 0, "record the time"},            \
        {"withweight", "", DN_FT_BOOL, DN_RC_WITHWEIGHT, DN_ANY, 0, 0, 0, "record the weight"},      \
        {"withtargetgid",    "", DN_FT_BOOL, DN_RC_WITHTARGETGID, DN_ANY, 0, 0, 0,                   \
         "record the target"},                                                                       \
        {"withport", "", DN_FT_BOOL, DN_RC_WITHPORT, DN_ANY, 0, 0, 0, "record the port"},            \
        {"withrport", "", DN_FT_BOOL, DN_RC_WITHRPORT, DN_ANY, 0, 0, 0, "record the receiver port"}, \
        {"time_in_steps",       "", DN_FT_BOOL, DN_RC_TIME_IN_STEPS, DN_ANY, 0, 0, 0,                \
         "times as step counts"},                                                                    \
        {"precise_times",                                                                            \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_PRECISE_TIMES,                                                                        \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "stamp minus offset (grid models: the stamp)"},                                             \
        {"precision",                                                                                \
         "",                                                                                         \
         DN_FT_INT,                                                                                  \
         DN_RC_PRECISION,                                                                            \
         DN_BOUNDS,                                                                                  \
         0,                                                                                          \
         30,                                                                                         \
         0,                                                                                          \
         "digits after the point in files"},                                                         \
        {"scientific",                                                                               \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_SCIENTIFIC,                                                                           \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "scientific notation in files"},                                                            \
        {"binary", "", DN_FT_BOOL, DN_RC_BINARY, DN_ANY, 0, 0, 0, "binary files (refused)"},         \
        {"close_after_simulate",                                                                     \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_CLOSE_AFTER_SIMULATE,                                                                 \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "close files after each Simulate"},                                                         \
        {"flush_after_simulate",                                                                     \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_FLUSH_AFTER_SIMULATE,                                                                 \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "flush files after each Simulate"},                                                         \
        {"flush_records",           "", DN_FT_BOOL, DN_RC_FLUSH_RECORDS, DN_ANY, 0, 0, 0,            \
         "flush after every record"},                                                                \
        {"close_on_reset",                                                                           \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_CLOSE_ON_RESET,                                                                       \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "close files at ResetNetwork"},                                                             \
        {"use_gid_in_filename",                                                                      \
         "",                                                                                         \
         DN_FT_BOOL,                                                                                 \
         DN_RC_USE_GID_IN_FILENAME,                                                                  \
         DN_ANY,                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         0,                                                                                          \
         "GID in file names (false needs a label)"},                                                 \
    {                                                                                                \
        "fbuffer_size", "", DN_FT_INT, DN_RC_FBUFFER_SIZE, DN_ANY, 0, 0, 0,                          \
            "file buffer size (-1: default)"                                                         \
    }

#define DN_REC_EXTRA_KEYS "label", "file_extension", "record_to", "n_events", "events", "filenames"

/* An event handed to a recorder. */
typedef struct dn_recevent {
    dn_gid sender, target;
    int port, rport;
    int64_t stamp; /* steps */
    double weight;
    const double *values;
    int nvalues;
} dn_recevent;

typedef struct dn_spikerec {
    dn_gid gid;
    int64_t stamp;
} dn_spikerec;

typedef struct dn_wrevent {
    dn_gid sender, target;
    int rport;
    int64_t stamp;
    double weight;
} dn_wrevent;

/* The per-replica object of every recorder model. */
typedef struct dn_recorder {
    char *label;
    char *file_extension;
    /* multimeter */
    char **record_from;
    int n_record_from;
    bool connected;
    /* weight_recorder filters (sorted) */
    dn_gid *f_senders, *f_targets;
    size_t nf_senders, nf_targets;
    /* file */
    FILE *f;
    char *filename;
    /* memory */
    size_t n_events, cap_events;
    uint32_t *m_senders, *m_targets;
    int32_t *m_ports, *m_rports;
    int64_t *m_steps;
    double *m_weights;
    double *m_values; /* n_events * nvals */
    int m_nvals;
    /* spike_detector: events to write at the next update / the one after */
    dn_spikerec *now, *next;
    size_t nnow, capnow, nnext, capnext;
    /* weight_recorder: queued events */
    dn_wrevent *q;
    size_t nq, capq;
} dn_recorder;

extern const char *const dn_rec_extra_keys[];
extern const int dn_rec_n_extra_keys;
extern const char *const dn_mm_extra_keys[];
extern const int dn_mm_n_extra_keys;
extern const char *const dn_wr_extra_keys[];
extern const int dn_wr_n_extra_keys;

dn_status dn_recorder_obj_init(void *obj);
dn_status dn_recorder_obj_copy(void *dst, const void *src);
void dn_recorder_obj_free(void *obj);
dn_status dn_recorder_set_extra(dn_block *b, size_t i, const dn_value *dict, const double *rec,
                                bool commit, const dn_calib *c, dn_error *err);
dn_status dn_recorder_get_extra(const dn_block *b, size_t i, dn_value *out, const dn_calib *c);
dn_status dn_recorder_apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err);
dn_status dn_recorder_calibrate(dn_block *b, const dn_calib *c, dn_error *err);
dn_status dn_recorder_finalize(dn_block *b, const dn_calib *c, dn_error *err);
void dn_recorder_reset(dn_block *b);
dn_status dn_recorder_update(dn_block *b, size_t first, size_t last, const dn_slice *s,
                             dn_error *err);

/* The recording window of node i in steps (spec §1.10). */
dn_window dn_recorder_window(const dn_block *b, size_t i, const dn_calib *c);
/* Write / store one event (the window was tested by the caller). */
void dn_recorder_record(dn_block *b, size_t i, const dn_recevent *ev, const dn_calib *c);

/* engine hooks */
void dn_mm_collect(dn_engine *e, dn_vp *vp);
void dn_detectors_phase(dn_engine *e, dn_vp *vp);
void dn_detector_push_device(dn_engine *e, dn_vp *vp, dn_gid src, int64_t stamp, uint32_t mult);
void dn_wr_phase(dn_engine *e, dn_vp *vp);
void dn_wr_push(dn_engine *e, dn_vp *vp, dn_gid wr, const dn_wrevent *ev);
int64_t dn_mm_interval(const dn_block *mb, size_t mi, const dn_calib *c, int64_t *offset);

#endif

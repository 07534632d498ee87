/* Shared pieces of stimulating devices: the origin/start/stop columns and fields (kernel spec
 * §1.10) and the activity window in steps computed at calibrate. Private to src/models. */
#ifndef DN_DEVICE_H
#define DN_DEVICE_H

#include <math.h>
#include <stdint.h>

#include "denest/model.h"

/* Every stimulator puts these five columns first. */
enum { DV_ORIGIN, DV_START, DV_STOP, DV_TMIN, DV_TMAX, DV_END };

#define DN_DEVICE_COLUMNS                                                                          \
    [DV_ORIGIN] = {"origin", DN_COL_F64, DN_ROLE_PARAM, 0.0},                                      \
    [DV_START] = {"start", DN_COL_F64, DN_ROLE_PARAM, 0.0},                                        \
    [DV_STOP] = {"stop", DN_COL_F64, DN_ROLE_PARAM, INFINITY},                                     \
    [DV_TMIN] = {"t_min", DN_COL_F64, DN_ROLE_INTERNAL, 0.0},                                      \
    [DV_TMAX] = {"t_max", DN_COL_F64, DN_ROLE_INTERNAL, INFINITY}

#define DN_DEVICE_FIELDS                                                                           \
    {"origin",  "ms",      DN_FT_DOUBLE,                                                           \
     DV_ORIGIN, DN_ANY,    0,                                                                      \
     0,         DN_F_GRID, "time origin of start, stop (and spike times)"},                        \
        {"start",  "ms",      DN_FT_DOUBLE,                                                        \
         DV_START, DN_ANY,    0,                                                                   \
         0,        DN_F_GRID, "activation time relative to origin"},                               \
    {                                                                                              \
        "stop", "ms", DN_FT_DOUBLE, DV_STOP, DN_ANY, 0, 0, DN_F_GRID | DN_F_INF_OK,                \
            "deactivation time relative to origin"                                                 \
    }

/* t_min = origin + start, t_max = origin + stop in steps (t_max = inf for stop = inf). */
static inline void dn_device_window_calibrate(dn_block *b, const dn_calib *c)
{
    for (size_t i = 0; i < b->n; i++) {
        int64_t o = 0, a = 0, z = 0;
        dn_calib_on_grid(c, dn_col_f64(b, DV_ORIGIN)[i], &o);
        dn_calib_on_grid(c, dn_col_f64(b, DV_START)[i], &a);
        dn_col_f64(b, DV_TMIN)[i] = (double)(o + a);
        double stop = dn_col_f64(b, DV_STOP)[i];
        if (isinf(stop))
            dn_col_f64(b, DV_TMAX)[i] = INFINITY;
        else {
            dn_calib_on_grid(c, stop, &z);
            dn_col_f64(b, DV_TMAX)[i] = (double)(o + z);
        }
    }
}

/* stop >= start (fields 1 and 2 of the table) */
static inline dn_status dn_device_check_window(const double *rec, const char *name, dn_error *err)
{
    if (rec[2] < rec[1])
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "'stop' (%g ms) of %s must be >= 'start' (%g ms)", rec[2], name,
                            rec[1]);
    return DN_OK;
}

#endif

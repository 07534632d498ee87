/* Time on the grid: ms <-> tics <-> steps with NEST's rounding rules (kernel spec §1.1).
 * Tics are integers (default 1 tic = 1 µs); a step is tics_per_step tics. */
#include <math.h>

#include "engine/engine_impl.h"

/* Time::ms: round to the nearest tic, halves away from zero for t >= 0 (spec §1.1). */
int64_t dn_time_ms_to_tics(double ms, int64_t tics_per_ms)
{
    return (int64_t)floor(ms * (double)tics_per_ms + 0.5);
}

void dn_engine_calib(const dn_engine *e, dn_calib *c)
{
    c->h = e->h;
    c->tics_per_ms = e->tics_per_ms;
    c->tics_per_step = e->tics_per_step;
    c->now = e->clock + e->from_step;
    c->min_delay = (int)e->md;
    c->max_delay = (int)(e->have_delay || e->user_delays ? e->dmax : 1);
    c->n_vp = e->n_vp;
    c->seed = e->seed;
    c->engine = (void *)e;
}

/* Refractory-style conversion: nearest tic, then the ceiling of tics / tics_per_step. */
int64_t dn_calib_steps_ceil(const dn_calib *c, double ms)
{
    int64_t tics = dn_time_ms_to_tics(ms, c->tics_per_ms);
    if (tics <= 0)
        return -((-tics) / c->tics_per_step);
    return (tics + c->tics_per_step - 1) / c->tics_per_step;
}

/* Delay-style conversion: ms * steps_per_ms rounded to nearest, halves up (spec §1.1). */
int64_t dn_calib_steps_round(const dn_calib *c, double ms)
{
    double steps_per_ms = (double)c->tics_per_ms / (double)c->tics_per_step;
    return (int64_t)floor(ms * steps_per_ms + 0.5);
}

bool dn_calib_on_grid(const dn_calib *c, double ms, int64_t *steps)
{
    if (!isfinite(ms))
        return false;
    int64_t tics = dn_time_ms_to_tics(ms, c->tics_per_ms);
    if (tics % c->tics_per_step != 0)
        return false;
    if (steps)
        *steps = tics / c->tics_per_step;
    return true;
}

/* The kernel's print_time progress (kernel spec §1.8) shown on stderr: on a terminal a progress
 * bar redrawn in place (at most ten times a second), otherwise one line per session when it ends,
 * so logs written to files stay readable. */
#include <stdio.h>

#include "sim/sim_internal.h"

#define BAR 30

void sim_progress_cb(void *user, int phase, int percent, double t_ms, double rtf)
{
    dn_sim *sim = user;
    sim_progress *p = &sim->prog;
    const char *name = p->session ? p->session : "";
    double now = sim_now();
    if (phase == 0) {
        p->wall0 = now;
        p->t0_ms = t_ms;
    }
    /* kernel spec §1.8: simulated time / wall time, over this session (the engine's value
     * may be 0 at the end of short runs) */
    if (now > p->wall0 && t_ms > p->t0_ms)
        rtf = (t_ms - p->t0_ms) * 1e-3 / (now - p->wall0);
    if (!p->tty) {
        if (phase == 2)
            fprintf(stderr, "Session '%s': 100 %%: network time: %.1f ms, realtime factor: %.4f\n",
                    name, t_ms, rtf);
        return;
    }
    if (phase == 1 && percent == p->last_percent && now - p->last_wall < 0.1)
        return;
    if (phase == 1 && now - p->last_wall < 0.1 && percent < 100)
        return;
    p->last_wall = now;
    p->last_percent = percent;
    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    char bar[BAR + 1];
    int full = percent * BAR / 100;
    for (int i = 0; i < BAR; i++)
        bar[i] = i < full ? '#' : '.';
    bar[BAR] = '\0';
    fprintf(stderr, "\r%s [%s] %3d %% model time %.1f ms, real-time factor %.4f", name, bar,
            percent, t_ms, rtf);
    if (phase == 2)
        fputc('\n', stderr);
    fflush(stderr);
}

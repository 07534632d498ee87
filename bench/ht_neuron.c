/* Benchmark of ht_neuron (issue 4): N ht_neurons, each driven by an independent Poisson train on
 * its AMPA receptor (one poisson_generator, weight 1, delay 1 ms), spikes recorded to memory,
 * h = 0.5 ms, through the engine API. Prints ONE JSON line with us_per_neuron_step = simulate
 * time / (neurons x steps), the best of --repeat fresh runs (the machine is shared and noisy).
 * NEST 2.20.2 on this machine class: about 1.25 µs per neuron per 0.5 ms step.
 *
 * --scalar switches the AVX2 paths off (scalar libm, one neuron at a time: the model as it
 * was before ht_vexp/ht_neuron_batch), for before/after comparisons in one binary.
 *
 * --dynamics instead times the integration alone on per-neuron records (inputs drawn
 * beforehand), interleaving the variants so that load disturbs them alike:
 *   batch: four neurons in lockstep, libm-identical vector exp/pow (what ht_neuron runs where
 *          AVX2+FMA is available); bit-identical to the next two;
 *   exact: one neuron at a time with NEST's right-hand side and the vector exp/pow;
 *   libm:  the same with scalar libm (what ht_neuron runs elsewhere);
 *   fast:  the one-neuron integrator with the approximate vectorised right-hand side (unused);
 *   gsl:   GSL's own evolve/control/rkf45 with the exact right-hand side and no V cache,
 *          i.e. what NEST 2.20 computes per neuron step (the baseline).
 * Usage: ht_neuron [--neurons N] [--ms T] [--rate HZ] [--repeat R] [--dynamics] [--scalar] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "denest/engine.h"
#include "denest/rng.h"
#include "models/ht_neuron_batch.h"
#include "models/ht_neuron_dynamics.h"
#include "models/ht_neuron_gsl.h"
#include "models/ht_vexp.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- through the engine ------------------------------------------------------------------ */

static int fail(const char *what, const dn_error *err)
{
    fprintf(stderr, "ht_neuron bench: %s: %s\n", what, err->message);
    return 1;
}

typedef struct engine_run {
    double wall, cpu;
    size_t spikes;
} engine_run;

static int run_engine(long n, double t_ms, double rate, engine_run *out)
{
    dn_error err;
    dn_error_clear(&err);
    dn_engine *e = NULL;
    dn_value *kd = dn_value_map(), *pd = dn_value_map();
    if (!kd || !pd || dn_value_map_set(kd, "resolution", dn_value_double(0.5)) != DN_OK ||
        dn_value_map_set(pd, "rate", dn_value_double(rate)) != DN_OK) {
        dn_value_free(kd);
        dn_value_free(pd);
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int rc = 1;
    dn_gid first, pg, sd;
    if (dn_engine_new(&e, &err) != DN_OK)
        rc = fail("engine", &err);
    else if (dn_engine_set_kernel_status(e, kd, &err) != DN_OK)
        rc = fail("resolution", &err);
    else if (dn_engine_create(e, "ht_neuron", (size_t)n, NULL, &first, &err) != DN_OK)
        rc = fail("create ht_neuron", &err);
    else if (dn_engine_create(e, "poisson_generator", 1, pd, &pg, &err) != DN_OK ||
             dn_engine_create(e, "spike_detector", 1, NULL, &sd, &err) != DN_OK)
        rc = fail("create devices", &err);
    else {
        dn_gid *g = malloc((size_t)n * sizeof *g);
        if (!g) {
            fprintf(stderr, "out of memory\n");
        } else {
            for (long i = 0; i < n; i++)
                g[i] = first + (dn_gid)i;
            dn_syn_spec ampa = {NULL, 1.0, 1.0, 1, true, true, true};
            if (dn_engine_connect(e, &pg, 1, g, (size_t)n, DN_RULE_ALL_TO_ALL, &ampa, &err) !=
                    DN_OK ||
                dn_engine_connect(e, g, (size_t)n, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, &err) !=
                    DN_OK) {
                rc = fail("connect", &err);
            } else {
                const double w0 = clock_s(CLOCK_MONOTONIC);
                const double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
                if (dn_engine_simulate(e, t_ms, &err) != DN_OK) {
                    rc = fail("simulate", &err);
                } else {
                    out->wall = clock_s(CLOCK_MONOTONIC) - w0;
                    out->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
                    if (dn_engine_recorder_n_events(e, sd, &out->spikes, &err) != DN_OK)
                        rc = fail("spike count", &err);
                    else
                        rc = 0;
                }
            }
            free(g);
        }
    }
    dn_engine_free(e);
    dn_value_free(kd);
    dn_value_free(pd);
    return rc;
}

static int bench_engine(long n, double t_ms, double rate, int repeat)
{
    engine_run best = {1e300, 1e300, 0};
    for (int r = 0; r < repeat; r++) {
        engine_run cur;
        if (run_engine(n, t_ms, rate, &cur) != 0)
            return 1;
        if (cur.wall < best.wall)
            best = cur;
    }
    const long steps = (long)(t_ms / 0.5 + 0.5);
    const double ns = (double)n * (double)steps;
    printf("{\"bench\": \"ht_neuron\", \"mode\": \"engine\", \"threads\": 1, \"n_neurons\": %ld, "
           "\"steps\": %ld, \"h_ms\": 0.5, \"input_rate_hz\": %.0f, \"spikes\": %zu, "
           "\"rate_hz\": %.2f, \"simulate_s\": %.3f, \"cpu_s\": %.3f, "
           "\"us_per_neuron_step\": %.4f, \"us_per_neuron_step_cpu\": %.4f, "
           "\"vector_math\": %s, \"nest_us_per_neuron_step\": 1.25}\n",
           n, steps, rate, best.spikes, (double)best.spikes / (double)n / (t_ms * 1e-3), best.wall,
           best.cpu, 1e6 * best.wall / ns, 1e6 * best.cpu / ns,
           dn_ht_vmath_use() ? "true" : "false");
    return 0;
}

/* ---- the integration alone ---------------------------------------------------------------- */

enum { BATCH = 0, EXACT, LIBM, FAST, GSL, NVARIANTS };
static const char *const variant_names[NVARIANTS] = {"batch", "exact", "libm", "fast", "gsl"};

typedef struct dyn_run {
    double seconds;
    long spikes;
    bool ok;
    dn_ht_counters cnt;
} dyn_run;

/* The batch integrator's view of the records: one job per neuron and step (as the engine
 * hands out one job per neuron and slice). */
typedef struct batch_ctx {
    const dn_ht_params *p;
    const dn_ht_consts *c;
    dn_ht_state *s;
    long n, next, step;
    const float *in;
    long spikes;
} batch_ctx;

static bool cb_next(void *ctx, dn_ht_job *job)
{
    batch_ctx *x = ctx;
    if (x->next >= x->n)
        return false;
    job->node = (size_t)x->next++;
    job->nsteps = 1;
    job->p = x->p;
    job->c = x->c;
    job->s = x->s[job->node];
    return true;
}

static void cb_inputs(void *ctx, const dn_ht_job *job, double in[DN_HT_NRECEPTORS], double *I_next)
{
    const batch_ctx *x = ctx;
    in[0] = x->in[(size_t)x->step * (size_t)x->n + job->node];
    in[1] = in[2] = in[3] = 0.0;
    *I_next = 0.0;
}

static void cb_stepped(void *ctx, const dn_ht_job *job, bool spiked)
{
    batch_ctx *x = ctx;
    (void)job;
    x->spikes += spiked;
}

static void cb_done(void *ctx, const dn_ht_job *job)
{
    batch_ctx *x = ctx;
    x->s[job->node] = job->s;
}

static void simulate_dynamics(int variant, const dn_ht_params *p, const dn_ht_consts *c,
                              dn_ht_state *s, long n, long steps, const float *in, dn_ht_gsl *g,
                              dyn_run *out)
{
    memset(out, 0, sizeof *out);
    out->ok = true;
    const bool was = dn_ht_vmath_enable(variant != LIBM);
    const double t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (variant == BATCH) {
        batch_ctx x = {p, c, s, n, 0, 0, in, 0};
        const dn_ht_batch_io io = {&x, cb_next, cb_inputs, cb_stepped, cb_done};
        for (x.step = 0; x.step < steps && out->ok; x.step++) {
            size_t bad;
            int k;
            x.next = 0;
            out->ok = dn_ht_batch_run(&io, &out->cnt, &bad, &k);
        }
        out->spikes = x.spikes;
    }
    for (long k = 0; k < steps && variant != BATCH; k++) {
        const float *ink = in + (size_t)k * (size_t)n;
        for (long i = 0; i < n; i++) {
            const double x[DN_HT_NRECEPTORS] = {ink[i], 0, 0, 0};
            bool ok, spiked;
            if (variant == EXACT || variant == LIBM)
                spiked = dn_ht_step(p, c, &s[i], x, 0.0, &ok, &out->cnt);
            else if (variant == FAST)
                spiked = dn_ht_step_fast(p, c, &s[i], x, 0.0, &ok, &out->cnt);
            else
                spiked = dn_ht_gsl_step(g, p, c, &s[i], x, 0.0, true, &ok);
            out->spikes += spiked;
            out->ok = out->ok && ok;
        }
    }
    out->seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0;
    dn_ht_vmath_enable(was);
}

static int bench_dynamics(long n, double t_ms, double rate, int repeat)
{
    const long tics_per_ms = 1000, tics_per_step = 500; /* h = 0.5 ms */
    const long steps = (long)(t_ms * (double)tics_per_ms + 0.5) / tics_per_step;
    dn_ht_params p;
    dn_ht_params_default(&p);
    dn_ht_consts c;
    dn_ht_consts_compute(&p, tics_per_ms, tics_per_step, &c);
    dn_ht_state *s0 = malloc((size_t)n * sizeof *s0);
    dn_ht_state *s = malloc((size_t)n * sizeof *s);
    float *in = malloc((size_t)n * (size_t)steps * sizeof *in);
    gsl_rng *r = dn_rng_alloc();
    dn_ht_gsl *g = dn_ht_gsl_new();
    int rc = 1;
    if (!s0 || !s || !in || !r || !g) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    const double lambda = rate * c.h * 1e-3;
    for (long i = 0; i < n; i++) {
        dn_ht_state_prototype(&s0[i]);
        dn_ht_state_init_buffers(&s0[i], c.h);
        dn_ht_state_calibrate(&s0[i]);
        dn_rng_seek(r, 1, DN_RNG_POISSON, 0, (uint64_t)i, 0);
        for (long k = 0; k < steps; k++)
            in[(size_t)k * (size_t)n + (size_t)i] = (float)gsl_ran_poisson(r, lambda);
    }
    dyn_run best[NVARIANTS];
    for (int v = 0; v < NVARIANTS; v++)
        best[v].seconds = 1e300;
    for (int rep = 0; rep < repeat; rep++)
        for (int v = 0; v < NVARIANTS; v++) {
            memcpy(s, s0, (size_t)n * sizeof *s);
            dyn_run cur;
            simulate_dynamics(v, &p, &c, s, n, steps, in, g, &cur);
            if (cur.seconds < best[v].seconds)
                best[v] = cur;
        }
    const double ns = (double)n * (double)steps;
    const int main_v = dn_ht_vmath_ready() ? BATCH : LIBM; /* what the model runs here */
    const dyn_run *e = &best[main_v];
    printf("{\"bench\": \"ht_neuron\", \"mode\": \"dynamics\", \"n_neurons\": %ld, \"steps\": %ld, "
           "\"h_ms\": 0.5, \"input_rate_hz\": %.0f, \"spikes\": %ld, \"rate_hz\": %.2f, "
           "\"us_per_neuron_step\": %.4f",
           n, steps, rate, e->spikes, (double)e->spikes / (double)n / (t_ms * 1e-3),
           1e6 * e->seconds / ns);
    for (int v = 0; v < NVARIANTS; v++)
        printf(", \"us_%s\": %.4f", variant_names[v], 1e6 * best[v].seconds / ns);
    bool same = true, ok = true;
    for (int v = 0; v < NVARIANTS; v++) {
        same = same && best[v].spikes == e->spikes;
        ok = ok && best[v].ok;
    }
    printf(", \"vector_math\": %s, \"speedup_vs_gsl\": %.2f, \"substeps_per_step\": %.3f, "
           "\"attempts_per_step\": %.3f, \"rhs_full_per_step\": %.3f, "
           "\"rhs_cached_per_step\": %.3f, \"same_spikes\": %s, \"ok\": %s}\n",
           dn_ht_vmath_ready() ? "true" : "false", best[GSL].seconds / e->seconds,
           (double)best[EXACT].cnt.evolve_calls / ns, (double)best[EXACT].cnt.attempts / ns,
           (double)best[EXACT].cnt.rhs_full / ns, (double)best[EXACT].cnt.rhs_cached / ns,
           same ? "true" : "false", ok ? "true" : "false");
    rc = 0;
done:
    dn_ht_gsl_free(g);
    gsl_rng_free(r);
    free(in);
    free(s);
    free(s0);
    return rc;
}

int main(int argc, char **argv)
{
    long n = 2000;
    double t_ms = 500.0;
    double rate = 200.0; /* AMPA input rate per neuron, Hz (weight 1 each) */
    int repeat = 3, dynamics = 0;
    const char *usage =
        "usage: %s [--neurons N] [--ms T] [--rate HZ] [--repeat R] [--dynamics] [--scalar]\n";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dynamics") == 0) {
            dynamics = 1;
            continue;
        }
        if (strcmp(argv[i], "--scalar") == 0) {
            dn_ht_vmath_enable(false);
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, usage, argv[0]);
            return 2;
        }
        if (strcmp(argv[i], "--neurons") == 0)
            n = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--ms") == 0)
            t_ms = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--rate") == 0)
            rate = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--repeat") == 0)
            repeat = (int)strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, usage, argv[0]);
            return 2;
        }
    }
    if (n < 1 || !(t_ms > 0) || repeat < 1 || !(rate >= 0)) {
        fprintf(stderr, usage, argv[0]);
        return 2;
    }
    return dynamics ? bench_dynamics(n, t_ms, rate, repeat) : bench_engine(n, t_ms, rate, repeat);
}

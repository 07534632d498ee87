/* Brunel's balanced random network (NEST's brunel_alpha_nest.py) through the engine API:
 * 10 000 excitatory + 2 500 inhibitory iaf_psc_alpha, fixed in-degree 1 000 / 250, one Poisson
 * generator to every neuron, delay 1.5 ms, h = 0.1 ms, 1 000 ms, all spikes to memory.
 * Usage: brunel [--threads N] [--time MS] [--scale S] [--verbose]. Prints one JSON line
 * (--verbose adds the connect / prepare split and the CPU time of simulate on stderr). */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_lambert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "denest/engine.h"
#include "denest/rng.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static void die(const char *what, const dn_error *err)
{
    fprintf(stderr, "brunel: %s: %s\n", what, err->message);
    exit(1);
}

static dn_value *map2(const char *k1, dn_value *v1, const char *k2, dn_value *v2)
{
    dn_value *m = dn_value_map();
    dn_value_map_set(m, k1, v1);
    if (k2)
        dn_value_map_set(m, k2, v2);
    return m;
}

/* Peak PSP (mV) of an alpha PSC of unit amplitude (brunel_alpha_nest.py's ComputePSPnorm; note
 * the 1/tau_syn factor, which makes J_ex = 20.68 pA for J = 0.1 mV). */
static double psc_for_psp(double tau_m, double tau_syn, double C_m)
{
    double a = tau_m / tau_syn, b = 1.0 / tau_syn - 1.0 / tau_m;
    double t_max = (-gsl_sf_lambert_Wm1(-exp(-1.0 / a) / a) - 1.0 / a) / b;
    return exp(1.0) / (tau_syn * C_m * b) *
           ((exp(-t_max / tau_m) - exp(-t_max / tau_syn)) / b - t_max * exp(-t_max / tau_syn));
}

int main(int argc, char **argv)
{
    int threads = 1, verbose = 0;
    double sim_ms = 1000.0, scale = 1.0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--threads") && k + 1 < argc)
            threads = atoi(argv[++k]);
        else if (!strcmp(argv[k], "--time") && k + 1 < argc)
            sim_ms = atof(argv[++k]);
        else if (!strcmp(argv[k], "--scale") && k + 1 < argc)
            scale = atof(argv[++k]);
        else if (!strcmp(argv[k], "--verbose"))
            verbose = 1;
        else {
            fprintf(stderr, "usage: brunel [--threads N] [--time MS] [--scale S] [--verbose]\n");
            return 2;
        }
    }
    const int NE = (int)(10000 * scale), NI = (int)(2500 * scale), N = NE + NI;
    const int CE = 1000, CI = 250;
    const double tau_m = 20.0, tau_syn = 0.5, C_m = 250.0, theta = 20.0, g = 5.0, eta = 2.0;
    const double J = 0.1, delay = 1.5;
    double J_ex = J / psc_for_psp(tau_m, tau_syn, C_m), J_in = -g * J_ex;
    double nu_th = theta * C_m / (J_ex * CE * exp(1.0) * tau_m * tau_syn);
    double p_rate = 1000.0 * eta * nu_th * CE;

    dn_error err;
    dn_engine *e;
    double t0 = now();
    if (dn_engine_new(&e, &err))
        die("new", &err);
    dn_value *k =
        map2("resolution", dn_value_double(0.1), "local_num_threads", dn_value_int(threads));
    if (dn_engine_set_kernel_status(e, k, &err))
        die("kernel", &err);
    dn_value_free(k);
    dn_value *np = dn_value_map();
    const char *keys[] = {"C_m", "tau_m", "t_ref",      "E_L",       "V_reset",
                          "V_m", "V_th",  "tau_syn_ex", "tau_syn_in"};
    double vals[] = {C_m, tau_m, 2.0, 0.0, 0.0, 0.0, theta, tau_syn, tau_syn};
    for (int q = 0; q < 9; q++)
        dn_value_map_set(np, keys[q], dn_value_double(vals[q]));
    if (dn_engine_set_defaults(e, "iaf_psc_alpha", np, &err))
        die("defaults", &err);
    dn_value_free(np);
    dn_gid first, pg, sd;
    if (dn_engine_create(e, "iaf_psc_alpha", (size_t)N, NULL, &first, &err))
        die("create", &err);
    dn_value *pp = map2("rate", dn_value_double(p_rate), NULL, NULL);
    if (dn_engine_create(e, "poisson_generator", 1, pp, &pg, &err))
        die("poisson", &err);
    dn_value_free(pp);
    if (dn_engine_create(e, "spike_detector", 1, NULL, &sd, &err))
        die("detector", &err);

    dn_gid *all = malloc((size_t)N * sizeof *all);
    for (int q = 0; q < N; q++)
        all[q] = first + (dn_gid)q;
    dn_syn_spec ex = {NULL, J_ex, delay, 0, true, true, false};
    if (dn_engine_connect(e, &pg, 1, all, (size_t)N, DN_RULE_ALL_TO_ALL, &ex, &err))
        die("connect poisson", &err);
    /* fixed in-degree: random sources per target, autapses and multapses allowed */
    gsl_rng *r = dn_rng_alloc();
    dn_gid *src = malloc((size_t)(CE + CI) * sizeof *src),
           *tgt = malloc((size_t)(CE + CI) * sizeof *tgt);
    double *w = malloc((size_t)(CE + CI) * sizeof *w);
    for (int q = 0; q < N; q++) {
        dn_rng_seek(r, 12345, DN_RNG_CONNECT, 0, first + (dn_gid)q, 0);
        for (int c = 0; c < CE + CI; c++) {
            bool exc = c < CE;
            src[c] = first +
                     (dn_gid)(exc ? gsl_rng_uniform_int(r, (unsigned long)NE)
                                  : (unsigned long)NE + gsl_rng_uniform_int(r, (unsigned long)NI));
            tgt[c] = first + (dn_gid)q;
            w[c] = exc ? J_ex : J_in;
        }
        if (dn_engine_connect_rows(e, (size_t)(CE + CI), src, tgt, w, NULL, &ex, &err))
            die("connect", &err);
    }
    gsl_rng_free(r);
    free(src);
    free(tgt);
    free(w);
    if (dn_engine_connect(e, all, (size_t)N, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, &err))
        die("connect detector", &err);
    free(all);
    double tc = now();
    /* build includes sorting the connections (Prepare) */
    if (dn_engine_simulate(e, 0.1, &err))
        die("prepare", &err);
    double t1 = now(), c1 = cpu_now();
    if (verbose)
        fprintf(stderr, "connect %.3f s, prepare %.3f s\n", tc - t0, t1 - tc);
    if (dn_engine_simulate(e, sim_ms - 0.1, &err))
        die("simulate", &err);
    double t2 = now();
    if (verbose)
        fprintf(stderr, "simulate cpu %.3f s\n", cpu_now() - c1);
    size_t nspk = 0;
    if (dn_engine_recorder_n_events(e, sd, &nspk, &err))
        die("events", &err);
    /* recurrent synapses only, as NEST's script counts them (no generator or detector links) */
    size_t nsyn = dn_engine_num_connections(e) - 2 * (size_t)N;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rate = (double)nspk / N / (sim_ms * 1e-3);
    printf("{\"threads\": %d, \"build_s\": %.3f, \"simulate_s\": %.3f, \"rate_hz\": %.3f, "
           "\"synapses\": %zu, \"bytes_per_synapse\": %zu, \"events_per_s\": %.4g, "
           "\"peak_rss_mb\": %.1f}\n",
           threads, t1 - t0, t2 - t1, rate, nsyn, sizeof(dn_conn),
           (double)nspk * (double)(CE + CI) / (t2 - t1), (double)ru.ru_maxrss / 1024.0);
    dn_engine_free(e);
    return 0;
}

/* Determinism: 100 Simulate calls of 10 ms equal one call of 1000 ms bit for bit (recorder
 * files and memory included, kernel spec §1.7), and the union of recorder rows is identical for
 * 1, 2 and 3 threads (architecture.md "Determinism beyond NEST"). A random network with
 * Poisson input, parrots, a dc input, a weight recorder and a multimeter. */
#include "engine_test.h"

#include <dirent.h>
#include <unistd.h>

#include "denest/rng.h"

#define NN 120

typedef struct run {
    char dir[64];
    dn_gid sd, mm, wr;
    size_t n_sd, n_mm, n_wr;
    double *sd_t, *sd_s, *mm_v, *wr_w;
} run;

static void build_and_run(run *r, int threads, int chunks)
{
    dn_engine *e;
    snprintf(r->dir, sizeof r->dir, "/tmp/dn_det_XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    OK(dn_engine_new(&e, err));
    OK(kernel(e,
              D("local_num_threads", VI(threads), "data_path", VS(r->dir), "rng_seed", VI(7), NULL),
              err));
    dn_gid ex, in, pg, sg, par, dc;
    OK(create(e, "iaf_psc_alpha", NN, D("tau_syn_ex", VD(0.5), "tau_syn_in", VD(0.5), NULL), &ex,
              err));
    OK(create(e, "iaf_psc_exp", NN / 4, NULL, &in, err));
    OK(create(e, "poisson_generator", 1, D("rate", VD(12000.0), NULL), &pg, err));
    double st[] = {5.0, 5.0, 20.0, 33.3, 100.0, 400.0};
    OK(create(e, "spike_generator", 1, D("spike_times", VLD(6, st), NULL), &sg, err));
    OK(create(e, "parrot_neuron", 3, NULL, &par, err));
    OK(create(e, "dc_generator", 1, D("amplitude", VD(50.0), "start", VD(200.0), NULL), &dc, err));
    OK(create(e, "spike_detector", 1, D("to_file", VB(true), "label", VS("spikes"), NULL), &r->sd,
              err));
    OK(create(e, "multimeter", 1,
              D("to_file", VB(true), "interval", VD(0.5), "record_from",
                VLS("V_m", "I_syn_ex", NULL), NULL),
              &r->mm, err));
    OK(create(e, "weight_recorder", 1, D("to_file", VB(true), NULL), &r->wr, err));
    dn_value *p = D("weight_recorder", VI(r->wr), NULL);
    OK(dn_engine_copy_model(e, "static_synapse", "rec_syn", p, err));
    dn_value_free(p);

    dn_gid all[NN + NN / 4];
    size_t na = 0;
    for (dn_gid g = ex; g < ex + NN; g++)
        all[na++] = g;
    for (dn_gid g = in; g < in + NN / 4; g++)
        all[na++] = g;
    dn_syn_spec ps = {NULL, 30.0, 1.0, 0, true, true, false};
    OK(dn_engine_connect(e, &pg, 1, all, na, DN_RULE_ALL_TO_ALL, &ps, err));
    OK(dn_engine_connect(e, &sg, 1, &par, 1, DN_RULE_ALL_TO_ALL, &ps, err));
    dn_gid pars[3] = {par, par + 1, par + 2};
    OK(dn_engine_connect(e, &sg, 1, pars, 3, DN_RULE_ALL_TO_ALL, &ps, err));
    dn_syn_spec rs = {"rec_syn", 80.0, 2.0, 0, true, true, false};
    OK(dn_engine_connect(e, pars, 3, all, 10, DN_RULE_ALL_TO_ALL, &rs, err));
    OK(dn_engine_connect(e, &dc, 1, all, 5, DN_RULE_ALL_TO_ALL, &ps, err));
    /* random recurrent connections (independent of the thread count) */
    gsl_rng *rng = dn_rng_alloc();
    dn_gid src[30], tgt[30];
    double w[30], d[30];
    for (size_t t = 0; t < na; t++) {
        dn_rng_seek(rng, 99, DN_RNG_CONNECT, 0, all[t], 0);
        for (int k = 0; k < 30; k++) {
            size_t s = gsl_rng_uniform_int(rng, na);
            src[k] = all[s];
            tgt[k] = all[t];
            w[k] = s < NN ? 20.0 : -60.0;
            d[k] = 1.0 + 0.1 * (double)gsl_rng_uniform_int(rng, 20);
        }
        OK(dn_engine_connect_rows(e, 30, src, tgt, w, d, NULL, err));
    }
    gsl_rng_free(rng);
    OK(dn_engine_connect(e, all, na, &r->sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_connect(e, pars, 3, &r->sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_connect(e, &r->mm, 1, all, 8, DN_RULE_ALL_TO_ALL, NULL, err));
    for (int k = 0; k < chunks; k++)
        OK(dn_engine_simulate(e, 1000.0 / chunks, err));
    r->sd_t = events(e, r->sd, "times", &r->n_sd);
    r->sd_s = events(e, r->sd, "senders", &r->n_sd);
    r->mm_v = events(e, r->mm, "V_m", &r->n_mm);
    r->wr_w = events(e, r->wr, "weights", &r->n_wr);
    dn_engine_free(e);
}

static void run_free(run *r)
{
    DIR *d = opendir(r->dir);
    struct dirent *en;
    char p[512];
    while (d && (en = readdir(d)))
        if (en->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", r->dir, en->d_name);
            unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(r->dir);
    free(r->sd_t);
    free(r->sd_s);
    free(r->mm_v);
    free(r->wr_w);
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* all rows of all files in dir whose name starts with prefix, sorted, joined */
static char *sorted_rows(const char *dirname, const char *prefix)
{
    DIR *d = opendir(dirname);
    struct dirent *en;
    char **lines = NULL;
    size_t n = 0, cap = 0, total = 1;
    char *bufs[64];
    int nb = 0;
    while ((en = readdir(d)))
        if (strncmp(en->d_name, prefix, strlen(prefix)) == 0) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s", dirname, en->d_name);
            char *s = slurp(p);
            bufs[nb++] = s;
            for (char *q = strtok(s, "\n"); q; q = strtok(NULL, "\n")) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 1024;
                    lines = realloc(lines, cap * sizeof *lines);
                }
                lines[n++] = q;
                total += strlen(q) + 1;
            }
        }
    closedir(d);
    qsort(lines, n, sizeof *lines, line_cmp);
    char *out = malloc(total), *o = out;
    for (size_t k = 0; k < n; k++)
        o += sprintf(o, "%s\n", lines[k]);
    *o = 0;
    free(lines);
    for (int k = 0; k < nb; k++)
        free(bufs[k]);
    return out;
}

static void test_chaining_bit_identical(void **state)
{
    (void)state;
    run a, b;
    build_and_run(&a, 1, 100);
    build_and_run(&b, 1, 1);
    assert_true(a.n_sd > 1000);
    assert_true(a.n_wr > 10);
    assert_int_equal(a.n_sd, b.n_sd);
    assert_int_equal(a.n_mm, b.n_mm);
    assert_int_equal(a.n_wr, b.n_wr);
    assert_memory_equal(a.sd_t, b.sd_t, a.n_sd * sizeof(double));
    assert_memory_equal(a.sd_s, b.sd_s, a.n_sd * sizeof(double));
    assert_memory_equal(a.mm_v, b.mm_v, a.n_mm * sizeof(double));
    assert_memory_equal(a.wr_w, b.wr_w, a.n_wr * sizeof(double));
    const char *names[] = {"spikes-", "multimeter-", "weight_recorder-"};
    for (int k = 0; k < 3; k++) {
        /* one VP: files compared byte for byte, unsorted */
        DIR *d = opendir(a.dir);
        struct dirent *en;
        while ((en = readdir(d)))
            if (strncmp(en->d_name, names[k], strlen(names[k])) == 0) {
                char pa[512], pb[512];
                snprintf(pa, sizeof pa, "%s/%s", a.dir, en->d_name);
                snprintf(pb, sizeof pb, "%s/%s", b.dir, en->d_name);
                char *x = slurp(pa), *y = slurp(pb);
                assert_non_null(x);
                assert_non_null(y);
                assert_true(strlen(x) > 100);
                assert_string_equal(x, y);
                free(x);
                free(y);
            }
        closedir(d);
    }
    run_free(&a);
    run_free(&b);
}

static void test_thread_independence(void **state)
{
    (void)state;
    run r[3];
    for (int t = 0; t < 3; t++)
        build_and_run(&r[t], t + 1, t == 2 ? 8 : 1);
    const char *names[] = {"spikes-", "multimeter-", "weight_recorder-"};
    for (int k = 0; k < 3; k++) {
        char *x = sorted_rows(r[0].dir, names[k]);
        assert_true(strlen(x) > 100);
        for (int t = 1; t < 3; t++) {
            char *y = sorted_rows(r[t].dir, names[k]);
            if (strcmp(x, y))
                fprintf(stderr, "%s differs between 1 and %d threads\n", names[k], t + 1);
            assert_string_equal(x, y);
            free(y);
        }
        free(x);
    }
    for (int t = 1; t < 3; t++)
        assert_int_equal(r[0].n_sd, r[t].n_sd);
    for (int t = 0; t < 3; t++)
        run_free(&r[t]);
}

/* poisson_generator's two delivery paths agree bit for bit: targets reached through a span of
 * one delay (draws of 64 connections added lag by lag, min_delay 40 steps: several windows of
 * 16 lags) receive exactly what they receive when the generator's span has mixed delays (one
 * connection at a time). The extra target with another delay is created last, so it changes
 * no GID and no random stream of the others. */
static void poisson_run(int threads, bool mixed, double **t, double **snd, size_t *n)
{
    dn_engine *e;
    OK(dn_engine_new(&e, err));
    OK(kernel(e, D("local_num_threads", VI(threads), "rng_seed", VI(11), NULL), err));
    dn_gid tg, pg, sd, x;
    OK(create(e, "iaf_psc_alpha", 150, NULL, &tg, err));
    OK(create(e, "poisson_generator", 1, D("rate", VD(20000.0), NULL), &pg, err));
    OK(create(e, "spike_detector", 1, NULL, &sd, err));
    dn_gid all[150];
    for (int k = 0; k < 150; k++)
        all[k] = tg + (dn_gid)k;
    dn_syn_spec ps = {NULL, 60.0, 4.0, 0, true, true, false};
    OK(dn_engine_connect(e, &pg, 1, all, 150, DN_RULE_ALL_TO_ALL, &ps, err));
    if (mixed) {
        OK(create(e, "iaf_psc_alpha", 1, NULL, &x, err));
        dn_syn_spec px = {NULL, 60.0, 5.0, 0, true, true, false};
        OK(dn_engine_connect(e, &pg, 1, &x, 1, DN_RULE_ALL_TO_ALL, &px, err));
    }
    OK(dn_engine_connect(e, all, 150, &sd, 1, DN_RULE_ALL_TO_ALL, NULL, err));
    OK(dn_engine_simulate(e, 300.0, err));
    *t = events(e, sd, "times", n);
    *snd = events(e, sd, "senders", n);
    dn_engine_free(e);
}

static void test_poisson_paths_agree(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        double *ta, *sa, *tb, *sb;
        size_t na, nb;
        poisson_run(threads, false, &ta, &sa, &na);
        poisson_run(threads, true, &tb, &sb, &nb);
        assert_true(na > 300);
        assert_int_equal(na, nb);
        assert_memory_equal(ta, tb, na * sizeof(double));
        assert_memory_equal(sa, sb, na * sizeof(double));
        free(ta);
        free(sa);
        free(tb);
        free(sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chaining_bit_identical),
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_poisson_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

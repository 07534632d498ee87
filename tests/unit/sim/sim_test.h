/* Shared helpers of the session-layer tests (header only, included by tests/unit/sim/test_*.c
 * and tests/reference/test_tutorial*.c): scratch directories, trees from YAML text, runs with
 * options, and readers for the recorder files and their rows. */
#ifndef DN_SIM_TEST_H
#define DN_SIM_TEST_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "denest/log.h"
#include "denest/sim.h"
#include "denest/tree.h"

/* rm -rf (directories are walked by hand: nftw needs XSI feature macros). */
static inline void st_rmrf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        struct dirent *en;
        while (d && (en = readdir(d))) {
            if (strcmp(en->d_name, ".") == 0 || strcmp(en->d_name, "..") == 0)
                continue;
            size_t n = strlen(path) + strlen(en->d_name) + 2;
            char *p = malloc(n);
            if (!p)
                break;
            snprintf(p, n, "%s/%s", path, en->d_name);
            st_rmrf(p);
            free(p);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A new scratch directory (malloc'ed path). */
static inline char *st_scratch(void)
{
    char *d = strdup("/tmp/dn_sim_test_XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

/* dir + "/" + name, malloc'ed. */
static inline char *st_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static inline bool st_exists(const char *dir, const char *name)
{
    char *p = st_path(dir, name);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

/* A tree from YAML text (fails the test on error). */
static inline dn_tree *st_tree(const char *yaml)
{
    dn_tree *t = NULL;
    dn_error err;
    dn_error_clear(&err);
    dn_status st = dn_tree_read_string(yaml, strlen(yaml), "<test>", &t, &err);
    if (st != DN_OK) {
        char line[1600];
        dn_error_format(&err, line, sizeof line);
        fail_msg("test tree does not load: %s", line);
    }
    return t;
}

/* printf into a malloc'ed string. */
static inline char *st_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *st_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Create a sim from YAML with output_dir / input_dir overrides; expects DN_OK. */
static inline dn_sim *st_create(const char *yaml, const char *out, const char *in)
{
    dn_tree *t = st_tree(yaml);
    dn_sim_options o = {0};
    o.output_dir = out;
    o.input_dir = in;
    dn_sim *sim = NULL;
    dn_error err;
    dn_error_clear(&err);
    dn_status st = dn_sim_create(t, &o, &sim, &err);
    dn_tree_free(t);
    if (st != DN_OK) {
        char line[1600];
        dn_error_format(&err, line, sizeof line);
        fail_msg("dn_sim_create failed: %s", line);
    }
    return sim;
}

/* dn_sim_run on YAML; returns the status and fills err. */
static inline dn_status st_run(const char *yaml, const char *out, const char *in, dn_error *err)
{
    dn_tree *t = st_tree(yaml);
    dn_sim_options o = {0};
    o.output_dir = out;
    o.input_dir = in;
    dn_error_clear(err);
    dn_status st = dn_sim_run(t, &o, err);
    dn_tree_free(t);
    return st;
}

static inline void st_run_ok(const char *yaml, const char *out, const char *in)
{
    dn_error err;
    if (st_run(yaml, out, in, &err) != DN_OK) {
        char line[1600];
        dn_error_format(&err, line, sizeof line);
        fail_msg("run failed: %s", line);
    }
}

/* The whole file (NUL-terminated, malloc'ed), NULL if missing; *len gets its size. */
static inline char *st_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    size_t k = fread(s, 1, (size_t)n, f);
    fclose(f);
    s[k] = '\0';
    if (len)
        *len = k;
    return s;
}

/* Rows of a recorder file: each row's tab-separated numbers (at most 8 columns). */
typedef struct st_rows {
    size_t n, cols;
    double (*v)[8];
} st_rows;

static inline st_rows st_read_rows(const char *path)
{
    st_rows r = {0, 0, NULL};
    char *s = st_read(path, NULL);
    if (!s)
        fail_msg("no file '%s'", path);
    size_t cap = 16;
    r.v = malloc(cap * sizeof *r.v);
    assert_non_null(r.v);
    for (char *line = s; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (*line) {
            if (r.n == cap) {
                cap *= 2;
                r.v = realloc(r.v, cap * sizeof *r.v);
                assert_non_null(r.v);
            }
            size_t c = 0;
            for (char *tok = strtok(line, "\t"); tok && c < 8; tok = strtok(NULL, "\t"))
                r.v[r.n][c++] = strtod(tok, NULL);
            r.cols = c;
            r.n++;
        }
        if (!end)
            break;
        line = end + 1;
    }
    free(s);
    return r;
}

static inline void st_rows_free(st_rows *r)
{
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

/* Wall-clock seconds. */
static inline double sim_test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Quiet logs: the tests check behaviour, not messages. */
static inline int st_quiet(void **state)
{
    (void)state;
    dn_log_set_level(DN_LOG_OFF);
    return 0;
}

#endif

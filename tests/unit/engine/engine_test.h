/* Helpers for the engine and model tests: building status dictionaries, running small
 * networks, reading recorder events and CSV reference data. Header-only (each test is one
 * executable). */
#ifndef DN_ENGINE_TEST_H
#define DN_ENGINE_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "denest/engine.h"
#include "denest/value.h"

/* value constructors */
static inline dn_value *VD(double x)
{
    return dn_value_double(x);
}
static inline dn_value *VI(int64_t x)
{
    return dn_value_int(x);
}
static inline dn_value *VB(bool x)
{
    return dn_value_bool(x);
}
static inline dn_value *VS(const char *s)
{
    return dn_value_string(s);
}
/* a list of n doubles */
static inline dn_value *VLD(size_t n, const double *x)
{
    dn_value *l = dn_value_list();
    for (size_t k = 0; k < n; k++)
        dn_value_list_append(l, dn_value_double(x[k]));
    return l;
}
/* a list of strings, NULL-terminated */
static inline dn_value *VLS(const char *first, ...)
{
    dn_value *l = dn_value_list();
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        dn_value_list_append(l, dn_value_string(s));
    va_end(ap);
    return l;
}
/* D("key", value, "key", value, ..., NULL): a map (takes ownership of the values) */
static inline dn_value *D(const char *first, ...)
{
    dn_value *m = dn_value_map();
    va_list ap;
    va_start(ap, first);
    for (const char *k = first; k; k = va_arg(ap, const char *)) {
        dn_value *v = va_arg(ap, dn_value *);
        dn_value_map_set(m, k, v);
    }
    va_end(ap);
    return m;
}

/* |a - b| <= tol in double precision (cmocka's assert_float_equal compares floats). */
#define assert_near(a, b, tol)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b), t_ = (tol);                                                     \
        if (!(a_ == b_ || fabs(a_ - b_) <= t_)) {                                                  \
            fprintf(stderr, "%s:%d: %.17g != %.17g (tolerance %g)\n", __FILE__, __LINE__, a_, b_,  \
                    t_);                                                                           \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Assert a call succeeded, printing the error otherwise. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        dn_error err_;                                                                             \
        dn_error_clear(&err_);                                                                     \
        dn_error *err = &err_;                                                                     \
        dn_status st_ = (call);                                                                    \
        if (st_ != DN_OK)                                                                          \
            fprintf(stderr, "%s:%d: %s -> %s\n", __FILE__, __LINE__, #call, err_.message);         \
        assert_int_equal(st_, DN_OK);                                                              \
    } while (0)

/* Assert a call failed with `status` and its message contains `needle`. */
#define FAILS(call, status, needle)                                                                \
    do {                                                                                           \
        dn_error err_;                                                                             \
        dn_error_clear(&err_);                                                                     \
        dn_error *err = &err_;                                                                     \
        dn_status st_ = (call);                                                                    \
        if (st_ == DN_OK || !strstr(err_.message, needle))                                         \
            fprintf(stderr, "%s:%d: %s -> status %d, message '%s' (wanted '%s')\n", __FILE__,      \
                    __LINE__, #call, st_, err_.message, needle);                                   \
        assert_int_equal(st_, status);                                                             \
        assert_non_null(strstr(err_.message, needle));                                             \
    } while (0)

/* SetStatus with a dict built by D(...), freeing it. */
static inline dn_status set_status(dn_engine *e, dn_gid g, dn_value *d, dn_error *err)
{
    dn_status st = dn_engine_set_status(e, g, d, err);
    dn_value_free(d);
    return st;
}
static inline dn_status kernel(dn_engine *e, dn_value *d, dn_error *err)
{
    dn_status st = dn_engine_set_kernel_status(e, d, err);
    dn_value_free(d);
    return st;
}
static inline dn_status create(dn_engine *e, const char *model, size_t n, dn_value *d,
                               dn_gid *first, dn_error *err)
{
    dn_status st = dn_engine_create(e, model, n, d, first, err);
    dn_value_free(d);
    return st;
}
static inline dn_status connect1(dn_engine *e, dn_gid s, dn_gid t, double w, double d,
                                 dn_error *err)
{
    dn_syn_spec sp = {NULL, w, d, 0, true, true, false};
    return dn_engine_connect(e, &s, 1, &t, 1, DN_RULE_ONE_TO_ONE, &sp, err);
}
static inline dn_status connect_default(dn_engine *e, dn_gid s, dn_gid t, dn_error *err)
{
    return dn_engine_connect(e, &s, 1, &t, 1, DN_RULE_ONE_TO_ONE, NULL, err);
}

/* events[key] of a recorder as a malloc'ed double array; *n = length */
static inline double *events(dn_engine *e, dn_gid rec, const char *key, size_t *n)
{
    dn_value *ev = NULL;
    dn_error err;
    assert_int_equal(dn_engine_get_key(e, rec, "events", &ev, &err), DN_OK);
    dn_value *l = dn_value_map_get(ev, key);
    assert_non_null(l);
    *n = dn_value_len(l);
    double *x = malloc((*n + 1) * sizeof *x);
    for (size_t k = 0; k < *n; k++) {
        const dn_value *v = dn_value_list_at(l, k);
        if (!dn_value_get_double(v, &x[k]))
            x[k] = NAN;
    }
    dn_value_free(ev);
    return x;
}

/* Read a CSV with a header; returns rows*cols doubles; *rows, *cols set. */
static inline double *read_csv(const char *path, size_t *rows, size_t *cols)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        fail();
    }
    char line[8192];
    size_t cap = 1024, n = 0, nc = 0;
    double *d = malloc(cap * sizeof *d);
    if (!fgets(line, sizeof line, f))
        fail();
    for (char *p = line; *p; p++)
        nc += *p == ',';
    nc++;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        for (size_t c = 0; c < nc; c++) {
            if (n == cap) {
                cap *= 2;
                d = realloc(d, cap * sizeof *d);
            }
            d[n++] = strtod(p, &p);
            if (*p == ',')
                p++;
        }
    }
    fclose(f);
    *cols = nc;
    *rows = n / nc;
    return d;
}

/* whole file as a malloc'ed string */
static inline char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

#endif

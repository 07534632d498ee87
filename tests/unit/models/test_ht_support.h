/* Helpers shared by the ht_neuron/ht_synapse tests: a small CSV reader for the NEST 2.20.2
 * reference traces in tests/data/ht/, and a comparison with the tolerance of the brief
 * (1e-6 relative, 1e-9 absolute near zero). Header-only: each test is its own executable. */
#ifndef DENEST_TEST_HT_SUPPORT_H
#define DENEST_TEST_HT_SUPPORT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DN_TEST_DATA
#error "DN_TEST_DATA must be defined by the build"
#endif

#define HT_CSV_MAXCOLS 16

/* A numeric CSV table with a header line. */
typedef struct ht_csv {
    int ncols;
    char names[HT_CSV_MAXCOLS][32];
    size_t nrows;
    double *v; /* nrows × ncols, row-major */
} ht_csv;

static inline void ht_csv_free(ht_csv *t)
{
    free(t->v);
    t->v = NULL;
    t->nrows = 0;
}

/* Column index of `name`, or -1. */
static inline int ht_csv_col(const ht_csv *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

static inline double ht_csv_at(const ht_csv *t, size_t row, int col)
{
    return t->v[row * (size_t)t->ncols + (size_t)col];
}

/* Read tests/data/ht/<file>. Returns 0 on success. */
static inline int ht_csv_load(const char *file, ht_csv *t)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/ht/%s", DN_TEST_DATA, file);
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    char line[4096];
    if (!fgets(line, sizeof line, fp)) {
        fclose(fp);
        return -1;
    }
    line[strcspn(line, "\r\n")] = 0;
    for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok && t->ncols < HT_CSV_MAXCOLS;
         tok = strtok_r(NULL, ",", &save)) {
        snprintf(t->names[t->ncols], sizeof t->names[0], "%s", tok);
        t->ncols++;
    }
    size_t cap = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '\n' || line[0] == 0)
            continue;
        if (t->nrows == cap) {
            cap = cap ? 2 * cap : 1024;
            double *nv = realloc(t->v, cap * (size_t)t->ncols * sizeof(double));
            if (!nv) {
                fclose(fp);
                ht_csv_free(t);
                return -1;
            }
            t->v = nv;
        }
        char *s = line;
        for (int c = 0; c < t->ncols; c++) {
            char *end;
            t->v[t->nrows * (size_t)t->ncols + (size_t)c] = strtod(s, &end);
            s = (*end == ',') ? end + 1 : end;
        }
        t->nrows++;
    }
    fclose(fp);
    return 0;
}

/* The tolerance of the brief: 1e-6 relative, 1e-9 absolute near zero. */
static inline int ht_close(double ours, double nest)
{
    return fabs(ours - nest) <= 1e-6 * fmax(fabs(ours), fabs(nest)) + 1e-9;
}

#endif

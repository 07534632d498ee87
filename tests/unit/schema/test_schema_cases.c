/* Validation error cases, one YAML file each in tests/data/schema/cases/: the file's
 * `# error: line:column: tree/path: message` header lines are exactly the errors dn_schema_validate
 * must report for it, in order (none = the file is valid). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "denest/log.h"
#include "denest/schema.h"

#define CASES DN_TEST_DATA "/schema/cases"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The expected lines of one case file (malloc'ed strings). */
static size_t expected_errors(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    size_t n = 0;
    *out = NULL;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# error: ", 9) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        *out = realloc(*out, (n + 1) * sizeof **out);
        assert_non_null(*out);
        (*out)[n++] = strdup(line + 9);
    }
    fclose(f);
    return n;
}

/* One case; returns the number of mismatches (each printed). */
static int run_case(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char **want;
    size_t n_want = expected_errors(path, &want);
    dn_tree *tree;
    dn_error err;
    if (dn_tree_read(path, &tree, &err) != DN_OK) {
        char buf[2048];
        dn_error_format(&err, buf, sizeof buf);
        print_error("%s: cannot read: %s\n", name, buf);
        return 1;
    }
    dn_schema_errors errors = {0};
    dn_status st = dn_schema_validate(tree, &errors);
    int bad = 0;
    if ((st == DN_OK) != (n_want == 0)) {
        print_error("%s: status %d with %zu expected errors\n", name, (int)st, n_want);
        bad++;
    }
    size_t prefix = strlen(path) + 1; /* "<path>:" */
    for (size_t i = 0; i < errors.len || i < n_want; i++) {
        char got[2048] = "(none)";
        if (i < errors.len) {
            dn_error_format(&errors.items[i], got, sizeof got);
            assert_true(strncmp(got, path, prefix - 1) == 0); /* every error has the file */
            memmove(got, got + prefix, strlen(got + prefix) + 1);
        }
        const char *exp = i < n_want ? want[i] : "(none)";
        if (strcmp(got, exp) != 0) {
            print_error("%s: error %zu\n  got:      %s\n  expected: %s\n", name, i, got, exp);
            bad++;
        }
    }
    for (size_t i = 0; i < n_want; i++)
        free(want[i]);
    free(want);
    dn_schema_errors_free(&errors);
    dn_tree_free(tree);
    return bad;
}

static void test_cases(void **state)
{
    (void)state;
    DIR *d = opendir(CASES);
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".yml") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    assert_true(n >= 19); /* the suite cannot pass by finding no cases */
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad += run_case(CASES, names[i]);
        free(names[i]);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    dn_log_set_level(DN_LOG_OFF);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

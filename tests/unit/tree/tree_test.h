/* Helpers shared by the tree layer's tests: build values and trees from YAML text, and check an
 * error record's status, position, tree path and message in one call. */
#ifndef DN_TREE_TEST_H
#define DN_TREE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/tree.h"
#include "denest/value.h"
#include "denest/yaml.h"

static inline dn_value *yv(const char *text)
{
    dn_error err;
    dn_value *v = NULL;
    dn_status st = dn_yaml_load_string(text, strlen(text), "<test>", &v, &err);
    if (st != DN_OK)
        fail_msg("YAML did not load: %s\n%s", err.message, text);
    return v;
}

static inline dn_tree *yt(const char *text)
{
    dn_error err;
    dn_tree *t = NULL;
    dn_status st = dn_tree_read_string(text, strlen(text), "<test>", &t, &err);
    if (st != DN_OK)
        fail_msg("tree did not load: %s\n%s", err.message, text);
    return t;
}

/* Check an error: status, file (NULL: don't check), line, column, path, message part. */
#define assert_error(st, err, status_, file_, line_, col_, path_, part_)                           \
    do {                                                                                           \
        assert_int_equal((st), (status_));                                                         \
        assert_int_equal((err).status, (status_));                                                 \
        if ((file_) != NULL) {                                                                     \
            assert_non_null((err).mark.file);                                                      \
            assert_string_equal((err).mark.file, (const char *)(file_));                           \
        }                                                                                          \
        assert_int_equal((err).mark.line, (line_));                                                \
        assert_int_equal((err).mark.column, (col_));                                               \
        assert_string_equal((err).path, (path_));                                                  \
        if (!strstr((err).message, (part_)))                                                       \
            fail_msg("message \"%s\" lacks \"%s\"", (err).message, (part_));                       \
    } while (0)

static inline const char *data_path(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", DN_TEST_DATA, rel);
    return buf;
}

#endif

/* deNEST's load_trees (spec §1.5): a tree_paths.yml lists parameter files relative to its own
 * directory; the files are read and merged behind the override trees (earlier wins). */
#include "denest/tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "denest/log.h"
#include "denest/yaml.h"

/* Append s[0..n) to path at *len, dropping "." components and repeated slashes as Python's
 * pathlib does ("./network/x.yml" -> "network/x.yml"). */
static void append_components(char *out, size_t *len, const char *s)
{
    while (*s) {
        while (*s == '/')
            s++;
        size_t c = strcspn(s, "/");
        if (c == 0)
            break;
        if (!(c == 1 && s[0] == '.')) {
            if (*len && out[*len - 1] != '/')
                out[(*len)++] = '/';
            memcpy(out + *len, s, c);
            *len += c;
        }
        s += c;
    }
    out[*len] = '\0';
}

/* The entry resolved against the directory of the tree-paths file; malloc'ed. */
static char *resolve(const char *tree_paths, const char *entry)
{
    size_t cap = strlen(tree_paths) + strlen(entry) + 4;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t len = 0;
    out[0] = '\0';
    if (entry[0] == '/') {
        out[len++] = '/';
        out[len] = '\0';
        append_components(out, &len, entry);
        return out;
    }
    const char *slash = strrchr(tree_paths, '/');
    if (slash) {
        if (tree_paths[0] == '/') {
            out[len++] = '/';
            out[len] = '\0';
        }
        char *dir = strndup(tree_paths, (size_t)(slash - tree_paths));
        if (!dir) {
            free(out);
            return NULL;
        }
        append_components(out, &len, dir);
        free(dir);
    }
    append_components(out, &len, entry);
    if (len == 0) {
        out[0] = '.';
        out[1] = '\0';
    }
    return out;
}

/* Log the entries as written, as Python's pformat shows a list of strings (one line if it fits
 * in 80 columns, else one entry per line). */
static void log_paths(const dn_value *list)
{
    if (!dn_log_enabled(DN_LOG_INFO))
        return;
    size_t n = list->u.list.len, total = 2;
    for (size_t i = 0; i < n; i++)
        total += list->u.list.items[i]->u.s.len + 2 + (i ? 2 : 0);
    char *msg = malloc(total + n + 1);
    if (!msg)
        return;
    bool one_line = total <= 80;
    size_t len = 0;
    msg[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            len += (size_t)sprintf(msg + len, one_line ? ", " : ",\n ");
        len += (size_t)sprintf(msg + len, "'%s'", list->u.list.items[i]->u.s.ptr);
    }
    msg[len++] = ']';
    msg[len] = '\0';
    dn_log_info("", "Loading parameters files: \n%s", msg);
    free(msg);
}

dn_status dn_tree_load(const char *tree_paths_file, const dn_tree *const *overrides,
                       size_t n_overrides, dn_tree **out, dn_error *err)
{
    *out = NULL;
    dn_log_info("", "Loading parameter file paths from %s", tree_paths_file);
    dn_value *list;
    dn_status st = dn_yaml_load_file(tree_paths_file, &list, err);
    if (st != DN_OK)
        return st;
    if (list->type != DN_VALUE_LIST && list->type != DN_VALUE_NULL) {
        dn_mark m = list->mark;
        const char *kind = dn_value_a_kind(list);
        dn_value_free(list);
        return dn_error_set(err, DN_EINPUT, &m, NULL,
                            "a tree_paths file must be a YAML list of parameter file paths "
                            "(lines such as `- ./network/layers.yml`), not %s",
                            kind);
    }
    size_t n = dn_value_len(list);
    if (n == 0) {
        dn_mark m = list->mark;
        dn_value_free(list);
        return dn_error_set(err, DN_EINPUT, &m, NULL,
                            "tree_paths file lists no parameter files; add lines such as "
                            "`- ./network/layers.yml`");
    }
    for (size_t i = 0; i < n; i++) {
        const dn_value *e = list->u.list.items[i];
        if (e->type != DN_VALUE_STRING || e->u.s.len == 0 || strlen(e->u.s.ptr) != e->u.s.len) {
            dn_mark m = e->mark;
            const char *kind = e->type == DN_VALUE_STRING ? "an empty string" : dn_value_a_kind(e);
            dn_value_free(list);
            return dn_error_set(err, DN_EINPUT, &m, NULL,
                                "entry %zu of the tree_paths file must be a file path, not %s",
                                i + 1, kind);
        }
    }
    if (n_overrides)
        dn_log_info("", "Using %zu override tree(s)", n_overrides);

    char **paths = calloc(n, sizeof *paths);
    const dn_tree **all = calloc(n_overrides + n, sizeof *all);
    dn_tree **files = calloc(n, sizeof *files);
    if (!paths || !all || !files) {
        free(paths);
        free(all);
        free(files);
        dn_value_free(list);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory loading parameter files");
    }
    for (size_t i = 0; i < n && st == DN_OK; i++)
        if (!(paths[i] = resolve(tree_paths_file, list->u.list.items[i]->u.s.ptr)))
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory loading parameter files");
    if (st == DN_OK) {
        dn_log_info("", "Finished loading parameter file paths");
        log_paths(list);
    }
    for (size_t i = 0; i < n && st == DN_OK; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
            st = dn_error_set(err, DN_EINPUT, &list->u.list.items[i]->mark, NULL,
                              "No parameter file at %s (listed in %s; paths are relative to "
                              "the directory of the tree_paths file)",
                              paths[i], tree_paths_file);
            break;
        }
        st = dn_tree_read(paths[i], &files[i], err);
    }
    if (st == DN_OK) {
        for (size_t k = 0; k < n_overrides; k++)
            all[k] = overrides[k];
        for (size_t i = 0; i < n; i++)
            all[n_overrides + i] = files[i];
        st = dn_tree_merge(all, n_overrides + n, out, err);
        if (st == DN_OK && dn_tree_set_name(*out, tree_paths_file) != DN_OK) {
            dn_tree_free(*out);
            *out = NULL;
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory loading parameter files");
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
        dn_tree_free(files[i]);
    }
    free(paths);
    free(files);
    free(all);
    dn_value_free(list);
    return st;
}

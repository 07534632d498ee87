/* ParamsTree as plain data and text (deNEST spec §1.6): asdict, YAML writing, str, and repr with
 * deNEST's 30-line truncation. */
#include "denest/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/yaml.h"

static dn_status asdict(const dn_tree *t, dn_value **out)
{
    dn_value *m = dn_value_map();
    if (!m)
        return DN_ENOMEM;
    m->mark = t->mark;
    for (int w = 0; w < DN_TREE_NDATA; w++) {
        dn_value *k = dn_value_string(dn_tree_data_name((dn_tree_data)w));
        if (k)
            k->mark = t->data_mark[w];
        if (dn_value_map_set_key(m, k, dn_value_copy(t->data[w])) != DN_OK) {
            dn_value_free(m);
            return DN_ENOMEM;
        }
    }
    for (size_t i = 0; i < t->n_children; i++) {
        const dn_tree *c = t->children[i];
        dn_value *sub;
        if (asdict(c, &sub) != DN_OK ||
            dn_value_map_set_key(m, dn_value_copy(c->name), sub) != DN_OK) {
            dn_value_free(m);
            return DN_ENOMEM;
        }
    }
    *out = m;
    return DN_OK;
}

dn_status dn_tree_asdict(const dn_tree *node, dn_value **out, dn_error *err)
{
    *out = NULL;
    if (asdict(node, out) != DN_OK)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory converting a tree");
    return DN_OK;
}

dn_status dn_tree_write(const dn_tree *node, const char *path, dn_error *err)
{
    dn_value *d;
    dn_status st = dn_tree_asdict(node, &d, err);
    if (st != DN_OK)
        return st;
    st = dn_yaml_write_file(d, path, err);
    dn_value_free(d);
    return st;
}

dn_status dn_tree_str(const dn_tree *node, char **out, dn_error *err)
{
    *out = NULL;
    dn_value *d;
    dn_status st = dn_tree_asdict(node, &d, err);
    if (st != DN_OK)
        return st;
    st = dn_yaml_emit_string(d, out, err);
    dn_value_free(d);
    return st;
}

/* repr keeps this many lines at each end of a long tree (deNEST prints 15 + 15). */
#define REPR_KEEP 15

dn_status dn_tree_repr(const dn_tree *node, char **out, dn_error *err)
{
    *out = NULL;
    char *yaml;
    dn_status st = dn_tree_str(node, &yaml, err);
    if (st != DN_OK)
        return st;
    /* Lines of the YAML split at '\n' (its final newline gives a last, empty line). */
    size_t n_lines = 1;
    for (const char *p = yaml; *p; p++)
        n_lines += *p == '\n';
    const char **lines = malloc(n_lines * sizeof *lines);
    size_t *lens = malloc(n_lines * sizeof *lens);
    char name[256], parent[256];
    dn_tree_name_text(node, name, sizeof name);
    if (node->parent)
        dn_tree_name_text(node->parent, parent, sizeof parent);
    size_t cap = strlen(yaml) + 3 * n_lines + sizeof name + sizeof parent + 128;
    char *s = malloc(cap);
    if (!lines || !lens || !s) {
        free(lines);
        free(lens);
        free(s);
        free(yaml);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory printing a tree");
    }
    const char *p = yaml;
    for (size_t i = 0; i < n_lines; i++) {
        const char *nl = strchr(p, '\n');
        lines[i] = p;
        lens[i] = nl ? (size_t)(nl - p) : strlen(p);
        p = nl ? nl + 1 : p + lens[i];
    }
    size_t len = (size_t)snprintf(s, cap, "ParamsTree(name='%s', parent=%s%s%s)", name,
                                  node->parent ? "'" : "", node->parent ? parent : "None",
                                  node->parent ? "'" : "");
    bool cut = n_lines >= 2 * REPR_KEEP;
    for (size_t i = 0; i < n_lines; i++) {
        if (cut && i == REPR_KEEP) {
            len += (size_t)snprintf(s + len, cap - len, "\n  \n  ... [%zu lines] ...\n",
                                    n_lines - 2 * REPR_KEEP);
            i = n_lines - REPR_KEEP;
        }
        len += (size_t)snprintf(s + len, cap - len, "\n  %.*s", (int)lens[i], lines[i]);
    }
    free(lines);
    free(lens);
    free(yaml);
    *out = s;
    return DN_OK;
}

/* Override trees from command-line assignments (`--set kernel.nest_params.resolution=0.1`):
 * a dotted path of child names, a data key (params/nest_params), one parameter, and a YAML value
 * read with our reader. Segments resolve like YAML keys (so `layers.0.params` names child 0). */
#include "denest/tree.h"

#include <stdlib.h>
#include <string.h>

#include "denest/yaml.h"
#include "tree/tree_internal.h"

#define FORM                                                                                       \
    "expected <child>.<child>...<params|nest_params>.<key>=<YAML value>, e.g. "                    \
    "kernel.nest_params.resolution=0.1"

/* Shift the columns of marks on line 1 by `by` (the value started after "<path>="). */
static void shift_marks(dn_value *v, int by)
{
    if (v->mark.line == 1)
        v->mark.column += by;
    if (v->type == DN_VALUE_LIST)
        for (size_t i = 0; i < v->u.list.len; i++)
            shift_marks(v->u.list.items[i], by);
    else if (v->type == DN_VALUE_MAP)
        for (size_t i = 0; i < v->u.map.len; i++) {
            shift_marks(v->u.map.items[i].key, by);
            shift_marks(v->u.map.items[i].value, by);
        }
}

static dn_status form_error(dn_error *err, const char *source, size_t column, const char *what)
{
    dn_mark m = {source, 1, (int)column};
    return dn_error_set(err, DN_EINPUT, &m, NULL, "bad assignment: %s; " FORM, what);
}

dn_status dn_tree_from_assignment(const char *assignment, dn_tree **out, dn_error *err)
{
    *out = NULL;
    const char *source = dn_intern("<command line>");
    if (!source)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return form_error(err, source, 1, "no '='");
    size_t lhs_len = (size_t)(eq - assignment);

    /* Split the left-hand side into segments (offsets into assignment). */
    size_t n_seg = 1;
    for (size_t i = 0; i < lhs_len; i++)
        n_seg += assignment[i] == '.';
    size_t *start = malloc(n_seg * sizeof *start);
    size_t *len = malloc(n_seg * sizeof *len);
    if (!start || !len) {
        free(start);
        free(len);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    size_t s = 0, k = 0;
    for (size_t i = 0; i <= lhs_len; i++) {
        if (i == lhs_len || assignment[i] == '.') {
            start[k] = s;
            len[k] = i - s;
            k++;
            s = i + 1;
        }
    }
    dn_status st = DN_OK;
    int which = -1;
    for (size_t i = 0; i < n_seg && st == DN_OK; i++)
        if (len[i] == 0)
            st = form_error(err, source, start[i] + 1, "empty name in the dotted path");
    if (st == DN_OK && n_seg < 2)
        st = form_error(err, source, 1, "the path needs at least params or nest_params and a key");
    if (st == DN_OK) {
        const char *d = assignment + start[n_seg - 2];
        size_t dl = len[n_seg - 2];
        if (dl == 6 && memcmp(d, "params", 6) == 0)
            which = DN_PARAMS;
        else if (dl == 11 && memcmp(d, "nest_params", 11) == 0)
            which = DN_NEST_PARAMS;
        else
            st = form_error(err, source, start[n_seg - 2] + 1,
                            "the second-to-last name must be params or nest_params");
    }
    for (size_t i = 0; i + 2 < n_seg && st == DN_OK; i++) {
        const char *seg = assignment + start[i];
        if ((len[i] == 6 && memcmp(seg, "params", 6) == 0) ||
            (len[i] == 11 && memcmp(seg, "nest_params", 11) == 0))
            st = form_error(err, source, start[i] + 1,
                            "params/nest_params may only appear second to last");
    }
    dn_value *value = NULL;
    if (st == DN_OK) {
        const char *text = eq + 1;
        st = dn_yaml_load_string(text, strlen(text), "<command line>", &value, err);
        if (st != DN_OK && err && err->mark.file == source) {
            /* Point into the whole assignment. libyaml reports errors at the end of a one-line
             * value on the (virtual) next line. */
            if (!strchr(text, '\n') && err->mark.line > 1) {
                err->mark.line = 1;
                err->mark.column = (int)strlen(text) + 1;
            }
            if (err->mark.line == 1)
                err->mark.column += (int)(lhs_len + 1);
            dn_error_prefix(err, "in the value of %.*s: ", (int)lhs_len, assignment);
        }
        if (st == DN_OK)
            shift_marks(value, (int)(lhs_len + 1)); /* marks into the whole assignment */
    }
    dn_tree *root = NULL;
    if (st == DN_OK && !(root = dn_tree_new()))
        st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    dn_tree *node = root;
    for (size_t i = 0; i + 2 < n_seg && st == DN_OK; i++) {
        dn_value *name = dn_yaml_resolve_plain(assignment + start[i], len[i], NULL);
        if (!name) {
            name = dn_value_string_n(assignment + start[i], len[i]);
        }
        dn_mark m = {source, 1, (int)start[i] + 1};
        node = name ? dn_tree_new_child(node, name, m) : NULL;
        dn_value_free(name);
        if (!node)
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    if (st == DN_OK) {
        size_t i = n_seg - 1;
        dn_value *key = dn_yaml_resolve_plain(assignment + start[i], len[i], NULL);
        if (!key)
            key = dn_value_string_n(assignment + start[i], len[i]);
        if (key)
            key->mark = (dn_mark){source, 1, (int)start[i] + 1};
        node->data_mark[which] = (dn_mark){source, 1, (int)start[n_seg - 2] + 1};
        st = dn_value_map_set_key(node->data[which], key, value);
        value = NULL;
        if (st != DN_OK)
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    dn_value_free(value);
    free(start);
    free(len);
    if (st != DN_OK) {
        dn_tree_free(root);
        return st;
    }
    *out = root;
    return DN_OK;
}

/* Merging ParamsTrees (deNEST spec §1.4, decisions.md): per position and data key the earliest
 * tree wins (whole values, shallow); children are the union in first-appearance order across the
 * arguments (deNEST's order was random), merged recursively. */
#include "denest/tree.h"

#include <stdlib.h>

#include "tree/tree_internal.h"

/* Merge the nodes srcs[0..n) (all at the same position) into dst. */
static dn_status merge_nodes(dn_tree *dst, const dn_tree **srcs, size_t n)
{
    for (int w = 0; w < DN_TREE_NDATA; w++) {
        for (size_t k = 0; k < n; k++) {
            const dn_value *own = srcs[k]->data[w];
            if (own->u.map.len && !dst->data_mark[w].line)
                dst->data_mark[w] = srcs[k]->data_mark[w];
            for (size_t i = 0; i < own->u.map.len; i++) {
                const dn_value *key = own->u.map.items[i].key;
                if (dn_value_map_get_key(dst->data[w], key))
                    continue; /* an earlier tree defines it: earlier wins */
                if (dn_value_map_set_key(dst->data[w], dn_value_copy(key),
                                         dn_value_copy(own->u.map.items[i].value)) != DN_OK)
                    return DN_ENOMEM;
            }
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (!dst->mark.line)
            dst->mark = srcs[k]->mark;
        for (size_t i = 0; i < srcs[k]->n_children; i++) {
            const dn_tree *c = srcs[k]->children[i];
            if (!dn_tree_child_key(dst, c->name) && !dn_tree_new_child(dst, c->name, c->mark))
                return DN_ENOMEM;
        }
    }
    if (dst->n_children == 0 || n == 0)
        return DN_OK;
    const dn_tree **sub = malloc(n * sizeof *sub);
    if (!sub)
        return DN_ENOMEM;
    dn_status st = DN_OK;
    for (size_t i = 0; i < dst->n_children && st == DN_OK; i++) {
        dn_tree *c = dst->children[i];
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            const dn_tree *s = dn_tree_child_key(srcs[k], c->name);
            if (s)
                sub[m++] = s;
        }
        st = merge_nodes(c, sub, m);
    }
    free(sub);
    return st;
}

dn_status dn_tree_merge(const dn_tree *const *trees, size_t n, dn_tree **out, dn_error *err)
{
    *out = dn_tree_new();
    if (!*out)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory merging trees");
    if (n == 0)
        return DN_OK;
    const dn_tree **srcs = malloc(n * sizeof *srcs);
    dn_status st = srcs ? DN_OK : DN_ENOMEM;
    if (srcs) {
        for (size_t k = 0; k < n; k++)
            srcs[k] = trees[k];
        st = merge_nodes(*out, srcs, n);
        free(srcs);
    }
    if (st != DN_OK) {
        dn_tree_free(*out);
        *out = NULL;
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory merging trees");
    }
    return DN_OK;
}

/* Leaves of a ParamsTree (deNEST spec §1.3): depth-first pre-order in stored order, and the
 * duplicate-leaf-name check that deNEST lacks (it silently keeps the last leaf of a name). */
#include "denest/tree.h"

#include <stdlib.h>

typedef struct leaf_list {
    const dn_tree **items;
    size_t n, cap;
} leaf_list;

static dn_status collect(const dn_tree *t, leaf_list *l)
{
    if (t->n_children == 0) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 16;
            const dn_tree **items = realloc(l->items, cap * sizeof *items);
            if (!items)
                return DN_ENOMEM;
            l->items = items;
            l->cap = cap;
        }
        l->items[l->n++] = t;
        return DN_OK;
    }
    for (size_t i = 0; i < t->n_children; i++)
        if (collect(t->children[i], l) != DN_OK)
            return DN_ENOMEM;
    return DN_OK;
}

dn_status dn_tree_leaves(const dn_tree *node, bool include_self, const dn_tree ***out, size_t *n,
                         dn_error *err)
{
    *out = NULL;
    *n = 0;
    if (node->n_children == 0 && !include_self)
        return DN_OK;
    leaf_list l = {0};
    if (collect(node, &l) != DN_OK) {
        free(l.items);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory listing tree leaves");
    }
    *out = l.items;
    *n = l.n;
    return DN_OK;
}

dn_status dn_tree_check_unique_leaves(const dn_tree *node, dn_error *err)
{
    const dn_tree **leaves;
    size_t n;
    dn_status st = dn_tree_leaves(node, false, &leaves, &n, err);
    if (st != DN_OK)
        return st;
    /* name -> index of the first leaf with it (a value map gives hashed lookup). */
    dn_value *seen = dn_value_map();
    if (!seen && n) {
        free(leaves);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory checking leaf names");
    }
    for (size_t i = 0; i < n && st == DN_OK; i++) {
        const dn_value *name = leaves[i]->name;
        if (!name)
            continue;
        const dn_value *first = dn_value_map_get_key(seen, name);
        if (first) {
            char p1[DN_ERROR_PATH_MAX], p2[DN_ERROR_PATH_MAX], nm[128];
            dn_tree_path(leaves[first->u.i], NULL, p1, sizeof p1);
            dn_tree_path(leaves[i], NULL, p2, sizeof p2);
            dn_tree_name_text(leaves[i], nm, sizeof nm);
            char where[DN_ERROR_PATH_MAX];
            dn_tree_path(node, NULL, where, sizeof where);
            st = dn_error_set(err, DN_EINPUT, &leaves[i]->mark, p2,
                              "two leaves are named '%s': %s and %s; leaf names must be unique "
                              "within %s (rename one of them)",
                              nm, p1, p2, where[0] ? where : "the tree");
            break;
        }
        if (dn_value_map_set_key(seen, dn_value_copy(name), dn_value_int((int64_t)i)) != DN_OK)
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory checking leaf names");
    }
    dn_value_free(seen);
    free(leaves);
    return st;
}

/* dn_schema_validate: walks the node tables from the root (denest.md §3.1) — fixed nodes are
 * checked on their own data, leaf subtrees leaf by leaf on inherited data — then checks the
 * references between subtrees (schema_refs.c). Every problem goes to the error list. */
#include "schema_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Check one object's params and nest_params; `top` is where inheritance starts (the container
 * of a leaf subtree, or the node itself). */
static void check_object(sc_ctx *ctx, const dn_schema_node *spec, const dn_tree *node,
                         const dn_tree *top)
{
    spec = dn_schema_variant(spec, node, top);
    sc_eff eff[DN_TREE_NDATA];
    bool ok = true;
    for (int d = 0; d < DN_TREE_NDATA; d++)
        if (!sc_eff_build(&eff[d], node, top, (dn_tree_data)d)) {
            ok = false;
            for (int k = 0; k < d; k++)
                sc_eff_free(&eff[k]);
            break;
        }
    if (!ok) {
        sc_nomem(ctx);
        return;
    }
    char label[192], name[128];
    if (spec->children == DN_SCHEMA_NO_CHILDREN && node->parent && top != node)
        sc_fmt(label, sizeof label, "%s `%s`", spec->name,
               dn_tree_name_text(node, name, sizeof name));
    else
        sc_fmt(label, sizeof label, "%s", spec->name);
    for (int d = 0; d < DN_TREE_NDATA; d++) {
        sc_where w = {node, (dn_tree_data)d, spec->name,       label,
                      NULL, node->mark,      spec->data[1 - d]};
        sc_check_table(ctx, spec->data[d], &eff[d], &eff[1 - d], &w);
    }
    for (int d = 0; d < DN_TREE_NDATA; d++)
        sc_eff_free(&eff[d]);
}

static void unknown_child(sc_ctx *ctx, const dn_schema_node *spec, const dn_tree *child)
{
    char name[128], path[DN_ERROR_PATH_MAX], hint[160];
    dn_tree_name_text(child, name, sizeof name);
    dn_tree_path(child, NULL, path, sizeof path);
    const char *cands[16];
    size_t n = 0;
    for (size_t i = 0; i < spec->n_child && n < 14; i++)
        cands[n++] = spec->child[i].name;
    /* A child that looks like a data key is a misspelled `params:` / `nest_params:`. */
    cands[n++] = "params";
    cands[n++] = "nest_params";
    sc_suggestion(name, cands, n, hint, sizeof hint);
    if (spec->children == DN_SCHEMA_NO_CHILDREN) {
        sc_error(ctx, &child->mark, path,
                 "%s has no subtrees, so `%s` is not allowed (data go under params or "
                 "nest_params)%s",
                 spec->name, name, hint);
        return;
    }
    char known[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < spec->n_child && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                                spec->child[i].name);
    if (hint[0])
        sc_error(ctx, &child->mark, path, "unknown subtree `%s` in %s%s", name, spec->name, hint);
    else
        sc_error(ctx, &child->mark, path, "unknown subtree `%s` in %s; allowed: %s", name,
                 spec->name, known);
}

static void check_node(sc_ctx *ctx, const dn_schema_node *spec, const dn_tree *node)
{
    if (spec->children == DN_SCHEMA_LEAVES) {
        /* deNEST keyed leaves by name and silently kept the last one (§1.3). */
        dn_error e;
        dn_error_clear(&e);
        dn_status st = dn_tree_check_unique_leaves(node, &e);
        if (st == DN_ENOMEM) {
            sc_nomem(ctx);
            return;
        }
        if (st != DN_OK)
            dn_schema_errors_add(ctx->errors, &e);
        const dn_tree **leaves;
        size_t n;
        if (dn_tree_leaves(node, false, &leaves, &n, &e) != DN_OK) {
            sc_nomem(ctx);
            return;
        }
        for (size_t i = 0; i < n; i++)
            check_object(ctx, spec->leaf, leaves[i], node);
        free(leaves);
        return;
    }
    check_object(ctx, spec, node, node);
    for (size_t i = 0; i < node->n_children; i++) {
        const dn_tree *child = node->children[i];
        const dn_schema_node *cs = NULL;
        if (spec->children == DN_SCHEMA_NAMED && child->name &&
            child->name->type == DN_VALUE_STRING)
            for (size_t k = 0; k < spec->n_child && !cs; k++)
                if (strcmp(spec->child[k].name, child->name->u.s.ptr) == 0)
                    cs = spec->child[k].node;
        if (cs)
            check_node(ctx, cs, child);
        else
            unknown_child(ctx, spec, child);
    }
    for (size_t k = 0; spec->children == DN_SCHEMA_NAMED && k < spec->n_child; k++) {
        if (spec->child[k].mandatory && !dn_tree_child(node, spec->child[k].name)) {
            char path[DN_ERROR_PATH_MAX];
            dn_tree_path(node, NULL, path, sizeof path);
            sc_error(ctx, &node->mark, path, "missing mandatory subtree `%s` in %s",
                     spec->child[k].name, spec->name);
        }
    }
}

dn_status dn_schema_validate(const dn_tree *root, dn_schema_errors *errors)
{
    sc_ctx ctx = {errors};
    check_node(&ctx, &dn_schema_root, root);
    sc_check_refs(&ctx, root);
    return dn_schema_errors_status(errors);
}

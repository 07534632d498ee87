/* `denest show FILE [SUBTREE]`: the merged tree as YAML, or the leaves of one subtree with
 * their inherited data in the notation of deNEST's tutorial:
 *     l1_exc
 *       params: {'nest_model': 'ht_neuron'}
 *       nest_params: {'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -44.0}                              */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "denest/net.h"
#include "denest/sim.h"
#include "denest/suggest.h"
#include "denest/yaml.h"

/* The child of node named by one path segment: a string name, or failing that an integer key
 * (deNEST trees may have keys such as 0:). */
static const dn_tree *child_named(const dn_tree *node, const char *seg)
{
    const dn_tree *c = dn_tree_child(node, seg);
    if (c)
        return c;
    bool overflow = false;
    dn_value *k = dn_yaml_resolve_plain(seg, strlen(seg), &overflow);
    if (k && k->type != DN_VALUE_STRING)
        c = dn_tree_child_key(node, k);
    dn_value_free(k);
    return c;
}

static dn_status no_such_subtree(const dn_tree *node, const char *seg, const char *walked,
                                 dn_error *err)
{
    size_t n = dn_tree_n_children(node);
    char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    char known[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[128];
        names[i] = strdup(dn_tree_name_text(dn_tree_child_at(node, i), buf, sizeof buf));
        if (names[i] && len < sizeof known)
            len +=
                (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", names[i]);
    }
    const char *s = dn_suggest(seg, (const char *const *)names, n);
    char hint[192] = "";
    if (s)
        snprintf(hint, sizeof hint, " (did you mean `%s`?)", s);
    else if (n)
        snprintf(hint, sizeof hint, "; its subtrees: %.150s", known);
    else
        snprintf(hint, sizeof hint, "; it has no subtrees");
    dn_status st = dn_error_set(err, DN_EINPUT, NULL, NULL, "no subtree `%s` in %s%s", seg,
                                walked[0] ? walked : "the tree's root", hint);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

static dn_status print_leaf(const dn_tree *leaf, dn_error *err)
{
    char name[256];
    printf("%s\n", dn_tree_name_text(leaf, name, sizeof name));
    for (int d = 0; d < DN_TREE_NDATA; d++) {
        dn_value *eff;
        dn_status st = dn_tree_effective(leaf, (dn_tree_data)d, &eff, err);
        if (st != DN_OK)
            return st;
        char *repr = dn_value_repr(eff);
        dn_value_free(eff);
        if (!repr)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
        printf("  %s: %s\n", dn_tree_data_name((dn_tree_data)d), repr);
        free(repr);
    }
    return DN_OK;
}

/* `show --network`: build the kernel and the network as a run would (every check included),
 * print layers, projections and recorders, and write nothing. */
static dn_status show_network(const dn_tree *tree, dn_error *err)
{
    dn_sim_options opt = {0};
    opt.build_only = true;
    dn_sim *sim;
    dn_status st = dn_sim_create(tree, &opt, &sim, err);
    if (st != DN_OK)
        return st;
    dn_net_describe(dn_sim_net(sim), stdout);
    dn_sim_free(sim);
    return DN_OK;
}

dn_status dn_cli_show(const dn_tree *tree, const dn_cli_options *o, dn_error *err)
{
    if (o->network)
        return show_network(tree, err);
    if (!o->subtree || !o->subtree[0] || strcmp(o->subtree, "/") == 0) {
        char *text;
        dn_status st = dn_tree_str(tree, &text, err);
        if (st != DN_OK)
            return st;
        fputs(text, stdout);
        free(text);
        return DN_OK;
    }
    /* Walk the path segment by segment (empty segments from `a//b` or a trailing `/` skipped). */
    char *path = strdup(o->subtree);
    if (!path)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    const dn_tree *node = tree;
    char walked[DN_ERROR_PATH_MAX] = "";
    dn_status st = DN_OK;
    char *save = NULL;
    for (char *seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        const dn_tree *c = child_named(node, seg);
        if (!c) {
            st = no_such_subtree(node, seg, walked, err);
            break;
        }
        size_t len = strlen(walked);
        snprintf(walked + len, sizeof walked - len, "%s%s", len ? "/" : "", seg);
        node = c;
    }
    free(path);
    if (st != DN_OK)
        return st;
    const dn_tree **leaves;
    size_t n;
    st = dn_tree_leaves(node, true, &leaves, &n, err);
    for (size_t i = 0; st == DN_OK && i < n; i++)
        st = print_leaf(leaves[i], err);
    free(leaves);
    return st;
}

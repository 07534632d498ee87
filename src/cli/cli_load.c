/* Loading the parameter tree for every subcommand: the override trees built from the command
 * line (--set, -o, -i) in front of the files, and the choice between a tree_paths list and a
 * single parameter file, made by the file's content. */
#include <stdlib.h>

#include "cli.h"
#include "denest/yaml.h"

/* {simulation: {params: {output_dir: DIR, input_dir: DIR}}} for -o / -i (spec §9.1). */
static dn_status dir_override(const dn_cli_options *o, dn_tree **out, dn_error *err)
{
    *out = NULL;
    dn_tree *t = dn_tree_new(), *sim = NULL;
    if (!t)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    dn_status st = dn_tree_add_child(t, "simulation", &sim, err);
    if (st == DN_OK && o->output_dir) {
        dn_value *v = dn_value_string(o->output_dir);
        st = v ? dn_tree_set_param(sim, DN_PARAMS, "output_dir", v) : DN_ENOMEM;
    }
    if (st == DN_OK && o->input_dir) {
        dn_value *v = dn_value_string(o->input_dir);
        st = v ? dn_tree_set_param(sim, DN_PARAMS, "input_dir", v) : DN_ENOMEM;
    }
    if (st != DN_OK) {
        dn_tree_free(t);
        if (st == DN_ENOMEM)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
        return st;
    }
    *out = t;
    return DN_OK;
}

/* The overrides, highest precedence first. */
static dn_status overrides(const dn_cli_options *o, dn_tree ***out, size_t *n, dn_error *err)
{
    *n = 0;
    *out = calloc(o->n_sets + 1, sizeof **out);
    if (!*out)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    /* The last --set given wins, as on most command lines: it goes first. */
    for (size_t i = o->n_sets; i-- > 0;) {
        dn_status st = dn_tree_from_assignment(o->sets[i], &(*out)[*n], err);
        if (st != DN_OK)
            return st;
        (*n)++;
    }
    if (o->output_dir || o->input_dir) {
        dn_status st = dir_override(o, &(*out)[*n], err);
        if (st != DN_OK)
            return st;
        (*n)++;
    }
    return DN_OK;
}

static void free_overrides(dn_tree **trees, size_t n)
{
    for (size_t i = 0; trees && i < n; i++)
        dn_tree_free(trees[i]);
    free(trees);
}

/* A single parameter file, with the overrides merged in front. */
static dn_status load_single(const dn_cli_options *o, const dn_value *doc, dn_tree *const *ovr,
                             size_t n_ovr, dn_tree **out, dn_error *err)
{
    dn_tree *file;
    dn_status st = dn_tree_from_value(doc, &file, err);
    if (st != DN_OK)
        return st;
    const dn_tree **all = calloc(n_ovr + 1, sizeof *all);
    if (!all) {
        dn_tree_free(file);
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    for (size_t i = 0; i < n_ovr; i++)
        all[i] = ovr[i];
    all[n_ovr] = file;
    st = dn_tree_merge(all, n_ovr + 1, out, err);
    free(all);
    dn_tree_free(file);
    if (st == DN_OK && dn_tree_set_name(*out, o->file) != DN_OK) {
        dn_tree_free(*out);
        *out = NULL;
        st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    }
    return st;
}

dn_status dn_cli_load(const dn_cli_options *o, dn_tree **out, dn_error *err)
{
    *out = NULL;
    dn_tree **ovr;
    size_t n_ovr;
    dn_status st = overrides(o, &ovr, &n_ovr, err);
    if (st != DN_OK) {
        free_overrides(ovr, n_ovr);
        return st;
    }
    /* Decide by content: a list names parameter files, anything else is one tree. The file
     * is read twice for a tree_paths list; it is a few lines. */
    dn_value *doc;
    st = dn_yaml_load_file(o->file, &doc, err);
    if (st == DN_OK) {
        if (doc->type == DN_VALUE_LIST)
            st = dn_tree_load(o->file, (const dn_tree *const *)ovr, n_ovr, out, err);
        else
            st = load_single(o, doc, ovr, n_ovr, out, err);
        dn_value_free(doc);
    }
    free_overrides(ovr, n_ovr);
    return st;
}

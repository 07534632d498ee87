/* The `denest` command's internals (not a public header): parsed options, loading the tree the
 * way every subcommand does (files + overrides), and the run step the sim layer will provide. */
#ifndef DENEST_CLI_H
#define DENEST_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/error.h"
#include "denest/log.h"
#include "denest/tree.h"

/* Keep equal to project(VERSION) in CMakeLists.txt (tests/e2e/test_cli_basic.sh checks it). */
#define DN_CLI_VERSION "0.1.0"
/* The deNEST release whose parameter files and outputs we follow. */
#define DN_CLI_DENEST_VERSION "1.0.1"

typedef enum dn_cli_command {
    DN_CLI_RUN,      /* denest <tree_paths.yml> */
    DN_CLI_VALIDATE, /* denest validate FILE */
    DN_CLI_SHOW,     /* denest show FILE [SUBTREE] */
    DN_CLI_DOC,      /* denest doc parameters */
} dn_cli_command;

typedef struct dn_cli_options {
    dn_cli_command command;
    const char *file;       /* the tree_paths file or parameter file */
    const char *subtree;    /* show: a path such as network/neuron_models, or NULL */
    bool network;           /* show --network */
    const char *output_dir; /* -o: overrides simulation.params.output_dir */
    const char *input_dir;  /* -i: overrides simulation.params.input_dir */
    const char **sets;      /* --set assignments, in command-line order */
    size_t n_sets;
    dn_log_level log_level;
} dn_cli_options;

/* The merged tree for `o->file`: a YAML list is a tree_paths file (deNEST's load_trees), a
 * mapping is one parameter tree. Overrides, highest precedence first: the --set assignments
 * (a later --set beats an earlier one), then -o/-i (deNEST's -o override tree, spec §9.1),
 * then the files. */
dn_status dn_cli_load(const dn_cli_options *o, dn_tree **out, dn_error *err);

/* `denest show`: print the merged tree as YAML, or each leaf of o->subtree with its inherited
 * params and nest_params in Python-dict notation (as the deNEST tutorial shows them). */
dn_status dn_cli_show(const dn_tree *tree, const dn_cli_options *o, dn_error *err);

/* The run step, called with a validated tree. This is where the sim layer plugs in (it will
 * build the simulation from `tree` and run its sessions); until then it only says so. */
dn_status dn_cli_run(const dn_tree *tree, const dn_cli_options *o, dn_error *err);

#endif

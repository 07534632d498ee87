/* ParamsTree (deNEST spec §1): a tree of named nodes, each holding two data maps (`params`,
 * `nest_params`) that its descendants inherit key by key; built from YAML, merged from several
 * files (earlier wins), printed and written back as YAML. */
#ifndef DENEST_TREE_H
#define DENEST_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/error.h"
#include "denest/value.h"

/* The two data keys, in deNEST's order (DATA_KEYS). */
typedef enum dn_tree_data {
    DN_PARAMS = 0,
    DN_NEST_PARAMS = 1,
} dn_tree_data;
#define DN_TREE_NDATA 2

typedef struct dn_tree dn_tree;

/* A node. Fields may be READ directly; change a tree only through the functions below.
 * Every node of a tree is owned by its root: free the root only. */
struct dn_tree {
    dn_value *name;  /* scalar (a string normally; ints such as 0 occur); NULL = None */
    dn_tree *parent; /* NULL for a root */
    dn_value *data[DN_TREE_NDATA];    /* own data: always a map (possibly empty), never NULL */
    dn_mark data_mark[DN_TREE_NDATA]; /* mark of the `params:`/`nest_params:` key, or zero */
    dn_tree **children;               /* in stored order */
    size_t n_children;
    size_t cap_children;
    dn_mark mark; /* where the node's key was written (root: the document) */
};

/* "params" or "nest_params". */
const char *dn_tree_data_name(dn_tree_data which);

/* ---- building ------------------------------------------------------------------------------ */

/* A new empty root (no name, no data, no children). NULL when out of memory. */
dn_tree *dn_tree_new(void);

/* Free a root and all its nodes. NULL is fine. Do not free a non-root node. */
void dn_tree_free(dn_tree *tree);

/* Build a root from a value (deNEST spec §1.1 validation; data maps are deep-copied, marks kept):
 * null or {} → empty tree; a map → keys `params`/`nest_params` are data (must be maps: null,
 * scalars, lists are errors), every other key is a child whose value must be a map or null
 * (any other value, even falsy like [], 0, '', false, is an error). A top-level non-map is an
 * error. Errors are DN_EINPUT with the offending value's mark and the tree path
 * ("network/layers/l1/params"). The root's name is NULL (set it with dn_tree_set_name). */
dn_status dn_tree_from_value(const dn_value *value, dn_tree **out, dn_error *err);

/* Read a YAML file (dn_yaml_load_file) and build a root from it (ParamsTree.read); name NULL. */
dn_status dn_tree_read(const char *path, dn_tree **out, dn_error *err);

/* Same from a string; `source` names it in marks (NULL gives "<string>"). */
dn_status dn_tree_read_string(const char *text, size_t len, const char *source, dn_tree **out,
                              dn_error *err);

/* Set the node's name to the string s (NULL sets None). DN_ENOMEM on failure. */
dn_status dn_tree_set_name(dn_tree *node, const char *s);

/* Append a new empty child named by the string `name` (must not exist yet: DN_EINPUT otherwise)
 * and return it in *child (may be NULL). */
dn_status dn_tree_add_child(dn_tree *node, const char *name, dn_tree **child, dn_error *err);

/* Set node's OWN data[which][key] = value (ownership of value passes in all cases). Unlike
 * deNEST's DeepChainMap assignment this never writes into an ancestor. */
dn_status dn_tree_set_param(dn_tree *node, dn_tree_data which, const char *key, dn_value *value);

/* Build a one-branch override tree from a command-line assignment (`--set`):
 * "kernel.nest_params.resolution=0.1" → {kernel: {nest_params: {resolution: 0.1}}}. Form:
 * <child>.<child>...<params|nest_params>.<key>=<YAML value>; zero or more child names; the value
 * is read with our YAML reader (so `a.params.x=[1.0, 2.0]` gives a list, `=` alone gives null).
 * Anything else (no `=`, an empty segment, no params/nest_params segment in second-to-last
 * position, a bad YAML value) → DN_EINPUT with a message showing the expected form. Marks point
 * into the assignment: file "<command line>", line 1, column of the offending part. */
dn_status dn_tree_from_assignment(const char *assignment, dn_tree **out, dn_error *err);

/* ---- structure ----------------------------------------------------------------------------- */

/* Number of children / child i in stored order (NULL if out of range). */
size_t dn_tree_n_children(const dn_tree *node);
dn_tree *dn_tree_child_at(const dn_tree *node, size_t i);
/* Child named by the string `name` / by a scalar value (Python dict semantics: key 0 and '0' are
 * different children). NULL if absent. */
dn_tree *dn_tree_child(const dn_tree *node, const char *name);
dn_tree *dn_tree_child_key(const dn_tree *node, const dn_value *name);

/* The root of node's tree. */
const dn_tree *dn_tree_root(const dn_tree *node);

/* str(node.name): "l1_exc", "0", "None" (for a nameless node). Writes into buf (truncating);
 * returns buf. */
char *dn_tree_name_text(const dn_tree *node, char *buf, size_t size);

/* Tree path of node: names from below the root down to node, joined by '/', e.g.
 * "network/neuron_models/my_neuron/l1_exc"; "" for the root (its name, e.g. the tree_paths path,
 * is not part of paths). If `suffix` is non-NULL it is appended as one more segment
 * ("network/layers/l1" + "params"). Writes into buf (truncating); returns buf. */
char *dn_tree_path(const dn_tree *node, const char *suffix, char *buf, size_t size);

/* Leaves (spec §1.3): depth-first pre-order in stored order; a node without children is a leaf.
 * For a childless `node`, the result is [node] when `include_self` is true (deNEST root=True),
 * [] otherwise. *out is a malloc'ed array (caller frees the array only; NULL when *n == 0).
 * Named leaves are these nodes with their ->name. DN_ENOMEM on failure. */
dn_status dn_tree_leaves(const dn_tree *node, bool include_self, const dn_tree ***out, size_t *n,
                         dn_error *err);

/* Refuse two leaves with equal names below `node` (deNEST silently keeps the last one):
 * DN_EINPUT naming both tree paths, with the mark and path of the second one. Uses the same
 * leaves as dn_tree_leaves(node, include_self=false). */
dn_status dn_tree_check_unique_leaves(const dn_tree *node, dn_error *err);

/* ---- data ---------------------------------------------------------------------------------- */

/* Node's own map for `which` (never NULL). */
const dn_value *dn_tree_own(const dn_tree *node, dn_tree_data which);

/* Effective (inherited) value of a top-level data key (spec §1.2): the nearest definition from
 * node up to the root. NULL if no node defines it. */
const dn_value *dn_tree_get_param(const dn_tree *node, dn_tree_data which, const char *key);
/* Same, and if `owner` is non-NULL it receives the node that provides the value (NULL if none),
 * for error marks and paths (an inherited bad value is reported where it was written). */
const dn_value *dn_tree_find_param(const dn_tree *node, dn_tree_data which, const char *key,
                                   const dn_tree **owner);
/* Same with a scalar key value. */
const dn_value *dn_tree_find_param_key(const dn_tree *node, dn_tree_data which, const dn_value *key,
                                       const dn_tree **owner);

/* Materialise the effective map of `which` at node (dict(node.params)): a new map of deep copies
 * (marks kept) whose key order is root-most ancestor's keys first, node's own keys last; a key
 * redefined lower keeps its FIRST position with the nearest value (Python ChainMap order).
 * DN_ENOMEM on failure. */
dn_status dn_tree_effective(const dn_tree *node, dn_tree_data which, dn_value **out, dn_error *err);

/* ---- merge and load ------------------------------------------------------------------------ */

/* Merge n trees (spec §1.4, decisions.md): at each position each data key takes the value of
 * the EARLIEST tree defining it (shallow: whole values; deep-copied); children are the union in
 * first-appearance order across the arguments, merged recursively. Inputs are unchanged. n = 0
 * gives an empty tree. The new root has no name. Marks are kept from the winning trees. */
dn_status dn_tree_merge(const dn_tree *const *trees, size_t n, dn_tree **out, dn_error *err);

/* deNEST's load_trees (spec §1.5): read the YAML list of file paths in `tree_paths_file`, resolve
 * each relative to that file's DIRECTORY (absolute paths stay), read each file, and merge
 * overrides first then the files in list order (earlier wins). The root's name is
 * `tree_paths_file` as given. Logs (INFO) "Loading parameter file paths from <path>",
 * "Using <n> override tree(s)", "Finished loading parameter file paths", "Loading parameters
 * files: ...". Errors (DN_EINPUT): missing tree-paths file ("No parameter file at <path>"),
 * content not a list of strings, an empty list ("tree_paths file lists no parameter files"),
 * a listed file missing (mark = the list entry, message names the resolved path), and any
 * error of the listed files. */
dn_status dn_tree_load(const char *tree_paths_file, const dn_tree *const *overrides,
                       size_t n_overrides, dn_tree **out, dn_error *err);

/* ---- compare, copy, convert, print --------------------------------------------------------- */

/* Spec §1.6: own data equal as dicts (dn_value_equal: order ignored, missing == {}), children
 * with equal names pairwise equal, recursively. Names, parents and marks are ignored. */
bool dn_tree_equal(const dn_tree *a, const dn_tree *b);

/* A new root holding a deep copy of node's own data and subtree (ParamsTree.copy: inherited
 * data from above node is NOT included; name dropped). NULL when out of memory. */
dn_tree *dn_tree_copy(const dn_tree *node);

/* asdict (spec §1.6): a new map; at each node `params` then `nest_params` (always present,
 * possibly {}), then children in stored order; own data only. DN_ENOMEM on failure. */
dn_status dn_tree_asdict(const dn_tree *node, dn_value **out, dn_error *err);

/* Write asdict(node) as YAML to `path` (ParamsTree.write). I/O errors → DN_ERUNTIME. */
dn_status dn_tree_write(const dn_tree *node, const char *path, dn_error *err);

/* str(tree): the YAML of asdict. malloc'ed string in *out. */
dn_status dn_tree_str(const dn_tree *node, char **out, dn_error *err);

/* repr(tree) as deNEST prints it: "ParamsTree(name='<name>', parent=<p>)" (<p> is None for a
 * root, else '<parent name>'), then each line of str(tree) indented by two spaces (the YAML's
 * final newline yields a last line of two spaces). With 30 or more such lines only the first 15
 * and the last 15 are kept, separated by "  ", "  ... [<lines-30> lines] ...", "". No trailing
 * newline. malloc'ed string in *out. */
dn_status dn_tree_repr(const dn_tree *node, char **out, dn_error *err);

#endif

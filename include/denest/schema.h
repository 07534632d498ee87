/* Declarative validation of a full parameter tree (deNEST spec §2, §3.1): one table per object
 * kind (key, type, mandatory / optional with default / reserved, one-line doc), one validator
 * that walks them, and the same tables behind "did you mean" suggestions and docs/parameters.md.
 * Checks everything that needs no engine: structure, types, cross-references between subtrees. */
#ifndef DENEST_SCHEMA_H
#define DENEST_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "denest/error.h"
#include "denest/tree.h"
#include "denest/value.h"

/* ---- tables ---------------------------------------------------------------------------------
 * The tables are static data (src/schema/schema_tables.c); later layers read them to fetch a
 * parameter's default (dn_schema_data, dn_schema_item) and the docs generator prints them. */

/* What a value must look like. Integers are accepted where numbers are expected; a decimal where
 * an integer is expected only when integral (`rows: 5.0`), decisions.md. */
typedef enum dn_schema_type {
    DN_SCHEMA_ANY,           /* anything */
    DN_SCHEMA_BOOL,          /* true / false */
    DN_SCHEMA_INT,           /* an integer */
    DN_SCHEMA_POS_INT,       /* an integer >= 1 */
    DN_SCHEMA_NONNEG_INT,    /* an integer >= 0 */
    DN_SCHEMA_NUMBER,        /* a finite number */
    DN_SCHEMA_NONNEG_NUMBER, /* a finite number >= 0 */
    DN_SCHEMA_STRING,        /* a string */
    DN_SCHEMA_ENUM,          /* one of key->values */
    DN_SCHEMA_STRING_LIST,   /* a list of strings */
    DN_SCHEMA_LIST,          /* a list of anything */
    DN_SCHEMA_MAP,           /* a mapping of anything */
    DN_SCHEMA_NUMBER_OR_MAP, /* a number or a mapping (kernel, weights, delays) */
    DN_SCHEMA_PAIR,          /* [x, y], finite numbers */
    DN_SCHEMA_POS_PAIR,      /* [x, y], numbers > 0 */
    DN_SCHEMA_POPULATIONS,   /* a non-empty mapping {population name: units per location >= 1} */
    DN_SCHEMA_ITEMS,         /* a list of mappings, each checked against key->item */
} dn_schema_type;

typedef enum dn_schema_use {
    DN_SCHEMA_MANDATORY, /* must be present (inherited counts) */
    DN_SCHEMA_OPTIONAL,  /* default `def` filled in by dn_schema_data / dn_schema_item */
    DN_SCHEMA_KNOWN,     /* may be given; not filled in (`def` documents the default that the
                          * engine or the network builder applies) */
    DN_SCHEMA_RESERVED,  /* must not be given (deNEST-C sets it); `doc` says why */
} dn_schema_use;

typedef struct dn_schema_table dn_schema_table;

typedef struct dn_schema_key {
    const char *key;
    dn_schema_type type;
    dn_schema_use use;
    bool nullable;               /* null is accepted too ("null or ...") */
    const char *def;             /* YAML text of the default, or NULL */
    const char *const *values;   /* DN_SCHEMA_ENUM: NULL-terminated allowed strings */
    const dn_schema_table *item; /* DN_SCHEMA_ITEMS: the table every list item is checked by */
    const char *alias_of;        /* another key of the table this one is a synonym of, or NULL */
    const char *doc;             /* one line */
} dn_schema_key;

/* Which keys a data map may hold beyond the listed ones. */
typedef enum dn_schema_policy {
    DN_SCHEMA_EMPTY,  /* none at all (the map must be empty) */
    DN_SCHEMA_CLOSED, /* only the listed keys */
    DN_SCHEMA_OPEN,   /* anything else is passed to the engine, which checks it */
} dn_schema_policy;

/* Rules between keys that one key's row cannot say. */
typedef enum dn_schema_rule_kind {
    DN_SCHEMA_TOGETHER, /* keys a and b: both or neither */
    DN_SCHEMA_ONLY_IF,  /* key a is allowed only when key b is the string `value` */
    DN_SCHEMA_SIZE_IF,  /* when key b is the string `value`, mapping a has exactly n entries */
    DN_SCHEMA_ONE_FORM, /* exactly one of `forms` (space-separated key groups) is used, in full */
    DN_SCHEMA_EXCLUDES, /* when key a is in params, key b must not be in nest_params */
} dn_schema_rule_kind;

typedef struct dn_schema_rule {
    dn_schema_rule_kind kind;
    const char *a, *b;
    const char *value;
    size_t n;
    const char *const *forms; /* DN_SCHEMA_ONE_FORM: NULL-terminated */
    const char *doc;          /* the rule in words, for docs and messages */
} dn_schema_rule;

struct dn_schema_table {
    const char *name; /* for messages and docs: "layer params", "unit change" */
    dn_schema_policy policy;
    const dn_schema_key *keys;
    size_t n_keys;
    const dn_schema_rule *rules;
    size_t n_rules;
    const char *open_doc; /* DN_SCHEMA_OPEN: what the other keys are */
};

typedef enum dn_schema_children {
    DN_SCHEMA_NO_CHILDREN, /* a node without children (kernel, simulation, topology...) */
    DN_SCHEMA_NAMED,       /* the listed children only (root, network) */
    DN_SCHEMA_LEAVES,      /* any depth; every leaf is one object described by `leaf` */
} dn_schema_children;

typedef struct dn_schema_node dn_schema_node;

typedef struct dn_schema_child {
    const char *name;
    const dn_schema_node *node;
    bool mandatory;
} dn_schema_child;

struct dn_schema_node {
    const char *name;  /* object kind for messages: "layer", "kernel" */
    const char *where; /* documentation path: "network/layers/<leaf>" */
    const char *doc;
    /* DN_SCHEMA_LEAVES containers have no tables of their own (their data is inherited by the
     * leaves and checked there): data[] are NULL. */
    const dn_schema_table *data[DN_TREE_NDATA]; /* indexed by dn_tree_data */
    dn_schema_children children;
    const dn_schema_child *child; /* DN_SCHEMA_NAMED */
    size_t n_child;
    const dn_schema_node *leaf; /* DN_SCHEMA_LEAVES */
    /* Variants: when params `variant_key` (inherited) equals a variant's `variant_value`, that
     * variant's tables apply instead (projection models of type multisynapse, mc-sleep.md §7.1). */
    const char *variant_key;
    const dn_schema_node *const *variants; /* NULL-terminated */
    const char *variant_value;
};

/* The nodes, from the root down (denest.md §3.1). */
extern const dn_schema_node dn_schema_root;
extern const dn_schema_node dn_schema_kernel;
extern const dn_schema_node dn_schema_simulation;
extern const dn_schema_node dn_schema_session_models, dn_schema_session_model;
extern const dn_schema_node dn_schema_network;
extern const dn_schema_node dn_schema_neuron_models, dn_schema_neuron_model;
extern const dn_schema_node dn_schema_synapse_models, dn_schema_synapse_model;
extern const dn_schema_node dn_schema_recorder_models, dn_schema_recorder_model;
extern const dn_schema_node dn_schema_layers, dn_schema_layer;
extern const dn_schema_node dn_schema_projection_models, dn_schema_projection_model;
extern const dn_schema_node dn_schema_multisynapse_model; /* variant of projection_model */
extern const dn_schema_node dn_schema_topology;
extern const dn_schema_node dn_schema_recorders;

/* List-item tables. */
extern const dn_schema_table dn_schema_unit_change;
extern const dn_schema_table dn_schema_synapse_change;
extern const dn_schema_table dn_schema_projection;
extern const dn_schema_table dn_schema_population_recorder;
extern const dn_schema_table dn_schema_projection_recorder;

/* Built-in recorder model names a recorder item may use without a recorder_models leaf. */
extern const char *const dn_schema_builtin_recorders[]; /* NULL-terminated */

/* The variant of `spec` that applies to `node` (data inherited up to `top`; NULL = root):
 * `spec` itself unless its variant key selects one. */
const dn_schema_node *dn_schema_variant(const dn_schema_node *spec, const dn_tree *node,
                                        const dn_tree *top);

/* The row of `key` in a table (NULL if absent). */
const dn_schema_key *dn_schema_lookup(const dn_schema_table *table, const char *key);

/* The default of a key as a new value (read from its YAML text; marks zero). *out is NULL when
 * the key has no default. DN_ENOMEM only. */
dn_status dn_schema_default(const dn_schema_key *key, dn_value **out, dn_error *err);

/* Phrase describing what a key accepts: "a positive integer", "null or a list of strings",
 * "one of `constant`, `multiplicative`, `additive`". Writes into buf; returns buf. */
char *dn_schema_expected(const dn_schema_key *key, char *buf, size_t size);

/* ---- using validated data ------------------------------------------------------------------ */

/* The effective `which` data of `node` seen as object `spec` (or the variant that applies): values
 * inherited from `node` up to `top` (inclusive; NULL = the root), nearest definition winning, in
 * ChainMap key order; then the defaults of absent OPTIONAL keys, in table order. Values are deep
 * copies with their marks. For a node whose table is NULL this is just the inherited data.
 * DN_ENOMEM only. */
dn_status dn_schema_data(const dn_schema_node *spec, dn_tree_data which, const dn_tree *node,
                         const dn_tree *top, dn_value **out, dn_error *err);

/* A list item completed like dn_schema_data: a copy of the mapping plus the defaults of absent
 * OPTIONAL keys; a key that is an alias (synapse change `params`) is renamed to the key it
 * stands for. `item` must be a mapping (DN_EINPUT otherwise). */
dn_status dn_schema_item(const dn_schema_table *table, const dn_value *item, dn_value **out,
                         dn_error *err);

/* ---- validation ---------------------------------------------------------------------------- */

/* The errors of one validation, in the order found (a value inherited by many leaves is reported
 * once). At most `max` are kept (0 = DN_SCHEMA_MAX_ERRORS); `dropped` counts the rest. */
#define DN_SCHEMA_MAX_ERRORS 100
typedef struct dn_schema_errors {
    dn_error *items;
    size_t len, cap;
    size_t max;
    size_t dropped;
    bool nomem; /* an allocation failed: the list is incomplete */
} dn_schema_errors;

/* Free the list's storage and reset it to empty (the struct itself is the caller's). */
void dn_schema_errors_free(dn_schema_errors *errors);

/* Append a copy of err unless an identical error (same mark, path and message) is there.
 * Returns false when out of memory. */
bool dn_schema_errors_add(dn_schema_errors *errors, const dn_error *err);

/* DN_OK if empty, DN_ENOMEM if an allocation failed, else the status of the first error. */
dn_status dn_schema_errors_status(const dn_schema_errors *errors);

/* Validate a full simulation tree (`root` as built by dn_tree_load or dn_tree_from_value): every
 * node against its table (denest.md §3.1, §4, §5.1, §6.1–6.3), leaf-name uniqueness in the model,
 * layer, projection-model and session-model subtrees, `mandatory` placeholders left in effective
 * data, and the references that need no engine (sessions, layers, populations, projection
 * models, recorder models, projections matched by projection recorders and synapse changes).
 * Appends every problem to `errors` and returns dn_schema_errors_status(errors). */
dn_status dn_schema_validate(const dn_tree *root, dn_schema_errors *errors);

/* ---- documentation ------------------------------------------------------------------------- */

/* Write the parameter reference (docs/parameters.md) as Markdown. DN_ERUNTIME if a write fails. */
dn_status dn_schema_markdown(FILE *out, dn_error *err);

#endif

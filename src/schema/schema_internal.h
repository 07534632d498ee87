/* Helpers shared by the schema layer's files (not public): effective data with the node that
 * wrote each value (for marks and paths), the error sink, and the table checker. */
#ifndef DENEST_SCHEMA_INTERNAL_H
#define DENEST_SCHEMA_INTERNAL_H

#include "denest/schema.h"

/* One effective key: the entry as written and the node it was written in (NULL for a list
 * item, whose keys are not inherited). */
typedef struct sc_entry {
    const dn_value *key;
    const dn_value *value;
    const dn_tree *owner;
} sc_entry;

typedef struct sc_eff {
    sc_entry *items;
    size_t len, cap;
} sc_eff;

/* Effective `which` data of node, inherited up to `top` (inclusive; NULL = root), nearest
 * definition first-position (ChainMap order). False when out of memory. */
bool sc_eff_build(sc_eff *eff, const dn_tree *node, const dn_tree *top, dn_tree_data which);
/* The entries of a mapping (owner NULL). False when out of memory. */
bool sc_eff_from_map(sc_eff *eff, const dn_value *map);
void sc_eff_free(sc_eff *eff);
/* The entry with string key `key`, or NULL. */
const sc_entry *sc_eff_get(const sc_eff *eff, const char *key);

/* The error sink of one validation run. */
typedef struct sc_ctx {
    dn_schema_errors *errors;
} sc_ctx;

/* Record a DN_EINPUT error (message is one line). mark/path may be NULL. */
void sc_error(sc_ctx *ctx, const dn_mark *mark, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sc_nomem(sc_ctx *ctx);

/* What is being checked: a tree object (node != NULL: a leaf or a fixed node, data `which`)
 * or a list item (node == NULL: `base` is its path, `mark` its mark). `label` names it in
 * messages ("layer `l1`", "kernel", "unit change"). */
typedef struct sc_where {
    const dn_tree *node;
    dn_tree_data which;
    const char *kind;  /* object kind: "layer", "network", "unit change" */
    const char *label; /* this object: "layer `l1`" */
    const char *base;
    dn_mark mark;
    const dn_schema_table *other_table; /* the node's other data table (hint for misplaced keys) */
} sc_where;

/* Path of an entry: "<owner path>/<params|nest_params>/<key>" or "<base>/<key>". */
char *sc_entry_path(const sc_entry *e, const sc_where *w, char *buf, size_t size);
/* Path where a missing key belongs ("<node path>/params" or base), and the mark to show. */
char *sc_where_path(const sc_where *w, char *buf, size_t size);
dn_mark sc_where_mark(const sc_where *w);

/* Check every entry against the table (unknown, reserved, placeholder, type) and the mandatory
 * keys. `other` is the node's other data (for rules between params and nest_params), or NULL. */
void sc_check_table(sc_ctx *ctx, const dn_schema_table *table, const sc_eff *eff,
                    const sc_eff *other, const sc_where *w);

/* Text of a key / short description of a value for messages ("'abc'", "2.5", "a list").
 * Write into buf; return buf. */
char *sc_key_text(const dn_value *key, char *buf, size_t size);
char *sc_value_text(const dn_value *v, char *buf, size_t size);

/* True if v is the string `mandatory` (MC_sleep's placeholder). */
bool sc_is_placeholder(const dn_value *v);

/* " (did you mean `x`?)" or "" for word among candidates. Writes into buf; returns buf. */
char *sc_suggestion(const char *word, const char *const *cands, size_t n, char *buf, size_t size);

/* snprintf for paths and messages whose truncation is acceptable (no truncation warnings). */
void sc_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Cross-references between subtrees (schema_refs.c). */
void sc_check_refs(sc_ctx *ctx, const dn_tree *root);

#endif

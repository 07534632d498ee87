/* Dynamic values: the tagged type (null, bool, int, double, string, list, ordered map) that holds
 * parameters read from YAML. Every value carries the source mark (file:line:column) where it was
 * written, so later layers can point at a bad value. Pure core layer: no YAML library here. */
#ifndef DENEST_VALUE_H
#define DENEST_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "denest/error.h"

typedef enum dn_value_type {
    DN_VALUE_NULL = 0,
    DN_VALUE_BOOL,
    DN_VALUE_INT,    /* int64 */
    DN_VALUE_DOUBLE, /* "decimal" in messages */
    DN_VALUE_STRING, /* UTF-8, explicit length, always NUL-terminated (may contain NULs) */
    DN_VALUE_LIST,
    DN_VALUE_MAP, /* ordered; keys are scalar values (strings normally; ints, bools, null occur) */
} dn_value_type;

typedef struct dn_value dn_value;

/* One entry of a map. Both pointers are owned by the map. */
typedef struct dn_map_entry {
    dn_value *key;
    dn_value *value;
} dn_map_entry;

/* The fields may be READ directly (v->type, v->u.i, v->u.map.items[k].key, ...); change values
 * only through the functions below, which keep a map's lookup index consistent. */
struct dn_value {
    dn_value_type type;
    dn_mark mark; /* where the value was written; zero for values made in code */
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *ptr; /* NUL-terminated */
            size_t len;
        } s;
        struct {
            dn_value **items;
            size_t len, cap;
        } list;
        struct {
            dn_map_entry *items;
            size_t len, cap;
            void *index; /* private: hash index built for large maps */
        } map;
    } u;
};

/* ---- construction and lifetime ------------------------------------------------------------
 * Constructors return a new value with a zero mark, or NULL when out of memory. */
dn_value *dn_value_null(void);
dn_value *dn_value_bool(bool b);
dn_value *dn_value_int(int64_t i);
dn_value *dn_value_double(double d);
/* Copies the NUL-terminated string s (s must not be NULL). */
dn_value *dn_value_string(const char *s);
/* Copies n bytes of s (which may contain NULs); the copy is NUL-terminated. */
dn_value *dn_value_string_n(const char *s, size_t n);
/* An empty list / map. */
dn_value *dn_value_list(void);
dn_value *dn_value_map(void);

/* Free a value and everything it owns. NULL is fine. */
void dn_value_free(dn_value *v);

/* Deep copy, marks included. NULL when out of memory (or when v is NULL). */
dn_value *dn_value_copy(const dn_value *v);

/* Set the mark of v only (not of its children). */
void dn_value_set_mark(dn_value *v, dn_mark mark);

/* ---- type inspection ----------------------------------------------------------------------- */

/* Name of a type for messages: "null", "boolean", "integer", "decimal", "string", "list",
 * "mapping". */
const char *dn_value_type_name(dn_value_type type);
/* dn_value_type_name(v->type); "nothing" for NULL. */
const char *dn_value_kind(const dn_value *v);
/* The kind with an article, for messages ("must be a mapping, not %s"): "an integer",
 * "a decimal", "a boolean", "a string", "a list", "a mapping", "null", "nothing" (NULL). */
const char *dn_value_a_kind(const dn_value *v);

/* True for null, bool, int, double and string (the kinds allowed as map keys). */
bool dn_value_is_scalar(const dn_value *v);
/* True for int and double (NOT bool, unlike Python). */
bool dn_value_is_number(const dn_value *v);

/* Checked accessors: return true and store the value if v has a suitable type, else false and
 * leave *out alone. None of them accepts a bool as a number.
 *   get_bool:     bool only.
 *   get_int:      int only.
 *   get_integral: int, or a double with an integral value in int64 range (rows: 5.0).
 *   get_double:   double, or int (converted).
 *   get_string:   string only; *out points into v (valid while v lives). */
bool dn_value_get_bool(const dn_value *v, bool *out);
bool dn_value_get_int(const dn_value *v, int64_t *out);
bool dn_value_get_integral(const dn_value *v, int64_t *out);
bool dn_value_get_double(const dn_value *v, double *out);
bool dn_value_get_string(const dn_value *v, const char **out);
/* The string of a string value, else NULL. */
const char *dn_value_str(const dn_value *v);

/* ---- lists --------------------------------------------------------------------------------- */

/* Number of items of a list or entries of a map; 0 for anything else. */
size_t dn_value_len(const dn_value *v);
/* Item i of a list (NULL if v is not a list or i is out of range). */
dn_value *dn_value_list_at(const dn_value *list, size_t i);
/* Append item (ownership passes to the list in ALL cases: on failure item is freed).
 * DN_EINPUT if list is not a list, DN_ENOMEM when out of memory. */
dn_status dn_value_list_append(dn_value *list, dn_value *item);

/* ---- maps ----------------------------------------------------------------------------------
 * Keys compare with dn_value_equal (Python dict semantics: the int key 1, the double key 1.0 and
 * the bool key true are the same key; the string '1' is a different key). Lookup is linear for
 * small maps and hashed for large ones. */

/* Value under the string key `key`, or NULL. */
dn_value *dn_value_map_get(const dn_value *map, const char *key);
/* Value under the scalar key `key`, or NULL. */
dn_value *dn_value_map_get_key(const dn_value *map, const dn_value *key);
/* Entry under a string / scalar key, or NULL (gives the key's own mark). */
const dn_map_entry *dn_value_map_entry(const dn_value *map, const char *key);
const dn_map_entry *dn_value_map_entry_key(const dn_value *map, const dn_value *key);
/* Entry number i in stored order (NULL if out of range or not a map). */
const dn_map_entry *dn_value_map_at(const dn_value *map, size_t i);

/* Set map[key] = value. An existing entry keeps its position (and its key value/mark) and gets
 * the new value (the old one is freed); otherwise the entry is appended. Ownership of `value`
 * passes to the map in ALL cases (freed on failure). The string variant copies `key`; the _key
 * variant takes ownership of `key` too (freed if an equal key exists already, or on failure).
 * DN_EINPUT if map is not a map or key is not a scalar; DN_ENOMEM when out of memory. */
dn_status dn_value_map_set(dn_value *map, const char *key, dn_value *value);
dn_status dn_value_map_set_key(dn_value *map, dn_value *key, dn_value *value);

/* Remove map[key] and free key and value. Returns true if the key was there. Later entries keep
 * their relative order. */
bool dn_value_map_delete(dn_value *map, const char *key);
bool dn_value_map_delete_key(dn_value *map, const dn_value *key);

/* ---- comparison ---------------------------------------------------------------------------- */

/* Python equality (marks ignored): numbers by value across int/double/bool (1 == 1.0 == true,
 * 0 == false), NaN != NaN, strings bytewise, lists item by item, maps as dicts (same key set,
 * equal values, order ignored). null equals only null. NULL pointers are equal only to NULL. */
bool dn_value_equal(const dn_value *a, const dn_value *b);

/* Strict structural equality (marks ignored): same types everywhere (1 != 1.0 != true), doubles
 * bit-for-bit equal except that any NaN equals any NaN and 0.0 != -0.0, maps compared as
 * dicts (order ignored). What a YAML round-trip must preserve. */
bool dn_value_identical(const dn_value *a, const dn_value *b);

/* ---- printing ------------------------------------------------------------------------------ */

/* The value as Python's repr() shows it: None, True, 3, 1.0, 1e-07, inf, nan, 'text' (with
 * Python's choice of quotes and escapes), [1.0, 10.0], {'nest_model': 'ht_neuron'}.
 * Returns a malloc'ed string (caller frees), NULL when out of memory. */
char *dn_value_repr(const dn_value *v);

/* Python's repr of a double ("1.0", "-44.0", "0.1", "1e-07", "1e+16", "inf", "-inf", "nan"):
 * the shortest digits that read back to the same double. buf needs 32 bytes; returns buf. */
char *dn_value_format_double(double d, char *buf, size_t size);

/* A value as Python's str() shows it: like repr but a string is its bare text
 * (str('abc') = abc, str(None) = None). Used for tree node names. malloc'ed; NULL on OOM. */
char *dn_value_to_text(const dn_value *v);

#endif

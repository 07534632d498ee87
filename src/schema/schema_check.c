/* The one table walker: checks a data map (effective, with inheritance) or a list item against
 * its dn_schema_table — unknown and reserved keys, `mandatory` placeholders, value types,
 * missing mandatory keys, and the rules between keys — and reports each problem with the mark
 * and tree path of the offending value. */
#include "schema_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/suggest.h"
#include "denest/yaml.h"

#define PATH_MAX_ DN_ERROR_PATH_MAX

/* ---- error sink and text helpers ---- */

void sc_error(sc_ctx *ctx, const dn_mark *mark, const char *path, const char *fmt, ...)
{
    dn_error e;
    dn_error_clear(&e);
    va_list ap;
    va_start(ap, fmt);
    dn_error_vset(&e, DN_EINPUT, mark && mark->line > 0 ? mark : NULL, path, fmt, ap);
    va_end(ap);
    dn_schema_errors_add(ctx->errors, &e);
}

void sc_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

void sc_nomem(sc_ctx *ctx)
{
    ctx->errors->nomem = true;
}

char *sc_key_text(const dn_value *key, char *buf, size_t size)
{
    if (key && key->type == DN_VALUE_STRING) {
        sc_fmt(buf, size, "%s", key->u.s.ptr);
        return buf;
    }
    char *t = dn_value_to_text(key);
    sc_fmt(buf, size, "%s", t ? t : "?");
    free(t);
    return buf;
}

char *sc_value_text(const dn_value *v, char *buf, size_t size)
{
    if (!v) {
        sc_fmt(buf, size, "nothing");
        return buf;
    }
    switch (v->type) {
    case DN_VALUE_NULL:
        sc_fmt(buf, size, "null");
        break;
    case DN_VALUE_BOOL:
        sc_fmt(buf, size, "%s", v->u.b ? "true" : "false");
        break;
    case DN_VALUE_INT:
        sc_fmt(buf, size, "%lld", (long long)v->u.i);
        break;
    case DN_VALUE_DOUBLE: {
        char d[48];
        sc_fmt(buf, size, "%s", dn_yaml_format_double(v->u.d, d, sizeof d));
        break;
    }
    case DN_VALUE_STRING: {
        char *r = dn_value_repr(v);
        if (r && strlen(r) > 60)
            sc_fmt(buf, size, "%.56s...'", r);
        else
            sc_fmt(buf, size, "%s", r ? r : "a string");
        free(r);
        break;
    }
    case DN_VALUE_LIST:
        sc_fmt(buf, size, "%s", v->u.list.len ? "a list" : "[]");
        break;
    case DN_VALUE_MAP:
        sc_fmt(buf, size, "%s", v->u.map.len ? "a mapping" : "{}");
        break;
    }
    return buf;
}

bool sc_is_placeholder(const dn_value *v)
{
    return v && v->type == DN_VALUE_STRING && strcmp(v->u.s.ptr, "mandatory") == 0;
}

/* First `mandatory` placeholder anywhere inside v (deNEST's MC_sleep templates put them at the
 * top level; a nested one is just as unusable). */
static const dn_value *find_placeholder(const dn_value *v)
{
    if (sc_is_placeholder(v))
        return v;
    if (v->type == DN_VALUE_LIST)
        for (size_t i = 0; i < v->u.list.len; i++) {
            const dn_value *p = find_placeholder(v->u.list.items[i]);
            if (p)
                return p;
        }
    if (v->type == DN_VALUE_MAP)
        for (size_t i = 0; i < v->u.map.len; i++) {
            const dn_value *p = find_placeholder(v->u.map.items[i].value);
            if (p)
                return p;
        }
    return NULL;
}

char *sc_suggestion(const char *word, const char *const *cands, size_t n, char *buf, size_t size)
{
    const char *s = dn_suggest(word, cands, n);
    /* Beyond typos: a truncated or extended name (deNEST's docs say `population` for the key
     * `population_name`, spec §12.6). */
    size_t wl = strlen(word);
    for (size_t i = 0; !s && wl >= 4 && i < n; i++) {
        size_t cl = strlen(cands[i]);
        if (cl >= 4 && strncmp(word, cands[i], wl < cl ? wl : cl) == 0)
            s = cands[i];
    }
    if (s && strcmp(s, word) != 0)
        sc_fmt(buf, size, " (did you mean `%s`?)", s);
    else
        buf[0] = '\0';
    return buf;
}

char *sc_entry_path(const sc_entry *e, const sc_where *w, char *buf, size_t size)
{
    char key[128], base[PATH_MAX_];
    sc_key_text(e->key, key, sizeof key);
    if (e->owner)
        dn_tree_path(e->owner, dn_tree_data_name(w->which), base, sizeof base);
    else
        sc_fmt(base, sizeof base, "%s", w->base ? w->base : "");
    sc_fmt(buf, size, "%s%s%s", base, base[0] ? "/" : "", key);
    return buf;
}

char *sc_where_path(const sc_where *w, char *buf, size_t size)
{
    if (w->node)
        dn_tree_path(w->node, dn_tree_data_name(w->which), buf, size);
    else
        sc_fmt(buf, size, "%s", w->base ? w->base : "");
    return buf;
}

dn_mark sc_where_mark(const sc_where *w)
{
    if (!w->node)
        return w->mark;
    /* The `params:` key if the node has one, else the node's own key. */
    if (w->node->data_mark[w->which].line > 0)
        return w->node->data_mark[w->which];
    return w->node->mark;
}

/* ---- expected forms ---- */

char *dn_schema_expected(const dn_schema_key *key, char *buf, size_t size)
{
    const char *null = key->nullable ? "null or " : "";
    switch (key->type) {
    case DN_SCHEMA_ANY:
        sc_fmt(buf, size, "anything");
        return buf;
    case DN_SCHEMA_ENUM: {
        size_t n = (size_t)snprintf(buf, size, "%sone of ", null);
        for (size_t i = 0; key->values && key->values[i] && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, "%s`%s`", i ? ", " : "", key->values[i]);
        return buf;
    }
    case DN_SCHEMA_ITEMS:
        sc_fmt(buf, size, "%sa list of %s mappings", null, key->item ? key->item->name : "");
        return buf;
    default:
        break;
    }
    static const char *const phrase[] = {
        [DN_SCHEMA_BOOL] = "a boolean (true or false)",
        [DN_SCHEMA_INT] = "an integer",
        [DN_SCHEMA_POS_INT] = "a positive integer",
        [DN_SCHEMA_NONNEG_INT] = "a non-negative integer",
        [DN_SCHEMA_NUMBER] = "a number",
        [DN_SCHEMA_NONNEG_NUMBER] = "a non-negative number",
        [DN_SCHEMA_STRING] = "a string",
        [DN_SCHEMA_STRING_LIST] = "a list of strings",
        [DN_SCHEMA_LIST] = "a list",
        [DN_SCHEMA_MAP] = "a mapping",
        [DN_SCHEMA_NUMBER_OR_MAP] = "a number or a mapping",
        [DN_SCHEMA_PAIR] = "a list of two numbers [x, y]",
        [DN_SCHEMA_POS_PAIR] = "a list of two positive numbers [x, y]",
        [DN_SCHEMA_POPULATIONS] = "a non-empty mapping {population: units per location}",
    };
    sc_fmt(buf, size, "%s%s", null, phrase[key->type]);
    return buf;
}

/* ---- value checks ---- */

static void type_error(sc_ctx *ctx, const dn_schema_key *row, const dn_value *v, const char *path,
                       const char *hint)
{
    char exp[256], got[128];
    sc_error(ctx, &v->mark, path, "expected %s, got %s%s", dn_schema_expected(row, exp, sizeof exp),
             sc_value_text(v, got, sizeof got), hint ? hint : "");
}

/* An integer (or integral decimal, decisions.md) not below `min`. */
static bool integer_at_least(const dn_value *v, int64_t min)
{
    int64_t i;
    return dn_value_get_integral(v, &i) && i >= min;
}

static bool number_ok(const dn_value *v, double min, bool strict)
{
    double d;
    if (!dn_value_get_double(v, &d) || !isfinite(d))
        return false;
    return strict ? d > min : d >= min;
}

static void check_items(sc_ctx *ctx, const dn_schema_key *row, const dn_value *list,
                        const char *path);

static void check_value(sc_ctx *ctx, const dn_schema_key *row, const dn_value *v, const char *path)
{
    if (row->nullable && v->type == DN_VALUE_NULL)
        return;
    char sub[PATH_MAX_];
    switch (row->type) {
    case DN_SCHEMA_ANY:
        return;
    case DN_SCHEMA_BOOL:
        if (v->type != DN_VALUE_BOOL)
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_INT:
        if (!integer_at_least(v, INT64_MIN))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_POS_INT:
        if (!integer_at_least(v, 1))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_NONNEG_INT:
        if (!integer_at_least(v, 0))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_NUMBER:
        if (!number_ok(v, -INFINITY, false))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_NONNEG_NUMBER:
        if (!number_ok(v, 0.0, false))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_STRING:
        if (v->type != DN_VALUE_STRING)
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_ENUM: {
        if (v->type == DN_VALUE_STRING) {
            size_t n = 0;
            while (row->values[n]) {
                if (strcmp(row->values[n], v->u.s.ptr) == 0)
                    return;
                n++;
            }
            char hint[160];
            sc_suggestion(v->u.s.ptr, row->values, n, hint, sizeof hint);
            type_error(ctx, row, v, path, hint);
            return;
        }
        type_error(ctx, row, v, path, NULL);
        return;
    }
    case DN_SCHEMA_STRING_LIST:
        if (v->type != DN_VALUE_LIST) {
            type_error(ctx, row, v, path,
                       v->type == DN_VALUE_STRING ? " (write [name] for a list of one)" : NULL);
            return;
        }
        for (size_t i = 0; i < v->u.list.len; i++) {
            const dn_value *it = v->u.list.items[i];
            if (it->type != DN_VALUE_STRING) {
                char got[128];
                sc_fmt(sub, sizeof sub, "%s[%zu]", path, i);
                sc_error(ctx, &it->mark, sub, "expected a string, got %s",
                         sc_value_text(it, got, sizeof got));
            }
        }
        return;
    case DN_SCHEMA_LIST:
        if (v->type != DN_VALUE_LIST)
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_MAP:
        if (v->type != DN_VALUE_MAP)
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_NUMBER_OR_MAP:
        if (v->type != DN_VALUE_MAP && !number_ok(v, -INFINITY, false))
            type_error(ctx, row, v, path, NULL);
        return;
    case DN_SCHEMA_PAIR:
    case DN_SCHEMA_POS_PAIR: {
        bool pos = row->type == DN_SCHEMA_POS_PAIR;
        bool ok = v->type == DN_VALUE_LIST && v->u.list.len == 2;
        for (size_t i = 0; ok && i < 2; i++)
            ok = pos ? number_ok(v->u.list.items[i], 0.0, true)
                     : number_ok(v->u.list.items[i], -INFINITY, false);
        if (!ok) {
            char got[128] = "";
            if (v->type == DN_VALUE_LIST) {
                char *r = dn_value_repr(v);
                snprintf(got, sizeof got, " %s", r ? r : "");
                free(r);
            }
            char exp[128];
            sc_error(ctx, &v->mark, path, "expected %s, got %s%s",
                     dn_schema_expected(row, exp, sizeof exp),
                     v->type == DN_VALUE_LIST ? "" : sc_value_text(v, got, sizeof got),
                     v->type == DN_VALUE_LIST ? got + 1 : "");
        }
        return;
    }
    case DN_SCHEMA_POPULATIONS:
        if (v->type != DN_VALUE_MAP || v->u.map.len == 0) {
            type_error(ctx, row, v, path, NULL);
            return;
        }
        for (size_t i = 0; i < v->u.map.len; i++) {
            const dn_map_entry *e = &v->u.map.items[i];
            char name[128], got[128];
            sc_key_text(e->key, name, sizeof name);
            sc_fmt(sub, sizeof sub, "%s/%s", path, name);
            if (e->key->type != DN_VALUE_STRING || e->key->u.s.len == 0)
                sc_error(ctx, &e->key->mark, sub,
                         "a population name must be a model name (a non-empty string), got %s",
                         sc_value_text(e->key, got, sizeof got));
            else if (!integer_at_least(e->value, 1))
                sc_error(ctx, &e->value->mark, sub,
                         "population `%s` needs a positive integer number of units per location, "
                         "got %s",
                         name, sc_value_text(e->value, got, sizeof got));
        }
        return;
    case DN_SCHEMA_ITEMS:
        if (v->type != DN_VALUE_LIST) {
            type_error(ctx, row, v, path, NULL);
            return;
        }
        check_items(ctx, row, v, path);
        return;
    }
}

static void check_items(sc_ctx *ctx, const dn_schema_key *row, const dn_value *list,
                        const char *path)
{
    for (size_t i = 0; i < list->u.list.len; i++) {
        const dn_value *it = list->u.list.items[i];
        char base[PATH_MAX_], got[128];
        sc_fmt(base, sizeof base, "%s[%zu]", path, i);
        if (it->type != DN_VALUE_MAP) {
            sc_error(ctx, &it->mark, base, "a %s must be a mapping of keys to values, got %s",
                     row->item->name, sc_value_text(it, got, sizeof got));
            continue;
        }
        sc_eff eff;
        if (!sc_eff_from_map(&eff, it)) {
            sc_nomem(ctx);
            return;
        }
        sc_where w = {NULL, DN_PARAMS, row->item->name, row->item->name, base, it->mark, NULL};
        sc_check_table(ctx, row->item, &eff, NULL, &w);
        sc_eff_free(&eff);
    }
}

/* ---- rules between keys ---- */

/* The string value of key (or its default if absent); NULL if it is not a string. */
static const char *string_of(const sc_eff *eff, const dn_schema_table *table, const char *key)
{
    const sc_entry *e = sc_eff_get(eff, key);
    if (e)
        return e->value->type == DN_VALUE_STRING ? e->value->u.s.ptr : NULL;
    const dn_schema_key *row = dn_schema_lookup(table, key);
    if (row && row->def && strcmp(row->def, "null") != 0)
        return row->def;
    return NULL;
}

/* Split a space-separated group into at most `max` key names in buf. */
static size_t split_form(const char *form, char *buf, size_t size, const char **keys, size_t max)
{
    sc_fmt(buf, size, "%s", form);
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        keys[n++] = t;
    return n;
}

static void check_one_form(sc_ctx *ctx, const dn_schema_rule *r, const sc_eff *eff,
                           const sc_where *w)
{
    char bufs[4][256];
    const char *keys[4][8];
    size_t nkeys[4], nforms = 0;
    for (; r->forms[nforms] && nforms < 4; nforms++)
        nkeys[nforms] =
            split_form(r->forms[nforms], bufs[nforms], sizeof bufs[nforms], keys[nforms], 8);
    const sc_entry *first_of[4] = {0};
    size_t used = 0, which = 0;
    for (size_t f = 0; f < nforms; f++) {
        for (size_t k = 0; k < nkeys[f] && !first_of[f]; k++)
            first_of[f] = sc_eff_get(eff, keys[f][k]);
        if (first_of[f]) {
            if (used == 1) {
                char path[PATH_MAX_], a[128], b[128];
                sc_key_text(first_of[which]->key, a, sizeof a);
                sc_key_text(first_of[f]->key, b, sizeof b);
                sc_error(ctx, &first_of[f]->key->mark,
                         sc_entry_path(first_of[f], w, path, sizeof path),
                         "%s; got both `%s` and `%s`", r->doc, a, b);
                return;
            }
            used++;
            which = f;
        }
    }
    char path[PATH_MAX_];
    dn_mark m = sc_where_mark(w);
    if (used == 0) {
        sc_error(ctx, &m, sc_where_path(w, path, sizeof path), "%s", r->doc);
        return;
    }
    for (size_t k = 0; k < nkeys[which]; k++)
        if (!sc_eff_get(eff, keys[which][k]))
            sc_error(ctx, &m, sc_where_path(w, path, sizeof path), "missing `%s`: %s",
                     keys[which][k], r->doc);
}

static void check_rules(sc_ctx *ctx, const dn_schema_table *table, const sc_eff *eff,
                        const sc_eff *other, const sc_where *w)
{
    char path[PATH_MAX_];
    for (size_t i = 0; i < table->n_rules; i++) {
        const dn_schema_rule *r = &table->rules[i];
        const sc_entry *a = r->a ? sc_eff_get(eff, r->a) : NULL;
        switch (r->kind) {
        case DN_SCHEMA_TOGETHER: {
            const sc_entry *b = sc_eff_get(eff, r->b);
            if (!a != !b) {
                const sc_entry *have = a ? a : b;
                sc_error(ctx, &have->key->mark, sc_entry_path(have, w, path, sizeof path),
                         "%s: %s has `%s` but not `%s`", r->doc, w->label, a ? r->a : r->b,
                         a ? r->b : r->a);
            }
            break;
        }
        case DN_SCHEMA_ONLY_IF: {
            const char *b = string_of(eff, table, r->b);
            if (a && !(b && strcmp(b, r->value) == 0))
                sc_error(ctx, &a->key->mark, sc_entry_path(a, w, path, sizeof path),
                         "%s, and %s is not one (its `%s` is %s); remove `%s`", r->doc, w->label,
                         r->b, b ? b : "null", r->a);
            break;
        }
        case DN_SCHEMA_SIZE_IF: {
            const char *b = string_of(eff, table, r->b);
            if (a && b && strcmp(b, r->value) == 0 && a->value->type == DN_VALUE_MAP &&
                a->value->u.map.len != r->n) {
                char names[256] = "";
                size_t n = 0;
                for (size_t k = 0; k < a->value->u.map.len && n < sizeof names; k++) {
                    char kt[64];
                    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", k ? ", " : "",
                                          sc_key_text(a->value->u.map.items[k].key, kt, sizeof kt));
                }
                sc_error(ctx, &a->value->mark, sc_entry_path(a, w, path, sizeof path),
                         "%s, %s has %zu: %s", r->doc, w->label, a->value->u.map.len, names);
            }
            break;
        }
        case DN_SCHEMA_ONE_FORM:
            check_one_form(ctx, r, eff, w);
            break;
        case DN_SCHEMA_EXCLUDES: {
            const sc_entry *b = other ? sc_eff_get(other, r->b) : NULL;
            if (a && b) {
                sc_where wo = *w;
                wo.which = w->which == DN_PARAMS ? DN_NEST_PARAMS : DN_PARAMS;
                sc_error(ctx, &b->key->mark, sc_entry_path(b, &wo, path, sizeof path),
                         "%s (%s sets params.%s); remove this one", r->doc, w->label, r->a);
            }
            break;
        }
        }
    }
}

/* ---- the table walker ---- */

static void unknown_key(sc_ctx *ctx, const dn_schema_table *table, const sc_entry *e,
                        const sc_where *w, const char *path)
{
    char key[128];
    sc_key_text(e->key, key, sizeof key);
    const char *data = dn_tree_data_name(w->which);
    const char *other = w->which == DN_PARAMS ? "nest_params" : "params";
    if (w->other_table && e->key->type == DN_VALUE_STRING &&
        dn_schema_lookup(w->other_table, key)) {
        sc_error(ctx, &e->key->mark, path, "`%s` belongs in %s, not in %s", key, other, data);
        return;
    }
    if (table->policy == DN_SCHEMA_EMPTY) {
        sc_error(ctx, &e->key->mark, path, "%s takes no %s; remove `%s`", w->kind, data, key);
        return;
    }
    const char *cands[32];
    size_t n = 0;
    for (size_t i = 0; i < table->n_keys && n < 32; i++)
        if (table->keys[i].use != DN_SCHEMA_RESERVED)
            cands[n++] = table->keys[i].key;
    char hint[160];
    sc_suggestion(key, cands, n, hint, sizeof hint);
    if (hint[0]) {
        sc_error(ctx, &e->key->mark, path, "unknown key `%s` in %s%s", key, table->name, hint);
        return;
    }
    char known[512] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", cands[i]);
    sc_error(ctx, &e->key->mark, path, "unknown key `%s` in %s; known keys: %s", key, table->name,
             known);
}

void sc_check_table(sc_ctx *ctx, const dn_schema_table *table, const sc_eff *eff,
                    const sc_eff *other, const sc_where *w)
{
    if (!table)
        return;
    char path[PATH_MAX_];
    for (size_t i = 0; i < eff->len; i++) {
        const sc_entry *e = &eff->items[i];
        sc_entry_path(e, w, path, sizeof path);
        const dn_schema_key *row =
            e->key->type == DN_VALUE_STRING ? dn_schema_lookup(table, e->key->u.s.ptr) : NULL;
        if (row && row->use == DN_SCHEMA_RESERVED) {
            sc_error(ctx, &e->key->mark, path, "`%s` is reserved (%s); remove it", row->key,
                     row->doc);
            continue;
        }
        if (!row && table->policy != DN_SCHEMA_OPEN) {
            unknown_key(ctx, table, e, w, path);
            continue;
        }
        const dn_value *ph = find_placeholder(e->value);
        if (ph) {
            char key[128];
            sc_key_text(e->key, key, sizeof key);
            if (w->node)
                sc_error(ctx, &ph->mark, path,
                         "placeholder `mandatory` was never overridden: %s must set its own `%s`",
                         w->label, key);
            else
                sc_error(ctx, &ph->mark, path,
                         "placeholder `mandatory` was never overridden: give `%s` a real value",
                         key);
            continue;
        }
        if (row)
            check_value(ctx, row, e->value, path);
    }
    for (size_t i = 0; i < table->n_keys; i++) {
        const dn_schema_key *row = &table->keys[i];
        if (row->use != DN_SCHEMA_MANDATORY || sc_eff_get(eff, row->key))
            continue;
        char exp[256];
        dn_mark m = sc_where_mark(w);
        if (w->node)
            sc_error(ctx, &m, sc_where_path(w, path, sizeof path),
                     "missing mandatory key `%s` (%s) in %s of %s", row->key,
                     dn_schema_expected(row, exp, sizeof exp), dn_tree_data_name(w->which),
                     w->label);
        else
            sc_error(ctx, &m, sc_where_path(w, path, sizeof path),
                     "missing mandatory key `%s` (%s) in this %s", row->key,
                     dn_schema_expected(row, exp, sizeof exp), w->label);
    }
    check_rules(ctx, table, eff, other, w);
}

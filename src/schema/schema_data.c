/* Effective data as an object kind sees it: inherited values with the node that wrote each one
 * (deNEST spec §1.2: nearest definition wins, root-most keys first), and the same completed with
 * the tables' defaults for the layers above (dn_schema_data, dn_schema_item). */
#include "schema_internal.h"

#include <stdlib.h>
#include <string.h>

#include "denest/yaml.h"

static bool eff_put(sc_eff *eff, const dn_value *key, const dn_value *value, const dn_tree *owner)
{
    for (size_t i = 0; i < eff->len; i++)
        if (dn_value_equal(eff->items[i].key, key)) {
            /* A nearer definition keeps the first position (Python ChainMap order). */
            eff->items[i].value = value;
            eff->items[i].owner = owner;
            return true;
        }
    if (eff->len == eff->cap) {
        size_t cap = eff->cap ? 2 * eff->cap : 16;
        sc_entry *items = realloc(eff->items, cap * sizeof *items);
        if (!items)
            return false;
        eff->items = items;
        eff->cap = cap;
    }
    eff->items[eff->len++] = (sc_entry){key, value, owner};
    return true;
}

bool sc_eff_build(sc_eff *eff, const dn_tree *node, const dn_tree *top, dn_tree_data which)
{
    memset(eff, 0, sizeof *eff);
    size_t depth = 0;
    for (const dn_tree *t = node; t; t = t->parent) {
        depth++;
        if (t == top)
            break;
    }
    const dn_tree **chain = malloc((depth ? depth : 1) * sizeof *chain);
    if (!chain)
        return false;
    size_t k = 0;
    for (const dn_tree *t = node; t && k < depth; t = t->parent)
        chain[k++] = t;
    bool ok = true;
    for (size_t i = depth; i-- > 0 && ok;) {
        const dn_value *own = chain[i]->data[which];
        for (size_t j = 0; j < dn_value_len(own) && ok; j++)
            ok = eff_put(eff, own->u.map.items[j].key, own->u.map.items[j].value, chain[i]);
    }
    free(chain);
    if (!ok)
        sc_eff_free(eff);
    return ok;
}

bool sc_eff_from_map(sc_eff *eff, const dn_value *map)
{
    memset(eff, 0, sizeof *eff);
    if (!map || map->type != DN_VALUE_MAP)
        return true;
    for (size_t j = 0; j < map->u.map.len; j++)
        if (!eff_put(eff, map->u.map.items[j].key, map->u.map.items[j].value, NULL)) {
            sc_eff_free(eff);
            return false;
        }
    return true;
}

void sc_eff_free(sc_eff *eff)
{
    free(eff->items);
    memset(eff, 0, sizeof *eff);
}

const sc_entry *sc_eff_get(const sc_eff *eff, const char *key)
{
    for (size_t i = 0; i < eff->len; i++) {
        const dn_value *k = eff->items[i].key;
        if (k->type == DN_VALUE_STRING && strcmp(k->u.s.ptr, key) == 0)
            return &eff->items[i];
    }
    return NULL;
}

static void zero_marks(dn_value *v)
{
    dn_value_set_mark(v, (dn_mark){0});
    if (v->type == DN_VALUE_LIST)
        for (size_t i = 0; i < v->u.list.len; i++)
            zero_marks(v->u.list.items[i]);
    else if (v->type == DN_VALUE_MAP)
        for (size_t i = 0; i < v->u.map.len; i++) {
            zero_marks(v->u.map.items[i].key);
            zero_marks(v->u.map.items[i].value);
        }
}

dn_status dn_schema_default(const dn_schema_key *key, dn_value **out, dn_error *err)
{
    *out = NULL;
    if (!key->def)
        return DN_OK;
    dn_error e;
    dn_status st = dn_yaml_load_string(key->def, strlen(key->def), "<default>", out, &e);
    if (st != DN_OK) /* the tables hold valid YAML, so only memory can fail */
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory reading a default value");
    zero_marks(*out);
    return DN_OK;
}

/* Copy the entries into a new map, renaming aliases, then add the table's defaults. */
static dn_status complete(const dn_schema_table *table, const sc_eff *eff, dn_value **out,
                          dn_error *err)
{
    dn_value *map = dn_value_map();
    if (!map)
        goto nomem;
    for (size_t i = 0; i < eff->len; i++) {
        const dn_value *key = eff->items[i].key;
        const dn_schema_key *row =
            key->type == DN_VALUE_STRING ? dn_schema_lookup(table, key->u.s.ptr) : NULL;
        dn_value *k = row && row->alias_of ? dn_value_string(row->alias_of) : dn_value_copy(key);
        if (k && row && row->alias_of)
            dn_value_set_mark(k, key->mark);
        dn_value *v = dn_value_copy(eff->items[i].value);
        if (!k || !v) {
            dn_value_free(k);
            dn_value_free(v);
            goto nomem;
        }
        if (dn_value_map_set_key(map, k, v) != DN_OK)
            goto nomem;
    }
    for (size_t i = 0; table && i < table->n_keys; i++) {
        const dn_schema_key *row = &table->keys[i];
        if (row->use != DN_SCHEMA_OPTIONAL || !row->def || dn_value_map_get(map, row->key))
            continue;
        dn_value *def;
        if (dn_schema_default(row, &def, err) != DN_OK)
            goto nomem;
        if (dn_value_map_set(map, row->key, def) != DN_OK)
            goto nomem;
    }
    *out = map;
    return DN_OK;
nomem:
    dn_value_free(map);
    return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory completing parameters");
}

dn_status dn_schema_data(const dn_schema_node *spec, dn_tree_data which, const dn_tree *node,
                         const dn_tree *top, dn_value **out, dn_error *err)
{
    *out = NULL;
    sc_eff eff;
    if (!sc_eff_build(&eff, node, top, which))
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory completing parameters");
    if (spec)
        spec = dn_schema_variant(spec, node, top);
    dn_status st = complete(spec ? spec->data[which] : NULL, &eff, out, err);
    sc_eff_free(&eff);
    return st;
}

dn_status dn_schema_item(const dn_schema_table *table, const dn_value *item, dn_value **out,
                         dn_error *err)
{
    *out = NULL;
    if (!item || item->type != DN_VALUE_MAP)
        return dn_error_set(err, DN_EINPUT, item ? &item->mark : NULL, NULL,
                            "a %s must be a mapping, not a %s", table->name, dn_value_kind(item));
    sc_eff eff;
    if (!sc_eff_from_map(&eff, item))
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory completing parameters");
    dn_status st = complete(table, &eff, out, err);
    sc_eff_free(&eff);
    return st;
}

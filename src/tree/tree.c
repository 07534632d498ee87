/* ParamsTree nodes (deNEST spec §1.1): building a tree from a value with the spec's validation,
 * node structure (children, names, paths), inherited data lookup (§1.2), equality and copy. */
#include "denest/tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/yaml.h"
#include "tree/tree_internal.h"

static const char *const data_names[DN_TREE_NDATA] = {"params", "nest_params"};

const char *dn_tree_data_name(dn_tree_data which)
{
    return which == DN_NEST_PARAMS ? data_names[1] : data_names[0];
}

/* ---- lifetime ---------------------------------------------------------------------------- */

/* A node with empty data maps; NULL when out of memory. */
static dn_tree *node_new(void)
{
    dn_tree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    for (int k = 0; k < DN_TREE_NDATA; k++) {
        t->data[k] = dn_value_map();
        if (!t->data[k]) {
            dn_value_free(t->data[0]);
            free(t);
            return NULL;
        }
    }
    return t;
}

dn_tree *dn_tree_new(void)
{
    return node_new();
}

static void node_free(dn_tree *t)
{
    for (size_t i = 0; i < t->n_children; i++)
        node_free(t->children[i]);
    free(t->children);
    dn_value_free(t->name);
    for (int k = 0; k < DN_TREE_NDATA; k++)
        dn_value_free(t->data[k]);
    free(t);
}

void dn_tree_free(dn_tree *tree)
{
    if (tree)
        node_free(tree);
}

/* Append child (owned from now on) to parent. */
static dn_status attach(dn_tree *parent, dn_tree *child)
{
    if (parent->n_children == parent->cap_children) {
        size_t cap = parent->cap_children ? 2 * parent->cap_children : 4;
        dn_tree **c = realloc(parent->children, cap * sizeof *c);
        if (!c)
            return DN_ENOMEM;
        parent->children = c;
        parent->cap_children = cap;
    }
    parent->children[parent->n_children++] = child;
    child->parent = parent;
    return DN_OK;
}

dn_tree *dn_tree_new_child(dn_tree *parent, const dn_value *name, dn_mark mark)
{
    dn_tree *c = node_new();
    if (!c)
        return NULL;
    c->name = dn_value_copy(name);
    c->mark = mark;
    if (!c->name || attach(parent, c) != DN_OK) {
        node_free(c);
        return NULL;
    }
    return c;
}

/* ---- structure --------------------------------------------------------------------------- */

size_t dn_tree_n_children(const dn_tree *node)
{
    return node ? node->n_children : 0;
}

dn_tree *dn_tree_child_at(const dn_tree *node, size_t i)
{
    return node && i < node->n_children ? node->children[i] : NULL;
}

dn_tree *dn_tree_child(const dn_tree *node, const char *name)
{
    if (!node || !name)
        return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < node->n_children; i++) {
        const dn_value *k = node->children[i]->name;
        if (k && k->type == DN_VALUE_STRING && k->u.s.len == n && memcmp(k->u.s.ptr, name, n) == 0)
            return node->children[i];
    }
    return NULL;
}

dn_tree *dn_tree_child_key(const dn_tree *node, const dn_value *name)
{
    if (!node)
        return NULL;
    for (size_t i = 0; i < node->n_children; i++) {
        const dn_value *k = node->children[i]->name;
        if (k ? dn_value_equal(k, name) : (!name || name->type == DN_VALUE_NULL))
            return node->children[i];
    }
    return NULL;
}

const dn_tree *dn_tree_root(const dn_tree *node)
{
    while (node && node->parent)
        node = node->parent;
    return node;
}

char *dn_tree_name_text(const dn_tree *node, char *buf, size_t size)
{
    if (!size)
        return buf;
    if (!node || !node->name) {
        snprintf(buf, size, "None");
        return buf;
    }
    char *text = dn_value_to_text(node->name);
    snprintf(buf, size, "%s", text ? text : "?");
    free(text);
    return buf;
}

char *dn_tree_path(const dn_tree *node, const char *suffix, char *buf, size_t size)
{
    if (!size)
        return buf;
    buf[0] = '\0';
    /* Names from node up to (not including) the root, then written in reverse. */
    const dn_tree *chain[DN_YAML_MAX_DEPTH + 2];
    size_t n = 0;
    for (const dn_tree *t = node; t && t->parent && n < sizeof chain / sizeof *chain; t = t->parent)
        chain[n++] = t;
    size_t len = 0;
    char name[256];
    for (size_t i = n; i-- > 0;) {
        dn_tree_name_text(chain[i], name, sizeof name);
        int w = snprintf(buf + len, size - len, "%s%s", len ? "/" : "", name);
        if (w < 0 || (size_t)w >= size - len)
            return buf;
        len += (size_t)w;
    }
    if (suffix)
        snprintf(buf + len, size - len, "%s%s", len ? "/" : "", suffix);
    return buf;
}

dn_status dn_tree_set_name(dn_tree *node, const char *s)
{
    dn_value *name = NULL;
    if (s && !(name = dn_value_string(s)))
        return DN_ENOMEM;
    dn_value_free(node->name);
    node->name = name;
    return DN_OK;
}

dn_status dn_tree_add_child(dn_tree *node, const char *name, dn_tree **child, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    if (dn_tree_child(node, name))
        return dn_error_set(err, DN_EINPUT, NULL, dn_tree_path(node, name, path, sizeof path),
                            "a child named '%s' exists already", name);
    if (strcmp(name, "params") == 0 || strcmp(name, "nest_params") == 0)
        return dn_error_set(err, DN_EINPUT, NULL, dn_tree_path(node, name, path, sizeof path),
                            "'%s' is a data key and cannot name a child node", name);
    dn_value *key = dn_value_string(name);
    dn_tree *c = key ? dn_tree_new_child(node, key, (dn_mark){0}) : NULL;
    dn_value_free(key);
    if (!c)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory building a tree");
    if (child)
        *child = c;
    return DN_OK;
}

dn_status dn_tree_set_param(dn_tree *node, dn_tree_data which, const char *key, dn_value *value)
{
    return dn_value_map_set(node->data[which], key, value);
}

/* ---- building from a value (spec §1.1) --------------------------------------------------- */

static int data_key(const dn_value *k)
{
    const char *s = dn_value_str(k);
    if (!s)
        return -1;
    for (int w = 0; w < DN_TREE_NDATA; w++)
        if (strcmp(s, data_names[w]) == 0 && k->u.s.len == strlen(data_names[w]))
            return w;
    return -1;
}

static dn_status bad_value(dn_error *err, const dn_value *v, const dn_mark *key_mark,
                           const char *path, const char *what)
{
    /* A null written as nothing has no position of its own: point at its key. */
    const dn_mark *m = v->mark.line && v->type != DN_VALUE_NULL ? &v->mark : key_mark;
    if (v->type == DN_VALUE_NULL)
        return dn_error_set(err, DN_EINPUT, m, path,
                            "%s is empty (null); write {} for an empty mapping or remove it", what);
    char *shown = dn_value_repr(v);
    char brief[64];
    snprintf(brief, sizeof brief, "%s", shown ? shown : "?");
    if (shown && strlen(shown) >= sizeof brief)
        memcpy(brief + sizeof brief - 4, "...", 4);
    free(shown);
    return dn_error_set(err, DN_EINPUT, m, path, "%s must be a mapping, not %s (%s)", what,
                        dn_value_a_kind(v), brief);
}

static dn_status build(dn_tree *node, const dn_value *v, dn_error *err)
{
    char path[DN_ERROR_PATH_MAX];
    if (v->type == DN_VALUE_NULL)
        return DN_OK;
    for (size_t i = 0; i < v->u.map.len; i++) {
        const dn_value *k = v->u.map.items[i].key;
        const dn_value *x = v->u.map.items[i].value;
        int w = data_key(k);
        if (w >= 0) {
            if (x->type != DN_VALUE_MAP)
                return bad_value(err, x, &k->mark,
                                 dn_tree_path(node, data_names[w], path, sizeof path),
                                 w == DN_PARAMS ? "'params'" : "'nest_params'");
            dn_value *copy = dn_value_copy(x);
            if (!copy)
                return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory building a tree");
            dn_value_free(node->data[w]);
            node->data[w] = copy;
            node->data_mark[w] = k->mark;
            continue;
        }
        dn_tree *c = dn_tree_new_child(node, k, k->mark);
        if (!c)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory building a tree");
        if (x->type != DN_VALUE_MAP && x->type != DN_VALUE_NULL) {
            /* deNEST crashes on falsy non-mappings ([], 0, '', false); we refuse them all. */
            dn_status st = bad_value(err, x, &k->mark, dn_tree_path(c, NULL, path, sizeof path),
                                     "a tree node (child nodes and params/nest_params)");
            return st;
        }
        dn_status st = build(c, x, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

dn_status dn_tree_from_value(const dn_value *value, dn_tree **out, dn_error *err)
{
    *out = NULL;
    if (value && value->type != DN_VALUE_MAP && value->type != DN_VALUE_NULL) {
        char *shown = dn_value_repr(value);
        char brief[64];
        snprintf(brief, sizeof brief, "%s", shown ? shown : "?");
        free(shown);
        return dn_error_set(err, DN_EINPUT, &value->mark, NULL,
                            "the top level of a parameter tree must be a mapping, not %s (%s)",
                            dn_value_a_kind(value), brief);
    }
    dn_tree *t = node_new();
    if (!t)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory building a tree");
    if (value) {
        t->mark = value->mark;
        dn_status st = build(t, value, err);
        if (st != DN_OK) {
            node_free(t);
            return st;
        }
    }
    *out = t;
    return DN_OK;
}

dn_status dn_tree_read(const char *path, dn_tree **out, dn_error *err)
{
    *out = NULL;
    dn_value *v;
    dn_status st = dn_yaml_load_file(path, &v, err);
    if (st != DN_OK)
        return st;
    st = dn_tree_from_value(v, out, err);
    dn_value_free(v);
    return st;
}

dn_status dn_tree_read_string(const char *text, size_t len, const char *source, dn_tree **out,
                              dn_error *err)
{
    *out = NULL;
    dn_value *v;
    dn_status st = dn_yaml_load_string(text, len, source, &v, err);
    if (st != DN_OK)
        return st;
    st = dn_tree_from_value(v, out, err);
    dn_value_free(v);
    return st;
}

/* ---- data (spec §1.2) -------------------------------------------------------------------- */

const dn_value *dn_tree_own(const dn_tree *node, dn_tree_data which)
{
    return node->data[which];
}

const dn_value *dn_tree_find_param(const dn_tree *node, dn_tree_data which, const char *key,
                                   const dn_tree **owner)
{
    for (const dn_tree *t = node; t; t = t->parent) {
        const dn_value *v = dn_value_map_get(t->data[which], key);
        if (v) {
            if (owner)
                *owner = t;
            return v;
        }
    }
    if (owner)
        *owner = NULL;
    return NULL;
}

const dn_value *dn_tree_find_param_key(const dn_tree *node, dn_tree_data which, const dn_value *key,
                                       const dn_tree **owner)
{
    for (const dn_tree *t = node; t; t = t->parent) {
        const dn_value *v = dn_value_map_get_key(t->data[which], key);
        if (v) {
            if (owner)
                *owner = t;
            return v;
        }
    }
    if (owner)
        *owner = NULL;
    return NULL;
}

const dn_value *dn_tree_get_param(const dn_tree *node, dn_tree_data which, const char *key)
{
    return dn_tree_find_param(node, which, key, NULL);
}

dn_status dn_tree_effective(const dn_tree *node, dn_tree_data which, dn_value **out, dn_error *err)
{
    *out = NULL;
    dn_value *m = dn_value_map();
    if (!m)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
    /* Keys in root-first order of first appearance; each value from the nearest definition. */
    size_t depth = 0;
    for (const dn_tree *t = node; t; t = t->parent)
        depth++;
    for (size_t level = depth; level-- > 0;) {
        const dn_tree *t = node;
        for (size_t k = 0; k < level; k++)
            t = t->parent;
        const dn_value *own = t->data[which];
        for (size_t i = 0; i < own->u.map.len; i++) {
            const dn_value *key = own->u.map.items[i].key;
            if (dn_value_map_get_key(m, key))
                continue;
            const dn_value *v = dn_tree_find_param_key(node, which, key, NULL);
            if (dn_value_map_set_key(m, dn_value_copy(key), dn_value_copy(v)) != DN_OK) {
                dn_value_free(m);
                return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
            }
        }
    }
    *out = m;
    return DN_OK;
}

/* ---- equality and copy (spec §1.6) ------------------------------------------------------- */

bool dn_tree_equal(const dn_tree *a, const dn_tree *b)
{
    if (!a || !b)
        return a == b;
    for (int w = 0; w < DN_TREE_NDATA; w++)
        if (!dn_value_equal(a->data[w], b->data[w]))
            return false;
    if (a->n_children != b->n_children)
        return false;
    for (size_t i = 0; i < a->n_children; i++) {
        const dn_tree *other = dn_tree_child_key(b, a->children[i]->name);
        if (!other || !dn_tree_equal(a->children[i], other))
            return false;
    }
    return true;
}

static dn_status copy_into(dn_tree *dst, const dn_tree *src)
{
    for (int w = 0; w < DN_TREE_NDATA; w++) {
        dn_value *d = dn_value_copy(src->data[w]);
        if (!d)
            return DN_ENOMEM;
        dn_value_free(dst->data[w]);
        dst->data[w] = d;
        dst->data_mark[w] = src->data_mark[w];
    }
    for (size_t i = 0; i < src->n_children; i++) {
        const dn_tree *s = src->children[i];
        dn_tree *c = dn_tree_new_child(dst, s->name, s->mark);
        if (!c || copy_into(c, s) != DN_OK)
            return DN_ENOMEM;
    }
    return DN_OK;
}

dn_tree *dn_tree_copy(const dn_tree *node)
{
    dn_tree *t = node_new();
    if (!t)
        return NULL;
    t->mark = node->mark;
    if (copy_into(t, node) != DN_OK) {
        node_free(t);
        return NULL;
    }
    return t;
}

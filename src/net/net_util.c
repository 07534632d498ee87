/* Small helpers of the network builder: the net's string pool, tree paths, "did you mean"
 * suffixes, locating the nest_params key an engine error is about, and NEST's raw file names. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/strfmt.h"
#include "denest/suggest.h"
#include "net/net_internal.h"

char *net_own(dn_net *net, char *s)
{
    if (!s)
        return NULL;
    if (net->n_strs == net->cap_strs) {
        size_t cap = net->cap_strs ? 2 * net->cap_strs : 64;
        char **p = realloc(net->strs, cap * sizeof *p);
        if (!p) {
            free(s);
            return NULL;
        }
        net->strs = p;
        net->cap_strs = cap;
    }
    net->strs[net->n_strs++] = s;
    return s;
}

char *net_strdup(dn_net *net, const char *s)
{
    return net_own(net, strdup(s ? s : ""));
}

char *net_strfmt(dn_net *net, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = dn_vstrfmt(fmt, ap);
    va_end(ap);
    return net_own(net, s);
}

const char *net_path(char *buf, size_t size, const char *base, const char *key)
{
    if (base && base[0] && key && key[0])
        snprintf(buf, size, "%s/%s", base, key);
    else
        snprintf(buf, size, "%s", base && base[0] ? base : (key ? key : ""));
    return buf;
}

const char *net_pathf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

const char *net_node_path(const dn_tree *node, const char *suffix, char *buf, size_t size)
{
    return dn_tree_path(node, suffix, buf, size);
}

const char *net_suggest(const char *word, const char *const *cands, size_t n, char *buf,
                        size_t size)
{
    const char *s = word ? dn_suggest(word, cands, n) : NULL;
    if (s)
        snprintf(buf, size, " (did you mean `%s`?)", s);
    else if (size)
        buf[0] = '\0';
    return buf;
}

dn_status net_oom(dn_error *err)
{
    return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory while building the network");
}

static bool same_mark(const dn_mark *a, const dn_mark *b)
{
    if (!a->file || !b->file || a->line <= 0)
        return false;
    return a->line == b->line && a->column == b->column && strcmp(a->file, b->file) == 0;
}

/* Does v or anything inside it carry the mark m? */
static bool contains_mark(const dn_value *v, const dn_mark *m)
{
    if (!v)
        return false;
    if (same_mark(&v->mark, m))
        return true;
    if (v->type == DN_VALUE_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++)
            if (contains_mark(v->u.list.items[i], m))
                return true;
    } else if (v->type == DN_VALUE_MAP) {
        for (size_t i = 0; i < v->u.map.len; i++) {
            if (same_mark(&v->u.map.items[i].key->mark, m) ||
                contains_mark(v->u.map.items[i].value, m))
                return true;
        }
    }
    return false;
}

void net_error_locate(dn_error *err, const dn_tree *leaf, dn_tree_data which,
                      const dn_value *params)
{
    if (!err || err->status != DN_EINPUT || err->path[0])
        return;
    char path[DN_ERROR_PATH_MAX];
    const char *data = dn_tree_data_name(which);
    if (params && params->type == DN_VALUE_MAP) {
        for (size_t i = 0; i < params->u.map.len; i++) {
            const dn_map_entry *en = &params->u.map.items[i];
            if (!same_mark(&en->key->mark, &err->mark) && !contains_mark(en->value, &err->mark))
                continue;
            const dn_tree *owner = NULL;
            dn_tree_find_param_key(leaf, which, en->key, &owner);
            char *key = dn_value_to_text(en->key);
            char suffix[DN_ERROR_PATH_MAX];
            snprintf(suffix, sizeof suffix, "%s/%s", data, key ? key : "?");
            free(key);
            dn_tree_path(owner ? owner : leaf, suffix, path, sizeof path);
            snprintf(err->path, sizeof err->path, "%s", path);
            return;
        }
    }
    dn_tree_path(leaf, data, path, sizeof path);
    snprintf(err->path, sizeof err->path, "%s", path);
    if (!err->mark.file)
        err->mark = leaf->mark;
}

int net_digits(size_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

char *net_raw_filename(const char *prefix, const char *label, dn_gid gid, size_t network_size,
                       int vp, int n_vp, const char *ext)
{
    int gd = net_digits(network_size), vd = net_digits(n_vp > 0 ? (size_t)n_vp : 1);
    const char *fmt = "%s%s-%0*lu-%0*d.%s";
    int n = snprintf(NULL, 0, fmt, prefix, label, gd, (unsigned long)gid, vd, vp, ext);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, fmt, prefix, label, gd, (unsigned long)gid, vd, vp, ext);
    return s;
}

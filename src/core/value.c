/* Dynamic values (include/denest/value.h): constructors, deep copy, maps with Python dict key
 * semantics (a hash index appears once a map grows past a few entries, so reading a 10k-key map
 * stays linear), equality, and Python-style printing. */
#include "denest/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Maps up to this size are searched linearly; larger ones keep a hash index. */
#define MAP_INDEX_MIN 16

typedef struct map_index {
    size_t cap;    /* power of two, >= 2 * entries */
    size_t *slots; /* entry position + 1; 0 = empty */
} map_index;

/* ---- construction ------------------------------------------------------------------------ */

static dn_value *value_new(dn_value_type type)
{
    dn_value *v = calloc(1, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

dn_value *dn_value_null(void)
{
    return value_new(DN_VALUE_NULL);
}

dn_value *dn_value_bool(bool b)
{
    dn_value *v = value_new(DN_VALUE_BOOL);
    if (v)
        v->u.b = b;
    return v;
}

dn_value *dn_value_int(int64_t i)
{
    dn_value *v = value_new(DN_VALUE_INT);
    if (v)
        v->u.i = i;
    return v;
}

dn_value *dn_value_double(double d)
{
    dn_value *v = value_new(DN_VALUE_DOUBLE);
    if (v)
        v->u.d = d;
    return v;
}

dn_value *dn_value_string_n(const char *s, size_t n)
{
    dn_value *v = value_new(DN_VALUE_STRING);
    if (!v)
        return NULL;
    v->u.s.ptr = malloc(n + 1);
    if (!v->u.s.ptr) {
        free(v);
        return NULL;
    }
    if (n)
        memcpy(v->u.s.ptr, s, n);
    v->u.s.ptr[n] = '\0';
    v->u.s.len = n;
    return v;
}

dn_value *dn_value_string(const char *s)
{
    return dn_value_string_n(s, strlen(s));
}

dn_value *dn_value_list(void)
{
    return value_new(DN_VALUE_LIST);
}

dn_value *dn_value_map(void)
{
    return value_new(DN_VALUE_MAP);
}

static void index_free(dn_value *map)
{
    map_index *ix = map->u.map.index;
    if (ix) {
        free(ix->slots);
        free(ix);
        map->u.map.index = NULL;
    }
}

void dn_value_free(dn_value *v)
{
    if (!v)
        return;
    switch (v->type) {
    case DN_VALUE_STRING:
        free(v->u.s.ptr);
        break;
    case DN_VALUE_LIST:
        for (size_t i = 0; i < v->u.list.len; i++)
            dn_value_free(v->u.list.items[i]);
        free(v->u.list.items);
        break;
    case DN_VALUE_MAP:
        for (size_t i = 0; i < v->u.map.len; i++) {
            dn_value_free(v->u.map.items[i].key);
            dn_value_free(v->u.map.items[i].value);
        }
        free(v->u.map.items);
        index_free(v);
        break;
    default:
        break;
    }
    free(v);
}

void dn_value_set_mark(dn_value *v, dn_mark mark)
{
    if (v)
        v->mark = mark;
}

dn_value *dn_value_copy(const dn_value *v)
{
    if (!v)
        return NULL;
    dn_value *c;
    switch (v->type) {
    case DN_VALUE_STRING:
        c = dn_value_string_n(v->u.s.ptr, v->u.s.len);
        break;
    case DN_VALUE_LIST:
        c = dn_value_list();
        if (!c)
            return NULL;
        if (v->u.list.len) {
            c->u.list.items = malloc(v->u.list.len * sizeof *c->u.list.items);
            if (!c->u.list.items) {
                free(c);
                return NULL;
            }
            c->u.list.cap = v->u.list.len;
            for (size_t i = 0; i < v->u.list.len; i++) {
                dn_value *item = dn_value_copy(v->u.list.items[i]);
                if (!item) {
                    dn_value_free(c);
                    return NULL;
                }
                c->u.list.items[c->u.list.len++] = item;
            }
        }
        break;
    case DN_VALUE_MAP:
        c = dn_value_map();
        if (!c)
            return NULL;
        for (size_t i = 0; i < v->u.map.len; i++) {
            dn_value *k = dn_value_copy(v->u.map.items[i].key);
            dn_value *x = dn_value_copy(v->u.map.items[i].value);
            if (!k || !x || dn_value_map_set_key(c, k, x) != DN_OK) {
                if (!k || !x) {
                    dn_value_free(k);
                    dn_value_free(x);
                }
                dn_value_free(c);
                return NULL;
            }
        }
        break;
    default:
        c = value_new(v->type);
        if (c)
            c->u = v->u;
        break;
    }
    if (c)
        c->mark = v->mark;
    return c;
}

/* ---- type inspection --------------------------------------------------------------------- */

const char *dn_value_type_name(dn_value_type type)
{
    switch (type) {
    case DN_VALUE_NULL:
        return "null";
    case DN_VALUE_BOOL:
        return "boolean";
    case DN_VALUE_INT:
        return "integer";
    case DN_VALUE_DOUBLE:
        return "decimal";
    case DN_VALUE_STRING:
        return "string";
    case DN_VALUE_LIST:
        return "list";
    case DN_VALUE_MAP:
        return "mapping";
    }
    return "unknown";
}

const char *dn_value_kind(const dn_value *v)
{
    return v ? dn_value_type_name(v->type) : "nothing";
}

const char *dn_value_a_kind(const dn_value *v)
{
    if (!v)
        return "nothing";
    switch (v->type) {
    case DN_VALUE_NULL:
        return "null";
    case DN_VALUE_BOOL:
        return "a boolean";
    case DN_VALUE_INT:
        return "an integer";
    case DN_VALUE_DOUBLE:
        return "a decimal";
    case DN_VALUE_STRING:
        return "a string";
    case DN_VALUE_LIST:
        return "a list";
    case DN_VALUE_MAP:
        return "a mapping";
    }
    return "an unknown value";
}

bool dn_value_is_scalar(const dn_value *v)
{
    return v && v->type != DN_VALUE_LIST && v->type != DN_VALUE_MAP;
}

bool dn_value_is_number(const dn_value *v)
{
    return v && (v->type == DN_VALUE_INT || v->type == DN_VALUE_DOUBLE);
}

bool dn_value_get_bool(const dn_value *v, bool *out)
{
    if (!v || v->type != DN_VALUE_BOOL)
        return false;
    *out = v->u.b;
    return true;
}

bool dn_value_get_int(const dn_value *v, int64_t *out)
{
    if (!v || v->type != DN_VALUE_INT)
        return false;
    *out = v->u.i;
    return true;
}

/* True if d is an integer inside int64's range (so (int64_t)d is exact). */
static bool double_is_int64(double d)
{
    return isfinite(d) && d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
}

bool dn_value_get_integral(const dn_value *v, int64_t *out)
{
    if (v && v->type == DN_VALUE_INT) {
        *out = v->u.i;
        return true;
    }
    if (v && v->type == DN_VALUE_DOUBLE && double_is_int64(v->u.d)) {
        *out = (int64_t)v->u.d;
        return true;
    }
    return false;
}

bool dn_value_get_double(const dn_value *v, double *out)
{
    if (v && v->type == DN_VALUE_DOUBLE) {
        *out = v->u.d;
        return true;
    }
    if (v && v->type == DN_VALUE_INT) {
        *out = (double)v->u.i;
        return true;
    }
    return false;
}

bool dn_value_get_string(const dn_value *v, const char **out)
{
    if (!v || v->type != DN_VALUE_STRING)
        return false;
    *out = v->u.s.ptr;
    return true;
}

const char *dn_value_str(const dn_value *v)
{
    return v && v->type == DN_VALUE_STRING ? v->u.s.ptr : NULL;
}

/* ---- lists ------------------------------------------------------------------------------- */

size_t dn_value_len(const dn_value *v)
{
    if (!v)
        return 0;
    if (v->type == DN_VALUE_LIST)
        return v->u.list.len;
    if (v->type == DN_VALUE_MAP)
        return v->u.map.len;
    return 0;
}

dn_value *dn_value_list_at(const dn_value *list, size_t i)
{
    if (!list || list->type != DN_VALUE_LIST || i >= list->u.list.len)
        return NULL;
    return list->u.list.items[i];
}

dn_status dn_value_list_append(dn_value *list, dn_value *item)
{
    if (!item)
        return DN_ENOMEM;
    if (!list || list->type != DN_VALUE_LIST) {
        dn_value_free(item);
        return DN_EINPUT;
    }
    if (list->u.list.len == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
        dn_value **items = realloc(list->u.list.items, cap * sizeof *items);
        if (!items) {
            dn_value_free(item);
            return DN_ENOMEM;
        }
        list->u.list.items = items;
        list->u.list.cap = cap;
    }
    list->u.list.items[list->u.list.len++] = item;
    return DN_OK;
}

/* ---- equality ---------------------------------------------------------------------------- */

/* Python's numeric view of v: bools are 0/1. Returns false if v is not numeric. */
static bool numeric(const dn_value *v, bool *is_int, int64_t *i, double *d)
{
    switch (v->type) {
    case DN_VALUE_BOOL:
        *is_int = true;
        *i = v->u.b;
        return true;
    case DN_VALUE_INT:
        *is_int = true;
        *i = v->u.i;
        return true;
    case DN_VALUE_DOUBLE:
        *is_int = false;
        *d = v->u.d;
        return true;
    default:
        return false;
    }
}

static bool maps_equal(const dn_value *a, const dn_value *b, bool strict);

static bool values_equal(const dn_value *a, const dn_value *b, bool strict)
{
    if (!a || !b)
        return a == b;
    if (strict && a->type != b->type)
        return false;
    bool ai, bi;
    int64_t ia = 0, ib = 0;
    double da = 0, db = 0;
    if (!strict && numeric(a, &ai, &ia, &da) && numeric(b, &bi, &ib, &db)) {
        if (ai && bi)
            return ia == ib;
        if (!ai && !bi)
            return da == db;
        /* Python compares int and float exactly, not through a rounded conversion. */
        double d = ai ? db : da;
        int64_t i = ai ? ia : ib;
        return double_is_int64(d) && (int64_t)d == i;
    }
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case DN_VALUE_NULL:
        return true;
    case DN_VALUE_BOOL:
        return a->u.b == b->u.b;
    case DN_VALUE_INT:
        return a->u.i == b->u.i;
    case DN_VALUE_DOUBLE:
        if (isnan(a->u.d) || isnan(b->u.d))
            return isnan(a->u.d) && isnan(b->u.d);
        return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
    case DN_VALUE_STRING:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
    case DN_VALUE_LIST:
        if (a->u.list.len != b->u.list.len)
            return false;
        for (size_t i = 0; i < a->u.list.len; i++)
            if (!values_equal(a->u.list.items[i], b->u.list.items[i], strict))
                return false;
        return true;
    case DN_VALUE_MAP:
        return maps_equal(a, b, strict);
    }
    return false;
}

bool dn_value_equal(const dn_value *a, const dn_value *b)
{
    return values_equal(a, b, false);
}

bool dn_value_identical(const dn_value *a, const dn_value *b)
{
    return values_equal(a, b, true);
}

/* ---- maps -------------------------------------------------------------------------------- */

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t hash_int(int64_t i)
{
    uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 29);
}

/* Consistent with dn_value_equal: equal numbers (1, 1.0, true) hash alike. */
static uint64_t hash_key(const dn_value *k)
{
    switch (k->type) {
    case DN_VALUE_NULL:
        return 0x51ED270B27ULL;
    case DN_VALUE_BOOL:
        return hash_int(k->u.b);
    case DN_VALUE_INT:
        return hash_int(k->u.i);
    case DN_VALUE_DOUBLE:
        if (double_is_int64(k->u.d))
            return hash_int((int64_t)k->u.d);
        if (isnan(k->u.d))
            return 0x7FF8ULL;
        return hash_bytes(&k->u.d, sizeof k->u.d, 1469598103934665603ULL);
    case DN_VALUE_STRING:
        return hash_bytes(k->u.s.ptr, k->u.s.len, 1469598103934665603ULL);
    default:
        return 0;
    }
}

static uint64_t hash_cstr(const char *s, size_t n)
{
    return hash_bytes(s, n, 1469598103934665603ULL);
}

static bool key_is_cstr(const dn_value *k, const char *s, size_t n)
{
    return k->type == DN_VALUE_STRING && k->u.s.len == n && memcmp(k->u.s.ptr, s, n) == 0;
}

static int index_insert(map_index *ix, const dn_value *key, size_t pos)
{
    size_t mask = ix->cap - 1;
    size_t h = (size_t)hash_key(key) & mask;
    while (ix->slots[h])
        h = (h + 1) & mask;
    ix->slots[h] = pos + 1;
    return 0;
}

/* (Re)build the index of a map with at least MAP_INDEX_MIN entries. On failure the map simply
 * stays unindexed (lookups fall back to a linear scan), so this cannot fail visibly. */
static void index_build(dn_value *map, size_t want)
{
    index_free(map);
    if (want < MAP_INDEX_MIN)
        return;
    size_t cap = 64;
    while (cap < 2 * want)
        cap *= 2;
    map_index *ix = malloc(sizeof *ix);
    size_t *slots = calloc(cap, sizeof *slots);
    if (!ix || !slots) {
        free(ix);
        free(slots);
        return;
    }
    ix->cap = cap;
    ix->slots = slots;
    for (size_t i = 0; i < map->u.map.len; i++)
        index_insert(ix, map->u.map.items[i].key, i);
    map->u.map.index = ix;
}

static ptrdiff_t find_key(const dn_value *map, const dn_value *key)
{
    if (!map || map->type != DN_VALUE_MAP || !dn_value_is_scalar(key))
        return -1;
    const map_index *ix = map->u.map.index;
    if (ix) {
        size_t mask = ix->cap - 1;
        for (size_t h = (size_t)hash_key(key) & mask; ix->slots[h]; h = (h + 1) & mask) {
            size_t pos = ix->slots[h] - 1;
            if (dn_value_equal(map->u.map.items[pos].key, key))
                return (ptrdiff_t)pos;
        }
        return -1;
    }
    for (size_t i = 0; i < map->u.map.len; i++)
        if (dn_value_equal(map->u.map.items[i].key, key))
            return (ptrdiff_t)i;
    return -1;
}

static ptrdiff_t find_cstr(const dn_value *map, const char *key)
{
    if (!map || map->type != DN_VALUE_MAP || !key)
        return -1;
    size_t n = strlen(key);
    const map_index *ix = map->u.map.index;
    if (ix) {
        size_t mask = ix->cap - 1;
        for (size_t h = (size_t)hash_cstr(key, n) & mask; ix->slots[h]; h = (h + 1) & mask) {
            size_t pos = ix->slots[h] - 1;
            if (key_is_cstr(map->u.map.items[pos].key, key, n))
                return (ptrdiff_t)pos;
        }
        return -1;
    }
    for (size_t i = 0; i < map->u.map.len; i++)
        if (key_is_cstr(map->u.map.items[i].key, key, n))
            return (ptrdiff_t)i;
    return -1;
}

dn_value *dn_value_map_get(const dn_value *map, const char *key)
{
    ptrdiff_t i = find_cstr(map, key);
    return i < 0 ? NULL : map->u.map.items[i].value;
}

dn_value *dn_value_map_get_key(const dn_value *map, const dn_value *key)
{
    ptrdiff_t i = find_key(map, key);
    return i < 0 ? NULL : map->u.map.items[i].value;
}

const dn_map_entry *dn_value_map_entry(const dn_value *map, const char *key)
{
    ptrdiff_t i = find_cstr(map, key);
    return i < 0 ? NULL : &map->u.map.items[i];
}

const dn_map_entry *dn_value_map_entry_key(const dn_value *map, const dn_value *key)
{
    ptrdiff_t i = find_key(map, key);
    return i < 0 ? NULL : &map->u.map.items[i];
}

const dn_map_entry *dn_value_map_at(const dn_value *map, size_t i)
{
    if (!map || map->type != DN_VALUE_MAP || i >= map->u.map.len)
        return NULL;
    return &map->u.map.items[i];
}

dn_status dn_value_map_set_key(dn_value *map, dn_value *key, dn_value *value)
{
    if (!key || !value) {
        dn_value_free(key);
        dn_value_free(value);
        return DN_ENOMEM;
    }
    if (!map || map->type != DN_VALUE_MAP || !dn_value_is_scalar(key)) {
        dn_value_free(key);
        dn_value_free(value);
        return DN_EINPUT;
    }
    ptrdiff_t at = find_key(map, key);
    if (at >= 0) {
        dn_value_free(key);
        dn_value_free(map->u.map.items[at].value);
        map->u.map.items[at].value = value;
        return DN_OK;
    }
    if (map->u.map.len == map->u.map.cap) {
        size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 4;
        dn_map_entry *items = realloc(map->u.map.items, cap * sizeof *items);
        if (!items) {
            dn_value_free(key);
            dn_value_free(value);
            return DN_ENOMEM;
        }
        map->u.map.items = items;
        map->u.map.cap = cap;
    }
    size_t pos = map->u.map.len++;
    map->u.map.items[pos].key = key;
    map->u.map.items[pos].value = value;
    map_index *ix = map->u.map.index;
    if (ix && 2 * map->u.map.len <= ix->cap)
        index_insert(ix, key, pos);
    else if (map->u.map.len >= MAP_INDEX_MIN)
        index_build(map, map->u.map.len);
    return DN_OK;
}

dn_status dn_value_map_set(dn_value *map, const char *key, dn_value *value)
{
    if (!key) {
        dn_value_free(value);
        return DN_EINPUT;
    }
    ptrdiff_t at = find_cstr(map, key);
    if (at >= 0) {
        if (!value)
            return DN_ENOMEM;
        dn_value_free(map->u.map.items[at].value);
        map->u.map.items[at].value = value;
        return DN_OK;
    }
    return dn_value_map_set_key(map, dn_value_string(key), value);
}

static void delete_at(dn_value *map, ptrdiff_t at)
{
    dn_value_free(map->u.map.items[at].key);
    dn_value_free(map->u.map.items[at].value);
    memmove(&map->u.map.items[at], &map->u.map.items[at + 1],
            (map->u.map.len - (size_t)at - 1) * sizeof *map->u.map.items);
    map->u.map.len--;
    if (map->u.map.index)
        index_build(map, map->u.map.len);
}

bool dn_value_map_delete(dn_value *map, const char *key)
{
    ptrdiff_t at = find_cstr(map, key);
    if (at < 0)
        return false;
    delete_at(map, at);
    return true;
}

bool dn_value_map_delete_key(dn_value *map, const dn_value *key)
{
    ptrdiff_t at = find_key(map, key);
    if (at < 0)
        return false;
    delete_at(map, at);
    return true;
}

/* Dict equality: same number of keys and every key of a found in b with an equal value. Keys
 * are unique within a map, so counting plus lookup suffices. */
static bool maps_equal(const dn_value *a, const dn_value *b, bool strict)
{
    if (a->u.map.len != b->u.map.len)
        return false;
    for (size_t i = 0; i < a->u.map.len; i++) {
        const dn_value *ka = a->u.map.items[i].key;
        ptrdiff_t j = find_key(b, ka);
        if (j < 0)
            return false;
        if (strict && !values_equal(ka, b->u.map.items[j].key, true))
            return false;
        if (!values_equal(a->u.map.items[i].value, b->u.map.items[j].value, strict))
            return false;
    }
    return true;
}

/* ---- printing ---------------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

char *dn_value_format_double(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-inf" : "inf");
        return buf;
    }
    /* Shortest round-tripping digits, as Python's repr picks them. */
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp = [-]D[.DDD]e[+-]XX */
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg)
        p++;
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int decpt = exp10 + 1; /* value = 0.DIGITS x 10^decpt */
    char out[48];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -decpt; i++)
                out[o++] = '0';
            for (size_t i = 0; i < nd; i++)
                out[o++] = digits[i];
        } else if ((size_t)decpt >= nd) {
            for (size_t i = 0; i < nd; i++)
                out[o++] = digits[i];
            for (size_t i = nd; i < (size_t)decpt; i++)
                out[o++] = '0';
            out[o++] = '.';
            out[o++] = '0';
        } else {
            for (size_t i = 0; i < nd; i++) {
                if (i == (size_t)decpt)
                    out[o++] = '.';
                out[o++] = digits[i];
            }
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (size_t i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        int e = decpt - 1;
        snprintf(out + o, sizeof out - o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
    snprintf(buf, size, "%s", out);
    return buf;
}

/* Length of the UTF-8 sequence starting at s (1 for an invalid lead byte), and its code point. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n) {
        *cp = c;
        return 1;
    }
    unsigned v = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* Python's repr of a str: quotes chosen as Python does, escapes for non-printable characters. */
static void repr_string(sbuf *b, const char *s, size_t n)
{
    bool has_single = memchr(s, '\'', n) != NULL;
    bool has_double = memchr(s, '"', n) != NULL;
    char q = has_single && !has_double ? '"' : '\'';
    sb_add(b, &q, 1);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        char esc[16];
        if (len == 1 && cp >= 0x80) {
            snprintf(esc, sizeof esc, "\\x%02x", cp); /* a stray byte */
            sb_puts(b, esc);
        } else if (cp == '\\' || cp == (unsigned)q) {
            esc[0] = '\\';
            esc[1] = (char)cp;
            sb_add(b, esc, 2);
        } else if (cp == '\n') {
            sb_puts(b, "\\n");
        } else if (cp == '\r') {
            sb_puts(b, "\\r");
        } else if (cp == '\t') {
            sb_puts(b, "\\t");
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) {
            snprintf(esc, sizeof esc, "\\x%02x", cp);
            sb_puts(b, esc);
        } else if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) {
            snprintf(esc, sizeof esc, "\\u%04x", cp);
            sb_puts(b, esc);
        } else {
            sb_add(b, s + i, len);
        }
        i += len;
    }
    sb_add(b, &q, 1);
}

static void repr_value(sbuf *b, const dn_value *v, bool bare_string)
{
    char num[48];
    if (!v) {
        sb_puts(b, "None");
        return;
    }
    switch (v->type) {
    case DN_VALUE_NULL:
        sb_puts(b, "None");
        break;
    case DN_VALUE_BOOL:
        sb_puts(b, v->u.b ? "True" : "False");
        break;
    case DN_VALUE_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        sb_puts(b, num);
        break;
    case DN_VALUE_DOUBLE:
        sb_puts(b, dn_value_format_double(v->u.d, num, sizeof num));
        break;
    case DN_VALUE_STRING:
        if (bare_string)
            sb_add(b, v->u.s.ptr, v->u.s.len);
        else
            repr_string(b, v->u.s.ptr, v->u.s.len);
        break;
    case DN_VALUE_LIST:
        sb_puts(b, "[");
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i)
                sb_puts(b, ", ");
            repr_value(b, v->u.list.items[i], false);
        }
        sb_puts(b, "]");
        break;
    case DN_VALUE_MAP:
        sb_puts(b, "{");
        for (size_t i = 0; i < v->u.map.len; i++) {
            if (i)
                sb_puts(b, ", ");
            repr_value(b, v->u.map.items[i].key, false);
            sb_puts(b, ": ");
            repr_value(b, v->u.map.items[i].value, false);
        }
        sb_puts(b, "}");
        break;
    }
}

static char *print_value(const dn_value *v, bool bare)
{
    sbuf b = {0};
    sb_add(&b, "", 0);
    repr_value(&b, v, bare);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *dn_value_repr(const dn_value *v)
{
    return print_value(v, false);
}

char *dn_value_to_text(const dn_value *v)
{
    return print_value(v, true);
}

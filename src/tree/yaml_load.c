/* YAML reader: libyaml's event parser drives an explicit stack that builds dn_values with marks.
 * Checks what libyaml does not: input size, NUL bytes and UTF-8 before parsing, tabs used as
 * indentation (a clear message instead of libyaml's), nesting depth, one document per input,
 * duplicate keys, tags, alias expansion size; merge keys `<<` follow PyYAML. */
#include "denest/yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct anchor {
    char *name;
    const dn_value *value; /* owned by the document being built */
    size_t size;           /* number of values in it */
} anchor;

typedef struct frame {
    dn_value *coll;    /* list or map under construction */
    dn_value *key;     /* map: pending key, NULL when a key is expected next */
    bool key_is_merge; /* map: the pending key is the merge key `<<` */
    dn_value *merges;  /* map: list of maps merged in with `<<`, in application order */
    char *anchor;      /* anchor to register when the collection is complete */
} frame;

typedef struct loader {
    yaml_parser_t parser;
    const char *file; /* interned */
    const char *text;
    size_t len;
    frame *stack;
    size_t depth, cap;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t alias_nodes;
    dn_value *root;
    dn_value *keep; /* values that anchors may point into, freed with the loader */
    dn_error *err;
} loader;

static dn_mark make_mark(const loader *L, yaml_mark_t m)
{
    dn_mark mark = {L->file, (int)m.line + 1, (int)m.column + 1};
    return mark;
}

static dn_status nomem(loader *L)
{
    dn_mark m = {L->file, 0, 0};
    return dn_error_set(L->err, DN_ENOMEM, &m, NULL, "out of memory while reading YAML");
}

/* "tag:yaml.org,2002:int" -> "!!int" for messages. */
static void tag_text(const char *tag, char *buf, size_t size)
{
    size_t n = strlen(TAG_PREFIX);
    if (strncmp(tag, TAG_PREFIX, n) == 0)
        snprintf(buf, size, "!!%s", tag + n);
    else
        snprintf(buf, size, "%s", tag);
}

static bool tag_is(const char *tag, const char *name)
{
    size_t n = strlen(TAG_PREFIX);
    return strncmp(tag, TAG_PREFIX, n) == 0 && strcmp(tag + n, name) == 0;
}

/* Short printable excerpt of a scalar for messages. */
static void excerpt(const char *s, size_t n, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < size; i++)
        buf[k++] = (s[i] == '\n' || s[i] == '\t') ? ' ' : s[i];
    if (k + 4 >= size && n > k) {
        buf[k++] = '.';
        buf[k++] = '.';
        buf[k++] = '.';
    }
    buf[k] = '\0';
}

static size_t count_values(const dn_value *v)
{
    size_t n = 1;
    if (v->type == DN_VALUE_LIST)
        for (size_t i = 0; i < v->u.list.len; i++)
            n += count_values(v->u.list.items[i]);
    else if (v->type == DN_VALUE_MAP)
        for (size_t i = 0; i < v->u.map.len; i++)
            n += count_values(v->u.map.items[i].key) + count_values(v->u.map.items[i].value);
    return n;
}

/* ---- scalars ----------------------------------------------------------------------------- */

static dn_status scalar_value(loader *L, const yaml_event_t *ev, dn_value **out)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    dn_mark mark = make_mark(L, ev->start_mark);
    char shown[64], tname[128];
    dn_value *v = NULL;
    bool overflow = false;

    if (!tag || strcmp(tag, "!") == 0) {
        if (!tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            v = dn_yaml_resolve_plain(text, len, &overflow);
        else
            v = dn_value_string_n(text, len);
    } else if (tag_is(tag, "str")) {
        v = dn_value_string_n(text, len);
    } else if (tag_is(tag, "null")) {
        v = dn_value_null(); /* PyYAML: !!null is None whatever the text */
    } else if (tag_is(tag, "int") || tag_is(tag, "float") || tag_is(tag, "bool")) {
        v = dn_yaml_resolve_plain(text, len, &overflow);
        bool ok =
            v &&
            ((tag_is(tag, "int") && v->type == DN_VALUE_INT) ||
             (tag_is(tag, "float") && (v->type == DN_VALUE_INT || v->type == DN_VALUE_DOUBLE)) ||
             (tag_is(tag, "bool") && v->type == DN_VALUE_BOOL));
        if (v && !ok) {
            dn_value_free(v);
            tag_text(tag, tname, sizeof tname);
            excerpt(text, len, shown, sizeof shown);
            return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                                "'%s' is not a valid %s value for the tag %s", shown,
                                tag_is(tag, "int")     ? "integer"
                                : tag_is(tag, "float") ? "decimal"
                                                       : "boolean",
                                tname);
        }
        if (v && v->type == DN_VALUE_INT && tag_is(tag, "float")) {
            double d = (double)v->u.i;
            v->type = DN_VALUE_DOUBLE;
            v->u.d = d;
        }
    } else {
        tag_text(tag, tname, sizeof tname);
        return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                            "unsupported YAML tag %s on a scalar (known: !!str !!int !!float "
                            "!!bool !!null)",
                            tname);
    }
    if (overflow) {
        excerpt(text, len, shown, sizeof shown);
        return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                            "integer %s is out of range (integers must fit in 64 bits)", shown);
    }
    if (!v)
        return nomem(L);
    v->mark = mark;
    *out = v;
    return DN_OK;
}

/* ---- anchors ----------------------------------------------------------------------------- */

static dn_status add_anchor(loader *L, char *name, const dn_value *v)
{
    if (L->n_anchors == L->cap_anchors) {
        size_t cap = L->cap_anchors ? 2 * L->cap_anchors : 8;
        anchor *a = realloc(L->anchors, cap * sizeof *a);
        if (!a) {
            free(name);
            return nomem(L);
        }
        L->anchors = a;
        L->cap_anchors = cap;
    }
    L->anchors[L->n_anchors].name = name;
    L->anchors[L->n_anchors].value = v;
    L->anchors[L->n_anchors].size = count_values(v);
    L->n_anchors++;
    return DN_OK;
}

static char *dup_anchor(const yaml_char_t *a)
{
    return a ? strdup((const char *)a) : NULL;
}

/* ---- building ---------------------------------------------------------------------------- */

static dn_status keep_value(loader *L, dn_value *v)
{
    if (!L->keep) {
        L->keep = dn_value_list();
        if (!L->keep) {
            dn_value_free(v);
            return nomem(L);
        }
    }
    return dn_value_list_append(L->keep, v) == DN_OK ? DN_OK : nomem(L);
}

/* A `<<` value: a mapping, or a list of mappings (PyYAML: earlier ones in the list win). */
static dn_status add_merge(loader *L, frame *f, dn_value *v)
{
    if (!f->merges && !(f->merges = dn_value_list())) {
        dn_value_free(v);
        return nomem(L);
    }
    if (v->type == DN_VALUE_MAP)
        return dn_value_list_append(f->merges, v) == DN_OK ? DN_OK : nomem(L);
    if (v->type == DN_VALUE_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (v->u.list.items[i]->type != DN_VALUE_MAP) {
                dn_mark m = v->u.list.items[i]->mark;
                dn_value_free(v);
                return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                                    "a merge key '<<' takes a mapping or a list of mappings");
            }
        }
        /* Applied later entries first so that earlier ones overwrite them. */
        for (size_t i = v->u.list.len; i-- > 0;) {
            dn_value *copy = dn_value_copy(v->u.list.items[i]);
            if (!copy || dn_value_list_append(f->merges, copy) != DN_OK) {
                dn_value_free(v);
                return nomem(L);
            }
        }
        return keep_value(L, v); /* anchors may point into it */
    }
    dn_mark m = v->mark;
    const char *kind = dn_value_a_kind(v);
    dn_value_free(v);
    return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                        "a merge key '<<' takes a mapping or a list of mappings, not %s", kind);
}

/* Rebuild a map that had `<<` keys: merged entries first (later merges overwrite earlier ones),
 * then the explicit entries, which always win (PyYAML's flatten_mapping). */
static dn_status apply_merges(loader *L, frame *f)
{
    dn_value *m = dn_value_map();
    if (!m)
        return nomem(L);
    m->mark = f->coll->mark;
    for (size_t k = 0; k < f->merges->u.list.len; k++) {
        const dn_value *src = f->merges->u.list.items[k];
        for (size_t i = 0; i < src->u.map.len; i++) {
            if (dn_value_map_set_key(m, dn_value_copy(src->u.map.items[i].key),
                                     dn_value_copy(src->u.map.items[i].value)) != DN_OK) {
                dn_value_free(m);
                return nomem(L);
            }
        }
    }
    dn_value *old = f->coll;
    for (size_t i = 0; i < old->u.map.len; i++) {
        dn_status st = dn_value_map_set_key(m, old->u.map.items[i].key, old->u.map.items[i].value);
        old->u.map.items[i].key = old->u.map.items[i].value = NULL;
        if (st != DN_OK) {
            for (size_t j = i + 1; j < old->u.map.len; j++) {
                dn_value_free(old->u.map.items[j].key);
                dn_value_free(old->u.map.items[j].value);
                old->u.map.items[j].key = old->u.map.items[j].value = NULL;
            }
            dn_value_free(m);
            return nomem(L);
        }
    }
    old->u.map.len = 0;
    dn_value_free(old);
    f->coll = m;
    dn_status st = keep_value(L, f->merges);
    f->merges = NULL;
    return st;
}

/* A finished value v (scalar, alias copy, or completed collection) goes into its parent. */
static dn_status complete(loader *L, dn_value *v, char *anchor_name, bool is_merge_key)
{
    if (anchor_name) {
        dn_status st = add_anchor(L, anchor_name, v);
        if (st != DN_OK) {
            dn_value_free(v);
            return st;
        }
    }
    if (L->depth == 0) {
        L->root = v;
        return DN_OK;
    }
    frame *f = &L->stack[L->depth - 1];
    if (f->coll->type == DN_VALUE_LIST)
        return dn_value_list_append(f->coll, v) == DN_OK ? DN_OK : nomem(L);
    if (!f->key) {
        if (!dn_value_is_scalar(v)) {
            dn_mark m = v->mark;
            const char *kind = dn_value_a_kind(v);
            dn_value_free(v);
            return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                                "a mapping key must be a scalar (text or number), not %s", kind);
        }
        f->key = v;
        f->key_is_merge = is_merge_key;
        return DN_OK;
    }
    dn_value *key = f->key;
    f->key = NULL;
    if (f->key_is_merge) {
        dn_value_free(key);
        return add_merge(L, f, v);
    }
    const dn_map_entry *prev = dn_value_map_entry_key(f->coll, key);
    if (prev) {
        char *shown = dn_value_repr(key);
        dn_mark m = key->mark;
        dn_status st = dn_error_set(
            L->err, DN_EINPUT, &m, NULL,
            "duplicate key %s in this mapping (first written at line %d, column %d); YAML "
            "readers such as PyYAML silently keep the last one: remove one of them",
            shown ? shown : "?", prev->key->mark.line, prev->key->mark.column);
        free(shown);
        dn_value_free(key);
        dn_value_free(v);
        return st;
    }
    return dn_value_map_set_key(f->coll, key, v) == DN_OK ? DN_OK : nomem(L);
}

static dn_status push(loader *L, dn_value *coll, char *anchor_name)
{
    if (L->depth >= DN_YAML_MAX_DEPTH) {
        dn_mark m = coll->mark;
        dn_value_free(coll);
        free(anchor_name);
        return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                            "YAML nesting deeper than %d levels; parameter files are never "
                            "this deep (is the file generated by mistake?)",
                            DN_YAML_MAX_DEPTH);
    }
    if (L->depth == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 32;
        frame *s = realloc(L->stack, cap * sizeof *s);
        if (!s) {
            dn_value_free(coll);
            free(anchor_name);
            return nomem(L);
        }
        L->stack = s;
        L->cap = cap;
    }
    frame *f = &L->stack[L->depth++];
    memset(f, 0, sizeof *f);
    f->coll = coll;
    f->anchor = anchor_name;
    return DN_OK;
}

static dn_status pop(loader *L)
{
    frame *f = &L->stack[L->depth - 1];
    if (f->merges) {
        dn_status st = apply_merges(L, f);
        if (st != DN_OK)
            return st;
    }
    frame done = *f;
    L->depth--;
    return complete(L, done.coll, done.anchor, false);
}

static dn_status collection_start(loader *L, const yaml_event_t *ev)
{
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    const char *tag =
        (const char *)(is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
    const yaml_char_t *anchor_name =
        is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    dn_mark mark = make_mark(L, ev->start_mark);
    if (tag && strcmp(tag, "!") != 0 &&
        !(is_map ? tag_is(tag, "map") : tag_is(tag, "seq") || tag_is(tag, "python/tuple"))) {
        char tname[128];
        tag_text(tag, tname, sizeof tname);
        return dn_error_set(
            L->err, DN_EINPUT, &mark, NULL, "unsupported YAML tag %s on a %s (known: %s)", tname,
            is_map ? "mapping" : "sequence", is_map ? "!!map" : "!!seq, !!python/tuple");
    }
    dn_value *coll = is_map ? dn_value_map() : dn_value_list();
    if (!coll)
        return nomem(L);
    coll->mark = mark;
    char *a = dup_anchor(anchor_name);
    if (anchor_name && !a) {
        dn_value_free(coll);
        return nomem(L);
    }
    return push(L, coll, a);
}

static dn_status alias(loader *L, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    dn_mark mark = make_mark(L, ev->start_mark);
    for (size_t i = L->n_anchors; i-- > 0;) {
        if (strcmp(L->anchors[i].name, name) != 0)
            continue;
        L->alias_nodes += L->anchors[i].size;
        if (L->alias_nodes > DN_YAML_MAX_ALIAS_NODES)
            return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                                "aliases expand to more than %d values (alias *%s); the document "
                                "is too large once expanded (a \"billion laughs\" document?)",
                                DN_YAML_MAX_ALIAS_NODES, name);
        dn_value *copy = dn_value_copy(L->anchors[i].value);
        if (!copy)
            return nomem(L);
        copy->mark = mark;
        return complete(L, copy, NULL, false);
    }
    for (size_t d = 0; d < L->depth; d++)
        if (L->stack[d].anchor && strcmp(L->stack[d].anchor, name) == 0)
            return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                                "alias *%s refers to a collection that contains it; recursive "
                                "structures are not supported",
                                name);
    return dn_error_set(L->err, DN_EINPUT, &mark, NULL,
                        "alias *%s is used before an anchor &%s is defined", name, name);
}

/* ---- errors from libyaml ----------------------------------------------------------------- */

/* If line `line0` (0-based) of the text is indented with a tab, the 1-based column of the first
 * tab, else 0. */
static int tab_in_indentation(const loader *L, size_t line0)
{
    size_t pos = 0, line = 0;
    while (line < line0 && pos < L->len) {
        if (L->text[pos++] == '\n')
            line++;
    }
    if (line != line0)
        return 0;
    for (int col = 1; pos < L->len && (L->text[pos] == ' ' || L->text[pos] == '\t'); pos++, col++)
        if (L->text[pos] == '\t')
            return col;
    return 0;
}

static dn_status parser_error(loader *L)
{
    yaml_parser_t *p = &L->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(L);
    if (p->error == YAML_READER_ERROR) {
        /* Offsets to line/column (the input is UTF-8, validated beforehand). */
        size_t line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < L->len; i++) {
            if (L->text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)L->text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        dn_mark m = {L->file, (int)line, (int)col};
        return dn_error_set(L->err, DN_EINPUT, &m, NULL, "cannot read the YAML text: %s",
                            p->problem ? p->problem : "unknown problem");
    }
    dn_mark m = make_mark(L, p->problem_mark);
    /* A tab in the indentation of the offending line (or of the context line), or right at the
     * problem ("-<TAB>item"), is the usual cause of errors that libyaml describes obscurely. */
    if (p->problem_mark.index < L->len && L->text[p->problem_mark.index] == '\t')
        return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                            "tab character in indentation; YAML requires spaces");
    int tab = tab_in_indentation(L, p->problem_mark.line);
    size_t tab_line = p->problem_mark.line;
    if (!tab && p->context) {
        tab = tab_in_indentation(L, p->context_mark.line);
        tab_line = p->context_mark.line;
    }
    if (tab) {
        dn_mark t = {L->file, (int)tab_line + 1, tab};
        return dn_error_set(L->err, DN_EINPUT, &t, NULL,
                            "tab character in indentation; YAML requires spaces");
    }
    if (p->context)
        return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                            "YAML syntax error: %s (%s started at line %d, column %d)",
                            p->problem ? p->problem : "unknown problem", p->context,
                            (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return dn_error_set(L->err, DN_EINPUT, &m, NULL, "YAML syntax error: %s",
                        p->problem ? p->problem : "unknown problem");
}

/* NUL bytes and invalid UTF-8 are refused with their position before libyaml sees the text. */
static dn_status check_text(loader *L)
{
    const unsigned char *s = (const unsigned char *)L->text;
    size_t n = L->len;
    int line = 1, col = 1;
    for (size_t i = 0; i < n;) {
        dn_mark m = {L->file, line, col};
        unsigned c = s[i];
        if (c == 0)
            return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                                "NUL byte in the file: a YAML parameter file must be UTF-8 text");
        size_t len = c < 0x80                   ? 1
                     : (c >= 0xC2 && c <= 0xDF) ? 2
                     : (c & 0xF0) == 0xE0       ? 3
                     : (c >= 0xF0 && c <= 0xF4) ? 4
                                                : 0;
        bool ok = len > 0 && i + len <= n;
        unsigned cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; ok && k < len; k++) {
            ok = (s[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (ok && len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
            ok = false;
        if (ok && len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
            ok = false;
        if (!ok)
            return dn_error_set(L->err, DN_EINPUT, &m, NULL,
                                "invalid UTF-8 (byte 0x%02X); save the file as UTF-8 text", c);
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += len;
    }
    return DN_OK;
}

/* ---- driver ------------------------------------------------------------------------------ */

static void loader_free(loader *L)
{
    for (size_t d = 0; d < L->depth; d++) {
        dn_value_free(L->stack[d].coll);
        dn_value_free(L->stack[d].key);
        dn_value_free(L->stack[d].merges);
        free(L->stack[d].anchor);
    }
    free(L->stack);
    for (size_t i = 0; i < L->n_anchors; i++)
        free(L->anchors[i].name);
    free(L->anchors);
    dn_value_free(L->keep);
    yaml_parser_delete(&L->parser);
}

static dn_status parse(loader *L)
{
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&L->parser, &ev))
            return parser_error(L);
        dn_status st = DN_OK;
        dn_value *v = NULL;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                dn_mark m = make_mark(L, ev.start_mark);
                st = dn_error_set(L->err, DN_EINPUT, &m, NULL,
                                  "a second YAML document starts here; a parameter file holds "
                                  "exactly one document (remove the '---' line or split the "
                                  "file)");
            }
            break;
        case YAML_SCALAR_EVENT: {
            st = scalar_value(L, &ev, &v);
            if (st != DN_OK)
                break;
            char *a = dup_anchor(ev.data.scalar.anchor);
            if (ev.data.scalar.anchor && !a) {
                dn_value_free(v);
                st = nomem(L);
                break;
            }
            bool merge = !ev.data.scalar.tag && ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                         ev.data.scalar.length == 2 && memcmp(ev.data.scalar.value, "<<", 2) == 0;
            st = complete(L, v, a, merge);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            st = collection_start(L, &ev);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            st = pop(L);
            break;
        case YAML_ALIAS_EVENT:
            st = alias(L, &ev);
            break;
        default:
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (st != DN_OK)
            return st;
        if (end)
            return DN_OK;
    }
}

dn_status dn_yaml_load_string(const char *text, size_t len, const char *source, dn_value **out,
                              dn_error *err)
{
    *out = NULL;
    loader L;
    memset(&L, 0, sizeof L);
    L.err = err;
    L.text = text;
    L.len = len;
    L.file = dn_intern(source ? source : "<string>");
    if (!L.file)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory while reading YAML");
    dn_status st = check_text(&L);
    if (st != DN_OK)
        return st;
    if (!yaml_parser_initialize(&L.parser))
        return nomem(&L);
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
    st = parse(&L);
    if (st == DN_OK && !L.root) {
        L.root = dn_value_null();
        if (!L.root)
            st = nomem(&L);
        else
            L.root->mark = (dn_mark){L.file, 1, 1};
    }
    if (st != DN_OK) {
        dn_value_free(L.root);
        L.root = NULL;
    }
    *out = L.root;
    loader_free(&L);
    return st;
}

dn_status dn_yaml_load_file(const char *path, dn_value **out, dn_error *err)
{
    *out = NULL;
    const char *file = dn_intern(path);
    dn_mark m = {file, 0, 0};
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return dn_error_set(err, DN_EINPUT, &m, NULL, "No parameter file at %s", path);
        return dn_error_set(err, DN_EINPUT, &m, NULL, "cannot read parameter file %s: %s", path,
                            strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return dn_error_set(err, DN_EINPUT, &m, NULL, "%s is a directory, not a parameter file",
                            path);
    if ((long long)sb.st_size > DN_YAML_MAX_FILE_SIZE)
        return dn_error_set(err, DN_EINPUT, &m, NULL,
                            "parameter file %s is too large (%lld bytes; the limit is %lld MiB)",
                            path, (long long)sb.st_size, DN_YAML_MAX_FILE_SIZE >> 20);
    FILE *f = fopen(path, "rb");
    if (!f)
        return dn_error_set(err, errno == ENOMEM ? DN_ENOMEM : DN_EINPUT, &m, NULL,
                            "cannot read parameter file %s: %s", path, strerror(errno));
    /* Read at most the limit + 1 bytes: the file may have grown since stat. */
    size_t cap = (size_t)sb.st_size + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return dn_error_set(err, DN_ENOMEM, &m, NULL, "out of memory reading %s", path);
    }
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        if ((long long)cap > DN_YAML_MAX_FILE_SIZE) {
            free(buf);
            fclose(f);
            return dn_error_set(err, DN_EINPUT, &m, NULL,
                                "parameter file %s is too large (the limit is %lld MiB)", path,
                                DN_YAML_MAX_FILE_SIZE >> 20);
        }
        char *b = realloc(buf, 2 * cap);
        if (!b) {
            free(buf);
            fclose(f);
            return dn_error_set(err, DN_ENOMEM, &m, NULL, "out of memory reading %s", path);
        }
        buf = b;
        cap *= 2;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return dn_error_set(err, DN_EINPUT, &m, NULL, "cannot read parameter file %s: %s", path,
                            strerror(saved));
    }
    dn_status st = dn_yaml_load_string(buf, len, path, out, err);
    free(buf);
    return st;
}

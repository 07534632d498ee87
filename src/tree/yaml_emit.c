/* YAML writer: feeds libyaml's emitter the events of a dn_value so the output looks like
 * PyYAML's block-style dump (libyaml picks plain/quoted styles; we tell it when a plain string
 * would read back as something else), to a FILE* or a growing string, reporting write failures. */
#include "denest/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct sink {
    FILE *file; /* or NULL: append to buf */
    char *buf;
    size_t len, cap;
    int write_errno; /* first failure of fwrite/realloc */
    bool failed;
} sink;

static int sink_write(void *data, unsigned char *bytes, size_t size)
{
    sink *s = data;
    if (s->failed)
        return 0;
    if (s->file) {
        errno = 0;
        if (size && fwrite(bytes, 1, size, s->file) != size) {
            s->failed = true;
            s->write_errno = errno ? errno : EIO;
            return 0;
        }
        return 1;
    }
    if (s->len + size + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + size + 1)
            cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b) {
            s->failed = true;
            s->write_errno = ENOMEM;
            return 0;
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, bytes, size);
    s->len += size;
    s->buf[s->len] = '\0';
    return 1;
}

char *dn_yaml_format_double(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, ".nan");
        return buf;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-.inf" : ".inf");
        return buf;
    }
    char py[40];
    dn_value_format_double(d, py, sizeof py);
    /* Python writes 1e-07; YAML 1.1 (PyYAML) needs a dot to read a float: 1.0e-07. */
    char *e = strchr(py, 'e');
    if (e && !memchr(py, '.', (size_t)(e - py)))
        snprintf(buf, size, "%.*s.0%s", (int)(e - py), py, e);
    else
        snprintf(buf, size, "%s", py);
    return buf;
}

/* Characters that YAML reads as line breaks or drops (NEL, LS, PS, BOM) or that are not
 * printable: libyaml writes them raw in plain or single-quoted style, where they do not read
 * back as themselves, so such strings are double-quoted (libyaml then escapes them). */
static bool needs_escapes(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned c = u[i];
        if ((c < 0x20 && c != '\n') || c == 0x7F)
            return true;
        if (c == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0xA0)
            return true; /* C1 controls, NEL, no-break space */
        if (c == 0xE2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
            return true; /* U+2028, U+2029 */
        if (c == 0xEF && i + 2 < n && u[i + 1] == 0xBB && u[i + 2] == 0xBF)
            return true; /* BOM */
    }
    return false;
}

static int emit_scalar(yaml_emitter_t *em, const char *text, size_t len, bool plain_ok)
{
    yaml_event_t ev;
    yaml_scalar_style_t style =
        needs_escapes(text, len) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;
    if (!yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)"tag:yaml.org,2002:str",
                                      (yaml_char_t *)text, (int)len, plain_ok, 1, style))
        return 0;
    return yaml_emitter_emit(em, &ev);
}

static int emit_value(yaml_emitter_t *em, const dn_value *v)
{
    char num[48];
    yaml_event_t ev;
    switch (v->type) {
    case DN_VALUE_NULL:
        return emit_scalar(em, "null", 4, true);
    case DN_VALUE_BOOL:
        return v->u.b ? emit_scalar(em, "true", 4, true) : emit_scalar(em, "false", 5, true);
    case DN_VALUE_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        return emit_scalar(em, num, strlen(num), true);
    case DN_VALUE_DOUBLE:
        dn_yaml_format_double(v->u.d, num, sizeof num);
        return emit_scalar(em, num, strlen(num), true);
    case DN_VALUE_STRING:
        return emit_scalar(em, v->u.s.ptr, v->u.s.len, dn_yaml_plain_safe(v->u.s.ptr, v->u.s.len));
    case DN_VALUE_LIST:
        /* Empty collections come out in flow style ([] / {}) by libyaml's own rule. */
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return 0;
        for (size_t i = 0; i < v->u.list.len; i++)
            if (!emit_value(em, v->u.list.items[i]))
                return 0;
        return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
    case DN_VALUE_MAP:
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
            !yaml_emitter_emit(em, &ev))
            return 0;
        for (size_t i = 0; i < v->u.map.len; i++)
            if (!emit_value(em, v->u.map.items[i].key) || !emit_value(em, v->u.map.items[i].value))
                return 0;
        return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
    }
    return 0;
}

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        size_t len = c < 0x80                   ? 1
                     : (c >= 0xC2 && c <= 0xDF) ? 2
                     : (c & 0xF0) == 0xE0       ? 3
                     : (c >= 0xF0 && c <= 0xF4) ? 4
                                                : 0;
        if (len == 0 || i + len > n)
            return false;
        unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

/* The first string (value or key) that is not valid UTF-8, or NULL. libyaml refuses those. */
static const dn_value *bad_string(const dn_value *v)
{
    const dn_value *b = NULL;
    if (v->type == DN_VALUE_STRING)
        return valid_utf8(v->u.s.ptr, v->u.s.len) ? NULL : v;
    if (v->type == DN_VALUE_LIST)
        for (size_t i = 0; i < v->u.list.len && !b; i++)
            b = bad_string(v->u.list.items[i]);
    if (v->type == DN_VALUE_MAP)
        for (size_t i = 0; i < v->u.map.len && !b; i++)
            if (!(b = bad_string(v->u.map.items[i].key)))
                b = bad_string(v->u.map.items[i].value);
    return b;
}

static dn_status emit(const dn_value *v, sink *s, const char *what, dn_error *err)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    const dn_value *bad = bad_string(v);
    if (bad)
        return dn_error_set(err, DN_EINPUT, &bad->mark, NULL,
                            "cannot write a value as YAML: a string is not valid UTF-8");
    if (!yaml_emitter_initialize(&em))
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory writing YAML");
    yaml_emitter_set_output(&em, sink_write, s);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_width(&em, 80);
    int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
             yaml_emitter_emit(&em, &ev) &&
             yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
             yaml_emitter_emit(&em, &ev) && emit_value(&em, v) &&
             yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
             yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
             yaml_emitter_flush(&em);
    dn_status st = DN_OK;
    if (!ok) {
        if (s->failed && s->write_errno == ENOMEM && !s->file)
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory writing YAML");
        else if (s->failed)
            st = dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot write %s: %s", what,
                              strerror(s->write_errno));
        else if (em.error == YAML_EMITTER_ERROR)
            st = dn_error_set(err, DN_EINPUT, NULL, NULL, "cannot write a value as YAML: %s",
                              em.problem ? em.problem : "unknown problem");
        else /* a memory error, or an event that could not be allocated */
            st = dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory writing YAML");
    }
    yaml_emitter_delete(&em);
    return st;
}

dn_status dn_yaml_emit_file(const dn_value *v, FILE *f, dn_error *err)
{
    sink s = {.file = f};
    return emit(v, &s, "YAML output", err);
}

dn_status dn_yaml_emit_string(const dn_value *v, char **out, dn_error *err)
{
    sink s = {0};
    *out = NULL;
    dn_status st = emit(v, &s, "YAML output", err);
    if (st != DN_OK) {
        free(s.buf);
        return st;
    }
    if (!s.buf) {
        s.buf = calloc(1, 1);
        if (!s.buf)
            return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory writing YAML");
    }
    *out = s.buf;
    return DN_OK;
}

dn_status dn_yaml_write_file(const dn_value *v, const char *path, dn_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return dn_error_set(err, errno == ENOMEM ? DN_ENOMEM : DN_ERUNTIME, NULL, NULL,
                            "cannot create %s: %s", path, strerror(errno));
    sink s = {.file = f};
    dn_status st = emit(v, &s, path, err);
    if (st != DN_OK) {
        fclose(f);
        return st;
    }
    /* Data may still sit in stdio's buffer: a full disk shows up only at fflush/fclose. */
    if (fflush(f) != 0 || ferror(f)) {
        int e = errno;
        fclose(f);
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot write %s: %s", path, strerror(e));
    }
    if (fclose(f) != 0)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot write %s: %s", path,
                            strerror(errno));
    return DN_OK;
}

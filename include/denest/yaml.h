/* YAML in and out: read a YAML 1.1 document into a dn_value (resolving plain scalars as PyYAML's
 * SafeLoader does, with source marks on every value) and write a dn_value back as block-style YAML
 * that PyYAML and our reader both read back to the same value. */
#ifndef DENEST_YAML_H
#define DENEST_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "denest/error.h"
#include "denest/value.h"

/* Limits on input, each refused with a clean DN_EINPUT error. */
#define DN_YAML_MAX_FILE_SIZE ((long long)64 << 20) /* bytes; checked with stat before reading */
#define DN_YAML_MAX_DEPTH 1000                      /* nested collections */
/* Values created by expanding aliases (the "billion laughs" guard). */
#define DN_YAML_MAX_ALIAS_NODES 1000000

/* ---- reading -------------------------------------------------------------------------------
 * One document per input. The result is a new value owned by the caller (dn_value_free); an
 * empty input (or one holding only comments) gives a null value. Marks are 1-based line/column
 * with the file name interned (dn_intern), so they stay valid after the call.
 *
 * Scalars (YAML 1.1, PyYAML SafeLoader rules; see dn_yaml_resolve_plain):
 *   quoted scalars and block scalars (| >) are strings; the explicit tags !!str !!int !!float
 *   !!bool !!null !!seq !!map are honoured and `!!python/tuple` reads as a list; any other tag
 *   is an error. Anchors/aliases are expanded as deep copies (with the alias'
 *   mark on the copy's root), capped by DN_YAML_MAX_ALIAS_NODES. Merge keys `<<` work as in PyYAML
 *   (explicit keys win; earlier maps in a `<<: [*a, *b]` list win over later ones).
 *
 * Errors (all DN_EINPUT with file:line:column; DN_ENOMEM when out of memory):
 *   missing/unreadable file ("No parameter file at <path>"), a file over DN_YAML_MAX_FILE_SIZE,
 *   YAML syntax errors (libyaml's problem and context), a TAB in indentation, invalid UTF-8,
 *   a NUL byte, nesting deeper than DN_YAML_MAX_DEPTH, more than one document, a duplicate key
 *   in one mapping (PyYAML silently keeps the last one; we refuse), a non-scalar mapping key,
 *   an unknown tag, a value that does not match its tag (!!int abc), an undefined alias. */

/* Read the file at `path`. */
dn_status dn_yaml_load_file(const char *path, dn_value **out, dn_error *err);

/* Read `len` bytes of `text` (need not be NUL-terminated). `source` names the input in marks
 * (e.g. "<command line>"); NULL gives "<string>". */
dn_status dn_yaml_load_string(const char *text, size_t len, const char *source, dn_value **out,
                              dn_error *err);

/* Resolve a PLAIN (unquoted, untagged) scalar the way PyYAML's SafeLoader does, with deliberate
 * extensions (strings in PyYAML): `1e3`, `1E-3`, `1.0e3` (exponent without a dot or without a
 * sign) and `-.5`/`+.5` are floats, `0o17` is an int. Also unlike PyYAML, timestamps
 * (2020-01-01) and `=` stay strings (PyYAML makes dates / refuses `=`). Forms:
 *   null:  ~ null Null NULL and the empty scalar
 *   bool:  yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF
 *   int:   [-+]decimal with `_` separators, 0b..., 0x..., 0o..., leading-0 octal (017 = 15),
 *          sexagesimal 1:30 (= 90); 0 alone is decimal 0
 *   float: 1.5 50. .5 1.0e+3 -1_000.5, .inf -.inf +.inf .Inf .INF .nan .NaN .NAN, sexagesimal
 *          floats 1:30.5 (= 90.5)
 *   anything else is a string (an int too large for int64 is an error: returns NULL with
 *   *overflow set, if overflow is non-NULL).
 * Returns a new value with a zero mark, NULL when out of memory or on int64 overflow. */
dn_value *dn_yaml_resolve_plain(const char *text, size_t len, bool *overflow);

/* True when the string s (n bytes), written as a PLAIN scalar, would resolve back to a string
 * both with our reader and with PyYAML's (false for '1', 'yes', '', 'null', '1e3', '2020-01-01',
 * '<<', '='). The emitter quotes whatever fails this (and whatever YAML syntax cannot hold
 * plain, such as ' x' or 'a: b'). */
bool dn_yaml_plain_safe(const char *s, size_t n);

/* ---- writing -------------------------------------------------------------------------------
 * Block style like PyYAML's default_flow_style=False dump: map keys in stored order; lists with
 * `- item` at the parent key's indentation; empty map `{}`, empty list `[]`; null as `null`;
 * bools `true`/`false`; ints in decimal; doubles as Python repr digits made YAML-1.1-safe
 * (1.0, -44.0, 0.1, 1.0e-07, 1.0e+16, .inf, -.inf, .nan); strings plain when safe, else quoted
 * (single quotes, or double quotes with escapes for newlines, control characters and other
 * characters YAML does not allow); non-string keys as their YAML text (`0:`, `true:`, `null:`).
 * Produced with libyaml's emitter (indent 2, width 80 like PyYAML; UTF-8 kept readable).
 * Always ends with a newline. A bare scalar document is one line ("3\n"). */

/* Write v to an open stream. DN_ERUNTIME (with the C library's reason) if a write fails. */
dn_status dn_yaml_emit_file(const dn_value *v, FILE *f, dn_error *err);

/* Write v to the file at path (created or truncated); checks every write, fflush and fclose,
 * so a full disk is reported (DN_ERUNTIME, message names the path and the reason). */
dn_status dn_yaml_write_file(const dn_value *v, const char *path, dn_error *err);

/* Write v into a new malloc'ed NUL-terminated string (*out; caller frees). DN_ENOMEM on OOM. */
dn_status dn_yaml_emit_string(const dn_value *v, char **out, dn_error *err);

/* The YAML text of a double (see above: "1.0", "1.0e-07", ".inf", ".nan"). Needs 40 bytes. */
char *dn_yaml_format_double(double d, char *buf, size_t size);

#endif

/* Error records returned by every library call that can fail on bad input.
 * A record carries a status code, a message, the YAML source position (file:line:column) and the
 * tree path of the offending value, so the CLI can print one line that points at the mistake. */
#ifndef DENEST_ERROR_H
#define DENEST_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* Status codes. The CLI maps DN_EINPUT to exit status 2 and every other failure to 1. */
typedef enum dn_status {
    DN_OK = 0,
    DN_EINPUT,   /* bad input: parameter file, value, name, command-line argument */
    DN_ERUNTIME, /* failure while running: I/O, numerical failure */
    DN_ENOMEM,   /* out of memory */
} dn_status;

/* A position in a source file. `file` points at an interned string (dn_intern) that lives until
 * the process ends, so marks can be copied freely. line and column are 1-based; 0 = unknown. */
typedef struct dn_mark {
    const char *file;
    int line;
    int column;
} dn_mark;

#define DN_ERROR_MSG_MAX 1024
#define DN_ERROR_PATH_MAX 512

typedef struct dn_error {
    dn_status status;
    dn_mark mark;
    char path[DN_ERROR_PATH_MAX];    /* tree path such as network/layers/l1/params/populations */
    char message[DN_ERROR_MSG_MAX];  /* what is wrong, and the fix when one is known */
} dn_error;

/* Clear a record to DN_OK. */
void dn_error_clear(dn_error *err);

/* Fill a record (err may be NULL: then nothing is stored). Returns `status` so callers can write
 * `return dn_error_set(err, DN_EINPUT, mark, path, "...")`. mark and path may be NULL. */
dn_status dn_error_set(dn_error *err, dn_status status, const dn_mark *mark, const char *path,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
dn_status dn_error_vset(dn_error *err, dn_status status, const dn_mark *mark, const char *path,
                        const char *fmt, va_list ap);

/* Prefix the message with more context ("while loading x: ..."), keeping mark and path. */
void dn_error_prefix(dn_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line: "file:line:column: path: message" (parts that are unknown are left out). */
void dn_error_format(const dn_error *err, char *buf, size_t size);

/* Interned strings: one copy per distinct content, alive until the process ends. Used for file
 * names in marks. Thread-safe. Returns NULL only when out of memory. */
const char *dn_intern(const char *s);

#endif

/* Error records: filling, prefixing and one-line formatting (see include/denest/error.h). */
#include "denest/error.h"

#include <stdio.h>
#include <string.h>

void dn_error_clear(dn_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
}

dn_status dn_error_vset(dn_error *err, dn_status status, const dn_mark *mark, const char *path,
                        const char *fmt, va_list ap)
{
    if (!err)
        return status;
    err->status = status;
    if (mark)
        err->mark = *mark;
    else
        memset(&err->mark, 0, sizeof err->mark);
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return status;
}

dn_status dn_error_set(dn_error *err, dn_status status, const dn_mark *mark, const char *path,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dn_error_vset(err, status, mark, path, fmt, ap);
    va_end(ap);
    return status;
}

void dn_error_prefix(dn_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[DN_ERROR_MSG_MAX];
    char old[DN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    size_t n = strlen(prefix);
    if (n >= sizeof err->message)
        n = sizeof err->message - 1;
    memcpy(err->message, prefix, n);
    size_t rest = strlen(old);
    if (rest > sizeof err->message - 1 - n)
        rest = sizeof err->message - 1 - n;
    memcpy(err->message + n, old, rest);
    err->message[n + rest] = '\0';
}

void dn_error_format(const dn_error *err, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    size_t n = 0;
    buf[0] = '\0';
#define DN_APPEND(...)                                                                             \
    do {                                                                                           \
        if (n < size) {                                                                            \
            int w = snprintf(buf + n, size - n, __VA_ARGS__);                                      \
            if (w > 0)                                                                             \
                n += (size_t)w;                                                                    \
        }                                                                                          \
    } while (0)
    if (err->mark.file && err->mark.file[0]) {
        DN_APPEND("%s", err->mark.file);
        if (err->mark.line > 0) {
            DN_APPEND(":%d", err->mark.line);
            if (err->mark.column > 0)
                DN_APPEND(":%d", err->mark.column);
        }
        DN_APPEND(": ");
    }
    if (err->path[0])
        DN_APPEND("%s: ", err->path);
    DN_APPEND("%s", err->message);
#undef DN_APPEND
}

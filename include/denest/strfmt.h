/* printf into a new heap string. */
#ifndef DENEST_STRFMT_H
#define DENEST_STRFMT_H

#include <stdarg.h>

/* A new NUL-terminated string (free it), or NULL when out of memory or on a format error. */
char *dn_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *dn_vstrfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

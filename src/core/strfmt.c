/* printf into a new heap string (include/denest/strfmt.h). */
#include "denest/strfmt.h"

#include <stdio.h>
#include <stdlib.h>

char *dn_vstrfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *dn_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = dn_vstrfmt(fmt, ap);
    va_end(ap);
    return s;
}

/* Small helpers shared by the session layer: strings, paths, directories, time formatting and
 * the ms <-> tics conversion that keeps session times exact on the kernel's grid. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "denest/strfmt.h"
#include "sim/sim_internal.h"

dn_status sim_oom(dn_error *err)
{
    return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory");
}

char *sim_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *sim_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = dn_vstrfmt(fmt, ap);
    va_end(ap);
    return s;
}

char *sim_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

double sim_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *sim_hms(double seconds, char *buf, size_t size)
{
    long s = (long)seconds;
    snprintf(buf, size, "%ldh:%02ldm:%02lds", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

char *sim_ms_text(double ms, char *buf, size_t size)
{
    if (ms == floor(ms) && fabs(ms) < 1e15)
        snprintf(buf, size, "%.0f", ms);
    else
        dn_value_format_double(ms, buf, size);
    return buf;
}

char *sim_join(const char *dir, const char *name)
{
    if (!dir || !*dir || name[0] == '/')
        return sim_strdup(name);
    size_t n = strlen(dir);
    return sim_strfmt("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

int sim_mkdirs(const char *path)
{
    if (!*path)
        return ENOENT;
    char *p = sim_strdup(path);
    if (!p)
        return ENOMEM;
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = errno;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == 0) {
        struct stat sb;
        if (stat(p, &sb) != 0)
            rc = errno;
        else if (!S_ISDIR(sb.st_mode))
            rc = ENOTDIR;
    }
    free(p);
    return rc;
}

char *sim_repr(const dn_value *v)
{
    char *s = dn_value_repr(v);
    return s ? s : sim_strdup("?");
}

const dn_mark *sim_mark(const dn_value *v)
{
    return (v && v->mark.file) ? &v->mark : NULL;
}

sim_change_type sim_change_type_of(const char *s)
{
    if (s && strcmp(s, "multiplicative") == 0)
        return SIM_MULTIPLICATIVE;
    if (s && strcmp(s, "additive") == 0)
        return SIM_ADDITIVE;
    return SIM_CONSTANT;
}

bool sim_ms_to_tics(const dn_sim *sim, double ms, int64_t *tics)
{
    /* kernel spec §1.1/§1.7: round to the nearest tic, then it must be whole steps */
    if (!isfinite(ms) || fabs(ms) * (double)sim->tics_per_ms > 9e15)
        return false;
    double t = ms * (double)sim->tics_per_ms;
    int64_t k = (int64_t)llround(t);
    if (k % sim->tics_per_step != 0)
        return false;
    *tics = k;
    return true;
}

double sim_tics_ms(const dn_sim *sim, int64_t tics)
{
    return (double)tics / (double)sim->tics_per_ms;
}

/* stderr logging in deNEST's format (deNEST spec 9.2):
 * "YYYY-MM-DD HH:MM:SS,mmm [denest.<module>] LEVEL: message". */
#include "denest/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static dn_log_level log_level = DN_LOG_WARNING;

void dn_log_set_level(dn_log_level level)
{
    log_level = level;
}

dn_log_level dn_log_get_level(void)
{
    return log_level;
}

int dn_log_enabled(dn_log_level level)
{
    return level >= log_level;
}

static const char *level_name(dn_log_level level)
{
    switch (level) {
    case DN_LOG_DEBUG:
        return "DEBUG";
    case DN_LOG_INFO:
        return "INFO";
    case DN_LOG_WARNING:
        return "WARNING";
    case DN_LOG_ERROR:
        return "ERROR";
    default:
        return "LOG";
    }
}

void dn_log(dn_log_level level, const char *module, const char *fmt, ...)
{
    if (!dn_log_enabled(level))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per message so concurrent threads do not interleave inside a line. */
    fprintf(stderr, "%s,%03ld [denest%s%s] %s: %s\n", stamp, ts.tv_nsec / 1000000L,
            (module && module[0]) ? "." : "", module ? module : "", level_name(level), line);
}

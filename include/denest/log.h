/* Logging to stderr in deNEST's format: "2020-06-30 13:51:20,459 [denest.network] INFO: msg".
 * Library code logs progress only; it never reports errors this way (they are returned). */
#ifndef DENEST_LOG_H
#define DENEST_LOG_H

typedef enum dn_log_level {
    DN_LOG_DEBUG = 10,
    DN_LOG_INFO = 20,
    DN_LOG_WARNING = 30,
    DN_LOG_ERROR = 40,
    DN_LOG_OFF = 100,
} dn_log_level;

/* Messages below this level are dropped. Default: DN_LOG_WARNING (the CLI sets INFO, -v DEBUG,
 * -q WARNING). */
void dn_log_set_level(dn_log_level level);
dn_log_level dn_log_get_level(void);
int dn_log_enabled(dn_log_level level);

/* module is the logger name after "denest." (e.g. "network"); NULL or "" gives "denest". */
void dn_log(dn_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define dn_log_info(module, ...) dn_log(DN_LOG_INFO, module, __VA_ARGS__)
#define dn_log_debug(module, ...) dn_log(DN_LOG_DEBUG, module, __VA_ARGS__)
#define dn_log_warning(module, ...) dn_log(DN_LOG_WARNING, module, __VA_ARGS__)

#endif

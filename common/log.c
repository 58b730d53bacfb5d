/*
 * stderr logger with a UTC timestamp and a level word. Messages are built by
 * the caller's format; this file adds no content of its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/banned.h"

static enum log_level current = LOG_INFO;

void
log_set_level(enum log_level level)
{
    current = level;
}

enum log_level
log_get_level(void)
{
    return current;
}

int
log_parse_level(const char *s, enum log_level *out)
{
    static const char *names[] = { "debug", "info", "warn", "error" };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return DRP_EINVAL;
}

static void
vlog(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
vlog(enum log_level level, const char *fmt, va_list ap)
{
    static const char *words[] = { "debug", "info", "warn", "error" };
    char stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    char line[4096];

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    vsnprintf(line, sizeof(line), fmt, ap);
    fprintf(stderr, "%s drpwatch[%d] %s: %s\n", stamp, (int)getpid(),
            words[level], line);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    if (level < current)
        return;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

void
fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(LOG_ERR, fmt, ap);
    va_end(ap);
    exit(2);
}

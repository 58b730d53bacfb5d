/*
 * A tiny TAP producer for automake's tap-driver: plan(), ok(), is(), is_str()
 * and done_testing(). Each test program includes it once.
 */
#ifndef DRP_TAP_H
#define DRP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_run;
static int tap_failed;

static inline void
tap_vreport(int pass, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static inline void
tap_vreport(int pass, const char *fmt, va_list ap)
{
    tap_run++;
    if (!pass)
        tap_failed++;
    printf("%s %d - ", pass ? "ok" : "not ok", tap_run);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
}

static inline int
ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int
ok(int pass, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_vreport(pass, fmt, ap);
    va_end(ap);
    return pass;
}

#define is(got, want, ...)                                                    \
    do {                                                                      \
        long long is_g_ = (long long)(got), is_w_ = (long long)(want);        \
        if (!ok(is_g_ == is_w_, __VA_ARGS__))                                 \
            printf("#   got: %lld\n#   expected: %lld\n", is_g_, is_w_);      \
    } while (0)

#define is_str(got, want, ...)                                                \
    do {                                                                      \
        const char *is_g_ = (got), *is_w_ = (want);                           \
        int is_p_ = (is_g_ && is_w_) ? strcmp(is_g_, is_w_) == 0             \
                                     : is_g_ == is_w_;                        \
        if (!ok(is_p_, __VA_ARGS__))                                          \
            printf("#   got: '%s'\n#   expected: '%s'\n",                     \
                   is_g_ ? is_g_ : "(null)", is_w_ ? is_w_ : "(null)");       \
    } while (0)

static inline void
diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void
diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Prints the plan at the end and returns the exit status. */
static inline int
done_testing(void)
{
    printf("1..%d\n", tap_run);
    return tap_failed ? 1 : 0;
}

#endif

/*
 * robots.txt (RFC 9309, with Google's reading of it): the rules of the
 * group that names our product token, else of the '*' group; Allow and
 * Disallow with '*' and a trailing '$', the longest match wins and Allow
 * wins a tie; Crawl-delay (not in the RFC, widely used) as a number of
 * seconds. Pure: no I/O. Debian has no C library for this (only Perl,
 * Python and Ruby ones), hence this small, bounded parser.
 */
#ifndef DRP_ROBOTS_H
#define DRP_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

#define ROBOTS_AGENT "drpwatch"           /* our product token */
#define ROBOTS_MAX_BYTES (500u * 1024)    /* read at most this (Google) */
#define ROBOTS_MAX_LINES 100000           /* lines past it are ignored */
#define ROBOTS_MAX_RULES 10000            /* rules kept for our group */
#define ROBOTS_MAX_PATTERN 2048           /* longer patterns are ignored */
#define ROBOTS_MAX_CRAWL_DELAY_MS 60000   /* Crawl-delay is capped here */

struct robots;

/*
 * Parses the robots.txt text (any bytes; NUL bytes end a line) for the
 * product token agent (case-insensitive). Only the first ROBOTS_MAX_BYTES
 * and ROBOTS_MAX_LINES are read (a line cut by the byte cap is dropped),
 * as RFC 9309 allows; robots_truncated() tells. Never fails: garbage
 * yields no rules (everything allowed). Caller robots_free()s.
 */
struct robots *robots_parse(const char *text, size_t len, const char *agent);
void robots_free(struct robots *r);

/*
 * Whether path (the URL's path and query, "/a/b?x=1"; "" means "/") may
 * be fetched. /robots.txt itself always may.
 */
bool robots_allowed(const struct robots *r, const char *path);

/* Crawl-delay of our group in milliseconds (capped), or -1 when none. */
int robots_crawl_delay_ms(const struct robots *r);

/* Rules kept for our group (for tests and logs). */
size_t robots_nrules(const struct robots *r);

/* Whether a cap cut the file, the rules or a pattern short. */
bool robots_truncated(const struct robots *r);

#endif

/*
 * Politeness per host (origin: scheme, host and port): robots.txt, fetched
 * once per host and kept for a day, and the start slots that keep two
 * requests to one host at least its delay apart (the sources' delay, raised
 * by robots.txt's Crawl-delay) with at most per_host in flight. It decides;
 * the caller fetches. Times are milliseconds of a monotonic clock.
 */
#ifndef DRP_POLITE_H
#define DRP_POLITE_H

#include <stdbool.h>

struct fetch_result;

#define POLITE_ROBOTS_TTL_MS (24LL * 3600 * 1000) /* robots.txt kept */
#define POLITE_ROBOTS_RETRY_MS (10LL * 60 * 1000) /* after it failed */

enum polite_verdict {
    POLITE_GO,            /* start it now, then polite_started() */
    POLITE_WAIT,          /* not yet: its slot or robots.txt is pending */
    POLITE_FETCH_ROBOTS,  /* fetch robots.txt first (see polite_check) */
    POLITE_DISALLOWED,    /* robots.txt disallows it */
    POLITE_ROBOTS_FAILED, /* robots.txt unavailable: disallowed for now */
};

struct polite;

struct polite *polite_new(int per_host);
void polite_free(struct polite *p);

/*
 * May url start now? robots: whether its source honours robots.txt;
 * delay_ms: its source's delay. POLITE_FETCH_ROBOTS sets *robots_url (the
 * caller frees it and must fetch it now, calling polite_started() for it
 * and polite_robots_done() with the result). POLITE_WAIT sets *wait_ms to
 * when to look again (-1: when a transfer ends). POLITE_ROBOTS_FAILED sets
 * *why (borrowed, valid until the next call). A malformed url is GO: the
 * fetcher reports it.
 */
enum polite_verdict polite_check(struct polite *p, const char *url,
                                 bool robots, int delay_ms, long long now_ms,
                                 char **robots_url, long long *wait_ms,
                                 const char **why);

/* A request to url's host starts now (takes the host's slot). */
void polite_started(struct polite *p, const char *url, long long now_ms);

/* A request to url's host ended. */
void polite_finished(struct polite *p, const char *url);

/*
 * The robots.txt fetch of polite_check() ended with r: 2xx is parsed, 4xx
 * (but 429) allows everything, anything else (5xx, 429, network, policy)
 * disallows everything until POLITE_ROBOTS_RETRY_MS later. Also ends the
 * request (polite_finished()).
 */
void polite_robots_done(struct polite *p, const struct fetch_result *r,
                        long long now_ms);

/* The effective delay of url's host in ms (for logs and tests). */
int polite_delay_ms(struct polite *p, const char *url);

/* A monotonic clock in milliseconds. */
long long polite_now_ms(void);

#endif

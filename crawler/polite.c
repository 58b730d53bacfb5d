/*
 * Per-host politeness state: a robots.txt cache and start slots. In memory
 * for one run; decides only, never fetches and never touches the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crawler/fetch.h"
#include "crawler/polite.h"
#include "crawler/robots.h"
#include "crawler/url.h"
#include "common/banned.h"

enum robots_state { R_UNKNOWN, R_FETCHING, R_READY, R_FAILED };

struct host {
    char *origin;           /* scheme://host:port */
    enum robots_state state;
    struct robots *robots;  /* R_READY: the rules; NULL allows all */
    char *why;              /* R_FAILED: what went wrong */
    long long until;        /* R_READY/R_FAILED: valid until */
    int delay_ms;           /* the largest source delay seen */
    int crawl_delay_ms;     /* robots.txt's Crawl-delay, or 0 */
    long long next_start;   /* no request starts before */
    int inflight;
};

struct polite {
    struct host *hosts;
    size_t n, cap;
    int per_host;
};

long long
polite_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct polite *
polite_new(int per_host)
{
    struct polite *p = xcalloc(1, sizeof(*p));

    p->per_host = per_host > 0 ? per_host : 1;
    return p;
}

void
polite_free(struct polite *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++) {
        free(p->hosts[i].origin);
        free(p->hosts[i].why);
        robots_free(p->hosts[i].robots);
    }
    free(p->hosts);
    free(p);
}

/* The host of url (created on first sight), or NULL for a malformed url. */
static struct host *
host_of(struct polite *p, const char *url)
{
    char *origin = url_origin(url);
    struct host *h;
    size_t i;

    if (origin == NULL)
        return NULL;
    for (i = 0; i < p->n; i++) {
        if (strcmp(p->hosts[i].origin, origin) == 0) {
            free(origin);
            return &p->hosts[i];
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->hosts = xreallocarray(p->hosts, p->cap, sizeof(*p->hosts));
    }
    h = &p->hosts[p->n++];
    memset(h, 0, sizeof(*h));
    h->origin = origin;
    return h;
}

static int
effective_delay(const struct host *h)
{
    return h->delay_ms > h->crawl_delay_ms ? h->delay_ms : h->crawl_delay_ms;
}

enum polite_verdict
polite_check(struct polite *p, const char *url, bool robots, int delay_ms,
             long long now_ms, char **robots_url, long long *wait_ms,
             const char **why)
{
    struct host *h = host_of(p, url);

    *robots_url = NULL;
    *wait_ms = -1;
    *why = NULL;
    if (h == NULL)
        return POLITE_GO;
    if (delay_ms > h->delay_ms)
        h->delay_ms = delay_ms;
    if (robots) {
        if ((h->state == R_READY || h->state == R_FAILED) &&
            now_ms >= h->until) {
            robots_free(h->robots);
            h->robots = NULL;
            h->state = R_UNKNOWN;
        }
        if (h->state == R_FETCHING)
            return POLITE_WAIT;
        if (h->state == R_FAILED) {
            *why = h->why;
            return POLITE_ROBOTS_FAILED;
        }
    }
    if (h->inflight >= p->per_host)
        return POLITE_WAIT;
    if (now_ms < h->next_start) {
        *wait_ms = h->next_start - now_ms;
        return POLITE_WAIT;
    }
    if (robots && h->state == R_UNKNOWN) {
        h->state = R_FETCHING;
        *robots_url = xasprintf("%s/robots.txt", h->origin);
        return POLITE_FETCH_ROBOTS;
    }
    if (robots && h->robots) {
        char *path = url_path_query(url);
        bool allowed = path == NULL || robots_allowed(h->robots, path);

        free(path);
        if (!allowed)
            return POLITE_DISALLOWED;
    }
    return POLITE_GO;
}

void
polite_started(struct polite *p, const char *url, long long now_ms)
{
    struct host *h = host_of(p, url);

    if (h == NULL)
        return;
    h->inflight++;
    h->next_start = now_ms + effective_delay(h);
}

void
polite_finished(struct polite *p, const char *url)
{
    struct host *h = host_of(p, url);

    if (h && h->inflight > 0)
        h->inflight--;
}

int
polite_delay_ms(struct polite *p, const char *url)
{
    struct host *h = host_of(p, url);

    return h ? effective_delay(h) : 0;
}

void
polite_robots_done(struct polite *p, const struct fetch_result *r,
                   long long now_ms)
{
    struct host *h = host_of(p, r->url);
    size_t len = r->body.len;

    polite_finished(p, r->url);
    if (h == NULL)
        return;
    free(h->why);
    h->why = NULL;
    robots_free(h->robots);
    h->robots = NULL;
    h->state = R_READY;
    h->until = now_ms + POLITE_ROBOTS_TTL_MS;
    if (r->err == 0 || r->err == DRP_ETOOBIG) {
        const char *body = buf_str(&r->body);

        /* Past the cap: the last line may be cut; drop it. */
        if (r->err == DRP_ETOOBIG) {
            while (len > 0 && body[len - 1] != '\n')
                len--;
        }
        if (r->status >= 200 && r->status < 300) {
            h->robots = robots_parse(body, len, ROBOTS_AGENT);
            h->crawl_delay_ms = robots_crawl_delay_ms(h->robots) > 0
                                    ? robots_crawl_delay_ms(h->robots)
                                    : 0;
            log_debug("robots.txt read: host='%s' rules=%zu "
                      "crawl_delay_ms=%d%s", h->origin,
                      robots_nrules(h->robots), h->crawl_delay_ms,
                      robots_truncated(h->robots) ? " (truncated)" : "");
            if (r->err == DRP_ETOOBIG || robots_truncated(h->robots))
                log_warn("robots.txt too large: host='%s' only the first "
                         "%u KiB and %d lines were read", h->origin,
                         ROBOTS_MAX_BYTES / 1024, ROBOTS_MAX_LINES);
        }
        return; /* 3xx left after redirects: nothing to obey */
    }
    if (r->err == DRP_ETYPE ||
        (r->err == DRP_EHTTP && r->status >= 400 && r->status < 500 &&
         r->status != 429)) {
        /* No robots.txt (4xx) or not a text file: no rules. */
        log_debug("no robots.txt: host='%s' %s", h->origin, r->errmsg);
        return;
    }
    h->state = R_FAILED;
    h->until = now_ms + POLITE_ROBOTS_RETRY_MS;
    h->why = xasprintf("robots.txt unavailable, not crawled until it "
                       "answers: %s", r->errmsg ? r->errmsg : "error");
    log_warn("robots.txt unavailable: host='%s' %s", h->origin,
             r->errmsg ? r->errmsg : "error");
}

/*
 * Registration checks of candidate domains: asynchronous DNS (c-ares),
 * thousands of queries in flight, a rate limit, bounded retries, CNAME
 * chains, wildcard parents. One run takes a list of names and gives each
 * its state.
 *
 * What "registered" means. DNS can only tell whether a name exists:
 *   - A registrable domain (example-brand.com) exists when its registry
 *     has put it in the TLD's zone, i.e. it is registered and delegated.
 *     A domain registered but kept out of the zone (clientHold, no name
 *     servers yet) answers NXDOMAIN like a free one; only RDAP tells.
 *   - A name below its registrable domain (login.example-brand.com, or a
 *     "subdomain" candidate such as exa.mple-brand.com) exists when the
 *     holder of the registrable domain created it. Its NXDOMAIN says
 *     nothing of the registrable domain: the zone that denied it
 *     (result->zone) does. A zone below the public suffix (mple-brand.com
 *     rather than com) means the registrable domain is taken.
 * So a name is
 *   registered    when a query for it is answered without NXDOMAIN: an
 *                 NS, A, AAAA or MX record (directly or at the end of its
 *                 CNAME chain), a CNAME (even one whose target does not
 *                 exist: a dangling CNAME can be taken over), or an
 *                 empty answer (the name exists with other types, or only
 *                 has names below it: the reason says so). A zone apex
 *                 always has its NS records.
 *   unregistered  when its NS query is answered NXDOMAIN without a
 *                 CNAME (or, if the NS query failed, another one is).
 *                 A recursive resolver relays the authority's denial, so
 *                 the AA flag is not required.
 *   wildcard      when it exists only through its parent's wildcard: a
 *                 random label under the parent gets the same answer
 *                 (the same records or CNAME targets, for every one of
 *                 NS, A, AAAA and MX). Not reported as registered.
 *   unknown       when no query gave a definite answer (SERVFAIL,
 *                 REFUSED, timeouts, network errors, malformed answers)
 *                 after every try, or the wildcard check of its parent
 *                 failed; the reason says which query failed and why.
 *                 Never reported as unregistered: check it again later.
 *
 * How: one NS query per name; NXDOMAIN ends there (most candidates are
 * free). Otherwise A, AAAA and MX, and once per parent the same four
 * queries for a random label under it. Each query is tried up to `tries`
 * times (each try asks the servers in turn) before it counts as failed.
 */
#ifndef DRP_RESOLVE_H
#define DRP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

#define RESOLVE_DEFAULT_INFLIGHT 1000
#define RESOLVE_MAX_INFLIGHT 20000   /* c-ares ids are 16 bits */
#define RESOLVE_DEFAULT_TIMEOUT_MS 2000
#define RESOLVE_MAX_TIMEOUT_MS 60000
#define RESOLVE_DEFAULT_TRIES 3
#define RESOLVE_MAX_TRIES 10
#define RESOLVE_MAX_RATE 1000000     /* queries per second */
#define RESOLVE_MAX_NAMES 1000000    /* names per run (~300 bytes each) */
#define RESOLVE_MAX_SERVERS 16
#define RESOLVE_MAX_LIST 16          /* entries kept per list */

enum resolve_state {
    RESOLVE_UNKNOWN = 0,
    RESOLVE_UNREGISTERED,
    RESOLVE_REGISTERED,
    RESOLVE_WILDCARD,
};

struct resolve_opts {
    /* "IP[:PORT],..." (an IPv6 address with a port in brackets:
       "[::1]:5353"), at most RESOLVE_MAX_SERVERS; NULL or "": the
       system's (/etc/resolv.conf). */
    const char *servers;
    unsigned max_inflight; /* queries in flight; 0: the default */
    unsigned rate;         /* queries sent per second; 0: no limit */
    unsigned timeout_ms;   /* per try; 0: the default */
    unsigned tries;        /* per query; 0: the default */
    bool no_wildcard;      /* skip the wildcard probes */
};

/* Up to RESOLVE_MAX_LIST strings; more counts those left out. */
struct resolve_list {
    char **v;
    size_t n;
    size_t more;
};

struct resolve_result {
    char *name;                /* as checked: lower case, no final dot */
    enum resolve_state state;
    /* unknown: what failed ("NS: timeout after 3 tries"; when its tries
       failed in different ways, the latest a server answered, such as
       SERVFAIL, is named rather than a timeout); wildcard: the
       wildcard ("*.parent"); registered: anything odd ("exists without
       NS, A, AAAA or MX records", "MX: SERVFAIL after 3 tries", "CNAME
       target does not exist"); otherwise NULL. */
    char *reason;
    struct resolve_list addrs; /* A then AAAA records, text form */
    struct resolve_list ns;    /* name server names */
    struct resolve_list mx;    /* "PREFERENCE NAME" */
    struct resolve_list cname; /* the CNAME chain's targets, in order */
    /* The zone whose SOA came with a negative answer (NXDOMAIN, or an
       empty answer), NULL when none did. */
    char *zone;
    unsigned queries;          /* queries sent for the name, tries
                                  included (its parent's probe not) */
};

struct resolver;

/*
 * A resolver with options o (NULL: all defaults). NULL with the reason
 * in err when an option is out of range or a server address is bad
 * ("bad nameserver '1.2.3': expected IP or IP:PORT"), or c-ares cannot
 * start. Caller resolver_free()s.
 */
struct resolver *resolver_new(const struct resolve_opts *o, struct buf *err);
void resolver_free(struct resolver *r);

/*
 * Adds a name to check (ASCII: an IDN in A-labels; any case; one final
 * dot allowed). A name already added is not added again. DRP_EINVAL
 * with the reason in err for a name that is not a host name (empty,
 * longer than 253 bytes, a label empty or longer than 63 bytes, a byte
 * other than a letter, digit, '-' or '_'); DRP_ETOOBIG past
 * RESOLVE_MAX_NAMES; DRP_EINVAL after resolver_run().
 */
int resolver_add(struct resolver *r, const char *name, struct buf *err);

/*
 * Checks every name added; returns when each has its state. done, when
 * not NULL, is called once per name as soon as it has one (for progress;
 * the result stays valid until resolver_free()). Returns 0, or DRP_EIO
 * when poll() fails. Call once.
 */
int resolver_run(struct resolver *r,
                 void (*done)(const struct resolve_result *res, void *arg),
                 void *arg);

/* The names added, in order, and their results (after resolver_run()). */
size_t resolver_count(const struct resolver *r);
const struct resolve_result *resolver_result(const struct resolver *r,
                                             size_t i);
/* Queries sent in all (tries and wildcard probes included). */
unsigned long resolver_queries(const struct resolver *r);

/* "registered", "unregistered", "wildcard", "unknown". */
const char *resolve_state_name(enum resolve_state s);

#endif

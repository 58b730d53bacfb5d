/*
 * Takedown packs: what a registrar or a host needs to act on a case (the
 * URLs, the page's hash and a saved copy of its text, when it was seen,
 * where it is hosted, its DNS records, the registrar and the network with
 * their abuse contacts) and the request to send them, as one JSON object;
 * and the follow-through's verdict on each re-check of the target. Pure:
 * the caller gathers the evidence (storage, the fetcher, RDAP answers
 * parsed by alerts/rdap.h) and stores the pack.
 */
#ifndef DRP_TAKEDOWN_H
#define DRP_TAKEDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"

#define TAKEDOWN_PACK_VERSION 1
#define TAKEDOWN_MAX_URLS 50       /* evidence URLs listed */
#define TAKEDOWN_SAVED_COPY "page.txt" /* the saved copy's file name */

/* Follow-through defaults (takedown.* in drpwatch.yaml). */
#define TAKEDOWN_RECHECK (6 * 3600)       /* seconds between re-checks */
#define TAKEDOWN_REMIND_AFTER (72 * 3600) /* seconds before a reminder */
#define TAKEDOWN_UNREACHABLE_CHECKS 3     /* failures in a row that
                                             resolve a case */

/* The fresh fetch of the target made for the pack. */
struct takedown_fetch {
    const char *at;        /* when (UTC, ISO 8601) */
    const char *url;
    const char *final_url; /* after redirects, or NULL */
    long status;           /* HTTP status, 0 when none */
    const char *ip;        /* the address connected, or NULL */
    bool via_tor;
    const char *sha256;    /* of the body, hex, or NULL */
    const char *error;     /* why the fetch failed, or NULL */
};

/* One RDAP lookup. */
struct takedown_lookup {
    const char *query;   /* the domain or address asked about, or NULL */
    const char *server;  /* the URL asked, or NULL */
    const json_t *result; /* rdap_parse_domain()/_ip(), or NULL */
    const char *error;   /* why there is no result (with result NULL) */
};

struct takedown_input {
    const json_t *alert;    /* the case (store_case_show()) */
    const json_t *page;     /* the stored page: url, fetched_at, sha256,
                               http_status, content_type, title, bytes;
                               or NULL */
    const char *saved_copy; /* its stored text (redacted), or NULL */
    size_t saved_len;
    const json_t *urls;     /* array of strings: where the case was seen */
    const char *url;        /* the target */
    const char *host;       /* its host */
    const char *domain;     /* its registrable domain, or NULL */
    struct takedown_fetch fetch;
    const json_t *dns;      /* {"ns": [...], "mx": [...]} or NULL */
    const char *dns_missing; /* why NS/MX are not there, or NULL */
    struct takedown_lookup registrar, hosting;
    const char *requester;  /* who we are (takedown.requester), or NULL */
    const char *contact;    /* where to answer (takedown.contact) */
    const char *generated_at; /* UTC, ISO 8601 */
};

/*
 * The pack (caller json_decref()s): version, generated_at, alert, target,
 * evidence (urls, first_seen, last_seen, page, saved_copy, check, dns),
 * registrar, hosting, requester, missing (what could not be had, and
 * why), request (to, subject, text). Never fails: what is missing is
 * said so in the pack.
 */
json_t *takedown_pack(const struct takedown_input *in);

/* The pack for people: a few lines, then the request. DRP_ETOOBIG past
   out's cap. */
int takedown_summary(const json_t *pack, struct buf *out);

/* What a re-check found. */
enum takedown_state {
    TAKEDOWN_LIVE,        /* the server answered and the page is there */
    TAKEDOWN_GONE,        /* 404 or 410 */
    TAKEDOWN_UNREACHABLE, /* no such host, connections refused, or only
                             loopback/private addresses left */
    TAKEDOWN_UNCLEAR,     /* anything else: a timeout, a 5xx, TLS, Tor */
};

/* The outcome of one re-check, as the fetcher reports it. */
struct takedown_probe {
    long status;        /* HTTP status, 0 when no server answered */
    bool unresolved;    /* the name does not resolve */
    bool refused;       /* nothing accepted the connection */
    bool private_only;  /* the name leads only to addresses the check
                           may not reach */
    const char *error;  /* the fetcher's message, or NULL */
};

struct takedown_verdict {
    enum takedown_state state;
    int unreachable;  /* unreachable checks in a row, this one included */
    bool resolved;    /* the case resolves itself now */
    char reason[320]; /* what was found; when resolved, why */
};

/*
 * Judges one re-check. A 404 or 410 resolves the case at once (the page
 * was removed). No such host, a refused connection or only private
 * addresses resolve it after needed such checks in a row (before: those
 * until now): one can be a passing outage, several at the re-check
 * interval are not. Any answer from the server starts the count again;
 * an unclear check (a timeout, a 5xx) leaves it as it was.
 */
void takedown_judge(const struct takedown_probe *p, int before, int needed,
                    struct takedown_verdict *v);

const char *takedown_state_name(enum takedown_state s);

#endif

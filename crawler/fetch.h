/*
 * The fetcher: many concurrent transfers on one libcurl multi handle, with
 * every cap the network needs (body size after decoding, time, low speed,
 * redirects, content types) and the Tor policy: .onion hosts and Tor
 * sources go only through the SOCKS5h proxy, and fail closed without it.
 * Clear-web transfers refuse loopback, private and link-local addresses
 * (checked on the connected address, so after DNS and on every redirect)
 * unless the request allows them.
 */
#ifndef DRP_FETCH_H
#define DRP_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

#define FETCH_LOW_SPEED 64 /* bytes per second: slower is a slow drip */

struct fetch_opts {
    const char *tor_proxy; /* socks5h://host:port or NULL */
    int concurrency;       /* transfers in flight */
    int per_host;          /* connections per host */
    int timeout;           /* seconds, clear web */
    int onion_timeout;     /* seconds, through Tor */
    int low_speed_time;    /* seconds under FETCH_LOW_SPEED bytes/s that end
                              a transfer (twice that through Tor) */
    long max_body;         /* bytes after decoding */
    int max_redirects;
    const char *user_agent;
};

struct fetch_req {
    const char *url;
    bool tor;              /* force the Tor proxy (onion hosts always do) */
    bool allow_private;    /* may connect to loopback/private addresses */
    const char *isolation; /* SOCKS user name: one Tor circuit per value */
    const char *etag;      /* conditional GET, may be NULL */
    const char *last_modified;
    const char *cookie;    /* "name=value; ..." for a Cookie header, or
                              NULL; sent to url's host and port only:
                              libcurl drops it on a redirect to another
                              (>= 7.83, CVE-2022-27776); never logged */
    long max_body;         /* bytes after decoding; 0: the fetcher's */
    int timeout;           /* seconds, total and to connect; 0: the
                              fetcher's */
    const char *accept;    /* Accept header, or NULL for none */
    const char *const *types; /* content types downloaded past the
                                 headers (lowercase, NULL-terminated;
                                 not copied: a static list); NULL: the
                                 crawler's (pages, feeds) */
    const char *resolve;   /* "HOST:PORT:ADDR[,ADDR...]": connect to these
                              addresses for HOST:PORT instead of asking the
                              system's resolver (CURLOPT_RESOLVE; the
                              lookalike watch's DNS answers), or NULL. The
                              address checks still apply; ignored through
                              Tor. */
    void *user;            /* returned in the result */
};

/* Why a transfer reached no server (fetch_result.fail). */
enum fetch_fail {
    FETCH_FAIL_NONE = 0,
    FETCH_FAIL_RESOLVE,  /* the host name does not resolve */
    FETCH_FAIL_CONNECT,  /* every address refused or did not answer the
                            connection */
    FETCH_FAIL_PRIVATE,  /* the name leads only to loopback, private or
                            link-local addresses, which the request may
                            not reach */
};

struct fetch_result {
    void *user;
    char *url;           /* as requested */
    char *final_url;     /* after redirects */
    int err;             /* 0 or DRP_E*; message in errmsg */
    char *errmsg;        /* never contains a body or a secret */
    long status;         /* HTTP status, 0 when none */
    char *content_type;  /* lowercased, without parameters, or NULL */
    char *charset;       /* Content-Type's charset parameter, lowercased, or
                            NULL when absent or not a sane label (see
                            charset_from_type() in crawler/charset.h) */
    char *etag;
    char *last_modified;
    bool via_tor;
    char *primary_ip;    /* the address connected (the last one, after
                            redirects), as text; NULL when none was, or
                            through Tor (the proxy's, not the host's) */
    enum fetch_fail fail; /* set when no server answered */
    struct buf body;     /* decoded body, at most max_body bytes */
};

void fetch_result_free(struct fetch_result *r);

struct fetcher;

struct fetcher *fetcher_new(const struct fetch_opts *opts);
void fetcher_free(struct fetcher *f);

/*
 * Queues a transfer (copies req's strings). A request that policy refuses
 * (Tor needed but no proxy configured) does not start: it completes at
 * once with DRP_EPROXY, so every request yields exactly one result.
 */
void fetcher_add(struct fetcher *f, const struct fetch_req *req);

/* Transfers queued or running. */
int fetcher_pending(const struct fetcher *f);

/*
 * Runs transfers for up to timeout_ms (sleeping that long when there are
 * none), less when one finishes or fetcher_wakeup() is called; returns 0
 * or DRP_ENET.
 */
int fetcher_poll(struct fetcher *f, int timeout_ms);

/* Ends a fetcher_poll() early; the one call safe from any thread. */
void fetcher_wakeup(struct fetcher *f);

/* A finished transfer (caller frees), or NULL when none is ready. */
struct fetch_result *fetcher_next(struct fetcher *f);

#endif

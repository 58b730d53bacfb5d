/*
 * One HTTP request with a JSON body for delivery to other systems (MISP's
 * REST API): libcurl, a total time cap, no redirects, the answer capped,
 * http and https only. Not for crawling: the crawler's fetcher has its own
 * guardrails (crawler/fetch.h).
 */
#ifndef DRP_HTTP_H
#define DRP_HTTP_H

#include <stddef.h>

#include "common/buf.h"

#define HTTP_MAX_RESPONSE (4u << 20)

struct http_req {
    const char *method;     /* GET or POST */
    const char *url;
    const char *const *headers; /* "Name: value", NULL-terminated, or NULL */
    const char *body;       /* POST only */
    size_t body_len;
    long timeout;           /* seconds, total */
    const char *username;   /* HTTP Basic, or NULL */
    const char *password;
};

/*
 * Sends r. Returns 0 with the HTTP status in *status and the answer in
 * resp (its cap bounds it), or DRP_ENET ("curl=N (why)") when no answer
 * came, DRP_ETOOBIG when it was larger than resp's cap; err says which.
 */

int http_send(const struct http_req *r, long *status, struct buf *resp,
              struct buf *err);

/* "curl=N (why)" into err for a failed libcurl transfer (code, and its
   error buffer or ""); returns DRP_ENET. curl names hosts, never paths. */
int http_curl_failed(struct buf *err, int code, const char *errbuf);

#endif

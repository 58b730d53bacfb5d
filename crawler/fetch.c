/*
 * libcurl multi transfers with caps and the Tor and private-address
 * guardrails. Does not parse bodies and does not touch the database; the
 * caller decides what a result means.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crawler/charset.h"
#include "crawler/fetch.h"
#include "crawler/url.h"
#include "common/banned.h"

#define FETCH_MAX_HEADER 8192

struct transfer {
    CURL *easy;
    struct fetch_result *res;
    struct curl_slist *headers;
    struct curl_slist *resolve; /* the request's pinned addresses */
    bool allow_private;
    const char *const *types; /* accepted content types */
    int timeout;         /* seconds */
    bool own_timeout;    /* the request's, not crawl.timeout */
    bool too_big;
    bool bad_type;
    char refused[128];   /* why the connection was refused, or "" */
    struct transfer *next;
};

struct fetcher {
    CURLM *multi;
    CURLSH *private_pool; /* connections of allow_private transfers */
    struct fetch_opts opts;
    int running;
    int pending;
    struct transfer *active;
    struct fetch_result **done;
    size_t ndone, capdone;
};

/* A low-speed cap shorter than the total one (else the total one ends a
   slow drip first). */
static int
low_speed_time(const struct fetch_opts *o, bool tor)
{
    int secs = o->low_speed_time > 0 ? o->low_speed_time : 30;

    return tor ? 2 * secs : secs;
}

static const char *const accepted_types[] = {
    "text/html", "application/xhtml+xml", "text/plain",
    /* feeds and sitemaps */
    "application/rss+xml", "application/atom+xml", "application/xml",
    "text/xml", NULL,
};

void
fetch_result_free(struct fetch_result *r)
{
    if (r == NULL)
        return;
    free(r->url);
    free(r->final_url);
    free(r->errmsg);
    free(r->content_type);
    free(r->charset);
    free(r->etag);
    free(r->last_modified);
    free(r->primary_ip);
    buf_release(&r->body);
    free(r);
}

struct fetcher *
fetcher_new(const struct fetch_opts *opts)
{
    struct fetcher *f = xcalloc(1, sizeof(*f));

    f->multi = curl_multi_init();
    if (f->multi == NULL)
        abort();
    f->opts = *opts;
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long)opts->concurrency);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)(opts->per_host > 0 ? opts->per_host : 4));
    curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    /* Transfers that may reach private addresses keep their connections
       apart: one of theirs is never reused by a transfer that may not,
       whose own connections are all checked (on_open_socket). */
    f->private_pool = curl_share_init();
    if (f->private_pool == NULL ||
        curl_share_setopt(f->private_pool, CURLSHOPT_SHARE,
                          CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)
        abort();
    return f;
}

static void
push_done(struct fetcher *f, struct fetch_result *r)
{
    if (f->ndone == f->capdone) {
        f->capdone = f->capdone ? f->capdone * 2 : 16;
        f->done = xreallocarray(f->done, f->capdone, sizeof(*f->done));
    }
    f->done[f->ndone++] = r;
    f->pending++;
}

static void
transfer_free(struct transfer *t)
{
    curl_slist_free_all(t->headers);
    curl_slist_free_all(t->resolve);
    if (t->easy)
        curl_easy_cleanup(t->easy);
    free(t);
}

void
fetcher_free(struct fetcher *f)
{
    struct transfer *t, *next;
    size_t i;

    if (f == NULL)
        return;
    for (t = f->active; t; t = next) {
        next = t->next;
        curl_multi_remove_handle(f->multi, t->easy);
        fetch_result_free(t->res);
        transfer_free(t);
    }
    for (i = 0; i < f->ndone; i++)
        fetch_result_free(f->done[i]);
    free(f->done);
    curl_multi_cleanup(f->multi);
    curl_share_cleanup(f->private_pool);
    free(f);
}

static bool
type_accepted(const struct transfer *tr, const char *type)
{
    const char *const *t;

    for (t = tr->types; *t; t++)
        if (strcmp(type, *t) == 0)
            return true;
    return false;
}

/* "Text/HTML; charset=x" -> "text/html" */
static char *
clean_type(const char *raw)
{
    size_t n = strcspn(raw, "; \t");
    char *s = xstrndup(raw, n);
    char *p;

    for (p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

/* Content type and charset from the response headers, once. */
static void
read_type(struct fetch_result *r, const char *raw)
{
    r->content_type = clean_type(raw);
    r->charset = charset_from_type(raw);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct transfer *t = arg;
    size_t n = size * nmemb;

    if (t->res->body.len == 0 && t->res->content_type == NULL) {
        char *ct = NULL;

        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
        if (ct) {
            read_type(t->res, ct);
            if (!type_accepted(t, t->res->content_type)) {
                t->bad_type = true;
                return 0; /* aborts: no byte past the headers */
            }
        }
    }
    if (buf_add(&t->res->body, data, n) < 0) {
        t->too_big = true;
        return 0;
    }
    return n;
}

/* Keeps ETag and Last-Modified; ignores the rest. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct transfer *t = arg;
    size_t n = size * nmemb;
    struct span line = { data, n };
    char **slot = NULL;
    size_t name;

    if (n > FETCH_MAX_HEADER)
        return n;
    if (n > 5 && strncasecmp(data, "etag:", 5) == 0) {
        slot = &t->res->etag;
        name = 5;
    } else if (n > 14 && strncasecmp(data, "last-modified:", 14) == 0) {
        slot = &t->res->last_modified;
        name = 14;
    } else {
        return n;
    }
    line.ptr += name;
    line.len -= name;
    while (line.len && (*line.ptr == ' ' || *line.ptr == '\t')) {
        line.ptr++;
        line.len--;
    }
    while (line.len && isspace((unsigned char)line.ptr[line.len - 1]))
        line.len--;
    free(*slot);
    *slot = xstrndup(line.ptr, line.len);
    return n;
}

static bool
private_addr(const struct sockaddr *sa, char *text, size_t len)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uint32_t a = ntohl(in->sin_addr.s_addr);

        inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)len);
        return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
               (a >> 16) == 0xa9fe || (a >> 20) == 0xac1 ||
               (a >> 16) == 0xc0a8 || (a >> 22) == (0x64400000u >> 22) ||
               (a >> 28) >= 0xe;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const unsigned char *b = in6->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
                                                  0, 0, 0xff, 0xff };

        inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)len);
        if (memcmp(b, mapped, 12) == 0) {
            struct sockaddr_in v4 = { .sin_family = AF_INET };
            char ignored[64];

            memcpy(&v4.sin_addr, b + 12, 4);
            return private_addr((const struct sockaddr *)&v4, ignored,
                                sizeof(ignored));
        }
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
               IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) ||
               IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) ||
               IN6_IS_ADDR_MULTICAST(&in6->sin6_addr) ||
               (b[0] & 0xfe) == 0xfc;
    }
    snprintf(text, len, "family %d", sa->sa_family);
    return true;
}

static curl_socket_t
on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct transfer *t = arg;
    char text[64];

    if (!t->res->via_tor && !t->allow_private &&
        private_addr(&addr->addr, text, sizeof(text))) {
        snprintf(t->refused, sizeof(t->refused),
                 "address %s is loopback, private or link-local", text);
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

static void
fail_now(struct fetcher *f, struct fetch_result *res, int err,
         const char *msg)
{
    res->err = err;
    res->errmsg = xstrdup(msg);
    push_done(f, res);
}

void
fetcher_add(struct fetcher *f, const struct fetch_req *req)
{
    struct fetch_result *res = xcalloc(1, sizeof(*res));
    struct transfer *t;
    const struct fetch_opts *o = &f->opts;
    bool onion = url_is_onion(req->url);
    long max_body = req->max_body > 0 && req->max_body < o->max_body
                        ? req->max_body
                        : o->max_body;
    int timeout;

    res->user = req->user;
    res->url = xstrdup(req->url);
    buf_init(&res->body, (size_t)max_body);
    res->via_tor = onion || req->tor;
    timeout = req->timeout > 0 ? req->timeout
              : res->via_tor   ? o->onion_timeout
                               : o->timeout;
    if (res->via_tor && (o->tor_proxy == NULL || *o->tor_proxy == '\0')) {
        fail_now(f, res, DRP_EPROXY,
                 "tor proxy not configured (tor.proxy in the config); "
                 "refusing to fetch an onion or tor source directly");
        return;
    }
    t = xcalloc(1, sizeof(*t));
    t->res = res;
    t->allow_private = req->allow_private;
    t->types = req->types ? req->types : accepted_types;
    t->timeout = timeout;
    t->own_timeout = req->timeout > 0;
    t->easy = curl_easy_init();
    if (t->easy == NULL)
        abort();
    curl_easy_setopt(t->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(t->easy, CURLOPT_MAXREDIRS, (long)o->max_redirects);
    curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
    /* HTTP/2 where the server offers it over TLS, multiplexed on the
       multi handle's connections; HTTP/1.1 otherwise. */
    curl_easy_setopt(t->easy, CURLOPT_HTTP_VERSION,
                     (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(t->easy, CURLOPT_MAXFILESIZE_LARGE,
                     (curl_off_t)max_body);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT, (long)timeout);
    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT, (long)timeout);
    curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_LIMIT, (long)FETCH_LOW_SPEED);
    curl_easy_setopt(t->easy, CURLOPT_LOW_SPEED_TIME,
                     (long)low_speed_time(o, res->via_tor));
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_USERAGENT,
                     o->user_agent ? o->user_agent
                                   : "Mozilla/5.0 (compatible; drpwatch/"
                                     PACKAGE_VERSION ")");
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETDATA, t);
    if (req->allow_private && !res->via_tor) {
        /* Its connection may be private: it goes to the pool of such
           transfers, never to the one of transfers that are not allowed
           there (a reused connection is not checked again). */
        curl_easy_setopt(t->easy, CURLOPT_SHARE, f->private_pool);
    }
    if (res->via_tor) {
        /* socks5h: the proxy resolves the name; nothing goes direct. */
        curl_easy_setopt(t->easy, CURLOPT_PROXY, o->tor_proxy);
        curl_easy_setopt(t->easy, CURLOPT_PROXYUSERNAME,
                         req->isolation ? req->isolation : "drpwatch");
        curl_easy_setopt(t->easy, CURLOPT_PROXYPASSWORD, "drpwatch");
    } else {
        /* No environment proxy either: clear-web goes direct, as told. */
        curl_easy_setopt(t->easy, CURLOPT_PROXY, "");
        if (req->resolve) {
            /* Addresses already known (the DNS checks'): connected to
               and checked like any other. */
            t->resolve = curl_slist_append(NULL, req->resolve);
            curl_easy_setopt(t->easy, CURLOPT_RESOLVE, t->resolve);
        }
    }
    if (req->accept) {
        char *h = xasprintf("Accept: %s", req->accept);

        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    if (req->etag) {
        char *h = xasprintf("If-None-Match: %s", req->etag);

        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    if (req->last_modified) {
        char *h = xasprintf("If-Modified-Since: %s", req->last_modified);

        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    if (req->cookie) {
        /* A custom header, not CURLOPT_COOKIE: libcurl sends that one on
           every redirect, this one only to the first host and port. */
        char *h = xasprintf("Cookie: %s", req->cookie);

        t->headers = curl_slist_append(t->headers, h);
        memset(h, 0, strlen(h));
        free(h);
        curl_easy_setopt(t->easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
    }
    if (t->headers)
        curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    t->next = f->active;
    f->active = t;
    f->pending++;
    curl_multi_add_handle(f->multi, t->easy);
}

int
fetcher_pending(const struct fetcher *f)
{
    return f->pending;
}

/*
 * The address connected, and when no server answered, why: the name does
 * not resolve, nothing accepts the connection, or the guardrail refused
 * every address. Through Tor the address is the proxy's (not kept), and
 * an onion service that cannot be reached is a refused connection.
 */
static void
classify(struct transfer *t, CURLcode code)
{
    struct fetch_result *r = t->res;
    char *ip = NULL;
    long px = 0;

    if (!r->via_tor &&
        curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
        ip && *ip)
        r->primary_ip = xstrdup(ip);
    if (code == CURLE_OK)
        return;
    if (t->refused[0])
        r->fail = FETCH_FAIL_PRIVATE;
    else if (!r->via_tor && code == CURLE_COULDNT_RESOLVE_HOST)
        r->fail = FETCH_FAIL_RESOLVE;
    else if (!r->via_tor && code == CURLE_COULDNT_CONNECT)
        r->fail = FETCH_FAIL_CONNECT;
    else if (r->via_tor && code == CURLE_PROXY &&
             curl_easy_getinfo(t->easy, CURLINFO_PROXY_ERROR, &px) ==
                 CURLE_OK &&
             (px == CURLPX_REPLY_HOST_UNREACHABLE ||
              px == CURLPX_REPLY_CONNECTION_REFUSED))
        r->fail = FETCH_FAIL_CONNECT;
}

static void
finish(struct fetcher *f, struct transfer *t, CURLcode code)
{
    struct fetch_result *r = t->res;
    char *final = NULL;
    curl_off_t elapsed = 0; /* microseconds */
    struct transfer **pp;

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &final);
    curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &elapsed);
    r->final_url = xstrdup(final ? final : r->url);
    classify(t, code);
    if (r->content_type == NULL && code == CURLE_OK) {
        char *ct = NULL;

        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
        if (ct)
            read_type(r, ct);
    }
    if (t->bad_type) {
        r->err = DRP_ETYPE;
        r->errmsg = xasprintf("content type '%s' not accepted (not "
                              "downloaded past the headers)",
                              r->content_type);
    } else if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        r->err = DRP_ETOOBIG;
        r->errmsg = xasprintf("body larger than %ld bytes (crawl.max_body)",
                              (long)r->body.max);
    } else if (t->refused[0]) {
        r->err = DRP_EPOLICY;
        r->errmsg = xasprintf("refused to connect: %s; the source needs "
                              "allow_private: true to reach it",
                              t->refused);
    } else if (code == CURLE_OPERATION_TIMEDOUT && !r->via_tor &&
               elapsed < (curl_off_t)t->timeout * 1000000 - 500000) {
        r->err = DRP_ENET;
        r->errmsg = xasprintf("slower than %d bytes/s for %d s "
                              "(crawl.low_speed_time): a slow drip",
                              FETCH_LOW_SPEED,
                              low_speed_time(&f->opts, false));
    } else if (code == CURLE_OPERATION_TIMEDOUT && !r->via_tor) {
        r->err = DRP_ENET;
        r->errmsg = xasprintf("no complete answer within %d s%s", t->timeout,
                              t->own_timeout ? "" : " (crawl.timeout)");
    } else if (code != CURLE_OK) {
        const char *what = "transfer failed";

        r->err = DRP_ENET;
        if (r->via_tor && (code == CURLE_COULDNT_CONNECT ||
                           code == CURLE_COULDNT_RESOLVE_PROXY)) {
            r->err = DRP_EPROXY;
            what = "tor proxy unreachable, nothing sent directly";
        } else if (r->via_tor && code == CURLE_PROXY) {
            r->err = DRP_EPROXY;
            what = "tor proxy refused or could not reach the host";
        }
        r->errmsg = xasprintf("%s: curl=%d (%s)", what, (int)code,
                              curl_easy_strerror(code));
    } else if (r->status >= 400 || r->status < 100) {
        r->err = DRP_EHTTP;
        r->errmsg = xasprintf("http status %ld", r->status);
    } else if (r->status != 304 && r->content_type &&
               !type_accepted(t, r->content_type)) {
        r->err = DRP_ETYPE;
        r->errmsg = xasprintf("content type '%s' not accepted",
                              r->content_type);
    }
    for (pp = &f->active; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    curl_multi_remove_handle(f->multi, t->easy);
    t->res = NULL;
    transfer_free(t);
    f->pending--; /* push_done counts it again until fetcher_next */
    push_done(f, r);
}

int
fetcher_poll(struct fetcher *f, int timeout_ms)
{
    CURLMcode mc;
    CURLMsg *msg;
    int left;

    if (f->ndone > 0)
        return 0;
    mc = curl_multi_perform(f->multi, &f->running);
    /* None running: they finished just now (collected below, no wait),
       or there are none (a wait until timeout or fetcher_wakeup()). */
    if (mc == CURLM_OK && timeout_ms > 0 &&
        (f->running > 0 || f->pending == 0))
        mc = curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
    if (mc == CURLM_OK)
        mc = curl_multi_perform(f->multi, &f->running);
    if (mc != CURLM_OK) {
        log_err("fetcher failed: curlm=%d (%s)", (int)mc,
                curl_multi_strerror(mc));
        return DRP_ENET;
    }
    while ((msg = curl_multi_info_read(f->multi, &left)) != NULL) {
        struct transfer *t = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        finish(f, t, msg->data.result);
    }
    return 0;
}

void
fetcher_wakeup(struct fetcher *f)
{
    curl_multi_wakeup(f->multi);
}

struct fetch_result *
fetcher_next(struct fetcher *f)
{
    struct fetch_result *r;

    if (f->ndone == 0)
        return NULL;
    r = f->done[0];
    memmove(f->done, f->done + 1, (f->ndone - 1) * sizeof(*f->done));
    f->ndone--;
    f->pending--;
    return r;
}

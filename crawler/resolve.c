/*
 * Registration checks (see resolve.h for what the states mean): one
 * c-ares channel driven by poll(), a FIFO of queries waiting for a slot
 * (in-flight cap, token-bucket rate), a small state machine per name and
 * one wildcard probe per parent. It does not generate candidates, fetch
 * sites or store anything.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/ascii.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "crawler/dnsmsg.h"
#include "crawler/resolve.h"
#include "common/banned.h"

#define RESOLVE_EDNS_SIZE 1232       /* no fragmentation (DNS flag day) */
#define RESOLVE_RCVBUF (1 << 20)     /* for bursts of answers */
#define PROBE_LABEL_LEN 16

enum { Q_NS, Q_A, Q_AAAA, Q_MX, Q_COUNT };
static const int qtypes[Q_COUNT] = { DNS_T_NS, DNS_T_A, DNS_T_AAAA,
                                     DNS_T_MX };

enum answer_status { ANS_NONE, ANS_OK, ANS_NXDOMAIN, ANS_FAILED };

/* One query's outcome. */
struct answer {
    unsigned char status; /* enum answer_status */
    unsigned char tries;
    bool chain_cut;
    bool answered;               /* why came in a server's answer */
    char *error;                 /* ANS_FAILED: why */
    /* While tried: the latest failure a server answered (SERVFAIL,
       REFUSED, a malformed answer), else the latest try's (timeout). */
    char *why;
    struct resolve_list values;  /* sorted (dnsmsg keeps them so) */
    struct resolve_list chain;
    char *zone;
};

enum stage { STAGE_NEW, STAGE_NS, STAGE_MORE, STAGE_WAIT, STAGE_DONE };

/* A name to check, or a parent's wildcard probe. */
struct target {
    char *name;          /* probes: "random.parent" */
    struct answer *ans;  /* [Q_COUNT] while checked */
    unsigned pending;    /* queries queued or in flight */
    unsigned queries;    /* sent, tries included */
    unsigned char stage; /* enum stage */
    size_t probe;        /* names: 1 + the parent's probe, 0 for none */
    /* probes: the names waiting for the verdict */
    size_t *waiters;
    size_t nwaiters, capwaiters;
};

/* Strings by index: the keys (the caller's) in insertion order, and an
   open-addressing index of them (slots hold index + 1; 0 is empty). */
struct strtab {
    char **keys;
    size_t n, cap;
    size_t *slots;
    size_t nslots; /* a power of two, at least twice n */
};

/* A query waiting for a slot, or in flight (the callback's argument). */
struct query {
    struct resolver *r;
    size_t idx;
    bool probe;
    unsigned char qi;
};

struct resolver {
    ares_channel ch;
    unsigned max_inflight, rate, tries;
    bool no_wildcard;
    bool ran;

    struct target *names;
    struct resolve_result *results;
    struct strtab name_tab;
    struct target *probes;
    char **parents; /* the probes' parents, the keys of parent_tab */
    size_t nprobes, capprobes;
    struct strtab parent_tab;

    size_t next_new; /* names not started yet: [next_new, n) */
    size_t ndone;
    unsigned inflight;
    unsigned long queries;

    struct query *queue; /* a ring of queries waiting */
    size_t qhead, qlen, qcap;

    double tokens, burst, last; /* rate limit */

    struct pollfd *pfd;
    size_t npfd, cappfd;

    struct dnsmsg msg; /* scratch for the answer being parsed */
    struct buf err;    /* scratch for its error */
    void (*done)(const struct resolve_result *, void *);
    void *done_arg;
};

/* ---- small helpers */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
strtab_release(struct strtab *t)
{
    free(t->keys);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* FNV-1a: candidates differ in a letter or two, which it spreads well
   (glibc's hsearch, tried first, spent most of a run comparing). */
static size_t
strtab_hash(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

static size_t
strtab_slot(const struct strtab *t, const char *key)
{
    size_t mask = t->nslots - 1, i = strtab_hash(key) & mask;

    while (t->slots[i] && strcmp(t->keys[t->slots[i] - 1], key))
        i = (i + 1) & mask;
    return i;
}

/* Index of key, or SIZE_MAX. */
static size_t
strtab_find(const struct strtab *t, const char *key)
{
    size_t i;

    if (t->nslots == 0)
        return SIZE_MAX;
    i = strtab_slot(t, key);
    return t->slots[i] ? t->slots[i] - 1 : SIZE_MAX;
}

/* Adds key (absent; kept by the caller, unchanged) as index t->n. */
static size_t
strtab_add(struct strtab *t, char *key)
{
    size_t i;

    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->keys = xreallocarray(t->keys, t->cap, sizeof(*t->keys));
    }
    t->keys[t->n++] = key;
    if (t->n * 2 > t->nslots) {
        free(t->slots);
        t->nslots = t->nslots ? 2 * t->nslots : 256;
        t->slots = xcalloc(t->nslots, sizeof(*t->slots));
        for (i = 0; i < t->n; i++)
            t->slots[strtab_slot(t, t->keys[i])] = i + 1;
    } else {
        t->slots[strtab_slot(t, key)] = t->n;
    }
    return t->n - 1;
}

static void
list_release(struct resolve_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void
list_add(struct resolve_list *l, const char *s)
{
    if (l->n == RESOLVE_MAX_LIST) {
        l->more++;
        return;
    }
    if (l->v == NULL)
        l->v = xcalloc(RESOLVE_MAX_LIST, sizeof(*l->v));
    l->v[l->n++] = xstrdup(s);
}

static void
list_copy(struct resolve_list *dst, const struct resolve_list *src)
{
    size_t i;

    for (i = 0; i < src->n; i++)
        list_add(dst, src->v[i]);
    dst->more += src->more;
}

static bool
list_eq(const struct resolve_list *a, const struct resolve_list *b)
{
    size_t i;

    if (a->n != b->n || a->more != b->more)
        return false;
    for (i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]))
            return false;
    return true;
}

static void
answers_free(struct answer *ans)
{
    int qi;

    if (ans == NULL)
        return;
    for (qi = 0; qi < Q_COUNT; qi++) {
        free(ans[qi].error);
        free(ans[qi].why);
        list_release(&ans[qi].values);
        list_release(&ans[qi].chain);
        free(ans[qi].zone);
    }
    free(ans);
}

/* ---- options */

/* Parses one "IP", "IP:PORT", "[IPv6]:PORT" or "IPv6" into n. */
static int
parse_server(const char *s, size_t len, struct ares_addr_port_node *n,
             struct buf *err)
{
    char host[64];
    const char *colon = NULL, *end = s + len, *given = s;
    unsigned long port = 53;
    size_t hlen;

    memset(n, 0, sizeof(*n));
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);

        if (close == NULL || (close + 1 != end && close[1] != ':'))
            goto bad;
        hlen = (size_t)(close - s - 1);
        s++;
        colon = close + 1 != end ? close + 1 : NULL;
    } else {
        colon = memchr(s, ':', len);
        if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
            colon = NULL; /* a bare IPv6 address */
        hlen = colon ? (size_t)(colon - s) : len;
    }
    if (hlen == 0 || hlen >= sizeof(host))
        goto bad;
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    if (colon) {
        const char *p;

        if (colon + 1 == end || end - colon > 6)
            goto bad;
        port = 0;
        for (p = colon + 1; p < end; p++) {
            if (!ascii_isdigit((unsigned char)*p))
                goto bad;
            port = port * 10 + (unsigned long)(*p - '0');
        }
        if (port == 0 || port > 65535)
            goto bad;
    }
    if (inet_pton(AF_INET, host, &n->addr.addr4) == 1)
        n->family = AF_INET;
    else if (inet_pton(AF_INET6, host, &n->addr.addr6) == 1)
        n->family = AF_INET6;
    else
        goto bad;
    n->udp_port = n->tcp_port = (int)port;
    return 0;
bad:
    buf_reset(err);
    buf_addf(err, "bad nameserver '%.*s': expected IP or IP:PORT "
                  "([IPv6]:PORT), e.g. 127.0.0.1:5353",
             (int)(len > 80 ? 80 : len), given);
    return DRP_EINVAL;
}

static int
set_servers(ares_channel ch, const char *servers, struct buf *err)
{
    struct ares_addr_port_node nodes[RESOLVE_MAX_SERVERS];
    const char *p = servers;
    size_t n = 0, i;
    int rc;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (n == RESOLVE_MAX_SERVERS) {
            buf_reset(err);
            buf_addf(err, "too many nameservers: at most %d",
                     RESOLVE_MAX_SERVERS);
            return DRP_ETOOBIG;
        }
        if (parse_server(p, len, &nodes[n], err) < 0)
            return DRP_EINVAL;
        n++;
        p += len + (comma != NULL);
    }
    if (n == 0)
        return 0;
    for (i = 0; i + 1 < n; i++)
        nodes[i].next = &nodes[i + 1];
    rc = ares_set_servers_ports(ch, nodes);
    if (rc != ARES_SUCCESS) {
        buf_reset(err);
        buf_addf(err, "cannot set nameservers: %s", ares_strerror(rc));
        return DRP_EINVAL;
    }
    return 0;
}

/* opt (0: def) within [1, max], or an error naming it. */
static int
option(unsigned opt, unsigned def, unsigned max, const char *what,
       unsigned *out, struct buf *err)
{
    *out = opt ? opt : def;
    if (*out > max) {
        buf_reset(err);
        buf_addf(err, "%s %u out of range: at most %u", what, opt, max);
        return DRP_EINVAL;
    }
    return 0;
}

static void sock_state(void *data, ares_socket_t fd, int readable,
                       int writable);

struct resolver *
resolver_new(const struct resolve_opts *o, struct buf *err)
{
    static const struct resolve_opts defaults;
    struct resolver *r = xcalloc(1, sizeof(*r));
    struct ares_options ao;
    unsigned timeout_ms;
    int rc, mask;

    if (o == NULL)
        o = &defaults;
    if (option(o->max_inflight, RESOLVE_DEFAULT_INFLIGHT,
               RESOLVE_MAX_INFLIGHT, "max in flight", &r->max_inflight,
               err) < 0 ||
        option(o->timeout_ms, RESOLVE_DEFAULT_TIMEOUT_MS,
               RESOLVE_MAX_TIMEOUT_MS, "timeout (ms)", &timeout_ms,
               err) < 0 ||
        option(o->tries, RESOLVE_DEFAULT_TRIES, RESOLVE_MAX_TRIES, "tries",
               &r->tries, err) < 0 ||
        option(o->rate, 0, RESOLVE_MAX_RATE, "rate (queries/s)", &r->rate,
               err) < 0) {
        free(r);
        return NULL;
    }
    r->no_wildcard = o->no_wildcard;
    r->burst = r->rate / 100 > 1 ? r->rate / 100 : 1; /* 10 ms worth */
    r->tokens = r->burst;
    buf_init(&r->err, 1024);

    rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        buf_reset(err);
        buf_addf(err, "cannot start c-ares: %s", ares_strerror(rc));
        buf_release(&r->err);
        free(r);
        return NULL;
    }
    memset(&ao, 0, sizeof(ao));
    mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
           ARES_OPT_SOCK_STATE_CB | ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF |
           ARES_OPT_ROTATE;
    /* Tries are counted here, where the rate limit sees them: one c-ares
       try asks one server (rotating, so that retries go to the next one),
       moving on to the next only on a timeout. NOCHECKRESP: SERVFAIL and
       REFUSED come back as such (c-ares 1.18 would report both as
       "connection refused" after asking every server). */
    ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS |
               ARES_FLAG_NOCHECKRESP;
    ao.timeout = (int)timeout_ms;
    ao.tries = 1;
    ao.sock_state_cb = sock_state;
    ao.sock_state_cb_data = r;
    ao.ednspsz = RESOLVE_EDNS_SIZE;
    ao.socket_receive_buffer_size = RESOLVE_RCVBUF;
    rc = ares_init_options(&r->ch, &ao, mask);
    if (rc != ARES_SUCCESS) {
        buf_reset(err);
        buf_addf(err, "cannot start c-ares: %s", ares_strerror(rc));
        r->ch = NULL;
        resolver_free(r);
        return NULL;
    }
    if (o->servers && set_servers(r->ch, o->servers, err) < 0) {
        resolver_free(r);
        return NULL;
    }
    return r;
}

void
resolver_free(struct resolver *r)
{
    size_t i;

    if (r == NULL)
        return;
    if (r->ch) {
        ares_destroy(r->ch); /* callbacks see ARES_EDESTRUCTION */
        ares_library_cleanup();
    }
    for (i = 0; i < r->name_tab.n; i++) {
        struct resolve_result *res = &r->results[i];

        answers_free(r->names[i].ans);
        free(res->name);
        free(res->reason);
        list_release(&res->addrs);
        list_release(&res->ns);
        list_release(&res->mx);
        list_release(&res->cname);
        free(res->zone);
    }
    for (i = 0; i < r->nprobes; i++) {
        answers_free(r->probes[i].ans);
        free(r->probes[i].name);
        free(r->probes[i].waiters);
        free(r->parents[i]);
    }
    free(r->names);
    free(r->results);
    free(r->probes);
    free(r->parents);
    strtab_release(&r->name_tab);
    strtab_release(&r->parent_tab);
    free(r->queue);
    free(r->pfd);
    buf_release(&r->err);
    free(r);
}

/* ---- names */

/* name, lower case and without its final dot, into out[254]. */
static int
normalise_name(const char *name, char *out, struct buf *err)
{
    size_t len = strlen(name), i, label = 0;
    const char *why = NULL;

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0)
        why = "empty";
    else if (len > DNSMSG_NAME_MAX)
        why = "longer than 253 bytes";
    for (i = 0; why == NULL && i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '.') {
            if (label == 0)
                why = "empty label";
            label = 0;
        } else if (!ascii_isalnum(c) && c != '-' && c != '_') {
            why = "not a letter, digit, '-' or '_' (IDN names go in "
                  "A-labels: xn--...)";
        } else if (++label > 63) {
            why = "label longer than 63 bytes";
        }
        out[i] = ascii_lower((char)c);
    }
    if (why == NULL && label == 0 && len > 0)
        why = "empty label";
    if (why) {
        buf_reset(err);
        buf_addf(err, "bad name '%.*s': %s", (int)strnlen(name, 80), name,
                 why);
        return DRP_EINVAL;
    }
    out[len] = '\0';
    return 0;
}

int
resolver_add(struct resolver *r, const char *name, struct buf *err)
{
    char norm[DNSMSG_NAME_MAX + 1];
    size_t n = r->name_tab.n;

    if (r->ran) {
        buf_reset(err);
        buf_adds(err, "names cannot be added after the run");
        return DRP_EINVAL;
    }
    if (normalise_name(name, norm, err) < 0)
        return DRP_EINVAL;
    if (strtab_find(&r->name_tab, norm) != SIZE_MAX)
        return 0;
    if (n == RESOLVE_MAX_NAMES) {
        buf_reset(err);
        buf_addf(err, "too many names: at most %d per run",
                 RESOLVE_MAX_NAMES);
        return DRP_ETOOBIG;
    }
    if (n == 0 || (n & (n - 1)) == 0) {
        size_t cap = n ? 2 * n : 64;

        r->names = xreallocarray(r->names, cap, sizeof(*r->names));
        r->results = xreallocarray(r->results, cap, sizeof(*r->results));
    }
    memset(&r->names[n], 0, sizeof(r->names[n]));
    memset(&r->results[n], 0, sizeof(r->results[n]));
    r->results[n].name = xstrdup(norm);
    r->names[n].name = r->results[n].name;
    strtab_add(&r->name_tab, r->results[n].name);
    return 0;
}

size_t
resolver_count(const struct resolver *r)
{
    return r->name_tab.n;
}

const struct resolve_result *
resolver_result(const struct resolver *r, size_t i)
{
    return i < r->name_tab.n ? &r->results[i] : NULL;
}

unsigned long
resolver_queries(const struct resolver *r)
{
    return r->queries;
}

const char *
resolve_state_name(enum resolve_state s)
{
    switch (s) {
    case RESOLVE_REGISTERED: return "registered";
    case RESOLVE_UNREGISTERED: return "unregistered";
    case RESOLVE_WILDCARD: return "wildcard";
    case RESOLVE_UNKNOWN: break;
    }
    return "unknown";
}

/* ---- the queue and c-ares */

static struct target *
target_of(struct resolver *r, size_t idx, bool probe)
{
    return probe ? &r->probes[idx] : &r->names[idx];
}

static void
enqueue(struct resolver *r, size_t idx, bool probe, int qi)
{
    struct query *q;

    if (r->qlen == r->qcap) {
        size_t cap = r->qcap ? 2 * r->qcap : 256, i;
        struct query *nq = xreallocarray(NULL, cap, sizeof(*nq));

        for (i = 0; i < r->qlen; i++)
            nq[i] = r->queue[(r->qhead + i) % r->qcap];
        free(r->queue);
        r->queue = nq;
        r->qcap = cap;
        r->qhead = 0;
    }
    q = &r->queue[(r->qhead + r->qlen++) % r->qcap];
    q->r = r;
    q->idx = idx;
    q->probe = probe;
    q->qi = (unsigned char)qi;
}

/* Queues the queries qi of t (a bit mask of 1 << Q_*). */
static void
ask(struct resolver *r, size_t idx, bool probe, unsigned mask)
{
    struct target *t = target_of(r, idx, probe);
    int qi;

    if (t->ans == NULL)
        t->ans = xcalloc(Q_COUNT, sizeof(*t->ans));
    for (qi = 0; qi < Q_COUNT; qi++)
        if (mask & (1u << qi)) {
            t->pending++;
            enqueue(r, idx, probe, qi);
        }
}

static void on_answer(void *arg, int status, int timeouts,
                      unsigned char *abuf, int alen);

static void
send_query(struct resolver *r, const struct query *q)
{
    struct query *arg = xmalloc(sizeof(*arg));
    struct target *t = target_of(r, q->idx, q->probe);

    *arg = *q;
    r->inflight++;
    r->queries++;
    t->queries++;
    /* The callback may run at once (a socket error): all counted first. */
    ares_query(r->ch, t->name, 1 /* IN */, qtypes[q->qi], on_answer, arg);
}

static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct resolver *r = data;
    size_t i;

    for (i = 0; i < r->npfd; i++)
        if (r->pfd[i].fd == fd)
            break;
    if (!readable && !writable) {
        if (i < r->npfd)
            r->pfd[i] = r->pfd[--r->npfd];
        return;
    }
    if (i == r->npfd) {
        if (r->npfd == r->cappfd) {
            r->cappfd = r->cappfd ? 2 * r->cappfd : 8;
            r->pfd = xreallocarray(r->pfd, r->cappfd, sizeof(*r->pfd));
        }
        r->npfd++;
        r->pfd[i].fd = fd;
    }
    r->pfd[i].events = (short)((readable ? POLLIN : 0) |
                               (writable ? POLLOUT : 0));
    r->pfd[i].revents = 0;
}

/* Why a query failed, from c-ares' status. */
static const char *
failure(int status)
{
    switch (status) {
    case ARES_ETIMEOUT: return "timeout";
    case ARES_ESERVFAIL: return "SERVFAIL";
    case ARES_EREFUSED: return "REFUSED";
    case ARES_ENOTIMP: return "NOTIMP";
    case ARES_EFORMERR: return "FORMERR";
    case ARES_ECONNREFUSED: return "connection refused";
    case ARES_EBADRESP: return "malformed answer";
    }
    return ares_strerror(status);
}

static void advance(struct resolver *r, size_t idx, bool probe);

/* Keeps what the parsed answer r->msg says in a. */
static void
keep_answer(struct resolver *r, struct answer *a)
{
    const struct dnsmsg *m = &r->msg;
    size_t i;

    a->status = m->rcode == DNS_RCODE_NXDOMAIN ? ANS_NXDOMAIN : ANS_OK;
    for (i = 0; i < m->nvalues; i++)
        list_add(&a->values, m->values[i]);
    a->values.more += m->values_more;
    for (i = 0; i < m->nchain; i++)
        list_add(&a->chain, m->chain[i]);
    a->chain_cut = m->chain_cut;
    if (m->zone[0])
        a->zone = xstrdup(m->zone);
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
          int alen)
{
    struct query *q = arg;
    struct resolver *r = q->r;
    struct target *t;
    struct answer *a;
    const char *why = NULL;
    char rcode[32];

    if (status == ARES_EDESTRUCTION) {
        free(q);
        return;
    }
    r->inflight--;
    t = target_of(r, q->idx, q->probe);
    a = &t->ans[q->qi];
    a->tries++;
    if (abuf && (status == ARES_SUCCESS || status == ARES_ENODATA ||
                 status == ARES_ENOTFOUND)) {
        if (dnsmsg_parse(abuf, (size_t)alen, qtypes[q->qi], &r->msg,
                         &r->err) < 0) {
            why = buf_str(&r->err);
        } else if (r->msg.rcode != DNS_RCODE_NOERROR &&
                   r->msg.rcode != DNS_RCODE_NXDOMAIN) {
            snprintf(rcode, sizeof(rcode), "rcode %d", r->msg.rcode);
            why = rcode;
        }
    } else {
        why = failure(status);
    }
    /* A server's answer says more of the name than a try that got none:
       a SERVFAIL followed by a retry lost on the way (a server's full
       receive queue drops queries of a burst) stays a SERVFAIL. abuf is
       NULL when no answer came (timeout, network error). */
    if (why && (abuf || !a->answered)) {
        free(a->why);
        a->why = xstrdup(why);
        a->answered = abuf != NULL;
    }
    if (why && a->tries < r->tries) {
        enqueue(r, q->idx, q->probe, q->qi);
        free(q);
        return;
    }
    if (why) {
        a->status = ANS_FAILED;
        a->error =
            xasprintf("%s: %s after %u tr%s", dns_type_name(qtypes[q->qi]),
                      a->why, a->tries, a->tries == 1 ? "y" : "ies");
    } else {
        keep_answer(r, a);
    }
    t->pending--;
    if (t->pending == 0)
        advance(r, q->idx, q->probe);
    free(q);
}

/* ---- the verdicts */

static bool
exists(const struct answer *a)
{
    return a->status == ANS_OK || a->chain.n > 0;
}

/* The parent's probe for name idx, started when new. */
static size_t
probe_for(struct resolver *r, size_t idx)
{
    const char *dot = strchr(r->names[idx].name, '.');
    char label[PROBE_LABEL_LEN + 1];
    unsigned char rnd[PROBE_LABEL_LEN];
    size_t i, p, len;
    struct target *t;

    if (dot == NULL || r->no_wildcard)
        return 0;
    p = strtab_find(&r->parent_tab, dot + 1);
    if (p != SIZE_MAX)
        return p + 1;
    /* A label no one registers: 16 random letters and digits (fewer when
       the name would pass 253 bytes). */
    len = strlen(dot + 1);
    len = DNSMSG_NAME_MAX - 1 - len < PROBE_LABEL_LEN
              ? DNSMSG_NAME_MAX - 1 - len
              : PROBE_LABEL_LEN;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        for (i = 0; i < sizeof(rnd); i++)
            rnd[i] = (unsigned char)(rand() & 0xff);
    for (i = 0; i < len; i++)
        label[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rnd[i] % 36];
    label[len] = '\0';
    if (r->nprobes == r->capprobes) {
        r->capprobes = r->capprobes ? 2 * r->capprobes : 16;
        r->probes = xreallocarray(r->probes, r->capprobes,
                                  sizeof(*r->probes));
        r->parents = xreallocarray(r->parents, r->capprobes,
                                   sizeof(*r->parents));
    }
    p = r->nprobes++;
    t = &r->probes[p];
    memset(t, 0, sizeof(*t));
    r->parents[p] = xstrdup(dot + 1);
    t->name = xasprintf("%s.%s", label, dot + 1);
    t->stage = STAGE_MORE;
    strtab_add(&r->parent_tab, r->parents[p]);
    ask(r, p, true, (1u << Q_COUNT) - 1);
    return p + 1;
}

enum wildcard { WILD_NONE, WILD_SAME, WILD_DIFFERENT, WILD_UNSURE,
                WILD_PROBE_FAILED };

/* Whether the name's answers are the wildcard's (the probe's). */
static enum wildcard
compare_probe(const struct answer *name, const struct target *probe,
              const char **why)
{
    const struct answer *p = probe->ans;
    bool any = false, nx = false, unsure = false;
    int qi;

    *why = NULL;
    for (qi = 0; qi < Q_COUNT; qi++) {
        any = any || exists(&p[qi]);
        nx = nx || p[qi].status == ANS_NXDOMAIN;
    }
    if (!any) {
        if (nx)
            return WILD_NONE;
        *why = p[Q_NS].error ? p[Q_NS].error : p[Q_A].error;
        return WILD_PROBE_FAILED;
    }
    for (qi = 0; qi < Q_COUNT; qi++) {
        if (name[qi].status == ANS_FAILED || p[qi].status == ANS_FAILED) {
            unsure = true;
            if (*why == NULL)
                *why = name[qi].error ? name[qi].error : p[qi].error;
            continue;
        }
        if (name[qi].status != p[qi].status ||
            !list_eq(&name[qi].values, &p[qi].values) ||
            !list_eq(&name[qi].chain, &p[qi].chain))
            return WILD_DIFFERENT;
    }
    return unsure ? WILD_UNSURE : WILD_SAME;
}

static void
set_reason(struct resolve_result *res, char *reason)
{
    free(res->reason);
    res->reason = reason;
}

/* The records of a name that exists, into its result. */
static void
fill_records(struct resolve_result *res, const struct answer *ans)
{
    int qi;

    list_copy(&res->addrs, &ans[Q_A].values);
    list_copy(&res->addrs, &ans[Q_AAAA].values);
    list_copy(&res->ns, &ans[Q_NS].values);
    list_copy(&res->mx, &ans[Q_MX].values);
    for (qi = 0; qi < Q_COUNT; qi++)
        if (ans[qi].chain.n > 0) {
            list_copy(&res->cname, &ans[qi].chain);
            break;
        }
}

/* The reason for a registered name: anything odd, or NULL. */
static char *
registered_reason(const struct answer *ans)
{
    bool records = false;
    int qi;

    for (qi = 0; qi < Q_COUNT; qi++)
        if (ans[qi].status == ANS_FAILED)
            return xasprintf("incomplete: %s", ans[qi].error);
    for (qi = 0; qi < Q_COUNT; qi++) {
        if (ans[qi].chain_cut)
            return xasprintf("CNAME chain longer than %d names or looping",
                             DNSMSG_MAX_CHAIN);
        if (ans[qi].chain.n > 0 && ans[qi].status == ANS_NXDOMAIN)
            return xstrdup("CNAME target does not exist");
        records = records || ans[qi].values.n + ans[qi].values.more > 0;
    }
    if (!records && ans[Q_A].chain.n == 0)
        return xstrdup("exists without NS, A, AAAA or MX records");
    return NULL;
}

static void
finish(struct resolver *r, size_t idx)
{
    struct target *t = &r->names[idx];
    struct resolve_result *res = &r->results[idx];
    const struct answer *ans = t->ans;
    const struct answer *nx = NULL, *failed = NULL;
    bool found = false;
    int qi;

    for (qi = 0; qi < Q_COUNT; qi++) {
        found = found || exists(&ans[qi]);
        if (ans[qi].status == ANS_NXDOMAIN && nx == NULL)
            nx = &ans[qi];
        if (ans[qi].status == ANS_FAILED && failed == NULL)
            failed = &ans[qi];
    }
    if (!found && nx) {
        res->state = RESOLVE_UNREGISTERED;
        if (nx->zone)
            res->zone = xstrdup(nx->zone);
    } else if (!found) {
        res->state = RESOLVE_UNKNOWN;
        res->reason = xstrdup(failed ? failed->error : "no answer");
    } else {
        const char *why = NULL;
        enum wildcard w = WILD_NONE;

        if (t->probe)
            w = compare_probe(ans, &r->probes[t->probe - 1], &why);
        fill_records(res, ans);
        for (qi = 0; qi < Q_COUNT && res->zone == NULL; qi++)
            if (ans[qi].status == ANS_OK && ans[qi].zone)
                res->zone = xstrdup(ans[qi].zone);
        switch (w) {
        case WILD_SAME:
            res->state = RESOLVE_WILDCARD;
            res->reason = xasprintf("*.%s", r->parents[t->probe - 1]);
            break;
        case WILD_UNSURE:
            res->state = RESOLVE_UNKNOWN;
            res->reason = xasprintf("cannot tell from the wildcard *.%s: %s",
                                    r->parents[t->probe - 1], why);
            break;
        case WILD_PROBE_FAILED:
            res->state = RESOLVE_UNKNOWN;
            res->reason = xasprintf("wildcard check of %s failed: %s",
                                    r->parents[t->probe - 1], why);
            break;
        case WILD_NONE:
        case WILD_DIFFERENT:
            res->state = RESOLVE_REGISTERED;
            set_reason(res, registered_reason(ans));
            break;
        }
    }
    res->queries = t->queries;
    answers_free(t->ans);
    t->ans = NULL;
    t->stage = STAGE_DONE;
    r->ndone++;
    if (r->done)
        r->done(res, r->done_arg);
}

/* A target's queries are all answered: its next step. */
static void
advance(struct resolver *r, size_t idx, bool probe)
{
    struct target *t = target_of(r, idx, probe);
    size_t i;

    if (probe) {
        t->stage = STAGE_DONE;
        for (i = 0; i < t->nwaiters; i++)
            finish(r, t->waiters[i]);
        free(t->waiters);
        t->waiters = NULL;
        t->nwaiters = t->capwaiters = 0;
        return;
    }
    if (t->stage == STAGE_NS) {
        const struct answer *ns = &t->ans[Q_NS];

        if (ns->status == ANS_NXDOMAIN && ns->chain.n == 0) {
            finish(r, idx);
            return;
        }
        /* It exists, or the NS query failed: the other types tell. */
        t->stage = STAGE_MORE;
        t->probe = probe_for(r, idx);
        ask(r, idx, false, 1u << Q_A | 1u << Q_AAAA | 1u << Q_MX);
        return;
    }
    if (t->probe && r->probes[t->probe - 1].stage != STAGE_DONE) {
        struct target *p = &r->probes[t->probe - 1];

        t->stage = STAGE_WAIT;
        if (p->nwaiters == p->capwaiters) {
            p->capwaiters = p->capwaiters ? 2 * p->capwaiters : 4;
            p->waiters = xreallocarray(p->waiters, p->capwaiters,
                                       sizeof(*p->waiters));
        }
        p->waiters[p->nwaiters++] = idx;
        return;
    }
    finish(r, idx);
}

/* ---- the loop */

/* Whether the rate limit lets one more query go now. */
static bool
take_token(struct resolver *r, double now)
{
    if (r->rate == 0)
        return true;
    r->tokens += (now - r->last) * r->rate;
    r->last = now;
    if (r->tokens > r->burst)
        r->tokens = r->burst;
    if (r->tokens < 1)
        return false;
    r->tokens -= 1;
    return true;
}

/* Sends what may be sent: retries and later stages first, then the
   NS queries of new names. */
static void
fill(struct resolver *r)
{
    double now = now_s();
    struct query q;

    while (r->inflight < r->max_inflight) {
        if (r->qlen == 0) {
            size_t idx = r->next_new;

            if (idx == r->name_tab.n)
                break;
            r->next_new++;
            r->names[idx].stage = STAGE_NS;
            ask(r, idx, false, 1u << Q_NS);
            continue;
        }
        if (!take_token(r, now))
            break;
        q = r->queue[r->qhead];
        r->qhead = (r->qhead + 1) % r->qcap;
        r->qlen--;
        send_query(r, &q);
    }
}

/* Milliseconds poll() may sleep: until c-ares' next timeout, or the next
   token when queries wait for one. */
static int
sleep_ms(struct resolver *r)
{
    struct timeval tv, *tvp = ares_timeout(r->ch, NULL, &tv);
    long ms = tvp ? tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000 : -1;

    if (r->rate && r->inflight < r->max_inflight &&
        (r->qlen > 0 || r->next_new < r->name_tab.n)) {
        long wait = (long)((1 - r->tokens) * 1000 / r->rate) + 1;

        if (ms < 0 || wait < ms)
            ms = wait;
    }
    return ms > 60000 ? 60000 : (int)ms;
}

int
resolver_run(struct resolver *r,
             void (*done)(const struct resolve_result *res, void *arg),
             void *arg)
{
    struct pollfd *ready = NULL;
    size_t capready = 0;
    int rc = 0;

    if (r->ran)
        return DRP_EINVAL;
    r->ran = true;
    r->done = done;
    r->done_arg = arg;
    r->last = now_s();
    while (r->ndone < r->name_tab.n) {
        size_t i, n;
        int ms;

        fill(r);
        if (r->ndone == r->name_tab.n)
            break;
        if (r->inflight == 0 && r->qlen == 0 &&
            r->next_new == r->name_tab.n) {
            log_err("dns: internal error: %zu names left with nothing "
                    "to ask", r->name_tab.n - r->ndone);
            rc = DRP_EINVAL;
            break;
        }
        ms = sleep_ms(r);
        if (r->npfd > capready) {
            capready = r->npfd;
            ready = xreallocarray(ready, capready, sizeof(*ready));
        }
        n = r->npfd;
        if (n > 0)
            memcpy(ready, r->pfd, n * sizeof(*ready));
        if (poll(ready, n, ms) < 0 && errno != EINTR) {
            log_err("dns: poll failed: %s", strerror(errno));
            rc = DRP_EIO;
            break;
        }
        /* The callbacks may change r->pfd: work on the copy. */
        for (i = 0; i < n; i++) {
            short ev = ready[i].revents;

            if (ev == 0)
                continue;
            ares_process_fd(r->ch,
                            ev & (POLLIN | POLLERR | POLLHUP)
                                ? ready[i].fd
                                : ARES_SOCKET_BAD,
                            ev & POLLOUT ? ready[i].fd : ARES_SOCKET_BAD);
        }
        ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    }
    free(ready);
    return rc;
}

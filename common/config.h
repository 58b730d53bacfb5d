/*
 * drpwatch.yaml: the watchlist, the sources, crawl settings and
 * notification channels, loaded with libyaml. Loading validates every key
 * and value; an error names the file, the line and column, and what is
 * wrong. Secrets never live in this file: the credential-hashing key comes
 * from DRPWATCH_HASH_KEY or a file named here, an SMTP password from a
 * file named here.
 */
#ifndef DRP_CONFIG_H
#define DRP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Caps on what the file may declare. */
#define CONFIG_MAX_FILE (4u << 20)
#define CONFIG_MAX_TERMS 10000
#define CONFIG_MAX_SOURCES 10000
#define CONFIG_MAX_CHANNELS 100
#define CONFIG_MAX_KINDS 32      /* alert kinds a channel lists */
#define CONFIG_MAX_RCPT 50       /* e-mail recipients of a channel */
#define CONFIG_MAX_URL 2048      /* bytes in a channel's URL or address */

/* Source reliability, 0-100: what a source without one gets (Admiralty F,
   "reliability cannot be judged"). */
#define CONFIG_RELIABILITY_DEFAULT 50

struct watch_term {
    char *kind;      /* brand, product, executive, domain, email_domain,
                        ip_range (an address or CIDR range, checked),
                        card_bin, canary */
    char *value;
    char *priority;  /* low, medium, high, critical */
    char *consumers; /* who reads its alerts: brand, security, soc (csv) */
};

/*
 * How pages of a forum, paste or feed source lead to one another. NULL
 * members take the engine's defaults (crawler/adapter.c); XPath 1.0
 * expressions are checked when the configuration is applied.
 */
struct adapter_conf {
    char *engine;      /* forum markup: phpbb, xenforo, vbulletin,
                          discourse; NULL: phpbb's defaults */
    char *boards;      /* index -> board links */
    char *threads;     /* one node per thread row of a board page */
    char *thread_link; /* relative to a row: the thread's link */
    char *marker;      /* relative to a row: what changes on a new post
                          (NULL: the row's whole text) */
    char *next;        /* the next-page link of boards, threads, archives */
    char *pastes;      /* archive -> paste links */
    char *paste_id;    /* PCRE2 with one group: the id in a paste link */
    char *raw;         /* raw-view URL template with {id} */
};

struct source_conf {
    long long id;     /* database id; 0 when read from YAML */
    char *name;
    char *kind;       /* forum, paste, site, feed */
    char *url;        /* seed URL */
    bool tor;         /* always true for .onion seeds */
    bool allow_private; /* may fetch loopback/private addresses */
    int max_depth;    /* link hops from the seed */
    int max_pages;    /* pages per pass */
    int interval;     /* seconds between passes */
    int reliability;  /* 0-100; YAML takes a number or an Admiralty
                         letter (A 100, B 80, C 60, D 40, E 20, F 50) */
    bool enabled;
    bool robots;      /* honour robots.txt (clear web); default true */
    int delay_ms;     /* pause between two requests to one host */
    char *charset;    /* overrides the declared charset, or NULL */
    char *cookie_file;    /* the operator's session cookie (absolute path,
                             readable when loaded), or NULL */
    char *session_marker; /* text of a page whose session expired */
    struct adapter_conf adapter;
};

/*
 * A notification channel (the YAML's notifications list). Which members
 * are set depends on type; the others are NULL. No secret is held here:
 * password_file names the file the SMTP (or HTTP) password is read from
 * at delivery time.
 */
struct notify_channel {
    long long id;        /* database id; 0 when read from YAML */
    char *name;          /* [A-Za-z0-9._-], unique */
    char *type;          /* webhook, email, syslog */
    char **kinds;        /* alert kinds it carries; NULL: every kind */
    size_t nkinds;
    char *min_severity;  /* info, low, medium (default), high, critical */
    bool digest;         /* a daily digest instead of one per alert */
    int digest_at;       /* when the digest goes: minutes after 00:00 UTC */
    int max_attempts;    /* then the notification is dead-lettered */
    int retry_ms;        /* before the first retry; doubles each time */
    int timeout;         /* seconds per delivery attempt */
    char *url;           /* webhook: http(s)://; email: smtp(s):// */
    char *format;        /* webhook: json (default) or chat */
    char *from;          /* email: the sender address */
    char **to;           /* email: recipient addresses */
    size_t nto;
    char *username;      /* email (SMTP AUTH) or webhook (HTTP Basic) */
    char *password_file; /* absolute path, readable when loaded */
    char *address;       /* syslog: udp://HOST:PORT, tcp://HOST:PORT or
                            unix:PATH */
    char *facility;      /* syslog facility: kern ... local7 (default
                            local0) */
};

#define NOTIFY_MAX_ATTEMPTS_DEFAULT 8
#define NOTIFY_RETRY_MS_DEFAULT 60000
#define NOTIFY_TIMEOUT_DEFAULT 10
#define NOTIFY_DIGEST_AT_DEFAULT 480 /* 08:00 UTC */

struct crawl_conf {
    int concurrency;   /* transfers in flight, all sources */
    int timeout;       /* seconds per clear-web transfer */
    int onion_timeout; /* seconds per onion transfer */
    int low_speed_time; /* seconds below 64 bytes/s that end a transfer
                           (twice that through Tor) */
    long max_body;     /* bytes per body after decoding */
    int max_redirects;
    char *user_agent;
};

/* An alert suppression rule: every field that is not NULL must match. */
struct alert_rule {
    char *kind;   /* alert kind */
    char *source; /* source name */
    char *match;  /* fnmatch(3) glob on the case's subject or its URL */
};

struct alerts_conf {
    char **allow;            /* subjects never alerted (lowercase) */
    size_t nallow;
    struct alert_rule *suppress;
    size_t nsuppress;
};

/* Sharing with MISP (alerts/misp.h). */
struct misp_conf {
    char *group;       /* day (default) or alert: one event per ... */
    int distribution;  /* 0-3 (default 0: your organisation only) */
    int threat_level;  /* 1-4 for day events (default 2: medium) */
    int to_ids_min;    /* confidence from which to_ids (default 70) */
    int retries;       /* push: more attempts while MISP is down (5) */
    char *key_file;    /* its API key, one line (absolute path), or NULL */
};

/* RDAP servers for takedown packs (alerts/rdap.h). */
struct rdap_conf {
    char **bootstrap;   /* IANA bootstrap files (dns.json, ipv4.json,
                           ipv6.json): absolute paths, readable when
                           loaded; their content is checked by apply */
    size_t nbootstrap;
    char *domain;       /* one server for every domain (http(s) base URL),
                           or NULL */
    char *ip;           /* one server for every address, or NULL */
    int timeout;        /* seconds per lookup */
    long max_bytes;     /* bytes of one answer */
    bool allow_private; /* may reach loopback/private addresses (a test
                           server); default false */
};

/* Takedown requests and their follow-through. */
struct takedown_conf {
    char *requester;    /* who we are, in the request text, or NULL */
    char *contact;      /* where to answer (an e-mail address), or NULL */
    int recheck;        /* seconds between re-checks of the target */
    int remind_after;   /* seconds a request may stay unanswered before
                           each reminder */
    int unreachable_checks; /* unreachable re-checks in a row that resolve
                               the case */
    char *dns_servers;  /* "IP[:PORT],..." for the pack's DNS lookups, or
                           NULL: the system's (/etc/resolv.conf) */
};

#define CONFIG_MAX_BOOTSTRAP 8 /* bootstrap files */
/*
 * The lookalike watch (the YAML's lookalikes section): every owned domain
 * (watch terms of kind domain) gets its candidates made, checked by DNS,
 * and the registered ones fetched and scored, every interval seconds.
 * Off without the section. The fuzzer list and the servers are checked
 * by `apply` (crawler/permute.h, crawler/resolve.h).
 */
struct lookalike_conf {
    bool enabled;      /* the section is present */
    int interval;      /* seconds between passes of one domain (86400) */
    int retry;         /* seconds before names DNS left unknown are checked
                          again, when sooner than interval (3600) */
    char *fuzzers;     /* comma-separated fuzzer names; NULL: all */
    char *servers;     /* resolvers "IP[:PORT],..."; NULL: the system's */
    int rate;          /* DNS queries per second; 0: no limit */
    int max_inflight;  /* DNS queries in flight; 0: the resolver's */
    int timeout_ms;    /* per DNS try; 0: the resolver's */
    int tries;         /* per DNS query; 0: the resolver's */
    bool fetch;        /* fetch the registered candidates' pages (true) */
    int http_port;     /* fetch http://NAME:PORT/ (0: http://NAME/), and
                          the official site the same way: for tests and
                          operators whose pages are on another port */
    bool allow_private; /* the pages may be on loopback or private
                           addresses (SSRF guard off: tests only) */
};

#define LOOKALIKE_INTERVAL_DEFAULT 86400
#define LOOKALIKE_RETRY_DEFAULT 3600

/*
 * The TAXII 2.1 server (drpwatch serve, alerts/taxii.h). No secret is held
 * here: a user's password or bearer token is read from the file named
 * when the server starts.
 */
struct taxii_user {
    char *name;          /* [A-Za-z0-9._-], unique */
    char *password_file; /* HTTP Basic: the password, one line */
    char *token_file;    /* Bearer: the token, one line */
};

/* A collection: the shareable findings of the TLP levels and watch terms
   it names (NULL: any), readable by the users it names (NULL: all). */
struct taxii_collection_conf {
    char *alias;         /* [a-z0-9-], unique; the id is a UUIDv5 of it */
    char *title;
    char *description;
    char **tlp;          /* clear, green, amber, red */
    size_t ntlp;
    char **watch;        /* watch-term values */
    size_t nwatch;
    char **readers;      /* user names */
    size_t nreaders;
};

#define TAXII_MAX_USERS 100
#define TAXII_MAX_COLLECTIONS 100
#define TAXII_MAX_PAGE 1000         /* objects a page may hold at most */
#define TAXII_PAGE_DEFAULT 100
#define TAXII_CONNECTIONS_DEFAULT 512

struct taxii_conf {
    char *listen;        /* ADDR:PORT (default 127.0.0.1:9443) */
    char *title;
    char *url;           /* the public base URL (https://host:port), or
                            NULL: from the request's Host */
    char *tls_cert;      /* PEM files (absolute paths), or NULL: plain */
    char *tls_key;
    int max_page;        /* 1-TAXII_MAX_PAGE (default 1000) */
    int max_connections; /* at once (default 512) */
    struct taxii_user *users;
    size_t nusers;
    struct taxii_collection_conf *collections; /* none: one per TLP */
    size_t ncollections;
};

struct config {
    char *path;
    char *tor_proxy;     /* socks5h://host:port, or NULL (fail closed) */
    char *tor_control;   /* Tor's control port host:port, or NULL */
    char *tor_control_password_file; /* absolute path, or NULL */
    int tor_newnym_after; /* failures through Tor in a row that ask the
                             control port for new circuits (NEWNYM) */
    char *hash_key_file; /* NULL: DRPWATCH_HASH_KEY or the data dir's key */
    char *benign_file;   /* the operator's known-benign list, or NULL; a
                            relative path is made absolute against the
                            YAML file's directory (readable when loaded) */
    struct crawl_conf crawl;
    struct watch_term *terms;
    size_t nterms;
    struct source_conf *sources;
    size_t nsources;
    struct alerts_conf alerts;
    struct misp_conf misp;
    struct lookalike_conf lookalikes;
    struct taxii_conf taxii;
    struct notify_channel *channels;
    size_t nchannels;
    struct rdap_conf rdap;
    struct takedown_conf takedown;
};

/* Fills cfg with the defaults (no terms, no sources). */
void config_init(struct config *cfg);
/*
 * Loads and validates path into cfg (which must be config_init()ed).
 * Returns 0, or DRP_ECONFIG/DRP_EIO/DRP_ETOOBIG with a message in err of the
 * form "FILE:LINE:COL: what is wrong". cfg is left releasable either way.
 */
int config_load(struct config *cfg, const char *path, struct buf *err);
void config_release(struct config *cfg);

/*
 * Reads the whole file at path into out (whose cap bounds it: DRP_ETOOBIG
 * past it); DRP_EIO otherwise. err gets "PATH: what is wrong".
 */
int config_read_file(const char *path, struct buf *out, struct buf *err);

/* Whether kind is one of the known watch-term / source kinds. */
bool config_watch_kind_valid(const char *kind);
bool config_source_kind_valid(const char *kind);
bool config_engine_valid(const char *engine);
bool config_alert_kind_valid(const char *kind);

/* Frees what a source_conf owns (not the struct). */
void config_source_release(struct source_conf *s);

/* A channel with the defaults (medium, immediate, 8 attempts, ...). */
void config_channel_init(struct notify_channel *ch);
/* Frees what a notify_channel owns (not the struct). */
void config_channel_release(struct notify_channel *ch);

/* Frees what a taxii_conf owns and zeroes it (the defaults back). */
void config_taxii_release(struct taxii_conf *t);

/* Whether s is a severity word (info, low, medium, high, critical). */
bool config_severity_valid(const char *s);
/* The syslog facility code (0-23) of a name, or -1. */
int config_facility_code(const char *name);

#endif

/*
 * A read-only TAXII 2.1 server (libmicrohttpd): discovery, one API root
 * (/drpwatch/), its collections, their objects (with added_after, limit,
 * next and match[type|id|version|spec_version]), manifests, single objects
 * and their versions, in the TAXII media type, with the specification's
 * error bodies. Clients authenticate with HTTP Basic or a bearer token
 * (secrets read from files at start, compared in constant time); TLS when
 * a certificate is configured.
 *
 * The server holds no data: a collection's objects are built from rows
 * the caller's taxii_rows_fn returns (storage/store.h: store_taxii_rows),
 * in date_added order, with alerts/stix.c. Each object's date_added is the
 * time its group (a finding, a source) last changed; `next` is a cursor
 * into that order, so paging never skips or repeats an object.
 */
#ifndef DRP_TAXII_H
#define DRP_TAXII_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"

/* The media types the server speaks. */
#define TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"
#define STIX_MEDIA_TYPE "application/stix+json;version=2.1"
#define TAXII_API_ROOT "/drpwatch/"

/* Caps on a request: its path, its query, its parameters. */
#define TAXII_MAX_URL 2048
#define TAXII_MAX_QUERY 8192
#define TAXII_MAX_PARAMS 32
#define TAXII_MAX_MATCH 100 /* values in one match[...] list */

/* Where a row sorts: (added_us, group, id); group 0 is the shared
   objects, 1 a source's identity, 2 a finding's objects. */
struct taxii_key {
    long long added_us;
    int group;
    long long id;
};

/*
 * The rows of collection c after key (exclusive), at most n, in key order,
 * as a JSON array the server json_decref()s: each with g, id, added_us, and
 * for a source its name, for a finding the members store_export_findings()
 * gives. With ids (nids of them, not NULL), only the rows whose objects
 * may hold one of those STIX ids (more rows are harmless: the server
 * filters objects by id). NULL with a message in err when the data is
 * unavailable (the client gets 503). Called from several threads at once.
 */
typedef json_t *taxii_rows_fn(void *arg, const struct taxii_collection_conf *c,
                              const struct taxii_key *after, int n,
                              const char *const *ids, size_t nids,
                              struct buf *err);

struct taxii_server;

/*
 * Starts serving conf (borrowed until taxii_stop) on conf->listen (or
 * listen, when not NULL) with threads worker threads: reads the users'
 * secrets and the TLS files, binds and listens. NULL with the reason in
 * err (no users, an unreadable secret, TLS unsupported, the address in
 * use, ...).
 */
struct taxii_server *taxii_start(const struct taxii_conf *conf,
                                 const char *listen, int threads,
                                 taxii_rows_fn *rows, void *rows_arg,
                                 struct buf *err);

/* The port it listens on (the kernel's choice when asked for port 0). */
int taxii_port(const struct taxii_server *s);

/* The collections it serves: conf's, or one per TLP level. */
size_t taxii_ncollections(const struct taxii_server *s);

/* Stops (in-flight responses end) and frees; NULL is a no-op. */
void taxii_stop(struct taxii_server *s);

/*
 * What the server checks of a request, for tests and fuzzing:
 * taxii_query_check: n query parameters (keys and values, a NULL value for
 * a key without '='), as libmicrohttpd hands them over: NULL when the
 * server takes them, else the description of the 400 it answers.
 * taxii_accept_ok: whether an Accept header (NULL: none) admits the TAXII
 * 2.1 media type.
 */
const char *taxii_query_check(const char *const *keys,
                              const char *const *values, size_t n);
bool taxii_accept_ok(const char *accept);

#endif

/*
 * RDAP (RFC 9082, 9083, 9224) for takedown requests: which server to ask
 * about a domain or an address (IANA's bootstrap files, or one server
 * named in drpwatch.yaml), and what its JSON answer says: the registrar
 * and its abuse contact, the network holding an address and its abuse
 * contact. Pure: parses text, builds URLs; the caller fetches them (the
 * crawler's fetcher) and hands the answer back.
 */
#ifndef DRP_RDAP_H
#define DRP_RDAP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"

#define RDAP_MAX_BOOTSTRAP (4u << 20) /* bytes of one bootstrap file */
#define RDAP_MAX_SERVICES 100000      /* entries of all bootstrap files */
#define RDAP_MAX_URL 2048             /* bytes of a server's base URL */
#define RDAP_MAX_ANSWER (1L << 20)    /* bytes of an answer, by default
                                         (rdap.max_bytes) */
#define RDAP_MAX_FIELD 512            /* bytes of one value kept */
#define RDAP_MAX_ENTITIES 256         /* entities read in one answer */
#define RDAP_MAX_DEPTH 4              /* entity nesting read */
#define RDAP_MAX_LIST 16              /* statuses, name servers kept */

/* The media type of RDAP answers, and what the fetcher may download. */
#define RDAP_ACCEPT "application/rdap+json, application/json;q=0.9"
extern const char *const rdap_types[];

struct rdap_bootstrap;

struct rdap_bootstrap *rdap_bootstrap_new(void);
void rdap_bootstrap_free(struct rdap_bootstrap *b);

/*
 * Adds the services of one IANA bootstrap file (dns.json, ipv4.json,
 * ipv6.json; asn.json entries are skipped) of len bytes, named name in
 * messages. Each service's https URL is preferred to its http one.
 * Returns 0, or DRP_EINVAL ("NAME: not an RDAP bootstrap file: ...") or
 * DRP_ETOOBIG (past RDAP_MAX_BOOTSTRAP or RDAP_MAX_SERVICES) with the
 * reason in err; entries already added stay.
 */
int rdap_bootstrap_add(struct rdap_bootstrap *b, const char *name,
                       const char *text, size_t len, struct buf *err);

/* Domain, IPv4 and IPv6 entries added. */
size_t rdap_bootstrap_count(const struct rdap_bootstrap *b);

/*
 * The URL to ask about a domain (ip false: "BASE/domain/NAME") or an
 * address (ip true: "BASE/ip/ADDR"). BASE is override when not NULL (one
 * server for all), else the bootstrap's server for the longest matching
 * domain suffix or address prefix. name is a domain in A-labels or an
 * IPv4/IPv6 address. Returns a new string, or NULL with the reason in
 * err: "no RDAP server for .xyz in the bootstrap", "no RDAP server
 * configured", "not a domain name", ...
 */
char *rdap_lookup_url(const struct rdap_bootstrap *b, const char *override,
                      bool ip, const char *name, struct buf *err);

/*
 * The registrable domain of host (libpsl: "shop.example.co.uk" ->
 * "example.co.uk"), lowercased; NULL for an address, an onion name or a
 * name that has none. Caller frees.
 */
char *rdap_registrable(const char *host);

/*
 * What a domain answer says, as a new JSON object (caller json_decref()s):
 *   name, handle, status (array), registered, expires, last_changed,
 *   nameservers (array), registrar {name, iana_id, handle, email, phone,
 *   url}, abuse {name, email, phone} (the registrar's abuse contact, else
 *   the domain's), warnings (array: values left out and why).
 * Members that the answer lacks are absent. NULL with the reason in err
 * when the text is not JSON, not an RDAP object, an RDAP error
 * ("RDAP error 404: Not Found"), or not a domain.
 */
json_t *rdap_parse_domain(const char *text, size_t len, struct buf *err);

/*
 * What an IP network answer says: handle, name, start, end, cidr,
 * country, type, parent, registrant {name}, abuse {name, email, phone}
 * (the nearest entity with the abuse role), warnings. As
 * rdap_parse_domain() otherwise.
 */
json_t *rdap_parse_ip(const char *text, size_t len, struct buf *err);

/*
 * The message of an RDAP error answer ("RDAP error 404: Not Found: ..."),
 * or NULL when text is not one. Caller frees.
 */
char *rdap_error_message(const char *text, size_t len);

#endif

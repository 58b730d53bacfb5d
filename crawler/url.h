/*
 * URL handling on curl's URL API: resolving links, normalising, scoping a
 * crawl to its source, telling onion hosts apart. No hand-written parsing.
 */
#ifndef DRP_URL_H
#define DRP_URL_H

#include <stdbool.h>

#include "common/urlnorm.h"

#define URL_MAX URLNORM_MAX /* longer URLs are refused */

/*
 * Resolves href against base and normalises it (url_normalise() in
 * common/urlnorm.h: lowercase scheme and host, IDN host in A-labels, no
 * default port, no fragment, no user name or password; blanks and bytes
 * >= 0x80 percent-encoded). Returns a new string, or NULL when href is
 * not an http(s) URL or is malformed or too long.
 */
char *url_resolve(const char *base, const char *href);

/* The lowercased host of url, or NULL. Caller frees. */
char *url_host(const char *url);

/* Whether url's host is a .onion name. */
bool url_is_onion(const char *url);

/*
 * The origin of url, "scheme://host:port" (scheme and host lowercased,
 * the port always written), or NULL when url is malformed. Caller frees.
 */
char *url_origin(const char *url);

/* The path and query of url ("/a?b=1"; "/" when empty), or NULL. */
char *url_path_query(const char *url);

/* Whether url has the same scheme, host and port as seed. */
bool url_same_site(const char *seed, const char *url);

#endif

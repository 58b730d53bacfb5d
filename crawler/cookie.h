/*
 * The operator's session cookie for a login-only source: read from the
 * file the source names (cookie_file), in Netscape cookies.txt format as
 * curl and browser extensions write it (parsed by libcurl's cookie engine)
 * or as one plain "name=value; name2=value2" line. drpwatch never logs in
 * by itself; the cookie is never logged, stored or put in an error.
 */
#ifndef DRP_COOKIE_H
#define DRP_COOKIE_H

#include "common/buf.h"

#define COOKIE_MAX_FILE (1u << 20)  /* bytes of the cookie file */
#define COOKIE_MAX_HEADER 8192      /* bytes of the Cookie header */

/*
 * Reads path and builds the value of a Cookie header for url's host:
 * from a cookies.txt file the cookies whose domain is that host (or, with
 * the domain flag, a parent of it), not expired, and not marked secure
 * when url is not https; a plain line as it is. *header is new (caller
 * frees, best wiped). Returns 0, or DRP_EIO / DRP_ETOOBIG / DRP_EINVAL /
 * DRP_ENOTFOUND with "PATH: what is wrong and what to do" in err (never a
 * cookie value).
 */
int cookie_load(const char *path, const char *url, char **header,
                struct buf *err);

#endif

/*
 * Talking to Tor itself: whether its SOCKS5 proxy answers (a TCP
 * connection and a SOCKS5 greeting, RFC 1928, no authentication offered;
 * no request goes through it), and NEWNYM through its control port.
 */
#ifndef DRP_TOR_H
#define DRP_TOR_H

#include "common/buf.h"

/*
 * Checks proxy ("socks5h://host:port") within timeout_ms. Returns 0 when
 * it answered as a SOCKS5 server, DRP_EINVAL for a malformed proxy URL,
 * DRP_EPROXY otherwise; err says why.
 */
int tor_proxy_check(const char *proxy, int timeout_ms, struct buf *err);

#define TOR_MAX_PASSWORD 1024 /* bytes of a control-port password file */

/*
 * Asks Tor for new circuits: connects to its control port ("host:port"),
 * authenticates (with the one-line password in password_file, or none),
 * sends SIGNAL NEWNYM, all within timeout_ms. Returns 0, DRP_EINVAL (bad
 * address or password file), DRP_EIO/DRP_ETOOBIG (file unreadable, too
 * long) or DRP_EPROXY; err says why, never with the password.
 */
int tor_newnym(const char *control, const char *password_file,
               int timeout_ms, struct buf *err);

#endif

/*
 * Whether the Tor SOCKS5 proxy answers: a TCP connection and a SOCKS5
 * greeting (RFC 1928: no authentication offered), nothing more; no
 * request goes through it.
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

#endif

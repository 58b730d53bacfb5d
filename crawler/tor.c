/*
 * The Tor proxy health check for `drpwatch status`: connect, SOCKS5
 * greeting, method reply, all bounded by one deadline. The proxy's own
 * address is resolved locally (it is ours); nothing is sent through it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/err.h"
#include "crawler/polite.h"
#include "crawler/tor.h"
#include "common/banned.h"

/* Waits for events on fd until deadline; 0, or -1 on timeout or error. */
static int
wait_fd(int fd, short events, long long deadline)
{
    struct pollfd p = { fd, events, 0 };
    long long left = deadline - polite_now_ms();
    int n;

    if (left <= 0)
        return -1;
    do
        n = poll(&p, 1, (int)left);
    while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

static int
greet(int fd, long long deadline, struct buf *err)
{
    static const unsigned char hello[3] = { 5, 1, 0 };
    unsigned char reply[2];
    size_t got = 0;
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    if (wait_fd(fd, POLLOUT, deadline) < 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr) {
        buf_addf(err, "cannot connect: %s",
                 soerr ? strerror(soerr) : "timed out");
        return DRP_EPROXY;
    }
    if (send(fd, hello, sizeof(hello), MSG_NOSIGNAL) != sizeof(hello)) {
        buf_addf(err, "cannot send the SOCKS5 greeting: %s",
                 strerror(errno));
        return DRP_EPROXY;
    }
    while (got < sizeof(reply)) {
        ssize_t n;

        if (wait_fd(fd, POLLIN, deadline) < 0) {
            buf_adds(err, "no SOCKS5 answer in time");
            return DRP_EPROXY;
        }
        n = recv(fd, reply + got, sizeof(reply) - got, 0);
        if (n <= 0) {
            buf_adds(err, "connection closed before a SOCKS5 answer");
            return DRP_EPROXY;
        }
        got += (size_t)n;
    }
    if (reply[0] != 5 || reply[1] == 0xff) {
        buf_addf(err, "not a usable SOCKS5 answer (%02x %02x)", reply[0],
                 reply[1]);
        return DRP_EPROXY;
    }
    return 0;
}

int
tor_proxy_check(const char *proxy, int timeout_ms, struct buf *err)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL;
    struct addrinfo hints = { 0 }, *ai = NULL, *a;
    long long deadline = polite_now_ms() + timeout_ms;
    int rc = DRP_EPROXY, gai;

    if (curl_url_set(u, CURLUPART_URL, proxy, CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        buf_addf(err, "'%s' is not a proxy URL (socks5h://host:port)",
                 proxy);
        rc = DRP_EINVAL;
        goto out;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        port = NULL; /* SOCKS's own: 1080 */
    hints.ai_socktype = SOCK_STREAM;
    /* curl keeps the brackets of an IPv6 literal. */
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    gai = getaddrinfo(host, port ? port : "1080", &hints, &ai);
    if (gai != 0) {
        buf_addf(err, "cannot resolve '%s': %s", host, gai_strerror(gai));
        goto out;
    }
    for (a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK |
                                          SOCK_CLOEXEC, a->ai_protocol);

        if (fd < 0)
            continue;
        buf_reset(err);
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 &&
            errno != EINPROGRESS) {
            buf_addf(err, "cannot connect: %s", strerror(errno));
            close(fd);
            continue;
        }
        rc = greet(fd, deadline, err);
        close(fd);
        if (rc == 0)
            break;
    }
out:
    if (ai)
        freeaddrinfo(ai);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

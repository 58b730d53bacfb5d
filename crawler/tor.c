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

#include "common/config.h"
#include "common/err.h"
#include "common/xalloc.h"
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

/*
 * Connects to host:port (resolved locally: the proxy and the control port
 * are ours) and runs talk on the connected socket, address after address
 * until one succeeds. Returns talk's result, or DRP_EPROXY.
 */
static int
dial(char *host, const char *port, long long deadline,
     int (*talk)(int, long long, void *, struct buf *), void *arg,
     struct buf *err)
{
    struct addrinfo hints = { 0 }, *ai = NULL, *a;
    int rc = DRP_EPROXY, gai;

    hints.ai_socktype = SOCK_STREAM;
    /* curl keeps the brackets of an IPv6 literal. */
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0) {
        buf_addf(err, "cannot resolve '%s': %s", host, gai_strerror(gai));
        return DRP_EPROXY;
    }
    for (a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK |
                                          SOCK_CLOEXEC, a->ai_protocol);
        int soerr = 0;
        socklen_t len = sizeof(soerr);

        if (fd < 0)
            continue;
        buf_reset(err);
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 &&
            errno != EINPROGRESS) {
            buf_addf(err, "cannot connect: %s", strerror(errno));
            close(fd);
            continue;
        }
        if (wait_fd(fd, POLLOUT, deadline) < 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
            soerr) {
            buf_addf(err, "cannot connect: %s",
                     soerr ? strerror(soerr) : "timed out");
            close(fd);
            continue;
        }
        rc = talk(fd, deadline, arg, err);
        close(fd);
        if (rc == 0)
            break;
    }
    freeaddrinfo(ai);
    return rc;
}

static int
greet_talk(int fd, long long deadline, void *arg, struct buf *err)
{
    (void)arg;
    return greet(fd, deadline, err);
}

/* host and port of "scheme://host:port" or "host:port" (curl frees). */
static int
split(const char *addr, char **host, char **port, struct buf *err)
{
    CURLU *u = curl_url();
    char *url = strstr(addr, "://") ? xstrdup(addr)
                                     : xasprintf("tcp://%s", addr);
    int rc = 0;

    *host = *port = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK) {
        buf_addf(err, "'%s' is not host:port", addr);
        rc = DRP_EINVAL;
    } else if (curl_url_get(u, CURLUPART_PORT, port, 0) != CURLUE_OK) {
        *port = NULL;
    }
    free(url);
    curl_url_cleanup(u);
    return rc;
}

int
tor_proxy_check(const char *proxy, int timeout_ms, struct buf *err)
{
    char *host = NULL, *port = NULL;
    int rc = split(proxy, &host, &port, err);

    if (rc == 0)
        rc = dial(host, port ? port : "1080", /* SOCKS's own */
                  polite_now_ms() + timeout_ms, greet_talk, NULL, err);
    curl_free(host);
    curl_free(port);
    return rc;
}

/* Sends line, then reads one reply line; 0 when it starts with "250". */
static int
command(int fd, long long deadline, const char *line, const char *what,
        struct buf *err)
{
    char reply[256];
    size_t got = 0, n = strlen(line);

    if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n) {
        buf_addf(err, "cannot send %s: %s", what, strerror(errno));
        return DRP_EPROXY;
    }
    while (got < sizeof(reply) - 1 && memchr(reply, '\n', got) == NULL) {
        ssize_t k;

        if (wait_fd(fd, POLLIN, deadline) < 0) {
            buf_addf(err, "no answer to %s in time", what);
            return DRP_EPROXY;
        }
        k = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
        if (k <= 0) {
            buf_addf(err, "connection closed before the answer to %s",
                     what);
            return DRP_EPROXY;
        }
        got += (size_t)k;
    }
    reply[got] = '\0';
    reply[strcspn(reply, "\r\n")] = '\0';
    if (strncmp(reply, "250", 3) != 0) {
        buf_addf(err, "%s refused: %.100s", what, reply);
        return DRP_EPROXY;
    }
    return 0;
}

static int
newnym_talk(int fd, long long deadline, void *arg, struct buf *err)
{
    const char *password = arg;
    struct buf auth = BUF_INIT(2 * TOR_MAX_PASSWORD + 32);
    const char *p;
    int rc;

    /* AUTHENTICATE "secret" (a QuotedString: \ and " escaped), or
       AUTHENTICATE alone for a control port without a password. */
    buf_adds(&auth, "AUTHENTICATE");
    if (password) {
        buf_adds(&auth, " \"");
        for (p = password; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_addc(&auth, '\\');
            buf_addc(&auth, *p);
        }
        buf_addc(&auth, '"');
    }
    buf_adds(&auth, "\r\n");
    rc = command(fd, deadline, buf_str(&auth), "AUTHENTICATE", err);
    if (auth.ptr)
        explicit_bzero(auth.ptr, auth.len);
    buf_release(&auth);
    if (rc == 0)
        rc = command(fd, deadline, "SIGNAL NEWNYM\r\n", "SIGNAL NEWNYM",
                     err);
    if (rc == 0)
        (void)command(fd, deadline, "QUIT\r\n", "QUIT", err);
    return rc;
}

int
tor_newnym(const char *control, const char *password_file, int timeout_ms,
           struct buf *err)
{
    struct buf pw = BUF_INIT(TOR_MAX_PASSWORD + 1);
    char *host = NULL, *port = NULL;
    int rc = 0;

    if (password_file) {
        rc = config_read_file(password_file, &pw, err);
        while (rc == 0 && pw.len &&
               (pw.ptr[pw.len - 1] == '\n' || pw.ptr[pw.len - 1] == '\r'))
            pw.ptr[--pw.len] = '\0';
        if (rc == 0 && (pw.len == 0 || memchr(pw.ptr, '\0', pw.len) ||
                        memchr(pw.ptr, '\n', pw.len))) {
            buf_addf(err, "%s: the control password must be one line",
                     password_file);
            rc = DRP_EINVAL;
        }
    }
    if (rc == 0)
        rc = split(control, &host, &port, err);
    if (rc == 0 && port == NULL) {
        buf_addf(err, "'%s' has no port", control);
        rc = DRP_EINVAL;
    }
    if (rc == 0)
        rc = dial(host, port, polite_now_ms() + timeout_ms, newnym_talk,
                  password_file ? (void *)pw.ptr : NULL, err);
    if (pw.ptr)
        explicit_bzero(pw.ptr, pw.cap);
    buf_release(&pw);
    curl_free(host);
    curl_free(port);
    return rc;
}

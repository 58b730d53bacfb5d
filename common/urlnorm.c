/*
 * URL normal forms through curl's URL API (CURLU): curl parses, resolves
 * and prints; this file picks the parts a normal form keeps. IDN hosts go
 * through common/idn.c rather than CURLU_PUNYCODE, which libcurl 7.88
 * (Debian 12) honours only under a UTF-8 locale (curl issue #10984).
 * Pure: nothing here resolves names or opens sockets.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/idn.h"
#include "common/urlnorm.h"
#include "common/xalloc.h"
#include "common/banned.h"

static char *
get(CURLU *u, CURLUPart what, unsigned flags)
{
    char *v = NULL, *copy;

    if (curl_url_get(u, what, &v, flags) != CURLUE_OK || v == NULL)
        return NULL;
    copy = xstrdup(v);
    curl_free(v);
    return copy;
}

static bool
scheme_ok(const char *scheme, unsigned flags)
{
    return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
           ((flags & URLNORM_FTP) && strcmp(scheme, "ftp") == 0);
}

/*
 * Whether host (lowercase ASCII) is a name of letters, digits, hyphens
 * and underscores in non-empty labels, or an IPv6 literal: curl passes
 * "%25zz.com" and ".com".
 */
static bool
host_ok(const char *host)
{
    const char *p;

    if (host[0] == '[')
        return true;
    for (p = host; *p != '\0'; p++) {
        if (*p == '.' && (p == host || p[-1] == '.'))
            return false; /* an empty label */
        if (*p != '.' && *p != '-' && *p != '_' && !(*p >= 'a' && *p <= 'z') &&
            !(*p >= '0' && *p <= '9'))
            return false;
    }
    return p != host;
}

/* The host in its normal form (lowercase, A-labels), or NULL. */
static char *
normal_host(const char *host)
{
    size_t n = strlen(host), i;
    char *h, *a;

    if (n == 0)
        return NULL;
    if (host[0] == '[' || !idn_applies(host, n)) {
        h = xstrdup(host);
        for (i = 0; i < n; i++)
            if (h[i] >= 'A' && h[i] <= 'Z')
                h[i] = (char)(h[i] - 'A' + 'a');
        if (!host_ok(h)) {
            x_free(h);
            return NULL;
        }
        return h;
    }
    /* An IDN host: at least two labels (no IDN top-level domain is a
       host), a trailing dot (a rooted name) kept. */
    if (host[n - 1] == '.')
        n--;
    a = idn_to_ascii(host, n, NULL);
    if (a == NULL || strchr(a, '.') == NULL) {
        x_free(a);
        return NULL;
    }
    if (n == strlen(host))
        return a;
    h = xasprintf("%s.", a);
    x_free(a);
    return h;
}

/*
 * Bytes a path, query or fragment may hold in the fast path: those that
 * curl's URL API hands back as they came (tests/unit/test_url.c checks
 * each against curl, so a libcurl that changes its mind fails there):
 * letters, digits and ! # $ % & ' ( ) * + , - . / : ; = ? @ _ ~. A
 * bitmap, one bit a byte (a switch cost a dozen instructions a byte of
 * every URL); plain_map is the same without '/', '?' and '#', the bytes
 * normal_prefix() looks at.
 */
static const uint64_t keeps_map[4] = { 0xaffffffa00000000ull,
                                       0x47fffffe87ffffffull, 0, 0 };
static const uint64_t plain_map[4] = { 0x2fff7ff200000000ull,
                                       0x47fffffe87ffffffull, 0, 0 };

/* Lowercase letters, digits and '-': the bytes of a host's labels. */
static const uint64_t ldh_map[4] = { 0x03ff200000000000ull,
                                     0x07fffffe00000000ull, 0, 0 };

static inline bool
in_map(const uint64_t map[4], unsigned char c)
{
    return (map[c >> 6] >> (c & 63)) & 1;
}

static bool
keeps(unsigned char c)
{
    return in_map(keeps_map, c);
}

/*
 * The length of the decimal number at p, when it is one as written in a
 * normal form (no leading zero but "0", at most max), else 0.
 */
static size_t
plain_number(const char *p, unsigned long max)
{
    unsigned long v = 0;
    size_t n = 0;

    while (p[n] >= '0' && p[n] <= '9' && n < 6)
        v = v * 10 + (unsigned long)(p[n++] - '0');
    if (n == 0 || n == 6 || v > max || (p[0] == '0' && n > 1))
        return 0;
    return n;
}

/* Whether host[0..n) is an IPv4 address in dotted decimal, as curl
   prints one. */
static bool
plain_ipv4(const char *host, size_t n)
{
    size_t i = 0, k, part;

    for (part = 0; part < 4; part++) {
        k = plain_number(host + i, 255);
        if (k == 0 || k > 3)
            return false;
        i += k;
        if (part < 3 && (i >= n || host[i] != '.'))
            return false;
        if (part < 3)
            i++;
    }
    return i == n;
}

/*
 * Whether host[0..n) is "[...]" holding an IPv6 address as inet_ntop()
 * writes it (lowercase, shortest; no zone id): curl rewrites an address
 * only into its own shorter text, and none is shorter.
 */
static bool
plain_ipv6(const char *host, size_t n)
{
    char in[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN];
    unsigned char a[16];
    size_t i;

    if (n < 4 || n - 2 >= sizeof(in) || host[0] != '[' || host[n - 1] != ']')
        return false;
    for (i = 1; i + 1 < n; i++)
        if (!(host[i] >= '0' && host[i] <= '9') &&
            !(host[i] >= 'a' && host[i] <= 'f') && host[i] != ':')
            return false;
    memcpy(in, host + 1, n - 2);
    in[n - 2] = '\0';
    return inet_pton(AF_INET6, in, a) == 1 &&
           inet_ntop(AF_INET6, a, out, sizeof(out)) != NULL &&
           strcmp(in, out) == 0;
}

/*
 * The length of url's "scheme://host[:port]" when url is in the normal
 * form url_normalise() would give it, else 0:
 * "http://", "https://" or (URLNORM_FTP) "ftp://"; a host of lowercase
 * LDH labels, none empty, none an A-label ("xn--"), the last starting
 * with a letter (so no number curl reads as an IPv4 address, "0x7f.1"),
 * or an IPv4 address in dotted decimal; a port only when it is not the
 * scheme's and written plainly (1-65535); then a path ('/': no user
 * info) of bytes keeps()
 * holds and no "." or ".." segment; a query and a fragment not empty;
 * a fragment only with URLNORM_FRAGMENT.
 * With drop not NULL, two forms more that are one cut away from it: a
 * host that plain_ipv6() takes, and the scheme's own port, whose ':'
 * goes into *drop (else 0) for the caller to cut up to the path.
 */
static size_t
normal_prefix_drop(const char *url, unsigned flags, size_t *drop)
{
    const char *p = url, *label, *host, *port, *path;
    bool query = false, fragment = false;
    size_t k;

    if (drop != NULL)
        *drop = 0;

    if (strncmp(p, "http://", 7) == 0) {
        p += 7;
        port = "80";
    } else if (strncmp(p, "https://", 8) == 0) {
        p += 8;
        port = "443";
    } else if ((flags & URLNORM_FTP) && strncmp(p, "ftp://", 6) == 0) {
        p += 6;
        port = "21";
    } else {
        return 0;
    }
    host = p;
    if (*p == '[' && drop != NULL) {
        while (*p != '\0' && *p != ']')
            p++;
        if (*p != ']' || !plain_ipv6(host, (size_t)(p + 1 - host)))
            return 0;
        p++;
        goto after_host;
    }
    for (;;) { /* one label: lowercase letters, digits, inner hyphens */
        label = p;
        if (p[0] == 'x' && p[1] == 'n' && p[2] == '-' && p[3] == '-')
            return 0;
        if (*p == '-')
            return 0;
        while (in_map(ldh_map, (unsigned char)*p))
            p++;
        if (p == label || p[-1] == '-')
            return 0;
        if (*p != '.')
            break;
        p++;
    }
    if (!(*label >= 'a' && *label <= 'z') &&
        !plain_ipv4(host, (size_t)(p - host)))
        return 0;
after_host:
    if (*p == ':') {
        k = plain_number(p + 1, 65535);
        if (k == 0 || p[1] == '0')
            return 0;
        if (strncmp(p + 1, port, k) == 0 && port[k] == '\0') {
            if (drop == NULL)
                return 0; /* curl drops the scheme's port */
            *drop = (size_t)(p - url);
        }
        p += 1 + k;
    }
    if (*p != '/')
        return 0;
    path = p;
    for (; *p != '\0'; p++) {
        if (in_map(plain_map, (unsigned char)*p))
            continue; /* most bytes: one bit test */
        if (!keeps((unsigned char)*p))
            return 0;
        if (*p == '#') {
            if (fragment || !(flags & URLNORM_FRAGMENT) || p[1] == '\0')
                return 0;
            fragment = true;
        } else if (*p == '?' && !query && !fragment) {
            if (p[1] == '\0' || p[1] == '#')
                return 0;
            query = true;
        } else if (*p == '/' && p[1] == '.' && !query && !fragment) {
            return 0; /* a dot segment, or a name starting '.' */
        }
    }
    return (size_t)(p - url) < URLNORM_MAX ? (size_t)(path - url) : 0;
}

static size_t
normal_prefix(const char *url, unsigned flags)
{
    return normal_prefix_drop(url, flags, NULL);
}

/* url in its normal form without a parse, or NULL (ask curl): as it is,
   or with the scheme's port cut. */
static char *
normal_copy(const char *url, unsigned flags)
{
    size_t drop, path = normal_prefix_drop(url, flags, &drop), len;
    char *out;

    if (path == 0)
        return NULL;
    if (drop == 0)
        return xstrdup(url);
    len = strlen(url);
    out = xmalloc(len - (path - drop) + 1);
    memcpy(out, url, drop);
    memcpy(out + drop, url + path, len - path + 1);
    return out;
}

size_t
urlnorm_authority(const char *url, unsigned flags)
{
    return normal_prefix(url, flags);
}

/*
 * The fast path of a link from a base in normal form: an absolute URL in
 * normal form as it is (curl sets it over the base), an absolute path
 * ("/a/b?c", not "//host") after the base's "scheme://host[:port]" when
 * that is in normal form too (curl resolves it so and prints it as it
 * is); else NULL (ask curl).
 */
static char *
resolve_fast(const char *base, const char *url, unsigned flags)
{
    size_t n = normal_prefix(base, flags), m;
    char *out;

    if (n == 0)
        return NULL;
    if (url[0] != '/')
        return normal_prefix(url, flags) > 0 ? xstrdup(url) : NULL;
    m = strlen(url);
    if (url[1] == '/' || m >= URLNORM_MAX - n)
        return NULL;
    out = xmalloc(n + m + 1);
    memcpy(out, base, n);
    memcpy(out + n, url, m + 1);
    if (normal_prefix(out, flags) == 0) {
        x_free(out);
        return NULL;
    }
    return out;
}

char *
url_normalise(const char *base, const char *url, unsigned flags)
{
    unsigned set = CURLU_NON_SUPPORT_SCHEME;
    CURLU *u;
    char *scheme = NULL, *host = NULL, *norm = NULL, *out = NULL;

    if (!(flags & URLNORM_CURL)) {
        if (base != NULL)
            out = resolve_fast(base, url, flags);
        else
            out = normal_copy(url, flags);
        if (out != NULL)
            return out;
    }
    u = curl_url();
    if (flags & URLNORM_ENCODE)
        set |= CURLU_URLENCODE;
    if (strlen(url) >= URLNORM_MAX ||
        (base != NULL &&
         (strlen(base) >= URLNORM_MAX ||
          curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) !=
              CURLUE_OK)) ||
        curl_url_set(u, CURLUPART_URL, url, set) != CURLUE_OK)
        goto out;
    scheme = get(u, CURLUPART_SCHEME, 0);
    if (scheme == NULL || !scheme_ok(scheme, flags))
        goto out;
    host = get(u, CURLUPART_HOST, 0);
    norm = host ? normal_host(host) : NULL;
    if (norm == NULL || (strcmp(norm, host) != 0 &&
                         curl_url_set(u, CURLUPART_HOST, norm, 0) != CURLUE_OK))
        goto out;
    /* Credentials in a URL are never used (collection is passive) and
       never stored or logged with it. */
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
    if (!(flags & URLNORM_FRAGMENT))
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    out = get(u, CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
    if (out != NULL && strlen(out) >= URLNORM_MAX) {
        x_free(out);
        out = NULL;
    }
out:
    x_free(scheme);
    x_free(host);
    x_free(norm);
    curl_url_cleanup(u);
    return out;
}

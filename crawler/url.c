/*
 * URL resolution and comparison through curl's URL API (CURLU); the
 * normal form itself is common/urlnorm.c, shared with the extraction
 * engine. Pure: nothing here resolves names or opens sockets.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/urlnorm.h"
#include "common/xalloc.h"
#include "crawler/url.h"
#include "common/banned.h"

static CURLU *
parse(const char *url)
{
    CURLU *u = curl_url();

    if (strlen(url) >= URL_MAX ||
        curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK) {
        curl_url_cleanup(u);
        return NULL;
    }
    return u;
}

static char *
part(CURLU *u, CURLUPart what, unsigned flags)
{
    char *v = NULL;
    char *copy;

    if (curl_url_get(u, what, &v, flags) != CURLUE_OK)
        return NULL;
    copy = xstrdup(v);
    curl_free(v);
    return copy;
}

/*
 * The scheme, host and port of a URL in normal form (common/urlnorm.h),
 * read without a parse: what curl would give of it. False for any other
 * URL (ask curl).
 */
struct plain_url {
    size_t scheme_len;
    const char *host, *port; /* port: the scheme's default when none */
    size_t host_len, port_len;
};

static bool
plain(const char *url, struct plain_url *p)
{
    size_t n = urlnorm_authority(url, URLNORM_FTP | URLNORM_FRAGMENT);
    const char *colon;

    if (n == 0)
        return false;
    p->scheme_len = (size_t)(strstr(url, "://") - url);
    p->host = url + p->scheme_len + 3;
    colon = memchr(p->host, ':', (size_t)(url + n - p->host));
    p->host_len = (size_t)((colon ? colon : url + n) - p->host);
    if (colon) {
        p->port = colon + 1;
        p->port_len = (size_t)(url + n - p->port);
    } else {
        p->port = p->scheme_len == 4   ? "80"
                  : p->scheme_len == 5 ? "443"
                                       : "21"; /* http, https, ftp */
        p->port_len = strlen(p->port);
    }
    return true;
}

static void
lower(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

char *
url_resolve(const char *base, const char *href)
{
    /* "" and "#frag" name the base itself (RFC 3986 5.2.2); curl 7.88
       would drop the base's last path segment. */
    if (href[0] == '\0' || href[0] == '#')
        return strlen(href) < URL_MAX ? url_normalise(NULL, base, 0) : NULL;
    return url_normalise(base, href, URLNORM_ENCODE);
}

char *
url_host(const char *url)
{
    struct plain_url p;
    CURLU *u;
    char *host;

    if (plain(url, &p))
        return xstrndup(p.host, p.host_len);
    u = parse(url);
    if (u == NULL)
        return NULL;
    host = part(u, CURLUPART_HOST, 0);
    lower(host);
    curl_url_cleanup(u);
    return host;
}

bool
url_is_onion(const char *url)
{
    char *host = url_host(url);
    size_t n;
    bool onion = false;

    if (host) {
        n = strlen(host);
        while (n > 0 && host[n - 1] == '.')
            n--;
        onion = n >= 6 && memcmp(host + n - 6, ".onion", 6) == 0;
    }
    free(host);
    return onion;
}

char *
url_origin(const char *url)
{
    struct plain_url p;
    CURLU *u;
    char *scheme, *host, *port, *origin = NULL;

    if (plain(url, &p)) {
        /* "scheme://host" as it is in url, then ':' and the port */
        size_t n = (size_t)(p.host - url) + p.host_len;

        origin = xmalloc(n + 1 + p.port_len + 1);
        memcpy(origin, url, n);
        origin[n] = ':';
        memcpy(origin + n + 1, p.port, p.port_len);
        origin[n + 1 + p.port_len] = '\0';
        return origin;
    }
    u = parse(url);
    if (u == NULL)
        return NULL;
    scheme = part(u, CURLUPART_SCHEME, 0);
    host = part(u, CURLUPART_HOST, 0);
    port = part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    lower(scheme);
    lower(host);
    if (scheme && host && port)
        origin = xasprintf("%s://%s:%s", scheme, host, port);
    free(scheme);
    free(host);
    free(port);
    curl_url_cleanup(u);
    return origin;
}

char *
url_path_query(const char *url)
{
    CURLU *u = parse(url);
    char *path, *query, *out = NULL;

    if (u == NULL)
        return NULL;
    path = part(u, CURLUPART_PATH, 0);
    query = part(u, CURLUPART_QUERY, 0);
    if (path)
        out = query ? xasprintf("%s?%s", path[0] ? path : "/", query)
                    : xstrdup(path[0] ? path : "/");
    free(path);
    free(query);
    curl_url_cleanup(u);
    return out;
}

bool
url_same_site(const char *seed, const char *url)
{
    char *a = url_origin(seed), *b = url_origin(url);
    bool same = a && b && strcmp(a, b) == 0;

    free(a);
    free(b);
    return same;
}

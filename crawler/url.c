/*
 * URL resolution and comparison through curl's URL API (CURLU). Pure:
 * nothing here resolves names or opens sockets.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

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

static void
lower(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

char *
url_resolve(const char *base, const char *href)
{
    CURLU *u = parse(base);
    char *scheme = NULL, *host = NULL, *out = NULL;

    if (u == NULL || strlen(href) >= URL_MAX)
        goto out;
    /* "" and "#frag" name the base itself (RFC 3986 5.2.2); curl 7.88
       would drop the base's last path segment. */
    if (href[0] != '\0' && href[0] != '#' &&
        curl_url_set(u, CURLUPART_URL, href,
                     CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK)
        goto out;
    scheme = part(u, CURLUPART_SCHEME, 0);
    if (scheme == NULL ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        goto out;
    host = part(u, CURLUPART_HOST, 0);
    if (host == NULL || *host == '\0')
        goto out;
    lower(host);
    curl_url_set(u, CURLUPART_HOST, host, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    /* Credentials in a link are never used (collection is passive) and
       never stored or logged with the URL. */
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0);
    out = part(u, CURLUPART_URL, 0);
    if (out && strlen(out) >= URL_MAX) {
        free(out);
        out = NULL;
    }
out:
    free(scheme);
    free(host);
    curl_url_cleanup(u);
    return out;
}

char *
url_host(const char *url)
{
    CURLU *u = parse(url);
    char *host;

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

bool
url_same_site(const char *seed, const char *url)
{
    CURLU *a = parse(seed), *b = parse(url);
    static const CURLUPart parts[] = { CURLUPART_SCHEME, CURLUPART_HOST,
                                       CURLUPART_PORT };
    bool same = a && b;
    size_t i;

    for (i = 0; same && i < sizeof(parts) / sizeof(parts[0]); i++) {
        char *x = part(a, parts[i], CURLU_DEFAULT_PORT);
        char *y = part(b, parts[i], CURLU_DEFAULT_PORT);

        lower(x);
        lower(y);
        same = x && y && strcmp(x, y) == 0;
        free(x);
        free(y);
    }
    curl_url_cleanup(a);
    curl_url_cleanup(b);
    return same;
}

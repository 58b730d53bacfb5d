/*
 * Cookie files: libcurl's cookie engine reads cookies.txt; this picks the
 * cookies of one host and checks the plain form. No network, no logging of
 * values.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "common/config.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "crawler/cookie.h"
#include "crawler/url.h"
#include "common/banned.h"

/* A name or value byte that cannot go into a Cookie header as it is. */
static bool
bad_byte(unsigned char c, bool name)
{
    return c < 0x21 || c == 0x7f || c == ';' || (name && (c == '=' ||
                                                          c == ','));
}

static bool
valid_pair(const char *name, size_t nlen, const char *value, size_t vlen)
{
    size_t i;

    if (nlen == 0)
        return false;
    for (i = 0; i < nlen; i++)
        if (bad_byte((unsigned char)name[i], true))
            return false;
    for (i = 0; i < vlen; i++)
        if (bad_byte((unsigned char)value[i], false))
            return false;
    return true;
}

static int
add_pair(struct buf *h, const char *name, size_t nlen, const char *value,
         size_t vlen)
{
    if ((h->len && buf_adds(h, "; ") < 0) || buf_add(h, name, nlen) < 0 ||
        buf_addc(h, '=') < 0 || buf_add(h, value, vlen) < 0)
        return DRP_ETOOBIG;
    return 0;
}

/* "a=1; b=2" (one or more lines): every pair checked. */
static int
plain(const char *path, const char *text, size_t len, struct buf *h,
      struct buf *err)
{
    size_t pos = 0;

    while (pos < len) {
        size_t end = pos, eq, a, b;

        while (end < len && text[end] != ';' && text[end] != '\n' &&
               text[end] != '\r')
            end++;
        a = pos;
        b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
            b--;
        pos = end + 1;
        if (a == b || text[a] == '#')
            continue;
        for (eq = a; eq < b && text[eq] != '='; eq++)
            ;
        if (eq == b || !valid_pair(text + a, eq - a, text + eq + 1,
                                   b - eq - 1)) {
            buf_addf(err, "%s: not a cookie: expected 'name=value; "
                          "name2=value2' (no blanks, ';' or control "
                          "characters inside a name or value) or a "
                          "cookies.txt file", path);
            return DRP_EINVAL;
        }
        if (add_pair(h, text + a, eq - a, text + eq + 1, b - eq - 1) < 0)
            goto toobig;
    }
    return 0;
toobig:
    buf_addf(err, "%s: the cookies make a header larger than %u bytes",
             path, COOKIE_MAX_HEADER);
    return DRP_ETOOBIG;
}

/* Whether a cookies.txt domain (".example.com" or "example.com") with its
   subdomain flag covers host. */
static bool
domain_covers(const char *domain, bool tail, const char *host)
{
    size_t dl, hl = strlen(host);

    if (strncmp(domain, "#HttpOnly_", 10) == 0)
        domain += 10;
    if (*domain == '.')
        domain++;
    dl = strlen(domain);
    if (strcasecmp(domain, host) == 0)
        return true;
    return tail && hl > dl + 1 && host[hl - dl - 1] == '.' &&
           strcasecmp(host + hl - dl, domain) == 0;
}

/* A cookies.txt file through libcurl's cookie engine. */
static int
netscape(const char *path, const char *url, struct buf *h, struct buf *err)
{
    CURL *e = curl_easy_init();
    struct curl_slist *list = NULL, *l;
    char *host = url_host(url);
    bool https = strncasecmp(url, "https:", 6) == 0;
    time_t now = time(NULL);
    int rc = 0, n = 0, all = 0;

    if (e == NULL)
        abort(); /* allocation failure, as xmalloc */
    if (host == NULL) {
        /* apply checks source URLs; one from elsewhere is refused here. */
        buf_addf(err, "'%s' has no host to send a cookie to", url);
        curl_easy_cleanup(e);
        return DRP_EINVAL;
    }
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, path);
    curl_easy_setopt(e, CURLOPT_COOKIELIST, "RELOAD");
    curl_easy_getinfo(e, CURLINFO_COOKIELIST, &list);
    for (l = list; l; l = l->next) {
        /* domain, subdomains, path, secure, expiry, name, value */
        char *f[7];
        char *line = xstrdup(l->data), *p = line;
        int i;
        long long expiry;

        for (i = 0; i < 7 && p; i++) {
            f[i] = p;
            p = strchr(p, '\t');
            if (p && i < 6)
                *p++ = '\0';
        }
        all++;
        if (i < 7) {
            free(line);
            continue;
        }
        expiry = strtoll(f[4], NULL, 10);
        if (domain_covers(f[0], strcmp(f[1], "TRUE") == 0, host) &&
            (https || strcmp(f[3], "TRUE") != 0) &&
            (expiry == 0 || expiry > (long long)now)) {
            if (!valid_pair(f[5], strlen(f[5]), f[6], strlen(f[6]))) {
                buf_addf(err, "%s: a cookie for '%s' has a blank, ';' or "
                              "control character in its name or value",
                         path, host);
                rc = DRP_EINVAL;
            } else if (add_pair(h, f[5], strlen(f[5]), f[6],
                                strlen(f[6])) < 0) {
                buf_addf(err, "%s: the cookies for '%s' make a header "
                              "larger than %u bytes", path, host,
                         COOKIE_MAX_HEADER);
                rc = DRP_ETOOBIG;
            }
            n++;
        }
        memset(line, 0, strlen(l->data));
        free(line);
        if (rc < 0)
            break;
    }
    if (rc == 0 && n == 0) {
        buf_addf(err, "%s: no valid cookie for host '%s' (%d cookie%s for "
                      "other hosts, expired or secure-only): export the "
                      "cookies of a logged-in session on that site",
                 path, host, all, all == 1 ? "" : "s");
        rc = DRP_ENOTFOUND;
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(e);
    free(host);
    return rc;
}

int
cookie_load(const char *path, const char *url, char **header,
            struct buf *err)
{
    struct buf text = BUF_INIT(COOKIE_MAX_FILE);
    struct buf h = BUF_INIT(COOKIE_MAX_HEADER);
    size_t i;
    bool blank = true;
    int rc;

    *header = NULL;
    rc = config_read_file(path, &text, err);
    if (rc < 0)
        goto out;
    for (i = 0; i < text.len && blank; i++)
        blank = text.ptr[i] == ' ' || text.ptr[i] == '\t' ||
                text.ptr[i] == '\n' || text.ptr[i] == '\r';
    if (blank) {
        buf_addf(err, "%s: empty: put the session cookie of a logged-in "
                      "browser there (cookies.txt, or one 'name=value; "
                      "name2=value2' line)", path);
        rc = DRP_EINVAL;
        goto out;
    }
    if (memchr(text.ptr, '\t', text.len))
        rc = netscape(path, url, &h, err);
    else
        rc = plain(path, buf_str(&text), text.len, &h, err);
    if (rc == 0)
        *header = buf_detach(&h, NULL);
out:
    if (text.ptr)
        memset(text.ptr, 0, text.len);
    if (h.ptr)
        memset(h.ptr, 0, h.len);
    buf_release(&text);
    buf_release(&h);
    return rc;
}

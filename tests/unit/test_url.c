/*
 * crawler/url.c: link resolution and site scoping on curl's URL API;
 * common/urlnorm.c: the normal form it shares with the extraction engine.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/urlnorm.h"
#include "crawler/url.h"
#include "tests/tap.h"

static void
resolves(const char *base, const char *href, const char *want)
{
    char *got = url_resolve(base, href);

    is_str(got, want, "'%s' against '%s'", href, base);
    free(got);
}

static void
normalises(const char *url, unsigned flags, const char *want)
{
    char *got = url_normalise(NULL, url, flags);

    is_str(got, want, "normal form of '%s' (flags %u)", url, flags);
    free(got);
}

/* The form the extraction engine gives URLs found in text. */
static void
test_normalise(void)
{
    const unsigned text = URLNORM_FTP | URLNORM_FRAGMENT;

    normalises("HTTP://WWW.Example.COM/Path/To?Q=A#Frag", text,
               "http://www.example.com/Path/To?Q=A#Frag");
    normalises("HTTP://WWW.Example.COM/Path/To?Q=A#Frag", 0,
               "http://www.example.com/Path/To?Q=A");
    normalises("https://user:s3cret@Host.Example.org:8443/p", text,
               "https://host.example.org:8443/p");
    normalises("ftp://anonymous:guest@FTP.Example.ORG:21/pub/x.7z", text,
               "ftp://ftp.example.org/pub/x.7z");
    normalises("ftp://files.example.org/x", 0, NULL);
    normalises("http://example.com:80/a", text, "http://example.com/a");
    normalises("https://example.com:443", text, "https://example.com/");
    normalises("http://example.com:8080/a/./b/../c", text,
               "http://example.com:8080/a/c");
    normalises("https://BÜCHER.de/straße", text,
               "https://xn--bcher-kva.de/straße");
    normalises("https://пример.рф/", text,
               "https://xn--e1afmkfd.xn--p1ai/");
    normalises("https://XN--BCHER-KVA.de/", text,
               "https://xn--bcher-kva.de/");
    normalises("https://xn--zz.com/", text, NULL);
    normalises("https://a♥.ws/", text, NULL);
    normalises("https://bücher_x.de/", text, NULL);
    normalises("https://ru.wikipedia.org/wiki/Ф", text,
               "https://ru.wikipedia.org/wiki/Ф");
    normalises("https://ru.wikipedia.org/wiki/Ф", URLNORM_ENCODE,
               "https://ru.wikipedia.org/wiki/%d0%a4");
    normalises("http://[2001:DB8::7]:8080/panel", text,
               "http://[2001:db8::7]:8080/panel");
    normalises("https://?q=test", text, NULL);
    normalises("https://user@/a", text, NULL);
    normalises("https://x.example:99999/", text, NULL);
    normalises("https://%zz.example/", text, NULL);
    normalises("https://.example/", text, NULL);
    normalises("https://a..example/", text, NULL);
    normalises("https://例え/", text, NULL); /* one IDN label */
    normalises("https://my_host.example/", text, "https://my_host.example/");
    normalises("https://bücher.de./", text, "https://xn--bcher-kva.de./");
    normalises("mailto:a@b.example", text, NULL);
    normalises("gopher://x.example/", text, NULL);
}

/*
 * The fast path (a URL in normal form already, copied; or a link resolved
 * against such a base) against curl on the same URL: URLs that take it
 * and URLs next to them that must not. Returns 1 when they differ (and
 * says how), else 0.
 */
static int
resolved_as_curl(const char *base, const char *url, unsigned flags)
{
    char *fast = url_normalise(base, url, flags);
    char *slow = url_normalise(base, url, flags | URLNORM_CURL);
    int differs = (fast && slow) ? strcmp(fast, slow) != 0 : fast != slow;

    if (differs)
        diag("'%s' against '%s' (flags %u): fast path '%s', curl '%s'", url,
             base ? base : "(none)", flags, fast ? fast : "(null)",
             slow ? slow : "(null)");
    free(fast);
    free(slow);
    return differs;
}

static int
same_as_curl(const char *url, unsigned flags)
{
    return resolved_as_curl(NULL, url, flags);
}

static void
test_fast_path(void)
{
    static const char *const urls[] = {
        "http://a.example/", "https://a.example/x", "ftp://a.example/x",
        "ftp://a.example/x;type=i", "ftp://a.example/a/b?c#d",
        "http://a.example", "http://a.example?q=1", "http://a.example#f",
        "HTTP://a.example/", "http://A.example/", "http://a.example:80/",
        "http://a.example:8080/", "http://u@a.example/",
        "http://u:p@a.example/", "http://a.example./", "http://.a.example/",
        "http://a..example/", "http://-a.example/", "http://a-.example/",
        "http://a-b.example/", "http://a--b.example/", "http://a_b.example/",
        "http://1.2.3.4/", "http://1.2.3/", "http://0x7f.1/",
        "http://a.1/", "http://a.0x1/", "http://1a.example/",
        "http://a.example1/", "http://xn--bcher-kva.de/",
        "http://a.xn--p1ai/", "http://xn--zz.com/", "http://localhost/",
        "http://a.example/./x", "http://a.example/../x",
        "http://a.example/x/..", "http://a.example/x/.", "http://a.example/.",
        "http://a.example/.well-known/x", "http://a.example/x/..y",
        "http://a.example/%2e%2e/x", "http://a.example/x/%2E/y",
        "http://a.example//x//y", "http://a.example/x?", "http://a.example/x#",
        "http://a.example/x?#f", "http://a.example/x?a?b",
        "http://a.example/x#a#b", "http://a.example/x#a?b",
        "http://a.example/x?a#b?c", "http://a.example/x?a=/../b",
        "http://a.example/x#/../b", "http://a.example/%41%zz%",
        "http://a.example/a:b@c", "http://a.example/x?u=http://b.example/",
        "http://a.example/x;p=1,2", "http://a.example/x(1)*$!'",
        "http://1.2.3.4/x", "http://0.0.0.0/", "http://255.255.255.255/",
        "http://256.1.1.1/", "http://01.2.3.4/", "http://1.2.3.04/",
        "http://1.2.3.4.5/", "http://1.2.3.4./", "http://1..3.4/",
        "http://1.2.3.0x4/", "http://1.2.3.4a/", "http://12345.1.1.1/",
        "http://a.example:8080/", "http://a.example:80/",
        "https://a.example:443/", "http://a.example:443/",
        "https://a.example:80/", "ftp://a.example:21/",
        "ftp://a.example:2121/", "http://a.example:0/",
        "http://a.example:00/", "http://a.example:080/",
        "http://a.example:65535/", "http://a.example:65536/",
        "http://a.example:99999/", "http://a.example:123456/",
        "http://a.example:/", "http://a.example:8080", "http://a.example:8a/",
        "http://1.2.3.4:8443/panel", "http://1.2.3.4:80/x",
        "https://1.2.3.4:443/x?q#f", "ftp://a.example:21/x;type=a",
        "https://a.example:443", "https://a.example:443?q",
        "https://a.example:443/./x", "https://u@a.example:443/",
        /* IPv6 literals: curl keeps one that is its shortest form */
        "http://[::1]/", "http://[::1]:80/x", "http://[::]/",
        "https://[2001:db8::1]:443/x", "https://[2001:db8::1]:8443/x",
        "http://[2001:DB8::1]/", "http://[2001:db8:0:0:0:0:0:1]/",
        "http://[2001:0db8::1]/", "http://[::ffff:1.2.3.4]/",
        "http://[::ffff:102:304]/", "http://[::1.2.3.4]/",
        "http://[::102:304]/", "http://[::2]/", "http://[::0.0.0.2]/",
        "http://[fe80::1%25eth0]/", "http://[fe80::1%eth0]/",
        "http://[1:2:3:4:5:6:7:8]/", "http://[1::2:0:0:3]/",
        "http://[1:0:0:2::3]/", "http://[1:0::2:0:0:3]/",
        "http://[2001:db8::1]", "http://[2001:db8::1]:/",
        "http://[2001:db8::1]x/", "http://[2001:db8::1/", "http://[]/",
        "http://[1::2::3]/", "http://[:::1]/", "http://[1:2:3:4:5:6:7:8:9]/",
        "https://[2001:db8::1]:443", "https://[::ffff:1.2.3.4]:443/",
        "http://[2001:db8::1]:0/", "http://[2001:db8::1]:080/",
        "http://[2001:db8::1]/a/../b", "http://[0:0:0:0:0:0:0:1]/",
    };
    const unsigned flags[] = { URLNORM_FTP | URLNORM_FRAGMENT, 0,
                               URLNORM_FRAGMENT, URLNORM_ENCODE };
    char url[96], label[71];
    size_t i, f;
    int differ = 0, c, k;

    for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
        for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
            differ += same_as_curl(urls[i], flags[f]);
    /* A label longer than DNS allows. */
    memset(label, 'a', sizeof(label) - 1);
    label[sizeof(label) - 1] = '\0';
    snprintf(url, sizeof(url), "http://%s.example/", label);
    for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
        differ += same_as_curl(url, flags[f]);
    ok(differ == 0, "fast path and curl agree on %zu URL forms",
       sizeof(urls) / sizeof(urls[0]) + 1);
    /* Every printable byte in the path, the query and the fragment. */
    differ = 0;
    for (c = 0x21; c < 0x7f; c++)
        for (k = 0; k < 4; k++) {
            snprintf(url, sizeof(url), "%s%c%s",
                     k == 0   ? "https://a.example/x"
                     : k == 1 ? "https://a.example/x?q="
                     : k == 2 ? "https://a.example/x#f"
                              : "https://a.example/",
                     c, k == 3 ? "" : "y");
            differ += same_as_curl(url, URLNORM_FTP | URLNORM_FRAGMENT);
            differ += same_as_curl(url, URLNORM_ENCODE);
        }
    ok(differ == 0, "fast path and curl agree on every printable byte");
}

/* Links resolved by the fast path against curl: bases and links that
   take it and some next to them that must not. */
static void
test_fast_resolve(void)
{
    static const char *const bases[] = {
        "http://f.example/board/1", "http://f.example/board/1?page=2",
        "http://f.example/", "http://f.example:8080/a/b",
        "http://127.0.0.1:37299/t/5.html", "https://f.example/a#top",
        "ftp://f.example/pub/", "http://F.example/a", "http://f.example",
        "http://f.example:80/a", "http://u@f.example/a",
        "http://f.example/a/../b", "http://f.example/a b",
        "http://xn--bcher-kva.de/a", "mailto:a@f.example",
    };
    static const char *const hrefs[] = {
        "/", "/t/3.html", "/thread/3?page=2", "/a/./b", "/a/../b", "/.x",
        "/a?x=/../y", "/a#frag", "/a?", "/a#", "//g.example/x", "/a b",
        "/Ä", "/a\\b", "/a%41", "/a%zz", "/a:b@c", "/a?u=http://g/",
        "http://g.example/x", "https://g.example:8443/x?y",
        "HTTP://G.example/", "http://g.example:80/", "http://u@g.example/",
        "ftp://g.example/x", "mailto:a@g.example", "x/y", "?q=1", "#f",
        "", "../x", "/\t", "/a\tb",
    };
    const unsigned flags[] = { URLNORM_ENCODE, 0, URLNORM_FRAGMENT,
                               URLNORM_FTP | URLNORM_FRAGMENT };
    size_t b, h, f;
    int differ = 0;

    for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
        for (b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
            for (h = 0; h < sizeof(hrefs) / sizeof(hrefs[0]); h++)
                differ += resolved_as_curl(bases[b], hrefs[h], flags[f]);
    ok(differ == 0, "fast path and curl resolve %zu links alike",
       sizeof(bases) / sizeof(bases[0]) * (sizeof(hrefs) / sizeof(hrefs[0])));
}

/* url_origin() and url_host() as they read every URL before their fast
   path: through curl. */
static char *
curl_part(const char *url, bool origin)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    size_t i;

    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
            CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
            CURLUE_OK) {
        size_t n = strlen(scheme) + strlen(host) + strlen(port) + 5;

        out = malloc(n);
        if (origin)
            snprintf(out, n, "%s://%s:%s", scheme, host, port);
        else
            snprintf(out, n, "%s", host);
        for (i = 0; out[i]; i++)
            if (out[i] >= 'A' && out[i] <= 'Z')
                out[i] = (char)(out[i] - 'A' + 'a');
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

static void
test_fast_origin(void)
{
    static const char *const urls[] = {
        "http://a.example/", "https://a.example/x?y#z", "ftp://a.example/x",
        "http://a.example:8080/", "https://a.example:8443/x",
        "http://127.0.0.1:37299/t/5.html", "http://1.2.3.4/",
        "http://A.example/", "HTTP://a.example/", "http://a.example:80/",
        "http://u@a.example/", "http://a.example", "http://a.example./",
        "http://[::1]:8080/", "http://xn--bcher-kva.de/", "gopher://a.example/",
        "http://a.example/a b", "http://0x7f.1/", "http://a.example/x#",
        "https://abc.onion/", "not a url",
    };
    size_t i;
    int differ = 0;

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        char *want_origin = curl_part(urls[i], true);
        char *want_host = curl_part(urls[i], false);
        char *origin = url_origin(urls[i]);
        char *host = url_host(urls[i]);

        if ((origin && want_origin) ? strcmp(origin, want_origin) != 0
                                    : origin != want_origin) {
            diag("origin of '%s': '%s', curl '%s'", urls[i],
                 origin ? origin : "(null)",
                 want_origin ? want_origin : "(null)");
            differ++;
        }
        if ((host && want_host) ? strcmp(host, want_host) != 0
                                : host != want_host) {
            diag("host of '%s': '%s', curl '%s'", urls[i],
                 host ? host : "(null)", want_host ? want_host : "(null)");
            differ++;
        }
        free(want_origin);
        free(want_host);
        free(origin);
        free(host);
    }
    ok(differ == 0, "origins and hosts of %zu URLs as curl reads them",
       sizeof(urls) / sizeof(urls[0]));
}

int
main(void)
{
    char *h;
    char big[URL_MAX + 16];

    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_normalise();
    test_fast_path();
    test_fast_resolve();
    test_fast_origin();
    resolves("http://f.example/board/1", "../thread/3",
             "http://f.example/thread/3");
    resolves("http://f.example/board/1", "/thread/3?page=2",
             "http://f.example/thread/3?page=2");
    resolves("http://f.example/board/1", "#", "http://f.example/board/1");
    resolves("http://f.example/board/1?page=2", "#top",
             "http://f.example/board/1?page=2");
    resolves("http://f.example/board/1", "?page=2",
             "http://f.example/board/1?page=2");
    resolves("http://f.example/a/b", "", "http://f.example/a/b");
    resolves("http://f.example/", "HTTP://F.EXAMPLE/X#frag",
             "http://f.example/X");
    resolves("http://f.example/", "mailto:a@b.example", NULL);
    resolves("http://f.example/", "javascript:alert(1)", NULL);
    resolves("http://f.example/", "ftp://f.example/x", NULL);
    resolves("http://f.example/", "http://", NULL);
    resolves("http://f.example/", "/a b", "http://f.example/a%20b");
    resolves("http://f.example/", "http://admin:s3cret@f.example/panel",
             "http://f.example/panel");
    resolves("http://f.example/", "//user@g.example/",
             "http://g.example/");
    resolves("http://f.example/", "http://f.example:80/x",
             "http://f.example/x");
    resolves("http://f.example/", "//Bücher.example/",
             "http://xn--bcher-kva.example/");
    resolves("http://f.example/", "http://xn--zz.example/", NULL);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    resolves("http://f.example/", big, NULL);

    h = url_host("http://User@EXAMPLE.onion:80/x");
    is_str(h, "example.onion", "host is lowercased, no user or port");
    free(h);
    ok(url_is_onion("http://abc.onion/"), ".onion host detected");
    ok(url_is_onion("http://abc.ONION./"), "trailing dot and case ignored");
    ok(!url_is_onion("http://onion.example/"), "onion elsewhere is not it");
    ok(!url_is_onion("not a url"), "garbage is not onion");
    ok(url_same_site("http://a.example/x", "http://A.example:80/y"),
       "same site despite case and default port");
    ok(!url_same_site("http://a.example/", "https://a.example/"),
       "scheme matters");
    ok(!url_same_site("http://a.example/", "http://a.example:8080/"),
       "port matters");
    ok(!url_same_site("http://a.example/", "http://b.a.example/"),
       "subdomain is another site");
    curl_global_cleanup();
    return done_testing();
}

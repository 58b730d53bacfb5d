/*
 * crawler/url.c: link resolution and site scoping on curl's URL API;
 * common/urlnorm.c: the normal form it shares with the extraction engine.
 */
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

int
main(void)
{
    char *h;
    char big[URL_MAX + 16];

    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_normalise();
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

/*
 * crawler/url.c: link resolution and site scoping on curl's URL API.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "crawler/url.h"
#include "tests/tap.h"

static void
resolves(const char *base, const char *href, const char *want)
{
    char *got = url_resolve(base, href);

    is_str(got, want, "'%s' against '%s'", href, base);
    free(got);
}

int
main(void)
{
    char *h;
    char big[URL_MAX + 16];

    curl_global_init(CURL_GLOBAL_DEFAULT);
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

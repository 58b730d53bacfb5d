/*
 * crawler/robots.c: groups, precedence, wildcards, '$', Crawl-delay, the
 * caps and garbage (RFC 9309 and Google's examples).
 */
#include <stdlib.h>
#include <string.h>

#include "crawler/robots.h"
#include "tests/tap.h"

static struct robots *
parse(const char *text)
{
    return robots_parse(text, strlen(text), ROBOTS_AGENT);
}

/* Checks each "+/path" (allowed) or "-/path" (disallowed) against text. */
static void
check(const char *what, const char *text, const char *const *cases)
{
    struct robots *r = parse(text);

    for (; *cases; cases++) {
        bool want = (*cases)[0] == '+';

        ok(robots_allowed(r, *cases + 1) == want, "%s: %s %s", what,
           *cases + 1, want ? "allowed" : "disallowed");
    }
    robots_free(r);
}

static void
test_groups(void)
{
    static const char *both[] = { "-/private/x", "+/public", "+/secret",
                                  NULL };
    static const char *star[] = { "-/secret", "+/private/x", NULL };
    static const char *merged[] = { "-/a", "-/b", "+/c", NULL };
    static const char *empty_group[] = { "+/secret", "+/", NULL };
    static const char *none[] = { "+/", "+/anything?x=1", NULL };
    struct robots *r;

    check("our group wins over *",
          "User-agent: *\nDisallow: /secret\n\n"
          "User-agent: drpwatch\nDisallow: /private/\n",
          both);
    check("* applies when no group names us",
          "User-agent: googlebot\nDisallow: /\n\n"
          "User-agent: *\nDisallow: /secret\n",
          star);
    check("several groups naming us are merged",
          "User-agent: DrpWatch/1.0\nDisallow: /a\n"
          "User-agent: other\nDisallow: /c\n"
          "User-agent: drpwatch\nDisallow: /b\n",
          merged);
    check("a group naming us without rules allows all",
          "User-agent: *\nDisallow: /\n\nUser-agent: drpwatch\n",
          empty_group);
    check("consecutive user-agent lines share the rules",
          "User-agent: foo\nUser-agent: drpwatch\nUser-agent: bar\n"
          "Disallow: /a\nDisallow: /b\n",
          merged);
    check("no group: everything allowed", "Sitemap: /s.xml\n", none);
    check("empty file", "", none);
    check("rules before any user-agent are ignored",
          "Disallow: /\nUser-agent: other\nDisallow: /\n", none);
    check("an empty Disallow allows all",
          "User-agent: *\nDisallow:\n", none);
    r = parse("user-agent: drpwatchbot\ndisallow: /\n");
    ok(robots_allowed(r, "/x"), "a longer token is another robot");
    robots_free(r);
}

static void
test_precedence(void)
{
    static const char *longest[] = { "+/page", "-/p", "-/pa",
                                     "+/page/sub", NULL };
    static const char *tie[] = { "+/folder/page", NULL };
    static const char *google[] = { "+/", "-/fish", "+/fish.html",
                                    "-/fish/salmon", NULL };

    check("the longest match wins",
          "User-agent: *\nDisallow: /p\nAllow: /page\n", longest);
    check("allow wins a tie",
          "User-agent: *\nDisallow: /folder/page\nAllow: /folder/page\n",
          tie);
    check("Google's example",
          "User-agent: *\nAllow: /$\nDisallow: /fish\n"
          "Allow: /fish.html$\nDisallow: /fish/salmon\n",
          google);
}

static void
test_wildcards(void)
{
    static const char *star[] = { "-/fish.php", "-/fish.php?id=1",
                                  "-/Fish/x.php", "+/fish.PHP", "+/f",
                                  NULL };
    static const char *dollar[] = { "-/a.php", "+/a.php?x", "+/a.phps",
                                    "-/dir/b.php", NULL };
    static const char *mid[] = { "-/shop/123/cart", "+/shop/cart",
                                 "-/shop/a/b/cart/x", NULL };
    static const char *query[] = { "-/thread?sid=1", "-/x?a=1&sid=2",
                                   "+/x?a=1", NULL };
    static const char *lit[] = { "-/a$b", "+/ab", NULL };
    static const char *stars[] = { "-/a", "-/", NULL };

    check("* matches any bytes", "User-agent: *\nDisallow: /*.php\n", star);
    check("$ anchors the end", "User-agent: *\nDisallow: /*.php$\n", dollar);
    check("* in the middle",
          "User-agent: *\nDisallow: /shop/*/cart\n", mid);
    check("patterns see the query",
          "User-agent: *\nDisallow: /*sid=\n", query);
    check("$ inside a pattern is literal",
          "User-agent: *\nDisallow: /a$b\n", lit);
    check("repeated stars", "User-agent: *\nDisallow: /***\n", stars);
}

static void
test_encoding(void)
{
    static const char *pct[] = { "-/%e4%bd%a0", "-/%E4%BD%A0/x", NULL };
    static const char *raw[] = { "-/%E4%BD%A0", NULL };

    check("escapes compare case-insensitively",
          "User-agent: *\nDisallow: /%E4%bd%a0\n", pct);
    check("UTF-8 in a pattern matches its escapes",
          "User-agent: *\nDisallow: /\xe4\xbd\xa0\n", raw);
}

static void
test_delay(void)
{
    struct robots *r;

    r = parse("User-agent: *\nCrawl-delay: 2\nDisallow: /x\n");
    is(robots_crawl_delay_ms(r), 2000, "Crawl-delay: 2 is 2000 ms");
    robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 0.5\n");
    is(robots_crawl_delay_ms(r), 500, "Crawl-delay: 0.5 is 500 ms");
    robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 1.25\n");
    is(robots_crawl_delay_ms(r), 1250, "fractions to the millisecond");
    robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 99999999999999999999\n");
    is(robots_crawl_delay_ms(r), ROBOTS_MAX_CRAWL_DELAY_MS,
       "a huge Crawl-delay is capped");
    robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: soon\nCrawl-delay: -1\n"
              "Crawl-delay: 1e3\nCrawl-delay:\n");
    is(robots_crawl_delay_ms(r), -1, "malformed Crawl-delay ignored");
    robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 9\n\nUser-agent: drpwatch\n"
              "Crawl-delay: 1\n");
    is(robots_crawl_delay_ms(r), 1000, "Crawl-delay of our own group");
    robots_free(r);
    r = parse("User-agent: other\nCrawl-delay: 9\n");
    is(robots_crawl_delay_ms(r), -1, "another robot's Crawl-delay");
    robots_free(r);
}

static void
test_syntax(void)
{
    static const char *messy[] = { "-/a", "-/b", "-/c", "+/d", "-/e",
                                   NULL };
    static const char *robots[] = { "+/robots.txt", "-/robots.txt.bak",
                                    NULL };
    static const char *bom[] = { "-/x", NULL };

    check("case, blanks, comments and line ends",
          "USER-AGENT :  *   # everyone\r\n"
          "disallow:/a\r"
          "DisAllow:\t/b  # comment\n"
          "  Disallow: /c\n"
          "# Disallow: /d\n"
          "Disallow /d\n"
          "Disallow: /e",
          messy);
    check("/robots.txt itself is always allowed",
          "User-agent: *\nDisallow: /\n", robots);
    check("a byte order mark", "\xef\xbb\xbfUser-agent: *\nDisallow: /x\n",
          bom);
}

static void
test_garbage(void)
{
    static const char nul[] = "User-agent: *\0Disallow: /x\n";
    struct robots *r;
    char bin[4096];
    size_t i;
    unsigned v = 12345;

    for (i = 0; i < sizeof(bin); i++) {
        v = v * 1103515245u + 12345u;
        bin[i] = (char)(v >> 16);
    }
    r = robots_parse(bin, sizeof(bin), ROBOTS_AGENT);
    ok(r != NULL, "random bytes parse");
    robots_free(r);
    r = parse("<html><body>Not found</body></html>");
    ok(robots_allowed(r, "/anything"), "an HTML page allows everything");
    robots_free(r);
    r = robots_parse(nul, sizeof(nul) - 1, ROBOTS_AGENT);
    ok(!robots_allowed(r, "/x"), "a NUL byte ends a line");
    robots_free(r);
    r = parse("User-agent: *\nDisallow: relative\nAllow: \n");
    is(robots_nrules(r), 0, "patterns not starting with / or * ignored");
    robots_free(r);
}

static void
test_caps(void)
{
    size_t n = ROBOTS_MAX_BYTES + 4096, len = 0;
    char *text = malloc(n + 64);
    struct robots *r;
    const char *head = "User-agent: *\n";
    char *pat;
    size_t i;

    /* Past the byte cap: rules there are not read. */
    memcpy(text, head, strlen(head));
    len = strlen(head);
    while (len + 16 < ROBOTS_MAX_BYTES - 100) {
        memcpy(text + len, "Disallow: /aaa\n", 15);
        len += 15;
    }
    while (len < ROBOTS_MAX_BYTES + 64)
        text[len++] = '\n';
    memcpy(text + len, "Disallow: /late\n", 16);
    len += 16;
    r = robots_parse(text, len, ROBOTS_AGENT);
    ok(robots_allowed(r, "/late"), "rules past 500 KiB are ignored");
    ok(!robots_allowed(r, "/aaa"), "rules before the cap apply");
    ok(robots_truncated(r), "truncation is reported");
    is(robots_nrules(r), ROBOTS_MAX_RULES, "rules capped at %d",
       ROBOTS_MAX_RULES);
    robots_free(r);

    /* A line cut by the cap is dropped, not read as a shorter rule. */
    len = 0;
    memcpy(text, head, strlen(head));
    len = strlen(head);
    while (len < ROBOTS_MAX_BYTES - 8)
        text[len++] = '\n';
    memcpy(text + len, "Allow: /abcdefgh\n", 17);
    len += 17;
    r = robots_parse(text, len, ROBOTS_AGENT);
    is(robots_nrules(r), 0, "a rule cut by the byte cap is dropped");
    robots_free(r);

    /* The line cap. */
    len = 0;
    memcpy(text, head, strlen(head));
    len = strlen(head);
    while (len < ROBOTS_MAX_LINES + 100)
        text[len++] = '\n';
    memcpy(text + len, "Disallow: /x\n", 13);
    len += 13;
    r = robots_parse(text, len, ROBOTS_AGENT);
    ok(robots_allowed(r, "/x") && robots_truncated(r),
       "lines past %d are ignored", ROBOTS_MAX_LINES);
    robots_free(r);
    free(text);

    /* A pattern longer than the cap is ignored. */
    pat = malloc(ROBOTS_MAX_PATTERN + 64);
    memcpy(pat, "User-agent: *\nDisallow: /", 25);
    memset(pat + 25, 'a', ROBOTS_MAX_PATTERN + 10);
    pat[25 + ROBOTS_MAX_PATTERN + 10] = '\0';
    r = parse(pat);
    is(robots_nrules(r), 0, "an overlong pattern is ignored");
    robots_free(r);
    free(pat);

    /* Many stars against a long path stay fast and correct. */
    {
        char p[600], path[4096];

        memcpy(p, "User-agent: *\nDisallow: /", 25);
        for (i = 0; i < 250; i++) {
            p[25 + 2 * i] = '*';
            p[26 + 2 * i] = 'a';
        }
        memcpy(p + 525, "b$\n", 4);
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        r = parse(p);
        ok(robots_allowed(r, path), "pathological stars do not match");
        robots_free(r);
    }
}

int
main(void)
{
    test_groups();
    test_precedence();
    test_wildcards();
    test_encoding();
    test_delay();
    test_syntax();
    test_garbage();
    test_caps();
    done_testing();
}

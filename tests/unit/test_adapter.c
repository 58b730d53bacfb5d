/*
 * crawler/adapter.c: the links a forum, paste or feed page leads to, with
 * each engine's default selectors on its own markup, custom selectors,
 * markers that change with the last post and only then, paste raw views by
 * template, feeds and sitemaps, scope, caps and bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/err.h"
#include "crawler/adapter.h"
#include "tests/tap.h"

#define BASE "http://forum.test/"

static struct source_conf
source(const char *kind, const char *engine)
{
    struct source_conf s;

    memset(&s, 0, sizeof(s));
    s.name = (char *)"t";
    s.kind = (char *)kind;
    s.url = (char *)BASE;
    s.adapter.engine = (char *)engine;
    return s;
}

static struct adapter_links
links(const struct source_conf *s, const char *role, const char *page)
{
    struct adapter_links l;
    struct buf err = BUF_INIT(1024);
    int rc = adapter_links(s, role, BASE "here", page, strlen(page), &l,
                           &err);

    if (rc != 0)
        diag("adapter_links: %d %s", rc, buf_str(&err));
    buf_release(&err);
    return l;
}

/* "role url" per link, one a line, markers shown as '*'. */
static char *
show(const struct adapter_links *l)
{
    struct buf b = BUF_INIT(1 << 20);
    size_t i;

    for (i = 0; i < l->n; i++)
        buf_addf(&b, "%s%s %s\n", l->v[i].role,
                 l->v[i].marker ? "*" : l->v[i].continues ? "+" : "",
                 l->v[i].url + strlen(BASE) - 1);
    return buf_detach(&b, NULL);
}

static void
expect(const struct source_conf *s, const char *role, const char *page,
       const char *want, const char *what)
{
    struct adapter_links l = links(s, role, page);
    char *got = show(&l);

    is_str(got, want, "%s", what);
    free(got);
    adapter_links_release(&l);
}

/* The marker of the link to url in page. */
static char *
marker(const struct source_conf *s, const char *page, const char *url)
{
    struct adapter_links l = links(s, ROLE_LIST, page);
    char *m = NULL;
    size_t i;

    for (i = 0; i < l.n; i++)
        if (strcmp(l.v[i].url, url) == 0 && l.v[i].marker)
            m = strdup(l.v[i].marker);
    adapter_links_release(&l);
    return m;
}

static void
test_phpbb(void)
{
    struct source_conf s = source("forum", NULL);
    const char *index =
        "<table><tr><td><a class=\"forumtitle\" href=\"board/1\">Leaks</a>"
        "</td></tr><tr><td><a class=\"forumtitle\" href=\"/board/2\">Logs"
        "</a></td></tr></table><a href=\"/faq\">FAQ</a>"
        "<a href=\"/login\">Login</a>";
    const char *board =
        "<div class=\"pagination\"><a href=\"/board/1?page=2\" "
        "class=\"next\">Next</a></div><table>"
        "<tr><td><a class=\"topictitle\" href=\"../thread/7\">Combo</a> "
        "[ <a href=\"/thread/7?page=2\">2</a> ]</td><td>12</td>"
        "<td><span class=\"postdetails\">2024-06-01<br>bob</span></td></tr>"
        "<tr><td><a class=\"topictitle\" href=\"/thread/8\">Dump</a></td>"
        "<td>3</td><td><span class=\"postdetails\">2024-05-01<br>eve"
        "</span></td></tr></table>"
        "<a href=\"http://elsewhere.test/thread/9\" class=\"topictitle\">x</a>";
    const char *thread =
        "<div class=\"postbody\">text</div><div class=\"pagination\">"
        "<a href=\"/thread/7?page=2\" class=\"next\">Next</a>"
        "<a href=\"/thread/7?page=2\" class=\"next\">Next</a></div>";
    char *m1, *m2, *m3;

    expect(&s, ROLE_LIST, index, "list /board/1\nlist /board/2\n",
           "phpbb index: boards only, resolved");
    expect(&s, ROLE_LIST, board,
           "list /board/1?page=2\nmarked* /thread/7\nmarked* /thread/8\n",
           "phpbb board: next page, thread rows with markers, off-site "
           "thread dropped");
    expect(&s, ROLE_MARKED, thread, "marked+ /thread/7?page=2\n",
           "phpbb thread: its next page continues it, once");

    m1 = marker(&s, board, BASE "thread/7");
    m2 = marker(&s, board, BASE "thread/7");
    {
        char *b2 = strdup(board), *at = strstr(b2, "2024-06-01");

        memcpy(at, "2024-06-02", 10);
        m3 = marker(&s, b2, BASE "thread/7");
        free(b2);
    }
    ok(m1 && m2 && strlen(m1) == 64 && strcmp(m1, m2) == 0,
       "a thread's marker is a stable hex digest");
    ok(m1 && m3 && strcmp(m1, m3) != 0,
       "the marker changes with the last post");
    free(m1);
    free(m2);
    free(m3);
    {
        /* Views change on every visit: they are not in the marker. */
        const char *a = "<ul><li class=\"row\"><a class=\"topictitle\" "
                        "href=\"/t/1\">x</a><dd class=\"views\">10</dd>"
                        "<dd class=\"lastpost\">by bob</dd></li></ul>";
        const char *b = "<ul><li class=\"row\"><a class=\"topictitle\" "
                        "href=\"/t/1\">x</a><dd class=\"views\">11</dd>"
                        "<dd class=\"lastpost\">by bob</dd></li></ul>";

        m1 = marker(&s, a, BASE "t/1");
        m2 = marker(&s, b, BASE "t/1");
        ok(m1 && m2 && strcmp(m1, m2) == 0,
           "prosilver rows: the view count is not part of the marker");
        free(m1);
        free(m2);
    }
}

static void
test_engines(void)
{
    struct source_conf xf = source("forum", "xenforo");
    struct source_conf vb = source("forum", "vbulletin");
    struct source_conf dc = source("forum", "discourse");

    expect(&xf, ROLE_LIST,
           "<h3 class=\"node-title\"><a href=\"/forums/leaks.2/\">Leaks</a>"
           "</h3><div class=\"structItem structItem--thread\">"
           "<div class=\"structItem-title\"><a href=\"/forums/x/\">Prefix</a>"
           "<a href=\"/threads/dump.12/\">Dump</a></div>"
           "<time class=\"structItem-latestDate\" data-time=\"1717200000\">"
           "</time></div><a class=\"pageNav-jump pageNav-jump--next\" "
           "href=\"/forums/leaks.2/page-2\">Next</a>",
           "list /forums/leaks.2/\nlist /forums/leaks.2/page-2\n"
           "marked* /threads/dump.12/\n",
           "xenforo: node titles, structItem threads, pageNav next");
    expect(&vb, ROLE_LIST,
           "<h2 class=\"forumtitle\"><a href=\"/forumdisplay.php?f=3\">"
           "Db</a></h2><ol><li class=\"threadbit hot\"><a class=\"title\" "
           "href=\"/showthread.php?t=44\">t</a><dl class=\"threadlastpost\">"
           "<dd>today</dd></dl></li></ol><a rel=\"next\" "
           "href=\"/forumdisplay.php?f=3&amp;page=2\">&gt;</a>",
           "list /forumdisplay.php?f=3\nlist /forumdisplay.php?f=3&page=2\n"
           "marked* /showthread.php?t=44\n",
           "vbulletin: forumtitle, threadbit, rel=next");
    expect(&dc, ROLE_LIST,
           "<div class=\"category\"><a href=\"/c/leaks/5\">Leaks</a></div>"
           "<table><tr class=\"topic-list-item\"><td><a class=\"title "
           "raw-link\" href=\"/t/dump/77\">Dump</a></td><td><span "
           "class=\"posts\">4</span></td></tr></table>"
           "<a rel=\"next\" href=\"/c/leaks/5?page=1\">next</a>",
           "list /c/leaks/5\nlist /c/leaks/5?page=1\nmarked* /t/dump/77\n",
           "discourse crawler view: categories, topic list, rel=next");
}

static void
test_custom(void)
{
    struct source_conf s = source("forum", NULL);

    s.adapter.boards = (char *)"//nav//a/@href";
    s.adapter.threads = (char *)"//article";
    s.adapter.thread_link = (char *)"string(.//h2/a/@href)";
    s.adapter.next = (char *)"//a[.='more']/@href";
    expect(&s, ROLE_LIST,
           "<nav><a href=\"/b/1\">b</a></nav><article><h2><a href=\"/p/1\">"
           "x</a></h2></article><article><h2><a href=\"/p/2\">y</a></h2>"
           "</article><a href=\"/b/1?o=20\">more</a>",
           "list /b/1\nlist /b/1?o=20\nmarked* /p/1\nmarked* /p/2\n",
           "custom selectors, string() results too; row text is the "
           "marker");
}

static void
test_paste(void)
{
    struct source_conf s = source("paste", NULL);
    const char *archive =
        "<table><tr><td><a href=\"/paste/Ab12Cd\">one</a></td></tr>"
        "<tr><td><a href=\"/paste/Zz99/\">two</a></td></tr>"
        "<tr><td><a href=\"/paste/Ab12Cd\">dup</a></td></tr></table>";

    s.adapter.raw = (char *)"/raw/{id}";
    expect(&s, ROLE_LIST, archive, "once /raw/Ab12Cd\nonce /raw/Zz99\n",
           "paste archive: raw views by template, each once");
    expect(&s, ROLE_ONCE, "<a href=\"/raw/x\">x</a>", "",
           "a raw paste leads nowhere");
    s.adapter.raw = NULL;
    expect(&s, ROLE_LIST, archive, "once /paste/Ab12Cd\nonce /paste/Zz99/\n",
           "without a template the paste page itself, once");
    s.adapter.raw = (char *)"http://forum.test/dl.php?id={id}&raw=1";
    s.adapter.paste_id = (char *)"[?&]i=([0-9]+)";
    s.adapter.pastes = (char *)"//a[@class='p']/@href";
    expect(&s, ROLE_LIST,
           "<a class=\"p\" href=\"/view?i=42\">a</a>"
           "<a class=\"p\" href=\"/view?x=1\">no id</a>",
           "once /dl.php?id=42&raw=1\n",
           "custom id pattern and template; a link without an id skipped");
}

static void
test_feed(void)
{
    struct source_conf s = source("feed", NULL);

    expect(&s, ROLE_LIST,
           "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
           "<item><title>a</title><link>http://forum.test/a</link></item>"
           "<item><link> http://forum.test/b </link></item>"
           "<item><link>http://other.test/c</link></item>"
           "</channel></rss>",
           "once /a\nonce /b\n", "RSS items, trimmed, off-site dropped");
    expect(&s, ROLE_LIST,
           "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
           "<link rel=\"alternate\" href=\"/e/1\"/>"
           "<link rel=\"edit\" href=\"/e/1/edit\"/></entry></feed>",
           "once /e/1\n", "Atom: the alternate link only");
    expect(&s, ROLE_LIST,
           "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
           "<url><loc>http://forum.test/p1</loc><lastmod>2024-01-01"
           "</lastmod></url><url><loc>http://forum.test/p2</loc></url>"
           "</urlset>",
           "marked* /p1\nonce /p2\n",
           "sitemap: marked by lastmod, else once");
    expect(&s, ROLE_LIST,
           "<sitemapindex><sitemap><loc>http://forum.test/s2.xml</loc>"
           "</sitemap></sitemapindex>",
           "list /s2.xml\n", "sitemap index: nested sitemaps are lists");
    expect(&s, ROLE_LIST,
           "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
           "\"file:///etc/passwd\">]><rss><channel><item><link>&x;</link>"
           "</item></channel></rss>",
           "", "external entities are not expanded (no XXE)");
}

static void
test_bad_input(void)
{
    struct source_conf s = source("forum", NULL);
    struct buf page = BUF_INIT(8u << 20);
    struct adapter_links l;
    int i;

    expect(&s, ROLE_LIST, "", "", "empty page: no links");
    {
        static const char nul[] = "<a class=\"forumtitle\" href=\"/b/1\">"
                                  "x\0y</a>\xff\xfe<a";
        struct buf err = BUF_INIT(1024);
        int rc = adapter_links(&s, ROLE_LIST, BASE, nul, sizeof(nul) - 1, &l,
                               &err);

        ok(rc == 0 || rc == DRP_EINVAL, "NUL bytes and invalid UTF-8: "
                                        "no crash (rc %d)", rc);
        adapter_links_release(&l);
        buf_release(&err);
    }
    for (i = 0; i < ADAPTER_MAX_LINKS + 100; i++)
        buf_addf(&page, "<a class=\"forumtitle\" href=\"/b/%d\">b</a>", i);
    l = links(&s, ROLE_LIST, buf_str(&page));
    is((int)l.n, ADAPTER_MAX_LINKS, "links per page capped");
    adapter_links_release(&l);
    buf_release(&page);
}

static void
check(struct source_conf *s, const char *want, const char *what)
{
    struct buf err = BUF_INIT(1024);
    int rc = adapter_check(s, &err);

    if (want == NULL) {
        is(rc, 0, "%s: accepted", what);
    } else {
        is(rc, DRP_ECONFIG, "%s: refused", what);
        if (!ok(strstr(buf_str(&err), want) != NULL, "%s: says '%s'", what,
                want))
            diag("message: %s", buf_str(&err));
    }
    buf_release(&err);
}

static void
test_check(void)
{
    struct source_conf s = source("forum", NULL);

    check(&s, NULL, "no selectors");
    s.adapter.threads = (char *)"//tr[";
    check(&s, "adapter.threads: not an XPath 1.0 expression", "bad XPath");
    s.adapter.threads = NULL;
    s.adapter.paste_id = (char *)"([a-z]+";
    check(&s, "adapter.paste_id: invalid pattern", "bad pattern");
    s.adapter.paste_id = (char *)"[a-z]+";
    check(&s, "needs a group", "pattern without a group");
    s.adapter.paste_id = NULL;
    s.adapter.raw = (char *)"/raw/";
    check(&s, "adapter.raw: the template needs {id}", "template without id");
    ok(!adapter_used(&(struct source_conf){ .kind = (char *)"forum" }),
       "a forum without an adapter mapping is crawled by its links");
    ok(adapter_used(&(struct source_conf){ .kind = (char *)"feed" }),
       "a feed always uses its adapter");
}

int
main(void)
{
    test_phpbb();
    test_engines();
    test_custom();
    test_paste();
    test_feed();
    test_bad_input();
    test_check();
    return done_testing();
}

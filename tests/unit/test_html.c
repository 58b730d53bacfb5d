/*
 * Tests for extract/html.c: visible text (lines, whitespace, entities,
 * hidden elements), title/base/links/forms, bad bytes, and the caps.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/html.h"
#include "tests/tap.h"
#include "common/banned.h"

/* Parses a C string; returns html_parse()'s code. */
static int
parse(const char *html, struct html_doc *doc)
{
    html_doc_init(doc);
    return html_parse(html, strlen(html), doc);
}

static bool
has(const struct html_doc *doc, const char *needle)
{
    return strstr(buf_str(&doc->text), needle) != NULL;
}

static void
test_forum_combos(void)
{
    struct html_doc doc;
    const char *html =
        "<!DOCTYPE html><html><head><title>Fresh combos</title></head>"
        "<body><div class=post><b>alice</b> wrote:<br>"
        "a@northwind.com:Summer2024!<br>"
        "b@northwind.com;hunter2<br>\n"
        "c@northwind.com|pa ss<br></div>"
        "<div class=post>second post</div></body></html>";

    is(parse(html, &doc), 0, "forum page parses");
    is_str(buf_str(&doc.text),
           "alice wrote:\n"
           "a@northwind.com:Summer2024!\n"
           "b@northwind.com;hunter2\n"
           "c@northwind.com|pa ss\n"
           "second post\n",
           "br-separated combos come out one per line");
    is_str(doc.title, "Fresh combos", "title");
    is(doc.parse_errors, 0, "well-formed page has no parse errors");
    ok(!doc.invalid_utf8, "clean input is not flagged");
    html_doc_release(&doc);
}

static void
test_pre_and_whitespace(void)
{
    struct html_doc doc;
    const char *html = "<body><p>  many   \n\t spaces  here </p>"
                       "<pre>\nx@y.com:p1\n  y@y.com:p2\n\n</pre>"
                       "<textarea>a  b\nc</textarea>after</body>";

    is(parse(html, &doc), 0, "pre page parses");
    is_str(buf_str(&doc.text),
           "many spaces here\nx@y.com:p1\n  y@y.com:p2\n\na  b\nc\nafter\n",
           "whitespace folds outside pre/textarea and is kept inside");
    html_doc_release(&doc);
}

static void
test_hidden_and_entities(void)
{
    struct html_doc doc;
    const char *html =
        "<html><head><title>T &amp; U</title><style>body{color:red}</style>"
        "<script>var secret = 1;</script></head><body>"
        "<script>document.write('x')</script>"
        "<noscript>enable js</noscript>"
        "<template><p>tmpl</p></template>"
        "<p>Fish &amp; chips &lt;b&gt; caf&eacute; &#x41;&#66;</p>"
        "<!-- a comment --></body></html>";

    is(parse(html, &doc), 0, "page with scripts parses");
    ok(!has(&doc, "secret") && !has(&doc, "document.write"),
       "script content dropped");
    ok(!has(&doc, "color"), "style content dropped");
    ok(!has(&doc, "enable js"), "noscript content dropped");
    ok(!has(&doc, "tmpl"), "template content dropped");
    ok(!has(&doc, "comment"), "comments dropped");
    ok(!has(&doc, "T & U"), "title not in the body text");
    is_str(buf_str(&doc.text), "Fish & chips <b> caf\xc3\xa9 AB\n",
           "entities decoded");
    is_str(doc.title, "T & U", "title entities decoded");
    html_doc_release(&doc);
}

static void
test_table(void)
{
    struct html_doc doc;
    const char *html = "<table><tr><th>user</th><th>pass</th></tr>"
                       "<tr><td>a@b.com</td><td>x1</td></tr></table>";

    is(parse(html, &doc), 0, "table parses");
    is_str(buf_str(&doc.text), "user\tpass\na@b.com\tx1\n",
           "cells separated by tabs, rows by lines");
    html_doc_release(&doc);
}

static void
test_links(void)
{
    struct html_doc doc;
    struct buf html = BUF_INIT(1 << 20);
    size_t i;

    buf_adds(&html, "<head><base href=\"http://forum.example/sub/\"></head>"
                    "<a href=\"/t/1\">1</a>"
                    "<a href=\"javascript:alert(1)\">js</a>"
                    "<a href=\"MAILTO:x@y.com\">mail</a>"
                    "<a href=\"\">empty</a><a>none</a>"
                    "<a href=\"http://x.onion/?a=1&amp;b=2\">2</a>"
                    "<map><area href=\"/area\"></map>"
                    "<a href=\"/t/1\">dup</a>"
                    "<a href=\"  /t/3  \">3</a>"
                    "<a rel=\"noopener NoFollow\" href=\"/dl/1\">dl</a>"
                    "<a rel=\"nofollower\" href=\"/t/4\">4</a>"
                    "<a href=\"/");
    for (i = 0; i < HTML_MAX_ATTR; i++)
        buf_addc(&html, 'x');
    buf_adds(&html, "\">long</a><a href=\"ftp://last/\">last</a>");

    is(parse(buf_str(&html), &doc), 0, "link page parses");
    is_str(doc.base, "http://forum.example/sub/", "base href");
    is(doc.nlinks, 6, "six links kept (rel=nofollow left out)");
    if (doc.nlinks == 6) {
        is_str(doc.links[0], "/t/1", "first link");
        is_str(doc.links[1], "http://x.onion/?a=1&b=2",
               "entity in href decoded");
        is_str(doc.links[2], "/area", "area href");
        is_str(doc.links[3], "/t/3", "surrounding space trimmed");
        is_str(doc.links[4], "/t/4", "rel token must be exactly nofollow");
        is_str(doc.links[5], "ftp://last/", "link after an overlong one");
    }
    for (i = 0; i < doc.nlinks; i++)
        ok(strncmp(doc.links[i], "javascript", 10) != 0 &&
               strncmp(doc.links[i], "MAILTO", 6) != 0,
           "link %zu is neither javascript: nor mailto:", i);
    html_doc_release(&doc);
    buf_release(&html);
}

static void
test_link_cap(void)
{
    struct html_doc doc;
    struct buf html = BUF_INIT(1 << 20);
    size_t i;

    for (i = 0; i < HTML_MAX_LINKS + 10; i++)
        buf_addf(&html, "<a href=\"/p/%zu\">x</a>", i);
    is(parse(buf_str(&html), &doc), 0, "too many links is not an error");
    is(doc.nlinks, HTML_MAX_LINKS, "links stop at the cap");
    is_str(doc.links[HTML_MAX_LINKS - 1], "/p/4999", "last kept link");
    html_doc_release(&doc);
    buf_release(&html);
}

static void
test_forms(void)
{
    struct html_doc doc;
    const char *html =
        "<form action=\"/login.php\" method=\"POST\">"
        "<input name=user><input type=\"PassWord\" name=pw>"
        "<input type=submit></form>"
        "<form><input name=q><select><option>a</select></form>"
        "<input type=password name=orphan>";

    is(parse(html, &doc), 0, "form page parses");
    is(doc.nforms, 2, "two forms");
    if (doc.nforms == 2) {
        is_str(doc.forms[0].action, "/login.php", "action");
        is_str(doc.forms[0].method, "post", "method lowercased");
        ok(doc.forms[0].has_password, "password input detected");
        is(doc.forms[0].ninputs, 3, "three inputs");
        ok(doc.forms[1].action == NULL, "no action is NULL");
        is_str(doc.forms[1].method, "get", "method defaults to get");
        ok(!doc.forms[1].has_password, "search form has no password");
        is(doc.forms[1].ninputs, 2, "input and select counted");
    }
    html_doc_release(&doc);
}

static void
test_bad_bytes(void)
{
    struct html_doc doc;
    static const char html[] = "<p>one\0two</p><p>bad \xff\xfe byte</p>"
                               "<p>overlong \xc0\xaf and cut \xe2\x82</p>"
                               "<div><b><i>unclosed <a href='x'>z";

    html_doc_init(&doc);
    is(html_parse(html, sizeof(html) - 1, &doc), 0, "malformed bytes parse");
    ok(doc.invalid_utf8, "invalid UTF-8 and NUL flagged");
    ok(doc.parse_errors > 0, "malformed markup counted");
    is_str(buf_str(&doc.text),
           "one\xef\xbf\xbdtwo\nbad \xef\xbf\xbd\xef\xbf\xbd byte\n"
           "overlong \xef\xbf\xbd\xef\xbf\xbd and cut "
           "\xef\xbf\xbd\xef\xbf\xbd\nunclosed z\n",
           "bad bytes and NUL became U+FFFD, text after them kept");
    is(strlen(buf_str(&doc.text)), doc.text.len, "text holds no NUL");
    html_doc_release(&doc);
}

static void
test_from_text(void)
{
    struct html_doc doc;
    static const char text[] = "a@b.com:pw\r\n<b>not html</b>\0\x80";

    html_doc_init(&doc);
    is(html_from_text(text, sizeof(text) - 1, &doc), 0, "plain text");
    is_str(buf_str(&doc.text),
           "a@b.com:pw\r\n<b>not html</b>\xef\xbf\xbd\xef\xbf\xbd",
           "plain text kept, bad bytes replaced");
    ok(doc.invalid_utf8, "plain text with NUL flagged");
    is(doc.nlinks, 0, "plain text has no links");
    html_doc_release(&doc);

    html_doc_init(&doc);
    is(html_from_text("", 0, &doc), 0, "empty text");
    is_str(buf_str(&doc.text), "", "empty text stays empty");
    html_doc_release(&doc);
}

static void
test_deep_nesting(void)
{
    struct html_doc doc;
    struct buf html = BUF_INIT(1 << 22);
    size_t i;

    for (i = 0; i < 20000; i++)
        buf_adds(&html, "<div><span>");
    buf_adds(&html, "deep");
    is(parse(buf_str(&html), &doc), 0, "deeply nested page parses");
    ok(has(&doc, "deep"), "text at depth found");
    html_doc_release(&doc);
    buf_release(&html);
}

static void
test_caps(void)
{
    struct html_doc doc;
    size_t n = (size_t)HTML_MAX_INPUT + 1;
    char *big = xmalloc(n);

    memset(big, 'a', n);
    html_doc_init(&doc);
    is(html_parse(big, n, &doc), DRP_ETOOBIG, "input over the cap refused");
    html_doc_release(&doc);

    html_doc_init(&doc);
    is(html_from_text(big, HTML_MAX_TEXT + 1, &doc), DRP_ETOOBIG,
       "plain text over the text cap refused");
    html_doc_release(&doc);

    /* Under the input cap, but the text would pass the text cap. */
    html_doc_init(&doc);
    is(html_parse(big, HTML_MAX_TEXT + 16, &doc), DRP_ETOOBIG,
       "text over the cap is DRP_ETOOBIG");
    ok(doc.text.len <= HTML_MAX_TEXT, "text never exceeds its cap");
    html_doc_release(&doc);

    html_doc_init(&doc);
    is(html_parse(big, HTML_MAX_TEXT - 1, &doc), 0,
       "text up to the cap is fine");
    is(doc.text.len, HTML_MAX_TEXT, "all kept, with the final newline");
    html_doc_release(&doc);
    x_free(big);
}

static void
test_release_reuse(void)
{
    struct html_doc doc;

    is(parse("<title>x</title><a href=/a>a</a><form></form>", &doc), 0,
       "first parse");
    html_doc_release(&doc);
    ok(doc.title == NULL && doc.nlinks == 0 && doc.nforms == 0,
       "release empties the document");
    is(html_parse("<p>again</p>", 12, &doc), 0, "released doc reusable");
    is_str(buf_str(&doc.text), "again\n", "second parse text");
    html_doc_release(&doc);
}

/* Whether html_parse() and its reference html_parse_plain() agree on s. */
static bool
same_as_plain(const char *s)
{
    struct html_doc a, b;
    bool same;
    size_t i;

    html_doc_init(&a);
    html_doc_init(&b);
    same = html_parse(s, strlen(s), &a) == html_parse_plain(s, strlen(s), &b);
    same = same && a.text.len == b.text.len &&
           memcmp(a.text.ptr, b.text.ptr, a.text.len) == 0;
    same = same && (a.title == NULL) == (b.title == NULL) &&
           (a.title == NULL || strcmp(a.title, b.title) == 0);
    same = same && a.nlinks == b.nlinks && a.nforms == b.nforms &&
           a.ntags == b.ntags &&
           (a.ntags == 0 ||
            memcmp(a.tags, b.tags, a.ntags * sizeof(*a.tags)) == 0);
    for (i = 0; same && i < a.nlinks; i++)
        same = strcmp(a.links[i], b.links[i]) == 0;
    html_doc_release(&a);
    html_doc_release(&b);
    return same;
}

/*
 * A start tag too deep to reach gumbo leaves what was on either side of
 * it apart, as gumbo reads them with the tag: "<" "<y>" "able" is text,
 * not a tag "<able"; "</" "<y>" and "<!-" "<y>" end at the tag's '>'.
 */
static void
test_deep_join(void)
{
    static const char *const cases[][3] = {
        /* before the tag, after it, what the text holds */
        { "<", "able and more text", "<able and more text" },
        { "</", "able and more text", "able and more text" },
        { "<!-", "-able-- and more text", "-able-- and more text" },
        { "<?", "able> and more text", "able> and more text" },
        { "&am", "p; and more text", "&amp; and more text" },
    };
    struct buf html = BUF_INIT(1 << 16);
    struct html_doc doc;
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&html);
        for (k = 0; k < 300; k++)
            buf_adds(&html, "<x>");
        buf_adds(&html, cases[i][0]);
        buf_adds(&html, "<y>");
        buf_adds(&html, cases[i][1]);
        ok(same_as_plain(buf_str(&html)),
           "deep tag after '%s': placeholders change nothing", cases[i][0]);
        html_doc_init(&doc);
        is(html_parse(html.ptr, html.len, &doc), 0, "deep page parses");
        ok(strstr(buf_str(&doc.text), cases[i][2]) != NULL,
           "deep tag after '%s': text holds '%s'", cases[i][0], cases[i][2]);
        html_doc_release(&doc);
    }
    buf_release(&html);
}

/* Long text runs go through gumbo as placeholders: nothing may change. */
static void
test_placeholders(void)
{
    static const char *const pages[] = {
        "<p>a plain paragraph of text long enough to stand as one</p>",
        "<pre>\nfirst line kept after the dropped newline\r\nsecond "
        "line\rthird line</pre>",
        "<textarea>\ntext of a text area, long enough</textarea>",
        "<table><tr>text fostered out of the table, before it<td>"
        "a cell with its own long text</table>",
        "<title>a title long enough to be a run</title><p>body text "
        "long enough as well</p>",
        "<svg><![CDATA[ cdata <b> long text inside it ]]> after it "
        "the svg text</svg> and outside the svg again, long",
        "<p>text then </ x> a bogus comment with long text> after</p>",
        "<p>a <3 in the middle of long enough text and <!x> more</p>",
        "<a href='x>y'>a link whose quoted href holds a '>' sign</a>",
        "<p>text with &amp; a reference is left to gumbo as it is</p>",
        "<p>a literal \xf3\xb0\x80\x80 placeholder-like character in "
        "the page's own text</p>",
        "<p>a reference &#xF0001; that names a placeholder, long text</p>",
        "<frameset>text that a frameset drops, long enough</frameset>",
        "<script>var s = 'script text, long enough';</script><p>after "
        "the script, text</p>",
        "<plaintext>all the rest is text, <b>tags</b> included, long",
        "text before any markup at all, long enough\f",
        "<p>text at the very end without a closing tag, long enough <",
        "<div><p>first run of text here</p><p>second run of text "
        "here</p><select><option>option text long enough</select></div>",
        /* attributes left out before gumbo (TAG_BARE), and where not */
        "<div class=\"post\" id=p1><p title='a>b'>text of a post whose "
        "tags lose their attributes</p><br clear=all/><hr/class=x></div>",
        "<div class=a/><span/><p id=x/>self-closing flags on tags that "
        "lose their attributes</p>",
        "<table border=1><tr><td class=a><p id=q>a cell with text</table>",
        "<select><option>x</select><title>a title in the select's "
        "mode is no raw text</title><div class=a>after</div>",
        "<svg><div class=x/>breaks out of the svg<p id=y>text</svg>",
        "<!x <div title=\"a>b\"> text> after a bogus comment<p id=z>x",
        "</ <div title=\"q\"><noembed> then<div class=n>raw text</div>",
        "<title>a title that </titlex> goes on <div class=t>here</title>",
        "<script><!--<script></script><div class=s>x</div></script>"
        "<p class=after>after the script's escaped text</p>",
        "<textarea><div class=a>text of the text area</textarea>",
        "<!DOCTYPE html><html lang=en><body class=b><div class=c>page "
        "text</div></body></html>",
        "<div class=\"unterminated value to the end of the input",
    };
    size_t i;
    bool all = true;

    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        if (!same_as_plain(pages[i])) {
            diag("differs from html_parse_plain(): %s", pages[i]);
            all = false;
        }
    ok(all, "placeholders: text, title, links, forms and tags as gumbo "
            "gives them character by character (%zu pages)",
       sizeof(pages) / sizeof(pages[0]));
}

/* a, b and c one after the other into page (128 bytes). */
static void
page_of(char *page, const char *a, const char *b, const char *c)
{
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);

    if (na + nb + nc >= 128)
        abort();
    memcpy(page, a, na);
    memcpy(page + na, b, nb);
    memcpy(page + na + nb, c, nc + 1);
}

/*
 * Characters that gumbo reads as U+FFFD (controls, noncharacters) in text
 * long enough to be a run: gumbo's U+FFFD, placeholders or not.
 */
static void
test_placeholder_controls(void)
{
    static const char *const chars[] = {
        "\x01", "\x0b", "\x1f", "\x7f", "\xc2\x80", "\xc2\x9f",
        "\xef\xb7\x90", "\xef\xb7\xaf", "\xef\xbf\xbe", "\xef\xbf\xbf",
        "\xf0\x9f\xbf\xbe", "\xf4\x8f\xbf\xbf",
    };
    static const char *const shapes[][2] = {
        { "<div>a@northwind.c", "m:Summer2024! long enough<br>next</div>" },
        { "<pre>\nkept ", " in a pre, long enough</pre>" },
        { "<p>", " at the start of a run of text</p>" },
    };
    struct html_doc doc;
    char page[128];
    size_t i, j;
    bool same = true, replaced = true;

    for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
        for (j = 0; j < sizeof(shapes) / sizeof(shapes[0]); j++) {
            page_of(page, shapes[j][0], chars[i], shapes[j][1]);
            if (!same_as_plain(page)) {
                diag("differs from html_parse_plain(): char %zu, shape %zu",
                     i, j);
                same = false;
            }
            html_doc_init(&doc);
            if (html_parse(page, strlen(page), &doc) != 0 ||
                strstr(buf_str(&doc.text), "\xef\xbf\xbd") == NULL ||
                strstr(buf_str(&doc.text), chars[i]) != NULL) {
                diag("char %zu, shape %zu: not read as U+FFFD", i, j);
                replaced = false;
            }
            html_doc_release(&doc);
        }
    ok(same, "placeholders: controls and noncharacters as gumbo reads them");
    ok(replaced, "controls and noncharacters in text become U+FFFD");
}

/*
 * A page that ends inside a tag whose last byte is '<': nothing is read
 * past it (the input copied to the heap, without a NUL, so that ASan
 * sees a read past its end).
 */
static void
test_eof_in_tag(void)
{
    static const char *const pages[] = {
        "x<a href=<",
        "<p>a page that ends inside a tag, then a '<': <div class=a<",
    };
    struct html_doc doc;
    size_t i, n;
    char *copy;

    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        n = strlen(pages[i]);
        copy = xmalloc(n);
        memcpy(copy, pages[i], n);
        html_doc_init(&doc);
        is(html_parse(copy, n, &doc), 0, "ends inside a tag, then '<': %s",
           pages[i]);
        html_doc_release(&doc);
        free(copy);
    }
}

/*
 * Markup on which gumbo 0.10 fails an assertion (and would abort the
 * process): the page is read as plain text instead, the parser said to
 * have failed, and the next page parses as usual.
 */
static void
test_parser_abort(void)
{
    static const char *const pages[] = {
        "<table><svg><title><![CDATA[x]]>\r",
        "<p>admin@leak.example</p><table><math><mi><![CDATA[x]]>y<a>z</a>",
        "<table><svg><desc><![CDATA[x]]>y",
    };
    struct html_doc doc;
    size_t i;
    int k;

    for (k = 0; k < 2; k++) {
        for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
            html_doc_init(&doc);
            is(k ? html_parse_plain(pages[i], strlen(pages[i]), &doc)
                 : html_parse(pages[i], strlen(pages[i]), &doc),
               0, "gumbo's assertion is not the end (%s): %s",
               k ? "plain" : "placeholders", pages[i]);
            ok(doc.parser_failed && doc.nlinks == 0 &&
                   strcmp(buf_str(&doc.text), pages[i]) == 0,
               "the page's bytes are its text");
            html_doc_release(&doc);
        }
    }
    ok(parse("<table><svg><title>x</title></svg><tr><td>cell</table>",
             &doc) == 0 &&
           !doc.parser_failed && strstr(buf_str(&doc.text), "cell"),
       "the next page parses as usual");
    html_doc_release(&doc);
}

int
main(void)
{
    test_forum_combos();
    test_pre_and_whitespace();
    test_hidden_and_entities();
    test_table();
    test_links();
    test_link_cap();
    test_forms();
    test_bad_bytes();
    test_from_text();
    test_deep_nesting();
    test_deep_join();
    test_caps();
    test_release_reuse();
    test_parser_abort();
    test_placeholders();
    test_placeholder_controls();
    test_eof_in_tag();
    return done_testing();
}

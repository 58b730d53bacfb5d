/*
 * Tests for extract/context.c through extract_text(): the same finding
 * with and without a context word, near it, at the top of the text, too
 * far, of the wrong family, inside a longer word or inside the finding.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "extract/context.h"
#include "extract/extract.h"
#include "tests/tap.h"
#include "common/banned.h"

static struct extractor *x;
static int pass_diffs; /* texts whose confidences differ by the word pass */

static int
conf_of(const char *text, enum finding_kind kind)
{
    struct findings f;
    size_t i;
    int c = -1;

    findings_init(&f);
    extract_text(x, text, strlen(text), &f);
    for (i = 0; i < f.n && c < 0; i++)
        if (f.v[i].kind == kind)
            c = f.v[i].confidence;
    findings_release(&f);
    return c;
}

/* The confidence of the first finding of kind in text, or -1; the words
   found by the prefilter's pass and by context_raise()'s own scan of the
   findings' windows (without the prefilter) must give the same. */
static int
conf(const char *text, enum finding_kind kind)
{
    int c = conf_of(text, kind), own;

    extractor_set_prefilter(x, false);
    own = conf_of(text, kind);
    extractor_set_prefilter(x, true);
    if (own != c) {
        pass_diffs++;
        diag("confidence %d with the prefilter, %d without: %.60s", c, own,
             text);
    }
    return c;
}

/* before, a filler of n bytes (no word in it), after. */
static char *
padded(const char *before, size_t n, const char *after)
{
    struct buf b = BUF_INIT(1u << 20);
    size_t i;

    buf_adds(&b, before);
    for (i = 0; i < n; i++)
        buf_addc(&b, i % 8 ? 'x' : ' ');
    buf_adds(&b, after);
    return buf_detach(&b, NULL);
}

static void
test_leak_words(void)
{
    static const char combo[] = "bob@corp-mail.net:Sunshine42\n";
    int base = conf("bob@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL);
    char *s;

    is(base, 85, "a combo line alone: the extractor's confidence");
    s = xasprintf("fresh combo below\n%s", combo);
    is(conf(s, FIND_CREDENTIAL), base + CONTEXT_NEAR_RAISE,
       "'combo' on the line above raises it");
    free(s);
    is(conf("bob@corp-mail.net (LEAKED)\n", FIND_EMAIL),
       90 + CONTEXT_NEAR_RAISE, "'LEAKED' on the same line, any case");
    is(conf("Stealer logs: bob@corp-mail.net\n", FIND_EMAIL),
       90 + CONTEXT_NEAR_RAISE, "e-mail addresses too");
    is(conf("write to bob@corp-mail.net\n", FIND_EMAIL), 90,
       "no word: e-mail unchanged");
    is(conf("card dump 4111 1111 1111 1111 exp 12/27\n", FIND_CARD),
       100, "cards too, never above 100");
    /* A word too far and not in the head: nothing. */
    {
        char *head = padded("", CONTEXT_HEAD, "database");

        s = padded(head, CONTEXT_BEFORE + 1,
                   "\nbob@corp-mail.net:Sunshine42\n");
        is(conf(s, FIND_CREDENTIAL), base,
           "a word far away and not at the top");
        free(s);
        free(head);
    }
    /* At the top, farther than CONTEXT_BEFORE: the smaller raise. */
    s = padded("Combolist 2024", CONTEXT_BEFORE + 10,
               "\nbob@corp-mail.net:Sunshine42\n");
    is(conf(s, FIND_CREDENTIAL), base + CONTEXT_HEAD_RAISE,
       "a word in the document's first bytes");
    free(s);
    s = padded("bob@corp-mail.net:Sunshine42\n", CONTEXT_AFTER - 10,
               " breach\n");
    is(conf(s, FIND_CREDENTIAL), base + CONTEXT_NEAR_RAISE,
       "a word just after, within CONTEXT_AFTER");
    free(s);
    {
        char *head = padded("", CONTEXT_HEAD, "\n");

        s = padded(head, 0, "bob@corp-mail.net:Sunshine42\n");
        free(head);
        head = padded(s, CONTEXT_AFTER, " breach\n");
        is(conf(head, FIND_CREDENTIAL), base,
           "a word past CONTEXT_AFTER does not count");
        free(head);
        free(s);
    }
    is(conf("Combolists:\nbob@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL),
       base + CONTEXT_NEAR_RAISE, "'Combolists': a stem and its ending");
    is(conf("dumped here\nbob@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL),
       base + CONTEXT_NEAR_RAISE, "'dumped'");
}

static void
test_not_words(void)
{
    int base = conf("bob@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL);

    is(conf("our blogs and leakage\nbob@corp-mail.net:Sunshine42\n",
            FIND_CREDENTIAL),
       base, "'blogs' and 'leakage' are not 'logs' and 'leak'");
    is(conf("dumpster, combover, databased\nbob@corp-mail.net:Sunshine42\n",
            FIND_CREDENTIAL),
       base, "endings other than the word's own do not count");
    is(conf("leak@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL), base,
       "a word inside the finding itself does not count");
    is(conf("malware C2\nbob@corp-mail.net:Sunshine42\n", FIND_CREDENTIAL),
       base, "IoC words do not raise credentials");
    is(conf("combo list: 45.142.212.61\n", FIND_IPV4), 80,
       "leak words do not raise IoCs");
}

static void
test_ioc_words(void)
{
    is(conf("seen 45.142.212.61 yesterday\n", FIND_IPV4), 80,
       "an address alone");
    is(conf("C2: 45.142.212.61\n", FIND_IPV4), 80 + CONTEXT_NEAR_RAISE,
       "'C2' raises it");
    is(conf("C2: 45.142.212[.]61\n", FIND_IPV4), 90 + CONTEXT_NEAR_RAISE,
       "and a defanged one, 90 for its marking");
    is(conf("ec2 45.142.212.61\n", FIND_IPV4), 80, "'ec2' is not 'c2'");
    is(conf("IOCs\nhttp://evil-cdn.net/gate.php\n", FIND_URL),
       85 + CONTEXT_NEAR_RAISE, "URLs");
    is(conf("phishing kit evil-cdn.net\n", FIND_DOMAIN),
       70 + CONTEXT_NEAR_RAISE, "domains");
    is(conf("malware sample 66fafe3ef72872174f447699becb74a1\n", FIND_MD5),
       80 + CONTEXT_NEAR_RAISE, "hashes");
}

static void
test_no_findings(void)
{
    struct findings f;

    findings_init(&f);
    is(extract_text(x, "leak dump combo c2 malware\n", 27, &f), 0,
       "words alone");
    is((int)f.n, 0, "make no finding");
    findings_release(&f);
}

int
main(void)
{
    x = extractor_new(NULL, 0, (const unsigned char *)"k", 1);
    if (!ok(x != NULL, "extractor compiles"))
        return done_testing();
    test_leak_words();
    test_not_words();
    test_ioc_words();
    test_no_findings();
    is(pass_diffs, 0, "the words found in the prefilter's pass and in "
                      "the findings' windows raise the same");
    extractor_free(x);
    return done_testing();
}

/*
 * crawler/permute.c: what each fuzzer makes, IDN candidates checked
 * against libidn2 both ways, per-TLD IDN tables, the domain's prefix,
 * the dictionary, clear errors on bad input, bounded output and work.
 */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "common/err.h"
#include "crawler/permute.h"
#include "tests/tap.h"

static struct permuter *p;
static struct buf err = BUF_INIT(4096);

/* The fuzzers of candidate name (A-labels) in l, or 0 when absent. */
static uint32_t
fuzzers_of(const struct lookalikes *l, const char *name)
{
    struct lookalike c;
    size_t i;

    for (i = 0; i < l->n; i++) {
        lookalikes_get(l, i, &c);
        if (strcmp(c.name, name) == 0)
            return c.fuzzers;
    }
    return 0;
}

static void
has(const struct lookalikes *l, const char *name, enum permute_fuzzer f)
{
    ok((fuzzers_of(l, name) >> f) & 1, "%s: %s makes %s",
       l->unicode ? l->unicode : "?", permute_fuzzer_name(f), name);
}

static void
hasnt(const struct lookalikes *l, const char *name)
{
    ok(fuzzers_of(l, name) == 0, "%s: no candidate %s",
       l->unicode ? l->unicode : "?", name);
}

/* The A-labels libidn2 gives the Unicode name (IDNA2008, no mapping). */
static char *
idn2_ascii(const char *unicode)
{
    uint8_t *out = NULL;
    char *s = NULL;

    if (idn2_lookup_u8((const uint8_t *)unicode, &out, IDN2_NO_TR46) ==
        IDN2_OK)
        s = strdup((char *)out);
    idn2_free(out);
    return s;
}

/* The homoglyph candidate written unicode is there, in libidn2's
   A-labels. */
static void
has_idn(const struct lookalikes *l, const char *unicode,
        enum permute_fuzzer f)
{
    char *a = idn2_ascii(unicode);

    ok(a != NULL && ((fuzzers_of(l, a) >> f) & 1), "%s makes %s (%s)",
       permute_fuzzer_name(f), unicode, a ? a : "(not IDNA2008)");
    free(a);
}

static void
hasnt_idn(const struct lookalikes *l, const char *unicode)
{
    char *a = idn2_ascii(unicode);

    ok(a != NULL && fuzzers_of(l, a) == 0, "%s: no candidate %s (%s)",
       l->unicode, unicode, a ? a : "(not IDNA2008)");
    free(a);
}

/* Every candidate: a host name in LDH labels of 1 to 63 bytes, at most
   253 in all; its IDN labels are libidn2's both ways. */
static void
all_valid(const struct lookalikes *l)
{
    struct lookalike c;
    size_t i, bad = 0, idn = 0, label, k;
    char *a, *u;

    for (i = 0; i < l->n; i++) {
        lookalikes_get(l, i, &c);
        label = 0;
        for (k = 0; c.name[k] != '\0'; k++) {
            if (c.name[k] == '.') {
                if (label == 0 || c.name[k - 1] == '-')
                    bad++;
                label = 0;
            } else if (!((c.name[k] >= 'a' && c.name[k] <= 'z') ||
                         (c.name[k] >= '0' && c.name[k] <= '9') ||
                         (c.name[k] == '-' && label > 0)) ||
                       ++label > 63) {
                bad++;
            }
        }
        if (k == 0 || k > 253 || label == 0 || c.name[k - 1] == '-' ||
            c.fuzzers == 0)
            bad++;
        if (strcmp(c.name, c.unicode) != 0) {
            idn++;
            a = idn2_ascii(c.unicode);
            u = NULL;
            if (a == NULL || strcmp(a, c.name) != 0 ||
                idn2_to_unicode_8z8z(c.name, &u, 0) != IDN2_OK ||
                strcmp(u, c.unicode) != 0) {
                if (bad < 5)
                    diag("invalid: %s %s (libidn2: %s)", c.name, c.unicode,
                         a ? a : "refused");
                bad++;
            }
            free(a);
            idn2_free(u);
        }
    }
    ok(bad == 0 && l->n > 0,
       "%s: all %zu candidates are host names, %zu IDN ones as libidn2 "
       "encodes and decodes them",
       l->unicode, l->n, idn);
}

static int
run(const char *domain, uint32_t mask, struct lookalikes *l)
{
    return permuter_run(p, domain, strlen(domain), mask, l, &err);
}

static void
errors(void)
{
    struct lookalikes l;
    char big[300];
    int rc;

    lookalikes_init(&l, 0);
    is(run("", PERMUTE_ALL, &l), DRP_EINVAL, "an empty name is refused");
    is(run("co.uk", PERMUTE_ALL, &l), DRP_EINVAL, "a public suffix is refused");
    ok(strstr(buf_str(&err), "no registrable part") != NULL,
       "saying it has no registrable part: %s", buf_str(&err));
    is(run("localhost", PERMUTE_ALL, &l), DRP_EINVAL, "so is a single label");
    is(run("192.0.2.1", PERMUTE_ALL, &l), DRP_EINVAL, "and an IP address");
    is(run("exa mple.com", PERMUTE_ALL, &l), DRP_EINVAL, "a blank is refused");
    is(run("xn--zz.com", PERMUTE_ALL, &l), DRP_EINVAL, "bad punycode too");
    is(run("a..com", PERMUTE_ALL, &l), DRP_EINVAL, "an empty label too");
    memset(big, 'a', 64);
    memcpy(big + 64, ".com", 5);
    rc = run(big, PERMUTE_ALL, &l);
    is(rc, DRP_ETOOBIG, "a label of 64 bytes is too big");
    ok(strstr(buf_str(&err), "longer than 63 bytes") != NULL, "saying so: %s",
       buf_str(&err));
    memset(big, 'a', 250);
    big[60] = big[120] = big[180] = '.';
    memcpy(big + 250, ".com", 5);
    is(run(big, PERMUTE_ALL, &l), DRP_ETOOBIG, "a name of 254 bytes too");
    ok(strstr(buf_str(&err), "longer than 253 bytes") != NULL, "saying so: %s",
       buf_str(&err));
    is(l.n, 0, "no candidates after an error");
    lookalikes_release(&l);
}

static void
fuzzer_names(void)
{
    uint32_t mask = 0;

    is(permute_parse_fuzzers("omission, homoglyph", &mask, &err), 0,
       "a list of fuzzers parses");
    is(mask, (1u << PERMUTE_OMISSION) | (1u << PERMUTE_HOMOGLYPH),
       "into their mask");
    is(permute_parse_fuzzers("all", &mask, &err), 0, "'all' parses");
    is(mask, PERMUTE_ALL, "into every fuzzer");
    is(permute_parse_fuzzers("omission,vowelswap", &mask, &err), DRP_EINVAL,
       "an unknown name is refused");
    ok(strstr(buf_str(&err), "unknown fuzzer 'vowelswap'") != NULL &&
           strstr(buf_str(&err), "vowel-swap, various") != NULL,
       "naming it and the valid ones: %s", buf_str(&err));
    is(permute_parse_fuzzers(",", &mask, &err), DRP_EINVAL,
       "an empty list is refused");
    is_str(permute_fuzzer_name(PERMUTE_TLD_SWAP), "tld-swap",
           "names as dnstwist spells them");
}

static void
example(void)
{
    struct lookalikes l;
    struct lookalike c;
    size_t i, only = 0;

    lookalikes_init(&l, 0);
    is(run("Example.COM.", PERMUTE_ALL, &l), 0, "example.com permutes");
    is_str(l.domain, "example.com", "the domain, lower case, no dot");
    ok(l.n > 2000 && !l.truncated, "%zu candidates, none cut", l.n);
    hasnt(&l, "example.com");
    has(&l, "exmple.com", PERMUTE_OMISSION);
    has(&l, "examplea.com", PERMUTE_ADDITION);
    has(&l, "example9.com", PERMUTE_ADDITION);
    has(&l, "dxample.com", PERMUTE_BITSQUATTING); /* 'e' ^ 1 */
    has(&l, "uxample.com", PERMUTE_BITSQUATTING); /* 'e' ^ 16 */
    has(&l, "ex-ample.com", PERMUTE_HYPHENATION);
    has(&l, "exsample.com", PERMUTE_INSERTION);
    has(&l, "wexample.com", PERMUTE_INSERTION); /* before the first */
    has(&l, "eexample.com", PERMUTE_REPETITION);
    has(&l, "wxample.com", PERMUTE_REPLACEMENT);  /* QWERTY */
    has(&l, "exampke.com", PERMUTE_REPLACEMENT);  /* QWERTY */
    has(&l, "exymple.com", PERMUTE_REPLACEMENT);  /* QWERTZ only */
    has(&l, "exalple.com", PERMUTE_REPLACEMENT);  /* AZERTY only */
    has(&l, "ex.ample.com", PERMUTE_SUBDOMAIN);
    has(&l, "xeample.com", PERMUTE_TRANSPOSITION);
    has(&l, "exomple.com", PERMUTE_VOWEL_SWAP);
    has(&l, "examples.com", PERMUTE_PLURAL);
    has(&l, "exasmple.com", PERMUTE_PLURAL);
    has(&l, "examplecom.com", PERMUTE_VARIOUS);
    has(&l, "example.net", PERMUTE_TLD_SWAP);
    has(&l, "example.co.uk", PERMUTE_TLD_SWAP);
    has(&l, "example-login.com", PERMUTE_DICTIONARY);
    has(&l, "loginexample.com", PERMUTE_DICTIONARY);
    has(&l, "example-login.com", PERMUTE_COMBOSQUATTING);
    has(&l, "secure-example.com", PERMUTE_COMBOSQUATTING);
    has(&l, "examplesecure.com", PERMUTE_COMBOSQUATTING);
    has(&l, "example.duckdns.org", PERMUTE_DYNDNS);
    has(&l, "example-com.ddns.net", PERMUTE_DYNDNS);
    has(&l, "examp1e.com", PERMUTE_HOMOGLYPH);
    has(&l, "exarnple.com", PERMUTE_HOMOGLYPH);
    has(&l, "exannple.com", PERMUTE_HOMOGLYPH);
    has(&l, "exampie.com", PERMUTE_HOMOGLYPH);
    has(&l, "exarnpie.com", PERMUTE_HOMOGLYPH); /* two passes */
    ok(!(fuzzers_of(&l, "3xample.com") & (1u << PERMUTE_HOMOGLYPH)),
       "e by 3: a neighbouring key, no glyph");
    has_idn(&l, "ехамрӏе.com", PERMUTE_CYRILLIC);
    has_idn(&l, "exämple.com", PERMUTE_HOMOGLYPH);
    has_idn(&l, "éxamplé.com", PERMUTE_HOMOGLYPH); /* an e a pass */
    has_idn(&l, "ëxampľe.com", PERMUTE_HOMOGLYPH); /* two passes */
    has_idn(&l, "exaṁpie.com", PERMUTE_HOMOGLYPH);
    ok((fuzzers_of(&l, "examples.com") & (1u << PERMUTE_ADDITION)) != 0,
       "a candidate two fuzzers make has both");
    all_valid(&l);
    is(run("example.com", 1u << PERMUTE_OMISSION, &l), 0, "omission alone");
    for (i = 0; i < l.n; i++) {
        lookalikes_get(&l, i, &c);
        only += c.fuzzers == (1u << PERMUTE_OMISSION);
    }
    ok(l.n == 7 && only == 7, "7 omissions of example.com, from it alone (%zu)",
       l.n);
    lookalikes_release(&l);
}

static void
idn_domains(void)
{
    struct lookalikes l;
    struct lookalike c;
    size_t i, idn = 0, cyr = 0;

    lookalikes_init(&l, 0);
    is(run("xn--bcher-kva.de", PERMUTE_ALL, &l), 0, "an IDN in A-labels");
    is_str(l.unicode, "bücher.de", "its Unicode form");
    has(&l, "bcher.de", PERMUTE_OMISSION);
    has_idn(&l, "übcher.de", PERMUTE_TRANSPOSITION);
    has_idn(&l, "büchér.de", PERMUTE_HOMOGLYPH); /* DENIC takes é */
    has_idn(&l, "bücheŕ.de", PERMUTE_HOMOGLYPH);
    has_idn(&l, "bücher-login.de", PERMUTE_COMBOSQUATTING);
    hasnt(&l, "xn--bcher-kva.de");
    /* DENIC takes neither ɓ nor ḃ (IDN tables); ŕ and ı it does. */
    hasnt_idn(&l, "ɓücher.de");
    hasnt_idn(&l, "ḃücher.de");
    all_valid(&l);
    is(run("BÜCHER.de", PERMUTE_ALL, &l), 0, "the same in Unicode");
    is_str(l.domain, "xn--bcher-kva.de", "the same domain");
    is(run("example.co.uk", PERMUTE_ALL, &l), 0, "example.co.uk permutes");
    has(&l, "example.uk", PERMUTE_VARIOUS);
    has(&l, "exampleco.uk", PERMUTE_VARIOUS);
    has(&l, "exmple.co.uk", PERMUTE_OMISSION);
    has(&l, "example.com", PERMUTE_TLD_SWAP);
    has(&l, "example-co-uk.duckdns.org", PERMUTE_DYNDNS);
    for (i = 0; i < l.n; i++) {
        lookalikes_get(&l, i, &c);
        if (strcmp(c.name, c.unicode) != 0) {
            if (c.fuzzers & (1u << PERMUTE_HOMOGLYPH))
                idn++;
            else
                cyr += c.fuzzers == (1u << PERMUTE_CYRILLIC);
        }
    }
    ok(idn == 0 && cyr == 1,
       ".uk takes no IDN: no homoglyph beyond ASCII (%zu), the Cyrillic "
       "one stays (%zu)", idn, cyr);
    all_valid(&l);
    lookalikes_release(&l);
}

static void
prefix_and_words(void)
{
    struct lookalikes l;
    static const char words[] = "Foo\r\n# comment\n// and this\n\n  bar-baz \n";
    char many[12 * (PERMUTE_MAX_WORDS + 1) + 1];
    size_t i;

    lookalikes_init(&l, 0);
    is(run("www.example.com", PERMUTE_ALL, &l), 0, "a name below a domain");
    has(&l, "www.exmple.com", PERMUTE_OMISSION);
    has(&l, "www.example.net", PERMUTE_TLD_SWAP);
    has(&l, "wwwexample.com", PERMUTE_VARIOUS);
    has(&l, "www-example.com", PERMUTE_VARIOUS);
    has(&l, "example.duckdns.org", PERMUTE_DYNDNS);
    hasnt(&l, "www.example.com");
    all_valid(&l);

    is(permuter_set_words(p, words, strlen(words), "w.txt", &err), 0,
       "a dictionary loads");
    is(run("north-wind7.com", 1u << PERMUTE_DICTIONARY, &l), 0,
       "north-wind7.com with it");
    has(&l, "north-wind7-foo.com", PERMUTE_DICTIONARY);
    has(&l, "foonorth-wind7.com", PERMUTE_DICTIONARY);
    has(&l, "north-bar-baz.com", PERMUTE_DICTIONARY); /* last part */
    has(&l, "bar-baz-wind7.com", PERMUTE_DICTIONARY); /* first part */
    is(l.n, 12, "2 words x 6 forms");
    is(permuter_set_words(p, "ok\n-bad\n", 8, "w.txt", &err), DRP_EINVAL,
       "a word starting with '-' is refused");
    is_str(buf_str(&err),
           "w.txt:2: not a word: letters a-z, digits and '-' (not first or "
           "last), 1 to 63 bytes",
           "with its line");
    is(permuter_set_words(p, "caf\xc3\xa9\n", 6, "w.txt", &err), DRP_EINVAL,
       "so is one beyond ASCII");
    for (i = 0; i <= PERMUTE_MAX_WORDS; i++)
        memcpy(many + 12 * i, "abcdefghij\n ", 12);
    is(permuter_set_words(p, many, 12 * (PERMUTE_MAX_WORDS + 1), "w.txt",
                          &err),
       DRP_ETOOBIG, "more than %d words are too many", PERMUTE_MAX_WORDS);
    is(run("north-wind7.com", 1u << PERMUTE_DICTIONARY, &l), 0,
       "the dictionary is unchanged after errors");
    is(l.n, 12, "still 2 words");
    lookalikes_release(&l);
}

static void
bounds(void)
{
    struct lookalikes l;
    char a40[50];

    lookalikes_init(&l, 100);
    is(run("example.com", PERMUTE_ALL, &l), 0, "a cap of 100");
    ok(l.n == 100 && l.truncated, "gives 100 candidates, marked cut (%zu)",
       l.n);
    lookalikes_release(&l);
    /* Runs of one letter make the homoglyph passes repeat themselves:
       the work is bounded too. */
    lookalikes_init(&l, 20000);
    memset(a40, 'a', 40);
    memcpy(a40 + 40, ".com", 5);
    is(run(a40, PERMUTE_ALL, &l), 0, "40 a's");
    ok(l.n <= 20000 && l.truncated && l.cut == PERMUTE_HOMOGLYPH,
       "are cut in the homoglyph fuzzer (%zu candidates)", l.n);
    memcpy(a40 + 39, ".com", 5); /* one a less */
    has(&l, a40, PERMUTE_OMISSION);
    all_valid(&l);
    lookalikes_release(&l);
}

int
main(void)
{
    p = permuter_new();
    if (!ok(p != NULL, "the engine starts"))
        return done_testing();
    fuzzer_names();
    errors();
    example();
    idn_domains();
    prefix_and_words();
    bounds();
    permuter_free(p);
    buf_release(&err);
    return done_testing();
}

/*
 * The permutation engine: the fuzzers of dnstwist (of its Debian release
 * and of later ones: the union of both), combosquatting and dynamic-DNS
 * hosts, over the registrable label in code points. Candidates go into
 * one arena of strings with an open-addressing set on their Unicode
 * form; no allocation per candidate. No I/O, no DNS.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <libpsl.h>
#include <unicode/uidna.h>
#include <unictype.h>
#include <unistr.h>

#include "common/err.h"
#include "common/idn.h"
#include "common/xalloc.h"
#include "crawler/permute.h"
#include "common/banned.h"

#define LABEL_MAX 63   /* bytes of a label in A-labels */
#define SCRATCH 1024   /* code points of a label being built; the largest
                          is a prefix (253) folded into the label (63)
                          with a suffix (253) */
#define KEY_MAX (4 * SCRATCH + 2 * IDN_MAX_INPUT + 2)
#define CACHE_SLOTS 4096 /* code points whose validity is remembered */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const fuzzer_names[PERMUTE_FUZZER_COUNT] = {
    [PERMUTE_ADDITION] = "addition",
    [PERMUTE_BITSQUATTING] = "bitsquatting",
    [PERMUTE_CYRILLIC] = "cyrillic",
    [PERMUTE_HOMOGLYPH] = "homoglyph",
    [PERMUTE_HYPHENATION] = "hyphenation",
    [PERMUTE_INSERTION] = "insertion",
    [PERMUTE_OMISSION] = "omission",
    [PERMUTE_PLURAL] = "plural",
    [PERMUTE_REPETITION] = "repetition",
    [PERMUTE_REPLACEMENT] = "replacement",
    [PERMUTE_SUBDOMAIN] = "subdomain",
    [PERMUTE_TRANSPOSITION] = "transposition",
    [PERMUTE_VOWEL_SWAP] = "vowel-swap",
    [PERMUTE_VARIOUS] = "various",
    [PERMUTE_DICTIONARY] = "dictionary",
    [PERMUTE_TLD_SWAP] = "tld-swap",
    [PERMUTE_COMBOSQUATTING] = "combosquatting",
    [PERMUTE_DYNDNS] = "dyndns",
};

/* Keyboard neighbours of each key (QWERTY, QWERTZ, AZERTY), as dnstwist
   has them. */
static const char *const qwerty[128] = {
    ['1'] = "2q", ['2'] = "3wq1", ['3'] = "4ew2", ['4'] = "5re3",
    ['5'] = "6tr4", ['6'] = "7yt5", ['7'] = "8uy6", ['8'] = "9iu7",
    ['9'] = "0oi8", ['0'] = "po9", ['q'] = "12wa", ['w'] = "3esaq2",
    ['e'] = "4rdsw3", ['r'] = "5tfde4", ['t'] = "6ygfr5", ['y'] = "7uhgt6",
    ['u'] = "8ijhy7", ['i'] = "9okju8", ['o'] = "0plki9", ['p'] = "lo0",
    ['a'] = "qwsz", ['s'] = "edxzaw", ['d'] = "rfcxse", ['f'] = "tgvcdr",
    ['g'] = "yhbvft", ['h'] = "ujnbgy", ['j'] = "ikmnhu", ['k'] = "olmji",
    ['l'] = "kop", ['z'] = "asx", ['x'] = "zsdc", ['c'] = "xdfv",
    ['v'] = "cfgb", ['b'] = "vghn", ['n'] = "bhjm", ['m'] = "njk",
};
static const char *const qwertz[128] = {
    ['1'] = "2q", ['2'] = "3wq1", ['3'] = "4ew2", ['4'] = "5re3",
    ['5'] = "6tr4", ['6'] = "7zt5", ['7'] = "8uz6", ['8'] = "9iu7",
    ['9'] = "0oi8", ['0'] = "po9", ['q'] = "12wa", ['w'] = "3esaq2",
    ['e'] = "4rdsw3", ['r'] = "5tfde4", ['t'] = "6zgfr5", ['z'] = "7uhgt6",
    ['u'] = "8ijhz7", ['i'] = "9okju8", ['o'] = "0plki9", ['p'] = "lo0",
    ['a'] = "qwsy", ['s'] = "edxyaw", ['d'] = "rfcxse", ['f'] = "tgvcdr",
    ['g'] = "zhbvft", ['h'] = "ujnbgz", ['j'] = "ikmnhu", ['k'] = "olmji",
    ['l'] = "kop", ['y'] = "asx", ['x'] = "ysdc", ['c'] = "xdfv",
    ['v'] = "cfgb", ['b'] = "vghn", ['n'] = "bhjm", ['m'] = "njk",
};
static const char *const azerty[128] = {
    ['1'] = "2a", ['2'] = "3za1", ['3'] = "4ez2", ['4'] = "5re3",
    ['5'] = "6tr4", ['6'] = "7yt5", ['7'] = "8uy6", ['8'] = "9iu7",
    ['9'] = "0oi8", ['0'] = "po9", ['a'] = "2zq1", ['z'] = "3esqa2",
    ['e'] = "4rdsz3", ['r'] = "5tfde4", ['t'] = "6ygfr5", ['y'] = "7uhgt6",
    ['u'] = "8ijhy7", ['i'] = "9okju8", ['o'] = "0plki9", ['p'] = "lo0m",
    ['q'] = "zswa", ['s'] = "edxwqz", ['d'] = "rfcxse", ['f'] = "tgvcdr",
    ['g'] = "yhbvft", ['h'] = "ujnbgy", ['j'] = "iknhu", ['k'] = "olji",
    ['l'] = "kopm", ['m'] = "lp", ['w'] = "sxq", ['x'] = "wsdc",
    ['c'] = "xdfv", ['v'] = "cfgb", ['b'] = "vghn", ['n'] = "bhj",
};
static const char *const *const keyboards[] = { qwerty, qwertz, azerty };

/* Latin letters and their Cyrillic lookalikes. */
static const uint32_t cyrillic[128] = {
    ['a'] = 0x0430, ['b'] = 0x044c, ['c'] = 0x0441, ['d'] = 0x0501,
    ['e'] = 0x0435, ['g'] = 0x050d, ['h'] = 0x04bb, ['i'] = 0x0456,
    ['j'] = 0x0458, ['k'] = 0x043a, ['l'] = 0x04cf, ['m'] = 0x043c,
    ['o'] = 0x043e, ['p'] = 0x0440, ['q'] = 0x051b, ['s'] = 0x0455,
    ['t'] = 0x0442, ['v'] = 0x0475, ['w'] = 0x051d, ['x'] = 0x0445,
    ['y'] = 0x0443,
};

/*
 * Homoglyphs: what a key (one or two characters) can be taken for, in
 * ASCII (one or two characters each, blank-separated) and beyond (one
 * code point each). The union of the tables of dnstwist's releases.
 */
static const struct {
    const char *key, *ascii, *unicode;
} glyph_rows[] = {
    { "0", "o", "" },
    { "1", "l i", "" },
    { "2", "", "ƻ" },
    { "3", "8", "ʒ" },
    { "5", "", "ƽ" },
    { "6", "9", "" },
    { "8", "3", "" },
    { "9", "6", "" },
    { "a", "", "àáâãäåɑạǎăȧąəā" },
    { "b", "d lb", "ʙɓḃḅḇƅ" },
    { "c", "e", "ƈċćçčĉᴄ" },
    { "d", "b cl dl", "ɗđďɖḑḋḍḏḓ" },
    { "e", "c", "éèêëēĕěėẹęȩɇḛ" },
    { "f", "", "ƒḟ" },
    { "g", "q", "ɢɡġğǵģĝǧǥ" },
    { "h", "lh", "ĥȟħɦḧḩⱨḣḥḫẖ" },
    { "i", "1 l", "íìïıɩǐĭỉịɨȋīɪĩîį" },
    { "j", "", "ʝǰɉĵ" },
    { "k", "lk ik lc", "ḳḵⱪķᴋĸǩ" },
    { "l", "1 i", "ɫłĺļľ" },
    { "m", "n nn rn rr", "ṁṃᴍɱḿ" },
    { "n", "m r", "ńṅṇṉñņǹňꞑŋ" },
    { "o", "0", "ȯọỏơóöᴏôōòŏőõø" },
    { "p", "", "ƿƥṕṗ" },
    { "q", "g", "ʠ" },
    { "r", "", "ʀɼɽŕŗřɍɾȓȑṙṛṟ" },
    { "s", "", "ʂśṣṡșŝšꜱş" },
    { "t", "", "ţŧṫṭțƫť" },
    { "u", "v", "ᴜǔŭüʉùúûũūųưůűȕȗụ" },
    { "v", "u", "ṿⱱᶌṽⱴᴠ" },
    { "w", "vv", "ŵẁẃẅⱳẇẉẘᴡ" },
    { "x", "", "ẋẍ" },
    { "y", "", "ʏýÿŷƴȳɏỿẏỵ" },
    { "z", "", "ʐżźᴢƶẓẕⱬž" },
    { "ae", "", "æ" },
    { "cl", "d", "" },
    { "oe", "", "œ" },
    { "rn", "m", "" },
};

/*
 * The characters beyond ASCII that registries accept in names under
 * their TLDs (from their IDN tables, as dnstwist carries them); a TLD
 * with an empty string takes no IDN at all. Other TLDs: any homoglyph.
 * Only the homoglyph fuzzer is held to these: it is where they matter.
 */
static const struct {
    const char *tlds, *chars;
} idn_tables[] = {
    { "ad cz sk uk nl edu us jp cn tw", "" },
    { "info", "áäåąćčéėęíįłñńóöøőśšúüūűųźżžæ" },
    { "br", "àáâãçéêíóôõúüýÿ" },
    { "dk", "äåéöøüæ" },
    { "eu pl", "áàăâåäãąāćĉčċçďđéèĕêěëėęēğĝġģĥħíìĭîïĩįīĵķĸĺľļłńňñņóòŏôöőõ"
               "øōŕřŗśŝšşťţŧúùŭûůüűũųūŵýŷÿźžżæœ" },
    /* DENIC's list of the 93 characters .de takes. */
    { "de", "àáâãäåæāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĸĺļľłñńņňŋòóôõöøōŏőœ"
            "ŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžðþß" },
    { "fi", "ʒáäåâčđǧǥǩŋõöšŧž" },
    { "no", "áàäåčçéèêïŋńñóòôöøšŧüžæ" },
    { "be fr re yt pm wf tf ch li", "àáâãäåçèéêëìíîïñòóôõöùúûüýÿæœ" },
    { "ca", "àâçèéêëîïôùûüÿæœ" },
};

struct glyph {
    uint32_t cp[2];
    uint8_t len;
};

struct glyph_key {
    uint32_t k[2];
    uint8_t klen;
    uint16_t first, count; /* its glyphs in permuter.glyphs */
};

#define MAX_GLYPHS 512
#define MAX_KEYS ARRAY_SIZE(glyph_rows)

/* A list of words or suffixes: NUL-terminated strings in one block. */
struct wordlist {
    char *text;
    size_t *off;
    uint8_t *len;
    size_t n;
};

struct permuter {
    UIDNA *uts46;
    struct glyph glyphs[MAX_GLYPHS];
    size_t nglyphs;
    struct glyph_key keys[MAX_KEYS];
    size_t nkeys;
    uint8_t key_of[128]; /* index + 1 of a one-character key, or 0 */
    struct wordlist words, keywords, tlds, dyndns;
    /* Code points beyond ASCII: (cp << 2) | 2 | valid, 0 when empty. */
    uint32_t cache[CACHE_SLOTS];
    size_t ncache;
};

struct lookalike_rec {
    uint32_t name; /* offsets into the arena */
    uint32_t uni;
    uint32_t hash;
    uint32_t fuzzers;
    uint16_t ulen;
};

/* A fixed part of candidates: labels before or after the changed ones. */
struct affix {
    const char *u, *a; /* Unicode and A-labels; "" when there is none */
    size_t ulen, alen;
};

/* One run: the domain's parts and the candidates being made. */
struct gen {
    struct permuter *p;
    struct lookalikes *out;
    unsigned fuzzer;
    struct affix prefix, suffix, none;
    uint32_t label[LABEL_MAX + 1];
    size_t n;
    uint32_t pre[IDN_MAX_NAME + 1]; /* the prefix in code points */
    size_t npre;
    uint32_t suf[IDN_MAX_NAME + 1]; /* the suffix in code points */
    size_t nsuf;
    bool slow;        /* prefix or suffix beyond plain left-to-right
                         letters: every candidate checked by libidn2 */
    bool usable[MAX_GLYPHS];
    size_t tries, max_tries;
    bool full;
    uint32_t s[SCRATCH]; /* the candidate label being built */
    char key[KEY_MAX];
    /* The homoglyph fuzzer's single substitutions, for its second pass. */
    uint32_t *r1;
    size_t r1_len, r1_cap;
    size_t *r1_off;
    size_t r1_n, r1_offcap;
};

const char *
permute_fuzzer_name(enum permute_fuzzer f)
{
    return (unsigned)f < PERMUTE_FUZZER_COUNT ? fuzzer_names[f] : "?";
}

static void
fuzzer_list(struct buf *err)
{
    unsigned f;

    for (f = 0; f < PERMUTE_FUZZER_COUNT; f++)
        buf_addf(err, "%s%s", f ? ", " : "", fuzzer_names[f]);
}

int
permute_parse_fuzzers(const char *list, uint32_t *mask, struct buf *err)
{
    const char *p = list, *end;
    uint32_t m = 0;
    unsigned f;
    size_t n;

    for (;;) {
        while (*p == ' ')
            p++;
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        n = (size_t)(end - p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n == 3 && memcmp(p, "all", 3) == 0) {
            m |= PERMUTE_ALL;
        } else if (n > 0) {
            for (f = 0; f < PERMUTE_FUZZER_COUNT; f++)
                if (strlen(fuzzer_names[f]) == n &&
                    memcmp(fuzzer_names[f], p, n) == 0)
                    break;
            if (f == PERMUTE_FUZZER_COUNT) {
                buf_reset(err);
                buf_addf(err, "unknown fuzzer '%.*s' (expected one of: ",
                         (int)(n > 40 ? 40 : n), p);
                fuzzer_list(err);
                buf_adds(err, ", or all)");
                return DRP_EINVAL;
            }
            m |= 1u << f;
        }
        if (*end == '\0')
            break;
        p = end + 1;
    }
    if (m == 0) {
        buf_reset(err);
        buf_adds(err, "no fuzzer named (expected a comma-separated list of: ");
        fuzzer_list(err);
        buf_adds(err, ", or all)");
        return DRP_EINVAL;
    }
    *mask = m;
    return 0;
}

static bool
ldh_char(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Whether s[0..n) is LDH labels (dots only when dots): no empty label,
   none starting or ending with '-', none over 63 bytes. */
static bool
ldh_name(const char *s, size_t n, bool dots)
{
    size_t i, label = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '.' && dots) {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0;
        } else if (!ldh_char((unsigned char)s[i]) ||
                   (s[i] == '-' && label == 0) || ++label > LABEL_MAX) {
            return false;
        }
    }
    return label > 0 && s[n - 1] != '-' && n <= IDN_MAX_NAME;
}

static void
wordlist_release(struct wordlist *w)
{
    free(w->text);
    free(w->off);
    free(w->len);
    memset(w, 0, sizeof(*w));
}

/*
 * Parses a list of words (dots false) or suffixes (dots true) into *out,
 * replacing it only on success. See permuter_set_words().
 */
static int
wordlist_parse(const char *text, size_t len, const char *name, bool dots,
               struct wordlist *out, struct buf *err)
{
    struct wordlist w = { 0 };
    size_t i = 0, line = 0, used = 0, cap = 0, b, e, k;

    w.text = xmalloc(len + 1);
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t eol = nl ? (size_t)(nl - text) : len;

        line++;
        b = i;
        e = eol;
        i = eol + 1;
        while (b < e && (text[b] == ' ' || text[b] == '\t'))
            b++;
        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' ||
                         text[e - 1] == '\r'))
            e--;
        if (b == e || text[b] == '#' ||
            (e - b >= 2 && text[b] == '/' && text[b + 1] == '/'))
            continue;
        for (k = b; k < e; k++)
            w.text[used + k - b] = (char)(text[k] >= 'A' && text[k] <= 'Z'
                                              ? text[k] - 'A' + 'a'
                                              : text[k]);
        if (!ldh_name(w.text + used, e - b, dots) ||
            (!dots && e - b > LABEL_MAX)) {
            buf_reset(err);
            buf_addf(err, "%s:%zu: not a %s: %s", name, line,
                     dots ? "domain suffix" : "word",
                     dots ? "labels of letters a-z, digits and '-' (not "
                            "first or last), 1 to 63 bytes each, joined "
                            "by dots"
                          : "letters a-z, digits and '-' (not first or "
                            "last), 1 to 63 bytes");
            wordlist_release(&w);
            return DRP_EINVAL;
        }
        if (w.n == PERMUTE_MAX_WORDS) {
            buf_reset(err);
            buf_addf(err, "%s:%zu: more than %d words", name, line,
                     PERMUTE_MAX_WORDS);
            wordlist_release(&w);
            return DRP_ETOOBIG;
        }
        if (w.n == cap) {
            cap = cap ? 2 * cap : 64;
            w.off = xreallocarray(w.off, cap, sizeof(*w.off));
            w.len = xreallocarray(w.len, cap, sizeof(*w.len));
        }
        w.off[w.n] = used;
        w.len[w.n] = (uint8_t)(e - b > 255 ? 255 : e - b);
        w.n++;
        used += e - b;
        w.text[used++] = '\0';
    }
    wordlist_release(out);
    *out = w;
    return 0;
}

int
permuter_set_words(struct permuter *p, const char *text, size_t len,
                   const char *name, struct buf *err)
{
    return wordlist_parse(text, len, name, false, &p->words, err);
}

static void
builtin_list(const char *text, const char *name, bool dots,
             struct wordlist *out)
{
    struct buf err = BUF_INIT(1024);

    if (wordlist_parse(text, strlen(text), name, dots, out, &err) < 0)
        abort(); /* the lists are part of the program */
    buf_release(&err);
}

/* Adds the glyphs of glyph_rows[row]. */
static void
add_glyphs(struct permuter *p, size_t row)
{
    struct glyph_key *k = &p->keys[p->nkeys];
    const uint8_t *u = (const uint8_t *)glyph_rows[row].unicode;
    const char *a = glyph_rows[row].ascii;
    ucs4_t cp;
    int len;

    k->klen = (uint8_t)strlen(glyph_rows[row].key);
    k->k[0] = (unsigned char)glyph_rows[row].key[0];
    k->k[1] = k->klen > 1 ? (unsigned char)glyph_rows[row].key[1] : 0;
    k->first = (uint16_t)p->nglyphs;
    assert(p->nglyphs + strlen(a) + strlen((const char *)u) <= MAX_GLYPHS);
    while (*a != '\0') {
        struct glyph *g = &p->glyphs[p->nglyphs++];

        g->len = 0;
        while (*a != '\0' && *a != ' ')
            g->cp[g->len++] = (unsigned char)*a++;
        while (*a == ' ')
            a++;
    }
    while (*u != '\0') {
        struct glyph *g = &p->glyphs[p->nglyphs++];

        len = u8_mbtouc(&cp, u, strlen((const char *)u));
        g->cp[0] = cp;
        g->len = 1;
        u += len;
    }
    k->count = (uint16_t)(p->nglyphs - k->first);
    if (k->klen == 1)
        p->key_of[k->k[0]] = (uint8_t)(p->nkeys + 1);
    p->nkeys++;
}

struct permuter *
permuter_new(void)
{
    struct permuter *p = xcalloc(1, sizeof(*p));
    UErrorCode ec = U_ZERO_ERROR;
    size_t r;

    p->uts46 = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII |
                                   UIDNA_NONTRANSITIONAL_TO_UNICODE |
                                   UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
                                   UIDNA_CHECK_CONTEXTO | UIDNA_USE_STD3_RULES,
                               &ec);
    if (U_FAILURE(ec) || p->uts46 == NULL) {
        free(p);
        return NULL;
    }
    for (r = 0; r < ARRAY_SIZE(glyph_rows); r++)
        add_glyphs(p, r);
    builtin_list(permute_words_txt, "words.txt", false, &p->words);
    builtin_list(permute_keywords_txt, "keywords.txt", false, &p->keywords);
    builtin_list(permute_tlds_txt, "tlds.txt", true, &p->tlds);
    builtin_list(permute_dyndns_txt, "dyndns.txt", true, &p->dyndns);
    return p;
}

void
permuter_free(struct permuter *p)
{
    if (p == NULL)
        return;
    uidna_close(p->uts46);
    wordlist_release(&p->words);
    wordlist_release(&p->keywords);
    wordlist_release(&p->tlds);
    wordlist_release(&p->dyndns);
    free(p);
}

/*
 * Whether cp (beyond ASCII) may stand anywhere in a label among ASCII
 * letters and other such characters and keep it valid IDNA2008: libidn2
 * takes it alone as a label (PVALID, NFC), and it is a left-to-right
 * letter that no context rule, bidi rule or combining position concerns.
 */
static bool
cp_simple(struct permuter *p, uint32_t cp)
{
    size_t i = (cp * 2654435761u) >> 20 & (CACHE_SLOTS - 1);
    uint8_t utf8[8];
    uint8_t *out = NULL;
    bool ok;
    int n;

    while (p->cache[i] != 0) {
        if (p->cache[i] >> 2 == cp)
            return p->cache[i] & 1;
        i = (i + 1) & (CACHE_SLOTS - 1);
    }
    ok = uc_combining_class(cp) == 0 && uc_bidi_category(cp) == UC_BIDI_L &&
         !uc_is_general_category(cp, UC_CATEGORY_M);
    if (ok) {
        n = u8_uctomb(utf8, cp, sizeof(utf8) - 1);
        ok = n > 0;
        if (ok) {
            utf8[n] = '\0';
            ok = idn2_lookup_u8(utf8, &out, IDN2_NO_TR46) == IDN2_OK;
            idn2_free(out);
        }
    }
    if (p->ncache < CACHE_SLOTS / 2) {
        p->cache[i] = cp << 2 | 2 | (ok ? 1 : 0);
        p->ncache++;
    }
    return ok;
}

/* ---- the candidate set ---- */

void
lookalikes_init(struct lookalikes *l, size_t max)
{
    memset(l, 0, sizeof(*l));
    l->max = max ? max : PERMUTE_MAX_CANDIDATES;
}

void
lookalikes_release(struct lookalikes *l)
{
    free(l->domain);
    free(l->unicode);
    free(l->arena);
    free(l->recs);
    free(l->slots);
    lookalikes_init(l, l->max);
}

static void
lookalikes_reset(struct lookalikes *l)
{
    free(l->domain);
    free(l->unicode);
    l->domain = l->unicode = NULL;
    l->n = l->nrecs = l->arena_len = 0;
    l->truncated = false;
    if (l->slots != NULL)
        memset(l->slots, 0, l->nslots * sizeof(*l->slots));
}

void
lookalikes_get(const struct lookalikes *l, size_t i, struct lookalike *out)
{
    const struct lookalike_rec *r = &l->recs[i + 1]; /* 0: the domain */

    out->name = l->arena + r->name;
    out->unicode = l->arena + r->uni;
    out->fuzzers = r->fuzzers;
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    if (n > 0) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

/* The slot of key[0..n) with hash h: its record's, or the empty one
   where it would go. */
static uint32_t *
set_find(struct lookalikes *l, const char *key, size_t n, uint32_t h)
{
    size_t mask = l->nslots - 1, i = h & mask;
    const struct lookalike_rec *r;

    while (l->slots[i] != 0) {
        r = &l->recs[l->slots[i] - 1];
        if (r->hash == h && r->ulen == n &&
            memcmp(l->arena + r->uni, key, n) == 0)
            break;
        i = (i + 1) & mask;
    }
    return &l->slots[i];
}

static void
set_grow(struct lookalikes *l)
{
    size_t i, j, mask;

    if (l->nslots != 0 && (l->nrecs + 1) * 2 <= l->nslots)
        return;
    free(l->slots);
    l->nslots = l->nslots ? 2 * l->nslots : 1024;
    l->slots = xcalloc(l->nslots, sizeof(*l->slots));
    mask = l->nslots - 1;
    for (i = 0; i < l->nrecs; i++) {
        j = l->recs[i].hash & mask;
        while (l->slots[j] != 0)
            j = (j + 1) & mask;
        l->slots[j] = (uint32_t)(i + 1);
    }
}

static uint32_t
arena_add(struct lookalikes *l, const char *s, size_t n)
{
    size_t at = l->arena_len;

    if (n + 1 > l->arena_cap - at) {
        while (n + 1 > l->arena_cap - at)
            l->arena_cap = l->arena_cap ? 2 * l->arena_cap : 1 << 16;
        l->arena = xrealloc(l->arena, l->arena_cap);
    }
    memcpy(l->arena + at, s, n);
    l->arena[at + n] = '\0';
    l->arena_len += n + 1;
    return (uint32_t)at;
}

/* Adds the new candidate (key is not in the set): slot from set_find(). */
static void
set_add(struct lookalikes *l, uint32_t *slot, const char *key, size_t klen,
        uint32_t h, const char *name, size_t nlen, uint32_t fuzzers)
{
    struct lookalike_rec *r;

    if (l->nrecs == l->recs_cap) {
        l->recs_cap = l->recs_cap ? 2 * l->recs_cap : 1024;
        l->recs = xreallocarray(l->recs, l->recs_cap, sizeof(*l->recs));
    }
    r = &l->recs[l->nrecs];
    r->uni = arena_add(l, key, klen);
    r->name = nlen == klen && memcmp(name, key, klen) == 0
                  ? r->uni
                  : arena_add(l, name, nlen);
    r->hash = h;
    r->ulen = (uint16_t)klen;
    r->fuzzers = fuzzers;
    *slot = (uint32_t)(++l->nrecs);
    if ((l->nrecs + 1) * 2 > l->nslots)
        set_grow(l);
}

/* ---- making candidates ---- */

/* Appends the UTF-8 of cp[0..n) to out at *at. */
static void
put_cps(char *out, size_t *at, const uint32_t *cp, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (cp[i] < 0x80)
            out[(*at)++] = (char)cp[i];
        else
            *at += (size_t)u8_uctomb((uint8_t *)out + *at, cp[i], 4);
    }
}

/*
 * Appends the A-label of the label cp[0..n) (from key[kb..ke) in UTF-8)
 * to name at *m. Returns 1, 0 when the label is no valid one, -1 when
 * only libidn2 can tell.
 */
static int
put_label(struct gen *g, const uint32_t *cp, size_t n, const char *key,
          size_t kb, size_t ke, char *name, size_t *m)
{
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    UErrorCode ec = U_ZERO_ERROR;
    bool ascii = true;
    char alabel[LABEL_MAX + 1];
    int32_t len;
    size_t i;

    if (n == 0 || cp[0] == '-' || cp[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++) {
        if (cp[i] < 0x80) {
            if (!ldh_char(cp[i]))
                return 0;
        } else {
            ascii = false;
        }
    }
    if (ascii) {
        /* "xn--" is for labels libidn2 made, not for fuzzers. */
        if (n > LABEL_MAX || *m + n > IDN_MAX_NAME ||
            (n >= 4 && cp[0] == 'x' && cp[1] == 'n' && cp[2] == '-' &&
             cp[3] == '-'))
            return 0;
        memcpy(name + *m, key + kb, n);
        *m += n;
        return 1;
    }
    if (n >= 4 && cp[2] == '-' && cp[3] == '-')
        return 0; /* RFC 5891 4.2.3.1 */
    for (i = 0; i < n; i++)
        if (cp[i] >= 0x80 && !cp_simple(g->p, cp[i]))
            return -1;
    len = uidna_labelToASCII_UTF8(g->p->uts46, key + kb, (int32_t)(ke - kb),
                                  alabel, sizeof(alabel), &info, &ec);
    if (ec == U_BUFFER_OVERFLOW_ERROR ||
        (info.errors & UIDNA_ERROR_LABEL_TOO_LONG))
        return 0;
    if (U_FAILURE(ec) || info.errors != 0 || len <= 0 || len > LABEL_MAX)
        return -1;
    if (*m + (size_t)len > IDN_MAX_NAME)
        return 0;
    memcpy(name + *m, alabel, (size_t)len);
    *m += (size_t)len;
    return 1;
}

static size_t
utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * The candidate pre.lab[0..n).suf (pre and suf may be empty; lab may hold
 * dots) for the current fuzzer. Returns true when this fuzzer had not
 * made it before (new, or made by another fuzzer only).
 */
static bool
emit(struct gen *g, const uint32_t *lab, size_t n, const struct affix *pre,
     const struct affix *suf)
{
    struct lookalikes *out = g->out;
    uint32_t bit = 1u << g->fuzzer, h, *slot;
    char name[IDN_MAX_NAME + 1], *a = NULL, *u = NULL;
    size_t k = 0, m = 0, i, b, kb, ke;
    bool fresh, slow = g->slow;
    int r;

    if (g->full)
        return false;
    if (++g->tries > g->max_tries) {
        out->truncated = true;
        out->cut = g->fuzzer;
        g->full = true;
        return false;
    }
    if (n == 0 || n > IDN_MAX_NAME)
        return false;
    if (pre->ulen > 0) {
        memcpy(g->key, pre->u, pre->ulen);
        k = pre->ulen;
        g->key[k++] = '.';
    }
    kb = k;
    put_cps(g->key, &k, lab, n);
    if (suf->ulen > 0) {
        g->key[k++] = '.';
        memcpy(g->key + k, suf->u, suf->ulen);
        k += suf->ulen;
    }
    h = hash_bytes(g->key, k);
    slot = set_find(out, g->key, k, h);
    if (*slot != 0) {
        struct lookalike_rec *rec = &out->recs[*slot - 1];

        fresh = !(rec->fuzzers & bit);
        rec->fuzzers |= bit;
        return fresh;
    }
    /* A-labels: the prefix, each label of lab, the suffix. */
    if (pre->alen > 0) {
        memcpy(name, pre->a, pre->alen);
        m = pre->alen;
        name[m++] = '.';
    }
    for (b = 0, i = 0, ke = kb; i <= n; i++) {
        if (i < n && lab[i] != '.') {
            ke += utf8_len(lab[i]);
            continue;
        }
        r = slow ? 1 : put_label(g, lab + b, i - b, g->key, kb, ke, name, &m);
        if (r == 0)
            return false;
        if (r < 0)
            slow = true;
        if (i < n) {
            if (m >= IDN_MAX_NAME)
                return false;
            name[m++] = '.';
        }
        b = i + 1;
        kb = ke = ke + 1;
    }
    if (!slow && suf->alen > 0) {
        if (m + 1 + suf->alen > IDN_MAX_NAME)
            return false;
        name[m++] = '.';
        memcpy(name + m, suf->a, suf->alen);
        m += suf->alen;
    }
    if (slow) {
        /* Taken only if libidn2 maps nothing: what we show is the name. */
        a = idn_to_ascii(g->key, k, &u);
        if (a == NULL || u == NULL || strlen(u) != k ||
            memcmp(u, g->key, k) != 0) {
            free(a);
            free(u);
            return false;
        }
        m = strlen(a);
        memcpy(name, a, m);
        free(a);
        free(u);
    }
    if (out->n >= out->max) {
        out->truncated = true;
        out->cut = g->fuzzer;
        g->full = true;
        return false;
    }
    set_add(out, slot, g->key, k, h, name, m, bit);
    out->n++;
    return true;
}

/* emit() with the domain's own prefix and suffix. */
static bool
emit_std(struct gen *g, const uint32_t *lab, size_t n)
{
    return emit(g, lab, n, &g->prefix, &g->suffix);
}

/* s = d[0..i) + ins[0..k) + d[j..n): the common shape of an edit. */
static size_t
splice(uint32_t *s, const uint32_t *d, size_t n, size_t i, size_t j,
       const uint32_t *ins, size_t k)
{
    memcpy(s, d, i * sizeof(*s));
    if (k > 0)
        memcpy(s + i, ins, k * sizeof(*s));
    memcpy(s + i + k, d + j, (n - j) * sizeof(*s));
    return i + k + n - j;
}

static bool
is_vowel(uint32_t c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void
fz_addition(struct gen *g)
{
    static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const uint32_t *d = g->label;
    size_t n = g->n, i, j;
    uint32_t c;

    for (i = 0; chars[i] != '\0'; i++) {
        c = (unsigned char)chars[i];
        emit_std(g, g->s, splice(g->s, d, n, n, n, &c, 1));
        for (j = 1; j < n; j++) /* before each '-' */
            if (d[j] == '-')
                emit_std(g, g->s, splice(g->s, d, n, j, j, &c, 1));
    }
}

static void
fz_bitsquatting(struct gen *g)
{
    size_t i;
    uint32_t mask, c;

    for (i = 0; i < g->n; i++) {
        for (mask = 1; mask <= 128; mask <<= 1) {
            c = g->label[i] ^ mask;
            if (ldh_char(c))
                emit_std(g, g->s,
                         splice(g->s, g->label, g->n, i, i + 1, &c, 1));
        }
    }
}

/* Every letter by its Cyrillic lookalike; nothing when one has none. */
static void
fz_cyrillic(struct gen *g)
{
    size_t i;

    for (i = 0; i < g->n; i++) {
        if (g->label[i] >= 128 || cyrillic[g->label[i]] == 0)
            return;
        g->s[i] = cyrillic[g->label[i]];
    }
    emit_std(g, g->s, g->n);
}

static void
r1_push(struct gen *g, const uint32_t *s, size_t n)
{
    if (g->r1_n == g->r1_offcap) {
        g->r1_offcap = g->r1_offcap ? 2 * g->r1_offcap : 256;
        g->r1_off = xreallocarray(g->r1_off, g->r1_offcap + 1,
                                  sizeof(*g->r1_off));
    }
    while (n > g->r1_cap - g->r1_len) {
        g->r1_cap = g->r1_cap ? 2 * g->r1_cap : 4096;
        g->r1 = xreallocarray(g->r1, g->r1_cap, sizeof(*g->r1));
    }
    memcpy(g->r1 + g->r1_len, s, n * sizeof(*s));
    g->r1_off[g->r1_n++] = g->r1_len;
    g->r1_len += n;
    g->r1_off[g->r1_n] = g->r1_len;
}

/* Emits s[0..n) as a homoglyph, kept for the second pass when first. */
static void
glyph_emit(struct gen *g, size_t n, bool first)
{
    if (emit_std(g, g->s, n) && first)
        r1_push(g, g->s, n);
}

/*
 * One pass of substitutions over d[0..n) (dnstwist's mix()): for each
 * one-character key, any run of its consecutive occurrences spanning at
 * most n - 1 characters (or 2: any single one, and two side by side)
 * becomes one of its glyphs (dnstwist replaces a key in windows of every
 * width); each occurrence of a two-character key becomes one of its.
 */
static void
mix(struct gen *g, const uint32_t *d, size_t n, bool first)
{
    struct permuter *p = g->p;
    size_t pos[LABEL_MAX * 2 + 2], npos, a, b, i, j, t, o, span_max;
    bool seen[128] = { false };
    const struct glyph_key *k;
    const struct glyph *gl;
    size_t gi;

    if (n > LABEL_MAX * 2)
        return;
    span_max = n - 1 > 2 ? n - 1 : 2;
    for (i = 0; i < n && !g->full; i++) {
        if (d[i] >= 128 || seen[d[i]] || p->key_of[d[i]] == 0)
            continue;
        seen[d[i]] = true;
        k = &p->keys[p->key_of[d[i]] - 1];
        for (npos = 0, j = i; j < n; j++)
            if (d[j] == d[i])
                pos[npos++] = j;
        for (a = 0; a < npos; a++) {
            for (b = a; b < npos; b++) {
                if (b > a && pos[b] - pos[a] + 1 > span_max)
                    break;
                for (gi = k->first; gi < k->first + k->count; gi++) {
                    if (!g->usable[gi])
                        continue;
                    gl = &p->glyphs[gi];
                    o = 0;
                    for (j = 0, t = a; j < n; j++) {
                        if (t <= b && j == pos[t]) {
                            g->s[o++] = gl->cp[0];
                            if (gl->len > 1)
                                g->s[o++] = gl->cp[1];
                            t++;
                        } else {
                            g->s[o++] = d[j];
                        }
                    }
                    glyph_emit(g, o, first);
                    if (g->full)
                        return;
                }
            }
        }
    }
    for (k = p->keys; k < p->keys + p->nkeys && !g->full; k++) {
        if (k->klen != 2)
            continue;
        for (i = 0; i + 1 < n; i++) {
            if (d[i] != k->k[0] || d[i + 1] != k->k[1])
                continue;
            for (gi = k->first; gi < k->first + k->count; gi++) {
                if (!g->usable[gi])
                    continue;
                gl = &p->glyphs[gi];
                glyph_emit(g, splice(g->s, d, n, i, i + 2, gl->cp, gl->len),
                           first);
            }
        }
    }
}

/* dnstwist's homoglyph: the substitutions of one pass, then of a second
   pass over each of those. */
static void
fz_homoglyph(struct gen *g)
{
    uint32_t d[LABEL_MAX * 2 + 2];
    size_t r, n;

    g->r1_n = g->r1_len = 0;
    mix(g, g->label, g->n, true);
    for (r = 0; r < g->r1_n && !g->full; r++) {
        n = g->r1_off[r + 1] - g->r1_off[r];
        if (n > ARRAY_SIZE(d))
            continue;
        memcpy(d, g->r1 + g->r1_off[r], n * sizeof(*d));
        mix(g, d, n, false);
    }
}

static void
fz_hyphenation(struct gen *g)
{
    static const uint32_t hyphen = '-';
    size_t i;

    for (i = 1; i < g->n; i++)
        emit_std(g, g->s, splice(g->s, g->label, g->n, i, i, &hyphen, 1));
}

static void
fz_insertion(struct gen *g)
{
    const uint32_t *d = g->label;
    uint32_t two[2];
    size_t i, k;
    const char *nb;

    for (i = 0; i + 1 < g->n; i++) {
        if (d[i] >= 128)
            continue;
        for (k = 0; k < ARRAY_SIZE(keyboards); k++) {
            for (nb = keyboards[k][d[i]]; nb != NULL && *nb != '\0'; nb++) {
                two[0] = (unsigned char)*nb;
                two[1] = d[i];
                emit_std(g, g->s, splice(g->s, d, g->n, i, i + 1, two, 2));
                two[0] = d[i];
                two[1] = (unsigned char)*nb;
                emit_std(g, g->s, splice(g->s, d, g->n, i, i + 1, two, 2));
            }
        }
    }
}

static void
fz_omission(struct gen *g)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        emit_std(g, g->s, splice(g->s, g->label, g->n, i, i + 1, NULL, 0));
}

/* dnstwist's: an 's' (after s, x, z: "es") inside the name, from its
   third character on; and the plain plural at the end. */
static void
fz_plural(struct gen *g)
{
    static const uint32_t es[2] = { 'e', 's' };
    const uint32_t *d = g->label;
    size_t i, n = g->n;
    bool sxz;

    for (i = 2; i + 2 < n; i++) {
        sxz = d[i] == 's' || d[i] == 'x' || d[i] == 'z';
        emit_std(g, g->s, splice(g->s, d, n, i + 1, i + 1, sxz ? es : es + 1,
                                 sxz ? 2 : 1));
    }
    sxz = d[n - 1] == 's' || d[n - 1] == 'x' || d[n - 1] == 'z';
    emit_std(g, g->s, splice(g->s, d, n, n, n, sxz ? es : es + 1, sxz ? 2 : 1));
}

static void
fz_repetition(struct gen *g)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        emit_std(g, g->s, splice(g->s, g->label, g->n, i, i, g->label + i, 1));
}

static void
fz_replacement(struct gen *g)
{
    const uint32_t *d = g->label;
    size_t i, k;
    const char *nb;
    uint32_t c;

    for (i = 0; i < g->n; i++) {
        if (d[i] >= 128)
            continue;
        for (k = 0; k < ARRAY_SIZE(keyboards); k++) {
            for (nb = keyboards[k][d[i]]; nb != NULL && *nb != '\0'; nb++) {
                c = (unsigned char)*nb;
                emit_std(g, g->s, splice(g->s, d, g->n, i, i + 1, &c, 1));
            }
        }
    }
}

static void
fz_subdomain(struct gen *g)
{
    static const uint32_t dot = '.';
    const uint32_t *d = g->label;
    size_t i;

    for (i = 1; i + 1 < g->n; i++)
        if (d[i] != '-' && d[i] != '.' && d[i - 1] != '-' && d[i - 1] != '.')
            emit_std(g, g->s, splice(g->s, d, g->n, i, i, &dot, 1));
}

static void
fz_transposition(struct gen *g)
{
    uint32_t two[2];
    size_t i;

    for (i = 0; i + 1 < g->n; i++) {
        two[0] = g->label[i + 1];
        two[1] = g->label[i];
        emit_std(g, g->s, splice(g->s, g->label, g->n, i, i + 2, two, 2));
    }
}

static void
fz_vowel_swap(struct gen *g)
{
    static const uint32_t vowels[] = { 'a', 'e', 'i', 'o', 'u' };
    size_t i, v;

    for (i = 0; i < g->n; i++)
        if (is_vowel(g->label[i]))
            for (v = 0; v < ARRAY_SIZE(vowels); v++)
                emit_std(g, g->s, splice(g->s, g->label, g->n, i, i + 1,
                                         vowels + v, 1));
}

/* An ASCII string as an affix. */
static struct affix
affix_of(const char *s, size_t n)
{
    struct affix x = { s, s, n, n };

    return x;
}

/* s[at..) = the ASCII s0[0..n); returns the new length. */
static size_t
put_ascii(uint32_t *s, size_t at, const char *s0, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        s[at + i] = (unsigned char)s0[i];
    return at + n;
}

/* s[at..) = d[0..n) with each '.' as c ('.' keeps them, 0 drops them). */
static size_t
put_folded(uint32_t *s, size_t at, const uint32_t *d, size_t n, uint32_t c)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (d[i] != '.')
            s[at++] = d[i];
        else if (c != 0)
            s[at++] = c;
    return at;
}

/*
 * Both releases of dnstwist's "various": the suffix folded into the name
 * (example.co.uk: example.uk, exampleco.uk; example.de: examplede.de,
 * example-de.com, examplede.com), and the prefix (www.example.com:
 * wwwexample.com, www-example.com).
 */
static void
fz_various(struct gen *g)
{
    const uint32_t *d = g->label, *t = g->suf;
    size_t n = g->n, nt = g->nsuf, o, last;
    struct affix com = affix_of("com", 3), tld;
    bool dotted = memchr(g->suffix.a, '.', g->suffix.alen) != NULL;

    memcpy(g->s, d, n * sizeof(*d));
    if (dotted) {
        last = nt;
        while (last > 0 && t[last - 1] != '.')
            last--;
        tld.ulen = 0;
        for (o = last; o < nt; o++)
            tld.ulen += utf8_len(t[o]);
        tld.u = g->suffix.u + g->suffix.ulen - tld.ulen;
        tld.a = strrchr(g->suffix.a, '.') + 1;
        tld.alen = strlen(tld.a);
        emit(g, d, n, &g->prefix, &tld);
        o = put_folded(g->s, n, t, nt, '.');
        emit(g, g->s, o, &g->prefix, &g->none);
    } else {
        o = put_folded(g->s, n, t, nt, '.');
        emit(g, g->s, o, &g->prefix, &g->suffix);
        if (strcmp(g->suffix.a, "com") != 0) {
            emit(g, g->s, o, &g->prefix, &com);
            g->s[n] = '-';
            o = put_folded(g->s, n + 1, t, nt, '.');
            emit(g, g->s, o, &g->prefix, &com);
        }
    }
    if (g->npre > 0) {
        o = put_folded(g->s, 0, g->pre, g->npre, '.');
        memcpy(g->s + o, d, n * sizeof(*d));
        emit(g, g->s, o + n, &g->none, &g->suffix);
        o = put_folded(g->s, 0, g->pre, g->npre, 0);
        memcpy(g->s + o, d, n * sizeof(*d));
        emit(g, g->s, o + n, &g->none, &g->suffix);
        o = put_folded(g->s, 0, g->pre, g->npre, '.');
        g->s[o++] = '-';
        memcpy(g->s + o, d, n * sizeof(*d));
        emit(g, g->s, o + n, &g->none, &g->suffix);
        o = put_folded(g->s, 0, g->pre, g->npre, '-');
        g->s[o++] = '-';
        memcpy(g->s + o, d, n * sizeof(*d));
        emit(g, g->s, o + n, &g->none, &g->suffix);
    }
}

static void
fz_tld_swap(struct gen *g)
{
    const struct wordlist *w = &g->p->tlds;
    struct affix tld;
    size_t i;

    for (i = 0; i < w->n; i++) {
        tld = affix_of(w->text + w->off[i], w->len[i]);
        if (tld.alen != g->suffix.alen ||
            memcmp(tld.a, g->suffix.a, tld.alen) != 0)
            emit(g, g->label, g->n, &g->prefix, &tld);
    }
}

/* Whether d[0..n) starts (at_end: ends) with the ASCII w[0..k). */
static bool
has_word(const uint32_t *d, size_t n, const char *w, size_t k, bool at_end)
{
    size_t i, o = at_end ? n - k : 0;

    if (k > n)
        return false;
    for (i = 0; i < k; i++)
        if (d[o + i] != (unsigned char)w[i])
            return false;
    return true;
}

/*
 * The label joined to each word: label-word, labelword, word-label,
 * wordlabel (none when the label starts and ends with the word); with
 * parts, as dnstwist's dictionary, for a label with '-' also its last
 * part or its first replaced by the word.
 */
static void
join_words(struct gen *g, const struct wordlist *w, bool parts)
{
    const uint32_t *d = g->label;
    size_t n = g->n, i, o, k, first = n, last = n;
    const char *word;

    for (i = 0; i < n; i++) {
        if (d[i] == '-') {
            if (first == n)
                first = i;
            last = i;
        }
    }
    for (i = 0; i < w->n && !g->full; i++) {
        word = w->text + w->off[i];
        k = w->len[i];
        if (!(has_word(d, n, word, k, false) &&
              has_word(d, n, word, k, true))) {
            memcpy(g->s, d, n * sizeof(*d));
            g->s[n] = '-';
            emit_std(g, g->s, put_ascii(g->s, n + 1, word, k));
            emit_std(g, g->s, put_ascii(g->s, n, word, k));
            o = put_ascii(g->s, 0, word, k);
            g->s[o] = '-';
            memcpy(g->s + o + 1, d, n * sizeof(*d));
            emit_std(g, g->s, o + 1 + n);
            memcpy(g->s + o, d, n * sizeof(*d));
            emit_std(g, g->s, o + n);
        }
        if (parts && first < n) {
            memcpy(g->s, d, (last + 1) * sizeof(*d));
            emit_std(g, g->s, put_ascii(g->s, last + 1, word, k));
            o = put_ascii(g->s, 0, word, k);
            memcpy(g->s + o, d + first, (n - first) * sizeof(*d));
            emit_std(g, g->s, o + n - first);
        }
    }
}

static void
fz_dictionary(struct gen *g)
{
    join_words(g, &g->p->words, true);
}

static void
fz_combosquatting(struct gen *g)
{
    join_words(g, &g->p->keywords, false);
}

/* label.SUFFIX and label-tld.SUFFIX ("example-co-uk.duckdns.org"). */
static void
fz_dyndns(struct gen *g)
{
    const struct wordlist *w = &g->p->dyndns;
    struct affix dyn;
    size_t i, o;

    memcpy(g->s, g->label, g->n * sizeof(*g->s));
    g->s[g->n] = '-';
    o = put_folded(g->s, g->n + 1, g->suf, g->nsuf, '-');
    for (i = 0; i < w->n; i++) {
        dyn = affix_of(w->text + w->off[i], w->len[i]);
        emit(g, g->label, g->n, &g->none, &dyn);
        emit(g, g->s, o, &g->none, &dyn);
    }
}

static void (*const fuzzers[PERMUTE_FUZZER_COUNT])(struct gen *) = {
    [PERMUTE_ADDITION] = fz_addition,
    [PERMUTE_BITSQUATTING] = fz_bitsquatting,
    [PERMUTE_CYRILLIC] = fz_cyrillic,
    [PERMUTE_HOMOGLYPH] = fz_homoglyph,
    [PERMUTE_HYPHENATION] = fz_hyphenation,
    [PERMUTE_INSERTION] = fz_insertion,
    [PERMUTE_OMISSION] = fz_omission,
    [PERMUTE_PLURAL] = fz_plural,
    [PERMUTE_REPETITION] = fz_repetition,
    [PERMUTE_REPLACEMENT] = fz_replacement,
    [PERMUTE_SUBDOMAIN] = fz_subdomain,
    [PERMUTE_TRANSPOSITION] = fz_transposition,
    [PERMUTE_VOWEL_SWAP] = fz_vowel_swap,
    [PERMUTE_VARIOUS] = fz_various,
    [PERMUTE_DICTIONARY] = fz_dictionary,
    [PERMUTE_TLD_SWAP] = fz_tld_swap,
    [PERMUTE_COMBOSQUATTING] = fz_combosquatting,
    [PERMUTE_DYNDNS] = fz_dyndns,
};

/* The order fuzzers run in: the homoglyph's, which alone can explode,
   last, so that a cut at the cap takes from it only. */
static const enum permute_fuzzer run_order[PERMUTE_FUZZER_COUNT] = {
    PERMUTE_ADDITION,     PERMUTE_BITSQUATTING,   PERMUTE_CYRILLIC,
    PERMUTE_HYPHENATION,  PERMUTE_INSERTION,      PERMUTE_OMISSION,
    PERMUTE_PLURAL,       PERMUTE_REPETITION,     PERMUTE_REPLACEMENT,
    PERMUTE_SUBDOMAIN,    PERMUTE_TRANSPOSITION,  PERMUTE_VOWEL_SWAP,
    PERMUTE_VARIOUS,      PERMUTE_TLD_SWAP,       PERMUTE_DICTIONARY,
    PERMUTE_COMBOSQUATTING, PERMUTE_DYNDNS,       PERMUTE_HOMOGLYPH,
};

/* The IDN table of the TLD tld[0..n), or NULL when it has none. */
static const char *
idn_table(const char *tld, size_t n)
{
    const char *t;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(idn_tables); i++) {
        for (t = idn_tables[i].tlds; *t != '\0';) {
            size_t k = strcspn(t, " ");

            if (k == n && memcmp(t, tld, n) == 0)
                return idn_tables[i].chars;
            t += k;
            while (*t == ' ')
                t++;
        }
    }
    return NULL;
}

/* Which glyphs this run may use: ASCII ones, and those beyond that the
   TLD's registry takes and IDNA2008 allows anywhere. */
static void
pick_glyphs(struct gen *g)
{
    const char *tld = strrchr(g->suffix.a, '.'), *table;
    uint32_t allowed[128];
    size_t nallowed = 0, i, j, len;
    const uint8_t *u;
    ucs4_t cp;

    tld = tld ? tld + 1 : g->suffix.a;
    table = idn_table(tld, strlen(tld));
    if (table != NULL) {
        for (u = (const uint8_t *)table; *u != '\0' && nallowed < 128;) {
            len = strlen((const char *)u);
            u += u8_mbtouc(&cp, u, len);
            allowed[nallowed++] = cp;
        }
    }
    for (i = 0; i < g->p->nglyphs; i++) {
        const struct glyph *gl = &g->p->glyphs[i];

        g->usable[i] = true;
        if (gl->cp[0] < 0x80)
            continue;
        if (table != NULL) {
            for (j = 0; j < nallowed && allowed[j] != gl->cp[0]; j++)
                ;
            g->usable[i] = j < nallowed;
        }
        if (g->usable[i])
            g->usable[i] = cp_simple(g->p, gl->cp[0]);
    }
}

/* cp[0..*n) = the UTF-8 s[0..len); false if it has more than max. */
static bool
to_cps(const char *s, size_t len, uint32_t *cp, size_t max, size_t *n)
{
    const uint8_t *u = (const uint8_t *)s, *end = u + len;
    ucs4_t c;

    *n = 0;
    while (u < end) {
        if (*n == max)
            return false;
        u += u8_mbtouc(&c, u, (size_t)(end - u));
        cp[(*n)++] = c;
    }
    return true;
}

/* Whether any character of cp[0..n) beyond ASCII is not cp_simple(). */
static bool
needs_libidn2(struct permuter *p, const uint32_t *cp, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (cp[i] >= 0x80 && !cp_simple(p, cp[i]))
            return true;
    return false;
}

/*
 * Splits the domain (A-labels ascii, Unicode uni) into prefix, label and
 * suffix at its registrable domain reg (within ascii).
 */
static int
split(struct gen *g, const char *ascii, const char *uni, const char *reg,
      struct buf *err)
{
    size_t npre = 0, i;
    const char *p, *lab_a, *lab_u, *dot;

    for (p = ascii; p < reg; p++)
        if (*p == '.')
            npre++;
    g->prefix = g->none;
    lab_a = reg;
    lab_u = uni;
    for (i = 0; i < npre; i++)
        lab_u = strchr(lab_u, '.') + 1;
    if (npre > 0) {
        g->prefix.a = ascii;
        g->prefix.alen = (size_t)(reg - ascii) - 1;
        g->prefix.u = uni;
        g->prefix.ulen = (size_t)(lab_u - uni) - 1;
    }
    dot = strchr(lab_a, '.');
    g->suffix.a = dot + 1;
    g->suffix.alen = strlen(dot + 1);
    dot = strchr(lab_u, '.');
    g->suffix.u = dot + 1;
    g->suffix.ulen = strlen(dot + 1);
    if (!to_cps(lab_u, (size_t)(dot - lab_u), g->label, LABEL_MAX, &g->n) ||
        !to_cps(g->prefix.u, g->prefix.ulen, g->pre, IDN_MAX_NAME, &g->npre) ||
        !to_cps(g->suffix.u, g->suffix.ulen, g->suf, IDN_MAX_NAME, &g->nsuf)) {
        buf_addf(err, "'%s': more characters than its A-labels allow", uni);
        return DRP_EINVAL;
    }
    g->slow = needs_libidn2(g->p, g->pre, g->npre) ||
              needs_libidn2(g->p, g->suf, g->nsuf);
    return 0;
}

/* Checks the lengths of a plain ASCII name, for a clear message. */
static int
check_lengths(const char *d, size_t len, struct buf *err)
{
    size_t b = 0, i;

    if (len > IDN_MAX_NAME) {
        buf_addf(err, "'%.40s...' is longer than %d bytes", d, IDN_MAX_NAME);
        return DRP_ETOOBIG;
    }
    for (i = 0; i <= len; i++) {
        if (i < len && d[i] != '.')
            continue;
        if (i - b > LABEL_MAX) {
            buf_addf(err, "label '%.40s...' of '%.*s' is longer than %d "
                          "bytes", d + b, (int)len, d, LABEL_MAX);
            return DRP_ETOOBIG;
        }
        b = i + 1;
    }
    return 0;
}

int
permuter_run(struct permuter *p, const char *domain, size_t len,
             uint32_t mask, struct lookalikes *out, struct buf *err)
{
    struct gen *g = NULL;
    char *ascii = NULL, *uni = NULL;
    const char *reg, *tld;
    uint32_t *slot;
    size_t i;
    int rc = 0;

    lookalikes_reset(out);
    buf_reset(err);
    if (len > 0 && domain[len - 1] == '.')
        len--;
    if (len == 0 || memchr(domain, '\0', len) != NULL) {
        buf_adds(err, len == 0 ? "empty domain name"
                               : "the domain name holds a NUL byte");
        return DRP_EINVAL;
    }
    if (len > IDN_MAX_INPUT) {
        buf_addf(err, "'%.40s...' is longer than %d bytes", domain,
                 IDN_MAX_INPUT);
        return DRP_ETOOBIG;
    }
    if (!idn_applies(domain, len) && (rc = check_lengths(domain, len, err)) < 0)
        return rc;
    ascii = idn_to_ascii(domain, len, &uni);
    if (ascii == NULL || uni == NULL) {
        buf_addf(err, "'%.*s' is not a valid domain name (IDNA2008: labels "
                      "of letters, digits and '-', each at most 63 bytes "
                      "and at most 253 in all in A-labels)",
                 (int)(len > 200 ? 200 : len), domain);
        rc = DRP_EINVAL;
        goto out;
    }
    tld = strrchr(ascii, '.');
    tld = tld ? tld + 1 : ascii;
    if (strspn(tld, "0123456789") == strlen(tld)) {
        buf_addf(err, "'%s' is an IP address, not a domain name", ascii);
        rc = DRP_EINVAL;
        goto out;
    }
    reg = psl_registrable_domain(psl_builtin(), ascii);
    if (reg == NULL) {
        buf_addf(err, "'%s' has no registrable part (it is a public suffix "
                      "or a single label): give a name such as example.com",
                 uni);
        rc = DRP_EINVAL;
        goto out;
    }
    g = xcalloc(1, sizeof(*g));
    g->p = p;
    g->out = out;
    g->none = affix_of("", 0);
    rc = split(g, ascii, uni, reg, err);
    if (rc < 0)
        goto out;
    pick_glyphs(g);
    g->max_tries = out->max * PERMUTE_MAX_TRIES_FACTOR;
    /* The domain itself, record 0: never a candidate. */
    set_grow(out);
    slot = set_find(out, uni, strlen(uni), hash_bytes(uni, strlen(uni)));
    set_add(out, slot, uni, strlen(uni), hash_bytes(uni, strlen(uni)), ascii,
            strlen(ascii), 0);
    for (i = 0; i < PERMUTE_FUZZER_COUNT && !g->full; i++) {
        if (!(mask & (1u << run_order[i])))
            continue;
        g->fuzzer = run_order[i];
        fuzzers[run_order[i]](g);
    }
    out->domain = ascii;
    out->unicode = uni;
    ascii = uni = NULL;
out:
    if (g != NULL) {
        free(g->r1);
        free(g->r1_off);
        free(g);
    }
    free(ascii);
    free(uni);
    return rc;
}

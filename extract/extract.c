/*
 * The extraction engine: pcre2 (JIT) patterns compiled once per extractor,
 * run only on the candidates a Hyperscan prefilter and byte masks flag
 * (tokens, windows or lines, see on_candidate(), mask_hits()), the
 * commonest of them matched in C instead (match_ipv4() and the others),
 * then validators in C (octet ranges,
 * public suffixes, checksums); watch terms come from extract/terms.c, the
 * checks of the credential and generic secret forms from extract/cred.c.
 * Matching uses per-call match data, so one extractor serves many threads.
 * Passwords are hashed and masked on sight and never copied into a
 * finding; findings of other kinds that fall inside a password are dropped
 * for the same reason. No I/O; top-level domains are checked against
 * libpsl's built-in public suffix list.
 */
#include "config.h" /* _GNU_SOURCE: memrchr */

#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MASKS_AVX2 1 /* masks_avx2() where the CPU has AVX2 */
#endif

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <hs.h>
#include <libpsl.h>
#include <pcre2.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "common/ascii.h"
#include "common/err.h"
#include "common/idn.h"
#include "common/log.h"
#include "common/urlnorm.h"
#include "common/xalloc.h"
#include "extract/benign.h"
#include "extract/context.h"
#include "extract/cred.h"
#include "extract/extract.h"
#include "extract/hsdb.h"
#include "extract/terms.h"
#include "common/banned.h"

#define MAX_PASSWORD 256
#define MAX_DOMAIN 253
/* Bytes of a domain or e-mail match made into its value on the stack;
   longer ones (rare: the domain is at most MAX_DOMAIN) take the heap. */
#define DOMAIN_STACK 512
#define HINT_MAX_STARS 8
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Building blocks of the patterns (ASCII; text is matched as UTF-8). */
/*
 * A label: 1-63 letters, digits and hyphens, the first and last not a
 * hyphen. Possessive, which changes no match: a label always starts a run
 * of those bytes (after a blank, '@' or a dot form) and is always followed
 * by a dot form, which no byte of the run starts, so only the whole run
 * can be the label; pcre2 no longer tries each shorter one.
 */
#define RE_LABEL "[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}+(?<=[A-Za-z0-9]))?"
#define RE_EMAIL                                                              \
    "[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:" RE_LABEL "\\.)+[A-Za-z]{2,24}"
#define RE_DOT                                                                \
    "(?:\\.|\\[\\.\\]|\\(\\.\\)|\\{\\.\\}|\\[dot\\]|\\(dot\\))"
#define RE_IPDOT "(?:\\.|\\[\\.\\]|\\(\\.\\)|\\{\\.\\})"

static const char re_email[] =
    "(?<![A-Za-z0-9._%+-])" RE_EMAIL "(?![A-Za-z0-9-])";

/* One combo per line: identity, separator, password (1..256 bytes). */
static const char re_combo[] =
    "^[ \\t]*(" RE_EMAIL ")[ \\t]*([:;|\\t])[ \\t]*"
    "([^ \\t\\r\\n][^\\r\\n]{0,255}?)[ \\t]*$";

static const char re_ipv4[] =
    "(?<![A-Za-z0-9_.])(?<![0-9]\\[\\.\\])"
    "([0-9]{1,3})" RE_IPDOT "([0-9]{1,3})" RE_IPDOT
    "([0-9]{1,3})" RE_IPDOT "([0-9]{1,3})"
    "(?![A-Za-z0-9_])(?!" RE_IPDOT "[0-9])";

/* Top-level domains are letters, or A-labels ("xn--p1ai"). */
static const char re_domain[] =
    "(?<![A-Za-z0-9_-])(?:" RE_LABEL RE_DOT ")+"
    "([A-Za-z]{2,24}|xn--[A-Za-z0-9]{1,20})(?![A-Za-z0-9_-])";

/* Schemes and separators, plain or defanged: "hxxp", "h**p", "fxp",
   "[:]//", "[://]". */
#define RE_URL_START                                                          \
    "(?:h(?:tt|xx|\\*\\*)ps?|ftp|fxp)(?:(?::|\\[:\\])//|\\[://\\])"
static const char re_url[] =
    "(?<![A-Za-z0-9])" RE_URL_START "[^\\s<>\"'`\\x00-\\x1f\\x7f]+";

static const char re_hex[] =
    "(?<![A-Za-z0-9_])[0-9A-Fa-f]{32,128}(?![A-Za-z0-9_])";

/*
 * Credential forms past e-mail combos (checks in extract/cred.c). User
 * info: the user, then the password, host and port in one possessive run
 * that the check cuts at its last '@'.
 */
static const char re_userinfo[] =
    "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,15}+(?:://|\\[:\\]//|\\[://\\])"
    "[^\\s/?#:\"'<>\\x00-\\x1f]{1,128}+:[^\\s/?#\"'<>\\x00-\\x1f]{1,640}+";

/* A password label ("Password:", "PASS=", "\"pwd\": ", "Пароль:"). */
#define RE_PW_ASCII                                                           \
    "password|passwd|passwort|passphrase|passcode|pass|pwd|pword|pw"         \
    "|contrasena|senha|mot[ _-]?de[ _-]?passe|mdp|kennwort|haslo"            \
    "|wachtwoord|sifre|parola|heslo|salasana|lozinka|jelszo"
#define RE_PW_UTF8                                                            \
    "contrase\xc3\xb1""a|has\xc5\x82o|\xc5\x9fifre|\xc5\x9e""ifre"            \
    "|jelsz\xc3\xb3"                                                          \
    "|\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c" /* пароль */         \
    "|\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c" /* Пароль */         \
    "|\xe5\xaf\x86\xe7\xa0\x81|\xe5\xaf\x86\xe7\xa2\xbc"     /* 密码 密碼 */     \
    "|\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89" /* パスワード */\
    "|\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8" /* 비밀번호 */
static const char re_pwlabel[] =
    "(?<![A-Za-z0-9_])[\"']?+(?:" RE_PW_ASCII "|(?-i:" RE_PW_UTF8 "))"
    "[\"']?+[ \\t]{0,8}+(?::|=(?![=>])|\xef\xbc\x9a)[ \\t]{0,64}+";

/* A line that starts with a URL: URL:login:password. */
static const char re_ulp[] =
    "^[ \\t]*+[A-Za-z][A-Za-z0-9+.-]{0,15}+://[^\\r\\n]{3,2400}+$";

/* One "user<sep>password" line, no blanks inside (a user:pass list). */
static const char re_userpass[] =
    "^[ \\t]*+([^\\s:;|\"'<>(){}\\[\\]=,\\\\/]{1,64}+)([:;|\\t])"
    "([^\\s/\\\\][^\\s]{0,255}+)[ \\t]*+$";

enum pattern {
    PAT_EMAIL,
    PAT_COMBO,
    PAT_IPV4,
    PAT_DOMAIN,
    PAT_URL,
    PAT_HEX,
    PAT_USERINFO,
    PAT_PWLABEL,
    PAT_ULP,
    PAT_USERPASS,
    PAT_COUNT
};

static const char *const pattern_src[PAT_COUNT] = {
    re_email, re_combo, re_ipv4, re_domain, re_url, re_hex,
    re_userinfo, re_pwlabel, re_ulp, re_userpass,
};

/*
 * For the prefilter: short patterns, one per line, one of which matches a
 * substring of every match of the full one, so Hyperscan reports each
 * candidate once instead of at every byte of a long match (NULL: not
 * prefiltered). Plain
 * literals and short classes keep the pass cheap: an alternation such as
 * (?:\.|\[\.\]) inside a class pattern costs Hyperscan several times more
 * than the two as separate patterns.
 */
#define PRE_DEFANGED_DOT "\\[\\.\\]\n\\(\\.\\)\n\\{\\.\\}"
static const char *const pattern_pre[PAT_COUNT] = {
    /* email, combo: "@[A-Za-z0-9]" is mask_hits()' (with the class
       Hyperscan spent 0.9 instructions a byte on it; as "@" alone it
       called back at every byte of a text of "@") */
    NULL,                                                /* email */
    NULL,                                                /* combo */
    /* ipv4, domain: their plain dots are mask_hits()' */
    PRE_DEFANGED_DOT,                                     /* ipv4 */
    PRE_DEFANGED_DOT "\n\\[dot\\]\n\\(dot\\)",              /* domain */
    "://\n\\[:\\]//\n\\[://\\]",                          /* url */
    NULL,                                 /* hex: mask_hits() */
    /* userinfo: only matches with an '@' can make a finding; those of
       "://" are userinfo_hits()' (this regex was half of its group's
       time): "://[^\\s/?#:]+:[^\\s/?#]*@" */
    "\\[:\\]//\n\\[://\\]",
    /* caseless UTF-8 bytes made Hyperscan's compile ten times longer;
       "(?:" RE_PW_ASCII ")[\"']?[ \\t]*(?::|=|\xef\xbc\x9a)" is
       label_hit()'s (half of its database's cost in Hyperscan) */
    "(?-i:" RE_PW_UTF8 ")",
    "://",                                             /* ulp */
    /* userpass: none. Its separators (":;|" and tab) are on most lines
       of a paste or log, so its candidates covered the whole text and
       one pass over it ran anyway, after as many prefilter hits; the
       lines of that shape are found in C (userpass_line()). */
    NULL,
};

static const uint32_t pattern_opts[PAT_COUNT] = {
    0, PCRE2_MULTILINE, 0, PCRE2_CASELESS, PCRE2_CASELESS, 0,
    0, PCRE2_CASELESS, PCRE2_MULTILINE, PCRE2_MULTILINE,
};

/* A domain we own or watch, for the watched flag. */
struct watched_domain {
    char *name; /* lowercased, no trailing dot */
    int term;
};


/* The slots mask_hits() finds candidates for. */
enum long_run_kind { RUN_NONE, RUN_HEX, RUN_BTC58, RUN_XMR, RUN_CARD };

struct extractor {
    pcre2_code *re[PAT_COUNT];
    bool jit;             /* every pattern is JIT-compiled */
    pcre2_code **rule_re; /* one per rules[] entry */
    /* The prefilter: short patterns (id = slot) that Hyperscan runs over
       the text; pcre2 then runs only on the candidates they flag. */
    hs_database_t *pre; /* see build_db() */
    hs_scratch_t *pre_proto;
    bool *filtered;       /* per slot: PAT_* then rules[] */
    size_t run_slot[RUN_CARD + 1]; /* mask_hits() kind -> slot */
    size_t ipv6_slot;     /* mask_hits() adds its candidates */
    size_t idn_slot, email_idn_slot; /* and some of these */
    size_t secret_slot;   /* and re_generic_secret's (label_hit()) */
    bool *token;          /* per slot: matches hold no ASCII blank, so a
                             candidate is the blank-free run around a
                             prefilter hit instead of its whole line */
    size_t (*window)[2];  /* per slot: or the bytes before and after the
                             hit's end (window_slot()), or 0 */
    bool no_prefilter;    /* tests compare both ways */
    bool pre_terms;       /* the prefilter's database holds the watch
                             terms' expressions (ids from TERM_BASE) */
    struct termset *brand; /* all brand-like terms, one Hyperscan pass */
    int *brand_term;    /* term-set index -> index into the watch terms */
    char **brand_value; /* term-set index -> normalised term value */
    int *brand_conf;
    size_t nbrand;
    struct watched_domain *domains; /* sorted by name, then term */
    size_t ndomains;
    struct domain_slot *domain_at; /* hash table of domains */
    size_t domain_cap;    /* its size, a power of two (0: no domains) */
    EVP_MD_CTX *mac_inner; /* SHA-256 after key ^ ipad: HMAC's two halves,
                              computed once (mac_init); the key itself is
                              not kept */
    EVP_MD_CTX *mac_outer; /* ... after key ^ opad */
    struct benign *benign;   /* known-benign values (extract/benign.c) */
    struct context *context; /* context words (extract/context.c) */
    bool avx2;               /* masks_avx2() runs here */
};

/* Byte ranges [lo, hi) of whole lines, in order, not overlapping. */
struct lines {
    size_t (*v)[2];
    size_t n, cap;
    size_t bytes; /* covered by the ranges */
    size_t next;  /* first range next_match() has not finished */
    bool dense;   /* covers so much that one whole-text pass is cheaper */
    bool unsorted; /* two sources appended: sort_ranges() puts in order */
};

/* Findings of one call before sorting (sort_items()). */
struct item {
    struct finding f;
};

struct run {
    const struct extractor *x;
    const char *text;
    size_t len;
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* the offset limit of candidate ranges */
    struct item *items;
    size_t n, cap;
    size_t (*pw)[2]; /* sensitive spans (passwords, secrets, cards) */
    size_t npw, pwcap;
    size_t npw_sorted; /* pw[0..npw_sorted) is in text order */
    /* in_password()'s last answer: pw_at is the first span ending after
       pw_at_off, while npw_sorted was pw_at_sorted; usable while the
       sorted spans' ends are in order too (pw_ends_sorted). */
    size_t pw_at, pw_at_off, pw_at_sorted;
    bool pw_ends_sorted;
    bool full;
    struct lines *cand;  /* per slot: where its pattern may match */
    struct context_hits words; /* the context words' hits (prefilter) */
    struct termset_hits *terms; /* the watch terms' (prefilter), or NULL */
    struct leet_masks *leet;   /* the watch terms' leet masks, made with
                                  masks_avx2()'s, (len + 63) / 64; or NULL */
    const pcre2_code *last_re; /* next_match()'s slot cache */
    size_t last_slot;
    EVP_MD_CTX *mac; /* password_mac()'s scratch, made on first use */
    PCRE2_SIZE ov[10]; /* the ovector of a match found in C (next_match) */
    struct findings_pool **strings; /* the output's: where add() moves
                                       the strings of the findings */
};

static const char *const kind_names[FIND_KIND_COUNT] = {
    "email",  "credential", "brand",  "ipv4", "domain",
    "url",    "md5",        "sha1",   "sha256", "sha512",
    "ipv6",   "cve",        "attack_technique", "onion", "btc",
    "eth",    "xmr",        "card",   "secret",
};

const char *
finding_kind_name(enum finding_kind kind)
{
    if ((unsigned)kind >= FIND_KIND_COUNT)
        return "unknown";
    return kind_names[kind];
}

/*
 * The strings of a struct findings, in blocks freed at once: a malloc()
 * per string and a free() of each in findings_release() (one a finding
 * or more, seven thousand a scan block) cost more than making it. A
 * finding's strings are made by malloc() as the checks go, then moved in
 * by add(): that free() follows its malloc() closely, where glibc's
 * thread cache makes both cheap.
 */
struct findings_pool {
    struct findings_pool *next;
    size_t used, cap;
    char data[];
};

#define POOL_FIRST 1024        /* bytes of a findings' first block */
#define POOL_BLOCK (64u << 10) /* and of the next ones at most */

/* A copy of s[0..n) and a NUL in *pool. */
static char *
pool_strndup(struct findings_pool **pool, const char *s, size_t n)
{
    struct findings_pool *b = *pool;
    size_t cap;
    char *p;

    if (b == NULL || b->cap - b->used <= n) {
        cap = b == NULL ? POOL_FIRST : b->cap < POOL_BLOCK ? 2 * b->cap
                                                            : POOL_BLOCK;
        if (cap <= n)
            cap = n + 1; /* n is at most a block of text */
        b = xmalloc(sizeof(*b) + cap);
        b->next = *pool;
        b->used = 0;
        b->cap = cap;
        *pool = b;
    }
    p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

/* s (malloc()ed, n bytes, or NULL) moved into *pool. */
static char *
pool_take(struct findings_pool **pool, char *s, size_t n)
{
    char *p;

    if (s == NULL)
        return NULL;
    p = pool_strndup(pool, s, n);
    x_free(s);
    return p;
}

void
findings_init(struct findings *f)
{
    f->v = NULL;
    f->n = 0;
    f->strings = NULL;
}

void
findings_release(struct findings *f)
{
    struct findings_pool *b, *next;

    for (b = f->strings; b != NULL; b = next) {
        next = b->next;
        x_free(b);
    }
    x_free(f->v);
    findings_init(f);
}

void
findings_truncate(struct findings *f, size_t n)
{
    assert(n <= f->n);
    f->n = n;
}

static void
lower_str(char *s)
{
    for (; *s != '\0'; s++)
        *s = ascii_lower(*s);
}

static bool
psl_suffix(const char *tld)
{
    return psl_is_public_suffix2(psl_builtin(), tld,
                                 PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

/*
 * The answers for names of two to four letters, each asked of libpsl once
 * per process, when first seen: nearly every TLD in text is one of them
 * ("com", "info", and file extensions such as "html" that are none), and
 * a lookup in the list costs some 2,000 instructions (asking for all
 * 475,228 up front would cost every start). 0: not asked yet, else
 * 1 + the answer; threads that race ask libpsl twice and agree.
 */
#define SHORT_TLDS (26 * 26 + 26 * 26 * 26 + 26 * 26 * 26 * 26)
static unsigned char short_tlds[SHORT_TLDS];

/*
 * The other names (five letters or more, "xn--" labels, digits), up to
 * LONG_TLD_MAX bytes: the last answer for each slot of a small table per
 * thread, by hash, the name kept whole so that a slot answers only for
 * its own name. Far fewer of them recur ("online", "onion", and "dumps",
 * "hexdigest" in code), but each cost a lookup in the list every time.
 */
#define LONG_TLDS 256
#define LONG_TLD_MAX 24
static __thread struct long_tld {
    char name[LONG_TLD_MAX + 1]; /* "" for an empty slot */
    bool known;
} long_tlds[LONG_TLDS];

/* psl_suffix() of tld (n bytes), through long_tlds[]. */
static bool
long_tld(const char *tld, size_t n)
{
    struct long_tld *t;
    uint32_t h = 2166136261u;
    size_t i;

    if (n > LONG_TLD_MAX)
        return psl_suffix(tld);
    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)tld[i]) * 16777619u;
    t = &long_tlds[h % LONG_TLDS];
    if (strcmp(t->name, tld) != 0) {
        memcpy(t->name, tld, n + 1);
        t->known = psl_suffix(tld);
    }
    return t->known;
}

/* Whether tld (lowercase) is in libpsl's built-in public suffix list. */
static bool
known_tld(const char *tld)
{
    size_t n = strlen(tld), i, k;
    unsigned char v;

    if (n < 2 || n > 4)
        return n == 0 ? psl_suffix(tld) : long_tld(tld, n);
    for (i = 0, k = 0; i < n; i++) {
        if (tld[i] < 'a' || tld[i] > 'z')
            return long_tld(tld, n);
        k = k * 26 + (size_t)(tld[i] - 'a');
    }
    if (n >= 3)
        k += 26 * 26;
    if (n == 4)
        k += 26 * 26 * 26;
    v = __atomic_load_n(&short_tlds[k], __ATOMIC_RELAXED);
    if (v == 0) {
        v = psl_suffix(tld) ? 2 : 1;
        __atomic_store_n(&short_tlds[k], v, __ATOMIC_RELAXED);
    }
    return v == 2;
}

/*
 * Suffixes that make no domain finding though they are public suffixes:
 * onion names have their own kind; "archive.zip", "setup.py",
 * "README.md", "main.rs", "deploy.sh" and "Config.pm" are files far more
 * often than sites; and brands' own suffixes that sell no names are
 * attributes in code ("node.data", "iter.next", "io.open",
 * "event.target").
 */
static const char *const not_domain_tlds[] = {
    "data", "md",  "mov", "ms", "next", "onion", "open", "pm",
    "ps",   "py",  "rs",  "sh", "so",   "target", "tf",  "zip",
};

static bool
domain_tld(const char *tld)
{
    size_t i;

    /* A loop, not bsearch(): sixteen names, most ruled out by one byte. */
    for (i = 0; i < sizeof(not_domain_tlds) / sizeof(not_domain_tlds[0]);
         i++)
        if (tld[0] == not_domain_tlds[i][0] &&
            strcmp(tld, not_domain_tlds[i]) == 0)
            return false;
    return known_tld(tld);
}

/*
 * Names that are files of a source tree though their suffix is a country's
 * ("configure.ac", "Makefile.am", "POTFILES.in", "Makefile.PL",
 * "meson.build"), templates a build fills in ("config.h.in",
 * "libfoo.pc.in", "x.service.in") and source maps ("index.js.map"): v is
 * the name lowercased, n its length.
 */
static bool
source_file(const char *v, size_t n)
{
    static const char *const files[] = {
        "configure.ac", "configure.in",    "makefile.am",  "makefile.in",
        "makefile.pl",  "makefile.vc",     "manifest.in",  "meson.build",
        "potfiles.in",  "requirements.in", "testsuite.at",
    };
    static const char *const templates[] = {
        "c",    "cc",   "cfg",  "conf", "cpp",     "desktop", "h",
        "html", "ini",  "json", "md",   "pc",      "pl",      "py",
        "rst",  "service", "sh", "spec", "txt",    "xml",     "yaml", "yml",
    };
    const char *dot;
    size_t k;

    /* Most names end otherwise: their suffix first ("in", "build", ...:
       the last label of the files and templates below). */
    if (n < 4 || !((v[n - 3] == '.' &&
                    ((v[n - 2] == 'a' && strchr("cmt", v[n - 1])) ||
                     (v[n - 2] == 'i' && v[n - 1] == 'n') ||
                     (v[n - 2] == 'p' && v[n - 1] == 'l') ||
                     (v[n - 2] == 'v' && v[n - 1] == 'c'))) ||
                   (n > 6 && memcmp(v + n - 6, ".build", 6) == 0) ||
                   (n > 4 && memcmp(v + n - 4, ".map", 4) == 0)))
        return false;
    /* Source maps: "index.js.map", "main.css.map". */
    if (n > 7 && (memcmp(v + n - 7, ".js.map", 7) == 0 ||
                  (n > 8 && memcmp(v + n - 8, ".css.map", 8) == 0)))
        return true;
    if (SPAN_IN(((struct span){ v, n }), files))
        return true;
    if (n < 6 || memcmp(v + n - 3, ".in", 3) != 0)
        return false;
    for (dot = v + n - 3; dot > v && dot[-1] != '.'; dot--)
        ;
    if (dot == v)
        return false; /* "example.in": two labels */
    k = (size_t)(v + n - 3 - dot);
    return SPAN_IN(((struct span){ dot, k }), templates);
}

/* Whether the name at t[off] is an element of a path ("src/main.cc",
   "debian/control.in", "C:\setup.pl"): after one '/' or '\', not after
   a URL's "//" (or the "http:/" of a URL that lost a slash) or a UNC
   name's two backslashes. */
static bool
path_element(const char *t, size_t off)
{
    char c = off > 0 ? t[off - 1] : 0, b = off > 1 ? t[off - 2] : 0;

    return (c == '/' && b != '/' && b != ':') ||
           (c == '\\' && b != '\\');
}

/*
 * JavaScript's property chains, under a suffix that is a property's name
 * too (top, id, host, docs, ...): a "prototype" label
 * ("t.Index.prototype.search"), a one-letter first label as minified code
 * writes ("e.top", "n.docs", "h.id"), or a camelCase label (a lower-case
 * letter, then an upper-case one, in a label that starts lower-case:
 * "clientRect.top", "e.target.parentElement.id"; "WhatsApp.to" stays).
 */
static bool
camel_attribute(const char *s, size_t n, size_t tldn)
{
    static const char *const props[] = { "docs", "host", "id",  "link",
                                         "map",  "run",  "save", "search",
                                         "style", "to",  "top" };
    size_t i, k;

    if (!SPAN_IN(((struct span){ s + n - tldn, tldn }), props))
        return false;
    if (s[1] == '.') /* minified code's "e.top", "n.docs", "h.id" */
        return true;
    for (i = 0; i < n; i = k + 1) { /* each label */
        for (k = i; k < n && s[k] != '.'; k++)
            ;
        if (k - i == 9 && memcmp(s + i, "prototype", 9) == 0)
            return true;
        /* camelCase starts lower-case; PascalCase is a brand's
           ("WhatsApp"). */
        if (k < n && s[i] >= 'a' && s[i] <= 'z')
            for (; i + 1 < k; i++)
                if (s[i] >= 'a' && s[i] <= 'z' && s[i + 1] >= 'A' &&
                    s[i + 1] <= 'Z')
                    return true;
    }
    return false;
}

/*
 * Whether the name t[off..off+n), whose suffix is its last tldn bytes, is
 * code, not a host: JavaScript's property chains (camel_attribute()), an
 * attribute of a receiver that code alone writes ("self.name", "os.name",
 * "collections.abc": ".name", ".abc" are suffixes), a name of one label
 * under ".name" (which sells "first.last.name": "f.name",
 * "param.name"), a constant ("token.NAME", "log.INFO": a lower-case
 * name, an upper-case suffix of four letters or more; "paypal.COM"
 * stays), or the end of an identifier ("der_digests.h.in",
 * "foo_bar.com": a '_' inside a label of the token it ends;
 * "_dmarc.example.com" starts a label with it).
 */
static bool
code_name(const char *t, size_t off, size_t n, size_t tldn)
{
    /* Receivers by first letter, blank-separated: a domain's first label
       is looked for in one short list, not in all. */
    static const char *const receivers['z' - 'a' + 1] = {
        ['a' - 'a'] = "args attrs",
        ['c' - 'a'] = "cls collections console ctx",
        ['d' - 'a'] = "datetime document",
        ['e' - 'a'] = "elem err evt",
        ['k' - 'a'] = "kwargs kwds",
        ['l' - 'a'] = "logger logging",
        ['n' - 'a'] = "np",
        ['o' - 'a'] = "obj opcode opts os",
        ['p' - 'a'] = "params pd",
        ['r' - 'a'] = "req resp",
        ['s' - 'a'] = "self sys",
        ['t' - 'a'] = "this typing",
        ['w' - 'a'] = "window",
    };
    const char *s = t + off, *dot = memchr(s, '.', n), *w, *e;
    size_t k, i, last;
    bool lower = false, upper = true;

    /* Back over the token, as far as a name goes (no more: a long token
       would be walked again for each name in it); a name after a blank
       or a quote, as most are, has no token before it. */
    if (off > 0 && (t[off - 1] == '.' || t[off - 1] == '_' ||
                    t[off - 1] == '-')) {
        for (i = off; i > 0 && off - i < MAX_DOMAIN &&
                      (ascii_isalnum(t[i - 1]) || t[i - 1] == '_' ||
                       t[i - 1] == '.' || t[i - 1] == '-');
             i--)
            if (t[i - 1] == '_' && i >= 2 && ascii_isalnum(t[i - 2]))
                return true;
    }
    if (dot == NULL)
        return false;
    k = (size_t)(dot - s);
    if (camel_attribute(s, n, tldn))
        return true;
    if (n - k == 5 && ascii_lower(s[k + 1]) == 'n' &&
        ascii_lower(s[k + 2]) == 'a' && ascii_lower(s[k + 3]) == 'm' &&
        ascii_lower(s[k + 4]) == 'e')
        return true;
    if (s[0] >= 'a' && s[0] <= 'z' && (w = receivers[s[0] - 'a']) != NULL)
        for (; *w != '\0'; w = *e == ' ' ? e + 1 : e) {
            for (e = w; *e != '\0' && *e != ' '; e++)
                ;
            if ((size_t)(e - w) == k && memcmp(w, s, k) == 0)
                return true;
        }
    if (tldn < 4 || tldn >= n)
        return false;
    last = n - tldn;
    for (i = last; i < n && upper; i++)
        upper = s[i] >= 'A' && s[i] <= 'Z';
    for (i = 0; i + 1 < last && upper; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z')
            return false;
        lower |= s[i] >= 'a' && s[i] <= 'z';
    }
    return upper && lower;
}

#define BYTES_ONES 0x0101010101010101ull

/* Whether a byte of the word w is 0 (exact: no false positives). */
static inline bool
word_has_zero(uint64_t w)
{
    return ((w - BYTES_ONES) & ~w & (BYTES_ONES * 0x80)) != 0;
}

/*
 * Whether s[0..n) holds a '[', '(' or '{', the bytes every defanged form
 * starts with; eight bytes at a time (c | 0x20 is '{' for '[' and '{'
 * only): three memchr() calls or a loop of three compares a byte cost
 * more than the rest of a domain's checks.
 */
static inline bool
bracket_in_word(const char *s)
{
    uint64_t w;

    memcpy(&w, s, 8);
    return word_has_zero((w | (BYTES_ONES * 0x20)) ^ (BYTES_ONES * '{')) ||
           word_has_zero(w ^ (BYTES_ONES * '('));
}

static bool
has_bracket(const char *s, size_t n)
{
    size_t i;

    if (n < 8) {
        for (i = 0; i < n; i++)
            if ((s[i] | 0x20) == '{' || s[i] == '(')
                return true;
        return false;
    }
    for (i = 0; i + 8 <= n; i += 8)
        if (bracket_in_word(s + i))
            return true;
    /* The last eight bytes, overlapping the words before. */
    return i < n && bracket_in_word(s + n - 8);
}

/*
 * memmem() for the short needles of URLs ("//", "://"): memchr() to each
 * first byte, then memcmp(). glibc's memmem() costs some 250 instructions
 * a call on these haystacks of a token or sixteen bytes, more than the
 * rest of a URL's host.
 */
static const char *
find_short(const char *s, size_t n, const char *w, size_t wn)
{
    const char *p = s, *end = s + n;

    while (wn > 0 && (size_t)(end - p) >= wn) {
        p = memchr(p, w[0], (size_t)(end - p) - wn + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, w + 1, wn - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

/*
 * Writes s[0..n) to out (room for n + 1 bytes) with the defanged dots
 * ("[.]", "(.)", "{.}", "[dot]", "(dot)", and "[[.]]" or "([.])" defanged
 * twice), "[:]" and "[://]" made plain again, and a NUL; returns the
 * length written.
 */
static size_t
refang_to(char *out, const char *s, size_t n)
{
    char *o = out;
    size_t i = 0;

    if (!has_bracket(s, n)) {
        memcpy(out, s, n); /* nothing defanged: the common case */
        out[n] = '\0';
        return n;
    }
    while (i < n) {
        if (s[i] != '[' && s[i] != '(' && s[i] != '{') {
            *o++ = s[i++];
        } else if (i + 5 <= n && (memcmp(s + i, "[[.]]", 5) == 0 ||
                           memcmp(s + i, "([.])", 5) == 0)) {
            *o++ = '.';
            i += 5;
        } else if (i + 3 <= n && (memcmp(s + i, "[.]", 3) == 0 ||
                           memcmp(s + i, "(.)", 3) == 0 ||
                           memcmp(s + i, "{.}", 3) == 0)) {
            *o++ = '.';
            i += 3;
        } else if (i + 3 <= n && memcmp(s + i, "[:]", 3) == 0) {
            *o++ = ':';
            i += 3;
        } else if (i + 5 <= n && (strncasecmp(s + i, "[dot]", 5) == 0 ||
                                  strncasecmp(s + i, "(dot)", 5) == 0)) {
            *o++ = '.';
            i += 5;
        } else if (i + 5 <= n && memcmp(s + i, "[://]", 5) == 0) {
            memcpy(o, "://", 3);
            o += 3;
            i += 5;
        } else {
            *o++ = s[i++];
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* refang_to() into a new string (malloc()ed). */
static char *
refang(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);

    refang_to(out, s, n);
    return out;
}

/* A slot of the watched domains' hash table: the index of the domain + 1
   (0: empty), and its name's hash, compared before the names. */
struct domain_slot {
    uint32_t hash;
    uint32_t at;
};

/* By name, then by term: the first of equal names is the earliest term. */
static int
cmp_domain(const void *a, const void *b)
{
    const struct watched_domain *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : (x->term > y->term) - (x->term < y->term);
}

/* FNV-1a: the hash of the watched domains' table. */
static uint32_t
name_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/*
 * The watch term that name (lowercased) equals or is a subdomain of: the
 * name itself, then each parent in turn, is looked up in the domains'
 * hash table, so the most specific watched domain wins (of equal names,
 * the first term: build_domains() files only that one).
 */
static int
watched_term(const struct extractor *x, const char *name)
{
    const struct watched_domain *d;
    size_t k, mask = x->domain_cap - 1;
    uint32_t h;

    while (x->domain_cap > 0 && name != NULL && *name != '\0') {
        h = name_hash(name);
        for (k = h & mask; x->domain_at[k].at != 0; k = (k + 1) & mask) {
            d = &x->domains[x->domain_at[k].at - 1];
            if (x->domain_at[k].hash == h && strcmp(d->name, name) == 0)
                return d->term;
        }
        name = strchr(name, '.');
        if (name != NULL)
            name++;
    }
    return -1;
}

/* --- rules: one pattern and one check per kind ------------------------ */

/*
 * What a rule's check makes of one match: the value (owned by the verdict
 * until the finding takes it), the span of the finding (the match, or a
 * narrower one) and the confidence.
 */
struct verdict {
    char *value;
    char *unicode; /* the finding's unicode field, or NULL */
    size_t off, len;
    int confidence;
};

struct rule;

/*
 * A check sees the whole text (for context before the match) and the
 * ovector of the match; it returns false to drop the match.
 */
typedef bool rule_check(const struct rule *rl, const char *text, size_t len,
                        const PCRE2_SIZE *ov, struct verdict *v);

struct rule {
    enum finding_kind kind;
    const char *type; /* sub-type for the value (secrets), or NULL */
    const char *re;
    uint32_t opts;
    rule_check *check;
    bool sensitive; /* span is redacted and vetoes other findings */
    const char *pre; /* contained in every match, on its line (prefilter);
                        NULL: the pattern runs on the whole text */
};

#define ALNUM "A-Za-z0-9"
#define B58 "1-9A-HJ-NP-Za-km-z" /* Bitcoin's (and Monero's) base58 */

/*
 * Defanged e-mail addresses: "name[at]host[.]com", "name (at) host (dot)
 * com", "name[@]host[.]com", "name&#64;host.com". The "at" is always
 * bracketed or an entity (a bare " at " is English), dots may be either.
 */
#define RE_DF_AT                                                              \
    "(?:[ ]?(?:\\[(?:at|@)\\]|\\((?:at|@)\\)|\\{(?:at|@)\\})[ ]?|&#64;|&#x40;)"
#define RE_DF_DOT                                                             \
    "(?:[ ]?(?:\\[(?:\\.|dot)\\]|\\((?:\\.|dot)\\)|\\{(?:\\.|dot)\\})[ ]?|\\.)"
static const char re_email_df[] =
    "(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})" RE_DF_AT
    "((?:" RE_LABEL RE_DF_DOT "){1,8}[A-Za-z]{2,24})(?![A-Za-z0-9-])";

static const char re_cve[] =
    "(?<![" ALNUM "_-])CVE-([0-9]{4})-([0-9]{4,7})(?![" ALNUM "_])";

/* Enterprise techniques are T1001-T1999; "T8000-North" is a part number. */
static const char re_attack[] = "(?<![" ALNUM "_])T1[0-9]{3}(?:\\.[0-9]{3})?"
                                "(?![" ALNUM "_])(?!\\.[0-9])";

static const char re_onion[] =
    "(?<![" ALNUM "_-])([a-z2-7]{56}|[a-z2-7]{16})\\.onion"
    "(?![" ALNUM "_-])(?!\\.[" ALNUM "])";

/*
 * A run of hex digits, colons, dots and "[:]" holding a colon within its
 * first five bytes; possessive, so no backtracking. inet_pton() decides.
 */
static const char re_ipv6[] =
    "(?<![" ALNUM "_:.])[0-9A-Fa-f]{0,4}+(?::|\\[:\\])"
    "(?:[0-9A-Fa-f:.]|\\[:\\]){1,76}+(?![" ALNUM "_])";

static const char re_btc58[] =
    "(?<![" ALNUM "_])[13][" B58 "]{24,33}(?![" ALNUM "_])";

static const char re_bech32[] =
    "(?<![" ALNUM "_])bc1[02-9ac-hj-np-z]{8,87}(?![" ALNUM "_])";

static const char re_eth[] =
    "(?<![" ALNUM "_])0x[0-9A-Fa-f]{40}(?![" ALNUM "_])";

static const char re_xmr[] =
    "(?<![" ALNUM "_])[48][" B58 "]{94}(?![" ALNUM "_])";

/*
 * 13-19 digits in a row, or 4-4-4-4 and 4-6-5 (Amex) groups; also right
 * after the "%B" of magnetic-stripe track 1 data, and before a "-MM/YY"
 * expiry, but not inside a longer run of dashed numbers.
 */
static const char re_card[] =
    "(?:(?<![" ALNUM "_])|(?<=%B))(?<![0-9]-)"
    "(?:[0-9]{13,19}|[0-9]{4}([ -])[0-9]{4}\\1[0-9]{4}\\1[0-9]{4}"
    "|3[47][0-9]{2}([ -])[0-9]{6}\\2[0-9]{5})"
    "(?![" ALNUM "_])(?!-(?![0-9]{2}/[0-9]{2})[0-9])";

/*
 * A private key block up to its END line. The body (up to 64 KB) holds no
 * run of five dashes, so each BEGIN scans at most up to the next BEGIN or
 * END line (possessive: no backtracking). A block cut short (no END) runs
 * over the base64, "Name: value" and empty lines after it, so it is
 * redacted anyway.
 */
static const char re_privkey[] =
    "-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----"
    "(?:(?:[^-]{1,1024}+|-(?!----)){0,64}+"
    "-----END \\1PRIVATE KEY(?: BLOCK)?-----"
    "|(?:\\r?\\n(?:[A-Za-z0-9+/=]{1,128}+|[A-Za-z-]{1,32}+: [^\\r\\n]{0,128}+)"
    "?+(?=[\\r\\n]|$)){0,256}+)";

static const char re_aws[] =
    "(?<![" ALNUM "])(?:AKIA|ASIA)[A-Z0-9]{16}(?![" ALNUM "])";
static const char re_github[] =
    "(?<![" ALNUM "_])gh[pousr]_[" ALNUM "]{36}(?![" ALNUM "_])";
static const char re_github_pat[] =
    "(?<![" ALNUM "_])github_pat_[" ALNUM "_]{82}(?![" ALNUM "_])";
static const char re_gitlab[] =
    "(?<![" ALNUM "_-])glpat-[" ALNUM "_-]{20}(?![" ALNUM "_-])";
static const char re_slack[] =
    "(?<![" ALNUM "_-])xox[baprs]-[" ALNUM "-]{10,250}+(?![" ALNUM "_-])";
static const char re_stripe[] =
    "(?<![" ALNUM "_])[sr]k_live_[" ALNUM "]{24,99}+(?![" ALNUM "_])";
static const char re_google[] =
    "(?<![" ALNUM "_-])AIza[" ALNUM "_-]{35}(?![" ALNUM "_-])";
/* Header (starts '{"', so "eyJ"), payload, signature (empty for "none"). */
static const char re_jwt[] =
    "(?<![" ALNUM "_-])eyJ[" ALNUM "_-]{8,1021}+\\.[" ALNUM "_-]{2,16384}+"
    "\\.[" ALNUM "_-]{0,1024}+(?![" ALNUM "_-])(?!\\.[" ALNUM "_-])";

/*
 * An AWS secret access key (40 base64 characters) after its name, or
 * after the access key id it goes with ("AKIA...,wJalr...", CSV and
 * "id:secret" dumps). Group 1 is the secret.
 */
static const char re_aws_secret[] =
    "(?:(?<![" ALNUM "])(?:AKIA|ASIA)[A-Z0-9]{16}[\"']?+"
    "(?:[ \\t]*+[,:;|=][ \\t]*+|[ \\t]++)[\"']?+"
    "|(?i:aws[_ .-]?secret(?:[_ .-]?access)?(?:[_ .-]?key)?"
    "|secret[_ .-]?access[_ .-]?key)[\"']?+[ \\t]{0,16}+(?::=|=>|[:=])"
    "[ \\t]{0,16}+[\"']?+)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])";

/*
 * A generic "name = value" secret: the name (group 1) and the value,
 * double-quoted (2), single-quoted (3) or bare (4). Names, placeholders
 * and the entropy floor are checked in extract/cred.c.
 */
static const char re_generic_secret[] =
    "(?<![A-Za-z0-9_.-])[\"']?+([A-Za-z_][A-Za-z0-9_.-]{0,63}+)[\"']?+"
    "[ \\t]{0,16}+(?::=|=>|[:=])[ \\t]{0,16}+"
    "(?:\"([^\"\\r\\n\\\\]{1,512}+)\"|'([^'\\r\\n\\\\]{1,512}+)'"
    "|([^\\s\"',;<>()\\[\\]{}]{1,512}+))";

static char
upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static void
upper_str(char *s)
{
    for (; *s != '\0'; s++)
        *s = upper(*s);
}

/*
 * SHA-256 and SHA3-256 fetched from OpenSSL's provider once per process:
 * EVP_sha256() is a legacy handle that each EVP_Digest() looked up again,
 * some 7,000 instructions a digest, most of a checksum's cost. Never
 * freed (held to the end, like the provider).
 */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha3_256;

static void
md_fetch(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md_sha3_256 = EVP_MD_fetch(NULL, "SHA3-256", NULL);
}

static bool
digest(const EVP_MD *md, const void *data, size_t n, unsigned char *out)
{
    unsigned int outlen = 0;

    return md != NULL && EVP_Digest(data, n, out, &outlen, md, NULL) == 1;
}

/* "CVE-2021-44228", years 1999..2099. */
static bool
check_cve(const struct rule *rl, const char *text, size_t len,
          const PCRE2_SIZE *ov, struct verdict *v)
{
    unsigned int year = 0;
    size_t i;

    for (i = ov[2]; i < ov[3]; i++)
        year = year * 10 + (unsigned)(text[i] - '0');
    if (year < 1999 || year > 2099)
        return false;
    v->value = xstrndup(text + ov[0], ov[1] - ov[0]);
    upper_str(v->value);
    v->confidence = 90;
    return true;
}

/* "T1059", "T1059.001"; a lowercase 't' is more likely something else. */
static bool
check_attack(const struct rule *rl, const char *text, size_t len,
             const PCRE2_SIZE *ov, struct verdict *v)
{
    v->value = xstrndup(text + ov[0], ov[1] - ov[0]);
    v->confidence = text[ov[0]] == 'T' ? 75 : 40;
    upper_str(v->value);
    return true;
}

static int
base32_val(char c)
{
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

/*
 * Tor v3: base32 of pubkey(32) || checksum(2) || version(1) where the
 * checksum is SHA3-256(".onion checksum" || pubkey || version)[0..2).
 * v2 names (16 characters) have no checksum and stopped working in 2021:
 * still reported, as history, with a low confidence.
 */
static bool
check_onion(const struct rule *rl, const char *text, size_t len,
            const PCRE2_SIZE *ov, struct verdict *v)
{
    static const char salt[] = ".onion checksum";
    unsigned char raw[35], in[sizeof(salt) - 1 + 33], md[32];
    size_t n = ov[3] - ov[2], i, o = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (n == 56) {
        for (i = 0; i < n; i++) {
            acc = (acc << 5) | (uint32_t)base32_val(text[ov[2] + i]);
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                raw[o++] = (unsigned char)(acc >> bits);
                acc &= (1u << bits) - 1;
            }
        }
        if (o != sizeof(raw) || raw[34] != 3)
            return false;
        memcpy(in, salt, sizeof(salt) - 1);
        memcpy(in + sizeof(salt) - 1, raw, 32);
        in[sizeof(in) - 1] = raw[34];
        if (!digest(md_sha3_256, in, sizeof(in), md) || md[0] != raw[32] ||
            md[1] != raw[33])
            return false;
        v->confidence = 95;
    } else {
        v->confidence = 30; /* v2: obsolete, unverifiable */
    }
    v->value = xstrndup(text + ov[0], ov[1] - ov[0]);
    lower_str(v->value);
    return true;
}

static bool ipv4_special(const unsigned int o[4]);

/* Loopback, link-local, ULA, documentation, multicast, and an IPv4
   address mapped ("::ffff:127.0.0.1") from a range ipv4_special() has. */
static bool
ipv6_special(const unsigned char a[16])
{
    static const unsigned char loopback[16] = { [15] = 1 };
    static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
    unsigned int o[4] = { a[12], a[13], a[14], a[15] };

    return memcmp(a, loopback, 16) == 0 ||
           (memcmp(a, mapped, 12) == 0 && ipv4_special(o)) ||
           (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || (a[0] & 0xfe) == 0xfc ||
           (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||
           a[0] == 0xff;
}

/* Decimal digits of v (< 1000) at p; returns the byte after them. */
static char *
put_dec(char *p, unsigned int v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

void
ipv6_text(const unsigned char a[16], char out[EXTRACT_IPV6_TEXT])
{
    static const char hex[] = "0123456789abcdef";
    unsigned int w[8];
    int i, best = -1, bestlen = 0, cur = -1, shift;
    char *p = out;

    for (i = 0; i < 8; i++) {
        w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
        if (w[i] != 0) {
            cur = -1;
            continue;
        }
        if (cur < 0)
            cur = i;
        if (i + 1 - cur > bestlen) {
            best = cur;
            bestlen = i + 1 - cur;
        }
    }
    if (bestlen < 2)
        best = -1;
    for (i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + bestlen) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i != 0)
            *p++ = ':';
        if (i == 6 && best == 0 &&
            (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
            p = put_dec(p, a[12]);
            *p++ = '.';
            p = put_dec(p, a[13]);
            *p++ = '.';
            p = put_dec(p, a[14]);
            *p++ = '.';
            p = put_dec(p, a[15]);
            break;
        }
        for (shift = 12; shift > 0 && (w[i] >> shift) == 0; shift -= 4)
            ;
        for (; shift >= 0; shift -= 4)
            *p++ = hex[(w[i] >> shift) & 15];
    }
    if (best >= 0 && best + bestlen == 8)
        *p++ = ':';
    *p = '\0';
}

/*
 * Validated by inet_pton(); the value is inet_ntop()'s canonical form
 * (written by ipv6_text()). Not
 * "::" (the unspecified address), not a run without a digit ("dead::beef"
 * is more likely code), not eight 2-digit groups (an EUI-64 or MAC-like
 * dump).
 */
static bool
check_ipv6(const struct rule *rl, const char *text, size_t len,
           const PCRE2_SIZE *ov, struct verdict *v)
{
    static const unsigned char any[16];
    unsigned char a[16];
    char out[EXTRACT_IPV6_TEXT], *s;
    size_t n, raw = ov[1] - ov[0], i, group = 0, groups = 0;
    bool digit = false, two = true, clock = true;

    /* A sentence's dot or colon is not part of the address. */
    while (raw > 0 && text[ov[0] + raw - 1] == '.')
        raw--;
    if (raw >= 2 && text[ov[0] + raw - 1] == ':' &&
        text[ov[0] + raw - 2] != ':' && text[ov[0] + raw - 2] != ']')
        raw--;
    s = refang(text + ov[0], raw);
    n = strlen(s);
    for (i = 0; i <= n; i++) {
        if (i < n && ascii_isdigit(s[i]))
            digit = true;
        else if (i < n && s[i] != ':')
            clock = false;
        if (i == n || s[i] == ':') {
            if (group != 2)
                two = false;
            if (group > 2)
                clock = false;
            groups += group > 0;
            group = 0;
        } else {
            group++;
        }
    }
    /* "00:03::49": a time with a colon too many ("::1", "1::2" stay). */
    if (clock && s[0] != ':' && groups >= 3) {
        x_free(s);
        return false;
    }
    if (!digit || (two && strstr(s, "::") == NULL) || n >= sizeof(out) ||
        inet_pton(AF_INET6, s, a) != 1 || memcmp(a, any, 16) == 0) {
        x_free(s);
        return false;
    }
    x_free(s);
    ipv6_text(a, out);
    v->value = xstrdup(out);
    v->len = raw;
    v->confidence = ipv6_special(a) ? 50 : 80;
    return true;
}

/* The value of a base58 digit ("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijk
   mnopqrstuvwxyz"), or -1: a table, not strchr() of the alphabet per
   digit. */
static int
base58_val(char c)
{
    static const signed char val[128] = {
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1,  0,  1,  2,  3,  4,  5,  6,  7,  8, -1, -1, -1, -1, -1, -1,
        -1,  9, 10, 11, 12, 13, 14, 15, 16, -1, 17, 18, 19, 20, 21, -1,
        22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, -1, -1, -1, -1, -1,
        -1, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, -1, 44, 45, 46,
        47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, -1, -1, -1, -1, -1,
    };

    return (unsigned char)c < 128 ? val[(unsigned char)c] : -1;
}

#define BASE58_MAX_OUT 32 /* bytes base58_decode() can fill */

/*
 * Decodes base58 s[0..n) into exactly outlen bytes (leading '1's are zero
 * bytes; outlen at most BASE58_MAX_OUT); false when it does not fit or does
 * not fill them. The number grows in 32-bit limbs, a multiply per limb and
 * digit instead of one per byte; as it only grows, one too big for
 * outlen bytes at any digit is still too big at the end.
 */
static bool
base58_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
    uint32_t limb[BASE58_MAX_OUT / 4] = { 0 }; /* limb[0] most significant */
    size_t i, j, zeros = 0, used, nlimb = (outlen + 3) / 4;
    uint64_t carry;
    int d;

    assert(outlen <= BASE58_MAX_OUT);
    memset(out, 0, outlen);
    while (zeros < n && s[zeros] == '1')
        zeros++;
    for (i = 0; i < n; i++) {
        d = base58_val(s[i]);
        if (d < 0)
            return false;
        carry = (uint64_t)d;
        for (j = nlimb; j-- > 0;) {
            carry += 58u * (uint64_t)limb[j];
            limb[j] = (uint32_t)carry;
            carry >>= 32;
        }
        if (carry != 0)
            return false;
    }
    /* The bytes past outlen at the top of the limbs must be zero. */
    if (nlimb * 4 > outlen &&
        (limb[0] >> (8 * (outlen - (nlimb - 1) * 4))) != 0)
        return false;
    for (i = 0; i < outlen; i++) {
        size_t b = nlimb * 4 - outlen + i; /* byte in the limbs, from the top */

        out[i] = (unsigned char)(limb[b / 4] >> (8 * (3 - b % 4)));
    }
    for (used = outlen; used > 0 && out[outlen - used] == 0; used--)
        ;
    return zeros + used == outlen;
}

/* P2PKH ("1...") and P2SH ("3..."): 25 bytes, double SHA-256 checksum. */
static bool
check_btc58(const struct rule *rl, const char *text, size_t len,
            const PCRE2_SIZE *ov, struct verdict *v)
{
    unsigned char raw[25], h1[32], h2[32];
    size_t n = ov[1] - ov[0];

    if (!base58_decode(text + ov[0], n, raw, sizeof(raw)) ||
        (raw[0] != 0x00 && raw[0] != 0x05) ||
        !digest(md_sha256, raw, 21, h1) ||
        !digest(md_sha256, h1, sizeof(h1), h2) ||
        memcmp(h2, raw + 21, 4) != 0)
        return false;
    v->value = xstrndup(text + ov[0], n);
    v->confidence = 90;
    return true;
}

/* BIP173's checksum over the expanded human-readable part and the data. */
static uint32_t
bech32_polymod(const unsigned char *d, size_t n)
{
    static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                     0x3d4233dd, 0x2a1462b3 };
    uint32_t chk = 1, top;
    size_t i, k;

    for (i = 0; i < n; i++) {
        top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ d[i];
        for (k = 0; k < 5; k++)
            if ((top >> k) & 1)
                chk ^= gen[k];
    }
    return chk;
}

#define BECH32_CONST 1u
#define BECH32M_CONST 0x2bc830a3u

/*
 * Segwit "bc1...": BIP173 (witness v0, bech32) and BIP350 (v1+, bech32m),
 * 2..40 byte programs, 20 or 32 for v0; never mixed case.
 */
static bool
check_bech32(const struct rule *rl, const char *text, size_t len,
             const PCRE2_SIZE *ov, struct verdict *v)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    unsigned char d[5 + 90];
    size_t n = ov[1] - ov[0], i, nd, prog = 0;
    bool lo = false, up = false;
    const char *p, *s = text + ov[0];
    uint32_t acc = 0, want;
    int bits = 0;

    if (n > 90)
        return false;
    d[0] = d[1] = 3; /* 'b' >> 5, 'c' >> 5 */
    d[2] = 0;
    d[3] = 'b' & 31;
    d[4] = 'c' & 31;
    nd = 5;
    for (i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z')
            lo = true;
        else if (s[i] >= 'A' && s[i] <= 'Z')
            up = true;
        if (i < 3)
            continue;
        p = strchr(charset, ascii_lower(s[i]));
        if (p == NULL || s[i] == '\0')
            return false;
        d[nd++] = (unsigned char)(p - charset);
    }
    if (lo && up)
        return false;
    /* Data: version, program, 6 checksum characters. */
    if (nd - 5 < 1 + 6 || d[5] > 16)
        return false;
    want = d[5] == 0 ? BECH32_CONST : BECH32M_CONST;
    if (bech32_polymod(d, nd) != want)
        return false;
    for (i = 6; i < nd - 6; i++) {
        acc = (acc << 5) | d[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            prog++;
            acc &= (1u << bits) - 1;
        }
    }
    if (bits >= 5 || acc != 0 || prog < 2 || prog > 40 ||
        (d[5] == 0 && prog != 20 && prog != 32))
        return false;
    v->value = xstrndup(s, n);
    lower_str(v->value);
    v->confidence = 90;
    return true;
}

/*
 * Keccak-256 as Ethereum and Monero use it: the original Keccak padding
 * (0x01), not SHA3-256's (0x06), which OpenSSL 3.0 does not offer by name.
 * One message of a few dozen bytes per address.
 */
static uint64_t
rotl64(uint64_t x, unsigned int n)
{
    return (x << n) | (x >> (64 - n));
}

/*
 * The permutation with each round written out (rotation offsets and lane
 * moves as constants): loops over tables with "% 5" cost some 28,000
 * instructions a call, this some 5,000.
 */
static void
keccak_f(uint64_t st[25])
{
    static const uint64_t rc[24] = {
        0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
        0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
        0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
        0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
        0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
        0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
        0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
        0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
    };
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b[25];
    int round, j;

    for (round = 0; round < 24; round++) {
        /* theta */
        c0 = st[0] ^ st[5] ^ st[10] ^ st[15] ^ st[20];
        c1 = st[1] ^ st[6] ^ st[11] ^ st[16] ^ st[21];
        c2 = st[2] ^ st[7] ^ st[12] ^ st[17] ^ st[22];
        c3 = st[3] ^ st[8] ^ st[13] ^ st[18] ^ st[23];
        c4 = st[4] ^ st[9] ^ st[14] ^ st[19] ^ st[24];
        d0 = c4 ^ rotl64(c1, 1);
        d1 = c0 ^ rotl64(c2, 1);
        d2 = c1 ^ rotl64(c3, 1);
        d3 = c2 ^ rotl64(c4, 1);
        d4 = c3 ^ rotl64(c0, 1);
        /* rho and pi: lane x + 5y goes to y + 5 * ((2x + 3y) % 5) */
        b[0] = st[0] ^ d0;
        b[10] = rotl64(st[1] ^ d1, 1);
        b[20] = rotl64(st[2] ^ d2, 62);
        b[5] = rotl64(st[3] ^ d3, 28);
        b[15] = rotl64(st[4] ^ d4, 27);
        b[16] = rotl64(st[5] ^ d0, 36);
        b[1] = rotl64(st[6] ^ d1, 44);
        b[11] = rotl64(st[7] ^ d2, 6);
        b[21] = rotl64(st[8] ^ d3, 55);
        b[6] = rotl64(st[9] ^ d4, 20);
        b[7] = rotl64(st[10] ^ d0, 3);
        b[17] = rotl64(st[11] ^ d1, 10);
        b[2] = rotl64(st[12] ^ d2, 43);
        b[12] = rotl64(st[13] ^ d3, 25);
        b[22] = rotl64(st[14] ^ d4, 39);
        b[23] = rotl64(st[15] ^ d0, 41);
        b[8] = rotl64(st[16] ^ d1, 45);
        b[18] = rotl64(st[17] ^ d2, 15);
        b[3] = rotl64(st[18] ^ d3, 21);
        b[13] = rotl64(st[19] ^ d4, 8);
        b[14] = rotl64(st[20] ^ d0, 18);
        b[24] = rotl64(st[21] ^ d1, 2);
        b[9] = rotl64(st[22] ^ d2, 61);
        b[19] = rotl64(st[23] ^ d3, 56);
        b[4] = rotl64(st[24] ^ d4, 14);
        /* chi */
        for (j = 0; j < 25; j += 5) {
            st[j] = b[j] ^ (~b[j + 1] & b[j + 2]);
            st[j + 1] = b[j + 1] ^ (~b[j + 2] & b[j + 3]);
            st[j + 2] = b[j + 2] ^ (~b[j + 3] & b[j + 4]);
            st[j + 3] = b[j + 3] ^ (~b[j + 4] & b[j]);
            st[j + 4] = b[j + 4] ^ (~b[j] & b[j + 1]);
        }
        /* iota */
        st[0] ^= rc[round];
    }
}

#define KECCAK_RATE 136 /* bytes, for 256-bit output */

static void
keccak256(const unsigned char *in, size_t n, unsigned char out[32])
{
    uint64_t st[25];
    size_t i, pos = 0;

    memset(st, 0, sizeof(st));
    for (i = 0; i < n; i++) {
        st[pos / 8] ^= (uint64_t)in[i] << (8 * (pos % 8));
        if (++pos == KECCAK_RATE) {
            keccak_f(st);
            pos = 0;
        }
    }
    st[pos / 8] ^= (uint64_t)0x01 << (8 * (pos % 8));
    st[KECCAK_RATE / 8 - 1] ^= (uint64_t)0x80 << 56; /* last rate byte */
    keccak_f(st);
    for (i = 0; i < 32; i++)
        out[i] = (unsigned char)(st[i / 8] >> (8 * (i % 8)));
}

/*
 * "0x" and 40 hex digits. One case throughout carries no checksum; mixed
 * case must pass EIP-55 (a letter is upper case when the matching nibble of
 * Keccak-256 of the lowercase address is 8 or more).
 */
static bool
check_eth(const struct rule *rl, const char *text, size_t len,
          const PCRE2_SIZE *ov, struct verdict *v)
{
    const char *s = text + ov[0] + 2;
    unsigned char md[32];
    char hex[41];
    bool lo = false, up = false;
    int nib;
    size_t i;

    for (i = 0; i < 40; i++) {
        if (s[i] >= 'a' && s[i] <= 'f')
            lo = true;
        else if (s[i] >= 'A' && s[i] <= 'F')
            up = true;
        hex[i] = ascii_lower(s[i]);
    }
    hex[40] = '\0';
    v->confidence = 70;
    if (lo && up) {
        keccak256((const unsigned char *)hex, 40, md);
        for (i = 0; i < 40; i++) {
            nib = i % 2 ? md[i / 2] & 15 : md[i / 2] >> 4;
            if (ascii_isalpha(s[i]) && (nib >= 8) != (s[i] <= 'Z'))
                return false;
        }
        v->confidence = 90;
    }
    v->value = xasprintf("0x%s", hex);
    return true;
}

/*
 * Monero: base58 in blocks of 11 characters for 8 bytes (the last 7 for
 * 5), network byte, spend and view keys, and the first 4 bytes of
 * Keccak-256 of the rest as checksum. 18 and 42 are the main network's
 * standard and subaddress prefixes.
 */
static bool
check_xmr(const struct rule *rl, const char *text, size_t len,
          const PCRE2_SIZE *ov, struct verdict *v)
{
    static const size_t bytes_for[12] = { 0, 0, 1, 2, 0, 3, 4, 5, 0, 6, 7, 8 };
    unsigned char raw[69], md[32];
    size_t i, k, o = 0, chunk, nb;
    const char *s = text + ov[0];
    uint64_t acc, d;

    for (i = 0; i < 95; i += chunk) {
        chunk = 95 - i < 11 ? 95 - i : 11;
        nb = bytes_for[chunk];
        acc = 0;
        for (k = 0; k < chunk; k++) {
            d = (uint64_t)base58_val(s[i + k]);
            if (acc > (UINT64_MAX - d) / 58)
                return false;
            acc = acc * 58 + d;
        }
        if (nb < 8 && (acc >> (8 * nb)) != 0)
            return false;
        while (nb-- > 0)
            raw[o++] = (unsigned char)(acc >> (8 * nb));
    }
    if (o != sizeof(raw) || (raw[0] != 18 && raw[0] != 42))
        return false;
    keccak256(raw, 65, md);
    if (memcmp(md, raw + 65, 4) != 0)
        return false;
    v->value = xstrndup(s, 95);
    v->confidence = 90;
    return true;
}

/* Issuer prefixes (IIN ranges) and the lengths each network issues. */
static const struct iin {
    unsigned int lo, hi; /* prefix range, prefix_len digits each */
    unsigned int prefix_len, min_len, max_len;
} iins[] = {
    { 4, 4, 1, 13, 13 },          /* Visa (13, 16 or 19 digits: an */
    { 4, 4, 1, 16, 16 },          /* IMEI has 15 and passes Luhn) */
    { 4, 4, 1, 19, 19 },
    { 51, 55, 2, 16, 16 },        /* Mastercard */
    { 2221, 2720, 4, 16, 16 },    /* Mastercard 2-series */
    { 34, 34, 2, 15, 15 },        /* American Express */
    { 37, 37, 2, 15, 15 },        /* American Express */
    { 6011, 6011, 4, 16, 19 },    /* Discover */
    { 644, 649, 3, 16, 19 },      /* Discover */
    { 65, 65, 2, 16, 19 },        /* Discover */
    { 3528, 3589, 4, 16, 19 },    /* JCB */
    { 300, 305, 3, 14, 19 },      /* Diners Club */
    { 36, 36, 2, 14, 19 },        /* Diners Club */
    { 38, 38, 2, 14, 19 },        /* Diners Club */
    { 62, 62, 2, 16, 19 },        /* UnionPay */
};

#define CARD_CONTEXT 40 /* bytes before a number searched for a hint */

static bool
known_iin(const char *d, size_t n)
{
    unsigned int prefix;
    size_t i, k;

    for (i = 0; i < sizeof(iins) / sizeof(iins[0]); i++) {
        if (n < iins[i].min_len || n > iins[i].max_len)
            continue;
        prefix = 0;
        for (k = 0; k < iins[i].prefix_len; k++)
            prefix = prefix * 10 + (unsigned)(d[k] - '0');
        if (prefix >= iins[i].lo && prefix <= iins[i].hi)
            return true;
    }
    return false;
}

static bool
luhn(const char *d, size_t n)
{
    unsigned int sum = 0, v;
    size_t i;

    for (i = 0; i < n; i++) {
        v = (unsigned)(d[n - 1 - i] - '0');
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* A word hinting at a card ("CVV", "exp", "Visa", ...) just before off. */
static bool
card_context(const char *text, size_t off)
{
    static const char *const words[] = { "card", "cc",   "cvv",       "exp",
                                         "visa", "amex", "mastercard" };
    size_t start = off > CARD_CONTEXT ? off - CARD_CONTEXT : 0, i, k, wn;
    char c;

    for (i = start; i < off; i++) {
        if (i > 0 && ascii_isalpha(text[i - 1]))
            continue;
        /* Most places (digits, blanks, separators) start no word: a
           compare of the first letter before each word's strncasecmp()
           ran seven calls a byte before each card number. */
        c = ascii_lower(text[i]);
        if (c != 'c' && c != 'e' && c != 'v' && c != 'a' && c != 'm')
            continue;
        for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
            if (words[k][0] != c)
                continue;
            wn = strlen(words[k]);
            if (wn <= off - i && strncasecmp(text + i, words[k], wn) == 0)
                return true;
        }
    }
    return false;
}

/* The length of the group of 4 or 5 hex digits, one a decimal digit at
   least ("5352", "20BBF"; not "card" or "face"), and no more letters or
   digits, that starts at text[p] (of len), else 0. */
static size_t
group_at(const char *text, size_t len, size_t p)
{
    size_t k = 0;
    bool digit = false;

    if (p > 0 && ascii_isalnum(text[p - 1]))
        return 0;
    while (p + k < len && k < 6 && ascii_isxdigit(text[p + k])) {
        digit |= ascii_isdigit(text[p + k]);
        k++;
    }
    if (p + k < len && ascii_isalnum(text[p + k]))
        return 0;
    return (k == 4 || k == 5) && digit ? k : 0;
}

/* The length of the group of 4 or 5 that ends at text[p - 1], else 0. */
static size_t
group_before(const char *text, size_t len, size_t p)
{
    size_t k = 0;

    while (k < p && k < 6 && ascii_isxdigit(text[p - 1 - k]))
        k++;
    return (k == 4 || k == 5) && group_at(text, len, p - k) == k ? k : 0;
}

/*
 * Whether the grouped number text[lo..hi) ("5352 5354 5353 5351") is part
 * of a table of such groups (code points, hex dumps, serials) on its
 * line: with the same separator, a group before it and two in all, or
 * three after it. A card's expiry and code after it are two at most
 * ("3777 780682 22153 1230 8400": an Amex card's code has four digits).
 */
static bool
in_group_table(const char *text, size_t len, size_t lo, size_t hi)
{
    size_t i, p, k, before = 0, after = 0;
    char sep = 0;

    for (i = lo; i < hi && sep == 0; i++)
        if (!ascii_isdigit(text[i]))
            sep = text[i];
    if (sep == 0)
        return false;
    for (p = lo; before < 2 && p > 1 && text[p - 1] == sep &&
                 (k = group_before(text, len, p - 1)) > 0;
         p -= k + 1)
        before++;
    for (p = hi; after < 3 && p + 1 < len && text[p] == sep &&
                 (k = group_at(text, len, p + 1)) > 0;
         p += k + 1)
        after++;
    return (before > 0 && before + after >= 2) || after >= 3;
}

/*
 * Payment card numbers: a known issuer prefix, a length it issues, a valid
 * Luhn digit. The value is masked like the redacted text: the BIN (first
 * six digits, which name the issuer) and the last four stay visible.
 */
static bool
check_card(const struct rule *rl, const char *text, size_t len,
           const PCRE2_SIZE *ov, struct verdict *v)
{
    char d[20];
    size_t n = 0, i;

    for (i = ov[0]; i < ov[1]; i++)
        if (ascii_isdigit(text[i]) && n < sizeof(d) - 1)
            d[n++] = text[i];
    /* "2.6457513110645907": the digits of a fraction. */
    if (n < 13 || n > 19 || !known_iin(d, n) || !luhn(d, n) ||
        (ov[0] >= 2 && text[ov[0] - 1] == '.' &&
         ascii_isdigit(text[ov[0] - 2])) ||
        in_group_table(text, len, ov[0], ov[1]))
        return false;
    for (i = 6; i < n - 4; i++)
        d[i] = '*';
    d[n] = '\0';
    v->value = xstrdup(d);
    v->confidence = card_context(text, ov[0]) ||
                            (ov[0] >= 2 && text[ov[0] - 2] == '%' &&
                             text[ov[0] - 1] == 'B')
                        ? 90
                        : 80;
    return true;
}

/*
 * The value of a secret never holds it: the type and the first and last
 * four characters, which are enough to tell the holder which key leaked.
 */
static char *
secret_value(const char *type, const char *s, size_t n)
{
    return xasprintf("%s:%.4s\xe2\x80\xa6%.4s", type, s, s + n - 4);
}

static bool
check_secret(const struct rule *rl, const char *text, size_t len,
             const PCRE2_SIZE *ov, struct verdict *v)
{
    v->value = secret_value(rl->type, text + ov[0], ov[1] - ov[0]);
    v->confidence = 90;
    return true;
}

/* The 40 characters of an AWS secret access key, random-looking. */
static bool
check_aws_secret(const struct rule *rl, const char *text, size_t len,
                 const PCRE2_SIZE *ov, struct verdict *v)
{
    const char *s = text + ov[2];
    size_t i;
    bool lo = false, up = false;

    for (i = 0; i < 40; i++) {
        lo = lo || (s[i] >= 'a' && s[i] <= 'z');
        up = up || (s[i] >= 'A' && s[i] <= 'Z');
    }
    if (!lo || !up || cred_entropy(s, 40) < 3.5)
        return false;
    v->off = ov[2];
    v->len = 40;
    v->value = secret_value(rl->type, s, 40);
    v->confidence = 90;
    return true;
}

/*
 * "api_key = ...", "SECRET_KEY=...", "client_secret: ...", "\"password\":
 * \"...\"": a secret's name and a value over the entropy floor. The
 * finding (and what extract_redact masks) is the value alone.
 */
static bool
check_generic_secret(const struct rule *rl, const char *text, size_t len,
                     const PCRE2_SIZE *ov, struct verdict *v)
{
    size_t g, off, n;

    for (g = 2; g <= 4 && ov[2 * g] == PCRE2_UNSET; g++)
        ;
    if (g > 4)
        return false;
    off = ov[2 * g];
    n = ov[2 * g + 1] - off;
    /* A bare value cut at the cap is longer than any secret here; one
       before '(' is a call ("$pwd = CPAN::anycwd();"). */
    if (g == 4 && ov[1] < len &&
        (!strchr(" \t\r\n\"',;<>()[]{}", text[ov[1]]) || text[ov[1]] == '('))
        return false;
    if (!cred_secret_name(text + ov[2], ov[3] - ov[2]) ||
        !cred_secret_value(text + off, n))
        return false;
    v->off = off;
    v->len = n;
    v->value = secret_value(rl->type, text + off, n);
    v->confidence = g == 4 ? 60 : 70;
    return true;
}

/* "private_key:rsa", "private_key:openssh", "private_key:pkcs8". */
static bool
check_privkey(const struct rule *rl, const char *text, size_t len,
              const PCRE2_SIZE *ov, struct verdict *v)
{
    size_t n = ov[3] - ov[2], i;
    char *s;

    if (n == 0) {
        v->value = xasprintf("%s:pkcs8", rl->type);
    } else {
        s = xstrndup(text + ov[2], n - 1); /* without the last space */
        lower_str(s);
        for (i = 0; s[i] != '\0'; i++)
            if (s[i] == ' ')
                s[i] = '_';
        v->value = xasprintf("%s:%s", rl->type, s);
        x_free(s);
    }
    v->confidence = 95;
    return true;
}

static int
base64url_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* A JWT's header is a JSON object naming its algorithm ("alg"). */
static bool
check_jwt(const struct rule *rl, const char *text, size_t len,
          const PCRE2_SIZE *ov, struct verdict *v)
{
    char hdr[1024];
    const char *s = text + ov[0];
    size_t i, o = 0;
    uint32_t acc = 0;
    int bits = 0, d;

    for (i = 0; s[i] != '.' && o < sizeof(hdr) - 1; i++) {
        d = base64url_val(s[i]);
        if (d < 0)
            return false;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            hdr[o++] = (char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    hdr[o] = '\0';
    if (hdr[0] != '{' || strstr(hdr, "\"alg\"") == NULL)
        return false;
    return check_secret(rl, text, len, ov, v);
}

/*
 * The rules, sensitive ones first: their spans veto findings of the other
 * kinds, so they run before them (see extract_text).
 */
/* A defanged address made plain: "name@host.tld", lowercase. */
static bool
check_email_df(const struct rule *rl, const char *text, size_t len,
               const PCRE2_SIZE *ov, struct verdict *v)
{
    struct buf b = BUF_INIT(EXTRACT_MAX_VALUE);
    const char *p = text + ov[4], *end = text + ov[5];
    const char *tld;

    buf_add(&b, text + ov[2], ov[3] - ov[2]);
    buf_addc(&b, '@');
    while (p < end) {
        const char *q = p + 1;

        if (*p == ' ') {
            p++;
            continue;
        }
        if (*p != '[' && *p != '(' && *p != '{') {
            buf_addc(&b, *p++);
            continue;
        }
        /* "[.]", "(dot)", "{.}": one dot. */
        if (q < end && *q == '.')
            q++;
        else if (end - q >= 3 && strncasecmp(q, "dot", 3) == 0)
            q += 3;
        if (q >= end || (*q != ']' && *q != ')' && *q != '}'))
            break; /* cannot happen: the pattern matched */
        buf_addc(&b, '.');
        p = q + 1;
    }
    v->value = buf_detach(&b, NULL);
    lower_str(v->value);
    tld = strrchr(v->value, '.');
    if (tld == NULL || strlen(v->value) > EXTRACT_MAX_VALUE ||
        strstr(v->value, "..") || !known_tld(tld + 1)) {
        x_free(v->value);
        v->value = NULL;
        return false;
    }
    v->confidence = 80;
    return true;
}

/* --- IDN: names in Unicode (libidn2, common/idn.h) --------------------- */

/* A letter, mark or digit outside ASCII: part of a Unicode label. */
static bool
unicode_word(ucs4_t uc)
{
    return uc >= 0x80 &&
           uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_L |
                                                    UC_CATEGORY_MASK_M |
                                                    UC_CATEGORY_MASK_N);
}

/* Whether the character ending at text[off] is a unicode_word(). */
static bool
unicode_word_before(const char *text, size_t off)
{
    const uint8_t *t = (const uint8_t *)text;
    ucs4_t uc;

    return off > 0 && t[off - 1] >= 0x80 && u8_prev(&uc, t + off, t) &&
           unicode_word(uc);
}

/* Whether the character at text[off] (len bytes in all) is one. */
static bool
unicode_word_at(const char *text, size_t len, size_t off, bool *upper)
{
    ucs4_t uc;

    if (off >= len || (unsigned char)text[off] < 0x80 ||
        u8_mbtouc(&uc, (const uint8_t *)text + off, len - off) < 1 ||
        !unicode_word(uc))
        return false;
    if (upper != NULL)
        *upper = uc_is_property_uppercase(uc);
    return true;
}

static bool
has_high_byte(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

/*
 * Whether s[0..n) has one of the defanged forms refang() undoes: a '[',
 * '(' or '{' before ".", "dot" or ':' (not the brackets of "[::1]").
 */
static bool
defanged(const char *s, size_t n)
{
    const char *p = s, *end = s + n;

    if (!has_bracket(s, n))
        return false;
    for (; p + 1 < end; p++) {
        if (*p != '[' && *p != '(' && *p != '{')
            continue;
        if (p[1] == '.' || (p[1] == ':' && p + 2 < end && p[2] != ':') ||
            (end - p > 3 && strncasecmp(p + 1, "dot", 3) == 0))
            return true;
    }
    return false;
}

/*
 * "Москва" in "г.Москва" (the city of Moscow) or "Com" in "it.Com": a
 * last label in title case is a sentence going on after a missing blank,
 * not a top-level domain (those are written in one case).
 */
static bool
title_case(const char *label)
{
    const uint8_t *p = (const uint8_t *)label;
    size_t n = strlen(label);
    ucs4_t uc;
    int w;

    w = u8_mbtouc(&uc, p, n);
    if (w < 1 || !uc_is_property_uppercase(uc))
        return false;
    for (p += w, n -= (size_t)w; n > 0; p += w, n -= (size_t)w) {
        w = u8_mbtouc(&uc, p, n);
        if (w < 1)
            return false;
        if (uc_is_property_lowercase(uc))
            return true;
    }
    return false;
}

/*
 * Domains with Unicode labels ("bücher.de", "пример.рф", "例え.jp",
 * "paypаl.com" with a Cyrillic "а"): runs of letters, marks, digits and
 * hyphens joined by dots (plain or defanged); possessive, and a run starts
 * only where no run goes on, so each byte is scanned once. check_idn()
 * decides. The prefilter wants a byte >= 0x80 then a dot (plain or in
 * "[.]", "(.)", "{.}") not ending the token, in one blank-free token, or
 * "[dot]": plain ASCII
 * text never runs this pattern, and it runs only on the tokens flagged
 * (matches hold no blank). Cheaper forms cost more: a class repeated
 * between the two ("[A-Za-z0-9-]*") doubles the prefilter's compile time,
 * a byte >= 0x80 alone reports every character of Unicode text, and one
 * after a dot (for "nic.みんな") costs a fifth more on ASCII text, a
 * check at every dot; so names whose only Unicode label is the last are
 * left out (idn_name()).
 */
#define RE_ULABEL "[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}-]*+"
#define RE_UNAME RE_ULABEL "(?:" RE_DOT RE_ULABEL ")++"
/* "[\\x80-\\xff][^ \\t\\r\\n\\f\\v]*\\.[^ \\t\\r\\n\\f\\v]" is mask_hits()'
   (in Hyperscan, a fifth of the prefilter's cost), "[dot]" Hyperscan's. */
#define PRE_UNAME "\\[dot\\]\n\\(dot\\)"
static const char re_idn[] = "(?<![\\p{L}\\p{M}\\p{N}_.-])" RE_UNAME;

/* E-mail addresses at such names: "user@bücher.de" (ASCII local part). */
static const char re_email_idn[] =
    "(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@"
    "(" RE_ULABEL "(?:\\." RE_ULABEL ")++)";

/*
 * The A-label form of the Unicode name s[0..n) when it is one worth a
 * finding, else NULL; *unicode gets its U-label form. Not a name whose
 * only Unicode label is the last ("nic.みんな": see re_idn), nor one whose
 * registrable part (libpsl) is ASCII ("почта.example.com": re_domain
 * finds "example.com"; e-mail addresses excepted), nor a title-case last
 * label (title_case()), nor a one-character one ("т.е." is "that is"), nor
 * a registrable label of one character ("г.москва" is "the city of
 * Moscow"), nor an invalid IDN, nor a top-level domain the plain names
 * refuse (domain_tld(), known_tld() for e-mail). The cheap checks come
 * first: libidn2 takes microseconds a name.
 */
static char *
idn_name(const char *s, size_t n, bool email, char **unicode)
{
    char *plain, *last, *ascii = NULL, *u = NULL;
    const char *tld, *reg, *label, *end, *p;
    uint8_t *low;
    size_t k, dots;
    bool ok;

    *unicode = NULL;
    if (n > IDN_MAX_INPUT || !has_high_byte(s, n))
        return NULL;
    plain = refang(s, n);
    last = strrchr(plain, '.');
    if (last == NULL || !has_high_byte(plain, (size_t)(last - plain)) ||
        title_case(++last) ||
        u8_mbsnlen((const uint8_t *)last, strlen(last)) < 2)
        goto fail;
    /* libpsl knows the Unicode top-level domains too ("рф"). */
    low = u8_tolower((const uint8_t *)last, strlen(last) + 1, NULL, NULL, NULL,
                     &k);
    ok = low != NULL &&
         (email ? known_tld((char *)low) : domain_tld((char *)low));
    x_free(low);
    if (!ok)
        goto fail;
    ascii = idn_to_ascii(plain, strlen(plain), &u);
    if (ascii == NULL || u == NULL || strlen(ascii) > MAX_DOMAIN)
        goto fail;
    tld = strrchr(ascii, '.') + 1;
    ok = email ? known_tld(tld) : domain_tld(tld);
    reg = ok ? psl_registrable_domain(psl_builtin(), ascii) : NULL;
    if (reg == NULL || (!email && strstr(reg, "xn--") == NULL))
        goto fail;
    /* The registrable label, in U-labels: as many labels from the end
       as the registrable domain has. */
    for (k = 0, dots = 0; reg[k] != '\0'; k++)
        dots += reg[k] == '.';
    end = u + strlen(u);
    for (p = end, k = 0; k <= dots && p != NULL; k++) {
        end = p;
        p = memrchr(u, '.', (size_t)(p - u));
    }
    label = p != NULL ? p + 1 : u;
    if (u8_mbsnlen((const uint8_t *)label, (size_t)(end - label)) < 2)
        goto fail;
    x_free(plain);
    *unicode = u;
    return ascii;
fail:
    x_free(plain);
    x_free(ascii);
    x_free(u);
    return NULL;
}

static bool
check_idn(const struct rule *rl, const char *text, size_t len,
          const PCRE2_SIZE *ov, struct verdict *v)
{
    size_t n = ov[1] - ov[0];

    /* "логгер.info(...)": a call in code. */
    if (ov[1] < len && text[ov[1]] == '(')
        return false;
    v->value = idn_name(text + ov[0], n, false, &v->unicode);
    if (v->value == NULL)
        return false;
    v->confidence = defanged(text + ov[0], n) ? 85 : 70;
    return true;
}

static bool
check_email_idn(const struct rule *rl, const char *text, size_t len,
                const PCRE2_SIZE *ov, struct verdict *v)
{
    char *local, *ascii, *u;

    ascii = idn_name(text + ov[4], ov[5] - ov[4], true, &u);
    if (ascii == NULL)
        return false;
    local = xstrndup(text + ov[2], ov[3] - ov[2]);
    lower_str(local);
    v->value = xasprintf("%s@%s", local, ascii);
    v->unicode = xasprintf("%s@%s", local, u);
    v->confidence = 90;
    x_free(local);
    x_free(ascii);
    x_free(u);
    return true;
}

static const struct rule rules[] = {
    { FIND_SECRET, "private_key", re_privkey, 0, check_privkey, true,
      "-----BEGIN " },
    { FIND_SECRET, "aws_access_key", re_aws, 0, check_secret, true,
      "AKIA\nASIA" },
    { FIND_SECRET, "github_token", re_github, 0, check_secret, true,
      "gh[pousr]_" },
    { FIND_SECRET, "github_token", re_github_pat, 0, check_secret, true,
      "github_pat_" },
    { FIND_SECRET, "gitlab_token", re_gitlab, 0, check_secret, true,
      "glpat-" },
    { FIND_SECRET, "slack_token", re_slack, 0, check_secret, true,
      "xox[baprs]-" },
    { FIND_SECRET, "stripe_key", re_stripe, 0, check_secret, true,
      "[sr]k_live_" },
    { FIND_SECRET, "google_api_key", re_google, 0, check_secret, true,
      "AIza" },
    { FIND_SECRET, "jwt", re_jwt, 0, check_jwt, true, "eyJ" },
    { FIND_SECRET, "aws_secret_key", re_aws_secret, 0, check_aws_secret, true,
      "AKIA\nASIA\n(?i:aws[_ .-]?secret|secret[_ .-]?access)" },
    /* label_hit() finds its candidates: "(?i:key|secret|token|pass|passwd
       |password|pwd|passphrase|key[_.-]?base)[\"']?[ \\t]*(?::=|=>|[:=])" */
    { FIND_SECRET, "generic_secret", re_generic_secret, 0,
      check_generic_secret, true, NULL },
    /* mask_hits() finds its candidates */
    { FIND_CARD, NULL, re_card, 0, check_card, true, NULL },
    { FIND_EMAIL, NULL, re_email_df, PCRE2_CASELESS, check_email_df, false,
      "(?:\\[(?:at|@)\\]|\\((?:at|@)\\)|\\{(?:at|@)\\}|&#64;|&#x40;)" },
    { FIND_CVE, NULL, re_cve, PCRE2_CASELESS, check_cve, false,
      "CVE-[0-9]" },
    { FIND_ATTACK_TECHNIQUE, NULL, re_attack, PCRE2_CASELESS, check_attack,
      false, "T1[0-9]{3}" },
    { FIND_ONION, NULL, re_onion, PCRE2_CASELESS, check_onion, false,
      "\\.onion" },
    /* Plain colons: mask_hits(). */
    { FIND_IPV6, NULL, re_ipv6, 0, check_ipv6, false, "\\[:\\]" },
    { FIND_BTC, NULL, re_btc58, 0, check_btc58, false, NULL },
    { FIND_BTC, NULL, re_bech32, PCRE2_CASELESS, check_bech32, false,
      "bc1[02-9ac-hj-np-z]{8}" },
    { FIND_ETH, NULL, re_eth, 0, check_eth, false, "0x[0-9A-Fa-f]{4}" },
    { FIND_XMR, NULL, re_xmr, 0, check_xmr, false, NULL },
    { FIND_DOMAIN, NULL, re_idn, PCRE2_CASELESS, check_idn, false,
      PRE_UNAME },
    /* mask_hits() finds its candidates */
    { FIND_EMAIL, NULL, re_email_idn, 0, check_email_idn, false, NULL },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))
#define NSLOTS (PAT_COUNT + NRULES) /* every pcre2 pattern, in order */
#define PRE_MAX 96 /* prefilter expressions, all slots together */
#define PRE_WORDS 32 /* and the context words (context_words()) */
/* Ids of the prefilter's database: a slot, NSLOTS + a context word, or
   TERM_BASE + a watch term's (termset_exprs()). */
#define TERM_BASE (NSLOTS + PRE_WORDS)

/* --- building the extractor ------------------------------------------ */

/*
 * ASCII case ignored without PCRE2_CASELESS: in UTF mode pcre2 folds 's'
 * with U+017F and 'k' with U+212A (Unicode's case sets; pcre2 10.43's
 * PCRE2_EXTRA_CASELESS_RESTRICT is not in Debian 12), so "pa\u017F\u017F:"
 * was a password label and "e.om\u212A" no domain to pcre2 but not to the
 * prefilter's C checks and Hyperscan, which fold ASCII only. The parts of
 * src matched without case (all of it when caseless, "(?i:...)") get each
 * ASCII letter as both ("[sS]", "[a-zA-Z]"); "(?i" and "(?-i" go. Knows
 * the syntax the patterns here use: escapes ("\\x9a", "\\p{L}"), classes,
 * groups with flags or names, verbs. The caller frees the result.
 */
#define CASE_DEPTH 32 /* nested groups; the patterns have at most 5 */

/* Copies the escape at s (its backslash) to b; its length. */
static size_t
copy_escape(struct buf *b, const char *s)
{
    size_t n = 2;

    if (s[1] == '\0') {
        n = 1;
    } else if (strchr("pPxgkN", s[1]) != NULL && s[2] == '{') {
        assert(strchr(s + 2, '}') != NULL); /* the patterns are ours */
        n = (size_t)(strchr(s + 2, '}') - s) + 1;
    } else if (s[1] == 'x') {
        while (n < 4 && ascii_isxdigit((unsigned char)s[n]))
            n++;
    }
    buf_add(b, s, n);
    return n;
}

/* Copies the class at s ('[') to b, a letter or range of letters with its
   other case when caseless; its length. */
static size_t
copy_class(struct buf *b, const char *s, bool caseless)
{
    size_t i = 1;
    unsigned char lo, hi;

    buf_addc(b, '[');
    if (s[i] == '^')
        buf_addc(b, s[i++]);
    if (s[i] == ']')
        buf_addc(b, s[i++]);
    while (s[i] != '\0' && s[i] != ']') {
        if (s[i] == '\\') {
            i += copy_escape(b, s + i);
            continue;
        }
        if (s[i] == '[' && s[i + 1] == ':') {
            size_t n = (size_t)(strstr(s + i, ":]") - (s + i)) + 2;

            buf_add(b, s + i, n);
            i += n;
            continue;
        }
        lo = hi = (unsigned char)s[i];
        buf_addc(b, s[i++]);
        if (s[i] == '-' && s[i + 1] == '\\') { /* "a-\\x7f": as it is */
            buf_addc(b, s[i++]);
            i += copy_escape(b, s + i);
            continue;
        }
        if (s[i] == '-' && s[i + 1] != ']') {
            hi = (unsigned char)s[i + 1];
            buf_add(b, s + i, 2);
            i += 2;
        }
        if (caseless && ascii_isalpha(lo) && ascii_isalpha(hi) &&
            (lo & 0x20) == (hi & 0x20)) {
            buf_addc(b, (char)(lo ^ 0x20));
            if (hi != lo) {
                buf_addc(b, '-');
                buf_addc(b, (char)(hi ^ 0x20));
            }
        }
    }
    buf_addc(b, ']');
    return i + (s[i] == ']');
}

static char *
ascii_caseless(const char *src, bool caseless)
{
    struct buf b = BUF_INIT(8 * strlen(src) + 1);
    bool ci[CASE_DEPTH];
    size_t depth = 0, i = 0, f;

    ci[0] = caseless;
    while (src[i] != '\0') {
        char c = src[i];

        if (c == '\\') {
            i += copy_escape(&b, src + i);
        } else if (c == '[') {
            i += copy_class(&b, src + i, ci[depth]);
        } else if (c == '(' && src[i + 1] == '*') { /* (*VERB) */
            f = (size_t)(strchr(src + i, ')') - (src + i)) + 1;
            buf_add(&b, src + i, f);
            i += f;
        } else if (c == '(') {
            bool off = false;

            assert(depth + 1 < CASE_DEPTH);
            ci[depth + 1] = ci[depth];
            depth++;
            buf_addc(&b, '(');
            i++;
            if (src[i] != '?')
                continue;
            /* "(?flags:" or "(?flags)": all but i kept. */
            for (f = i + 1; ascii_isalpha((unsigned char)src[f]) ||
                            src[f] == '-' || src[f] == '^';
                 f++)
                ;
            if (f > i + 1 && (src[f] == ':' || src[f] == ')')) {
                char set[16], unset[16];
                size_t ns = 0, nu = 0;

                for (i++; i < f; i++) {
                    if (src[i] == '-')
                        off = true;
                    else if (src[i] == 'i')
                        ci[depth] = !off;
                    else if (off && nu < sizeof(unset))
                        unset[nu++] = src[i];
                    else if (!off && ns < sizeof(set))
                        set[ns++] = src[i];
                }
                if (src[f] == ')') { /* for the rest of the group */
                    ci[depth - 1] = ci[depth];
                    depth--;
                    b.ptr[--b.len] = '\0'; /* no group: its '(' goes */
                    if (ns + nu == 0) {
                        i = f + 1;
                        continue;
                    }
                    buf_addc(&b, '(');
                }
                buf_addc(&b, '?');
                buf_add(&b, set, ns);
                if (nu > 0) {
                    buf_addc(&b, '-');
                    buf_add(&b, unset, nu);
                }
                buf_addc(&b, src[f]);
                i = f + 1;
                continue;
            }
            /* "(?<name>", "(?P<name>": the name as it is. */
            f = i + 1 + (src[i + 1] == 'P');
            if (src[f] == '<' && ascii_isalpha((unsigned char)src[f + 1])) {
                f = (size_t)(strchr(src + f, '>') - src) + 1;
                buf_add(&b, src + i, f - i);
                i = f;
            }
        } else if (c == ')') {
            if (depth > 0)
                depth--;
            buf_addc(&b, c);
            i++;
        } else if (ci[depth] && ascii_isalpha((unsigned char)c)) {
            buf_addc(&b, '[');
            buf_addc(&b, c);
            buf_addc(&b, (char)(c ^ 0x20));
            buf_addc(&b, ']');
            i++;
        } else {
            buf_addc(&b, c);
            i++;
        }
    }
    return buf_detach(&b, NULL);
}

static pcre2_code *
compile(const char *src, uint32_t opts, const char *what, bool *jit)
{
    pcre2_compile_context *cc;
    pcre2_code *re;
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE erroff;
    char *ascii;
    int err;

    ascii = ascii_caseless(src, opts & PCRE2_CASELESS);
    cc = pcre2_compile_context_create(NULL);
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    re = pcre2_compile((PCRE2_SPTR)ascii, PCRE2_ZERO_TERMINATED,
                       (opts & ~(uint32_t)PCRE2_CASELESS) | PCRE2_UTF |
                           PCRE2_MATCH_INVALID_UTF | PCRE2_USE_OFFSET_LIMIT,
                       &err,
                       &erroff, cc);
    pcre2_compile_context_free(cc);
    x_free(ascii);
    if (re == NULL) {
        pcre2_get_error_message(err, msg, sizeof(msg));
        log_err("pattern does not compile: pattern=%s offset=%zu (%s)", what,
                (size_t)erroff, (const char *)msg);
        return NULL;
    }
    /* Without JIT pcre2_match() interprets: slower, still correct. */
    if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
        log_debug("pcre2 jit unavailable: pattern=%s", what);
        *jit = false;
    }
    return re;
}

static bool
brand_kind(const char *kind)
{
    return strcmp(kind, "brand") == 0 || strcmp(kind, "product") == 0 ||
           strcmp(kind, "executive") == 0 || strcmp(kind, "domain") == 0;
}

/* Every brand-like term in one Hyperscan set (extract/terms.c). */
static bool
build_brand(struct extractor *x, const struct watch_term *terms,
            size_t nterms)
{
    struct buf err = BUF_INIT(1024);
    char **values = xcalloc(nterms + 1, sizeof(*values));
    const char *s;
    size_t i, j, n = 0;
    bool ok = true;

    x->brand_term = xcalloc(nterms + 1, sizeof(int));
    x->brand_value = xcalloc(nterms + 1, sizeof(char *));
    x->brand_conf = xcalloc(nterms + 1, sizeof(int));
    for (i = 0; i < nterms; i++) {
        if (terms[i].kind == NULL || terms[i].value == NULL ||
            !brand_kind(terms[i].kind))
            continue;
        s = terms[i].value;
        while (*s == ' ' || *s == '\t')
            s++;
        j = strlen(s);
        while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t'))
            j--;
        if (j == 0)
            continue;
        values[n] = xstrndup(s, j);
        x->brand_term[n] = (int)i;
        x->brand_value[n] = terms_fold(s, j);
        x->brand_conf[n] = j < 4 ? 60 : 70;
        if (memchr(s, ' ', j) != NULL)
            x->brand_conf[n] = 80;
        n++;
    }
    x->nbrand = n;
    if (n > 0) {
        x->brand = termset_new((const char *const *)values, n, &err);
        if (x->brand == NULL) {
            log_err("cannot build the watch-term matcher: %s",
                    buf_str(&err));
            ok = false;
        }
    }
    for (i = 0; i < n; i++)
        x_free(values[i]);
    x_free(values);
    buf_release(&err);
    return ok;
}

static void
build_domains(struct extractor *x, const struct watch_term *terms,
              size_t nterms)
{
    size_t i, k, n;
    char *d, *a;

    x->domains = xcalloc(nterms + 1, sizeof(*x->domains));
    for (i = 0; i < nterms; i++) {
        if (terms[i].kind == NULL || terms[i].value == NULL ||
            (strcmp(terms[i].kind, "domain") != 0 &&
             strcmp(terms[i].kind, "email_domain") != 0))
            continue;
        d = terms[i].value;
        while (*d == ' ' || *d == '@' || *d == '*' || *d == '.')
            d++;
        d = xstrdup(d);
        n = strlen(d);
        while (n > 0 && (d[n - 1] == '.' || d[n - 1] == ' '))
            d[--n] = '\0';
        if (n == 0) {
            x_free(d);
            continue;
        }
        lower_str(d);
        /* Written in U-labels or A-labels, matched in A-labels, the form
           of the findings' values. */
        a = idn_applies(d, n) ? idn_to_ascii(d, n, NULL) : NULL;
        if (a != NULL) {
            x_free(d);
            d = a;
        }
        x->domains[x->ndomains].name = d;
        x->domains[x->ndomains].term = (int)i;
        x->ndomains++;
    }
    qsort(x->domains, x->ndomains, sizeof(*x->domains), cmp_domain);
    if (x->ndomains == 0)
        return;
    /* At most half full: short probe runs. */
    for (x->domain_cap = 16; x->domain_cap < 2 * x->ndomains;)
        x->domain_cap *= 2;
    x->domain_at = xcalloc(x->domain_cap, sizeof(*x->domain_at));
    for (i = 0; i < x->ndomains; i++) {
        uint32_t h = name_hash(x->domains[i].name);

        if (i > 0 && strcmp(x->domains[i].name, x->domains[i - 1].name) == 0)
            continue; /* the first term of a name wins */
        for (k = h & (x->domain_cap - 1); x->domain_at[k].at != 0;
             k = (k + 1) & (x->domain_cap - 1))
            ;
        x->domain_at[k].hash = h;
        x->domain_at[k].at = (uint32_t)(i + 1);
    }
}

/*
 * Whether no match of slot's pattern can hold an ASCII blank. A pattern
 * that is not listed here is searched line by line, which is always
 * correct; listing one that can match a blank would lose matches.
 */
static bool
token_slot(size_t slot)
{
    static const char *const token_res[] = {
        re_aws,   re_github, re_github_pat, re_gitlab, re_slack, re_stripe,
        re_google, re_jwt,   re_cve,        re_attack, re_onion, re_ipv6,
        re_btc58, re_bech32, re_eth,        re_xmr,    re_idn,
        re_email_idn,
    };
    size_t i;

    if (slot < PAT_COUNT)
        return slot != PAT_COMBO && slot != PAT_PWLABEL && slot != PAT_ULP &&
               slot != PAT_USERPASS; /* blanks, or line anchors */
    for (i = 0; i < sizeof(token_res) / sizeof(token_res[0]); i++)
        if (rules[slot - PAT_COUNT].re == token_res[i])
            return true;
    return false;
}

/*
 * The slots whose matches are whole runs of 13 or more letters and digits
 * (hashes, base58 addresses, card numbers written without blanks): no
 * short literal picks them, and Hyperscan pays dearly for long repeats
 * of wide classes, so mask_hits() finds their candidates instead.
 */
static enum long_run_kind
long_run_slot(size_t slot)
{
    const char *re;

    if (slot == PAT_HEX)
        return RUN_HEX;
    if (slot < PAT_COUNT)
        return RUN_NONE;
    re = rules[slot - PAT_COUNT].re;
    return re == re_btc58 ? RUN_BTC58
           : re == re_xmr ? RUN_XMR
           : re == re_card ? RUN_CARD
                           : RUN_NONE;
}

/*
 * The patterns that may match blanks but whose matches start a bounded
 * number of bytes before the end of their prefilter hit: a candidate is
 * that window, not the hit's whole line (which may be megabytes long).
 * { 0, 0 }: no bound.
 */
static void
window_slot(size_t slot, size_t w[2])
{
    const char *re = slot < PAT_COUNT ? NULL : rules[slot - PAT_COUNT].re;

    /* A window bounds where a match starts (next_match()'s offset
       limit): they all start before their hit ends, so one byte after
       it (a window's w[1] is never 0) and the two of the lookaheads. */
    w[0] = w[1] = 0;
    if (slot == PAT_PWLABEL) {
        /* The hit ends at the separator after an ASCII label (a quote,
           a label of 12 letters, a quote, 8 blanks and a separator of 3
           bytes: 25 bytes from the match's start to the hit's end, 24 to
           its last byte; 28 was for U+017F as 's', 3 to spare now), or at the end of a label in another script (12
           bytes at most, a quote before). pcre2 tries every start in the
           window, some 90 instructions each (48 bytes cost 4,500 a
           window); the line was searched whole before: 4 us a line. */
        w[0] = 28;
        w[1] = 1;
    } else if (re == re_card) {
        w[0] = 20; /* the hit ends within 19 digits and separators */
        w[1] = 1;
    } else if (re == re_email_df) {
        w[0] = 72; /* the hit is " [at] ", after 64 bytes at most */
        w[1] = 1;
    }
}

/*
 * The prefilter database: for each pattern with a pattern_pre[] entry,
 * short patterns one of which every match contains, so text they do not
 * flag cannot hold a match; rules[] carry theirs in .pre. (The full
 * patterns in prefilter mode cost Hyperscan more than they saved: it
 * reports every end offset of a long match.)
 */
/*
 * Compiles the prefilter; false when Hyperscan refuses it. One database:
 * without the caseless label alternations (label_hit()) and the class
 * patterns (mask_hits()), the three it was split into for compile time
 * (credentials, IoCs, IoC literals with a class after them) compile in
 * no more time as one, which costs 2.3 instructions a byte of the bench
 * corpus's prose instead of 4.4 (callgrind).
 */
static bool
build_db(struct extractor *x, char **copy, bool with_terms)
{
    const char *const *texprs = NULL;
    const unsigned *tflags = NULL, *tids = NULL;
    size_t nterms = with_terms && x->brand != NULL
                        ? termset_exprs(x->brand, &texprs, &tflags, &tids)
                        : 0;
    size_t max = PRE_MAX + PRE_WORDS + nterms;
    const char **exprs = xreallocarray(NULL, max, sizeof(*exprs));
    unsigned *flags = xreallocarray(NULL, max, sizeof(*flags));
    unsigned *ids = xreallocarray(NULL, max, sizeof(*ids));
    struct hsdb_patterns pats = { 0 };
    struct buf err = BUF_INIT(1024);
    char *line, *save;
    size_t i, n = 0, slots, words;
    bool ok = false;

    for (i = 0; i < NSLOTS; i++) {
        const char *pre = i < PAT_COUNT ? pattern_pre[i]
                                        : rules[i - PAT_COUNT].pre;
        uint32_t opts = i < PAT_COUNT ? pattern_opts[i]
                                      : rules[i - PAT_COUNT].opts;

        if (pre == NULL)
            continue;
        x_free(copy[i]); /* a second call, without the terms */
        copy[i] = xstrdup(pre);
        for (line = strtok_r(copy[i], "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            assert(n < PRE_MAX);
            exprs[n] = line;
            flags[n] = HS_FLAG_ALLOWEMPTY;
            if (opts & PCRE2_CASELESS)
                flags[n] |= HS_FLAG_CASELESS;
            ids[n] = (unsigned)i;
            n++;
        }
    }
    /* The context words ride on this pass (ids past the slots): a
       second pass over the findings' windows cost as much as this one. */
    slots = n;
    words = context_words(exprs + n, PRE_WORDS);
    assert(words <= PRE_WORDS);
    for (i = 0; i < words; i++) {
        flags[n] = HS_FLAG_CASELESS;
        ids[n] = (unsigned)(NSLOTS + i);
        n++;
    }
    /* And the watch terms': their own pass over the text cost as much as
       this one, which holds them for a fifth more. */
    for (i = 0; i < nterms; i++) {
        exprs[n] = texprs[i];
        flags[n] = tflags[i];
        ids[n] = (unsigned)TERM_BASE + tids[i];
        n++;
    }
    pats.exprs = exprs;
    pats.flags = flags;
    pats.ids = ids;
    pats.n = (unsigned)n;
    if (hsdb_compile(&pats, &x->pre, NULL, &err) != 0) {
        if (nterms > 0)
            log_warn("extract prefilter: cannot hold the watch terms, "
                     "scanning for them apart: %s", buf_str(&err));
        else
            log_warn("extract prefilter unavailable, scanning unfiltered: "
                     "%s", buf_str(&err));
        goto out;
    }
    if (hs_alloc_scratch(x->pre, &x->pre_proto) != HS_SUCCESS)
        abort(); /* out of memory */
    for (i = 0; i < slots; i++)
        x->filtered[ids[i]] = true;
    x->pre_terms = nterms > 0;
    ok = true;
out:
    buf_release(&err);
    x_free(exprs);
    x_free(flags);
    x_free(ids);
    return ok;
}

static void
build_prefilter(struct extractor *x)
{
    char *copy[NSLOTS] = { NULL };
    size_t i;

    x->filtered = xcalloc(NSLOTS, sizeof(*x->filtered));
    x->token = xcalloc(NSLOTS, sizeof(*x->token));
    x->window = xcalloc(NSLOTS, sizeof(*x->window));
    for (i = 0; i < NSLOTS; i++) {
        x->token[i] = token_slot(i);
        window_slot(i, x->window[i]);
    }
    for (i = 0; i < NSLOTS; i++) {
        if (long_run_slot(i) != RUN_NONE) {
            x->filtered[i] = true; /* mask_hits() adds candidates */
            x->run_slot[long_run_slot(i)] = i;
        }
        if (i == PAT_USERPASS || i == PAT_EMAIL || i == PAT_COMBO)
            x->filtered[i] = true; /* mask_hits() adds candidates */
        if (i >= PAT_COUNT && rules[i - PAT_COUNT].re == re_ipv6)
            x->ipv6_slot = i;
        if (i >= PAT_COUNT && rules[i - PAT_COUNT].re == re_idn)
            x->idn_slot = i;
        if (i >= PAT_COUNT && rules[i - PAT_COUNT].re == re_generic_secret) {
            x->filtered[i] = true; /* label_hit() adds candidates */
            x->secret_slot = i;
        }
        if (i >= PAT_COUNT && rules[i - PAT_COUNT].re == re_email_idn) {
            x->filtered[i] = true; /* mask_hits() adds candidates */
            x->email_idn_slot = i;
        }
    }
    if (!build_db(x, copy, true) && !build_db(x, copy, false)) {
        /* Without its database no slot is filtered: the whole text is
           searched, slower and still correct. */
        x->pre = NULL;
        memset(x->filtered, 0, NSLOTS * sizeof(*x->filtered));
    }
    for (i = 0; i < NSLOTS; i++)
        x_free(copy[i]);
}

int
extractor_add_benign(struct extractor *x, const char *name, const char *text,
                     size_t len, struct buf *err)
{
    return benign_add_list(x->benign, name, text, len, err);
}

void
extractor_set_prefilter(struct extractor *x, bool on)
{
    x->no_prefilter = !on;
}

/*
 * HMAC-SHA-256 (RFC 2104) with its two keyed states hashed once: the
 * one-shot HMAC() fetched the digest and hashed both key blocks again for
 * every password, some 25,000 instructions each.
 */
#define MAC_BLOCK 64 /* SHA-256's block size */

static void
mac_init(struct extractor *x, const unsigned char *key, size_t keylen)
{
    unsigned char k[MAC_BLOCK] = { 0 }, pad[MAC_BLOCK];
    unsigned int n = 0;
    size_t i;

    if (keylen > MAC_BLOCK)
        EVP_Digest(key, keylen, k, &n, EVP_sha256(), NULL);
    else if (keylen > 0)
        memcpy(k, key, keylen);
    x->mac_inner = EVP_MD_CTX_new();
    x->mac_outer = EVP_MD_CTX_new();
    if (x->mac_inner == NULL || x->mac_outer == NULL)
        abort(); /* out of memory */
    for (i = 0; i < MAC_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    if (EVP_DigestInit_ex(x->mac_inner, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(x->mac_inner, pad, sizeof(pad)) != 1)
        abort(); /* SHA-256 is always there */
    for (i = 0; i < MAC_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    if (EVP_DigestInit_ex(x->mac_outer, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(x->mac_outer, pad, sizeof(pad)) != 1)
        abort();
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
}

/* HMAC-SHA-256(key, pw[0..n)) into out; false on a libcrypto failure. */
static bool
password_mac(struct run *r, const char *pw, size_t n, unsigned char out[32])
{
    unsigned char inner[32];
    unsigned int len = 0;
    bool ok;

    if (r->mac == NULL && (r->mac = EVP_MD_CTX_new()) == NULL)
        abort(); /* out of memory */
    ok = EVP_MD_CTX_copy_ex(r->mac, r->x->mac_inner) == 1 &&
         EVP_DigestUpdate(r->mac, pw, n) == 1 &&
         EVP_DigestFinal_ex(r->mac, inner, &len) == 1 && len == 32 &&
         EVP_MD_CTX_copy_ex(r->mac, r->x->mac_outer) == 1 &&
         EVP_DigestUpdate(r->mac, inner, sizeof(inner)) == 1 &&
         EVP_DigestFinal_ex(r->mac, out, &len) == 1 && len == 32;
    OPENSSL_cleanse(inner, sizeof(inner));
    return ok;
}

struct extractor *
extractor_new(const struct watch_term *terms, size_t nterms,
              const unsigned char *key, size_t keylen)
{
    struct extractor *x = xcalloc(1, sizeof(*x));
    size_t i;

    x->jit = true; /* until a pattern fails to JIT-compile */
    pthread_once(&md_once, md_fetch);
#ifdef MASKS_AVX2
    x->avx2 = __builtin_cpu_supports("avx2");
#endif
    for (i = 0; i < PAT_COUNT; i++) {
        x->re[i] = compile(pattern_src[i], pattern_opts[i], "builtin",
                           &x->jit);
        if (x->re[i] == NULL)
            goto fail;
    }
    x->rule_re = xcalloc(NRULES, sizeof(*x->rule_re));
    for (i = 0; i < NRULES; i++) {
        x->rule_re[i] = compile(rules[i].re, rules[i].opts,
                                finding_kind_name(rules[i].kind), &x->jit);
        if (x->rule_re[i] == NULL)
            goto fail;
    }
    if (!build_brand(x, terms, nterms))
        goto fail;
    build_prefilter(x); /* after the terms: it holds theirs */
    build_domains(x, terms, nterms);
    x->benign = benign_new();
    benign_add_terms(x->benign, terms, nterms);
    x->context = context_new();
    mac_init(x, key, keylen);
    return x;
fail:
    extractor_free(x);
    return NULL;
}

void
extractor_free(struct extractor *x)
{
    size_t i;

    if (x == NULL)
        return;
    for (i = 0; i < PAT_COUNT; i++)
        pcre2_code_free(x->re[i]);
    for (i = 0; x->rule_re != NULL && i < NRULES; i++)
        pcre2_code_free(x->rule_re[i]);
    x_free(x->rule_re);
    hsdb_scratch_free(x->pre_proto);
    hs_free_database(x->pre);
    x_free(x->filtered);
    x_free(x->token);
    x_free(x->window);
    termset_free(x->brand);
    for (i = 0; i < x->nbrand; i++)
        x_free(x->brand_value[i]);
    x_free(x->brand_value);
    x_free(x->brand_term);
    x_free(x->brand_conf);
    for (i = 0; i < x->ndomains; i++)
        x_free(x->domains[i].name);
    x_free(x->domains);
    x_free(x->domain_at);
    benign_free(x->benign);
    context_free(x->context);
    EVP_MD_CTX_free(x->mac_inner);
    EVP_MD_CTX_free(x->mac_outer);
    x_free(x);
}

/* --- one extraction run ---------------------------------------------- */

/* The first sensitive span (in end order) that ends after off. */
static size_t
span_ending_after(const struct run *r, size_t off)
{
    size_t lo = 0, hi = r->npw_sorted, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (r->pw[mid][0] + r->pw[mid][1] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * True when [off, off+n) overlaps a sensitive span (a password, secret or
 * card number) found by an earlier scan of this run.
 */
static bool
in_password(struct run *r, size_t off, size_t n)
{
    size_t lo, hi = r->npw_sorted;

    /* First span that ends after off. Each scan asks in the order of the
       text: on from the last answer then, a search otherwise (the same
       span while the ends are in order: no span holds another). */
    if (r->pw_ends_sorted && r->pw_at_sorted == r->npw_sorted &&
        off >= r->pw_at_off) {
        for (lo = r->pw_at; lo < hi && r->pw[lo][0] + r->pw[lo][1] <= off; lo++)
            ;
    } else {
        lo = span_ending_after(r, off);
    }
    r->pw_at = lo;
    r->pw_at_off = off;
    r->pw_at_sorted = r->npw_sorted;
    return lo < r->npw_sorted && r->pw[lo][0] < off + n;
}

/* Whether s[0..sn) occurs in v[0..vn), ASCII case ignored. */
static bool
holds(const char *v, size_t vn, const char *s, size_t sn)
{
    size_t i;

    for (i = 0; sn > 0 && i + sn <= vn; i++)
        if (strncasecmp(v + i, s, sn) == 0)
            return true;
    return false;
}

/*
 * Whether a URL finding overlapping sensitive spans must go: it lies
 * inside one, or its value still holds the bytes of one that it covers.
 * A URL whose value drops the user info ("https://bob:pw@host/" ->
 * "https://host/") stays next to the credential its password makes.
 */
static bool
url_holds_sensitive(const struct run *r, const char *value, size_t off,
                    size_t n)
{
    size_t lo = span_ending_after(r, off), vn = strlen(value);

    for (; lo < r->npw_sorted && r->pw[lo][0] < off + n; lo++) {
        size_t a = r->pw[lo][0] > off ? r->pw[lo][0] : off;
        size_t b = r->pw[lo][0] + r->pw[lo][1];

        if (b > off + n)
            b = off + n;
        /* Inside the span, or holding the part of it the URL covers. */
        if ((r->pw[lo][0] <= off &&
             r->pw[lo][0] + r->pw[lo][1] >= off + n) ||
            holds(value, vn, r->text + a, b - a))
            return true;
    }
    return false;
}

static void
add_span(struct run *r, size_t off, size_t n)
{
    if (r->npw == r->pwcap) {
        r->pwcap = r->pwcap ? r->pwcap * 2 : 16;
        r->pw = xreallocarray(r->pw, r->pwcap, sizeof(*r->pw));
    }
    r->pw[r->npw][0] = off;
    r->pw[r->npw][1] = n;
    r->npw++;
}

/* Byte ranges {start, length or end} by start. */
static int
cmp_span(const void *a, const void *b)
{
    const size_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/*
 * Puts the spans v[0..n) in start order, v[0..k) being in order already:
 * one merge when v[k..n) is in order too (the common case: two sources,
 * or the spans of one more scan), else qsort().
 */
static void
order_spans(size_t (*v)[2], size_t k, size_t n)
{
    size_t (*m)[2], i, j, o;

    for (i = k + 1; i < n && v[i][0] >= v[i - 1][0]; i++)
        ;
    if (i < n) {
        qsort(v, n, sizeof(*v), cmp_span);
        return;
    }
    if (k == 0 || k >= n || v[k][0] >= v[k - 1][0])
        return; /* in order already */
    m = xreallocarray(NULL, n, sizeof(*m));
    for (i = 0, j = k, o = 0; o < n; o++) {
        if (j == n || (i < k && v[i][0] <= v[j][0]))
            memcpy(m[o], v[i++], sizeof(*m));
        else
            memcpy(m[o], v[j++], sizeof(*m));
    }
    memcpy(v, m, n * sizeof(*m));
    x_free(m);
}

/*
 * Puts the spans of the last scan in order. Spans never overlap (a span
 * inside an earlier one is vetoed), so start order is end order too.
 */
static void
sort_spans(struct run *r)
{
    size_t i;

    if (r->npw > r->npw_sorted)
        order_spans(r->pw, r->npw_sorted, r->npw);
    r->npw_sorted = r->npw;
    r->pw_ends_sorted = true;
    for (i = 1; i < r->npw && r->pw_ends_sorted; i++)
        r->pw_ends_sorted =
            r->pw[i - 1][0] + r->pw[i - 1][1] <= r->pw[i][0] + r->pw[i][1];
}

/*
 * Whether off lies in the authority of a URL ("https://user:pw@host"):
 * what looks like an e-mail address there is a user name, or a password
 * followed by the host, and must not be reported as an address, even when
 * no credential rule took the userinfo (anonymous FTP, a user name holding
 * an '@'). Looks back over the blank-free run, at most 2 KiB.
 */
static bool
in_authority(const char *t, size_t off)
{
    size_t i, stop = off > 2048 ? off - 2048 : 0;

    for (i = off; i > stop; i--) {
        char c = t[i - 1];

        if (ascii_isspace(c))
            return false;
        if (c == '/') /* "://" or "[:]//" end the scheme; any other
                         slash starts a path */
            return (i >= 3 && t[i - 2] == '/' && t[i - 3] == ':') ||
                   (i >= 5 && t[i - 2] == '/' && t[i - 3] == ']' &&
                    t[i - 4] == ':' && t[i - 5] == '[');
        if (c == '?' || c == '#')
            return false;
    }
    return false;
}

/*
 * add()'s checks and the item they let it fill (zeroed), or NULL with
 * *more false once the run is full (else true).
 */
static struct item *
add_item(struct run *r, enum finding_kind kind, const char *value,
         size_t vlen, size_t off, size_t n, bool *more)
{
    struct item *it;

    *more = !r->full;
    if (r->full)
        return NULL;
    if (vlen > EXTRACT_MAX_VALUE ||
        (kind == FIND_URL ? url_holds_sensitive(r, value, off, n)
                          : kind != FIND_CREDENTIAL &&
                                in_password(r, off, n)) ||
        (kind == FIND_EMAIL && in_authority(r->text, off)))
        return NULL;
    if (r->n == EXTRACT_MAX_FINDINGS) {
        r->full = true;
        *more = false;
        return NULL;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = xreallocarray(r->items, r->cap, sizeof(*r->items));
    }
    it = &r->items[r->n];
    memset(it, 0, sizeof(*it));
    r->n++;
    return it;
}

static void
fill(struct item *it, enum finding_kind kind, char *value, size_t off,
     size_t n, int confidence, int term)
{
    it->f.kind = kind;
    it->f.value = value;
    it->f.offset = off;
    it->f.len = n;
    it->f.confidence = confidence;
    it->f.watched = term >= 0;
    it->f.term = term;
}

/*
 * Adds a finding (taking ownership of value), unless the value is too long
 * or the span overlaps a password, secret or card number (a URL only when
 * its value holds the bytes it covers: see url_holds_sensitive). Returns
 * false once the run is full.
 */
static bool
add(struct run *r, enum finding_kind kind, char *value, size_t off,
    size_t n, int confidence, int term)
{
    size_t vlen = strlen(value);
    struct item *it;
    bool more;

    it = add_item(r, kind, value, vlen, off, n, &more);
    if (it == NULL) {
        x_free(value);
        return more;
    }
    fill(it, kind, pool_take(r->strings, value, vlen), off, n, confidence,
         term);
    return true;
}

/*
 * add() with a value copied from value[0..vlen) (not a URL: no NUL needed)
 * straight into the findings' strings, lowercased when lower: no malloc()
 * and free() for the common kinds whose value is a piece of the text.
 */
static bool
add_copy(struct run *r, enum finding_kind kind, const char *value,
         size_t vlen, bool lower, size_t off, size_t n, int confidence,
         int term)
{
    struct item *it;
    bool more;
    char *v;

    assert(kind != FIND_URL);
    it = add_item(r, kind, value, vlen, off, n, &more);
    if (it == NULL)
        return more;
    v = pool_strndup(r->strings, value, vlen);
    if (lower)
        lower_str(v);
    fill(it, kind, v, off, n, confidence, term);
    return true;
}

/* Gives the finding add() just made (if it made one) unicode (owned). */
static void
set_unicode(struct run *r, size_t before, char *unicode)
{
    if (r->n > before && unicode != NULL)
        r->items[r->n - 1].f.unicode =
            pool_take(r->strings, unicode, strlen(unicode));
    else
        x_free(unicode);
}

/* --- re_ipv4, re_domain, re_hex, re_email, re_ipv6 and re_card in C ----
 *
 * The patterns with the most candidates, matched in C on them: the
 * leftmost match that starts in text[start..stop), the same match,
 * groups and lookarounds as pcre2 finds in the whole text text[0..end)
 * (a candidate range only bounds where a match may start: the match and
 * its lookarounds see the text around it, as without the prefilter), at
 * a fraction of the cost of a pcre2 call. pcre2 still runs them without
 * the prefilter, which the tests compare.
 */

static bool
word_byte(unsigned char c)
{
    return ascii_isalnum(c) || c == '_';
}

/* Length of the dot form at t[i] ("." or RE_IPDOT's "[.]", "(.)", "{.}";
   with names, RE_DOT's "[dot]", "(dot)" in any case too), or 0. */
static size_t
dot_form(const char *t, size_t i, size_t end, bool names)
{
    char c;

    if (i >= end)
        return 0;
    c = t[i];
    if (c == '.')
        return 1;
    if (c != '[' && c != '(' && c != '{')
        return 0;
    if (end - i >= 3 && t[i + 1] == '.' &&
        t[i + 2] == (c == '['   ? ']'
                     : c == '(' ? ')'
                                : '}'))
        return 3;
    if (names && c != '{' && end - i >= 5 && ascii_lower(t[i + 1]) == 'd' &&
        ascii_lower(t[i + 2]) == 'o' && ascii_lower(t[i + 3]) == 't' &&
        t[i + 4] == (c == '[' ? ']' : ')'))
        return 5;
    return 0;
}

/* Digits at t[i..end), counted up to 4. */
static size_t
digits(const char *t, size_t i, size_t end)
{
    size_t k = 0;

    while (i + k < end && k < 4 && ascii_isdigit(t[i + k]))
        k++;
    return k;
}

/* re_ipv4: four groups of 1-3 digits joined by dot forms. */
static bool
match_ipv4(const char *t, size_t start, size_t stop, size_t end, PCRE2_SIZE *ov)
{
    size_t p, q, g, n, d;

    for (p = start; p < stop; p++) {
        if (!ascii_isdigit(t[p]) ||
            (p > 0 && (word_byte(t[p - 1]) || t[p - 1] == '.')) ||
            (p >= 4 && ascii_isdigit(t[p - 4]) && t[p - 3] == '[' &&
             t[p - 2] == '.' && t[p - 1] == ']'))
            continue;
        for (q = p, g = 0; g < 4; g++) {
            n = digits(t, q, end);
            if (n < 1 || n > 3)
                break;
            ov[2 + 2 * g] = q;
            ov[3 + 2 * g] = q + n;
            q += n;
            if (g == 3)
                continue;
            d = dot_form(t, q, end, false);
            if (d == 0)
                break;
            q += d;
        }
        if (g < 4 || (q < end && word_byte(t[q])) ||
            ((d = dot_form(t, q, end, false)) > 0 && q + d < end &&
             ascii_isdigit(t[q + d])))
            continue;
        ov[0] = p;
        ov[1] = q;
        return true;
    }
    return false;
}

/* RE_LABEL at t[i]: its length, or 0. */
static size_t
label_len(const char *t, size_t i, size_t end)
{
    size_t k = 0;

    if (i >= end || !ascii_isalnum(t[i]))
        return 0;
    while (i + 1 + k < end && k < 62 &&
           (ascii_isalnum(t[i + 1 + k]) || t[i + 1 + k] == '-'))
        k++;
    return k > 0 && ascii_isalnum(t[i + k]) ? k + 1 : 1;
}

/* re_domain's top-level domain at t[i]: 2-24 letters, or "xn--" and 1-20
   letters and digits, then no name byte. Its length, or 0. */
static size_t
tld_len(const char *t, size_t i, size_t end)
{
    size_t k = 0, n = 0;

    while (i + k < end && k < 25 && ascii_isalpha(t[i + k]))
        k++;
    if (k >= 2 && k <= 24 &&
        (i + k == end || !(word_byte(t[i + k]) || t[i + k] == '-')))
        return k;
    if (end - i < 5 || ascii_lower(t[i]) != 'x' ||
        ascii_lower(t[i + 1]) != 'n' || t[i + 2] != '-' || t[i + 3] != '-')
        return 0;
    while (i + 4 + n < end && n < 21 && ascii_isalnum(t[i + 4 + n]))
        n++;
    if (n >= 1 && n <= 20 &&
        (i + 4 + n == end || !(word_byte(t[i + 4 + n]) || t[i + 4 + n] == '-')))
        return 4 + n;
    return 0;
}

/* re_hex: a run of 32-128 hex digits, no letter, digit or '_' either side;
   a start that fails skips its run (no start inside it can match). */
static bool
match_hex(const char *t, size_t start, size_t stop, size_t end, PCRE2_SIZE *ov)
{
    size_t p, n;

    for (p = start; p < stop; p++) {
        if (!ascii_isxdigit(t[p]) || (p > 0 && word_byte(t[p - 1])))
            continue;
        for (n = 1; p + n < end && n <= 128 && ascii_isxdigit(t[p + n]); n++)
            ;
        if (n >= 32 && n <= 128 && (p + n == end || !word_byte(t[p + n]))) {
            ov[0] = p;
            ov[1] = p + n;
            return true;
        }
        p += n - 1;
    }
    return false;
}

/*
 * The bytes of the character at t[i] (i < end) when it is valid UTF-8
 * (no overlong form, surrogate or code point past U+10FFFF), else 0:
 * under PCRE2_MATCH_INVALID_UTF, no pattern matches an invalid one.
 */
static size_t
utf8_char(const char *s, size_t i, size_t end)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t n, k;

    if (t[i] < 0x80)
        return 1;
    n = t[i] < 0xc2 ? 0 : t[i] < 0xe0 ? 2 : t[i] < 0xf0 ? 3 : t[i] < 0xf5 ? 4
                                                                          : 0;
    if (n == 0 || end - i < n)
        return 0;
    for (k = 1; k < n; k++)
        if ((t[i + k] & 0xc0) != 0x80)
            return 0;
    if ((t[i] == 0xe0 && t[i + 1] < 0xa0) ||  /* overlong */
        (t[i] == 0xed && t[i + 1] >= 0xa0) || /* a surrogate */
        (t[i] == 0xf0 && t[i + 1] < 0x90) ||  /* overlong */
        (t[i] == 0xf4 && t[i + 1] >= 0x90))   /* past U+10FFFF */
        return 0;
    return n;
}

/* Whether t[i] (i < end) is c, either case (c a small letter). */
static bool
letter_at(const char *t, size_t i, size_t end, char c)
{
    return i < end && (t[i] | 0x20) == c;
}

/*
 * RE_URL_START at t[p]: "http", "hxxp" or "h**p" and an optional 's', or
 * "ftp" or "fxp", any ASCII case; then "://", "[:]//" or "[://]". Its
 * length, or 0.
 */
static size_t
url_start_len(const char *t, size_t p, size_t end)
{
    static const char *const seps[] = { "://", "[:]//", "[://]" };
    size_t q = p + 1, k, n;

    if (letter_at(t, p, end, 'h')) {
        if (!((letter_at(t, q, end, 't') && letter_at(t, q + 1, end, 't')) ||
              (letter_at(t, q, end, 'x') && letter_at(t, q + 1, end, 'x')) ||
              (q + 1 < end && t[q] == '*' && t[q + 1] == '*')) ||
            !letter_at(t, q + 2, end, 'p'))
            return 0;
        q += 3;
        if (letter_at(t, q, end, 's'))
            q++;
    } else if (letter_at(t, p, end, 'f')) {
        if (!(letter_at(t, q, end, 't') || letter_at(t, q, end, 'x')) ||
            !letter_at(t, q + 1, end, 'p'))
            return 0;
        q += 2;
    } else {
        return 0;
    }
    for (k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
        n = strlen(seps[k]);
        if (end - q >= n && memcmp(t + q, seps[k], n) == 0)
            return q + n - p;
    }
    return 0;
}

/*
 * re_url: RE_URL_START after no ASCII letter or digit, then
 * characters
 * other than ASCII blanks and controls, DEL, '<', '>', '"', '\'' and '`'
 * (any valid UTF-8 one past ASCII), as many as there are and at least
 * one.
 */
static bool
match_url(const char *t, size_t start, size_t stop, size_t end,
          PCRE2_SIZE *ov)
{
    size_t p, q, k;

    for (p = start; p < stop; p++) {
        if ((p > 0 && ascii_isalnum(t[p - 1])) ||
            (k = url_start_len(t, p, end)) == 0)
            continue;
        for (q = p + k; q < end; q += k) {
            unsigned char c = (unsigned char)t[q];

            if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' ||
                c == '\'' || c == '`')
                break;
            k = utf8_char(t, q, end);
            if (k == 0)
                break;
        }
        if (q > p + url_start_len(t, p, end)) {
            ov[0] = p;
            ov[1] = q;
            return true;
        }
    }
    return false;
}

/* RE_EMAIL's top-level domain at t[i]: 2-24 letters, then no letter,
   digit or '-'. Its length, or 0. */
static size_t
email_tld_len(const char *t, size_t i, size_t end)
{
    size_t k = 0;

    while (i + k < end && k < 25 && ascii_isalpha(t[i + k]))
        k++;
    return k >= 2 && k <= 24 &&
                   (i + k == end ||
                    !(ascii_isalnum(t[i + k]) || t[i + k] == '-'))
               ? k
               : 0;
}

/* A byte of an e-mail address's local part (RE_EMAIL). */
static bool
local_byte(unsigned char c)
{
    return ascii_isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
           c == '-';
}

/*
 * re_email: a local part of 1-64 bytes, '@', labels each followed by a
 * dot, and a top-level domain of 2-24 letters with no letter, digit or
 * '-' after it. As in match_domain(), the labels go as far as they can
 * and the match ends at the last one that is a top-level domain. A start
 * that fails skips its local part; the next may start after its '@'
 * ("a@b@c.com" holds "b@c.com").
 */
static bool
match_email(const char *t, size_t start, size_t stop, size_t end,
            PCRE2_SIZE *ov)
{
    size_t p, q, d, l, k, best, best_len, pairs;

    for (p = start; p < stop; p++) {
        if (!ascii_isalnum(t[p]) || (p > 0 && local_byte(t[p - 1])))
            continue;
        for (q = p + 1; q < end && q - p < 64 && local_byte(t[q]); q++)
            ;
        if (q >= end || t[q] != '@') {
            p = q - 1; /* the loop goes on at q */
            continue;
        }
        best = best_len = 0;
        for (d = q + 1, pairs = 0;; pairs++) {
            l = label_len(t, d, end);
            if (l == 0 || d + l >= end || t[d + l] != '.')
                break;
            if (pairs > 0 && (k = email_tld_len(t, d, end)) > 0) {
                best = d;
                best_len = k;
            }
            d += l + 1;
        }
        if (pairs > 0 && (k = email_tld_len(t, d, end)) > 0) {
            best = d;
            best_len = k;
        }
        if (best_len > 0) {
            ov[0] = p;
            ov[1] = best + best_len;
            return true;
        }
        p = q; /* the loop goes on after the '@' */
    }
    return false;
}

/* Whether t[i..i+n) are n digits, all before end. */
static bool
all_digits_at(const char *t, size_t i, size_t n, size_t end)
{
    size_t k;

    if (end < i || end - i < n)
        return false;
    for (k = 0; k < n; k++)
        if (!ascii_isdigit(t[i + k]))
            return false;
    return true;
}

/* re_card's lookaheads at q: no letter, digit or '_', and no '-' and a
   digit unless an expiry ("-12/27") follows. */
static bool
card_end(const char *t, size_t q, size_t end)
{
    if (q < end && word_byte(t[q]))
        return false;
    return !(q + 1 < end && t[q] == '-' && ascii_isdigit(t[q + 1]) &&
             !(all_digits_at(t, q + 1, 2, end) && q + 3 < end &&
               t[q + 3] == '/' && all_digits_at(t, q + 4, 2, end)));
}

/*
 * re_card: 13-19 digits, "dddd dddd dddd dddd" (one separator, ' ' or
 * '-', throughout) or Amex's "dddd dddddd ddddd", in that order at each
 * start; not after a letter, digit or '_' (but after "%B"), nor after a
 * digit and '-'.
 */
static bool
match_card(const char *t, size_t start, size_t stop, size_t end, PCRE2_SIZE *ov)
{
    size_t p, n;
    char sep;

    for (p = start; p < stop; p++) {
        if (!ascii_isdigit(t[p]) ||
            (p > 0 && word_byte(t[p - 1]) &&
             !(p >= 2 && t[p - 2] == '%' && t[p - 1] == 'B')) ||
            (p >= 2 && ascii_isdigit(t[p - 2]) && t[p - 1] == '-'))
            continue;
        for (n = 1; p + n < end && n < 20 && ascii_isdigit(t[p + n]); n++)
            ;
        if (n >= 13 && n <= 19 && card_end(t, p + n, end)) {
            ov[0] = p;
            ov[1] = p + n;
            return true;
        }
        sep = p + 4 < end ? t[p + 4] : 0;
        if ((sep == ' ' || sep == '-') && all_digits_at(t, p, 4, end) &&
            all_digits_at(t, p + 5, 4, end) && p + 9 < end && t[p + 9] == sep &&
            all_digits_at(t, p + 10, 4, end) && p + 14 < end &&
            t[p + 14] == sep && all_digits_at(t, p + 15, 4, end) &&
            card_end(t, p + 19, end)) {
            ov[0] = p;
            ov[1] = p + 19;
            return true;
        }
        if (t[p] == '3' && p + 1 < end &&
            (t[p + 1] == '4' || t[p + 1] == '7') &&
            (sep == ' ' || sep == '-') && all_digits_at(t, p, 4, end) &&
            all_digits_at(t, p + 5, 6, end) && p + 11 < end &&
            t[p + 11] == sep && all_digits_at(t, p + 12, 5, end) &&
            card_end(t, p + 17, end)) {
            ov[0] = p;
            ov[1] = p + 17;
            return true;
        }
    }
    return false;
}

/* A byte of re_ipv6's run after its first colon (not "[:]"). */
static bool
ipv6_byte(unsigned char c)
{
    return ascii_isxdigit(c) || c == ':' || c == '.';
}

/*
 * re_ipv6: up to 4 hex digits, a colon (or "[:]"), then 1-76 hex digits,
 * colons, dots or "[:]", with no letter, digit or '_' after. Every part
 * is possessive: a start has one run, which fits or not.
 */
static bool
match_ipv6(const char *t, size_t start, size_t stop, size_t end, PCRE2_SIZE *ov)
{
    size_t p, q, n;

    for (p = start; p < stop; p++) {
        if (p > 0 &&
            (word_byte(t[p - 1]) || t[p - 1] == ':' || t[p - 1] == '.'))
            continue;
        for (q = p; q < end && q - p < 4 && ascii_isxdigit(t[q]); q++)
            ;
        if (q < end && t[q] == ':')
            q++;
        else if (end - q >= 3 && t[q] == '[' && t[q + 1] == ':' &&
                 t[q + 2] == ']')
            q += 3;
        else
            continue;
        for (n = 0; n < 76 && q < end; n++) {
            if (ipv6_byte(t[q]))
                q++;
            else if (end - q >= 3 && t[q] == '[' && t[q + 1] == ':' &&
                     t[q + 2] == ']')
                q += 3;
            else
                break;
        }
        if (n == 0 || (q < end && word_byte(t[q])))
            continue;
        ov[0] = p;
        ov[1] = q;
        return true;
    }
    return false;
}

/*
 * re_domain: labels each followed by a dot form, then a top-level domain.
 * The labels go as far as they can; pcre2 then backs off one label at a
 * time until a top-level domain follows, so the match ends at the last
 * label that is one. A start that fails fails at every label start of its
 * chain too (their top-level domains are among its own): the search goes
 * on past the chain.
 */
static bool
match_domain(const char *t, size_t start, size_t stop, size_t end,
             PCRE2_SIZE *ov)
{
    size_t p, q, l, d, k, best, best_len, pairs;

    for (p = start; p < stop; p++) {
        if (!ascii_isalnum(t[p]) ||
            (p > 0 && (word_byte(t[p - 1]) || t[p - 1] == '-')))
            continue;
        best = best_len = 0;
        for (q = p, pairs = 0;; pairs++) {
            l = label_len(t, q, end);
            d = l > 0 ? dot_form(t, q + l, end, true) : 0;
            if (d == 0)
                break;
            /* A label after a dot form that is a top-level domain: the
               match when none follows further on. */
            if (pairs > 0 && (k = tld_len(t, q, end)) > 0) {
                best = q;
                best_len = k;
            }
            q += l + d;
        }
        if (pairs > 0 && (k = tld_len(t, q, end)) > 0) {
            best = q;
            best_len = k;
        }
        if (best_len > 0) {
            ov[0] = p;
            ov[1] = best + best_len;
            ov[2] = best;
            ov[3] = best + best_len;
            return true;
        }
        if (q > p)
            p = q; /* the loop goes on at q + 1 */
    }
    return false;
}

/*
 * Next match of re in the text from *start; fills ov with the ovector.
 * Returns false when there are no more (or on a match error, logged).
 */
static bool
next_match(struct run *r, const pcre2_code *re, size_t *start,
           PCRE2_SIZE **ov)
{
    struct lines *c = NULL;
    size_t slot = NSLOTS, end = r->len;
    int rc;

    if (*start > r->len || r->full)
        return false;
    if (r->cand != NULL) {
        if (re != r->last_re) {
            for (slot = 0; slot < NSLOTS; slot++)
                if ((slot < PAT_COUNT ? r->x->re[slot]
                                      : r->x->rule_re[slot - PAT_COUNT]) ==
                    re)
                    break;
            r->last_re = re;
            r->last_slot = slot;
        }
        slot = r->last_slot;
        if (slot < NSLOTS && r->x->filtered[slot] && !r->cand[slot].dense)
            c = &r->cand[slot];
    }
retry:
    if (c != NULL) {
        /* Only the starts in the candidate ranges. */
        while (c->next < c->n && c->v[c->next][1] <= *start)
            c->next++;
        if (c->next == c->n)
            return false;
        if (*start < c->v[c->next][0])
            *start = c->v[c->next][0];
        end = c->v[c->next][1];
    }
    if (c != NULL && (slot == PAT_IPV4 || slot == PAT_DOMAIN ||
                      slot == PAT_HEX || slot == PAT_EMAIL ||
                      slot == PAT_URL || slot == r->x->ipv6_slot ||
                      slot == r->x->run_slot[RUN_CARD])) {
        if (!(slot == PAT_IPV4            ? match_ipv4
              : slot == PAT_DOMAIN        ? match_domain
              : slot == PAT_HEX           ? match_hex
              : slot == PAT_EMAIL         ? match_email
              : slot == PAT_URL           ? match_url
              : slot == r->x->ipv6_slot   ? match_ipv6
                                          : match_card)(r->text, *start, end,
                                                        r->len, r->ov)) {
            *start = end;
            goto retry;
        }
        *ov = r->ov;
        *start = (*ov)[1] > (*ov)[0] ? (*ov)[1] : (*ov)[0] + 1;
        return true;
    }
    /* A candidate range bounds where a match may start (the offset
       limit); the match and its lookarounds see the whole text, as
       without the prefilter. pcre2_jit_match() skips pcre2_match()'s
       checks of its arguments, which cost more than the match on a short
       candidate. */
    pcre2_set_offset_limit(r->mctx, c != NULL ? end : PCRE2_UNSET);
    if (r->x->jit)
        rc = pcre2_jit_match(re, (PCRE2_SPTR)r->text, r->len, *start, 0,
                             r->md, r->mctx);
    else
        rc = pcre2_match(re, (PCRE2_SPTR)r->text, r->len, *start, 0, r->md,
                         r->mctx);
    if (rc == PCRE2_ERROR_NOMATCH && c != NULL) {
        *start = end;
        goto retry;
    }
    if (rc < 0) {
        if (rc != PCRE2_ERROR_NOMATCH)
            log_warn("extract match failed: pcre2=%d offset=%zu", rc,
                     *start);
        return false;
    }
    *ov = pcre2_get_ovector_pointer(r->md);
    *start = (*ov)[1] > (*ov)[0] ? (*ov)[1] : (*ov)[0] + 1;
    return true;
}

static void
scan_email(struct run *r)
{
    size_t start = 0, n, before;
    PCRE2_SIZE *ov;
    const char *at;
    char stack[DOMAIN_STACK], *v, *heap, *a, *u, *unicode;
    bool more;

    while (next_match(r, r->x->re[PAT_EMAIL], &start, &ov)) {
        /* Made on the stack and copied once into the findings' strings,
           as scan_domain() does. */
        n = ov[1] - ov[0];
        heap = n < sizeof(stack) ? NULL : xmalloc(n + 1);
        v = heap != NULL ? heap : stack;
        memcpy(v, r->text + ov[0], n);
        v[n] = '\0';
        lower_str(v);
        at = strchr(v, '@');
        unicode = NULL;
        if (strlen(at + 1) > MAX_DOMAIN || !known_tld(strrchr(v, '.') + 1)) {
            x_free(heap); /* "logo@2x.png" is a file */
            continue;
        }
        if (idn_applies(at + 1, strlen(at + 1))) {
            /* "xn--" labels: a valid IDN, shown in U-labels too. */
            a = idn_to_ascii(at + 1, strlen(at + 1), &u);
            if (a != NULL && u != NULL)
                unicode = xasprintf("%.*s@%s", (int)(at - v), v, u);
            x_free(a);
            x_free(u);
            if (unicode == NULL) {
                x_free(heap);
                continue;
            }
        }
        before = r->n;
        more = add_copy(r, FIND_EMAIL, v, n, false, ov[0], n, 90,
                        watched_term(r->x, at + 1));
        x_free(heap);
        if (!more) {
            x_free(unicode);
            return;
        }
        set_unicode(r, before, unicode);
    }
}

/* Bytes of the UTF-8 character at p (n available), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t want, i;

    if (c < 0x80)
        return c == 0 ? 0 : 1;
    if (c >= 0xc2 && c <= 0xdf)
        want = 2;
    else if (c >= 0xe0 && c <= 0xef)
        want = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        want = 4;
    else
        return 0;
    if (n < want)
        return 0;
    for (i = 1; i < want; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
        (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
        return 0;
    return want;
}

/* Start of the last UTF-8 character of p[0..n), n > 0. */
static size_t
utf8_last(const unsigned char *p, size_t n)
{
    size_t i = n - 1;

    while (i > 0 && n - i < 4 && (p[i] & 0xc0) == 0x80)
        i--;
    return utf8_len(p + i, n - i) == n - i ? i : n - 1;
}

/* "(n)", n in decimal, at the end of b (without printf's cost). */
static void
hint_length(struct buf *b, size_t n)
{
    char num[24], *q = num + sizeof(num);

    *--q = ')';
    do {
        *--q = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    *--q = '(';
    buf_add(b, q, (size_t)(num + sizeof(num) - q));
}

/*
 * "S*******!(9)": the first and last characters (invalid bytes or control
 * characters as '?'), at most HINT_MAX_STARS stars between, and the length
 * in bytes. Passwords of one or two characters are all stars, and so is
 * any whose hint would spell it out: "a**" would be "a**(3)", "(3)" would
 * be "(*)(3)"; the length goes too when even the stars' hint holds it
 * (a password of stars alone is no credential: cred_stars()).
 */
static char *
password_hint(const char *pw, size_t n)
{
    const unsigned char *p = (const unsigned char *)pw;
    struct buf b = BUF_INIT(64);
    size_t first, last, stars, i, form;

    first = utf8_len(p, n);
    last = utf8_last(p, n);
    form = n <= 2 || first == 0 || first >= last ? 1 : 0;
    for (; form < 3; form++) {
        if (form == 0) {
            if (p[0] < 0x20 || p[0] == 0x7f)
                buf_addc(&b, '?');
            else
                buf_add(&b, pw, first);
            stars = last - first;
            for (i = 0; i < stars && i < HINT_MAX_STARS; i++)
                buf_addc(&b, '*');
            if (utf8_len(p + last, n - last) == 0 || p[last] < 0x20 ||
                p[last] == 0x7f)
                buf_addc(&b, '?');
            else
                buf_add(&b, pw + last, n - last);
        } else {
            for (i = 0; i < n && i < HINT_MAX_STARS; i++)
                buf_addc(&b, '*');
        }
        if (form < 2)
            hint_length(&b, n);
        /* Only stars or the "(" of the length can make the password
           show: no memmem() for the others. */
        if (n < 3 ||
            (memchr(pw, '*', n) == NULL && memchr(pw, '(', n) == NULL) ||
            memmem(b.ptr, b.len, pw, n) == NULL)
            break;
        OPENSSL_cleanse(b.ptr, b.len);
        buf_reset(&b);
    }
    return buf_detach(&b, NULL);
}

static bool
all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!ascii_isdigit(s[i]))
            return false;
    return true;
}

/* Whether s[0..n) is one e-mail address (an "a; b" recipient list). */
static bool
recipient(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    const char *dot;
    char tld[25];
    size_t k;

    if (at == NULL || memchr(s, ' ', n) || memchr(at + 1, '@',
                                                  n - (size_t)(at - s) - 1))
        return false;
    dot = NULL;
    for (k = n; k > (size_t)(at - s) + 1; k--) {
        if (s[k - 1] == '.') {
            dot = s + k - 1;
            break;
        }
    }
    if (dot == NULL || (size_t)(s + n - dot - 1) >= sizeof(tld) ||
        s + n - dot - 1 < 2)
        return false;
    memcpy(tld, dot + 1, (size_t)(s + n - dot - 1));
    tld[s + n - dot - 1] = '\0';
    lower_str(tld);
    return known_tld(tld);
}

/*
 * Adds a credential: identity (lowercased) and domain (lowercased, or
 * NULL) are taken; the password pw[0..pwlen) (as written, or decoded) is
 * hashed and masked at once; [pwoff, pwoff+pwspan) is where the text holds
 * it, [off, off+n) the finding. A password another form already took is
 * skipped. Returns false once the run is full.
 */
static bool
add_credential(struct run *r, char *identity, char *domain, const char *pw,
               size_t pwlen, size_t pwoff, size_t pwspan, size_t off,
               size_t n, int conf)
{
    const struct extractor *x = r->x;
    unsigned char mac[32];
    int term;
    struct finding *f;
    char hex[17], *value, *hint;
    size_t i, before;
    bool ok;

    /* "bob@x.com:******": masked in the dump, nothing leaked. */
    if (cred_stars(pw, pwlen) || in_password(r, pwoff, pwspan) ||
        (r->npw > r->npw_sorted && r->pw[r->npw - 1][0] < pwoff + pwspan &&
         pwoff < r->pw[r->npw - 1][0] + r->pw[r->npw - 1][1])) {
        x_free(identity);
        x_free(domain);
        return true;
    }
    if (!password_mac(r, pw, pwlen, mac)) {
        log_err("hmac-sha256 failed: identity='%s'", identity);
        x_free(identity);
        x_free(domain);
        return true;
    }
    for (i = 0; i < 8; i++) {
        hex[2 * i] = "0123456789abcdef"[mac[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[mac[i] & 15];
    }
    hex[16] = '\0';
    before = r->n;
    /* Watched through the site's host or the identity's own e-mail
       domain: a corporate address used on a third-party site is a leak
       of ours too (the password is likely reused). */
    term = domain ? watched_term(x, domain) : -1;
    if (term < 0 && strchr(identity, '@') != NULL)
        term = watched_term(x, strchr(identity, '@') + 1);
    /* identity ":" hex, without printf's cost */
    i = strlen(identity);
    value = xmalloc(i + 1 + sizeof(hex));
    memcpy(value, identity, i);
    value[i] = ':';
    memcpy(value + i + 1, hex, sizeof(hex));
    ok = add(r, FIND_CREDENTIAL, value, off, n, conf, term);
    if (r->n == before) {
        x_free(identity);
        x_free(domain);
        OPENSSL_cleanse(mac, sizeof(mac));
        return ok;
    }
    f = &r->items[r->n - 1].f;
    f->identity = pool_take(r->strings, identity, strlen(identity));
    if (domain != NULL)
        f->domain = pool_take(r->strings, domain, strlen(domain));
    memcpy(f->pw_hmac, mac, sizeof(mac));
    OPENSSL_cleanse(mac, sizeof(mac));
    hint = password_hint(pw, pwlen);
    f->pw_hint = pool_take(r->strings, hint, strlen(hint));
    f->pw_offset = pwoff;
    f->pw_len = pwspan;
    add_span(r, pwoff, pwspan);
    return true;
}

static void
scan_combo(struct run *r)
{
    size_t start = 0, idlen, pwoff, pwlen, span;
    PCRE2_SIZE *ov;
    char *identity;
    bool shown;
    int conf;

    while (next_match(r, r->x->re[PAT_COMBO], &start, &ov)) {
        idlen = ov[3] - ov[2];
        pwoff = ov[6];
        span = ov[7] - ov[6];
        if (span == 0 || span > MAX_PASSWORD)
            continue;
        /* "a@x.com; b@y.com" is a list of recipients, not a combo. */
        if (r->text[ov[4]] == ';' && recipient(r->text + pwoff, span))
            continue;
        /* "bob@x.com:pw | Country = US", "bob@x.com;pw;Bob Smith": the
           password is the first column (span: what is masked). */
        pwlen = cred_columns(r->text + pwoff, span, r->text[ov[4]], &shown);
        if (shown)
            span = pwlen;
        /* "git@github.com:org/repo.git" is an SSH remote. */
        if (r->text[ov[4]] == ':' &&
            strncasecmp(r->text + ov[2], "git@", 4) == 0)
            continue;
        identity = xstrndup(r->text + ov[2], idlen);
        lower_str(identity);
        conf = 85;
        if (memchr(r->text + pwoff, ' ', pwlen) != NULL ||
            memchr(r->text + pwoff, '\t', pwlen) != NULL)
            conf = 60; /* "bob@x.com | phone 555": maybe not a combo */
        if (r->text[ov[4]] == ':' && pwlen <= 5 &&
            all_digits(r->text + pwoff, pwlen))
            conf = 50; /* could be a port */
        if (!add_credential(r, identity, xstrdup(strchr(identity, '@') + 1),
                            r->text + pwoff, pwlen, pwoff, span, ov[2],
                            pwoff + span - ov[2], conf))
            return;
    }
}

/*
 * A host a credential belongs to: a name under a public suffix or an
 * onion name (labels of letters, digits, '-' and '_'), an IPv4 address
 * when ip is true, or an IPv6 literal ("[::1]").
 */
static bool
credential_host(const char *h, bool ip)
{
    struct in_addr a4;
    const char *dot = strrchr(h, '.'), *p;
    size_t label = 0;

    if (h[0] == '[')
        return ip;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return ip;
    if (dot == NULL || strlen(h) > MAX_DOMAIN || !ascii_isalpha(dot[1]))
        return false;
    for (p = h; *p != '\0'; p++) {
        if (*p == '.') {
            if (label == 0 || label > 63)
                return false;
            label = 0;
        } else if (ascii_isalpha(*p) || ascii_isdigit(*p) || *p == '-' || *p == '_') {
            label++;
        } else {
            return false;
        }
    }
    return label > 0 && label <= 63 &&
           (strcmp(dot + 1, "onion") == 0 || domain_tld(dot + 1));
}

/* An identity as text writes it, lowercased, "&#64;" and "&#x40;" (HTML)
   made '@'. */
static char *
identity_dup(const char *s, size_t n)
{
    struct buf b = BUF_INIT(EXTRACT_MAX_VALUE);
    size_t i = 0;
    char *v;

    while (i < n) {
        if (n - i >= 5 && memcmp(s + i, "&#64;", 5) == 0) {
            buf_addc(&b, '@');
            i += 5;
        } else if (n - i >= 6 && strncasecmp(s + i, "&#x40;", 6) == 0) {
            buf_addc(&b, '@');
            i += 6;
        } else {
            buf_addc(&b, s[i++]);
        }
    }
    v = buf_detach(&b, NULL);
    lower_str(v);
    return v;
}

/* The domain of an e-mail identity ("a@b.com" -> "b.com"), or NULL. */
static char *
identity_domain(const char *identity)
{
    const char *at = strrchr(identity, '@');

    return at != NULL && credential_host(at + 1, false) ? xstrdup(at + 1)
                                                        : NULL;
}

/* "scheme://user:password@host": the URL finding itself keeps no
   password (see url_holds_sensitive). */
/*
 * cred_userinfo() on a URL as leaks write them, which curl alone refuses:
 * a defanged scheme ("hxxps[:]//", "[://]") or host ("evil[.]com"), and
 * an '@' in the user name or password ("ftp://jane@corp.com:pw@host").
 * curl parses a copy with the scheme and host refanged and those '@'
 * escaped; the user and password spans are then the bytes as written:
 * between the scheme and the first ':', and from there to the last '@'
 * of the authority.
 */
static bool
userinfo_parse(const char *s, size_t n, struct cred_userinfo *u)
{
    static const char *const seps[] = { "://", "[:]//", "[://]" };
    struct buf b = BUF_INIT(4 * EXTRACT_MAX_VALUE);
    const char *sep = NULL, *p, *colon, *at = NULL, *end;
    size_t k, seplen = 0;
    char *host;
    bool ok;
    int rc;

    for (k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
        p = find_short(s, n, seps[k], strlen(seps[k]));
        if (p != NULL && (sep == NULL || p < sep)) {
            sep = p;
            seplen = strlen(seps[k]);
        }
    }
    if (sep == NULL)
        return false;
    p = sep + seplen; /* the user info starts here */
    for (end = p; end < s + n && !strchr("/?#", *end); end++)
        if (*end == '@')
            at = end;
    colon = at != NULL ? memchr(p, ':', (size_t)(at - p)) : NULL;
    if (colon == NULL || colon == p || colon + 1 == at)
        return false;
    rc = buf_add(&b, s, (size_t)(sep - s));
    rc |= buf_adds(&b, "://");
    for (k = 0; p + k < at; k++)
        rc |= p[k] == '@' ? buf_adds(&b, "%40") : buf_addc(&b, p[k]);
    host = refang(at, n - (size_t)(at - s));
    rc |= buf_adds(&b, host);
    x_free(host);
    ok = rc == 0 && cred_userinfo(b.ptr, b.len, u);
    if (b.ptr != NULL)
        OPENSSL_cleanse(b.ptr, b.len);
    buf_release(&b);
    if (ok) {
        u->user.off = (size_t)(p - s);
        u->user.len = (size_t)(colon - p);
        u->pw.off = (size_t)(colon + 1 - s);
        u->pw.len = (size_t)(at - colon - 1);
    }
    return ok;
}

static void
scan_userinfo(struct run *r)
{
    static const char *const not_users[] = { "anonymous", "ftp" };
    size_t start = 0, end, k;
    struct cred_userinfo u;
    PCRE2_SIZE *ov;
    const char *at;
    char *identity;
    bool skip;

    while (next_match(r, r->x->re[PAT_USERINFO], &start, &ov)) {
        end = ov[1];
        at = memrchr(r->text + ov[0], '@', end - ov[0]);
        /* Cut at the cap, or no '@' after the password: no user info. */
        if ((end < r->len && !strchr(" \t\r\n/?#\"'<>", r->text[end]) &&
             (unsigned char)r->text[end] >= 0x20) ||
            at == NULL)
            continue;
        while (end > (size_t)(at - r->text) + 1 &&
               strchr(".,;:!)]}", r->text[end - 1]))
            end--;
        if (!userinfo_parse(r->text + ov[0], end - ov[0], &u))
            continue;
        skip = u.pw.len > MAX_PASSWORD || !credential_host(u.host, true) ||
               cred_placeholder(u.pw_dec, u.pw_dec_len);
        for (k = 0; k < sizeof(not_users) / sizeof(not_users[0]); k++)
            skip = skip || strcasecmp(u.user_dec, not_users[k]) == 0;
        if (!skip) {
            identity = xstrdup(u.user_dec);
            lower_str(identity);
            if (!add_credential(r, identity, xstrdup(u.host), u.pw_dec,
                                u.pw_dec_len, ov[0] + u.pw.off, u.pw.len,
                                ov[0] + u.user.off,
                                u.pw.off + u.pw.len - u.user.off, 80)) {
                cred_userinfo_release(&u);
                return;
            }
        }
        cred_userinfo_release(&u);
    }
}

/* "Login: bob / Password: x" prose and stealer-log blocks. */
static void
scan_labelled(struct run *r)
{
    size_t start = 0, pw_end = 0;
    struct cred_labelled c;
    PCRE2_SIZE *ov;
    char *identity, *domain;
    int conf;

    while (next_match(r, r->x->re[PAT_PWLABEL], &start, &ov)) {
        if (ov[0] < pw_end ||
            !cred_labelled(r->text, r->len, ov[0], ov[1], &c))
            continue;
        identity = identity_dup(r->text + c.id.off, c.id.len);
        domain = NULL;
        if (c.url.len > 0) {
            domain = cred_url_host(r->text + c.url.off, c.url.len);
            if (domain != NULL && !credential_host(domain, true)) {
                x_free(domain);
                domain = NULL;
            }
        }
        conf = domain != NULL ? 90 : strchr(identity, '@') ? 80 : 70;
        if (domain == NULL)
            domain = identity_domain(identity);
        if (!add_credential(r, identity, domain, r->text + c.pw.off,
                            c.pw.len, c.pw.off, c.pw.len, c.start,
                            c.pw.off + c.pw.len - c.start, conf))
            return;
        pw_end = c.pw.off + c.pw.len;
        if (start < pw_end)
            start = pw_end;
    }
}

/* s[0..n) reversed in place. */
static void
reverse_bytes(char *s, size_t n)
{
    size_t i;
    char c;

    for (i = 0; i < n / 2; i++) {
        c = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = c;
    }
}

/* The labels of name in the other order: an Android package name
   ("com.example.app") made the domain its owner named it after
   ("app.example.com"). */
static void
reverse_labels(char *name)
{
    size_t n = strlen(name), i, k;

    reverse_bytes(name, n);
    for (i = 0; i < n; i = k + 1) {
        for (k = i; k < n && name[k] != '.'; k++)
            ;
        reverse_bytes(name + i, k - i);
    }
}

/*
 * The URL:login:password line text[base..base+n) ("https://site/login:
 * bob@x.com:pw", "site.com:bob:pw"): 1 when it is one, 0 when not, -1
 * once the run is full. An Android app's line gives the domain of its
 * package ("android://<hash>@com.example.app/" -> app.example.com).
 */
static int
ulp_line(struct run *r, size_t base, size_t n)
{
    struct cred_ulp u;
    char *host, *curl_host, *identity;
    bool scheme;

    if (!cred_ulp(r->text + base, n, &u))
        return 0;
    host = xstrndup(r->text + base + u.host.off, u.host.len);
    lower_str(host);
    scheme = u.host.off > u.url.off;
    curl_host = cred_url_host(r->text + base + u.url.off, u.url.len);
    if (u.app && curl_host != NULL && strcmp(curl_host, host) == 0) {
        reverse_labels(host);
        reverse_labels(curl_host);
    }
    if (!credential_host(host, scheme) || curl_host == NULL ||
        strcmp(curl_host, host) != 0) {
        x_free(host);
        x_free(curl_host);
        return 0;
    }
    x_free(curl_host);
    identity = identity_dup(r->text + base + u.id.off, u.id.len);
    return add_credential(r, identity, host, r->text + base + u.pw.off,
                          u.pw.len, base + u.masked.off, u.masked.len,
                          base + u.url.off,
                          u.masked.off + u.masked.len - u.url.off,
                          scheme ? 80 : 70)
               ? 1
               : -1;
}

/* URL:login:password lines with a scheme; the ones without are
   user:password-shaped (scan_userpass). */
static void
scan_ulp(struct run *r)
{
    size_t start = 0;
    PCRE2_SIZE *ov;

    while (next_match(r, r->x->re[PAT_ULP], &start, &ov))
        if (ulp_line(r, ov[0], ov[1] - ov[0]) < 0)
            return;
}

/*
 * user:password lines (no e-mail address): only in a list, at least
 * USERPASS_RUN lines of one separator with nothing but blank lines
 * between (e-mail combos and host:login:password lines count, and the
 * latter are found here), or after a word such as "combo". A list of
 * tab-separated pairs needs that word too: key<TAB>value is how config
 * files and tables are written ("PASS_MAX_DAYS\t99999", "cmip-agent\t
 * 164/tcp", "cp1250\tWinLatin2", "186\tbgp"), a dump hardly ever.
 */
#define USERPASS_RUN 3

struct userpass {
    size_t line, id, idn, pw, pwn, end;
    bool counted; /* a list line found otherwise: nothing to add */
};

static bool
emit_userpass(struct run *r, const struct userpass *u, int conf)
{
    char *identity;

    if (u->counted)
        return true;
    identity = xstrndup(r->text + u->id, u->idn);
    lower_str(identity);
    return add_credential(r, identity, NULL, r->text + u->pw, u->pwn, u->pw,
                          u->pwn, u->id, u->pw + u->pwn - u->id, conf);
}

/* The lines of a list that ended short of USERPASS_RUN: credentials
   only after a word such as "combo", with a lower confidence. */
static bool
flush_short(struct run *r, const struct userpass *pend, size_t npend)
{
    size_t i, ctx;
    bool any = false;

    for (i = 0; i < npend; i++)
        any = any || !pend[i].counted;
    if (!any)
        return true;
    ctx = pend[0].line > CRED_CONTEXT ? pend[0].line - CRED_CONTEXT : 0;
    if (!cred_combo_context(r->text + ctx, pend[0].line - ctx))
        return true;
    for (i = 0; i < npend; i++)
        if (!emit_userpass(r, &pend[i], 50))
            return false;
    return true;
}

static void
scan_userpass(struct run *r)
{
    struct userpass pend[USERPASS_RUN - 1], cur;
    size_t start = 0, npend = 0, run = 0, last = 0, i;
    bool joined;
    PCRE2_SIZE *ov;
    char sep = 0;
    int ulp;
    bool listed = false; /* the run may make credentials */

    while (next_match(r, r->x->re[PAT_USERPASS], &start, &ov)) {
        cur.line = ov[0];
        cur.id = ov[2];
        cur.idn = ov[3] - ov[2];
        cur.pw = ov[6];
        cur.pwn = ov[7] - ov[6];
        cur.end = ov[1];
        /* An e-mail combo (scan_combo's), or host:login:password. */
        cur.counted = memchr(r->text + cur.id, '@', cur.idn) != NULL;
        if (!cur.counted && memchr(r->text + cur.id, '.', cur.idn)) {
            ulp = ulp_line(r, ov[0], ov[1] - ov[0]);
            if (ulp < 0)
                return;
            cur.counted = ulp > 0;
        }
        joined = cur.counted ||
                 cred_userpass(r->text + cur.id, cur.idn, r->text + cur.pw,
                               cur.pwn, r->text[ov[4]]);
        if (!joined) { /* not a list line: the list ends */
            if (!flush_short(r, pend, npend))
                return;
            npend = run = 0;
            continue;
        }
        joined = run > 0 && r->text[ov[4]] == sep;
        for (i = last; joined && i < ov[0]; i++)
            joined = strchr(" \t\r\n", r->text[i]) != NULL;
        if (!joined) {
            if (!flush_short(r, pend, npend))
                return;
            npend = run = 0;
            sep = r->text[ov[4]];
        }
        run++;
        last = cur.end;
        if (run < USERPASS_RUN) {
            pend[npend++] = cur;
            continue;
        }
        if (run == USERPASS_RUN) {
            i = pend[0].line > CRED_CONTEXT ? pend[0].line - CRED_CONTEXT : 0;
            listed = sep != '\t' ||
                     cred_combo_context(r->text + i, pend[0].line - i);
        }
        if (!listed) {
            npend = 0;
            continue;
        }
        for (i = 0; i < npend; i++)
            if (!emit_userpass(r, &pend[i], 60))
                return;
        npend = 0;
        if (!emit_userpass(r, &cur, 60))
            return;
    }
    flush_short(r, pend, npend);
}

/* Every credential form, e-mail combos first; the password spans are in
   order after each. */
static void
scan_credentials(struct run *r)
{
    scan_combo(r);
    sort_spans(r);
    scan_userinfo(r);
    sort_spans(r);
    scan_labelled(r);
    sort_spans(r);
    scan_ulp(r);
    sort_spans(r);
    scan_userpass(r);
    sort_spans(r);
}

/*
 * The rules of rules[] that are (or are not) sensitive; a sensitive
 * finding's span joins the password spans and vetoes later scans.
 */
static void
scan_rules(struct run *r, bool sensitive)
{
    const struct rule *rl;
    struct verdict v;
    size_t i, start, before;
    PCRE2_SIZE *ov;

    for (i = 0; i < NRULES && !r->full; i++) {
        rl = &rules[i];
        if (rl->sensitive != sensitive)
            continue;
        start = 0;
        while (next_match(r, r->x->rule_re[i], &start, &ov)) {
            memset(&v, 0, sizeof(v));
            v.off = ov[0];
            v.len = ov[1] - ov[0];
            if (!rl->check(rl, r->text, r->len, ov, &v))
                continue;
            before = r->n;
            if (!add(r, rl->kind, v.value, v.off, v.len, v.confidence,
                     rl->kind == FIND_EMAIL
                         ? watched_term(r->x, strchr(v.value, '@') + 1)
                     : rl->kind == FIND_DOMAIN ? watched_term(r->x, v.value)
                                               : -1)) {
                x_free(v.unicode);
                break;
            }
            if (rl->sensitive && r->n > before)
                add_span(r, v.off, v.len);
            set_unicode(r, before, v.unicode);
        }
        sort_spans(r);
    }
}

static void
scan_brand(struct run *r)
{
    const struct extractor *x = r->x;
    struct term_match *v = NULL;
    size_t n = 0, i, t, before;

    if (x->brand == NULL)
        return;
    /* The terms' hits came with the prefilter's pass, or a pass of their
       own finds them. */
    if ((r->terms != NULL
             ? termset_hits_end(r->terms, &v, &n)
             : termset_match_masked(x->brand, r->text, r->len, r->leet, &v,
                                    &n, EXTRACT_MAX_FINDINGS)) < 0)
        r->full = true;
    r->terms = NULL;
    for (i = 0; i < n; i++) {
        t = v[i].term;
        before = r->n;
        if (!add_copy(r, FIND_BRAND, x->brand_value[t],
                      strlen(x->brand_value[t]), false, v[i].off, v[i].len,
                      x->brand_conf[t], x->brand_term[t]))
            break;
        if (r->n > before)
            r->items[r->n - 1].f.variant = v[i].variant;
    }
    x_free(v);
}

/* 0.0.0.0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, 224+. */
static bool
ipv4_special(const unsigned int o[4])
{
    return o[0] == 0 || o[0] == 10 || o[0] == 127 || o[0] >= 224 ||
           (o[0] == 169 && o[1] == 254) ||
           (o[0] == 172 && o[1] >= 16 && o[1] <= 31) ||
           (o[0] == 192 && o[1] == 168);
}

/* "a.b.c.d" from four octets (0-255) in buf, without printf's cost:
   its length. */
static size_t
ipv4_str(const unsigned int o[4], char buf[16])
{
    char *p = buf;
    size_t i;

    for (i = 0; i < 4; i++) {
        if (o[i] >= 100)
            *p++ = (char)('0' + o[i] / 100);
        if (o[i] >= 10)
            *p++ = (char)('0' + o[i] / 10 % 10);
        *p++ = (char)('0' + o[i] % 10);
        if (i < 3)
            *p++ = '.';
    }
    return (size_t)(p - buf);
}

/*
 * Whether the dotted quad t[lo..hi) is a version number, as ChangeLogs,
 * package lists and specs write them: glued to a name ("gettext-0.19.8.1",
 * "section-4.2.2.2"), with a package revision after it ("(3.6.11.1-2)",
 * "1.0.24.2-5ubuntu1", "2.1.0.3~rc1", "1.2.3.4+dfsg"), or after a word
 * such as "version" or "release" ("Version 4.3.0.1"). An address range
 * ("10.0.0.1-254", "10.0.0.1-10.0.0.9") is none of these.
 */
static bool
ipv4_version(const char *t, size_t len, size_t lo, size_t hi)
{
    /* Not "build": "stealer build 185.x.x.x" is a panel's address. */
    static const char *const words[] = { "chapter", "firmware", "release",
                                         "rev",     "revision", "section",
                                         "ver",     "version" };
    char w[10];
    size_t i, k, n;

    if (lo >= 2 && (t[lo - 1] == '-' || t[lo - 1] == '_') &&
        ascii_isalpha(t[lo - 2]))
        return true;
    if (hi + 1 < len && (t[hi] == '~' ||
                         (t[hi] == '+' && ascii_isalpha(t[hi + 1]))))
        return true;
    if (hi + 1 < len && t[hi] == '-') {
        for (k = hi + 1; k < len && k - hi <= 3 && ascii_isdigit(t[k]); k++)
            ;
        if (k > hi + 1 && k - hi <= 3 && k < len &&
            (t[k] == ')' || ascii_isalpha(t[k])))
            return true;
    }
    /* The word before, past a blank or ':' or both ("Version: "). */
    for (i = lo, k = 0; k < 2 && i > 0 &&
                        (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == ':');
         k++)
        i--;
    for (n = 0; n < sizeof(w) && i > n && ascii_isalpha(t[i - n - 1]); n++)
        ;
    if (n == 0 || n == sizeof(w) || (i > n && word_byte(t[i - n - 1])))
        return false;
    for (k = 0; k < n; k++)
        w[k] = ascii_lower(t[i - n + k]);
    return SPAN_IN(((struct span){ w, n }), words);
}

static void
scan_ipv4(struct run *r)
{
    size_t start = 0, i, j;
    unsigned int o[4];
    PCRE2_SIZE *ov;
    char ip[16];
    bool valid;

    while (next_match(r, r->x->re[PAT_IPV4], &start, &ov)) {
        valid = true;
        for (i = 0; i < 4; i++) {
            o[i] = 0;
            for (j = ov[2 * i + 2]; j < ov[2 * i + 3]; j++)
                o[i] = o[i] * 10 + (unsigned)(r->text[j] - '0');
            if (o[i] > 255)
                valid = false;
        }
        if (!valid || ipv4_version(r->text, r->len, ov[0], ov[1]))
            continue;
        /* "4.3.2.1.in-addr.arpa", a PTR name, holds 1.2.3.4 reversed. */
        if (r->len - ov[1] >= 13 &&
            strncasecmp(r->text + ov[1], ".in-addr.arpa", 13) == 0) {
            unsigned int a = o[0], b = o[1];

            o[0] = o[3];
            o[1] = o[2];
            o[2] = b;
            o[3] = a;
        }
        /* "1.2.3[.]4": marked as an indicator by whoever wrote it. */
        if (!add_copy(r, FIND_IPV4, ip, ipv4_str(o, ip), false, ov[0],
                      ov[1] - ov[0],
                      ipv4_special(o)                             ? 50
                      : defanged(r->text + ov[0], ov[1] - ov[0]) ? 90
                                                                  : 80,
                      -1))
            return;
    }
}

/*
 * Where an ASCII name next to Unicode letters starts, or SIZE_MAX to drop
 * it: the IDN rule has the whole name. After a Unicode letter the match
 * began inside a label ("cher.de" in "bücher.de"); what follows that label
 * is a name of its own when it is more than a public suffix
 * ("example.com" in "bücher.example.com", not "com.ru" in "пример.com.ru").
 * Followed by a dot and a lower-case Unicode letter, the name goes on
 * ("example.com.рф"); an upper-case one starts a sentence.
 */
static size_t
ascii_name_start(const struct run *r, const PCRE2_SIZE *ov)
{
    const char *t = r->text;
    size_t off = ov[0];
    bool upper = true;
    char *v;
    bool suffix;

    if (unicode_word_at(t, r->len, ov[1] + 1, &upper) && t[ov[1]] == '.' &&
        !upper)
        return SIZE_MAX;
    if (unicode_word_before(t, off)) {
        while (off < ov[2] && (ascii_isalpha(t[off]) || ascii_isdigit(t[off]) ||
                               t[off] == '-'))
            off++;
        /* Past the dot: ".", or up to the end of "[.]", "(dot)", ... */
        while (off < ov[2] && t[off] != '.' && t[off] != ']' &&
               t[off] != ')' && t[off] != '}')
            off++;
        if (off < ov[2] && t[off] == '.' && off > 0 &&
            (t[off - 1] == '[' || t[off - 1] == '(' || t[off - 1] == '{'))
            off++;
        off++;
    } else if (!(off > 1 && t[off - 1] == '.' &&
                 unicode_word_before(t, off - 1))) {
        return off;
    }
    if (off >= ov[2])
        return SIZE_MAX;
    v = refang(t + off, ov[1] - off);
    lower_str(v);
    suffix = psl_is_public_suffix2(psl_builtin(), v, PSL_TYPE_ANY) != 0;
    x_free(v);
    return suffix ? SIZE_MAX : off;
}

static void
scan_domain(struct run *r)
{
    size_t start = 0, n, off, before, vn;
    char tld[25], stack[DOMAIN_STACK];
    PCRE2_SIZE *ov;
    char *v, *heap, *a, *unicode;
    bool more, bracket;

    while (next_match(r, r->x->re[PAT_DOMAIN], &start, &ov)) {
        n = ov[3] - ov[2];
        if (n >= sizeof(tld))
            continue;
        memcpy(tld, r->text + ov[2], n);
        tld[n] = '\0';
        lower_str(tld);
        if (!domain_tld(tld))
            continue;
        /* "logging.info(...)", "os.path.exists(": a call in code. */
        if (ov[1] < r->len && r->text[ov[1]] == '(')
            continue;
        off = ov[0];
        if ((ov[1] < r->len && (unsigned char)r->text[ov[1]] >= 0x80) ||
            (off > 0 && (unsigned char)r->text[off - 1] >= 0x80) ||
            (ov[1] + 1 < r->len && r->text[ov[1]] == '.') ||
            (off > 1 && r->text[off - 1] == '.'))
            off = ascii_name_start(r, ov);
        if (off == SIZE_MAX || path_element(r->text, off))
            continue;
        /* "android://<hash>@com.example.app/": a package name, its
           credential's domain reversed (ulp_line()). */
        if (off > 0 && r->text[off - 1] == '@' &&
            cred_android_at(r->text, off - 1))
            continue;
        /* The value is made on the stack and copied once into the
           findings' strings (add_copy()): no malloc() and free() a
           domain. */
        n = ov[1] - off;
        heap = n < sizeof(stack) ? NULL : xmalloc(n + 1);
        v = heap != NULL ? heap : stack;
        /* Nearly no name has a bracket: one look for refang_to() and
           defanged() both. */
        bracket = has_bracket(r->text + off, n);
        if (!bracket && code_name(r->text, off, n, ov[3] - ov[2])) {
            x_free(heap);
            continue;
        }
        if (bracket) {
            vn = refang_to(v, r->text + off, n);
        } else {
            memcpy(v, r->text + off, n);
            v[n] = '\0';
            vn = n;
        }
        lower_str(v);
        if (source_file(v, vn)) {
            x_free(heap);
            continue;
        }
        a = unicode = NULL;
        if (idn_applies(v, vn)) {
            /* "xn--" labels: valid IDN ("xn--zz.com" is not). */
            a = idn_to_ascii(v, vn, &unicode);
            if (a == NULL) {
                x_free(heap);
                continue;
            }
            v = a;
            vn = strlen(a);
        }
        more = true;
        before = r->n;
        if (vn <= MAX_DOMAIN)
            more = add_copy(r, FIND_DOMAIN, v, vn, false, off, n,
                            bracket && defanged(r->text + off, n) ? 85
                                                                  : 70,
                            watched_term(r->x, v));
        x_free(a);
        x_free(heap);
        if (!more) {
            x_free(unicode);
            return;
        }
        set_unicode(r, before, unicode);
    }
}

/*
 * The host of the URL s[0..n) (which starts with its scheme): its first
 * byte, and in *hi the byte after it (its port, path, query, fragment or
 * n). The separator is "://", "[:]//" or "[://]" (re_url).
 */
static size_t
url_host(const char *s, size_t n, size_t *hi)
{
    const char *sep = find_short(s, n < 16 ? n : 16, "//", 2);
    size_t lo = sep ? (size_t)(sep - s) + 2 : n;

    if (lo < n && s[lo] == ']')
        lo++;
    for (*hi = lo; *hi < n && s[*hi] != '/' && s[*hi] != '?' &&
                   s[*hi] != '#';
         (*hi)++)
        ;
    return lo;
}

/* Where a URL written in HTML source or in CJK text ends: at an escaped
   quote or bracket (href=&quot;...&quot;), or at a full-width or CJK
   character (no blank separates them in Chinese or Japanese text), unless
   it is part of a Unicode label of the host ("例え" in "http://例え.jp/",
   but not "解锁" in "http://example.com解锁"). *host_end: url_host()'s. */
static size_t
url_cut(const char *s, size_t n, size_t *host_end)
{
    static const char *const ends[] = { "&quot;", "&gt;", "&lt;", "&#34;",
                                        "&#39;", "&apos;" };
    size_t i, k, e, host;
    ucs4_t uc;
    int w;

    host = url_host(s, n, host_end);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '&') {
            for (e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
                k = strlen(ends[e]);
                if (n - i >= k && memcmp(s + i, ends[e], k) == 0)
                    return i;
            }
        } else if (c >= 0x80) {
            w = u8_mbtouc(&uc, (const uint8_t *)s + i, n - i);
            if ((uc_is_property_ideographic(uc) ||
                 (uc >= 0x3000 && uc <= 0x30ff) ||
                 (uc >= 0xff00 && uc <= 0xffef)) &&
                !(i >= host && i < *host_end && unicode_word(uc) &&
                  !ascii_isalpha(s[i - 1]) && !ascii_isdigit(s[i - 1])))
                return i;
            if (w > 1)
                i += (size_t)w - 1;
        }
    }
    return n;
}

/*
 * Trailing punctuation that ends a sentence, not a URL ("»", "…" too).
 * *host_end: where the host of the URL as trimmed ends (url_host() of
 * s[0..returned), which is url_host() of s[0..n) cut at the new end).
 */
static size_t
url_trim(const char *s, size_t n, size_t *host_end)
{
    const uint8_t *u = (const uint8_t *)s, *prev;
    size_t i, open, close;
    char c, o;
    ucs4_t uc;

    n = url_cut(s, n, host_end);
    while (n > 0) {
        c = s[n - 1];
        if (strchr(".,;:!?'\"", c) != NULL) {
            n--;
            continue;
        }
        if ((unsigned char)c >= 0x80) {
            prev = u8_prev(&uc, u + n, u);
            if (prev == NULL ||
                !uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_P))
                break;
            n = (size_t)(prev - u);
            continue;
        }
        if (c != ')' && c != ']' && c != '}')
            break;
        o = c == ')' ? '(' : c == ']' ? '[' : '{';
        open = close = 0;
        for (i = 0; i < n; i++) {
            if (s[i] == o)
                open++;
            else if (s[i] == c)
                close++;
        }
        if (close <= open)
            break; /* balanced: part of the URL */
        n--;
    }
    if (*host_end > n)
        *host_end = n;
    return n;
}

/*
 * Whether the URL s[0..n) was defanged on purpose: its scheme ("hxxp",
 * "h**p", "fxp"), its separator ("[:]", "[://]") or a dot of its host
 * ("[.]", "(.)", "[dot]", ...). Defangers defang every dot, path
 * included (CyberChef writes "hxxps[://]x[.]com/a[.]php"), so such a URL
 * is refanged throughout; any other one is kept as written. host_end is
 * where its host ends (url_trim()'s).
 */
static bool
url_defanged(const char *s, size_t n, size_t host_end)
{
    if (n >= 3 && (ascii_lower(s[1]) == 'x' || s[1] == '*'))
        return true;
    return defanged(s, host_end);
}

static void
scan_url(struct run *r)
{
    size_t start = 0, n, host_end;
    PCRE2_SIZE *ov;
    const char *p;
    char stack[DOMAIN_STACK], *v, *w, *heap, *norm;
    bool df;

    while (next_match(r, r->x->re[PAT_URL], &start, &ov)) {
        n = url_trim(r->text + ov[0], ov[1] - ov[0], &host_end);
        df = url_defanged(r->text + ov[0], n, host_end);
        /* On the stack but for long URLs: curl's normal form is the
           finding's, this copy only its input. */
        heap = n < sizeof(stack) ? NULL : xmalloc(n + 1);
        v = heap != NULL ? heap : stack;
        if (df) {
            refang_to(v, r->text + ov[0], n);
        } else {
            memcpy(v, r->text + ov[0], n);
            v[n] = '\0';
        }
        p = strstr(v, "://");
        if (p == NULL || p[3] == '\0' || strchr("/?#", p[3]) != NULL) {
            x_free(heap);
            continue;
        }
        /* Scheme: lowercase, hxxp and h**p -> http, fxp -> ftp. */
        for (w = v; w < p; w++)
            *w = ascii_lower(*w);
        if (v[0] == 'h') {
            v[1] = 't';
            v[2] = 't';
        } else if (v[0] == 'f') {
            v[1] = 't';
        }
        /* curl's normal form; a URL curl refuses is none. */
        norm = url_normalise(NULL, v, URLNORM_FTP | URLNORM_FRAGMENT);
        x_free(heap);
        if (norm == NULL)
            continue;
        if (!add(r, FIND_URL, norm, ov[0], n, df ? 95 : 85, -1))
            return;
    }
}

static void
scan_hex(struct run *r)
{
    size_t start = 0, n;
    enum finding_kind kind;
    PCRE2_SIZE *ov;

    while (next_match(r, r->x->re[PAT_HEX], &start, &ov)) {
        n = ov[1] - ov[0];
        if (n == 32)
            kind = FIND_MD5;
        else if (n == 40)
            kind = FIND_SHA1;
        else if (n == 64)
            kind = FIND_SHA256;
        else if (n == 128)
            kind = FIND_SHA512;
        else
            continue;
        if (!add_copy(r, kind, r->text + ov[0], n, true, ov[0], n,
                      all_digits(r->text + ov[0], n) ? 40 : 80, -1))
            return;
    }
}

/* A finding's place in the sort: its offset and its item. */
struct item_key {
    size_t off, i;
};

#define SORT_BITS 11 /* bits of the offset sorted per pass */
#define SORT_BUCKETS (1u << SORT_BITS)

/*
 * The items in text order, ties in the order found: a least-significant
 * digit radix sort of the offsets, SORT_BITS at a time (two passes for a
 * block of a few MB), each pass stable. A bottom-up merge of the runs
 * each scan leaves in order took some 125 instructions an item; this
 * takes about a fifth. Fills ix with the indices.
 */
static void
sort_items(const struct run *r, size_t *ix)
{
    struct item_key *a, *b, *t;
    size_t *count, i, d, sum, c, max = 0;
    unsigned int shift;
    bool sorted = true;

    if (r->n == 0)
        return;
    a = xreallocarray(NULL, r->n, sizeof(*a));
    for (i = 0; i < r->n; i++) {
        a[i].off = r->items[i].f.offset;
        a[i].i = i;
        if (a[i].off > max)
            max = a[i].off;
        if (i > 0 && a[i].off < a[i - 1].off)
            sorted = false;
    }
    if (!sorted) {
        b = xreallocarray(NULL, r->n, sizeof(*b));
        count = xreallocarray(NULL, SORT_BUCKETS, sizeof(*count));
        for (shift = 0; shift < sizeof(max) * 8 && (max >> shift) != 0;
             shift += SORT_BITS) {
            memset(count, 0, SORT_BUCKETS * sizeof(*count));
            for (i = 0; i < r->n; i++)
                count[(a[i].off >> shift) & (SORT_BUCKETS - 1)]++;
            for (d = 0, sum = 0; d < SORT_BUCKETS; d++) {
                c = count[d];
                count[d] = sum;
                sum += c;
            }
            for (i = 0; i < r->n; i++)
                b[count[(a[i].off >> shift) & (SORT_BUCKETS - 1)]++] = a[i];
            t = a;
            a = b;
            b = t;
        }
        x_free(b);
        x_free(count);
    }
    for (i = 0; i < r->n; i++)
        ix[i] = a[i].i;
    x_free(a);
}

/* Appends [lo, hi) to c, merged with the last range when they touch. */
static void
add_range(struct lines *c, size_t lo, size_t hi)
{
    if (c->n > 0 && lo < c->v[c->n - 1][0])
        c->unsorted = true;
    else if (c->n > 0 && c->v[c->n - 1][1] >= lo) {
        if (hi > c->v[c->n - 1][1]) {
            c->bytes += hi - c->v[c->n - 1][1];
            c->v[c->n - 1][1] = hi;
        }
        return;
    }
    c->bytes += hi - lo;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
    }
    c->v[c->n][0] = lo;
    c->v[c->n][1] = hi;
    c->n++;
}

/* A prefilter hit of slot id ending at to: its blank-free run (token
   slots), a window around it (bounded slots), or its line and the one
   before (a "\r\n" or a match starting on the line before; a generic
   secret's line only) become candidates. */
static int
on_candidate(unsigned int id, unsigned long long from,
             unsigned long long to, unsigned int flags, void *arg)
{
    struct run *r = arg;
    struct lines *c;
    const char *t = r->text, *nl;
    size_t lo, hi, floor, last = to > 0 ? (size_t)to - 1 : 0;

    (void)from;
    (void)flags;
    if (id >= TERM_BASE) {
        termset_hit(r->terms, id - (unsigned)TERM_BASE, from, to);
        return 0;
    }
    if (id >= NSLOTS) {
        context_hit(&r->words, t, r->len, id - (unsigned)NSLOTS, (size_t)to);
        return 0;
    }
    c = &r->cand[id];
    if (c->n > 0 && c->v[c->n - 1][1] > last && r->x->window[id][1] == 0)
        return 0; /* inside the range already recorded (its token or its
                     line; a window reaches further: add_range extends) */
    if (r->x->token[id]) {
        /* The blank-free run around the hit; the walk back stops where
           the previous range ends, so each byte is walked once. */
        floor = c->n > 0 ? c->v[c->n - 1][1] : 0;
        for (lo = last; lo > floor && !ascii_isspace(t[lo - 1]); lo--)
            ;
        for (hi = last + 1; hi < r->len && !ascii_isspace(t[hi]); hi++)
            ;
        goto record;
    }
    if (r->x->window[id][1] > 0) {
        /* Two more bytes after for the patterns' lookaheads. */
        lo = last > r->x->window[id][0] ? last - r->x->window[id][0] : 0;
        hi = r->len - last > r->x->window[id][1] + 2
                 ? last + r->x->window[id][1] + 2
                 : r->len;
        goto record;
    }
    nl = last > 0 ? memrchr(t, '\n', last) : NULL;
    /* A generic secret's match holds no line end (nor '\r'): its own
       line is enough, and pcre2 then tries half the starts. */
    if (nl != NULL && nl > t && id != r->x->secret_slot)
        nl = memrchr(t, '\n', (size_t)(nl - t));
    lo = nl ? (size_t)(nl - t) + 1 : 0;
    nl = memchr(t + last, '\n', r->len - last);
    hi = nl ? (size_t)(nl - t) + 1 : r->len;
record:
    add_range(c, lo, hi);
    return 0;
}

/*
 * The blank-free run around text[at] as a candidate of slot (a token
 * slot), unless it ends at or before *done, the end of the last one
 * mask_hits() recorded for the slot; the walk back stops there too.
 */
static void
add_token(struct run *r, size_t slot, size_t *done, size_t at)
{
    const unsigned char *t = (const unsigned char *)r->text;
    size_t lo, hi;

    if (at < *done)
        return;
    for (lo = at; lo > *done && !ascii_isspace(t[lo - 1]); lo--)
        ;
    for (hi = at + 1; hi < r->len && !ascii_isspace(t[hi]); hi++)
        ;
    add_range(&r->cand[slot], lo, hi);
    *done = hi;
}

/*
 * Like add_token(), but the candidate is only the run around text[at] of
 * the bytes a match and its lookarounds are made of (letters, digits,
 * '_', '.', and '-' when dash): pcre2 then skips the rest of a long token
 * ("https://", a path, the local part of an e-mail address). Next to a
 * bracket, where a defanged dot may go on ("evil[.]example.com"), the
 * whole token as before.
 */
static bool
bracket(unsigned char c)
{
    return c == '[' || c == ']' || c == '(' || c == ')' || c == '{' || c == '}';
}

/* The bytes of add_run()'s runs, a load and a test a byte (the four
   tests of each cost twice that): RUN_WORD for letters, digits, '_' and
   '.', RUN_DASH for '-'. */
enum { RUN_WORD = 1, RUN_DASH = 2 };
static const unsigned char run_byte[256] = {
    ['0' ... '9'] = RUN_WORD, ['A' ... 'Z'] = RUN_WORD,
    ['a' ... 'z'] = RUN_WORD, ['_'] = RUN_WORD,
    ['.'] = RUN_WORD,         ['-'] = RUN_DASH,
};

static void
add_run(struct run *r, size_t slot, size_t *done, size_t at, bool dash)
{
    const unsigned char *t = (const unsigned char *)r->text;
    unsigned want = dash ? RUN_WORD | RUN_DASH : RUN_WORD;
    size_t lo, hi;

    if (at < *done)
        return;
    for (lo = at; lo > *done && (run_byte[t[lo - 1]] & want); lo--)
        ;
    for (hi = at + 1; hi < r->len && (run_byte[t[hi]] & want); hi++)
        ;
    if ((lo > 0 && bracket(t[lo - 1])) || (hi < r->len && bracket(t[hi]))) {
        add_token(r, slot, done, at);
        return;
    }
    add_range(&r->cand[slot], lo, hi);
    *done = hi;
}

/*
 * Byte classes of 64 bytes of text at a time, as bit masks (bit i for
 * text[base + i]; bytes past the text are in no class): what mask_hits()
 * looks for. SSE2 where there is one, 16 bytes a compare; the loops these
 * replaced looked at every 4th and 13th byte and walked out from each,
 * and cost a tenth of the scan.
 */
struct masks {
    uint64_t alnum; /* ASCII letters and digits */
    uint64_t digit;
    uint64_t sep;    /* ' ' and '-', a card number's group separators */
    uint64_t nl;     /* '\n' */
    uint64_t cr;     /* '\r' */
    uint64_t alpha;  /* ASCII letters */
    uint64_t xdigit; /* hex digits */
    uint64_t dot;    /* '.' */
    uint64_t colon;  /* ':' */
    uint64_t at;     /* '@' */
    uint64_t eq;     /* '=' and 0x9a, the last byte of "\xef\xbc\x9a" */
    uint64_t word;   /* no blank: not ' ', '\t', '\n', '\v', '\f', '\r' */
    uint64_t high;   /* bytes >= 0x80 */
};

#ifdef MASKS_AVX2
/* 32 copies of byte c, a constant in memory: as operands of the
   compares they cost no instruction of their own, where
   _mm256_set1_epi8() built most of them again in each block. */
typedef char v32qi __attribute__((vector_size(32)));
#define SPLAT4(c) (char)(c), (char)(c), (char)(c), (char)(c)
#define SPLAT(c)                                                               \
    (const v32qi)                                                              \
    {                                                                          \
        SPLAT4(c), SPLAT4(c), SPLAT4(c), SPLAT4(c), SPLAT4(c), SPLAT4(c),      \
            SPLAT4(c), SPLAT4(c)                                               \
    }
enum {
    K_SPACE,
    K_DASH,
    K_NL,
    K_CR,
    K_DOT,
    K_COLON,
    K_AT,
    K_EQ,
    K_FW_COLON,
    K_CAPITAL_I,
    K_NIBBLE,
    K_DIGIT_TO_MIN,
    K_ALPHA_TO_MIN,
    K_BLANK_TO_MIN,
    K_DIGIT_END,
    K_ALPHA_END,
    K_XALPHA_END,
    K_BLANK_END,
    K_COUNT
};
/* A range lo..hi by one signed compare: the byte plus 0x80 - lo (mod
   256, K_*_TO_MIN) is below 0x80 + (hi - lo + 1) (K_*_END) only there.
   Small letters after | 0x20, which makes no other byte one. */
static const v32qi masks_k[K_COUNT] __attribute__((aligned(32))) = {
    [K_SPACE] = SPLAT(' '),
    [K_DASH] = SPLAT('-'),
    [K_NL] = SPLAT('\n'),
    [K_CR] = SPLAT('\r'),
    [K_DOT] = SPLAT('.'),
    [K_COLON] = SPLAT(':'),
    [K_AT] = SPLAT('@'),
    [K_EQ] = SPLAT('='),
    [K_FW_COLON] = SPLAT(0x9a),
    [K_CAPITAL_I] = SPLAT('I'),
    [K_NIBBLE] = SPLAT(0x0f),
    [K_DIGIT_TO_MIN] = SPLAT(0x80 - '0'),
    [K_ALPHA_TO_MIN] = SPLAT(0x80 - 'a'),
    [K_BLANK_TO_MIN] = SPLAT(0x80 - '\t'),
    [K_DIGIT_END] = SPLAT(0x80 + 10),
    [K_ALPHA_END] = SPLAT(0x80 + 26),
    [K_XALPHA_END] = SPLAT(0x80 + 6),
    [K_BLANK_END] = SPLAT(0x80 + 5), /* '\t' to '\r' (9 to 13) */
};
#undef SPLAT
#undef SPLAT4

#define K(i) _mm256_load_si256((const __m256i *)(const void *)&k[i])
#define EQ(v, i) _mm256_cmpeq_epi8(v, K(i))
#define BELOW(v, i) _mm256_cmpgt_epi8(K(i), v)
#define DIGIT(v) BELOW(_mm256_add_epi8(v, K(K_DIGIT_TO_MIN)), K_DIGIT_END)
#define SMALL(v)                                                               \
    _mm256_add_epi8(_mm256_or_si256(v, K(K_SPACE)), K(K_ALPHA_TO_MIN))
#define EQUALS(v) _mm256_or_si256(EQ(v, K_EQ), EQ(v, K_FW_COLON))
/* '\t' to '\r', the blanks but the space */
#define BLANK_CTRL(v) BELOW(_mm256_add_epi8(v, K(K_BLANK_TO_MIN)), K_BLANK_END)
/* Leet signs (digits and @ $ | ! +) by their two nibbles: bit 0 0x21
   0x24 0x2b, bit 1 0x30-0x39, bit 2 0x40, bit 3 0x7c. */
#define SIGN(v)                                                                \
    _mm256_cmpgt_epi8(                                                         \
        _mm256_and_si256(                                                      \
            _mm256_shuffle_epi8(_mm256_setr_epi8(6, 3, 2, 2, 3, 2, 2, 2, 2, 2, \
                                                 0, 1, 8, 0, 0, 0, 6, 3, 2, 2, \
                                                 3, 2, 2, 2, 2, 2, 0, 1, 8, 0, \
                                                 0, 0),                        \
                                _mm256_and_si256(v, K(K_NIBBLE))),             \
            _mm256_shuffle_epi8(                                               \
                _mm256_setr_epi8(0, 0, 1, 2, 4, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0,  \
                                 0, 0, 0, 1, 2, 4, 0, 0, 8, 0, 0, 0, 0, 0, 0,  \
                                 0, 0),                                        \
                _mm256_and_si256(_mm256_srli_epi16(v, 4), K(K_NIBBLE)))),      \
        _mm256_setzero_si256())
/* A letter with bit 5 set is a small one. */
#define BIT5(v) _mm256_slli_epi16(v, 2)
#define HIGH(v) (v)

/*
 * The masks of 64 bytes at p with AVX2, 32 bytes a compare, each class
 * of both halves joined at once (whole arrays of classes of each half
 * were spilled and joined after); and when lm is not NULL, the watch
 * terms' leet masks of the same bytes: their own pass classified every
 * byte again.
 */
__attribute__((target("avx2"), always_inline)) static inline void
masks_avx2(const unsigned char *p, struct masks *m, struct leet_masks *lm,
           const v32qi *k)
{
    const __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    const __m256i x1 =
        _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    /* Small letters and spaces of each half made once: gcc made them
       again for each class that uses them. */
    const __m256i s0 = SMALL(x0), s1 = SMALL(x1);
    const __m256i sp0 = EQ(x0, K_SPACE), sp1 = EQ(x1, K_SPACE);
    uint64_t sign, ci, alpha;

#define JOIN(a, b)                                                             \
    ((uint64_t)(uint32_t)_mm256_movemask_epi8(a) |                             \
     (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32)
#define BOTH(f) JOIN(f(x0), f(x1))
/* A class only stored: each half's movemask into its half of the field
   (x86 is little-endian), not joined by a shift and an OR first. */
#define HALVES(field, a, b)                                                    \
    do {                                                                       \
        uint32_t h_ = (uint32_t)_mm256_movemask_epi8(a);                       \
        memcpy((char *)&(field), &h_, 4);                                      \
        h_ = (uint32_t)_mm256_movemask_epi8(b);                                \
        memcpy((char *)&(field) + 4, &h_, 4);                                  \
    } while (0)
#define STORE(field, f) HALVES(field, f(x0), f(x1))
#define NL(v) EQ(v, K_NL)
#define CR(v) EQ(v, K_CR)
#define DOT(v) EQ(v, K_DOT)
#define COLON(v) EQ(v, K_COLON)
#define AT(v) EQ(v, K_AT)
#define CAPITAL_I(v) EQ(v, K_CAPITAL_I)
    /* The leet masks first: stores before the call, the compiler kept
       the masks in registers, spilled, across it. */
    alpha = JOIN(BELOW(s0, K_ALPHA_END), BELOW(s1, K_ALPHA_END));
    if (lm != NULL) {
        sign = BOTH(SIGN);
        ci = BOTH(CAPITAL_I);
        lm->high = BOTH(HIGH);
        lm->word = 0;
        lm->hits = (sign | ci) == 0
                       ? 0 /* most blocks of prose */
                       : termset_leet_hits(sign, alpha, alpha & BOTH(BIT5), ci,
                                           &lm->word);
    }
    m->digit = BOTH(DIGIT);
    m->alpha = alpha;
    m->alnum = m->digit | alpha;
    m->xdigit =
        m->digit | JOIN(BELOW(s0, K_XALPHA_END), BELOW(s1, K_XALPHA_END));
    HALVES(m->sep, _mm256_or_si256(sp0, EQ(x0, K_DASH)),
           _mm256_or_si256(sp1, EQ(x1, K_DASH)));
    STORE(m->nl, NL);
    STORE(m->cr, CR);
    STORE(m->dot, DOT);
    STORE(m->colon, COLON);
    STORE(m->at, AT);
    STORE(m->eq, EQUALS);
    m->word = ~JOIN(_mm256_or_si256(sp0, BLANK_CTRL(x0)),
                    _mm256_or_si256(sp1, BLANK_CTRL(x1)));
    m->high = BOTH(HIGH);
#undef JOIN
#undef BOTH
#undef HALVES
#undef STORE
#undef NL
#undef CR
#undef DOT
#undef COLON
#undef AT
#undef CAPITAL_I
}
#undef K
#undef EQ
#undef BELOW
#undef DIGIT
#undef SMALL
#undef EQUALS
#undef BLANK_CTRL
#undef SIGN
#undef BIT5
#undef HIGH
#endif

/* The leet masks of t[0..n), n < 64, as masks_avx2() makes them. */
static void
leet_tail(const unsigned char *t, size_t n, struct leet_masks *lm)
{
    uint64_t sign = 0, letter = 0, small = 0, ci = 0, high = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = t[i];

        if (ascii_isdigit(c) || c == '@' || c == '$' || c == '|' || c == '!' ||
            c == '+')
            sign |= UINT64_C(1) << i;
        if (ascii_isalpha(c))
            letter |= UINT64_C(1) << i;
        if (c >= 'a' && c <= 'z')
            small |= UINT64_C(1) << i;
        if (c == 'I')
            ci |= UINT64_C(1) << i;
        if (c >= 0x80)
            high |= UINT64_C(1) << i;
    }
    lm->high = high;
    lm->hits = termset_leet_hits(sign, letter, small, ci, &lm->word) &
               ((UINT64_C(1) << n) - 1);
}

/* The masks of t[base..base + 64) (fewer at the text's end), and its
   leet masks into *lm when lm is not NULL (AVX2 only), but for a whole
   block with AVX2 (masks_avx2()). */
static void
masks_slow(const unsigned char *t, size_t len, size_t base,
           struct masks *m, struct leet_masks *lm)
{
    size_t n = base < len ? len - base : 0, i;

    if (n > 64)
        n = 64;
#ifdef MASKS_AVX2
    if (lm != NULL && n > 0)
        leet_tail(t + base, n, lm);
#else
    (void)lm;
#endif
    memset(m, 0, sizeof(*m));
#ifdef __SSE2__
    if (n == 64) {
        for (i = 0; i < 64; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(t + base + i));
            __m128i lv = _mm_or_si128(v, _mm_set1_epi8(0x20));
            /* Signed compares: bytes >= 0x80 are negative, in no class. */
            __m128i d =
                _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                              _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), v));
            __m128i a =
                _mm_and_si128(_mm_cmpgt_epi8(lv, _mm_set1_epi8('a' - 1)),
                              _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lv));
            __m128i h =
                _mm_and_si128(_mm_cmpgt_epi8(lv, _mm_set1_epi8('a' - 1)),
                              _mm_cmpgt_epi8(_mm_set1_epi8('f' + 1), lv));
            __m128i s = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));

            m->digit |= (uint64_t)(uint16_t)_mm_movemask_epi8(d) << i;
            m->alpha |= (uint64_t)(uint16_t)_mm_movemask_epi8(a) << i;
            m->xdigit |= (uint64_t)(uint16_t)_mm_movemask_epi8(h) << i;
            m->sep |= (uint64_t)(uint16_t)_mm_movemask_epi8(s) << i;
            m->nl |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')))
                     << i;
            m->cr |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')))
                     << i;
            m->dot |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                          _mm_cmpeq_epi8(v, _mm_set1_epi8('.')))
                      << i;
            m->colon |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                            _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))
                        << i;
            m->at |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('@')))
                     << i;
            m->eq |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(
                         _mm_cmpeq_epi8(v, _mm_set1_epi8('=')),
                         _mm_cmpeq_epi8(v, _mm_set1_epi8((char)0x9a))))
                     << i;
            m->word |=
                (uint64_t)(uint16_t)~_mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                    _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(8)),
                                  _mm_cmpgt_epi8(_mm_set1_epi8(14), v))))
                << i;
            m->high |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << i;
        }
        m->alnum = m->digit | m->alpha;
        m->xdigit |= m->digit;
        return;
    }
#endif
    for (i = 0; i < n; i++) {
        unsigned char c = t[base + i];

        if (ascii_isdigit(c))
            m->digit |= UINT64_C(1) << i;
        if (ascii_isalnum(c))
            m->alnum |= UINT64_C(1) << i;
        if (c == ' ' || c == '-')
            m->sep |= UINT64_C(1) << i;
        if (c == '\n')
            m->nl |= UINT64_C(1) << i;
        if (c == '\r')
            m->cr |= UINT64_C(1) << i;
        if (ascii_isalpha(c))
            m->alpha |= UINT64_C(1) << i;
        if (ascii_isxdigit(c))
            m->xdigit |= UINT64_C(1) << i;
        if (c == '.')
            m->dot |= UINT64_C(1) << i;
        if (c == ':')
            m->colon |= UINT64_C(1) << i;
        if (c == '@')
            m->at |= UINT64_C(1) << i;
        if (c == '=' || c == 0x9a)
            m->eq |= UINT64_C(1) << i;
        if (!ascii_isspace(c))
            m->word |= UINT64_C(1) << i;
        if (c >= 0x80)
            m->high |= UINT64_C(1) << i;
    }
}

#define MASK_BATCH 64 /* blocks of masks made in one call */

#ifdef MASKS_AVX2
/* masks_avx2() of n blocks from p on, in one loop (a call a block set
   its constants up each time: a fifth of its instructions). lm: n leet
   masks too, or NULL. */
__attribute__((target("avx2"))) static void
masks_avx2_run(const unsigned char *p, size_t n, struct masks *m,
               struct leet_masks *lm)
{
    const v32qi *k = masks_k;
    size_t i;

    /* Constants the compiler cannot see: it built each splat again in
       each block (three instructions) rather than read it as an operand
       of the compare. */
    __asm__("" : "+r"(k));
    if (lm != NULL)
        for (i = 0; i < n; i++)
            masks_avx2(p + 64 * i, m + i, lm + i, k);
    else
        for (i = 0; i < n; i++)
            masks_avx2(p + 64 * i, m + i, NULL, k);
}
#endif

/*
 * The masks of blocks k, k + 1 ... (text[64 k..64 k + 64), fewer at the
 * text's end, none past it) into m, with their leet masks into r->leet
 * when it is not NULL; returns how many blocks (1 to MASK_BATCH).
 */
static size_t
masks_make(const struct run *r, size_t k, struct masks *m)
{
    const unsigned char *t = (const unsigned char *)r->text;
    size_t n;

#ifdef MASKS_AVX2
    if (r->x->avx2 && k < r->len / 64) {
        n = r->len / 64 - k < MASK_BATCH ? r->len / 64 - k : MASK_BATCH;
        masks_avx2_run(t + 64 * k, n, m,
                       r->leet != NULL ? r->leet + k : NULL);
        return n;
    }
#endif
    n = 1;
    masks_slow(t, r->len, 64 * k, m,
               r->leet != NULL && 64 * k < r->len ? r->leet + k : NULL);
    return n;
}

/* Bit i set where bits i..i+k-1 of lo:hi (lo first) all are: the runs of
   k or more, for i < 64 and k <= 64. */
static uint64_t
runs_of(uint64_t lo, uint64_t hi, unsigned k)
{
    unsigned have = 1, step;

/* lo:hi &= lo:hi >> n, in two words: gcc spilled an __int128 to the
   stack between the steps. */
#define RUNS_STEP(n)                                                           \
    do {                                                                       \
        lo &= lo >> (n) | hi << (64 - (n));                                    \
        hi &= hi >> (n);                                                       \
    } while (0)
    /* The two lengths mask_hits() asks for, unrolled (the loop's own
       arithmetic cost as much as the shifts). */
    if (k == 4) {
        RUNS_STEP(1);
        RUNS_STEP(2);
        return lo;
    }
    if (k == 13) {
        RUNS_STEP(1);
        RUNS_STEP(2);
        RUNS_STEP(4);
        return lo & (lo >> 5 | hi << 59);
    }
    /* lo:hi: runs of have; doubling, then the rest in one step. */
    while (have < k) {
        step = have <= k - have ? have : k - have; /* 1 to 32 */
        RUNS_STEP(step);
        have += step;
    }
#undef RUNS_STEP
    return lo;
}

/*
 * Candidates of the long-run slots: every maximal run of 13 to 128 ASCII
 * letters and digits, which can be a whole hash, base58 address or card
 * number (longer runs are none of them). The masks find where runs of
 * 13 start, 64 bytes at a time; the run is then walked to its end.
 */
#define RUN_MIN 13

/* What each byte of a long run may belong to: a card number, a hex
   digest, a base58 address. long_run() ANDs them, a load a byte. */
enum { RUN_DIGITS = 1, RUN_XDIGITS = 2, RUN_B58 = 4 };
#define RUN_DH (RUN_DIGITS | RUN_XDIGITS)
#define RUN_DHB (RUN_DIGITS | RUN_XDIGITS | RUN_B58)
#define RUN_HB (RUN_XDIGITS | RUN_B58)
static const unsigned char run_class[256] = {
    ['0'] = RUN_DH,  ['1'] = RUN_DHB, ['2'] = RUN_DHB, ['3'] = RUN_DHB,
    ['4'] = RUN_DHB, ['5'] = RUN_DHB, ['6'] = RUN_DHB, ['7'] = RUN_DHB,
    ['8'] = RUN_DHB, ['9'] = RUN_DHB, ['a'] = RUN_HB,  ['b'] = RUN_HB,
    ['c'] = RUN_HB,  ['d'] = RUN_HB,  ['e'] = RUN_HB,  ['f'] = RUN_HB,
    ['A'] = RUN_HB,  ['B'] = RUN_HB,  ['C'] = RUN_HB,  ['D'] = RUN_HB,
    ['E'] = RUN_HB,  ['F'] = RUN_HB,  ['g'] = RUN_B58, ['h'] = RUN_B58,
    ['i'] = RUN_B58, ['j'] = RUN_B58, ['k'] = RUN_B58, ['m'] = RUN_B58,
    ['n'] = RUN_B58, ['o'] = RUN_B58, ['p'] = RUN_B58, ['q'] = RUN_B58,
    ['r'] = RUN_B58, ['s'] = RUN_B58, ['t'] = RUN_B58, ['u'] = RUN_B58,
    ['v'] = RUN_B58, ['w'] = RUN_B58, ['x'] = RUN_B58, ['y'] = RUN_B58,
    ['z'] = RUN_B58, ['G'] = RUN_B58, ['H'] = RUN_B58, ['J'] = RUN_B58,
    ['K'] = RUN_B58, ['L'] = RUN_B58, ['M'] = RUN_B58, ['N'] = RUN_B58,
    ['P'] = RUN_B58, ['Q'] = RUN_B58, ['R'] = RUN_B58, ['S'] = RUN_B58,
    ['T'] = RUN_B58, ['U'] = RUN_B58, ['V'] = RUN_B58, ['W'] = RUN_B58,
    ['X'] = RUN_B58, ['Y'] = RUN_B58, ['Z'] = RUN_B58,
};

static void
long_run(struct run *r, size_t lo, size_t hi)
{
    const unsigned char *t = (const unsigned char *)r->text;
    size_t end, k, n = hi - lo;
    unsigned cls = RUN_DHB;
    bool hex, digits, b58;

    if (n < RUN_MIN || n > 128)
        return;
    /* Digits only matter while the run is hex too. */
    for (k = lo; k < hi && (cls & RUN_HB); k++)
        cls &= run_class[t[k]];
    digits = cls & RUN_DIGITS;
    hex = cls & RUN_XDIGITS;
    b58 = cls & RUN_B58;
    /* Two bytes past the run for the patterns' lookaheads. */
    end = hi + 2 < r->len ? hi + 2 : r->len;
    if (hex && n >= 32)
        add_range(&r->cand[r->x->run_slot[RUN_HEX]], lo, end);
    if (b58 && n >= 25 && n <= 34)
        add_range(&r->cand[r->x->run_slot[RUN_BTC58]], lo, end);
    if (b58 && n == 95)
        add_range(&r->cand[r->x->run_slot[RUN_XMR]], lo, end);
    if (digits && n <= 19)
        add_range(&r->cand[r->x->run_slot[RUN_CARD]], lo, end);
    else if (n >= 14 && n <= 20 && t[lo] == 'B' && lo > 0 && t[lo - 1] == '%' &&
             all_digits((const char *)t + lo + 1, n - 1))
        add_range(&r->cand[r->x->run_slot[RUN_CARD]], lo + 1, end);
}

/*
 * Card-number candidates with separators: a window (window_slot()) around
 * each "[0-9]{4}[ -][0-9]{4}", ending at its last digit, as the prefilter
 * had them: a separator with four digits before and four after.
 */
static void
card_hit(struct run *r, size_t e)
{
    struct lines *c = &r->cand[r->x->run_slot[RUN_CARD]];
    const size_t *w = r->x->window[r->x->run_slot[RUN_CARD]];

    add_range(c, e > w[0] ? e - w[0] : 0,
              r->len - e > w[1] + 2 ? e + w[1] + 2 : r->len);
}

/* The bytes that end the runs of userinfo_end(): \s (but the vertical
   tab), '/', '?' and '#'. */
static const unsigned char userinfo_stop[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1,
    [' '] = 1,  ['/'] = 1,  ['?'] = 1,  ['#'] = 1,
};

/* The bytes re_userpass's identity cannot hold: blanks, separators and
   the signs it refuses there. */
static const unsigned char not_userpass_id[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
    [':'] = 1,  [';'] = 1,  ['|'] = 1,  ['"'] = 1,  ['\''] = 1, ['<'] = 1,
    ['>'] = 1,  ['('] = 1,  [')'] = 1,  ['{'] = 1,  ['}'] = 1,  ['['] = 1,
    [']'] = 1,  ['='] = 1,  [','] = 1,  ['\\'] = 1, ['/'] = 1,
};

/*
 * Whether the line text[ls..le) (its '\n' included) may hold a match of
 * re_userpass: blanks, a run of identity bytes, a separator, a password
 * of bytes that are no blank (not starting with a slash) and blanks to
 * the line's end. Bytes are counted, not characters, and with no limit:
 * a superset of its matches. Most lines fail at their first word.
 */
static bool
userpass_line(const unsigned char *t, size_t ls, size_t le)
{
    size_t p, q;

    for (p = ls; p < le && (t[p] == ' ' || t[p] == '\t'); p++)
        ;
    for (q = p; q < le && !not_userpass_id[t[q]]; q++)
        ;
    if (q == p || q + 1 >= le ||
        (t[q] != ':' && t[q] != ';' && t[q] != '|' && t[q] != '\t') ||
        ascii_isspace(t[q + 1]) || t[q + 1] == '/' || t[q + 1] == '\\')
        return false;
    for (q += 2; q < le && !ascii_isspace(t[q]); q++)
        ;
    while (q < le && (t[q] == ' ' || t[q] == '\t'))
        q++;
    return q == le || t[q] == '\r' || t[q] == '\n';
}

/*
 * The password labels of re_pwlabel (RE_PW_ASCII) and the secret names of
 * re_generic_secret's prefilter, found before a separator in C: Hyperscan
 * spent more on their two caseless alternations than on all its other
 * prefilter patterns.
 */
enum { LABEL_PW = 1, LABEL_SECRET = 2 };

/* Whether t[0..e) ends with w (n small letters), ASCII case ignored (a
   byte | 0x20 is a small letter only for a letter). */
static bool
ends_caseless(const unsigned char *t, size_t e, const char *w, size_t n)
{
    size_t i;

    if (e < n)
        return false;
    for (i = 0; i < n; i++)
        if ((t[e - n + i] | 0x20) != (unsigned char)w[i])
            return false;
    return true;
}

#define ENDS(w) ends_caseless(t, e, w, sizeof(w) - 1)

/* Whether t[0..e) ends with words[n - 1] ... words[0], each but the last
   followed by an optional byte of seps ("mot[ _-]?de[ _-]?passe"). No
   word ends with such a byte: one way to try. */
static bool
ends_joined(const unsigned char *t, size_t e, const char *const *words,
            size_t n, const char *seps)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        if (i > 0 && e > 0 && t[e - 1] != '\0' &&
            strchr(seps, t[e - 1]) != NULL)
            e--;
        k = strlen(words[i]);
        if (!ends_caseless(t, e, words[i], k))
            return false;
        e -= k;
    }
    return true;
}

/* Which labels (LABEL_PW, LABEL_SECRET) end at t + e: RE_PW_ASCII's
   alternatives and "key|secret|token|pass|passwd|password|pwd|passphrase
   |key[_.-]?base", ASCII case ignored, by their last letter. */
static unsigned
label_kinds(const unsigned char *t, size_t e)
{
    static const char *const mot_de_passe[] = { "passe", "de", "mot" };
    static const char *const key_base[] = { "base", "key" };
    const unsigned both = LABEL_PW | LABEL_SECRET;

    if (e == 0)
        return 0;
    switch (t[e - 1] | 0x20) {
    case 'd':
        return ENDS("pwd") || ENDS("passwd") || ENDS("password") ? both
               : ENDS("pword") || ENDS("wachtwoord")             ? LABEL_PW
                                                                 : 0;
    case 't':
        return (ENDS("passwort") || ENDS("kennwort") ? LABEL_PW : 0) |
               (ENDS("secret") ? LABEL_SECRET : 0);
    case 'e':
        return (ENDS("passphrase") ? both : 0) |
               (ENDS("passcode") || ENDS("sifre") ||
                        ends_joined(t, e, mot_de_passe, 3, " _-")
                    ? LABEL_PW
                    : 0) |
               (ends_joined(t, e, key_base, 2, "_.-") ? LABEL_SECRET : 0);
    case 's':
        return ENDS("pass") ? both : 0;
    case 'w':
        return ENDS("pw") ? LABEL_PW : 0;
    case 'a':
        return ENDS("contrasena") || ENDS("senha") || ENDS("parola") ||
                       ENDS("salasana") || ENDS("lozinka")
                   ? LABEL_PW
                   : 0;
    case 'p':
        return ENDS("mdp") ? LABEL_PW : 0;
    case 'o':
        return ENDS("haslo") || ENDS("heslo") || ENDS("jelszo") ? LABEL_PW
                                                                 : 0;
    case 'y':
        return ENDS("key") ? LABEL_SECRET : 0;
    case 'n':
        return ENDS("token") ? LABEL_SECRET : 0;
    default:
        return 0;
    }
}
#undef ENDS

/*
 * Secret names as cred_secret_name() reads them, without their '_', '.'
 * and '-' ("pass_word", "api.k-ey"): the last letters and digits (cap at
 * most) of the name of re_generic_secret ending at t[e] into w; how many.
 */
#define NAME_TAIL 16 /* "secretkeybase", the longest suffix, and 3 more */

static size_t
name_tail(const unsigned char *t, size_t e, unsigned char *w, size_t cap)
{
    size_t n = 0;

    for (; e > 0 && n < cap &&
           (ascii_isalnum(t[e - 1]) || t[e - 1] == '_' || t[e - 1] == '.' ||
            t[e - 1] == '-');
         e--)
        if (ascii_isalnum(t[e - 1]))
            w[cap - ++n] = t[e - 1];
    memmove(w, w + cap - n, n);
    return n;
}

static bool
name_sep(unsigned char c)
{
    return c == '_' || c == '.' || c == '-';
}

/* Whether the secret name ending at t[e], read as cred_secret_name()
   does, ends with one of label_kinds()' secret names: by the last letter
   of one ("key", "secret", "token", "pass", "pwd", "passphrase") first,
   as most separators follow no such name. cred_secret_name() drops '_',
   '.' and '-' wherever they are, after the last letter too
   ("password_:"). */
static bool
secret_name_at(const unsigned char *t, size_t e)
{
    unsigned char w[NAME_TAIL];
    size_t k, end = e;
    unsigned char c;

    while (e > 0 && name_sep(t[e - 1]))
        e--;
    c = e > 0 ? t[e - 1] | 0x20 : 0;
    if (c != 'y' && c != 't' && c != 'n' && c != 's' && c != 'd' && c != 'e')
        return false;
    /* Without '_', '.' or '-' in its last 13 letters and digits (the
       longest suffix) the name reads as label_kinds() read it (at end:
       label_hit() asked it). */
    for (k = e; k > 0 && e - k < 13 && ascii_isalnum(t[k - 1]); k--)
        ;
    if (k == 0 || e - k >= 13 || !name_sep(t[k - 1]))
        return e != end && (label_kinds(t, e) & LABEL_SECRET);
    return label_kinds(w, name_tail(t, e, w, sizeof(w))) & LABEL_SECRET;
}

/*
 * The prefilter's hits of the labels before the separator text[p] (':',
 * '=', or the last byte of a fullwidth colon, for password labels only):
 * a label, an optional quote, blanks and tabs, the separator; the match
 * ends after it, as in Hyperscan (whose "(?::=|=>|[:=])" also ended after
 * a second byte, on the same line: no other candidate line). A secret
 * name may hold '_', '.' and '-' anywhere (secret_name_at()).
 */
static void
label_hit(struct run *r, size_t p)
{
    const unsigned char *t = (const unsigned char *)r->text;
    unsigned kinds = LABEL_PW | LABEL_SECRET, k;
    size_t q = p, j;

    if (t[p] == 0x9a) {
        if (p < 2 || t[p - 1] != 0xbc || t[p - 2] != 0xef)
            return;
        q = p - 2;
        kinds = LABEL_PW;
    }
    for (j = q; j > 0 && (t[j - 1] == ' ' || t[j - 1] == '\t'); j--)
        ;
    k = label_kinds(t, j);
    if (j > 0 && (t[j - 1] == '"' || t[j - 1] == '\''))
        k |= label_kinds(t, j - 1);
    if (!(k & LABEL_SECRET) &&
        (secret_name_at(t, j) ||
         (j > 0 && (t[j - 1] == '"' || t[j - 1] == '\'') &&
          secret_name_at(t, j - 1))))
        k |= LABEL_SECRET;
    k &= kinds;
    if (k & LABEL_PW)
        on_candidate(PAT_PWLABEL, 0, p + 1, 0, r);
    if (k & LABEL_SECRET)
        on_candidate((unsigned)r->x->secret_slot, 0, p + 1, 0, r);
}

/*
 * The bits of a + g + carry_in that a carry comes into (bit 0: carry_in);
 * *carry_out: whether one leaves bit 63. With a's bits inside g's, a carry
 * starts at each bit of a and runs up to the next bit outside g, which
 * it reaches too.
 */
static uint64_t
carries(uint64_t a, uint64_t g, bool carry_in, bool *carry_out)
{
    unsigned long long sum, out;
    bool c1, c2;

    c1 = __builtin_uaddll_overflow(a, g, &sum);
    c2 = __builtin_uaddll_overflow(sum, carry_in, &out);
    *carry_out = c1 || c2;
    return out ^ a ^ g;
}

/*
 * The long runs (long_run()), card numbers with separators (card_hit())
 * and the candidate lines of re_userpass in one pass over the masks. A
 * line holding a lone '\r' (a line end to pcre2 too) is taken whole.
 */
static void
mask_hits(struct run *r)
{
    const unsigned char *t = (const unsigned char *)r->text;
    /* The blocks before the last batch's first, and the batch: m[2] is
       its first block. */
    struct masks m[MASK_BATCH + 2], *prev, *cur, *next, *end;
    size_t made;
    size_t base, hi, off, done = 0, ls = 0, e, ip = 0, dom = 0, six = 0;
    size_t idn = 0, email_idn = 0;
    uint64_t starts, seps, left, right, lone, ends, l4, r4;
    uint64_t plain, firsts, high_on = 0;
    uint64_t inner, dom_hits, ip_hits, six_hits, idn_hits, at_hits;
    uint64_t label_hits, prior;
    unsigned b;
    bool line_lone = false, line_inner = false;

    if (r->len == 0)
        return;
    memset(m, 0, 2 * sizeof(*m)); /* before the text: no class */
    made = masks_make(r, 0, m + 2);
    /* One pointer that moves on: worked out from the block's index, its
       masks' addresses cost a dozen instructions a block. */
    cur = m + 2;
    end = m + 2 + made;
    for (base = 0; base < r->len; base += 64, cur++) {
        if (cur + 1 == end) { /* the next block's are to make */
            m[0] = cur[-1];
            m[1] = cur[0];
            made = masks_make(r, base / 64 + 1, m + 2);
            cur = m + 1;
            end = m + 2 + made;
        }
        prev = cur - 1;
        next = cur + 1;
/* Bit i: the mask's bit for byte base + i + k (FWD), base + i - k (BWD). */
#define FWD(m, k) (cur->m >> (k) | next->m << (64 - (k)))
#define BWD(m, k) (cur->m << (k) | prev->m >> (64 - (k)))
        /* Every hit mask of the block first, then the calls: across them
           the compiler kept the masks' addresses, not the masks, and
           worked them out again for each. */
        /* Runs of 13 (those that start at or after the end of the last
           run: below). */
        starts = runs_of(cur->alnum, next->alnum, RUN_MIN);
        /* A separator p with digits at p-4..p-1 and p+1..p+4. */
        seps = cur->sep & FWD(digit, 1) & BWD(digit, 1);
        if (seps != 0) {
            right = runs_of(FWD(digit, 1), next->digit >> 1, 4);
            left = runs_of(BWD(digit, 4), cur->digit >> 60, 4);
            seps &= right & left;
        }
        /* Unicode names: a dot with a byte >= 0x80 before it in its
           blank-free token and a byte that is no blank after it
           ("[\x80-\xff][^\s]*\.[^\s]", ending after that byte). high_on:
           the bytes of the tokens from their first byte >= 0x80 on; the
           others (plain) are the first bytes of each token up to it, a
           carry from each token's start (firsts) through them. */
        if (cur->high != 0 || (high_on >> 63 && prev->word >> 63)) {
            plain = cur->word & ~cur->high;
            firsts = cur->word &
                     ~(cur->word << 1 | (high_on >> 63 & prev->word >> 63));
            high_on = cur->word & ~((plain ^ (plain + firsts)) & plain);
        } else
            high_on = 0;
        /* Dots after a letter or digit: before two letters, a domain
           name's; between digits, with 1-3 digits and a dot and a digit
           after, an IPv4 address's. With no literal to start from,
           Hyperscan spent more on these classes than on all its other
           patterns, and a memchr() for each dot and colon took 5 % of
           the scan; the defanged forms ("[.]", "[:]") stay in the
           prefilter database. No test for a block without a dot: half
           the blocks of prose hold one, and it mispredicted. */
        dom_hits = cur->dot & BWD(alnum, 1) & FWD(alpha, 1) & FWD(alpha, 2);
        ip_hits = cur->dot & BWD(digit, 1) & FWD(digit, 1);
        if (ip_hits != 0) /* most dots end a sentence or split a name */
            ip_hits &= (FWD(dot, 2) & FWD(digit, 3)) |
                       (FWD(digit, 2) & FWD(dot, 3) & FWD(digit, 4)) |
                       (FWD(digit, 2) & FWD(digit, 3) & FWD(dot, 4) &
                        FWD(digit, 5));
        idn_hits = cur->dot & high_on & FWD(word, 1);
        /* IPv6: "::", or a colon with 1-4 hex digits and a colon on each
           side (inet_pton() wants "::" or six colons; clock times have
           two). */
        six_hits = cur->colon & FWD(colon, 1);
        /* Most colons have a blank or no hex digit on one side. */
        if ((cur->colon & FWD(xdigit, 1) & BWD(xdigit, 1)) != 0) {
            r4 = FWD(xdigit, 1) &
                 (FWD(colon, 2) |
                  (FWD(xdigit, 2) &
                   (FWD(colon, 3) |
                    (FWD(xdigit, 3) & (FWD(colon, 4) |
                                       (FWD(xdigit, 4) & FWD(colon, 5)))))));
            l4 = BWD(xdigit, 1) &
                 (BWD(colon, 2) |
                  (BWD(xdigit, 2) &
                   (BWD(colon, 3) |
                    (BWD(xdigit, 3) &
                     (BWD(colon, 4) | (BWD(xdigit, 4) & BWD(colon, 5)))))));
            six_hits |= cur->colon & l4 & r4;
        }
        /* E-mail addresses and combo lines: "@[A-Za-z0-9]", the hit
           ending after the letter or digit, as Hyperscan's did. */
        at_hits = cur->at & FWD(alnum, 1);
        /* Separators; a label ends in a letter, and a quote or blanks
           may follow it, never a digit (half the colons: clock times). */
        label_hits = (cur->colon | cur->eq) & ~BWD(digit, 1);
        /* Line ends and lone '\r's, in order. A line of re_userpass has
           no space between two bytes that are no blank ("id:pw",
           "id<tab>pw"): such spaces (inner) spare userpass_line() the
           lines of prose. */
        lone = cur->cr != 0 ? cur->cr & ~FWD(nl, 1) : 0; /* '\r's: rare */
        ends = cur->nl | lone;
        inner = cur->sep & ~cur->word & BWD(word, 1) & FWD(word, 1);
#undef FWD
#undef BWD

        if (done > base)
            starts &= done - base >= 64 ? 0 : ~UINT64_C(0) << (done - base);
        while (starts != 0) {
            b = (unsigned)__builtin_ctzll(starts);
            /* Its end by the masks, bytes past the text in no class;
               walked from the block after next on. */
            hi = b + RUN_MIN; /* 13 to 76 */
            off = hi < 64 ? 0 : hi - 64;
            if (hi < 64 && ~cur->alnum >> hi != 0)
                hi = base + hi + (unsigned)__builtin_ctzll(~cur->alnum >> hi);
            else if (~next->alnum >> off != 0)
                hi = base + 64 + off +
                     (unsigned)__builtin_ctzll(~next->alnum >> off);
            else
                for (hi = base + 128; hi < r->len && ascii_isalnum(t[hi]); hi++)
                    ;
            long_run(r, base + b, hi);
            done = hi;
            starts &= hi - base >= 64 ? 0 : ~UINT64_C(0) << (hi - base);
        }
        while (seps != 0) {
            b = (unsigned)__builtin_ctzll(seps);
            card_hit(r, base + b + 4);
            seps &= seps - 1;
        }
        while (dom_hits != 0) {
            b = (unsigned)__builtin_ctzll(dom_hits);
            dom_hits &= dom_hits - 1;
            add_run(r, PAT_DOMAIN, &dom, base + b, true);
        }
        while (ip_hits != 0) {
            b = (unsigned)__builtin_ctzll(ip_hits);
            ip_hits &= ip_hits - 1;
            add_run(r, PAT_IPV4, &ip, base + b, false);
        }
        while (six_hits != 0) {
            b = (unsigned)__builtin_ctzll(six_hits);
            six_hits &= six_hits - 1;
            add_token(r, r->x->ipv6_slot, &six, base + b);
        }
        while (at_hits != 0) {
            b = (unsigned)__builtin_ctzll(at_hits);
            at_hits &= at_hits - 1;
            on_candidate(PAT_EMAIL, 0, base + b + 2, 0, r);
            on_candidate(PAT_COMBO, 0, base + b + 2, 0, r);
        }
        while (label_hits != 0) {
            b = (unsigned)__builtin_ctzll(label_hits);
            label_hits &= label_hits - 1;
            label_hit(r, base + b);
        }
        while (idn_hits != 0) {
            b = (unsigned)__builtin_ctzll(idn_hits);
            idn_hits &= idn_hits - 1;
            add_token(r, r->x->idn_slot, &idn, base + b + 1);
            add_token(r, r->x->email_idn_slot, &email_idn, base + b + 1);
        }
        /* The lines with no inner space, as a carry: one starts at each
           inner space (and at bit 0 from a line going on with one) and
           runs up to the next line end, which it marks; a carry out of
           the block is a line going on with one. Most lines of prose
           have one: a loop over every line end mispredicted its
           branches. A lone '\r' (rare) takes the loop below. */
        if (lone == 0 && !line_lone) {
            ends = cur->nl &
                   ~carries(inner, ~cur->nl, line_inner, &line_inner);
            while (ends != 0) {
                b = (unsigned)__builtin_ctzll(ends);
                ends &= ends - 1;
                e = base + b;
                prior = cur->nl & ((UINT64_C(1) << b) - 1);
                if (prior != 0) /* else the line began before the block */
                    ls = base + 64 - (unsigned)__builtin_clzll(prior);
                if (userpass_line(t, ls, e + 1))
                    add_range(&r->cand[PAT_USERPASS], ls, e + 1);
            }
            /* The last line end's, without a branch (half the blocks of
               prose hold none: it mispredicted). */
            e = base + 64 - (unsigned)__builtin_clzll(cur->nl | 1);
            ls += (e - ls) & (size_t)-(cur->nl != 0);
            continue;
        }
        while (ends != 0) {
            b = (unsigned)__builtin_ctzll(ends);
            ends &= ends - 1;
            e = base + b;
            if (t[e] == '\r') {
                line_lone = true;
                continue;
            }
            if (line_lone ||
                (!line_inner && (inner & ((UINT64_C(1) << b) - 1)) == 0 &&
                 userpass_line(t, ls, e + 1)))
                add_range(&r->cand[PAT_USERPASS], ls, e + 1);
            ls = e + 1;
            inner &= ~((UINT64_C(2) << b) - 1);
            line_inner = false;
            line_lone = false;
        }
        line_inner = line_inner || inner != 0;
    }
    /* The last line, without a '\n'. */
    if (ls < r->len) {
        if (line_lone || userpass_line(t, ls, r->len))
            add_range(&r->cand[PAT_USERPASS], ls, r->len);
    }
}


/* Ranges of two sources in order, put in order, overlapping ones merged. */
static void
sort_ranges(struct lines *c)
{
    size_t i, k, n = 0;

    /* Two sources each in order (the prefilter's, then mask_hits()'s):
       one merge, not a sort. */
    for (k = 1; k < c->n && c->v[k][0] >= c->v[k - 1][0]; k++)
        ;
    order_spans(c->v, k, c->n);
    c->bytes = 0;
    for (i = 0; i < c->n; i++) {
        if (n > 0 && c->v[n - 1][1] >= c->v[i][0]) {
            if (c->v[i][1] > c->v[n - 1][1])
                c->v[n - 1][1] = c->v[i][1];
            continue;
        }
        c->v[n][0] = c->v[i][0];
        c->v[n][1] = c->v[i][1];
        n++;
    }
    c->n = n;
    for (i = 0; i < n; i++)
        c->bytes += c->v[i][1] - c->v[i][0];
    c->unsorted = false;
}

/*
 * Whether a line may hold a match of re_combo: blanks, an address (a run
 * of its bytes with an '@'), blanks, a separator (a tab among the blanks
 * may be it). A superset of the pattern's lines.
 */
static bool
combo_candidate(const char *t, size_t ls, size_t le)
{
    size_t p = ls, q;
    bool at = false, tab = false;

    while (p < le && (t[p] == ' ' || t[p] == '\t'))
        p++;
    for (q = p;
         q < le && (ascii_isalnum(t[q]) || t[q] == '.' || t[q] == '_' ||
                    t[q] == '%' || t[q] == '+' || t[q] == '-' || t[q] == '@');
         q++)
        at = at || t[q] == '@';
    if (q == p || !at)
        return false;
    for (; q < le && (t[q] == ' ' || t[q] == '\t'); q++)
        tab = tab || t[q] == '\t';
    return tab || (q < le && (t[q] == ':' || t[q] == ';' || t[q] == '|'));
}

/* Whether a line may hold a match of re_ulp: blanks, a scheme of 1-16
   letters, digits and "+.-" starting with a letter, "://". */
static bool
ulp_candidate(const char *t, size_t ls, size_t le)
{
    size_t p = ls, k = 0;

    while (p < le && (t[p] == ' ' || t[p] == '\t'))
        p++;
    if (p >= le || !ascii_isalpha(t[p]))
        return false;
    while (p + 1 + k < le && k < 15 &&
           (ascii_isalnum(t[p + 1 + k]) || t[p + 1 + k] == '+' ||
            t[p + 1 + k] == '.' || t[p + 1 + k] == '-'))
        k++;
    return le - (p + 1 + k) >= 3 && memcmp(t + p + 1 + k, "://", 3) == 0;
}

/*
 * Keeps of the candidate lines of a line-anchored pattern (its match
 * starts at a line's start and ends at its end) those that check()
 * passes; a line holding a lone '\r' (a line end to pcre2, which may
 * start a match after it) is kept whole. The prefilter's hits mark a
 * line and the one before it; most of them cannot start a match.
 */
static void
keep_lines(struct run *r, struct lines *c,
           bool (*check)(const char *, size_t, size_t))
{
    struct lines kept = {0};
    const char *t = r->text, *nl, *cr;
    size_t i, ls, le;

    for (i = 0; i < c->n; i++) {
        for (ls = c->v[i][0]; ls < c->v[i][1]; ls = le) {
            nl = memchr(t + ls, '\n', c->v[i][1] - ls);
            le = nl != NULL ? (size_t)(nl - t) + 1 : c->v[i][1];
            cr = memchr(t + ls, '\r', le - ls);
            if (check(t, ls, le) ||
                (cr != NULL && (size_t)(cr - t) + 2 != le) ||
                (cr != NULL && nl == NULL))
                add_range(&kept, ls, le);
        }
    }
    x_free(c->v);
    kept.next = 0;
    *c = kept;
}

/*
 * Where "://[^\s/?#:]+:[^\s/?#]*@" ends first after text[at] (its "://"
 * at at - 3), or 0 when it does not match there. Superset of the regex:
 * a vertical tab goes either way.
 */
static size_t
userinfo_end(const char *t, size_t at, size_t len)
{
    size_t q;

    for (q = at; q < len && !userinfo_stop[(unsigned char)t[q]] && t[q] != ':';
         q++)
        ;
    if (q == at || q >= len || t[q] != ':')
        return 0;
    for (q++; q < len && !userinfo_stop[(unsigned char)t[q]] && t[q] != '@';
         q++)
        ;
    return q < len && t[q] == '@' ? q + 1 : 0;
}

/*
 * The prefilter hits of user info after a plain "://", found in C in the
 * candidates of PAT_URL (whose prefilter flags every "://"): the token
 * around each match's first end becomes a candidate, as on_candidate()
 * makes it. Matches end in the order of their "://" (their runs hold no
 * '/'), so each byte is walked once.
 */
static void
userinfo_hits(struct run *r)
{
    const struct lines *u = &r->cand[PAT_URL];
    const char *t = r->text, *p;
    size_t i, at, e, lo, hi, done = 0;

    for (i = 0; i < u->n; i++) {
        for (at = u->v[i][0]; at < u->v[i][1]; at = (size_t)(p - t) + 3) {
            p = find_short(t + at, u->v[i][1] - at, "://", 3);
            if (p == NULL)
                break;
            e = userinfo_end(t, (size_t)(p - t) + 3, r->len);
            if (e == 0 || e - 1 < done)
                continue;
            for (lo = e - 1; lo > done && !ascii_isspace(t[lo - 1]); lo--)
                ;
            for (hi = e; hi < r->len && !ascii_isspace(t[hi]); hi++)
                ;
            add_range(&r->cand[PAT_USERINFO], lo, hi);
            done = hi;
        }
    }
}

/* The Hyperscan passes and the byte scans marking where each filtered
   pattern may match. */
#define PREFILTER_DENSE 4 /* whole-text pass past 1/4 of the text */

static void
prefilter(struct run *r)
{
    hs_scratch_t *scratch = NULL;
    size_t i;

    /* Hyperscan takes an unsigned int length; larger texts (never one
       page or scan block) go unfiltered. */
    if (r->x->pre == NULL || r->x->no_prefilter || r->len == 0 ||
        r->len > 0xffffffffu)
        return;
    r->cand = xcalloc(NSLOTS, sizeof(*r->cand));
#ifdef MASKS_AVX2
    /* The leet masks come with masks_avx2()'s; without AVX2 the terms'
       own pass makes them. */
    if (r->x->brand != NULL && r->x->avx2)
        r->leet = xreallocarray(NULL, (r->len + 63) / 64, sizeof(*r->leet));
#endif
    if (r->x->pre_terms)
        r->terms = termset_hits_begin(r->x->brand, r->text, r->len, r->leet,
                                      EXTRACT_MAX_FINDINGS);
    scratch = hsdb_scratch_take(r->x->pre_proto);
    hs_scan(r->x->pre, r->text, (unsigned)r->len, 0, scratch, on_candidate,
            r);
    hsdb_scratch_give(r->x->pre_proto, scratch);
    userinfo_hits(r);
    mask_hits(r);
    /* Calling pcre2 line by line costs more than one pass once the
       lines cover much of the text. */
    for (i = 0; i < NSLOTS; i++) {
        if (r->cand[i].unsorted)
            sort_ranges(&r->cand[i]);
        if (i == PAT_COMBO || i == PAT_ULP)
            keep_lines(r, &r->cand[i],
                       i == PAT_COMBO ? combo_candidate : ulp_candidate);
        /* Tokens and windows are short enough for per-range calls. */
        r->cand[i].dense = r->cand[i].bytes > r->len / PREFILTER_DENSE &&
                           !r->x->token[i] && r->x->window[i][1] == 0 &&
                           long_run_slot(i) == RUN_NONE;
        if (log_get_level() == LOG_DEBUG && r->x->filtered[i])
            log_debug("extract prefilter: slot=%zu ranges=%zu bytes=%zu "
                      "of %zu%s", i, r->cand[i].n, r->cand[i].bytes, r->len,
                      r->cand[i].dense ? " (dense: whole text)" : "");
    }
}

/* extract_text() of a document's first part or whole (head NULL), or of
   a later part with the document's head words (extract_text_more()). */
static int
extract_part(const struct extractor *x, const char *text, size_t len,
             const unsigned int *head, struct findings *out)
{
    struct run r;
    uint32_t groups = 0;
    size_t i, first = out->n, *ix;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.x = x;
    r.text = text ? text : "";
    r.len = text ? len : 0;
    r.strings = &out->strings;
    for (i = 0; i < PAT_COUNT + NRULES; i++) {
        uint32_t c = 0;

        pcre2_pattern_info(i < PAT_COUNT ? x->re[i]
                                         : x->rule_re[i - PAT_COUNT],
                           PCRE2_INFO_CAPTURECOUNT, &c);
        if (c > groups)
            groups = c;
    }
    r.md = pcre2_match_data_create(groups + 1, NULL);
    r.mctx = pcre2_match_context_create(NULL);
    if (r.md == NULL || r.mctx == NULL) {
        log_err("out of memory: pcre2 match data groups=%u", groups + 1);
        abort();
    }
    prefilter(&r);

    /*
     * Credentials first, then secrets and card numbers: their spans veto
     * the other kinds.
     */
    scan_credentials(&r);
    scan_rules(&r, true);
    scan_email(&r);
    scan_brand(&r);
    scan_ipv4(&r);
    scan_domain(&r);
    scan_url(&r);
    scan_hex(&r);
    scan_rules(&r, false);
    if (r.full)
        rc = DRP_ETOOBIG;

    ix = xreallocarray(NULL, r.n + 1, sizeof(*ix));
    sort_items(&r, ix);
    out->v = xreallocarray(out->v, out->n + r.n + 1, sizeof(*out->v));
    for (i = 0; i < r.n; i++)
        out->v[out->n++] = r.items[ix[i]].f;
    x_free(ix);
    /* The context words' hits came with the prefilter's pass; without
       it, context_raise_hits() scans for them. */
    context_raise_hits(x->context, r.text, r.len, out->v + first, r.n,
                       r.cand != NULL ? &r.words : NULL, head);
    context_hits_release(&r.words);
    benign_label(x->benign, out->v + first, r.n);

    pcre2_match_data_free(r.md);
    pcre2_match_context_free(r.mctx);
    EVP_MD_CTX_free(r.mac);
    for (i = 0; r.cand && i < NSLOTS; i++)
        x_free(r.cand[i].v);
    x_free(r.cand);
    x_free(r.leet);
    x_free(r.items);
    x_free(r.pw);
    return rc;
}

int
extract_text(const struct extractor *x, const char *text, size_t len,
             struct findings *out)
{
    return extract_part(x, text, len, NULL, out);
}

unsigned int
extract_head_words(const struct extractor *x, const char *text, size_t len)
{
    return context_head(x->context, text ? text : "", text ? len : 0);
}

int
extract_text_more(const struct extractor *x, const char *text, size_t len,
                  unsigned int head_words, struct findings *out)
{
    return extract_part(x, text, len, &head_words, out);
}

/* Stars over the digits of a card number but its first six and last four. */
static void
redact_card(char *s, size_t n)
{
    size_t digits = 0, seen = 0, i;

    for (i = 0; i < n; i++)
        digits += ascii_isdigit(s[i]);
    for (i = 0; i < n; i++) {
        if (!ascii_isdigit(s[i]))
            continue;
        if (seen >= 6 && seen + 4 < digits)
            s[i] = '*';
        seen++;
    }
}

void
extract_redact(char *text, size_t len, const struct findings *f)
{
    const struct finding *fd;
    size_t i, off, n;

    for (i = 0; i < f->n; i++) {
        fd = &f->v[i];
        if (fd->kind == FIND_CREDENTIAL) {
            off = fd->pw_offset;
            n = fd->pw_len;
        } else if (fd->kind == FIND_SECRET || fd->kind == FIND_CARD) {
            off = fd->offset;
            n = fd->len;
        } else {
            continue;
        }
        if (off >= len)
            continue;
        if (n > len - off)
            n = len - off;
        if (fd->kind == FIND_CARD)
            redact_card(text + off, n);
        else
            memset(text + off, '*', n);
    }
}

#define SNIPPET_ONES 0x0101010101010101ull

char *
extract_snippet(const char *text, size_t len, const struct finding *fd)
{
    const unsigned char *p = (const unsigned char *)text;
    struct buf b = BUF_INIT(4 * (2 * EXTRACT_SNIPPET + EXTRACT_MAX_VALUE));
    size_t off, end, start, stop, i, n;

    off = fd->offset < len ? fd->offset : len;
    end = fd->len < len - off ? off + fd->len : len;
    start = off > EXTRACT_SNIPPET ? off - EXTRACT_SNIPPET : 0;
    stop = len - end > EXTRACT_SNIPPET ? end + EXTRACT_SNIPPET : len;
    while (start < off && (p[start] & 0xc0) == 0x80)
        start++;
    while (stop > end && stop < len && (p[stop] & 0xc0) == 0x80)
        stop--;
    /* A very long match keeps its head only. */
    if (stop - start > 2 * EXTRACT_SNIPPET + EXTRACT_MAX_VALUE) {
        stop = start + 2 * EXTRACT_SNIPPET + EXTRACT_MAX_VALUE;
        while (stop > start && (p[stop] & 0xc0) == 0x80)
            stop--;
    }
    /* Room for the common case at once (invalid bytes, three each as
       U+FFFD, may grow it). */
    buf_grow(&b, stop - start);
    i = start;
    while (i < stop) {
        /* A run of printable ASCII in one piece, eight bytes at a time
           first: a word with a byte < 0x20 or >= 0x7f (or a borrow from
           one) goes byte by byte. */
        for (n = i; n + 8 <= stop; n += 8) {
            uint64_t w;

            memcpy(&w, p + n, 8);
            if (((w - SNIPPET_ONES * 0x20) | w | (w + SNIPPET_ONES)) &
                (SNIPPET_ONES * 0x80))
                break;
        }
        for (; n < stop && p[n] >= 0x20 && p[n] < 0x7f; n++)
            ;
        if (n > i) {
            buf_add(&b, text + i, n - i);
            i = n;
            continue;
        }
        n = utf8_len(p + i, stop - i);
        if (p[i] < 0x20 || p[i] == 0x7f) {
            buf_addc(&b, ' ');
            i++;
        } else if (n == 0) {
            buf_adds(&b, REPLACEMENT);
            i++;
        } else {
            buf_add(&b, text + i, n);
            i += n;
        }
    }
    return buf_detach(&b, NULL);
}

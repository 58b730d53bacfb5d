/*
 * The extraction engine: pcre2 (JIT) patterns compiled once per extractor,
 * then validators in C (octet ranges, TLD list, hash lengths). Matching
 * uses per-call match data, so one extractor serves many threads. Passwords
 * are hashed and masked on sight and never copied into a finding; findings
 * of other kinds that fall inside a password are dropped for the same
 * reason. No I/O, no public-suffix list yet (a small TLD table instead).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pcre2.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "extract/extract.h"
#include "common/banned.h"

#define MAX_PASSWORD 256
#define MAX_DOMAIN 253
#define HINT_MAX_STARS 8
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Building blocks of the patterns (ASCII; text is matched as UTF-8). */
#define RE_LABEL "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#define RE_EMAIL                                                              \
    "[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:" RE_LABEL "\\.)+[A-Za-z]{2,24}"
#define RE_DOT "(?:\\.|\\[\\.\\]|\\(\\.\\)|\\{\\.\\}|\\[dot\\])"
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

static const char re_domain[] =
    "(?<![A-Za-z0-9_-])(?:" RE_LABEL RE_DOT ")+([A-Za-z]{2,24})"
    "(?![A-Za-z0-9_-])";

static const char re_url[] =
    "(?<![A-Za-z0-9])(?:https?|hxxps?|ftp|fxp)(?::|\\[:\\])//"
    "[^\\s<>\"'`\\x00-\\x1f\\x7f]+";

static const char re_hex[] =
    "(?<![A-Za-z0-9_])[0-9A-Fa-f]{32,128}(?![A-Za-z0-9_])";

/* Common TLDs, sorted, until libpsl arrives. No file extensions here. */
static const char *const tlds[] = {
    "ae",    "app",  "ar",  "at",   "au",     "be",   "bg",   "biz",
    "br",    "by",   "ca",  "cc",   "ch",     "cl",   "cloud", "cn",
    "co",    "com",  "cz",  "de",   "dev",    "dk",   "ee",   "es",
    "eu",    "fi",   "fr",  "gov",  "gr",     "hk",   "hu",   "id",
    "ie",    "il",   "in",  "info", "io",     "ir",   "it",   "jp",
    "kr",    "kz",   "li",  "link", "live",   "lt",   "lu",   "lv",
    "me",    "mil",  "mx",  "my",   "name",   "net",  "nl",   "no",
    "nz",    "onion", "online", "org", "ph",  "pk",   "pl",   "pro",
    "pt",    "pw",   "ro",  "ru",   "sa",     "se",   "sg",   "shop",
    "site",  "sk",   "store", "su", "th",     "tk",   "top",  "tr",
    "tv",    "tw",   "ua",  "uk",   "us",     "uz",   "vn",   "ws",
    "xyz",   "za",
};

enum pattern {
    PAT_EMAIL,
    PAT_COMBO,
    PAT_IPV4,
    PAT_DOMAIN,
    PAT_URL,
    PAT_HEX,
    PAT_COUNT
};

static const char *const pattern_src[PAT_COUNT] = {
    re_email, re_combo, re_ipv4, re_domain, re_url, re_hex,
};

static const uint32_t pattern_opts[PAT_COUNT] = {
    0, PCRE2_MULTILINE, 0, PCRE2_CASELESS, PCRE2_CASELESS, 0,
};

/* A domain we own or watch, for the watched flag. */
struct watched_domain {
    char *name; /* lowercased, no trailing dot */
    int term;
};

struct extractor {
    pcre2_code *re[PAT_COUNT];
    pcre2_code *brand;  /* all brand-like terms, longest first, or NULL */
    int *brand_term;    /* capture group i+1 -> index into the terms */
    char **brand_value; /* capture group i+1 -> normalised term value */
    int *brand_conf;
    size_t nbrand;
    struct watched_domain *domains;
    size_t ndomains;
    unsigned char *key;
    size_t keylen;
};

/* Findings of one call before sorting: seq keeps the sort stable. */
struct item {
    struct finding f;
    size_t seq;
};

struct run {
    const struct extractor *x;
    const char *text;
    size_t len;
    pcre2_match_data *md;
    struct item *items;
    size_t n, cap;
    size_t (*pw)[2]; /* password spans, in text order */
    size_t npw, pwcap;
    bool full;
};

static const char *const kind_names[FIND_KIND_COUNT] = {
    "email", "credential", "brand",  "ipv4",   "domain",
    "url",   "md5",        "sha1",   "sha256", "sha512",
};

const char *
finding_kind_name(enum finding_kind kind)
{
    if ((unsigned)kind >= FIND_KIND_COUNT)
        return "unknown";
    return kind_names[kind];
}

static void
finding_release(struct finding *f)
{
    x_free(f->value);
    x_free(f->identity);
    x_free(f->domain);
    x_free(f->pw_hint);
    memset(f, 0, sizeof(*f));
}

void
findings_init(struct findings *f)
{
    f->v = NULL;
    f->n = 0;
}

void
findings_release(struct findings *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        finding_release(&f->v[i]);
    x_free(f->v);
    f->v = NULL;
    f->n = 0;
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void
lower_str(char *s)
{
    for (; *s != '\0'; s++)
        *s = lower(*s);
}

static bool
is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
known_tld(const char *tld)
{
    return bsearch(&tld, tlds, sizeof(tlds) / sizeof(tlds[0]),
                   sizeof(tlds[0]), cmp_str) != NULL;
}

/*
 * Copies s[0..n) with the defanged dots ("[.]", "(.)", "{.}", "[dot]") and
 * "[:]" made plain again.
 */
static char *
refang(const char *s, size_t n)
{
    char *out = xmalloc(n + 1), *o = out;
    size_t i = 0;

    while (i < n) {
        if (i + 3 <= n && (memcmp(s + i, "[.]", 3) == 0 ||
                           memcmp(s + i, "(.)", 3) == 0 ||
                           memcmp(s + i, "{.}", 3) == 0)) {
            *o++ = '.';
            i += 3;
        } else if (i + 3 <= n && memcmp(s + i, "[:]", 3) == 0) {
            *o++ = ':';
            i += 3;
        } else if (i + 5 <= n && strncasecmp(s + i, "[dot]", 5) == 0) {
            *o++ = '.';
            i += 5;
        } else {
            *o++ = s[i++];
        }
    }
    *o = '\0';
    return out;
}

/* The watch term that name (lowercased) equals or is a subdomain of. */
static int
watched_term(const struct extractor *x, const char *name)
{
    size_t i, n = strlen(name), dn;

    for (i = 0; i < x->ndomains; i++) {
        dn = strlen(x->domains[i].name);
        if (dn > n || strcmp(name + n - dn, x->domains[i].name) != 0)
            continue;
        if (dn == n || name[n - dn - 1] == '.')
            return x->domains[i].term;
    }
    return -1;
}

/* --- building the extractor ------------------------------------------ */

static pcre2_code *
compile(const char *src, uint32_t opts, const char *what)
{
    pcre2_compile_context *cc;
    pcre2_code *re;
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE erroff;
    int err;

    cc = pcre2_compile_context_create(NULL);
    pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
    re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                       opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err,
                       &erroff, cc);
    pcre2_compile_context_free(cc);
    if (re == NULL) {
        pcre2_get_error_message(err, msg, sizeof(msg));
        log_err("pattern does not compile: pattern=%s offset=%zu (%s)", what,
                (size_t)erroff, (const char *)msg);
        return NULL;
    }
    /* Without JIT pcre2_match() interprets: slower, still correct. */
    if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0)
        log_debug("pcre2 jit unavailable: pattern=%s", what);
    return re;
}

static bool
brand_kind(const char *kind)
{
    return strcmp(kind, "brand") == 0 || strcmp(kind, "product") == 0 ||
           strcmp(kind, "executive") == 0 || strcmp(kind, "domain") == 0;
}

/* A term as a pattern: metacharacters escaped, white space runs as \s+. */
static void
add_escaped(struct buf *re, const char *s, size_t n)
{
    size_t i = 0;
    unsigned char c;

    while (i < n) {
        c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
                             s[i] == '\r'))
                i++;
            buf_adds(re, "\\s+");
            continue;
        }
        if (c < 0x80 && !is_alpha((char)c) && !is_digit((char)c))
            buf_addc(re, '\\');
        buf_addc(re, (char)c);
        i++;
    }
}

struct brand_src {
    const char *s; /* trimmed term value */
    size_t n;
    int term;
};

static int
cmp_brand_len(const void *a, const void *b)
{
    const struct brand_src *x = a, *y = b;

    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->term - y->term;
}

/* One alternation of every brand-like term, longest first. */
static bool
build_brand(struct extractor *x, const struct watch_term *terms,
            size_t nterms)
{
    struct buf re = BUF_INIT((size_t)-1 / 2);
    struct brand_src *src = xcalloc(nterms + 1, sizeof(*src));
    const char *s;
    size_t i, j, n = 0;
    bool ok = true;

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
        src[n++] = (struct brand_src){ s, j, (int)i };
    }
    if (n == 0)
        goto out;
    qsort(src, n, sizeof(*src), cmp_brand_len);
    x->nbrand = n;
    x->brand_term = xcalloc(n, sizeof(int));
    x->brand_value = xcalloc(n, sizeof(char *));
    x->brand_conf = xcalloc(n, sizeof(int));
    buf_adds(&re, "(?<![\\p{L}\\p{N}_])(?:");
    for (i = 0; i < n; i++) {
        x->brand_term[i] = src[i].term;
        x->brand_value[i] = xstrndup(src[i].s, src[i].n);
        lower_str(x->brand_value[i]);
        x->brand_conf[i] = src[i].n < 4 ? 60 : 70;
        if (memchr(src[i].s, ' ', src[i].n) != NULL)
            x->brand_conf[i] = 80;
        buf_adds(&re, i ? "|(" : "(");
        add_escaped(&re, src[i].s, src[i].n);
        buf_addc(&re, ')');
    }
    buf_adds(&re, ")(?![\\p{L}\\p{N}_])");
    x->brand = compile(buf_str(&re), PCRE2_CASELESS | PCRE2_UCP, "brand");
    ok = x->brand != NULL;
out:
    buf_release(&re);
    x_free(src);
    return ok;
}

static void
build_domains(struct extractor *x, const struct watch_term *terms,
              size_t nterms)
{
    size_t i, n;
    char *d;

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
        x->domains[x->ndomains].name = d;
        x->domains[x->ndomains].term = (int)i;
        x->ndomains++;
    }
}

struct extractor *
extractor_new(const struct watch_term *terms, size_t nterms,
              const unsigned char *key, size_t keylen)
{
    struct extractor *x = xcalloc(1, sizeof(*x));
    int i;

    for (i = 0; i < PAT_COUNT; i++) {
        x->re[i] = compile(pattern_src[i], pattern_opts[i], "builtin");
        if (x->re[i] == NULL)
            goto fail;
    }
    if (!build_brand(x, terms, nterms))
        goto fail;
    build_domains(x, terms, nterms);
    x->key = xmalloc(keylen + 1);
    if (keylen > 0)
        memcpy(x->key, key, keylen);
    x->keylen = keylen;
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
    pcre2_code_free(x->brand);
    for (i = 0; i < x->nbrand; i++)
        x_free(x->brand_value[i]);
    x_free(x->brand_value);
    x_free(x->brand_term);
    x_free(x->brand_conf);
    for (i = 0; i < x->ndomains; i++)
        x_free(x->domains[i].name);
    x_free(x->domains);
    if (x->key != NULL)
        OPENSSL_cleanse(x->key, x->keylen);
    x_free(x->key);
    x_free(x);
}

/* --- one extraction run ---------------------------------------------- */

/* True when [off, off+n) overlaps a password span seen in this run. */
static bool
in_password(const struct run *r, size_t off, size_t n)
{
    size_t lo = 0, hi = r->npw, mid;

    /* First span that ends after off. */
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (r->pw[mid][0] + r->pw[mid][1] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->npw && r->pw[lo][0] < off + n;
}

/*
 * Adds a finding (taking ownership of value), unless the value is too long
 * or the span lies in a password. Returns false once the run is full.
 */
static bool
add(struct run *r, enum finding_kind kind, char *value, size_t off,
    size_t n, int confidence, int term)
{
    struct item *it;

    if (r->full) {
        x_free(value);
        return false;
    }
    if (strlen(value) > EXTRACT_MAX_VALUE ||
        (kind != FIND_CREDENTIAL && in_password(r, off, n))) {
        x_free(value);
        return true;
    }
    if (r->n == EXTRACT_MAX_FINDINGS) {
        r->full = true;
        x_free(value);
        return false;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = xreallocarray(r->items, r->cap, sizeof(*r->items));
    }
    it = &r->items[r->n];
    memset(it, 0, sizeof(*it));
    it->seq = r->n++;
    it->f.kind = kind;
    it->f.value = value;
    it->f.offset = off;
    it->f.len = n;
    it->f.confidence = confidence;
    it->f.watched = term >= 0;
    it->f.term = term;
    return true;
}

/*
 * Next match of re in the text from *start; fills ov with the ovector.
 * Returns false when there are no more (or on a match error, logged).
 */
static bool
next_match(struct run *r, const pcre2_code *re, size_t *start,
           PCRE2_SIZE **ov)
{
    int rc;

    if (*start > r->len || r->full)
        return false;
    rc = pcre2_match(re, (PCRE2_SPTR)r->text, r->len, *start, 0, r->md,
                     NULL);
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

static bool
group_set(const PCRE2_SIZE *ov, int g)
{
    return ov[2 * g] != PCRE2_UNSET;
}

static void
scan_email(struct run *r)
{
    size_t start = 0, n;
    PCRE2_SIZE *ov;
    const char *at;
    char *v;

    while (next_match(r, r->x->re[PAT_EMAIL], &start, &ov)) {
        n = ov[1] - ov[0];
        v = xstrndup(r->text + ov[0], n);
        lower_str(v);
        at = strchr(v, '@');
        if (strlen(at + 1) > MAX_DOMAIN) {
            x_free(v);
            continue;
        }
        if (!add(r, FIND_EMAIL, v, ov[0], n, 90, watched_term(r->x, at + 1)))
            return;
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

/*
 * "S*******!(9)": the first and last characters (invalid bytes or control
 * characters as '?'), at most HINT_MAX_STARS stars between, and the length
 * in bytes. Passwords of one or two characters are all stars.
 */
static char *
password_hint(const char *pw, size_t n)
{
    const unsigned char *p = (const unsigned char *)pw;
    struct buf b = BUF_INIT(64);
    size_t first, last, stars, i;

    first = utf8_len(p, n);
    last = utf8_last(p, n);
    if (n <= 2 || first == 0 || first >= last) {
        for (i = 0; i < n && i < HINT_MAX_STARS; i++)
            buf_addc(&b, '*');
    } else {
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
    }
    buf_addf(&b, "(%zu)", n);
    return buf_detach(&b, NULL);
}

static bool
all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static void
scan_combo(struct run *r)
{
    static const unsigned char no_key[1];
    const struct extractor *x = r->x;
    size_t start = 0, idlen, pwoff, pwlen, i;
    unsigned int maclen;
    struct finding *f;
    PCRE2_SIZE *ov;
    char *identity, *v;
    int conf, term;
    unsigned char mac[32];
    char hex[17];

    while (next_match(r, x->re[PAT_COMBO], &start, &ov)) {
        idlen = ov[3] - ov[2];
        pwoff = ov[6];
        pwlen = ov[7] - ov[6];
        if (pwlen == 0 || pwlen > MAX_PASSWORD)
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
        maclen = 0;
        if (HMAC(EVP_sha256(), x->keylen ? x->key : no_key, (int)x->keylen,
                 (const unsigned char *)r->text + pwoff, pwlen, mac,
                 &maclen) == NULL ||
            maclen != sizeof(mac)) {
            log_err("hmac-sha256 failed: identity='%s'", identity);
            x_free(identity);
            continue;
        }
        for (i = 0; i < 8; i++) {
            hex[2 * i] = "0123456789abcdef"[mac[i] >> 4];
            hex[2 * i + 1] = "0123456789abcdef"[mac[i] & 15];
        }
        hex[16] = '\0';
        v = xasprintf("%s:%s", identity, hex);
        term = watched_term(x, strchr(identity, '@') + 1);
        if (!add(r, FIND_CREDENTIAL, v, ov[2], ov[7] - ov[2], conf, term)) {
            x_free(identity);
            OPENSSL_cleanse(mac, sizeof(mac));
            return;
        }
        f = &r->items[r->n - 1].f;
        f->identity = identity;
        f->domain = xstrdup(strchr(identity, '@') + 1);
        memcpy(f->pw_hmac, mac, sizeof(mac));
        OPENSSL_cleanse(mac, sizeof(mac));
        f->pw_hint = password_hint(r->text + pwoff, pwlen);
        f->pw_offset = pwoff;
        f->pw_len = pwlen;
        if (r->npw == r->pwcap) {
            r->pwcap = r->pwcap ? r->pwcap * 2 : 16;
            r->pw = xreallocarray(r->pw, r->pwcap, sizeof(*r->pw));
        }
        r->pw[r->npw][0] = pwoff;
        r->pw[r->npw][1] = pwlen;
        r->npw++;
    }
}

static void
scan_brand(struct run *r)
{
    const struct extractor *x = r->x;
    size_t start = 0, g;
    PCRE2_SIZE *ov;

    if (x->brand == NULL)
        return;
    while (next_match(r, x->brand, &start, &ov)) {
        for (g = 0; g < x->nbrand; g++)
            if (group_set(ov, (int)g + 1))
                break;
        if (g == x->nbrand)
            continue;
        if (!add(r, FIND_BRAND, xstrdup(x->brand_value[g]), ov[0],
                 ov[1] - ov[0], x->brand_conf[g], x->brand_term[g]))
            return;
    }
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

static void
scan_ipv4(struct run *r)
{
    size_t start = 0, i, j;
    unsigned int o[4];
    PCRE2_SIZE *ov;
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
        if (!valid)
            continue;
        if (!add(r, FIND_IPV4,
                 xasprintf("%u.%u.%u.%u", o[0], o[1], o[2], o[3]), ov[0],
                 ov[1] - ov[0], ipv4_special(o) ? 50 : 80, -1))
            return;
    }
}

static void
scan_domain(struct run *r)
{
    size_t start = 0, n;
    char tld[25];
    PCRE2_SIZE *ov;
    char *v;

    while (next_match(r, r->x->re[PAT_DOMAIN], &start, &ov)) {
        n = ov[3] - ov[2];
        if (n >= sizeof(tld))
            continue;
        memcpy(tld, r->text + ov[2], n);
        tld[n] = '\0';
        lower_str(tld);
        if (!known_tld(tld))
            continue;
        v = refang(r->text + ov[0], ov[1] - ov[0]);
        lower_str(v);
        if (strlen(v) > MAX_DOMAIN) {
            x_free(v);
            continue;
        }
        if (!add(r, FIND_DOMAIN, v, ov[0], ov[1] - ov[0], 70,
                 watched_term(r->x, v)))
            return;
    }
}

/* Trailing punctuation that ends a sentence, not a URL. */
static size_t
url_trim(const char *s, size_t n)
{
    size_t i, open, close;
    char c, o;

    while (n > 0) {
        c = s[n - 1];
        if (strchr(".,;:!?'\"", c) != NULL) {
            n--;
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
    return n;
}

static void
scan_url(struct run *r)
{
    size_t start = 0, n, i, host, end;
    PCRE2_SIZE *ov;
    const char *p;
    char *v, *w;

    while (next_match(r, r->x->re[PAT_URL], &start, &ov)) {
        n = url_trim(r->text + ov[0], ov[1] - ov[0]);
        v = refang(r->text + ov[0], n);
        p = strstr(v, "://");
        if (p == NULL || p[3] == '\0' || strchr("/?#", p[3]) != NULL) {
            x_free(v);
            continue;
        }
        /* Scheme: lowercase, hxxp -> http, fxp -> ftp. */
        for (w = v; w < p; w++)
            *w = lower(*w);
        if (v[0] == 'h' && v[1] == 'x' && v[2] == 'x') {
            v[1] = 't';
            v[2] = 't';
        } else if (v[0] == 'f' && v[1] == 'x') {
            v[1] = 't';
        }
        /* Host: lowercase after any userinfo. */
        host = (size_t)(p - v) + 3;
        end = host + strcspn(v + host, "/?#");
        for (i = host; i < end; i++)
            if (v[i] == '@')
                host = i + 1;
        for (i = host; i < end; i++)
            v[i] = lower(v[i]);
        if (!add(r, FIND_URL, v, ov[0], n, 85, -1))
            return;
    }
}

static void
scan_hex(struct run *r)
{
    size_t start = 0, n;
    enum finding_kind kind;
    PCRE2_SIZE *ov;
    char *v;

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
        v = xstrndup(r->text + ov[0], n);
        lower_str(v);
        if (!add(r, kind, v, ov[0], n, all_digits(v, n) ? 40 : 80, -1))
            return;
    }
}

static int
cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->f.offset != y->f.offset)
        return x->f.offset < y->f.offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
extract_text(const struct extractor *x, const char *text, size_t len,
             struct findings *out)
{
    struct run r;
    uint32_t groups = 0;
    size_t i;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.x = x;
    r.text = text ? text : "";
    r.len = text ? len : 0;
    for (i = 0; i < PAT_COUNT; i++) {
        uint32_t c = 0;

        pcre2_pattern_info(x->re[i], PCRE2_INFO_CAPTURECOUNT, &c);
        if (c > groups)
            groups = c;
    }
    if (x->nbrand > groups)
        groups = (uint32_t)x->nbrand;
    r.md = pcre2_match_data_create(groups + 1, NULL);
    if (r.md == NULL) {
        log_err("out of memory: pcre2 match data groups=%u", groups + 1);
        abort();
    }

    /* Credentials first: their password spans veto the other kinds. */
    scan_combo(&r);
    scan_email(&r);
    scan_brand(&r);
    scan_ipv4(&r);
    scan_domain(&r);
    scan_url(&r);
    scan_hex(&r);
    if (r.full)
        rc = DRP_ETOOBIG;

    if (r.n > 0)
        qsort(r.items, r.n, sizeof(*r.items), cmp_item);
    out->v = xreallocarray(out->v, out->n + r.n + 1, sizeof(*out->v));
    for (i = 0; i < r.n; i++)
        out->v[out->n++] = r.items[i].f;

    pcre2_match_data_free(r.md);
    x_free(r.items);
    x_free(r.pw);
    return rc;
}

void
extract_redact(char *text, size_t len, const struct findings *f)
{
    const struct finding *fd;
    size_t i;

    for (i = 0; i < f->n; i++) {
        fd = &f->v[i];
        if (fd->kind != FIND_CREDENTIAL || fd->pw_offset >= len)
            continue;
        memset(text + fd->pw_offset, '*',
               fd->pw_len < len - fd->pw_offset ? fd->pw_len
                                                : len - fd->pw_offset);
    }
}

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
    i = start;
    while (i < stop) {
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

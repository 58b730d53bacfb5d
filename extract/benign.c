/*
 * The known-benign set: three sorted tables (domain names, CIDR prefixes
 * as 128-bit IPv6 with IPv4 mapped into ::ffff:0:0/96, hex digests)
 * searched by binary search, domain names suffix by suffix and addresses
 * prefix length by prefix length. Most values are in no list: a bitmap of
 * the domain names' hashes and the merged address ranges answer those
 * first. Parses lists; does not read files.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "extract/benign.h"
#include "common/banned.h"

#define MAX_NAME 253

struct entry {
    char *key;              /* domain or digest, lowercase; NULL for ip */
    unsigned char addr[16]; /* ip: network address, host bits zero */
    unsigned int bits;      /* ip: prefix length over the 128 bits */
    const char *label;      /* interned in benign.labels */
    bool own;
    size_t seq;             /* order of addition: the later wins */
};

struct table {
    struct entry *v;
    size_t n, cap;
};

struct benign {
    struct table domains, ips, hashes;
    char **labels;
    size_t nlabels;
    unsigned char bits[129]; /* prefix lengths present in ips, longest
                                first */
    size_t nbits;
    unsigned char (*span)[2][16]; /* ips merged: [lo, hi], in order */
    size_t nspan;
    uint64_t *names;  /* bitmap of name_hash() of every domain entry */
    uint64_t *tlds;   /* the same of each entry's last label */
    size_t names_mask; /* bits in each bitmap, minus one */
    size_t seq;
};

/* --- building --------------------------------------------------------- */

static const char *
intern(struct benign *b, const char *label, size_t n)
{
    size_t i;

    for (i = 0; i < b->nlabels; i++)
        if (strlen(b->labels[i]) == n && memcmp(b->labels[i], label, n) == 0)
            return b->labels[i];
    b->labels = xreallocarray(b->labels, b->nlabels + 1, sizeof(*b->labels));
    b->labels[b->nlabels] = xstrndup(label, n);
    return b->labels[b->nlabels++];
}

static struct entry *
push(struct benign *b, struct table *t, const char *label, size_t labellen)
{
    struct entry *e;

    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
    }
    e = &t->v[t->n++];
    memset(e, 0, sizeof(*e));
    e->label = intern(b, label, labellen);
    e->own = strcmp(e->label, BENIGN_OWN) == 0;
    e->seq = b->seq++;
    return e;
}

static size_t
entries(const struct benign *b)
{
    return b->domains.n + b->ips.n + b->hashes.n;
}

/* Preferred first among equal keys: own assets, then the latest. */
static int
cmp_pref(const struct entry *x, const struct entry *y)
{
    if (x->own != y->own)
        return x->own ? -1 : 1;
    return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static int
cmp_key(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : cmp_pref(x, y);
}

static int
cmp_ip(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c;

    if (x->bits != y->bits)
        return x->bits < y->bits ? -1 : 1;
    c = memcmp(x->addr, y->addr, 16);
    return c ? c : cmp_pref(x, y);
}

/* Zeroes the bits of a past its first bits. */
static void
mask(unsigned char a[16], unsigned int bits)
{
    unsigned int i;

    for (i = 0; i < 16; i++) {
        if (bits >= 8 * (i + 1))
            continue;
        a[i] &= bits > 8 * i ? (unsigned char)(0xff << (8 * (i + 1) - bits))
                             : 0;
    }
}

/* djb2 over s[0..n) backwards: the suffixes of a name hash as they grow
   (a filter in front of the binary search: collisions cost a search). */
#define NAME_HASH_INIT 5381u
#define NAME_HASH_STEP(h, c) (((h) << 5) + (h) + (unsigned char)(c))

static uint64_t
name_hash(const char *s, size_t n)
{
    uint64_t h = NAME_HASH_INIT;

    while (n-- > 0)
        h = NAME_HASH_STEP(h, s[n]);
    return h;
}

static int
cmp_span(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* The union of the address ranges, merged, for a first answer. */
static void
build_spans(struct benign *b)
{
    unsigned char (*v)[2][16] = xcalloc(b->ips.n + 1, sizeof(*v));
    size_t i, k, n = 0;

    /* [network, network | host bits] of each entry. */
    for (i = 0; i < b->ips.n; i++) {
        memcpy(v[i][0], b->ips.v[i].addr, 16);
        memset(v[i][1], 0xff, 16);
        mask(v[i][1], b->ips.v[i].bits);
        for (k = 0; k < 16; k++)
            v[i][1][k] = (unsigned char)(v[i][0][k] | (v[i][1][k] ^ 0xff));
    }
    qsort(v, b->ips.n, sizeof(*v), cmp_span);
    for (i = 0; i < b->ips.n; i++) {
        if (n > 0 && memcmp(v[i][0], v[n - 1][1], 16) <= 0) {
            if (memcmp(v[i][1], v[n - 1][1], 16) > 0)
                memcpy(v[n - 1][1], v[i][1], 16);
            continue;
        }
        memmove(v[n++], v[i], sizeof(*v));
    }
    x_free(b->span);
    b->span = v;
    b->nspan = n;
}

static void
build_names(struct benign *b)
{
    size_t bits = 4096, i, n;
    const char *key, *dot;
    uint64_t h;

    while (bits < 16 * b->domains.n)
        bits *= 2;
    x_free(b->names);
    x_free(b->tlds);
    b->names = xcalloc(bits / 64, sizeof(*b->names));
    b->tlds = xcalloc(bits / 64, sizeof(*b->tlds));
    b->names_mask = bits - 1;
    for (i = 0; i < b->domains.n; i++) {
        key = b->domains.v[i].key;
        n = strlen(key);
        h = name_hash(key, n) & b->names_mask;
        b->names[h / 64] |= 1ULL << (h % 64);
        dot = strrchr(key, '.');
        h = (dot ? name_hash(dot + 1, n - (size_t)(dot + 1 - key))
                 : name_hash(key, n)) &
            b->names_mask;
        b->tlds[h / 64] |= 1ULL << (h % 64);
    }
}

static void
sort_all(struct benign *b)
{
    size_t i;

    qsort(b->domains.v, b->domains.n, sizeof(struct entry), cmp_key);
    qsort(b->hashes.v, b->hashes.n, sizeof(struct entry), cmp_key);
    qsort(b->ips.v, b->ips.n, sizeof(struct entry), cmp_ip);
    /* ips is sorted by prefix length: its distinct lengths, reversed. */
    b->nbits = 0;
    for (i = b->ips.n; i-- > 0;)
        if (b->nbits == 0 || b->bits[b->nbits - 1] != b->ips.v[i].bits)
            b->bits[b->nbits++] = (unsigned char)b->ips.v[i].bits;
    build_spans(b);
    build_names(b);
}

static void
truncate_table(struct table *t, size_t n)
{
    while (t->n > n)
        x_free(t->v[--t->n].key);
}


/*
 * An IPv4 or IPv6 address as 16 bytes, IPv4 mapped into ::ffff:0:0/96;
 * *v4 tells which. s is NUL-terminated.
 */
static bool
parse_addr(const char *s, unsigned char a[16], bool *v4)
{
    unsigned char four[4];
    unsigned int octet = 0, digits = 0, k = 0;
    const char *p;

    /* Dotted quads ("192.0.2.1", as the extractor writes them) without
       inet_pton(), which costs more than the whole lookup. */
    for (p = s; k < 4; p++) {
        if (*p >= '0' && *p <= '9' && digits < 3) {
            octet = octet * 10 + (unsigned int)(*p - '0');
            digits++;
        } else if ((*p == '.' || *p == '\0') && digits > 0 && octet <= 255 &&
                   (digits == 1 || *(p - digits) != '0')) {
            four[k++] = (unsigned char)octet;
            octet = digits = 0;
            if (*p == '\0')
                break;
        } else {
            break;
        }
    }
    if (k == 4 && *p == '\0') {
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        memcpy(a + 12, four, 4);
        *v4 = true;
        return true;
    }
    if (inet_pton(AF_INET, s, four) == 1) {
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        memcpy(a + 12, four, 4);
        *v4 = true;
        return true;
    }
    *v4 = false;
    return inet_pton(AF_INET6, s, a) == 1;
}

/*
 * "192.0.2.0/24", "2001:db8::/32" or one address into addr and bits (over
 * 128). Returns NULL, or what is wrong.
 */
static const char *
parse_cidr(const char *s, size_t n, unsigned char addr[16],
           unsigned int *bits)
{
    char buf[INET6_ADDRSTRLEN + 8];
    unsigned char masked[16];
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n, i;
    unsigned int max, v = 0;
    bool v4;

    if (alen == 0 || alen >= sizeof(buf))
        return "not an IP address or CIDR range";
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    if (!parse_addr(buf, addr, &v4))
        return "not an IP address or CIDR range";
    max = v4 ? 32 : 128;
    if (slash == NULL) {
        v = max;
    } else {
        if (n - alen < 2 || n - alen > 4)
            return "bad prefix length after '/'";
        for (i = alen + 1; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return "bad prefix length after '/'";
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v > max)
            return "prefix length too large";
    }
    *bits = v + (v4 ? 96 : 0);
    memcpy(masked, addr, 16);
    mask(masked, *bits);
    if (memcmp(masked, addr, 16) != 0)
        return "host bits set after the prefix length";
    return NULL;
}

/*
 * A domain name, lowercased, without "*." in front or a dot at the end,
 * into out (MAX_NAME + 1 bytes). Returns NULL, or what is wrong.
 */
static const char *
parse_domain(const char *s, size_t n, char *out)
{
    size_t i, label = 0;

    if (n >= 2 && s[0] == '*' && s[1] == '.') {
        s += 2;
        n -= 2;
    }
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > MAX_NAME)
        return "not a domain name";
    for (i = 0; i < n; i++) {
        char c = ascii_lower(s[i]);

        if (c == '.') {
            if (label == 0)
                return "empty label in the domain name";
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_') {
            label++;
        } else {
            return "not a domain name (letters, digits, '-', '.')";
        }
        out[i] = c;
    }
    if (label == 0)
        return "empty label in the domain name";
    out[n] = '\0';
    return NULL;
}

static bool
label_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > BENIGN_MAX_LABEL)
        return false;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return false;
    return true;
}

/* One line without its comment; fails with a message in err. */
static int
add_line(struct benign *b, const char *name, size_t lineno, const char *s,
         size_t n, struct buf *err)
{
    struct span f[4];
    const char *what = NULL;
    char domain[MAX_NAME + 1];
    unsigned char addr[16];
    unsigned int bits = 0;
    struct entry *e;
    size_t nf = 0, i = 0, k;

    while (i < n && nf < 4) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i == n)
            break;
        f[nf].ptr = s + i;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            i++;
        f[nf].len = (size_t)(s + i - f[nf].ptr);
        nf++;
    }
    if (nf == 0)
        return 0;
    if (nf != 3) {
        what = "expected three fields: LABEL KIND VALUE";
    } else if (!label_ok(f[0].ptr, f[0].len)) {
        what = "the label must be 1-32 lowercase letters, digits or '-'";
    } else if (span_eq(f[1], "domain")) {
        what = parse_domain(f[2].ptr, f[2].len, domain);
        if (what == NULL) {
            e = push(b, &b->domains, f[0].ptr, f[0].len);
            e->key = xstrdup(domain);
        }
    } else if (span_eq(f[1], "ip")) {
        what = parse_cidr(f[2].ptr, f[2].len, addr, &bits);
        if (what == NULL) {
            e = push(b, &b->ips, f[0].ptr, f[0].len);
            memcpy(e->addr, addr, 16);
            e->bits = bits;
        }
    } else if (span_eq(f[1], "hash")) {
        for (k = 0; k < f[2].len && ascii_isxdigit(f[2].ptr[k]); k++)
            ;
        if (k != f[2].len || (k != 32 && k != 40 && k != 64 && k != 128)) {
            what = "not an MD5, SHA-1, SHA-256 or SHA-512 digest in hex";
        } else {
            e = push(b, &b->hashes, f[0].ptr, f[0].len);
            e->key = xstrndup(f[2].ptr, k);
            for (k = 0; e->key[k] != '\0'; k++)
                e->key[k] = ascii_lower(e->key[k]);
        }
    } else {
        buf_reset(err);
        buf_addf(err,
                 "%s:%zu: unknown kind '%.*s' (expected domain, ip or hash)",
                 name, lineno, (int)(f[1].len > 32 ? 32 : f[1].len), f[1].ptr);
        return DRP_ECONFIG;
    }
    if (what != NULL) {
        buf_reset(err);
        if (nf == 3)
            buf_addf(err, "%s:%zu: %s: '%.*s'", name, lineno, what,
                     (int)(f[nf - 1].len > 64 ? 64 : f[nf - 1].len),
                     f[nf - 1].ptr);
        else
            buf_addf(err, "%s:%zu: %s", name, lineno, what);
        return DRP_ECONFIG;
    }
    return 0;
}

int
benign_add_list(struct benign *b, const char *name, const char *text,
                size_t len, struct buf *err)
{
    size_t nd = b->domains.n, ni = b->ips.n, nh = b->hashes.n;
    size_t off = 0, lineno = 0, n;
    const char *nl, *hash;
    int rc = 0;

    while (off < len) {
        nl = memchr(text + off, '\n', len - off);
        n = nl ? (size_t)(nl - (text + off)) : len - off;
        lineno++;
        if (memchr(text + off, '\0', n) != NULL) {
            buf_reset(err);
            buf_addf(err, "%s:%zu: NUL byte; not a text file", name, lineno);
            rc = DRP_ECONFIG;
            break;
        }
        if (n > BENIGN_MAX_LINE) {
            buf_reset(err);
            buf_addf(err, "%s:%zu: line longer than %d bytes", name, lineno,
                     BENIGN_MAX_LINE);
            rc = DRP_ECONFIG;
            break;
        }
        hash = memchr(text + off, '#', n);
        rc = add_line(b, name, lineno, text + off,
                      hash ? (size_t)(hash - (text + off)) : n, err);
        if (rc < 0)
            break;
        if (entries(b) > BENIGN_MAX_ENTRIES) {
            buf_reset(err);
            buf_addf(err, "%s:%zu: more than %d known-benign entries", name,
                     lineno, BENIGN_MAX_ENTRIES);
            rc = DRP_ETOOBIG;
            break;
        }
        off += n + 1;
    }
    if (rc < 0) {
        truncate_table(&b->domains, nd);
        truncate_table(&b->ips, ni);
        truncate_table(&b->hashes, nh);
    }
    sort_all(b);
    return rc;
}

void
benign_add_terms(struct benign *b, const struct watch_term *terms,
                 size_t nterms)
{
    static const char own[] = BENIGN_OWN;
    char domain[MAX_NAME + 1];
    unsigned char addr[16];
    unsigned int bits;
    const char *v;
    struct entry *e;
    size_t i, n;

    for (i = 0; i < nterms && entries(b) < BENIGN_MAX_ENTRIES; i++) {
        if (terms[i].kind == NULL || terms[i].value == NULL)
            continue;
        v = terms[i].value;
        while (*v == ' ' || *v == '@')
            v++;
        n = strlen(v);
        while (n > 0 && v[n - 1] == ' ')
            n--;
        if (strcmp(terms[i].kind, "ip_range") == 0) {
            if (parse_cidr(v, n, addr, &bits) != NULL)
                continue;
            e = push(b, &b->ips, own, sizeof(own) - 1);
            memcpy(e->addr, addr, 16);
            e->bits = bits;
        } else if (strcmp(terms[i].kind, "domain") == 0 ||
                   strcmp(terms[i].kind, "email_domain") == 0) {
            while (n > 0 && (*v == '*' || *v == '.')) {
                v++;
                n--;
            }
            if (parse_domain(v, n, domain) != NULL)
                continue;
            e = push(b, &b->domains, own, sizeof(own) - 1);
            e->key = xstrdup(domain);
        }
    }
    sort_all(b);
}

struct benign *
benign_new(void)
{
    struct benign *b = xcalloc(1, sizeof(*b));
    struct buf err = BUF_INIT(1024);

    if (benign_add_list(b, "extract/benign.txt", benign_builtin,
                        strlen(benign_builtin), &err) < 0) {
        log_err("built-in known-benign list: %s", buf_str(&err));
        abort();
    }
    buf_release(&err);
    return b;
}

void
benign_free(struct benign *b)
{
    size_t i;

    if (b == NULL)
        return;
    truncate_table(&b->domains, 0);
    truncate_table(&b->hashes, 0);
    x_free(b->domains.v);
    x_free(b->hashes.v);
    x_free(b->ips.v);
    x_free(b->span);
    x_free(b->names);
    x_free(b->tlds);
    for (i = 0; i < b->nlabels; i++)
        x_free(b->labels[i]);
    x_free(b->labels);
    x_free(b);
}

/* --- looking up ------------------------------------------------------- */

/* The preferred entry of t equal to probe under cmp (own entries only if
   own), or NULL. */
static const struct entry *
find(const struct table *t, const struct entry *probe,
     int (*cmp)(const void *, const void *), bool own)
{
    struct entry key = *probe;
    size_t lo = 0, hi = t->n, mid;

    /* Sorts before every entry with its key: own, and the latest seq. */
    key.own = true;
    key.seq = SIZE_MAX;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (cmp(&t->v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < t->n; lo++) {
        key.own = t->v[lo].own;
        key.seq = t->v[lo].seq;
        if (cmp(&t->v[lo], &key) != 0)
            return NULL; /* past the equal keys */
        if (own || !t->v[lo].own)
            return &t->v[lo];
    }
    return NULL;
}

const char *
benign_domain(const struct benign *b, const char *name, bool own)
{
    struct entry probe;
    const struct entry *e;
    char buf[MAX_NAME + 1];
    size_t n, i, nlong = 0, longest[128];
    uint64_t h = NAME_HASH_INIT, bit;
    bool tld = true;

    if (name == NULL || b->domains.n == 0)
        return NULL;
    n = strlen(name);
    if (n > 0 && name[n - 1] == '.') {
        /* Without the final dot (a copy: suffixes are NUL-terminated). */
        n--;
        if (n > MAX_NAME)
            return NULL;
        memcpy(buf, name, n);
        buf[n] = '\0';
        name = buf;
    }
    if (n == 0 || n > MAX_NAME)
        return NULL;
    memset(&probe, 0, sizeof(probe));
    /* Suffixes from the shortest ("com") on, hashed as they grow; the
       longest that is listed wins. A last label no entry ends with ends
       the search at once (most names: "ru", "xyz", "info"). */
    for (i = n; i-- > 0;) {
        h = NAME_HASH_STEP(h, name[i]);
        if (i > 0 && name[i - 1] != '.')
            continue;
        bit = h & b->names_mask;
        if (tld) {
            if (!(b->tlds[bit / 64] & (1ULL << (bit % 64))))
                return NULL;
            tld = false;
        }
        if (b->names[bit / 64] & (1ULL << (bit % 64)))
            longest[nlong++] = i;
        if (nlong == sizeof(longest) / sizeof(longest[0]))
            break; /* 128 labels: no domain has more */
    }
    while (nlong-- > 0) {
        probe.key = (char *)name + longest[nlong];
        e = find(&b->domains, &probe, cmp_key, own);
        if (e != NULL)
            return e->label;
    }
    return NULL;
}

const char *
benign_ip(const struct benign *b, const char *addr, bool own)
{
    struct entry probe;
    const struct entry *e;
    unsigned char a[16];
    size_t i, lo, hi, mid;
    bool v4;

    if (addr == NULL || b->ips.n == 0 || !parse_addr(addr, a, &v4))
        return NULL;
    /* The last merged range starting at or before a must hold it. */
    lo = 0;
    hi = b->nspan;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (memcmp(b->span[mid][0], a, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || memcmp(a, b->span[lo - 1][1], 16) > 0)
        return NULL;
    memset(&probe, 0, sizeof(probe));
    for (i = 0; i < b->nbits; i++) {
        memcpy(probe.addr, a, 16);
        mask(probe.addr, b->bits[i]);
        probe.bits = b->bits[i];
        e = find(&b->ips, &probe, cmp_ip, own);
        if (e != NULL)
            return e->label;
    }
    return NULL;
}

const char *
benign_hash(const struct benign *b, const char *hex)
{
    struct entry probe;
    const struct entry *e;

    if (hex == NULL || b->hashes.n == 0)
        return NULL;
    memset(&probe, 0, sizeof(probe));
    probe.key = (char *)hex;
    e = find(&b->hashes, &probe, cmp_key, true);
    return e ? e->label : NULL;
}

/* The host of a normalised URL ("http://user@host:port/path"). */
static const char *
url_label(const struct benign *b, const char *url)
{
    char host[MAX_NAME + 1];
    const char *p = strstr(url, "://"), *end, *at;
    size_t n;

    if (p == NULL)
        return NULL;
    p += 3;
    end = p + strcspn(p, "/?#");
    for (at = p; at < end; at++)
        if (*at == '@')
            p = at + 1;
    if (*p == '[') {
        p++;
        n = strcspn(p, "]");
        if (p + n > end)
            return NULL;
    } else {
        n = strcspn(p, ":/?#");
    }
    if (n == 0 || n > MAX_NAME)
        return NULL;
    memcpy(host, p, n);
    host[n] = '\0';
    if (strchr(host, ':') != NULL || strspn(host, "0123456789.") == n)
        return benign_ip(b, host, true);
    return benign_domain(b, host, true);
}

void
benign_label(const struct benign *b, struct finding *f, size_t n)
{
    const char *at;
    size_t i;

    for (i = 0; i < n; i++) {
        switch (f[i].kind) {
        case FIND_DOMAIN:
            f[i].benign = benign_domain(b, f[i].value, true);
            break;
        case FIND_URL:
            f[i].benign = url_label(b, f[i].value);
            break;
        case FIND_IPV4:
        case FIND_IPV6:
            f[i].benign = benign_ip(b, f[i].value, true);
            break;
        case FIND_MD5:
        case FIND_SHA1:
        case FIND_SHA256:
        case FIND_SHA512:
            f[i].benign = benign_hash(b, f[i].value);
            break;
        case FIND_EMAIL:
            at = strrchr(f[i].value, '@');
            f[i].benign = at ? benign_domain(b, at + 1, false) : NULL;
            break;
        case FIND_CREDENTIAL:
            f[i].benign = benign_domain(b, f[i].domain, false);
            break;
        default:
            f[i].benign = NULL;
            break;
        }
    }
}

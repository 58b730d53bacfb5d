/*
 * drpwatch scan [--json] [--watch FILE] FILE|-: the extraction engine on a
 * file or stdin, without a database. The input is read in blocks cut at
 * line ends, so memory stays bounded whatever its size; passwords are
 * printed masked, never in clear.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <unistr.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "extract/extract.h"
#include "extract/html.h"
#include "common/banned.h"

#define SCAN_BLOCK (1u << 20) /* bytes handed to the engine at once */
/* One JSON line: a finding's raw text (a key block, at most some 64 KiB)
   six times over if every byte were escaped, and the other fields. */
#define SCAN_LINE_MAX (1u << 20)
/* JSON lines are gathered and written this many bytes at a time: one
   fwrite() a line cost as much as building it. */
#define SCAN_FLUSH (256u << 10)

struct scan {
    const struct extractor *x;
    const struct config *cfg;
    bool json;
    FILE *out;
    struct buf line; /* JSON lines not written yet, then the one being
                        built (SCAN_FLUSH + SCAN_LINE_MAX at most) */
    size_t *term_len; /* strlen of each watch term's value */
    unsigned long long findings[FIND_KIND_COUNT];
};

/* Where to cut a block of len bytes: after its last line end, else after
   its last blank, else (one huge token) at len. */
static size_t
cut_point(const char *p, size_t len)
{
    size_t i;

    for (i = len; i > 0; i--)
        if (p[i - 1] == '\n')
            return i;
    for (i = len; i > 0; i--)
        if (p[i - 1] == ' ' || p[i - 1] == '\t' || p[i - 1] == '\r')
            return i;
    return len;
}

#define ONES 0x0101010101010101ull

/* Bit 7 set in the bytes of w that are 0 (and maybe in bytes after them:
   only whether any is set matters here). */
static inline uint64_t
zero_byte(uint64_t w)
{
    return (w - ONES) & ~w & (ONES * 0x80);
}

/*
 * s[0..n) as a JSON string, quotes included. Each line is built in a
 * buffer and written with one fwrite: a jansson object per finding took a
 * sixth of scan's time on dense input, and fprintf per field more than
 * the extraction itself. Invalid UTF-8 becomes U+FFFD (html_from_text),
 * so the line is always valid JSON.
 */
static void
put_str(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    struct html_doc d;
    char esc[6] = { '\\' };
    size_t i, run = 0;

    /* The common case, plain ASCII, eight bytes at a time: a word with
       no byte < 0x20 or >= 0x80, no '"' and no '\\' is copied as is. */
    for (i = 0; i + 8 <= n; i += 8) {
        uint64_t w;

        memcpy(&w, s + i, 8);
        if (((w - ONES * 0x20) | w | zero_byte(w ^ (ONES * '"')) |
             zero_byte(w ^ (ONES * '\\'))) & (ONES * 0x80))
            break;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x80 ||
            s[i] == '"' || s[i] == '\\')
            break;
    if (i == n) {
        /* Written in place when it fits, as most do: three appends a
           string, each with its checks and NUL, showed in profiles. */
        if (n + 2 < out->cap - out->len && n + 2 <= out->max - out->len) {
            char *p = out->ptr + out->len;

            p[0] = '"';
            memcpy(p + 1, s, n);
            p[n + 1] = '"';
            p[n + 2] = '\0';
            out->len += n + 2;
            return;
        }
        buf_addc(out, '"');
        buf_add(out, s, n);
        buf_addc(out, '"');
        return;
    }
    if (u8_check((const uint8_t *)s, n) != NULL) {
        html_doc_init(&d);
        html_from_text(s, n, &d);
        put_str(out, buf_str(&d.text), d.text.len);
        html_doc_release(&d);
        return;
    }
    buf_addc(out, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        buf_add(out, s + run, i - run);
        /* By hand: buf_addf() per tab of a combo line cost as much as
           the rest of the line. */
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            buf_add(out, esc, 2);
        } else {
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xf];
            buf_add(out, esc, 6);
        }
        run = i + 1;
    }
    buf_add(out, s + run, n - run);
    buf_addc(out, '"');
}

/* A string literal without strlen(): keys and punctuation. */
#define PUT_LIT(out, lit) buf_add((out), (lit), sizeof(lit) - 1)

/* ,"key":"value" with the key a literal: ",\"key\":" */
#define PUT_FIELD(out, key, s, n)                                             \
    do {                                                                      \
        PUT_LIT(out, ",\"" key "\":");                                        \
        put_str((out), (s), (n));                                             \
    } while (0)

/* A decimal number without printf's cost. */
static void
put_uint(struct buf *out, unsigned long long v)
{
    char num[24], *p = num + sizeof(num);

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    buf_add(out, p, (size_t)(num + sizeof(num) - p));
}

/* Writes the JSON lines gathered so far. */
static void
flush_json(struct scan *sc)
{
    if (sc->line.len > 0)
        fwrite(sc->line.ptr, 1, sc->line.len, sc->out);
    buf_reset(&sc->line);
}

/*
 * The fast path of a JSON line: written through a cursor into room made
 * once for the line's worst case (every byte escaped), in one pass per
 * string, with no check or NUL per append. A call per field through
 * buf_add() cost as much as the escaping. Strings not valid UTF-8 (rare:
 * they take html_from_text()) make it give up; put_str() does the line.
 */

/* Room for s[0..n) written by put_raw(): quotes, six bytes a byte, and
   the sixteen-byte block stored past the end. */
#define RAW_ROOM(n) (6 * (size_t)(n) + 2 + 16)

/* Byte c escaped at p. */
static char *
put_escaped(char *p, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    if (c == '"' || c == '\\') {
        p[0] = '\\';
        p[1] = (char)c;
        return p + 2;
    }
    memcpy(p, "\\u00", 4);
    p[4] = hex[c >> 4];
    p[5] = hex[c & 0xf];
    return p + 6;
}

#ifdef __SSE2__
/*
 * Bit i set when byte i of the sixteen at s needs a look: a control
 * byte, '"', '\\', and (unless utf8, the string being checked already)
 * a byte of a multibyte character.
 */
static inline unsigned
block_marks(const char *s, bool utf8)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

    if (utf8) /* unsigned v < 0x20 */
        m = _mm_or_si128(
            m, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
    else /* signed v < 0x20: controls and bytes >= 0x80 */
        m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return (unsigned)_mm_movemask_epi8(m);
}

/* "s[0..n)" at p, sixteen bytes at a time; NULL when s is not valid
   UTF-8. */
static char *
put_raw(char *p, const char *s, size_t n)
{
    char tail[16];
    const char *b;
    bool utf8 = false;
    unsigned marks;
    size_t i = 0, k, left;

    *p++ = '"';
    while (i < n) {
        left = n - i;
        if (left >= 16) {
            b = s + i;
        } else {
            memset(tail, 'a', sizeof(tail));
            memcpy(tail, s + i, left);
            b = tail;
        }
        marks = block_marks(b, utf8);
        if (left < 16)
            marks &= (1u << left) - 1;
        /* The block goes out whole; p moves past its plain head. */
        _mm_storeu_si128((__m128i *)p, _mm_loadu_si128((const __m128i *)b));
        if (marks == 0) {
            k = left < 16 ? left : 16;
            p += k;
            i += k;
            continue;
        }
        k = (size_t)__builtin_ctz(marks);
        p += k;
        i += k;
        if ((unsigned char)s[i] >= 0x80) {
            /* Bytes before the first non-ASCII one are ASCII: checking
               from it checks the whole string. */
            if (u8_check((const uint8_t *)s + i, n - i) != NULL)
                return NULL;
            utf8 = true;
            continue;
        }
        p = put_escaped(p, (unsigned char)s[i]);
        i++;
    }
    *p++ = '"';
    return p;
}
#else
/* "s[0..n)" at p; NULL when s is not valid UTF-8. */
static char *
put_raw(char *p, const char *s, size_t n)
{
    bool checked = false;
    size_t i;

    *p++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == '"' || c == '\\') {
            p = put_escaped(p, c);
            continue;
        }
        /* Bytes before the first non-ASCII one are ASCII: checking from
           it checks the whole string. */
        if (c >= 0x80 && !checked) {
            if (u8_check((const uint8_t *)s + i, n - i) != NULL)
                return NULL;
            checked = true;
        }
        *p++ = (char)c;
    }
    *p++ = '"';
    return p;
}
#endif

/* A literal at p, without its NUL. */
#define RAW_LIT(p, lit)                                                       \
    (memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* A decimal number at p. */
static char *
raw_uint(char *p, unsigned long long v)
{
    char num[24], *q = num + sizeof(num);
    size_t n;

    do {
        *--q = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    n = (size_t)(num + sizeof(num) - q);
    memcpy(p, q, n);
    return p + n;
}

/* ,"key":"value" at p; NULL as put_raw(). */
#define RAW_FIELD(p, key, s, n)                                               \
    ((p) = RAW_LIT((p), ",\"" key "\":"), (p) = put_raw((p), (s), (n)))

/* The longest of the literals and numbers of a line, strings aside. */
#define JSON_LINE_FIXED 512

/*
 * fd's JSON line (snippet: a brand mention's, or NULL) at the end of out
 * when the room for its worst case fits under out's cap; false (out
 * unchanged) otherwise, or when a string is not valid UTF-8.
 */
static bool
print_json_fast(struct scan *sc, const struct finding *fd, const char *raw,
                unsigned long long base, const char *snippet,
                size_t snippet_len)
{
    struct buf *out = &sc->line;
    const char *kind = finding_kind_name(fd->kind);
    size_t value_len = strlen(fd->value), unicode_len = 0, term_len = 0;
    size_t identity_len = 0, domain_len = 0, hint_len = 0, benign_len = 0;
    size_t kind_len = strlen(kind), room;
    bool term = fd->term >= 0 && (size_t)fd->term < sc->cfg->nterms;
    char *p;

    if (fd->unicode != NULL)
        unicode_len = strlen(fd->unicode);
    if (term)
        term_len = sc->term_len[fd->term];
    if (fd->kind == FIND_CREDENTIAL) {
        identity_len = strlen(fd->identity);
        if (fd->domain)
            domain_len = strlen(fd->domain);
        hint_len = strlen(fd->pw_hint);
    }
    if (fd->benign)
        benign_len = strlen(fd->benign);
    /* Each length is under SCAN_BLOCK or EXTRACT_MAX_VALUE-ish, so no
       sum wraps; the cap decides. */
    room = JSON_LINE_FIXED + kind_len + RAW_ROOM(value_len) +
           RAW_ROOM(unicode_len) + RAW_ROOM(fd->len) + RAW_ROOM(term_len) +
           RAW_ROOM(snippet_len) + RAW_ROOM(identity_len) +
           RAW_ROOM(domain_len) + RAW_ROOM(hint_len) + RAW_ROOM(benign_len);
    if (room >= out->cap - out->len && buf_grow(out, room) < 0)
        return false;
    p = out->ptr + out->len;
    p = RAW_LIT(p, "{\"kind\":\"");
    memcpy(p, kind, kind_len);
    p += kind_len;
    *p++ = '"';
    if (RAW_FIELD(p, "value", fd->value, value_len) == NULL)
        return false;
    if (fd->unicode != NULL &&
        RAW_FIELD(p, "unicode", fd->unicode, unicode_len) == NULL)
        return false;
    if (RAW_FIELD(p, "raw", raw + fd->offset, fd->len) == NULL)
        return false;
    p = RAW_LIT(p, ",\"offset\":");
    p = raw_uint(p, base + fd->offset);
    p = RAW_LIT(p, ",\"confidence\":");
    p = raw_uint(p, fd->confidence > 0 ? (unsigned long long)fd->confidence
                                       : 0);
    if (fd->watched)
        p = RAW_LIT(p, ",\"watched\":true");
    else
        p = RAW_LIT(p, ",\"watched\":false");
    if (term &&
        RAW_FIELD(p, "term", sc->cfg->terms[fd->term].value, term_len) ==
            NULL)
        return false;
    if (fd->kind == FIND_BRAND) {
        if (fd->variant)
            p = RAW_LIT(p, ",\"variant\":true");
        else
            p = RAW_LIT(p, ",\"variant\":false");
        if (RAW_FIELD(p, "snippet", snippet, snippet_len) == NULL)
            return false;
    }
    if (fd->kind == FIND_CREDENTIAL) {
        if (RAW_FIELD(p, "identity", fd->identity, identity_len) == NULL)
            return false;
        if (fd->domain &&
            RAW_FIELD(p, "domain", fd->domain, domain_len) == NULL)
            return false;
        if (RAW_FIELD(p, "password_hint", fd->pw_hint, hint_len) == NULL)
            return false;
    }
    if (fd->benign && RAW_FIELD(p, "benign", fd->benign, benign_len) == NULL)
        return false;
    p = RAW_LIT(p, "}\n");
    *p = '\0';
    out->len = (size_t)(p - out->ptr);
    return true;
}

static void
print_json(struct scan *sc, const struct finding *fd, const char *raw,
           size_t len, unsigned long long base)
{
    struct buf *out = &sc->line;
    size_t start;
    char *snippet = NULL;
    const char *v;

    if (out->len >= SCAN_FLUSH)
        flush_json(sc);
    /* The mention in its context, from the redacted text. */
    if (fd->kind == FIND_BRAND)
        snippet = extract_snippet(raw, len, fd);
    if (print_json_fast(sc, fd, raw, base, snippet,
                        snippet ? strlen(snippet) : 0)) {
        x_free(snippet);
        return;
    }
    start = out->len;
    PUT_LIT(out, "{\"kind\":\"");
    buf_adds(out, finding_kind_name(fd->kind));
    buf_addc(out, '"');
    PUT_FIELD(out, "value", fd->value, strlen(fd->value));
    if (fd->unicode != NULL)
        PUT_FIELD(out, "unicode", fd->unicode, strlen(fd->unicode));
    PUT_FIELD(out, "raw", raw + fd->offset, fd->len);
    PUT_LIT(out, ",\"offset\":");
    put_uint(out, base + fd->offset);
    PUT_LIT(out, ",\"confidence\":");
    put_uint(out, fd->confidence > 0 ? (unsigned long long)fd->confidence : 0);
    if (fd->watched)
        PUT_LIT(out, ",\"watched\":true");
    else
        PUT_LIT(out, ",\"watched\":false");
    if (fd->term >= 0 && (size_t)fd->term < sc->cfg->nterms) {
        v = sc->cfg->terms[fd->term].value;
        PUT_FIELD(out, "term", v, strlen(v));
    }
    if (fd->kind == FIND_BRAND) {
        if (fd->variant)
            PUT_LIT(out, ",\"variant\":true");
        else
            PUT_LIT(out, ",\"variant\":false");
        PUT_FIELD(out, "snippet", snippet, strlen(snippet));
    }
    if (fd->kind == FIND_CREDENTIAL) {
        PUT_FIELD(out, "identity", fd->identity, strlen(fd->identity));
        if (fd->domain)
            PUT_FIELD(out, "domain", fd->domain, strlen(fd->domain));
        PUT_FIELD(out, "password_hint", fd->pw_hint, strlen(fd->pw_hint));
    }
    if (fd->benign)
        PUT_FIELD(out, "benign", fd->benign, strlen(fd->benign));
    if (PUT_LIT(out, "}\n") < 0) {
        log_warn("scan: finding at offset %llu too long to print",
                 base + fd->offset);
        out->len = start; /* the lines before it stay */
        if (out->ptr != NULL)
            out->ptr[start] = '\0';
    }
    x_free(snippet);
}

static void
print_row(struct scan *sc, const struct finding *fd, unsigned long long base)
{
    /* Streamed rows: fixed widths, since the input may be endless. */
    fprintf(sc->out, "%-12llu  %-16s  %4d  %-13s  %s%s\n", base + fd->offset,
            finding_kind_name(fd->kind), fd->confidence,
            fd->benign ? fd->benign : "-", fd->value,
            fd->variant ? " (variant)" : "");
}

/* Extracts from block[0..len) (redacted in place) found at base. */
static int
scan_block(struct scan *sc, char *block, size_t len, unsigned long long base)
{
    struct findings f;
    size_t i;
    int rc;

    findings_init(&f);
    rc = extract_text(sc->x, block, len, &f);
    if (rc < 0)
        log_warn("scan: more than %d findings in one block at offset %llu; "
                 "the rest of the block was skipped", EXTRACT_MAX_FINDINGS,
                 base);
    extract_redact(block, len, &f);
    for (i = 0; i < f.n; i++) {
        sc->findings[f.v[i].kind]++;
        if (sc->json)
            print_json(sc, &f.v[i], block, len, base);
        else
            print_row(sc, &f.v[i], base);
    }
    if (sc->json)
        flush_json(sc); /* a block's lines out before the next is read */
    findings_release(&f);
    return 0;
}

static int
scan_stream(struct scan *sc, FILE *in, const char *name)
{
    char *block = xmalloc(SCAN_BLOCK);
    size_t have = 0, n, cut;
    unsigned long long base = 0;
    bool eof = false;
    int rc = 0;

    while (!eof || have > 0) {
        while (!eof && have < SCAN_BLOCK) {
            n = fread(block + have, 1, SCAN_BLOCK - have, in);
            have += n;
            if (n == 0) {
                if (ferror(in)) {
                    log_err("scan: cannot read '%s': %s", name,
                            strerror(errno));
                    rc = EXIT_FAIL;
                    goto out;
                }
                eof = true;
            }
        }
        cut = eof ? have : cut_point(block, have);
        scan_block(sc, block, cut, base);
        memmove(block, block + cut, have - cut);
        have -= cut;
        base += cut;
    }
out:
    free(block);
    return rc;
}

int
cmd_scan(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "watch", required_argument, NULL, 'w' },
        { NULL, 0, NULL, 0 },
    };
    struct config cfg;
    struct buf err = BUF_INIT(8192);
    struct buf key = BUF_INIT(SECRET_MAX_KEY);
    struct scan sc = { 0 };
    struct extractor *x = NULL;
    const char *watch = NULL, *name;
    FILE *in = NULL;
    int rc = EXIT_OK;
    size_t t;
    int ch, k;

#ifdef M_MMAP_THRESHOLD
    /*
     * Each block's arrays (findings, candidates, sort keys: hundreds of
     * kilobytes) were mapped and unmapped again by glibc, their pages
     * faulted in afresh, and the heap trimmed and grown back: some 3 % of
     * a scan. They stay in the heap for the next block instead; peak
     * memory is the same, since each block reuses what the last freed.
     */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
    config_init(&cfg);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'j') {
            sc.json = true;
        } else if (ch == 'w') {
            watch = optarg;
        } else {
            rc = EXIT_USAGE;
            goto usage;
        }
    }
    if (optind + 1 != argc) {
        rc = EXIT_USAGE;
        goto usage;
    }
    name = argv[optind];
    if (watch && config_load(&cfg, watch, &err) < 0) {
        fprintf(stderr, "drpwatch: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    if (secret_load_key(cfg.hash_key_file, c->data_dir, &key, &err) < 0) {
        log_err("cannot load the credential hash key: %s", buf_str(&err));
        rc = EXIT_FAIL;
        goto out;
    }
    x = extractor_new(cfg.terms, cfg.nterms,
                      (const unsigned char *)buf_str(&key), key.len);
    if (x == NULL) {
        log_err("cannot build the extractor for the watch terms");
        rc = EXIT_FAIL;
        goto out;
    }
    if (cli_load_benign(x, cfg.benign_file) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (in == NULL) {
        log_err("scan: cannot open '%s': %s", name, strerror(errno));
        rc = EXIT_FAIL;
        goto out;
    }
    sc.x = x;
    sc.cfg = &cfg;
    sc.term_len = xreallocarray(NULL, cfg.nterms + 1, sizeof(*sc.term_len));
    for (t = 0; t < cfg.nterms; t++)
        sc.term_len[t] = strlen(cfg.terms[t].value);
    sc.out = stdout;
    buf_init(&sc.line, SCAN_FLUSH + SCAN_LINE_MAX);
    if (!sc.json)
        fprintf(sc.out, "%-12s  %-16s  %4s  %-13s  %s\n", "OFFSET", "KIND",
                "CONF", "BENIGN", "VALUE");
    rc = scan_stream(&sc, in, name);
    if (!sc.json) {
        unsigned long long total = 0;

        for (k = 0; k < FIND_KIND_COUNT; k++)
            total += sc.findings[k];
        fprintf(sc.out, "%llu finding%s\n", total, total == 1 ? "" : "s");
    }
    if (fflush(stdout) != 0) {
        log_err("scan: cannot write the output: %s", strerror(errno));
        rc = EXIT_FAIL;
    }
    goto out;
usage:
    fprintf(stderr, "usage: drpwatch scan [--json] [--watch FILE] FILE|-\n");
out:
    if (in && in != stdin)
        fclose(in);
    extractor_free(x);
    config_release(&cfg);
    buf_release(&sc.line);
    x_free(sc.term_len);
    buf_release(&key);
    buf_release(&err);
    return rc;
}

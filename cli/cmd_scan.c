/*
 * drpwatch scan [--json] [--watch FILE] FILE|-: the extraction engine on a
 * file or stdin, without a database. The input is read in blocks cut at
 * line ends, so memory stays bounded whatever its size; passwords are
 * printed masked, never in clear.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "extract/window.h"
#include "common/banned.h"

/* Bytes handed to the engine at once (extract/window.h):
   DRPWATCH_SCAN_BLOCK, from WINDOW_MIN to SCAN_BLOCK_MAX; WINDOW_BLOCK
   unless it is set. */
#define SCAN_BLOCK_MAX (1u << 30)
/* One JSON line: a finding's raw text (a key block, at most some 64 KiB)
   six times over if every byte were escaped, and the other fields. A
   longer line is not printed (a warning says so). */
#define SCAN_LINE_MAX (1u << 20)
/* Bytes a line may hold past SCAN_LINE_MAX while it is written: the block
   put_raw() stores past a string's end, the literals after it
   (JSON_LINE_FIXED and RAW_ROOM(0) at most). */
#define JSON_LINE_SLACK 1024
/* JSON lines are gathered and written this many bytes at a time: one
   fwrite() a line cost as much as building it. */
#define SCAN_FLUSH (256u << 10)

struct scan {
    const struct extractor *x;
    const struct config *cfg;
    bool json;
    FILE *out;
    struct buf line; /* lines not written yet, then the one being built
                        (SCAN_FLUSH + SCAN_LINE_MAX at most, and
                        JSON_LINE_SLACK) */
    size_t *term_len; /* strlen of each watch term's value */
    char kind_lit[FIND_KIND_COUNT][32]; /* {"kind":"NAME" of each kind */
    size_t kind_lit_len[FIND_KIND_COUNT];
    unsigned long long findings[FIND_KIND_COUNT];
    struct window win; /* the input's blocks (win.block: their size) */
};

/* Writes the lines gathered so far. */
static void
flush_lines(struct scan *sc)
{
    if (sc->line.len > 0)
        fwrite(sc->line.ptr, 1, sc->line.len, sc->out);
    buf_reset(&sc->line);
}

/*
 * A JSON line is written through a cursor into room made for each string's
 * worst case (every byte escaped), in one pass per string, with no check
 * or NUL per append: a call per field through buf_add() cost as much as
 * the escaping, and a jansson object per finding a sixth of scan's time on
 * dense input. A string that is not valid UTF-8 (rare) is written as
 * html_from_text() makes it, bad bytes as U+FFFD, so the line is always
 * valid JSON. A line longer than SCAN_LINE_MAX is not printed.
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
 * Bit i set when byte i of block v needs a look: a control byte, '"',
 * '\\', and (unless utf8, the string being checked already) a byte of a
 * multibyte character.
 */
static inline unsigned
block_marks(__m128i v, bool utf8)
{
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

    if (utf8) /* unsigned v < 0x20 */
        m = _mm_or_si128(
            m, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
    else /* signed v < 0x20: controls and bytes >= 0x80 */
        m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return (unsigned)_mm_movemask_epi8(m);
}

/* s[0..n), n < 16, as the head of a block (the rest is left over), read
   without a byte past s + n: two loads that overlap, or three bytes. */
static inline __m128i
load_short(const char *s, size_t n)
{
    uint64_t lo = 0, hi = 0;
    uint32_t a, b;

    if (n >= 8) {
        memcpy(&lo, s, 8);
        memcpy(&hi, s + n - 8, 8);
        hi = n > 8 ? hi >> (8 * (16 - n)) : 0;
    } else if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        lo = a | (uint64_t)b << (8 * (n - 4));
    } else if (n > 0) {
        lo = (uint64_t)(unsigned char)s[0] |
             (uint64_t)(unsigned char)s[n / 2] << (8 * (n / 2)) |
             (uint64_t)(unsigned char)s[n - 1] << (8 * (n - 1));
    }
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

/* put_raw() from s + i on, p at its copy: the bytes before were copied
   as they are. */
static char *
put_raw_from(char *p, const char *s, size_t n, size_t i)
{
    __m128i v;
    bool utf8 = false;
    unsigned marks;
    size_t k, left, back;
    size_t plain = i; /* bytes before p copied as they are from before
                         s + i */

    while (i < n) {
        left = n - i;
        back = 0;
        if (left >= 16) {
            v = _mm_loadu_si128((const __m128i *)(s + i));
        } else if (n >= 16 && plain >= 16 - left) {
            /* The last sixteen bytes, stored over the copies of those
               before s + i. */
            back = 16 - left;
            v = _mm_loadu_si128((const __m128i *)(s + n - 16));
        } else {
            v = load_short(s + i, left);
        }
        marks = block_marks(v, utf8) >> back;
        if (left < 16)
            marks &= (1u << left) - 1;
        /* The block goes out whole; p moves past its plain head. */
        _mm_storeu_si128((__m128i *)(p - back), v);
        if (marks == 0) {
            k = left < 16 ? left : 16;
            p += k;
            i += k;
            plain += k;
            continue;
        }
        k = (size_t)__builtin_ctz(marks);
        p += k;
        i += k;
        plain += k;
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
        plain = 0;
    }
    *p++ = '"';
    return p;
}

/*
 * "s[0..n)" at p, sixteen bytes at a time; NULL when s is not valid
 * UTF-8. Inline for the usual string, printable ASCII: its blocks are
 * copied while none has a byte to look at, the last one read as the
 * string's last sixteen bytes (or in pieces when it is shorter).
 */
__attribute__((always_inline)) static inline char *
put_raw(char *p, const char *s, size_t n)
{
    __m128i v;
    size_t i, back;

    *p++ = '"';
    for (i = 0; i + 16 <= n; i += 16) {
        v = _mm_loadu_si128((const __m128i *)(s + i));
        _mm_storeu_si128((__m128i *)(p + i), v);
        if (block_marks(v, false) != 0)
            return put_raw_from(p + i, s, n, i);
    }
    if (i < n) {
        back = n >= 16 ? 16 - (n - i) : 0;
        v = n >= 16 ? _mm_loadu_si128((const __m128i *)(s + n - 16))
                    : load_short(s, n);
        _mm_storeu_si128((__m128i *)(p + i - back), v);
        if ((block_marks(v, false) >> back) & ((1u << (n - i)) - 1))
            return put_raw_from(p + i, s, n, i);
    }
    p += n;
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

/* A decimal number at p: its digits counted first (from its highest bit
   set, and one comparison), then written in place two at a time. */
static char *
raw_uint(char *p, unsigned long long v)
{
    static const char pairs[] = "00010203040506070809"
                                "10111213141516171819"
                                "20212223242526272829"
                                "30313233343536373839"
                                "40414243444546474849"
                                "50515253545556575859"
                                "60616263646566676869"
                                "70717273747576777879"
                                "80818283848586878889"
                                "90919293949596979899";
    static const unsigned long long pow10[20] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
        10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
        100000000000ULL, 1000000000000ULL, 10000000000000ULL,
        100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
        100000000000000000ULL, 1000000000000000000ULL,
        10000000000000000000ULL
    };
    unsigned long long t;
    size_t n;
    char *q;

    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    /* log10(2) is about 1233 / 4096. */
    n = (size_t)(64 - __builtin_clzll(v)) * 1233 >> 12;
    n += v >= pow10[n];
    q = p + n;
    while (v >= 100) {
        t = v / 100;
        q -= 2;
        memcpy(q, pairs + 2 * (v - 100 * t), 2);
        v = t;
    }
    if (v >= 10)
        memcpy(q - 2, pairs + 2 * v, 2);
    else
        q[-1] = (char)('0' + v);
    return p + n;
}

/* The longest run of literals and numbers between two strings of a line. */
#define JSON_LINE_FIXED 512

/* A JSON line being written at the end of out (out->len is its start). */
struct jline {
    struct buf *out;
    char *p;   /* the cursor */
    char *end; /* out->ptr + out->cap */
};

/* jline_room() when the room is not there yet. */
static bool
jline_grow(struct jline *l, size_t need)
{
    size_t at = (size_t)(l->p - l->out->ptr);

    if (at - l->out->len + need + JSON_LINE_FIXED >
            SCAN_LINE_MAX + JSON_LINE_SLACK ||
        buf_grow(l->out, at - l->out->len + need + JSON_LINE_FIXED) < 0)
        return false;
    l->p = l->out->ptr + at;
    l->end = l->out->ptr + l->out->cap;
    return true;
}

/*
 * Room for need bytes at the cursor and the literals after them, within
 * SCAN_LINE_MAX of the line and some slack (put_raw()'s block stores);
 * false when there is none.
 */
static inline bool
jline_room(struct jline *l, size_t need)
{
    return need + JSON_LINE_FIXED < (size_t)(l->end - l->p) ||
           jline_grow(l, need);
}

/* The room put_raw() needs for s[0..n) exactly (as valid UTF-8). */
static size_t
raw_room_exact(const char *s, size_t n)
{
    size_t i, room = RAW_ROOM(0) + n;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        room += c == '"' || c == '\\' ? 1 : c < 0x20 ? 5 : 0;
    }
    return room;
}

static inline bool jline_str(struct jline *l, const char *s, size_t n);

/* jline_str() of a string whose worst case passes the line's cap, or
   that is not valid UTF-8 (written as html_from_text() makes it). */
static bool
jline_str_slow(struct jline *l, const char *s, size_t n)
{
    struct html_doc d;
    char *q;
    bool ok;

    if (u8_check((const uint8_t *)s, n) == NULL) {
        if (!jline_room(l, raw_room_exact(s, n)))
            return false;
        q = put_raw(l->p, s, n);
        assert(q != NULL);
        l->p = q;
        return true;
    }
    html_doc_init(&d);
    ok = html_from_text(s, n, &d) == 0 &&
         jline_str(l, buf_str(&d.text), d.text.len);
    html_doc_release(&d);
    return ok;
}

/*
 * "s[0..n)" at the cursor; false when the line would pass its cap. The
 * worst case first: counting the exact room costs a pass. Always inline,
 * and put_raw() in it: gcc made calls of them, 15% of a line's cost.
 */
__attribute__((always_inline)) static inline bool
jline_str(struct jline *l, const char *s, size_t n)
{
    char *q;

    if (jline_room(l, RAW_ROOM(n))) {
        q = put_raw(l->p, s, n);
        if (q != NULL) {
            l->p = q;
            return true;
        }
    }
    return jline_str_slow(l, s, n);
}

/* ,"key":"value" at the cursor, key a literal; false as jline_str(). */
#define JLINE_FIELD(l, key, s, n)                                             \
    ((l)->p = RAW_LIT((l)->p, ",\"" key "\":"), jline_str((l), (s), (n)))

/* ,"key":true or ,"key":false at the cursor, key a literal. */
#define JLINE_BOOL(l, key, v)                                                 \
    ((l)->p = (v) ? RAW_LIT((l)->p, ",\"" key "\":true")                      \
                  : RAW_LIT((l)->p, ",\"" key "\":false"))

/* fd's fields at the cursor (snippet: a brand mention's); false as
   jline_str(). */
static bool
jline_finding(struct jline *l, const struct scan *sc,
              const struct finding *fd, const char *raw,
              unsigned long long base, const char *snippet)
{
    bool term = fd->term >= 0 && (size_t)fd->term < sc->cfg->nterms;

    memcpy(l->p, sc->kind_lit[fd->kind], sizeof(sc->kind_lit[0]));
    l->p += sc->kind_lit_len[fd->kind];
    if (!JLINE_FIELD(l, "value", fd->value, strlen(fd->value)) ||
        (fd->unicode != NULL &&
         !JLINE_FIELD(l, "unicode", fd->unicode, strlen(fd->unicode))) ||
        !JLINE_FIELD(l, "raw", raw + fd->offset, fd->len))
        return false;
    l->p = RAW_LIT(l->p, ",\"offset\":");
    l->p = raw_uint(l->p, base + fd->offset);
    l->p = RAW_LIT(l->p, ",\"confidence\":");
    l->p = raw_uint(l->p, fd->confidence > 0
                              ? (unsigned long long)fd->confidence
                              : 0);
    JLINE_BOOL(l, "watched", fd->watched);
    if (term && !JLINE_FIELD(l, "term", sc->cfg->terms[fd->term].value,
                             sc->term_len[fd->term]))
        return false;
    if (fd->kind == FIND_BRAND) {
        JLINE_BOOL(l, "variant", fd->variant);
        if (!JLINE_FIELD(l, "snippet", snippet, strlen(snippet)))
            return false;
    }
    if (fd->kind == FIND_CREDENTIAL &&
        (!JLINE_FIELD(l, "identity", fd->identity, strlen(fd->identity)) ||
         (fd->domain &&
          !JLINE_FIELD(l, "domain", fd->domain, strlen(fd->domain))) ||
         !JLINE_FIELD(l, "password_hint", fd->pw_hint,
                      strlen(fd->pw_hint))))
        return false;
    if (fd->benign &&
        !JLINE_FIELD(l, "benign", fd->benign, strlen(fd->benign)))
        return false;
    l->p = RAW_LIT(l->p, "}\n");
    return true;
}

/* fd's JSON line at the end of sc->line; a warning instead when it would
   be longer than SCAN_LINE_MAX (the lines before it stay). */
static void
print_json(struct scan *sc, const struct finding *fd, const char *raw,
           size_t len, unsigned long long base)
{
    struct jline l = { &sc->line, NULL, NULL };
    char *snippet = NULL;
    size_t n;

    if (sc->line.len >= SCAN_FLUSH)
        flush_lines(sc);
    /* The mention in its context, from the redacted text. */
    if (fd->kind == FIND_BRAND)
        snippet = extract_snippet(raw, len, fd);
    l.p = sc->line.ptr + sc->line.len;
    l.end = sc->line.ptr + sc->line.cap;
    if (jline_room(&l, 0) && jline_finding(&l, sc, fd, raw, base, snippet) &&
        (n = (size_t)(l.p - sc->line.ptr) - sc->line.len) <= SCAN_LINE_MAX) {
        sc->line.len += n;
    } else {
        log_warn("scan: finding at offset %llu too long to print",
                 base + fd->offset);
    }
    if (sc->line.ptr != NULL)
        sc->line.ptr[sc->line.len] = '\0';
    if (snippet != NULL)
        x_free(snippet);
}

/* s[0..n) at p, then spaces up to width bytes (printf's %-*s). */
static char *
put_left(char *p, const char *s, size_t n, size_t width)
{
    memcpy(p, s, n);
    if (n < width) {
        memset(p + n, ' ', width - n);
        n = width;
    }
    return p + n;
}

/* The longest row but its value, kind name and label: a 20-digit
   offset, the blanks the kind and the label are padded with, an int,
   " (variant)", the newline and the blanks between. */
#define ROW_FIXED (20 + 16 + 11 + 13 + 10 + 1 + 4 * 2)

/*
 * fd's row at the end of sc->line, as printf's "%-12llu  %-16s  %4d
 * %-13s  %s%s\n" would write it (streamed rows: fixed widths, since the
 * input may be endless). A value longer than the buffer's room is written
 * out directly, after the lines before it.
 */
static void
print_row(struct scan *sc, const struct finding *fd, unsigned long long base)
{
    const char *kind = finding_kind_name(fd->kind);
    const char *benign = fd->benign ? fd->benign : "-";
    size_t vlen = strlen(fd->value), n;
    char num[24], *p, *q;

    if (sc->line.len >= SCAN_FLUSH)
        flush_lines(sc);
    /* never fails: sc->line holds SCAN_FLUSH and more */
    buf_grow(&sc->line, ROW_FIXED + strlen(kind) + strlen(benign));
    p = sc->line.ptr + sc->line.len;
    q = raw_uint(num, base + fd->offset);
    p = put_left(p, num, (size_t)(q - num), 12);
    p = RAW_LIT(p, "  ");
    p = put_left(p, kind, strlen(kind), 16);
    p = RAW_LIT(p, "  ");
    q = num;
    if (fd->confidence < 0)
        *q++ = '-';
    q = raw_uint(q, fd->confidence < 0
                        ? 0 - (unsigned long long)fd->confidence
                        : (unsigned long long)fd->confidence);
    n = (size_t)(q - num);
    if (n < 4) {
        memset(p, ' ', 4 - n);
        p += 4 - n;
    }
    memcpy(p, num, n);
    p = RAW_LIT(p + n, "  ");
    p = put_left(p, benign, strlen(benign), 13);
    p = RAW_LIT(p, "  ");
    sc->line.len = (size_t)(p - sc->line.ptr);
    if (buf_grow(&sc->line, vlen + ROW_FIXED) < 0) {
        flush_lines(sc);
        fwrite(fd->value, 1, vlen, sc->out);
    } else {
        memcpy(sc->line.ptr + sc->line.len, fd->value, vlen);
        sc->line.len += vlen;
    }
    p = sc->line.ptr + sc->line.len;
    if (fd->variant)
        p = RAW_LIT(p, " (variant)");
    *p++ = '\n';
    sc->line.len = (size_t)(p - sc->line.ptr);
    sc->line.ptr[sc->line.len] = '\0';
}

/* scan_block()'s answer for a block with too many findings: scan less. */
#define SCAN_RETRY SIZE_MAX

/*
 * Extracts from block[0..end) found at base (block[0..have) read; a block
 * window_end() cut past *own) and prints the findings that start in its
 * own part (window_scan()). Returns where the next block starts in this
 * one; the bytes from there to have are copied to carry as they were
 * read, before the block is redacted in place, and *own is set to where
 * the next block's own part starts in it. Returns SCAN_RETRY, having
 * printed nothing, when the block holds more findings than the engine
 * takes in one call and may be scanned in less.
 */
static size_t
scan_block(struct scan *sc, char *block, size_t end, size_t have,
           unsigned long long base, size_t *own, bool last,
           struct buf *carry)
{
    struct findings f;
    size_t i, hi, from;
    int rc, carried;

    findings_init(&f);
    rc = window_scan(&sc->win, block, end, base, *own, last, &f, &hi, &from);
    if (rc == WINDOW_RETRY) {
        findings_release(&f);
        return SCAN_RETRY;
    }
    if (rc < 0)
        log_warn("scan: more than %d findings in %u bytes at offset %llu; "
                 "the rest of them was skipped", EXTRACT_MAX_FINDINGS,
                 WINDOW_MIN, base);
    buf_reset(carry);
    carried = buf_add(carry, block + from, have - from);
    assert(carried == 0); /* have - from < sc->win.block, its cap */
    (void)carried;
    extract_redact(block, end, &f); /* the seams' findings too */
    window_keep(&f, 0, *own, hi, 0);
    for (i = 0; i < f.n; i++) {
        sc->findings[f.v[i].kind]++;
        if (sc->json)
            print_json(sc, &f.v[i], block, end, base);
        else
            print_row(sc, &f.v[i], base);
    }
    flush_lines(sc); /* a block's lines out before the next is read */
    findings_release(&f);
    *own = hi - from;
    return from;
}

static int
scan_stream(struct scan *sc, FILE *in, const char *name)
{
    size_t cap = sc->win.block;
    char *block = xmalloc(cap);
    /* The next block's bytes read into this one: a seam's 10 KiB, not a
       second block's pages. */
    struct buf carry = BUF_INIT(cap);
    size_t have = 0, own = 0, n, end, from;
    unsigned long long base = 0;
    bool eof = false, last;
    int rc = 0;

    while (!eof || have > own) {
        while (!eof && have < cap) {
            n = fread(block + have, 1, cap - have, in);
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
        end = window_end(&sc->win, block, own, have, eof, &last);
        from = scan_block(sc, block, end, have, base, &own, last, &carry);
        if (from == SCAN_RETRY)
            continue;
        have -= from;
        if (have > 0)
            memcpy(block, carry.ptr, have);
        base += from;
    }
out:
    free(block);
    buf_release(&carry);
    return rc;
}

/* The block size from DRPWATCH_SCAN_BLOCK (bytes), else WINDOW_BLOCK; 0
   when the variable is not a number within WINDOW_MIN..SCAN_BLOCK_MAX. */
static size_t
block_size(void)
{
    const char *env = getenv("DRPWATCH_SCAN_BLOCK");
    unsigned long long v;
    char *end;

    if (env == NULL || *env == '\0')
        return WINDOW_BLOCK;
    errno = 0;
    v = strtoull(env, &end, 10);
    if (errno != 0 || *end != '\0' || *env < '0' || *env > '9' ||
        v < WINDOW_MIN || v > SCAN_BLOCK_MAX)
        return 0;
    return (size_t)v;
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
    struct stat st;
    const char *watch = NULL, *name;
    FILE *in = NULL;
    int rc = EXIT_OK;
    size_t t, block;
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
    if ((block = block_size()) == 0) {
        fprintf(stderr,
                "drpwatch: DRPWATCH_SCAN_BLOCK must be a number of bytes "
                "from %u to %u\n", WINDOW_MIN, SCAN_BLOCK_MAX);
        rc = EXIT_USAGE;
        goto out;
    }
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
    /* fopen() opens a directory; its first read fails. Say so before
       any output (no table header over nothing). */
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        log_err("scan: cannot read '%s': %s", name, strerror(EISDIR));
        rc = EXIT_FAIL;
        goto out;
    }
    sc.x = x;
    window_init(&sc.win, x, block);
    sc.cfg = &cfg;
    sc.term_len = xreallocarray(NULL, cfg.nterms + 1, sizeof(*sc.term_len));
    for (t = 0; t < cfg.nterms; t++)
        sc.term_len[t] = strlen(cfg.terms[t].value);
    for (k = 0; k < FIND_KIND_COUNT; k++)
        sc.kind_lit_len[k] = (size_t)snprintf(
            sc.kind_lit[k], sizeof(sc.kind_lit[k]), "{\"kind\":\"%s\"",
            finding_kind_name((enum finding_kind)k));
    sc.out = stdout;
    buf_init(&sc.line, SCAN_FLUSH + SCAN_LINE_MAX + JSON_LINE_SLACK);
    buf_grow(&sc.line, SCAN_FLUSH + JSON_LINE_FIXED); /* never NULL */
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

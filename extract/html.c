/*
 * HTML to visible text, links and forms with gumbo. The input is first made
 * valid UTF-8 (bad bytes and NUL become U+FFFD) so that gumbo only ever sees
 * clean text, and start tags nested deeper than MAX_DEPTH are dropped
 * (gumbo 0.10 is quadratic or worse in depth; "</>", which gumbo reads as
 * nothing, takes their place). Long runs of plain text stand as one
 * private-use character each while gumbo parses (it handles text a
 * character at a time: most of its work on a forum page) and are
 * put back as the tree is walked; layout tags (<div class=...>) reach it
 * without the attributes nobody reads. The tree is then walked without
 * recursion. No I/O and no URL resolution happen here.
 */
#include "config.h" /* _GNU_SOURCE: memmem */

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "common/ascii.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "extract/html.h"
#include "common/banned.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define LINK_SET_MIN 64            /* slots of the link hash set at first */
#define GUMBO_MAX_ERRORS 100       /* each copies the open-element stack */
#define MAX_DEPTH 256              /* deeper start tags are dropped */
#define TAG_NAME_MAX 16            /* longer names are not tracked */
#define ARENA_FIRST (64u << 10)    /* gumbo's first block: a typical page */
#define ARENA_ALIGN 16u
#define RUN_MIN 4                  /* shorter than a placeholder: left */
#define RUN_FIRST 0xf0000u         /* placeholders: U+F0000 .. U+FFFFD */
#define RUN_MAX 0xfffeu            /* placeholders a page may have */
#define RUN_LEAD 0xf3              /* their first byte: none elsewhere */
#define NO_DATA SIZE_MAX           /* flatten(): not surely in data state */

/* One element being walked: where we are among its children. */
struct frame {
    GumboNode *node;
    unsigned int next; /* index of the next child to visit */
    bool pre;          /* inside <pre>/<textarea>: whitespace is kept */
    bool block;        /* ends a line when left */
    int form;          /* index of the enclosing form, or -1 */
};

/*
 * Text runs that gumbo saw as one placeholder each: placeholder k
 * (U+F0000 + k) stands for base[at[k] .. at[k] + len[k]). A run is text
 * in the tokenizer's data state, between two pieces of markup that
 * flatten() read whole, trimmed of white space at both ends (so that
 * gumbo still sees where text starts and ends), with no character
 * reference, no "]]>" and no character that gumbo reads as U+FFFD
 * (gumbo_replaces()) in it: gumbo would have made of it a text node of
 * exactly those characters (CR aside, which gumbo turns into LF) in
 * whatever insertion mode, since every mode treats non-space characters
 * alike. Off (n stays 0) for a page that has text of its own that could
 * read as a placeholder.
 */
struct runs {
    const char *base;
    size_t *at, *len;
    size_t n, cap;
    bool on;
};

/* Text output state: runs of white space become one space, lazily. */
struct emitter {
    struct buf *out;
    bool pending_space;
    const struct runs *runs; /* to put back, or NULL */
};

/* Open-addressing set of link strings (pointers owned by doc->links). */
struct link_set {
    char **slot;
    size_t size; /* power of two */
};

/*
 * Length of the valid UTF-8 sequence at p (n bytes available), or 0 when
 * the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated) or are a NUL byte.
 */
static size_t
utf8_valid_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];

    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        if (n >= 2 && (p[1] & 0xc0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && p[1] < 0xa0)
            return 0; /* overlong */
        if (c == 0xed && p[1] >= 0xa0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
            (p[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && p[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xf4 && p[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/*
 * Appends s[0..len) to out as valid UTF-8, each bad byte or NUL replaced by
 * U+FFFD. Sets *invalid when a replacement was made. Returns 0 or
 * DRP_ETOOBIG (out's cap).
 */
static int
add_sanitised(struct buf *out, const char *s, size_t len, bool *invalid)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0, n;
    int rc;

    while (i < len) {
        n = utf8_valid_len(p + i, len - i);
        if (n > 0) {
            i += n;
            continue;
        }
        rc = buf_add(out, s + start, i - start);
        if (rc == 0)
            rc = buf_add(out, REPLACEMENT, 3);
        if (rc != 0)
            return rc;
        *invalid = true;
        i++;
        start = i;
    }
    return buf_add(out, s + start, len - start);
}

/* Whether the 8 bytes at p are all ASCII and none is NUL. */
static bool
ascii8(const unsigned char *p)
{
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return ((w | ((w - lo) & ~w)) & hi) == 0;
}

/* True when s[0..len) is valid UTF-8 without NUL bytes. */
static bool
utf8_clean(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;

    while (i < len) {
        if (len - i >= 8 && ascii8(p + i)) {
            i += 8;
            continue;
        }
        if (p[i] >= 0x01 && p[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_valid_len(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

static bool
is_space(char c)
{
    unsigned char u = (unsigned char)c;

    /* most bytes are above ' ': one comparison */
    return u <= ' ' &&
           (u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\f');
}

/* An open element as the flattening pass models it. */
struct open_tag {
    uint32_t hash; /* of the name, to compare fast */
    bool formatting;
    bool scope_edge;
    bool foreign; /* <svg> or <math> */
};

struct tag_stack {
    struct open_tag tag[MAX_DEPTH];
    size_t depth;
    size_t nforeign; /* foreign elements among them */
};

/* What the flattening pass needs to know of a start tag's element. */
enum tag_class {
    /*
     * Holds no children, merges instead of nesting (html/head/body), or
     * is <a>, which the adoption agency keeps from nesting by itself.
     */
    TAG_UNTRACKED = 1 << 0,
    TAG_SELF_CLOSING = 1 << 1, /* a second one closes the first when it
                                  is the current element */
    TAG_RAW_TEXT = 1 << 2,     /* text to the matching end tag with no
                                  markup in between */
    TAG_FORMATTING = 1 << 3,   /* the adoption agency and reconstruction
                                  re-open these: never popped */
    TAG_SCOPE_EDGE = 1 << 4,   /* an end tag does not reach past these */
    TAG_FOREIGN = 1 << 5,      /* <svg>, <math> */
    TAG_PLAINTEXT = 1 << 6,    /* the rest of the page is its text */
    /*
     * Its attributes are read neither by gumbo's tree building (which
     * does for input, font, annotation-xml, isindex and the formatting
     * elements' "Noah's Ark") nor by the walk (links, base, icon,
     * forms), and in foreign content it breaks out to HTML, where a
     * self-closing flag on it changes nothing: gumbo gets it bare.
     */
    TAG_BARE = 1 << 7,
    TAG_IGNORING = 1 << 8, /* its insertion mode ignores most start tags,
                              raw text ones too: <select>, <frameset> */
};

/* The classes of a lowercase tag name: one lookup in gumbo's tag table. */
static unsigned
tag_class(const char *name)
{
    if (name[0] == '\0')
        return 0;
    switch (gumbo_tag_enum(name)) {
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_IMG:
        return TAG_UNTRACKED | TAG_BARE;
    case GUMBO_TAG_P:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
        return TAG_SELF_CLOSING | TAG_BARE;
    case GUMBO_TAG_TABLE:
        return TAG_SCOPE_EDGE | TAG_BARE;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_VAR:
        return TAG_BARE;
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_A:
        return TAG_UNTRACKED;
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_COLGROUP:
        return TAG_SELF_CLOSING;
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
        return TAG_RAW_TEXT;
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
        return TAG_FORMATTING;
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_MARQUEE:
    case GUMBO_TAG_FOREIGNOBJECT:
        return TAG_SCOPE_EDGE;
    case GUMBO_TAG_SELECT:
        return TAG_SCOPE_EDGE | TAG_IGNORING;
    case GUMBO_TAG_FRAMESET:
        return TAG_IGNORING;
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
        return TAG_SCOPE_EDGE | TAG_FOREIGN;
    case GUMBO_TAG_PLAINTEXT:
        return TAG_PLAINTEXT;
    default:
        return 0;
    }
}

/*
 * Index past the tag at s[i] == '<', following the HTML tokenizer: the
 * name, then attributes whose values are quoted only right after '='.
 * *closed tells a tag ended by its '>' from one the input ends inside.
 */
static size_t
tag_scan(const char *s, size_t len, size_t i, bool *closed)
{
    char q;

    i++;
    if (i < len && s[i] == '/')
        i++;
    while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    for (;;) {
        while (i < len && (is_space(s[i]) || s[i] == '/'))
            i++;
        if (i >= len || s[i] == '>')
            break;
        i++; /* first character of a name, even '=' */
        while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>' &&
               s[i] != '=')
            i++;
        while (i < len && is_space(s[i]))
            i++;
        if (i >= len || s[i] != '=')
            continue;
        i++;
        while (i < len && is_space(s[i]))
            i++;
        if (i < len && (s[i] == '"' || s[i] == '\'')) {
            q = s[i++];
            while (i < len && s[i] != q)
                i++;
            if (i < len)
                i++;
        } else {
            while (i < len && !is_space(s[i]) && s[i] != '>')
                i++;
        }
    }
    *closed = i < len;
    return i < len ? i + 1 : len;
}

static size_t
tag_end(const char *s, size_t len, size_t i)
{
    bool closed;

    return tag_scan(s, len, i, &closed);
}

/* Lowercased tag name at s[i..) into name; "" when too long. */
static void
tag_name(const char *s, size_t len, size_t i, char *name)
{
    size_t n = 0;

    while (i < len && !is_space(s[i]) && s[i] != '/' && s[i] != '>') {
        if (n == TAG_NAME_MAX) {
            n = 0;
            break;
        }
        name[n++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a'
                                                     : s[i]);
        i++;
    }
    name[n] = '\0';
}

/* Offset of the "</name" that ends a raw text element, or len. */
static size_t
raw_text_end(const char *s, size_t len, size_t i, const char *name)
{
    size_t n = strlen(name);

    for (; i + 2 + n <= len; i++)
        if (s[i] == '<' && s[i + 1] == '/' &&
            strncasecmp(s + i + 2, name, n) == 0)
            return i;
    return len;
}

/* Offset past the comment that starts at s[i] ("<!--"). */
static size_t
comment_end(const char *s, size_t len, size_t i)
{
    for (i += 2; i + 3 <= len; i++) {
        if (memcmp(s + i, "-->", 3) == 0)
            return i + 3;
        if (i + 4 <= len && memcmp(s + i, "--!>", 4) == 0)
            return i + 4;
    }
    return len;
}

static uint32_t
name_hash(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    while (*name != '\0') {
        h ^= (unsigned char)*name++;
        h *= 16777619u;
    }
    return h;
}

static void
open_tag(struct tag_stack *st, uint32_t hash, unsigned cls)
{
    struct open_tag *t = &st->tag[st->depth++];

    t->hash = hash;
    t->formatting = (cls & TAG_FORMATTING) != 0;
    t->scope_edge = (cls & TAG_SCOPE_EDGE) != 0;
    t->foreign = (cls & TAG_FOREIGN) != 0;
    st->nforeign += t->foreign;
}

/*
 * An end tag: removes the matching element and the non-formatting ones
 * above it, unless a scope edge comes first. Formatting elements only
 * close from the top of the stack. (Names are compared by hash: a
 * collision only closes something early or late, bounded either way.)
 */
static void
close_tag(struct tag_stack *st, const char *name)
{
    uint32_t h = name_hash(name);
    size_t d, k, w;

    for (d = st->depth; d > 0; d--) {
        if (st->tag[d - 1].hash == h)
            break;
        if (st->tag[d - 1].scope_edge)
            return;
    }
    if (d == 0 || (st->tag[d - 1].formatting && d != st->depth))
        return;
    st->nforeign -= st->tag[d - 1].foreign;
    w = d - 1;
    for (k = d; k < st->depth; k++) {
        if (st->tag[k].formatting)
            st->tag[w++] = st->tag[k];
        else
            st->nforeign -= st->tag[k].foreign;
    }
    st->depth = w;
}

/*
 * Whether a placeholder may stand for s[a..b): a page whose own text
 * holds the placeholders' first byte, or a numeric character reference
 * long enough to name one, keeps all its text as it is.
 */
static bool
runs_possible(const char *s, size_t len)
{
    const char *p = s, *end = s + len;
    size_t digits;
    bool hex;

    if (memchr(s, RUN_LEAD, len) != NULL)
        return false;
    while ((p = memchr(p, '&', (size_t)(end - p))) != NULL) {
        p++;
        if (p == end || *p != '#')
            continue;
        p++;
        hex = p < end && (*p == 'x' || *p == 'X');
        p += hex;
        for (digits = 0;
             p < end && (hex ? ascii_isxdigit(*p) : ascii_isdigit(*p)); p++)
            digits++;
        if (digits >= (hex ? 5u : 6u))
            return false; /* e.g. &#xF0000; or &#983040; */
    }
    return true;
}

/*
 * Whether valid UTF-8 s[0..n) (no NUL) holds a character that gumbo's
 * input stream turns into U+FFFD, as HTML's preprocessing of the input
 * says (gumbo 0.10's utf8_is_invalid_code_point()): the C0 controls but
 * TAB, LF, FF and CR, DEL, the C1 controls, U+FDD0..U+FDEF and the last
 * two code points of every plane. Words of printable ASCII are skipped
 * eight bytes at a time: (w - 0x20..) & ~w flags a byte below 0x20 (the
 * lowest one at least), w | (w + 0x01..) one from 0x7f.
 */
static bool
gumbo_replaces(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t w;
    size_t i = 0;
    unsigned char c;

    while (i < n) {
        if (n - i >= 8) {
            memcpy(&w, p + i, sizeof(w));
            if (((((w - 0x20 * lo) & ~w) | w | (w + lo)) & hi) == 0) {
                i += 8;
                continue;
            }
        }
        c = p[i++];
        if (c < 0x20) {
            if (c != '\t' && c != '\n' && c != '\f' && c != '\r')
                return true;
        } else if (c == 0x7f) {
            return true;
        } else if (c == 0xc2) { /* U+0080..U+009F */
            if (i < n && p[i] <= 0x9f)
                return true;
        } else if (c == 0xef) { /* U+FDD0..U+FDEF, U+FFFE, U+FFFF */
            if (n - i >= 2 &&
                ((p[i] == 0xb7 && p[i + 1] >= 0x90 && p[i + 1] <= 0xaf) ||
                 (p[i] == 0xbf && p[i + 1] >= 0xbe)))
                return true;
        } else if (c >= 0xf0) { /* U+1FFFE, U+1FFFF ... U+10FFFF */
            if (n - i >= 3 && (p[i] & 0x0f) == 0x0f && p[i + 1] == 0xbf &&
                p[i + 2] >= 0xbe)
                return true;
        }
    }
    return false;
}

/*
 * Text s[a..b) in the data state: its part between white space at both
 * ends goes to out as a placeholder when it qualifies (struct runs), with
 * s[*from..) before it; *from moves past it.
 */
static int
put_run(const char *s, size_t a, size_t b, size_t *from, struct buf *out,
        struct runs *r)
{
    uint32_t cp;
    unsigned char ph[4];
    const char *q;
    int rc;

    if (a >= b) /* a tag the input ends inside, then a last '<' */
        return 0;
    while (a < b && is_space(s[a]))
        a++;
    while (b > a && is_space(s[b - 1]))
        b--;
    if (b - a < RUN_MIN || r->n >= RUN_MAX || memchr(s + a, '&', b - a) ||
        gumbo_replaces(s + a, b - a))
        return 0;
    for (q = s + a; (q = memchr(q, ']', (size_t)(s + b - q))) != NULL; q++)
        if (s + b - q >= 3 && q[1] == ']' && q[2] == '>')
            return 0; /* would end a CDATA section */
    rc = buf_add(out, s + *from, a - *from);
    if (rc != 0)
        return rc;
    cp = RUN_FIRST + (uint32_t)r->n;
    ph[0] = RUN_LEAD;
    ph[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    ph[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    ph[3] = (unsigned char)(0x80 | (cp & 0x3f));
    rc = buf_add(out, ph, 4);
    if (rc != 0)
        return rc;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->at = xreallocarray(r->at, r->cap, sizeof(*r->at));
        r->len = xreallocarray(r->len, r->cap, sizeof(*r->len));
    }
    r->at[r->n] = a;
    r->len[r->n] = b - a;
    r->n++;
    *from = b;
    return 0;
}

/*
 * The start tag s[i..end) of a TAG_BARE element, whose name is n bytes
 * long, to out without its attributes ("<div>"), with s[*from..i) before
 * it; *from moves past it. A tag that is bare already or that the input
 * ends inside (not closed: gumbo drops it) is left as it is.
 */
static int
put_bare(const char *s, size_t i, size_t end, bool closed, size_t n,
         size_t *from, struct buf *out)
{
    size_t name_end = i + 1 + n;
    int rc;

    if (!closed || end <= name_end + 1)
        return 0;
    rc = buf_add(out, s + *from, name_end - *from);
    if (rc == 0)
        rc = buf_addc(out, '>');
    if (rc == 0)
        *from = end;
    return rc;
}

/*
 * Whether the raw text element name (n bytes) whose text starts at
 * s[start] ends at s[k] as gumbo reads it too: "</name" then white
 * space, '/' or '>' (else gumbo goes on to a later one), and for
 * <script> no "<!--" before (its escaped states end elsewhere).
 */
static bool
raw_text_sure(const char *s, size_t len, size_t start, size_t k,
              const char *name, size_t n)
{
    size_t after = k + 2 + n;

    if (after >= len || !(is_space(s[after]) || s[after] == '/' ||
                          s[after] == '>'))
        return false;
    if (strcmp(name, "script") == 0 && k - start >= 4 &&
        memmem(s + start, k - start, "<!--", 4) != NULL)
        return false;
    return true;
}

/*
 * Copies s into out, leaving out the start tags that would nest deeper
 * than MAX_DEPTH (each as "</>", one the input ends inside as nothing: what
 * is on either side must not join into other markup). The model errs
 * towards deeper than gumbo's tree (an end tag closes less, markup in
 * doubt counts), so gumbo's depth stays within a small multiple of
 * MAX_DEPTH whatever the input. With r->on, long text
 * runs become placeholders (struct runs): only text that follows markup
 * read whole (a tag, a comment) and outside <svg> and <math>, up to the
 * next '<'; after anything else ("<3", "</ x>", "<!x>") the tokenizer's
 * state is not known here, so the text is left as it is.
 *
 * A placeholder is put back wherever gumbo puts it, so a model a little
 * off does no harm there; a tag's attributes left out (TAG_BARE) would
 * show if gumbo read the tag as text. So that is done only while the
 * model reads every '<' as gumbo's tokenizer does (sure): from the
 * start of the page, past a declaration, a processing instruction or a
 * bogus comment (which end at their first '>'), a comment, a tag, a raw
 * text element that ends as gumbo ends it; never again after a '<'
 * inside such a declaration or bogus comment (the model may read it as
 * markup and skip past gumbo's end), <svg>, <math>, a raw text element
 * it may read otherwise, or <select> and <frameset> (whose modes ignore
 * a <title> or <style>: no raw text then).
 */
static int
flatten(const char *s, size_t len, struct buf *out, struct runs *r)
{
    struct tag_stack *st = xmalloc(sizeof(*st)); /* 2 KB: not zeroed */
    char name[TAG_NAME_MAX + 1];
    size_t i = 0, from = 0, end, data = r->on ? 0 : NO_DATA;
    size_t unsure_until = 0; /* a bogus comment's end, past its '>' */
    const char *gt;
    uint32_t hash;
    unsigned cls;
    bool sure = r->on, closed;
    int rc = 0;

    st->depth = 0;
    st->nforeign = 0;
    while (i + 1 < len) {
        if (s[i] != '<') {
            const char *lt = memchr(s + i, '<', len - 1 - i);

            i = lt ? (size_t)(lt - s) : len - 1;
            continue;
        }
        if (i < unsure_until)
            sure = false; /* markup the model reads in a bogus comment */
        if (data != NO_DATA && st->nforeign == 0) {
            rc = put_run(s, data, i, &from, out, r);
            if (rc != 0)
                goto out;
        }
        data = NO_DATA;
        if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            i = comment_end(s, len, i);
            data = r->on ? i : NO_DATA;
            continue;
        }
        if (s[i + 1] == '/' && i + 2 < len && ascii_isalpha(s[i + 2])) {
            tag_name(s, len, i + 2, name);
            close_tag(st, name);
            i = tag_end(s, len, i);
            data = r->on ? i : NO_DATA;
            continue;
        }
        if (!ascii_isalpha(s[i + 1])) {
            if (sure &&
                (s[i + 1] == '!' || s[i + 1] == '?' || s[i + 1] == '/')) {
                /* "<!DOCTYPE", "<!x", "<?x", "</ x": to the first '>' */
                gt = memchr(s + i, '>', len - i);
                unsure_until = gt ? (size_t)(gt - s) + 1 : len;
            }
            i++;
            continue;
        }
        end = tag_scan(s, len, i, &closed);
        tag_name(s, len, i + 1, name);
        cls = tag_class(name);
        if (cls & (TAG_FOREIGN | TAG_IGNORING))
            sure = false;
        if (st->nforeign == 0) {
            if (cls & TAG_RAW_TEXT) {
                i = raw_text_end(s, len, end, name); /* at its end tag */
                if (!raw_text_sure(s, len, end, i, name, strlen(name)))
                    sure = false;
                continue;
            }
            if (cls & TAG_PLAINTEXT)
                break;
        }
        data = r->on ? end : NO_DATA;
        hash = name_hash(name);
        if ((cls & TAG_BARE) && sure &&
            ((cls & TAG_UNTRACKED) || st->depth < MAX_DEPTH)) {
            rc = put_bare(s, i, end, closed, strlen(name), &from, out);
            if (rc != 0)
                goto out;
        }
        if ((cls & TAG_UNTRACKED) ||
            (st->depth > 0 && (cls & TAG_SELF_CLOSING) &&
             st->tag[st->depth - 1].hash == hash)) {
            i = end;
            continue;
        }
        if (st->depth < MAX_DEPTH) {
            open_tag(st, hash, cls);
            i = end;
            continue;
        }
        /* Too deep: "</>", which gumbo's tokenizer reads as nothing,
           stands for the tag, so that what is before it and what is
           after it are never read as one ("<" "<x>" "a" is no "<a"). */
        rc = buf_add(out, s + from, i - from);
        if (rc == 0 && closed)
            rc = buf_add(out, "</>", 3);
        if (rc != 0)
            goto out;
        i = end;
        from = end;
    }
    if (i + 1 >= len && data != NO_DATA && st->nforeign == 0) {
        /* the text up to the end, but a last '<' (gumbo's text too) */
        rc = put_run(s, data, len - (len > 0 && s[len - 1] == '<'), &from, out,
                     r);
        if (rc != 0)
            goto out;
    }
    rc = buf_add(out, s + from, len - from);
out:
    x_free(st);
    return rc;
}

void
html_doc_init(struct html_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
    buf_init(&doc->text, HTML_MAX_TEXT);
}

void
html_doc_release(struct html_doc *doc)
{
    size_t i;

    buf_release(&doc->text);
    x_free(doc->title);
    x_free(doc->base);
    x_free(doc->icon);
    x_free(doc->tags);
    for (i = 0; i < doc->nlinks; i++)
        x_free(doc->links[i]);
    x_free(doc->links);
    for (i = 0; i < doc->nforms; i++) {
        x_free(doc->forms[i].action);
        x_free(doc->forms[i].method);
    }
    x_free(doc->forms);
    memset(doc, 0, sizeof(*doc));
    buf_init(&doc->text, HTML_MAX_TEXT);
}

static char
last_char(const struct buf *b)
{
    return b->len > 0 ? b->ptr[b->len - 1] : '\n';
}

/* Text outside <pre>: white space runs fold to one space between words. */
static int
emit_flow(struct emitter *e, const char *s, size_t n)
{
    const char *p = s, *end = s + n, *run;
    int rc;

    while (p < end) {
        if (is_space(*p)) {
            e->pending_space = true;
            p++;
            continue;
        }
        if (e->pending_space) {
            char c = last_char(e->out);

            e->pending_space = false;
            if (c != '\n' && c != ' ' && c != '\t') {
                rc = buf_addc(e->out, ' ');
                if (rc != 0)
                    return rc;
            }
        }
        /* words with one space between them go out as they are */
        run = p;
        for (;;) {
            p += ascii_above_space(p, (size_t)(end - p));
            if (p < end && !is_space(*p)) {
                p++; /* a control byte: part of the word */
                continue;
            }
            if (end - p < 2 || *p != ' ' || is_space(p[1]))
                break;
            p++;
        }
        rc = buf_add(e->out, run, (size_t)(p - run));
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Text inside <pre>/<textarea>: kept byte for byte. */
static int
emit_pre(struct emitter *e, const char *s, size_t n)
{
    e->pending_space = false;
    return buf_add(e->out, s, n);
}

/* A run put back inside <pre>: CR LF and CR become LF, as gumbo reads
   them in any text. */
static int
emit_pre_run(struct emitter *e, const char *s, size_t n)
{
    const char *end = s + n, *cr;
    int rc = 0;

    e->pending_space = false;
    while (rc == 0 && (cr = memchr(s, '\r', (size_t)(end - s))) != NULL) {
        rc = buf_add(e->out, s, (size_t)(cr - s));
        if (rc == 0)
            rc = buf_addc(e->out, '\n');
        s = cr + 1 + (cr + 1 < end && cr[1] == '\n');
    }
    return rc ? rc : buf_add(e->out, s, (size_t)(end - s));
}

/*
 * A text node's text (NUL-terminated), each placeholder as the run it
 * stands for (struct runs).
 */
static int
emit_text(struct emitter *e, const char *s, bool pre)
{
    const struct runs *r = e->runs;
    const char *end = s + strlen(s), *p;
    size_t k;
    int rc;

    while (r != NULL && r->n > 0 &&
           (p = memchr(s, RUN_LEAD, (size_t)(end - s))) != NULL) {
        const unsigned char *u = (const unsigned char *)p;

        if (end - p < 4 || u[1] < 0xb0 || u[1] > 0xbf) {
            k = SIZE_MAX;
        } else {
            k = ((size_t)(u[1] & 0x0f) << 12) | ((size_t)(u[2] & 0x3f) << 6) |
                (size_t)(u[3] & 0x3f);
        }
        if (k >= r->n) { /* not ours: cannot happen (runs_possible()) */
            rc = pre ? emit_pre(e, s, (size_t)(p + 1 - s))
                     : emit_flow(e, s, (size_t)(p + 1 - s));
            if (rc != 0)
                return rc;
            s = p + 1;
            continue;
        }
        rc = pre ? emit_pre(e, s, (size_t)(p - s))
                 : emit_flow(e, s, (size_t)(p - s));
        if (rc == 0)
            rc = pre ? emit_pre_run(e, r->base + r->at[k], r->len[k])
                     : emit_flow(e, r->base + r->at[k], r->len[k]);
        if (rc != 0)
            return rc;
        s = p + 4;
    }
    return pre ? emit_pre(e, s, (size_t)(end - s))
               : emit_flow(e, s, (size_t)(end - s));
}

/* Ends the current line unless it is already empty. */
static int
emit_break(struct emitter *e)
{
    e->pending_space = false;
    if (last_char(e->out) == '\n')
        return 0;
    return buf_addc(e->out, '\n');
}

/* A cell separator: a tab unless at the start of a line. */
static int
emit_tab(struct emitter *e)
{
    char c = last_char(e->out);

    e->pending_space = false;
    if (c == '\n' || c == '\t')
        return 0;
    return buf_addc(e->out, '\t');
}

static bool
is_block(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HTML:
        return true;
    default:
        return false;
    }
}

static bool
is_hidden(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
        return true;
    default:
        return false;
    }
}

/* The attribute's value when present and shorter than HTML_MAX_ATTR. */
static const char *
attr(const GumboNode *node, const char *name)
{
    const GumboAttribute *a;

    a = gumbo_get_attribute(&node->v.element.attributes, name);
    if (a == NULL || strlen(a->value) >= HTML_MAX_ATTR)
        return NULL;
    return a->value;
}

static size_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    while (*s != '\0') {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

/* Slot for s: the one holding it, or the empty one where it would go. */
static char **
link_slot(struct link_set *set, const char *s)
{
    size_t i = hash_str(s) & (set->size - 1);

    while (set->slot[i] != NULL && strcmp(set->slot[i], s) != 0)
        i = (i + 1) & (set->size - 1);
    return &set->slot[i];
}

static void
link_set_grow(struct link_set *set)
{
    struct link_set bigger;
    size_t i;

    bigger.size = set->size ? set->size * 2 : LINK_SET_MIN;
    bigger.slot = xcalloc(bigger.size, sizeof(char *));
    for (i = 0; i < set->size; i++)
        if (set->slot[i] != NULL)
            *link_slot(&bigger, set->slot[i]) = set->slot[i];
    x_free(set->slot);
    *set = bigger;
}

static bool
has_scheme(const char *s, const char *scheme)
{
    size_t n = strlen(scheme);

    return strncasecmp(s, scheme, n) == 0;
}

static void
add_link(struct html_doc *doc, struct link_set *set, const char *href)
{
    const char *end;
    char *link, **slot;

    if (doc->nlinks >= HTML_MAX_LINKS)
        return;
    while (is_space(*href))
        href++;
    end = href + strlen(href);
    while (end > href && is_space(end[-1]))
        end--;
    if (end == href || has_scheme(href, "javascript:") ||
        has_scheme(href, "mailto:"))
        return;
    link = xstrndup(href, (size_t)(end - href));
    if ((doc->nlinks + 1) * 2 > set->size)
        link_set_grow(set);
    slot = link_slot(set, link);
    if (*slot != NULL) {
        x_free(link);
        return;
    }
    *slot = link;
    doc->links = xreallocarray(doc->links, doc->nlinks + 1, sizeof(char *));
    doc->links[doc->nlinks++] = link;
}

/* Starts a form record; returns its index or -1 past the cap. */
static int
add_form(struct html_doc *doc, const GumboNode *node)
{
    struct html_form *f;
    const char *action = attr(node, "action");
    const char *method = attr(node, "method");
    char *p;

    if (doc->nforms >= HTML_MAX_FORMS)
        return -1;
    doc->forms = xreallocarray(doc->forms, doc->nforms + 1,
                               sizeof(struct html_form));
    f = &doc->forms[doc->nforms];
    memset(f, 0, sizeof(*f));
    f->action = action ? xstrdup(action) : NULL;
    f->method = xstrdup(method && *method ? method : "get");
    for (p = f->method; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return (int)doc->nforms++;
}

/* <title>: its text, white space folded and trimmed; NULL when too long. */
static char *
title_text(const GumboNode *node, const struct runs *runs)
{
    struct buf b = BUF_INIT(HTML_MAX_ATTR - 1);
    struct emitter e = { &b, false, runs };
    const GumboVector *kids = &node->v.element.children;
    const GumboNode *kid;
    unsigned int i;

    for (i = 0; i < kids->length; i++) {
        kid = kids->data[i];
        if (kid->type != GUMBO_NODE_TEXT && kid->type != GUMBO_NODE_WHITESPACE)
            continue;
        if (emit_text(&e, kid->v.text.text, false) != 0) {
            buf_release(&b);
            return NULL;
        }
    }
    return buf_detach(&b, NULL);
}

/* Whether rel="..." has the token nofollow (any case, any spacing). */
static bool
nofollow(const GumboNode *node)
{
    const char *rel = attr(node, "rel");
    size_t n;

    while (rel && *rel) {
        while (is_space(*rel))
            rel++;
        n = 0;
        while (rel[n] && !is_space(rel[n]))
            n++;
        if (n == 8 && strncasecmp(rel, "nofollow", 8) == 0)
            return true;
        rel += n;
    }
    return false;
}

/* Whether the space-separated token list s holds tok (any case). */
static bool
has_token(const char *s, const char *tok)
{
    size_t n, m = strlen(tok);

    while (s && *s) {
        while (is_space(*s))
            s++;
        n = 0;
        while (s[n] && !is_space(s[n]))
            n++;
        if (n == m && strncasecmp(s, tok, m) == 0)
            return true;
        s += n;
    }
    return false;
}

/* Whether s contains one of the needles, ASCII letters in any case. */
static bool
has_any(const char *s, const char *const *needles)
{
    size_t i, n, k, m;

    for (; s != NULL && *needles != NULL; needles++) {
        m = strlen(*needles);
        n = strlen(s);
        for (i = 0; i + m <= n; i++) {
            for (k = 0; k < m; k++)
                if (ascii_lower(s[i + k]) != (*needles)[k])
                    break;
            if (k == m)
                return true;
        }
    }
    return false;
}

/* An input that asks for a payment card: by autocomplete, name or id. */
static bool
card_input(const GumboNode *node)
{
    static const char *const autocomplete[] = { "cc-number", "cc-csc",
                                                "cc-exp", NULL };
    static const char *const names[] = {
        "cardnumber", "card_number", "card-number", "cardno", "card_no",
        "ccnum", "cc_num", "cc-num", "ccnumber", "cvv", "cvc", "csc",
        "securitycode", "security_code", "card_exp", "cardexp",
        "expiry", NULL,
    };

    return has_any(attr(node, "autocomplete"), autocomplete) ||
           has_any(attr(node, "name"), names) ||
           has_any(attr(node, "id"), names);
}

/* Element-specific work on entering: metadata, links, forms. */
static void
visit_element(struct html_doc *doc, struct link_set *set, GumboNode *node,
              int form, const struct runs *runs)
{
    const char *v;

    if (node->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return;
    if (doc->ntags < HTML_MAX_TAGS) {
        /* Grown at each power of two from 64. */
        if (doc->ntags == 0 ||
            (doc->ntags >= 64 && (doc->ntags & (doc->ntags - 1)) == 0))
            doc->tags = xreallocarray(doc->tags,
                                      doc->ntags ? doc->ntags * 2 : 64,
                                      sizeof(*doc->tags));
        doc->tags[doc->ntags++] = (unsigned short)node->v.element.tag;
    }
    switch (node->v.element.tag) {
    case GUMBO_TAG_TITLE:
        if (doc->title == NULL)
            doc->title = title_text(node, runs);
        break;
    case GUMBO_TAG_BASE:
        v = attr(node, "href");
        if (doc->base == NULL && v != NULL)
            doc->base = xstrdup(v);
        break;
    case GUMBO_TAG_LINK:
        v = attr(node, "href");
        if (doc->icon == NULL && v != NULL && *v != '\0' &&
            has_token(attr(node, "rel"), "icon"))
            doc->icon = xstrdup(v);
        break;
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
        v = attr(node, "href");
        if (v != NULL && !nofollow(node))
            add_link(doc, set, v);
        break;
    case GUMBO_TAG_INPUT:
        if (form < 0)
            break;
        doc->forms[form].ninputs++;
        v = attr(node, "type");
        if (v != NULL && strcasecmp(v, "password") == 0)
            doc->forms[form].has_password = true;
        else if (v == NULL || (strcasecmp(v, "hidden") != 0 &&
                               strcasecmp(v, "submit") != 0))
            doc->forms[form].has_card |= card_input(node);
        break;
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
        if (form >= 0)
            doc->forms[form].ninputs++;
        break;
    default:
        break;
    }
}

/*
 * Walks the tree depth first with an explicit stack. Text goes to doc->text
 * unless it sits in a hidden element; metadata is gathered everywhere (the
 * title and base live in <head>).
 */
static int
walk(GumboNode *root, struct html_doc *doc, const struct runs *runs)
{
    struct emitter e = { &doc->text, false, runs };
    struct link_set set = { NULL, 0 };
    struct frame *stack = NULL, *top;
    size_t depth = 0, cap = 0;
    int hidden = 0; /* depth of hidden ancestors */
    GumboNode *node;
    GumboTag tag;
    int rc = 0;

    cap = 64;
    stack = xreallocarray(NULL, cap, sizeof(*stack));
    stack[0] = (struct frame){ root, 0, false, false, -1 };
    depth = 1;
    while (depth > 0) {
        const GumboVector *kids;

        top = &stack[depth - 1];
        kids = top->node->type == GUMBO_NODE_DOCUMENT
                   ? &top->node->v.document.children
                   : &top->node->v.element.children;
        if (top->next >= kids->length) {
            /* Leaving an element. */
            if (top->node->type == GUMBO_NODE_TEMPLATE ||
                (top->node->type == GUMBO_NODE_ELEMENT &&
                 is_hidden(top->node->v.element.tag)))
                hidden--;
            else if (top->block && hidden == 0)
                rc = emit_break(&e);
            if (rc != 0)
                goto out;
            depth--;
            continue;
        }
        node = kids->data[top->next++];
        switch (node->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            if (hidden > 0)
                break;
            rc = emit_text(&e, node->v.text.text, top->pre);
            if (rc != 0)
                goto out;
            break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
            tag = node->v.element.tag;
            if (depth == cap) {
                cap *= 2;
                stack = xreallocarray(stack, cap, sizeof(*stack));
            }
            top = &stack[depth];
            *top = (struct frame){ node, 0, stack[depth - 1].pre, false,
                                   stack[depth - 1].form };
            depth++;
            if (tag == GUMBO_TAG_FORM && top->form < 0)
                top->form = add_form(doc, node);
            visit_element(doc, &set, node, top->form, runs);
            if (node->type == GUMBO_NODE_TEMPLATE || is_hidden(tag)) {
                hidden++;
                break;
            }
            if (tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_TEXTAREA ||
                tag == GUMBO_TAG_LISTING || tag == GUMBO_TAG_PLAINTEXT)
                top->pre = true;
            if (hidden > 0)
                break;
            if (tag == GUMBO_TAG_BR) {
                e.pending_space = false;
                rc = buf_addc(e.out, '\n');
            } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
                rc = emit_tab(&e);
            } else if (is_block(tag)) {
                top->block = true;
                rc = emit_break(&e);
            }
            if (rc != 0)
                goto out;
            break;
        default:
            break; /* comments, the doctype */
        }
    }
out:
    x_free(set.slot);
    x_free(stack);
    return rc;
}

/*
 * Gumbo's memory for one parse: it makes a thousand small allocations for
 * a 7 KB page and frees nearly all of them only with the tree, so they
 * are cut from a few large blocks (each twice the last, a large request
 * its own) and freed together. A block starts with the previous one's
 * address. What gumbo frees early stays until the end: about an eighth
 * more than its peak.
 */
struct arena {
    char *block; /* the newest block, or NULL */
    size_t used, size;
};

static void *
arena_alloc(void *userdata, size_t n)
{
    struct arena *a = userdata;
    size_t head = (sizeof(char *) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    char *p;

    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (a->block == NULL || n > a->size - a->used) {
        size_t size = a->size ? 2 * a->size : ARENA_FIRST;
        char *b;

        if (size < head + n)
            size = head + n;
        b = xmalloc(size);
        memcpy(b, &a->block, sizeof(char *));
        a->block = b;
        a->size = size;
        a->used = head;
    }
    p = a->block + a->used;
    a->used += n;
    return p;
}

static void
arena_free(void *userdata, void *p)
{
    (void)userdata;
    (void)p;
}

static void
arena_release(struct arena *a)
{
    while (a->block) {
        char *prev;

        memcpy(&prev, a->block, sizeof(char *));
        free(a->block);
        a->block = prev;
    }
}

/*
 * gumbo 0.10 (Debian 12's) fails assertions on some hostile markup: a
 * CDATA section at an integration point of <svg> or <math> inside a
 * table ("<table><svg><title><![CDATA[x]]>y") aborts in handle_in_table.
 * A page must not end the crawler: while a thread is in gumbo, a SIGABRT
 * it raises jumps back to parse_guarded(), which answers NULL. gumbo
 * allocates only from the arena and keeps no state of its own between
 * calls, so what it leaves goes with the arena. Any other SIGABRT goes to
 * the handler there was before (the default: the process ends).
 */
static __thread sigjmp_buf *volatile gumbo_jump;
static struct sigaction abort_before;
static pthread_once_t abort_once = PTHREAD_ONCE_INIT;

static void
on_abort(int sig)
{
    sigjmp_buf *jump = gumbo_jump;

    if (jump != NULL) {
        gumbo_jump = NULL;
        siglongjmp(*jump, 1);
    }
    sigaction(SIGABRT, &abort_before, NULL);
    raise(sig);
}

static void
abort_guard(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_abort;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGABRT, &sa, &abort_before);
}

static GumboOutput *
parse_guarded(const GumboOptions *opts, const char *s, size_t n)
{
    sigjmp_buf jump;
    GumboOutput *volatile out = NULL;

    pthread_once(&abort_once, abort_guard);
    if (sigsetjmp(jump, 1) == 0) {
        gumbo_jump = &jump;
        out = gumbo_parse_with_options(opts, s, n);
    }
    gumbo_jump = NULL;
    return out;
}

static int
parse(const char *html, size_t len, struct html_doc *doc, bool placeholders)
{
    struct buf clean = BUF_INIT((size_t)HTML_MAX_INPUT * 3);
    struct buf flat = BUF_INIT((size_t)HTML_MAX_INPUT * 3);
    GumboOptions opts = kGumboDefaultOptions;
    GumboOutput *output = NULL;
    struct arena arena = { NULL, 0, 0 };
    struct runs runs = { NULL, NULL, NULL, 0, 0, false };
    const char *input = html;
    size_t inlen = len;
    int rc = 0;

    if (len > HTML_MAX_INPUT)
        return DRP_ETOOBIG;
    if (!utf8_clean(html, len)) {
        rc = add_sanitised(&clean, html, len, &doc->invalid_utf8);
        if (rc != 0)
            goto out;
        input = buf_str(&clean);
        inlen = clean.len;
    }
    /* A page with bad bytes keeps gumbo's count of markup errors as it
       was (its warning says it), which placeholders would lower. */
    runs.base = input;
    runs.on = placeholders && !doc->invalid_utf8 &&
              runs_possible(input, inlen);
    rc = flatten(input, inlen, &flat, &runs);
    if (rc != 0)
        goto out;
    opts.max_errors = GUMBO_MAX_ERRORS;
    opts.allocator = arena_alloc;
    opts.deallocator = arena_free;
    opts.userdata = &arena;
    output = parse_guarded(&opts, buf_str(&flat), flat.len);
    if (output == NULL) {
        /* gumbo gave up: the page's bytes as its text, so that what is
           in them (links, addresses, markup and all) is still read. */
        doc->parser_failed = true;
        rc = add_sanitised(&doc->text, input, inlen, &doc->invalid_utf8);
        goto out;
    }
    doc->parse_errors = (int)output->errors.length;
    rc = walk(output->document, doc, &runs);
    if (rc == 0 && doc->text.ptr == NULL)
        rc = buf_add(&doc->text, "", 0);
out:
    arena_release(&arena); /* the tree: gumbo_destroy_output() frees none */
    buf_release(&flat);
    buf_release(&clean); /* after the walk: the runs point into it */
    free(runs.at);
    free(runs.len);
    return rc;
}

int
html_parse(const char *html, size_t len, struct html_doc *doc)
{
    return parse(html, len, doc, true);
}

int
html_parse_plain(const char *html, size_t len, struct html_doc *doc)
{
    return parse(html, len, doc, false);
}

int
html_from_text(const char *text, size_t len, struct html_doc *doc)
{
    if (len > HTML_MAX_TEXT)
        return DRP_ETOOBIG;
    return add_sanitised(&doc->text, text, len, &doc->invalid_utf8);
}

/*
 * Which encoding a page is in and its conversion to UTF-8: the WHATWG
 * label table, the HTML standard's <meta> prescan (bounded to its 1024
 * bytes), uchardet for undeclared pages and glibc's iconv for the bytes.
 * Does not parse HTML beyond the prescan and does no I/O.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uchardet.h>
#include <unistr.h>

#include "common/ascii.h"
#include "common/xalloc.h"
#include "crawler/charset.h"
#include "common/banned.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define CHUNK 16384                /* iconv's output, between appends */

/*
 * The WHATWG Encoding Standard's encodings and labels
 * (https://encoding.spec.whatwg.org/#names-and-labels) with the glibc
 * converter that decodes each as browsers do: ISO-8859-1 and US-ASCII
 * pages are windows-1252, Shift_JIS is Microsoft's CP932 (0x5C is a
 * backslash, not a yen sign), GBK is decoded by GB18030, EUC-KR by CP949
 * and Big5 by BIG5-HKSCS, their supersets. (glibc leaves a few bytes
 * undefined that the standard maps to C1 controls, e.g. 0x81 in
 * windows-1252: those become U+FFFD.) Left out: the "replacement"
 * encodings (ISO-2022-KR, HZ-GB-2312, ISO-2022-CN: declared, they would
 * decode to nothing) and x-user-defined.
 */
struct encoding {
    const char *name;
    const char *iconv;
    const char *const *labels;
};

#define LABELS(...) (const char *const[]){ __VA_ARGS__, NULL }

static const struct encoding encodings[] = {
    { "UTF-8", "UTF-8",
      LABELS("unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8",
             "utf8", "x-unicode20utf8") },
    { "IBM866", "IBM866", LABELS("866", "cp866", "csibm866", "ibm866") },
    { "ISO-8859-2", "ISO-8859-2",
      LABELS("csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2",
             "iso88592", "iso_8859-2", "iso_8859-2:1987", "l2", "latin2") },
    { "ISO-8859-3", "ISO-8859-3",
      LABELS("csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3",
             "iso88593", "iso_8859-3", "iso_8859-3:1988", "l3", "latin3") },
    { "ISO-8859-4", "ISO-8859-4",
      LABELS("csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4",
             "iso88594", "iso_8859-4", "iso_8859-4:1988", "l4", "latin4") },
    { "ISO-8859-5", "ISO-8859-5",
      LABELS("csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144",
             "iso8859-5", "iso88595", "iso_8859-5", "iso_8859-5:1988") },
    { "ISO-8859-6", "ISO-8859-6",
      LABELS("arabic", "asmo-708", "csiso88596e", "csiso88596i",
             "csisolatinarabic", "ecma-114", "iso-8859-6", "iso-8859-6-e",
             "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596",
             "iso_8859-6", "iso_8859-6:1987") },
    { "ISO-8859-7", "ISO-8859-7",
      LABELS("csisolatingreek", "ecma-118", "elot_928", "greek", "greek8",
             "iso-8859-7", "iso-ir-126", "iso8859-7", "iso88597",
             "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek") },
    { "ISO-8859-8", "ISO-8859-8",
      LABELS("csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8",
             "iso-8859-8-e", "iso-ir-138", "iso8859-8", "iso88598",
             "iso_8859-8", "iso_8859-8:1988", "visual") },
    { "ISO-8859-8-I", "ISO-8859-8",
      LABELS("csiso88598i", "iso-8859-8-i", "logical") },
    { "ISO-8859-10", "ISO-8859-10",
      LABELS("csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10",
             "iso885910", "l6", "latin6") },
    { "ISO-8859-13", "ISO-8859-13",
      LABELS("iso-8859-13", "iso8859-13", "iso885913") },
    { "ISO-8859-14", "ISO-8859-14",
      LABELS("iso-8859-14", "iso8859-14", "iso885914") },
    { "ISO-8859-15", "ISO-8859-15",
      LABELS("csisolatin9", "iso-8859-15", "iso8859-15", "iso885915",
             "iso_8859-15", "l9") },
    { "ISO-8859-16", "ISO-8859-16", LABELS("iso-8859-16") },
    { "KOI8-R", "KOI8-R",
      LABELS("cskoi8r", "koi", "koi8", "koi8-r", "koi8_r") },
    { "KOI8-U", "KOI8-U", LABELS("koi8-ru", "koi8-u") },
    { "macintosh", "MACINTOSH",
      LABELS("csmacintosh", "mac", "macintosh", "x-mac-roman") },
    { "windows-874", "CP874",
      LABELS("dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620",
             "windows-874") },
    { "windows-1250", "CP1250",
      LABELS("cp1250", "windows-1250", "x-cp1250") },
    { "windows-1251", "CP1251",
      LABELS("cp1251", "windows-1251", "x-cp1251") },
    { "windows-1252", "CP1252",
      LABELS("ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1",
             "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591",
             "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii",
             "windows-1252", "x-cp1252") },
    { "windows-1253", "CP1253",
      LABELS("cp1253", "windows-1253", "x-cp1253") },
    { "windows-1254", "CP1254",
      LABELS("cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148",
             "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989", "l5",
             "latin5", "windows-1254", "x-cp1254") },
    { "windows-1255", "CP1255",
      LABELS("cp1255", "windows-1255", "x-cp1255") },
    { "windows-1256", "CP1256",
      LABELS("cp1256", "windows-1256", "x-cp1256") },
    { "windows-1257", "CP1257",
      LABELS("cp1257", "windows-1257", "x-cp1257") },
    { "windows-1258", "CP1258",
      LABELS("cp1258", "windows-1258", "x-cp1258") },
    { "x-mac-cyrillic", "MAC-CYRILLIC",
      LABELS("x-mac-cyrillic", "x-mac-ukrainian") },
    { "GBK", "GB18030",
      LABELS("chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312",
             "gb_2312-80", "gbk", "iso-ir-58", "x-gbk") },
    { "gb18030", "GB18030", LABELS("gb18030") },
    { "Big5", "BIG5-HKSCS",
      LABELS("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5") },
    { "EUC-JP", "EUC-JP",
      LABELS("cseucpkdfmtjapanese", "euc-jp", "x-euc-jp") },
    { "ISO-2022-JP", "ISO-2022-JP", LABELS("csiso2022jp", "iso-2022-jp") },
    { "Shift_JIS", "CP932",
      LABELS("csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis",
             "sjis", "windows-31j", "x-sjis") },
    { "EUC-KR", "CP949",
      LABELS("cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean",
             "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601",
             "windows-949") },
    { "UTF-16BE", "UTF-16BE", LABELS("unicodefffe", "utf-16be") },
    { "UTF-16LE", "UTF-16LE",
      LABELS("csunicode", "iso-10646-ucs-2", "ucs-2", "unicode",
             "unicodefeff", "utf-16", "utf-16le") },
};

#define NENCODINGS (sizeof(encodings) / sizeof(encodings[0]))

static const char *const source_names[] = {
    "default", "bom", "override", "http", "meta", "detected",
};

static void
set_encoding(struct charset_result *res, const char *name)
{
    snprintf(res->encoding, sizeof(res->encoding), "%s", name);
}

void
charset_result_init(struct charset_result *res)
{
    memset(res, 0, sizeof(*res));
    set_encoding(res, "UTF-8");
    buf_init(&res->buf, 0);
}

void
charset_result_release(struct charset_result *res)
{
    buf_release(&res->buf);
    x_free(res->warning);
    charset_result_init(res);
}

const char *
charset_source_name(enum charset_source source)
{
    if ((size_t)source >= sizeof(source_names) / sizeof(source_names[0]))
        return "default";
    return source_names[source];
}

static bool
is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static const struct encoding *
find(const char *label, size_t len)
{
    char low[CHARSET_NAME_MAX + 1];
    const char *const *l;
    size_t i;

    while (len > 0 && is_ws((unsigned char)*label)) {
        label++;
        len--;
    }
    while (len > 0 && is_ws((unsigned char)label[len - 1]))
        len--;
    if (len == 0 || len > CHARSET_NAME_MAX)
        return NULL;
    for (i = 0; i < len; i++)
        low[i] = ascii_lower(label[i]);
    low[len] = '\0';
    for (i = 0; i < NENCODINGS; i++)
        for (l = encodings[i].labels; *l != NULL; l++)
            if (strcmp(*l, low) == 0)
                return &encodings[i];
    return NULL;
}

const char *
charset_lookup(const char *label, size_t len)
{
    const struct encoding *e = find(label, len);

    return e ? e->name : NULL;
}

static const struct encoding *
by_name(const char *name)
{
    size_t i;

    for (i = 0; i < NENCODINGS; i++)
        if (strcmp(encodings[i].name, name) == 0)
            return &encodings[i];
    return NULL;
}

char *
charset_from_type(const char *content_type)
{
    const char *p = strchr(content_type, ';');
    const char *end;
    char q = '\0';
    size_t n;
    char *s;

    while (p != NULL) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, "charset", 7) == 0) {
            p += 7;
            p += strspn(p, " \t");
            if (*p == '=')
                break;
        }
        p = strchr(p, ';');
    }
    if (p == NULL)
        return NULL;
    p++;
    p += strspn(p, " \t");
    if (*p == '"' || *p == '\'')
        q = *p++;
    n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789._:+-");
    if (n == 0 || n > CHARSET_NAME_MAX)
        return NULL;
    end = p + n;
    if (q != '\0' && *end++ != q)
        return NULL;
    end += strspn(end, " \t");
    if (*end != '\0' && *end != ';')
        return NULL;
    s = xstrndup(p, n);
    for (n = 0; s[n] != '\0'; n++)
        s[n] = ascii_lower(s[n]);
    return s;
}

/* ------------------------------------------------------------------ */
/* The prescan (HTML standard, "prescan a byte stream to determine its
   encoding"): every step stops at the end of the first 1024 bytes. */

struct scan {
    const unsigned char *s;
    size_t n;   /* bytes looked at: at most CHARSET_PRESCAN */
    size_t i;
};

/* An attribute as the prescan reads it: lowercased, capped. */
struct attr {
    char name[CHARSET_PRESCAN + 1];
    char value[CHARSET_PRESCAN + 1];
    size_t nlen, vlen;
};

static void
put(char *dst, size_t *len, unsigned char c)
{
    if (*len < CHARSET_PRESCAN)
        dst[(*len)++] = ascii_lower((char)c);
    dst[*len] = '\0';
}

/* "Get an attribute": false when there is none (or the bytes ran out). */
static bool
get_attr(struct scan *sc, struct attr *a)
{
    unsigned char c, q;

    a->nlen = a->vlen = 0;
    a->name[0] = a->value[0] = '\0';
    while (sc->i < sc->n && (is_ws(sc->s[sc->i]) || sc->s[sc->i] == '/'))
        sc->i++;
    if (sc->i >= sc->n || sc->s[sc->i] == '>')
        return false;
    for (;; sc->i++) { /* the name */
        if (sc->i >= sc->n)
            return false;
        c = sc->s[sc->i];
        if (c == '=' && a->nlen > 0) {
            sc->i++;
            goto value;
        }
        if (is_ws(c))
            break;
        if (c == '/' || c == '>')
            return true;
        put(a->name, &a->nlen, c);
    }
    while (sc->i < sc->n && is_ws(sc->s[sc->i]))
        sc->i++;
    if (sc->i >= sc->n)
        return false;
    if (sc->s[sc->i] != '=')
        return true;
    sc->i++;
value:
    while (sc->i < sc->n && is_ws(sc->s[sc->i]))
        sc->i++;
    if (sc->i >= sc->n)
        return false;
    c = sc->s[sc->i];
    if (c == '"' || c == '\'') {
        q = c;
        for (sc->i++; sc->i < sc->n; sc->i++) {
            if (sc->s[sc->i] == q) {
                sc->i++;
                return true;
            }
            put(a->value, &a->vlen, sc->s[sc->i]);
        }
        return false;
    }
    if (c == '>')
        return true;
    for (; sc->i < sc->n; sc->i++) {
        c = sc->s[sc->i];
        if (is_ws(c) || c == '>')
            return true;
        put(a->value, &a->vlen, c);
    }
    return false;
}

/*
 * "Extracting a character encoding from a meta element": the label after
 * "charset=" in a content attribute ("text/html; charset=koi8-r").
 * Sets *label and *len; false when there is none.
 */
static bool
content_charset(const char *v, size_t n, const char **label, size_t *len)
{
    size_t i = 0, j;
    char q;

    for (;;) {
        while (i + 7 <= n && strncasecmp(v + i, "charset", 7) != 0)
            i++;
        if (i + 7 > n)
            return false;
        i += 7;
        while (i < n && is_ws((unsigned char)v[i]))
            i++;
        if (i < n && v[i] == '=')
            break;
    }
    i++;
    while (i < n && is_ws((unsigned char)v[i]))
        i++;
    if (i < n && (v[i] == '"' || v[i] == '\'')) {
        q = v[i++];
        for (j = i; j < n && v[j] != q; j++)
            ;
        if (j >= n)
            return false;
    } else {
        for (j = i; j < n && !is_ws((unsigned char)v[j]) && v[j] != ';'; j++)
            ;
    }
    if (j == i)
        return false;
    *label = v + i;
    *len = j - i;
    return true;
}

static void
note_unknown(char *unknown, const char *label, size_t len)
{
    if (unknown == NULL || unknown[0] != '\0' || len == 0)
        return;
    if (len > CHARSET_NAME_MAX)
        len = CHARSET_NAME_MAX;
    memcpy(unknown, label, len);
    unknown[len] = '\0';
}

/* A <meta>'s attributes, with sc->i just past "<meta". */
static const struct encoding *
scan_meta(struct scan *sc, struct attr *a, char *unknown)
{
    const struct encoding *enc = NULL;
    bool seen_he = false, seen_content = false, seen_charset = false;
    bool got_pragma = false;
    int need_pragma = -1; /* -1 null, 0 false, 1 true */
    const char *label;
    size_t len;

    while (get_attr(sc, a)) {
        if (strcmp(a->name, "http-equiv") == 0) {
            if (seen_he)
                continue;
            seen_he = true;
            if (strcmp(a->value, "content-type") == 0)
                got_pragma = true;
        } else if (strcmp(a->name, "content") == 0) {
            if (seen_content)
                continue;
            seen_content = true;
            if (enc == NULL && need_pragma == -1 &&
                content_charset(a->value, a->vlen, &label, &len)) {
                enc = find(label, len);
                if (enc != NULL)
                    need_pragma = 1;
                else
                    note_unknown(unknown, label, len);
            }
        } else if (strcmp(a->name, "charset") == 0) {
            if (seen_charset)
                continue;
            seen_charset = true;
            enc = find(a->value, a->vlen);
            if (enc == NULL)
                note_unknown(unknown, a->value, a->vlen);
            need_pragma = 0;
        }
    }
    if (need_pragma == -1 || (need_pragma == 1 && !got_pragma) ||
        enc == NULL)
        return NULL;
    if (strncmp(enc->name, "UTF-16", 6) == 0)
        return by_name("UTF-8");
    return enc;
}

/* Index of the first '>' at or after i, or n. */
static size_t
skip_to_gt(const struct scan *sc, size_t i)
{
    while (i < sc->n && sc->s[i] != '>')
        i++;
    return i;
}

static const struct encoding *
prescan(const char *html, size_t len, char *unknown)
{
    struct scan sc = { (const unsigned char *)html,
                       len < CHARSET_PRESCAN ? len : CHARSET_PRESCAN, 0 };
    struct attr *a = xmalloc(sizeof(*a));
    const struct encoding *enc = NULL;
    const unsigned char *s = sc.s;
    size_t rest;

    if (unknown != NULL)
        unknown[0] = '\0';
    while (sc.i < sc.n) {
        rest = sc.n - sc.i;
        if (s[sc.i] != '<') {
            sc.i++;
            continue;
        }
        if (rest >= 4 && memcmp(s + sc.i, "<!--", 4) == 0) {
            /* to the '>' of the first "-->", which may share its dashes
               with the "<!--" */
            size_t j = sc.i + 2;

            while (j + 2 < sc.n && !(s[j] == '-' && s[j + 1] == '-' &&
                                     s[j + 2] == '>'))
                j++;
            sc.i = j + 3;
            continue;
        }
        if (rest >= 6 && strncasecmp((const char *)s + sc.i, "<meta", 5) == 0 &&
            (is_ws(s[sc.i + 5]) || s[sc.i + 5] == '/')) {
            sc.i += 6;
            enc = scan_meta(&sc, a, unknown);
            if (enc != NULL)
                break;
            continue;
        }
        if (rest >= 2 && (ascii_isalpha(s[sc.i + 1]) ||
                          (s[sc.i + 1] == '/' && rest >= 3 &&
                           ascii_isalpha(s[sc.i + 2])))) {
            sc.i++;
            while (sc.i < sc.n && !is_ws(s[sc.i]) && s[sc.i] != '>')
                sc.i++;
            while (get_attr(&sc, a))
                ;
            sc.i++;
            continue;
        }
        if (rest >= 2 &&
            (s[sc.i + 1] == '!' || s[sc.i + 1] == '/' || s[sc.i + 1] == '?')) {
            sc.i = skip_to_gt(&sc, sc.i + 2) + 1;
            continue;
        }
        sc.i++;
    }
    x_free(a);
    if (enc != NULL && unknown != NULL)
        unknown[0] = '\0';
    return enc;
}

const char *
charset_prescan(const char *html, size_t len,
                char unknown[CHARSET_NAME_MAX + 1])
{
    const struct encoding *enc = prescan(html, len, unknown);

    return enc ? enc->name : NULL;
}

/* ------------------------------------------------------------------ */
/* Decoding */

static void
warn(struct charset_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct charset_result *res, const char *fmt, ...)
{
    va_list ap;
    char msg[512];
    char *joined;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (res->warning == NULL) {
        res->warning = xstrdup(msg);
        return;
    }
    joined = xasprintf("%s; %s", res->warning, msg);
    x_free(res->warning);
    res->warning = joined;
}

/* Printable copy of a label for a message ('?' for other bytes). */
static void
printable(const char *label, char out[CHARSET_NAME_MAX + 1])
{
    size_t i;

    for (i = 0; i < CHARSET_NAME_MAX && label[i] != '\0'; i++)
        out[i] = label[i] > ' ' && label[i] < 0x7f && label[i] != '\''
                     ? label[i]
                     : '?';
    out[i] = '\0';
}

/* The guess of uchardet over the first CHARSET_DETECT_MAX bytes, or "". */
static void
detect(const char *body, size_t len, char out[CHARSET_NAME_MAX + 1])
{
    uchardet_t ud = uchardet_new();
    const char *name;
    size_t n;

    out[0] = '\0';
    if (ud == NULL)
        abort(); /* allocation failure, as xmalloc */
    if (uchardet_handle_data(ud, body,
                             len < CHARSET_DETECT_MAX ? len
                                                      : CHARSET_DETECT_MAX) ==
        0) {
        uchardet_data_end(ud);
        name = uchardet_get_charset(ud);
        n = name ? strlen(name) : 0;
        if (n <= CHARSET_NAME_MAX && n > 0) {
            memcpy(out, name, n);
            out[n] = '\0';
        }
    }
    uchardet_delete(ud);
}

/* Keeps the input, cut to max_out at a character boundary. */
static void
pass_through(const char *in, size_t len, size_t max_out,
             struct charset_result *res)
{
    if (len > max_out) {
        len = max_out;
        while (len > 0 && ((unsigned char)in[len] & 0xc0) == 0x80)
            len--;
        res->truncated = true;
    }
    res->text = in;
    res->len = len;
}

/*
 * in[0..len) through cd into res->buf (at most max_out bytes); invalid or
 * incomplete sequences become U+FFFD, one for each byte skipped.
 */
static void
convert(iconv_t cd, const char *in, size_t len, size_t max_out,
        struct charset_result *res)
{
    char *chunk = xmalloc(CHUNK);
    char *ip = (char *)in;
    size_t ileft = len;
    bool flushed = false;

    buf_init(&res->buf, max_out);
    while (!flushed) {
        size_t room = max_out - res->buf.len;
        size_t cap = room < CHUNK ? room : CHUNK;
        char *op = chunk;
        size_t oleft = cap;
        size_t rc;
        int e;

        if (ileft > 0) {
            rc = iconv(cd, &ip, &ileft, &op, &oleft);
        } else {
            rc = iconv(cd, NULL, NULL, &op, &oleft); /* the shift state */
            flushed = rc != (size_t)-1;
        }
        e = errno;
        if (op > chunk)
            buf_add(&res->buf, chunk, (size_t)(op - chunk));
        if (rc != (size_t)-1)
            continue;
        if (e == E2BIG) {
            if (room <= CHUNK) {
                res->truncated = true;
                break;
            }
            continue;
        }
        /* EILSEQ (invalid here), EINVAL (cut short at the end) */
        if (max_out - res->buf.len < sizeof(REPLACEMENT) - 1) {
            res->truncated = true;
            break;
        }
        buf_add(&res->buf, REPLACEMENT, sizeof(REPLACEMENT) - 1);
        res->replaced++;
        if (ileft == 0) /* the flush failed: nothing more to say */
            break;
        ip++;
        ileft--;
    }
    x_free(chunk);
    if (res->buf.ptr == NULL)
        buf_add(&res->buf, "", 0);
    res->text = buf_str(&res->buf);
    res->len = res->buf.len;
}

void
charset_decode(const char *body, size_t len, const char *override,
               const char *http_charset, bool html, size_t max_out,
               struct charset_result *res)
{
    const unsigned char *b = (const unsigned char *)body;
    const struct encoding *enc = NULL;
    char unknown[CHARSET_NAME_MAX + 1];
    char shown[CHARSET_NAME_MAX + 1];
    char guess[CHARSET_NAME_MAX + 1] = "";
    const char *iconv_name = NULL;
    size_t skip = 0;
    iconv_t cd;

    res->source = CHARSET_DEFAULT;
    if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
        enc = by_name("UTF-8");
        skip = 3;
    } else if (len >= 2 && b[0] == 0xfe && b[1] == 0xff) {
        enc = by_name("UTF-16BE");
        skip = 2;
    } else if (len >= 2 && b[0] == 0xff && b[1] == 0xfe) {
        enc = by_name("UTF-16LE");
        skip = 2;
    }
    if (enc != NULL)
        res->source = CHARSET_BOM;
    if (enc == NULL && override != NULL) {
        enc = find(override, strlen(override));
        if (enc != NULL) {
            res->source = CHARSET_OVERRIDE;
        } else {
            printable(override, shown);
            warn(res, "unknown charset '%s' in the source's charset "
                      "setting, ignored", shown);
        }
    }
    if (enc == NULL && http_charset != NULL) {
        enc = find(http_charset, strlen(http_charset));
        if (enc != NULL) {
            res->source = CHARSET_HTTP;
        } else {
            printable(http_charset, shown);
            warn(res, "unknown charset '%s' in the HTTP Content-Type, "
                      "ignored", shown);
        }
    }
    if (enc == NULL && html) {
        enc = prescan(body, len, unknown);
        if (enc != NULL) {
            res->source = CHARSET_META;
        } else if (unknown[0] != '\0') {
            printable(unknown, shown);
            warn(res, "unknown charset '%s' in a <meta>, ignored", shown);
        }
    }
    if (enc == NULL && u8_check(b, len) != NULL) {
        detect(body, len, guess);
        enc = find(guess, strlen(guess));
        if (enc != NULL) {
            res->source = CHARSET_DETECTED;
        } else if (guess[0] != '\0') {
            /* uchardet knows a few that the standard does not (IBM855,
               EUC-TW, VISCII...): glibc may convert them. */
            iconv_name = guess;
            res->source = CHARSET_DETECTED;
        } else {
            warn(res, "no charset declared and the bytes are neither UTF-8 "
                      "nor recognised; read as UTF-8, bad bytes replaced");
        }
    }
    if (enc != NULL)
        iconv_name = enc->iconv;
    if (iconv_name == NULL || strcmp(iconv_name, "UTF-8") == 0) {
        set_encoding(res, "UTF-8");
        pass_through(body + skip, len - skip, max_out, res);
        goto out;
    }
    cd = iconv_open("UTF-8", iconv_name);
    if (cd == (iconv_t)-1) {
        printable(iconv_name, shown);
        warn(res, "no converter for charset '%s' in the C library; read as "
                  "UTF-8, bad bytes replaced", shown);
        res->source = CHARSET_DEFAULT;
        set_encoding(res, "UTF-8");
        pass_through(body + skip, len - skip, max_out, res);
        goto out;
    }
    set_encoding(res, enc != NULL ? enc->name : iconv_name);
    convert(cd, body + skip, len - skip, max_out, res);
    iconv_close(cd);
    if (res->replaced > 0)
        warn(res, "%zu invalid %s sequence%s replaced by U+FFFD",
             res->replaced, enc != NULL ? enc->name : iconv_name,
             res->replaced == 1 ? "" : "s");
out:
    if (res->truncated)
        warn(res, "text cut at %zu bytes of UTF-8 (the cap on a converted "
                  "page)", max_out);
}

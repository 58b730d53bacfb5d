/*
 * Page bytes to UTF-8: which encoding a page is in, decided in the order of
 * the HTML standard's encoding sniffing (byte order mark, an operator's
 * override, the HTTP Content-Type charset, a <meta> in the first 1024
 * bytes, then detection with uchardet when nothing is declared and the
 * bytes are not UTF-8), and the conversion with iconv. Labels are those of
 * the WHATWG Encoding Standard, mapped to the glibc converters that decode
 * as browsers do (latin1 and us-ascii are windows-1252, Shift_JIS is
 * CP932, GBK is GB18030, ...). Never fails a page: an unknown label falls
 * back to the next step, a bad sequence becomes U+FFFD, and each is said
 * in a warning.
 */
#ifndef DRP_CHARSET_H
#define DRP_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

#define CHARSET_NAME_MAX 40     /* bytes of a label looked at */
#define CHARSET_PRESCAN 1024    /* bytes searched for a <meta> */
#define CHARSET_DETECT_MAX 65536 /* bytes uchardet reads */
#define CHARSET_GROWTH 3        /* UTF-8 bytes per input byte, at most
                                   needed (a BMP character from one byte) */

enum charset_source {
    CHARSET_DEFAULT = 0, /* nothing declared, valid UTF-8 (or undetectable) */
    CHARSET_BOM,
    CHARSET_OVERRIDE,    /* the operator's (per-source config) */
    CHARSET_HTTP,        /* Content-Type's charset parameter */
    CHARSET_META,        /* <meta charset> or <meta http-equiv> */
    CHARSET_DETECTED,    /* uchardet */
};

struct charset_result {
    const char *text;   /* the page in UTF-8; points into buf, or into the
                           input when that was UTF-8 already (it may then
                           hold invalid bytes, which html_parse replaces) */
    size_t len;
    char encoding[CHARSET_NAME_MAX + 1]; /* the WHATWG name used:
                               "UTF-8", "windows-1251", ... (or uchardet's
                               for one the standard does not know) */
    enum charset_source source;
    size_t replaced;        /* invalid sequences replaced by U+FFFD */
    bool truncated;         /* the output reached max_out and was cut */
    char *warning;          /* NULL, or what went wrong (no page bytes) */
    struct buf buf;         /* owns the converted text */
};

void charset_result_init(struct charset_result *res);
void charset_result_release(struct charset_result *res);

/* "bom", "override", "http", "meta", "detected" or "default". */
const char *charset_source_name(enum charset_source source);

/*
 * The WHATWG encoding name for a label ("CP1251 " -> "windows-1251"), any
 * case, ASCII white space trimmed; NULL for an unknown label or one of the
 * "replacement" encodings (ISO-2022-KR, HZ-GB-2312, ...), which no page
 * is decoded with.
 */
const char *charset_lookup(const char *label, size_t len);

/*
 * The charset parameter of a Content-Type value ("text/html; charset=
 * \"KOI8-R\"" -> "koi8-r"), lowercased, for the caller to free; NULL when
 * there is none, or it is longer than CHARSET_NAME_MAX bytes or holds
 * other bytes than letters, digits and "._:+-".
 */
char *charset_from_type(const char *content_type);

/*
 * The encoding a <meta> in the first CHARSET_PRESCAN bytes of html
 * declares (the HTML standard's prescan), or NULL. A declared UTF-16 is
 * taken as UTF-8, as the standard says. When only unknown labels were
 * declared and unknown is not NULL, the first is copied there (at most
 * CHARSET_NAME_MAX bytes, NUL-terminated), else unknown[0] is NUL.
 */
const char *charset_prescan(const char *html, size_t len,
                            char unknown[CHARSET_NAME_MAX + 1]);

/*
 * Decides the encoding of body[0..len) and makes it UTF-8 in res (which
 * charset_result_init() prepared). override and http_charset are labels
 * or NULL; html false (text/plain) skips the <meta> prescan. The output
 * holds at most max_out bytes, cut at a character boundary (res->truncated
 * and a warning say so). A BOM is removed. Never fails: every problem is
 * described in res->warning and the best reading of the bytes is kept.
 */
void charset_decode(const char *body, size_t len, const char *override,
                    const char *http_charset, bool html, size_t max_out,
                    struct charset_result *res);

#endif

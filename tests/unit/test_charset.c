/*
 * crawler/charset: WHATWG labels, the Content-Type parameter, the BOM, the
 * <meta> prescan and its bounds, the order of the sources, conversion
 * with replacement, the output cap, NUL bytes and detection.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler/charset.h"
#include "extract/html.h"
#include "tests/tap.h"

/* "Привет, форум" in each encoding */
#define RU_UTF8 "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"
#define RU_1251 "\xcf\xf0\xe8\xe2\xe5\xf2"
#define RU_KOI8 "\xf0\xd2\xc9\xd7\xc5\xd4"
/* a label of CHARSET_NAME_MAX bytes */
#define LABEL40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_labels(void)
{
    static const struct {
        const char *label;
        const char *name;
    } cases[] = {
        { "windows-1251", "windows-1251" },
        { "cp1251", "windows-1251" },
        { "x-cp1251", "windows-1251" },
        { " CP1251\t", "windows-1251" },
        { "koi8-r", "KOI8-R" },
        { "KOI8_R", "KOI8-R" },
        { "koi", "KOI8-R" },
        { "koi8-u", "KOI8-U" },
        { "shift_jis", "Shift_JIS" },
        { "x-sjis", "Shift_JIS" },
        { "sjis", "Shift_JIS" },
        { "windows-31j", "Shift_JIS" },
        { "gb2312", "GBK" },
        { "gbk", "GBK" },
        { "chinese", "GBK" },
        { "gb18030", "gb18030" },
        { "big5", "Big5" },
        { "euc-jp", "EUC-JP" },
        { "iso-2022-jp", "ISO-2022-JP" },
        { "euc-kr", "EUC-KR" },
        { "ks_c_5601-1987", "EUC-KR" },
        { "iso-8859-1", "windows-1252" },
        { "latin1", "windows-1252" },
        { "us-ascii", "windows-1252" },
        { "ascii", "windows-1252" },
        { "iso-8859-9", "windows-1254" },
        { "iso-8859-5", "ISO-8859-5" },
        { "iso-8859-8-i", "ISO-8859-8-I" },
        { "tis-620", "windows-874" },
        { "ibm866", "IBM866" },
        { "x-mac-cyrillic", "x-mac-cyrillic" },
        { "mac", "macintosh" },
        { "utf8", "UTF-8" },
        { "UTF-8", "UTF-8" },
        { "unicode-1-1-utf-8", "UTF-8" },
        { "utf-16", "UTF-16LE" },
        { "unicode", "UTF-16LE" },
        { "utf-16be", "UTF-16BE" },
        { "iso-2022-kr", NULL },   /* a "replacement" encoding */
        { "hz-gb-2312", NULL },
        { "x-user-defined", NULL },
        { "klingon", NULL },
        { "", NULL },
        { "   ", NULL },
        { "windows-1251windows-1251windows-1251windows-1251", NULL },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_str(charset_lookup(cases[i].label, strlen(cases[i].label)),
               cases[i].name, "label '%s'", cases[i].label);
    is_str(charset_lookup("koi8-rX", 6), "KOI8-R", "the length is honoured");
}

/* Each encoding through iconv: converter present, bytes decoded. */
static void
test_convert_each(void)
{
    static const struct {
        const char *label;
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        { "windows-1251", RU_1251, 6, RU_UTF8 },
        { "koi8-r", RU_KOI8, 6, RU_UTF8 },
        { "koi8-u", "\xa4", 1, "\xd1\x94" },             /* є */
        { "ibm866", "\x8f", 1, "\xd0\x9f" },             /* П */
        { "iso-8859-5", "\xbf", 1, "\xd0\x9f" },
        { "x-mac-cyrillic", "\x8f", 1, "\xd0\x9f" },
        { "iso-8859-2", "\xb1", 1, "\xc4\x85" },         /* ą */
        { "iso-8859-3", "\xa1", 1, "\xc4\xa6" },
        { "iso-8859-4", "\xa1", 1, "\xc4\x84" },
        { "iso-8859-6", "\xc7", 1, "\xd8\xa7" },
        { "iso-8859-7", "\xe1", 1, "\xce\xb1" },         /* α */
        { "iso-8859-8", "\xe0", 1, "\xd7\x90" },         /* א */
        { "iso-8859-8-i", "\xe0", 1, "\xd7\x90" },
        { "iso-8859-10", "\xa1", 1, "\xc4\x84" },
        { "iso-8859-13", "\xe0", 1, "\xc4\x85" },
        { "iso-8859-14", "\xa1", 1, "\xe1\xb8\x82" },
        { "iso-8859-15", "\xa4", 1, "\xe2\x82\xac" },    /* € */
        { "iso-8859-16", "\xa4", 1, "\xe2\x82\xac" },
        { "macintosh", "\x80", 1, "\xc3\x84" },          /* Ä */
        { "windows-874", "\xa1", 1, "\xe0\xb8\x81" },
        { "windows-1250", "\xb9", 1, "\xc4\x85" },
        { "iso-8859-1", "\x80", 1, "\xe2\x82\xac" },     /* as browsers */
        { "us-ascii", "caf\xe9", 4, "caf\xc3\xa9" },
        { "windows-1253", "\xe1", 1, "\xce\xb1" },
        { "windows-1254", "\xf0", 1, "\xc4\x9f" },
        { "windows-1255", "\xe0", 1, "\xd7\x90" },
        { "windows-1256", "\xc7", 1, "\xd8\xa7" },
        { "windows-1257", "\xe0", 1, "\xc4\x85" },
        { "windows-1258", "\xe0", 1, "\xc3\xa0" },
        { "gbk", "\xc4\xe3\xba\xc3", 4, "\xe4\xbd\xa0\xe5\xa5\xbd" },
        { "gb18030", "\x81\x30\x81\x30", 4, "\xc2\x80" },
        { "big5", "\xa4\xa4", 2, "\xe4\xb8\xad" },       /* 中 */
        { "euc-jp", "\xc6\xfc", 2, "\xe6\x97\xa5" },     /* 日 */
        { "iso-2022-jp", "\x1b$B\x46\x7c\x1b(B", 8, "\xe6\x97\xa5" },
        { "shift_jis", "\x93\xfa\x96\x7b", 4, "\xe6\x97\xa5\xe6\x9c\xac" },
        { "x-sjis", "C:\\x~", 5, "C:\\x~" }, /* ASCII, not yen/overline */
        { "euc-kr", "\xc7\xd1", 2, "\xed\x95\x9c" },     /* 한 */
        { "utf-16le", "A\0\x1f\x04", 4, "A\xd0\x9f" },
        { "utf-16be", "\0A\x04\x1f", 4, "A\xd0\x9f" },
        { "utf-8", RU_UTF8, 12, RU_UTF8 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct charset_result r;
        const char *name = charset_lookup(cases[i].label,
                                          strlen(cases[i].label));

        charset_result_init(&r);
        charset_decode(cases[i].in, cases[i].len, cases[i].label, NULL, true,
                       1024, &r);
        ok(r.len == strlen(cases[i].want) &&
               memcmp(r.text, cases[i].want, r.len) == 0 &&
               r.warning == NULL && r.source == CHARSET_OVERRIDE &&
               name != NULL && strcmp(r.encoding, name) == 0,
           "%s decodes (%s)", cases[i].label,
           r.warning ? r.warning : "no warning");
        charset_result_release(&r);
    }
}

static void
test_content_type(void)
{
    static const struct {
        const char *type;
        const char *want;
    } cases[] = {
        { "text/html; charset=Windows-1251", "windows-1251" },
        { "text/html;charset=\"KOI8-R\"", "koi8-r" },
        { "text/html; Charset = 'utf-8'", "utf-8" },
        { "text/html; foo=bar; charset=gbk; q=1", "gbk" },
        { "text/html; foo=\"x\";charset=shift_jis", "shift_jis" },
        { "text/html", NULL },
        { "text/html; charset=", NULL },
        { "text/html; charset", NULL },
        { "text/html; xcharset=koi8-r", NULL },
        { "text/html; charset=koi8 r", NULL },
        { "text/html; charset=koi8\x01r", NULL },
        { "text/html; charset=<script>", NULL },
        { "text/html; charset=" LABEL40 "a", NULL },   /* one too long */
        { "text/html; charset=" LABEL40, LABEL40 },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = charset_from_type(cases[i].type);

        is_str(got, cases[i].want, "content type '%s'", cases[i].type);
        free(got);
    }
}

static void
test_bom(void)
{
    struct charset_result r;

    charset_result_init(&r);
    charset_decode("\xef\xbb\xbf" RU_UTF8, 15, NULL, "windows-1251", true,
                   1024, &r);
    ok(r.source == CHARSET_BOM && strcmp(r.encoding, "UTF-8") == 0 &&
           r.len == 12 && memcmp(r.text, RU_UTF8, 12) == 0,
       "a UTF-8 BOM beats the HTTP header and is removed");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\xff\xfe<\0p\0>\0\x1f\x04", 10, "koi8-r", NULL, true,
                   1024, &r);
    ok(r.source == CHARSET_BOM && strcmp(r.encoding, "UTF-16LE") == 0 &&
           r.len == 5 && memcmp(r.text, "<p>\xd0\x9f", 5) == 0,
       "UTF-16LE by its BOM, before an override");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\xfe\xff\0<\0p\0>\x04\x1f", 10, NULL, NULL, true, 1024,
                   &r);
    ok(r.source == CHARSET_BOM && strcmp(r.encoding, "UTF-16BE") == 0 &&
           r.len == 5 && memcmp(r.text, "<p>\xd0\x9f", 5) == 0,
       "UTF-16BE by its BOM");
    charset_result_release(&r);
}

static void
test_prescan(void)
{
    char unknown[CHARSET_NAME_MAX + 1];
    char big[2048];
    const char *s;

    s = "<!DOCTYPE html><html><head><meta charset=\"windows-1251\">";
    is_str(charset_prescan(s, strlen(s), unknown), "windows-1251",
           "<meta charset>");
    s = "<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; "
        "charset=KOI8-R\">";
    is_str(charset_prescan(s, strlen(s), unknown), "KOI8-R",
           "<meta http-equiv content>, any case");
    s = "<meta content='text/html; charset = \"gbk\"' "
        "http-equiv=content-type>";
    is_str(charset_prescan(s, strlen(s), unknown), "GBK",
           "content before http-equiv, quoted label");
    s = "<meta content=\"text/html; charset=koi8-r\">";
    is_str(charset_prescan(s, strlen(s), unknown), NULL,
           "content without http-equiv declares nothing");
    s = "<meta charset=koi8-r charset=utf-8>";
    is_str(charset_prescan(s, strlen(s), unknown), "KOI8-R",
           "a repeated attribute is ignored");
    s = "<!-- <meta charset=koi8-r> --><meta charset=cp1251>";
    is_str(charset_prescan(s, strlen(s), unknown), "windows-1251",
           "a <meta> in a comment is skipped");
    s = "<!--><meta charset=koi8-r>";
    is_str(charset_prescan(s, strlen(s), unknown), "KOI8-R",
           "<!--> closes the comment it opens");
    s = "<div title=\"<meta charset=koi8-r>\"><meta charset=cp1251>";
    is_str(charset_prescan(s, strlen(s), unknown), "windows-1251",
           "a <meta> inside an attribute value is skipped");
    s = "<?xml version=\"1.0\"?><meta charset=cp1251>";
    is_str(charset_prescan(s, strlen(s), unknown), "windows-1251",
           "processing instruction skipped");
    s = "<metal charset=koi8-r><meta/charset=cp1251>";
    is_str(charset_prescan(s, strlen(s), unknown), "windows-1251",
           "<metal> is not <meta>; <meta/ is");
    s = "<meta charset=utf-16le>";
    is_str(charset_prescan(s, strlen(s), unknown), "UTF-8",
           "UTF-16 in a <meta> means UTF-8");
    s = "<meta charset=klingon><meta charset=koi8-r>";
    is_str(charset_prescan(s, strlen(s), unknown), "KOI8-R",
           "an unknown label, then a known one");
    is_str(unknown, "", "no unknown label reported when one was found");
    s = "<meta charset=klingon>";
    is_str(charset_prescan(s, strlen(s), unknown), NULL, "unknown label");
    is_str(unknown, "klingon", "the unknown label is reported");

    memset(big, ' ', sizeof(big));
    memcpy(big + 1010, "<meta charset=koi8-r>", 21);
    is_str(charset_prescan(big, sizeof(big), unknown), NULL,
           "a <meta> crossing byte 1024 is not seen");
    memset(big, ' ', sizeof(big));
    memcpy(big + 1024 - 21, "<meta charset=koi8-r>", 21);
    is_str(charset_prescan(big, sizeof(big), unknown), "KOI8-R",
           "a <meta> ending at byte 1024 is seen");
    memset(big, ' ', sizeof(big));
    memcpy(big + 1024 - 20, "<meta charset=\"koi8-r", 21);
    is_str(charset_prescan(big, sizeof(big), unknown), NULL,
           "an unterminated quote at the end stops quietly");
    memset(big, 'a', sizeof(big));
    big[0] = '<';
    big[1] = 'a';
    big[2] = ' ';
    is_str(charset_prescan(big, sizeof(big), unknown), NULL,
           "a 2 KiB attribute name stops at the bound");
    s = "<meta";
    is_str(charset_prescan(s, strlen(s), unknown), NULL, "a cut <meta");
    s = "<meta charset=";
    is_str(charset_prescan(s, strlen(s), unknown), NULL, "a cut value");
    is_str(charset_prescan("", 0, NULL), NULL, "empty input");
}

static void
test_order(void)
{
    struct charset_result r;
    const char *page = "<meta charset=koi8-r><p>" RU_1251;
    size_t len = strlen(page);

    charset_result_init(&r);
    charset_decode(page, len, "windows-1251", "iso-8859-5", true, 1024, &r);
    ok(r.source == CHARSET_OVERRIDE &&
           strcmp(r.encoding, "windows-1251") == 0,
       "the override beats the header and the meta");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(page, len, NULL, "cp1251", true, 1024, &r);
    ok(r.source == CHARSET_HTTP && strcmp(r.encoding, "windows-1251") == 0 &&
           r.len == 24 + 12 && memcmp(r.text + 24, RU_UTF8, 12) == 0,
       "the HTTP header beats the meta");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(page, len, NULL, "x-bogus", true, 1024, &r);
    ok(r.source == CHARSET_META && strcmp(r.encoding, "KOI8-R") == 0 &&
           r.warning && strstr(r.warning, "unknown charset 'x-bogus' in "
                                          "the HTTP Content-Type"),
       "an unknown header label: the meta, with a warning (%s)",
       r.warning ? r.warning : "none");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(page, len, "nope", NULL, true, 1024, &r);
    ok(r.source == CHARSET_META && r.warning &&
           strstr(r.warning, "'nope' in the source's charset setting"),
       "an unknown override: the next step, with a warning");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("<meta charset=koi8-r>plain", 26, NULL, NULL, false,
                   1024, &r);
    ok(r.source == CHARSET_DEFAULT && strcmp(r.encoding, "UTF-8") == 0 &&
           r.text != NULL && r.len == 26,
       "text/plain: no meta prescan");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("<p>" RU_UTF8, 15, NULL, NULL, true, 1024, &r);
    ok(r.source == CHARSET_DEFAULT && strcmp(r.encoding, "UTF-8") == 0 &&
           r.buf.ptr == NULL && r.len == 15 && r.warning == NULL,
       "undeclared valid UTF-8 is kept as it is, no copy");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("<p>\x80\x81", 5, NULL, "iso-2022-kr", true, 1024, &r);
    ok(r.warning && strstr(r.warning, "'iso-2022-kr'"),
       "a replacement encoding is not decoded with");
    charset_result_release(&r);
}

static void
test_invalid(void)
{
    struct charset_result r;

    charset_result_init(&r);
    charset_decode("a\x98" "b\x98", 4, NULL, "windows-1251", true, 1024, &r);
    ok(r.len == 8 && memcmp(r.text, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8) == 0 &&
           r.replaced == 2,
       "bytes windows-1251 leaves undefined become U+FFFD, the rest stays");
    ok(r.warning && strstr(r.warning, "2 invalid windows-1251 sequences "
                                      "replaced by U+FFFD"),
       "and the warning counts them (%s)", r.warning ? r.warning : "none");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\x93\xfa\xff\x93", 4, NULL, "shift_jis", true, 1024, &r);
    ok(r.len == 9 &&
           memcmp(r.text, "\xe6\x97\xa5\xef\xbf\xbd\xef\xbf\xbd", 9) == 0 &&
           r.replaced == 2,
       "Shift_JIS: a bad byte and a sequence cut at the end");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("A\0B", 3, NULL, "utf-16le", true, 1024, &r);
    ok(r.len == 4 && memcmp(r.text, "A\xef\xbf\xbd", 4) == 0 &&
           r.replaced == 1,
       "UTF-16 with an odd byte at the end");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\x1b$B\x46", 4, NULL, "iso-2022-jp", true, 1024, &r);
    ok(r.replaced >= 1 && r.warning != NULL, "ISO-2022-JP cut short");
    charset_result_release(&r);
}

static void
test_cap(void)
{
    struct charset_result r;
    char in[1000];

    memset(in, '\xcf', sizeof(in)); /* П, two bytes in UTF-8 */
    charset_result_init(&r);
    charset_decode(in, sizeof(in), NULL, "cp1251", true, 101, &r);
    ok(r.truncated && r.len == 100 && r.buf.len == 100,
       "output cut at the cap, on a character boundary (len %zu)", r.len);
    ok(r.warning && strstr(r.warning, "text cut at 101 bytes"),
       "the warning says it was cut");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(in, sizeof(in), NULL, "cp1251", true, 2000, &r);
    ok(!r.truncated && r.len == 2000 && r.warning == NULL,
       "exactly at the cap: nothing cut");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\x98\x98", 2, NULL, "cp1251", true, 4, &r);
    ok(r.truncated && r.len == 3 && r.replaced == 1,
       "a replacement that does not fit is cut too");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(RU_UTF8, 12, NULL, NULL, true, 5, &r);
    ok(r.truncated && r.len == 4 && r.text != NULL,
       "UTF-8 kept as it is is cut at a character boundary too");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode(RU_1251, 6, NULL, "cp1251", true, 0, &r);
    ok(r.truncated && r.len == 0 && r.text != NULL && r.text[0] == '\0',
       "a zero cap gives empty text, not NULL");
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("", 0, NULL, "cp1251", true, 10, &r);
    ok(!r.truncated && r.len == 0 && r.text != NULL && r.warning == NULL,
       "empty body");
    charset_result_release(&r);
}

static void
test_nul(void)
{
    struct charset_result r;

    charset_result_init(&r);
    charset_decode("\xcf\0\xf0", 3, NULL, "windows-1251", true, 1024, &r);
    ok(r.len == 5 && memcmp(r.text, "\xd0\x9f\0\xd1\x80", 5) == 0,
       "a NUL byte does not end the conversion (html_parse replaces it)");
    charset_result_release(&r);
}

/* A forum post in Russian, as windows-1251 and as KOI8-R, undeclared. */
static const char post_utf8[] =
    "<html><body><h1>\xd0\xa4\xd0\xbe\xd1\x80\xd1\x83\xd0\xbc</h1><p>"
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xb2\xd1\x81"
    "\xd0\xb5\xd0\xbc! \xd0\xa1\xd0\xb2\xd0\xb5\xd0\xb6\xd0\xb0\xd1\x8f "
    "\xd0\xb1\xd0\xb0\xd0\xb7\xd0\xb0 \xd0\xb4\xd0\xbb\xd1\x8f "
    "\xd0\xbf\xd1\x80\xd0\xbe\xd0\xb4\xd0\xb0\xd0\xb6\xd0\xb8, "
    "\xd0\xbf\xd1\x80\xd0\xbe\xd0\xb2\xd0\xb5\xd1\x80\xd0\xb5\xd0\xbd"
    "\xd0\xbd\xd1\x8b\xd0\xb5 \xd0\xb0\xd0\xba\xd0\xba\xd0\xb0\xd1\x83"
    "\xd0\xbd\xd1\x82\xd1\x8b \xd0\xb1\xd0\xb0\xd0\xbd\xd0\xba\xd0\xb0. "
    "\xd0\x9f\xd0\xb8\xd1\x88\xd0\xb8\xd1\x82\xd0\xb5 \xd0\xb2 "
    "\xd0\xbb\xd0\xb8\xd1\x87\xd0\xba\xd1\x83, \xd1\x86\xd0\xb5\xd0\xbd"
    "\xd0\xb0 \xd0\xb4\xd0\xbe\xd0\xb3\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x80"
    "\xd0\xbd\xd0\xb0\xd1\x8f.</p></body></html>";

/* The post recoded by the test itself with iconv(3). */
#include <iconv.h>
static size_t
recode(const char *to, const char *in, char *out, size_t max)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    char *ip = (char *)in, *op = out;
    size_t il = strlen(in), ol = max;

    if (cd == (iconv_t)-1)
        return 0;
    iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    return max - ol;
}

static void
test_detect(void)
{
    struct charset_result r;
    struct html_doc doc;
    char page[2048];
    char decl[2400];
    size_t n;

    n = recode("CP1251", post_utf8, page, sizeof(page));
    charset_result_init(&r);
    charset_decode(page, n, NULL, NULL, true, 3 * n, &r);
    ok(r.source == CHARSET_DETECTED &&
           strcmp(r.encoding, "windows-1251") == 0,
       "an undeclared windows-1251 page is detected (%s)", r.encoding);
    ok(r.len == strlen(post_utf8) && memcmp(r.text, post_utf8, r.len) == 0,
       "and converted");
    ok(r.warning == NULL, "detection is no problem");
    charset_result_release(&r);

    n = recode("KOI8-R", post_utf8, page, sizeof(page));
    charset_result_init(&r);
    charset_decode(page, n, NULL, NULL, true, 3 * n, &r);
    ok(r.source == CHARSET_DETECTED && strcmp(r.encoding, "KOI8-R") == 0 &&
           r.len == strlen(post_utf8) &&
           memcmp(r.text, post_utf8, r.len) == 0,
       "an undeclared KOI8-R page is detected and converted (%s)",
       r.encoding);
    charset_result_release(&r);

    /* The converted page keeps its own <meta charset=windows-1251>: the
       parser must read it as the UTF-8 it now is. */
    memcpy(decl, "<meta charset=windows-1251>", 27);
    n = recode("CP1251", post_utf8, decl + 27, sizeof(decl) - 27) + 27;
    charset_result_init(&r);
    charset_decode(decl, n, NULL, NULL, true, 3 * n, &r);
    ok(r.source == CHARSET_META, "declared by its meta");
    html_doc_init(&doc);
    ok(html_parse(r.text, r.len, &doc) == 0 && !doc.invalid_utf8 &&
           strstr(buf_str(&doc.text),
                  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
                  "\xd0\xb2\xd1\x81\xd0\xb5\xd0\xbc!") != NULL,
       "html_parse reads the converted page as UTF-8 despite its meta");
    html_doc_release(&doc);
    charset_result_release(&r);

    charset_result_init(&r);
    charset_decode("\x80", 1, NULL, NULL, false, 16, &r);
    ok(r.text != NULL && r.len >= 1, "one stray byte: something readable");
    charset_result_release(&r);
}

int
main(void)
{
    test_labels();
    test_convert_each();
    test_content_type();
    test_bom();
    test_prescan();
    test_order();
    test_invalid();
    test_cap();
    test_nul();
    test_detect();
    return done_testing();
}

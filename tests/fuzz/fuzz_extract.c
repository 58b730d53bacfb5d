/*
 * libFuzzer target for extract/extract.c: findings stay inside the text,
 * come sorted, never hold a password (no finding of another kind gives
 * one away, a URL holds no user name or password), redaction masks
 * passwords, card numbers and secrets, and snippets work on any bytes.
 */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xalloc.h"
#include "extract/extract.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct watch_term terms[] = {
    { "brand", "Northwind", "high", "brand" },
    { "brand", "Northwind Bank", "high", "brand" },
    { "executive", "Jane Doe", "high", "security" },
    { "product", "C++ Suite (pro)", "low", "brand" },
    { "domain", "northwind.com", "high", "soc" },
    { "email_domain", "nw-mail.com", "high", "soc" },
    { "brand", "M\xc3\xbcller Stra\xc3\x9f" "e", "medium", "brand" },
    { "brand", "\xd0\xa1\xd0\xb1\xd0\xb5\xd1\x80", "medium", "brand" },
};

static struct extractor *x;

/* True when finding o's span overlaps credential c's password. */
static bool
overlaps(const struct finding *o, const struct finding *c)
{
    return o->offset < c->pw_offset + c->pw_len &&
           c->pw_offset < o->offset + o->len;
}

/*
 * True when finding o gives away some of credential c's password: it
 * overlaps it, unless it is a URL that covers more than the password and
 * whose value no longer holds the bytes it covers (user info dropped).
 */
static bool
leaks(const struct finding *o, const struct finding *c, const char *text)
{
    size_t a, b, vn, i;

    if (!overlaps(o, c))
        return false;
    if (o->kind != FIND_URL ||
        (o->offset >= c->pw_offset &&
         o->offset + o->len <= c->pw_offset + c->pw_len))
        return true;
    a = o->offset > c->pw_offset ? o->offset : c->pw_offset;
    b = o->offset + o->len < c->pw_offset + c->pw_len
            ? o->offset + o->len
            : c->pw_offset + c->pw_len;
    vn = strlen(o->value);
    for (i = 0; i + (b - a) <= vn; i++)
        if (strncasecmp(o->value + i, text + a, b - a) == 0)
            return true;
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct findings f;
    const struct finding *fd;
    char *text, *snip;
    size_t i, j;

    if (x == NULL)
        x = extractor_new(terms, sizeof(terms) / sizeof(terms[0]),
                          (const unsigned char *)"fuzz", 4);
    text = xmalloc(size + 1);
    if (size > 0)
        memcpy(text, data, size);
    findings_init(&f);
    extract_text(x, text, size, &f);
    {
        /* The prefilter only saves work: the same findings without it,
           with the same confidences (context words) and variants (watch
           terms found in its pass or in their own). */
        struct findings g;

        findings_init(&g);
        extractor_set_prefilter(x, false);
        extract_text(x, text, size, &g);
        extractor_set_prefilter(x, true);
        if (g.n != f.n)
            abort();
        for (i = 0; i < f.n; i++)
            if (g.v[i].kind != f.v[i].kind ||
                g.v[i].offset != f.v[i].offset ||
                g.v[i].len != f.v[i].len ||
                g.v[i].confidence != f.v[i].confidence ||
                g.v[i].variant != f.v[i].variant ||
                strcmp(g.v[i].value, f.v[i].value) != 0)
                abort();
        findings_release(&g);
    }
    for (i = 0; i < f.n; i++) {
        fd = &f.v[i];
        if (fd->offset > size || fd->len > size - fd->offset ||
            (i > 0 && f.v[i - 1].offset > fd->offset) ||
            strlen(fd->value) > EXTRACT_MAX_VALUE)
            abort();
        if (fd->kind == FIND_URL) {
            /* Never a user name or password in a URL's value. */
            const char *host = strstr(fd->value, "://");

            if (host == NULL || memchr(host + 3, '@',
                                       strcspn(host + 3, "/?#")) != NULL)
                abort();
        }
        if (fd->unicode != NULL && fd->kind != FIND_DOMAIN &&
            fd->kind != FIND_EMAIL)
            abort();
        if (fd->kind != FIND_CREDENTIAL)
            continue;
        if (fd->pw_offset > size || fd->pw_len > size - fd->pw_offset ||
            fd->pw_len == 0)
            abort();
        if (fd->pw_len >= 3 && memmem(fd->pw_hint, strlen(fd->pw_hint),
                                      text + fd->pw_offset, fd->pw_len))
            abort();
        for (j = 0; j < f.n; j++)
            if (f.v[j].kind != FIND_CREDENTIAL && leaks(&f.v[j], fd, text))
                abort();
    }
    extract_redact(text, size, &f);
    for (i = 0; i < f.n; i++) {
        fd = &f.v[i];
        for (j = 0; fd->kind == FIND_CREDENTIAL && j < fd->pw_len; j++)
            if (text[fd->pw_offset + j] != '*')
                abort();
        if (fd->kind == FIND_CARD) {
            /* At most the first 6 and last 4 digits stay readable. */
            size_t digits = 0;

            for (j = 0; j < fd->len; j++)
                digits += text[fd->offset + j] >= '0' &&
                          text[fd->offset + j] <= '9';
            if (digits > 10)
                abort();
        }
        for (j = 0; fd->kind == FIND_SECRET && j < fd->len; j++) {
            char c = text[fd->offset + j];

            if (c != '*' && c != '\n' && c != '\r')
                abort();
        }
        snip = extract_snippet(text, size, fd);
        x_free(snip);
    }
    findings_release(&f);
    x_free(text);
    return 0;
}

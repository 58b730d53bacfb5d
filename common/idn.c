/*
 * Host names between their Unicode and A-label (punycode) forms through
 * libidn2. libidn2 checks the labels; this file adds what it leaves out
 * for host names (empty labels, lengths, LDH-only output) and the round
 * trip that tells a valid "xn--" label from a decodable one.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "common/idn.h"
#include "common/xalloc.h"
#include "common/banned.h"

#define IDN_MAX_LABEL 63

/*
 * Non-transitional TR46 ("faß.de" stays "xn--fa-hia.de", not "fass.de"),
 * NFC first. Not IDN2_USE_STD3_ASCII_RULES: libidn2 2.3 then silently
 * drops a '_' instead of refusing the name; ldh() refuses it instead.
 */
#define IDN_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

bool
idn_applies(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)name[i] >= 0x80)
            return true;
        if ((name[i] == 'x' || name[i] == 'X') &&
            (i == 0 || name[i - 1] == '.') && n - i >= 4 &&
            strncasecmp(name + i, "xn--", 4) == 0)
            return true;
    }
    return false;
}

/* Whether s is a host name of LDH labels within the DNS lengths. */
static bool
ldh(const char *s)
{
    size_t label = 0, n = 0;
    const char *p;

    for (p = s; *p != '\0'; p++, n++) {
        if (*p == '.') {
            if (label == 0 || p[-1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              (*p == '-' && label > 0)))
            return false;
        if (++label > IDN_MAX_LABEL)
            return false;
    }
    return n > 0 && n <= IDN_MAX_NAME && label > 0 && p[-1] != '-';
}

/* The U-label form of the valid A-label name, or NULL. */
static char *
unicode_of(const char *name)
{
    char *out = NULL, *copy = NULL;

    if (idn2_to_unicode_8z8z(name, &out, 0) == IDN2_OK && out != NULL)
        copy = xstrdup(out);
    idn2_free(out);
    return copy;
}

char *
idn_to_ascii(const char *name, size_t n, char **unicode)
{
    char *in, *out = NULL, *copy = NULL;

    if (unicode != NULL)
        *unicode = NULL;
    if (n == 0 || n > IDN_MAX_INPUT || memchr(name, '\0', n) != NULL)
        return NULL;
    in = xstrndup(name, n);
    if (idn2_to_ascii_8z(in, &out, IDN_FLAGS) == IDN2_OK && ldh(out)) {
        copy = xstrdup(out);
        if (unicode != NULL)
            *unicode = unicode_of(copy);
    }
    idn2_free(out);
    x_free(in);
    return copy;
}

char *
idn_to_unicode(const char *name)
{
    char *u, *back;

    if (strlen(name) > IDN_MAX_NAME)
        return NULL;
    u = unicode_of(name);
    /* libidn2 decodes some invalid labels to something ("xn--a.com"
       gives ".com"): only a faithful round trip is a U-label form. */
    back = u != NULL ? idn_to_ascii(u, strlen(u), NULL) : NULL;
    if (back == NULL || strcmp(back, name) != 0) {
        x_free(u);
        u = NULL;
    }
    x_free(back);
    return u;
}

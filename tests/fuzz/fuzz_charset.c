/*
 * libFuzzer target for crawler/charset.c: the first byte picks an HTTP
 * label, an override and a cap; the rest is the body. Any bytes must
 * decode without crashing or leaking, within the cap, and a converted text
 * must be valid UTF-8. The prescan and the Content-Type parser get the
 * bytes too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "crawler/charset.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = {
    NULL, "windows-1251", "koi8-r", "shift_jis", "gbk", "utf-16le",
    "iso-2022-jp", "klingon",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct charset_result r;
    char unknown[CHARSET_NAME_MAX + 1];
    const char *body = (const char *)data + 1;
    size_t len = size - 1, max_out;
    unsigned sel;
    char *type, *cs;

    if (size == 0)
        return 0;
    sel = data[0];
    max_out = (sel & 0x40) ? len / 2 : len * CHARSET_GROWTH + 4;

    charset_result_init(&r);
    charset_decode(body, len, (sel & 0x80) ? labels[(sel >> 3) & 7] : NULL,
                   labels[sel & 7], (sel & 0x20) == 0, max_out, &r);
    if (r.text == NULL || r.len > max_out)
        abort();
    if (r.buf.ptr != NULL &&
        u8_check((const uint8_t *)r.text, r.len) != NULL)
        abort();
    if (r.truncated && r.warning == NULL)
        abort();
    charset_result_release(&r);

    (void)charset_prescan((const char *)data, size, unknown);
    if (strlen(unknown) > CHARSET_NAME_MAX)
        abort();

    type = malloc(size + 1);
    if (type == NULL)
        abort();
    memcpy(type, data, size);
    type[size] = '\0';
    cs = charset_from_type(type);
    if (cs != NULL && (cs[0] == '\0' || strlen(cs) > CHARSET_NAME_MAX))
        abort();
    free(cs);
    free(type);
    return 0;
}

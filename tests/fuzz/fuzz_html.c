/*
 * libFuzzer target for extract/html.c: any bytes must parse (or hit a cap)
 * without crashing, leaking, or producing text with invalid UTF-8 or NUL,
 * and html_parse() must give what its reference html_parse_plain() gives
 * (text runs as placeholders change nothing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/html.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless html_parse_plain() gives what html_parse() gave (a). */
static void
same_as_plain(const uint8_t *data, size_t size, const struct html_doc *a)
{
    struct html_doc b;
    size_t i;

    html_doc_init(&b);
    if (html_parse_plain((const char *)data, size, &b) == 0) {
        if (a->text.len != b.text.len ||
            (a->text.len && memcmp(a->text.ptr, b.text.ptr, a->text.len)))
            abort();
        if ((a->title == NULL) != (b.title == NULL) ||
            (a->title && strcmp(a->title, b.title) != 0))
            abort();
        if (a->nlinks != b.nlinks || a->nforms != b.nforms ||
            a->ntags != b.ntags)
            abort();
        for (i = 0; i < a->nlinks; i++)
            if (strcmp(a->links[i], b.links[i]) != 0)
                abort();
        if (a->ntags &&
            memcmp(a->tags, b.tags, a->ntags * sizeof(*a->tags)) != 0)
            abort();
    }
    html_doc_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct html_doc doc;
    size_t i;

    html_doc_init(&doc);
    if (html_parse((const char *)data, size, &doc) == 0) {
        if (doc.text.ptr == NULL || memchr(doc.text.ptr, 0, doc.text.len))
            abort();
        if (doc.nlinks > HTML_MAX_LINKS || doc.nforms > HTML_MAX_FORMS)
            abort();
        for (i = 0; i < doc.nlinks; i++)
            if (doc.links[i][0] == '\0' ||
                strlen(doc.links[i]) >= HTML_MAX_ATTR)
                abort();
        for (i = 0; i < doc.nforms; i++)
            if (doc.forms[i].method == NULL)
                abort();
        same_as_plain(data, size, &doc);
    }
    html_doc_release(&doc);

    html_doc_init(&doc);
    if (html_from_text((const char *)data, size, &doc) == 0 &&
        memchr(doc.text.ptr, 0, doc.text.len) != NULL)
        abort();
    html_doc_release(&doc);
    return 0;
}

/*
 * libFuzzer target for extract/html.c: any bytes must parse (or hit a cap)
 * without crashing, leaking, or producing text with invalid UTF-8 or NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/html.h"
#include "common/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    }
    html_doc_release(&doc);

    html_doc_init(&doc);
    if (html_from_text((const char *)data, size, &doc) == 0 &&
        memchr(doc.text.ptr, 0, doc.text.len) != NULL)
        abort();
    html_doc_release(&doc);
    return 0;
}

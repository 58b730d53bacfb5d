/*
 * HTML to text, links and forms, with gumbo (HTML5 parsing, so any byte
 * soup yields a tree). Pure: no I/O, no URL resolution (the crawler resolves
 * hrefs against html_doc.base or the page URL with curl's URL API).
 */
#ifndef DRP_HTML_H
#define DRP_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Caps on what one page may yield. */
#define HTML_MAX_INPUT (32u << 20) /* bytes of HTML accepted */
#define HTML_MAX_TEXT (16u << 20)  /* bytes of text produced */
#define HTML_MAX_LINKS 5000
#define HTML_MAX_FORMS 100
#define HTML_MAX_ATTR 4096         /* longer hrefs/actions are dropped */
#define HTML_MAX_TAGS 20000        /* elements kept in html_doc.tags */

struct html_form {
    char *action;      /* raw attribute, may be NULL */
    char *method;      /* lowercased, "get" when absent */
    bool has_password; /* an <input type=password> */
    bool has_card;     /* a payment card field: an input whose autocomplete
                          is cc-number, cc-csc or cc-exp, or whose name or
                          id says card number, CVV/CVC or expiry */
    int ninputs;
};

struct html_doc {
    struct buf text;  /* visible text, UTF-8, block elements end lines,
                         whitespace in <pre> and <textarea> kept */
    char *title;      /* <title> text or NULL */
    char *base;       /* <base href> or NULL */
    char *icon;       /* href of the first <link rel="icon"> (any token
                         list holding "icon": "shortcut icon" too), raw,
                         or NULL */
    char **links;     /* raw href values of <a>/<area>, in document order,
                         no duplicates, each < HTML_MAX_ATTR bytes; links
                         marked rel="nofollow" are left out */
    size_t nlinks;
    struct html_form *forms;
    size_t nforms;
    unsigned short *tags; /* every element's tag in document order, as
                             gumbo numbers them (unknown elements share
                             one number): the page's markup skeleton, for
                             comparing two pages parsed by one binary;
                             stops quietly at HTML_MAX_TAGS */
    size_t ntags;
    int parse_errors; /* gumbo's count: >0 means malformed markup */
    bool parser_failed; /* gumbo gave up (an assertion in gumbo 0.10 on
                           hostile markup): text holds the page's bytes
                           as they are (made valid UTF-8), no links */
    bool invalid_utf8; /* the input had bytes that are not UTF-8 or NUL */
};

void html_doc_init(struct html_doc *doc);
void html_doc_release(struct html_doc *doc);

/*
 * Parses len bytes (may contain NUL and invalid UTF-8, which become U+FFFD).
 * Returns 0, or DRP_ETOOBIG when the input or the text exceeds its cap.
 * Link and form lists stop quietly at their caps (counted, not an error).
 */
int html_parse(const char *html, size_t len, struct html_doc *doc);

/*
 * html_parse() with every character of text through gumbo one by one
 * and every attribute as written. html_parse() hands gumbo runs of plain
 * text as one placeholder character each and layout tags without the
 * attributes that neither gumbo nor the walk reads (gumbo's
 * per-character work is most of a parse) and must give the same text,
 * title, links, forms and tags as this, its reference (only
 * parse_errors may be lower): for tests and fuzzing.
 */
int html_parse_plain(const char *html, size_t len, struct html_doc *doc);

/*
 * Plain text (text/plain bodies) into the same shape: invalid UTF-8 and NUL
 * bytes replaced by U+FFFD, no links. Returns 0 or DRP_ETOOBIG.
 */
int html_from_text(const char *text, size_t len, struct html_doc *doc);

#endif

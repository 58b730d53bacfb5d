/*
 * Source adapters: how the pages of a forum, a paste site or a feed lead to
 * one another, with XPath 1.0 selectors (libxml2) and built-in defaults for
 * common forum engines' markup.
 *
 *   forum  board index / thread list (role list) -> boards and the next
 *          page (list), threads (marked, with the hash of what their row
 *          shows about the last post); a thread page (marked) -> its next
 *          page (marked, continuing the same thread).
 *   paste  archive (list) -> each paste's raw view by the URL template
 *          (once), and the archive's next page (list).
 *   feed   RSS/Atom items (once); sitemap entries (marked by lastmod when
 *          they have one, else once); nested sitemaps (list).
 *
 * A source of kind forum or paste without an 'adapter' mapping, and every
 * 'site', is crawled by following all its in-site links instead.
 */
#ifndef DRP_ADAPTER_H
#define DRP_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/config.h"

#define ADAPTER_MAX_LINKS 5000  /* links kept from one page */
#define ADAPTER_MARKER_TEXT 4096 /* bytes of row text hashed into a marker */

/* What a job is; decides when it is due again (storage/schema/003). */
#define ROLE_LIST "list"
#define ROLE_PAGE "page"
#define ROLE_MARKED "marked"
#define ROLE_ONCE "once"

struct adapter_link {
    char *url;          /* absolute */
    const char *role;   /* ROLE_* */
    char *marker;       /* hex SHA-256 for marked links, else NULL */
    bool continues;     /* a later page of the thread being read */
};

struct adapter_links {
    struct adapter_link *v;
    size_t n;
};

/*
 * Sets libxml2 up; call it once on the main thread before adapter_links()
 * runs on other threads (libxml2's own lazy set-up is not thread-safe).
 */
void adapter_init(void);

/* Whether the source is crawled by its adapter (else by all its links). */
bool adapter_used(const struct source_conf *src);

/*
 * Checks the source's selectors (XPath syntax), paste-id pattern (PCRE2,
 * one group) and raw template ({id}); err gets "source 'NAME': adapter.KEY:
 * what is wrong". Returns 0 or DRP_ECONFIG.
 */
int adapter_check(const struct source_conf *src, struct buf *err);

/*
 * The links of one fetched page (body: its text in UTF-8, as
 * crawler/charset.c makes it; role: the job's role),
 * resolved against page_url and kept only inside the source's site.
 * Returns 0, or DRP_EINVAL when the page cannot be read as HTML or XML at
 * all (err says why); out is left releasable either way.
 */
int adapter_links(const struct source_conf *src, const char *role,
                  const char *page_url, const char *body, size_t len,
                  struct adapter_links *out, struct buf *err);

void adapter_links_release(struct adapter_links *l);

#endif

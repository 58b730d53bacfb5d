/*
 * The normal form of a URL, on curl's URL API: one piece of code for the
 * links the crawler follows (crawler/url.c) and the URLs the extraction
 * engine finds in text (extract/extract.c).
 */
#ifndef DRP_URLNORM_H
#define DRP_URLNORM_H

#include <stddef.h>

#define URLNORM_MAX 4096 /* bytes; longer URLs are refused */

enum urlnorm_flags {
    URLNORM_FTP = 1 << 0,      /* ftp:// too (else http and https only) */
    URLNORM_FRAGMENT = 1 << 1, /* keep the "#fragment" */
    URLNORM_ENCODE = 1 << 2,   /* percent-encode blanks and bytes >= 0x80
                                  (a link in HTML), else keep them */
    URLNORM_CURL = 1 << 3,     /* always through curl, never the fast
                                  path (tests compare the two) */
};

/*
 * The normal form of url, resolved against base first when base is not
 * NULL: scheme and host lowercased, an IDN host in A-labels
 * ("xn--bcher-kva.de", common/idn.h), a default port dropped, "." and
 * ".." path segments resolved, and never a user name, password or login
 * options (neither stored nor shown with a URL). Returns a new string, or
 * NULL when curl refuses the URL, the scheme is not one flags allow, the
 * host is empty or not a valid IDN, or a URL is longer than URLNORM_MAX.
 * A URL that is in its normal form already (plain lowercase host, a path,
 * no port, no user, no dot segment, no byte curl would touch) is copied
 * without a parse: the same string curl gives, ~50 times cheaper; so is
 * one whose only difference is the scheme's own port (cut), or one whose
 * host is an IPv6 literal in inet_ntop()'s form; so is
 * a link from a base in that form that is in it too, or is an absolute
 * path ("/t/1.html") that gives one after the base's host.
 * Caller frees.
 */
char *url_normalise(const char *base, const char *url, unsigned flags);

/*
 * When url is in the normal form that url_normalise() copies as it is
 * (flags as there), the length of its "scheme://host[:port]": the
 * scheme before "://", the host after it, a port only when it is not
 * the scheme's (after the host's ':'); else 0 (ask curl).
 */
size_t urlnorm_authority(const char *url, unsigned flags);

#endif

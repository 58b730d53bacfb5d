/*
 * The checks in C behind the credential and secret forms that
 * extract/extract.c finds with its patterns, past e-mail combo lines:
 * user:password lists, URL:login:password lines, stealer-log blocks and
 * "login: x / password: y" prose, user info in URLs (curl's URL API), and
 * the placeholder and entropy tests of generic "key = value" secrets.
 * Internal to extract/. Pure functions over (pointer, length) views of the
 * text, which may hold NUL bytes and invalid UTF-8; every look-around is
 * bounded, so a check costs at most a few kilobytes of reading.
 */
#ifndef DRP_CRED_H
#define DRP_CRED_H

#include <stdbool.h>
#include <stddef.h>

#define CRED_MAX_IDENTITY 128 /* bytes; longer is not a user name */
#define CRED_MAX_PASSWORD 256 /* bytes; longer is not a password */
#define CRED_MAX_URL 2048     /* bytes of a URL before a login */
#define CRED_SAME_LINE 256    /* bytes before a password label searched
                                 for the user label on its line */
#define CRED_BLOCK_LINES 6    /* label lines above a password line searched
                                 for the user and URL of its block */
#define CRED_CONTEXT 512      /* bytes before a user:password list searched
                                 for a word such as "combo" */

/* A byte range of the text: off and len. */
struct cred_span {
    size_t off, len;
};

/*
 * A credential written with labels: "Login: bob / Password: x" on one
 * line or two, or a stealer-log block ("URL: ..." "USER: ..." "PASS: ...",
 * other label lines between). Offsets are into the text.
 */
struct cred_labelled {
    size_t start;           /* first byte of the first label used */
    struct cred_span id;    /* the identity as written */
    struct cred_span url;   /* the URL or host line's value; len 0: none */
    struct cred_span pw;    /* the password as written */
    bool block;             /* one field per line (a stealer log) */
};

/*
 * Given a password label at text[label] whose value starts at text[val]
 * (after the ':' or '=' and blanks; both on one line of text[0..len)),
 * finds the password, the identity before it (same line, or the label
 * lines above) and a URL. False when there is no identity, or the
 * password or identity is a placeholder ("********", "<redacted>",
 * "changeme", "${PASS}"), or the pairs are joined by '&' (a query string).
 */
bool cred_labelled(const char *text, size_t len, size_t label, size_t val,
                   struct cred_labelled *c);

/*
 * A URL:login:password line s[0..n) (blanks trimmed): separators ':',
 * '|', ';', tab, or spaces (then the URL must have a scheme and the login
 * be an e-mail address); without a scheme, the host is followed by a
 * port, a path or the separator, and '|' ';' tab want an e-mail login.
 * A line of ':' may end in columns after a tab or a checker's capture
 * " | " (cut off). Stealers write an Android app's logins
 * "android://<signing-key hash>@<package>/:login:password": host is then
 * the package name (app set). Spans are relative to s; host is the URL's
 * host as written, which the caller validates. False when the line is
 * not of that shape.
 */
struct cred_ulp {
    struct cred_span url, host, id, pw;
    struct cred_span masked; /* the password and columns after it that
                                may hold more of it (cred_columns()) */
    bool app;                /* host is an Android package name */
};

/*
 * Whether s[at] is the '@' of "android://<hash>@" (the hash 8 to 128
 * bytes of base64, '=' padded, in the URL alphabet, which Android writes
 * it in: a '/' would end the URL's authority; the scheme's case
 * ignored).
 */
bool cred_android_at(const char *s, size_t at);
bool cred_ulp(const char *s, size_t n, struct cred_ulp *u);

/*
 * The length of a password that runs to its line's end, pw[0..n) after
 * separator sep, when more columns follow it: they start at a tab or at
 * a checker's capture " | " ("pw | Country = US"), which no typed
 * password holds, and *shown is set (the columns may be shown); or, after
 * a separator '|' or ';', at that separator again ("pw;John Smith;1980"),
 * and *shown is cleared (a password may hold it: the columns stay masked
 * with it); a ';' that ends an HTML entity ("&amp;") ends no column.
 * Blanks before them are dropped. n when no column follows.
 */
size_t cred_columns(const char *pw, size_t n, char sep, bool *shown);

/*
 * Whether one "id<sep>password" line of a user:password list is
 * plausible: not a time ("12:30:45"), MAC or IPv6 address, host:port,
 * URI ("mailto:x", "http:..."), path, "Label:value" field, code, or a
 * password holding the separator again ("root:x:0:0:..." is /etc/passwd).
 */
bool cred_userpass(const char *id, size_t idn, const char *pw, size_t pwn,
                   char sep);

/* Whether s[0..n) holds a word announcing a combo list ("combo",
   "user:pass", "login:pass", ...), any case. */
bool cred_combo_context(const char *s, size_t n);

/*
 * The user info of a URL s[0..n) ("scheme://user:password@host..."),
 * parsed by curl's URL API. Spans are relative to s and cover the text as
 * written; user and password are percent-decoded and host lowercased
 * (all allocated; release with cred_userinfo_release, which wipes the
 * password). False when there is no user, password or host.
 */
struct cred_userinfo {
    struct cred_span user, pw;
    char *user_dec, *pw_dec, *host;
    size_t pw_dec_len;
};
bool cred_userinfo(const char *s, size_t n, struct cred_userinfo *u);
void cred_userinfo_release(struct cred_userinfo *u);

/* The lowercased host of URL s[0..n) ("https://h/x", "h.com/x", "h:8080"),
   parsed by curl's URL API (a plain http(s) URL read directly, to the
   same result), or NULL. Caller frees. */
char *cred_url_host(const char *s, size_t n);
/* The same by curl's URL API alone (the reference the tests compare
   cred_url_host()'s direct reading with). */
char *cred_url_host_curl(const char *s, size_t n);

/*
 * Whether a value is a placeholder rather than a password or secret:
 * masks ("****", "xxxx"), "<...>", "[...]", "{{...}}", "${VAR}", "$VAR",
 * "%s", env lookups, ALL_CAPS_NAMES, "your..."/"...here", "example", and
 * words such as "changeme", "password", "secret", "none", "true".
 */
bool cred_placeholder(const char *s, size_t n);

/*
 * Whether s[0..n) is nothing but stars and bullets ("***", "••••••"): a
 * password masked in the dump itself, never one that leaked, whatever
 * the line's form (a combo line takes "changeme" or "xxxxxx", which are
 * real passwords, but not this).
 */
bool cred_stars(const char *s, size_t n);

/* Shannon entropy of the bytes of s[0..n), in bits per byte. */
double cred_entropy(const char *s, size_t n);

/*
 * Whether a "key = value" name names a secret: it ends in password,
 * passwd, pwd, pass, passphrase, secret, token, or a qualified key
 * ("api_key", "secretKey", "ACCESS-KEY", ...), and is not public
 * ("public_key", "publishable_key", "site_key") or paging ("next_token").
 */
bool cred_secret_name(const char *s, size_t n);

/*
 * Whether a generic secret's value is one: CRED_SECRET_MIN_LEN to
 * CRED_SECRET_MAX_LEN bytes, no blank, not a placeholder, path, URL, call,
 * dotted name or name in a namespace ("Win32::GetCwd"), not a test or
 * publishable key; two classes of characters
 * (lower, upper, digit, other) with a digit or three without; and at least
 * CRED_SECRET_MIN_ENTROPY bits per byte.
 */
#define CRED_SECRET_MIN_LEN 8
#define CRED_SECRET_MAX_LEN 512
#define CRED_SECRET_MIN_ENTROPY 2.9
bool cred_secret_value(const char *s, size_t n);

#endif

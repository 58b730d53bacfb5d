/*
 * The extraction engine: turns page text into typed findings (e-mail
 * addresses, credentials, watch-term mentions, IPv4 and IPv6 addresses,
 * domains, URLs, hashes, CVE and ATT&CK ids, onion names, cryptocurrency
 * addresses, payment card numbers, leaked secrets). Pure functions over
 * memory: no I/O, no database.
 *
 * Passwords: a credential finding never holds the password. The engine
 * computes its keyed hash (HMAC-SHA-256 with the operator key) and a masked
 * hint ("S******!" with its length) the moment it sees it, and records the
 * byte span so that callers can redact the text before storing it.
 * Credentials come from e-mail combo lines, user:password lists,
 * URL:login:password lines, stealer-log blocks, user info in URLs and
 * "login: x / password: y" prose; placeholders ("********", "changeme")
 * are none.
 *
 * Secrets and card numbers are sensitive the same way: a secret's value is
 * its type and first and last four characters ("aws_access_key:AKIA…MPLE",
 * "generic_secret:a8f5…110c", "private_key:rsa"), a card's value is masked
 * ("411111******1111"), and extract_redact() masks them in the text (of a
 * generic "name = value" secret, the value only). The spans of passwords,
 * secrets and card numbers veto findings of other kinds that overlap them,
 * but for a URL whose value no longer holds the bytes it overlaps (its user
 * info dropped).
 */
#ifndef DRP_EXTRACT_H
#define DRP_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/config.h"

#define EXTRACT_MAX_FINDINGS 100000 /* per call; more is DRP_ETOOBIG */
#define EXTRACT_MAX_VALUE 2048      /* longer values are skipped */
#define EXTRACT_SNIPPET 80          /* bytes of context each side */

enum finding_kind {
    FIND_EMAIL,
    FIND_CREDENTIAL,
    FIND_BRAND,
    FIND_IPV4,
    FIND_DOMAIN,           /* lowercase, refanged, IDN in A-labels */
    FIND_URL,              /* http(s)/ftp, refanged, url_normalise()d
                              (common/urlnorm.h): never a user name or
                              password; the fragment is kept */
    FIND_MD5,
    FIND_SHA1,
    FIND_SHA256,
    FIND_SHA512,
    FIND_IPV6,             /* canonical (inet_ntop) form */
    FIND_CVE,              /* "CVE-2021-44228" */
    FIND_ATTACK_TECHNIQUE, /* MITRE ATT&CK "T1059", "T1059.001" */
    FIND_ONION,            /* Tor name, lowercased: v3 checksum-valid, or
                              v2 (obsolete) with a low confidence */
    FIND_BTC,              /* checksum-valid base58check or bech32(m) */
    FIND_ETH,              /* "0x" + 40 hex, lowercased; EIP-55 checked */
    FIND_XMR,              /* Monero address, checksum-valid */
    FIND_CARD,             /* masked: BIN and last four digits shown */
    FIND_SECRET,           /* "<type>:<first 4>…<last 4>", never the secret */
    FIND_KIND_COUNT
};

/*
 * "email", "credential", "brand", "ipv4", ..., "attack_technique", "card",
 * "secret" (stable: stored in the db and printed by scan --json).
 */
const char *finding_kind_name(enum finding_kind kind);

struct finding {
    enum finding_kind kind;
    char *value;      /* normalised (lowercased domain, refanged, ...) */
    size_t offset;    /* byte offset of the raw match in the text */
    size_t len;       /* byte length of the raw match */
    int confidence;   /* 0-100 */
    bool watched;     /* ties to the watchlist: a watched e-mail domain or
                         owned domain, or a watch-term mention */
    int term;         /* index into the watch terms that matched, or -1 */
    const char *benign; /* a known-benign value: its label ("documentation",
                           "own-asset", ...; see extract/benign.h), owned
                           by the extractor; NULL otherwise */
    bool variant;     /* FIND_BRAND: the text is a variant of the term, not
                         only another case or compatibility form of it
                         (leetspeak "N0rthw1nd", lookalike letters from
                         other scripts "pаypal"): the strongest sign of
                         impersonation. value is the term's all the same */
    char *unicode;    /* FIND_DOMAIN, FIND_EMAIL with an IDN name: the
                         value in U-labels ("bücher.de"); the value itself
                         is in A-labels ("xn--bcher-kva.de"). Else NULL */

    /* FIND_CREDENTIAL only (NULL/0 otherwise) */
    char *identity;   /* the e-mail address or user name, lowercased */
    char *domain;     /* lowercased: the host of the URL the credential
                         goes with (URL:login:password, stealer log, user
                         info), else the e-mail identity's domain, or NULL
                         (a user name alone); watched follows it */
    unsigned char pw_hmac[32]; /* HMAC-SHA-256(key, password) */
    char *pw_hint;    /* first and last character and length: "S***!(9)" */
    size_t pw_offset; /* byte span of the password in the text (as written:
                         a percent-encoded one in a URL is hashed decoded) */
    size_t pw_len;
};

struct findings_pool;

/*
 * The strings of v[] (value, unicode, identity, domain, pw_hint) are
 * owned by the findings, kept in strings, and freed together by
 * findings_release(): valid until then, never to be freed one by one.
 */
struct findings {
    struct finding *v;
    size_t n;
    struct findings_pool *strings;
};

void findings_init(struct findings *f);
void findings_release(struct findings *f);
/* Drops f->v[n..] (n <= f->n); their strings stay in the pool until
   findings_release(). */
void findings_truncate(struct findings *f, size_t n);

struct extractor;

/*
 * Compiles the patterns (pcre2 with JIT) for these watch terms; terms are
 * copied, the key only into HMAC-SHA-256 states. keylen may be 0 only in
 * tests. Returns NULL on a pattern that does not compile (a programmer
 * error, logged).
 */
struct extractor *extractor_new(const struct watch_term *terms, size_t nterms,
                                const unsigned char *key, size_t keylen);
void extractor_free(struct extractor *x);

/*
 * Adds the operator's list of known-benign values (the format of
 * extract/benign.txt) in text[0..len), named name in messages, to the
 * built-in list and the own assets (the watch terms of kind domain,
 * email_domain and ip_range). Returns 0, or DRP_ECONFIG / DRP_ETOOBIG with
 * "NAME:LINE: what is wrong" in err (nothing added then). Call it before
 * extracting, not while other threads extract.
 */
int extractor_add_benign(struct extractor *x, const char *name,
                         const char *text, size_t len, struct buf *err);

/*
 * Whether a prefilter (Hyperscan passes and byte masks) picks where each
 * pattern may match before it runs, the commonest kinds (IPv4 and IPv6
 * addresses, domains, e-mail addresses, hex digests, card numbers)
 * matched there in C (on by default); off, pcre2 runs every pattern over
 * the whole text. The findings are the same either way; tests compare
 * the two.
 */
void extractor_set_prefilter(struct extractor *x, bool on);

/*
 * Appends the findings in text[0..len) to out (text may hold NUL bytes and
 * need not be NUL-terminated), with their known-benign labels and their
 * confidence raised by context words (extract/context.h). Returns 0, or
 * DRP_ETOOBIG when more than EXTRACT_MAX_FINDINGS would be produced (out
 * then holds the first ones).
 */
int extract_text(const struct extractor *x, const char *text, size_t len,
                 struct findings *out);

/*
 * A document read in parts (drpwatch scan cuts a file into blocks): the
 * first part goes to extract_text(), which reads the words at its top as
 * the document's (extract/context.h: a word in the first CONTEXT_HEAD
 * bytes raises every finding of its family); each later part goes to
 * extract_text_more() with what extract_head_words() read from the first
 * part, so that the document's top raises the findings of every part and
 * the top of a later part is no top of the document.
 */
unsigned int extract_head_words(const struct extractor *x, const char *text,
                                size_t len);
int extract_text_more(const struct extractor *x, const char *text, size_t len,
                      unsigned int head_words, struct findings *out);

/*
 * Overwrites with '*', in text (which the caller owns), every password span
 * of the credential findings in f, the whole span of every secret finding,
 * and the digits of every card number but its first six and last four, so
 * that the text can be stored or shown.
 */
void extract_redact(char *text, size_t len, const struct findings *f);

/*
 * A context snippet around a finding: up to EXTRACT_SNIPPET bytes each
 * side, cut at UTF-8 boundaries, newlines folded to spaces. The text given
 * must already be redacted. Caller frees.
 */
char *extract_snippet(const char *text, size_t len, const struct finding *fd);

#define EXTRACT_IPV6_TEXT 46 /* INET6_ADDRSTRLEN: bytes ipv6_text() writes */

/*
 * Writes the 16-byte IPv6 address a into out as glibc's inet_ntop() does
 * (RFC 5952: lowercase, no leading zeros, the first longest run of two or
 * more zero groups as "::"; "::1.2.3.4" and "::ffff:1.2.3.4" for the
 * IPv4-compatible and -mapped forms), NUL-terminated. inet_ntop() cost
 * some 4,900 instructions an address through its sprintf() calls.
 */
void ipv6_text(const unsigned char a[16], char out[EXTRACT_IPV6_TEXT]);

#endif

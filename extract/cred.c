/*
 * Credential and secret forms past e-mail combo lines: the label tables
 * ("Login", "PASS", "Пароль", "URL", ...), the shapes of user:password and
 * URL:login:password lines, placeholders and the entropy floor. Patterns
 * and the findings themselves stay in extract/extract.c; URLs are parsed
 * by curl's URL API. Every scan here is bounded by the CRED_* sizes.
 */
#include "config.h" /* _GNU_SOURCE: memmem */

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "common/ascii.h"
#include "common/buf.h"
#include "common/xalloc.h"
#include "extract/cred.h"
#include "common/banned.h"

#define LABEL_MAX 32   /* bytes of a label ("E-mail address", "Пароль") */
#define LABEL_WORDS 3  /* words of a label ("mot de passe") */
#define LABEL_GLUE 24  /* bytes between a user's value and "password:" */

enum label {
    LABEL_NONE,
    LABEL_USER,
    LABEL_PASS,
    LABEL_URL,
    LABEL_OTHER, /* any other "Word:" (Soft, Application, Profile) */
};

/*
 * Labels without case, '_', '-' or blanks ("User name", "user_name" and
 * "USERNAME" are one). Non-ASCII ones as written, capitalised too.
 */
static const char *const user_labels[] = {
    "user", "username", "userid", "login", "loginname", "loginid",
    "email", "mail", "emailaddress", "mailaddress", "account",
    "accountname", "acc", "acct", "uname", "usr", "usuario",
    "usu\xc3\xa1rio", "utilisateur", "identifiant", "benutzer",
    "benutzername", "nutzername", "gebruikersnaam", "utente", "nomeutente",
    "kullaniciadi", "kullan\xc4\xb1""c\xc4\xb1""ad\xc4\xb1", "correo",
    "eposta", "\xd0\xbb\xd0\xbe\xd0\xb3\xd0\xb8\xd0\xbd", /* логин */
    "\xd0\x9b\xd0\xbe\xd0\xb3\xd0\xb8\xd0\xbd",          /* Логин */
    "\xd0\xbf\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xb7\xd0\xbe\xd0\xb2\xd0\xb0\xd1"
    "\x82\xd0\xb5\xd0\xbb\xd1\x8c",                      /* пользователь */
    "\xd0\x9f\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xb7\xd0\xbe\xd0\xb2\xd0\xb0\xd1"
    "\x82\xd0\xb5\xd0\xbb\xd1\x8c",                      /* Пользователь */
    "\xd0\xbf\xd0\xbe\xd1\x87\xd1\x82\xd0\xb0",          /* почта */
    "\xd0\x9f\xd0\xbe\xd1\x87\xd1\x82\xd0\xb0",          /* Почта */
    "\xe7\x94\xa8\xe6\x88\xb7\xe5\x90\x8d",              /* 用户名 */
    "\xe8\xb4\xa6\xe5\x8f\xb7",                          /* 账号 */
    "\xe5\xb8\xb3\xe8\x99\x9f",                          /* 帳號 */
    "\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6\xe3\x83\xbc\xe5\x90\x8d",
                                                         /* ユーザー名 */
    "\xec\x95\x84\xec\x9d\xb4\xeb\x94\x94",              /* 아이디 */
};

static const char *const pass_labels[] = {
    "password", "passwd", "passwort", "passphrase", "passcode", "pass",
    "pwd", "pw", "pword", "contrasena", "contrase\xc3\xb1""a", "senha",
    "motdepasse", "mdp", "kennwort", "haslo", "has\xc5\x82o", "wachtwoord",
    "sifre", "\xc5\x9fifre", "\xc5\x9e""ifre", "parola", "heslo",
    "salasana", "lozinka", "jelszo", "jelsz\xc3\xb3",
    "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", /* пароль */
    "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c", /* Пароль */
    "\xe5\xaf\x86\xe7\xa0\x81",                         /* 密码 */
    "\xe5\xaf\x86\xe7\xa2\xbc",                         /* 密碼 */
    "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89",
                                                        /* パスワード */
    "\xeb\xb9\x84\xeb\xb0\x80\xeb\xb2\x88\xed\x98\xb8", /* 비밀번호 */
};

static const char *const url_labels[] = {
    "url", "host", "hostname", "site", "website", "link", "domain",
    "origin", "server", "target", "loginurl", "signinurl", "page",
    "\xd1\x81\xd0\xb0\xd0\xb9\xd1\x82", /* сайт */
    "\xd0\xa1\xd0\xb0\xd0\xb9\xd1\x82", /* Сайт */
};

/*
 * First fields of "Field:value" lines that are records or syntax, not
 * user names: a list of them is no combo list.
 */
static const char *const not_users[] = {
    "about", "address", "age", "author", "bcc", "category", "cc", "city",
    "code", "color", "count", "country", "data", "date", "debug", "default",
    "error", "example", "fax", "file", "fixme", "from", "ftp", "fw", "fwd",
    "git", "http", "https", "id", "info", "ip", "irc", "javascript", "key",
    "ldap", "level", "localhost", "magnet", "mailto", "mobile", "mode",
    "name", "news", "note", "notes", "page", "phone", "port", "price",
    "re", "result", "sip", "size", "smb", "source", "ssh", "state",
    "status", "subject", "tag", "tags", "tel", "telnet", "time", "title",
    "to", "todo", "total", "type", "urn", "value", "version", "warn",
    "warning", "ws", "wss", "xmpp",
};

/* Placeholder words, normalised like labels ("n/a" is "na"). */
static const char *const placeholder_words[] = {
    "apikey", "blank", "censored", "changeit", "changeme", "default",
    "empty", "example", "false", "fixme", "hidden", "masked", "mypassword",
    "na", "nil", "no", "none", "notset", "null", "optional", "pass",
    "passwd", "password", "private", "pwd", "redacted", "removed",
    "required", "same", "sameasabove", "sample", "secret", "string", "tbd",
    "todo", "token", "true", "undefined", "unknown", "value", "yes",
    /* prose: "enter username: and password: to ..." */
    "and", "are", "for", "is", "of", "or", "the", "to", "with",
};

/* Words announcing a user:password list. */
static const char *const combo_words[] = {
    "combo", "user:pass", "login:pass", "log:pass", "username:password",
    "user:password", "login:password", "userpass", "user/pass",
    "login/pass", "u:p", "l:p",
};

static bool
is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool
all_of(const char *s, size_t n, bool (*pred)(unsigned char))
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!pred((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* s[0..n) lowercased (ASCII) without '_', '-', '.', '/' and blanks, into
   out (size cap); false when it does not fit. */
static bool
normalise(const char *s, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '_' || s[i] == '-' || s[i] == '.' || s[i] == '/' ||
            is_blank((unsigned char)s[i]))
            continue;
        if (o + 1 >= cap)
            return false;
        out[o++] = ascii_lower(s[i]);
    }
    out[o] = '\0';
    return true;
}

/* A loop over short lists; the first byte rules out most words without
   a call to strcmp(). */
static bool
in_list(const char *w, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (w[0] == list[i][0] && strcmp(w, list[i]) == 0)
            return true;
    return false;
}

#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

static bool id_placeholder(const char *s, size_t n);

static enum label
classify(const char *s, size_t n)
{
    char w[LABEL_MAX * 2];

    if (n == 0 || n > LABEL_MAX || !normalise(s, n, w, sizeof(w)) ||
        w[0] == '\0')
        return LABEL_NONE;
    if (IN(w, pass_labels))
        return LABEL_PASS;
    if (IN(w, user_labels))
        return LABEL_USER;
    if (IN(w, url_labels))
        return LABEL_URL;
    return LABEL_OTHER;
}

/* A byte of a label word: a letter (any script), '_' or '-'. */
static bool
label_byte(unsigned char c)
{
    return ascii_isalpha(c) || c == '_' || c == '-' || c >= 0x80;
}

/* Whether text[s] starts a field separator (':', '=', '：'); its length. */
static size_t
sep_at(const char *text, size_t len, size_t s)
{
    const unsigned char *t = (const unsigned char *)text;

    if (t[s] == ':')
        return 1;
    if (t[s] == '=')
        return s + 1 < len && (t[s + 1] == '=' || t[s + 1] == '>') ? 0 : 1;
    if (t[s] == 0xef && s + 2 < len && t[s + 1] == 0xbc && t[s + 2] == 0x9a)
        return 3; /* U+FF1A FULLWIDTH COLON */
    return 0;
}

/*
 * The label ending at the separator text[s], searched no further back
 * than lo: its last one, two or three words (blanks, an optional quote
 * around it), the first that names a label. *start is where it begins.
 */
static enum label
label_before(const char *text, size_t lo, size_t s, size_t *start)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t e = s, b, words = 0;
    enum label got = LABEL_NONE, k;

    while (e > lo && is_blank(t[e - 1]))
        e--;
    if (e > lo && (t[e - 1] == '"' || t[e - 1] == '\''))
        e--;
    b = e;
    while (words < LABEL_WORDS && b > lo && e - b < LABEL_MAX) {
        size_t w = b;

        while (w > lo && label_byte(t[w - 1]) && e - w < LABEL_MAX)
            w--;
        if (w == b)
            break;
        words++;
        /* A word glued to a digit ("user1:") is not a label. */
        if (w > lo && ascii_isdigit(t[w - 1]))
            break;
        k = classify(text + w, e - w);
        if (k != LABEL_NONE && k != LABEL_OTHER) {
            got = k;
            b = w;
            break;
        }
        if (got == LABEL_NONE)
            got = k;
        b = w;
        if (b > lo && is_blank(t[b - 1]) && b - 1 > lo &&
            label_byte(t[b - 2]))
            b--;
        else
            break;
    }
    if (got == LABEL_NONE)
        return LABEL_NONE;
    if (b > lo && (t[b - 1] == '"' || t[b - 1] == '\''))
        b--;
    *start = b;
    return got;
}

/* Last character positions trimmed of blanks. */
static void
trim(const char *text, size_t *lo, size_t *hi)
{
    while (*lo < *hi && ascii_isspace((unsigned char)text[*lo]))
        (*lo)++;
    while (*hi > *lo && ascii_isspace((unsigned char)text[*hi - 1]))
        (*hi)--;
}

/* Start of the line holding text[pos], searched back at most max bytes;
   false when it is further. */
static bool
line_start(const char *text, size_t pos, size_t max, size_t *out)
{
    /* The '\n' before pos in the max + 1 bytes before it (memrchr():
       a password label every few bytes of a long line made a byte loop
       here most of the scan). */
    size_t from = pos > max ? pos - max - 1 : 0;
    const char *nl = memrchr(text + from, '\n', pos - from);

    if (nl != NULL)
        *out = (size_t)(nl - text) + 1;
    else if (pos <= max)
        *out = 0;
    return nl != NULL || pos <= max;
}

/* End of the line holding text[pos] (at its '\r' or '\n'), at most max
   bytes on. */
static size_t
line_end(const char *text, size_t len, size_t pos, size_t max)
{
    size_t end = pos < len ? (len - pos < max ? len : pos + max) : pos;
    const char *p;

    if (end <= pos)
        return pos;
    if ((p = memchr(text + pos, '\n', end - pos)) != NULL)
        end = (size_t)(p - text);
    if ((p = memchr(text + pos, '\r', end - pos)) != NULL)
        end = (size_t)(p - text);
    return end;
}

/*
 * The value starting at text[v], ending no later than hi: quoted ("..."
 * or '...'), the rest of the line, or one token (to a blank, without a
 * trailing ',' ';' '.' or unmatched ')'). At most max bytes. False when
 * empty or too long.
 */
static bool
value_at(const char *text, size_t hi, size_t v, bool rest_of_line,
         size_t max, struct cred_span *out)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t e, lo, stop;
    unsigned char q;

    if (v >= hi)
        return false;
    q = t[v];
    if (q == '"' || q == '\'') {
        for (e = v + 1; e < hi && e - v - 1 <= max; e++) {
            if (t[e] == q)
                break;
            if (t[e] == '\n' || t[e] == '\r')
                return false;
        }
        if (e >= hi || t[e] != q || e == v + 1 || e - v - 1 > max)
            return false;
        out->off = v + 1;
        out->len = e - v - 1;
        return true;
    }
    /* To its end, or one byte past max (too long). A password label
       every few bytes of a long line made a byte loop here most of the
       scan: eight bytes at a time to a blank or a control byte. */
    stop = hi - v > max + 1 ? v + max + 1 : hi;
    if (rest_of_line) {
        e = line_end(text, stop, v, stop - v);
    } else {
        e = v;
        while ((e += ascii_above_space(text + e, stop - e)) < stop &&
               t[e] != '\0' && !ascii_isspace(t[e]))
            e++; /* a control byte: part of the value */
    }
    if (e - v > max)
        return false;
    lo = v;
    trim(text, &lo, &e);
    if (!rest_of_line) {
        while (e > lo && (t[e - 1] == ',' || t[e - 1] == ';' ||
                          t[e - 1] == '.' ||
                          (t[e - 1] == ')' && !memchr(t + lo, '(', e - lo))))
            e--;
    }
    if (e == lo)
        return false;
    out->off = lo;
    out->len = e - lo;
    return true;
}

/*
 * The field of a label line starting at lo (its first separator within
 * LABEL_MAX + 4 bytes): its label, where the label starts and the value.
 */
static enum label
line_field(const char *text, size_t len, size_t lo, size_t *label,
           size_t *val)
{
    size_t s, k, b = lo, st;
    enum label got;

    while (b < len && is_blank((unsigned char)text[b]))
        b++;
    for (s = b; s < len && s - b <= LABEL_MAX + 4; s++) {
        if (text[s] == '\n' || text[s] == '\r')
            return LABEL_NONE;
        k = sep_at(text, len, s);
        if (k == 0)
            continue;
        got = label_before(text, b, s, &st);
        if (got == LABEL_NONE || st != b)
            return LABEL_NONE;
        s += k;
        while (s < len && is_blank((unsigned char)text[s]))
            s++;
        *label = b;
        *val = s;
        return got;
    }
    return LABEL_NONE;
}

bool
cred_labelled(const char *text, size_t len, size_t label, size_t val,
              struct cred_labelled *c)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t lo, i, s, k, st, hi, ls, fl, fv, gap;
    bool at_start = false, have_id = false, have_url = false;
    struct cred_span id = { 0, 0 };
    enum label got;

    memset(c, 0, sizeof(*c));
    if (line_start(text, label, CRED_SAME_LINE, &lo)) {
        at_start = true;
        for (i = lo; i < label; i++)
            if (!is_blank(t[i]))
                at_start = false;
    } else {
        lo = label - CRED_SAME_LINE;
    }
    hi = line_end(text, len, val, CRED_MAX_PASSWORD + 2);
    if (!value_at(text, hi, val, at_start, CRED_MAX_PASSWORD, &c->pw) ||
        cred_placeholder(text + c->pw.off, c->pw.len))
        return false;

    /* The identity on the same line: the nearest user label before,
       then a URL label before that one. */
    for (s = label; s-- > lo;) {
        k = sep_at(text, len, s);
        if (k == 0)
            continue;
        got = label_before(text, lo, s, &st);
        if (got == LABEL_PASS || (have_id && got == LABEL_USER))
            break; /* another pair */
        if (got != LABEL_USER && got != LABEL_URL)
            continue;
        fv = s + k;
        while (fv < label && is_blank(t[fv]))
            fv++;
        if (have_id) {
            if (value_at(text, c->start, fv, false, CRED_MAX_URL,
                         &c->url)) {
                have_url = true;
                c->start = st;
            }
            break;
        }
        if (got != LABEL_USER ||
            !value_at(text, label, fv, false, CRED_MAX_IDENTITY, &id))
            continue;
        while (id.len > 0 && strchr(",;|/", text[id.off + id.len - 1]))
            id.len--;
        /* "user=bob&password=x" is a query string or a form body. */
        if (id.len == 0 || memchr(text + id.off, '&', label - id.off))
            return false;
        gap = label - (id.off + id.len);
        if (gap > LABEL_GLUE)
            return false;
        have_id = true;
        c->id = id;
        c->start = st;
        s = st; /* go on before this label, for a URL */
    }

    /* A block: label lines above, one field each (stealer logs). */
    if (!have_id && at_start) {
        size_t line = lo, prev, n;

        c->block = true;
        for (n = 0; n < CRED_BLOCK_LINES && line > 0; n++) {
            if (!line_start(text, line - 1, CRED_MAX_URL + LABEL_MAX, &prev))
                break;
            got = line_field(text, len, prev, &fl, &fv);
            if (got == LABEL_NONE || got == LABEL_PASS)
                break;
            ls = line_end(text, len, fv, CRED_MAX_URL + 1);
            if (got == LABEL_USER && !have_id) {
                if (!value_at(text, ls, fv, true, CRED_MAX_IDENTITY, &id))
                    return false;
                have_id = true;
                c->id = id;
                c->start = fl;
            } else if (got == LABEL_URL && !have_url &&
                       value_at(text, ls, fv, true, CRED_MAX_URL,
                                &c->url)) {
                have_url = true;
                c->start = fl; /* walking up: the earliest line */
            }
            if (have_id && have_url)
                break;
            line = prev;
        }
    }
    if (!have_id || id_placeholder(text + c->id.off, c->id.len))
        return false;
    for (i = 0; i < c->id.len; i++)
        if (t[c->id.off + i] < 0x20 || t[c->id.off + i] == 0x7f)
            return false;
    return true;
}

/* Index of the first c in s[from..n), or n. */
static size_t
find(const char *s, size_t from, size_t n, char c)
{
    const char *p = from < n ? memchr(s + from, c, n - from) : NULL;

    return p ? (size_t)(p - s) : n;
}

static bool
span_has(const char *s, struct cred_span sp, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; i + k <= sp.len; i++)
        if (memcmp(s + sp.off + i, needle, k) == 0)
            return true;
    return false;
}

static bool
span_blank(const char *s, struct cred_span sp)
{
    size_t i;

    for (i = 0; i < sp.len; i++)
        if (ascii_isspace((unsigned char)s[sp.off + i]))
            return true;
    return false;
}

static struct cred_span
span_trim(const char *s, size_t lo, size_t hi)
{
    struct cred_span sp;

    trim(s, &lo, &hi);
    sp.off = lo;
    sp.len = hi - lo;
    return sp;
}

static bool
blank_or_tab(char c)
{
    return c == ' ' || c == '\t';
}

/* Where a checker's capture " | " starts in s[lo..hi) (its '|'), or hi. */
static size_t
capture_at(const char *s, size_t lo, size_t hi)
{
    size_t i;

    for (i = lo + 1; i < hi; i++)
        if (s[i] == '|' && blank_or_tab(s[i - 1]) &&
            (i + 1 == hi || blank_or_tab(s[i + 1])))
            return i;
    return hi;
}

/* Whether s[k] (a ';') ends an HTML entity ("&amp;", "&#38;"). */
static bool
entity_end(const char *s, size_t k)
{
    size_t j;

    for (j = k; j > 0 && k - j < 10 &&
                (ascii_isalnum((unsigned char)s[j - 1]) || s[j - 1] == '#');
         j--)
        ;
    return j > 0 && j < k && s[j - 1] == '&';
}

size_t
cred_columns(const char *pw, size_t n, char sep, bool *shown)
{
    const char *p;
    size_t i, k, e;

    *shown = true;
    i = capture_at(pw, 0, n);
    p = memchr(pw, '\t', i);
    if (p != NULL)
        i = (size_t)(p - pw);
    for (k = 1; (sep == '|' || sep == ';') && k < i; k++)
        if (pw[k] == sep && (sep != ';' || !entity_end(pw, k))) {
            i = k;
            *shown = false;
            break;
        }
    for (e = i; e > 0 && blank_or_tab(pw[e - 1]); e--)
        ;
    return e > 0 ? e : n;
}

#define ANDROID_HASH_MIN 8
#define ANDROID_HASH_MAX 128

/* Android writes the hash in base64's URL alphabet ('-', '_'). */
static bool
is_base64(unsigned char c)
{
    return ascii_isalnum(c) || c == '-' || c == '_' || c == '+' || c == '=';
}

bool
cred_android_at(const char *s, size_t at)
{
    size_t i = at;

    if (s[at] != '@')
        return false;
    while (i > 0 && at - i <= ANDROID_HASH_MAX &&
           is_base64((unsigned char)s[i - 1]))
        i--;
    return i >= 10 && at - i >= ANDROID_HASH_MIN &&
           at - i <= ANDROID_HASH_MAX &&
           strncasecmp(s + i - 10, "android://", 10) == 0 &&
           (i == 10 || !ascii_isalnum((unsigned char)s[i - 11]));
}

bool
cred_ulp(const char *s, size_t n, struct cred_ulp *u)
{
    size_t lo = 0, hi = n, hs = 0, h1, j, a, b, i;
    const char *at, *tab;
    bool scheme = false;
    char sep;

    memset(u, 0, sizeof(*u));
    trim(s, &lo, &hi);
    if (hi - lo < 5)
        return false;
    /* "scheme://" */
    if (ascii_isalpha((unsigned char)s[lo])) {
        for (j = lo + 1; j < hi && j - lo < 20 &&
                         (ascii_isalnum((unsigned char)s[j]) || s[j] == '+' ||
                          s[j] == '.' || s[j] == '-');
             j++)
            ;
        if (j + 2 < hi && s[j] == ':' && s[j + 1] == '/' && s[j + 2] == '/') {
            hs = j + 3;
            scheme = true;
        }
    }
    if (!scheme)
        hs = lo;
    /* "android://<hash>@<package>/": the host is the package. */
    if (scheme && hs - lo == 10 && strncasecmp(s + lo, "android", 7) == 0) {
        at = memchr(s + hs, '@', hi - hs < ANDROID_HASH_MAX + 1
                                     ? hi - hs
                                     : ANDROID_HASH_MAX + 1);
        if (at == NULL || !cred_android_at(s, (size_t)(at - s)))
            return false;
        hs = (size_t)(at - s) + 1;
        u->app = true;
    }
    for (h1 = hs; h1 < hi && (ascii_isalnum((unsigned char)s[h1]) ||
                              s[h1] == '.' || s[h1] == '-' || s[h1] == '_');
         h1++)
        ;
    if (h1 == hs || h1 - hs > 253 || h1 == hi ||
        !strchr(scheme ? ":/|; \t?#" : ":/|;\t", s[h1]))
        return false;
    /* "https://x.com/login:bob:pw | Country = US": a checker's capture
       after a line of ':' (a line of " | " has no ':' after its host
       before the first). */
    i = capture_at(s, h1, hi);
    if (i < hi && !memchr(s + h1, '|', i - h1) && memchr(s + h1, ':', i - h1)) {
        hi = i;
        trim(s, &lo, &hi);
    }
    /* "https://x.com/login:bob:pw<TAB>US": tab columns after a line of
       ':' (two of them before the first tab, none of '|'); a line of
       tabs has at most a port's ':' before its first. */
    tab = memchr(s + h1, '\t', hi - h1);
    if (tab != NULL && !memchr(s + h1, '|', (size_t)(tab - s) - h1) &&
        (at = memchr(s + h1, ':', (size_t)(tab - s) - h1)) != NULL &&
        memchr(at + 1, ':', (size_t)(tab - at) - 1) != NULL) {
        hi = (size_t)(tab - s);
        trim(s, &lo, &hi);
    }
    if (memchr(s + h1, '|', hi - h1))
        sep = '|';
    else if (memchr(s + h1, '\t', hi - h1))
        sep = '\t';
    else if (memchr(s + h1, ' ', hi - h1))
        sep = ' ';
    else if (memchr(s + h1, ';', hi - h1))
        sep = ';';
    else
        sep = ':';

    if (sep == ':') {
        b = hi;
        while (b > h1 && s[b - 1] != ':')
            b--;
        if (b <= h1)
            return false;
        b--; /* the last ':' */
        a = b;
        while (a > h1 && s[a - 1] != ':')
            a--;
        if (a <= h1)
            return false;
        a--;
        /* Between the host and the login only a port and a path. */
        i = h1;
        if (i < a && s[i] == ':') {
            for (i++; i < a && ascii_isdigit((unsigned char)s[i]); i++)
                ;
            if (i == h1 + 1 || i - h1 > 6)
                return false;
        }
        if (i < a && s[i] != '/' && s[i] != '?' && s[i] != '#')
            return false;
    } else if (sep == ' ') {
        a = find(s, h1, hi, ' ');
        b = a;
        while (b < hi && s[b] == ' ')
            b++;
        b = find(s, b, hi, ' ');
        j = b;
        while (j < hi && s[j] == ' ')
            j++;
        if (b >= hi || find(s, j, hi, ' ') != hi)
            return false;
    } else {
        a = find(s, h1, hi, sep);
        b = find(s, a + 1, hi, sep);
        if (b >= hi)
            return false;
    }
    u->url = span_trim(s, lo, a);
    u->id = span_trim(s, a + 1, b);
    u->pw = span_trim(s, b + 1, hi);
    u->masked = u->pw;
    if (sep == '|' || sep == ';' || sep == '\t') {
        bool shown;

        u->pw.len = cred_columns(s + u->pw.off, u->pw.len, sep, &shown);
        if (shown)
            u->masked = u->pw;
    }
    u->host.off = hs;
    u->host.len = h1 - hs;
    if (u->url.len == 0 || u->id.len == 0 || u->pw.len == 0 ||
        u->url.len > CRED_MAX_URL || u->id.len > CRED_MAX_IDENTITY ||
        u->pw.len > CRED_MAX_PASSWORD || span_blank(s, u->url) ||
        span_blank(s, u->id) || span_has(s, u->id, "://") ||
        span_has(s, u->pw, "://"))
        return false;
    if ((sep == ':' || sep == ' ') && span_blank(s, u->pw))
        return false;
    for (i = 0; i < u->pw.off; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            return false; /* NUL or control bytes in the URL or login */
    /* Spaces, or a table of names: a scheme, and a login like one. */
    if (sep == ' ' && (!scheme || !memchr(s + u->id.off, '@', u->id.len)))
        return false;
    if (sep != ':' && !scheme && u->url.off + u->url.len == h1 &&
        !memchr(s + u->id.off, '@', u->id.len))
        return false;
    /* "https://git.example.org/?p=x.git;a=commit;h=5e2...": gitweb's
       query parameters, joined by ';', are no login and password (an
       '&' in the URL: the ';' may end an entity, "&amp;"). */
    if (sep == ';' && span_has(s, u->url, "?") && !span_has(s, u->url, "&") &&
        memchr(s + u->id.off, '=', u->id.len))
        return false;
    /* "host:443:tcp", "example.com:80:8080": ports, not a login. */
    if (all_of(s + u->id.off, u->id.len, ascii_isdigit) &&
        (sep == ':' || all_of(s + u->pw.off, u->pw.len, ascii_isdigit)))
        return false;
    return !id_placeholder(s + u->id.off, u->id.len) &&
           !cred_placeholder(s + u->pw.off, u->pw.len);
}

static bool
is_ipv4ish(unsigned char c)
{
    return ascii_isdigit(c) || c == '.';
}

static bool
is_macish(unsigned char c)
{
    return ascii_isxdigit(c) || c == ':' || c == '.';
}

bool
cred_userpass(const char *id, size_t idn, const char *pw, size_t pwn,
              char sep)
{
    char w[LABEL_MAX * 2];
    unsigned char last;

    if (idn == 0 || pwn == 0 || idn > 64 || pwn > CRED_MAX_PASSWORD ||
        memchr(id, '@', idn) || memchr(pw, sep, pwn))
        return false;
    /* "name&#64;host.com;..." is an e-mail address written in HTML. */
    if (memchr(id, '&', idn))
        return false;
    /* Labels, record fields and URI schemes are not user names. */
    if (idn <= LABEL_MAX && normalise(id, idn, w, sizeof(w)) &&
        (classify(id, idn) != LABEL_OTHER || IN(w, not_users)))
        return false;
    last = (unsigned char)pw[pwn - 1];
    if (pw[0] == ':' || pw[0] == '/' || pw[0] == '\\' || last == ';' ||
        last == ',' || last == '{' || memmem(pw, pwn, "://", 3))
        return false;
    /* 12:30, 3:1, 1080p: times, ratios, numbers. */
    if (all_of(id, idn, ascii_isdigit) && ascii_isdigit((unsigned char)pw[0]))
        return false;
    /* MAC and IPv6 pieces, dotted quads and host:port. */
    if (idn <= 4 && all_of(id, idn, is_macish) && all_of(pw, pwn, is_macish))
        return false;
    if (all_of(id, idn, is_ipv4ish) && memchr(id, '.', idn))
        return false;
    if (memchr(id, '.', idn) && pwn <= 5 && all_of(pw, pwn, ascii_isdigit))
        return false;
    return !cred_placeholder(pw, pwn) && !id_placeholder(id, idn);
}

/* Whether needle (lowercase) occurs in s[0..n), ASCII case ignored. */
static bool
has_word(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    /* needle is lowercase: its first byte rules out most places without
       a call (no setlocale(): strncasecmp() folds ASCII only). */
    for (i = 0; i + k <= n; i++)
        if (ascii_lower(s[i]) == needle[0] &&
            strncasecmp(s + i, needle, k) == 0)
            return true;
    return false;
}

bool
cred_combo_context(const char *s, size_t n)
{
    size_t i, k, wn;
    char c, c2;

    /* One pass: only a 'c', 'l' or 'u' can start one of the words, and
       their second bytes ('o', 's', ':') rule most of the rest out. */
    for (i = 0; i + 1 < n; i++) {
        c = ascii_lower(s[i]);
        if (c != 'c' && c != 'l' && c != 'u')
            continue;
        c2 = ascii_lower(s[i + 1]);
        if (c2 != 'o' && c2 != 's' && c2 != ':')
            continue;
        for (k = 0; k < sizeof(combo_words) / sizeof(combo_words[0]); k++) {
            if (combo_words[k][0] != c || combo_words[k][1] != c2)
                continue;
            wn = strlen(combo_words[k]);
            if (wn <= n - i && strncasecmp(s + i, combo_words[k], wn) == 0)
                return true;
        }
    }
    return false;
}

static void
wipe_free(char *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, strlen(s));
    x_free(s);
}

static void
wipe_curl_free(char *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, strlen(s));
    curl_free(s);
}

void
cred_userinfo_release(struct cred_userinfo *u)
{
    x_free(u->user_dec);
    if (u->pw_dec != NULL)
        OPENSSL_cleanse(u->pw_dec, u->pw_dec_len);
    x_free(u->pw_dec);
    x_free(u->host);
    memset(u, 0, sizeof(*u));
}

bool
cred_userinfo(const char *s, size_t n, struct cred_userinfo *u)
{
    CURLU *h;
    char *buf, *user = NULL, *pw = NULL, *host = NULL, *ud = NULL,
               *pd = NULL;
    const char *p;
    size_t at, ul, pl, i;
    bool ok = false;

    memset(u, 0, sizeof(*u));
    p = n >= 3 ? memmem(s, n, "://", 3) : NULL;
    if (p == NULL)
        return false;
    at = (size_t)(p - s) + 3;
    h = curl_url();
    if (h == NULL)
        return false;
    buf = xstrndup(s, n);
    if (strlen(buf) != n ||
        curl_url_set(h, CURLUPART_URL, buf, CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(h, CURLUPART_USER, &user, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_USER, &ud, CURLU_URLDECODE) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_PASSWORD, &pd, CURLU_URLDECODE) !=
            CURLUE_OK)
        goto out;
    ul = strlen(user);
    pl = strlen(pw);
    /* The parts as written, where the text has them. */
    if (ul == 0 || pl == 0 || host[0] == '\0' || at + ul + pl + 2 > n ||
        memcmp(s + at, user, ul) != 0 || s[at + ul] != ':' ||
        memcmp(s + at + ul + 1, pw, pl) != 0 || s[at + ul + 1 + pl] != '@' ||
        pd[0] == '\0' || ud[0] == '\0')
        goto out;
    u->user.off = at;
    u->user.len = ul;
    u->pw.off = at + ul + 1;
    u->pw.len = pl;
    u->user_dec = xstrdup(ud);
    u->pw_dec_len = strlen(pd);
    u->pw_dec = xstrndup(pd, u->pw_dec_len);
    u->host = xstrdup(host);
    for (i = 0; u->host[i] != '\0'; i++)
        u->host[i] = ascii_lower(u->host[i]);
    ok = true;
out:
    curl_free(user);
    wipe_curl_free(pw);
    curl_free(host);
    curl_free(ud);
    wipe_curl_free(pd);
    curl_url_cleanup(h);
    wipe_free(buf);
    return ok;
}

/*
 * The host of a plain "http://" or "https://" URL s[0..n) without curl:
 * labels of letters, digits and inner hyphens, the last starting with a
 * letter (no number curl would read as an IPv4 address), an optional
 * port of 1-65535 written plainly, then the end, '/', '?' or '#'; no
 * blank, control byte or DEL anywhere (curl refuses those). Its length
 * and *host, or 0 (ask curl): curl's parse cost ~5,000 instructions.
 */
static size_t
plain_host(const char *s, size_t n, const char **host)
{
    size_t i, h, label = 0, port;
    unsigned long v = 0;

    if (n > 7 && strncasecmp(s, "http://", 7) == 0)
        h = 7;
    else if (n > 8 && strncasecmp(s, "https://", 8) == 0)
        h = 8;
    else
        return 0;
    for (i = h; i < n && (ascii_isalnum(s[i]) || s[i] == '-' || s[i] == '.');
         i++) {
        if (i == h || s[i - 1] == '.') { /* a label starts */
            if (s[i] == '.' || s[i] == '-')
                return 0; /* empty, or a leading hyphen */
            label = i;
        } else if (s[i] == '.' && s[i - 1] == '-') {
            return 0; /* a trailing hyphen */
        }
    }
    if (i == h || s[i - 1] == '.' || s[i - 1] == '-' ||
        !ascii_isalpha(s[label]))
        return 0;
    *host = s + h;
    h = i - h;
    if (i < n && s[i] == ':') {
        for (port = ++i; i < n && ascii_isdigit(s[i]) && i - port < 6; i++)
            v = v * 10 + (unsigned long)(s[i] - '0');
        if (i == port || i - port > 5 || s[port] == '0' || v > 65535)
            return 0;
    }
    if (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
        return 0;
    for (; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return 0;
    return h;
}

char *
cred_url_host_curl(const char *s, size_t n)
{
    CURLU *h = curl_url();
    char *buf, *host = NULL, *out = NULL;
    size_t i;

    if (h == NULL)
        return NULL;
    buf = xstrndup(s, n);
    if (strlen(buf) == n &&
        curl_url_set(h, CURLUPART_URL, buf,
                     CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) ==
            CURLUE_OK &&
        curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        host[0] != '\0') {
        out = xstrdup(host);
        for (i = 0; out[i] != '\0'; i++)
            out[i] = ascii_lower(out[i]);
    }
    curl_free(host);
    curl_url_cleanup(h);
    x_free(buf);
    return out;
}

char *
cred_url_host(const char *s, size_t n)
{
    const char *plain;
    char *out;
    size_t i = plain_host(s, n, &plain);

    if (i == 0)
        return cred_url_host_curl(s, n);
    out = xstrndup(plain, i);
    for (i = 0; out[i] != '\0'; i++)
        out[i] = ascii_lower(out[i]);
    return out;
}

static bool
is_mask(unsigned char c)
{
    return c == '*' || c == 'x' || c == 'X' || c == '.' || c == '-' ||
           c == '#' || c == '?' || c == '_';
}

static bool
is_star(unsigned char c)
{
    return c == '*';
}

/* Only characters that is() takes, "•" (U+2022) and "●" (U+25CF). */
static bool
mask_of(const char *s, size_t n, bool (*is)(unsigned char))
{
    const unsigned char *t = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        if (is(t[i])) {
            i++;
        } else if (i + 3 <= n && t[i] == 0xe2 &&
                   ((t[i + 1] == 0x80 && t[i + 2] == 0xa2) ||
                    (t[i + 1] == 0x97 && t[i + 2] == 0x8f))) {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

/* Only mask characters ("****", "xxxx", "----", "••••"). */
static bool
masked(const char *s, size_t n)
{
    return mask_of(s, n, is_mask);
}

bool
cred_stars(const char *s, size_t n)
{
    return n > 0 && mask_of(s, n, is_star);
}

static bool
starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);

    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static bool
is_upper_name(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || ascii_isdigit(c) || c == '_';
}

/*
 * An expression of code where a value should be: a call or an index
 * ("getpass.getuser()", "_splitpasswd(user)", "auth[0]"), a choice
 * ("passwd or ''"), or an attribute of a receiver ("self.password",
 * "config.db_user"; "john.smith" is a fine user name).
 */
static bool
code_value(const char *s, size_t n)
{
    static const char *const receivers[] = {
        "args",    "cfg",     "cls",  "conf",    "config",   "ctx",
        "env",     "obj",     "options", "opts", "os",       "params",
        "process", "req",     "request", "self", "settings", "this",
    };
    size_t i = 0, k;

    if (n == 0 || !(ascii_isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    while (i < n && (ascii_isalnum((unsigned char)s[i]) || s[i] == '_' ||
                     s[i] == '.'))
        i++;
    if (i < n)
        return s[i] == '(' || s[i] == '[' ||
               starts_with(s + i, n - i, " or ") ||
               starts_with(s + i, n - i, " and ") ||
               starts_with(s + i, n - i, " || ") ||
               starts_with(s + i, n - i, " && ");
    for (k = 0; k < n && s[k] != '.'; k++)
        ;
    return k < n && SPAN_IN(((struct span){ s, k }), receivers);
}

/*
 * Placeholders a user name can be too: masks, "<user>", "${USER}", words
 * such as "none" or "unknown" ("bob@example.org" is a fine identity), and
 * code (code_value()).
 */
static bool
id_placeholder(const char *s, size_t n)
{
    char w[64];
    char a, z;

    if (n == 0 || masked(s, n) || code_value(s, n))
        return true;
    a = s[0];
    z = s[n - 1];
    return (a == '<' && z == '>') || (a == '[' && z == ']') ||
           (a == '{' && z == '}') || (a == '(' && z == ')') || a == '$' ||
           starts_with(s, n, "%s") ||
           (n < sizeof(w) && normalise(s, n, w, sizeof(w)) &&
            IN(w, placeholder_words));
}

bool
cred_placeholder(const char *s, size_t n)
{
    char a;

    if (id_placeholder(s, n))
        return true;
    a = s[0];
    if (starts_with(s, n, "${") || starts_with(s, n, "{{") ||
        starts_with(s, n, "%(") || starts_with(s, n, "%s") ||
        starts_with(s, n, "$(") || starts_with(s, n, "process.env") ||
        starts_with(s, n, "os.environ") || starts_with(s, n, "env(") ||
        starts_with(s, n, "getenv") || starts_with(s, n, "your") ||
        ends_with(s, n, "here") || has_word(s, n, "example") ||
        has_word(s, n, "sample") || has_word(s, n, "dummy") ||
        has_word(s, n, "placeholder") || has_word(s, n, "replace"))
        return true;
    /* $PASSWORD, DB_PASSWORD, API_KEY: a variable's name. */
    if ((a == '$' && n > 1 && all_of(s + 1, n - 1, is_upper_name)) ||
        (n >= 5 && all_of(s, n, is_upper_name) && memchr(s, '_', n) &&
         !ascii_isdigit((unsigned char)a)))
        return true;
    return false;
}

double
cred_entropy(const char *s, size_t n)
{
    size_t count[256] = { 0 }, i;
    double h = 0, p;

    for (i = 0; i < n; i++)
        count[(unsigned char)s[i]]++;
    for (i = 0; i < 256 && n > 0; i++) {
        if (count[i] == 0)
            continue;
        p = (double)count[i] / (double)n;
        h -= p * log2(p);
    }
    return h;
}

/* Secret names, normalised; "pass" needs a word boundary (not "bypass"). */
static const char *const secret_suffixes[] = {
    "password", "passwd", "pwd", "passphrase", "secret", "token",
    "apikey", "secretkey", "accesskey", "privatekey", "signingkey",
    "encryptionkey", "masterkey", "appkey", "authkey", "clientkey",
    "consumerkey", "licensekey", "servicekey", "accountkey", "sessionkey",
    "webhookkey", "hmackey", "jwtkey", "storagekey", "sharedkey",
    "adminkey", "cryptkey", "secretkeybase", "authtoken",
};

static const char *const not_secret_names[] = {
    "public", "publishable", "pubkey", "sitekey", "csrf", "xsrf",
    "nexttoken", "pagetoken", "continuationtoken", "synctoken",
    "tokentype", "cursor",
};

bool
cred_secret_name(const char *s, size_t n)
{
    char w[96];
    size_t k, i, wn;
    bool ok = false;

    if (n == 0 || !normalise(s, n, w, sizeof(w)))
        return false;
    wn = strlen(w);
    for (i = 0; i < sizeof(not_secret_names) / sizeof(not_secret_names[0]);
         i++)
        if (strstr(w, not_secret_names[i]) != NULL)
            return false;
    for (i = 0; i < sizeof(secret_suffixes) / sizeof(secret_suffixes[0]);
         i++) {
        k = strlen(secret_suffixes[i]);
        if (wn >= k && strcmp(w + wn - k, secret_suffixes[i]) == 0)
            ok = true;
    }
    /* "pass", "db_pass", "dbPass", not "bypass" or "compass". */
    if (!ok && n >= 4 && strncasecmp(s + n - 4, "pass", 4) == 0)
        ok = n == 4 || !ascii_isalnum((unsigned char)s[n - 5]) ||
             (s[n - 4] == 'P' && s[n - 5] >= 'a' && s[n - 5] <= 'z');
    return ok;
}

/* "a.b.c", "config.api_key": a name in code, not a value. */
static bool
dotted_name(const char *s, size_t n)
{
    size_t i;
    bool dot = false, start = true;

    for (i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (start)
                return false;
            dot = true;
            start = true;
        } else if (ascii_isalpha((unsigned char)s[i]) || s[i] == '_' ||
                   (!start && ascii_isdigit((unsigned char)s[i]))) {
            start = false;
        } else {
            return false;
        }
    }
    return dot && !start;
}

bool
cred_secret_value(const char *s, size_t n)
{
    bool lo = false, up = false, digit = false, other = false;
    size_t i;
    int classes;

    if (n < CRED_SECRET_MIN_LEN || n > CRED_SECRET_MAX_LEN ||
        cred_placeholder(s, n) || dotted_name(s, n) ||
        memmem(s, n, "://", 3) || memchr(s, '(', n) ||
        memmem(s, n, "::", 2) || s[0] == '/' ||
        s[0] == '~' || s[0] == '.' || s[0] == '\\' ||
        (n >= 3 && ascii_isalpha((unsigned char)s[0]) && s[1] == ':' &&
         s[2] == '\\') ||
        starts_with(s, n, "sk_test_") || starts_with(s, n, "rk_test_") ||
        starts_with(s, n, "pk_"))
        return false;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= 0x20 || c == 0x7f)
            return false;
        if (c >= 'a' && c <= 'z')
            lo = true;
        else if (c >= 'A' && c <= 'Z')
            up = true;
        else if (ascii_isdigit(c))
            digit = true;
        else
            other = true;
    }
    classes = lo + up + digit + other;
    if (classes < 2 || (!digit && classes < 3))
        return false;
    return cred_entropy(s, n) >= CRED_SECRET_MIN_ENTROPY;
}

/*
 * robots.txt parsing and matching. Keeps only the rules of the group that
 * applies to us; reads a bounded prefix of the file; never fails. Does no
 * I/O and knows nothing of hosts or caches (crawler/polite.c does).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "crawler/robots.h"
#include "common/banned.h"

struct rule {
    char *pat;  /* normalised (see normalise()) */
    size_t len;
    bool allow;
};

struct ruleset {
    struct rule *v;
    size_t n, cap;
    int delay_ms; /* -1: none */
    bool seen;    /* some group named this agent */
};

struct robots {
    struct ruleset rules;
    bool truncated;
};

static void
ruleset_release(struct ruleset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i].pat);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

void
robots_free(struct robots *r)
{
    if (r == NULL)
        return;
    ruleset_release(&r->rules);
    free(r);
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static char
upper_hex(char c)
{
    return (c >= 'a' && c <= 'f') ? (char)(c - 'a' + 'A') : c;
}

/*
 * The form both patterns and paths are compared in (RFC 9309 2.2.2):
 * bytes outside printable ASCII percent-encoded, the hex digits of
 * escapes in upper case. A new string of *outlen bytes.
 */
static char *
normalise(const char *s, size_t n, size_t *outlen)
{
    static const char digits[] = "0123456789ABCDEF";
    char *out = xmalloc(n * 3 + 1);
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && is_hex(s[i + 1]) &&
            is_hex(s[i + 2])) {
            out[o++] = '%';
            out[o++] = upper_hex(s[i + 1]);
            out[o++] = upper_hex(s[i + 2]);
            i += 2;
        } else if (c <= 0x20 || c >= 0x7f) {
            out[o++] = '%';
            out[o++] = digits[c >> 4];
            out[o++] = digits[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

static struct span
trim(struct span s)
{
    while (s.len && (*s.ptr == ' ' || *s.ptr == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* "1", "0.5", "10." in milliseconds (capped), or -1 when not a number. */
static int
parse_delay(struct span v)
{
    uint64_t ms = 0, scale = 100;
    size_t i = 0;
    bool digits = false;

    for (; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++) {
        digits = true;
        if (ms <= ROBOTS_MAX_CRAWL_DELAY_MS)
            ms = ms * 10 + 1000 * (uint64_t)(v.ptr[i] - '0');
    }
    if (i < v.len && v.ptr[i] == '.') {
        for (i++; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++) {
            digits = true;
            ms += (uint64_t)(v.ptr[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (!digits || i != v.len)
        return -1;
    return ms > ROBOTS_MAX_CRAWL_DELAY_MS ? ROBOTS_MAX_CRAWL_DELAY_MS
                                          : (int)ms;
}

static void
add_rule(struct ruleset *s, const char *pat, size_t len, bool allow,
         bool *truncated)
{
    if (s->n == ROBOTS_MAX_RULES) {
        *truncated = true;
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    s->v[s->n].pat = xstrndup(pat, len);
    s->v[s->n].len = len;
    s->v[s->n].allow = allow;
    s->n++;
}

struct parser {
    const char *agent;
    struct ruleset mine, star;
    bool group_mine, group_star; /* the current group applies */
    bool in_agents;              /* reading a group's user-agent lines */
    bool truncated;
};

static void
on_line(struct parser *p, struct span line)
{
    const char *hash = memchr(line.ptr, '#', line.len);
    const char *colon;
    struct span key, val;

    if (hash)
        line.len = (size_t)(hash - line.ptr);
    line = trim(line);
    colon = memchr(line.ptr, ':', line.len);
    if (colon == NULL)
        return;
    key = trim((struct span){ line.ptr, (size_t)(colon - line.ptr) });
    val = trim((struct span){ colon + 1,
                              line.len - (size_t)(colon + 1 - line.ptr) });
    if (span_ieq(key, "user-agent")) {
        struct span token = { val.ptr, 0 };

        while (token.len < val.len && val.ptr[token.len] != ' ' &&
               val.ptr[token.len] != '\t' && val.ptr[token.len] != '/')
            token.len++;

        if (!p->in_agents) {
            p->group_mine = p->group_star = false;
            p->in_agents = true;
        }
        if (span_ieq(token, p->agent)) {
            p->group_mine = p->mine.seen = true;
        } else if (span_eq(token, "*")) {
            p->group_star = p->star.seen = true;
        }
        return;
    }
    if (span_ieq(key, "allow") || span_ieq(key, "disallow")) {
        bool allow = span_ieq(key, "allow");
        char *pat;
        size_t len;

        p->in_agents = false;
        /* An empty value says nothing (an empty Disallow allows all). */
        if (val.len == 0 || (val.ptr[0] != '/' && val.ptr[0] != '*'))
            return;
        if (val.len > ROBOTS_MAX_PATTERN) {
            p->truncated = true;
            return;
        }
        pat = normalise(val.ptr, val.len, &len);
        if (p->group_mine)
            add_rule(&p->mine, pat, len, allow, &p->truncated);
        if (p->group_star)
            add_rule(&p->star, pat, len, allow, &p->truncated);
        free(pat);
        return;
    }
    if (span_ieq(key, "crawl-delay")) {
        int ms = parse_delay(val);

        p->in_agents = false;
        if (ms < 0)
            return;
        if (p->group_mine && ms > p->mine.delay_ms)
            p->mine.delay_ms = ms;
        if (p->group_star && ms > p->star.delay_ms)
            p->star.delay_ms = ms;
    }
    /* Sitemap and unknown lines belong to no group and end none. */
}

struct robots *
robots_parse(const char *text, size_t len, const char *agent)
{
    struct parser p = { 0 };
    struct robots *r = xcalloc(1, sizeof(*r));
    size_t limit = len > ROBOTS_MAX_BYTES ? ROBOTS_MAX_BYTES : len;
    size_t pos = 0, lines = 0;

    p.agent = agent;
    p.mine.delay_ms = p.star.delay_ms = -1;
    /* A UTF-8 byte order mark is not part of the first line. */
    if (limit >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    while (pos < limit) {
        size_t end = pos;

        while (end < limit && text[end] != '\n' && text[end] != '\r' &&
               text[end] != '\0')
            end++;
        if (end == limit && limit < len) {
            p.truncated = true; /* the byte cap cut this line */
            break;
        }
        if (++lines > ROBOTS_MAX_LINES) {
            p.truncated = true;
            break;
        }
        on_line(&p, (struct span){ text + pos, end - pos });
        pos = end + 1;
        if (end + 1 < limit && text[end] == '\r' && text[end + 1] == '\n')
            pos++;
    }
    if (limit < len)
        p.truncated = true;
    if (p.mine.seen) {
        r->rules = p.mine;
        ruleset_release(&p.star);
    } else {
        r->rules = p.star;
        ruleset_release(&p.mine);
    }
    r->truncated = p.truncated;
    return r;
}

/*
 * Whether pat (with '*' for any bytes and a final '$' for the end) matches
 * a prefix of s, or all of it with '$'. Greedy with backtracking to the
 * last '*': O(len(pat) * len(s)) at worst, both capped.
 */
static bool
match(const char *pat, size_t plen, const char *s, size_t slen)
{
    bool anchored = plen > 0 && pat[plen - 1] == '$';
    size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

    if (anchored)
        plen--;
    for (;;) {
        if (p == plen) {
            if (!anchored || i == slen)
                return true;
        } else if (pat[p] == '*') {
            star_p = p++;
            star_i = i;
            continue;
        } else if (i < slen && pat[p] == s[i]) {
            p++;
            i++;
            continue;
        }
        if (star_p == SIZE_MAX || star_i >= slen)
            return false;
        p = star_p + 1;
        i = ++star_i;
    }
}

bool
robots_allowed(const struct robots *r, const char *path)
{
    const struct ruleset *s = &r->rules;
    size_t plen, best = 0, i;
    bool allowed = true, found = false;
    char *norm;

    if (path[0] == '\0')
        path = "/";
    if (strcmp(path, "/robots.txt") == 0)
        return true;
    norm = normalise(path, strlen(path), &plen);
    for (i = 0; i < s->n; i++) {
        const struct rule *rule = &s->v[i];

        if (found && rule->len < best)
            continue;
        if (!match(rule->pat, rule->len, norm, plen))
            continue;
        if (!found || rule->len > best || (rule->len == best && rule->allow)) {
            allowed = rule->allow;
            best = rule->len;
            found = true;
        }
    }
    free(norm);
    return allowed;
}

int
robots_crawl_delay_ms(const struct robots *r)
{
    return r->rules.delay_ms;
}

size_t
robots_nrules(const struct robots *r)
{
    return r->rules.n;
}

bool
robots_truncated(const struct robots *r)
{
    return r->truncated;
}

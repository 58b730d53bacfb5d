/*
 * Notification payloads (pure: text, generic JSON, chat JSON, RFC 5322
 * mail, RFC 5424 syslog) and their delivery (libcurl for webhooks and
 * SMTP, sockets for syslog), each bounded by the channel's timeout and
 * by caps on what is built and read. Keeps no state and touches no
 * database: the outbox in storage/notify.c decides what is due.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "alerts/http.h"
#include "alerts/notify.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* Longest single value copied into a line of text (a title, a URL). */
#define NOTIFY_MAX_VALUE 2048
/* Longest structured-data parameter value of a syslog message. */
#define NOTIFY_MAX_SD_VALUE 128
/* Bytes of a webhook's error answer quoted in last_error. */
#define NOTIFY_ERROR_QUOTE 200

static const char *
jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long
jint(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* How many bytes of s (n bytes) fit in max without cutting a UTF-8
   sequence. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return max;
}

/*
 * Appends s (NULL as "-") on one line: control characters (CR and LF
 * included) become spaces, and past max bytes it is cut at a character
 * boundary and ends with "...".
 */
static int
add_clean(struct buf *out, const char *s, size_t max)
{
    size_t n, keep, i;
    int rc = 0;

    if (s == NULL)
        s = "-";
    n = strlen(s);
    keep = utf8_cut(s, n, max);
    for (i = 0; i < keep && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        rc = buf_addc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    if (rc == 0 && keep < n)
        rc = buf_adds(out, "...");
    return rc;
}

static void
upper(const char *s, char *out, size_t size)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < size; i++)
        out[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A')
                                            : s[i];
    out[i] = '\0';
}

static int
alert_text(const json_t *item, const json_t *a, struct buf *out)
{
    char sev[16];
    long long n = jint(a, "occurrences");
    int rc = 0;

    upper(jstr(a, "severity"), sev, sizeof(sev));
    rc |= buf_addf(out, "[%s] ", sev);
    rc |= add_clean(out, jstr(a, "kind"), 64);
    rc |= buf_adds(out, ": ");
    rc |= add_clean(out, jstr(a, "title"), NOTIFY_MAX_VALUE);
    rc |= buf_addf(out, "\nAlert %lld, score %lld, status ", jint(a, "id"),
             jint(a, "score"));
    rc |= add_clean(out, jstr(a, "status"), 64);
    rc |= buf_adds(out, " (");
    rc |= add_clean(out, jstr(item, "reason"), 64);
    rc |= buf_adds(out, ")\nSource: ");
    rc |= add_clean(out, jstr(a, "source"), NOTIFY_MAX_VALUE);
    rc |= buf_adds(out, "\nURL: ");
    rc |= add_clean(out, jstr(a, "url"), NOTIFY_MAX_VALUE);
    rc |= buf_adds(out, "\nFirst seen: ");
    rc |= add_clean(out, jstr(a, "first_seen"), 64);
    rc |= buf_adds(out, ", last seen: ");
    rc |= add_clean(out, jstr(a, "last_seen"), 64);
    rc |= buf_addf(out, ", %lld sighting%s\nEvidence: ", n, n == 1 ? "" : "s");
    rc |= add_clean(out, jstr(a, "summary"), NOTIFY_MAX_VALUE);
    rc |= buf_adds(out, "\nNext step: ");
    rc |= add_clean(out, jstr(a, "next_step"), NOTIFY_MAX_VALUE);
    rc |= buf_adds(out, "\nAudience: ");
    rc |= add_clean(out, jstr(a, "audience"), 64);
    rc |= buf_addc(out, '\n');
    return rc ? DRP_ETOOBIG : 0;
}

/* Whether kind has a line in the digest's counts. */
static bool
counted(const json_t *counts, const char *kind)
{
    size_t i;
    json_t *c;

    json_array_foreach(counts, i, c)
        if (kind && jstr(c, "kind") && !strcmp(jstr(c, "kind"), kind))
            return true;
    return false;
}

/* "no alert of kind K in the last H h across N sources" (K may be NULL). */
static int
silence(struct buf *out, const char *kind, long long hours,
        long long sources)
{
    buf_adds(out, "no alert ");
    if (kind) {
        buf_adds(out, "of kind ");
        add_clean(out, kind, 64);
        buf_addc(out, ' ');
    }
    return buf_addf(out, "in the last %lld h across %lld source%s", hours,
                    sources, sources == 1 ? "" : "s");
}

/* The phrases of silence of a digest, as a JSON array. */
static json_t *
silences(const json_t *d)
{
    const json_t *counts = json_object_get(d, "counts");
    json_t *kinds = json_object_get(d, "kinds"), *k, *arr = json_array();
    struct buf b = BUF_INIT(4096);
    size_t i;

    if (json_array_size(kinds) == 0 && jint(d, "total") == 0) {
        silence(&b, NULL, jint(d, "hours"), jint(d, "sources"));
        json_array_append_new(arr, json_string(buf_str(&b)));
    }
    json_array_foreach(kinds, i, k) {
        if (!json_is_string(k) || counted(counts, json_string_value(k)))
            continue;
        buf_reset(&b);
        silence(&b, json_string_value(k), jint(d, "hours"),
                jint(d, "sources"));
        json_array_append_new(arr, json_string(buf_str(&b)));
    }
    buf_release(&b);
    return arr;
}

static int
digest_text(const json_t *item, const json_t *d, struct buf *out)
{
    const json_t *counts = json_object_get(d, "counts");
    json_t *quiet = silences(d), *c, *t;
    const char *kind = NULL;
    long long total = jint(d, "total"), sum = 0;
    size_t i, j;
    int rc = 0;

    rc |= buf_adds(out, "drpwatch daily digest: ");
    rc |= add_clean(out, jstr(item, "period_start"), 64);
    rc |= buf_adds(out, " to ");
    rc |= add_clean(out, jstr(item, "period_end"), 64);
    rc |= buf_addf(out, " (%lld h), %lld source%s crawled, alerts of ",
             jint(d, "hours"), jint(d, "sources"),
             jint(d, "sources") == 1 ? "" : "s");
    rc |= add_clean(out, jstr(d, "min_severity"), 16);
    rc |= buf_addf(out, " severity and above\n%lld alert%s opened%s\n", total,
             total == 1 ? "" : "s", total || json_array_size(quiet) ? ":"
                                                                    : ".");
    /* counts come sorted by kind, then severity from the top */
    json_array_foreach(counts, i, c) {
        const char *k = jstr(c, "kind");

        if (kind == NULL || k == NULL || strcmp(kind, k) != 0) {
            sum = 0;
            for (j = i; j < json_array_size(counts); j++) {
                const char *k2 = jstr(json_array_get(counts, j), "kind");

                if (k == NULL || k2 == NULL || strcmp(k, k2) != 0)
                    break;
                sum += jint(json_array_get(counts, j), "count");
            }
            rc |= buf_adds(out, kind ? ")\n- " : "- ");
            rc |= add_clean(out, k, 64);
            rc |= buf_addf(out, ": %lld (", sum);
            kind = k;
        } else {
            rc |= buf_adds(out, ", ");
        }
        rc |= add_clean(out, jstr(c, "severity"), 16);
        rc |= buf_addf(out, " %lld", jint(c, "count"));
    }
    if (kind)
        rc |= buf_adds(out, ")\n");
    json_array_foreach(quiet, i, t) {
        rc |= buf_adds(out, "- ");
        rc |= buf_adds(out, json_string_value(t));
        rc |= buf_addc(out, '\n');
    }
    json_decref(quiet);
    if (json_array_size(json_object_get(d, "top")) > 0)
        rc |= buf_adds(out, "Most severe:\n");
    json_array_foreach(json_object_get(d, "top"), i, t) {
        char sev[16];

        upper(jstr(t, "severity"), sev, sizeof(sev));
        rc |= buf_addf(out, "- [%s] #%lld ", sev, jint(t, "id"));
        rc |= add_clean(out, jstr(t, "title"), 300);
        rc |= buf_adds(out, " (");
        rc |= add_clean(out, jstr(t, "source"), 64);
        rc |= buf_adds(out, ") ");
        rc |= add_clean(out, jstr(t, "url"), NOTIFY_MAX_VALUE);
        rc |= buf_addc(out, '\n');
    }
    return rc ? DRP_ETOOBIG : 0;
}

int
notify_text(const json_t *item, struct buf *out)
{
    const json_t *a = json_object_get(item, "alert");
    const json_t *d = json_object_get(item, "digest");

    if (json_is_object(a))
        return alert_text(item, a, out);
    if (json_is_object(d))
        return digest_text(item, d, out);
    return DRP_EINVAL;
}

/* The allowlisted fields of an alert, and nothing else. */
static json_t *
alert_object(const json_t *a)
{
    static const char *strs[] = { "kind", "severity", "status", "title",
                                  "summary", "next_step", "audience",
                                  "source", "url", "first_seen",
                                  "last_seen" };
    static const char *ints[] = { "id", "score", "occurrences" };
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        json_object_set_new(o, ints[i], json_integer(jint(a, ints[i])));
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const char *s = jstr(a, strs[i]);

        json_object_set_new(o, strs[i], s ? json_string(s) : json_null());
    }
    return o;
}

/* Compact JSON of o (taken) into out; DRP_ETOOBIG past its cap. */
static int
dump(json_t *o, struct buf *out)
{
    char *s = json_dumps(o, JSON_COMPACT);
    int rc;

    json_decref(o);
    if (s == NULL)
        return DRP_EINVAL;
    rc = buf_adds(out, s);
    free(s);
    return rc;
}

int
notify_json_payload(const struct notify_channel *ch, const json_t *item,
                    struct buf *out)
{
    const json_t *a = json_object_get(item, "alert");
    const json_t *d = json_object_get(item, "digest");
    struct buf text = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    json_t *o;
    int rc;

    o = json_pack("{s:s,s:I,s:s,s:s}", "type",
                  json_is_object(a) ? "alert" : "digest", "notification",
                  (json_int_t)jint(item, "id"), "channel", ch->name,
                  "reason", jstr(item, "reason") ? jstr(item, "reason") : "");
    if (o == NULL)
        return DRP_EINVAL;
    if (json_is_object(a)) {
        json_object_set_new(o, "alert", alert_object(a));
    } else if (json_is_object(d)) {
        json_object_set_new(o, "period_start",
                            json_string(jstr(item, "period_start")));
        json_object_set_new(o, "period_end",
                            json_string(jstr(item, "period_end")));
        json_object_set(o, "digest", (json_t *)d);
        json_object_set_new(o, "silent", silences(d));
        rc = notify_text(item, &text);
        if (rc < 0) {
            json_decref(o);
            buf_release(&text);
            return rc;
        }
        json_object_set_new(o, "text", json_string(buf_str(&text)));
    } else {
        json_decref(o);
        return DRP_EINVAL;
    }
    buf_release(&text);
    return dump(o, out);
}

int
notify_chat_payload(const struct notify_channel *ch, const json_t *item,
                    struct buf *out)
{
    struct buf text = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    struct buf esc = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    size_t i;
    int rc = notify_text(item, &text);

    (void)ch;
    for (i = 0; rc == 0 && i < text.len; i++) {
        char c = text.ptr[i];

        rc = c == '&'   ? buf_adds(&esc, "&amp;")
             : c == '<' ? buf_adds(&esc, "&lt;")
             : c == '>' ? buf_adds(&esc, "&gt;")
                        : buf_addc(&esc, c);
    }
    if (rc == 0) {
        json_t *o = json_pack("{s:s%}", "text", buf_str(&esc), esc.len);

        rc = o ? dump(o, out) : DRP_EINVAL;
    }
    buf_release(&text);
    buf_release(&esc);
    return rc;
}

/* ------------------------------------------------------------------ */
/* E-mail                                                             */

static bool
has_ctl(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* RFC 5322 date-time, in English whatever the locale. */
static void
rfc5322_date(time_t now, char *out, size_t size)
{
    static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
                                  "Sat" };
    static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                    "Jun", "Jul", "Aug", "Sep", "Oct",
                                    "Nov", "Dec" };
    struct tm tm;

    gmtime_r(&now, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * The Subject header's value: ASCII as it is; otherwise RFC 2047
 * encoded-words of whole characters (39 bytes each: 52 base64 digits, a
 * line of at most 76), folded.
 */
static int
add_subject(struct buf *out, const char *text)
{
    size_t n = strlen(text), i, k;
    bool ascii = true;
    unsigned char b64[64];
    int rc = 0;

    for (i = 0; i < n; i++)
        if ((unsigned char)text[i] >= 0x80)
            ascii = false;
    if (ascii)
        return buf_adds(out, text);
    for (i = 0; i < n && rc == 0; i += k) {
        k = utf8_cut(text + i, n - i, 39);
        if (k == 0)
            k = 1; /* a stray continuation byte: keep going */
        EVP_EncodeBlock(b64, (const unsigned char *)text + i, (int)k);
        rc = buf_addf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
    }
    return rc;
}

/* Quoted-printable (RFC 2045) of text whose lines end in LF, as lines
   of at most 76 characters ending in CRLF. A dot that would start a
   line is encoded, so no line is ever a lone "." for SMTP. */
static int
add_quoted_printable(struct buf *out, const char *s, size_t n)
{
    size_t i, col = 0;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        bool eol = i + 1 == n || s[i + 1] == '\n';
        bool literal;
        size_t len;

        if (c == '\n') {
            rc = buf_adds(out, "\r\n");
            col = 0;
            continue;
        }
        literal = (c >= 33 && c <= 126 && c != '=') ||
                  ((c == ' ' || c == '\t') && !eol);
        if (col + (literal ? 1 : 3) > 75) {
            rc = buf_adds(out, "=\r\n");
            col = 0;
        }
        if (c == '.' && col == 0)
            literal = false;
        len = literal ? 1 : 3;
        rc |= literal ? buf_addc(out, (char)c) : buf_addf(out, "=%02X", c);
        col += len;
    }
    return rc;
}

int
notify_email_message(const struct notify_channel *ch, const json_t *item,
                     time_t now, const char *host, struct buf *out)
{
    const json_t *a = json_object_get(item, "alert");
    const json_t *d = json_object_get(item, "digest");
    struct buf subject = BUF_INIT(NOTIFY_MAX_SUBJECT * 2);
    struct buf text = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    const char *domain = ch->from ? strrchr(ch->from, '@') : NULL;
    char date[64], sev[16];
    size_t i;
    int rc;

    if (ch->from == NULL || ch->nto == 0 || has_ctl(ch->from))
        return DRP_EINVAL;
    for (i = 0; i < ch->nto; i++)
        if (has_ctl(ch->to[i]))
            return DRP_EINVAL;
    rc = notify_text(item, &text);
    if (rc < 0)
        goto out;
    if (json_is_object(a)) {
        upper(jstr(a, "severity"), sev, sizeof(sev));
        rc |= buf_addf(&subject, "[drpwatch] %s ", sev);
        rc |= add_clean(&subject, jstr(a, "kind"), 64);
        rc |= buf_adds(&subject, ": ");
        rc |= add_clean(&subject, jstr(a, "title"), NOTIFY_MAX_SUBJECT);
    } else {
        long long total = jint(d, "total");

        rc |= buf_addf(&subject, "[drpwatch] daily digest: %lld alert%s in the "
                           "last %lld h", total, total == 1 ? "" : "s",
                 jint(d, "hours"));
    }
    rfc5322_date(now, date, sizeof(date));
    domain = domain && domain[1] ? domain + 1 : host;
    rc |= buf_addf(out, "Date: %s\r\n", date);
    rc |= buf_addf(out, "Message-ID: <drpwatch.notification.%lld@%s>\r\n",
             jint(item, "id"), domain && *domain ? domain : "localhost");
    rc |= buf_addf(out, "From: drpwatch <%s>\r\nTo: ", ch->from);
    for (i = 0; i < ch->nto; i++)
        rc |= buf_addf(out, "%s%s", i ? ",\r\n " : "", ch->to[i]);
    rc |= buf_adds(out, "\r\nSubject: ");
    rc |= add_subject(out, buf_str(&subject));
    rc |= buf_adds(out, "\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n"
                  "Auto-Submitted: auto-generated\r\n");
    rc |= buf_addf(out, "X-Drpwatch-Notification: %lld\r\n", jint(item, "id"));
    if (json_is_object(a))
        rc |= buf_addf(out, "X-Drpwatch-Alert: %lld\r\n", jint(a, "id"));
    rc |= buf_adds(out, "\r\n");
    rc |= add_quoted_printable(out, text.ptr, text.len);
    rc = rc ? DRP_ETOOBIG : 0;
out:
    buf_release(&subject);
    buf_release(&text);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Syslog                                                             */

static int
syslog_severity(const char *sev)
{
    static const struct {
        const char *word;
        int code;
    } map[] = { { "critical", 2 }, { "high", 3 }, { "medium", 4 },
                { "low", 5 },      { "info", 6 } };
    size_t i;

    for (i = 0; sev && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(sev, map[i].word))
            return map[i].code;
    return 6;
}

/* An RFC 5424 PARAM-VALUE: '"', '\' and ']' escaped, control characters
   as spaces, at most NOTIFY_MAX_SD_VALUE bytes. */
static int
sd_param(struct buf *out, const char *name, const char *value)
{
    size_t n, i;
    int rc;

    if (value == NULL)
        return 0;
    n = utf8_cut(value, strlen(value), NOTIFY_MAX_SD_VALUE);
    rc = buf_addf(out, " %s=\"", name);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];

        if (c == '"' || c == '\\' || c == ']')
            rc |= buf_addc(out, '\\');
        rc |= buf_addc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    return rc | buf_addc(out, '"');
}

static int
sd_int(struct buf *out, const char *name, long long v)
{
    char s[24];

    snprintf(s, sizeof(s), "%lld", v);
    return sd_param(out, name, s);
}

int
notify_syslog_message(const struct notify_channel *ch, const json_t *item,
                      long long now_ms, const char *host, int pid,
                      struct buf *out)
{
    const json_t *a = json_object_get(item, "alert");
    const json_t *d = json_object_get(item, "digest");
    struct buf text = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    struct buf line = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    time_t secs = (time_t)(now_ms / 1000);
    int facility = config_facility_code(ch->facility ? ch->facility
                                                     : "local0");
    size_t i, room, keep;
    struct tm tm;
    int rc;

    if (facility < 0)
        return DRP_EINVAL;
    rc = notify_text(item, &text);
    if (rc < 0)
        goto out;
    gmtime_r(&secs, &tm);
    rc |= buf_addf(out, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
             facility * 8 + (json_is_object(a)
                                 ? syslog_severity(jstr(a, "severity"))
                                 : 6),
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(now_ms % 1000));
    /* HOSTNAME: 1-255 printable ASCII characters, else the nil value. */
    for (i = 0; host && host[i] && i < 255; i++)
        rc |= buf_addc(out, host[i] > ' ' && host[i] < 0x7f ? host[i] : '-');
    if (i == 0)
        rc |= buf_addc(out, '-');
    rc |= buf_addf(out, " drpwatch %d %s [" NOTIFY_SD_ID, pid,
             json_is_object(a) ? "alert" : "digest");
    rc |= sd_int(out, "notification", jint(item, "id"));
    if (json_is_object(a)) {
        rc |= sd_int(out, "alert", jint(a, "id"));
        rc |= sd_param(out, "kind", jstr(a, "kind"));
        rc |= sd_param(out, "severity", jstr(a, "severity"));
        rc |= sd_int(out, "score", jint(a, "score"));
        rc |= sd_param(out, "reason", jstr(item, "reason"));
        rc |= sd_param(out, "source", jstr(a, "source"));
    } else {
        rc |= sd_int(out, "total", jint(d, "total"));
        rc |= sd_int(out, "hours", jint(d, "hours"));
        rc |= sd_int(out, "sources", jint(d, "sources"));
    }
    rc |= buf_adds(out, "] \xef\xbb\xbf");
    /* MSG: the text on one line, cut to what the message has room for */
    for (i = 0; i < text.len; i++)
        if (text.ptr[i] != '\n')
            rc |= buf_addc(&line, text.ptr[i]);
        else if (i + 1 < text.len)
            rc |= buf_adds(&line, " | ");
    room = out->len < NOTIFY_SYSLOG_MAX - 3 ? NOTIFY_SYSLOG_MAX - 3 - out->len
                                            : 0;
    keep = utf8_cut(line.ptr, line.len, room);
    rc |= buf_add(out, line.ptr, keep);
    if (keep < line.len)
        rc |= buf_adds(out, "...");
    rc = rc ? DRP_ETOOBIG : 0;
    if (rc == 0 && out->len > NOTIFY_SYSLOG_MAX)
        rc = DRP_ETOOBIG;
out:
    buf_release(&text);
    buf_release(&line);
    return rc;
}

long
notify_retry_ms(const struct notify_channel *ch, int attempts, uint32_t rnd)
{
    long delay = ch->retry_ms > 0 ? ch->retry_ms : 1;
    int i;

    if (attempts >= ch->max_attempts)
        return -1;
    for (i = 1; i < attempts && delay < NOTIFY_MAX_BACKOFF_MS; i++)
        delay *= 2;
    if (delay > NOTIFY_MAX_BACKOFF_MS)
        delay = NOTIFY_MAX_BACKOFF_MS;
    return delay / 2 + (long)((double)(delay - delay / 2) * rnd / 4294967296.0);
}

/* ------------------------------------------------------------------ */
/* Delivery                                                           */

/* The first line of the channel's password file (the file's path may be
   named in errors; its content never is). */
static int
read_password(const char *path, char *out, size_t size, struct buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    size_t len = 0;

    if (fd < 0) {
        buf_addf(err, "cannot read the password file '%s': %s", path,
                 strerror(errno));
        return DRP_EIO;
    }
    while (len + 1 < size &&
           (n = read(fd, out + len, size - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    out[len] = '\0';
    if (len + 1 >= size && memchr(out, '\n', len) == NULL) {
        memset(out, 0, size);
        buf_addf(err, "the password file '%s' is larger than %zu bytes",
                 path, size - 1);
        return DRP_ETOOBIG;
    }
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

struct upload {
    const char *p;
    size_t left;
};

static size_t
on_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;

    memcpy(ptr, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static void
curl_common(CURL *h, const struct notify_channel *ch, char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, ch->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)ch->timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                     (long)(ch->timeout < 10 ? ch->timeout : 10));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}


static int
send_webhook(const struct notify_channel *ch, const json_t *item,
             struct buf *err)
{
    struct buf body = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    struct buf resp = BUF_INIT(NOTIFY_MAX_RESPONSE);
    char idh[64], password[NOTIFY_MAX_PASSWORD];
    const char *headers[] = { "Content-Type: application/json; "
                              "charset=utf-8",
                              idh, NULL };
    struct http_req r;
    long status = 0;
    int rc;

    password[0] = '\0';
    rc = strcmp(ch->format ? ch->format : "json", "chat") == 0
             ? notify_chat_payload(ch, item, &body)
             : notify_json_payload(ch, item, &body);
    if (rc < 0) {
        buf_addf(err, "cannot build the payload: %s", drp_strerror(rc));
        goto out;
    }
    if (ch->password_file) {
        rc = read_password(ch->password_file, password, sizeof(password),
                           err);
        if (rc < 0)
            goto out;
    }
    snprintf(idh, sizeof(idh), "X-Drpwatch-Notification: %lld",
             jint(item, "id"));
    r = (struct http_req){ "POST", ch->url, headers, body.ptr, body.len,
                           ch->timeout, ch->username, password };
    rc = http_send(&r, &status, &resp, err);
    if (rc == 0 && (status < 200 || status > 299)) {
        buf_addf(err, "HTTP %ld", status);
        if (resp.len) {
            buf_adds(err, ": ");
            add_clean(err, buf_str(&resp), NOTIFY_ERROR_QUOTE);
        }
        rc = DRP_EHTTP;
    }
out:
    memset(password, 0, sizeof(password));
    buf_release(&body);
    buf_release(&resp);
    return rc;
}

static void
host_name(char *out, size_t size)
{
    if (gethostname(out, size) < 0 || out[0] == '\0')
        snprintf(out, size, "localhost");
    out[size - 1] = '\0';
}

static int
send_email(const struct notify_channel *ch, const json_t *item,
           struct buf *err)
{
    struct buf msg = BUF_INIT(NOTIFY_MAX_PAYLOAD * 2);
    char errbuf[CURL_ERROR_SIZE] = "", host[256], *from = NULL;
    char password[NOTIFY_MAX_PASSWORD];
    struct curl_slist *rcpt = NULL;
    struct upload up;
    CURL *h = NULL;
    CURLcode code;
    size_t i;
    int rc;

    password[0] = '\0';
    host_name(host, sizeof(host));
    rc = notify_email_message(ch, item, time(NULL), host, &msg);
    if (rc < 0) {
        buf_addf(err, "cannot build the message: %s", drp_strerror(rc));
        goto out;
    }
    if (ch->password_file) {
        rc = read_password(ch->password_file, password, sizeof(password),
                           err);
        if (rc < 0)
            goto out;
    }
    from = xasprintf("<%s>", ch->from);
    for (i = 0; i < ch->nto; i++) {
        char *to = xasprintf("<%s>", ch->to[i]);

        rcpt = curl_slist_append(rcpt, to);
        free(to);
    }
    h = curl_easy_init();
    if (h == NULL || rcpt == NULL)
        abort();
    up.p = msg.ptr;
    up.left = msg.len;
    curl_common(h, ch, errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
    /* A password never crosses the network in clear: with a login,
       smtp:// must upgrade with STARTTLS or fail. */
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     ch->username ? (long)CURLUSESSL_ALL
                                  : (long)CURLUSESSL_TRY);
    if (ch->username) {
        curl_easy_setopt(h, CURLOPT_USERNAME, ch->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, password);
    }
    code = curl_easy_perform(h);
    if (code != CURLE_OK)
        rc = http_curl_failed(err, (int)code, errbuf);
out:
    memset(password, 0, sizeof(password));
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    free(from);
    buf_release(&msg);
    return rc;
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to be ready for events until deadline (ms). */
static int
wait_fd(int fd, short events, long long deadline)
{
    struct pollfd p = { fd, events, 0 };
    long long left;
    int n;

    for (;;) {
        left = deadline - now_ms();
        if (left <= 0)
            return DRP_ENET;
        n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return DRP_ENET;
    }
}

/* Sends all of data on a connected socket before deadline. */
static int
send_all(int fd, const char *data, size_t len, long long deadline,
         struct buf *err)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) < 0) {
                buf_adds(err, "timed out sending");
                return DRP_ENET;
            }
            continue;
        }
        if (n < 0) {
            buf_addf(err, "send failed: %s", strerror(errno));
            return DRP_ENET;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A socket connected to udp:// or tcp:// HOST:PORT, before deadline. */
static int
syslog_connect(const char *address, long long deadline, int *fdp,
               struct buf *err)
{
    bool tcp = !strncmp(address, "tcp://", 6);
    const char *hp = address + 6, *colon = strrchr(hp, ':');
    struct addrinfo hints = { 0 }, *res = NULL, *ai;
    char host[256];
    size_t n = colon ? (size_t)(colon - hp) : 0;
    int fd = -1, gai, rc = DRP_ENET;

    if (n >= 2 && hp[0] == '[' && hp[n - 1] == ']') {
        hp++;
        n -= 2;
    }
    if (colon == NULL || n == 0 || n >= sizeof(host)) {
        buf_addf(err, "bad syslog address '%s'", address);
        return DRP_EINVAL;
    }
    memcpy(host, hp, n);
    host[n] = '\0';
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0) {
        buf_addf(err, "cannot resolve '%s': %s", host, gai_strerror(gai));
        return DRP_ENET;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
                                       SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            (errno == EINPROGRESS &&
             wait_fd(fd, POLLOUT, deadline) == 0)) {
            int soerr = 0;
            socklen_t len = sizeof(soerr);

            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            if (soerr == 0) {
                rc = 0;
                break;
            }
            errno = soerr;
        }
        buf_reset(err);
        buf_addf(err, "cannot connect to %s: %s", address,
                 errno == EINPROGRESS ? "timed out" : strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (rc == 0)
        *fdp = fd;
    else if (err->len == 0)
        buf_addf(err, "cannot connect to %s", address);
    return rc;
}

static int
send_syslog(const struct notify_channel *ch, const json_t *item,
            struct buf *err)
{
    struct buf msg = BUF_INIT(NOTIFY_SYSLOG_MAX + 32);
    long long deadline = now_ms() + 1000LL * ch->timeout;
    char host[256];
    int fd = -1, rc;

    host_name(host, sizeof(host));
    rc = notify_syslog_message(ch, item, now_ms(), host, (int)getpid(),
                               &msg);
    if (rc < 0) {
        buf_addf(err, "cannot build the message: %s", drp_strerror(rc));
        goto out;
    }
    if (!strncmp(ch->address, "unix:", 5)) {
        struct sockaddr_un sun = { 0 };

        sun.sun_family = AF_UNIX;
        if (strlen(ch->address + 5) >= sizeof(sun.sun_path)) {
            buf_addf(err, "socket path too long: '%s'", ch->address + 5);
            rc = DRP_EINVAL;
            goto out;
        }
        memcpy(sun.sun_path, ch->address + 5, strlen(ch->address + 5));
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg.ptr, msg.len, MSG_NOSIGNAL,
                             (struct sockaddr *)&sun, sizeof(sun)) < 0) {
            buf_addf(err, "cannot send to %s: %s", ch->address,
                     strerror(errno));
            rc = DRP_ENET;
        }
        goto out;
    }
    rc = syslog_connect(ch->address, deadline, &fd, err);
    if (rc < 0)
        goto out;
    if (!strncmp(ch->address, "tcp://", 6)) {
        /* RFC 6587 octet counting: "LEN SP MSG". */
        char len[24];

        snprintf(len, sizeof(len), "%zu ", msg.len);
        rc = send_all(fd, len, strlen(len), deadline, err);
    }
    if (rc == 0)
        rc = send_all(fd, msg.ptr, msg.len, deadline, err);
out:
    if (fd >= 0)
        close(fd);
    buf_release(&msg);
    return rc;
}

int
notify_send(const struct notify_channel *ch, const json_t *item,
            struct buf *err)
{
    buf_reset(err);
    if (ch->type && !strcmp(ch->type, "webhook") && ch->url)
        return send_webhook(ch, item, err);
    if (ch->type && !strcmp(ch->type, "email") && ch->url && ch->from)
        return send_email(ch, item, err);
    if (ch->type && !strcmp(ch->type, "syslog") && ch->address)
        return send_syslog(ch, item, err);
    buf_addf(err, "channel '%s' is incomplete: apply the configuration "
                  "again", ch->name ? ch->name : "?");
    return DRP_EINVAL;
}

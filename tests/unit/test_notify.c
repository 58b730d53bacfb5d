/*
 * alerts/notify.c's payloads: JSON escaping and the allowlist, the chat
 * text, RFC 5322 headers (and no header injection through a title), RFC
 * 5424 syslog lines, the digest's words for silence, and the backoff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "alerts/notify.h"
#include "common/err.h"
#include "tests/tap.h"

/* 2024-01-02T03:04:05.678Z, a Tuesday */
#define NOW_MS 1704164645678LL

static json_t *
alert_item(const char *title, const char *source)
{
    return json_pack(
        "{s:I,s:I,s:i,s:s,s:n,s:n,s:{s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,"
        "s:s,s:s,s:s,s:s,s:i,s:s}}",
        "id", (json_int_t)41, "channel_id", (json_int_t)2, "attempts", 1,
        "reason", "opened", "period_start", "period_end", "alert", "id",
        (json_int_t)7, "kind", "credential-leak", "severity", "high",
        "score", 80, "status", "new", "title", title, "summary",
        "identity=a@northwindbank.com password_hint=H****1(8)", "next_step",
        "Force a password reset.", "audience", "security", "source", source,
        "url", "http://forum.example/t/1?a=1&b=<2>", "first_seen",
        "2024-01-02T00:00:00Z", "last_seen", "2024-01-02T01:00:00Z",
        "occurrences", 2, "password", "never-copied");
}

static json_t *
digest_item(json_t *kinds, json_t *counts, int total, int sources)
{
    return json_pack("{s:I,s:I,s:i,s:s,s:n,s:s,s:s,s:{s:i,s:i,s:o,s:s,s:i,"
                     "s:o,s:[{s:I,s:s,s:s,s:i,s:s,s:s,s:s}]}}",
                     "id", (json_int_t)9, "channel_id", (json_int_t)3,
                     "attempts", 1, "reason", "digest", "alert",
                     "period_start", "2024-01-01T08:00:00Z", "period_end",
                     "2024-01-02T08:00:00Z", "digest", "hours", 24,
                     "sources", sources, "kinds", kinds, "min_severity",
                     "medium", "total", total, "counts", counts, "top",
                     "id", (json_int_t)7, "kind", "credential-leak",
                     "severity", "critical", "score", 95, "title",
                     "Leaked credential", "source", "paste", "url",
                     "http://p.example/raw/1");
}

static struct notify_channel
channel(const char *type)
{
    static char *to[] = { "soc@example.com", "secops@example.com" };
    struct notify_channel ch;

    config_channel_init(&ch);
    ch.name = "test";
    ch.type = (char *)type;
    ch.min_severity = "medium";
    ch.format = "json";
    ch.from = "drpwatch@example.com";
    ch.to = to;
    ch.nto = 2;
    ch.facility = "local0";
    return ch;
}

static void
test_json(void)
{
    const char *title = "quote \" backslash \\ tab\t nl\n ctl\x01 é 日本";
    struct notify_channel ch = channel("webhook");
    json_t *item = alert_item(title, "forum"), *got, *a;
    struct buf out = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    json_error_t jerr;

    is(notify_json_payload(&ch, item, &out), 0, "json: built");
    got = json_loads(buf_str(&out), 0, &jerr);
    ok(got != NULL, "json: parses back (%s)", got ? "ok" : jerr.text);
    a = json_object_get(got, "alert");
    is_str(json_string_value(json_object_get(got, "type")), "alert",
           "json: type alert");
    is(json_integer_value(json_object_get(got, "notification")), 41,
       "json: the notification id, for receivers to spot a redelivery");
    is_str(json_string_value(json_object_get(a, "title")), title,
           "json: quotes, backslashes, control characters and UTF-8 "
           "survive escaping");
    ok(strstr(buf_str(&out), "\\u0001") && strstr(buf_str(&out), "\\n") &&
           !memchr(out.ptr, '\n', out.len),
       "json: control characters escaped, one line");
    ok(json_object_get(a, "password") == NULL &&
           strstr(buf_str(&out), "never-copied") == NULL,
       "json: fields outside the allowlist are never copied");
    is(json_integer_value(json_object_get(a, "score")), 80,
       "json: integers stay integers");
    json_decref(got);
    buf_release(&out);

    /* a cap too small is an error, not a cut payload */
    {
        struct buf small = BUF_INIT(64);

        is(notify_json_payload(&ch, item, &small), DRP_ETOOBIG,
           "json: past the cap, DRP_ETOOBIG");
        buf_release(&small);
    }
    json_decref(item);
}

static void
test_chat(void)
{
    struct notify_channel ch = channel("webhook");
    json_t *item = alert_item("<http://evil.example|click> & <!channel>\n"
                              "second line", "forum"), *got;
    struct buf out = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    const char *text;

    ch.format = "chat";
    is(notify_chat_payload(&ch, item, &out), 0, "chat: built");
    got = json_loads(buf_str(&out), 0, NULL);
    ok(got && json_object_size(got) == 1, "chat: one key");
    text = json_string_value(json_object_get(got, "text"));
    ok(text && !strncmp(text, "[HIGH] credential-leak: &lt;http://evil."
                              "example|click&gt; &amp; &lt;!channel&gt; "
                              "second line\n", 70),
       "chat: severity first; <, > and & escaped; the title on one line");
    ok(text && !strchr(text, '<') && !strchr(text, '>'),
       "chat: no raw angle bracket anywhere (no link, no mention)");
    ok(text && strstr(text, "?a=1&amp;b=&lt;2&gt;") != NULL,
       "chat: URLs escaped too");
    ok(text && strstr(text, "Next step: Force a password reset.") != NULL,
       "chat: the next step is written out");
    json_decref(got);
    buf_release(&out);
    json_decref(item);
}

/* Decodes the RFC 2047 words of a Subject value ("=?UTF-8?B?...?="). */
static void
decode_subject(const char *v, char *out, size_t size)
{
    size_t n = 0;

    while ((v = strstr(v, "=?UTF-8?B?")) != NULL) {
        const char *end = strstr(v + 10, "?=");
        unsigned char dec[128];
        int len;

        if (end == NULL || end - (v + 10) > 160)
            break;
        len = EVP_DecodeBlock(dec, (const unsigned char *)v + 10,
                              (int)(end - (v + 10)));
        while (len > 0 && dec[len - 1] == '\0')
            len--; /* EVP_DecodeBlock pads with NULs */
        if (len > 0 && n + (size_t)len < size) {
            memcpy(out + n, dec, (size_t)len);
            n += (size_t)len;
        }
        v = end + 2;
    }
    out[n] = '\0';
}

/* Whether every line of s ends in CRLF and has at most max characters. */
static int
lines_ok(const char *s, size_t max)
{
    const char *p = s, *lf;

    while ((lf = strchr(p, '\n')) != NULL) {
        if (lf == p || lf[-1] != '\r' || (size_t)(lf - 1 - p) > max)
            return 0;
        p = lf + 1;
    }
    return *p == '\0';
}

static void
test_email(void)
{
    struct notify_channel ch = channel("email");
    json_t *item = alert_item("Leak\r\nBcc: evil@example.org\r\n\r\nbody",
                              "forum");
    struct buf out = BUF_INIT(NOTIFY_MAX_PAYLOAD * 2);
    const char *body;
    char subject[512];

    is(notify_email_message(&ch, item, (time_t)(NOW_MS / 1000), "host",
                            &out),
       0, "email: built");
    ok(!strncmp(buf_str(&out), "Date: Tue, 02 Jan 2024 03:04:05 +0000\r\n",
                39),
       "email: RFC 5322 Date in UTC, English names");
    ok(strstr(buf_str(&out), "\r\nMessage-ID: <drpwatch.notification.41"
                             "@example.com>\r\n") != NULL,
       "email: Message-ID stable for the notification");
    ok(strstr(buf_str(&out), "\r\nFrom: drpwatch <drpwatch@example.com>"
                             "\r\n") != NULL,
       "email: From");
    ok(strstr(buf_str(&out), "\r\nTo: soc@example.com,\r\n "
                             "secops@example.com\r\n") != NULL,
       "email: To, folded");
    ok(strstr(buf_str(&out), "\r\nSubject: [drpwatch] HIGH credential-leak: "
                             "Leak  Bcc: evil@example.org    body\r\n") !=
           NULL,
       "email: CR and LF in a title become spaces in the Subject");
    ok(strstr(buf_str(&out), "\r\nBcc:") == NULL,
       "email: no header injected");
    ok(strstr(buf_str(&out), "\r\nMIME-Version: 1.0\r\nContent-Type: "
                             "text/plain; charset=utf-8\r\nContent-Transfer"
                             "-Encoding: quoted-printable\r\n") != NULL,
       "email: MIME headers");
    body = strstr(buf_str(&out), "\r\n\r\n");
    ok(body && lines_ok(buf_str(&out), 998) && lines_ok(body + 4, 76),
       "email: CRLF line ends; body lines at most 76 characters");
    ok(body && strstr(body, "identity=3Da@northwindbank.com") != NULL,
       "email: body quoted-printable");
    buf_release(&out);
    json_decref(item);

    /* Non-ASCII subjects are RFC 2047 encoded, whole characters per word */
    item = alert_item("Утечка Nörthwind Bank — 日本語のタイトル, long enough "
                      "to need several encoded words",
                      "forum");
    buf_init(&out, NOTIFY_MAX_PAYLOAD * 2);
    is(notify_email_message(&ch, item, (time_t)(NOW_MS / 1000), "host",
                            &out),
       0, "email: UTF-8 title");
    {
        const char *s = strstr(buf_str(&out), "\r\nSubject: ");
        const char *end = s ? strstr(s + 2, "\r\nMIME-Version") : NULL;
        char hdr[1024];

        ok(s && end && (size_t)(end - s) < sizeof(hdr), "email: subject");
        if (s && end && (size_t)(end - s) < sizeof(hdr)) {
            /* with the CRLF that ends it */
            memcpy(hdr, s, (size_t)(end + 2 - s));
            hdr[end + 2 - s] = '\0';
            decode_subject(hdr, subject, sizeof(subject));
            is_str(subject, "[drpwatch] HIGH credential-leak: Утечка "
                            "Nörthwind Bank — 日本語のタイトル, long enough "
                            "to need several encoded words",
                   "email: encoded words decode to the subject");
            ok(lines_ok(hdr + 2, 78), "email: folded at 78 characters");
        }
    }
    buf_release(&out);

    /* a dot that would start a line is encoded (SMTP's end of data) */
    json_decref(item);
    item = alert_item("x", "forum");
    json_object_set_new(json_object_get(item, "alert"), "next_step",
                        json_string("."));
    buf_init(&out, NOTIFY_MAX_PAYLOAD * 2);
    notify_email_message(&ch, item, 0, "host", &out);
    ok(strstr(buf_str(&out), "\r\n.") == NULL,
       "email: no line starts with a dot");
    buf_release(&out);

    /* an address with a line break never reaches a header */
    {
        char *bad[] = { "soc@example.com\r\nBcc: x@y.z" };

        ch.to = bad;
        ch.nto = 1;
        buf_init(&out, NOTIFY_MAX_PAYLOAD * 2);
        is(notify_email_message(&ch, item, 0, "host", &out), DRP_EINVAL,
           "email: a recipient with CR LF is refused");
        buf_release(&out);
    }
    json_decref(item);
}

static void
test_syslog(void)
{
    struct notify_channel ch = channel("syslog");
    json_t *item = alert_item("first\nsecond", "src \"x\" ]\\");
    struct buf out = BUF_INIT(NOTIFY_SYSLOG_MAX + 64);
    char big[5000];

    is(notify_syslog_message(&ch, item, NOW_MS, "sensor-1", 4242, &out), 0,
       "syslog: built");
    ok(!strncmp(buf_str(&out),
                "<131>1 2024-01-02T03:04:05.678Z sensor-1 drpwatch 4242 "
                "alert [drpwatch@32473 notification=\"41\" alert=\"7\" "
                "kind=\"credential-leak\" severity=\"high\" score=\"80\" "
                "reason=\"opened\" source=\"src \\\"x\\\" \\]\\\\\"] "
                "\xef\xbb\xbf[HIGH] credential-leak: first second | ",
                210),
       "syslog: PRI local0.err, RFC 3339 time, SD escaped, BOM, one line");
    if (strncmp(buf_str(&out), "<131>", 5) != 0)
        diag("%s", buf_str(&out));
    ok(!memchr(out.ptr, '\n', out.len) && !memchr(out.ptr, '\r', out.len),
       "syslog: no line break in the message");
    buf_release(&out);
    json_decref(item);

    /* a long title is cut, at a character boundary, within 2048 bytes */
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memcpy(big + 2000, "é", 2);
    item = alert_item(big, "forum");
    buf_init(&out, NOTIFY_SYSLOG_MAX + 64);
    is(notify_syslog_message(&ch, item, NOW_MS, "h", 1, &out), 0,
       "syslog: long message built");
    ok(out.len <= NOTIFY_SYSLOG_MAX &&
           !strcmp(buf_str(&out) + out.len - 3, "..."),
       "syslog: cut to %d bytes with '...'", NOTIFY_SYSLOG_MAX);
    buf_release(&out);
    json_decref(item);

    item = digest_item(json_pack("[s]", "credential-leak"),
                       json_pack("[{s:s,s:s,s:i}]", "kind",
                                 "credential-leak", "severity", "critical",
                                 "count", 1),
                       1, 3);
    ch.facility = "auth";
    buf_init(&out, NOTIFY_SYSLOG_MAX + 64);
    is(notify_syslog_message(&ch, item, NOW_MS, "h", 1, &out), 0,
       "syslog: digest built");
    ok(!strncmp(buf_str(&out), "<38>1 2024-01-02T03:04:05.678Z h drpwatch 1 "
                               "digest [drpwatch@32473 notification=\"9\" "
                               "total=\"1\" hours=\"24\" sources=\"3\"] ",
                100),
       "syslog: a digest is auth.info with its totals");
    buf_release(&out);
    json_decref(item);
}

static void
test_digest(void)
{
    json_t *item = digest_item(
        json_pack("[s,s,s]", "brand-mention", "canary", "credential-leak"),
        json_pack("[{s:s,s:s,s:i},{s:s,s:s,s:i},{s:s,s:s,s:i}]", "kind",
                  "brand-mention", "severity", "medium", "count", 5, "kind",
                  "credential-leak", "severity", "critical", "count", 2,
                  "kind", "credential-leak", "severity", "high", "count", 7),
        14, 3);
    struct notify_channel ch = channel("webhook");
    struct buf out = BUF_INIT(NOTIFY_MAX_PAYLOAD);
    json_t *got;

    is(notify_text(item, &out), 0, "digest: text built");
    ok(strstr(buf_str(&out), "- brand-mention: 5 (medium 5)\n"
                             "- credential-leak: 9 (critical 2, high 7)\n")
           != NULL,
       "digest: counts by kind and severity");
    ok(strstr(buf_str(&out), "- no alert of kind canary in the last 24 h "
                             "across 3 sources\n") != NULL,
       "digest: a kind without alerts is said so, not left out");
    ok(strstr(buf_str(&out), "- [CRITICAL] #7 Leaked credential (paste) "
                             "http://p.example/raw/1\n") != NULL,
       "digest: the most severe listed");
    buf_reset(&out);
    is(notify_json_payload(&ch, item, &out), 0, "digest: json built");
    got = json_loads(buf_str(&out), 0, NULL);
    is_str(json_string_value(json_array_get(json_object_get(got, "silent"),
                                            0)),
           "no alert of kind canary in the last 24 h across 3 sources",
           "digest: json lists the silences");
    is(json_integer_value(json_object_get(json_object_get(got, "digest"),
                                          "total")),
       14, "digest: json carries the counts");
    json_decref(got);
    json_decref(item);

    item = digest_item(json_array(), json_array(), 0, 1);
    buf_reset(&out);
    is(notify_text(item, &out), 0, "digest: empty built");
    ok(strstr(buf_str(&out), "0 alerts opened:\n- no alert in the last "
                             "24 h across 1 source\n") != NULL,
       "digest: nothing at all is said so too");
    buf_release(&out);
    json_decref(item);
}

static void
test_retry(void)
{
    struct notify_channel ch = channel("webhook");

    ch.retry_ms = 1000;
    ch.max_attempts = 5;
    is(notify_retry_ms(&ch, 1, 0), 500, "retry: half fixed at least");
    is(notify_retry_ms(&ch, 1, 0xffffffffu), 999, "retry: at most the delay");
    is(notify_retry_ms(&ch, 3, 0), 2000, "retry: doubles per attempt");
    is(notify_retry_ms(&ch, 4, 0x80000000u), 6000, "retry: jitter in between");
    is(notify_retry_ms(&ch, 5, 0), -1, "retry: none after max_attempts");
    ch.max_attempts = 100;
    is(notify_retry_ms(&ch, 90, 0xffffffffu) <= NOTIFY_MAX_BACKOFF_MS, 1,
       "retry: capped at 6 h");
}

int
main(void)
{
    test_json();
    test_chat();
    test_email();
    test_syslog();
    test_digest();
    test_retry();
    return done_testing();
}

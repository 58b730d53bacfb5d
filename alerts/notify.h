/*
 * Notifications: the payload of each channel type, built from an outbox
 * item (storage/notify.h: store_notify_lease(), store_notify_digest()),
 * and its delivery: a webhook POST (generic JSON or a Slack/Mattermost
 * {"text": ...}), an e-mail over SMTP (libcurl), an RFC 5424 syslog
 * message over UDP, TCP or the local socket. The builders are pure; only
 * notify_send() does I/O, bounded by the channel's timeout.
 *
 * What a payload carries is an allowlist of the alert's fields (id, kind,
 * severity, score, status, title, summary, next step, audience, source,
 * URL, times, occurrences). Alerts never hold a clear password (the store
 * keeps a keyed hash and a masked hint); no payload adds a password, a
 * cookie or a key of its own, and the channel's SMTP password is read
 * from its file only for the login and never copied into a payload,
 * a log line or an error.
 */
#ifndef DRP_NOTIFY_H
#define DRP_NOTIFY_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"

#define NOTIFY_MAX_PAYLOAD (256u << 10) /* bytes of one message */
#define NOTIFY_MAX_RESPONSE (64u << 10) /* bytes of a webhook's answer */
#define NOTIFY_MAX_PASSWORD 1024        /* bytes of a password file */
#define NOTIFY_MAX_SUBJECT 200          /* bytes of a subject's text */
#define NOTIFY_SYSLOG_MAX 2048          /* bytes of a syslog message (RFC
                                           5424 receivers take 2048) */
#define NOTIFY_MAX_BACKOFF_MS (6L * 3600 * 1000)
/* The SD-ID of drpwatch's structured data (32473: the enterprise number
   RFC 5612 reserves for documentation and examples). */
#define NOTIFY_SD_ID "drpwatch@32473"

/*
 * The item's text for people: the alert or the digest in a few lines,
 * ending with a newline. For digests it says, per kind the channel takes
 * and for which the period had none, "no alert of kind K in the last H h
 * across N sources", and with no kind at all "no alert in the last ...".
 * Returns 0, DRP_EINVAL (an item with neither alert nor digest) or
 * DRP_ETOOBIG (out's cap).
 */
int notify_text(const json_t *item, struct buf *out);

/*
 * A generic webhook's body: {"type": "alert", "notification": ID,
 * "channel": NAME, "reason": R, "alert": {...}} or {"type": "digest",
 * ..., "digest": {...}, "text": ...}, compact JSON in UTF-8.
 */
int notify_json_payload(const struct notify_channel *ch, const json_t *item,
                        struct buf *out);

/*
 * A chat webhook's body, {"text": "..."}: Slack's and Mattermost's
 * incoming-webhook format. '&', '<' and '>' of every value are escaped
 * (&amp; &lt; &gt;) so that no value can make a link or a mention.
 */
int notify_chat_payload(const struct notify_channel *ch, const json_t *item,
                        struct buf *out);

/*
 * An RFC 5322 message for SMTP: Date (now), Message-ID (stable for the
 * notification, so that retries can be recognised), From, To, Subject
 * (RFC 2047 encoded when not ASCII; control characters, CR and LF
 * included, become spaces: no header can be injected), MIME headers and
 * the text, quoted-printable, CRLF line ends. host names the Message-ID's
 * domain when from's domain is unusable. DRP_EINVAL if from or to holds a
 * control character.
 */
int notify_email_message(const struct notify_channel *ch,
                         const json_t *item, time_t now, const char *host,
                         struct buf *out);

/*
 * An RFC 5424 message: <PRI>1 TIMESTAMP HOST drpwatch PID MSGID [SD] MSG
 * (MSGID "alert" or "digest", SD-ID NOTIFY_SD_ID with the alert's id,
 * kind, severity, score, reason, source and the notification's id; MSG
 * a BOM and one line of UTF-8). PRI is the channel's facility and the
 * alert's severity (critical 2, high 3, medium 4, low 5, info and digests
 * 6). At most NOTIFY_SYSLOG_MAX bytes: a longer MSG is cut at a
 * character boundary and ends with "...".
 */
int notify_syslog_message(const struct notify_channel *ch,
                          const json_t *item, long long now_ms,
                          const char *host, int pid, struct buf *out);

/*
 * How long to wait after the attempts-th failed attempt: retry_ms doubled
 * per attempt, at most NOTIFY_MAX_BACKOFF_MS, half of it fixed and half
 * drawn from rnd (uniform over 32 bits: "equal jitter"). -1 when the
 * channel's max_attempts are spent: dead-letter it.
 */
long notify_retry_ms(const struct notify_channel *ch, int attempts,
                     uint32_t rnd);

/*
 * Delivers item on ch within ch->timeout seconds: builds its payload and
 * sends it. Returns 0 when the receiver took it (webhook: a 2xx answer;
 * SMTP: the server accepted the message; syslog: the message was sent),
 * else DRP_ENET, DRP_EHTTP, DRP_EIO (password file), DRP_ETOOBIG or
 * DRP_EINVAL with the reason in err: never a password, never the
 * webhook URL's path (it can hold a token).
 */
int notify_send(const struct notify_channel *ch, const json_t *item,
                struct buf *err);

#endif

/*
 * DNS response parsing for the registration checks: the header, the
 * question, the CNAME chain and the records of one type, the SOA owner.
 * c-ares decompresses names; everything else is bounds-checked here.
 * It does not validate DNSSEC or look at the additional section.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/err.h"
#include "crawler/dnsmsg.h"
#include "common/banned.h"

#define DNS_HEADER_LEN 12
#define DNS_CLASS_IN 1
#define DNS_MSG_MAX 65535 /* the largest message TCP can carry */

struct rr {
    char owner[DNSMSG_NAME_MAX + 1]; /* "" for the root */
    bool owner_long;                 /* longer than the cap: owner "" */
    int type;
    int cls;
    size_t rdata; /* offset of the data in the message */
    size_t rdlen;
};

struct walk {
    const unsigned char *msg;
    size_t len;
    size_t pos;
};

static unsigned
get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static int
bad(struct buf *err, const char *why)
{
    buf_reset(err);
    buf_addf(err, "malformed answer: %s", why);
    return DRP_EINVAL;
}

/*
 * The name at msg[pos], lower case, into out (DNSMSG_NAME_MAX + 1 bytes;
 * "" when it is longer, *long_name set); *used: its bytes at pos.
 */
static int
expand(const unsigned char *msg, size_t len, size_t pos, char *out,
       size_t *used, bool *long_name)
{
    char *s = NULL;
    long enclen = 0;
    size_t n, i;

    *long_name = false;
    if (pos >= len ||
        ares_expand_name(msg + pos, msg, (int)len, &s, &enclen) !=
            ARES_SUCCESS)
        return DRP_EINVAL;
    n = strlen(s);
    if (n > DNSMSG_NAME_MAX) {
        *long_name = true;
        n = 0;
    }
    for (i = 0; i < n; i++)
        out[i] = ascii_lower(s[i]);
    out[n] = '\0';
    ares_free_string(s);
    *used = (size_t)enclen;
    return 0;
}

/* The next resource record of a section. */
static int
next_rr(struct walk *w, struct rr *rr, struct buf *err)
{
    const unsigned char *p;
    size_t used;

    if (expand(w->msg, w->len, w->pos, rr->owner, &used, &rr->owner_long) <
        0)
        return bad(err, "bad owner name");
    w->pos += used;
    if (w->len - w->pos < 10)
        return bad(err, "record header past the end");
    p = w->msg + w->pos;
    rr->type = (int)get16(p);
    rr->cls = (int)get16(p + 2);
    rr->rdlen = get16(p + 8);
    w->pos += 10;
    if (w->len - w->pos < rr->rdlen)
        return bad(err, "record data past the end");
    rr->rdata = w->pos;
    w->pos += rr->rdlen;
    return 0;
}

/* The name in a record's data at offset off (within the record). */
static int
rdata_name(const struct walk *w, const struct rr *rr, size_t off, char *out,
           bool *long_name, struct buf *err)
{
    size_t used;

    if (off >= rr->rdlen ||
        expand(w->msg, w->len, rr->rdata + off, out, &used, long_name) < 0 ||
        used > rr->rdlen - off)
        return bad(err, "bad name in record data");
    return 0;
}

/*
 * Inserts v into the sorted out->values. When they are full, the largest
 * one goes (and is counted): the kept set does not depend on the order
 * of the records, which servers shuffle.
 */
static void
keep_value(struct dnsmsg *out, const char *v)
{
    size_t i = out->nvalues;

    if (i == DNSMSG_MAX_VALUES) {
        out->values_more++;
        if (strcmp(v, out->values[i - 1]) >= 0)
            return;
        i--;
    } else {
        out->nvalues++;
    }
    for (; i > 0 && strcmp(v, out->values[i - 1]) < 0; i--)
        memcpy(out->values[i], out->values[i - 1], sizeof(out->values[i]));
    memcpy(out->values[i], v, sizeof(out->values[i]));
}

/* Adds rr (of the asked type) to out->values in text form. */
static int
add_value(const struct walk *w, const struct rr *rr, struct dnsmsg *out,
          struct buf *err)
{
    char name[DNSMSG_NAME_MAX + 1], v[DNSMSG_VALUE_MAX + 1];
    bool long_name = false;
    unsigned pref = 0;

    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
        if (rr->rdlen != (rr->type == DNS_T_A ? 4u : 16u))
            return bad(err, rr->type == DNS_T_A
                                ? "A record not 4 bytes long"
                                : "AAAA record not 16 bytes long");
        break;
    case DNS_T_NS:
    case DNS_T_CNAME:
        if (rdata_name(w, rr, 0, name, &long_name, err) < 0)
            return DRP_EINVAL;
        break;
    case DNS_T_MX:
        if (rr->rdlen < 3)
            return bad(err, "MX record too short");
        pref = get16(w->msg + rr->rdata);
        if (rdata_name(w, rr, 2, name, &long_name, err) < 0)
            return DRP_EINVAL;
        break;
    default:
        return 0;
    }
    if (long_name) {
        out->values_more++;
        return 0;
    }
    if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA)
        inet_ntop(rr->type == DNS_T_A ? AF_INET : AF_INET6,
                  w->msg + rr->rdata, v, sizeof(v));
    else if (rr->type == DNS_T_MX)
        snprintf(v, sizeof(v), "%u %s", pref, name);
    else
        snprintf(v, sizeof(v), "%s", name);
    keep_value(out, v);
    return 0;
}

static bool
in_chain(const struct dnsmsg *out, const char *name)
{
    size_t i;

    if (!strcmp(name, out->qname))
        return true;
    for (i = 0; i < out->nchain; i++)
        if (!strcmp(name, out->chain[i]))
            return true;
    return false;
}

/*
 * Follows the CNAME records of the answer section from qname into
 * out->chain; *cur ends at the chain's last name.
 */
static int
follow_chain(const struct walk *sec, struct dnsmsg *out, const char **cur,
             struct buf *err)
{
    for (;;) {
        struct walk w = *sec;
        struct rr rr;
        char target[DNSMSG_NAME_MAX + 1];
        bool found = false, long_name = false;

        while (w.pos < w.len) {
            if (next_rr(&w, &rr, err) < 0)
                return DRP_EINVAL;
            if (rr.type == DNS_T_CNAME && rr.cls == DNS_CLASS_IN &&
                !rr.owner_long && !strcmp(rr.owner, *cur)) {
                found = true;
                break;
            }
        }
        if (!found)
            return 0;
        if (rdata_name(&w, &rr, 0, target, &long_name, err) < 0)
            return DRP_EINVAL;
        if (long_name || in_chain(out, target) ||
            out->nchain == DNSMSG_MAX_CHAIN) {
            out->chain_cut = true;
            return 0;
        }
        memcpy(out->chain[out->nchain], target, sizeof(target));
        *cur = out->chain[out->nchain++];
    }
}

/* Adds the records of type qtype owned by owner in the section to out. */
static int
collect(const struct walk *sec, int qtype, const char *owner,
        struct dnsmsg *out, struct buf *err)
{
    struct walk w = *sec;
    struct rr rr;

    while (w.pos < w.len) {
        if (next_rr(&w, &rr, err) < 0)
            return DRP_EINVAL;
        if (rr.type == qtype && rr.cls == DNS_CLASS_IN && !rr.owner_long &&
            !strcmp(rr.owner, owner) && add_value(&w, &rr, out, err) < 0)
            return DRP_EINVAL;
    }
    return 0;
}

/* Walks count records from w->pos; the section is [w->pos, end). */
static int
skip_records(struct walk *w, unsigned count, struct buf *err)
{
    struct rr rr;

    while (count-- > 0)
        if (next_rr(w, &rr, err) < 0)
            return DRP_EINVAL;
    return 0;
}

int
dnsmsg_parse(const unsigned char *msg, size_t len, int qtype,
             struct dnsmsg *out, struct buf *err)
{
    struct walk w = { msg, len, DNS_HEADER_LEN };
    struct walk answer, authority;
    unsigned qdcount, ancount, nscount, i;
    const char *cur;
    char qname[DNSMSG_NAME_MAX + 1];
    size_t used;
    bool long_name;

    memset(out, 0, sizeof(*out));
    if (len > DNS_MSG_MAX)
        return bad(err, "longer than 65535 bytes");
    if (len < DNS_HEADER_LEN)
        return bad(err, "shorter than a header");
    out->aa = (msg[2] & 0x04) != 0;
    out->rcode = msg[3] & 0x0f;
    qdcount = get16(msg + 4);
    ancount = get16(msg + 6);
    nscount = get16(msg + 8);
    if (qdcount == 0)
        return bad(err, "no question");
    for (i = 0; i < qdcount; i++) {
        if (expand(msg, len, w.pos, qname, &used, &long_name) < 0)
            return bad(err, "bad question name");
        if (i == 0 && long_name)
            return bad(err, "question name too long");
        if (i == 0)
            memcpy(out->qname, qname, sizeof(qname));
        w.pos += used;
        if (len - w.pos < 4)
            return bad(err, "question past the end");
        w.pos += 4;
    }
    answer = w;
    if (skip_records(&w, ancount, err) < 0)
        return DRP_EINVAL;
    answer.len = w.pos;
    authority = w;
    if (skip_records(&w, nscount, err) < 0)
        return DRP_EINVAL;
    authority.len = w.pos;

    cur = out->qname;
    if (follow_chain(&answer, out, &cur, err) < 0 ||
        collect(&answer, qtype, cur, out, err) < 0)
        return DRP_EINVAL;
    if (qtype == DNS_T_NS && out->nvalues == 0 && out->values_more == 0 &&
        collect(&authority, DNS_T_NS, cur, out, err) < 0)
        return DRP_EINVAL;
    w = authority;
    while (w.pos < w.len) {
        struct rr rr;

        if (next_rr(&w, &rr, err) < 0)
            return DRP_EINVAL;
        if (rr.type == DNS_T_SOA && rr.cls == DNS_CLASS_IN &&
            !rr.owner_long) {
            /* The root zone's owner is "": keep it as ".". */
            snprintf(out->zone, sizeof(out->zone), "%s",
                     rr.owner[0] ? rr.owner : ".");
            break;
        }
    }
    return 0;
}

const char *
dns_type_name(int type)
{
    switch (type) {
    case DNS_T_A: return "A";
    case DNS_T_NS: return "NS";
    case DNS_T_CNAME: return "CNAME";
    case DNS_T_SOA: return "SOA";
    case DNS_T_MX: return "MX";
    case DNS_T_AAAA: return "AAAA";
    }
    return "?";
}

/*
 * crawler/dnsmsg.c on messages built here byte by byte: answers, CNAME
 * chains (compressed names, loops, overlong), NXDOMAIN with its SOA, a
 * referral, the cap on values, other classes, and malformed messages.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "crawler/dnsmsg.h"
#include "tests/tap.h"

struct msg {
    unsigned char b[4096];
    size_t n;
    size_t qname; /* offset of the question's name, for pointers */
};

static void
put16(struct msg *m, unsigned v)
{
    m->b[m->n++] = (unsigned char)(v >> 8);
    m->b[m->n++] = (unsigned char)v;
}

/* A name in labels; "" is the root. */
static void
put_name(struct msg *m, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);

        m->b[m->n++] = (unsigned char)len;
        memcpy(m->b + m->n, name, len);
        m->n += len;
        name += len + (dot != NULL);
    }
    m->b[m->n++] = 0;
}

static void
put_ptr(struct msg *m, size_t off)
{
    put16(m, 0xc000 | (unsigned)off);
}

/* Header and question; the counts of answer and authority records. */
static void
start(struct msg *m, int rcode, const char *qname, int qtype, unsigned an,
      unsigned ns)
{
    memset(m, 0, sizeof(*m));
    put16(m, 0x1234);
    put16(m, 0x8180 | (unsigned)rcode); /* QR RD RA */
    put16(m, 1);
    put16(m, an);
    put16(m, ns);
    put16(m, 0);
    m->qname = m->n;
    put_name(m, qname);
    put16(m, (unsigned)qtype);
    put16(m, 1);
}

/* A record's fixed part after its owner: type, class, TTL, length. */
static void
rr_head(struct msg *m, int type, unsigned cls, unsigned rdlen)
{
    put16(m, (unsigned)type);
    put16(m, cls);
    put16(m, 0);
    put16(m, 60);
    put16(m, rdlen);
}

static void
rr_a(struct msg *m, const char *owner, unsigned char last)
{
    put_name(m, owner);
    rr_head(m, DNS_T_A, 1, 4);
    m->b[m->n++] = 192;
    m->b[m->n++] = 0;
    m->b[m->n++] = 2;
    m->b[m->n++] = last;
}

/* A record whose data is one name (NS, CNAME); owner by pointer when
   owner_ptr is not 0. */
static void
rr_name(struct msg *m, const char *owner, size_t owner_ptr, int type,
        const char *target)
{
    size_t len_at;

    if (owner_ptr)
        put_ptr(m, owner_ptr);
    else
        put_name(m, owner);
    rr_head(m, type, 1, 0);
    len_at = m->n - 2;
    put_name(m, target);
    m->b[len_at] = (unsigned char)((m->n - len_at - 2) >> 8);
    m->b[len_at + 1] = (unsigned char)(m->n - len_at - 2);
}

static void
rr_soa(struct msg *m, const char *owner)
{
    size_t len_at;

    put_name(m, owner);
    rr_head(m, DNS_T_SOA, 1, 0);
    len_at = m->n - 2;
    put_name(m, "ns.example");
    put_name(m, "hostmaster.example");
    memset(m->b + m->n, 0, 20);
    m->n += 20;
    m->b[len_at + 1] = (unsigned char)(m->n - len_at - 2);
}

static int
parse(const struct msg *m, int qtype, struct dnsmsg *out, struct buf *err)
{
    return dnsmsg_parse(m->b, m->n, qtype, out, err);
}

static void
test_answers(void)
{
    static struct dnsmsg d;
    struct buf err = BUF_INIT(1024);
    struct msg m;
    size_t len_at;

    start(&m, 0, "WWW.Example.COM", DNS_T_A, 3, 0);
    rr_a(&m, "www.example.com", 9);
    rr_a(&m, "www.example.com", 10);
    rr_a(&m, "other.example.com", 11); /* not ours */
    is(parse(&m, DNS_T_A, &d, &err), 0, "an A answer parses");
    is(d.rcode, DNS_RCODE_NOERROR, "rcode NOERROR");
    is_str(d.qname, "www.example.com", "the question's name, lower case");
    is(d.nvalues, 2, "the records of the name only");
    is_str(d.values[0], "192.0.2.10", "sorted as strings: .10 first");
    is_str(d.values[1], "192.0.2.9", "then .9");
    is(d.nchain, 0, "no chain");

    start(&m, 0, "mail.example", DNS_T_MX, 1, 0);
    put_ptr(&m, m.qname);
    rr_head(&m, DNS_T_MX, 1, 0);
    len_at = m.n - 2;
    put16(&m, 10);
    put_name(&m, "MX1");
    m.n--; /* "mx1" then a pointer to the question's name */
    put_ptr(&m, m.qname);
    m.b[len_at + 1] = (unsigned char)(m.n - len_at - 2);
    is(parse(&m, DNS_T_MX, &d, &err), 0, "an MX answer with pointers parses");
    is_str(d.values[0], "10 mx1.mail.example", "MX as 'PREF name'");

    start(&m, 0, "x.example", DNS_T_AAAA, 1, 0);
    put_name(&m, "x.example");
    rr_head(&m, DNS_T_AAAA, 1, 16);
    memset(m.b + m.n, 0, 16);
    m.b[m.n] = 0x20;
    m.b[m.n + 1] = 0x01;
    m.b[m.n + 2] = 0x0d;
    m.b[m.n + 3] = 0xb8;
    m.b[m.n + 15] = 1;
    m.n += 16;
    is(parse(&m, DNS_T_AAAA, &d, &err), 0, "an AAAA answer parses");
    is_str(d.values[0], "2001:db8::1", "AAAA in its short form");

    start(&m, 0, "x.example", DNS_T_A, 2, 0);
    put_name(&m, "x.example");
    rr_head(&m, DNS_T_A, 3 /* CH */, 4);
    memset(m.b + m.n, 1, 4);
    m.n += 4;
    rr_a(&m, "x.example", 1);
    is(parse(&m, DNS_T_A, &d, &err), 0, "a record of class CH is skipped");
    is(d.nvalues, 1, "only the IN one is kept");
    buf_release(&err);
}

static void
test_chains(void)
{
    static struct dnsmsg d;
    struct buf err = BUF_INIT(1024);
    struct msg m;
    size_t i;
    char a[32], b[32];

    /* Records in any order; owners by pointer to the question. */
    start(&m, 0, "login.brand.example", DNS_T_A, 3, 0);
    rr_a(&m, "edge.cdn.example", 7);
    rr_name(&m, NULL, m.qname, DNS_T_CNAME, "Brand.CDN.example");
    rr_name(&m, "brand.cdn.example", 0, DNS_T_CNAME, "edge.cdn.example");
    is(parse(&m, DNS_T_A, &d, &err), 0, "a CNAME chain parses");
    is(d.nchain, 2, "two hops");
    is_str(d.chain[0], "brand.cdn.example", "the first target, lower case");
    is_str(d.chain[1], "edge.cdn.example", "the second");
    is(d.nvalues, 1, "the address at the chain's end");
    ok(!d.chain_cut, "the chain is whole");

    start(&m, 0, "a.example", DNS_T_A, 2, 0);
    rr_name(&m, "a.example", 0, DNS_T_CNAME, "b.example");
    rr_name(&m, "b.example", 0, DNS_T_CNAME, "a.example");
    is(parse(&m, DNS_T_A, &d, &err), 0, "a CNAME loop parses");
    ok(d.chain_cut && d.nchain == 1, "the loop is cut after one hop");

    start(&m, 0, "c0.example", DNS_T_A, DNSMSG_MAX_CHAIN + 2, 0);
    for (i = 0; i < DNSMSG_MAX_CHAIN + 2; i++) {
        snprintf(a, sizeof(a), "c%zu.example", i);
        snprintf(b, sizeof(b), "c%zu.example", i + 1);
        rr_name(&m, a, 0, DNS_T_CNAME, b);
    }
    is(parse(&m, DNS_T_A, &d, &err), 0, "a long chain parses");
    ok(d.chain_cut && d.nchain == DNSMSG_MAX_CHAIN,
       "it is cut at %d hops", DNSMSG_MAX_CHAIN);

    start(&m, DNS_RCODE_NXDOMAIN, "dangling.example", DNS_T_A, 1, 1);
    rr_name(&m, "dangling.example", 0, DNS_T_CNAME, "gone.example");
    rr_soa(&m, "example");
    is(parse(&m, DNS_T_A, &d, &err), 0, "NXDOMAIN after a CNAME parses");
    ok(d.rcode == DNS_RCODE_NXDOMAIN && d.nchain == 1,
       "the rcode is the target's, the chain is kept");
    is_str(d.zone, "example", "the SOA's owner is the zone");
    buf_release(&err);
}

static void
test_negative(void)
{
    static struct dnsmsg d;
    struct buf err = BUF_INIT(1024);
    struct msg m;

    start(&m, DNS_RCODE_NXDOMAIN, "free.example", DNS_T_NS, 0, 1);
    rr_soa(&m, "Example");
    is(parse(&m, DNS_T_NS, &d, &err), 0, "NXDOMAIN parses");
    is(d.rcode, DNS_RCODE_NXDOMAIN, "rcode NXDOMAIN");
    is_str(d.zone, "example", "the denying zone");
    is(d.nvalues, 0, "no values");

    start(&m, DNS_RCODE_NXDOMAIN, "nosuchtld", DNS_T_NS, 0, 1);
    rr_soa(&m, "");
    is(parse(&m, DNS_T_NS, &d, &err), 0, "NXDOMAIN from the root parses");
    is_str(d.zone, ".", "the root zone is '.'");

    /* An authoritative server's referral: NS in the authority section. */
    start(&m, 0, "child.example", DNS_T_NS, 0, 3);
    rr_name(&m, "child.example", 0, DNS_T_NS, "ns2.child.example");
    rr_name(&m, "child.example", 0, DNS_T_NS, "ns1.child.example");
    rr_name(&m, "example", 0, DNS_T_NS, "ns.example");
    is(parse(&m, DNS_T_NS, &d, &err), 0, "a referral parses");
    ok(d.nvalues == 2 && !strcmp(d.values[0], "ns1.child.example"),
       "its NS records for the name are the values");
    is(d.zone[0], '\0', "no SOA, no zone");

    start(&m, 2, "broken.example", DNS_T_NS, 0, 0);
    is(parse(&m, DNS_T_NS, &d, &err), 0, "SERVFAIL parses");
    is(d.rcode, DNS_RCODE_SERVFAIL, "with its rcode");
    buf_release(&err);
}

static void
test_caps(void)
{
    static struct dnsmsg d;
    struct buf err = BUF_INIT(1024);
    struct msg m;
    char label[64], longname[4 * 64];
    int i;

    start(&m, 0, "many.example", DNS_T_A, 20, 0);
    for (i = 20; i > 0; i--)
        rr_a(&m, "many.example", (unsigned char)(100 + i));
    is(parse(&m, DNS_T_A, &d, &err), 0, "20 A records parse");
    is(d.nvalues, DNSMSG_MAX_VALUES, "%d are kept", DNSMSG_MAX_VALUES);
    is(d.values_more, 4, "4 are counted");
    is_str(d.values[0], "192.0.2.101", "the smallest kept first");
    is_str(d.values[15], "192.0.2.116", "the largest ones left out");

    /* A target name of 4 x 63 + 3 = 255 bytes: too long to keep. */
    memset(label, 'a', 63);
    label[63] = '\0';
    start(&m, 0, "long.example", DNS_T_NS, 1, 0);
    snprintf(longname, sizeof(longname), "%s.%s.%s.%s", label, label, label,
             label);
    rr_name(&m, "long.example", 0, DNS_T_NS, longname);
    is(parse(&m, DNS_T_NS, &d, &err), 0, "an overlong NS name parses");
    ok(d.nvalues == 0 && d.values_more == 1, "it is counted, not kept");
    buf_release(&err);
}

static void
test_malformed(void)
{
    static struct dnsmsg d;
    struct buf err = BUF_INIT(1024);
    struct msg m;
    size_t full;

    start(&m, 0, "x.example", DNS_T_A, 1, 0);
    rr_a(&m, "x.example", 1);
    full = m.n;
    is(dnsmsg_parse(m.b, 11, DNS_T_A, &d, &err), DRP_EINVAL,
       "a message shorter than a header is refused");
    is_str(buf_str(&err), "malformed answer: shorter than a header",
           "and said so");
    is(dnsmsg_parse(m.b, full - 1, DNS_T_A, &d, &err), DRP_EINVAL,
       "a record cut short is refused");
    is_str(buf_str(&err), "malformed answer: record data past the end",
           "and said so");
    is(dnsmsg_parse(m.b, full - 12, DNS_T_A, &d, &err), DRP_EINVAL,
       "a record header cut short is refused");

    m.b[full - 5] = 5; /* rdlength 5 */
    m.b[m.n++] = 0;
    is(parse(&m, DNS_T_A, &d, &err), DRP_EINVAL, "an A of 5 bytes is refused");
    is_str(buf_str(&err), "malformed answer: A record not 4 bytes long",
           "and said so");

    start(&m, 0, "x.example", DNS_T_A, 1, 0);
    put_ptr(&m, m.n); /* a pointer to itself */
    rr_head(&m, DNS_T_A, 1, 4);
    m.n += 4;
    is(parse(&m, DNS_T_A, &d, &err), DRP_EINVAL,
       "a compression loop is refused");

    start(&m, 0, "x.example", DNS_T_A, 0, 0);
    m.b[5] = 0; /* no question */
    is(parse(&m, DNS_T_A, &d, &err), DRP_EINVAL, "no question is refused");

    start(&m, 0, "x.example", DNS_T_A, 5, 0); /* 5 announced, none there */
    is(parse(&m, DNS_T_A, &d, &err), DRP_EINVAL,
       "records announced but missing are refused");
    buf_release(&err);
}

int
main(void)
{
    test_answers();
    test_chains();
    test_negative();
    test_caps();
    test_malformed();
    return done_testing();
}

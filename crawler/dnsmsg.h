/*
 * What one DNS response says about the name it asked: the response code,
 * the CNAME chain from that name, the records of the asked type at the
 * chain's end, and the zone whose SOA came with a negative answer. Pure:
 * no I/O; names are decompressed by c-ares (ares_expand_name), the rest
 * of the message is walked here with every length checked.
 */
#ifndef DRP_DNSMSG_H
#define DRP_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

enum {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_MX = 15,
    DNS_T_AAAA = 28,
};

enum {
    DNS_RCODE_NOERROR = 0,
    DNS_RCODE_FORMERR = 1,
    DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3,
    DNS_RCODE_NOTIMP = 4,
    DNS_RCODE_REFUSED = 5,
};

#define DNSMSG_NAME_MAX 253   /* a name in text form, no final dot */
#define DNSMSG_VALUE_MAX (6 + DNSMSG_NAME_MAX) /* "65535 name" for MX */
#define DNSMSG_MAX_VALUES 16  /* records kept; the others are counted */
#define DNSMSG_MAX_CHAIN 16   /* CNAME hops followed */

struct dnsmsg {
    int rcode;                 /* DNS_RCODE_* (or another code) */
    bool aa;                   /* the authoritative-answer flag */
    char qname[DNSMSG_NAME_MAX + 1];  /* lower case, no final dot */
    /* CNAME targets from qname on, in order. chain_cut: the chain went
       on past DNSMSG_MAX_CHAIN hops or came back to a name in it. */
    char chain[DNSMSG_MAX_CHAIN][DNSMSG_NAME_MAX + 1];
    size_t nchain;
    bool chain_cut;
    /* Records of the asked type owned by the chain's end (by qname when
       there is no chain), in text form: "192.0.2.1", "2001:db8::1",
       "ns1.example.net", "10 mx.example.net"; names lower case; sorted
       (strcmp), the smallest DNSMSG_MAX_VALUES kept. For NS,
       also a referral's NS records (an authoritative server's answer
       with the NS set in the authority section). values_more counts
       those past DNSMSG_MAX_VALUES and those whose name is longer than
       DNSMSG_NAME_MAX (kept nowhere, but never silently lost). */
    char values[DNSMSG_MAX_VALUES][DNSMSG_VALUE_MAX + 1];
    size_t nvalues;
    size_t values_more;
    /* Owner of the SOA record in the authority section (the zone that
       answered a negative answer), "" when there is none. */
    char zone[DNSMSG_NAME_MAX + 1];
};

/*
 * Parses the response msg[0..len) to a query of type qtype (DNS_T_*)
 * into out. Returns 0, or DRP_EINVAL with "malformed answer: why" in err
 * (a truncated message, a bad name, a record running past the end, an A
 * or AAAA record of the wrong length, no question). Records of other
 * classes than IN are skipped.
 */
int dnsmsg_parse(const unsigned char *msg, size_t len, int qtype,
                 struct dnsmsg *out, struct buf *err);

/* "A", "AAAA", "NS", "MX", "CNAME", "SOA"; "?" for other types. */
const char *dns_type_name(int type);

#endif

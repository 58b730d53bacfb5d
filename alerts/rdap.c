/*
 * RDAP bootstrap lookups and answer parsing with jansson. Reads only what
 * a takedown request needs (registrar, network, abuse contacts, dates,
 * statuses, name servers); every value is capped and checked before it
 * can reach a request text. No I/O.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "alerts/rdap.h"
#include "common/ascii.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "common/banned.h"

const char *const rdap_types[] = { "application/rdap+json",
                                   "application/json", NULL };

/* One bootstrap entry: a domain suffix or an address prefix. */
struct service {
    int family;              /* 0: domain, AF_INET, AF_INET6 */
    char *suffix;            /* domain entries: lowercase */
    unsigned char addr[16];  /* address entries */
    int bits;
    char *url;               /* base URL, ending with '/' */
};

struct rdap_bootstrap {
    struct service *v;
    size_t n;
};

struct rdap_bootstrap *
rdap_bootstrap_new(void)
{
    return xcalloc(1, sizeof(struct rdap_bootstrap));
}

void
rdap_bootstrap_free(struct rdap_bootstrap *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n; i++) {
        free(b->v[i].suffix);
        free(b->v[i].url);
    }
    free(b->v);
    free(b);
}

size_t
rdap_bootstrap_count(const struct rdap_bootstrap *b)
{
    return b ? b->n : 0;
}

/* Letters, digits, '-', '_' and '.', not starting or ending with '.'. */
static bool
ldh_name(const char *s, size_t max)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > max || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (i = 0; i < n; i++)
        if (!ascii_isalnum((unsigned char)s[i]) && s[i] != '-' &&
            s[i] != '_' && s[i] != '.')
            return false;
    return strstr(s, "..") == NULL;
}

/* "192.0.2.0/24", "2001:db8::/32" into an entry; false if neither. */
static bool
parse_prefix(const char *s, struct service *e)
{
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    size_t n;
    char *end;
    long bits;

    if (slash == NULL || (n = (size_t)(slash - s)) == 0 ||
        n >= sizeof(addr) || !ascii_isdigit((unsigned char)slash[1]))
        return false;
    memcpy(addr, s, n);
    addr[n] = '\0';
    e->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(e->family, addr, e->addr) != 1)
        return false;
    bits = strtol(slash + 1, &end, 10);
    if (*end != '\0' || bits < 0 || bits > (e->family == AF_INET ? 32 : 128))
        return false;
    e->bits = (int)bits;
    return true;
}

/* "1-1876": an asn.json entry. */
static bool
asn_range(const char *s)
{
    size_t i, dash = 0;

    for (i = 0; s[i]; i++) {
        if (s[i] == '-' && i > 0 && dash == 0)
            dash = i;
        else if (!ascii_isdigit((unsigned char)s[i]))
            return false;
    }
    return dash > 0 && s[dash + 1] != '\0';
}

/* A service's URL: its first https one, else its first http one, with a
   final '/'. NULL when it has neither or one is too long. */
static char *
pick_url(json_t *urls)
{
    const char *best = NULL;
    size_t i;
    json_t *u;

    json_array_foreach(urls, i, u) {
        const char *s = json_string_value(u);

        if (s == NULL || strlen(s) > RDAP_MAX_URL || strchr(s, '?') ||
            strchr(s, '#'))
            continue;
        if (strncmp(s, "https://", 8) == 0 && s[8] != '\0') {
            best = s;
            break;
        }
        if (best == NULL && strncmp(s, "http://", 7) == 0 && s[7] != '\0')
            best = s;
    }
    if (best == NULL)
        return NULL;
    return xasprintf("%s%s", best, best[strlen(best) - 1] == '/' ? "" : "/");
}

static int
bad_file(struct buf *err, const char *name, const char *why)
{
    buf_reset(err);
    buf_addf(err, "%s: not an RDAP bootstrap file (IANA's dns.json, "
                  "ipv4.json or ipv6.json): %s", name, why);
    return DRP_EINVAL;
}

int
rdap_bootstrap_add(struct rdap_bootstrap *b, const char *name,
                   const char *text, size_t len, struct buf *err)
{
    json_error_t je;
    json_t *root, *services, *svc;
    size_t i, added = 0, others = 0;
    int rc = 0;

    if (len > RDAP_MAX_BOOTSTRAP) {
        buf_reset(err);
        buf_addf(err, "%s: larger than %u bytes", name, RDAP_MAX_BOOTSTRAP);
        return DRP_ETOOBIG;
    }
    root = json_loadb(text, len, 0, &je);
    if (root == NULL) {
        buf_reset(err);
        buf_addf(err, "%s:%d:%d: not JSON: %s", name, je.line, je.column,
                 je.text);
        return DRP_EINVAL;
    }
    services = json_object_get(root, "services");
    if (!json_is_array(services)) {
        rc = bad_file(err, name, "no 'services' list");
        goto out;
    }
    json_array_foreach(services, i, svc) {
        json_t *keys = json_array_get(svc, 0);
        json_t *urls = json_array_get(svc, 1);
        json_t *k;
        char *url;
        size_t j;

        /* [[entries], [urls]]; object tags (RFC 8521) have three lists:
           not ours. */
        if (json_array_size(svc) != 2 || !json_is_array(keys) ||
            !json_is_array(urls)) {
            if (json_array_size(svc) == 3) {
                others++;
                continue;
            }
            rc = bad_file(err, name, "a service is not [[entries], [URLs]]");
            goto out;
        }
        url = pick_url(urls);
        if (url == NULL)
            continue; /* no usable URL: as if not listed */
        json_array_foreach(keys, j, k) {
            const char *s = json_string_value(k);
            struct service e = { 0 };
            char *c;

            if (s != NULL && asn_range(s))
                others++;
            if (s == NULL || asn_range(s))
                continue;
            if (strchr(s, '/')) {
                if (!parse_prefix(s, &e))
                    continue;
            } else if (ldh_name(s, 253)) {
                e.suffix = xstrdup(s);
                for (c = e.suffix; *c; c++)
                    *c = ascii_lower(*c);
            } else {
                continue;
            }
            if (b->n >= RDAP_MAX_SERVICES) {
                free(e.suffix);
                free(url);
                buf_reset(err);
                buf_addf(err, "%s: more than %d bootstrap entries in all",
                         name, RDAP_MAX_SERVICES);
                rc = DRP_ETOOBIG;
                goto out;
            }
            e.url = xstrdup(url);
            b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
            b->v[b->n++] = e;
            added++;
        }
        free(url);
    }
    if (added == 0 && others == 0)
        rc = bad_file(err, name, "no domain or address entry with an "
                                 "http(s) URL");
out:
    json_decref(root);
    return rc;
}

/* Whether addr (bytes of its family) is inside prefix e. */
static bool
in_prefix(const unsigned char *addr, const struct service *e)
{
    int full = e->bits / 8, rest = e->bits % 8;

    if (memcmp(addr, e->addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((addr[full] ^ e->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

static const char *
server_for_ip(const struct rdap_bootstrap *b, int family,
              const unsigned char *addr)
{
    const struct service *best = NULL;
    size_t i;

    for (i = 0; b && i < b->n; i++)
        if (b->v[i].family == family && in_prefix(addr, &b->v[i]) &&
            (best == NULL || b->v[i].bits > best->bits))
            best = &b->v[i];
    return best ? best->url : NULL;
}

/* RFC 9224 section 4: the longest matching run of labels wins. */
static const char *
server_for_domain(const struct rdap_bootstrap *b, const char *domain)
{
    const char *s = domain;
    size_t i;

    while (s) {
        for (i = 0; b && i < b->n; i++)
            if (b->v[i].family == 0 && !strcmp(b->v[i].suffix, s))
                return b->v[i].url;
        s = strchr(s, '.');
        if (s)
            s++;
    }
    return NULL;
}

char *
rdap_lookup_url(const struct rdap_bootstrap *b, const char *override,
                bool ip, const char *name, struct buf *err)
{
    unsigned char addr[16];
    char text[INET6_ADDRSTRLEN];
    const char *base = override;
    int family = 0;
    size_t n;

    buf_reset(err);
    if (ip) {
        family = strchr(name, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, name, addr) != 1) {
            buf_addf(err, "'%.64s' is not an IP address", name);
            return NULL;
        }
        inet_ntop(family, addr, text, sizeof(text));
        name = text;
    } else if (!ldh_name(name, 253)) {
        buf_addf(err, "'%.64s' is not a domain name in A-labels", name);
        return NULL;
    }
    if (base == NULL && rdap_bootstrap_count(b) == 0) {
        buf_addf(err, "no RDAP server configured: set rdap.bootstrap (IANA's "
                      "dns.json, ipv4.json, ipv6.json) or rdap.%s in "
                      "drpwatch.yaml",
                 ip ? "ip" : "domain");
        return NULL;
    }
    if (base == NULL && ip)
        base = server_for_ip(b, family, addr);
    else if (base == NULL)
        base = server_for_domain(b, name);
    if (base == NULL) {
        if (ip)
            buf_addf(err, "no RDAP server for %s in the bootstrap (no %s "
                          "entry covers it; add it or set rdap.ip)",
                     name, family == AF_INET ? "ipv4.json" : "ipv6.json");
        else
            buf_addf(err, "no RDAP server for .%s in the bootstrap (add "
                          "IANA's dns.json or set rdap.domain)",
                     strrchr(name, '.') ? strrchr(name, '.') + 1 : name);
        return NULL;
    }
    n = strlen(base);
    return xasprintf("%s%s%s/%s", base, n && base[n - 1] == '/' ? "" : "/",
                     ip ? "ip" : "domain", name);
}

char *
rdap_registrable(const char *host)
{
    unsigned char addr[16];
    const char *reg;
    size_t n = strlen(host);
    char *low, *c;

    if (n == 0 || n > 253 || inet_pton(AF_INET, host, addr) == 1 ||
        inet_pton(AF_INET6, host, addr) == 1 || strchr(host, '.') == NULL)
        return NULL;
    if (n > 6 && !strcmp(host + n - 6, ".onion"))
        return NULL;
    low = xstrdup(host);
    for (c = low; *c; c++)
        *c = ascii_lower(*c);
    if (!ldh_name(low, 253)) {
        free(low);
        return NULL;
    }
    reg = psl_registrable_domain(psl_builtin(), low);
    c = reg ? xstrdup(reg) : NULL;
    free(low);
    return c;
}

/* ---- answers ---- */

struct reader {
    json_t *warnings;
    int entities; /* read so far, capped at RDAP_MAX_ENTITIES */
};

static void
warn(struct reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct reader *rd, const char *fmt, ...)
{
    va_list ap;
    char msg[256];

    if (json_array_size(rd->warnings) >= RDAP_MAX_LIST)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(rd->warnings, json_string(msg));
}

/*
 * A value fit for a request text: at most RDAP_MAX_FIELD bytes, no
 * control character (a line break in a name could forge a header of the
 * e-mail it is pasted into). NULL, with a warning, otherwise.
 */
static const char *
clean(struct reader *rd, const char *s, const char *what)
{
    const unsigned char *p;

    if (s == NULL || *s == '\0')
        return NULL;
    if (strlen(s) > RDAP_MAX_FIELD) {
        warn(rd, "%s left out: longer than %d bytes", what, RDAP_MAX_FIELD);
        return NULL;
    }
    for (p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            warn(rd, "%s left out: control characters", what);
            return NULL;
        }
    return s;
}

static void
put(struct reader *rd, json_t *o, const char *key, const char *s,
    const char *what)
{
    s = clean(rd, s, what);
    if (s)
        json_object_set_new(o, key, json_string(s));
}

/* "a@b.example" and nothing else: one '@', no blank, no '<', '>' or ','
   (one address, not a list a mail client would expand). */
static bool
plain_email(const char *s)
{
    const char *at = strchr(s, '@');

    return at && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strpbrk(s, " <>,;:\"()[]\\") == NULL;
}

/* The text value of vCard property name ("fn", "email", "tel", "org"):
   the first one that is a string. */
static const char *
vcard_value(json_t *entity, const char *name)
{
    json_t *card = json_array_get(json_object_get(entity, "vcardArray"), 1);
    json_t *prop;
    size_t i;

    json_array_foreach(card, i, prop) {
        const char *pname = json_string_value(json_array_get(prop, 0));
        json_t *v = json_array_get(prop, 3);

        if (pname == NULL || strcasecmp(pname, name) != 0)
            continue;
        /* org may be structured: ["Org", "Unit"] */
        if (json_is_array(v))
            v = json_array_get(v, 0);
        if (json_is_string(v) && json_string_length(v) > 0)
            return json_string_value(v);
    }
    return NULL;
}

/* A contact from an entity: name, e-mail, phone. */
static json_t *
contact(struct reader *rd, json_t *entity, const char *who)
{
    json_t *c = json_object();
    const char *name = vcard_value(entity, "fn");
    const char *email = vcard_value(entity, "email");
    const char *tel = vcard_value(entity, "tel");
    char what[64];

    if (name == NULL)
        name = vcard_value(entity, "org");
    snprintf(what, sizeof(what), "%s name", who);
    put(rd, c, "name", name, what);
    if (email && strncasecmp(email, "mailto:", 7) == 0)
        email += 7;
    snprintf(what, sizeof(what), "%s e-mail", who);
    if (clean(rd, email, what)) {
        if (plain_email(email))
            json_object_set_new(c, "email", json_string(email));
        else
            warn(rd, "%s left out: not one plain address", what);
    }
    if (tel && strncasecmp(tel, "tel:", 4) == 0)
        tel += 4;
    snprintf(what, sizeof(what), "%s phone", who);
    put(rd, c, "phone", tel, what);
    return c;
}

static bool
has_role(json_t *entity, const char *role)
{
    json_t *r;
    size_t i;

    json_array_foreach(json_object_get(entity, "roles"), i, r)
        if (json_is_string(r) && !strcasecmp(json_string_value(r), role))
            return true;
    return false;
}

/*
 * The first entity with role at nesting depth want (0: the object's own
 * entities) below entities, breadth first by the caller; NULL if none.
 * Counts what it reads against RDAP_MAX_ENTITIES.
 */
static json_t *
find_role(struct reader *rd, json_t *entities, const char *role, int depth,
          int want)
{
    json_t *e, *found;
    size_t i;

    if (depth > RDAP_MAX_DEPTH)
        return NULL;
    json_array_foreach(entities, i, e) {
        if (!json_is_object(e))
            continue;
        if (++rd->entities > RDAP_MAX_ENTITIES)
            return NULL;
        if (depth == want && has_role(e, role))
            return e;
        if (depth < want) {
            found = find_role(rd, json_object_get(e, "entities"), role,
                              depth + 1, want);
            if (found)
                return found;
        }
    }
    return NULL;
}

/* The nearest entity with role, from depth from on. */
static json_t *
nearest(struct reader *rd, json_t *entities, const char *role, int from)
{
    json_t *e = NULL;
    int d;

    for (d = from; d <= RDAP_MAX_DEPTH && e == NULL; d++) {
        rd->entities = 0;
        e = find_role(rd, entities, role, 0, d);
    }
    return e;
}

static void
put_contact(struct reader *rd, json_t *o, const char *key, json_t *entity,
            const char *who)
{
    json_t *c = contact(rd, entity, who);

    if (json_object_size(c) > 0)
        json_object_set(o, key, c);
    json_decref(c);
}

/* registration, expiration, last changed: the event's date. */
static void
put_events(struct reader *rd, json_t *out, json_t *obj)
{
    static const char *const map[][2] = {
        { "registration", "registered" },
        { "expiration", "expires" },
        { "last changed", "last_changed" },
    };
    json_t *ev;
    size_t i, k;

    json_array_foreach(json_object_get(obj, "events"), i, ev) {
        const char *action =
            json_string_value(json_object_get(ev, "eventAction"));
        const char *date = json_string_value(json_object_get(ev, "eventDate"));

        for (k = 0; action && date && k < 3; k++)
            if (!strcasecmp(action, map[k][0]) &&
                json_object_get(out, map[k][1]) == NULL)
                put(rd, out, map[k][1], date, map[k][1]);
    }
}

/* A list of strings, or of objects' member, capped at RDAP_MAX_LIST. */
static void
put_list(struct reader *rd, json_t *out, const char *key, json_t *arr,
         const char *member)
{
    json_t *list = json_array(), *v;
    size_t i;

    json_array_foreach(arr, i, v) {
        const char *s = member ? json_string_value(json_object_get(v, member))
                               : json_string_value(v);

        if (json_array_size(list) >= RDAP_MAX_LIST) {
            warn(rd, "%s: only the first %d kept", key, RDAP_MAX_LIST);
            break;
        }
        s = clean(rd, s, key);
        if (s)
            json_array_append_new(list, json_string(s));
    }
    if (json_array_size(list) > 0)
        json_object_set(out, key, list);
    json_decref(list);
}

char *
rdap_error_message(const char *text, size_t len)
{
    json_t *root = json_loadb(text, len, 0, NULL);
    json_t *code = json_object_get(root, "errorCode");
    const char *title = json_string_value(json_object_get(root, "title"));
    const char *desc = json_string_value(
        json_array_get(json_object_get(root, "description"), 0));
    struct buf b = BUF_INIT(1024);
    struct reader rd = { json_array(), 0 };
    char *msg = NULL;

    if (json_is_object(root) && json_is_integer(code) &&
        json_object_get(root, "objectClassName") == NULL) {
        buf_addf(&b, "RDAP error %lld", (long long)json_integer_value(code));
        if (clean(&rd, title, "title") && strlen(title) < 200)
            buf_addf(&b, ": %s", title);
        if (clean(&rd, desc, "description") && strlen(desc) < 300)
            buf_addf(&b, " (%s)", desc);
        msg = buf_detach(&b, NULL);
    }
    buf_release(&b);
    json_decref(rd.warnings);
    json_decref(root);
    return msg;
}

/* The answer as an RDAP object of class want, or NULL with err set. */
static json_t *
load(const char *text, size_t len, const char *want, struct buf *err)
{
    json_error_t je;
    json_t *root;
    const char *cls;
    char *msg;

    buf_reset(err);
    root = json_loadb(text, len, 0, &je);
    if (root == NULL) {
        buf_addf(err, "malformed RDAP answer: not JSON (line %d: %s)",
                 je.line, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        buf_adds(err, "malformed RDAP answer: not a JSON object");
        json_decref(root);
        return NULL;
    }
    msg = rdap_error_message(text, len);
    if (msg) {
        buf_adds(err, msg);
        free(msg);
        json_decref(root);
        return NULL;
    }
    cls = json_string_value(json_object_get(root, "objectClassName"));
    if (cls == NULL) {
        buf_addf(err, "malformed RDAP answer: no objectClassName (expected "
                      "'%s')", want);
        json_decref(root);
        return NULL;
    }
    if (strcmp(cls, want) != 0) {
        buf_addf(err, "RDAP answer is a '%.40s' object, not '%s'", cls, want);
        json_decref(root);
        return NULL;
    }
    return root;
}

/* The end of every parse: the abuse contact, or a warning that there is
   none; the warnings; the answer's tree released (abuse points into it). */
static json_t *
finish(struct reader *rd, json_t *out, json_t *abuse, json_t *root)
{
    if (abuse)
        put_contact(rd, out, "abuse", abuse, "abuse");
    else
        warn(rd, "no entity with the abuse role");
    if (json_array_size(rd->warnings) > 0)
        json_object_set(out, "warnings", rd->warnings);
    json_decref(rd->warnings);
    json_decref(root);
    return out;
}

json_t *
rdap_parse_domain(const char *text, size_t len, struct buf *err)
{
    json_t *root = load(text, len, "domain", err), *out, *ents, *reg, *ab;
    struct reader rd;
    json_t *r, *id;
    size_t i;

    if (root == NULL)
        return NULL;
    out = json_object();
    rd.warnings = json_array();
    rd.entities = 0;
    put(&rd, out, "name",
        json_string_value(json_object_get(root, "ldhName")), "name");
    put(&rd, out, "handle",
        json_string_value(json_object_get(root, "handle")), "handle");
    put_list(&rd, out, "status", json_object_get(root, "status"), NULL);
    put_events(&rd, out, root);
    put_list(&rd, out, "nameservers", json_object_get(root, "nameservers"),
             "ldhName");
    ents = json_object_get(root, "entities");
    reg = nearest(&rd, ents, "registrar", 0);
    ab = NULL;
    if (reg) {
        r = contact(&rd, reg, "registrar");
        put(&rd, r, "handle",
            json_string_value(json_object_get(reg, "handle")),
            "registrar handle");
        json_array_foreach(json_object_get(reg, "publicIds"), i, id) {
            const char *type = json_string_value(json_object_get(id, "type"));

            if (type && !strcasecmp(type, "IANA Registrar ID"))
                put(&rd, r, "iana_id",
                    json_string_value(json_object_get(id, "identifier")),
                    "registrar IANA id");
        }
        json_object_set_new(out, "registrar", r);
        /* ICANN's RDAP profile: the registrar's abuse contact is an
           entity of the registrar entity. */
        rd.entities = 0;
        ab = find_role(&rd, json_object_get(reg, "entities"), "abuse", 0, 0);
    } else {
        warn(&rd, "no entity with the registrar role");
    }
    if (ab == NULL)
        ab = nearest(&rd, ents, "abuse", 0);
    return finish(&rd, out, ab, root);
}

json_t *
rdap_parse_ip(const char *text, size_t len, struct buf *err)
{
    json_t *root = load(text, len, "ip network", err), *out, *ents, *e;
    struct reader rd;
    json_t *cidr;

    if (root == NULL)
        return NULL;
    out = json_object();
    rd.warnings = json_array();
    rd.entities = 0;
    put(&rd, out, "handle",
        json_string_value(json_object_get(root, "handle")), "handle");
    put(&rd, out, "name", json_string_value(json_object_get(root, "name")),
        "name");
    put(&rd, out, "start",
        json_string_value(json_object_get(root, "startAddress")), "start");
    put(&rd, out, "end", json_string_value(json_object_get(root, "endAddress")),
        "end");
    put(&rd, out, "country",
        json_string_value(json_object_get(root, "country")), "country");
    put(&rd, out, "type", json_string_value(json_object_get(root, "type")),
        "type");
    put(&rd, out, "parent",
        json_string_value(json_object_get(root, "parentHandle")), "parent");
    /* RFC 9388's cidr0 extension, where the server has it. */
    cidr = json_array_get(json_object_get(root, "cidr0_cidrs"), 0);
    if (json_is_object(cidr)) {
        const char *pfx = json_string_value(json_object_get(cidr, "v4prefix"));
        json_t *l = json_object_get(cidr, "length");
        char s[80];

        if (pfx == NULL)
            pfx = json_string_value(json_object_get(cidr, "v6prefix"));
        if (pfx && strlen(pfx) < 48 && json_is_integer(l)) {
            snprintf(s, sizeof(s), "%s/%lld", pfx,
                     (long long)json_integer_value(l));
            put(&rd, out, "cidr", s, "cidr");
        }
    }
    ents = json_object_get(root, "entities");
    e = nearest(&rd, ents, "registrant", 0);
    if (e) {
        json_t *c = contact(&rd, e, "registrant");

        json_object_del(c, "email");
        json_object_del(c, "phone");
        if (json_object_size(c) > 0)
            json_object_set(out, "registrant", c);
        json_decref(c);
    }
    return finish(&rd, out, nearest(&rd, ents, "abuse", 0), root);
}

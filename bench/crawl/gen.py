#!/usr/bin/env python3
"""A deterministic static forum for the crawl benchmark (bench/crawl/run.sh).

    gen.py site --pages N [--seed S] OUT   N HTML files under OUT (index.html,
                                           f/ID.html boards and sub-boards,
                                           t/ID.html threads) and OUT/site.json
    gen.py check OUT                       follows the links from / and says
                                           how deep the last page is (every
                                           page must be reachable)

Page ID 0 is the index; the pages form a tree with FANOUT children per page
(ID k links to F*k+1 .. F*k+F), so every page is reachable from the index
within ceil(log_F(N)) hops. Each page also links back to the index and to
its parent, and a thread page links to a few "similar topics" (seeded
random pages): about 10 in-site links per page on average. About one page
in five has one off-site link (a signature), which crawlers must not
follow. There are no login or posting links: every link inside the site is
a page that both drpwatch and the Scrapy spider fetch.

The text is forum posts of about TEXT_BYTES bytes per page: English words
with forum slang, user names, dates, quotes. A small share carries what
drpwatch extracts: an indicator line in about 1 post in 12 (IPv4 with
port, defanged domains and URLs, SHA-256/MD5 hashes, e-mail contacts, onion
names, bitcoin addresses, CVE ids), a combo list in about 1 page in 60 (a
third of them with northwindbank.com addresses), a stealer-log block in
about 1 page in 150, and a mention of Northwind Bank, NorthPay or
northwindbank.com in about 1 page in 25 (the watch terms of the bench's
configuration, as in tests/fixtures/demo.yaml.in). Word lists come from
bench/extract/gen.py.

The same arguments always give the same bytes: one random.Random per page,
seeded from (seed, page id), and nothing else. Standard library only.
"""

import hashlib
import html
import json
import os
import random
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "extract"))
import gen as xgen  # noqa: E402  (word lists and checksum helpers)

FANOUT = 10
TEXT_BYTES = 5000     # visible text per page, give or take 10 %
SIMILAR = 8           # "similar topics" links on a leaf page
BOARDS_DEPTH = 1      # depth 1: boards; 2: sub-boards; deeper: threads

BRAND_LINES = [
    "anyone has fresh Northwind Bank logs? paying well for NorthPay access",
    "selling Northwind Bank online banking accounts, balance checked, "
    "escrow ok",
    "new phishing kit for northwindbank.com, looks 1:1 like the real login",
    "NorthPay app has a weak 2fa flow, method in pm",
    "got a db dump from a Northwind Bank supplier, sample below",
    "the northwindbank.com staff portal is still on the old vpn",
]
WATCHED_MAIL = "northwindbank.com"


def page_depth(k):
    d = 0
    while k > 0:
        k = (k - 1) // FANOUT
        d += 1
    return d


def parent(k):
    return (k - 1) // FANOUT


def path_of(k):
    if k == 0:
        return "/"
    if page_depth(k) <= BOARDS_DEPTH + 1:
        return "/f/%d.html" % k
    return "/t/%d.html" % k


def file_of(k):
    return "index.html" if k == 0 else path_of(k)[1:]


class Pools:
    """Sentences, names and indicator lines drawn once per seed; pages
    recombine them (fast, and still seeded)."""

    def __init__(self, seed):
        r = random.Random("crawl-pools-%d" % seed)
        self.users = ["%s%s%d" % (r.choice(xgen.FIRST), r.choice(
            ["_", ".", "", "x"]), r.randrange(10, 999)) for _ in range(600)]
        self.titles = [self.title(r) for _ in range(3000)]
        self.sentences = [self.sentence(r) for _ in range(6000)]
        self.cyrillic = [" ".join(r.choice(xgen.CYRILLIC)
                                  for _ in range(r.randrange(6, 16)))
                         for _ in range(300)]
        self.iocs = [self.ioc(r) for _ in range(1500)]

    @staticmethod
    def sentence(r):
        words = []
        for _ in range(r.randrange(6, 22)):
            words.append(r.choice(xgen.SLANG) if r.random() < 0.12
                         else r.choice(xgen.ENGLISH))
        s = " ".join(words)
        return s[0].upper() + s[1:] + r.choice(".....?!")

    @staticmethod
    def title(r):
        words = [r.choice(xgen.SLANG if r.random() < 0.4 else xgen.ENGLISH)
                 for _ in range(r.randrange(3, 9))]
        t = " ".join(words)
        if r.random() < 0.3:
            t = "[%s] %s" % (r.choice(["WTS", "WTB", "HQ", "FREE", "SHARE",
                                       "HELP", "TUT", "SCAM"]), t)
        return t[0].upper() + t[1:]

    @staticmethod
    def ip(r):
        return "%d.%d.%d.%d" % (r.choice([45, 91, 103, 146, 185, 193, 194,
                                          212, 217]), r.randrange(256),
                                r.randrange(256), r.randrange(1, 255))

    @staticmethod
    def domain(r):
        name = "".join(r.choice(xgen.SYLLABLES)
                       for _ in range(r.randrange(2, 4)))
        return "%s.%s" % (name, r.choice(xgen.TLDS))

    def ioc(self, r):
        kind = r.randrange(9)
        if kind == 0:
            return "C2: %s:%d" % (self.ip(r), r.choice([443, 8080, 4444, 80]))
        if kind == 1:
            d = self.domain(r)
            return "panel at hxxp://%s/%s" % (d.replace(".", "[.]", 1),
                                             r.choice(xgen.URL_PATHS))
        if kind == 2:
            return "sha256: %064x" % r.getrandbits(256)
        if kind == 3:
            return "md5 %032x %s" % (r.getrandbits(128),
                                     r.choice(xgen.FILE_NAMES))
        if kind == 4:
            return "contact me: %s.%s%d@%s" % (
                r.choice(xgen.FIRST), r.choice(xgen.LAST), r.randrange(99),
                r.choice(xgen.FREEMAIL))
        if kind == 5:
            return "mirror: http://%s.onion/" % xgen.onion_v3(
                bytes(r.getrandbits(8) for _ in range(32)))
        if kind == 6:
            return "btc %s" % xgen.segwit_address(
                0, bytes(r.getrandbits(8) for _ in range(20)))
        if kind == 7:
            return "still works on CVE-%d-%d, %s" % (
                r.randrange(2017, 2025), r.randrange(1000, 49999),
                r.choice(xgen.MALWARE))
        return "download https://%s/%s" % (self.domain(r),
                                            r.choice(xgen.URL_PATHS))


def combo(r, n):
    lines = []
    for _ in range(n):
        dom = WATCHED_MAIL if r.random() < 0.15 else r.choice(xgen.FREEMAIL)
        user = "%s.%s%d" % (r.choice(xgen.FIRST), r.choice(xgen.LAST),
                            r.randrange(100))
        pw = "%s%d%s" % (r.choice(xgen.PASSWORD_WORDS).capitalize(),
                         r.randrange(10, 9999), r.choice("!#$_."))
        lines.append("%s@%s%s%s" % (user, dom, r.choice(":;|"), pw))
    return lines


def stealer(r):
    user = "%s.%s" % (r.choice(xgen.FIRST), r.choice(xgen.LAST))
    return ["URL: https://online.%s/login" % WATCHED_MAIL,
            "Username: %s@%s" % (user, r.choice([WATCHED_MAIL] +
                                               xgen.FREEMAIL)),
            "Password: %s%d!" % (r.choice(xgen.PASSWORD_WORDS).capitalize(),
                                 r.randrange(1000, 99999)),
            "Application: %s" % r.choice(xgen.SOFT)]


def post_html(r, pools, page_has, size_left):
    """One post: (html, bytes of visible text)."""
    author = r.choice(pools.users)
    date = "%04d-%02d-%02d %02d:%02d" % (r.randrange(2021, 2025),
                                         r.randrange(1, 13),
                                         r.randrange(1, 29), r.randrange(24),
                                         r.randrange(60))
    paras = []
    text = 0
    if r.random() < 0.15:
        q = r.choice(pools.sentences)
        paras.append("<blockquote><cite>%s wrote:</cite> %s</blockquote>"
                     % (r.choice(pools.users), html.escape(q)))
        text += len(q) + 20
    target = min(size_left, r.randrange(350, 1100))
    while text < target:
        if r.random() < 0.03:
            s = r.choice(pools.cyrillic)
        else:
            s = " ".join(r.choice(pools.sentences)
                         for _ in range(r.randrange(2, 6)))
        paras.append("<p>%s</p>" % html.escape(s))
        text += len(s.encode("utf-8")) + 1
    if r.random() < 1 / 12:
        s = r.choice(pools.iocs)
        paras.append("<p>%s</p>" % html.escape(s))
        text += len(s) + 1
    for kind, lines in page_has.pop_for_post(r):
        paras.append("<pre class=\"%s\">%s</pre>" % (
            kind, html.escape("\n".join(lines))))
        text += sum(len(x) + 1 for x in lines)
    body = ("<div class=\"post\" id=\"p%d\"><div class=\"author\">%s</div>"
            "<div class=\"date\">%s</div><div class=\"content\">%s</div>"
            "</div>\n" % (r.randrange(10**6, 10**7), html.escape(author),
                          date, "\n".join(paras)))
    return body, text + len(author) + len(date) + 2


class Extras:
    """The page's rare content, placed in its first posts."""

    def __init__(self, r):
        self.items = []
        if r.random() < 1 / 25:
            self.items.append(("brand", [r.choice(BRAND_LINES)]))
        if r.random() < 1 / 60:
            self.items.append(("combo", ["fresh combo, checked today:"] +
                                         combo(r, r.randrange(5, 16))))
        if r.random() < 1 / 150:
            self.items.append(("log", stealer(r)))

    def pop_for_post(self, r):
        out, self.items = self.items, []
        return out


def page_links(k, n, r):
    """(href, label) of page k: index, parent, children, similar topics."""
    links = []
    if k != 0:
        links.append(("/", "Board index"))
        if parent(k) != 0:
            links.append((path_of(parent(k)), "Up"))
    kids = [c for c in range(FANOUT * k + 1, FANOUT * k + FANOUT + 1)
            if c < n]
    for c in kids:
        links.append((path_of(c), None))
    if not kids and n > 1:
        for _ in range(SIMILAR):
            links.append((path_of(r.randrange(1, n)), None))
    elif n > 1:
        for _ in range(2):
            links.append((path_of(r.randrange(1, n)), None))
    return links


def render(k, n, seed, pools):
    r = random.Random("crawl-page-%d-%d" % (seed, k))
    depth = page_depth(k)
    title = "Leakzone forum" if k == 0 else pools.titles[
        r.randrange(len(pools.titles))]
    role = ("index" if k == 0 else "board" if depth <= BOARDS_DEPTH + 1
            else "thread")
    links = page_links(k, n, r)
    nav, rows = [], []
    for href, label in links:
        if label:
            nav.append("<a href=\"%s\">%s</a>" % (href, label))
        else:
            t = pools.titles[(int(href.split("/")[-1].split(".")[0] or 0)
                              * 7919) % len(pools.titles)] if href != "/" \
                else "Board index"
            rows.append("<li><a class=\"topictitle\" href=\"%s\">%s</a> "
                        "<span class=\"lastpost\">by %s</span></li>"
                        % (href, html.escape(t), html.escape(
                            r.choice(pools.users))))
    extras = Extras(r)
    posts = []
    target = int(TEXT_BYTES * r.uniform(0.9, 1.1))
    text = sum(len(x) for x in rows) // 3
    while text < target:
        p, t = post_html(r, pools, extras, target - text)
        posts.append(p)
        text += t
    sig = ""
    if r.random() < 0.2:
        sig = ("<div class=\"sig\"><a href=\"https://t.me/%s\">my "
               "telegram</a></div>" % r.choice(pools.users))
    heading = "Topics" if role != "thread" else "Similar topics"
    doc = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<title>%s</title></head>\n<body class=\"%s\">\n"
           "<div class=\"nav\">%s</div>\n<h1>%s</h1>\n"
           "<div class=\"posts\">\n%s</div>\n%s"
           "<h2>%s</h2><ul class=\"topics\">\n%s\n</ul>\n"
           "<div class=\"footer\">Powered by phpBB</div>\n</body></html>\n"
           % (html.escape(title), role, " &raquo; ".join(nav),
              html.escape(title), "".join(posts), sig, heading,
              "\n".join(rows)))
    return doc.encode("utf-8"), len(links)


def cmd_site(argv):
    n, seed, out = None, 1, None
    i = 0
    while i < len(argv):
        if argv[i] == "--pages":
            n = int(argv[i + 1])
            i += 2
        elif argv[i] == "--seed":
            seed = int(argv[i + 1])
            i += 2
        else:
            out = argv[i]
            i += 1
    if not n or n < 1 or out is None:
        sys.exit("usage: gen.py site --pages N [--seed S] OUT")
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "f"))
    os.makedirs(os.path.join(tmp, "t"))
    pools = Pools(seed)
    total = links = 0
    h = hashlib.sha256()
    for k in range(n):
        data, nl = render(k, n, seed, pools)
        with open(os.path.join(tmp, file_of(k)), "wb") as f:
            f.write(data)
        h.update(data)
        total += len(data)
        links += nl
    meta = {"pages": n, "seed": seed, "bytes": total, "links": links,
            "fanout": FANOUT, "max_depth": page_depth(n - 1),
            "sha256": h.hexdigest(),
            "generator": hashlib.sha256(
                open(os.path.abspath(__file__), "rb").read()).hexdigest()}
    with open(os.path.join(tmp, "site.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    print("  %d pages, %.1f MB, %.1f links per page, deepest page at "
          "depth %d" % (n, total / 1e6, links / n, meta["max_depth"]))
    return 0


def cmd_check(argv):
    """Breadth-first from / over the files, as a crawler would."""
    import re
    out = argv[0]
    href = re.compile(rb'href="(/[^"]*)"')
    seen = {"/": 0}
    queue = ["/"]
    for p in queue:
        f = os.path.join(out, "index.html" if p == "/" else p[1:])
        with open(f, "rb") as fh:
            for m in href.finditer(fh.read()):
                u = m.group(1).decode()
                if u not in seen:
                    seen[u] = seen[p] + 1
                    queue.append(u)
    meta = json.load(open(os.path.join(out, "site.json")))
    print("  reachable %d of %d pages, deepest at %d hops" % (
        len(seen), meta["pages"], max(seen.values())))
    return 0 if (len(seen) == meta["pages"] and
                 max(seen.values()) <= meta["max_depth"]) else 1


def main(argv):
    if len(argv) < 2 or argv[1] not in ("site", "check"):
        sys.exit(__doc__)
    return cmd_site(argv[2:]) if argv[1] == "site" else cmd_check(argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

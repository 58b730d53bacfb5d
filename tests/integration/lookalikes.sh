#!/bin/bash
# drpwatch lookalikes against Debian's dnstwist: on six domains (an IDN
# under .de, a multi-label suffix, a short name, one with a hyphen and a
# digit, a long one), drpwatch's candidates are a superset of dnstwist's,
# all fuzzers together and fuzzer by fuzzer, but for the deliberate
# differences listed below. Both get the same dictionary and TLD list
# (crawler/lookalike/words.txt and crawler/lookalike/tlds.txt). dnstwist runs with
# --format list, which prints the permutations and returns before any DNS
# query, so nothing leaves the machine. Then the command line itself:
# output formats, --fuzzers, --dictionary, errors and exit codes.
#
# Deliberate differences (each checked to be the only reason a dnstwist
# name is missing):
#  original  dnstwist lists the domain itself ("*original"); drpwatch
#            never gives a domain as its own lookalike.
#  idn-table Debian's dnstwist (0~20221213) puts every homoglyph under
#            every TLD; drpwatch, like later dnstwist releases, only the
#            characters the TLD's registry takes: .de DENIC's list of 93,
#            .uk none at all. Names no one can register are no lookalikes
#            to watch.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

WORDS="$top_srcdir/crawler/lookalike/words.txt"
TLDS="$top_srcdir/crawler/lookalike/tlds.txt"
DOMAINS="example.com bücher.de example.co.uk bp.com north-wind7.com northwindbank.com"
# dnstwist's fuzzers (its Debian release has no "plural").
DT_FUZZERS="addition bitsquatting cyrillic homoglyph hyphenation insertion
omission repetition replacement subdomain transposition vowel-swap
dictionary tld-swap various"

if ! command -v dnstwist >/dev/null 2>&1; then
    ok 1 "dnstwist is installed (scripts/setup.sh installs it)"
    done_testing
    exit 1
fi
ok 0 "dnstwist is installed: $(dpkg-query -W -f='${Version}' dnstwist 2>/dev/null)"

# dt NAME DOMAIN [--fuzzers F]: dnstwist's names, one a line, sorted. An
# empty selection makes dnstwist exit 2 with a message: an empty set.
dt() {
    local name=$1
    shift
    dnstwist --format list -d "$WORDS" --tld "$TLDS" "$@" \
        >"$T/$name.raw" 2>"$LOGS/$name.dt.err"
    if [ $? -ne 0 ] &&
        ! grep -q 'do not generate any permutations' "$LOGS/$name.dt.err"; then
        cat "$LOGS/$name.dt.err" >&2
        return 1
    fi
    LC_ALL=C sort -u "$T/$name.raw" >"$T/$name.dt"
}

# compare.py DOMAIN DNSTWIST-LIST DRPWATCH-JSON: checks drpwatch's lines,
# then that every dnstwist name is among them or a deliberate difference.
cat >"$T/compare.py" <<'PY'
import json, sys

# DENIC's list of the 93 characters .de takes beyond a-z, 0-9 and '-'.
DENIC = set("àáâãäåæāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĸĺļľłñńņňŋòóôõöøōŏ"
            "őœŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžðþß")
IDN_TABLES = {"de": DENIC, "uk": set()}
FUZZERS = set("""addition bitsquatting cyrillic homoglyph hyphenation
insertion omission plural repetition replacement subdomain transposition
vowel-swap various dictionary tld-swap combosquatting dyndns""".split())

domain, dt_file, ours_file = sys.argv[1:4]
ascii_domain = domain.encode("idna").decode()

def unicode_label(label):
    if label.startswith("xn--"):
        return label[4:].encode().decode("punycode")
    return label

def valid(name, uni):
    if len(name) > 253 or name != name.lower():
        return False
    labels = name.split(".")
    for l in labels:
        if not 0 < len(l) <= 63 or l[0] == "-" or l[-1] == "-":
            return False
        if any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in l):
            return False
    return ".".join(unicode_label(l) for l in labels) == uni

ours = {}
bad = []
for line in open(ours_file, encoding="utf-8"):
    r = json.loads(line)
    if not valid(r["domain"], r["unicode"]) or not r["fuzzers"] or \
            not set(r["fuzzers"]) <= FUZZERS:
        bad.append(r)
    ours[r["domain"]] = r
assert not bad, bad[:5]
assert ascii_domain not in ours, "the domain itself is a candidate"

reasons = {}
missing = []
for name in open(dt_file).read().split():
    if name in ours:
        continue
    if name == ascii_domain:
        reasons["original"] = reasons.get("original", 0) + 1
        continue
    tld = name.rsplit(".", 1)[-1]
    uni = ".".join(unicode_label(l) for l in name.split("."))
    table = IDN_TABLES.get(tld)
    if table is not None and any(ord(c) > 127 and c not in table for c in uni):
        reasons["idn-table"] = reasons.get("idn-table", 0) + 1
        continue
    missing.append(name + " " + uni)
print(len(ours), " ".join("%s=%d" % kv for kv in sorted(reasons.items())))
if missing:
    print("missing: " + ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else ""))
    sys.exit(1)
PY

for d in $DOMAINS; do
    dt "all-$d" "$d" || { ok 1 "dnstwist runs on $d"; continue; }
    drp "all-$d" lookalikes --json "$d"
    is "$rc" 0 "lookalikes --json $d exits 0"
    res=$("$PYTHON3" "$T/compare.py" "$d" "$T/all-$d.dt" "$LOGS/all-$d.out" 2>&1)
    st=$?
    ok $st "$d: a superset of dnstwist's $(wc -l <"$T/all-$d.dt") names (drpwatch: $res)"
done

# Fuzzer by fuzzer: the same names under the same fuzzer's name.
for d in north-wind7.com bücher.de; do
    for f in $DT_FUZZERS; do
        dt "$f-$d" "$d" --fuzzers "$f" || { ok 1 "dnstwist --fuzzers $f $d"; continue; }
        drp "$f-$d" lookalikes --json --fuzzers "$f" "$d"
        res=$("$PYTHON3" "$T/compare.py" "$d" "$T/$f-$d.dt" "$LOGS/$f-$d.out" 2>&1)
        st=$?
        ok $st "$d: $f's $(wc -l <"$T/$f-$d.dt") names are drpwatch's $f's ($res)"
    done
done
# The deliberate differences do occur (so the reasons above are real).
"$PYTHON3" "$T/compare.py" bücher.de "$T/all-bücher.de.dt" \
    "$LOGS/all-bücher.de.out" | grep -q 'idn-table=[1-9]'
ok $? "bücher.de: dnstwist's homoglyphs that DENIC refuses are left out"
"$PYTHON3" "$T/compare.py" example.co.uk "$T/all-example.co.uk.dt" \
    "$LOGS/all-example.co.uk.out" | grep -q 'idn-table=[1-9]'
ok $? "example.co.uk: no homoglyph beyond ASCII under .uk"

# The command line.
drp table lookalikes --fuzzers omission,transposition example.com
is "$rc" 0 "the table exits 0"
is "$(head -n 1 "$LOGS/table.out" | tr -s ' ')" "FUZZERS DOMAIN UNICODE" \
    "the table's heading"
grep -q '^omission  *exmple\.com  *exmple\.com$' "$LOGS/table.out"
ok $? "a row: fuzzer, name, Unicode name"
is "$(tail -n 1 "$LOGS/table.out")" "13 candidates for example.com" \
    "the count: 7 omissions and 6 transpositions"
drp only lookalikes --json --fuzzers omission bücher.de
is "$(grep -c '"fuzzers":\["omission"\]}$' "$LOGS/only.out")" 6 \
    "--fuzzers omission: 6 candidates from omission alone"
grep -q '^{"domain":"xn--bcer-0ra.de","unicode":"bücer.de","fuzzers":\["omission"\]}$' \
    "$LOGS/only.out"
ok $? "JSON lines: domain (A-labels), unicode, fuzzers"
drp unknown lookalikes --fuzzers omission,typo example.com
is "$rc" 2 "an unknown fuzzer exits 2"
grep -q "unknown fuzzer 'typo' (expected one of: addition, bitsquatting, .*dyndns, or all)" \
    "$LOGS/unknown.err"
ok $? "naming it and the valid ones"
drp bad lookalikes co.uk
is "$rc" 2 "a public suffix exits 2"
grep -q "'co.uk' has no registrable part" "$LOGS/bad.err"
ok $? "saying why"
drp long lookalikes "$(printf 'a%.0s' $(seq 64)).com"
is "$rc" 2 "a label of 64 bytes exits 2"
grep -q "is longer than 63 bytes" "$LOGS/long.err"
ok $? "saying why"
printf 'acme\n# comment\nPortal\n' >"$T/words.txt"
drp dict lookalikes --json --fuzzers dictionary --dictionary "$T/words.txt" example.com
is "$(grep -c '"fuzzers":\["dictionary"\]' "$LOGS/dict.out")" 8 \
    "--dictionary FILE: 2 words x 4 forms"
grep -q '"domain":"portal-example.com"' "$LOGS/dict.out"
ok $? "words lowered"
printf 'ok\nnot ok\n' >"$T/bad-words.txt"
drp baddict lookalikes --dictionary "$T/bad-words.txt" example.com
is "$rc" 2 "a bad dictionary exits 2"
grep -q "bad-words.txt:2: not a word" "$LOGS/baddict.err"
ok $? "naming the file and line"
drp nodict lookalikes --dictionary "$T/none.txt" example.com
is "$rc" 2 "a missing dictionary exits 2"

done_testing

#!/bin/bash
# drpwatch scan: findings of a file or stdin as a table or JSON lines, with
# byte offsets into the input, masked passwords, known-benign labels (the
# built-in list, own assets, benign_file), confidence raised by context
# words, bounded blocks that lose nothing at their seams, and bad bytes
# scanned, not rejected.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99
export DRPWATCH_HASH_KEY=scan-test-key-0123456789

cat >"$T/watch.yaml" <<'YAML'
benign_file: benign.txt
watchlist:
  - {kind: brand, value: Northwind Bank}
  - {kind: email_domain, value: northwindbank.com}
  - {kind: ip_range, value: 203.0.113.0/25}
YAML
printf 'sinkhole domain evil-cdn.net  # taken over by the registrar\n' \
    >"$T/benign.txt"
printf 'Fresh combo, Northwind Bank staff:\r\nalice@northwindbank.com:Tr0ub4dor&3\nbob@gmail.com|hunter2hunter2\nC2 at 185.220.101[.]47, payload hxxp://evil-cdn[.]net/gate.php\nmd5 d41d8cd98f00b204e9800998ecf8427e\n' >"$T/in.txt"

drp json scan --json --watch "$T/watch.yaml" "$T/in.txt"
is "$rc" 0 "scan --json exits 0"
"$PYTHON3" - "$T/in.txt" "$LOGS/json.out" <<'PY'
import json, sys
data = open(sys.argv[1], 'rb').read()
rows = [json.loads(l) for l in open(sys.argv[2])]
kinds = sorted({r['kind'] for r in rows})
want = ['brand', 'credential', 'domain', 'email', 'ipv4', 'md5', 'url']
assert kinds == want, kinds
for r in rows:
    for k in ('kind', 'value', 'raw', 'offset', 'confidence'):
        assert k in r, (k, r)
    raw = data[r['offset']:r['offset'] + len(r['raw'].encode())]
    if r['kind'] != 'credential':
        assert raw == r['raw'].encode(), (r, raw)
    else:
        assert r['raw'].startswith(r['identity']) and r['raw'].endswith('*'), r
ip = [r for r in rows if r['kind'] == 'ipv4'][0]
assert ip['value'] == '185.220.101.47' and ip['raw'] == '185.220.101[.]47'
PY
ok $? "JSON lines: kind, value, raw as written at its byte offset, confidence"
grep -q '"kind":"md5","value":"d41d8cd98f00b204e9800998ecf8427e".*"benign":"empty-file"}$' \
    "$LOGS/json.out"
ok $? "the empty file's md5 is labelled benign"
grep -q '"kind":"domain","value":"evil-cdn.net".*"benign":"sinkhole"}$' \
    "$LOGS/json.out"
ok $? "benign_file in the --watch file labels its values"
grep -q '"kind":"url","value":"http://evil-cdn.net/gate.php".*"benign":"sinkhole"}$' \
    "$LOGS/json.out"
ok $? "and URLs on those hosts"
grep -q '"kind":"domain","value":"northwindbank.com".*"benign":"own-asset"}$' \
    "$LOGS/json.out"
ok $? "our own domain is labelled own-asset"
is "$(grep -c '"kind":"\(ipv4\|credential\|email\|brand\)".*"benign"' "$LOGS/json.out")" 0 \
    "credentials and e-mail addresses of our own domain are never benign"

# Context words: the same lines with and without "combo" and "C2" above.
grep -o '"kind":"credential".*"confidence":[0-9]*' "$LOGS/json.out" |
    sed 's/.*"confidence"://' | sort -u >"$T/with"
grep -o '"kind":"ipv4".*"confidence":[0-9]*' "$LOGS/json.out" |
    sed 's/.*"confidence"://' >>"$T/with"
printf 'alice@northwindbank.com:Tr0ub4dor&3\nbob@gmail.com|hunter2hunter2\nseen at 185.220.101[.]47\n' \
    >"$T/plain.txt"
drp plain scan --json "$T/plain.txt"
grep -o '"kind":"credential".*"confidence":[0-9]*' "$LOGS/plain.out" |
    sed 's/.*"confidence"://' | sort -u >"$T/without"
grep -o '"kind":"ipv4".*"confidence":[0-9]*' "$LOGS/plain.out" |
    sed 's/.*"confidence"://' >>"$T/without"
is "$(cat "$T/with" | tr '\n' ' ')" "95 100 " \
    "with 'combo' and 'C2' near: credentials 95, the (defanged) address 100"
is "$(cat "$T/without" | tr '\n' ' ')" "85 90 " \
    "without: the extractor's own 85 and 90"

# Own IP ranges (ip_range) and documentation ranges.
printf 'hosts 203.0.113.7 203.0.113.200 192.0.2.255 192.0.3.0\n' >"$T/ips.txt"
drp ips scan --json --watch "$T/watch.yaml" "$T/ips.txt"
"$PYTHON3" - "$LOGS/ips.out" <<'PY'
import json, sys
got = {r['value']: r.get('benign') for r in map(json.loads, open(sys.argv[1]))}
assert got == {'203.0.113.7': 'own-asset', '203.0.113.200': 'documentation',
               '192.0.2.255': 'documentation', '192.0.3.0': None}, got
PY
ok $? "own ranges win over documentation ranges; 192.0.3.0 is not benign"
printf 'benign_file: missing.txt\n' >"$T/nobenign.yaml"
drp nobenign scan --watch "$T/nobenign.yaml" "$T/ips.txt"
is "$rc" 2 "a missing benign_file exits 2"
grep -q "nobenign.yaml:1:14: cannot read benign_file '$T/missing.txt'" \
    "$LOGS/nobenign.err"
ok $? "and says FILE:LINE:COL and which file"
printf 'sinkhole domain\n' >"$T/bad-benign.txt"
printf 'benign_file: bad-benign.txt\n' >"$T/badbenign.yaml"
drp badbenign scan --watch "$T/badbenign.yaml" "$T/ips.txt"
is "$rc" 2 "a malformed benign_file exits 2"
grep -q "$T/bad-benign.txt:1: expected three fields" "$LOGS/badbenign.err"
ok $? "and says FILE:LINE: what is wrong"
drp badapply apply "$T/badbenign.yaml"
is "$rc" 2 "apply checks the benign_file before touching the database"
grep -q "$T/bad-benign.txt:1: expected three fields" "$LOGS/badapply.err"
ok $? "with the same message"
grep -c -e 'Tr0ub4dor' -e 'hunter2hunter2' "$LOGS/json.out" >"$T/n"
is "$(cat "$T/n")" 0 "no password in the output"
grep -q '"password_hint":"T\*\**3(11)"' "$LOGS/json.out"
ok $? "credentials carry the masked hint"

# Variants of a term: leetspeak, a Cyrillic o; the term as written is none.
printf 'N0rthw1nd B4nk and N\xd0\xberthwind Bank, then northwind bank\n' \
    >"$T/variant.txt"
drp variant scan --json --watch "$T/watch.yaml" "$T/variant.txt"
"$PYTHON3" - "$T/variant.txt" "$LOGS/variant.out" <<'PY'
import json, sys
data = open(sys.argv[1], 'rb').read()
rows = [json.loads(l) for l in open(sys.argv[2])]
brands = [r for r in rows if r['kind'] == 'brand']
assert [r['value'] for r in brands] == ['northwind bank'] * 3, brands
assert [r['variant'] for r in brands] == [True, True, False], brands
for r in brands:
    raw = data[r['offset']:r['offset'] + len(r['raw'].encode())]
    assert raw == r['raw'].encode(), (r, raw)
assert brands[1]['raw'] == 'N\u043erthwind Bank', brands[1]
for r in brands:
    assert r['raw'] in r['snippet'], r
assert brands[0]['snippet'].startswith('N0rthw1nd B4nk and '), brands[0]
PY
ok $? "variants: the term's value, \"variant\": true, raw at its byte offset, a snippet"

drp table scan --watch "$T/watch.yaml" - <"$T/in.txt"
is "$rc" 0 "scan of stdin exits 0"
head -1 "$LOGS/table.out" | grep -q '^OFFSET  *KIND  *CONF  *BENIGN  *VALUE$'
ok $? "the table has its header"
grep -q '^[0-9]*  *md5  *[0-9]*  *empty-file  *d41d8cd98f00b204e9800998ecf8427e$' \
    "$LOGS/table.out"
ok $? "the table shows the benign label"
tail -1 "$LOGS/table.out" | grep -q '^[0-9]* findings$'
ok $? "the table ends with the count"
# Each row as printf's "%-12llu  %-16s  %4d  %-13s  %s%s\n" writes it: a
# label, none, a variant.
cat "$T/in.txt" "$T/variant.txt" >"$T/rows.txt"
drp rowsjson scan --json --watch "$T/watch.yaml" "$T/rows.txt"
drp rows scan --watch "$T/watch.yaml" "$T/rows.txt"
"$PYTHON3" - "$LOGS/rowsjson.out" "$LOGS/rows.out" <<'PY'
import json, sys
want = ['%-12d  %-16s  %4d  %-13s  %s%s' % (
            r['offset'], r['kind'], r['confidence'], r.get('benign', '-'),
            r['value'], ' (variant)' if r.get('variant') else '')
        for r in map(json.loads, open(sys.argv[1], encoding='utf-8'))]
got = open(sys.argv[2], encoding='utf-8').read().split('\n')
assert got[0].startswith('OFFSET') and got[-1] == '', got
assert got[1:-2] == want, (got[1:-2], want)
assert got[-2] == '%d findings' % len(want), got[-2]
assert any('(variant)' in r for r in want) and any('  -  ' in r for r in want)
PY
ok $? "table rows: the fields padded as printf pads them, in the JSON's order"

# Bounded blocks (1 MiB): 2 MB of combo lines; every line is found, none split.
"$PYTHON3" -c "
import sys
with open('$T/big.txt', 'w') as f:
    for i in range(60000):
        f.write('user%d@example.org:pass-%d-word\n' % (i, i * 7))
"
drp big scan --json "$T/big.txt"
is "$rc" 0 "a 2 MB input scans (two blocks)"
is "$(grep -c '"kind":"credential"' "$LOGS/big.out")" 60000 \
    "every combo line is found across the block seams"
# One long line with no line end: cut at blanks, nothing lost.
"$PYTHON3" -c "
with open('$T/line.txt', 'w') as f:
    f.write(' '.join('10.%d.%d.%d' % (i >> 16, (i >> 8) & 255, i & 255)
                     for i in range(150000)))
"
drp line scan --json "$T/line.txt"
is "$rc" 0 "a 2 MB single line scans"
is "$(grep -c '"kind":"ipv4"' "$LOGS/line.out")" 150000 \
    "every address on the long line is found"

# The blocks are parts of one document: a context word at the top of the
# input raises a credential in its second block as it raises one far
# below it in a small input (the head's +5), and a word at the top of the
# second block is no top of the document. Lines of 64 bytes: the first
# block is exactly 16,384 of them (1 MiB).
"$PYTHON3" - "$T" <<'PY'
import sys
t = sys.argv[1]
fill = ('the quick brown fox jumps over the lazy dog again and again, ok'
        + '\n')
assert len(fill) == 64
cred = 'bob@corp-mail.net:Sunshine42\n'
def write(name, first, at_second, filler_before):
    with open(t + '/' + name, 'w') as f:
        f.write(first.ljust(63) + '\n')
        f.write(fill * (filler_before - 1))
        if at_second is not None:
            f.write(at_second.ljust(63) + '\n')
        f.write(fill * 10 + cred + fill * 3)
write('alone.txt', 'nothing to see here', None, 1)
write('top-small.txt', 'Fresh combo list below', None, 20)
write('top-big.txt', 'Fresh combo list below', None, 16384 + 40)
write('second-top.txt', 'nothing to see here', 'leaked accounts', 16384)
PY
conf_of() { # FILE: the credential's confidence
    "$DRPWATCH" scan --json "$1" 2>/dev/null |
        sed -n 's/.*"kind":"credential".*"confidence":\([0-9]*\).*/\1/p'
}
base=$(conf_of "$T/alone.txt")
is "$(conf_of "$T/top-small.txt")" "$((base + 5))" \
    "a word at the top raises a credential far below it (+5)"
is "$(conf_of "$T/top-big.txt")" "$((base + 5))" \
    "and one in the input's second block alike"
is "$(conf_of "$T/second-top.txt")" "$base" \
    "a word at the top of the second block is no top of the input"

# Blocks overlap at their seams: a record, a key block or a context word
# cut by the end of a block (1 MiB) or by the seam where the next block's
# findings begin (8 KiB before that) is found as in a small input, once.
# Lines of 64 bytes: 16,384 of them are 1 MiB, 128 are 8 KiB.
"$PYTHON3" - "$T" <<'PY'
import sys
t = sys.argv[1]
fill = 'the quick brown fox jumps over the lazy dog again and again, ok\n'
rec = ('URL: https://login.example-shop.com/account\n'
       'USER: mallory@corp-mail.net\nPASS: Wint3rIsComing!\n')
key = ('-----BEGIN RSA PRIVATE KEY-----\n'
       + 'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I3yp\n'
       * 400 + '-----END RSA PRIVATE KEY-----\n')
ctx = 'leaked accounts from the shop'.ljust(63) + '\n'
cred = 'carol@corp-mail.net:Sunsh1ne42\n'
# a key block of 38 KB from 21 KB before the cut: the pattern's cut-short
# form stops 256 lines after its start, short of the block's end
long_key = ('-----BEGIN RSA PRIVATE KEY-----\n'
            + 'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I3yp\n'
            * 600 + '-----END RSA PRIVATE KEY-----\n')
cases = {'rec-end': (16383, rec), 'rec-seam': (16255, rec),
         'key-end': (16300, key), 'key-long': (16054, long_key),
         'ctx-end': (16383, ctx + cred), 'ctx-seam': (16255, ctx + cred)}
for name, (line, payload) in cases.items():
    for size, before in (('big', line), ('small', 10)):
        with open('%s/seam-%s-%s.txt' % (t, name, size), 'w') as f:
            f.write(fill * before + payload + fill * 20)
PY
for c in rec-end rec-seam key-end key-long ctx-end ctx-seam; do
    "$DRPWATCH" scan --json "$T/seam-$c-big.txt" >"$T/seam-$c-big.json" 2>/dev/null &&
        "$DRPWATCH" scan --json "$T/seam-$c-small.txt" >"$T/seam-$c-small.json" 2>/dev/null
    ok $? "scan of $c exits 0"
    "$PYTHON3" - "$T/seam-$c-big" "$T/seam-$c-small" <<'PY'
import json, sys
fill = b'the quick brown fox jumps over the lazy dog again and again, ok\n'
def rows(stem):
    data = open(stem + '.txt', 'rb').read()
    first = 0  # the payload's start: after the filler lines
    while data.startswith(fill, first):
        first += len(fill)
    out = []
    for l in open(stem + '.json'):
        r = json.loads(l)
        r['offset'] -= first  # from the payload's start
        out.append(r)
    return out
big, small = rows(sys.argv[1]), rows(sys.argv[2])
assert small and big == small, (big, small)
PY
    ok $? "$c: the findings of a small input, once each"
done

# And any input: stealer-log records, key blocks (up to 20 KB), combo
# lines under context words, prose credentials and IoC lines, 2.5 MB, give
# the same output in 64 KiB blocks (some forty seams) as in one block.
"$PYTHON3" - "$T/mixed.txt" <<'PY'
import random, sys
random.seed(7)
b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
out, n = [], 0
while n < 2500000:
    r = random.random()
    if r < 0.4:
        rec = ('URL: https://login.site%d.com/auth\nUSER: user%d@corp%d.net\n'
               'PASS: Pw%dSecret!\n' % (n % 997, n, n % 31, n))
        if random.random() < 0.5:
            rec = '===============\nSoft: Chrome\n' + rec + 'Application: Outlook\n'
    elif r < 0.45:
        rec = ('-----BEGIN RSA PRIVATE KEY-----\n'
               + ''.join(''.join(random.choice(b64) for _ in range(64)) + '\n'
                         for _ in range(random.randint(10, 300)))
               + '-----END RSA PRIVATE KEY-----\n')
    elif r < 0.6:
        rec = 'leaked combo from the shop dump\nfoo%d@mail.ru:Qwerty%d\n' % (n, n)
    elif r < 0.7:
        rec = 'login: admin%d\npassword: S3cr3t%dx!\n' % (n, n)
    elif r < 0.8:
        rec = ('C2 server 10.%d.%d.%d and evil%d[.]com, md5 %032x\n'
               % (n % 250, n // 7 % 250, n // 13 % 250, n,
                  random.getrandbits(128)))
    else:
        rec = 'the quick brown fox jumps over the lazy dog ' * random.randint(1, 3) + '\n'
    out.append(rec)
    n += len(rec)
open(sys.argv[1], 'w').write(''.join(out))
PY
DRPWATCH_SCAN_BLOCK=65536 "$DRPWATCH" scan --json "$T/mixed.txt" >"$T/mixed-64k.json" 2>"$T/mixed-64k.err" &&
    DRPWATCH_SCAN_BLOCK=4194304 "$DRPWATCH" scan --json "$T/mixed.txt" >"$T/mixed-whole.json" 2>"$T/mixed-whole.err"
ok $? "DRPWATCH_SCAN_BLOCK sets the block size"
cmp -s "$T/mixed-64k.json" "$T/mixed-whole.json" && [ -s "$T/mixed-whole.json" ] &&
    ! [ -s "$T/mixed-64k.err" ] && ! [ -s "$T/mixed-whole.err" ]
ok $? "64 KiB blocks give the findings of one block, byte for byte"
DRPWATCH_SCAN_BLOCK=4096 "$DRPWATCH" scan "$T/mixed.txt" >/dev/null 2>"$T/bs.err"
is "$?" 2 "a block size below 64 KiB exits 2"
grep -q 'DRPWATCH_SCAN_BLOCK must be a number of bytes from 65536 to 1073741824' "$T/bs.err"
ok $? "and says what it takes"

# A dense combo list: 2 MiB of short e-mail:password lines hold some
# 330,000 findings a MiB, more than the engine takes in one call (100,000):
# such a block is scanned again in quarters, nothing is skipped, and the
# output is that of 64 KiB blocks.
"$PYTHON3" - "$T/dense.txt" <<'PY'
import sys
out = []
for i in range(110000):
    out.append('u%05d@m%d.ru:pw%06dx\n' % (i, i % 7, i))
open(sys.argv[1], 'w').write(''.join(out))
PY
drp dense scan --json "$T/dense.txt"
is "$rc" 0 "a dense combo list is scanned"
is "$(grep -c '"kind":"credential"' "$LOGS/dense.out")" 110000 \
    "every one of its 110,000 credentials is printed"
is "$(grep -c '"kind":"email"' "$LOGS/dense.out")" 110000 \
    "and every e-mail address"
is "$(grep -c '"kind":"domain"' "$LOGS/dense.out")" 110000 \
    "and every e-mail address's domain (a block's last findings)"
is "$(grep -c 'findings in' "$LOGS/dense.err")" 0 "nothing was skipped"
DRPWATCH_SCAN_BLOCK=65536 "$DRPWATCH" scan --json "$T/dense.txt" >"$T/dense-64k.json" 2>/dev/null
cmp -s "$LOGS/dense.out" "$T/dense-64k.json"
ok $? "the same output as in 64 KiB blocks, byte for byte"

# Bad bytes are scanned, not rejected.
printf 'a\0b \xff\xfe 8.8.4.4\0 \xe2\x82 carol@example.net:pa55word!\n' >"$T/bad.bin"
drp bad scan --json "$T/bad.bin"
is "$rc" 0 "NUL bytes and invalid UTF-8 are scanned"
grep -q '"value":"8.8.4.4","raw":"8.8.4.4","offset":7' "$LOGS/bad.out"
ok $? "findings after a NUL byte keep their byte offsets"

# One JSON writer for every line: bytes that need escaping or are not
# UTF-8 around and inside findings, and long raw texts (a URL path of
# backslashes, a 50 KB key block), each line valid JSON with its fields
# whole.
"$PYTHON3" -c "
import sys
out = sys.stdout.buffer
out.write(b'Northwind Bank \xff\xfe\x00 \"q\" \\\\ \x01\xc3\xa9 ok\n')
out.write(b'see http://evil-cdn.net/' + b'\\\\' * 2000 + b' now\n')
out.write(b'-----BEGIN RSA PRIVATE KEY-----\n')
out.write((b'MIIE\"\\\\' * 142 + b'\n') * 60)
out.write(b'-----END RSA PRIVATE KEY-----\n')
" >"$T/escape.txt"
drp escape scan --json --watch "$T/watch.yaml" "$T/escape.txt"
is "$rc" 0 "a scan of bytes that need escaping exits 0"
"$PYTHON3" - "$T/escape.txt" "$LOGS/escape.out" <<'PY'
import json, sys
data = open(sys.argv[1], 'rb').read()
rows = [json.loads(l) for l in open(sys.argv[2], 'rb')]
by = {r['kind']: r for r in rows}
b = by['brand']
# bad bytes as U+FFFD, control bytes as blanks, quote and backslash kept
assert b['snippet'].startswith('Northwind Bank \ufffd\ufffd  "q" \\  \u00e9 ok'), b
u = by['url']
assert u['raw'] == 'http://evil-cdn.net/' + '\\' * 2000, u['raw'][:40]
assert u['raw'].encode() == data[u['offset']:u['offset'] + len(u['raw'])]
k = by['secret']
end = data.index(b'-----END RSA PRIVATE KEY-----') + 29
assert k['value'] == 'private_key:rsa', k
assert k['offset'] == data.index(b'-----BEGIN'), k['offset']
assert len(k['raw']) == end - k['offset'] > 50000, len(k['raw'])
assert set(k['raw']) <= {'*', '\n'}, 'the key block is printed masked'
PY
ok $? "escaped and replaced bytes, long raw texts: every line valid JSON, whole"
is "$(grep -c 'too long to print' "$LOGS/escape.err")" 0 \
    "no line comes near the cap"

drp usage scan
is "$rc" 2 "scan without a file exits 2"
drp missing scan "$T/nonexistent"
is "$rc" 1 "scan of a missing file exits 1"
grep -q "cannot open '$T/nonexistent'" "$LOGS/missing.err"
ok $? "and names the file"
mkdir -p "$T/adir"
drp dir scan "$T/adir"
is "$rc" 1 "scan of a directory exits 1"
grep -q "cannot read '$T/adir': Is a directory" "$LOGS/dir.err"
ok $? "and says it is a directory"
is "$(wc -c <"$LOGS/dir.out")" 0 "with nothing on stdout (no table over nothing)"

done_testing

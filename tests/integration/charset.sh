#!/bin/bash
# Charset conversion of a windows-1251 forum: the demo world's Russian
# forum serves windows-1251 and KOI8-R bytes, declared in the HTTP header,
# in a <meta> (both forms) or not at all. One crawl must store each page's
# text as the UTF-8 Cyrillic it is, find the credentials and brand
# mentions in it, and keep every password out of the database and logs.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

export PGCLIENTENCODING=UTF8
start_world
drp apply apply "$WORLD/charset.yaml"
is "$rc" 0 "apply exits 0"
drp run run --once --log-level debug
is "$rc" 0 "the crawl exits 0 (no page problem)"
[ "$rc" -eq 0 ] || grep -E 'warn|err' "$LOGS/run.err" | sed 's/^/#   /' | head -20

want=$(expected "print(e['charset_forum']['page_count'])")
got=$(q "SELECT count(DISTINCT d.url) FROM documents d JOIN sources s
         ON s.id = d.source_id WHERE s.name = 'charset-forum'")
is "$got" "$want" "every page of the forum stored"

# Which encoding each page was read in, and from where (the debug log).
for pair in $(expected "
for p, v in e['charset_forum']['pages'].items():
    print(p + '|' + v['encoding'] + '|' + v['charset_source'])"); do
    path=${pair%%|*}; rest=${pair#*|}; enc=${rest%%|*}; from=${rest#*|}
    grep -qF "url='${CHARSET_URL%/}$path' charset=$enc ($from)" "$LOGS/run.err"
    ok $? "$path read as $enc ($from)"
done

# The stored title and text are the pages' Cyrillic, in UTF-8, with no
# replacement character.
q "SELECT json_agg(json_build_object('url', d.url, 'title', d.title,
                                     'text', d.text))
   FROM documents d JOIN sources s ON s.id = d.source_id
   WHERE s.name = 'charset-forum'" >"$T/docs.json"
"$PYTHON3" - "$EXPECTED" "$T/docs.json" "$CHARSET_URL" <<'PY' >"$LOGS/text.out" 2>&1
import json, sys
e = json.load(open(sys.argv[1]))['charset_forum']
docs = {d['url']: d for d in json.load(open(sys.argv[2], encoding='utf-8'))}
base = sys.argv[3].rstrip('/')
bad = []
for path, page in e['pages'].items():
    d = docs.get(base + path)
    if d is None:
        bad.append((path, 'not stored'))
        continue
    if d['title'] != page['title']:
        bad.append((path, 'title', d['title'], page['title']))
    if '\ufffd' in d['text']:
        bad.append((path, 'U+FFFD in the text'))
    for s in page['sentences']:
        if s not in d['text']:
            bad.append((path, 'missing', s))
print('pages checked: %d, problems: %r' % (len(e['pages']), bad))
assert not bad
PY
rc=$?
ok $rc "stored titles and text are the expected UTF-8 Cyrillic"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/text.out"
got=$(q "SELECT count(*) FROM documents WHERE text LIKE '%Только проверенные базы.%'")
is "$got" 1 "a Cyrillic sentence is found by SQL in the stored text"

# Credentials out of the converted text: one leak alert per watched one.
want=$(expected "print('\n'.join(sorted(c['identity'] for c in e['charset_forum']['watched_credentials'])))")
got=$(q "SELECT c.identity FROM alerts a JOIN credentials c ON c.finding_id = a.finding_id
         WHERE a.kind = 'credential-leak' ORDER BY 1")
is "$got" "$want" "a credential-leak alert for each watched credential"
for pair in $(expected "
for c in e['charset_forum']['watched_credentials'] + e['charset_forum']['other_credentials']:
    print(c['identity'] + '|' + c['url_path'])"); do
    ident=${pair%%|*}; path=${pair#*|}
    got=$(q "SELECT count(*) FROM credentials c JOIN sightings g ON g.finding_id = c.finding_id
             WHERE c.identity = '$ident' AND g.url = '${CHARSET_URL%/}$path'")
    is "$got" 1 "credential $ident found on $path"
done

# Brand mentions: the Latin name inside Russian prose (windows-1251 and
# KOI8-R pages).
missing=""
for path in $(expected "
print(' '.join(p for p, v in e['charset_forum']['pages'].items() if v['latin_brand']))"); do
    n=$(q "SELECT count(*) FROM alerts WHERE kind = 'brand-mention'
           AND dedup_key LIKE '%:Northwind Bank:%'
           AND url = '${CHARSET_URL%/}$path'")
    [ "$n" = 1 ] || missing="$missing $path"
done
is "$missing" "" "a brand-mention alert on every page naming Northwind Bank"

# The Cyrillic spelling is a watch term of charset.yaml (it starts with Н,
# a capital whose lower case has no Latin lookalike).
n=$(q "SELECT count(*) FROM findings WHERE kind = 'brand'
       AND value = '$(expected "print(e['charset_forum']['cyrillic_brand'].lower())")'")
[ "$n" -ge 1 ]
ok $? "the Cyrillic brand term is found in the converted text"

# No password in clear anywhere.
pg_dump -d "$CONNINFO" >"$T/dump.sql" 2>"$LOGS/pg_dump.err"
ok $? "database dumped"
expected "
f = e['charset_forum']
print('\n'.join(c['password'] for c in f['watched_credentials'] + f['other_credentials']))" \
    >"$T/passwords"
leaks=$(grep -F -o -f "$T/passwords" "$T/dump.sql" "$LOGS"/*.out "$LOGS"/*.err \
    "$DRPWATCH_HOME/pg/server.log" 2>/dev/null | sort -u | head -5)
is "$leaks" "" "no password in the database, logs or output"

# A second crawl finds every page unchanged.
drp run2 run --once
is "$rc" 0 "second crawl exits 0"
grep -q "pages stored=0 unchanged=4 failed=0" "$LOGS/run2.out"
ok $? "second crawl: the four pages unchanged"

done_testing

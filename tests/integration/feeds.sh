#!/bin/bash
# Feed sources on the demo world's paste site: RSS items are fetched once;
# sitemap entries are fetched again only when their lastmod changes; a pass
# over an unchanged world reads the two feeds and nothing else.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

requested() {  # requested FROM_LINE: paste-server pages asked for since
    tail -n "+$1" "$WORLD/world.log" | grep "^paste " |
        sed -n 's/.*"GET \([^ ]*\) HTTP.*/\1/p' | grep -v '^/robots.txt$' |
        sort | tr '\n' ' '
}
log_lines() {
    wc -l <"$WORLD/world.log"
}
ids() {  # ids REV: the paste ids of revision REV, newest first
    "$PYTHON3" -c "import sys; sys.path.insert(0, '$top_srcdir/tests/fixtures')
import content
print(' '.join(p['id'] for p in content.build_paste($1)[1]))"
}

start_world
drp apply apply "$WORLD/feeds.yaml"
is "$rc" 0 "apply exits 0"
drp run1 run --once
is "$rc" 0 "first crawl exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/run1.err" | tail -20

set -- $(ids 1)
npastes=$#
got=$(q "SELECT string_agg(j.role || ' ' || regexp_replace(j.url, '^http://[^/]*', ''),
         ',' ORDER BY j.url) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'pd-rss' AND j.depth = 1")
want=$(printf 'once /raw/%s\n' "$1" "$2" "$3" | sort | paste -sd,)
is "$got" "$want" "RSS: the three items are once jobs"
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'pd-rss' AND d.url ~ '/raw/'")
is "$got" 3 "RSS: the three items stored"
got=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'pd-sitemap' AND j.role = 'marked'
         AND j.url ~ '/paste/' AND j.marker IS NOT NULL")
is "$got" "$npastes" "sitemap: every entry a marked job"
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'pd-sitemap' AND d.url ~ '/paste/'")
is "$got" "$npastes" "sitemap: every entry stored"
got=$(q "SELECT count(*) FROM sightings si JOIN documents d ON d.id = si.document_id
         JOIN sources s ON s.id = d.source_id JOIN findings f ON f.id = si.finding_id
         WHERE s.name = 'pd-rss' AND f.kind = 'credential'")
[ "$got" -gt 0 ]
ok $? "RSS: credentials found in the items ($got sightings)"

from=$(($(log_lines) + 1))
drp run2 run --once
is "$rc" 0 "second crawl exits 0"
got=$(requested "$from")
is "$got" "/feed.xml /sitemap.xml " "unchanged world: the two feeds only"

touch "$WORLD/rev2"
set -- $(ids 2)
from=$(($(log_lines) + 1))
drp run3 run --once
is "$rc" 0 "re-crawl after changes exits 0"
got=$(requested "$from")
want=$(printf '%s\n' /feed.xml /sitemap.xml "/raw/$1" "/paste/$1" "/paste/$4" |
    sort | tr '\n' ' ')
is "$got" "$want" \
    "re-crawl: the feeds, the new item, the new entry and the one whose lastmod changed"

done_testing

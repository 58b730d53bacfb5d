#!/bin/bash
# Source adapters on the demo world: the forum read index -> boards ->
# threads by its phpBB selectors, the paste site archive -> raw views by
# template. A re-crawl after the world changed (tests/fixtures: STATE/rev2)
# fetches the lists, the threads whose last post changed, the new thread
# and the new paste, and nothing else; a third pass with nothing changed
# fetches no thread and no paste at all.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

# The paths one server was asked for since line $2 of the world log.
requested() {  # requested SERVER FROM_LINE
    tail -n "+$2" "$WORLD/world.log" | grep "^$1 " |
        sed -n 's/.*"GET \([^ ]*\) HTTP.*/\1/p' | sort
}
log_lines() {
    wc -l <"$WORLD/world.log"
}

start_world
drp apply apply "$WORLD/adapters.yaml"
is "$rc" 0 "apply exits 0"

drp run1 run --once
is "$rc" 0 "first crawl exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/run1.err" | tail -20
want=$(expected "print(e['forum_pages'])")
got=$(q "SELECT count(DISTINCT d.url) FROM documents d JOIN sources s
         ON s.id = d.source_id WHERE s.name = 'lz-forum'")
is "$got" "$want" "forum: every board, board page, thread and thread page stored"
got=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'lz-forum' AND j.role = 'marked' AND j.url ~ '/thread/'
         AND j.url !~ 'page=' AND j.marker ~ '^[0-9a-f]{64}\$'")
is "$got" 12 "forum: the 12 threads are marked jobs with a marker"
got=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'lz-forum' AND j.url ~ 'page=2' AND j.url ~ '/thread/'
         AND j.thread_id IS NULL")
is "$got" 0 "forum: later thread pages are tied to their thread"
npastes=$(expected "print(len(e['paste_ids']))")
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'pd-paste' AND d.url ~ '/raw/'")
is "$got" "$npastes" "paste: every paste's raw view stored"
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'pd-paste' AND d.url ~ '/paste/'")
is "$got" 0 "paste: the HTML views are not fetched (the raw view is)"
got=$(q "SELECT count(*) FROM alerts a JOIN sources s ON s.id = a.source_id
         WHERE s.name = 'pd-paste' AND a.kind = 'credential-leak'")
[ "$got" -gt 0 ]
ok $? "paste: credential leaks found in the raw views ($got alerts)"

# Nothing changed: a second pass reads the lists again, no thread, no paste.
from=$(($(log_lines) + 1))
drp run2 run --once
is "$rc" 0 "second crawl exits 0"
got=$(requested forum "$from" | grep -c '^/thread/')
is "$got" 0 "unchanged world: no thread fetched again"
got=$(requested paste "$from" | grep -c '^/raw/')
is "$got" 0 "unchanged world: no paste fetched again"
got=$(requested forum "$from" | grep -c '^/board/')
want=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
          WHERE s.name = 'lz-forum' AND j.url ~ '/board/'")
is "$got" "$want" "unchanged world: every board page read again"

# The world changes: replies in thread 12 and on page 2 of thread 10, a
# new thread 13, a new paste.
touch "$WORLD/rev2"
from=$(($(log_lines) + 1))
drp run3 run --once
is "$rc" 0 "re-crawl after changes exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/run3.err" | tail -20
got=$(requested forum "$from" | grep '^/thread/' | tr '\n' ' ')
is "$got" "/thread/10 /thread/10?page=2 /thread/12 /thread/13 " \
    "re-crawl: only the changed threads (first and last page) and the new one"
paste_id=$("$PYTHON3" -c "import sys; sys.path.insert(0, '$top_srcdir/tests/fixtures'); import content; print(content.REV2_PASTE_ID)")
got=$(requested paste "$from" | grep '^/raw/' | tr '\n' ' ')
is "$got" "/raw/$paste_id " "re-crawl: only the new paste"
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'lz-forum' AND d.url ~ '/thread/(12|13|10\?page=2)\$'")
is "$got" 5 "re-crawl: new versions of the two changed pages, the new thread"
got=$(q "SELECT count(*) FROM sightings si JOIN documents d ON d.id = si.document_id
         JOIN findings f ON f.id = si.finding_id
         WHERE d.url ~ '/thread/13\$' AND f.kind = 'brand'")
[ "$got" -ge 1 ]
ok $? "re-crawl: the brand mention in the new thread is a finding"
got=$(q "SELECT count(*) FROM documents WHERE url ~ '/raw/$paste_id\$'")
is "$got" 1 "re-crawl: the new paste stored"

# And once more, with nothing new: nothing but the lists.
from=$(($(log_lines) + 1))
drp run4 run --once
is "$rc" 0 "third pass exits 0"
got=$(requested forum "$from" | grep -c '^/thread/')
is "$got" 0 "after the re-crawl: no thread fetched again"
got=$(requested paste "$from" | grep -c '^/raw/')
is "$got" 0 "after the re-crawl: no paste fetched again"

# The frontier counts on each source (kept by the statements that insert
# and complete jobs: migration 014) agree with the jobs: thread rows with
# markers, later thread pages, pastes and unchanged pages included.
got=$(counts_off)
is "$got" 0 "each source's job counts match its jobs"

done_testing

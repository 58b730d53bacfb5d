#!/bin/sh
# Crawl benchmark: serves a generated 20,000-page static forum from a private
# nginx on loopback, times `drpwatch run --once` crawling all of it with the
# full pipeline (fetch, parse, extract, store in the embedded PostgreSQL),
# and Scrapy crawling the same links when it is installed; prints a report
# with PASS/FAIL against the targets of issue 4. See bench/README.md.
#
#   bench/crawl/run.sh [DRPWATCH_BINARY]
#
# Environment (all optional):
#   DRPWATCH        binary when no argument is given
#                   (default: _build/default/drpwatch, built if missing)
#   BENCH_DIR       site cache and last report (default /var/tmp/drpwatch-bench)
#   BENCH_SEED      generator seed (default 1)
#   BENCH_PAGES     pages of the forum (default 20000)
#   BENCH_CONCURRENCY  drpwatch's crawl.concurrency and Scrapy's
#                   CONCURRENT_REQUESTS (default 32)
#   BENCH_SCRAPY    0: do not run Scrapy (default 1: run it when installed)
#   BENCH_TIMEOUT   seconds after which a crawl is killed (default 1800)
#   BENCH_KEEP      1: keep the run directory (database, logs, items)
#   BENCH_PERF      1: profile the drpwatch crawl with perf (system-wide,
#                   -g) and print the top functions of drpwatch and of its
#                   PostgreSQL backend; perf's overhead is in the figures
#   BENCH_PGSS      1: load pg_stat_statements in the embedded server and
#                   print the statements of the crawl by server time
#   BENCH_INSTR     1: run the embedded server under callgrind (restarted
#                   after apply) and print its instructions a stored page
#                   (the processes the crawl started: its sessions and any
#                   autovacuum); some 50 times slower: use BENCH_PAGES=2000
#
# Exit status: 0 when the benchmark ran (whether or not targets are met),
# 1 when it could not run (no binary, no nginx, a crawl that failed, ...).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

command -v python3 >/dev/null 2>&1 || die "python3 is needed"

bench_dir=${BENCH_DIR:-/var/tmp/drpwatch-bench}
seed=${BENCH_SEED:-1}
pages=${BENCH_PAGES:-20000}
conc=${BENCH_CONCURRENCY:-32}
timeout=${BENCH_TIMEOUT:-1800}
measure=$here/measure.py

# ---- the binary
bench_binary "${1:-}"

# ---- nginx (required) and Scrapy (the yardstick): Debian packages,
# installed when we may (root, apt). A package's post-install script would
# start a system nginx on port 80: a policy-rc.d that forbids it is put in
# place for the install when there is none.
apt_install() { # PACKAGE
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    echo "bench: installing $1"
    policy=/usr/sbin/policy-rc.d
    made_policy=
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" &&
            made_policy=1
    fi
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$1" >/dev/null 2>&1 || rc=1
    [ -z "$made_policy" ] || rm -f "$policy"
    return $rc
}

nginx=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
    apt_install nginx || true
    nginx=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi
[ -x "$nginx" ] || die "nginx is needed to serve the site: install it
(apt-get install nginx) and run again"

scrapy=
if [ "${BENCH_SCRAPY:-1}" != 0 ]; then
    if ! command -v scrapy >/dev/null 2>&1; then
        apt_install python3-scrapy ||
            echo "bench: python3-scrapy could not be installed"
    fi
    scrapy=$(command -v scrapy 2>/dev/null || true)
fi
command -v psql >/dev/null 2>&1 || die "psql is needed (postgresql-client)"

# ---- the site (regenerated when missing or made by another gen.py)
site=$bench_dir/crawl-site-$pages-s$seed
gen_sum=$(sha256sum "$here/gen.py" | cut -d' ' -f1)
mkdir -p "$bench_dir" || die "cannot create $bench_dir"
if [ ! -f "$site/site.json" ] ||
    ! grep -q "\"generator\": \"$gen_sum\"" "$site/site.json"; then
    echo "bench: generating $pages pages into $site"
    t0=$(date +%s)
    python3 "$here/gen.py" site --pages "$pages" --seed "$seed" "$site" ||
        die "gen.py failed"
    echo "  in $(($(date +%s) - t0)) s; following its links from /:"
    python3 "$here/gen.py" check "$site" ||
        die "gen.py made pages that cannot be reached from /"
else
    echo "bench: site cached in $site"
fi
chmod -R a+rX "$site" 2>/dev/null || true
depth=$(sed -n 's/.*"max_depth": \([0-9]*\).*/\1/p' "$site/site.json")
site_bytes=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' "$site/site.json")
site_links=$(sed -n 's/.*"links": \([0-9]*\).*/\1/p' "$site/site.json")
[ -n "$depth" ] || die "no max_depth in $site/site.json"

# ---- a run directory: nginx prefix, drpwatch home, logs, items
W=$(mktemp -d "$bench_dir/crawl-run.XXXXXX") || die "mktemp failed"
chmod 755 "$W" # the embedded server's user (when root) must reach it
results=$W/results
DRPWATCH_HOME=$W/home
DRPWATCH_HASH_KEY=drpwatch-bench-hash-key-00000000
export DRPWATCH_HOME DRPWATCH_HASH_KEY
unset DRPWATCH_DB || true
conninfo="host=$DRPWATCH_HOME/run dbname=drpwatch user=drpwatch"

cleanup() {
    if [ -f "$W/nginx/nginx.pid" ]; then
        kill "$(cat "$W/nginx/nginx.pid")" 2>/dev/null || true
    fi
    if [ -d "$DRPWATCH_HOME/pg" ]; then
        "$bin" db stop >/dev/null 2>&1 || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: run directory kept: $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

put() {
    printf '%s=%s\n' "$1" "$2" >>"$results"
}

loadavg() {
    cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'
}

mtime() {
    date -u -r "$1" '+%Y-%m-%d %H:%M:%S UTC'
}

sql() {
    psql "$conninfo" -X -At -c "$1"
}

# ---- nginx: a private instance, its own prefix, a free loopback port
port=$(python3 "$measure" port)
mkdir -p "$W/nginx/tmp"
cat >"$W/nginx/nginx.conf" <<EOF
# bench/crawl: a private nginx serving the generated forum
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 1024; }
http {
    types { text/html html; application/json json; }
    default_type text/html;
    charset utf-8;
    access_log $W/nginx/access.log combined;
    client_body_temp_path $W/nginx/tmp/body;
    proxy_temp_path $W/nginx/tmp/proxy;
    fastcgi_temp_path $W/nginx/tmp/fastcgi;
    uwsgi_temp_path $W/nginx/tmp/uwsgi;
    scgi_temp_path $W/nginx/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$port;
        root $site;
        index index.html;
    }
}
EOF
"$nginx" -t -q -e "$W/nginx/error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf" ||
    die "nginx refuses the configuration ($W/nginx/nginx.conf)"
"$nginx" -e "$W/nginx/error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf" \
    -g 'daemon on;' || die "nginx did not start (see $W/nginx/error.log)"
url=http://127.0.0.1:$port/
python3 - "$url" <<'EOF' || die "nginx does not answer on $url"
import sys, time, urllib.request
for i in range(50):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
# the probe above is one request: the crawls' lines come after it
log_lines() {
    wc -l <"$W/nginx/access.log" | tr -d ' '
}
nginx_pid=$(cat "$W/nginx/nginx.pid")

# ---- drpwatch: a fresh home with its embedded PostgreSQL
cat >"$W/drpwatch.yaml" <<EOF
# bench/crawl: the demo's Northwind Bank watchlist, one site source
crawl:
  concurrency: $conc
  timeout: 30
watchlist:
  - kind: brand
    value: Northwind Bank
    priority: high
    consumers: brand
  - kind: brand
    value: Northwind
    priority: medium
    consumers: brand
  - kind: product
    value: NorthPay
    priority: medium
    consumers: brand
  - kind: email_domain
    value: northwindbank.com
    priority: critical
    consumers: security
  - kind: domain
    value: northwindbank.com
    priority: high
    consumers: soc
sources:
  - name: bench-forum
    kind: site
    url: $url
    max_depth: $depth
    max_pages: $((pages * 2))
    allow_private: true
    robots: false
    reliability: C
EOF
echo "bench: drpwatch apply (creates the embedded PostgreSQL in $W/home)"
"$bin" apply "$W/drpwatch.yaml" >"$W/apply.log" 2>&1 ||
    { cat "$W/apply.log" >&2; die "drpwatch apply failed"; }
if [ "${BENCH_PGSS:-0}" = 1 ]; then
    # pg_stat_statements must be preloaded: the server restarts once.
    sql "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" \
        >/dev/null || die "cannot configure pg_stat_statements"
    { "$bin" db stop && "$bin" db start; } >>"$W/apply.log" 2>&1 ||
        die "the embedded PostgreSQL did not restart (see $W/apply.log)"
    sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null ||
        die "pg_stat_statements is not available (postgresql-contrib)"
    { sql "ALTER SYSTEM SET pg_stat_statements.track_planning = on" &&
        sql "SELECT pg_reload_conf()"; } >/dev/null ||
        die "cannot configure pg_stat_statements"
fi
pg_pid=$(head -n 1 "$DRPWATCH_HOME/pg/postmaster.pid" 2>/dev/null) ||
    die "the embedded PostgreSQL is not running"
if [ "${BENCH_INSTR:-0}" = 1 ]; then
    # The same server, started again by pg_ctl through a wrapper that runs
    # it under callgrind: each process it forks writes its own count when
    # it exits. Hardware counters (perf stat -e instructions) are not
    # available in every VM; callgrind's count does not move with the load.
    command -v valgrind >/dev/null 2>&1 ||
        die "BENCH_INSTR=1 needs valgrind (apt-get install valgrind)"
    postgres=$(readlink "/proc/$pg_pid/exe") ||
        die "cannot find the embedded server's binary"
    pg_user=$(stat -c %U "$DRPWATCH_HOME/pg")
    mkdir -p "$W/callgrind" && chmod 777 "$W/callgrind"
    cat >"$W/pg-callgrind.sh" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --log-file=$W/callgrind/vg.%p \\
    --callgrind-out-file=$W/callgrind/cg.%p "$postgres" "\$@"
EOF
    chmod 755 "$W/pg-callgrind.sh"
    "$bin" db stop >>"$W/apply.log" 2>&1 ||
        die "the embedded PostgreSQL did not stop (see $W/apply.log)"
    pg_ctl=$(dirname "$postgres")/pg_ctl
    set -- "$pg_ctl" start -w -t 600 -D "$DRPWATCH_HOME/pg" \
        -l "$W/callgrind/server.log" -p "$W/pg-callgrind.sh"
    if [ "$(id -u)" -eq 0 ] && [ "$pg_user" != root ]; then
        su -s /bin/sh "$pg_user" -c '"$0" "$@"' -- "$@" >>"$W/apply.log" 2>&1
    else
        "$@" >>"$W/apply.log" 2>&1
    fi || die "the embedded PostgreSQL did not start under callgrind \
(see $W/callgrind/server.log)"
    pg_pid=$(head -n 1 "$DRPWATCH_HOME/pg/postmaster.pid" 2>/dev/null) ||
        die "the embedded PostgreSQL is not running"
    put instr "PostgreSQL under callgrind: its wall and CPU times are not \
comparable with other runs"
fi

# ---- conditions
put date "$(date -u '+%Y-%m-%d %H:%M:%S')"
put loadavg_start "$(loadavg)"
put machine "$(uname -srm)"
put cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null |
    head -n 1)"
put nproc "$(nproc 2>/dev/null || echo '?')"
put memtotal "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' \
    /proc/meminfo 2>/dev/null)"
bin_mtime=$(mtime "$bin")
put binary "$bin ($(wc -c <"$bin" | tr -d ' ') B, modified $bin_mtime)"
put source "$(bench_source)"
put postgres "$(sql 'SHOW server_version') (embedded cluster, fsync \
$(sql 'SHOW fsync'), synchronous_commit $(sql 'SHOW synchronous_commit'), \
shared_buffers $(sql 'SHOW shared_buffers'))"
put nginx "$("$nginx" -v 2>&1 | sed 's/^nginx version: //'), 1 worker, \
access log on, on $url"
put python "$(python3 -c 'import sys; print(sys.version.split()[0])')"
put site "$pages pages, seed $seed, $site_links links ($(python3 -c \
    'import sys; print("%.1f" % (int(sys.argv[1]) / int(sys.argv[2])))' \
    "$site_links" "$pages") per page), deepest page $depth hops from /"
put site_bytes "$(python3 -c 'import sys; print("%.1f MB of HTML, %.1f KB \
a page" % (int(sys.argv[1]) / 1e6, int(sys.argv[1]) / 1e3 / int(sys.argv[2])))' \
    "$site_bytes" "$pages")"
put site_pages "$pages"
put config "site source, crawl.concurrency $conc (at most 4 a host: \
RUN_PER_HOST), max_depth $depth, max_pages $((pages * 2)), robots off, \
5 watch terms, DRPWATCH_HASH_KEY from the environment\
${PGOPTIONS:+, PGOPTIONS='$PGOPTIONS'}"

# ---- drpwatch
perf_pid=
if [ "${BENCH_PERF:-0}" = 1 ]; then
    if command -v perf >/dev/null 2>&1; then
        put perf "perf record -a -g -F 249 during the drpwatch crawl: its \
overhead is in drpwatch's figures"
        perf record -q -a -g -F 249 -o "$W/perf.data" >"$W/perf.log" 2>&1 &
        perf_pid=$!
        # The backends' pids and drpwatch's threads, for perf report
        # (they are gone at the end; perf counts threads apart).
        (while [ ! -f "$W/crawl.done" ]; do
            pgrep -P "$pg_pid" >>"$W/pg-pids" 2>/dev/null || true
            if [ -s "$W/drpwatch.pid" ]; then
                ls "/proc/$(cat "$W/drpwatch.pid")/task" \
                    >>"$W/pg-pids" 2>/dev/null || true
            fi
            sleep 0.5
        done) &
        # What drpwatch's backend is doing, 10 times a second, through one
        # psql session: the statement it runs, or idle (drpwatch works).
        (while [ ! -f "$W/crawl.done" ]; do
            echo "SELECT state || '|' || CASE WHEN state = 'active' THEN
                left(regexp_replace(query, '\s+', ' ', 'g'), 64) ELSE ''
                END FROM pg_stat_activity WHERE backend_type =
                'client backend' AND pid <> pg_backend_pid()
                AND application_name <> 'psql';"
            sleep 0.1
        done | psql "$conninfo" -X -At -q >"$W/pg-samples" 2>/dev/null) &
        sleep 1
    else
        echo "bench: perf not installed: no profile"
    fi
fi
echo "bench: drpwatch run --once ($pages pages)"
skip=$(log_lines)
dbstat() {
    sleep 1 # a backend's statistics reach the shared ones within 1 s
    sql "SELECT xact_commit, tup_returned + tup_fetched, tup_inserted,
        tup_updated FROM pg_stat_database WHERE datname = current_database()"
}
st0=$(dbstat)
[ "${BENCH_PGSS:-0}" != 1 ] ||
    sql "SELECT pg_stat_statements_reset()" >/dev/null
if [ "${BENCH_INSTR:-0}" = 1 ]; then
    sleep 2 # sessions write their counts as they exit
    ls "$W/callgrind" | grep '^cg\.' | sort >"$W/callgrind.before"
fi
pg0=$(python3 "$measure" treecpu "$pg_pid")
ng0=$(python3 "$measure" treecpu "$nginx_pid")
# The machine's ticks around the crawl: on a shared VM the host may take
# a good part of the cores (steal), which the figures below then lack.
cpu0=$(python3 "$measure" cpustat)
DRPWATCH_DB=$conninfo python3 "$measure" run --label drpwatch \
    --results "$results" --out "$W/run.out" --err "$W/run.log" \
    --timeout "$timeout" --ok-codes 0,3 --pidfile "$W/drpwatch.pid" \
    -- "$bin" run --once ||
    die "drpwatch run --once could not run (log: $W/run.log)"
cpu1=$(python3 "$measure" cpustat)
# shellcheck disable=SC2086 # three numbers each
put cpu_during "$(python3 "$measure" cpustat $cpu0 $cpu1)"
pg1=$(python3 "$measure" treecpu "$pg_pid")
ng1=$(python3 "$measure" treecpu "$nginx_pid")
: >"$W/crawl.done"
if [ "${BENCH_INSTR:-0}" = 1 ]; then
    # drpwatch's sessions ended with it: their counts are written as they
    # exit (slowly, under valgrind).
    sleep 5
    ls "$W/callgrind" | grep '^cg\.' | sort >"$W/callgrind.after"
fi
if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    pids=$(cat "$W/drpwatch.pid"; sort -u "$W/pg-pids" 2>/dev/null |
        grep -v "^$pg_pid\$" || true)
    pids=$(echo "$pids" | tr '\n' ',' | sed 's/,*$//')
    {
        echo "Profile of the drpwatch crawl (perf record -a -g; processes"
        echo "$pids: drpwatch and its PostgreSQL server; self time)"
        perf report -i "$W/perf.data" --stdio --no-children -g none \
            --sort pid,dso,sym >"$W/perf-report.txt" 2>/dev/null
        python3 "$measure" perfsum --pids "$pids" \
            --report "$W/perf-report.txt"
        echo
        echo "drpwatch's database sessions (the fetch loop's and one per"
        echo "worker thread), each sampled 10 times a second"
        echo "(pg_stat_activity: the statement running, or idle: drpwatch"
        echo "works, inside a document's transaction or between them)"
        sort "$W/pg-samples" | uniq -c | sort -rn | awk -v n="$(wc -l \
            <"$W/pg-samples")" 'NR <= 12 { c = $1; $1 = "";
            printf "  %5.1f %%  %s\n", 100 * c / n, substr($0, 2) }'
    } >"$W/profile.txt"
fi
if [ "${BENCH_PGSS:-0}" = 1 ]; then
    {
        echo "Statements of the crawl by server time (pg_stat_statements;"
        echo "ms executing in all, ms planning in all, plans made, calls,"
        echo "ms and rows a call, buffers hit a call)"
        sql "SELECT to_char(total_exec_time, '99999990') || ' ' ||
            to_char(total_plan_time, '99999990') || ' ' ||
            to_char(plans, '9999990') || ' ' ||
            to_char(calls, '99999990') || ' ' ||
            to_char(total_exec_time / calls, '90.999') || ' ' ||
            to_char(rows::float8 / calls, '99990.9') || ' ' ||
            to_char(shared_blks_hit::float8 / calls, '999990.9') || '  ' ||
            left(regexp_replace(query, '\s+', ' ', 'g'), 90)
            FROM pg_stat_statements WHERE query !~* 'pg_stat'
            ORDER BY total_exec_time + total_plan_time DESC LIMIT 25"
    } >"$W/pgss.txt"
fi
put pg.cpu "$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$pg0" "$pg1")"
put nginx_drpwatch.cpu "$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$ng0" "$ng1")"
python3 "$measure" nginxlog --results "$results" --label drpwatch_log \
    --skip "$skip" --log "$W/nginx/access.log"
put summary "$(tail -n 1 "$W/run.out")"
st1=$(dbstat)
put db.work "$(python3 -c 'import sys
a = [int(x) for x in sys.argv[1].split("|")]
b = [int(x) for x in sys.argv[2].split("|")]
n = max(1, int(sys.argv[3]))
d = [y - x for x, y in zip(a, b)]
print("per page stored: %.1f transactions, %.0f rows read, %.1f inserted, "
      "%.1f updated (pg_stat_database; the statistics queries add a few)"
      % tuple(v / n for v in d))' "$st0" "$st1" \
    "$(sql 'SELECT count(*) FROM documents')")"
put db.documents "$(sql 'SELECT count(*) FROM documents')"
put db.distinct_urls "$(sql 'SELECT count(DISTINCT url) FROM documents')"
put db.jobs "$(sql 'SELECT count(*) FROM jobs')"
put db.jobs_unfetched "$(sql 'SELECT count(*) FROM jobs WHERE fetched_at IS NULL')"
put db.findings "$(sql 'SELECT count(*) FROM findings') ($(sql \
    "SELECT string_agg(kind || ' ' || n, ', ' ORDER BY n DESC, kind)
     FROM (SELECT kind, count(*) AS n FROM findings GROUP BY kind) s"))"
put db.sightings "$(sql 'SELECT count(*) FROM sightings')"
put db.alerts "$(sql 'SELECT count(*) FROM alerts') ($(sql \
    "SELECT string_agg(kind || ' ' || n, ', ' ORDER BY n DESC, kind)
     FROM (SELECT kind, count(*) AS n FROM alerts GROUP BY kind) s"))"
put db.size "$(sql 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
if [ "${BENCH_INSTR:-0}" = 1 ]; then
    # The processes started during the crawl: drpwatch's sessions (their
    # counts name PostgresMain) and the others (autovacuum workers).
    put pg.instr "$(cd "$W/callgrind" && comm -13 ../callgrind.before \
        ../callgrind.after | while read -r f; do
            printf '%s %s\n' "$(grep -q PostgresMain "$f" && echo s ||
                echo o)" "$(sed -n 's/^summary: //p' "$f")"
        done | awk -v n="$(sql 'SELECT count(*) FROM documents')" '
        { t[$1] += $2; c[$1]++ } END { n = n ? n : 1
            printf "%.0f a page stored: %.0f in drpwatch'"'"'s %d sessions, \
%.0f in %d other processes (callgrind)", (t["s"] + t["o"]) / n,
            t["s"] / n, c["s"], t["o"] / n, c["o"] }')"
fi

# ---- Scrapy
if [ -n "$scrapy" ]; then
    put scrapy "$("$scrapy" version 2>/dev/null | sed 's/^Scrapy //') \
(CONCURRENT_REQUESTS $conc, per domain $conc, DEPTH_LIMIT $depth, \
no robots.txt, no AutoThrottle, LOG_LEVEL INFO)"
    echo "bench: scrapy runspider bench/crawl/spider.py"
    skip=$(log_lines)
    ng0=$(python3 "$measure" treecpu "$nginx_pid")
    python3 "$measure" run --label scrapy --results "$results" \
        --out "$W/scrapy.out" --err "$W/scrapy.log" --timeout "$timeout" \
        -- "$scrapy" runspider "$here/spider.py" -a "start=$url" \
        -s "DEPTH_LIMIT=$depth" -s "CONCURRENT_REQUESTS=$conc" \
        -s "CONCURRENT_REQUESTS_PER_DOMAIN=$conc" -O "$W/items.jl" ||
        die "scrapy could not run (log: $W/scrapy.log)"
    ng1=$(python3 "$measure" treecpu "$nginx_pid")
    put nginx_scrapy.cpu "$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$ng0" "$ng1")"
    python3 "$measure" nginxlog --results "$results" --label scrapy_log \
        --skip "$skip" --log "$W/nginx/access.log"
    put scrapy.items "$(wc -l <"$W/items.jl" | tr -d ' ')"
    # its start request is not filtered for duplicates: / comes twice
    put scrapy.urls "$(python3 -c 'import json, sys
print(len({json.loads(l)["url"] for l in open(sys.argv[1])}))' "$W/items.jl")"
elif [ "${BENCH_SCRAPY:-1}" = 0 ]; then
    put scrapy_missing "not run (BENCH_SCRAPY=0)"
else
    put scrapy_missing "Scrapy not installed (apt-get install python3-scrapy): comparison skipped"
fi

put loadavg_end "$(loadavg)"
if [ "$(mtime "$bin")" != "$bin_mtime" ]; then
    put binary_changed "$(mtime "$bin")"
fi

echo
{
    python3 "$measure" report "$results"
    if [ -s "$W/profile.txt" ]; then
        echo
        cat "$W/profile.txt"
    fi
    if [ -s "$W/pgss.txt" ]; then
        echo
        cat "$W/pgss.txt"
    fi
} | tee "$bench_dir/report-crawl-last.txt"
cp "$results" "$bench_dir/results-crawl-last.txt"

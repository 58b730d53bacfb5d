#!/bin/sh
# Extraction benchmark: times `drpwatch scan --json --watch terms.yaml FILE`
# on a generated 100 MB corpus (and 50 MB, for linearity and memory growth)
# and on five adversarial inputs, counts findings per kind, and prints a
# report with PASS/FAIL against the targets of issue 3. See bench/README.md.
#
#   bench/extract/run.sh [DRPWATCH_BINARY]
#
# Environment (all optional):
#   DRPWATCH          binary when no argument is given
#                     (default: _build/default/drpwatch, built if missing)
#   BENCH_DIR         input cache and last report (default /var/tmp/drpwatch-bench)
#   BENCH_SEED        generator seed (default 1)
#   BENCH_SIZE_MB     corpus size in 10^6 bytes (default 100; half of it
#                     is the linearity/memory corpus)
#   BENCH_TERMS       watch terms (default 1000)
#   BENCH_RUNS        timed runs per input, best one kept (default 3)
#   BENCH_REPEAT_MAX  seconds: a first run longer than this is not repeated
#                     (default 120)
#   BENCH_TIMEOUT     seconds after which one run is killed (default 1800)
#   SCAN_CMD_OVERRIDE for testing this script only: a command line run as
#                     "$SCAN_CMD_OVERRIDE FILE" instead of drpwatch scan
#
# Exit status: 0 when the benchmark ran (whether or not targets are met),
# 1 when it could not run (no binary, a scan failed, ...).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

command -v python3 >/dev/null 2>&1 || die "python3 is needed"

bench_dir=${BENCH_DIR:-/var/tmp/drpwatch-bench}
seed=${BENCH_SEED:-1}
size=${BENCH_SIZE_MB:-100}
nterms=${BENCH_TERMS:-1000}
runs=${BENCH_RUNS:-3}
repeat_max=${BENCH_REPEAT_MAX:-120}
timeout=${BENCH_TIMEOUT:-1800}
half=$(python3 -c 'import sys; print("%g" % (float(sys.argv[1]) / 2))' "$size")

# ---- the binary
bin=${1:-${DRPWATCH:-}}
if [ -z "${SCAN_CMD_OVERRIDE:-}" ]; then
    bench_binary "$bin"
fi

# A fixed credential-hashing key: nothing is read from or written to a data
# directory. DRPWATCH_HOME points into the cache in case anything looks.
DRPWATCH_HASH_KEY=drpwatch-bench-hash-key-00000000
DRPWATCH_HOME=$bench_dir/home
# Compiled Hyperscan databases are cached (extract/hsdb.h): the bench keeps
# its own cache and empties it once to time a cold start as well.
DRPWATCH_CACHE_DIR=$bench_dir/hs-cache
export DRPWATCH_HASH_KEY DRPWATCH_HOME DRPWATCH_CACHE_DIR
unset DRPWATCH_DB || true

mkdir -p "$bench_dir" "$DRPWATCH_HOME" || die "cannot create $bench_dir"

# ---- inputs (regenerated when missing or older than gen.py)
gen=$here/gen.py
corpus_big=$bench_dir/corpus-$size-s$seed.txt
corpus_half=$bench_dir/corpus-$half-s$seed.txt
terms=$bench_dir/terms-$nterms-s$seed.yaml
empty=$bench_dir/empty.txt

stale() {
    [ ! -s "$1" ] || [ -n "$(find "$gen" -newer "$1")" ]
}

now() {
    python3 -c 'import time; print("%.3f" % time.time())'
}

generate() { # FILE ARGS...
    out=$1
    shift
    if stale "$out"; then
        t0=$(now)
        python3 "$gen" "$@" "$out" || die "gen.py $* failed"
        t1=$(now)
        python3 -c 'import sys; print("  generated %-40s in %6.1f s" %
            (sys.argv[1], float(sys.argv[3]) - float(sys.argv[2])))' \
            "$(basename "$out")" "$t0" "$t1"
    else
        echo "  cached    $(basename "$out")"
    fi
}

echo "bench: inputs in $bench_dir"
generate "$corpus_big" corpus --size-mb "$size" --seed "$seed"
generate "$corpus_half" corpus --size-mb "$half" --seed "$seed"
generate "$terms" watch --terms "$nterms" --seed "$seed"
for k in base64 dots at longline labels; do
    generate "$bench_dir/adv-$k.txt" adversarial "$k" --seed "$seed"
done
: >"$empty"

# ---- results file and run conditions
results=$(mktemp "$bench_dir/results.XXXXXX")
trap 'rm -f "$results"' EXIT
trap 'exit 1' INT TERM HUP

put() {
    printf '%s=%s\n' "$1" "$2" >>"$results"
}

bytes() {
    wc -c <"$1" | tr -d ' '
}

sha() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        python3 -c 'import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""):
        h.update(b)
print(h.hexdigest())' "$1"
    fi
}

loadavg() {
    cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'
}

mtime() {
    date -u -r "$1" '+%Y-%m-%d %H:%M:%S UTC'
}

put date "$(date -u '+%Y-%m-%d %H:%M:%S')"
put loadavg_start "$(loadavg)"
put machine "$(uname -srm)"
put cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null |
    head -n 1)"
put nproc "$(nproc 2>/dev/null || echo '?')"
put memtotal "$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' \
    /proc/meminfo 2>/dev/null)"
put bench_dir "$bench_dir"
put seed "$seed"
put terms "$nterms"
put terms.file "$(basename "$terms")"
put terms_present "$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1])
import gen; print(len(gen.PRESENT_TERMS))' "$here")"
put generator "bench/extract/gen.py (sha256 $(sha "$gen" | cut -c1-16))"
put big.file "$(basename "$corpus_big")"
put half.file "$(basename "$corpus_half")"
put big.sha256 "$(sha "$corpus_big")"
put half.sha256 "$(sha "$corpus_half")"
if [ -n "${SCAN_CMD_OVERRIDE:-}" ]; then
    put binary "(SCAN_CMD_OVERRIDE) $SCAN_CMD_OVERRIDE"
    put command "$SCAN_CMD_OVERRIDE FILE >/dev/null"
    put source "-"
else
    bin_mtime=$(mtime "$bin")
    put binary "$bin ($(bytes "$bin") B, modified $bin_mtime)"
    put command "drpwatch scan --json --watch $(basename "$terms") FILE >/dev/null"
    put source "$root: $(bench_source)"
fi

# ---- measuring
scan_time() { # LABEL FILE [RUNS [ADD]]
    if [ -n "${SCAN_CMD_OVERRIDE:-}" ]; then
        # shellcheck disable=SC2086 # the override is a command line
        python3 "$here/measure.py" time --label "$1" --bytes "$(bytes "$2")" \
            --results "$results" --runs "${3:-$runs}" --add "${4:-0}" \
            --repeat-max "$repeat_max" --timeout "$timeout" \
            -- $SCAN_CMD_OVERRIDE "$2"
    else
        python3 "$here/measure.py" time --label "$1" --bytes "$(bytes "$2")" \
            --results "$results" --runs "${3:-$runs}" --add "${4:-0}" \
            --repeat-max "$repeat_max" --timeout "$timeout" \
            -- "$bin" scan --json --watch "$terms" "$2"
    fi || die "could not measure $1 ($2)"
}

scan_count() { # LABEL FILE MIN_FINDINGS
    if [ -n "${SCAN_CMD_OVERRIDE:-}" ]; then
        # shellcheck disable=SC2086
        python3 "$here/measure.py" count --label "$1" --results "$results" \
            --min-findings "$3" -- $SCAN_CMD_OVERRIDE "$2"
    else
        python3 "$here/measure.py" count --label "$1" --results "$results" \
            --min-findings "$3" -- "$bin" scan --json --watch "$terms" "$2"
    fi || die "could not count findings of $2"
}

timed_out() {
    grep -q "^$1.timeout=1\$" "$results"
}

echo "bench: smoke test (first 64 KiB of the corpus, must print JSON findings)"
sample=$bench_dir/sample.txt
head -c 65536 "$corpus_big" >"$sample"
scan_count smoke "$sample" 1

echo "bench: timing (best of $runs; runs longer than ${repeat_max} s are not repeated)"
rm -rf "$DRPWATCH_CACHE_DIR"
scan_time empty_cold "$empty" 1 # compiles the patterns and caches them
scan_time empty "$empty"
# The two sizes in turns, so that both see the machine's same moments
# (this VM's speed drifts by a third from minute to minute): the
# linearity ratio compares like with like.
i=0
while [ "$i" -lt "$runs" ]; do
    scan_time big "$corpus_big" 1 1
    scan_time half "$corpus_half" 1 1
    i=$((i + 1))
    [ "$(python3 "$here/measure.py" done --label big --results "$results" \
        --repeat-max "$repeat_max")" = yes ] && break
done
for k in base64 dots at longline labels; do
    scan_time "adv_$k" "$bench_dir/adv-$k.txt"
done

echo "bench: findings per kind"
if timed_out big; then
    echo "  skipped: the $size MB scan timed out"
else
    scan_count count "$corpus_big" 0
fi

# The issue's yardstick: install Debian's ripgrep when we may (root, apt).
if ! command -v rg >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing ripgrep for the comparison"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep \
        >/dev/null 2>&1 || echo "bench: ripgrep could not be installed"
fi
if command -v rg >/dev/null 2>&1; then
    # (?-u): ASCII classes and word boundaries, as plain IoC regexes are
    # written; with rg's default Unicode \b its DFA gives up on non-ASCII
    # text and it runs some 35 times slower on this corpus, which would
    # make the yardstick meaningless.
    echo "bench: ripgrep comparison"
    put rg_version "$(rg --version | head -n 1 | cut -d' ' -f2)"
    python3 "$here/measure.py" time --label rg --bytes "$(bytes "$corpus_big")" \
        --results "$results" --runs "$runs" --repeat-max "$repeat_max" \
        --timeout "$timeout" --ok-codes 0,1 -- \
        rg --no-config -j1 -c \
        -e '(?-u)\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b' \
        -e '(?-u)[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}' \
        -e '(?-u)https?://[^\s"<>]+' \
        -e '(?-u)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|ru|info|io|xyz|top)\b' \
        -e '(?-u)\b(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})\b' \
        -e '(?-u)CVE-[0-9]{4}-[0-9]{4,7}' \
        "$corpus_big" || die "ripgrep failed"
else
    put rg missing
fi

put loadavg_end "$(loadavg)"
if [ -z "${SCAN_CMD_OVERRIDE:-}" ] && [ "$(mtime "$bin")" != "$bin_mtime" ]; then
    put binary_changed "$(mtime "$bin")"
fi

echo
python3 "$here/measure.py" report "$results" | tee "$bench_dir/report-last.txt"
cp "$results" "$bench_dir/results-last.txt"

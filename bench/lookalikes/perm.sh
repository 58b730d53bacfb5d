#!/bin/sh
# Permutation benchmark: times `drpwatch lookalikes --json DOMAIN` and
# Debian's `dnstwist --format list` (same dictionary and TLD list, so every
# fuzzer of both runs) on ten domains, one process per domain as a user
# runs them, and prints both tools' times, candidate counts and the ratio
# against issue 5's target (drpwatch at least 20 times faster). See
# bench/README.md.
#
#   bench/lookalikes/perm.sh [DRPWATCH_BINARY]
#
# Environment (all optional):
#   DRPWATCH      binary when no argument is given
#                 (default: _build/default/drpwatch, built if missing)
#   BENCH_RUNS    timed runs of the ten domains per tool; each domain's
#                 best run is kept (default 5)
#   BENCH_DIR     where the last report is kept (default /var/tmp/drpwatch-bench)
#
# Exit status: 0 when the benchmark ran (whether or not the target is met),
# 1 when it could not (no binary, a run that failed).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib.sh
. "$root/bench/lib.sh"

command -v python3 >/dev/null 2>&1 || die "python3 is needed"
runs=${BENCH_RUNS:-5}
bench_dir=${BENCH_DIR:-/var/tmp/drpwatch-bench}
mkdir -p "$bench_dir" || die "cannot create $bench_dir"

bench_binary "${1:-}"

# The yardstick: install Debian's dnstwist when we may (root, apt).
if ! command -v dnstwist >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing dnstwist for the comparison" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends dnstwist python3-idna >/dev/null 2>&1 ||
        echo "bench: dnstwist could not be installed" >&2
fi

rev=$(bench_source)

report=$bench_dir/report-lookalikes-perm-last.txt
python3 - "$bin" "$root/crawler/lookalike/words.txt" "$root/crawler/lookalike/tlds.txt" \
    "$runs" "$rev" >"$report.tmp" <<'PY' || die "the benchmark could not run"
import os, platform, resource, shutil, subprocess, sys, time

drpwatch, words, tlds, runs, rev = sys.argv[1:6]
runs = int(runs)
# Ten domains: short and long, hyphen and digit, IDN, multi-label suffixes.
DOMAINS = ["northwindbank.com", "contoso.com", "paypal.com", "microsoft.com",
           "bücher.de", "example.co.uk", "bp.com", "north-wind7.com",
           "deutsche-bank.de", "amazon.co.jp"]
TARGET = 20.0

def cmd_drpwatch(d):
    return [drpwatch, "lookalikes", "--json", d]

def cmd_dnstwist(d):
    return ["dnstwist", "--format", "list", "-d", words, "--tld", tlds, d]

def timed(cmd):
    """Wall and CPU seconds of one run, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("bench: %s failed (exit %d): %s" % (" ".join(cmd),
                 r.returncode, r.stderr.decode(errors="replace").strip()))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu

def count(cmd):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
    if r.returncode != 0:
        sys.exit("bench: %s failed (exit %d)" % (" ".join(cmd), r.returncode))
    return sum(1 for l in r.stdout.splitlines() if l.strip())

def measure(name, make):
    best = {d: (float("inf"), 0.0) for d in DOMAINS}
    totals = []
    for i in range(runs):
        tot = 0.0
        for d in DOMAINS:
            wall, cpu = timed(make(d))
            tot += wall
            if wall < best[d][0]:
                best[d] = (wall, cpu)
        totals.append(tot)
        print("  %-9s run %d: %7.3f s for ten domains" % (name, i + 1, tot),
              file=sys.stderr, flush=True)
    counts = {d: count(make(d)) for d in DOMAINS}
    return best, totals, counts

def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"

def cpu_model():
    try:
        for l in open("/proc/cpuinfo"):
            if l.startswith("model name"):
                return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"

load_start = loadavg()
print("bench: drpwatch (%d runs of ten domains)" % runs, file=sys.stderr)
ours = measure("drpwatch", cmd_drpwatch)
have_dt = shutil.which("dnstwist") is not None
if have_dt:
    print("bench: dnstwist (%d runs of ten domains)" % runs, file=sys.stderr)
    theirs = measure("dnstwist", cmd_dnstwist)
load_end = loadavg()

def dpkg_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "?"

st = os.stat(drpwatch)
print("Lookalike permutations: drpwatch against dnstwist (issue 5)")
print()
print("date        %s UTC" % time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))
print("machine     %s, %s, %s cores" % (" ".join(platform.uname()[0:3:2]),
                                        cpu_model(), os.cpu_count()))
print("load        %s at start, %s at end (a shared machine: compare CPU "
      "with wall times)" % (load_start, load_end))
print("drpwatch    %s (%d bytes, modified %s), %s" % (
    drpwatch, st.st_size,
    time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime)), rev))
print("            drpwatch lookalikes --json DOMAIN >/dev/null")
if have_dt:
    print("dnstwist    %s (Debian package), %s" % (dpkg_version("dnstwist"),
          subprocess.run(["/usr/bin/python3", "--version"], capture_output=True,
                         text=True).stdout.strip() or "python3"))
    print("            dnstwist --format list -d crawler/lookalike/words.txt "
          "--tld crawler/lookalike/tlds.txt DOMAIN >/dev/null")
print("method      one process per domain; each domain's best wall time of "
      "%d runs (CPU time of that run); all fuzzers of both tools" % runs)
print()
hdr = "%-20s %10s %9s %8s" % ("domain", "drpwatch", "wall ms", "cpu ms")
if have_dt:
    hdr += " %10s %9s %8s %7s" % ("dnstwist", "wall ms", "cpu ms", "ratio")
print(hdr)
tw = tc = dw = dc = 0.0
tn = dn = 0
for d in DOMAINS:
    w, c = ours[0][d]
    n = ours[2][d]
    tw += w; tc += c; tn += n
    line = "%-20s %10d %9.1f %8.1f" % (d, n, w * 1e3, c * 1e3)
    if have_dt:
        w2, c2 = theirs[0][d]
        n2 = theirs[2][d]
        dw += w2; dc += c2; dn += n2
        line += " %10d %9.1f %8.1f %6.1fx" % (n2, w2 * 1e3, c2 * 1e3, w2 / w)
    print(line)
line = "%-20s %10d %9.1f %8.1f" % ("total", tn, tw * 1e3, tc * 1e3)
if have_dt:
    line += " %10d %9.1f %8.1f %6.1fx" % (dn, dw * 1e3, dc * 1e3, dw / tw)
print(line)
print()
print("drpwatch    %.3f s wall, %.3f s CPU for ten domains; %d candidates "
      "(%.0f a second)" % (tw, tc, tn, tn / tw))
print("            every run: %s s" % ", ".join("%.3f" % t for t in ours[1]))
if have_dt:
    print("dnstwist    %.3f s wall, %.3f s CPU for ten domains; %d candidates "
          "(%.0f a second)" % (dw, dc, dn, dn / dw))
    print("            every run: %s s" % ", ".join("%.3f" % t for t in theirs[1]))
    ratio = dw / tw
    print()
    print("Target")
    print("  [%s] speed: drpwatch %.1f times dnstwist's (wall), %.1f times "
          "(CPU); target >= %.0f" % ("PASS" if ratio >= TARGET else "FAIL",
                                     ratio, dc / tc if tc else float("inf"),
                                     TARGET))
else:
    print()
    print("dnstwist not installed: comparison skipped (run as root to "
          "install it, or apt-get install dnstwist)")
PY
mv "$report.tmp" "$report"
cat "$report"

#!/bin/sh
# Registration-check benchmark (issue 5, "Speed"): drpwatch dns-check and
# dnstwist check every candidate of one brand against the same private
# unbound on loopback, which serves a root zone where a few hundred of them
# are registered; prints domains/s of both and the ratio against the
# target (10x dnstwist). See bench/README.md.
#
#   bench/lookalikes/dns.sh [DRPWATCH_BINARY]
#
# Environment (all optional):
#   DRPWATCH          binary when no argument is given
#                     (default: _build/default/drpwatch, built if missing)
#   BENCH_DIR         work files and the last report
#                     (default /var/tmp/drpwatch-bench/lookalikes-dns)
#   BENCH_DOMAIN      the brand's domain (default example-brand.com)
#   BENCH_REGISTERED  candidates registered in the zone (default 300)
#   BENCH_SEED        which ones (default 1)
#   BENCH_RUNS        runs of each tool, best kept (default 3)
#   BENCH_THREADS     dnstwist thread counts (default "6,32"; 6 is its
#                     default on 2 cores)
#   BENCH_INFLIGHT    drpwatch --max-inflight (default 1000)
#
# Needs root: dnstwist's --nameservers takes no port, so unbound listens
# on port 53 of a 127.53.x.y address. Installs unbound, dnstwist and
# python3-dnspython when missing (apt-get).
# Exit status: 0 when the benchmark ran (whether or not the target is
# met), 1 when it could not.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

command -v python3 >/dev/null 2>&1 || die "python3 is needed"
[ "$(id -u)" -eq 0 ] ||
    die "needs root: unbound must listen on port 53 for dnstwist"

missing=""
command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] ||
    missing="$missing unbound"
command -v dnstwist >/dev/null 2>&1 || missing="$missing dnstwist"
/usr/bin/python3 -c 'import dns.resolver' >/dev/null 2>&1 ||
    missing="$missing python3-dnspython"
if [ -n "$missing" ]; then
    echo "bench: installing:$missing" >&2
    # shellcheck disable=SC2086 # a list of packages
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null 2>&1 ||
        die "cannot install$missing"
fi
PATH=$PATH:/usr/sbin
export PATH

bench_binary "${1:-}"

dir=${BENCH_DIR:-/var/tmp/drpwatch-bench/lookalikes-dns}
mkdir -p "$dir" || die "cannot create $dir"
echo "bench: work files in $dir" >&2
python3 "$here/dnsbench.py" --bin "$bin" --source "$(bench_source)" \
    --dir "$dir" \
    --domain "${BENCH_DOMAIN:-example-brand.com}" \
    --registered "${BENCH_REGISTERED:-300}" --seed "${BENCH_SEED:-1}" \
    --runs "${BENCH_RUNS:-3}" --threads "${BENCH_THREADS:-6,32}" \
    --inflight "${BENCH_INFLIGHT:-1000}" >"$dir/report.tmp" ||
    die "the benchmark failed (see above)"
mv "$dir/report.tmp" "$dir/report-last.txt"
cat "$dir/report-last.txt"

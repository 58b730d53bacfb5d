#!/usr/bin/env python3
"""Registration-check benchmark (issue 5, "Speed"): drpwatch dns-check and
dnstwist check all of one brand's candidates against the same private
unbound on loopback, which serves a root zone holding a few hundred of
them. Run through bench/lookalikes/dns.sh; see bench/README.md.

Both tools check the same names: dnstwist generates them itself (it takes
a domain, not a list), drpwatch reads `dnstwist --format list DOMAIN`.
Before each run unbound's cache is flushed, and unbound's own statistics
give the queries each run sent. Prints the figures and the conditions;
exits 0 when the benchmark ran, 1 when it could not.
Python 3 standard library only (dnstwist brings its own dnspython).
"""

import argparse
import csv
import io
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UNBOUND_PY = os.path.join(ROOT, "tests", "fixtures", "unbound.py")
TARGET_RATIO = 10.0


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def timed(cmd, stdin_path=None, timeout=600):
    """Runs cmd; returns (wall s, CPU s, peak RSS MiB, stdout, stderr,
    exit status). CPU and memory are the process's own (wait4)."""
    with open(stdin_path or os.devnull, "rb") as stdin, \
            tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if wall >= timeout:
            die(f"{cmd[0]} did not finish within {timeout} s")
        out.seek(0)
        err.seek(0)
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, \
            out.read().decode(errors="replace"), \
            err.read().decode(errors="replace"), p.returncode


def make_zone(cands, n, seed, path):
    """A root zone where n candidates (the brand's own domain first)
    exist: A (6 in 10), A+AAAA+MX (2), MX only (1), CNAME to the brand (1).
    Returns the set of registered names."""
    rnd = random.Random(seed)
    picks = [cands[0]] + rnd.sample(cands[1:], n - 1)
    with open(path, "w") as f:
        f.write("$TTL 3600\n"
                ". SOA ns.bench-root. hostmaster.bench-root. 1 3600 600 "
                "86400 60\n"
                ". NS ns.bench-root.\n"
                "ns.bench-root. A 127.0.0.1\n")
        for i, name in enumerate(picks):
            kind = i % 10
            addr = ("198.51.100." if i // 250 % 2 == 0 else "203.0.113.") + \
                str(1 + i % 250)
            if kind < 6 or i == 0:
                f.write(f"{name}. A {addr}\n")
            elif kind < 8:
                f.write(f"{name}. A {addr}\n"
                        f"{name}. AAAA 2001:db8::{i:x}\n"
                        f"{name}. MX 10 mail.{name}.\n")
            elif kind == 8:
                f.write(f"{name}. MX 10 mx.{picks[0]}.\n")
            else:
                f.write(f"{name}. CNAME {picks[0]}.\n")
    return set(picks)


def pick_address():
    """A loopback address whose port 53 is free (dnstwist knows no port)."""
    for _ in range(50):
        addr = f"127.53.{random.randrange(1, 255)}.{random.randrange(1, 255)}"
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((addr, 53))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return addr
    die("no loopback address with a free port 53 (127.53.0.0/16)")


class Unbound:
    def __init__(self, d, fragment, address):
        self.dir = d
        self.conf = os.path.join(d, "unbound.conf")
        r = subprocess.run([sys.executable, UNBOUND_PY, "start", "--dir", d,
                            "--conf", fragment, "--address", address,
                            "--port", "53"], capture_output=True, text=True)
        if r.returncode != 0:
            die("cannot start unbound:\n" + r.stderr)
        self.address = address

    def control(self, *args):
        r = subprocess.run(["unbound-control", "-c", self.conf, *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            die(f"unbound-control {' '.join(args)} failed: {r.stderr}{r.stdout}")
        return r.stdout

    def queries(self):
        m = re.search(r"^total\.num\.queries=(\d+)$",
                      self.control("stats_noreset"), re.M)
        return int(m.group(1)) if m else 0

    def flush(self):
        self.control("flush_zone", ".")
        self.control("flush_infra", "all")
        self.control("flush_requestlist")

    def version(self):
        r = subprocess.run(["unbound", "-V"], capture_output=True, text=True)
        return r.stdout.split("\n")[0]

    def stop(self):
        subprocess.run([sys.executable, UNBOUND_PY, "stop", "--dir", self.dir])


def drpwatch_run(a, ub, cands_path, n):
    cmd = [a.bin, "dns-check", "--server", f"{ub.address}:53",
           "--max-inflight", str(a.inflight), "--json", "-"]
    wall, cpu, rss, out, err, rc = timed(cmd, stdin_path=cands_path)
    if rc not in (0, 3):
        die(f"drpwatch dns-check failed (exit {rc}):\n{err}")
    rows = [json.loads(line) for line in out.splitlines()]
    if len(rows) != n:
        die(f"drpwatch printed {len(rows)} results for {n} names")
    states = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    found = {r["name"] for r in rows if r["state"] == "registered"}
    return wall, cpu, rss, found, states


def dnstwist_run(a, ub, threads):
    cmd = ["dnstwist", "--registered", "--format", "csv", "--threads",
           str(threads), "--nameservers", ub.address, a.domain]
    wall, cpu, rss, out, err, rc = timed(cmd)
    if rc != 0:
        die(f"dnstwist failed (exit {rc}):\n{err}")
    found = {row["domain"] for row in csv.DictReader(io.StringIO(out))}
    servfail = out.count("!ServFail")
    return wall, cpu, rss, found, servfail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--source", default="?")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--domain", default="example-brand.com")
    ap.add_argument("--registered", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", default="6,32",
                    help="dnstwist thread counts, comma-separated")
    ap.add_argument("--inflight", type=int, default=1000)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    threads = [int(t) for t in a.threads.split(",") if t]

    # The candidates, as dnstwist generates them (no DNS).
    cands_path = os.path.join(a.dir, "candidates.txt")
    gen_walls = []
    for _ in range(a.runs):
        wall, _, _, out, err, rc = timed(["dnstwist", "--format", "list",
                                       a.domain])
        if rc != 0:
            die(f"dnstwist --format list failed:\n{err}")
        gen_walls.append(wall)
    cands = [c for c in out.split() if c]
    with open(cands_path, "w") as f:
        f.write("\n".join(cands) + "\n")
    n = len(cands)
    if n <= a.registered:
        die(f"{a.domain}: only {n} candidates for {a.registered} registered")
    gen_wall = min(gen_walls)

    zone = os.path.join(a.dir, "root.zone")
    truth = make_zone(cands, a.registered, a.seed, zone)
    fragment = os.path.join(a.dir, "bench.conf")
    ctl = os.path.join(a.dir, "unbound", "control.sock")
    with open(fragment, "w") as f:
        f.write(f"""  so-rcvbuf: 4m
  so-sndbuf: 4m
  msg-cache-size: 64m
  rrset-cache-size: 64m
auth-zone:
  name: "."
  zonefile: "{zone}"
  for-downstream: no
  for-upstream: yes
  fallback-enabled: no
remote-control:
  control-enable: yes
  control-interface: "{ctl}"
  control-use-cert: no
""")
    ub = Unbound(os.path.join(a.dir, "unbound"), fragment, pick_address())
    results = {"drpwatch": []}
    for t in threads:
        results[f"dnstwist-{t}"] = []
    found_sets = {}
    notes = []
    try:
        for run in range(a.runs):
            ub.flush()
            q0 = ub.queries()
            wall, cpu, rss, found, states = drpwatch_run(a, ub, cands_path,
                                                         n)
            results["drpwatch"].append((wall, cpu, rss, ub.queries() - q0))
            found_sets["drpwatch"] = found
            if states.get("unknown") or states.get("wildcard"):
                notes.append(f"drpwatch run {run + 1}: {states}")
            for t in threads:
                ub.flush()
                q0 = ub.queries()
                wall, cpu, rss, found, servfail = dnstwist_run(a, ub, t)
                results[f"dnstwist-{t}"].append((wall, cpu, rss,
                                                 ub.queries() - q0))
                found_sets[f"dnstwist-{t}"] = found
                if servfail:
                    notes.append(f"dnstwist {t} threads run {run + 1}: "
                                 f"{servfail} SERVFAIL")
    finally:
        ub.stop()
    report(a, n, truth, gen_wall, results, found_sets, notes, ub, threads)


def report(a, n, truth, gen_wall, results, found_sets, notes, ub, threads):
    def best(key):
        return min(results[key], key=lambda r: r[0])

    print()
    print("== bench/lookalikes/dns.sh: registration checks (issue 5) ==")
    print(f"date        {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"machine     {platform.machine()}, {os.cpu_count()} cores, "
          f"load {open('/proc/loadavg').read().split()[0]} (1 min)")
    print(f"resolver    {ub.version()}, 1 thread, on {ub.address}:53, "
          "cache flushed before each run")
    print(f"zone        '.' with {len(truth)} of the {n} candidates of "
          f"{a.domain} registered (seed {a.seed}): 6/10 A, 2/10 A+AAAA+MX, "
          "1/10 MX, 1/10 CNAME")
    print(f"source      {a.source}")
    print(f"drpwatch    {a.bin} dns-check --server {ub.address}:53 "
          f"--max-inflight {a.inflight} --json - < candidates.txt")
    print(f"dnstwist    dnstwist --registered --format csv --threads T "
          f"--nameservers {ub.address} {a.domain}   (T = "
          f"{', '.join(map(str, threads))}; its own candidate generation, "
          f"{gen_wall:.2f} s alone, is subtracted)")
    print(f"runs        best of {a.runs}")
    print()
    print(f"{'tool':<14} {'wall s':>8} {'checks s':>9} {'domains/s':>10} "
          f"{'cpu s':>7} {'RSS MiB':>8} {'queries':>8}  registered found")
    rates = {}
    for key in results:
        wall, cpu, rss, queries = best(key)
        checks = wall if key == "drpwatch" else max(wall - gen_wall, 1e-3)
        rates[key] = n / checks
        found = found_sets[key]
        exact = "exact" if found == truth else \
            f"{len(found & truth)} of {len(truth)}, {len(found - truth)} extra"
        print(f"{key:<14} {wall:>8.2f} {checks:>9.2f} {rates[key]:>10.0f} "
              f"{cpu:>7.2f} {rss:>8.1f} {queries:>8}  {exact}")
    tw = max((k for k in rates if k != "drpwatch"), key=lambda k: rates[k])
    ratio = rates["drpwatch"] / rates[tw]
    print()
    print(f"drpwatch {rates['drpwatch']:.0f} domains/s, dnstwist's best "
          f"({tw}) {rates[tw]:.0f} domains/s: ratio {ratio:.1f}x "
          f"(target >= {TARGET_RATIO:.0f}x): "
          f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()

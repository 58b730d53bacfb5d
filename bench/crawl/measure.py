#!/usr/bin/env python3
"""Measuring and reporting helpers for bench/crawl/run.sh.

    measure.py port
        Prints a free TCP port on 127.0.0.1.
    measure.py run --label L --results F --out FILE --err FILE
                   [--timeout S] [--ok-codes 0,3] -- CMD ARGS...
        Runs CMD once (stdin /dev/null, stdout to --out, stderr to --err)
        and appends to F: wall time, user and system CPU time and peak RSS
        (ru_maxrss from wait4 on that very process) and the exit code.
        A run longer than --timeout seconds is killed and recorded as
        timed out (what it stored by then is still reported). --pidfile
        gets the process id as soon as it runs (for perf).
    measure.py treecpu PID
        CPU seconds (user + system) used so far by PID, the processes below
        it, and the children they have reaped: run before and after a
        measurement, the difference is what that process tree used (the
        PostgreSQL server, nginx).
    measure.py nginxlog --results F --label L --skip N --log LOG
        Reads the access log from line N + 1: requests, distinct paths,
        paths requested more than once, statuses, bytes sent.
    measure.py perfsum --pids P1,P2 --report FILE [--top N]
        From `perf report --sort pid,dso,sym` output: the self time of
        those processes by process, library and function.
    measure.py report F
        Prints the report and the PASS/FAIL lines from F.

Processes are started as in bench/extract/measure.py (forked by a
throw-away /bin/sh, re-parented to this helper as a Linux child subreaper),
so the peak RSS is the command's own, not Python's floor. Standard library
only. A command that exits with a code outside --ok-codes makes the helper
exit 1 after printing the tail of its stderr: the benchmark cannot go on.
"""

import os
import re
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "extract"))
import measure as xm  # noqa: E402  (spawn_isolated, wait_child, subreaper)

MIB = 1024.0 * 1024.0
TARGET_PPS = 1500.0
TARGET_RSS_MB = 100.0   # 10^6 bytes, as the issue writes "100 MB"


def die(msg):
    print("measure.py: " + msg, file=sys.stderr)
    sys.exit(1)


def opts_and_cmd(argv, spec):
    opts = dict(spec)
    i = 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if not a.startswith("--") or a[2:] not in spec or i + 1 >= len(argv):
            die("bad option %r" % a)
        opts[a[2:]] = argv[i + 1]
        i += 2
    return opts, argv[i + 1:]


def cmd_port(argv):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
    return 0


def cmd_run(argv):
    opts, cmd = opts_and_cmd(argv, {"label": None, "results": None,
                                    "out": os.devnull, "err": os.devnull,
                                    "timeout": "3600", "ok-codes": "0",
                                    "pidfile": None})
    if not cmd or not opts["label"] or not opts["results"]:
        die("run needs --label, --results and a command")
    label = opts["label"]
    ok = {int(c) for c in opts["ok-codes"].split(",")}
    isolated = xm.subreaper() and os.path.exists("/bin/sh")
    with open(opts["out"], "wb") as out, open(opts["err"], "wb") as err:
        t0 = time.perf_counter()
        if isolated:
            pid = xm.spawn_isolated(cmd, out.fileno(), err.fileno())
        else:
            pid = xm.spawn(cmd, out.fileno(), err.fileno())
        if opts["pidfile"]:
            with open(opts["pidfile"], "w") as f:
                f.write("%d\n" % pid)
        status, ru = xm.wait_child(pid, float(opts["timeout"]))
        wall = time.perf_counter() - t0
    code = "timeout" if status is None else os.waitstatus_to_exitcode(status)
    xm.append(opts["results"], [
        (label + ".wall", "%.6f" % wall),
        (label + ".utime", "%.6f" % ru.ru_utime),
        (label + ".stime", "%.6f" % ru.ru_stime),
        (label + ".rss_kb", ru.ru_maxrss),
        (label + ".exit", code),
        (label + ".limit", opts["timeout"]),
        (label + ".rss_method",
         "wait4 ru_maxrss of the process, forked by /bin/sh" if isolated
         else "wait4 ru_maxrss of a child of Python (Python's floor "
              "included)"),
    ])
    print("  %-9s %8.2f s wall  cpu user %7.2f s sys %6.2f s  peak RSS "
          "%6.1f MiB  exit %s" % (label, wall, ru.ru_utime, ru.ru_stime,
                                  ru.ru_maxrss / 1024.0, code), flush=True)
    if code != "timeout" and code not in ok:
        with open(opts["err"], "rb") as f:
            tail = f.read()[-3000:].decode("utf-8", "replace")
        die("%s failed (exit %s): %s\n%s" % (label, code, " ".join(cmd),
                                             tail))
    return 0


def proc_stat(pid):
    """(ppid, utime+stime+cutime+cstime in ticks) or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            s = f.read().decode("ascii", "replace")
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # fields after the name: state ppid ... utime(14) stime cutime cstime
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def cmd_treecpu(argv):
    root = int(argv[0])
    stats = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st:
                stats[int(d)] = st
    if root not in stats:
        print("0")
        return 0
    total = 0
    for pid, (ppid, ticks) in stats.items():
        p = pid
        while p and p != root and p in stats:
            p = stats[p][0]
        if p == root:
            total += ticks
    print("%.2f" % (total / os.sysconf("SC_CLK_TCK")))
    return 0


def cmd_cpustat(argv):
    """Prints the machine's CPU ticks (/proc/stat's "cpu" line) as
    "total idle steal"; with two such triples (before, after), what the
    machine did in between: busy, stolen by the host, idle."""
    if len(argv) == 6:
        t0, i0, s0, t1, i1, s1 = (int(x) for x in argv)
        dt = max(t1 - t0, 1)
        print("%.0f %% busy, %.0f %% stolen by the hypervisor (steal), "
              "%.0f %% idle" % (100.0 * (dt - (i1 - i0) - (s1 - s0)) / dt,
                                100.0 * (s1 - s0) / dt,
                                100.0 * (i1 - i0) / dt))
        return 0
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest counted in user)
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    steal = v[7] if len(v) > 7 else 0
    print("%d %d %d" % (sum(v[:8]), idle, steal))
    return 0


LOG_RE = re.compile(r'^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+)[^"]*" (\d+) (\d+)')


def cmd_nginxlog(argv):
    opts, rest = opts_and_cmd(argv + ["--"], {"results": None, "label": None,
                                             "skip": "0", "log": None})
    label = opts["label"]
    skip = int(opts["skip"])
    paths = {}
    statuses = {}
    nbytes = n = bad = 0
    with open(opts["log"], encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            m = LOG_RE.match(line)
            if not m:
                bad += 1
                continue
            n += 1
            paths[m.group(2)] = paths.get(m.group(2), 0) + 1
            statuses[m.group(3)] = statuses.get(m.group(3), 0) + 1
            nbytes += int(m.group(4))
    again = sum(1 for c in paths.values() if c > 1)
    xm.append(opts["results"], [
        (label + ".requests", n),
        (label + ".paths", len(paths)),
        (label + ".paths_again", again),
        (label + ".statuses", " ".join("%s:%d" % kv for kv in
                                       sorted(statuses.items()))),
        (label + ".bytes", nbytes),
        (label + ".unparsed", bad),
    ])
    return 0


PERF_RE = re.compile(r"\s*([\d.]+)%\s+(\d+):(\S+)\s+(\S+)\s+\[(.)\]\s+(.*)")


def cmd_perfsum(argv):
    """Self time of the given processes in `perf report --sort pid,dso,sym
    --no-children -g none --stdio` output, as shares of their own total
    (perf report's --pid filter drops most samples of a system-wide
    record here, so the filtering is done on its full table). perf's
    "pid" is a thread's id: pass every thread of a process."""
    opts, _ = opts_and_cmd(argv + ["--"], {"pids": "", "report": None,
                                          "top": "30"})
    pids = {p for p in opts["pids"].split(",") if p}
    rows = []
    with open(opts["report"], encoding="utf-8", errors="replace") as f:
        for line in f:
            m = PERF_RE.match(line)
            if m and m.group(2) in pids:
                rows.append((float(m.group(1)), m.group(3), m.group(4),
                             m.group(6).strip()))
    total = sum(r[0] for r in rows)
    if total <= 0:
        print("  (no samples of these processes)")
        return 0
    byproc, bydso, bysym = {}, {}, {}
    for pct, comm, dso, sym in rows:
        byproc[comm] = byproc.get(comm, 0.0) + pct
        bydso[(comm, dso)] = bydso.get((comm, dso), 0.0) + pct
        # a function of several threads or backends: one line
        bysym[(comm, dso, sym)] = bysym.get((comm, dso, sym), 0.0) + pct
    rows = [(v, c, d, f) for (c, d, f), v in bysym.items()]
    print("  by process: " + ", ".join(
        "%s %.1f %%" % (c, 100 * v / total)
        for c, v in sorted(byproc.items(), key=lambda kv: -kv[1])))
    print("  by process and library:")
    for (c, d), v in sorted(bydso.items(), key=lambda kv: -kv[1])[:12]:
        print("    %5.1f %%  %-9s %s" % (100 * v / total, c, d))
    print("  top functions (self):")
    for pct, comm, dso, sym in sorted(rows, reverse=True)[:int(opts["top"])]:
        print("    %5.1f %%  %-9s %-22s %s" % (100 * pct / total, comm,
                                               dso[:22], sym[:60]))
    return 0


def load(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                r[k] = v
    return r


def fnum(r, k, default=None):
    try:
        return float(r[k])
    except (KeyError, ValueError):
        return default


def crawler_lines(r, label, stored_key, what):
    out = []
    wall = fnum(r, label + ".wall")
    if wall is None:
        return out, None, None
    stored = fnum(r, stored_key, 0.0)
    ut, st = fnum(r, label + ".utime", 0.0), fnum(r, label + ".stime", 0.0)
    rss = fnum(r, label + ".rss_kb", 0.0) * 1024.0
    pps = stored / wall if wall > 0 else 0.0
    out.append("  %-34s %d (%s)" % ("pages stored", stored, what))
    code = r.get(label + ".exit", "?")
    if code == "timeout":
        code = "KILLED after %s s: BENCH_TIMEOUT" % r.get(label + ".timeout")
    out.append("  %-34s %.2f s (exit %s)" % ("wall time", wall, code))
    out.append("  %-34s %.1f pages/s" % ("throughput", pps))
    out.append("  %-34s user %.2f s + sys %.2f s = %.0f %% of one core"
               % ("CPU time", ut, st, 100.0 * (ut + st) / wall if wall else 0))
    out.append("  %-34s %.1f MiB (%.1f MB)" % ("peak RSS", rss / MIB,
                                                rss / 1e6))
    req = r.get(label + "_log.requests")
    if req is not None:
        out.append("  %-34s %s requests, %s distinct paths, %s requested "
                   "more than once; status %s; %.1f MB sent"
                   % ("nginx access log", req, r.get(label + "_log.paths"),
                      r.get(label + "_log.paths_again"),
                      r.get(label + "_log.statuses"),
                      fnum(r, label + "_log.bytes", 0) / 1e6))
    return out, pps, rss


def cmd_report(argv):
    r = load(argv[0])
    L = []
    L.append("drpwatch crawl benchmark (bench/crawl/run.sh)")
    L.append("")
    L.append("Conditions")
    for k, name in [("date", "date (UTC)"), ("machine", "machine"),
                    ("cpu", "CPU"), ("nproc", "cores (nproc)"),
                    ("memtotal", "memory"),
                    ("loadavg_start", "load average at start"),
                    ("loadavg_end", "load average at end"),
                    ("cpu_during", "CPU during the crawl"),
                    ("source", "drpwatch source"), ("binary", "binary"),
                    ("postgres", "PostgreSQL"), ("nginx", "nginx"),
                    ("scrapy", "Scrapy"), ("python", "Python"),
                    ("site", "site"), ("site_bytes", "site size"),
                    ("config", "drpwatch configuration"),
                    ("instr", "BENCH_INSTR")]:
        if k in r:
            L.append("  %-22s %s" % (name, r[k]))
    if "binary_changed" in r:
        L.append("  WARNING: the binary was rebuilt during the run (%s)"
                 % r["binary_changed"])
    L.append("")
    L.append("drpwatch run --once (fetch, parse, extract, store; embedded "
             "PostgreSQL)")
    dl, dpps, drss = crawler_lines(r, "drpwatch", "db.documents",
                                   "documents in the database")
    L.extend(dl)
    if dl:
        for k, name in [("db.distinct_urls", "distinct URLs stored"),
                        ("db.jobs", "jobs (frontier)"),
                        ("db.jobs_unfetched", "jobs never fetched"),
                        ("db.findings", "findings"),
                        ("db.sightings", "sightings"),
                        ("db.alerts", "alerts"),
                        ("db.size", "database size"),
                        ("db.work", "PostgreSQL work"),
                        ("pg.instr", "PostgreSQL instructions"),
                        ("summary", "drpwatch's own summary")]:
            if k in r:
                L.append("  %-34s %s" % (name, r[k]))
        pg = fnum(r, "pg.cpu")
        if pg is not None:
            L.append("  %-34s %.2f s during the crawl = %.0f %% of one core "
                     "(not in drpwatch's figures)"
                     % ("PostgreSQL server CPU", pg,
                        100.0 * pg / fnum(r, "drpwatch.wall")))
        ng = fnum(r, "nginx_drpwatch.cpu")
        if ng is not None:
            L.append("  %-34s %.2f s" % ("nginx CPU", ng))
        L.append("  (peak RSS is the drpwatch process only: the PostgreSQL "
                 "server's memory is not counted)")
    L.append("")
    L.append("Scrapy (the yardstick: same site, same links, one CSS "
             "extraction, items to JSON lines)")
    if "scrapy_missing" in r:
        L.append("  " + r["scrapy_missing"])
        spps = None
    else:
        sl, spps, srss = crawler_lines(
            r, "scrapy", "scrapy.urls", "distinct URLs among its %s items"
            % r.get("scrapy.items", "?"))
        L.extend(sl)
        ng = fnum(r, "nginx_scrapy.cpu")
        if ng is not None:
            L.append("  %-34s %.2f s" % ("nginx CPU", ng))
        if spps and dpps:
            L.append("  %-34s %.2f x Scrapy's pages/s, %.2f x its peak RSS"
                     % ("drpwatch / Scrapy", dpps / spps,
                        drss / srss if srss else 0.0))
    L.append("")
    L.append("Targets (issue 4)")
    if dpps is None:
        L.append("  [FAIL] drpwatch did not run")
    else:
        complete = (fnum(r, "db.documents", 0) >= fnum(r, "site_pages", 0))
        L.append("  [%s] throughput >= %.0f pages/s: %.1f pages/s"
                 % ("PASS" if dpps >= TARGET_PPS else "FAIL", TARGET_PPS,
                    dpps))
        L.append("  [%s] peak RSS <= %.0f MB: %.1f MB"
                 % ("PASS" if drss <= TARGET_RSS_MB * 1e6 else "FAIL",
                    TARGET_RSS_MB, drss / 1e6))
        L.append("  [%s] every page stored: %d of %d"
                 % ("PASS" if complete else "FAIL",
                    fnum(r, "db.documents", 0), fnum(r, "site_pages", 0)))
    print("\n".join(L))
    return 0


def main(argv):
    cmds = {"port": cmd_port, "run": cmd_run, "treecpu": cmd_treecpu,
            "cpustat": cmd_cpustat,
            "nginxlog": cmd_nginxlog, "perfsum": cmd_perfsum,
            "report": cmd_report}
    if len(argv) < 2 or argv[1] not in cmds:
        die("usage: measure.py port|run|treecpu|cpustat|nginxlog|perfsum|"
            "report ...")
    return cmds[argv[1]](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))

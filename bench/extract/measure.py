#!/usr/bin/env python3
"""Measuring and reporting helpers for bench/extract/run.sh.

    measure.py time  --label L --bytes N --results F [options] -- CMD ARGS...
        Runs CMD (stdin /dev/null, stdout /dev/null) up to --runs times and
        appends to F: wall time of each run, the best (lowest), the peak RSS
        (ru_maxrss of that very child, from wait4) and CPU time. With
        --add 1, the runs join those of the same label in F (two inputs
        timed in turns).
    measure.py count --label L --results F [--min-findings N] -- CMD ARGS...
        Runs CMD once, reads its stdout as JSON lines and appends the number
        of findings per "kind" (and how many are "watched") to F.
    measure.py done --label L --results F [--repeat-max S]
        Prints "yes" when L's best run so far in F took longer than S
        seconds or timed out (no more runs of it), else "no".
    measure.py report F
        Prints the report and the PASS/FAIL lines from F.

Everything is Python 3 standard library. Each timed run is its own process,
reaped with wait4, so its rusage is its own (no mixing of runs as with
RUSAGE_CHILDREN). It is forked by a throw-away /bin/sh and re-parented to
this helper (a Linux child subreaper): ru_maxrss survives exec, so a child
spawned straight from Python would report at least Python's own ~14 MiB.
A command that exits non-zero makes the helper exit 1 (the benchmark cannot
run), after printing the tail of its stderr. A run longer than --timeout
seconds is killed and recorded as timed out.
"""

import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time

MB = 1e6
MIB = 1024.0 * 1024.0

TARGET_MBPS = 150.0
TARGET_LINEAR = 2.2
TARGET_ADV = 0.1
TARGET_RSS_GROWTH = 0.10
NOISE_S = 0.005
PR_SET_CHILD_SUBREAPER = 36  # net times below this are treated as this (timer noise)


def die(msg):
    print("measure.py: " + msg, file=sys.stderr)
    sys.exit(1)


def append(results, pairs):
    with open(results, "a", encoding="utf-8") as f:
        for k, v in pairs:
            f.write("%s=%s\n" % (k, v))


def parse_opts(argv, spec, need_cmd=True):
    """--name value options up to "--", then the command (if need_cmd)."""
    opts = dict(spec)
    i = 0
    while i < len(argv) and argv[i] != "--":
        a = argv[i]
        if not a.startswith("--") or a[2:] not in spec or i + 1 >= len(argv):
            die("bad option %r" % a)
        opts[a[2:]] = argv[i + 1]
        i += 2
    cmd = argv[i + 1:]
    if not cmd and need_cmd:
        die("no command after --")
    return opts, cmd


def spawn(cmd, stdout_fd, stderr_fd):
    path = cmd[0] if "/" in cmd[0] else shutil.which(cmd[0])
    if path is None:
        die("command not found: %s" % cmd[0])
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_DUP2, stdout_fd, 1),
               (os.POSIX_SPAWN_DUP2, stderr_fd, 2)]
    return os.posix_spawn(path, cmd, os.environ, file_actions=actions)


def wait_child(pid, timeout):
    """Blocking wait4; a timer kills the child at the deadline.
    -> (status, or None when it was killed for the timeout; rusage)"""
    killed = threading.Event()

    def kill():
        killed.set()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    try:
        _, status, ru = os.wait4(pid, 0)
    finally:
        timer.cancel()
    return (None if killed.is_set() else status), ru


def subreaper():
    """Become a child subreaper (Linux prctl), so that a grandchild whose
    parent exits is re-parented to us and we can wait4() it. True if so."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError, ImportError):
        return False


def spawn_isolated(cmd, stdout_fd, stderr_fd):
    """Starts cmd as a grandchild forked by /bin/sh, which exits at once.

    ru_maxrss is a high-water mark that survives exec, and a child spawned
    straight from Python starts with Python's own resident set (~14 MiB)
    as its floor. Forked by a small shell instead, the floor is ~1 MiB and
    the figure is the scan's own. Returns the grandchild's pid."""
    rfd, wfd = os.pipe()
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_DUP2, stdout_fd, 1),
               (os.POSIX_SPAWN_DUP2, stderr_fd, 2),
               (os.POSIX_SPAWN_DUP2, wfd, 3)]
    script = 'exec </dev/null; "$@" 3>&- & echo "$!" >&3'
    sh = os.posix_spawn("/bin/sh", ["sh", "-c", script, "sh"] + cmd,
                        os.environ, file_actions=actions)
    os.close(wfd)
    data = b""
    while True:
        chunk = os.read(rfd, 64)
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    _, status = os.waitpid(sh, 0)
    try:
        pid = int(data)
    except ValueError:
        die("could not start: %s (sh exit %d)" % (
            " ".join(cmd), os.waitstatus_to_exitcode(status)))
    return pid


def run_once(cmd, timeout, ok_codes, isolated):
    """One timed run; stdout to /dev/null. -> (wall, maxrss_kb, cpu_s, code)"""
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        if isolated:
            pid = spawn_isolated(cmd, null.fileno(), err.fileno())
        else:
            pid = spawn(cmd, null.fileno(), err.fileno())
        status, ru = wait_child(pid, timeout)
        wall = time.perf_counter() - t0
        if status is None:
            return wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime, "timeout"
        code = os.waitstatus_to_exitcode(status)
        if code not in ok_codes:
            err.seek(0)
            tail = err.read()[-2000:].decode("utf-8", "replace")
            die("command failed (exit %d): %s\n%s" % (code, " ".join(cmd), tail))
        return wall, ru.ru_maxrss, ru.ru_utime + ru.ru_stime, code


def cmd_time(argv):
    opts, cmd = parse_opts(argv, {"label": None, "bytes": "0", "results": None,
                                  "runs": "3", "repeat-max": "120",
                                  "timeout": "1800", "ok-codes": "0",
                                  "add": "0"})
    if not opts["label"] or not opts["results"]:
        die("time needs --label and --results")
    label = opts["label"]
    nbytes = int(opts["bytes"])
    runs = max(1, int(opts["runs"]))
    repeat_max = float(opts["repeat-max"])
    timeout = float(opts["timeout"])
    ok = {int(c) for c in opts["ok-codes"].split(",")}
    isolated = subreaper() and os.path.exists("/bin/sh")
    if isolated:
        method = "wait4 ru_maxrss of the scan, forked by /bin/sh (floor ~1 MiB)"
    else:
        method = ("wait4 ru_maxrss of a child of Python: includes Python's "
                  "%.1f MiB floor" % (resource.getrusage(resource.RUSAGE_SELF)
                                      .ru_maxrss / 1024.0))
    walls, rss, cpus = [], [], []
    timed_out = False
    note = ""
    for i in range(runs):
        wall, maxrss, cpu, code = run_once(cmd, timeout, ok, isolated)
        walls.append(wall)
        rss.append(maxrss)
        cpus.append(cpu)
        rate = " %8.1f MB/s" % (nbytes / MB / wall) if nbytes else ""
        print("  %-16s run %d/%d %9.3f s%s  cpu %8.3f s  peak RSS %7.1f MiB%s"
              % (label, i + 1, runs, wall, rate, cpu, maxrss / 1024.0,
                 "  TIMEOUT" if code == "timeout" else ""), flush=True)
        if code == "timeout":
            timed_out = True
            note = "timed out after %.0f s" % timeout
            break
        if i + 1 < runs and wall > repeat_max:
            note = ("1 of %d runs: the first took %.0f s > %.0f s "
                    "(BENCH_REPEAT_MAX)" % (runs, wall, repeat_max))
            break
    if opts["add"] == "1" and os.path.exists(opts["results"]):
        # More runs of a label measured before (runs of two inputs in
        # turns): the best of all of them, the peak of all of them.
        prev = load(opts["results"])
        if prev.get(label + ".walls"):
            walls = [float(w) for w in prev[label + ".walls"].split(",")] + walls
            cpus = [float(c) for c in prev[label + ".cpus"].split(",")] + cpus
            rss.append(int(prev[label + ".rss_kb"]))
            timed_out = timed_out or prev.get(label + ".timeout") == "1"
            note = note or prev.get(label + ".note", "")
    best = min(range(len(walls)), key=lambda j: walls[j])
    append(opts["results"], [
        (label + ".bytes", nbytes),
        (label + ".runs", len(walls)),
        (label + ".walls", ",".join("%.6f" % w for w in walls)),
        (label + ".cpus", ",".join("%.6f" % c for c in cpus)),
        (label + ".wall", "%.6f" % walls[best]),
        (label + ".cpu", "%.6f" % cpus[best]),
        (label + ".rss_kb", max(rss)),
        (label + ".timeout", int(timed_out)),
        (label + ".note", note),
        ("rss_method", method),
    ])
    return 0


def cmd_count(argv):
    opts, cmd = parse_opts(argv, {"label": None, "results": None,
                                  "min-findings": "0"})
    if not opts["label"] or not opts["results"]:
        die("count needs --label and --results")
    label = opts["label"]
    kinds = {}
    watched = 0
    bad = 0
    lines = 0
    rfd, wfd = os.pipe()
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        pid = spawn(cmd, wfd, err.fileno())
        os.close(wfd)
        with os.fdopen(rfd, "rb", buffering=1 << 20) as out:
            for line in out:
                lines += 1
                try:
                    obj = json.loads(line)
                    k = obj["kind"]
                except (ValueError, KeyError, TypeError):
                    bad += 1
                    continue
                kinds[k] = kinds.get(k, 0) + 1
                if obj.get("watched"):
                    watched += 1
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            die("command failed (exit %d): %s\n%s" % (
                code, " ".join(cmd), err.read()[-2000:].decode("utf-8", "replace")))
    if (lines and bad == lines) or sum(kinds.values()) < int(opts["min-findings"]):
        die("fewer than %s JSON objects with a 'kind' (%d lines) in the output "
            "of: %s" % (opts["min-findings"], lines, " ".join(cmd)))
    pairs = [(label + ".kinds", ",".join(sorted(kinds))),
             (label + ".total", sum(kinds.values())),
             (label + ".watched", watched), (label + ".bad_lines", bad),
             (label + ".wall", "%.6f" % wall)]
    pairs += [("%s.kind.%s" % (label, k), n) for k, n in sorted(kinds.items())]
    append(opts["results"], pairs)
    print("  %-16s %d findings in %.1f s (%d not JSON)" % (
        label, sum(kinds.values()), wall, bad), flush=True)
    return 0


# --------------------------------------------------------------------------
# Report

def load(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                r[k] = v
    return r


def fnum(r, k, default=None):
    try:
        return float(r[k])
    except (KeyError, ValueError):
        return default


def fmt_bytes(n):
    return "{:,}".format(int(n))


def verdict(ok):
    return "PASS" if ok else "FAIL"


def report(path):
    r = load(path)
    g = r.get
    out = []
    p = out.append
    p("=" * 78)
    p("drpwatch extraction benchmark (bench/extract/run.sh)")
    p("=" * 78)
    p("date (UTC)     %s" % g("date", "?"))
    p("machine        %s" % g("machine", "?"))
    p("CPU            %s (nproc %s)" % (g("cpu", "?"), g("nproc", "?")))
    p("memory         %s" % g("memtotal", "?"))
    p("load average   %s at start, %s at end (1, 5, 15 min)" % (
        g("loadavg_start", "?"), g("loadavg_end", "?")))
    p("binary         %s" % g("binary", "?"))
    if g("binary_changed"):
        p("WARNING        the binary was replaced during the run (now modified %s):"
          % g("binary_changed"))
        p("               the figures may mix two builds; run again")
    p("source         %s" % g("source", "?"))
    p("command        %s" % g("command", "?"))
    p("               single process, single-threaded engine; stdin /dev/null;")
    p("               DRPWATCH_HASH_KEY fixed (no key file is read or written)")
    p("units          MB = 10^6 bytes, MB/s = 10^6 bytes per second of wall time,")
    p("               MiB = 2^20 bytes; time = best (lowest) wall time of the runs;")
    p("               peak RSS = max over the runs of the scan's ru_maxrss:")
    p("               " + g("rss_method", "?"))
    p("inputs         (cache %s)" % g("bench_dir", "?"))
    for label in ("big", "half"):
        p("  %-22s %14s B  seed %s  sha256 %s" % (
            g(label + ".file", label), fmt_bytes(fnum(r, label + ".bytes", 0)),
            g("seed", "?"), g(label + ".sha256", "?")[:16]))
    p("  %-22s %14s    seed %s, %s of them occur in the corpus" % (
        g("terms.file", "terms.yaml"), g("terms", "?") + " terms", g("seed", "?"),
        g("terms_present", "?")))
    for k in ("base64", "dots", "at", "longline", "labels"):
        p("  %-22s %14s B" % ("adversarial " + k, fmt_bytes(fnum(r, "adv_%s.bytes" % k, 0))))
    p("  generated by   %s" % g("generator", "?"))

    startup = fnum(r, "empty.wall", 0.0)
    p("")
    p("Start-up (empty input, 1000 terms loaded): %.3f s, peak RSS %.1f MiB" % (
        startup, fnum(r, "empty.rss_kb", 0) / 1024.0))
    if "empty_cold.wall" in r:
        p("  patterns from the cache (extract/hsdb.h), as in every run below;")
        p("  cold, compiling them (cache emptied, one run): %.3f s, peak RSS %.1f MiB" % (
            fnum(r, "empty_cold.wall", 0.0), fnum(r, "empty_cold.rss_kb", 0) / 1024.0))
    p("")
    p("Throughput (whole engine on, --json, %s watch terms)" % g("terms", "?"))

    def line_for(label, name):
        b = fnum(r, label + ".bytes", 0)
        w = fnum(r, label + ".wall")
        if w is None:
            return None
        walls = g(label + ".walls", "")
        net = max(w - startup, NOISE_S)
        to = g(label + ".timeout") == "1"
        rate = b / MB / w
        cpu = fnum(r, label + ".cpu", 0)
        s = ("  %-11s %9.3f s  %s%8.1f MB/s (net of start-up %.1f)  cpu %.3f s  "
             "peak RSS %.1f MiB" % (name, w, "<" if to else " ", rate,
                                    b / MB / net, cpu,
                                    fnum(r, label + ".rss_kb", 0) / 1024.0))
        s += "\n  %-11s runs: %s" % ("", " ".join("%.3f" % float(x)
                                                  for x in walls.split(",") if x))
        if g(label + ".note"):
            s += "  [" + g(label + ".note") + "]"
        return s

    for label in ("big", "half"):
        s = line_for(label, "%g MB" % (fnum(r, label + ".bytes", 0) / MB))
        if s:
            p(s)

    results = []
    sb = "%g MB" % (fnum(r, "big.bytes", 0) / MB)
    sh = "%g MB" % (fnum(r, "half.bytes", 0) / MB)
    w100, w50 = fnum(r, "big.wall"), fnum(r, "half.wall")
    b100, b50 = fnum(r, "big.bytes", 0), fnum(r, "half.bytes", 0)
    to100 = g("big.timeout") == "1"
    rate100 = b100 / MB / w100 if w100 else 0.0
    net100 = b100 / MB / max(w100 - startup, NOISE_S) if w100 else 0.0
    results.append((not to100 and rate100 >= TARGET_MBPS,
                    "throughput >= %.0f MB/s per core" % TARGET_MBPS,
                    "%s%.1f MB/s (%s, wall time incl. start-up)"
                    % ("<" if to100 else "", rate100, sb)))
    if w100 and w50:
        ratio = max(w100 - startup, NOISE_S) / max(w50 - startup, NOISE_S)
        raw = w100 / w50
        ok = ratio <= TARGET_LINEAR and not to100 and g("half.timeout") != "1"
        results.append((ok, "linearity t(%s)/t(%s) <= %.1f" % (sb, sh, TARGET_LINEAR),
                        "%.3f net of start-up (%.3f raw)" % (ratio, raw)))
    rss100, rss50 = fnum(r, "big.rss_kb"), fnum(r, "half.rss_kb")
    if rss100 and rss50:
        growth = (rss100 - rss50) / rss50
        results.append((growth <= TARGET_RSS_GROWTH,
                        "RSS growth %s -> %s <= %.0f %%" % (sh, sb, TARGET_RSS_GROWTH * 100),
                        "%+.1f %% (%.1f -> %.1f MiB)" % (growth * 100, rss50 / 1024.0,
                                                        rss100 / 1024.0)))

    p("")
    p("Adversarial inputs (same command; rate net of start-up, compared with the")
    p("%s corpus net rate of %.1f MB/s; target ratio >= %.1f)" % (sb, net100, TARGET_ADV))
    adv_ok = True
    any_adv = False
    worst = None
    for k in ("base64", "dots", "at", "longline", "labels"):
        label = "adv_" + k
        w = fnum(r, label + ".wall")
        if w is None:
            continue
        any_adv = True
        b = fnum(r, label + ".bytes", 0)
        to = g(label + ".timeout") == "1"
        net_t = w - startup
        floor = net_t < NOISE_S
        net = b / MB / max(net_t, NOISE_S)
        ratio = net / net100 if net100 else 0.0
        ok = ratio >= TARGET_ADV and not to
        adv_ok = adv_ok and ok
        if worst is None or ratio < worst[1]:
            worst = (k, ratio, "<" if to else (">" if floor else ""))
        p("  %-9s %10s B %9.3f s  raw %8.1f MB/s  net %s%8.1f MB/s  ratio %s%6.2f"
          "  peak RSS %6.1f MiB  %s%s"
          % (k, fmt_bytes(b), w, b / MB / w, "<" if to else (">" if floor else " "),
             net, "<" if to else (">" if floor else " "), ratio,
             fnum(r, label + ".rss_kb", 0) / 1024.0, verdict(ok),
             "  (timed out)" if to else ""))
        if g(label + ".note"):
            p("            [%s]" % g(label + ".note"))
    if any_adv:
        results.append((adv_ok, "adversarial rate >= %.1f x normal" % TARGET_ADV,
                        "worst: %s, %s%.2f x" % (worst[0], worst[2], worst[1])))

    p("")
    p("Findings per kind (one --json run on the %s corpus, counted by 'kind')" % sb)
    kinds = [k for k in g("count.kinds", "").split(",") if k]
    total = fnum(r, "count.total", 0)
    for k in kinds:
        n = fnum(r, "count.kind." + k, 0)
        p("  %-14s %10d  %5.1f %%" % (k, n, 100.0 * n / total if total else 0))
    p("  %-14s %10d   (watched: %d; per MB: %.0f)" % (
        "total", total, fnum(r, "count.watched", 0),
        total / (b100 / MB) if b100 else 0))
    if fnum(r, "count.bad_lines", 0):
        p("  lines that were not JSON findings: %d" % fnum(r, "count.bad_lines"))

    p("")
    if g("rg") == "missing":
        p("ripgrep not installed: comparison skipped")
    elif fnum(r, "rg.wall") is not None:
        w = fnum(r, "rg.wall")
        p("ripgrep %s, six ASCII IoC regexes in one pass (-j1 -c), %s corpus:" % (g("rg_version", "?"), sb))
        p("  %.3f s  %.1f MB/s  peak RSS %.1f MiB; drpwatch %.1f MB/s is %.2f x that"
          % (w, b100 / MB / w, fnum(r, "rg.rss_kb", 0) / 1024.0, rate100,
             rate100 / (b100 / MB / w) if w else 0))
        p("  (rg -c counts matching lines and stops at a line's first match;")
        p("   it validates nothing)")

    p("")
    p("Targets")
    for ok, what, val in results:
        p("  [%s] %-40s %s" % (verdict(ok), what, val))
    p("  (a measurement: run.sh exits 0 whether or not targets are met)")
    p("=" * 78)
    print("\n".join(out))
    return 0


def cmd_done(argv):
    opts, _ = parse_opts(argv, {"label": None, "results": None,
                                "repeat-max": "120"}, need_cmd=False)
    if not opts["label"] or not opts["results"]:
        die("done needs --label and --results")
    r = load(opts["results"])
    label = opts["label"]
    wall = fnum(r, label + ".wall", 0.0)
    print("yes" if r.get(label + ".timeout") == "1"
          or wall > float(opts["repeat-max"]) else "no")
    return 0


def main(argv):
    usage = "usage: measure.py time|count|done|report ..."
    if len(argv) < 1:
        die(usage)
    if argv[0] == "time":
        return cmd_time(argv[1:])
    if argv[0] == "count":
        return cmd_count(argv[1:])
    if argv[0] == "done":
        return cmd_done(argv[1:])
    if argv[0] == "report" and len(argv) == 2:
        return report(argv[1])
    die(usage)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Pages through a TAXII 2.1 collection as a client polls it and prints
objects/s: one client, then four at once (each its own connection and
the whole collection), then one manifest pass, then objects/{id} lookups
of objects of every type and one match[id] request.

    measure.py BASE_URL USER PASSWORD LIMIT
"""
import base64
import concurrent.futures
import http.client
import json
import sys
import time
import urllib.parse

base, user, password, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
u = urllib.parse.urlsplit(base)
HDR = {"Accept": "application/taxii+json;version=2.1",
       "Authorization": "Basic " + base64.b64encode(
           ("%s:%s" % (user, password)).encode()).decode()}


def get(conn, path):
    conn.request("GET", path, headers=HDR)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit("GET %s: %s %s" % (path, r.status, body[:200]))
    return json.loads(body), len(body)


conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
cols, _ = get(conn, "/drpwatch/collections/")
cid = cols["collections"][0]["id"]


def walk(endpoint):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    objs = pages = size = 0
    types = {}
    sample = {}
    lat = []
    nxt = None
    t0 = time.monotonic()
    while True:
        q = "?limit=%d" % limit + ("&next=" + nxt if nxt else "")
        t = time.monotonic()
        j, n = get(c, "/drpwatch/collections/%s/%s/%s" % (cid, endpoint, q))
        lat.append(time.monotonic() - t)
        pages += 1
        size += n
        for o in j.get("objects", []):
            objs += 1
            ty = o.get("type", "record")
            types[ty] = types.get(ty, 0) + 1
            # every 997th object of each type, for the lookups by id
            if types[ty] % 997 == 1:
                sample.setdefault(ty, []).append(o["id"])
        if not j.get("more"):
            break
        nxt = j["next"]
    c.close()
    walk.sample = sample
    return objs, pages, size, time.monotonic() - t0, sorted(lat), types


objs, pages, size, dt, lat, types = walk("objects")
sample = walk.sample
print("objects, one client, limit=%d:" % limit)
print("  %d objects in %d pages (%.1f MB of JSON) in %.2f s: %.0f objects/s, "
      "%.0f indicators/s" % (objs, pages, size / 1e6, dt, objs / dt,
                              types.get("indicator", 0) / dt))
print("  page latency: median %.0f ms, p95 %.0f ms, max %.0f ms" % (
    1000 * lat[len(lat) // 2], 1000 * lat[int(len(lat) * 0.95)], 1000 * lat[-1]))
print("  objects by type: " + ", ".join("%s %d" % kv for kv in sorted(types.items())))

t0 = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    res = list(ex.map(lambda _: walk("objects"), range(4)))
dt4 = time.monotonic() - t0
tot = sum(r[0] for r in res)
print("objects, four clients at once (each the whole collection):")
print("  %d objects in %.2f s: %.0f objects/s in all" % (tot, dt4, tot / dt4))

m, mp, msize, mdt, mlat, _ = walk("manifest")
print("manifest, one client: %d records in %d pages in %.2f s: %.0f records/s"
      % (m, mp, mdt, m / mdt))

c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
ids = [i for ty in sorted(sample) for i in sample[ty][:25]]
lat = []
found = 0
for oid in ids:
    t = time.monotonic()
    j, _ = get(c, "/drpwatch/collections/%s/objects/%s/" % (cid, oid))
    lat.append(time.monotonic() - t)
    found += [o["id"] for o in j.get("objects", [])] == [oid]
lat.sort()
print("objects/{id}: %d lookups (up to 25 of each type: %s), %d found: "
      "median %.1f ms, max %.1f ms" % (
          len(ids), ", ".join(sorted(sample)), found, 1000 * lat[len(lat) // 2],
          1000 * lat[-1]))
t = time.monotonic()
j, _ = get(c, "/drpwatch/collections/%s/objects/?match[id]=%s" % (
    cid, ",".join(ids[:100])))
print("match[id] with %d ids: %d objects in %.1f ms" % (
    min(len(ids), 100), len(j.get("objects", [])), 1000 * (time.monotonic() - t)))
ok = objs == m and all(r[0] == objs for r in res)
print("consistency: every pass saw the same %d objects: %s" % (objs, "yes" if ok else "NO"))

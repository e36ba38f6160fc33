#!/usr/bin/env python3
"""A loopback soak of a running Loupe server: shoppers searching, asking for
recommendations and opening product and category pages; a storefront posting
event batches; and HTTP imports of the demo's large files (catalog and
inventory) running alongside, one after another, for the whole run. Every
request has a deadline: a request that does not answer in time, or an import
task that does not finish, is a hang. Resident memory of the server is
sampled every 30 s.

It prints a table per kind of request (count, errors, hangs, latency
percentiles), the import tasks with their durations, and the memory samples;
`--json FILE` writes the same as JSON. It exits 1 on any error or hang.

usage:
  loupe demo --data DIR --port 7790 &   # or `loupe serve` on a brand's data
  bench/soak.py --base http://127.0.0.1:7790 --data DIR --pid $! --minutes 10

Only the standard library; one keep-alive connection per thread.
"""
import argparse
import collections
import http.client
import json
import os
import random
import threading
import time
import urllib.parse

API_KEY = None  # --key: sent with every request (a server with keys enforced)
DEADLINE_S = 60.0  # a request slower than this is a hang
TASK_DEADLINE_S = 900.0  # an import task not finished by then is a hang


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.errors = collections.defaultdict(int)
        self.hangs = collections.defaultdict(int)
        self.samples = []
        self.tasks = []
        self.error_examples = []

    def record(self, kind, seconds, ok, hang=False, detail=None):
        with self.lock:
            self.latency[kind].append(seconds)
            if hang:
                self.hangs[kind] += 1
            elif not ok:
                self.errors[kind] += 1
            if (hang or not ok) and len(self.error_examples) < 20:
                self.error_examples.append(f"{kind}: {detail}")

    def total(self):
        with self.lock:
            return sum(len(v) for v in self.latency.values())


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, body bytes); raises on a network error or a timeout."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=DEADLINE_S)
            try:
                sent = dict(headers or {})
                if API_KEY:
                    sent["Authorization"] = "Bearer " + API_KEY
                self.conn.request(method, path, body=body, headers=sent)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed while idle: that is
                # the idle timeout working, not an error. Retry once, fresh.
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
            except Exception:
                self.conn.close()
                self.conn = None
                raise


def timed(stats, kind, client, method, path, body=None, headers=None, ok_status=(200,)):
    t = time.monotonic()
    try:
        status, data = client.request(method, path, body, headers)
        dt = time.monotonic() - t
        ok = status in ok_status
        stats.record(kind, dt, ok, detail=None if ok else f"{method} {path} -> {status} {data[:200]!r}")
        return status, data
    except TimeoutError as e:
        stats.record(kind, time.monotonic() - t, False, hang=True, detail=f"{method} {path}: {e}")
    except OSError as e:
        stats.record(kind, time.monotonic() - t, False, detail=f"{method} {path}: {e!r}")
    return None, b""


def demo_inputs(data_dir):
    """Queries, product handles and sessions from the demo brand's events."""
    queries, handles = collections.Counter(), set()
    with open(os.path.join(data_dir, "demo", "events.jsonl")) as f:
        for i, line in enumerate(f):
            if i >= 200_000:
                break
            e = json.loads(line)
            if e.get("query"):
                queries[e["query"]] += 1
            if e.get("product"):
                handles.add(e["product"])
    return [q for q, _ in queries.most_common(300)], sorted(handles)


def shopper(stats, base, stop, queries, handles, seed):
    rng = random.Random(seed)
    c = Client(base)
    categories = ["ring", "earrings", "necklace", "bracelet", "engagement_ring"]
    gifts = ["for mom, under 200", "anniversary gift", "for her, under 500", "for him"]
    while not stop.is_set():
        r = rng.random()
        if r < 0.40:
            q = urllib.parse.quote_plus(rng.choice(queries))
            timed(stats, "GET /v1/search", c, "GET", f"/v1/search?q={q}&limit=24")
        elif r < 0.60:
            h = rng.choice(handles)
            timed(stats, "GET /v1/recommendations", c, "GET", f"/v1/recommendations?product={h}&limit=8")
        elif r < 0.67:
            g = urllib.parse.quote_plus(rng.choice(gifts))
            timed(stats, "GET /v1/recommendations (gift)", c, "GET", f"/v1/recommendations?gift={g}&limit=8")
        elif r < 0.90:
            h = rng.choice(handles)
            timed(stats, "GET /p/{handle}", c, "GET", f"/p/{h}", ok_status=(200, 404))
        else:
            timed(stats, "GET /c/{category}", c, "GET", f"/c/{rng.choice(categories)}")


def storefront_events(stats, base, stop, handles, seed):
    """Batches of 50 events every 0.2 s: views, clicks, carts of random shoppers."""
    rng = random.Random(seed)
    c = Client(base)
    n = 0
    while not stop.is_set():
        now = int(time.time() * 1000)
        batch = []
        for _ in range(50):
            n += 1
            kind = rng.choices(["view", "click", "add_to_cart"], [8, 3, 1])[0]
            batch.append({
                "id": f"soak-{seed}-{n}",
                "kind": kind,
                "at": now,
                "session_id": f"soak-s{rng.randrange(5000)}",
                "product": rng.choice(handles),
            })
        timed(stats, "POST /v1/events", c, "POST", "/v1/events", json.dumps(batch).encode(),
              {"content-type": "application/json"})
        stop.wait(0.2)


def importer(stats, base, stop, data_dir):
    """HTTP imports of the demo's catalog and inventory, one after another."""
    c = Client(base)
    files = [("catalog", "catalog.csv"), ("inventory", "inventory.csv")]
    i = 0
    while not stop.is_set():
        kind, name = files[i % len(files)]
        i += 1
        with open(os.path.join(data_dir, "demo", name), "rb") as f:
            body = f.read()
        started = time.monotonic()
        status, data = timed(stats, "POST /v1/imports", c, "POST", f"/v1/imports?kind={kind}", body,
                             {"content-type": "text/csv"}, ok_status=(202,))
        if status != 202:
            stop.wait(5)
            continue
        task = json.loads(data)
        tid = task["task_id"]
        final = None
        while time.monotonic() - started < TASK_DEADLINE_S:
            s, d = timed(stats, "GET /v1/tasks/{id}", c, "GET", f"/v1/tasks/{tid}")
            if s == 200:
                t = json.loads(d)
                if t.get("status") in ("succeeded", "failed"):
                    final = t["status"]
                    break
            time.sleep(1)
        took = time.monotonic() - started
        with stats.lock:
            stats.tasks.append({"kind": kind, "file": name, "bytes": len(body), "status": final or "hung",
                                "seconds": round(took, 1)})
        if final != "succeeded":
            stats.record("import task", took, False, hang=final is None, detail=f"task {tid}: {final}")


def wait_until_warm(base, limit_s=600):
    """Seconds until search and recommendations answer 200. Before that the
    server answers 503 `warming_up` with Retry-After (as a load balancer's
    readiness check would see); the soak's clock starts once it is warm."""
    c = Client(base)
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        try:
            a, _ = c.request("GET", "/v1/search?q=ring")
            b, _ = c.request("GET", "/v1/recommendations?gift=for+her&limit=4")
            if a == 200 and b == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"the server was not warm after {limit_s} s")


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True)
    ap.add_argument("--data", required=True, help="the server's data directory (reads demo/*.csv, events.jsonl)")
    ap.add_argument("--pid", type=int, help="server pid, for resident memory")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--shoppers", type=int, default=4)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--key", help="an API key to send with every request (for a server with keys)")
    args = ap.parse_args()
    global API_KEY
    API_KEY = args.key

    queries, handles = demo_inputs(args.data)
    warm = wait_until_warm(args.base)
    print(f"server warm after {warm:.0f} s (search and recommendations answer 200)", flush=True)
    stats = Stats()
    stop = threading.Event()
    threads = [threading.Thread(target=shopper, args=(stats, args.base, stop, queries, handles, i), daemon=True)
               for i in range(args.shoppers)]
    threads.append(threading.Thread(target=storefront_events, args=(stats, args.base, stop, handles, 99), daemon=True))
    threads.append(threading.Thread(target=importer, args=(stats, args.base, stop, args.data), daemon=True))
    started = time.monotonic()
    for t in threads:
        t.start()
    end = started + args.minutes * 60
    last = 0
    while time.monotonic() < end:
        time.sleep(min(30, max(0.1, end - time.monotonic())))
        done = stats.total()
        sample = {"t": round(time.monotonic() - started), "requests": done, "rps": round((done - last) / 30, 1),
                  "rss_mb": rss_mb(args.pid) if args.pid else None}
        last = done
        stats.samples.append(sample)
        print(f"  t={sample['t']:>4}s  requests={done:>7}  rps={sample['rps']:>6}  rss={sample['rss_mb']} MB",
              flush=True)
    stop.set()
    for t in threads:
        t.join(timeout=DEADLINE_S + 5)
    stuck = [t.name for t in threads if t.is_alive()]
    elapsed = time.monotonic() - started

    rows = []
    for kind in sorted(stats.latency):
        xs = stats.latency[kind]
        rows.append({"kind": kind, "count": len(xs), "errors": stats.errors[kind], "hangs": stats.hangs[kind],
                     "p50_ms": round(pct(xs, 50) * 1e3, 1), "p95_ms": round(pct(xs, 95) * 1e3, 1),
                     "p99_ms": round(pct(xs, 99) * 1e3, 1), "max_ms": round(max(xs) * 1e3, 1)})
    total = sum(r["count"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    hangs = sum(r["hangs"] for r in rows) + len(stuck)
    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s), {errors} errors, {hangs} hangs")
    print(f"{'request':<34} {'count':>7} {'err':>4} {'hang':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>9}")
    for r in rows:
        print(f"{r['kind']:<34} {r['count']:>7} {r['errors']:>4} {r['hangs']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} "
              f"{r['p99_ms']:>8} {r['max_ms']:>9}")
    print("imports:", ", ".join(f"{t['file']} {t['status']} in {t['seconds']} s" for t in stats.tasks) or "none")
    for e in stats.error_examples:
        print("  error:", e)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seconds": round(elapsed), "requests": total, "errors": errors, "hangs": hangs,
                       "by_request": rows, "imports": stats.tasks, "memory": stats.samples,
                       "error_examples": stats.error_examples}, f, indent=1)
    raise SystemExit(1 if errors or hangs else 0)


if __name__ == "__main__":
    main()

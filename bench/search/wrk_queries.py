#!/usr/bin/env python3
"""Writes a wrk Lua script that rotates through the N most-searched queries of a
demo brand's events (GET /v1/search?q=...), for the HTTP throughput benchmark
of issue 4 (see BENCHMARKS.md, "Search (issue 4)").

usage: wrk_queries.py EVENTS_JSONL OUT_LUA [N=200]
"""
import collections
import json
import sys
import urllib.parse

events, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
counts = collections.Counter()
with open(events) as f:
    for line in f:
        if '"kind":"search"' in line:
            q = json.loads(line).get("query")
            if q:
                counts[q] += 1
queries = [q for q, _ in counts.most_common(n)]
with open(out, "w") as f:
    f.write(f"-- the {len(queries)} most-searched queries of {events}\nlocal qs = {{\n")
    for q in queries:
        f.write('  "/v1/search?q=%s",\n' % urllib.parse.quote_plus(q))
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", qs[(i % #qs) + 1])\nend\n")
print(f"{len(queries)} queries ({sum(counts.values())} searches, {len(counts)} distinct) -> {out}")

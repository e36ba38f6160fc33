#!/usr/bin/env python3
"""Writes COPIES more copies of a demo brand's events.jsonl, each with its own
event and session ids and shifted by a few minutes, into OUT: the same shoppers
and catalog with COPIES times the traffic over the same period. Used to measure
how the server's memory grows with the event log (BENCHMARKS.md, "Memory").

usage: replay_events.py EVENTS_JSONL OUT_JSONL COPIES
"""
import json
import sys

src, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(out, "w") as w:
    for k in range(1, copies + 1):
        shift_ms = k * 7 * 60_000
        with open(src) as f:
            for line in f:
                e = json.loads(line)
                e["id"] = f"{e['id']}-r{k}"
                e["at"] += shift_ms
                if e.get("session_id"):
                    e["session_id"] = f"{e['session_id']}-r{k}"
                if e.get("order_id"):
                    e["order_id"] = f"{e['order_id']}-r{k}"
                w.write(json.dumps(e, separators=(",", ":")))
                w.write("\n")

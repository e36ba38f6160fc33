#!/usr/bin/env python3
"""Checks the care calendar against the consent records, independently of
Loupe's code: no `planned` message lacks consent for its channel at its send
time (the latest change at or before it is a grant), and counts what was
planned and suppressed, by reason.

    python3 bench/care/check_consent.py DEMO_DIR/consent.csv schedule-*.json

Each schedule file is `loupe care schedule --from D --to D --json`.
"""

import csv
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime


def ts(s):
    if len(s) == 10:
        s += "T00:00:00Z"
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def main():
    consent = defaultdict(list)
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f):
            g = row["granted"].strip().lower() in ("true", "yes", "1", "subscribed", "granted")
            consent[(row["customer_id"], row.get("channel") or "email")].append((ts(row["at"]), g))
    for changes in consent.values():
        changes.sort()

    def consented(customer, channel, at):
        state = False
        for when, granted in consent.get((customer, channel), []):
            if when <= at:
                state = granted
        return state

    planned = 0
    suppressed = Counter()
    violations = []
    for path in sys.argv[2:]:
        with open(path) as f:
            schedule = json.load(f)
        for m in schedule["messages"]:
            if m["status"] == "planned":
                planned += 1
                if not m["customer_id"] or not consented(m["customer_id"], m["channel"], ts(m["at"])):
                    violations.append(m)
            else:
                suppressed[m["reason"]] += 1
    print(json.dumps({
        "planned": planned,
        "suppressed": sum(suppressed.values()),
        "by_reason": dict(sorted(suppressed.items())),
        "planned_without_consent": len(violations),
    }, indent=2))
    for m in violations[:10]:
        print("VIOLATION", m, file=sys.stderr)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()

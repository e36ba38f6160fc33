#!/usr/bin/env python3
"""The scorecard computed by hand from the raw files, independently of Loupe.

Reads an orders file (and, for the demo brand, its inventory snapshots,
events and catalog) with nothing but the standard library, applies the
definitions the README writes for `loupe scorecard`, and prints the same
JSON lines `loupe scorecard --json` prints. `crates/loupe/tests/it/scorecard.rs`
runs both and checks they agree exactly.

usage:
  hand.py --format online-retail ORDERS.csv --from 2011-01-01 --to 2011-09-30 --by week [--segment country]
  hand.py --format rees46 ORDERS.csv ...
  hand.py --format demo DEMO_DIR ...        (orders.csv, inventory.csv, events.jsonl, catalog.csv)

Definitions (the README's):
  orders       distinct order ids with a line of positive quantity, in the period of ordered_at
  units        sum of positive quantities; revenue: sum of quantity x unit price over them
  returns      lines of negative quantity, dated on their own date
  stock        per SKU and location the last snapshot before the instant (negative counts as 0)
  sessions     distinct session ids among the period's events; converted: with a purchase event
  repeat       customers who ordered before the period, among those ordering in it
"""
import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

csv.field_size_limit(sys.maxsize)


def minor(text):
    """A price in cents: the float's value times 100, rounded half away from zero."""
    x = float(text.strip()) * 100.0
    return int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def secs(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


def customer(text):
    text = (text or "").strip()
    if not text:
        return None
    return text[:-2] if text.endswith(".0") else text


class Line:
    __slots__ = ("order", "at", "customer", "sku", "qty", "price", "country")

    def __init__(self, order, at, customer, sku, qty, price, country):
        self.order, self.at, self.customer, self.sku = order, at, customer, sku
        self.qty, self.price, self.country = qty, price, country


def read_online_retail(path):
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            at = secs(datetime.strptime(r["InvoiceDate"], "%Y-%m-%d %H:%M:%S"))
            price = minor(r["UnitPrice"]) if r["UnitPrice"].strip() else None
            out.append(Line(r["InvoiceNo"], at, customer(r["CustomerID"]), r["StockCode"],
                            int(float(r["Quantity"])), price, r["Country"]))
    return out


def read_rees46(path):
    """13 fields; about 5,400 rows lack category_id and category_code (11 fields)."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for r in rows:
            if len(r) == 11:
                r = r[:4] + ["", ""] + r[4:]
            at = secs(datetime.strptime(r[0].replace(" UTC", ""), "%Y-%m-%d %H:%M:%S"))
            price = minor(r[7]) if r[7].strip() else None
            out.append(Line(r[1], at, customer(r[8]), r[2], int(float(r[3])), price, None))
    return out


def read_demo(directory):
    lines = []
    with open(f"{directory}/orders.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            at = secs(datetime.strptime(r["ordered_at"], "%Y-%m-%dT%H:%M:%SZ"))
            lines.append(Line(r["order_id"], at, customer(r["customer_id"]), r["sku"], int(float(r["quantity"])),
                              minor(r["unit_price"]) if r["unit_price"].strip() else None, r["country"]))
    snapshots = {}
    with open(f"{directory}/inventory.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            as_of = secs(datetime.strptime(r["as_of"], "%Y-%m-%dT%H:%M:%SZ"))
            cost = minor(r["unit_cost"]) if r["unit_cost"].strip() else None
            snapshots[(r["sku"], r["location"], as_of)] = (int(float(r["on_hand"])), cost)
    events = {}
    with open(f"{directory}/events.jsonl", encoding="utf-8") as f:
        for text in f:
            e = json.loads(text)
            events.setdefault(e["id"], (e["at"], e.get("session_id"), e["kind"]))
    active = {}
    status_of = {}
    with open(f"{directory}/catalog.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("Status", "").strip():
                status_of[r["Handle"]] = r["Status"].strip().lower()
            if r["Variant SKU"].strip():
                active.setdefault(r["Variant SKU"], status_of.get(r["Handle"], "active") == "active")
    tickets = []
    try:
        with open(f"{directory}/tickets.jsonl", encoding="utf-8") as f:
            for text in f:
                t = json.loads(text)
                created = secs(datetime.strptime(t["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
                agent = sorted(secs(datetime.strptime(m["at"], "%Y-%m-%dT%H:%M:%SZ"))
                               for m in t.get("messages") or [] if m.get("from") == "agent")
                first = agent[0] if agent else None
                resolved = agent[-1] if agent and t.get("status") == "closed" else None
                tickets.append((created, first, resolved))
    except FileNotFoundError:
        pass
    return lines, snapshots, list(events.values()), active, tickets


def median_hours(values):
    """The median of hours, rounded half away from zero to 2 decimals, as Loupe does."""
    if not values:
        return None
    v = sorted(values)
    n = len(v)
    m = v[n // 2] if n % 2 == 1 else (v[n // 2 - 1] + v[n // 2]) / 2.0
    return math.floor(m * 100.0 + 0.5) / 100.0


def start_of(d, by):
    if by == "day":
        return d
    if by == "week":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1)


def next_start(d, by):
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def periods(frm, to, by):
    out, s = [], start_of(frm, by)
    while s <= to:
        e = next_start(s, by)
        out.append((s, e))
        s = e
    return out


def day_secs(d):
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--format", required=True, choices=["online-retail", "rees46", "demo"])
    ap.add_argument("--from", dest="frm", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--by", default="week", choices=["day", "week", "month"])
    ap.add_argument("--segment", default="all", choices=["all", "country", "customer_type"])
    a = ap.parse_args()

    snapshots, events, active, tickets = {}, None, {}, []
    if a.format == "online-retail":
        lines = read_online_retail(a.path)
    elif a.format == "rees46":
        lines = read_rees46(a.path)
    else:
        lines, snapshots, events, active, tickets = read_demo(a.path)

    # The brand's currency is the only one in these files; the store's default when the file names none.
    currency = "USD"
    frm, to = date.fromisoformat(a.frm), date.fromisoformat(a.to)
    ps = periods(frm, to, a.by)
    bounds = [day_secs(s) for s, _ in ps] + [day_secs(ps[-1][1])]

    def period_of(t):
        d = datetime.fromtimestamp(t, tz=timezone.utc).date()
        for i, (s, e) in enumerate(ps):
            if s <= d < e:
                return i
        return None

    first = {}
    for l in lines:
        if l.qty > 0 and l.customer is not None:
            first[l.customer] = min(first.get(l.customer, l.at), l.at)

    def key(l):
        if a.segment == "all":
            return "all"
        if a.segment == "country":
            c = (l.country or "").strip()
            return c.upper() if c else "unknown"
        if l.customer is None:
            return "guest"
        return "returning" if l.customer in first and first[l.customer] < l.at else "new"

    acc = defaultdict(lambda: {"orders": set(), "customers": set(), "repeat": set(), "units": 0, "revenue": 0,
                               "ret_units": 0, "ret_value": 0, "cogs": 0, "costed_rev": 0, "any_cost": False})
    keys = {"all"} if a.segment == "all" else set()
    by_period = defaultdict(list)
    for l in lines:
        i = period_of(l.at)
        if i is None:
            continue
        k = key(l)
        keys.add(k)
        c = acc[(i, k)]
        if l.qty > 0:
            c["orders"].add(l.order)
            c["units"] += l.qty
            c["revenue"] += l.qty * (l.price or 0)
            if l.customer is not None:
                c["customers"].add(l.customer)
                if first[l.customer] < bounds[i]:
                    c["repeat"].add(l.customer)
            by_period[i].append((l, k))
        elif l.qty < 0:
            c["ret_units"] += -l.qty
            c["ret_value"] += -l.qty * (l.price or 0)

    # Stock replay: the snapshots in time order (ties as the store sorts them: sku, location).
    replay = sorted(((as_of, sku, loc, v) for (sku, loc, as_of), v in snapshots.items()))
    levels, costs, nxt = defaultdict(dict), {}, 0
    catalog_empty = not active
    stock_at = []
    for b, t in enumerate(bounds):
        while nxt < len(replay) and replay[nxt][0] < t:
            _, sku, loc, (on_hand, cost) = replay[nxt]
            levels[sku][loc] = max(0, on_hand)
            if cost is not None:
                costs[sku] = cost
            nxt += 1
        stock = None
        if levels and a.segment == "all":
            stock = {"on_hand": 0, "at_cost": 0, "costed": False, "active": 0, "out": 0}
            for sku, locs in levels.items():
                units = sum(locs.values())
                stock["on_hand"] += units
                if sku in costs:
                    stock["at_cost"] += units * costs[sku]
                    stock["costed"] = True
                if catalog_empty or active.get(sku, False):
                    stock["active"] += 1
                    stock["out"] += units <= 0
        stock_at.append(stock)
        if b > 0:
            for l, k in by_period.get(b - 1, []):
                if l.sku in costs:
                    c = acc[(b - 1, k)]
                    c["cogs"] += l.qty * costs[l.sku]
                    c["costed_rev"] += l.qty * (l.price or 0)
                    c["any_cost"] = True

    sessions = None
    if events and a.segment == "all":
        seen = {}
        for at, session, kind in events:
            if session is None:
                continue
            i = period_of(at // 1000)
            if i is None:
                continue
            seen[(i, session)] = seen.get((i, session), False) or kind == "purchase"
        if seen:
            sessions = [[0, 0] for _ in ps]
            for (i, _), bought in seen.items():
                sessions[i][0] += 1
                sessions[i][1] += bought

    def ratio(n, d):
        return None if d == 0 else n / d

    # Response times: medians over the tickets opened in each period.
    response = []
    for s_, e_ in ps:
        lo, hi = day_secs(s_), day_secs(e_)
        opened = [t for t in tickets if lo <= t[0] < hi]
        response.append((
            median_hours([max(f - c, 0) / 3600.0 for c, f, _ in opened if f is not None]),
            median_hours([max(r - c, 0) / 3600.0 for c, _, r in opened if r is not None]),
        ))

    for i, (s, e) in enumerate(ps):
        for k in sorted(keys):
            c = acc[(i, k)]
            end, start = stock_at[i + 1], stock_at[i]
            orders, units = len(c["orders"]), c["units"]
            revenue = c["revenue"] / 100
            on_hand = end["on_hand"] if end else None
            avg = None
            if end and end["costed"]:
                avg = (float(start["at_cost"]) + float(end["at_cost"])) / 2.0 if start and start["costed"] \
                    else float(end["at_cost"])
            cogs = c["cogs"] if (c["any_cost"] or (end and end["costed"])) else None
            days = (e - s).days
            row = {
                "period_start": s.isoformat(), "period_end": e.isoformat(), "segment": k, "currency": currency,
                "sessions": sessions[i][0] if sessions else None,
                "orders": orders, "revenue": revenue, "units": units,
                "aov": ratio(revenue, float(orders)), "units_per_order": ratio(float(units), float(orders)),
                "conversion_rate": ratio(float(sessions[i][1]), float(sessions[i][0])) if sessions else None,
                "returned_units": c["ret_units"], "returned_value": c["ret_value"] / 100,
                "return_rate": ratio(float(c["ret_units"]), float(units)),
                "return_value_rate": ratio(float(c["ret_value"]), float(c["revenue"])),
                "sell_through": ratio(float(units), float(units + on_hand)) if end else None,
                "inventory_turnover": ratio(float(cogs), avg) if cogs is not None and avg is not None else None,
                "gmroi": ratio(float(c["costed_rev"] - cogs), avg) if cogs is not None and avg is not None else None,
                "weeks_of_supply": ratio(float(on_hand), units / (days / 7.0)) if end else None,
                "stockout_rate": ratio(float(end["out"]), float(end["active"])) if end else None,
                "first_response_hours": response[i][0] if a.segment == "all" else None,
                "resolution_hours": response[i][1] if a.segment == "all" else None,
                "repeat_rate": ratio(float(len(c["repeat"])), float(len(c["customers"]))),
            }
            print(json.dumps(row))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""statsforecast baselines on Loupe's final-holdout cut (issue 13).

Export the cut from Loupe, then fit every baseline on exactly those
training series and score the same windows with the same metrics:

    loupe --data D eval forecast --holdout-from 2020-09-01 --holdout-weeks 18 \\
        --json --export-csv cut.csv > loupe.jsonl
    python3 bench/forecast/holdout_bench.py cut.csv --loupe loupe.jsonl

`cut.csv` is `window,part,unique_id,ds,y` (window `validation` or
`holdout`; part `train`, the weekly history the forecast saw, or `actual`,
the scored weeks) and `cut.groups.csv` is `window,unique_id,category,top`.

Metrics, as `forecast::holdout` computes them: `sku`, the WAPE of each
SKU's point forecast (statsforecast's point is its mean; Loupe's is the
P50), pooled over SKUs and weeks; `topN`, `category` and `total`, the WAPE
of the sum of the SKUs' forecasts (Loupe: means) per week, pooled over the
groups. Forecasts below zero count as zero. Every model sees each window's
training part only: nothing is tuned here, the Auto* models choose their
own form on the training part.
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("NIXTLA_ID_AS_COL", "1")

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (
    MSTL,
    TSB,
    AutoETS,
    AutoTheta,
    CrostonOptimized,
    HistoricAverage,
    SeasonalNaive,
    SeasonalWindowAverage,
    WindowAverage,
)

SEASON = 52
LEVELS = ["sku", "top", "category", "total"]


def baselines(n_periods):
    """The issue's list. A model that needs more history than the window
    has (SeasonalNaive(52) and MSTL(52) a year) is listed with the reason
    instead of being run on a shorter, different season. AutoETS and
    AutoTheta get the 52-week season only with two years of history: with
    less, a yearly season cannot be estimated (and AutoETS at 52 costs
    ~0.5 s per series)."""
    out = [
        ("AutoETS", lambda: AutoETS(season_length=SEASON if n_periods >= 2 * SEASON else 1)),
        ("AutoTheta", lambda: AutoTheta(season_length=SEASON if n_periods >= 2 * SEASON else 1)),
        ("CrostonOptimized", CrostonOptimized),
        ("TSB", lambda: TSB(alpha_d=0.2, alpha_p=0.2)),
        ("SeasonalNaive(52)", lambda: SeasonalNaive(season_length=SEASON) if n_periods >= SEASON else None),
        ("SeasonalWindowAverage(52x%d)" % (2 if n_periods >= 2 * SEASON else 1),
         lambda: SeasonalWindowAverage(season_length=SEASON, window_size=2) if n_periods >= 2 * SEASON
         else (SeasonalWindowAverage(season_length=SEASON, window_size=1) if n_periods >= SEASON else None)),
        ("WindowAverage(4)", lambda: WindowAverage(window_size=4)),
        ("WindowAverage(8)", lambda: WindowAverage(window_size=8)),
        ("HistoricAverage", HistoricAverage),
        ("MSTL(52)", lambda: MSTL(season_length=SEASON) if n_periods > SEASON else None),
    ]
    return out


def wape(f, y):
    s = y.sum()
    if s <= 0:
        return None
    return float(np.abs(f - y).sum() / s), float((f - y).sum() / s)


def score(fc, actual, groups):
    """fc, actual: DataFrames unique_id, ds, value; groups: unique_id, category, top."""
    m = actual.merge(fc, on=["unique_id", "ds"], how="left").fillna({"f": 0.0})
    m["f"] = m["f"].clip(lower=0)
    m = m.merge(groups, on="unique_id", how="left")
    out = {}
    r = wape(m["f"].to_numpy(), m["y"].to_numpy())
    out["sku"] = r
    top = m[m["top"] == 1].groupby("ds")[["f", "y"]].sum()
    out["top"] = wape(top["f"].to_numpy(), top["y"].to_numpy())
    cat = m.groupby(["category", "ds"])[["f", "y"]].sum()
    out["category"] = wape(cat["f"].to_numpy(), cat["y"].to_numpy())
    tot = m.groupby("ds")[["f", "y"]].sum()
    out["total"] = wape(tot["f"].to_numpy(), tot["y"].to_numpy())
    return out


def run_window(df, groups, window, n_jobs, wanted):
    d = df[df["window"] == window]
    train = d[d["part"] == "train"][["unique_id", "ds", "y"]]
    actual = d[d["part"] == "actual"][["unique_id", "ds", "y"]]
    g = groups[groups["window"] == window][["unique_id", "category", "top"]]
    h = actual.groupby("unique_id").size().max()
    n_periods = train.groupby("unique_id").size().max()
    results = {}
    for name, make in baselines(n_periods):
        if wanted and name.split("(")[0] not in wanted and name not in wanted:
            continue
        model = make()
        if model is None:
            results[name] = {"skipped": f"needs more than the {n_periods} weeks of training history"}
            print(f"{window:<10} {name:<28} skipped: {n_periods} weeks of history", file=sys.stderr)
            continue
        t = time.time()
        try:
            sf = StatsForecast(models=[model], freq="W-MON", n_jobs=n_jobs)
            fc = sf.forecast(df=train, h=int(h))
        except Exception as e:  # report, do not hide: a baseline that fails is listed as failed
            results[name] = {"failed": str(e)[:200]}
            print(f"{window:<10} {name:<28} failed: {e}", file=sys.stderr)
            continue
        secs = time.time() - t
        col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
        fc = fc[["unique_id", "ds", col]].rename(columns={col: "f"})
        s = score(fc, actual, g)
        s["seconds"] = round(secs, 1)
        results[name] = s
        print(f"{window:<10} {name:<28} sku {fmt(s['sku'])} top {fmt(s['top'])} category "
              f"{fmt(s['category'])} total {fmt(s['total'])} {secs:.0f}s", file=sys.stderr)
    return results


def fmt(r):
    return "  n/a" if not r else f"{r[0]:.3f}"


def read_loupe(path):
    """Loupe's `--json` rows -> {window: {level: (wape, bias)}} with the
    same levels: sku (P50), top/category/total (sum of SKU means), and
    Loupe's own series (loupe_product, loupe_category, loupe_total; mean)."""
    out = {}
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            if "level" not in row:
                continue
            lvl = row["level"]
            if lvl.startswith("top"):
                lvl = "top"
            want_point = "p50" if lvl == "sku" else "mean"
            if row["point"] != want_point:
                continue
            w = row["wape"]
            out.setdefault(row["window"], {})[lvl] = None if w is None else (w, row["bias"])
    return out


def table(name, loupe, base):
    lines = []
    models = [m for m in base if "sku" in base[m]]
    head = f"{name}: WAPE (sku: P50 per SKU-week; top/category/total: sum of SKU means per week)"
    lines.append(head)
    lines.append(f"{'model':<28} " + " ".join(f"{lvl:>9}" for lvl in LEVELS))
    if loupe:
        lines.append(f"{'Loupe':<28} " + " ".join(f"{fmt(loupe.get(lvl)):>9}" for lvl in LEVELS))
    for m in models:
        lines.append(f"{m:<28} " + " ".join(f"{fmt(base[m].get(lvl)):>9}" for lvl in LEVELS))
    for m in base:
        if m not in models:
            lines.append(f"{m:<28} {base[m].get('skipped') or 'failed: ' + base[m].get('failed', '')}")
    if loupe and models:
        best, ratio = [], []
        for lvl in LEVELS:
            cands = [(base[m][lvl][0], m) for m in models if base[m].get(lvl)]
            if not cands or not loupe.get(lvl):
                best.append("n/a")
                ratio.append("n/a")
                continue
            b = min(cands)
            best.append(f"{b[0]:.3f}")
            ratio.append(f"{loupe[lvl][0] / b[0]:.2f}")
            lines.append(f"  best baseline at {lvl}: {b[1]} {b[0]:.3f}")
        lines.append(f"{'best baseline':<28} " + " ".join(f"{x:>9}" for x in best))
        lines.append(f"{'Loupe / best':<28} " + " ".join(f"{x:>9}" for x in ratio))
    own = [k for k in ("loupe_product", "loupe_category", "loupe_total") if loupe and loupe.get(k)]
    if own:
        lines.append("Loupe's own series (mean): " + ", ".join(f"{k[6:]} {loupe[k][0]:.3f}" for k in own))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--loupe", help="Loupe's `eval forecast --json` output, to print beside the baselines")
    ap.add_argument("--windows", default="validation,holdout")
    ap.add_argument("--models", default="", help="comma-separated names (default: all)")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--json", help="write the baselines' scores here")
    args = ap.parse_args()

    df = pd.read_csv(args.csv, dtype={"unique_id": str})
    df["ds"] = pd.to_datetime(df["ds"])
    groups = pd.read_csv(os.path.splitext(args.csv)[0] + ".groups.csv", dtype={"unique_id": str, "category": str})
    wanted = set(filter(None, args.models.split(",")))
    loupe = read_loupe(args.loupe) if args.loupe else {}
    allres = {}
    for window in args.windows.split(","):
        if not (df["window"] == window).any():
            continue
        allres[window] = run_window(df, groups, window, args.n_jobs, wanted)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(allres, f, indent=1)
    for window, base in allres.items():
        label = "HELD OUT (scored once)" if window == "holdout" else "VALIDATION (the window tuning may look at)"
        print(table(label, loupe.get(window, {}), base))
        print()


if __name__ == "__main__":
    main()

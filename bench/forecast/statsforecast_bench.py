#!/usr/bin/env python3
"""Nixtla statsforecast on the very series and origins Loupe is scored on.

Export the series from Loupe first (weekly per SKU plus the total):

    loupe --data D eval forecast --freq week --horizon 4 --origins 3 --export-csv series.csv
    python3 bench/forecast/statsforecast_bench.py series.csv --horizon 4 --origins 3

The CSV is `unique_id,ds,y` with one `__total__` series. Rolling origins:
`cross_validation(h=H, step_size=H, n_windows=K)`, which cuts at the same
points as `loupe eval forecast` (the last window ends where history ends).
Scores per model: WAPE at SKU level (all SKU points pooled) and at the total,
plus bias; and the wall time. Models: SeasonalNaive, AutoETS,
CrostonOptimized, TSB, MSTL (and Naive and HistoricAverage for reference).
Season length 52 when the history holds two years of weeks, else a 4-week
cycle (the online-retail history is ten months: no yearly season can be
learned from it by any model).
"""
import argparse
import json
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
    CrostonOptimized,
    HistoricAverage,
    Naive,
    SeasonalNaive,
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--horizon", type=int, default=4)
    ap.add_argument("--origins", type=int, default=3)
    ap.add_argument("--freq", default="W-MON")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--models", default="SeasonalNaive,AutoETS,CrostonOptimized,TSB,MSTL,Naive,HistoricAverage")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    df = pd.read_csv(args.csv, dtype={"unique_id": str})
    df["ds"] = pd.to_datetime(df["ds"])
    n_periods = df.groupby("unique_id").size().max()
    season = 52 if n_periods >= 2 * 52 + args.horizon * args.origins else 4
    wanted = set(args.models.split(","))
    models = []
    if "SeasonalNaive" in wanted:
        models.append(SeasonalNaive(season_length=season))
    if "AutoETS" in wanted:
        models.append(AutoETS(season_length=season if season < n_periods // 2 else 1))
    if "CrostonOptimized" in wanted:
        models.append(CrostonOptimized())
    if "TSB" in wanted:
        models.append(TSB(alpha_d=0.2, alpha_p=0.2))
    if "MSTL" in wanted:
        models.append(MSTL(season_length=season))
    if "Naive" in wanted:
        models.append(Naive())
    if "HistoricAverage" in wanted:
        models.append(HistoricAverage())

    results = {}
    for m in models:
        name = repr(m) if not hasattr(m, "alias") else m.alias
        sf = StatsForecast(models=[m], freq=args.freq, n_jobs=args.n_jobs)
        t = time.time()
        cv = sf.cross_validation(df=df, h=args.horizon, step_size=args.horizon, n_windows=args.origins)
        secs = time.time() - t
        col = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")][0]
        f = cv[col].clip(lower=0).fillna(0.0)
        y = cv["y"]
        is_total = cv["unique_id"] == "__total__"
        out = {"seconds": round(secs, 2), "season_length": season}
        for label, mask in (("sku", ~is_total), ("total", is_total)):
            yy, ff = y[mask].to_numpy(), f[mask].to_numpy()
            if yy.sum() > 0:
                out[f"wape_{label}"] = float(np.abs(yy - ff).sum() / yy.sum())
                out[f"bias_{label}"] = float((ff - yy).sum() / yy.sum())
        out["cutoffs"] = sorted({str(c.date()) for c in cv["cutoff"]})
        results[col] = out
        print(f"{col:<20} sku WAPE {out.get('wape_sku', float('nan')):.3f}  total WAPE "
              f"{out.get('wape_total', float('nan')):.3f}  {secs:.1f}s", file=sys.stderr)
    if args.json:
        print(json.dumps(results))
    else:
        for k, v in results.items():
            print(k, v)


if __name__ == "__main__":
    main()

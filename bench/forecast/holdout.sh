#!/usr/bin/env bash
# Issue 13's final-holdout forecast benchmark, Loupe and the statsforecast
# baselines on the same cut: imports each data set into a temporary store,
# runs `loupe eval forecast` in holdout mode (validation window, then the
# holdout scored once) with --export-csv, fits the baselines on the exported
# training series (bench/forecast/holdout_bench.py) and prints both side by
# side with Loupe / best-baseline ratios.
#
#   bench/forecast/holdout.sh [rees46|retail|all]
#
# LOUPE (default target/release/loupe when built, else target/debug/loupe), PY (default
# /tmp/sf-venv/bin/python, a venv with statsforecast), DATASETS (default
# ../shared/datasets) and OUT (default a new temporary directory) override.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${LOUPE:-}" ]; then
  LOUPE=$ROOT/target/release/loupe
  [ -x "$LOUPE" ] || LOUPE=$ROOT/target/debug/loupe
fi
PY=${PY:-/tmp/sf-venv/bin/python}
DATASETS=${DATASETS:-$ROOT/../shared/datasets}
[ -d "$DATASETS" ] || DATASETS=/work/shared/datasets
OUT=${OUT:-$(mktemp -d /tmp/loupe-holdout.XXXXXX)}
WHICH=${1:-all}
echo "loupe: $LOUPE; results in $OUT" >&2

run() {
  local name=$1; shift
  local data=$OUT/$name-data
  rm -rf "$data"
  "$@"
  echo "== $name: loupe eval forecast $EVAL_ARGS" >&2
  local t0=$SECONDS
  # shellcheck disable=SC2086
  "$LOUPE" --data "$data" eval forecast --freq week $EVAL_ARGS --json \
    --export-csv "$OUT/$name.csv" > "$OUT/$name-loupe.jsonl"
  echo "   loupe: $((SECONDS - t0))s" >&2
  t0=$SECONDS
  "$PY" "$ROOT/bench/forecast/holdout_bench.py" "$OUT/$name.csv" --loupe "$OUT/$name-loupe.jsonl" \
    --json "$OUT/$name-baselines.json" | tee "$OUT/$name-table.txt"
  echo "   baselines: $((SECONDS - t0))s" >&2
}

rees46_import() {
  local data=$OUT/rees46-data
  # The product table gives each product its category; the orders file's
  # short rows are realigned by the import (issue 13).
  "$LOUPE" --data "$data" import catalog "$DATASETS/rees46-jewelry-products.csv" --format csv \
    --map sku=product_id --map category=category_code --map gender=gender --map metal=main_metal \
    --map stone=main_gem --currency USD > "$OUT/rees46-import-catalog.txt"
  "$LOUPE" --data "$data" import orders "$DATASETS/rees46-jewelry-orders-2018-12-to-2021-08.csv" \
    --map ordered_at=event_time --map unit_price=price_usd --currency USD > "$OUT/rees46-import-orders.txt"
}

retail_import() {
  "$LOUPE" --data "$OUT/retail-data" import orders "$DATASETS/online-retail-2010-12-to-2011-09.csv" \
    --currency GBP > "$OUT/retail-import-orders.txt"
}

if [ "$WHICH" = rees46 ] || [ "$WHICH" = all ]; then
  # Train to 2020-08-30, hold out 2020-08-31 .. 2021-01-03 (18 weeks of
  # autumn and the gifting season); validate on the 18 weeks before.
  EVAL_ARGS="--holdout-from 2020-09-01 --holdout-weeks 18" run rees46 rees46_import
fi
if [ "$WHICH" = retail ] || [ "$WHICH" = all ]; then
  # The last 8 whole weeks (2011-08-01 .. 2011-09-25); validate on the 8 before.
  EVAL_ARGS="--holdout-weeks 8" run retail retail_import
fi

#!/usr/bin/env bash
# Recommendations out of sample (issue 13): Loupe beside implicit ALS,
# popularity of the last 90 days and "favourites, then popular", on the same
# split, customers and truth. The blend and ALS's settings are chosen on the
# validation window; the holdout is scored once. Prints a side-by-side table
# with Loupe / best baseline ratios. See BENCHMARKS.md, "Recommendations out
# of sample (issue 13)".
#
# usage: bench/recs/holdout.sh [rees46|retail|both]
# env:   LOUPE (default target/release/loupe), PYTHON (default
#        /tmp/recs-venv/bin/python, with implicit, scipy, numpy),
#        DATASETS (default ../shared/datasets), OUT (default /tmp/recs-holdout),
#        EXTRA (more `loupe eval recs` options)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LOUPE="${LOUPE:-$ROOT/target/release/loupe}"
PYTHON="${PYTHON:-/tmp/recs-venv/bin/python}"
DATASETS="${DATASETS:-$ROOT/../shared/datasets}"
OUT="${OUT:-/tmp/recs-holdout}"
WHICH="${1:-both}"
export OPENBLAS_NUM_THREADS=1

run() {
    local name="$1"; shift
    local dir="$OUT/$name"
    rm -rf "$dir" && mkdir -p "$dir"
    echo "== $name: $LOUPE eval recs $* ${EXTRA:-}" >&2
    "$LOUPE" "$@" ${EXTRA:-} --k 20 --json --export-split "$dir/split" > "$dir/loupe.json"
    echo "== $name: implicit ALS, grid on validation" >&2
    "$PYTHON" "$HERE/implicit_als.py" --split-dir "$dir/split" --k 20 2> "$dir/implicit.log" > "$dir/implicit.json"
    python3 - "$dir/loupe.json" "$dir/implicit.json" "$name" <<'PY'
import json, sys
loupe, als, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
methods = {m['name']: m for m in loupe['methods']}
methods['implicit_als'] = {'name': 'implicit_als', 'validation': als['validation'], 'holdout': als['holdout']}
baselines = ['implicit_als', 'popular_90d', 'favourites_then_popular']
cols = [(w, m) for w in ('holdout', 'validation') for m in ('recall', 'ndcg', 'recall_new', 'ndcg_new')]
v, h = loupe['validation'], loupe['holdout']
print(f"\n{name}: validation {v['from']}..{v['to']} ({v['customers']} customers, {v['customers_new']} with new products), "
      f"holdout {h['from']}..{h['to'] or 'end'} ({h['customers']} customers, {h['customers_new']} with new products); "
      f"{loupe['items']} products; k={loupe['k']}; blend chosen on validation: {loupe['chosen_blend']}, half-life {loupe.get('half_life_days', 120)} days; "
      f"implicit {als['implicit']} chosen on validation: {als['params']}; short rows skipped: {loupe['short_rows_skipped']}")
head = ['method'] + [f"{'hold' if w == 'holdout' else 'val'} {m.replace('recall', 'R@20').replace('ndcg', 'NDCG@20')}" for w, m in cols]
print('| ' + ' | '.join(head) + ' |')
print('|' + '---|' * len(head))
for n in ['loupe', 'loupe_deployed'] + baselines:
    m = methods[n]
    print('| ' + ' | '.join([n] + [f"{m[w][k]:.4f}" for w, k in cols]) + ' |')
best = {c: max(methods[b][c[0]][c[1]] for b in baselines) for c in cols}
which = {c: max(baselines, key=lambda b: methods[b][c[0]][c[1]]) for c in cols}
print('| loupe / best baseline | ' + ' | '.join(
    (f"{methods['loupe'][w][k] / best[(w, k)]:.2f}x" if best[(w, k)] > 0 else 'n/a') for w, k in cols) + ' |')
print('| (best baseline) | ' + ' | '.join(which[c] for c in cols) + ' |')
PY
}

case "$WHICH" in
rees46|both)
    data="$OUT/rees46-data"
    rm -rf "$data" && mkdir -p "$data"
    "$LOUPE" --data "$data" import catalog "$DATASETS/rees46-jewelry-products.csv" >/dev/null
    run rees46 --data "$data" eval recs --orders "$DATASETS/rees46-jewelry-orders-2018-12-to-2021-08.csv" \
        --map order_id=order_id --map sku=product_id --map quantity=quantity --map ordered_at=event_time \
        --map unit_price=price_usd --map customer_id=user_id \
        --validate-from 2020-05-01 --holdout-from 2020-09-01 --holdout-to 2021-01-01
    ;;&
retail|both)
    run retail --data "$OUT/retail-data" eval recs --orders "$DATASETS/online-retail-2010-12-to-2011-09.csv" \
        --map order_id=InvoiceNo --map sku=StockCode --map title=Description --map quantity=Quantity \
        --map ordered_at=InvoiceDate --map unit_price=UnitPrice --map customer_id=CustomerID --map country=Country \
        --validate-from 2011-06-11 --holdout-from 2011-08-06
    ;;
esac

#!/usr/bin/env bash
# Re-runs every import and evaluation of bench/truth/ on fresh data
# directories and prints one table: normalizer field accuracy per catalog
# (`loupe eval normalize`) and search NDCG@10 beside BM25 (`loupe eval
# search`). Held-out catalogs: newchic-fr and bluestone. Tuned on: Cartier,
# REES46 (and the demo brand, not measured here).
#
#   bench/truth/run_all.sh                 # uses target/release/loupe
#   LOUPE=path/to/loupe DATASETS=../shared/datasets OUT=/tmp/loupe-truth bench/truth/run_all.sh
#
# The truth and query files are regenerated first (make_truth.py,
# make_queries.py) so that they match the data sets on this machine.
# Per-catalog reports are kept in $OUT/*.json and $OUT/*.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TRUTH="$ROOT/bench/truth"
LOUPE="${LOUPE:-$ROOT/target/release/loupe}"
DATASETS="${DATASETS:-$(cd "$ROOT/.." && pwd)/shared/datasets}"
OUT="${OUT:-/tmp/loupe-truth}"

if [ ! -x "$LOUPE" ]; then
    echo "no loupe binary at $LOUPE: build it (cargo build --release -p loupe) or set LOUPE" >&2
    exit 2
fi
if [ ! -d "$DATASETS" ]; then
    echo "no data sets at $DATASETS: set DATASETS" >&2
    exit 2
fi

python3 "$TRUTH/make_truth.py" "$DATASETS"
python3 "$TRUTH/make_queries.py" "$DATASETS"

rm -rf "$OUT"
mkdir -p "$OUT"

# Imports ../shared/datasets/FILE into a fresh data directory $OUT/NAME.
import_catalog() {
    local name="$1" file="$2"
    shift 2
    echo "importing $name: loupe --data $OUT/$name import catalog $file $*" >&2
    "$LOUPE" --data "$OUT/$name" import catalog "$DATASETS/$file" "$@" >"$OUT/$name.import.txt" 2>&1
}

import_catalog cartier cartier-rings.csv
import_catalog rees46 rees46-jewelry-products.csv
import_catalog newchic-fr newchic-fr-jewelry.csv --map price=current_price
import_catalog bluestone bluestone-earrings-listing.csv \
    --map 'handle=p-name href' --map title=p-name --map price=new-price --map 'image_url=hc src' --currency INR

normalize() {
    local name="$1" truth="$2"
    "$LOUPE" --data "$OUT/$name" eval normalize --truth "$TRUTH/$truth" --misses 10 --json >"$OUT/$name.normalize.json"
    "$LOUPE" --data "$OUT/$name" eval normalize --truth "$TRUTH/$truth" --misses 10 >"$OUT/$name.normalize.txt"
}
normalize cartier cartier.jsonl
normalize rees46 rees46-products.jsonl
normalize newchic-fr newchic-fr.jsonl
normalize bluestone bluestone.jsonl

echo "searching (newchic-fr grades every product against each query: about a minute in release)" >&2
"$LOUPE" --data "$OUT/cartier" eval search --json >"$OUT/cartier.search.json"
"$LOUPE" --data "$OUT/newchic-fr" eval search --judgments "$TRUTH/newchic-fr-queries.txt" --json >"$OUT/newchic-fr.search.json"
"$LOUPE" --data "$OUT/newchic-fr" eval search --judgments "$TRUTH/newchic-fr-queries.txt" >"$OUT/newchic-fr.search.txt"

python3 - "$OUT" <<'EOF'
import json, sys, os
out = sys.argv[1]
cats = [("newchic-fr", "held out"), ("bluestone", "held out"), ("cartier", "tuned"), ("rees46", "tuned")]
fields = ["category", "gender", "metal_kind", "karat", "metal_color", "stone_kind"]
print("\nNormalizer field accuracy (correct/scored; '-' = no truth for the field)\n")
print("| catalog | set | matched/truth rows | " + " | ".join(fields) + " |")
print("|---|---|---|" + "---|" * len(fields))
for name, kind in cats:
    r = json.load(open(os.path.join(out, f"{name}.normalize.json")))
    cells = []
    for f in fields:
        x = r["fields"][f]
        cells.append("-" if x["scored"] == 0 else f"{x['accuracy']:.3f} ({x['correct']}/{x['scored']})")
    print(f"| {name} | {kind} | {r['matched']}/{r['truth_rows']} | " + " | ".join(cells) + " |")
print("\nSearch NDCG@10, Loupe beside plain BM25 on the same text\n")
print("| catalog | set | queries | Loupe | BM25 |")
print("|---|---|---|---|---|")
for name, kind in [("newchic-fr", "held out"), ("cartier", "tuned")]:
    for s in json.load(open(os.path.join(out, f"{name}.search.json"))):
        print(f"| {name} | {kind} | {len(s['queries'])} | {s['mean_ndcg']['loupe']:.3f} | {s['mean_ndcg']['bm25']:.3f} |")
EOF

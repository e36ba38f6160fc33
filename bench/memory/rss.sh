#!/usr/bin/env bash
# Starts `loupe serve` on a data directory, waits until its engines are warm,
# requests the pages and API calls that build every engine (search,
# recommendations, forecasts by day and week, search analytics, slow movers),
# and prints the resident memory after each and the peak. BENCHMARKS.md,
# "Memory", lists the runs.
#
# usage: bench/memory/rss.sh LOUPE_BINARY DATA_DIR [PORT]
set -euo pipefail
bin=$1 data=$2 port=${3:-7831}
log=$(mktemp)
"$bin" serve --data "$data" --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$pid/status"; echo; }
for _ in $(seq 1 600); do
  grep -q "engines warmed" "$log" && break
  sleep 1
done
printf '%-44s' "warm"; rss
for path in "/v1/search?q=gold+ring" "/v1/recommendations?context=home&customer=C000123" \
  "/v1/slow-movers" "/v1/forecasts?freq=week" "/v1/forecasts?freq=day" "/admin/forecasts" "/admin/search" "/admin"; do
  code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' "http://127.0.0.1:$port$path")
  printf '%-44s' "$path $code"; rss
done

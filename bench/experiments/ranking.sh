#!/usr/bin/env bash
# The search-ranking experiment of issue 15 with a known true effect: builds
# `examples/ranking_experiment` of the app crate in release, prints the
# machine, then generates the demo brand, imports it through Loupe's importers
# and runs K experiments (learned vs catalog_only ranking) through Loupe's
# assignment, event ingest and read-out. Arguments go to the example
# (`--json`, `--runs K`, `--visitors N`, `--products N`, `--customers N`,
# `--seed N`, `--top-queries N`). BENCHMARKS.md ("A search-ranking experiment with a known true effect") has the runs.
#
# usage: bench/experiments/ranking.sh [ARGS...]    (CARGO_BUILD_JOBS limits the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p app --example ranking_experiment
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')" >&2
echo "commit: $(git rev-parse --short HEAD)" >&2
start=$(date +%s.%N)
cargo run --quiet --release -p app --example ranking_experiment -- "$@"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time: %.1f s\n", e - s }' >&2

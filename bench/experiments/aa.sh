#!/usr/bin/env bash
# The A/A simulation study of issue 15: builds `examples/aa` of the
# experiments crate in release, prints the machine, then runs the study on
# the demo brand (1,000 replicates by default) and prints its table and how
# long it took. Arguments go to the example (`--json`, `--replicates N`,
# `--customers N`, `--products N`, `--days N`, `--seed N`, `--coin`).
# BENCHMARKS.md ("Experiments", "A/A study") lists the runs.
#
# usage: bench/experiments/aa.sh [ARGS...]    (CARGO_BUILD_JOBS limits the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p experiments --example aa
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p')" >&2
echo "commit: $(git rev-parse --short HEAD)" >&2
start=$(date +%s.%N)
cargo run --quiet --release -p experiments --example aa -- "$@"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "wall time: %.1f s\n", e - s }' >&2

#!/usr/bin/env bash
# The support engine's figures (BENCHMARKS.md, "Customer support"):
# the held-out set (written independently, never tuned on) as the headline,
# the dev set (tuned on) beside it, Bitext's dev split and the demo brand's
# tickets. Usage: bench/support/run.sh [path/to/loupe] [demo data dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
LOUPE=${1:-target/release/loupe}
DEMO=${2:-}
S=../shared/support
demo_args=()
if [ -n "$DEMO" ]; then demo_args=(--demo "$DEMO"); fi
echo "== held-out (headline)"
"$LOUPE" eval support --bitext-dev "$S/bitext-intents-dev.csv" --heldout bench/support/heldout \
  --faq "$S/jeweler-faqs-india.csv" --demo-kb crates/support/data/demo-kb.md "${demo_args[@]}"
echo "== dev (tuned on)"
"$LOUPE" eval support --heldout bench/support/dev --faq "$S/jeweler-faqs-india.csv" \
  --demo-kb crates/support/data/demo-kb.md

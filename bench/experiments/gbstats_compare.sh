#!/usr/bin/env bash
# Agreement of `loupe experiments analyze` / `srm` with gbstats 0.8.0 from PyPI.
# Makes its own virtual environment (gbstats 0.8.0 pins pandas < 2), builds the
# loupe binary, and runs gbstats_compare.py; extra arguments go to the script
# (--per-cell N, --srm-cases N, --seed S).
#
#   bench/experiments/gbstats_compare.sh              # 200 cases per type x config
#   GBSTATS_VENV=/tmp/gbstats-venv PYTHON=python3.11 bench/experiments/gbstats_compare.sh --per-cell 100
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${GBSTATS_VENV:-/tmp/gbstats-venv}
python=${PYTHON:-python3}

if ! "$venv/bin/python" -c "import gbstats, numpy" 2>/dev/null; then
  echo "making $venv with gbstats 0.8.0 ..." >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet "gbstats==0.8.0"
fi
installed=$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('gbstats'))")
if [ "$installed" != "0.8.0" ]; then
  echo "error: $venv has gbstats $installed, not 0.8.0" >&2
  exit 1
fi

if [ -z "${LOUPE:-}" ]; then
  target=${CARGO_TARGET_DIR:-$root/target}
  (cd "$root" && cargo build --quiet -p loupe)
  LOUPE=$target/debug/loupe
fi

exec "$venv/bin/python" "$here/gbstats_compare.py" --loupe "$LOUPE" "$@"

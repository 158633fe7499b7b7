#!/usr/bin/env bash
# Regenerates the committed notebooks' outputs: runs every notebooks/*.ipynb in
# place with `churnlab notebook run` (and writes an HTML rendering next to it
# under .build/notebooks-html/). Outputs are deterministic (seeded), so a re-run
# only changes the notebooks when the code or the library changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-deps.sh
ensure_system_packages

swift build -c release --product churnlab >&2
churnlab=.build/release/churnlab
mkdir -p .build/notebooks-html
for nb in notebooks/*.ipynb; do
    name=$(basename "$nb" .ipynb)
    "$churnlab" notebook run "$nb" --html ".build/notebooks-html/$name.html" --timeout 120
done
echo "HTML renderings in .build/notebooks-html/" >&2

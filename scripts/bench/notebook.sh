#!/usr/bin/env bash
# Notebook and kernel figures (release build): wall time of `churnlab notebook run`
# on the committed notebooks, and the kernel's execute round-trip latency through
# jupyter_client (needs a venv with jupyter_client: .build/venv from scripts/test,
# or $CHURNLAB_BENCH_VENV).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product churnlab >&2
bin=.build/release/churnlab
tmp=$(mktemp -d)
for nb in notebooks/*.ipynb; do
    start=$(date +%s.%N)
    "$bin" notebook run "$nb" --out "$tmp/out.ipynb" >/dev/null
    end=$(date +%s.%N)
    printf '%-36s %6.3f s\n' "notebook run $(basename "$nb")" "$(echo "$end - $start" | bc)"
done
venv=${CHURNLAB_BENCH_VENV:-.build/venv}
if "$venv/bin/python" -c "import jupyter_client" 2>/dev/null; then
    "$venv/bin/python" scripts/bench/kernel_latency.py "$bin" 200
else
    echo "kernel latency skipped: no jupyter_client in $venv (run scripts/test once)" >&2
fi
rm -rf "$tmp"

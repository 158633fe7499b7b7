#!/usr/bin/env bash
# gzip CSV load benchmark: ChurnLab reading events.csv plain and gzip-compressed,
# next to polars and pyarrow reading the same .gz (pandas too).
#   scripts/bench/gzip_csv_bench.sh [DATA_DIR]      (default /tmp/churnlab-bench)
# Uses events.csv from scripts/bench/gen_tables.py (20,000,000 x 4; generated
# when missing; --events N through CHURNLAB_BENCH_EVENTS), gzip -6 of it, a release
# build, and prints one BENCH line per tool: wall seconds, CPU seconds, peak RSS.
# The venv is $CHURNLAB_BENCH_VENV or .venv-ref (pip install numpy polars pyarrow pandas).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-/tmp/churnlab-bench}
VENV=${CHURNLAB_BENCH_VENV:-.venv-ref}
PY=""
[ -x "$VENV/bin/python" ] && PY="$VENV/bin/python"
mkdir -p "$DATA"
if [ ! -s "$DATA/events.csv" ]; then
    [ -n "$PY" ] || { echo "no venv to generate the tables ($VENV)"; exit 1; }
    "$PY" scripts/bench/gen_tables.py "$DATA" --rows 1000 --events "${CHURNLAB_BENCH_EVENTS:-20000000}"
fi
[ -s "$DATA/events.csv.gz" ] || gzip -6 -k -c "$DATA/events.csv" > "$DATA/events.csv.gz"
swift build -c release -Xswiftc -enable-testing --build-tests >/dev/null
XCTEST=$(ls -d .build/release/*.xctest | head -1)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $(du -h "$DATA/events.csv" | cut -f1) plain, $(du -h "$DATA/events.csv.gz" | cut -f1) gzip"
for f in events.csv events.csv.gz; do
    cat "$DATA/$f" > /dev/null
    CHURNLAB_BENCH=1 CHURNLAB_BENCH_CSV="$DATA/$f" "$XCTEST" ChurnCoreTests.CSVBenchTests/testBenchCSVRead 2>&1 | grep '^BENCH' || true
done
if [ -n "$PY" ]; then
    for tool in polars pyarrow pandas; do
        "$PY" scripts/bench/files_peers.py "$tool" read_csv "$DATA/events.csv.gz" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
    done
fi

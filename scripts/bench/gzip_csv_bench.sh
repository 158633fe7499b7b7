#!/usr/bin/env bash
# gzip CSV load benchmark: ChurnLab reading an event log plain and gzip-compressed,
# next to polars, pyarrow and pandas reading the same .gz.
#   scripts/bench/gzip_csv_bench.sh [DATA_DIR]      (default /tmp/churnlab-bench)
# Uses events.csv from scripts/bench/gen_tables.py (generated when missing with
# CHURNLAB_BENCH_EVENTS rows, default 20,000,000), gzip -6 of it, and a release
# build of churnlab (timed as a whole process: `churnlab run -e 'cl.read_csv(f)'`,
# so its ~0.05 s start-up is included). One BENCH line per tool: wall seconds,
# CPU seconds, peak RSS. The venv is $CHURNLAB_BENCH_VENV or .venv-ref
# (pip install numpy polars pyarrow pandas).
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
[ -s "$DATA/events.csv.gz" ] || gzip -6 -c "$DATA/events.csv" > "$DATA/events.csv.gz"
swift build -c release --product churnlab >/dev/null
BIN=$(swift build -c release --show-bin-path)/churnlab
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $(du -h "$DATA/events.csv" | cut -f1) plain, $(du -h "$DATA/events.csv.gz" | cut -f1) gzip"
for f in events.csv events.csv.gz; do
    cat "$DATA/$f" > /dev/null
    /usr/bin/time -f "BENCH churnlab read_csv $f %e s cpu=%U+%S s peakRSS=%M KiB" \
        "$BIN" run -e "local df = cl.read_csv('$DATA/$f'); assert(#df > 0)" 2>&1 | grep '^BENCH'
done
if [ -n "$PY" ]; then
    for tool in polars pyarrow pandas; do
        "$PY" scripts/bench/files_peers.py "$tool" read_csv "$DATA/events.csv.gz" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
    done
fi

#!/usr/bin/env bash
# Parquet benchmark: ChurnLab's reader and writer next to pyarrow and polars on
# the same file: wide.csv of scripts/bench/gen_tables.py (CHURNLAB_BENCH_ROWS
# rows, default 1,000,000, × 46: ints, floats, text, dates) written as snappy
# Parquet by pyarrow.
#   scripts/bench/parquet_bench.sh [DATA_DIR]      (default /tmp/churnlab-bench)
# ChurnLab is a release build timed as a whole process (`churnlab run -e ...`,
# start-up of ~0.05 s included; the write line is read + write, the read alone
# is the line before). One BENCH line per tool and task: wall seconds, CPU
# seconds, peak RSS. The venv is $CHURNLAB_BENCH_VENV or .venv-ref
# (pip install numpy polars pyarrow pandas).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-/tmp/churnlab-bench}
VENV=${CHURNLAB_BENCH_VENV:-.venv-ref}
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no venv ($VENV)"; exit 1; }
mkdir -p "$DATA"
if [ ! -s "$DATA/wide.csv" ]; then
    "$PY" scripts/bench/gen_tables.py "$DATA" --rows "${CHURNLAB_BENCH_ROWS:-1000000}" --events 1000
fi
if [ ! -s "$DATA/wide.parquet" ]; then
    "$PY" -c "import pyarrow.csv as c, pyarrow.parquet as q; q.write_table(c.read_csv('$DATA/wide.csv'), '$DATA/wide.parquet', compression='snappy')"
fi
swift build -c release --product churnlab >/dev/null
BIN=$(swift build -c release --show-bin-path)/churnlab
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file: $DATA/wide.parquet $(du -h "$DATA/wide.parquet" | cut -f1)"
cat "$DATA/wide.parquet" > /dev/null
/usr/bin/time -f "BENCH churnlab read_parquet wide.parquet %e s cpu=%U+%S s peakRSS=%M KiB" \
    "$BIN" run -e "local df = cl.read_parquet('$DATA/wide.parquet'); assert(#df > 0)" 2>&1 | grep '^BENCH'
/usr/bin/time -f "BENCH churnlab read+write_parquet wide.parquet %e s cpu=%U+%S s peakRSS=%M KiB" \
    "$BIN" run -e "cl.read_parquet('$DATA/wide.parquet'):write_parquet('$DATA/wide.churnlab.parquet')" 2>&1 | grep '^BENCH'
for tool in pyarrow polars; do
    "$PY" scripts/bench/files_peers.py "$tool" read_parquet "$DATA/wide.parquet" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
    "$PY" scripts/bench/files_peers.py "$tool" write_parquet "$DATA/wide.parquet" "$DATA/wide.$tool.parquet" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
done
# What we wrote, read by pyarrow: same shape and the same values as pyarrow's own reading of the input.
"$PY" - "$DATA/wide.parquet" "$DATA/wide.churnlab.parquet" <<'PYEOF'
import sys
import pyarrow.parquet as q
a, b = q.read_table(sys.argv[1]), q.read_table(sys.argv[2])
same = a.num_rows == b.num_rows and a.column_names == b.column_names and all(
    a.column(c).to_pylist() == b.column(c).cast(a.column(c).type).to_pylist() for c in a.column_names)
print("pyarrow reads churnlab's output:", b.num_rows, "rows", b.num_columns, "columns; values equal to the input:", same)
PYEOF

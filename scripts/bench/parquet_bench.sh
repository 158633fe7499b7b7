#!/usr/bin/env bash
# Parquet benchmark: ChurnLab's reader and writer next to pyarrow and polars on
# the same file (wide.csv of scripts/bench/gen_tables.py written as snappy
# Parquet by pyarrow: 1,000,000 x 46, ints, floats, text, dates).
#   scripts/bench/parquet_bench.sh [DATA_DIR]      (default /tmp/churnlab-bench)
# Prints one BENCH line per tool and task: wall seconds, CPU seconds, peak RSS.
# The venv is $CHURNLAB_BENCH_VENV or .venv-ref (pip install numpy polars pyarrow pandas).
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
swift build -c release -Xswiftc -enable-testing --build-tests >/dev/null
XCTEST=$(ls -d .build/release/*.xctest | head -1)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file: $DATA/wide.parquet $(du -h "$DATA/wide.parquet" | cut -f1)"
cat "$DATA/wide.parquet" > /dev/null
CHURNLAB_BENCH=1 CHURNLAB_BENCH_PARQUET="$DATA/wide.parquet" CHURNLAB_BENCH_OUT="$DATA/wide.churnlab.parquet" \
    "$XCTEST" ChurnCoreTests.ParquetBenchTests/testBenchParquet 2>&1 | grep '^BENCH' || true
for tool in pyarrow polars; do
    "$PY" scripts/bench/files_peers.py "$tool" read_parquet "$DATA/wide.parquet" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
    "$PY" scripts/bench/files_peers.py "$tool" write_parquet "$DATA/wide.parquet" "$DATA/wide.$tool.parquet" 2>&1 | grep '^BENCH' || echo "BENCH $tool failed"
done
# What we wrote, read by pyarrow (must succeed and match the row count).
"$PY" -c "import pyarrow.parquet as q; t=q.read_table('$DATA/wide.churnlab.parquet'); print('pyarrow reads churnlab output:', t.num_rows, 'rows', t.num_columns, 'columns')"

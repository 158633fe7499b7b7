#!/usr/bin/env bash
# Shared driver of gbdt_bench.sh / forest_bench.sh: MODEL PEERS. ChurnLab's side is
# scripts/bench/model_bench.lua on the release binary; the peers' is model_peers.py.
set -euo pipefail
MODEL=$1; PEERS=$2
VENV=${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}
DATA=${CHURNLAB_BENCH_DATA:-/tmp/churnlab_bench_data}
THREADS=${CHURNLAB_BENCH_THREADS:-2}
PY="$VENV/bin/python"
OUT=$(mktemp -d)
if [ ! -s "$DATA/table.csv" ]; then
    [ -x "$PY" ] || { echo "no $DATA and no Python venv ($VENV) to generate it" >&2; exit 1; }
    "$PY" scripts/bench/gen_model_table.py "$DATA" --csv
fi
# The plain release binary, as users run it (the one build perf-guard and the other benches share).
swift build -c release --product churnlab >&2
CHURNLAB_THREADS=$THREADS .build/release/churnlab run scripts/bench/model_bench.lua "$MODEL" "$DATA" | grep '^BENCH ' > "$OUT/results" || true
if [ -x "$PY" ]; then
    for lib in $PEERS; do
        case $lib in
            lightgbm) mod=lightgbm;; xgboost) mod=xgboost;; sklearn) mod=sklearn;;
        esac
        if "$PY" -c "import $mod" 2>/dev/null; then
            echo "running $lib..." >&2
            OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=passive "$PY" scripts/bench/model_peers.py "$DATA" \
                --model "$MODEL" --lib "$lib" --threads "$THREADS" | grep '^BENCH ' >> "$OUT/results" || echo "$lib failed" >&2
        fi
    done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$OUT/results"   # the raw BENCH lines (read by scripts/bench/all)
python3 - "$OUT/results" <<'PY'
import json, sys
rows = [json.loads(l[6:]) for l in open(sys.argv[1]) if l.startswith("BENCH ")]
if not rows: sys.exit("no results")
cols = [("lib", "library", "{}"), ("train_s", "train s", "{:.1f}"), ("train_cpu_s", "train CPU s", "{:.1f}"),
        ("auc", "test AUC", "{:.5f}"), ("predict_rows_per_s", "predict rows/s", "{:,.0f}"),
        ("shap_rows_per_s", "SHAP rows/s", "{:,.0f}"), ("peak_mb", "peak MB", "{:.0f}"), ("data_mb", "after load MB", "{:.0f}"),
        ("oob_accuracy", "OOB acc", "{:.4f}")]
cols = [c for c in cols if any(c[0] in r for r in rows)]
print(" | ".join(f"{h:>14}" for _, h, _ in cols))
for r in rows:
    print(" | ".join(f"{(f.format(r[k]) if k in r else '-'):>14}" for k, _, f in cols))
base = rows[0]
for r in rows[1:]:
    print(f"churnlab / {r['lib']}: train time x{base['train_s'] / r['train_s']:.2f}"
          + (f", CPU x{base['train_cpu_s'] / r['train_cpu_s']:.2f}" if 'train_cpu_s' in r else "")
          + f", AUC {base['auc'] - r['auc']:+.4f}, predict x{base['predict_rows_per_s'] / r['predict_rows_per_s']:.2f}"
          + f", peak memory x{base['peak_mb'] / r['peak_mb']:.2f}")
PY
rm -rf "$OUT"

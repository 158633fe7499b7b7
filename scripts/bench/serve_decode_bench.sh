#!/usr/bin/env bash
# The /v1/score fast decoder (FastJSONScanner + FastScoreDecoding) alone, in-process, side by side:
# the version at git ref BASE (default main) vs the work tree's, each compiled standalone with swiftc -O
# (the ChurnServe files plus ChurnCore's PowersOfTen, `import ChurnCore` stripped), run alternately on the
# same body: 1,000 rows x 45 features f1..f45, values as serve_make_data.py writes them (normal(0,1),
# Python round(x, 6) printed shortest: -1.234567, 0.52), `{"rows": [...], "reasons": false}` with json.dump's
# spacing; and its first row alone (a single-row request). Prints decode time per body, ns per number and rows/s,
# in thread CPU time (best of REPEATS rounds of ITERS bodies, 200 x ITERS single-row bodies).
# Usage: scripts/bench/serve_decode_bench.sh [BASE (default main)] [REPEATS (default 7)] [ITERS (default 200)]
# Measured 2026-12-04 17:43 UTC (branch json12 vs main d5049f2, REPEATS 5, load average 5.2-5.6, AMD EPYC VM):
#   1000-row body   main 1,199-1,215 us (26.6-27.0 ns a number, ~830,000 rows/s)
#                   json12 504-510 us (11.2-11.3 ns a number, ~1,970,000 rows/s): 2.4x
#   1-row body      main 0.98-1.00 us, json12 0.94-0.95 us
#   Steps (same bench, load 3-7): 8-digit words for the numbers 27.2 -> 21.0 ns a number; the sign without a branch
#   -> 19.2; key word compares and rows appended whole -> 16.9; the first row's gaps -> 15.2 (-> 13.4 once the tables
#   held no arrays: copying an optional struct of arrays retained five of them per key); rows in their own loop -> 12.7,
#   on a local scanner -> 11.9; the byte after the digits from the word -> 11.3. Tried and dropped: the number's end
#   from one 16-byte class scan (13.3 vs 12.7, slower); an (inexact) multiply for the division only to time it (-2 %
#   at most: the division is not the cost).
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${1:-main}; REPEATS=${2:-7}; ITERS=${3:-200}
WORK=$(mktemp -d /tmp/serve-decode-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FILES=(Sources/ChurnServe/FastJSONScanner.swift Sources/ChurnServe/FastScoreDecoding.swift
       Sources/ChurnServe/DigitRun.swift Sources/ChurnCore/Util/PowersOfTen.swift)

cat > "$WORK/main.swift" <<'SWIFT'
import Foundation
// Body like serve_make_data.py's rows_1000.json (own generator: Box-Muller normals, 6-decimal rounding,
// printed shortest like Python's repr, which Swift's description matches for these values).
var state: UInt64 = 7
func next() -> UInt64 { state &+= 0x9E3779B97F4A7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) }
func unit() -> Double { Double(next() >> 11) / 9007199254740992.0 }
func normal() -> Double { sqrt(-2 * log(1 - unit())) * cos(2 * Double.pi * unit()) }
let nf = 45, nrow = 1000
let names = (1...nf).map { Array("f\($0)".utf8) }
var rows: [String] = []
for _ in 0..<nrow {
    rows.append("{" + (1...nf).map { "\"f\($0)\": \((normal() * 1e6).rounded() / 1e6)" }.joined(separator: ", ") + "}")
}
let body = Array(("{\"rows\": [" + rows.joined(separator: ", ") + "], \"reasons\": false}").utf8)
/// This thread's CPU time (the machine is shared: wall time would count other processes' turns).
func cpuNanos() -> UInt64 { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec) }
let one = Array(("{\"rows\": [" + rows[0] + "], \"reasons\": false}").utf8)
let args = CommandLine.arguments
let repeats = Int(args[1])!, iters = Int(args[2])!
var check = 0.0
/// Best of `repeats` rounds: CPU nanoseconds per decode of `text`.
func time(_ text: [UInt8], _ n: Int) -> Double {
    var best = Double.infinity
    text.withUnsafeBufferPointer { b in
        for _ in 0..<repeats {
            let t0 = cpuNanos()
            for _ in 0..<n {
                guard let batch = FastScoreDecoding.decode(b, names: names, maxRows: 10_000) else { fatalError("refused") }
                check += batch.values[batch.values.count - 1]
            }
            best = min(best, Double(cpuNanos() - t0) / Double(n))
        }
    }
    return best
}
let big = time(body, iters), small = time(one, iters * 200)
print(String(format: "1000 rows: %.1f us a body, %.1f ns a number, %.0f rows/s; 1 row: %.2f us a body (%d / %d bytes; check %.3f)",
             big / 1e3, big / Double(nrow * nf), Double(nrow) / big * 1e9, small / 1e3, body.count, one.count, check))
SWIFT

build() {  # name ref-or-empty
  mkdir -p "$WORK/$1"
  for f in "${FILES[@]}"; do
    if [ -n "$2" ]; then git show "$2:$f" 2>/dev/null > "$WORK/$1/$(basename "$f")" || rm -f "$WORK/$1/$(basename "$f")"
    elif [ -f "$f" ]; then cp "$f" "$WORK/$1/"; fi
  done
  sed -i 's/^import ChurnCore$//' "$WORK/$1"/*.swift
  swiftc -O -wmo -module-name decodebench "$WORK/$1"/*.swift "$WORK/main.swift" -o "$WORK/$1/bench"
}
build base "$BASE"
build tree ""
echo "uptime: $(uptime)"
for round in 1 2 3; do
  echo "base ($BASE, round $round): $("$WORK/base/bench" "$REPEATS" "$ITERS")"
  echo "tree (work tree, round $round): $("$WORK/tree/bench" "$REPEATS" "$ITERS")"
done
echo "uptime: $(uptime)"

#!/usr/bin/env bash
# Cancellation latency of native work (issue 11 item 7), release build:
#  1. token cancelled from another thread during a 1M-row GBDT fit and a large
#     CSV read (XCTest bench, in process: time from cancel() to the call returning);
#  2. `churnlab run --timeout T` during a 1M-row GBDT fit: time from the
#     deadline to process exit (CLOCK_MONOTONIC is shared by the script's
#     cl.clock() and Python's time.monotonic());
#  3. `kill -INT` on `churnlab run` during the fit, when `run` handles SIGINT;
#  4. with BASELINE=/path/to/old/churnlab: GBDT fit time on 200k rows, old vs new
#     (the cost of the checks; median of RUNS runs each).
# Env: CHURNLAB_THREADS (default 2), RUNS (default 9), BASELINE, SKIP_BUILD=1,
#      SECTIONS (default "1 2 3 4").
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHURNLAB_THREADS=${CHURNLAB_THREADS:-2}
RUNS=${RUNS:-9}
SECTIONS=${SECTIONS:-1 2 3 4}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building release (churnlab + tests)..." >&2
    swift build -c release --build-tests -Xswiftc -enable-testing >&2
fi
BIN=.build/release/churnlab
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

if want 1; then
echo "== 1. cancel() from another thread (in process) =="
CHURNLAB_BENCH=1 .build/release/ChurnLabPackageTests.xctest "ChurnCoreTests.CancelLatencyBenchTests" 2>&1 \
    | grep '^BENCH ' | sed 's/^BENCH /  /' || echo "  (bench tests did not run)"
fi

# A 1M-row frame built in Lua, then a GBDT fit that would run for hours.
cat > "$TMP/gbdt.lua" <<'LUA'
local t0 = cl.clock()
local n = tonumber(arg and arg[1]) or 1000000
local trees = tonumber(arg and arg[2]) or 1000000
math.randomseed(1)
local x0, x1, x2, x3, y = {}, {}, {}, {}, {}
for i = 1, n do
  local a, b = math.random(), math.random()
  x0[i] = a; x1[i] = b; x2[i] = math.random(); x3[i] = math.random(1, 7)
  y[i] = (a + b + 0.3 * math.random() > 1.1) and 1 or 0
end
local df = cl.frame{x0 = x0, x1 = x1, x2 = x2, x3 = x3, y = y}
x0, x1, x2, x3, y = nil, nil, nil, nil, nil
collectgarbage()
local t1, c1 = cl.clock(), os.clock()
io.stderr:write(string.format("START %.6f FIT %.6f\n", t0, t1)); io.stderr:flush()
cl.model.gbdt{trees = trees, leaves = 63, seed = 1}:fit(df, {target = "y"})
io.stderr:write(string.format("FITTED %.6f CPU %.6f\n", cl.clock() - t1, os.clock() - c1))
LUA

if want 2; then
echo "== 2. run --timeout during a 1M-row GBDT fit (deadline → process exit) =="
python3 - "$BIN" "$TMP/gbdt.lua" <<'PY'
import re, subprocess, sys, time
bin, script = sys.argv[1:3]
def run(timeout, *args):
    p = subprocess.run([bin, "run", "--timeout", str(timeout), script, *args], capture_output=True, text=True)
    end = time.monotonic()
    m = re.search(r"START ([\d.]+) FIT ([\d.]+)", p.stderr)
    return p, end, m
# Calibrate: how long the data takes to build (the deadline must fall inside the fit).
p, end, m = run(600, "1000000", "1")   # one tree: only the data build matters here
if not m: sys.exit("calibration run failed:\n" + p.stderr)
prep = float(m.group(2)) - float(m.group(1))
print(f"  data built in {prep:.2f} s")
lat = []
for extra in (0.5, 1.0, 2.0, 3.0, 4.0):
    T = round(prep + extra, 1)
    p, end, m = run(T)
    ok = "time limit exceeded" in p.stderr and p.returncode != 0
    l = end - (float(m.group(1)) + T)
    lat.append(l)
    print(f"  --timeout {T:5.1f} (deadline {extra:.1f} s into the fit): exit {p.returncode}, "
          f"{'time limit exceeded' if ok else 'NOT STOPPED'}; deadline → exit {l * 1000:.0f} ms")
print(f"  max {max(lat) * 1000:.0f} ms")
PY
fi

if want 3; then
echo "== 3. kill -INT on churnlab run during the fit =="
python3 - "$BIN" "$TMP/gbdt.lua" <<'PY'
import re, signal, subprocess, sys, time
bin, script = sys.argv[1:3]
lat = []
for extra in (0.5, 1.5, 3.0):
    p = subprocess.Popen([bin, "run", script], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    if not line.startswith("START"): p.kill(); sys.exit("unexpected: " + line)
    time.sleep(extra)
    sent = time.monotonic(); p.send_signal(signal.SIGINT)
    err = p.stderr.read(); p.wait(); end = time.monotonic()
    if "interrupted" not in err:
        print(f"  SIGINT not handled by `run` in this build (exit {p.returncode}): process ended without 'interrupted'")
        break
    lat.append(end - sent)
    print(f"  SIGINT {extra:.1f} s into the fit: exit {p.returncode}, interrupted; signal → exit {(end - sent) * 1000:.0f} ms")
if lat: print(f"  max {max(lat) * 1000:.0f} ms")
PY
fi

if want 4 && [ -n "${BASELINE:-}" ]; then
    echo "== 4. cost of the checks: GBDT fit on 200k rows, 100 trees, median of $RUNS =="
    python3 - "$BASELINE" "$BIN" "$TMP/gbdt.lua" "$RUNS" <<'PY'
import re, statistics, subprocess, sys
old, new, script, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def fit(b):
    p = subprocess.run([b, "run", script, "200000", "100"], capture_output=True, text=True)
    m = re.search(r"FITTED ([\d.]+) CPU ([\d.]+)", p.stderr)
    return float(m.group(1)), float(m.group(2))
wall = {"before": [], "after": []}; cpu = {"before": [], "after": []}
for _ in range(runs):                      # interleaved, so load changes hit both alike
    for k, b in (("before", old), ("after", new)):
        w, c = fit(b); wall[k].append(w); cpu[k].append(c)
for name, d in (("wall", wall), ("CPU", cpu)):
    b, a = statistics.median(d["before"]), statistics.median(d["after"])
    bm, am = min(d["before"]), min(d["after"])
    print(f"  {name:4}: median before {b:.3f} s after {a:.3f} s ({100 * (a - b) / b:+.1f} %); "
          f"best before {bm:.3f} s after {am:.3f} s ({100 * (am - bm) / bm:+.1f} %)")
print(f"  load average at end: {open('/proc/loadavg').read().split()[:3]}")
PY
fi

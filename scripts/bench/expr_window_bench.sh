#!/usr/bin/env bash
# Column expression functions and window functions over groups on a seeded
# event table (default 5,000,000 rows, 200,000 users): ChurnLab (release) side
# by side with pandas on the same CSV when a Python venv is available
# ($CHURNLAB_BENCH_VENV, default .venv-ref in the repo; needs pandas).
#   lag over user ordered by day · cumsum over user · sum/mean over user (groupby().transform) ·
#   cummax over user by day · rank(min) · log1p · add_months(1) · join_asof by user
# Usage: scripts/bench/expr_window_bench.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${1:-5000000}"
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
DIR="$(mktemp -d /tmp/churnlab_exprbench.XXXXXX)"
trap 'rm -rf "$DIR"' EXIT
swift build -c release --product churnlab >/dev/null
cat > "$DIR/bench.lua" <<LUA
local n = $ROWS
local users, days, xs = {}, {}, {}
local seed = 12345
local function rnd() seed = (seed * 1103515245 + 12345) % 2147483648; return seed end
for i = 1, n do users[i] = rnd() % 200000; days[i] = rnd() % 730; xs[i] = (rnd() % 100000) / 100 end
local df = cl.frame({ user_id = users, d = days, x = xs }):mutate({ day = cl.lit("2023-01-01"):cast("date") + cl.col("d") })
df:write_csv("$DIR/events.csv")
local function bench(label, f)
  local best = math.huge
  for _ = 1, 3 do local t0 = cl.clock(); f(); best = math.min(best, cl.clock() - t0) end
  print(("BENCH churnlab %-28s %8.3f s"):format(label, best))
end
bench("lag over user by day", function() df:mutate({ p = cl.col("x"):lag(1):over("user_id", { order_by = "day" }) }) end)
bench("cumsum over user", function() df:mutate({ c = cl.col("x"):cumsum():over("user_id") }) end)
bench("sum over user (transform)", function() df:mutate({ s = cl.col("x"):sum():over("user_id") }) end)
bench("mean over user (transform)", function() df:mutate({ s = cl.col("x"):mean():over("user_id") }) end)
bench("cummax over user by day", function() df:mutate({ s = cl.col("x"):max():over("user_id", { order_by = "day" }) }) end)
bench("rank(min)", function() df:mutate({ r = cl.col("x"):rank({ method = "min" }) }) end)
bench("log1p", function() df:mutate({ l = cl.col("x"):log1p() }) end)
bench("add_months(1)", function() df:mutate({ m = cl.col("day"):add_months(1) }) end)
local plans = df:sample({ n = math.min(200000, n // 5), seed = 1 }):select("user_id", "day", "x")
bench("join_asof by user", function() df:join_asof(plans, { on = "day", by = "user_id" }) end)
LUA
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/churnlab run "$DIR/bench.lua"
if [ -x "$VENV/bin/python" ]; then
  "$VENV/bin/python" - "$DIR/events.csv" <<'PY'
import sys, time, numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1], parse_dates=["day"])
def bench(label, f):
    best = 1e9
    for _ in range(3):
        t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    print(f"BENCH pandas   {label:<28} {best:8.3f} s")
bench("lag over user by day", lambda: df.sort_values(["user_id", "day"], kind="stable").groupby("user_id")["x"].shift(1).reindex(df.index))
bench("cumsum over user", lambda: df.groupby("user_id")["x"].cumsum())
bench("sum over user (transform)", lambda: df.groupby("user_id")["x"].transform("sum"))
bench("mean over user (transform)", lambda: df.groupby("user_id")["x"].transform("mean"))
bench("cummax over user by day", lambda: df.sort_values(["user_id", "day"], kind="stable").groupby("user_id")["x"].cummax().reindex(df.index))
bench("rank(min)", lambda: df["x"].rank(method="min"))
bench("log1p", lambda: np.log1p(df["x"]))
bench("add_months(1)", lambda: df["day"] + pd.DateOffset(months=1))
plans = df.sample(n=min(200000, len(df) // 5), random_state=1)[["user_id", "day", "x"]].sort_values("day")
bench("join_asof by user", lambda: pd.merge_asof(df.sort_values("day"), plans, on="day", by="user_id"))
PY
else
  echo "BENCH (no Python venv at $VENV: pandas skipped)"
fi

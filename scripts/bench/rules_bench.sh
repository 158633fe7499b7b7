#!/usr/bin/env bash
# Retention rules: 10 vectorized rules over 1,000,000 scored users (ChurnLab core, release) beside the
# same rules in pandas/numpy (np.select-style priority assignment with budgets by score), and the per-user
# Lua-function path in users/s. Usage: scripts/bench/rules_bench.sh   (venv: $CHURNLAB_BENCH_VENV or .venv-ref in the repo)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${CHURNLAB_BENCH_VENV:-$PWD/.venv-ref}"
swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null
CHURNLAB_BENCH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter RulesBenchTests 2>&1 | grep BENCH || true
.build/release/churnlab run scripts/bench/rules_function.lua 1000000
if [ -x "$VENV/bin/python" ]; then
  "$VENV/bin/python" - <<'PY'
import time, numpy as np, pandas as pd
n = 1_000_000
rng = np.random.default_rng(11)
df = pd.DataFrame({"user_id": np.arange(n), "risk": rng.random(n), "tenure_days": rng.integers(0, 900, n),
                   "spend": rng.random(n) * 200, "opt_out": rng.random(n) < 0.02,
                   "plan": pd.Categorical.from_codes(rng.integers(0, 3, n), ["basic", "plus", "pro"])})
def run():
    r, t, s, p = df.risk.values, df.tenure_days.values, df.spend.values, df.plan.values
    conds = [(r >= .9) & (t > 30), (r >= .85) & (s > 100), (r >= .8) & (p == "pro"), (r >= .75) & (t < 60),
             (r >= .7) & (p == "plus"), (r >= .6) & (s * 2 > 150), (r >= .5) & (t > 365), (r >= .4) & (p == "basic"),
             (r >= .3) | (s > 190), t < 10]
    budgets = [50_000, 100_000, None, None, 20_000, None, None, None, None, None]
    free = ~df.opt_out.values
    assigned = np.full(n, -1)
    order = np.argsort(-r, kind="stable")
    for k, (c, b) in enumerate(zip(conds, budgets)):
        cand = c & free
        if b is not None and cand.sum() > b:
            idx = order[cand[order]][:b]
        else:
            idx = np.flatnonzero(cand)
        assigned[idx] = k; free[idx] = False
    return (assigned >= 0).sum()
best = 1e9
for _ in range(5):
    t0 = time.perf_counter(); v = run(); best = min(best, time.perf_counter() - t0)
print(f"BENCH pandas/numpy 10 rules x 1,000,000 users (no holdout hashing) {best:8.3f} s   decisions={v}")
PY
else
  echo "no Python venv at $VENV: ChurnLab figures only"
fi

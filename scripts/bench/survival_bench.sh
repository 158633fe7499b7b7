#!/usr/bin/env bash
# Survival / CLV fit times, side by side: ChurnLab (release) vs lifelines / lifetimes on the same data.
#   Kaplan–Meier with 10 groups and a 10-group log-rank on N rows (default 1,000,000; give N as $1),
#   Cox PH (Efron) on min(N, 200,000) rows × 10 covariates (COX_N=1000000 COX_P=20 for issue 15's size),
#   BG/NBD and Gamma–Gamma on the CDNOW sample replicated 10× (23,570 customers, the size of the full cohort),
#   BG/NBD and Pareto/NBD on the 2,357-customer sample (lifetimes' Pareto/NBD stops Nelder–Mead at tol 1e-4; ours goes to the optimum).
# Usage: scripts/bench/survival_bench.sh [N]   (venv with lifelines + lifetimes: $CHURNLAB_BENCH_VENV or .venv-ref)
# NOT yet re-measured after the 06:00 rewrite (grouped life tables in one pass over rank-sorted rows; Cox Hessian as one
# weighted Gram pass with Efron ties folded into three rank-one updates per time; no comparison sorts): the release build
# did not finish before the deadline on the loaded machine (load average ~12). The figures below are the code before it.
# Measured 2026-12-03 03:52 UTC (2 cores shared with other builds, load average ~12; release, N = 1,000,000;
# best of 3, Cox best of 1), seconds — ratio churnlab / peer:
#   KM 10 groups        lifelines 0.742   churnlab 0.285 (0.38x)   log-rank 10 groups  lifelines 1.304  churnlab 0.678 (0.52x)
#   Cox 200k x 10       lifelines 2.515   churnlab 1.335 (0.53x)   RFM summary 23,570  lifetimes 4.266  churnlab 0.016
#   BG/NBD 23,570       lifetimes 1.305   churnlab 0.0316          Gamma-Gamma         lifetimes 0.410  churnlab 0.142
# Previous run (2026-12-02, quieter machine): KM 0.331 vs 0.222, Cox 1.006 vs 0.914.
#   (issue 15's targets: BG/NBD < 50 ms met; KM and Cox at <= 0.1x lifelines NOT met: 0.38x and 0.53x.)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
CONFIG="${CHURNLAB_BENCH_CONFIG:-release}"   # "debug" only to smoke-test this script
[ "$CONFIG" = release ] && swift build -c release --product churnlab >&2
echo "BENCH uptime: $(uptime)"
"$VENV/bin/python" - "$DATA" "$N" <<'PY'
import sys, time, warnings, numpy as np, pandas as pd
warnings.filterwarnings("ignore")
import lifelines, lifetimes
from lifelines import KaplanMeierFitter, CoxPHFitter
from lifelines.statistics import multivariate_logrank_test
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data
d, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(7)
g = rng.integers(0, 10, n)
t = np.ceil(rng.exponential(200 / (1 + 0.1 * g))).clip(1, 1000)
e = (rng.random(n) < 0.7).astype(int)
pd.DataFrame({"duration": t, "event": e, "group": g}).to_csv(f"{d}/km.csv", index=False)
import os
nc = int(os.environ.get("COX_N", min(n, 200_000))); pc = int(os.environ.get("COX_P", 10))
Xc = rng.standard_normal((nc, pc))
tc = np.ceil(rng.exponential(100 * np.exp(-Xc[:, :3].sum(1) * 0.3))).clip(1, 2000)
cox = pd.DataFrame(Xc, columns=[f"x{j}" for j in range(pc)]).assign(T=tc, E=(rng.random(nc) < 0.6).astype(int))
cox.to_csv(f"{d}/cox.csv", index=False)
def best(f, k=3):
    b = 1e9
    for _ in range(k):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
print(f"BENCH peers: lifelines {lifelines.__version__}, lifetimes {lifetimes.__version__}, N = {n}")
def km10():
    for k in range(10):
        m = g == k
        KaplanMeierFitter().fit(t[m], e[m])
print(f"BENCH lifelines KM, 10 groups            {best(km10):9.4f} s")
print(f"BENCH lifelines logrank, 10 groups       {best(lambda: multivariate_logrank_test(t, g, e), 1):9.4f} s")
print(f"BENCH lifelines Cox, {nc} x {pc}            {best(lambda: CoxPHFitter().fit(cox, 'T', 'E'), 1):9.4f} s")
tx = pd.read_csv("Tests/ChurnCoreTests/Fixtures/clv/CDNOW_sample.txt", sep=r"\s+", header=None,
                 names=["master", "id", "date", "cds", "dollars"], dtype={"date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
big = pd.concat([tx.assign(id=tx["id"] + 10000 * k) for k in range(10)], ignore_index=True)
big[["id", "date", "dollars"]].assign(date=big["date"].dt.strftime("%Y-%m-%d")).to_csv(f"{d}/cdnow10.csv", index=False)
def summ(frame):
    return calibration_and_holdout_data(frame, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30",
                                        freq="D", freq_multiplier=7, monetary_value_col="dollars")
print(f"BENCH lifetimes summary (23,570 cust.) {best(lambda: summ(big), 1):9.4f} s")
s = summ(big).rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T", "monetary_value_cal": "monetary_value"})
print(f"BENCH lifetimes BG/NBD fit               {best(lambda: BetaGeoFitter().fit(s['frequency'], s['recency'], s['T'])):9.4f} s")
r = s[s.frequency > 0]
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]).params_
print("BENCH lifetimes BG/NBD on 10x CDNOW: " + " ".join(f"{k} {v:.6f}" for k, v in bg.items()))
print(f"BENCH lifetimes Gamma-Gamma fit          {best(lambda: GammaGammaFitter().fit(r.frequency, r.monetary_value)):9.4f} s")
from lifetimes import ParetoNBDFitter
tx[["id", "date", "dollars"]].assign(date=tx["date"].dt.strftime("%Y-%m-%d")).to_csv(f"{d}/cdnow1.csv", index=False)
s1 = summ(tx).rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
print(f"BENCH lifetimes BG/NBD fit (2,357 cust.) {best(lambda: BetaGeoFitter().fit(s1['frequency'], s1['recency'], s1['T'])):9.4f} s")
print(f"BENCH lifetimes Pareto/NBD fit (2,357)   {best(lambda: ParetoNBDFitter().fit(s1['frequency'], s1['recency'], s1['T']), 1):9.4f} s")
PY
".build/$CONFIG/churnlab" run scripts/bench/survival_bench.lua "$DATA"
echo "BENCH uptime: $(uptime)"

#!/usr/bin/env bash
# Survival / CLV fit times, side by side: ChurnLab (release) vs lifelines / lifetimes on the same data, at issue 15's sizes.
#   Kaplan–Meier with 10 groups on N rows (default 10,000,000; give N as $1): lifelines' time is its ten
#     KaplanMeierFitter.fit calls on the pre-split groups (the split is not timed); ours is one
#     cl.survival.kaplan_meier{group =} call on the whole frame (split, tables, curves, CIs, medians included);
#   10-group log-rank on min(N, LOGRANK_N = 1,000,000) rows;
#   Cox PH (Efron) on COX_N = 1,000,000 rows × COX_P = 20 covariates (both fit the same CSV, written at 6 significant
#     digits; the fit alone, then fit + reading Harrell's C, which both compute on first read; lifelines' coefficients are written next to the data and ours are compared with them: max |Δcoef|, concordance);
#   BG/NBD and Gamma–Gamma on the CDNOW sample replicated 10× (23,570 customers, the size of the full cohort);
#   BG/NBD and Pareto/NBD on the 2,357-customer sample (lifetimes' Pareto/NBD stops Nelder–Mead at tol 1e-4; ours goes to the optimum).
# Release 2026-12-04 00:56 UTC (load 1.1-1.2, main 076e6e9: Cox evaluation pass and Gram in the multi-versioned C
#   kernels, AVX-512 picked here), same run, best of 3 a side: Cox 1M x 20 0.3290 s (0.369 0.329 0.344) vs lifelines
#   4.2443 s (5.387 5.074 4.244): 0.078x best vs best, 0.068x median vs median (goal <= 0.1x: met); fit + concordance
#   0.4427 vs 15.8052 s; max |coef diff| 1.11e-16, concordance equal to 12 digits. KM 0.0273 vs 0.5918 s (0.046x);
#   log-rank 0.0813 vs 0.2512 s; BG/NBD 23,570 customers 9.1 ms vs 194 ms. The C kernel's Gram is 2.1-2.4x the
#   baseline build's standalone (1M x 20: 0.027-0.031 s vs 0.065 s CPU); end to end its gain is inside this VM's
#   run-to-run spread (paired fresh-process fits 0.24-0.32 s with it, 0.27-0.40 s before).
# Release 2026-12-04 00:21 UTC (load 1.3-1.6, main 38e8ba3 with the huge-page risk sets and the row-at-a-time scatter;
#   AMD EPYC with AVX-512, 2 threads; the helpers' builds were paused with SIGSTOP for the run), same run, best of 3 fits
#   a side: Cox 1M x 20 fit 0.3001 s (0.570 0.339 0.300) vs lifelines 4.2472 s (7.092 5.149 4.247): 0.071x best vs best,
#   0.080x first vs first, 0.066x median vs median (goal <= 0.1x: met); fit + concordance 0.3763 vs 13.5018 s (0.028x);
#   max |coef diff| 1.11e-16, concordance equal to 12 digits. KM 10 groups / 10M rows 0.0223 vs 0.6991 s (0.032x);
#   log-rank 1M rows 0.0823 vs 0.3211 s (0.26x); BG/NBD 23,570 customers 6.5 ms vs 266 ms (< 50 ms: met).
#   Paired series before it (one Cox fit a process start, alternating): lifelines 4.07-5.87 s, ChurnLab 0.27-0.40 s.
# Release 2026-12-03 16:49 UTC (load 1.1, main with survival5), same run: Cox 1M x 20 fit 0.5849 s vs lifelines 4.2408 s
#   (0.138x: the goal <= 0.1x is still not met; lifelines was 6.2 s in the 14:09 run); fit + reading the concordance
#   0.7647 s vs 21.0851 s (0.036x); max |coef diff| 1.11e-16, concordance equal to 12 digits. KM 10 groups / 10M rows
#   0.0341 vs 0.6789 s (0.050x); log-rank 0.0749 vs 0.3485 s (0.21x); BG/NBD 23,570 customers 13.0 ms vs 306 ms.
#   Where the Cox fit's time goes now (perf, 6 fits): the Gram sums 26 %, the rest of the evaluations 15 %, writing rows
#   to risk-set order 11 %, page faults 6 %, Breslow baseline 3 %. The Gram is O(n p^2) per Newton step at SSE2
#   width (the package has no -march flags); lifelines' numpy runs it in OpenBLAS with AVX-512.
# Usage: scripts/bench/survival_bench.sh [N]   (venv with lifelines + lifetimes: $CHURNLAB_BENCH_VENV, else .venv-ref, created when missing)
# Measured in release 2026-12-03 14:09 UTC (load 0.6-1.0, main after the survival4 merge), same run:
#   KM 10 groups / 10M rows 0.0352 s vs lifelines 1.0295 s (0.034x, goal <= 0.1x: met); log-rank 1M rows 0.0817 vs
#   0.5265 s (0.16x); Cox 1M x 20 0.8128 s vs 6.2037 s (0.131x, goal <= 0.1x: not met; max |coef diff| 1.1e-16,
#   concordance equal to 12 digits); BG/NBD 23,570 customers 7.9 ms vs 409 ms (goal < 50 ms: met).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000000}"
export COX_REPEAT="${COX_REPEAT:-3}"   # Cox fits per side; the best is compared (a single cold fit varies by 2x on this VM)
VENV="${CHURNLAB_BENCH_VENV:-.venv-ref}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q lifelines==0.30.3 lifetimes==0.11.3 >&2
fi
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
import os
COX_REPEAT = int(os.environ.get("COX_REPEAT", 3))
rng = np.random.default_rng(7)
g = rng.integers(0, 10, n)
t = np.ceil(rng.exponential(200 / (1 + 0.1 * g))).clip(1, 1000)
e = (rng.random(n) < 0.7).astype(int)
pd.DataFrame({"duration": t.astype(np.int64), "event": e, "group": g}).to_csv(f"{d}/km.csv", index=False)
nl = min(n, int(os.environ.get("LOGRANK_N", 1_000_000)))
pd.DataFrame({"duration": t[:nl].astype(np.int64), "event": e[:nl], "group": g[:nl]}).to_csv(f"{d}/logrank.csv", index=False)
nc = int(os.environ.get("COX_N", 1_000_000)); pc = int(os.environ.get("COX_P", 20))
Xc = rng.standard_normal((nc, pc))
tc = np.ceil(rng.exponential(100 * np.exp(-Xc[:, :3].sum(1) * 0.3))).clip(1, 2000)
pd.DataFrame(Xc, columns=[f"x{j}" for j in range(pc)]).assign(T=tc.astype(np.int64), E=(rng.random(nc) < 0.6).astype(int)) \
    .to_csv(f"{d}/cox.csv", index=False, float_format="%.6g")
cox = pd.read_csv(f"{d}/cox.csv")
def best(f, k=3):
    b = 1e9
    for _ in range(k):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
print(f"BENCH peers: lifelines {lifelines.__version__}, lifetimes {lifetimes.__version__}, N = {n}")
parts = [(t[g == k], e[g == k]) for k in range(10)]
def km10():
    for tk, ek in parts:
        KaplanMeierFitter().fit(tk, ek)
print(f"BENCH lifelines KM, 10 groups, {n} rows  {best(km10):9.4f} s")
print(f"BENCH lifelines logrank, 10 groups, {nl} rows {best(lambda: multivariate_logrank_test(t[:nl], g[:nl], e[:nl]), 1):9.4f} s")
cph = CoxPHFitter()
cox_times = []
for _ in range(COX_REPEAT):
    t0 = time.perf_counter(); cph.fit(cox, 'T', 'E'); cox_times.append(time.perf_counter() - t0)
print(f"BENCH lifelines Cox, {nc} x {pc}            {min(cox_times):9.4f} s   (best of {COX_REPEAT}: " + " ".join(f"{x:.3f}" for x in cox_times) + ")")
# concordance_index_ is a lazy property in lifelines (and a deferred field in ChurnLab): timed apart, on both sides.
def fit_and_c():
    c = CoxPHFitter().fit(cox, 'T', 'E'); return c.concordance_index_
print(f"BENCH lifelines Cox + concordance          {best(fit_and_c, 1):9.4f} s")
with open(f"{d}/cox_ref.txt", "w") as fh:
    fh.write(" ".join(repr(float(v)) for v in cph.params_.values) + "\n" + repr(float(cph.concordance_index_)) + "\n")
print(f"BENCH lifelines Cox concordance {cph.concordance_index_:.12f}")
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

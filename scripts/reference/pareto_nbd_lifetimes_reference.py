"""Pareto/NBD reference values (Tests/ChurnCoreTests/CLV/ParetoNBDTests.swift, Tests/lua/survival_test.lua)
from lifetimes 0.11.3 ParetoNBDFitter:

    .venv-ref/bin/python scripts/reference/pareto_nbd_lifetimes_reference.py

Data: Tests/ChurnCoreTests/Fixtures/clv/CDNOW_sample.txt (source in Fixtures/README.md), weeks (freq "D",
freq_multiplier 7), calibration to 1997-09-30, holdout to 1998-06-30 — as clv_lifetimes_reference.py.
lifetimes fits with Nelder–Mead (tol 1e-4) from 0.1s, so its optimum is approximate; we also print the
log-likelihood at its parameters and refit with a tight tolerance to show how flat the optimum is.
"""
import os, warnings, numpy as np, pandas as pd, lifetimes
from lifetimes import ParetoNBDFitter
from lifetimes.utils import calibration_and_holdout_data
warnings.simplefilter("ignore")
here = os.path.dirname(os.path.abspath(__file__))
tx = pd.read_csv(os.path.join(here, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "clv", "CDNOW_sample.txt"), sep=r"\s+",
                 header=None, names=["master", "id", "date", "cds", "dollars"], dtype={"date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
ch = calibration_and_holdout_data(tx, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30",
                                  freq="D", freq_multiplier=7, monetary_value_col="dollars")
x, tx_, T = ch.frequency_cal.values, ch.recency_cal.values, ch.T_cal.values
print("lifetimes", lifetimes.__version__, "customers", len(ch))
for name, kw in [("default", {}), ("tight", {"tol": 1e-12, "maxiter": 100000})]:
    pn = ParetoNBDFitter().fit(ch.frequency_cal, ch.recency_cal, ch.T_cal, **kw)
    p = pn.params_
    ll = ParetoNBDFitter._conditional_log_likelihood([p["r"], p["alpha"], p["s"], p["beta"]], x, tx_, T).sum()
    print(f"--- {name}: params", repr(p.to_dict()), "ll %.10f" % ll)
    cond = pn.conditional_expected_number_of_purchases_up_to_time(39, ch.frequency_cal, ch.recency_cal, ch.T_cal)
    print("conditional holdout sum %.10f actual %d" % (cond.sum(), ch.frequency_holdout.sum()))
    print("textbook E[Y(39)] %.12f P(alive) %.12f" % (float(np.asarray(pn.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)).ravel()[0]),
                                                       float(np.asarray(pn.conditional_probability_alive(2, 30.43, 38.86)).ravel()[0])))
    print("p_alive first 3", repr(list(pn.conditional_probability_alive(x[:3], tx_[:3], T[:3]))))
    print("E[X(39)] new customer %.12f" % float(np.asarray(pn.expected_number_of_purchases_up_to_time(39)).ravel()[0]))

# Penalized fits (Tests/lua/survival_test.lua "penalizer scaled as lifetimes"): lifetimes fits on T scaled to max 1
# (utils._scale_time), so the L2 term penalizer·Σθ² sees α and β in those units; Pareto/NBD divides the summed
# log-likelihood by weights.mean() (= 1: the sum), BG/NBD by weights.sum() (the mean).
from lifetimes import BetaGeoFitter
for pen in [0.1]:
    pn = ParetoNBDFitter(penalizer_coef=pen).fit(ch.frequency_cal, ch.recency_cal, ch.T_cal, tol=1e-12, maxiter=100000)
    print(f"--- pareto_nbd penalizer {pen}: params", repr(pn.params_.to_dict()))
    bg = BetaGeoFitter(penalizer_coef=pen).fit(ch.frequency_cal, ch.recency_cal, ch.T_cal, tol=1e-8)
    print(f"--- bgnbd penalizer {pen}: params", repr(bg.params_.to_dict()))

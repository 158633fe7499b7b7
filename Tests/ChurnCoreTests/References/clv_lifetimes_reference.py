"""Reference values for the BG/NBD and Gamma-Gamma tests (Tests/ChurnCoreTests/CLV/)
from lifetimes 0.11.3 (and lifelines 0.30.3's venv):

    .venv-ref/bin/python Tests/ChurnCoreTests/References/clv_lifetimes_reference.py

Data: Fixtures/clv/CDNOW_sample.txt. Time unit a week = 7 days (freq "D",
freq_multiplier 7: the Fader-Hardie-Lee convention, same-day purchases merged),
calibration to 1997-09-30, holdout 1997-10-01..1998-06-30.
"""
import os, numpy as np, pandas as pd, lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

here = os.path.dirname(os.path.abspath(__file__))
tx = pd.read_csv(os.path.join(here, "..", "Fixtures", "clv", "CDNOW_sample.txt"), sep=r"\s+", header=None,
                 names=["master", "id", "date", "cds", "dollars"], dtype={"date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
ch = calibration_and_holdout_data(tx, "id", "date", calibration_period_end="1997-09-30", observation_period_end="1998-06-30",
                                  freq="D", freq_multiplier=7, monetary_value_col="dollars")
print("lifetimes", lifetimes.__version__, "customers", len(ch))
print("sums freq_cal %.10f rec_cal %.10f T_cal %.10f freq_hold %.1f dur_hold %.10f mon_cal %.10f" % (
    ch.frequency_cal.sum(), ch.recency_cal.sum(), ch.T_cal.sum(), ch.frequency_holdout.sum(), ch.duration_holdout.iloc[0], ch.monetary_value_cal.sum()))
print("customer 1:", ch.iloc[0].to_dict())
bg = BetaGeoFitter().fit(ch.frequency_cal, ch.recency_cal, ch.T_cal)
print("bgnbd params", bg.params_.to_dict())
from scipy.special import gammaln
def bg_ll(r, alpha, a, b, x, tx, T):  # lifetimes BetaGeoFitter._negative_log_likelihood, summed
    x, tx, T = np.asarray(x), np.asarray(tx), np.asarray(T)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + tx)
    m = np.maximum(A3, A4)
    return float(np.sum(A1 + A2 + np.log(np.exp(A3 - m) + np.exp(A4 - m) * (x > 0)) + m))
p_ = bg.params_
print("bgnbd ll %.10f" % bg_ll(p_["r"], p_["alpha"], p_["a"], p_["b"], ch.frequency_cal, ch.recency_cal, ch.T_cal))
print("bgnbd se", bg.standard_errors_.to_dict())
cond = bg.conditional_expected_number_of_purchases_up_to_time(39, ch.frequency_cal, ch.recency_cal, ch.T_cal)
print("conditional holdout sum %.10f actual %d" % (cond.sum(), ch.frequency_holdout.sum()))
print("textbook E[Y(39)] %.12f P(alive) %.12f" % (float(np.asarray(bg.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)).ravel()[0]),
                                                   float(np.asarray(bg.conditional_probability_alive(2, 30.43, 38.86)).ravel()[0])))
print("unconditional E[X(39)] %.12f" % float(np.asarray(bg.expected_number_of_purchases_up_to_time(39)).ravel()[0]))
print("p_alive first 3", list(bg.conditional_probability_alive(ch.frequency_cal, ch.recency_cal, ch.T_cal)[:3]))
r = ch[ch.frequency_cal > 0]
gg = GammaGammaFitter().fit(r.frequency_cal, r.monetary_value_cal)
print("gg params", gg.params_.to_dict(), "n", len(r))
print("gg se", gg.standard_errors_.to_dict())
print("gg expected avg first 3", list(gg.conditional_expected_average_profit(ch.frequency_cal, ch.monetary_value_cal)[:3]))
clv = gg.customer_lifetime_value(bg, ch.frequency_cal, ch.recency_cal, ch.T_cal, ch.monetary_value_cal, time=12, discount_rate=0.01, freq="W")
print("clv first 3", list(clv[:3]), "sum %.10f" % clv.sum())

# Calibration vs holdout purchases by calibration frequency (lifetimes' plot_calibration_purchases_vs_holdout_purchases,
# n = 7): the table the chart draws — Tests/lua/survival_test.lua, cl.clv.calibration_holdout.
summ = ch.copy()
summ["model_predictions"] = bg.conditional_expected_number_of_purchases_up_to_time(summ.iloc[0]["duration_holdout"], summ["frequency_cal"], summ["recency_cal"], summ["T_cal"])
tab = summ.groupby("frequency_cal")[["frequency_holdout", "model_predictions"]].mean().iloc[:7]
print("calibration_holdout frequency", list(tab.index), "actual", repr(list(tab.frequency_holdout)), "predicted", repr(list(tab.model_predictions)))

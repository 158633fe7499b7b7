"""Reference values for Kaplan–Meier, Nelson–Aalen and the log-rank tests
(Tests/ChurnCoreTests/Survival/KaplanMeierTests.swift) from lifelines.

    python3 -m venv .venv-ref && .venv-ref/bin/pip install lifelines==0.30.3 lifetimes==0.11.3
    .venv-ref/bin/python Tests/ChurnCoreTests/References/survival_lifelines_reference.py

Data: Fixtures/mlc_churn.csv, duration account_length, event churn == "yes".
Weights (w = 1 + row % 3) and entry (min(10 * (row % 4), duration)) are
synthetic, deterministic functions of the 0-based row index.
Writes Fixtures/survival/lifelines_km.json.
"""
import json, os
import numpy as np, pandas as pd, lifelines
from lifelines import KaplanMeierFitter, NelsonAalenFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test, pairwise_logrank_test

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv"))
T = df["account_length"].astype(float).values
E = (df["churn"] == "yes").values
row = np.arange(len(df))
W = 1.0 + row % 3
entry = np.minimum(10.0 * (row % 4), T)

def km(**kw):
    f = KaplanMeierFitter().fit(T, E, **kw)
    t = f.event_table
    ci = f.confidence_interval_
    return dict(times=list(t.index.astype(float)), at_risk=list(t["at_risk"].astype(float)),
                observed=list(t["observed"].astype(float)), censored=list(t["censored"].astype(float)),
                survival=list(f.survival_function_.iloc[:, 0].astype(float)),
                lower=list(ci.iloc[:, 0].astype(float)), upper=list(ci.iloc[:, 1].astype(float)),
                median=float(f.median_survival_time_),
                at_100=float(f.survival_function_at_times(100).iloc[0]), at_150_5=float(f.survival_function_at_times(150.5).iloc[0]))

out = {"lifelines": lifelines.__version__, "plain": km(), "weighted": km(weights=W), "entry": km(entry=entry)}
na = NelsonAalenFitter().fit(T, E)
out["nelson_aalen"] = dict(times=list(na.cumulative_hazard_.index.astype(float)),
                           H=list(na.cumulative_hazard_.iloc[:, 0].astype(float)),
                           lower=list(na.confidence_interval_.iloc[:, 0].astype(float)),
                           upper=list(na.confidence_interval_.iloc[:, 1].astype(float)))
intl = (df["international_plan"] == "yes").values
r2 = logrank_test(T[intl], T[~intl], E[intl], E[~intl])
out["logrank_intl"] = dict(statistic=float(r2.test_statistic), p=float(r2.p_value))
cs = df["number_customer_service_calls"].values
r2b = logrank_test(T[cs >= 4], T[cs < 4], E[cs >= 4], E[cs < 4])
out["logrank_cs4"] = dict(statistic=float(r2b.test_statistic), p=float(r2b.p_value), log10p=float(np.log10(r2b.p_value)) if r2b.p_value > 0 else None)
rk = multivariate_logrank_test(T, df["area_code"].values, E)
out["logrank_area"] = dict(statistic=float(rk.test_statistic), p=float(rk.p_value), df=int(rk.degrees_of_freedom))
pw = pairwise_logrank_test(T, df["area_code"].values, E).summary
out["pairwise_area"] = [dict(a=str(i[0]), b=str(i[1]), statistic=float(r["test_statistic"]), p=float(r["p"])) for i, r in pw.iterrows()]
with open(os.path.join(here, "..", "Fixtures", "survival", "lifelines_km.json"), "w") as fh:
    json.dump(out, fh, indent=0)
print({k: v for k, v in out.items() if k.startswith("logrank") or k == "pairwise_area" or k == "lifelines"})
for k in ["plain", "weighted", "entry"]:
    print(k, out[k]["median"], out[k]["at_100"], out[k]["times"][:3], out[k]["at_risk"][:3], out[k]["lower"][:3])

# A p-value that underflows double: group A dies at 1..1500, group B at 1501..3000.
from scipy.special import log_ndtr
import scipy
ta = np.arange(1, 1501, dtype=float); tb = np.arange(1501, 3001, dtype=float)
ru = logrank_test(ta, tb, np.ones(1500, bool), np.ones(1500, bool))
ext = dict(statistic=float(ru.test_statistic), p=float(ru.p_value), log10p=float((np.log(2) + log_ndtr(-np.sqrt(ru.test_statistic))) / np.log(10))  # chi2(1) tail = 2 Phi(-sqrt x)
, scipy=scipy.__version__)
print("underflow", ext)
out["logrank_underflow"] = ext
with open(os.path.join(here, "..", "Fixtures", "survival", "lifelines_km.json"), "w") as fh:
    json.dump(out, fh, indent=0)

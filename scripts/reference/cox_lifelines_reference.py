"""Cox PH reference values for Tests/ChurnCoreTests/Survival/CoxCompleteTests.swift, from lifelines 0.30.3
(pandas 2.3, numpy, scipy as pip resolved them):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install lifelines==0.30.3 lifetimes==0.11.3
    .venv-ref/bin/python scripts/reference/cox_lifelines_reference.py

Data: Tests/ChurnCoreTests/Fixtures/mlc_churn.csv (see Fixtures/README.md); duration account_length,
event churn == "yes"; intl = international_plan == "yes"; the text column `area_code` is dummy-coded
with pandas.get_dummies(drop_first=True) (ChurnLab's `area_code=<level>` columns).
"""
import os, warnings, numpy as np, pandas as pd, lifelines
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test
warnings.simplefilter("ignore")
here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "mlc_churn.csv"))
base = pd.DataFrame({"T": df["account_length"], "E": (df["churn"] == "yes").astype(int),
                     "total_day_minutes": df["total_day_minutes"], "number_customer_service_calls": df["number_customer_service_calls"],
                     "number_vmail_messages": df["number_vmail_messages"], "total_intl_calls": df["total_intl_calls"],
                     "intl": (df["international_plan"] == "yes").astype(int)})
print("lifelines", lifelines.__version__)
def show(name, m):
    s = m.summary
    print(f"--- {name}")
    print("coef", repr(list(s["coef"])))
    print("se", repr(list(s["se(coef)"])))
    print("ll", repr(m.log_likelihood_), "concordance", repr(m.concordance_index_), "AIC_partial", repr(m.AIC_partial_))
for pen, l1 in [(0.1, 0.0), (0.05, 0.5), (0.01, 1.0)]:
    m = CoxPHFitter(penalizer=pen, l1_ratio=l1).fit(base, "T", "E")
    show(f"penalizer {pen} l1_ratio {l1}", m)
# Unpenalized: predictions, baseline, PH test.
m = CoxPHFitter().fit(base, "T", "E")
show("plain", m)
rows = base.iloc[[0, 1, 2, 9]]
print("partial_hazard rows 1,2,3,10", repr(list(m.predict_partial_hazard(rows))))
sf = m.predict_survival_function(rows, times=[50, 100, 150.5])
print("survival t=50,100,150.5 (rows x times)", repr(sf.T.values.tolist()))
print("median rows 1,2,3,10", repr(list(m.predict_median(rows))))
bh = m.baseline_cumulative_hazard_
print("baseline cumhaz at 1st, 100th, last index", repr([bh.index[0], bh.iloc[0, 0], bh.index[99], bh.iloc[99, 0], bh.index[-1], bh.iloc[-1, 0]]))
for tt in ["rank", "km"]:
    r = proportional_hazard_test(m, base, time_transform=tt)
    print("ph_test", tt, "stat", repr(list(r.test_statistic)), "p", repr(list(r.p_value)))
# Strata and a text column.
d2 = base.copy()
d2["area_code"] = df["area_code"]
d2["voice"] = df["voice_mail_plan"]
ms = CoxPHFitter().fit(pd.get_dummies(d2.drop(columns=["voice"]), columns=["area_code"], drop_first=True, dtype=float), "T", "E")
show("area_code dummies", ms)
mst = CoxPHFitter(strata=["voice"]).fit(d2.drop(columns=["area_code"]), "T", "E")
show("strata voice", mst)
print("strata partial_hazard rows 1,2", repr(list(mst.predict_partial_hazard(d2.drop(columns=["area_code"]).iloc[[0, 1]]))))
print("strata survival rows 1,2 at t=100", repr(mst.predict_survival_function(d2.drop(columns=["area_code"]).iloc[[0, 1]], times=[100]).values.tolist()))
r = proportional_hazard_test(mst, d2.drop(columns=["area_code"]), time_transform="rank")
print("strata ph_test rank stat", repr(list(r.test_statistic)))

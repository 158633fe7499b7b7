"""Cox PH reference values (Tests/ChurnCoreTests/Survival/CoxTests.swift) from lifelines 0.30.3:

    .venv-ref/bin/python Tests/ChurnCoreTests/References/survival_cox_reference.py

mlc_churn: duration account_length, event churn == "yes", covariates below (intl = international_plan == "yes").
"""
import os, numpy as np, pandas as pd, lifelines
from lifelines import CoxPHFitter
here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv"))
d = pd.DataFrame({"T": df["account_length"], "E": (df["churn"] == "yes").astype(int),
                  "total_day_minutes": df["total_day_minutes"], "number_customer_service_calls": df["number_customer_service_calls"],
                  "number_vmail_messages": df["number_vmail_messages"], "total_intl_calls": df["total_intl_calls"],
                  "intl": (df["international_plan"] == "yes").astype(int)})
for ties in ["efron", "breslow"]:
    m = CoxPHFitter(baseline_estimation_method="breslow") if ties == "efron" else None
    if ties == "breslow":
        # lifelines fits Efron only; the Breslow-ties reference comes from statsmodels PHReg.
        import statsmodels, statsmodels.api as sm
        X = d.drop(columns=["T", "E"])
        r = sm.PHReg(d["T"], X, status=d["E"], ties="breslow").fit()
        print("statsmodels", statsmodels.__version__, "breslow coef", repr(list(r.params)), "se", repr(list(r.bse)), "llf", repr(r.llf))
        continue
    m.fit(d, "T", "E")
    s = m.summary
    print("lifelines", lifelines.__version__)
    print("coef", repr(list(s["coef"])))
    print("se", repr(list(s["se(coef)"])))
    print("z", repr(list(s["z"])))
    print("p", repr(list(s["p"])))
    print("ll", repr(m.log_likelihood_), "concordance", repr(m.concordance_index_), "AIC_partial", repr(m.AIC_partial_))

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
        try:
            import statsmodels, statsmodels.api as sm
        except ImportError:
            print("statsmodels not installed: Breslow reference skipped")
            continue
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

# Case weights (lifelines' weights_col) and robust (sandwich, Lin–Wei) standard errors — CoxWeightsTests.swift.
# Row i (0-based, file order): integer weights 1 + i % 3; fractional weights 0.5 + 0.25 * (i % 4).
import warnings
warnings.simplefilter("ignore")
i = np.arange(len(d))
cases = [("int_weights", d.assign(W=1 + i % 3), dict(weights_col="W")),
         ("frac_weights_robust", d.assign(W=0.5 + 0.25 * (i % 4)), dict(weights_col="W", robust=True)),
         ("robust_unweighted", d, dict(robust=True)),
         ("strata_area_frac_weights_robust", d.drop(columns=["intl"]).assign(W=0.5 + 0.25 * (i % 4), area=df["area_code"]),
          dict(weights_col="W", robust=True, strata=["area"]))]
for name, data, kw in cases:
    m = CoxPHFitter().fit(data, "T", "E", **kw)
    print(name)
    print("  coef", repr(list(m.params_)))
    print("  se", repr(list(m.standard_errors_)))
    print("  ll", repr(m.log_likelihood_), "concordance", repr(m.concordance_index_))

# Expected (remaining) lifetime: lifelines' predict_expectation on the unweighted Efron fit, first 3 rows,
# plain and conditional_after = account_length (their tenure so far) — Tests/lua/survival_test.lua.
m = CoxPHFitter().fit(d, "T", "E")
rows = d.head(3)
print("expectation", repr(list(m.predict_expectation(rows))))
print("expectation conditional_after", repr(list(m.predict_expectation(rows, conditional_after=rows["T"]))))

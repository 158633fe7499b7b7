"""Reference values for Tests/ChurnCoreTests/Models/LinearReferenceTests.swift.

Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/linear_reference.py
(scikit-learn 1.9.1, statsmodels 0.15.0, numpy 2.4.6).

Data: Fixtures/mlc_churn.csv, fixed split = the first 4000 rows (training rows);
target churn == "yes". Categorical plans are one-hot with the first level ("no")
dropped, as ChurnLab does: columns international_plan=yes, voice_mail_plan=yes.
"""
import os, warnings
import numpy as np, pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")
here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv")).iloc[:4000]
y = (df.churn == "yes").astype(float).values

# Unpenalised model: no charge columns (they are rounded multiples of the minutes → near-collinear).
SMALL = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
         "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
         "total_intl_minutes", "total_intl_calls", "number_customer_service_calls"]
ALL = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls", "total_day_charge",
       "total_eve_minutes", "total_eve_calls", "total_eve_charge", "total_night_minutes", "total_night_calls",
       "total_night_charge", "total_intl_minutes", "total_intl_calls", "total_intl_charge",
       "number_customer_service_calls"]

def design(cols):
    X = df[cols].astype(float).copy()
    X["international_plan=yes"] = (df.international_plan == "yes").astype(float)
    X["voice_mail_plan=yes"] = (df.voice_mail_plan == "yes").astype(float)
    return X

def show(tag, values):
    print(f"// {tag}")
    print("[" + ", ".join(repr(float(v)) for v in values) + "]")

# 1. Unpenalised: statsmodels Logit (Newton) with standard errors.
X = design(SMALL)
res = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
show("statsmodels unpenalised params (const first)", res.params.values)
show("statsmodels unpenalised bse", res.bse.values)
show("statsmodels unpenalised pvalues", res.pvalues.values)
ci = res.conf_int().values
show("statsmodels unpenalised ci low", ci[:, 0])
show("statsmodels unpenalised ci high", ci[:, 1])
sk = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X.values, y)
show("sklearn unpenalised intercept + coef (cross-check)", np.r_[sk.intercept_, sk.coef_[0]])

# Standardised design for the penalised fits (StandardScaler = population std).
XA = design(ALL)
Z = StandardScaler().fit_transform(XA.values)

def fit(**kw):
    m = LogisticRegression(tol=1e-12, max_iter=100000, **kw).fit(Z, y)
    assert m.n_iter_[0] < 100000, "not converged"
    return np.r_[m.intercept_, m.coef_[0]]

# 2. L2, C = 0.1
# L2 fits use sklearn's exact newton-cholesky solver: lbfgs stops early along the
# nearly flat minutes/charge directions.
show("sklearn L2 C=0.1 standardized (intercept first)", fit(C=0.1, l1_ratio=0.0, solver="newton-cholesky"))
# 3. L2, C = 1, class_weight balanced
show("sklearn L2 C=1 balanced standardized", fit(C=1.0, l1_ratio=0.0, solver="newton-cholesky", class_weight="balanced"))
# L1 and elastic net on the SMALL columns: with the near-collinear charge columns
# the L1 optimum is almost flat along minutes/charge and not a useful comparison.
Z = StandardScaler().fit_transform(X.values)
# 4. L1, C = 0.05 (saga, tight tol)
show("sklearn L1 C=0.05 standardized SMALL", fit(C=0.05, l1_ratio=1.0, solver="saga"))
# 5. Elastic net, C = 0.05, l1_ratio = 0.5
show("sklearn elasticnet C=0.05 l1_ratio=0.5 standardized SMALL", fit(C=0.05, l1_ratio=0.5, solver="saga"))
# 6. L2 C=0.5 on raw (unstandardised) features incl. the plans
show("sklearn L2 C=0.5 raw SMALL", np.r_[
    (m := LogisticRegression(C=0.5, l1_ratio=0.0, solver="newton-cholesky", tol=1e-12, max_iter=100000).fit(X.values, y)).intercept_, m.coef_[0]])
print("columns SMALL:", list(X.columns))
print("columns ALL:", list(XA.columns))

# 7. No intercept, L2 C=0.5, raw SMALL features (LinearTests / LinearReferenceTests.testNoIntercept)
m = LogisticRegression(C=0.5, l1_ratio=0.0, solver="newton-cholesky", fit_intercept=False, tol=1e-12, max_iter=1000).fit(X.values, y)
show("sklearn L2 C=0.5 no intercept raw SMALL (coef only)", m.coef_[0])
# 8. Sample weights w = 1 + (row % 3) with L2 C=0.1 standardized ALL (newton-cholesky)
w = 1.0 + (np.arange(len(y)) % 3)
XAv = StandardScaler().fit_transform(XA.values)
m = LogisticRegression(C=0.1, l1_ratio=0.0, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(XAv, y, sample_weight=w)
show("sklearn L2 C=0.1 standardized ALL, sample_weight 1 + row%3", np.r_[m.intercept_, m.coef_[0]])

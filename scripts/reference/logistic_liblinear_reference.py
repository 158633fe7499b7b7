"""scikit-learn liblinear reference for cl.model.logistic{intercept_scaling = s}
(Tests/lua/logistic_intercept_scaling_test.lua).

Data: Tests/ChurnCoreTests/Fixtures/mlc_churn.csv, first 2000 rows; target
churn == "yes"; features total_day_minutes, number_customer_service_calls,
international_plan (one-hot: international_plan=yes, as ChurnLab codes it).
LogisticRegression(solver="liblinear", C=0.01, intercept_scaling=s, tol=1e-12,
max_iter=100000) for penalty l2 and l1 and s in {1, 5}: liblinear fits the
intercept as the weight of a constant feature s and penalises it.

Run: .venv-ref/bin/python scripts/reference/logistic_liblinear_reference.py
"""
import os
import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "mlc_churn.csv")).head(2000)
X = np.column_stack([df["total_day_minutes"], df["number_customer_service_calls"],
                     (df["international_plan"] == "yes").astype(float)])
y = (df["churn"] == "yes").astype(int).values
print("scikit-learn", sklearn.__version__)
# scikit-learn >= 1.8 spells the penalty as l1_ratio (0 = L2, 1 = L1).
for penalty, ratio in [("l2", 0.0), ("l1", 1.0)]:
    for s in [1.0, 5.0]:
        m = LogisticRegression(solver="liblinear", l1_ratio=ratio, C=0.01, intercept_scaling=s, tol=1e-12,
                               max_iter=100000).fit(X, y)
        print(f"{penalty} s={s}: intercept={m.intercept_[0]!r} coef={[repr(v) for v in m.coef_[0]]}")
# For contrast: lbfgs (unpenalised intercept), l2.
m = LogisticRegression(C=0.01, tol=1e-12, max_iter=100000).fit(X, y)
print(f"lbfgs l2 (intercept not penalised): intercept={m.intercept_[0]!r} coef={[repr(v) for v in m.coef_[0]]}")

"""LightGBM 4.x reference values for cl.model.gbdt{objective = "multiclass"} and
{objective = "regression"} through Lua (Tests/lua/gbdt_targets_test.lua).

Data: Tests/ChurnCoreTests/Fixtures/mlc_churn.csv; test rows 0-based i % 5 == 4
(as trees_mlc_churn_reference.py). Categoricals: state, area_code,
international_plan, voice_mail_plan (pandas category dtype).
Parameters = ChurnLab's defaults: 100 trees, lr 0.1, 31 leaves,
min_data_in_leaf 20, max_bin 255, lambda_l2 0.

Multiclass target "outcome" (3 classes, why a customer left):
  "stay" (churn == no), "churn_service" (churn == yes and
  number_customer_service_calls >= 4), "churn_other" (the other churners).
  Features: every column but churn. Reported: test accuracy, multi_logloss.
Regression target: monthly bill = day + eve + night + intl charge; features
  all columns but the four *_charge columns, total_intl_minutes and churn.

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install "lightgbm>=4,<5" scikit-learn pandas
     .venv-ref/bin/python scripts/reference/gbdt_multiclass_reference.py
"""
import os
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, mean_absolute_error, r2_score

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "mlc_churn.csv"))
for c in ["state", "area_code", "international_plan", "voice_mail_plan"]:
    df[c] = df[c].astype("category")
test = np.arange(len(df)) % 5 == 4
base = dict(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20, max_bin=255,
            reg_lambda=0.0, verbose=-1, deterministic=True, n_jobs=2)
print("lightgbm", lgb.__version__)

outcome = np.where(df["churn"] == "no", "stay",
                   np.where(df["number_customer_service_calls"] >= 4, "churn_service", "churn_other"))
X = df.drop(columns=["churn"])
print("class counts", dict(zip(*np.unique(outcome, return_counts=True))))
m = lgb.LGBMClassifier(objective="multiclass", **base).fit(X[~test], outcome[~test])
print("classes_", list(m.classes_))
p = m.predict_proba(X[test])
print("multiclass test accuracy =", repr(accuracy_score(outcome[test], m.predict(X[test]))))
print("multiclass test multi_logloss =", repr(log_loss(outcome[test], p, labels=m.classes_)))
print("mean test proba per class =", [repr(v) for v in p.mean(axis=0)])

charges = ["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]
bill = df[charges].sum(axis=1).values
Xr = df.drop(columns=charges + ["total_intl_minutes", "churn"])
r = lgb.LGBMRegressor(objective="regression", **base).fit(Xr[~test], bill[~test])
pr = r.predict(Xr[test])
print("regression test RMSE =", repr(mean_squared_error(bill[test], pr) ** 0.5),
      "MAE =", repr(mean_absolute_error(bill[test], pr)), "R2 =", repr(r2_score(bill[test], pr)))

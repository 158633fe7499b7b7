"""LightGBM reference values for the GBDT extensions (GBDTExtensionTests).

Data: Tests/ChurnCoreTests/Fixtures/mlc_churn.csv, split as in
trees_mlc_churn_reference.py (test rows: 0-based i % 5 == 4). Categoricals:
state, area_code, international_plan, voice_mail_plan (pandas category dtype).
Common parameters = ChurnLab's defaults: 100 trees, lr 0.1, 31 leaves,
min_data_in_leaf 20, max_bin 255, lambda_l2 0.

Binary cases (target churn == "yes"), test AUC:
  - scale_pos_weight = 3
  - class_weight = "balanced" (LGBMClassifier → sample weights)
  - monotone_constraints: +1 on number_customer_service_calls and
    total_day_minutes, "basic" method
Regression (objective "regression", L2), test RMSE:
  target = monthly bill = day + eve + night + intl charge; features: all
  columns but the four *_charge columns, total_intl_minutes and churn.

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install lightgbm scikit-learn pandas
     .venv-ref/bin/python scripts/reference/gbdt_extensions_reference.py
"""
import os
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.metrics import roc_auc_score, mean_squared_error

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "..", "Tests", "ChurnCoreTests", "Fixtures", "mlc_churn.csv"))
cats = ["state", "area_code", "international_plan", "voice_mail_plan"]
for c in cats:
    df[c] = df[c].astype("category")
test = np.arange(len(df)) % 5 == 4
base = dict(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20, max_bin=255,
            reg_lambda=0.0, verbose=-1, deterministic=True, n_jobs=2)

y = (df["churn"] == "yes").astype(int).values
X = df.drop(columns=["churn"])
Xtr, Xte, ytr, yte = X[~test], X[test], y[~test], y[test]
print("lightgbm lib", lgb.__version__)

def auc(**extra):
    m = lgb.LGBMClassifier(**base, **extra).fit(Xtr, ytr)
    return roc_auc_score(yte, m.predict_proba(Xte)[:, 1]), m

print("scale_pos_weight=3 AUC =", repr(auc(scale_pos_weight=3.0)[0]))
print("class_weight=balanced AUC =", repr(auc(class_weight="balanced")[0]))
mono = [1 if c in ("number_customer_service_calls", "total_day_minutes") else 0 for c in X.columns]
a, m = auc(monotone_constraints=mono, monotone_constraints_method="basic")
print("monotone (+1 service calls, +1 day minutes) AUC =", repr(a))
# Monotonicity check on a grid of service calls, other features of test row 0.
row = Xte.iloc[[0] * 10].copy()
row["number_customer_service_calls"] = np.arange(10)
print("  monotone grid p(service calls 0..9) =", np.round(m.predict_proba(row)[:, 1], 4).tolist())

charges = ["total_day_charge", "total_eve_charge", "total_night_charge", "total_intl_charge"]
bill = df[charges].sum(axis=1).values
Xr = df.drop(columns=charges + ["total_intl_minutes", "churn"])
r = lgb.LGBMRegressor(objective="regression", **base).fit(Xr[~test], bill[~test])
rmse = mean_squared_error(bill[test], r.predict(Xr[test])) ** 0.5
print("regression monthly bill: test RMSE =", repr(rmse), " (sd of target", repr(bill[test].std()), ")")
print("regression init score (train mean) =", repr(bill[~test].mean()))
# Mean predicted test probability, plain vs scale_pos_weight = 3 (and on the training rows).
plain = lgb.LGBMClassifier(**base).fit(Xtr, ytr)
spw = lgb.LGBMClassifier(**base, scale_pos_weight=3.0).fit(Xtr, ytr)
print("mean p test plain / spw3 =", repr(plain.predict_proba(Xte)[:, 1].mean()), repr(spw.predict_proba(Xte)[:, 1].mean()))
print("mean p train plain / spw3 =", repr(plain.predict_proba(Xtr)[:, 1].mean()), repr(spw.predict_proba(Xtr)[:, 1].mean()))

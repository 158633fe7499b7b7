"""Reference AUCs on Fixtures/mlc_churn.csv for TreesModelTests.

Split rule (0-based data row i): test if i % 5 == 4, else train (4000 / 1000 rows).
Features: every column but `churn`; state, area_code, international_plan and
voice_mail_plan are categorical (pandas category dtype = native LightGBM
categorical). Target: churn == "yes".
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/trees_mlc_churn_reference.py
"""
import os
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv"))
cats = ["state", "area_code", "international_plan", "voice_mail_plan"]
for c in cats:
    df[c] = df[c].astype("category")
y = (df.pop("churn") == "yes").astype(int).values
test = np.arange(len(df)) % 5 == 4
Xtr, Xte, ytr, yte = df[~test], df[test], y[~test], y[test]
print("rows train/test:", len(Xtr), len(Xte), "positives train/test:", ytr.sum(), yte.sum())

params = dict(objective="binary", n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20,
              max_bin=255, reg_lambda=0.0, verbose=-1, deterministic=True, n_jobs=2)
m = lgb.LGBMClassifier(**params).fit(Xtr, ytr)
print("lightgbm gbdt 100 trees lr 0.1 31 leaves: test AUC =", repr(roc_auc_score(yte, m.predict_proba(Xte)[:, 1])))

# Random forest (scikit-learn has no native categoricals: ordinal codes).
Xo_tr = Xtr.copy(); Xo_te = Xte.copy()
for c in cats:
    Xo_tr[c] = Xo_tr[c].cat.codes; Xo_te[c] = Xo_te[c].cat.codes
rf = RandomForestClassifier(n_estimators=100, max_depth=12, random_state=0, n_jobs=2, oob_score=True).fit(Xo_tr, ytr)
print("sklearn forest 100 trees depth 12: test AUC =", repr(roc_auc_score(yte, rf.predict_proba(Xo_te)[:, 1])),
      "OOB accuracy =", repr(rf.oob_score_))

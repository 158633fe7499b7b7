#!/usr/bin/env python3
"""scikit-learn peer of scripts/bench/logistic_pipeline.lua (issue 19 item 0).

Same table (gen_model_table.py --csv), same rows, same model: mean imputation +
StandardScaler on the numeric columns, one-hot of the five categoricals (a
missing category gives all zeros, as ChurnLab's one_hot: the categories are
given explicitly and unknowns ignored), LogisticRegression(C=1, lbfgs) at
scikit-learn's default tol (1e-4) and, for the equal-log-loss comparison, at
tighter tols. Only the pipeline fit is timed, as on the ChurnLab side.

Usage: logistic_pipeline_peers.py DATA_DIR TRAIN_ROWS [TOL ...]
"""
import json, os, sys, time, warnings
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.filterwarnings("ignore")
d, ntrain = sys.argv[1], int(sys.argv[2])
tols = [float(t) for t in sys.argv[3:]] or [1e-4]
meta = json.load(open(os.path.join(d, "meta.json")))
cats = [c["name"] for c in meta["categorical"]]
levels = [c["levels"] for c in meta["categorical"]]
df = pd.read_csv(os.path.join(d, "table.csv"), dtype={c: "object" for c in cats})
y = df.pop("churn").to_numpy(dtype=float)
numeric = [c for c in df.columns if c not in cats]
Xtr, ytr, Xte, yte = df.iloc[:ntrain], y[:ntrain], df.iloc[ntrain:], y[ntrain:]
for tol in tols:
    pipe = make_pipeline(
        ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), numeric),
            ("cat", OneHotEncoder(categories=levels, handle_unknown="ignore"), cats),
        ]),
        LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=100000))
    t = time.perf_counter(); pipe.fit(Xtr, ytr); secs = time.perf_counter() - t
    lr = pipe[-1]
    print(f"RESULT sklearn lbfgs tol={tol:.0e}  fit {secs:7.2f}s  iters {int(lr.n_iter_[0]):4d}  "
          f"design columns {lr.coef_.shape[1]}  train_logloss {log_loss(ytr, pipe.predict_proba(Xtr)[:, 1]):.8f}  "
          f"test_auc {roc_auc_score(yte, pipe.predict_proba(Xte)[:, 1]):.6f}", flush=True)

#!/usr/bin/env python3
"""Reference AUC for cl.model.mlp (Tests/lua/mlp_test.lua): scikit-learn's
MLPClassifier with the same architecture and training settings on the same
split of mlc_churn.

Split: rows 1..3500 of Tests/ChurnCoreTests/Fixtures/mlc_churn.csv train,
rows 3501..5000 test (file order, no shuffling).
Inputs as cl.model.mlp builds them: numeric columns standardised with the
training means and population SDs, text columns one-hot over the training
levels (unseen -> all zeros). Target: churn == "yes".
Network: 64 -> 32 -> 1, ReLU, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8),
batch 256, no L2 (alpha = 0), EPOCHS epochs (no early stopping, shuffled).

The AUC depends on the initialisation seed, so the script prints it for
several seeds and their mean; the test compares with the mean.

Usage:
    python3 -m venv .venv-ref && .venv-ref/bin/pip install scikit-learn pandas
    .venv-ref/bin/python scripts/reference/mlp_sklearn_reference.py
"""
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
SEEDS = range(10)

df = pd.read_csv("Tests/ChurnCoreTests/Fixtures/mlc_churn.csv")
y = (df.pop("churn") == "yes").astype(int).to_numpy()
text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
numeric = [c for c in df.columns if c not in text]
train, test = slice(0, 3500), slice(3500, 5000)

aucs = []
for seed in SEEDS:
    pre = ColumnTransformer([("num", StandardScaler(), numeric),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), text)])
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", alpha=0.0,
                        batch_size=256, learning_rate_init=1e-3, max_iter=EPOCHS, shuffle=True,
                        tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=seed)
    model = make_pipeline(pre, mlp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(df.iloc[train], y[train])
    p = model.predict_proba(df.iloc[test])[:, 1]
    aucs.append(roc_auc_score(y[test], p))
    print(f"seed {seed}: test AUC {aucs[-1]:.6f}")
print(f"epochs {EPOCHS}: mean test AUC over {len(aucs)} seeds {np.mean(aucs):.6f} (sd {np.std(aucs):.6f})")
